"""Bad FOI input: every problem of every round file and of the overrides file in one report,
impossible counts against a censored count, duplicates found by a fuzzy match, codes of other
countries and tiers, and typed text redacted before it is published."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import config, foi, geography
from pipeline.errors import InputError
from pipeline.foi.authorities import match_authorities
from pipeline.foi.checks import check_counts
from pipeline.readers import ROW

ROOT = Path(__file__).resolve().parents[2]
PARAMS = config.load(ROOT / "params.yaml").foi
HEADER = "round,la_code,item,answer,reason\n"
BOLTON = "E08000001"  # row 11 of the 2021 example file
PERSONAL = "ring Janet Oduya on 07700 900123 or janet.oduya@example.org"


def _stops(findings: foi.Findings) -> str:
    with pytest.raises(InputError) as exc:
        findings.stop()
    return str(exc.value)


def _no_overrides() -> foi.RoundOverrides:
    return foi.RoundOverrides(pd.DataFrame(columns=[*foi.OVERRIDE_COLUMNS, ROW]), "r", "f.csv")


def _set_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (spreadsheet row number, header) of a CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[row - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _set_xlsx(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell (spreadsheet row number, header in the first rows) of the data sheet."""
    book = openpyxl.load_workbook(path)
    sheet = next(book[n] for n in book.sheetnames if n.lower() not in ("readme", "about"))
    header = next(c for r in sheet.iter_rows(max_row=5) for c in r if c.value == column)
    sheet.cell(row=row, column=header.column).value = value
    book.save(path)


def _example(tmp_path: Path, overrides: str) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "example" / "foi", raw / "foi")
    path = tmp_path / "overrides.csv"
    path.write_text(HEADER + overrides, encoding="utf-8")
    return raw, path


def _clean(raw: Path, overrides: Path, rounds: tuple[str, ...] = ("2021", "2024")):
    specs = [r.model_dump() for r in PARAMS.rounds if r.name in rounds]
    return foi.clean_rounds(
        raw, specs, ROOT / "data/reference", PARAMS.fuzzy_threshold, PARAMS.duplicate_rule,
        overrides,
    )  # fmt: skip


def test_every_file_s_problems_are_reported_at_once(tmp_path: Path) -> None:
    raw, overrides = _example(
        tmp_path,
        "2022,E08000001,women_groups,yes,no such round\n"
        "2021,E08000001,yoga,yes,no such item\n"
        "2021,E08000002,women_groups,maybe,no such answer\n"
        "2021,E08000003,women_groups,yes,\n",
    )
    _set_csv(raw / "foi" / "2021.csv", 5, foi.ADULTS, "n/a")
    _set_xlsx(raw / "foi" / "2024.xlsx", 6, foi.ADULTS, "n/a")
    with pytest.raises(InputError) as exc:
        _clean(raw, overrides)
    message = str(exc.value)
    assert "problems in 3 files" in message
    for line in [
        "foi/2021.csv, row 5, column 'Adults in treatment': bad count: 'n/a' is not a count",
        "foi/2024.xlsx, row 6, column 'Adults in treatment': bad count: 'n/a' is not a count",
        "overrides.csv: 4 bad overrides:",
        "row 2, column 'round': '2022' is not a round being cleaned",
        "row 3, column 'item': 'yoga' is not an item id or field",
        "row 4, column 'answer': 'maybe' is not one of",
        "row 5, column 'reason': every override needs a reason",
    ]:
        assert line in message


def test_a_broken_file_does_not_hide_the_next_one_s_problems(tmp_path: Path) -> None:
    raw, overrides = _example(tmp_path, "")
    path = raw / "foi" / "2021.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[4] = lines[4][:40]  # a row cut short
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _set_xlsx(raw / "foi" / "2024.xlsx", 6, foi.WOMEN, "lots")
    with pytest.raises(InputError) as exc:
        _clean(raw, overrides)
    assert "2021.csv, row 5: row has" in str(exc.value)
    assert "foi/2024.xlsx, row 6, column 'Women in treatment': bad count" in str(exc.value)


def test_typed_text_is_published_redacted(tmp_path: Path) -> None:
    raw, overrides = _example(
        tmp_path, f"2021,{BOLTON},women_spaces,yes,Confirmed by phone on 07700 900123\n"
    )
    path = raw / "foi" / "2021.csv"
    _set_csv(path, 11, foi.ITEM_HEADERS["women_spaces"], f"Available on request - {PERSONAL}")
    _set_csv(path, 11, foi.STATUS, "Provided - queries to janet.oduya@example.org")
    result = _clean(raw, overrides, rounds=("2021",))
    items = result.items.set_index(["la_code", "item"])
    redacted = "Available on request - ring [name] on [phone] or [email]"
    assert items.loc[(BOLTON, "women_spaces"), "answer_raw"] == redacted
    status = result.responses.set_index("la_code").loc[BOLTON, "status_raw"]
    assert status == "Provided - queries to [email]"
    published = foi.applied_overrides(result).iloc[0]
    assert (published["before"], published["reason"]) == (redacted, "Confirmed by phone on [phone]")


def _counts(values: list[str]) -> pd.DataFrame:
    parsed = [foi.parse_count(v) for v in values]
    frame = pd.DataFrame(parsed, columns=["value", "flag", "bound"])
    return frame.astype({"value": "Int64", "flag": "str", "bound": "Int64"})


def test_women_above_a_censored_adults_count_are_impossible() -> None:
    adults, women = ["<5", "<5", "<=5", "300"], ["300", "4", "5", "<5"]
    frame = pd.DataFrame({"la_code": "E1", foi.ADULTS: adults, foi.WOMEN: women, ROW: [2, 3, 4, 5]})
    population = pd.DataFrame({"pop_adult_18plus": [10_000], "pop_female_18plus": [5_000]})
    findings = foi.Findings("f.csv")
    counts = {"adults": _counts(adults), "women": _counts(women)}
    check_counts(frame, counts, population.set_axis(["E1"]), findings, _no_overrides())
    assert _stops(findings) == (
        "f.csv, row 2, column 'Women in treatment': impossible count: "
        "300 women is more than <5 adults in treatment"
    )


def test_a_duplicate_by_a_fuzzy_match_is_reported_not_settled() -> None:
    frame = pd.DataFrame(
        {
            "la_code": ["E06000049", "E06000049"],
            foi.LA: ["Cheshire East", "Cheshire Wesst"],
            "match_method": ["code", "fuzzy"],
            "date_responded": pd.to_datetime(["2021-06-20", "2021-06-25"]),
            ROW: [25, 26],
        }
    )
    findings = foi.Findings("f.csv")
    kept, excluded = foi.settle_duplicates(frame, "latest_response", findings)
    assert len(kept) == 2 and excluded.empty
    assert _stops(findings).startswith(
        "f.csv, row 25, column 'Local authority': duplicate by a fuzzy match: E06000049 is "
        "matched by row 25 'Cheshire East' (code match); row 26 'Cheshire Wesst' (fuzzy match)"
    )


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("W06000001", "not an English upper-tier local authority code: it is a Welsh code"),
        ("S12000033", "it is a Scottish code"),
        ("N09000001", "it is a Northern Irish code"),
        ("E07000008", "it is an English district's code (give its county's)"),
        ("E12000001", "it is an English code of another kind of area"),
        ("E06000999", "'E06000999' is unmatched (no authority comes near it)"),
    ],
)
def test_a_code_of_another_country_or_tier_is_named_as_such(code: str, says: str) -> None:
    matcher = geography.Matcher.from_reference(ROOT / "data/reference", 2021, 90)
    frame = pd.DataFrame({foi.LA: ["Somewhere"], foi.CODE: [code], ROW: [7]})
    findings = foi.Findings("f.csv")
    match_authorities(frame, matcher, findings, _no_overrides())
    assert says in _stops(findings)


@pytest.mark.parametrize("name", ["Total", "TOTALS", "England", "England total", "Grand Total:"])
def test_a_totals_row_is_named_as_such(name: str) -> None:
    matcher = geography.Matcher.from_reference(ROOT / "data/reference", 2021, 90)
    frame = pd.DataFrame({foi.LA: ["Bolton", name], foi.CODE: ["", ""], ROW: [7, 8]})
    findings = foi.Findings("f.csv")
    match_authorities(frame, matcher, findings, _no_overrides())
    assert _stops(findings) == (
        f"f.csv, row 8, column 'Local authority': unmatched authority: {name!r} is a totals "
        "row, not an authority: delete the row"
    )
