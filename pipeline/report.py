"""Assemble the published section (HTML and PDF), the reviewer index and the provenance stamp."""

from __future__ import annotations

import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml
from markupsafe import Markup, escape

import pipeline

TEMPLATES = Path(__file__).parent / "templates"
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pandera",
    "dvc",
    "papermill",
    "nbconvert",
    "weasyprint",
    "gptables",
)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda x, d=0: f"{x:,.{d}f}"
    env.filters["pct"] = lambda x, d=0: f"{100 * x:.{d}f}%"
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the package's HTML templates with the house stylesheet."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _environment().get_template(template).render(css=Markup(css), **context)


def inline_svg(path: Path, title: str, alt: str, ident: str) -> Markup:
    """An SVG file's markup for inline use, labelled for screen readers."""
    svg = path.read_text(encoding="utf-8")
    svg = svg[svg.index("<svg") :]
    label = f'<svg role="img" aria-labelledby="{ident}-t {ident}-d"'
    svg = svg.replace("<svg", label, 1)
    svg = re.sub(
        r"<title>.*?</title>",
        f'<title id="{ident}-t">{escape(title)}</title>',
        svg,
        count=1,
        flags=re.S,
    )
    svg = re.sub(
        r"<desc>.*?</desc>", f'<desc id="{ident}-d">{escape(alt)}</desc>', svg, count=1, flags=re.S
    )
    return Markup(svg)


def table_html(frame: pd.DataFrame, number: int, caption: str) -> Markup:
    """A numbered, captioned HTML table with a header row for assistive technology."""
    body = frame.to_html(index=False, border=0, classes="data", na_rep="[x]", escape=True)
    body = body.replace("<table", f'<table id="table-{number}"', 1).replace(
        "<thead>", f"<caption>Table {number}: {escape(caption)}</caption>\n<thead>", 1
    )
    return Markup(body.replace('<tr style="text-align: right;">', "<tr>"))


def write_pdf(html: str, out: Path, base_url: Path) -> None:
    """Print the HTML to an A4 PDF with WeasyPrint (bookmarks come from the headings)."""
    import weasyprint

    weasyprint.HTML(string=html, base_url=str(base_url)).write_pdf(
        out, pdf_identifier=b"quantitative-section", uncompressed_pdf=False
    )


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def provenance(params: dict[str, Any], lock_file: Path = Path("dvc.lock")) -> dict[str, Any]:
    """Commit, dirty flag, input hashes, parameters and versions; dated by the commit."""
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!dvc.lock")
    lock = yaml.safe_load(lock_file.read_text()) if lock_file.exists() else {"stages": {}}
    inputs = {
        d["path"]: d.get("md5", "")
        for stage in lock.get("stages", {}).values()
        for d in stage.get("deps", [])
        if d["path"].startswith("data/")
        and not d["path"].startswith(("data/processed", "data/interim"))
    }
    return {
        "version": pipeline.__version__,
        "commit": _git("rev-parse", "HEAD") or "not a git checkout",
        "dirty": bool(dirty),
        "date": _git("log", "-1", "--format=%cs") or "unknown",
        "inputs": dict(sorted(inputs.items())),
        "params": params,
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in KEY_PACKAGES},
    }

