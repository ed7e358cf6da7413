"""Bad survey exports, made by altering copies of the example waves, through survey.clean_waves.

Each case either reads to the same tidy tables as the unaltered export or stops with an
InputError whose whole message is asserted (file, and row and column where one applies; a
header or label the codebook lacks is named with the YAML to add).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import corpus_kit as kit
import pandas as pd
import pytest

from pipeline import privacy
from pipeline.errors import InputError
from pipeline.survey.decode import normal_id

Edit = Callable[[Path], None]
W21, W23, W25 = "survey/2021.csv", "survey/2023.xlsx", "survey/2025.csv"
TYPE_2025 = "Which best describes your organisation?"
AREAS_2025 = "Local authority areas served (separate with commas or semicolons)"
SUBMITTED_2025 = "Submitted at"
SECURE_2025 = "Is your funding secure for the next 12 months?"
STIGMA = "How much of a barrier is each of these? - Stigma and shame"  # Likert, 2021 and 2023
TABLES = ("responses", "orgs", "areas", "comments")
ROW_2_ID = "ORG-7138"  # the organisation id in row 2 of the 2025 export


def published(org_id: str) -> str:
    """An organisation id as the cleaner publishes it: its pseudonym under the example key."""
    return privacy.pseudonym(normal_id(org_id), privacy.EXAMPLE_KEY.encode("utf-8"))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, kit.survey.SurveyResult]:
    """Each unaltered wave, cleaned on its own."""
    raw = kit.raw_copy(tmp_path_factory.mktemp("baseline"))
    return {wave: kit.clean_survey(raw, [wave]) for wave in kit.WAVES}


def csv_edit(path: str, change: Callable[[kit.Rows], kit.Rows | None]) -> Edit:
    return lambda raw: kit.edit_csv(raw / path, change)


def cell(row: int, column: str, value: str) -> Callable[[kit.Rows], None]:
    return lambda rows: kit.set_cell(rows, row, column, value)


def cells(*changes: Callable[[kit.Rows], None]) -> Callable[[kit.Rows], None]:
    def change(rows: kit.Rows) -> None:
        for one in changes:
            one(rows)

    return change


def rewrite(path: str, encoding: str = "utf-8", delimiter: str = ",") -> Edit:
    def edit(raw: Path) -> None:
        rows = kit.read_csv(raw / path)
        kit.write_csv(raw / path, rows, encoding=encoding, delimiter=delimiter)

    return edit


def xlsx_edit(change: Callable) -> Edit:
    return lambda raw: kit.edit_xlsx(raw / W23, change)


def title_rows(sheet) -> None:
    sheet.insert_rows(1, 2)
    sheet["A1"] = "Survey of third-sector organisations: export"


def merge_likert_headers(sheet) -> None:
    first = kit.xlsx_column(sheet, 1, STIGMA)
    sheet.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + 1)


def likert_cell(value: str) -> Callable:
    return lambda sheet: sheet.cell(3, kit.xlsx_column(sheet, 1, STIGMA), value)


def resubmit(submitted: str) -> Callable[[kit.Rows], None]:
    """Row 2 (ROW_2_ID, a women's centre) submitted again at the end (row 84), as other."""

    def change(rows: kit.Rows) -> None:
        assert rows[1][0] == ROW_2_ID
        rows.append(list(rows[1]))
        kit.set_cell(rows, len(rows), SUBMITTED_2025, submitted)
        kit.set_cell(rows, len(rows), TYPE_2025, "Other (please specify)")

    return change


# -- exports that must read to the same tables ---------------------------------------------------

READS = [
    pytest.param("2025", rewrite(W25, encoding="utf-16"), id="utf-16"),
    pytest.param("2025", rewrite(W25, encoding="cp1252"), id="cp1252"),  # "crèche" in a header
    pytest.param("2021", rewrite(W21, delimiter=";"), id="semicolon-delimiter-no-bom"),
    pytest.param("2025", rewrite(W25, delimiter="\t"), id="tab-delimiter"),
    pytest.param("2023", xlsx_edit(title_rows), id="xlsx-title-rows"),
    pytest.param(
        "2025",
        csv_edit(W25, lambda rows: [rows[0], [], *rows[1:3], [""] * len(rows[0]), *rows[3:]]),
        id="blank-rows",
    ),
]


@pytest.mark.parametrize(("wave", "edit"), READS)
def test_reads_the_same_tables(
    tmp_path: Path, baseline: dict[str, kit.survey.SurveyResult], wave: str, edit: Edit
) -> None:
    raw = kit.raw_copy(tmp_path)
    edit(raw)
    result = kit.clean_survey(raw, [wave])
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(result, table), getattr(baseline[wave], table))


def test_title_rows_shift_the_rows_reported(tmp_path: Path) -> None:
    raw = kit.raw_copy(tmp_path)
    xlsx_edit(title_rows)(raw)
    assert kit.clean_survey(raw, ["2023"]).exclusions.to_dict("records") == [
        {
            "file": W23,
            "source_row": 15,
            "reason": "duplicate organisation ID: superseded by the later submission in row 22",
        }
    ]


# -- duplicate organisations are settled and reported -------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "kept", "dropped", "org_type"),
    [("2025-05-01T09:00:00Z", 84, 2, "other"), ("2025-01-01T09:00:00Z", 2, 84, "womens_centre")],
)
def test_duplicate_organisation_keeps_the_latest_submission(
    tmp_path: Path, submitted: str, kept: int, dropped: int, org_type: str
) -> None:
    raw = kit.raw_copy(tmp_path)
    csv_edit(W25, resubmit(submitted))(raw)
    result = kit.clean_survey(raw, ["2025"])
    assert result.exclusions.to_dict("records") == [
        {
            "file": W25,
            "source_row": dropped,
            "reason": "duplicate organisation ID: superseded by the later submission in "
            f"row {kept}",
        }
    ]
    orgs = result.orgs.set_index("org_id")
    assert len(orgs) == 81
    assert orgs.at[published(ROW_2_ID), "org_type"] == org_type
    account = result.accounts[0]
    assert (account.rows_in, account.kept, account.excluded, account.blank) == (83, 81, 1, 1)


def test_blank_organisation_id_is_excluded_with_the_reason(tmp_path: Path) -> None:
    raw = kit.raw_copy(tmp_path)
    csv_edit(W25, cell(3, "Organisation ID", ""))(raw)
    result = kit.clean_survey(raw, ["2025"])
    assert result.exclusions.to_dict("records") == [
        {"file": W25, "source_row": 3, "reason": "organisation id is blank"}
    ]
    assert len(result.orgs) == 80


# -- exports that must stop the run --------------------------------------------------------------


def add_column(rows: kit.Rows) -> kit.Rows:
    header = "Any other comments about funding?"
    return [rows[0] + [header], *(r + (["x"] if any(r) else [""]) for r in rows[1:])]


def drop_column(column: str) -> Callable[[kit.Rows], kit.Rows]:
    return lambda rows: [r[: rows[0].index(column)] + r[rows[0].index(column) + 1 :] for r in rows]


STOPS = [
    pytest.param(
        "2025",
        csv_edit(W25, add_column),
        "{raw}/survey: 1 problem in the listed waves; nothing was cleaned. Fix them all, "
        "then rerun:\n1 headers and answers the codebook does not map (codebook.yaml):\n- "
        'wave 2025, 2025.csv: header "Any other comments about funding?" is not in the '
        'codebook. Add:\n    waves:\n      "2025":\n        <variable>: {{header: "Any '
        'other comments about funding?"}}',
        id="unmapped-header",
    ),
    pytest.param(
        "2025",
        csv_edit(W25, cell(2, TYPE_2025, "Faith group")),
        "{raw}/survey: 1 problem in the listed waves; nothing was cleaned. Fix them all, "
        "then rerun:\n1 headers and answers the codebook does not map (codebook.yaml):\n- "
        'wave 2025, 2025.csv, row 2, column "Which best describes your organisation?": '
        'label "Faith group" (org_type) is not in the codebook. Add:\n    waves:\n      '
        '"2025":\n        org_type:\n          labels:\n            "Faith group": <one of '
        "womens_centre, domestic_abuse, drug_alcohol, homelessness, sex_work, other>",
        id="unmapped-label",
    ),
    pytest.param(
        "2025",
        csv_edit(W25, drop_column(SECURE_2025)),
        "{raw}/survey: 2 problems in the listed waves; nothing was cleaned. Fix them "
        "all, then rerun:\n2 headers and answers the codebook does not map "
        '(codebook.yaml):\n- wave 2025, 2025.csv: the codebook maps header "Is your '
        'funding secure for the next 12 months?" (funding_secure) but the export has no '
        'such column; fix waves."2025".funding_secure in the codebook\n- wave 2025: its '
        "cells are checked once its columns are mapped",
        id="mapped-column-missing",
    ),
    pytest.param(
        "2023",
        xlsx_edit(merge_likert_headers),
        "{raw}/survey: 3 problems in the listed waves; nothing was cleaned. Fix them "
        "all, then rerun:\n3 headers and answers the codebook does not map "
        '(codebook.yaml):\n- wave 2023, 2023.xlsx: header "How much of a barrier is each '
        'of these? - Stigma and shame (2)" is not in the codebook. Add:\n    waves:\n      '
        '"2023":\n        barrier_severity:\n          headers:\n            "How much of a '
        'barrier is each of these? - Stigma and shame (2)": <option: one of stigma, '
        "child_removal, waiting_times, mixed_gender>\n- wave 2023, 2023.xlsx: the "
        'codebook maps header "How much of a barrier is each of these? - Fear of child '
        'removal" (barrier_severity) but the export has no such column; fix '
        'waves."2023".barrier_severity in the codebook\n- wave 2023: its cells are '
        "checked once its columns are mapped",
        id="xlsx-merged-header-cells",
    ),
    pytest.param(
        "2023",
        xlsx_edit(likert_cell("7")),
        "{raw}/survey: 1 problem in the listed waves; nothing was cleaned. Fix them all, "
        'then rerun:\n1 bad cells:\n- wave 2023, 2023.xlsx, row 3, column "How much of a '
        "barrier is each of these? - Stigma and shame\": Likert value '7' is out of range "
        "1-5",
        id="likert-above-range",
    ),
    pytest.param(
        "2021",
        csv_edit(W21, cell(2, STIGMA, "0")),
        "{raw}/survey: 1 problem in the listed waves; nothing was cleaned. Fix them all, "
        'then rerun:\n1 bad cells:\n- wave 2021, 2021.csv, row 2, column "How much of a '
        "barrier is each of these? - Stigma and shame\": Likert value '0' is out of range "
        "1-5",
        id="likert-below-range",
    ),
    pytest.param(
        "2021",
        csv_edit(W21, cells(cell(2, STIGMA, "9"), cell(3, "Submitted", "31/02/2021"))),
        "{raw}/survey: 2 problems in the listed waves; nothing was cleaned. Fix them "
        'all, then rerun:\n2 bad cells:\n- wave 2021, 2021.csv, row 2, column "How much of '
        "a barrier is each of these? - Stigma and shame\": Likert value '9' is out of "
        'range 1-5\n- wave 2021, 2021.csv, row 3, column "Submitted": submitted time '
        "'31/02/2021' does not match the codebook format '%d/%m/%Y %H:%M'",
        id="likert-and-bad-date-on-the-next-row",
    ),
    pytest.param(
        "2025",
        csv_edit(W25, cell(3, SUBMITTED_2025, "yesterday")),
        "{raw}/survey: 1 problem in the listed waves; nothing was cleaned. Fix them all, "
        'then rerun:\n1 bad cells:\n- wave 2025, 2025.csv, row 3, column "Submitted at": '
        "submitted time 'yesterday' does not match the codebook format "
        "'%Y-%m-%dT%H:%M:%SZ'",
        id="bad-submitted-time",
    ),
    pytest.param(
        "2025",
        csv_edit(W25, cell(3, AREAS_2025, "Newcastle; Leeds")),
        "{raw}/survey: 1 problem in the listed waves; nothing was cleaned. Fix them all, "
        "then rerun:\n1 areas served that did not match one local authority (each with "
        'what to do):\n- wave 2025, 2025.csv, row 3, column "Local authority areas served '
        "(separate with commas or semicolons)\": 'Newcastle' is ambiguous; candidates: "
        "(('E08000021', 'Newcastle upon Tyne', 100.0), ('E10000028', 'Staffordshire', "
        "100.0)); it names more than one authority: write the one meant in full, or its "
        "code",
        id="ambiguous-area",
    ),
    pytest.param(
        "2025",
        csv_edit(W25, lambda rows: [["Org ID", *rows[0][1:]], *rows[1:]]),
        "{raw}/survey/2025.csv: no header row with the columns ['Organisation ID'] in the first "
        "30 rows; a column may be missing or renamed",
        id="renamed-id-column",
    ),
    pytest.param(
        "2025",
        csv_edit(W25, lambda rows: rows[:1]),
        "{raw}/survey/2025.csv, row 1: the export has a header but no responses",
        id="header-only",
    ),
    pytest.param(
        "2025",
        lambda raw: (raw / W25).write_bytes(b""),
        "{raw}/survey/2025.csv: file is empty",
        id="empty",
    ),
    pytest.param(
        "2023",
        lambda raw: (raw / W23).write_text("Organisation ID\nORG-1\n", encoding="utf-8"),
        "{raw}/survey/2023.xlsx: cannot be read as a spreadsheet (File is not a zip file)",
        id="xlsx-holding-text",
    ),
]


@pytest.mark.parametrize(("wave", "edit", "message"), STOPS)
def test_stops_naming_file_row_and_column(tmp_path: Path, wave: str, edit: Edit, message: str):
    raw = kit.raw_copy(tmp_path)
    edit(raw)
    with pytest.raises(InputError) as caught:
        kit.clean_survey(raw, [wave])
    assert str(caught.value) == message.format(raw=raw)
