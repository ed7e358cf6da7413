"""Unit tests of the FOI cleaner's classifiers and rules, and of the FOI example generator."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import config, foi, schemas
from pipeline.errors import InputError
from pipeline.foi import vocabulary
from pipeline.synth import foi as synth_foi
from pipeline.taxonomy import ITEM_IDS, STATUSES

ROOT = Path(__file__).resolve().parents[2]


def _frame(column: str, values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: values, "source_row": range(2, 2 + len(values))})


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Provided", "full"),
        ("provided in full", "full"),
        ("Partial", "partial"),
        ("Partial response", "partial"),
        ("Info not held", "not_held"),
        ("Information  not held", "not_held"),
        ("Refused - s12 cost", "refused_cost"),
        ("Refused s.12", "refused_cost"),
        ("s21", "refused_other"),
        ("Refused - s40", "refused_other"),
        ("Clarification sought", "clarification"),
        ("No response", "no_response"),
        ("", "no_response"),
    ],
)
def test_status_as_typed_maps_to_statuses(raw: str, status: str) -> None:
    assert foi.classify_status(pd.Series([raw])).iloc[0] == status


def test_unknown_statuses_are_listed_with_file_and_row() -> None:
    frame = _frame(foi.STATUS, ["Provided", "Sent to legal", "maybe"])
    with pytest.raises(InputError, match=r"2024.xlsx: 2 unknown response statuss") as exc:
        foi.check_statuses(frame, "foi/2024.xlsx")
    assert "row 3, column 'Response status': 'Sent to legal'" in str(exc.value)
    assert "row 4, column 'Response status': 'maybe'" in str(exc.value)


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("Yes", "yes"),
        ("Y", "yes"),
        ("yes - via provider", "yes"),
        ("YES", "yes"),
        ("We commission this through our main provider", "yes"),
        ("No", "no"),
        ("N", "no"),
        ("no", "no"),
        ("Not currently", "no"),
        ("We don't offer this", "no"),
        ("Not held", "not_held"),
        ("N/A", "unknown"),
        ("", "unknown"),
        ("Available on request", "unknown"),
        ("We do not commission this", "unknown"),  # cues both ways: a human decides
    ],
)
def test_item_answers(raw: str, answer: str) -> None:
    assert foi.classify_answer(raw) == answer


def test_every_listed_spelling_classifies_to_its_code() -> None:
    statuses = vocabulary.load_statuses()
    assert vocabulary.load_statuses() is statuses  # read and checked once
    assert foi.classify_status(pd.Series(list(statuses))).tolist() == list(statuses.values())
    assert set(statuses.values()) == set(STATUSES)
    answers = vocabulary.load_answers()
    assert {form: foi.classify_answer(form) for form in answers.items} == dict(answers.items)
    assert {foi.parse_count(word) for word in answers.count_not_held} == {(None, "not_held", None)}


@pytest.mark.parametrize(
    ("name", "old", "new", "problem"),
    [
        (
            "statuses.yaml",
            '  - "vexatious"\n',
            '  - "vexatious"\n  - "provided"\n',
            "key 'refused_other': 'provided' is listed twice (also under 'full')",
        ),
        (
            "statuses.yaml",
            "clarification:\n",
            'lost:\n  - "lost in the post"\nclarification:\n',
            f"key 'lost' is not one of {list(STATUSES)}",
        ),
        (
            "statuses.yaml",
            '  - "s14"\n',
            '  - "Refused - s.14"\n',
            "key 'refused_other': 'Refused - s.14' can never match: write it 'refused s14'",
        ),
        (
            "answers.yaml",
            '  - "n"\n',
            '  - "n"\n  - "y"\n',
            "key 'no': 'y' is listed twice (also under 'yes')",
        ),
        (
            "answers.yaml",
            "unknown:\n",
            'maybe:\n  - "perhaps"\nunknown:\n',
            "key 'maybe' is not one of ['yes', 'no', 'not_held', 'unknown', 'count_not_held']",
        ),
        (
            "answers.yaml",
            '  - "tbc"\n',
            "  - yes\n",
            "key 'unknown': True is not text (YAML reads yes, no, on and off unquoted",
        ),
    ],
)
def test_a_vocabulary_file_breaking_a_rule_is_rejected_naming_file_and_key(
    tmp_path: Path, name: str, old: str, new: str, problem: str
) -> None:
    text = (ROOT / "pipeline/resources" / name).read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    load = vocabulary.load_statuses if name == "statuses.yaml" else vocabulary.load_answers
    with pytest.raises(InputError) as exc:
        load(path)
    assert str(exc.value).startswith(f"{path}: ") and problem in str(exc.value)


def test_every_problem_of_a_vocabulary_file_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "statuses.yaml"
    path.write_text('maybe: []\nfull:\n  - "provided"\npartial:\n  - "provided"\n')
    with pytest.raises(
        InputError, match=r"statuses.yaml: 2 problems:\n  key 'maybe'.*\n  key 'partial'"
    ):
        vocabulary.load_statuses(path)


@pytest.mark.parametrize("item", ITEM_IDS)
def test_each_generator_phrase_is_coded_to_its_item_only(item: str) -> None:
    phrases = pd.Series(synth_foi.PHRASES[item])
    coded = foi.code_text(phrases, foi.load_coding_frame())
    assert coded[item].all()
    assert not coded.drop(columns=item).to_numpy().any()


def test_coding_frame_rejects_unknown_item(tmp_path: Path) -> None:
    path = tmp_path / "frame.yaml"
    path.write_text(yaml.safe_dump({"women_groups": ["group"], "yoga": ["yoga"]}))
    with pytest.raises(InputError, match=r"unknown item ids \['yoga'\]"):
        foi.load_coding_frame(path)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("1,234", (1234, "exact", None)),
        ("987", (987, "exact", None)),
        ("approx 200", (200, "approximate", None)),
        ("c. 1,250", (1250, "approximate", None)),
        ("around 350", (350, "approximate", None)),
        ("<5", (None, "censored", 5)),
        ("not held", (None, "not_held", None)),
        ("  ", (None, "missing", None)),
    ],
)
def test_counts(raw: str, parsed: tuple) -> None:
    assert foi.parse_count(raw) == parsed


@pytest.mark.parametrize(("raw", "message"), [("-3", "negative"), ("lots", "not a count")])
def test_bad_counts_name_file_row_and_column(raw: str, message: str) -> None:
    frame = _frame(foi.ADULTS, ["12", raw])
    with pytest.raises(InputError, match=rf"f.csv, row 3, column 'Adults in treatment'.*{message}"):
        foi.parse_counts(frame, foi.ADULTS, "f.csv")


@pytest.mark.parametrize(
    "raw", ["2021-06-14", "14/06/2021", "14 June 2021", "14-Jun-21", "2021-06-14 00:00:00"]
)
def test_dates_in_several_formats(raw: str) -> None:
    assert foi.parse_date(raw) == date(2021, 6, 14)


def test_dates_outside_the_window_name_file_row_and_column() -> None:
    frame = _frame(foi.RESPONDED, ["14/06/2021", "30/05/2021", "06/13/2021"])
    with pytest.raises(InputError, match=r"f.csv: 2 bad dates") as exc:
        foi.parse_dates(frame, foi.RESPONDED, "f.csv", date(2021, 6, 1), date(2022, 1, 1))
    assert "row 3, column 'Date responded': '30/05/2021' is before the request" in str(exc.value)
    assert "row 4, column 'Date responded': '06/13/2021' is not a date" in str(exc.value)
    future = _frame(foi.RESPONDED, ["14/06/2021"])
    with pytest.raises(InputError, match=r"row 2, column 'Date responded'.*after the latest"):
        foi.parse_dates(future, foi.RESPONDED, "f.csv", date(2021, 6, 1), date(2021, 6, 10))


def _submissions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": ["E1", "E2", "E1", "E3"],
            "date_responded": pd.to_datetime(["2021-06-20", "2021-06-21", "2021-06-25", None]),
            "source_row": [2, 3, 4, 5],
        }
    )


@pytest.mark.parametrize(
    ("rule", "kept", "dropped"), [("latest_response", 4, 2), ("first_response", 2, 4)]
)
def test_duplicates_settled_by_rule(rule: str, kept: int, dropped: int) -> None:
    frame, excluded = foi.settle_duplicates(_submissions(), rule, "f.csv")
    assert frame["source_row"].tolist() == sorted([kept, 3, 5])
    assert excluded.to_dict("records") == [
        {
            "file": "f.csv",
            "source_row": dropped,
            "reason": f"duplicate submission for E1: row {kept} kept ({rule})",
        }
    ]


def test_duplicates_the_rule_cannot_settle_are_errors() -> None:
    frame = _submissions().assign(la_code=["E1", "E2", "E3", "E3"])
    with pytest.raises(
        InputError, match=r"row 4, column 'Date responded': unsettled duplicate: E3 appears in rows"
    ):
        foi.settle_duplicates(frame, "latest_response", "f.csv")


def _responses(codes: list[str], year: int) -> pd.DataFrame:
    n = len(codes)
    frame = pd.DataFrame({c: [pd.NA] * n for c in schemas.columns("foi_responses")})
    return frame.assign(
        round="r",
        geography_year=year,
        la_code=codes,
        status="full",
        adults_in_treatment=pd.array([100 * (i + 1) for i in range(n)], "Int64"),
        adults_flag="exact",
        women_flag="exact",
        women_in_treatment=pd.array([30] * n, "Int64"),
    )


def test_common_geography_recodes_carry_over_and_splits_inherit() -> None:
    successors = {
        2021: pd.DataFrame({"from_code": ["A", "B", "B", "C"], "to_code": ["Z", "X", "Y", "C"]})
    }
    authorities = pd.DataFrame(
        {
            "geography_year": 2023,
            "la_code": ["C", "X", "Y", "Z"],
            "la_name": ["c", "x", "y", "z"],
            "region_code": "R",
            "region_name": "r",
        }
    )
    common = foi.to_common(_responses(["A", "B", "C"], 2021), successors, authorities, 2023)
    got = common.set_index("la_code").sort_index()
    assert got["source_la_code"].tolist() == ["C", "B", "B", "A"]
    assert got["inherited"].tolist() == [False, True, True, False]
    assert got["adults_in_treatment"].tolist() == [300, pd.NA, pd.NA, 100]
    assert got["adults_flag"].tolist() == ["exact", "missing", "missing", "exact"]
    assert got["status"].eq("full").all() and got["geography_year"].eq(2023).all()
    assert got["la_name"].tolist() == ["c", "x", "y", "z"]


def test_common_geography_refuses_merges() -> None:
    successors = {2021: pd.DataFrame({"from_code": ["A", "B"], "to_code": ["Z", "Z"]})}
    authorities = pd.DataFrame(
        {
            "geography_year": 2023,
            "la_code": ["Z"],
            "la_name": ["z"],
            "region_code": "R",
            "region_name": "r",
        }
    )
    with pytest.raises(ValueError, match=r"merged between 2021 and 2023 \(\['Z'\]\)"):
        foi.to_common(_responses(["A", "B"], 2021), successors, authorities, 2023)


def _items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "round": "2021",
            "la_code": ["E1", "E1", "E2"],
            "item": ["childcare", "digital", "childcare"],
            "answer": ["unknown", "no", "unknown"],
            "overridden": False,
        }
    )


def test_overrides_set_the_answer_last() -> None:
    responded = pd.DataFrame({"round": "2021", "la_code": ["E1", "E2"], "responded": [True, False]})
    overrides = pd.DataFrame(
        {
            "round": ["2021"],
            "la_code": ["E1"],
            "item": ["childcare"],
            "answer": ["yes"],
            "reason": ["r"],
            "source_row": [2],
        }
    )
    items = foi.apply_overrides(_items(), responded, overrides, "o.csv")
    assert items["answer"].tolist() == ["yes", "no", "unknown"]
    assert items["overridden"].tolist() == [True, False, False]
    with pytest.raises(InputError, match=r"o.csv, row 2, column 'la_code'.*no response from 'E2'"):
        foi.apply_overrides(_items(), responded, overrides.assign(la_code="E2"), "o.csv")


def test_override_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("round,la_code,item,answer,reason\n2021,E1,yoga,maybe,\n")
    with pytest.raises(InputError, match=r"3 bad overrides") as exc:
        foi.read_overrides(path)
    assert "row 2, column 'item': 'yoga' is not an item id" in str(exc.value)
    assert "row 2, column 'reason': every override needs a reason" in str(exc.value)


def test_committed_overrides_file_is_valid() -> None:
    overrides = foi.read_overrides(ROOT / "data" / "foi_overrides.csv")
    assert len(overrides) >= 1 and overrides["reason"].str.len().gt(10).all()


def test_generator_rounds_agree_with_params() -> None:
    params = config.load(ROOT / "params.yaml")
    assert [
        (r.name, r.geography_year, date.fromisoformat(r.request_sent)) for r in params.foi.rounds
    ] == [(s.name, s.geography_year, s.request_sent) for s in synth_foi.ROUNDS]


def test_docs_provision_table_matches_the_truth() -> None:
    from dataclasses import fields

    from pipeline.synth.provision import TRUTH

    text = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    section = text.split("### Provision model", 1)[1].split("\n#", 1)[0]
    documented = {
        line.split("|")[1].strip(" `"): float(line.split("|")[2])
        for line in section.splitlines()
        if line.startswith("| `")
    }
    scalars = {
        f.name: getattr(TRUTH, f.name)
        for f in fields(TRUTH)
        if isinstance(getattr(TRUTH, f.name), float)
    }
    assert documented == scalars
