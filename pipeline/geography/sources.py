"""Read the public source files (ONS lookups and estimates, IoD2019, hex maps, NDTMS) as frames."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pandas as pd
import xlrd

from pipeline.readers import InputError

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
    """England's LTLA -> UTLA lookup: ltla_code, ltla_name, la_code, la_name."""
    path = sources / LTLA_UTLA[year]
    frame = _read_csv(path)
    yy = {2019: "19", 2021: "22", 2023: "23"}[year]
    cols = {f"LTLA{yy}CD": "ltla_code", f"LTLA{yy}NM": "ltla_name"}
    cols |= {f"UTLA{yy}CD": "la_code", f"UTLA{yy}NM": "la_name"}
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
