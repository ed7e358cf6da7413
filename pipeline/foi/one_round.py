"""Clean one FOI round's raw table: every cell read, every rule checked, every problem reported.

`clean_round` matches authorities, reads each cell (applying the analyst's overrides), settles
duplicates and checks the plausibility rules; it collects every problem of the file before it
stops, so one run lists them all (grouped by kind). The answers and statuses as typed are kept
redacted (`privacy.redact_series`): the processed tables are published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from pipeline import geography, privacy
from pipeline.accounting import Account
from pipeline.foi.authorities import check_coverage, match_authorities, settle_duplicates
from pipeline.foi.checks import check_counts, check_dates, check_formulas, check_statuses_agree
from pipeline.foi.coding import code_text
from pipeline.foi.overrides import RoundOverrides
from pipeline.foi.parse import check_statuses, parse_counts, parse_dates
from pipeline.foi.problems import Findings
from pipeline.foi.raw import ADULTS, ITEM_HEADERS, RESPONDED, SENT, STATUS, TEXT, WOMEN
from pipeline.foi.rules import classify_answer
from pipeline.readers import ROW, RawTable
from pipeline.taxonomy import ANSWERED_STATUSES, ANSWERS

UNCLASSIFIED = "unclassified item answer"
# override item -> the raw column whose typed value an override replaces
TYPED = {
    "date_sent": SENT,
    "date_responded": RESPONDED,
    "adults_in_treatment": ADULTS,
    "women_in_treatment": WOMEN,
}


@dataclass(frozen=True)
class Setting:
    """What cleaning a round needs besides its file: its geography and the run's choices."""

    name: str  # the round's name
    geography_year: int
    request_sent: date
    latest: date  # the latest date a reply can have: the run date, or the longest wait
    matcher: geography.Matcher
    authorities: pd.DataFrame  # the geography year's la_code and la_name
    population: pd.DataFrame  # indexed by la_code: pop_adult_18plus, pop_female_18plus
    coding_frame: dict[str, list[re.Pattern[str]]]
    duplicate_rule: str


@dataclass
class Cleaned:
    """One round cleaned: wide responses and long items (before names and derived columns)."""

    responses: pd.DataFrame
    items: pd.DataFrame
    texts: pd.DataFrame
    exclusions: pd.DataFrame
    account: Account


def _typed(frame: pd.DataFrame, overrides: RoundOverrides) -> pd.DataFrame:
    """The raw frame with each date and count the overrides give in place of the typed one."""
    frame = frame.copy()
    for item, column in TYPED.items():
        for idx, la_code, row in zip(frame.index, frame["la_code"], frame[ROW], strict=True):
            value = overrides.value(la_code, item)
            if value is not None:
                overrides.record(la_code, item, frame.at[idx, column], row)
                frame.at[idx, column] = value
    return frame


def _statuses(frame: pd.DataFrame, findings: Findings, overrides: RoundOverrides) -> pd.Series:
    """Each row's status: the override's, else the status typed (unknown ones are findings)."""
    given = pd.Series(
        [overrides.value(c, "status") for c in frame["la_code"]], index=frame.index, dtype=object
    )
    status = check_statuses(frame, findings, settled=given.notna())
    for idx in given.index[given.notna()]:
        row = int(frame.at[idx, ROW])
        overrides.record(frame.at[idx, "la_code"], "status", frame.at[idx, STATUS], row)
    return status.where(given.isna(), given).astype("str")


def _classified(frame: pd.DataFrame, findings: Findings, overrides: RoundOverrides) -> pd.DataFrame:
    """Each item answer classified (None where no rule does); unclassified ones that no
    override settles are findings."""
    answers = pd.DataFrame(
        {item: frame[header].map(classify_answer) for item, header in ITEM_HEADERS.items()},
        index=frame.index,
        dtype=object,
    )
    for item, header in ITEM_HEADERS.items():
        for idx in answers.index[answers[item].isna()]:
            if overrides.answer(frame.at[idx, "la_code"], item) is None:
                findings.add(
                    UNCLASSIFIED,
                    int(frame.at[idx, ROW]),
                    header,
                    f"{frame.at[idx, header]!r} is not an answer the rules know",
                )
    findings.note(
        UNCLASSIFIED,
        f"answers: {', '.join(ANSWERS)} (blank is unknown); add the form to answers.yaml or a "
        "rule to answer_rules.yaml, or settle it in the overrides file (item id and answer)",
    )
    return answers


def _items(
    frame: pd.DataFrame,
    answers: pd.DataFrame,
    mentions: pd.DataFrame,
    responded: pd.Series,
    round_name: str,
) -> pd.DataFrame:
    """Long item answers: classified, then the unknown answers of responders filled from text."""
    long = []
    for item, header in ITEM_HEADERS.items():
        answer = answers[item].fillna("unknown").astype("str")
        mentioned = mentions[item] & responded
        from_text = mentioned & (answers[item] == "unknown")
        long.append(
            pd.DataFrame(
                {
                    "round": round_name,
                    "la_code": frame["la_code"],
                    "item": item,
                    "answer": answer.where(~from_text, "yes"),
                    "answer_raw": privacy.redact_series(frame[header]),
                    "coded_from_text": from_text,
                    "mentioned": mentioned,
                    "overridden": False,
                    ROW: frame[ROW],
                }
            )
        )
    return pd.concat(long, ignore_index=True)


def _responses(
    frame: pd.DataFrame, setting: Setting, counts: dict[str, pd.DataFrame], source_file: str
) -> pd.DataFrame:
    """Wide responses of one round, before the item answers, names and derived columns."""
    return pd.DataFrame(
        {
            "round": setting.name,
            "geography_year": setting.geography_year,
            "la_code": frame["la_code"],
            "status": frame["status"],
            "status_raw": privacy.redact_series(frame[STATUS]),
            "responded": frame["status"].isin(ANSWERED_STATUSES),
            "date_sent": frame["date_sent"],
            "date_responded": frame["date_responded"],
            **{
                f"{who}_{part}": counts[who].loc[frame.index, key]
                for who in ("adults", "women")
                for part, key in (("in_treatment", "value"), ("flag", "flag"), ("bound", "bound"))
            },
            "match_method": frame["match_method"],
            "source_file": source_file,
            "source_row": frame[ROW],
        }
    )


def _read(
    table: RawTable, setting: Setting, findings: Findings, overrides: RoundOverrides
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame]:
    """Every row read: (frame with la_code, status and dates; counts; classified answers)."""
    frame = table.data.join(match_authorities(table.data, setting.matcher, findings, overrides))
    check_formulas(table.unsaved_formulas, frame, findings, overrides)
    frame = _typed(frame, overrides)
    frame["status"] = _statuses(frame, findings, overrides)
    for name, column in (("date_sent", SENT), ("date_responded", RESPONDED)):
        frame[name] = parse_dates(frame, column, findings, setting.request_sent, setting.latest)
    counts = {
        who: parse_counts(frame, column, findings)
        for who, column in (("adults", ADULTS), ("women", WOMEN))
    }
    return frame, counts, _classified(frame, findings, overrides)


def clean_round(
    table: RawTable, source_file: str, setting: Setting, overrides: RoundOverrides
) -> Cleaned:
    """Clean one round's raw table; one InputError listing every problem if there are any."""
    findings = Findings(source_file)
    frame, counts, answers = _read(table, setting, findings, overrides)
    frame, excluded = settle_duplicates(frame, setting.duplicate_rule, findings)
    if frame["la_code"].notna().all():  # else the unmatched rows explain the gaps
        check_coverage(frame, setting.authorities, setting.geography_year, findings)
    kept = {who: part.loc[frame.index] for who, part in counts.items()}
    check_statuses_agree(frame, answers.loc[frame.index], kept, findings, overrides)
    check_counts(frame, kept, setting.population, findings, overrides)
    check_dates(frame, findings)
    findings.stop()
    responded = frame["status"].isin(ANSWERED_STATUSES)
    texts = frame[TEXT].where(responded, "")
    mentions = code_text(texts, setting.coding_frame)
    items = _items(frame, answers.loc[frame.index], mentions, responded, setting.name)
    account = Account(
        source_file,
        rows_in=len(table.data) + table.blank_rows,
        kept=len(frame),
        excluded=len(excluded),
        blank=table.blank_rows,
    )
    text_frame = pd.DataFrame({"round": setting.name, "la_code": frame["la_code"], "text": texts})
    return Cleaned(
        _responses(frame, setting, kept, source_file),
        overrides.apply_items(items),
        text_frame[responded],
        excluded,
        account,
    )
