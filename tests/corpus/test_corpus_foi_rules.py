"""FOI round files that break the classification and plausibility rules, made by altering
copies of the example rounds, through foi.clean_rounds (the file-level cases: test_corpus_foi.py).

Status spellings of each kind and answers with qualifiers read to the same responses; each
contradiction, impossible value, unclassified answer, unsaved formula, name and code conflict
and oversize cell stops with an InputError whose whole message is asserted (several problems
are reported together); and each problem the overrides file can settle reads once settled,
every override applied listed in FoiResult.overrides and the log. A corpus of real-world
status spellings (foi_status_spellings.csv) is classified.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import corpus_kit as kit
import pandas as pd
import pytest
from corpus_kit import (
    BLACKPOOL,
    HULL,
    NEWCASTLE,
    NORTH_NORTHANTS,
    NORTH_YORKSHIRE,
    SHROPSHIRE,
    SOMERSET,
    SOUTHEND,
    TELFORD,
    YORK,
    YORK_ADULTS,
    YORK_WOMEN,
    Edit,
    counted,
    csv_cells,
    formula,
    long_text,
    restatused,
    unchanged,
    xlsx_cells,
)

from pipeline import foi, geography
from pipeline.errors import InputError
from pipeline.taxonomy import ANSWERS, STATUSES


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Each unaltered round's cleaned responses, cleaned on its own."""
    return kit.foi_baseline(tmp_path_factory.mktemp("baseline"))


def test_rows_the_cases_alter(baseline: dict[str, pd.DataFrame]) -> None:
    rows = {
        (r, c): int(baseline[r].set_index("la_code").at[c, "source_row"])
        for r, c in [
            ("2021", "E06000014"),
            ("2021", "E08000021"),
            ("2021", "E10000023"),
            ("2024", "E06000061"),
            ("2024", "E06000066"),
            ("2021", "E06000009"),
            ("2021", "E06000010"),
            ("2021", "E06000033"),
            ("2021", "E06000020"),
            ("2024", "E06000051"),
        ]
    }
    assert list(rows.values()) == [
        *(YORK, NEWCASTLE, NORTH_YORKSHIRE, NORTH_NORTHANTS, SOMERSET),
        *(BLACKPOOL, HULL, SOUTHEND, TELFORD, SHROPSHIRE),
    ]
    york = geography.covariates(kit.REFERENCE, 2021).set_index("la_code").loc["E06000014"]
    assert (york["pop_adult_18plus"], york["pop_female_18plus"]) == (YORK_ADULTS, YORK_WOMEN)


# -- files that read to the same responses -------------------------------------------------------

READS = [
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "Answered in full")),
        restatused("E06000014", "Answered in full"),
        id="status-case-management-words",
    ),
    pytest.param(
        "2021",
        csv_cells((TELFORD, foi.STATUS, "Partially successful")),
        restatused("E06000020", "Partially successful"),
        id="status-ico-partially-successful",
    ),
    pytest.param(
        "2021",
        csv_cells((SOUTHEND, foi.STATUS, "section 12(1) FOIA")),
        restatused("E06000033", "section 12(1) FOIA"),
        id="status-section-number",
    ),
    pytest.param(
        "2021",
        csv_cells((HULL, foi.STATUS, "We do not hold this information")),
        restatused("E06000010", "We do not hold this information"),
        id="status-plain-english-not-held",
    ),
    pytest.param(
        "2021",
        csv_cells((BLACKPOOL, foi.STATUS, "Long overdue")),
        restatused("E06000009", "Long overdue"),
        id="status-plain-english-overdue",
    ),
    pytest.param(
        "2024",
        xlsx_cells((SHROPSHIRE, foi.STATUS, "Awaiting clarification")),
        restatused("E06000051", "Awaiting clarification"),
        id="status-plain-english-clarification",
    ),
    pytest.param(
        "2021",
        csv_cells(
            (YORK, foi.ITEM_HEADERS["women_spaces"], "Yes (pilot)"),
            (YORK, foi.ITEM_HEADERS["trauma_mental_health"], "Yes - but only in the north"),
            (YORK, foi.ITEM_HEADERS["perinatal"], "Not currently commissioned"),
        ),
        unchanged,
        id="answers-with-qualifiers",
    ),
    pytest.param("2021", long_text(200_000), unchanged, id="field-over-the-csv-limit"),
]


@pytest.mark.parametrize(("round_name", "edit", "expect"), READS)
def test_reads_the_same_responses(
    tmp_path: Path,
    baseline: dict[str, pd.DataFrame],
    round_name: str,
    edit: Edit,
    expect: Callable[[pd.DataFrame], pd.DataFrame],
) -> None:
    raw = kit.raw_copy(tmp_path)
    edit(raw)
    result = kit.clean_foi(raw, [round_name])
    pd.testing.assert_frame_equal(result.responses, expect(baseline[round_name]))


# -- real-world status spellings -----------------------------------------------------------------

SPELLINGS = Path(__file__).with_name("foi_status_spellings.csv")


def test_real_world_status_spellings_are_classified() -> None:
    """foi_status_spellings.csv: how FOI outcomes are written on WhatDoTheyKnow, in ICO
    decision notices, case-management systems and council disclosure logs (written from those
    public sources, apart from the example generator's spellings)."""
    corpus = pd.read_csv(SPELLINGS, dtype=str, keep_default_na=False)
    assert len(corpus) >= 40 and set(corpus["expected_status"]) == set(STATUSES)
    assert not corpus["spelling"].duplicated().any()
    got = corpus["spelling"].map(foi.status_of)
    wrong = corpus.assign(got=got).loc[got != corpus["expected_status"]]
    print(f"\nstatus spellings recognised: {len(corpus) - len(wrong)}/{len(corpus)}")
    assert wrong.empty, wrong.to_string()


# Status texts no spelling or rule classifies: they stop the run for the analyst to settle.
STATUS_STOPS = [
    "Passed to NHS England",
    "Forwarded to the ICB",
    "Nil response",  # a nil return (not held) or no response at all
    "Request withdrawn",
    "Withdrawn",
    "Awaiting ICO decision",
    "Not yet due",
    "EIR reg 12(5)(e)",
    "Closed",
    "Sent",
]


@pytest.mark.parametrize("spelling", STATUS_STOPS)
def test_unclear_status_spellings_stop(spelling: str) -> None:
    assert foi.status_of(spelling) is None


ANSWER_SPELLINGS = Path(__file__).with_name("foi_answer_spellings.csv")
STOP = "stop"  # in the corpora: the text stops the run for the analyst to settle


def test_real_world_item_answers_are_classified() -> None:
    """foi_answer_spellings.csv: item answers as council FOI officers write them, with the
    answer a careful analyst codes ("stop" where the text leaves it unclear: never a confident
    yes or no it does not say)."""
    corpus = pd.read_csv(ANSWER_SPELLINGS, dtype=str, keep_default_na=False)
    assert len(corpus) >= 80 and set(corpus["expected_answer"]) == {*ANSWERS, STOP}
    assert not corpus["answer"].duplicated().any()
    got = corpus["answer"].map(foi.classify_answer).fillna(STOP)
    wrong = corpus.assign(got=got).loc[got != corpus["expected_answer"]]
    print(f"\nitem answers recognised: {len(corpus) - len(wrong)}/{len(corpus)}")
    assert wrong.empty, wrong.to_string()


COUNT_SPELLINGS = Path(__file__).with_name("foi_count_spellings.csv")


def _count(raw: str) -> tuple[str, str, str]:
    try:
        value, flag, bound = foi.parse_count(raw)
    except ValueError:
        return "", STOP, ""
    return ("" if value is None else str(value), flag, "" if bound is None else str(bound))


def test_real_world_counts_are_read() -> None:
    """foi_count_spellings.csv: treatment counts as councils write them: value, flag and
    censoring bound, or "stop" for a cell that is not one count ("120 (2023/24)", "45*")."""
    corpus = pd.read_csv(COUNT_SPELLINGS, dtype=str, keep_default_na=False)
    assert len(corpus) >= 40 and not corpus["count"].duplicated().any()
    got = corpus["count"].map(_count)
    expected = list(zip(corpus["value"], corpus["flag"], corpus["bound"], strict=True))
    wrong = corpus.assign(got=got).loc[[g != e for g, e in zip(got, expected, strict=True)]]
    assert wrong.empty, wrong.to_string()


# -- files that must stop the run, naming file, row and column ----------------------------------

NEAREST = ", ".join(
    f"{code} {word!r}" for code, word in foi.rules.nearest_statuses("Sent to legal")
)

STOPS = [
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "Sent to legal")),
        f"foi/2021.csv, row {YORK}, column 'Response status': unknown response status: "
        f"'Sent to legal' is not a known status (nearest: {NEAREST})\n  known statuses: "
        f"{', '.join(STATUSES)}\n  add the spelling to statuses.yaml (or a rule to "
        "status_rules.yaml), or settle the row in the overrides file with item 'status'",
        id="unknown-status",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.WOMEN, "700")),
        f"foi/2021.csv, row {YORK}, column 'Women in treatment': impossible count: 700 women is "
        "more than around 630 adults in treatment",
        id="more-women-than-adults",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.ADULTS, "9,999,999")),
        f"foi/2021.csv, row {YORK}, column 'Adults in treatment': impossible count: '9,999,999' "
        f"is more than the {YORK_ADULTS:,} adults aged 18+ living in E06000014",
        id="more-adults-than-the-population",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.WOMEN, "90,000")),
        "foi/2021.csv: 2 impossible counts:\n"
        f"  row {YORK}, column 'Women in treatment': '90,000' is more than the {YORK_WOMEN:,} "
        "women aged 18+ living in E06000014\n"
        f"  row {YORK}, column 'Women in treatment': 90,000 women is more than around 630 "
        "adults in treatment",
        id="more-women-than-the-female-population",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "Information not held")),
        f"foi/2021.csv, row {YORK}, column 'Response status': contradicted status: 'Information "
        "not held' (not_held) yet the row gives 10 item answers and 1 count\n  give the status the "
        "reply gives in the file, or in the overrides file (item 'status')",
        id="not-held-with-answers",
    ),
    pytest.param(
        "2021",
        csv_cells((HULL, foi.ADULTS, "120"), (BLACKPOOL, foi.RESPONDED, "2021-06-20")),
        "foi/2021.csv: 2 contradicted statuses:\n"
        f"  row {BLACKPOOL}, column 'Response status': 'No response' (no_response) yet the row "
        "gives a reply date\n"
        f"  row {HULL}, column 'Response status': 'Info not held' (not_held) yet the row gives "
        "1 count\n"
        "  give the status the reply gives in the file, or in the overrides file (item 'status')",
        id="no-response-with-a-reply-date-and-not-held-with-a-count",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "")),
        f"foi/2021.csv, row {YORK}, column 'Response status': blank status: blank (no response) "
        "yet the row gives a reply date, 10 item answers and 1 count\n  give the status the reply "
        "gives in the file, or in the overrides file (item 'status')",
        id="blank-status-with-a-reply",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.SENT, "20/06/2021"), (YORK, foi.RESPONDED, "05/06/2021")),
        f"foi/2021.csv, row {YORK}, column 'Date responded': impossible date: '05/06/2021' is "
        "before the request date '20/06/2021'",
        id="reply-dated-before-the-request",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.SENT, "")),
        f"foi/2021.csv, row {YORK}, column 'Date sent': missing date: blank: the date the "
        "request was sent is needed",
        id="blank-request-date",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.ITEM_HEADERS["women_groups"], "Ask the provider")),
        f"foi/2021.csv, row {YORK}, column 'Women-only groups': unclassified item answer: 'Ask "
        "the provider' is not an answer the rules know\n  answers: yes, no, not_held, unknown "
        "(blank is unknown); add the form to answers.yaml or a rule to answer_rules.yaml, or "
        "settle it in the overrides file (item id and answer)",
        id="unclassified-answer",
    ),
    pytest.param(
        "2024",
        formula(NORTH_NORTHANTS, foi.ADULTS, "=T90*2"),
        f"foi/2024.xlsx, row {NORTH_NORTHANTS}, column 'Adults in treatment': unsaved formula: "
        "'=T90*2' has no saved value\n  open the file in Excel and save it (Excel then saves each "
        "formula's value), or give the value in the overrides file",
        id="formula-with-no-saved-value",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.CODE, "E08000021"), (NEWCASTLE, foi.CODE, "E06000014")),
        "foi/2021.csv: 2 name and code conflicts:\n"
        f"  row {NEWCASTLE}, column 'GSS code': name 'Newcastle upon Tyne Metropolitan Borough "
        "Council' is E08000021 Newcastle upon Tyne but code 'E06000014' is E06000014 York\n"
        f"  row {YORK}, column 'GSS code': name 'York' is E06000014 York but code 'E08000021' is "
        "E08000021 Newcastle upon Tyne\n"
        "  correct the file, or say which to trust in the overrides file: item 'la_code', "
        "answer 'name' or 'code', la_code the authority the row is",
        id="swapped-codes",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.TEXT, "x" * 1_000_001)),
        f"{{raw}}/foi/2021.csv, row {YORK}, column 'Interventions and settings (free text)': "
        "cell holds 1,000,001 characters (more than 1,000,000): a quote left open?",
        id="field-absurdly-large",
    ),
    pytest.param(
        "2021",
        csv_cells(
            (BLACKPOOL, foi.LA, "Narnia"),
            (NEWCASTLE, foi.STATUS, "Sent to legal"),
            (YORK, foi.ADULTS, "-1"),
            (YORK, foi.WOMEN, "-2"),
        ),
        "foi/2021.csv: 4 problems:\n"
        "  1 unmatched authority:\n"
        f"    row {BLACKPOOL}, column 'Local authority': 'Narnia' is unmatched; best candidates: "
        "(('E09000003', 'Barnet', 50.0), ('E10000006', 'Cumbria', 46.2), ('E06000052', "
        "'Cornwall', 42.9))\n"
        "  1 unknown response status:\n"
        f"    row {NEWCASTLE}, column 'Response status': 'Sent to legal' is not a known status "
        f"(nearest: {NEAREST})\n"
        f"    known statuses: {', '.join(STATUSES)}\n"
        "    add the spelling to statuses.yaml (or a rule to status_rules.yaml), or settle the "
        "row in the overrides file with item 'status'\n"
        "  2 bad counts:\n"
        f"    row {YORK}, column 'Adults in treatment': '-1' is negative\n"
        f"    row {YORK}, column 'Women in treatment': '-2' is negative",
        id="several-problems-at-once",
    ),
]


@pytest.mark.parametrize(("round_name", "edit", "message"), STOPS)
def test_stops_naming_file_row_and_column(
    tmp_path: Path, round_name: str, edit: Edit, message: str
) -> None:
    raw = kit.raw_copy(tmp_path)
    edit(raw)
    with pytest.raises(InputError) as caught:
        kit.clean_foi(raw, [round_name])
    expected = message.format(raw=raw)
    if expected.endswith("..."):
        assert str(caught.value).startswith(expected[:-3])
    else:
        assert str(caught.value) == expected


# -- problems the overrides file settles, each override applied listed ---------------------------

SWAPPED = csv_cells((YORK, foi.CODE, "E08000021"), (NEWCASTLE, foi.CODE, "E06000014"))
OVERRIDDEN = [
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "Information not held")),
        [("E06000014", "status", "accept")],
        restatused("E06000014", "Information not held", "not_held"),
        [("E06000014", "status", "Information not held")],
        id="contradicted-status-accepted",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "Information not held")),
        [("E06000014", "status", "full")],
        restatused("E06000014", "Information not held"),
        [("E06000014", "status", "Information not held")],
        id="contradicted-status-corrected",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.STATUS, "Sent to legal")),
        [("E06000014", "status", "full")],
        restatused("E06000014", "Sent to legal"),
        [("E06000014", "status", "Sent to legal")],
        id="unknown-status-settled",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.ADULTS, "9,999,999")),
        [("E06000014", "adults_in_treatment", "accept")],
        counted("E06000014", "adults", 9_999_999),
        [("E06000014", "adults_in_treatment", "9,999,999")],
        id="count-above-the-population-accepted",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.ADULTS, "9,999,999")),
        [("E06000014", "adults_in_treatment", "around 630")],
        unchanged,
        [("E06000014", "adults_in_treatment", "9,999,999")],
        id="count-above-the-population-corrected",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.SENT, "20/06/2021"), (YORK, foi.RESPONDED, "05/06/2021")),
        [("E06000014", "date_sent", "2021-06-02"), ("E06000014", "date_responded", "2021-07-02")],
        unchanged,
        [("E06000014", "date_sent", "20/06/2021"), ("E06000014", "date_responded", "05/06/2021")],
        id="reply-before-the-request-corrected",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.SENT, "")),
        [("E06000014", "date_sent", "2021-06-02")],
        unchanged,
        [("E06000014", "date_sent", "")],
        id="blank-request-date-given",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.ITEM_HEADERS["women_groups"], "Ask the provider")),
        [("E06000014", "women_groups", "no")],
        unchanged,
        [("E06000014", "women_groups", "Ask the provider")],
        id="unclassified-answer-settled",
    ),
    pytest.param(
        "2021",
        SWAPPED,
        [("E06000014", "la_code", "name"), ("E08000021", "la_code", "name")],
        unchanged,
        [
            (
                "E08000021",
                "la_code",
                "Newcastle upon Tyne Metropolitan Borough Council / E06000014",
            ),
            ("E06000014", "la_code", "York / E08000021"),
        ],
        id="swapped-codes-settled",
    ),
    pytest.param(
        "2024",
        formula(NORTH_NORTHANTS, foi.ADULTS, "=T90*2"),
        [("E06000061", "adults_in_treatment", "2,036")],
        unchanged,
        [("E06000061", "adults_in_treatment", "")],
        id="formula-value-given",
    ),
]


@pytest.mark.parametrize(("round_name", "edit", "overrides", "expect", "applied"), OVERRIDDEN)
def test_overrides_settle_the_problem_and_are_listed(
    tmp_path: Path,
    baseline: dict[str, pd.DataFrame],
    round_name: str,
    edit: Edit,
    overrides: list[tuple[str, str, str]],
    expect: Callable[[pd.DataFrame], pd.DataFrame],
    applied: list[tuple[str, str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = kit.raw_copy(tmp_path)
    edit(raw)
    rows = [[round_name, code, item, answer, "a reason"] for code, item, answer in overrides]
    caplog.set_level("INFO", logger="pipeline.foi")
    result = kit.clean_foi(raw, [round_name], overrides=rows)
    pd.testing.assert_frame_equal(result.responses, expect(baseline[round_name]))
    listed = result.overrides[result.overrides["reason"] == "a reason"]
    assert list(listed[["la_code", "item", "before"]].itertuples(index=False, name=None)) == applied
    assert listed["answer"].tolist() == [answer for *_, answer in overrides]
    assert caplog.text.count("override: ") == len(result.overrides)
