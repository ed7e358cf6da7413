"""Reading one wave's export, and listing every header and label its codebook block misses.

An export's contact columns are dropped as soon as it is read (their names are kept only to be
redacted wherever they appear in free text), and its free text is redacted before anything
else looks at it. Messages about answer labels never list what looks like free text or
contact details: a column of many different answers is summarised by a count.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from pipeline import layout, privacy
from pipeline.errors import InputError
from pipeline.readers import ROW, RawTable, read_table
from pipeline.survey.codebook import (
    ANSWER_TYPES,
    Codebook,
    Variable,
    entries_of,
    headers_of,
    is_ticked,
)
from pipeline.survey.document import TODO
from pipeline.survey.hints import (
    missing_column,
    not_a_tick,
    quote,
    rows_text,
    unknown_code,
    unknown_option,
    unmapped_header,
    unmapped_label,
)
from pipeline.taxonomy import DONT_KNOW

log = logging.getLogger(__package__)  # one logger for the package: pipeline.survey

KEY_FILE = "pseudonym.key"  # beside the exports: the key of the organisation id pseudonyms
MIN_KEY_LENGTH = 32  # characters; `secrets.token_hex(32)` gives 64
MAX_LABELS = 20  # a closed question has at most this many different answers in one export
PERSON = re.compile(r"(?:[A-Z][A-Za-z'’.-]*[ \t]+){1,3}[A-Z][A-Za-z'’-]*")  # Jo Smith


def key_path(raw_dir: Path) -> Path:
    """The file holding the key of the organisation id pseudonyms: <raw_dir>/survey/KEY_FILE."""
    return layout.survey_dir(raw_dir) / KEY_FILE


def read_key(path: Path) -> bytes:
    """The pseudonym key in `path` (its text, stripped); InputError if absent or too short."""
    make = f'python -c "import secrets; print(secrets.token_hex(32))" > {path}'
    if not path.is_file():
        raise InputError(
            path,
            "no pseudonym key: organisation ids are published only as keyed pseudonyms. "
            f"Create a key beside the raw data, and never commit it: {make}",
        )
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise InputError(
            path, f"the key has {len(key)} characters, fewer than {MIN_KEY_LENGTH}: {make}"
        )
    return key.encode("utf-8")


def source_file(raw: RawTable) -> str:
    """The export's name as accounts and exclusions give it: survey/<file>."""
    return f"{layout.SURVEY}/{raw.path.name}"


def tokens(cell: str, delimiters: str) -> list[str]:
    """The items of a cell split on any of `delimiters`, trimmed, blanks dropped."""
    return [t.strip() for t in re.split(f"[{re.escape(delimiters)}]", cell) if t.strip()]


def is_int(text: str) -> bool:
    """Whether a cell is a whole number ('3', '+3', '3.0'), as a Likert code may be exported."""
    return bool(re.fullmatch(r"[+-]?\d+(\.0+)?", text))


def read_wave(raw_dir: Path, wave: str, codebook: Codebook) -> tuple[RawTable, set[str]]:
    """One wave's export with its contact columns dropped, and the names those columns held.

    Headers differing from the codebook's only in case or spacing take its spelling. The free
    text is not yet redacted: `redact_wave` does it with every wave's names.
    """
    block = codebook.waves[wave]
    path = layout.wave_file(raw_dir, wave)
    known = [h for v, e in block.items() if v != TODO for h in headers_of(e)]
    table = read_table(path, list(headers_of(block["org_id"])), expected=known)
    if table.data.empty:
        raise InputError(path, "the export has a header but no responses", row=table.header_row)
    contact = [h for e in entries_of(block, codebook, "contact").values() for h in headers_of(e)]
    contact = [h for h in contact if h in table.data.columns]
    names = {n for n in table.data[contact].stack() if n} if contact else set()
    data = table.data.drop(columns=contact)
    log.info(
        "survey %s: read %s (%d rows), dropped contact columns %s",
        wave,
        path.name,
        len(data),
        contact,
    )
    return RawTable(path, data, table.header_row, table.blank_rows), names


def redact_wave(raw: RawTable, wave: str, codebook: Codebook, names: set[str]) -> RawTable:
    """The export with every free-text column redacted, `names` (contact names) included."""
    data = raw.data.copy()
    for entry in entries_of(codebook.waves[wave], codebook, "text").values():
        for header in headers_of(entry):
            if header in data.columns:
                data[header] = privacy.redact_series(data[header], names)
    return RawTable(raw.path, data, raw.header_row, raw.blank_rows)


def missing_columns(wave: str, raw: RawTable, codebook: Codebook) -> list[tuple[str, str]]:
    """(header, variable) of each column the wave's block maps that the export lacks."""
    block = codebook.waves[wave]
    optional = {  # contact columns are gone already; a marker column may be absent
        h
        for kind in ("contact", "ignore")
        for e in entries_of(block, codebook, kind).values()
        for h in headers_of(e)
    }
    return [
        (header, variable)
        for variable, entry in block.items()
        if variable != TODO
        for header in headers_of(entry)
        if header not in raw.data.columns and header not in optional
    ]


def mapping_problems(wave: str, raw: RawTable, codebook: Codebook) -> list[str]:
    """Every header and label of a wave's export that its codebook block does not map, and
    every column it maps that the export lacks."""
    block, data, file = codebook.waves[wave], raw.data, raw.path.name
    known = {h for v, e in block.items() if v != TODO for h in headers_of(e)}
    problems = [
        unmapped_header(wave, file, h, block, codebook)
        for h in data.columns
        if h != ROW and h not in known
    ]
    problems += [missing_column(wave, file, h, v) for h, v in missing_columns(wave, raw, codebook)]
    for variable, entry in block.items():
        spec = codebook.variables[variable]
        problems += [
            unknown_option(wave, header, option, spec)
            for header, option in headers_of(entry).items()
            if option is not None and option not in spec.codes
        ]
        problems += _label_problems(wave, file, entry, spec, data)
    return problems


def _label_problems(
    wave: str, file: str, entry: dict, spec: Variable, data: pd.DataFrame
) -> list[str]:
    """Labels an entry maps to codes its variable lacks, and answers it does not map (ticks
    neither ticked nor unticked, for one column per option), each with its rows."""
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
    if spec.type not in ANSWER_TYPES:
        return problems
    for header, option in headers_of(entry).items():
        if header not in data.columns:
            continue
        rows = _unmapped(data, header, entry, spec, labels, option)
        cells = data[header][data[header] != ""]
        delimited = spec.type == "multi" and option is None
        seen = {t for c in cells.unique() for t in tokens(c, entry.get("delimiter", ";"))}
        if rows and looks_open(cells, len(seen) if delimited else cells.nunique()):
            problems.append(
                f"- wave {wave}, {file}, {rows_text([r for rs in rows.values() for r in rs])}, "
                f"column {quote(header)}: {len(rows)} different answers are not labels of "
                f"{spec.name}, too many for a closed question (free text or contact details?); "
                f"check which variable waves.{quote(wave)} maps this column to"
            )
        elif option is not None and spec.type == "multi":
            problems += [
                not_a_tick(wave, file, header, rows_text(r), shown(s), spec, option)
                for s, r in rows.items()
            ]
        else:
            problems += [
                unmapped_label(wave, file, header, rows_text(r), shown(s), spec)
                for s, r in rows.items()
            ]
    return problems


def _unmapped(
    data: pd.DataFrame,
    header: str,
    entry: dict,
    spec: Variable,
    labels: dict[str, str],
    option: str | None,
) -> dict[str, list[int]]:
    """Each answer in a column that the entry does not map, with the rows giving it (each
    different cell is read once)."""
    found: dict[str, list[int]] = {}
    for cell, rows in data.groupby(header, sort=False)[ROW].agg(list).items():
        if spec.type == "multi" and option is not None:
            bad = [] if is_ticked(cell, header, option, labels) is not None else [cell]
        elif spec.type == "multi":
            bad = [t for t in tokens(cell, entry.get("delimiter", ";")) if t not in labels]
        else:
            likert_code = spec.type == "likert" and is_int(cell)
            bad = [] if cell == "" or cell in labels or likert_code else [cell]
        for answer in bad:
            found.setdefault(answer, []).extend(int(r) for r in rows)
    return {answer: sorted(rows) for answer, rows in sorted(found.items())}


def looks_open(cells: pd.Series, distinct: int) -> bool:
    """Whether a column's answers (`distinct` different ones) look like free text or contact
    details, not a closed list: more than MAX_LABELS different answers, most of them different,
    or a fifth of them holding personal data."""
    filled = cells[cells != ""]
    if filled.empty:
        return False
    if distinct > MAX_LABELS or (len(filled) >= 10 and distinct > 0.5 * len(filled)):
        return True
    counts = filled.value_counts()
    personal = sum(n for value, n in counts.items() if privacy.redact(value) != value)
    return personal >= 0.2 * len(filled)


def redacted(text: str, names: frozenset[str] = frozenset()) -> str:
    """`privacy.redact(text, names)`, and capitalised words that look like a name ('run by
    Priya Patel') made [name]: an answer to a closed question is shown only if this keeps it."""
    not_names = privacy.NOT_NAMES | privacy.ORG_WORDS

    def name(match: re.Match[str]) -> str:
        words = {w.strip(".'’").casefold() for w in match.group(0).split()}
        return match.group(0) if words & not_names else privacy.REDACTIONS["name"]

    return PERSON.sub(name, privacy.redact(text, names))


def shown(label: str) -> str:
    """A label as a message may show it: redacted if it holds personal data."""
    hidden = redacted(label)
    return label if hidden == label else f"{hidden} (redacted; see the export)"
