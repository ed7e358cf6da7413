"""The survey answer model: who might answer, each organisation's answers in stable codes, and
the tidy rows the cleaner must turn them into (the truth)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import geography
from pipeline.synth.people import People
from pipeline.synth.survey_questions import (
    BARRIER_FROM,
    BARRIERS,
    CHANGE,
    GEOGRAPHY_YEAR,
    ORG_TYPES,
    OTHER_FROM,
    PARTNERS,
    SECURE,
    SEVERITY_OF,
    SUPPORT,
    SUPPORT_FROM,
    VARIABLES,
    asked,
)
from pipeline.taxonomy import DONT_KNOW

POOL = 320  # organisations that might answer; some answer in several waves
SUPPORT_BY_TYPE = {
    "womens_centre": {"women_groups": 0.9, "women_spaces": 0.85, "parenting": 0.6},
    "domestic_abuse": {"domestic_abuse": 0.95, "trauma_mental_health": 0.7},
    "drug_alcohol": {"female_keyworker": 0.7, "perinatal": 0.35, "women_groups": 0.5},
    "homelessness": {"advocacy": 0.7, "drop_in": 0.6},
    "sex_work": {"sex_worker_outreach": 0.9, "drop_in": 0.7},
}
PARTIAL_AFTER = "support"  # a partial response stops after this question


def organisation_areas(reference_dir: Path) -> pd.DataFrame:
    """The authorities an organisation may work in: those with the same code in every wave's
    geography (no boundary change).

    Parameters
    ----------
    reference_dir
        The derived reference tables (data/reference).

    Returns
    -------
    pandas.DataFrame
        The authorities of the earliest geography (la_code, region_code, ...).
    """
    frames = [geography.authorities(reference_dir, y) for y in sorted(set(GEOGRAPHY_YEAR.values()))]
    keep = set.intersection(*(set(f["la_code"]) for f in frames))
    first = frames[0]
    return first[first["la_code"].isin(keep)].reset_index(drop=True)


def draw_org_type(rng: np.random.Generator) -> str:
    """One organisation type, drawn with the shares of ORG_TYPES."""
    return str(rng.choice(list(ORG_TYPES), p=list(ORG_TYPES.values())))


def draw_pool(rng: np.random.Generator, areas: pd.DataFrame) -> list[dict[str, Any]]:
    """POOL organisations, each with an id, a type and one to four areas in one region."""
    ids = rng.choice(np.arange(1000, 10000), POOL, replace=False)
    regions = sorted(areas["region_code"].unique())
    pool = []
    for number in ids:
        region_areas = areas.loc[areas["region_code"] == rng.choice(regions), "la_code"]
        k = min(len(region_areas), int(rng.choice([1, 1, 2, 2, 3, 4])))
        pool.append(
            {
                "org_id": f"ORG-{number}",
                "org_type": draw_org_type(rng),
                "areas": sorted(rng.choice(region_areas.to_numpy(), k, replace=False).tolist()),
            }
        )
    return pool


def draw_answers(
    rng: np.random.Generator, org: dict[str, Any], wave: str, people: People
) -> dict[str, Any]:
    """One organisation's answers in stable codes (the truth behind its export row)."""
    boost = SUPPORT_BY_TYPE.get(org["org_type"], {})
    support = {c for c in SUPPORT if rng.random() < boost.get(c, 0.3)}
    barriers = {c for c in BARRIERS if rng.random() < (0.6 if c in SEVERITY_OF else 0.35)}
    # whoever answers a multi-select ticks at least one option offered that wave
    for chosen, offered in (
        (support, asked(dict.fromkeys(SUPPORT), SUPPORT_FROM, wave)),
        (barriers, asked(BARRIERS, BARRIER_FROM, wave)),
    ):
        if not chosen & set(offered):
            chosen.add(str(rng.choice(list(offered))))
    up = {"2021": 0.55, "2023": 0.7, "2025": 0.6}[wave]

    def likert(p: list[float]) -> str:
        if rng.random() < 0.04:
            return ""  # item left blank
        return str(rng.choice(["1", "2", "3", "4", "5", DONT_KNOW], p=p))

    first, last, contact = people.contact()
    other = org["org_type"] == "other" and wave >= OTHER_FROM
    return {
        "org_type": org["org_type"],
        "org_type_other": people.other_type() if other and rng.random() < 0.8 else "",
        "areas": org["areas"],
        "support": support,
        "barrier": barriers,
        "barrier_severity": {c: likert([0.05, 0.15, 0.3, 0.3, 0.15, 0.05]) for c in SEVERITY_OF},
        "partner": {
            c: likert(
                [0.1, 0.2, 0.25, 0.25, 0.1, 0.1]
                if c != "police"
                else [0.2, 0.25, 0.25, 0.15, 0.05, 0.1]
            )
            for c in PARTNERS
        },
        "demand_change": str(rng.choice(CHANGE, p=[up, (1 - up) * 0.7, (1 - up) * 0.3])),
        "funding_change": str(rng.choice(CHANGE, p=[0.2, 0.4, 0.4])),
        "funding_secure": str(rng.choice(SECURE, p=[0.3, 0.5, 0.2])),
        "comments": people.comment(contact) if rng.random() < 0.5 else "",
        "contact_name": contact,
        "contact_email": people.email(first, last),
    }


def partial(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers of someone who stopped after PARTIAL_AFTER (later answers None)."""
    keys = list(answers)
    cut = keys.index(PARTIAL_AFTER) + 1
    return {k: (answers[k] if i < cut else None) for i, k in enumerate(keys)}


def truth_rows(wave: str, org_id: str, answers: dict[str, Any], block: dict) -> list[tuple]:
    """The cleaner's tidy rows for one organisation, built from its answers and the wave block."""
    rows = []
    for variable, spec in VARIABLES.items():
        kind = spec["type"]
        if kind not in ("single", "multi", "likert"):
            continue
        value, entry = answers.get(variable), block.get(variable)
        if kind == "single":
            status = "not_asked" if entry is None else "missing" if value is None else "answered"
            rows.append((wave, org_id, variable, "", value if status == "answered" else "", status))
            continue
        asked_options = (
            set()
            if entry is None
            else (
                set(entry["headers"].values())
                if "headers" in entry
                else set(entry["labels"].values())
            )
        )
        for option in spec["options"]:
            if option not in asked_options:
                rows.append((wave, org_id, variable, option, "", "not_asked"))
            elif value is None or (kind == "likert" and value[option] == ""):
                rows.append((wave, org_id, variable, option, "", "missing"))
            elif kind == "multi":
                rows.append((wave, org_id, variable, option, str(int(option in value)), "answered"))
            else:
                rows.append((wave, org_id, variable, option, value[option], "answered"))
    return rows
