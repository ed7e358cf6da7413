"""The model frame: FOI responses joined to standardised covariates, and the formula terms.

Covariates are named as in params.yaml (`imd_z`, `log_pop_z`, `region`, `partial`); region
enters as treatment contrasts against `reference_region`, and terms come out as
`region[<code>]`. `partial` is 1 for a partial response (its blank items are unanswered,
not "no"), 0 otherwise.

Two authorities are tiny: official statistics combine the Isles of Scilly with Cornwall
and the City of London with Hackney when they publish rates. `SMALL_AREAS` names them;
`model_frame(..., combine=SMALL_AREAS)` fits each pair as one unit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import patsy

from pipeline.taxonomy import ITEM_IDS

_CONTRAST = re.compile(r'C\((\w+)(?:, Treatment\(reference="[^"]*"\))?\)\[(?:T\.)?(.+)\]')

# Small authority -> the authority it is combined with (ONS practice for rates).
SMALL_AREAS: dict[str, str] = {
    "E06000053": "E06000052",  # Isles of Scilly -> Cornwall
    "E09000001": "E09000012",  # City of London -> Hackney
}


def _scores(covariates: pd.DataFrame) -> pd.DataFrame:
    """IMD score and log female 18+ population, indexed by la_code."""
    return pd.DataFrame(
        {
            "imd": covariates["imd_score"].astype(float).to_numpy(),
            "log_pop": np.log(covariates["pop_female_18plus"].astype(float)).to_numpy(),
        },
        index=pd.Index(covariates["la_code"].to_numpy(), name="la_code"),
    )


def covariate_sds(covariates: pd.DataFrame) -> dict[str, float]:
    """The sample SDs behind imd_z and log_pop_z, to state effects in natural units."""
    sd = _scores(covariates).std()
    return {"imd_score": float(sd["imd"]), "log_pop": float(sd["log_pop"])}


def _merged(covariates: pd.DataFrame, combine: Mapping[str, str]) -> pd.DataFrame:
    """Covariates with each small authority merged into its partner: populations summed,
    IMD score weighted by female 18+ population."""
    unit = covariates["la_code"].replace(dict(combine))
    pop = covariates["pop_female_18plus"].astype(float)
    work = pd.DataFrame(
        {"la_code": unit, "pop_female_18plus": pop, "weighted": covariates["imd_score"] * pop}
    )
    out = work.groupby("la_code", sort=False).sum().reset_index()
    return out.assign(imd_score=out["weighted"] / out["pop_female_18plus"])


def standardised_covariates(
    covariates: pd.DataFrame, combine: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """z-scores of IMD score and of log female 18+ population: [la_code, imd_z, log_pop_z].

    Standardised over the rows given (all authorities of one geography year), sample SD.
    With `combine` (small -> partner), merged units are scored on that same scale, so a
    coefficient means the same per SD whether or not small authorities are combined.
    """
    base = _scores(covariates)
    mean, sd = base.mean(), base.std()
    scores = _scores(_merged(covariates, combine)) if combine else base
    z = (scores - mean) / sd
    return pd.DataFrame(
        {
            "la_code": z.index.to_numpy(),
            "imd_z": z["imd"].to_numpy(),
            "log_pop_z": z["log_pop"].to_numpy(),
        }
    )


def _combined_row(parts: pd.DataFrame, partner: str) -> pd.Series:
    """One unit from an authority and the small authorities combined with it.

    An item is yes if any responding part said yes, no if every responding part said no,
    otherwise unknown; the unit responded if any part did, and is a full response only if
    every part gave one. Counts of people are not combined (the models do not use them).
    """
    row = parts.loc[parts["la_code"] == partner].iloc[0].copy()
    answered = parts[parts["responded"].astype(bool)]
    if answered.empty:
        return row
    for item in ITEM_IDS:
        said = set(answered[item])
        row[item] = "yes" if "yes" in said else "no" if said == {"no"} else "unknown"
    row["responded"] = True
    row["status"] = "full" if (parts["status"] == "full").all() else "partial"
    row["n_items"] = sum(row[item] == "yes" for item in ITEM_IDS)
    row["la_name"] = " with ".join(
        parts.sort_values("la_code", key=lambda c: c != partner)["la_name"]
    )
    for col in ("adults_in_treatment", "women_in_treatment"):
        if col in row:
            row[col] = pd.NA
    return row


def combine_responses(responses: pd.DataFrame, combine: Mapping[str, str]) -> pd.DataFrame:
    """One round's responses with each small authority merged into its partner's row."""
    present = {s: p for s, p in combine.items() if s in set(responses["la_code"])}
    if not present:
        return responses
    unit = responses["la_code"].replace(present)
    merged = [
        _combined_row(responses[unit == partner], partner) for partner in set(present.values())
    ]
    rest = responses[~unit.isin(present.values())]
    out = pd.concat([rest, pd.DataFrame(merged)], ignore_index=True)
    return out.astype(responses.dtypes.to_dict()).sort_values("la_code", ignore_index=True)


def model_frame(
    responses: pd.DataFrame,
    covariates: Mapping[int, pd.DataFrame],
    combine: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The FOI table with imd_z, log_pop_z (standardised within each round), region and
    partial (1 for a partial response).

    Parameters
    ----------
    responses
        The cleaned `foi_responses` table, one row per authority per round.
    covariates
        `geography.covariates(reference_dir, year)` for each geography year in `responses`.
        Standardising over all authorities of the round's geography is standardising within
        the round, since every authority was asked.
    combine
        Small authority -> partner (e.g. `SMALL_AREAS`): each pair becomes one unit.
    """
    parts = []
    for name, rows in responses.groupby("round", sort=False):
        year = int(rows["geography_year"].iloc[0])
        if year not in covariates:
            raise ValueError(f"round {name}: no covariates for geography year {year}")
        if combine:
            rows = combine_responses(rows, combine)
        z = standardised_covariates(covariates[year], combine)
        part = rows.merge(z, on="la_code", how="left")
        missing = part.loc[part["imd_z"].isna(), "la_code"]
        if len(missing):
            raise ValueError(f"round {name}: no covariates for {sorted(missing)}")
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    partial = frame["status"].eq("partial") if "status" in frame else False
    return frame.assign(region=frame["region_code"], partial=np.asarray(partial, float))


def authority_frame(
    responses: pd.DataFrame,
    covariates: Mapping[int, pd.DataFrame],
    combine: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """`model_frame` with every authority kept apart, for estimates of each authority.

    A small authority combined with another for the fit takes its unit's imd_z and
    log_pop_z: its own lie far outside the range the model was fitted on (the Isles of
    Scilly's log population is 6 SD below the mean).
    """
    own = model_frame(responses, covariates)
    if not combine:
        return own
    units = model_frame(responses, covariates, combine).set_index(["round", "la_code"])
    small = own["la_code"].isin(list(combine))
    keys = pd.MultiIndex.from_arrays(
        [own.loc[small, "round"], own.loc[small, "la_code"].map(combine)]
    )
    own.loc[small, ["imd_z", "log_pop_z"]] = units.loc[keys, ["imd_z", "log_pop_z"]].to_numpy()
    return own


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


def design(result: Any, rows: pd.DataFrame) -> np.ndarray:
    """The design matrix of a formula-fitted `result` for new `rows` (same columns)."""
    spec = result.model.data.model_spec
    return np.asarray(patsy.build_design_matrices([spec], rows)[0])


def tidy_term(name: str) -> str:
    """`C(region, Treatment(reference="X"))[T.Y]` -> `region[Y]`; other names unchanged."""
    return _CONTRAST.sub(r"\1[\2]", name)
