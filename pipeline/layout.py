"""The raw-folder layout: where FOI rounds, survey waves and the codebook sit under raw_dir.

<raw_dir>/foi/<round>.csv|xlsx     round_file
<raw_dir>/survey/<wave>.csv|xlsx   wave_file
<raw_dir>/survey/<CODEBOOK>        codebook_path
"""

from __future__ import annotations

from pathlib import Path

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
