"""The model frame: FOI responses joined to standardised covariates, and the formula terms.

Covariates are named as in params.yaml (`imd_z`, `log_pop_z`, `region`); region enters as
treatment contrasts against `reference_region`, and terms come out as `region[<code>]`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

_CONTRAST = re.compile(r'C\((\w+)(?:, Treatment\(reference="[^"]*"\))?\)\[(?:T\.)?(.+)\]')


def standardised_covariates(covariates: pd.DataFrame) -> pd.DataFrame:
    """z-scores of IMD score and of log female 18+ population: [la_code, imd_z, log_pop_z].

    Standardised over the rows given (all authorities of one geography year), sample SD.
    """
    imd = covariates["imd_score"].astype(float)
    log_pop = np.log(covariates["pop_female_18plus"].astype(float))
    return pd.DataFrame(
        {
            "la_code": covariates["la_code"].to_numpy(),
            "imd_z": ((imd - imd.mean()) / imd.std()).to_numpy(),
            "log_pop_z": ((log_pop - log_pop.mean()) / log_pop.std()).to_numpy(),
        }
    )


def model_frame(responses: pd.DataFrame, covariates: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """The FOI table with imd_z, log_pop_z (standardised within each round) and region.

    Parameters
    ----------
    responses
        The cleaned `foi_responses` table, one row per authority per round.
    covariates
        `geography.covariates(reference_dir, year)` for each geography year in `responses`.
        Standardising over all authorities of the round's geography is standardising within
        the round, since every authority was asked.
    """
    parts = []
    for name, rows in responses.groupby("round", sort=False):
        year = int(rows["geography_year"].iloc[0])
        if year not in covariates:
            raise ValueError(f"round {name}: no covariates for geography year {year}")
        part = rows.merge(standardised_covariates(covariates[year]), on="la_code", how="left")
        missing = part.loc[part["imd_z"].isna(), "la_code"]
        if len(missing):
            raise ValueError(f"round {name}: no covariates for {sorted(missing)}")
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    return frame.assign(region=frame["region_code"])


def responders(frame: pd.DataFrame) -> pd.DataFrame:
    """Authorities that reported their items, with n_items as float for the formula."""
    rows = frame[frame["n_items"].notna()]
    return rows.assign(n_items=rows["n_items"].astype(float))


def one_round(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame unchanged if it holds one round; an authority's rounds are correlated."""
    if frame["round"].nunique() != 1:
        raise ValueError(f"fit one round at a time (got rounds {sorted(frame['round'].unique())})")
    return frame


def formula_rhs(covariates: list[str], reference_region: str) -> str:
    """Right-hand side of a model formula; region as treatment contrasts, `1` if no terms."""
    region = f'C(region, Treatment(reference="{reference_region}"))'
    return " + ".join(region if c == "region" else c for c in covariates) or "1"


def tidy_term(name: str) -> str:
    """`C(region, Treatment(reference="X"))[T.Y]` -> `region[Y]`; other names unchanged."""
    return _CONTRAST.sub(r"\1[\2]", name)
