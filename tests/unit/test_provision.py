"""The generative model of provision: determinism, the cap at K, item weights, response."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from pipeline.synth import provision
from pipeline.synth.provision import TRUTH
from pipeline.taxonomy import ITEM_IDS, K_ITEMS

REGIONS = [code for code, _ in TRUTH.region_effects]


def _design(n: int, seed: int = 0) -> pd.DataFrame:
    """A hand-built design: n authorities spread over the 9 regions."""
    rng = np.random.default_rng(seed)
    codes = [f"E{i:08d}" for i in range(n)]
    authorities = pd.DataFrame({"la_code": codes, "region_code": np.resize(REGIONS, n)})
    covariates = pd.DataFrame(
        {
            "la_code": codes,
            "imd_score": rng.uniform(5, 45, n),
            "pop_female_18plus": np.exp(rng.normal(12, 0.6, n)),
        }
    )
    return provision.design_frame(authorities, covariates)


def _simulate(design: pd.DataFrame, seed: int, truth=TRUTH, round_index: int = 0):
    rng = np.random.default_rng(seed)
    frailty = provision.draw_frailty(design["la_code"], truth, rng)
    return provision.simulate_items(design, truth, rng, round_index, frailty)


def test_design_frame_standardises_and_keeps_regions():
    design = _design(152)
    assert list(design.columns) == ["la_code", "region_code", "imd_z", "log_pop_z"]
    assert len(design) == 152
    assert design["imd_z"].mean() == pytest.approx(0, abs=1e-12)
    assert design["log_pop_z"].std() == pytest.approx(1)


def test_design_frame_names_authorities_without_covariates():
    authorities = pd.DataFrame({"la_code": ["E1", "E2", "E3"], "region_code": REGIONS[:3]})
    covariates = pd.DataFrame(
        {"la_code": ["E1", "E2"], "imd_score": [10.0, 20.0], "pop_female_18plus": [1e5, 2e5]}
    )
    with pytest.raises(ValueError, match=r"no covariates for authorities \['E3'\]"):
        provision.design_frame(authorities, covariates)


def test_simulate_items_is_deterministic_for_a_seed():
    design = _design(152)
    first, again, other = _simulate(design, 5), _simulate(design, 5), _simulate(design, 6)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert list(first.columns) == ["la_code", "n_items", *ITEM_IDS]
    assert (first[list(ITEM_IDS)].sum(axis=1) == first["n_items"]).all()


def test_simulate_items_caps_at_k():
    design = _design(30)
    huge = dataclasses.replace(TRUTH, intercept=np.log(200.0))
    items = _simulate(design, 1, truth=huge)
    assert (items["n_items"] == K_ITEMS).all()
    assert (items[list(ITEM_IDS)] == 1).all().all()


def test_cap_is_rarely_reached_and_mean_is_about_five():
    items = _simulate(_design(5000), 2)
    assert items["n_items"].mean() == pytest.approx(4.5, abs=0.2)
    assert (items["n_items"] == K_ITEMS).mean() < 0.04


def test_item_weights_order_the_prevalences():
    items = _simulate(_design(5000), 3)
    weights = pd.Series(dict(TRUTH.item_weights))[list(ITEM_IDS)]
    prevalence = items[list(ITEM_IDS)].mean()
    assert stats.spearmanr(weights, prevalence).statistic > 0.95
    assert prevalence.idxmax() == weights.idxmax() == "female_keyworker"
    assert prevalence.idxmin() == weights.idxmin() == "residential_detox"


def test_frailty_has_mean_one_and_variance_alpha_and_is_kept_across_rounds():
    design = _design(152)
    frailty = provision.draw_frailty(
        pd.Series([f"E{i:08d}" for i in range(20000)]), TRUTH, np.random.default_rng(4)
    )
    assert frailty.mean() == pytest.approx(1, abs=0.02)
    assert frailty.var() == pytest.approx(TRUTH.alpha, abs=0.02)
    rng = np.random.default_rng(5)
    frailty = provision.draw_frailty(design["la_code"], TRUTH, rng)
    rounds = [provision.simulate_items(design, TRUTH, rng, r, frailty) for r in (0, 1)]
    assert np.corrcoef(rounds[0]["n_items"], rounds[1]["n_items"])[0, 1] > 0.3
    assert rounds[1]["n_items"].mean() > rounds[0]["n_items"].mean()


def test_simulate_items_names_authorities_without_frailty():
    design = _design(5)
    frailty = provision.draw_frailty(design["la_code"].iloc[:4], TRUTH, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"no frailty for \['E00000004'\]"):
        provision.simulate_items(design, TRUTH, np.random.default_rng(0), 0, frailty)


def test_response_rate_is_85_to_95_percent():
    design = _design(152)
    expected = special.expit(TRUTH.response_intercept + TRUTH.response_beta_imd * design["imd_z"])
    assert 0.85 <= expected.mean() <= 0.95
    big = _design(20000)
    responded = provision.simulate_response(big, TRUTH, np.random.default_rng(6))
    assert responded.index.equals(big.index)
    assert 0.85 <= responded.mean() <= 0.95
    deprived = big["imd_z"] > 0
    assert responded[deprived].mean() < responded[~deprived].mean()
