"""The clickable hex map of the authority pages: one hexagon per authority, region outlines.

This module lays the map out (hexagon corners, label positions, colours, the outline of each
region); the template ``profiles_hexmap.svg.j2`` writes it as inline SVG, one link per
hexagon, so the map needs no script and every hexagon is reachable with the keyboard.
Hexagons are pointy-topped in the odd-r offset layout of ``data/reference/hexes.csv`` (odd
rows shifted half a hexagon east, r increasing northwards). Labels and colours are the
section's hex map's (`pipeline.figures.hexmap`): its labels (`hex_labels`), and one colour per
number of items offered in the latest round (`item_colours`, viridis from 0 items, dark, to
13, light; `NO_DATA` grey for no information). Links run in reading order: north to south,
west to east.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from pipeline.figures.hexmap import hex_labels, item_colours
from pipeline.figures.style import NO_DATA
from pipeline.taxonomy import K_ITEMS

SIZE = 18.0  # circumradius of a hexagon, in SVG units
MARGIN = 6.0
FONT = 10.0  # largest label size, in SVG units; longer labels are set smaller to fit
_CORNERS = (-90, -30, 30, 90, 150, 210)  # degrees; SVG y points down


@dataclass(frozen=True)
class Hex:
    """One authority's hexagon: where it is drawn and what it says."""

    la_code: str
    la_name: str
    region_name: str
    items: int | None
    points: str
    x: str
    y: str
    label: str
    font: str
    fill: str
    ink: str


@dataclass(frozen=True)
class HexMap:
    """The laid-out map: its size, hexagons in link order, region outlines and legend (each
    number of items, then no information (None), with its colour and count of authorities)."""

    round: str
    width: str
    height: str
    hexes: tuple[Hex, ...]
    outline: str
    legend: tuple[tuple[int | None, str, int], ...]


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink_for(fill: str) -> str:
    """Black or white text on `fill`, whichever contrasts more (WCAG ratio)."""
    light = _luminance(fill)
    return "#0b0c0c" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


def font_for(label: str) -> str:
    """The label's size: `FONT`, or smaller so that a long label fits inside its hexagon (a
    letter is about 0.62 of the size wide; the label takes at most 85% of the width)."""
    fits = 0.85 * math.sqrt(3) * SIZE / (0.62 * max(len(label), 3))
    return f"{min(FONT, fits):.1f}"


def _centre(q: int, r: int, top: int) -> tuple[float, float]:
    x = MARGIN + math.sqrt(3) * SIZE * (q + 0.5 * (r & 1) + 0.5)
    y = MARGIN + SIZE + 1.5 * SIZE * (top - r)
    return x, y


def _corners(x: float, y: float) -> list[tuple[float, float]]:
    return [
        (x + SIZE * math.cos(math.radians(a)), y + SIZE * math.sin(math.radians(a)))
        for a in _CORNERS
    ]


def _across(q: int, r: int) -> list[tuple[int, int]]:
    """The neighbour across each edge (corner i to i + 1) of hexagon (q, r), odd rows shifted
    east and r increasing northwards: north-east, east, south-east, south-west, west, north-west.
    """
    shift = r & 1
    return [
        (q + shift, r + 1),
        (q + 1, r),
        (q + shift, r - 1),
        (q - 1 + shift, r - 1),
        (q - 1, r),
        (q - 1 + shift, r + 1),
    ]


def _outline(regions: dict[tuple[int, int], str], top: int) -> str:
    """Path of every hexagon edge between two regions or facing the sea."""
    segments = set()
    for (q, r), region in regions.items():
        corners = [(f"{x:.1f}", f"{y:.1f}") for x, y in _corners(*_centre(q, r, top))]
        for i, cell in enumerate(_across(q, r)):
            if regions.get(cell) != region:
                segments.add(tuple(sorted([corners[i], corners[(i + 1) % 6]])))
    return " ".join(f"M{a[0]} {a[1]}L{b[0]} {b[1]}" for a, b in sorted(segments))


def layout(
    hexes: pd.DataFrame, authorities: pd.DataFrame, items: pd.Series, round_name: str
) -> HexMap:
    """Lay out the map.

    Parameters
    ----------
    hexes : la_code, q, r for every authority of the geography.
    authorities : la_code, la_name, region_name of the same authorities.
    items : items offered in the latest round by la_code (NA where it gave no information).
    round_name : the round the colours show.
    """
    frame = hexes.merge(authorities, on="la_code", validate="1:1")
    if len(frame) != len(authorities) or frame.duplicated(["q", "r"]).any():
        raise ValueError("the hex layout must place every authority once, one per hexagon")
    top = int(frame["r"].max())
    frame = frame.sort_values(["r", "q"], ascending=[False, True]).reset_index(drop=True)
    labels, colours = hex_labels(frame), item_colours(K_ITEMS)
    positions = [_centre(int(q), int(r), top) for q, r in zip(frame["q"], frame["r"], strict=True)]
    drawn = []
    for (x, y), row in zip(positions, frame.itertuples(index=False), strict=True):
        count = items.get(row.la_code)
        count = None if count is None or pd.isna(count) else int(count)
        fill = NO_DATA if count is None else colours[count]
        drawn.append(
            Hex(
                row.la_code,
                row.la_name,
                row.region_name,
                count,
                " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in _corners(x, y)),
                f"{x:.1f}",
                f"{y:.1f}",
                labels[row.la_code],
                font_for(labels[row.la_code]),
                fill,
                ink_for(fill),
            )
        )
    regions = {
        (int(q), int(r)): region
        for q, r, region in zip(frame["q"], frame["r"], frame["region_name"], strict=True)
    }
    width = 2 * MARGIN + math.sqrt(3) * SIZE * (frame["q"].max() + 1.5)
    height = 2 * MARGIN + 2 * SIZE + 1.5 * SIZE * top
    counts = [h.items for h in drawn]
    legend = tuple((value, colour, counts.count(value)) for value, colour in enumerate(colours)) + (
        (None, NO_DATA, counts.count(None)),
    )
    return HexMap(
        round_name,
        f"{width:.0f}",
        f"{height:.0f}",
        tuple(drawn),
        _outline(regions, top),
        legend,
    )
