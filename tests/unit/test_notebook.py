"""Running a stage: the parameters it receives are exactly those dvc.yaml declares, and the
executed copy is cleaned of timestamps and random ids so that reruns match. Papermill and
the kernel are replaced by stubs, so no kernel starts."""

import copy
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

from pipeline import notebook
from pipeline.errors import ParamsError

ROOT = Path(__file__).resolve().parents[2]

# A notebook as papermill leaves it: run metadata with timestamps, random cell ids.
EXECUTED = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "papermill": {"start_time": "2024-05-01T10:00:00.1", "duration": 1.5, "version": "2.7.0"},
    },
    "cells": [
        {
            "cell_type": "markdown",
            "id": "f3a9c1d2",
            "metadata": {"papermill": {"status": "completed"}},
            "source": "# Stage: test",
        },
        {
            "cell_type": "code",
            "id": "0b7e44aa",
            "metadata": {
                "tags": ["parameters"],
                "execution": {"iopub.execute_input": "2024-05-01T10:00:00.2"},
                "papermill": {"duration": 0.01, "start_time": "2024-05-01T10:00:00.2"},
            },
            "execution_count": 1,
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "42\n"},
            ],
            "source": "print(42)",
        },
    ],
}


def _rerun(executed: dict) -> dict:
    """The same notebook run again later: other timestamps and other random ids."""
    again = copy.deepcopy(executed)
    again["metadata"]["papermill"]["start_time"] = "2024-06-09T08:30:00.7"
    for i, cell in enumerate(again["cells"]):
        cell["id"] = f"{i}e9d0c3b"
        cell["metadata"].get("papermill", {})["duration"] = 9.9
        cell["metadata"].get("execution", {})["iopub.execute_input"] = "2024-06-09T08:30:01"
    return again


def test_normalise_drops_timestamps_and_numbers_the_cells():
    nb = notebook.normalise(nbformat.from_dict(copy.deepcopy(EXECUTED)))
    assert "papermill" not in nb.metadata and nb.metadata.kernelspec.name == "python3"
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1"]
    assert nb.cells[0].metadata == {}
    assert nb.cells[1].metadata == {"tags": ["parameters"]}
    assert nb.cells[1].outputs[0].text == "42\n" and nb.cells[1].execution_count == 1


def test_two_runs_of_a_notebook_normalise_to_the_same_bytes():
    first, second = (nbformat.from_dict(copy.deepcopy(n)) for n in (EXECUTED, _rerun(EXECUTED)))
    assert nbformat.writes(first) != nbformat.writes(second)
    assert nbformat.writes(notebook.normalise(first)) == nbformat.writes(notebook.normalise(second))


def test_html_export_shows_the_code_and_loads_nothing_from_elsewhere():
    html = notebook.export_html(notebook.normalise(nbformat.from_dict(copy.deepcopy(EXECUTED))))
    assert "print" in html and "42" in html
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html)


def test_html_export_gives_each_cell_its_stable_anchor():
    html = notebook.export_html(notebook.normalise(nbformat.from_dict(copy.deepcopy(EXECUTED))))
    cells = re.findall(r'<div class="jp-Cell[^"]*" id="(cell-\d+)">', html)
    assert cells == ["cell-0", "cell-1"]
    assert "cell-id=" not in html


def test_stage_spec_reads_the_stage_or_names_the_stages_there_are(tmp_path):
    dvc = tmp_path / "dvc.yaml"
    dvc.write_text("stages:\n  a:\n    cmd: x\n  b:\n    cmd: y\n    params: [report]\n")
    assert notebook.stage_spec("b", dvc) == {"cmd": "y", "params": ["report"]}
    with pytest.raises(notebook.StageError, match=r"no stage 'c' \(stages: a, b\)"):
        notebook.stage_spec("c", dvc)


REPORT = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))["report"]


@pytest.fixture
def stage_dir(tmp_path, monkeypatch):
    """A working folder with a one-stage dvc.yaml and a params.yaml of known values."""
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["report"] |= {"title": "T", "synthetic": False, "release_date": "2026-01-31"}
    params["disclosure"]["round_to"] = 10
    params["model"]["reference_region"] = "E12000001"
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params), encoding="utf-8")
    declared = ["report", "disclosure.round_to", "model.reference_region"]
    stages = {"stages": {"report": {"cmd": "python -m pipeline stage report", "params": declared}}}
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(stages), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for var in notebook.SINGLE_THREAD:
        monkeypatch.delenv(var, raising=False)
    return tmp_path


class FakeKernel:
    """Stands in for the kernel `run_stage` starts before papermill runs the notebook."""

    def __init__(self):
        self.stopped = False


@pytest.fixture
def kernel(monkeypatch):
    """The kernel a stage starts: a stub, and a check that it is stopped."""
    started = FakeKernel()
    monkeypatch.setattr(notebook, "start_kernel", lambda: started)
    monkeypatch.setattr(notebook, "stop_kernel", lambda km: setattr(km, "stopped", True))
    return started


def test_run_stage_passes_exactly_the_declared_parameters_and_cleans_the_copy(
    stage_dir, kernel, monkeypatch
):
    calls = []

    def execute(input_path, output_path, parameters, **kwargs):
        assert kwargs["km"] is kernel and not kernel.stopped  # runs in the kernel started first
        calls.append((input_path, output_path, parameters))
        nbformat.write(nbformat.from_dict(copy.deepcopy(EXECUTED)), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    out = notebook.run_stage(
        "report", {"processed_dir": "p", "reports_dir": "r"}, stage_dir / "params.yaml"
    )
    assert calls == [
        (
            "notebooks/report.ipynb",
            "reports/stages/report.ipynb",
            {
                "params": {
                    "report": {
                        **REPORT,
                        "title": "T",
                        "synthetic": False,
                        "release_date": "2026-01-31",
                    },
                    "disclosure": {"round_to": 10},
                    "model": {"reference_region": "E12000001"},
                },
                "log_file": "reports/logs/report.log",
                "processed_dir": "p",
                "reports_dir": "r",
            },
        )
    ]
    assert out == Path("reports/stages/report.ipynb")
    written = nbformat.read(out, as_version=4)
    assert "papermill" not in written.metadata and written.cells[1].id == "cell-1"
    assert (stage_dir / "reports/stages/report.html").exists()
    assert (stage_dir / "reports/logs").is_dir()
    assert all(os.environ[var] == "1" for var in notebook.SINGLE_THREAD)
    assert kernel.stopped


def test_a_failed_cell_becomes_a_stage_error_with_the_reason(stage_dir, kernel, monkeypatch):
    def execute(input_path, output_path, parameters, **kwargs):
        raise papermill.PapermillExecutionError(2, 1, "x", "ValueError", "bad round", [])

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    with pytest.raises(notebook.StageError) as caught:
        notebook.run_stage("report", {}, stage_dir / "params.yaml")
    assert str(caught.value) == (
        "stage report stopped: ValueError: bad round\n"
        "(the executed notebook with the full traceback is reports/stages/report.ipynb)"
    )
    assert kernel.stopped


def test_bad_parameters_stop_the_stage_and_its_kernel(stage_dir, kernel, monkeypatch):
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("ran"))
    params = stage_dir / "params.yaml"
    params.write_text(params.read_text().replace("round_to: 10", "round_to: 0"))
    with pytest.raises(ParamsError, match="round_to"):
        notebook.run_stage("report", {}, params)
    assert kernel.stopped


def test_the_kernel_loads_no_runner_libraries_with_this_module():
    """Every stage's kernel imports this module for `start_logging`."""
    code = (
        "import sys; from pipeline import notebook; "
        "print(sorted({'papermill', 'nbformat', 'nbconvert', 'jupyter_client'} & set(sys.modules)))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert found.stdout.strip() == "[]", found.stderr


@pytest.fixture
def root_logging():
    """Restore the root logger after a test replaces its handlers."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers, root.level = handlers, level
    logging.captureWarnings(False)


def test_stage_log_has_no_timestamps_and_starts_afresh_on_rerun(tmp_path, root_logging):
    log_file = tmp_path / "stage.log"
    for rerun in (1, 2):
        notebook.start_logging(log_file, {"model": {"seed": 1}})
        logging.getLogger("pipeline.test").warning("rerun %d", rerun)
        logging.getLogger().handlers[0].close()
    assert log_file.read_text(encoding="utf-8") == (
        "INFO pipeline.notebook: parameters: {'model': {'seed': 1}}\n"
        "WARNING pipeline.test: rerun 2\n"
    )
