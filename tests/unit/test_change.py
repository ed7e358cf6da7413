from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from pipeline import change as c
from pipeline import models
from pipeline.taxonomy import ITEM_IDS

ROUNDS = ("2021", "2024")
SIGNIFICANCE = 0.05
NO_RULE = {"suppress_below": 1, "round_to": 1}  # publishes every count as it is


def _common(first: list[str], second: list[str], items=(None, None)) -> pd.DataFrame:
    """Ten authorities; women_groups answers as given, every other item 'no' in both rounds."""
    rows = []
    for name, answers, n_items in zip(ROUNDS, (first, second), items, strict=True):
        for i, answer in enumerate(answers):
            row = {
                "round": name,
                "la_code": f"E{i:02d}",
                "la_name": f"LA {i} ({name})",
                "region_name": "London",
                "responded": True,
                "status": "full",
                "inherited": i == 0,
                **dict.fromkeys(ITEM_IDS, "no"),
                "women_groups": answer,
            }
            row["n_items"] = None if n_items is None else n_items[i]
            rows.append(row)
    out = pd.DataFrame(rows)
    out["n_items"] = out["n_items"].astype("Int64")
    return out


def test_mcnemar_items_counts_and_exact_p():
    first = ["yes"] * 8 + ["no"] * 2
    second = ["no"] * 6 + ["yes"] * 2 + ["no"] * 2
    common = _common(first, second)
    out = c.mcnemar_items(common, ROUNDS, significance=SIGNIFICANCE).set_index("item")
    row = out.loc["women_groups"]
    assert (row["n_pairs"], row["yes_to_no"], row["no_to_yes"]) == (10, 6, 0)
    assert row["share_1"] == 0.8 and row["share_2"] == 0.2
    assert row["p_value"] == pytest.approx(2 / 64)
    assert row["p_holm"] == pytest.approx(13 * 2 / 64)
    low, high = proportion_confint(8, 10, method="wilson")
    assert (row["conf_low_1"], row["conf_high_1"]) == pytest.approx((low, high))
    # an item answered 'no' by everyone in both rounds still gives a 2 x 2 table
    assert out.loc["childcare", ["yes_to_no", "no_to_yes", "p_value"]].tolist() == [0, 0, 1.0]
    assert out.loc["childcare", "share_2"] == 0


def test_mcnemar_items_drops_unanswered_items_and_non_responders():
    first = ["yes"] * 8 + ["not_held", "unknown"]
    common = _common(first, ["no"] * 10)
    common.loc[(common["round"] == "2024") & (common["la_code"] == "E00"), "responded"] = False
    out = c.mcnemar_items(common, ROUNDS, significance=SIGNIFICANCE).set_index("item")
    assert out.loc["women_groups", "n_pairs"] == 7
    assert out.loc["childcare", "n_pairs"] == 9


def test_unknown_round_is_refused():
    with pytest.raises(ValueError, match="rounds \\['2019'\\] are not in the common table"):
        c.mcnemar_items(_common(["no"], ["no"]), ("2019", "2024"), significance=SIGNIFICANCE)


def _exact_signed_rank_p(d: np.ndarray) -> float:
    ranks = stats.rankdata(np.abs(d))
    ranks[d == 0] = 0
    centre = ranks.sum() / 2
    null = np.array(list(product([0, 1], repeat=d.size))) @ ranks
    return float(np.mean(np.abs(null - centre) >= abs(ranks[d > 0].sum() - centre) - 1e-9))


def test_signed_rank_test_matches_full_enumeration_with_ties_and_zeros():
    d = np.array([0, 0, 1, 1, 1, 2, 2, -1, 3, 1, 4, -2])
    exact = _exact_signed_rank_p(d)
    p = c.signed_rank_test(d, np.random.default_rng(5), n_resamples=9999)
    assert p == pytest.approx(exact, abs=3 * np.sqrt(exact * (1 - exact) / 9999) + 1e-4)


def test_signed_rank_test_with_no_change_is_one():
    assert c.signed_rank_test(np.zeros(6), np.random.default_rng(1), n_resamples=99) == 1


def test_paired_items_change():
    before = [3, 4, 5, 6, 2, 2, 7, 8, 5, 5]
    after = [4, 5, 6, 7, 2, 2, 9, 7, 6, 5]
    common = _common(["no"] * 10, ["no"] * 10, items=(before, after))
    common.loc[(common["round"] == "2024") & (common["la_code"] == "E09"), "n_items"] = pd.NA
    out = c.paired_items_change(
        common, ROUNDS, np.random.default_rng(3), significance=SIGNIFICANCE
    ).set_index("statistic")
    d = np.array(after[:9]) - np.array(before[:9])
    assert out["n_pairs"].tolist() == [9, 9]
    assert out.loc["mean_difference", "estimate"] == pytest.approx(d.mean())
    assert out.loc["mean_difference", "p_value"] == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    assert out.loc["median_difference", "estimate"] == 1
    assert (
        out.loc["median_difference", "conf_low"] <= 1 <= out.loc["median_difference", "conf_high"]
    )
    assert out.loc["median_difference", "p_value"] == pytest.approx(
        _exact_signed_rank_p(d), abs=0.015
    )


def test_dumbbell_data_sorted_by_change_with_current_names():
    common = _common(["no"] * 3, ["no"] * 3, items=([5, 1, 2], [3, 3, 0]))
    out = c.dumbbell_data(models.shrunken_change(c.item_pairs(common, ROUNDS)))
    assert out["la_code"].tolist() == ["E01", "E00", "E02"]
    assert out["change"].tolist() == [2, -2, -2]
    assert out[["before", "after"]].iloc[0].tolist() == [1, 3]
    assert out["la_name"].iloc[0] == "LA 1 (2024)"
    assert out["inherited"].tolist() == [False, True, False]


def test_dumbbell_chooses_by_shrunken_change_not_raw_change():
    # LA 0 rises most (3 to 9 items), but its first answer was partial, and partial first
    # answers double at the next full one (LA 2-9: 3 to 6). LA 1 rises from 5 to 10 with
    # full answers both times: the largest change once partial answers are allowed for.
    before = [3, 5] + [3] * 8 + [6] * 10
    after = [9, 10] + [6] * 8 + [6] * 10
    common = _common(["no"] * 20, ["no"] * 20, items=(before, after))
    first = common["round"] == "2021"
    common.loc[
        first & common["la_code"].isin([f"E{i:02d}" for i in [0, *range(2, 10)]]), "status"
    ] = "partial"
    out = c.dumbbell_data(models.shrunken_change(c.item_pairs(common, ROUNDS)), show=1)
    assert len(out) == 2
    assert out["la_code"].iloc[0] == "E01"
    assert "E00" not in out["la_code"].tolist()
    raw = out["change"].max()
    assert raw < 6  # the raw extreme, LA 0, is not shown


def test_item_pairs_give_the_conditional_ratio_of_items():
    before, after = [3, 4, 5, 6, 2], [4, 5, 6, 8, 2]
    common = _common(["no"] * 5, ["no"] * 5, items=(before, after))
    pairs = c.item_pairs(common, ROUNDS)
    assert pairs[["partial_1", "partial_2"]].to_numpy().sum() == 0
    out = models.round_change(pairs).set_index("term")
    assert out.at["round", "estimate"] == pytest.approx(25 / 20)
    assert out.at["round", "n_pairs"] == 5


def _survey() -> pd.DataFrame:
    """Two options over three waves; 'housing' not asked in 2021; one missing answer per wave."""
    ticks = {
        "2021": {"childcare": [1, 1, 0, 0, None]},
        "2023": {"childcare": [1, 1, 1, 0, None, 0], "housing": [1, 0, 0, 0, 0, None]},
        "2025": {"childcare": [1, 0, 0, None], "housing": [1, 1, 1, None]},
    }
    rows = []
    for wave, options in ticks.items():
        for option in ("childcare", "housing"):
            for i, tick in enumerate(options.get(option, [None] * 5)):
                status = (
                    "not_asked"
                    if option not in options
                    else "missing"
                    if tick is None
                    else "answered"
                )
                rows.append(
                    (wave, f"org{i}", "barrier", option, "" if tick is None else str(tick), status)
                )
    return pd.DataFrame(rows, columns=["wave", "org_id", "question", "option", "value", "status"])


def test_wave_proportions_exclude_missing_and_not_asked():
    out = c.wave_proportions(_survey(), "barrier", significance=SIGNIFICANCE)
    assert list(zip(out["wave"], out["option"], strict=True)) == [
        ("2021", "childcare"),
        ("2023", "childcare"),
        ("2023", "housing"),
        ("2025", "childcare"),
        ("2025", "housing"),
    ]
    assert out["n"].tolist() == [4, 5, 5, 3, 3]
    assert out["n_missing"].tolist() == [1, 1, 1, 1, 1]
    assert out["count"].tolist() == [2, 3, 1, 1, 3]
    low, high = proportion_confint(3, 5, method="wilson")
    assert (out.loc[1, "conf_low"], out.loc[1, "conf_high"]) == pytest.approx((low, high))


def test_wave_order_follows_the_given_list():
    out = c.wave_proportions(
        _survey(), "barrier", waves=["2025", "2023", "2021"], significance=SIGNIFICANCE
    )
    assert out["wave"].tolist()[0] == "2025"
    with pytest.raises(ValueError, match="waves \\['2025'\\] are not in the wave list"):
        c.wave_proportions(_survey(), "barrier", waves=["2021", "2023"], significance=SIGNIFICANCE)


def test_wave_proportions_refuse_a_value_that_is_not_a_tick():
    survey = _survey()
    survey.loc[0, "value"] = "3"
    with pytest.raises(ValueError, match="wave 2021, org org0, option 'childcare'.*'3'"):
        c.wave_proportions(survey, "barrier", significance=SIGNIFICANCE)
    with pytest.raises(ValueError, match="no survey rows for question 'support'"):
        c.wave_proportions(survey, "support", significance=SIGNIFICANCE)


def test_wave_changes_compare_only_options_asked_in_both_waves():
    out = c.wave_changes(_survey(), "barrier", significance=SIGNIFICANCE, **NO_RULE)
    assert list(
        zip(out["comparison"], out["wave_from"], out["wave_to"], out["option"], strict=True)
    ) == [
        ("consecutive", "2021", "2023", "childcare"),
        ("consecutive", "2023", "2025", "childcare"),
        ("consecutive", "2023", "2025", "housing"),
        ("first_to_last", "2021", "2025", "childcare"),
    ]
    row = out.iloc[2]
    assert row["estimate"] == pytest.approx(3 / 3 - 1 / 5)
    low, high = confint_proportions_2indep(3, 3, 1, 5, method="newcomb", compare="diff")
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high))
    assert out["p_holm"].min() == pytest.approx(min(1, 4 * out["p_value"].min()))


def _two_waves(first: list[int], second: list[int], orgs_second: list[str]) -> pd.DataFrame:
    rows = [("2021", f"org{i}", v) for i, v in enumerate(first)]
    rows += [("2023", org, v) for org, v in zip(orgs_second, second, strict=True)]
    return pd.DataFrame(
        [(w, o, "barrier", "childcare", str(v), "answered") for w, o, v in rows],
        columns=["wave", "org_id", "question", "option", "value", "status"],
    )


def test_wave_changes_without_overlap_are_newcombe_and_the_two_sample_z_test():
    first, second = [1] * 12 + [0] * 18, [1] * 20 + [0] * 15
    survey = _two_waves(first, second, [f"new{i}" for i in range(35)])
    row = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **NO_RULE).iloc[0]
    assert row["n_both"] == 0
    low, high = confint_proportions_2indep(20, 35, 12, 30, method="newcomb", compare="diff")
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high))
    table = np.array([[12, 18], [20, 15]])
    p = stats.chi2_contingency(table, correction=False)[1]  # Pearson = pooled z squared
    assert row["p_value"] == pytest.approx(p)


def test_wave_changes_pair_organisations_answering_both_waves():
    # The same 30 organisations answer both waves, 26 of them alike: the shares' difference
    # is much better determined than two independent samples would allow.
    first = [1] * 12 + [0] * 18
    second = [1] * 12 + [0] * 14 + [1] * 4
    survey = _two_waves(first, second, [f"org{i}" for i in range(30)])
    row = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **NO_RULE).iloc[0]
    assert row["n_both"] == 30
    low, high = confint_proportions_2indep(16, 30, 12, 30, method="newcomb", compare="diff")
    assert row["conf_high"] - row["conf_low"] < 0.6 * (high - low)
    assert row["conf_low"] < 4 / 30 < row["conf_high"]
    # Paired, the pooled z's variance is p(1 - p) (2/30) (1 - phi): phi of the 2 x 2 table.
    phi = np.corrcoef(first, second)[0, 1]
    pooled = 28 / 60
    z = (4 / 30) / np.sqrt(pooled * (1 - pooled) * (2 / 30) * (1 - phi))
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(z))


def test_wave_changes_with_no_ticks_in_either_wave_has_p_one():
    survey = _survey()
    survey.loc[survey["status"] == "answered", "value"] = "0"
    out = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **NO_RULE)
    assert (out["estimate"] == 0).all() and (out["p_value"] == 1).all()


RULE = {"suppress_below": 8, "round_to": 5}


def test_wave_changes_are_computed_from_the_published_counts():
    # 23 of 41 and 27 of 52, no organisation in both: published (rounded to 5, half up) as
    # 25 of 40 and 25 of 50, so the difference is 25/50 - 25/40 = -0.125, not 27/52 - 23/41.
    first, second = [1] * 23 + [0] * 18, [1] * 27 + [0] * 25
    survey = _two_waves(first, second, [f"new{i}" for i in range(52)])
    row = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **RULE).iloc[0]
    assert [row[k] for k in ("count_from", "n_from", "count_to", "n_to")] == [25, 40, 25, 50]
    assert (row["share_from"], row["share_to"]) == (0.625, 0.5)
    assert row["estimate"] == pytest.approx(-0.125)
    # Newcombe's interval and the z-test, each share's variance grown by its rounding: a
    # count rounded to 5 is off by -2..2, variance 2; a share k/n by 2 (1 + p^2) / n^2.
    rounding = 2 * (1 + 0.625**2) / 40**2 + 2 * (1 + 0.5**2) / 50**2
    (l_a, l_b), (u_a, u_b) = proportion_confint([25, 25], [40, 50], 0.05, method="wilson")
    z = stats.norm.ppf(0.975)
    low = -0.125 - np.sqrt((0.5 - l_b) ** 2 + (u_a - 0.625) ** 2 + z**2 * rounding)
    high = -0.125 + np.sqrt((u_b - 0.5) ** 2 + (0.625 - l_a) ** 2 + z**2 * rounding)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high))
    pooled = 50 / 90
    variance = pooled * (1 - pooled) * (1 / 40 + 1 / 50) + rounding
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(0.125 / np.sqrt(variance)))
    assert not row["suppressed"]


def test_unrounded_wave_changes_are_newcombe_and_pearson():
    first, second = [1] * 23 + [0] * 18, [1] * 27 + [0] * 25
    survey = _two_waves(first, second, [f"new{i}" for i in range(52)])
    exact = {"suppress_below": 1, "round_to": 1}
    row = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **exact).iloc[0]
    low, high = confint_proportions_2indep(27, 52, 23, 41, method="newcomb", compare="diff")
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high))
    p = stats.chi2_contingency(np.array([[23, 18], [27, 25]]), correction=False)[1]
    assert row["p_value"] == pytest.approx(p)


def test_wave_changes_take_only_the_pairing_from_the_true_answers():
    # The same 41 organisations in both waves, published as 25 of 40 and 30 of 40: phi of
    # the true ticks is 0.642, taken as 0.6; n_both = 41 is taken as published, 40; so
    # r = 0.6 x 40 / sqrt(40 x 40) = 0.6. The shares are the published ones.
    first = [1] * 23 + [0] * 18
    second = [1] * 23 + [0] * 10 + [1] * 8
    survey = _two_waves(first, second, [f"org{i}" for i in range(41)])
    row = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **RULE).iloc[0]
    assert (row["n_both"], row["estimate"]) == (41, pytest.approx(30 / 40 - 25 / 40))
    assert np.corrcoef(first, second)[0, 1] == pytest.approx(0.642, abs=1e-3)
    assert row["r"] == pytest.approx(0.6)
    pooled = 55 / 80  # the z-test's variance with the published counts and that r
    rounding = 2 * (1 + 0.625**2) / 40**2 + 2 * (1 + 0.75**2) / 40**2  # as above
    z = 0.125 / np.sqrt(pooled * (1 - pooled) * (2 / 40 - 2 * row["r"] / 40) + rounding)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(z))
    low, high = confint_proportions_2indep(30, 40, 25, 40, method="newcomb", compare="diff")
    assert low < row["conf_low"] < row["estimate"] < row["conf_high"] < high


def test_wave_changes_do_not_give_back_the_exact_overlap():
    # Two surveys alike as published (25 of 40 and 30 of 40; 40 in both waves) whose exact
    # numbers differ (41 or 42 organisations, all in both waves; phi 0.642 or 0.650, each
    # 0.6 to one decimal): what is published about their change is identical, so the
    # interval and p-value cannot be solved for the exact counts, n_both or phi.
    def change(first: list[int], second: list[int]) -> pd.Series:
        survey = _two_waves(first, second, [f"org{i}" for i in range(len(first))])
        row = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **RULE).iloc[0]
        return row[["estimate", "r", "conf_low", "conf_high", "p_value"]].astype(float)

    one = change([1] * 23 + [0] * 18, [1] * 23 + [0] * 10 + [1] * 8)
    two = change([1] * 24 + [0] * 18, [1] * 24 + [0] * 10 + [1] * 8)
    pd.testing.assert_series_equal(one, two)


def test_an_overlap_below_the_threshold_is_not_used():
    # 5 organisations in both waves (of 30 and 35), their ticks correlated (phi 0.67), under
    # the rule's threshold of 8: r = 0, and the interval is Newcombe's for independent
    # samples on the published counts (10 of 30, 20 of 35), widened for their rounding.
    first = [1, 0, 1, 0, 1] + [1] * 7 + [0] * 18
    second = [1, 0, 1, 0, 0] + [1] * 18 + [0] * 12
    orgs = [f"org{i}" for i in range(5)] + [f"new{i}" for i in range(30)]
    out = c.wave_changes(
        _two_waves(first, second, orgs), "barrier", significance=SIGNIFICANCE, **RULE
    )
    row = out.iloc[0]
    assert (row["n_both"], row["r"]) == (5, 0.0)
    rounding = 2 * (1 + (1 / 3) ** 2) / 30**2 + 2 * (1 + (4 / 7) ** 2) / 35**2
    (l_a, l_b), (u_a, u_b) = proportion_confint([10, 20], [30, 35], 0.05, method="wilson")
    z, d = stats.norm.ppf(0.975), 20 / 35 - 10 / 30
    low = d - np.sqrt((20 / 35 - l_b) ** 2 + (u_a - 10 / 30) ** 2 + z**2 * rounding)
    assert row["conf_low"] == pytest.approx(low)


def test_a_comparison_with_a_suppressed_share_is_not_published():
    # 5 of 20 ticked in 2023: the count is suppressed, so is the change, shown "[c]"
    survey = _two_waves([1] * 10 + [0] * 10, [1] * 5 + [0] * 15, [f"new{i}" for i in range(20)])
    out = c.wave_changes(survey, "barrier", significance=SIGNIFICANCE, **RULE)
    assert out["suppressed"].tolist() == [True]
    assert out[["estimate", "conf_low", "conf_high", "p_value", "p_holm"]].isna().all(axis=None)
    table = c.change_table(out, {"childcare": "Childcare"})
    assert table.iloc[0].tolist() == ["Childcare", "consecutive", "2021", "2023", *["[c]"] * 5]


def test_change_table_publishes_the_differences_without_counts():
    out = c.wave_changes(_survey(), "barrier", significance=SIGNIFICANCE, **NO_RULE)
    table = c.change_table(out, {"childcare": "Childcare", "housing": "Housing"})
    assert list(table.columns) == [
        "option", "comparison", "wave_from", "wave_to",
        "difference", "conf_low", "conf_high", "p_value", "p_holm",
    ]  # fmt: skip
    assert table["option"].tolist() == ["Childcare", "Childcare", "Housing", "Childcare"]
    assert table["difference"].tolist() == out["estimate"].tolist()


def _likert(values: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wave": "2023",
            "org_id": [f"o{i}" for i in range(len(values))],
            "question": "partner",
            "option": "police",
            "value": values,
            "status": ["missing" if v == "" else "answered" for v in values],
        }
    )


def test_likert_summary_counts_levels_and_sets_dont_know_aside():
    survey = _likert(["1", "2", "3", "3", "5", "5", "5", "dont_know", ""])
    out = c.likert_summary(survey, "partner")
    assert out["level"].tolist() == ["1", "2", "3", "4", "5"]
    assert out["count"].tolist() == [1, 1, 2, 0, 3]
    assert out["n"].unique().tolist() == [7] and out["dont_know"].unique().tolist() == [1]
    assert out["share"].tolist() == pytest.approx([1 / 7, 1 / 7, 2 / 7, 0, 3 / 7])


def test_likert_summary_takes_the_scale_from_the_caller():
    survey = pd.concat([_likert(["1", "3", "dont_know"]), _likert(["2", "2"]).assign(wave="2021")])
    out = c.likert_summary(survey, "partner", levels=("1", "2", "3"))
    assert list(zip(out["wave"], out["level"], out["count"], strict=True)) == [
        ("2021", "1", 0),
        ("2021", "2", 2),
        ("2021", "3", 0),
        ("2023", "1", 1),
        ("2023", "2", 0),
        ("2023", "3", 1),
    ]
    with pytest.raises(ValueError, match="unexpected value '3'"):
        c.likert_summary(survey, "partner", levels=("1", "2"))


def test_barriers_ranked():
    out = c.barriers_ranked(_survey(), "2025", significance=SIGNIFICANCE)
    assert out["option"].tolist() == ["housing", "childcare"]
    assert out["rank"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="no answers in wave '2019'"):
        c.barriers_ranked(_survey(), "2019", significance=SIGNIFICANCE)


def test_significance_sets_the_level_of_every_interval():
    first, second = ["yes"] * 8 + ["no"] * 2, ["no"] * 6 + ["yes"] * 2 + ["no"] * 2
    items = c.mcnemar_items(_common(first, second), ROUNDS, significance=0.1)
    row = items.set_index("item").loc["women_groups"]
    # 8 of 10 at 90% (z = 1.6449): centre (8 + z^2/2) / (10 + z^2) = 9.3528 / 12.7055 =
    # 0.7361, half-width z / (10 + z^2) * sqrt(8 * 2 / 10 + z^2 / 4) = 0.12946 * 1.5088 = 0.1953.
    assert (row["conf_low_1"], row["conf_high_1"]) == pytest.approx((0.5408, 0.9314), abs=1e-4)
    before, after = [3, 4, 5, 6, 2], [4, 5, 6, 8, 2]
    common = _common(["no"] * 5, ["no"] * 5, items=(before, after))
    paired = c.paired_items_change(common, ROUNDS, np.random.default_rng(0), 99, significance=0.1)
    # differences 1, 1, 1, 2, 0: mean 1, SD sqrt(0.5), t(4) 95th percentile 2.1318
    half = 2.1318 * np.sqrt(0.5 / 5)
    assert paired[["conf_low", "conf_high"]].iloc[0].tolist() == pytest.approx(
        [1 - half, 1 + half], abs=1e-4
    )
    changes = c.wave_changes(_survey(), "barrier", significance=0.1, **NO_RULE).iloc[2]
    low, high = confint_proportions_2indep(3, 3, 1, 5, method="newcomb", compare="diff", alpha=0.1)
    assert (changes["conf_low"], changes["conf_high"]) == pytest.approx((low, high))
