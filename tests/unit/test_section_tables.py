"""The row-accounting table publishes survey files' rows under the disclosure rule."""

import pandas as pd

from pipeline import section_tables as content

RULE = (8, 5)  # counts 1-7 suppressed, others rounded to the nearest 5 (half up)


def _accounts(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["file", "blank", "excluded", "kept", "rows_in"])


def test_foi_rows_are_exact_and_survey_kept_and_blank_rows_protected():
    accounts = _accounts(
        ("foi/2021.csv", 2, 3, 151, 156),
        ("survey/2021.csv", 9, 12, 106, 127),
        ("survey/2023.xlsx", 0, 0, 113, 113),
    )
    out = content.row_accounts(accounts, *RULE)
    assert list(out.columns) == ["file", "rows_in", "kept", "excluded", "blank"]
    assert out.to_numpy().tolist() == [
        ["foi/2021.csv", 156, 151, 3, 2],  # authorities: not counts of people
        ["survey/2021.csv", "[c]", 105, 12, 10],  # 106 and 9 rounded; excluded as listed
        ["survey/2023.xlsx", "[c]", 115, 0, 0],  # kept as the respondents tables give it
    ]


def test_survey_rows_in_is_never_shown_beside_exact_excluded_rows():
    # Published as 100 beside 100 kept and 2 excluded, rows in (98 to 102) would pin kept
    # (98 to 102, less 2) to 98 to 100 and, with kept's own rounding, narrow it further.
    accounts = _accounts(("survey/2023.csv", 0, 2, 100, 102), ("survey/2025.csv", 3, 0, 81, 84))
    out = content.row_accounts(accounts, *RULE)
    assert out.to_numpy().tolist() == [
        ["survey/2023.csv", "[c]", 100, 2, 0],
        ["survey/2025.csv", "[c]", 80, 0, "[c]"],  # 3 blank rows suppressed
    ]


def test_small_survey_files_are_suppressed():
    out = content.row_accounts(_accounts(("survey/2019.csv", 0, 2, 5, 7)), *RULE)
    assert out.to_numpy().tolist() == [["survey/2019.csv", "[c]", "[c]", 2, 0]]
