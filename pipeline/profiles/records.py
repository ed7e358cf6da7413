"""What each authority page says, as plain values: the templates only format and place them.

One record per authority of the latest geography (`build_profiles`), one note per code that
the latest geography replaced (`predecessor_notes`) and one row per authority for the index
(`index_rows`). Numbers stay numbers here (None where there is none); the templates format
them with the section's `num`, `pct` and `long_date` filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from pipeline import funnel
from pipeline.profiles import sentences
from pipeline.profiles.areas import SurveyByArea
from pipeline.profiles.inputs import ProfileInputs
from pipeline.taxonomy import ANSWERED_STATUSES, ITEM_IDS, ITEM_LABELS, STATUS_LABELS

Record = dict[str, Any]

ANSWER_LABELS = {"yes": "Yes", "no": "No", "not_held": "Not held", "unknown": "Not stated"}
NO_INFORMATION = "No information"  # every item of a round the authority did not answer
BLANK = ("not_held", "unknown")  # answers a partial answer leaves blank (not held, not stated)
LA_TYPES = {
    "unitary": "Unitary authority",
    "metropolitan_district": "Metropolitan district",
    "london_borough": "London borough",
    "county": "County council",
}


def _value(x: Any) -> Any:
    """A plain Python value, None for any missing value."""
    if x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and np.isnan(x)):
        return None
    return x.item() if isinstance(x, np.generic) else x


def _grouped(frame: pd.DataFrame, key: str = "la_code") -> dict[str, list[Record]]:
    """The rows of `frame` as plain records, grouped by `key`, in the frame's order."""
    groups: dict[str, list[Record]] = {}
    for row in frame.to_dict("records"):
        groups.setdefault(row[key], []).append({k: _value(v) for k, v in row.items()})
    return groups


def _day(value: Any) -> dt.date | None:
    """A timestamp as a date (None if missing), for the section's `long_date` filter."""
    return None if _value(value) is None else pd.Timestamp(value).date()


def _names(inputs: ProfileInputs) -> dict[str, str]:
    """Every code the pages mention, latest and former, with its name."""
    former = dict(zip(inputs.changes["from_code"], inputs.changes["from_name"], strict=True))
    latest = zip(inputs.authorities["la_code"], inputs.authorities["la_name"], strict=True)
    return former | dict(latest)


def foi_rounds(rows: list[Record], names: dict[str, str]) -> list[Record]:
    """One authority's FOI response in each round (its foi_common records, in round order)."""
    return [
        {
            "round": row["round"],
            "status": STATUS_LABELS[row["status"]],
            "responded": row["responded"],
            "sent": _day(row["date_sent"]),
            "answered": _day(row["date_responded"]),
            "working_days": row["working_days"],
            "on_time": row["on_time"],
            "n_items": row["n_items"],
            "source_code": row["source_la_code"],
            "source_name": names[row["source_la_code"]],
            "inherited": row["inherited"],
        }
        for row in rows
    ]


def item_answers(rows: list[Record]) -> list[Record]:
    """Each provision item with the authority's coded answer in each round it responded."""
    return [
        {
            "label": ITEM_LABELS[item],
            "answers": [ANSWER_LABELS[r[item]] if r["responded"] else NO_INFORMATION for r in rows],
        }
        for item in ITEM_IDS
    ]


def round_change(rows: list[Record], pair: tuple[str, str]) -> Record:
    """Change between the last two rounds on the latest geography, as `pipeline.change` pairs.

    The difference in items is given when the authority answered both rounds, and otherwise
    which round it gave no information in; an item counts as added (no to yes) or dropped
    (yes to no) only when answered yes or no in both, and other changed answers (to or from
    not held or not stated) are only counted.
    """
    first, second = (next(r for r in rows if r["round"] == name) for name in pair)
    both = first["responded"] and second["responded"]
    gaps = [(r["round"], no_answer(r["status"])) for r in (first, second) if not r["responded"]]
    added, dropped, unclear = [], [], 0
    for item in ITEM_IDS if both else ():
        answers = (first[item], second[item])
        if answers == ("no", "yes"):
            added.append(ITEM_LABELS[item])
        elif answers == ("yes", "no"):
            dropped.append(ITEM_LABELS[item])
        elif answers[0] != answers[1]:
            unclear += 1
    return {
        "pair": pair,
        "both": both,
        "before": first["n_items"],
        "after": second["n_items"],
        "difference": second["n_items"] - first["n_items"] if both else None,
        "added": added,
        "dropped": dropped,
        "unclear": unclear,
        "inherited": first["inherited"] or second["inherited"],
        "not_comparable": sentences.not_comparable(first["la_name"], gaps) if gaps else None,
    }


def no_answer(status: str) -> str | None:
    """Why an authority gave no information in a round, by its status: "did not respond" only
    when it did not respond, "did not provide information" when it answered without any
    (information not held, refused, clarification sought); None when it gave information."""
    if status in ANSWERED_STATUSES:
        return None
    return "did not respond" if status == "no_response" else "did not provide information"


def rank_scale(estimates: pd.DataFrame) -> Record:
    """How many authorities are ranked, and whether rank 1 is the highest estimate."""
    if estimates.empty:
        return {"n": 0, "top": "highest"}
    ranked = estimates.sort_values("rank")
    top = ranked["estimate"].iloc[0] >= ranked["estimate"].iloc[-1]
    return {"n": len(estimates), "top": "highest" if top else "lowest"}


def funnel_position(latest: Record, inputs: ProfileInputs, outside: list[Record]) -> Record:
    """Where the authority sits in the published funnel of women's share of adults in treatment.

    `latest` is its latest-round record of foi_common (only its response and count flags are
    read) and `outside` its rows of the funnel outliers. A point is shown as published
    (rounded n, share); an authority with usable counts but no published point was withheld
    by the disclosure rule ([c]).
    """
    point = inputs.funnel[inputs.funnel["la_code"] == latest["la_code"]]
    if len(point):
        state = "shown"
    elif not latest["responded"]:
        state = "no_information"
    else:
        usable = {latest["adults_flag"], latest["women_flag"]} <= set(funnel.USABLE_FLAGS)
        state = "withheld" if usable else "not_reported"
    limits = []
    if state == "shown":  # `outside` holds adjusted limits only (funnel.outliers)
        level = max(r["level"] for r in outside) if outside else min(funnel.LEVELS)
        limits.append(
            {
                "label": "Limits allowing for overdispersion",
                "side": outside[0]["side"] if outside else "inside",
                "level": level,
                "digits": 0 if round(100 * level, 6).is_integer() else 1,
            }
        )
    return {
        "round": inputs.latest_round,
        "state": state,
        "n": int(point["n"].iloc[0]) if len(point) else None,
        "share": float(point["share"].iloc[0]) if len(point) else None,
        "target": inputs.funnel_target,
        "limits": limits,
    }


def _survey(served: list[Record], answers: list[Record]) -> list[Record]:
    """Organisations serving the area in each wave, and their answers where published."""
    return [
        {
            "wave": row["wave"],
            "organisations": row["organisations"],
            "suppressed": row["organisations_suppressed"],
            "answers": [
                {
                    "label": a["label"],
                    "count": a["count"],
                    "answered": a["answered"],
                    "share": a["share"],
                    "suppressed": a["count_suppressed"] or a["answered_suppressed"],
                }
                for a in answers
                if a["wave"] == row["wave"]
            ],
        }
        for row in served
    ]


def index_rows(inputs: ProfileInputs) -> list[Record]:
    """One row per authority (by code): name, region, latest items and model estimate."""
    latest = inputs.common[inputs.common["round"] == inputs.latest_round]
    frame = (
        inputs.authorities[["la_code", "la_name", "region_name"]]
        .merge(latest[["la_code", "responded", "n_items"]], on="la_code", validate="1:1")
        .merge(
            inputs.estimates[["la_code", "estimate", "conf_low", "conf_high"]],
            on="la_code",
            how="left",
        )
        .rename(columns={"la_code": "code", "la_name": "name", "region_name": "region"})
    )
    return [{k: _value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _former(inputs: ProfileInputs, names: dict[str, str]) -> dict[str, Record]:
    """Each code the latest geography replaced: name, how, the last geography with it and the
    first without it, successors, and what the FOI data hold of its answers."""
    notes = {}
    for code, rows in inputs.changes.groupby("from_code", sort=True):
        note = {
            "code": code,
            "name": names[code],
            "relationship": rows["relationship"].iloc[0],
            "last_year": int(rows["from_year"].max()),
            "replaced_year": int(rows["replaced_year"].iloc[0]),
            "successors": [{"code": c, "name": names[c]} for c in sorted(set(rows["to_code"]))],
        }
        notes[code] = note | {"answers": sentences.former_note(note, inputs.common)}
    return notes


def predecessor_notes(inputs: ProfileInputs) -> list[Record]:
    """One note per code the latest geography replaced (a split's or a recode's old code)."""
    return list(_former(inputs, _names(inputs)).values())


def _neighbours(rows: list[Record], summary: dict[str, Record]) -> tuple[list[Record], Record]:
    """An authority's statistical neighbours with their items and estimates, and a summary
    whose median items is printed as the section prints medians (`sentences.items`)."""
    similar = [summary[r["neighbour"]] | {"distance": r["distance"]} for r in rows]
    items = [r["n_items"] for r in similar if r["responded"]]
    return similar, {
        "n": len(similar),
        "responded": len(items),
        "median_items": sentences.items(float(np.median(items))) if items else None,
    }


def _model(
    code: str, latest: Record, inputs: ProfileInputs, estimates: dict, names: dict
) -> Record | None:
    """An authority's row of the estimates (None if it is not estimated) with the sentence
    comparing its estimate with what it reported (`latest`: its latest-round record) and what
    is expected of it."""
    model = estimates.get(code, [None])[0]
    if model is None:
        return None
    blank = sum(latest[item] in BLANK for item in ITEM_IDS)
    partner = names.get(inputs.combined.get(code))
    return model | {"comparison": sentences.estimate_comparison(model, blank, partner)}


def _predecessors(code: str, rows: list[Record], former: list[Record]) -> list[Record]:
    """The former codes an authority's area had, each with what its FOI rounds hold of it."""
    name = rows[0]["la_name"]
    return [old | {"answers": sentences.former_answers(name, code, old, rows)} for old in former]


def build_profiles(
    inputs: ProfileInputs, neighbours: pd.DataFrame, survey: SurveyByArea
) -> list[Record]:
    """Every authority's page content, in order of GSS code.

    Parameters
    ----------
    inputs : the pages' inputs (`load_inputs`).
    neighbours : `statistical_neighbours` of the same authorities.
    survey : `survey_by_area`, already protected.
    """
    names, summary = _names(inputs), {row["code"]: row for row in index_rows(inputs)}
    estimates = _grouped(inputs.estimates.drop(columns=["la_name", "region_name"]))
    former, rounds = _former(inputs, names), _grouped(inputs.common)
    similar, outside = _grouped(neighbours), _grouped(inputs.outliers)
    served, answers = _grouped(survey.served), _grouped(survey.answers)
    replaced = _grouped(inputs.changes, "to_code")
    pair = inputs.rounds[-2:] if len(inputs.rounds) > 1 else None
    profiles = []
    for code, la_type in zip(
        inputs.authorities["la_code"], inputs.authorities["la_type"], strict=True
    ):
        rows = rounds[code]
        nearest, nearest_summary = _neighbours(similar[code], summary)
        profiles.append(
            summary[code]
            | {
                "la_type": LA_TYPES[la_type],
                "predecessors": _predecessors(
                    code,
                    rows,
                    [former[c] for c in sorted({r["from_code"] for r in replaced.get(code, [])})],
                ),
                "rounds": foi_rounds(rows, names),
                "items_by_round": item_answers(rows),
                "change": round_change(rows, pair) if pair else None,
                "no_answer": no_answer(rows[-1]["status"]),
                "model": _model(code, rows[-1], inputs, estimates, names),
                "funnel": funnel_position(rows[-1], inputs, outside.get(code, [])),
                "neighbours": nearest,
                "neighbour_summary": nearest_summary,
                "survey": _survey(served[code], answers.get(code, [])),
            }
        )
    return profiles
