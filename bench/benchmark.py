"""Benchmark the pipeline: time, CPU, memory and the stages that reran, per scenario.

Run `make bench` (or `.venv/bin/python bench/benchmark.py`). Every run happens in temporary
copies of the repository, never in the working tree. The results table is printed and
written to bench/results/latest.md. This is not a test: it fails only when a command fails.
See bench/README.md for the scenarios and their targets.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "latest.md"
SAMPLE_EVERY = 0.05  # seconds between memory samples of the process tree
MB = 1024 * 1024
SEED = 20240501
NEW_WAVE = "2027"  # scenario 4's wave: the last example wave's questions, a normal volume
NEW_WAVE_ORGS = 120  # the example waves have 60 to 150 organisations
SURVEY_STAGES = {"clean_survey", "survey_waves", "report"}

log = logging.getLogger("bench")


@dataclass
class Run:
    """One measured command."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the command and every descendant
    tree_peak: float  # MB: the largest sampled sum of RSS over the whole process tree
    largest: float  # MB: the largest single process (ru_maxrss from wait4)
    output: str
    stage_wall: dict[str, float] = field(default_factory=dict)  # seconds each stage ran

    @property
    def ran(self) -> list[str]:
        """Stages dvc ran, in order."""
        return re.findall(r"Running stage '([\w-]+)'", self.output)


@dataclass
class Row:
    """One line of the results table."""

    scenario: str
    run: Run
    target: str = ""
    met: bool | None = None
    note: str = ""


# --- measuring ----------------------------------------------------------------------------------


def _stage_of(cmdline: list[str]) -> str | None:
    """The stage a `python -m pipeline stage NAME` process runs, else None."""
    for i, arg in enumerate(cmdline[:-2]):
        if arg == "pipeline" and cmdline[i + 1] == "stage":
            return cmdline[i + 2]
    return None


def _sample(pid: int, stop: threading.Event, peak: list[float], stages: dict) -> None:
    """Sum the RSS of `pid` and its descendants until `stop`; note when each stage runs."""
    import psutil

    while not stop.is_set():
        try:
            procs = [psutil.Process(pid)]
            procs += procs[0].children(recursive=True)
        except psutil.Error:
            break
        total, now = 0, time.perf_counter()
        for proc in procs:
            try:  # not cached by pid: a child's cmdline is its parent's until it calls exec
                total += proc.memory_info().rss
                stage = _stage_of(proc.cmdline())
            except psutil.Error:
                continue
            if stage:
                stages[stage] = (stages.get(stage, (now, now))[0], now)
        peak[0] = max(peak[0], total / MB)
        stop.wait(SAMPLE_EVERY)


def measure(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `args` in `cwd`; raise SystemExit (with its output) if it fails."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        stop, peak, stages = threading.Event(), [0.0], {}
        sampler = threading.Thread(target=_sample, args=(proc.pid, stop, peak, stages))
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {cwd} ({proc.returncode}):\n{output}")
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        tree_peak=peak[0],
        largest=usage.ru_maxrss / 1024,  # kB on Linux
        output=output,
        stage_wall={k: b - a for k, (a, b) in stages.items()},
    )


def median_run(runs: list[Run]) -> Run:
    """The run with the median wall time."""
    return sorted(runs, key=lambda r: r.wall)[len(runs) // 2]


# --- the repository copy ------------------------------------------------------------------------


def copy_repo(dst: Path) -> Path:
    """A clean copy of the repository's committed and untracked, not ignored files, committed."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dst / rel)
    _commit(dst, "snapshot", init=True)
    return dst


def _commit(repo: Path, message: str, init: bool = False) -> None:
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    if init:
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", message], cwd=repo, check=True)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path}: expected {old!r}")
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- the plain-Python run (scenario 5) ----------------------------------------------------------


def stage_order(dvc_file: Path) -> list[str]:
    """dvc.yaml's stages in an order where each runs after the stages whose outputs it reads."""
    import yaml

    stages = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]
    outs = {
        s: [next(iter(o)) if isinstance(o, dict) else o for o in spec.get("outs", [])]
        + [next(iter(m)) for m in spec.get("metrics", [])]
        for s, spec in stages.items()
    }
    needs = {
        s: {
            o
            for o, paths in outs.items()
            if o != s and any(d == p or d.startswith(f"{p}/") for d in spec["deps"] for p in paths)
        }
        for s, spec in stages.items()
    }
    order: list[str] = []
    while len(order) < len(stages):
        ready = [s for s in stages if s not in order and needs[s] <= set(order)]
        if not ready:
            raise SystemExit(f"{dvc_file}: the stages form a cycle")
        order.append(ready[0])
    return order


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
    sys.path.insert(0, os.getcwd())  # the copy's pipeline package, as `python -m` would use
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


# --- scenarios ----------------------------------------------------------------------------------


def scenarios(work: Path, scale_waves: int, scale_orgs: int) -> tuple[list[Row], dict[str, str]]:
    """Run every scenario; return the table rows and facts for the header."""
    import scaled_survey

    from pipeline import layout

    rows, facts = [], {}
    repo = copy_repo(work / "repo")
    reference = repo / "data" / "reference"
    log.info("1/6 cold dvc repro in %s", repo)
    cold = measure(["dvc", "repro"], repo)
    _commit(repo, "cold run")
    cold_outputs = processed_files(repo)
    rows.append(Row("1. cold `dvc repro`", cold, "<= 2.0 x plain (5)"))

    log.info("2/6 dvc status and no-op dvc repro, three times each")
    status = median_run([measure(["dvc", "status"], repo) for _ in range(3)])
    noop = median_run([measure(["dvc", "repro"], repo) for _ in range(3)])
    ok = noop.wall <= 1.2 * status.wall and not noop.ran
    rows.append(Row("2a. `dvc status` (median of 3)", status))
    rows.append(
        Row(
            "2b. no-op `dvc repro` (median of 3)",
            noop,
            "<= 1.2 x `dvc status`, nothing reruns",
            ok,
            f"{noop.wall / status.wall:.2f} x status",
        )
    )

    log.info("3/6 model.family=poisson")
    params = repo / "params.yaml"
    _replace(params, "family: auto", "family: poisson")
    changed = measure(["dvc", "repro"], repo)
    ok = set(changed.ran) == {"model_provision", "report"}
    rows.append(
        Row("3. `model.family=poisson`, `dvc repro`", changed, "model_provision, report", ok)
    )
    _replace(params, "family: poisson", "family: auto")
    back = measure(["dvc", "repro"], repo)
    restored = re.findall(r"Stage '([\w-]+)' is cached", back.output)
    rows.append(
        Row(
            "3b. parameter reverted, `dvc repro`",
            back,
            note=f"restored from the run cache: {', '.join(restored) or 'none'}",
        )
    )

    log.info("4/6 a new survey wave %s", NEW_WAVE)
    exports = work / "exports"
    exports.mkdir()
    rng = np.random.default_rng(SEED)
    scaled_survey.write_waves(exports, reference, [NEW_WAVE], NEW_WAVE_ORGS, rng)
    added = measure(
        ["python", "-m", "pipeline", "new-wave", NEW_WAVE, str(exports / f"{NEW_WAVE}.csv")], repo
    )
    if "TODO:" in added.output:
        raise SystemExit(f"new-wave left TODO entries:\n{added.output}")
    wave = measure(["dvc", "repro"], repo)
    _commit(repo, "new wave")
    rows.append(
        Row(
            f"4. new wave {NEW_WAVE} ({NEW_WAVE_ORGS} orgs), `dvc repro`",
            wave,
            "clean_survey, survey_waves, report",
            set(wave.ran) == SURVEY_STAGES,
        )
    )

    log.info("5/6 the same computation as one plain Python process")
    plain_repo = copy_repo(work / "plain")
    plain = measure(
        [sys.executable, str(Path(__file__).resolve()), "--plain"],
        plain_repo,
        env={"MPLBACKEND": "Agg"},
    )
    plain.stage_wall = {
        s: float(w) for s, w in re.findall(r"plain stage (\w+): ([\d.]+) s", plain.output)
    }
    rows.append(
        Row("5. plain Python, one process", plain, note=_same_outputs(cold_outputs, plain_repo))
    )
    rows[0].met = cold.wall <= 2.0 * plain.wall
    rows[0].note = f"{cold.wall / plain.wall:.2f} x plain (CPU {cold.cpu / plain.cpu:.2f} x)"

    log.info("6/6 %d waves of %d organisations", scale_waves, scale_orgs)
    years = [str(2031 + i) for i in range(scale_waves)]
    example = repo / "data" / "example"
    start = time.perf_counter()
    written = scaled_survey.write_waves(
        layout.survey_dir(example), reference, years, scale_orgs, rng
    )
    scaled_survey.add_codebook_blocks(layout.codebook_path(example), years)
    scaled_survey.set_waves(params, years)
    facts["scale"] = (
        f"{len(years)} waves ({years[0]}-{years[-1]}) of {scale_orgs:,} organisations: "
        f"{written:,} export rows (one duplicate submission and one blank row per wave), "
        f"generated in {time.perf_counter() - start:.0f} s (not counted)"
    )
    big = measure(["dvc", "repro"], repo)
    ok = set(big.ran) == SURVEY_STAGES and big.wall <= 3 * wave.wall and big.tree_peak <= 1536
    rows.append(
        Row(
            f"6. {scale_waves * scale_orgs:,} responses in {scale_waves} waves, `dvc repro`",
            big,
            "clean_survey, survey_waves, report; <= 3 x (4); <= 1.5 GB",
            ok,
            f"{big.wall / wave.wall:.1f} x (4) wall, {big.cpu / wave.cpu:.1f} x (4) CPU",
        )
    )
    return rows, facts


def _same_outputs(dvc_files: dict[str, str], plain_repo: Path) -> str:
    """How many of the plain run's data/processed files match the cold DVC run's, byte for byte."""
    plain_files = processed_files(plain_repo)
    same = [k for k in plain_files if dvc_files.get(k) == plain_files[k]]
    differ = sorted(set(plain_files) - set(same))
    text = f"{len(same)} of {len(plain_files)} data/processed files identical to (1)'s"
    return text + (f"; differ: {', '.join(differ)}" if differ else "")


# --- the report ---------------------------------------------------------------------------------


def _stages(run: Run) -> str:
    names = run.ran or list(run.stage_wall)
    if not names:
        return "none"
    return ", ".join(
        f"{s} ({run.stage_wall[s]:.0f} s)" if s in run.stage_wall else s for s in names
    )


def table(rows: list[Row], facts: dict[str, str], load: tuple[str, str]) -> str:
    """The results as markdown."""
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"- when: {datetime.now():%Y-%m-%d %H:%M}; commit {commit or 'unknown'}",
        f"- machine: {os.cpu_count()} cores, {_memory()}, Python {platform.python_version()}, "
        f"{platform.platform()}",
        f"- load average (1 min) at start {load[0]}, at end {load[1]}",
    ]
    lines += [f"- {k}: {v}" for k, v in facts.items()]
    lines += [
        "- wall and CPU (user + system, every descendant) in seconds; peak tree: the largest "
        f"sum of RSS over the process tree, sampled every {SAMPLE_EVERY} s (psutil); largest "
        "process: ru_maxrss of the biggest single process (os.wait4); stage times are how long "
        "each `python -m pipeline stage` process lived (+/- one sample)",
        "",
        "| scenario | wall s | CPU s | peak tree MB | largest process MB | stages run "
        "| target | met | note |",
        "|---|--:|--:|--:|--:|---|---|---|---|",
    ]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.scenario} | {r.run.wall:.1f} | {r.run.cpu:.1f} | {r.run.tree_peak:.0f} "
            f"| {r.run.largest:.0f} | {_stages(r.run)} | {r.target} | {met} | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def _memory() -> str:
    import psutil

    return f"{psutil.virtual_memory().total / 1024**3:.0f} GB RAM"


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale-waves", type=int, default=20)
    parser.add_argument("--scale-orgs", type=int, default=5000, help="organisations per wave")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.plain:
        run_plain()
        return 0
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    load_start = _load()
    try:
        rows, facts = scenarios(work, args.scale_waves, args.scale_orgs)
    finally:
        if args.keep:
            log.info("kept %s", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = table(rows, facts, (load_start, _load()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    log.info("written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
