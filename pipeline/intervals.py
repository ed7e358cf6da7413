"""The Wilson score interval for a proportion, defined once for every module reporting a share."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def wilson_interval(
    count: ArrayLike, n: ArrayLike, significance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for the proportion count / n, element by element.

    Parameters
    ----------
    count, n
        Successes and trials (scalars or arrays of one shape).
    significance
        One minus the confidence level: 0.05 gives 95% intervals.

    Returns
    -------
    low, high
        Float arrays of the shape of `n`; NaN where n is 0.
    """
    from statsmodels.stats.proportion import proportion_confint  # slow to import; rarely used

    count, n = np.asarray(count, float), np.asarray(n, float)
    low, high = np.full(n.shape, np.nan), np.full(n.shape, np.nan)
    ok = n > 0
    low[ok], high[ok] = proportion_confint(count[ok], n[ok], alpha=significance, method="wilson")
    return low, high
