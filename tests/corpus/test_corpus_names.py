"""Authority names as councils title themselves (council_spellings.csv), through the matcher.

Each row gives a spelling, the geography year it is matched in, and what must come out: a GSS
code, "ambiguous" (stop, offering the candidates), "ambiguous_successor" (an authority of
another year that is not one of this year's: stop, offering this year's) or "unmatched". The
spellings were written from councils' own websites, letterheads and FOI disclosure logs, not
from the alias generator; `form` names the kind of spelling (abbreviation, london_borough, ...).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from pipeline import geography as geo

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data" / "reference"
CORPUS = Path(__file__).with_name("council_spellings.csv")
THRESHOLD = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["foi"][
    "fuzzy_threshold"
]
STOPS = ("ambiguous", "ambiguous_successor", "unmatched")


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


ROWS = _rows()


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[dict[str, str], geo.Match]]:
    """Every corpus row with the matcher's answer for it."""
    matchers = {year: geo.Matcher.from_reference(REFERENCE, year, THRESHOLD) for year in geo.YEARS}
    return [(row, matchers[int(row["geography_year"])].match(row["spelling"])) for row in ROWS]


def test_corpus_is_well_formed() -> None:
    assert len(ROWS) >= 160
    assert len({(r["spelling"], r["geography_year"]) for r in ROWS}) == len(ROWS)
    codes = {year: set(geo.authorities(REFERENCE, year)["la_code"]) for year in geo.YEARS}
    for row in ROWS:
        year, expected = int(row["geography_year"]), row["expected_code"]
        assert year in geo.YEARS, row
        assert expected in STOPS or expected in codes[year], row
    forms = {r["form"] for r in ROWS}
    assert {"abbreviation", "london_borough", "ambiguous", "unmatched"} <= forms


def test_every_spelling_gives_its_expected_outcome(outcomes: list) -> None:
    wrong = []
    for row, got in outcomes:
        expected = row["expected_code"]
        if expected == "ambiguous":
            ok = got.la_code is None and got.problem == expected and len(got.candidates) > 1
        elif expected == "ambiguous_successor":  # a later unitary's candidate is its county
            ok = got.la_code is None and got.problem == expected and got.candidates
        elif expected == "unmatched":
            ok = got.la_code is None and got.problem == "unmatched"
        else:
            ok = got.la_code == expected and got.problem is None
        if not ok:
            wrong.append(
                (row["spelling"], row["geography_year"], expected, got.la_code, got.problem)
            )
    assert not wrong, "\n".join(map(str, wrong))


def test_no_spelling_is_matched_to_a_wrong_code(outcomes: list) -> None:
    wrong = [
        (row["spelling"], row["expected_code"], got.la_code)
        for row, got in outcomes
        if got.la_code is not None and got.la_code != row["expected_code"]
    ]
    assert not wrong


def test_match_rate(outcomes: list, capsys: pytest.CaptureFixture[str]) -> None:
    """The share of spellings with a code that are matched to it, overall and by form."""
    by_form: dict[str, list[bool]] = {}
    for row, got in outcomes:
        if row["expected_code"] not in STOPS:
            by_form.setdefault(row["form"], []).append(got.la_code == row["expected_code"])
    hits = [hit for form in by_form.values() for hit in form]
    with capsys.disabled():
        print(f"\ncorpus match rate: {sum(hits)}/{len(hits)} = {sum(hits) / len(hits):.1%}")
        for form, got in sorted(by_form.items()):
            print(f"  {form:<14} {sum(got)}/{len(got)}")
    assert all(hits)
