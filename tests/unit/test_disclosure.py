import numpy as np
import pandas as pd
import pytest

from pipeline import disclosure as d


def _women(values) -> pd.DataFrame:
    return pd.DataFrame({"la": [f"L{i}" for i in range(len(values))], "women": values})


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


def test_secondary_suppression_in_a_row_with_a_published_total():
    table = pd.DataFrame({"women": [3, 30], "men": [20, 40], "unknown": [9, 0]})
    out = d.protect(
        table, ["women", "men", "unknown"], 8, 5, totals={"rows": ["women", "men", "unknown"]}
    )
    # row 0: women suppressed; the next smallest non-zero cell (unknown, 9) goes too
    assert out.loc[0, ["women_suppressed", "men_suppressed", "unknown_suppressed"]].tolist() == [
        True,
        False,
        True,
    ]
    assert not out.loc[1, ["women_suppressed", "men_suppressed", "unknown_suppressed"]].any()


def test_secondary_suppression_in_a_column_with_a_published_total_skips_zeros():
    table = pd.DataFrame({"women": [3, 50, 12, 0]})
    out = d.protect(table, ["women"], 8, 5, totals={"columns": ["women"]})
    assert out["women_suppressed"].tolist() == [True, False, True, False]
    assert out["women"].iloc[3] == 0


def test_secondary_suppression_spreads_until_no_total_reveals_a_cell():
    table = pd.DataFrame({"a": [3, 10], "b": [20, 30]})
    out = d.protect(table, ["a", "b"], 8, 5, totals={"rows": ["a", "b"], "columns": ["a", "b"]})
    assert out[["a_suppressed", "b_suppressed"]].to_numpy().all()


def test_no_secondary_suppression_without_totals():
    table = pd.DataFrame({"a": [3, 10], "b": [20, 30]})
    out = d.protect(table, ["a", "b"], 8, 5)
    assert out[["a_suppressed", "b_suppressed"]].to_numpy().sum() == 1


def test_protect_is_idempotent():
    table = pd.DataFrame({"a": [3, 10, 0, 57], "b": [20, 30, 8, 4]})
    rule = dict(suppress_below=8, round_to=5, totals={"rows": ["a", "b"]})
    once = d.protect(table, ["a", "b"], **rule)
    pd.testing.assert_frame_equal(d.protect(once, ["a", "b"], **rule), once)


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
    with pytest.raises(ValueError, match="totals keys"):
        d.protect(_women([1]), ["women"], 8, 5, totals={"row": ["women"]})
    with pytest.raises(ValueError, match="not people counts: \\['la'\\]"):
        d.protect(_women([1]), ["women"], 8, 5, totals={"rows": ["la"]})
