"""What every browser test shares: headless Debian Chromium driven by Playwright (no browser
download) and axe-core from npm (`npm ci --prefix tests/browser`). Locally the tests skip,
saying what is missing; under CI (CI set) a missing piece fails them instead."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# WCAG 2.x A and AA, axe's best practices, and its experimental rules (table headers among them).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "experimental"]
AXE_JS = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return {
    version: axe.version,
    checked: r.passes.length + r.violations.length + r.incomplete.length,
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(' ')),
    })),
  };
}"""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must install it: see .ci/run and the Makefile)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
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
        browser = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def axe_verdict(page: Any) -> dict[str, Any]:
    """axe-core's verdict on the page: its version, rules checked and violations."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_JS, AXE_TAGS)


def serious_violations(axe: dict[str, Any], name: str) -> str:
    """The serious or critical violations axe found, one per line ('' if none)."""
    assert axe["checked"] > 20, f"axe {axe['version']} checked only {axe['checked']} rules"
    serious = [v for v in axe["violations"] if v["impact"] in ("serious", "critical")]
    return "\n".join(
        f"axe {axe['version']} on {name}: {v['id']} ({v['help']}): {', '.join(v['targets'][:5])}"
        for v in serious
    )


@pytest.fixture(scope="module")
def reports(built_repo) -> Iterator[Path]:
    """The built repository's reports/ with the build record `make report` writes after
    `dvc repro`, written for the module and then removed, because the shared built
    repository must keep exactly the outputs `dvc repro` made."""
    folder = built_repo.root / "reports"
    record = [folder / "provenance.html", folder / "provenance.json"]
    written = not record[0].exists()
    if written:
        run([sys.executable, "-m", "pipeline", "provenance"], built_repo.root)
    yield folder
    if written:
        for path in record:
            path.unlink()
