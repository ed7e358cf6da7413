"""The attacker of tests/attacker.py catches deliberately leaky tables and spares safe ones.

Every expected value is worked out by hand in the comments: these are the leaks a hostile
reader found in the funnel and partnership tables before the disclosure policy changed.
"""

import pandas as pd
from attacker import Attacker, decimals

from pipeline import disclosure

RULE = {"suppress_below": 8, "round_to": 5}


def _found(attacker: Attacker) -> dict[str, str]:
    return {f.cell: f.value for f in attacker.findings}


def test_printed_precision():
    assert [decimals(t) for t in ("0.7125", "80", "71.2", "0.329208", "1e-05")] == [4, 0, 1, 6, 5]


def test_bounds_follow_the_rule():
    a = Attacker(**RULE)
    # 10 is what 8 to 12 round to; 0 is exact; [c] is at least 1 (it may be a secondary)
    assert [a.bounds(v) for v in (10, "10", 0, "[c]", "[x]", 105)] == [
        (8, 12),
        (8, 12),
        (0, 0),
        (1, 10**9),
        None,
        (103, 107),
    ]


def test_funnel_share_beside_a_rounded_count_is_inverted():
    # 399 women of 1212 adults: published 400 of 1210 (rounded to 5) and the share to six
    # decimals, 399/1212 = 0.329208. Of the 25 pairs within +-2 only 399/1212 prints so.
    a = Attacker(**RULE)
    a.read("funnel", "women", 400)
    a.read("funnel", "adults", 1210)
    solutions = a.invert("funnel", "women", "adults", {"share": "0.329208"})
    assert solutions == [(399, 1212)]
    assert _found(a) == {"women": "399", "adults": "1212"}


def test_funnel_share_without_its_count_is_inverted_too():
    # the chart data give n and the share only: any count from 0 to 1212 may be the numerator
    a = Attacker(**RULE)
    a.read("funnel.csv", "adults", 1210)
    assert a.invert("funnel.csv", None, "adults", {"share": "0.329208"}) == [(399, 1212)]
    assert _found(a) == {"adults": "1212"}


def test_share_of_the_published_counts_reveals_nothing():
    # 400/1210 = 0.330579: the published pair is the only solution, and it is not a recovery
    a = Attacker(**RULE)
    a.read("funnel", "women", 400)
    a.read("funnel", "adults", 1210)
    assert a.invert("funnel", "women", "adults", {"share": "0.330579"}) == [(400, 1210)]
    assert a.findings == []


def _likert(attacker: Attacker, counts: list, shares: list, n: int) -> list:
    """Read one partnership row (levels 1-5 and n) and invert its published shares."""
    for level, value in enumerate(counts, start=1):
        attacker.read("partnership", f"L{level}", value)
    attacker.read("partnership", "n", n)
    for level, share in enumerate(shares, start=1):
        if share != "[c]":
            attacker.invert("partnership", f"L{level}", "n", {"share": share})
    return [("n", [f"L{level}" for level in range(1, 6)])]


def test_likert_differencing_recovers_the_suppressed_cell():
    # 2023, police: true counts 28 25 29 16 4 of n = 102, published 30 25 30 15 [c] of 100
    # with unrounded shares 28/102, 25/102, 29/102, 16/102. Each share pins its count and
    # n = 102; the suppressed "very good" is then 102 - (28 + 25 + 29 + 16) = 4.
    a = Attacker(**RULE)
    shares = ["0.27450980392156865", "0.24509803921568626", "0.28431372549019607"]
    sums = _likert(a, [30, 25, 30, 15, "[c]"], [*shares, "0.1568627450980392", "[c]"], 100)
    a.difference("partnership", sums)
    found = _found(a)
    assert found["L5"] == "4"
    assert (found["n"], found["L1"], found["L3"], found["L4"]) == ("102", "28", "29", "16")
    assert a.known["L2"] == (25, 25)  # equal to the published 25, but now known exactly


def test_likert_differencing_reveals_a_small_sum_of_two_suppressed_cells():
    # unrounded counts (round_to 1): 20 30 30 [c] [c] of 85 leave 85 - 80 = 5 for the two
    a = Attacker(suppress_below=8, round_to=1)
    for level, value in enumerate([20, 30, 30, "[c]", "[c]"], start=1):
        a.read("likert", f"L{level}", value)
    a.read("likert", "n", 85)
    a.difference("likert", [("n", [f"L{level}" for level in range(1, 6)])])
    assert _found(a) == {"L4 + L5": "at most 5"}


def test_single_suppressed_cell_beside_a_published_total_is_recovered():
    a = Attacker(suppress_below=8, round_to=1)
    for cell, value in {"a": 20, "b": "[c]", "c": 12, "total": 35}.items():
        a.read("table", cell, value)
    a.difference("table", [("total", ["a", "b", "c"])])
    assert _found(a) == {"b": "3"}


def test_linked_tables_that_disagree_are_caught():
    a = Attacker(**RULE)
    a.read("respondents.csv", "respondents 2021", "[c]")
    a.read("respondents_by_wave.csv", "respondents 2021", 105)
    assert [f.attack for f in a.findings] == ["linked tables"]


def test_a_count_off_the_rounding_grid_is_known_exactly():
    # 106 is no multiple of 5, so it was not rounded: the respondents' 105 (103 to 107) is 106
    a = Attacker(**RULE)
    assert a.bounds("106") == (106, 106) and a.bounds(1212) == (1212, 1212)
    a.read("respondents_by_wave.csv", "respondents 2021", 105)
    a.read("row accounting", "respondents 2021", 106)
    assert [(f.attack, f.value) for f in a.findings] == [
        ("unrounded", "106"),
        ("linked tables", "105 vs 106"),
    ]
    assert a.known["respondents 2021"] == (106, 106)


def test_difference_of_shares_from_true_counts_is_inverted():
    # 32/106 and 40/113 published as 30 of 105 and 40 of 115; the difference to 15 decimals
    # 40/113 - 32/106 = 0.052095508432125... fits only those four counts
    a = Attacker(**RULE)
    for cell, value in {"k21": 30, "n21": 105, "k23": 40, "n23": 115}.items():
        a.read("support", cell, value)
    a.invert_difference("support", ("k21", "n21"), ("k23", "n23"), str(40 / 113 - 32 / 106))
    assert _found(a) == {"k21": "32"}


def test_a_protected_likert_table_gives_the_attacker_nothing():
    # 2025 police as the policy publishes it: 20 20 15 [c] [c] of 70 with "good" (4 + 5)
    # 15, shares of the published counts
    counts = [19, 20, 15, 10, 4]
    table = pd.DataFrame(
        {"wave": "2025", "option": "police", "level": list("12345"), "count": counts, "n": 68}
    )
    protected = disclosure.protect_distribution(
        table, ["wave", "option"], "level", "n", 8, 5, combined={"good": ["4", "5"]}
    )
    rows = disclosure.publishable_strings(protected.levels)
    good = disclosure.publishable_strings(protected.combined).iloc[0]
    assert rows["count"].tolist() == ["20", "20", "15", "[c]", "[c]"] and good["count"] == "15"
    a = Attacker(**RULE)
    sums = _likert(a, rows["count"].tolist(), [str(s) for s in rows["share"]], 70)
    a.read("partnership", "good", good["count"])
    a.invert("partnership", "good", "n", {"share": str(good["share"])})
    a.difference("partnership", [*sums, ("good", ["L4", "L5"])])
    assert a.findings == []
    # "good" 15 is 13 to 17, so each suppressed cell is 1 to 16: neither is pinned
    assert a.known["L4"] == (1, 16) and a.known["L5"] == (1, 16)


def test_a_count_listed_row_by_row_may_be_exact_but_not_suppressed_elsewhere():
    a = Attacker(8, 5)
    a.exact("exclusions list", "excluded|2021", 1)
    a.read("row accounting", "excluded|2021", "1")
    assert a.findings == []  # published exactly on purpose: no finding
    a.read("another table", "excluded|2021", "[c]")
    assert [f.attack for f in a.findings] == ["linked tables"]  # suppressed, yet listed
