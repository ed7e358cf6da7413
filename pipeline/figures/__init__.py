"""Every chart in the report, in one house style; `save_chart` writes SVG, PNG and the data.

Each chart function takes a tidy DataFrame (columns named in its docstring), a headline
`title` computed by the caller from results, and `alt_text`, and returns a `Chart`. Shares,
confidence limits and proportions are fractions (0-1), drawn as percentages. Figures are built
on `matplotlib.figure.Figure` directly, not through pyplot, so nothing accumulates in pyplot's
global figure list and a notebook shows a chart once, when it displays it.

The modules: `style` (palette, sizes, the style sheet, `Chart` and shared drawing helpers),
`checks` (input checks), `save` (`save_chart`), and one per family of charts: `foi`
(response and provision), `hexmap` (the hex map of authorities), `funnelplot`, `models`
(effects, paired change, diagnostics) and `survey` (survey waves). Callers use the names
re-exported here (`figures.status_bar`).
"""

from pipeline.figures.foi import (
    item_shares,
    items_histogram,
    nonresponse_by_region,
    status_bar,
)
from pipeline.figures.funnelplot import funnel_plot
from pipeline.figures.hexmap import hex_labels, hex_map, item_colours, short_names
from pipeline.figures.models import caterpillar, dumbbell, residual_diagnostics
from pipeline.figures.save import save_chart
from pipeline.figures.style import NO_DATA, Chart, percent_axis
from pipeline.figures.survey import likert_diverging, ranked_bars, wave_lines

__all__ = [
    "NO_DATA",
    "Chart",
    "caterpillar",
    "dumbbell",
    "funnel_plot",
    "hex_labels",
    "hex_map",
    "item_colours",
    "item_shares",
    "items_histogram",
    "likert_diverging",
    "nonresponse_by_region",
    "percent_axis",
    "ranked_bars",
    "residual_diagnostics",
    "save_chart",
    "short_names",
    "status_bar",
    "wave_lines",
]
