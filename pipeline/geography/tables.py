"""Read the derived reference tables in data/reference back, one geography year at a time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.readers import InputError

YEARS = (2019, 2021, 2023)  # geography years: April 2019, April 2021, April 2023
ENGLAND = "E92000001"
LA_TYPES = {
    "E06": "unitary",
    "E08": "metropolitan_district",
    "E09": "london_borough",
    "E10": "county",
}


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


def ndtms(reference_dir: Path) -> pd.DataFrame:
    """Adults in treatment in England by financial year and sex (NDTMS):
    [financial_year, sex, adults_in_treatment]."""
    return _table(reference_dir, "ndtms_england")
