"""The published pages in a real browser: headless Chromium opens the section, the reviewer
index and each stage's executed notebook from disk, with no network, and axe-core checks their
accessibility; pypdf checks the PDF.

Needs Debian's `chromium`, the `playwright` package (it drives the system Chromium; no browser
download) and axe-core from npm (`npm ci --prefix tests/browser`). Locally the tests skip,
saying what is missing; under CI (CI set) a missing piece fails them instead.
"""

import html
import re
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

import pytest
from pypdf import PdfReader

from tests.browser.conftest import axe_verdict, serious_violations

pytestmark = pytest.mark.e2e
STAGES = ("clean_foi", "clean_survey", "describe_foi", "model_provision", "survey_waves", "report")
PAGES = ("quantitative_section.html", "index.html", *(f"stages/{s}.html" for s in STAGES))
SECTION_PAGES = ("quantitative_section.html", "index.html")
TITLE = "A system designed for women?"
FACTS_JS = """() => {
  const top = [...document.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'));
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const refs = [...document.querySelectorAll('[clip-path], use')].map(e =>
    (e.getAttribute('clip-path') || '').replace(/^url\\(#(.*)\\)$/, '$1')
    || (e.getAttribute('href') || e.getAttribute('xlink:href') || '').replace(/^#/, ''));
  return {
    images: [...document.images].map(i => [i.currentSrc || i.src, i.complete && i.naturalWidth]),
    svgs: top.map(s => {
      const box = s.getBoundingClientRect();
      return [s.getAttribute('aria-labelledby') || '', box.width, box.height,
              s.querySelectorAll('path, use, rect, circle, polygon, polyline, text').length];
    }),
    figures: document.querySelectorAll('figure').length,
    ids: ids,
    unresolved: refs.filter(r => r && !document.getElementById(r)),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  };
}"""


class Visit(NamedTuple):
    """What one page did in the browser."""

    url: str
    console_errors: list[str]
    requests: list[str]
    failed: list[str]
    facts: dict[str, Any]
    axe: dict[str, Any]


def _visit(browser, path: Path) -> Visit:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    facts = page.evaluate(FACTS_JS)
    axe = axe_verdict(page)
    page.close()
    return Visit(path.as_uri(), errors, requests, failed, facts, axe)


@pytest.fixture(scope="module")
def visits(chromium, reports) -> dict[str, Visit]:
    return {name: _visit(chromium, reports / name) for name in PAGES}


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_console_errors(visits, name):
    assert visits[name].console_errors == []


@pytest.mark.parametrize("name", PAGES)
def test_page_requests_nothing_from_any_host(visits, name):
    visit = visits[name]
    assert visit.requests[0] == visit.url
    assert [u for u in visit.requests if not u.startswith(("file:", "data:"))] == []
    assert visit.failed == []


@pytest.mark.parametrize("name", PAGES)
def test_every_image_and_inline_svg_renders(visits, name):
    facts = visits[name].facts
    assert [src for src, width in facts["images"] if not width] == []
    for label, width, height, shapes in facts["svgs"]:
        assert width > 100 and height > 100 and shapes > 20, label


def test_section_shows_every_figure_as_an_inline_svg(visits):
    facts = visits["quantitative_section.html"].facts
    assert facts["figures"] >= 10
    assert len(facts["svgs"]) == facts["figures"]


@pytest.mark.parametrize("name", PAGES)
def test_ids_are_unique_and_svg_references_resolve(visits, name):
    ids = visits[name].facts["ids"]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert visits[name].facts["unresolved"] == []


@pytest.mark.parametrize("name", PAGES)
def test_every_local_link_resolves(visits, name):
    facts = visits[name].facts
    assert facts["links"]
    for link in facts["links"]:
        url = urlsplit(link)
        assert url.scheme == "file", link
        assert Path(unquote(url.path)).is_file(), link
        if url.fragment and url.path == urlsplit(visits[name].url).path:
            assert url.fragment in facts["ids"], link


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(visits, name):
    assert serious_violations(visits[name].axe, name) == ""


@pytest.fixture(scope="module")
def pdf(built_repo) -> PdfReader:
    return PdfReader(built_repo.root / "reports" / "quantitative_section.pdf")


def _flatten(outline: list) -> list:
    return [x for item in outline for x in (_flatten(item) if isinstance(item, list) else [item])]


def test_pdf_every_page_has_title_and_synthetic_label(pdf):
    assert 10 <= len(pdf.pages) <= 60
    texts = [page.extract_text() for page in pdf.pages]
    assert [i + 1 for i, t in enumerate(texts) if TITLE not in t] == []
    assert [i + 1 for i, t in enumerate(texts) if "Synthetic example data" not in t] == []


def test_pdf_bookmarks_hold_every_section_heading_in_page_order(pdf, built_repo):
    page = (built_repo.root / "reports" / "quantitative_section.html").read_text(encoding="utf-8")
    main = page[page.index("<main>") :]
    headings = [html.unescape(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", main)]
    marks = _flatten(pdf.outline)
    titles = [m.title for m in marks]
    assert len(headings) >= 10
    assert [h for h in headings if h not in titles] == []
    pages = [pdf.get_destination_page_number(m) for m in marks]
    assert pages == sorted(pages)
