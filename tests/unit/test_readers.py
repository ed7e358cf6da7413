"""Reading raw files: encodings, header offsets, blank rows and clear errors."""

from pathlib import Path

import openpyxl
import pytest

from pipeline.readers import MAX_CELL, ROW, InputError, find_file, read_table, unlisted_files

REQUIRED = ["Local authority", "Status"]
TEXT = "Local authority,Status\nSt. Helens,Provided\n,\nBristol, City of\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be"]
)  # utf-16-le and -be have no byte-order mark
def test_encodings(tmp_path, encoding):
    text = "Local authority,Status\nSt. Helens – Council,Provided\n"
    table = read_table(_write(tmp_path, "a.csv", text.encode(encoding)), REQUIRED)
    assert table.data.loc[0, "Local authority"] == "St. Helens – Council"
    assert table.data.loc[0, ROW] == 2


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_any_line_ending_ends_a_row_and_a_quoted_one_is_kept(tmp_path, newline):
    text = f'Local authority,Status{newline}Hull,"Provided{newline}in full"{newline}York,Partial'
    table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert table.data["Local authority"].tolist() == ["Hull", "York"]
    assert table.data["Status"].tolist() == [f"Provided{newline}in full", "Partial"]
    assert table.data[ROW].tolist() == [2, 3]


def test_title_rows_and_blank_rows_are_skipped_and_counted(tmp_path):
    text = "Synthetic example,\n\nLocal authority,Status\nHull,Provided\n,\nYork,Partial\n"
    table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert table.header_row == 3
    assert table.blank_rows == 1
    assert table.data["Local authority"].tolist() == ["Hull", "York"]
    assert table.data[ROW].tolist() == [4, 6]


def test_semicolon_delimiter(tmp_path):
    text = "Local authority;Status\nHull;Provided\n"
    table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert table.data.loc[0, "Status"] == "Provided"


def test_xlsx_with_title_row_and_merged_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SYNTHETIC EXAMPLE DATA"])
    ws.append(["Local authority", "Status", "Counts", None])
    ws.append(["Hull", "Provided", 10, 5])
    ws.merge_cells("C2:D2")
    wb.save(tmp_path / "a.xlsx")
    table = read_table(tmp_path / "a.xlsx", REQUIRED)
    assert table.header_row == 2
    assert table.data.columns.tolist()[:4] == ["Local authority", "Status", "Counts", "Counts (2)"]
    assert table.data.loc[0, "Counts (2)"] == "5"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.csv", b"", "a.csv: file is empty"),
        ("a.csv", b"Local authority,State\nHull,x\n", "no header row with the columns"),
        ("a.xlsx", b"this is not a spreadsheet", "cannot be read as a spreadsheet"),
        ("a.csv", b"\x00\x01\x02binary", "file is binary"),
        ("a.csv", b"\xff\xfe\x00\xd8a\x00", "a.csv: text is in none of the encodings utf-16"),
        (
            "a.csv",
            b"Local authority,Status\nHull,Provided,extra\n",
            "a.csv, row 2: row has 3 cells",
        ),
        ("a.txt", b"x", "unsupported file type"),
    ],
)
def test_bad_files_are_named(tmp_path, name, data, message):
    with pytest.raises(InputError, match=message):
        read_table(_write(tmp_path, name, data), REQUIRED)


def test_header_only_file_has_no_rows(tmp_path):
    table = read_table(_write(tmp_path, "a.csv", b"Local authority,Status\n"), REQUIRED)
    assert table.data.empty


def test_find_file_and_unlisted(tmp_path):
    _write(tmp_path, "2021.csv", b"x")
    _write(tmp_path, "2023.xlsx", b"x")
    assert find_file(tmp_path, "2021").name == "2021.csv"
    with pytest.raises(InputError, match="no file for '2025'"):
        find_file(tmp_path, "2025")
    assert [p.name for p in unlisted_files(tmp_path, ["2021"])] == ["2023.xlsx"]


def test_a_long_cell_is_read(tmp_path):
    note = "x" * 200_000  # longer than the csv module's default limit of 131,072
    text = f'Local authority,Status,Notes\nHull,Provided,"{note}"\n'
    table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert table.data.loc[0, "Notes"] == note


def test_an_absurdly_long_cell_stops_naming_row_column_and_size(tmp_path):
    text = f'Local authority,Status,Notes\nHull,Provided,ok\nYork,Partial,"{"x" * 1_000_001}\n'
    with pytest.raises(InputError) as exc:
        read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert str(exc.value) == (
        f"{tmp_path / 'a.csv'}, row 3, column 'Notes': cell holds 1,000,002 characters "
        f"(more than {MAX_CELL:,}): a quote left open?"
    )


def test_formula_cells_with_no_saved_value_are_listed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Title"])
    ws.append(["Local authority", "Status", "Count"])
    ws.append(["Hull", "Provided", "=2*3"])  # openpyxl saves no value for a formula
    ws.append(["York", '=IF(1,"Partial","")', 5])
    wb.save(tmp_path / "a.xlsx")
    table = read_table(tmp_path / "a.xlsx", REQUIRED)
    assert table.data["Count"].tolist() == ["", "5"]
    assert table.unsaved_formulas == {(3, "Count"): "=2*3", (4, "Status"): '=IF(1,"Partial","")'}


def test_every_broken_row_and_cell_is_listed_at_once(tmp_path):
    text = (
        "Local authority,Status,Notes,Notes\n"
        "Hull,Provided,a,b\n"
        "York\n"  # cut short: its status and notes are lost
        "Leeds,Partial,a,b,extra\n"
        f'Bury,Provided,"{"x" * (MAX_CELL + 1)}",b\n'
    )
    with pytest.raises(InputError) as exc:
        read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert str(exc.value) == (
        f"{tmp_path / 'a.csv'}: 4 problems reading the file:\n"
        "  row 1: header repeats columns ['Notes']\n"
        "  row 3: row has 1 cells but the header has 4: 'Status' to 'Notes' are missing "
        "(a row cut short?)\n"
        "  row 4: row has 5 cells but the header has 4\n"
        "  row 5, column 'Notes': cell holds 1,000,001 characters (more than 1,000,000): "
        "a quote left open?"
    )


def test_a_short_row_lacking_only_empty_columns_is_read(tmp_path):
    text = "Local authority,Status,Notes\nHull,Provided\nYork,Partial,\n"
    table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert table.data["Notes"].tolist() == ["", ""]


def test_empty_columns_with_no_header_are_dropped_and_logged(tmp_path, caplog):
    text = "Local authority,,Status,,\nHull,,Provided,,\nYork,,Partial\n"
    with caplog.at_level("INFO"):
        table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert table.data.columns.tolist() == ["Local authority", "Status", ROW]
    assert table.data["Status"].tolist() == ["Provided", "Partial"]
    assert "dropped empty columns with no header (numbers [2, 4, 5])" in caplog.text


def test_headers_differing_in_case_or_spacing_are_the_expected_columns(tmp_path):
    text = "local Authority , STATUS,gss  code\nHull,Provided,E06000010\n"
    table = read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED, expected=["GSS code"])
    assert table.data.columns.tolist() == ["Local authority", "Status", "GSS code", ROW]


def test_an_empty_extra_sheet_is_skipped(tmp_path, caplog):
    wb = openpyxl.Workbook()
    wb.active.append(["Local authority", "Status"])
    wb.active.append(["Hull", "Provided"])
    wb.create_sheet("Sheet2")
    wb.save(tmp_path / "a.xlsx")
    with caplog.at_level("INFO"):
        table = read_table(tmp_path / "a.xlsx", REQUIRED)
    assert table.data["Local authority"].tolist() == ["Hull"]
    assert "skipped empty sheets ['Sheet2']" in caplog.text


def test_a_header_repeated_below_the_data_is_one_problem_per_row(tmp_path):
    text = (
        "Title\n"
        "Local authority,Status\n"
        "Hull,Provided\n"
        "LOCAL AUTHORITY , status\n"  # a second table pasted below the first
        "York,Partial\n"
        "Local authority,\n"  # one header cell alone is a value, not a header
    )
    with pytest.raises(InputError) as exc:
        read_table(_write(tmp_path, "a.csv", text.encode()), REQUIRED)
    assert str(exc.value) == (
        f"{tmp_path / 'a.csv'}, row 4: repeats the header of row 2 (tables pasted together?): "
        "delete it"
    )
