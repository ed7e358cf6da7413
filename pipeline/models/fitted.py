"""What a fitted count model says: expected items per authority (within the bound of K for
the bounded families), the level (mean items per authority, had every authority answered
in full), Pearson residuals and Cook's distance, and the influence of the smallest
authorities.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.tools.numdiff import approx_fprime

from pipeline.config import Family
from pipeline.models.count import fit_count, irr_table
from pipeline.models.dispersion import reported
from pipeline.models.frame import SMALL_AREAS, design, model_frame, one_round, responders
from pipeline.models.likelihoods import nb2_terms
from pipeline.taxonomy import K_ITEMS

_Z = stats.norm.ppf(0.975)  # 95% intervals


def _censored_moments(eta: np.ndarray, log_alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of min(Y, K) for Y ~ NB2(exp(eta), alpha)."""
    log_f = nb2_terms(eta, log_alpha, K_ITEMS)[0][:, :K_ITEMS]
    f, j = np.exp(log_f), np.arange(K_ITEMS)
    tail = 1.0 - f.sum(axis=1)
    mean = f @ j + K_ITEMS * tail
    return mean, f @ j**2 + K_ITEMS**2 * tail - mean**2


def moments(params: np.ndarray, family: Family, exog: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the items each row of `exog` reports under `family`.

    Poisson and NB2 ignore the bound of K; the censored NB2 and the beta-binomial respect it.
    """
    eta = exog @ params[: exog.shape[1]]
    if family == "censored_negative_binomial":
        return _censored_moments(eta, params[-1])
    if family == "beta_binomial":
        p, rho = special.expit(eta), special.expit(params[-1])
        return K_ITEMS * p, K_ITEMS * p * (1 - p) * (1 + (K_ITEMS - 1) * rho)
    mu = np.exp(eta)
    alpha = params[-1] if family == "negative_binomial" else 0.0
    return mu, mu + alpha * mu**2


def draw_items(
    params: np.ndarray, family: Family, exog: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Items drawn from `family` at `params` for each row of `exog`, capped at K."""
    eta = exog @ params[: exog.shape[1]]
    if family == "beta_binomial":
        p, rho = special.expit(eta), special.expit(params[-1])
        precision = 1 / rho - 1
        return rng.binomial(K_ITEMS, rng.beta(p * precision, (1 - p) * precision)).astype(float)
    mu = np.exp(eta)
    alpha = {"negative_binomial": params[-1], "censored_negative_binomial": np.exp(params[-1])}
    if family in alpha:
        shape = 1.0 / max(alpha[family], 1e-8)
        mu = rng.gamma(shape, mu / shape)
    return np.minimum(rng.poisson(mu), K_ITEMS).astype(float)


def full_answer(result: Any, exog: np.ndarray) -> np.ndarray:
    """`exog` with the partial-response indicator set to 0 (a full answer), if present."""
    names = list(result.model.exog_names)
    out = exog.copy()
    if "partial" in names:
        out[:, names.index("partial")] = 0.0
    return out


def level(result: Any, family: Family, frame: pd.DataFrame) -> dict[str, float]:
    """Mean expected items over every unit of `frame` (responders or not), as if each had
    answered in full, with a 95% delta-method interval formed on the log scale."""
    exog = full_answer(result, design(result, one_round(frame)))
    params = np.asarray(result.params, float)

    def log_level(theta: np.ndarray) -> float:
        return float(np.log(moments(theta, family, exog)[0].mean()))

    centre = log_level(params)
    grad = np.ravel(approx_fprime(params, log_level, centered=True))
    se = float(np.sqrt(grad @ np.asarray(result.cov_params()) @ grad))
    return {
        "estimate": float(np.exp(centre)),
        "conf_low": float(np.exp(centre - _Z * se)),
        "conf_high": float(np.exp(centre + _Z * se)),
        "n_units": len(exog),
    }


def _refit(result: Any, keep: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """Regression coefficients of `result`'s model refitted to the rows in `keep`, its
    shape parameter (alpha or rho) held at `result`'s value; BFGS starts from `result`
    with `covariance` as its inverse Hessian."""
    model, params = result.model, np.asarray(result.params, float)
    p = model.exog.shape[1]

    def negative(beta: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.concatenate([beta, params[p:]])
        score = model.score_obs(theta)[keep, :p].sum(axis=0)
        return -model.loglikeobs(theta)[keep].sum(), -score

    options = {"hess_inv0": covariance, "gtol": 1e-8}
    return optimize.minimize(negative, params[:p], jac=True, method="BFGS", options=options).x


def cooks_distance(result: Any) -> np.ndarray:
    """Cook's distance of each observation by deleting it and refitting (exact, any family).

    D_i = (b - b_(i))' V^-1 (b - b_(i)) / p over the p regression coefficients, V their
    model-based covariance with the shape parameter known: as for a GLM's dispersion, each
    deleted fit holds it at the full-data value.
    """
    p = result.model.exog.shape[1]
    params = np.asarray(result.params, float)
    precision = -result.model.hessian(params)[:p, :p]
    covariance = np.linalg.inv(precision)
    covariance = (covariance + covariance.T) / 2  # exactly symmetric, as BFGS requires
    n = len(result.model.endog)
    out = np.empty(n)
    for i in range(n):
        delta = params[:p] - _refit(result, np.arange(n) != i, covariance)
        out[i] = delta @ precision @ delta / p
    return out


def diagnostics(chosen: Any, family: Family, frame: pd.DataFrame) -> pd.DataFrame:
    """Pearson residuals, fitted items and Cook's distance of the reported fit of `family`
    to `frame`.

    Returns [label (the authority's name), fitted, residual, influence].
    """
    mean, var = moments(np.asarray(chosen.params), family, chosen.model.exog)
    rows = responders(one_round(frame))
    return pd.DataFrame(
        {
            "label": rows["la_name"].to_numpy(),
            "fitted": mean,
            "residual": (chosen.model.endog - mean) / np.sqrt(var),
            "influence": cooks_distance(chosen),
        }
    )


def _scenarios(
    responses: pd.DataFrame, covariates: Mapping[int, pd.DataFrame], small: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """Model frames: small authorities combined, as they are, and each or all dropped."""
    as_is = model_frame(responses, covariates)
    names = as_is.set_index("la_code")["la_name"]
    present = [code for code in small if code in names.index]
    out = {"combined": model_frame(responses, covariates, small), "as_is": as_is}
    for code in present:
        out[f"without {names[code]}"] = as_is[as_is["la_code"] != code]
    if len(present) > 1:
        out["without " + " or ".join(names[present])] = as_is[~as_is["la_code"].isin(present)]
    return out


def influence_tables(
    responses: pd.DataFrame,
    covariates: Mapping[int, pd.DataFrame],
    covariate_terms: list[str],
    reference_region: str,
    family: Family,
    small: Mapping[str, str] = SMALL_AREAS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rate ratios with the small authorities combined, as they are and dropped; and the five
    largest Cook's distances with them combined and as they are. The censored NB2 is
    reported at its Cox-Reid alpha, as in the headline.

    Returns [scenario, term, estimate, conf_low, conf_high, p_value, n] (covariate terms
    only) and [scenario, rank, la_code, la_name, cooks_distance].
    """
    tables, tops = [], []
    for scenario, frame in _scenarios(responses, covariates, small).items():
        fit = reported(fit_count(frame, covariate_terms, reference_region, family), family)
        irr = irr_table(fit, robust=False)
        keep = ~irr["term"].str.startswith(("Intercept", "region["))
        tables.append(irr[keep].assign(scenario=scenario, n=int(fit.nobs)))
        if scenario in ("combined", "as_is"):
            rows = responders(frame)
            top = pd.DataFrame(
                {
                    "la_code": rows["la_code"].to_numpy(),
                    "la_name": rows["la_name"].to_numpy(),
                    "cooks_distance": cooks_distance(fit),
                }
            ).nlargest(5, "cooks_distance")
            tops.append(top.assign(scenario=scenario, rank=np.arange(1, len(top) + 1)))
    table = pd.concat(tables, ignore_index=True)
    top = pd.concat(tops, ignore_index=True)
    return (
        table[["scenario", "term", "estimate", "conf_low", "conf_high", "p_value", "n"]],
        top[["scenario", "rank", "la_code", "la_name", "cooks_distance"]],
    )
