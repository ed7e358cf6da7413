"""The FOI example's generator: draws each round, writes its tracker file into the raw folder's
FOI folder, and writes the truth (foi_responses.csv, foi_items.csv, provision_truth.json).

Round "2021" (2021 geography) is a CSV whose first column `synthetic` says "SYNTHETIC
EXAMPLE"; round "2024" (2023 geography) a workbook with a title row saying it is synthetic and
a README sheet. Provision and response come from pipeline.synth.provision; `foi_forms` decides
how people type them; `people` adds an officer's contact details to some free texts (names,
emails, phones, addresses, none of which the coding frame reads as provision).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import layout, schemas
from pipeline.foi import TEXT
from pipeline.synth import provision
from pipeline.synth.foi_files import FIRST_ROW, lay_out, write_round
from pipeline.synth.foi_forms import PHRASES
from pipeline.synth.foi_rounds import (
    ADULTS_SHAPE,
    NDTMS_PERIOD,
    ROUNDS,
    WOMEN_RHO,
    WOMEN_SHARE,
    SynthRound,
    frailties,
    ndtms_adults,
    plant_duplicate,
    plant_old_code,
    round_rows,
)
from pipeline.synth.people import People
from pipeline.taxonomy import ITEM_IDS

__all__ = ["PHRASES", "ROUNDS", "generate"]

log = logging.getLogger(__name__)

CONTACT_RATE = 0.25  # free texts to which the officer adds someone's contact details


def _write_round(
    rng: np.random.Generator,
    spec: SynthRound,
    index: int,
    reference_dir: Path,
    folder: Path,
    frailty: pd.Series,
    adults_total: float,
    people: People,
) -> tuple[list[dict], list[dict]]:
    """Draw round `spec` (the `index`-th), write its file; return its truth rows and item rows."""
    raw, rows, items = round_rows(rng, spec, index, reference_dir, frailty, adults_total)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["la_name"], rows[i]["la_code"]))
    raw, rows = [raw[i] for i in order], [rows[i] for i in order]
    if index > 0:
        plant_old_code(rng, reference_dir, ROUNDS[0].geography_year, spec.geography_year, raw, rows)
    duplicate = plant_duplicate(rng, spec, raw, rows) if index == 0 else None
    laid_out, source_rows = lay_out(rng, raw, FIRST_ROW[spec.suffix], duplicate)
    for row in laid_out:
        if row is not None and row[TEXT] and people.rng.random() < CONTACT_RATE:
            note = people.foi_note()  # before or after what the text says
            row[TEXT] = (
                f"{note} {row[TEXT]}" if people.rng.random() < 0.5 else f"{row[TEXT]} {note}"
            )
    for row, source_row in zip(rows, source_rows, strict=True):
        row["source_row"] = source_row
    path = folder / f"{spec.name}{spec.suffix}"
    write_round(path, laid_out)
    log.info("wrote %s (%d authorities)", path, len(rows))
    return rows, items


def _truth_frames(rows: list[dict], items: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The foi_responses and foi_items tables the cleaner must output, in its row order."""
    responses = pd.DataFrame(rows)[schemas.columns("foi_responses")]
    whole = [
        "days_to_answer",
        "n_items",
        *(f"{w}_{p}" for w in ("adults", "women") for p in ("in_treatment", "bound")),
    ]
    responses = responses.astype(dict.fromkeys(whole, "Int64"))
    responses = responses.sort_values(["round", "la_code"], kind="stable")
    items_frame = pd.DataFrame(items)[schemas.columns("foi_items")]
    items_frame["_i"] = items_frame["item"].map(ITEM_IDS.index)
    items_frame = items_frame.sort_values(["round", "la_code", "_i"]).drop(columns="_i")
    return responses.reset_index(drop=True), items_frame.reset_index(drop=True)


def _write_truth(truth: Path, rows: list[dict], items: list[dict], adults_total: float) -> None:
    responses, items_frame = _truth_frames(rows, items)
    responses.to_csv(truth / "foi_responses.csv", index=False, lineterminator="\n")
    items_frame.to_csv(truth / "foi_items.csv", index=False, lineterminator="\n")
    model = {
        "provision": asdict(provision.TRUTH),
        "count_model": {
            "ndtms_period": NDTMS_PERIOD,
            "adults_total": adults_total,
            "adults_gamma_shape": ADULTS_SHAPE,
            "women_share": WOMEN_SHARE,
            "women_rho": WOMEN_RHO,
        },
    }
    (truth / "provision_truth.json").write_text(
        json.dumps(model, indent=2) + "\n", encoding="utf-8"
    )


def generate(
    reference_dir: Path, out: Path, truth: Path, rng: np.random.Generator, people: People
) -> None:
    """Write each round's file into `out`'s FOI folder (<round>.csv|xlsx) and the truth under
    `truth`: foi_responses.csv, foi_items.csv and provision_truth.json. `people` types the
    contact details in the free text and records them."""
    folder = layout.foi_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    frailty = frailties(reference_dir, rng)
    adults_total = ndtms_adults(reference_dir)
    all_rows, all_items = [], []
    for index, spec in enumerate(ROUNDS):
        rows, items = _write_round(
            rng,
            spec,
            index,
            reference_dir,
            folder,
            frailty[spec.geography_year],
            adults_total,
            people,
        )
        all_rows += rows
        all_items += items
    _write_truth(truth, all_rows, all_items, adults_total)
