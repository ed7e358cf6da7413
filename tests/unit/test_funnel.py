from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline import funnel as f

ROOT = Path(__file__).resolve().parents[2]


def _responses(adults, women, adults_flag=None, women_flag=None) -> pd.DataFrame:
    k = len(adults)
    return pd.DataFrame(
        {
            "la_code": [f"E0600000{i}" for i in range(k)],
            "la_name": [f"LA {i}" for i in range(k)],
            "region_name": "North East",
            "adults_in_treatment": pd.array(adults, dtype="Int64"),
            "adults_flag": adults_flag or ["exact"] * k,
            "women_in_treatment": pd.array(women, dtype="Int64"),
            "women_flag": women_flag or ["exact"] * k,
        }
    )


def test_funnel_data_keeps_exact_and_approximate_counts_only():
    responses = _responses(
        [100, 200, 300, 400, None, 0],
        [30, 50, 90, 4, 20, 0],
        adults_flag=["exact", "approximate", "exact", "exact", "missing", "exact"],
        women_flag=["exact", "exact", "exact", "censored", "exact", "exact"],
    )
    data = f.funnel_data(responses)
    assert data["la_code"].tolist() == ["E06000000", "E06000001", "E06000002"]
    assert data["approximate"].tolist() == [False, True, False]
    assert data["target"].iloc[0] == pytest.approx(170 / 600)
    theta = 170 / 600
    assert data["z"].iloc[0] == pytest.approx((0.3 - theta) / np.sqrt(theta * (1 - theta) / 100))


def test_funnel_data_uses_a_given_target():
    data = f.funnel_data(_responses([100], [30]), target=0.25)
    assert data["target"].iloc[0] == 0.25
    assert data["z"].iloc[0] == pytest.approx(0.05 / np.sqrt(0.25 * 0.75 / 100))


def test_funnel_data_refuses_bad_input():
    with pytest.raises(ValueError, match="more women than adults.*E06000001"):
        f.funnel_data(_responses([100, 10], [30, 11]))
    two_rounds = pd.concat([_responses([100], [30])] * 2)
    with pytest.raises(ValueError, match="one round"):
        f.funnel_data(two_rounds)


def test_exact_limits_interpolate_between_binomial_counts():
    limits = f.funnel_limits(0.3, [100], levels=(0.95,))
    r = stats.binom.ppf(0.025, 100, 0.3)
    assert (r - 1) / 100 <= limits["lower"].iloc[0] <= r / 100
    assert limits["lower"].iloc[0] == pytest.approx(0.2069, abs=1e-4)
    assert limits["upper"].iloc[0] == pytest.approx(0.3869, abs=1e-4)


def test_exact_limits_approach_the_normal_for_large_n_and_clip_at_zero():
    limits = f.funnel_limits(0.3, [10, 100_000], levels=(0.998,))
    half = stats.norm.ppf(0.999) * np.sqrt(0.21 / 100_000)
    assert limits["lower"].iloc[1] == pytest.approx(0.3 - half, abs=2e-4)
    assert limits["upper"].iloc[1] == pytest.approx(0.3 + half, abs=2e-4)
    assert limits["lower"].iloc[0] == 0
    assert limits["level"].tolist() == [0.998, 0.998]


def test_overdispersed_limits_add_tau2_to_the_binomial_variance():
    limits = f.funnel_limits(0.3, [400], tau2=0.002, levels=(0.95,))
    half = stats.norm.ppf(0.975) * np.sqrt(0.21 / 400 + 0.002)
    assert limits["lower"].iloc[0] == pytest.approx(0.3 - half)
    assert limits["upper"].iloc[0] == pytest.approx(0.3 + half)


def test_overdispersion_by_hand():
    z = np.arange(-4.5, 5)  # winsorised at the 10th/90th percentiles: +-4.5 become +-3.6
    result = f.overdispersion(z, np.full(10, 0.1), winsorise=0.1)
    assert result.phi == pytest.approx((2 * 3.6**2 + 2 * (3.5**2 + 2.5**2 + 1.5**2 + 0.5**2)) / 10)
    # equal weights w = 100: denominator sum w - sum w^2 / sum w = 9 w
    assert result.tau2 == pytest.approx((10 * result.phi - 9) / 900)
    assert result.n_units == 10
    assert result.p_value == pytest.approx(stats.chi2.sf(10 * result.phi, 9))


def test_no_overdispersion_gives_tau2_zero():
    result = f.overdispersion(np.zeros(20), np.full(20, 0.05))
    assert result.tau2 == 0 and result.phi == 0 and result.p_value == 1


def test_unwinsorised_by_default_the_dersimonian_laird_estimate():
    z = np.arange(-4.5, 5)
    assert f.overdispersion(z, np.ones(10)).phi == pytest.approx(np.mean(z**2))
    # DerSimonian-Laird with y = share, v = se^2: Q = sum w (y - target)^2 = sum z^2 when the
    # target is the weighted mean, tau^2 = (Q - (I - 1)) / (sum w - sum w^2 / sum w).
    se = np.array([0.01, 0.02, 0.015, 0.03, 0.01])
    y = np.array([0.30, 0.36, 0.27, 0.40, 0.33])
    w = 1 / se**2
    target = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - target) ** 2)
    tau2 = (q - 4) / (w.sum() - (w**2).sum() / w.sum())
    assert f.overdispersion((y - target) / se, se).tau2 == pytest.approx(tau2)


def _spread() -> pd.DataFrame:
    data = f.funnel_data(_responses([1000, 1000, 1000, 1000, 1000], [600, 100, 300, 310, 290]))
    return data.assign(target=0.3)


def test_outliers_are_named_against_the_adjusted_limits_only():
    out = f.outliers(_spread(), 0.3, tau2=0.0)  # tau2 = 0: the exact binomial limits
    assert sorted(zip(out["la_code"], out["level"], out["side"], strict=True)) == [
        ("E06000000", 0.95, "above"),
        ("E06000000", 0.998, "above"),
        ("E06000001", 0.95, "below"),
        ("E06000001", 0.998, "below"),
    ]
    assert set(out["limits"]) == {f.ADJUSTED}
    assert f.outliers(_spread(), 0.3, tau2=0.5).empty  # tau2 = 0.5 makes every limit 0 to 1
    assert list(out.columns) == ["la_code", "la_name", "region_name", "limits", "level", "side"]


def test_outliers_agree_with_the_limits_at_each_n():
    data = _spread()
    limits = f.funnel_limits(0.3, data["n"], tau2=0.001, levels=(0.95,)).iloc[0]
    out = f.outliers(data, 0.3, tau2=0.001, levels=(0.95,))
    outside = (data["share"] < limits["lower"]) | (data["share"] > limits["upper"])
    assert set(out["la_code"]) == set(data.loc[outside, "la_code"])


def test_outliers_follow_the_published_points_not_the_exact_counts():
    # 17 women of 33 adults lie above the exact 95% limit around 0.3; rounded to 15 of 35
    # the published point lies inside it. Listing it from the exact counts would tell a
    # reader that the hidden share is above the limit, which only 17 of 33 or 34 satisfies.
    data = f.funnel_data(_responses([33, 5], [17, 2])).assign(target=0.3)
    upper = f.funnel_limits(0.3, [33, 35], levels=(0.95,))["upper"].tolist()
    assert upper[0] < 17 / 33 and upper[1] > 15 / 35
    assert len(f.outliers(data, 0.3, 0.0, (0.95,))) == 1
    published = f.publishable_funnel(data, suppress_below=8, round_to=5)
    assert published["n"].iloc[0] == 35 and published["share"].isna().tolist() == [False, True]
    assert f.outliers(published, 0.3, 0.0, (0.95,)).empty  # the suppressed one is not classified


def test_expected_false_flags_are_n_times_the_tail():
    assert f.expected_false_flags(106) == pytest.approx({"0.95": 5.3, "0.998": 0.212})


def test_ndtms_target_is_the_latest_year_begun_by_the_round():
    ndtms = pd.read_csv(ROOT / "data/reference/ndtms_england.csv")
    assert f.ndtms_target(ndtms, 2024) == (pytest.approx(94_135 / 289_215), "2021/22")
    share, year = f.ndtms_target(ndtms, 2015)
    row = ndtms[ndtms["financial_year"] == "2015/16"].set_index("sex")["adults_in_treatment"]
    assert (share, year) == (pytest.approx(row["female"] / row["total"]), "2015/16")
    with pytest.raises(ValueError, match="no NDTMS financial year begins by 2001"):
        f.ndtms_target(ndtms, 2001)


def test_limit_grid_spans_one_to_the_largest_n():
    grid = f.limit_grid(pd.Series([40, 2500]), points=50)
    assert grid[0] == 1 and grid[-1] == 2500 and np.all(np.diff(grid) > 0)


def test_publishable_funnel_hides_shares_that_would_reveal_small_counts():
    data = f.funnel_data(_responses([200, 200, 203, 5], [5, 195, 61, 2]))
    out = f.publishable_funnel(data, suppress_below=8, round_to=5)
    assert out["women_suppressed"].tolist() == [True, True, False, True]
    assert out["share"].isna().tolist() == [True, True, False, True]
    assert out["z"].isna().tolist() == [True, True, False, True]
    assert out["n"].tolist()[:3] == [200, 200, 205]
    assert out["women"].iloc[2] == 60
    # The share and z come from the rounded counts: 61 of 203 cannot be read back.
    assert out["share"].iloc[2] == pytest.approx(60 / 205)
    theta = data["target"].iloc[0]
    assert out["z"].iloc[2] == pytest.approx(
        (60 / 205 - theta) / np.sqrt(theta * (1 - theta) / 205)
    )


def _consistent(women: int, n: int, share: float) -> list[tuple[int, int]]:
    """Every (women, adults) within rounding to 5 of the published counts whose share, to
    six decimals, is the published share: what a hostile reader can narrow the truth to."""
    return [
        (w, a)
        for a in range(n - 2, n + 3)
        for w in range(women - 2, women + 3)
        if round(w / a, 6) == round(share, 6)
    ]


def test_published_shares_do_not_give_back_the_exact_counts():
    rng = np.random.default_rng(3)
    adults = rng.integers(200, 3000, 60)
    women = rng.binomial(adults, 0.32)
    data = f.funnel_data(_responses(list(adults), list(women)))
    out = f.publishable_funnel(data, suppress_below=8, round_to=5)
    exact_share_leaks = 0
    for (_, row), a, w in zip(out.iterrows(), adults, women, strict=True):
        # Published: nothing beyond the rounded counts themselves.
        assert _consistent(row["women"], row["n"], row["share"]) == [(row["women"], row["n"])]
        # A share of the exact counts beside the rounded ones would single out the truth.
        exact_share_leaks += _consistent(row["women"], row["n"], w / a) == [(w, a)]
    assert exact_share_leaks >= 55


def test_chart_limits_are_the_adjusted_limits_only():
    out = f.chart_limits(0.3, np.array([100, 400]), tau2=0.002)
    assert {"n", "level", "lower", "upper", "kind"} <= set(out.columns)
    assert out.groupby("kind").size().to_dict() == {f.ADJUSTED: 4}
    long = f.funnel_limits(0.3, [400], 0.002, (0.998,))
    adjusted = out[(out["n"] == 400) & (out["level"] == 0.998)]
    assert adjusted["upper"].iloc[0] == pytest.approx(long["upper"].iloc[0])
    exact = f.chart_limits(0.3, np.array([100]), tau2=0.0)
    assert exact["upper"].tolist() == f.funnel_limits(0.3, [100])["upper"].tolist()


def test_chart_points_leave_out_withheld_authorities_and_mark_outliers():
    data = f.funnel_data(_responses([200, 1000, 1000, 1000], [5, 600, 300, 310])).assign(target=0.3)
    published = f.publishable_funnel(data, 8, 5)
    points = f.chart_points(published, f.outliers(published, 0.3, tau2=0.0))
    assert points["label"].tolist() == ["LA 1", "LA 2", "LA 3"]
    assert points["outlier"].tolist() == [True, False, False]
    assert points["n"].tolist() == [1000, 1000, 1000]


def test_robust_tau2_is_consistent_and_barely_moved_by_outliers():
    rng = np.random.default_rng(11)
    n, theta, tau2 = 20_000, 0.3, 0.0009
    adults = rng.integers(100, 4000, n)
    se = np.sqrt(theta * (1 - theta) / adults)
    share = theta + rng.normal(0, np.sqrt(tau2 + se**2))
    z = (share - theta) / se
    robust = f.robust_overdispersion(z, se)
    assert robust.tau2 == pytest.approx(tau2, rel=0.05)
    assert robust.phi == pytest.approx(np.mean(z**2))
    # Its defining equation: capped squared standardised z-scores average E min(chi2_1, 4).
    u2 = z**2 / (1 + robust.tau2 / se**2)
    expected = stats.chi2.cdf(4, 3) + 4 * stats.chi2.sf(4, 1)
    assert np.mean(np.minimum(u2, 4)) == pytest.approx(expected, abs=1e-9)
    # 1% of authorities 0.15 off: the plain moment estimate jumps, the robust one barely.
    off = share + np.where(np.arange(n) < n // 100, 0.15, 0.0)
    z_off = (off - theta) / se
    assert f.overdispersion(z_off, se).tau2 > 1.2 * tau2
    assert f.robust_overdispersion(z_off, se).tau2 < 1.06 * tau2


def test_robust_tau2_is_zero_without_overdispersion():
    assert f.robust_overdispersion(np.zeros(20), np.full(20, 0.05)).tau2 == 0
