"""Charts of statistical comparisons: effects, funnel plots, paired change and model diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from statsmodels.nonparametric.smoothers_lowess import lowess

from pipeline.figures.checks import _optional, _require, _require_interval, _require_unique
from pipeline.figures.style import (
    GREY,
    INK,
    PALETTE,
    SOURCE,
    Chart,
    _figure,
    _finish,
    _intervals,
    _label_points,
    _legend_above,
    _log_ticks,
    _order,
    _styled,
)
from pipeline.taxonomy import K_ITEMS


@_styled
def caterpillar(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    null: float = 1.0,
    log_scale: bool = True,
    xlabel: str = "Incidence rate ratio (95% CI, log scale)",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Effects (e.g. region IRRs) with CIs, sorted, against a reference line at `null`.

    Parameters
    ----------
    df
        Columns label, estimate, conf_low, conf_high; optional shrunken (e.g. a random-effects
        prediction), drawn as an open diamond.
    null
        Where "no effect" lies: 1 for ratios (use log_scale=True), 0 for differences.
    """
    name = "caterpillar"
    shrunken = _optional(df, "shrunken")
    columns = ["label", "estimate", "conf_low", "conf_high", *([shrunken] if shrunken else [])]
    _require(df, columns, name)
    _require_unique(df, ["label"], name)
    _require_interval(df, "estimate", name)
    data = df[columns].reset_index(drop=True)
    if log_scale and (data[columns[1:]] <= 0).any().any():
        raise ValueError(f"{name}: log_scale needs positive estimates and limits")
    order = _order(data, "label", "estimate", None)
    fig, ax = _figure(1.4 + 0.3 * len(order))
    ys = _intervals(ax, data, "label", order, {c: c for c in order}, value="estimate")
    ax.axvline(null, color=INK, linewidth=0.9, zorder=0)
    if shrunken:
        ax.lines[0].set_label("Estimate")
        ax.scatter(
            data["shrunken"],
            ys,
            marker="D",
            s=22,
            facecolor="white",
            edgecolor=PALETTE[1],
            linewidth=1.2,
            zorder=3,
            label="Shrunken estimate",
        )
        _legend_above(ax)
    if log_scale:
        ax.set_xscale("log")
        _log_ticks(ax.xaxis, *ax.get_xlim())
    ax.set_xlabel(xlabel)
    return _finish(fig, data, title, alt_text, subtitle, source)


def _dumbbell_rows(df: pd.DataFrame, show: int) -> tuple[pd.DataFrame, int]:
    """The rows to draw, largest increase first, with their change and group, and how many
    LAs are left out (all are kept when there are no more than 2 * `show`)."""
    name = "dumbbell"
    _require(df, ["la_name", "before", "after"], name)
    _require_unique(df, ["la_name"], name)
    data = df[["la_name", "before", "after"]].reset_index(drop=True)
    data["change"] = data["after"] - data["before"]
    data = data.sort_values("la_name").sort_values("change", ascending=False, kind="stable")
    hidden = max(0, len(data) - 2 * show)
    if hidden:
        data = pd.concat(
            [
                data.head(show).assign(group="Largest increases"),
                data.tail(show).assign(group="Largest decreases"),
            ]
        )
    else:
        data = data.assign(group="All")
    return data, hidden


def _draw_dumbbells(
    ax: Axes, data: pd.DataFrame, y: np.ndarray, before_label: str, after_label: str
) -> None:
    """An open dot for before joined to a dot for after: blue a rise, vermillion a fall,
    grey no change; the legend names each."""
    colour = np.select([data["change"] > 0, data["change"] < 0], [PALETTE[0], PALETTE[3]], GREY)
    ax.hlines(y, data["before"], data["after"], colors=colour, linewidth=1.6, zorder=1)
    ax.scatter(
        data["before"],
        y,
        s=26,
        facecolor="white",
        edgecolor=GREY,
        linewidth=1.2,
        zorder=2,
        label=before_label,
    )
    ax.scatter(data["after"], y, s=26, color=colour, zorder=3)
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            color=GREY,
            label=before_label,
        ),
        Line2D([], [], marker="o", linestyle="", color=INK, label=after_label),
        Line2D([], [], color=PALETTE[0], linewidth=1.6, label="Increase"),
        Line2D([], [], color=PALETTE[3], linewidth=1.6, label="Decrease"),
    ]
    if (data["change"] == 0).any():
        handles.append(Line2D([], [], color=GREY, linewidth=1.6, label="No change"))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        borderaxespad=0,
        ncols=len(handles),
        handlelength=1.4,
        handletextpad=0.4,
        columnspacing=1.0,
    )


@_styled
def dumbbell(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    show: int = 10,
    before_label: str = "Round 1",
    after_label: str = "Round 2",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Paired items per LA in two rounds, as dumbbells sorted by change.

    With more than 2 * `show` LAs, only the `show` largest increases and the `show` largest
    decreases are drawn (ties broken by name), with a note of how many are not shown; the
    whole distribution of change belongs in `items_histogram` or a table. The chart data
    hold the drawn rows with their change and group.

    Parameters
    ----------
    df
        Columns la_name, before, after (items offered in each round).
    """
    data, hidden = _dumbbell_rows(df, show)
    y = np.arange(len(data)) + np.where(np.arange(len(data)) >= show, 1.0, 0.0) * bool(hidden)
    fig, ax = _figure(1.6 + 0.21 * (len(y) + bool(hidden)))
    _draw_dumbbells(ax, data, y, before_label, after_label)
    if hidden:
        ax.text(
            0.5,
            show,
            f"{hidden} local authorities with smaller changes not shown",
            transform=ax.get_yaxis_transform(),
            ha="center",
            va="center",
            fontsize=7.5,
            color=INK,
            style="italic",
        )
    ax.set_yticks(y, data["la_name"])
    ax.set_ylim(y.max() + 0.7, -0.7)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(-0.5, K_ITEMS + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="x")
    ax.set_xlabel(f"Provision items offered (of {K_ITEMS})")
    return _finish(fig, data, title, alt_text, subtitle, source)


def _influence_panel(
    ax: Axes, data: pd.DataFrame, threshold: float, n_labels: int, ylabel: str
) -> None:
    """Each observation's influence as a spike, a dashed threshold, the largest labelled."""
    ax.vlines(data["observation"], 0, data["influence"], color=PALETTE[0], linewidth=0.9)
    ax.axhline(threshold, color=GREY, linestyle="--", linewidth=0.9)
    ax.text(
        1,
        threshold,
        f" {threshold:.3g}",
        transform=ax.get_yaxis_transform(),
        va="center",
        ha="left",
        fontsize=7.5,
        color=INK,
    )
    ax.set_ylim(0, data["influence"].max() * 1.15)
    top = data.nlargest(n_labels, "influence")
    _label_points(
        ax,
        top["observation"].to_numpy(float),
        top["influence"].to_numpy(float),
        top["label"].astype(str).tolist(),
    )
    ax.set_xlabel("Observation")
    ax.set_ylabel(ylabel)
    ax.set_title("Influence")


@_styled
def residual_diagnostics(
    df: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    residual_label: str = "Pearson residual",
    influence_label: str = "Cook's distance",
    threshold: float | None = None,
    n_labels: int = 3,
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """Two panels for a statistician: residuals against fitted values with a LOWESS smooth,
    and each observation's influence, with the largest labelled.

    Parameters
    ----------
    df
        Columns fitted, residual, influence (e.g. Cook's distance); optional label.
    threshold
        Influence reference line; default 4/n, the usual rule of thumb for Cook's distance.
    """
    name = "residual_diagnostics"
    _require(df, ["fitted", "residual", "influence"], name)
    data = df[["fitted", "residual", "influence"]].astype(float).reset_index(drop=True)
    data.insert(0, "label", df["label"].to_numpy() if "label" in df else data.index.astype(str))
    data.insert(1, "observation", np.arange(1, len(data) + 1))
    smooth = lowess(data["residual"], data["fitted"], frac=2 / 3, return_sorted=False)
    data["smooth"] = smooth
    threshold = 4 / len(data) if threshold is None else threshold
    fig, (left, right) = _figure(3.6, 1, 2)
    left.scatter(data["fitted"], data["residual"], s=12, color=PALETTE[0], alpha=0.7, linewidth=0)
    line = data.sort_values("fitted")
    left.plot(line["fitted"], line["smooth"], color=PALETTE[3], linewidth=1.4, label="LOWESS")
    left.axhline(0, color=INK, linewidth=0.8, zorder=0)
    left.set_xlabel("Fitted value")
    left.set_ylabel(residual_label)
    left.set_title("Residuals against fitted")
    _influence_panel(right, data, threshold, n_labels, influence_label)
    left.legend(loc="best")
    return _finish(fig, data, title, alt_text, subtitle, source)
