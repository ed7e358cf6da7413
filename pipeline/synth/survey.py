"""The survey example's generator: draws each wave's respondents, renders their export rows and
writes the exports, the codebook, the example's pseudonym key and the truth.

Three waves (2021 CSV, 2023 Excel, 2025 CSV) of a survey of third-sector organisations, in
the questionnaires of `survey_questions`. Mess: a blank row, an organisation that submitted
twice (one that typed personal data as its organisation id), a partly completed response,
and personal data typed into the id field, the free text and the 'other' descriptions. The
truth holds each organisation id as the cleaner publishes it: its pseudonym under the
example's key (`privacy.EXAMPLE_KEY`, written beside the exports).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import geography, identifiers, layout, privacy, schemas
from pipeline.survey import KEY_FILE
from pipeline.survey.decode import normal_id
from pipeline.synth.people import People
from pipeline.synth.survey_answers import (
    POOL,
    draw_answers,
    draw_pool,
    organisation_areas,
    partial,
    truth_rows,
)
from pipeline.synth.survey_files import (
    alias_forms,
    export_row,
    typed_area,
    write_codebook,
    write_survey_csv,
    write_survey_xlsx,
)
from pipeline.synth.survey_questions import GEOGRAPHY_YEAR, TICKED, WAVES, wave_block

__all__ = ["TICKED", "WAVES", "SurveyRenderer", "generate", "wave_block"]

log = logging.getLogger(__name__)

FIELDWORK = {
    "2021": datetime(2021, 5, 4),
    "2023": datetime(2023, 4, 17),
    "2025": datetime(2025, 3, 3),
}
FIELDWORK_DAYS = 45
SIZES = (60, 151)  # organisations per wave: at least 60, fewer than 151
FUZZY_THRESHOLD = 90
PERSONAL_ID_SHARE = 0.05  # organisations that type personal data into the id field


class SurveyRenderer:
    """Answers drawn for organisations and rendered as export rows of one wave's questionnaire.

    Parameters
    ----------
    reference_dir
        The derived reference tables (data/reference).
    wave
        The questionnaire, one of WAVES; its areas are typed in that wave's geography.
    rng
        The random stream every draw comes from.
    people
        Who types personal data into free text (and records it); a new one by default.
    """

    def __init__(
        self,
        reference_dir: Path,
        wave: str,
        rng: np.random.Generator,
        people: People | None = None,
    ) -> None:
        year = GEOGRAPHY_YEAR[wave]
        table = geography.aliases(reference_dir)
        self.forms = alias_forms(table[(table["geography_year"] == year) & ~table["ambiguous"]])
        self.matcher = geography.Matcher.from_reference(reference_dir, year, FUZZY_THRESHOLD)
        self.wave, self.block, self.rng = wave, wave_block(wave), rng
        self.people = People(rng) if people is None else people

    def answers(self, org: dict[str, Any]) -> dict[str, Any]:
        """A fresh set of answers, in stable codes, for organisation `org`."""
        return draw_answers(self.rng, org, self.wave, self.people)

    def submitted(self, start: datetime) -> datetime:
        """A submission time during the fieldwork that begins at `start`."""
        return start + timedelta(minutes=int(self.rng.integers(60, FIELDWORK_DAYS * 1440)))

    def type_areas(self, codes: list[str]) -> list[tuple[str, str]]:
        """How a respondent typed each authority, and the method the cleaner will match it by."""
        return [typed_area(self.rng, code, self.forms[code], self.matcher) for code in codes]

    def row(
        self, answers: dict[str, Any], typed_areas: str, submitted: datetime, org_id: str
    ) -> dict[str, Any]:
        """The export row (header -> cell) of one submission."""
        return export_row(answers, self.block, self.wave, typed_areas, submitted, org_id)


def _wave(
    render: SurveyRenderer, pool: list[dict[str, Any]], weights: np.ndarray, size: int
) -> tuple[list[dict[str, Any]], list[tuple], list[tuple]]:
    """One wave: its export rows in file order, its truth rows and its (org, area) rows."""
    rng, wave = render.rng, render.wave
    chosen = rng.choice(POOL, size, replace=False, p=weights / weights.sum())
    stops, resubmits = (int(i) for i in rng.choice(len(chosen), 2, replace=False))
    typed = [i for i, k in enumerate(chosen) if pool[k]["typed_id"] and i != stops]
    emails = [i for i in typed if identifiers.EMAIL.search(pool[chosen[i]]["org_id"])]
    resubmits = (emails or typed or [resubmits])[0]  # the id typed as personal data, resubmitted
    rows, responses, areas = [], [], []
    for i, index in enumerate(chosen):
        org = pool[index]
        answers = render.answers(org)
        if i == stops:
            render.people.contacts.remove(answers["contact_name"])  # not in the export
            answers = partial(answers)
        submitted = render.submitted(FIELDWORK[wave])
        typed = render.type_areas(org["areas"])
        delimiter = "; " if wave == "2021" or rng.random() < 0.5 else ", "
        typed_cell = delimiter.join(t for t, _ in typed)
        rows.append((submitted, render.row(answers, typed_cell, submitted, org["org_id"])))
        if i == resubmits and wave != "2025":  # an earlier submission, superseded
            earlier = render.answers(org)
            when = submitted - timedelta(days=int(rng.integers(1, 4)))
            rows.append((when, render.row(earlier, typed_cell, when, org["org_id"])))
        published = privacy.pseudonym(normal_id(org["org_id"]), privacy.EXAMPLE_KEY.encode("utf-8"))
        responses += truth_rows(wave, published, answers, render.block)
        if answers["areas"] is not None:
            areas += [
                (wave, published, code, method)
                for code, (_, method) in zip(org["areas"], typed, strict=True)
            ]
    export = [cells for _, cells in sorted(rows, key=lambda r: r[0])]
    export.insert(int(rng.integers(1, len(export))), {})  # a blank row
    return export, responses, areas


def _write_truth(truth: Path, responses: list[tuple], areas: list[tuple]) -> None:
    frame = pd.DataFrame(responses, columns=schemas.columns("survey_responses"))
    frame = frame.sort_values(["wave", "org_id"], kind="stable")
    frame.to_csv(truth / "survey_responses.csv", index=False, lineterminator="\n")
    (
        pd.DataFrame(areas, columns=schemas.columns("survey_areas"))
        .drop_duplicates()
        .sort_values(["wave", "org_id", "la_code"])
        .to_csv(truth / "survey_areas.csv", index=False, lineterminator="\n")
    )


def generate(
    reference_dir: Path, out: Path, truth: Path, rng: np.random.Generator, people: People
) -> None:
    """Write each wave's export, the codebook and the example's pseudonym key under `out`'s
    survey folder, and the truth: survey_responses.csv (the cleaner's tidy output) and
    survey_areas.csv. `people` types the personal data and records it."""
    folder = layout.survey_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    truth = Path(truth)
    truth.mkdir(parents=True, exist_ok=True)
    pool = draw_pool(rng, organisation_areas(reference_dir))
    ids = people.org_ids([org["org_id"] for org in pool], PERSONAL_ID_SHARE)
    for org, typed in zip(pool, ids, strict=True):
        org["typed_id"], org["org_id"] = typed != org["org_id"], typed
    sizes = rng.choice(np.arange(*SIZES), len(WAVES), replace=False)
    weights = np.where(np.arange(POOL) < POOL // 3, 4.0, 1.0)
    renderers = [SurveyRenderer(reference_dir, wave, rng, people) for wave in WAVES]
    responses, areas = [], []
    for render, size in zip(renderers, sizes, strict=True):
        export, wave_responses, wave_areas = _wave(render, pool, weights, int(size))
        header = list(export[0])
        if render.wave == "2023":
            write_survey_xlsx(folder / f"{render.wave}.xlsx", export, header)
        else:
            write_survey_csv(folder / f"{render.wave}.csv", export, header, render.wave == "2021")
        log.info("survey %s: %d organisations, %d export rows", render.wave, size, len(export))
        responses += wave_responses
        areas += wave_areas
    write_codebook(layout.codebook_path(out), {r.wave: r.block for r in renderers})
    (folder / KEY_FILE).write_text(privacy.EXAMPLE_KEY + "\n", encoding="utf-8")
    _write_truth(truth, responses, areas)
