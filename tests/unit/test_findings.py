"""Sentences and numbers of the section: each edge case says something different, worked by hand."""

import math
import re
from functools import partial
from pathlib import Path

import pytest

from pipeline import findings, numbers, prose
from pipeline.findings import Estimate

# Words a reader of the main points should never meet.
STATISTICAL_JARGON = ("p =", "p <", "AIC", "McNemar", "Holm", "GEE", "NB2", "IRR")
ROUNDS = ("2021", "2024")


# numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "prose", "cell"),
    [
        (7.18e-19, "p < 0.001", "<0.001"),
        (0.000999, "p < 0.001", "<0.001"),
        (0.001, "p = 0.001", "0.001"),
        (0.02726, "p = 0.027", "0.027"),
        (0.1301, "p = 0.130", "0.130"),
        (1.0, "p > 0.999", ">0.999"),
    ],
)
def test_p_values_print_to_three_decimals_with_bounds(p, prose, cell):
    assert (numbers.p_value(p), numbers.p_cell(p)) == (prose, cell)


@pytest.mark.parametrize(
    ("x", "digits", "text"),
    [
        (0.253, 0, "25%"),
        (0.0, 0, "0%"),
        (1.0, 0, "100%"),
        (0.0004, 0, "<1%"),
        (0.9996, 0, ">99%"),
        (0.0004, 1, "<0.1%"),
        (0.12345, 1, "12.3%"),
        (-0.05, 0, "\u22125%"),
        (123.4, 0, "12,340%"),
    ],
)
def test_percentages_never_round_a_share_to_none_or_all(x, digits, text):
    assert numbers.percent(x, digits) == text


@pytest.mark.parametrize(
    ("x", "digits", "text"),
    [
        (0.625, 2, "0.63"),  # exactly half-way in binary too: half-even would give 0.62
        (2.675, 2, "2.68"),  # stored as 2.67499999...: rounded as the decimal 2.675
        (2.5, 0, "3"),
        (3.5, 0, "4"),
        (-2.5, 0, "\u22123"),  # away from zero
        (0.00116, 5, "0.00116"),
        (1234.5, 0, "1,235"),
    ],
)
def test_numbers_round_half_way_values_up(x, digits, text):
    assert numbers.number(x, digits) == text


@pytest.mark.parametrize(
    ("x", "digits", "text"),
    [(0.625, 0, "63%"), (0.375, 0, "38%"), (0.285, 0, "29%"), (0.1235, 1, "12.4%")],
)
def test_percentages_round_half_way_values_up(x, digits, text):
    # 100 * 0.285 is 28.499999999999996 in floating point; as a decimal it is 28.5
    assert numbers.percent(x, digits) == text


def test_significant_figures_round_half_way_values_up():
    assert numbers.significant(0.000125) == "0.00013"
    assert numbers.significant(0.995) == "1.0"  # two figures, as 9.96 gives "10"


def test_numbers_have_separators_a_true_minus_and_no_negative_zero():
    assert numbers.number(1234567.891, 2) == "1,234,567.89"
    assert numbers.number(-0.12, 2) == "\u22120.12"
    assert numbers.number(-0.004, 2) == "0.00"
    assert numbers.count(12345) == "12,345"
    assert numbers.count(1, "authority", "authorities") == "1 authority"
    assert numbers.count(2, "item") == "2 items"


@pytest.mark.parametrize(("x", "text"), [(4, "4"), (4.0, "4"), (91.5, "91.5"), (1234.0, "1,234")])
def test_tenths_only_when_not_whole(x, text):
    assert numbers.tenths(x) == text


@pytest.mark.parametrize(
    ("x", "text"), [(0.000579, "0.00058"), (12345, "12,000"), (9.96, "10"), (0, "0")]
)
def test_tiny_and_huge_numbers_to_significant_figures(x, text):
    assert numbers.significant(x) == text


def test_ratios_have_two_decimals_and_intervals_their_level():
    assert (numbers.ratio(1.1737), numbers.ratio(0.004)) == ("1.17", "<0.01")
    assert numbers.ratio(12345.678) == "12,345.68"
    two = partial(numbers.number, digits=2)
    assert numbers.interval(-0.119, 0.916, two) == "95% CI \u22120.12 to 0.92"
    assert numbers.level(0.998) == "99.8%"


# spread beyond chance -------------------------------------------------------------------------

WHAT = "women's share of adults in treatment"


def test_dispersion_near_one_is_not_far_wider_than_chance():
    sentence = findings.spread_beyond_chance(1.05, 0.3, 0.05, WHAT)
    assert sentence == (
        "The spread of women's share of adults in treatment between authorities is compatible "
        "with chance (dispersion ratio 1.05)."
    )


def test_clear_but_small_overdispersion_is_wider_not_far_wider():
    sentence = findings.spread_beyond_chance(1.05, 0.01, 0.05, WHAT)
    assert "wider than chance" in sentence and "far wider" not in sentence


def test_large_overdispersion_is_far_wider_than_chance():
    assert findings.spread_beyond_chance(6.23, 2.2e-81, 0.05, WHAT) == (
        "The spread of women's share of adults in treatment between authorities is far wider "
        "than chance alone would give (dispersion ratio 6.23, p < 0.001)."
    )


def test_underdispersion_or_no_p_value_is_never_wider():
    assert "wider" not in findings.spread_beyond_chance(0.8, 0.001, 0.05, WHAT)
    assert "wider" not in findings.spread_beyond_chance(3.0, math.nan, 0.05, WHAT)


def test_nb2_dispersion_ratio_at_the_mean():
    assert findings.nb2_dispersion_ratio(0.3, 5.0) == pytest.approx(2.5)


def test_funnel_adjustment_with_and_without_extra_variance():
    assert "are the unadjusted ones" in findings.funnel_adjustment(0.0, 0.0)
    assert findings.funnel_adjustment(0.000579, 0.00097) == (
        "The adjusted limits add a between-authority variance of 0.00058 by the robust "
        "estimate (0.00097 by the plain moment estimate)."
    )


# change between rounds ----------------------------------------------------------------------


def test_change_interval_spanning_zero_is_no_clear_change():
    sentence = findings.change_between_rounds(Estimate(0.3985, -0.1191, 0.9161), ROUNDS, 133)
    assert sentence == (
        "There was no clear change in items per authority between 2021 and 2024: the average "
        "change was 0.4 (95% CI \u22120.1 to 0.9), among the 133 authorities that answered "
        "both rounds."
    )
    assert "rose" not in sentence and "fell" not in sentence


def test_change_above_zero_rose():
    assert findings.change_between_rounds(Estimate(0.8, 0.3, 1.3), ROUNDS, 133) == (
        "Items per authority rose between 2021 and 2024, by 0.8 on average (95% CI 0.3 to "
        "1.3), among the 133 authorities that answered both rounds."
    )


def test_change_below_zero_fell_by_positive_amounts():
    sentence = findings.change_between_rounds(Estimate(-0.8, -1.3, -0.3), ROUNDS, 1)
    assert sentence == (
        "Items per authority fell between 2021 and 2024, by 0.8 on average (95% CI 0.3 to "
        "1.3), among the 1 authority that answered both rounds."
    )


def test_ratio_between_rounds_whose_interval_spans_one_is_no_clear_change():
    sentence = findings.ratio_between_rounds(Estimate(1.0989, 0.9926, 1.2166), ROUNDS, 131)
    assert sentence == (
        "For an authority answering alike in both rounds, there was no clear change in items "
        "between 2021 and 2024: the ratio of 2024 to 2021 items was 1.10 (95% CI 0.99 to "
        "1.22), among the 131 authorities that answered both rounds."
    )
    assert "rose" not in sentence and "fell" not in sentence and "factor" not in sentence
    at_one = findings.ratio_between_rounds(Estimate(1.2, 1.0, 1.4), ROUNDS, 131)
    assert "no clear change" in at_one and "rose" not in at_one


def test_ratio_between_rounds_rose_or_fell_only_when_the_interval_excludes_one():
    assert findings.ratio_between_rounds(Estimate(1.15, 1.04, 1.27), ROUNDS, 131) == (
        "For an authority answering alike in both rounds, items rose between 2021 and 2024: "
        "the ratio of 2024 to 2021 items was 1.15 (95% CI 1.04 to 1.27), among the 131 "
        "authorities that answered both rounds."
    )
    fell = findings.ratio_between_rounds(Estimate(0.8, 0.7, 0.92), ROUNDS, 1)
    assert fell.startswith("For an authority answering alike in both rounds, items fell between")
    assert "was 0.80 (95% CI 0.70 to 0.92), among the 1 authority that" in fell
    assert "rose" not in fell and "no clear change" not in fell


def test_items_changed_none_or_some_in_plain_words():
    assert findings.items_changed([], 13, ROUNDS) == (
        "No single item changed clearly between 2021 and 2024, allowing for testing 13 items "
        "at once."
    )
    sentence = findings.items_changed([("Domestic abuse support", 0.54, 0.68)], 13, ROUNDS)
    assert sentence.endswith("domestic abuse support (up from 54% to 68% of authorities).")
    assert "Holm" not in sentence and "significant" not in sentence


# residual trend -------------------------------------------------------------------------------


def test_residual_trend_with_no_clear_trend():
    assert findings.residual_trend(0.05, 0.6, 0.05, "negative binomial") == (
        "Residuals of the negative binomial model show no clear trend against fitted values."
    )
    assert "no clear trend" in findings.residual_trend(math.nan, math.nan, 0.05, "poisson")


@pytest.mark.parametrize(("rho", "word", "first"), [(0.3, "rise", "under"), (-0.3, "fall", "over")])
def test_residual_trend_below_significance_says_which_way(rho, word, first):
    sentence = findings.residual_trend(rho, 0.01, 0.05, "negative binomial")
    assert "no clear trend" not in sentence and "no pattern" not in sentence
    assert f"Residuals of the negative binomial model {word}" in sentence
    assert f"it {first}-predicts where it expects most items" in sentence


# regions ------------------------------------------------------------------------------------


def test_region_share_at_the_boundary_is_no_evidence_with_the_upper_limit():
    assert findings.region_share(Estimate(0.0, 0.0, 0.101)) == (
        "There is no evidence that regions differ once deprivation and population are allowed "
        "for; the data are compatible with regions accounting for up to 10% of the variation "
        "between authorities (from a negative binomial fit that ignores the cap of 13 items)."
    )


def test_region_share_at_the_boundary_with_a_wide_interval_rules_out_nothing():
    sentence = findings.region_share(Estimate(0.0, 0.0, 0.64))
    assert "up to 64%" in sentence and "cannot rule out large differences" in sentence
    assert "most variation" not in sentence and "0%" not in sentence


def test_region_share_upper_limit_above_half_does_not_claim_most_within():
    sentence = findings.region_share(Estimate(0.12, 0.01, 0.64))
    assert "within regions" in sentence and "most variation lies" not in sentence
    assert "(95% CI 1% to 64%; from a negative binomial fit that ignores the cap of 13" in sentence


def test_region_share_clearly_below_or_above_half():
    below = findings.region_share(Estimate(0.12, 0.03, 0.30))
    assert below.endswith("most variation lies between authorities in the same region.")
    assert findings.region_share(Estimate(0.7, 0.55, 0.82)).endswith(
        "(95% CI 55% to 82%; from a negative binomial fit that ignores the cap of 13 items): most "
        "variation lies between regions."
    )


# associations in natural units ---------------------------------------------------------------


def test_per_step_rescales_a_per_sd_ratio():
    doubled = findings.per_step(Estimate(1.5, 1.2, 1.8), math.log(2), math.log(2))
    assert doubled[:3] == pytest.approx((1.5, 1.2, 1.8))
    assert findings.per_step(Estimate(4.0, 1.0, 9.0), 2.0, 1.0)[:3] == pytest.approx((2, 1, 3))


def test_deprivation_per_ten_points_with_the_interval_in_words():
    per_sd = Estimate(*(r**0.8 for r in (1.2, 1.05, 1.38)))  # SD 8 points: 10 points = 1.25 SD
    assert findings.deprivation(per_sd, 8.0) == (
        "Authorities 10 points more deprived on the Index of Multiple Deprivation offered about "
        "20% more items on average than authorities similar in population and region "
        "(95% CI 5% to 38%)."
    )


def test_population_per_doubling():
    per_sd = Estimate(*(r ** (0.75 / math.log(2)) for r in (1.1, 1.02, 1.19)))
    sentence = findings.population(per_sd, 0.75)
    assert sentence.startswith(
        "Authorities with twice the female population aged 18 and over offered about 10% more"
    )
    assert sentence.endswith("(95% CI 2% to 19%).")


def test_negative_association_is_fewer_not_a_cause():
    sentence = findings.association(
        Estimate(0.8, 0.7, 0.92), "authorities 10 points more deprived", "similar in size"
    )
    assert sentence == (
        "Authorities 10 points more deprived offered about 20% fewer items on average than "
        "authorities similar in size (95% CI 8% to 30%)."
    )
    assert "multipl" not in sentence and "per SD" not in sentence


def test_association_whose_interval_spans_one_is_not_clear():
    sentence = findings.association(Estimate(1.03, 0.9, 1.18), "larger authorities", "alike")
    assert sentence == (
        "Larger authorities offered about 3% more items on average than authorities alike "
        "(95% CI 10% fewer to 18% more), so there is no clear association."
    )
    tiny = findings.association(Estimate(1.002, 0.9, 1.1), "larger authorities", "alike")
    assert "about the same number of items" in tiny


# between authorities, survey waves -------------------------------------------------------------


def test_between_authority_factor_and_its_interval():
    assert findings.between_authority(Estimate(1.7, 1.5, 2.0)) == (
        "Two authorities alike in region, deprivation and size typically differ by a factor of "
        "about 1.7 in the number of items they are expected to offer (95% CI 1.5 to 2.0)."
    )
    none = findings.between_authority(Estimate(1.02, 1.0, 1.3))
    assert "little more than chance" in none and "up to 1.3" in none
    assert "typically differ by a factor" not in none


def test_between_authority_with_a_lower_limit_of_one_allows_no_difference():
    # alpha's interval reaching 0 maps to a factor whose lower limit is exactly 1
    assert findings.between_authority(Estimate(1.17, 1.0, 1.6)) == (
        "Two authorities alike in region, deprivation and size typically differ by a factor of "
        "about 1.2 in the number of items they are expected to offer (95% CI 1.0 to 1.6), but "
        "the data are compatible with no difference beyond chance."
    )
    clear = findings.between_authority(Estimate(1.17, 1.02, 1.6))
    assert clear.endswith("(95% CI 1.0 to 1.6).") and "compatible" not in clear


def test_frailty_states_alpha_and_the_factor_it_implies():
    alpha, factor = Estimate(0.3841, 0.2517, 0.5658), Estimate(1.8678, 1.6425, 2.1775)
    assert findings.frailty(alpha, factor) == (
        "alpha = 0.38 (95% CI 0.25 to 0.57). Two authorities alike in the model's covariates "
        "typically differ by a factor of about 1.9 in the number of items they are expected to "
        "offer (95% CI 1.6 to 2.2)."
    )


def test_frailty_at_alpha_zero_does_not_say_authorities_typically_differ():
    sentence = findings.frailty(Estimate(0.0, 0.0, 0.12), Estimate(1.0, 1.0, 1.36))
    assert sentence == (
        "alpha = 0.00 (95% CI 0.00 to 0.12). Authorities alike in the model's covariates "
        "differ in the number of items they are expected to offer by little more than chance "
        "would give: the data are compatible with a typical factor of up to 1.4 (95% CI 1.0 to "
        "1.4)."
    )
    assert "typically differ" not in sentence


# rank intervals, the level, units -------------------------------------------------------------


def test_wide_rank_intervals_tell_few_authorities_apart():
    assert findings.rank_precision(91, 144) == (
        "Allowing for chance, few authorities can be told apart: the median 95% rank interval "
        "spans 91 of 144 places."
    )
    assert "few authorities" in findings.rank_precision(73, 144)  # over half of 144 is 72


@pytest.mark.parametrize(("span", "words"), [(72, "only roughly"), (15, "only roughly")])
def test_rank_intervals_up_to_half_the_places_rank_only_roughly(span, words):
    sentence = findings.rank_precision(span, 144)
    assert f"authorities can be ranked {words}:" in sentence
    assert "few authorities" not in sentence


def test_narrow_rank_intervals_rank_authorities_closely():
    # a tenth of 144 places is 14.4: a median span of 14 or 5.5 places is narrow
    assert findings.rank_precision(14, 144) == (
        "Allowing for chance, authorities can be ranked closely: the median 95% rank interval "
        "spans 14 of 144 places."
    )
    sentence = findings.rank_precision(5.5, 144)
    assert "spans 5.5 of 144" in sentence and "few" not in sentence and "rough" not in sentence


def test_full_answer_level_and_units_reported():
    assert findings.full_answer_level(Estimate(5.3571, 4.7430, 6.0509), "2024") == (
        "Had every authority answered in full, the mean would be 5.4 items of 13 (95% CI 4.7 "
        "to 6.1; 2024)."
    )
    assert "items of 10 " in findings.full_answer_level(Estimate(5, 4, 6), "2024", n_items=10)
    assert findings.units_reported("2024", 142, 151) == (
        "In 2024, 142 of the 151 units reported items."
    )


def test_survey_waves_say_whether_they_are_independent_and_what_was_done():
    assert findings.survey_waves(200, 80, allowed_for=True) == (
        "80 of the 200 organisations answered more than one wave, so the waves are not "
        "independent samples; comparisons between waves allow for this."
    )
    assert "intervals are approximate" in findings.survey_waves(200, 80, allowed_for=False)
    assert "are independent samples" in findings.survey_waves(150, 0, allowed_for=False)
    assert findings.survey_waves(150, None, allowed_for=True).startswith(
        "[c] of the 150 organisations answered more than one wave"
    )


# main points and glossary ----------------------------------------------------------------------


def _main_points(**changes) -> list[str]:
    facts = {
        "round_name": "2024",
        "responded": 144,
        "asked": 153,
        "rate": Estimate(0.941, 0.892, 0.969),
        "median_items": 4,
        "n_items": 13,
        "item_shares": [
            ("Domestic abuse support", Estimate(0.556, 0.474, 0.634)),
            ("Option of a female keyworker", Estimate(0.549, 0.467, 0.628)),
            ("Women-only residential or detox", Estimate(0.16, 0.11, 0.23)),
        ],
        "variation": findings.between_authority(Estimate(1.7, 1.5, 2.0)),
        "deprivation": findings.deprivation(Estimate(1.17, 1.02, 1.35), 8.06),
        "change": findings.change_between_rounds(Estimate(0.4, -0.12, 0.92), ROUNDS, 133),
        "barriers": ("2025", [("Fear of child removal", Estimate(0.7125, 0.606, 0.80))]),
    }
    return prose.plain_points(**(facts | changes))


def test_main_points_are_plain_english_with_intervals():
    points = _main_points()
    assert 3 <= len(points) <= 6
    text = " ".join(points)
    assert [word for word in STATISTICAL_JARGON if word in text] == []
    assert points[0] == (
        "144 of the 153 authorities asked (94%, 95% CI 89% to 97%) told us what women-specific "
        "drug treatment they commissioned in 2024; 9 did not."
    )
    assert points[-1] == (
        "Third-sector organisations most often report fear of child removal as a barrier women "
        "face: 71% of organisations in 2025 (95% CI 61% to 80%)."
    )


def test_main_points_without_the_survey_and_with_every_authority_answering():
    points = _main_points(barriers=None, responded=153, median_items=4.5)
    assert len(points) == 5
    assert points[0].startswith("All 153 authorities asked told us")
    assert "offers 4.5 of the 13" in points[1]


def test_main_points_refuse_jargon():
    with pytest.raises(ValueError, match="'p ='"):
        _main_points(change="Items rose (p = 0.03).")
    with pytest.raises(ValueError, match="NB2"):
        _main_points(variation="The NB2 model fits better.")


def test_glossary_defines_every_abbreviation_in_plain_words():
    needed = {"IRR", "GEE", "NB2", "CI", "FOI", "IMD", "NDTMS", "ONS", "GSS", "LA", "AIC"}
    assert needed <= set(findings.GLOSSARY)
    assert {"McNemar's test", "Holm's correction", "Funnel limits"} <= set(findings.GLOSSARY)
    assert all(isinstance(v, str) and len(v.split()) >= 5 for v in findings.GLOSSARY.values())


def test_listing_and_labels_inside_sentences():
    assert findings.listing(["a"]) == "a"
    assert findings.listing(["a", "b", "c"]) == "a, b and c"
    assert findings.listing(["a", "b and c", "d"]) == "a, b and c, and d"
    assert findings.listing(["a", "b and c"]) == "a and b and c"
    assert findings.listing(["Bristol, City of", "Leeds", "York"]) == (
        "Bristol, City of; Leeds and York"
    )
    assert findings.lower_first("Childcare or creche") == "childcare or creche"
    assert findings.lower_first("BAME outreach") == "BAME outreach"


# Claims that depend on the data: the template may only print them through findings/prose.
FIXED_CLAIMS = re.compile(
    r"far wider|wider than chance|no pattern|no clear|most variation|rose by|fell by|"
    r"independent samples|multiplies|varies widely|significantly|regions account",
    re.IGNORECASE,
)


def test_no_interpretive_sentence_is_fixed_in_the_templates():
    templates = Path(__file__).resolve().parents[2] / "pipeline" / "templates"
    found = [
        f"{path.name}: {match.group(0)!r}"
        for path in sorted(templates.rglob("*.j2"))
        for match in FIXED_CLAIMS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"fixed claims in templates (compute them in pipeline/findings.py): {found}"


# extremes tied as published ------------------------------------------------------------------


def test_tied_names_every_value_printing_as_the_extreme():
    one = partial(numbers.number, digits=1)
    # 11.83 and 11.82 both print 11.8; 1.26 and 1.34 both print 1.3
    assert findings.tied([11.83, 5.0, 11.82, 11.74], one) == [0, 2]
    assert findings.tied([1.26, 5.0, 1.34, 1.35], one, lowest=True) == [0, 2]
    assert findings.tied([0.5, 0.4], numbers.percent) == [0]


BARRIERS = [
    ("Fear of child removal", Estimate(0.625, 0.508, 0.731)),
    ("Stigma and shame", Estimate(0.625, 0.508, 0.731)),
    ("Waiting times", Estimate(0.625, 0.508, 0.731)),
    ("Mixed-gender services", Estimate(0.5625, 0.446, 0.673)),
]


def test_most_reported_barrier_names_every_barrier_tied_on_the_published_share():
    # 50 of 80 each as published (62.5%, which rounds up to 63%): the table's order (by name)
    # must not pick one
    assert prose.most_reported("2025", BARRIERS) == (
        "Third-sector organisations most often report fear of child removal, stigma and shame, "
        "and waiting times as barriers women face: 63% of organisations in 2025 each (95% CI "
        "51% to 73%)."
    )
    assert prose.most_reported("2025", BARRIERS[2:]) == (
        "Third-sector organisations most often report waiting times as a barrier women face: "
        "63% of organisations in 2025 (95% CI 51% to 73%)."
    )


def test_commonest_items_name_ties_and_give_each_interval_where_they_differ():
    shares = [
        ("Domestic abuse support", Estimate(0.5556, 0.474, 0.634)),
        ("Option of a female keyworker", Estimate(0.5551, 0.46, 0.62)),
        ("Childcare or creche", Estimate(0.26, 0.19, 0.34)),
        ("Women-only residential or detox", Estimate(0.16, 0.11, 0.23)),
    ]
    assert prose.commonest_items(shares) == (
        "The most common items, domestic abuse support and option of a female keyworker, are "
        "each offered by 56% of authorities that answered (95% CI 47% to 63% and 95% CI 46% to "
        "62% respectively); the least common, women-only residential or detox, by 16% (95% CI "
        "11% to 23%)."
    )
    same = [shares[0], ("Sex-worker outreach", Estimate(0.16, 0.11, 0.23)), shares[3]]
    assert prose.commonest_items(same) == (
        "The most common item, domestic abuse support, is offered by 56% of authorities that "
        "answered (95% CI 47% to 63%); the least common, sex-worker outreach and women-only "
        "residential or detox, by 16% each (95% CI 11% to 23%)."
    )


def _orgs(folder: Path, waves_per_org: list[int]) -> Path:
    rows = [
        f"{2021 + 2 * w},org{i},other,1"
        for i, waves in enumerate(waves_per_org)
        for w in range(waves)
    ]
    (folder / "survey_orgs.csv").write_text(
        "wave,org_id,org_type,n_areas\n" + "\n".join(sorted(rows)) + "\n", encoding="utf-8"
    )
    return folder


def test_organisations_in_more_than_one_wave_are_protected_as_counts_of_people(tmp_path):
    # 41 organisations, 3 of them in two waves: 41 is published as 40, and 3 (below 8) is
    # suppressed, not rounded up to 5.
    text, caveat = prose.survey_waves(_orgs(tmp_path, [2] * 3 + [1] * 38), 8, 5)
    assert text.startswith("[c] of the 40 organisations answered more than one wave")
    assert caveat.endswith(
        "some answered more than one wave, so the waves are not separate samples."
    )
    # 12 of 41 in two waves: rounded to 10.
    text, _ = prose.survey_waves(_orgs(tmp_path, [2] * 12 + [1] * 29), 8, 5)
    assert text.startswith("10 of the 40 organisations")


def test_the_survey_caveat_calls_waves_separate_samples_only_when_they_are(tmp_path):
    _, caveat = prose.survey_waves(_orgs(tmp_path, [1] * 30), 8, 5)
    assert caveat.endswith("and each wave is a separate sample.")
    _, caveat = prose.survey_waves(_orgs(tmp_path, [3] * 10 + [1] * 20), 8, 5)
    assert "not separate samples" in caveat
