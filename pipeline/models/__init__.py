"""Statistical models of variation in provision, one job per module.

- `frame`: the model frame, standardised covariates, small authorities combined
- `describe`: item shares (blanks as missing, with bounds) and items per authority
- `likelihoods`: the NB2 censored at K and the beta-binomial, as statsmodels models
- `count`: the four count families, the family choice, rate ratios, metrics
- `dispersion`: the censored NB2's alpha by the Cox-Reid adjusted profile likelihood
- `fitted`: expected items, the level, diagnostics, Cook's distance, influence
- `variation`: alpha on a reader's scale, shrunken authority estimates and rank intervals
- `bounded`: beta-binomial and quasi-binomial models of items out of K
- `clustered`: the logistic GEE of items within authorities
- `regions`: the LR test of region and the between-region variance
- `nonresponse`: the response model and the non-response sensitivity analysis
- `rounds`: change between two rounds with an authority effect, and shrunken change

Imports flow down this list, never back. The names used outside the package are re-exported
here: `from pipeline import models; models.fit_count_models(...)`.
"""

from pipeline.models.bounded import fit_beta_binomial, fit_quasi_binomial
from pipeline.models.clustered import adjusted_item_prevalence, fit_item_gee
from pipeline.models.count import (
    FITTERS,
    choose_family,
    dispersion_alpha,
    family_comparison,
    fit_count,
    fit_count_models,
    fit_metrics,
    irr_table,
)
from pipeline.models.describe import item_share_bounds, item_shares, items_distribution
from pipeline.models.dispersion import Dispersion, cox_reid
from pipeline.models.fitted import cooks_distance, diagnostics, influence_tables, level
from pipeline.models.frame import (
    SMALL_AREAS,
    authority_frame,
    covariate_sds,
    model_frame,
    standardised_covariates,
)
from pipeline.models.nonresponse import (
    fit_response_model,
    nonresponse_sensitivity,
    response_region_lr_test,
)
from pipeline.models.regions import region_effects_table, region_lr_test, region_variance
from pipeline.models.rounds import round_change, shrunken_change
from pipeline.models.variation import authority_estimates, variation_table

__all__ = [
    "FITTERS",
    "Dispersion",
    "SMALL_AREAS",
    "covariate_sds",
    "adjusted_item_prevalence",
    "authority_estimates",
    "authority_frame",
    "choose_family",
    "cooks_distance",
    "cox_reid",
    "diagnostics",
    "dispersion_alpha",
    "family_comparison",
    "fit_beta_binomial",
    "fit_count",
    "fit_count_models",
    "fit_item_gee",
    "fit_metrics",
    "fit_quasi_binomial",
    "fit_response_model",
    "influence_tables",
    "irr_table",
    "item_share_bounds",
    "item_shares",
    "items_distribution",
    "level",
    "model_frame",
    "nonresponse_sensitivity",
    "region_effects_table",
    "region_lr_test",
    "region_variance",
    "response_region_lr_test",
    "round_change",
    "shrunken_change",
    "standardised_covariates",
    "variation_table",
]
