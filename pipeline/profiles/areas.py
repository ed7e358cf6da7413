"""The survey by area: how many organisations serve each authority, and what they answered.

Organisations are counted as people are: counts from 1 to ``suppress_below - 1`` are shown as
[c] and others rounded (`pipeline.disclosure`). Their headline answers are published only for
an area whose count of organisations is itself published; each answer's count and the number
who answered are protected together (`disclosure.protect_proportions`), and the share is
computed from those published counts (`disclosure.derive_share`), so it reveals nothing they
do not. No organisation is ever named or identified. An area named in an older geography
counts towards each authority of the latest geography that covers it (Cumbria's organisations
serve both Cumberland and Westmorland and Furness).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from pipeline import disclosure, schemas

log = logging.getLogger(__name__)


class Headline(NamedTuple):
    """One headline answer: the share of organisations giving `value` to a single question."""

    question: str
    value: str
    label: str


HEADLINES = (
    Headline("demand_change", "increased", "Saw demand from women rise"),
    Headline("funding_change", "decreased", "Saw their funding fall"),
    Headline("funding_secure", "no", "Said their funding is not secure"),
)


class SurveyByArea(NamedTuple):
    """The published survey counts per area.

    served : wave, la_code, organisations, organisations_suppressed (every authority of the
        latest geography in every wave; 0 where no organisation named it).
    answers : wave, la_code, question, label, count, answered, share and their
        ``_suppressed`` companions, for the areas whose count of organisations is published.
    """

    served: pd.DataFrame
    answers: pd.DataFrame


def to_latest_codes(codes: pd.Series, latest: pd.Series, changes: pd.DataFrame) -> pd.DataFrame:
    """Each code with the latest-geography code(s) covering its area: [code, la_code].

    GSS codes are never reused, so a code of any year maps the same way: to itself when it is
    in the latest geography, else to the successors `changes` gives it.
    """
    pairs = pd.concat(
        [
            pd.DataFrame({"code": latest, "la_code": latest}),
            changes[["from_code", "to_code"]].set_axis(["code", "la_code"], axis=1),
        ]
    ).drop_duplicates()
    unknown = sorted(set(codes.unique()) - set(pairs["code"]))
    if unknown:
        raise ValueError(
            f"survey areas name codes with no successor in the latest geography: {unknown}"
        )
    return pairs[pairs["code"].isin(codes.unique())].reset_index(drop=True)


def _served(areas: pd.DataFrame, latest: pd.Series, waves: list[str]) -> pd.DataFrame:
    """Distinct organisations per wave and latest authority, zeros included."""
    counts = areas.groupby(["wave", "la_code"])["org_id"].nunique().rename("organisations")
    grid = pd.MultiIndex.from_product([waves, sorted(latest)], names=["wave", "la_code"])
    return counts.reindex(grid, fill_value=0).reset_index()


def _answers(areas: pd.DataFrame, responses: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """Per published area and headline: organisations answering, and giving the headline value."""
    frames = []
    for headline in HEADLINES:
        rows = responses[(responses["question"] == headline.question) & (responses["option"] == "")]
        rows = rows.assign(
            answered=rows["status"] == "answered", gave=rows["value"] == headline.value
        )
        merged = areas.merge(rows[["wave", "org_id", "answered", "gave"]], on=["wave", "org_id"])
        counts = (
            merged.groupby(["wave", "la_code"])
            .agg(answered=("answered", "sum"), count=("gave", "sum"))
            .reindex(pd.MultiIndex.from_frame(shown[["wave", "la_code"]]), fill_value=0)
            .reset_index()
        )
        frames.append(counts.assign(question=headline.question, label=headline.label))
    table = pd.concat(frames, ignore_index=True)
    return table[["wave", "la_code", "question", "label", "count", "answered"]]


def survey_by_area(
    survey_areas: str | Path,
    survey_responses: str | Path,
    latest: pd.Series,
    changes: pd.DataFrame,
    suppress_below: int,
    round_to: int,
) -> SurveyByArea:
    """Organisations serving each latest authority per wave, and their answers, protected.

    Parameters
    ----------
    survey_areas, survey_responses : the processed survey tables.
    latest : the GSS codes of the latest geography.
    changes : boundary changes into the latest geography (`ProfileInputs.changes`).
    suppress_below, round_to : params.yaml ``disclosure``.
    """
    raw_areas = schemas.read(survey_areas, "survey_areas")
    responses = schemas.read(survey_responses, "survey_responses")
    mapping = to_latest_codes(raw_areas["la_code"], latest, changes)
    areas = (
        raw_areas[["wave", "org_id", "la_code"]]
        .rename(columns={"la_code": "code"})
        .merge(mapping, on="code")[["wave", "org_id", "la_code"]]
        .drop_duplicates()
    )
    waves = sorted(set(responses["wave"].unique()) | set(raw_areas["wave"].unique()))
    served = disclosure.protect(
        _served(areas, latest, waves), ["organisations"], suppress_below, round_to
    )
    named = served["organisations_suppressed"] | (served["organisations"].fillna(0) > 0)
    shown = served[named & ~served["organisations_suppressed"]]
    answers = disclosure.protect_proportions(
        _answers(areas, responses, shown), "count", "answered", [], suppress_below, round_to
    )
    answers = disclosure.derive_share(answers, "count", "answered")
    log.info(
        "survey by area: %d of %d area-waves with organisations are published",
        len(shown),
        int(named.sum()),
    )
    return SurveyByArea(served, answers)
