"""Count models of items per authority: Poisson and NB2 fits, the choice between them, and
their rate ratios, diagnostics and metrics.

Each function takes the model frame (`frame.model_frame`) and explicit arguments, and
returns a fitted result or a tidy frame; nothing reads files. Fit one round at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from pipeline.config import Family
from pipeline.models.frame import formula_rhs, one_round, responders, tidy_term

# The one table from a count family to its statsmodels model (NB2: alpha by maximum likelihood).
FITTERS: dict[Family, type[sm.Poisson] | type[sm.NegativeBinomial]] = {
    "poisson": sm.Poisson,
    "negative_binomial": sm.NegativeBinomial,
}
_AUXILIARY = ("alpha", "logit_rho")  # shape parameters, not regression terms


def fit_count(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, family: Family
) -> Any:
    """One count model of items among the responders of `frame`."""
    formula = f"n_items ~ {formula_rhs(covariates, reference_region)}"
    return FITTERS[family].from_formula(formula, responders(frame)).fit(disp=0, maxiter=200)


@dataclass(frozen=True)
class CountModels:
    """Poisson and NB2 fits of items per authority, and the evidence between them."""

    poisson: Any
    negative_binomial: Any
    lr_alpha: float  # LR statistic of alpha = 0
    p_alpha: float  # boundary p-value: 0.5 * chi2.sf(LR, 1)
    dispersion: pd.DataFrame  # Dean and Cameron-Trivedi tests on the Poisson fit (two-sided)


def fit_count_models(
    frame: pd.DataFrame, covariates: list[str], reference_region: str
) -> CountModels:
    """Fit Poisson and NB2 (alpha by maximum likelihood) to one round's item counts."""
    frame = one_round(frame)
    poisson = fit_count(frame, covariates, reference_region, "poisson")
    nb = fit_count(frame, covariates, reference_region, "negative_binomial")
    lr = max(2.0 * (nb.llf - poisson.llf), 0.0)
    tests = poisson.get_diagnostic().test_dispersion()
    dispersion = pd.DataFrame(
        {"test": tests.method, "statistic": tests.statistic, "p_value": tests.pvalue}
    )
    return CountModels(poisson, nb, lr, 0.5 * stats.chi2.sf(lr, 1), dispersion)


def choose_family(
    models: CountModels, family: Family | Literal["auto"], significance: float
) -> tuple[Family, str]:
    """The count family to report and why: `auto` takes NB2 only if the boundary LR test
    rejects alpha = 0 at level `significance` and NB2 has the lower AIC; otherwise Poisson."""
    aic_p, aic_nb = models.poisson.aic, models.negative_binomial.aic
    evidence = (
        f"LR test of alpha = 0: p = {models.p_alpha:.3g}; AIC Poisson {aic_p:.1f}, NB2 {aic_nb:.1f}"
    )
    if family in FITTERS:
        return family, f"{family} fixed in params.yaml ({evidence})"
    if family != "auto":
        raise ValueError(f"family must be auto, poisson or negative_binomial (got {family!r})")
    if models.p_alpha < significance and aic_nb < aic_p:
        return "negative_binomial", f"overdispersion: {evidence}"
    return "poisson", f"no clear overdispersion: {evidence}"


def irr_table(result: Any, robust: bool) -> pd.DataFrame:
    """Exponentiated coefficients (IRRs, or odds ratios for logit models) with 95% CIs.

    robust=True refits with the HC0 sandwich (for non-OLS models HC1-HC3 silently equal
    HC0); results that are already robust (GEE) are used as they are.
    Returns [term, estimate, conf_low, conf_high, p_value].
    """
    if robust and result.cov_type == "nonrobust":
        result = result.model.fit(start_params=result.params, disp=0, cov_type="HC0")
    ci = np.exp(result.conf_int())
    out = pd.DataFrame(
        {
            "term": [tidy_term(n) for n in result.params.index],
            "estimate": np.exp(result.params.to_numpy()),
            "conf_low": ci.iloc[:, 0].to_numpy(),
            "conf_high": ci.iloc[:, 1].to_numpy(),
            "p_value": result.pvalues.to_numpy(),
        }
    )
    return out[~out["term"].isin(_AUXILIARY)].reset_index(drop=True)


def diagnostics(models: CountModels, family: Family, frame: pd.DataFrame) -> pd.DataFrame:
    """Pearson residuals, fitted values and Cook's distance of the chosen count model.

    statsmodels has no influence measures for the discrete NB2 model, so NB2 is refitted as
    a GLM with alpha fixed at its ML estimate: the same mean model and the same fitted values.
    Returns [label (the authority's name), fitted, residual, influence].
    """
    chosen = getattr(models, family)
    alpha = chosen.params.get("alpha", 0.0)
    nb = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    glm = sm.GLM(chosen.model.endog, chosen.model.exog, family=nb).fit()
    rows = responders(one_round(frame))
    return pd.DataFrame(
        {
            "label": rows["la_name"].to_numpy(),
            "fitted": glm.fittedvalues,
            "residual": glm.resid_pearson,
            "influence": glm.get_influence().cooks_distance[0],
        }
    )


def fit_metrics(models: CountModels, family: Family, region_test: pd.DataFrame) -> dict[str, Any]:
    """Flat numbers for DVC metrics from the count models of one round."""
    return {
        "n": int(models.poisson.nobs),
        "aic_poisson": float(models.poisson.aic),
        "aic_negative_binomial": float(models.negative_binomial.aic),
        "alpha": float(models.negative_binomial.params["alpha"]),
        "p_alpha_zero": float(models.p_alpha),
        "p_region": float(region_test["p_value"].iloc[0]),
        "family": family,
    }
