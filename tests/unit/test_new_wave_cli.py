"""`python -m pipeline new-wave` on the example data: one message for a bad wave or export,
and nothing written unless everything is."""

import shutil
from pathlib import Path

import pytest

from pipeline.__main__ import main

EXAMPLE = Path("data/example/survey")
WAVES_LINE = "  waves: ['2021', '2023', '2025']"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the example survey folder, and params.yaml pointing at it."""
    shutil.copytree(EXAMPLE, tmp_path / "raw" / "survey")
    text = Path("params.yaml").read_text(encoding="utf-8")
    text = text.replace("raw_dir: data/example", f"raw_dir: {tmp_path / 'raw'}")
    (tmp_path / "params.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _state(repo: Path) -> dict[str, bytes]:
    files = [repo / "params.yaml", *sorted((repo / "raw" / "survey").iterdir())]
    return {p.name: p.read_bytes() for p in files}


def _new_wave(repo: Path, year: str, export: Path) -> int:
    return main(["new-wave", year, str(export), "--params", str(repo / "params.yaml")])


def test_a_new_wave_changes_only_the_waves_line_of_params(repo: Path, capsys) -> None:
    before = (repo / "params.yaml").read_text(encoding="utf-8").splitlines()
    assert _new_wave(repo, "2026", EXAMPLE / "2025.csv") == 0
    after = (repo / "params.yaml").read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert [a for a, _ in changed] == [
        WAVES_LINE + "  # one export per wave: <raw_dir>/survey/<wave>.csv|xlsx"
    ]
    assert changed[0][1].startswith("  waves: ['2021', '2023', '2025', '2026']  # one export")
    assert (repo / "raw/survey/2026.csv").read_bytes() == (EXAMPLE / "2025.csv").read_bytes()
    assert "error" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("year", "make", "message"),
    [
        (
            "2019",
            "copy",
            "codebook.yaml: wave 2019 is not after the latest wave, 2025; new-wave adds the next",
        ),
        (
            "2036",
            "copy",
            "codebook.yaml: wave 2036 is over 10 years after the latest wave; is it a typo?",
        ),
        ("26", "copy", "export.csv: wave must be a four-digit year (got '26')"),
        (
            "2026",
            "other questions",
            "export.csv: none of its 2 columns is a question of wave "
            "2025; is it the survey export?",
        ),
        ("2026", "header only", "export.csv, row 1: the export has a header but no responses"),
        ("2026", "empty", "export.csv: file is empty"),
        ("2026", "missing", "export.csv: export not found"),
        ("2026", "folder", "export.csv: is a folder; give the survey tool's export file"),
    ],
)
def test_a_bad_wave_or_export_stops_with_one_message_and_writes_nothing(
    repo: Path, capsys, year: str, make: str, message: str
) -> None:
    export = repo / "export.csv"
    if make == "copy":
        shutil.copyfile(EXAMPLE / "2025.csv", export)
    elif make == "other questions":
        export.write_text("Ref,Colour\n1,red\n2,blue\n", encoding="utf-8")
    elif make == "header only":
        export.write_text((EXAMPLE / "2025.csv").read_text().splitlines()[0] + "\n")
    elif make == "empty":
        export.write_text("")
    elif make == "folder":
        export.mkdir()
    before = _state(repo)
    assert _new_wave(repo, year, export) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if line.startswith("error:")] == [err[-1]]
    assert err[-1].startswith("error: ") and message in err[-1]
    assert _state(repo) == before


def test_a_failed_write_puts_the_codebook_back_and_removes_the_copy(
    repo: Path, monkeypatch, capsys
) -> None:
    params, original = repo / "params.yaml", Path.write_text

    def failing(path: Path, *args, **kwargs):
        if path == params:
            raise OSError("disk full")
        return original(path, *args, **kwargs)

    before = _state(repo)
    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OSError, match="disk full"):
        _new_wave(repo, "2026", EXAMPLE / "2025.csv")
    assert _state(repo) == before
