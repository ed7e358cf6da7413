"""Sharing results through a DVC remote: a colleague who clones the repository and runs
`dvc pull` has every output, an up-to-date pipeline, and nothing to rerun."""

from __future__ import annotations

import re

import pytest

from tests.conftest import output_hashes, run

pytestmark = pytest.mark.e2e


def test_a_clone_pulls_every_output_and_reruns_nothing(built_repo, tmp_path):
    storage, clone = tmp_path / "storage", tmp_path / "clone"
    origin = built_repo.root
    # --local: the remote's path is this machine's; a team commits its real remote in .dvc/config
    run(["dvc", "remote", "add", "--local", "-d", "local", str(storage)], origin)
    assert not _ran(run(["dvc", "repro"], origin).stdout)
    pushed = run(["dvc", "push"], origin).stdout
    assert re.search(r"\d+ files? pushed", pushed), pushed
    assert "in sync" in run(["dvc", "status", "--cloud"], origin).stdout

    run(["git", "clone", "-q", str(origin), str(clone)], tmp_path)
    run(["dvc", "remote", "add", "--local", "-d", "local", str(storage)], clone)
    run(["dvc", "pull"], clone)
    status = run(["dvc", "status"], clone).stdout
    assert status.strip() == "Data and pipelines are up to date.", status
    assert not _ran(run(["dvc", "repro"], clone).stdout)
    assert output_hashes(clone) == output_hashes(origin)


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([\w-]+)'", output))
