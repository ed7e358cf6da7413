"""The synthetic example data: raw files as messy as real ones, and the truth behind them.

Public API (everything else in the package is internal):

- `generate(seed, out, truth, reference_dir)`: the whole example, as `python -m pipeline synth`
  writes it.
- Survey exports beyond the example, in an example wave's questionnaire (the benchmark's
  scaled survey): `organisation_areas` and `draw_org_type` to make organisations,
  `SurveyRenderer` to draw their answers and render export rows, `write_survey_csv` to write
  an export, `codebook_key` to key a new wave's codebook block.

Modules: `provision` (the generative model of provision), `people` (the personal data typed
into both sources, and its record), `foi` (FOI generator) with `foi_rounds`, `foi_forms` and
`foi_files`; `survey` (survey generator) with `survey_questions`, `survey_answers` and
`survey_files`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pipeline.synth import foi, survey
from pipeline.synth.people import People
from pipeline.synth.survey import SurveyRenderer
from pipeline.synth.survey_answers import draw_org_type, organisation_areas
from pipeline.synth.survey_files import codebook_key, write_survey_csv

__all__ = [
    "SurveyRenderer",
    "codebook_key",
    "draw_org_type",
    "generate",
    "organisation_areas",
    "write_survey_csv",
]

log = logging.getLogger(__name__)


def generate(seed: int, out: Path, truth: Path, reference_dir: Path) -> None:
    """Write raw example files under `out` and the clean truth under `truth`.

    Each source gets its own random stream spawned from `seed`, and so does the personal data
    typed into both, so changing one generator never changes another's output. Every datum
    planted is listed in `truth`/planted_personal_data.txt, one per line.

    Parameters
    ----------
    seed
        The seed (data/example/README.md states the one used).
    out
        The raw folder to write (FOI rounds, survey exports and codebook).
    truth
        The folder for what the cleaners must output.
    reference_dir
        The derived reference tables (data/reference).
    """
    streams = np.random.SeedSequence(seed).spawn(3)
    foi_rng, survey_rng, people_rng = (np.random.default_rng(s) for s in streams)
    out.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    people = People(people_rng)
    foi.generate(reference_dir, out, truth, foi_rng, people)
    survey.generate(reference_dir, out, truth, survey_rng, people)
    (truth / "planted_personal_data.txt").write_text(
        "\n".join(sorted(people.planted)) + "\n", encoding="utf-8"
    )
    log.info("synthetic data written to %s (truth in %s), seed %d", out, truth, seed)
