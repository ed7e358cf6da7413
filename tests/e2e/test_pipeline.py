"""The whole pipeline from a clean copy: runs, reruns nothing, reruns only what a parameter
touches, gives byte-identical outputs on a forced rerun, and renders a readable, tagged PDF
with its data attached and no half-empty page but where a part ends."""

import csv
import difflib
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from pipeline.foi import CODE, LA, SENT, STATUS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([\w-]+)'", output))


def _flatten(outline: list) -> list:
    return [x for item in outline for x in (_flatten(item) if isinstance(item, list) else [item])]


def _diff(before: Path, after: Path, changed: list[str]) -> str:
    """A short unified diff of the changed files, to show what varies between runs."""
    lines: list[str] = []
    for rel in changed[:3]:
        old, new = (
            (root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
            for root in (before, after)
        )
        lines += list(difflib.unified_diff(old, new, rel, rel, n=0, lineterm=""))[:20]
    return "\n".join(line[:300] for line in lines)


def _hashes(root: Path) -> dict[str, str]:
    files = [p for d in ("reports", "data/processed") for p in (root / d).rglob("*") if p.is_file()]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def repo(tmp_path_factory, copy_repo) -> Path:
    """A clean copy of the repository's committed and staged files, as a fresh git checkout."""
    return copy_repo(tmp_path_factory.mktemp("clone") / "repo")


@pytest.fixture(scope="module")
def cold_run(repo, tmp_path_factory) -> tuple[str, dict[str, str], Path]:
    output = _run(["dvc", "repro"], repo)
    snapshot = tmp_path_factory.mktemp("first-run")
    for folder in ("reports", "data/processed"):
        shutil.copytree(repo / folder, snapshot / folder)
    return output, _hashes(repo), snapshot


def test_cold_run_builds_every_stage(repo, cold_run):
    output, hashes, _ = cold_run
    stages = set(re.findall(r"^  (\w+):$", (repo / "dvc.yaml").read_text(), flags=re.M))
    assert _ran(output) == stages
    for name in ("quantitative_section.html", "quantitative_section.pdf", "index.html"):
        assert f"reports/{name}" in hashes


def test_second_run_does_nothing_and_status_is_clean(repo, cold_run):
    assert _ran(_run(["dvc", "repro"], repo)) == set()
    assert "up to date" in _run(["dvc", "status"], repo)


def test_pdf_opens_with_pages_text_and_bookmarks(repo, cold_run):
    reader = PdfReader(repo / "reports/quantitative_section.pdf")
    assert 6 <= len(reader.pages) <= 80
    text = "".join(page.extract_text() for page in reader.pages[:3])
    assert "A system designed for women?" in text
    titles = [item.title for item in _flatten(reader.outline)]
    assert "1. Key findings" in titles and len(titles) >= 8


def test_pdf_is_tagged_with_language_title_and_its_data_attached(repo, cold_run):
    reader = PdfReader(repo / "reports/quantitative_section.pdf")
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    assert root["/Lang"] == "en-GB" and root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title.startswith("A system designed for women?")
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    figures = sorted(p.name for p in (repo / "reports/figures").rglob("*.csv"))
    attached = sorted(reader.attachments)
    assert "tables.xlsx" in attached and len([a for a in attached if a.endswith(".csv")]) == len(
        figures
    )
    for name in attached:
        if name.endswith(".csv"):
            stem = name.split("-", 2)[2]  # figure-07-funnel.csv
            assert (
                reader.attachments[name][0]
                == next((repo / "reports/figures").rglob(stem)).read_bytes()
            )


def test_pdf_links_only_within_itself_or_to_the_web(repo, cold_run):
    """A relative link (a file beside the HTML) breaks when the PDF travels alone."""
    reader = PdfReader(repo / "reports/quantitative_section.pdf")
    annots = [annot.get_object() for page in reader.pages for annot in page.get("/Annots") or []]
    actions = [annot["/A"].get_object() for annot in annots if "/A" in annot]
    uris = [str(action["/URI"]) for action in actions if "/URI" in action]
    assert [u for u in uris if not re.match(r"https?://", u)] == []
    assert len(reader.named_destinations) > 10  # the contents and cross-references still link


# A part (the body from its contents; the back matter and appendices from "Things you need to
# know") starts a page; its last page may be short. Every other page but the title page is at
# least half full.
PART_STARTS = ("Contents", "Things you need to know about this release")
HALF = 0.5


def _page_fill(pdf: Path, tmp: Path) -> list[float]:
    """How far down each page's text area the ink reaches (0 empty, 1 full), from pdftoppm."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing (CI must install poppler-utils)")
        pytest.skip("pdftoppm is not installed (Debian: apt-get install poppler-utils)")
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp / "p")], check=True)
    fills = []
    for page in sorted(tmp.glob("p-*.pgm")):
        raw = page.read_bytes()
        width, height = map(int, raw.split()[1:3])
        pixels = np.frombuffer(raw[-width * height :], np.uint8).reshape(height, width)
        body = pixels[int(height * 25 / 297) : int(height * (1 - 22 / 297))] < 200
        inked = np.flatnonzero(body.any(axis=1))
        fills.append((inked[-1] + 1) / len(body) if len(inked) else 0.0)
    return fills


def test_no_page_is_more_than_half_empty_but_the_title_page_and_a_part_end(
    repo, cold_run, tmp_path
):
    pdf = repo / "reports/quantitative_section.pdf"
    reader = PdfReader(pdf)
    marks = _flatten(reader.outline)
    starts = [
        reader.get_destination_page_number(m) for m in marks if m.title.startswith(PART_STARTS)
    ]
    assert len(starts) == len(PART_STARTS)
    exempt = {0, len(reader.pages) - 1} | {start - 1 for start in starts}
    fills = _page_fill(pdf, tmp_path)
    assert len(fills) == len(reader.pages)
    short = {i + 1: round(f, 2) for i, f in enumerate(fills) if f < HALF and i not in exempt}
    assert short == {}, f"pages more than half empty: {short}"


def test_html_has_no_code_and_no_network(repo, cold_run):
    html = (repo / "reports/quantitative_section.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "import pipeline" not in html
    for page in (repo / "reports").rglob("*.html"):
        assert not re.search(r"""(src|href)=["']https?://""", page.read_text(encoding="utf-8")), (
            page
        )


def test_tables_and_figures_are_numbered_in_reading_order(repo, cold_run):
    html = (repo / "reports/quantitative_section.html").read_text(encoding="utf-8")
    for kind in ("Table", "Figure"):
        numbers = [int(n) for n in re.findall(rf">{kind} (\d+): ", html)]
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10, kind


def test_parameter_change_reruns_only_dependants(repo, cold_run):
    params = repo / "params.yaml"
    original = params.read_text(encoding="utf-8")
    params.write_text(original.replace("family: auto", "family: poisson"), encoding="utf-8")
    try:
        # the authority estimates come from the censored NB2 whatever the headline family, so
        # the authority pages' input is unchanged and the profiles stage does not rerun
        assert _ran(_run(["dvc", "repro"], repo)) == {"model_provision", "report"}
    finally:
        params.write_text(original, encoding="utf-8")
    _run(["dvc", "repro"], repo)  # back to the committed parameters (may restore from cache)
    assert "up to date" in _run(["dvc", "status"], repo)


def _one_fewer_responder(text: str) -> str:
    """The tracker with its first "Provided" row turned into a consistent non-response: no
    reply date, no answers, no counts (a bare status change would contradict the answers)."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    answered = [c for c in header if c not in {"synthetic", LA, CODE, SENT, STATUS}]
    row = next(r for r in rows[1:] if r[header.index(STATUS)] == "Provided")
    row[header.index(STATUS)] = "No response"
    for column in answered:
        row[header.index(column)] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_prose_follows_the_data(repo, cold_run):
    """Every number in the text is computed: one fewer responder changes the sentence."""
    section, raw = repo / "reports/quantitative_section.html", repo / "data/example/foi/2021.csv"
    sentence = re.compile(r"In 2021, (\d+) of (\d+) \(")
    before = tuple(map(int, sentence.search(section.read_text(encoding="utf-8")).groups()))
    original = raw.read_bytes()
    raw.write_text(_one_fewer_responder(original.decode("utf-8")), encoding="utf-8")
    try:
        _run(["dvc", "repro"], repo)
        after = tuple(map(int, sentence.search(section.read_text(encoding="utf-8")).groups()))
    finally:
        raw.write_bytes(original)
    assert after == (before[0] - 1, before[1])
    _run(["dvc", "repro"], repo)  # back to the committed data (restored from the run cache)
    assert "up to date" in _run(["dvc", "status"], repo)


def test_forced_rerun_is_byte_identical(repo, cold_run):
    _, first, snapshot = cold_run
    _run(["dvc", "repro", "--force"], repo)
    second = _hashes(repo)
    assert second.keys() == first.keys()
    changed = sorted(k for k in first if first[k] != second[k])
    assert changed == [], f"outputs differ: {changed}\n{_diff(snapshot, repo, changed)}"
