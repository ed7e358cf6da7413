"""The row-accounting table publishes survey files' rows under the disclosure rule."""

import pandas as pd

from pipeline import section_tables as content

RULE = (8, 5)  # counts 1-7 suppressed, others rounded to the nearest 5 (half up)


def _accounts(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["file", "blank", "excluded", "kept", "rows_in"])


def test_foi_rows_are_exact_and_survey_rows_rounded():
    accounts = _accounts(
        ("foi/2021.csv", 2, 3, 151, 156),
        ("survey/2021.csv", 0, 12, 106, 118),
        ("survey/2023.xlsx", 0, 0, 113, 113),
    )
    out = content.row_accounts(accounts, *RULE)
    assert list(out.columns) == ["file", "rows_in", "kept", "excluded", "blank"]
    assert out.to_numpy().tolist() == [
        ["foi/2021.csv", 156, 151, 3, 2],  # authorities: not counts of people
        ["survey/2021.csv", 120, 105, 10, 0],  # 118, 106 and 12 rounded; 0 is exact
        ["survey/2023.xlsx", 115, 115, 0, 0],  # kept as the respondents tables give it
    ]


def test_rows_in_is_suppressed_with_any_count_it_adds_up():
    # 1 excluded and 1 blank are suppressed; rows in published as 115 (113 to 117) beside
    # 115 kept (113 to 117) would show that they add up to at most 4, so it is suppressed too.
    accounts = _accounts(("survey/2023.csv", 1, 1, 113, 115), ("survey/2025.csv", 3, 0, 81, 84))
    out = content.row_accounts(accounts, *RULE)
    assert out.to_numpy().tolist() == [
        ["survey/2023.csv", "[c]", 115, "[c]", "[c]"],
        ["survey/2025.csv", "[c]", 80, 0, "[c]"],
    ]


def test_small_survey_files_are_suppressed_whole():
    out = content.row_accounts(_accounts(("survey/2019.csv", 0, 2, 5, 7)), *RULE)
    assert out.to_numpy().tolist() == [["survey/2019.csv", "[c]", "[c]", "[c]", 0]]
