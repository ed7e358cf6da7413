"""Write stage outputs so that reruns give byte-identical files."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 CSV with `\\n` line endings and no index."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    log.info("wrote %s: %d rows", path, len(frame))
    return path


def write_json(data: Any, path: str | Path) -> Path:
    """Write JSON with sorted keys and a trailing newline; numpy scalars become numbers."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, default=_plain)
    path.write_text(text + "\n", encoding="utf-8")
    log.info("wrote %s", path)
    return path


def read_json(path: str | Path) -> Any:
    """Read a JSON output."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
