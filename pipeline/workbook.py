"""The published tables and the data behind every figure as one accessible spreadsheet.

Written with gptables to the Analysis Function's guidance on releasing statistics in
spreadsheets: a cover with the release's metadata, a contents and a notes sheet, then one sheet
per table or figure. Every cell holds a value or a shorthand symbol ([c], [x], [z]) and each
sheet's legend says which symbols it uses; numbers keep their column's number format; the
header row is frozen; text is neutralised against formula injection and no cell is a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gptables as gpt
import numpy as np
import pandas as pd

from pipeline.outputs import neutralise, neutralised

SHORTHAND = {
    "[c]": "confidential: suppressed to protect people from identification",
    "[x]": "not available",
    "[z]": "not applicable",
}
SYMBOL = re.compile(r"\[[a-z]\]")
P_VALUE = re.compile(r"p[- ]")  # "p-value", "p (Holm)"
SPECIAL = re.compile(r"<\d*\.?\d+")  # a value below what is printed, e.g. p <0.001
# Columns of figure data that hold proportions (0 to 1): shown as percentages.
FRACTIONS = {"share", "conf_low", "conf_high", "left", "right", "difference", "region_share"}
# The stages' columns behind each figure, as the workbook heads them (others are humanised).
FIGURE_HEADERS = {
    "n": "Number",
    "share": "Share",
    "conf_low": "95% CI lower",
    "conf_high": "95% CI upper",
    "la_name": "Authority",
    "la_code": "Code",
    "region_name": "Region",
    "n_las": "Authorities",
    "n_items": "Items offered",
    "status": "Status code",
    "status_label": "Status",
    "item": "Item code",
    "item_label": "Item",
}
OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


@dataclass(frozen=True)
class PublishedTable:
    """One numbered table (or the data behind one figure) as published.

    Attributes
    ----------
    sheet : str
        Its label and sheet name: "Table 3", "Figure 5".
    title, source : str
        The caption (without the label) and the source line.
    frame : DataFrame
        The cells as published, under published headers.
    notes : tuple of str
        Notes, numbered across the workbook on its notes sheet.
    fractions : tuple of str
        Columns holding proportions (0 to 1), formatted as percentages.
    """

    sheet: str
    title: str
    frame: pd.DataFrame
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    fractions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def symbols(self) -> list[str]:
        """The shorthand symbols its cells use, in the order of `SHORTHAND`."""
        used = {v for v in self.frame.to_numpy().ravel() if isinstance(v, str)}
        return [s for s in SHORTHAND if s in used]


@dataclass(frozen=True)
class Release:
    """The release's metadata, printed on the section's title page and the workbook cover."""

    title: str
    publisher: str
    release_date: dt.date
    next_update: str
    status: str
    contact: str

    @classmethod
    def from_params(cls, params: dict) -> Release:
        """The release's metadata from the report parameters (params.yaml ``report``)."""
        keys = ("title", "publisher", "release_date", "next_update", "status", "contact")
        return cls(**{k: params[k] for k in keys})

    @property
    def lines(self) -> list[str]:
        """The metadata as "Label: value" lines."""
        return [
            f"Publisher: {self.publisher}",
            f"Release date: {long_date(self.release_date)}",
            f"Next update: {self.next_update}",
            f"Status: {self.status}",
            f"Contact: {self.contact}",
        ]


def long_date(day: dt.date) -> str:
    """A date as GOV.UK writes it: 1 December 2026."""
    return f"{day.day} {day:%B %Y}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def _is_special(value: object) -> bool:
    """Shorthand ([c]) or a bound written as text (<0.001): allowed among numbers."""
    return isinstance(value, str) and bool(SYMBOL.fullmatch(value) or SPECIAL.fullmatch(value))


def decimals(column: pd.Series) -> int | None:
    """Decimals the column's numbers are published to, up to 3 (p-values always 3); None if
    it is not a column of numbers (shorthand and bounds such as "<0.001" may stand among
    them)."""
    cells = column.dropna().tolist()
    numbers = [v for v in cells if _is_number(v)]
    if not numbers or not all(_is_number(v) or _is_special(v) for v in cells):
        return None
    if P_VALUE.match(str(column.name)):
        return 3
    return max(len(f"{v:.3f}".rstrip("0").split(".")[1]) for v in numbers)


def number_format(column: pd.Series, fraction: bool = False) -> str | None:
    """The Excel number format for a column: thousands separated, its decimals, or a
    percentage for proportions; None for text."""
    places = decimals(column)
    if places is None:
        return None
    if fraction:
        return "0.0%"
    return "#,##0" + ("." + "0" * places if places else "")


def filled(frame: pd.DataFrame) -> pd.DataFrame:
    """Every empty cell given its reason: "[z]" (not applicable) where the column is empty
    for the whole of the row's layer (stacked figure data), otherwise "[x]" (not available)."""
    out = frame.replace(r"^\s*$", np.nan, regex=True)
    empty = out.isna()
    if "layer" in out:
        unused = empty.groupby(out["layer"]).transform("all")
        out = out.astype(object).mask(empty & unused, "[z]")
        empty = out.isna()
    return out.astype(object).mask(empty, "[x]") if empty.any().any() else out


def _formats(table: PublishedTable) -> list[dict]:
    formats = []
    for column in table.frame.columns:
        fmt = number_format(table.frame[column], column in table.fractions)
        if fmt is not None:
            formats.append(
                {"column": {"columns": [neutralise(column)], "format": {"num_format": fmt}}}
            )
    return formats


def _gptable(table: PublishedTable, note_refs: dict[str, str]) -> gpt.GPTable:
    refs = "".join(f"$${note_refs[n]}$$" for n in table.notes)
    frame = neutralised(filled(table.frame))
    return gpt.GPTable(
        table=frame,
        table_name=table.sheet.lower().replace(" ", "_"),
        title=neutralise(table.title) + refs,
        source=table.source,
        instructions="This worksheet contains one table. Notes are on the notes worksheet.",
        legend=[f"{s} = {SHORTHAND[s]}" for s in _symbols(frame)],
        additional_formatting=_formats(table),
    )


def _symbols(frame: pd.DataFrame) -> list[str]:
    return PublishedTable("", "", frame, "").symbols


def write_workbook(
    tables: list[PublishedTable], path: Path, release: Release, about: list[str]
) -> None:
    """Write the tables with a cover, contents and notes sheet; the release date fixes the
    file's metadata, so a rebuild gives the same bytes."""
    notes = sorted({n for t in tables for n in t.notes})
    refs = {n: f"note{i + 1}" for i, n in enumerate(notes)}
    notes_table = pd.DataFrame({"Note number": [refs[n] for n in notes], "Note text": notes})
    cover = gpt.Cover(
        title=release.title,
        intro=release.lines[:-1],
        about=[*about, *(f"{k} = {v}" for k, v in SHORTHAND.items())],
        contact=[release.contact],
    )
    sheets = {t.sheet: _gptable(t, refs) for t in tables}
    wb = gpt.produce_workbook(
        filename=str(path),
        sheets=sheets,
        cover=cover,
        notes_table=notes_table,
        workbook_options=OPTIONS,
    )
    for table in tables:
        first_row = sheets[table.sheet].data_range[0]
        label_column = decimals(table.frame.iloc[:, 0]) is None and table.frame.shape[1] > 1
        wb.get_worksheet_by_name(table.sheet).freeze_panes(first_row + 1, int(label_column))
    stamp = dt.datetime.combine(release.release_date, dt.time())
    wb.set_properties({"title": release.title, "author": release.publisher, "created": stamp})
    wb.close()


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers among shorthand ("20", "[c]", "15") as numbers beside the shorthand,
    as a published table holds them; other columns unchanged."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]):
            continue
        cells = out[column].dropna().astype(str)
        marked = cells.str.fullmatch(r"\[[a-z]\]")
        numbers = pd.to_numeric(cells[~marked], errors="coerce")
        if marked.any() and numbers.notna().all() and len(numbers):
            converted = pd.to_numeric(out[column].where(~out[column].isin(SHORTHAND)), "coerce")
            out[column] = converted.astype(object).where(converted.notna(), out[column])
    return out


def figure_tables(
    figures: dict[str, dict[str, Any]], reports: Path, source: str
) -> list[PublishedTable]:
    """The data behind each figure, as published beside it (its CSV), for the workbook."""
    tables = []
    for figure in figures.values():
        frame = typed(pd.read_csv(reports / figure["csv"], keep_default_na=False, na_values=[""]))
        flags = frame.select_dtypes(bool).columns
        frame[flags] = frame[flags].replace({True: "Yes", False: "No"})
        fractions = [c for c in frame.columns if c in FRACTIONS and _proportions(frame[c])]
        headers = {c: FIGURE_HEADERS.get(c, c.replace("_", " ").capitalize()) for c in frame}
        tables.append(
            PublishedTable(
                f"Figure {figure['number']}",
                f"Data behind Figure {figure['number']}: {figure['title']}",
                frame.rename(columns=headers),
                source,
                fractions=tuple(headers[c] for c in fractions),
            )
        )
    return tables


def _proportions(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return bool(len(values)) and bool(values.between(-1, 1).all())
