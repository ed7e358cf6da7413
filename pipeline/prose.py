"""The section's computed words: main points and each interpretive sentence, from stage tables.

Every sentence comes from a tested function in `findings`, or here (`funnel_named`); this
module finds the numbers each needs in the tables the earlier stages wrote (data/processed),
so the template prints no fixed claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import disclosure, findings, schemas
from pipeline.findings import Estimate, listing, lower_first, tied
from pipeline.numbers import count, level, number, percent, tenths
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
        "commonest": commonest_items(_item_shares(describe)),
    }


def main_points(
    describe: dict[str, Any], said: dict[str, str], survey: dict[str, Any]
) -> list[str]:
    """The 3-6 plain-English main points (`said` holds the `statements`)."""
    latest = describe["response_rates"].iloc[-1]
    return plain_points(
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


def survey_waves(processed: Path, suppress_below: int, round_to: int) -> tuple[str, str]:
    """Whether the survey waves are independent samples, from the cleaned organisations table:
    the sentence on them, and the survey's caveat (`findings.survey_caveat`).

    Counts are protected as counts of people are: 1 to `suppress_below` - 1 is None ([c]),
    others rounded to `round_to`.
    """
    orgs = schemas.read(processed / "survey_orgs.csv", "survey_orgs")
    waves_per_org = orgs.groupby("org_id")["wave"].nunique()
    exact = np.array([len(waves_per_org), int((waves_per_org > 1).sum())])
    rounded = disclosure.round_half_up(exact, round_to)
    shown = [
        None if 0 < n < suppress_below else int(r) for n, r in zip(exact, rounded, strict=True)
    ]
    # change.wave_changes pairs the organisations that answered both waves of a comparison
    independence = findings.survey_waves(*shown, allowed_for=True)
    return independence, findings.survey_caveat(bool(exact[1]))


# --- the main points ----------------------------------------------------------------------------

# Words that do not belong in plain-English main points.
JARGON = re.compile(
    r"\bp [=<>]|\b(AIC|McNemar|Holm|GEE|NB2|IRR|SD|standard deviation|signific\w*|"
    r"overdispers\w*|rate ratio|Poisson|negative binomial)\b",
    re.IGNORECASE,
)


def _sharing(
    named: Sequence[tuple[str, Estimate]], lowest: bool = False
) -> tuple[int, str, str, str]:
    """Of (label, share) pairs, those whose share prints as the highest (or lowest) does: how
    many, their labels listed, their share as printed and its interval (each interval in turn
    where they differ)."""
    chosen = [named[i] for i in tied([s.estimate for _, s in named], percent, lowest)]
    cis = [share.ci(percent) for _, share in chosen]
    ci = cis[0] if len(set(cis)) == 1 else f"{listing(cis)} respectively"
    labels = listing([lower_first(label) for label, _ in chosen])
    return len(chosen), labels, percent(chosen[0][1].estimate), ci


def commonest_items(shares: Sequence[tuple[str, Estimate]]) -> str:
    """The most and least common items, from (label, share of authorities answering) pairs;
    every item whose share prints as the extreme's does is named with it."""
    n_top, top, most, top_ci = _sharing(shares)
    n_bottom, bottom, least, bottom_ci = _sharing(shares, lowest=True)
    subject = (
        f"The most common item, {top}, is offered"
        if n_top == 1
        else f"The most common items, {top}, are each offered"
    )
    each = "" if n_bottom == 1 else " each"
    return (
        f"{subject} by {most} of authorities that answered ({top_ci}); the least common, "
        f"{bottom}, by {least}{each} ({bottom_ci})."
    )


def _check_plain(points: list[str]) -> list[str]:
    """`points`, unless one uses jargon (ValueError naming it)."""
    for point in points:
        if found := JARGON.search(point):
            raise ValueError(f"main point uses {found.group(0)!r}: {point}")
    return points


def plain_points(
    *,
    round_name: str,
    responded: int,
    asked: int,
    rate: Estimate,
    median_items: float,
    n_items: int,
    item_shares: Sequence[tuple[str, Estimate]],
    variation: str,
    deprivation: str,
    change: str,
    barriers: tuple[str, Sequence[tuple[str, Estimate]]] | None = None,
) -> list[str]:
    """The section's main points in plain English: no test names, p-values or model names.

    Parameters
    ----------
    round_name, responded, asked, rate : str, int, int, Estimate
        The latest FOI round, authorities answering and asked, and the response rate
        (``response_rates``).
    median_items, n_items : float, int
        Median items per responding authority (``items_distribution``) and items asked about.
    item_shares : sequence of (str, Estimate)
        Label and share of each item (``item_shares``), for `commonest_items`.
    variation, deprivation, change : str
        Sentences from `between_authority`, `deprivation` and `change_between_rounds`.
    barriers : (str, sequence of (str, Estimate)), optional
        The latest wave, and the label and share of each barrier whose share is published
        (``barriers_ranked``); every barrier printing the highest share is named. No survey,
        no point.
    """
    answered = (
        f"All {count(asked)} authorities asked"
        if responded == asked
        else f"{count(responded)} of the {count(asked)} authorities asked "
        f"({percent(rate.estimate)}, {rate.ci(percent)})"
    )
    points = [
        f"{answered} told us what women-specific drug treatment they commissioned in "
        f"{round_name}" + ("." if responded == asked else f"; {count(asked - responded)} did not."),
        f"The typical authority offers {tenths(median_items)} of the {n_items} women-specific "
        f"items asked about. {commonest_items(item_shares)}",
        variation,
        deprivation,
        change,
    ]
    if barriers is not None:
        points.append(most_reported(*barriers))
    return _check_plain(points)


def most_reported(wave: str, barriers: Sequence[tuple[str, Estimate]]) -> str:
    """The barrier third-sector organisations report most often in `wave`, from (label, share)
    pairs; every barrier whose share prints as the highest does is named with it."""
    n_top, labels, share, ci = _sharing(barriers)
    which = "a barrier" if n_top == 1 else "barriers"
    each = "" if n_top == 1 else " each"
    return (
        f"Third-sector organisations most often report {labels} as {which} women face: "
        f"{share} of organisations in {wave}{each} ({ci})."
    )
