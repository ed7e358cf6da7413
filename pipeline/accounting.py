"""Row accounting: every raw row is either kept or excluded with a reason."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import pandas as pd

from pipeline.errors import AccountingError

log = logging.getLogger(__name__)

EXCLUSION_COLUMNS = ["file", "source_row", "reason"]


@dataclass(frozen=True)
class Account:
    """Rows read from one file and where they went."""

    file: str
    rows_in: int
    kept: int
    excluded: int
    blank: int

    def __post_init__(self) -> None:
        if self.rows_in != self.kept + self.excluded + self.blank:
            raise AccountingError(
                f"{self.file}: {self.rows_in} rows in but {self.kept} kept + {self.excluded} "
                f"excluded + {self.blank} blank; rows were lost"
            )


def exclusions(file: str, rows: pd.Series, reason: str | pd.Series) -> pd.DataFrame:
    """An exclusions table for `rows` (source row numbers) of `file`, with the reason."""
    return pd.DataFrame(
        {
            "file": file,
            "source_row": rows.astype(int).to_numpy(),
            "reason": reason if isinstance(reason, str) else reason.to_numpy(),
        },
        columns=EXCLUSION_COLUMNS,
    )


def accounts_table(accounts: list[Account]) -> pd.DataFrame:
    """The accounts as a table, one row per file."""
    return pd.DataFrame([asdict(a) for a in accounts])


def log_accounts(accounts: list[Account]) -> None:
    """Log each file's rows read, kept, excluded and blank (the stage log keeps them)."""
    for a in accounts:
        log.info(
            "%s: %d rows read, %d kept, %d excluded, %d blank",
            a.file,
            a.rows_in,
            a.kept,
            a.excluded,
            a.blank,
        )


def accounts_metrics(accounts: list[Account]) -> dict[str, dict[str, int]]:
    """The accounts as a nested dict for a DVC metrics file."""
    return {a.file: {k: v for k, v in asdict(a).items() if k != "file"} for a in accounts}
