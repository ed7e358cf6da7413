"""Adding a survey wave: its export copied in, its codebook block drafted, params.yaml told."""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process, utils
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from pipeline import layout
from pipeline.errors import InputError
from pipeline.readers import EXTENSIONS, ROW, read_table
from pipeline.survey.codebook import Codebook, Variable, headers_of, load_codebook, stem
from pipeline.survey.document import TODO, dump_document, load_document, yaml_round_trip
from pipeline.survey.hints import quote
from pipeline.survey.read import is_int, tokens

log = logging.getLogger(__package__)  # one logger for the package: pipeline.survey

GUESS_SCORE = 85  # rapidfuzz score at which new-wave proposes last wave's mapping as a guess


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
        old = {h for v, e in previous.items() if v != TODO for h in headers_of(e)}
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
        self.todos.append(
            f"{self.path}: {quote(guess[0])} guessed from {quote(old)} (TODO confirm)"
        )
        return guess[0], f"TODO confirm: guessed from {old!r} (score {guess[1]:.0f})"

    def labels(self, old: dict, seen: set[str], variable: Variable) -> CommentedMap:
        """Last wave's labels plus each new label seen, guessed (TODO confirm) or TODO."""
        out = CommentedMap((_dq(k), v) for k, v in old.items())
        for label in sorted(seen - set(old)):
            if variable.type == "likert" and is_int(label):
                continue
            guess = _guess(label, old)
            if guess is None:
                out[_dq(label)] = TODO
                self.todos.append(f"{self.path}.labels: {quote(label)} has no code (TODO)")
            else:
                out[_dq(label)] = old[guess[0]]
                out.yaml_add_eol_comment(f"TODO confirm: guessed from {guess[0]!r}", label)
                self.todos.append(
                    f"{self.path}.labels: {quote(label)} guessed as {old[guess[0]]} (TODO confirm)"
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
        stems = {stem(h) for h in [*old, *headers]}
        for extra in [h for h in self.unclaimed if stem(h) in stems]:
            self.unclaimed.remove(extra)
            headers[_dq(extra)] = TODO
            self.todos.append(f"{self.path}.headers: {quote(extra)} has no option (TODO)")
        return headers

    def _seen(self, new: CommentedMap, old: dict) -> set[str]:
        """The answers in the new wave's columns of an entry (split if it is delimited)."""
        seen: set[str] = set()
        for header in headers_of(new):
            cells = self.data[header][self.data[header] != ""]
            seen |= (
                {t for c in cells for t in tokens(c, str(old["delimiter"]))}
                if "delimiter" in old
                else set(cells)
            )
        return seen

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
            new["labels"] = self.labels(
                {str(k): v for k, v in old["labels"].items()},
                self._seen(new, old),
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
                list(headers_of(old)),
                variable,
            )
            continue
        if len(entry) <= 2 and not {"headers", "labels"} & set(entry) and not entry.ca.items:
            entry.fa.set_flow_style()
        block[variable] = entry
    if drafter.unclaimed:
        block[TODO] = CommentedSeq(_dq(h) for h in drafter.unclaimed)
        drafter.todos += [
            f"{quote(h)} is not mapped to any variable (TODO)" for h in drafter.unclaimed
        ]
    return block, drafter.todos


def _add_wave_to_params(params_file: Path, year: str) -> None:
    """Append `year` to survey.waves in params.yaml, keeping its comments and layout."""
    params = yaml_round_trip().load(params_file.read_text(encoding="utf-8"))
    waves = params["survey"]["waves"]
    if year in [str(w) for w in waves]:
        return
    waves.append(type(waves[0])(year) if waves else year)
    for token in params["survey"].ca.items.get("waves", []):
        if token is not None and waves.fa.flow_style():  # keep an end-of-line comment aligned
            token.column += len(f', "{year}"')
    params_file.write_text(dump_document(params), encoding="utf-8")


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
    folder = layout.survey_dir(raw_dir)
    clashes = [folder / f"{year}{ext}" for ext in EXTENSIONS if (folder / f"{year}{ext}").exists()]
    if clashes:
        raise InputError(clashes[0], f"wave {year} already has an export")
    book = load_codebook(codebook)
    if year in book.waves:
        raise InputError(codebook, f"the codebook already has a block for wave {year}")
    if not book.waves:
        raise InputError(
            codebook, "the codebook has no wave to draft from; write the first wave's block by hand"
        )
    previous = max(book.waves, key=int)
    block, todos = draft_wave(book.waves[previous], read_table(export, []).data, book)
    todos = [t.replace("<new>", year) for t in todos]
    document = load_document(codebook)
    document["waves"][_dq(year)] = block
    document["waves"].yaml_set_comment_before_after_key(
        year,
        before=f"wave {year}: drafted by new-wave from {export.name} (last wave "
        f"{previous}); resolve every TODO, then rerun",
        indent=2,
    )
    text = dump_document(document)
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{year}{export.suffix.lower()}"
    shutil.copyfile(export, dest)
    codebook.write_text(text, encoding="utf-8")
    _add_wave_to_params(params_file, year)
    log.info(
        "new wave %s: export copied to %s; %d TODO entries in %s", year, dest, len(todos), codebook
    )
    return todos
