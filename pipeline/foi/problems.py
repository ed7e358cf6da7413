"""Report every problem found in one file at once, as one InputError."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError


def fail(file: str | Path, what: str, problems: list[tuple[int, str, str]]) -> None:
    """Raise one InputError listing every (row, column, message) problem, if there are any."""
    if not problems:
        return
    if len(problems) == 1:
        row, column, message = problems[0]
        raise InputError(file, f"{what}: {message}", row=row, column=column)
    lines = "\n".join(f"  row {r}, column {c!r}: {m}" for r, c, m in problems)
    raise InputError(file, f"{len(problems)} {what}s:\n{lines}")
