"""The content of each published table: one function per table, from the frames stages wrote.

Each function takes the stage tables it needs (as `section` reads them) and returns the rows and
columns to publish, under the stages' column names; `HEADERS` gives their published headers.
Numbering, titles and notes are the registry's (`section.TABLES`).
"""

from __future__ import annotations

import pandas as pd

from pipeline import disclosure
from pipeline.numbers import rounded
from pipeline.taxonomy import STATUS_LABELS, STATUSES

HEADERS = {
    "round": "Round",
    "wave": "Wave",
    "n": "Asked",
    "n_units": "Units modelled",
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
    "censored_negative_binomial": "NB2 censored at 13 items",
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
    "partial": "Partial response (against full)",
}
SHARE_STATS = {"share": "share (%)", "conf_low": "CI lower", "conf_high": "CI upper"}
ROW_COUNTS = ["rows_in", "kept", "excluded", "blank"]
SURVEY_PROTECTED = ["kept", "blank"]  # survey files' row counts protected as counts of people
SURVEY_FILES = "survey/"  # how the accounts name survey exports (survey.read.source_file)


def _round(values: pd.Series, digits: int, scale: int = 0) -> pd.Series:
    """`values` times 10 ** `scale` to `digits` decimal places, half-way values away from zero
    as everywhere in the section (`numbers.rounded`); NaN stays NaN."""
    return values.map(lambda v: v if pd.isna(v) else float(rounded(v, digits, scale)))


def _round_floats(frame: pd.DataFrame, digits: int) -> pd.DataFrame:
    """`frame` with its float columns rounded by `_round`."""
    return frame.assign(**{c: _round(frame[c], digits) for c in frame.select_dtypes("float")})


def _percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` with `columns` (proportions) as percentages to one decimal place; shorthand
    such as "[c]" is kept as it is."""
    return frame.assign(**{c: _numbers(frame[c], lambda v: _round(v, 1, scale=2)) for c in columns})


def _numbers(column: pd.Series, convert) -> pd.Series:
    """`convert` applied to the numbers of `column` (numeric text included); other cells,
    shorthand such as "[c]", are kept."""
    values = pd.to_numeric(column, errors="coerce")
    if values.notna().sum() == column.notna().sum():
        return convert(values)
    return convert(values).astype(object).where(values.notna(), column)


def _p_values(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """p-values to three decimals, those below 0.001 written "<0.001"."""

    def published(p: pd.Series) -> pd.Series:
        return _round(p, 3).astype(object).mask(p < 0.001, "<0.001")

    return frame.assign(**{c: _numbers(frame[c], published) for c in columns if c in frame})


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
    wide = wide.reindex(STATUSES).fillna(0).astype("int64")  # a status absent in a round: none
    return wide.rename(index=STATUS_LABELS).reset_index()


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
    named = _round_floats(comparison, 2).replace({"model": MODEL_NAMES})
    named = named.assign(favoured=comparison["favoured"].map({True: "Yes", False: "No"}))
    return named[["model", "log_lik", "n_params", "aic", "delta_aic", "favoured"]]


def rate_ratios(
    irr: pd.DataFrame, robust: pd.DataFrame, regions: dict[str, str], reference: str
) -> pd.DataFrame:
    """Rate ratios with model-based and robust 95% CIs (``conf_*_robust``), terms in words."""
    robust_ci = _term_labels(robust, regions, reference)[["term", "conf_low", "conf_high"]]
    labelled = _term_labels(irr, regions, reference)
    merged = _round_floats(labelled.merge(robust_ci, on="term", suffixes=("", "_robust")), 3)
    return _p_values(merged, ["p_value"])


def adjusted_prevalence(prevalence: pd.DataFrame) -> pd.DataFrame:
    """Covariate-adjusted prevalence of each item (%, 95% CI), by item label."""
    return _percent(prevalence.drop(columns="item"), ["estimate", "conf_low", "conf_high"])


def funnel_sides(outliers: pd.DataFrame) -> pd.DataFrame:
    """One row per authority outside the funnel limits adjusted for overdispersion (the only
    limits that classify, `funnel.outliers`) with, for each level, the side it lies on:
    "Above", "Below" or "Within".

    Parameters
    ----------
    outliers : DataFrame
        The funnel_outliers table: la_code, la_name, region_name, limits, level, side.
    """
    order = outliers.sort_values("level")
    columns = [f"Adjusted {100 * lvl:g}%" for lvl in order["level"]]
    wide = order.assign(column=columns).pivot_table(
        index=["la_code", "la_name", "region_name"], columns="column", values="side",
        aggfunc="first",
    )  # fmt: skip
    wide = wide[list(dict.fromkeys(columns))].fillna("within")
    wide = wide.apply(lambda c: c.str.capitalize()).reset_index()
    return wide.sort_values(["region_name", "la_name"], ignore_index=True)


def item_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Per item: pairs, switches each way, shares in each round (%) and McNemar p-values."""
    columns = ["label", "n_pairs", "yes_to_no", "no_to_yes", "share_1", "share_2"]
    published = _percent(changes[[*columns, "p_value", "p_holm"]], ["share_1", "share_2"])
    return _p_values(published, ["p_value", "p_holm"])


def support_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Change in support offered between survey waves (percentage points, 95% CI), for the
    comparisons given (all, or `findings.first_to_last` of them)."""
    points = _percent(changes, ["difference", "conf_low", "conf_high"])
    points = _p_values(points.replace({"comparison": COMPARISONS}), ["p_value", "p_holm"])
    return points.reset_index(drop=True)


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
    return _p_values(_round_floats(kept.replace({"scenario": SCENARIOS}), 3), ["p_value"])


def row_accounts(accounts: pd.DataFrame, suppress_below: int, round_to: int) -> pd.DataFrame:
    """Rows in, kept, excluded and blank for every raw file, survey files' protected.

    FOI files' rows are authorities' answers and are exact. A survey file's kept and blank
    rows are organisations' submissions: they pass through `disclosure.protect` (params.yaml
    ``disclosure``) as the respondents tables' counts do. Its excluded rows are exact, as the
    exclusions table lists each one, so its rows in (their sum) is suppressed: beside an
    exact part it would narrow the rounded kept. Suppressed counts are "[c]".
    """
    table = accounts[["file", *ROW_COUNTS]].astype({c: object for c in ROW_COUNTS})
    survey = table["file"].str.startswith(SURVEY_FILES).to_numpy()
    protected = disclosure.protect(table[survey], SURVEY_PROTECTED, suppress_below, round_to)
    for column in SURVEY_PROTECTED:
        shown = ~protected[column + disclosure.SUFFIX].astype(bool)
        published = protected[column].astype(object).where(shown, disclosure.CONFIDENTIAL)
        table.loc[survey, column] = published.to_numpy()
    table.loc[survey, "rows_in"] = disclosure.CONFIDENTIAL
    return table


OVERRIDDEN = ["source_file", "source_row", "la_code", "item", "before", "answer", "reason"]
OVERRIDE_HEADERS = {"source_file": "File", "item": "Field", "before": "Typed", "answer": "Set to"}


def analyst_overrides(overrides: pd.DataFrame) -> pd.DataFrame:
    """The analyst overrides applied to raw FOI rows: file, row, code, field, value as typed,
    value set and the (redacted) reason."""
    return overrides[OVERRIDDEN].rename(columns=OVERRIDE_HEADERS)
