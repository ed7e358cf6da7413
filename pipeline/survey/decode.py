"""Decoding one wave's answers to codes, and keeping each organisation's latest submission.

Bad cells (a Likert number out of range, a submitted time not in the codebook's format) are
collected across every column and row of the export and reported together by `stop_on`, each
naming the file, row and column. Organisation ids leave this module only as pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline import privacy
from pipeline.accounting import exclusions
from pipeline.errors import InputError
from pipeline.readers import ROW, RawTable
from pipeline.survey.codebook import ANSWER_TYPES, Codebook, Variable, entries_of, headers_of
from pipeline.survey.read import source_file, tokens


@dataclass(frozen=True)
class CellProblem:
    """A bad cell: its spreadsheet row, its column and what is wrong."""

    row: int
    column: str
    message: str


def stop_on(raw: RawTable, problems: list[CellProblem]) -> None:
    """InputError listing every problem of an export (by row, then column), if there are any."""
    if not problems:
        return
    position = {c: i for i, c in enumerate(raw.data.columns)}
    problems = sorted(problems, key=lambda p: (p.row, position.get(p.column, -1)))
    if len(problems) == 1:
        only = problems[0]
        raise InputError(raw.path, only.message, row=only.row, column=only.column)
    lines = [f"- {raw.path}, row {p.row}, column {p.column!r}: {p.message}" for p in problems]
    raise InputError(raw.path, f"{len(problems)} problems in the export:\n" + "\n".join(lines))


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


def _decode_multi(data: pd.DataFrame, spec: Variable, entry: dict) -> list[pd.DataFrame]:
    if "headers" in entry:  # one column per option: any non-blank cell is a tick
        ticked = {o: data[h].ne("") for h, o in headers_of(entry).items()}
    else:
        labels = {str(k): str(v) for k, v in entry["labels"].items()}
        chosen = data[str(entry["header"])].map(
            lambda c: {labels[t] for t in tokens(c, entry.get("delimiter", ";"))}
        )
        ticked = {o: chosen.map(lambda s, o=o: o in s) for o in set(labels.values())}
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
    """A Likert cell's code; "" and a problem if it is a number out of range."""
    if cell == "" or cell in labels:
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
    """Each row's submitted time (NaT if the wave has none), and each time not in the format."""
    data = raw.data
    entry = next(iter(entries_of(codebook.waves[wave], codebook, "timestamp").values()), None)
    if entry is None:
        return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]"), []
    header, fmt = str(entry["header"]), str(entry["format"])
    submitted = pd.to_datetime(data[header], format=fmt, errors="coerce")
    bad = data[submitted.isna() & data[header].ne("")]
    problems = [
        CellProblem(
            int(row), header, f"submitted time {cell!r} does not match the codebook format {fmt!r}"
        )
        for row, cell in zip(bad[ROW], bad[header], strict=True)
    ]
    return submitted, problems


def latest_submissions(
    raw: RawTable, wave: str, codebook: Codebook, submitted: pd.Series, key: bytes
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows kept ([source_row, org_id, submitted]) and rows excluded, one submission per org.

    Rule: when an organisation submitted more than once in a wave, the latest submission
    (by `submitted` time, then by row) is kept and the earlier ones are excluded. The org_id
    kept is the id's pseudonym under `key`; an exclusion's reason names rows, never the id.
    """
    data, source = raw.data, source_file(raw)
    id_header = str(codebook.waves[wave]["org_id"]["header"])
    try:
        org_id = privacy.pseudonymise(data[id_header], key)
    except ValueError as exc:
        raise InputError(raw.path, str(exc), column=id_header) from None
    frame = pd.DataFrame({ROW: data[ROW], "org_id": org_id, "submitted": submitted})
    no_id = frame[frame["org_id"] == ""]
    ordered = frame[frame["org_id"] != ""].sort_values(["submitted", ROW], na_position="first")
    kept = ordered.drop_duplicates("org_id", keep="last")
    superseded = ordered.drop(kept.index)
    winner = superseded["org_id"].map(kept.set_index("org_id")[ROW])
    reasons = (
        "duplicate organisation ID: superseded by the later submission in row " + winner.astype(str)
    )
    excluded = pd.concat(
        [
            exclusions(source, no_id[ROW], "organisation id is blank"),
            exclusions(source, superseded[ROW], reasons),
        ],
        ignore_index=True,
    )
    return kept.sort_values(ROW), excluded
