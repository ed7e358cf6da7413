"""`python -m pipeline verify`: a clean rebuild of the committed state reproduces every output
hash in dvc.lock, and a recorded hash that differs by one output is named."""

import re

import pytest
import yaml

from pipeline import verify
from tests.conftest import run

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rebuilt(built_repo, tmp_path_factory) -> tuple[str, str]:
    """The committed and the rebuilt dvc.lock of a fresh clone of the built repository."""
    return verify.rebuild(built_repo.root, tmp_path_factory.mktemp("verify"))


def test_a_clean_rebuild_matches_every_recorded_output(rebuilt):
    committed, fresh = rebuilt
    hashes = verify.lock_hashes(committed)
    assert len(hashes) > 30 and all(hashes.values())
    assert verify.differences(hashes, verify.lock_hashes(fresh)) == []


def test_one_changed_output_is_named(rebuilt):
    committed, fresh = rebuilt
    lock = yaml.safe_load(committed)
    out = lock["stages"]["report"]["outs"][0]
    out["md5"] = re.sub(r"^.", lambda m: "0" if m.group() != "0" else "1", out["md5"])
    found = verify.differences(verify.lock_hashes(yaml.safe_dump(lock)), verify.lock_hashes(fresh))
    assert len(found) == 1 and found[0].startswith(f"{out['path']}: recorded ")


def test_the_command_passes_on_the_built_repository(built_repo):
    done = run(["python", "-m", "pipeline", "verify"], built_repo.root)
    assert "every output of a clean rebuild matches dvc.lock" in done.stderr
