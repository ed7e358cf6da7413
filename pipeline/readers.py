"""Read raw CSV and Excel files as text tables, whatever encoding or header offset they use."""

from __future__ import annotations

import csv
import io
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.errors import InputError

log = logging.getLogger(__name__)

ROW = "source_row"  # 1-based row number in the file as a spreadsheet program shows it
ENCODINGS = ("utf-8-sig", "cp1252")
EXTENSIONS = (".csv", ".xlsx", ".xls")
DATE_CELL_FORMAT = "%Y-%m-%d %H:%M:%S"  # how a spreadsheet's date cell reads as text
MAX_CELL = 1_000_000  # characters: a longer cell is a broken file (an unclosed quote), not text
# The csv module's own cell limit (131,072 characters) would stop long free text naming no file,
# row or column: it is raised as far as a C long allows, and read_table checks MAX_CELL itself.
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


@dataclass(frozen=True)
class RawTable:
    """A raw file's data rows as text, with the counts needed for row accounting."""

    path: Path
    data: pd.DataFrame  # all cells str ("" when blank) plus ROW
    header_row: int
    blank_rows: int
    # (row, column) -> formula, for each formula cell with no saved value (read as blank)
    unsaved_formulas: dict[tuple[int, str], str] = field(default_factory=dict)


def find_file(folder: Path, stem: str) -> Path:
    """The one file `<folder>/<stem>.csv|xlsx|xls`; error if none or several."""
    found = [folder / f"{stem}{ext}" for ext in EXTENSIONS if (folder / f"{stem}{ext}").exists()]
    if not found:
        raise InputError(
            folder / f"{stem}.csv",
            f"no file for {stem!r} (looked for "
            f"{', '.join(stem + e for e in EXTENSIONS)} in {folder})",
        )
    if len(found) > 1:
        raise InputError(found[0], f"several files for {stem!r}: {[p.name for p in found]}")
    return found[0]


def unlisted_files(folder: Path, listed: Iterable[str]) -> list[Path]:
    """Data files in `folder` whose stem is not in `listed` (worth a warning)."""
    listed = set(listed)
    return sorted(p for p in folder.glob("*") if p.suffix in EXTENSIONS and p.stem not in listed)


def _encodings(path: Path, raw: bytes) -> tuple[str, ...]:
    """The encodings `raw` may be in: UTF-16 by its byte-order mark, or with none by zeros in
    most second bytes and no other (English text); else ENCODINGS. InputError if binary."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("utf-16",)
    head = raw[:4096]
    for encoding, high, low in (
        ("utf-16-le", head[1::2], head[::2]),
        ("utf-16-be", head[::2], head[1::2]),
    ):
        if len(raw) % 2 == 0 and high.count(0) > 0.9 * len(high) and not low.count(0):
            return (encoding,)
    if b"\x00" in raw[:4096]:
        raise InputError(path, "file is binary, not a CSV text file")
    return ENCODINGS


def _decode(path: Path, raw: bytes) -> str:
    encodings = _encodings(path, raw)
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(path, f"text is in none of the encodings {', '.join(encodings)}")


def _csv_rows(path: Path) -> list[list[str]]:
    text = _decode(path, path.read_bytes())
    if not text.strip():
        raise InputError(path, "file is empty")
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    # The sniffer may guess ' as the quote character from prose; spreadsheets quote with ".
    # newline="" lets the reader end a row at \r\n, \n or a lone \r (old Mac files).
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"')
    return list(rows)


def _excel_rows(path: Path) -> tuple[list[list[str]], dict[tuple[int, int], str]]:
    """The data sheet's rows as text, and its unsaved formulas: (row, column index) -> formula."""
    engine = "openpyxl" if path.suffix == ".xlsx" else "xlrd"
    try:
        sheets = pd.read_excel(
            path, sheet_name=None, header=None, dtype=str, engine=engine, keep_default_na=False
        )
    except Exception as exc:  # openpyxl and xlrd raise many types for a corrupt file
        raise InputError(path, f"cannot be read as a spreadsheet ({exc})") from None
    data_sheets = {n: s for n, s in sheets.items() if not n.lower().startswith(("readme", "about"))}
    empty = [n for n, s in data_sheets.items() if _is_blank(s.fillna("").to_numpy().ravel())]
    if empty and len(empty) < len(data_sheets):
        log.info("%s: skipped empty sheets %s", path, empty)
        data_sheets = {n: s for n, s in data_sheets.items() if n not in empty}
    if len(data_sheets) != 1:
        raise InputError(path, f"expected one data sheet, found {list(data_sheets)}")
    name, frame = next(iter(data_sheets.items()))
    rows = frame.fillna("").astype(str).values.tolist()
    return rows, _formulas(path, name, rows) if engine == "openpyxl" else {}


def _formulas(path: Path, sheet: str, rows: list[list[str]]) -> dict[tuple[int, int], str]:
    """Formula cells of `sheet` that read as blank: Excel saved no value for them (a file
    written by a program, or saved with calculation off), so their value is unknown."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        found = {}
        for row in book[sheet].iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) != "f":
                    continue
                i, j = cell.row - 1, cell.column - 1
                if i >= len(rows) or j >= len(rows[i]) or not str(rows[i][j]).strip():
                    found[(i, j)] = str(cell.value)
        return found
    finally:
        book.close()


def _is_blank(cells: Iterable) -> bool:
    return all(not str(c).strip() for c in cells)


def _canonical(cell: str) -> str:
    """A header cell as compared with an expected column: case and spacing ignored."""
    return " ".join(str(cell).split()).casefold()


def _header_index(path: Path, rows: list[list[str]], required: set[str]) -> int:
    """The header row's index; if only some columns are missing, name them and the row."""
    wanted = {_canonical(c): c for c in required}
    best, best_i = set(wanted), None
    for i, row in enumerate(rows[:30]):
        missing = set(wanted) - {_canonical(c) for c in row}
        if not missing:
            return i
        if len(missing) < len(best):
            best, best_i = missing, i
    if best_i is not None and len(best) < len(required) / 2:
        names = sorted(wanted[c] for c in best)
        raise InputError(
            path,
            "required column is missing (or renamed)"
            if len(names) == 1
            else f"required columns {names} are missing (or renamed)",
            row=best_i + 1,
            column=names[0] if len(names) == 1 else None,
        )
    raise InputError(
        path,
        f"no header row with the columns {sorted(required)} in the first "
        "30 rows; a column may be missing or renamed",
    )


def _spelled(header: list[str], expected: Iterable[str]) -> list[str]:
    """Header cells spelled as the expected column they match ("Local Authority ")."""
    spelling = {_canonical(c): c for c in expected}
    return [spelling.get(_canonical(c), str(c).strip()) for c in header]


def _without_empty_columns(
    path: Path, rows: list[list[str]], h: int, formulas: set[int]
) -> tuple[list[list[str]], dict[int, int]]:
    """The rows without the header's columns that have no header, no value and no formula
    (empty columns a spreadsheet leaves after the data; logged), and each kept column's old
    index -> new index. Cells beyond the header stay, for the row checks."""
    header, body, width = rows[h], rows[h + 1 :], len(rows[h])
    keep = [
        j
        for j, name in enumerate(header)
        if str(name).strip() or j in formulas or not _is_blank(r[j] for r in body if j < len(r))
    ]
    if len(keep) < width:
        dropped = [j + 1 for j in range(width) if j not in keep]
        log.info("%s: dropped empty columns with no header (numbers %s)", path, dropped)
    rows = [[str(r[j]) for j in keep if j < len(r)] + [str(c) for c in r[width:]] for r in rows]
    return rows, {j: k for k, j in enumerate(keep)}


def _fill_merged(header: list[str]) -> list[str]:
    """Name the blank cells of a merged header after the cell to their left: 'X', 'X (2)'."""
    out: list[str] = []
    for j, cell in enumerate(header):
        if cell or not j or not out[-1]:
            out.append(cell)
        else:
            base = out[-1].split(" (")[0]
            out.append(f"{base} ({sum(c.split(' (')[0] == base for c in out) + 1})")
    return out


Problem = tuple[int, str | None, str]  # row, column, what is wrong


def _oversized(rows: list[list[str]], header: list[str]) -> list[Problem]:
    """Each cell longer than MAX_CELL: its row, column and size."""
    return [
        (
            i,
            header[j] if j < len(header) and header[j] else f"number {j + 1}",
            f"cell holds {len(cell):,} characters (more than {MAX_CELL:,}): a quote left open?",
        )
        for i, row in enumerate(rows, start=1)
        for j, cell in enumerate(row)
        if len(cell) > MAX_CELL
    ]


def _misshapen(row: list[str], header: list[str], filled: list[bool]) -> str | None:
    """What is wrong with a data row's length: cells beyond the header, or cells missing from
    columns that hold values in other rows (a row cut short); None if nothing."""
    found, width = f"row has {len(row)} cells but the header has {len(header)}", len(header)
    if len(row) > width and not _is_blank(row[width:]):
        return found
    if not any(filled[len(row) :]):
        return None
    missing = header[len(row) :]
    span = f"{missing[0]!r} to {missing[-1]!r} are" if len(missing) > 1 else f"{missing[0]!r} is"
    return f"{found}: {span} missing (a row cut short?)"


def _problems(
    rows: list[list[str]], h: int, header: list[str], body: list[tuple[int, list[str]]]
) -> list[Problem]:
    """Every oversized cell, repeated header and misshapen data row, in row order."""
    problems = _oversized(rows, header)
    dupes = sorted({c for c in header if c and header.count(c) > 1})
    if dupes:
        problems.append((h + 1, None, f"header repeats columns {dupes}"))
    filled = [not _is_blank(r[j] for _, r in body if j < len(r)) for j in range(len(header))]
    problems += [(i, None, m) for i, r in body if (m := _misshapen(r, header, filled))]
    named = [(j, _canonical(c)) for j, c in enumerate(rows[h]) if str(c).strip()]
    problems += [
        (i, None, f"repeats the header of row {h + 1} (tables pasted together?): delete it")
        for i, r in body
        if all(j < len(r) and _canonical(r[j]) == c for j, c in named)
    ]
    return sorted(problems, key=lambda p: p[0])


def _stop(path: Path, problems: list[Problem]) -> None:
    """One InputError naming every problem, each with its row and column, if there are any."""
    if len(problems) == 1:
        row, column, message = problems[0]
        raise InputError(path, message, row=row, column=column)
    if problems:
        lines = [
            f"  row {row}{f', column {column!r}' if column else ''}: {message}"
            for row, column, message in problems
        ]
        raise InputError(path, f"{len(problems)} problems reading the file:\n" + "\n".join(lines))


def read_table(path: str | Path, required: Iterable[str], expected: Iterable[str] = ()) -> RawTable:
    """Read a CSV/XLSX/XLS file into text cells, finding the header row by its columns.

    Rows above the header (titles, notes) are skipped; blank rows are dropped and counted;
    columns with no header and no value are dropped (logged). A header cell differing from a
    `required` or `expected` column only in case or spacing is spelled as that column. Merged
    header cells are filled from the left. Each data row keeps its spreadsheet row number.
    Every cell longer than MAX_CELL characters, repeated header and row with more cells than
    the header, or fewer (missing cells of columns that hold values elsewhere), is listed in
    one InputError. An Excel formula cell with no saved value reads as blank and is listed in
    `unsaved_formulas`.
    """
    path, required = Path(path), list(required)
    if path.suffix not in EXTENSIONS:
        raise InputError(path, f"unsupported file type {path.suffix!r}")
    rows, formulas = (_csv_rows(path), {}) if path.suffix == ".csv" else _excel_rows(path)
    if not rows:
        raise InputError(path, "file is empty")
    h = _header_index(path, rows, set(required))
    rows, columns = _without_empty_columns(path, rows, h, {j for i, j in formulas if i > h})
    header = _fill_merged(_spelled(rows[h], [*required, *expected]))
    body = [(i, r) for i, r in enumerate(rows[h + 1 :], start=h + 2) if not _is_blank(r)]
    _stop(path, _problems(rows, h, header, body))
    width = len(header)
    records = [[*(c.strip() for c in r[:width]), *[""] * (width - len(r)), i] for i, r in body]
    data = pd.DataFrame(records, columns=[*header, ROW]).astype({ROW: int})
    unsaved = {
        (i + 1, header[columns[j]]): f for (i, j), f in formulas.items() if i > h and j in columns
    }
    blank = len(rows) - h - 1 - len(body)
    return RawTable(path, data, header_row=h + 1, blank_rows=blank, unsaved_formulas=unsaved)
