"""Areas served: the local authorities each organisation typed, matched to GSS codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from pipeline import geography, schemas
from pipeline.readers import ROW, RawTable
from pipeline.survey.codebook import Codebook, entries_of
from pipeline.survey.hints import quote
from pipeline.survey.read import tokens

# What to do about an area that matched no one authority, by kind of problem. A split
# county needs nothing: it counts for each of its successors (Matcher.served).
ADVICE = {
    "unmatched": "correct it in the export; if it is a usual name of one authority, add it to "
    "SHORT_FORMS in pipeline/geography/alias_table.py and rebuild data/reference",
    "ambiguous": "it names more than one authority: write the one meant in full, or its code",
    "ambiguous_successor": "write this year's authority (or authorities) instead",
}


def wave_geography_year(wave: str, years: Iterable[int]) -> int:
    """The geography in force when the wave ran: the latest year not after it (else the first)."""
    years = sorted(years)
    return max((y for y in years if y <= int(wave)), default=years[0])


def split_areas(cell: str, delimiters: str, served: Callable[..., list[Any]]) -> list[Any]:
    """Match each area typed in one cell; 'Bristol, City of' stays whole when split on ','
    (two neighbouring items are taken as one name only when it matches without fuzzy search).
    `served` is `geography.Matcher.served`: a split county counts for each of its successors."""
    found, i = [], 0
    items = tokens(cell, delimiters)
    while i < len(items):
        if i + 1 < len(items):
            joined = served(f"{items[i]}, {items[i + 1]}", fuzzy=False)
            if all(m.problem is None for m in joined):
                found += joined
                i += 2
                continue
        found += served(items[i])
        i += 1
    return found


def match_areas(
    kept: pd.DataFrame, raw: RawTable, wave: str, codebook: Codebook, matcher: geography.Matcher
) -> tuple[pd.DataFrame, list[str]]:
    """Areas served, one row per organisation and authority, and the values that did not match."""
    columns = schemas.columns("survey_areas")
    entry = next(iter(entries_of(codebook.waves[wave], codebook, "areas").values()), None)
    if entry is None:
        return pd.DataFrame(columns=columns), []
    cells = raw.data.set_index(ROW)[str(entry["header"])]
    rows, problems = [], []
    for source_row, org_id in zip(kept[ROW], kept["org_id"], strict=True):
        for m in split_areas(cells[source_row], str(entry.get("delimiters", ";,")), matcher.served):
            if m.problem is not None:
                problems.append(
                    f"- wave {wave}, {raw.path.name}, row {source_row}, column "
                    f"{quote(str(entry['header']))}: {m.value!r} is {m.described}; "
                    f"candidates: {m.candidates or 'none'}; {ADVICE[m.problem]}"
                )
            else:
                rows.append((wave, org_id, m.la_code, m.method))
    areas = pd.DataFrame(rows, columns=columns).drop_duplicates(["wave", "org_id", "la_code"])
    return areas.astype("str"), problems
