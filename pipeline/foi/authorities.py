"""One row per authority: match each row to an authority, settle duplicates, check coverage.

A row's GSS code is used when given, else its name. A row whose name and code name two
different authorities is a problem (never settled by guessing): the analyst says which to
trust in the overrides file (item la_code, answer name or code). A duplicate in which a row was
matched only fuzzily is a problem too: the duplicate rule settles true resubmissions only.
"""

from __future__ import annotations

import logging
import re

import pandas as pd

from pipeline import geography
from pipeline.accounting import exclusions
from pipeline.foi.overrides import RoundOverrides
from pipeline.foi.problems import Findings
from pipeline.foi.raw import CODE, LA, RESPONDED
from pipeline.readers import ROW

log = logging.getLogger(__package__)  # the package logs as "pipeline.foi"

DUPLICATE_RULES = ("latest_response", "first_response")
UNMATCHED, CONFLICT = "unmatched authority", "name and code conflict"
ABSENT, UNSETTLED = "absent authority", "unsettled duplicate"
FUZZY_DUPLICATE = "duplicate by a fuzzy match"
_GSS = re.compile(r"^[EWSNK]\d{8}$")
_UPPER_TIER = ("E06", "E08", "E09", "E10")  # unitary, metropolitan, London, county
# The first letters of a GSS code of an area that is not an English upper-tier authority.
_OTHER_AREAS = {
    "W": "a Welsh code",
    "S": "a Scottish code",
    "N": "a Northern Irish code",
    "K": "a code of several countries",
    "E07": "an English district's code (give its county's)",
    "E": "an English code of another kind of area",
}


# A name column's words on a row that sums the others (a totals row below the data).
_TOTALS = frozenset(
    {"total", "totals", "grand total", "sum", "all", "all authorities", "overall", "england"}
    | {"england total", "total england", "national", "average", "mean"}
)


def _unmatched(value: str, match: geography.Match) -> str:
    """Why `value` matched no authority, with the best candidates if there are any."""
    if geography.normalise_name(value) in _TOTALS:
        return f"{value!r} is a totals row, not an authority: delete the row"
    code = value.strip().upper()
    if _GSS.match(code) and not code.startswith(_UPPER_TIER):
        area = _OTHER_AREAS.get(code[:3]) or _OTHER_AREAS[code[0]]
        return f"{value!r} is not an English upper-tier local authority code: it is {area}"
    if not match.candidates:
        return f"{value!r} is {match.described} (no authority comes near it)"
    return f"{value!r} is {match.described}; best candidates: {match.candidates}"


def _match_row(
    row: int,
    name: str,
    code: str,
    matcher: geography.Matcher,
    findings: Findings,
    overrides: RoundOverrides,
) -> tuple[str | None, str | None]:
    """(la_code, match_method) of one row; (None, None) and a finding if it has none."""
    column, value = (CODE, code) if code else (LA, name)
    match = matcher.match(value)
    if match.problem is not None:
        findings.add(UNMATCHED, row, column, _unmatched(value, match))
        return None, None
    by_name = matcher.match(name) if code and name else None
    if by_name is None or by_name.la_code in (None, match.la_code):
        return match.la_code, match.method
    for chosen, trust in ((by_name, "name"), (match, "code")):
        if overrides.answer(chosen.la_code, "la_code") == trust:
            overrides.record(chosen.la_code, "la_code", f"{name} / {code}", row)
            return chosen.la_code, chosen.method
    names = matcher.names
    findings.add(
        CONFLICT,
        row,
        CODE,
        f"name {name!r} is {by_name.la_code} {names[by_name.la_code]} but code {code!r} is "
        f"{match.la_code} {names[match.la_code]}",
    )
    return None, None


def match_authorities(
    frame: pd.DataFrame,
    matcher: geography.Matcher,
    findings: Findings,
    overrides: RoundOverrides,
) -> pd.DataFrame:
    """la_code and match_method per row: the GSS code when given, else the name.

    Each unmatched or ambiguous value is a finding with its best candidates; so is each row
    whose name and code are two authorities (unless the overrides say which to trust). Such
    rows have NA la_code.
    """
    codes = frame[CODE] if CODE in frame.columns else pd.Series("", index=frame.index)
    matched = [
        _match_row(row, name, code, matcher, findings, overrides)
        for row, name, code in zip(frame[ROW], frame[LA], codes, strict=True)
    ]
    findings.note(
        CONFLICT,
        "correct the file, or say which to trust in the overrides file: item 'la_code', "
        "answer 'name' or 'code', la_code the authority the row is",
    )
    columns = ["la_code", "match_method"]
    return pd.DataFrame(matched, columns=columns, index=frame.index, dtype="str")


def check_coverage(
    frame: pd.DataFrame, authorities: pd.DataFrame, year: int, findings: Findings
) -> None:
    """A finding for every authority of the round's geography that has no row."""
    absent = authorities.loc[~authorities["la_code"].isin(frame["la_code"])]
    for code, name in zip(absent["la_code"], absent["la_name"], strict=True):
        findings.add(ABSENT, None, None, f"{code} {name} has no row")
    findings.note(
        ABSENT,
        f"the tracker lists every authority of the {year} geography: add a "
        "'No response' row for each authority asked that did not reply",
    )


def settle_duplicates(
    frame: pd.DataFrame, rule: str, findings: Findings
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one row per la_code by the rule; return (kept, exclusions with the reason).

    latest_response keeps the row with the latest date_responded, first_response the earliest;
    a tie, or a duplicate without a response date, is a finding (the rule cannot decide), as
    is a duplicate with a row matched only fuzzily (it may be another authority's row).
    Rows without an la_code are kept (their matching problem is reported already).
    """
    if rule not in DUPLICATE_RULES:
        raise ValueError(f"duplicate_rule must be one of {DUPLICATE_RULES} (got {rule!r})")
    dup = frame[frame["la_code"].notna() & frame["la_code"].duplicated(keep=False)]
    drop, reasons = [], []
    for code, group in dup.groupby("la_code", sort=True):
        if (group["match_method"] == "fuzzy").any():
            _fuzzy_duplicate(code, group, findings)
            continue
        dates = group["date_responded"]
        best = dates.max() if rule == "latest_response" else dates.min()
        winners = group[dates == best]
        if dates.isna().any() or len(winners) != 1:
            findings.add(
                UNSETTLED,
                int(group[ROW].iloc[0]),
                RESPONDED,
                f"{code} appears in rows {group[ROW].tolist()} and {rule} cannot "
                "choose between them (missing or equal response dates)",
            )
            continue
        kept_row = int(winners[ROW].iloc[0])
        for idx, row in group[group.index != winners.index[0]][ROW].items():
            drop.append(idx)
            reasons.append(f"duplicate submission for {code}: row {kept_row} kept ({rule})")
            log.info(
                "%s: row %d is a duplicate of row %d for %s (%s)",
                findings.file,
                row,
                kept_row,
                code,
                rule,
            )
    findings.note(
        FUZZY_DUPLICATE,
        "a name matched only fuzzily may be another authority: give each row's GSS code in the "
        "file, or correct the name",
    )
    excluded = exclusions(str(findings.file), frame.loc[drop, ROW], pd.Series(reasons, dtype="str"))
    return frame.drop(index=drop), excluded


def _fuzzy_duplicate(code: str, group: pd.DataFrame, findings: Findings) -> None:
    """A finding naming every row of a duplicate that has a row matched only fuzzily."""
    rows = "; ".join(
        f"row {row} {name!r} ({method} match)"
        for row, name, method in zip(group[ROW], group[LA], group["match_method"], strict=True)
    )
    findings.add(FUZZY_DUPLICATE, int(group[ROW].iloc[0]), LA, f"{code} is matched by {rows}")
