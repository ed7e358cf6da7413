"""Failures and crashes leave nothing that DVC takes as done.

A stage that stops on bad input exits non-zero with a one-line `error:` message naming the file,
row and column; dvc.lock is untouched and the stage stays out of date. A `dvc repro` killed with
SIGKILL partway through a stage is finished by the next `dvc repro`, which reruns only what was
not done and gives outputs byte-identical to a clean run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
import yaml

from tests.conftest import BIN, output_hashes, run

pytestmark = pytest.mark.e2e
YORK = 155  # the row of York in data/example/foi/2021.csv
KILL_AFTER = 3.0  # seconds into model_provision (the slowest stage) before the kill


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([\w-]+)'", output))


def _stage_command(repo: Path, stage: str) -> list[str]:
    """The stage's command exactly as dvc.yaml gives it."""
    spec = yaml.safe_load((repo / "dvc.yaml").read_text(encoding="utf-8"))["stages"][stage]
    return shlex.split(spec["cmd"])


def _unknown_status(repo: Path) -> None:
    path = repo / "data/example/foi/2021.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert ",York," in lines[YORK - 1]
    lines[YORK - 1] = lines[YORK - 1].replace(",Provided,", ",Sent to legal,", 1)
    path.write_text("".join(lines), encoding="utf-8")


def _text_as_xlsx(repo: Path) -> None:
    (repo / "data/example/foi/2024.xlsx").write_text("Local authority\nYork\n", encoding="utf-8")


def _unknown_parameter(repo: Path) -> None:
    path = repo / "params.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("foi:\n", "foi:\n  colour: blue\n", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def foi_built(tmp_path_factory, copy_repo) -> tuple[Path, dict[str, str]]:
    """A clean copy with clean_foi built, and the hashes of its outputs."""
    repo = copy_repo(tmp_path_factory.mktemp("failures") / "repo")
    run(["dvc", "repro", "clean_foi"], repo)
    return repo, output_hashes(repo)


@pytest.mark.parametrize(
    ("via_dvc", "breaks", "restore", "message"),
    [
        pytest.param(
            True,
            _unknown_status,
            "data/example/foi/2021.csv",
            f"error: stage clean_foi stopped: InputError: foi/2021.csv, row {YORK}, column "
            "'Response status': unknown response status: 'Sent to legal' is not a known status",
            id="dvc-repro-unknown-status",
        ),
        pytest.param(
            False,
            _text_as_xlsx,
            "data/example/foi/2024.xlsx",
            "error: stage clean_foi stopped: InputError: data/example/foi/2024.xlsx: cannot be "
            "read as a spreadsheet (File is not a zip file)",
            id="stage-command-xlsx-holding-text",
        ),
        pytest.param(
            True,
            _unknown_parameter,
            "params.yaml",
            "error: params.yaml: foi.colour is not a known parameter",
            id="dvc-repro-unknown-parameter",
        ),
    ],
)
def test_a_stage_stopped_by_bad_input_is_not_taken_as_done(
    foi_built, via_dvc: bool, breaks: Callable[[Path], None], restore: str, message: str
) -> None:
    repo, built = foi_built
    lock = (repo / "dvc.lock").read_bytes()
    breaks(repo)
    try:
        args = ["dvc", "repro", "clean_foi"] if via_dvc else _stage_command(repo, "clean_foi")
        done = run(args, repo, check=False)
        assert done.returncode != 0
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0].startswith(message), done.stderr
        assert "Traceback" not in done.stderr
        if via_dvc:
            assert "ERROR: failed to reproduce 'clean_foi'" in done.stderr
        assert (repo / "dvc.lock").read_bytes() == lock
        status = run(["dvc", "status", "clean_foi"], repo).stdout
        assert "clean_foi:" in status and "changed" in status, status
    finally:
        run(["git", "checkout", "--", restore], repo)
    # With the input put back, the next run leaves exactly the outputs of the clean build.
    run(["dvc", "repro", "clean_foi"], repo)
    assert "up to date" in run(["dvc", "status", "clean_foi"], repo).stdout
    after = output_hashes(repo)
    assert {k: after.get(k) for k in built} == built


def _kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the process group and every descendant (the Jupyter kernel has its own session)."""
    if proc.poll() is not None:
        return
    tree = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGKILL)
    for child in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    proc.wait(timeout=60)


def _lock_holders(repo: Path) -> set[int]:
    """The process ids that DVC's rwlock file lists as holding a read or write lock."""
    table = json.loads((repo / ".dvc/tmp/rwlock").read_text(encoding="utf-8"))
    infos = [*table.get("write", {}).values()]
    infos += [info for held in table.get("read", {}).values() for info in held]
    return {info["pid"] for info in infos}


def test_a_killed_repro_is_finished_by_the_next_one_byte_identically(built_repo, tmp_path):
    clean = output_hashes(built_repo.root)
    repo = tmp_path / "repo"
    run(["git", "clone", "-q", str(built_repo.root), str(repo)], tmp_path)
    # The commit the clean run ran at: the report's provenance stamp names it.
    run(["git", "checkout", "-q", "HEAD~1"], repo)
    started = "Running stage 'model_provision'"  # as DVC prints it when the stage starts
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONUNBUFFERED": "1"}
    with (tmp_path / "killed.log").open("w") as log:
        proc = subprocess.Popen(
            ["dvc", "repro"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 1800
            while started not in (tmp_path / "killed.log").read_text():
                assert proc.poll() is None, (tmp_path / "killed.log").read_text()
                assert time.monotonic() < deadline, "model_provision never started"
                time.sleep(0.2)
            time.sleep(KILL_AFTER)
            assert proc.poll() is None, "dvc repro finished before the kill"
        finally:
            _kill_tree(proc)
    assert proc.returncode == -signal.SIGKILL
    killed = _ran((tmp_path / "killed.log").read_text())
    assert "model_provision" in killed and "report" not in killed

    status = run(["dvc", "status"], repo).stdout  # no stale lock blocks it: the pid is dead
    assert "model_provision:" in status and "report:" in status
    rerun = run(["dvc", "repro"], repo).stdout
    ran = _ran(rerun)
    assert "model_provision" in ran and "report" in ran
    assert ran.isdisjoint(killed - {"model_provision"}), "finished stages were rerun"
    # Entries of the killed process may stay in DVC's rwlock (read locks nobody contested);
    # DVC drops them as soon as they would block, because their process is dead.
    assert _lock_holders(repo) <= {proc.pid} and not psutil.pid_exists(proc.pid)
    assert (repo / "dvc.lock").read_bytes() == (built_repo.root / "dvc.lock").read_bytes()
    after = output_hashes(repo)
    assert after.keys() == clean.keys()
    assert sorted(k for k in clean if clean[k] != after[k]) == []
