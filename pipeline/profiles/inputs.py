"""Read what the authority pages show: the latest geography and the stage outputs about it.

Every table is read once here and checked against what the pages need. Counts of people
enter only as published: the funnel points come from the chart's published data
(``reports/figures/describe_foi/funnel.csv``: rounded counts, shares withheld where the
disclosure rule says so), never from the raw counts in ``foi_responses``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import disclosure, geography, models, schemas
from pipeline.outputs import read_json
from pipeline.response import on_time, working_days

log = logging.getLogger(__name__)

# The contract of model_provision's authority_estimates.csv (latest round, responders only).
ESTIMATE_COLUMNS = (
    "la_code",
    "la_name",
    "region_name",
    "status",
    "observed_items",
    "expected_items",
    "estimate",
    "conf_low",
    "conf_high",
    "rank",
    "rank_low",
    "rank_high",
)


@dataclass(frozen=True)
class ProfileInputs:
    """Everything the authority pages are built from, on the latest geography.

    Attributes
    ----------
    year : int
        The latest round's geography year.
    rounds : tuple of str
        The FOI rounds in order.
    authorities : DataFrame
        la_code, la_name, la_type, region_code, region_name of the latest geography.
    changes : DataFrame
        Every boundary change ending in the latest geography (`geography.successors` rows
        whose to_year is `year` and whose code changed), with replaced_year: the first
        geography without the old code.
    common : DataFrame
        foi_common with ``working_days`` and ``on_time`` (the FOI clock) added.
    estimates : DataFrame
        The model-based estimates (`ESTIMATE_COLUMNS`), one row per estimated authority.
    combined : dict
        Each small authority the model takes together with another, by la_code, with that
        other's la_code (`models.SMALL_AREAS` when model.combine_small, else empty).
    funnel : DataFrame
        The published funnel points: la_code, n (rounded adults), share.
    funnel_target : float
        The share of women the funnel is drawn around (its target).
    outliers : DataFrame
        describe_foi's funnel_outliers (la_code, limits, level, side; no counts).
    covariates : DataFrame
        la_code, imd_z, log_pop_z, standardised as the model does.
    hexes : DataFrame
        la_code, q, r of the hex layout.
    """

    year: int
    rounds: tuple[str, ...]
    authorities: pd.DataFrame
    changes: pd.DataFrame
    common: pd.DataFrame
    estimates: pd.DataFrame
    combined: dict[str, str]
    funnel: pd.DataFrame
    funnel_target: float
    outliers: pd.DataFrame
    covariates: pd.DataFrame
    hexes: pd.DataFrame

    @property
    def latest_round(self) -> str:
        """The latest FOI round."""
        return self.rounds[-1]


def read_estimates(path: str | Path, codes: pd.Series) -> pd.DataFrame:
    """authority_estimates.csv, checked against its contract and the latest geography."""
    frame = pd.read_csv(path, dtype={"la_code": str}, keep_default_na=False, na_values=[""])
    missing = [c for c in ESTIMATE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: the estimates lack the columns {missing}")
    frame = frame[list(ESTIMATE_COLUMNS)]
    unknown = sorted(set(frame["la_code"]) - set(codes))
    if unknown or frame["la_code"].duplicated().any():
        raise ValueError(
            f"{path}: la_code must be unique and of the latest geography (unknown: {unknown})"
        )
    return frame.sort_values("la_code").reset_index(drop=True)


def read_funnel_points(path: str | Path, authorities: pd.DataFrame) -> pd.DataFrame:
    """The published points of the funnel chart with their GSS codes: la_code, n, share.

    The chart's data names authorities by their names in the latest geography, which are
    unique; a point naming no authority stops the stage. A point whose share is withheld
    by disclosure control (empty or "[c]") is left out: its page says [c].
    """
    data = pd.read_csv(path, dtype={"share": str}, keep_default_na=False, na_values=[""])
    points = data[data["layer"] == "point"]
    codes = dict(zip(authorities["la_name"], authorities["la_code"], strict=True))
    unknown = sorted(set(points["label"]) - set(codes))
    if unknown:
        raise ValueError(f"{path}: funnel points name no authority of the geography: {unknown}")
    shown = points[points["share"].notna() & (points["share"] != disclosure.CONFIDENTIAL)]
    return (
        pd.DataFrame(
            {
                "la_code": shown["label"].map(codes),
                "n": shown["n"].astype("int64"),
                "share": shown["share"].astype(float),
            }
        )
        .sort_values("la_code")
        .reset_index(drop=True)
    )


def _latest_changes(reference_dir: Path, year: int) -> pd.DataFrame:
    """Boundary changes into the `year` geography where the code changed, each with the first
    geography without its old code (replaced_year)."""
    every = geography.successors(reference_dir)
    every = every[every["from_code"] != every["to_code"]]
    replaced = every.groupby("from_code")["to_year"].min().rename("replaced_year")
    changes = every[every["to_year"] == year].join(replaced, on="from_code")
    return changes.sort_values(["to_code", "from_code", "from_year"]).reset_index(drop=True)


def _with_clock(common: pd.DataFrame) -> pd.DataFrame:
    """foi_common with the working days to answer and whether that was on time, as the FOI
    Act counts them."""
    dates = common["date_sent"], common["date_responded"]
    return common.assign(working_days=working_days(*dates), on_time=on_time(*dates)).sort_values(
        ["la_code", "round"], ignore_index=True
    )


def _combined(codes: pd.Series, combine_small: bool) -> dict[str, str]:
    """Each small authority of the geography the model takes together with another, if the
    model combines them (`models.SMALL_AREAS`)."""
    return {s: b for s, b in models.SMALL_AREAS.items() if combine_small and s in set(codes)}


def load_inputs(
    reference_dir: str | Path,
    common: str | Path,
    estimates: str | Path,
    funnel_points: str | Path,
    funnel_outliers: str | Path,
    funnel_summary: str | Path,
    combine_small: bool,
) -> ProfileInputs:
    """Read the pages' inputs (paths as the stage declares them) and check they fit together.

    Parameters
    ----------
    reference_dir : data/reference.
    common : data/processed/foi_common.csv.
    estimates : data/processed/model_provision/authority_estimates.csv.
    funnel_points : reports/figures/describe_foi/funnel.csv (the published chart data).
    funnel_outliers, funnel_summary : describe_foi's funnel_outliers.csv and
        funnel_overdispersion.json.
    combine_small : params.yaml ``model.combine_small``, as the estimates were made.
    """
    reference_dir = Path(reference_dir)
    table = schemas.read(common, "foi_common")
    year = int(table["geography_year"].iloc[0])
    authorities = (
        geography.authorities(reference_dir, year).sort_values("la_code").reset_index(drop=True)
    )
    if set(table["la_code"]) != set(authorities["la_code"]):
        raise ValueError(f"{common} does not cover the {year} geography")
    rounds = tuple(sorted(table["round"].unique()))
    summary = read_json(funnel_summary)
    if summary["round"] != rounds[-1]:
        raise ValueError(f"{funnel_summary} is of round {summary['round']}, not {rounds[-1]}")
    outliers = pd.read_csv(funnel_outliers, dtype={"la_code": str})
    covariates = models.standardised_covariates(geography.covariates(reference_dir, year))
    inputs = ProfileInputs(
        year=year,
        rounds=rounds,
        authorities=authorities,
        changes=_latest_changes(reference_dir, year),
        common=_with_clock(table),
        estimates=read_estimates(estimates, authorities["la_code"]),
        combined=_combined(authorities["la_code"], combine_small),
        funnel=read_funnel_points(funnel_points, authorities),
        funnel_target=float(summary["target"]),
        outliers=outliers.sort_values(["la_code", "limits", "level"]).reset_index(drop=True),
        covariates=covariates.sort_values("la_code").reset_index(drop=True),
        hexes=geography.hexes(reference_dir, year).sort_values("la_code").reset_index(drop=True),
    )
    log.info(
        "profiles: %d authorities of the %d geography, %d estimated, %d on the published funnel",
        len(authorities),
        year,
        len(inputs.estimates),
        len(inputs.funnel),
    )
    return inputs
