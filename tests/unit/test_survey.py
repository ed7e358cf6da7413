import csv
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.errors
import pytest

from pipeline import geography, survey
from pipeline.readers import InputError, read_table

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"

CODEBOOK = """\
# a tiny codebook
scales:
  quality:
    levels: [Very poor, Poor, Neither good nor poor, Good, Very good]
variables:
  org_id: {type: id}
  submitted: {type: timestamp}
  org_type: {type: single, codes: [womens_centre, other]}
  areas: {type: areas}
  support: {type: multi, options: [childcare, parenting, peer_support]}
  partner: {type: likert, scale: quality, options: [police, primary_care]}
  comments: {type: text}
  contact_name: {type: contact}
waves:
  "2021":
    org_id: {header: "ID"}
    submitted: {header: "Submitted", format: "%Y-%m-%d %H:%M"}
    org_type:
      header: "Type"
      labels: {"Women's centre": womens_centre, "Other": other}
    areas: {header: "Areas", delimiters: ";,"}
    support:
      style: columns
      headers: {"Support - Childcare": childcare, "Support - Parenting support": parenting}
    partner:
      headers: {"Partnership - Police": police, "Partnership - GPs": primary_care}
      labels:
        "Very poor": 1
        "Poor": 2
        "Neither good nor poor": 3
        "Good": 4
        "Very good": 5
        "Don't know": dont_know
    comments: {header: "Comments"}
    contact_name: {header: "Name"}
  "2023":
    org_id: {header: "Organisation ID"}
    submitted: {header: "Submitted", format: "%Y-%m-%d %H:%M"}
    org_type:
      header: "Type"
      labels: {"Women's Centre": womens_centre, "Other": other}
    areas: {header: "Areas", delimiters: ";,"}
    support:
      style: delimited
      header: "Support offered"
      delimiter: ";"
      labels: {"Childcare": childcare, "Parenting support": parenting, "Peer support": peer_support}
    comments: {header: "Comments"}
    contact_name: {header: "Name"}
"""

PARAMS = """\
survey:
  waves: ["2021", "2023"]  # one export per wave
model:
  seed: 1  # kept as is
"""


def _authorities() -> pd.DataFrame:
    return geography.authorities(REFERENCE, 2021)


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _exports(folder: Path) -> dict[str, list[list[str]]]:
    """Two small waves; returns the rows written so tests can vary them."""
    la = _authorities()
    one, two = la["la_name"].iloc[0], la["la_code"].iloc[1]
    comma_name = la.loc[la["la_name"].str.contains(","), "la_name"].iloc[0]
    wave_2021 = [
        [
            "ID",
            "Submitted",
            "Type",
            "Areas",
            "Support - Childcare",
            "Support - Parenting support",
            "Partnership - Police",
            "Partnership - GPs",
            "Comments",
            "Name",
        ],
        [
            "A1",
            "2021-04-30 10:00",
            "Other",
            one,
            "",
            "Parenting support",
            "Poor",
            "Poor",
            "",
            "Jo Whitfield",
        ],
        [
            "A1",
            "2021-05-01 10:00",
            "Women's centre",
            f"{one}; {two}",
            "Childcare",
            "",
            "Good",
            "Don't know",
            "My name is Priya Okafor, call 07700 900123. Jo Whitfield agrees.",
            "Jo Whitfield",
        ],
        ["", "", "", "", "", "", "", "", "", ""],
        [
            "A2",
            "2021-05-02 10:00",
            "Other",
            f"{comma_name}, {one}",
            "",
            "",
            "",
            "",
            "",
            "Sam Nwosu",
        ],
    ]
    wave_2023 = [
        ["Organisation ID", "Submitted", "Type", "Areas", "Support offered", "Comments", "Name"],
        ["A1", "2023-05-01 09:00", "Women's Centre", two, "Childcare; Peer support", "", "Jo"],
    ]
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "2021.csv", wave_2021)
    _write_csv(folder / "2023.csv", wave_2023)
    return {"2021": wave_2021, "2023": wave_2023}


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "raw" / "survey"
    _exports(folder)
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return tmp_path / "raw"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> survey.SurveyResult:
    raw = tmp_path_factory.mktemp("survey") / "raw"
    _exports(raw / "survey")
    (raw / "survey" / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return survey.clean_waves(raw, ["2021", "2023"], REFERENCE, 90)


def _answers(result: survey.SurveyResult, wave: str, org_id: str) -> list[tuple[str, ...]]:
    r = result.responses
    rows = r[(r["wave"] == wave) & (r["org_id"] == org_id)]
    return list(rows[["question", "option", "value", "status"]].itertuples(index=False, name=None))


def test_columns_style_multi_select_likert_and_single(result: survey.SurveyResult) -> None:
    assert _answers(result, "2021", "A1") == [
        ("org_type", "", "womens_centre", "answered"),
        ("support", "childcare", "1", "answered"),
        ("support", "parenting", "0", "answered"),
        ("support", "peer_support", "", "not_asked"),
        ("partner", "police", "4", "answered"),
        ("partner", "primary_care", "dont_know", "answered"),
    ]


def test_delimited_multi_select_and_question_not_asked(result: survey.SurveyResult) -> None:
    assert _answers(result, "2023", "A1") == [
        ("org_type", "", "womens_centre", "answered"),
        ("support", "childcare", "1", "answered"),
        ("support", "parenting", "0", "answered"),
        ("support", "peer_support", "1", "answered"),
        ("partner", "police", "", "not_asked"),
        ("partner", "primary_care", "", "not_asked"),
    ]


def test_blank_answers_are_missing_not_no(result: survey.SurveyResult) -> None:
    assert _answers(result, "2021", "A2") == [
        ("org_type", "", "other", "answered"),
        ("support", "childcare", "", "missing"),
        ("support", "parenting", "", "missing"),
        ("support", "peer_support", "", "not_asked"),
        ("partner", "police", "", "missing"),
        ("partner", "primary_care", "", "missing"),
    ]


def test_duplicate_org_keeps_the_latest_submission(result: survey.SurveyResult) -> None:
    assert result.exclusions.to_dict("records") == [
        {
            "file": "survey/2021.csv",
            "source_row": 2,
            "reason": "duplicate org_id A1: superseded by the later submission in row 3",
        }
    ]
    account = result.accounts[0]
    assert (account.rows_in, account.kept, account.excluded, account.blank) == (4, 2, 1, 1)


def test_contact_columns_are_dropped_and_comments_redacted(result: survey.SurveyResult) -> None:
    assert result.comments.to_dict("records") == [
        {"wave": "2021", "org_id": "A1", "text": "My name is [name], call [phone]. [name] agrees."}
    ]
    for frame in (result.responses, result.orgs, result.areas, result.comments):
        assert not frame.astype(str).apply(lambda c: c.str.contains("Whitfield")).any().any()


def test_areas_are_matched_and_comma_names_kept_whole(result: survey.SurveyResult) -> None:
    la = _authorities()
    comma_code = la.loc[la["la_name"].str.contains(","), "la_code"].iloc[0]
    areas = result.areas[result.areas["wave"] == "2021"]
    assert areas.to_dict("records") == sorted(
        [
            {
                "wave": "2021",
                "org_id": "A1",
                "la_code": la["la_code"].iloc[0],
                "match_method": "alias",
            },
            {
                "wave": "2021",
                "org_id": "A1",
                "la_code": la["la_code"].iloc[1],
                "match_method": "code",
            },
            {
                "wave": "2021",
                "org_id": "A2",
                "la_code": la["la_code"].iloc[0],
                "match_method": "alias",
            },
            {"wave": "2021", "org_id": "A2", "la_code": comma_code, "match_method": "alias"},
        ],
        key=lambda r: (r["org_id"], r["la_code"]),
    )
    assert result.orgs.to_dict("records") == [
        {"wave": "2021", "org_id": "A1", "org_type": "womens_centre", "n_areas": 2},
        {"wave": "2021", "org_id": "A2", "org_type": "other", "n_areas": 2},
        {"wave": "2023", "org_id": "A1", "org_type": "womens_centre", "n_areas": 1},
    ]


def test_schemas_pass_on_output_and_fail_on_raw_export(
    result: survey.SurveyResult, raw_dir: Path
) -> None:
    survey.RESPONSES_SCHEMA.validate(result.responses)
    survey.ORGS_SCHEMA.validate(result.orgs)
    survey.AREAS_SCHEMA.validate(result.areas)
    survey.COMMENTS_SCHEMA.validate(result.comments)
    raw = read_table(raw_dir / "survey" / "2021.csv", ["ID"]).data
    with pytest.raises(pandera.errors.SchemaErrors, match="not in DataFrameSchema"):
        survey.RESPONSES_SCHEMA.validate(raw)


def test_presentation_helpers(result: survey.SurveyResult) -> None:
    counts = survey.response_counts(result.orgs)
    assert counts.loc["womens_centre"].to_dict() == {"2021": 1, "2023": 1, "total": 2}
    assert counts.loc["total", "total"] == 3
    assert survey.not_asked(result.responses).to_dict("records") == [
        {"wave": "2021", "question": "support", "options": "peer_support"},
        {"wave": "2023", "question": "partner", "options": "(whole question)"},
    ]


def test_likert_levels_are_ordered(raw_dir: Path) -> None:
    book = survey.load_codebook(raw_dir / "survey" / "codebook.yaml")
    assert survey.likert_labels(book, "partner") == {
        "1": "Very poor",
        "2": "Poor",
        "3": "Neither good nor poor",
        "4": "Good",
        "5": "Very good",
        "dont_know": "Don't know",
    }


def _rewrite(raw_dir: Path, wave: str, edit: Callable[[list[list[str]]], object]) -> None:
    rows = _exports(raw_dir / "survey")[wave]
    edit(rows)
    _write_csv(raw_dir / "survey" / f"{wave}.csv", rows)


def test_unmapped_header_stops_the_run_naming_wave_header_and_yaml(raw_dir: Path) -> None:
    def add_column(rows: list[list[str]]) -> None:
        rows[0].append("Do you run a food bank?")
        rows[1].append("Yes")

    _rewrite(raw_dir, "2023", add_column)
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    message = str(error.value)
    assert 'wave 2023, 2023.csv: header "Do you run a food bank?" is not in the codebook' in (
        message
    )
    assert '      "2023":\n        <variable>: {header: "Do you run a food bank?"}' in message


def test_new_option_column_is_suggested_under_its_question(raw_dir: Path) -> None:
    def add_option(rows: list[list[str]]) -> None:
        rows[0].append("Support - Drop-in")
        for row in rows[1:]:
            row.append("")

    _rewrite(raw_dir, "2021", add_option)
    with pytest.raises(InputError, match=r'"Support - Drop-in": <option: one of childcare, '):
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)


def test_unmapped_label_stops_the_run_with_the_yaml_to_add(raw_dir: Path) -> None:
    _rewrite(raw_dir, "2023", lambda rows: rows[1].__setitem__(2, "Women's center"))
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    message = str(error.value)
    assert 'wave 2023, 2023.csv, column "Type": label "Women\'s center" (org_type)' in message
    assert (
        '        org_type:\n          labels:\n            "Women\'s center": '
        "<one of womens_centre, other>"
    ) in message


def test_likert_out_of_range_names_file_row_and_column(raw_dir: Path) -> None:
    _rewrite(raw_dir, "2021", lambda rows: rows[2].__setitem__(6, "7"))
    with pytest.raises(
        InputError,
        match=r"2021.csv, row 3, column 'Partnership - Police': Likert value '7' is out of "
        r"range 1-5",
    ):
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)


def test_likert_numeric_codes_are_accepted(raw_dir: Path) -> None:
    _rewrite(raw_dir, "2021", lambda rows: rows[2].__setitem__(6, "5"))
    result = survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    assert ("partner", "police", "5", "answered") in _answers(result, "2021", "A1")


def test_unmatched_area_stops_the_run_with_candidates(raw_dir: Path) -> None:
    _rewrite(raw_dir, "2023", lambda rows: rows[1].__setitem__(3, "Atlantis"))
    with pytest.raises(InputError, match=r"row 2, column \"Areas\": 'Atlantis' is unmatched"):
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)


def test_wave_without_codebook_block_and_unlisted_file(
    raw_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(InputError, match=r"no codebook block for waves \['2025'\]"):
        survey.clean_waves(raw_dir, ["2021", "2025"], REFERENCE, 90)
    with caplog.at_level(logging.WARNING):
        survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    assert "2023.csv is not a listed wave" in caplog.text


def test_geography_year_of_a_wave() -> None:
    years = (2019, 2021, 2023)
    assert [survey.wave_geography_year(w, years) for w in ("2018", "2021", "2022", "2025")] == [
        2019,
        2021,
        2021,
        2023,
    ]


def test_new_wave_drafts_todos_and_the_cleaner_stops_on_them(raw_dir: Path, tmp_path: Path) -> None:
    export = tmp_path / "downloads" / "Survey export 2025.csv"
    export.parent.mkdir()
    _write_csv(
        export,
        [
            [
                "Organisation ID",
                "Submitted",
                "Type",
                "Areas",
                "Support offered (tick all)",
                "Comments",
                "Name",
                "Do you run a food bank?",
            ],
            [
                "A9",
                "2025-03-01 09:00",
                "Women's Centre",
                _authorities()["la_code"].iloc[0],
                "Childcare; Peer mentoring",
                "",
                "Jo",
                "Yes",
            ],
        ],
    )
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS, encoding="utf-8")
    codebook = raw_dir / "survey" / "codebook.yaml"

    todos = survey.new_wave("2025", export, raw_dir, codebook, params)

    assert todos == [
        'waves.2025.support: "Support offered (tick all)" guessed from "Support offered" '
        "(TODO confirm)",
        'waves.2025.support.labels: "Peer mentoring" has no code (TODO)',
        '"Do you run a food bank?" is not mapped to any variable (TODO)',
    ]
    assert (raw_dir / "survey" / "2025.csv").read_bytes() == export.read_bytes()
    assert params.read_text(encoding="utf-8") == PARAMS.replace(
        '["2021", "2023"]', '["2021", "2023", "2025"]'
    )
    text = codebook.read_text(encoding="utf-8")
    assert text.startswith(CODEBOOK)  # earlier waves untouched
    assert re.search(r'header: "Support offered \(tick all\)"  # TODO confirm', text)
    with pytest.raises(InputError, match=r"TODO entries remain") as error:
        survey.clean_waves(raw_dir, ["2021", "2023", "2025"], REFERENCE, 90)
    assert 'wave 2025: "Peer mentoring": TODO' in str(error.value)
    assert len(survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90).orgs) == 3
    book = survey.load_codebook(codebook)
    assert book.waves["2025"]["org_id"] == {"header": "Organisation ID"}
    assert book.waves["2025"]["support"]["labels"]["Childcare"] == "childcare"


def test_new_wave_refuses_a_wave_that_exists(raw_dir: Path, tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS, encoding="utf-8")
    with pytest.raises(InputError, match="wave 2023 already has an export"):
        survey.new_wave(
            "2023",
            raw_dir / "survey" / "2021.csv",
            raw_dir,
            raw_dir / "survey" / "codebook.yaml",
            params,
        )


def test_option_labels_come_from_the_latest_wave_asking_each_option(raw_dir: Path) -> None:
    book = survey.load_codebook(raw_dir / "survey" / "codebook.yaml")
    assert survey.option_labels(book, "support") == {
        "childcare": "Childcare",
        "parenting": "Parenting support",
        "peer_support": "Peer support",
    }
    assert survey.option_labels(book, "partner") == {"police": "Police", "primary_care": "GPs"}
    assert survey.option_labels(book, "org_type") == {
        "womens_centre": "Women's Centre",
        "other": "Other",
    }
