"""The built publication read as a reviewer would, without a browser: every abbreviation is in
the glossary, the front and back matter are there, every figure and table is reachable from the
index by its number with links to its notebook cell, code and data that resolve, and the
workbook holds every table and every figure's data with no empty cell and no formula."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import pytest
import yaml

pytestmark = pytest.mark.e2e
ABBREVIATION = re.compile(r"\b([A-Z]{2,}[0-9]*)s?\b")  # FOI, NB2, HC0; a plural s allowed


class _Page(HTMLParser):
    """A page's words outside data cells, code and styles; its glossary terms; its links and
    ids."""

    SKIP = {"td", "code", "style", "script", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.skipping, self.in_term = 0, False
        self.words: list[str] = []
        self.terms: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        self.skipping += tag in self.SKIP
        self.in_term = self.in_term or (tag == "dt")
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in self.SKIP
        self.in_term = self.in_term and tag != "dt"

    def handle_data(self, data: str) -> None:
        if self.in_term:
            self.terms.append(data.strip())
        if not self.skipping:
            self.words.append(data)


def _page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def section(reports) -> _Page:
    return _page(reports / "quantitative_section.html")


def test_every_abbreviation_on_the_page_is_in_the_glossary(section):
    used = set(ABBREVIATION.findall(" ".join(section.words)))
    assert {"FOI", "CI", "IRR", "GEE", "NB2", "AIC"} <= used  # the collector finds them
    assert sorted(used - set(section.terms)) == []


def test_glossary_explains_the_methods_the_section_names(section):
    terms = " ".join(section.terms)
    for term in ("IRR", "GEE", "NB2", "McNemar", "Holm", "Funnel limits"):
        assert term in terms, term


def test_front_and_back_matter_carry_the_release_metadata(section, built_repo):
    report = yaml.safe_load((built_repo.root / "params.yaml").read_text(encoding="utf-8"))["report"]
    text = " ".join(" ".join(section.words).split())
    day = report["release_date"]
    day = day if isinstance(day, str) else day.isoformat()
    year, month, date = day.split("-")
    for value in (report["publisher"], report["contact"], report["next_update"], report["status"]):
        assert value in text, value
    assert re.search(rf"Release date {int(date)} \w+ {year}", text)
    for heading in ("Things you need to know about this release", "Glossary"):
        assert heading in text
    # nothing outside the published set: no reviewer index, stage notebooks, logs or docs
    assert "quantitative_section.pdf" in section.links
    assert not any(
        link.split("#")[0].endswith(("index.html", ".ipynb", ".log", ".md"))
        and not link.startswith("authorities/")
        for link in section.links
    )


def _resolves(reports: Path, href: str) -> bool:
    """Whether a relative link from reports/ reaches a file and, in an HTML file, its anchor."""
    url = urlsplit(href)
    target = (reports / unquote(url.path)).resolve()
    if not target.is_file():
        return False
    return not url.fragment or url.fragment in _page(target).ids


def test_index_reaches_every_figure_and_table_by_number_with_links_that_resolve(reports, section):
    index = _page(reports / "index.html")
    numbered = sorted(i for i in section.ids if re.fullmatch(r"(figure|table)-\d+", i))
    rows = sorted(i for i in index.ids if re.fullmatch(r"(figure|table)-\d+", i))
    assert rows == numbered and len(numbered) >= 20
    for label in numbered:
        assert f"quantitative_section.html#{label}" in index.links, label
    cells = [link for link in index.links if re.match(r"stages/\w+\.html#cell-\d+$", link)]
    code = [link for link in index.links if re.match(r"\.\./pipeline/.+\.py$", link)]
    data = [link for link in index.links if link.endswith((".csv", ".json"))]
    assert len(cells) >= len(numbered) and code and data
    broken = [link for link in index.links if not _resolves(reports, link)]
    assert broken == []


def test_the_cell_an_index_row_names_made_that_figure(reports):
    index = (reports / "index.html").read_text(encoding="utf-8")
    row = index[index.index('<tr id="figure-1">') :].split("</tr>", 1)[0]
    stage, cell = re.search(r'href="stages/(\w+)\.html#(cell-\d+)"', row).groups()
    stem = re.search(r'href="figures/\w+/(\w+)\.csv"', row).group(1)
    page = (reports / "stages" / f"{stage}.html").read_text(encoding="utf-8")
    block = page[page.index(f'id="{cell}"') :].split('class="jp-Cell ', 1)[0]
    assert "save_chart" in block and stem in block


@pytest.fixture(scope="module")
def workbook(reports):
    return openpyxl.load_workbook(reports / "tables.xlsx")


def test_workbook_has_a_sheet_for_every_table_and_every_figure(workbook, section):
    numbered = sorted(i for i in section.ids if re.fullmatch(r"(figure|table)-\d+", i))
    sheets = sorted(s.lower().replace(" ", "-") for s in workbook.sheetnames[3:])
    assert workbook.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    assert sheets == numbered


def test_workbook_cells_are_values_or_shorthand_never_formulas(workbook):
    for sheet in workbook.worksheets[3:]:
        (table,) = sheet.tables.values()
        rows = list(sheet[table.ref])
        assert sheet.freeze_panes, sheet.title
        for row in rows:
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                assert cell.value is not None and str(cell.value).strip(), (
                    f"{sheet.title}!{cell.coordinate} is empty"
                )
        numbers = [
            c
            for row in rows[1:]
            for c in row
            if isinstance(c.value, int | float) and not isinstance(c.value, bool)
        ]
        assert all(c.number_format != "General" for c in numbers), sheet.title


def test_workbook_cover_carries_the_release_metadata(workbook):
    cover = " ".join(str(row[0]) for row in workbook["Cover"].iter_rows(values_only=True))
    for label in ("Publisher:", "Release date:", "Next update:", "Status:", "Contact"):
        assert label in cover, label
