"""Turn raw FOI cells into codes: response statuses, item answers, counts and dates.

The single-value parsers (`classify_status`, `classify_answer`, `parse_count`, `parse_date`)
read text as typed; the column parsers check a whole raw column and raise one InputError
listing every bad cell with its row. The words matched whole are data (`vocabulary`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pipeline.foi.problems import fail
from pipeline.foi.raw import STATUS
from pipeline.foi.vocabulary import load_answers, load_statuses, normalise, normalise_count
from pipeline.readers import ROW
from pipeline.schemas import DATE_DTYPE

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",  # a real date cell in a spreadsheet, read as text
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d.%m.%Y",
)
# Item answers in sentences: the conservative cue rule of classify_answer.
_YES_CUES = re.compile(r"via (our |the |a )?(main )?provider|\bcommission")
_NO_CUES = re.compile(r"\bnot currently\b|\bno\b|\bnot\b|n't\b|\bnone\b")

_COUNT_EXACT = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")
_COUNT_APPROX = re.compile(r"^(?:approx\.?|approximately|c\.?|circa|around|about|~)\s*(\d[\d,]*)$")
_COUNT_CENSORED = re.compile(r"^(?:<|less than|fewer than|under)\s*(\d+)$")


# -- statuses ------------------------------------------------------------------------------------


def classify_status(raw: pd.Series) -> pd.Series:
    """Map statuses as typed to STATUSES; NA where the value is not in statuses.yaml."""
    spellings = load_statuses()
    return raw.map(lambda v: spellings.get(normalise(v))).astype("str")


def check_statuses(frame: pd.DataFrame, file: str | Path) -> pd.Series:
    """Classified statuses of a raw round; error listing every unknown value with its row."""
    status = classify_status(frame[STATUS])
    bad = frame.loc[status.isna()]
    known = sorted(set(load_statuses()) - {""})
    fail(
        file,
        "unknown response status",
        [
            (r, STATUS, f"{v!r} is not a known status (known: {known})")
            for r, v in zip(bad[ROW], bad[STATUS], strict=True)
        ],
    )
    return status


# -- item answers --------------------------------------------------------------------------------


def classify_answer(raw: str) -> str:
    """One item answer as typed -> yes, no, not_held or unknown.

    Short forms ("Y", "yes - via provider", "N", "Not held", "N/A", blank: answers.yaml) are
    matched whole. A sentence is "yes" if it mentions a provider or commissioning and has no
    negative word, "no" if it has a negative word ("no", "not", "not currently", "n't",
    "none") and no such cue, and "unknown" otherwise (both or neither): a human decides via
    the overrides file.
    """
    text = normalise(raw)
    answer = load_answers().items.get(text)
    if answer is not None:
        return answer
    yes, no = bool(_YES_CUES.search(text)), bool(_NO_CUES.search(text))
    if yes != no:
        return "yes" if yes else "no"
    return "unknown"


# -- counts --------------------------------------------------------------------------------------


def parse_count(raw: str) -> tuple[int | None, str, int | None]:
    """A count as typed -> (value, flag, censoring bound); ValueError if it is not a count.

    "1,234" exact; "approx 200", "c. 200", "around 200" approximate (value kept);
    "<5" censored (value None, bound 5); "not held" (answers.yaml) not_held; blank missing.
    """
    text = normalise_count(raw)
    if not text:
        return None, "missing", None
    if text in load_answers().count_not_held:
        return None, "not_held", None
    if _COUNT_EXACT.match(text):
        return int(text.replace(",", "")), "exact", None
    if m := _COUNT_APPROX.match(text):
        return int(m.group(1).replace(",", "")), "approximate", None
    if m := _COUNT_CENSORED.match(text):
        return None, "censored", int(m.group(1))
    if re.match(r"^-\s*\d", text):
        raise ValueError(f"{raw!r} is negative")
    raise ValueError(f"{raw!r} is not a count (write e.g. 1234, 'approx 200', '<5', 'not held')")


def parse_counts(frame: pd.DataFrame, column: str, file: str | Path) -> pd.DataFrame:
    """Parse one count column: [value (Int64), flag, bound (Int64)]; error naming bad cells."""
    parsed, problems = [], []
    for row, raw in zip(frame[ROW], frame[column], strict=True):
        try:
            parsed.append(parse_count(raw))
        except ValueError as exc:
            problems.append((row, column, str(exc)))
            parsed.append((None, "missing", None))
    fail(file, "bad count", problems)
    out = pd.DataFrame(parsed, columns=["value", "flag", "bound"], index=frame.index)
    return out.astype({"value": "Int64", "flag": "str", "bound": "Int64"})


# -- dates ---------------------------------------------------------------------------------------


def parse_date(raw: str) -> date | None:
    """A date as typed (day first) -> date; None if blank; ValueError if no format fits."""
    text = str(raw).strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{raw!r} is not a date in a known format (e.g. 2021-06-14, 14/06/2021)")


def parse_dates(
    frame: pd.DataFrame, column: str, file: str | Path, earliest: date, latest: date
) -> pd.Series:
    """Parse one date column to datetime64; error naming cells outside [earliest, latest]."""
    values, problems = [], []
    for row, raw in zip(frame[ROW], frame[column], strict=True):
        try:
            value = parse_date(raw)
        except ValueError as exc:
            problems.append((row, column, str(exc)))
            value = None
        if value is not None and not earliest <= value <= latest:
            side = "before the request was sent" if value < earliest else "after the latest date"
            problems.append((row, column, f"{raw!r} is {side} ({earliest} to {latest})"))
        values.append(value)
    fail(file, "bad date", problems)
    return pd.to_datetime(pd.Series(values, index=frame.index, dtype="object")).astype(DATE_DTYPE)
