"""Turn raw FOI cells into codes: response statuses, item answers, counts and dates.

The single-value parsers (`parse_count`, `parse_date`; `rules` classifies statuses and answers)
read text as typed; the column parsers check a whole raw column and add each bad cell, with
its row, to the file's `Findings`. The words and rules are data (`vocabulary`, `rules`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pandas as pd

from pipeline.foi.problems import Findings
from pipeline.foi.raw import STATUS
from pipeline.foi.rules import nearest_statuses, status_of
from pipeline.foi.vocabulary import load_answers, normalise_count
from pipeline.readers import DATE_CELL_FORMAT, ROW
from pipeline.schemas import DATE_DTYPE
from pipeline.taxonomy import STATUSES

DATE_FORMATS = (
    "%Y-%m-%d",
    DATE_CELL_FORMAT,
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d %B %Y",
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%b %d %Y",  # Feb 1, 2024 (the comma is dropped first)
    "%B %d %Y",
)
# Tidied before the formats are tried: a weekday in front, "1st", "Sept", commas.
# Recognised only to say why a date was refused: month first, as in the US.
US_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_SEPT = re.compile(r"\bsept\b", re.IGNORECASE)
# A date cell read as a number: Excel's serial day count (1900 system), 1954 to 2119.
_EXCEL_SERIAL = re.compile(r"^[2-7]\d{4}$")
_EXCEL_EPOCH = date(1899, 12, 30)
UNKNOWN_STATUS, BAD_COUNT, BAD_DATE = "unknown response status", "bad count", "bad date"

# One number as typed: "1,234", "1 234", "1234", or "1234.0", "1234.00" as a spreadsheet writes a
# whole number ("1.000" is no count: it may be a thousand written with a point). Every pattern
# below reads its number with it: "approx 1,23" is no count.
_NUMBER = r"(\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.0{1,2})?"
_COUNT_EXACT = re.compile(rf"^{_NUMBER}$")
_COUNT_APPROX = re.compile(
    r"^(?:approx\.?|approximately|c\.?|circa|around|about|roughly|est\.?|estimated|~|\u2248)"
    rf"\s*{_NUMBER}$"
)
_COUNT_CENSORED = re.compile(rf"^(?:<|less than|fewer than|under)\s*{_NUMBER}$")
_COUNT_AT_MOST = re.compile(rf"^(?:<=|\u2264|up to)\s*{_NUMBER}$|^{_NUMBER} or (?:fewer|less)$")
_COUNT_MAX = 10**9  # more people than England has: a broken cell, and past what Int64 holds
_COUNT_ZERO = ("nil", "none", "zero")
_COUNT_FORMS = (
    (_COUNT_EXACT, "exact"),
    (_COUNT_APPROX, "approximate"),
    (_COUNT_CENSORED, "censored"),
    (_COUNT_AT_MOST, "censored"),
)


# -- statuses ------------------------------------------------------------------------------------


def classify_status(raw: pd.Series) -> pd.Series:
    """Map statuses as typed to STATUSES by the spellings and rules; NA where none applies."""
    return raw.map(status_of).astype("str")


def check_statuses(
    frame: pd.DataFrame, findings: Findings, settled: pd.Series | None = None
) -> pd.Series:
    """Classified statuses of a raw round; each unknown one not `settled` (True for rows the
    overrides give a status) is a finding.

    Each unknown status is listed with its row, its text and the nearest statuses; the known
    statuses are listed once, after them.
    """
    status = classify_status(frame[STATUS])
    bad = frame.loc[status.isna() if settled is None else status.isna() & ~settled]
    for row, value in zip(bad[ROW], bad[STATUS], strict=True):
        nearest = ", ".join(f"{code} {word!r}" for code, word in nearest_statuses(value))
        findings.add(
            UNKNOWN_STATUS, row, STATUS, f"{value!r} is not a known status (nearest: {nearest})"
        )
    if len(bad):
        findings.note(
            UNKNOWN_STATUS,
            f"known statuses: {', '.join(STATUSES)}",
            "add the spelling to statuses.yaml (or a rule to status_rules.yaml), or settle the "
            "row in the overrides file with item 'status'",
        )
    return status


# -- counts --------------------------------------------------------------------------------------


def parse_count(raw: str) -> tuple[int | None, str, int | None]:
    """A count as typed -> (value, flag, censoring bound); ValueError if it is not a count.

    "1,234", "1 234", "1234.0" exact, "nil" 0; "approx 200", "c. 200", "est. 200"
    approximate (value kept); "<5" censored (value None, bound 5), and "<=5", "5 or fewer"
    (bound 6); "not held" (answers.yaml) not_held; blank missing. Each form reads its number
    as an exact count is written; a number over 10**9 is no count.
    """
    text = normalise_count(raw)
    if not text:
        return None, "missing", None
    if text in load_answers().count_not_held:
        return None, "not_held", None
    if text in _COUNT_ZERO:
        return 0, "exact", None
    if re.match(r"^[-\u2212\u2013]\s*\d", text):  # a hyphen, minus sign or en dash
        raise ValueError(f"{raw!r} is negative")
    for pattern, flag in _COUNT_FORMS:
        if m := pattern.match(text):
            number = _number(raw, next(g for g in m.groups() if g is not None))
            if flag != "censored":
                return number, flag, None
            bound = number + (pattern is _COUNT_AT_MOST)
            if bound < 1:
                raise ValueError(f"{raw!r} is impossible: no count is below 0")
            return None, flag, bound
    raise ValueError(f"{raw!r} is not a count (write e.g. 1234, 'approx 200', '<5', 'not held')")


def _number(raw: str, digits: str) -> int:
    """The number a count pattern read; ValueError if it is beyond any count of people."""
    number = int(re.sub(r"[, ]", "", digits))
    if number > _COUNT_MAX:
        raise ValueError(f"{raw!r} is more than {_COUNT_MAX:,}: not a count of people")
    return number


def parse_counts(frame: pd.DataFrame, column: str, findings: Findings) -> pd.DataFrame:
    """Parse one count column: [value (Int64), flag, bound (Int64)]; each bad cell a finding."""
    parsed = []
    for row, raw in zip(frame[ROW], frame[column], strict=True):
        try:
            parsed.append(parse_count(raw))
        except ValueError as exc:
            findings.add(BAD_COUNT, row, column, str(exc))
            parsed.append((None, "missing", None))
    out = pd.DataFrame(parsed, columns=["value", "flag", "bound"], index=frame.index)
    return out.astype({"value": "Int64", "flag": "str", "bound": "Int64"})


# -- dates ---------------------------------------------------------------------------------------


def parse_date(raw: str) -> date | None:
    """A date as typed (day first) -> date; None if blank; ValueError if no format fits.

    "Thu 1st Feb, 2024" is read as "1 Feb 2024"; five digits are an Excel serial date.
    """
    text = str(raw).strip()
    if not text:
        return None
    if _EXCEL_SERIAL.match(text):
        return _EXCEL_EPOCH + timedelta(days=int(text))
    text = " ".join(
        _SEPT.sub("Sep", _ORDINAL.sub("", _WEEKDAY.sub("", text))).replace(",", " ").split()
    )
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    for fmt in US_FORMATS:
        try:
            us = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        raise ValueError(
            f"{raw!r} reads only month first ({us:%d %B %Y}, US order), but dates are read day "
            "first: check the column's other dates too, and write them as 2021-06-14"
        )
    raise ValueError(f"{raw!r} is not a date in a known format (e.g. 2021-06-14, 14/06/2021)")


def parse_dates(
    frame: pd.DataFrame, column: str, findings: Findings, earliest: date, latest: date
) -> pd.Series:
    """Parse one date column to datetime64; cells in no format or outside [earliest, latest]
    are findings."""
    values = []
    for row, raw in zip(frame[ROW], frame[column], strict=True):
        try:
            value = parse_date(raw)
        except ValueError as exc:
            findings.add(BAD_DATE, row, column, str(exc))
            value = None
        if value is not None and not earliest <= value <= latest:
            side = "before the request was sent" if value < earliest else "after the latest date"
            findings.add(BAD_DATE, row, column, f"{raw!r} is {side} ({earliest} to {latest})")
            value = None
        values.append(value)
    return pd.to_datetime(pd.Series(values, index=frame.index, dtype="object")).astype(DATE_DTYPE)
