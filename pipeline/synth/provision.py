"""The documented generative model of provision: how many items an authority offers, and which.

Items per authority follow a Poisson-gamma (marginally NB2) model with log link:

    n ~ Poisson(mu * frailty),  frailty ~ Gamma(mean 1, variance alpha),
    log mu = intercept + beta_imd * imd_z + beta_pop * log_pop_z + region effect
             + round_effect * round_index,

capped at K (13) items. Given n, the items are drawn without replacement with probability
proportional to the item weights. An authority keeps its frailty across rounds, so its
rounds are correlated. Whether it responds at all is logistic in IMD.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import geography
from pipeline.models import standardised_covariates
from pipeline.taxonomy import ITEM_IDS, K_ITEMS


@dataclass(frozen=True)
class ProvisionTruth:
    """Known coefficients of the provision model (log scale unless stated)."""

    intercept: float
    beta_imd: float
    beta_pop: float
    alpha: float
    region_sd: float
    region_effects: tuple[tuple[str, float], ...]
    round_effect: float
    item_weights: tuple[tuple[str, float], ...]
    response_intercept: float
    response_beta_imd: float

    def region_effect(self, region_codes: pd.Series) -> pd.Series:
        """The log-scale region effect of each row (0 for a region not in the truth)."""
        return region_codes.map(dict(self.region_effects)).astype(float).fillna(0.0)


# On the real 2021 geography (152 authorities) mean items are 4.3 of K = 13 in round 0 and
# 4.8 in round 1. Draws beyond K are capped at K: over 1,000 simulated rounds, 2.0% of
# authorities were capped in round 0 and 3.0% in round 1, lowering the mean by 0.06 and 0.10
# items (same on the 2023 geography).
TRUTH = ProvisionTruth(
    intercept=1.5,
    beta_imd=0.10,
    beta_pop=0.15,
    alpha=0.3,
    region_sd=0.2,
    # Drawn once from Normal(0, 0.2) (numpy default_rng(20240501)), centred, written down.
    region_effects=(
        ("E12000001", 0.010),  # North East
        ("E12000002", -0.119),  # North West
        ("E12000003", 0.174),  # Yorkshire and The Humber
        ("E12000004", 0.160),  # East Midlands
        ("E12000005", -0.013),  # West Midlands
        ("E12000006", 0.055),  # East of England
        ("E12000007", -0.285),  # London
        ("E12000008", -0.101),  # South East
        ("E12000009", 0.119),  # South West
    ),
    round_effect=0.10,
    item_weights=(
        ("women_groups", 2.2),
        ("female_keyworker", 3.0),
        ("women_spaces", 1.4),
        ("childcare", 0.5),
        ("parenting", 1.2),
        ("domestic_abuse", 2.5),
        ("trauma_mental_health", 2.0),
        ("sex_worker_outreach", 0.8),
        ("perinatal", 1.8),
        ("bame_outreach", 0.4),
        ("residential_detox", 0.3),
        ("digital", 1.0),
        ("community_settings", 1.6),
    ),
    response_intercept=2.4,  # logit: 91.7% respond at average deprivation
    response_beta_imd=-0.3,  # more deprived authorities respond a little less often
)


def design_frame(authorities: pd.DataFrame, covariates: pd.DataFrame) -> pd.DataFrame:
    """Authorities with standardised covariates: [la_code, region_code, imd_z, log_pop_z]."""
    z = standardised_covariates(covariates)
    frame = authorities[["la_code", "region_code"]].merge(z, on="la_code", how="left")
    missing = frame.loc[frame["imd_z"].isna() | frame["log_pop_z"].isna(), "la_code"]
    if len(missing):
        raise ValueError(f"no covariates for authorities {sorted(missing)}")
    return frame.reset_index(drop=True)


def design(reference_dir: Path, year: int) -> pd.DataFrame:
    """The design of one geography year, covariates standardised within the year."""
    return design_frame(
        geography.authorities(reference_dir, year), geography.covariates(reference_dir, year)
    )


def draw_frailty(codes: pd.Series, truth: ProvisionTruth, rng: np.random.Generator) -> pd.Series:
    """Gamma frailty (mean 1, variance alpha) per authority, indexed by la_code."""
    codes = pd.Index(pd.unique(codes), name="la_code")
    shape = 1.0 / truth.alpha
    return pd.Series(rng.gamma(shape, 1.0 / shape, size=len(codes)), index=codes, name="frailty")


def expected_items(design: pd.DataFrame, truth: ProvisionTruth, round_index: int) -> np.ndarray:
    """Mean items per authority before frailty and cap: mu of the model."""
    eta = (
        truth.intercept
        + truth.beta_imd * design["imd_z"].to_numpy(float)
        + truth.beta_pop * design["log_pop_z"].to_numpy(float)
        + truth.region_effect(design["region_code"]).to_numpy()
        + truth.round_effect * round_index
    )
    return np.exp(eta)


def simulate_items(
    design: pd.DataFrame,
    truth: ProvisionTruth,
    rng: np.random.Generator,
    round_index: int,
    frailty: pd.Series,
) -> pd.DataFrame:
    """Draw the number of items (capped at K) and which items, one row per authority.

    Returns
    -------
    DataFrame
        la_code, n_items, and one 0/1 column per item id.
    """
    gamma = frailty.reindex(design["la_code"])
    if gamma.isna().any():
        raise ValueError(f"no frailty for {sorted(design['la_code'][gamma.isna().to_numpy()])}")
    mu = expected_items(design, truth, round_index) * gamma.to_numpy()
    n = np.minimum(rng.poisson(mu), K_ITEMS)
    weights = dict(truth.item_weights)
    p = np.array([weights[i] for i in ITEM_IDS], dtype=float)
    p /= p.sum()
    offered = np.zeros((len(n), K_ITEMS), dtype=int)
    for row, size in enumerate(n):
        offered[row, rng.choice(K_ITEMS, size=size, replace=False, p=p)] = 1
    items = pd.DataFrame(offered, columns=list(ITEM_IDS))
    return pd.concat(
        [pd.DataFrame({"la_code": design["la_code"].to_numpy(), "n_items": n}), items], axis=1
    )


def simulate_response(
    design: pd.DataFrame, truth: ProvisionTruth, rng: np.random.Generator
) -> pd.Series:
    """Whether each authority responds (logistic in IMD), indexed like design."""
    eta = truth.response_intercept + truth.response_beta_imd * design["imd_z"].to_numpy(float)
    p = 1.0 / (1.0 + np.exp(-eta))
    return pd.Series(rng.random(len(design)) < p, index=design.index, name="responded")
