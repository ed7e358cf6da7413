"""Match local authority names and GSS codes, as typed, to the codes of one geography year."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rapidfuzz import fuzz, process

from pipeline.geography.tables import YEARS, _check_year, aliases, authorities, successor_map

GSS_LIKE = re.compile(r"^[EWSNK]\d{8}$")

# Counties as correspondence shortens them ("Herts CC", "NE Lincs", "S Glos"), and compass
# points as a first word: the first two of _REWRITES spell them out.
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

# How councils title themselves, reduced to the place name: normalise_name's rules, in one
# place. _REWRITES run once, in order, on text already ASCII and casefolded, with "&" spelt
# "and", dotted initials joined ("M.B.C.", "U.A." -> "mbc", "ua") and every run of other
# characters one space. Abbreviations expand only as the last word, LB/RB/Co only as the first.
_REWRITES: tuple[tuple[str, Any], ...] = (
    (rf"\b({'|'.join(_COUNTY_SHORT)})\b", lambda m: _COUNTY_SHORT[m.group(1)]),
    (rf"^({'|'.join(_COMPASS)}) (?=[a-z]{{3}})", lambda m: _COMPASS[m.group(1)] + " "),
    (r"\bsaint\b", "st"),  # St. Helens, Saint Helens
    (r"\bcity of london\b", "cityoflondon"),  # keeps its "city of": not "london"
    (r" mbc$", " metropolitan borough council"),
    (r" mdc$", " metropolitan district council"),
    (r" lbc$", " london borough council"),
    (r" bc$", " borough council"),
    (r" cc$", " county council"),  # or city council: both are stripped below
    (r" dc$", " district council"),
    (r" ua$", " unitary authority"),
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
    "borough council",
    "county council",
    "city council",
    "district council",
    "unitary authority",
    "council",
    "corporation",
    "county of",
    "city of",
)
_RULES = tuple((re.compile(pattern), repl) for pattern, repl in _REWRITES)
_PREFIX = re.compile(rf"^(?:{'|'.join(_PREFIXES)}) (?=\S)")
_SUFFIX = re.compile(rf"(?<=\S) (?:{'|'.join(_SUFFIXES)})$")
# dotted initials: "B.C.", "M.B.C", or "C.C" at the end; not "S.t" (a typo of "St.")
_INITIALS = re.compile(r"\b(?:[a-z]\.){2,}|\b[a-z](?:\.[a-z]){2,}\b|\b[a-z]\.[a-z]\b(?=\W*$)")


def normalise_name(text: str) -> str:
    """A name reduced to its distinctive words, for building aliases and matching.

    Casefolds, strips accents, punctuation and padding, turns & into "and", then applies
    the rules above: shortened counties ("Herts", "Lincs") and a leading compass point ("NE",
    "S") are spelt out, as are abbreviated council forms (MBC, MDC, LBC, BC, CC, DC, UA, LB,
    RB); "saint"/"st." become "st", and council-style prefixes and suffixes ("London
    Borough of", "City of", "... London Borough Council", "County Council", ...) are dropped.
    "City of London" keeps its "city of".
    """
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ").replace("'", "")
    text = _INITIALS.sub(lambda m: m.group().replace(".", ""), text)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
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


@dataclass(frozen=True)
class Match:
    """The outcome of matching one typed value to an authority."""

    value: str
    la_code: str | None
    method: str | None  # "code" | "code_successor" | "alias" | "fuzzy" | None
    score: float
    candidates: tuple[tuple[str, str, float], ...]
    problem: str | None  # None | "unmatched" | "ambiguous" | "ambiguous_successor"


class Matcher:
    """Matches LA names or GSS codes as typed to the codes of one geography year.

    Fuzzy matching scores normalised names with rapidfuzz's token_sort_ratio: it forgives
    typos and word order but, unlike WRatio or partial_ratio, gives no bonus for a short
    string contained in a longer one ("hull" in "solihull"), which would invite false
    matches between LAs whose names share words.
    """

    def __init__(
        self,
        year: int,
        names: dict[str, str],
        alias_codes: dict[str, list[str]],
        code_routes: dict[str, tuple[tuple[str, ...], bool]],
        fuzzy_threshold: float,
        margin: float = 5.0,
    ):
        self.year, self.names, self.alias_codes = year, names, alias_codes
        self.code_routes, self.fuzzy_threshold, self.margin = code_routes, fuzzy_threshold, margin
        self._choices = list(alias_codes)
        # typed values repeat: match each distinct one once (with and without fuzzy search)
        self._memo: dict[tuple[str, bool], Match] = {}

    @classmethod
    def from_reference(
        cls, reference_dir: Path, year: int, fuzzy_threshold: float, margin: float = 5.0
    ) -> Matcher:
        """A matcher for `year` from the committed reference tables.

        `margin` is how far (in score points) the best fuzzy candidate must beat the best
        candidate for a different code.
        """
        _check_year(year)
        names = dict(
            authorities(reference_dir, year)[["la_code", "la_name"]].itertuples(index=False)
        )
        table = aliases(reference_dir)
        table = table[table["geography_year"] == year]
        alias_codes = {k: sorted(set(g)) for k, g in table.groupby("alias_norm")["la_code"]}
        # other years' codes -> (this year's codes, whether the mapping is one-to-one)
        routes: dict[str, tuple[tuple[str, ...], bool]] = {}
        for other in YEARS:
            if other < year:
                m = successor_map(reference_dir, other, year)
                for code, part in m.groupby("from_code"):
                    routes.setdefault(code, (tuple(part["to_code"]), len(part) == 1))
            elif other > year:  # a later code maps back only when it is a recode
                m = successor_map(reference_dir, year, other)
                for code, part in m.groupby("to_code"):
                    recode = len(part) == 1 and part["relationship"].iloc[0] in ("same", "recode")
                    routes.setdefault(code, (tuple(part["from_code"]), recode))
        return cls(year, names, alias_codes, routes, fuzzy_threshold, margin)

    def _candidates(self, codes: Iterable[str], score: float) -> tuple[tuple[str, str, float], ...]:
        return tuple((c, self.names[c], score) for c in codes if c in self.names)

    def match(self, value: str, fuzzy: bool = True) -> Match:
        """Match one value; never raises (problems are reported in the Match). With
        `fuzzy=False` no fuzzy search is made: what only it could match is "unmatched"."""
        text = (
            ""
            if value is None or (isinstance(value, float) and math.isnan(value))
            else str(value).strip()
        )
        if (text, fuzzy) not in self._memo:
            self._memo[text, fuzzy] = self._match(text, fuzzy)
        return self._memo[text, fuzzy]

    def _match(self, text: str, fuzzy: bool) -> Match:
        code = text.upper()
        if code in self.names:
            return Match(text, code, "code", 100.0, self._candidates([code], 100.0), None)
        if code in self.code_routes:
            route, unique = self.code_routes[code]
            if unique:
                return Match(
                    text, route[0], "code_successor", 100.0, self._candidates(route, 100.0), None
                )
            return Match(
                text, None, None, 0.0, self._candidates(route, 100.0), "ambiguous_successor"
            )
        norm = normalise_name(text)
        if not norm or GSS_LIKE.match(code):
            return Match(text, None, None, 0.0, (), "unmatched")
        if norm in self.alias_codes:
            codes = self.alias_codes[norm]
            if len(codes) == 1:
                return Match(text, codes[0], "alias", 100.0, self._candidates(codes, 100.0), None)
            return Match(text, None, None, 100.0, self._candidates(codes, 100.0), "ambiguous")
        if not fuzzy:
            return Match(text, None, None, 0.0, (), "unmatched")
        return self._fuzzy(text, norm)

    def _fuzzy(self, text: str, norm: str) -> Match:
        best: dict[str, float] = {}
        for alias, score, _ in process.extract(
            norm, self._choices, scorer=fuzz.token_sort_ratio, limit=None
        ):
            for code in self.alias_codes[alias]:
                best[code] = max(best.get(code, 0.0), float(score))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        candidates = tuple((c, self.names[c], round(s, 1)) for c, s in ranked)
        top = ranked[0][1] if ranked else 0.0
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if top < self.fuzzy_threshold:
            return Match(text, None, None, round(top, 1), candidates, "unmatched")
        if top - runner_up < self.margin:
            return Match(text, None, None, round(top, 1), candidates, "ambiguous")
        return Match(text, ranked[0][0], "fuzzy", round(top, 1), candidates, None)

    def match_many(self, values: Iterable[str]) -> pd.DataFrame:
        """Match each value: value, la_code, method, score, problem, candidates (as text)."""
        rows = []
        for m in map(self.match, values):
            shown = "; ".join(f"{c} {n} ({s:g})" for c, n, s in m.candidates)
            rows.append((m.value, m.la_code, m.method, m.score, m.problem, shown))
        return pd.DataFrame(
            rows, columns=["value", "la_code", "method", "score", "problem", "candidates"]
        )
