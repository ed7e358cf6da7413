"""The example's analyst overrides (data/foi_overrides.csv, read here directly) reach everything a
reviewer reads: the processed table foi_overrides, the executed clean_foi notebook, the
section's overrides table and its sentence, and the workbook. The raw value the section shows
for each is checked against the raw file's cell, read with csv or openpyxl."""

from __future__ import annotations

import csv
import html
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pipeline.foi import ADULTS, ITEM_HEADERS, RESPONDED, SENT, STATUS, WOMEN

pytestmark = pytest.mark.e2e
SECTION = "reports/quantitative_section.html"
# The raw header of each field an override sets (la_code's raw value is the name and the code).
RAW_HEADERS = {
    **ITEM_HEADERS,
    "status": STATUS,
    "date_sent": SENT,
    "date_responded": RESPONDED,
    "adults_in_treatment": ADULTS,
    "women_in_treatment": WOMEN,
}


@pytest.fixture(scope="module")
def committed(built_repo) -> list[dict[str, str]]:
    """The committed overrides, one dict per row."""
    with (built_repo.root / "data/foi_overrides.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows, "the example has overrides to publish"
    return rows


def _overrides_table(page: str) -> tuple[str, list[list[str]]]:
    """The number and body rows (cell texts) of the section's table of overrides applied."""
    match = re.search(
        r'<table id="table-(\d+)"[^>]*>\s*<caption>Table \d+: Analyst overrides'
        r".*?</thead>(.*?)</table>",
        page,
        flags=re.S,
    )
    assert match, "the section has no table of analyst overrides"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(2), flags=re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S) for row in rows]
    return match.group(1), [[html.unescape(c).strip() for c in row] for row in cells]


def _raw_cell(path: Path, row: int, header: str) -> str:
    """The cell of spreadsheet row `row` under `header` in a raw FOI file."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    else:
        book = openpyxl.load_workbook(path, read_only=True)
        sheet = next(s for s in book.worksheets if s.title.lower() != "readme")
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    column = next(r for r in rows if header in r).index(header)
    return rows[row - 1][column]


def test_processed_table_lists_each_committed_override(built_repo, committed) -> None:
    path = built_repo.root / "data/processed/foi_overrides.csv"
    with path.open(encoding="utf-8", newline="") as f:
        applied = list(csv.DictReader(f))
    keys = ("round", "la_code", "item", "answer", "reason")
    assert [tuple(r[k] for k in keys) for r in applied] == [
        tuple(r[k] for k in keys) for r in committed
    ]


def test_clean_foi_notebook_shows_them(built_repo, committed) -> None:
    page = html.unescape((built_repo.root / "reports/stages/clean_foi.html").read_text("utf-8"))
    assert "Analyst overrides applied" in page
    for row in committed:
        assert row["reason"] in page


def test_section_lists_them_with_reasons_and_says_how_many(built_repo, committed) -> None:
    page = (built_repo.root / SECTION).read_text(encoding="utf-8")
    number, rows = _overrides_table(page)
    shown = {(r[2], r[3], r[5], r[6]) for r in rows}  # code, field, set to, reason
    assert shown == {(o["la_code"], o["item"], o["answer"], o["reason"]) for o in committed}
    raw = built_repo.root / "data/example"
    for file, row, _, item, typed, *_ in rows:
        if item in RAW_HEADERS:
            assert typed == _raw_cell(raw / file, int(row), RAW_HEADERS[item])
    rounds = Counter(o["round"] for o in committed)
    by_round = " and ".join(f"{n} in {r}" for r, n in rounds.items())
    text = html.unescape(re.sub(r"\s+", " ", page))
    applied = f"{len(committed)} override{'' if len(committed) == 1 else 's'}"
    assert f"Analysts applied {applied} to the raw FOI data ({by_round})." in text
    assert f"Table {number} lists each one" in text


def test_workbook_has_the_table(built_repo, committed) -> None:
    book = openpyxl.load_workbook(built_repo.root / "reports/tables.xlsx")
    sheets = [s for s in book if "Analyst overrides" in str(s["A1"].value)]
    assert len(sheets) == 1
    cells = {str(c) for row in sheets[0].iter_rows(values_only=True) for c in row}
    assert {o["reason"] for o in committed} <= cells
