"""Non-response: who answered the FOI requests, and what non-responders could do to the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from pipeline.config import Family
from pipeline.models.count import FITTERS, fit_count, irr_table
from pipeline.models.dispersion import reported
from pipeline.models.fitted import draw_items
from pipeline.models.frame import formula_rhs, one_round, tidy_term
from pipeline.models.regions import region_lr


def fit_response_model(frame: pd.DataFrame, covariates: list[str], reference_region: str) -> Any:
    """Logistic GLM of responding, one round. A region where every authority responded has
    no finite odds ratio (quasi-separation); read `response_region_lr_test` then."""
    frame = one_round(frame)
    data = frame.assign(responded=frame["responded"].astype(float))
    rhs = formula_rhs(covariates, reference_region)
    return smf.glm(f"responded ~ {rhs}", data, family=sm.families.Binomial()).fit()


def response_region_lr_test(
    frame: pd.DataFrame, covariates: list[str], reference_region: str
) -> pd.DataFrame:
    """LR test of region in one round's response model. Returns [test, statistic, df, p_value]."""
    frame = one_round(frame)
    return region_lr(
        lambda terms: fit_response_model(frame, terms, reference_region), covariates, "response"
    )


def _rubin(estimates: np.ndarray, variances: np.ndarray, df_complete: float) -> pd.DataFrame:
    """Rubin's rules over imputations (rows): pooled estimate, CI and p on the log scale.

    t on Barnard and Rubin's (1999) degrees of freedom, which never exceed those of the
    complete-data fits (`df_complete`; infinite for fits referred to the normal).
    """
    m = len(estimates)
    qbar, within = estimates.mean(axis=0), variances.mean(axis=0)
    between = estimates.var(axis=0, ddof=1)
    total = within + (1 + 1 / m) * between
    missing_share = np.maximum((1 + 1 / m) * between / total, 1e-12)
    df = (m - 1) / missing_share**2
    if np.isfinite(df_complete):
        observed = (df_complete + 1) / (df_complete + 3) * df_complete * (1 - missing_share)
        df = 1 / (1 / df + 1 / observed)
    se, t = np.sqrt(total), stats.t.ppf(0.975, df)
    return pd.DataFrame(
        {
            "estimate": qbar,
            "conf_low": qbar - t * se,
            "conf_high": qbar + t * se,
            "p_value": 2 * stats.t.sf(np.abs(qbar / se), df),
        }
    )


def _imputed(
    complete: Any,
    exog: pd.DataFrame,
    missing: np.ndarray,
    fit_completed: Callable[[np.ndarray], Any],
    family: Family,
    n_imputations: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """IRRs pooled by Rubin's rules over completions of the non-responders' counts."""
    n_beta = exog.shape[1]
    draws = rng.multivariate_normal(complete.params, complete.cov_params(), size=n_imputations)
    estimates, variances = [], []
    for params in draws:
        result = fit_completed(draw_items(params, family, exog.to_numpy()[missing], rng))
        estimates.append(result.params.to_numpy()[:n_beta])
        variances.append(np.diag(result.cov_params().to_numpy())[:n_beta])
    df_complete = result.df_resid if result.use_t else np.inf
    pooled = _rubin(np.array(estimates), np.array(variances), df_complete)
    pooled[["estimate", "conf_low", "conf_high"]] = np.exp(
        pooled[["estimate", "conf_low", "conf_high"]]
    )
    pooled.insert(0, "term", [tidy_term(n) for n in exog.columns])
    return pooled


def nonresponse_sensitivity(
    frame: pd.DataFrame,
    covariates: list[str],
    reference_region: str,
    family: Family,
    n_imputations: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The count model of one round under three assumptions about non-responders, each fitted
    as the report fits it (`dispersion.reported`: the censored NB2 at its Cox-Reid alpha,
    with t intervals), so that complete_cases is the reported model itself.

    complete_cases: responders only. multiple_imputation: non-responders' n_items drawn
    `n_imputations` times from the complete-case fit (parameters drawn from their asymptotic
    normal sampling distribution, then counts from the chosen family, capped at K),
    combined by Rubin's rules; missing at random given the covariates. zero_items:
    non-responders offer nothing (a bound). Model-based SEs throughout.
    Returns [scenario, term, estimate, conf_low, conf_high, p_value, n_units] with IRRs;
    n_units counts the units modelled (responders, or every unit).
    """
    frame = one_round(frame)
    missing = frame["n_items"].isna().to_numpy()
    complete = reported(fit_count(frame, covariates, reference_region, family), family)
    # The same design over every authority, non-responders included.
    filled = frame.assign(n_items=frame["n_items"].astype(float).fillna(0.0))
    full_model = fit_count(filled, covariates, reference_region, family).model
    n_beta = full_model.exog.shape[1]
    exog = pd.DataFrame(full_model.exog, columns=full_model.exog_names[:n_beta])

    def fit_completed(y_missing: np.ndarray) -> Any:
        y = full_model.endog.copy()
        y[missing] = y_missing
        return reported(FITTERS[family](y, exog).fit(disp=0, maxiter=200), family)

    pooled = _imputed(complete, exog, missing, fit_completed, family, n_imputations, rng)
    zero = fit_completed(np.zeros(missing.sum()))
    tables = {
        "complete_cases": (irr_table(complete, robust=False), int((~missing).sum())),
        "multiple_imputation": (pooled, len(frame)),
        "zero_items": (irr_table(zero, robust=False), len(frame)),
    }
    return pd.concat(
        [t.assign(scenario=s, n_units=n) for s, (t, n) in tables.items()], ignore_index=True
    )[["scenario", "term", "estimate", "conf_low", "conf_high", "p_value", "n_units"]]
