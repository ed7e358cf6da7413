"""Where each published figure and table comes from, for the reviewer index.

For each figure and table, by its number: the cell of the stage notebook that made it (the
executed notebook's HTML, whose cells have stable anchors ``cell-<i>``), the code modules that
cell calls, the data file published with it, and the processed tables the stage read (its
dvc.yaml dependencies under data/processed). Every link is relative to the reports folder.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

import yaml

import pipeline

ROOT = Path(pipeline.__file__).resolve().parents[1]
PROCESSED = "data/processed"
# Modules every stage calls for plumbing, not for what a figure or table says.
PLUMBING = {"config", "notebook", "outputs", "schemas"}
CALL = re.compile(r"\b([a-z_]+)\.([a-z_]\w*)\(")


class Link(NamedTuple):
    """One link of the index: its text and where it points (relative to reports/)."""

    text: str
    href: str


class Trace(NamedTuple):
    """Everything behind one figure or table."""

    label: str
    title: str
    anchor: str
    sheet: str
    cells: list[Link]
    code: list[Link]
    data: list[Link]
    inputs: list[Link]


def _stages(dvc_file: Path) -> dict[str, dict[str, Any]]:
    return yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]


def producing_stage(path: str, stages: dict[str, dict[str, Any]]) -> str:
    """The stage that writes `path` (an output, or inside an output folder)."""
    for name, spec in stages.items():
        for out in [*spec.get("outs", []), *spec.get("metrics", [])]:
            out = out if isinstance(out, str) else next(iter(out))
            if path == out or path.startswith(out.rstrip("/") + "/"):
                return name
    raise KeyError(f"no stage of dvc.yaml writes {path}")


def stage_inputs(stage: str, stages: dict[str, dict[str, Any]]) -> list[str]:
    """The processed tables a stage reads: its dependencies under data/processed."""
    deps = stages[stage].get("deps", [])
    return [d for d in deps if isinstance(d, str) and d.startswith(PROCESSED + "/")]


def _cells(stage: str, stages_dir: Path) -> list[dict[str, Any]]:
    executed = stages_dir / f"{stage}.ipynb"
    return json.loads(executed.read_text(encoding="utf-8"))["cells"]


def find_cell(cells: list[dict[str, Any]], *needles: str) -> dict[str, Any]:
    """The first code cell whose source holds every needle (tried in turn: the first needle
    set that some cell holds wins)."""
    for needle in needles:
        for cell in cells:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and needle in source:
                return cell
    raise LookupError(f"no code cell mentions any of {needles}")


def modules(source: str) -> list[str]:
    """The pipeline modules a cell calls (`response.response_rates(` -> pipeline/response.py;
    `figures.status_bar(` -> the chart's own module), as paths from the repository root.

    Found by reading the modules' source, not importing them, so that the report stage does
    not load the statistics and plotting libraries the other stages use."""
    found = [
        _defining_file(f"pipeline.{package}", name)
        for package, name in CALL.findall(source)
        if package not in PLUMBING
    ]
    return list(dict.fromkeys(f.relative_to(ROOT).as_posix() for f in found if f))


def _defining_file(module: str, name: str) -> Path | None:
    """The file of pipeline `module` (dotted) that defines `name`, following re-exports and,
    in a package that imports its modules lazily, looking through its modules."""
    base = ROOT.joinpath(*module.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    if not path.exists():
        return None
    defined, imported = _names(path)
    if name in imported and name not in defined:
        return _defining_file(*imported[name])
    if base.is_dir() and name not in defined:
        return next((p for p in sorted(base.glob("*.py")) if name in _names(p)[0]), path)
    return path


@functools.cache
def _names(path: Path) -> tuple[set[str], dict[str, tuple[str, str]]]:
    """The functions and classes a module defines, and the names it imports from other
    pipeline modules, each mapped to (that module, its name there)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    imported = {
        alias.asname or alias.name: (node.module, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline.")
        for alias in node.names
    }
    return defined, imported


def _links(paths: list[str]) -> list[Link]:
    return [Link(path, f"../{path}") for path in paths]


def _cell_links(stage: str, cell: dict[str, Any]) -> list[Link]:
    return [Link(f"{stage}, {cell['id']}", f"stages/{stage}.html#{cell['id']}")]


def figure_trace(figure: dict[str, Any], stages: dict, stages_dir: Path) -> Trace:
    """The trace of one figure of the section (`report.figure`'s dict)."""
    stage, stem = figure["stage"], figure["stem"]
    cell = find_cell(_cells(stage, stages_dir), f'"{stem}")', f'"{stem}"')
    return Trace(
        f"Figure {figure['number']}",
        figure["title"],
        f"quantitative_section.html#figure-{figure['number']}",
        f"Figure {figure['number']}",
        _cell_links(stage, cell),
        _links(modules("".join(cell["source"]))),
        [Link(figure["csv"], figure["csv"])],
        _links(stage_inputs(stage, stages)),
    )


def table_trace(table: Any, sources: tuple[str, ...], stages: dict, stages_dir: Path) -> Trace:
    """The trace of one table: the cells that wrote each of its `sources` (paths under
    data/processed), their code and the section's table code."""
    cells, code, inputs = [], [], []
    for source in sources:
        stage = producing_stage(f"{PROCESSED}/{source}", stages)
        name = Path(source).name
        stem = Path(source).stem
        needles = (f'"{name}"', stem, f'"{stem.split("_", 1)[-1]}"')
        cell = find_cell(_cells(stage, stages_dir), *needles)
        cells += _cell_links(stage, cell)
        code += modules("".join(cell["source"]))
        inputs += stage_inputs(stage, stages)
    number = table.sheet.split()[-1]
    return Trace(
        table.sheet,
        table.title,
        f"quantitative_section.html#table-{number}",
        table.sheet,
        list(dict.fromkeys(cells)),
        _links(list(dict.fromkeys([*code, "pipeline/section_tables.py"]))),
        _links([f"{PROCESSED}/{s}" for s in sources if Path(PROCESSED, s).exists()]),
        _links(list(dict.fromkeys(inputs))),
    )


def traces(
    context: dict[str, Any], stages_dir: Path, dvc_file: Path = Path("dvc.yaml")
) -> list[Trace]:
    """Every figure, then every table, of the section's `context` (`section.build`)."""
    stages = _stages(dvc_file)
    figures = [figure_trace(f, stages, stages_dir) for f in context["figures"].values()]
    tables = [
        table_trace(table, context["sources"][key], stages, stages_dir)
        for key, table in context["tables"].items()
    ]
    return figures + sorted(tables, key=lambda t: int(t.label.split()[-1]))
