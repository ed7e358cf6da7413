"""Decoding one wave's answers to codes, and keeping each organisation's latest submission.

Bad cells (a Likert number out of range, a submitted time not in the codebook's format) are
collected across every column and row of the export, for `cell_lines` to list, each naming the
file, row and column. Organisation ids leave this module only as pseudonyms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pipeline import privacy
from pipeline.accounting import exclusions
from pipeline.errors import InputError
from pipeline.readers import DATE_CELL_FORMAT, ROW, RawTable
from pipeline.survey.codebook import (
    ANSWER_TYPES,
    Codebook,
    Variable,
    entries_of,
    headers_of,
    is_ticked,
)
from pipeline.survey.hints import quote
from pipeline.survey.read import is_int, source_file, tokens


@dataclass(frozen=True)
class CellProblem:
    """A bad cell: its spreadsheet row, its column and what is wrong."""

    row: int
    column: str
    message: str


def cell_lines(wave: str, raw: RawTable, problems: list[CellProblem]) -> list[str]:
    """One line per bad cell of an export, by row, then column."""
    position = {c: i for i, c in enumerate(raw.data.columns)}
    problems = sorted(problems, key=lambda p: (p.row, position.get(p.column, -1)))
    return [
        f"- wave {wave}, {raw.path.name}, row {p.row}, column {quote(p.column)}: {p.message}"
        for p in problems
    ]


def _long(
    rows: pd.Series, question: str, option: str, value: pd.Series, status: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            ROW: rows.to_numpy(),
            "question": question,
            "option": option,
            "value": value.to_numpy(),
            "status": status.to_numpy(),
        }
    )


def _answered(value: pd.Series) -> pd.Series:
    return value.ne("").map({True: "answered", False: "missing"})


def _decode_single(data: pd.DataFrame, spec: Variable, entry: dict) -> list[pd.DataFrame]:
    labels = {str(k): str(v) for k, v in entry["labels"].items()}
    value = data[str(entry["header"])].map(lambda c: labels.get(c, ""))
    return [_long(data[ROW], spec.name, "", value, _answered(value))]


def _per_value(cells: pd.Series, read: Callable[[str], bool]) -> pd.Series:
    """`read` of each cell, reading each different cell once."""
    return cells.map({c: read(c) for c in cells.unique()})


def _decode_multi(data: pd.DataFrame, spec: Variable, entry: dict) -> list[pd.DataFrame]:
    labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
    if "headers" in entry:  # one column per option; a value neither tick nor no tick is
        ticked = {  # reported by `read.mapping_problems`
            o: _per_value(data[h], lambda c, h=h, o=o: is_ticked(c, h, o, labels) is True)
            for h, o in headers_of(entry).items()
        }
    else:
        cells, delimiter = data[str(entry["header"])], entry.get("delimiter", ";")
        ticked = {
            o: _per_value(cells, lambda c, o=o: o in {labels.get(t) for t in tokens(c, delimiter)})
            for o in set(labels.values())
        }
    asked = pd.concat(ticked.values(), axis=1).any(axis=1) if ticked else None
    frames = []
    for option in spec.codes:
        if option not in ticked:
            frames.append(_not_asked(data[ROW], spec.name, option))
            continue
        value = ticked[option].map({True: "1", False: "0"}).where(asked, "")
        frames.append(_long(data[ROW], spec.name, option, value, _answered(value)))
    return frames


def _likert_code(
    header: str, labels: dict[str, str], levels: int, row: int, cell: str, problems: list
) -> str:
    """A Likert cell's code; "" and a problem if it is a number out of range ("" for a label
    the codebook lacks: `read.mapping_problems` reports it)."""
    if cell in labels or not is_int(cell):
        return labels.get(cell, "")
    number = int(float(cell))
    if not 1 <= number <= levels:
        problems.append(
            CellProblem(row, header, f"Likert value {cell!r} is out of range 1-{levels}")
        )
        return ""
    return str(number)


def _decode_likert(
    data: pd.DataFrame, spec: Variable, entry: dict, problems: list[CellProblem]
) -> list[pd.DataFrame]:
    labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
    by_option = {o: h for h, o in headers_of(entry).items()}
    frames = []
    for option in spec.codes:
        header = by_option.get(option)
        if header is None:
            frames.append(_not_asked(data[ROW], spec.name, option))
            continue
        value = pd.Series(
            [
                _likert_code(header, labels, len(spec.levels), r, c, problems)
                for r, c in zip(data[ROW], data[header], strict=True)
            ],
            index=data.index,
            dtype="str",
        )
        frames.append(_long(data[ROW], spec.name, option, value, _answered(value)))
    return frames


def _not_asked(rows: pd.Series, question: str, option: str) -> pd.DataFrame:
    return _long(
        rows,
        question,
        option,
        pd.Series("", index=rows.index, dtype="str"),
        pd.Series("not_asked", index=rows.index, dtype="str"),
    )


def decode_answers(
    raw: RawTable, wave: str, codebook: Codebook
) -> tuple[pd.DataFrame, list[CellProblem]]:
    """Tidy answers [source_row, question, option, value, status] to every coded question,
    and every bad cell found.

    Questions and options the wave did not ask are `not_asked`; blank answers are `missing`.
    """
    block, frames, problems = codebook.waves[wave], [], []
    for spec in codebook.variables.values():
        if spec.type not in ANSWER_TYPES:
            continue
        entry = block.get(spec.name)
        if entry is None:
            options = spec.codes if spec.type != "single" else ("",)
            frames += [_not_asked(raw.data[ROW], spec.name, o) for o in options]
        elif spec.type == "single":
            frames += _decode_single(raw.data, spec, entry)
        elif spec.type == "multi":
            frames += _decode_multi(raw.data, spec, entry)
        else:
            frames += _decode_likert(raw.data, spec, entry, problems)
    return pd.concat(frames, ignore_index=True), problems


def submitted_times(
    raw: RawTable, wave: str, codebook: Codebook
) -> tuple[pd.Series, list[CellProblem]]:
    """Each row's submitted time (NaT if the wave has none), and each time not in the format
    (in an Excel export a date cell is read whatever format it is shown in)."""
    data = raw.data
    entry = next(iter(entries_of(codebook.waves[wave], codebook, "timestamp").values()), None)
    if entry is None:
        return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]"), []
    header, fmt = str(entry["header"]), str(entry["format"])
    submitted = pd.to_datetime(data[header], format=fmt, errors="coerce")
    if raw.path.suffix != ".csv":  # a date cell, whatever format the export shows it in
        cell = pd.to_datetime(data[header], format=DATE_CELL_FORMAT, errors="coerce")
        submitted = submitted.fillna(cell)
    bad = data[submitted.isna() & data[header].ne("")]
    problems = [
        CellProblem(
            int(row), header, f"submitted time {cell!r} does not match the codebook format {fmt!r}"
        )
        for row, cell in zip(bad[ROW], bad[header], strict=True)
    ]
    return submitted, problems


# Ids typed when an organisation has none, compared after `_words`: treated as blank.
PLACEHOLDER_IDS = frozenset(
    {"", "na", "n a", "none", "nil", "null", "unknown", "not known", "anonymous", "anon"}
    | {"not applicable", "not given", "tbc", "no id", "prefer not to say"}
)


def _words(text: str) -> str:
    """Text case-folded, with each run of spaces and punctuation made one space."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def normal_id(value: str) -> str:
    """An organisation id as it is pseudonymised: trimmed, inner spaces collapsed, case folded
    (then upper-cased, so that ids such as 'ORG-12' keep their pseudonyms); "" for a
    placeholder ("n/a", "-", "unknown", ...)."""
    if _words(value) in PLACEHOLDER_IDS:
        return ""
    return " ".join(value.split()).casefold().upper()


def latest_submissions(
    raw: RawTable, wave: str, codebook: Codebook, submitted: pd.Series, key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows kept ([source_row, org_id, submitted]) and rows excluded, one submission per org.

    Rule: when an organisation submitted more than once in a wave, the latest submission
    (by `submitted` time, then by row) is kept and the earlier ones are excluded. The org_id
    kept is the pseudonym under `key` of the id normalised (`normal_id`); a row whose id is
    blank or a placeholder is excluded. A reason names rows, never the id.
    """
    data, source = raw.data, source_file(raw)
    id_header = str(codebook.waves[wave]["org_id"]["header"])
    typed = data[id_header]
    try:
        org_id = privacy.pseudonymise(typed.map(normal_id), key)
    except ValueError as exc:
        raise InputError(raw.path, str(exc), column=id_header) from None
    frame = pd.DataFrame({ROW: data[ROW], "org_id": org_id, "submitted": submitted})
    no_id = frame["org_id"] == ""
    blank = no_id & typed.str.strip().eq("")
    ordered = frame[frame["org_id"] != ""].sort_values(["submitted", ROW], na_position="first")
    kept = ordered.drop_duplicates("org_id", keep="last")
    superseded = ordered.drop(kept.index)
    winner = superseded["org_id"].map(kept.set_index("org_id")[ROW])
    reasons = (
        "duplicate organisation ID: superseded by the later submission in row " + winner.astype(str)
    )
    excluded = pd.concat(
        [
            exclusions(source, frame.loc[blank, ROW], "organisation id is blank"),
            exclusions(
                source,
                frame.loc[no_id & ~blank, ROW],
                "organisation id is a placeholder, not an id",
            ),
            exclusions(source, superseded[ROW], reasons),
        ],
        ignore_index=True,
    )
    return kept.sort_values(ROW), excluded
