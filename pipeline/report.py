"""Assemble the published section (HTML and PDF), the reviewer index and the provenance stamp."""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import json
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import pandas as pd
import yaml
from markupsafe import Markup, escape

import pipeline
from pipeline import numbers, outputs, tracing
from pipeline.workbook import _is_number, decimals, long_date

TEMPLATES = Path(__file__).parent / "templates"
METHODOLOGY = Path("docs/methodology.md")  # from the repository's root, where stages run
OUT_KEYS = ("outs", "metrics", "plots")  # what a dvc.yaml stage writes
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


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates' environment, made once: each template is compiled once per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = numbers.number
    env.filters["pct"] = numbers.percent
    env.filters["p_value"] = numbers.p_value
    env.filters["long_date"] = long_date
    return env


def render(template: str, **context: Any) -> str:
    """Render one of the package's HTML templates with the house stylesheet."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _environment().get_template(template).render(css=Markup(css), **context)


def scope_svg_ids(svg: str, prefix: str) -> str:
    """Prefix every id in an SVG, and every reference to one, so several SVGs can share a page.

    Matplotlib reuses ids such as ``patch_1`` and its glyph and marker ids in every figure;
    inlined together they would collide. References are ``url(#id)``, ``href="#id"`` (also
    ``xlink:href``) and the id lists of ``aria-labelledby`` and ``aria-describedby``.
    """
    ids = set(re.findall(r'\sid="([^"]+)"', svg))

    def scoped(name: str) -> str:
        return f"{prefix}{name}" if name in ids else name

    svg = re.sub(r'(\sid=")([^"]+)"', lambda m: f'{m.group(1)}{scoped(m.group(2))}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{scoped(m.group(1))})", svg)
    svg = re.sub(r'(href=")#([^"]+)"', lambda m: f'{m.group(1)}#{scoped(m.group(2))}"', svg)
    return re.sub(
        r'(aria-(?:labelledby|describedby)=")([^"]*)"',
        lambda m: m.group(1) + " ".join(scoped(n) for n in m.group(2).split()) + '"',
        svg,
    )


def figure(svg_path: Path, number: int, base: Path) -> dict[str, Any]:
    """A numbered figure for the section: inline SVG, its headline title and alt text.

    The title and alt text are read from the SVG's own <title> and <desc> (written by
    figures.save_chart), so the caption always matches the chart. The SVG's ids are prefixed
    with ``fig<number>-`` so that they stay unique on the page. ``attachment`` names the data
    behind it as attached to the PDF.
    """
    svg = svg_path.read_text(encoding="utf-8")
    title = html.unescape(re.search(r"<title[^>]*>(.*?)</title>", svg, re.S).group(1))
    alt = html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1))
    return {
        "number": number,
        "svg": Markup(scope_svg_ids(svg[svg.index("<svg") :], f"fig{number}-")),
        "title": title,
        "alt": alt,
        "csv": svg_path.with_suffix(".csv").relative_to(base).as_posix(),
        "stage": svg_path.parent.name,
        "stem": svg_path.stem,
        "attachment": f"figure-{number:02d}-{svg_path.stem}.csv",
    }


LONG_TABLE = 15  # rows; shorter tables are kept whole on one printed page
_NUMBER = re.compile(r"^[-+<\u2212]?[\d,]*\.?\d+%?$|^\[[a-z]\]$")


def _is_numeric(column: pd.Series) -> bool:
    """Whether a column holds numbers (or suppression markers such as [c]): aligned right."""
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return True
    values = column.dropna().astype(str)
    return len(values) > 0 and bool(values.str.match(_NUMBER).all())


def _mark_cells(row: str, kinds: list[str]) -> str:
    """Mark up the plain cells of one table row in order: "num" (align right), "row" (header)."""
    cells = iter(kinds)

    def cell(match: re.Match[str]) -> str:
        tag, text = match.groups()
        kind = next(cells, "")
        if kind == "row":
            return f'<th scope="row">{text}</th>'
        return f'<{tag} class="num">{text}</{tag}>' if kind == "num" else match.group(0)

    return re.sub(r"<(td|th)>(.*?)</\1>", cell, row, flags=re.S)


def _scope_col(match: re.Match[str]) -> str:
    span, cls = match.group(1) or "", match.group(2) or ""
    return f'<th{span}{cls} scope="{"colgroup" if span else "col"}">'


def _displayed(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column of numbers printed to its published decimals (`workbook.decimals`), with
    thousands separators and a true minus sign; text and shorthand as they are."""
    out = frame.copy()
    for column in frame.columns:
        places = decimals(frame[column])
        if places is not None:
            out[column] = frame[column].map(
                lambda v, d=places: numbers.number(v, d) if _is_number(v) else v,
                na_action="ignore",
            )
    return out


def table_html(frame: pd.DataFrame, number: int, caption: str) -> Markup:
    """A numbered, captioned HTML table marked up for assistive technology and for print.

    Column headers get ``scope="col"``. When the first column names every row uniquely, its
    cells become row headers (``<th scope="row">``). Numeric columns get class ``num`` (aligned
    right). Tables of more than ``LONG_TABLE`` rows get class ``long``: only those may break
    across printed pages.
    """
    classes = ["data", "long"] if len(frame) > LONG_TABLE else ["data"]
    body = _displayed(frame).to_html(
        index=False, border=0, classes=classes, na_rep="[x]", escape=True
    )
    body = body.replace('class="dataframe ', 'class="', 1).replace(
        '<tr style="text-align: right;">', "<tr>"
    )
    body = body.replace("<table", f'<table id="table-{number}"', 1).replace(
        "<thead>", f"<caption>Table {number}: {escape(caption)}</caption>\n<thead>", 1
    )
    numeric = ["num" if _is_numeric(frame[c]) else "" for c in frame.columns]
    first = frame.iloc[:, 0]
    row_header = frame.shape[1] > 1 and bool(first.notna().all()) and first.is_unique
    head, rest = body.split("</thead>", 1)
    if frame.columns.nlevels == 1:
        head = _mark_cells(head, numeric)
    head = re.sub(
        r'<th( colspan="\d+")?( class="num")?>', _scope_col, head.replace(' halign="left"', "")
    )
    kinds = ["row", *numeric[1:]] if row_header else numeric
    rest = re.sub(r"<tr>.*?</tr>", lambda m: _mark_cells(m.group(0), kinds), rest, flags=re.S)
    return Markup(f"{head}</thead>{rest}")


def write_pdf(page: str, out: Path, attachments: list[Attachment], created: dt.date) -> None:
    """Print the HTML to a tagged, accessible A4 PDF (PDF/UA-1) with WeasyPrint.

    Bookmarks come from the headings; the language and title from ``<html lang>`` and
    ``<title>``, and the viewer shows the title. `attachments` are embedded in the PDF (the
    data behind each figure, the workbook), dated `created`, so that the PDF carries its data
    when it travels alone. No base URL: the PDF holds no local path and is the same from any
    checkout.
    """
    import weasyprint

    stamp = dt.datetime.combine(created, dt.time())
    files = [
        weasyprint.Attachment(
            file_obj=io.BytesIO(a.data),
            name=a.name,
            description=a.description,
            created=stamp,
            modified=stamp,
            relationship="Data",
        )  # fmt: skip
        for a in attachments
    ]
    weasyprint.HTML(string=page).write_pdf(
        out,
        pdf_identifier=b"quantitative-section",
        pdf_variant="pdf/ua-1",
        attachments=files,
        uncompressed_pdf=False,
        finisher=_show_title,
    )


def _show_title(document: Any, pdf: Any) -> None:  # noqa: ARG001
    """Ask viewers to show the document's title, not its file name (PDF/UA)."""
    import pydyf

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


class Attachment(NamedTuple):
    """A file embedded in the PDF: its name there, bytes and a description."""

    name: str
    data: bytes
    description: str


def attachments(context: dict[str, Any], out_dir: Path) -> list[Attachment]:
    """The data behind each figure (CSV), the workbook and the methodology, to embed in the
    PDF; the workbook must be written first."""
    files = [
        Attachment(
            f["attachment"],
            (out_dir / f["csv"]).read_bytes(),
            f"Data behind Figure {f['number']}: {f['title']}",
        )  # fmt: skip
        for f in context["figures"].values()
    ]
    files.append(
        Attachment("tables.xlsx", (out_dir / "tables.xlsx").read_bytes(),
                   "Every table and the data behind every figure (accessible spreadsheet)")
    )  # fmt: skip
    if METHODOLOGY.exists():
        files.append(Attachment("methodology.md", METHODOLOGY.read_bytes(), "Methodology"))
    return files


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False
    ).stdout.strip()


def _merge(into: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        into = into.setdefault(part, {})
    if isinstance(value, dict) and isinstance(into.get(path[-1]), dict):
        for key, item in value.items():
            _merge(into[path[-1]], [key], item)
    else:
        into[path[-1]] = value


def upstream(stage: str, dvc_file: Path = Path("dvc.yaml")) -> set[str]:
    """The stages whose outputs `stage` reads, directly or through other stages."""
    specs = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]
    writes = {
        name: [
            next(iter(o)) if isinstance(o, dict) else o for k in OUT_KEYS for o in spec.get(k, [])
        ]
        for name, spec in specs.items()
    }  # an output is a path, or a path with options ({path: {cache: false}})

    def feeds(source: str, target: str) -> bool:
        return any(
            d == o or d.startswith(o + "/") or o.startswith(d + "/")
            for d in specs[target].get("deps", [])
            for o in writes[source]
        )

    found, frontier = set(), {stage}
    while frontier:
        frontier = {s for s in specs if s not in found and any(feeds(s, t) for t in frontier)}
        found |= frontier
    return found - {stage}


def stamp(
    params: dict[str, Any], lock_file: Path = Path("dvc.lock"), stage: str = "report"
) -> dict[str, Any]:
    """What the outputs were built from: input hashes, parameters and package versions.

    Depends only on code, data and parameters, so two clones stamp identical bytes. The
    inputs and parameters are those the stages upstream of the calling stage ran with, as
    dvc.lock records them (DVC has written their entries before the calling stage runs), plus
    the calling stage's own `params`. Other entries describe earlier runs, not this one.
    """
    lock = yaml.safe_load(lock_file.read_text()) if lock_file.exists() else {"stages": {}}
    before = upstream(stage)
    stages = [entry for name, entry in lock.get("stages", {}).items() if name in before]
    inputs = {
        d["path"]: d.get("md5", "")
        for stage in stages
        for d in stage.get("deps", [])
        if d["path"].startswith("data/")
        and not d["path"].startswith(("data/processed", "data/interim"))
    }
    used: dict[str, Any] = {}
    for stage in [*stages, {"params": {"params.yaml": params}}]:
        for key, value in stage.get("params", {}).get("params.yaml", {}).items():
            _merge(used, key.split("."), value)
    return {
        "version": pipeline.__version__,
        "inputs": dict(sorted(inputs.items())),
        "params": used,
        "packages": {name: metadata.version(name) for name in KEY_PACKAGES},
    }


def build_record(lock_file: Path = Path("dvc.lock")) -> dict[str, Any]:
    """The build itself: commit, working-tree state, date, Python, and every output's hash.

    Written beside the outputs after `dvc repro` (never inside them), for a reviewer to check
    which commit built what they are reading.
    """
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!dvc.lock")
    lock = yaml.safe_load(lock_file.read_text()) if lock_file.exists() else {"stages": {}}
    hashes = {
        out["path"]: out.get("md5", "")
        for stage in lock.get("stages", {}).values()
        for out in stage.get("outs", [])
    }
    return {
        "commit": _git("rev-parse", "HEAD") or "not a git checkout",
        "uncommitted_changes": bool(dirty),
        "built": dt.date.today().isoformat(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "outputs": dict(sorted(hashes.items())),
    }


def write_build_record(out_dir: Path, lock_file: Path = Path("dvc.lock")) -> Path:
    """Write reports/provenance.json and its readable page reports/provenance.html."""
    record = build_record(lock_file)
    outputs.write_json(record, out_dir / "provenance.json")
    page = render("provenance.html.j2", record=record)
    path = out_dir / "provenance.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_section(
    context: dict[str, Any], stamp: dict[str, Any], title: str, synthetic: bool, out_dir: Path
) -> tuple[Path, Path]:
    """Render the section to HTML, and its print edition to PDF with the data attached.

    The print edition differs only where the HTML links to files beside it: it says where
    they are (attached to the PDF) instead, so that no link breaks when the PDF travels alone.
    """
    html_path, pdf_path = (
        out_dir / "quantitative_section.html",
        out_dir / "quantitative_section.pdf",
    )
    common = {"title": title, "synthetic": synthetic, "stamp": stamp, "table_html": table_html,
              "methodology": METHODOLOGY.exists()}  # fmt: skip
    page = render("section.html.j2", print_edition=False, **common, **context)
    html_path.write_text(page, encoding="utf-8")
    printed = render("section.html.j2", print_edition=True, **common, **context)
    write_pdf(printed, pdf_path, attachments(context, out_dir), context["release"].release_date)
    return html_path, pdf_path


def stage_entries(dvc_file: Path = Path("dvc.yaml")) -> list[dict[str, str]]:
    """Each stage in dvc.yaml order with the title line of its notebook and its output links."""
    entries = []
    for name in yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]:
        cells = json.loads(Path(f"notebooks/{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        about = "".join(cells[0]["source"]).splitlines()[0].lstrip("# ").removeprefix("Stage: ")
        entries.append(
            {
                "name": name,
                "about": about[:1].upper() + about[1:],
                "html": f"stages/{name}.html",
                "ipynb": f"stages/{name}.ipynb",
                "log": f"logs/{name}.log",
            }
        )
    return entries


def write_index(
    stamp: dict[str, Any], title: str, synthetic: bool, out_dir: Path, context: dict[str, Any]
) -> Path:
    """The reviewer index: stage notebooks, section, workbook, and for every figure and table
    by its number, the notebook cell that made it, its code and data (`tracing`), then the
    provenance stamp."""
    page = render(
        "index.html.j2",
        title=title,
        synthetic=synthetic,
        stamp=stamp,
        stages=stage_entries(),
        workbook="tables.xlsx",
        traces=tracing.traces(context, out_dir / "stages"),
        exclusions="exclusions.csv",
        params_yaml=yaml.safe_dump(stamp["params"], sort_keys=True),
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
