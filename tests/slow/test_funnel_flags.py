"""The funnel rule on the example generator's counts of adults and women in treatment.

With no true outliers the rule (adjusted 99.8% limits, robust tau^2) should name about
n * 0.002 = 0.2 authorities per data set; three authorities planted off England's share
should be named. Run with `pytest -m slow tests/slow/test_funnel_flags.py` (about a minute).

How far a planted authority can be found is set by the between-authority spread, not by
the rule: the generator's shares vary with SD 0.030 (beta-binomial, rho 0.004), so a shift
of 0.10 is 3.2 SDs of an authority's total spread, and even the best rule that knows the
truth finds it in under 70% of data sets (`_ceiling`). Measured with these seeds: see
docs/methodology.md, section 11.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from pipeline import funnel, geography
from pipeline.synth import provision
from pipeline.synth.foi_forms import count_cells
from pipeline.synth.foi_rounds import (
    ADULTS_SHAPE,
    WOMEN_RHO,
    WOMEN_SHARE,
    _adults_expected,
    ndtms_adults,
)

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
YEAR, N_SETS = 2023, 300
# authorities are named from their published points, under the project's disclosure rule
DISCLOSURE = yaml.safe_load((REFERENCE.parents[1] / "params.yaml").read_text())["disclosure"]
# Planted: Birmingham (large), Kingston upon Hull (middling), Kent (large county).
PLANTED = ("E08000025", "E06000010", "E10000016")
SIGNS = np.array([1.0, -1.0, 1.0])


@functools.cache
def _world() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, float]:
    design = provision.design(REFERENCE, YEAR)
    covariates = geography.covariates(REFERENCE, YEAR)
    expected = _adults_expected(design, covariates, ndtms_adults(REFERENCE))
    ndtms = pd.read_csv(REFERENCE / "ndtms_england.csv")
    return (
        design,
        geography.authorities(REFERENCE, YEAR),
        expected,
        funnel.ndtms_target(ndtms, 2024)[0],
    )


def _one(rng: np.random.Generator, shift: float) -> tuple[int, np.ndarray, np.ndarray, int]:
    """Authorities named in one data set; which planted ones were usable and were named; how
    many authorities were drawn."""
    design, authorities, expected, target = _world()
    adults = rng.poisson(rng.gamma(ADULTS_SHAPE, expected / ADULTS_SHAPE))
    a, b = WOMEN_SHARE * (1 / WOMEN_RHO - 1), (1 - WOMEN_SHARE) * (1 / WOMEN_RHO - 1)
    share = rng.beta(a, b, size=len(adults))
    planted = design["la_code"].isin(PLANTED).to_numpy()
    offset = pd.Series(SIGNS, index=list(PLANTED)).reindex(design["la_code"]).fillna(0).to_numpy()
    share = np.clip(share + shift * offset * planted, 0, 1)
    women = rng.binomial(adults, share)
    responded = provision.simulate_response(design, provision.TRUTH, rng).to_numpy()
    cells = [
        count_cells(rng, "full" if r else "no_response", int(n), int(w), False)
        for r, n, w in zip(responded, adults, women, strict=True)
    ]
    table = authorities[["la_code", "la_name", "region_name"]].assign(
        adults_in_treatment=pd.array([c["adults"][1] for c in cells], dtype="Int64"),
        adults_flag=[c["adults"][2] for c in cells],
        women_in_treatment=pd.array([c["women"][1] for c in cells], dtype="Int64"),
        women_flag=[c["women"][2] for c in cells],
    )
    points = funnel.funnel_data(table, target=target)
    spread = funnel.robust_overdispersion(points["z"], points["se"])
    published = funnel.publishable_funnel(
        points, DISCLOSURE["suppress_below"], DISCLOSURE["round_to"]
    )
    flagged = funnel.outliers(published, target, spread.tau2, levels=(funnel.FLAG_LEVEL,))
    drawn = published.loc[published["share"].notna(), "la_code"]
    usable = np.array([code in set(drawn) for code in PLANTED])
    named = np.array([code in set(flagged["la_code"]) for code in PLANTED])
    return len(flagged), usable, named, len(drawn)


@functools.cache
def _runs(shift: float) -> list[tuple[int, np.ndarray, np.ndarray, int]]:
    return [_one(np.random.default_rng([31, seed]), shift) for seed in range(N_SETS)]


def _scenario(shift: float) -> tuple[float, np.ndarray]:
    """Mean authorities named per data set, and each planted one's detection rate (among
    the data sets where its counts were usable)."""
    runs = _runs(shift)
    usable = np.array([r[1] for r in runs])
    named = np.array([r[2] for r in runs])
    return float(np.mean([r[0] for r in runs])), named.sum(axis=0) / usable.sum(axis=0)


def _ceiling(shift: float, drawn: int, budget: float = 0.4) -> np.ndarray:
    """Each planted authority's chance of being named by the best rule that knows the truth.

    The rule knows England's share, the generator's spread (beta-binomial at WOMEN_RHO) and
    each authority's expected adults, and names an authority when its share is more than c
    of its own SDs from the target, c set so that `drawn` authorities with no true outliers
    give `budget` false flags per data set. The SDs are nearly equal (the spread between
    authorities dominates the binomial noise), so one c is as good as any allocation of the
    budget. Adults are taken at their expectation: their own spread only lowers the chance.
    """
    design, _, expected, _ = _world()
    sd = np.sqrt(WOMEN_SHARE * (1 - WOMEN_SHARE) * (WOMEN_RHO + (1 - WOMEN_RHO) / expected))
    at = design["la_code"].isin(PLANTED).to_numpy()
    order = pd.Series(sd[at], index=design.loc[at, "la_code"]).reindex(list(PLANTED))
    c = stats.norm.isf(budget / drawn / 2)
    step = shift / order.to_numpy()
    return stats.norm.sf(c - step) + stats.norm.cdf(-c - step)


@pytest.mark.slow
def test_no_true_outliers_few_false_flags():
    flags, _ = _scenario(0.0)
    print(f"\nmean authorities named with no outliers: {flags:.3f} (nominal about 0.2)")
    assert flags <= 0.4


@pytest.mark.slow
def test_planted_outliers_are_found():
    _, at_10 = _scenario(0.10)
    _, at_15 = _scenario(0.15)
    print(f"\ndetection at 0.10: {np.round(at_10, 3)}; at 0.15: {np.round(at_15, 3)}")
    assert (at_15 >= 0.8).all()
    # 0.10 is 3.2 SDs of the between-authority spread: no rule reaches 80% (next test).
    assert (at_10 >= 0.35).all()


@pytest.mark.slow
def test_no_rule_finds_a_010_shift_in_80_percent():
    """The goal of 80% at 0.10 is out of reach of any rule within 0.4 false flags a set."""
    fewest = min(r[3] for r in _runs(0.0))
    best = _ceiling(0.10, fewest)
    print(f"\nbest possible detection at 0.10 ({fewest} authorities): {np.round(best, 3)}")
    assert (best < 0.8).all()
    assert (_scenario(0.10)[1] <= best + 0.05).all()  # the rule is not beating the bound
