"""A hostile reader of published tables: differencing, share inversion and linked tables.

The attacker knows the disclosure rule (``suppress_below``, ``round_to``) and reads only what
is published. Every published count becomes an interval of true counts that it allows: 0 is
exactly 0, "[c]" is at least 1, a rounded count ``v`` is anything that rounds to ``v`` (and is
at least ``suppress_below``), and a count off the rounding grid (not a multiple of
``round_to``) was not rounded, so it is exact: that is a finding in itself. Cells are named
globally, so a count read from two tables that share a margin is one cell: reading it twice
intersects the intervals (linked tables).

- `invert` searches integer counts and denominators within those intervals for the pairs
  that reproduce a published share (or Wilson interval) at its printed precision. A
  unique count or denominator other than the published one is a recovery, and is kept.
- `invert_difference` does the same for a difference between two shares.
- `difference` propagates the intervals through every published sum (total = parts) and
  reports suppressed cells pinned to one value, rounded counts pinned to one value, and
  sums of suppressed cells shown to be below ``suppress_below``.

Published numbers that contradict each other (no true counts fit them all, as when a chart
adds up shares with a suppressed cell counted as 0) are reported as inconsistent.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

BIG = 10**9  # no upper bound: a suppressed count may be large if it was suppressed secondarily
SUPPRESSED = "[c]"


@dataclass(frozen=True)
class Finding:
    """One thing the attacker learnt that the rule should have hidden."""

    attack: str
    table: str
    cell: str
    value: str


def decimals(text: str) -> int:
    """Digits after the decimal point of a number as printed ('0.7125' -> 4, '80' -> 0)."""
    text = str(text).lower()
    if "e" in text:
        mantissa, exponent = text.split("e")
        return max(decimals(mantissa) - int(exponent), 0)
    return len(text.split(".")[1]) if "." in text else 0


def _printed(values: np.ndarray, text: str, percent: bool) -> np.ndarray:
    """Whether each of `values` (proportions) prints as `text` at its printed precision."""
    scale = 100 if percent else 1
    tolerance = 0.5 * 10 ** -decimals(text) + 1e-9
    return np.abs(values * scale - float(text)) <= tolerance


def _statistics(
    k: np.ndarray, m: np.ndarray, significance: float, round_to: int
) -> dict[str, np.ndarray]:
    """What a published share row may show for count k of m: share and Wilson limits, each
    side widened in quadrature by z^2 (round_to^2 - 1) / 12 (1 + share^2) / m^2 for rounded
    counts, as the methodology describes."""
    low, high = proportion_confint(k, m, alpha=significance, method="wilson")
    share = k / m
    if round_to > 1:
        extra = norm.ppf(1 - significance / 2) ** 2 * (round_to**2 - 1) / 12 * (1 + share**2) / m**2
        low = np.clip(share - np.sqrt((share - low) ** 2 + extra), 0, 1)
        high = np.clip(share + np.sqrt((high - share) ** 2 + extra), 0, 1)
    return {"share": share, "conf_low": low, "conf_high": high}


def _number(value: Any) -> float | None:
    """A published count as a number: None if not available, NaN if suppressed."""
    if isinstance(value, str):
        if value.strip() == SUPPRESSED:
            return math.nan
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


@dataclass
class Attacker:
    """The knowledge of one reader of a publication, and what it found."""

    suppress_below: int
    round_to: int
    known: dict[str, tuple[int, int]] = field(default_factory=dict)
    published: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, set[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    tried: Counter = field(default_factory=Counter)
    tables: set[str] = field(default_factory=set)
    exposed: set[str] = field(default_factory=set)  # tables whose statistics use true counts
    unconfirmed: dict[str, list] = field(default_factory=dict)  # unique values seen before
    not_people: set[str] = field(default_factory=set)  # cells published exactly on purpose

    def bounds(self, value: Any) -> tuple[int, int] | None:
        """The true counts a published count allows; None if not available."""
        number = _number(value)
        if number is None:
            return None
        if math.isnan(number):
            return 1, BIG
        if number == 0 or number % self.round_to:  # off the rounding grid: exact
            return int(number), int(number)
        low = max(math.ceil(number - self.round_to / 2), self.suppress_below)
        return low, math.ceil(number + self.round_to / 2) - 1

    def read(self, table: str, cell: str, value: Any) -> None:
        """Learn a published count (one off the rounding grid is a finding); a cell read
        before from another table (a shared margin) is compared and intersected."""
        self.tables.add(table)
        allowed = self.bounds(value)
        if allowed is None:
            return
        self.tried["cells read"] += 1
        if self.round_to > 1 and allowed[0] == allowed[1] > 0 and cell not in self.not_people:
            self.findings.append(Finding("unrounded", table, cell, str(value)))
        if table not in self.sources.setdefault(cell, {table}):
            self.sources[cell].add(table)
            self.tried["linked cells compared"] += 1
            if self.bounds(self.published[cell]) != allowed:
                self.findings.append(
                    Finding("linked tables", table, cell, f"{self.published[cell]} vs {value}")
                )
        self.published.setdefault(cell, value)
        self._narrow(cell, allowed, table, "linked tables")

    def exact(self, table: str, cell: str, value: int) -> None:
        """Learn a count published exactly because it is not one of people (rows that a
        table lists one by one)."""
        self.tables.add(table)
        self.not_people.add(cell)
        self.published.setdefault(cell, value)
        self._narrow(cell, (value, value), table, "linked tables")

    def _narrow(self, cell: str, allowed: tuple[int, int], table: str, attack: str) -> bool:
        """Intersect what is known of `cell` with `allowed`; True if it changed."""
        low, high = self.known.get(cell, (0, BIG))
        new = max(low, allowed[0]), min(high, allowed[1])
        if new[0] > new[1]:
            clash = Finding("inconsistent", table, cell, f"{low}-{high} and {allowed}")
            if not any(f.attack == clash.attack and f.cell == cell for f in self.findings):
                self.findings.append(clash)
            return False
        self.known[cell] = new
        return new != (low, high)

    def _rounded(self, cell: str) -> bool:
        """Whether `cell` was published suppressed, or rounded and not zero."""
        if cell in self.not_people:
            return False
        value = self.published.get(cell)
        return str(value).strip() == SUPPRESSED or (self.round_to > 1 and value not in (0, "0"))

    def invert(
        self,
        table: str,
        count: str | None,
        n: str,
        shown: dict[str, str],
        *,
        percent: bool = False,
        significance: float = 0.05,
    ) -> list[tuple[int, int]]:
        """Counts k and denominators m that print as the `shown` statistics.

        `shown` maps "share", "conf_low" or "conf_high" to the text published; `count` (None
        when not published) and `n` are cell names. A unique k or m other than the
        published one is a recovery.
        """
        self.tables.add(table)
        m_low, m_high = self.known.get(n, (0, BIG))
        k_low, k_high = self.known.get(count, (0, BIG)) if count else (0, BIG)
        if m_high >= BIG or not shown:
            return []
        m = np.repeat(np.arange(max(m_low, 1), m_high + 1), m_high + 1)
        k = np.tile(np.arange(m_high + 1), m_high - max(m_low, 1) + 1)
        keep = (k >= k_low) & (k <= min(k_high, m_high)) & (k <= m)
        k, m = k[keep], m[keep]
        stats = _statistics(k.astype(float), m.astype(float), significance, self.round_to)
        match = np.ones(k.size, bool)
        for name, text in shown.items():
            match &= _printed(stats[name], text, percent)
        self.tried["share inversions"] += 1
        self.tried["candidate pairs"] += int(k.size)
        solutions = list(zip(k[match].tolist(), m[match].tolist(), strict=True))
        self._recovered(table, count, {k for k, _ in solutions}, "share inversion")
        self._recovered(table, n, {m for _, m in solutions}, "share inversion")
        return solutions

    def _recovered(self, table: str, cell: str | None, values: set[int], attack: str) -> None:
        """Learn a unique value. One other than the published one (or, unpublished, not a
        multiple of round_to) is a recovery: it shows the table's statistics come from true
        counts, so its unique values equal to the published ones are true counts as well."""
        if cell is None or len(values) != 1:
            return
        (value,) = values
        text = str(self.published.get(cell, "")).strip()
        if (text and text != SUPPRESSED and value == float(text.replace(",", ""))) or (
            not text and value % self.round_to == 0
        ):
            self.unconfirmed.setdefault(table, []).append((cell, value))
            if table not in self.exposed:
                return
        self.exposed.add(table)
        if self._narrow(cell, (value, value), table, attack) and (cell, value) not in (
            self.unconfirmed.get(table, [])
        ):
            self.findings.append(Finding(attack, table, cell, str(value)))
        for pending, exact in self.unconfirmed.pop(table, []):
            self._narrow(pending, (exact, exact), table, attack)

    def invert_difference(
        self,
        table: str,
        before: tuple[str, str],
        after: tuple[str, str],
        shown: str,
        *,
        percent: bool = False,
    ) -> None:
        """Search the counts and denominators of two shares for those whose difference
        (after minus before) prints as `shown`; a unique pair of counts is a recovery."""
        self.tables.add(table)
        ranges = [self.known.get(cell, (0, BIG)) for cell in (*before, *after)]
        if any(high >= BIG or high - low > 50 for low, high in ranges):
            return
        grids = np.meshgrid(*[np.arange(low, high + 1) for low, high in ranges], indexing="ij")
        k_a, m_a, k_b, m_b = (g.ravel().astype(float) for g in grids)
        ok = (m_a > 0) & (m_b > 0) & (k_a <= m_a) & (k_b <= m_b)
        diff = np.where(ok, k_b / np.where(ok, m_b, 1) - k_a / np.where(ok, m_a, 1), np.nan)
        match = ok & _printed(diff, shown, percent)
        self.tried["difference inversions"] += 1
        self.tried["candidate pairs"] += int(ok.sum())
        self._recovered(table, before[0], set(k_a[match].astype(int).tolist()), "difference")
        self._recovered(table, after[0], set(k_b[match].astype(int).tolist()), "difference")

    def difference(self, table: str, sums: list[tuple[str, list[str]]]) -> None:
        """Propagate the known intervals through published sums (total, parts)."""
        self.tables.add(table)
        sums = [(t, p) for t, p in sums if t in self.known and all(c in self.known for c in p)]
        changed = True
        while changed:
            changed = False
            for total, parts in sums:
                changed |= self._propagate(table, total, parts)
        self.tried["sums solved"] += len(sums)
        found = {f.cell for f in self.findings}
        for cell in sorted({c for total, parts in sums for c in (total, *parts)} - found):
            low, high = self.known[cell]
            if low == high and self._rounded(cell) and low > 0:
                self.findings.append(Finding("differencing", table, cell, str(low)))
        for total, parts in sums:
            self._small_sum(table, total, parts)

    def _propagate(self, table: str, total: str, parts: list[str]) -> bool:
        """One pass of interval arithmetic over total = sum(parts)."""
        lows = [self.known[p][0] for p in parts]
        highs = [self.known[p][1] for p in parts]
        changed = self._narrow(total, (sum(lows), sum(highs)), table, "differencing")
        t_low, t_high = self.known[total]
        for part, low, high in zip(parts, lows, highs, strict=True):
            others = (sum(lows) - low, sum(highs) - high)
            changed |= self._narrow(part, (t_low - others[1], t_high - others[0]), table, "sums")
        return changed

    def _small_sum(self, table: str, total: str, parts: list[str]) -> None:
        """Report suppressed parts whose sum a published total shows to be small."""
        hidden = [p for p in parts if str(self.published.get(p)).strip() == SUPPRESSED]
        if len(hidden) < 2 or str(self.published.get(total)).strip() == SUPPRESSED:
            return
        shown = [p for p in parts if p not in hidden]
        t_low, t_high = self.known[total]
        high = t_high - sum(self.known[p][0] for p in shown)
        if high < self.suppress_below:
            self.findings.append(
                Finding("differencing", table, " + ".join(hidden), f"at most {high}")
            )

    def summary(self) -> str:
        """What was tried and found, for the test log."""
        tried = ", ".join(f"{n} {what}" for what, n in sorted(self.tried.items()))
        found = "".join(f"\n  {f.attack}: {f.table}: {f.cell} = {f.value}" for f in self.findings)
        return (
            f"attacker read {len(self.tables)} tables ({', '.join(sorted(self.tables))}); "
            f"{tried}; {len(self.findings)} findings{found}"
        )
