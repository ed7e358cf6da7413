"""Unit tests for pipeline.figures: the data behind each chart, input checks, reproducible saves."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import RegularPolygon

from pipeline import figures
from pipeline.taxonomy import ITEM_LABELS, K_ITEMS, STATUSES

T, ALT = "A headline", "Alt text describing the chart"


def _intervals(labels, shares, **extra) -> pd.DataFrame:
    shares = np.asarray(shares, float)
    return pd.DataFrame(
        {"label": labels, "share": shares, "conf_low": shares - 0.05, "conf_high": shares + 0.05}
        | extra
    )


def _yticks(chart: figures.Chart, axes: int = 0) -> list[str]:
    return [t.get_text() for t in chart.figure.axes[axes].get_yticklabels()]


@pytest.fixture
def hexes() -> pd.DataFrame:
    return pd.DataFrame({"la_code": ["E1", "E2", "E3", "E4"], "q": [0, 1, 0, 1], "r": [0, 0, 1, 1]})


# --- status and non-response ------------------------------------------------------------------


def test_status_bar_fills_missing_statuses_and_computes_shares():
    counts = pd.DataFrame(
        {
            "round": ["2021", "2021", "2024"],
            "status": ["full", "no_response", "full"],
            "count": [30, 10, 12],
        }
    )
    chart = figures.status_bar(counts, T, ALT)
    data = chart.data
    assert len(data) == 2 * len(STATUSES)
    assert data.loc[data["round"] == "2021", "status"].tolist() == list(STATUSES)
    full_2021 = data[(data["round"] == "2021") & (data["status"] == "full")]
    assert full_2021["share"].item() == pytest.approx(0.75)
    assert data.loc[data["round"] == "2024", "count"].sum() == 12
    assert data.groupby("round")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert _yticks(chart)[0] == "Full response"
    assert len(chart.figure.axes[0].patches) == 14


def test_chart_labels_round_half_way_percentages_up_as_the_text_does():
    # 1 of 8 is 12.5%: printed 13% in the section, so 13% on the bar too (not 12%, as
    # Python's half-to-even format gives); the funnel's target of 0.3125 is 31.3%.
    counts = pd.DataFrame({"round": ["2024"] * 2, "status": ["full", "partial"], "count": [7, 1]})
    texts = [t.get_text() for t in figures.status_bar(counts, T, ALT).figure.axes[0].texts]
    assert "13% (1)" in texts and "88% (7)" in texts
    points = pd.DataFrame({"label": ["A"], "n": [100], "share": [0.3], "outlier": [False]})
    limits = pd.DataFrame({"n": [50.0, 500.0], "level": 0.95, "lower": 0.2, "upper": 0.4})
    ax = figures.funnel_plot(points, limits, T, ALT, target=0.3125).figure.axes[0]
    assert "England 31.3%" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_status_bar_rejects_unknown_status():
    counts = pd.DataFrame({"round": ["2021"], "status": ["Provided"], "count": [3]})
    with pytest.raises(ValueError, match=r"status_bar: column 'status' has unknown .*Provided"):
        figures.status_bar(counts, T, ALT)


def test_nonresponse_by_region_sorts_highest_first_and_marks_overall():
    df = _intervals(["London", "North East", "South West"], [0.1, 0.4, 0.2], n=[33, 12, 15])
    chart = figures.nonresponse_by_region(
        df.rename(columns={"label": "region_name"}), T, ALT, overall=0.2
    )
    assert _yticks(chart) == ["North East (n = 12)", "South West (n = 15)", "London (n = 33)"]
    assert len(chart.data) == 3
    dashed = [ln for ln in chart.figure.axes[0].lines if ln.get_linestyle() == "--"]
    assert [ln.get_xdata()[0] for ln in dashed] == [0.2]


# --- provision --------------------------------------------------------------------------------


def test_item_shares_labels_and_orders_by_last_round():
    df = pd.concat(
        [
            _intervals(["childcare", "digital"], [0.6, 0.2], round="2021", n=100),
            _intervals(["childcare", "digital"], [0.3, 0.5], round="2024", n=100),
        ]
    ).rename(columns={"label": "item"})
    chart = figures.item_shares(df, T, ALT)
    assert _yticks(chart) == [ITEM_LABELS["digital"], ITEM_LABELS["childcare"]]
    assert len(chart.data) == 4
    assert set(chart.data["item_label"]) == {ITEM_LABELS["digital"], ITEM_LABELS["childcare"]}
    assert chart.figure.axes[0].get_legend() is not None


def test_item_shares_rejects_unknown_item_and_bad_interval():
    df = _intervals(["childcare"], [0.5], n=10).rename(columns={"label": "item"})
    with pytest.raises(ValueError, match="unknown values.*creche"):
        figures.item_shares(df.assign(item="creche"), T, ALT)
    with pytest.raises(ValueError, match="row 0 has 'share' outside its interval"):
        figures.item_shares(df.assign(conf_low=0.6), T, ALT)


def test_items_histogram_counts_every_value_including_zeros():
    df = pd.DataFrame({"round": ["2021"] * 3 + ["2024"] * 2, "n_items": [0, 5, 5, 13, 2]})
    data = figures.items_histogram(df, T, ALT).data
    assert len(data) == 2 * (K_ITEMS + 1)
    r21 = data[data["round"] == "2021"].set_index("n_items")
    assert r21.loc[5, "n_las"] == 2 and r21.loc[1, "n_las"] == 0
    assert r21.loc[5, "share"] == pytest.approx(2 / 3)
    assert data.loc[data["round"] == "2024", "n_las"].sum() == 2


def test_items_histogram_rejects_out_of_range():
    with pytest.raises(ValueError, match=r"'n_items' is not a whole number 0..13 in row 1"):
        figures.items_histogram(pd.DataFrame({"n_items": [3, 14]}), T, ALT)


def test_hex_map_draws_one_hexagon_per_la_in_odd_r_layout(hexes):
    df = pd.DataFrame({"la_code": ["E1", "E2", "E3", "E4"], "n_items": [0, 13, None, 4]})
    chart = figures.hex_map(df, hexes, T, ALT)
    patches = [p for p in chart.figure.axes[0].patches if isinstance(p, RegularPolygon)]
    assert len(patches) == 4
    data = chart.data.set_index("la_code")
    width = np.sqrt(3)
    assert data.loc["E3", "x"] - data.loc["E1", "x"] == pytest.approx(width / 2)  # odd row right
    assert data.loc["E3", "y"] > data.loc["E1", "y"]  # r grows northwards, drawn upwards
    assert data.loc["E3", "fill"] == figures.NO_DATA
    assert data.loc["E1", "fill"] != data.loc["E2", "fill"]
    legend = [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]
    assert legend == ["No information (1)"]


def test_hex_map_colours_a_half_way_median_as_the_next_whole_number(hexes):
    # Region A's median is 4.5 and B's 5.5: each bar takes the colour of the whole number
    # above (5 and 6, the colours of E2 and E4), as half-way values round everywhere else.
    df = pd.DataFrame(
        {
            "la_code": ["E1", "E2", "E3", "E4"],
            "n_items": [4, 5, 5, 6],
            "region_name": ["A", "A", "B", "B"],
        }
    )
    chart = figures.hex_map(df, hexes, T, ALT)
    panel = next(a for a in chart.figure.axes if a.get_title(loc="left") == "Median by region")
    bars = {
        t.get_text(): to_hex(p.get_facecolor())
        for t, p in zip(panel.get_yticklabels(), panel.patches, strict=True)
    }
    fill = chart.data.set_index("la_code")["fill"]
    assert bars == {"B": fill["E4"], "A": fill["E2"]}


def test_hex_map_colour_key_labels_stand_apart(hexes):
    # with the median-by-region panel beside it, as in the report; 0..13 items
    df = pd.DataFrame(
        {"la_code": ["E1", "E2", "E3", "E4"], "n_items": [0, 13, None, 4], "region_name": "A"}
    )
    chart = figures.hex_map(df, hexes, T, ALT)
    fig = chart.figure
    (key,) = fig.axes[0].child_axes  # the colour key, inset at the top left
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in key.get_xticklabels() if t.get_text()]
    assert len(boxes) >= 5
    gaps = [b.x0 - a.x1 for a, b in itertools.pairwise(boxes)]
    assert min(gaps) >= 2 / 72 * fig.dpi  # 2 points


def test_hex_map_rejects_authorities_missing_from_either_side(hexes):
    df = pd.DataFrame({"la_code": ["E1", "E2", "E3", "E9"], "n_items": [1, 2, 3, 4]})
    with pytest.raises(ValueError, match=r"1 la_code not in the hex layout: \['E9'\]"):
        figures.hex_map(df, hexes, T, ALT)
    with pytest.raises(ValueError, match=r"1 la_code not in the data: \['E4'\]"):
        figures.hex_map(df.iloc[:3], hexes, T, ALT)


# --- models -----------------------------------------------------------------------------------


def test_caterpillar_sorts_draws_null_and_shrunken():
    df = pd.DataFrame(
        {
            "label": ["A", "B", "C"],
            "estimate": [0.8, 1.3, 1.0],
            "conf_low": [0.6, 1.1, 0.9],
            "conf_high": [1.0, 1.5, 1.1],
            "shrunken": [0.9, 1.2, 1.0],
        }
    )
    chart = figures.caterpillar(df, T, ALT)
    ax = chart.figure.axes[0]
    assert _yticks(chart) == ["B", "C", "A"]
    assert ax.get_xscale() == "log"
    assert any(ln.get_xdata()[0] == 1.0 for ln in ax.lines)
    assert len(ax.collections[-1].get_offsets()) == 3  # the shrunken diamonds
    with pytest.raises(ValueError, match="log_scale needs positive"):
        figures.caterpillar(df.assign(conf_low=[-0.1, 1.1, 0.9]), T, ALT)


def test_funnel_plot_stacks_points_and_limits_and_labels_outliers():
    points = pd.DataFrame(
        {
            "label": ["A", "B", "C", "D"],
            "n": [100, 400, 900, 5],
            "share": [0.3, 0.6, 0.1, None],
            "outlier": [False, True, True, False],
        }
    )
    grid = np.array([50.0, 500.0, 1000.0])
    se = np.sqrt(0.09 / grid)
    limits = pd.concat(
        [
            pd.DataFrame({"n": grid, "level": lvl, "lower": 0.3 - z * se, "upper": 0.3 + z * se})
            for lvl, z in ((0.95, 2), (0.998, 3))
        ]
    )
    chart = figures.funnel_plot(points, limits, T, ALT, target=0.3)
    layers = chart.data["layer"].value_counts()
    assert layers["point"] == 4 and layers["limit"] == 2 * 2 * 3
    assert sorted(chart.data.loc[chart.data["layer"] == "limit", "level"].unique()) == [0.95, 0.998]
    ax = chart.figure.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == ["1 not shown (counts withheld)", "B", "C"]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == ["England 30.0%", "95% limits", "99.8% limits"]


def test_dumbbell_keeps_largest_changes_and_notes_the_rest():
    df = pd.DataFrame(
        {
            "la_name": [f"LA{i:02d}" for i in range(30)],
            "before": [5] * 30,
            "after": [5 + (i - 15) // 3 for i in range(30)],
        }
    )
    chart = figures.dumbbell(df, T, ALT, show=4)
    data = chart.data
    assert len(data) == 8
    assert data["change"].iloc[0] == 4 and data["change"].iloc[-1] == -5
    assert data["group"].tolist() == ["Largest increases"] * 4 + ["Largest decreases"] * 4
    assert any("22 local authorities" in t.get_text() for t in chart.figure.axes[0].texts)
    assert len(figures.dumbbell(df.head(6), T, ALT, show=4).data) == 6


def test_residual_diagnostics_has_smooth_threshold_and_labels():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "fitted": rng.uniform(1, 5, 40),
            "residual": rng.normal(size=40),
            "influence": rng.exponential(0.01, 40),
        }
    )
    df.loc[7, "influence"] = 0.5
    chart = figures.residual_diagnostics(df, T, ALT, n_labels=2)
    assert chart.data["smooth"].notna().all() and len(chart.data) == 40
    right = chart.figure.axes[1]
    assert any(ln.get_ydata()[0] == pytest.approx(0.1) for ln in right.lines)  # 4 / n
    assert "7" in [t.get_text() for t in right.texts]


# --- survey -----------------------------------------------------------------------------------


def test_likert_diverging_centres_neutral_on_zero():
    levels = ["Poor", "Neither", "Good"]
    df = pd.DataFrame(
        {"wave": "2021", "option": "Police", "level": levels, "share": [0.5, 0.2, 0.3]}
    )
    data = figures.likert_diverging(df, T, ALT, levels=levels, neutral="Neither").data
    edges = data.set_index("level")[["left", "right"]]
    assert edges.loc["Poor"].tolist() == pytest.approx([-0.6, -0.1])
    assert edges.loc["Neither"].tolist() == pytest.approx([-0.1, 0.1])
    assert edges.loc["Good"].tolist() == pytest.approx([0.1, 0.4])
    with pytest.raises(ValueError, match="unknown values.*Excellent"):
        figures.likert_diverging(df.assign(level="Excellent"), T, ALT, levels=levels)


def test_ranked_bars_and_wave_lines():
    df = pd.concat(
        [
            _intervals(["Stigma", "Cost"], [0.5, 0.3], wave="2021"),
            _intervals(["Stigma", "Cost"], [0.4, 0.6], wave="2023"),
        ]
    )
    chart = figures.ranked_bars(df, T, ALT)
    assert _yticks(chart) == ["Cost", "Stigma"]
    assert len(chart.figure.axes[0].patches) == 4
    lines = figures.wave_lines(df.rename(columns={"label": "option"}), T, ALT, ncols=3)
    assert [ax.get_title(loc="left") for ax in lines.figure.axes] == ["Stigma", "Cost"]
    assert len(lines.data) == 4


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (
            lambda: figures.nonresponse_by_region(pd.DataFrame({"region_name": ["X"]}), T, ALT),
            "share",
        ),
        (
            lambda: figures.caterpillar(pd.DataFrame({"label": ["X"], "estimate": [1.0]}), T, ALT),
            "conf_low",
        ),
        (
            lambda: figures.dumbbell(pd.DataFrame({"la_name": ["X"], "before": [1]}), T, ALT),
            "after",
        ),
        (lambda: figures.wave_lines(pd.DataFrame({"option": ["X"]}), T, ALT), "wave"),
    ],
)
def test_missing_column_is_named(call, column):
    with pytest.raises(ValueError, match=f"no column '{column}'"):
        call()


def test_empty_cell_and_missing_title_are_rejected():
    df = _intervals(["A"], [0.5], n=[3]).rename(columns={"label": "region_name"})
    with pytest.raises(ValueError, match="column 'n' is empty in row 0"):
        figures.nonresponse_by_region(df.assign(n=[None]), T, ALT)
    with pytest.raises(ValueError, match="needs a headline title and alt text"):
        figures.nonresponse_by_region(df, T, " ")


# --- saving -----------------------------------------------------------------------------------


def _chart() -> figures.Chart:
    df = _intervals(["Stigma & shame", "Cost"], [0.512345678, 0.25], wave="2021")
    return figures.ranked_bars(df, 'Stigma <leads> "by far"', "Bars: stigma 51%, cost 25%.")


def test_save_chart_writes_accessible_svg_png_and_csv(tmp_path):
    paths = figures.save_chart(_chart(), tmp_path, "barriers")
    assert {k: p.name for k, p in paths.items()} == {
        "svg": "barriers.svg",
        "png": "barriers.png",
        "csv": "barriers.csv",
    }
    svg = paths["svg"].read_text(encoding="utf-8")
    assert '<title id="barriers-title">Stigma &lt;leads&gt; "by far"</title>' in svg
    assert '<desc id="barriers-desc">Bars: stigma 51%, cost 25%.</desc>' in svg
    assert 'role="img" aria-labelledby="barriers-title barriers-desc"' in svg
    assert svg.index("<title") < svg.index("<metadata")
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv = paths["csv"].read_bytes()
    assert b"\r\n" not in csv
    assert csv.splitlines()[1] == b"2021,Stigma & shame,0.512346,0.462346,0.562346"


def test_save_chart_is_byte_identical_on_rerun(tmp_path):
    first = figures.save_chart(_chart(), tmp_path / "a", "chart")
    second = figures.save_chart(_chart(), tmp_path / "b", "chart")
    for kind in ("svg", "png", "csv"):
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind


def test_chart_displays_as_png_in_notebooks():
    data, meta = _chart()._repr_mimebundle_()
    assert data["image/png"][:4] == b"\x89PNG"
    assert meta["image/png"]["alt"] == _chart().alt_text


def test_a_saved_chart_displays_the_png_it_wrote_without_drawing_again(tmp_path, monkeypatch):
    chart = _chart()
    paths = figures.save_chart(chart, tmp_path, "chart")
    monkeypatch.setattr(chart.figure, "savefig", lambda *a, **k: pytest.fail("drawn again"))
    assert chart._repr_mimebundle_()[0]["image/png"] == paths["png"].read_bytes()
    assert paths["png"].read_bytes() == _chart().render_png()  # as an unsaved chart shows


# --- percentages, titles, text and withheld values ----------------------------------------------


def _labels(axis) -> list[str]:
    """The labels of the ticks inside the axis's view, as drawn."""
    axis.axes.figure.canvas.draw()
    low, high = sorted(axis.get_view_interval())
    return [
        label.get_text()
        for tick, label in zip(axis.get_majorticklocs(), axis.get_ticklabels(), strict=True)
        if low - 1e-12 <= tick <= high + 1e-12
    ]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 0.15, ["0%", "2%", "4%", "6%", "8%", "10%", "12%", "14%"]),  # not 0%, 2%, 5%, 8% ...
        (0, 1, ["0%", "20%", "40%", "60%", "80%", "100%"]),
        (0, 0.012, ["0.0%", "0.2%", "0.4%", "0.6%", "0.8%", "1.0%", "1.2%"]),
        (-0.3, 0.3, ["\u221230%", "\u221220%", "\u221210%", "0%", "10%", "20%", "30%"]),
    ],
)
def test_percent_axis_ticks_print_exactly_at_equal_steps(low, high, expected):
    fig, ax = figures.style._figure(3)
    ax.set_ylim(low, high)
    figures.percent_axis(ax.yaxis)
    labels = _labels(ax.yaxis)
    assert labels == expected
    shown = [float(t.replace("\u2212", "-").rstrip("%")) / 100 for t in labels]
    ticks = [t for t in ax.get_yticks() if low - 1e-12 <= t <= high + 1e-12]
    assert shown == pytest.approx(ticks, abs=1e-12)  # each label is its tick's exact value
    assert len(set(np.round(np.diff(shown), 12))) == 1  # equal steps


def test_percent_axis_drops_the_sign_when_asked():
    fig, ax = figures.style._figure(3)
    ax.set_xlim(-0.4, 0.4)
    figures.percent_axis(ax.xaxis, absolute=True)
    assert _labels(ax.xaxis)[:2] == ["40%", "30%"]


def test_percent_decimals_are_the_fewest_that_print_exactly():
    assert figures.style.percent_decimals([0, 0.05, 0.1]) == 0
    assert figures.style.percent_decimals([0, 0.025, 0.05]) == 1
    assert figures.style.percent_decimals([0.00125]) == 3


def test_charts_do_not_draw_their_title_but_keep_it(tmp_path):
    chart = _chart()
    texts = [t.get_text() for t in chart.figure.texts]
    assert chart.title not in texts and not any("by far" in t for t in texts)
    svg = figures.save_chart(chart, tmp_path, "c")["svg"].read_text(encoding="utf-8")
    assert svg.count("by far") == 1  # only in the SVG's <title>


def test_svg_text_is_text_not_glyph_paths(tmp_path):
    svg = figures.save_chart(_chart(), tmp_path, "c")["svg"].read_text(encoding="utf-8")
    assert "<text" in svg and "Stigma &amp; shame" in svg
    assert "DejaVuSans-" not in svg  # no glyph definitions
    assert "font-family: 'DejaVu Sans', Verdana, Arial, sans-serif" in svg  # and fallbacks


def test_save_chart_neutralises_formula_text_in_the_csv(tmp_path):
    df = _intervals(["=cmd|' /C calc'!A0", "@risk"], [0.5, 0.25])
    chart = figures.ranked_bars(df, T, ALT)
    csv = figures.save_chart(chart, tmp_path, "c")["csv"].read_text(encoding="utf-8")
    assert "'=cmd" in csv and "'@risk" in csv and "\n=" not in csv


def _withheld(**columns) -> pd.DataFrame:
    return _intervals(["Stigma", "Cost", "Shame"], [0.5, 0.3, 0.2], **columns)


def test_ranked_bars_write_c_where_a_share_is_withheld():
    df = _withheld().astype(object)
    df.loc[1, ["share", "conf_low", "conf_high"]] = "[c]"
    chart = figures.ranked_bars(df, T, ALT)
    assert "[c]" in [t.get_text() for t in chart.figure.axes[0].texts]
    assert chart.data.loc[chart.data["label"] == "Cost", "share"].item() == "[c]"
    assert chart.data.loc[chart.data["label"] == "Stigma", "share"].item() == 0.5


def test_wave_lines_write_c_for_a_suppressed_wave_from_the_flag():
    df = pd.concat([_withheld(wave="2021"), _withheld(wave="2023")], ignore_index=True)
    df = df.rename(columns={"label": "option"}).assign(share_suppressed=False)
    df.loc[4, ["share", "conf_low", "conf_high", "share_suppressed"]] = [None, None, None, True]
    chart = figures.wave_lines(df, T, ALT)
    texts = [t.get_text() for ax in chart.figure.axes for t in ax.texts]
    assert texts == ["[c]"]
    assert chart.data["share"].tolist().count("[c]") == 1


def test_likert_bar_with_a_withheld_level_is_replaced_by_its_shorthand():
    levels = ["Poor", "Neither", "Good"]
    df = pd.DataFrame(
        {
            "wave": ["2021"] * 3 + ["2023"] * 3,
            "option": "Police",
            "level": levels * 2,
            "share": [0.5, 0.2, 0.3, "[c]", 0.5, 0.2],
        }
    )
    chart = figures.likert_diverging(df, T, ALT, levels=levels, neutral="Neither")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("[")] == ["[c]"]
    assert len(ax.patches) == 3  # only the 2021 bar is drawn
    assert set(chart.data.loc[chart.data["wave"] == "2023", "share"]) == {"[c]"}


def test_funnel_data_mark_withheld_shares_c():
    points = pd.DataFrame(
        {"label": ["A", "B"], "n": [100, 5], "share": [0.3, None], "outlier": [False, False]}
    )
    limits = pd.DataFrame({"n": [50.0, 500.0], "level": 0.95, "lower": 0.2, "upper": 0.4})
    data = figures.funnel_plot(points, limits, T, ALT, target=0.3).data
    assert data.loc[data["label"] == "B", "share"].item() == "[c]"


def test_funnel_legend_names_each_element_in_a_colour_of_its_own():
    points = pd.DataFrame(
        {"label": ["A", "B"], "n": [100, 400], "share": [0.3, 0.9], "outlier": [False, True]}
    )
    limits = pd.concat(
        [
            pd.DataFrame({"n": [50.0, 500.0], "level": lvl, "lower": 0.2, "upper": 0.4, "kind": k})
            for k in ("unadjusted", "adjusted")
            for lvl in (0.95, 0.998)
        ]
    )
    ax = figures.funnel_plot(points, limits, T, ALT, target=0.3).figure.axes[0]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "England 30.0%",
        "95% limits",
        "99.8% limits",
        "Unadjusted",
        "Adjusted",
        "Authority",
        "Outside the limits",
    ]
    colours = [h.get_color() for h in legend.legend_handles[3:]]
    assert len(set(colours)) == len(colours)


def test_dumbbell_legend_names_increase_and_decrease():
    df = pd.DataFrame({"la_name": ["A", "B", "C"], "before": [2, 5, 4], "after": [6, 1, 4]})
    legend = figures.dumbbell(df, T, ALT, before_label="2021", after_label="2024")
    texts = [t.get_text() for t in legend.figure.axes[0].get_legend().get_texts()]
    assert texts == ["2021", "2024", "Increase", "Decrease", "No change"]


# --- the hex map ------------------------------------------------------------------------------


def test_short_names_are_unique_and_never_two_capitals_in_a_row():
    names = pd.Series(
        ["Derby", "Derbyshire", "North Yorkshire", "North Somerset", "Norfolk", "Northumberland",
         "Southwark", "Southampton", "City of London", "Kingston upon Hull, City of",
         "Kingston upon Thames", "Bury"]
    )  # fmt: skip
    labels = figures.short_names(names).tolist()
    assert labels[:4] == ["Derby", "Derbys", "NorY", "NorS"]
    assert labels[8:] == ["Lon", "KinH", "KinT", "Bur"]
    assert len(set(labels)) == len(labels)
    assert not [lab for lab in labels if re.search("[A-Z]{2}", lab)]


@pytest.fixture
def regions_map(hexes) -> figures.Chart:
    df = pd.DataFrame(
        {
            "la_code": ["E1", "E2", "E3", "E4"],
            "la_name": ["Leeds", "York", "Camden", "Brent"],
            "region_name": ["North", "North", "London", "London"],
            "n_items": [2, 4, 6, None],
        }
    )
    return figures.hex_map(df, hexes, T, ALT)


def test_hex_map_labels_outlines_regions_and_draws_london_again(regions_map):
    main, inset, medians = regions_map.figure.axes[:3]
    assert sorted(t.get_text() for t in main.texts) == ["Lee", "Yor"]  # London: in the inset
    assert sorted(t.get_text() for t in inset.texts) == ["Bre", "Cam"]
    assert inset.get_title(loc="left").startswith("London")
    outline = main.collections[0].get_segments()
    assert len(outline) == 2 * 5 + 2 * 5  # each region's 2 hexes: 5 outer edges each, twice
    assert [t.get_text() for t in medians.get_yticklabels()] == ["London", "North"]
    data = regions_map.data.set_index("la_code")
    assert data.loc["E3", "label"] == "Cam" and data.loc["E1", "region_median"] == 3
    # the labels and colours the authority pages' map shares
    assert data["label"].to_dict() == figures.hex_labels(data.reset_index())
    colours = figures.item_colours()
    assert data["fill"].tolist() == [colours[2], colours[4], colours[6], figures.NO_DATA]


def test_hex_map_without_names_or_regions_is_the_bare_map(hexes):
    df = pd.DataFrame({"la_code": ["E1", "E2", "E3", "E4"], "n_items": [1, 2, 3, 4]})
    chart = figures.hex_map(df, hexes, T, ALT)
    assert len(chart.figure.axes) == 1  # the map alone (its colour key is inside it)
    assert "label" not in chart.data
