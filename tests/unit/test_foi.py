"""Unit tests of the FOI cleaner's parsers, duplicates, common geography and overrides, and of
the FOI example generator (the classification rules: test_foi_rules.py)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline import config, foi, schemas
from pipeline.errors import InputError
from pipeline.synth import foi as synth_foi
from pipeline.taxonomy import ITEM_IDS

ROOT = Path(__file__).resolve().parents[2]


def _frame(column: str, values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({column: values, "source_row": range(2, 2 + len(values))})


def _stops(findings: foi.Findings) -> str:
    """The message of the InputError that `findings` stops with."""
    with pytest.raises(InputError) as exc:
        findings.stop()
    return str(exc.value)


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
    findings = foi.Findings("f.csv")
    parsed = foi.parse_counts(frame, foi.ADULTS, findings)
    assert parsed["value"].tolist() == [12, pd.NA] and parsed["flag"].tolist()[1] == "missing"
    assert re.match(rf"f.csv, row 3, column 'Adults in treatment'.*{message}", _stops(findings))


@pytest.mark.parametrize(
    "raw", ["2021-06-14", "14/06/2021", "14 June 2021", "14-Jun-21", "2021-06-14 00:00:00"]
)
def test_dates_in_several_formats(raw: str) -> None:
    assert foi.parse_date(raw) == date(2021, 6, 14)


def test_dates_outside_the_window_name_file_row_and_column() -> None:
    frame = _frame(foi.RESPONDED, ["14/06/2021", "30/05/2021", "06/13/2021"])
    findings = foi.Findings("f.csv")
    foi.parse_dates(frame, foi.RESPONDED, findings, date(2021, 6, 1), date(2022, 1, 1))
    message = _stops(findings)
    assert message.startswith("f.csv: 2 bad dates:\n")
    assert "row 3, column 'Date responded': '30/05/2021' is before the request" in message
    assert "row 4, column 'Date responded': '06/13/2021' reads only month first" in message
    future = foi.Findings("f.csv")
    one = _frame(foi.RESPONDED, ["14/06/2021"])
    foi.parse_dates(one, foi.RESPONDED, future, date(2021, 6, 1), date(2021, 6, 10))
    assert re.match(r"f.csv, row 2, column 'Date responded'.*after the latest", _stops(future))


def _submissions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": ["E1", "E2", "E1", "E3"],
            "date_responded": pd.to_datetime(["2021-06-20", "2021-06-21", "2021-06-25", None]),
            foi.LA: ["Hull", "York", "Kingston upon Hull", "Leeds"],
            "match_method": ["alias", "code", "alias", "alias"],
            "source_row": [2, 3, 4, 5],
        }
    )


@pytest.mark.parametrize(
    ("rule", "kept", "dropped"), [("latest_response", 4, 2), ("first_response", 2, 4)]
)
def test_duplicates_settled_by_rule(rule: str, kept: int, dropped: int) -> None:
    findings = foi.Findings("f.csv")
    frame, excluded = foi.settle_duplicates(_submissions(), rule, findings)
    assert not findings.found
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
    findings = foi.Findings("f.csv")
    foi.settle_duplicates(frame, "latest_response", findings)
    assert re.match(
        r"f.csv, row 4, column 'Date responded': unsettled duplicate: E3 appears in rows",
        _stops(findings),
    )


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


def _overrides(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """An overrides table of round 2021: (la_code, item, answer, reason) rows from file row 2."""
    frame = pd.DataFrame(rows, columns=["la_code", "item", "answer", "reason"])
    return frame.assign(round="2021", source_row=range(2, 2 + len(rows)))


def test_item_overrides_set_the_answer_last_and_are_recorded() -> None:
    items = pd.DataFrame(
        {
            "round": "2021",
            "la_code": ["E1", "E1", "E2"],
            "item": ["childcare", "digital", "childcare"],
            "answer": ["unknown", "no", "unknown"],
            "answer_raw": ["Available on request", "No", ""],
            "overridden": False,
            "source_row": [5, 5, 6],
        }
    )
    overrides = foi.RoundOverrides(_overrides(("E1", "childcare", "yes", "r")), "2021", "f.csv")
    got = overrides.apply_items(items)
    assert got["answer"].tolist() == ["yes", "no", "unknown"]
    assert got["overridden"].tolist() == [True, False, False]
    assert overrides.table().to_dict("records") == [
        {
            "round": "2021",
            "la_code": "E1",
            "item": "childcare",
            "before": "Available on request",
            "answer": "yes",
            "reason": "r",
            "source_file": "f.csv",
            "source_row": 5,
            "override_row": 2,
        }
    ]


def test_overrides_naming_no_row_or_a_non_responder_are_findings(caplog) -> None:
    table = _overrides(
        ("E2", "childcare", "yes", "r"),
        ("E9", "status", "full", "r"),
        ("E1", "status", "accept", "r"),
    )
    overrides = foi.RoundOverrides(table, "2021", "f.csv")
    findings = foi.Findings("o.csv")
    codes, responded = pd.Series(["E1", "E2"]), pd.Series([True, False])
    overrides.check_used(codes, responded, findings)
    assert _stops(findings) == (
        "o.csv: 2 bad overrides:\n"
        "  row 2, column 'la_code': round '2021' has no response from 'E2' to override\n"
        "  row 3, column 'la_code': round '2021' has no row for 'E9' to override"
    )
    assert "override row 4 (E1 status) settled nothing" in caplog.text


def test_override_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "round,la_code,item,answer,reason\n"
        "2021,E1,yoga,maybe,\n"
        "2021,E1,status,done,r\n"
        "2021,E1,adults_in_treatment,lots,r\n"
        "2021,E1,date_sent,14/06/2021,r\n"
        "2021,E1,la_code,both,r\n"
        "2021,E1,la_code,name,r\n"
    )
    with pytest.raises(InputError, match=r"o.csv: 7 bad overrides") as exc:
        foi.read_overrides(path)
    for line in [
        "row 2, column 'item': 'yoga' is not an item id or field",
        "row 2, column 'reason': every override needs a reason",
        "row 3, column 'answer': 'done' is not one of ['full', 'partial'",
        "row 4, column 'answer': 'lots' is not a count",
        "row 5, column 'answer': write '14/06/2021' as a date YYYY-MM-DD",
        "row 6, column 'answer': 'both' is not 'name' or 'code'",
        "row 7, column 'item': 'la_code' is overridden twice for this row",
    ]:
        assert line in str(exc.value)


def test_each_override_item_reads(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "round,la_code,item,answer,reason\n"
        "2021,E1,childcare,yes,r\n"
        "2021,E1,status,accept,r\n"
        "2021,E2,status,full,r\n"
        "2021,E1,adults_in_treatment,accept,r\n"
        "2021,E1,women_in_treatment,not held,r\n"
        "2021,E1,date_sent,2021-06-14,r\n"
        "2021,E1,date_responded,,r\n"
        "2021,E1,la_code,code,r\n"
    )
    assert len(foi.read_overrides(path)) == 8


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


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("1 234", (1234, "exact", None)),  # a space between thousands
        ("12.0", (12, "exact", None)),  # a whole number as a spreadsheet writes it
        ("Nil", (0, "exact", None)),
        ("est. 150", (150, "approximate", None)),
        ("\u2248120", (120, "approximate", None)),
        ("<=5", (None, "censored", 6)),  # at most 5: fewer than 6
        ("5 or fewer", (None, "censored", 6)),
    ],
)
def test_counts_as_councils_write_them(raw: str, parsed: tuple) -> None:
    assert foi.parse_count(raw) == parsed


@pytest.mark.parametrize(
    "raw", ["12.5", "120-130", "200+", "*", "120 (2022/23)", "1.000", "45*", "45 - see note"]
)
def test_counts_that_are_not_one_number_stop(raw: str) -> None:
    with pytest.raises(ValueError, match="not a count"):
        foi.parse_count(raw)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("<1,000", (None, "censored", 1000)),
        ("less than 1 000", (None, "censored", 1000)),
        ("approx 40.0", (40, "approximate", None)),
        ("1,234.00", (1234, "exact", None)),
        ("<=0", (None, "censored", 1)),  # at most 0: none
    ],
)
def test_every_count_form_reads_its_number_as_an_exact_count_is_written(
    raw: str, parsed: tuple
) -> None:
    assert foi.parse_count(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("approx 1,23", "not a count"),  # not 123: a comma that groups no thousands
        ("c. 12,34", "not a count"),
        ("~1,2,3", "not a count"),
        ("<0", "no count is below 0"),
        ("less than 0", "no count is below 0"),
        ("\u22123", "negative"),  # a minus sign
        ("\u20133", "negative"),  # an en dash
        ("1,000,000,001", "not a count of people"),
    ],
)
def test_a_malformed_or_impossible_number_is_no_count(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        foi.parse_count(raw)


def test_a_count_too_big_for_the_table_is_reported_in_its_cell() -> None:
    frame = _frame(foi.WOMEN, ["12", "99999999999999999999999"])
    findings = foi.Findings("f.csv")
    parsed = foi.parse_counts(frame, foi.WOMEN, findings)
    assert parsed["value"].tolist() == [12, pd.NA]
    assert "row 3, column 'Women in treatment'" in _stops(findings)


@pytest.mark.parametrize(
    "raw",
    ["Mon 14th June 2021", "June 14, 2021", "14 Jun, 2021", "14/06/2021 09:30", "44361"],
)
def test_dates_as_people_and_spreadsheets_write_them(raw: str) -> None:
    assert foi.parse_date(raw) == date(2021, 6, 14)  # 44361 is Excel's serial for it


@pytest.mark.parametrize("raw", ["31/02/2021", "02/31/2021", "June 2021", "123456"])
def test_dates_that_are_not_one_day_stop(raw: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        foi.parse_date(raw)


@pytest.mark.parametrize("raw", ["06/13/2021", "6/13/21", "12/31/2024 10:00"])
def test_a_date_in_us_order_is_named_as_such(raw: str) -> None:
    """Read day first it is no date; the message says it is month first, and that the
    column's other dates, which day first may misread (06/12), need checking too."""
    with pytest.raises(ValueError, match=r"month first \(\d+ \w+ 20\d\d, US order\).*other dates"):
        foi.parse_date(raw)
