"""Charts of the survey waves: Likert answers, ranked barriers and proportions by wave."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from pipeline.figures.checks import (
    _optional,
    _require,
    _require_interval,
    _require_known,
    _require_unique,
)
from pipeline.figures.style import (
    INK,
    NO_DATA,
    PALETTE,
    SOURCE,
    WIDTH,
    Chart,
    _as_numbers,
    _figure,
    _finish,
    _groups,
    _intervals,
    _legend_above,
    _order,
    _styled,
    _with_shorthand,
    _withheld,
    _wrap,
    percent_axis,
)

VALUES = ("share", "conf_low", "conf_high")  # the columns a withheld row leaves empty


def _likert_edges(
    df: pd.DataFrame, levels: Sequence[str], neutral: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """Check the answers; return them in level order with each bar's sign and left and right
    edge, and the options by net positive share in the last wave. A bar with a withheld
    share (see `_withheld`) has its shorthand in column ``withheld`` and no edges."""
    name = "likert_diverging"
    _require(df, ["wave", "option", "level", "share"], name, nullable=["share"])
    _require_known(df["level"], levels, name)
    if neutral is not None and neutral not in levels:
        raise ValueError(f"{name}: neutral level {neutral!r} is not one of the levels {levels}")
    marks = _withheld(df.reset_index(drop=True), "share")
    data = _as_numbers(df[["wave", "option", "level", "share"]].reset_index(drop=True), ["share"])
    data["wave"] = data["wave"].astype(str)
    bar = data.assign(mark=marks).groupby(["wave", "option"])["mark"]
    data["withheld"] = bar.transform(lambda m: m[m != ""].iloc[0] if (m != "").any() else "")
    data.loc[data["withheld"] != "", "share"] = np.nan
    _require_unique(data, ["wave", "option", "level"], name)
    centre = levels.index(neutral) if neutral is not None else len(levels) / 2
    rank = {lvl: i for i, lvl in enumerate(levels)}
    data["sign"] = data["level"].map(lambda lvl: np.sign(rank[lvl] - centre + 0.0))
    data = data.sort_values(["wave", "option"], kind="stable")
    data = data.sort_values("level", key=lambda s: s.map(rank), kind="stable")
    net = (
        data.assign(signed=data["share"] * data["sign"])
        .groupby(["wave", "option"], as_index=False)["signed"]
        .sum()
    )
    options = _order(net, "option", "signed", "wave")
    negative = data["share"] * (data["sign"] < 0) + data["share"] * (data["sign"] == 0) / 2
    data["left"] = -data.assign(v=negative).groupby(["wave", "option"])["v"].transform("sum")
    data["left"] += data.groupby(["wave", "option"])["share"].cumsum() - data["share"]
    data["right"] = data["left"] + data["share"]
    return data, options


def _likert_data(data: pd.DataFrame) -> pd.DataFrame:
    """The chart's data as published: a withheld bar's share and edges show its shorthand."""
    out = data.drop(columns="sign").sort_values(["option", "wave", "left"])
    marks = out.pop("withheld")
    return _with_shorthand(out, ["share", "left", "right"], marks)


def _draw_likert_bars(
    ax: Axes,
    data: pd.DataFrame,
    levels: Sequence[str],
    neutral: str | None,
    y_of: dict[tuple[str, str], float],
) -> None:
    """One stacked bar segment per answer, at the y of its (option, wave), coloured by level
    from purple to orange, the neutral level grey."""
    rank = {lvl: i for i, lvl in enumerate(levels)}
    palette = [to_hex(c) for c in sns.color_palette("PuOr", len(levels))]
    if neutral is not None:
        palette[rank[neutral]] = NO_DATA
    for lvl in levels:
        part = data[data["level"] == lvl]
        y = [y_of[(o, w)] for o, w in zip(part["option"], part["wave"], strict=True)]
        ax.barh(
            y, part["share"], left=part["left"], height=0.8, color=palette[rank[lvl]], label=lvl
        )


def _option_headings(ax: Axes, options: list[str], ys: list[float]) -> None:
    """Each option's name in bold, left-aligned just above its first bar at ys."""
    for o, y in zip(options, ys, strict=True):
        ax.text(
            0,
            y - 0.55,
            o,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
        )


@_styled
def likert_diverging(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    levels: Sequence[str],
    neutral: str | None = None,
    xlabel: str = "Respondents (%)",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Diverging stacked bars of Likert answers per option and wave, centred at zero.

    Levels before `neutral` (or the first half of `levels` when there is no neutral level)
    extend left, later ones right; a neutral level straddles zero. Options are sorted by
    net positive share in the last wave. The chart data add each bar's left and right edge.

    Parameters
    ----------
    df
        Columns wave, option, level, share. A bar with a share withheld by disclosure control
        ("[c]", or empty with ``share_suppressed`` set) is not drawn; its shorthand is.
    levels
        All answer levels, ordered from most negative to most positive.
    """
    data, options = _likert_edges(df, levels, neutral)
    waves = _groups(data, "wave")
    rows = [(o, w) for o in options for w in waves]
    gap = 0.8
    y_of = {key: i + gap * (i // len(waves)) for i, key in enumerate(rows)}
    fig, ax = _figure(1.6 + 0.27 * len(rows) + 0.2 * len(options))
    _draw_likert_bars(ax, data[data["withheld"] == ""], levels, neutral, y_of)
    for (option, wave), mark in data.groupby(["option", "wave"])["withheld"].first().items():
        if mark:
            ax.text(0.01, y_of[(option, wave)], mark, va="center", fontsize=7.5, color=INK)
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.set_yticks([y_of[k] for k in rows], [w for _, w in rows])
    _option_headings(ax, options, [y_of[(o, waves[0])] for o in options])
    ax.set_ylim(max(y_of.values()) + 0.6, -0.6 - gap)
    ax.tick_params(axis="y", length=0)
    reach = max(-data["left"].min(), data["right"].max())
    ax.set_xlim(-reach * 1.05, reach * 1.05)
    percent_axis(ax.xaxis, absolute=True)
    ax.grid(axis="x")
    ax.set_xlabel(xlabel)
    _legend_above(ax)
    return _finish(fig, _likert_data(data), title, alt_text, subtitle, source)


@_styled
def ranked_bars(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    xlabel: str = "Organisations reporting the barrier (%, 95% CI)",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Barriers (or any options) ranked by share, as bars with 95% CIs, optionally by wave.

    Parameters
    ----------
    df
        Columns label, share, conf_low, conf_high; optional wave (bars side by side,
        ranked by the last wave). A share withheld by disclosure control ("[c]", or empty
        with ``share_suppressed`` set) is written as its shorthand where its bar would be.
    """
    name = "ranked_bars"
    group = _optional(df, "wave")
    columns = [*(["wave"] if group else []), "label", "share", "conf_low", "conf_high"]
    _require(df, columns, name, nullable=VALUES)
    marks = _withheld(df.reset_index(drop=True), "share")
    data = _as_numbers(df[columns].reset_index(drop=True), VALUES)
    if group:
        data["wave"] = data["wave"].astype(str)
    _require_unique(data, columns[:-3], name)
    _require_interval(data[marks == ""], "share", name)
    order = _order(data, "label", "share", group)
    labels = {c: _wrap(str(c), 8.5, width=2.4) for c in order}
    fig, ax = _figure(
        1.5 + len(order) * (0.3 if group is None else 0.22 + 0.14 * len(_groups(data, group)))
    )
    drawn = data.assign(share=data["share"].fillna(0))
    ys = _intervals(ax, drawn, "label", order, labels, group, kind="bar")
    for i in marks.index[marks != ""]:
        ax.text(0.005, ys[i], marks[i], va="center", fontsize=7.5, color=INK)
    ax.set_xlim(0, min(1.0, data["conf_high"].max() * 1.05 + 0.02))
    percent_axis(ax.xaxis)
    ax.set_xlabel(xlabel)
    if group:
        _legend_above(ax, "Survey wave")
    return _finish(fig, _with_shorthand(data, VALUES, marks), title, alt_text, subtitle, source)


def _wave_panel(ax: Axes, rows: pd.DataFrame, marks: pd.Series, waves: list[str]) -> None:
    """One option's shares by wave with CIs; a withheld wave shows its shorthand instead."""
    position = {w: i for i, w in enumerate(waves)}
    rows = rows.sort_values("wave", key=lambda s: s.map(position))
    x = rows["wave"].map(position)
    ax.errorbar(
        x,
        rows["share"],
        yerr=[rows["share"] - rows["conf_low"], rows["conf_high"] - rows["share"]],
        fmt="-o",
        color=PALETTE[0],
        elinewidth=1.1,
        capsize=0,
        markersize=4.5,
        linewidth=1.2,
    )
    for i in rows.index[marks[rows.index] != ""]:
        ax.text(
            x[i],
            0.04,
            marks[i],
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7.5,
            color=INK,
        )


@_styled
def wave_lines(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    ncols: int = 3,
    ylabel: str = "Organisations (%, 95% CI)",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Proportions by survey wave with CIs, one small panel per option on a shared scale.

    Parameters
    ----------
    df
        Columns option, wave, share, conf_low, conf_high. Panels follow the order of first
        appearance of each option. A share withheld by disclosure control ("[c]", or empty
        with ``share_suppressed`` set) is written as its shorthand at its wave.
    """
    name = "wave_lines"
    columns = ["option", "wave", "share", "conf_low", "conf_high"]
    _require(df, columns, name, nullable=VALUES)
    marks = _withheld(df.reset_index(drop=True), "share")
    data = _as_numbers(df[columns].reset_index(drop=True), VALUES)
    data["wave"] = data["wave"].astype(str)
    _require_unique(data, ["option", "wave"], name)
    _require_interval(data[marks == ""], "share", name)
    options = list(dict.fromkeys(data["option"]))
    waves = _groups(data, "wave")
    ncols = min(ncols, len(options))
    nrows = -(-len(options) // ncols)
    fig, axes = _figure(1.2 + 1.85 * nrows, nrows, ncols, sharex=True, sharey=True, squeeze=False)
    for ax, option in zip(axes.flat, options, strict=False):
        _wave_panel(ax, data[data["option"] == option], marks, waves)
        ax.set_title(_wrap(str(option), 9, width=WIDTH / ncols - 0.1), fontsize=8.5)
        ax.grid(axis="y")
    for ax in axes.flat[len(options) :]:
        ax.set_visible(False)
    top = axes[0, 0]
    top.set_xticks(range(len(waves)), waves)
    top.set_xlim(-0.4, len(waves) - 0.6)
    top.set_ylim(0, min(1.0, data["conf_high"].max() * 1.08 + 0.02))
    percent_axis(top.yaxis)
    axes[(nrows - 1) // 2, 0].set_ylabel(ylabel)
    return _finish(fig, _with_shorthand(data, VALUES, marks), title, alt_text, subtitle, source)
