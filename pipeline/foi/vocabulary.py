"""Load the FOI vocabularies analysts extend: status spellings and rules, answer words and rules.

The words are data, in pipeline/resources (statuses.yaml and status_rules.yaml, answers.yaml and
answer_rules.yaml), written in the form that `normalise` (or `normalise_count`) gives typed
text. Each file is read and checked once per process; any problem (an unknown key, a spelling
listed twice, a spelling that could never match) stops the run with one InputError naming the
file and every key at fault.
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

_RESOURCES = resources.files("pipeline") / "resources"
STATUSES_FILE = _RESOURCES / "statuses.yaml"
STATUS_RULES_FILE = _RESOURCES / "status_rules.yaml"
ANSWERS_FILE = _RESOURCES / "answers.yaml"
ANSWER_RULES_FILE = _RESOURCES / "answer_rules.yaml"
COUNT_NOT_HELD = "count_not_held"  # the key of answers.yaml listing counts' not-held words
SECTIONS = "sections"  # the step of status_rules.yaml's order that reads FOI Act sections
ANSWER_RULE_KEYS = (
    "yes_first",
    "yes_undone",
    "not_held",
    "no_first",
    "no_undone",
    "yes_cues",
    "negations",
)
_STATUS_RULE_KEYS = ("order", SECTIONS, "phrases", "negations")
_SECTION = re.compile(r"^(\d{1,3}[a-z]?)((?:\([0-9a-z]{1,4}\))*)$")
_UNQUOTED = "YAML reads yes, no, on and off unquoted as true/false: put it in quotes"

Section = tuple[str, tuple[str, ...]]  # an FOI Act section: number, subsections ("1", ("1", "a"))


@dataclass(frozen=True)
class Answers:
    """The short forms matched whole: item answer forms and the words for a count not held."""

    items: Mapping[str, str]  # normalised form -> answer (one of ANSWERS)
    count_not_held: frozenset[str]  # as normalise_count writes them


@dataclass(frozen=True)
class StatusRules:
    """status_rules.yaml: the steps in order, the sections and phrases of each status."""

    order: tuple[str, ...]  # status codes and SECTIONS, in precedence order
    sections: tuple[tuple[Section, str], ...]  # (section, status), the statuses in precedence
    phrases: Mapping[str, tuple[tuple[str, ...], ...]]  # status -> phrases, each as words
    negations: frozenset[str]


@dataclass(frozen=True)
class AnswerRules:
    """answer_rules.yaml: each key's words and phrases, each phrase as a tuple of words."""

    yes_first: tuple[tuple[str, ...], ...]
    yes_undone: tuple[tuple[str, ...], ...]
    not_held: tuple[tuple[str, ...], ...]
    no_first: tuple[tuple[str, ...], ...]
    no_undone: tuple[tuple[str, ...], ...]
    yes_cues: tuple[tuple[str, ...], ...]
    negations: frozenset[str]


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


def parse_section(text: str) -> Section | None:
    """An FOI Act section as status_rules.yaml writes it ("12", "1(1)(a)"); None if malformed."""
    match = _SECTION.match(text.lower())
    if match is None:
        return None
    return match.group(1), tuple(re.findall(r"\(([0-9a-z]+)\)", match.group(2)))


@cache
def load_status_rules(path: Path = STATUS_RULES_FILE) -> StatusRules:
    """The status rules in `path` (see status_rules.yaml); InputError on any problem."""
    problems: list[str] = []
    raw = _read(path, _STATUS_RULE_KEYS, problems)
    lists = {key: _status_lists(raw.get(key), key, problems) for key in (SECTIONS, "phrases")}
    phrases = _index(lists["phrases"], STATUSES, normalise, problems)
    sections = _sections(lists[SECTIONS], problems)
    order, steps = raw.get("order"), sorted({SECTIONS, *phrases.values()})
    if not isinstance(order, list) or sorted(map(str, order)) != steps:
        problems.append(
            f"key 'order': list each step once: {SECTIONS!r} and each status with phrases "
            f"({steps}; got {order!r})"
        )
    negations = _index({"negations": raw.get("negations", [])}, ("negations",), normalise, problems)
    _raise(path, problems)
    return StatusRules(
        order=tuple(order),
        sections=tuple(sections),
        phrases=MappingProxyType(
            {s: tuple(tuple(p.split()) for p in phrases if phrases[p] == s) for s in STATUSES}
        ),
        negations=frozenset(negations),
    )


@cache
def load_answer_rules(path: Path = ANSWER_RULES_FILE) -> AnswerRules:
    """The item-answer rules in `path` (see answer_rules.yaml); InputError on any problem."""
    problems: list[str] = []
    raw = _read(path, ANSWER_RULE_KEYS, problems)
    index = _index(raw, ANSWER_RULE_KEYS[:-1], normalise, problems)
    negations = _index(raw, ANSWER_RULE_KEYS[-1:], normalise, problems)
    _raise(path, problems)
    words = {k: tuple(tuple(p.split()) for p in index if index[p] == k) for k in ANSWER_RULE_KEYS}
    return AnswerRules(**{**words, "negations": frozenset(negations)})


def _status_lists(mapping: Any, name: str, problems: list[str]) -> dict[str, Any]:
    """`mapping` (status code -> list, under key `name`); each key not a status code a problem."""
    if not isinstance(mapping, dict):
        problems.append(f"key {name!r}: map each status code to a list (got {mapping!r})")
        return {}
    problems += [
        f"key {name!r}: {k!r} is not one of {list(STATUSES)}" for k in mapping if k not in STATUSES
    ]
    return mapping


def _sections(lists: dict[str, Any], problems: list[str]) -> list[tuple[Section, str]]:
    """(section, status) of status_rules.yaml's sections, in the file's order; problems appended."""
    out: list[tuple[Section, str]] = []
    seen: dict[Section, str] = {}
    for status, numbers in lists.items():
        for number in numbers if isinstance(numbers, list) else [numbers]:
            section = parse_section(number) if isinstance(number, str) else None
            if section is None:
                problems.append(
                    f"key {SECTIONS!r}: {number!r} under {status!r} is not a section number "
                    f'in quotes (write e.g. "12", "22A", "1(1)(a)")'
                )
            elif section in seen:
                problems.append(
                    f"key {SECTIONS!r}: {number!r} is listed twice (also under {seen[section]!r})"
                )
            else:
                seen[section] = status
                out.append((section, status))
    return out


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
