"""The tables workbook: cover with the release's metadata, contents, notes and one sheet per
table or figure, read back with openpyxl: number formats, frozen headers, shorthand for every
empty cell, no formula, and no warning from gptables."""

import datetime as dt
import re
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.workbook import (
    PublishedTable,
    Release,
    decimals,
    filled,
    long_date,
    number_format,
    write_workbook,
)

RELEASE = Release(
    "Fruit", "Orchard Office", dt.date(2024, 3, 5), "To be announced", "Experimental", "a@b.c"
)
APPLES = PublishedTable(
    "Table 1",
    "Apples by round",
    pd.DataFrame({"Round": ["2021", "2024"], "Apples": [3, 1250], "p-value": [0.5, "<0.001"]}),
    "Orchard survey",
    ("Zebra note.", "Apple note."),
)
PEARS = PublishedTable(
    "Table 2",
    "Pears",
    pd.DataFrame({"Pear": ['=HYPERLINK("x")', "-Conference"], "Share (%)": [12.5, "[c]"]}),
    "Orchard survey",
    ("Apple note.",),
)
FIGURE = PublishedTable(
    "Figure 1",
    "Data behind Figure 1: plums",
    pd.DataFrame(
        {
            "Layer": ["point", "point", "limit"],
            "Label": ["A", "B", np.nan],
            "Share": [0.25, np.nan, 0.5],
        }
    ).rename(columns=str.lower),
    "Orchard survey",
    fractions=("share",),
)


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "tables.xlsx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_workbook([APPLES, PEARS, FIGURE], path, RELEASE, ["About one.", "About two."])
    # gptables warns (UserWarning) of empty cells and of notes no table refers to
    assert [str(w.message) for w in caught if w.category is UserWarning] == []
    return path


def _values(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)]


def test_sheets_are_cover_contents_notes_then_one_per_table_and_figure(written):
    book = openpyxl.load_workbook(written)
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Table 1", "Table 2", "Figure 1"]


def test_cover_has_the_title_the_release_metadata_the_about_lines_and_the_shorthand(written):
    cover = [row[0] for row in _values(openpyxl.load_workbook(written)["Cover"])]
    assert cover[0] == "Fruit"
    for line in (
        "Publisher: Orchard Office",
        "Release date: 5 March 2024",
        "Next update: To be announced",
        "Status: Experimental",
        "a@b.c",
        "About one.",
        "[c] = confidential: suppressed to protect people from identification",
        "[x] = not available",
        "[z] = not applicable",
    ):
        assert line in cover, line


def test_contents_lists_each_sheet_with_its_title(written):
    rows = _values(openpyxl.load_workbook(written)["Contents"])
    start = rows.index(("Sheet name", "Table description"))
    assert rows[start + 1 :] == [
        ("Table 1", "Apples by round"),
        ("Table 2", "Pears"),
        ("Figure 1", "Data behind Figure 1: plums"),
    ]


def test_table_sheets_hold_title_source_headers_and_typed_values(written):
    book = openpyxl.load_workbook(written)
    apples = _values(book["Table 1"])
    assert apples[0][0].startswith("Apples by round[note ")
    assert ("Orchard survey", None, None) in apples
    assert apples[-3:] == [
        ("Round", "Apples", "p-value"),
        ("2021", 3, 0.5),
        ("2024", 1250, "<0.001"),
    ]
    assert set(book["Table 1"].tables) == {"table_1"}


def test_numbers_have_their_column_format_and_headers_are_frozen(written):
    book = openpyxl.load_workbook(written)
    apples, pears, plums = book["Table 1"], book["Table 2"], book["Figure 1"]
    header = len(_values(apples)) - 2
    assert apples.cell(header + 1, 2).number_format == "#,##0"
    assert apples.cell(header + 1, 3).number_format == "#,##0.000"  # p-values: 3 decimals
    assert pears.cell(len(_values(pears)) - 1, 2).number_format == "#,##0.0"
    assert plums.cell(len(_values(plums)) - 2, 3).number_format == "0.0%"
    assert apples.freeze_panes == f"B{header + 1}"  # header row and the label column
    assert apples.cell(header, 1).value == "Round"


def test_every_empty_cell_says_why_and_each_sheet_explains_its_shorthand(written):
    book = openpyxl.load_workbook(written)
    plums = _values(book["Figure 1"])
    assert plums[-3:] == [("point", "A", 0.25), ("point", "B", "[x]"), ("limit", "[z]", 0.5)]
    legend = [row[0] for row in plums if row[0] and str(row[0]).startswith("[")]
    assert legend == ["[x] = not available", "[z] = not applicable"]
    pears = [row[0] for row in _values(book["Table 2"])]
    assert "[c] = confidential: suppressed to protect people from identification" in pears


def test_no_cell_is_a_formula_and_formula_text_is_neutralised(written):
    book = openpyxl.load_workbook(written)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert '\'=HYPERLINK("x")' in texts and "'-Conference" in texts
    assert not [t for t in texts if re.match(r"[=+\-@\t\r]", t) and not re.fullmatch(r"-[\d.]+", t)]


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


def test_metadata_carries_the_title_publisher_and_release_date(written):
    props = openpyxl.load_workbook(written).properties
    assert (props.title, props.creator) == ("Fruit", "Orchard Office")
    assert props.created == dt.datetime(2024, 3, 5)


def test_rewriting_gives_the_same_bytes(written, tmp_path):
    again = tmp_path / "again.xlsx"
    write_workbook([APPLES, PEARS, FIGURE], again, RELEASE, ["About one.", "About two."])
    assert again.read_bytes() == written.read_bytes()


# the rules behind the formats ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "name", "expected"),
    [
        ([1.5, 2.25, "[c]"], "x", 2),
        ([3, 1250], "x", 0),
        ([0.5, "<0.001"], "p-value", 3),
        ([1.0, 0.5], "p (Holm)", 3),
        (["a", "b"], "x", None),
        (["2021", "2024"], "x", None),  # text, even when it looks like a number
        ([True, False], "x", None),
        (["[c]", "[c]"], "x", None),
    ],
)
def test_decimals_are_those_the_numbers_are_published_to(values, name, expected):
    assert decimals(pd.Series(values, name=name)) == expected


def test_number_formats_separate_thousands_and_show_proportions_as_percentages():
    assert number_format(pd.Series([1, 22])) == "#,##0"
    assert number_format(pd.Series([1.25, 2.0])) == "#,##0.00"
    assert number_format(pd.Series([0.25, 0.5]), fraction=True) == "0.0%"
    assert number_format(pd.Series(["a"])) is None


def test_filled_gives_each_empty_cell_its_reason():
    frame = pd.DataFrame({"layer": ["a", "a", "b"], "x": [1, None, None], "y": [" ", "k", "m"]})
    assert filled(frame).values.tolist() == [
        ["a", 1, "[x]"],
        ["a", "[x]", "k"],
        ["b", "[z]", "m"],
    ]


def test_long_date_is_written_as_gov_uk_writes_it():
    assert long_date(dt.date(2026, 12, 1)) == "1 December 2026"
