"""Adding a survey wave: its export copied in, its codebook block drafted, params.yaml told.

The draft never holds what a respondent typed (the codebook is committed, the TODO list
printed): see `new_wave`.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process, utils
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from pipeline import layout, privacy
from pipeline.errors import InputError
from pipeline.readers import EXTENSIONS, ROW, RawTable, read_table
from pipeline.survey.codebook import (
    Codebook,
    Variable,
    entries_of,
    headers_of,
    load_codebook,
    stem,
)
from pipeline.survey.document import TODO, dump_document, load_document
from pipeline.survey.hints import quote
from pipeline.survey.read import MAX_LABELS, PERSON, is_int, looks_open, redacted, tokens

log = logging.getLogger(__package__)  # one logger for the package: pipeline.survey

GUESS_SCORE = 85  # rapidfuzz score at which new-wave proposes last wave's mapping as a guess
MIN_USES = 2  # respondents who must give a new answer before it is drafted as a label
MAX_GAP = 10  # years after the latest wave beyond which a new wave's year is taken as a typo


def _dq(text: str) -> DoubleQuotedScalarString:
    return DoubleQuotedScalarString(text)


def _guess(text: str, choices: Iterable[str]) -> tuple[str, float] | None:
    best = process.extractOne(
        text, list(choices), scorer=fuzz.WRatio, processor=utils.default_process
    )
    return (best[0], best[1]) if best and best[1] >= GUESS_SCORE else None


def _answers(cells: pd.Series, delimiter: str | None = None) -> Counter[str]:
    """How many respondents gave each answer in a column (each item, if it is delimited)."""
    cells = cells[cells != ""]
    if delimiter is None:
        return Counter(cells)
    return Counter(t for c in cells for t in set(tokens(c, delimiter)))


def _open_kind(cells: pd.Series) -> str:
    """What an open column looks like: contact details (emails, phones, names) or free text."""
    counts = cells[cells != ""].value_counts()
    personal = sum(n for c, n in counts.items() if privacy.redact(c) != c or PERSON.fullmatch(c))
    return "contact details" if personal >= 0.5 * counts.sum() else "free text"


class _Drafter:
    """Drafts one wave's codebook block from the previous wave's, for an export's headers.

    It never writes an answer a respondent typed: labels are drafted only for closed
    questions, and a column of free text or contact details is described by counts.
    """

    def __init__(self, previous: dict, data: pd.DataFrame, codebook: Codebook):
        self.data, self.codebook = data, codebook
        old = {h for v, e in previous.items() if v != TODO for h in headers_of(e)}
        self.exact = old & set(data.columns)
        self.unclaimed = [c for c in data.columns if c != ROW and c not in self.exact]
        self.todos: list[str] = []
        self.path = ""
        self.opens: dict[tuple[str, str | None], bool] = {}
        contact = [
            h for e in entries_of(previous, codebook, "contact").values() for h in headers_of(e)
        ]
        self.names = frozenset(data[[h for h in contact if h in self.exact]].stack()) - {""}

    def _open(self, header: str, delimiter: str | None = None) -> bool:
        """Whether a column looks like free text or contact details (computed once)."""
        if (header, delimiter) not in self.opens:
            seen = _answers(self.data[header], delimiter)
            self.opens[header, delimiter] = looks_open(self.data[header], len(seen))
        return self.opens[header, delimiter]

    def header(self, old: str, closed: str | bool = False) -> tuple[str | None, str | None]:
        """The new header for last wave's `old`, and a TODO comment if it is a guess.

        `closed` (True, or the delimiter of a delimited question) guesses only among columns
        whose answers look like a closed question's.
        """
        if old in self.exact:
            return old, None
        delimiter = closed if isinstance(closed, str) else None
        choices = [c for c in self.unclaimed if not (closed and self._open(c, delimiter))]
        guess = _guess(old, choices)
        if guess is None:
            return None, None
        self.unclaimed.remove(guess[0])
        self.todos.append(
            f"{self.path}: {quote(guess[0])} guessed from {quote(old)} (TODO confirm)"
        )
        return guess[0], f"TODO confirm: guessed from {old!r} (score {guess[1]:.0f})"

    def labels(
        self, old: dict, seen: Counter[str], variable: Variable
    ) -> tuple[CommentedMap, list[str]]:
        """Last wave's labels plus each new answer given by MIN_USES respondents and holding no
        personal data, guessed (TODO confirm) or TODO; and why the other new answers were not
        drafted (counts only)."""
        out = CommentedMap((_dq(k), v) for k, v in old.items())
        new = [s for s in seen if s not in old and not (variable.type == "likert" and is_int(s))]
        if len(new) > MAX_LABELS:
            return out, [f"{len(new)} different answers, too many for a closed question"]
        rare = [s for s in new if seen[s] < MIN_USES]
        personal = [s for s in new if s not in rare and redacted(s, self.names) != s]
        for label in sorted(set(new) - set(rare) - set(personal)):
            guess = _guess(label, old)
            if guess is not None:
                out[_dq(label)] = old[guess[0]]
                out.yaml_add_eol_comment(f"TODO confirm: guessed from {guess[0]!r}", label)
                self.todos.append(
                    f"{self.path}.labels: {quote(label)} guessed as {old[guess[0]]} (TODO confirm)"
                )
            else:
                out[_dq(label)] = TODO
                self.todos.append(f"{self.path}.labels: {quote(label)} has no code (TODO)")
        notes = [
            f"{len(rare)} given by fewer than {MIN_USES} respondents",
            f"{len(personal)} holding personal data",
        ]
        return out, [n for n, k in zip(notes, (rare, personal), strict=True) if k]

    def _grid(self, old: dict) -> CommentedMap:
        headers = CommentedMap()
        for old_header, option in old.items():
            header, note = self.header(str(old_header), closed=True)
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

    def _seen(self, new: CommentedMap, old: dict) -> Counter[str]:
        """How many respondents gave each answer in the new wave's columns of an entry."""
        seen: Counter[str] = Counter()
        delimiter = str(old["delimiter"]) if "delimiter" in old else None
        for header in headers_of(new):
            seen += _answers(self.data[header], delimiter)
        return seen

    def _labelled(self, variable: str, new: CommentedMap, old: dict) -> None:
        """Add the entry's labels, with a TODO counting the answers it does not draft."""
        labels, withheld = self.labels(
            {str(k): v for k, v in old["labels"].items()},
            self._seen(new, old),
            self.codebook.variables[variable],
        )
        new["labels"] = labels
        if withheld:
            note = f"other answers not shown: {'; '.join(withheld)}"
            new.yaml_add_eol_comment(f"TODO: {note}; map them from the export", "labels")
            self.todos.append(f"{self.path}.labels: {note} (TODO)")

    def entry(self, variable: str, old: dict) -> CommentedMap | None:
        """The new wave's entry for `variable`, or None when the export has no such column."""
        self.path = f"waves.<new>.{variable}"
        new = CommentedMap()
        if "headers" in old:
            new["headers"] = self._grid(old["headers"])
            if not new["headers"]:
                return None
        else:
            closed = (str(old.get("delimiter", "")) or True) if "labels" in old else False
            header, note = self.header(str(old["header"]), closed)
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
            self._labelled(variable, new, old)
        return new

    def unplaced(self) -> CommentedSeq:
        """The headers no variable claimed, each open one described by counts, as TODOs."""
        listed = CommentedSeq(_dq(h) for h in self.unclaimed)
        for i, header in enumerate(self.unclaimed):
            cells = self.data[header]
            if not self._open(header):
                self.todos.append(f"{quote(header)} is not mapped to any variable (TODO)")
                continue
            filled = cells[cells != ""]
            counts = (
                f"{len(filled)} answers, {filled.nunique()} different, like {_open_kind(cells)}"
            )
            listed.yaml_add_eol_comment(f"TODO: {counts}", i)
            self.todos.append(
                f"{quote(header)} is not mapped to any variable; it holds {counts}: map it to "
                "a contact or text variable (TODO)"
            )
        return listed


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
        block[TODO] = drafter.unplaced()
    return block, drafter.todos


def _params_with_wave(params_file: Path, year: str) -> str | None:
    """params.yaml's text with `year` appended to survey.waves, comments and layout kept as
    DVC writes them; None if the wave is already listed."""
    yaml = YAML()  # DVC's own settings, so only the waves line changes
    yaml.preserve_quotes, yaml.width = True, 4096
    params = yaml.load(params_file.read_text(encoding="utf-8"))
    waves = params["survey"]["waves"]
    if year in [str(w) for w in waves]:
        return None
    waves.append(type(waves[0])(year) if waves else year)
    for token in params["survey"].ca.items.get("waves", []):
        if token is not None and waves.fa.flow_style():  # keep an end-of-line comment aligned
            token.column += len(f', "{year}"')
    buffer = io.StringIO()
    yaml.dump(params, buffer)
    return buffer.getvalue()


def _check_year(year: str, waves: Iterable[str], codebook: Path) -> None:
    """A new wave's year is after the codebook's latest wave, and at most MAX_GAP years after
    it (not a typo such as 2207)."""
    latest = max(waves, key=int)
    if int(year) <= int(latest):
        raise InputError(
            codebook, f"wave {year} is not after the latest wave, {latest}; new-wave adds the next"
        )
    if int(year) > int(latest) + MAX_GAP:
        raise InputError(
            codebook, f"wave {year} is over {MAX_GAP} years after the latest wave; is it a typo?"
        )


def _write_all(files: dict[Path, str], export: Path, dest: Path) -> None:
    """Copy the export to `dest` and write each file's text, or, if any step fails, put
    everything back as it was."""
    before = {path: path.read_bytes() for path in files}
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(export, dest)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    except BaseException:
        dest.unlink(missing_ok=True)
        for path, content in before.items():
            path.write_bytes(content)
        raise


def _read_export(export: Path) -> RawTable:
    """The new export, read; InputError with one clear message if it is not a readable file."""
    if export.is_dir():
        raise InputError(export, "is a folder; give the survey tool's export file (CSV or Excel)")
    if not export.is_file():
        raise InputError(export, "export not found")
    try:
        table = read_table(export, [])
    except InputError:
        raise
    except (OSError, csv.Error, UnicodeError) as exc:
        raise InputError(export, f"cannot be read ({exc.__class__.__name__}: {exc})") from None
    if table.data.empty:
        raise InputError(export, "the export has a header but no responses", row=table.header_row)
    return table


def new_wave(
    year: str, export: Path, raw_dir: Path, codebook: Path, params_file: Path
) -> list[str]:
    """Add a survey wave: copy its export in, draft its codebook block and list it in params.

    Headers and labels that match the previous wave's exactly are copied; close ones are
    written as guesses with a `# TODO confirm` comment; the rest as `TODO`. A new label is
    drafted only for a closed question (at most MAX_LABELS different answers), only if given by
    at least MIN_USES respondents and holding no personal data (`read.redacted`); the others are
    counted, never shown. Free-text and contact columns are recognised by their answers and
    described only by counts. Nothing a respondent typed
    is written to the codebook or returned. The cleaner stops until every TODO is resolved.
    Returns the TODO list.
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
    _check_year(year, book.waves, codebook)
    previous = max(book.waves, key=int)
    data = _read_export(export).data
    block, todos = draft_wave(book.waves[previous], data, book)
    if set(block) <= {TODO}:
        raise InputError(
            export,
            f"none of its {len(data.columns) - 1} columns is a question of wave {previous}; "
            "is it the survey export?",
        )
    todos = [t.replace("<new>", year) for t in todos]
    document = load_document(codebook)
    document["waves"][_dq(year)] = block
    document["waves"].yaml_set_comment_before_after_key(
        year,
        before=f"wave {year}: drafted by new-wave from {export.name} (last wave "
        f"{previous}); resolve every TODO, then rerun",
        indent=2,
    )
    files = {codebook: dump_document(document)}
    params_text = _params_with_wave(params_file, year)
    if params_text is not None:
        files[params_file] = params_text
    dest = folder / f"{year}{export.suffix.lower()}"
    _write_all(files, export, dest)
    log.info(
        "new wave %s: export copied to %s; %d TODO entries in %s", year, dest, len(todos), codebook
    )
    return todos
