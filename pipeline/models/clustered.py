"""Items clustered within authorities: a logistic GEE of each item, and adjusted prevalences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import special, stats

from pipeline.models.frame import formula_rhs, one_round, responders, tidy_term
from pipeline.taxonomy import ITEM_IDS, ITEM_LABELS

_Z = stats.norm.ppf(0.975)  # 95% intervals


def fit_item_gee(frame: pd.DataFrame, covariates: list[str], reference_region: str) -> Any:
    """Logistic GEE of each item offered (yes = 1, anything else 0) among responders.

    Long format (authority x item), item as a fixed effect, exchangeable correlation within
    authority, robust SEs. Estimates are population-averaged: smaller than the conditional
    (authority-specific) odds ratios a random-intercept model would give.
    """
    rows = responders(one_round(frame))
    keep = ["la_code", *(c for c in ("region", "imd_z", "log_pop_z", "partial") if c in covariates)]
    long = rows.melt(id_vars=keep, value_vars=list(ITEM_IDS), var_name="item", value_name="ans")
    long = long.assign(offered=long["ans"].eq("yes").astype(float)).sort_values("la_code")
    formula = (
        f'offered ~ C(item, Treatment(reference="{ITEM_IDS[0]}")) + '
        f"{formula_rhs(covariates, reference_region)}"
    )
    return smf.gee(
        formula,
        groups="la_code",
        data=long,
        family=sm.families.Binomial(),
        cov_struct=sm.cov_struct.Exchangeable(),
    ).fit()


def adjusted_item_prevalence(gee: Any) -> pd.DataFrame:
    """Covariate-adjusted share offering each item, by marginal standardisation.

    For each item, predict for every responding authority as if asked about that item (and
    as if it had answered in full, when the model has the partial-response term), and
    average. 95% intervals by the delta method with the GEE's robust covariance, formed on
    the logit scale so they stay in (0, 1).
    Returns [item, label, estimate, conf_low, conf_high].
    """
    names = [tidy_term(n) for n in gee.model.exog_names]
    _, first = np.unique(gee.model.groups, return_index=True)
    base = pd.DataFrame(gee.model.exog[first], columns=names)  # one row per authority
    if "partial" in base:
        base["partial"] = 0.0
    item_cols = [n for n in names if n.startswith("item[")]
    beta, cov = gee.params.to_numpy(), gee.cov_params().to_numpy()
    rows = []
    for item in ITEM_IDS:
        x = base.assign(**{c: float(c == f"item[{item}]") for c in item_cols}).to_numpy()
        p = special.expit(x @ beta)
        est = p.mean()
        grad = (p * (1 - p)) @ x / len(p)
        se_logit = np.sqrt(grad @ cov @ grad) / (est * (1 - est))
        low, high = special.expit(special.logit(est) + np.array([-_Z, _Z]) * se_logit)
        rows.append((item, ITEM_LABELS[item], est, low, high))
    return pd.DataFrame(rows, columns=["item", "label", "estimate", "conf_low", "conf_high"])
