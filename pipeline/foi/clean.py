"""Clean the FOI round files into one row per authority per round, every row accounted for.

`clean_rounds` reads each round listed in params.yaml, matches authorities, classifies and
parses its cells (`parse`, `coding`), settles duplicates, applies the analyst's overrides and
puts every round on the latest geography (`common`). Bad input stops the run with an
InputError that names the file, row, column and value of every problem found.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from pipeline import geography, layout, schemas
from pipeline.accounting import Account, accounts_table, exclusions
from pipeline.errors import InputError
from pipeline.foi.coding import code_text, load_coding_frame
from pipeline.foi.common import to_common
from pipeline.foi.overrides import apply_overrides, read_overrides
from pipeline.foi.parse import check_statuses, classify_answer, parse_counts, parse_dates
from pipeline.foi.problems import fail
from pipeline.foi.raw import (
    ADULTS,
    CODE,
    ITEM_HEADERS,
    LA,
    RESPONDED,
    SENT,
    STATUS,
    TEXT,
    WOMEN,
    read_round,
)
from pipeline.readers import ROW, RawTable, unlisted_files
from pipeline.taxonomy import ANSWERED_STATUSES, ITEM_IDS

log = logging.getLogger(__package__)  # the package logs as "pipeline.foi"

DUPLICATE_RULES = ("latest_response", "first_response")
_NAMES = ["geography_year", "la_code", "la_name", "region_code", "region_name"]


@dataclass(frozen=True)
class Round:
    """One FOI round as params.yaml describes it."""

    name: str
    geography_year: int
    request_sent: date

    @classmethod
    def from_params(cls, spec: dict) -> Round:
        """A round from a params.yaml foi.rounds entry."""
        return cls(
            str(spec["name"]),
            int(spec["geography_year"]),
            date.fromisoformat(str(spec["request_sent"])),
        )


@dataclass
class FoiResult:
    """The cleaned FOI tables and the row accounts."""

    responses: pd.DataFrame
    items: pd.DataFrame
    common: pd.DataFrame
    texts: pd.DataFrame
    exclusions: pd.DataFrame
    accounts: list[Account] = field(default_factory=list)

    @property
    def accounts_table(self) -> pd.DataFrame:
        """One row per file: rows in, kept, excluded, blank."""
        return accounts_table(self.accounts)


# -- authorities ---------------------------------------------------------------------------------


def match_authorities(
    frame: pd.DataFrame, matcher: geography.Matcher, file: str | Path
) -> pd.DataFrame:
    """la_code and match_method per row: the GSS code when given, else the name.

    Every unmatched or ambiguous value is listed in one InputError with its best candidates.
    """
    codes, methods, problems = [], [], []
    has_code = CODE in frame.columns
    for row, name, code in zip(
        frame[ROW], frame[LA], frame[CODE] if has_code else [""] * len(frame), strict=True
    ):
        column, value = (CODE, code) if code else (LA, name)
        match = matcher.match(value)
        if match.problem is not None:
            problems.append(
                (
                    row,
                    column,
                    f"{value!r} is {match.problem.replace('_', ' ')}; "
                    f"best candidates: {match.candidates}",
                )
            )
        elif code and name and matcher.match(name).la_code not in (None, match.la_code):
            log.warning(
                "%s row %d: name %r does not match code %s; the code is used", file, row, name, code
            )
        codes.append(match.la_code)
        methods.append(match.method)
    fail(file, "unmatched authority", problems)
    return pd.DataFrame({"la_code": codes, "match_method": methods}, index=frame.index, dtype="str")


def _check_coverage(frame: pd.DataFrame, authorities: pd.DataFrame, spec: Round, file: str) -> None:
    """InputError listing every authority of the round's geography that has no row."""
    absent = authorities.loc[~authorities["la_code"].isin(frame["la_code"])]
    if len(absent):
        raise InputError(
            file,
            f"{len(absent)} authorities of the {spec.geography_year} "
            f"geography have no row (add them with status 'No response'): "
            f"{(absent['la_code'] + ' ' + absent['la_name']).tolist()}",
        )


# -- duplicates ----------------------------------------------------------------------------------


def settle_duplicates(
    frame: pd.DataFrame, rule: str, file: str | Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep one row per la_code by the rule; return (kept, exclusions with the reason).

    latest_response keeps the row with the latest date_responded, first_response the earliest;
    a tie, or a duplicate without a response date, is an error (the rule cannot decide).
    """
    if rule not in DUPLICATE_RULES:
        raise ValueError(f"duplicate_rule must be one of {DUPLICATE_RULES} (got {rule!r})")
    dup = frame[frame["la_code"].duplicated(keep=False)]
    drop, reasons, problems = [], [], []
    for code, group in dup.groupby("la_code", sort=True):
        dates = group["date_responded"]
        best = dates.max() if rule == "latest_response" else dates.min()
        winners = group[dates == best]
        if dates.isna().any() or len(winners) != 1:
            problems.append(
                (
                    int(group[ROW].iloc[0]),
                    RESPONDED,
                    f"{code} appears in rows {group[ROW].tolist()} and {rule} cannot "
                    "choose between them (missing or equal response dates)",
                )
            )
            continue
        kept_row = int(winners[ROW].iloc[0])
        for idx, row in group[group.index != winners.index[0]][ROW].items():
            drop.append(idx)
            reasons.append(f"duplicate submission for {code}: row {kept_row} kept ({rule})")
            log.info(
                "%s: row %d is a duplicate of row %d for %s (%s)", file, row, kept_row, code, rule
            )
    fail(file, "unsettled duplicate", problems)
    excluded = exclusions(str(file), frame.loc[drop, ROW], pd.Series(reasons, dtype="str"))
    return frame.drop(index=drop), excluded


# -- one round -----------------------------------------------------------------------------------


def _counts(frame: pd.DataFrame, file: str) -> dict[str, pd.DataFrame]:
    """Parsed adults and women counts; error naming rows with more women than adults."""
    counts = {
        who: parse_counts(frame, column, file)
        for who, column in (("adults", ADULTS), ("women", WOMEN))
    }
    over = frame.loc[counts["women"]["value"] > counts["adults"]["value"]]
    fail(
        file,
        "count",
        [
            (r, WOMEN, f"{w} women is more than {a} adults in treatment")
            for r, w, a in zip(
                over[ROW], frame.loc[over.index, WOMEN], frame.loc[over.index, ADULTS], strict=True
            )
        ],
    )
    return counts


def _answers(
    frame: pd.DataFrame, responded: pd.Series, mentions: pd.DataFrame, round_name: str
) -> pd.DataFrame:
    """Long item answers: classified answer, then unknown answers of responders filled from text."""
    long = []
    for item, header in ITEM_HEADERS.items():
        answer = frame[header].map(classify_answer).astype("str")
        mentioned = mentions[item] & responded
        from_text = mentioned & (answer == "unknown")
        long.append(
            pd.DataFrame(
                {
                    "round": round_name,
                    "la_code": frame["la_code"],
                    "item": item,
                    "answer": answer.where(~from_text, "yes"),
                    "answer_raw": frame[header],
                    "coded_from_text": from_text,
                    "mentioned": mentioned,
                    "overridden": False,
                }
            )
        )
    return pd.concat(long, ignore_index=True)


def _responses(
    frame: pd.DataFrame,
    spec: Round,
    responded: pd.Series,
    counts: dict[str, pd.DataFrame],
    source_file: str,
) -> pd.DataFrame:
    """Wide responses of one round, before the item answers, names and derived columns."""
    return pd.DataFrame(
        {
            "round": spec.name,
            "geography_year": spec.geography_year,
            "la_code": frame["la_code"],
            "status": frame["status"],
            "status_raw": frame[STATUS],
            "responded": responded,
            "date_sent": frame["date_sent"],
            "date_responded": frame["date_responded"],
            **{
                f"{who}_{part}": counts[who][key]
                for who in ("adults", "women")
                for part, key in (("in_treatment", "value"), ("flag", "flag"), ("bound", "bound"))
            },
            "match_method": frame["match_method"],
            "source_file": source_file,
            "source_row": frame[ROW],
        }
    )


def clean_round(
    table: RawTable,
    source_file: str,
    spec: Round,
    matcher: geography.Matcher,
    authorities: pd.DataFrame,
    coding_frame: dict[str, list[re.Pattern[str]]],
    duplicate_rule: str,
    today: date | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, Account]:
    """Clean one round's raw table.

    Returns
    -------
    responses (wide, before overrides), items (long), texts, exclusions, account
    """
    frame = table.data.copy()
    file = source_file
    frame = frame.join(match_authorities(frame, matcher, file))
    frame["status"] = check_statuses(frame, file)
    latest = spec.request_sent + timedelta(days=schemas.MAX_DAYS_TO_ANSWER)
    latest = latest if today is None else min(latest, today)
    frame["date_sent"] = parse_dates(frame, SENT, file, spec.request_sent, latest)
    frame["date_responded"] = parse_dates(frame, RESPONDED, file, spec.request_sent, latest)
    frame, excluded = settle_duplicates(frame, duplicate_rule, file)
    _check_coverage(frame, authorities, spec, file)
    counts = _counts(frame, file)
    responded = frame["status"].isin(ANSWERED_STATUSES)
    texts = frame[TEXT].where(responded, "")
    items = _answers(frame, responded, code_text(texts, coding_frame), spec.name)
    responses = _responses(frame, spec, responded, counts, source_file)
    text_frame = pd.DataFrame({"round": spec.name, "la_code": frame["la_code"], "text": texts})
    account = Account(
        source_file,
        rows_in=len(table.data) + table.blank_rows,
        kept=len(frame),
        excluded=len(excluded),
        blank=table.blank_rows,
    )
    return responses, items, text_frame[responded], excluded, account


# -- every round ---------------------------------------------------------------------------------


def _finish(
    responses: pd.DataFrame, items: pd.DataFrame, authorities: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add names, regions, days, wide answers, n_items and disagreements; order the tables."""
    items = items.assign(disagreement=items["mentioned"] & items["answer"].isin(["no", "not_held"]))
    wide = items.pivot(index=["round", "la_code"], columns="item", values="answer")[list(ITEM_IDS)]
    responses = responses.merge(wide.reset_index(), on=["round", "la_code"], how="left")
    responses = responses.merge(authorities, on=["geography_year", "la_code"], how="left")
    n_yes = (responses[list(ITEM_IDS)] == "yes").sum(axis=1).astype("Int64")
    responses["n_items"] = n_yes.where(responses["responded"], pd.NA)
    responses["days_to_answer"] = (responses["date_responded"] - responses["date_sent"]).dt.days
    responses["days_to_answer"] = responses["days_to_answer"].astype("Int64")
    order = {name: i for i, name in enumerate(pd.unique(responses["round"]))}
    responses = responses.sort_values(
        ["round", "la_code"], key=lambda s: s.map(order) if s.name == "round" else s
    )
    items = items.assign(_r=items["round"].map(order), _i=items["item"].map(ITEM_IDS.index))
    items = items.sort_values(["_r", "la_code", "_i"]).drop(columns=["_r", "_i"])
    return (
        responses[schemas.columns("foi_responses")].reset_index(drop=True),
        items[schemas.columns("foi_items")].reset_index(drop=True),
    )


def _clean_listed(
    raw_dir: Path,
    spec: Round,
    reference_dir: Path,
    fuzzy_threshold: float,
    names: dict[int, pd.DataFrame],
    coding_frame: dict[str, list[re.Pattern[str]]],
    duplicate_rule: str,
    today: date,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, Account]:
    """Read and clean round `spec` (clean_round) against its geography year's authorities."""
    matcher = geography.Matcher.from_reference(reference_dir, spec.geography_year, fuzzy_threshold)
    table, source_file = read_round(raw_dir, spec.name)
    authorities = names[spec.geography_year]
    return clean_round(
        table, source_file, spec, matcher, authorities, coding_frame, duplicate_rule, today
    )


def clean_rounds(
    raw_dir: Path,
    rounds: list[dict],
    reference_dir: Path,
    fuzzy_threshold: float,
    duplicate_rule: str,
    overrides: Path,
    today: date | None = None,
    coding_frame: Path | None = None,
) -> FoiResult:
    """Clean every FOI round listed in params.yaml foi.rounds.

    Parameters
    ----------
    raw_dir : the raw folder, holding foi/<round name>.csv|xlsx (see pipeline.layout)
    rounds : params.yaml foi.rounds entries (name, geography_year, request_sent)
    reference_dir : the derived reference tables (data/reference)
    fuzzy_threshold, duplicate_rule : params.yaml foi.fuzzy_threshold, foi.duplicate_rule
    overrides : the analyst's overrides CSV (data/foi_overrides.csv)
    today : the run date; dates after it are errors, as are dates more than
        MAX_DAYS_TO_ANSWER days after the request (None: the date of the run)
    coding_frame : the keyword coding frame (default: the packaged one)
    """
    specs = [Round.from_params(r) for r in rounds]
    today = date.today() if today is None else today
    for path in unlisted_files(layout.foi_dir(raw_dir), [s.name for s in specs]):
        log.warning("%s is not a round listed in params.yaml and is ignored", path)
    frame = load_coding_frame(coding_frame)
    years = sorted({s.geography_year for s in specs})
    names = {
        y: geography.authorities(reference_dir, y).assign(geography_year=y)[_NAMES] for y in years
    }
    parts = [
        _clean_listed(
            raw_dir, spec, reference_dir, fuzzy_threshold, names, frame, duplicate_rule, today
        )
        for spec in specs
    ]
    responses, items, texts, excluded = (
        pd.concat([p[i] for p in parts], ignore_index=True) for i in range(4)
    )
    items = apply_overrides(items, responses, read_overrides(overrides), overrides)
    responses, items = _finish(responses, items, pd.concat(names.values(), ignore_index=True))
    successors = {y: geography.successor_map(reference_dir, y, years[-1]) for y in years[:-1]}
    common = to_common(responses, successors, names[years[-1]], years[-1])
    return FoiResult(
        responses=responses,
        items=items,
        common=common,
        texts=texts.reset_index(drop=True),
        exclusions=excluded,
        accounts=[p[4] for p in parts],
    )
