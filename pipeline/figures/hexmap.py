"""The hex map of England's authorities, with region outlines, labels, a London inset and the
regional medians beside it.

Its labels (`hex_labels`) and colours (`item_colours`, `NO_DATA`) are the ones the authority
pages' clickable map uses too (`pipeline.profiles.hexmap`), so the two maps agree.
"""

from __future__ import annotations

import re

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, RegularPolygon

from pipeline.figures.checks import _require, _require_unique
from pipeline.figures.style import INK, NO_DATA, SOURCE, WIDTH, Chart, _figure, _finish, _styled
from pipeline.numbers import rounded
from pipeline.taxonomy import K_ITEMS

INSET = "London"  # the region drawn again, larger, beside the map
MINOR_WORDS = {"and", "upon", "on", "the", "of", "with", "in", "city", "county", "st"}
SQRT3 = np.sqrt(3)


def _hex_centres(hexes: pd.DataFrame) -> pd.DataFrame:
    """Centres of pointy-top hexes (radius 1) in an odd-r layout with r increasing northwards:
    odd rows sit half a hex to the right."""
    return hexes.assign(x=(hexes["q"] + 0.5 * (hexes["r"] % 2)) * SQRT3, y=hexes["r"] * 1.5)


def _hex_values(df: pd.DataFrame, hexes: pd.DataFrame, value: str, vmax: int) -> pd.Series:
    """Check both frames (the same LAs, once each; whole numbers); return `value` as floats."""
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
    return values


def short_names(names: pd.Series) -> pd.Series:
    """A unique label of three to six letters for each name, never two capitals in a row.

    The first three letters of the first main word ("Bir" for Birmingham); names that share
    them add the initial of their next main word ("NorY" North Yorkshire, "NorS" North
    Somerset), then a longer start of the first word ("Southa", "Southw"), then its last
    letter ("Notm" Nottingham, "Note" Nottinghamshire), then a number.
    """
    words = [
        [w for w in re.split(r"[\s,.\-]+", str(n)) if w and w.lower() not in MINOR_WORDS]
        or [str(n)]
        for n in names
    ]
    first = [w[0][:1].upper() + w[0][1:].lower() for w in words]
    labels = [f[:3] for f in first]
    for rule in ("initial", "prefix", "ending", "number"):
        taken, before = pd.Series(labels).duplicated(keep=False), list(labels)
        for i in np.flatnonzero(taken):
            if rule == "initial" and len(words[i]) > 1:
                labels[i] = first[i][:3] + words[i][1][:1].upper()
            elif rule == "prefix":
                rivals = [first[j] for j in np.flatnonzero(taken) if before[j] == before[i]]
                labels[i] = next(
                    (
                        first[i][:k]
                        for k in range(4, 7)
                        if sum(r[:k] == first[i][:k] for r in rivals) == 1
                    ),
                    labels[i],
                )
            elif rule == "ending":
                labels[i] = first[i][:3] + first[i][-1]
            elif rule == "number":
                labels[i] = f"{labels[i]}{i}"
    return pd.Series(labels, index=names.index)


def hex_labels(authorities: pd.DataFrame) -> dict[str, str]:
    """Each authority's hexagon label by la_code: `short_names` of la_name in la_code order."""
    ordered = authorities.sort_values("la_code")
    return dict(zip(ordered["la_code"], short_names(ordered["la_name"]), strict=True))


def item_colours(vmax: int = K_ITEMS) -> list[str]:
    """The colour of each whole number 0..vmax, as #rrggbb: viridis, one colour per value."""
    return [to_hex(colour) for colour in sns.color_palette("viridis", vmax + 1)]


def _ink_on(fill: str) -> str:
    """White text on a dark fill, near-black on a light one."""
    red, green, blue = to_rgb(fill)
    return "white" if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.45 else INK


def _draw_hexes(ax: Axes, data: pd.DataFrame) -> None:
    """One hexagon per row at (x, y) in its fill colour, on a bare equal-aspect axis fitted
    to them."""
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
            )  # fmt: skip
        )
    ax.set_xlim(data["x"].min() - 1, data["x"].max() + 1)
    ax.set_ylim(data["y"].min() - 1.2, data["y"].max() + 1.2)
    ax.set_aspect("equal")
    ax.set_axis_off()


def _label_hexes(ax: Axes, data: pd.DataFrame, largest: float) -> None:
    """Each hexagon's label (when the data have labels) at its centre, legible on its fill,
    as large as fits its hexagon (up to `largest` points)."""
    if "label" not in data:
        return
    box = ax.get_position()
    points = 72 * min(
        box.width * ax.figure.get_figwidth() / np.ptp(ax.get_xlim()),
        box.height * ax.figure.get_figheight() / np.ptp(ax.get_ylim()),
    )  # per unit of the map: a hexagon is SQRT3 units wide
    for row in data.itertuples():
        size = min(largest, 0.85 * SQRT3 * points / (0.62 * max(len(row.label), 3)))
        ax.text(
            row.x, row.y, row.label, ha="center", va="center",
            fontsize=size, color=_ink_on(row.fill),
        )  # fmt: skip


def _region_edges(data: pd.DataFrame) -> list[list[tuple[float, float]]]:
    """The hex edges that separate two regions, or a region from the sea: region outlines."""
    region = {(round(x, 3), round(y, 3)): r for x, y, r in data[["x", "y", "region_name"]].values}
    edges = []
    for (x, y), own in region.items():
        for angle in np.radians(range(0, 360, 60)):
            neighbour = (round(x + SQRT3 * np.cos(angle), 3), round(y + SQRT3 * np.sin(angle), 3))
            if region.get(neighbour) != own:
                ends = (angle - np.pi / 6, angle + np.pi / 6)
                edges.append([(x + np.cos(a), y + np.sin(a)) for a in ends])
    return edges


def _outline_regions(ax: Axes, data: pd.DataFrame) -> None:
    ax.add_collection(LineCollection(_region_edges(data), colors=INK, linewidths=1.1))


def _hex_colourbar(
    fig: Figure, ax: Axes, cmap: ListedColormap, norm: BoundaryNorm, vmax: int, label: str
) -> None:
    """A slim colour key of the whole-number values 0..vmax at the top left of the map."""
    bar_ax = ax.inset_axes((0.0, 0.95, 0.45, 0.025))
    bar = fig.colorbar(
        mpl.cm.ScalarMappable(norm=norm, cmap=cmap),
        cax=bar_ax,
        orientation="horizontal",
        ticks=range(0, vmax + 1, 1 if vmax <= 8 else 2),  # one-digit labels fit every step
    )
    bar.set_label(label, fontsize=8, labelpad=2)
    bar.ax.xaxis.set_label_position("top")
    bar.ax.tick_params(labelsize=6, length=0)
    bar.outline.set_visible(False)


def _medians_panel(
    ax: Axes, data: pd.DataFrame, value: str, cmap: ListedColormap, norm: BoundaryNorm, vmax: int
) -> None:
    """Each region's median of `value` as a bar in the map's colours, highest first."""
    medians = data.groupby("region_name")[value].median().dropna()
    medians = medians.sort_index().sort_values(ascending=False, kind="stable")
    y = np.arange(len(medians))
    ax.barh(y, medians, color=[cmap(norm(int(rounded(v)))) for v in medians], height=0.7)
    for yi, v in zip(y, medians, strict=True):
        ax.text(v + 0.15, yi, f"{v:g}", va="center", fontsize=7.5, color=INK)
    ax.set_yticks(y, medians.index, fontsize=7.5)
    ax.set_ylim(len(medians) - 0.5, -0.5)
    ax.set_xlim(0, vmax)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.set_xlabel("Median items per authority", fontsize=8)
    ax.set_title("Median by region", fontsize=8.5, loc="left")


def _layout(data: pd.DataFrame, regions: bool) -> tuple[Figure, Axes, Axes | None, Axes | None]:
    """The figure: the map alone, or the map with the inset and the medians to its right."""
    span = (data["y"].max() - data["y"].min() + 2) / (data["x"].max() - data["x"].min() + 2)
    if not regions:
        fig, ax = _figure(min(9.0, 1.6 + (WIDTH - 1.6) * span))
        return fig, ax, None, None
    fig = Figure(figsize=(WIDTH, min(9.0, 1.2 + 0.62 * WIDTH * span)))
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 2, width_ratios=(1.7, 1), height_ratios=(1.1, 1))
    return (
        fig,
        fig.add_subplot(grid[:, 0]),
        fig.add_subplot(grid[0, 1]),
        fig.add_subplot(grid[1, 1]),
    )


def _map_data(df: pd.DataFrame, hexes: pd.DataFrame, value: str, vmax: int) -> pd.DataFrame:
    """One row per LA: its names and region when given, position, value and label."""
    values = _hex_values(df, hexes, value, vmax)
    extra = [c for c in ("la_name", "region_name") if c in df]
    data = hexes[["la_code", "q", "r"]].merge(
        df[["la_code", *extra]].assign(**{value: values}), on="la_code"
    )
    data = _hex_centres(data).sort_values("la_code").reset_index(drop=True)
    if "la_name" in data:
        labels = data["la_code"].map(hex_labels(data))
        data.insert(data.columns.get_loc("la_name") + 1, "label", labels)
    if "region_name" in data:
        data["region_median"] = data.groupby("region_name")[value].transform("median")
    return data


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
    missing_label: str = "No information",
    subtitle: str = "",
    source: str = SOURCE,
) -> Chart:
    """England's LAs as equal hexagons (north up), coloured by a whole-number value.

    With ``la_name`` each hexagon is labelled (`hex_labels`; the chart data pair each label
    with its name). With ``region_name`` regions are outlined, London is drawn again larger
    as an inset, and each region's median is shown as a bar beside the map.

    Parameters
    ----------
    df
        Columns la_code and `value` (whole number 0..vmax; empty = `missing_label`, grey);
        optional la_name and region_name.
    hexes
        The layout for the same geography: columns la_code, q, r (Open Innovations HexJSON,
        odd-r, r increasing northwards). Every LA must be in both frames.
    """
    data = _map_data(df, hexes, value, vmax)
    cmap = ListedColormap(item_colours(vmax))
    norm = BoundaryNorm(np.arange(-0.5, vmax + 1.5), cmap.N)
    data["fill"] = [NO_DATA if np.isnan(v) else to_hex(cmap(norm(v))) for v in data[value]]
    regions = "region_name" in data
    fig, ax, inset, medians = _layout(data, regions)
    inside = data["region_name"] == INSET if regions else pd.Series(False, index=data.index)
    _draw_hexes(ax, data)
    _label_hexes(ax, data[~inside], 4.5)
    if regions:
        _outline_regions(ax, data)
        _medians_panel(medians, data, value, cmap, norm, vmax)
    if inside.any():
        _draw_hexes(inset, data[inside])
        _label_hexes(inset, data[inside], 6)
        _outline_regions(inset, data[inside])
        inset.set_title(f"{INSET}, drawn larger", fontsize=8.5, loc="left")
    elif inset is not None:
        inset.set_visible(False)
    _hex_colourbar(fig, ax, cmap, norm, vmax, value_label)
    n_missing = int(data[value].isna().sum())
    ax.legend(
        handles=[Patch(facecolor=NO_DATA, label=f"{missing_label} ({n_missing})")],
        loc="upper left",
        bbox_to_anchor=(0.0, 0.9),
        handlelength=1.2,
        borderaxespad=0,
    )
    return _finish(fig, data, title, alt_text, subtitle, source)
