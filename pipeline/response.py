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


def _bank_holidays(start: np.datetime64, end: np.datetime64) -> np.ndarray:
    """England's bank holidays from `start` to `end` (the FOI Act excludes them)."""
    years = range(int(str(start)[:4]), int(str(end)[:4]) + 1)
    days = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days(sent: pd.Series, answered: pd.Series) -> pd.Series:
    """Working days from sending to answer, as the FOI Act counts them (section 10).

    A working day is any day but a Saturday, a Sunday or a bank holiday in England; the count
    starts the working day after receipt, so an answer on the 20th working day is on time.
    """
    known = sent.notna() & answered.notna()
    days = pd.Series(pd.NA, index=sent.index, dtype="Int64")
    if not known.any():
        return days
    start = sent[known].to_numpy(dtype="datetime64[D]")
    end = answered[known].to_numpy(dtype="datetime64[D]")
    closed = _bank_holidays(min(start.min(), end.min()), max(start.max(), end.max()))
    days[known] = np.busday_count(start, end, holidays=closed)
    return days


def timeliness(responses: pd.DataFrame) -> pd.DataFrame:
    """Per round, among dated replies: median days to answer and the share within the deadline."""
    days = working_days(
        pd.to_datetime(responses["date_sent"]), pd.to_datetime(responses["date_responded"])
    )
    frame = responses.assign(working_days=days).dropna(subset=["working_days"])
    table = (
        frame.groupby("round", sort=True)
        .agg(
            n=("working_days", "size"),
            median_calendar_days=("days_to_answer", "median"),
            median_working_days=("working_days", "median"),
            on_time=("working_days", lambda d: int((d <= FOI_DEADLINE_WORKING_DAYS).sum())),
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
