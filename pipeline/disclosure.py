"""Statistical disclosure control: the one policy for every published count of people.

Counts of people and organisations (survey respondents, adults or women in treatment) are
protected; counts of authorities or services are not, so callers name the people-count
columns. The policy, applied where a table is written (docs/methodology.md, section 10):

1. Primary suppression: a count of 0 is shown (a zero names nobody); counts from 1 to
   ``suppress_below - 1`` are suppressed.
2. Secondary suppression: every sum that is published (a total column or row, a combined
   category, a denominator published elsewhere) is an equation ``total = parts``. No
   equation may reveal a suppressed cell (one unknown cell alone) or a small sum of
   suppressed cells (unknown parts, known total, sum below ``suppress_below``); the
   smallest non-zero published part is suppressed until none does.
3. Rounding: every other count is rounded to the nearest ``round_to``, half up.
4. Derived values (shares, intervals) are computed from the protected counts, so they
   reveal nothing the published counts do not, and are suppressed with them.

In a protected table a people-count column is nullable ``Int64`` (NA where suppressed or
not available) with a boolean companion ``<column>_suppressed``; `publishable_strings`
turns that into the Analysis Function shorthand ("[c]" confidential, "[x]" not available).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from pipeline.intervals import wilson_interval

log = logging.getLogger(__name__)

SUFFIX = "_suppressed"
CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
_COMPLEMENT = "_complement"


class Sum(NamedTuple):
    """In every row, column `total` is the sum of columns `parts`.

    `total` None means the sum is published elsewhere (in another table, a figure or the
    text) and is protected there by the same rule.
    """

    total: str | None
    parts: tuple[str, ...]


class Distribution(NamedTuple):
    """A protected categorical distribution (`protect_distribution`)."""

    levels: pd.DataFrame
    combined: pd.DataFrame


class _Cells(NamedTuple):
    """A table's people counts, flattened: values (NaN if missing), unpublished, small."""

    values: np.ndarray
    hidden: np.ndarray
    small: np.ndarray


def round_half_up(counts: np.ndarray, round_to: int) -> np.ndarray:
    """Round non-negative integer counts to the nearest multiple of `round_to`, half up."""
    return (2 * counts + round_to) // (2 * round_to) * round_to


def _check_rule(suppress_below: int, round_to: int) -> None:
    if suppress_below < 1 or round_to < 1:
        raise ValueError("suppress_below and round_to must be at least 1")
    if 2 * suppress_below < round_to:
        raise ValueError(
            f"round_to={round_to} would publish counts from {suppress_below} as 0; "
            f"suppress_below must be at least round_to / 2"
        )


def _check(table: pd.DataFrame, columns: list[str], suppress_below: int, round_to: int) -> None:
    _check_rule(suppress_below, round_to)
    if not columns:
        raise ValueError("name at least one people-count column")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"people-count columns not in the table: {missing}")
    for col in columns:
        values = pd.to_numeric(table[col]).dropna()
        if ((values < 0) | (values != np.floor(values))).any():
            raise ValueError(f"column {col!r} must hold non-negative whole counts")


def _equations(
    values: np.ndarray,
    columns: list[str],
    sums: Sequence[Sum],
    column_totals: Sequence[str],
    total_row: int | None,
) -> list[tuple[int | None, np.ndarray]]:
    """Each published sum as (flat index of its total or None, flat indices of its parts).

    Missing cells are left out (they are not part of any published sum); the most specific
    sums (fewest parts) come first, so nested categories are protected before their totals.
    """
    at = {c: j for j, c in enumerate(columns)}
    unknown = [c for s in sums for c in (*s.parts, s.total) if c is not None and c not in at]
    unknown += [c for c in column_totals if c not in at]
    if unknown:
        raise ValueError(f"sums name columns that are not people counts: {sorted(set(unknown))}")
    cell = np.arange(values.size).reshape(values.shape)
    found = [
        (None if s.total is None else cell[i, at[s.total]], cell[i, [at[c] for c in s.parts]])
        for s in sums
        for i in range(len(cell))
    ]
    body = np.delete(cell, [] if total_row is None else [total_row], axis=0)
    found += [
        (None if total_row is None else cell[total_row, at[c]], body[:, at[c]])
        for c in column_totals
    ]
    flat = values.ravel()
    kept = [
        (total, parts[~np.isnan(flat[parts])])
        for total, parts in found
        if total is None or not np.isnan(flat[total])
    ]
    return sorted(kept, key=lambda eq: eq[1].size)


def _exposed(cells: _Cells, suppressed: np.ndarray, eq: tuple, threshold: int) -> bool:
    """Whether a published sum reveals a suppressed (or small unpublished) cell or a small sum.

    Unknown cells are the suppressed and the unpublished ones. The sum reveals a cell when it
    has one unknown; it reveals the sum of its unknown parts when its total is known, so that
    sum must reach `threshold`.
    """
    total, parts = eq
    members = parts if total is None else np.append(parts, total)
    unknown = members[suppressed[members] | cells.hidden[members]]
    if not (suppressed[unknown] | cells.small[unknown]).any():
        return False
    if unknown.size == 1:
        return True
    total_known = total is None or not (suppressed[total] or cells.hidden[total])
    return total_known and cells.values[unknown].sum() < threshold


def _partner(cells: _Cells, suppressed: np.ndarray, eq: tuple) -> int | None:
    """The smallest non-zero published part of a sum; its total if there is none."""
    total, parts = eq
    free = parts[(cells.values[parts] > 0) & ~suppressed[parts] & ~cells.hidden[parts]]
    if free.size:
        return int(free[np.argmin(cells.values[free])])
    if total is None or suppressed[total] or cells.hidden[total] or not cells.values[total] > 0:
        return None
    return int(total)


def _secondary(cells: _Cells, equations: list, threshold: int) -> np.ndarray:
    """Primary suppression, then partners until no published sum reveals a suppressed cell."""
    suppressed = cells.small & ~cells.hidden
    changed = True
    while changed:
        changed = False
        for eq in equations:
            if _exposed(cells, suppressed, eq, threshold):
                cell = _partner(cells, suppressed, eq)
                if cell is not None:
                    suppressed[cell] = changed = True
    left = sum(_exposed(cells, suppressed, eq, threshold) for eq in equations)
    if left:
        log.warning("disclosure: %d sums reveal a suppressed count unless suppressed", left)
    return suppressed


def protect(
    table: pd.DataFrame,
    people_columns: list[str],
    suppress_below: int,
    round_to: int,
    *,
    sums: Sequence[Sum] = (),
    column_totals: Sequence[str] = (),
    total_row: Hashable | None = None,
    hidden: Sequence[str] = (),
) -> pd.DataFrame:
    """A copy of `table` with every people-count column made publishable.

    Parameters
    ----------
    table : one row per published row; other columns are left untouched.
    people_columns : columns holding counts of people.
    suppress_below, round_to : params.yaml ``disclosure``.
    sums : sums published within each row (`Sum`).
    column_totals : columns whose sum down the rows is published: in the row labelled
        `total_row` (an index label) if given, else elsewhere.
    hidden : counts of people that are not published but are parts of a published sum (the
        complement of a share); small ones are protected like suppressed cells. Dropped.

    Returns
    -------
    The table with each people column as ``Int64`` (rounded; NA if suppressed or missing)
    and a boolean ``<column>_suppressed`` beside it.
    """
    columns = [*people_columns, *hidden]
    _check(table, columns, suppress_below, round_to)
    values = np.column_stack(
        [pd.to_numeric(table[c]).to_numpy(dtype="float64", na_value=np.nan) for c in columns]
    )
    row = None if total_row is None else table.index.get_loc(total_row)
    equations = _equations(values, columns, sums, column_totals, row)
    unpublished = np.zeros(values.shape, bool)
    unpublished[:, len(people_columns) :] = True
    cells = _Cells(
        values.ravel(), unpublished.ravel(), ((values >= 1) & (values < suppress_below)).ravel()
    )
    suppressed = _secondary(cells, equations, suppress_below).reshape(values.shape)
    rounded = round_half_up(np.nan_to_num(values).astype("int64"), round_to)
    out = table.drop(columns=list(hidden))
    for j, col in enumerate(people_columns):
        published = pd.array(rounded[:, j], dtype="Int64")
        published[np.isnan(values[:, j]) | suppressed[:, j]] = pd.NA
        out[col] = published
        out = _flag(out, col, suppressed[:, j])
    shown = suppressed[:, : len(people_columns)]
    log.info("disclosure: %d of %d people counts suppressed", shown.sum(), shown.size)
    return out


def _flag(table: pd.DataFrame, column: str, flag: np.ndarray) -> pd.DataFrame:
    """`table` with ``<column>_suppressed`` set to `flag`, just after `column`."""
    out = table.drop(columns=column + SUFFIX, errors="ignore")
    out.insert(out.columns.get_loc(column) + 1, column + SUFFIX, flag)
    return out


def protect_derived(table: pd.DataFrame, derived: list[str], sources: list[str]) -> pd.DataFrame:
    """Blank values (shares, intervals, z-scores) computed from any suppressed source count.

    Each derived column becomes NA where a source was suppressed and gains a
    ``<column>_suppressed`` companion; `sources` must already have been through `protect`.
    Where a source is published the value is left as it is: unless it was computed from the
    protected counts (`derive_share`), it may undo their rounding.
    """
    absent = [s for s in sources if s + SUFFIX not in table.columns]
    if absent:
        raise ValueError(f"protect these columns before deriving from them: {absent}")
    hidden = table[[s + SUFFIX for s in sources]].any(axis=1).to_numpy()
    out = table.copy()
    for col in derived:
        out[col] = out[col].mask(hidden)
        out = _flag(out, col, hidden)
    return out


def derive_share(
    table: pd.DataFrame,
    count: str,
    total: str,
    significance: float | None = None,
    *,
    round_to: int = 1,
    share: str = "share",
    interval: tuple[str, str] = ("conf_low", "conf_high"),
) -> pd.DataFrame:
    """Share ``count / total`` (and its Wilson interval) recomputed from protected counts.

    A share of rounded counts reveals nothing the counts do not, at any precision. The share
    is NA where either count is suppressed (flagged) or the total is 0 or missing (not
    flagged: not available). With `significance` the `interval` columns are recomputed too,
    allowing for counts rounded to multiples of `round_to` (`intervals.wilson_interval`).
    """
    flag = (table[count + SUFFIX] | table[total + SUFFIX]).to_numpy(dtype=bool)
    k = pd.to_numeric(table[count]).to_numpy(dtype="float64", na_value=np.nan)
    n = pd.to_numeric(table[total]).to_numpy(dtype="float64", na_value=np.nan)
    shown = ~flag & ~np.isnan(k) & (np.nan_to_num(n) > 0)
    out = table.copy()
    out[share] = np.where(shown, k / np.where(shown, n, 1), np.nan)
    out = _flag(out, share, flag)
    if significance is not None:
        k, n = np.where(shown, k, 0), np.where(shown, n, 0)
        bounds = wilson_interval(k, n, significance, round_to)
        for column, values in zip(interval, bounds, strict=True):
            out[column] = np.where(shown, values, np.nan)
            out = _flag(out, column, flag)
    return out


def protect_proportions(
    table: pd.DataFrame,
    count: str,
    total: str,
    derived: list[str],
    suppress_below: int,
    round_to: int,
) -> pd.DataFrame:
    """Protect a count of people, its denominator, and blank values derived from them.

    The complement (``total - count``, e.g. respondents who did not tick an option) is a
    count of people too: when it is small, `count` is suppressed as well, since the
    published total would reveal it. The `derived` columns are blanked where a count is
    suppressed (`protect_derived`); use `publish_proportions` to recompute shares.
    """
    work = table.assign(**{_COMPLEMENT: pd.to_numeric(table[total]) - pd.to_numeric(table[count])})
    out = protect(
        work,
        [total, count],
        suppress_below,
        round_to,
        sums=[Sum(total, (count, _COMPLEMENT))],
        hidden=[_COMPLEMENT],
    )
    return protect_derived(out, derived, [total, count])


def publish_proportions(
    table: pd.DataFrame,
    count: str,
    total: str,
    suppress_below: int,
    round_to: int,
    *,
    significance: float,
) -> pd.DataFrame:
    """`protect_proportions`, then the share and its Wilson interval from the published counts,
    widened for their rounding.

    Writes columns share, conf_low and conf_high (each with a ``_suppressed`` flag).
    """
    out = protect_proportions(table, count, total, [], suppress_below, round_to)
    return derive_share(out, count, total, significance, round_to=round_to)


def _combined_sums(
    levels: list[str], total: str, combined: dict[str, list[str]]
) -> tuple[list[str], list[Sum]]:
    """The published sums of a distribution: all levels, each combination, and its rest."""
    clash = [name for name in combined if name in levels or name == total]
    if clash:
        raise ValueError(f"combined categories must not be named like a level: {clash}")
    unknown = sorted({p for parts in combined.values() for p in parts} - set(levels))
    if unknown:
        raise ValueError(f"combined categories name unknown levels: {unknown}")
    sums = [Sum(total, tuple(levels))]
    for name, parts in combined.items():
        rest = tuple(level for level in levels if level not in parts)
        sums += [Sum(name, tuple(parts)), Sum(total, (name, *rest))]
    return list(combined), sums


def _long(wide: pd.DataFrame, by: list[str], names: list[str], column: str) -> pd.DataFrame:
    """Protected counts of `names` (columns of `wide`) stacked into rows named by `column`."""
    values = wide.melt(id_vars=by, value_vars=names, var_name=column, value_name="count")
    flags = wide.melt(id_vars=by, value_vars=[n + SUFFIX for n in names], value_name="flag")
    return values.assign(count_suppressed=flags["flag"].to_numpy(dtype=bool))


def protect_distribution(
    table: pd.DataFrame,
    by: list[str],
    level: str,
    total: str,
    suppress_below: int,
    round_to: int,
    *,
    combined: dict[str, list[str]] | None = None,
) -> Distribution:
    """Protect the counts of a categorical answer (a Likert scale) and shares of its total.

    Parameters
    ----------
    table : long, one row per group (`by`) and `level` (text codes, in scale order), with
        that level's ``count`` and the group's `total` (the sum of its levels, on each row).
    combined : categories published as sums of levels, e.g. ``{"good": ["4", "5"]}``. Each
        is counted before protection and protected as a count of its own, with the levels
        and the rest of the total as published sums, so it never adds up protected cells.

    Returns
    -------
    Distribution
        ``levels``: `table` with count, `total` and share protected (share from the
        protected counts); ``combined``: one row per group and category (column
        ``category``) with count, `total` and share, protected the same way.
    """
    combined = combined or {}
    levels = list(dict.fromkeys(table[level]))
    wide = table.pivot(index=by, columns=level, values="count")[levels]
    wide[total] = table.groupby(by)[total].first()
    names, sums = _combined_sums(levels, total, combined)
    for name, parts in combined.items():
        wide[name] = wide[parts].sum(axis=1)
    wide = protect(
        wide.reset_index().rename_axis(columns=None),
        [*levels, total, *names],
        suppress_below,
        round_to,
        sums=sums,
    )
    totals = wide[[*by, total, total + SUFFIX]]
    keep = [c for c in table.columns if c not in ("count", total, "share")]
    out = table[keep].merge(_long(wide, by, levels, level).merge(totals, on=by), on=[*by, level])
    sums_out = _long(wide, by, names, "category").merge(totals, on=by)
    return Distribution(derive_share(out, "count", total), derive_share(sums_out, "count", total))


def publishable_strings(table: pd.DataFrame) -> pd.DataFrame:
    """Render protected columns as text: "[c]" where suppressed, "[x]" where not available.

    Every column with a ``<column>_suppressed`` companion is rendered and the companions are
    dropped; other columns are returned as they are. "[z]" (not applicable) is the
    caller's to write, as only the caller knows when a cell cannot apply.
    """
    out = table.copy()
    flags = [c for c in out.columns if c.endswith(SUFFIX) and c[: -len(SUFFIX)] in out.columns]
    for flag in flags:
        col = flag[: -len(SUFFIX)]
        text = out[col].astype("string")
        text = text.mask(out[col].isna(), NOT_AVAILABLE).mask(out[flag], CONFIDENTIAL)
        out[col] = text
    return out.drop(columns=flags)


def describe_rule(suppress_below: int, round_to: int) -> str:
    """The disclosure rule as a sentence for the methods appendix, from the parameters."""
    _check_rule(suppress_below, round_to)
    parts = []
    if suppress_below > 1:
        small = "of 1" if suppress_below == 2 else f"from 1 to {suppress_below - 1}"
        parts.append(
            f"counts of people {small} are suppressed and shown as {CONFIDENTIAL}; "
            "where a published total (a row or column total, a denominator or a combined "
            "category) would reveal a suppressed count, or a sum of suppressed counts "
            f"below {suppress_below}, the next smallest count it adds up is suppressed too"
        )
    if round_to > 1:
        parts.append(
            f"other counts of people are rounded to the nearest {round_to} "
            "(half-way values upwards), so totals may not equal the sum of their parts"
        )
    if not parts:
        return "Counts are published unrounded and unsuppressed."
    text = "; ".join(parts)
    return (
        f"{text[0].upper()}{text[1:]}. Shares and intervals are computed from the published "
        "counts and are not shown where a count is suppressed. Zeros are shown, and counts "
        "of local authorities or services are not controlled."
    )
