"""One FOI round's rows: who responds and what they provide (pipeline.synth.provision), their
treatment counts, how each response was typed, the truth behind it, and the mess planted in
the round (an authority typed by its old code, a superseded submission).

The truth (what the cleaner must output) is built from what was written, never by running
the cleaner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import geography, layout
from pipeline.foi import ADULTS, CODE, ITEM_HEADERS, LA, RESPONDED, SENT, STATUS, TEXT, WOMEN
from pipeline.synth import provision
from pipeline.synth.foi_forms import (
    STATUS_FORMS,
    count_cells,
    date_text,
    items_cells,
    name_cells,
    pick,
)
from pipeline.taxonomy import ANSWERED_STATUSES, ITEM_IDS


@dataclass(frozen=True)
class SynthRound:
    """One synthetic round (params.yaml foi.rounds must agree: a test checks it)."""

    name: str
    geography_year: int
    request_sent: date
    suffix: str


ROUNDS = (
    SynthRound("2021", 2021, date(2021, 6, 1), ".csv"),
    SynthRound("2024", 2023, date(2024, 5, 1), ".xlsx"),
)
NDTMS_PERIOD = "2021/22"
WOMEN_SHARE, WOMEN_RHO = 0.325, 0.004  # beta-binomial mean and intra-LA correlation
ADULTS_SHAPE = 20.0  # gamma-Poisson shape of adults in treatment around the expectation
NON_RESPONSE_SPLIT = {
    "not_held": 0.25,
    "refused_cost": 0.2,
    "refused_other": 0.15,
    "clarification": 0.1,
    "no_response": 0.3,
}
PARTIAL_SHARE = 0.2
MATCH_THRESHOLD = 90  # the fuzzy score at which a typo still matches its authority


@dataclass(frozen=True)
class _Round:
    """What typing one round's responses needs: the round and its geography."""

    spec: SynthRound
    authorities: pd.DataFrame  # indexed by la_code
    matcher: geography.Matcher
    aliases: dict[str, list[str]]

    @property
    def excel(self) -> bool:
        return self.spec.suffix == ".xlsx"


def ndtms_adults(reference_dir: Path) -> float:
    """England adults in treatment in NDTMS_PERIOD (data/reference/ndtms_england.csv)."""
    table = pd.read_csv(reference_dir / "ndtms_england.csv")
    row = table[(table["financial_year"] == NDTMS_PERIOD) & (table["sex"] == "total")]
    return float(row["adults_in_treatment"].iloc[0])


def frailties(reference_dir: Path, rng: np.random.Generator) -> dict[int, pd.Series]:
    """One frailty per authority, kept by its successors (a split's parts share it)."""
    years = [s.geography_year for s in ROUNDS]
    first = provision.draw_frailty(
        geography.authorities(reference_dir, years[0])["la_code"], provision.TRUTH, rng
    )
    out = {years[0]: first}
    for year in years[1:]:
        pairs = geography.successor_map(reference_dir, years[0], year)
        out[year] = (
            first.reindex(pairs["from_code"])
            .set_axis(pairs["to_code"])
            .groupby(level=0)
            .mean()
            .rename_axis("la_code")
        )
    return out


def _adults_expected(design: pd.DataFrame, covariates: pd.DataFrame, total: float) -> np.ndarray:
    """Expected adults in treatment: population share tilted by deprivation, summing to total."""
    pop = design[["la_code"]].merge(covariates, on="la_code", how="left")["pop_female_18plus"]
    weight = pop.to_numpy(float) * np.exp(0.25 * design["imd_z"].to_numpy(float))
    return total * weight / weight.sum()


def _in_treatment(
    rng: np.random.Generator, design: pd.DataFrame, reference_dir: Path, year: int, total: float
) -> tuple[np.ndarray, np.ndarray]:
    """Adults (gamma-Poisson around the expectation) and women (beta-binomial) in treatment."""
    expected = _adults_expected(design, geography.covariates(reference_dir, year), total)
    adults = rng.poisson(rng.gamma(ADULTS_SHAPE, expected / ADULTS_SHAPE))
    a, b = (WOMEN_SHARE * (1 / WOMEN_RHO - 1), (1 - WOMEN_SHARE) * (1 / WOMEN_RHO - 1))
    women = rng.binomial(adults, rng.beta(a, b, size=len(adults)))
    return adults, women


def _unambiguous_aliases(reference_dir: Path, year: int) -> dict[str, list[str]]:
    """Variants and short forms of each authority's name that point at it alone."""
    table = geography.aliases(reference_dir)
    table = table[
        (table["geography_year"] == year)
        & ~table["ambiguous"]
        & table["kind"].isin(["variant", "short_form"])
    ]
    return {code: sorted(part["alias"]) for code, part in table.groupby("la_code")}


def round_rows(
    rng: np.random.Generator,
    spec: SynthRound,
    round_index: int,
    reference_dir: Path,
    frailty: pd.Series,
    adults_total: float,
) -> tuple[list[dict], list[dict], list[dict]]:
    """Raw rows, truth response rows and truth item rows of one round (in raw order)."""
    year = spec.geography_year
    design = provision.design(reference_dir, year)
    responded = provision.simulate_response(design, provision.TRUTH, rng).to_numpy()
    offered = provision.simulate_items(design, provision.TRUTH, rng, round_index, frailty)
    adults, women = _in_treatment(rng, design, reference_dir, year, adults_total)
    place = _Round(
        spec,
        geography.authorities(reference_dir, year).set_index("la_code"),
        geography.Matcher.from_reference(reference_dir, year, MATCH_THRESHOLD),
        _unambiguous_aliases(reference_dir, year),
    )
    raw_rows, truth_rows, truth_items = [], [], []
    for k, code in enumerate(design["la_code"]):
        raw, truth, items = _response(
            rng, place, code, responded[k], offered.iloc[k], int(adults[k]), int(women[k])
        )
        raw_rows.append(raw)
        truth_rows.append(truth)
        truth_items += items
    return raw_rows, truth_rows, truth_items


def _response(
    rng: np.random.Generator,
    place: _Round,
    code: str,
    responded: bool,
    offered: pd.Series,
    adults: int,
    women: int,
) -> tuple[dict, dict, list[dict]]:
    """One authority's raw row (header -> cell), truth row and truth item rows."""
    official = place.authorities.at[code, "la_name"]
    if responded:
        status = "partial" if rng.random() < PARTIAL_SHARE else "full"
    else:
        status = rng.choice(list(NON_RESPONSE_SPLIT), p=list(NON_RESPONSE_SPLIT.values()))
    status_raw = pick(rng, STATUS_FORMS[status])
    name, code_typed, method = name_cells(
        rng, code, official, place.aliases.get(code, []), place.matcher
    )
    sent = place.spec.request_sent + timedelta(days=int(rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2])))
    answered = status != "no_response"
    got = sent + timedelta(days=2 + int(rng.gamma(4.0, 6.0))) if answered else None
    raw_items, cls, text, mention = items_cells(rng, offered, status)
    counts = count_cells(rng, status, adults, women, place.excel)
    raw = {
        LA: name,
        CODE: code_typed,
        SENT: date_text(rng, sent, place.excel),
        RESPONDED: date_text(rng, got, place.excel) if got else "",
        STATUS: status_raw,
        **{ITEM_HEADERS[i]: raw_items[i] for i in ITEM_IDS},
        TEXT: text,
        ADULTS: counts["adults"][0],
        WOMEN: counts["women"][0],
    }
    answers = {i: "yes" if (cls[i] == "unknown" and i in mention) else cls[i] for i in ITEM_IDS}
    truth = _truth_row(place, code, status, status_raw, method, sent, got, answers, counts)
    return raw, truth, _truth_items(place.spec.name, code, answers, raw_items, cls, mention)


def _truth_row(
    place: _Round,
    code: str,
    status: str,
    status_raw: str,
    method: str,
    sent: date,
    got: date | None,
    answers: dict[str, str],
    counts: dict[str, tuple],
) -> dict:
    """The response row the cleaner must output (its source_row is set once laid out)."""
    is_resp = status in ANSWERED_STATUSES
    return {
        "round": place.spec.name,
        "geography_year": place.spec.geography_year,
        "la_code": code,
        "la_name": place.authorities.at[code, "la_name"],
        "region_code": place.authorities.at[code, "region_code"],
        "region_name": place.authorities.at[code, "region_name"],
        "status": status,
        "status_raw": status_raw,
        "responded": is_resp,
        "date_sent": sent,
        "date_responded": got,
        "days_to_answer": (got - sent).days if got else None,
        **answers,
        "n_items": sum(v == "yes" for v in answers.values()) if is_resp else None,
        **{
            f"{who}_{part}": counts[who][j]
            for who in ("adults", "women")
            for part, j in (("in_treatment", 1), ("flag", 2), ("bound", 3))
        },
        "match_method": method,
        "source_file": f"{layout.FOI}/{place.spec.name}{place.spec.suffix}",
        "source_row": None,
    }


def _truth_items(
    round_name: str,
    code: str,
    answers: dict[str, str],
    raw_items: dict[str, str],
    cls: dict[str, str],
    mention: set[str],
) -> list[dict]:
    """The item rows the cleaner must output for one authority."""
    return [
        {
            "round": round_name,
            "la_code": code,
            "item": i,
            "answer": answers[i],
            "answer_raw": raw_items[i],
            "mentioned": i in mention,
            "coded_from_text": cls[i] == "unknown" and i in mention,
            "disagreement": i in mention and answers[i] in ("no", "not_held"),
            "overridden": False,
        }
        for i in ITEM_IDS
    ]


def plant_old_code(
    rng: np.random.Generator,
    reference_dir: Path,
    from_year: int,
    to_year: int,
    raw_rows: list[dict],
    truth_rows: list[dict],
) -> None:
    """Type one authority by its code of the earlier geography (a pure recode)."""
    pairs = geography.successor_map(reference_dir, from_year, to_year)
    recodes = pairs[
        (pairs["relationship"] == "recode") & ~pairs["from_code"].duplicated(keep=False)
    ]
    old, new = recodes.iloc[rng.integers(len(recodes))][["from_code", "to_code"]]
    k = next(i for i, t in enumerate(truth_rows) if t["la_code"] == new)
    raw_rows[k][CODE] = old
    truth_rows[k]["match_method"] = "code_successor"


def plant_duplicate(
    rng: np.random.Generator, spec: SynthRound, raw_rows: list[dict], truth_rows: list[dict]
) -> tuple[int, dict]:
    """An earlier, different submission from one responding authority: (position, raw row).

    The later (kept) submission moves to the end of the file, as when a tracker is updated.
    """
    later = [
        i
        for i, t in enumerate(truth_rows)
        if t["status"] == "full"
        and t["days_to_answer"] >= 6
        and t["date_sent"] == spec.request_sent
    ]
    k = later[rng.integers(len(later))]
    earlier = dict(raw_rows[k])
    got = truth_rows[k]["date_responded"] - timedelta(days=int(rng.integers(1, 5)))
    earlier[RESPONDED] = got.strftime("%d/%m/%Y")
    earlier[STATUS] = "Partial"
    for item in ITEM_IDS[::2]:
        earlier[ITEM_HEADERS[item]] = ""
    earlier[TEXT] = ""
    return k, earlier
