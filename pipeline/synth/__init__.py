"""The synthetic example data: raw files as messy as real ones, and the truth behind them."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pipeline.synth import foi, survey

log = logging.getLogger(__name__)


def generate(seed: int, out: Path, truth: Path, reference_dir: Path) -> None:
    """Write raw example files under `out` and the clean truth under `truth`.

    Each source gets its own random stream spawned from `seed`, so changing one
    generator never changes the other's output.
    """
    foi_rng, survey_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    out.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    foi.generate(reference_dir, out, truth, foi_rng)
    survey.generate(reference_dir, out, truth, survey_rng)
    log.info("synthetic data written to %s (truth in %s), seed %d", out, truth, seed)
