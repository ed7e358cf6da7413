"""The models of variation: agreement with statsmodels, recovery of known truth, small frames."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import integrate, special, stats
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint
from statsmodels.tools.numdiff import approx_fprime, approx_hess

from pipeline import config, models
from pipeline.models.count import FITTERS
from pipeline.models.fitted import draw_items
from pipeline.models.likelihoods import CensoredNegativeBinomial
from pipeline.models.nonresponse import _rubin
from pipeline.models.regions import _q_profile
from pipeline.models.variation import decile_ratio, median_ratio
from pipeline.synth import provision
from pipeline.synth.provision import TRUTH
from pipeline.taxonomy import ITEM_IDS, K_ITEMS

REGIONS = [code for code, _ in TRUTH.region_effects]
LONDON = "E12000007"
COVARIATES = ["imd_z", "log_pop_z", "region"]


def _covariates(n: int, rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": [f"E{i:08d}" for i in range(n)],
            "imd_score": rng.uniform(5, 45, n),
            "pop_female_18plus": np.exp(rng.normal(12, 0.6, n)),
        }
    )


def _responses(seed: int, n: int = 152, truth=TRUTH) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A cleaned FOI table of one round simulated from `truth`, and its covariates."""
    rng = np.random.default_rng(seed)
    covariates = _covariates(n, rng)
    authorities = pd.DataFrame(
        {"la_code": covariates["la_code"], "region_code": np.resize(REGIONS, n)}
    )
    design = provision.design_frame(authorities, covariates)
    items = provision.simulate_items(
        design, truth, rng, 0, provision.draw_frailty(design["la_code"], truth, rng)
    )
    responded = provision.simulate_response(design, truth, rng).to_numpy()
    table = authorities.assign(
        round="2021",
        geography_year=2021,
        la_name=authorities["la_code"],
        region_name="Region " + authorities["region_code"].str[-1],
        status=np.where(responded, "full", "no_response"),
        responded=responded,
        n_items=pd.array(np.where(responded, items["n_items"], 0), dtype="Int64"),
    )
    table.loc[~responded, "n_items"] = pd.NA
    for item in ITEM_IDS:
        table[item] = np.where(responded, np.where(items[item] == 1, "yes", "no"), "unknown")
    return table, covariates


def _frame(seed: int, n: int = 152, truth=TRUTH) -> pd.DataFrame:
    table, covariates = _responses(seed, n, truth)
    return models.model_frame(table, {2021: covariates})


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _frame(11)


# --- (a) the project's fits equal direct statsmodels fits on a bundled data set ----------


@pytest.fixture(scope="module")
def randhie() -> pd.DataFrame:
    data = sm.datasets.randhie.load_pandas().data.iloc[:3000]
    return data.assign(n_items=data["mdvis"], round="r")


def test_count_models_equal_direct_statsmodels_fits(randhie):
    covariates = ["lncoins", "idp", "lpi", "physlm", "disea"]
    fitted = {
        f: models.fit_count(randhie, covariates, "unused", f)
        for f in ("poisson", "negative_binomial")
    }
    formula = "mdvis ~ lncoins + idp + lpi + physlm + disea"
    poisson = smf.poisson(formula, randhie).fit(disp=0)
    nb = smf.negativebinomial(formula, randhie).fit(disp=0, maxiter=200)
    np.testing.assert_allclose(fitted["poisson"].params, poisson.params, rtol=1e-6)
    np.testing.assert_allclose(fitted["negative_binomial"].params, nb.params, rtol=1e-6)
    np.testing.assert_allclose(fitted["negative_binomial"].bse, nb.bse, rtol=1e-6)
    table = models.irr_table(fitted["negative_binomial"], robust=True)
    robust = nb.model.fit(start_params=nb.params, disp=0, cov_type="HC0")
    np.testing.assert_allclose(table["estimate"], np.exp(nb.params.iloc[:-1]), rtol=1e-6)
    np.testing.assert_allclose(
        table["conf_high"], np.exp(robust.conf_int().iloc[:-1, 1]), rtol=1e-6
    )


def test_boundary_lr_test_of_alpha_is_half_the_chi_squared_tail(frame):
    fitted = models.fit_count_models(frame, COVARIATES, LONDON)
    lr = 2 * (fitted.negative_binomial.llf - fitted.poisson.llf)
    assert fitted.lr_alpha == pytest.approx(lr)
    assert fitted.p_alpha == pytest.approx(0.5 * stats.chi2.sf(lr, 1))


# --- (b) known truth: interval coverage and recovery -------------------------------------


def test_nb_intervals_cover_the_true_irrs():
    truth = {"imd_z": np.exp(TRUTH.beta_imd), "log_pop_z": np.exp(TRUTH.beta_pop)}
    hits = {term: 0 for term in truth}
    n_sims = 40
    for seed in range(n_sims):
        fitted = models.fit_count_models(_frame(1000 + seed), COVARIATES, LONDON)
        table = models.irr_table(fitted.negative_binomial, robust=False).set_index("term")
        for term, value in truth.items():
            hits[term] += table.at[term, "conf_low"] <= value <= table.at[term, "conf_high"]
    # Binomial(40, 0.95) falls below 34 with probability 0.014.
    assert hits["imd_z"] / n_sims >= 0.85
    assert hits["log_pop_z"] / n_sims >= 0.85


def test_item_gee_recovers_the_population_averaged_prevalence():
    """Items correlated within authority through a shared random intercept: the GEE's
    adjusted prevalence is the marginal share offering each item, not the share for a typical
    (random effect 0) authority, and its interval has the binomial width of n authorities."""
    rng = np.random.default_rng(4)
    n, sigma = 3000, 2.0
    typical = np.linspace(-2.0, 2.0, K_ITEMS)  # logit of each item at random effect 0
    # The marginal prevalence E[expit(typical + sigma * u)], u ~ N(0, 1), by Gauss-Hermite:
    # 0.225 to 0.775, where the typical authority's runs from 0.119 to 0.881.
    nodes, weights = np.polynomial.hermite_e.hermegauss(60)
    truth = special.expit(typical[:, None] + sigma * nodes) @ weights / weights.sum()
    u = rng.normal(size=n)
    offered = rng.random((n, K_ITEMS)) < special.expit(typical + sigma * u[:, None])
    frame = pd.DataFrame(
        {
            "la_code": [f"E{i:08d}" for i in range(n)],
            "round": "r",
            "n_items": offered.sum(axis=1),
            "imd_z": rng.normal(size=n),  # no effect
            **{item: np.where(offered[:, k], "yes", "no") for k, item in enumerate(ITEM_IDS)},
        }
    )
    out = models.adjusted_item_prevalence(models.fit_item_gee(frame, ["imd_z"], LONDON))
    estimate = out["estimate"].to_numpy()
    np.testing.assert_allclose(estimate, truth, atol=0.04)  # about 4 SE
    assert np.abs(estimate - special.expit(typical)).max() > 0.08
    # Authorities are independent, so an item's share has SE sqrt(p (1 - p) / n).
    logit_width = special.logit(out["conf_high"]) - special.logit(out["conf_low"])
    se = logit_width / (2 * stats.norm.ppf(0.975)) * estimate * (1 - estimate)
    np.testing.assert_allclose(se, np.sqrt(truth * (1 - truth) / n), rtol=0.1)


# --- (c) the family choice ---------------------------------------------------------------


def test_every_count_family_has_one_fitter_and_params_accept_it():
    assert set(FITTERS) == set(typing.get_args(config.Family))
    family = config.Model.model_fields["family"].annotation
    assert set(typing.get_args(family)) == {"auto", *FITTERS}


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.HessianInversionWarning")
def test_choose_family_picks_poisson_without_overdispersion_else_the_lowest_aic():
    nearly_poisson = dataclasses.replace(TRUTH, alpha=1e-6)
    poisson = models.fit_count_models(_frame(3, n=300, truth=nearly_poisson), COVARIATES, LONDON)
    family, reason = models.choose_family(poisson, "auto", 0.05)
    assert family == "poisson"
    assert reason.startswith("no clear overdispersion: AIC ")
    # The generator's own model (NB2 capped at 13) fits its data best.
    data = _frame(3, n=300)
    assert (data["n_items"] == K_ITEMS).sum() > 0
    overdispersed = models.fit_count_models(data, COVARIATES, LONDON)
    assert overdispersed.p_alpha < 0.05
    family, reason = models.choose_family(overdispersed, "auto", 0.05)
    aic = {f: r.aic for f, r in overdispersed.fits().items()}
    assert family == min(aic, key=aic.get) == "censored_negative_binomial"
    assert reason.startswith("lowest AIC, NB2 censored at 13: AIC NB2 censored at 13 ")
    assert models.choose_family(overdispersed, "poisson", 0.05)[0] == "poisson"
    with pytest.raises(ValueError, match="family must be auto or one of poisson, negative_bin"):
        models.choose_family(overdispersed, "gamma", 0.05)


def test_a_censored_nb2_with_no_count_at_k_is_nb2_and_ties_go_to_nb2():
    rows = _frame(5)
    rows = rows[rows["n_items"].fillna(0) < K_ITEMS]
    fitted = models.fit_count_models(rows, COVARIATES, LONDON)
    nb, censored = fitted.negative_binomial, fitted.censored_negative_binomial
    assert censored.llf == pytest.approx(nb.llf, abs=1e-5)
    np.testing.assert_allclose(censored.params.iloc[:-1], nb.params.iloc[:-1], atol=1e-4)
    assert np.exp(censored.params["log_alpha"]) == pytest.approx(nb.params["alpha"], rel=1e-3)
    order = models.family_comparison(fitted, "negative_binomial")["model"].tolist()
    assert order.index("negative_binomial") == order.index("censored_negative_binomial") - 1


# --- (d) each function on small frames ---------------------------------------------------


def test_model_frame_standardises_within_the_round_and_names_missing_covariates():
    table, covariates = _responses(1, n=20)
    frame = models.model_frame(table, {2021: covariates})
    assert len(frame) == 20
    assert frame["imd_z"].mean() == pytest.approx(0, abs=1e-12)
    assert frame["log_pop_z"].std() == pytest.approx(1)
    assert (frame["region"] == frame["region_code"]).all()
    with pytest.raises(ValueError, match=r"round 2021: no covariates for \['E00000019'\]"):
        models.model_frame(table, {2021: covariates.iloc[:19]})
    with pytest.raises(ValueError, match="round 2021: no covariates for geography year 2021"):
        models.model_frame(table, {2023: covariates})


def test_models_refuse_several_rounds(frame):
    two = pd.concat([frame, frame.assign(round="2024")])
    with pytest.raises(
        ValueError, match=r"fit one round at a time \(got rounds \['2021', '2024'\]"
    ):
        models.fit_count_models(two, COVARIATES, LONDON)


def test_items_distribution_counts_responders_by_number_of_items():
    table = pd.DataFrame({"round": ["r"] * 4, "n_items": pd.array([0, 2, 2, pd.NA], dtype="Int64")})
    out = models.items_distribution(table)
    assert list(out.columns) == ["round", "n_items", "n_authorities", "share"]
    assert len(out) == K_ITEMS + 1
    assert out.set_index("n_items")["n_authorities"].loc[[0, 1, 2]].tolist() == [1, 0, 2]
    assert out["share"].sum() == pytest.approx(1)


def test_item_shares_counts_yes_among_responders_with_wilson_intervals():
    answers = {item: ["no", "no", "no", "unknown"] for item in ITEM_IDS}
    answers["childcare"] = ["yes", "yes", "not_held", "unknown"]
    table = pd.DataFrame(
        {
            "round": "r",
            "region_code": ["A", "A", "B", "B"],
            "n_items": pd.array([1, 1, 0, pd.NA], dtype="Int64"),
            **answers,
        }
    )
    out = models.item_shares(table).set_index("item")
    assert len(out) == K_ITEMS
    assert out.loc["childcare", ["n", "offering"]].tolist() == [3, 2]
    # Wilson interval for 2 of 3 by hand.
    z = stats.norm.ppf(0.975)
    centre = (2 + z**2 / 2) / (3 + z**2)
    half = z / (3 + z**2) * np.sqrt(2 * 1 / 3 + z**2 / 4)
    assert out.loc["childcare", "conf_low"] == pytest.approx(centre - half)
    assert out.loc["childcare", "conf_high"] == pytest.approx(centre + half)
    by = models.item_shares(table, by="region_code").set_index(["region_code", "item"])
    assert by.loc[("A", "childcare"), "share"] == 1.0
    assert by.loc[("B", "childcare"), "share"] == 0.0


def test_irr_table_is_tidy_and_intervals_contain_estimates(frame):
    fitted = models.fit_count_models(frame, COVARIATES, LONDON)
    table = models.irr_table(fitted.negative_binomial, robust=True)
    assert list(table.columns) == ["term", "estimate", "conf_low", "conf_high", "p_value"]
    assert table["term"].tolist() == [
        "Intercept",
        *(f"region[{r}]" for r in REGIONS if r != LONDON),
        "imd_z",
        "log_pop_z",
    ]
    assert (
        (table["conf_low"] < table["estimate"]) & (table["estimate"] < table["conf_high"])
    ).all()
    assert list(fitted.dispersion.columns) == ["test", "statistic", "p_value"]
    metrics = models.fit_metrics(
        fitted, "negative_binomial", models.region_lr_test(frame, COVARIATES, LONDON, "poisson")
    )
    assert metrics["n"] == int(frame["n_items"].notna().sum())
    assert metrics["aic_negative_binomial"] == pytest.approx(fitted.negative_binomial.aic)
    assert 0 <= metrics["p_region"] <= 1


def test_region_lr_test_has_one_df_per_non_reference_region(frame):
    out = models.region_lr_test(frame, COVARIATES, LONDON, "negative_binomial")
    assert out["df"].tolist() == [8]
    full = smf.negativebinomial(
        f'n_items ~ imd_z + log_pop_z + C(region, Treatment(reference="{LONDON}"))',
        frame[frame["n_items"].notna()].astype({"n_items": float}),
    ).fit(disp=0, maxiter=200)
    reduced = smf.negativebinomial(
        "n_items ~ imd_z + log_pop_z", frame[frame["n_items"].notna()].astype({"n_items": float})
    ).fit(disp=0, maxiter=200)
    assert out["statistic"].iloc[0] == pytest.approx(2 * (full.llf - reduced.llf), rel=1e-6)


def test_region_lr_test_is_the_closed_form_for_a_poisson_with_region_alone(frame):
    # Fitted means are the region means (full) and the overall mean (reduced), and the
    # sum of y - mu is 0 in both, so LR = 2 * sum(y * log(region mean / overall mean)).
    rows = frame[frame["n_items"].notna()]
    y = rows["n_items"].to_numpy(float)
    region_mean = rows.groupby("region")["n_items"].transform("mean").to_numpy(float)
    out = models.region_lr_test(frame, ["region"], LONDON, "poisson").iloc[0]
    assert out["test"] == "region (poisson)"
    assert out["statistic"] == pytest.approx(2 * np.sum(y * np.log(region_mean / y.mean())))
    assert out["df"] == rows["region"].nunique() - 1


def test_response_region_lr_test_is_the_g_test_of_region_by_response(frame):
    # A logistic model with region alone fits each region's response rate: its LR test of
    # region is the likelihood-ratio (G) test of independence of the region x response table.
    table = pd.crosstab(frame["region"], frame["responded"])
    g, p, df, _ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    out = models.response_region_lr_test(frame, ["region"], LONDON).iloc[0]
    assert out["test"] == "region (response)"
    assert out["statistic"] == pytest.approx(g, rel=1e-6)
    assert (out["df"], out["p_value"]) == (df, pytest.approx(p, rel=1e-5))


def test_quasi_binomial_scale_is_pearson_and_not_divided_by_k(frame):
    fit = models.fit_quasi_binomial(frame, ["imd_z"], LONDON)
    rows = frame[frame["n_items"].notna()]
    p = fit.fittedvalues.to_numpy()
    share = rows["n_items"].to_numpy(float) / K_ITEMS
    pearson = np.sum(K_ITEMS * (share - p) ** 2 / (p * (1 - p))) / (len(rows) - 2)
    assert fit.scale == pytest.approx(pearson)
    assert fit.scale > 1.5  # NB2 data are overdispersed relative to the binomial


def test_family_comparison_ranks_by_aic_and_marks_the_chosen_family(frame):
    fitted = models.fit_count_models(frame, COVARIATES, LONDON)
    out = models.family_comparison(fitted, "negative_binomial")
    assert sorted(out["model"]) == sorted(FITTERS)
    assert out["aic"].is_monotonic_increasing
    assert out["favoured"].tolist() == [True, False, False, False]
    assert out.set_index("model")["chosen"].to_dict()["negative_binomial"]
    assert out["chosen"].sum() == 1
    assert out.set_index("model").at["poisson", "n_params"] == 11
    assert out.set_index("model").at["censored_negative_binomial", "n_params"] == 12


def test_adjusted_item_prevalence_follows_item_weights(frame):
    out = models.adjusted_item_prevalence(models.fit_item_gee(frame, COVARIATES, LONDON))
    assert out["item"].tolist() == list(ITEM_IDS)
    assert ((out["conf_low"] < out["estimate"]) & (out["estimate"] < out["conf_high"])).all()
    raw = models.item_shares(frame).set_index("item")["share"]
    np.testing.assert_allclose(out.set_index("item")["estimate"], raw, atol=0.05)


def test_region_variance_and_effects_table(frame):
    rv = models.region_variance(frame, COVARIATES)
    assert rv.tau2_low <= rv.tau2 <= rv.tau2_high
    assert 0 <= rv.share_low <= rv.share <= rv.share_high < 1
    # trigamma(1 / (1/mu + alpha)) at mu about 4.5 and alpha about 0.3 is about 0.7.
    assert 0.5 < rv.level1_variance < 0.9
    assert rv.summary()["quantity"].tolist() == ["tau2", "region_share"]
    table = models.region_effects_table(rv)
    assert sorted(table["region"]) == sorted(REGIONS)
    assert table["n"].sum() == frame["n_items"].notna().sum()
    assert (
        (table["conf_low"] < table["estimate"]) & (table["estimate"] < table["conf_high"])
    ).all()
    # Shrinkage pulls every region towards the mean (rate ratio 1).
    assert (np.abs(np.log(table["shrunken"])) <= np.abs(np.log(table["estimate"]))).all()


def test_q_profile_interval_matches_its_definition():
    effect = np.array([0.1, -0.3, 0.25, 0.0, -0.1, 0.4])
    variance = np.full(6, 0.01)
    low, high = _q_profile(effect, variance)
    meta = combine_effects(effect, variance, method_re="pm")
    assert low < meta.tau2 < high

    def q(tau2):
        w = 1 / (variance + tau2)
        return np.sum(w * (effect - np.sum(w * effect) / np.sum(w)) ** 2)

    assert q(low) == pytest.approx(stats.chi2.ppf(0.975, 5), rel=1e-6)
    assert q(high) == pytest.approx(stats.chi2.ppf(0.025, 5), rel=1e-6)


def test_response_model_and_nonresponse_sensitivity(frame):
    response = models.fit_response_model(frame, ["imd_z"], LONDON)
    assert response.nobs == len(frame)
    assert models.irr_table(response, robust=False)["term"].tolist() == ["Intercept", "imd_z"]
    out = models.nonresponse_sensitivity(
        frame, COVARIATES, LONDON, "negative_binomial", 5, np.random.default_rng(0)
    )
    assert out["scenario"].unique().tolist() == [
        "complete_cases",
        "multiple_imputation",
        "zero_items",
    ]
    assert (out.groupby("scenario").size() == 11).all()
    n = out.groupby("scenario")["n_units"].first()
    assert n["complete_cases"] == frame["n_items"].notna().sum()
    assert n["multiple_imputation"] == n["zero_items"] == len(frame)
    assert ((out["conf_low"] < out["estimate"]) & (out["estimate"] < out["conf_high"])).all()
    imd = out[out["term"] == "imd_z"].set_index("scenario")["estimate"]
    assert imd["multiple_imputation"] == pytest.approx(imd["complete_cases"], rel=0.05)


def test_nonresponse_complete_cases_are_the_reported_censored_fit(frame):
    # The headline table's fit: the censored NB2 at its Cox-Reid alpha, t intervals.
    count = models.fit_count_models(frame, COVARIATES, LONDON)
    headline = models.irr_table(models.cox_reid(count.censored_negative_binomial).result, False)
    out = models.nonresponse_sensitivity(
        frame, COVARIATES, LONDON, "censored_negative_binomial", 3, np.random.default_rng(0)
    )
    complete = out[out["scenario"] == "complete_cases"].reset_index(drop=True)
    pd.testing.assert_frame_equal(complete[headline.columns], headline)
    # the bound refers to t too: 151 units, 11 coefficients and alpha leave 140 df
    zero = out[out["scenario"] == "zero_items"]
    log_ci = np.log(zero[["conf_low", "estimate", "conf_high"]].to_numpy())
    half = (log_ci[:, 2] - log_ci[:, 0]) / 2
    z = np.abs(log_ci[:, 1]) / half * stats.t.ppf(0.975, len(frame) - 12)
    np.testing.assert_allclose(zero["p_value"], 2 * stats.t.sf(z, len(frame) - 12), rtol=1e-6)


def test_rubin_rules_on_known_numbers():
    estimates = np.array([[1.0], [2.0], [3.0]])
    variances = np.array([[0.5], [0.5], [0.5]])
    out = _rubin(estimates, variances, np.inf)
    total = 0.5 + (1 + 1 / 3) * 1.0
    ratio = (1 + 1 / 3) * 1.0 / 0.5
    df = 2 * (1 + 1 / ratio) ** 2
    assert out["estimate"].iloc[0] == 2.0
    assert out["conf_high"].iloc[0] == pytest.approx(2 + stats.t.ppf(0.975, df) * np.sqrt(total))


def test_rubin_degrees_of_freedom_respect_the_complete_data_fits():
    # Barnard and Rubin (1999): B = 1, T = 0.5 + 4/3 = 11/6, gamma = (4/3) / (11/6) = 8/11;
    # nu_m = 2 / gamma^2 = 3.78125; with 10 complete-data df, nu_obs = 11/13 * 10 * 3/11 =
    # 30/13; nu = 1 / (1 / 3.78125 + 13 / 30) = 1.4331.
    estimates = np.array([[1.0], [2.0], [3.0]])
    out = _rubin(estimates, np.full((3, 1), 0.5), 10.0)
    nu = 1 / (1 / 3.78125 + 13 / 30)
    half = stats.t.ppf(0.975, nu) * np.sqrt(11 / 6)
    assert out["conf_high"].iloc[0] == pytest.approx(2 + half, rel=1e-9)
    p = 2 * stats.t.sf(2 / np.sqrt(11 / 6), nu)
    assert out["p_value"].iloc[0] == pytest.approx(p, rel=1e-9)


# --- (e) the beta-binomial recovers rho --------------------------------------------------


def test_beta_binomial_recovers_rho_and_mean():
    rng = np.random.default_rng(8)
    n, rho, mean = 1500, 0.2, 0.35
    precision = (1 - rho) / rho
    x = rng.normal(size=n)
    p = special.expit(special.logit(mean) + 0.3 * x)
    y = stats.betabinom.rvs(K_ITEMS, p * precision, (1 - p) * precision, random_state=rng)
    data = pd.DataFrame({"n_items": y.astype(float), "x": x, "round": "r"})
    fit = models.fit_beta_binomial(data, ["x"], LONDON)
    assert special.expit(fit.params["logit_rho"]) == pytest.approx(rho, abs=0.03)
    assert fit.params["x"] == pytest.approx(0.3, abs=0.06)
    low, high = fit.conf_int().loc["logit_rho"]
    assert low < special.logit(rho) < high


# --- (f) the NB2 censored at K -----------------------------------------------------------


def _censored_data(seed: int, n: int, alpha: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    mu = np.exp(x @ np.array([1.6, 0.4]))
    y = np.minimum(rng.poisson(mu * rng.gamma(1 / alpha, alpha, n)), K_ITEMS)
    return y.astype(float), x


def test_censored_nb2_likelihood_is_scipys_pmf_below_k_and_survival_at_k():
    y, x = _censored_data(1, 200)
    model = CensoredNegativeBinomial(y, x)
    params = np.array([1.5, 0.3, np.log(0.4)])
    mu, r = np.exp(x @ params[:2]), 1 / 0.4
    expected = np.where(
        y < K_ITEMS,
        stats.nbinom.logpmf(y, r, r / (r + mu)),
        stats.nbinom.logsf(K_ITEMS - 1, r, r / (r + mu)),
    )
    assert (y == K_ITEMS).sum() > 5
    np.testing.assert_allclose(model.loglikeobs(params), expected, rtol=1e-12)
    numeric = approx_fprime(params, model.loglike, centered=True)
    np.testing.assert_allclose(model.score(params), numeric, rtol=1e-6)
    with pytest.raises(ValueError, match="whole numbers from 0 to 13"):
        CensoredNegativeBinomial(np.array([14.0, 2.0]), x[:2])


def test_censored_nb2_recovers_the_generator_where_plain_nb2_does_not():
    y, x = _censored_data(2, 4000)
    assert (y == K_ITEMS).mean() > 0.05
    fit = CensoredNegativeBinomial(y, x).fit()
    truth = np.array([1.6, 0.4, np.log(0.3)])
    assert np.all(np.abs(fit.params - truth) < 3.5 * fit.bse)
    plain = sm.NegativeBinomial(y, x).fit(disp=0)
    assert plain.params[1] < 0.4 - 3.5 * plain.bse[1]  # the cap attenuates the slope


def _cox_reid_by_glm(y: np.ndarray, x: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
    """l_p(alpha) - 1/2 log det(X' W X), W = mu / (1 + alpha mu), from an NB2 GLM with
    alpha fixed (with no count at K the censored NB2 is NB2); and its coefficients."""
    glm = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
    w = glm.fittedvalues / (1 + alpha * glm.fittedvalues)
    return glm.llf - 0.5 * np.linalg.slogdet(x.T @ (x * w[:, None]))[1], glm.params


def test_cox_reid_alpha_maximises_the_adjusted_profile_and_bounds_its_interval():
    y, x = _censored_data(3, 300)
    keep = y < K_ITEMS
    y, x = y[keep], x[keep]
    fit = CensoredNegativeBinomial(y, x).fit()
    out = models.cox_reid(fit)
    assert out.conf_low < out.estimate < out.conf_high
    assert out.estimate > np.exp(fit.params[-1])  # the adjustment raises alpha
    top, beta = _cox_reid_by_glm(y, x, out.estimate)
    for nearby in (out.estimate * 1.02, out.estimate / 1.02):
        assert _cox_reid_by_glm(y, x, nearby)[0] < top
    for limit in (out.conf_low, out.conf_high):
        drop = 2 * (top - _cox_reid_by_glm(y, x, limit)[0])
        assert drop == pytest.approx(stats.chi2.ppf(0.95, 1), abs=5e-3)
    np.testing.assert_allclose(out.result.params[:-1], beta, atol=1e-4)
    assert np.exp(out.result.params[-1]) == pytest.approx(out.estimate)
    assert out.alpha() == {
        "estimate": out.estimate,
        "conf_low": out.conf_low,
        "conf_high": out.conf_high,
    }


def test_rate_ratios_at_the_cox_reid_alpha_refer_to_t_on_the_residual_degrees_of_freedom():
    y, x = _censored_data(5, 40)  # few rows: t(37) is 2.6% wider than the normal
    exog = pd.DataFrame(x, columns=["Intercept", "x"])
    fit = models.cox_reid(CensoredNegativeBinomial(pd.Series(y), exog).fit()).result
    params = np.asarray(fit.params)
    bread = np.linalg.inv(-approx_hess(params, fit.model.loglike))  # from the likelihood
    scores = fit.model.score_obs(params)
    sandwich = bread @ scores.T @ scores @ bread
    t = stats.t.ppf(0.975, len(y) - 3)  # two coefficients and alpha estimated
    for robust, cov in ((False, bread), (True, sandwich)):
        table = models.irr_table(fit, robust=robust)
        se = np.sqrt(np.diag(cov))[:2]
        np.testing.assert_allclose(np.log(table["conf_low"]), params[:2] - t * se, rtol=1e-4)
        np.testing.assert_allclose(np.log(table["conf_high"]), params[:2] + t * se, rtol=1e-4)
        p = 2 * stats.t.sf(np.abs(params[:2] / se), len(y) - 3)
        np.testing.assert_allclose(table["p_value"], p, rtol=1e-3)


def test_reader_scales_of_alpha_agree_with_simulated_gamma_frailties():
    rng = np.random.default_rng(4)
    alpha = 0.31
    g = rng.gamma(1 / alpha, alpha, size=(2, 400_000))
    ratio = np.maximum(g[0] / g[1], g[1] / g[0])
    assert float(median_ratio(alpha)) == pytest.approx(np.median(ratio), rel=0.005)
    deciles = np.quantile(g[0], [0.1, 0.9])
    assert float(decile_ratio(alpha)) == pytest.approx(deciles[1] / deciles[0], rel=0.01)
    assert float(median_ratio(0.0)) == float(decile_ratio(0.0)) == 1.0
    table = models.variation_table({"estimate": 0.31, "conf_low": 0.21, "conf_high": 0.46})
    assert table["quantity"].tolist() == ["alpha", "median_ratio", "decile_ratio"]
    assert (table["conf_low"] < table["estimate"]).all()
    assert (table["estimate"] < table["conf_high"]).all()


def test_level_of_an_intercept_only_poisson_is_the_mean_with_its_exact_interval():
    # Poisson MLE of exp(b0) is the mean count; its observed information is n * mean.
    frame = _frame(6).assign(round="r")
    fit = models.fit_count(frame, [], LONDON, "poisson")
    rows = frame[frame["n_items"].notna()]
    out = models.level(fit, "poisson", frame)
    mean = rows["n_items"].astype(float).mean()
    half = stats.norm.ppf(0.975) / np.sqrt(len(rows) * mean)
    assert out["estimate"] == pytest.approx(mean)
    assert out["conf_low"] == pytest.approx(mean * np.exp(-half), rel=1e-5)
    assert out["conf_high"] == pytest.approx(mean * np.exp(half), rel=1e-5)
    assert out["n_units"] == len(frame)


def test_level_of_the_censored_model_is_the_mean_of_capped_nb2_counts(frame):
    fit = models.fit_count(frame, COVARIATES, LONDON, "censored_negative_binomial")
    out = models.level(fit, "censored_negative_binomial", frame)
    x = np.asarray(
        smf.glm(f"n_items ~ {frame_rhs()}", frame.fillna({"n_items": 0})).exog
    )  # every authority, responders or not
    mu, r = np.exp(x @ fit.params.to_numpy()[:-1]), np.exp(-fit.params["log_alpha"])
    capped = sum(stats.nbinom.sf(j, r, r / (r + mu)) for j in range(K_ITEMS))  # E min(Y, K)
    assert out["estimate"] == pytest.approx(capped.mean(), rel=1e-9)
    assert out["conf_low"] < out["estimate"] < out["conf_high"]


def frame_rhs() -> str:
    return f'C(region, Treatment(reference="{LONDON}")) + imd_z + log_pop_z'


def test_cooks_distance_is_exact_deletion_with_the_model_covariance(frame):
    fit = models.fit_count(frame, ["imd_z", "log_pop_z"], LONDON, "poisson")
    distance = models.cooks_distance(fit)
    rows = frame[frame["n_items"].notna()].astype({"n_items": float})
    glm = smf.glm("n_items ~ imd_z + log_pop_z", rows, family=sm.families.Poisson()).fit()
    precision = np.linalg.inv(glm.cov_params().to_numpy())
    for i in (0, int(np.argmax(distance))):
        dropped = smf.glm(
            "n_items ~ imd_z + log_pop_z", rows.drop(rows.index[i]), family=sm.families.Poisson()
        ).fit()
        delta = (glm.params - dropped.params).to_numpy()
        assert distance[i] == pytest.approx(delta @ precision @ delta / 3, rel=1e-4)
    # the one-step approximation agrees on which authority matters most
    assert np.argmax(distance) == np.argmax(glm.get_influence().cooks_distance[0])


def _cooks_with_known_alpha(y: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
    """Cook's distance of an NB2 with alpha known, from GLM deletion fits and the observed
    information X' diag(mu (1 + alpha y) / (1 + alpha mu)^2) X."""
    family = sm.families.NegativeBinomial(alpha=alpha)
    beta = sm.GLM(y, x, family=family).fit(tol=1e-12).params
    mu = np.exp(x @ beta)
    information = x.T @ (x * (mu * (1 + alpha * y) / (1 + alpha * mu) ** 2)[:, None])
    out = []
    for i in range(len(y)):
        dropped = sm.GLM(np.delete(y, i), np.delete(x, i, 0), family=family).fit(tol=1e-12)
        delta = beta - dropped.params
        out.append(delta @ information @ delta / x.shape[1])
    return np.array(out)


def test_cooks_distance_of_nb2_holds_alpha_at_its_full_data_estimate():
    y, x = _censored_data(3, 60)
    fit = sm.NegativeBinomial(y, x).fit(method="newton", tol=1e-12, disp=0)
    expected = _cooks_with_known_alpha(y, x, fit.params[-1])
    np.testing.assert_allclose(models.cooks_distance(fit), expected, rtol=1e-4)


def test_cooks_distance_of_the_censored_fit_holds_the_cox_reid_alpha():
    # With no count at K the censored NB2 is NB2, so a GLM at the Cox-Reid alpha is the reference.
    y, x = _censored_data(4, 80)
    y, x = y[y < K_ITEMS], x[y < K_ITEMS]
    fit = models.cox_reid(CensoredNegativeBinomial(y, x).fit()).result
    expected = _cooks_with_known_alpha(y, x, np.exp(fit.params[-1]))
    np.testing.assert_allclose(models.cooks_distance(fit), expected, rtol=1e-3, atol=1e-7)


def test_draw_items_are_capped_and_follow_the_family():
    rng = np.random.default_rng(7)
    exog = np.ones((50_000, 1))
    nb = draw_items(np.array([np.log(5.0), 0.3]), "negative_binomial", exog, rng)
    assert nb.max() == K_ITEMS
    capped = sum(stats.nbinom.sf(j, 1 / 0.3, (1 / 0.3) / (1 / 0.3 + 5)) for j in range(K_ITEMS))
    assert nb.mean() == pytest.approx(capped, abs=0.05)
    censored = draw_items(
        np.array([np.log(5.0), np.log(0.3)]), "censored_negative_binomial", exog, rng
    )
    assert censored.mean() == pytest.approx(capped, abs=0.05)
    bb = draw_items(np.array([0.0, special.logit(0.2)]), "beta_binomial", exog, rng)
    assert bb.mean() == pytest.approx(K_ITEMS / 2, abs=0.05)
    assert bb.var() == pytest.approx(K_ITEMS / 4 * (1 + 12 * 0.2), rel=0.03)


# --- (g) shrunken authority estimates -----------------------------------------------------


class _Fixed:
    """A censored NB2 'fit' with known parameters and (nearly) no uncertainty."""

    def __init__(self, frame: pd.DataFrame, params: np.ndarray) -> None:
        self.model = models.fit_count(
            frame, ["imd_z", "partial"], LONDON, "censored_negative_binomial"
        ).model
        names = self.model.exog_names
        self.params = pd.Series(params, index=names)

    def cov_params(self) -> pd.DataFrame:
        k = len(self.params)
        return pd.DataFrame(np.eye(k) * 1e-12, index=self.params.index, columns=self.params.index)


def _posterior_items(one: pd.Series, params: np.ndarray) -> tuple[float, float, float]:
    """Posterior mean and 95% limits of E min(N, K), N ~ Poisson(mu_full * G), by quadrature:
    G | y ~ Gamma(k + y, rate k + mu_seen), k = 1 / alpha."""
    k = np.exp(-params[-1])
    mu_full = np.exp(params[0] + params[1] * one["imd_z"])
    mu_seen = mu_full * (np.exp(params[2]) if one["partial"] else 1.0)
    posterior = stats.gamma(k + one["n_items"], scale=1 / (k + mu_seen))

    def items(g: float) -> float:
        return sum(stats.poisson.sf(j, mu_full * g) for j in range(K_ITEMS))

    mean = integrate.quad(lambda g: items(g) * posterior.pdf(g), 0, np.inf)[0]
    return mean, items(posterior.ppf(0.025)), items(posterior.ppf(0.975))


def test_authority_estimates_are_the_gamma_poisson_posterior():
    frame = _frame(8).assign(partial=0.0)
    frame.loc[frame.index[:40], "partial"] = 1.0
    rows = frame[frame["n_items"].notna()].astype({"n_items": float})
    params = np.array([1.4, 0.1, np.log(0.6), np.log(0.3)])  # intercept, imd, partial, alpha
    fit = _Fixed(frame, params)
    out = models.authority_estimates(fit, rows, np.random.default_rng(0), n_draws=20_000)
    assert list(out.columns[:12]) == [
        "la_code", "la_name", "region_name", "status", "observed_items", "expected_items",
        "estimate", "conf_low", "conf_high", "rank", "rank_low", "rank_high",
    ]  # fmt: skip
    checked = out[out["observed_items"] < K_ITEMS].sample(4, random_state=1)
    for _, row in checked.iterrows():
        mean, low, high = _posterior_items(rows.set_index("la_code").loc[row["la_code"]], params)
        assert row["estimate"] == pytest.approx(mean, abs=0.03)
        assert row["conf_low"] == pytest.approx(low, abs=0.05)
        assert row["conf_high"] == pytest.approx(high, abs=0.05)
    assert (out["rank_low"] <= out["rank_high"]).all()
    assert out["rank"].min() == 1 and out["rank_high"].max() <= len(out)
    assert out["estimate"].is_monotonic_decreasing


# --- (h) small authorities, blanks, rounds ------------------------------------------------


def _small_area_responses() -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = ["E06000052", "E06000053", "E09000001", "E09000012", "E08000001"]
    covariates = pd.DataFrame(
        {
            "la_code": codes,
            "imd_score": [20.0, 10.0, 15.0, 30.0, 25.0],
            "pop_female_18plus": [240_000.0, 1_000.0, 4_000.0, 110_000.0, 150_000.0],
        }
    )
    answers = {item: ["no", "no", "no", "no", "no"] for item in ITEM_IDS}
    answers["childcare"] = ["no", "yes", "unknown", "no", "yes"]
    answers["parenting"] = ["yes", "unknown", "no", "no", "no"]
    table = pd.DataFrame(
        {
            "round": "r",
            "geography_year": 2021,
            "la_code": codes,
            "la_name": ["Cornwall", "Isles of Scilly", "City of London", "Hackney", "Bolton"],
            "region_code": ["SW", "SW", "L", "L", "NW"],
            "status": ["full", "partial", "full", "full", "full"],
            "responded": True,
            **answers,
        }
    )
    table["n_items"] = (table[list(ITEM_IDS)] == "yes").sum(axis=1).astype("Int64")
    return table, covariates


def test_small_areas_combine_answers_populations_and_deprivation_on_one_scale():
    table, covariates = _small_area_responses()
    apart = models.model_frame(table, {2021: covariates})
    together = models.model_frame(table, {2021: covariates}, models.SMALL_AREAS)
    assert sorted(together["la_code"]) == ["E06000052", "E08000001", "E09000012"]
    cornwall = together.set_index("la_code").loc["E06000052"]
    assert cornwall["la_name"] == "Cornwall with Isles of Scilly"
    assert (cornwall["childcare"], cornwall["parenting"], cornwall["n_items"]) == ("yes", "yes", 2)
    assert (cornwall["status"], cornwall["partial"]) == ("partial", 1.0)
    assert together.set_index("la_code").at["E09000012", "childcare"] == "unknown"
    # One scale: the z-scores of unchanged authorities do not move.
    bolton = apart.set_index("la_code").loc["E08000001"]
    assert together.set_index("la_code").loc["E08000001", "log_pop_z"] == bolton["log_pop_z"]
    log_pop = np.log(covariates["pop_female_18plus"])
    expected = (np.log(241_000) - log_pop.mean()) / log_pop.std()
    assert cornwall["log_pop_z"] == pytest.approx(expected)
    imd = covariates["imd_score"]
    weighted = (20 * 240_000 + 10 * 1_000) / 241_000
    assert cornwall["imd_z"] == pytest.approx((weighted - imd.mean()) / imd.std())
    kept = models.authority_frame(table, {2021: covariates}, models.SMALL_AREAS)
    assert len(kept) == 5
    scilly = kept.set_index("la_code").loc["E06000053"]
    assert (scilly["log_pop_z"], scilly["n_items"]) == (cornwall["log_pop_z"], 1)


def test_item_share_bounds_set_blanks_aside():
    answers = {item: ["no"] * 4 for item in ITEM_IDS}
    answers["childcare"] = ["yes", "no", "unknown", "not_held"]
    table = pd.DataFrame(
        {"round": "r", "n_items": pd.array([1, 0, 0, 0], dtype="Int64"), **answers}
    )
    out = models.item_share_bounds(table).set_index("item").loc["childcare"]
    assert (out["n"], out["yes"], out["no"], out["blank"]) == (4, 1, 1, 2)
    assert (out["share"], out["lower"], out["upper"]) == (0.5, 0.25, 0.75)
    low, high = proportion_confint(1, 2, method="wilson")
    assert (out["conf_low"], out["conf_high"]) == pytest.approx((low, high))


def _pairs(y1, y2, partial_1=None, partial_2=None) -> pd.DataFrame:
    n = len(y1)
    return pd.DataFrame(
        {
            "n_items_1": np.asarray(y1, float),
            "n_items_2": np.asarray(y2, float),
            "partial_1": np.asarray(partial_1 if partial_1 is not None else [0] * n, float),
            "partial_2": np.asarray(partial_2 if partial_2 is not None else [0] * n, float),
        }
    )


def test_round_change_without_partial_answers_is_the_ratio_of_totals():
    pairs = _pairs([3, 4, 0, 6, 2, 5], [4, 4, 0, 9, 3, 5])
    out = models.round_change(pairs.assign(partial_2=[0, 0, 0, 0, 0, 1.0]))
    assert out["term"].tolist() == ["round", "partial"]
    assert out["n_pairs"].iloc[0] == 5  # the pair with no items carries no information
    plain = models.round_change(pairs).set_index("term")
    assert plain.index.tolist() == ["round"]  # no pair changed completeness
    assert plain.at["round", "estimate"] == pytest.approx(25 / 20)  # conditional Poisson MLE


def test_round_change_recovers_a_known_ratio_despite_partial_answers():
    rng = np.random.default_rng(9)
    n = 4000
    rate = 5 * rng.gamma(3, 1 / 3, n)  # authority effects
    partial = rng.random((n, 2)) < 0.2
    y = rng.poisson(rate[:, None] * np.array([1.0, 1.1]) * np.where(partial, 0.75, 1.0))
    pairs = _pairs(y[:, 0], y[:, 1], partial[:, 0], partial[:, 1])
    out = models.round_change(pairs).set_index("term")
    for term, truth in (("round", 1.1), ("partial", 0.75)):
        assert out.at[term, "conf_low"] < truth < out.at[term, "conf_high"]
    naive = y[:, 1].sum() / y[:, 0].sum()
    assert naive == pytest.approx(1.1, abs=0.03)  # partial answers balance out here ...
    shrunk = models.shrunken_change(pairs)
    # ... and with no true heterogeneity in change, shrinkage leaves little of it.
    assert np.log(shrunk["shrunken_ratio"]).std() < 0.3 * np.log(shrunk["adjusted_ratio"]).std()


def test_shrunken_change_is_the_common_change_when_pairs_vary_no_more_than_chance():
    pairs = _pairs([5, 5, 5, 5], [5, 6, 5, 4])
    out = models.shrunken_change(pairs)
    assert np.allclose(out["shrunken_ratio"], 20 / 20)
    assert out["residual"].tolist() == pytest.approx(
        [0, 0.5 / np.sqrt(11 * 0.25), 0, -0.5 / np.sqrt(9 * 0.25)]
    )
