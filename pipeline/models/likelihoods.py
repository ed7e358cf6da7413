"""Likelihoods statsmodels lacks, for items out of K: the NB2 right-censored at K and the
beta-binomial. Both are `GenericLikelihoodModel`s and work with `from_formula`.

Cameron AC, Trivedi PK (2013) Regression Analysis of Count Data, 2nd edn, section 4.3
(censored counts); Terza JV (1985) A Tobit-type estimator for the censored Poisson
regression model. Economics Letters 18:361-365.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import special, stats
from statsmodels.base.model import GenericLikelihoodModel, LikelihoodResultsWrapper
from statsmodels.tools.numdiff import approx_fprime

from pipeline.taxonomy import K_ITEMS


def nb2_terms(
    eta: np.ndarray, log_alpha: float, upper: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NB2 log-probabilities of 0..upper and their derivatives, stable as alpha -> 0.

    log f(j) = sum_{i<j} log(1 + i alpha) + j eta - (j + 1/alpha) log(1 + alpha mu) - log j!
    with mu = exp(eta). Returns three (n, upper + 1) arrays: log f, d log f / d eta and
    d log f / d log(alpha).
    """
    alpha, mu = np.exp(log_alpha), np.exp(eta)[:, None]
    j = np.arange(upper + 1, dtype=float)
    sum_log = np.concatenate([[0.0], np.cumsum(np.log1p(j[:-1] * alpha))])
    sum_frac = np.concatenate([[0.0], np.cumsum(j[:-1] / (1 + j[:-1] * alpha))])
    am = alpha * mu
    log1p_am = np.log1p(am)
    log_f = sum_log + j * eta[:, None] - (j + 1 / alpha) * log1p_am - special.gammaln(j + 1)
    d_eta = (j - mu) / (1 + am)
    d_log_alpha = alpha * sum_frac + log1p_am / alpha - (alpha * j + 1) * mu / (1 + am)
    return log_f, d_eta, d_log_alpha


def nb2_at_least(mu: np.ndarray, alpha: float, upper: int) -> np.ndarray:
    """P(Y >= upper) for Y ~ NB2(mu, alpha), by the regularised incomplete beta function."""
    return special.betainc(upper, 1 / alpha, alpha * mu / (1 + alpha * mu))


class CensoredNegativeBinomial(GenericLikelihoodModel):
    """NB2 regression (log link) of a count right-censored at `upper`.

    A count of `upper` is read as "at least `upper`": the generator's own model of items
    (NB2 capped at K). Parameters: the regression coefficients, then log_alpha. The score
    is analytic; the Hessian is its numerical derivative.
    """

    def __init__(self, endog: Any, exog: Any, upper: int = K_ITEMS, **kwds: Any) -> None:
        self.upper = upper
        super().__init__(endog, exog, extra_params_names=["log_alpha"], **kwds)
        y = np.asarray(self.endog)
        if (y < 0).any() or (y > upper).any() or (y != np.round(y)).any():
            raise ValueError(f"counts must be whole numbers from 0 to {upper}")
        self._y = y.astype(int)
        self._censored = self._y == upper

    def _pieces(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per observation: log-likelihood, d/d eta and d/d log(alpha)."""
        eta = self.exog @ params[:-1]
        log_f, d_eta, d_la = nb2_terms(eta, params[-1], self.upper)
        rows = np.arange(len(eta))
        y = np.minimum(self._y, self.upper - 1)
        ll, g_eta, g_la = log_f[rows, y], d_eta[rows, y], d_la[rows, y]
        c = self._censored
        if c.any():
            below = np.exp(log_f[c, : self.upper])  # f(0) .. f(upper - 1)
            tail = nb2_at_least(np.exp(eta[c]), np.exp(params[-1]), self.upper)
            ll[c] = np.log(tail)
            g_eta[c] = -np.sum(below * d_eta[c, : self.upper], axis=1) / tail
            g_la[c] = -np.sum(below * d_la[c, : self.upper], axis=1) / tail
        return ll, g_eta, g_la

    def loglikeobs(self, params: np.ndarray) -> np.ndarray:
        return self._pieces(np.asarray(params, float))[0]

    def loglike_and_score(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """Log-likelihood and score in one pass (for profiling alpha)."""
        ll, g_eta, g_la = self._pieces(np.asarray(params, float))
        return float(ll.sum()), np.append(self.exog.T @ g_eta, g_la.sum())

    def score_obs(self, params: np.ndarray) -> np.ndarray:
        _, g_eta, g_la = self._pieces(np.asarray(params, float))
        return np.column_stack([self.exog * g_eta[:, None], g_la])

    def score(self, params: np.ndarray) -> np.ndarray:
        return self.score_obs(params).sum(axis=0)

    def hessian(self, params: np.ndarray) -> np.ndarray:
        h = approx_fprime(np.asarray(params, float), self.score, centered=True)
        return (h + h.T) / 2

    def fit(self, start_params: Any = None, **kwds: Any) -> Any:
        if start_params is None:
            poisson = sm.GLM(self.endog, self.exog, family=sm.families.Poisson()).fit()
            mu = poisson.fittedvalues
            moment = np.mean(((self.endog - mu) ** 2 - mu) / mu**2)
            start_params = np.append(poisson.params, np.log(np.clip(moment, 0.05, 5.0)))
        options = {"method": "bfgs", "disp": 0, "maxiter": 500, **kwds}
        return LikelihoodResultsWrapper(super().fit(start_params=start_params, **options))


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
