"""Unit tests of pipeline.geography against the committed reference tables and tiny fixtures."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline import geography as geo
from pipeline.geography import alias_table, hex_layout, sources
from pipeline.readers import InputError

REF = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def matchers() -> dict[int, geo.Matcher]:
    return {year: geo.Matcher.from_reference(REF, year, fuzzy_threshold=90) for year in geo.YEARS}


# ---------------------------------------------------------------------------- authorities


@pytest.mark.parametrize(("year", "n"), [(2019, 151), (2021, 152), (2023, 153)])
def test_authority_counts(year: int, n: int) -> None:
    las = geo.authorities(REF, year)
    assert len(las) == n
    assert las["la_code"].is_unique
    assert list(las.columns) == ["la_code", "la_name", "la_type", "region_code", "region_name"]


def test_hartlepool_is_in_the_north_east() -> None:
    row = geo.authorities(REF, 2021).set_index("la_code").loc["E06000001"]
    assert (row["la_name"], row["la_type"]) == ("Hartlepool", "unitary")
    assert (row["region_code"], row["region_name"]) == ("E12000001", "North East")


def test_every_authority_has_a_region_and_a_type_matching_its_code() -> None:
    for year in geo.YEARS:
        las = geo.authorities(REF, year)
        assert las["region_code"].str.fullmatch(r"E120000\d\d").all()
        assert (las["region_name"].str.len() > 0).all()
        assert (las["la_code"].str[:3].map(geo.LA_TYPES) == las["la_type"]).all()
    assert geo.authorities(REF, 2023)["region_code"].nunique() == 9


def test_new_unitaries_regions_and_types() -> None:
    las = geo.authorities(REF, 2023).set_index("la_code")
    assert las.loc["E06000063", "region_code"] == "E12000002"  # Cumberland: North West
    assert las.loc["E06000065", "region_code"] == "E12000003"  # North Yorkshire
    assert las.loc["E06000066", "region_code"] == "E12000009"  # Somerset: South West
    las19 = geo.authorities(REF, 2019).set_index("la_code")
    assert las19.loc["E10000002", ["la_type", "region_code"]].tolist() == ["county", "E12000008"]
    assert las19.loc["E10000021", "region_code"] == "E12000004"  # Northants: East Midlands


def test_unknown_year_is_rejected() -> None:
    with pytest.raises(ValueError, match="geography year must be one of"):
        geo.authorities(REF, 2020)


def test_missing_table_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="local_authorities.csv.*reference table is missing"):
        geo.authorities(tmp_path, 2021)


# ---------------------------------------------------------------------------- covariates


def test_blackpool_is_most_deprived_in_2019() -> None:
    cov = geo.covariates(REF, 2019).set_index("la_code")
    assert cov.loc["E06000009", "imd_score"] == pytest.approx(45.039)
    assert cov.loc["E06000009", "imd_rank"] == 1
    assert cov["imd_rank"].idxmax() == cov["imd_score"].idxmin()


def test_covariates_are_complete_and_ranked_within_year() -> None:
    for year in geo.YEARS:
        cov = geo.covariates(REF, year)
        assert len(cov) == len(geo.authorities(REF, year))
        assert not cov.isna().any().any()
        assert sorted(cov["imd_rank"]) == list(range(1, len(cov) + 1))  # no ties
        assert (cov["pop_year"] == geo.POP_YEAR[year]).all()
        assert (cov["pop_female_18plus"] < cov["pop_adult_18plus"]).all()


def test_recodes_keep_the_county_score_and_splits_straddle_it() -> None:
    c19 = geo.covariates(REF, 2019).set_index("la_code")["imd_score"]
    c23 = geo.covariates(REF, 2023).set_index("la_code")["imd_score"]
    assert c23["E06000060"] == c19["E10000002"]
    assert c23["E06000065"] == c19["E10000023"]
    assert c23["E06000066"] == c19["E10000027"]
    for county, parts in (
        ("E10000021", ["E06000061", "E06000062"]),
        ("E10000006", ["E06000063", "E06000064"]),
    ):
        assert min(c23[parts]) < c19[county] < max(c23[parts])


def test_reaggregate_imd_is_a_weighted_mean() -> None:
    scores = pd.Series({"a": 10.0, "b": 20.0, "c": 40.0})
    weights = pd.Series({"a": 1.0, "b": 3.0, "c": 5.0})
    got = geo.reaggregate_imd(scores, weights, pd.Series({"a": "X", "b": "X", "c": "Y"}))
    assert got.to_dict() == {"X": 17.5, "Y": 40.0}
    with pytest.raises(ValueError, match=r"districts \['d'\]"):
        geo.reaggregate_imd(scores, weights, pd.Series({"a": "X", "d": "X"}))


@pytest.mark.parametrize(
    ("mid_year", "female_18plus"),
    [
        (2019, 22_601_514),
        (2020, 22_677_552),
        (2021, 23_119_643),
        (2022, 23_324_090),
        (2023, 23_554_205),
    ],
)
def test_population_sums_to_england(mid_year: int, female_18plus: int) -> None:
    pop = pd.read_csv(REF / "population.csv")
    year = pop[pop["mid_year"] == mid_year]
    assert year["pop_female_18plus"].sum() == female_18plus
    assert len(year) == len(geo.authorities(REF, geo.MYE[mid_year][1]))


# ---------------------------------------------------------------------------- successors


@pytest.mark.parametrize("from_year", [2019, 2021])
def test_successor_map_reaches_2023(from_year: int) -> None:
    m = geo.successor_map(REF, from_year, 2023)
    codes_from = set(geo.authorities(REF, from_year)["la_code"])
    codes_2023 = set(geo.authorities(REF, 2023)["la_code"])
    assert set(m["from_code"]) == codes_from
    assert set(m["to_code"]) == codes_2023
    assert m.groupby("from_code")["weight"].sum().round(6).eq(1).all()


def test_known_boundary_changes() -> None:
    m = geo.successor_map(REF, 2019, 2021).set_index(["from_code", "to_code"])
    assert m.loc[("E10000002", "E06000060"), "relationship"] == "recode"
    assert m.loc[("E10000002", "E06000060"), "weight"] == 1
    assert m.loc[("E06000001", "E06000001"), "relationship"] == "same"
    north, west = (m.loc[("E10000021", c), "weight"] for c in ("E06000061", "E06000062"))
    assert m.loc[("E10000021", "E06000061"), "relationship"] == "split"
    assert 0.4 < north < 0.5 < west and north + west == pytest.approx(1)
    m23 = geo.successor_map(REF, 2021, 2023)
    changed = m23[m23["relationship"] != "same"]
    assert sorted(zip(changed["from_code"], changed["to_code"], strict=True)) == [
        ("E10000006", "E06000063"),
        ("E10000006", "E06000064"),
        ("E10000023", "E06000065"),
        ("E10000027", "E06000066"),
    ]


def test_successor_map_runs_forwards_only() -> None:
    assert (geo.successor_map(REF, 2021, 2021)["relationship"] == "same").all()
    with pytest.raises(ValueError, match="successors run forwards"):
        geo.successor_map(REF, 2023, 2019)


def test_check_district_successors_rejects_a_missing_district() -> None:
    def lookup(codes: list[str]) -> pd.DataFrame:
        return pd.DataFrame({"ltla_code": codes, "la_code": codes, "la_name": codes})

    lookups = {
        2019: lookup(["E07000004", "E07000099"]),
        2021: lookup(["E06000060"]),
        2023: lookup(["E06000060"]),
    }
    with pytest.raises(
        InputError,
        match=r"abolished between 2019 and 2021 are \['E07000004', "
        r"'E07000099'\]",
    ):
        geo.check_district_successors(lookups)


# ---------------------------------------------------------------------------- names and aliases


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bristol, City of", "bristol"),
        ("City of Bristol Council", "bristol"),
        ("Kingston upon Hull, City of", "kingston upon hull"),
        ("Herefordshire, County of", "herefordshire"),
        ("Telford & Wrekin Council", "telford and wrekin"),
        ("St. Helens Borough Council", "st helens"),
        ("Saint Helens", "st helens"),
        ("London Borough of Hammersmith & Fulham", "hammersmith and fulham"),
        ("The Royal Borough of Kensington and Chelsea", "kensington and chelsea"),
        ("Wirral Metropolitan Borough Council", "wirral"),
        ("Durham County Council", "durham"),
        ("Stoke-on-Trent City Council", "stoke on trent"),
        ("City of London Corporation", "city of london"),
        ("  Southend-on-Sea   ", "southend on sea"),
        ("WIGAN M.B.C.", "wigan"),
        ("Stoke on Trent CC", "stoke on trent"),
        ("Barnet London Borough Council", "barnet"),
        ("The Mayor and Burgesses of the London Borough of Camden", "camden"),
        ("RB Kingston upon Thames", "kingston upon thames"),
        ("Co. Durham", "county durham"),
        ("S.t Helens", "s t helens"),  # a typo of "St." stays a typo (matched fuzzily)
        ("Herts County Council", "hertfordshire"),
        ("N.E. Lincs Council", "north east lincolnshire"),
        ("S Glos", "south gloucestershire"),
        ("W. Berks", "west berkshire"),
        ("Notts CC", "nottinghamshire"),
        ("E Sussex County Council", "east sussex"),
        ("Central Beds Council", "central bedfordshire"),
        ("N Yorks", "north yorkshire"),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert geo.normalise_name(text) == expected


# How councils write their own names ({} is the ONS name without ", City of"/", County of").
COUNCIL_FORMS = [f"{{}} {s}" for s in ("MBC", "M.B.C.", "mdc", "BC", "C.C", "DC", "U.A.", "LBC")]
COUNCIL_FORMS += [f"{{}} {s} Council" for s in ("Metropolitan Borough", "Metropolitan District")]
COUNCIL_FORMS += [f"{{}} {s} Council" for s in ("City", "London Borough", "County", "Borough")]
COUNCIL_FORMS += [f"{p} {{}}" for p in ("LB", "LB of", "RB", "London Borough of")]
COUNCIL_FORMS += ["{} Council", "City of {} Council", "Council of the {}", "The {} Council"]
COUNCIL_FORMS += [" {}. ", "Royal Borough of {}", "{} District Council", "{} Unitary Authority"]
COUNCIL_FORMS += ["The Mayor and Burgesses of the London Borough of {}"]


def _council_forms(year: int) -> pd.DataFrame:
    las = geo.authorities(REF, year)
    base = las["la_name"].str.replace(r", (City|County) of$", "", regex=True)
    forms = [pd.DataFrame({"la_code": las["la_code"], "text": las["la_name"]})]
    forms += [
        pd.DataFrame({"la_code": las["la_code"], "text": base.map(f.format)}) for f in COUNCIL_FORMS
    ]
    return pd.concat(forms, ignore_index=True)


@pytest.mark.parametrize("year", geo.YEARS)
def test_every_council_form_normalises_to_the_ons_name(year: int) -> None:
    forms = _council_forms(year)
    names = geo.authorities(REF, year).set_index("la_code")["la_name"].map(geo.normalise_name)
    assert (forms["text"].map(geo.normalise_name) == forms["la_code"].map(names)).all()


@pytest.mark.parametrize("year", geo.YEARS)
def test_no_two_authorities_share_a_normalised_name(year: int) -> None:
    """Names, council forms and aliases of different codes never normalise alike, except the
    aliases declared ambiguous; and normalising a normalised alias changes nothing."""
    table = geo.aliases(REF)
    table = table[table["geography_year"] == year]
    forms = _council_forms(year)
    keys = pd.concat([forms["text"].map(geo.normalise_name), table["alias_norm"]])
    codes = pd.concat([forms["la_code"], table["la_code"]])
    shared = codes.groupby(keys.to_numpy()).nunique()
    declared = set(table.loc[table["ambiguous"], "alias_norm"])
    assert set(shared[shared > 1].index) == declared
    assert (table["alias_norm"].map(geo.normalise_name) == table["alias_norm"]).all()


def test_every_alias_points_at_an_authority_of_its_year() -> None:
    table = geo.aliases(REF)
    kinds = {"code", "ons_name", "variant", "short_form", "initialism", "former_name"}
    kinds |= {"former_code", "name_part", "shared_service"}
    assert set(table["kind"]) == kinds
    for year in geo.YEARS:
        part = table[table["geography_year"] == year]
        assert set(part["la_code"]) == set(geo.authorities(REF, year)["la_code"])
    assert (table["alias"].map(geo.normalise_name) == table["alias_norm"]).all()
    n_codes = table.groupby(["geography_year", "alias_norm"])["la_code"].transform("nunique")
    assert ((n_codes > 1) == table["ambiguous"]).all()


def test_a_part_of_a_name_is_an_alias_only_if_no_other_authority_or_district_has_it() -> None:
    las = pd.DataFrame(
        {
            "geography_year": 2019,
            "la_code": ["E06009991", "E06009992", "E06009993", "E06009994", "E06009995"],
            "la_name": ["Alpha and Beta", "Alpha and Gamma", "Delta and Zeta", "Eta with Theta",
                        "Isles of Iota"],
            "la_type": "unitary",
        }
    )  # fmt: skip
    succ = pd.DataFrame(columns=["to_year", "from_name", "to_code"])
    former = pd.DataFrame(columns=["geography_year", "from_code", "la_code"])
    table = alias_table.build_aliases(las, succ, former, ["Delta Vale", "Delta"])
    parts = table[table["kind"] == "name_part"]
    assert dict(zip(parts["alias"], parts["la_code"], strict=True)) == {
        "Eta": "E06009994",
        "Iota": "E06009995",
    }  # Alpha is two authorities', Delta a district's


def test_ambiguous_aliases() -> None:
    table = geo.aliases(REF)
    amb = table[table["ambiguous"]].groupby(["geography_year", "alias_norm"])["la_code"]
    amb = amb.agg(lambda s: sorted(set(s))).to_dict()
    assert amb[(2021, "newcastle")] == ["E08000021", "E10000028"]
    assert amb[(2019, "kingston")] == ["E06000010", "E09000021"]
    assert amb[(2023, "cumbria")] == ["E06000063", "E06000064"]
    assert (2019, "cumbria") not in amb


# ---------------------------------------------------------------------------- matcher


@pytest.mark.parametrize("year", geo.YEARS)
def test_matcher_finds_every_ons_name_and_alias(matchers: dict, year: int) -> None:
    m = matchers[year]
    for code, name in geo.authorities(REF, year)[["la_code", "la_name"]].itertuples(index=False):
        assert m.match(name).la_code == code, name
    table = geo.aliases(REF)
    table = table[(table["geography_year"] == year) & ~table["ambiguous"]]
    got = m.match_many(table["alias"])
    assert got["la_code"].tolist() == table["la_code"].tolist()
    assert got["problem"].isna().all()


def test_matcher_rules(matchers: dict) -> None:
    m21, m23 = matchers[2021], matchers[2023]
    newcastle = m21.match("Newcastle")
    assert (newcastle.la_code, newcastle.problem) == (None, "ambiguous")
    assert {c for c, _, _ in newcastle.candidates} == {"E08000021", "E10000028"}
    typo = m21.match("Calderdael")
    assert (typo.la_code, typo.method, typo.problem) == ("E08000033", "fuzzy", None)
    assert typo.score == pytest.approx(90.0)
    nonsense = m21.match("Qwertyuiop Zxcv")
    assert (nonsense.la_code, nonsense.problem) == (None, "unmatched") and nonsense.score < 90
    assert m23.match("E10000021").problem == "ambiguous_successor"
    assert m21.match("E10000021").problem == "ambiguous_successor"
    bucks = m21.match("E10000002")
    assert (bucks.la_code, bucks.method) == ("E06000060", "code_successor")
    assert m23.match(" e06000001 ").la_code == "E06000001"
    assert m23.match("E06000001").method == "code"
    assert m23.match("E10000023").la_code == "E06000065"
    assert matchers[2019].match("E06000060").la_code == "E10000002"  # recode, backwards
    assert matchers[2019].match("E06000061").problem == "ambiguous_successor"
    assert m23.match("E07000008").problem == "unmatched"  # a district, not a UTLA


def test_matcher_without_fuzzy_search_matches_only_names_codes_and_aliases(matchers: dict):
    m = matchers[2023]
    assert m.match("Calderdael", fuzzy=False).problem == "unmatched"
    assert m.match("Calderdael").method == "fuzzy"  # the memo keeps the two apart
    assert m.match("Bristol, City of", fuzzy=False).la_code == "E06000023"
    assert m.match("Newcastle", fuzzy=False).problem == "ambiguous"


def test_two_typed_areas_join_only_into_an_exact_name(matchers: dict):
    from pipeline.survey.areas import split_areas

    m = matchers[2023]
    assert [a.la_code for a in split_areas("Bristol, City of; Leeds", ";,", m.served)] == [
        "E06000023",
        "E08000035",
    ]
    # "Leeds, Bradford" is close to no name: both kept, not fuzzily joined
    codes = [a.la_code for a in split_areas("Leeds, Bradford", ";,", m.served)]
    assert codes == ["E08000035", "E08000032"]


def test_council_forms_match_and_stops_still_stop(matchers: dict) -> None:
    m21, m23 = matchers[2021], matchers[2023]
    assert m21.match(" wigan  MBC ").la_code == "E08000010"
    assert m21.match("Hounslow London Borough Council").method == "alias"
    for value, m in (("Northamptonshire CC", m21), ("Cumbria County Council", m23)):
        got = m.match(value)
        assert (got.problem, len(got.candidates)) == ("ambiguous_successor", 2)
    for value in ("Cheltenham BC", "Gloucester City Council", "Carlisle City Council"):
        assert (m21.match(value).la_code, m21.match(value).problem) == (None, "unmatched")


def test_shortened_counties_and_council_initials_match(matchers: dict) -> None:
    m23 = matchers[2023]
    expected = {
        "NE Lincs": "E06000012",  # North East Lincolnshire
        "Herts CC": "E10000015",  # Hertfordshire
        "S Glos Council": "E06000025",  # South Gloucestershire
        "RBWM": "E06000040",  # Windsor and Maidenhead
        "ERYC": "E06000011",  # East Riding of Yorkshire
    }
    assert {value: m23.match(value).la_code for value in expected} == expected
    # districts stay districts: no county is matched for them
    for value in ("E Herts", "S Somerset", "Beds"):
        assert (m23.match(value).la_code, m23.match(value).problem) == (None, "unmatched")


def test_a_typo_of_a_former_county_stops_as_its_successors(matchers: dict) -> None:
    got = matchers[2021].match("Northamptonshre")  # former county, now two unitaries
    assert (got.la_code, got.problem) == (None, "ambiguous_successor")
    assert [c for c, _, _ in got.candidates[:2]] == ["E06000061", "E06000062"]


@pytest.mark.parametrize("value", [None, float("nan"), "", "   ", 123])
def test_matcher_never_raises(matchers: dict, value: object) -> None:
    got = matchers[2023].match(value)
    assert got.la_code is None and got.problem == "unmatched"


def test_match_many_columns(matchers: dict) -> None:
    got = matchers[2023].match_many(["Hull", "Kingston"])
    assert list(got.columns) == ["value", "la_code", "method", "score", "problem", "candidates"]
    assert got.loc[0, "la_code"] == "E06000010" and got.loc[0, "method"] == "alias"
    assert got.loc[1, "problem"] == "ambiguous"
    assert "E09000021 Kingston upon Thames (100)" in got.loc[1, "candidates"]


# ---------------------------------------------------------------------------- hexes


@pytest.mark.parametrize("year", geo.YEARS)
def test_one_unique_hex_per_authority(year: int) -> None:
    hexes = geo.hexes(REF, year)
    assert sorted(hexes["la_code"]) == sorted(geo.authorities(REF, year)["la_code"])
    assert not hexes.duplicated(["q", "r"]).any()


@pytest.mark.parametrize(
    ("year", "a", "b"), [(2021, "E06000061", "E06000062"), (2023, "E06000063", "E06000064")]
)
def test_split_successors_are_neighbours(year: int, a: str, b: str) -> None:
    hexes = geo.hexes(REF, year).set_index("la_code")
    qa, ra = hexes.loc[a, ["q", "r"]]
    assert tuple(hexes.loc[b, ["q", "r"]]) in hex_layout._neighbours(qa, ra)


def test_split_hex_shifts_a_path_when_no_neighbour_is_free() -> None:
    # A county at (1,1) boxed in except for a gap two steps east: (3,1) is free.
    taken = {(q, r) for q in range(0, 4) for r in range(0, 3)} - {(1, 1), (3, 1)}
    layout = {f"L{q}{r}": (q, r) for q, r in taken} | {"C": (1, 1)}
    lad = {"A": {"q": 0, "r": 0}, "B": {"q": 2, "r": 0}}  # B lies east of A
    got = hex_layout._split_hex(layout, "C", ["A", "B"], lad)
    assert (got["A"], got["B"], got["L21"]) == ((1, 1), (2, 1), (3, 1))
    assert len(set(got.values())) == len(got) == len(layout) + 1


# ---------------------------------------------------------------------------- sources


def test_sheet_finds_the_header_and_stops_at_the_notes(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "MYE2 - Females"
    for row in (
        ["Title"],
        [],
        ["Code", "Name", "All ages", 0, "90+"],
        ["E1", "A", 3, 1, 2],
        [],
        ["Note 1. blah"],
    ):
        sheet.append(row)
    book.save(tmp_path / "mye.xlsx")
    got = sources._sheet(tmp_path / "mye.xlsx", "MYE2 - Females")
    assert list(got.columns) == ["Code", "Name", "All ages", "0", "90+"]
    assert got["Code"].tolist() == ["E1"]
    with pytest.raises(InputError, match="mye.xlsx: sheet 'MYE2 - Females' has no header row"):
        sources._sheet(tmp_path / "mye.xlsx", "MYE2 - Females", first_header="Area code")


def test_ndtms_table_and_its_checks(tmp_path: Path) -> None:
    table = pd.read_csv(REF / "ndtms_england.csv").set_index(["financial_year", "sex"])
    assert table.loc[("2021/22", "total"), "adults_in_treatment"] == 289_215
    assert table.loc[("2021/22", "female"), "adults_in_treatment"] == 94_135
    assert table.loc[("2021/22", "male"), "adults_in_treatment"] == 195_080
    raw = pd.DataFrame(
        {
            "ReportingPeriod_Data": ["2021/22"] * 2,
            "Area_Data": "England",
            "DrugGroup_Data": "TOTAL",
            "Gender_Data": ["F", "F"],
            "AgeGroup_Data": "Total",
            "Num_InTreatment_AllInTx": ["1", "2"],
        }
    )
    with pytest.raises(InputError, match="ndtms.csv, column 'Gender_Data': expected one"):
        geo.build_ndtms(raw, tmp_path / "ndtms.csv")
    one = geo.build_ndtms(raw.iloc[:1], tmp_path / "n.csv")
    assert one.to_dict("records") == [
        {"financial_year": "2021/22", "sex": "female", "adults_in_treatment": 1}
    ]


def test_mye_names_a_bad_count_and_a_missing_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "MYE2 - Females"
    book.create_sheet("MYE2 - Persons")
    ages = [str(a) for a in range(91)][:-1] + ["90+"]
    for title in ("MYE2 - Females", "MYE2 - Persons"):
        book[title].append(["Code", "Name", "Geography", "All ages", *ages])
        book[title].append(["E06000001", "Hartlepool", "Unitary", 91, *([1] * 90), "x"])
    book.save(tmp_path / "mye.xlsx")
    with pytest.raises(InputError, match=r"mye.xlsx, column '90\+'.*count for E06000001"):
        sources._mye(tmp_path / "mye.xlsx")
    del book["MYE2 - Persons"]
    book["MYE2 - Females"].cell(row=2, column=95, value=1)
    book.save(tmp_path / "mye.xlsx")
    with pytest.raises(InputError, match="no sheet 'MYE2 - Persons'"):
        sources._mye(tmp_path / "mye.xlsx")


def test_matcher_gives_the_same_answer_for_a_repeated_value(matchers: dict) -> None:
    m = matchers[2021]
    first, again = m.match("Calderdael"), m.match("  Calderdael ")
    assert first == again and first.method == "fuzzy" and first.la_code == "E08000033"
