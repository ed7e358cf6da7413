"""Every row of every example input file is kept, excluded with a reason, or blank; once.

Raw rows are counted here without the pipeline's reader (csv and openpyxl directly), and the
accounts are checked against the cleaned tables: in memory (fast), and as the stages write them
(foi_accounting.json, survey_accounting.json, reports/exclusions.csv, foi_responses.csv,
survey_orgs.csv) in a built copy of the repository (e2e).
"""

from __future__ import annotations

import json
from pathlib import Path

import corpus_kit as kit
import openpyxl
import pandas as pd
import pytest

from pipeline import privacy
from pipeline.survey.decode import normal_id

FILES = sorted(
    p.relative_to(kit.EXAMPLE).as_posix()
    for p in kit.EXAMPLE.glob("*/*")
    if p.suffix in (".csv", ".xlsx")
)
HEADER_STARTS = ("Local authority", "synthetic", "Respondent ID", "Organisation ID")


def raw_rows(path: Path) -> dict[int, list[str]]:
    """The data rows below the header, by spreadsheet row number, as text cells."""
    if path.suffix == ".csv":
        rows = kit.read_csv(path)
    else:
        book = openpyxl.load_workbook(path, read_only=True)
        sheet = next(s for s in book.worksheets if s.title.lower() != "readme")
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] in HEADER_STARTS)
    return {n: r for n, r in enumerate(rows[header + 1 :], start=header + 2)}


def blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def check_file(
    rel: str,
    account: dict[str, int],
    excluded_rows: list[int],
    kept: pd.DataFrame,
) -> None:
    """Assert one file's account against its raw rows, its exclusions and its kept rows.

    `kept` is the processed table's rows from this file: FOI responses (with source_row) or
    survey organisations (with org_id).
    """
    rows = raw_rows(kit.EXAMPLE / rel)
    blanks = {n for n, r in rows.items() if blank(r)}
    assert account["rows_in"] == len(rows)
    assert account["blank"] == len(blanks)
    assert account["rows_in"] == account["kept"] + account["excluded"] + account["blank"]
    assert len(excluded_rows) == account["excluded"]
    assert len(kept) == account["kept"]
    unaccounted = set(rows) - blanks - set(excluded_rows)
    if "source_row" in kept:  # FOI: kept rows are exactly the rows neither blank nor excluded
        assert sorted(kept["source_row"].astype(int)) == sorted(unaccounted)
    else:  # survey: the kept organisations are those of the rows neither blank nor excluded
        key = privacy.EXAMPLE_KEY.encode()
        assert set(kept["org_id"]) == {
            privacy.pseudonym(normal_id(rows[n][0]), key) for n in unaccounted
        }


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory):
    raw = kit.raw_copy(tmp_path_factory.mktemp("accounting"))
    return kit.clean_foi(raw), kit.clean_survey(raw)


def test_every_example_file_is_cleaned() -> None:
    assert FILES == [
        "foi/2021.csv",
        "foi/2024.xlsx",
        "survey/2021.csv",
        "survey/2023.xlsx",
        "survey/2025.csv",
    ]


@pytest.mark.parametrize("rel", FILES)
def test_rows_in_equal_kept_plus_excluded_plus_blank(cleaned, rel: str) -> None:
    foi_result, survey_result = cleaned
    accounts = {a.file: vars(a) for a in [*foi_result.accounts, *survey_result.accounts]}
    exclusions = pd.concat([foi_result.exclusions, survey_result.exclusions])
    stem = Path(rel).stem
    kept = (
        foi_result.responses[foi_result.responses["source_file"] == rel]
        if rel.startswith("foi/")
        else survey_result.orgs[survey_result.orgs["wave"] == stem]
    )
    excluded = exclusions.loc[exclusions["file"] == rel, "source_row"].tolist()
    check_file(rel, accounts[rel], excluded, kept)


@pytest.mark.e2e
def test_written_accounts_match_the_written_tables(built_repo) -> None:
    processed = built_repo.root / "data" / "processed"
    accounts = {
        **json.loads((processed / "foi_accounting.json").read_text(encoding="utf-8")),
        **json.loads((processed / "survey_accounting.json").read_text(encoding="utf-8")),
    }
    assert sorted(accounts) == FILES
    exclusions = pd.read_csv(built_repo.root / "reports" / "exclusions.csv", dtype=str)
    responses = pd.read_csv(processed / "foi_responses.csv", dtype=str)
    orgs = pd.read_csv(processed / "survey_orgs.csv", dtype=str)
    for rel in FILES:
        kept = (
            responses[responses["source_file"] == rel]
            if rel.startswith("foi/")
            else orgs[orgs["wave"] == Path(rel).stem]
        )
        excluded = exclusions.loc[exclusions["file"] == rel, "source_row"].astype(int).tolist()
        check_file(rel, accounts[rel], excluded, kept)
