"""Write stage outputs so that reruns give byte-identical files, and published text safely.

Text that a spreadsheet opens (CSV under reports/, cells of tables.xlsx) passes through
`neutralise`: a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
would be read as a formula (OWASP, CSV injection), so it gets a leading single quote unless it
is a number.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a table as UTF-8 CSV with `\\n` line endings and no index."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    log.info("wrote %s: %d rows", path, len(frame))
    return path


def neutralise(value: Any) -> Any:
    """`value` made safe for a spreadsheet: text that a spreadsheet would run as a formula
    gets a leading single quote; numbers, numeric text ("-1.5", "+3") and other values are
    returned as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    return value if NUMBER.fullmatch(value) else "'" + value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell and column name passed through `neutralise`."""
    out = frame.rename(columns=neutralise)
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise, na_action="ignore")
    return out


def publish_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """`write_csv` for a file people open in a spreadsheet (anything under reports/): every
    text cell neutralised (`neutralise`)."""
    return write_csv(neutralised(frame), path)


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
