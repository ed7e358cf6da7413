"""Models of items as a bounded outcome (at most K of K items), to set beside the count models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from pipeline.models.frame import formula_rhs, one_round, responders
from pipeline.models.likelihoods import BetaBinomial
from pipeline.taxonomy import K_ITEMS


def fit_beta_binomial(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, n_trials: int = K_ITEMS
) -> Any:
    """Beta-binomial fit of one round's items out of K; its AIC is comparable with the NB's."""
    data = responders(one_round(frame))
    formula = f"n_items ~ {formula_rhs(covariates, reference_region)}"
    return BetaBinomial.from_formula(formula, data, n_trials=n_trials).fit()


def fit_quasi_binomial(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, n_trials: int = K_ITEMS
) -> Any:
    """Quasi-binomial fit of the share of K items offered (Pearson scale).

    The share with var_weights = K: the two-column form divides the scale by K in
    statsmodels 0.15, shrinking the standard errors by sqrt(K).
    """
    rows = responders(one_round(frame))
    data = rows.assign(share=rows["n_items"] / n_trials)
    return smf.glm(
        f"share ~ {formula_rhs(covariates, reference_region)}",
        data,
        family=sm.families.Binomial(),
        var_weights=np.full(len(data), float(n_trials)),
    ).fit(scale="X2")
