import numpy as np
import pandas as pd
import pytest

from pipeline import disclosure as d
from pipeline import headlines
from pipeline.intervals import wilson_interval


def _women(values) -> pd.DataFrame:
    return pd.DataFrame({"la": [f"L{i}" for i in range(len(values))], "women": values})


def _flags(table: pd.DataFrame, columns: list[str]) -> list[list[bool]]:
    return table[[c + d.SUFFIX for c in columns]].to_numpy().tolist()


def test_counts_1_to_7_are_suppressed_and_zero_is_kept():
    out = d.protect(_women(list(range(9))), ["women"], 8, 5)
    assert out["women_suppressed"].tolist() == [False] + [True] * 7 + [False]
    assert out["women"].iloc[0] == 0
    assert out["women"].iloc[1:8].isna().all()
    assert out["women"].iloc[8] == 10
    assert str(out["women"].dtype) == "Int64"


def test_rounding_to_nearest_5():
    out = d.protect(_women([8, 12, 13, 17, 18, 100, 102]), ["women"], 8, 5)
    assert out["women"].tolist() == [10, 10, 15, 15, 20, 100, 100]


def test_half_way_rounds_up():
    assert d.round_half_up(np.array([15, 25, 14, 5]), 10).tolist() == [20, 30, 10, 10]
    out = d.protect(_women([5, 15, 35]), ["women"], 5, 10)
    assert out["women"].tolist() == [10, 20, 40]


def test_missing_count_stays_missing_and_is_not_called_suppressed():
    table = _women(pd.array([pd.NA, 20], dtype="Int64"))
    out = d.protect(table, ["women"], 8, 5)
    assert out["women"].isna().tolist() == [True, False]
    assert out["women_suppressed"].tolist() == [False, False]


def test_counts_of_authorities_are_untouched():
    table = _women([3, 40]).assign(services=[1, 2], authorities=[5, 7])
    out = d.protect(table, ["women"], 8, 5)
    pd.testing.assert_frame_equal(
        out[["la", "services", "authorities"]], table[["la", "services", "authorities"]]
    )


def test_a_single_suppressed_cell_in_a_published_sum_gets_a_partner():
    table = pd.DataFrame({"women": [3, 30], "men": [20, 40], "unknown": [9, 0]})
    cols = ["women", "men", "unknown"]
    out = d.protect(table, cols, 8, 5, sums=[d.Sum(None, tuple(cols))])
    # row 0: women (3) suppressed; alone it is the published sum minus 29, so the next
    # smallest non-zero cell (unknown, 9) goes too; row 1 has nothing to hide
    assert _flags(out, cols) == [[True, False, True], [False, False, False]]


def test_two_suppressed_cells_with_a_small_sum_get_a_third():
    # 3 + 2 = 5 would be the published total 55 minus 50: the smallest other cell (20) goes
    table = pd.DataFrame({"a": [20], "b": [30], "c": [3], "e": [2], "total": [55]})
    out = d.protect(table, list("abce") + ["total"], 8, 5, sums=[d.Sum("total", tuple("abce"))])
    assert _flags(out, list("abce") + ["total"]) == [[True, False, True, True, False]]
    assert out["total"].tolist() == [55]


def test_secondary_suppression_in_a_column_with_a_published_total_skips_zeros():
    table = pd.DataFrame({"women": [3, 50, 12, 0]})
    out = d.protect(table, ["women"], 8, 5, column_totals=["women"])
    assert out["women_suppressed"].tolist() == [True, False, True, False]
    assert out["women"].iloc[3] == 0


def test_a_table_with_a_total_row_and_a_total_column():
    # rows and columns both add up: A/w1 (3) needs a partner in its row (A/w2) and in its
    # column (B/w1), and A/w2 one in its column (B/w2): the four cells of a rectangle, which
    # no margin can solve. The totals are published, rounded.
    table = pd.DataFrame(
        {"w1": [3, 12, 15], "w2": [20, 30, 50], "total": [23, 42, 65]},
        index=pd.Index(["A", "B", "total"], name="type"),
    )
    cols = ["w1", "w2", "total"]
    out = d.protect(
        table,
        cols,
        8,
        5,
        sums=[d.Sum("total", ("w1", "w2"))],
        column_totals=cols,
        total_row="total",
    )
    assert _flags(out, cols) == [[True, True, False], [True, True, False], [False, False, False]]
    assert out["total"].tolist() == [25, 40, 65]
    assert out.loc["total", ["w1", "w2"]].tolist() == [15, 50]


def test_no_secondary_suppression_without_sums():
    table = pd.DataFrame({"a": [3, 10], "b": [20, 30]})
    out = d.protect(table, ["a", "b"], 8, 5)
    assert out[["a_suppressed", "b_suppressed"]].to_numpy().sum() == 1


def test_protect_derived_blanks_shares_of_suppressed_counts():
    table = pd.DataFrame({"n": [100, 100], "women": [3, 40], "share": [0.03, 0.4]})
    out = d.protect_derived(d.protect(table, ["n", "women"], 8, 5), ["share"], ["n", "women"])
    assert out["share"].isna().tolist() == [True, False]
    assert out["share"].iloc[1] == 0.4
    assert out["share_suppressed"].tolist() == [True, False]


def test_protect_derived_needs_protected_sources():
    table = pd.DataFrame({"n": [100], "share": [0.3]})
    with pytest.raises(ValueError, match="protect these columns.*'n'"):
        d.protect_derived(table, ["share"], ["n"])


def test_protect_proportions_suppresses_a_count_whose_complement_is_small():
    table = pd.DataFrame({"n": [30, 100, 100], "count": [27, 40, 4], "share": [0.9, 0.4, 0.04]})
    out = d.protect_proportions(table, "count", "n", ["share"], 8, 5)
    # 30 - 27 = 3 did not tick: with n published, 27 would reveal them. A count of 4 needs
    # no partner: its complement (96) is not published.
    assert out["count_suppressed"].tolist() == [True, False, True]
    assert out["n"].tolist() == [30, 100, 100]
    assert out["share"].isna().tolist() == [True, False, True]
    assert list(out.columns) == [
        "n",
        "n_suppressed",
        "count",
        "count_suppressed",
        "share",
        "share_suppressed",
    ]


def test_shares_are_derived_from_the_protected_counts():
    # 57 of 80 (71.25%) is published as 55 of 80, so the share is 55/80 = 68.75%: a share of
    # the true count beside the rounded one would give 57 away
    table = pd.DataFrame({"n": [80, 80], "count": [57, 5]})
    out = d.publish_proportions(table, "count", "n", 8, 5, significance=0.05)
    assert out["count"].tolist()[0] == 55
    assert out["share"].iloc[0] == 0.6875
    # Wilson for 55 of 80: 0.57932 to 0.77850; each side widened in quadrature by the
    # rounding of both counts to fives, z^2 (5^2 - 1) / 12 (1 + 0.6875^2) / 80^2 = 0.0017679
    widened = (out["conf_low"].iloc[0], out["conf_high"].iloc[0])
    assert widened == pytest.approx((0.57144, 0.78774), abs=5e-6)
    assert wilson_interval(55, 80, 0.05) == pytest.approx((0.57932, 0.77850), abs=5e-6)
    assert out[["share", "conf_low", "conf_high"]].iloc[1].isna().all()
    assert out[["share_suppressed", "conf_low_suppressed"]].iloc[1].tolist() == [True, True]


def test_share_of_a_zero_total_is_not_available_not_suppressed():
    table = pd.DataFrame({"n": [0], "count": [0]})
    out = d.publish_proportions(table, "count", "n", 8, 5, significance=0.05)
    assert np.isnan(out["share"].iloc[0]) and not out["share_suppressed"].iloc[0]
    assert d.publishable_strings(out)["share"].tolist() == ["[x]"]


def _likert(counts: list[int], n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"wave": "2025", "option": "police", "level": list("12345"), "count": counts, "n": n}
    )


def _good_or_very_good(counts: list[int], n: int) -> d.Distribution:
    return d.protect_distribution(
        _likert(counts, n), ["wave", "option"], "level", "n", 8, 5, combined={"good": ["4", "5"]}
    )


def test_combined_category_is_counted_before_protection():
    # Figure 11, police 2025: 19 20 15 10 4 of 68. "Very good" (4) is suppressed, and with
    # it "good" (10, its partner in n). Adding up the published shares of "good" and "very
    # good" gave 10/68 = 15% with the suppressed cell counted as 0; the truth is
    # 14/68 = 21%. The combined count 14 is protected as a count (15), and its share is
    # 15/70 = 21%.
    out = _good_or_very_good([19, 20, 15, 10, 4], 68)
    levels = d.publishable_strings(out.levels)
    assert levels["count"].tolist() == ["20", "20", "15", "[c]", "[c]"]
    assert levels["n"].unique().tolist() == ["70"]
    assert levels["share"].tolist()[:3] == [str(20 / 70), str(20 / 70), str(15 / 70)]
    good = out.combined.iloc[0]
    assert (good["category"], good["count"], good["n"], good["share"]) == ("good", 15, 70, 15 / 70)


def test_figure_11_headline_quotes_the_protected_combined_shares():
    # police as above (15/70 = 21%); primary care 30 20 15 3 2 of 70 rate it good or very
    # good 5 times: the combined count is suppressed and the alt text says [c], not 0%
    table = pd.concat(
        [_likert([19, 20, 15, 10, 4], 68), _likert([30, 20, 15, 3, 2], 70).assign(option="gp")]
    )
    out = d.protect_distribution(
        table, ["wave", "option"], "level", "n", 8, 5, combined={"good": ["4", "5"]}
    )
    title, alt = headlines.partnership(out.combined, {"police": "Police", "gp": "Primary care"})
    assert title == "Partnership with police is rated good or very good by 21% (2025)"
    assert alt.endswith("In 2025, rated good or very good: Primary care [c]; Police 21%.")


def test_combined_category_needs_its_own_partner():
    # mental health 2025: 2 15 25 26 3 of 71, good = 29. "Very good" (3) alone inside the
    # published "good" would be 29 - 26, so 26 goes; "very poor" (2) alone in the rest
    # (n - good = 42 = 2 + 15 + 25) would be 42 - 40, so 15 goes. Only 25, good (30) and n
    # (70) are shown.
    out = _good_or_very_good([2, 15, 25, 26, 3], 71)
    assert d.publishable_strings(out.levels)["count"].tolist() == ["[c]", "[c]", "25", "[c]", "[c]"]
    assert out.combined[["count", "n"]].iloc[0].tolist() == [30, 70]


def test_combined_category_names_are_checked():
    with pytest.raises(ValueError, match="named like a level"):
        d.protect_distribution(
            _likert([9, 9, 9, 9, 9], 45), ["wave"], "level", "n", 8, 5, combined={"5": ["4"]}
        )
    with pytest.raises(ValueError, match="unknown levels: \\['6'\\]"):
        d.protect_distribution(
            _likert([9, 9, 9, 9, 9], 45), ["wave"], "level", "n", 8, 5, combined={"g": ["6"]}
        )


def test_publishable_strings_uses_the_analysis_function_shorthand():
    table = pd.DataFrame(
        {
            "la": ["A", "B", "C"],
            "services": [1, 2, 3],
            "women": pd.array([3, 20, pd.NA], dtype="Int64"),
        }
    )
    out = d.publishable_strings(d.protect(table, ["women"], 8, 5))
    assert out["women"].tolist() == ["[c]", "20", "[x]"]
    assert list(out.columns) == ["la", "services", "women"]
    assert out["services"].tolist() == [1, 2, 3]


def test_describe_rule_follows_the_parameters():
    text = d.describe_rule(8, 5)
    assert "from 1 to 7" in text and "nearest 5" in text and "[c]" in text
    assert "below 8" in text and "computed from the published counts" in text
    text = d.describe_rule(11, 10)
    assert "from 1 to 10" in text and "nearest 10" in text
    assert "rounded" not in d.describe_rule(8, 1)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([-1, 3], "non-negative whole counts"),
        ([2.5, 3], "non-negative whole counts"),
    ],
)
def test_bad_counts_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        d.protect(_women(values), ["women"], 8, 5)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="not in the table: \\['men'\\]"):
        d.protect(_women([1]), ["men"], 8, 5)
    with pytest.raises(ValueError, match="publish counts from 2 as 0"):
        d.protect(_women([1]), ["women"], 2, 10)
    with pytest.raises(ValueError, match="not people counts: \\['la'\\]"):
        d.protect(_women([1]), ["women"], 8, 5, sums=[d.Sum(None, ("la",))])
    with pytest.raises(ValueError, match="not people counts: \\['la'\\]"):
        d.protect(_women([1]), ["women"], 8, 5, column_totals=["la"])
