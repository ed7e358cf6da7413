"""The published tables as one accessible spreadsheet (gptables, Analysis Function guidance)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import gptables as gpt
import pandas as pd

SHORTHAND = {
    "[c]": "confidential: suppressed to protect people from identification",
    "[x]": "not available",
    "[z]": "not applicable",
}


@dataclass(frozen=True)
class PublishedTable:
    """One numbered table as published: its sheet name, title and data."""

    sheet: str
    title: str
    frame: pd.DataFrame
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def _gptable(table: PublishedTable, note_refs: dict[str, str]) -> gpt.GPTable:
    refs = "".join(f"$${note_refs[n]}$$" for n in table.notes)
    name = table.sheet.lower().replace(" ", "_")
    return gpt.GPTable(
        table=table.frame,
        table_name=name,
        title=table.title + refs,
        source=table.source,
        instructions="This worksheet contains one table.",
    )


def write_workbook(
    tables: list[PublishedTable], path: Path, title: str, about: list[str], date: dt.date
) -> None:
    """Write the tables with a cover, contents and notes sheet; `date` fixes file metadata."""
    notes = sorted({n for t in tables for n in t.notes})
    refs = {n: f"note{i + 1}" for i, n in enumerate(notes)}
    notes_table = pd.DataFrame({"Note number": [refs[n] for n in notes], "Note text": notes})
    cover = gpt.Cover(title=title, intro=about, about=[f"{k}: {v}" for k, v in SHORTHAND.items()])
    wb = gpt.produce_workbook(
        filename=str(path),
        sheets={t.sheet: _gptable(t, refs) for t in tables},
        cover=cover,
        notes_table=notes_table,
    )
    stamp = dt.datetime.combine(date, dt.time())
    wb.set_properties({"title": title, "created": stamp})
    wb.close()
