"""Plausibility rules: values each readable on its own that together cannot be right.

Each rule adds a finding naming the row and column; `accept` in the overrides file waives the
rules where the typed values are possible (a status contradicted by the row, a count above the
population), and an override's value settles the others. The rules, by kind:

- contradicted status: a status saying nothing was provided (not_held, refused_*,
  clarification, no_response) with item answers (yes or no) or counts given, or
  no_response with a reply date; blank status: the same for a blank status (read as
  no_response);
- impossible count: a count above the authority's adult (women: female adult) population
  (data/reference covariates), or more women than adults (than the most a censored adults
  count allows: "<5" is at most 4);
- impossible date: a reply dated before the request; missing date: a blank request date;
- unsaved formula: an Excel formula cell with no saved value (read as blank).
"""

from __future__ import annotations

import pandas as pd

from pipeline.foi.overrides import RoundOverrides
from pipeline.foi.problems import Findings, plural
from pipeline.foi.raw import (
    ADULTS,
    CODE,
    ITEM_HEADERS,
    REQUIRED,
    RESPONDED,
    SENT,
    STATUS,
    WOMEN,
)
from pipeline.readers import ROW
from pipeline.taxonomy import ANSWERED_STATUSES, STATUSES

NONE_PROVIDED = tuple(s for s in STATUSES if s not in ANSWERED_STATUSES)
GIVEN_FLAGS = ("exact", "approximate", "censored")  # count flags of a count given
CONTRADICTED, BLANK_STATUS = "contradicted status", "blank status"
IMPOSSIBLE_COUNT, IMPOSSIBLE_DATE = "impossible count", "impossible date"
MISSING_DATE = "missing date"
UNSAVED_FORMULA = "unsaved formula"
# The override item that settles a problem in each column (the name, code and free-text columns
# have none: the file must be saved again).
OVERRIDE_ITEM = {
    STATUS: "status",
    SENT: "date_sent",
    RESPONDED: "date_responded",
    ADULTS: "adults_in_treatment",
    WOMEN: "women_in_treatment",
    **{header: item for item, header in ITEM_HEADERS.items()},
}
# who -> (count column, population column, who the population is)
POPULATIONS = {
    "adults": (ADULTS, "pop_adult_18plus", "adults"),
    "women": (WOMEN, "pop_female_18plus", "women"),
}


def check_formulas(
    formulas: dict[tuple[int, str], str],
    frame: pd.DataFrame,
    findings: Findings,
    overrides: RoundOverrides,
) -> None:
    """A finding for each formula cell with no saved value in a column the cleaner reads,
    unless an override gives its value."""
    codes = dict(zip(frame[ROW], frame["la_code"], strict=True))
    for (row, column), formula in formulas.items():
        if column not in (*REQUIRED, CODE):
            continue
        item = OVERRIDE_ITEM.get(column)
        if item is None or overrides.value(codes.get(row), item) is None:
            findings.add(
                UNSAVED_FORMULA, row, column, f"{formula!r} has no saved value", blocks=True
            )
    findings.note(
        UNSAVED_FORMULA,
        "open the file in Excel and save it (Excel then saves each formula's value), or give "
        "the value in the overrides file",
    )


def _given(answers: pd.Series, flags: tuple[str, str], replied: bool) -> str:
    """What a row gives although its status says nothing was provided ("" if nothing)."""
    parts = ["a reply date"] if replied else []
    if n := int(answers.isin(["yes", "no"]).sum()):
        parts.append(plural(n, "item answer"))
    if n := sum(flag in GIVEN_FLAGS for flag in flags):
        parts.append(plural(n, "count"))
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def check_statuses_agree(
    frame: pd.DataFrame,
    answers: pd.DataFrame,
    counts: dict[str, pd.DataFrame],
    findings: Findings,
    overrides: RoundOverrides,
) -> None:
    """A finding for each row whose status says nothing was provided but that gives answers,
    counts or (no_response) a reply date, unless the overrides accept its status."""
    for idx in frame.index[frame["status"].isin(NONE_PROVIDED)]:
        raw, status = frame.at[idx, STATUS], frame.at[idx, "status"]
        replied = status == "no_response" and pd.notna(frame.at[idx, "date_responded"])
        flags = (counts["adults"].at[idx, "flag"], counts["women"].at[idx, "flag"])
        given = _given(answers.loc[idx], flags, replied)
        if not given:
            continue
        la_code, row = frame.at[idx, "la_code"], int(frame.at[idx, ROW])
        if overrides.accepts(la_code, "status"):
            overrides.record(la_code, "status", raw, row)
        elif raw:
            findings.add(CONTRADICTED, row, STATUS, f"{raw!r} ({status}) yet the row gives {given}")
        else:
            message = f"blank (no response) yet the row gives {given}"
            findings.add(BLANK_STATUS, row, STATUS, message)
    note = "give the status the reply gives in the file, or in the overrides file (item 'status')"
    findings.note(CONTRADICTED, note)
    findings.note(BLANK_STATUS, note)


def check_counts(
    frame: pd.DataFrame,
    counts: dict[str, pd.DataFrame],
    population: pd.DataFrame,
    findings: Findings,
    overrides: RoundOverrides,
) -> None:
    """Findings for counts above the authority's population (unless accepted) and for more
    women than adults in treatment (than a censored count's most: "<5" is at most 4)."""
    for who, (column, pop_column, people) in POPULATIONS.items():
        value = counts[who]["value"]
        limit = frame["la_code"].map(population[pop_column])
        for idx in frame.index[(value > limit).fillna(False)]:
            la_code, row = frame.at[idx, "la_code"], int(frame.at[idx, ROW])
            if overrides.accepts(la_code, f"{who}_in_treatment"):
                overrides.record(la_code, f"{who}_in_treatment", frame.at[idx, column], row)
                continue
            findings.add(
                IMPOSSIBLE_COUNT,
                row,
                column,
                f"{frame.at[idx, column]!r} is more than the {int(limit[idx]):,} {people} aged 18+ "
                f"living in {la_code}",
            )
    adults = counts["adults"]
    at_most = adults["value"].fillna(adults["bound"] - 1)  # "<5" is at most 4
    over = frame.loc[(counts["women"]["value"] > at_most).fillna(False)]
    for row, women, adults in zip(over[ROW], over[WOMEN], over[ADULTS], strict=True):
        findings.add(
            IMPOSSIBLE_COUNT, row, WOMEN, f"{women} women is more than {adults} adults in treatment"
        )


def check_dates(frame: pd.DataFrame, findings: Findings) -> None:
    """Findings for a blank request date and for a reply dated before the request."""
    for row in frame.loc[frame[SENT] == "", ROW]:
        findings.add(MISSING_DATE, row, SENT, "blank: the date the request was sent is needed")
    early = frame.loc[(frame["date_responded"] < frame["date_sent"]).fillna(False)]
    for row, replied, sent in zip(early[ROW], early[RESPONDED], early[SENT], strict=True):
        findings.add(
            IMPOSSIBLE_DATE, row, RESPONDED, f"{replied!r} is before the request date {sent!r}"
        )
