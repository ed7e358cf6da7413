"""The section's computed words: main points and each interpretive sentence, from stage tables.

Every sentence comes from a tested function in `findings`, or here (`funnel_named`); this
module finds the numbers each needs in the tables the earlier stages wrote (data/processed),
so the template prints no fixed claim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import disclosure, findings, schemas
from pipeline.findings import Estimate
from pipeline.numbers import count, level, number
from pipeline.taxonomy import K_ITEMS


def _median_items(distribution: pd.DataFrame, round_name: str) -> float:
    """Median items per responding authority, from the items_distribution table."""
    rows = distribution[(distribution["round"] == round_name) & (distribution["n_authorities"] > 0)]
    weights = rows.set_index("n_items")["n_authorities"].astype(int)
    return float(weights.index.repeat(weights).to_series().median())


def _by(frame: pd.DataFrame, key: str) -> dict[str, dict[str, Any]]:
    return frame.set_index(key).to_dict("index")


def _change(describe: dict[str, Any]) -> str:
    paired = _by(describe["change_paired"], "statistic")["mean_difference"]
    first, last = describe["response_rates"]["round"].astype(str).iloc[-2:]
    return findings.change_between_rounds(
        Estimate.from_row(paired), (first, last), int(paired["n_pairs"])
    )


def _barriers(survey: dict[str, Any]) -> tuple[str, list[tuple[str, Estimate]]] | None:
    """The latest wave and each barrier's label and share, those withheld left out; None with
    no survey or no share published."""
    if not survey:
        return None
    ranked = survey["barriers_ranked"]
    shares = ranked[["share", "conf_low", "conf_high"]].apply(pd.to_numeric, errors="coerce")
    shown = shares.notna().all(axis="columns")
    if not shown.any():
        return None
    rows = ranked.assign(**shares)[shown]
    named = [(str(r["label"]), Estimate.from_row(r, "share")) for _, r in rows.iterrows()]
    return str(ranked["wave"].iloc[0]), named


def _item_shares(describe: dict[str, Any]) -> list[tuple[str, Estimate]]:
    """Each item's label and share of authorities answering in the latest round."""
    shares = describe["item_shares"]
    latest = shares[shares["round"] == describe["response_rates"]["round"].iloc[-1]]
    return [(str(r["label"]), Estimate.from_row(r, "share")) for _, r in latest.iterrows()]


def funnel_named(flagged: pd.DataFrame, expected: dict[str, float], flag_level: float) -> str:
    """Which authorities the section calls outliers (outside the adjusted `flag_level` limits)
    and how many lie outside each wider-drawn level's limits, each beside how many would by
    chance alone (`expected`, keyed by level as ``f"{level:g}"``).

    `flagged` holds the adjusted outliers (funnel.outliers): one row per authority and level.
    """
    n_at = {lvl: int((flagged["level"] == lvl).sum()) for lvl in map(float, expected)}
    named = n_at.pop(flag_level)
    sentences = [
        f"An authority is called an outlier only when it lies outside the adjusted "
        f"{level(flag_level)} limits (Spiegelhalter 2005): "
        f"{count(named, 'authority', 'authorities')} {'does' if named == 1 else 'do'}, where "
        f"about {number(expected[f'{flag_level:g}'], 1)} would by chance alone."
    ]
    sentences += [
        f"Outside the adjusted {level(lvl)} limits {'lies' if n == 1 else 'lie'} "
        f"{count(n, 'authority', 'authorities')}, where about {number(expected[f'{lvl:g}'], 1)} "
        "would by chance alone."
        for lvl, n in sorted(n_at.items())
    ]
    return " ".join(sentences)


def statements(
    describe: dict[str, Any], model: dict[str, Any], significance: float
) -> dict[str, str]:
    """The interpretive sentences of the FOI part of the section, keyed by topic."""
    irr, sds = _by(model["irr"], "term"), model["covariate_sds"]
    variation = _by(model["variation"], "quantity")
    funnel = describe["funnel_overdispersion"]
    spread = funnel["robust"]
    return {
        "variation": findings.between_authority(Estimate.from_row(variation["median_ratio"])),
        "deprivation": findings.deprivation(Estimate.from_row(irr["imd_z"]), sds["imd_score"]),
        "population": findings.population(Estimate.from_row(irr["log_pop_z"]), sds["log_pop"]),
        "regions": findings.region_share(
            Estimate.from_row(_by(model["region_variance"], "quantity")["region_share"])
        ),
        "funnel_spread": findings.spread_beyond_chance(
            spread["phi"], spread["p_value"], significance, "women's share of adults in treatment"
        ),
        "funnel_adjustment": findings.funnel_adjustment(
            spread["tau2"], funnel["unwinsorised"]["tau2"]
        ),
        "funnel_named": funnel_named(
            describe["funnel_outliers"], funnel["expected_false_flags"], funnel["flag_level"]
        ),
        "change": _change(describe),
        "commonest": findings.commonest_items(_item_shares(describe)),
    }


def main_points(
    describe: dict[str, Any], said: dict[str, str], survey: dict[str, Any]
) -> list[str]:
    """The 3-6 plain-English main points (`said` holds the `statements`)."""
    latest = describe["response_rates"].iloc[-1]
    return findings.main_points(
        round_name=str(latest["round"]),
        responded=int(latest["responded"]),
        asked=int(latest["n"]),
        rate=Estimate.from_row(latest, "share"),
        median_items=_median_items(describe["items_distribution"], str(latest["round"])),
        n_items=K_ITEMS,
        item_shares=_item_shares(describe),
        variation=said["variation"],
        deprivation=said["deprivation"],
        change=said["change"],
        barriers=_barriers(survey),
    )


def survey_waves(processed: Path, round_to: int) -> str:
    """Whether the survey waves are independent samples, from the cleaned organisations table.

    Counts are rounded as counts of people are; a non-zero count is never rounded to 0.
    """
    orgs = schemas.read(processed / "survey_orgs.csv", "survey_orgs")
    waves_per_org = orgs.groupby("org_id")["wave"].nunique()
    n_orgs, n_repeat = len(waves_per_org), int((waves_per_org > 1).sum())
    rounded = disclosure.round_half_up(np.array([n_orgs, n_repeat]), round_to)
    exact = (n_orgs, n_repeat)
    shown = [max(int(r), round_to) if n else 0 for r, n in zip(rounded, exact, strict=True)]
    # change.wave_changes pairs the organisations that answered both waves of a comparison
    return findings.survey_waves(*shown, allowed_for=True)
