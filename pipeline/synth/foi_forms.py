"""How people type an FOI tracker: the written forms of statuses, item answers, dates, counts
and authority names, and the free text that mentions items.

Each `*_FORMS` table maps a class (the key) to (raw text, weight) pairs.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd

from pipeline import geography
from pipeline.taxonomy import ANSWERED_STATUSES, ITEM_IDS

# How people type things: (raw text, weight); the class is the key of each table.
STATUS_FORMS = {
    "full": [("Provided", 5), ("provided in full", 2), ("Provided", 1)],
    "partial": [("Partial", 3), ("Partial response", 2)],
    "not_held": [("Info not held", 2), ("Information not held", 1)],
    "refused_cost": [("Refused - s12 cost", 2), ("Refused s.12", 1)],
    "refused_other": [("s21", 1), ("Refused - s40", 1)],
    "clarification": [("Clarification sought", 1)],
    "no_response": [("No response", 2), ("", 1)],
}
ANSWER_FORMS = {
    "yes": [
        ("Yes", 40),
        ("Y", 15),
        ("yes - via provider", 10),
        ("YES", 10),
        ("We commission this through our main provider", 5),
    ],
    "no": [("No", 45), ("N", 15), ("no", 15), ("Not currently", 5)],
    "not_held": [("Not held", 7)],
    "unknown": [("N/A", 8), ("", 5)],
}
# Sentences the conservative rule cannot classify (left for the overrides file).
AMBIGUOUS_FORMS = [("Available on request", 1), ("Under review", 1)]
AMBIGUOUS_RATE = 0.006
# Free-text phrases per item; each must be caught by the coding frame for its item only.
PHRASES = {
    "women_groups": [
        "women-only groups at the recovery hub",
        "a weekly women's group",
        "group work for women",
    ],
    "female_keyworker": ["choice of a female keyworker", "female key workers on request"],
    "women_spaces": ["women-only sessions at the main hub", "a women's drop-in"],
    "childcare": ["a creche during appointments", "childcare costs covered"],
    "parenting": ["parenting programmes", "family support workers"],
    "domestic_abuse": ["joint working with the domestic abuse service", "an embedded IDVA"],
    "trauma_mental_health": ["trauma-informed practice", "mental health in-reach for women"],
    "sex_worker_outreach": ["outreach to sex workers", "a sex-work outreach van"],
    "perinatal": ["a specialist midwife", "a pregnancy pathway"],
    "bame_outreach": [
        "culturally specific outreach",
        "work with Black, Asian and minority ethnic community organisations",
    ],
    "residential_detox": ["women-only residential rehab beds", "residential detox for women"],
    "digital": ["online support", "remote appointments"],
    "community_settings": ["sessions in community venues", "outreach at GP surgeries"],
}
FILLERS = [
    "All provision is reviewed annually.",
    "Delivered by the integrated adult service.",
    "Further detail is in the attached service specification.",
    "",
]
MENTION_RATE, DISAGREE_RATE, PARTIAL_BLANK_RATE = 0.45, 0.06, 0.4
COUNT_FORMS = {"exact": 0.78, "approximate": 0.08, "not_held": 0.08, "missing": 0.06}
NAME_FORMS = {"official": 0.62, "alias": 0.15, "typo": 0.05, "code_only": 0.03, "with_code": 0.15}


def pick(rng: np.random.Generator, forms: list[tuple[str, float]]) -> str:
    """One raw text from (text, weight) pairs, drawn by weight."""
    weights = np.array([w for _, w in forms], dtype=float)
    return forms[rng.choice(len(forms), p=weights / weights.sum())][0]


def date_text(rng: np.random.Generator, day: date, excel: bool) -> str | datetime:
    """`day` as typed in one of several formats, or (in a workbook, sometimes) a date cell."""
    formats = ["%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d-%b-%y"]
    if excel and rng.random() < 0.3:
        return datetime(day.year, day.month, day.day)  # a real date cell
    return day.strftime(formats[rng.integers(len(formats))])


def _count_text(
    rng: np.random.Generator, value: int, form: str, excel: bool
) -> tuple[str | int, int | None, str, int | None]:
    """(raw cell, truth value, flag, bound) for a true count written in a form."""
    if form in ("not_held", "missing"):
        return ("not held" if form == "not_held" else ""), None, form, None
    if value < 5:
        return "<5", None, "censored", 5
    if form == "approximate":
        step = 10 if value < 1000 else 50
        shown = max(step, int(round(value / step)) * step)
        word = ["approx ", "c. ", "around ", "approximately "][rng.integers(4)]
        return f"{word}{shown:,}", shown, "approximate", None
    if value >= 1000 and rng.random() < 0.7:
        return f"{value:,}", value, "exact", None
    return (value if excel else str(value)), value, "exact", None


def _typo(rng: np.random.Generator, name: str) -> str:
    """One-letter edit (drop, double or swap) inside a word."""
    letters = [i for i in range(1, len(name) - 1) if name[i].isalpha() and name[i - 1].isalpha()]
    i = letters[rng.integers(len(letters))]
    kind = rng.integers(3)
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def name_cells(
    rng: np.random.Generator,
    code: str,
    official: str,
    aliases: list[str],
    matcher: geography.Matcher,
) -> tuple[str, str, str]:
    """(name as typed, code as typed, match method the cleaner should report)."""
    form = rng.choice(list(NAME_FORMS), p=list(NAME_FORMS.values()))
    if form == "code_only":
        return "", code, "code"
    if form == "with_code":
        return official, code, "code"
    if form == "alias" and aliases:
        return aliases[rng.integers(len(aliases))], "", "alias"
    if form == "typo" and len(official) >= 8:
        typed = _typo(rng, official)
        m = matcher.match(typed)
        if m.problem is None and m.la_code == code and m.method == "fuzzy":
            return typed, "", "fuzzy"
    return official, "", "alias"


def items_cells(
    rng: np.random.Generator, offered: pd.Series, status: str
) -> tuple[dict[str, str], dict[str, str], str, set[str]]:
    """Raw item cells, their classes, free text, and the items the text mentions."""
    raw, cls, mention = {}, {}, set()
    for item in ITEM_IDS:
        if status not in ANSWERED_STATUSES:
            raw[item], cls[item] = "", "unknown"
            continue
        if status == "partial" and rng.random() < PARTIAL_BLANK_RATE:
            raw[item], cls[item] = "", "unknown"
        elif offered[item] and rng.random() < AMBIGUOUS_RATE:
            raw[item], cls[item] = pick(rng, AMBIGUOUS_FORMS), "unknown"
        elif offered[item]:
            raw[item], cls[item] = pick(rng, ANSWER_FORMS["yes"]), "yes"
        else:
            forms = [(t, w, c) for c in ("no", "not_held", "unknown") for t, w in ANSWER_FORMS[c]]
            k = rng.choice(
                len(forms), p=np.array([w for _, w, _ in forms]) / sum(w for _, w, _ in forms)
            )
            raw[item], cls[item] = forms[k][0], forms[k][2]
        if offered[item] and rng.random() < MENTION_RATE:
            mention.add(item)
    if status in ANSWERED_STATUSES and rng.random() < DISAGREE_RATE:
        said_no = [i for i in ITEM_IDS if cls[i] == "no"]
        if said_no:
            mention.add(said_no[rng.integers(len(said_no))])
    phrases = [PHRASES[i][rng.integers(len(PHRASES[i]))] for i in ITEM_IDS if i in mention]
    text = ""
    if phrases:
        text = f"We offer {'; '.join(phrases)}. {FILLERS[rng.integers(len(FILLERS))]}".strip()
    return raw, cls, text, mention


def count_cells(
    rng: np.random.Generator, status: str, adults: int, women: int, excel: bool
) -> dict[str, tuple[str | int, int | None, str, int | None]]:
    """Adults and women in treatment as one response wrote them: who -> (raw cell, truth value,
    flag, bound). Women are not held or missing whenever adults are."""
    counts = {}
    for who, value, form_rng in (("adults", adults, rng.random()), ("women", women, rng.random())):
        if status not in ANSWERED_STATUSES:
            counts[who] = ("", None, "missing", None)
            continue
        form = list(COUNT_FORMS)[
            int(np.searchsorted(np.cumsum(list(COUNT_FORMS.values())), form_rng))
        ]
        if who == "women" and counts["adults"][2] in ("not_held", "missing"):
            form = counts["adults"][2]
        counts[who] = _count_text(rng, value, form, excel)
    return counts
