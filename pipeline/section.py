"""What the published section says: its facts, numbered tables and figures, from stage outputs.

Every number the prose uses is computed here from the tables earlier stages wrote; the
template (templates/section.html.j2) only formats and places them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import disclosure, report
from pipeline.outputs import read_json
from pipeline.taxonomy import ITEM_LABELS, STATUS_LABELS, STATUSES
from pipeline.workbook import PublishedTable

# Figures in the order they appear: (stage folder, chart stem).
FIGURES = (
    ("describe_foi", "response_status"),
    ("describe_foi", "nonresponse_by_region"),
    ("describe_foi", "item_shares"),
    ("describe_foi", "items_histogram"),
    ("describe_foi", "hex_map"),
    ("model_provision", "region_effects"),
    ("describe_foi", "funnel"),
    ("describe_foi", "dumbbell"),
    ("survey_waves", "support_by_wave"),
    ("survey_waves", "barriers_ranked"),
    ("survey_waves", "partnership"),
    ("model_provision", "diagnostics"),
)
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


def _load(folder: Path) -> dict[str, Any]:
    text = {
        "round": str,
        "wave": str,
        "round_1": str,
        "round_2": str,
        "wave_from": str,
        "wave_to": str,
    }
    tables = {
        p.stem: pd.read_csv(p, keep_default_na=False, na_values=[""], dtype=text)
        for p in sorted(folder.glob("*.csv"))
    }
    return tables | {p.stem: read_json(p) for p in sorted(folder.glob("*.json"))}


def _pct(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: (100 * frame[c]).round(1) for c in columns})


def _labelled(frame: pd.DataFrame, regions: dict[str, str], reference: str) -> pd.DataFrame:
    """Model terms in words: 'region[E12000001]' -> 'Region: North East (vs London)'."""

    def word(term: str) -> str:
        if term.startswith("region["):
            return f"Region: {regions[term[7:-1]]} (vs {regions[reference]})"
        return TERMS.get(term, term)

    return frame.assign(term=frame["term"].map(word))


def accounting(processed: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Row accounts of every raw file and the excluded rows with reasons, FOI and survey."""
    accounts = {
        f: a
        for name in ("foi_accounting.json", "survey_accounting.json")
        if (processed / name).exists()
        for f, a in read_json(processed / name).items()
    }
    table = pd.DataFrame.from_dict(accounts, orient="index").rename_axis("file").reset_index()
    excluded = pd.concat(
        [
            pd.read_csv(p)
            for name in ("foi_exclusions.csv", "survey_exclusions.csv")
            if (p := processed / name).exists()
        ],
        ignore_index=True,
    )
    return table, excluded


def _notes(rule: str) -> dict[str, tuple[str, ...]]:
    """Notes attached to tables (they appear on the workbook's notes sheet)."""
    wilson = "Shares have Wilson score 95% confidence intervals."
    people = f"Counts of people are protected. {rule}"
    return {
        "response": (wilson, "Working days exclude weekends but not bank holidays."),
        "shares": (
            wilson,
            "Only a clear 'yes' counts as provision; the denominator is the "
            "authorities that gave information.",
        ),
        "irr": ("Robust intervals use the HC0 sandwich estimator.",),
        "prevalence": ("GEE estimates are population-averaged.",),
        "respondents": (people,),
        "support": (people,),
        "barriers": (people, wilson),
    }


def _tables(
    d: dict[str, Any],
    m: dict[str, Any],
    s: dict[str, Any],
    regions: dict[str, str],
    reference: str,
    source: str,
    processed: Path,
    rule: str,
) -> dict[str, PublishedTable]:
    """The numbered tables, in order of appearance, as published (people counts protected)."""
    latest = d["response_rates"]["round"].iloc[-1]
    rates = _pct(
        d["response_rates"].merge(
            d["timeliness"][["round", "median_working_days", "share"]].rename(
                columns={"share": "on_time"}
            ),
            on="round",
        ),
        ["share", "conf_low", "conf_high", "on_time"],
    )
    status = d["response_status"].pivot(index="status", columns="round", values="count")
    status = status.reindex(STATUSES).rename(index=STATUS_LABELS).reset_index()
    nonresponders = d["non_responders"].replace({"status": STATUS_LABELS})
    shares = _pct(d["item_shares"], ["share", "conf_low", "conf_high"]).pivot(
        index="label", columns="round", values=["share", "conf_low", "conf_high"]
    )
    stat_names = {"share": "share (%)", "conf_low": "CI lower", "conf_high": "CI upper"}
    shares.columns = [f"{rnd} {stat_names[stat]}" for stat, rnd in shares.columns]
    shares = shares[
        [
            f"{rnd} {name}"
            for rnd in sorted(d["item_shares"]["round"].unique())
            for name in stat_names.values()
        ]
    ]
    robust = _labelled(m.get("irr_robust", m["irr"]), regions, reference)
    irr = _labelled(m["irr"], regions, reference).merge(
        robust[["term", "conf_low", "conf_high"]], on="term", suffixes=("", "_robust")
    )
    sens = _labelled(m["nonresponse_sensitivity"], regions, reference)
    sens = sens[sens["term"].isin(TERMS.values()) & (sens["term"] != TERMS["Intercept"])]
    sens = sens.replace({"scenario": SCENARIOS})
    tables = {
        "response": (
            [
                "round",
                "n",
                "responded",
                "share",
                "conf_low",
                "conf_high",
                "median_working_days",
                "on_time",
            ],
            rates,
            "FOI response by round: authorities asked and answering, with 95% CIs",
        ),
        "status": (None, status, "Response status by round (authorities)"),
        "nonresponders": (
            None,
            nonresponders[nonresponders["round"] == latest].drop(columns="round"),
            f"Authorities not providing information, {latest}",
        ),
        "shares": (
            None,
            shares.reset_index().rename(columns={"label": "item"}),
            "Share of responding authorities offering each item, by round (%, 95% CI)",
        ),
        "families": (
            ["model", "log_lik", "n_params", "aic", "delta_aic", "favoured"],
            m["family_comparison"]
            .round(2)
            .replace({"model": MODEL_NAMES})
            .assign(favoured=m["family_comparison"]["favoured"].map({True: "Yes", False: ""})),
            "Count models compared by AIC",
        ),
        "irr": (
            None,
            irr.round(3),
            "Rate ratios for items per authority, chosen model (model-based and robust 95% CIs)",
        ),
        "prevalence": (
            None,
            _pct(
                m["adjusted_item_prevalence"].drop(columns="item"),
                ["estimate", "conf_low", "conf_high"],
            ),
            "Covariate-adjusted prevalence of each item (GEE, %, 95% CI)",
        ),
        "funnel": (
            None,
            d["funnel_outliers"].replace({"side": {"above": "Above", "below": "Below"}}),
            "Authorities outside the funnel limits for women's share of adults in treatment",
        ),
        "change": (
            None,
            _pct(
                d["change_items"][
                    [
                        "label",
                        "n_pairs",
                        "yes_to_no",
                        "no_to_yes",
                        "share_1",
                        "share_2",
                        "p_value",
                        "p_holm",
                    ]
                ],
                ["share_1", "share_2"],
            ).round(3),
            "Change in each item between rounds (McNemar, Holm-adjusted)",
        ),
    }
    if s:
        tables |= {
            "respondents": (
                None,
                s["respondents"],
                "Survey respondents by wave and type (counts of people protected)",
            ),
            "support": (
                None,
                _pct(s["support_changes"], ["difference", "conf_low", "conf_high"])
                .replace({"comparison": COMPARISONS})
                .round(3),
                "Change in support offered between waves (percentage points, Holm-adjusted)",
            ),
            "barriers": (
                ["rank", "barrier", "share", "conf_low", "conf_high", "n"],
                _pct(s["barriers_ranked"], ["share", "conf_low", "conf_high"]).rename(
                    columns={"label": "barrier"}
                ),
                "Barriers reported in the latest wave, ranked (%, 95% CI)",
            ),
        }
    tables["nonresponse"] = (
        None,
        sens.round(3),
        "Rate ratios under assumptions about non-responders",
    )
    accounts, excluded = accounting(processed)
    tables |= {
        "accounting": (
            ["file", "rows_in", "kept", "excluded", "blank"],
            accounts,
            "Row accounting: every raw row kept, excluded or blank",
        ),
        "exclusions": (None, excluded, "Rows excluded, with the reason"),
    }
    out, notes = {}, _notes(rule)
    for number, (key, (columns, frame, title)) in enumerate(tables.items(), start=1):
        frame = frame[columns] if columns else frame
        frame = frame.reset_index(drop=True)
        frame.columns = [HEADERS.get(str(c), str(c)) for c in frame.columns]
        out[key] = PublishedTable(f"Table {number}", title, frame, source, notes.get(key, ()))
    return out


def build(processed: Path, reports: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The section's context: facts for the prose, numbered tables and figures."""
    d, m = _load(processed / "describe_foi"), _load(processed / "model_provision")
    s = _load(processed / "survey_waves") if (processed / "survey_waves").exists() else {}
    effects = m["region_effects"]
    regions = dict(zip(effects["region"], effects["region_name"], strict=True))
    reference = params["reference_region"]
    source = (
        "Synthetic example data (not real FOI or survey responses)"
        if params["synthetic"]
        else "FOI responses and third-sector survey"
    )
    rule = disclosure.describe_rule(params["suppress_below"], params["round_to"])
    tables = _tables(d, m, s, regions, reference, source, processed, rule)
    shares = d["item_shares"]
    latest = d["response_rates"].iloc[-1]
    latest_shares = shares[shares["round"] == latest["round"]].sort_values("share")
    figures = {
        stem: report.figure(reports / "figures" / stage / f"{stem}.svg", i + 1, reports)
        for i, (stage, stem) in enumerate(
            f for f in FIGURES if (reports / "figures" / f[0] / f"{f[1]}.svg").exists()
        )
    }
    facts = {
        "rates": d["response_rates"].to_dict("records"),
        "latest": latest.to_dict(),
        "timeliness": d["timeliness"].to_dict("records"),
        "top_item": latest_shares.iloc[-1].to_dict(),
        "bottom_item": latest_shares.iloc[0].to_dict(),
        "distribution": d["items_distribution"],
        "funnel": d["funnel_overdispersion"],
        "outliers": d["funnel_outliers"],
        "paired": d["change_paired"].set_index("statistic").to_dict("index"),
        "changed_items": int((d["change_items"]["p_holm"] < 0.05).sum()),
        "choice": m["choice"],
        "families": m["family_comparison"],
        "dispersion": m["dispersion_tests"],
        "irr": m["irr"].set_index("term").to_dict("index"),
        "region_lr": m["region_lr_test"].iloc[0].to_dict(),
        "region_variance": m["region_variance"].set_index("quantity").to_dict("index"),
        "response_lr": m["response_region_lr"].iloc[0].to_dict(),
        "response_or": m["response_model"].set_index("term").to_dict("index"),
        "sensitivity": m["nonresponse_sensitivity"],
        "rule": rule,
        "items": ITEM_LABELS,
    }
    numbers = {key: int(t.sheet.split()[-1]) for key, t in tables.items()}
    return {
        "facts": facts,
        "tables": tables,
        "numbers": numbers,
        "figures": figures,
        "survey": s,
        "survey_facts": _survey_facts(s) if s else {},
        "source": source,
    }


def _survey_facts(s: dict[str, Any]) -> dict[str, str]:
    """Sentences about the survey, computed from the survey_waves tables."""
    top = s["barriers_ranked"].iloc[0]
    waves = s["respondents_by_wave"]
    counts = "; ".join(f"{r['wave']}: {r['respondents']}" for _, r in waves.iterrows())
    return {
        "headline": (
            f"Third-sector organisations most often report {top['label'].lower()} as a "
            f"barrier for women ({100 * top['share']:.0f}% in {top['wave']})."
        ),
        "respondents": (
            f"Organisations responding by wave (counts of people protected by the "
            f"disclosure rule): {counts}. Waves are independent samples; the same "
            "organisation may answer more than one wave."
        ),
    }
