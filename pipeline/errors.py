"""The project's errors: each names what is wrong and where, so the CLI can print it plainly."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """A problem with the data, parameters or invariants that a user can act on."""


class InputError(PipelineError, ValueError):
    """A raw input is unusable; the message names the file, and the row and column if known."""

    def __init__(
        self, file: str | Path, message: str, row: int | None = None, column: str | None = None
    ):
        where = [str(file)]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")
        self.file, self.row, self.column = str(file), row, column


class ParamsError(PipelineError, ValueError):
    """params.yaml (or a stage's parameters) broke the schema."""


class AccountingError(PipelineError):
    """A data invariant failed: rows were lost, or a table does not add up."""


class SchemaError(PipelineError):
    """A processed table broke its schema; the message names the table, column and rows."""
