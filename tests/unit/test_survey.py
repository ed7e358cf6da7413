import csv
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from pipeline import geography, layout, privacy, schemas, survey
from pipeline.errors import InputError, ParamsError, SchemaError
from pipeline.readers import ROW, RawTable, read_table
from pipeline.survey.decode import submitted_times

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
KEY = "unit-test-key-not-secret-0123456789abcdef"


def pid(org_id: str) -> str:
    """An organisation id as the cleaner publishes it: its pseudonym under the test key."""
    return privacy.pseudonym(org_id, KEY.encode("utf-8"))


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
    (folder / survey.KEY_FILE).write_text(KEY + "\n", encoding="utf-8")
    return {"2021": wave_2021, "2023": wave_2023}


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    _exports(layout.survey_dir(raw))
    layout.codebook_path(raw).write_text(CODEBOOK, encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> survey.SurveyResult:
    raw = tmp_path_factory.mktemp("survey") / "raw"
    _exports(layout.survey_dir(raw))
    layout.codebook_path(raw).write_text(CODEBOOK, encoding="utf-8")
    return survey.clean_waves(raw, ["2021", "2023"], REFERENCE, 90)


def _answers(result: survey.SurveyResult, wave: str, org_id: str) -> list[tuple[str, ...]]:
    r = result.responses
    rows = r[(r["wave"] == wave) & (r["org_id"] == pid(org_id))]
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
            "reason": "duplicate organisation ID: superseded by the later submission in row 3",
        }
    ]
    account = result.accounts[0]
    assert (account.rows_in, account.kept, account.excluded, account.blank) == (4, 2, 1, 1)


def test_contact_columns_are_dropped_and_comments_redacted(result: survey.SurveyResult) -> None:
    assert result.comments.to_dict("records") == [
        {
            "wave": "2021",
            "org_id": pid("A1"),
            "text": "My name is [name], call [phone]. [name] agrees.",
        }
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
                "org_id": pid("A1"),
                "la_code": la["la_code"].iloc[0],
                "match_method": "alias",
            },
            {
                "wave": "2021",
                "org_id": pid("A1"),
                "la_code": la["la_code"].iloc[1],
                "match_method": "code",
            },
            {
                "wave": "2021",
                "org_id": pid("A2"),
                "la_code": la["la_code"].iloc[0],
                "match_method": "alias",
            },
            {"wave": "2021", "org_id": pid("A2"), "la_code": comma_code, "match_method": "alias"},
        ],
        key=lambda r: (r["org_id"], r["la_code"]),
    )
    assert result.orgs.to_dict("records") == sorted(
        [
            {"wave": "2021", "org_id": pid("A1"), "org_type": "womens_centre", "n_areas": 2},
            {"wave": "2021", "org_id": pid("A2"), "org_type": "other", "n_areas": 2},
            {"wave": "2023", "org_id": pid("A1"), "org_type": "womens_centre", "n_areas": 1},
        ],
        key=lambda r: (r["wave"], r["org_id"]),
    )


def test_schemas_pass_on_output_and_fail_on_raw_export(
    result: survey.SurveyResult, raw_dir: Path
) -> None:
    schemas.check(result.responses, "survey_responses")
    schemas.check(result.orgs, "survey_orgs")
    schemas.check(result.areas, "survey_areas")
    schemas.check(result.comments, "survey_comments")
    schemas.check(result.exclusions, "survey_exclusions")
    raw = read_table(layout.wave_file(raw_dir, "2021"), ["ID"]).data
    with pytest.raises(SchemaError, match="column_in_schema: 11 failing: 'ID', 'Submitted'"):
        schemas.check(raw, "survey_responses")


def test_presentation_helpers(result: survey.SurveyResult) -> None:
    counts = survey.response_counts(result.orgs)
    assert counts.loc["womens_centre"].to_dict() == {"2021": 1, "2023": 1, "total": 2}
    assert counts.loc["total", "total"] == 3
    assert survey.not_asked(result.responses).to_dict("records") == [
        {"wave": "2021", "question": "support", "options": "peer_support"},
        {"wave": "2023", "question": "partner", "options": "(whole question)"},
    ]


def test_likert_levels_are_ordered(raw_dir: Path) -> None:
    book = survey.load_codebook(layout.codebook_path(raw_dir))
    assert survey.likert_labels(book, "partner") == {
        "1": "Very poor",
        "2": "Poor",
        "3": "Neither good nor poor",
        "4": "Good",
        "5": "Very good",
        "dont_know": "Don't know",
    }


def _rewrite(raw_dir: Path, wave: str, edit: Callable[[list[list[str]]], object]) -> None:
    rows = _exports(layout.survey_dir(raw_dir))[wave]
    edit(rows)
    _write_csv(layout.wave_file(raw_dir, wave), rows)


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


def test_headers_differing_only_in_case_or_spacing_read_as_the_codebook_spells_them(
    raw_dir: Path, result: survey.SurveyResult
) -> None:
    def respell(rows: list[list[str]]) -> None:
        rows[0] = [f"  {h.upper()} " if h else h for h in rows[0]]

    _rewrite(raw_dir, "2023", respell)
    again = survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    pd.testing.assert_frame_equal(again.responses, result.responses)


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
    assert 'wave 2023, 2023.csv, row 2, column "Type": label "Women\'s center" (org_type)' in (
        message
    )
    assert (
        '        org_type:\n          labels:\n            "Women\'s center": '
        "<one of womens_centre, other>"
    ) in message


def test_likert_out_of_range_names_file_row_and_column(raw_dir: Path) -> None:
    _rewrite(raw_dir, "2021", lambda rows: rows[2].__setitem__(6, "7"))
    with pytest.raises(
        InputError,
        match=r"2021.csv, row 3, column \"Partnership - Police\": Likert value '7' is out of "
        r"range 1-5",
    ):
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)


def test_every_bad_cell_of_an_export_is_reported_at_once(raw_dir: Path) -> None:
    """An out-of-range Likert value does not hide a bad date on the next row (or another bad
    cell on its own row): one error lists them all, by row then column."""

    def break_cells(rows: list[list[str]]) -> None:
        rows[2][6], rows[2][7] = "7", "0"  # row 3: both Likert columns out of range
        rows[4][1] = "yesterday"  # row 5: a submitted time not in the format

    _rewrite(raw_dir, "2021", break_cells)
    folder = layout.survey_dir(raw_dir)
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    assert str(error.value) == (
        f"{folder}: 3 problems in the listed waves; nothing was cleaned. Fix them all, then "
        "rerun:\n3 bad cells:\n"
        "- wave 2021, 2021.csv, row 3, column \"Partnership - Police\": Likert value '7' is out "
        "of range 1-5\n"
        "- wave 2021, 2021.csv, row 3, column \"Partnership - GPs\": Likert value '0' is out of "
        "range 1-5\n"
        "- wave 2021, 2021.csv, row 5, column \"Submitted\": submitted time 'yesterday' does not "
        "match the codebook format '%Y-%m-%d %H:%M'"
    )


def _support(result: survey.SurveyResult, org_id: str) -> list[str]:
    r = result.responses
    rows = r[(r["wave"] == "2021") & (r["org_id"] == pid(org_id)) & (r["question"] == "support")]
    return rows["value"].tolist()


@pytest.mark.parametrize(
    ("childcare", "parenting", "values"),
    [
        ("1", "0", ["1", "0", ""]),
        ("Yes", "No", ["1", "0", ""]),
        ("TRUE", "FALSE", ["1", "0", ""]),
        ("x", "Not selected", ["1", "0", ""]),
        (" childcare ", "", ["1", "0", ""]),  # the option's code
        ("0", "not selected", ["", "", ""]),  # nothing ticked: missing, not "no"
    ],
)
def test_one_column_per_option_cells_are_ticked_only_by_a_tick(
    raw_dir: Path, childcare: str, parenting: str, values: list[str]
) -> None:
    def ticks(rows: list[list[str]]) -> None:
        rows[2][4], rows[2][5] = childcare, parenting

    _rewrite(raw_dir, "2021", ticks)
    result = survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    assert _support(result, "A1") == values


def test_a_cell_neither_ticked_nor_unticked_is_reported_with_row_and_column(
    raw_dir: Path,
) -> None:
    def bad_ticks(rows: list[list[str]]) -> None:
        rows[1][4] = rows[2][4] = "Maybe"
        rows[4][5] = "Ask Jo Okafor"

    _rewrite(raw_dir, "2021", bad_ticks)
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    message = str(error.value)
    assert message.startswith(f"{layout.survey_dir(raw_dir)}: 2 problems in the listed waves")
    assert '- wave 2021, 2021.csv, rows 2-3, column "Support - Childcare": "Maybe" is ' in message
    assert 'add to waves."2021".support.labels: "Maybe": childcare' in message
    assert (
        '- wave 2021, 2021.csv, row 5, column "Support - Parenting support": "[name] (redacted; '
        'see the export)" is neither a tick'
    ) in message
    assert "Okafor" not in message


def test_a_tick_label_mapped_by_the_codebook_is_a_tick(raw_dir: Path) -> None:
    codebook = layout.codebook_path(raw_dir)
    codebook.write_text(
        CODEBOOK.replace(
            "      style: columns\n",
            '      style: columns\n      labels: {"Childcare/creche": childcare}\n',
        ),
        encoding="utf-8",
    )
    _rewrite(raw_dir, "2021", lambda rows: rows[2].__setitem__(4, "Childcare/creche"))
    result = survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    assert _support(result, "A1") == ["1", "0", ""]


def _rewrite_both(
    raw_dir: Path,
    edit_2021: Callable[[list[list[str]]], object],
    edit_2023: Callable[[list[list[str]]], object],
) -> None:
    rows = _exports(layout.survey_dir(raw_dir))
    for wave, edit in (("2021", edit_2021), ("2023", edit_2023)):
        edit(rows[wave])
        _write_csv(layout.wave_file(raw_dir, wave), rows[wave])


def test_every_problem_of_every_wave_is_reported_at_once(raw_dir: Path) -> None:
    """A bad label, a bad Likert value, a bad time and an unmatched area, across two waves:
    one error lists them all, each with its row and column, grouped by kind."""

    def break_2021(rows: list[list[str]]) -> None:
        rows[1][2] = "Women's centre (main)"  # row 2: a label the codebook lacks
        rows[2][6] = "7"  # row 3: Likert out of range
        rows[4][1] = "2021-05-02"  # row 5: time not in the format
        rows[4][3] = "Narnia"  # row 5: an area that matches nothing

    _rewrite_both(raw_dir, break_2021, lambda rows: rows[1].__setitem__(2, "Women's center"))
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    message = str(error.value)
    assert "5 problems in the listed waves; nothing was cleaned" in message
    for line in (
        "2 headers and answers the codebook does not map (codebook.yaml):",
        '- wave 2021, 2021.csv, row 2, column "Type": label "Women\'s centre (main)" (org_type)',
        '- wave 2023, 2023.csv, row 2, column "Type": label "Women\'s center" (org_type)',
        "2 bad cells:",
        "- wave 2021, 2021.csv, row 3, column \"Partnership - Police\": Likert value '7'",
        "- wave 2021, 2021.csv, row 5, column \"Submitted\": submitted time '2021-05-02'",
        "1 areas served that did not match one local authority",
        "- wave 2021, 2021.csv, row 5, column \"Areas\": 'Narnia' is unmatched",
    ):
        assert line in message


def test_a_missing_column_is_reported_with_the_other_waves_problems(raw_dir: Path) -> None:
    def drop_comments(rows: list[list[str]]) -> None:
        for row in rows:
            del row[8]

    _rewrite_both(raw_dir, drop_comments, lambda rows: rows[1].__setitem__(3, "Atlantis"))
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    message = str(error.value)
    assert 'the codebook maps header "Comments" (comments) but the export has no such' in message
    assert "- wave 2021: its cells are checked once its columns are mapped" in message
    assert "- wave 2023, 2023.csv, row 2, column \"Areas\": 'Atlantis' is unmatched" in message


def test_a_wave_listed_twice_stops_the_run(raw_dir: Path) -> None:
    with pytest.raises(ParamsError, match=r"survey.waves lists 2021 more than once"):
        survey.clean_waves(raw_dir, ["2021", "2023", "2021"], REFERENCE, 90)


# -- identifiers are published only as pseudonyms -----------------------------------------------


def test_org_ids_are_pseudonymised_stably_across_waves(result: survey.SurveyResult) -> None:
    ids = set(result.orgs["org_id"])
    assert ids == {pid("A1"), pid("A2")}
    assert all(re.fullmatch(r"org-[0-9a-f]{12}", i) for i in ids)
    for frame in (result.responses, result.orgs, result.areas, result.comments):
        assert not frame["org_id"].isin(["A1", "A2"]).any()
    assert pid("A1") != privacy.pseudonym("A1", b"another key, just as long as the first one")


def test_an_email_typed_as_the_org_id_and_submitted_twice_is_never_shown(raw_dir: Path) -> None:
    email = "jo.whitfield@example.org"

    def type_email(rows: list[list[str]]) -> None:
        rows[1][0] = rows[2][0] = email

    _rewrite(raw_dir, "2021", type_email)
    result = survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    assert result.exclusions["reason"].tolist() == [
        "duplicate organisation ID: superseded by the later submission in row 3"
    ]
    normalised = "JO.WHITFIELD@EXAMPLE.ORG"
    tables = (result.responses, result.orgs, result.areas, result.comments, result.exclusions)
    text = "\n".join(frame.to_csv() for frame in tables)
    assert "whitfield" not in text.lower()
    assert privacy.pseudonym(normalised, KEY.encode("utf-8")) in set(result.orgs["org_id"])


def test_placeholder_ids_are_excluded_like_blank_ones_never_merged(raw_dir: Path) -> None:
    def placeholders(rows: list[list[str]]) -> None:
        rows.append([*rows[4]])
        rows.append([*rows[4]])
        rows[1][0], rows[4][0], rows[5][0], rows[6][0] = "n/a", "-", " Unknown ", "anonymous"

    _rewrite(raw_dir, "2021", placeholders)
    result = survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    assert result.exclusions[["source_row", "reason"]].to_dict("records") == [
        {"source_row": r, "reason": "organisation id is a placeholder, not an id"}
        for r in (2, 5, 6, 7)
    ]
    assert result.orgs["org_id"].tolist() == [pid("A1")]


def test_ids_differing_in_case_or_spaces_are_one_organisation(raw_dir: Path) -> None:
    def variants(rows: list[list[str]]) -> None:
        rows[1][0], rows[2][0], rows[4][0] = "org  12", " ORG 12", "Org-12"

    _rewrite(raw_dir, "2021", variants)
    result = survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    assert result.exclusions["reason"].tolist() == [
        "duplicate organisation ID: superseded by the later submission in row 3"
    ]
    assert sorted(result.orgs["org_id"]) == sorted([pid("ORG 12"), pid("ORG-12")])


def test_the_pseudonym_key_must_exist_and_be_long(raw_dir: Path) -> None:
    key = survey.key_path(raw_dir)
    key.unlink()
    with pytest.raises(InputError, match=r"pseudonym.key: no pseudonym key: .*secrets.token_hex"):
        survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)
    key.write_text("short\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"the key has 5 characters, fewer than 32"):
        survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)


def test_the_example_key_is_refused_for_exports_not_marked_synthetic(raw_dir: Path) -> None:
    survey.key_path(raw_dir).write_text(privacy.EXAMPLE_KEY, encoding="utf-8")
    with pytest.raises(InputError, match=r"published example key.*\['2021'\] are not marked"):
        survey.clean_waves(raw_dir, ["2021"], REFERENCE, 90)


def test_contact_names_of_every_wave_are_redacted_in_every_wave(raw_dir: Path) -> None:
    _rewrite(raw_dir, "2023", lambda rows: rows[1].__setitem__(5, "sam nwosu helped; Sam too."))
    result = survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    comments = result.comments[result.comments["wave"] == "2023"]["text"].tolist()
    assert comments == ["[name] helped; [name] too."]


def test_a_column_of_free_text_mapped_as_labels_is_summarised_not_listed(raw_dir: Path) -> None:
    names = [f"Jo Person{i} 07700 900{i:03d}" for i in range(12)]

    def names_as_type(rows: list[list[str]]) -> list[list[str]]:
        base = rows[1]
        return [rows[0], *([f"A{i}", *base[1:2], name, *base[3:]] for i, name in enumerate(names))]

    rows = _exports(layout.survey_dir(raw_dir))["2023"]
    _write_csv(layout.wave_file(raw_dir, "2023"), names_as_type(rows))
    with pytest.raises(InputError) as error:
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    message = str(error.value)
    assert 'column "Type": 12 different answers are not labels of org_type' in message
    assert "Person" not in message and "07700" not in message


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


def _new_export(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    export = tmp_path / "downloads" / "Survey export 2025.csv"
    export.parent.mkdir(exist_ok=True)
    _write_csv(export, [header, *rows])
    return export


def _params(tmp_path: Path) -> Path:
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS, encoding="utf-8")
    return params


NEW_HEADER = [
    "Organisation ID",
    "Submitted",
    "Type",
    "Areas",
    "Support offered (tick all)",
    "Comments",
    "Name",
    "Do you run a food bank?",
]


def test_new_wave_drafts_todos_and_the_cleaner_stops_on_them(raw_dir: Path, tmp_path: Path) -> None:
    area = _authorities()["la_code"].iloc[0]
    rows = [
        [f"A{i}", "2025-03-01 09:00", "Women's Centre", area, support, "", "Jo", "Yes"]
        for i, support in enumerate(["Childcare; Peer mentoring", "Peer mentoring", "Childcare"])
    ]
    export = _new_export(tmp_path, NEW_HEADER, rows)
    params = _params(tmp_path)
    codebook = layout.codebook_path(raw_dir)

    todos = survey.new_wave("2025", export, raw_dir, codebook, params)

    assert todos == [
        'waves.2025.support: "Support offered (tick all)" guessed from "Support offered" '
        "(TODO confirm)",
        'waves.2025.support.labels: "Peer mentoring" has no code (TODO)',
        '"Do you run a food bank?" is not mapped to any variable (TODO)',
    ]
    assert layout.wave_file(raw_dir, "2025").read_bytes() == export.read_bytes()
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


def test_new_wave_drafts_a_label_only_if_two_respondents_gave_it(
    raw_dir: Path, tmp_path: Path
) -> None:
    area = _authorities()["la_code"].iloc[0]
    support = ["Childcare"] * 4 + ["Childcare; Peer mentoring", "Help from Jo Okafor 07700 900123"]
    rows = [
        [f"A{i}", "2025-03-01 09:00", "Other", area, s, "", "Jo", ""] for i, s in enumerate(support)
    ]
    export = _new_export(tmp_path, NEW_HEADER, rows)
    codebook = layout.codebook_path(raw_dir)
    todos = survey.new_wave("2025", export, raw_dir, codebook, _params(tmp_path))
    text = codebook.read_text(encoding="utf-8")
    for datum in ("Peer mentoring", "Okafor", "07700"):
        assert datum not in text and datum not in "\n".join(todos)
    note = "other answers not shown: 2 given by fewer than 2 respondents"
    assert f"waves.2025.support.labels: {note} (TODO)" in todos
    assert re.search(rf"labels: +# TODO: {note}; map them from the export", text)


def test_new_wave_never_drafts_a_name_given_by_several_or_a_close_answer_given_once(
    raw_dir: Path, tmp_path: Path
) -> None:
    area = _authorities()["la_code"].iloc[0]
    types = ["Women's centre run by Priya Patel"] * 3 + ["Other, specify: Bob"] + ["Other"] * 2
    rows = [
        [f"A{i}", "2025-03-01 09:00", t, area, "Childcare", "", "Jo", ""]
        for i, t in enumerate(types)
    ]
    export = _new_export(tmp_path, NEW_HEADER, rows)
    codebook = layout.codebook_path(raw_dir)
    todos = survey.new_wave("2025", export, raw_dir, codebook, _params(tmp_path))
    written = codebook.read_text(encoding="utf-8") + "\n".join(todos)
    for datum in ("Priya", "Patel", "Bob"):
        assert datum not in written
    note = "other answers not shown: 1 given by fewer than 2 respondents; 1 holding personal data"
    assert f"waves.2025.org_type.labels: {note} (TODO)" in todos


CONTACTS = [
    ("Priya Okafor", "priya.okafor@example.org"),
    ("Siobhan Pemberton", "s.pemberton@example.org.uk"),
    ("Niamh O'Driscoll", "niamh.odriscoll@example.com"),
    ("Ama Mensah-Boateng", "ama.mb@example.net"),
    ("Chloe Lindqvist", "chloe.l@example.org"),
    ("Fatima Haddad", "fatima.haddad@example.org"),
    ("Gemma Ashworth", "gemma.ashworth@example.com"),
    ("Yasmin Rahman", "yasmin.rahman@example.org"),
    ("Imogen Villiers", "imogen.villiers@example.org.uk"),
    ("Tamsin Nwosu", "tamsin.nwosu@example.org"),
    ("Zainab Kowalski", "zainab.k@example.org"),
    ("Marcia Fairbairn", "marcia.fairbairn@example.com"),
]


def test_new_wave_never_writes_names_from_reworded_contact_headers(
    raw_dir: Path, tmp_path: Path
) -> None:
    """The contact header reworded to one that looks like another question's: the names are
    neither drafted as that question's labels nor written or returned anywhere."""
    codebook = layout.codebook_path(raw_dir)
    codebook.write_text(
        CODEBOOK.replace(
            "contact_name: {type: contact}",
            "contact_name: {type: contact}\n  contact_email: {type: contact}",
        ).replace(
            '    contact_name: {header: "Name"}\n',
            '    contact_name: {header: "Name"}\n    contact_email: {header: "Email"}\n',
        ),
        encoding="utf-8",
    )
    area = _authorities()["la_code"].iloc[0]
    header = [
        "Organisation ID",
        "Submitted",
        "Type your name",
        "Type",
        "Areas",
        "Support offered",
        "Comments",
        "Email of person completing",
        "Best number to reach you",
    ]
    rows = [
        [
            f"A{i}",
            "2025-03-01 09:00",
            name,
            "Other",
            area,
            "Childcare",
            "",
            email,
            f"07700 9001{i:02d}",
        ]
        for i, (name, email) in enumerate(CONTACTS)
    ]
    todos = survey.new_wave(
        "2025", _new_export(tmp_path, header, rows), raw_dir, codebook, _params(tmp_path)
    )
    written = codebook.read_text(encoding="utf-8") + "\n".join(todos)
    for name, email in CONTACTS:
        for datum in (name, *name.split(), email, email.split("@")[0], "07700"):
            assert datum not in written
    block = survey.load_codebook(codebook).waves["2025"]
    assert block["org_type"]["header"] == "Type"
    assert "12 answers, 12 different, like contact details" in written
    assert survey.todo_lines(codebook, ["2025"])  # the cleaner stops until they are placed


@pytest.mark.parametrize("make", ["folder", "binary", "header only"])
def test_new_wave_stops_with_one_message_on_an_unusable_export(
    raw_dir: Path, tmp_path: Path, make: str
) -> None:
    export = tmp_path / "export.csv"
    if make == "folder":
        export.mkdir()
    elif make == "binary":
        export.write_bytes(b"\x00\x01\x02" * 100)
    else:
        export.write_text("Organisation ID,Name\n", encoding="utf-8")
    codebook = layout.codebook_path(raw_dir)
    before = codebook.read_bytes()
    with pytest.raises(InputError, match=re.escape(str(export))):
        survey.new_wave("2025", export, raw_dir, codebook, _params(tmp_path))
    assert codebook.read_bytes() == before
    assert not list(layout.survey_dir(raw_dir).glob("2025.*"))


def test_new_wave_refuses_a_wave_that_exists(raw_dir: Path, tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS, encoding="utf-8")
    with pytest.raises(InputError, match="wave 2023 already has an export"):
        survey.new_wave(
            "2023",
            layout.wave_file(raw_dir, "2021"),
            raw_dir,
            layout.codebook_path(raw_dir),
            params,
        )


def test_option_labels_come_from_the_latest_wave_asking_each_option(raw_dir: Path) -> None:
    book = survey.load_codebook(layout.codebook_path(raw_dir))
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


# -- the codebook's structure: every problem is an InputError naming file, key and line --------

TINY = """\
scales:
  quality:
    levels: [Poor, Good]
variables:
  org_id: {type: id}
  submitted: {type: timestamp}
  org_type: {type: single, codes: [a, b]}
  partner: {type: likert, scale: quality, options: [police]}
waves:
  "2021":
    org_id: {header: "ID"}
    submitted: {header: "When", format: "%Y"}
    org_type:
      header: "Type"
      labels: {"A": a, "B": b}
    partner:
      headers: {"Partner - Police": police}
"""

BROKEN = [
    pytest.param(
        'org_id: {header: "ID"}',
        'org_id: "ID"',
        """waves.2021.org_id (line 11) must be a mapping such as {header: "ID"} (got 'ID')""",
        id="entry-is-plain-text",
    ),
    pytest.param(
        "{type: single,",
        "{type: singel,",
        "variables.org_type.type (line 7) must be one of id, timestamp, single, multi, likert, "
        "areas, text, contact, ignore (got 'singel')",
        id="unknown-variable-type",
    ),
    pytest.param(
        '    org_id: {header: "ID"}\n',
        '    org_id: {header: "ID"}\n    org_id: {header: "Org"}\n',
        "waves.2021.org_id (line 12) appears twice; a key may appear only once in a mapping, "
        "so keep one",
        id="duplicated-key",
    ),
    pytest.param(
        '  "2021":\n    org_id',
        '  "2021": [ID, Type]\n  "2019":\n    org_id',
        "waves.2021 (line 10) must map variables to headers (got ['ID', 'Type'])",
        id="wave-block-not-a-mapping",
    ),
    pytest.param(
        '  "2021":\n',
        '  "2019":\n  "2021":\n',
        "waves.2019 (line 10) must map variables to headers (got None)",
        id="wave-block-empty",
    ),
    pytest.param(
        "org_id: {type: id}",
        "org_id: id",
        "variables.org_id (line 5) must be a mapping such as {type: id} (got 'id')",
        id="variable-is-plain-text",
    ),
    pytest.param(
        "      labels:",
        "      lables:",
        "waves.2021.org_type.lables (line 15) is not a codebook key (known: header, headers, "
        "labels, style, delimiter, delimiters, format)",
        id="misspelt-key",
    ),
    pytest.param(
        'labels: {"A": a, "B": b}',
        "labels: [a, b]",
        "waves.2021.org_type.labels (line 15) must be a mapping (got ['a', 'b'])",
        id="labels-not-a-mapping",
    ),
    pytest.param(
        ', format: "%Y"',
        "",
        "waves.2021.submitted (line 12) maps a timestamp variable, so it needs `format:`, the "
        "strftime format of the submitted time",
        id="timestamp-without-format",
    ),
    pytest.param(
        '      header: "Type"\n',
        '      header: "Type"\n      headers: {"Type - A": a}\n',
        "waves.2021.org_type (line 13) has both `header:` and `headers:`; keep one",
        id="header-and-headers",
    ),
    pytest.param(
        "    partner:\n",
        "    partners:\n",
        "waves.2021.partners (line 16) is not under variables: declare it there first",
        id="variable-not-declared",
    ),
    pytest.param(
        "scale: quality,",
        "scale: qualty,",
        "variables.partner.scale (line 8) must be one of ['quality'] (got 'qualty')",
        id="unknown-scale",
    ),
    pytest.param(
        "codes: [a, b]",
        "codes: ab",
        "variables.org_type.codes (line 7) must be a list (got 'ab')",
        id="codes-not-a-list",
    ),
    pytest.param(
        '"2021":',
        '"2021a":',
        "waves.2021a (line 10) must be a wave's four-digit year",
        id="wave-not-a-year",
    ),
    pytest.param(
        "levels: [Poor, Good]",
        "levels: [Poor, Good",
        "not valid YAML at line 4, column 10: expected ',' or ']', but got ':'",
        id="not-yaml",
    ),
    pytest.param(
        "waves:\n",
        "wavez:\n",
        "2 problems:\n- the codebook needs a `waves:` mapping\n- wavez (line 9) is not a "
        "codebook key (known: scales, variables, waves)",
        id="misspelt-section",
    ),
    pytest.param(
        TINY,
        "- scales\n- variables\n",
        "the codebook must be a mapping of scales, variables and waves (got ['scales', "
        "'variables'])",
        id="not-a-mapping",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_codebook_structure_problems_name_file_key_and_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in TINY
    path = tmp_path / "codebook"
    path.write_text(TINY.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as error:
        survey.load_codebook(path)
    assert str(error.value) == f"{path}: {message}"


def test_the_tiny_codebook_loads(tmp_path: Path) -> None:
    path = tmp_path / "codebook"
    path.write_text(TINY, encoding="utf-8")
    assert survey.likert_labels(survey.load_codebook(path), "partner") == {
        "1": "Poor",
        "2": "Good",
        "dont_know": "Don't know",
    }


def test_a_broken_codebook_stops_the_cleaner_and_new_wave(raw_dir: Path, tmp_path: Path) -> None:
    codebook = layout.codebook_path(raw_dir)
    codebook.write_text(CODEBOOK.replace("org_type: {type: single,", "org_type: {type: one,"))
    message = rf"{re.escape(str(codebook))}: variables\.org_type\.type \(line 8\) must be one of"
    with pytest.raises(InputError, match=message):
        survey.clean_waves(raw_dir, ["2021", "2023"], REFERENCE, 90)
    params = tmp_path / "params.yaml"
    params.write_text(PARAMS, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        survey.new_wave(
            "2025", layout.wave_file(raw_dir, "2021"), tmp_path / "raw2", codebook, params
        )


@pytest.mark.parametrize(("suffix", "read"), [(".xlsx", True), (".csv", False)])
def test_a_date_cell_of_an_excel_export_is_a_submitted_time(suffix: str, read: bool) -> None:
    book = survey.load_codebook(
        Path(__file__).resolve().parents[2] / "data/example/survey/codebook.yaml"
    )
    typed = ["05/05/2021 05:50", "2021-05-06 07:49:00", "6 May 2021"]  # as shown, a date cell
    data = pd.DataFrame({"Submitted": typed, ROW: [2, 3, 4]})
    times, problems = submitted_times(RawTable(Path(f"2021{suffix}"), data, 1, 0), "2021", book)
    expected = ["2021-05-05 05:50", "2021-05-06 07:49" if read else None, None]
    assert times.tolist() == [pd.Timestamp(t) if t else pd.NaT for t in expected]
    assert [p.row for p in problems] == ([4] if read else [3, 4])
