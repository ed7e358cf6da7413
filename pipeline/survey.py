"""Survey waves: the codebook, the cleaner (exports to tidy tables) and the new-wave helper."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from rapidfuzz import fuzz, process, utils
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from pipeline import geography, privacy
from pipeline.accounting import EXCLUSION_COLUMNS, Account, exclusions
from pipeline.readers import (
    EXTENSIONS,
    ROW,
    InputError,
    RawTable,
    find_file,
    read_table,
    unlisted_files,
)
from pipeline.taxonomy import DONT_KNOW

log = logging.getLogger(__name__)

CODEBOOK = "codebook.yaml"
TYPES = ("id", "timestamp", "single", "multi", "likert", "areas", "text", "contact", "ignore")
ANSWER_TYPES = ("single", "multi", "likert")
STATUSES = ("answered", "not_asked", "missing")
TODO = "TODO"
# Between a grid or multi-select question and its option in a header: "Q - Police",
# "Q [Police]", "Q: Police".
_OPTION_SEPARATOR = r" - |\s*\[|: (?=[^:]*$)"
GUESS_SCORE = 85  # rapidfuzz score at which new-wave proposes last wave's mapping as a guess

RESPONSE_COLUMNS = ["wave", "org_id", "question", "option", "value", "status"]
AREA_COLUMNS = ["wave", "org_id", "la_code", "match_method"]
COMMENT_COLUMNS = ["wave", "org_id", "text"]


# --- the codebook -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """A stable survey variable: its type, its codes (single) or options (multi, likert)."""

    name: str
    type: str
    codes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # likert: level labels in order; level i is code str(i)


@dataclass(frozen=True)
class Codebook:
    """The codebook: variables in reporting order and, per wave, how the export maps to them."""

    path: Path
    variables: dict[str, Variable]
    waves: dict[str, dict[str, dict[str, Any]]]


class _Emitter(Emitter):
    MAX_SIMPLE_KEY_LENGTH = 1024  # long question headers stay plain `"...": code` keys


def yaml_round_trip() -> YAML:
    """The YAML reader/writer for the codebook and params.yaml (YAML 1.2, keeps comments)."""
    yaml = YAML()
    yaml.Emitter = _Emitter
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def _plain(node: Any) -> Any:
    """ruamel's commented containers and string subclasses as plain dicts, lists and str."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def _wave_key(waves: dict, wave: str) -> Any:
    """The key of `wave` in the codebook's waves mapping (written "2021" or 2021)."""
    return next((k for k in waves if str(k) == wave), None)


def todo_lines(path: Path, waves: Iterable[str]) -> list[str]:
    """Entries of the listed waves' codebook blocks that still carry a TODO.

    A TODO counts as a value or as an end-of-line comment (`# TODO confirm`); whole-line
    comments are notes and never block the run.
    """
    yaml = yaml_round_trip()
    data = yaml.load(path.read_text(encoding="utf-8")) or {}
    found = []
    for wave in waves:
        key = _wave_key(data.get("waves") or {}, wave)
        if key is None:
            continue
        buffer = io.StringIO()
        yaml.dump({key: data["waves"][key]}, buffer)
        lines = buffer.getvalue().splitlines()[1:]
        found += [
            f"wave {wave}: {line.strip()}"
            for line in lines
            if TODO in line and not line.lstrip().startswith("#")
        ]
    return found


def load_codebook(path: Path) -> Codebook:
    """Read and check the codebook; errors name the file and the key at fault."""
    if not path.exists():
        raise InputError(path, "survey codebook not found")
    raw = _plain(yaml_round_trip().load(path.read_text(encoding="utf-8")) or {})
    for key in ("scales", "variables", "waves"):
        if not isinstance(raw.get(key), dict):
            raise InputError(path, f"the codebook needs a `{key}:` mapping")
    scales = {name: tuple(str(x) for x in s.get("levels", [])) for name, s in raw["scales"].items()}
    variables = {}
    for name, spec in raw["variables"].items():
        kind = spec.get("type")
        if kind not in TYPES:
            raise InputError(
                path, f"variables.{name}.type must be one of {', '.join(TYPES)} (got {kind!r})"
            )
        codes = tuple(str(c) for c in spec.get("options", spec.get("codes", [])))
        if kind in ANSWER_TYPES and not codes:
            raise InputError(
                path, f"variables.{name} needs its {'codes' if kind == 'single' else 'options'}"
            )
        levels = ()
        if kind == "likert":
            if spec.get("scale") not in scales:
                raise InputError(path, f"variables.{name}.scale must be one of {list(scales)}")
            levels = scales[spec["scale"]]
        variables[name] = Variable(name, kind, codes, levels)
    waves = {}
    for wave, block in raw["waves"].items():
        if block is None or not isinstance(block, dict):
            raise InputError(path, f"waves.{wave} must map variables to headers")
        unknown = [v for v in block if v not in variables and v != TODO]
        if unknown:
            raise InputError(path, f"waves.{wave} maps {unknown}, which are not under variables")
        waves[wave] = block
    return Codebook(path, variables, waves)


def likert_labels(codebook: Codebook, question: str) -> dict[str, str]:
    """Codes of a Likert question in scale order, with their labels ('1' -> 'Very poor', ...)."""
    levels = codebook.variables[question].levels
    return {str(i): label for i, label in enumerate(levels, start=1)} | {DONT_KNOW: "Don't know"}


def option_labels(codebook: Codebook, question: str) -> dict[str, str]:
    """Display labels of a question's options (or codes), as the latest wave asking each worded it.

    From a wave's `labels` (the first label of a code) or, for one-column-per-option questions,
    the option part of the header ('Q - Police' -> 'Police'). Codes never asked keep their code.
    """
    found: dict[str, str] = {}
    for wave in sorted(codebook.waves, key=int, reverse=True):
        entry = codebook.waves[wave].get(question)
        if entry is None:
            continue
        if "headers" in entry:
            for header, option in _headers(entry).items():
                parts = re.split(_OPTION_SEPARATOR, header, maxsplit=1)
                found.setdefault(str(option), parts[-1].rstrip("]").strip())
        for label, code in (entry.get("labels") or {}).items():
            found.setdefault(str(code), str(label))
    return {code: found.get(code, code) for code in codebook.variables[question].codes}


def _headers(entry: dict[str, Any]) -> dict[str, str | None]:
    """Header -> option for one codebook wave entry (option None for single-column entries)."""
    if "headers" in entry:
        return {str(h): str(o) for h, o in entry["headers"].items()}
    return {str(entry["header"]): None}


# --- messages that say exactly what to add to the codebook --------------------------------------


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _yaml_hint(wave: str, variable: str, key: str | None, item: str, target: str) -> str:
    lines = ["    waves:", f"      {_q(wave)}:", f"        {variable}:"]
    if key is None:
        lines[-1] += f" {{header: {_q(item)}}}"
    else:
        lines += [f"          {key}:", f"            {_q(item)}: {target}"]
    return "\n".join(lines)


def _stem(header: str) -> str:
    """A grid or multi-select header without its option part ('Q - Police' -> 'Q')."""
    return re.split(_OPTION_SEPARATOR, header, maxsplit=1)[0].strip()


def _unmapped_header(wave: str, file: str, header: str, block: dict, codebook: Codebook) -> str:
    for variable, entry in block.items():
        if (
            variable != TODO
            and "headers" in entry
            and any(_stem(h) == _stem(header) for h in _headers(entry))
        ):
            options = ", ".join(codebook.variables[variable].codes)
            hint = _yaml_hint(wave, variable, "headers", header, f"<option: one of {options}>")
            break
    else:
        hint = _yaml_hint(wave, "<variable>", None, header, "")
    return f"- wave {wave}, {file}: header {_q(header)} is not in the codebook. Add:\n{hint}"


def _unmapped_label(wave: str, file: str, header: str, label: str, variable: Variable) -> str:
    codes = list(variable.codes)
    if variable.type == "likert":
        codes = [str(i) for i in range(1, len(variable.levels) + 1)] + [DONT_KNOW]
    hint = _yaml_hint(wave, variable.name, "labels", label, f"<one of {', '.join(codes)}>")
    return (
        f"- wave {wave}, {file}, column {_q(header)}: label {_q(label)} ({variable.name}) "
        f"is not in the codebook. Add:\n{hint}"
    )


# --- reading a wave -----------------------------------------------------------------------------


def _entries(block: dict, codebook: Codebook, kind: str) -> dict[str, dict[str, Any]]:
    return {v: e for v, e in block.items() if v != TODO and codebook.variables[v].type == kind}


def source_file(raw: RawTable) -> str:
    """The export's name as accounts and exclusions give it: survey/<file>."""
    return f"survey/{raw.path.name}"


def read_wave(folder: Path, wave: str, codebook: Codebook) -> RawTable:
    """Read one wave's export, drop its contact columns at once and redact its free text."""
    block = codebook.waves[wave]
    path = find_file(folder, wave)
    table = read_table(path, list(_headers(block["org_id"])))
    if table.data.empty:
        raise InputError(path, "the export has a header but no responses", row=table.header_row)
    contact = [h for e in _entries(block, codebook, "contact").values() for h in _headers(e)]
    contact = [h for h in contact if h in table.data.columns]
    names = table.data[contact].stack().tolist() if contact else []
    data = table.data.drop(columns=contact)
    for entry in _entries(block, codebook, "text").values():
        for header in _headers(entry):
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


def _tokens(cell: str, delimiters: str) -> list[str]:
    return [t.strip() for t in re.split(f"[{re.escape(delimiters)}]", cell) if t.strip()]


def _is_int(text: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.0+)?", text))


def _new_code_hint(spec: Variable) -> str:
    """How to add a code that a wave's labels use but the variable lacks."""
    if spec.type == "likert":
        return f" (likert labels map to 1-{len(spec.levels)} or {DONT_KNOW})"
    kind, key = ("answer", "codes") if spec.type == "single" else ("option", "options")
    return f"; if it is a new {kind}, add it to variables.{spec.name}.{key}"


def mapping_problems(wave: str, raw: RawTable, codebook: Codebook) -> list[str]:
    """Every header and label of a wave's export that its codebook block does not map."""
    block, data, file = codebook.waves[wave], raw.data, raw.path.name
    optional = {  # contact columns are gone already; a marker column may be absent
        h
        for kind in ("contact", "ignore")
        for e in _entries(block, codebook, kind).values()
        for h in _headers(e)
    }
    known = {h for v, e in block.items() if v != TODO for h in _headers(e)}
    problems = [
        _unmapped_header(wave, file, h, block, codebook)
        for h in data.columns
        if h != ROW and h not in known
    ]
    for variable, entry in block.items():
        spec = codebook.variables[variable]
        for header, option in _headers(entry).items():
            if header not in data.columns and header not in optional:
                problems.append(
                    f"- wave {wave}, {file}: the codebook maps header {_q(header)} "
                    f"({variable}) but the export has no such column; fix waves."
                    f"{_q(wave)}.{variable} in the codebook"
                )
            if option is not None and option not in spec.codes:
                problems.append(
                    f"- wave {wave}: waves.{_q(wave)}.{variable}.headers maps "
                    f"{_q(header)} to {option!r}, which is not an option of "
                    f"{variable} ({', '.join(spec.codes)}); if it is a new option, add it "
                    f"to variables.{variable}.options"
                )
        labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
        allowed = set(spec.codes) | (
            {str(i) for i in range(1, len(spec.levels) + 1)} | {DONT_KNOW}
            if spec.type == "likert"
            else set()
        )
        for label, code in labels.items():
            if code not in allowed:
                problems.append(
                    f"- wave {wave}: waves.{_q(wave)}.{variable}.labels maps "
                    f"{_q(label)} to {code!r}, which is not a code of {variable}"
                    + _new_code_hint(spec)
                )
        if spec.type not in ANSWER_TYPES or (spec.type == "multi" and "headers" in entry):
            continue
        for header in _headers(entry):
            if header not in data.columns:
                continue
            cells = data[header][data[header] != ""]
            if spec.type == "multi":
                seen = {t for c in cells for t in _tokens(c, entry.get("delimiter", ";"))}
            else:
                seen = set(cells)
            unmapped = sorted(
                s for s in seen if s not in labels and not (spec.type == "likert" and _is_int(s))
            )
            problems += [_unmapped_label(wave, file, header, s, spec) for s in unmapped]
    return problems


# --- decoding answers ---------------------------------------------------------------------------


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
        ticked = {o: data[h].ne("") for h, o in _headers(entry).items()}
    else:
        labels = {str(k): str(v) for k, v in entry["labels"].items()}
        chosen = data[str(entry["header"])].map(
            lambda c: {labels[t] for t in _tokens(c, entry.get("delimiter", ";"))}
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
    path: Path, header: str, labels: dict[str, str], levels: int, row: int, cell: str
) -> str:
    if cell == "" or cell in labels:
        return labels.get(cell, "")
    number = int(float(cell))
    if not 1 <= number <= levels:
        raise InputError(
            path, f"Likert value {cell!r} is out of range 1-{levels}", row=row, column=header
        )
    return str(number)


def _decode_likert(
    data: pd.DataFrame, spec: Variable, entry: dict, path: Path
) -> list[pd.DataFrame]:
    labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
    by_option = {o: h for h, o in _headers(entry).items()}
    frames = []
    for option in spec.codes:
        header = by_option.get(option)
        if header is None:
            frames.append(_not_asked(data[ROW], spec.name, option))
            continue
        value = pd.Series(
            [
                _likert_code(path, header, labels, len(spec.levels), r, c)
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


def decode_answers(raw: RawTable, wave: str, codebook: Codebook) -> pd.DataFrame:
    """Tidy answers [source_row, question, option, value, status] to every coded question.

    Questions and options the wave did not ask are `not_asked`; blank answers are `missing`.
    """
    block, frames = codebook.waves[wave], []
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
            frames += _decode_likert(raw.data, spec, entry, raw.path)
    return pd.concat(frames, ignore_index=True)


def latest_submissions(
    raw: RawTable, wave: str, codebook: Codebook
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows kept ([source_row, org_id, submitted]) and rows excluded, one submission per org.

    Rule: when an organisation submitted more than once in a wave, the latest submission
    (by submitted time, then by row) is kept and the earlier ones are excluded.
    """
    block, data, path = codebook.waves[wave], raw.data, raw.path
    source = source_file(raw)
    id_header = str(block["org_id"]["header"])
    ts_entry = next(iter(_entries(block, codebook, "timestamp").values()), None)
    submitted = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    if ts_entry is not None:
        header, fmt = str(ts_entry["header"]), str(ts_entry["format"])
        submitted = pd.to_datetime(data[header], format=fmt, errors="coerce")
        bad = submitted.isna() & data[header].ne("")
        if bad.any():
            first = bad.idxmax()
            raise InputError(
                path,
                f"submitted time {data.at[first, header]!r} does not match "
                f"the codebook format {fmt!r}",
                row=int(data.at[first, ROW]),
                column=header,
            )
    frame = pd.DataFrame({ROW: data[ROW], "org_id": data[id_header], "submitted": submitted})
    no_id = frame[frame["org_id"] == ""]
    ordered = frame[frame["org_id"] != ""].sort_values(["submitted", ROW], na_position="first")
    kept = ordered.drop_duplicates("org_id", keep="last")
    superseded = ordered.drop(kept.index)
    winner = superseded["org_id"].map(kept.set_index("org_id")[ROW])
    reasons = (
        "duplicate org_id " + superseded["org_id"] + ": superseded by the later "
        "submission in row " + winner.astype(str)
    )
    excluded = pd.concat(
        [
            exclusions(source, no_id[ROW], "organisation id is blank"),
            exclusions(source, superseded[ROW], reasons),
        ],
        ignore_index=True,
    )
    return kept.sort_values(ROW), excluded


# --- areas served -------------------------------------------------------------------------------


def wave_geography_year(wave: str, years: Iterable[int]) -> int:
    """The geography in force when the wave ran: the latest year not after it (else the first)."""
    years = sorted(years)
    return max((y for y in years if y <= int(wave)), default=years[0])


def split_areas(cell: str, delimiters: str, match: Callable[[str], Any]) -> list[Any]:
    """Match each area typed in one cell; 'Bristol, City of' stays whole when split on ','."""
    tokens, found, i = _tokens(cell, delimiters), [], 0
    while i < len(tokens):
        if i + 1 < len(tokens):
            joined = match(f"{tokens[i]}, {tokens[i + 1]}")
            if joined.problem is None and joined.method != "fuzzy":
                found.append(joined)
                i += 2
                continue
        found.append(match(tokens[i]))
        i += 1
    return found


def match_areas(
    kept: pd.DataFrame, raw: RawTable, wave: str, codebook: Codebook, matcher: geography.Matcher
) -> tuple[pd.DataFrame, list[str]]:
    """Areas served, one row per organisation and authority, and the values that did not match."""
    entry = next(iter(_entries(codebook.waves[wave], codebook, "areas").values()), None)
    if entry is None:
        return pd.DataFrame(columns=AREA_COLUMNS), []
    cells = raw.data.set_index(ROW)[str(entry["header"])]
    rows, problems = [], []
    for source_row, org_id in zip(kept[ROW], kept["org_id"], strict=True):
        for m in split_areas(cells[source_row], str(entry.get("delimiters", ";,")), matcher.match):
            if m.problem is not None:
                problems.append(
                    f"- wave {wave}, {raw.path.name}, row {source_row}, column "
                    f"{_q(str(entry['header']))}: {m.value!r} is {m.problem}; "
                    f"candidates: {m.candidates or 'none'}"
                )
            else:
                rows.append((wave, org_id, m.la_code, m.method))
    areas = pd.DataFrame(rows, columns=AREA_COLUMNS).drop_duplicates(["wave", "org_id", "la_code"])
    return areas.astype("str"), problems


# --- the cleaner --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyResult:
    """Processed survey tables, with the row accounts and the exclusions."""

    responses: pd.DataFrame
    orgs: pd.DataFrame
    areas: pd.DataFrame
    comments: pd.DataFrame
    accounts: list[Account]
    exclusions: pd.DataFrame


def _check_codebook(codebook: Codebook, waves: list[str]) -> None:
    missing = [w for w in waves if w not in codebook.waves]
    if missing:
        raise InputError(
            codebook.path,
            f"no codebook block for waves {missing}; add "
            f"`waves: {{{_q(missing[0])}: ...}}` (python -m pipeline new-wave "
            "YEAR EXPORT drafts it)",
        )
    todos = todo_lines(codebook.path, waves)
    if todos:
        raise InputError(
            codebook.path,
            "TODO entries remain for listed waves; confirm or fill each one and delete "
            "its TODO marker. Map each header or label to a code of its variable; a new "
            "option or answer is first added to that variable's `options:` or `codes:` "
            "under `variables:`, a new question as a new variable:\n" + "\n".join(todos),
        )


def _orgs(
    wave: str, kept: pd.DataFrame, answers: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    types = answers[answers["question"] == "org_type"].set_index(ROW)["value"]
    counts = areas.groupby("org_id").size()
    return pd.DataFrame(
        {
            "wave": wave,
            "org_id": kept["org_id"].to_numpy(),
            "org_type": kept[ROW].map(types).fillna("").to_numpy(),
            "n_areas": kept["org_id"].map(counts).fillna(0).astype(int).to_numpy(),
        }
    )


def _comments(wave: str, kept: pd.DataFrame, raw: RawTable, codebook: Codebook) -> pd.DataFrame:
    texts = raw.data.set_index(ROW)
    frames = [
        pd.DataFrame(
            {
                "wave": wave,
                "org_id": kept["org_id"].to_numpy(),
                "text": kept[ROW].map(texts[h]).to_numpy(),
            }
        )
        for e in _entries(codebook.waves[wave], codebook, "text").values()
        for h in _headers(e)
    ]
    frame = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COMMENT_COLUMNS)
    )
    return frame[frame["text"] != ""].astype("str")


def clean_waves(
    raw_dir: Path,
    waves: list[str],
    reference_dir: Path,
    fuzzy_threshold: float,
    codebook: Path | None = None,
) -> SurveyResult:
    """Clean every listed survey wave into tidy tables.

    Parameters
    ----------
    raw_dir
        Folder holding `survey/<wave>.csv|xlsx` and (by default) `survey/codebook.yaml`.
    waves
        The waves to clean, in order (params.yaml survey.waves).
    reference_dir
        The derived reference tables (data/reference) for matching areas served.
    fuzzy_threshold
        rapidfuzz score (0-100) the geography matcher needs to accept a fuzzy name match.
    codebook
        The codebook, if not `<raw_dir>/survey/codebook.yaml`.
    """
    folder = Path(raw_dir) / "survey"
    codebook_path = Path(codebook) if codebook else folder / CODEBOOK
    book = load_codebook(codebook_path)
    _check_codebook(book, waves)
    for path in unlisted_files(folder, waves):
        log.warning("survey: %s is not a listed wave (params.yaml survey.waves); ignored", path)
    raws = {wave: read_wave(folder, wave, book) for wave in waves}
    problems = [p for wave in waves for p in mapping_problems(wave, raws[wave], book)]
    if problems:
        raise InputError(
            codebook_path,
            f"{len(problems)} headers or labels in the listed waves "
            "are not mapped by the codebook:\n" + "\n".join(problems),
        )
    matchers: dict[int, geography.Matcher] = {}
    parts: dict[str, list[pd.DataFrame]] = {
        k: [] for k in ("responses", "orgs", "areas", "comments", "exclusions")
    }
    accounts, area_problems = [], []
    for wave in waves:
        raw = raws[wave]
        answers = decode_answers(raw, wave, book)
        kept, excluded = latest_submissions(raw, wave, book)
        year = wave_geography_year(wave, geography.YEARS)
        if year not in matchers:
            matchers[year] = geography.Matcher.from_reference(reference_dir, year, fuzzy_threshold)
        areas, bad = match_areas(kept, raw, wave, book, matchers[year])
        area_problems += bad
        answers = answers.merge(kept[[ROW, "org_id"]], on=ROW).assign(wave=wave)
        parts["responses"].append(answers[RESPONSE_COLUMNS])
        parts["orgs"].append(_orgs(wave, kept, answers, areas))
        parts["areas"].append(areas)
        parts["comments"].append(_comments(wave, kept, raw, book))
        parts["exclusions"].append(excluded)
        accounts.append(
            Account(
                source_file(raw),
                len(raw.data) + raw.blank_rows,
                len(kept),
                len(excluded),
                raw.blank_rows,
            )
        )
        log.info(
            "survey %s: %d organisations kept, %d rows excluded, %d blank",
            wave,
            len(kept),
            len(excluded),
            raw.blank_rows,
        )
    if area_problems:
        raise InputError(
            codebook_path.parent,
            f"{len(area_problems)} areas served did not match "
            "one local authority; correct them in the export or add an alias to "
            "the geography reference:\n" + "\n".join(area_problems),
        )
    return SurveyResult(
        responses=_ordered(pd.concat(parts["responses"], ignore_index=True), book, waves),
        orgs=_sorted(pd.concat(parts["orgs"], ignore_index=True), waves, ["org_id"]),
        areas=_sorted(pd.concat(parts["areas"], ignore_index=True), waves, ["org_id", "la_code"]),
        comments=_sorted(pd.concat(parts["comments"], ignore_index=True), waves, ["org_id"]),
        accounts=accounts,
        exclusions=pd.concat(parts["exclusions"], ignore_index=True)[EXCLUSION_COLUMNS],
    )


def _sorted(frame: pd.DataFrame, waves: list[str], by: list[str]) -> pd.DataFrame:
    order = frame["wave"].map({w: i for i, w in enumerate(waves)})
    return (
        frame.assign(_w=order)
        .sort_values(["_w", *by], kind="stable")
        .drop(columns="_w")
        .reset_index(drop=True)
    )


def _ordered(responses: pd.DataFrame, codebook: Codebook, waves: list[str]) -> pd.DataFrame:
    """Responses sorted by wave (as listed), org_id, then question and option in codebook order."""
    question = responses["question"]
    option_rank = np.zeros(len(responses), dtype=np.int64)
    for v in codebook.variables.values():
        here = (question == v.name).to_numpy()
        if here.any() and v.codes:
            ranks = {o: i for i, o in enumerate(v.codes)}
            option_rank[here] = responses["option"][here].map(ranks).fillna(0).to_numpy()
    order = np.lexsort(
        (
            option_rank,
            question.map({name: i for i, name in enumerate(codebook.variables)}).to_numpy(),
            pd.factorize(responses["org_id"], sort=True)[0],
            responses["wave"].map({w: i for i, w in enumerate(waves)}).to_numpy(),
        )
    )
    return responses.take(order)[RESPONSE_COLUMNS].reset_index(drop=True).astype("str")


# --- schemas of the processed tables ------------------------------------------------------------

_WAVE = pa.Column(str, pa.Check.str_matches(r"^\d{4}$"))
_ORG = pa.Column(str, pa.Check.str_length(min_value=1))

RESPONSES_SCHEMA = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "question": pa.Column(str, pa.Check.str_matches(r"^[a-z_]+$")),
        "option": pa.Column(str, pa.Check.str_matches(r"^[a-z_]*$")),
        "value": pa.Column(str),
        "status": pa.Column(str, pa.Check.isin(STATUSES)),
    },
    checks=pa.Check(
        lambda df: df["value"].eq("") == df["status"].ne("answered"),
        error="value is blank exactly when the status is not 'answered'",
    ),
    unique=["wave", "org_id", "question", "option"],
    strict=True,
    ordered=True,
)
ORGS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "org_type": pa.Column(str),
        "n_areas": pa.Column(int, pa.Check.ge(0)),
    },
    unique=["wave", "org_id"],
    strict=True,
    ordered=True,
)
AREAS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "la_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "match_method": pa.Column(str, pa.Check.str_length(min_value=1)),
    },
    unique=["wave", "org_id", "la_code"],
    strict=True,
    ordered=True,
)
COMMENTS_SCHEMA = pa.DataFrameSchema(
    {
        "wave": _WAVE,
        "org_id": _ORG,
        "text": pa.Column(
            str,
            [
                pa.Check(
                    lambda s: ~s.str.contains(privacy.EMAIL.pattern),
                    error="no email address survives redaction",
                ),
                pa.Check(
                    lambda s: ~s.str.contains(privacy.PHONE.pattern),
                    error="no phone number survives redaction",
                ),
            ],
        ),
    },
    strict=True,
    ordered=True,
)


# --- presentation helpers -----------------------------------------------------------------------


def response_counts(orgs: pd.DataFrame) -> pd.DataFrame:
    """Organisations responding, by organisation type (rows) and wave (columns), with totals."""
    types = orgs["org_type"].replace("", "not answered")
    return pd.crosstab(types.rename("org_type"), orgs["wave"], margins=True, margins_name="total")


def not_asked(responses: pd.DataFrame) -> pd.DataFrame:
    """Per wave, the questions (or options of a question) the wave did not ask.

    Returns [wave, question, options] where options is "(whole question)" or the options not
    asked, comma-separated.
    """
    grid = responses[["wave", "question", "option", "status"]].drop_duplicates()
    rows = []
    for (wave, question), group in grid.groupby(["wave", "question"], sort=False):
        missing = group.loc[group["status"] == "not_asked", "option"].drop_duplicates()
        if missing.empty:
            continue
        whole = set(missing) == set(group["option"])
        rows.append((wave, question, "(whole question)" if whole else ", ".join(missing)))
    return pd.DataFrame(rows, columns=["wave", "question", "options"])


# --- a new wave ---------------------------------------------------------------------------------


def _dq(text: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(text)


def _guess(text: str, choices: Iterable[str]) -> tuple[str, float] | None:
    best = process.extractOne(
        text, list(choices), scorer=fuzz.WRatio, processor=utils.default_process
    )
    return (best[0], best[1]) if best and best[1] >= GUESS_SCORE else None


class _Drafter:
    """Drafts one wave's codebook block from the previous wave's, for an export's headers."""

    def __init__(self, previous: dict, data: pd.DataFrame, codebook: Codebook):
        self.data, self.codebook = data, codebook
        old = {h for v, e in previous.items() if v != TODO for h in _headers(e)}
        self.exact = old & set(data.columns)
        self.unclaimed = [c for c in data.columns if c != ROW and c not in self.exact]
        self.todos: list[str] = []
        self.path = ""

    def header(self, old: str) -> tuple[str | None, str | None]:
        """The new header for last wave's `old`, and a TODO comment if it is a guess."""
        if old in self.exact:
            return old, None
        guess = _guess(old, self.unclaimed)
        if guess is None:
            return None, None
        self.unclaimed.remove(guess[0])
        self.todos.append(f"{self.path}: {_q(guess[0])} guessed from {_q(old)} (TODO confirm)")
        return guess[0], f"TODO confirm: guessed from {old!r} (score {guess[1]:.0f})"

    def labels(self, old: dict, seen: set[str], variable: Variable) -> CommentedMap:
        """Last wave's labels plus each new label seen, guessed (TODO confirm) or TODO."""
        out = CommentedMap((_dq(k), v) for k, v in old.items())
        for label in sorted(seen - set(old)):
            if variable.type == "likert" and _is_int(label):
                continue
            guess = _guess(label, old)
            if guess is None:
                out[_dq(label)] = TODO
                self.todos.append(f"{self.path}.labels: {_q(label)} has no code (TODO)")
            else:
                out[_dq(label)] = old[guess[0]]
                out.yaml_add_eol_comment(f"TODO confirm: guessed from {guess[0]!r}", label)
                self.todos.append(
                    f"{self.path}.labels: {_q(label)} guessed as {old[guess[0]]} (TODO confirm)"
                )
        return out

    def _grid(self, old: dict) -> CommentedMap:
        headers = CommentedMap()
        for old_header, option in old.items():
            header, note = self.header(str(old_header))
            if header is not None:
                headers[_dq(header)] = option
                if note:
                    headers.yaml_add_eol_comment(note, header)
        stems = {_stem(h) for h in [*old, *headers]}
        for extra in [h for h in self.unclaimed if _stem(h) in stems]:
            self.unclaimed.remove(extra)
            headers[_dq(extra)] = TODO
            self.todos.append(f"{self.path}.headers: {_q(extra)} has no option (TODO)")
        return headers

    def entry(self, variable: str, old: dict) -> CommentedMap | None:
        """The new wave's entry for `variable`, or None when the export has no such column."""
        self.path = f"waves.<new>.{variable}"
        new = CommentedMap()
        if "headers" in old:
            new["headers"] = self._grid(old["headers"])
            if not new["headers"]:
                return None
        else:
            header, note = self.header(str(old["header"]))
            if header is None:
                return None
            new["header"] = _dq(header)
            if note:
                new.yaml_add_eol_comment(note, "header")
        new.update(
            (k, _dq(v) if k in ("format", "delimiter", "delimiters") else v)
            for k, v in old.items()
            if k not in ("header", "headers", "labels")
        )
        if "labels" in old:
            seen: set[str] = set()
            for header in _headers(new):
                cells = self.data[header][self.data[header] != ""]
                seen |= (
                    {t for c in cells for t in _tokens(c, str(old["delimiter"]))}
                    if "delimiter" in old
                    else set(cells)
                )
            new["labels"] = self.labels(
                {str(k): v for k, v in old["labels"].items()},
                seen,
                self.codebook.variables[variable],
            )
        return new


def draft_wave(
    previous: dict, data: pd.DataFrame, codebook: Codebook
) -> tuple[CommentedMap, list[str]]:
    """A codebook block for a new export drafted from the previous wave's, and its TODO list."""
    drafter, block = _Drafter(previous, data, codebook), CommentedMap()
    for variable, old in previous.items():
        if variable == TODO:
            continue
        entry = drafter.entry(variable, old)
        if entry is None:
            log.warning(
                "new wave: no column like %s (%s); not asked in this wave?",
                list(_headers(old)),
                variable,
            )
            continue
        if len(entry) <= 2 and not {"headers", "labels"} & set(entry) and not entry.ca.items:
            entry.fa.set_flow_style()
        block[variable] = entry
    if drafter.unclaimed:
        block[TODO] = CommentedSeq(_dq(h) for h in drafter.unclaimed)
        drafter.todos += [
            f"{_q(h)} is not mapped to any variable (TODO)" for h in drafter.unclaimed
        ]
    return block, drafter.todos


def _add_wave_to_params(params_file: Path, year: str) -> None:
    """Append `year` to survey.waves in params.yaml, keeping its comments and layout."""
    yaml = yaml_round_trip()
    params = yaml.load(params_file.read_text(encoding="utf-8"))
    waves = params["survey"]["waves"]
    if year in [str(w) for w in waves]:
        return
    waves.append(type(waves[0])(year) if waves else year)
    for token in params["survey"].ca.items.get("waves", []):
        if token is not None and waves.fa.flow_style():  # keep an end-of-line comment aligned
            token.column += len(f', "{year}"')
    buffer = io.StringIO()
    yaml.dump(params, buffer)
    params_file.write_text(buffer.getvalue(), encoding="utf-8")


def new_wave(
    year: str, export: Path, raw_dir: Path, codebook: Path, params_file: Path
) -> list[str]:
    """Add a survey wave: copy its export in, draft its codebook block and list it in params.

    Headers and labels that match the previous wave's exactly are copied; close ones are
    written as guesses with a `# TODO confirm` comment; the rest as `TODO`. The cleaner stops
    until every TODO is resolved. Returns the TODO list.
    """
    export, codebook = Path(export), Path(codebook)
    if not re.fullmatch(r"\d{4}", year):
        raise InputError(export, f"wave must be a four-digit year (got {year!r})")
    folder = Path(raw_dir) / "survey"
    clashes = [folder / f"{year}{ext}" for ext in EXTENSIONS if (folder / f"{year}{ext}").exists()]
    if clashes:
        raise InputError(clashes[0], f"wave {year} already has an export")
    book = load_codebook(codebook)
    if year in book.waves:
        raise InputError(codebook, f"the codebook already has a block for wave {year}")
    previous = max(book.waves, key=int)
    block, todos = draft_wave(book.waves[previous], read_table(export, []).data, book)
    todos = [t.replace("<new>", year) for t in todos]
    yaml = yaml_round_trip()
    document = yaml.load(codebook.read_text(encoding="utf-8"))
    document["waves"][_dq(year)] = block
    document["waves"].yaml_set_comment_before_after_key(
        year,
        before=f"wave {year}: drafted by new-wave from {export.name} (last wave "
        f"{previous}); resolve every TODO, then rerun",
        indent=2,
    )
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{year}{export.suffix.lower()}"
    shutil.copyfile(export, dest)
    codebook.write_text(buffer.getvalue(), encoding="utf-8")
    _add_wave_to_params(params_file, year)
    log.info(
        "new wave %s: export copied to %s; %d TODO entries in %s", year, dest, len(todos), codebook
    )
    return todos
