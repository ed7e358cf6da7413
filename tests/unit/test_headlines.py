"""Computed headlines: the numbers in chart titles come from the tables they describe."""

import pandas as pd

from pipeline import headlines


def _changes(comparisons: list[tuple[str, str, str]], p_holm: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "comparison": [c for c, _, _ in comparisons],
            "wave_from": [a for _, a, _ in comparisons],
            "wave_to": [b for _, _, b in comparisons],
            "option": ["childcare"] * len(comparisons),
            "share_from": 0.2,
            "share_to": 0.5,
            "estimate": 0.3,
            "p_holm": p_holm,
        }
    )


def test_support_headline_names_the_biggest_significant_change():
    changes = _changes(
        [("consecutive", "2021", "2023"), ("first_to_last", "2021", "2025")], [0.01, 0.001]
    )
    title, alt = headlines.support_by_wave(changes, {"childcare": "Childcare"})
    assert title == "Childcare changed most between 2021 and 2025: 20% to 50% of organisations"
    assert title in alt


def test_support_headline_with_two_waves_uses_the_one_comparison():
    title, _ = headlines.support_by_wave(
        _changes([("consecutive", "2023", "2025")], [0.5]), {"childcare": "Childcare"}
    )
    assert "between 2023 and 2025" in title and title.startswith("No option")


def test_support_headline_with_one_wave_says_there_is_nothing_to_test():
    title, _ = headlines.support_by_wave(pd.DataFrame(), {})
    assert "single wave" in title


def test_response_headline_counts_the_latest_round():
    rates = pd.DataFrame(
        {
            "round": ["2021", "2024"],
            "n": [152, 153],
            "responded": [140, 144],
            "share": [140 / 152, 144 / 153],
        }
    )
    title, alt = headlines.response(rates)
    assert title == "144 of 153 authorities (94%) provided information in 2024"
    assert "2021: 140 of 152" in alt
