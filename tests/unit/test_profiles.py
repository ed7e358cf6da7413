"""The authority pages (pipeline/profiles), built from small generated inputs on the real
reference geography: every authority has a page, every hexagon links to one, the HTML is
well formed and accessible in structure, counts of people appear only as published, and a
rebuild gives the same bytes."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from pipeline import geography, profiles, schemas
from pipeline.figures import NO_DATA, hex_labels, item_colours
from pipeline.profiles import records
from pipeline.profiles.hexmap import FONT, _across, _outline, font_for, ink_for
from pipeline.profiles.inputs import read_estimates
from pipeline.taxonomy import ADJUSTED, ANSWERED_STATUSES, ITEM_IDS

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "data/reference"
YEAR = 2023
ROUNDS = {"2021": "2021-06-01", "2024": "2024-05-01"}
SILENT = "E06000001"  # gave no answer in 2024
WITHHELD = "E06000003"  # usable counts, but not on the published funnel
DISCLOSURE = {"suppress_below": 8, "round_to": 5}
REPORT = {"title": "Test title", "synthetic": True}
FORMER = {"E06000063": "E10000006", "E06000064": "E10000006", "E06000065": "E10000023"}
VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source", "col", "area", "base"}
SVG_EMPTY = {"polygon", "path", "rect", "circle", "line", "use"}


def _round_rows(round_name: str, authorities: pd.DataFrame, rng) -> pd.DataFrame:
    """One round of foi_common for the latest geography, answers drawn at random."""
    rows = []
    sent = pd.Timestamp(ROUNDS[round_name])
    for i, a in enumerate(authorities.itertuples(index=False)):
        status = "no_response" if (a.la_code == SILENT and round_name == "2024") else "full"
        status = "not_held" if i % 17 == 5 else "partial" if i % 17 == 6 else status
        responded = status in ANSWERED_STATUSES
        answers = rng.choice(["yes", "no", "not_held", "unknown"], 13, p=[0.4, 0.4, 0.1, 0.1])
        answers = answers if responded else ["unknown"] * 13
        source = FORMER.get(a.la_code, a.la_code) if round_name == "2021" else a.la_code
        inherited = a.la_code in ("E06000063", "E06000064") and round_name == "2021"
        counted = responded and not inherited
        replied = None if status == "no_response" else sent + pd.Timedelta(days=int(5 + i % 40))
        rows.append(
            {
                "round": round_name,
                "geography_year": YEAR,
                **a._asdict(),
                "status": status,
                "status_raw": status,
                "responded": responded,
                "date_sent": sent,
                "date_responded": replied,
                "days_to_answer": None if replied is None else (replied - sent).days,
                **dict(zip(ITEM_IDS, answers, strict=True)),
                "n_items": int(sum(x == "yes" for x in answers)) if responded else None,
                "adults_in_treatment": 1000 + 10 * i if counted else None,
                "adults_flag": "exact" if counted else "missing",
                "adults_bound": None,
                "women_in_treatment": 300 + 3 * i if counted else None,
                "women_flag": "exact" if counted else "missing",
                "women_bound": None,
                "match_method": "code",
                "source_file": f"foi/{round_name}.csv",
                "source_row": i + 2,
                "source_la_code": source,
                "inherited": inherited,
            }
        )
    return pd.DataFrame(rows)


def _common(authorities: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.concat([_round_rows(r, authorities, rng) for r in ROUNDS], ignore_index=True)
    for col in ("days_to_answer", "n_items", "adults_in_treatment", "women_in_treatment"):
        frame[col] = frame[col].astype("Int64")
    for col in ("adults_bound", "women_bound"):
        frame[col] = pd.array([pd.NA] * len(frame), dtype="Int64")
    for col in ("date_sent", "date_responded"):
        frame[col] = pd.to_datetime(frame[col]).astype(schemas.DATE_DTYPE)
    return frame[schemas.columns("foi_common")]


def _estimates(common: pd.DataFrame) -> pd.DataFrame:
    """A small fixture in the contract of model_provision's authority_estimates.csv."""
    rows = common[(common["round"] == "2024") & common["responded"]].reset_index(drop=True)
    observed = rows["n_items"].astype(float)
    estimate = 0.7 * observed + 0.3 * observed.mean()
    frame = pd.DataFrame(
        {
            "la_code": rows["la_code"],
            "la_name": rows["la_name"],
            "region_name": rows["region_name"],
            "status": rows["status"],
            "observed_items": rows["n_items"].astype(int),
            "expected_items": observed.mean(),
            "estimate": estimate,
            "conf_low": estimate - 2,
            "conf_high": estimate + 2,
            "rank": estimate.rank(ascending=False, method="first").astype(int),
        }
    )
    return frame.assign(rank_low=(frame["rank"] - 9).clip(1), rank_high=frame["rank"] + 9)


def _funnel(common: pd.DataFrame) -> pd.DataFrame:
    """The published funnel chart's data: limit rows, and points named by authority (one
    withheld by disclosure control, its share written "[c]")."""
    latest = common[(common["round"] == "2024") & common["adults_in_treatment"].notna()]
    limits = pd.DataFrame(
        {"layer": "limit", "kind": "unadjusted", "level": 0.95, "bound": "lower", "n": [1, 2]}
    )
    share = latest["women_in_treatment"] / latest["adults_in_treatment"]
    points = pd.DataFrame(
        {
            "layer": "point",
            "label": latest["la_name"],
            "n": (latest["adults_in_treatment"] // 5 * 5).astype(int),
            "share": share.astype(object).mask(latest["la_code"] == WITHHELD, "[c]"),
            "outlier": False,
        }
    )
    columns = ["layer", "label", "kind", "level", "bound", "n", "share", "outlier"]
    return pd.concat([limits, points], ignore_index=True).reindex(columns=columns)


def _survey(tmp: Path) -> tuple[Path, Path]:
    """Nine organisations serving Middlesbrough in 2023; three serving Cumbria in 2021."""
    areas = [("2023", f"ORG-{i}", "E06000002") for i in range(9)]
    areas += [("2021", f"ORG-{i}", "E10000006") for i in range(3)]
    frame = pd.DataFrame(areas, columns=["wave", "org_id", "la_code"]).assign(match_method="code")
    responses = []
    for wave, org, _ in areas:
        for question, value in (("demand_change", "increased"), ("funding_change", "same")):
            responses.append((wave, org, question, "", value, "answered"))
        responses.append((wave, org, "funding_secure", "", "", "not_asked"))
    answers = pd.DataFrame(
        responses, columns=["wave", "org_id", "question", "option", "value", "status"]
    )
    schemas.write(frame, tmp / "survey_areas.csv", "survey_areas")
    schemas.write(answers, tmp / "survey_responses.csv", "survey_responses")
    return tmp / "survey_areas.csv", tmp / "survey_responses.csv"


def _build(tmp: Path, first: int | None = None) -> list[Path]:
    """Write the inputs and build the site as the profiles notebook does (with only the
    `first` authority pages if given)."""
    authorities = geography.authorities(REFERENCE, YEAR)[
        ["la_code", "la_name", "region_code", "region_name"]
    ]
    common = _common(authorities)
    schemas.write(common, tmp / "foi_common.csv", "foi_common")
    _estimates(common).to_csv(tmp / "estimates.csv", index=False)
    _funnel(common).to_csv(tmp / "funnel.csv", index=False)
    pd.DataFrame(
        [("E06000002", "Middlesbrough", "North East", ADJUSTED, 0.998, "above")],
        columns=["la_code", "la_name", "region_name", "limits", "level", "side"],
    ).to_csv(tmp / "outliers.csv", index=False)
    (tmp / "funnel.json").write_text(json.dumps({"round": "2024", "target": 0.3}))
    inputs = profiles.load_inputs(
        REFERENCE,
        tmp / "foi_common.csv",
        tmp / "estimates.csv",
        tmp / "funnel.csv",
        tmp / "outliers.csv",
        tmp / "funnel.json",
        combine_small=True,
    )
    survey = profiles.survey_by_area(
        *_survey(tmp), inputs.authorities["la_code"], inputs.changes, **DISCLOSURE
    )
    neighbours = profiles.statistical_neighbours(inputs.covariates, inputs.authorities)
    pages = profiles.build_profiles(inputs, neighbours, survey)
    return profiles.write_pages(
        inputs, pages[:first], profiles.hex_map(inputs), tmp / "site", REPORT, DISCLOSURE
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("profiles")
    _build(tmp)
    return tmp / "site"


def _text(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def _visible(page: str) -> str:
    """The page's text without markup, styles or scripts, whitespace collapsed."""
    body = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


# Every page exists and links resolve ------------------------------------------------------------


def test_every_authority_of_the_latest_geography_has_a_page(site):
    codes = set(geography.authorities(REFERENCE, YEAR)["la_code"])
    pages = {p.stem for p in site.glob("E*.html")}
    former = {"E10000002", "E10000006", "E10000021", "E10000023", "E10000027"}
    assert pages == codes | former
    assert {p.name for p in site.glob("*.html")} - {f"{c}.html" for c in pages} == {
        "index.html",
        "by-region.html",
        "by-items.html",
        "by-estimate.html",
    }


def test_every_hexagon_is_a_titled_link_to_an_existing_page(site):
    for name in ("index.html", "E06000063.html"):
        svg = re.search(r"<svg\b.*?</svg>", _text(site, name), re.S).group(0)
        links = re.findall(r'<a href="([^"]+)"[^>]*><title>([^<]+)</title>', svg)
        assert len(links) == 153 == svg.count("<a ")
        assert all((site / href).is_file() and title.strip() for href, title in links)
    cumberland = _text(site, "E06000063.html")
    assert '<a href="E06000063.html" aria-current="page">' in cumberland


def test_every_local_link_on_every_page_resolves(site):
    for page in sorted(site.glob("*.html")):
        for href in re.findall(r'href="([^"#]+)(?:#[^"]*)?"', page.read_text(encoding="utf-8")):
            assert not href.startswith(("http:", "https:", "//")), (page.name, href)
            if not href.startswith("../"):  # the section is the report stage's
                assert (site / href).is_file(), (page.name, href)


def test_former_codes_point_to_their_successors(site):
    cumbria = _visible(_text(site, "E10000006.html"))
    assert "Cumberland (E06000063)" in cumbria and "Westmorland and Furness (E06000064)" in cumbria
    assert 'href="E06000061.html"' in _text(site, "E10000021.html")
    cumberland = _visible(_text(site, "E06000063.html"))
    assert "covers the area of Cumbria ( E10000006 )" in cumberland
    assert "answered by Cumbria, E10000006; inherited" in cumberland
    assert "The 2021 FOI round was sent to Cumbria for its whole area" in cumberland


def test_codes_replaced_before_every_round_are_not_said_to_have_answered(site):
    # Northamptonshire was split in the 2021 geography: both rounds asked its successors
    north = _visible(_text(site, "E06000061.html"))
    assert "replaced in the 2021 geography" in north and "inherit" not in north
    assert "so nothing of Northamptonshire (E10000021) is carried over" in north
    note = _visible(_text(site, "E10000021.html"))
    assert "From the 2021 geography its area is split" in note
    assert "No FOI round was sent under E10000021" in note and "inherited" not in note
    index = _visible(_text(site, "index.html"))
    assert "Codes replaced by the 2021 and 2023 geographies" in index
    assert "Northamptonshire (E10000021) : split between" in index


# Well-formed, accessible structure ------------------------------------------------------------


class _Structure(HTMLParser):
    """Collects what the checks need while verifying that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.lang = ""
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids += [attrs["id"]] if "id" in attrs else []
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self._in_title = tag == "title" and "svg" not in self.stack
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID | SVG_EMPTY:
            self.problems.append(f"<{tag}/> is not a void element")
        self.ids += [dict(attrs)["id"]] if "id" in dict(attrs) else []

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.mark.parametrize(
    "name", ["index.html", "by-estimate.html", "E06000063.html", f"{SILENT}.html", "E10000006.html"]
)
def test_pages_are_well_formed_with_lang_title_and_headings_in_order(site, name):
    page = _text(site, name)
    assert page.startswith("<!DOCTYPE html>\n")
    parsed = _Structure()
    parsed.feed(page)
    assert parsed.problems == [] and parsed.stack == []
    assert parsed.lang == "en-GB" and parsed.title.strip()
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))
    assert len(parsed.ids) == len(set(parsed.ids))


def test_every_page_carries_the_synthetic_banner(site):
    assert all("Synthetic example data" in p.read_text("utf-8") for p in site.glob("*.html"))


def test_index_sorts_without_javascript_and_filters_with_it(site):
    for order in profiles.ORDERS.values():
        page = _text(site, order.page)
        assert page.count('aria-sort="') == 1
        assert len(re.findall(r'<th scope="row"><a href="E\d{8}.html">', page)) == 153
    names = re.findall(
        r'<th scope="row"><a href="E\d{8}.html">([^<]+)</a>', _text(site, "index.html")
    )
    assert names == sorted(names)
    by_items = _text(site, "by-items.html")
    cells = re.findall(r'</td><td class="num">(\d+|No information)</td><td class="num">', by_items)
    numbers = [int(c) for c in cells if c != "No information"]
    assert numbers == sorted(numbers, reverse=True) and cells[-1] == "No information"
    assert "<script>" in by_items and '<div class="filter" id="filter-box" hidden>' in by_items
    assert not re.search(r'<script[^>]+src=|<link[^>]+href="http', by_items)


# Numbers as published ---------------------------------------------------------------------------


def test_counts_of_people_appear_only_as_published(site):
    middlesbrough = _visible(_text(site, "E06000002.html"))
    assert "2023 10 10 of 10 (100%) 0 of 10 (0%) [x]" in middlesbrough  # 9 rounded to 10
    assert "[x]: none of the organisations serving the area answered the question" in middlesbrough
    cumberland = _visible(_text(site, "E06000063.html"))
    assert "2021 [c] [c] [c] [c]" in cumberland  # Cumbria's 3 organisations
    assert not any("ORG-" in p.read_text("utf-8") for p in site.glob("*.html"))
    withheld = _visible(_text(site, f"{WITHHELD}.html"))
    assert "[c]: Redcar and Cleveland reported counts in 2024, but too few to publish" in withheld


def test_answer_shares_are_of_the_published_counts(tmp_path):
    # 19 organisations serve Middlesbrough, 9 saw demand rise: published 10 of 20 and 50%
    # (10/20), never 47% (9/19), which with the rounded counts would give back 9 of 19.
    orgs = [f"ORG-{i}" for i in range(19)]
    areas = pd.DataFrame({"wave": "2023", "org_id": orgs, "la_code": "E06000002"})
    values = ["increased"] * 9 + ["same"] * 10
    responses = pd.DataFrame(
        {"wave": "2023", "org_id": orgs, "question": "demand_change", "option": ""}
    ).assign(value=values, status="answered")
    schemas.write(areas.assign(match_method="code"), tmp_path / "areas.csv", "survey_areas")
    schemas.write(responses, tmp_path / "responses.csv", "survey_responses")
    survey = profiles.survey_by_area(
        tmp_path / "areas.csv",
        tmp_path / "responses.csv",
        pd.Series(["E06000002"]),
        pd.DataFrame(columns=["from_code", "to_code"]),
        **DISCLOSURE,
    )
    assert survey.served[["organisations", "organisations_suppressed"]].values.tolist() == [
        [20, False]
    ]
    demand = survey.answers.set_index("question").loc["demand_change"]
    assert (demand["count"], demand["answered"], demand["share"]) == (10, 20, 0.5)
    assert not demand[["count_suppressed", "answered_suppressed", "share_suppressed"]].any()


def test_neighbours_median_items_is_printed_as_a_median_of_whole_counts(site):
    # A median of whole numbers of items is whole or a half: "6" or "5.5", never "6.0".
    medians = [
        m
        for page in site.glob("E*.html")
        for m in re.findall(r"a median of (\S+) items?\b", _visible(_text(site, page.name)))
    ]
    assert medians
    assert all(re.fullmatch(r"\d+(\.5)?", m) for m in medians), sorted(set(medians))


def test_estimates_are_compared_as_answered_and_as_modelled(site):
    partial = geography.authorities(REFERENCE, YEAR)["la_code"].iloc[6]  # partial each round
    assert "It gave a partial answer, reporting" in _visible(_text(site, f"{partial}.html"))
    scilly = _visible(_text(site, "E06000053.html"))
    assert "The model takes it together with Cornwall" in scilly
    assert "an authority with its covariates" not in scilly
    about = _visible(_text(site, "index.html")).split("About these pages")[1]
    assert (
        "that gave a partial answer" in about and "Isles of Scilly together with Cornwall" in about
    )


def test_non_responder_is_not_estimated(site):
    page = _visible(_text(site, f"{SILENT}.html"))
    assert "Not estimated (did not respond in 2024)." in page
    assert "Not on the funnel plot: Hartlepool did not respond in 2024." in page
    assert "2024 No response 1 May 2024 [x] [x] [x] [x]" in page
    assert "Not comparable: Hartlepool did not respond in 2024." in page


def test_no_answer_follows_the_status():
    assert records.no_answer("no_response") == "did not respond"
    for status in ("not_held", "refused_cost", "refused_other", "clarification"):
        assert records.no_answer(status) == "did not provide information"
    assert records.no_answer("full") is None and records.no_answer("partial") is None


def test_funnel_position_of_an_authority_without_information_is_not_a_non_response():
    inputs = SimpleNamespace(
        funnel=pd.DataFrame({"la_code": ["E2"], "n": [100], "share": [0.3]}),
        latest_round="2024",
        funnel_target=0.3,
    )
    held = {"la_code": "E1", "status": "not_held", "responded": False}
    position = records.funnel_position(held, inputs, [])
    assert position["state"] == "no_information"
    assert position["share"] is None and position["limits"] == []


def test_an_authority_without_information_is_not_said_not_to_have_responded(site):
    code = geography.authorities(REFERENCE, YEAR)["la_code"].iloc[5]  # not held in each round
    page = _visible(_text(site, f"{code}.html"))
    assert "did not respond" not in page.casefold()
    assert "Women in treatment Did not provide information" in page
    assert "Not estimated (did not provide information in 2024)." in page
    assert "did not provide information in 2024. " in page


def test_a_rebuild_gives_the_same_bytes(site, tmp_path):
    again = _build(tmp_path, first=3)  # the index, the notes and three authorities' pages
    assert len(again) == 3 + 5 + len(profiles.ORDERS)
    assert all(p.read_bytes() == (site / p.name).read_bytes() for p in again)


# The parts ---------------------------------------------------------------------------------------


def test_neighbours_are_nearest_by_euclidean_distance_with_region_breaking_ties():
    covariates = pd.DataFrame(
        {
            "la_code": ["E06000001", "E06000002", "E06000003", "E06000004"],
            "imd_z": [0.0, 1.0, -1.0, 3.0],
            "log_pop_z": [0.0, 0.0, 0.0, 4.0],
        }
    )
    authorities = pd.DataFrame(
        {"la_code": covariates["la_code"], "region_code": ["A", "B", "A", "A"]}
    )
    found = profiles.statistical_neighbours(covariates, authorities, k=2)
    first = found[found["la_code"] == "E06000001"]
    assert first["neighbour"].tolist() == ["E06000003", "E06000002"]  # tie: same region first
    assert first["distance"].tolist() == [1.0, 1.0]
    assert found.loc[found["la_code"] == "E06000004", "distance"].iloc[0] == pytest.approx(
        np.hypot(2, 4)
    )
    assert (found["la_code"] != found["neighbour"]).all()
    with pytest.raises(ValueError, match="k must be"):
        profiles.statistical_neighbours(covariates, authorities, k=4)


def test_the_pages_map_has_the_sections_labels_and_colours(site):
    authorities = geography.authorities(REFERENCE, YEAR)
    labels = hex_labels(authorities)
    svg = re.search(r"<svg\b.*?</svg>", _text(site, "index.html"), re.S).group(0)
    drawn = re.findall(r'<a href="(E\d{8}).html".*?fill="(#\w+)".*?aria-hidden="true">(\w+)<', svg)
    assert {code: label for code, _, label in drawn} == labels
    assert labels["E06000001"] == "Hart"  # the section's label for Hartlepool
    assert {fill for _, fill, _ in drawn} <= set(item_colours()) | {NO_DATA}
    keys = re.findall(r'background: (#\w+)"></span>([^<(]+)', _text(site, "index.html"))
    assert keys[:2] == [(item_colours()[0], "0 items "), (item_colours()[1], "1 item ")]
    assert len(keys) == len(item_colours()) + 1 and keys[-1] == (NO_DATA, "No information ")


def test_long_labels_are_set_smaller_to_fit_their_hexagon():
    assert float(font_for("Hart")) == FONT
    assert float(font_for("Southa")) < float(font_for("Derby")) < FONT


def test_region_outline_follows_region_and_sea_edges_only():
    regions = {(0, 0): "A", (1, 0): "A", (2, 0): "B"}
    segments = _outline(regions, top=0).count("M")
    assert segments == 18 - 2 - 1  # three hexagons; the A-A edge left out, A-B drawn once
    assert _across(0, 1)[1] == (1, 1) and _across(0, 1)[0] == (1, 2)  # odd rows shift east


def test_labels_on_every_colour_meet_wcag_contrast():
    def luminance(colour: str) -> float:
        c = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    for fill in [*item_colours(), NO_DATA]:
        light, dark = sorted([luminance(fill), luminance(ink_for(fill))])
        assert (dark + 0.05) / (light + 0.05) >= 4.5, fill


def test_estimates_must_keep_their_contract(tmp_path):
    codes = pd.Series(["E06000001", "E06000002"])
    frame = pd.DataFrame({c: [1] for c in profiles.ESTIMATE_COLUMNS}).assign(la_code="E06000001")
    frame.drop(columns="rank_low").to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(ValueError, match=r"lack the columns \['rank_low'\]"):
        read_estimates(tmp_path / "a.csv", codes)
    frame.assign(la_code="E10000006").to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(ValueError, match="unknown: \\['E10000006'\\]"):
        read_estimates(tmp_path / "b.csv", codes)
