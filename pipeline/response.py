"""How authorities answered the FOI requests: rates, statuses, timeliness and who did not."""

from __future__ import annotations

import holidays
import numpy as np
import pandas as pd

from pipeline.intervals import wilson_interval
from pipeline.taxonomy import STATUSES

FOI_DEADLINE_WORKING_DAYS = 20  # Freedom of Information Act 2000, section 10


def _with_wilson(table: pd.DataFrame, count: str, n: str) -> pd.DataFrame:
    """The table with share = count / n and its Wilson 95% interval."""
    low, high = wilson_interval(table[count], table[n], significance=0.05)
    return table.assign(share=table[count] / table[n], conf_low=low, conf_high=high)


def response_rates(responses: pd.DataFrame) -> pd.DataFrame:
    """Per round: authorities asked, answered (full or partial), share with Wilson 95% CI."""
    table = (
        responses.groupby("round", sort=True)
        .agg(n=("la_code", "size"), responded=("responded", "sum"))
        .reset_index()
    )
    return _with_wilson(table, "responded", "n")


def status_counts(responses: pd.DataFrame) -> pd.DataFrame:
    """Per round and status (all statuses, zeros included): count and share of authorities."""
    status = pd.Categorical(responses["status"], categories=STATUSES)
    table = pd.crosstab(responses["round"], status).reindex(columns=STATUSES, fill_value=0)
    out = table.rename_axis(columns="status").stack().rename("count").reset_index()
    return out.assign(share=out["count"] / out.groupby("round")["count"].transform("sum"))


def _clock(
    sent: pd.Series, answered: pd.Series
) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Rows with both dates, their dates as days, and England's bank holidays in their years."""
    known = sent.notna() & answered.notna()
    start = sent[known].to_numpy(dtype="datetime64[D]")
    end = answered[known].to_numpy(dtype="datetime64[D]")
    dates = pd.concat([sent[known], answered[known]])
    years = range(dates.min().year, dates.max().year + 1) if known.any() else []
    days = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return known, start, end, np.array(sorted(days), dtype="datetime64[D]")


def working_days(sent: pd.Series, answered: pd.Series) -> pd.Series:
    """Working days after receipt up to and including the reply, as the FOI Act counts them
    (section 10): any day but a Saturday, a Sunday or a bank holiday in England.

    A reply on the next working day after receipt took 1. A reply on a non-working day counts
    as given on the next working day (Friday's request answered on Saturday took 1), so a reply
    on the weekend after the 20th working day counts 21: the count and `on_time` agree.
    """
    known, start, end, closed = _clock(sent, answered)
    given = np.busday_offset(end, 0, roll="forward", holidays=closed)
    days = pd.Series(pd.NA, index=sent.index, dtype="Int64")
    days[known] = np.busday_count(start + 1, given + 1, holidays=closed)
    return days


def on_time(sent: pd.Series, answered: pd.Series) -> pd.Series:
    """Whether the reply came by the 20th working day following receipt (FOI Act, section
    10); missing where either date is."""
    return (working_days(sent, answered) <= FOI_DEADLINE_WORKING_DAYS).astype("boolean")


def timeliness(responses: pd.DataFrame) -> pd.DataFrame:
    """Per round, among dated replies: median days to answer and the share within the deadline."""
    sent = pd.to_datetime(responses["date_sent"])
    answered = pd.to_datetime(responses["date_responded"])
    frame = responses.assign(
        working_days=working_days(sent, answered), on_time=on_time(sent, answered)
    ).dropna(subset=["working_days"])
    table = (
        frame.groupby("round", sort=True)
        .agg(
            n=("working_days", "size"),
            median_calendar_days=("days_to_answer", "median"),
            median_working_days=("working_days", "median"),
            on_time=("on_time", "sum"),
        )
        .reset_index()
    )
    return _with_wilson(table, "on_time", "n")


def nonresponse_by_region(responses: pd.DataFrame) -> pd.DataFrame:
    """Per round and region: authorities asked, not answering, share with Wilson 95% CI."""
    table = (
        responses.assign(missing=~responses["responded"].astype(bool))
        .groupby(["round", "region_name"], sort=True)
        .agg(n=("la_code", "size"), not_responded=("missing", "sum"))
        .reset_index()
    )
    return _with_wilson(table, "not_responded", "n")


def non_responders(responses: pd.DataFrame) -> pd.DataFrame:
    """The authorities that did not provide information, by round, region and status."""
    rows = responses.loc[
        ~responses["responded"].astype(bool), ["round", "region_name", "la_name", "status"]
    ]
    return rows.sort_values(["round", "region_name", "la_name"]).reset_index(drop=True)
