"""Redaction of personal data typed into free text: emails, UK phone numbers, postcodes, names."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# UK numbers: 07700 900123, 07700900123, +44 7700 900123, +44 (0)7700 900123, 0161 496 0123,
# 020 7946 0123, (0113) 496 0987, 0117-496-0456.
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w-])"
)
POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}\b", flags=re.IGNORECASE)
# One or two capitalised words (O'Driscoll, McAllister, Mensah-Boateng): a first name and surname.
_NAME_WORD = r"[A-Z][A-Za-z'’-]*[a-z]"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?"
# Phrases that introduce a name; the trigger is case-insensitive, the name is not.
_INTRO = (
    r"(?i:\b(?:my name is|my name's|i'm|i’m|i am|this is|contact|speak to|ask for|call|email)"
    r"|(?:^|(?<=[.!?\n]))\s*(?:hi|hello|dear|thanks|thank you|many thanks|regards|"
    r"kind regards|best wishes|cheers))[,:]?[ \t]+"
)
INTRODUCED_NAME = re.compile(rf"({_INTRO})({_NAME})\b")

REDACTIONS = {"email": "[email]", "phone": "[phone]", "postcode": "[postcode]", "name": "[name]"}


def _known_names(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for the given names in full and for each of their words of 3+ letters."""
    words: set[str] = set()
    for name in names:
        name = " ".join(str(name).split())
        if not name or EMAIL.fullmatch(name):  # emails are redacted before names are
            continue
        words.add(name)
        words.update(w for w in name.split() if len(w) >= 3 and w[0].isupper())
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Replace personal data in one free-text answer with [email], [phone], [postcode], [name].

    Parameters
    ----------
    text
        The free text as typed.
    names
        Names known to belong to respondents (the wave's contact-name column); each is removed
        in full and word by word wherever it appears.
    """
    return redact_series(pd.Series([text], dtype="str"), names).iloc[0]


def redact_series(texts: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """`redact` applied to every cell of a text column, compiling the name list once."""
    known = _known_names(names)

    def one(text: str) -> str:
        text = EMAIL.sub(REDACTIONS["email"], text)
        text = PHONE.sub(REDACTIONS["phone"], text)
        text = POSTCODE.sub(REDACTIONS["postcode"], text)
        text = INTRODUCED_NAME.sub(lambda m: m.group(1) + REDACTIONS["name"], text)
        return text if known is None else known.sub(REDACTIONS["name"], text)

    return texts.fillna("").astype("str").map(one)
