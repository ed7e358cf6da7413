"""Row accounting refuses to lose rows."""

import pandas as pd
import pytest

from pipeline.accounting import Account, accounts_metrics, exclusions
from pipeline.errors import AccountingError


def test_balanced_account_is_accepted():
    account = Account("foi/2021.csv", rows_in=10, kept=7, excluded=1, blank=2)
    assert accounts_metrics([account]) == {
        "foi/2021.csv": {"rows_in": 10, "kept": 7, "excluded": 1, "blank": 2}
    }


def test_lost_rows_raise():
    with pytest.raises(AccountingError, match="rows were lost"):
        Account("foi/2021.csv", rows_in=10, kept=7, excluded=1, blank=1)


def test_exclusions_table():
    table = exclusions("a.csv", pd.Series([4, 9]), "duplicate: a later response was kept")
    assert table.columns.tolist() == ["file", "source_row", "reason"]
    assert table["source_row"].tolist() == [4, 9]
