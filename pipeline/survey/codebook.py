"""The codebook: its structure checked on loading, and lookups of what it maps.

The codebook (`layout.codebook_path(raw_dir)`) maps each wave's export headers and answer
labels to stable variables and codes. `load_codebook` checks it against a pydantic model, as
`pipeline.config` checks params.yaml: every structure problem stops with one InputError naming
the file, the key (with its wave) and the line, never a Python traceback. Whether a wave's
export matches its block is checked later, against the export (`read.mapping_problems`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from pipeline.errors import InputError
from pipeline.survey.document import TODO, key_path, line_of, load_document
from pipeline.taxonomy import DONT_KNOW

TYPES = ("id", "timestamp", "single", "multi", "likert", "areas", "text", "contact", "ignore")
ANSWER_TYPES = ("single", "multi", "likert")
ONE_COLUMN_TYPES = ("id", "timestamp", "single", "areas")
# Between a grid or multi-select question and its option in a header: "Q - Police",
# "Q [Police]", "Q: Police".
OPTION_SEPARATOR = r" - |\s*\[|: (?=[^:]*$)"
# What a one-column-per-option cell holds, compared trimmed and case-folded: a tick (or the
# option's label or code, or a label the entry's `labels:` maps to the option), or no tick.
TICKS = frozenset({"1", "yes", "y", "true", "x", "✓", "✔", "ticked", "selected", "checked"})
NO_TICKS = frozenset({"", "0", "no", "n", "false", "not selected", "not ticked", "unticked"})


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


# --- the model of the codebook's structure ------------------------------------------------------


def _text(value: Any) -> str:
    """A YAML scalar as the codebook reads it (2021 -> '2021'); a mapping, list or blank fails."""
    if value is None or isinstance(value, dict | list):
        raise ValueError(f"must be text (got {value!r})")
    return str(value)


_Text = Annotated[str, BeforeValidator(_text)]


def _wave_block(value: Any) -> Any:
    """A wave's block without its TODO list (headers new-wave could not place)."""
    if not isinstance(value, dict):
        raise ValueError(f"must map variables to headers (got {value!r})")
    return {k: v for k, v in value.items() if k != TODO}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Scale(_Strict):
    """An ordered Likert scale; level i (from 1) is code i."""

    levels: list[_Text] = Field(min_length=1)


class _VariableSpec(_Strict):
    """A stable variable: its type and its codes (single) or options (multi, likert)."""

    type: Literal[TYPES]
    codes: list[_Text] | None = None
    options: list[_Text] | None = None
    scale: _Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(f"must be a mapping such as {{type: {value}}} (got {value!r})")
        return value


class _Entry(_Strict):
    """How one wave's export holds one variable."""

    header: _Text | None = None
    headers: dict[str, _Text] | None = None
    labels: dict[str, _Text] | None = None
    style: _Text | None = None
    delimiter: _Text | None = None
    delimiters: _Text | None = None
    format: _Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(f'must be a mapping such as {{header: "{value}"}} (got {value!r})')
        return value

    @model_validator(mode="after")
    def _one_of_header_and_headers(self) -> _Entry:
        if self.header is not None and self.headers is not None:
            raise ValueError("has both `header:` and `headers:`; keep one")
        if self.header is None and self.headers is None:
            raise ValueError(
                "needs `header:` (one column) or `headers: {column: option}` "
                "(one column per option)"
            )
        return self


class _Document(_Strict):
    """The whole codebook."""

    scales: dict[str, _Scale]
    variables: dict[str, _VariableSpec]
    waves: dict[str, Annotated[dict[str, _Entry], BeforeValidator(_wave_block)]]


_OWNERS = {"scales": _Scale, "variables": _VariableSpec, "waves": _Entry}


def _describe(error: dict[str, Any]) -> tuple[tuple, str]:
    """A pydantic error as (key path, what is wrong)."""
    loc, got, kind = error["loc"], error.get("input"), error["type"]
    if len(loc) == 1 and kind == "missing":
        return (), f"the codebook needs a `{loc[0]}:` mapping"
    if kind == "model_type" and not loc:
        return loc, f"the codebook must be a mapping of scales, variables and waves (got {got!r})"
    if kind == "missing":
        return loc, "is missing"
    if kind == "extra_forbidden":
        owner = _Document if len(loc) == 1 else _OWNERS[loc[0]]
        return loc, f"is not a codebook key (known: {', '.join(owner.model_fields)})"
    if kind == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return loc, f"must be one of {allowed} (got {got!r})"
    if kind in ("dict_type", "model_type"):
        return loc, f"must be a mapping (got {got!r})"
    if kind == "value_error":
        return loc, error["msg"].removeprefix("Value error, ")
    msg = (
        error["msg"].replace("Input should be a valid", "must be a").replace("List should", "must")
    )
    msg = msg.replace(" after validation", "")
    return loc, f"{msg[0].lower()}{msg[1:]} (got {got!r})"


# --- checks across keys -------------------------------------------------------------------------


def _codes(spec: _VariableSpec) -> list[str]:
    """A variable's options or, if it has none, its codes."""
    return spec.options if spec.options is not None else spec.codes or []


def _variable_problems(model: _Document) -> list[tuple[tuple, str]]:
    problems = []
    org_id = model.variables.get("org_id")
    if org_id is None or org_id.type != "id":
        problems.append(
            (
                ("variables", "org_id"),
                "must be declared `{type: id}`: organisations are keyed on it",
            )
        )
    for name, spec in model.variables.items():
        if spec.type in ANSWER_TYPES and not _codes(spec):
            kind = "codes" if spec.type == "single" else "options"
            problems.append((("variables", name), f"needs its {kind}"))
        if spec.type == "likert" and spec.scale not in model.scales:
            problems.append(
                (
                    ("variables", name, "scale"),
                    f"must be one of {list(model.scales)} (got {spec.scale!r})",
                )
            )
    return problems


def _entry_problem(kind: str, entry: _Entry) -> str | None:
    """What a wave's entry for a variable of type `kind` lacks, if anything."""
    maps = f"maps {'an' if kind[0] in 'aeiou' else 'a'} {kind} variable, so it needs"
    if kind in ONE_COLUMN_TYPES and entry.header is None:
        return f"{maps} `header:`, its one column, not `headers:`"
    if kind == "likert" and entry.headers is None:
        return f"{maps} `headers: {{column: option}}`, one column per option"
    if kind == "timestamp" and entry.format is None:
        return f"{maps} `format:`, the strftime format of the submitted time"
    labelled = kind == "single" or (kind == "multi" and entry.header is not None)
    if labelled and entry.labels is None:
        return f"{maps} `labels: {{label: code}}`"
    return None


def _wave_problems(model: _Document) -> list[tuple[tuple, str]]:
    problems = []
    for wave, block in model.waves.items():
        if not re.fullmatch(r"\d{4}", wave):
            problems.append((("waves", wave), "must be a wave's four-digit year"))
        if "org_id" not in block:
            problems.append((("waves", wave), "needs `org_id:`, the organisation id column"))
        for variable, entry in block.items():
            if variable not in model.variables:
                problems.append(
                    (("waves", wave, variable), "is not under variables: declare it there first")
                )
                continue
            lacking = _entry_problem(model.variables[variable].type, entry)
            if lacking:
                problems.append((("waves", wave, variable), lacking))
    return problems


def _check(path: Path, document: Any, raw: Any) -> _Document:
    """The codebook's structure checked; InputError listing every problem with its line."""
    try:
        model = _Document.model_validate(raw)
        problems = _variable_problems(model) + _wave_problems(model)
    except ValidationError as exc:
        problems = [_describe(e) for e in exc.errors()]
    lines = []
    for loc, message in problems:
        line = line_of(document, loc)
        where = f" (line {line})" if line else ""
        lines.append(f"{key_path(loc)}{where} {message}" if loc else message)
    if len(lines) == 1:
        raise InputError(path, lines[0])
    if lines:
        raise InputError(path, f"{len(lines)} problems:\n" + "\n".join(f"- {x}" for x in lines))
    return model


# --- loading ------------------------------------------------------------------------------------


def _plain(node: Any) -> Any:
    """ruamel's commented containers and string subclasses as plain dicts, lists and str."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def load_codebook(path: Path) -> Codebook:
    """Read and check the codebook; errors name the file, the key at fault and its line."""
    if not path.exists():
        raise InputError(path, "survey codebook not found")
    document = load_document(path)
    raw = _plain(document)
    raw = {} if raw is None else raw
    model = _check(path, document, raw)
    scales = {name: tuple(scale.levels) for name, scale in model.scales.items()}
    variables = {
        name: Variable(
            name,
            spec.type,
            tuple(_codes(spec)),
            scales[spec.scale] if spec.type == "likert" else (),
        )
        for name, spec in model.variables.items()
    }
    return Codebook(path, variables, raw["waves"])


# --- what the codebook maps ---------------------------------------------------------------------


def headers_of(entry: dict[str, Any]) -> dict[str, str | None]:
    """Header -> option for one codebook wave entry (option None for single-column entries)."""
    if "headers" in entry:
        return {str(h): str(o) for h, o in entry["headers"].items()}
    return {str(entry["header"]): None}


def entries_of(block: dict, codebook: Codebook, kind: str) -> dict[str, dict[str, Any]]:
    """The entries of a wave's block whose variables are of type `kind`."""
    return {v: e for v, e in block.items() if v != TODO and codebook.variables[v].type == kind}


def stem(header: str) -> str:
    """A grid or multi-select header without its option part ('Q - Police' -> 'Q')."""
    return re.split(OPTION_SEPARATOR, header, maxsplit=1)[0].strip()


def option_text(header: str) -> str:
    """The option part of a grid or multi-select header ('Q - Police' -> 'Police')."""
    return re.split(OPTION_SEPARATOR, header, maxsplit=1)[-1].rstrip("]").strip()


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def is_ticked(cell: str, header: str, option: str, labels: dict[str, str]) -> bool | None:
    """Whether a one-column-per-option cell is ticked: True for a tick, False for no tick,
    None for a value that is neither (see TICKS and NO_TICKS)."""
    value = _fold(cell)
    if value in NO_TICKS:
        return False
    mapped = {_fold(label) for label, code in labels.items() if code == option}
    if value in TICKS | mapped | {_fold(option), _fold(option_text(header))}:
        return True
    return None


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
            for header, option in headers_of(entry).items():
                found.setdefault(str(option), option_text(header))
        for label, code in (entry.get("labels") or {}).items():
            found.setdefault(str(code), str(label))
    return {code: found.get(code, code) for code in codebook.variables[question].codes}
