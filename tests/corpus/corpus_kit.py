"""Build bad-input cases from copies of the example files, and run the cleaners on them.

A case copies data/example to a temporary raw folder (`raw_copy`), alters one file there
(`edit_csv`, `edit_xlsx`, or by writing bytes), and runs the stage's cleaner on the copy with
the committed parameters (`clean_foi`, `clean_survey`). Nothing under the repository is written.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import yaml
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import foi, survey

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
) -> foi.FoiResult:
    """foi.clean_rounds on a raw copy for the named rounds (default all), committed params.

    The committed overrides are kept for the rounds cleaned (an override naming a round not
    cleaned would itself be an error); the filtered file is written beside the raw copy.
    """
    assert not raw.resolve().is_relative_to(ROOT), "clean a copy (raw_copy), not the repository"
    names = rounds or list(ROUNDS)
    rows = read_csv(OVERRIDES)
    overrides = raw.parent / "foi_overrides.csv"
    write_csv(overrides, [rows[0], *(r for r in rows[1:] if r[0] in names)])
    return foi.clean_rounds(
        raw,
        [ROUNDS[n] for n in names],
        REFERENCE,
        PARAMS["foi"]["fuzzy_threshold"],
        rule,
        overrides,
        today=today,
    )


def clean_survey(raw: Path, waves: list[str] | None = None) -> survey.SurveyResult:
    """survey.clean_waves on a raw folder for the named waves (default all), committed params."""
    return survey.clean_waves(raw, waves or WAVES, REFERENCE, PARAMS["foi"]["fuzzy_threshold"])
