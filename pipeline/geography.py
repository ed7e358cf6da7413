"""The reference geography of England's upper-tier local authorities (UTLAs).

Builds small tidy tables (authorities, successors, covariates, population, aliases, hexes,
NDTMS totals) from the public source files, reads them back, and matches LA names and
codes as typed to GSS codes. The tables and the build method are described in
data/reference/PROVENANCE.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import xlrd
from rapidfuzz import fuzz, process

from pipeline.readers import InputError

log = logging.getLogger(__name__)

YEARS = (2019, 2021, 2023)  # geography years: April 2019, April 2021, April 2023
ENGLAND = "E92000001"
LA_TYPES = {
    "E06": "unitary",
    "E08": "metropolitan_district",
    "E09": "london_borough",
    "E10": "county",
}
GSS_LIKE = re.compile(r"^[EWSNK]\d{8}$")
ADULT_AGES = [str(a) for a in range(18, 90)] + ["90+"]

# Source file names inside the sources folder (see data/reference/PROVENANCE.md).
LTLA_UTLA = {
    2019: (
        "Lower_Tier_Local_Authority_to_Upper_Tier_Local_Authority_(December_2019)"
        "_Lookup_in_England_and_Wales.csv"
    ),
    2021: (
        "Lower_Tier_Local_Authority_to_Upper_Tier_Local_Authority_(December_2022)"
        "_Lookup_in_England_and_Wales.csv"
    ),
    2023: (
        "Lower_Tier_Local_Authority_to_Upper_Tier_Local_Authority_(April_2023)"
        "_Lookup_in_England_and_Wales.csv"
    ),
}
LAD_REGION = {
    2021: "Local_Authority_District_to_Region_(December_2022)_Lookup_in_England.csv",
    2023: "Local_Authority_District_to_Region_(December_2023)_Lookup_in_England.csv",
}
IMD_UPPER = "File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx"
IMD_LOWER = "File_10_-_IoD2019_Local_Authority_District_Summaries__lower-tier__.xlsx"
MYE = {  # mid-year -> (file, geography year of its codes)
    2019: ("ukmidyearestimates20192020ladcodes.xls", 2019),
    2020: ("ukpopestimatesmid2020on2021geography.xls", 2021),
    2021: ("ukpopestimatesmid2021on2021geographyfinal.xls", 2021),
    2022: ("mye22final.xlsx", 2023),
    2023: ("mye23tablesew.xlsx", 2023),
}
POP_YEAR = {2019: 2019, 2021: 2021, 2023: 2023}  # geography year -> mid-year used as covariate
HEX_UTLA_2019 = "uk-upper-tier-local-authorities.hexjson"
HEX_LAD = {
    2021: "uk-local-authority-districts-2021.hexjson",
    2023: "uk-local-authority-districts-2023.hexjson",
}
NDTMS = "ViewIt Export Data_England.csv"
SOURCE_FILES = (
    *LTLA_UTLA.values(), *LAD_REGION.values(), IMD_UPPER, IMD_LOWER,
    *(file for file, _ in MYE.values()), HEX_UTLA_2019, *HEX_LAD.values(), NDTMS,
)  # fmt: skip

# The new unitary authorities of each reorganisation and the districts each took over (from
# the statutory orders; checked against the lookups when building), keyed by the first
# geography year in which they exist.
NEW_UNITARIES: dict[int, dict[str, str]] = {
    2021: {
        "E06000060": "E07000004 E07000005 E07000006 E07000007",  # Buckinghamshire (2020)
        "E06000061": "E07000150 E07000152 E07000153 E07000156",  # North Northamptonshire
        "E06000062": "E07000151 E07000154 E07000155",  # West Northamptonshire
    },
    2023: {
        "E06000063": "E07000026 E07000028 E07000029",  # Cumberland
        "E06000064": "E07000027 E07000030 E07000031",  # Westmorland and Furness
        # North Yorkshire
        "E06000065": "E07000163 E07000164 E07000165 E07000166 E07000167 E07000168 E07000169",
        "E06000066": "E07000187 E07000188 E07000189 E07000246",  # Somerset
    },
}
DISTRICT_SUCCESSORS = {
    year: {district: new for new, districts in units.items() for district in districts.split()}
    for year, units in NEW_UNITARIES.items()
}

# Short forms in common use that the variant rules cannot derive. Kept small on purpose.
SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "BCP": ("E06000058",),
    "BANES": ("E06000022",),
    "Bath": ("E06000022",),
    "Blackburn": ("E06000008",),
    "Brighton": ("E06000043",),
    "Durham": ("E06000047",),
    "East Riding": ("E06000011",),
    "Hull": ("E06000010",),
    "North Northants": ("E06000061",),
    "Redcar": ("E06000003",),
    "Telford": ("E06000020",),
    "West Northants": ("E06000062",),
    # Newcastle-under-Lyme is a district of Staffordshire, so "Newcastle" alone is ambiguous
    # with Newcastle upon Tyne (whose short form the rules derive).
    "Newcastle": ("E10000028",),
}
# Names of authorities abolished before April 2019, with the authority that replaced them.
FORMER_NAMES: dict[str, str] = {"Bournemouth": "E06000058", "Poole": "E06000058"}

KIND_ORDER = ("code", "ons_name", "variant", "short_form", "former_name")

_PREFIXES = (
    "council of the",
    "london borough of",
    "royal borough of",
    "metropolitan borough of",
    "borough of",
    "county of",
    "city of",
    "the",
)
_SUFFIXES = (
    "metropolitan borough council",
    "metropolitan district council",
    "borough council",
    "county council",
    "city council",
    "district council",
    "council",
    "corporation",
    "county of",
    "city of",
)


# ---------------------------------------------------------------------------- names


def normalise_name(text: str) -> str:
    """A name reduced to its distinctive words, for building aliases and matching.

    Casefolds, strips accents and punctuation, turns & into "and" and "saint"/"st." into
    "st", and drops council-style prefixes and suffixes ("London Borough of", "City of",
    "County Council", ...). "City of London" keeps its "city of".
    """
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\bcity of london\b", "cityoflondon", text)  # not "london"
    words = re.sub(r"\bsaint\b", "st", text).split()
    changed = True
    while changed and words:
        changed = False
        joined = " ".join(words)
        for affix in _PREFIXES:
            if joined.startswith(affix + " "):
                words, changed = joined[len(affix) + 1 :].split(), True
                break
        else:
            for affix in _SUFFIXES:
                if joined.endswith(" " + affix):
                    words, changed = joined[: -len(affix) - 1].split(), True
                    break
    return " ".join(words).replace("cityoflondon", "city of london")


def _variants(name: str, la_type: str) -> list[str]:
    """Other ways of writing an ONS name, by rule (council styles, &, St, long forms)."""
    base = re.sub(r", (City|County) of$", "", name)
    out = [base]
    long_form = re.search(r", (City|County) of$", name)
    if long_form:
        out.append(f"{long_form.group(1)} of {base}")
    out.append(f"{base} Council")
    out += {
        "county": [f"{base} County Council"],
        "london_borough": [] if base == "City of London" else [f"London Borough of {base}"],
        "metropolitan_district": [f"{base} Metropolitan Borough Council"],
    }.get(la_type, [])
    if " and " in base:
        out.append(base.replace(" and ", " & "))
    if "St. " in base:
        out += [base.replace("St. ", "St "), base.replace("St. ", "Saint ")]
    if "-" in base:
        out.append(base.replace("-", " "))
    short = re.split(r" upon |-on-", base)[0]
    if short != base:
        out.append(short)
    return [v for v in dict.fromkeys(out) if v != name]


# ---------------------------------------------------------------------------- reading sources


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError(path, "source file is missing")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    return frame.rename(columns=str.strip)


def _read_json(path: Path) -> dict:
    if not path.exists():
        raise InputError(path, "source file is missing")
    return json.loads(path.read_text(encoding="utf-8"))


def _require(frame: pd.DataFrame, path: Path, columns: Iterable[str]) -> None:
    for column in columns:
        if column not in frame.columns:
            raise InputError(path, "expected column is missing", column=column)


def _header_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


def _sheet(path: Path, sheet: str, first_header: str = "Code") -> pd.DataFrame:
    """One worksheet as a frame, the header being the first row whose first cell matches."""
    if not path.exists():
        raise InputError(path, "source file is missing")
    try:
        if path.suffix == ".xls":
            book = xlrd.open_workbook(path, on_demand=True)
            ws = book.sheet_by_name(sheet)
            rows = [ws.row_values(i) for i in range(ws.nrows)]
            book.release_resources()
        else:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
            book.close()
    except (KeyError, xlrd.XLRDError):
        raise InputError(path, f"workbook has no sheet {sheet!r}") from None
    for i, row in enumerate(rows):
        if row and _header_text(row[0]) == first_header:
            header = [_header_text(c) for c in row]
            body = []
            for r in rows[i + 1 :]:  # the table ends at the first blank row (notes follow)
                if not r or not _header_text(r[0]):
                    break
                body.append(r)
            return pd.DataFrame(body, columns=header)
    raise InputError(path, f"sheet {sheet!r} has no header row starting {first_header!r}")


def _lookup(sources: Path, year: int) -> pd.DataFrame:
    """England's LTLA -> UTLA lookup: ltla_code, la_code, la_name."""
    path = sources / LTLA_UTLA[year]
    frame = _read_csv(path)
    yy = {2019: "19", 2021: "22", 2023: "23"}[year]
    cols = {f"LTLA{yy}CD": "ltla_code", f"UTLA{yy}CD": "la_code", f"UTLA{yy}NM": "la_name"}
    _require(frame, path, cols)
    frame = frame[list(cols)].rename(columns=cols)
    return frame[frame["ltla_code"].str.startswith("E")].reset_index(drop=True)


def _regions(sources: Path, year: int) -> pd.DataFrame:
    """England's LAD -> region lookup: ltla_code, region_code, region_name."""
    path = sources / LAD_REGION[year]
    frame = _read_csv(path)
    yy = {2021: "22", 2023: "23"}[year]
    cols = {f"LAD{yy}CD": "ltla_code", f"RGN{yy}CD": "region_code", f"RGN{yy}NM": "region_name"}
    _require(frame, path, cols)
    return frame[list(cols)].rename(columns=cols)


def _imd(path: Path, code_column: str) -> pd.DataFrame:
    """IoD2019 IMD sheet: code, imd_score, source_rank (header names carry trailing spaces)."""
    frame = pd.read_excel(path, sheet_name="IMD", engine="openpyxl").rename(columns=str.strip)
    cols = {
        code_column: "code",
        "IMD - Average score": "imd_score",
        "IMD - Rank of average score": "source_rank",
    }
    _require(frame, path, cols)
    return frame[list(cols)].rename(columns=cols)


def _mye(path: Path) -> pd.DataFrame:
    """A mid-year estimate workbook: code, geography, {female,persons}_{all,18plus}."""
    parts = []
    for sex, sheet in (("female", "MYE2 - Females"), ("persons", "MYE2 - Persons")):
        frame = _sheet(path, sheet).rename(columns={"Geography1": "Geography"})
        _require(frame, path, ["Code", "Geography", "All ages", *ADULT_AGES])
        ages = frame[["All ages", *ADULT_AGES]].apply(pd.to_numeric, errors="coerce")
        if ages.isna().any().any():
            row, column = ages.isna().stack().idxmax()
            raise InputError(
                path,
                f"sheet {sheet!r}: non-numeric count for {frame['Code'].iloc[row]}",
                column=column,
            )
        parts.append(
            pd.DataFrame(
                {
                    "code": frame["Code"].str.strip(),
                    "geography": frame["Geography"],
                    f"{sex}_all": ages["All ages"].round().astype("int64"),
                    f"{sex}_18plus": ages[ADULT_AGES].sum(axis=1).round().astype("int64"),
                }
            )
        )
    return parts[0].merge(parts[1], on=["code", "geography"], validate="one_to_one")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------- building


def _la_type(code: str) -> str:
    return LA_TYPES[code[:3]]


def _district_to(ltla: str, from_year: int, to_year: int) -> str:
    """The district (or new unitary) code that a from_year district became by to_year."""
    for year in YEARS:
        if from_year < year <= to_year:
            ltla = DISTRICT_SUCCESSORS[year].get(ltla, ltla)
    return ltla


def check_district_successors(lookups: dict[int, pd.DataFrame]) -> None:
    """Check DISTRICT_SUCCESSORS against the lookups: exactly the vanished districts, mapped
    to districts that exist in the next geography."""
    for old, new in zip(YEARS, YEARS[1:], strict=False):
        before, after = set(lookups[old]["ltla_code"]), set(lookups[new]["ltla_code"])
        listed = DISTRICT_SUCCESSORS[new]
        if set(listed) != before - after or not set(listed.values()) <= after:
            raise InputError(
                LTLA_UTLA[new],
                f"districts abolished between {old} and {new} "
                f"are {sorted(before - after)}, but DISTRICT_SUCCESSORS lists "
                f"{sorted(listed)}",
            )


def build_authorities(
    lookups: dict[int, pd.DataFrame], regions: dict[int, pd.DataFrame]
) -> pd.DataFrame:
    """UTLAs per geography year with type and region.

    Regions come from the LAD -> region lookup of the same geography; for 2019 (no such
    file) each 2019 district is followed to its 2021 code and given its December 2022 region.
    """
    out = []
    for year in YEARS:
        districts = lookups[year].copy()
        region_year = 2021 if year == 2019 else year
        districts["lad"] = [_district_to(c, year, region_year) for c in districts["ltla_code"]]
        joined = districts.merge(
            regions[region_year],
            left_on="lad",
            right_on="ltla_code",
            how="left",
            suffixes=("", "_r"),
        )
        if joined["region_code"].isna().any():
            missing = sorted(joined.loc[joined["region_code"].isna(), "lad"])
            raise InputError(LAD_REGION[region_year], f"districts without a region: {missing}")
        las = joined[["la_code", "la_name", "region_code", "region_name"]].drop_duplicates()
        if las["la_code"].duplicated().any():
            split = sorted(las.loc[las["la_code"].duplicated(), "la_code"])
            raise InputError(LTLA_UTLA[year], f"authorities in several regions: {split}")
        las.insert(0, "geography_year", year)
        las.insert(3, "la_type", las["la_code"].map(_la_type))
        out.append(las)
    return pd.concat(out).sort_values(["geography_year", "la_code"]).reset_index(drop=True)


def build_successors(
    lookups: dict[int, pd.DataFrame],
    district_adults: dict[int, pd.Series],
    authorities: pd.DataFrame,
) -> pd.DataFrame:
    """Rows for every authority whose area changed between two geography years.

    Unchanged authorities have no rows (successor_map adds identity rows). The weight is the
    share of the predecessor's adults (from_year mid-year estimate, by district) going to
    each successor; 1 for recodes.
    """
    names = authorities.set_index(["geography_year", "la_code"])["la_name"]
    rows = []
    for i, from_year in enumerate(YEARS):
        for to_year in YEARS[i + 1 :]:
            utla = lookups[to_year].set_index("ltla_code")["la_code"]
            d = lookups[from_year][["ltla_code", "la_code"]].rename(columns={"la_code": "from"})
            d["to"] = [utla[_district_to(c, from_year, to_year)] for c in d["ltla_code"]]
            pairs = d.groupby("from")["to"].agg(lambda s: sorted(set(s)))
            changed = [f for f, to in pairs.items() if to != [f]]
            preds = d.groupby("to")["from"].nunique()
            for f in changed:
                to = pairs[f]
                part = d[d["from"] == f]
                if len(to) == 1:
                    relationship, weights = ("recode" if preds[to[0]] == 1 else "merge"), [1.0]
                else:
                    adults = district_adults[from_year].reindex(part["ltla_code"])
                    if adults.isna().any():
                        raise InputError(
                            MYE[POP_YEAR[from_year]][0],
                            f"no population for districts {sorted(adults[adults.isna()].index)}",
                        )
                    share = adults.groupby(part["to"].to_numpy()).sum() / adults.sum()
                    relationship, weights = "split", [round(float(share[t]), 6) for t in to]
                rows += [
                    {"from_year": from_year, "from_code": f, "from_name": names[(from_year, f)],
                     "to_year": to_year, "to_code": t, "to_name": names[(to_year, t)],
                     "relationship": relationship, "weight": w}
                    for t, w in zip(to, weights, strict=True)
                ]  # fmt: skip
    cols = ["from_year", "from_code", "from_name", "to_year", "to_code"]
    return pd.DataFrame(rows).sort_values(cols).reset_index(drop=True)


def build_population(
    mye: dict[int, pd.DataFrame], authorities: pd.DataFrame, successors: pd.DataFrame
) -> pd.DataFrame:
    """Female and all-person 18+ population per authority for every mid-year file.

    The mid-2019 file is on April 2020 codes; Buckinghamshire's E06000060 is recoded back
    to E10000002 (same area). Each year's authorities must sum to the England row.
    """
    back = successors[
        (successors["relationship"] == "recode")
        & (successors["from_year"] == 2019)
        & (successors["to_year"] == 2021)
    ].set_index("to_code")["from_code"]
    out = []
    for mid_year, frame in mye.items():
        file, geo_year = MYE[mid_year]
        las = frame[frame["code"].str.match(r"^E(06|08|09|10)")].copy()
        if geo_year == 2019:
            las["code"] = las["code"].replace(back.to_dict())
        expected = set(authorities.loc[authorities["geography_year"] == geo_year, "la_code"])
        if set(las["code"]) != expected:
            raise InputError(
                file,
                f"authorities differ from the {geo_year} geography: "
                f"{sorted(set(las['code']) ^ expected)}",
            )
        england = frame[frame["code"] == ENGLAND]
        if len(england) != 1:
            raise InputError(file, f"expected one England row ({ENGLAND})", column="Code")
        for column in ("female_18plus", "persons_18plus"):
            if las[column].sum() != england[column].iloc[0]:
                raise InputError(
                    file,
                    f"{column} of the authorities sums to "
                    f"{las[column].sum()}, England row says "
                    f"{england[column].iloc[0]}",
                )
        out.append(
            pd.DataFrame(
                {
                    "mid_year": mid_year,
                    "geography_year": geo_year,
                    "la_code": las["code"],
                    "pop_female_18plus": las["female_18plus"],
                    "pop_adult_18plus": las["persons_18plus"],
                }
            )
        )
    return pd.concat(out).sort_values(["mid_year", "la_code"]).reset_index(drop=True)


def reaggregate_imd(
    district_scores: pd.Series, weights: pd.Series, membership: pd.Series
) -> pd.Series:
    """Weighted mean of district IMD average scores per authority.

    Parameters
    ----------
    district_scores, weights
        Indexed by district code.
    membership
        Authority code, indexed by district code.
    """
    frame = pd.DataFrame(
        {
            "score": district_scores.reindex(membership.index),
            "weight": weights.reindex(membership.index),
            "la_code": membership,
        }
    )
    if frame[["score", "weight"]].isna().any().any():
        missing = sorted(frame.index[frame[["score", "weight"]].isna().any(axis=1)])
        raise ValueError(f"no IMD score or population weight for districts {missing}")
    frame["product"] = frame["score"] * frame["weight"]
    sums = frame.groupby("la_code")[["product", "weight"]].sum()
    return sums["product"] / sums["weight"]


def build_covariates(
    imd_upper: pd.DataFrame,
    imd_lower: pd.DataFrame,
    district_population: pd.Series,
    lookups: dict[int, pd.DataFrame],
    authorities: pd.DataFrame,
    successors: pd.DataFrame,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """IMD 2019 average score and rank plus adult population per authority and year.

    Authorities that exist in 2019 (or are a recode of one) take the File 11 score; new
    authorities formed by splitting a county take the mean of their 2019 districts' File 10
    scores weighted by the districts' mid-2019 total population. Ranks are within each year.
    """
    upper = imd_upper.set_index("code")["imd_score"]
    lower = imd_lower.set_index("code")["imd_score"]
    out = []
    for year in YEARS:
        codes = authorities.loc[authorities["geography_year"] == year, "la_code"]
        recode = successors[
            (successors["from_year"] == 2019)
            & (successors["to_year"] == year)
            & (successors["relationship"] == "recode")
        ]
        score = upper.rename(index=dict(zip(recode["from_code"], recode["to_code"], strict=True)))
        missing = sorted(set(codes) - set(score.index))
        if missing:
            utla = lookups[year].set_index("ltla_code")["la_code"]
            d19 = lookups[2019]["ltla_code"].to_numpy()
            membership = pd.Series([utla[_district_to(c, 2019, year)] for c in d19], index=d19)
            membership = membership[membership.isin(missing)]
            score = pd.concat([score, reaggregate_imd(lower, district_population, membership)])
        score = score.reindex(codes.to_numpy()).round(3)
        if score.isna().any():
            raise InputError(IMD_UPPER, f"no IMD score for {sorted(score[score.isna()].index)}")
        pop = population[population["mid_year"] == POP_YEAR[year]].set_index("la_code")
        out.append(
            pd.DataFrame(
                {
                    "geography_year": year,
                    "la_code": codes.to_numpy(),
                    "imd_score": score.to_numpy(),
                    "imd_rank": score.rank(ascending=False, method="min")
                    .astype("int64")
                    .to_numpy(),
                    "pop_year": POP_YEAR[year],
                    "pop_female_18plus": pop["pop_female_18plus"].reindex(codes).to_numpy(),
                    "pop_adult_18plus": pop["pop_adult_18plus"].reindex(codes).to_numpy(),
                }
            )
        )
    return pd.concat(out).sort_values(["geography_year", "la_code"]).reset_index(drop=True)


def build_aliases(authorities: pd.DataFrame, successors: pd.DataFrame) -> pd.DataFrame:
    """Names under which each authority may be written, per geography year.

    Kinds: code, ons_name, variant (by rule from the ONS name), short_form (SHORT_FORMS),
    former_name (FORMER_NAMES, and the names of split or renamed predecessors). A
    normalised alias that points at several codes in a year is ambiguous.
    """
    rows = []
    for year, code, name, la_type in authorities[
        ["geography_year", "la_code", "la_name", "la_type"]
    ].itertuples(index=False):
        rows += [(code, code, year, "code"), (name, code, year, "ons_name")]
        rows += [(v, code, year, "variant") for v in _variants(name, la_type)]
    for year in YEARS:
        codes = set(authorities.loc[authorities["geography_year"] == year, "la_code"])
        rows += [
            (alias, c, year, "short_form")
            for alias, cs in SHORT_FORMS.items()
            for c in cs
            if c in codes
        ]
        rows += [(alias, c, year, "former_name") for alias, c in FORMER_NAMES.items() if c in codes]
        earlier = successors[successors["to_year"] == year]
        rows += [
            (n, c, year, "former_name")
            for n, c in zip(earlier["from_name"], earlier["to_code"], strict=True)
        ]
    frame = pd.DataFrame(rows, columns=["alias", "la_code", "geography_year", "kind"])
    frame["alias_norm"] = frame["alias"].map(normalise_name)
    frame["rank"] = frame["kind"].map(KIND_ORDER.index)
    frame = frame.sort_values(["geography_year", "alias", "la_code", "rank"]).drop_duplicates(
        ["geography_year", "alias", "la_code"]
    )
    n_codes = frame.groupby(["geography_year", "alias_norm"])["la_code"].transform("nunique")
    frame["ambiguous"] = n_codes > 1
    cols = ["alias", "alias_norm", "la_code", "geography_year", "kind", "ambiguous"]
    return (
        frame[cols]
        .sort_values(["geography_year", "alias_norm", "la_code", "alias"])
        .reset_index(drop=True)
    )


def _neighbours(q: int, r: int) -> list[tuple[int, int]]:
    """The six neighbours of a hex in an odd-r offset layout."""
    shift = r & 1
    return [
        (q + 1, r),
        (q - 1, r),
        (q - 1 + shift, r - 1),
        (q + shift, r - 1),
        (q - 1 + shift, r + 1),
        (q + shift, r + 1),
    ]


def _xy(q: int, r: int) -> tuple[float, float]:
    return q + 0.5 * (r & 1), r * math.sqrt(3) / 2


def _alignment(
    start: tuple[int, int], hex_: tuple[int, int], towards: tuple[float, float]
) -> float:
    """Cosine between the step start -> hex_ and the direction `towards`."""
    (x0, y0), (x1, y1) = _xy(*start), _xy(*hex_)
    step = (x1 - x0, y1 - y0)
    return (step[0] * towards[0] + step[1] * towards[1]) / (
        math.hypot(*step) * math.hypot(*towards)
    )


def _path_to_free(
    taken: set[tuple[int, int]], start: tuple[int, int], towards: tuple[float, float]
) -> list[tuple[int, int]]:
    """Shortest path of hexes from a neighbour of `start` to the nearest free hex.

    Breadth-first; among equally short paths, first steps closest to `towards` win.
    """
    parent: dict[tuple[int, int], tuple[int, int]] = {start: start}
    frontier = [start]
    while True:
        nxt = []
        for h in frontier:
            fresh = [n for n in _neighbours(*h) if n not in parent]
            for n in sorted(fresh, key=lambda n: (-_alignment(start, n, towards), n)):
                parent[n] = h
                nxt.append(n)
        free = [h for h in nxt if h not in taken]
        if free:
            path = [free[0]]
            while parent[path[0]] != start:
                path.insert(0, parent[path[0]])
            return path
        frontier = nxt


def _split_hex(
    layout: dict[str, tuple[int, int]], old: str, successors_: list[str], lad_layout: dict
) -> dict[str, tuple[int, int]]:
    """Replace a county's hex by hexes for its two successors.

    One successor keeps the hex; the other takes a neighbour, in the direction it lies from
    the first in the LAD layout. If no neighbour is free, the hexes on the shortest path to
    the nearest free hex each shift one step along it. The choice of which successor moves
    minimises the path length, then maximises the alignment; on a tie the first successor
    (the larger adult share) keeps the hex.
    """
    layout = dict(layout)
    start = layout.pop(old)
    taken = {h: c for c, h in layout.items()}
    options = []
    for keep, move in (successors_, successors_[::-1]):
        (xk, yk), (xm, ym) = (_xy(lad_layout[c]["q"], lad_layout[c]["r"]) for c in (keep, move))
        path = _path_to_free(set(taken), start, (xm - xk, ym - yk))
        options.append(
            (len(path), -_alignment(start, path[0], (xm - xk, ym - yk)), keep, move, path)
        )
    _, _, keep, move, path = min(options, key=lambda o: o[:2])
    for src, dst in zip(path, path[1:], strict=False):  # shift along, towards the free end
        layout[taken[src]] = dst
    layout[keep], layout[move] = start, path[0]
    return layout


def build_hexes(
    utla_2019: dict,
    lad_layouts: dict[int, dict],
    successors: pd.DataFrame,
    authorities: pd.DataFrame,
) -> pd.DataFrame:
    """One odd-r hex per authority and year, from the 2019 UTLA layout.

    Recodes keep their hex; a county split in two is handled by _split_hex.
    """
    layout = {c: (h["q"], h["r"]) for c, h in utla_2019["hexes"].items()}
    out = []
    for i, year in enumerate(YEARS):
        if i:
            step = successors[
                (successors["from_year"] == YEARS[i - 1]) & (successors["to_year"] == year)
            ]
            for old, part in step.groupby("from_code"):
                part = part.sort_values(["weight", "to_code"], ascending=[False, True])
                if len(part) == 1:
                    layout[part["to_code"].iloc[0]] = layout.pop(old)
                elif len(part) == 2:
                    layout = _split_hex(
                        layout, old, list(part["to_code"]), lad_layouts[year]["hexes"]
                    )
                else:
                    raise ValueError(f"{old}: splits into more than two are not supported")
        codes = set(authorities.loc[authorities["geography_year"] == year, "la_code"])
        if set(layout) != codes:
            raise InputError(
                HEX_UTLA_2019,
                f"hexes differ from the {year} authorities: {sorted(set(layout) ^ codes)}",
            )
        out += [(year, c, q, r) for c, (q, r) in layout.items()]
    frame = pd.DataFrame(out, columns=["geography_year", "la_code", "q", "r"])
    return frame.sort_values(["geography_year", "la_code"]).reset_index(drop=True)


def build_ndtms(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """England adults in treatment by financial year and sex (all substances, all ages)."""
    cols = [
        "ReportingPeriod_Data",
        "Area_Data",
        "DrugGroup_Data",
        "Gender_Data",
        "AgeGroup_Data",
        "Num_InTreatment_AllInTx",
    ]
    _require(frame, path, cols)
    low = frame[cols[1:5]].apply(lambda s: s.str.strip().str.casefold())
    keep = (
        (low["Area_Data"] == "england")
        & (low["DrugGroup_Data"] == "total")
        & (low["AgeGroup_Data"] == "total")
    )
    out = pd.DataFrame(
        {
            "financial_year": frame.loc[keep, "ReportingPeriod_Data"].str.strip(),
            "sex": low.loc[keep, "Gender_Data"].map({"f": "female", "m": "male", "total": "total"}),
            "adults_in_treatment": pd.to_numeric(frame.loc[keep, "Num_InTreatment_AllInTx"]),
        }
    )
    if out["sex"].isna().any() or out.duplicated(["financial_year", "sex"]).any():
        raise InputError(
            path,
            "expected one England all-ages row per year for each of F, M and Total",
            column="Gender_Data",
        )
    return out.sort_values(["financial_year", "sex"]).reset_index(drop=True)


def _write(frame: pd.DataFrame, path: Path) -> None:
    """Deterministic CSV: UTF-8 without BOM, \\n line endings, booleans as true/false."""
    frame = frame.copy()
    for column in frame.select_dtypes(bool).columns:
        frame[column] = frame[column].map({True: "true", False: "false"})
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    log.info("wrote %s (%d rows)", path, len(frame))


def build_reference(sources: Path, out: Path) -> None:
    """Build every reference table from the public source files into `out`."""
    sources, out = Path(sources), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lookups = {year: _lookup(sources, year) for year in YEARS}
    check_district_successors(lookups)
    regions = {year: _regions(sources, year) for year in LAD_REGION}
    las = build_authorities(lookups, regions)
    mye = {year: _mye(sources / file) for year, (file, _) in MYE.items()}
    district_adults = {g: mye[POP_YEAR[g]].set_index("code")["persons_18plus"] for g in YEARS}
    succ = build_successors(lookups, district_adults, las)
    population = build_population(mye, las, succ)
    covariates = build_covariates(
        _imd(sources / IMD_UPPER, "Upper Tier Local Authority District code (2019)"),
        _imd(sources / IMD_LOWER, "Local Authority District code (2019)"),
        mye[2019].set_index("code")["persons_all"],
        lookups,
        las,
        succ,
        population,
    )
    lad_layouts = {year: _read_json(sources / file) for year, file in HEX_LAD.items()}
    hexes_ = build_hexes(_read_json(sources / HEX_UTLA_2019), lad_layouts, succ, las)
    ndtms = build_ndtms(_read_csv(sources / NDTMS), sources / NDTMS)
    tables = {
        "local_authorities": las,
        "successors": succ,
        "covariates": covariates,
        "population": population,
        "aliases": build_aliases(las, succ),
        "hexes": hexes_,
        "ndtms_england": ndtms,
    }
    for name, frame in tables.items():
        _write(frame, out / f"{name}.csv")
    for file in SOURCE_FILES:
        log.info("source %s sha256 %s", file, _sha256(sources / file))


# ---------------------------------------------------------------------------- reading tables


def _table(reference_dir: Path, name: str) -> pd.DataFrame:
    path = Path(reference_dir) / f"{name}.csv"
    if not path.exists():
        raise InputError(
            path, "reference table is missing; build it with `python -m pipeline reference`"
        )
    return pd.read_csv(
        path, dtype={c: str for c in ("la_code", "from_code", "to_code")}, keep_default_na=False
    )


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise ValueError(f"geography year must be one of {YEARS} (got {year!r})")


def authorities(reference_dir: Path, year: int) -> pd.DataFrame:
    """The year's UTLAs: la_code, la_name, la_type, region_code, region_name."""
    _check_year(year)
    frame = _table(reference_dir, "local_authorities")
    return (
        frame[frame["geography_year"] == year].drop(columns="geography_year").reset_index(drop=True)
    )


def covariates(reference_dir: Path, year: int) -> pd.DataFrame:
    """IMD 2019 and adult population per authority of the year's geography."""
    _check_year(year)
    frame = _table(reference_dir, "covariates")
    return (
        frame[frame["geography_year"] == year].drop(columns="geography_year").reset_index(drop=True)
    )


def successors(reference_dir: Path) -> pd.DataFrame:
    """Boundary changes between geography years (changed authorities only)."""
    return _table(reference_dir, "successors")


def successor_map(reference_dir: Path, from_year: int, to_year: int) -> pd.DataFrame:
    """Every from_year code with its to_year successor(s): from_code, to_code, relationship,
    weight (unchanged codes map to themselves with relationship "same" and weight 1)."""
    _check_year(from_year)
    _check_year(to_year)
    if to_year < from_year:
        raise ValueError(f"successors run forwards in time (asked {from_year} -> {to_year})")
    codes = authorities(reference_dir, from_year)["la_code"]
    changes = successors(reference_dir)
    changes = changes[(changes["from_year"] == from_year) & (changes["to_year"] == to_year)]
    same = pd.DataFrame(
        {
            "from_code": codes[~codes.isin(changes["from_code"])],
            "to_code": codes[~codes.isin(changes["from_code"])],
            "relationship": "same",
            "weight": 1.0,
        }
    )
    cols = ["from_code", "to_code", "relationship", "weight"]
    return (
        pd.concat([changes[cols], same])
        .sort_values(["from_code", "to_code"])
        .reset_index(drop=True)
    )


def hexes(reference_dir: Path, year: int) -> pd.DataFrame:
    """Hex-map position (odd-r offset q, r) of each authority of the year's geography."""
    _check_year(year)
    frame = _table(reference_dir, "hexes")
    return (
        frame[frame["geography_year"] == year].drop(columns="geography_year").reset_index(drop=True)
    )


def aliases(reference_dir: Path) -> pd.DataFrame:
    """All aliases of all years, with ambiguous as bool."""
    frame = _table(reference_dir, "aliases")
    if frame["ambiguous"].dtype != bool:  # read_csv parses true/false itself unless empty
        frame["ambiguous"] = frame["ambiguous"].astype(str).str.casefold() == "true"
    return frame


# ---------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """The outcome of matching one typed value to an authority."""

    value: str
    la_code: str | None
    method: str | None  # "code" | "code_successor" | "alias" | "fuzzy" | None
    score: float
    candidates: tuple[tuple[str, str, float], ...]
    problem: str | None  # None | "unmatched" | "ambiguous" | "ambiguous_successor"


class Matcher:
    """Matches LA names or GSS codes as typed to the codes of one geography year.

    Fuzzy matching scores normalised names with rapidfuzz's token_sort_ratio: it forgives
    typos and word order but, unlike WRatio or partial_ratio, gives no bonus for a short
    string contained in a longer one ("hull" in "solihull"), which would invite false
    matches between LAs whose names share words.
    """

    def __init__(
        self,
        year: int,
        names: dict[str, str],
        alias_codes: dict[str, list[str]],
        code_routes: dict[str, tuple[tuple[str, ...], bool]],
        fuzzy_threshold: float,
        margin: float = 5.0,
    ):
        self.year, self.names, self.alias_codes = year, names, alias_codes
        self.code_routes, self.fuzzy_threshold, self.margin = code_routes, fuzzy_threshold, margin
        self._choices = list(alias_codes)
        self._memo: dict[str, Match] = {}  # typed values repeat: match each distinct one once

    @classmethod
    def from_reference(
        cls, reference_dir: Path, year: int, fuzzy_threshold: float, margin: float = 5.0
    ) -> Matcher:
        """A matcher for `year` from the committed reference tables.

        `margin` is how far (in score points) the best fuzzy candidate must beat the best
        candidate for a different code.
        """
        _check_year(year)
        names = dict(
            authorities(reference_dir, year)[["la_code", "la_name"]].itertuples(index=False)
        )
        table = aliases(reference_dir)
        table = table[table["geography_year"] == year]
        alias_codes = {k: sorted(set(g)) for k, g in table.groupby("alias_norm")["la_code"]}
        # other years' codes -> (this year's codes, whether the mapping is one-to-one)
        routes: dict[str, tuple[tuple[str, ...], bool]] = {}
        for other in YEARS:
            if other < year:
                m = successor_map(reference_dir, other, year)
                for code, part in m.groupby("from_code"):
                    routes.setdefault(code, (tuple(part["to_code"]), len(part) == 1))
            elif other > year:  # a later code maps back only when it is a recode
                m = successor_map(reference_dir, year, other)
                for code, part in m.groupby("to_code"):
                    recode = len(part) == 1 and part["relationship"].iloc[0] in ("same", "recode")
                    routes.setdefault(code, (tuple(part["from_code"]), recode))
        return cls(year, names, alias_codes, routes, fuzzy_threshold, margin)

    def _candidates(self, codes: Iterable[str], score: float) -> tuple[tuple[str, str, float], ...]:
        return tuple((c, self.names[c], score) for c in codes if c in self.names)

    def match(self, value: str) -> Match:
        """Match one value; never raises (problems are reported in the Match)."""
        text = (
            ""
            if value is None or (isinstance(value, float) and math.isnan(value))
            else str(value).strip()
        )
        if text not in self._memo:
            self._memo[text] = self._match(text)
        return self._memo[text]

    def _match(self, text: str) -> Match:
        code = text.upper()
        if code in self.names:
            return Match(text, code, "code", 100.0, self._candidates([code], 100.0), None)
        if code in self.code_routes:
            route, unique = self.code_routes[code]
            if unique:
                return Match(
                    text, route[0], "code_successor", 100.0, self._candidates(route, 100.0), None
                )
            return Match(
                text, None, None, 0.0, self._candidates(route, 100.0), "ambiguous_successor"
            )
        norm = normalise_name(text)
        if not norm or GSS_LIKE.match(code):
            return Match(text, None, None, 0.0, (), "unmatched")
        if norm in self.alias_codes:
            codes = self.alias_codes[norm]
            if len(codes) == 1:
                return Match(text, codes[0], "alias", 100.0, self._candidates(codes, 100.0), None)
            return Match(text, None, None, 100.0, self._candidates(codes, 100.0), "ambiguous")
        return self._fuzzy(text, norm)

    def _fuzzy(self, text: str, norm: str) -> Match:
        best: dict[str, float] = {}
        for alias, score, _ in process.extract(
            norm, self._choices, scorer=fuzz.token_sort_ratio, limit=None
        ):
            for code in self.alias_codes[alias]:
                best[code] = max(best.get(code, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        candidates = tuple((c, self.names[c], round(s, 1)) for c, s in ranked)
        top = ranked[0][1] if ranked else 0.0
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if top < self.fuzzy_threshold:
            return Match(text, None, None, round(top, 1), candidates, "unmatched")
        if top - runner_up < self.margin:
            return Match(text, None, None, round(top, 1), candidates, "ambiguous")
        return Match(text, ranked[0][0], "fuzzy", round(top, 1), candidates, None)

    def match_many(self, values: Iterable[str]) -> pd.DataFrame:
        """Match each value: value, la_code, method, score, problem, candidates (as text)."""
        rows = []
        for m in map(self.match, values):
            shown = "; ".join(f"{c} {n} ({s:g})" for c, n, s in m.candidates)
            rows.append((m.value, m.la_code, m.method, m.score, m.problem, shown))
        return pd.DataFrame(
            rows, columns=["value", "la_code", "method", "score", "problem", "candidates"]
        )
