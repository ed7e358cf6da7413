"""The example data are reproducible: the generator with the default seed rewrites them exactly."""

import filecmp
from pathlib import Path

import pytest

from pipeline import synth

ROOT = Path(__file__).resolve().parents[2]
SEED = 20240501  # the seed data/example/README.md states


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> tuple[Path, Path]:
    out, truth = tmp_path_factory.mktemp("example"), tmp_path_factory.mktemp("truth")
    synth.generate(SEED, out, truth, ROOT / "data" / "reference")
    return out, truth


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_raw_files_are_reproduced_byte_for_byte(regenerated):
    out, _ = regenerated
    committed = [f for f in _files(ROOT / "data" / "example") if f not in (".gitkeep", "README.md")]
    assert _files(out) == committed
    _, mismatch, errors = filecmp.cmpfiles(out, ROOT / "data" / "example", committed, shallow=False)
    assert mismatch == [] and errors == []


def test_truth_is_reproduced_byte_for_byte(regenerated):
    _, truth = regenerated
    committed = _files(ROOT / "tests" / "truth")
    assert _files(truth) == committed
    _, mismatch, errors = filecmp.cmpfiles(
        truth, ROOT / "tests" / "truth", committed, shallow=False
    )
    assert mismatch == [] and errors == []


def test_readme_states_the_seed():
    assert f"--seed {SEED}" in (ROOT / "data" / "example" / "README.md").read_text(encoding="utf-8")
