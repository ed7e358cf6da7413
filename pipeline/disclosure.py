"""Statistical disclosure control: the one rule for every published count of people.

The rule follows NHS Digital's disclosure control method for Hospital Episode Statistics
(September 2018): a count of 0 is shown as 0 (a zero names nobody), counts from 1 to
``suppress_below - 1`` are suppressed, and every other count is rounded to the nearest
``round_to``. Counts of people (survey respondents, adults or women in treatment in an
authority) are controlled; counts of authorities or services are not, so callers name the
people-count columns. Rounding is half up: with ``round_to = 10``, 15 becomes 20.

In a protected table a people-count column is nullable ``Int64`` (NA where suppressed or
not available) with a boolean companion ``<column>_suppressed``; `publishable_strings`
turns that into the Analysis Function shorthand ("[c]" confidential, "[x]" not
available) at the publishing edge.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

SUFFIX = "_suppressed"
CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
_TOTAL_KINDS = ("rows", "columns")


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


def _groups(shape: tuple[int, int], columns: list[str], totals: dict[str, list[str]]):
    """Index arrays (row, column) of each set of cells whose sum is published."""
    rows, _ = shape
    for kind, cols in totals.items():
        if kind not in _TOTAL_KINDS:
            raise ValueError(f"totals keys must be {_TOTAL_KINDS} (got {kind!r})")
        unknown = [c for c in cols if c not in columns]
        if unknown:
            raise ValueError(f"totals name columns that are not people counts: {unknown}")
        j = np.array([columns.index(c) for c in cols])
        if kind == "rows":
            yield from ((np.full(j.size, i), j) for i in range(rows))
        else:
            yield from ((np.arange(rows), np.full(rows, jj)) for jj in j)


def _secondary(counts: np.ndarray, suppressed: np.ndarray, groups: list) -> np.ndarray:
    """Suppress the next smallest non-zero cell wherever a published total has one suppressed."""
    suppressed = suppressed.copy()
    changed = True
    while changed:
        changed = False
        for i, j in groups:
            if suppressed[i, j].sum() != 1:
                continue
            free = ~suppressed[i, j] & (np.nan_to_num(counts[i, j]) > 0)
            if not free.any():  # the total equals the suppressed count, so is itself suppressed
                continue
            k = np.flatnonzero(free)[np.argmin(counts[i, j][free])]
            suppressed[i[k], j[k]] = True
            changed = True
    return suppressed


def protect(
    table: pd.DataFrame,
    people_columns: list[str],
    suppress_below: int,
    round_to: int,
    totals: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """A copy of `table` with every people-count column made publishable.

    Parameters
    ----------
    table : one row per published row; other columns are left untouched.
    people_columns : columns holding counts of people.
    suppress_below, round_to : params.yaml ``disclosure``.
    totals : sums that are published elsewhere (in the table, a figure or the text):
        ``{"rows": [cols]}`` when each row's sum over `cols` is published,
        ``{"columns": [cols]}`` when each column's sum down the rows is published. Where such
        a sum has exactly one suppressed cell, the next smallest non-zero cell is suppressed too
        (if all others are zero, the sum equals the suppressed count and is itself suppressed
        wherever this rule is applied to it).

    Returns
    -------
    The table with each people column as ``Int64`` (rounded; NA if suppressed or missing) and
    a boolean ``<column>_suppressed`` beside it. Protecting a protected table changes nothing
    when rounding cannot bring a count below `suppress_below` (as with 8 and 5).
    """
    _check(table, people_columns, suppress_below, round_to)
    out = table.copy()
    counts = np.column_stack(
        [pd.to_numeric(out[c]).to_numpy(dtype="float64", na_value=np.nan) for c in people_columns]
    )
    already = np.column_stack(
        [
            out[c + SUFFIX].to_numpy(dtype=bool) if c + SUFFIX in out else np.zeros(len(out), bool)
            for c in people_columns
        ]
    )
    small = (counts >= 1) & (counts < suppress_below)
    groups = list(_groups(counts.shape, people_columns, totals or {}))
    suppressed = _secondary(counts, small | already, groups)
    rounded = round_half_up(np.nan_to_num(counts).astype("int64"), round_to)
    for j, col in enumerate(people_columns):
        values = pd.array(rounded[:, j], dtype="Int64")
        values[np.isnan(counts[:, j]) | suppressed[:, j]] = pd.NA
        out[col] = values
        out = out.drop(columns=col + SUFFIX, errors="ignore")
        out.insert(out.columns.get_loc(col) + 1, col + SUFFIX, suppressed[:, j])
    log.info("disclosure: %d of %d people counts suppressed", suppressed.sum(), suppressed.size)
    return out


def protect_derived(table: pd.DataFrame, derived: list[str], sources: list[str]) -> pd.DataFrame:
    """Blank values (shares, intervals, z-scores) computed from any suppressed source count.

    Each derived column becomes NA where a source was suppressed and gains a
    ``<column>_suppressed`` companion; `sources` must already have been through `protect`.
    """
    absent = [s for s in sources if s + SUFFIX not in table.columns]
    if absent:
        raise ValueError(f"protect these columns before deriving from them: {absent}")
    hidden = table[[s + SUFFIX for s in sources]].any(axis=1).to_numpy()
    out = table.copy()
    for col in derived:
        out[col] = out[col].mask(hidden)
        out = out.drop(columns=col + SUFFIX, errors="ignore")
        out.insert(out.columns.get_loc(col) + 1, col + SUFFIX, hidden)
    return out


def protect_proportions(
    table: pd.DataFrame,
    count: str,
    total: str,
    derived: list[str],
    suppress_below: int,
    round_to: int,
) -> pd.DataFrame:
    """Protect a count of people, its denominator and the shares computed from them.

    The complement (``total - count``, e.g. respondents who did not tick an option) is a
    count of people too: when it is small, `count` is suppressed as well, since the
    published total would reveal it. The complement itself is not returned.
    """
    rest = "_complement"
    work = table.assign(**{rest: pd.to_numeric(table[total]) - pd.to_numeric(table[count])})
    out = protect(
        work, [total, count, rest], suppress_below, round_to, totals={"rows": [count, rest]}
    )
    out = protect_derived(out, derived, [total, count, rest])
    return out.drop(columns=[rest, rest + SUFFIX])


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
            "where a published total would reveal a suppressed count, the next "
            "smallest count in the same row or column is suppressed too, and shares "
            "or intervals computed from a suppressed count are not shown"
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
        f"{text[0].upper()}{text[1:]}. Zeros are shown, and counts of local authorities or "
        "services are not controlled."
    )
