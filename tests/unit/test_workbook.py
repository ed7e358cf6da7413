"""The tables workbook: cover, contents, notes and one sheet per table, read back with openpyxl."""

import datetime as dt
import re

import openpyxl
import pandas as pd
import pytest

from pipeline.workbook import PublishedTable, write_workbook

APPLES = PublishedTable(
    "Table 1",
    "Apples by round",
    pd.DataFrame({"Round": ["2021", "2024"], "Apples": [3, 5]}),
    "Orchard survey",
    ("Zebra note.", "Apple note."),
)
PEARS = PublishedTable(
    "Table 2",
    "Pears",
    pd.DataFrame({"Pear": ["Conference"], "Share (%)": [12.5]}),
    "Orchard survey",
    ("Apple note.",),
)


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "tables.xlsx"
    write_workbook(
        [APPLES, PEARS], path, "Fruit", ["About one.", "About two."], dt.date(2024, 3, 5)
    )
    return path


def _values(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]


def test_sheets_are_cover_contents_notes_then_one_per_table(written):
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Table 1", "Table 2"]


def test_cover_has_the_title_the_about_lines_and_the_shorthand(written):
    cover = [row[0] for row in _values(openpyxl.load_workbook(written)["Cover"])]
    assert cover[0] == "Fruit"
    assert "About one." in cover and "About two." in cover
    assert "[c]: confidential: suppressed to protect people from identification" in cover
    assert "[x]: not available" in cover and "[z]: not applicable" in cover


def test_contents_lists_each_sheet_with_its_title(written):
    rows = _values(openpyxl.load_workbook(written)["Contents"])
    start = rows.index(("Sheet name", "Table description"))
    assert rows[start + 1 :] == [("Table 1", "Apples by round"), ("Table 2", "Pears")]


def test_table_sheets_hold_title_source_headers_and_values(written):
    book = openpyxl.load_workbook(written)
    apples, pears = _values(book["Table 1"]), _values(book["Table 2"])
    assert apples[0][0].startswith("Apples by round[note ")
    assert ("Orchard survey", None) in apples
    assert apples[-3:] == [("Round", "Apples"), ("2021", 3), ("2024", 5)]
    assert pears[-2:] == [("Pear", "Share (%)"), ("Conference", 12.5)]
    assert set(book["Table 1"].tables) == {"table_1"}


def test_each_note_is_listed_once_and_titles_point_at_the_right_one(written):
    book = openpyxl.load_workbook(written)
    rows = _values(book["Notes"])
    start = rows.index(("Note number", "Note text"))
    number = {text: n for n, text in rows[start + 1 :]}
    assert len(rows[start + 1 :]) == 2 and sorted(number) == ["Apple note.", "Zebra note."]
    apples, pears = book["Table 1"]["A1"].value, book["Table 2"]["A1"].value
    refs = [int(n) for n in re.findall(r"\[note (\d+)\]", apples)]
    assert refs == [number["Zebra note."], number["Apple note."]]
    assert pears == f"Pears[note {number['Apple note.']}]"


def test_metadata_carries_the_title_and_the_given_date(written):
    props = openpyxl.load_workbook(written).properties
    assert props.title == "Fruit"
    assert props.created == dt.datetime(2024, 3, 5)


def test_rewriting_gives_the_same_bytes(written, tmp_path):
    again = tmp_path / "again.xlsx"
    write_workbook(
        [APPLES, PEARS], again, "Fruit", ["About one.", "About two."], dt.date(2024, 3, 5)
    )
    assert again.read_bytes() == written.read_bytes()
