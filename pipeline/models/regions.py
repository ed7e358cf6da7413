"""Variation between regions: the likelihood-ratio test of region, and the region variance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import optimize, special, stats
from statsmodels.stats.meta_analysis import combine_effects

from pipeline.config import Family
from pipeline.models.count import fit_count
from pipeline.models.frame import one_round, responders, tidy_term

_Z = stats.norm.ppf(0.975)  # 95% intervals


def region_lr(fit: Callable[[list[str]], Any], covariates: list[str], label: str) -> pd.DataFrame:
    """LR test of region: `fit(covariates)` against the same model fitted without region.

    Returns [test, statistic, df, p_value], the test named `region (<label>)`.
    """
    full = fit(covariates)
    reduced = fit([c for c in covariates if c != "region"])
    lr = max(2.0 * (full.llf - reduced.llf), 0.0)
    df = len(full.params) - len(reduced.params)
    return pd.DataFrame(
        {
            "test": [f"region ({label})"],
            "statistic": [lr],
            "df": [df],
            "p_value": [stats.chi2.sf(lr, df)],
        }
    )


def region_lr_test(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, family: Family
) -> pd.DataFrame:
    """LR test of region in one round's count model. Returns [test, statistic, df, p_value]."""
    frame = one_round(frame)
    return region_lr(
        lambda terms: fit_count(frame, terms, reference_region, family), covariates, family
    )


def _q_profile(effect: np.ndarray, variance: np.ndarray) -> tuple[float, float]:
    """95% Q-profile interval for tau^2 (Viechtbauer 2007)."""

    def q(tau2: float) -> float:
        w = 1.0 / (variance + tau2)
        return float(np.sum(w * (effect - np.sum(w * effect) / np.sum(w)) ** 2))

    def solve(target: float) -> float:
        if q(0.0) <= target:
            return 0.0
        high = 1.0
        while q(high) > target:
            high *= 2.0
        return optimize.brentq(lambda t: q(t) - target, 0.0, high)

    k = len(effect)
    return solve(stats.chi2.ppf(0.975, k - 1)), solve(stats.chi2.ppf(0.025, k - 1))


@dataclass(frozen=True)
class RegionVariance:
    """Between-region variance of log mean items, and the region effects behind it."""

    effects: pd.DataFrame  # [region, region_name, n, log_effect, se]: NB2 region intercepts
    mean_effect: float  # random-effects mean of the region intercepts
    tau2: float
    tau2_low: float
    tau2_high: float
    q: float
    p_heterogeneity: float
    level1_variance: float
    share: float
    share_low: float
    share_high: float

    def summary(self) -> pd.DataFrame:
        """[quantity, estimate, conf_low, conf_high] for tau^2 and the region share."""
        return pd.DataFrame(
            {
                "quantity": ["tau2", "region_share"],
                "estimate": [self.tau2, self.share],
                "conf_low": [self.tau2_low, self.share_low],
                "conf_high": [self.tau2_high, self.share_high],
            }
        )


def region_variance(frame: pd.DataFrame, covariates: list[str]) -> RegionVariance:
    """Between-region variance: NB2 with one intercept per region (cell-means coding),
    then a Paule-Mandel random-effects meta-analysis of those intercepts.

    The region share is tau^2 / (tau^2 + s^2), where s^2 = trigamma(1 / (1/mu + alpha)) is
    the level-1 (authority) variance on the log scale of an NB2 with mean mu (the mean
    fitted count) and dispersion alpha: the trigamma approximation that Nakagawa, Johnson
    and Schielzeth (2017) found most accurate for log-link models (log(1 + 1/mu + alpha),
    the lognormal one, is smaller by a third at mu = 5, alpha = 0.3, and would inflate the
    share). Its interval maps the Q-profile interval of tau^2, holding s^2 fixed.
    The meta-analysis treats the intercepts as independent; they share the slopes, a small
    covariance ignored here.
    """
    rows = responders(one_round(frame))
    others = [c for c in covariates if c != "region"]
    nb = smf.negativebinomial("n_items ~ " + " + ".join(["0 + C(region)", *others]), rows).fit(
        disp=0, maxiter=200
    )
    terms = [n for n in nb.params.index if n.startswith("C(region)")]
    effect = nb.params[terms].to_numpy()
    variance = np.diag(nb.cov_params().loc[terms, terms].to_numpy())
    regions = [tidy_term(t)[len("region[") : -1] for t in terms]
    names = rows.groupby("region")["region_name"].first() if "region_name" in rows else None
    effects = pd.DataFrame(
        {
            "region": regions,
            "region_name": names.reindex(regions).to_numpy() if names is not None else regions,
            "n": rows["region"].value_counts().reindex(regions).to_numpy(),
            "log_effect": effect,
            "se": np.sqrt(variance),
        }
    )
    meta = combine_effects(effect, variance, method_re="pm")
    tau2 = float(meta.tau2)
    low, high = _q_profile(effect, variance)
    level1 = float(special.polygamma(1, 1.0 / (1.0 / nb.predict().mean() + nb.params["alpha"])))
    share = [t / (t + level1) for t in (tau2, low, high)]
    return RegionVariance(
        effects,
        float(meta.mean_effect_re),
        tau2,
        low,
        high,
        float(meta.q),
        float(stats.chi2.sf(meta.q, len(effect) - 1)),
        level1,
        *share,
    )


def region_effects_table(rv: RegionVariance) -> pd.DataFrame:
    """Region effects for a caterpillar plot, as rate ratios against the random-effects mean.

    Raw estimates with 95% CIs (the uncertainty of the mean is ignored) and empirical Bayes
    shrunken estimates (each pulled to the mean by tau^2 / (tau^2 + se^2)).
    Returns [region, region_name, n, estimate, conf_low, conf_high, shrunken].
    """
    e = rv.effects
    centred = e["log_effect"] - rv.mean_effect
    weight = rv.tau2 / (rv.tau2 + e["se"] ** 2)
    return (
        e[["region", "region_name", "n"]]
        .assign(
            estimate=np.exp(centred),
            conf_low=np.exp(centred - _Z * e["se"]),
            conf_high=np.exp(centred + _Z * e["se"]),
            shrunken=np.exp(weight * centred),
        )
        .sort_values("estimate", ignore_index=True)
    )
