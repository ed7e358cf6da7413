"""The accessible markup the report builds for tables and inline figures (fast; no browser)."""

import re

import pandas as pd

from pipeline.report import figure, scope_svg_ids, table_html

SVG = (
    '<svg xmlns:xlink="http://www.w3.org/1999/xlink" role="img" aria-labelledby="c-title c-desc">'
    '<title id="c-title">T</title><desc id="c-desc">D</desc>'
    '<g id="patch_1" clip-path="url(#p1)"><use xlink:href="#m1" x="1"/><use href="#m1"/></g>'
    '<clipPath id="p1"/><path id="m1"/><a href="#elsewhere">x</a></svg>'
)


def test_scope_svg_ids_prefixes_ids_and_every_reference():
    out = scope_svg_ids(SVG, "fig3-")
    assert re.findall(r'\sid="([^"]+)"', out) == [
        "fig3-c-title",
        "fig3-c-desc",
        "fig3-patch_1",
        "fig3-p1",
        "fig3-m1",
    ]
    assert 'aria-labelledby="fig3-c-title fig3-c-desc"' in out
    assert 'clip-path="url(#fig3-p1)"' in out
    assert out.count('href="#fig3-m1"') == 2
    assert 'href="#elsewhere"' in out  # not an id of this SVG: left alone


def test_two_figures_of_one_page_share_no_id(tmp_path):
    (tmp_path / "a.svg").write_text('<?xml version="1.0"?>\n' + SVG, encoding="utf-8")
    first, second = (figure(tmp_path / "a.svg", n, tmp_path) for n in (1, 2))
    ids = [re.findall(r'\sid="([^"]+)"', str(f["svg"])) for f in (first, second)]
    assert set(ids[0]).isdisjoint(ids[1]) and len(ids[0]) == 5
    assert first["svg"].startswith("<svg") and first["title"] == "T" and first["alt"] == "D"
    assert first["csv"] == "a.csv" and first["attachment"] == "figure-01-a.csv"
    assert (second["stage"], second["stem"]) == (tmp_path.name, "a")


def test_table_marks_column_and_row_headers_and_aligns_numbers():
    frame = pd.DataFrame(
        {"Item": ["Groups", "Creche"], "Count": [3, 12], "Share (%)": ["[c]", "4.5"]}
    )
    out = str(table_html(frame, 7, "Items & shares"))
    assert out.startswith('<table id="table-7" class="data">')
    assert "<caption>Table 7: Items &amp; shares</caption>" in out
    assert re.findall(r"<th[^>]*>[^<]*</th>", out.split("</thead>")[0]) == [
        '<th scope="col">Item</th>',
        '<th class="num" scope="col">Count</th>',
        '<th class="num" scope="col">Share (%)</th>',
    ]
    assert '<th scope="row">Creche</th>' in out
    assert '<td class="num">12</td>' in out and '<td class="num">[c]</td>' in out
    assert "<td>" not in out


def test_table_keeps_repeated_first_column_as_data_and_marks_long_tables():
    frame = pd.DataFrame({"File": ["a.csv"] * 16, "Reason": ["dup"] * 16, "Flag": [True] * 16})
    out = str(table_html(frame, 1, "Exclusions"))
    assert 'class="data long"' in out
    assert 'scope="row"' not in out
    assert out.count("<td>a.csv</td>") == 16 and out.count("<td>True</td>") == 16
    assert 'class="num"' not in out


def test_numbers_print_to_their_columns_decimals_with_separators_and_true_minus():
    frame = pd.DataFrame(
        {
            "Item": ["A", "B"],
            "Count": [1250, 3],
            "Change": [-1.5, 0.25],
            "p-value": [0.5, "<0.001"],
            "Round": ["2021", "2024"],
        }
    )
    out = str(table_html(frame, 2, "Numbers"))
    cells = re.findall(r'<td class="num">([^<]*)</td>', out)
    assert cells == ["1,250", "\u22121.50", "0.500", "2021", "3", "0.25", "&lt;0.001", "2024"]
