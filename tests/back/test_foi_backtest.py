"""Back tests: cleaning the FOI example reproduces the generator's truth; bad files stop the run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import config, foi, schemas
from pipeline.errors import InputError
from pipeline.readers import read_table

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE, REFERENCE, TRUTH = ROOT / "data/example", ROOT / "data/reference", ROOT / "tests/truth"
PARAMS = config.load(ROOT / "params.yaml").foi
ROUNDS = [r.model_dump() for r in PARAMS.rounds]


def _clean(raw_dir: Path, overrides: Path, rounds: list[dict] = ROUNDS) -> foi.FoiResult:
    return foi.clean_rounds(
        raw_dir, rounds, REFERENCE, PARAMS.fuzzy_threshold, PARAMS.duplicate_rule, overrides
    )


@pytest.fixture(scope="module")
def no_overrides(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("overrides") / "foi_overrides.csv"
    path.write_text(",".join(foi.OVERRIDE_COLUMNS) + "\n")
    return path


@pytest.fixture(scope="module")
def cleaned(no_overrides: Path) -> foi.FoiResult:
    return _clean(EXAMPLE, no_overrides)


TABLES = {"foi_responses": "responses", "foi_items": "items"}


@pytest.mark.parametrize("table", TABLES)
def test_cleaning_the_example_reproduces_the_truth(
    cleaned: foi.FoiResult, table: str, tmp_path: Path
) -> None:
    got = getattr(cleaned, TABLES[table])
    schemas.write(got, tmp_path / "got.csv", table)  # validates what the cleaner made
    expected = schemas.read(TRUTH / f"{table}.csv", table)  # validates the truth too
    pd.testing.assert_frame_equal(schemas.read(tmp_path / "got.csv", table), expected)
    pd.testing.assert_frame_equal(got, expected)
    assert len(got) == (152 + 153) * (13 if table == "foi_items" else 1)


def test_every_row_is_accounted_for(cleaned: foi.FoiResult) -> None:
    accounts = cleaned.accounts_table.set_index("file")
    assert accounts.loc["foi/2021.csv"].tolist() == [155, 152, 1, 2]
    assert accounts.loc["foi/2024.xlsx"].tolist() == [155, 153, 0, 2]
    assert cleaned.exclusions["reason"].str.startswith("duplicate submission for ").all()
    assert len(cleaned.exclusions) == 1


def test_summaries_for_the_notebook(cleaned: foi.FoiResult) -> None:
    methods = foi.match_summary(cleaned).groupby("match_method")["authorities"].sum()
    assert methods.sum() == 305 and methods["code_successor"] == 1 and methods["fuzzy"] >= 1
    assert len(foi.disagreements(cleaned)) == int(cleaned.items["disagreement"].sum()) > 0
    examples = foi.coding_examples(cleaned, 3)
    assert len(examples) == 3 and examples["items_coded"].str.len().gt(0).all()


def test_common_geography_covers_2023_authorities_per_round(cleaned: foi.FoiResult) -> None:
    common = cleaned.common
    assert common.groupby("round")["la_code"].nunique().tolist() == [153, 153]
    inherited = common[common["inherited"]]
    assert len(inherited) == 2 and inherited["source_la_code"].nunique() == 1
    assert inherited["adults_in_treatment"].isna().all()


def test_committed_overrides_change_exactly_their_cells(cleaned: foi.FoiResult) -> None:
    overrides = foi.read_overrides(ROOT / "data/foi_overrides.csv")
    result = _clean(EXAMPLE, ROOT / "data/foi_overrides.csv")
    keys = ["round", "la_code", "item"]
    before, after = cleaned.items.set_index(keys), result.items.set_index(keys)
    changed = after.index[(before["answer"] != after["answer"]).to_numpy()]
    assert sorted(changed) == sorted(overrides[keys].itertuples(index=False, name=None))
    assert after.loc[changed, "overridden"].all() and after["overridden"].sum() == len(overrides)
    applied = result.overrides[["round", "la_code", "item", "answer", "reason"]]
    pd.testing.assert_frame_equal(applied, overrides[foi.OVERRIDE_COLUMNS])
    assert cleaned.overrides.empty and list(cleaned.overrides.columns) == foi.APPLIED_COLUMNS


def test_raw_example_fails_the_raw_schema(cleaned: foi.FoiResult) -> None:
    failures = foi.raw_failures(read_table(EXAMPLE / "foi/2021.csv", foi.REQUIRED))
    assert {foi.CODE, foi.SENT, foi.STATUS, foi.ADULTS} <= set(failures["column"])


def _no_response_row() -> tuple[int, str, str]:
    """(spreadsheet row, raw line, la_code) of the first 2021 authority typed by name alone
    that did not respond: a row whose edits are easy to make and to find."""
    truth = pd.read_csv(TRUTH / "foi_responses.csv", dtype=str, keep_default_na=False)
    lines = (EXAMPLE / "foi/2021.csv").read_text(encoding="utf-8").splitlines()
    for row, code, status in truth[["source_row", "la_code", "status_raw"]].itertuples(index=False):
        line = lines[int(row) - 1]
        if truth["round"].iloc[0] == "2021" and status == "No response" and ",," in line[:60]:
            return int(row), line, code
    raise AssertionError("the example has no such row")


def _edit_copy(tmp_path: Path, old: str, new: str) -> Path:
    raw = tmp_path / "raw"
    (raw / "foi").mkdir(parents=True)
    text = (EXAMPLE / "foi/2021.csv").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (raw / "foi/2021.csv").write_text(text.replace(old, new), encoding="utf-8")
    return raw


def test_unknown_authority_is_named_with_file_row_and_candidates(
    tmp_path: Path, no_overrides: Path
) -> None:
    row, line, _ = _no_response_row()
    marker, name, rest = line.split(",", 2)
    raw = _edit_copy(tmp_path, line, f"{marker},Atlantis Riding,{rest}")
    with pytest.raises(
        InputError,
        match=rf"foi/2021.csv, row {row}, column 'Local authority': "
        r"unmatched authority: 'Atlantis Riding' is unmatched; best candidates",
    ):
        _clean(raw, no_overrides, ROUNDS[:1])


def test_unknown_status_is_named_with_file_row_and_value(
    tmp_path: Path, no_overrides: Path
) -> None:
    row, line, _ = _no_response_row()
    raw = _edit_copy(tmp_path, line, line.replace(",No response,", ",Lost in the post,"))
    with pytest.raises(
        InputError,
        match=rf"foi/2021.csv, row {row}, column 'Response status': "
        r"unknown response status: 'Lost in the post' is not a known status",
    ):
        _clean(raw, no_overrides, ROUNDS[:1])


def test_an_absent_authority_is_an_error(tmp_path: Path, no_overrides: Path) -> None:
    _, line, code = _no_response_row()
    raw = _edit_copy(tmp_path, line + "\n", "")
    with pytest.raises(InputError, match=rf"foi/2021.csv: absent authority: {code} \w+ has no row"):
        _clean(raw, no_overrides, ROUNDS[:1])


def test_unlisted_round_file_is_only_a_warning(
    tmp_path: Path, no_overrides: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(EXAMPLE / "foi", raw / "foi")
    shutil.copy(EXAMPLE / "foi/2021.csv", raw / "foi/2019.csv")
    _clean(raw, no_overrides, ROUNDS[:1])
    assert "2019.csv is not a round listed in params.yaml" in caplog.text
