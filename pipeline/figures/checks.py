"""Checks on a chart's input frame that raise ValueError naming the chart and the fault."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def _require(df: pd.DataFrame, columns: Sequence[str], chart: str, nullable: Sequence[str] = ()):
    """Raise ValueError naming any missing column, or the first empty cell of a required one."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{chart}: input has no column {', '.join(map(repr, missing))} "
            f"(needs {list(columns)}; has {list(df.columns)})"
        )
    for column in columns:
        empty = df[column].isna()
        if column not in nullable and empty.any():
            raise ValueError(f"{chart}: column {column!r} is empty in row {df.index[empty][0]}")


def _require_unique(df: pd.DataFrame, keys: list[str], chart: str) -> None:
    dupes = df[df.duplicated(keys, keep=False)]
    if not dupes.empty:
        first = dupes.iloc[0][keys].tolist()
        raise ValueError(f"{chart}: more than one row for {dict(zip(keys, first, strict=True))}")


def _require_known(values: pd.Series, known: Sequence[Any], chart: str) -> None:
    unknown = sorted(set(values) - set(known), key=str)
    if unknown:
        raise ValueError(f"{chart}: column {values.name!r} has unknown values {unknown}")


def _require_interval(df: pd.DataFrame, value: str, chart: str) -> None:
    """Each row's conf_low <= value <= conf_high."""
    bad = (df["conf_low"] > df[value] + 1e-12) | (df[value] > df["conf_high"] + 1e-12)
    if bad.any():
        row = df.index[bad][0]
        raise ValueError(
            f"{chart}: row {row} has {value!r} outside its interval "
            f"(conf_low {df.at[row, 'conf_low']}, {value} {df.at[row, value]}, "
            f"conf_high {df.at[row, 'conf_high']})"
        )


def _optional(df: pd.DataFrame, column: str) -> str | None:
    return column if column in df.columns else None
