"""Coverage of every interval the report headlines, over data sets from the example's generator
as the latest round meets it: the 2023 geography, non-response (logistic in deprivation),
partial responses whose blank items are lost unless the free text mentions them, the small
authorities combined, and the family the report uses (NB2 censored at 13 items).

Run with `pytest -m slow tests/slow/test_model_coverage.py` (about 2 minutes on 2
cores). The Monte Carlo standard error of a 95% coverage is 0.7 points over 1,000 data sets
and 1.3 points over 300 (authority intervals: 300 sets of about 140 authorities, correlated
within a set). Measured with these seeds (docs/methodology.md, section 11): imd 94.4%,
population 93.9%, level 95.1%, alpha 95.2% (mean Cox-Reid alpha 0.302, maximum likelihood
0.247), authority intervals 94.1% and rank intervals 94.6%; auto chose the censored NB2 in
90% of 200 data sets. The log rate ratios' estimates sit less than a tenth of their SD from
the truth (mean 0.106 for 0.10, 0.152 for 0.15) and their intervals miss on both sides (2.4%
and 2.7% below the truth, 3.2% and 3.4% above); the population slope's estimates vary 2%
more than their standard errors say (SD 0.0869, root mean square SE 0.0851).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipeline import geography, models
from pipeline.synth import provision
from pipeline.synth.foi_forms import items_cells
from pipeline.synth.foi_rounds import PARTIAL_SHARE
from pipeline.synth.provision import TRUTH
from pipeline.taxonomy import ITEM_IDS, K_ITEMS

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
YEAR, ROUND_INDEX = 2023, 1  # the latest round: 2023 geography, one round of growth
COVARIATES = ["imd_z", "log_pop_z", "region", "partial"]
FAMILY = "censored_negative_binomial"
N_SIMS, N_SHRINK, N_CHOICE = 1000, 300, 200
TRUE_IRR = {"imd_z": np.exp(TRUTH.beta_imd), "log_pop_z": np.exp(TRUTH.beta_pop)}


@dataclass(frozen=True)
class World:
    """The latest round's geography, its covariates and each authority's true mean."""

    authorities: pd.DataFrame
    covariates: dict[int, pd.DataFrame]
    design: pd.DataFrame
    mu: np.ndarray  # expected items of each authority before frailty and cap


def _world() -> World:
    design = provision.design(REFERENCE, YEAR)
    return World(
        geography.authorities(REFERENCE, YEAR),
        {YEAR: geography.covariates(REFERENCE, YEAR)},
        design,
        provision.expected_items(design, TRUTH, ROUND_INDEX),
    )


def _capped(rate: np.ndarray, alpha: float = 0.0) -> np.ndarray:
    """E[min(Y, K)] for Y Poisson(rate) (alpha 0) or NB2(rate, alpha)."""
    j = np.arange(K_ITEMS)[:, None]
    if alpha == 0:
        return stats.poisson.sf(j, rate).sum(axis=0)
    r = 1 / alpha
    return stats.nbinom.sf(j, r, r / (r + rate)).sum(axis=0)


def draw_round(world: World, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """One latest round as the cleaner would output it, and each authority's true rate."""
    frailty = provision.draw_frailty(world.design["la_code"], TRUTH, rng)
    offered = provision.simulate_items(world.design, TRUTH, rng, ROUND_INDEX, frailty)
    responded = provision.simulate_response(world.design, TRUTH, rng).to_numpy()
    partial = rng.random(len(responded)) < PARTIAL_SHARE
    status = np.where(responded, np.where(partial, "partial", "full"), "no_response")
    answers = []
    for row, state in zip(offered[list(ITEM_IDS)].to_dict("records"), status, strict=True):
        _, cls, _, mention = items_cells(rng, row, state)  # the generator's own answers
        answers.append(
            ["yes" if cls[i] == "unknown" and i in mention else cls[i] for i in ITEM_IDS]
        )
    answers = np.array(answers)
    table = world.authorities.assign(
        round="latest", geography_year=YEAR, status=status, responded=responded
    )
    table[list(ITEM_IDS)] = answers
    yes = (answers == "yes").sum(axis=1)
    table["n_items"] = pd.array(np.where(responded, yes, 0), dtype="Int64")
    table.loc[~responded, "n_items"] = pd.NA
    return table, world.mu * frailty.to_numpy()


def _covers(low: float, value: float, high: float) -> bool:
    return bool(low <= value <= high)


def _headline_hits(world: World, table: pd.DataFrame) -> tuple[dict, object, pd.DataFrame]:
    """Coverage of the rate ratios, the level and alpha in one data set, as reported: the
    censored NB2 at its Cox-Reid alpha."""
    frame = models.model_frame(table, world.covariates, models.SMALL_AREAS)
    fitted = models.fit_count(frame, COVARIATES, "E12000007", FAMILY)
    dispersion = models.cox_reid(fitted)
    fit = dispersion.result
    irr = models.irr_table(fit, robust=False).set_index("term")
    hits = {}
    for t, v in TRUE_IRR.items():
        hits[t] = _covers(irr.at[t, "conf_low"], v, irr.at[t, "conf_high"])
        hits[f"{t}_side"] = 0 if hits[t] else np.sign(irr.at[t, "conf_low"] - v)
        hits[f"{t}_log"], hits[f"{t}_se"] = fit.params[t], fit.bse[t]
    level = models.level(fit, FAMILY, frame)
    unit_mu = provision.expected_items(
        frame.assign(region_code=frame["region"]), TRUTH, ROUND_INDEX
    )
    truth = _capped(unit_mu, TRUTH.alpha).mean()
    hits["level"] = _covers(level["conf_low"], truth, level["conf_high"])
    hits["alpha"] = _covers(dispersion.conf_low, TRUTH.alpha, dispersion.conf_high)
    estimates = {"alpha_hat": dispersion.estimate, "alpha_ml": models.dispersion_alpha(fitted)}
    return hits | estimates, fit, frame


def _authority_hits(
    world: World, table: pd.DataFrame, fit, rate: np.ndarray, rng
) -> dict[str, float]:
    """Share of responding authorities whose interval and rank interval hold the truth."""
    apart = models.authority_frame(table, world.covariates, models.SMALL_AREAS)
    responding = apart[apart["n_items"].notna()]
    out = models.authority_estimates(fit, responding, rng, n_draws=1000).set_index("la_code")
    truth = pd.Series(rate, index=world.design["la_code"]).loc[responding["la_code"]]
    items = pd.Series(_capped(truth.to_numpy()), index=truth.index)
    rank = truth.rank(ascending=False, method="min")
    out = out.loc[truth.index]
    return {
        "authority": float(((out["conf_low"] <= items) & (items <= out["conf_high"])).mean()),
        "authority_rank": float(((out["rank_low"] <= rank) & (rank <= out["rank_high"])).mean()),
    }


@functools.cache
def simulate() -> pd.DataFrame:
    """One row per data set: a column per interval (1 if it held the truth)."""
    world = _world()
    rows = []
    for seed in range(N_SIMS):
        rng = np.random.default_rng([2026, seed])
        table, rate = draw_round(world, rng)
        hits, fit, frame = _headline_hits(world, table)
        if seed < N_SHRINK:
            hits |= _authority_hits(world, table, fit, rate, rng)
        if seed < N_CHOICE:
            count = models.fit_count_models(frame, COVARIATES, "E12000007")
            hits["chose_censored"] = models.choose_family(count, "auto", 0.05)[0] == FAMILY
        rows.append(hits)
    return pd.DataFrame(rows)


def coverage_table(sims: pd.DataFrame) -> pd.DataFrame:
    """Coverage of each interval with its Monte Carlo standard error and number of sets."""
    columns = [
        "imd_z",
        "log_pop_z",
        "level",
        "alpha",
        "authority",
        "authority_rank",
        "chose_censored",
    ]
    out = []
    for name in columns:
        values = sims[name].dropna().astype(float)
        p = values.mean()
        out.append((name, len(values), p, np.sqrt(p * (1 - p) / len(values))))
    return pd.DataFrame(out, columns=["interval", "n_sets", "coverage", "mc_se"])


def rate_ratio_diagnostics(sims: pd.DataFrame) -> pd.DataFrame:
    """Per rate ratio, on the log scale: the truth, the mean estimate, the estimates' SD
    against the root mean square of their standard errors, and the share of intervals that
    missed below the truth (estimate too low) and above it."""
    rows = []
    for term, value in TRUE_IRR.items():
        estimate, se, side = sims[f"{term}_log"], sims[f"{term}_se"], sims[f"{term}_side"]
        rows.append(
            {
                "term": term,
                "truth": np.log(value),
                "mean_estimate": estimate.mean(),
                "sd_estimate": estimate.std(),
                "rms_se": np.sqrt((se**2).mean()),
                "missed_low": (side < 0).mean(),
                "missed_high": (side > 0).mean(),
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_headline_intervals_cover_the_truth():
    sims = simulate()
    table = coverage_table(sims).set_index("interval")
    print(f"\n{coverage_table(sims).to_string(index=False)}")
    print(rate_ratio_diagnostics(sims).round(4).to_string(index=False))
    print(
        f"mean alpha: Cox-Reid {sims['alpha_hat'].mean():.3f}, maximum likelihood "
        f"{sims['alpha_ml'].mean():.3f} (truth {TRUTH.alpha})"
    )
    # 93.6-96.4% is 95% +- 2 MC SEs over 1,000 sets; every interval measured inside it (the
    # population rate ratio 93.9%, MC SE 0.8; 93.5% with a normal reference, before the t
    # reference of docs/methodology.md section 6). Asserted here: the band a correct 95%
    # interval leaves with probability 0.99 (+- 2.6 MC SEs).
    for name in ("imd_z", "log_pop_z", "level", "alpha"):
        assert 0.932 <= table.at[name, "coverage"] <= 0.968, table
    # Over 300 sets (MC SE 1.3 points): authorities pooled within a set, so wider.
    for name in ("authority", "authority_rank"):
        assert 0.92 <= table.at[name, "coverage"] <= 0.98, table
    assert sims["alpha_hat"].mean() == pytest.approx(TRUTH.alpha, abs=0.015)
    assert table.at["chose_censored", "coverage"] >= 0.85, table
