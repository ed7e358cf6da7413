"""The codebook as YAML text: reading it with clear errors, writing it back, finding its lines.

The codebook is hand-maintained YAML 1.2 with comments, so it is read and written with one
round-trip YAML reader/writer that keeps them (params.yaml is edited with it too). A syntax
error or a duplicated key stops with an InputError naming the file and the line; `line_of`
gives the line of any key, for messages about the codebook's content.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import YAMLError

from pipeline.errors import InputError

TODO = "TODO"


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


def load_document(path: Path) -> Any:
    """The codebook as an editable YAML document; InputError naming the line if it is not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(path, "the codebook is not UTF-8 text") from None
    try:
        return yaml_round_trip().load(text)
    except DuplicateKeyError as exc:
        raise InputError(path, _duplicate_key(text, exc)) from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise InputError(path, f"not valid YAML{where}: {problem}") from None


def dump_document(document: Any) -> str:
    """A YAML document as text, comments and layout kept."""
    buffer = io.StringIO()
    yaml_round_trip().dump(document, buffer)
    return buffer.getvalue()


def _duplicate_key(text: str, exc: DuplicateKeyError) -> str:
    """Which key appears twice, as a key path (waves.2021.org_type), and on which line."""
    found = re.search(r'duplicate key "(.*?)" with value "', exc.problem or "")
    key = found.group(1) if found else "a key"
    yaml = yaml_round_trip()
    yaml.allow_duplicate_keys = True
    start = exc.context_mark
    parent = _path_to(yaml.load(text), (start.line, start.column)) if start else None
    if parent is not None:
        key = key_path([*parent, key])
    return (
        f"{key} (line {exc.problem_mark.line + 1}) appears twice; a key may appear only once "
        "in a mapping, so keep one"
    )


def _path_to(node: Any, start: tuple[int, int], path: tuple = ()) -> tuple | None:
    """The key path of the mapping that starts at (line, column), both 0-based, if any."""
    if isinstance(node, CommentedMap):
        if (node.lc.line, node.lc.col) == start:
            return path
        children = node.items()
    elif isinstance(node, CommentedSeq):
        children = enumerate(node)
    else:
        return None
    for key, child in children:
        found = _path_to(child, start, (*path, key))
        if found is not None:
            return found
    return None


def key_path(keys: Sequence[Any]) -> str:
    """Keys as a dotted path, quoting any with spaces or punctuation: waves.2021.x."Q - A"."""
    return ".".join(
        str(k) if re.fullmatch(r"[\w-]+", str(k)) else '"' + str(k).replace('"', '\\"') + '"'
        for k in keys
    )


def line_of(document: Any, keys: Sequence[Any]) -> int | None:
    """The 1-based line of the deepest key of `keys` (a path into `document`) it has."""
    node, line = document, None
    for key in keys:
        if isinstance(node, CommentedMap):
            found = next((k for k in node if str(k) == str(key)), None)
            if found is None:
                break
            line, node = node.lc.key(found)[0] + 1, node[found]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line, node = node.lc.item(key)[0] + 1, node[key]
        else:
            break
    return line


def _wave_key(waves: dict, wave: str) -> Any:
    """The key of `wave` in the codebook's waves mapping (written "2021" or 2021)."""
    return next((k for k in waves if str(k) == wave), None)


def todo_lines(path: Path, waves: Iterable[str]) -> list[str]:
    """Entries of the listed waves' codebook blocks that still carry a TODO.

    A TODO counts as a value or as an end-of-line comment (`# TODO confirm`); whole-line
    comments are notes and never block the run.
    """
    data = load_document(path) or {}
    found = []
    for wave in waves:
        key = _wave_key(data.get("waves") or {}, wave)
        if key is None:
            continue
        lines = dump_document({key: data["waves"][key]}).splitlines()[1:]
        found += [
            f"wave {wave}: {line.strip()}"
            for line in lines
            if TODO in line and not line.lstrip().startswith("#")
        ]
    return found
