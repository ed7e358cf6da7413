"""Collect every problem found in one file, then report them all at once as one InputError.

A `Findings` gathers (kind, row, column, message) problems while a file is cleaned; `stop`
raises one InputError naming the file and listing them grouped by kind, each kind counted
("16 unmatched authorities") and followed once by its note (the known values, or what to do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, its last word in the plural unless count is 1: "2 unknown statuses"."""
    if count == 1:
        return f"1 {noun}"
    head, _, last = noun.rpartition(" ")
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{count} {head} {last}" if head else f"{count} {last}"


@dataclass(frozen=True)
class Finding:
    """One problem: its kind (a noun phrase, e.g. "bad count"), where it is, and what is wrong."""

    kind: str
    row: int | None
    column: str | None
    message: str

    def where(self) -> str:
        """The problem as one line: "row 5, column 'Adults in treatment': '-3' is negative"."""
        place = [f"row {self.row}"] if self.row is not None else []
        place += [f"column {self.column!r}"] if self.column is not None else []
        return f"{', '.join(place)}: {self.message}" if place else self.message


@dataclass
class Findings:
    """The problems of one file, in the order found, and one note per kind."""

    file: str | Path
    found: list[Finding] = field(default_factory=list)
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    blocked: set[tuple[int | None, str | None]] = field(default_factory=set)

    def add(
        self, kind: str, row: int | None, column: str | None, message: str, blocks: bool = False
    ) -> None:
        """Record one problem; one that `blocks` is the only problem its cell will have
        (a cell whose value is missing has no other problem worth reporting)."""
        cell = (row, column)
        if cell in self.blocked:
            return
        if blocks:
            self.blocked.add(cell)
            self.found = [f for f in self.found if (f.row, f.column) != cell]
        self.found.append(Finding(kind, row, column, message))

    def note(self, kind: str, *lines: str) -> None:
        """Lines shown once after the problems of `kind` (the known values, or what to do)."""
        self.notes[kind] = lines

    def stop(self) -> None:
        """Raise one InputError listing every problem found, if there are any."""
        if not self.found:
            return
        kinds: dict[str, list[Finding]] = {}
        for finding in self.found:
            kinds.setdefault(finding.kind, []).append(finding)
        if len(self.found) == 1:
            one = self.found[0]
            note = "".join(f"\n  {line}" for line in self.notes.get(one.kind, ()))
            raise InputError(self.file, f"{one.kind}: {one.message}{note}", one.row, one.column)
        if len(kinds) == 1:
            raise InputError(self.file, self._group(*next(iter(kinds.items())), indent="  "))
        groups = "\n".join("  " + self._group(k, f, indent="    ") for k, f in kinds.items())
        raise InputError(self.file, f"{plural(len(self.found), 'problem')}:\n{groups}")

    def _group(self, kind: str, found: list[Finding], indent: str) -> str:
        """The kind counted ("2 bad counts:"), then each problem and the kind's note, indented."""
        lines = [f.where() for f in found] + list(self.notes.get(kind, ()))
        return f"{plural(len(found), kind)}:\n" + "\n".join(indent + line for line in lines)
