"""On the example data, the models recover the generator's known effects within their intervals."""

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline import geography, models, schemas

ROOT = Path(__file__).resolve().parents[2]
TRUTH = json.loads((ROOT / "tests/truth/provision_truth.json").read_text())["provision"]
COVARIATES = ["imd_z", "log_pop_z", "region"]


@pytest.fixture(scope="module", params=["2021", "2024"])
def frame(request):
    responses = schemas.read(ROOT / "tests/truth/foi_responses.csv", "foi_responses")
    rows = responses[responses["round"] == request.param]
    year = int(rows["geography_year"].iloc[0])
    return models.model_frame(rows, {year: geography.covariates(ROOT / "data/reference", year)})


def test_nb2_is_chosen_and_its_intervals_contain_the_true_rate_ratios(frame):
    count = models.fit_count_models(frame, COVARIATES, "E12000007")
    family, _ = models.choose_family(count, "auto", 0.05)
    assert family == "negative_binomial"
    irr = models.irr_table(count.negative_binomial, robust=False).set_index("term")
    for term, beta in (("imd_z", TRUTH["beta_imd"]), ("log_pop_z", TRUTH["beta_pop"])):
        assert irr.loc[term, "conf_low"] < np.exp(beta) < irr.loc[term, "conf_high"], term


def test_estimated_dispersion_is_near_the_truth(frame):
    count = models.fit_count_models(frame, COVARIATES, "E12000007")
    alpha = count.negative_binomial.params["alpha"]
    assert 0.1 < alpha < 0.6  # truth 0.3; ML alpha is biased low in samples this small
