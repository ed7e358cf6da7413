"""Statistical models of variation in provision, one job per module.

- `frame`: the model frame, standardised covariates and formula terms
- `describe`: item shares and items per authority
- `count`: Poisson and NB2, the family choice, rate ratios, diagnostics, metrics
- `bounded`: beta-binomial and quasi-binomial models of items out of K
- `clustered`: the logistic GEE of items within authorities
- `regions`: the LR test of region and the between-region variance
- `nonresponse`: the response model and the non-response sensitivity analysis

Imports flow down this list, never back. The names used outside the package are re-exported
here: `from pipeline import models; models.fit_count_models(...)`.
"""

from pipeline.models.bounded import family_comparison, fit_beta_binomial, fit_quasi_binomial
from pipeline.models.clustered import adjusted_item_prevalence, fit_item_gee
from pipeline.models.count import (
    choose_family,
    diagnostics,
    fit_count_models,
    fit_metrics,
    irr_table,
)
from pipeline.models.describe import item_shares, items_distribution
from pipeline.models.frame import model_frame, standardised_covariates
from pipeline.models.nonresponse import (
    fit_response_model,
    nonresponse_sensitivity,
    response_region_lr_test,
)
from pipeline.models.regions import region_effects_table, region_lr_test, region_variance

__all__ = [
    "adjusted_item_prevalence",
    "choose_family",
    "diagnostics",
    "family_comparison",
    "fit_beta_binomial",
    "fit_count_models",
    "fit_item_gee",
    "fit_metrics",
    "fit_quasi_binomial",
    "fit_response_model",
    "irr_table",
    "item_shares",
    "items_distribution",
    "model_frame",
    "nonresponse_sensitivity",
    "region_effects_table",
    "region_lr_test",
    "region_variance",
    "response_region_lr_test",
    "standardised_covariates",
]
