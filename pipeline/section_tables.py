"""The content of each published table: one function per table, from the frames stages wrote.

Each function takes the stage tables it needs (as `section` reads them) and returns the rows and
columns to publish, under the stages' column names; `HEADERS` gives their published headers.
Numbering, titles and notes are the registry's (`section.TABLES`).
"""

from __future__ import annotations

import pandas as pd

from pipeline.taxonomy import STATUS_LABELS, STATUSES

HEADERS = {
    "round": "Round",
    "wave": "Wave",
    "n": "Asked",
    "responded": "Answered",
    "share": "Share (%)",
    "conf_low": "95% CI lower",
    "conf_high": "95% CI upper",
    "median_working_days": "Median working days to reply",
    "on_time": "Within 20 working days (%)",
    "status": "Status",
    "term": "Term",
    "estimate": "Estimate",
    "p_value": "p-value",
    "p_holm": "p (Holm)",
    "region_name": "Region",
    "la_name": "Authority",
    "label": "Item",
    "conf_low_robust": "Robust 95% CI lower",
    "conf_high_robust": "Robust 95% CI upper",
    "n_pairs": "Authorities in both rounds",
    "yes_to_no": "Yes to no",
    "no_to_yes": "No to yes",
    "share_1": "Share, first round (%)",
    "share_2": "Share, second round (%)",
    "file": "File",
    "rows_in": "Rows in",
    "kept": "Kept",
    "excluded": "Excluded",
    "blank": "Blank",
    "source_row": "Row",
    "reason": "Reason",
    "scenario": "Scenario",
    "option": "Option",
    "comparison": "Comparison",
    "wave_from": "From wave",
    "wave_to": "To wave",
    "difference": "Difference (points)",
    "org_type": "Organisation type",
    "model": "Model",
    "log_lik": "Log-likelihood",
    "n_params": "Parameters",
    "aic": "AIC",
    "delta_aic": "AIC difference",
    "favoured": "Favoured",
    "rank": "Rank",
    "barrier": "Barrier",
    "la_code": "Code",
    "total": "Total",
    "limits": "Limits",
    "level": "Level",
    "side": "Side",
}
MODEL_NAMES = {
    "poisson": "Poisson",
    "negative_binomial": "Negative binomial (NB2)",
    "beta_binomial": "Beta-binomial",
}
SCENARIOS = {
    "complete_cases": "Non-responders excluded",
    "multiple_imputation": "Non-responders imputed from covariates",
    "zero_items": "Non-responders offer nothing",
}
COMPARISONS = {"consecutive": "Consecutive waves", "first_to_last": "First to last wave"}
TERMS = {
    "Intercept": "Intercept (items at average covariates, reference region)",
    "imd_z": "Deprivation (IMD 2019 score, per SD)",
    "log_pop_z": "Female population 18+ (log, per SD)",
}
SHARE_STATS = {"share": "share (%)", "conf_low": "CI lower", "conf_high": "CI upper"}


def _percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` with `columns` (proportions) as percentages to one decimal place."""
    return frame.assign(**{c: (100 * frame[c]).round(1) for c in columns})


def _term_labels(frame: pd.DataFrame, regions: dict[str, str], reference: str) -> pd.DataFrame:
    """Model terms in words: 'region[E12000001]' -> 'Region: North East (vs London)'.

    Parameters
    ----------
    frame : DataFrame
        Has a ``term`` column of model term names.
    regions : dict
        Region code to region name.
    reference : str
        Code of the reference region.
    """

    def word(term: str) -> str:
        if term.startswith("region["):
            return f"Region: {regions[term[7:-1]]} (vs {regions[reference]})"
        return TERMS.get(term, term)

    return frame.assign(term=frame["term"].map(word))


def response_rates(rates: pd.DataFrame, timeliness: pd.DataFrame) -> pd.DataFrame:
    """Authorities asked and answering by round (%, 95% CI), with reply times.

    Reply times are the median in working days and the share within 20 working days (%).
    """
    on_time = timeliness[["round", "median_working_days", "share"]]
    merged = rates.merge(on_time.rename(columns={"share": "on_time"}), on="round")
    columns = ["round", "n", "responded", "share", "conf_low", "conf_high"]
    published = _percent(merged, ["share", "conf_low", "conf_high", "on_time"])
    return published[[*columns, "median_working_days", "on_time"]]


def response_status(status: pd.DataFrame) -> pd.DataFrame:
    """Authorities by response status (rows, in taxonomy order) and round (columns)."""
    wide = status.pivot(index="status", columns="round", values="count")
    return wide.reindex(STATUSES).rename(index=STATUS_LABELS).reset_index()


def non_responders(silent: pd.DataFrame, latest_round: str) -> pd.DataFrame:
    """The authorities that gave no information in `latest_round`, with their status."""
    latest = silent[silent["round"] == latest_round].drop(columns="round")
    return latest.replace({"status": STATUS_LABELS})


def item_shares(shares: pd.DataFrame) -> pd.DataFrame:
    """One row per item: share offering it and its 95% CI (%), for each round in turn."""
    wide = _percent(shares, list(SHARE_STATS)).pivot(
        index="label", columns="round", values=list(SHARE_STATS)
    )
    wide.columns = [f"{rnd} {SHARE_STATS[stat]}" for stat, rnd in wide.columns]
    order = [
        f"{rnd} {name}" for rnd in sorted(shares["round"].unique()) for name in SHARE_STATS.values()
    ]
    return wide[order].reset_index().rename(columns={"label": "item"})


def count_families(comparison: pd.DataFrame) -> pd.DataFrame:
    """The count models compared by AIC, named in words, the favoured one marked "Yes"."""
    named = comparison.round(2).replace({"model": MODEL_NAMES})
    named = named.assign(favoured=comparison["favoured"].map({True: "Yes", False: ""}))
    return named[["model", "log_lik", "n_params", "aic", "delta_aic", "favoured"]]


def rate_ratios(
    irr: pd.DataFrame, robust: pd.DataFrame, regions: dict[str, str], reference: str
) -> pd.DataFrame:
    """Rate ratios with model-based and robust 95% CIs (``conf_*_robust``), terms in words."""
    robust_ci = _term_labels(robust, regions, reference)[["term", "conf_low", "conf_high"]]
    labelled = _term_labels(irr, regions, reference)
    return labelled.merge(robust_ci, on="term", suffixes=("", "_robust")).round(3)


def adjusted_prevalence(prevalence: pd.DataFrame) -> pd.DataFrame:
    """Covariate-adjusted prevalence of each item (%, 95% CI), by item label."""
    return _percent(prevalence.drop(columns="item"), ["estimate", "conf_low", "conf_high"])


def funnel_outliers(outliers: pd.DataFrame) -> pd.DataFrame:
    """Authorities outside the funnel limits; the side capitalised."""
    return outliers.replace({"side": {"above": "Above", "below": "Below"}})


def item_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Per item: pairs, switches each way, shares in each round (%) and McNemar p-values."""
    columns = ["label", "n_pairs", "yes_to_no", "no_to_yes", "share_1", "share_2"]
    return _percent(changes[[*columns, "p_value", "p_holm"]], ["share_1", "share_2"]).round(3)


def support_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Change in support offered between survey waves (percentage points, 95% CI)."""
    points = _percent(changes, ["difference", "conf_low", "conf_high"])
    return points.replace({"comparison": COMPARISONS}).round(3)


def barriers(ranked: pd.DataFrame) -> pd.DataFrame:
    """Barriers in the latest wave by rank, with share reporting each (%, 95% CI) and base."""
    named = _percent(ranked, ["share", "conf_low", "conf_high"]).rename(
        columns={"label": "barrier"}
    )
    return named[["rank", "barrier", "share", "conf_low", "conf_high", "n"]]


def nonresponse_sensitivity(
    sensitivity: pd.DataFrame, regions: dict[str, str], reference: str
) -> pd.DataFrame:
    """Covariate rate ratios under each non-response scenario (no intercept or regions)."""
    labelled = _term_labels(sensitivity, regions, reference)
    covariates = [label for term, label in TERMS.items() if term != "Intercept"]
    kept = labelled[labelled["term"].isin(covariates)]
    return kept.replace({"scenario": SCENARIOS}).round(3)


def row_accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    """Rows in, kept, excluded and blank for every raw file."""
    return accounts[["file", "rows_in", "kept", "excluded", "blank"]]
