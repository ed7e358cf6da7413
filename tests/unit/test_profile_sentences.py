"""The authority pages' computed sentences (pipeline/profiles/sentences.py): each says what is
true of its data, and something different, still true, at the edge of each case."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.profiles import sentences as s

CUMBRIA = {"code": "E10000006", "name": "Cumbria"}
NORTHANTS = {"code": "E10000021", "name": "Northamptonshire"}
NYORKS = {"code": "E10000023", "name": "North Yorkshire"}


def _model(status: str, reported: int, expected: float, estimate: float) -> dict:
    return {
        "status": status,
        "observed_items": reported,
        "expected_items": expected,
        "estimate": estimate,
    }


def _row(round_name: str, source: str, inherited: bool = False, adults: int | None = None):
    return {
        "round": round_name,
        "source_la_code": source,
        "inherited": inherited,
        "adults_in_treatment": adults,
        "women_in_treatment": None,
    }


# Numbers of items -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 items"), (1, "1 item"), (1.0, "1 item"), (1.5, "1.5 items"), (4, "4 items")],
)
def test_a_number_of_items_takes_its_noun_in_the_right_number(n, text):
    assert s.items(n) == text


# Where an estimate sits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "expected", "estimate", "where"),
    [
        (8, 7.7, 7.9, "between"),
        (8, 7.7, 9.7, "above"),
        (2, 5.0, 1.6, "below"),
        (8, 7.7, 8.04, "between"),  # prints 8.0: at the end, as the reader sees it
        (8, 7.7, 8.05, "above"),  # prints 8.1
        (3, 3.0, 3.0, "between"),
    ],
)
def test_the_estimate_sits_where_the_printed_numbers_put_it(reported, expected, estimate, where):
    assert s.position(reported, expected, estimate) == where


def test_a_full_answer_between_the_two_is_shrunk_from_what_it_reported():
    text = s.estimate_comparison(_model("full", 7, 5.6, 6.5), blank=2)
    assert text == (
        "It reported 7; an authority with its covariates is expected to offer 5.6. The estimate "
        "is shrunk from what it reported towards that expectation, the more so the less its "
        "answer alone can tell us."
    )


def test_a_partial_answer_above_both_says_the_estimate_allows_for_the_blank_items():
    text = s.estimate_comparison(_model("partial", 8, 7.7, 9.7), blank=3)  # Nottingham
    assert text == (
        "It gave a partial answer, reporting 8 offered and leaving 3 blank (not held or not "
        "stated); an authority with its covariates is expected to offer 7.7 in a full answer. "
        "The estimate allows for the 3 items it left blank, so it is above both: the model "
        "scales a partial answer up to a full one before shrinking it towards that expectation."
    )
    assert "shrunk from what it reported" not in text


def test_a_partial_answer_between_the_two_says_so():
    text = s.estimate_comparison(_model("partial", 9, 4.5, 8.7), blank=1)  # Tameside
    assert "leaving 1 blank" in text
    assert text.endswith(
        "The estimate allows for the 1 item it left blank and is shrunk towards that "
        "expectation, which leaves it between the two."
    )


def test_a_partial_answer_with_nothing_blank_is_not_said_to_have_left_items_blank():
    text = s.estimate_comparison(_model("partial", 8, 7.7, 9.7), blank=0)
    assert text.startswith("It gave a partial answer, reporting 8 offered; an authority")
    assert "blank" not in text and "The estimate allows for its partial answer, so" in text


@pytest.mark.parametrize(
    ("status", "estimate", "tail"),
    [
        ("full", 8.2, "which puts it above both."),
        ("full", 5.4, "which puts it below both."),
        ("partial", 5.4, "allowing for the 2 items it left blank, and averages"),
    ],
)
def test_an_estimate_outside_the_two_is_never_said_to_be_shrunk_between_them(
    status, estimate, tail
):
    text = s.estimate_comparison(_model(status, 6, 8.0, estimate), blank=2)
    assert tail in text and "shrunk from what it reported" not in text


def test_a_small_authority_is_compared_with_the_unit_it_is_modelled_in():
    text = s.estimate_comparison(_model("full", 5, 8.2, 5.9), blank=0, partner="Cornwall")
    assert text.startswith(
        "It reported 5. The model takes it together with Cornwall, as official statistics do "
        "when they publish rates for the smallest authorities: an authority with the "
        "covariates of the two combined is expected to offer 8.2."
    )
    assert "its covariates" not in text


# The index's account of the estimates ---------------------------------------------------------


def _estimates(rows: list[tuple[str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["status", "observed_items", "expected_items", "estimate"])


def test_the_overview_counts_where_full_and_partial_estimates_sit():
    frame = _estimates(
        [("full", 7, 5.6, 6.5), ("full", 1, 4.9, 3.0), ("partial", 8, 7.7, 9.7)]
        + [("partial", 9, 4.5, 8.7), ("partial", 7, 5.4, 7.9)]
    )
    text = s.estimates_overview(frame, {"Isles of Scilly": "Cornwall"})
    assert (
        "Of the estimates of the 2 authorities that answered in full, each lies between what "
        "the authority reported and that expectation." in text
    )
    assert (
        "Of the estimates of the 3 that gave a partial answer, which allow for the items a "
        "partial answer leaves blank, 2 lie above both what the authority reported and that "
        "expectation and 1 between the two." in text
    )
    assert text.endswith(
        "The model takes Isles of Scilly together with Cornwall, as official statistics do when "
        "they publish rates for the smallest authorities, so its expectation is that of the two "
        "combined."
    )


def test_the_overview_without_partial_answers_or_combined_authorities():
    frame = _estimates([("full", 7, 5.6, 6.5), ("full", 6, 8.0, 8.2)])
    text = s.estimates_overview(frame, {})
    assert (
        "1 lies above both what the authority reported and that expectation and 1 between" in text
    )
    assert text.endswith("No estimated authority gave a partial answer.")
    assert "together with" not in text
    pairs = {"Isles of Scilly": "Cornwall", "City of London": "Hackney"}
    assert "so the expectation of each is" in s.estimates_overview(frame, pairs)


# Former codes ---------------------------------------------------------------------------------


def test_a_split_whose_old_code_answered_is_shown_inherited_without_counts():
    rows = [_row("2021", "E10000006", inherited=True), _row("2024", "E06000063")]
    assert s.former_answers("Cumberland", "E06000063", CUMBRIA, rows) == (
        "The 2021 FOI round was sent to Cumbria for its whole area: its status and answers are "
        "shown here, inherited, but not its counts of people, which cannot be split."
    )
    rows[0]["adults_in_treatment"] = 120
    assert "status, answers and counts of people are shown here" in s.former_answers(
        "Cumberland", "E06000063", CUMBRIA, rows
    )


def test_a_split_before_every_round_inherits_nothing():
    rows = [_row("2021", "E06000061"), _row("2024", "E06000061")]
    assert s.former_answers("North Northamptonshire", "E06000061", NORTHANTS, rows) == (
        "Every FOI round (2021 and 2024) was sent to North Northamptonshire under its own code, "
        "E06000061, so nothing of Northamptonshire (E10000021) is carried over."
    )
    rows[0]["source_la_code"] = "E99999999"
    assert s.former_answers("North Northamptonshire", "E06000061", NORTHANTS, rows) == (
        "No FOI round was sent under Northamptonshire's code, E10000021."
    )


def test_a_recode_carries_its_rounds_over_as_they_were():
    rows = [_row("2021", "E10000023"), _row("2024", "E06000065")]
    assert s.former_answers("North Yorkshire", "E06000065", NYORKS, rows) == (
        "The result of the 2021 FOI round, sent under the old code, E10000023, carries over as "
        "it was."
    )
    rows[1]["source_la_code"] = "E10000023"
    assert s.former_answers("North Yorkshire", "E06000065", NYORKS, rows).startswith(
        "The results of the 2021 and 2024 FOI rounds, sent under the old code, E10000023, "
        "carry over as they were."
    )


def _common(rows: list[tuple[str, str, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["round", "la_code", "source_la_code", "inherited"])


def test_the_note_on_a_former_code_says_which_rounds_were_sent_under_it():
    split = NORTHANTS | {
        "successors": [
            {"code": "E06000061", "name": "North Northamptonshire"},
            {"code": "E06000062", "name": "West Northamptonshire"},
        ]
    }
    own = _common([(r, c, c, False) for r in ("2021", "2024") for c in ("E06000061", "E06000062")])
    assert s.former_note(split, own) == (
        "No FOI round was sent under E10000021: every round (2021 and 2024) went to North "
        "Northamptonshire and West Northamptonshire under their own codes."
    )
    inherited = own.assign(
        source_la_code=own["source_la_code"].mask(own["round"] == "2021", "E10000021"),
        inherited=own["round"] == "2021",
    )
    assert s.former_note(split, inherited) == (
        "The result of the 2021 FOI round under E10000021 appears on each of these pages, "
        "inherited."
    )


def test_the_note_on_a_recode_says_its_results_appear_as_they_were():
    recode = NYORKS | {"successors": [{"code": "E06000065", "name": "North Yorkshire"}]}
    common = _common(
        [("2021", "E06000065", "E10000023", False), ("2024", "E06000065", "E06000065", False)]
    )
    assert s.former_note(recode, common) == (
        "The result of the 2021 FOI round under E10000023 appears on that page, as it was."
    )
    common["source_la_code"] = "E06000065"
    assert s.former_note(recode, common).endswith("went to North Yorkshire under its own code.")


def test_the_heading_of_former_codes_names_the_geographies_that_replaced_them():
    notes = [{"replaced_year": 2021}, {"replaced_year": 2023}, {"replaced_year": 2023}]
    assert s.replaced_codes(notes).startswith("Codes replaced by the 2021 and 2023 geographies,")
    assert s.replaced_codes(notes[1:]).startswith("Codes replaced by the 2023 geography,")


# Rounds that cannot be compared ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("gaps", "text"),
    [
        ([("2024", "did not respond")], "Hartlepool did not respond in 2024."),
        (
            [("2021", "did not provide information")],
            "Hartlepool did not provide information in 2021.",
        ),
        (
            [("2021", "did not respond"), ("2024", "did not respond")],
            "Hartlepool did not respond in either round.",
        ),
        (
            [("2021", "did not respond"), ("2024", "did not provide information")],
            "Hartlepool did not respond in 2021 and did not provide information in 2024.",
        ),
    ],
)
def test_not_comparable_names_the_round_without_information(gaps, text):
    assert s.not_comparable("Hartlepool", gaps) == f"Not comparable: {text}"
