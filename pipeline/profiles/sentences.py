"""The pages' computed sentences: each is chosen by the data it describes.

Where an estimate sits against what the authority reported and what the model expects, and
why; whether a round's answers were given under a former code, and inherited; in which round
an authority gave no information; how many items a number of items is. Numbers are formatted
as the templates' filters format them (`pipeline.numbers`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from pipeline.findings import listing
from pipeline.numbers import count, number, rounded, tenths

Record = dict[str, Any]

PLACES = {"between": "between the two", "above": "above both", "below": "below both"}
COMBINED = "as official statistics do when they publish rates for the smallest authorities"


def items(n: float) -> str:
    """A number of items, whole or to a tenth, with its noun: '1 item', '1.5 items'."""
    return f"{tenths(n)} {'item' if n == 1 else 'items'}"


def position(reported: float, expected: float, estimate: float) -> str:
    """Where the estimate sits as printed (reported whole, the others to a tenth): 'between'
    the other two (either end included), 'above' or 'below' both."""
    low, high = sorted((rounded(reported), rounded(expected, 1)))
    shown = rounded(estimate, 1)
    return "between" if low <= shown <= high else "above" if shown > high else "below"


def _why(where: str, allowance: str | None) -> str:
    """Why the estimate sits `where` it does (`position`); `allowance` says what it allows
    for in a partial answer ('allows for the 5 items it left blank'), None for a full one."""
    if where == "between" and allowance is None:
        return (
            "The estimate is shrunk from what it reported towards that expectation, the more so "
            "the less its answer alone can tell us."
        )
    if where == "between":
        return (
            f"The estimate {allowance} and is shrunk towards that expectation, which leaves it "
            "between the two."
        )
    if where == "above" and allowance:
        return (
            f"The estimate {allowance}, so it is above both: the model scales a partial answer "
            "up to a full one before shrinking it towards that expectation."
        )
    allowing = f", {allowance.replace('allows', 'allowing', 1)}," if allowance else ""
    return (
        f"The estimate weighs what it reported against that expectation{allowing} and averages "
        f"over the uncertainty of the model itself, which puts it {PLACES[where]}."
    )


def estimate_comparison(model: Record, blank: int, partner: str | None = None) -> str:
    """What an authority reported, what the model expects of it, and why its estimate sits
    where it does among them.

    `model` is its row of authority_estimates (status, observed_items, expected_items,
    estimate); `blank` the items its answer left not held or not stated; `partner` names the
    authority it is modelled together with, if any.
    """
    reported = f"It reported {count(model['observed_items'])}"
    allowance, expected = None, f"is expected to offer {number(model['expected_items'], 1)}"
    if model["status"] == "partial":
        left = f" and leaving {count(blank)} blank (not held or not stated)" if blank else ""
        reported = f"It gave a partial answer, reporting {count(model['observed_items'])} offered"
        reported += left
        allowance = (
            f"allows for the {count(blank, 'item')} it left blank"
            if blank
            else "allows for its partial answer"
        )
        expected += " in a full answer"
    if partner:
        first = (
            f"{reported}. The model takes it together with {partner}, {COMBINED}: an "
            f"authority with the covariates of the two combined {expected}."
        )
    else:
        first = f"{reported}; an authority with its covariates {expected}."
    where = position(model["observed_items"], model["expected_items"], model["estimate"])
    return f"{first} {_why(where, allowance)}"


def _tally(places: pd.Series) -> str:
    """How many estimates sit where (`position`) against what the authorities reported and
    what is expected: 'each lies between what the authority reported and that expectation',
    '16 lie between what the authority reported and that expectation and 14 above both'."""
    counts = places.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    (where, n), *rest = counts.items()
    who, verb = ("each", "lies") if not rest else (count(n), "lies" if n == 1 else "lie")
    what = "what the authority reported and that expectation"
    place = f"between {what}" if where == "between" else f"{where} both {what}"
    return listing([f"{who} {verb} {place}", *(f"{m} {PLACES[w]}" for w, m in rest)])


def estimates_overview(estimates: pd.DataFrame, partners: Mapping[str, str]) -> str:
    """How the estimates sit against what authorities reported and what is expected, counted
    over every estimated authority, full and partial answers apart; and which authorities
    are modelled together (`partners`: name -> the name of the authority it is modelled with).
    """
    places = pd.Series(
        [
            position(*row)
            for row in estimates[["observed_items", "expected_items", "estimate"]].to_numpy()
        ],
        index=estimates.index,
        dtype=object,
    )
    partial = estimates["status"] == "partial"
    text = [
        "It is shrunk towards what an authority with its covariates is expected to offer, the "
        "more so the less the authority's own answer can tell us."
    ]
    if (~partial).any():
        text.append(
            f"Of the estimates of the {count(int((~partial).sum()), 'authority', 'authorities')}"
            f" that answered in full, {_tally(places[~partial])}."
        )
    if partial.any():
        text.append(
            f"Of the estimates of the {count(int(partial.sum()))} that gave a partial answer, "
            f"which allow for the items a partial answer leaves blank, {_tally(places[partial])}."
        )
    else:
        text.append("No estimated authority gave a partial answer.")
    if partners:
        pairs = listing([f"{small} together with {big}" for small, big in partners.items()])
        text.append(
            f"The model takes {pairs}, {COMBINED}, so "
            f"{'the expectation of each' if len(partners) > 1 else 'its expectation'} is that "
            "of the two combined."
        )
    return " ".join(text)


def _rounds(names: Sequence[str]) -> tuple[str, bool]:
    """'the 2021 FOI round', or 'the 2021 and 2024 FOI rounds'; and whether more than one."""
    many = len(names) > 1
    return f"the {listing(list(names))} FOI round{'s' if many else ''}", many


def former_answers(name: str, code: str, old: Record, rows: Sequence[Record]) -> str:
    """What authority `name` (`code`)'s FOI rounds hold of a former code (`old`: its code and
    name), from its foi_common records `rows`: which rounds were sent under that code, and
    whether their results are inherited (a split) or carried over as they were."""
    under = [r for r in rows if r["source_la_code"] == old["code"]]
    if not under and all(r["source_la_code"] == code for r in rows):
        return (
            f"Every FOI round ({listing([r['round'] for r in rows])}) was sent to {name} under "
            f"its own code, {code}, so nothing of {old['name']} ({old['code']}) is carried over."
        )
    if not under:
        return f"No FOI round was sent under {old['name']}'s code, {old['code']}."
    when, many = _rounds([r["round"] for r in under])
    inherited = [r for r in under if r["inherited"]]
    if not inherited:
        return (
            f"The result{'s' if many else ''} of {when}, sent under the old code, {old['code']}, "
            f"carr{'y' if many else 'ies'} over as {'they were' if many else 'it was'}."
        )
    counted = any(
        r[k] is not None for r in inherited for k in ("adults_in_treatment", "women_in_treatment")
    )
    shown = (
        "its status, answers and counts of people are shown here, inherited"
        if counted
        else "its status and answers are shown here, inherited, but not its counts of people, "
        "which cannot be split"
    )
    sent = "were" if many else "was"
    return f"{when[0].upper()}{when[1:]} {sent} sent to {old['name']} for its whole area: {shown}."


def former_note(old: Record, common: pd.DataFrame) -> str:
    """What the FOI data hold of a former code (`old`: code, name, successors), from
    foi_common (`common`): the rounds sent under it, and how their results are shown."""
    under = common[common["source_la_code"] == old["code"]]
    many = len(old["successors"]) > 1
    if under.empty:
        codes = [s["code"] for s in old["successors"]]
        rows = common[common["la_code"].isin(codes)]
        if not (rows["source_la_code"] == rows["la_code"]).all():
            return f"No FOI round was sent under {old['code']}."
        return (
            f"No FOI round was sent under {old['code']}: every round "
            f"({listing(sorted(common['round'].unique()))}) went to "
            f"{listing([s['name'] for s in old['successors']])} under "
            f"{'their own codes' if many else 'its own code'}."
        )
    when, several = _rounds(sorted(under["round"].unique()))
    how = "inherited" if under["inherited"].any() else "as they were" if several else "as it was"
    return (
        f"The result{'s' if several else ''} of {when} under {old['code']} "
        f"appear{'' if several else 's'} on {'each of these pages' if many else 'that page'}, "
        f"{how}."
    )


def replaced_codes(notes: Sequence[Record]) -> str:
    """The index's heading of the former codes, by the geographies that replaced them."""
    years = sorted({note["replaced_year"] for note in notes})
    return (
        f"Codes replaced by the {listing([str(y) for y in years])} "
        f"geograph{'ies' if len(years) > 1 else 'y'}, each with a note pointing to the "
        "authorities that now cover its area."
    )


def not_comparable(name: str, gaps: Sequence[tuple[str, str]]) -> str:
    """Why two rounds cannot be compared: the round(s) `name` gave no information in, each
    with why (`records.no_answer`)."""
    reasons = {why for _, why in gaps}
    if len(gaps) > 1 and len(reasons) == 1:
        return f"Not comparable: {name} {gaps[0][1]} in either round."
    return f"Not comparable: {name} {listing([f'{why} in {r}' for r, why in gaps])}."
