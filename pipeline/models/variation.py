"""Variation between authorities alike in covariates: NB2's alpha (`dispersion.cox_reid`)
on scales a reader can use, and empirical-Bayes estimates of each authority's rate of
provision with 95% intervals and rank intervals.

In the NB2 (gamma-Poisson) model an authority's items are Poisson with rate mu * G, where
mu comes from its covariates and its frailty G is gamma with mean 1 and variance alpha.
Given its count y, G is gamma with shape 1/alpha + y and rate 1/alpha + mu (Clayton and
Kaldor 1987); ranks follow Goldstein and Spiegelhalter (1996).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from pipeline.models.fitted import full_answer, moments
from pipeline.models.frame import design
from pipeline.taxonomy import K_ITEMS


def median_ratio(alpha: float | np.ndarray) -> np.ndarray:
    """Median of larger / smaller rate of two authorities alike in covariates.

    Their frailties' ratio is F(2/alpha, 2/alpha); the median of max(R, 1/R) is its 75th
    percentile. 1 at alpha = 0.
    """
    a = np.asarray(alpha, float)
    safe = np.where(a > 0, a, 1.0)
    return np.where(a > 0, stats.f.ppf(0.75, 2 / safe, 2 / safe), 1.0)


def decile_ratio(alpha: float | np.ndarray) -> np.ndarray:
    """90th over 10th percentile of the gamma frailty (mean 1, variance alpha)."""
    a = np.asarray(alpha, float)
    shape = 1 / np.where(a > 0, a, 1.0)
    ratio = stats.gamma.ppf(0.9, shape) / stats.gamma.ppf(0.1, shape)
    return np.where(a > 0, ratio, 1.0)


def variation_table(alpha: dict[str, float]) -> pd.DataFrame:
    """alpha and its reader's scales, each with alpha's interval mapped through.

    Returns [quantity, estimate, conf_low, conf_high, meaning].
    """
    values = np.array([alpha["estimate"], alpha["conf_low"], alpha["conf_high"]])
    rows = {
        "alpha": (values, "NB2 dispersion: variance of the gamma frailty (mean 1)"),
        "median_ratio": (
            median_ratio(values),
            "typical ratio (median) between the rates of two authorities alike in covariates",
        ),
        "decile_ratio": (
            decile_ratio(values),
            "rate of an authority at the 90th percentile over one at the 10th, covariates alike",
        ),
    }
    return pd.DataFrame(
        [(name, *map(float, v), meaning) for name, (v, meaning) in rows.items()],
        columns=["quantity", "estimate", "conf_low", "conf_high", "meaning"],
    )


def _capped_mean(rate: np.ndarray) -> np.ndarray:
    """E[min(N, K)] for N ~ Poisson(rate), interpolated on a log grid (error < 1e-6)."""
    grid = np.geomspace(1e-6, 1e4, 4001)
    exact = special.pdtrc(np.arange(K_ITEMS)[:, None], grid).sum(axis=0)
    return np.interp(np.log(np.clip(rate, 1e-6, 1e4)), np.log(grid), exact)


def _latent_at_least_k(mu: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draws of Y ~ NB2(mu, alpha) given Y >= K, one per element of mu (and alpha), by
    inverting the survival function over (0, P(Y >= K))."""
    shape = 1 / alpha
    p = shape / (shape + mu)
    tail = stats.nbinom.sf(K_ITEMS - 1, shape, p)
    return stats.nbinom.isf(rng.random(len(mu)) * tail, shape, p)


def _rate_draws(
    result: Any, rows: pd.DataFrame, n_draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior draws (n_draws x authorities) of each authority's full-answer rate, with
    the model's parameters drawn from their asymptotic normal distribution; and the
    expected items at the estimates."""
    exog = design(result, rows)
    full = full_answer(result, exog)
    params = np.asarray(result.params, float)
    theta = rng.multivariate_normal(params, np.asarray(result.cov_params()), size=n_draws)
    p = exog.shape[1]
    alpha = np.exp(theta[:, p])
    mu_seen, mu_full = np.exp(theta[:, :p] @ exog.T), np.exp(theta[:, :p] @ full.T)
    y = np.broadcast_to(rows["n_items"].to_numpy(float), mu_seen.shape).copy()
    for i in np.flatnonzero(y[0] >= K_ITEMS):
        y[:, i] = _latent_at_least_k(mu_seen[:, i], alpha, rng)
    shape = 1 / alpha[:, None]
    frailty = rng.gamma(shape + y, 1 / (shape + mu_seen))
    expected = moments(params, "censored_negative_binomial", full)[0]
    return mu_full * frailty, expected


def authority_estimates(
    result: Any, rows: pd.DataFrame, rng: np.random.Generator, n_draws: int = 4000
) -> pd.DataFrame:
    """Shrunken (empirical-Bayes) items per authority with 95% intervals and rank intervals.

    `result` is a censored NB2 fit; `rows` the responding authorities (with the model's
    covariates), which need not be the rows it was fitted to (e.g. small authorities kept
    apart). Each estimate is the authority's expected items out of K had it answered in
    full, E[min(N, K)] with N ~ Poisson(rate): its posterior mean and 2.5th and 97.5th
    percentiles. Ranks (1 = most items) are taken within each posterior draw; rank is that
    of the estimate, rank_low and rank_high the 2.5th and 97.5th percentiles.
    Returns [la_code, la_name, region_name, status, observed_items, expected_items,
    estimate, conf_low, conf_high, rank, rank_low, rank_high].
    """
    rate, expected = _rate_draws(result, rows, n_draws, rng)
    items = _capped_mean(rate)
    ranks = rate.shape[1] - rate.argsort(axis=1).argsort(axis=1)
    estimate = items.mean(axis=0)
    out = rows[["la_code", "la_name", "region_name", "status"]].reset_index(drop=True)
    return out.assign(
        observed_items=rows["n_items"].to_numpy(int),
        expected_items=expected,
        estimate=estimate,
        conf_low=np.quantile(items, 0.025, axis=0),
        conf_high=np.quantile(items, 0.975, axis=0),
        rank=stats.rankdata(-estimate, method="min").astype(int),
        rank_low=np.floor(np.quantile(ranks, 0.025, axis=0)).astype(int),
        rank_high=np.ceil(np.quantile(ranks, 0.975, axis=0)).astype(int),
    ).sort_values(["rank", "la_name"], ignore_index=True)
