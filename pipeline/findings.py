"""The section's interpretive sentences, each a function of the numbers it states.

A sentence that would be false for other data is chosen here by the numbers: "far wider than
chance" only when the dispersion ratio says so, "rose" only when the interval excludes no
change. Each function returns one sentence ending in a full stop; the stage notebooks print
these sentences too. Associations are stated as associations, in natural units (`prose`
assembles them into the main points). `GLOSSARY` (pipeline/resources/glossary.yaml) defines
every abbreviation and technical term the section uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from importlib import resources
from typing import NamedTuple

import pandas as pd
import yaml

from pipeline.disclosure import CONFIDENTIAL
from pipeline.numbers import count, interval, number, p_value, percent, ratio, rounded, tenths
from pipeline.taxonomy import K_ITEMS

GLOSSARY: dict[str, str] = yaml.safe_load(
    (resources.files("pipeline") / "resources" / "glossary.yaml").read_text(encoding="utf-8")
)
FAR_WIDER = 2.0  # a dispersion ratio from which the spread is "far wider" than chance
FEW_APART = 0.5  # a median rank interval over this share of the places: few told apart
CLOSELY_RANKED = 0.1  # a median rank interval within this share: ranked closely


class Estimate(NamedTuple):
    """A point estimate with its confidence interval at level `confidence`."""

    estimate: float
    low: float
    high: float
    confidence: float = 0.95

    @classmethod
    def from_row(cls, row: Mapping[str, float], value: str = "estimate") -> Estimate:
        """From a table row's `value`, ``conf_low`` and ``conf_high`` columns."""
        return cls(float(row[value]), float(row["conf_low"]), float(row["conf_high"]))

    def ci(self, fmt: Callable[[float], str] = number) -> str:
        """The interval in words, both ends formatted by `fmt`: '95% CI 1.02 to 1.35'."""
        return interval(self.low, self.high, fmt, self.confidence)


def listing(words: Sequence[str]) -> str:
    """Words joined as in a sentence: ['a', 'b', 'c'] -> 'a, b and c'; with a comma before the
    last 'and' when a word has an 'and' of its own ('a, b and c, and d'), and with semicolons
    when a word has a comma ('Bristol, City of; Leeds and York')."""
    if len(words) == 1:
        return words[0]
    comma = "; " if any("," in w for w in words) else ", "
    last = comma.rstrip() if len(words) > 2 and any(" and " in w for w in words) else ""
    return f"{comma.join(words[:-1])}{last} and {words[-1]}"


def tied(values: Sequence[float], shown: Callable[[float], str], lowest: bool = False) -> list[int]:
    """Positions of the `values` that print, by `shown`, as the highest (or lowest) does.

    An extreme is claimed only as published: 0.625 and 0.6234 both print '62%' by `percent`,
    so both are the highest, however the unrounded figures differ.
    """
    extreme = shown((min if lowest else max)(values))
    return [i for i, v in enumerate(values) if shown(v) == extreme]


def lower_first(label: str) -> str:
    """A label inside a sentence: its first letter lower case unless it starts an acronym."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def spread_beyond_chance(dispersion: float, p: float, significance: float, what: str) -> str:
    """Whether `what` varies between authorities more than chance alone would give.

    Parameters
    ----------
    dispersion : float
        Dispersion ratio: the variance over the variance chance alone would give (the funnel's
        phi; for a negative binomial count, 1 + alpha times the mean count).
    p : float
        p-value of the test that the ratio is 1.
    significance : float
        "Wider" needs `p` below it; "far wider" also a ratio of at least `FAR_WIDER`.
    what : str
        The quantity, e.g. "women's share of adults in treatment".
    """
    shown = f"dispersion ratio {ratio(dispersion)}"
    if not p < significance or dispersion <= 1:  # a NaN p-value is no evidence
        return f"The spread of {what} between authorities is compatible with chance ({shown})."
    degree = "far wider" if dispersion >= FAR_WIDER else "wider"
    return (
        f"The spread of {what} between authorities is {degree} than chance alone would give "
        f"({shown}, {p_value(p)})."
    )


def nb2_dispersion_ratio(alpha: float, mean: float) -> float:
    """Variance over mean of a negative binomial (NB2) count at its mean: 1 + alpha * mean."""
    return 1 + alpha * mean


def funnel_adjustment(tau2: float, tau2_moment: float) -> str:
    """What the overdispersion-adjusted funnel limits add: the robust between-authority variance
    (`funnel.robust_overdispersion`), beside the plain moment (DerSimonian-Laird) estimate
    (`funnel.overdispersion`)."""
    if tau2 <= 0:
        return (
            "No extra variance between authorities was estimated, so the adjusted limits are "
            "the unadjusted ones."
        )
    return (
        f"The adjusted limits add a between-authority variance of {number(tau2, 5)} by the "
        f"robust estimate ({number(tau2_moment, 5)} by the plain moment estimate)."
    )


def _among(n_pairs: int) -> str:
    """Who a paired comparison between rounds covers."""
    return f"among the {count(n_pairs, 'authority', 'authorities')} that answered both rounds"


def change_between_rounds(
    difference: Estimate, rounds: tuple[str, str], n_pairs: int, what: str = "items"
) -> str:
    """The mean paired change in `what` per authority; "no clear change" if the CI spans 0."""
    first, last = rounds
    among = _among(n_pairs)
    one = partial(number, digits=1)
    if difference.low <= 0 <= difference.high:
        return (
            f"There was no clear change in {what} per authority between {first} and {last}: "
            f"the average change was {one(difference.estimate)} ({difference.ci(one)}), {among}."
        )
    rose = difference.estimate > 0
    ends = sorted(abs(x) for x in (difference.low, difference.high))
    return (
        f"{what.capitalize()} per authority {'rose' if rose else 'fell'} between {first} and "
        f"{last}, by {one(abs(difference.estimate))} on average "
        f"({interval(*ends, one, difference.confidence)}), {among}."
    )


def ratio_between_rounds(factor: Estimate, rounds: tuple[str, str], n_pairs: int) -> str:
    """The ratio of items in the second round to the first for an authority answering alike in
    both (`models.round_change`); "rose" or "fell" only when its interval excludes 1."""
    first, last = rounds
    alike = "For an authority answering alike in both rounds"
    shown = (
        f"the ratio of {last} to {first} items was {ratio(factor.estimate)} "
        f"({factor.ci(ratio)}), {_among(n_pairs)}."
    )
    if factor.low <= 1 <= factor.high:
        return f"{alike}, there was no clear change in items between {first} and {last}: {shown}"
    moved = "rose" if factor.low > 1 else "fell"
    return f"{alike}, items {moved} between {first} and {last}: {shown}"


def items_changed(
    changed: Sequence[tuple[str, float, float]], n_items: int, rounds: tuple[str, str]
) -> str:
    """Which items changed clearly between rounds, allowing for testing every item.

    `changed` holds (label, share in the first round, share in the second) for each item whose
    adjusted p-value is below the significance level; the caller chooses them.
    """
    between = f"between {rounds[0]} and {rounds[1]}"
    allowing = f"allowing for testing {n_items} items at once"
    if not changed:
        return f"No single item changed clearly {between}, {allowing}."
    parts = [
        f"{lower_first(label)} ({'up' if after > before else 'down'} from {percent(before)} "
        f"to {percent(after)} of authorities)"
        for label, before, after in changed
    ]
    return (
        f"Of the {n_items} items, {count(len(changed))} changed clearly {between}, {allowing}: "
        f"{listing(parts)}."
    )


def residual_trend(rho: float, p: float, significance: float, model: str) -> str:
    """Whether the residuals of `model` trend with its fitted values, and which way.

    `rho` is the rank correlation of residuals with fitted values, `p` its p-value.
    """
    if not p < significance:  # a NaN p-value (constant residuals) is no evidence
        return f"Residuals of the {model} model show no clear trend against fitted values."
    if rho > 0:
        return (
            f"Residuals of the {model} model rise with fitted values: it under-predicts where "
            "it expects most items and over-predicts where it expects fewest."
        )
    return (
        f"Residuals of the {model} model fall as fitted values rise: it over-predicts where it "
        "expects most items and under-predicts where it expects fewest."
    )


def region_share(share: Estimate) -> str:
    """How much of the variation between authorities lies between regions.

    `share` comes from `models.region_variance`, a negative binomial fit with one intercept per
    region and no cap at `K_ITEMS`, not the censored model reported elsewhere, and the
    sentence says so. An estimate at the boundary (0%) is no evidence of regional differences,
    and is said so with the upper limit; "most variation within regions" needs an upper limit
    of at most 50%.
    """
    upper = percent(share.high)
    fit = f"from a negative binomial fit that ignores the cap of {K_ITEMS} items"
    if share.low <= 0 and rounded(share.estimate, scale=2) == 0:
        if share.high > 0.5:
            return (
                "There is no evidence that regions differ, but the data cannot rule out large "
                f"differences: regions could account for up to {upper} of the variation "
                f"between authorities ({fit})."
            )
        return (
            "There is no evidence that regions differ once deprivation and population are "
            f"allowed for; the data are compatible with regions accounting for up to {upper} "
            f"of the variation between authorities ({fit})."
        )
    stated = (
        f"Regions account for an estimated {percent(share.estimate)} of the variation between "
        f"authorities ({share.ci(percent)}; {fit})"
    )
    if share.low > 0.5:
        return f"{stated}: most variation lies between regions."
    if share.high <= 0.5:
        return f"{stated}: most variation lies between authorities in the same region."
    return f"{stated}; the data cannot tell whether most of it lies between or within regions."


def per_step(per_sd: Estimate, sd: float, step: float) -> Estimate:
    """A rate ratio per `step` of a covariate from its ratio per standard deviation `sd`.

    The models standardise covariates (`models.frame.standardised_covariates`), so their ratios
    are per SD; per 10 IMD points is ``per_step(r, sd_imd, 10)``, per doubling of population
    ``per_step(r, sd_log_pop, log(2))``.
    """
    scale = step / sd
    return Estimate(*(math.exp(math.log(x) * scale) for x in per_sd[:3]), per_sd.confidence)


def _more_or_fewer(r: float) -> str:
    """A rate ratio as a change: 1.22 -> '22% more', 0.8 -> '20% fewer'."""
    return f"{percent(abs(r - 1))} {'more' if r >= 1 else 'fewer'}"


def association(rate_ratio: Estimate, contrast: str, alike: str, what: str = "items") -> str:
    """An association in natural units, with its interval in words, not as a cause.

    Parameters
    ----------
    rate_ratio : Estimate
        Rate ratio of `what` for the contrast (e.g. from `per_step`).
    contrast : str
        Who is compared, e.g. "authorities 10 points more deprived on the Index of Multiple
        Deprivation".
    alike : str
        What the comparison holds equal, e.g. "similar in population and region".
    """
    estimate, low, high = rate_ratio[:3]
    size = (
        f"about the same number of {what}"
        if rounded(abs(estimate - 1), scale=2) == 0
        else f"about {_more_or_fewer(estimate)} {what}"
    )
    compared = f"{contrast[:1].upper()}{contrast[1:]} offered {size} on average than " + (
        f"authorities {alike}"
    )
    if low <= 1 <= high:
        return f"{compared} ({rate_ratio.ci(_more_or_fewer)}), so there is no clear association."
    ends = sorted(abs(x - 1) for x in (low, high))
    return f"{compared} ({interval(*ends, percent, rate_ratio.confidence)})."


def deprivation(per_sd: Estimate, imd_sd: float, points: float = 10) -> str:
    """The association of items with deprivation, per `points` of the IMD score."""
    return association(
        per_step(per_sd, imd_sd, points),
        f"authorities {number(points)} points more deprived on the Index of Multiple Deprivation",
        "similar in population and region",
    )


def population(per_sd: Estimate, log_pop_sd: float) -> str:
    """The association of items with the female population aged 18 and over, per doubling."""
    return association(
        per_step(per_sd, log_pop_sd, math.log(2)),
        "authorities with twice the female population aged 18 and over",
        "similar in deprivation and region",
    )


def between_authority(
    factor: Estimate, alike: str = "alike in region, deprivation and size"
) -> str:
    """How far two similar authorities typically differ in the number of items they are
    expected to offer.

    `factor` is the typical ratio between two authorities' expected items (their underlying
    rates, not the items they reported, which stop at `K_ITEMS`) that the model's
    between-authority variation implies (1 when there is none), with its interval. A lower
    limit of 1 (no variation beyond chance) is said to be compatible with none.
    """
    one = partial(number, digits=1)
    if one(factor.estimate) == one(1):
        return (
            f"Authorities {alike} differ in the number of items they are expected to offer by "
            f"little more than chance would give: the data are compatible with a typical factor "
            f"of up to {one(factor.high)} ({factor.ci(one)})."
        )
    typical = (
        f"Two authorities {alike} typically differ by a factor of about "
        f"{one(factor.estimate)} in the number of items they are expected to offer "
        f"({factor.ci(one)})"
    )
    if factor.low <= 1:
        return f"{typical}, but the data are compatible with no difference beyond chance."
    return f"{typical}."


def frailty(alpha: Estimate, factor: Estimate) -> str:
    """The count model's alpha with its interval, and the typical factor between two authorities
    it implies (`between_authority`, for authorities alike in every covariate)."""
    two = partial(number, digits=2)
    return f"alpha = {two(alpha.estimate)} ({alpha.ci(two)}). " + between_authority(
        factor, "alike in the model's covariates"
    )


def rank_precision(median_span: float, n_ranked: int) -> str:
    """How well authorities can be told apart by their 95% rank intervals.

    `median_span` is the median number of places an interval spans (rank_high - rank_low + 1)
    of the `n_ranked`: over `FEW_APART` of them, few can be told apart; within
    `CLOSELY_RANKED`, they are ranked closely; between, only roughly.
    """
    shown = (
        f"the median 95% rank interval spans {tenths(median_span)} of {count(n_ranked, 'place')}."
    )
    if median_span > FEW_APART * n_ranked:
        return f"Allowing for chance, few authorities can be told apart: {shown}"
    if median_span <= CLOSELY_RANKED * n_ranked:
        return f"Allowing for chance, authorities can be ranked closely: {shown}"
    return f"Allowing for chance, authorities can be ranked only roughly: {shown}"


def full_answer_level(level: Estimate, round_name: str, n_items: int = K_ITEMS) -> str:
    """The mean items per authority in `round_name` had every authority answered in full."""
    one = partial(number, digits=1)
    return (
        f"Had every authority answered in full, the mean would be {one(level.estimate)} items "
        f"of {n_items} ({level.ci(one)}; {round_name})."
    )


def units_reported(round_name: str, reported: int, n_units: int) -> str:
    """How many of the model's units (authorities, small ones combined) reported items."""
    return f"In {round_name}, {count(reported)} of the {count(n_units)} units reported items."


def survey_waves(n_orgs: int | None, n_repeat: int | None, allowed_for: bool) -> str:
    """Whether the survey waves are independent samples, and what the comparisons did about it.

    Parameters
    ----------
    n_orgs, n_repeat : int or None
        Organisations answering any wave, and those answering more than one (as published,
        after disclosure control; None where suppressed, printed [c]).
    allowed_for : bool
        Whether the comparisons between waves allow for organisations answering again.
    """
    if n_repeat == 0:
        return "Each organisation answered one wave only, so the waves are independent samples."
    repeat = (
        f"{_shown(n_repeat)} of the {_shown(n_orgs)} organisations answered more than one wave, "
        "so the waves are not independent samples"
    )
    if allowed_for:
        return f"{repeat}; comparisons between waves allow for this."
    return (
        f"{repeat}; comparisons between waves treat them as if they were, so their intervals "
        "are approximate."
    )


def first_to_last(changes: pd.DataFrame) -> pd.DataFrame:
    """The changes between survey waves the section reports: the first wave's with the last,
    and with two waves the one consecutive comparison, which is that."""
    span = changes[changes["comparison"] == "first_to_last"]
    return changes if span.empty else span


def survey_caveat(overlap: bool) -> str:
    """The survey's caveat: self-selected, and whether its waves are separate samples."""
    waves = (
        "some answered more than one wave, so the waves are not separate samples"
        if overlap
        else "each wave is a separate sample"
    )
    return (
        "Organisations chose to take part, so they may not represent all third-sector "
        f"organisations, and {waves}."
    )


def _shown(n: int | None) -> str:
    """A protected count as printed: "[c]" where suppressed."""
    return CONFIDENTIAL if n is None else count(n)


def overrides_applied(by_round: Mapping[str, int]) -> str:
    """How many overrides analysts applied to raw FOI rows, by round (or that there were none)."""
    if not by_round:
        return "Analysts applied no overrides to the raw FOI data."
    rounds = listing([f"{count(n)} in {r}" for r, n in by_round.items()])
    total = count(sum(by_round.values()), "override")
    return f"Analysts applied {total} to the raw FOI data ({rounds})."
