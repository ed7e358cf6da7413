"""Every chart in the report, in one house style; `save_chart` writes SVG, PNG and the data.

Each chart function takes a tidy DataFrame (columns named in its docstring), a headline
`title` computed by the caller from results, and `alt_text`, and returns a `Chart`. Shares,
confidence limits and proportions are fractions (0-1), drawn as percentages. Figures are built
on `matplotlib.figure.Figure` directly, not through pyplot, so nothing accumulates in pyplot's
global figure list and a notebook shows a chart once, when it displays it.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, RegularPolygon
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    MaxNLocator,
    NullLocator,
    PercentFormatter,
)
from statsmodels.nonparametric.smoothers_lowess import lowess

from pipeline.taxonomy import ITEM_IDS, ITEM_LABELS, K_ITEMS, STATUS_LABELS, STATUSES

STYLE = Path(__file__).parent / "resources" / "figures.mplstyle"
SOURCE = "Source: synthetic example data"
WIDTH = 6.5  # inches: one A4 text column
DPI = 150
# Okabe-Ito, the colour-blind-safe qualitative palette (black last).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
GREY = "#8C8C8C"
NO_DATA = "#D9D9D9"
INK = "#333333"

P = ParamSpec("P")


@dataclass
class Chart:
    """A finished chart: the figure, exactly the data drawn, its headline title and alt text."""

    figure: Figure
    data: pd.DataFrame
    title: str
    alt_text: str

    def _repr_mimebundle_(self, **kwargs: object) -> tuple[dict, dict]:
        """Let Jupyter display a Chart as the PNG that `save_chart` writes, with its alt text."""
        buffer = io.BytesIO()
        with mpl.style.context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return {"image/png": buffer.getvalue()}, {"image/png": {"alt": self.alt_text}}


def save_chart(chart: Chart, out_dir: Path, stem: str) -> dict[str, Path]:
    """Write `<stem>.svg`, `<stem>.png` and `<stem>.csv` (data behind the chart), reproducibly.

    The same chart gives byte-identical files on every run: the SVG has a fixed hash salt and
    no date, the PNG no software stamp, and the CSV a fixed float format and `\\n` line ends.
    The SVG carries the title and alt text as `<title>` and `<desc>` for screen readers.

    Returns
    -------
    dict
        {"svg": path, "png": path, "csv": path}.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {ext: out_dir / f"{stem}.{ext}" for ext in ("svg", "png", "csv")}
    with mpl.style.context(STYLE):
        buffer = io.StringIO()
        chart.figure.savefig(buffer, format="svg", metadata={"Date": None})
        svg = _accessible_svg(buffer.getvalue(), chart.title, chart.alt_text, stem)
        paths["svg"].write_bytes(svg.encode("utf-8"))
        chart.figure.savefig(paths["png"], format="png", dpi=DPI, metadata={"Software": None})
    chart.data.to_csv(paths["csv"], index=False, float_format="%.6g", lineterminator="\n")
    return paths


def _accessible_svg(svg: str, title: str, alt_text: str, stem: str) -> str:
    """Give the root <svg> a role, <title> and <desc> (escaped), as screen readers expect."""
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:
        raise ValueError("matplotlib wrote an SVG without a root <svg> element")
    ids = f"{stem}-title {stem}-desc"
    tag = root.group(0)[:-1] + f' role="img" aria-labelledby={quoteattr(ids)}>'
    elements = (
        f"\n <title id={quoteattr(stem + '-title')}>{escape(title)}</title>"
        f"\n <desc id={quoteattr(stem + '-desc')}>{escape(alt_text)}</desc>"
    )
    return svg[: root.start()] + tag + elements + svg[root.end() :]


# ---------------------------------------------------------------------------------------------
# Shared machinery: style, checks, layout


def _styled(func: Callable[P, Chart]) -> Callable[P, Chart]:
    """Build the chart inside the house style (rcParams are read as artists are made)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with mpl.style.context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _require(df: pd.DataFrame, columns: Sequence[str], chart: str, nullable: Sequence[str] = ()):
    """Raise ValueError naming any missing column, or the first empty cell of a required one."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{chart}: input has no column {', '.join(map(repr, missing))} "
            f"(needs {list(columns)}; has {list(df.columns)})"
        )
    for column in columns:
        empty = df[column].isna()
        if column not in nullable and empty.any():
            raise ValueError(f"{chart}: column {column!r} is empty in row {df.index[empty][0]}")


def _require_unique(df: pd.DataFrame, keys: list[str], chart: str) -> None:
    dupes = df[df.duplicated(keys, keep=False)]
    if not dupes.empty:
        first = dupes.iloc[0][keys].tolist()
        raise ValueError(f"{chart}: more than one row for {dict(zip(keys, first, strict=True))}")


def _require_known(values: pd.Series, known: Sequence[Any], chart: str) -> None:
    unknown = sorted(set(values) - set(known), key=str)
    if unknown:
        raise ValueError(f"{chart}: column {values.name!r} has unknown values {unknown}")


def _require_interval(df: pd.DataFrame, value: str, chart: str) -> None:
    """Each row's conf_low <= value <= conf_high."""
    bad = (df["conf_low"] > df[value] + 1e-12) | (df[value] > df["conf_high"] + 1e-12)
    if bad.any():
        row = df.index[bad][0]
        raise ValueError(
            f"{chart}: row {row} has {value!r} outside its interval "
            f"(conf_low {df.at[row, 'conf_low']}, {value} {df.at[row, value]}, "
            f"conf_high {df.at[row, 'conf_high']})"
        )


def _groups(df: pd.DataFrame, group: str | None) -> list[Any]:
    """The values of an optional grouping column (round, wave) in sorted order; [None] if absent."""
    return [None] if group is None else sorted(df[group].unique(), key=str)


def _optional(df: pd.DataFrame, column: str) -> str | None:
    return column if column in df.columns else None


def _wrap(text: str, size: float, width: float = WIDTH, bold: bool = False) -> str:
    """Wrap text to a width in inches, from DejaVu Sans's average character width."""
    chars = int((width - 0.2) * 72 / ((0.62 if bold else 0.56) * size))
    return "\n".join(textwrap.wrap(text, chars)) or text


def _figure(height: float, nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    fig = Figure(figsize=(WIDTH, height))
    FigureCanvasAgg(fig)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def _finish(
    fig: Figure, data: pd.DataFrame, title: str, alt_text: str, subtitle: str, source: str
) -> Chart:
    """Add the headline title, subtitle and source note, lay out, and wrap up as a Chart."""
    if not title.strip() or not alt_text.strip():
        raise ValueError("every chart needs a headline title and alt text")
    height = fig.get_figheight()
    top = 0.1  # inches below the top edge
    for text, size, bold, colour in ((title, 11, True, "black"), (subtitle, 9, False, INK)):
        if text:
            wrapped = _wrap(text, size, bold=bold)
            fig.text(
                0.015,
                1 - top / height,
                wrapped,
                ha="left",
                va="top",
                fontsize=size,
                fontweight="bold" if bold else "normal",
                color=colour,
            )
            top += (wrapped.count("\n") + 1) * size * 1.25 / 72 + 0.04
    note = _wrap(source, 7.5)
    fig.text(0.015, 0.06 / height, note, ha="left", va="bottom", fontsize=7.5, color="#555555")
    bottom = 0.06 + (note.count("\n") + 1) * 7.5 * 1.25 / 72 + 0.06
    fig.tight_layout(rect=(0, bottom / height, 1, 1 - (top + 0.04) / height), pad=0.5)
    return Chart(fig, data.reset_index(drop=True), title, alt_text)


def _percent(axis: Any) -> None:
    """Show fractions as whole percentages at round steps (1, 2, 5, 10, 20, 25, 50 ...)."""
    axis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    axis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def _log_ticks(axis: Any, low: float, high: float) -> None:
    """Readable ratio ticks (0.5, 0.8, 1, 1.25, 2 ...) on a log axis spanning low..high."""
    marks = [m * 10.0**e for e in range(-3, 4) for m in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8)]
    ticks = [t for t in marks if low <= t <= high]
    axis.set_major_locator(FixedLocator(ticks[:: -(-len(ticks) // 7)] if ticks else [1.0]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())


def _label_points(
    ax: Axes, x: Sequence[float], y: Sequence[float], labels: Sequence[str], fontsize: float = 7
) -> None:
    """Label points beside them, nudging labels down so that no two overlap.

    Call after the axis limits are set; positions are worked out in display units.
    """
    pixels = ax.transData.transform(np.column_stack([x, y]))
    per_point = ax.figure.dpi / 72
    height, char = fontsize * 1.3 * per_point, 0.58 * fontsize * per_point
    right_edge = ax.get_window_extent().x1
    placed: list[tuple[float, float, float]] = []
    for i in np.argsort(-pixels[:, 1], kind="stable"):
        px, py = pixels[i]
        width = len(labels[i]) * char + 4 * per_point
        left = px + width > right_edge
        x0, x1 = (px - width, px) if left else (px, px + width)
        ty = py
        while any(a0 < x1 and x0 < a1 and abs(ty - b) < height for a0, a1, b in placed):
            ty -= height / 4
        placed.append((x0, x1, ty))
        leader = {"arrowstyle": "-", "color": GREY, "linewidth": 0.5, "shrinkA": 0, "shrinkB": 2}
        ax.annotate(
            labels[i],
            (x[i], y[i]),
            xytext=(-4 if left else 4, (ty - py) / per_point),
            textcoords="offset points",
            fontsize=fontsize,
            color=INK,
            va="center",
            ha="right" if left else "left",
            arrowprops=leader if ty != py else None,
        )


def _legend_above(ax: Axes, title: str | None = None) -> None:
    """One-row legend above the plot area, aligned with its left edge."""
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(
        handles,
        labels,
        title=title,
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        borderaxespad=0,
        ncols=len(handles),
        alignment="left",
        handletextpad=0.4,
        columnspacing=1.2,
    )


def _order(data: pd.DataFrame, cat: str, value: str, group: str | None) -> list[Any]:
    """Categories from highest to lowest value in the last group (ties and absentees by name)."""
    last = data if group is None else data[data[group] == _groups(data, group)[-1]]
    key = last.set_index(cat)[value]
    frame = pd.DataFrame({cat: data[cat].unique()})
    frame["key"] = frame[cat].map(key)
    frame = frame.sort_values(cat, key=lambda s: s.astype(str))
    return frame.sort_values("key", ascending=False, kind="stable", na_position="last")[
        cat
    ].tolist()


def _intervals(
    ax: Axes,
    data: pd.DataFrame,
    cat: str,
    order: list[Any],
    labels: dict[Any, str],
    group: str | None = None,
    value: str = "share",
    with_ci: bool = True,
    kind: str = "dot",
) -> pd.Series:
    """Draw one horizontal dot-and-whisker or bar per row, categories top to bottom in `order`,
    dodged by `group`; return each row's y position."""
    groups = _groups(data, group)
    step = (0.8 if kind == "bar" else 0.5) / len(groups)
    position = {c: i for i, c in enumerate(order)}
    ys = pd.Series(np.nan, index=data.index)
    for k, g in enumerate(groups):
        rows = data if g is None else data[data[group] == g]
        y = rows[cat].map(position).to_numpy(float) + (k - (len(groups) - 1) / 2) * step
        ys[rows.index] = y
        x = rows[value].to_numpy(float)
        err = np.vstack([x - rows["conf_low"], rows["conf_high"] - x]) if with_ci else None
        label = None if g is None else str(g)
        if kind == "bar":
            ax.barh(
                y,
                x,
                height=step * 0.9,
                color=PALETTE[k],
                label=label,
                xerr=err,
                error_kw={"ecolor": INK, "elinewidth": 0.8, "capsize": 2},
            )
        else:
            ax.errorbar(
                x,
                y,
                xerr=err,
                fmt=MARKERS[k],
                color=PALETTE[k],
                elinewidth=1.3,
                capsize=0,
                markersize=5,
                label=label,
            )
    ax.set_yticks(range(len(order)), [labels[c] for c in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x")
    return ys


# ---------------------------------------------------------------------------------------------
# FOI charts


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
        ax.text(share + 0.008, y, f"{share:.0%} ({count})", va="center", fontsize=7.5, color=INK)
    ax.set_xlim(0, min(1.0, data["share"].max() * 1.18 + 0.02))
    _percent(ax.xaxis)
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
            f" {overall_label} {overall:.0%}",
            fontsize=7.5,
            color=INK,
            va="bottom",
            ha="left",
        )
    ax.set_xlim(0, min(1.0, data["conf_high"].max() * 1.05 + 0.02))
    _percent(ax.xaxis)
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
    _percent(ax.xaxis)
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
    _percent(ax.yaxis)
    ax.grid(axis="y")
    ax.set_xlabel(f"Provision items offered (of {K_ITEMS})")
    ax.set_ylabel("Responding local authorities (%)")
    if group:
        _legend_above(ax, "FOI round")
    else:
        data = data.drop(columns="round")
    return _finish(fig, data, title, alt_text, subtitle, source)


def _hex_centres(hexes: pd.DataFrame) -> pd.DataFrame:
    """Centres of pointy-top hexes (radius 1) in an odd-r layout with r increasing northwards:
    odd rows sit half a hex to the right."""
    width = np.sqrt(3)
    return hexes.assign(x=(hexes["q"] + 0.5 * (hexes["r"] % 2)) * width, y=hexes["r"] * 1.5)


@_styled
def hex_map(
    df: pd.DataFrame,
    hexes: pd.DataFrame,
    title: str,
    alt_text: str,
    *,
    value: str = "n_items",
    vmax: int = K_ITEMS,
    value_label: str = f"Provision items offered (of {K_ITEMS})",
    missing_label: str = "No response",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """England's LAs as equal hexagons (north up), coloured by a whole-number value.

    Parameters
    ----------
    df
        Columns la_code and `value` (whole number 0..vmax; empty = `missing_label`, grey).
    hexes
        The layout for the same geography: columns la_code, q, r (Open Innovations HexJSON,
        odd-r, r increasing northwards). Every LA must be in both frames.
    """
    name = "hex_map"
    _require(df, ["la_code", value], name, nullable=[value])
    _require(hexes, ["la_code", "q", "r"], name)
    _require_unique(df, ["la_code"], name)
    _require_unique(hexes, ["la_code"], name)
    for frame, other, what in ((df, hexes, "the hex layout"), (hexes, df, "the data")):
        absent = sorted(set(frame["la_code"]) - set(other["la_code"]))
        if absent:
            raise ValueError(f"{name}: {len(absent)} la_code not in {what}: {absent[:5]}")
    values = pd.to_numeric(df[value]).astype(float)
    bad = values.notna() & ~values.isin(range(vmax + 1))
    if bad.any():
        raise ValueError(
            f"{name}: column {value!r} is not a whole number 0..{vmax} in row {df.index[bad][0]}"
        )
    data = _hex_centres(
        hexes[["la_code", "q", "r"]].merge(df[["la_code"]].assign(**{value: values}), on="la_code")
    )
    data = data.sort_values("la_code").reset_index(drop=True)
    cmap = ListedColormap(sns.color_palette("viridis", vmax + 1))
    norm = BoundaryNorm(np.arange(-0.5, vmax + 1.5), cmap.N)
    data["fill"] = [NO_DATA if np.isnan(v) else to_hex(cmap(norm(v))) for v in data[value]]
    span_x = data["x"].max() - data["x"].min() + 2
    span_y = data["y"].max() - data["y"].min() + 2
    fig, ax = _figure(min(9.0, 1.6 + (WIDTH - 1.6) * span_y / span_x))
    for row in data.itertuples():
        ax.add_patch(
            RegularPolygon(
                (row.x, row.y),
                numVertices=6,
                radius=1,
                orientation=0,
                facecolor=row.fill,
                edgecolor="white",
                linewidth=0.4,
            )
        )
    ax.set_xlim(data["x"].min() - 1, data["x"].max() + 1)
    ax.set_ylim(data["y"].min() - 1.2, data["y"].max() + 1.2)
    ax.set_aspect("equal")
    ax.set_axis_off()
    bar_ax = ax.inset_axes((0.0, 0.93, 0.42, 0.03))
    bar = fig.colorbar(
        mpl.cm.ScalarMappable(norm=norm, cmap=cmap),
        cax=bar_ax,
        orientation="horizontal",
        ticks=range(0, vmax + 1, 1 if vmax <= 13 else 2),
    )
    bar.set_label(value_label, fontsize=8, labelpad=2)
    bar.ax.xaxis.set_label_position("top")
    bar.ax.tick_params(labelsize=7, length=0)
    bar.outline.set_visible(False)
    n_missing = int(data[value].isna().sum())
    ax.legend(
        handles=[Patch(facecolor=NO_DATA, label=f"{missing_label} ({n_missing})")],
        loc="upper left",
        bbox_to_anchor=(0.0, 0.89),
        handlelength=1.2,
        borderaxespad=0,
    )
    return _finish(fig, data, title, alt_text, subtitle, source)


# ---------------------------------------------------------------------------------------------
# Model charts


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
        Its data stack both layers: layer "point" (label, n, share, outlier) and layer
        "limit" (kind, level, bound, n, share).
    """
    name = "funnel_plot"
    _require(points, ["label", "n", "share", "outlier"], name, nullable=["share"])
    _require(limits, ["n", "level", "lower", "upper"], name)
    frame = limits if "kind" in limits else limits.assign(kind="control limits")
    lines = frame.melt(
        id_vars=["kind", "level", "n"],
        value_vars=["lower", "upper"],
        var_name="bound",
        value_name="share",
    )
    lines = lines.sort_values(["kind", "level", "bound", "n"], kind="stable")
    lowest = lines["level"].min()
    fig, ax = _figure(4.6)
    kinds = list(dict.fromkeys(frame["kind"]))
    colours = dict(zip(kinds, (GREY, *PALETTE), strict=False))
    for (kind, level, _), seg in lines.groupby(["kind", "level", "bound"], sort=False):
        ax.plot(
            seg["n"],
            seg["share"],
            color=colours[kind],
            linewidth=1,
            linestyle="--" if level == lowest else "-",
            zorder=1,
        )
    ax.axhline(target, color="black", linewidth=1, zorder=1)
    dots = points.assign(outlier=points["outlier"].astype(bool)).reset_index(drop=True)
    shown = dots[dots["share"].notna()].astype({"n": float, "share": float})
    for outlier, rows in shown.groupby("outlier"):
        ax.scatter(
            rows["n"],
            rows["share"],
            s=16 if outlier else 12,
            zorder=3,
            linewidth=0,
            color=PALETTE[3] if outlier else PALETTE[0],
            alpha=1 if outlier else 0.6,
        )
    low, high = shown["share"].min(), shown["share"].max()
    pad = 0.15 * (high - low) + 0.02
    ax.set_ylim(max(0.0, low - pad), min(1.0, high + pad))
    ax.set_xlim(0, max(shown["n"].max(), frame["n"].max()) * 1.04)
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
    _percent(ax.yaxis)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    handles = [
        Line2D([], [], color="black", linewidth=1, label=f"{target_label} {target:.1%}"),
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
    if len(kinds) > 1:
        handles += [
            Line2D([], [], color=colours[k], linewidth=2, label=k.capitalize()) for k in kinds
        ]
    if not flagged.empty:
        handles.append(Line2D([], [], marker="o", linestyle="", color=PALETTE[3], label="Outlier"))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.02),
        borderaxespad=0,
        ncols=3,
        handlelength=1.8,
    )
    data = pd.concat(
        [
            dots[["label", "n", "share", "outlier"]].assign(layer="point"),
            lines[["kind", "level", "bound", "n", "share"]].assign(layer="limit"),
        ],
        ignore_index=True,
    )
    data = data[["layer", "label", "kind", "level", "bound", "n", "share", "outlier"]]
    return _finish(fig, data, title, alt_text, subtitle, source)


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
    y = np.arange(len(data)) + np.where(np.arange(len(data)) >= show, 1.0, 0.0) * bool(hidden)
    fig, ax = _figure(1.6 + 0.21 * (len(y) + bool(hidden)))
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
    ax.scatter(data["after"], y, s=26, color=colour, zorder=3, label=after_label)
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
    _legend_above(ax)
    return _finish(fig, data, title, alt_text, subtitle, source)


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
    right.vlines(data["observation"], 0, data["influence"], color=PALETTE[0], linewidth=0.9)
    right.axhline(threshold, color=GREY, linestyle="--", linewidth=0.9)
    right.text(
        1,
        threshold,
        f" {threshold:.3g}",
        transform=right.get_yaxis_transform(),
        va="center",
        ha="left",
        fontsize=7.5,
        color=INK,
    )
    right.set_ylim(0, data["influence"].max() * 1.15)
    top = data.nlargest(n_labels, "influence")
    _label_points(
        right,
        top["observation"].to_numpy(float),
        top["influence"].to_numpy(float),
        top["label"].astype(str).tolist(),
    )
    right.set_xlabel("Observation")
    right.set_ylabel(influence_label)
    right.set_title("Influence")
    left.legend(loc="best")
    return _finish(fig, data, title, alt_text, subtitle, source)


# ---------------------------------------------------------------------------------------------
# Survey charts


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
        Columns wave, option, level, share.
    levels
        All answer levels, ordered from most negative to most positive.
    """
    name = "likert_diverging"
    _require(df, ["wave", "option", "level", "share"], name)
    _require_known(df["level"], levels, name)
    if neutral is not None and neutral not in levels:
        raise ValueError(f"{name}: neutral level {neutral!r} is not one of the levels {levels}")
    data = df[["wave", "option", "level", "share"]].reset_index(drop=True)
    data["wave"] = data["wave"].astype(str)
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
    waves = _groups(data, "wave")
    options = _order(net, "option", "signed", "wave")
    negative = data["share"] * (data["sign"] < 0) + data["share"] * (data["sign"] == 0) / 2
    data["left"] = -data.assign(v=negative).groupby(["wave", "option"])["v"].transform("sum")
    data["left"] += data.groupby(["wave", "option"])["share"].cumsum() - data["share"]
    data["right"] = data["left"] + data["share"]
    palette = [to_hex(c) for c in sns.color_palette("PuOr", len(levels))]
    if neutral is not None:
        palette[rank[neutral]] = NO_DATA
    rows = [(o, w) for o in options for w in waves]
    gap = 0.8
    y_of = {key: i + gap * (i // len(waves)) for i, key in enumerate(rows)}
    fig, ax = _figure(1.6 + 0.27 * len(rows) + 0.2 * len(options))
    for lvl in levels:
        part = data[data["level"] == lvl]
        y = [y_of[(o, w)] for o, w in zip(part["option"], part["wave"], strict=True)]
        ax.barh(
            y, part["share"], left=part["left"], height=0.8, color=palette[rank[lvl]], label=lvl
        )
    ax.axvline(0, color=INK, linewidth=0.8)
    ax.set_yticks([y_of[k] for k in rows], [w for _, w in rows])
    for o in options:
        ax.text(
            0,
            y_of[(o, waves[0])] - 0.55,
            o,
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
        )
    ax.set_ylim(max(y_of.values()) + 0.6, -0.6 - gap)
    ax.tick_params(axis="y", length=0)
    reach = max(-data["left"].min(), data["right"].max())
    ax.set_xlim(-reach * 1.05, reach * 1.05)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
    ax.grid(axis="x")
    ax.set_xlabel(xlabel)
    _legend_above(ax)
    return _finish(
        fig,
        data.drop(columns="sign").sort_values(["option", "wave", "left"]),
        title,
        alt_text,
        subtitle,
        source,
    )


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
        ranked by the last wave).
    """
    name = "ranked_bars"
    group = _optional(df, "wave")
    columns = [*(["wave"] if group else []), "label", "share", "conf_low", "conf_high"]
    _require(df, columns, name)
    data = df[columns].reset_index(drop=True)
    if group:
        data["wave"] = data["wave"].astype(str)
    _require_unique(data, columns[:-3], name)
    _require_interval(data, "share", name)
    order = _order(data, "label", "share", group)
    labels = {c: _wrap(str(c), 8.5, width=2.4) for c in order}
    fig, ax = _figure(
        1.5 + len(order) * (0.3 if group is None else 0.22 + 0.14 * len(_groups(data, group)))
    )
    _intervals(ax, data, "label", order, labels, group, kind="bar")
    ax.set_xlim(0, min(1.0, data["conf_high"].max() * 1.05 + 0.02))
    _percent(ax.xaxis)
    ax.set_xlabel(xlabel)
    if group:
        _legend_above(ax, "Survey wave")
    return _finish(fig, data, title, alt_text, subtitle, source)


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
        appearance of each option.
    """
    name = "wave_lines"
    columns = ["option", "wave", "share", "conf_low", "conf_high"]
    _require(df, columns, name)
    data = df[columns].reset_index(drop=True)
    data["wave"] = data["wave"].astype(str)
    _require_unique(data, ["option", "wave"], name)
    _require_interval(data, "share", name)
    options = list(dict.fromkeys(data["option"]))
    waves = _groups(data, "wave")
    ncols = min(ncols, len(options))
    nrows = -(-len(options) // ncols)
    fig, axes = _figure(1.2 + 1.85 * nrows, nrows, ncols, sharex=True, sharey=True, squeeze=False)
    for ax, option in zip(axes.flat, options, strict=False):
        rows = data[data["option"] == option].sort_values(
            "wave", key=lambda s: s.map({w: i for i, w in enumerate(waves)})
        )
        x = rows["wave"].map({w: i for i, w in enumerate(waves)})
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
        ax.set_title(_wrap(str(option), 9, width=WIDTH / ncols - 0.1), fontsize=8.5)
        ax.grid(axis="y")
    for ax in axes.flat[len(options) :]:
        ax.set_visible(False)
    top = axes[0, 0]
    top.set_xticks(range(len(waves)), waves)
    top.set_xlim(-0.4, len(waves) - 0.6)
    top.set_ylim(0, min(1.0, data["conf_high"].max() * 1.08 + 0.02))
    _percent(top.yaxis)
    axes[(nrows - 1) // 2, 0].set_ylabel(ylabel)
    return _finish(fig, data, title, alt_text, subtitle, source)
