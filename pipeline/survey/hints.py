"""Messages that say exactly what to add to the codebook when an export does not match it."""

from __future__ import annotations

import json

from pipeline.survey.codebook import Codebook, Variable, headers_of, stem
from pipeline.survey.document import TODO
from pipeline.taxonomy import DONT_KNOW


def quote(text: str) -> str:
    """Text in double quotes, as YAML and the messages write it."""
    return json.dumps(text, ensure_ascii=False)


def _yaml_hint(wave: str, variable: str, key: str | None, item: str, target: str) -> str:
    lines = ["    waves:", f"      {quote(wave)}:", f"        {variable}:"]
    if key is None:
        lines[-1] += f" {{header: {quote(item)}}}"
    else:
        lines += [f"          {key}:", f"            {quote(item)}: {target}"]
    return "\n".join(lines)


def unmapped_header(wave: str, file: str, header: str, block: dict, codebook: Codebook) -> str:
    """An export header the wave's block lacks, with the YAML that would map it."""
    for variable, entry in block.items():
        if (
            variable != TODO
            and "headers" in entry
            and any(stem(h) == stem(header) for h in headers_of(entry))
        ):
            options = ", ".join(codebook.variables[variable].codes)
            hint = _yaml_hint(wave, variable, "headers", header, f"<option: one of {options}>")
            break
    else:
        hint = _yaml_hint(wave, "<variable>", None, header, "")
    return f"- wave {wave}, {file}: header {quote(header)} is not in the codebook. Add:\n{hint}"


def rows_text(rows: list[int]) -> str:
    """Spreadsheet rows as a message gives them: 'row 4', 'rows 2-5, 9'."""
    runs: list[list[int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
    return f"row {text}" if len(set(rows)) == 1 else f"rows {text}"


def unmapped_label(
    wave: str, file: str, header: str, rows: str, label: str, variable: Variable
) -> str:
    """An answer label the wave's block lacks, where it is, and the YAML that would map it."""
    codes = list(variable.codes)
    if variable.type == "likert":
        codes = [str(i) for i in range(1, len(variable.levels) + 1)] + [DONT_KNOW]
    hint = _yaml_hint(wave, variable.name, "labels", label, f"<one of {', '.join(codes)}>")
    return (
        f"- wave {wave}, {file}, {rows}, column {quote(header)}: label {quote(label)} "
        f"({variable.name}) is not in the codebook. Add:\n{hint}"
    )


def not_a_tick(
    wave: str, file: str, header: str, rows: str, value: str, spec: Variable, option: str
) -> str:
    """A one-column-per-option cell that is neither a tick nor no tick."""
    return (
        f"- wave {wave}, {file}, {rows}, column {quote(header)}: {quote(value)} is neither a "
        f"tick (1, Yes, TRUE, x, ✓, or the option's label or code) nor no tick (blank, 0, No, "
        f"FALSE, Not selected); correct the export or, if it is a tick, add to "
        f"waves.{quote(wave)}.{spec.name}.labels: {quote(value)}: {option}"
    )


def missing_column(wave: str, file: str, header: str, variable: str) -> str:
    """A header the wave's block maps that the export lacks."""
    return (
        f"- wave {wave}, {file}: the codebook maps header {quote(header)} "
        f"({variable}) but the export has no such column; fix waves."
        f"{quote(wave)}.{variable} in the codebook"
    )


def unknown_option(wave: str, header: str, option: str, spec: Variable) -> str:
    """A column the wave's block maps to an option its variable does not have."""
    return (
        f"- wave {wave}: waves.{quote(wave)}.{spec.name}.headers maps "
        f"{quote(header)} to {option!r}, which is not an option of "
        f"{spec.name} ({', '.join(spec.codes)}); if it is a new option, add it "
        f"to variables.{spec.name}.options"
    )


def unknown_code(wave: str, label: str, code: str, spec: Variable) -> str:
    """A label the wave's block maps to a code its variable does not have."""
    return (
        f"- wave {wave}: waves.{quote(wave)}.{spec.name}.labels maps "
        f"{quote(label)} to {code!r}, which is not a code of {spec.name}" + _new_code_hint(spec)
    )


def _new_code_hint(spec: Variable) -> str:
    """How to add a code that a wave's labels use but the variable lacks."""
    if spec.type == "likert":
        return f" (likert labels map to 1-{len(spec.levels)} or {DONT_KNOW})"
    kind, key = ("answer", "codes") if spec.type == "single" else ("option", "options")
    return f"; if it is a new {kind}, add it to variables.{spec.name}.{key}"
