"""The funnel plot: each authority's share against its size, with control limits."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from pipeline.figures.checks import _require
from pipeline.figures.style import (
    GREY,
    INK,
    PALETTE,
    SOURCE,
    Chart,
    _figure,
    _finish,
    _label_points,
    _styled,
    percent_axis,
)
from pipeline.numbers import percent as pct

# Funnel plot: authorities in light grey-blue, each kind of limits in a colour of its own
# (grey, then reddish purple, green, black), outliers as vermillion diamonds.
POINT = "#7FA7C9"
LIMIT_COLOURS = (GREY, PALETTE[4], PALETTE[2], "#000000")


def _limit_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The limits long, one row per point of each line (kind, level, n, bound, share), in order."""
    lines = frame.melt(
        id_vars=["kind", "level", "n"],
        value_vars=["lower", "upper"],
        var_name="bound",
        value_name="share",
    )
    return lines.sort_values(["kind", "level", "bound", "n"], kind="stable")


def _draw_limits(ax: Axes, lines: pd.DataFrame, colours: dict[str, str]) -> None:
    """One line per kind, level and bound; the lowest level dashed, higher levels solid."""
    lowest = lines["level"].min()
    for (kind, level, _), seg in lines.groupby(["kind", "level", "bound"], sort=False):
        ax.plot(
            seg["n"],
            seg["share"],
            color=colours[kind],
            linewidth=1,
            linestyle="--" if level == lowest else "-",
            zorder=1,
        )


def _draw_funnel_points(ax: Axes, dots: pd.DataFrame, n_max: float) -> pd.DataFrame:
    """Scatter the points with a share, outliers in vermillion and labelled, note how many are
    withheld, and fit the axes to them (and to `n_max`, the limits' reach); return the outliers."""
    shown = dots[dots["share"].notna()].astype({"n": float, "share": float})
    for outlier, rows in shown.groupby("outlier"):
        ax.scatter(
            rows["n"],
            rows["share"],
            s=20 if outlier else 12,
            marker="D" if outlier else "o",
            zorder=3,
            linewidth=0,
            color=PALETTE[3] if outlier else POINT,
        )
    low, high = shown["share"].min(), shown["share"].max()
    pad = 0.15 * (high - low) + 0.02
    ax.set_ylim(max(0.0, low - pad), min(1.0, high + pad))
    ax.set_xlim(0, max(shown["n"].max(), n_max) * 1.04)
    flagged = shown[shown["outlier"]]
    _label_points(
        ax,
        flagged["n"].to_numpy(),
        flagged["share"].to_numpy(),
        flagged["label"].astype(str).tolist(),
    )
    if len(shown) < len(dots):
        ax.text(
            0.99,
            0.02,
            f"{len(dots) - len(shown)} not shown (counts withheld)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=7.5,
            color=INK,
        )
    return flagged


def _funnel_legend(
    ax: Axes, lines: pd.DataFrame, colours: dict[str, str], target: str, outliers: bool
) -> None:
    """Legend above the plot: the target line, each level, each kind if several, the
    authorities and the outliers, each in its own colour or line style."""
    lowest = lines["level"].min()
    handles = [
        Line2D([], [], color="black", linewidth=1.6, label=target),
        *(
            Line2D(
                [],
                [],
                color=INK,
                linewidth=1,
                linestyle="--" if lvl == lowest else "-",
                label=f"{lvl * 100:g}% limits",
            )
            for lvl in sorted(lines["level"].unique())
        ),
    ]
    if len(colours) > 1:
        handles += [
            Line2D([], [], color=colours[k], linewidth=2, label=k.capitalize()) for k in colours
        ]
    handles.append(Line2D([], [], marker="o", linestyle="", color=POINT, label="Authority"))
    if outliers:
        handles.append(
            Line2D([], [], marker="D", linestyle="", color=PALETTE[3], label="Outside the limits")
        )
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        borderaxespad=0,
        ncols=3,
        handlelength=1.8,
    )


@_styled
def funnel_plot(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    target: float,
    target_label: str = "England",
    xlabel: str = "Adults in treatment (number)",
    ylabel: str = "Women among adults in treatment (%)",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Funnel plot: each LA's share against its size, with 95% and 99.8% control limits.

    Parameters
    ----------
    points
        Columns label, n, share, outlier (bool: outside the limits the caller flags by);
        outliers are drawn in vermillion and labelled. An empty share (withheld by
        disclosure control) is not drawn; a note says how many.
    limits
        Long, as `funnel.funnel_limits` returns: columns n, level (e.g. 0.95, 0.998), lower,
        upper; optional kind (e.g. "unadjusted", "adjusted"), one set of lines per kind. The
        lowest level is dashed, higher levels solid.

    Returns
    -------
    Chart
        Its data stack both layers: layer "point" (label, n, share, outlier; a withheld
        share as "[c]") and layer "limit" (kind, level, bound, n, share).
    """
    name = "funnel_plot"
    _require(points, ["label", "n", "share", "outlier"], name, nullable=["share"])
    _require(limits, ["n", "level", "lower", "upper"], name)
    frame = limits if "kind" in limits else limits.assign(kind="control limits")
    lines = _limit_lines(frame)
    fig, ax = _figure(4.6)
    kinds = list(dict.fromkeys(frame["kind"]))
    colours = dict(zip(kinds, LIMIT_COLOURS, strict=False))
    _draw_limits(ax, lines, colours)
    ax.axhline(target, color="black", linewidth=1.6, zorder=1)
    dots = points.assign(outlier=points["outlier"].astype(bool)).reset_index(drop=True)
    flagged = _draw_funnel_points(ax, dots, frame["n"].max())
    percent_axis(ax.yaxis)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _funnel_legend(ax, lines, colours, f"{target_label} {pct(target, 1)}", not flagged.empty)
    return _finish(fig, _funnel_data(dots, lines), title, alt_text, subtitle, source)


def _funnel_data(dots: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Both layers of the chart stacked, a withheld share shown as "[c]"."""
    data = pd.concat(
        [
            dots[["label", "n", "share", "outlier"]].assign(layer="point"),
            lines[["kind", "level", "bound", "n", "share"]].assign(layer="limit"),
        ],
        ignore_index=True,
    )
    data = data[["layer", "label", "kind", "level", "bound", "n", "share", "outlier"]]
    withheld = (data["layer"] == "point") & data["share"].isna()
    if withheld.any():
        data["share"] = data["share"].astype(object).mask(withheld, "[c]")
    return data
