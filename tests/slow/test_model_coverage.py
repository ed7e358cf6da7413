"""Coverage of the count model's 95% IRR intervals over 1,000 data sets from the generator.

Run with `pytest -m slow tests/slow/test_model_coverage.py` (about 70 s on 2 cores).
Measured with these seeds on the 2021 geography (152 authorities): NB2 model-based intervals
covered 0.955 (imd) and 0.953 (pop); HC0 sandwich intervals 0.937 and 0.929; Poisson 0.818
and 0.848. The Monte Carlo SE of a 95% coverage over 1,000 sets is 0.7 points. On a
hand-built design, NB2 covered 0.948 and 0.940 with the cap at K and 0.945 and 0.944
without it: the cap hardly matters (it lowers the mean estimated alpha from 0.26 to 0.23).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline import models
from pipeline.synth import provision
from pipeline.synth.provision import TRUTH

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
COVARIATES = ["imd_z", "log_pop_z", "region"]
N_SIMS = 1000
TRUE_IRR = {"imd_z": np.exp(TRUTH.beta_imd), "log_pop_z": np.exp(TRUTH.beta_pop)}


def _coverage() -> dict[tuple[str, str], float]:
    design = provision.design(REFERENCE, 2021)
    hits = {(term, kind): 0 for term in TRUE_IRR for kind in ("nb2", "nb2_hc0", "poisson")}
    for seed in range(N_SIMS):
        rng = np.random.default_rng([7, seed])
        frailty = provision.draw_frailty(design["la_code"], TRUTH, rng)
        items = provision.simulate_items(design, TRUTH, rng, 0, frailty)
        frame = design.assign(round="2021", region=design["region_code"], n_items=items["n_items"])
        fitted = models.fit_count_models(frame, COVARIATES, "E12000007")
        tables = {
            "nb2": models.irr_table(fitted.negative_binomial, robust=False),
            "nb2_hc0": models.irr_table(fitted.negative_binomial, robust=True),
            "poisson": models.irr_table(fitted.poisson, robust=False),
        }
        for kind, table in tables.items():
            table = table.set_index("term")
            for term, value in TRUE_IRR.items():
                hits[(term, kind)] += (
                    table.at[term, "conf_low"] <= value <= table.at[term, "conf_high"]
                )
    return {key: count / N_SIMS for key, count in hits.items()}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_nb2_intervals_cover_the_truth_and_poisson_ones_do_not():
    coverage = _coverage()
    for term in TRUE_IRR:
        assert 0.93 <= coverage[(term, "nb2")] <= 0.97, coverage
        # HC0 sandwich intervals run a little short at n = 152 (0.93 measured).
        assert 0.90 <= coverage[(term, "nb2_hc0")] <= coverage[(term, "nb2")] + 0.01, coverage
        assert coverage[(term, "poisson")] < 0.90, coverage
