"""The raw-folder layout: where FOI rounds, survey waves and the codebook sit under raw_dir.

<raw_dir>/foi/<round>.csv|xlsx     round_file
<raw_dir>/survey/<wave>.csv|xlsx   wave_file
<raw_dir>/survey/<CODEBOOK>        codebook_path
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import InputError
from pipeline.readers import find_file

FOI = "foi"
SURVEY = "survey"
CODEBOOK = "codebook.yaml"


def foi_dir(raw_dir: str | Path) -> Path:
    """The folder of FOI round files."""
    return Path(raw_dir) / FOI


def survey_dir(raw_dir: str | Path) -> Path:
    """The folder of survey exports and the codebook."""
    return Path(raw_dir) / SURVEY


def codebook_path(raw_dir: str | Path) -> Path:
    """The survey codebook."""
    return survey_dir(raw_dir) / CODEBOOK


def round_file(raw_dir: str | Path, name: str) -> Path:
    """The one file (.csv, .xlsx or .xls) of FOI round `name`; InputError if none or several."""
    return find_file(foi_dir(raw_dir), name)


def wave_file(raw_dir: str | Path, wave: str) -> Path:
    """The one export of survey wave `wave`; InputError if none or several."""
    return find_file(survey_dir(raw_dir), wave)


def problems(raw_dir: str | Path, rounds: Iterable[str], waves: Iterable[str]) -> list[str]:
    """What the raw folder lacks for the listed rounds and waves, one line each (none if
    every round and wave has exactly one file, and the codebook is there)."""
    if not Path(raw_dir).is_dir():
        return [f"{raw_dir}: no such folder (params.yaml data.raw_dir)"]
    found = []
    for find, names in ((round_file, rounds), (wave_file, waves)):
        for name in names:
            try:
                find(raw_dir, name)
            except InputError as exc:
                found.append(str(exc))
    if not codebook_path(raw_dir).is_file():
        found.append(f"{codebook_path(raw_dir)}: the survey codebook is missing")
    return found
