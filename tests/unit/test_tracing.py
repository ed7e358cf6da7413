"""Tracing a figure or table to the notebook cell, code and data behind it, on a tiny stage."""

import importlib
import inspect
import json
from pathlib import Path

import pytest

from pipeline import tracing

STAGES = {
    "describe": {
        "deps": ["notebooks/describe.ipynb", "data/processed/responses.csv", "pipeline/x.py"],
        "outs": ["data/processed/describe", "reports/figures/describe"],
    },
    "clean": {"deps": ["data/raw"], "outs": ["data/processed/responses.csv"], "metrics": [
        "data/processed/accounting.json"
    ]},
}  # fmt: skip


def _cell(i: int, source: str, kind: str = "code") -> dict:
    return {"id": f"cell-{i}", "cell_type": kind, "source": source.splitlines(True)}


CELLS = [
    _cell(0, '# Writes "rates.csv" in prose only', "markdown"),
    _cell(1, 'rates = response.response_rates(data)\noutputs.write_csv(rates, t / "rates.csv")'),
    _cell(
        2,
        "chart = figures.status_bar(s, *headlines.response(rates))\n"
        'figures.save_chart(chart, charts, "status")',
    ),
]


def test_the_stage_that_writes_a_path_is_found_from_its_outputs():
    assert tracing.producing_stage("data/processed/describe/rates.csv", STAGES) == "describe"
    assert tracing.producing_stage("data/processed/accounting.json", STAGES) == "clean"
    with pytest.raises(KeyError, match="no stage of dvc.yaml writes data/other.csv"):
        tracing.producing_stage("data/other.csv", STAGES)


def test_a_stage_reads_its_processed_dependencies():
    assert tracing.stage_inputs("describe", STAGES) == ["data/processed/responses.csv"]


def test_the_cell_is_the_first_code_cell_naming_the_output():
    assert tracing.find_cell(CELLS, '"rates.csv"')["id"] == "cell-1"  # not the markdown
    assert tracing.find_cell(CELLS, '"none"', '"status")')["id"] == "cell-2"
    with pytest.raises(LookupError):
        tracing.find_cell(CELLS, "absent")


def test_modules_are_those_the_cell_calls_the_chart_by_its_own_module():
    source = "".join(CELLS[2]["source"]) + "\nconfig.check_stage(p)\nnp.random.default_rng(1)"
    assert tracing.modules(source) == [
        "pipeline/figures/foi.py",  # status_bar, not the style module that wraps it
        "pipeline/headlines.py",
        "pipeline/figures/save.py",
    ]


def test_a_figure_is_traced_to_its_cell_code_data_and_inputs(tmp_path):
    stages_dir = tmp_path / "stages"
    stages_dir.mkdir()
    (stages_dir / "describe.ipynb").write_text(json.dumps({"cells": CELLS}), encoding="utf-8")
    figure = {
        "number": 3,
        "title": "Most answered",
        "stage": "describe",
        "stem": "status",
        "csv": "figures/describe/status.csv",
    }
    trace = tracing.figure_trace(figure, STAGES, stages_dir)
    assert (trace.label, trace.anchor, trace.sheet) == (
        "Figure 3",
        "quantitative_section.html#figure-3",
        "Figure 3",
    )
    assert trace.cells == [tracing.Link("describe, cell-2", "stages/describe.html#cell-2")]
    assert tracing.Link("pipeline/figures/foi.py", "../pipeline/figures/foi.py") in trace.code
    assert trace.data == [
        tracing.Link("figures/describe/status.csv", "figures/describe/status.csv")
    ]
    assert trace.inputs == [
        tracing.Link("data/processed/responses.csv", "../data/processed/responses.csv")
    ]
    assert Path(trace.code[0].href[3:]).is_file()


@pytest.mark.parametrize("package", ["models", "figures", "foi", "survey", "geography"])
def test_modules_found_by_reading_source_are_where_the_objects_are_defined(package):
    module = importlib.import_module(f"pipeline.{package}")
    for name in module.__all__:
        target = inspect.unwrap(getattr(module, name))
        if not inspect.isfunction(target):  # a cell's calls, as `CALL` reads them
            continue
        where = Path(inspect.getsourcefile(target)).resolve().relative_to(tracing.ROOT)
        assert tracing.modules(f"{package}.{name}(x)") == [where.as_posix()], name
