"""The house look: palette, sizes, style sheet and the helpers that lay out every `Chart`.

Chart modules build each figure with `_figure`, draw it inside the style sheet (`_styled`) and
wrap it up with the subtitle and source note as a `Chart` (`_finish`); the headline title is
the caption's, not drawn. `percent_axis` labels every percentage axis.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, Formatter, FuncFormatter, MaxNLocator, NullLocator

STYLE = Path(__file__).parents[1] / "resources" / "figures.mplstyle"
SOURCE = "Source: synthetic example data"
WIDTH = 6.5  # inches: one A4 text column
DPI = 150
# Okabe-Ito, the colour-blind-safe qualitative palette (black last).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
GREY = "#8C8C8C"
NO_DATA = "#D9D9D9"
INK = "#333333"

SHORTHAND = re.compile(r"\[[a-z]\]")  # [c] confidential, [x] not available, [z] not applicable
P = ParamSpec("P")


@dataclass
class Chart:
    """A finished chart: the figure, exactly the data drawn, its headline title and alt text."""

    figure: Figure
    data: pd.DataFrame
    title: str
    alt_text: str
    png: bytes | None = field(default=None, repr=False)  # as `save_chart` last wrote it

    def render_png(self) -> bytes:
        """The chart as PNG, with the settings `save_chart` uses."""
        buffer = io.BytesIO()
        with mpl.style.context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs: object) -> tuple[dict, dict]:
        """Let Jupyter display a Chart as the PNG that `save_chart` wrote (drawn once), with
        its alt text."""
        png = self.png if self.png is not None else self.render_png()
        return {"image/png": png}, {"image/png": {"alt": self.alt_text}}


def _styled(func: Callable[P, Chart]) -> Callable[P, Chart]:
    """Build the chart inside the house style (rcParams are read as artists are made)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Chart:
        with mpl.style.context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _withheld(df: pd.DataFrame, value: str) -> pd.Series:
    """What to draw instead of each row's `value`: "" where it is published, else its
    shorthand: as given ("[c]" in a published table), or for an empty value "[c]" when a
    ``<value>_suppressed`` flag is set (as `disclosure.protect` leaves it) and "[x]" if not."""
    raw = df[value]
    given = raw.astype("string").fillna("")
    marks = given.where(given.str.fullmatch(SHORTHAND), "")
    flag = df.get(f"{value}_suppressed", False)
    empty = pd.to_numeric(raw.where(marks == ""), errors="coerce").isna() & (marks == "")
    suppressed = empty & pd.Series(flag, index=df.index).fillna(False).astype(bool)
    return marks.mask(suppressed, "[c]").mask(empty & ~suppressed, "[x]").astype(object)


def _as_numbers(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """`columns` of `data` as floats, shorthand and empty cells as NaN."""
    return data.assign(**{c: pd.to_numeric(data[c], errors="coerce") for c in columns})


def _with_shorthand(data: pd.DataFrame, columns: Sequence[str], marks: pd.Series) -> pd.DataFrame:
    """The chart's data as published: each withheld row's `columns` show its shorthand."""
    out = data.copy()
    if (marks != "").any():
        for column in columns:
            out[column] = out[column].astype(object).where(marks == "", marks)
    return out


def _groups(df: pd.DataFrame, group: str | None) -> list[Any]:
    """The values of an optional grouping column (round, wave) in sorted order; [None] if absent."""
    return [None] if group is None else sorted(df[group].unique(), key=str)


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
    """Add the subtitle and source note, lay out, and wrap up as a Chart.

    The headline `title` is not drawn: the page's caption carries it (a chart is titled
    once), and the saved SVG keeps it as its <title>.
    """
    if not title.strip() or not alt_text.strip():
        raise ValueError("every chart needs a headline title and alt text")
    height = fig.get_figheight()
    top = 0.1  # inches below the top edge
    if subtitle:
        wrapped = _wrap(subtitle, 9)
        fig.text(0.015, 1 - top / height, wrapped, ha="left", va="top", fontsize=9, color=INK)
        top += (wrapped.count("\n") + 1) * 9 * 1.25 / 72 + 0.04
    note = _wrap(source, 7.5)
    fig.text(0.015, 0.06 / height, note, ha="left", va="bottom", fontsize=7.5, color="#555555")
    bottom = 0.06 + (note.count("\n") + 1) * 7.5 * 1.25 / 72 + 0.06
    fig.tight_layout(rect=(0, bottom / height, 1, 1 - (top + 0.04) / height), pad=0.5)
    return Chart(fig, data.reset_index(drop=True), title, alt_text)


def percent_decimals(values: Sequence[float], most: int = 3) -> int:
    """The fewest decimals (up to `most`) that print every fraction in `values` exactly as a
    percentage: 0 for 0.05 and 0.1, 1 for 0.025 (2.5%)."""
    percents = 100 * np.asarray(values, dtype=float)
    for decimals in range(most + 1):
        if np.allclose(np.round(percents, decimals), percents, rtol=0, atol=1e-9):
            return decimals
    return most


class PercentTicks(Formatter):
    """Fractions as percentages with the decimals that print every tick exactly.

    Matplotlib gives a formatter the axis's tick positions (`set_locs`) before it labels
    them, so all labels of an axis share one number of decimals. With ``absolute`` the sign
    is dropped (diverging bars read outwards from zero); otherwise a true minus sign is used.
    """

    def __init__(self, absolute: bool = False) -> None:
        self.absolute = absolute
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        """Choose the decimals for the ticks about to be labelled."""
        super().set_locs(locs)
        self.decimals = percent_decimals(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The label of the tick at `x`."""
        value = abs(x) if self.absolute else x
        text = f"{100 * value:.{self.decimals}f}%"
        return text.replace("-", "\u2212") if float(text[:-1]) else text.lstrip("-")


def percent_axis(axis: Any, absolute: bool = False) -> None:
    """Show fractions as percentages at steps that print exactly (1, 2, 5 or 10 times a
    power of ten: 2%, 5%, 10%, 0.5%; never 2.5% rounded to 2%)."""
    axis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 5, 10], min_n_ticks=3))
    axis.set_major_formatter(PercentTicks(absolute))


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
