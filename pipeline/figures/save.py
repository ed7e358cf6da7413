"""Writing a finished chart reproducibly: accessible SVG, PNG and the CSV of the data drawn."""

from __future__ import annotations

import io
import re
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
import pandas as pd

from pipeline.figures.style import STYLE, Chart
from pipeline.outputs import neutralised

FONT = "DejaVu Sans"  # the style sheet's font; text stays text (svg.fonttype: none)
FALLBACK_FONTS = "Verdana, Arial, sans-serif"  # of similar width, where DejaVu is missing


def save_chart(chart: Chart, out_dir: Path, stem: str) -> dict[str, Path]:
    """Write `<stem>.svg`, `<stem>.png` and `<stem>.csv` (data behind the chart), reproducibly.

    The same chart gives byte-identical files on every run: the SVG has a fixed hash salt and
    no date, the PNG no software stamp, and the CSV a fixed float format and `\\n` line ends.
    The SVG carries the title and alt text as `<title>` and `<desc>` for screen readers, and
    its text as text. The CSV's text cells are neutralised against formula injection
    (`outputs.neutralise`), as it is published under reports/.

    Returns
    -------
    dict
        {"svg": path, "png": path, "csv": path}.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {ext: out_dir / f"{stem}.{ext}" for ext in ("svg", "png", "csv")}
    with mpl.style.context(STYLE):
        buffer = io.StringIO()
        chart.figure.savefig(buffer, format="svg", metadata={"Date": None})
        svg = _accessible_svg(buffer.getvalue(), chart.title, chart.alt_text, stem)
        svg = svg.replace(f"font-family: '{FONT}'", f"font-family: '{FONT}', {FALLBACK_FONTS}")
        paths["svg"].write_bytes(svg.encode("utf-8"))
    chart.png = chart.render_png()  # kept for the notebook to display, not drawn again
    paths["png"].write_bytes(chart.png)
    data = neutralised(chart.data)
    for column in data.columns:  # numbers beside shorthand such as [c] keep the float format
        if pd.api.types.is_object_dtype(data[column]):
            data[column] = data[column].map(
                lambda v: f"{v:.6g}" if isinstance(v, float) and v == v else v
            )
    data.to_csv(paths["csv"], index=False, float_format="%.6g", lineterminator="\n")
    return paths


def _accessible_svg(svg: str, title: str, alt_text: str, stem: str) -> str:
    """Give the root <svg> a role, <title> and <desc> (escaped), as screen readers expect."""
    root = re.search(r"<svg\b[^>]*>", svg)
    if root is None:
        raise ValueError("matplotlib wrote an SVG without a root <svg> element")
    ids = f"{stem}-title {stem}-desc"
    tag = root.group(0)[:-1] + f' role="img" aria-labelledby={quoteattr(ids)}>'
    elements = (
        f"\n <title id={quoteattr(stem + '-title')}>{escape(title)}</title>"
        f"\n <desc id={quoteattr(stem + '-desc')}>{escape(alt_text)}</desc>"
    )
    return svg[: root.start()] + tag + elements + svg[root.end() :]
