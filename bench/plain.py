"""Scenario 5: the same computation as a cold `dvc repro` in one plain Python process.

Each notebook's code cells run in dvc.yaml's dependency order, the parameters cell replaced
by what papermill would inject; no papermill, kernel, nbconvert or DVC.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
import time
from pathlib import Path


def stage_needs(dvc_file: Path) -> dict[str, set[str]]:
    """For each stage in dvc.yaml, the other stages whose outputs it reads."""
    import yaml

    stages = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]
    outs = {
        s: [next(iter(o)) if isinstance(o, dict) else o for o in spec.get("outs", [])]
        + [next(iter(m)) for m in spec.get("metrics", [])]
        for s, spec in stages.items()
    }
    return {
        s: {
            o
            for o, paths in outs.items()
            if o != s and any(d == p or d.startswith(f"{p}/") for d in spec["deps"] for p in paths)
        }
        for s, spec in stages.items()
    }


def stage_order(dvc_file: Path) -> list[str]:
    """dvc.yaml's stages in an order where each runs after the stages whose outputs it reads."""
    needs = stage_needs(dvc_file)
    order: list[str] = []
    while len(order) < len(needs):
        ready = [s for s in needs if s not in order and needs[s] <= set(order)]
        if not ready:
            raise SystemExit(f"{dvc_file}: the stages form a cycle")
        order.append(ready[0])
    return order


def downstream(dvc_file: Path, changed: set[str]) -> set[str]:
    """The stages that rerun when `changed` do: those and every stage reading their outputs."""
    needs, found = stage_needs(dvc_file), set(changed)
    while more := {s for s, n in needs.items() if n & found} - found:
        found |= more
    return found


def stage_inputs(stage: str, spec: dict, params: object) -> dict[str, object]:
    """What papermill would inject into a stage's notebook: params, log_file and the -p paths."""
    from pipeline import config

    args = shlex.split(spec["cmd"])
    paths = dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "-p")
    return {
        "params": config.select(params, spec.get("params", [])),
        "log_file": f"reports/logs/{stage}.log",
        **paths,
    }


def run_plain() -> None:
    """Execute every stage notebook's code cells in one Python process, in dependency order.

    No papermill, kernel, nbconvert or DVC: the parameters cell is replaced by the values
    papermill would inject, and each notebook's code runs in its own namespace.
    """
    # the copy's pipeline package, as `python -m` would use
    sys.path.insert(0, os.getcwd())
    import matplotlib.pyplot as plt
    import nbformat
    import yaml

    from pipeline import config

    params = config.load("params.yaml")
    stages = yaml.safe_load(Path("dvc.yaml").read_text(encoding="utf-8"))["stages"]
    Path("reports/logs").mkdir(parents=True, exist_ok=True)
    for stage in stage_order(Path("dvc.yaml")):
        start = time.perf_counter()
        nb = nbformat.read(f"notebooks/{stage}.ipynb", as_version=4)
        namespace: dict[str, object] = {"__name__": "__main__"}
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(stage_inputs(stage, stages[stage], params))
            else:
                exec(compile(cell.source, f"{stage}.ipynb[{i}]", "exec"), namespace)
        plt.close("all")
        sys.stderr.write(f"plain stage {stage}: {time.perf_counter() - start:.1f} s\n")


def processed_files(repo: Path) -> dict[str, str]:
    """The SHA-256 of every file under data/processed, by path."""
    folder = repo / "data" / "processed"
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def same_outputs(dvc_files: dict[str, str], plain_repo: Path) -> str:
    """How many of the plain run's data/processed files match the cold DVC run's, byte for byte."""
    plain_files = processed_files(plain_repo)
    same = [k for k in plain_files if dvc_files.get(k) == plain_files[k]]
    differ = sorted(set(plain_files) - set(same))
    text = f"{len(same)} of {len(plain_files)} data/processed files identical to (1)'s"
    return text + (f"; differ: {', '.join(differ)}" if differ else "")
