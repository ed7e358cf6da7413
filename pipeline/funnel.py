"""Funnel plot of women's share of adults in drug treatment by authority (Spiegelhalter 2005).

Spiegelhalter DJ (2005) Funnel plots for comparing institutional performance. Statistics
in Medicine 24:1185-1202; and (2005) Handling over-dispersion of performance indicators.
Quality and Safety in Health Care 14:347-351.

Limits without overdispersion are exact binomial quantiles, interpolated between the
discrete counts as in Spiegelhalter's appendix: they stay right for the smallest
authorities, where the normal approximation does not. Limits with an additive random
effect (tau^2 > 0) are normal, as there is no exact version; with tau^2 = 0 they are the
exact limits. tau^2 is a robust moment estimate in the manner of DerSimonian and Laird
(1986; `robust_overdispersion`): winsorising at percentiles (Spiegelhalter 2005b) halves
it when there are no outliers, so the adjusted limits flag eight times too many, and the
plain moment estimate is inflated by the outliers it should find, so they go unflagged.
Authorities are classified from their published points against the adjusted limits only,
at their own n, so the outlier list always agrees with the chart; with a hundred
authorities and a dispersion ratio far above 1 the unadjusted limits mean nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from pipeline.disclosure import protect_proportions
from pipeline.taxonomy import ADJUSTED

log = logging.getLogger(__name__)

LEVELS: tuple[float, ...] = (0.95, 0.998)
FLAG_LEVEL = 0.998  # an authority is named only outside the adjusted limits at this level
ROBUST_CAP = 2.0  # standardised z-scores count for at most this many SDs in tau^2
USABLE_FLAGS: tuple[str, ...] = ("exact", "approximate")  # of taxonomy.COUNT_FLAGS
PUBLISHED = ["la_code", "la_name", "region_name", "n", "women", "share", "z", "approximate"]


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter's overdispersion estimates from (optionally winsorised) z-scores."""

    phi: float  # mean squared z; 1 when the binomial variation is all there is
    tau2: float  # additive between-authority variance of the share (0 if phi is small)
    n_units: int
    p_value: float  # test of phi = 1: n_units * phi against chi-squared on n_units - 1


def funnel_data(responses: pd.DataFrame, target: float | None = None) -> pd.DataFrame:
    """One row per authority with usable counts of adults and women in treatment.

    Parameters
    ----------
    responses : cleaned FOI responses for one round (one row per authority).
    target : the England share of women (e.g. from NDTMS); pooled from the data if None.

    Returns
    -------
    la_code, la_name, region_name, n (adults), women, share, approximate (either count was
    approximate), target, se (binomial standard error at the target) and z.
    """
    if responses["la_code"].duplicated().any():
        raise ValueError("funnel_data takes one round: la_code must be unique")
    usable = (
        responses["adults_flag"].isin(USABLE_FLAGS)
        & responses["women_flag"].isin(USABLE_FLAGS)
        & responses["adults_in_treatment"].notna()
        & responses["women_in_treatment"].notna()
        & (responses["adults_in_treatment"].fillna(0) > 0)
    )
    data = responses.loc[usable, ["la_code", "la_name", "region_name"]].reset_index(drop=True)
    data["n"] = responses.loc[usable, "adults_in_treatment"].to_numpy(dtype="int64")
    data["women"] = responses.loc[usable, "women_in_treatment"].to_numpy(dtype="int64")
    wrong = data.loc[data["women"] > data["n"], "la_code"].tolist()
    if wrong:
        raise ValueError(f"more women than adults in treatment for {wrong}")
    log.info("funnel: %d of %d authorities have usable counts", len(data), len(responses))
    data["share"] = data["women"] / data["n"]
    data["approximate"] = (
        responses.loc[usable, ["adults_flag", "women_flag"]]
        .eq("approximate")
        .any(axis=1)
        .to_numpy()
    )
    theta = data["women"].sum() / data["n"].sum() if target is None else target
    data["target"] = theta
    data["se"] = np.sqrt(theta * (1 - theta) / data["n"])
    data["z"] = (data["share"] - theta) / data["se"]
    return data


def ndtms_target(ndtms: pd.DataFrame, year: int) -> tuple[float, str]:
    """Women's share of adults in treatment in England (NDTMS), and its financial year.

    The latest financial year beginning no later than `year` (the round's year), from
    data/reference/ndtms_england.csv (financial_year, sex, adults_in_treatment).
    """
    start = ndtms["financial_year"].str[:4].astype(int)
    period = ndtms.loc[start <= year, "financial_year"].max()
    if pd.isna(period):
        raise ValueError(f"no NDTMS financial year begins by {year}")
    counts = ndtms[ndtms["financial_year"] == period].set_index("sex")["adults_in_treatment"]
    return float(counts["female"] / counts["total"]), str(period)


def overdispersion(
    z: pd.Series | np.ndarray, se: pd.Series | np.ndarray, winsorise: float = 0.0
) -> Overdispersion:
    """Estimate overdispersion from z-scores, by default not winsorised.

    phi = mean of squared z; tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w) with
    w = 1 / se^2, or 0 when I phi <= I - 1: the DerSimonian-Laird estimate. `winsorise=0.1`
    clips z at its 10th and 90th percentiles first (Spiegelhalter 2005b), which guards
    against outliers but halves tau^2 when there are none (0.00047 against a true 0.00088
    over 500 simulated data sets), so that the adjusted limits flag 1.65 authorities per
    data set instead of 0.2; it is kept as a sensitivity analysis.
    """
    z, w = np.asarray(z, float), 1 / np.asarray(se, float) ** 2
    units = z.size
    winsorised = np.clip(z, *np.quantile(z, [winsorise, 1 - winsorise]))
    phi = float(np.mean(winsorised**2))
    excess = units * phi - (units - 1)
    tau2 = max(0.0, float(excess / (w.sum() - (w**2).sum() / w.sum())))
    return Overdispersion(phi, tau2, units, float(stats.chi2.sf(units * phi, units - 1)))


def robust_overdispersion(
    z: pd.Series | np.ndarray, se: pd.Series | np.ndarray, cap: float = ROBUST_CAP
) -> Overdispersion:
    """Overdispersion with tau^2 estimated robustly, unbiased when there are no outliers.

    With u_i = z_i / sqrt(1 + tau^2 / se_i^2) the z-score standardised by its variance
    under the random-effects model, tau^2 solves mean(min(u_i^2, cap^2)) = E min(X, cap^2)
    for X ~ chi-squared(1) (Huber's proposal 2 for a scale): a moment equation, like
    DerSimonian and Laird's, in which no authority counts for more than `cap` SDs. It is
    consistent when the z-scores are normal, like the unwinsorised estimate, but a few
    outliers barely move it: in simulation three authorities 0.10 off the target raised
    the unwinsorised tau^2 by 65% and this one by 10%. phi and the test of phi = 1 are
    those of the raw z-scores.
    """
    raw = overdispersion(z, se)
    z, w = np.asarray(z, float), 1 / np.asarray(se, float) ** 2
    target = stats.chi2.cdf(cap**2, 3) + cap**2 * stats.chi2.sf(cap**2, 1)  # E min(X, cap^2)

    def excess(tau2: float) -> float:
        return float(np.mean(np.minimum(z**2 / (1 + tau2 * w), cap**2)) - target)

    if excess(0.0) <= 0:
        return Overdispersion(raw.phi, 0.0, raw.n_units, raw.p_value)
    high = 1e-4
    while excess(high) > 0:
        high *= 2
    tau2 = optimize.brentq(excess, 0.0, high, xtol=1e-12)
    return Overdispersion(raw.phi, float(tau2), raw.n_units, raw.p_value)


def _binomial_limit(p: float, n: np.ndarray, theta: float) -> np.ndarray:
    """Spiegelhalter's interpolated p-quantile of a binomial(n, theta) share."""
    r = stats.binom.ppf(p, n, theta)
    at, below = stats.binom.cdf(r, n, theta), stats.binom.cdf(r - 1, n, theta)
    return (r - (at - p) / (at - below)) / n


def funnel_limits(
    target: float,
    n_grid: pd.Series | np.ndarray,
    tau2: float | None = None,
    levels: tuple[float, ...] = LEVELS,
) -> pd.DataFrame:
    """Lower and upper limits per n (whole numbers) for each level: n, level, lower, upper."""
    n = np.rint(np.asarray(n_grid, float))
    frames = []
    for level in levels:
        tails = ((1 - level) / 2, (1 + level) / 2)
        if tau2:
            sd = np.sqrt(target * (1 - target) / n + tau2)
            lower, upper = (target + stats.norm.ppf(t) * sd for t in tails)
        else:
            lower, upper = (_binomial_limit(t, n, target) for t in tails)
        frames.append(
            pd.DataFrame(
                {
                    "n": n.astype("int64"),
                    "level": level,
                    "lower": np.clip(lower, 0, 1),
                    "upper": np.clip(upper, 0, 1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def limit_grid(n: pd.Series, points: int = 200) -> np.ndarray:
    """Whole numbers spread evenly on a log scale from 1 to the largest n, for drawing limits.

    Pass the published (rounded) n: the grid is published, and its end would give the
    largest exact count away.
    """
    return np.unique(np.rint(np.geomspace(1, n.max(), points)))


def outliers(
    points: pd.DataFrame, target: float, tau2: float, levels: tuple[float, ...] = LEVELS
) -> pd.DataFrame:
    """Authorities whose published point lies outside the limits adjusted for overdispersion.

    `points` is the publishable table (`publishable_funnel`: shares of the rounded counts),
    so the list follows from the published chart: classified from the exact counts it would
    narrow the rounded ones (a point drawn just inside a limit but listed outside it gives
    its count away). Authorities whose share is suppressed are not classified. Returns one
    row per authority and level it falls outside: la_code, la_name, region_name, limits
    (always ADJUSTED), level, side ("above" or "below"). Name an authority only outside
    `FLAG_LEVEL`.
    """
    shown = points[points["share"].notna()].astype({"n": "int64"})
    limits = funnel_limits(target, shown["n"], tau2, levels).drop_duplicates()
    merged = shown.merge(limits, on="n")
    merged["side"] = np.select(
        [merged["share"] > merged["upper"], merged["share"] < merged["lower"]],
        ["above", "below"],
        "",
    )
    columns = ["la_code", "la_name", "region_name", "limits", "level", "side"]
    flagged = merged.loc[merged["side"] != ""].assign(limits=ADJUSTED)
    return flagged.sort_values(["level", "la_code"], ignore_index=True)[columns]


def expected_false_flags(n_units: int, levels: tuple[float, ...] = LEVELS) -> dict[str, float]:
    """Authorities expected outside each level's limits by chance alone: n * (1 - level)."""
    return {f"{level:g}": n_units * (1 - level) for level in levels}


def publishable_funnel(data: pd.DataFrame, suppress_below: int, round_to: int) -> pd.DataFrame:
    """The data behind the funnel chart, with disclosure control.

    Rule: n (adults) and women are published rounded or suppressed, and the share and
    z-score are recomputed from the rounded counts (a share of the exact counts beside
    rounded ones would give the exact counts back). Where women, n or the adults who are
    not women are suppressed, the share and z-score are suppressed as well, since with a
    published n a share reveals the count; such an authority is not drawn on the published
    chart (its share is NA) and is not classified (`outliers`), but still counts towards the
    target and the overdispersion estimate.
    """
    out = protect_proportions(
        data[PUBLISHED], "women", "n", ["share", "z"], suppress_below, round_to
    )
    theta = float(data["target"].iloc[0]) if len(data) else np.nan
    n, women = (out[c].astype("Float64") for c in ("n", "women"))
    share = (women / n.where(n > 0)).astype(float)
    out["share"] = share.where(out["share"].notna())
    out["z"] = ((share - theta) / np.sqrt(theta * (1 - theta) / n.astype(float))).where(
        out["z"].notna()
    )
    log.info(
        "funnel: %d authorities withheld from the published chart by disclosure control",
        out["share_suppressed"].sum(),
    )
    return out


def chart_limits(
    target: float, n_grid: np.ndarray, tau2: float, levels: tuple[float, ...] = LEVELS
) -> pd.DataFrame:
    """Limits as figures.funnel_plot draws them (long: kind, n, level, lower, upper).

    The limits adjusted for overdispersion only (kind ADJUSTED; the exact binomial limits
    when tau2 is 0), the ones authorities are classified against.
    """
    return funnel_limits(target, n_grid, tau2, levels).assign(kind=ADJUSTED)


def chart_points(
    published: pd.DataFrame,
    flagged: pd.DataFrame,
    limits: str = ADJUSTED,
    level: float = FLAG_LEVEL,
) -> pd.DataFrame:
    """Points as figures.funnel_plot draws them, from the publishable table.

    Authorities whose share is suppressed are left out; outlier marks those in `flagged`
    (the `outliers` table) outside the given limits and level. Columns label, n, share,
    outlier.
    """
    chosen = flagged[(flagged["limits"] == limits) & (flagged["level"] == level)]
    shown = published[published["share"].notna()]
    return pd.DataFrame(
        {
            "label": shown["la_name"],
            "n": shown["n"].astype("int64"),
            "share": shown["share"],
            "outlier": shown["la_code"].isin(chosen["la_code"]),
        }
    ).reset_index(drop=True)
