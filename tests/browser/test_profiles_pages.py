"""The authority pages in a real browser: headless Chromium opens a sample of them and the
index from disk, with no network, and axe-core checks their accessibility; the hex map's
links are reachable with the keyboard, and the index filters as you type with JavaScript on
and shows every authority with it off.

Needs Debian's `chromium`, the `playwright` package and axe-core from npm
(`npm ci --prefix tests/browser`), as tests/browser/test_pages.py does. Locally the tests
skip, saying what is missing; under CI (CI set) a missing piece fails them instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.e2e
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
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
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "experimental"]
AXE_JS = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return {version: axe.version, checked: r.passes.length + r.violations.length,
          violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                              targets: v.nodes.map(n => n.target.join(' '))}))};
}"""
FACTS_JS = """() => ({
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  links: [...document.querySelectorAll('a[href]')].map(a =>
         new URL(a.getAttribute('href'), document.baseURI).href),
  hexes: [...document.querySelectorAll('svg a')].map(a => [a.getAttribute('href'),
          (a.querySelector('title') || {}).textContent || '', a.tabIndex]),
})"""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must install it: see .ci/run and the Makefile)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright; skips if a piece is missing (CI: fails)."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _missing("Chromium is not installed (Debian: apt-get install chromium)")
    if not AXE.is_file():
        _missing("axe-core is not installed (npm ci --prefix tests/browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -r requirements.lock)")
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(built_repo) -> Path:
    return built_repo.root / "reports" / "authorities"


@pytest.fixture(scope="module")
def visits(browser, site) -> dict[str, dict[str, Any]]:
    """Each sampled page as the browser saw it: errors, requests, facts and axe's verdict."""
    axe_source, seen = AXE.read_text(encoding="utf-8"), {}
    for name in PAGES:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda x, e=errors: e.append(str(x)))
        page.on("request", lambda r, q=requests: q.append(r.url))
        page.goto((site / name).as_uri(), wait_until="load")
        facts = page.evaluate(FACTS_JS)
        page.add_script_tag(content=axe_source)
        seen[name] = {
            "errors": errors,
            "requests": requests,
            "facts": facts,
            "axe": page.evaluate(AXE_JS, AXE_TAGS),
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
    axe = visits[name]["axe"]
    assert axe["checked"] > 20, f"axe {axe['version']} checked only {axe['checked']} rules"
    serious = [v for v in axe["violations"] if v["impact"] in ("serious", "critical")]
    found = "\n".join(f"{v['id']} ({v['help']}): {', '.join(v['targets'][:5])}" for v in serious)
    assert serious == [], f"axe {axe['version']} on {name}:\n{found}"


def test_every_hexagon_is_a_named_focusable_link(visits, site):
    for name in ("index.html", "E06000063.html"):
        hexes = visits[name]["facts"]["hexes"]
        assert len(hexes) == 153
        assert all(
            title.strip() and tab >= 0 and (site / href).is_file() for href, title, tab in hexes
        )


def test_keyboard_reaches_the_map_and_opens_an_authority(browser, site):
    page = browser.new_page()
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


def test_index_filters_as_you_type_and_shows_everything_without_javascript(browser, site):
    page = browser.new_page()
    page.goto((site / "index.html").as_uri())
    page.get_by_label("Filter by name, region or code").fill("cumberland")
    assert page.locator("#authorities tbody tr:visible").count() == 1
    assert page.locator("#filter-count").inner_text() == "1 of 153 authorities shown"
    page.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert page.locator("#filter-box").is_hidden()
    assert page.locator("#authorities tbody tr:visible").count() == 153
    with page.expect_navigation():
        page.get_by_role("link", name="Model estimate", exact=True).click()
    assert page.url.endswith("/by-estimate.html")
    context.close()
