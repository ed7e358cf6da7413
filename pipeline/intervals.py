"""The Wilson score interval for a proportion, defined once for every module reporting a share,
and the allowance it needs when the counts it is computed from were rounded for publication."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def wilson_interval(
    count: ArrayLike, n: ArrayLike, significance: float, round_to: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for the proportion count / n, element by element.

    Parameters
    ----------
    count, n
        Successes and trials (scalars or arrays of one shape).
    significance
        One minus the confidence level: 0.05 gives 95% intervals.
    round_to
        When the counts are published ones, each rounded to a multiple of `round_to`: each
        side of the interval is widened by the rounding's variance (`rounding_variance`),
        added in quadrature, and kept within 0 to 1. 1 (the default): exact counts.

    Returns
    -------
    low, high
        Float arrays of the shape of `n`; NaN where n is 0.
    """
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint  # slow to import; rarely used

    count, n = np.asarray(count, float), np.asarray(n, float)
    low, high = np.full(n.shape, np.nan), np.full(n.shape, np.nan)
    ok = n > 0
    low[ok], high[ok] = proportion_confint(count[ok], n[ok], alpha=significance, method="wilson")
    if round_to > 1:
        share = np.divide(count, n, out=np.full(n.shape, np.nan), where=ok)
        extra = stats.norm.ppf(1 - significance / 2) ** 2 * rounding_variance(share, n, round_to)
        low = np.clip(share - np.sqrt((share - low) ** 2 + extra), 0.0, 1.0)
        high = np.clip(share + np.sqrt((high - share) ** 2 + extra), 0.0, 1.0)
    return low, high


def rounding_variance(share: ArrayLike, n: ArrayLike, round_to: int) -> np.ndarray:
    """The variance a share k/n gains when k and n are each rounded to a multiple of
    `round_to`: each rounding error is about uniform, variance (round_to^2 - 1) / 12, and
    the share moves by (e_k - share e_n) / n to first order (Sheppard's correction)."""
    share, n = np.asarray(share, float), np.asarray(n, float)
    return (round_to**2 - 1) / 12 * (1 + share**2) / n**2
