"""Models of items as a bounded outcome (at most K of K items), to set beside the count models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import special, stats
from statsmodels.base.model import GenericLikelihoodModel, LikelihoodResultsWrapper

from pipeline.models.count import CountModels
from pipeline.models.frame import formula_rhs, one_round, responders
from pipeline.taxonomy import K_ITEMS


class BetaBinomial(GenericLikelihoodModel):
    """Beta-binomial regression of items out of `n_trials`: logit of the mean share, and
    logit of rho, the correlation between one authority's items (overdispersion)."""

    def __init__(self, endog: Any, exog: Any, n_trials: int = K_ITEMS, **kwds: Any) -> None:
        self.n_trials = n_trials
        super().__init__(endog, exog, extra_params_names=["logit_rho"], **kwds)

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        mean = special.expit(self.exog @ params[:-1])
        precision = 1.0 / special.expit(params[-1]) - 1.0  # a + b = (1 - rho) / rho
        return stats.betabinom.logpmf(
            self.endog, self.n_trials, mean * precision, (1 - mean) * precision
        )

    def fit(self, start_params: Any = None, **kwds: Any) -> Any:
        if start_params is None:
            share = self.endog / self.n_trials
            binomial = sm.GLM(share, self.exog, family=sm.families.Binomial()).fit()
            start_params = np.append(binomial.params, -2.0)
        options = {"method": "bfgs", "disp": 0, "maxiter": 500, **kwds}
        return LikelihoodResultsWrapper(super().fit(start_params=start_params, **options))


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


def family_comparison(models: CountModels, beta_binomial: Any) -> pd.DataFrame:
    """Likelihood-based models of the same counts by AIC, best first (favoured = lowest)."""
    fits = {
        "poisson": models.poisson,
        "negative_binomial": models.negative_binomial,
        "beta_binomial": beta_binomial,
    }
    out = pd.DataFrame(
        {
            "model": list(fits),
            "log_lik": [f.llf for f in fits.values()],
            "n_params": [len(f.params) for f in fits.values()],
        }
    )
    out = out.assign(aic=2 * out["n_params"] - 2 * out["log_lik"]).sort_values("aic")
    return out.assign(
        delta_aic=out["aic"] - out["aic"].min(), favoured=out["aic"] == out["aic"].min()
    ).reset_index(drop=True)
