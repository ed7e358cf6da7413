"""Count models of items per authority: Poisson, NB2, NB2 right-censored at K and the
beta-binomial; the choice between them, their rate ratios and metrics.

Each function takes the model frame (`frame.model_frame`) and explicit arguments, and
returns a fitted result or a tidy frame; nothing reads files. Fit one round at a time.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from pipeline.config import Family
from pipeline.models.frame import formula_rhs, one_round, responders, tidy_term
from pipeline.models.likelihoods import BetaBinomial, CensoredNegativeBinomial

# The one table from a family to its model; NB2's alpha by maximum likelihood, items out of
# K for the censored NB2 (a count of K means "K or more") and the beta-binomial.
FITTERS: dict[Family, type] = {
    "poisson": sm.Poisson,
    "negative_binomial": sm.NegativeBinomial,
    "censored_negative_binomial": CensoredNegativeBinomial,
    "beta_binomial": BetaBinomial,
}
NAMES: dict[Family, str] = {
    "poisson": "Poisson",
    "negative_binomial": "NB2",
    "censored_negative_binomial": "NB2 censored at 13",
    "beta_binomial": "beta-binomial",
}
_AUXILIARY = ("alpha", "log_alpha", "logit_rho")  # shape parameters, not regression terms


def fit_count(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, family: Family
) -> Any:
    """One count model of items among the responders of `frame`."""
    formula = f"n_items ~ {formula_rhs(covariates, reference_region)}"
    return FITTERS[family].from_formula(formula, responders(frame)).fit(disp=0, maxiter=500)


def dispersion_alpha(result: Any) -> float:
    """NB2's alpha of a fitted NB2 or censored NB2 (0 for a Poisson fit)."""
    params = result.params
    if "log_alpha" in params:
        return float(np.exp(params["log_alpha"]))
    return float(params.get("alpha", 0.0))


@dataclass(frozen=True)
class CountModels:
    """The four fits of items per authority, and the evidence between Poisson and NB2."""

    poisson: Any
    negative_binomial: Any
    censored_negative_binomial: Any
    beta_binomial: Any
    lr_alpha: float  # LR statistic of alpha = 0 (Poisson against NB2)
    p_alpha: float  # boundary p-value: 0.5 * chi2.sf(LR, 1)
    dispersion: pd.DataFrame  # Dean and Cameron-Trivedi tests on the Poisson fit (two-sided)

    def fits(self) -> dict[Family, Any]:
        """Family -> fitted result, in the order of `FITTERS`."""
        return {family: getattr(self, family) for family in FITTERS}


def fit_count_models(
    frame: pd.DataFrame, covariates: list[str], reference_region: str
) -> CountModels:
    """Fit every family of `FITTERS` to one round's item counts."""
    frame = one_round(frame)
    fits = {f: fit_count(frame, covariates, reference_region, f) for f in FITTERS}
    lr = max(2.0 * (fits["negative_binomial"].llf - fits["poisson"].llf), 0.0)
    tests = fits["poisson"].get_diagnostic().test_dispersion()
    dispersion = pd.DataFrame(
        {"test": tests.method, "statistic": tests.statistic, "p_value": tests.pvalue}
    )
    return CountModels(
        **fits, lr_alpha=lr, p_alpha=0.5 * stats.chi2.sf(lr, 1), dispersion=dispersion
    )


def _aic(models: CountModels) -> pd.Series:
    """AIC per family, rounded so that equal fits tie (a censored NB2 with no count at K
    is NB2); ties go to the family listed first in `FITTERS`."""
    return pd.Series({f: round(float(r.aic), 6) for f, r in models.fits().items()})


def choose_family(
    models: CountModels, family: Family | Literal["auto"], significance: float
) -> tuple[Family, str]:
    """The family to report and why.

    `auto` takes the lowest AIC among all families, provided the boundary LR test rejects
    alpha = 0 at level `significance`; otherwise Poisson (no evidence of overdispersion).
    """
    aic = _aic(models)
    evidence = "AIC " + ", ".join(f"{NAMES[f]} {aic[f]:.1f}" for f in aic.sort_values().index)
    evidence += f"; LR test of alpha = 0 (Poisson against NB2): p = {models.p_alpha:.3g}"
    if family in FITTERS:
        return family, f"{NAMES[family]} fixed in params.yaml ({evidence})"
    if family != "auto":
        raise ValueError(f"family must be auto or one of {', '.join(FITTERS)} (got {family!r})")
    if models.p_alpha >= significance:
        return "poisson", f"no clear overdispersion: {evidence}"
    best = aic.idxmin()
    return best, f"lowest AIC, {NAMES[best]}: {evidence}"


def family_comparison(models: CountModels, chosen: Family) -> pd.DataFrame:
    """Every family by AIC, best first: favoured = lowest AIC, chosen = the one reported."""
    fits = models.fits()
    out = pd.DataFrame(
        {
            "model": list(fits),
            "log_lik": [f.llf for f in fits.values()],
            "n_params": [len(f.params) for f in fits.values()],
        }
    )
    out = out.assign(aic=2 * out["n_params"] - 2 * out["log_lik"])
    out = out.iloc[np.argsort(_aic(models).to_numpy(), kind="stable")]
    return out.assign(
        delta_aic=out["aic"] - out["aic"].min(),
        favoured=out["model"] == _aic(models).idxmin(),
        chosen=out["model"] == chosen,
    ).reset_index(drop=True)


def irr_table(result: Any, robust: bool) -> pd.DataFrame:
    """Exponentiated coefficients (IRRs, or odds ratios for logit links) with 95% CIs.

    Intervals and p-values refer to the result's distribution: t on its residual degrees of
    freedom for the censored NB2 at its Cox-Reid alpha (`dispersion.cox_reid`), else normal.
    robust=True evaluates the HC0 sandwich at the same estimates (for non-OLS models HC1-HC3
    silently equal HC0); results that are already robust (GEE) are used as they are.
    Returns [term, estimate, conf_low, conf_high, p_value].
    """
    if robust and result.cov_type == "nonrobust":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # evaluated, not optimised
            result = result.model.fit(
                start_params=result.params,
                method="newton",
                maxiter=0,
                disp=0,
                cov_type="HC0",
                use_t=result.use_t,
            )
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


def fit_metrics(models: CountModels, family: Family, region_test: pd.DataFrame) -> dict[str, Any]:
    """Flat numbers for DVC metrics from the count models of one round."""
    aic = {f"aic_{f}": float(r.aic) for f, r in models.fits().items()}
    return {
        "n": int(models.poisson.nobs),
        **aic,
        "alpha_negative_binomial": dispersion_alpha(models.negative_binomial),
        "p_alpha_zero": float(models.p_alpha),
        "p_region": float(region_test["p_value"].iloc[0]),
        "family": family,
    }
