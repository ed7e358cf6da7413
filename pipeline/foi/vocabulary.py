"""Load the FOI vocabularies analysts extend: status spellings, item-answer and count words.

The words are data, in pipeline/resources/statuses.yaml and answers.yaml, written in the form
that `normalise` (or `normalise_count`) gives typed text. Each file is read and checked once
per process; any problem (an unknown key, a spelling listed twice, a spelling that could never
match) stops the run with one InputError naming the file and every key at fault.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from pipeline.errors import InputError
from pipeline.taxonomy import ANSWERS, STATUSES

STATUSES_FILE = resources.files("pipeline") / "resources" / "statuses.yaml"
ANSWERS_FILE = resources.files("pipeline") / "resources" / "answers.yaml"
COUNT_NOT_HELD = "count_not_held"  # the key of answers.yaml listing counts' not-held words
_UNQUOTED = "YAML reads yes, no, on and off unquoted as true/false: put it in quotes"


@dataclass(frozen=True)
class Answers:
    """The short forms matched whole: item answer forms and the words for a count not held."""

    items: Mapping[str, str]  # normalised form -> answer (one of ANSWERS)
    count_not_held: frozenset[str]  # as normalise_count writes them


def normalise(text: str) -> str:
    """Typed text as the vocabularies spell it: lower case, "." dropped, punctuation as spaces."""
    text = str(text).lower().replace(".", "").replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


def normalise_count(text: str) -> str:
    """A typed count as the count words spell it: lower case, single spaces."""
    return " ".join(str(text).lower().split())


@cache
def load_statuses(path: Path = STATUSES_FILE) -> Mapping[str, str]:
    """Status spellings (normalised) -> status code, from `path`; InputError on any problem."""
    problems: list[str] = []
    raw = _read(path, STATUSES, problems)
    spellings = _index(raw, STATUSES, normalise, problems)
    _raise(path, problems)
    return MappingProxyType(spellings)


@cache
def load_answers(path: Path = ANSWERS_FILE) -> Answers:
    """Item answer forms and count not-held words, from `path`; InputError on any problem."""
    problems: list[str] = []
    raw = _read(path, (*ANSWERS, COUNT_NOT_HELD), problems)
    forms = _index(raw, ANSWERS, normalise, problems)
    count_words = _index(raw, (COUNT_NOT_HELD,), normalise_count, problems)
    _raise(path, problems)
    return Answers(MappingProxyType(forms), frozenset(count_words))


def _read(path: Path, keys: tuple[str, ...], problems: list[str]) -> dict[Any, Any]:
    """The YAML mapping in `path`, each key not in `keys` appended to `problems`.

    InputError at once if the file is not valid YAML or not a mapping.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(path, "must map each key to a list of spellings")
    for key in raw:
        if key not in keys:
            hint = f" ({_UNQUOTED})" if isinstance(key, bool) else ""
            problems.append(f"key {key!r} is not one of {list(keys)}{hint}")
    return raw


def _index(
    lists: dict[Any, Any], keys: tuple[str, ...], form: Callable[[str], str], problems: list[str]
) -> dict[str, str]:
    """Spelling -> key, for the `keys` of `lists` (key -> spellings); problems appended."""
    index: dict[str, str] = {}
    for key, spellings in lists.items():
        if key not in keys:
            continue
        if not isinstance(spellings, list):
            problems.append(f"key {key!r}: give a list of spellings (got {spellings!r})")
            continue
        for spelling in spellings:
            if not isinstance(spelling, str):
                problems.append(f"key {key!r}: {spelling!r} is not text ({_UNQUOTED})")
            elif spelling in index:
                problems.append(
                    f"key {key!r}: {spelling!r} is listed twice (also under {index[spelling]!r})"
                )
            elif form(spelling) != spelling:
                problems.append(
                    f"key {key!r}: {spelling!r} can never match: write it {form(spelling)!r}"
                )
            else:
                index[spelling] = key
    return index


def _raise(path: Path, problems: list[str]) -> None:
    """One InputError naming `path` and listing every problem, if there are any."""
    if len(problems) == 1:
        raise InputError(path, problems[0])
    if problems:
        raise InputError(
            path, f"{len(problems)} problems:\n" + "\n".join(f"  {p}" for p in problems)
        )
