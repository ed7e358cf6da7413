"""Put every cleaned FOI round on one geography year: the latest authorities."""

from __future__ import annotations

import pandas as pd

from pipeline import schemas


def to_common(
    responses: pd.DataFrame,
    successors: dict[int, pd.DataFrame],
    authorities: pd.DataFrame,
    year: int,
) -> pd.DataFrame:
    """Every round on the `year` geography, one row per authority of that year per round.

    A recoded authority carries its answers over (source_la_code = the old code). When an
    authority was split, each successor inherits the predecessor's status and answers
    (inherited = True, source_la_code = the predecessor); counts of people cannot be split,
    so an inherited row has NA counts flagged "missing". `successors` maps each older
    geography year to its [from_code, to_code] table; codes not in it are unchanged.
    """
    parts = []
    for geo_year, part in responses.groupby("geography_year", sort=False):
        part = part.assign(source_la_code=part["la_code"], inherited=False)
        if geo_year != year:
            part = _recode(part, successors[geo_year][["from_code", "to_code"]], geo_year, year)
        part = (
            part.drop(columns=["la_name", "region_code", "region_name"])
            .assign(geography_year=year)
            .merge(authorities, on=["geography_year", "la_code"], how="left")
        )
        missing = set(authorities["la_code"]) ^ set(part["la_code"])
        if missing or part["la_code"].duplicated().any():
            raise ValueError(
                f"round {part['round'].iloc[0]} does not cover the {year} "
                f"geography once per authority (differs at {sorted(missing)})"
            )
        parts.append(part[schemas.columns("foi_common")])
    return pd.concat(parts, ignore_index=True)


def _recode(part: pd.DataFrame, pairs: pd.DataFrame, geo_year: int, year: int) -> pd.DataFrame:
    """One round's rows on the `year` codes: recoded, or split to inherit (counts dropped)."""
    merged = pairs.groupby("to_code")["from_code"].nunique()
    if (merged > 1).any():
        raise ValueError(
            f"authorities merged between {geo_year} and {year} "
            f"({list(merged[merged > 1].index)}): no rule to combine answers"
        )
    part = part.merge(pairs, left_on="la_code", right_on="from_code", how="left")
    part["la_code"] = part["to_code"].fillna(part["la_code"]).astype("str")
    split = part["from_code"].map(pairs["from_code"].value_counts()).fillna(0) > 1
    part["inherited"] = split.to_numpy()
    for who in ("adults", "women"):
        part.loc[split, [f"{who}_in_treatment", f"{who}_bound"]] = pd.NA
        part.loc[split, f"{who}_flag"] = "missing"
    return part.drop(columns=["from_code", "to_code"])
