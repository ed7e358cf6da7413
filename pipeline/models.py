"""Statistical models of variation in provision: counts, items, regions, non-response.

Each function takes the model frame (the cleaned FOI table joined to covariates by
`model_frame`) and explicit arguments, and returns a fitted result or a tidy frame; nothing
reads files. Fit models to one round at a time: an authority's rounds are correlated.
Covariates are named as in params.yaml (`imd_z`, `log_pop_z`, `region`); region enters as
treatment contrasts against `reference_region`, and terms come out as `region[<code>]`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import optimize, special, stats
from statsmodels.base.model import GenericLikelihoodModel, LikelihoodResultsWrapper
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

from pipeline.taxonomy import ITEM_IDS, ITEM_LABELS, K_ITEMS

FAMILIES = ("poisson", "negative_binomial")
_Z = stats.norm.ppf(0.975)
_AUXILIARY = ("alpha", "logit_rho")  # shape parameters, not regression terms
_CONTRAST = re.compile(r'C\((\w+)(?:, Treatment\(reference="[^"]*"\))?\)\[(?:T\.)?(.+)\]')


# --- the model frame ---------------------------------------------------------------------


def standardised_covariates(covariates: pd.DataFrame) -> pd.DataFrame:
    """z-scores of IMD score and of log female 18+ population: [la_code, imd_z, log_pop_z].

    Standardised over the rows given (all authorities of one geography year), sample SD.
    """
    imd = covariates["imd_score"].astype(float)
    log_pop = np.log(covariates["pop_female_18plus"].astype(float))
    return pd.DataFrame(
        {
            "la_code": covariates["la_code"].to_numpy(),
            "imd_z": ((imd - imd.mean()) / imd.std()).to_numpy(),
            "log_pop_z": ((log_pop - log_pop.mean()) / log_pop.std()).to_numpy(),
        }
    )


def model_frame(responses: pd.DataFrame, covariates: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """The FOI table with imd_z, log_pop_z (standardised within each round) and region.

    Parameters
    ----------
    responses
        The cleaned `foi_responses` table, one row per authority per round.
    covariates
        `geography.covariates(reference_dir, year)` for each geography year in `responses`.
        Standardising over all authorities of the round's geography is standardising within
        the round, since every authority was asked.
    """
    parts = []
    for name, rows in responses.groupby("round", sort=False):
        year = int(rows["geography_year"].iloc[0])
        if year not in covariates:
            raise ValueError(f"round {name}: no covariates for geography year {year}")
        part = rows.merge(standardised_covariates(covariates[year]), on="la_code", how="left")
        missing = part.loc[part["imd_z"].isna(), "la_code"]
        if len(missing):
            raise ValueError(f"round {name}: no covariates for {sorted(missing)}")
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    return frame.assign(region=frame["region_code"])


def _responders(frame: pd.DataFrame) -> pd.DataFrame:
    """Authorities that reported their items, with n_items as float for the formula."""
    rows = frame[frame["n_items"].notna()]
    return rows.assign(n_items=rows["n_items"].astype(float))


def _rhs(covariates: list[str], reference_region: str) -> str:
    region = f'C(region, Treatment(reference="{reference_region}"))'
    return " + ".join(region if c == "region" else c for c in covariates) or "1"


def _tidy(name: str) -> str:
    """`C(region, Treatment(reference="X"))[T.Y]` -> `region[Y]`; other names unchanged."""
    return _CONTRAST.sub(r"\1[\2]", name)


def _one_round(frame: pd.DataFrame) -> pd.DataFrame:
    if frame["round"].nunique() != 1:
        raise ValueError(f"fit one round at a time (got rounds {sorted(frame['round'].unique())})")
    return frame


# --- description -------------------------------------------------------------------------


def items_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Responding authorities by number of items: [round, n_items, n_authorities, share]."""
    rows = _responders(frame)
    table = pd.crosstab(rows["round"], rows["n_items"].astype(int))
    table = table.reindex(columns=range(K_ITEMS + 1), fill_value=0).rename_axis(columns="n_items")
    out = table.stack().rename("n_authorities").reset_index()
    total = out.groupby("round")["n_authorities"].transform("sum")
    return out.assign(share=out["n_authorities"] / total)


def item_shares(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Share of responding authorities offering each item, with Wilson 95% intervals.

    Only "yes" counts as offering; the denominator is every authority that reported items.
    Returns [round, <by>, item, label, n, offering, share, conf_low, conf_high].
    """
    keys = ["round"] + ([by] if by else [])
    long = _responders(frame).melt(
        id_vars=keys, value_vars=list(ITEM_IDS), var_name="item", value_name="answer"
    )
    out = (
        long.assign(offered=long["answer"].eq("yes"))
        .groupby(keys + ["item"], sort=False)
        .agg(n=("offered", "size"), offering=("offered", "sum"))
        .reset_index()
    )
    low, high = proportion_confint(out["offering"], out["n"], method="wilson")
    return out.assign(
        label=out["item"].map(ITEM_LABELS),
        share=out["offering"] / out["n"],
        conf_low=low,
        conf_high=high,
    )[[*keys, "item", "label", "n", "offering", "share", "conf_low", "conf_high"]]


# --- count models ------------------------------------------------------------------------


def _fit(frame: pd.DataFrame, covariates: list[str], reference_region: str, family: str) -> Any:
    """One model of one round: items among responders (poisson, negative_binomial: NB2 by
    maximum likelihood) or whether an authority responded (response: logistic GLM)."""
    rhs = _rhs(covariates, reference_region)
    if family == "response":
        data = frame.assign(responded=frame["responded"].astype(float))
        return smf.glm(f"responded ~ {rhs}", data, family=sm.families.Binomial()).fit()
    fitter = {"poisson": smf.poisson, "negative_binomial": smf.negativebinomial}[family]
    return fitter(f"n_items ~ {rhs}", _responders(frame)).fit(disp=0, maxiter=200)


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
    frame = _one_round(frame)
    poisson = _fit(frame, covariates, reference_region, "poisson")
    nb = _fit(frame, covariates, reference_region, "negative_binomial")
    lr = max(2.0 * (nb.llf - poisson.llf), 0.0)
    tests = poisson.get_diagnostic().test_dispersion()
    dispersion = pd.DataFrame(
        {"test": tests.method, "statistic": tests.statistic, "p_value": tests.pvalue}
    )
    return CountModels(poisson, nb, lr, 0.5 * stats.chi2.sf(lr, 1), dispersion)


def choose_family(models: CountModels, family: str, alpha: float) -> tuple[str, str]:
    """The count family to report and why: `auto` takes NB2 only if the boundary LR test
    rejects alpha = 0 at `alpha` and NB2 has the lower AIC; otherwise Poisson."""
    aic_p, aic_nb = models.poisson.aic, models.negative_binomial.aic
    evidence = (
        f"LR test of alpha = 0: p = {models.p_alpha:.3g}; AIC Poisson {aic_p:.1f}, NB2 {aic_nb:.1f}"
    )
    if family in FAMILIES:
        return family, f"{family} fixed in params.yaml ({evidence})"
    if family != "auto":
        raise ValueError(f"family must be auto, poisson or negative_binomial (got {family!r})")
    if models.p_alpha < alpha and aic_nb < aic_p:
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
            "term": [_tidy(n) for n in result.params.index],
            "estimate": np.exp(result.params.to_numpy()),
            "conf_low": ci.iloc[:, 0].to_numpy(),
            "conf_high": ci.iloc[:, 1].to_numpy(),
            "p_value": result.pvalues.to_numpy(),
        }
    )
    return out[~out["term"].isin(_AUXILIARY)].reset_index(drop=True)


def diagnostics(models: CountModels, family: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Pearson residuals, fitted values and Cook's distance of the chosen count model.

    statsmodels has no influence measures for the discrete NB2 model, so NB2 is refitted as
    a GLM with alpha fixed at its ML estimate: the same mean model and the same fitted values.
    Returns [la_name, fitted, residual, influence].
    """
    chosen = getattr(models, family)
    alpha = chosen.params.get("alpha", 0.0)
    nb = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    glm = sm.GLM(chosen.model.endog, chosen.model.exog, family=nb).fit()
    rows = _responders(_one_round(frame))
    return pd.DataFrame(
        {
            "label": rows["la_name"].to_numpy(),
            "fitted": glm.fittedvalues,
            "residual": glm.resid_pearson,
            "influence": glm.get_influence().cooks_distance[0],
        }
    )


# --- bounded outcome: at most K items ----------------------------------------------------


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
    data = _responders(_one_round(frame))
    formula = f"n_items ~ {_rhs(covariates, reference_region)}"
    return BetaBinomial.from_formula(formula, data, n_trials=n_trials).fit()


def fit_quasi_binomial(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, n_trials: int = K_ITEMS
) -> Any:
    """Quasi-binomial fit of the share of K items offered (Pearson scale).

    The share with var_weights = K: the two-column form divides the scale by K in
    statsmodels 0.15, shrinking the standard errors by sqrt(K).
    """
    rows = _responders(_one_round(frame))
    data = rows.assign(share=rows["n_items"] / n_trials)
    return smf.glm(
        f"share ~ {_rhs(covariates, reference_region)}",
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


# --- items clustered within authorities --------------------------------------------------


def fit_item_gee(frame: pd.DataFrame, covariates: list[str], reference_region: str) -> Any:
    """Logistic GEE of each item offered (yes = 1, anything else 0) among responders.

    Long format (authority x item), item as a fixed effect, exchangeable correlation within
    authority, robust SEs. Estimates are population-averaged: smaller than the conditional
    (authority-specific) odds ratios a random-intercept model would give.
    """
    rows = _responders(_one_round(frame))
    keep = ["la_code", *(c for c in ("region", "imd_z", "log_pop_z") if c in covariates)]
    long = rows.melt(id_vars=keep, value_vars=list(ITEM_IDS), var_name="item", value_name="ans")
    long = long.assign(offered=long["ans"].eq("yes").astype(float)).sort_values("la_code")
    formula = (
        f'offered ~ C(item, Treatment(reference="{ITEM_IDS[0]}")) + '
        f"{_rhs(covariates, reference_region)}"
    )
    return smf.gee(
        formula,
        groups="la_code",
        data=long,
        family=sm.families.Binomial(),
        cov_struct=sm.cov_struct.Exchangeable(),
    ).fit()


def adjusted_item_prevalence(gee: Any) -> pd.DataFrame:
    """Covariate-adjusted share offering each item, by marginal standardisation.

    For each item, predict for every responding authority as if asked about that item, and
    average. 95% intervals by the delta method with the GEE's robust covariance, formed on
    the logit scale so they stay in (0, 1).
    Returns [item, label, estimate, conf_low, conf_high].
    """
    names = [_tidy(n) for n in gee.model.exog_names]
    _, first = np.unique(gee.model.groups, return_index=True)
    base = pd.DataFrame(gee.model.exog[first], columns=names)  # one row per authority
    item_cols = [n for n in names if n.startswith("item[")]
    beta, cov = gee.params.to_numpy(), gee.cov_params().to_numpy()
    rows = []
    for item in ITEM_IDS:
        x = base.assign(**{c: float(c == f"item[{item}]") for c in item_cols}).to_numpy()
        p = special.expit(x @ beta)
        est = p.mean()
        grad = (p * (1 - p)) @ x / len(p)
        se_logit = np.sqrt(grad @ cov @ grad) / (est * (1 - est))
        low, high = special.expit(special.logit(est) + np.array([-_Z, _Z]) * se_logit)
        rows.append((item, ITEM_LABELS[item], est, low, high))
    return pd.DataFrame(rows, columns=["item", "label", "estimate", "conf_low", "conf_high"])


# --- regions -----------------------------------------------------------------------------


def region_lr_test(
    frame: pd.DataFrame, covariates: list[str], reference_region: str, family: str
) -> pd.DataFrame:
    """LR test of region in one round's model (`family`: poisson, negative_binomial, or
    response for the non-response model). Returns [test, statistic, df, p_value]."""
    frame = _one_round(frame)
    full = _fit(frame, covariates, reference_region, family)
    reduced = _fit(frame, [c for c in covariates if c != "region"], reference_region, family)
    lr = max(2.0 * (full.llf - reduced.llf), 0.0)
    df = len(full.params) - len(reduced.params)
    return pd.DataFrame(
        {
            "test": [f"region ({family})"],
            "statistic": [lr],
            "df": [df],
            "p_value": [stats.chi2.sf(lr, df)],
        }
    )


def _q_profile(effect: np.ndarray, variance: np.ndarray) -> tuple[float, float]:
    """95% Q-profile interval for tau^2 (Viechtbauer 2007)."""

    def q(tau2: float) -> float:
        w = 1.0 / (variance + tau2)
        return float(np.sum(w * (effect - np.sum(w * effect) / np.sum(w)) ** 2))

    def solve(target: float) -> float:
        if q(0.0) <= target:
            return 0.0
        high = 1.0
        while q(high) > target:
            high *= 2.0
        return optimize.brentq(lambda t: q(t) - target, 0.0, high)

    k = len(effect)
    return solve(stats.chi2.ppf(0.975, k - 1)), solve(stats.chi2.ppf(0.025, k - 1))


@dataclass(frozen=True)
class RegionVariance:
    """Between-region variance of log mean items, and the region effects behind it."""

    effects: pd.DataFrame  # [region, region_name, n, log_effect, se]: NB2 region intercepts
    mean_effect: float  # random-effects mean of the region intercepts
    tau2: float
    tau2_low: float
    tau2_high: float
    q: float
    p_heterogeneity: float
    level1_variance: float
    share: float
    share_low: float
    share_high: float

    def summary(self) -> pd.DataFrame:
        """[quantity, estimate, conf_low, conf_high] for tau^2 and the region share."""
        return pd.DataFrame(
            {
                "quantity": ["tau2", "region_share"],
                "estimate": [self.tau2, self.share],
                "conf_low": [self.tau2_low, self.share_low],
                "conf_high": [self.tau2_high, self.share_high],
            }
        )


def region_variance(frame: pd.DataFrame, covariates: list[str]) -> RegionVariance:
    """Between-region variance: NB2 with one intercept per region (cell-means coding),
    then a Paule-Mandel random-effects meta-analysis of those intercepts.

    The region share is tau^2 / (tau^2 + s^2), where s^2 = trigamma(1 / (1/mu + alpha)) is
    the level-1 (authority) variance on the log scale of an NB2 with mean mu (the mean
    fitted count) and dispersion alpha: the trigamma approximation that Nakagawa, Johnson
    and Schielzeth (2017) found most accurate for log-link models (log(1 + 1/mu + alpha),
    the lognormal one, is smaller by a third at mu = 5, alpha = 0.3, and would inflate the
    share). Its interval maps the Q-profile interval of tau^2, holding s^2 fixed.
    The meta-analysis treats the intercepts as independent; they share the slopes, a small
    covariance ignored here.
    """
    rows = _responders(_one_round(frame))
    others = [c for c in covariates if c != "region"]
    nb = smf.negativebinomial("n_items ~ " + " + ".join(["0 + C(region)", *others]), rows).fit(
        disp=0, maxiter=200
    )
    terms = [n for n in nb.params.index if n.startswith("C(region)")]
    effect = nb.params[terms].to_numpy()
    variance = np.diag(nb.cov_params().loc[terms, terms].to_numpy())
    regions = [_tidy(t)[len("region[") : -1] for t in terms]
    names = rows.groupby("region")["region_name"].first() if "region_name" in rows else None
    effects = pd.DataFrame(
        {
            "region": regions,
            "region_name": names.reindex(regions).to_numpy() if names is not None else regions,
            "n": rows["region"].value_counts().reindex(regions).to_numpy(),
            "log_effect": effect,
            "se": np.sqrt(variance),
        }
    )
    meta = combine_effects(effect, variance, method_re="pm")
    tau2 = float(meta.tau2)
    low, high = _q_profile(effect, variance)
    level1 = float(special.polygamma(1, 1.0 / (1.0 / nb.predict().mean() + nb.params["alpha"])))
    share = [t / (t + level1) for t in (tau2, low, high)]
    return RegionVariance(
        effects,
        float(meta.mean_effect_re),
        tau2,
        low,
        high,
        float(meta.q),
        float(stats.chi2.sf(meta.q, len(effect) - 1)),
        level1,
        *share,
    )


def region_effects_table(rv: RegionVariance) -> pd.DataFrame:
    """Region effects for a caterpillar plot, as rate ratios against the random-effects mean.

    Raw estimates with 95% CIs (the uncertainty of the mean is ignored) and empirical Bayes
    shrunken estimates (each pulled to the mean by tau^2 / (tau^2 + se^2)).
    Returns [region, region_name, n, estimate, conf_low, conf_high, shrunken].
    """
    e = rv.effects
    centred = e["log_effect"] - rv.mean_effect
    weight = rv.tau2 / (rv.tau2 + e["se"] ** 2)
    return (
        e[["region", "region_name", "n"]]
        .assign(
            estimate=np.exp(centred),
            conf_low=np.exp(centred - _Z * e["se"]),
            conf_high=np.exp(centred + _Z * e["se"]),
            shrunken=np.exp(weight * centred),
        )
        .sort_values("estimate", ignore_index=True)
    )


# --- non-response ------------------------------------------------------------------------


def fit_response_model(frame: pd.DataFrame, covariates: list[str], reference_region: str) -> Any:
    """Logistic GLM of responding, one round. A region where every authority responded has
    no finite odds ratio (quasi-separation); read `region_lr_test(..., "response")` then."""
    return _fit(_one_round(frame), covariates, reference_region, "response")


def _rubin(estimates: np.ndarray, variances: np.ndarray) -> pd.DataFrame:
    """Rubin's rules over imputations (rows): pooled estimate, CI and p on the log scale."""
    m = len(estimates)
    qbar, within = estimates.mean(axis=0), variances.mean(axis=0)
    between = estimates.var(axis=0, ddof=1)
    total = within + (1 + 1 / m) * between
    ratio = (1 + 1 / m) * between / within
    df = (m - 1) * (1 + 1 / np.maximum(ratio, 1e-12)) ** 2
    se, t = np.sqrt(total), stats.t.ppf(0.975, df)
    return pd.DataFrame(
        {
            "estimate": qbar,
            "conf_low": qbar - t * se,
            "conf_high": qbar + t * se,
            "p_value": 2 * stats.t.sf(np.abs(qbar / se), df),
        }
    )


def nonresponse_sensitivity(
    frame: pd.DataFrame,
    covariates: list[str],
    reference_region: str,
    family: str,
    n_imputations: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The count model of one round under three assumptions about non-responders.

    complete_cases: responders only. multiple_imputation: non-responders' n_items drawn
    `n_imputations` times from the fitted model (parameters drawn from their asymptotic
    normal sampling distribution, then counts from the Poisson or NB2, capped at K),
    combined by Rubin's rules; missing at random given the covariates. zero_items:
    non-responders offer nothing (a bound). Model-based SEs throughout.
    Returns [scenario, term, estimate, conf_low, conf_high, p_value, n] with IRRs.
    """
    frame = _one_round(frame)
    missing = frame["n_items"].isna().to_numpy()
    complete = _fit(frame, covariates, reference_region, family)
    # The same design over every authority, non-responders included.
    filled = frame.assign(n_items=frame["n_items"].astype(float).fillna(0.0))
    full_model = _fit(filled, covariates, reference_region, family).model
    n_beta = full_model.exog.shape[1]
    exog = pd.DataFrame(full_model.exog, columns=full_model.exog_names[:n_beta])
    refit = {"poisson": sm.Poisson, "negative_binomial": sm.NegativeBinomial}[family]

    def fit_completed(y_missing: np.ndarray) -> Any:
        y = full_model.endog.copy()
        y[missing] = y_missing
        return refit(y, exog).fit(disp=0, maxiter=200)

    draws = rng.multivariate_normal(complete.params, complete.cov_params(), size=n_imputations)
    estimates, variances = [], []
    for params in draws:
        mu = np.exp(exog.to_numpy()[missing] @ params[:n_beta])
        if family == "negative_binomial":
            shape = 1.0 / max(params[n_beta], 1e-8)
            mu = rng.gamma(shape, mu / shape)
        result = fit_completed(np.minimum(rng.poisson(mu), K_ITEMS).astype(float))
        estimates.append(result.params.to_numpy()[:n_beta])
        variances.append(np.diag(result.cov_params().to_numpy())[:n_beta])
    pooled = _rubin(np.array(estimates), np.array(variances))
    pooled[["estimate", "conf_low", "conf_high"]] = np.exp(
        pooled[["estimate", "conf_low", "conf_high"]]
    )
    pooled.insert(0, "term", [_tidy(n) for n in exog.columns])
    zero = fit_completed(np.zeros(missing.sum()))
    tables = {
        "complete_cases": (irr_table(complete, robust=False), int((~missing).sum())),
        "multiple_imputation": (pooled, len(frame)),
        "zero_items": (irr_table(zero, robust=False), len(frame)),
    }
    return pd.concat(
        [t.assign(scenario=s, n=n) for s, (t, n) in tables.items()], ignore_index=True
    )[["scenario", "term", "estimate", "conf_low", "conf_high", "p_value", "n"]]


# --- metrics -----------------------------------------------------------------------------


def fit_metrics(models: CountModels, family: str, region_test: pd.DataFrame) -> dict[str, Any]:
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
