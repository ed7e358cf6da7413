"""Reading one wave's export, and listing every header and label its codebook block misses."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from pipeline import layout, privacy
from pipeline.errors import InputError
from pipeline.readers import ROW, RawTable, read_table
from pipeline.survey.codebook import ANSWER_TYPES, Codebook, Variable, entries_of, headers_of
from pipeline.survey.document import TODO
from pipeline.survey.hints import (
    missing_column,
    unknown_code,
    unknown_option,
    unmapped_header,
    unmapped_label,
)
from pipeline.taxonomy import DONT_KNOW

log = logging.getLogger(__package__)  # one logger for the package: pipeline.survey


def source_file(raw: RawTable) -> str:
    """The export's name as accounts and exclusions give it: survey/<file>."""
    return f"{layout.SURVEY}/{raw.path.name}"


def tokens(cell: str, delimiters: str) -> list[str]:
    """The items of a cell split on any of `delimiters`, trimmed, blanks dropped."""
    return [t.strip() for t in re.split(f"[{re.escape(delimiters)}]", cell) if t.strip()]


def is_int(text: str) -> bool:
    """Whether a cell is a whole number ('3', '+3', '3.0'), as a Likert code may be exported."""
    return bool(re.fullmatch(r"[+-]?\d+(\.0+)?", text))


def read_wave(raw_dir: Path, wave: str, codebook: Codebook) -> RawTable:
    """Read one wave's export, drop its contact columns at once and redact its free text."""
    block = codebook.waves[wave]
    path = layout.wave_file(raw_dir, wave)
    table = read_table(path, list(headers_of(block["org_id"])))
    if table.data.empty:
        raise InputError(path, "the export has a header but no responses", row=table.header_row)
    contact = [h for e in entries_of(block, codebook, "contact").values() for h in headers_of(e)]
    contact = [h for h in contact if h in table.data.columns]
    names = table.data[contact].stack().tolist() if contact else []
    data = table.data.drop(columns=contact)
    for entry in entries_of(block, codebook, "text").values():
        for header in headers_of(entry):
            if header in data.columns:
                data[header] = privacy.redact_series(data[header], names)
    log.info(
        "survey %s: read %s (%d rows), dropped contact columns %s",
        wave,
        path.name,
        len(data),
        contact,
    )
    return RawTable(path=path, data=data, header_row=table.header_row, blank_rows=table.blank_rows)


def mapping_problems(wave: str, raw: RawTable, codebook: Codebook) -> list[str]:
    """Every header and label of a wave's export that its codebook block does not map."""
    block, data, file = codebook.waves[wave], raw.data, raw.path.name
    optional = {  # contact columns are gone already; a marker column may be absent
        h
        for kind in ("contact", "ignore")
        for e in entries_of(block, codebook, kind).values()
        for h in headers_of(e)
    }
    known = {h for v, e in block.items() if v != TODO for h in headers_of(e)}
    problems = [
        unmapped_header(wave, file, h, block, codebook)
        for h in data.columns
        if h != ROW and h not in known
    ]
    for variable, entry in block.items():
        spec = codebook.variables[variable]
        for header, option in headers_of(entry).items():
            if header not in data.columns and header not in optional:
                problems.append(missing_column(wave, file, header, variable))
            if option is not None and option not in spec.codes:
                problems.append(unknown_option(wave, header, option, spec))
        problems += _label_problems(wave, file, entry, spec, data)
    return problems


def _label_problems(
    wave: str, file: str, entry: dict, spec: Variable, data: pd.DataFrame
) -> list[str]:
    """Labels an entry maps to codes its variable lacks, and answers it does not map."""
    labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
    allowed = set(spec.codes) | (
        {str(i) for i in range(1, len(spec.levels) + 1)} | {DONT_KNOW}
        if spec.type == "likert"
        else set()
    )
    problems = [
        unknown_code(wave, label, code, spec)
        for label, code in labels.items()
        if code not in allowed
    ]
    if spec.type not in ANSWER_TYPES or (spec.type == "multi" and "headers" in entry):
        return problems
    for header in headers_of(entry):
        if header not in data.columns:
            continue
        cells = data[header][data[header] != ""]
        if spec.type == "multi":
            seen = {t for c in cells for t in tokens(c, entry.get("delimiter", ";"))}
        else:
            seen = set(cells)
        unmapped = sorted(
            s for s in seen if s not in labels and not (spec.type == "likert" and is_int(s))
        )
        problems += [unmapped_label(wave, file, header, s, spec) for s in unmapped]
    return problems
