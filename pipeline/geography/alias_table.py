"""Build the aliases table: the names under which each authority may be written, per year."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from pipeline.geography.names import _parts, _variants, normalise_name
from pipeline.geography.tables import YEARS

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
# Initials some councils use of themselves in correspondence, for the whole name or part of it
# (not drawn by the example-data generator, which types names as respondents do).
INITIALISMS: dict[str, str] = {
    "B&NES": "E06000022",
    "BwD": "E06000008",
    "CWAC": "E06000050",
    "CW&C": "E06000050",
    "Cheshire W&C": "E06000050",
    "ERYC": "E06000011",
    "H&F": "E09000013",
    "IOW": "E06000046",
    "LBBD": "E09000002",
    "LBHF": "E09000013",
    "MK": "E06000042",
    "NELC": "E06000012",
    "RBKC": "E09000020",
    "RBWM": "E06000040",
}
# Names of authorities abolished or renamed before April 2019, with the authority that has
# them now.
FORMER_NAMES: dict[str, str] = {
    "Bournemouth": "E06000058",
    "Poole": "E06000058",
    "Corporation of London": "E09000001",  # the City of London Corporation's name until 2006
}
# Services that several councils share under one name, which the rule for departments
# (without_department) would otherwise read as one of them.
SHARED_SERVICES: dict[str, tuple[str, ...]] = {
    "Public Health Dorset": ("E06000058", "E06000059"),  # for BCP and Dorset councils
}
# GSS codes that went out of use before April 2019 (the first geography year), with the codes
# of April 2019 that took over their area (ONS Code History Database). The Dorset and Somerset
# ones are also in sheet MYE 7 of ukpopestimatesmid2020on2021geography.xls, where the 2011
# Census counts of Bournemouth, Poole and Christchurch add up to BCP's, those of the other five
# Dorset districts to Dorset's, and Taunton Deane's and West Somerset's to Somerset West and
# Taunton's. A district's code matches only once its area lies wholly in a unitary authority
# (former_codes in build.py). Not listed: districts merged into another district of a county
# that remains (Forest Heath, St Edmundsbury, Suffolk Coastal, Waveney, 2019) and recoded
# districts of a county that remains (East Hertfordshire, St Albans, Stevenage, Welwyn
# Hatfield, 2012-13): they lie inside a county and, like any district, match nothing.
FORMER_CODES: dict[str, tuple[str, ...]] = {
    "E06000048": ("E06000057",),  # Northumberland, recoded April 2013 (boundary with Gateshead)
    "E08000020": ("E08000037",),  # Gateshead, recoded April 2013
    "E06000028": ("E06000058",),  # Bournemouth, into Bournemouth, Christchurch and Poole 2019
    "E06000029": ("E06000058",),  # Poole, likewise
    "E10000009": ("E06000058", "E06000059"),  # Dorset county: Christchurch to BCP, rest Dorset
    "E07000048": ("E06000058",),  # Christchurch, a district of Dorset county, into BCP
    "E07000049": ("E06000059",),  # East Dorset, into Dorset (unitary) 2019
    "E07000050": ("E06000059",),  # North Dorset, likewise
    "E07000051": ("E06000059",),  # Purbeck, likewise
    "E07000052": ("E06000059",),  # West Dorset, likewise
    "E07000053": ("E06000059",),  # Weymouth and Portland, likewise
    "E07000190": ("E07000246",),  # Taunton Deane, into Somerset West and Taunton 2019
    "E07000191": ("E07000246",),  # West Somerset, likewise (in Somerset unitary from 2023)
}

KIND_ORDER = (
    "code",
    "ons_name",
    "variant",
    "short_form",
    "initialism",
    "former_name",
    "former_code",
    "name_part",
    "shared_service",
)


def build_aliases(
    authorities: pd.DataFrame,
    successors: pd.DataFrame,
    former_codes: pd.DataFrame,
    districts: Iterable[str],
) -> pd.DataFrame:
    """Names under which each authority may be written, per geography year.

    Kinds: code, ons_name, variant (by rule from the ONS name), short_form (SHORT_FORMS),
    initialism (INITIALISMS), former_name (FORMER_NAMES, and the names of split or renamed
    predecessors), former_code (`former_codes`: geography_year, from_code, la_code), name_part
    (by rule: see _parts and _unshared, which checks them against the names of `districts`),
    shared_service (SHARED_SERVICES). A normalised alias that points at several codes in a
    year is ambiguous.
    """
    rows = []
    for year, code, name, la_type in authorities[
        ["geography_year", "la_code", "la_name", "la_type"]
    ].itertuples(index=False):
        rows += [(code, code, year, "code"), (name, code, year, "ons_name")]
        rows += [(v, code, year, "variant") for v in _variants(name, la_type)]
        rows += [(p, code, year, "name_part") for p in _parts(name)]
    rows += _listed(authorities, successors)
    former = former_codes[["from_code", "la_code", "geography_year"]].itertuples(index=False)
    rows += [(*row, "former_code") for row in former]
    frame = pd.DataFrame(rows, columns=["alias", "la_code", "geography_year", "kind"])
    frame["alias_norm"] = frame["alias"].map(normalise_name)
    frame = frame[_unshared(frame, districts)].copy()
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


def _listed(authorities: pd.DataFrame, successors: pd.DataFrame) -> list[tuple]:
    """Rows of the hand lists and of the predecessors' names, per year: alias, code, year, kind."""
    rows = []
    for year in YEARS:
        codes = set(authorities.loc[authorities["geography_year"] == year, "la_code"])
        rows += [
            (alias, c, year, "short_form")
            for alias, cs in SHORT_FORMS.items()
            for c in cs
            if c in codes
        ]
        rows += [(alias, c, year, "initialism") for alias, c in INITIALISMS.items() if c in codes]
        rows += [(alias, c, year, "former_name") for alias, c in FORMER_NAMES.items() if c in codes]
        rows += [
            (alias, c, year, "shared_service")
            for alias, cs in SHARED_SERVICES.items()
            for c in cs
            if c in codes
        ]
        earlier = successors[successors["to_year"] == year]
        rows += [
            (n, c, year, "former_name")
            for n, c in zip(earlier["from_name"], earlier["to_code"], strict=True)
        ]
    return rows


def _unshared(frame: pd.DataFrame, districts: Iterable[str]) -> pd.Series:
    """False for a name part that is not one authority's alone: written alike (normalised) for
    another authority in any year, or as the name of a district inside a county or a part of
    one (a town's name may be its district's); True for every other row."""
    owners = frame.groupby("alias_norm")["la_code"].transform("nunique")
    taken = {normalise_name(n) for d in districts for n in (d, *_parts(d))}
    return (frame["kind"] != "name_part") | ((owners == 1) & ~frame["alias_norm"].isin(taken))
