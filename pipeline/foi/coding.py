"""Code the FOI free text to the provision items with the keyword coding frame."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from pipeline.errors import InputError
from pipeline.taxonomy import ITEM_IDS

DEFAULT_CODING_FRAME = resources.files("pipeline") / "resources" / "coding_frame.yaml"


def load_coding_frame(path: str | Path | None = None) -> dict[str, list[re.Pattern[str]]]:
    """The keyword coding frame (item id -> compiled patterns); error on an unknown item id."""
    path = DEFAULT_CODING_FRAME if path is None else Path(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = sorted(set(raw) - set(ITEM_IDS))
    if unknown:
        raise InputError(path, f"unknown item ids {unknown} (known: {list(ITEM_IDS)})")
    return {item: [re.compile(p, re.IGNORECASE) for p in raw.get(item, [])] for item in ITEM_IDS}


def code_text(texts: pd.Series, frame: dict[str, list[re.Pattern[str]]]) -> pd.DataFrame:
    """Which items each free text mentions: one bool column per item id, indexed like texts."""
    return pd.DataFrame(
        {
            item: texts.map(lambda t, ps=patterns: any(p.search(t) for p in ps)).astype(bool)
            for item, patterns in frame.items()
        },
        index=texts.index,
    )
