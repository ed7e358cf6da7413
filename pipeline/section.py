"""What the published section says: its facts, numbered tables and figures, from stage outputs.

Every number the prose uses is computed here from the tables earlier stages wrote; the
template (templates/section.html.j2) only formats and places them. `TABLES` and `FIGURES`
list the tables and figures in their order of appearance, which numbers them; each table names
the stage outputs it is built from (`TableSpec.sources`), which the reviewer index traces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from pipeline import disclosure, prose, report, schemas
from pipeline import section_tables as content
from pipeline.findings import GLOSSARY, first_to_last, overrides_applied
from pipeline.outputs import read_json
from pipeline.taxonomy import ITEM_LABELS
from pipeline.workbook import SHORTHAND, PublishedTable, Release, figure_tables, typed

# Terms the page uses that the findings glossary (resources/glossary.yaml) does not define.
MORE_TERMS = {
    "CSV": "Comma-separated values: a plain-text table that any spreadsheet program opens.",
    "HC0": (
        "The simplest heteroskedasticity-consistent (sandwich) estimator of a model's standard"
        " errors, used for robust intervals."
    ),
    "GP": "General practitioner: a family doctor.",
    "HTML": "The web page format; the HTML edition of this section is the web page.",
    "LR": "Likelihood ratio, as in a likelihood-ratio test (see that entry).",
    "MIT": "The MIT licence, a permissive open-source licence.",
    "PDF": "Portable Document Format: the printable edition of this section.",
    "UK": "The United Kingdom.",
}


# Figures in the order they appear: (stage folder, chart stem).
FIGURES = (
    ("describe_foi", "response_status"),
    ("describe_foi", "nonresponse_by_region"),
    ("describe_foi", "item_shares"),
    ("describe_foi", "items_histogram"),
    ("describe_foi", "hex_map"),
    ("model_provision", "authority_estimates"),
    ("model_provision", "region_effects"),
    ("describe_foi", "funnel"),
    ("describe_foi", "dumbbell"),
    ("survey_waves", "support_by_wave"),
    ("survey_waves", "barriers_ranked"),
    ("survey_waves", "partnership"),
    ("model_provision", "diagnostics"),
)
# Notes attached to tables (the workbook's notes sheet); {rule} is the disclosure rule.
WILSON = "Shares have Wilson score 95% confidence intervals."
WORKING_DAYS = (
    "Working days exclude weekends and bank holidays in England, as the FOI Act counts them."
)
YES_ONLY = (
    "Only a clear 'yes' counts as provision; the denominator is the "
    "authorities that gave information."
)
ROBUST = "Robust intervals use the HC0 sandwich estimator."
GEE = "GEE estimates are population-averaged."
PEOPLE = "Counts of people are protected. {rule}"
ROUNDED = "Shares and intervals come from the rounded counts; the intervals allow for it."
SURVEY_ROWS = (
    "Kept and blank rows of the survey files are organisations' submissions, protected as "
    "counts of people; excluded rows are listed one by one below, so rows in is not shown. "
    "Rows of the FOI files are exact."
)
DISCLOSED = "[c] marks a figure suppressed to protect people from identification. {rule}"
FULL_LISTING = "The full listing is in the appendix and the workbook (tables.xlsx)."
# What the cleaning stages write about their raw rows.
ACCOUNTS = ("foi_accounting.json", "survey_accounting.json")
EXCLUSIONS = ("foi_exclusions.csv", "survey_exclusions.csv")
# The overrides applied (foi_overrides) as published: columns, headers HEADERS does not give.


@dataclass(frozen=True)
class StageOutputs:
    """What the tables are built from.

    Attributes
    ----------
    describe, model, survey : dict
        The tables of describe_foi, model_provision and survey_waves by file stem (`survey`
        empty without survey outputs).
    accounts, excluded, overrides : DataFrame
        Row accounts of every raw file, excluded rows, FOI overrides applied (`accounting`).
    reference_region : str
        Code of the models' reference region.
    rule : tuple of int
        ``suppress_below`` and ``round_to`` (params.yaml ``disclosure``).
    """

    describe: dict[str, Any]
    model: dict[str, Any]
    survey: dict[str, Any]
    accounts: pd.DataFrame
    excluded: pd.DataFrame
    overrides: pd.DataFrame
    reference_region: str
    rule: tuple[int, int]

    @property
    def regions(self) -> dict[str, str]:
        """Region code to name, from the model's region effects."""
        effects = self.model["region_effects"]
        return dict(zip(effects["region"], effects["region_name"], strict=True))

    @property
    def latest_round(self) -> str:
        """The latest FOI round."""
        return self.describe["response_rates"]["round"].iloc[-1]


class TableSpec(NamedTuple):
    """One published table: the template's key for it, its title, content, notes and sources.

    `title` may name ``{latest}`` (the latest FOI round) and a note ``{rule}`` (the disclosure
    rule). `build` gives the content under stage column names; `survey` tables are published
    only when there are survey outputs, and a table with no rows is not published. `sources`
    are the stage outputs it is built from, as paths under data/processed.
    """

    key: str
    title: str
    build: Callable[[StageOutputs], pd.DataFrame]
    notes: tuple[str, ...] = ()
    survey: bool = False
    sources: tuple[str, ...] = ()


# Tables in the order they appear: the order numbers them (Table 1, 2, ...). The body shows
# what a reader needs; the appendix (after "nonresponse") holds the full listings.
TABLES = (
    TableSpec(
        "response",
        "FOI response by round: authorities asked and answering, with 95% CIs",
        lambda o: content.response_rates(o.describe["response_rates"], o.describe["timeliness"]),
        (WILSON, WORKING_DAYS),
        sources=("describe_foi/response_rates.csv", "describe_foi/timeliness.csv"),
    ),
    TableSpec(
        "status",
        "Response status by round (authorities)",
        lambda o: content.response_status(o.describe["response_status"]),
        sources=("describe_foi/response_status.csv",),
    ),
    TableSpec(
        "nonresponders",
        "Authorities not providing information, {latest}",
        lambda o: content.non_responders(o.describe["non_responders"], o.latest_round),
        sources=("describe_foi/non_responders.csv",),
    ),
    TableSpec(
        "shares",
        "Share of responding authorities offering each item, by round (%, 95% CI)",
        lambda o: content.item_shares(o.describe["item_shares"]),
        (WILSON, YES_ONLY),
        sources=("describe_foi/item_shares.csv",),
    ),
    TableSpec(
        "families",
        "Count models compared by AIC",
        lambda o: content.count_families(o.model["family_comparison"]),
        sources=("model_provision/family_comparison.csv",),
    ),
    TableSpec(
        "irr",
        "Rate ratios for items per authority, chosen model (model-based and robust 95% CIs)",
        lambda o: content.rate_ratios(
            o.model["irr"], o.model.get("irr_robust", o.model["irr"]), o.regions, o.reference_region
        ),
        (ROBUST,),
        sources=("model_provision/irr.csv", "model_provision/irr_robust.csv"),
    ),
    TableSpec(
        "prevalence",
        "Covariate-adjusted prevalence of each item (GEE, %, 95% CI)",
        lambda o: content.adjusted_prevalence(o.model["adjusted_item_prevalence"]),
        (GEE,),
        sources=("model_provision/adjusted_item_prevalence.csv",),
    ),
    TableSpec(
        "funnel",
        "Authorities outside the funnel limits adjusted for overdispersion: side of each limit",
        lambda o: content.funnel_sides(o.describe["funnel_outliers"]).drop(columns="la_code"),
        (FULL_LISTING,),
        sources=("describe_foi/funnel_outliers.csv",),
    ),
    TableSpec(
        "change",
        "Change in each item between rounds (McNemar, Holm-adjusted)",
        lambda o: content.item_changes(o.describe["change_items"]),
        sources=("describe_foi/change_items.csv",),
    ),
    TableSpec(
        "respondents",
        "Survey respondents by wave and type (counts of people protected)",
        lambda o: o.survey["respondents"].replace({"org_type": {"total": "Total"}}),
        (PEOPLE,),
        survey=True,
        sources=("survey_waves/respondents.csv",),
    ),
    TableSpec(
        "support",
        "Change in support offered from the first to the last wave (percentage points, "
        "Holm-adjusted)",
        lambda o: content.support_changes(first_to_last(o.survey["support_changes"])),
        (PEOPLE, FULL_LISTING),
        survey=True,
        sources=("survey_waves/support_changes.csv",),
    ),
    TableSpec(
        "barriers",
        "Barriers reported in the latest wave, ranked (%, 95% CI)",
        lambda o: content.barriers(o.survey["barriers_ranked"]),
        (PEOPLE, WILSON, ROUNDED),
        survey=True,
        sources=("survey_waves/barriers_ranked.csv",),
    ),
    TableSpec(
        "nonresponse",
        "Rate ratios under assumptions about non-responders",
        lambda o: content.nonresponse_sensitivity(
            o.model["nonresponse_sensitivity"], o.regions, o.reference_region
        ),
        sources=("model_provision/nonresponse_sensitivity.csv",),
    ),
    TableSpec(
        "accounting",
        "Row accounting: every raw row kept, excluded or blank",
        lambda o: content.row_accounts(o.accounts, *o.rule),
        (PEOPLE, SURVEY_ROWS),
        sources=ACCOUNTS,
    ),
    TableSpec(
        "exclusions",
        "Rows excluded, with the reason",
        lambda o: o.excluded,
        sources=EXCLUSIONS,
    ),
    TableSpec(
        "overrides",
        "Analyst overrides applied to the raw FOI data, with the reason",
        lambda o: content.analyst_overrides(o.overrides),
        sources=("foi_overrides.csv",),
    ),
    TableSpec(
        "funnel_all",
        "Every authority outside the funnel limits adjusted for overdispersion, with its code: "
        "side of each limit",
        lambda o: content.funnel_sides(o.describe["funnel_outliers"]),
        sources=("describe_foi/funnel_outliers.csv",),
    ),
    TableSpec(
        "support_all",
        "Change in support offered between every pair of waves tested (percentage points, "
        "Holm-adjusted)",
        lambda o: content.support_changes(o.survey["support_changes"]),
        (PEOPLE,),
        survey=True,
        sources=("survey_waves/support_changes.csv",),
    ),
)


def _load(folder: Path) -> dict[str, Any]:
    text = dict.fromkeys(("round", "wave", "round_1", "round_2", "wave_from", "wave_to"), str)
    tables = {
        p.stem: typed(pd.read_csv(p, keep_default_na=False, na_values=[""], dtype=text))
        for p in sorted(folder.glob("*.csv"))
    }
    return tables | {p.stem: read_json(p) for p in sorted(folder.glob("*.json"))}


def accounting(processed: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Row accounts of every raw file, excluded rows with reasons and FOI overrides applied."""
    present = [p for name in (*ACCOUNTS, *EXCLUSIONS) if (p := processed / name).exists()]
    accounts = {f: a for p in present if p.suffix == ".json" for f, a in read_json(p).items()}
    table = pd.DataFrame.from_dict(accounts, orient="index").rename_axis("file").reset_index()
    excluded = pd.concat([pd.read_csv(p) for p in present if p.suffix == ".csv"], ignore_index=True)
    return table, excluded, schemas.read(processed / "foi_overrides.csv", "foi_overrides")


def numbered_tables(
    outputs: StageOutputs, source: str, rule: str, specs: tuple[TableSpec, ...] = TABLES
) -> dict[str, PublishedTable]:
    """The tables of `specs` that have rows, numbered in order, with published headers, by key.

    Survey tables are left out, and the tables after them numbered on, without survey outputs.
    A table with [c] cells gets the disclosure rule as a note unless a note gives it already.
    """
    built = [(s, _with_headers(s.build(outputs))) for s in specs if outputs.survey or not s.survey]
    chosen = [(spec, frame) for spec, frame in built if len(frame)]
    tables = {}
    for number, (spec, frame) in enumerate(chosen, start=1):
        notes = spec.notes
        if "[c]" in PublishedTable("", "", frame, "").symbols and PEOPLE not in notes:
            notes = (*notes, DISCLOSED)
        tables[spec.key] = PublishedTable(
            f"Table {number}",
            spec.title.format(latest=outputs.latest_round),
            frame,
            source,
            tuple(note.format(rule=rule) for note in notes),
        )
    return tables


def _with_headers(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.columns = [content.HEADERS.get(str(c), str(c)) for c in frame.columns]
    return frame


def _figures(reports: Path) -> dict[str, dict[str, Any]]:
    """The charts of `FIGURES` that exist under reports/figures, numbered in order, by stem."""
    charts = [(stem, reports / "figures" / stage / f"{stem}.svg") for stage, stem in FIGURES]
    present = [(stem, svg) for stem, svg in charts if svg.exists()]
    return {
        stem: report.figure(svg, number, reports)
        for number, (stem, svg) in enumerate(present, start=1)
    }


def glossary() -> dict[str, str]:
    """Every term the section defines, in alphabetical order: the findings' glossary and the
    few document terms it lacks."""
    terms = MORE_TERMS | GLOSSARY
    return dict(sorted(terms.items(), key=lambda item: item[0].casefold()))


def changed_items(changes: pd.DataFrame, significance: float) -> int:
    """How many items changed between rounds: Holm-adjusted p-value below `significance`."""
    return int((changes["p_holm"] < significance).sum())


def build(processed: Path, reports: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The section's context: facts for the prose, numbered tables and figures, the data
    behind the figures, the release's metadata and the glossary.

    Parameters
    ----------
    processed, reports : Path
        The stage outputs (data/processed) and the reports folder holding figures/.
    params : dict
        ``reference_region`` and ``significance`` (model), ``suppress_below`` and
        ``round_to`` (disclosure), and the ``report`` parameters.
    """
    survey = processed / "survey_waves"
    outputs = StageOutputs(
        _load(processed / "describe_foi"),
        _load(processed / "model_provision"),
        _load(survey) if survey.exists() else {},
        *accounting(processed),
        params["reference_region"],
        (params["suppress_below"], params["round_to"]),
    )
    source = (
        "Synthetic example data (not real FOI or survey responses)"
        if params["synthetic"]
        else "FOI responses and third-sector survey"
    )
    rule = disclosure.describe_rule(params["suppress_below"], params["round_to"])
    tables = numbered_tables(outputs, source, rule)
    figures = _figures(reports)
    data = figure_tables(figures, reports, source)
    for figure, table in zip(figures.values(), data, strict=True):
        figure["symbols"] = table.symbols
    said = prose.statements(outputs.describe, outputs.model, params["significance"])
    by_round = outputs.overrides.groupby("round", sort=False).size().to_dict()
    said["overrides"] = overrides_applied(by_round)
    return {
        "facts": _facts(outputs.describe, outputs.model, rule, params["significance"]),
        "said": said,
        "main_points": prose.main_points(outputs.describe, said, outputs.survey),
        "tables": tables,
        "numbers": {key: int(t.sheet.split()[-1]) for key, t in tables.items()},
        "sources": {spec.key: spec.sources for spec in TABLES if spec.key in tables},
        "figures": figures,
        "figure_tables": data,
        "survey": outputs.survey,
        "survey_facts": (
            _survey_facts(
                outputs.survey,
                prose.survey_waves(processed, params["suppress_below"], params["round_to"]),
            )
            if outputs.survey
            else {}
        ),
        "source": source,
        "release": Release.from_params(params),
        "glossary": glossary(),
        "shorthand": SHORTHAND,
    }


def _facts(
    describe: dict[str, Any], model: dict[str, Any], rule: str, significance: float
) -> dict[str, Any]:
    """Every number the FOI prose quotes, from the describe_foi and model_provision tables."""
    return {
        "rates": describe["response_rates"].to_dict("records"),
        "latest": describe["response_rates"].iloc[-1].to_dict(),
        "timeliness": describe["timeliness"].to_dict("records"),
        "distribution": describe["items_distribution"],
        "funnel": describe["funnel_overdispersion"],
        "paired": describe["change_paired"].set_index("statistic").to_dict("index"),
        "changed_items": changed_items(describe["change_items"], significance),
        "choice": model["choice"],
        "families": model["family_comparison"],
        "dispersion": model["dispersion_tests"],
        "irr": model["irr"].set_index("term").to_dict("index"),
        "region_lr": model["region_lr_test"].iloc[0].to_dict(),
        "region_variance": model["region_variance"].set_index("quantity").to_dict("index"),
        "response_lr": model["response_region_lr"].iloc[0].to_dict(),
        "response_or": model["response_model"].set_index("term").to_dict("index"),
        "sensitivity": model["nonresponse_sensitivity"],
        "units": int(
            model["nonresponse_sensitivity"]
            .query("scenario == 'complete_cases'")["n_units"]
            .iloc[0]
        ),
        "rule": rule,
        "items": ITEM_LABELS,
    }


def _survey_facts(s: dict[str, Any], waves: tuple[str, str]) -> dict[str, str]:
    """Sentences about the survey, computed from the survey_waves tables; `waves`: the
    sentence on overlapping waves and the caveat, as `prose.survey_waves` gives them."""
    independence, caveat = waves
    waves = s["respondents_by_wave"]
    counts = "; ".join(f"{r['wave']}: {r['respondents']}" for _, r in waves.iterrows())
    return {
        "respondents": (
            f"Organisations responding by wave (counts of people protected by the "
            f"disclosure rule): {counts}. {independence} Respondents chose to take part, "
            "so they may not represent all such organisations."
        ),
        "caveat": caveat,
    }
