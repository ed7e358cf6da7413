"""Build bad-input cases from copies of the example files, and run the cleaners on them.

A case copies data/example to a temporary raw folder (`raw_copy`), alters one file there
(`edit_csv`, `edit_xlsx`, `csv_cells`, `xlsx_cells`, or by writing bytes), and runs the stage's
cleaner on the copy with the committed parameters (`clean_foi`, `clean_survey`). Nothing under
the repository is written.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import yaml
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import foi, survey
from pipeline.taxonomy import ANSWERED_STATUSES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example"
REFERENCE = ROOT / "data" / "reference"
OVERRIDES = ROOT / "data" / "foi_overrides.csv"
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
ROUNDS = {str(r["name"]): r for r in PARAMS["foi"]["rounds"]}
WAVES = [str(w) for w in PARAMS["survey"]["waves"]]

Rows = list[list[str]]


def raw_copy(tmp_path: Path) -> Path:
    """A copy of data/example (the raw folder) under tmp_path."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "raw"))


def read_csv(path: Path, encoding: str = "utf-8-sig") -> Rows:
    """A CSV file's rows as lists of text."""
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))


def write_csv(
    path: Path, rows: Rows, encoding: str = "utf-8", delimiter: str = ",", bom: bool = False
) -> None:
    """Write rows as CSV in the given encoding and delimiter (optionally after a UTF-8 BOM)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))


def edit_csv(path: Path, edit: Callable[[Rows], Rows | None]) -> None:
    """Apply `edit` to a CSV file's rows, in place or by returning new rows; rewrite as UTF-8."""
    rows = read_csv(path)
    write_csv(path, edit(rows) or rows)


def edit_xlsx(path: Path, edit: Callable[[Worksheet], None]) -> None:
    """Apply `edit` to the data sheet (the sheet not named README) of an xlsx file."""
    book = openpyxl.load_workbook(path)
    edit(next(s for s in book.worksheets if s.title.lower() != "readme"))
    book.save(path)


def set_cell(rows: Rows, row: int, column: str, value: str) -> None:
    """Set the cell of spreadsheet row `row` (1 is the header) in `column` of a CSV's rows."""
    rows[row - 1][rows[0].index(column)] = value


def xlsx_column(sheet: Worksheet, header_row: int, column: str) -> int:
    """The 1-based column number of the header `column` in an xlsx sheet."""
    return next(c.column for c in sheet[header_row] if c.value == column)


def clean_foi(
    raw: Path,
    rounds: list[str] | None = None,
    rule: str = "latest_response",
    today: date | None = None,
    overrides: Rows = (),
) -> foi.FoiResult:
    """foi.clean_rounds on a raw copy for the named rounds (default all), committed params.

    The committed overrides are kept for the rounds cleaned (an override naming a round not
    cleaned would itself be an error), `overrides` rows (round, la_code, item, answer, reason)
    added; the file is written beside the raw copy.
    """
    assert not raw.resolve().is_relative_to(ROOT), "clean a copy (raw_copy), not the repository"
    names = rounds or list(ROUNDS)
    rows = read_csv(OVERRIDES)
    path = raw.parent / "foi_overrides.csv"
    write_csv(path, [rows[0], *(r for r in rows[1:] if r[0] in names), *overrides])
    return foi.clean_rounds(
        raw,
        [ROUNDS[n] for n in names],
        REFERENCE,
        PARAMS["foi"]["fuzzy_threshold"],
        rule,
        path,
        today=today,
    )


def clean_survey(raw: Path, waves: list[str] | None = None) -> survey.SurveyResult:
    """survey.clean_waves on a raw folder for the named waves (default all), committed params."""
    return survey.clean_waves(raw, waves or WAVES, REFERENCE, PARAMS["foi"]["fuzzy_threshold"])


# -- FOI cases: the example rows the cases alter, and cell edits ---------------------------------

Edit = Callable[[Path], None]
CSV, XLSX = "foi/2021.csv", "foi/2024.xlsx"  # the example rounds 2021 and 2024
XLSX_HEADER = 3  # 2024.xlsx has a title row and a blank row above its header
# Rows of the example files that the cases alter (checked by test_corpus_foi_rules.py).
YORK = 155  # 2021.csv, E06000014, adults "around 630"
NEWCASTLE = 85  # 2021.csv, E08000021, typed "Newcastle upon Tyne Metropolitan Borough Council"
NORTH_YORKSHIRE = 93  # 2021.csv, E10000023 (E06000065 on the 2023 geography)
NORTH_NORTHANTS = 91  # 2024.xlsx, E06000061
SOMERSET = 117  # 2024.xlsx, E06000066 (E10000027 on the 2021 geography), typed by code only
BLACKPOOL = 10  # 2021.csv, E06000009, "No response"
HULL = 66  # 2021.csv, E06000010, "Info not held"
SOUTHEND = 120  # 2021.csv, E06000033, "Refused s.12"
TELFORD = 133  # 2021.csv, E06000020, "Partial"
SHROPSHIRE = 114  # 2024.xlsx, E06000051, "Clarification sought"
YORK_ADULTS, YORK_WOMEN = 166_999, 87_565  # York's population aged 18+ (data/reference, 2021)


def foi_baseline(tmp_path: Path) -> dict[str, pd.DataFrame]:
    """Each unaltered example round's cleaned responses, cleaned on its own."""
    raw = raw_copy(tmp_path)
    return {name: clean_foi(raw, [name]).responses for name in ROUNDS}


def csv_cells(*cells: tuple[int, str, str]) -> Edit:
    """Set (row, column, value) cells of 2021.csv."""

    def edit(raw: Path) -> None:
        def change(rows: Rows) -> None:
            for row, column, value in cells:
                set_cell(rows, row, column, value)

        edit_csv(raw / CSV, change)

    return edit


def xlsx_cells(*cells: tuple[int, str, str]) -> Edit:
    """Set (row, column, value) cells of 2024.xlsx's data sheet."""

    def edit(raw: Path) -> None:
        def change(sheet: Worksheet) -> None:
            for row, column, value in cells:
                sheet.cell(row, xlsx_column(sheet, XLSX_HEADER, column), value)

        edit_xlsx(raw / XLSX, change)

    return edit


def unchanged(frame: pd.DataFrame) -> pd.DataFrame:
    """The responses expected of a case that changes nothing they hold."""
    return frame


def restatused(
    code: str, raw: str, status: str | None = None
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The responses with the authority's status typed as `raw` (and read as `status`)."""

    def expect(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        at = frame["la_code"] == code
        frame.loc[at, "status_raw"] = raw
        if status is not None:
            frame.loc[at, ["status", "responded"]] = [status, status in ANSWERED_STATUSES]
            if status not in ANSWERED_STATUSES:
                frame.loc[at, "n_items"] = pd.NA
        return frame

    return expect


def counted(code: str, who: str, value: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The responses with the authority's count of `who` an exact `value`."""

    def expect(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        at = frame["la_code"] == code
        frame.loc[at, [f"{who}_in_treatment", f"{who}_flag"]] = [value, "exact"]
        return frame

    return expect


def long_text(length: int) -> Edit:
    """York's free text followed by `length` more characters."""

    def edit(raw: Path) -> None:
        def change(rows: Rows) -> None:
            rows[YORK - 1][rows[0].index(foi.TEXT)] += " " + "x" * length

        edit_csv(raw / CSV, change)

    return edit


def formula(row: int, column: str, text: str) -> Edit:
    """A formula (which openpyxl saves with no value) in a cell of 2024.xlsx's data sheet."""
    return xlsx_cells((row, column, text))
