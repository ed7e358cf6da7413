"""Fixtures shared by the end-to-end tests: a clean copy of the repository, and one built copy."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GIT_USER = ["-c", "user.name=t", "-c", "user.email=t@example.org"]


def run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command with the venv's tools first on PATH; fail with its output unless `check`."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check:
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def output_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under reports/ and data/processed/, keyed by relative path."""
    files = [p for d in ("reports", "data/processed") for p in (root / d).rglob("*") if p.is_file()]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def commit(repo: Path, message: str) -> None:
    """Commit everything in `repo` (a fixed date, so that commits are reproducible); a commit
    with no change is made too (a `dvc repro` that rewrote dvc.lock byte for byte)."""
    run(["git", "add", "-A"], repo)
    date = "--date=2024-01-01T00:00:00"
    run(["git", *GIT_USER, "commit", "-q", "--allow-empty", "-m", message, date], repo)


def copy_repository(dst: Path) -> Path:
    """A clean copy of the repository's committed and staged files, as a fresh git checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for rel in listed:
        if (ROOT / rel).is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dst / rel)
    run(["git", "init", "-q"], dst)
    commit(dst, "snapshot")
    return dst


class BuiltRepo(NamedTuple):
    """A built copy of the repository and what its `dvc repro` printed."""

    root: Path
    output: str


@pytest.fixture(scope="session")
def copy_repo() -> Callable[[Path], Path]:
    """A function that makes a clean copy of the repository at the path given."""
    return copy_repository


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory: pytest.TempPathFactory) -> BuiltRepo:
    """A clean copy after one `dvc repro`, with the resulting dvc.lock committed.

    Shared by every test that needs a built pipeline: tests may read it, clone it or push
    from it, but must not change its tracked files or its outputs.
    """
    root = copy_repository(tmp_path_factory.mktemp("built") / "repo")
    done = run(["dvc", "repro"], root)
    commit(root, "dvc repro")
    return BuiltRepo(root, done.stdout + done.stderr)
