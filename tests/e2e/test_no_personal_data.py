"""Nothing published holds the personal data planted in the example, in any form.

The generator plants personal data in every field a person types into (the survey's
organisation id, comments and 'other' descriptions, the FOI free text) and lists each datum in
tests/truth/planted_personal_data.txt. Every published file is searched for each datum
(case-insensitive, HTML entities decoded, PDF text and workbook cells extracted), for each
email's local part and for each phone number's digits. `new-wave` on an export whose contact
headers were reworded writes none of its respondents' data to the codebook or the terminal.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from pypdf import PdfReader

from pipeline import layout
from pipeline.synth import survey as synth_survey
from pipeline.synth.people import People

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PLANTED = (ROOT / "tests/truth/planted_personal_data.txt").read_text(encoding="utf-8").splitlines()
# Between an email's local part and its domain: @, [at], (at), {at} or a lone "at".
AT = re.compile(r"\s*(?:@|[\[({<]\s*at\s*[\])}>]|(?<=\s)at(?=\s))\s*", re.IGNORECASE)
PHONE_LIKE = re.compile(r"[\d\s().+-]+")
# Every kind of file published, PDF and xlsx extracted, the rest read as text ("": .gitkeep).
READABLE = {".html", ".svg", ".csv", ".ipynb", ".log", ".json", ".md", ".txt", ".pdf", ".xlsx", ""}


def needles(planted: list[str]) -> set[str]:
    """What to search for: each datum, each email's local part, each phone's digits (all of
    them, and the last ten, however the number was prefixed)."""
    found = set()
    for item in planted:
        found.add(item.casefold())
        local, *domain = AT.split(item, maxsplit=1)
        if domain and domain[0]:
            found.add(local.casefold())
        digits = re.sub(r"\D", "", item)
        if PHONE_LIKE.fullmatch(item) and len(digits) >= 10:
            found |= {digits, digits[-10:]}
    return found


def _pattern(needle: str) -> re.Pattern[str]:
    """A needle as a whole token: no letter or digit glued to a letter at either end."""
    before = r"(?<![0-9a-z])" if needle[0].isalpha() else ""
    after = r"(?![0-9a-z])" if needle[-1].isalpha() else ""
    return re.compile(before + re.escape(needle) + after)


def _text(path: Path) -> str:
    """A file's readable text: PDF and xlsx extracted, the rest read as UTF-8; HTML entities
    decoded; case folded."""
    if path.suffix == ".pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    elif path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        text = "\n".join(
            str(cell)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    else:
        text = path.read_bytes().decode("utf-8", errors="replace")
    return html.unescape(text).casefold()


def leaks(texts: dict[str, str], planted: list[str]) -> list[tuple[str, str]]:
    """(where, needle) for every needle found in any text."""
    patterns = {n: _pattern(n) for n in needles(planted)}
    return [
        (where, needle)
        for where, text in texts.items()
        for needle, pattern in patterns.items()
        if pattern.search(text)
    ]


def test_the_planted_data_covers_every_format() -> None:
    found = needles(PLANTED)
    assert len(PLANTED) > 300
    assert sum(n.isdigit() for n in found) > 100  # phone digits
    assert sum("." in n and " " not in n and "@" not in n for n in found) > 50  # local parts


def test_no_published_file_holds_planted_personal_data(built_repo) -> None:
    files = [
        p
        for d in ("reports", "data/processed")
        for p in sorted((built_repo.root / d).rglob("*"))
        if p.is_file() and p.suffix != ".png"
    ]
    unread = sorted({p.suffix for p in files} - READABLE)
    assert unread == [], f"add a reader for {unread}"
    kinds = {p.suffix for p in files if p.is_relative_to(built_repo.root / "reports")}
    assert {".html", ".pdf", ".xlsx", ".csv", ".ipynb", ".svg", ".log"} <= kinds
    assert len(files) > 50
    texts = {str(p.relative_to(built_repo.root)): _text(p) for p in files}
    found = leaks(texts, PLANTED)
    assert found == [], f"personal data in {len(found)} places, e.g. {found[:10]}"
    sys.stderr.write(f"searched {len(files)} files for {len(needles(PLANTED))} needles\n")


def _reworded_export(reference_dir: Path, work: Path) -> tuple[Path, People]:
    """A new wave's export in the 2025 layout, drawn with another seed, whose contact headers
    were reworded; and the People who typed its personal data."""
    people = People(np.random.default_rng(99))
    rng = np.random.default_rng(2029)
    synth_survey.generate(reference_dir, work / "example", work / "truth", rng, people)
    text = (work / "example" / "survey" / "2025.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    renamed = {"Contact name": "Name of person completing", "Contact email": "Your email"}
    rows[0] = [renamed.get(h, h) for h in rows[0]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    export = work / "downloads" / "export.csv"
    export.parent.mkdir()
    export.write_text(buffer.getvalue(), encoding="utf-8")
    return export, people


def test_new_wave_writes_no_personal_data_for_reworded_contact_headers(
    copy_repo, tmp_path: Path
) -> None:
    repo = copy_repo(tmp_path / "repo")
    export, people = _reworded_export(repo / "data" / "reference", tmp_path / "work")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "new-wave", "2029", str(export)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    codebook = layout.codebook_path(repo / "data" / "example").read_text(encoding="utf-8")
    drafted = codebook[codebook.index('"2029":') :]
    assert "TODO" in drafted
    texts = {
        "codebook.yaml": codebook.casefold(),
        "terminal": (done.stdout + done.stderr).casefold(),
    }
    found = leaks(texts, sorted(people.planted | set(PLANTED)))
    assert found == [], f"personal data in {found[:10]}"
