import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline import funnel as f


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
    result = f.overdispersion(z, np.full(10, 0.1))
    assert result.phi == pytest.approx((2 * 3.6**2 + 2 * (3.5**2 + 2.5**2 + 1.5**2 + 0.5**2)) / 10)
    # equal weights w = 100: denominator sum w - sum w^2 / sum w = 9 w
    assert result.tau2 == pytest.approx((10 * result.phi - 9) / 900)
    assert result.n_units == 10
    assert result.p_value == pytest.approx(stats.chi2.sf(10 * result.phi, 9))


def test_no_overdispersion_gives_tau2_zero():
    result = f.overdispersion(np.zeros(20), np.full(20, 0.05))
    assert result.tau2 == 0 and result.phi == 0 and result.p_value == 1


def test_winsorise_zero_keeps_the_extremes():
    z = np.arange(-4.5, 5)
    assert f.overdispersion(z, np.ones(10), winsorise=0).phi == pytest.approx(np.mean(z**2))


def _spread() -> pd.DataFrame:
    data = f.funnel_data(_responses([1000, 1000, 1000, 1000, 1000], [600, 100, 300, 310, 290]))
    return data.assign(target=0.3)


def test_outliers_unadjusted_and_adjusted():
    out = f.outliers(_spread(), tau2=0.5)
    unadjusted = out[out["limits"] == f.UNADJUSTED]
    assert sorted(
        zip(unadjusted["la_code"], unadjusted["level"], unadjusted["side"], strict=True)
    ) == [
        ("E06000000", 0.95, "above"),
        ("E06000000", 0.998, "above"),
        ("E06000001", 0.95, "below"),
        ("E06000001", 0.998, "below"),
    ]
    assert out[out["limits"] == f.ADJUSTED].empty  # tau2 = 0.5 makes every limit 0 to 1
    assert list(out.columns) == ["la_code", "la_name", "region_name", "limits", "level", "side"]


def test_outliers_agree_with_the_limits_at_each_n():
    data = _spread()
    limits = f.funnel_limits(0.3, data["n"], levels=(0.95,)).iloc[0]
    out = f.outliers(data, tau2=0.0, levels=(0.95,))
    outside = (data["share"] < limits["lower"]) | (data["share"] > limits["upper"])
    assert set(out.loc[out["limits"] == f.UNADJUSTED, "la_code"]) == set(
        data.loc[outside, "la_code"]
    )


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
    assert out["share"].iloc[2] == pytest.approx(61 / 203)


def test_chart_limits_are_long_with_one_kind_per_adjustment():
    out = f.chart_limits(0.3, np.array([100, 400]), tau2=0.002)
    assert {"n", "level", "lower", "upper", "kind"} <= set(out.columns)
    assert out.groupby("kind").size().to_dict() == {f.ADJUSTED: 4, f.UNADJUSTED: 4}
    long = f.funnel_limits(0.3, [400], 0.002, (0.998,))
    adjusted = out[(out["kind"] == f.ADJUSTED) & (out["n"] == 400) & (out["level"] == 0.998)]
    assert adjusted["upper"].iloc[0] == pytest.approx(long["upper"].iloc[0])
    assert set(f.chart_limits(0.3, np.array([100]), tau2=0.0)["kind"]) == {f.UNADJUSTED}


def test_chart_points_leave_out_withheld_authorities_and_mark_outliers():
    data = f.funnel_data(_responses([200, 1000, 1000, 1000], [5, 600, 300, 310])).assign(target=0.3)
    published = f.publishable_funnel(data, 8, 5)
    points = f.chart_points(published, f.outliers(data, tau2=0.0))
    assert points["label"].tolist() == ["LA 1", "LA 2", "LA 3"]
    assert points["outlier"].tolist() == [True, False, False]
    assert points["n"].tolist() == [1000, 1000, 1000]
