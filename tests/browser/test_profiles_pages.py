"""The authority pages in a real browser: headless Chromium opens a sample of them and the
index from disk, with no network, and axe-core checks their accessibility; the hex map's
links are reachable with the keyboard, and the index filters as you type with JavaScript on
and shows every authority with it off.

Needs Debian's `chromium`, the `playwright` package and axe-core from npm
(`npm ci --prefix tests/browser`), as tests/browser/test_pages.py does. Locally the tests
skip, saying what is missing; under CI (CI set) a missing piece fails them instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser.conftest import axe_verdict, serious_violations

pytestmark = pytest.mark.e2e
# A sample: the index in two orders, a split authority, a recoded one, a London borough, an
# authority that did not respond in the latest round, and two notes on former codes.
PAGES = (
    "index.html",
    "by-estimate.html",
    "E06000063.html",
    "E06000065.html",
    "E09000033.html",
    "E06000001.html",
    "E10000006.html",
    "E10000021.html",
)
FACTS_JS = """() => ({
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  links: [...document.querySelectorAll('a[href]')].map(a =>
         new URL(a.getAttribute('href'), document.baseURI).href),
  hexes: [...document.querySelectorAll('svg a')].map(a => [a.getAttribute('href'),
          (a.querySelector('title') || {}).textContent || '', a.tabIndex]),
})"""


@pytest.fixture(scope="module")
def site(built_repo) -> Path:
    return built_repo.root / "reports" / "authorities"


@pytest.fixture(scope="module")
def visits(chromium, site) -> dict[str, dict[str, Any]]:
    """Each sampled page as the browser saw it: errors, requests, facts and axe's verdict."""
    seen = {}
    for name in PAGES:
        page = chromium.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda x, e=errors: e.append(str(x)))
        page.on("request", lambda r, q=requests: q.append(r.url))
        page.goto((site / name).as_uri(), wait_until="load")
        facts = page.evaluate(FACTS_JS)
        seen[name] = {
            "errors": errors,
            "requests": requests,
            "facts": facts,
            "axe": axe_verdict(page),
        }
        page.close()
    return seen


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_errors_and_requests_nothing_from_any_host(visits, name):
    visit = visits[name]
    assert visit["errors"] == []
    assert [u for u in visit["requests"] if not u.startswith(("file:", "data:"))] == []


@pytest.mark.parametrize("name", PAGES)
def test_ids_are_unique_and_every_link_resolves(visits, name):
    facts = visits[name]["facts"]
    assert sorted({i for i in facts["ids"] if facts["ids"].count(i) > 1}) == []
    for link in facts["links"]:
        url = urlsplit(link)
        assert url.scheme == "file" and Path(unquote(url.path)).is_file(), link


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violation(visits, name):
    assert serious_violations(visits[name]["axe"], name) == ""


def test_every_hexagon_is_a_named_focusable_link(visits, site):
    for name in ("index.html", "E06000063.html"):
        hexes = visits[name]["facts"]["hexes"]
        assert len(hexes) == 153
        assert all(
            title.strip() and tab >= 0 and (site / href).is_file() for href, title, tab in hexes
        )


def test_keyboard_reaches_the_map_and_opens_an_authority(chromium, site):
    page = chromium.new_page()
    page.goto((site / "index.html").as_uri())
    first = page.locator("svg a").first
    first.focus()
    assert page.evaluate("document.activeElement.closest('svg') !== null")
    href = first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/" + href)
    assert page.get_by_role("heading", level=1).count() == 1
    page.close()


def test_index_filters_as_you_type_and_shows_everything_without_javascript(chromium, site):
    page = chromium.new_page()
    page.goto((site / "index.html").as_uri())
    page.get_by_label("Filter by name, region or code").fill("cumberland")
    assert page.locator("#authorities tbody tr:visible").count() == 1
    assert page.locator("#filter-count").inner_text() == "1 of 153 authorities shown"
    page.close()
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert page.locator("#filter-box").is_hidden()
    assert page.locator("#authorities tbody tr:visible").count() == 153
    with page.expect_navigation():
        page.get_by_role("link", name="Model estimate", exact=True).click()
    assert page.url.endswith("/by-estimate.html")
    context.close()
