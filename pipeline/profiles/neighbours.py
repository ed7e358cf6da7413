"""Statistical neighbours: the authorities most like each one on the model's covariates.

Method: every authority of the latest geography is a point in two dimensions, its IMD 2019
score and the log of its female population aged 18 and over, each standardised over all
authorities of that geography (`imd_z`, `log_pop_z`, as `pipeline.models` builds them for
the count model). Its neighbours are the `NEIGHBOURS` other authorities nearest by Euclidean
distance. Region is not part of the distance, so neighbours may lie anywhere in England;
it only breaks ties (an authority of the same region first), and the GSS code breaks any
that remain, so the list is the same on every run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

NEIGHBOURS = 10
COVARIATES = ("imd_z", "log_pop_z")
METHOD = (
    f"The {NEIGHBOURS} statistical neighbours are the authorities nearest by Euclidean "
    "distance on two standardised covariates of the count model: the IMD 2019 average score "
    "and the log of the female population aged 18 and over (z-scores over all authorities). "
    "Region is not in the distance; it breaks ties only, in favour of the same region."
)


def statistical_neighbours(
    covariates: pd.DataFrame, authorities: pd.DataFrame, k: int = NEIGHBOURS
) -> pd.DataFrame:
    """The `k` nearest authorities of each authority.

    Parameters
    ----------
    covariates : la_code, imd_z, log_pop_z (one row per authority).
    authorities : la_code, region_code of the same authorities.
    k : neighbours per authority.

    Returns
    -------
    DataFrame
        la_code, order (1 = nearest), neighbour (its la_code), distance; sorted by la_code
        and order.
    """
    frame = covariates.merge(authorities[["la_code", "region_code"]], on="la_code", validate="1:1")
    if len(frame) != len(authorities) or frame[list(COVARIATES)].isna().any().any():
        raise ValueError("every authority needs both covariates for its neighbours")
    if not 0 < k < len(frame):
        raise ValueError(f"k must be between 1 and {len(frame) - 1} (got {k})")
    frame = frame.sort_values("la_code").reset_index(drop=True)
    points = frame[list(COVARIATES)].to_numpy(dtype=float)
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    codes, regions = frame["la_code"].to_numpy(), frame["region_code"].to_numpy()
    rows = []
    for i, code in enumerate(codes):
        others = pd.DataFrame(
            {
                "neighbour": codes,
                "distance": distance[i],
                "other_region": regions != regions[i],
            }
        ).drop(index=i)
        nearest = others.sort_values(["distance", "other_region", "neighbour"]).head(k)
        rows.append(nearest.assign(la_code=code, order=np.arange(1, k + 1)))
    return pd.concat(rows, ignore_index=True)[["la_code", "order", "neighbour", "distance"]]
