"""Read the analyst's overrides (data/foi_overrides.csv) and apply them, each one logged.

Each row is round, la_code, item, answer, reason (every row needs a reason); `item` names what
the row settles for that authority's row of that round, and `answer` how:

- a provision item id: the item's answer (yes, no, not_held, unknown), set last;
- ``status``: a status code (the status the reply gives), or ``accept``: keep the status as
  typed although answers, counts or a reply date contradict it;
- ``adults_in_treatment``, ``women_in_treatment``: the count as it should have been typed
  ("1234", "approx 200", "<5", "not held", blank), or ``accept``: keep the typed count although
  it is above the authority's population;
- ``date_sent``, ``date_responded``: the date (YYYY-MM-DD), or blank for none;
- ``la_code``: ``name`` or ``code``, which of a row's name and GSS code to trust when they name
  two authorities; la_code is the authority the row then belongs to.

A file holding only the first kind (the format before the other items existed) reads as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from pipeline import privacy
from pipeline.foi.parse import parse_count
from pipeline.foi.problems import Findings
from pipeline.readers import ROW, read_table
from pipeline.taxonomy import ANSWERS, ITEM_IDS, STATUSES

log = logging.getLogger(__package__)  # the package logs as "pipeline.foi"

OVERRIDE_COLUMNS = ["round", "la_code", "item", "answer", "reason"]
ACCEPT = "accept"
COUNT_FIELDS = ("adults_in_treatment", "women_in_treatment")
DATE_FIELDS = ("date_sent", "date_responded")
FIELDS = ("status", "la_code", *DATE_FIELDS, *COUNT_FIELDS)
# FoiResult.overrides: one row per override applied to a raw row.
APPLIED_COLUMNS = [
    "round",
    "la_code",
    "item",
    "before",
    "answer",
    "reason",
    "source_file",
    "source_row",
    "override_row",
]
BAD_OVERRIDE = "bad override"


def _answer_problem(item: str, answer: str) -> str | None:
    """What is wrong with `answer` as an override of `item`; None if it is fine."""
    if item in ITEM_IDS:
        return None if answer in ANSWERS else f"{answer!r} is not one of {list(ANSWERS)}"
    if item == "status":
        allowed = [*STATUSES, ACCEPT]
        return None if answer in allowed else f"{answer!r} is not one of {allowed}"
    if item == "la_code":
        return None if answer in ("name", "code") else f"{answer!r} is not 'name' or 'code'"
    if item in DATE_FIELDS and answer:
        try:
            date.fromisoformat(answer if len(answer) == 10 else "")
        except ValueError:
            return f"write {answer!r} as a date YYYY-MM-DD (or leave it blank for none)"
    if item in COUNT_FIELDS and answer != ACCEPT:
        try:
            parse_count(answer)
        except ValueError as exc:
            return str(exc)
    return None


def check_overrides(
    path: str | Path, rounds: Iterable[str] | None = None
) -> tuple[pd.DataFrame, Findings]:
    """The overrides file's sound rows [round, la_code, item, answer, reason, source_row], and
    a finding for each problem of the others: a round not in `rounds` (when given), an unknown
    item, an answer that does not fit its item, a missing reason, the same round, la_code and
    item twice."""
    data = read_table(path, OVERRIDE_COLUMNS).data
    findings = Findings(path)
    for _, o in data.iterrows():
        if rounds is not None and o["round"] not in rounds:
            findings.add(
                BAD_OVERRIDE, o[ROW], "round", f"{o['round']!r} is not a round being cleaned"
            )
        if o["item"] not in (*ITEM_IDS, *FIELDS):
            findings.add(BAD_OVERRIDE, o[ROW], "item", f"{o['item']!r} is not an item id or field")
        elif problem := _answer_problem(o["item"], o["answer"]):
            findings.add(BAD_OVERRIDE, o[ROW], "answer", problem)
        if not o["reason"]:
            findings.add(BAD_OVERRIDE, o[ROW], "reason", "every override needs a reason")
    twice = data[data.duplicated(["round", "la_code", "item"], keep="first")]
    for row, item in zip(twice[ROW], twice["item"], strict=True):
        findings.add(BAD_OVERRIDE, row, "item", f"{item!r} is overridden twice for this row")
    findings.note(BAD_OVERRIDE, f"items: {', '.join(FIELDS)} or an item id")
    return data[~data[ROW].isin({f.row for f in findings.found})], findings


def read_overrides(path: str | Path, rounds: Iterable[str] | None = None) -> pd.DataFrame:
    """The analyst's overrides [round, la_code, item, answer, reason, source_row]; every
    problem (`check_overrides`) listed in one InputError naming the file."""
    data, findings = check_overrides(path, rounds)
    findings.stop()
    return data


@dataclass
class RoundOverrides:
    """One round's overrides, looked up by (la_code, item); each one applied is recorded."""

    overrides: pd.DataFrame  # read_overrides, every round
    round: str
    source_file: str
    applied: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        part = self.overrides[self.overrides["round"] == self.round]
        self._rows = {(o["la_code"], o["item"]): o for _, o in part.iterrows()}

    def answer(self, la_code: str | None, item: str) -> str | None:
        """The override's answer for the authority's item; None if there is none."""
        o = self._rows.get((la_code, item))
        return None if o is None else o["answer"]

    def value(self, la_code: str | None, item: str) -> str | None:
        """The override's answer unless it is `accept`."""
        answer = self.answer(la_code, item)
        return None if answer == ACCEPT else answer

    def accepts(self, la_code: str | None, item: str) -> bool:
        """Whether the analyst accepts the authority's `item` as typed."""
        return self.answer(la_code, item) == ACCEPT

    def record(self, la_code: str, item: str, before: str, source_row: int) -> None:
        """Note (and log) that the override of the authority's item was applied to a raw row."""
        o = self._rows[(la_code, item)]
        values = (la_code, item, before, o["answer"], o["reason"], self.source_file, source_row)
        self.applied.append(dict(zip(APPLIED_COLUMNS, (self.round, *values, o[ROW]), strict=True)))
        shown = (*values[:2], privacy.redact(before), o["answer"], privacy.redact(o["reason"]))
        log.info("override: %s row %d, %s %s: %r -> %r (%s)", *values[-2:], *shown)

    def apply_items(self, items: pd.DataFrame) -> pd.DataFrame:
        """Set the overridden item answers (applied last) and flag them `overridden`."""
        items = items.copy()
        for (la_code, item), o in self._rows.items():
            if item not in ITEM_IDS:
                continue
            at = items.index[(items["la_code"] == la_code) & (items["item"] == item)]
            for idx in at:
                self.record(la_code, item, items.at[idx, "answer_raw"], int(items.at[idx, ROW]))
            items.loc[at, ["answer", "overridden"]] = [o["answer"], True]
        return items

    def table(self) -> pd.DataFrame:
        """The overrides applied, one row each (APPLIED_COLUMNS)."""
        return pd.DataFrame(self.applied, columns=APPLIED_COLUMNS).astype(
            {"source_row": "int64", "override_row": "int64"}
        )

    def check_used(self, codes: pd.Series, responded: pd.Series, findings: Findings) -> None:
        """Overrides naming no row of the round, or an item of an authority that did not
        respond, are findings of the overrides file; an `accept` that settled nothing is logged."""
        used = {(a["la_code"], a["item"]) for a in self.applied}
        present, answered = set(codes), set(codes[responded])
        for (la_code, item), o in self._rows.items():
            if la_code not in present:
                message = f"round {self.round!r} has no row for {la_code!r} to override"
            elif item in ITEM_IDS and la_code not in answered:
                message = f"round {self.round!r} has no response from {la_code!r} to override"
            elif (la_code, item) not in used:
                log.warning("override row %d (%s %s) settled nothing", o[ROW], la_code, item)
                continue
            else:
                continue
            findings.add(BAD_OVERRIDE, o[ROW], "la_code", message)
