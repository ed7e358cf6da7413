"""Check that the committed outputs are reproducible: rebuild from scratch and compare hashes.

`python -m pipeline verify` clones the committed repository into a temporary folder (so the
DVC cache is empty and nothing is restored), runs `dvc repro --force` there, and compares the
hash of every stage output with the one the committed `dvc.lock` records.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

log = logging.getLogger(__name__)


class VerifyError(RuntimeError):
    """The rebuild could not run (not a git checkout, or a stage failed)."""


def lock_hashes(lock_text: str) -> dict[str, str]:
    """{output path: md5} for every stage output (outs and metrics) recorded in a dvc.lock."""
    stages = (yaml.safe_load(lock_text) or {}).get("stages", {})
    return {
        out["path"]: out.get("md5", "")
        for stage in stages.values()
        for out in stage.get("outs", [])
    }


def differences(expected: dict[str, str], rebuilt: dict[str, str]) -> list[str]:
    """One line per output whose rebuilt hash differs from the recorded one, or is missing."""
    lines = []
    for path in sorted(expected.keys() | rebuilt.keys()):
        old, new = expected.get(path), rebuilt.get(path)
        if old != new:
            lines.append(f"{path}: recorded {old or 'nothing'}, rebuilt {new or 'nothing'}")
    return lines


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command with this interpreter's tools first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def rebuild(repo: Path, workdir: Path) -> tuple[str, str]:
    """Clone `repo`'s HEAD into `workdir`, rebuild everything; (committed lock, rebuilt lock)."""
    clone = workdir / "clone"
    done = _run(["git", "clone", "--quiet", str(repo.resolve()), str(clone)], workdir)
    if done.returncode:
        raise VerifyError(f"cannot clone {repo}: {done.stderr.strip()}")
    committed = (clone / "dvc.lock").read_text(encoding="utf-8")
    done = _run(["dvc", "repro", "--force", "--quiet"], clone)
    if done.returncode:
        raise VerifyError(f"the rebuild failed:\n{done.stdout}{done.stderr}")
    return committed, (clone / "dvc.lock").read_text(encoding="utf-8")


def verify(repo: Path = Path(".")) -> list[str]:
    """Rebuild the committed pipeline from scratch; the outputs whose hashes differ."""
    with tempfile.TemporaryDirectory(prefix="verify-") as tmp:
        committed, rebuilt = rebuild(repo, Path(tmp))
    return differences(lock_hashes(committed), lock_hashes(rebuilt))
