"""Names of authorities as typed, reduced to the words that tell them apart, and the other
ways of writing an ONS name, for building aliases and matching."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# Counties as correspondence shortens them ("Herts CC", "NE Lincs", "S Glos"), and compass
# points ("S Glos" as a first word, "Bath and NE Somerset"): the first rules of _REWRITES
# spell them out.
_COUNTY_SHORT = {
    "berks": "berkshire",
    "bucks": "buckinghamshire",
    "beds": "bedfordshire",
    "cambs": "cambridgeshire",
    "derbys": "derbyshire",
    "glos": "gloucestershire",
    "gloucs": "gloucestershire",
    "hants": "hampshire",
    "herts": "hertfordshire",
    "lancs": "lancashire",
    "leics": "leicestershire",
    "lincs": "lincolnshire",
    "northants": "northamptonshire",
    "notts": "nottinghamshire",
    "oxon": "oxfordshire",
    "shrops": "shropshire",
    "staffs": "staffordshire",
    "warks": "warwickshire",
    "wilts": "wiltshire",
    "worcs": "worcestershire",
    "yorks": "yorkshire",
}
_COMPASS = {"n": "north", "s": "south", "e": "east", "w": "west"}
_COMPASS |= {a + b: f"{_COMPASS[a]} {_COMPASS[b]}" for a in "ns" for b in "ew"}
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\u2032`")

# How councils title themselves, reduced to the place name: normalise_name's rules, in one
# place. _REWRITES run once, in order, on text already ASCII and casefolded, with "&" spelt
# "and", dotted initials joined ("M.B.C.", "U.A." -> "mbc", "ua") and every run of other
# characters one space. Abbreviations expand only as the last word, LB/RB/Co only as the first.
_REWRITES: tuple[tuple[str, Any], ...] = (
    (rf"\b({'|'.join(_COUNTY_SHORT)})\b", lambda m: _COUNTY_SHORT[m.group(1)]),
    (r"^([nsew]) (?=[a-z]{3})", lambda m: _COMPASS[m.group(1)] + " "),  # "S Glos", not "-n-"
    (r"\b([ns][ew]) (?=[a-z]{3})", lambda m: _COMPASS[m.group(1)] + " "),
    (r"\b(north|south)(east|west)\b", r"\1 \2"),  # Northeast, SouthWest
    (r"\bsaint\b", "st"),  # St. Helens, Saint Helens
    (r"\bcity of london\b", "cityoflondon"),  # keeps its "city of": not "london"
    (r" mbc$", " metropolitan borough council"),
    (r" mdc$", " metropolitan district council"),
    (r" lbc$", " london borough council"),
    (r" bc$", " borough council"),
    (r" cc$", " county council"),  # or city council: both are stripped below
    (r" dc$", " district council"),
    (r" ua$", " unitary authority"),
    (r" corp$", " corporation"),
    (r"^lb (of )?(?=\S)", "london borough of "),
    (r"^rb (of )?(?=\S)", "royal borough of "),
    (r"^co (?=\S)", "county "),  # Co. Durham
)
# Council words stripped from either end, one at a time, until none is left (a prefix before
# a suffix; of several suffixes the longest). A name is never stripped to nothing.
_PREFIXES = (
    "mayor and burgesses of",  # legal name of a London borough
    "council of the",
    "london borough of",
    "royal borough of",
    "metropolitan borough of",
    "city and county of",
    "borough of",
    "county of",
    "city of",
    "the",
)
_SUFFIXES = (
    "metropolitan borough council",
    "metropolitan district council",
    "metropolitan borough",
    "london borough council",
    "london borough",
    "royal borough",  # "Windsor and Maidenhead Royal Borough"
    "borough council",
    "county council",
    "city council",
    "district council",
    "unitary authority",
    "council",
    "corporation",
    "county of",
    "city of",
    "city",  # "Leicester City"
)
_RULES = tuple((re.compile(pattern), repl) for pattern, repl in _REWRITES)
_PREFIX = re.compile(rf"^(?:{'|'.join(_PREFIXES)}) (?=\S)")
_SUFFIX = re.compile(rf"(?<=\S) (?:{'|'.join(_SUFFIXES)})$")
# dotted initials: "B.C.", "M.B.C", or "C.C" at the end; not "S.t" (a typo of "St.")
_INITIALS = re.compile(r"\b(?:[a-z]\.){2,}|\b[a-z](?:\.[a-z]){2,}\b|\b[a-z]\.[a-z]\b(?=\W*$)")


def _ascii(char: str) -> str:
    """One character of NFKD text as ASCII: an accent dropped, an apostrophe of any kind
    "'", any other character (an en dash, a non-breaking hyphen) a space between words."""
    if char.isascii() or char in _APOSTROPHES:
        return "'" if char in _APOSTROPHES else char
    return "" if unicodedata.combining(char) else " "


def _plain(text: str) -> str:
    """ASCII and casefolded, & as "and", dotted initials joined, other characters one space."""
    text = "".join(map(_ascii, unicodedata.normalize("NFKD", str(text))))
    text = text.casefold().replace("&", " and ").replace("'", "")
    text = _INITIALS.sub(lambda m: m.group().replace(".", ""), text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@functools.lru_cache(maxsize=1 << 16)  # typed names repeat in every wave and round
def normalise_name(text: str) -> str:
    """A name reduced to its distinctive words, for building aliases and matching.

    Casefolds, strips accents, punctuation and padding, turns & into "and", then applies
    the rules above: shortened counties ("Herts", "Lincs") and compass points ("NE", "S",
    "Northeast") are spelt out, as are abbreviated council forms (MBC, MDC, LBC, BC, CC, DC,
    UA, LB, RB); "saint"/"st." become "st", and council-style prefixes and suffixes ("London
    Borough of", "City of", "... London Borough Council", "County Council", a last "City")
    are dropped.
    "City of London" keeps its "city of".
    """
    text = _plain(text)
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            stripped = _SUFFIX.sub("", text, count=1)
        if stripped == text:
            return text.replace("cityoflondon", "city of london")
        text = stripped


def _variants(name: str, la_type: str) -> list[str]:
    """Other ways of writing an ONS name, by rule (council styles, &, St, long forms)."""
    base = re.sub(r", (City|County) of$", "", name)
    out = [base]
    long_form = re.search(r", (City|County) of$", name)
    if long_form:
        out.append(f"{long_form.group(1)} of {base}")
    out.append(f"{base} Council")
    out += {
        "county": [f"{base} County Council"],
        "london_borough": [] if base == "City of London" else [f"London Borough of {base}"],
        "metropolitan_district": [f"{base} Metropolitan Borough Council"],
    }.get(la_type, [])
    if " and " in base:
        out.append(base.replace(" and ", " & "))
    if "St. " in base:
        out += [base.replace("St. ", "St "), base.replace("St. ", "Saint ")]
    if "-" in base:
        out.append(base.replace("-", " "))
    short = re.split(r" upon |-on-", base)[0]
    if short != base:
        out.append(short)
    return [v for v in dict.fromkeys(out) if v != name]


def _parts(name: str) -> list[str]:
    """Parts of an ONS name that may be typed alone: the first of a double name ("Kensington"
    of "Kensington and Chelsea"), and an island without "Isle of" ("Wight")."""
    base = re.sub(r", (City|County) of$", "", name)
    parts = (re.split(r", | and | with ", base)[0], re.sub(r"^Isles? of ", "", base))
    return [p for p in dict.fromkeys(parts) if p != base]


# Words of the departments and teams that sign FOI replies and survey answers ("Public Health
# Team, Leeds City Council", "Sheffield City Council - Drug and Alcohol Commissioning"), and
# the words that join them ("Director of Public Health for Wirral"). No authority's alias has
# a department word (a test checks), so stripping them from the ends leaves the council.
_DEPARTMENT = frozenset({
    "public", "health", "wellbeing", "adult", "adults", "social", "care", "children", "childrens",
    "young", "people", "peoples", "families", "drug", "drugs", "alcohol", "substance", "misuse",
    "treatment", "commissioning", "commissioner", "commissioners", "service", "services", "team",
    "teams", "department", "dept", "directorate", "division", "unit", "office", "director",
    "housing", "education", "community", "communities", "safety", "safeguarding", "foi",
    "freedom", "information", "governance", "request", "requests", "legal", "corporate",
    "democratic", "complaints", "procurement", "contracts", "finance", "policy", "strategy",
    "performance", "intelligence", "insight", "prevention",
})  # fmt: skip
_JOINING = frozenset({"and", "of", "for", "at", "in", "the", "on", "behalf", "within"})


def without_department(text: str) -> str:
    """`text` (as _plain makes it) less the department or team words at its start and end, or
    "" when there are none or nothing else. A run stripped must have a department word; joining
    words next to what is kept stay at its end ("Bristol, City of") and go at its start."""
    words = _plain(text).split()
    start = 0
    while start < len(words) and words[start] in _DEPARTMENT | _JOINING:
        start += 1
    if not _DEPARTMENT.intersection(words[:start]):
        start = 0
    end = len(words)
    while end > start and words[end - 1] in _DEPARTMENT | _JOINING:
        end -= 1
    while end < len(words) and words[end] in _JOINING:
        end += 1
    if not _DEPARTMENT.intersection(words[end:]):
        end = len(words)
    kept = words[start:end]
    return " ".join(kept) if kept and len(kept) < len(words) else ""
