"""Statistical models of variation in provision, one job per module.

- `frame`: the model frame, standardised covariates, small authorities combined
- `describe`: item shares (blanks as missing, with bounds) and items per authority
- `likelihoods`: the NB2 censored at K and the beta-binomial, as statsmodels models
- `count`: the four count families, the family choice, rate ratios, metrics
- `dispersion`: the censored NB2's alpha by the Cox-Reid adjusted profile likelihood; the
  fit of each family as reported
- `fitted`: expected items, the level, diagnostics, Cook's distance, influence
- `variation`: alpha on a reader's scale, shrunken authority estimates and rank intervals
- `bounded`: beta-binomial and quasi-binomial models of items out of K
- `clustered`: the logistic GEE of items within authorities
- `regions`: the LR test of region and the between-region variance
- `nonresponse`: the response model and the non-response sensitivity analysis
- `rounds`: change between two rounds with an authority effect, and shrunken change

Imports flow down this list, never back. The names used outside the package are re-exported
here: `from pipeline import models; models.fit_count_models(...)`. Each module is imported at
its first use, so a stage that needs only `describe` or `frame` does not load statsmodels.
"""

from __future__ import annotations

import importlib
from typing import Any

EXPORTS: dict[str, tuple[str, ...]] = {
    "frame": (
        "SMALL_AREAS",
        "authority_frame",
        "covariate_sds",
        "model_frame",
        "standardised_covariates",
    ),
    "describe": ("item_share_bounds", "item_shares", "items_distribution"),
    "likelihoods": (),  # used inside the package only
    "count": (
        "FITTERS",
        "choose_family",
        "dispersion_alpha",
        "family_comparison",
        "fit_count",
        "fit_count_models",
        "fit_metrics",
        "irr_table",
    ),
    "dispersion": ("Dispersion", "cox_reid"),
    "fitted": ("cooks_distance", "diagnostics", "influence_tables", "level"),
    "variation": ("authority_estimates", "variation_table"),
    "bounded": ("fit_beta_binomial", "fit_quasi_binomial"),
    "clustered": ("adjusted_item_prevalence", "fit_item_gee"),
    "regions": ("region_effects_table", "region_lr_test", "region_variance"),
    "nonresponse": ("fit_response_model", "nonresponse_sensitivity", "response_region_lr_test"),
    "rounds": ("round_change", "shrunken_change"),
}
_MODULE_OF = {name: module for module, names in EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` (or is `name`) when first asked for (PEP 562)."""
    if name not in _MODULE_OF and name not in EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_MODULE_OF.get(name, name)}")
    value = getattr(module, name) if name in _MODULE_OF else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
