"""The example data are reproducible: the generator with the default seed rewrites them exactly.

This is the one byte-for-byte regeneration test of the example (raw files and truth).
"""

import filecmp
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from pipeline import foi, layout, survey, synth
from pipeline.readers import read_table

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example"
REFERENCE = ROOT / "data" / "reference"
SEED = 20240501  # the seed data/example/README.md states


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> tuple[Path, Path]:
    out, truth = tmp_path_factory.mktemp("example"), tmp_path_factory.mktemp("truth")
    synth.generate(SEED, out, truth, REFERENCE)
    return out, truth


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_raw_files_are_reproduced_byte_for_byte(regenerated):
    out, _ = regenerated
    committed = [f for f in _files(EXAMPLE) if f not in (".gitkeep", "README.md")]
    assert _files(out) == committed
    _, mismatch, errors = filecmp.cmpfiles(out, EXAMPLE, committed, shallow=False)
    assert mismatch == [] and errors == []


def test_truth_is_reproduced_byte_for_byte(regenerated):
    _, truth = regenerated
    committed = _files(ROOT / "tests" / "truth")
    assert _files(truth) == committed
    _, mismatch, errors = filecmp.cmpfiles(
        truth, ROOT / "tests" / "truth", committed, shallow=False
    )
    assert mismatch == [] and errors == []


def test_readme_states_the_seed():
    assert f"--seed {SEED}" in (EXAMPLE / "README.md").read_text(encoding="utf-8")


def test_public_survey_api_writes_an_export_like_the_example_wave(tmp_path):
    """What bench/scaled_survey.py uses: a row rendered in wave 2025's questionnaire has the
    example export's header, and a new wave's codebook key stays text."""
    rng = np.random.default_rng(0)
    render = synth.SurveyRenderer(REFERENCE, "2025", rng)
    areas = synth.organisation_areas(REFERENCE)["la_code"]
    org = {"org_id": "ORG-10000", "org_type": synth.draw_org_type(rng), "areas": list(areas[:2])}
    typed = "; ".join(text for text, _ in render.type_areas(org["areas"]))
    when = render.submitted(datetime(2025, 3, 3))
    row = render.row(render.answers(org), typed, when, org["org_id"])
    synth.write_survey_csv(tmp_path / "2025.csv", [row, {}], list(row))
    written = (tmp_path / "2025.csv").read_text(encoding="utf-8").splitlines()
    example = (layout.survey_dir(EXAMPLE) / "2025.csv").read_text(encoding="utf-8").splitlines()
    assert written[0] == example[0]
    assert len(written) == 3 and set(written[2].split(",")) == {'""'}
    assert synth.codebook_key("2031") == "2031"


def _column(path: Path, required: list[str], header: str) -> list[str]:
    return [c for c in read_table(path, required).data[header] if c]


def test_personal_data_is_planted_in_every_free_text_and_identifier_field():
    """Every field a person types into (the organisation id, the comments, the 'other'
    description, the FOI free text) carries planted data, in varied formats."""
    planted = (ROOT / "tests" / "truth" / "planted_personal_data.txt").read_text(encoding="utf-8")
    items = [p.casefold() for p in planted.splitlines()]
    book = survey.load_codebook(layout.codebook_path(EXAMPLE))
    fields: dict[str, list[str]] = {}
    for wave, block in book.waves.items():
        path = layout.wave_file(EXAMPLE, wave)
        required = [block["org_id"]["header"]]
        for variable in ("org_id", "comments", "org_type_other"):
            if variable in block:
                cells = _column(path, required, block[variable]["header"])
                fields.setdefault(variable, []).extend(cells)
    for name in ("2021", "2024"):
        path = layout.round_file(EXAMPLE, name)
        fields.setdefault("foi_text", []).extend(_column(path, list(foi.REQUIRED), foi.TEXT))
    carrying = {
        field: sum(any(p in cell.casefold() for p in items) for cell in cells)
        for field, cells in fields.items()
    }
    assert all(n >= 5 for n in carrying.values()), carrying
    joined = "\n".join(items)
    for form in (" [at] ", "(at)", " at ", "@", "0044 ", "+44 (0)", "+44(0)", "+1 (", "flat "):
        assert form in joined, form
    assert re.search(r"^\d+[a-z]? [a-z ]+ (road|street|lane|avenue|close|drive|way)$", joined, re.M)
