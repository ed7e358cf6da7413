"""The models of variation: agreement with statsmodels, recovery of known truth, small frames."""

from __future__ import annotations

import dataclasses
import typing

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import special, stats
from statsmodels.stats.meta_analysis import combine_effects

from pipeline import config, models
from pipeline.models.count import FITTERS
from pipeline.models.nonresponse import _rubin
from pipeline.models.regions import _q_profile
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
    fitted = models.fit_count_models(randhie, covariates, reference_region="unused")
    formula = "mdvis ~ lncoins + idp + lpi + physlm + disea"
    poisson = smf.poisson(formula, randhie).fit(disp=0)
    nb = smf.negativebinomial(formula, randhie).fit(disp=0, maxiter=200)
    np.testing.assert_allclose(fitted.poisson.params, poisson.params, rtol=1e-6)
    np.testing.assert_allclose(fitted.negative_binomial.params, nb.params, rtol=1e-6)
    np.testing.assert_allclose(fitted.negative_binomial.bse, nb.bse, rtol=1e-6)
    lr = 2 * (nb.llf - poisson.llf)
    assert fitted.p_alpha == pytest.approx(0.5 * stats.chi2.sf(lr, 1))
    table = models.irr_table(fitted.negative_binomial, robust=True)
    robust = nb.model.fit(start_params=nb.params, disp=0, cov_type="HC0")
    np.testing.assert_allclose(table["estimate"], np.exp(nb.params.iloc[:-1]), rtol=1e-6)
    np.testing.assert_allclose(
        table["conf_high"], np.exp(robust.conf_int().iloc[:-1, 1]), rtol=1e-6
    )


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


def test_choose_family_picks_poisson_on_poisson_data_and_nb2_when_overdispersed():
    nearly_poisson = dataclasses.replace(TRUTH, alpha=1e-6)
    poisson = models.fit_count_models(_frame(3, n=300, truth=nearly_poisson), COVARIATES, LONDON)
    family, reason = models.choose_family(poisson, "auto", 0.05)
    assert family == "poisson"
    assert reason.startswith("no clear overdispersion")
    overdispersed = models.fit_count_models(_frame(3, n=300), COVARIATES, LONDON)
    assert overdispersed.p_alpha < 0.05
    assert models.choose_family(overdispersed, "auto", 0.05)[0] == "negative_binomial"
    assert models.choose_family(overdispersed, "poisson", 0.05)[0] == "poisson"
    with pytest.raises(ValueError, match="family must be auto, poisson or negative_binomial"):
        models.choose_family(overdispersed, "gamma", 0.05)


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


def test_family_comparison_ranks_by_aic(frame):
    fitted = models.fit_count_models(frame, COVARIATES, LONDON)
    out = models.family_comparison(fitted, models.fit_beta_binomial(frame, COVARIATES, LONDON))
    assert sorted(out["model"]) == ["beta_binomial", "negative_binomial", "poisson"]
    assert out["aic"].is_monotonic_increasing
    assert out["favoured"].tolist() == [True, False, False]
    assert out.set_index("model").at["poisson", "n_params"] == 11


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
    n = out.groupby("scenario")["n"].first()
    assert n["complete_cases"] == frame["n_items"].notna().sum()
    assert n["multiple_imputation"] == n["zero_items"] == len(frame)
    assert ((out["conf_low"] < out["estimate"]) & (out["estimate"] < out["conf_high"])).all()
    imd = out[out["term"] == "imd_z"].set_index("scenario")["estimate"]
    assert imd["multiple_imputation"] == pytest.approx(imd["complete_cases"], rel=0.05)


def test_rubin_rules_on_known_numbers():
    estimates = np.array([[1.0], [2.0], [3.0]])
    variances = np.array([[0.5], [0.5], [0.5]])
    out = _rubin(estimates, variances)
    total = 0.5 + (1 + 1 / 3) * 1.0
    ratio = (1 + 1 / 3) * 1.0 / 0.5
    df = 2 * (1 + 1 / ratio) ** 2
    assert out["estimate"].iloc[0] == 2.0
    assert out["conf_high"].iloc[0] == pytest.approx(2 + stats.t.ppf(0.975, df) * np.sqrt(total))


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
