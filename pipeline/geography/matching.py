"""Match local authority names and GSS codes, as typed, to the codes of one geography year."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from pipeline.geography.names import _plain, normalise_name, without_department
from pipeline.geography.tables import (
    LA_TYPES,
    YEARS,
    _check_year,
    aliases,
    authorities,
    successor_map,
)

GSS_LIKE = re.compile(r"^[EWSNK]\d{8}$")
_CODES = ("code", "former_code")  # kinds of alias that are GSS codes
# Kinds of alias matched only as typed: a typo of a code, of initials, of a part of a name
# ("Windsor" alone) or of a shared service is no evidence, so fuzzy search skips them.
_EXACT = (*_CODES, "initialism", "name_part", "shared_service")

# Words that tell apart authorities otherwise named alike ("Cheshire East", "Cheshire West and
# Chester"; "North Lincolnshire", "North East Lincolnshire"). Beyond an exact alias, a match
# never adds, drops or changes one.
_MARKS = frozenset({"north", "south", "east", "west", "central", "mid"})
_LONE_COMPASS = re.compile(r"^[nsew] ")


def _marks(words: Iterable[str]) -> frozenset[str]:
    """The words of a name that tell it from others named alike: see _MARKS."""
    return _MARKS.intersection(words)


def _former_routes(table: pd.DataFrame, year: int) -> dict[str, tuple[tuple[str, ...], str]]:
    """Codes out of use by `year` (aliases of kind former_code) -> (this year's codes that have
    their area, kind), with kinds as in _routes; a district lies inside a former authority,
    so only former authorities can share a successor's area."""
    part = table[(table["geography_year"] == year) & (table["kind"] == "former_code")]
    upper = part[part["alias"].str[:3].isin(LA_TYPES)]
    routes = {}
    for code, group in part.groupby("alias"):
        to = tuple(group["la_code"])
        shared = set(upper.loc[upper["la_code"].isin(to), "alias"]) - {code}
        routes[code] = (to, "one" if len(to) == 1 else "mixed" if shared else "covers")
    return routes


def _routes(reference_dir: Path, year: int) -> dict[str, tuple[tuple[str, ...], str]]:
    """Other years' codes -> (this year's codes sharing their area, kind). Kind "one": the
    same authority, or the one it merged into; "covers": a split county's successors, or the
    county a new unitary was part of, sharing its area with no other authority; else "mixed".
    Codes that are no authority's in any geography year come from _former_routes."""
    routes: dict[str, tuple[tuple[str, ...], str]] = {}
    for other in YEARS:
        if other < year:
            m = successor_map(reference_dir, other, year)
            for code, part in m.groupby("from_code"):
                to = tuple(part["to_code"])
                alone = set(m.loc[m["to_code"].isin(to), "from_code"]) == {code}
                routes.setdefault(
                    code, (to, "one" if len(to) == 1 else "covers" if alone else "mixed")
                )
        elif other > year:  # a later code is this year's authority only when it is a recode
            m = successor_map(reference_dir, year, other)
            for code, part in m.groupby("to_code"):
                recode = len(part) == 1 and part["relationship"].iloc[0] in ("same", "recode")
                kind = "one" if recode else "covers" if len(part) == 1 else "mixed"
                routes.setdefault(code, (tuple(part["from_code"]), kind))
    return routes


# Areas served that mean every authority in England: a national organisation.
NATIONAL = ("national", "nationally", "nationwide", "national coverage", "england",
            "england wide", "all of england", "across england", "all england", "uk", "uk wide",
            "united kingdom", "great britain", "all areas", "all local authorities")  # fmt: skip


@dataclass(frozen=True)
class Match:
    """The outcome of matching one typed value to an authority."""

    value: str
    la_code: str | None
    method: str | None  # "code" | "code_successor" | "alias" | "fuzzy" | "national" | None
    score: float
    candidates: tuple[tuple[str, str, float], ...]
    # None | "unmatched" | "ambiguous" | "ambiguous_successor" (an authority of another year,
    # by code or name, that is not one authority of this year)
    problem: str | None
    # For an authority of another year that is not one authority of this year: this year's
    # authorities that share its area, when they share it with no other authority (the
    # successors of a split county, or the county a new unitary was part of).
    covering: tuple[str, ...] = ()

    @property
    def described(self) -> str:
        """The problem in words, for a message: "'<value>' is <described>"."""
        return _DESCRIBED.get(str(self.problem), str(self.problem))


# Problems in words: an authority of another year is so named however it was typed
# (code or name), with this year's authorities that share its area as candidates.
_DESCRIBED = {"ambiguous_successor": "an authority of another year, not one of this year's"}


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
        table: pd.DataFrame,
        routes: dict[str, tuple[tuple[str, ...], str]],
        fuzzy_threshold: float,
        margin: float = 5.0,
    ):
        """`table`: the aliases of every year; `routes`: see `_routes`."""
        self.year, self.names, self.routes = year, names, routes
        self.fuzzy_threshold, self.margin = fuzzy_threshold, margin
        # other years' authorities that are not of this year are found by their own names
        # ("Cumbria" in 2023 as E10000006), not as former names of this year's authorities
        other = table[(table["geography_year"] != year) & ~table["la_code"].isin(names)]
        other = other[~other["kind"].isin(_CODES)]
        here = table[table["geography_year"] == year]
        here = here[
            ~((here["kind"] == "former_name") & here["alias_norm"].isin(other["alias_norm"]))
        ]
        self.alias_codes = {
            k: tuple(sorted(set(g)))
            for part in (other, here)
            for k, g in part.groupby("alias_norm")["la_code"]
        }
        ons = table[table["kind"] == "ons_name"]
        self._labels = dict(zip(ons["la_code"], ons["alias"], strict=True))
        both = pd.concat([other, here])
        words = both[~both["kind"].isin(_EXACT) & ~both["alias"].str.isupper()]
        self._aliases = sorted(set(words["alias_norm"]))
        self._sorted = [" ".join(sorted(a.split())) for a in self._aliases]
        self._words = {w for a in self._aliases for w in a.split()}
        # typed values repeat: match each distinct one once (with and without fuzzy search)
        self._memo: dict[tuple[str, bool], Match] = {}
        self._national = {normalise_name(n) for n in NATIONAL}
        shared = here[here["kind"] == "shared_service"]["alias_norm"]
        self._shared = {frozenset(n.split()): self.alias_codes[n] for n in shared}

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
        routes = _former_routes(table, year) | _routes(reference_dir, year)
        return cls(year, names, table, routes, fuzzy_threshold, margin)

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

    def served(self, value: str, fuzzy: bool = True) -> list[Match]:
        """What an organisation naming `value` serves: every authority for England as a whole
        (`NATIONAL`), one match per covering authority for an authority of another year (see
        Match.covering), else `match(value)`."""
        if isinstance(value, str) and normalise_name(value) in self._national:
            return [Match(value, c, "national", 100.0, (), None) for c in sorted(self.names)]
        m = self.match(value, fuzzy)
        return [
            Match(m.value, c, m.method, m.score, self._candidates([c], m.score), None)
            for c in m.covering
        ] or [m]

    def _match(self, text: str, fuzzy: bool) -> Match:
        code = text.upper()
        if code in self.names or code in self.routes:
            return self._resolve(text, (code,), "code", 100.0)
        norm = normalise_name(text)
        if not norm or GSS_LIKE.match(code):
            return Match(text, None, None, 0.0, (), "unmatched")
        if norm in self.alias_codes:
            return self._resolve(text, self.alias_codes[norm], "alias", 100.0)
        if council := without_department(text):
            return self._department(text, council, fuzzy)
        if not fuzzy:
            return Match(text, None, None, 0.0, (), "unmatched")
        return self._fuzzy(text, norm)

    def _department(self, text: str, council: str, fuzzy: bool) -> Match:
        """A council's department or team ("Public Health - Wirral"): the match of the council
        named, unless the words typed name a service shared by several ("Dorset Public
        Health" is Public Health Dorset, of BCP and Dorset: ambiguous)."""
        words = set(_plain(text).split())
        for shared, codes in self._shared.items():
            if shared <= words:
                return self._resolve(text, codes, "alias", 100.0)
        return replace(self.match(council, fuzzy), value=text)

    def _resolve(self, text: str, codes: tuple[str, ...], method: str, score: float) -> Match:
        """The match of a value found as `codes` (of this year or another) by `method`."""
        if len(codes) == 1 and codes[0] in self.names:
            return Match(text, codes[0], method, score, self._candidates(codes, score), None)
        if len(codes) == 1:
            route, kind = self.routes[codes[0]]
            candidates = self._candidates(route, score)
            successor = "code_successor" if method == "code" else method
            if kind == "one":
                return Match(text, route[0], successor, score, candidates, None)
            covering = route if kind == "covers" else ()
            return Match(text, None, successor, score, candidates, "ambiguous_successor", covering)
        here = sorted({c for code in codes for c in self.routes.get(code, ((code,), ""))[0]})
        return Match(text, None, None, score, self._candidates(here, score), "ambiguous")

    def _fuzzy(self, text: str, norm: str) -> Match:
        """A near spelling of one authority's alias, else every word typed a word of one
        authority's alias; neither may add, drop or change a distinguishing word (_MARKS)."""
        best: dict[str, tuple[float, str]] = {}
        for alias, score, _ in process.extract(
            norm, self._aliases, scorer=fuzz.token_sort_ratio, limit=None
        ):
            for code in self.alias_codes[alias]:
                best[code] = max(best.get(code, (0.0, "")), (float(score), alias))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:3]
        candidates = tuple((c, self._labels[c], round(s, 1)) for c, (s, _) in ranked)
        code, (top, alias) = ranked[0] if ranked else ("", (0.0, ""))
        marks = self._typed_marks(norm.split())
        # a lone first letter read as a compass point ("E ssex") is no ground for a guess
        if top >= self.fuzzy_threshold and not _LONE_COMPASS.match(_plain(text)):
            runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
            if top - runner_up < self.margin or self._nearest(norm) != {code}:
                return Match(text, None, None, round(top, 1), candidates, "ambiguous")
            if _marks(alias.split()) == marks:
                return self._resolve(text, (code,), "fuzzy", round(top, 1))
        words = set(norm.split())
        within = sorted(
            {
                c
                for a in self._aliases
                if words <= set(a.split()) and _marks(a.split()) == marks
                for c in self.alias_codes[a]
            }
        )
        if len(words) > 1 and within:  # scored as the rule reads it: token_set_ratio is 100
            return self._resolve(text, tuple(within), "fuzzy", 100.0)
        return Match(text, None, None, round(top, 1), candidates, "unmatched")

    def _typed_marks(self, words: list[str]) -> frozenset[str]:
        """The distinguishing words typed, reading a word no alias has that is one edit from
        exactly one of them ("Soutth", "Nrth", not "Est") as that one."""
        marks: set[str] = set()
        for word in words:
            near = (
                {word} if word in self._words else {m for m in _MARKS if OSA.distance(word, m) < 2}
            )
            if len(near) == 1:
                marks |= near & _MARKS
        return frozenset(marks)

    def _nearest(self, norm: str) -> set[str]:
        """The codes of the aliases fewest edits from `norm` (OSA: a transposition is one
        edit), comparing the words as typed and sorted."""
        key = " ".join(sorted(norm.split()))
        dist: dict[str, int] = {}
        for query, choices in ((norm, self._aliases), (key, self._sorted)):
            for _, d, i in process.extract(query, choices, scorer=OSA.distance, limit=None):
                dist[self._aliases[i]] = min(dist.get(self._aliases[i], d), d)
        least = min(dist.values())
        return {c for a, d in dist.items() if d == least for c in self.alias_codes[a]}

    def match_many(self, values: Iterable[str]) -> pd.DataFrame:
        """Match each value: value, la_code, method, score, problem, candidates (as text)."""
        rows = []
        for m in map(self.match, values):
            shown = "; ".join(f"{c} {n} ({s:g})" for c, n, s in m.candidates)
            rows.append((m.value, m.la_code, m.method, m.score, m.problem, shown))
        return pd.DataFrame(
            rows, columns=["value", "la_code", "method", "score", "problem", "candidates"]
        )
