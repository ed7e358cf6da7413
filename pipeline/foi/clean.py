"""Clean the FOI round files into one row per authority per round, every row accounted for.

`clean_rounds` reads each round listed in params.yaml and cleans it (`one_round`: matching
authorities, reading and checking every cell, settling duplicates, applying the analyst's
overrides), then adds names and derived columns and puts every round on the latest geography
(`common`). Bad input stops the run, once every round file and the overrides file are checked,
with one InputError listing every problem of each file, with its row, column and value.
"""

from __future__ import annotations

import logging
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from pipeline import geography, layout, schemas
from pipeline.accounting import Account, accounts_table
from pipeline.errors import InputError
from pipeline.foi.coding import load_coding_frame
from pipeline.foi.common import to_common
from pipeline.foi.one_round import Cleaned, Setting, clean_round
from pipeline.foi.overrides import APPLIED_COLUMNS, RoundOverrides, check_overrides
from pipeline.foi.problems import Findings
from pipeline.foi.raw import read_round
from pipeline.readers import unlisted_files
from pipeline.taxonomy import ITEM_IDS

log = logging.getLogger(__package__)  # the package logs as "pipeline.foi"

_NAMES = ["geography_year", "la_code", "la_name", "region_code", "region_name"]
_POPULATION = ["pop_adult_18plus", "pop_female_18plus"]


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
    """The cleaned FOI tables, the row accounts and the overrides applied.

    `overrides` has one row per override applied to a raw row (overrides.APPLIED_COLUMNS:
    round, la_code, item, before, answer, reason, source_file, source_row, override_row).
    """

    responses: pd.DataFrame
    items: pd.DataFrame
    common: pd.DataFrame
    texts: pd.DataFrame
    exclusions: pd.DataFrame
    accounts: list[Account] = field(default_factory=list)
    overrides: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=APPLIED_COLUMNS))

    @property
    def accounts_table(self) -> pd.DataFrame:
        """One row per file: rows in, kept, excluded, blank."""
        return accounts_table(self.accounts)


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


def _setting(
    spec: Round,
    reference_dir: Path,
    fuzzy_threshold: float,
    authorities: pd.DataFrame,
    choices: tuple[dict[str, list[re.Pattern[str]]], str, date],
) -> Setting:
    """What cleaning round `spec` needs; `choices` is (coding frame, duplicate rule, run date)."""
    coding_frame, duplicate_rule, today = choices
    year = spec.geography_year
    covariates = geography.covariates(reference_dir, year).set_index("la_code")
    return Setting(
        name=spec.name,
        geography_year=year,
        request_sent=spec.request_sent,
        latest=min(spec.request_sent + timedelta(days=schemas.MAX_DAYS_TO_ANSWER), today),
        matcher=geography.Matcher.from_reference(reference_dir, year, fuzzy_threshold),
        authorities=authorities,
        population=covariates[_POPULATION],
        coding_frame=coding_frame,
        duplicate_rule=duplicate_rule,
    )


def _stop(errors: list[InputError], findings: Findings) -> None:
    """One InputError listing the problems of every file: the rounds' `errors` and the
    overrides file's `findings`; none if there are none."""
    try:
        findings.stop()
    except InputError as exc:
        errors = [*errors, exc]
    unique = list({str(e): e for e in errors}.values())  # a vocabulary error recurs per round
    if len(unique) == 1:
        raise unique[0]
    if unique:
        files = ", ".join(dict.fromkeys(e.file for e in unique))
        listed = "\n".join(textwrap.indent(str(e), "  ") for e in unique)
        raise InputError(files, f"problems in {len(unique)} files:\n{listed}")


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
    choices = (load_coding_frame(coding_frame), duplicate_rule, today or date.today())
    for path in unlisted_files(layout.foi_dir(raw_dir), [s.name for s in specs]):
        log.warning("%s is not a round listed in params.yaml and is ignored", path)
    table, override_findings = check_overrides(overrides, [s.name for s in specs])
    years = sorted({s.geography_year for s in specs})
    names = {
        y: geography.authorities(reference_dir, y).assign(geography_year=y)[_NAMES] for y in years
    }
    parts, applied, errors = [], [], []
    for spec in specs:
        setting = _setting(
            spec, reference_dir, fuzzy_threshold, names[spec.geography_year], choices
        )
        try:
            raw, source_file = read_round(raw_dir, spec.name)
            round_overrides = RoundOverrides(table, spec.name, source_file)
            part = clean_round(raw, source_file, setting, round_overrides)
        except InputError as exc:  # every file is checked before the run stops
            errors.append(exc)
            continue
        responses = part.responses
        round_overrides.check_used(responses["la_code"], responses["responded"], override_findings)
        parts.append(part)
        applied.append(round_overrides.table())
    _stop(errors, override_findings)
    return _result(parts, applied, names, reference_dir, years)


def _result(
    parts: list[Cleaned],
    applied: list[pd.DataFrame],
    names: dict[int, pd.DataFrame],
    reference_dir: Path,
    years: list[int],
) -> FoiResult:
    """The rounds' cleaned parts put together, finished and on the latest geography."""
    responses, items, texts, excluded = (
        pd.concat([getattr(p, name) for p in parts], ignore_index=True)
        for name in ("responses", "items", "texts", "exclusions")
    )
    responses, items = _finish(responses, items, pd.concat(names.values(), ignore_index=True))
    successors = {y: geography.successor_map(reference_dir, y, years[-1]) for y in years[:-1]}
    return FoiResult(
        responses=responses,
        items=items,
        common=to_common(responses, successors, names[years[-1]], years[-1]),
        texts=texts.reset_index(drop=True),
        exclusions=excluded,
        accounts=[p.account for p in parts],
        overrides=pd.concat(applied, ignore_index=True),
    )
