"""Measuring one command as a whole process tree, and the repository copies it runs in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SAMPLE_EVERY = 0.05  # seconds between memory samples of the process tree
MB = 1024 * 1024


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


def measure(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, own_venv: bool = True
) -> Run:
    """Run `args` in `cwd`; raise SystemExit (with its output) if it fails.

    `own_venv`: this Python's environment first on PATH (as `make` puts .venv/bin); without
    it, PATH without it and no VIRTUAL_ENV, as on a machine where nothing is installed yet.
    """
    base = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    path = [p for p in base["PATH"].split(os.pathsep) if Path(p) != BIN]
    base["PATH"] = os.pathsep.join([str(BIN), *path] if own_venv else path)
    env = {**base, **(env or {})}
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
    commit(dst, "snapshot", init=True)
    return dst


def commit(repo: Path, message: str, init: bool = False) -> None:
    """Commit everything in `repo` (a new repository with `init`)."""
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    if init:
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], cwd=repo, check=True)


def replace(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) by `new` in a text file."""
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path}: expected {old!r}")
    path.write_text(text.replace(old, new), encoding="utf-8")
