"""Read the analyst's item-answer overrides (data/foi_overrides.csv) and apply them last."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from pipeline.foi.problems import fail
from pipeline.readers import ROW, read_table
from pipeline.taxonomy import ANSWERS, ITEM_IDS

log = logging.getLogger(__package__)  # the package logs as "pipeline.foi"

OVERRIDE_COLUMNS = ["round", "la_code", "item", "answer", "reason"]


def read_overrides(path: str | Path) -> pd.DataFrame:
    """The analyst's overrides [round, la_code, item, answer, reason, source_row]; checked."""
    data = read_table(path, OVERRIDE_COLUMNS).data
    problems = [
        (r, "item", f"{v!r} is not an item id")
        for r, v in zip(data[ROW], data["item"], strict=True)
        if v not in ITEM_IDS
    ]
    problems += [
        (r, "answer", f"{v!r} is not one of {list(ANSWERS)}")
        for r, v in zip(data[ROW], data["answer"], strict=True)
        if v not in ANSWERS
    ]
    problems += [
        (r, "reason", "every override needs a reason")
        for r, v in zip(data[ROW], data["reason"], strict=True)
        if not v
    ]
    fail(path, "bad override", problems)
    return data


def apply_overrides(
    items: pd.DataFrame, responded: pd.DataFrame, overrides: pd.DataFrame, file: str | Path
) -> pd.DataFrame:
    """Set the overridden answers (applied last); each must name a responding authority's item."""
    items = items.copy()
    keys = items.set_index(["round", "la_code", "item"]).index
    answered = set(
        zip(*responded.loc[responded["responded"], ["round", "la_code"]].T.values, strict=True)
    )
    problems = []
    for _, o in overrides.iterrows():
        key = (o["round"], o["la_code"], o["item"])
        if (o["round"], o["la_code"]) not in answered:
            problems.append(
                (
                    o[ROW],
                    "la_code",
                    f"round {o['round']!r} has no response from {o['la_code']!r} to override",
                )
            )
            continue
        at = keys.get_loc(key)
        items.loc[at, ["answer", "overridden"]] = [o["answer"], True]
        log.info("override: round %s %s %s -> %s (%s)", *key, o["answer"], o["reason"])
    fail(file, "bad override", problems)
    return items
