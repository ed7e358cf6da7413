"""The raw FOI tracker: its column headers, what a tidy one would look like, reading one round."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline import layout
from pipeline.readers import RawTable, read_table
from pipeline.taxonomy import ITEM_IDS, ITEM_LABELS

log = logging.getLogger(__package__)  # the package logs as "pipeline.foi"

# Raw column headers, as the FOI tracker spells them (the generator writes the same ones).
LA = "Local authority"
CODE = "GSS code"
SENT = "Date sent"
RESPONDED = "Date responded"
STATUS = "Response status"
TEXT = "Interventions and settings (free text)"
ADULTS = "Adults in treatment"
WOMEN = "Women in treatment"
ITEM_HEADERS: dict[str, str] = {item: ITEM_LABELS[item] for item in ITEM_IDS}
# GSS code is optional (often absent); every other column must be there.
REQUIRED = (LA, SENT, RESPONDED, STATUS, *ITEM_HEADERS.values(), TEXT, ADULTS, WOMEN)
# The example files say they are synthetic: a first CSV column (ignored by the cleaner).
SYNTHETIC_COLUMN, SYNTHETIC_MARKER = "synthetic", "SYNTHETIC EXAMPLE"
XLSX_TITLE = "SYNTHETIC EXAMPLE DATA - not real FOI responses"

# What a tidy raw tracker would look like. Real (and example) files fail it: that is the mess
# the cleaner exists for; raw_failures shows where.
FOI_RAW_SCHEMA = pa.DataFrameSchema(
    {
        LA: pa.Column(str, pa.Check.str_length(min_value=1)),
        CODE: pa.Column(str, pa.Check.str_matches(r"^E\d{8}$"), required=False),
        SENT: pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}-\d{2}$")),
        RESPONDED: pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
        STATUS: pa.Column(
            str,
            pa.Check.isin(
                [
                    "Provided",
                    "Partial",
                    "Info not held",
                    "Refused - s12 cost",
                    "Refused - other",
                    "Clarification sought",
                    "No response",
                ]
            ),
        ),
        **{
            h: pa.Column(str, pa.Check.isin(["Yes", "No", "Not held", ""]))
            for h in ITEM_HEADERS.values()
        },
        TEXT: pa.Column(str),
        ADULTS: pa.Column(str, pa.Check.str_matches(r"^\d*$")),
        WOMEN: pa.Column(str, pa.Check.str_matches(r"^\d*$")),
    },
    unique=[LA],
)


def raw_failures(table: RawTable) -> pd.DataFrame:
    """Where a raw round breaks FOI_RAW_SCHEMA: [column, check, failures, example]."""
    try:
        FOI_RAW_SCHEMA.validate(table.data, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.astype({"failure_case": "str"})
        return (
            cases.groupby(["column", "check"], sort=False, dropna=False)["failure_case"]
            .agg(failures="size", example="first")
            .reset_index()
        )
    return pd.DataFrame(columns=["column", "check", "failures", "example"])


def read_round(raw_dir: Path, name: str) -> tuple[RawTable, str]:
    """Round `name`'s raw table and its file name relative to raw_dir (e.g. foi/2021.csv)."""
    path = layout.round_file(raw_dir, name)
    table = read_table(path, REQUIRED, expected=[CODE])
    if SYNTHETIC_COLUMN in table.data.columns:
        log.warning("%s is marked %r: synthetic example data", path, SYNTHETIC_MARKER)
    return table, path.relative_to(raw_dir).as_posix()
