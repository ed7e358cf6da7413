"""Write the authority pages: one per authority, a note per former code, and the index.

The index is written in four orders (by name, region, items and estimate), so that its
table sorts without JavaScript: each column heading links to the page sorted by it. Pages
are rendered with the section's house stylesheet and filters (`pipeline.report.render`) and
hold no date or path, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from pipeline import disclosure, geography, report
from pipeline.profiles.areas import HEADLINES
from pipeline.profiles.hexmap import HexMap, layout
from pipeline.profiles.inputs import ProfileInputs
from pipeline.profiles.neighbours import METHOD
from pipeline.profiles.records import index_rows, predecessor_notes, rank_scale
from pipeline.profiles.sentences import estimates_overview, replaced_codes
from pipeline.taxonomy import K_ITEMS

log = logging.getLogger(__name__)


class Order(NamedTuple):
    """One order of the index table: its page, column heading and sort key."""

    page: str
    heading: str
    key: Callable[[dict[str, Any]], tuple]


def _missing_last(value: float | None) -> tuple[bool, float]:
    """Sort key putting the highest value first and missing values last."""
    return (value is None, -(value or 0.0))


ORDERS = {
    "name": Order("index.html", "Authority", lambda r: (r["name"], r["code"])),
    "region": Order("by-region.html", "Region", lambda r: (r["region"], r["name"], r["code"])),
    "items": Order(
        "by-items.html", "Items offered", lambda r: (*_missing_last(r["n_items"]), r["name"])
    ),
    "estimate": Order(
        "by-estimate.html", "Model estimate", lambda r: (*_missing_last(r["estimate"]), r["name"])
    ),
}


def hex_map(inputs: ProfileInputs) -> HexMap:
    """The map of the latest geography, coloured by the items offered in the latest round."""
    latest = inputs.common[inputs.common["round"] == inputs.latest_round]
    items = latest.set_index("la_code")["n_items"]
    return layout(
        inputs.hexes,
        inputs.authorities[["la_code", "la_name", "region_name"]],
        items,
        inputs.latest_round,
    )


def site_context(
    inputs: ProfileInputs, report_params: dict[str, Any], disclosure_params: dict[str, Any]
) -> dict[str, Any]:
    """What every page shows besides its own content: title, banner, rounds and methods."""
    synthetic = report_params["synthetic"]
    names = dict(zip(inputs.authorities["la_code"], inputs.authorities["la_name"], strict=True))
    estimated = set(inputs.estimates["la_code"])
    partners = {names[s]: names[b] for s, b in inputs.combined.items() if s in estimated}
    return {
        "report_title": report_params["title"],
        "synthetic": synthetic,
        "source": (
            "Synthetic example data (not real FOI or survey responses)"
            if synthetic
            else "FOI responses and third-sector survey"
        ),
        "rounds": inputs.rounds,
        "latest_round": inputs.latest_round,
        "year": inputs.year,
        "first_year": geography.YEARS[0],
        "k_items": K_ITEMS,
        "survey_headlines": [headline.label for headline in HEADLINES],
        "ranks": rank_scale(inputs.estimates),
        "estimates_overview": estimates_overview(inputs.estimates, partners),
        "neighbours_method": METHOD,
        "rule": disclosure.describe_rule(
            disclosure_params["suppress_below"], disclosure_params["round_to"]
        ),
        "round_to": disclosure_params["round_to"],
        "confidential": disclosure.CONFIDENTIAL,
        "not_available": disclosure.NOT_AVAILABLE,
    }


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_index(
    rows: list[dict[str, Any]],
    notes: list[dict[str, Any]],
    hexmap: HexMap,
    out_dir: Path,
    site: dict[str, Any],
) -> list[Path]:
    """The index of authorities in each of `ORDERS`, every page with the map and the filter."""
    links = {name: order.page for name, order in ORDERS.items()}
    headings = {name: order.heading for name, order in ORDERS.items()}
    return [
        _write(
            out_dir / order.page,
            report.render(
                "authorities.html.j2",
                rows=sorted(rows, key=order.key),
                sorted_by=name,
                links=links,
                headings=headings,
                notes=notes,
                replaced=replaced_codes(notes) if notes else None,
                hexmap=hexmap,
                **site,
            ),
        )
        for name, order in ORDERS.items()
    ]


def write_pages(
    inputs: ProfileInputs,
    profiles: list[dict[str, Any]],
    hexmap: HexMap,
    out_dir: str | Path,
    report_params: dict[str, Any],
    disclosure_params: dict[str, Any],
) -> list[Path]:
    """Write every authority's page, a note per former code and the index; the paths written.

    Parameters
    ----------
    inputs : the pages' inputs (`load_inputs`).
    profiles : `build_profiles` of the same inputs.
    hexmap : `hex_map` of the same inputs.
    out_dir : reports/authorities.
    report_params, disclosure_params : params.yaml ``report`` (title, synthetic) and
        ``disclosure``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    site = site_context(inputs, report_params, disclosure_params)
    written = [
        _write(
            out_dir / f"{profile['code']}.html",
            report.render("profile.html.j2", p=profile, hexmap=hexmap, **site),
        )
        for profile in profiles
    ]
    notes = predecessor_notes(inputs)
    written += [
        _write(
            out_dir / f"{note['code']}.html",
            report.render("predecessor.html.j2", note=note, **site),
        )
        for note in notes
    ]
    written += write_index(index_rows(inputs), notes, hexmap, out_dir, site)
    log.info(
        "profiles: %d authority pages, %d notes on former codes, %d index pages in %s",
        len(profiles),
        len(notes),
        len(ORDERS),
        out_dir,
    )
    return sorted(written)
