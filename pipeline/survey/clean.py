"""The survey cleaner: every listed wave's export to tidy tables, and views of those tables.

Nothing a respondent typed reaches the tables as typed: contact columns are dropped on
reading, free text is redacted (with every wave's contact names), and organisation ids are
replaced by keyed pseudonyms (`privacy.pseudonymise`, key in `read.key_path(raw_dir)`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import geography, layout, privacy
from pipeline.accounting import Account
from pipeline.errors import InputError, ParamsError
from pipeline.readers import ROW, RawTable, unlisted_files
from pipeline.schemas import columns
from pipeline.survey.areas import match_areas, wave_geography_year
from pipeline.survey.codebook import Codebook, entries_of, headers_of, load_codebook
from pipeline.survey.decode import cell_lines, decode_answers, latest_submissions, submitted_times
from pipeline.survey.document import todo_lines
from pipeline.survey.hints import quote
from pipeline.survey.read import (
    key_path,
    mapping_problems,
    missing_columns,
    read_key,
    read_wave,
    redact_wave,
    source_file,
)

log = logging.getLogger(__package__)  # one logger for the package: pipeline.survey

_TABLES = ("responses", "orgs", "areas", "comments", "exclusions")
SYNTHETIC_COLUMN = "synthetic"  # the example exports' marker column


@dataclass(frozen=True)
class SurveyResult:
    """Processed survey tables, with the row accounts and the exclusions."""

    responses: pd.DataFrame
    orgs: pd.DataFrame
    areas: pd.DataFrame
    comments: pd.DataFrame
    accounts: list[Account]
    exclusions: pd.DataFrame


def _check_waves(waves: list[str]) -> None:
    """ParamsError if params.yaml survey.waves lists a wave more than once."""
    twice = sorted({w for w in waves if waves.count(w) > 1})
    if twice:
        raise ParamsError(
            f"params.yaml: survey.waves lists {', '.join(twice)} more than once "
            f"(got {waves}); list each wave once"
        )


def _check_key(key: bytes, path: Path, raws: dict[str, RawTable]) -> None:
    """InputError if the published example key would pseudonymise exports not marked synthetic."""
    if key != privacy.EXAMPLE_KEY.encode("utf-8"):
        return
    real = [w for w, raw in raws.items() if SYNTHETIC_COLUMN not in raw.data.columns]
    if real:
        raise InputError(
            path,
            f"this is the published example key, but the exports of waves {real} are not "
            "marked synthetic; real data needs its own secret key (docs/methodology.md)",
        )
    log.info("survey: organisation ids pseudonymised with the example key (synthetic data)")


def _check_codebook(codebook: Codebook, waves: list[str]) -> None:
    missing = [w for w in waves if w not in codebook.waves]
    if missing:
        raise InputError(
            codebook.path,
            f"no codebook block for waves {missing}; add "
            f"`waves: {{{quote(missing[0])}: ...}}` (python -m pipeline new-wave "
            "YEAR EXPORT drafts it)",
        )
    todos = todo_lines(codebook.path, waves)
    if todos:
        raise InputError(
            codebook.path,
            "TODO entries remain for listed waves; confirm or fill each one and delete "
            "its TODO marker. Map each header or label to a code of its variable; a new "
            "option or answer is first added to that variable's `options:` or `codes:` "
            "under `variables:`, a new question as a new variable:\n" + "\n".join(todos),
        )


def _read_waves(raw_dir: Path, waves: list[str], codebook: Codebook) -> dict[str, RawTable]:
    """Every listed wave's export, contact columns dropped and free text redacted."""
    for path in unlisted_files(layout.survey_dir(raw_dir), waves):
        log.warning("survey: %s is not a listed wave (params.yaml survey.waves); ignored", path)
    read = {wave: read_wave(raw_dir, wave, codebook) for wave in waves}
    names = set().union(*(found for _, found in read.values()))
    return {wave: redact_wave(raw, wave, codebook, names) for wave, (raw, _) in read.items()}


def _stop_on(folder: Path, kinds: dict[str, list[str]]) -> None:
    """InputError listing every problem of every wave, grouped by kind and counted."""
    found = {kind: lines for kind, lines in kinds.items() if lines}
    if not found:
        return
    total = sum(len(lines) for lines in found.values())
    sections = [f"{len(lines)} {kind}:\n" + "\n".join(lines) for kind, lines in found.items()]
    raise InputError(
        folder,
        f"{total} problem{'s' if total > 1 else ''} in the listed waves; nothing was cleaned. "
        "Fix them all, then "
        "rerun:\n" + "\n".join(sections),
    )


def _orgs(
    wave: str, kept: pd.DataFrame, answers: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    types = answers[answers["question"] == "org_type"].set_index(ROW)["value"]
    counts = areas.groupby("org_id").size()
    return pd.DataFrame(
        {
            "wave": wave,
            "org_id": kept["org_id"].to_numpy(),
            "org_type": kept[ROW].map(types).fillna("").to_numpy(),
            "n_areas": kept["org_id"].map(counts).fillna(0).astype(int).to_numpy(),
        }
    )


def _comments(wave: str, kept: pd.DataFrame, raw: RawTable, codebook: Codebook) -> pd.DataFrame:
    texts = raw.data.set_index(ROW)
    frames = [
        pd.DataFrame(
            {
                "wave": wave,
                "org_id": kept["org_id"].to_numpy(),
                "text": kept[ROW].map(texts[h]).to_numpy(),
            }
        )
        for e in entries_of(codebook.waves[wave], codebook, "text").values()
        for h in headers_of(e)
    ]
    frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=columns("survey_comments"))
    )
    return frame[frame["text"] != ""].astype("str")


def _clean_wave(
    raw: RawTable,
    wave: str,
    codebook: Codebook,
    matcher: Callable[[int], geography.Matcher],
    key: bytes,
) -> tuple[dict[str, pd.DataFrame], Account, list[str], list[str]]:
    """One wave's tables, its row account, its bad cells and its areas served that did not
    match (the tables are meaningless if either list is not empty).

    `matcher` gives the area matcher of a geography year; `key` is the pseudonym key.
    """
    answers, problems = decode_answers(raw, wave, codebook)
    submitted, bad_times = submitted_times(raw, wave, codebook)
    kept, excluded = latest_submissions(raw, wave, codebook, submitted, key)
    year = wave_geography_year(wave, geography.YEARS)
    areas, unmatched = match_areas(kept, raw, wave, codebook, matcher(year))
    answers = answers.merge(kept[[ROW, "org_id"]], on=ROW).assign(wave=wave)
    tables = {
        "responses": _ordered(answers[columns("survey_responses")], codebook),
        "orgs": _orgs(wave, kept, answers, areas),
        "areas": areas,
        "comments": _comments(wave, kept, raw, codebook),
        "exclusions": excluded,
    }
    rows_in = len(raw.data) + raw.blank_rows
    account = Account(source_file(raw), rows_in, len(kept), len(excluded), raw.blank_rows)
    log.info(
        "survey %s: %d organisations kept, %d rows excluded, %d blank",
        wave,
        len(kept),
        len(excluded),
        raw.blank_rows,
    )
    return tables, account, cell_lines(wave, raw, problems + bad_times), unmatched


def clean_waves(
    raw_dir: Path,
    waves: list[str],
    reference_dir: Path,
    fuzzy_threshold: float,
    codebook: Path | None = None,
    key_file: Path | None = None,
) -> SurveyResult:
    """Clean every listed survey wave into tidy tables.

    Every problem of every wave is listed in one InputError before anything is returned.

    Parameters
    ----------
    raw_dir
        Folder holding `survey/<wave>.csv|xlsx`, and (by default) the codebook and the key.
    waves
        The waves to clean, in order (params.yaml survey.waves), each listed once.
    reference_dir
        The derived reference tables (data/reference) for matching areas served.
    fuzzy_threshold
        rapidfuzz score (0-100) the geography matcher needs to accept a fuzzy name match.
    codebook
        The codebook, if not at `layout.codebook_path(raw_dir)`.
    key_file
        The secret key of the organisation id pseudonyms, if not at `read.key_path(raw_dir)`.
    """
    _check_waves(waves)
    book = load_codebook(Path(codebook) if codebook else layout.codebook_path(raw_dir))
    _check_codebook(book, waves)
    key_file = Path(key_file) if key_file else key_path(raw_dir)
    key = read_key(key_file)
    raws = _read_waves(raw_dir, waves, book)
    _check_key(key, key_file, raws)
    matcher = functools.cache(
        lambda year: geography.Matcher.from_reference(reference_dir, year, fuzzy_threshold)
    )
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in _TABLES}
    accounts, labels, cells, areas = [], [], [], []
    for wave in waves:
        labels += mapping_problems(wave, raws[wave], book)
        if missing_columns(wave, raws[wave], book):
            labels.append(f"- wave {wave}: its cells are checked once its columns are mapped")
            continue
        tables, account, bad_cells, unmatched = _clean_wave(raws[wave], wave, book, matcher, key)
        for name, table in tables.items():
            parts[name].append(table)
        accounts.append(account)
        cells += bad_cells
        areas += unmatched
    _stop_on(
        book.path.parent,
        {
            f"headers and answers the codebook does not map ({book.path.name})": labels,
            "bad cells": cells,
            "areas served that did not match one local authority (each with what to do)": areas,
        },
    )
    del raws  # at scale the exports and each table's parts are large: keep one copy at a time
    return _joined(parts, accounts, waves)


def _joined(
    parts: dict[str, list[pd.DataFrame]], accounts: list[Account], waves: list[str]
) -> SurveyResult:
    """The waves' tables joined in the listed order, each sorted as published."""
    # each wave's responses come sorted, so joining them in the listed order sorts the whole
    tables = {name: pd.concat(parts.pop(name), ignore_index=True) for name in _TABLES}
    return SurveyResult(
        responses=tables.pop("responses").astype("str"),
        orgs=_sorted(tables["orgs"], waves, ["org_id"]),
        areas=_sorted(tables["areas"], waves, ["org_id", "la_code"]),
        comments=_sorted(tables["comments"], waves, ["org_id"]),
        accounts=accounts,
        exclusions=tables["exclusions"][columns("survey_exclusions")],
    )


def _sorted(frame: pd.DataFrame, waves: list[str], by: list[str]) -> pd.DataFrame:
    order = frame["wave"].map({w: i for i, w in enumerate(waves)})
    return (
        frame.assign(_w=order)
        .sort_values(["_w", *by], kind="stable")
        .drop(columns="_w")
        .reset_index(drop=True)
    )


def _ranks(values: pd.Series, order: Iterable[str], missing: int) -> np.ndarray:
    """Each value's position in `order` (`missing` where it is not there)."""
    return _positions(*pd.factorize(values), order, missing)


def _positions(codes: np.ndarray, distinct: Any, order: Iterable[str], missing: int) -> np.ndarray:
    """`_ranks` from factorised values: each distinct value is looked up once."""
    position = {v: i for i, v in enumerate(order)}
    # code -1 (a missing value) takes the last entry
    return np.array([*(position.get(v, missing) for v in distinct), missing])[codes]


def _ordered(responses: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One wave's responses sorted by org_id, then question and option in codebook order."""
    question, asked = pd.factorize(responses["question"])
    option_rank = np.zeros(len(responses), dtype=np.int64)
    for k, name in enumerate(asked):
        v = codebook.variables.get(name)
        if v is not None and v.codes:
            here = question == k
            option_rank[here] = _ranks(responses["option"][here], v.codes, 0)
    order = np.lexsort(
        (
            option_rank,
            _positions(question, asked, codebook.variables, len(codebook.variables)),
            pd.factorize(responses["org_id"], sort=True)[0],
        )
    )
    return responses.take(order).reset_index(drop=True)


# --- views of the cleaned tables ----------------------------------------------------------------


def response_counts(orgs: pd.DataFrame) -> pd.DataFrame:
    """Organisations responding, by organisation type (rows) and wave (columns), with totals."""
    types = orgs["org_type"].replace("", "not answered")
    return pd.crosstab(types.rename("org_type"), orgs["wave"], margins=True, margins_name="total")


def not_asked(responses: pd.DataFrame) -> pd.DataFrame:
    """Per wave, the questions (or options of a question) the wave did not ask.

    Returns [wave, question, options] where options is "(whole question)" or the options not
    asked, comma-separated.
    """
    grid = responses[["wave", "question", "option", "status"]].drop_duplicates()
    rows = []
    for (wave, question), group in grid.groupby(["wave", "question"], sort=False):
        missing = group.loc[group["status"] == "not_asked", "option"].drop_duplicates()
        if missing.empty:
            continue
        whole = set(missing) == set(group["option"])
        rows.append((wave, question, "(whole question)" if whole else ", ".join(missing)))
    return pd.DataFrame(rows, columns=["wave", "question", "options"])
