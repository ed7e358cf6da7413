"""Survey exports at any volume for the benchmark, drawn by the example-data generator.

Every generated wave repeats the last example wave's questionnaire (`LIKE`): its export has
the same headers and labels, so its codebook block is a copy of that wave's block. Rows are
rendered by the example generator's public API (`pipeline.synth.SurveyRenderer`: answers,
typed area names, personal data in free text), and each export carries the same mess as the
example: one organisation that submitted twice and one blank row.
"""

from __future__ import annotations

import copy
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from pipeline import synth
from pipeline.survey import yaml_round_trip

LIKE = "2025"  # the questionnaire every generated wave repeats
FIRST_ID = 10_000  # generated organisation ids are ORG-10000 and up (the example's are 4 digits)


def organisations(rng: np.random.Generator, reference_dir: Path, n: int) -> list[dict[str, Any]]:
    """`n` organisations, each with an id, a type and one to four areas in one region.

    Parameters
    ----------
    rng
        The random stream.
    reference_dir
        The derived reference tables (data/reference).
    n
        How many organisations.
    """
    areas = synth.organisation_areas(reference_dir)
    by_region = {r: g["la_code"].to_numpy() for r, g in areas.groupby("region_code")}
    regions = sorted(by_region)
    out = []
    for number in range(FIRST_ID, FIRST_ID + n):
        codes = by_region[regions[int(rng.integers(len(regions)))]]
        k = min(len(codes), int(rng.choice([1, 1, 2, 2, 3, 4])))
        out.append(
            {
                "org_id": f"ORG-{number}",
                "org_type": synth.draw_org_type(rng),
                "areas": sorted(rng.choice(codes, k, replace=False).tolist()),
            }
        )
    return out


class WaveWriter:
    """Writes wave exports in the `LIKE` questionnaire for organisations drawn from a pool."""

    def __init__(self, reference_dir: Path, rng: np.random.Generator):
        self.rng, self.render = rng, synth.SurveyRenderer(reference_dir, LIKE, rng)

    def rows(self, orgs: list[dict[str, Any]], start: datetime) -> list[dict[str, Any]]:
        """Export rows (header -> cell) for `orgs`, sorted by submission time, with mess."""
        rng, render, rows = self.rng, self.render, []
        duplicate = int(rng.integers(len(orgs)))
        for i, org in enumerate(orgs):
            typed = "; ".join(t for t, _ in render.type_areas(org["areas"]))
            times = [render.submitted(start)]
            if i == duplicate:  # an earlier submission, superseded by the later one
                times.append(times[0] - timedelta(days=int(rng.integers(1, 4))))
            for when in times:
                rows.append((when, render.row(render.answers(org), typed, when, org["org_id"])))
        export = [cells for _, cells in sorted(rows, key=lambda r: r[0])]
        export.insert(int(rng.integers(1, len(export))), {})  # a blank row
        return export

    def write(self, path: Path, orgs: list[dict[str, Any]], start: datetime) -> int:
        """Write one wave's export as CSV; return its number of rows (blank row included)."""
        export = self.rows(orgs, start)
        header = next(list(r) for r in export if r)
        synth.write_survey_csv(path, export, header)
        return len(export)


def write_waves(
    folder: Path,
    reference_dir: Path,
    years: list[str],
    per_wave: int,
    rng: np.random.Generator,
    pool_size: int | None = None,
) -> int:
    """Write `<folder>/<year>.csv` for each year: `per_wave` organisations from one pool.

    Organisations answer in several waves, as in the example: each wave samples `per_wave`
    of `pool_size` (default 1.5 x `per_wave`). Returns the number of export rows written.
    """
    pool = organisations(rng, reference_dir, pool_size or per_wave * 3 // 2)
    writer = WaveWriter(reference_dir, rng)
    total = 0
    for year in years:
        chosen = sorted(rng.choice(len(pool), per_wave, replace=False))
        start = datetime(int(year), 3, 3)
        total += writer.write(folder / f"{year}.csv", [pool[i] for i in chosen], start)
    return total


def add_codebook_blocks(codebook: Path, years: list[str]) -> None:
    """Give each of `years` a codebook block copied from wave `LIKE`'s, keeping comments."""
    yaml = yaml_round_trip()
    document = yaml.load(codebook.read_text(encoding="utf-8"))
    waves = document["waves"]
    like = next(waves[k] for k in waves if str(k) == LIKE)
    for year in years:
        waves[synth.codebook_key(year)] = copy.deepcopy(like)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    codebook.write_text(buffer.getvalue(), encoding="utf-8")


def set_waves(params_file: Path, years: list[str]) -> None:
    """Set survey.waves in params.yaml to `years`, keeping its comments."""
    yaml = yaml_round_trip()
    params = yaml.load(params_file.read_text(encoding="utf-8"))
    waves = params["survey"]["waves"]
    waves[:] = [type(waves[0])(y) for y in years]
    buffer = io.StringIO()
    yaml.dump(params, buffer)
    params_file.write_text(buffer.getvalue(), encoding="utf-8")
