"""Personal data kept out of everything published: free text redacted, identifiers pseudonymised.

`redact` replaces, in this order: emails, plain or written out (`jo.smith [at] example [dot]
org`, `jo.smith(at)example.org`, `jo.smith at example dot org`; a written-out local part of up
to eleven words of at most 64 characters); social media handles (`@name`, not part of an
email); National Insurance numbers (two letters, six digits and a letter A-D, spaced or not:
`QQ 12 34 56 C`); dates of birth after "DOB", "D.O.B.", "date of birth" or "born (on)"
(`12/03/1985`, `1985-03-12`, `12th March 1985`, `March 12, 1985`; the cue is kept); phone
numbers (UK national, `+44`, `+44 (0)` and `0044` forms, spaced or hyphenated groups, and other
international numbers); postcodes; street addresses (a house number, a capitalised street name
and a street type: Road, Street, Lane, Avenue, Close, Drive, Way, ...); then names:
- after a title (Mr, Mrs, Ms, Dr, ...);
- after an introducing phrase in any case ("my name is", "i'm", "contact", "speak to", "ask
  for", "call", "ring", "phone", "email", greetings and sign-offs at the start of a sentence or
  line), the name capitalised; a sign-off may end its line (`Regards\nJane Doe`);
- after a verb of contact and "with" (`spoke with`, `confirmed by phone with`, `met with`), a
  capitalised name of two or three words;
- after a role (`Our CEO, Priya Patel`, `our service manager Jane Smith`);
- in lower case after the phrases that only say a name ("my name is", "signed"), and, two or
  three words none of them a common word, after those that ask for a person ("ask for", "speak
  to", "talk to", "contact": `ask for mohammed al-rashid`, not `ask for emergency housing`);
- every name of the export's contact column wherever it appears.
Capitalised words after a cue are not taken for a name when they hold an organisation's word
(Council, Centre, Service, ...), start like a place (North, West, Greater, ...) or hold a word
ending in "shire", or hold a word of a service's name (Turning Point, Change Grow Live).
Finally it folds into one `[name]` whatever is left beside a redacted name: a title, the rest of
a hyphenated or apostrophe surname, a surname. Each text is redacted in time linear in its
length (no pattern re-reads a long run of text from each of its characters).

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

from pipeline.identifiers import (
    ADDRESS,
    DATE_OF_BIRTH,
    HANDLE,
    NI_NUMBER,
    PHONE,
    POSTCODE,
    sub_emails,
)

REDACTIONS = {
    "email": "[email]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "address": "[address]",
    "name": "[name]",
    "ni_number": "[NI number]",
    "date_of_birth": "[date of birth]",
    "handle": "[handle]",
}

# --- names --------------------------------------------------------------------------------------

TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Cllr)\.?"
# A capitalised name word (O'Driscoll, McAllister, Mensah-Boateng), not a possessive (Women's).
_NAME_WORD = r"[A-Z][A-Za-z'’-]*[a-z](?<!['’]s)"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
_LOWER_NAME = r"[a-z][a-z'’-]*[a-z](?:[ \t]+[a-z][a-z'’-]*[a-z])?"
# Phrases that introduce a name, in any case; the name follows (capitalised, or any case after
# the phrases that can only introduce a name).
_SAYS_NAME = r"my name is|my name's|my name’s|name:|signed"
_GREETINGS = r"hi|hello|dear"
_SIGN_OFFS = (
    r"thanks|thank you|many thanks|with thanks|regards|kind regards|best regards|warm regards|"
    r"best wishes|warm wishes|all the best|cheers|yours sincerely|yours faithfully|yours truly|best"
)
# The start of a sentence or of a line, and the spaces after it. Each start reads spaces only up
# to the next newline, so a long run of blank lines is read once, not once per line.
_START = r"(?:(?:^|(?<=[.!?]))\s*+|(?<=\n)[^\S\n]*+)"
_INTRO = (
    rf"(?i:\b(?:{_SAYS_NAME}|i'm|i’m|im|i am|this is|contact|speak to|speak with|ask for|"
    r"talk to|call|ring|phone|phoned|rang|email|e-mail|emailed|e-mailed|texted|write to|"
    r"completed by|prepared by|written by|signed by)"
    rf"|{_START}(?:{_GREETINGS}|{_SIGN_OFFS}))[,:]?[ \t]+"
    rf"|(?i:{_START}(?:{_SIGN_OFFS}))[,:]?[ \t]*+(?:\r?\n[ \t]*+){{1,2}}"  # Regards\nJane Doe
)
_INTRODUCED = re.compile(rf"({_INTRO})((?:{TITLE}[ \t]+)?(?:[A-Z]\.?[ \t]+)?{_NAME})\b")
# "with" after a verb of contact (spoke with, confirmed by phone with), then a full name.
_CONTACT_VERBS = (
    r"spoke|spoken|speak|speaking|talked|talking|talk|confirmed|checked|agreed|discussed|"
    r"clarified|verified|liaised|liaising|met|meeting|conversation|call|phone call|correspondence|"
    r"corresponded|followed up|emailed|e-mailed"
)
_BY_MEANS = r"(?:by|over|on)[ \t]+(?:the[ \t]+)?(?:phone|telephone|email|e-mail|teams|zoom|video)"
_WITH = re.compile(
    rf"((?i:\b(?:{_CONTACT_VERBS})(?:[ \t]+{_BY_MEANS})?[ \t]+with)[ \t]+)"
    rf"({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,2}})\b"
)
# A role, then a name: "Our CEO, Priya Patel", "our service manager Jane Smith".
_ROLES = (
    r"ceo|chief executive|chief officer|manager|director|coordinator|co-ordinator|lead|officer|"
    r"chair|chairperson|chairman|chairwoman|trustee|founder|head|deputy|worker|keyworker|nurse|"
    r"midwife|colleague|caseworker|counsellor|therapist|advocate|idva|supervisor|administrator|"
    r"secretary|treasurer|commissioner|practitioner|volunteer|mentor|receptionist|consultant"
)
_ROLE_NAMED = re.compile(
    r"((?i:\b(?:our|my|the|your|their|his|her)[ \t]+(?:[a-z-]+[ \t]+){0,2}?"
    rf"(?:{_ROLES})s?(?:[ \t]+(?:is|was))?)[,:]?[ \t]+)"
    rf"((?:{TITLE}[ \t]+)?(?:[A-Z]\.?[ \t]+)?{_NAME})\b"
)
_NAMED_AS = re.compile(rf"(?i:\b(?:{_SAYS_NAME})[ \t]+)({_LOWER_NAME})\b")
# A name in lower case after the phrases that ask for a person: two or three words, none of
# them a common word (ask for mohammed al-rashid; not: ask for emergency housing).
_ASKS_FOR = re.compile(
    r"(?i:\b(?:ask for|ask to speak to|(?:speak|spoke|spoken|speaking|talk|talked|talking)"
    r"[ \t]+(?:to|with)|contact|contacted)[ \t]+)"
    r"([a-z][a-z'’-]*[a-z](?:[ \t]+[a-z][a-z'’-]*[a-z]){1,3})\b"
)
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

_NOT_NAME_WORDS = NOT_NAMES | ORG_WORDS
# Words that start a place's name, not a person's (North Yorkshire, Greater Manchester).
PLACE_WORDS = _words(
    "north south east west central mid greater upper lower inner outer new old great little st"
)
# Words of services' names that are no one's name (Turning Point, Change Grow Live).
SERVICE_WORDS = _words(
    """access action alliance answers aspire beacon bridge bridges change choices door doors
    first forward foundation freedom future futures grow horizons journey journeys life lifeline
    light link links live lives new open path pathway pathways point project road routes
    safe space spaces start step steps together turning way ways well wellbeing"""
)
# Common words: a name in lower case after "ask for" or "speak to" holds none of them.
LOWER_NOT_NAMES = _words(
    """access accommodation addiction additional adult adults advice advocacy advocate agencies
    agency alcohol another anybody anyone anything appointment appointments assessment
    assistance back benefits both carer carers case change changes child children client
    clients colleague colleagues community counselling counsellor crisis desk details detox
    directly doctor doctors domestic drug drugs each else emergency everybody everyone everything
    expert experts extra families family female feedback female financial first food free
    friend friends front further general gp gps group groups guidance harm help her herself him
    himself housing immediate info information keyworker later legal local medical men mental
    midwife midwives money mum nothing nurse nurses officers organisation organisations other
    others ourselves outreach parent parents partner partners peer people person police
    practitioner practitioners professional professionals providers provider public reception
    receptionist referral referrals relevant safeguarding schools senior service someone
    somebody something soon specialist staff such support survivor survivors teams themselves
    therapist therapy time treatment urgent user users victim victims woman women worker
    workers yourself"""
)
_NOT_LOWER_NAME = re.compile(r".*(?:['’]s|tion|sion|ment|ness|ity|ance|ence|ship|hood)")

# What is left beside a redacted name. Titles and parts before it are found on the reversed text
# (the fold starts at its [name]: each name read once however long the run before it).
_TITLES_REVERSED = "|".join(t[::-1] for t in re.findall(r"\w+", TITLE))
_FOLDS_BEFORE = re.compile(
    rf"\]eman\[(?:[ \t]*\.?(?:{_TITLES_REVERSED})\b"  # Mrs [name]
    r"|(?:[-'’][A-Za-z]*[A-Z])+\b)"  # Mensah-[name], O'[name]
)
_FOLDS = (
    re.compile(r"\[name\](?:[-'’][A-Za-z]+)+"),  # [name]-Boateng, [name]'Driscoll
    re.compile(r"\[name\](?:[ \t]+\[name\])+"),  # [name] [name]
)
# Capitalised words after a redacted name (a surname), up to the first that is not a name.
_FOLLOWING_WORDS = re.compile(rf"\[name\]((?:[ \t]+{_NAME_WORD}\b)+)")


def _is_name(words: str) -> bool:
    """Whether capitalised words after a cue are a person's name, not a phrase or a service."""
    parts = [w.strip(".").lower() for w in words.split()]
    parts = [p for p in parts if not re.fullmatch(TITLE.lower().replace(r"\.?", ""), p)]
    return bool(parts) and parts[0] not in NOT_NAMES and not ORG_WORDS & set(parts)


def _is_place_or_service(words: str) -> bool:
    """Whether capitalised words are a place's name (North Yorkshire, Cheshire West) or hold a
    word of a service's name (Turning Point), not a person's."""
    parts = [w.strip(".").lower() for w in words.split()]
    return parts[0] in PLACE_WORDS or any(p.endswith("shire") or p in SERVICE_WORDS for p in parts)


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
    if not _is_name(words) or _is_place_or_service(words):
        return match.group(0)
    name = _trim(words)
    return cue + REDACTIONS["name"] + words[len(name) :]


def _with(match: re.Match[str]) -> str:
    """A full name after "spoke with" and the like: two or three words, the first not a verb's
    -ing form (met with Turning Point)."""
    name = _trim(match.group(2))
    if len(name.split()) < 2 or name.split()[0].endswith("ing"):
        return match.group(0)
    return _introduced(match)


def _named_as(match: re.Match[str]) -> str:
    words = match.group(1).split()
    if words[0] in NOT_NAMES:
        return match.group(0)
    kept = words[:1] + [w for w in words[1:2] if w not in NOT_NAMES]
    name = " ".join(kept)
    start = match.start(1) - match.start(0)
    return match.group(0)[:start] + REDACTIONS["name"] + match.group(1)[len(name) :]


def _is_lower_name_word(word: str) -> bool:
    """Whether a lower-case word after "ask for" and the like may be part of a name."""
    return not (
        word in NOT_NAMES
        or word in ORG_WORDS
        or word in LOWER_NOT_NAMES
        or word in COMMON_WORDS
        or _NOT_LOWER_NAME.fullmatch(word)
    )


def _asks_for(match: re.Match[str]) -> str:
    """The name after "ask for" and the like: its first words that are not common words."""
    words = list(re.finditer(r"\S+", match.group(1)))
    kept = 0
    while kept < len(words) and _is_lower_name_word(words[kept].group(0)):
        kept += 1
    if kept < 2:
        return match.group(0)
    start = match.start(1) - match.start(0)
    end = start + words[kept - 1].end()
    whole = match.group(0)
    return whole[:start] + REDACTIONS["name"] + whole[end:]


def _titled(match: re.Match[str]) -> str:
    words = match.group(0).split(maxsplit=1)[1]
    return REDACTIONS["name"] if _is_name(words) else match.group(0)


def _following(match: re.Match[str]) -> str:
    words = list(re.finditer(rf"{_NAME_WORD}\b", match.group(1)))
    kept = 0
    while kept < len(words) and words[kept].group(0).lower() not in _NOT_NAME_WORDS:
        kept += 1
    if kept == 0:
        return match.group(0)
    return REDACTIONS["name"] + match.group(1)[words[kept - 1].end() :]


def _fold(text: str) -> str:
    """Merge into one [name] what is left beside a redacted name, until nothing changes."""
    if REDACTIONS["name"] not in text:
        return text
    while True:
        before = text
        text = _FOLDS_BEFORE.sub("]eman[", text[::-1])[::-1]
        for pattern in _FOLDS:
            text = pattern.sub(REDACTIONS["name"], text)
        text = _FOLLOWING_WORDS.sub(_following, text)
        if text == before:
            return text


_TOKEN = re.compile(r"(?<![\w'’-])[^\W\d_](?:[\w'’-]*[^\W\d_])?(?!\w)")  # Mensah-Boateng
_TITLE_WORD = re.compile(TITLE.replace(r"\.?", ""), flags=re.IGNORECASE)


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
            name = " ".join(PHONE.sub(" ", sub_emails(str(name), " ")).split()).replace("’", "'")
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
    text = sub_emails(text, REDACTIONS["email"])
    lower = text.lower()
    if "@" in text:
        text = HANDLE.sub(REDACTIONS["handle"], text)
    text = NI_NUMBER.sub(REDACTIONS["ni_number"], text)
    if any(cue in lower for cue in ("dob", "d.o.b", "birth", "born")):  # a cheap test first
        text = DATE_OF_BIRTH.sub(lambda m: m.group(1) + REDACTIONS["date_of_birth"], text)
    text = PHONE.sub(REDACTIONS["phone"], text)
    text = POSTCODE.sub(REDACTIONS["postcode"], text)
    text = ADDRESS.sub(REDACTIONS["address"], text)
    if known:
        text = known.sub(text)
    text = _TITLED.sub(_titled, text)
    text = _INTRODUCED.sub(_introduced, text)
    if "with" in lower:
        text = _WITH.sub(_with, text)
    text = _ROLE_NAMED.sub(_introduced, text)
    text = _NAMED_AS.sub(_named_as, text)
    if any(cue in lower for cue in ("ask", "spea", "spok", "talk", "contact")):
        text = _ASKS_FOR.sub(_asks_for, text)
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
    """`redact` applied to every cell of a text column, compiling the name list once and
    redacting each different text once."""
    known = _known_names(frozenset(map(str, names)))
    texts = texts.fillna("").astype("str")
    return texts.map({t: _redact_one(t, known) for t in texts.unique()})


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
