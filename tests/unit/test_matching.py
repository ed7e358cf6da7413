"""The matcher never guesses a wrong authority: names that differ by a compass word, typos of
initialisms, abolished and new authorities, and every one-letter typo of every ONS name.

Codes are the ONS GSS codes of the authorities named.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from pipeline import geography as geo
from pipeline.geography import names as geography_names
from pipeline.survey.areas import ADVICE, split_areas

REF = Path(__file__).resolve().parents[2] / "data" / "reference"
CUMBRIA, CUMBERLAND, WESTMORLAND = "E10000006", "E06000063", "E06000064"
NORTHANTS, NORTH_NORTHANTS, WEST_NORTHANTS = "E10000021", "E06000061", "E06000062"


@pytest.fixture(scope="module")
def matchers() -> dict[int, geo.Matcher]:
    return {year: geo.Matcher.from_reference(REF, year, fuzzy_threshold=90) for year in geo.YEARS}


@pytest.mark.parametrize("year", [2021, 2023])
@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Cheshire West", "E06000050"),  # Cheshire West and Chester, not Cheshire East
        ("West Cheshire", "E06000050"),
        ("Cheshire West Council", "E06000050"),
        ("Kingston Thames", "E09000021"),  # every word typed is a word of one name
        ("NorthEast Lincolnshire", "E06000012"),  # not North Lincolnshire E06000013
        ("Northeast Lincolnshire", "E06000012"),
        ("North Eas Lincolnshire", "E06000012"),  # "eas" is one edit from "east" alone
        ("Bath and NE Somerset", "E06000022"),
        ("Soutth Gloucestershire", "E06000025"),  # one edit from "south" alone
        ("Est Sussex", None),  # East or West Sussex
        ("E ssex", None),  # Essex with a space, not "East Sussex" less a letter
        ("Barnes", None),  # in Richmond upon Thames; a typo of "BANES" is no evidence
        ("Brdford", None),  # one edit from Bedford and from Bradford
        ("Chester", None),  # one word of a longer name is too little
        ("Cornwall and Isles of Scilly", None),  # two authorities
        ("Leicester City", "E06000016"),
        ("Derby City", "E06000015"),
        ("Nottingham City", "E06000018"),
        ("Hull City", "E06000010"),
        ("Bristol City", "E06000023"),
        ("Salford City", "E08000006"),
    ],
)
def test_names_match_their_authority_or_stop(matchers: dict, year: int, value: str, code):
    got = matchers[year].match(value)
    assert got.la_code == code, got
    assert (got.problem is None) == (code is not None)


def test_a_match_by_words_reports_the_score_it_was_accepted_on(matchers: dict) -> None:
    # every word of "West Cheshire" is a word of "Cheshire West and Chester": a full word
    # match, not the 68 token_sort_ratio below the threshold that was reported before
    got = matchers[2023].match("West Cheshire")
    assert (got.la_code, got.method, got.score) == ("E06000050", "fuzzy", 100.0)
    assert got.candidates == (("E06000050", "Cheshire West and Chester", 100.0),)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Stockton\u2013on\u2013Tees", "E06000004"),  # en dashes
        ("Southend\u2011on\u2011Sea", "E06000033"),  # non-breaking hyphens
        ("Newcastle\u2010upon\u2010Tyne", "E08000021"),  # Unicode hyphens
        ("Kingston upon Hull \u2014 City Council", "E06000010"),  # an em dash
        ("St Helen\u2019s", "E08000013"),  # a curly apostrophe
        ("Telford \uff06 Wrekin", "E06000020"),  # a full-width ampersand
        ("Hammersmith & Fulham\u200b", "E09000013"),  # a zero-width space
        ("Windsor and Maidenhead Royal Borough", "E06000040"),
        ("City of London Corp", "E09000001"),
    ],
)
def test_unicode_punctuation_and_council_words_read_as_typed(matchers, value: str, code: str):
    got = matchers[2023].match(value)
    assert (got.la_code, got.method) == (code, "alias"), got


def test_a_split_county_is_a_problem_for_one_response_but_served_by_each_successor(matchers):
    m23 = matchers[2023]
    for value, successors in (
        ("Cumbria", [CUMBERLAND, WESTMORLAND]),
        ("Cumbria County Council", [CUMBERLAND, WESTMORLAND]),
        (CUMBRIA, [CUMBERLAND, WESTMORLAND]),
        ("Northants CC", [NORTH_NORTHANTS, WEST_NORTHANTS]),
        (NORTHANTS, [NORTH_NORTHANTS, WEST_NORTHANTS]),
    ):
        assert m23.match(value).la_code is None and m23.match(value).problem is not None
        served = m23.served(value)
        assert [m.la_code for m in served] == successors, value
        assert {m.problem for m in served} == {None}
    assert {m.method for m in m23.served(CUMBRIA)} == {"code_successor"}
    assert {m.method for m in m23.served("Cumbria")} == {"alias"}


@pytest.mark.parametrize(
    ("year", "name", "code"),
    [
        (2023, "Cumbria", CUMBRIA),
        (2021, "Northamptonshire", NORTHANTS),
        (2019, "Cumberland", CUMBERLAND),
    ],
)
def test_an_authority_of_another_year_is_the_same_problem_by_name_or_code(
    matchers, year: int, name: str, code: str
):
    by_name, by_code = matchers[year].match(name), matchers[year].match(code)
    assert by_name.problem == by_code.problem == "ambiguous_successor"
    assert by_name.candidates == by_code.candidates
    assert by_name.described == "an authority of another year, not one of this year's"


def test_a_later_authority_on_an_earlier_geography_is_served_as_the_county_it_was_part_of(
    matchers,
):
    for year, values, county in (
        (2021, ("Cumberland", "Westmorland and Furness", CUMBERLAND), CUMBRIA),
        (2019, ("North Northamptonshire", WEST_NORTHANTS), NORTHANTS),
    ):
        for value in values:
            assert matchers[year].match(value).la_code is None  # not one response's authority
            assert [m.la_code for m in matchers[year].served(value)] == [county]
    assert matchers[2021].served("E06000065")[0].la_code == "E10000023"  # a recode


@pytest.mark.parametrize(
    ("value", "code", "problem"),
    [
        ("Leeds City Council (Adult Social Care)", "E08000035", None),
        ("Public Health - Wirral", "E08000015", None),
        ("Wirral Council Public Health Team", "E08000015", None),
        ("Public Health Team, Leeds City Council", "E08000035", None),
        ("Commissioning, Durham County Council", "E06000047", None),
        ("Sheffield City Council - Drug and Alcohol Commissioning", "E08000019", None),
        ("Director of Public Health for the Isle of Wight", "E06000046", None),
        ("Bristol, City of (Public Health)", "E06000023", None),  # "City of" stays the name's
        ("Newcastle (Public Health)", None, "ambiguous"),  # the council's name decides
        ("Kingston Council - Adult Social Care", None, "ambiguous"),
        ("Cumbria County Council Public Health", None, "ambiguous_successor"),
        ("Public Health Dorset", None, "ambiguous"),  # shared by BCP and Dorset councils
        ("Dorset Council Public Health Team", None, "ambiguous"),
        ("Public Health England", None, "unmatched"),  # not a council
        ("Department of Health and Social Care", None, "unmatched"),
        ("Public Health", None, "unmatched"),
        ("Public Health, Cornwall and Isles of Scilly", None, "unmatched"),
        ("Leeds Teaching Hospitals NHS Trust", None, "unmatched"),
        ("Chester Public Health", None, "unmatched"),
        ("Richmond (North Yorkshire)", None, "unmatched"),  # only department words are dropped
        ("Cornwall (inc. Isles of Scilly)", None, "unmatched"),
    ],
)
def test_a_department_or_team_is_read_as_its_council(matchers, value, code, problem) -> None:
    got = matchers[2023].match(value)
    assert (got.value, got.la_code, got.problem) == (value, code, problem)
    if code:
        assert got.method == "alias"


def test_no_department_word_is_a_word_of_an_authoritys_name() -> None:
    table = geo.aliases(REF)
    names = table.loc[table["kind"] != "shared_service", "alias_norm"]
    assert not {w for n in names for w in n.split()} & geography_names._DEPARTMENT


def test_a_department_and_its_council_typed_as_two_areas_are_one(matchers: dict) -> None:
    cell = split_areas(
        "Public Health Team, Leeds City Council; Wirral", ";,", matchers[2023].served
    )
    assert [(a.la_code, a.problem) for a in cell] == [("E08000035", None), ("E08000015", None)]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Kensington", "E09000020"),  # the first part of a double name, unique to one authority
        ("Windsor", "E06000040"),
        ("Barking", "E09000002"),
        ("Hammersmith", "E09000013"),
        ("Cheshire West", "E06000050"),
        ("Westmorland", "E06000064"),
        ("Scilly", "E06000053"),  # an island without "Isles of"
        ("Wight", "E06000046"),
        ("Cheshire W & C", "E06000050"),  # initials for part of the name
        ("CW&C", "E06000050"),
        ("Chelsea", None),  # a second part: "Chester" of Cheshire West and Chester is no name
        ("Maidenhead", None),
        ("Furness", None),
        ("Kensingtn", None),  # a part of a name mistyped is no evidence
        ("Scily", None),
    ],
)
def test_a_part_of_a_name_matches_as_typed_when_it_is_one_authoritys(matchers, value, code):
    got = matchers[2023].match(value)
    assert (got.la_code, got.problem is None) == (code, code is not None), got
    assert got.method == ("alias" if code else None)


def test_a_part_of_a_name_of_another_year_is_that_authority_of_another_year(matchers) -> None:
    got = matchers[2021].match("Westmorland")  # Westmorland and Furness, from 2023
    assert (got.la_code, got.problem, got.covering) == (None, "ambiguous_successor", (CUMBRIA,))


@pytest.mark.parametrize(
    ("year", "value", "code"),
    [
        (2019, "E06000028", "E06000058"),  # Bournemouth, in BCP since April 2019
        (2023, "E06000029", "E06000058"),  # Poole
        (2021, "E07000048", "E06000058"),  # Christchurch, a district of Dorset county
        (2023, "E07000052", "E06000059"),  # West Dorset, in Dorset (unitary) since 2019
        (2021, "E06000048", "E06000057"),  # Northumberland, recoded in 2013
        (2023, "e08000020", "E08000037"),  # Gateshead, recoded in 2013
        (2021, "E07000004", "E06000060"),  # Aylesbury Vale, in Buckinghamshire since 2020
        (2023, "E07000026", "E06000063"),  # Allerdale, in Cumberland since 2023
        (2023, "E07000190", "E06000066"),  # Taunton Deane, via Somerset West and Taunton
    ],
)
def test_a_code_out_of_use_matches_the_authority_that_has_its_area(matchers, year, value, code):
    got = matchers[year].match(value)
    assert (got.la_code, got.method, got.problem) == (code, "code_successor", None)


def test_a_code_out_of_use_whose_area_is_split_or_inside_a_county_stops(matchers) -> None:
    for year in geo.YEARS:  # Dorset county: Christchurch went to BCP, the rest to Dorset
        got = matchers[year].match("E10000009")
        assert (got.la_code, got.problem) == (None, "ambiguous_successor")
        assert [c for c, _, _ in got.candidates] == ["E06000058", "E06000059"]
        # BCP also took in Bournemouth and Poole: not counted as served for Dorset county
        assert [m.problem for m in matchers[year].served("E10000009")] == ["ambiguous_successor"]
    for year, value in (
        (2021, "E07000190"),  # Taunton Deane: then in a district of Somerset county
        (2019, "E07000004"),  # Aylesbury Vale: then a district of Buckinghamshire county
        (2021, "E07000026"),  # Allerdale: then a district of Cumbria
        (2023, "E07000201"),  # Forest Heath: merged into West Suffolk, a district
        (2023, "E07000097"),  # East Hertfordshire's code before 2014: a district
    ):
        got = matchers[year].match(value)
        assert (got.la_code, got.problem) == (None, "unmatched"), (year, value)


def test_an_abolished_district_stays_unmatched(matchers: dict) -> None:
    # Christchurch was a district of Dorset (merged into BCP in 2019): its code matches BCP,
    # its name, like any district's, nothing
    for value in ("Christchurch", "Christchurch Borough Council", "Carlisle City Council"):
        assert matchers[2023].served(value)[0].problem == "unmatched"


def test_areas_served_expand_a_split_county_and_never_join_into_a_guess(matchers: dict):
    m23 = matchers[2023]
    cell = split_areas("Cumbria; Leeds", ";,", m23.served)
    assert [a.la_code for a in cell] == [CUMBERLAND, WESTMORLAND, "E08000035"]
    # "Chester" alone is not matched, and nothing here is Cheshire East (E06000049)
    cell = split_areas("Cheshire West, Chester", ";,", m23.served)
    assert [(a.la_code, a.problem) for a in cell] == [("E06000050", None), (None, "unmatched")]
    # two names are joined only into an exact name: Hull and Kingston upon Thames stay two
    assert [a.la_code for a in split_areas("Hull, Kingston", ";,", m23.served)] == [
        "E06000010",
        None,
    ]


@pytest.mark.parametrize(
    "typed", ["National", "England-wide", "All of England", "UK wide", "nationwide", "ENGLAND"]
)
def test_a_national_organisation_serves_every_authority(matchers: dict, typed: str) -> None:
    # England had 152 upper-tier authorities in 2021 and 153 from April 2023 (ONS)
    for year, count in ((2021, 152), (2023, 153)):
        cell = split_areas(f"{typed}; Leeds", ";,", matchers[year].served)
        assert len({a.la_code for a in cell}) == count and {a.problem for a in cell} == {None}
        assert {a.method for a in cell} == {"national", "alias"}
    # a place called after the country is not the country: no guess, as before
    assert matchers[2023].served("New England")[0].la_code is None


def test_each_problem_of_an_area_served_has_its_own_advice(matchers: dict) -> None:
    m19 = matchers[2019]
    for value, problem in (("Narnia", "unmatched"), ("Kingston", "ambiguous")):
        assert [m.problem for m in m19.served(value)] == [problem]
    assert "alias" in ADVICE["unmatched"] and "alias" not in ADVICE["ambiguous"]
    assert set(ADVICE) == {"unmatched", "ambiguous", "ambiguous_successor"}


def _typos(name: str) -> set[str]:
    """Every one-character deletion, transposition, substitution and insertion of `name`."""
    out = set()
    for i in range(len(name) + 1):
        out.add(name[:i] + name[i + 1 :])
        out.add(name[:i] + name[i + 1 : i + 2] + name[i : i + 1] + name[i + 2 :])
        for c in string.ascii_lowercase + " ":
            out |= {name[:i] + c + name[i + 1 :], name[:i] + c + name[i:]}
    return out - {name}


@pytest.mark.slow
@pytest.mark.parametrize("year", geo.YEARS)
def test_no_one_letter_typo_of_an_ons_name_matches_a_wrong_authority(matchers, year: int):
    """Unmatched or ambiguous is fine; another authority only if the typo is its exact alias
    ("Hertfordshire" for "Herefordshire")."""
    m = matchers[year]
    table = geo.aliases(REF)
    named = table[table["geography_year"] == year].groupby("alias_norm")["la_code"].agg(set)
    wrong = [
        (name, typo, got.la_code)
        for code, name in geo.authorities(REF, year)[["la_code", "la_name"]].itertuples(False)
        for typo in sorted(_typos(name))
        if (got := m.match(typo)).la_code not in (None, code)
        and got.la_code not in named.get(geo.normalise_name(typo), ())
    ]
    assert not wrong, wrong
