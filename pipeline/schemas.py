"""Every processed table's schema, and the one way to write and to read a processed table.

A stage writes a table with `write(frame, path, "foi_responses")`: the frame is checked against
its schema first, and a table that breaks it stops the stage with `SchemaError` naming the
table, the column and the failing rows. Later stages read it back with `read(path, name)`,
which restores the schema's types and checks again. Column lists come from here, never typed
twice: `columns("foi_items")`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from pipeline import identifiers, outputs
from pipeline.errors import SchemaError
from pipeline.taxonomy import (
    ANSWERED_STATUSES,
    ANSWERS,
    COUNT_FLAGS,
    ITEM_IDS,
    STATUSES,
    SURVEY_STATUSES,
)

DATE_DTYPE = "datetime64[s]"  # dates in the cleaned tables (whole days)
MAX_DAYS_TO_ANSWER = 730
MATCH_METHODS = ("code", "code_successor", "alias", "fuzzy")
_SHOWN_FAILURES = 10  # failing rows listed per problem in a SchemaError

_TEXT = pa.Column(str)
_GSS = pa.Check.str_matches(r"^E\d{8}$")
_COUNT = pa.Column("Int64", pa.Check.ge(0), nullable=True)
_WAVE = pa.Column(str, pa.Check.str_matches(r"^\d{4}$"))
_ORG = pa.Column(str, pa.Check.str_length(min_value=1))
_REDACTED = [
    pa.Check(
        lambda s: ~s.str.contains(identifiers.EMAIL.pattern),
        error="no email address survives redaction",
    ),
    pa.Check(
        lambda s: ~s.str.contains(identifiers.PHONE.pattern),
        error="no phone number survives redaction",
    ),
]


def _one_of(values: tuple | list) -> pa.Check:
    return pa.Check.isin(list(values))


def _counts(who: str) -> dict[str, pa.Column]:
    return {
        f"{who}_in_treatment": _COUNT,
        f"{who}_flag": pa.Column(str, _one_of(COUNT_FLAGS)),
        f"{who}_bound": pa.Column("Int64", pa.Check.gt(0), nullable=True),
    }


FOI_RESPONSES = pa.DataFrameSchema(
    {
        "round": _TEXT,
        "geography_year": pa.Column(int, _one_of([2019, 2021, 2023])),
        "la_code": pa.Column(str, _GSS),
        "la_name": _TEXT,
        "region_code": pa.Column(str, pa.Check.str_matches(r"^E12\d{6}$")),
        "region_name": _TEXT,
        "status": pa.Column(str, _one_of(STATUSES)),
        "status_raw": _TEXT,
        "responded": pa.Column(bool),
        "date_sent": pa.Column(DATE_DTYPE),
        "date_responded": pa.Column(DATE_DTYPE, nullable=True),
        "days_to_answer": pa.Column(
            "Int64", pa.Check.in_range(0, MAX_DAYS_TO_ANSWER), nullable=True
        ),
        **{item: pa.Column(str, _one_of(ANSWERS)) for item in ITEM_IDS},
        "n_items": pa.Column("Int64", pa.Check.in_range(0, len(ITEM_IDS)), nullable=True),
        **_counts("adults"),
        **_counts("women"),
        "match_method": pa.Column(str, _one_of(MATCH_METHODS)),
        "source_file": _TEXT,
        "source_row": pa.Column(int, pa.Check.gt(0)),
    },
    checks=[
        pa.Check(
            lambda d: d["responded"] == d["status"].isin(ANSWERED_STATUSES),
            name="responded iff status is full or partial",
        ),
        pa.Check(
            lambda d: d["n_items"].isna() != d["responded"],
            name="n_items given exactly for responders",
        ),
        pa.Check(
            lambda d: ~(d["women_in_treatment"] > d["adults_in_treatment"]).fillna(False),
            name="women <= adults",
        ),
    ],
    unique=["round", "la_code"],
    strict=True,
    ordered=True,
)
FOI_ITEMS = pa.DataFrameSchema(
    {
        "round": _TEXT,
        "la_code": pa.Column(str, _GSS),
        "item": pa.Column(str, _one_of(ITEM_IDS)),
        "answer": pa.Column(str, _one_of(ANSWERS)),
        "answer_raw": _TEXT,
        **{
            flag: pa.Column(bool)
            for flag in ("mentioned", "coded_from_text", "disagreement", "overridden")
        },
    },
    checks=[
        pa.Check(
            lambda d: ~d["coded_from_text"] | d["mentioned"],
            name="coded from text only when the text mentions the item",
        )
    ],
    unique=["round", "la_code", "item"],
    strict=True,
    ordered=True,
)
FOI_COMMON = FOI_RESPONSES.add_columns(
    {"source_la_code": pa.Column(str, _GSS), "inherited": pa.Column(bool)}
)
EXCLUSIONS = pa.DataFrameSchema(
    {
        "file": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source_row": pa.Column(int, pa.Check.gt(0)),
        "reason": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    strict=True,
    ordered=True,
)
# One row per analyst override applied to a raw row (pipeline.foi.overrides.APPLIED_COLUMNS):
# `item` is a provision item or the foi_responses column it set, `before` the raw value and
# `answer` the analyst's (either may be blank), `reason` redacted, `override_row` its row in
# data/foi_overrides.csv.
FOI_OVERRIDES = pa.DataFrameSchema(
    {
        "round": _TEXT,
        "la_code": pa.Column(str, _GSS),
        "item": pa.Column(str, _one_of([*ITEM_IDS, *FOI_RESPONSES.columns])),
        "before": pa.Column(str),
        "answer": pa.Column(str),
        "reason": pa.Column(str, [pa.Check.str_length(min_value=1), *_REDACTED]),
        "source_file": pa.Column(str, pa.Check.str_length(min_value=1)),
        "source_row": pa.Column(int, pa.Check.gt(0)),
        "override_row": pa.Column(int, pa.Check.gt(0)),
    },
    unique=["source_file", "source_row", "item"],
    strict=True,
    ordered=True,
)
SURVEY_RESPONSES = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "question": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+$")),
        "option": pa.Column(str, pa.Check.str_matches(r"^[a-z_]*$")),
        "value": pa.Column(str),
        "status": pa.Column(str, _one_of(SURVEY_STATUSES)),
    },
    checks=pa.Check(
        lambda df: df["value"].eq("") == df["status"].ne("answered"),
        error="value is blank exactly when the status is not 'answered'",
    ),
    unique=["wave", "org_id", "question", "option"],
    strict=True,
    ordered=True,
)
SURVEY_ORGS = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "org_type": pa.Column(str),
        "n_areas": pa.Column(int, pa.Check.ge(0)),
    },
    unique=["wave", "org_id"],
    strict=True,
    ordered=True,
)
SURVEY_AREAS = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "la_code": pa.Column(str, _GSS),
        "match_method": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    unique=["wave", "org_id", "la_code"],
    strict=True,
    ordered=True,
)
SURVEY_COMMENTS = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "text": pa.Column(str, _REDACTED),
    },
    strict=True,
    ordered=True,
)

TABLES: dict[str, pa.DataFrameSchema] = {
    "foi_responses": FOI_RESPONSES,
    "foi_items": FOI_ITEMS,
    "foi_common": FOI_COMMON,
    "foi_exclusions": EXCLUSIONS,
    "foi_overrides": FOI_OVERRIDES,
    "survey_responses": SURVEY_RESPONSES,
    "survey_orgs": SURVEY_ORGS,
    "survey_areas": SURVEY_AREAS,
    "survey_comments": SURVEY_COMMENTS,
    "survey_exclusions": EXCLUSIONS,
}


def schema(name: str) -> pa.DataFrameSchema:
    """The schema of processed table `name` (a key of TABLES)."""
    if name not in TABLES:
        raise KeyError(f"no schema for a processed table called {name!r}; known: {list(TABLES)}")
    return TABLES[name]


def columns(name: str) -> list[str]:
    """The columns of processed table `name`, in order."""
    return list(schema(name).columns)


def check(frame: pd.DataFrame, name: str, where: str | Path | None = None) -> pd.DataFrame:
    """`frame` validated against table `name`'s schema; SchemaError listing every problem."""
    try:
        return schema(name).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise SchemaError(_describe(exc.failure_cases, name, where)) from None


def _describe(cases: pd.DataFrame, name: str, where: str | Path | None) -> str:
    """One line per broken rule: column, rule, the failing rows (1-based data rows) and values."""
    lines = []
    for (column, rule), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        shown = [
            f"data row {int(i) + 1} ({v!r})" if pd.notna(i) else repr(v)
            for i, v in zip(group["index"], group["failure_case"], strict=True)
        ]
        more = f" and {len(shown) - _SHOWN_FAILURES} more" if len(shown) > _SHOWN_FAILURES else ""
        subject = "the table" if pd.isna(column) or column == name else f"column {column!r}"
        lines.append(
            f"  {subject}: {rule}: {len(shown)} failing: "
            + ", ".join(shown[:_SHOWN_FAILURES])
            + more
        )
    place = f" ({where})" if where else ""
    return f"processed table {name!r}{place} breaks its schema:\n" + "\n".join(lines)


def write(frame: pd.DataFrame, path: str | Path, name: str) -> Path:
    """Check `frame` against table `name`'s schema, then write it as reproducible CSV."""
    check(frame, name, path)
    return outputs.write_csv(frame, path)


def _typed(frame: pd.DataFrame, table: pa.DataFrameSchema) -> pd.DataFrame:
    """Text columns (as read from CSV) converted to the schema's dtypes."""
    frame = frame.copy()
    for name, column in table.columns.items():
        if name not in frame:
            continue  # reported by the schema check
        dtype, text = str(column.dtype), frame[name]
        if dtype == "bool":
            frame[name] = text.map({"True": True, "False": False}).astype("boolean").astype(bool)
        elif dtype.startswith("datetime64"):
            frame[name] = pd.to_datetime(text.replace("", None), format="%Y-%m-%d").astype(
                DATE_DTYPE
            )
        elif dtype in ("Int64", "int64"):
            frame[name] = pd.to_numeric(text.replace("", None)).astype(dtype)
    return frame


def read(path: str | Path, name: str) -> pd.DataFrame:
    """Read processed table `name` from `path` in its schema's dtypes, checked.

    pyarrow's reader gives the same text as pandas' own, in a quarter of the time and without
    a Python string per cell (at 100 times the survey's volume, 0.5 GB less at its peak)."""
    text = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    return check(_typed(text, schema(name)), name, path)
