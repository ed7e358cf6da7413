"""Build the tidy reference tables in data/reference from the public source files.

The tables and the build method are described in data/reference/PROVENANCE.md.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from pipeline.geography.alias_table import FORMER_CODES, build_aliases
from pipeline.geography.hex_layout import build_hexes
from pipeline.geography.sources import (
    HEX_LAD,
    HEX_UTLA_2019,
    IMD_LOWER,
    IMD_UPPER,
    LAD_REGION,
    LTLA_UTLA,
    MYE,
    NDTMS,
    POP_YEAR,
    SOURCE_FILES,
    _imd,
    _lookup,
    _mye,
    _read_csv,
    _read_json,
    _regions,
    _require,
    _sha256,
)
from pipeline.geography.tables import ENGLAND, LA_TYPES, YEARS
from pipeline.readers import InputError

log = logging.getLogger(__name__)

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


def former_codes(lookups: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """Per geography year, the codes out of use by then whose area lies wholly in that year's
    authorities: geography_year, from_code, la_code. FORMER_CODES (out of use before 2019) and
    the districts of earlier years abolished since are followed through later reorganisations;
    one that ends in a district of the year (inside a county) has no row."""
    rows = []
    for year in YEARS:
        live, utla = set(lookups[year]["ltla_code"]), set(lookups[year]["la_code"])
        gone = {c: (YEARS[0], to) for c, to in FORMER_CODES.items()}
        gone |= {
            c: (y, (c,))
            for y in YEARS
            if y < year
            for c in lookups[y]["ltla_code"]
            if c not in live
        }
        for code, (since, to) in sorted(gone.items()):
            ends = sorted({_district_to(c, since, year) for c in to})
            if set(ends) <= utla:
                rows += [(year, code, end) for end in ends]
    return pd.DataFrame(rows, columns=["geography_year", "from_code", "la_code"])


def _districts(lookups: dict[int, pd.DataFrame]) -> list[str]:
    """The names of the districts inside a county (E07), of every geography year."""
    return sorted(
        {n for f in lookups.values() for n in f.loc[f["ltla_code"].str[:3] == "E07", "ltla_name"]}
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
        "aliases": build_aliases(las, succ, former_codes(lookups), _districts(lookups)),
        "hexes": hexes_,
        "ndtms_england": ndtms,
    }
    for name, frame in tables.items():
        _write(frame, out / f"{name}.csv")
    for file in SOURCE_FILES:
        log.info("source %s sha256 %s", file, _sha256(sources / file))
