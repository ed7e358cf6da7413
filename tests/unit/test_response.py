"""How authorities answered: each function on five authorities over two rounds, by hand."""

import pandas as pd
import pytest

from pipeline import response
from pipeline.taxonomy import STATUSES

# Round 2021, sent Tuesday 1 June 2021:
#   A (London)      full          answered Tue 15 June: 10 working days, 14 calendar days
#   B (London)      partial       answered Thu 1 July:  22 working days (3 + 5 + 5 + 5 + 4)
#   C (North East)  not_held      answered Tue 29 June: 20 working days (3 + 5 + 5 + 5 + 2)
#   D (North East)  refused_cost  answered Fri 4 June:   3 working days
#   E (North East)  no_response   no answer
# Round 2024, sent Wednesday 1 May 2024: all five full, answered Wed 8 May: 4 working days, as
# Monday 6 May is the Early May bank holiday.
ROUND_2021 = [
    ("A", "London", "full", "2021-06-15", 14),
    ("B", "London", "partial", "2021-07-01", 30),
    ("C", "North East", "not_held", "2021-06-29", 28),
    ("D", "North East", "refused_cost", "2021-06-04", 3),
    ("E", "North East", "no_response", None, None),
]
Z2 = 1.959964**2  # squared normal quantile of the 95% interval


@pytest.fixture
def responses() -> pd.DataFrame:
    rows = [
        ("2021", code, region, status, "2021-06-01", answered, days)
        for code, region, status, answered, days in ROUND_2021
    ]
    rows += [
        ("2024", code, region, "full", "2024-05-01", "2024-05-08", 7)
        for code, region, *_ in ROUND_2021
    ]
    table = pd.DataFrame(
        rows,
        columns=[
            "round",
            "la_code",
            "region_name",
            "status",
            "date_sent",
            "date_responded",
            "days_to_answer",
        ],
    )
    return table.assign(
        la_name="Authority " + table["la_code"],
        responded=table["status"].isin(["full", "partial"]),
        days_to_answer=table["days_to_answer"].astype("Int64"),
    )


def test_response_rates_count_full_and_partial_answers(responses):
    out = response.response_rates(responses).set_index("round")
    assert out["n"].tolist() == [5, 5]
    assert out["responded"].tolist() == [2, 5]
    assert out["share"].tolist() == [0.4, 1.0]
    # 2 of 5: centre (2 + 1.9208) / 8.8415 = 0.4435, half-width 0.22168 * sqrt(1.2 + 0.9604)
    # = 0.3258, so 0.1176 to 0.7693.
    assert out.loc["2021", ["conf_low", "conf_high"]].tolist() == pytest.approx(
        [0.1176, 0.7693], abs=5e-5
    )
    # 5 of 5: the interval is [n / (n + z^2), 1].
    assert out.loc["2024", ["conf_low", "conf_high"]].tolist() == pytest.approx([5 / (5 + Z2), 1.0])


def test_status_counts_list_every_status_with_zeros(responses):
    out = response.status_counts(responses)
    assert len(out) == 2 * len(STATUSES)
    first = out[out["round"] == "2021"].set_index("status")
    assert first.index.tolist() == list(STATUSES)
    # One authority in each of five statuses; none refused otherwise or sought clarification.
    assert first["count"].tolist() == [1, 1, 1, 1, 0, 0, 1]
    assert first["share"].tolist() == [0.2, 0.2, 0.2, 0.2, 0.0, 0.0, 0.2]
    second = out[out["round"] == "2024"].set_index("status")
    assert second.loc["full", ["count", "share"]].tolist() == [5, 1.0]
    assert second["count"].sum() == 5


def test_working_days_skip_weekends_and_keep_missing_dates():
    sent = pd.to_datetime(pd.Series(["2021-06-04", "2021-06-01", "2021-06-01", None]))
    answered = pd.to_datetime(pd.Series(["2021-06-07", "2021-06-01", "2021-06-08", "2021-06-08"]))
    # Friday to Monday is one working day; the same day none; Tuesday to Tuesday five.
    days = response.working_days(sent, answered)
    assert days.dtype == "Int64"
    assert days.iloc[:3].tolist() == [1, 0, 5]
    assert days.isna().tolist() == [False, False, False, True]


def test_timeliness_among_dated_replies(responses):
    out = response.timeliness(responses).set_index("round")
    first = out.loc["2021"]
    # A-D are dated: working days 10, 22, 20, 3 (median 15); calendar 14, 30, 28, 3 (median
    # 21); on time (at most 20 working days): A, C and D, 3 of 4.
    assert first["n"] == 4
    assert first["median_working_days"] == 15
    assert first["median_calendar_days"] == 21
    assert first["on_time"] == 3
    assert first["share"] == 0.75
    # 3 of 4: centre (3 + 1.9208) / 7.8415 = 0.6275, half-width 0.24995 * sqrt(0.75 + 0.9604)
    # = 0.3269, so 0.3006 to 0.9544.
    assert [first["conf_low"], first["conf_high"]] == pytest.approx([0.3006, 0.9544], abs=5e-5)
    second = out.loc["2024"]
    assert (second["n"], second["median_working_days"], second["on_time"]) == (5, 4, 5)


def test_nonresponse_by_region(responses):
    out = response.nonresponse_by_region(responses).set_index(["round", "region_name"])
    assert out["n"].tolist() == [2, 3, 2, 3]
    assert out["not_responded"].tolist() == [0, 3, 0, 0]
    assert out["share"].tolist() == [0.0, 1.0, 0.0, 0.0]
    # 0 of n: [0, z^2 / (n + z^2)]; 3 of 3: [3 / (3 + z^2), 1].
    london = out.loc[("2021", "London"), ["conf_low", "conf_high"]].tolist()
    assert london == pytest.approx([0.0, Z2 / (2 + Z2)], abs=1e-7)
    north_east = out.loc[("2021", "North East"), ["conf_low", "conf_high"]].tolist()
    assert north_east == pytest.approx([3 / (3 + Z2), 1.0], abs=1e-7)


def test_non_responders_sorted_with_status(responses):
    out = response.non_responders(responses)
    assert list(out.columns) == ["round", "region_name", "la_name", "status"]
    assert out["la_name"].tolist() == ["Authority C", "Authority D", "Authority E"]
    assert out["status"].tolist() == ["not_held", "refused_cost", "no_response"]
    assert out.index.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("sent", "answered", "expected"),
    [
        # Easter 2024: Good Friday 29 March and Easter Monday 1 April are not working days;
        # counting from the day after receipt, 29 April is the 20th working day (22 weekdays).
        ("2024-03-28", "2024-04-29", 20),
        # Christmas 2024: 25 and 26 December and 1 January 2025 are bank holidays in England.
        ("2024-12-20", "2025-01-22", 20),
        # Early May bank holiday, 6 May 2024.
        ("2024-05-03", "2024-05-07", 1),
        # An ordinary week: Monday to Monday is five working days.
        ("2024-06-03", "2024-06-10", 5),
    ],
)
def test_working_days_skip_weekends_and_englands_bank_holidays(sent, answered, expected):
    days = response.working_days(
        pd.Series(pd.to_datetime([sent])), pd.Series(pd.to_datetime([answered]))
    )
    assert days.iloc[0] == expected


# Received Friday 7 June 2024, the 20th working day following is Friday 5 July (June 10-14,
# 17-21, 24-28, July 1-5); received Friday 3 May 2024, Monday 6 May (Early May) and Monday 27
# May (Spring) are bank holidays and the 20th working day is Tuesday 4 June.
@pytest.mark.parametrize(
    ("sent", "answered", "days", "in_time"),
    [
        ("2024-06-07", "2024-06-10", 1, True),  # Friday to Monday
        ("2024-06-07", "2024-06-08", 1, True),  # Friday to Saturday: as if given on Monday
        ("2024-06-07", "2024-06-09", 1, True),  # Friday to Sunday
        ("2024-06-08", "2024-06-10", 1, True),  # received on a Saturday: Monday is the 1st
        ("2024-05-03", "2024-05-06", 1, True),  # on the Early May bank holiday: Tuesday
        ("2024-03-28", "2024-03-29", 1, True),  # Thursday to Good Friday: Tuesday after Easter
        ("2024-03-28", "2024-04-02", 1, True),  # ... to the Tuesday after Easter Monday
        ("2024-06-07", "2024-07-05", 20, True),  # on the 20th working day
        ("2024-06-07", "2024-07-06", 21, False),  # the Saturday after it: late, as on Monday
        ("2024-06-07", "2024-07-08", 21, False),
        ("2024-06-08", "2024-07-05", 20, True),  # received Saturday, same deadline
        ("2024-05-03", "2024-06-04", 20, True),
        ("2024-05-03", "2024-06-05", 21, False),
        ("2024-05-03", "2024-05-27", 15, True),  # on the Spring bank holiday: Tuesday 28 May
    ],
)
def test_working_days_follow_receipt_and_the_deadline_is_the_20th(sent, answered, days, in_time):
    sent, answered = pd.Series(pd.to_datetime([sent])), pd.Series(pd.to_datetime([answered]))
    assert response.working_days(sent, answered).iloc[0] == days
    assert response.on_time(sent, answered).iloc[0] == in_time


def test_on_time_missing_without_both_dates():
    sent = pd.Series(pd.to_datetime(["2024-06-07", None]))
    answered = pd.Series(pd.to_datetime([None, "2024-06-10"]))
    assert response.on_time(sent, answered).isna().all()
