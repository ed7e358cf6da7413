"""Personal data kept out of everything published: free text redacted, identifiers pseudonymised.

`redact` replaces, in this order: emails, plain or written out (`jo.smith [at] example [dot]
org`, `jo.smith(at)example.org`, `jo.smith at example dot org`); phone numbers (UK national,
`+44`, `+44 (0)` and `0044` forms, spaced or hyphenated groups, and other international
numbers); postcodes; street addresses (a house number, a capitalised street name and a street
type: Road, Street, Lane, Avenue, Close, Drive, Way, ...); names after a title (Mr, Mrs, Ms,
Dr, ...), after an introducing phrase in any case ("my name is", "i'm", "contact", "speak to",
"ask for", greetings and sign-offs) and every name of the export's contact column wherever it
appears. Finally it folds into one `[name]` whatever is left beside a redacted name: a title,
the rest of a hyphenated or apostrophe surname, a surname.

`pseudonymise` replaces respondent-entered identifiers by keyed hashes (HMAC-SHA256 under a
secret key, hex-truncated): stable across waves and runs under one key, and not reversible or
recomputable without the key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterable

import pandas as pd

REDACTIONS = {
    "email": "[email]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "address": "[address]",
    "name": "[name]",
}

# --- emails -------------------------------------------------------------------------------------

_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?i:at)\s*[\])}>]\s*|\s+(?i:at)\s+)"
_DOT = r"(?:\.|\s*[\[({<]\s*(?i:dot)\s*[\])}>]\s*|\s+(?i:dot)\s+)"
_LOCAL_WORD = r"[A-Za-z0-9_%+'-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_TLD = r"(?i:com|org|net|uk|gov|nhs|ac|co|edu|info|io|me|biz|ie|eu|scot|wales|cymru|london|email)"
_OBFUSCATED = (
    rf"(?<![\w.@'-]){_LOCAL_WORD}(?:{_DOT}{_LOCAL_WORD})*{_AT}(?!(?i:www)\b)"
    rf"{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}{_TLD}(?![\w-])"
)
_PLAIN = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
EMAIL = re.compile(f"{_PLAIN}|{_OBFUSCATED}")

# --- phones -------------------------------------------------------------------------------------

_S = r"[ \t.-]?"  # one optional separator between digit groups
# A UK number without its trunk 0: 7700 900123, 161 496 0123, 20 7946 0123, 1632 960123.
_UK_BODY = (
    rf"(?:\d{{4}}{_S}\d{{3}}{_S}\d{{3}}"
    rf"|\(?\d{{3}}\)?{_S}\d{{3}}{_S}\d{{4}}"
    rf"|\(?\d{{2}}\)?{_S}\d{{4}}{_S}\d{{4}})"
)
_UK_NATIONAL = (
    rf"(?:0\d{{4}}{_S}\d{{3}}{_S}\d{{3}}"
    rf"|\(?0\d{{3}}\)?{_S}\d{{3}}{_S}\d{{4}}"
    rf"|\(?0\d{{2}}\)?{_S}\d{{4}}{_S}\d{{4}})"
)
_UK_INTERNATIONAL = rf"(?:\+|00)\s?44\s?(?:\(0\)\s?)?{_UK_BODY}"
_OTHER_INTERNATIONAL = r"(?:\+|00)\s?(?!44)[1-9]\d{0,2}(?:[ \t.-]?\(?\d{1,4}\)?){2,5}\d"
PHONE = re.compile(
    rf"(?<![\w+]){_UK_INTERNATIONAL}(?!\d)|(?<![\w+]){_UK_NATIONAL}(?!\d)"
    rf"|(?<![\w+]){_OTHER_INTERNATIONAL}(?!\d)"
)

# --- postcodes and addresses --------------------------------------------------------------------

POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][A-Z]{2}\b", flags=re.IGNORECASE)
_STREET_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Place|Pl|Crescent|Cres|Court|Ct|"
    "Grove|Gardens|Gdns|Terrace|Square|Sq|Hill|Row|Walk|Mews|Parade|Park|Green|Rise|Vale|View|"
    "Gate|Yard|Wharf|Quay|Boulevard"
)
ADDRESS = re.compile(
    r"(?:\b(?i:flat|unit|apartment|apt|suite|room)\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"(?<![\w,.])\d{1,3}[A-Za-z]?,?\s+(?:[A-Z][A-Za-z'’-]*\s+){1,3}"
    rf"(?i:{_STREET_TYPES})\b"
)

# --- names --------------------------------------------------------------------------------------

TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Cllr)\.?"
# A capitalised name word (O'Driscoll, McAllister, Mensah-Boateng), not a possessive (Women's).
_NAME_WORD = r"[A-Z][A-Za-z'’-]*[a-z](?<!['’]s)"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
_LOWER_NAME = r"[a-z][a-z'’-]*[a-z](?:[ \t]+[a-z][a-z'’-]*[a-z])?"
# Phrases that introduce a name, in any case; the name follows (capitalised, or any case after
# the phrases that can only introduce a name).
_SAYS_NAME = r"my name is|my name's|my name’s|name:|signed"
_INTRO = (
    rf"(?i:\b(?:{_SAYS_NAME}|i'm|i’m|im|i am|this is|contact|speak to|speak with|ask for|"
    r"talk to|call|ring|email|e-mail|write to|completed by|prepared by|written by|signed by)"
    r"|(?:^|(?<=[.!?\n]))\s*(?:hi|hello|dear|thanks|thank you|many thanks|regards|"
    r"kind regards|best regards|best wishes|warm wishes|cheers|yours sincerely|best))[,:]?[ \t]+"
)
_INTRODUCED = re.compile(rf"({_INTRO})((?:{TITLE}[ \t]+)?(?:[A-Z]\.?[ \t]+)?{_NAME})\b")
_NAMED_AS = re.compile(rf"(?i:\b(?:{_SAYS_NAME})[ \t]+)({_LOWER_NAME})\b")
_TITLED = re.compile(rf"\b{TITLE}[ \t]+(?:[A-Z]\.?[ \t]+)?{_NAME}\b")


def _words(text: str) -> frozenset[str]:
    """The words of a text block, as a set."""
    return frozenset(text.split())


# Capitalised words that follow "contact", "I'm" and the like without being names.
NOT_NAMES = _words(
    """a about above after all also am an and any are as at be being below best but by can
    currently dear delighted do due every for from glad going happy hello here hi how i if in
    is it its just many me more my no none not now of on one only or our out over please
    pleased re really regards see she so sorry still sure thank thanks that the their them
    then there these they this those to today too unable us very we what when where which who
    will with writing yes you your monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    team staff manager lead coordinator worker officer director chair"""
)
# Words that make a capitalised phrase an organisation or place, not a person.
ORG_WORDS = _words(
    """aid authority board care centre center charity clinic college commissioning council
    county department group health helpline hospital house hub line network nhs office
    partnership police project recovery school service services society support team trust
    unit university"""
)
# Words that are also first names: a contact's name matches them only when capitalised.
COMMON_WORDS = _words(
    """amber april august autumn bill brook carol crystal dawn faith frank grace grant hazel
    holly hope iris ivy jack jade jewel joy june lily may mark pat pearl rich robin rose ruby
    sky summer sue violet will"""
)

_FOLDS = (
    re.compile(rf"\b{TITLE}[ \t]*\[name\]"),  # Mrs [name]
    re.compile(r"\b(?:[A-Z][A-Za-z]*[-'’])+\[name\]"),  # Mensah-[name], O'[name]
    re.compile(r"\[name\](?:[-'’][A-Za-z]+)+"),  # [name]-Boateng, [name]'Driscoll
    re.compile(r"\[name\](?:[ \t]+\[name\])+"),  # [name] [name]
)
_FOLLOWING_WORD = re.compile(rf"\[name\][ \t]+({_NAME_WORD})\b")


def _is_name(words: str) -> bool:
    """Whether capitalised words after a cue are a person's name, not a phrase or a service."""
    parts = [w.strip(".").lower() for w in words.split()]
    parts = [p for p in parts if not re.fullmatch(TITLE.lower().replace(r"\.?", ""), p)]
    return bool(parts) and parts[0] not in NOT_NAMES and not ORG_WORDS & set(parts)


def _trim(words: str) -> str:
    """Words after a cue, cut before the first that is not part of a name (Jo Smith Team)."""
    kept = []
    for word in words.split():
        bare = word.strip(".").lower()
        if kept and (bare in NOT_NAMES or bare in ORG_WORDS):
            break
        kept.append(word)
    return " ".join(kept)


def _introduced(match: re.Match[str]) -> str:
    cue, words = match.group(1), match.group(2)
    if not _is_name(words):
        return match.group(0)
    name = _trim(words)
    return cue + REDACTIONS["name"] + words[len(name) :]


def _named_as(match: re.Match[str]) -> str:
    words = match.group(1).split()
    if words[0] in NOT_NAMES:
        return match.group(0)
    kept = words[:1] + [w for w in words[1:2] if w not in NOT_NAMES]
    name = " ".join(kept)
    start = match.start(1) - match.start(0)
    return match.group(0)[:start] + REDACTIONS["name"] + match.group(1)[len(name) :]


def _titled(match: re.Match[str]) -> str:
    words = match.group(0).split(maxsplit=1)[1]
    return REDACTIONS["name"] if _is_name(words) else match.group(0)


def _following(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    return match.group(0) if word in NOT_NAMES or word in ORG_WORDS else REDACTIONS["name"]


def _fold(text: str) -> str:
    """Merge into one [name] what is left beside a redacted name, until nothing changes."""
    while True:
        before = text
        for pattern in _FOLDS:
            text = pattern.sub(REDACTIONS["name"], text)
        text = _FOLLOWING_WORD.sub(_following, text)
        if text == before:
            return text


_TOKEN = re.compile(r"(?<![\w'’-])[^\W\d_](?:[\w'’-]*[^\W\d_])?(?!\w)")  # Mensah-Boateng
_TITLE_WORD = re.compile(TITLE.replace(r"\.?", ""), flags=re.IGNORECASE)


_NOT_NAME_WORDS = NOT_NAMES | ORG_WORDS


def _norm(word: str) -> str:
    """A word as names are compared: apostrophes straightened, case folded."""
    return word.replace("’", "'").casefold()


class _KnownNames:
    """The names of an export's contact column, found in any text as whole words.

    Each word of 3+ letters matches alone, in any case (or only capitalised if it is also a
    common English word); a name with a shorter or a common word also matches in full, in any
    case. Words are looked up in sets, so a long list of names costs no more per text.
    """

    def __init__(self, names: Iterable[str]):
        self.anycase: set[str] = set()
        self.capitalised: set[str] = set()
        full = set()
        for name in names:
            name = " ".join(PHONE.sub(" ", EMAIL.sub(" ", str(name))).split()).replace("’", "'")
            words = [w for w in _TOKEN.findall(name) if not _TITLE_WORD.fullmatch(w)]
            parts = words + [p for w in words if "-" in w for p in w.split("-")]
            kept = [p for p in parts if len(p) >= 3 and _norm(p) not in _NOT_NAME_WORDS]
            for word in kept:
                if _norm(word) in COMMON_WORDS:
                    self.capitalised.add(_norm(word).capitalize())
                else:
                    self.anycase.add(_norm(word))
            plain = not any(_norm(p) in _NOT_NAME_WORDS for p in parts)
            if plain and any(len(p) < 3 or _norm(p) in COMMON_WORDS for p in parts):
                full.add(" ".join(words))
        escaped = (re.escape(n).replace("'", "['’]").replace("\\ ", r"\s+") for n in full)
        alternation = "|".join(sorted(escaped, key=len, reverse=True))
        self.full = re.compile(rf"(?<![\w'’-])(?i:{alternation})(?!\w)") if alternation else None

    def __bool__(self) -> bool:
        return bool(self.anycase or self.capitalised or self.full)

    def _word(self, match: re.Match[str]) -> str:
        token = match.group(0)
        for part in (token, *token.split("-")):
            if _norm(part) in self.anycase or part.replace("’", "'") in self.capitalised:
                return REDACTIONS["name"]
        return token

    def sub(self, text: str) -> str:
        """`text` with every known name replaced by [name]."""
        if self.full is not None:
            text = self.full.sub(REDACTIONS["name"], text)
        return _TOKEN.sub(self._word, text)


def _redact_one(text: str, known: _KnownNames) -> str:
    text = EMAIL.sub(REDACTIONS["email"], text)
    text = PHONE.sub(REDACTIONS["phone"], text)
    text = POSTCODE.sub(REDACTIONS["postcode"], text)
    text = ADDRESS.sub(REDACTIONS["address"], text)
    if known:
        text = known.sub(text)
    text = _TITLED.sub(_titled, text)
    text = _INTRODUCED.sub(_introduced, text)
    text = _NAMED_AS.sub(_named_as, text)
    return _fold(text)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Replace personal data in one free-text answer with [email], [phone], [postcode],
    [address] and [name].

    Parameters
    ----------
    text
        The free text as typed.
    names
        Names known to belong to respondents (the export's contact-name column); each is
        removed in full and word by word wherever it appears.
    """
    return _redact_one(str(text), _known_names(frozenset(map(str, names))))


def redact_series(texts: pd.Series, names: Iterable[str] = ()) -> pd.Series:
    """`redact` applied to every cell of a text column, compiling the name list once."""
    known = _known_names(frozenset(map(str, names)))
    return texts.fillna("").astype("str").map(lambda t: _redact_one(t, known))


@functools.lru_cache(maxsize=4)
def _known_names(names: frozenset[str]) -> _KnownNames:
    """The compiled name list, built once for every column and wave that shares it."""
    return _KnownNames(sorted(names))


# --- pseudonyms ---------------------------------------------------------------------------------

# The key of the synthetic example (data/example/survey/pseudonym.key). It is published, so
# pseudonyms under it can be recomputed by anyone: never use it for real data.
EXAMPLE_KEY = "synthetic-example-only-never-use-this-key-for-real-data"
PSEUDONYM_DIGITS = 12  # hex digits kept of the HMAC: 48 bits


def pseudonym(value: str, key: bytes, prefix: str = "org-") -> str:
    """`value`'s pseudonym: `prefix` and the first PSEUDONYM_DIGITS hex digits of
    HMAC-SHA256(key, value); blank stays blank."""
    if value == "":
        return ""
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return prefix + digest[:PSEUDONYM_DIGITS]


def pseudonymise(values: pd.Series, key: bytes, prefix: str = "org-") -> pd.Series:
    """Each value's pseudonym (see `pseudonym`); ValueError if two values share one."""
    distinct = pd.unique(values.astype("str"))
    mapping = {v: pseudonym(v, key, prefix) for v in distinct}
    if len(set(mapping.values())) < len(mapping):
        raise ValueError("two identifiers share a pseudonym; raise PSEUDONYM_DIGITS")
    return values.astype("str").map(mapping)
