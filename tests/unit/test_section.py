"""The published section: each table's content on tiny frames worked by hand, the registry's
numbering, the template's placing of tables and figures, shorthand in published tables, the
glossary and release metadata, and the significance parameter."""

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline import findings, prose, schemas, section
from pipeline import section_tables as content
from pipeline.section import StageOutputs, TableSpec
from pipeline.taxonomy import ADJUSTED
from pipeline.workbook import Release, figure_tables, typed

TEMPLATE = Path(section.__file__).parent / "templates" / "section.html.j2"


def _rows(frame: pd.DataFrame) -> list[list]:
    """Rows as lists with NaN as None, so that they compare with ==."""
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


# the template places tables and figures in the registry's order ---------------------------


def test_template_places_tables_in_registry_order():
    placed = re.findall(r'\{\{ tab\("(\w+)"\) \}\}', TEMPLATE.read_text(encoding="utf-8"))
    assert placed == [spec.key for spec in section.TABLES]


def test_template_places_figures_in_registry_order():
    placed = re.findall(r'\{\{ fig\("(\w+)"\) \}\}', TEMPLATE.read_text(encoding="utf-8"))
    assert placed == [stem for _, stem in section.FIGURES]


def test_table_numbers_the_prose_quotes_are_registered_tables():
    quoted = re.findall(r"numbers\.(\w+)", TEMPLATE.read_text(encoding="utf-8"))
    assert quoted and set(quoted) <= {spec.key for spec in section.TABLES}


# Numbers a sentence of the template may type: names and fixed facts, never results.
FIXED = {"2000", "20", "2019", "18", "95", "3.0"}  # the Act, its limit, IMD 2019, aged 18+,
# the intervals' level, the licence's version


def test_the_template_types_no_result():
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", TEMPLATE.read_text(), flags=re.S)
    text = re.sub(r"<(style|script)\b.*?</\1>|<h2[^>]*>.*?</h2>|<[^>]+>", " ", text, flags=re.S)
    typed = set(re.findall(r"\d+(?:[.,]\d+)*", text)) - FIXED
    assert not typed, typed


def test_the_template_starts_a_new_sentence_after_each_computed_one():
    # Computed sentences end with a full stop ("... both rounds."), so what follows one in
    # the template must start a sentence, not continue it with "(" or a lower-case word.
    text = TEMPLATE.read_text(encoding="utf-8")
    continued = re.findall(r"\{\{ said\.\w+ \}\} *[a-z(;,]", text)
    assert not continued, continued


def test_registry_keys_are_unique():
    keys = [spec.key for spec in section.TABLES]
    assert len(keys) == len(set(keys)) == 18


# numbering, titles, notes and headers -------------------------------------------------------


def _outputs(survey: dict) -> StageOutputs:
    rates = pd.DataFrame({"round": ["2021", "2024"]})
    effects = pd.DataFrame({"region": ["E1", "E2"], "region_name": ["North", "London"]})
    empty = pd.DataFrame()
    return StageOutputs(
        {"response_rates": rates},
        {"region_effects": effects},
        survey,
        empty,
        empty,
        empty,
        "E2",
        (8, 5),
    )


SPECS = (
    TableSpec(
        "first",
        "Asked in {latest}",
        lambda o: pd.DataFrame({"n": [3, 4]}, index=[7, 9]),
        ("Note: {rule}",),
    ),
    TableSpec("waves", "Survey", lambda o: pd.DataFrame({"wave": ["2023"]}), survey=True),
    TableSpec("last", "Last", lambda o: pd.DataFrame({"mystery": [1], 2021: [2]})),
)


def test_tables_are_numbered_in_registry_order_with_titles_notes_and_headers():
    tables = section.numbered_tables(_outputs({"any": 1}), "Src", "Rule.", SPECS)
    assert list(tables) == ["first", "waves", "last"]
    assert [t.sheet for t in tables.values()] == ["Table 1", "Table 2", "Table 3"]
    first = tables["first"]
    assert (first.title, first.notes, first.source) == ("Asked in 2024", ("Note: Rule.",), "Src")
    assert list(first.frame.columns) == ["Asked"] and list(first.frame.index) == [0, 1]
    assert list(tables["waves"].frame.columns) == ["Wave"]
    assert list(tables["last"].frame.columns) == ["mystery", "2021"]  # no header: name kept


def test_without_survey_outputs_survey_tables_drop_out_and_numbering_closes_up():
    tables = section.numbered_tables(_outputs({}), "Src", "Rule.", SPECS)
    assert {k: t.sheet for k, t in tables.items()} == {"first": "Table 1", "last": "Table 2"}


def test_stage_outputs_name_regions_and_the_latest_round():
    outputs = _outputs({})
    assert outputs.regions == {"E1": "North", "E2": "London"}
    assert outputs.latest_round == "2024"


# the significance level is a parameter ------------------------------------------------------


@pytest.mark.parametrize(("significance", "expected"), [(0.05, 2), (0.1, 3), (0.01, 0)])
def test_changed_items_counts_holm_p_below_the_significance_level(significance, expected):
    changes = pd.DataFrame({"p_holm": [0.01, 0.049, 0.05, 0.3, 1.0]})
    assert section.changed_items(changes, significance) == expected


# row accounting -----------------------------------------------------------------------------


OVERRIDES_CSV = (
    "round,la_code,item,before,answer,reason,source_file,source_row,override_row\n"
    "2021,E09000002,women_groups,N,yes,a weekly group,foi/2021.csv,2,3\n"
    "2021,E09000002,date_responded,30 June 2021,,no reply was sent,foi/2021.csv,2,2\n"
    "2024,E06000014,status,Provided,accept,complete though an answer is blank,foi/2024.xlsx,9,4\n"
)


def test_accounting_reads_whichever_accounts_and_exclusions_exist_and_the_overrides(tmp_path):
    accounts = {"foi/2021.csv": {"rows_in": 5, "kept": 3, "excluded": 1, "blank": 1}}
    (tmp_path / "foi_accounting.json").write_text(json.dumps(accounts), encoding="utf-8")
    (tmp_path / "survey_exclusions.csv").write_text(
        "file,source_row,reason\nsurvey/2021.csv,4,duplicate\n", encoding="utf-8"
    )
    (tmp_path / "foi_overrides.csv").write_text(OVERRIDES_CSV, encoding="utf-8")
    table, excluded, overrides = section.accounting(tmp_path)
    assert _rows(table[["file", "rows_in", "kept", "excluded", "blank"]]) == [
        ["foi/2021.csv", 5, 3, 1, 1]
    ]
    assert _rows(excluded) == [["survey/2021.csv", 4, "duplicate"]]
    assert overrides["answer"].tolist() == ["yes", "", "accept"]  # a blank read as blank
    assert overrides["source_row"].tolist() == [2, 2, 9]


def test_overrides_table_lists_each_override_with_its_reason(tmp_path):
    (tmp_path / "foi_overrides.csv").write_text(OVERRIDES_CSV, encoding="utf-8")
    overrides = schemas.read(tmp_path / "foi_overrides.csv", "foi_overrides")
    outputs = dataclasses.replace(_outputs({}), overrides=overrides)
    spec = next(s for s in section.TABLES if s.key == "overrides")
    frame = section.numbered_tables(outputs, "Src", "Rule.", (spec,))["overrides"].frame
    assert list(frame.columns) == ["File", "Row", "Code", "Field", "Typed", "Set to", "Reason"]
    assert _rows(frame) == [
        ["foi/2021.csv", 2, "E09000002", "women_groups", "N", "yes", "a weekly group"],
        ["foi/2021.csv", 2, "E09000002", "date_responded", "30 June 2021", "", "no reply was sent"],
        ["foi/2024.xlsx", 9, "E06000014", "status", "Provided", "accept",
         "complete though an answer is blank"],
    ]  # fmt: skip


def test_no_overrides_publish_no_table():
    spec = next(s for s in section.TABLES if s.key == "overrides")
    none = pd.DataFrame(columns=content.OVERRIDDEN)
    outputs = dataclasses.replace(_outputs({}), overrides=none)
    assert section.numbered_tables(outputs, "Src", "Rule.", (spec,)) == {}


@pytest.mark.parametrize(
    ("rounds", "expected"),
    [
        ([], "Analysts applied no overrides to the raw FOI data."),
        (["2024"], "Analysts applied 1 override to the raw FOI data (1 in 2024)."),
        (
            ["2024", "2021", "2021"],
            "Analysts applied 3 overrides to the raw FOI data (1 in 2024 and 2 in 2021).",
        ),
    ],
)
def test_overrides_applied_counts_them_by_round_in_the_order_cleaned(rounds, expected):
    by_round = pd.DataFrame({"round": rounds}).groupby("round", sort=False).size().to_dict()
    assert findings.overrides_applied(by_round) == expected


# each table's content -----------------------------------------------------------------------


def test_response_rates_join_timeliness_and_show_percentages():
    rates = pd.DataFrame(
        {
            "round": ["2021", "2024"],
            "n": [10, 8],
            "responded": [9, 6],
            "share": [0.9, 0.75],
            "conf_low": [0.6, 0.4],
            "conf_high": [0.98, 0.94],
        }
    )
    timeliness = pd.DataFrame(
        {
            "round": ["2024", "2021"],
            "n": [6, 9],
            "median_calendar_days": [17.0, 28.0],
            "median_working_days": [12.0, 20.0],
            "on_time": [5, 4],  # a count: replaced by the share within 20 days
            "share": [5 / 6, 4 / 9],
            "conf_low": [0.4, 0.2],
            "conf_high": [0.9, 0.7],
        }
    )
    out = content.response_rates(rates, timeliness)
    assert list(out.columns) == [
        "round",
        "n",
        "responded",
        "share",
        "conf_low",
        "conf_high",
        "median_working_days",
        "on_time",
    ]
    assert _rows(out) == [
        ["2021", 10, 9, 90.0, 60.0, 98.0, 20.0, 44.4],
        ["2024", 8, 6, 75.0, 40.0, 94.0, 12.0, 83.3],
    ]


def test_response_status_lists_every_status_in_order_by_round_absent_ones_as_none():
    status = pd.DataFrame(
        {
            "round": ["2021", "2021", "2024", "2021", "2024"],
            "status": ["partial", "full", "full", "no_response", "refused_cost"],
            "count": [2, 7, 8, 1, 1],
            "share": [0.2, 0.7, 0.89, 0.1, 0.11],
        }
    )
    out = content.response_status(status)
    assert list(out.columns) == ["status", "2021", "2024"]
    assert _rows(out) == [
        ["Full response", 7, 8],
        ["Partial response", 2, 0],
        ["Information not held", 0, 0],
        ["Refused: over cost limit (s12)", 0, 1],
        ["Refused: other exemption", 0, 0],
        ["Clarification sought", 0, 0],
        ["No response", 1, 0],
    ]


def test_non_responders_are_those_of_the_latest_round_with_status_in_words():
    frame = pd.DataFrame(
        {
            "round": ["2021", "2024", "2024"],
            "region_name": ["North", "North", "London"],
            "la_name": ["A", "B", "C"],
            "status": ["not_held", "no_response", "refused_other"],
        }
    )
    out = content.non_responders(frame, "2024")
    assert list(out.columns) == ["region_name", "la_name", "status"]
    assert _rows(out) == [
        ["North", "B", "No response"],
        ["London", "C", "Refused: other exemption"],
    ]


def test_item_shares_put_each_round_side_by_side_in_round_order():
    shares = pd.DataFrame(
        {
            "round": ["2024", "2024", "2021", "2021"],
            "item": ["groups", "creche", "groups", "creche"],
            "label": ["Groups", "Creche", "Groups", "Creche"],
            "share": [0.5, 0.125, 0.25, 0.1],
            "conf_low": [0.3, 0.05, 0.1, 0.02],
            "conf_high": [0.7, 0.25, 0.45, 0.3],
        }
    )
    out = content.item_shares(shares)
    assert list(out.columns) == [
        "item",
        "2021 share (%)",
        "2021 CI lower",
        "2021 CI upper",
        "2024 share (%)",
        "2024 CI lower",
        "2024 CI upper",
    ]
    assert _rows(out) == [
        ["Creche", 10.0, 2.0, 30.0, 12.5, 5.0, 25.0],
        ["Groups", 25.0, 10.0, 45.0, 50.0, 30.0, 70.0],
    ]


def test_count_families_name_models_and_mark_the_favoured_one():
    comparison = pd.DataFrame(
        {
            "model": ["poisson", "negative_binomial"],
            "log_lik": [-120.456, -100.004],
            "n_params": [11, 12],
            "aic": [262.912, 224.008],
            "delta_aic": [38.904, 0.0],
            "favoured": [False, True],
        }
    )
    assert _rows(content.count_families(comparison)) == [
        ["Poisson", -120.46, 11, 262.91, 38.9, "No"],
        ["Negative binomial (NB2)", -100.0, 12, 224.01, 0.0, "Yes"],
    ]


def _irr(conf_low: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["Intercept", "imd_z", "region[E1]"],
            "estimate": [4.19415, 0.91234, 1.18709],
            "conf_low": conf_low,
            "conf_high": [5.5, 1.1, 2.0],
            "p_value": [1e-26, 0.04321, 0.52921],
        }
    )


def test_rate_ratios_put_terms_in_words_beside_robust_intervals():
    robust = _irr([3.3577, 0.8, 0.7]).assign(conf_high=[5.2389, 1.05, 1.9241])
    out = content.rate_ratios(
        _irr([3.2088, 0.75, 0.6958]), robust, {"E1": "North", "E2": "South"}, "E2"
    )
    assert list(out.columns) == [
        "term",
        "estimate",
        "conf_low",
        "conf_high",
        "p_value",
        "conf_low_robust",
        "conf_high_robust",
    ]
    assert _rows(out) == [
        ["Intercept (items at average covariates, reference region)", 4.194, 3.209, 5.5]
        + ["<0.001", 3.358, 5.239],
        ["Deprivation (IMD 2019 score, per SD)", 0.912, 0.75, 1.1, 0.043, 0.8, 1.05],
        ["Region: North (vs South)", 1.187, 0.696, 2.0, 0.529, 0.7, 1.924],
    ]


def test_adjusted_prevalence_is_by_label_in_percent():
    prevalence = pd.DataFrame(
        {
            "item": ["groups"],
            "label": ["Groups"],
            "estimate": [0.50896],
            "conf_low": [0.42924],
            "conf_high": [0.58823],
        }
    )
    assert _rows(content.adjusted_prevalence(prevalence)) == [["Groups", 50.9, 42.9, 58.8]]


def test_funnel_sides_give_one_row_per_authority_and_the_side_of_each_limit():
    outliers = pd.DataFrame(
        {
            "la_code": ["E2", "E1", "E2"],
            "la_name": ["Bury", "Ealing", "Bury"],
            "region_name": ["North West", "London", "North West"],
            "limits": [ADJUSTED] * 3,
            "level": [0.998, 0.95, 0.95],
            "side": ["above", "below", "above"],
        }
    )
    every = content.funnel_sides(outliers)
    assert list(every.columns) == [
        "la_code",
        "la_name",
        "region_name",
        "Adjusted 95%",
        "Adjusted 99.8%",
    ]
    assert _rows(every) == [
        ["E1", "Ealing", "London", "Below", "Within"],
        ["E2", "Bury", "North West", "Above", "Above"],
    ]
    assert content.funnel_sides(outliers.iloc[:0]).empty


def test_item_changes_keep_counts_and_show_shares_in_percent():
    changes = pd.DataFrame(
        {
            "item": ["groups"],
            "label": ["Groups"],
            "round_1": ["2021"],
            "round_2": ["2024"],
            "n_pairs": [103],
            "yes_to_no": [17],
            "no_to_yes": [22],
            "share_1": [0.5242718],
            "conf_low_1": [0.43],
            "share_2": [0.5728155],
            "p_value": [0.5223974],
            "p_holm": [1.0],
        }
    )
    out = content.item_changes(changes)
    assert list(out.columns) == [
        "label",
        "n_pairs",
        "yes_to_no",
        "no_to_yes",
        "share_1",
        "share_2",
        "p_value",
        "p_holm",
    ]
    assert _rows(out) == [["Groups", 103, 17, 22, 52.4, 57.3, 0.522, 1.0]]


def test_support_changes_are_in_points_with_comparisons_in_words():
    changes = pd.DataFrame(
        {
            "option": ["Advocacy", "Advocacy"],
            "comparison": ["consecutive", "first_to_last"],
            "wave_from": ["2021", "2021"],
            "wave_to": ["2023", "2025"],
            "difference": [0.0520955, -0.1],
            "conf_low": [-0.0719641, -0.25],
            "conf_high": [0.1732207, 0.05],
            "p_value": [0.4132040, 0.0123456],
            "p_holm": [1.0, 0.0246912],
        }
    )
    assert _rows(content.support_changes(changes)) == [
        ["Advocacy", "Consecutive waves", "2021", "2023", 5.2, -7.2, 17.3, 0.413, 1.0],
        ["Advocacy", "First to last wave", "2021", "2025", -10.0, -25.0, 5.0, 0.012, 0.025],
    ]
    span = content.support_changes(findings.first_to_last(changes.assign(p_value=[0.4, 0.0002])))
    assert _rows(span) == [
        ["Advocacy", "First to last wave", "2021", "2025", -10.0, -25.0, 5.0, "<0.001", 0.025]
    ]
    # Two waves: their one consecutive comparison is the first wave's with the last, so the
    # table of first-to-last changes shows it rather than nothing.
    two_waves = content.support_changes(findings.first_to_last(changes.head(1)))
    assert _rows(two_waves) == [
        ["Advocacy", "Consecutive waves", "2021", "2023", 5.2, -7.2, 17.3, 0.413, 1.0]
    ]


def test_barriers_are_ranked_with_share_interval_and_base():
    ranked = pd.DataFrame(
        {
            "question": ["barrier"],
            "wave": ["2025"],
            "option": ["child_removal"],
            "n": [80],
            "count": [57],
            "share": [0.7126],
            "conf_low": [0.6054],
            "conf_high": [0.8001],
            "rank": [1],
            "label": ["Fear of child removal"],
        }
    )
    out = content.barriers(ranked)
    assert list(out.columns) == ["rank", "barrier", "share", "conf_low", "conf_high", "n"]
    assert _rows(out) == [[1, "Fear of child removal", 71.3, 60.5, 80.0, 80]]


def test_table_percentages_and_ratios_round_half_way_values_up():
    # 25/80 = 0.3125 is 31.25%: 31.3, not 31.2 (half to even), and 0.2125 21.3; a rate ratio
    # of 1.0625 to three decimals is 1.063, a p-value of 0.0125 0.013
    ranked = pd.DataFrame(
        {
            "rank": [1],
            "label": ["Cost of living"],
            "share": [0.3125],
            "conf_low": [0.2125],
            "conf_high": [0.4266],
            "n": [80],
        }
    )
    assert _rows(content.barriers(ranked)) == [[1, "Cost of living", 31.3, 21.3, 42.7, 80]]
    irr = pd.DataFrame(
        {"term": ["imd_z"], "estimate": [1.0625], "conf_low": [1.0], "conf_high": [1.2],
         "p_value": [0.0125]}
    )  # fmt: skip
    out = content.rate_ratios(irr, irr, {}, "E12000007")
    assert out[["estimate", "p_value"]].iloc[0].tolist() == [1.063, 0.013]


def test_nonresponse_sensitivity_keeps_the_covariates_under_each_scenario():
    sensitivity = pd.DataFrame(
        {
            "scenario": ["complete_cases"] * 4 + ["zero_items"],
            "term": ["Intercept", "region[E1]", "imd_z", "log_pop_z", "imd_z"],
            "estimate": [4.2, 1.2, 0.91234, 1.10005, 0.8],
            "n": [144, 144, 144, 144, 153],
        }
    )
    out = content.nonresponse_sensitivity(sensitivity, {"E1": "North", "E2": "South"}, "E2")
    assert _rows(out) == [
        ["Non-responders excluded", "Deprivation (IMD 2019 score, per SD)", 0.912, 144],
        ["Non-responders excluded", "Female population 18+ (log, per SD)", 1.1, 144],
        ["Non-responders offer nothing", "Deprivation (IMD 2019 score, per SD)", 0.8, 153],
    ]


def test_row_accounts_publish_the_four_counts_in_order():
    accounts = pd.DataFrame(
        {"file": ["a.csv"], "blank": [2], "excluded": [1], "kept": [9], "rows_in": [12]}
    )
    out = content.row_accounts(accounts, 8, 5)
    assert list(out.columns) == ["file", "rows_in", "kept", "excluded", "blank"]
    assert _rows(out) == [["a.csv", 12, 9, 1, 2]]


def test_shares_keep_shorthand_where_a_value_is_suppressed():
    ranked = pd.DataFrame(
        {
            "rank": [1, 2],
            "label": ["Stigma", "Cost"],
            "share": ["0.5", "[c]"],
            "conf_low": [0.4, "[c]"],
            "conf_high": [0.6, "[c]"],
            "n": [80, 80],
        }
    )
    assert _rows(content.barriers(ranked)) == [
        [1, "Stigma", 50.0, 40.0, 60.0, 80],
        [2, "Cost", "[c]", "[c]", "[c]", 80],
    ]


# shorthand, notes, glossary and release ------------------------------------------------------


def test_typed_turns_numbers_beside_shorthand_into_numbers():
    frame = pd.DataFrame(
        {"org_type": ["A", "B"], "2021": ["20", "[c]"], "wave": ["2021", "2023"], "n": [1, 2]}
    )
    out = typed(frame)
    assert _rows(out) == [["A", 20, "2021", 1], ["B", "[c]", "2023", 2]]
    assert isinstance(out["wave"].iloc[0], str)  # text without shorthand stays text


def test_tables_without_rows_are_not_published_and_c_brings_the_disclosure_rule():
    specs = (
        TableSpec("empty", "Nothing", lambda o: pd.DataFrame({"n": []})),
        TableSpec("people", "People", lambda o: pd.DataFrame({"n": [10, "[c]"]})),
        TableSpec("noted", "Noted", lambda o: pd.DataFrame({"n": ["[c]"]}), (section.PEOPLE,)),
    )
    tables = section.numbered_tables(_outputs({}), "Src", "Rule.", specs)
    assert {k: t.sheet for k, t in tables.items()} == {"people": "Table 1", "noted": "Table 2"}
    assert tables["people"].notes == (section.DISCLOSED.format(rule="Rule."),)
    assert tables["people"].symbols == ["[c]"]
    assert tables["noted"].notes == ("Counts of people are protected. Rule.",)


def test_glossary_defines_the_findings_terms_and_the_document_terms_in_order():
    terms = section.glossary()
    assert set(section.GLOSSARY) <= set(terms) and {"CSV", "HC0"} <= set(terms)
    assert list(terms) == sorted(terms, key=str.casefold)


def test_release_metadata_comes_from_the_report_parameters():
    params = {
        "title": "T",
        "publisher": "P",
        "release_date": dt.date(2026, 12, 1),
        "next_update": "To be announced",
        "status": "Experimental",
        "contact": "C",
        "synthetic": True,
    }
    release = Release.from_params(params)
    assert release.lines == [
        "Publisher: P",
        "Release date: 1 December 2026",
        "Next update: To be announced",
        "Status: Experimental",
        "Contact: C",
    ]


def test_figure_tables_publish_each_figures_csv_with_headers_and_fractions(tmp_path):
    (tmp_path / "figures" / "s").mkdir(parents=True)
    (tmp_path / "figures" / "s" / "c.csv").write_text(
        "label,share,n_items,outlier\nA,0.25,3,True\nB,[c],4,False\n", encoding="utf-8"
    )
    figures = {"c": {"number": 4, "title": "Most offer 3", "csv": "figures/s/c.csv"}}
    (table,) = figure_tables(figures, tmp_path, "Src")
    assert (table.sheet, table.title) == ("Figure 4", "Data behind Figure 4: Most offer 3")
    assert list(table.frame.columns) == ["Label", "Share", "Items offered", "Outlier"]
    assert _rows(table.frame) == [["A", 0.25, 3, "Yes"], ["B", "[c]", 4, "No"]]
    assert table.fractions == ("Share",)


def _flagged(levels: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"la_code": [f"E{i}" for i in range(len(levels))], "level": levels})


def test_funnel_named_says_who_is_an_outlier_and_how_many_lie_outside_each_level():
    expected = {"0.95": 5.3, "0.998": 0.212}
    none = prose.funnel_named(_flagged([0.95] * 4), expected, 0.998)
    assert none == (
        "An authority is called an outlier only when it lies outside the adjusted 99.8% limits "
        "(Spiegelhalter 2005): 0 authorities do, where about 0.2 would by chance alone. Outside "
        "the adjusted 95% limits lie 4 authorities, where about 5.3 would by chance alone."
    )
    one = prose.funnel_named(_flagged([0.95, 0.998]), expected, 0.998)
    assert "1 authority does," in one and "95% limits lies 1 authority," in one
