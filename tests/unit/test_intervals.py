"""The Wilson interval against published values and its closed forms."""

import numpy as np
import pytest
from scipy import stats

from pipeline.intervals import wilson_interval


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        # Newcombe RG (1998) Two-sided confidence intervals for the single proportion:
        # comparison of seven methods. Stat Med 17:857-872: his examples, method 3 (score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
        # The textbook example: 3 of 10.
        (3, 10, 0.1078, 0.6032),
    ],
)
def test_wilson_interval_matches_published_values(count, n, low, high):
    got = wilson_interval(count, n, significance=0.05)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_level_follows_significance():
    # 3 of 10 at 90%: z = 1.6449, centre (3 + z^2/2) / (10 + z^2) = 4.3528 / 12.7055 = 0.3426,
    # half-width z / (10 + z^2) * sqrt(3 * 7 / 10 + z^2 / 4) = 0.12946 * 1.6662 = 0.2157.
    assert wilson_interval(3, 10, significance=0.10) == pytest.approx((0.1269, 0.5583), abs=5e-5)


def test_closed_forms_at_none_and_all():
    # With 0 of n the interval is [0, z^2 / (n + z^2)]; with n of n, [n / (n + z^2), 1].
    z2 = stats.norm.ppf(0.975) ** 2
    n = np.array([1, 2, 7, 40])
    low, high = wilson_interval(np.zeros(4), n, significance=0.05)
    np.testing.assert_allclose(low, 0, atol=1e-15)
    np.testing.assert_allclose(high, z2 / (n + z2))
    low, high = wilson_interval(n, n, significance=0.05)
    np.testing.assert_allclose(low, n / (n + z2))
    np.testing.assert_allclose(high, 1)


def test_interval_is_symmetric_under_swapping_successes_and_failures():
    count, n = np.arange(11), np.full(11, 10)
    low, high = wilson_interval(count, n, significance=0.05)
    swapped_low, swapped_high = wilson_interval(n - count, n, significance=0.05)
    np.testing.assert_allclose(low, 1 - swapped_high)
    np.testing.assert_allclose(high, 1 - swapped_low)


def test_no_trials_gives_nan_and_leaves_the_rest():
    low, high = wilson_interval([3, 0, 0], [10, 0, 20], significance=0.05)
    assert np.isnan(low[1]) and np.isnan(high[1])
    assert (low[0], high[0]) == pytest.approx((0.1078, 0.6032), abs=5e-5)
    assert (low[2], high[2]) == pytest.approx((0.0, 0.1611), abs=5e-5)


def test_rounded_counts_widen_each_side_by_the_rounding_variance():
    # 40 of 100, both counts published to the nearest 5: the rounding adds
    # z^2 (25 - 1) / 12 (1 + 0.16) / 100^2 = 0.00089122 to each side's squared half-width,
    # so Wilson's 0.30940 to 0.49800 becomes 0.30461 to 0.50244.
    plain = wilson_interval(40, 100, significance=0.05)
    rounded = wilson_interval(40, 100, significance=0.05, round_to=5)
    assert plain == pytest.approx((0.30940, 0.49800), abs=5e-6)
    assert rounded == pytest.approx((0.30461, 0.50244), abs=5e-6)
    low, high = wilson_interval([0, 20], [20, 20], significance=0.05, round_to=5)
    assert low[0] == 0 and high[1] == 1  # kept within 0 to 1
