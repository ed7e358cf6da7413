"""Classify typed FOI statuses and item answers by the rules in the vocabulary files.

`status_of` and `classify_answer` give a code, or None for text that no rule classifies (which stops
the run unless the analyst settles it). The rules and their precedence are data and documented
where analysts extend them: resources/status_rules.yaml and answer_rules.yaml.
"""

from __future__ import annotations

import re
from functools import cache

from rapidfuzz import fuzz, process

from pipeline.foi.vocabulary import (
    SECTIONS,
    AnswerRules,
    Section,
    StatusRules,
    load_answer_rules,
    load_answers,
    load_status_rules,
    load_statuses,
    normalise,
)

Phrase = tuple[str, ...]
# An FOI Act citation: "s12", "s.12", "s 12", "S12(1)", "sec 12", "section 1(1)(a)", "§12",
# then more numbers joined by "and", "or", ",", "&", "/" ("sections 12 and 14", "s12/s14").
_NUMBER = r"(\d{1,3}[a-z]?)((?:\s*\(\s*[0-9a-z]{1,4}\s*\))*)(?!\d)"
_CITE = re.compile(r"(?<![\w'\u2019])(?:sections?|sects?|secs?|ss|s|\u00a7)\s*\.?\s*" + _NUMBER)
_MORE = re.compile(r"\s*(?:,|&|/|\+|\band\b|\bor\b)\s*(?:(?:sections?|ss|s)\s*\.?\s*)?" + _NUMBER)
_SUBSECTION = re.compile(r"\(\s*([0-9a-z]+)\s*\)")
NEGATION_WINDOW = 2  # a status phrase this many words or fewer after a negation does not count


def cited_sections(text: str) -> list[Section]:
    """The FOI Act sections `text` cites, as (number, subsections): s1(1)(a) is 1, (1, a)."""
    text = str(text).lower()
    found: list[Section] = []
    match = _CITE.search(text)
    while match is not None:
        found.append((match.group(1), tuple(_SUBSECTION.findall(match.group(2)))))
        match = _MORE.match(text, match.end()) or _CITE.search(text, match.end())
    return found


def _negation(word: str, negations: frozenset[str]) -> bool:
    return word in negations or word.endswith("n't")


def _starts(words: list[str], phrase: Phrase) -> list[int]:
    """Where `phrase` occurs in `words` as whole words: its first word's positions."""
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]


def _occurs(words: list[str], phrase: Phrase, negations: frozenset[str], window: int) -> bool:
    """`phrase` occurs in `words` with no negation in the `window` words before it."""
    return any(
        not any(_negation(w, negations) for w in words[max(0, i - window) : i])
        for i in _starts(words, phrase)
    )


# -- statuses ------------------------------------------------------------------------------------


def _by_sections(text: str, rules: StatusRules) -> str | None:
    """The status of the first listed section that `text` cites, if any."""
    cited = cited_sections(text)
    for (number, subsections), status in rules.sections:
        if any(n == number and s[: len(subsections)] == subsections for n, s in cited):
            return status
    return None


@cache
def status_of(raw: str) -> str | None:
    """One status as typed -> a status code; None if no spelling or rule classifies it.

    Precedence: a spelling listed in statuses.yaml, then the steps of status_rules.yaml's
    `order` (phrases of a status, or the FOI Act sections cited).
    """
    listed = load_statuses().get(normalise(raw))
    return listed if listed is not None else status_by_rules(raw)


def status_by_rules(raw: str) -> str | None:
    """One status as typed -> a status code by status_rules.yaml alone; None if no step fits."""
    rules = load_status_rules()
    words = normalise(raw).split()
    for step in rules.order:
        if step == SECTIONS:
            status = _by_sections(str(raw), rules)
            if status is not None:
                return status
        elif any(
            _occurs(words, phrase, rules.negations, NEGATION_WINDOW)
            for phrase in rules.phrases[step]
        ):
            return step
    return None


@cache
def _status_words() -> dict[str, str]:
    """Every listed spelling and rule phrase -> its status code: the choices of nearest_statuses."""
    words = {spelling: code for spelling, code in load_statuses().items() if spelling}
    for code, phrases in load_status_rules().phrases.items():
        words.update({" ".join(phrase): code for phrase in phrases})
    return words


def nearest_statuses(raw: str, n: int = 2) -> list[tuple[str, str]]:
    """The `n` statuses whose spellings or phrases are nearest to `raw`: (code, spelling)."""
    words = _status_words()
    nearest: list[tuple[str, str]] = []
    for spelling, _, _ in process.extract(normalise(raw), list(words), scorer=fuzz.WRatio):
        if words[spelling] not in {code for code, _ in nearest}:
            nearest.append((words[spelling], spelling))
        if len(nearest) == n:
            break
    return nearest


# -- item answers --------------------------------------------------------------------------------


# Answers typed as a mark alone, which `normalise` would read as blank: a tick is yes, a cross
# no, a dash or question mark unknown; any other mark stops the run.
MARKS = {"\u2713": "yes", "\u2714": "yes", "\u2611": "yes", "\u2705": "yes"}
MARKS |= {"\u2717": "no", "\u2718": "no", "\u2612": "no", "\u274c": "no"}
MARKS |= {"-": "unknown", "\u2013": "unknown", "\u2014": "unknown", "?": "unknown"}


@cache
def classify_answer(raw: str) -> str | None:
    """One item answer as typed -> yes, no, not_held or unknown; None if no rule classifies it.

    A mark alone is read by MARKS (a tick is yes); forms listed in answers.yaml are matched
    whole ("Y", "N/A"; blank is unknown); then the rules of answer_rules.yaml (`_by_rules`). A
    yes with a qualifier that undoes it ("not women-only", "mixed", "yes/no", "previously") and
    a no with one that undoes it ("not commissioned separately", "cannot confirm") are None:
    for the analyst to settle.
    """
    text = normalise(raw)
    if not text and str(raw).strip():  # a mark, not a blank
        return MARKS.get(str(raw).strip())
    listed = load_answers().items.get(text)
    if listed is not None:
        return listed
    rules = load_answer_rules()
    words = text.split()
    answer = _by_rules(words, rules)
    undone = {"yes": rules.yes_undone, "no": rules.no_undone}.get(answer or "", ())
    if any(_starts(words, p) for p in undone):
        return None
    return answer


def _by_rules(words: list[str], rules: AnswerRules) -> str | None:
    """In order: "Yes ..." is yes, a not-held phrase not_held, "No ...", "Not currently ...",
    "None ..." no, and a sentence by its cues ("We commission this through our main
    provider" yes, "We do not commission this" no; a yes cue negated and another not, as in
    "We do not commission this, NHS England commissions it", None)."""
    if any(_starts(words[: len(p)], p) for p in rules.yes_first):
        return "yes"
    if any(_starts(words, p) for p in rules.not_held):
        return "not_held"
    if any(_starts(words[: len(p)], p) for p in rules.no_first):
        return "no"
    cues = [i for phrase in rules.yes_cues for i in _starts(words, phrase)]
    negated = {i for i, word in enumerate(words) if _negation(word, rules.negations)}
    if cues and not negated:
        return "yes"
    if negated and (not cues or all(i - 1 in negated for i in cues)):
        return "no"
    return None
