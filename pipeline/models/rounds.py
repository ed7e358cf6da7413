"""Change in items between two rounds, with an authority effect and the partial-response
adjustment, and each authority's shrunken change.

With a Poisson model of items, log E[y_at] = a_a + gamma * t + delta * partial_at, the
authority effect a_a drops out on conditioning on the authority's total over both rounds:
the second round's count is binomial out of the total, with logit gamma + delta *
(partial_2 - partial_1) (Hausman, Hall and Griliches 1984). exp(gamma) is the ratio of
items in the second round to the first for an authority answering alike in both; the
intervals are HC0 sandwich ones, robust to extra-binomial variation. The cap of K items
pulls the ratio a little towards 1 for authorities near the cap.

Each authority's own change is shrunk by a beta-binomial with the same mean: its share of
its items that fall in round 2 has a beta prior, updated by its two counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import special

from pipeline.models.count import irr_table

COLUMNS = ["n_items_1", "n_items_2", "partial_1", "partial_2"]


def _design(pairs: pd.DataFrame) -> pd.DataFrame:
    """Intercept (the round) and the change in partial response (left out when no pair's
    completeness changed), one row per pair."""
    missing = [c for c in COLUMNS if c not in pairs]
    if missing:
        raise ValueError(f"pairs need columns {missing}")
    step = (pairs["partial_2"] - pairs["partial_1"]).to_numpy(float)
    out = pd.DataFrame({"round": 1.0, "partial": step}, index=pairs.index)
    return out if step.any() else out[["round"]]


def _informative(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs with at least one item in either round (the others carry no information)."""
    total = pairs["n_items_1"].astype(float) + pairs["n_items_2"].astype(float)
    return pairs[total > 0]


def fit_round_change(pairs: pd.DataFrame) -> Any:
    """The conditional (authority-effect) Poisson model as a binomial GLM, HC0 covariance."""
    used = _informative(pairs)
    counts = used[["n_items_2", "n_items_1"]].to_numpy(float)
    return sm.GLM(counts, _design(used), family=sm.families.Binomial()).fit(cov_type="HC0")


def round_change(pairs: pd.DataFrame) -> pd.DataFrame:
    """Ratio of items in round 2 to round 1 (term `round`) and of a partial to a full
    answer (term `partial`), with 95% robust intervals.

    `pairs` has one row per authority answering both rounds: n_items_1, n_items_2 and
    partial_1, partial_2 (1 for a partial response), as `change.item_pairs` gives them.
    Returns [term, estimate, conf_low, conf_high, p_value, n_pairs].
    """
    fit = fit_round_change(pairs)
    return irr_table(fit, robust=False).assign(n_pairs=int(fit.nobs))


def shrunken_change(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each authority's ratio of round-2 to round-1 items, adjusted for partial response.

    adjusted_ratio: (y2 + 0.5) / (y1 + 0.5) over the partial-response ratio of its pair.
    residual: the Pearson residual of y2 out of y1 + y2 in the conditional model.
    shrunken_ratio: exp of the posterior mean of logit(p), less the partial-response term,
    where p, the round-2 share of the pair's items, has a beta prior with the conditional
    model's mean and Williams' (1982) moment estimate of the intra-authority correlation
    rho, max(0, (X^2 - (N - 2)) / sum(n - 1)). With rho = 0 (no heterogeneity in change
    beyond chance) every authority gets exp(gamma) and only the residual orders them.
    Returns `pairs` with adjusted_ratio, residual and shrunken_ratio added.
    """
    fit = fit_round_change(pairs)
    gamma, delta = fit.params["round"], fit.params.get("partial", 0.0)
    y1, y2 = (pairs[c].to_numpy(float) for c in ("n_items_1", "n_items_2"))
    n = y1 + y2
    step = delta * (pairs["partial_2"] - pairs["partial_1"]).to_numpy(float)
    mean = special.expit(gamma + step)
    with np.errstate(divide="ignore", invalid="ignore"):
        residual = np.where(n > 0, (y2 - n * mean) / np.sqrt(n * mean * (1 - mean)), 0.0)
    used = n > 0
    excess = np.sum(residual[used] ** 2) - (used.sum() - 2)
    rho = max(0.0, excess / np.sum(n[used] - 1))
    shrunken = np.full(len(pairs), gamma)
    if rho > 0:
        precision = (1 - rho) / rho
        shrunken = (
            special.digamma(mean * precision + y2)
            - special.digamma((1 - mean) * precision + y1)
            - step
        )
    return pairs.assign(
        adjusted_ratio=np.exp(np.log((y2 + 0.5) / (y1 + 0.5)) - step),
        residual=residual,
        shrunken_ratio=np.exp(shrunken),
    )
