"""Bad FOI round files, made by altering copies of the example rounds, through foi.clean_rounds.

Each case either reads to the same responses as the unaltered file (with the changes the case
implies) or stops with an InputError whose whole message is asserted: it names the file, and the
row and column where one applies. These are the file-level cases (encodings, layouts, columns,
authorities, dates, counts, duplicates); the classification and plausibility rules and the
overrides that settle them are in test_corpus_foi_rules.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import corpus_kit as kit
import pandas as pd
import pytest
from corpus_kit import (
    CSV,
    NEWCASTLE,
    NORTH_NORTHANTS,
    NORTH_YORKSHIRE,
    SOMERSET,
    XLSX,
    XLSX_HEADER,
    YORK,
    Edit,
    csv_cells,
    unchanged,
    xlsx_cells,
)

from pipeline import foi
from pipeline.errors import InputError


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Each unaltered round's cleaned responses, cleaned on its own."""
    return kit.foi_baseline(tmp_path_factory.mktemp("baseline"))


# -- building cases ------------------------------------------------------------------------------


def rewrite_csv(encoding: str = "utf-8", delimiter: str = ",", bom: bool = False) -> Edit:
    """Rewrite 2021.csv in another encoding or delimiter, a non-ASCII note added for York."""

    def edit(raw: Path) -> None:
        rows = kit.read_csv(raw / CSV)
        kit.set_cell(rows, YORK, foi.TEXT, rows[YORK - 1][rows[0].index(foi.TEXT)] + NOTE)
        kit.write_csv(raw / CSV, rows, encoding=encoding, delimiter=delimiter, bom=bom)

    return edit


NOTE = " Café – £5’s worth."  # in cp1252 and UTF-16 alike


def drop_column(column: str) -> Edit:
    return lambda raw: kit.edit_csv(
        raw / CSV,
        lambda rows: [r[: rows[0].index(column)] + r[rows[0].index(column) + 1 :] for r in rows],
    )


def rename_columns(path: str, header_row: int, renames: dict[str, str]) -> Edit:
    def edit(raw: Path) -> None:
        if path.endswith(".csv"):
            kit.edit_csv(raw / path, lambda rows: [[renames.get(c, c) for c in rows[0]], *rows[1:]])
        else:
            kit.edit_xlsx(
                raw / path,
                lambda s: [
                    setattr(c, "value", renames.get(c.value, c.value)) for c in s[header_row]
                ],
            )

    return edit


def add_column(raw: Path) -> None:
    """A 'Notes' column at the end, with a note on every non-blank row."""
    kit.edit_csv(
        raw / CSV,
        lambda rows: [
            rows[0] + ["Notes"],
            *(r + (["see letter"] if any(r) else [""]) for r in rows[1:]),
        ],
    )


def insert_title_rows(raw: Path) -> None:
    def edit(sheet) -> None:
        sheet.insert_rows(1, 3)
        sheet["A1"], sheet["A2"] = "Freedom of Information tracker", "Prepared by the policy team"

    kit.edit_xlsx(raw / XLSX, edit)


def merge_group_row(raw: Path) -> None:
    """A 'Numbers in treatment' cell merged over the two count columns, above the header."""

    def edit(sheet) -> None:
        sheet.insert_rows(XLSX_HEADER, 1)
        first = kit.xlsx_column(sheet, XLSX_HEADER + 1, foi.ADULTS)
        sheet.cell(XLSX_HEADER, first, "Numbers in treatment")
        sheet.merge_cells(
            start_row=XLSX_HEADER, start_column=first, end_row=XLSX_HEADER, end_column=first + 1
        )

    kit.edit_xlsx(raw / XLSX, edit)


def merge_header_cells(raw: Path) -> None:
    """The header cells 'Adults in treatment' and 'Women in treatment' merged into one."""

    def edit(sheet) -> None:
        first = kit.xlsx_column(sheet, XLSX_HEADER, foi.ADULTS)
        sheet.merge_cells(
            start_row=XLSX_HEADER, start_column=first, end_row=XLSX_HEADER, end_column=first + 1
        )

    kit.edit_xlsx(raw / XLSX, edit)


def add_blank_rows(raw: Path) -> None:
    kit.edit_csv(raw / CSV, lambda rows: [rows[0], [""] * len(rows[0]), *rows[1:], [], [""]])


def header_only(raw: Path) -> None:
    kit.write_csv(raw / CSV, kit.read_csv(raw / CSV)[:1])


def extra_cell(raw: Path) -> None:
    kit.edit_csv(
        raw / CSV, lambda rows: [*rows[: YORK - 1], rows[YORK - 1] + ["stray"], *rows[YORK:]]
    )


def duplicate_york(responded: str) -> Edit:
    """York's row again at the end (row 157), with another response date."""

    def edit(raw: Path) -> None:
        def change(rows: kit.Rows) -> None:
            rows.append(list(rows[YORK - 1]))
            rows[-1][rows[0].index(foi.RESPONDED)] = responded

        kit.edit_csv(raw / CSV, change)

    return edit


def write_bytes(path: str, data: bytes | Path) -> Edit:
    return lambda raw: (raw / path).write_bytes(
        data if isinstance(data, bytes) else data.read_bytes()
    )


def shifted(rows: int) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: frame.assign(source_row=frame["source_row"] + rows)


def recoded(code: str, method: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def expect(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[frame["la_code"] == code, "match_method"] = method
        return frame

    return expect


# -- files that must read to the same responses -------------------------------------------------

READS = [
    pytest.param("2021", rewrite_csv(delimiter=";"), unchanged, id="semicolon-delimiter"),
    pytest.param("2021", rewrite_csv(delimiter="|"), unchanged, id="pipe-delimiter"),
    pytest.param("2021", rewrite_csv(delimiter="\t"), unchanged, id="tab-delimiter"),
    pytest.param("2021", rewrite_csv(encoding="cp1252"), unchanged, id="cp1252"),
    pytest.param("2021", rewrite_csv(encoding="utf-16"), unchanged, id="utf-16-with-bom"),
    pytest.param("2021", rewrite_csv(bom=True), unchanged, id="utf-8-bom"),
    pytest.param("2021", add_column, unchanged, id="extra-column"),
    pytest.param("2021", add_blank_rows, shifted(1), id="blank-rows"),
    pytest.param("2024", insert_title_rows, shifted(3), id="xlsx-title-rows"),
    pytest.param("2024", merge_group_row, shifted(1), id="xlsx-merged-cells-above-header"),
    pytest.param(
        "2024",
        xlsx_cells((SOMERSET, foi.CODE, "E10000027")),
        recoded("E06000066", "code_successor"),
        id="2021-code-on-2023-geography",
    ),
    pytest.param(
        "2021",
        csv_cells((NORTH_YORKSHIRE, foi.CODE, "E06000065")),
        recoded("E10000023", "code_successor"),
        id="2023-code-on-2021-geography",
    ),
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


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_non_ascii_text_survives_the_encoding(tmp_path: Path, encoding: str) -> None:
    raw = kit.raw_copy(tmp_path)
    rewrite_csv(encoding=encoding)(raw)
    texts = kit.clean_foi(raw, ["2021"]).texts.set_index("la_code")["text"]
    assert texts["E06000014"].endswith(NOTE)


# -- duplicates are settled by the rule and reported ---------------------------------------------


@pytest.mark.parametrize(
    ("rule", "kept", "dropped"),
    [("latest_response", 157, YORK), ("first_response", YORK, 157)],
)
def test_duplicate_authority_is_settled_and_reported(
    tmp_path: Path, rule: str, kept: int, dropped: int
) -> None:
    raw = kit.raw_copy(tmp_path)
    duplicate_york("2021-07-20")(raw)
    result = kit.clean_foi(raw, ["2021"], rule=rule)
    york = result.responses.set_index("la_code").loc["E06000014"]
    assert york["source_row"] == kept
    assert york["date_responded"] == pd.Timestamp("2021-07-20" if kept == 157 else "2021-07-02")
    excluded = result.exclusions[result.exclusions["reason"].str.contains("E06000014")]
    assert excluded.to_dict("records") == [
        {
            "file": CSV,
            "source_row": dropped,
            "reason": f"duplicate submission for E06000014: row {kept} kept ({rule})",
        }
    ]
    account = result.accounts[0]
    assert (account.rows_in, account.kept, account.excluded, account.blank) == (156, 152, 2, 2)


# -- files that must stop the run, naming file, row and column ----------------------------------

STOPS = [
    pytest.param(
        "2021",
        drop_column(foi.WOMEN),
        "{raw}/foi/2021.csv, row 1, column 'Women in treatment': "
        "required column is missing (or renamed)",
        id="missing-column",
    ),
    pytest.param(
        "2021",
        rename_columns(CSV, 1, {foi.ADULTS: "Adults in Tx"}),
        "{raw}/foi/2021.csv, row 1, column 'Adults in treatment': "
        "required column is missing (or renamed)",
        id="renamed-column",
    ),
    pytest.param(
        "2024",
        rename_columns(XLSX, XLSX_HEADER, {foi.SENT: "Sent", foi.RESPONDED: "Responded"}),
        "{raw}/foi/2024.xlsx, row 3: required columns ['Date responded', 'Date sent'] "
        "are missing (or renamed)",
        id="two-renamed-columns",
    ),
    pytest.param(
        "2024",
        merge_header_cells,
        "{raw}/foi/2024.xlsx, row 3, column 'Women in treatment': "
        "required column is missing (or renamed)",
        id="xlsx-merged-header-cells",
    ),
    pytest.param("2021", write_bytes(CSV, b""), "{raw}/foi/2021.csv: file is empty", id="empty"),
    pytest.param(
        "2021", write_bytes(CSV, b" \r\n\r\n"), "{raw}/foi/2021.csv: file is empty", id="blank"
    ),
    pytest.param(
        "2021",
        header_only,
        "foi/2021.csv: 152 absent authorities:\n  E06000001 Hartlepool has no row\n"
        "  E06000002 Middlesbrough has no row\n...",
        id="header-only",
    ),
    pytest.param(
        "2024",
        write_bytes(XLSX, b"Local authority,Response status\nYork,Provided\n"),
        "{raw}/foi/2024.xlsx: cannot be read as a spreadsheet (File is not a zip file)",
        id="xlsx-holding-text",
    ),
    pytest.param(
        "2021",
        write_bytes(CSV, kit.EXAMPLE / XLSX),
        "{raw}/foi/2021.csv: file is binary, not a CSV text file",
        id="csv-holding-a-workbook",
    ),
    pytest.param(
        "2021",
        write_bytes("foi/2021.xlsx", kit.EXAMPLE / XLSX),
        "{raw}/foi/2021.csv: several files for '2021': ['2021.csv', '2021.xlsx']",
        id="two-files-for-one-round",
    ),
    pytest.param(
        "2021",
        extra_cell,
        f"{{raw}}/foi/2021.csv, row {YORK}: row has 23 cells but the header has 22",
        id="row-longer-than-header",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.LA, "Narnia")),
        f"foi/2021.csv, row {YORK}, column 'Local authority': unmatched authority: 'Narnia' is "
        "unmatched; best candidates: (('E09000003', 'Barnet', 50.0), ('E10000006', 'Cumbria', "
        "46.2), ('E06000052', 'Cornwall', 42.9))",
        id="unknown-authority",
    ),
    pytest.param(
        "2021",
        csv_cells((NEWCASTLE, foi.LA, "Newcastle")),
        f"foi/2021.csv, row {NEWCASTLE}, column 'Local authority': unmatched authority: "
        "'Newcastle' is ambiguous; best candidates: (('E08000021', 'Newcastle upon Tyne', 100.0), "
        "('E10000028', 'Staffordshire', 100.0))",
        id="ambiguous-authority",
    ),
    pytest.param(
        "2024",
        xlsx_cells((NORTH_NORTHANTS, foi.CODE, "E10000021")),
        f"foi/2024.xlsx, row {NORTH_NORTHANTS}, column 'GSS code': unmatched authority: "
        "'E10000021' is an authority of another year, not one of this year's; best candidates: "
        "(('E06000061', 'North "
        "Northamptonshire', 100.0), ('E06000062', 'West Northamptonshire', 100.0))",
        id="split-authority-code-on-2023-geography",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.CODE, "E06999999")),
        f"foi/2021.csv, row {YORK}, column 'GSS code': unmatched authority: 'E06999999' is "
        "unmatched (no authority comes near it)",
        id="unknown-code",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.RESPONDED, "2099-01-01")),
        f"foi/2021.csv, row {YORK}, column 'Date responded': bad date: '2099-01-01' is after the "
        "latest date (2021-06-01 to 2023-06-01)",
        id="date-in-the-future",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.RESPONDED, "15/05/2021")),
        f"foi/2021.csv, row {YORK}, column 'Date responded': bad date: '15/05/2021' is before the "
        "request was sent (2021-06-01 to 2023-06-01)",
        id="answered-before-the-request",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.SENT, "31/02/2021")),
        f"foi/2021.csv, row {YORK}, column 'Date sent': bad date: '31/02/2021' is not a date in a "
        "known format (e.g. 2021-06-14, 14/06/2021)",
        id="impossible-date",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.ADULTS, "lots")),
        f"foi/2021.csv, row {YORK}, column 'Adults in treatment': bad count: 'lots' is not a "
        "count (write e.g. 1234, 'approx 200', '<5', 'not held')",
        id="non-numeric-count",
    ),
    pytest.param(
        "2021",
        csv_cells((YORK, foi.WOMEN, "-12")),
        f"foi/2021.csv, row {YORK}, column 'Women in treatment': bad count: '-12' is negative",
        id="negative-count",
    ),
    pytest.param(
        "2021",
        csv_cells((NEWCASTLE, foi.ADULTS, "n/k"), (YORK, foi.ADULTS, "-1")),
        "foi/2021.csv: 2 bad counts:\n"
        f"  row {NEWCASTLE}, column 'Adults in treatment': 'n/k' is not a count (write e.g. "
        "1234, 'approx 200', '<5', 'not held')\n"
        f"  row {YORK}, column 'Adults in treatment': '-1' is negative",
        id="every-bad-cell-listed",
    ),
    pytest.param(
        "2021",
        duplicate_york("02 July 2021"),
        f"foi/2021.csv, row {YORK}, column 'Date responded': unsettled duplicate: E06000014 "
        f"appears in rows [{YORK}, 157] and latest_response cannot choose between them (missing "
        "or equal response dates)",
        id="duplicate-the-rule-cannot-settle",
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


def test_a_response_date_after_the_run_date_stops(tmp_path: Path, monkeypatch) -> None:
    class RunDay(date):
        @classmethod
        def today(cls) -> date:
            return date(2021, 8, 13)  # the latest response date in the 2021 round

    monkeypatch.setattr("pipeline.foi.clean.date", RunDay)  # the date clean_rounds runs on
    raw = kit.raw_copy(tmp_path)
    csv_cells((YORK, foi.RESPONDED, "2021-08-20"))(raw)
    with pytest.raises(InputError) as caught:
        kit.clean_foi(raw, ["2021"])
    assert str(caught.value) == (
        f"foi/2021.csv, row {YORK}, column 'Date responded': bad date: '2021-08-20' is after the "
        "latest date (2021-06-01 to 2021-08-13)"
    )
