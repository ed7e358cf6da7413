"""dvc.yaml tells the truth: each stage's notebook, code, paths and parameters are declared."""

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from pipeline import config

STAGES = yaml.safe_load(Path("dvc.yaml").read_text(encoding="utf-8"))["stages"]
NOTEBOOKS = sorted(Path("notebooks").glob("*.ipynb"))


def _code_cells(path: Path) -> list[dict]:
    return [
        c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"
    ]


def _pipeline_imports(source: str) -> set[str]:
    """Modules of the pipeline package imported by a piece of source code."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            if node.module == "pipeline":
                found |= {a.name for a in node.names}
            else:
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("pipeline.")}
    return found


def _sources(name: str) -> list[Path]:
    """The files of a top-level pipeline module, or of every module of a subpackage."""
    package = Path("pipeline") / name
    return sorted(package.rglob("*.py")) if package.is_dir() else [package.with_suffix(".py")]


def _closure(modules: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = set(modules)
    while todo:
        name = todo.pop()
        seen.add(name)
        for path in _sources(name):
            todo |= _pipeline_imports(path.read_text(encoding="utf-8")) - seen
    return seen


def _declared(deps: set[str]) -> set[str]:
    """Pipeline modules (pipeline/x.py) and subpackages (pipeline/x) a stage lists as deps."""
    return {
        d.split("/")[1].removesuffix(".py")
        for d in deps
        if d.startswith("pipeline/")
        and d.count("/") == 1
        and d not in ("pipeline/resources", "pipeline/templates")
    }


def test_every_notebook_is_a_stage_and_every_stage_has_a_notebook():
    assert {p.stem for p in NOTEBOOKS} == set(STAGES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_source_notebooks_are_thin_and_stripped(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert cells[0]["cell_type"] == "markdown", "first cell says what the notebook is for"
    code = _code_cells(path)
    assert any("parameters" in c["metadata"].get("tags", []) for c in code)
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None
        tree = ast.parse("".join(cell["source"]))
        assert not [
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.Lambda)
        ], "logic belongs in pipeline/"


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_declares_its_notebook_code_and_paths(name):
    stage = STAGES[name]
    deps = set(stage["deps"])
    outs = {o if isinstance(o, str) else next(iter(o)) for o in stage["outs"]}
    outs |= {next(iter(m)) if isinstance(m, dict) else m for m in stage.get("metrics", [])}
    assert stage["cmd"].split()[:5] == ["python", "-m", "pipeline", "stage", name]
    assert f"notebooks/{name}.ipynb" in deps
    assert {
        f"reports/stages/{name}.ipynb",
        f"reports/stages/{name}.html",
        f"reports/logs/{name}.log",
    } <= outs
    for path in re.findall(r"-p \w+=(\S+)", stage["cmd"]):
        assert any(
            path == d or d.startswith(path.rstrip("/") + "/") or path.startswith(d + "/")
            for d in deps | outs
        ), f"{path} is passed to {name} but not declared"
    source = "\n".join("".join(c["source"]) for c in _code_cells(Path(f"notebooks/{name}.ipynb")))
    used = _closure(_pipeline_imports(source) | {"notebook", "config"})
    declared = _declared(deps)
    assert used <= declared | {"__init__"}, f"{name} uses undeclared modules {used - declared}"
    unused = declared - used - {"__init__"}
    assert not unused, f"{name} declares modules it does not use: {unused}"


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_params_exist(name):
    params = config.load("params.yaml")
    config.select(params, STAGES[name].get("params", []))


def test_make_report_points_to_files_a_stage_writes():
    from pipeline.__main__ import ENTRY_POINTS

    outs = {Path(o) for spec in STAGES.values() for o in spec.get("outs", [])}
    for name in ENTRY_POINTS.values():
        path = Path("reports") / name
        assert path in outs or any(o in path.parents for o in outs), name


def test_the_stamp_reads_only_the_lock_entries_of_stages_upstream(tmp_path, monkeypatch):
    """Entries of the calling stage and of stages beside or after it describe earlier runs."""
    from pipeline import report

    dvc = {
        "a": {"deps": ["data/raw/x.csv"], "outs": ["data/processed/a"]},
        "b": {"deps": ["data/processed/a/t.csv"], "outs": [{"reports/b.html": {"cache": False}}]},
        "c": {"deps": ["data/raw/y.csv"], "metrics": ["data/processed/c.json"]},
        "d": {"deps": ["reports/b.html"], "outs": ["reports/d"]},
    }
    lock = {
        name: {"deps": [{"path": spec["deps"][0], "md5": f"{name}-hash"}]}
        for name, spec in dvc.items()
    }
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump({"stages": dvc}))
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump({"stages": lock}))
    monkeypatch.chdir(tmp_path)
    assert report.upstream("d") == {"a", "b"} and report.upstream("c") == set()
    assert report.stamp({}, Path("dvc.lock"), stage="b")["inputs"] == {"data/raw/x.csv": "a-hash"}


def test_the_report_stage_depends_on_every_input_its_stamp_records():
    """The stamp records the data inputs of the stages upstream as dvc.lock has them; one the
    report stage did not depend on could change, leave the processed tables alone, and leave
    the stamp describing the old input (a fresh build would then differ from dvc.lock)."""
    from pipeline import report

    recorded = {
        d
        for name in report.upstream("report")
        for d in STAGES[name]["deps"]
        if d.startswith(("data/", "${data.raw_dir}")) and not d.startswith("data/processed")
    }
    declared = STAGES["report"]["deps"]
    assert recorded and all(
        any(d == r or r.startswith(d + "/") for d in declared) for r in recorded
    )
