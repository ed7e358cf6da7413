"""Back tests: the committed reference tables are exactly what the public sources rebuild."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline import geography as geo
from pipeline.geography import sources

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "data" / "reference"
SOURCES = ROOT.parent / "shared" / "data" / "reference"

pytestmark = pytest.mark.skipif(
    not SOURCES.is_dir(), reason=f"public source files not found at {SOURCES} (../shared)"
)
TABLES = [
    "aliases",
    "covariates",
    "hexes",
    "local_authorities",
    "ndtms_england",
    "population",
    "successors",
]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    geo.build_reference(SOURCES, out)
    return out


def test_rebuild_writes_exactly_the_committed_tables(rebuilt: Path) -> None:
    assert sorted(p.stem for p in rebuilt.glob("*.csv")) == TABLES
    assert sorted(p.stem for p in REF.glob("*.csv")) == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_rebuild_is_byte_identical(rebuilt: Path, table: str) -> None:
    built, committed = (rebuilt / f"{table}.csv").read_bytes(), (REF / f"{table}.csv").read_bytes()
    assert not built.startswith(b"\xef\xbb\xbf") and b"\r\n" not in built
    assert built == committed, f"{table}.csv differs from a rebuild; run the reference build"


def test_provenance_lists_the_sha256_of_every_source_used() -> None:
    provenance = (REF / "PROVENANCE.md").read_text(encoding="utf-8")
    for file in geo.SOURCE_FILES:
        digest = hashlib.sha256((SOURCES / file).read_bytes()).hexdigest()
        assert f"{digest}  {file}" in provenance, file


def test_2019_ranks_and_scores_equal_imd_file_11() -> None:
    upper = sources._imd(SOURCES / geo.IMD_UPPER, "Upper Tier Local Authority District code (2019)")
    cov = geo.covariates(REF, 2019).merge(
        upper, left_on="la_code", right_on="code", suffixes=("", "_source")
    )
    assert len(cov) == 151
    assert (cov["imd_rank"] == cov["source_rank"]).all()
    assert (cov["imd_score"] == cov["imd_score_source"].round(3)).all()


def test_reaggregation_reproduces_county_scores() -> None:
    """The method used for the new unitaries, applied to the 2019 counties, recovers File 11's
    county scores to within 0.15 (the weights differ: MHCLG used mid-2015 populations)."""
    upper = sources._imd(SOURCES / geo.IMD_UPPER, "Upper Tier Local Authority District code (2019)")
    lower = sources._imd(SOURCES / geo.IMD_LOWER, "Local Authority District code (2019)")
    population = sources._mye(SOURCES / geo.MYE[2019][0]).set_index("code")["persons_all"]
    membership = sources._lookup(SOURCES, 2019).set_index("ltla_code")["la_code"]
    # Buckinghamshire's districts are already merged in the mid-2019 file (April 2020 codes)
    membership = membership[membership.str.startswith("E10") & (membership != "E10000002")]
    got = geo.reaggregate_imd(lower.set_index("code")["imd_score"], population, membership)
    error = got - upper.set_index("code")["imd_score"].reindex(got.index)
    assert len(got) == 25
    assert error.abs().max() < 0.15
    assert error.abs().mean() < 0.05
