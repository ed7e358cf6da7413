"""Computed headlines: the numbers in chart titles come from the tables they describe, and the
words change when the numbers do."""

import math

import numpy as np
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
    title, alt = headlines.support_by_wave(changes, {"childcare": "Childcare"}, significance=0.05)
    assert title == "Childcare changed most between 2021 and 2025: 20% to 50% of organisations"
    assert title in alt


def test_support_headline_with_two_waves_uses_the_one_comparison():
    title, _ = headlines.support_by_wave(
        _changes([("consecutive", "2023", "2025")], [0.5]),
        {"childcare": "Childcare"},
        significance=0.05,
    )
    assert "between 2023 and 2025" in title and title.startswith("No kind")


def test_support_headline_with_one_wave_says_there_is_nothing_to_test():
    title, _ = headlines.support_by_wave(pd.DataFrame(), {}, significance=0.05)
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


def test_support_headline_counts_a_change_only_below_the_significance_given():
    changes = _changes([("consecutive", "2023", "2025")], [0.03])
    strict, _ = headlines.support_by_wave(changes, {"childcare": "Childcare"}, significance=0.01)
    assert strict == (
        "No kind of support changed clearly between 2023 and 2025, allowing for the number of "
        "comparisons"
    )
    loose, _ = headlines.support_by_wave(changes, {"childcare": "Childcare"}, significance=0.05)
    assert loose.startswith("Childcare changed most")


def test_paired_change_spanning_zero_neither_rose_nor_fell():
    paired = pd.DataFrame(
        {
            "statistic": ["mean_difference"],
            "estimate": [0.3985],
            "conf_low": [-0.1191],
            "conf_high": [0.9161],
            "n_pairs": [133],
        }
    )
    title, alt = headlines.paired_change(paired, ("2021", "2024"))
    assert title.startswith("There was no clear change in items per authority")
    assert "rose" not in title and "fell" not in title and title in alt


def test_deprivation_headline_is_an_association_in_natural_units():
    irr = pd.DataFrame(
        {
            "term": ["imd_z", "log_pop_z"],
            "estimate": [1.2**0.8, 1.1],
            "conf_low": [1.05**0.8, 0.95],
            "conf_high": [1.38**0.8, 1.27],
        }
    )
    title, alt = headlines.deprivation(irr, "negative_binomial", 8.0, math.log(2))
    assert title == (
        "Authorities 10 points more deprived on the Index of Multiple Deprivation offered about "
        "20% more items on average than authorities similar in population and region "
        "(95% CI 5% to 38%)"
    )
    assert "so there is no clear association" in alt  # population: 10% more, 5% fewer to 27%
    assert "multiplies" not in title + alt and "standard deviation" not in title + alt


def test_regions_headline_at_the_boundary_gives_no_evidence_and_no_p_value():
    summary = pd.DataFrame(
        {
            "quantity": ["tau2", "region_share"],
            "estimate": [0.0, 0.0],
            "conf_low": [0.0, 0.0],
            "conf_high": [0.075, 0.101],
        }
    )
    lr = pd.DataFrame({"p_value": [0.5379]})
    title, alt = headlines.regions(summary, lr)
    assert title.startswith("There is no evidence that regions differ")
    assert "p =" not in title and "Regions account" not in title
    assert "p = 0.538" in alt


def _diagnostics(residual: np.ndarray) -> pd.DataFrame:
    fitted = np.linspace(1, 10, len(residual))
    return pd.DataFrame(
        {
            "label": [f"LA {i}" for i in range(len(residual))],
            "fitted": fitted,
            "residual": residual,
            "influence": np.linspace(0.01, 0.2, len(residual)),
        }
    )


def test_diagnostics_headline_names_a_trend_when_there_is_one():
    rising = _diagnostics(np.linspace(-2, 2, 40))
    title, alt = headlines.diagnostics(rising, "negative_binomial", significance=0.05)
    assert title.startswith("Residuals of the negative binomial model rise with fitted values")
    assert "no clear trend" not in title and "no pattern" not in title
    assert title.endswith("the most influential authority is LA 39")
    assert "p < 0.001" in alt


def test_diagnostics_headline_without_a_trend():
    flat = _diagnostics(np.tile([1.0, -1.0, -1.0, 1.0], 10))
    title, _ = headlines.diagnostics(flat, "poisson", significance=0.05)
    assert title.startswith("Residuals of the poisson model show no clear trend")


def test_headlines_name_every_tied_extreme_and_handle_full_response():
    ranked = pd.DataFrame(
        {"rank": [1, 1, 3], "label": ["Stigma", "Cost", "Transport"], "share": [0.5, 0.5, 0.2]}
    ).assign(wave="2025")
    title, _ = headlines.barriers(ranked)
    assert title == "Stigma and cost are the barriers organisations report most often (50%, 2025)"
    by_region = pd.DataFrame(
        {
            "round": "2024",
            "region_name": ["North", "South"],
            "n": [10, 12],
            "not_responded": [0, 0],
            "share": [0.0, 0.0],
        }
    )
    title, _ = headlines.nonresponse(by_region, "2024")
    assert title == "All 22 authorities provided information in 2024"


def test_hex_map_headline_when_every_region_has_the_same_median():
    responses = pd.DataFrame(
        {
            "round": "2024",
            "region_name": ["North", "North", "South"],
            "responded": [True, True, True],
            "n_items": [3, 5, 4],
        }
    )
    title, _ = headlines.hex_map(responses, "2024")
    assert title == "Median items per authority are 4 in every region (2024)"


def _estimates(names, estimate, rank_low, rank_high) -> pd.DataFrame:
    return pd.DataFrame(
        {"la_name": names, "estimate": estimate, "rank_low": rank_low, "rank_high": rank_high}
    )


def test_authority_estimates_headline_with_wide_rank_intervals_and_tied_lowest():
    # spans 2, 3, 3 and 2 places: median 2.5 of 4, over half; rows not in rank order. B and A
    # print 9.3, D and C 2.3: tied as published, however the unrounded estimates differ
    estimates = _estimates(
        ["B", "D", "A", "C"], [9.26, 2.3, 9.31, 2.34], [1, 3, 1, 2], [3, 4, 2, 4]
    )
    title, alt = headlines.authority_estimates(estimates, "2024", 5.357)
    assert title == (
        "Allowing for chance, few authorities can be told apart: the median 95% rank interval "
        "spans 2.5 of 4 places (2024)"
    )
    assert alt == (
        "Caterpillar plot of the shrunken estimate of items offered (out of 13, had the "
        "authority answered in full) for each of the 4 responding authorities in 2024, with "
        "95% intervals, against 5.4 items: the mean expected over all authorities, responding "
        "or not, had each answered in full. Highest: B and A (9.3); lowest: D and C (2.3)."
    )


def test_authority_estimates_headline_with_narrow_rank_intervals_does_not_say_few_apart():
    names = [f"LA {i}" for i in range(10)]
    ranks = list(range(1, 11))  # each interval spans its own place only: 1 of 10
    title, _ = headlines.authority_estimates(
        _estimates(names, np.linspace(12, 3, 10), ranks, ranks), "2024", 7.5
    )
    assert title == (
        "Allowing for chance, authorities can be ranked closely: the median 95% rank interval "
        "spans 1 of 10 places (2024)"
    )
    assert headlines.ESTIMATE_AXIS == "Items offered out of 13 (shrunken estimate, 95% interval)"


def test_funnel_labels_name_the_centre_and_the_cap():
    assert headlines.funnel_target_source("2021/22") == "NDTMS England 2021/22"
    assert headlines.funnel_target_source(None) == "pooled share of the responding authorities"
    assert headlines.funnel_limits_from(2.0) == "robust (z-scores capped at 2 SD)"
    assert headlines.funnel_limits_from(2.5) == "robust (z-scores capped at 2.5 SD)"


def test_support_headline_names_every_change_tied_as_published():
    # childcare 20% to 50% (+0.30) and transport 60% to 30.4% (-0.296): both 30 points as
    # printed, so both changed most; outreach's 10 points does not
    changes = pd.DataFrame(
        {
            "comparison": "first_to_last",
            "wave_from": "2021",
            "wave_to": "2025",
            "option": ["childcare", "transport", "outreach"],
            "share_from": [0.2, 0.6, 0.3],
            "share_to": [0.5, 0.304, 0.4],
            "estimate": [0.3, -0.296, 0.1],
            "p_holm": 0.001,
        }
    )
    labels = {"childcare": "Childcare", "transport": "Transport", "outreach": "Outreach"}
    title, _ = headlines.support_by_wave(changes, labels, significance=0.05)
    assert title == (
        "Childcare (20% to 50%) and Transport (60% to 30%) changed most between 2021 and 2025, "
        "as shares of organisations"
    )


def test_barriers_headline_ties_on_the_printed_share_not_the_rank():
    # 0.6251 and 0.625 both print 63% (half-way rounds up): both lead, though ranked 1 and 2
    ranked = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "label": ["Fear of child removal", "Stigma and shame", "Waiting times"],
            "share": [0.6251, 0.625, 0.5625],
            "wave": "2025",
        }
    )
    title, alt = headlines.barriers(ranked)
    assert title == (
        "Fear of child removal and stigma and shame are the barriers organisations report most "
        "often (63%, 2025)"
    )
    assert "Waiting times 56%" in alt


def test_diagnostics_headline_names_every_authority_tied_at_three_decimals():
    frame = pd.DataFrame(
        {
            "fitted": [1.0, 2.0, 3.0, 4.0],
            "residual": [0.1, -0.2, 0.15, -0.05],
            "influence": [0.1042, 0.02, 0.1038, 0.01],
            "label": ["Rutland", "Leeds", "Bristol", "York"],
        }
    )
    title, alt = headlines.diagnostics(frame, "negative_binomial", significance=0.05)
    assert title.endswith("; the most influential authorities are Rutland and Bristol")
    assert "largest 0.104 (Rutland and Bristol)" in alt


def test_partnership_headline_says_good_or_very_good_and_ties_as_printed():
    combined = pd.DataFrame(
        {
            "wave": "2025",
            "option": ["police", "gp", "mh"],
            "share": [0.21, 0.3571, 0.3649],
            "share_suppressed": False,
        }
    )
    labels = {"police": "Police", "gp": "Primary care (GPs)", "mh": "Mental health services"}
    title, _ = headlines.partnership(combined, labels)
    assert title == (
        "Partnership with primary care (GPs) and mental health services is rated good or very "
        "good most often (36%), with police least (21%; 2025)"
    )


def test_paired_change_alt_says_how_the_authorities_drawn_were_chosen():
    paired = pd.DataFrame(
        {
            "statistic": ["mean_difference"],
            "estimate": [0.4],
            "conf_low": [-0.1],
            "conf_high": [0.9],
            "n_pairs": [133],
        }
    )
    _, alt = headlines.paired_change(paired, ("2021", "2024"))
    assert alt.startswith(
        "Dumbbell chart of items per authority in 2021 and 2024 for the authorities whose "
        "change, shrunk towards the common change and adjusted for partial answers, is largest "
        "or smallest (not those with the largest raw changes)."
    )


def test_item_shares_headline_ties_items_printing_the_same_share():
    shares = pd.DataFrame(
        {
            "round": "2024",
            "label": ["Domestic abuse support", "Female keyworker", "Childcare", "Detox"],
            "share": [0.5556, 0.5551, 0.26, 0.16],
            "n": 144,
        }
    )
    title, _ = headlines.item_shares(shares, "2024")
    assert title.startswith(
        "56% of authorities offer domestic abuse support and female keyworker, the most common "
        "items; 16% offer detox, the least common"
    )
