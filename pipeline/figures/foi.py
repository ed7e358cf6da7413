"""Charts of the FOI returns: response status, non-response by region, and provision items."""

from __future__ import annotations

import pandas as pd

from pipeline.figures.checks import (
    _optional,
    _require,
    _require_interval,
    _require_known,
    _require_unique,
)
from pipeline.figures.style import (
    GREY,
    INK,
    PALETTE,
    SOURCE,
    Chart,
    _figure,
    _finish,
    _groups,
    _intervals,
    _legend_above,
    _order,
    _styled,
    _wrap,
    percent_axis,
)
from pipeline.numbers import percent as pct
from pipeline.taxonomy import ITEM_IDS, ITEM_LABELS, K_ITEMS, STATUS_LABELS, STATUSES


@_styled
def status_bar(
    counts: pd.DataFrame, title: str, alt_text: str, *, subtitle: str = "", source: str = SOURCE
) -> Chart:
    """FOI response status by round: each status's share of the LAs asked, as dodged bars.

    Parameters
    ----------
    counts
        Columns round, status (a code in taxonomy.STATUSES), count (LAs). A status missing
        from a round counts 0. Bars are in reporting order and labelled "share (count)".
    """
    name = "status_bar"
    _require(counts, ["round", "status", "count"], name)
    _require_known(counts["status"], STATUSES, name)
    data = counts.assign(round=counts["round"].astype(str))
    _require_unique(data, ["round", "status"], name)
    grid = pd.MultiIndex.from_product([_groups(data, "round"), STATUSES], names=["round", "status"])
    data = data.set_index(["round", "status"])["count"].reindex(grid, fill_value=0).reset_index()
    data["share"] = data["count"] / data.groupby("round")["count"].transform("sum")
    data["status_label"] = data["status"].map(STATUS_LABELS)
    fig, ax = _figure(4.2)
    ys = _intervals(
        ax, data, "status", list(STATUSES), STATUS_LABELS, "round", with_ci=False, kind="bar"
    )
    for y, share, count in zip(ys, data["share"], data["count"], strict=True):
        ax.text(share + 0.008, y, f"{pct(share)} ({count})", va="center", fontsize=7.5, color=INK)
    ax.set_xlim(0, min(1.0, data["share"].max() * 1.18 + 0.02))
    percent_axis(ax.xaxis)
    ax.set_xlabel("Local authorities asked (%)")
    _legend_above(ax, "FOI round")
    return _finish(
        fig,
        data[["round", "status", "status_label", "count", "share"]],
        title,
        alt_text,
        subtitle,
        source,
    )


@_styled
def nonresponse_by_region(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    overall: float | None = None,
    overall_label: str = "England",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Share of LAs not responding by region, with confidence intervals, highest first.

    Parameters
    ----------
    df
        Columns region_name, share, conf_low, conf_high (e.g. Wilson 95%), n (LAs asked).
    overall
        Share for the whole country, drawn as a dashed reference line when given.
    """
    name = "nonresponse_by_region"
    columns = ["region_name", "share", "conf_low", "conf_high", "n"]
    _require(df, columns, name)
    _require_unique(df, ["region_name"], name)
    _require_interval(df, "share", name)
    data = df[columns].reset_index(drop=True)
    order = _order(data, "region_name", "share", None)
    labels = {r: f"{r} (n = {n})" for r, n in zip(data["region_name"], data["n"], strict=True)}
    fig, ax = _figure(1.4 + 0.3 * len(order))
    _intervals(ax, data, "region_name", order, labels)
    if overall is not None:
        ax.axvline(overall, color=GREY, linestyle="--", linewidth=1, zorder=0)
        ax.text(
            overall,
            -0.6,
            f" {overall_label} {pct(overall)}",
            fontsize=7.5,
            color=INK,
            va="bottom",
            ha="left",
        )
    ax.set_xlim(0, min(1.0, data["conf_high"].max() * 1.05 + 0.02))
    percent_axis(ax.xaxis)
    ax.set_xlabel("Local authorities that did not respond (%, 95% CI)")
    return _finish(fig, data, title, alt_text, subtitle, source)


@_styled
def item_shares(
    df: pd.DataFrame, title: str, alt_text: str, *, subtitle: str = "", source: str = SOURCE
) -> Chart:
    """Share of LAs offering each provision item with 95% CIs (dot and whisker), highest first.

    Parameters
    ----------
    df
        Columns item (a taxonomy.ITEM_IDS id), share, conf_low, conf_high, n; optional round,
        for rounds side by side (items are then sorted by the last round).
    """
    name = "item_shares"
    group = _optional(df, "round")
    columns = [*(["round"] if group else []), "item", "share", "conf_low", "conf_high", "n"]
    _require(df, columns, name)
    _require_known(df["item"], ITEM_IDS, name)
    data = df[columns].reset_index(drop=True)
    if group:
        data["round"] = data["round"].astype(str)
    _require_unique(data, [c for c in ("round", "item") if c in columns], name)
    _require_interval(data, "share", name)
    data.insert(columns.index("item") + 1, "item_label", data["item"].map(ITEM_LABELS))
    order = _order(data, "item", "share", group)
    labels = {i: _wrap(ITEM_LABELS[i], 8.5, width=2.6) for i in order}
    fig, ax = _figure(1.5 + len(order) * (0.3 if group is None else 0.4))
    _intervals(ax, data, "item", order, labels, group)
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis)
    ax.set_xlabel("Local authorities offering the item (%, 95% CI)")
    if group:
        _legend_above(ax, "FOI round")
    return _finish(fig, data, title, alt_text, subtitle, source)


@_styled
def items_histogram(
    df: pd.DataFrame, title: str, alt_text: str, *, subtitle: str = "", source: str = SOURCE
) -> Chart:
    """Distribution of the number of provision items per LA (0 to 13), by round.

    Parameters
    ----------
    df
        One row per responding LA: column n_items (whole number 0..K_ITEMS); optional round.
        The chart data are the counts and shares of LAs at each n_items, zeros included.
    """
    name = "items_histogram"
    _require(df, ["n_items"], name)
    bad = ~df["n_items"].isin(range(K_ITEMS + 1))
    if bad.any():
        raise ValueError(
            f"{name}: column 'n_items' is not a whole number 0..{K_ITEMS} in row "
            f"{df.index[bad][0]} ({df['n_items'][bad].iloc[0]!r})"
        )
    group = _optional(df, "round")
    frame = df.assign(round=df["round"].astype(str) if group else "all")
    grid = pd.MultiIndex.from_product(
        [_groups(frame, "round"), range(K_ITEMS + 1)], names=["round", "n_items"]
    )
    data = (
        frame.groupby(["round", "n_items"])
        .size()
        .reindex(grid, fill_value=0)
        .rename("n_las")
        .reset_index()
    )
    data["share"] = data["n_las"] / data.groupby("round")["n_las"].transform("sum")
    fig, ax = _figure(3.8)
    rounds = _groups(data, "round")
    step = 0.8 / len(rounds)
    for k, r in enumerate(rounds):
        rows = data[data["round"] == r]
        label = f"{r} ({rows['n_las'].sum()} LAs)" if group else None
        ax.bar(
            rows["n_items"] + (k - (len(rounds) - 1) / 2) * step,
            rows["share"],
            width=step * 0.92,
            color=PALETTE[k],
            label=label,
        )
    ax.set_xticks(range(K_ITEMS + 1))
    ax.set_xlim(-0.6, K_ITEMS + 0.6)
    percent_axis(ax.yaxis)
    ax.grid(axis="y")
    ax.set_xlabel(f"Provision items offered (of {K_ITEMS})")
    ax.set_ylabel("Responding local authorities (%)")
    if group:
        _legend_above(ax, "FOI round")
    else:
        data = data.drop(columns="round")
    return _finish(fig, data, title, alt_text, subtitle, source)
