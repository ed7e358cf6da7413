"""Lay out one odd-r hex per authority and geography year, starting from the 2019 UTLA map."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.geography.sources import HEX_UTLA_2019
from pipeline.geography.tables import YEARS
from pipeline.readers import InputError


def _neighbours(q: int, r: int) -> list[tuple[int, int]]:
    """The six neighbours of a hex in an odd-r offset layout."""
    shift = r & 1
    return [
        (q + 1, r),
        (q - 1, r),
        (q - 1 + shift, r - 1),
        (q + shift, r - 1),
        (q - 1 + shift, r + 1),
        (q + shift, r + 1),
    ]


def _xy(q: int, r: int) -> tuple[float, float]:
    return q + 0.5 * (r & 1), r * math.sqrt(3) / 2


def _alignment(
    start: tuple[int, int], hex_: tuple[int, int], towards: tuple[float, float]
) -> float:
    """Cosine between the step start -> hex_ and the direction `towards`."""
    (x0, y0), (x1, y1) = _xy(*start), _xy(*hex_)
    step = (x1 - x0, y1 - y0)
    return (step[0] * towards[0] + step[1] * towards[1]) / (
        math.hypot(*step) * math.hypot(*towards)
    )


def _path_to_free(
    taken: set[tuple[int, int]], start: tuple[int, int], towards: tuple[float, float]
) -> list[tuple[int, int]]:
    """Shortest path of hexes from a neighbour of `start` to the nearest free hex.

    Breadth-first; among equally short paths, first steps closest to `towards` win.
    """
    parent: dict[tuple[int, int], tuple[int, int]] = {start: start}
    frontier = [start]
    while True:
        nxt = []
        for h in frontier:
            fresh = [n for n in _neighbours(*h) if n not in parent]
            for n in sorted(fresh, key=lambda n: (-_alignment(start, n, towards), n)):
                parent[n] = h
                nxt.append(n)
        free = [h for h in nxt if h not in taken]
        if free:
            path = [free[0]]
            while parent[path[0]] != start:
                path.insert(0, parent[path[0]])
            return path
        frontier = nxt


def _split_hex(
    layout: dict[str, tuple[int, int]], old: str, successors_: list[str], lad_layout: dict
) -> dict[str, tuple[int, int]]:
    """Replace a county's hex by hexes for its two successors.

    One successor keeps the hex; the other takes a neighbour, in the direction it lies from
    the first in the LAD layout. If no neighbour is free, the hexes on the shortest path to
    the nearest free hex each shift one step along it. The choice of which successor moves
    minimises the path length, then maximises the alignment; on a tie the first successor
    (the larger adult share) keeps the hex.
    """
    layout = dict(layout)
    start = layout.pop(old)
    taken = {h: c for c, h in layout.items()}
    options = []
    for keep, move in (successors_, successors_[::-1]):
        (xk, yk), (xm, ym) = (_xy(lad_layout[c]["q"], lad_layout[c]["r"]) for c in (keep, move))
        path = _path_to_free(set(taken), start, (xm - xk, ym - yk))
        options.append(
            (len(path), -_alignment(start, path[0], (xm - xk, ym - yk)), keep, move, path)
        )
    _, _, keep, move, path = min(options, key=lambda o: o[:2])
    for src, dst in zip(path, path[1:], strict=False):  # shift along, towards the free end
        layout[taken[src]] = dst
    layout[keep], layout[move] = start, path[0]
    return layout


def build_hexes(
    utla_2019: dict,
    lad_layouts: dict[int, dict],
    successors: pd.DataFrame,
    authorities: pd.DataFrame,
) -> pd.DataFrame:
    """One odd-r hex per authority and year, from the 2019 UTLA layout.

    Recodes keep their hex; a county split in two is handled by _split_hex.
    """
    layout = {c: (h["q"], h["r"]) for c, h in utla_2019["hexes"].items()}
    out = []
    for i, year in enumerate(YEARS):
        if i:
            step = successors[
                (successors["from_year"] == YEARS[i - 1]) & (successors["to_year"] == year)
            ]
            for old, part in step.groupby("from_code"):
                part = part.sort_values(["weight", "to_code"], ascending=[False, True])
                if len(part) == 1:
                    layout[part["to_code"].iloc[0]] = layout.pop(old)
                elif len(part) == 2:
                    layout = _split_hex(
                        layout, old, list(part["to_code"]), lad_layouts[year]["hexes"]
                    )
                else:
                    raise ValueError(f"{old}: splits into more than two are not supported")
        codes = set(authorities.loc[authorities["geography_year"] == year, "la_code"])
        if set(layout) != codes:
            raise InputError(
                HEX_UTLA_2019,
                f"hexes differ from the {year} authorities: {sorted(set(layout) ^ codes)}",
            )
        out += [(year, c, q, r) for c, (q, r) in layout.items()]
    frame = pd.DataFrame(out, columns=["geography_year", "la_code", "q", "r"])
    return frame.sort_values(["geography_year", "la_code"]).reset_index(drop=True)
