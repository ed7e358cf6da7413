"""Back test of the authority pages: on a built pipeline, three authorities' pages state the
numbers of the processed tables they were built from, formatted by the section's filters.

The three: Cumberland (created by Cumbria's split, so its first-round answers are Cumbria's),
the first authority that did not respond in the latest round, and the first that responded
in both rounds and is on the published funnel. Needs the whole pipeline (`-m e2e`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from pipeline import disclosure, geography, report, schemas
from pipeline.response import working_days
from pipeline.taxonomy import ITEM_IDS, STATUS_LABELS

pytestmark = pytest.mark.e2e
SPLIT = "E06000063"  # Cumberland
ANSWERS = {"yes": "Yes", "no": "No", "not_held": "Not held", "unknown": "Not stated"}
FILTERS = report._environment().filters  # the section's own number formats
num, pct = FILTERS["num"], FILTERS["pct"]


class Built:
    """The built copy's processed tables and published outputs, read independently."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.common = schemas.read(root / "data/processed/foi_common.csv", "foi_common")
        self.latest = self.common["round"].max()
        self.estimates = pd.read_csv(
            root / "data/processed/model_provision/authority_estimates.csv", dtype={"la_code": str}
        ).set_index("la_code")
        points = pd.read_csv(root / "reports/figures/describe_foi/funnel.csv")
        self.points = points[points["layer"] == "point"].set_index("label")

    def page(self, code: str) -> BeautifulSoup:
        path = self.root / "reports/authorities" / f"{code}.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def rows(self, code: str) -> pd.DataFrame:
        return self.common[self.common["la_code"] == code].sort_values("round")


@pytest.fixture(scope="module")
def built(built_repo) -> Built:
    return Built(built_repo.root)


def _chosen(built: Built) -> list[str]:
    latest = built.common[built.common["round"] == built.latest]
    silent = latest.loc[~latest["responded"], "la_code"].min()
    both = built.common.groupby("la_code")["responded"].all()
    shown = latest[latest["la_name"].isin(built.points.index) & latest["la_code"].map(both)]
    return [SPLIT, silent, shown["la_code"].min()]


def _cells(page: BeautifulSoup, table: str) -> list[list[str]]:
    body = page.find("table", id=table).find("tbody")
    return [
        [" ".join(c.get_text(" ", strip=True).split()) for c in tr.find_all(["th", "td"])]
        for tr in body.find_all("tr")
    ]


def _text(page: BeautifulSoup) -> str:
    return " ".join(page.find("main").get_text(" ", strip=True).split())


def test_foi_rounds_and_answers_match_foi_common(built):
    for code in _chosen(built):
        rows, page = built.rows(code), built.page(code)
        days = working_days(rows["date_sent"], rows["date_responded"])
        expected = [
            [
                r["round"],
                STATUS_LABELS[r["status"]],
                "[x]" if pd.isna(d) else num(d),
                "[x]" if pd.isna(r["n_items"]) else num(r["n_items"]),
            ]
            for (_, r), d in zip(rows.iterrows(), days, strict=True)
        ]
        got = [
            [c[0], c[1].split(" (answered by")[0], c[4], c[6]] for c in _cells(page, "foi-rounds")
        ]
        assert got == expected, code
        items = _cells(page, "foi-items")
        for i, (_, r) in enumerate(rows.iterrows()):
            shown = [row[1 + i] for row in items]
            want = [ANSWERS[r[item]] if r["responded"] else "No information" for item in ITEM_IDS]
            assert shown == want, (code, r["round"])


def test_the_split_authority_shows_its_predecessor_and_inherited_answers(built):
    page, rows = built.page(SPLIT), built.rows(SPLIT)
    first = rows.iloc[0]
    assert first["inherited"] and first["source_la_code"] == "E10000006"
    assert "(answered by Cumbria, E10000006; inherited)" in _cells(page, "foi-rounds")[0][1]
    assert page.find("a", href="E10000006.html") is not None
    change = _text(page)
    if rows["responded"].all():
        before, after = rows["n_items"].tolist()
        assert f"items offered went from {num(before)} in " in change
        assert f"to {num(after)} in {built.latest}" in change


def test_estimates_match_the_model_table_or_say_not_estimated(built):
    for code in _chosen(built):
        text = _text(built.page(code))
        if code not in built.estimates.index:
            assert (
                "Not estimated (did not respond in" in text or "Not estimated (no estimate" in text
            )
            continue
        e = built.estimates.loc[code]
        assert (
            f"model-based estimate of {num(e['estimate'], 1)} items in {built.latest} "
            f"(95% interval {num(e['conf_low'], 1)} to {num(e['conf_high'], 1)})" in text
        )
        assert f"ranks {num(e['rank'])} of {num(len(built.estimates))} estimated" in text
        assert f"(95% rank interval {num(e['rank_low'])} to {num(e['rank_high'])};" in text


def test_funnel_numbers_are_the_published_ones(built):
    for code in _chosen(built):
        row = built.rows(code).iloc[-1]
        text = _text(built.page(code))
        if row["la_name"] in built.points.index:
            point = built.points.loc[row["la_name"]]
            assert f"women were {pct(point['share'], 1)} of the {num(point['n'])} adults" in text
        else:
            assert "Not on the funnel plot" in text or "too few to publish" in text
        raw = row["adults_in_treatment"]
        if pd.notna(raw) and raw % 5:  # a raw count not a multiple of 5 is never shown
            assert f" {num(raw)} adults" not in text


def test_organisations_serving_the_area_are_counted_and_protected(built):
    areas = schemas.read(built.root / "data/processed/survey_areas.csv", "survey_areas")
    changes = geography.successors(built.root / "data/reference")
    year = int(built.common["geography_year"].iloc[0])
    changes = changes[changes["to_year"] == year]
    for code in _chosen(built):
        covering = {code} | set(changes.loc[changes["to_code"] == code, "from_code"])
        counts = (
            areas[areas["la_code"].isin(covering)]
            .groupby("wave")["org_id"]
            .nunique()
            .reindex(sorted(areas["wave"].unique()), fill_value=0)
        )
        protected = disclosure.protect(counts.rename("n").reset_index(), ["n"], 8, 5)
        want = [
            [w, "[c]" if s else num(n)]
            for w, n, s in zip(
                protected["wave"], protected["n"], protected["n_suppressed"], strict=True
            )
        ]
        got = [row[:2] for row in _cells(built.page(code), "survey-table")]
        assert got == want, code
        assert not re.search(r"ORG-\d", str(built.page(code)))


def test_neighbours_are_the_nearest_on_the_standardised_covariates(built):
    year = int(built.common["geography_year"].iloc[0])
    covariates = geography.covariates(built.root / "data/reference", year).set_index("la_code")
    names = geography.authorities(built.root / "data/reference", year).set_index("la_code")
    z = pd.DataFrame(
        {
            "imd": covariates["imd_score"],
            "pop": np.log(covariates["pop_female_18plus"].astype(float)),
        }
    )
    z = (z - z.mean()) / z.std()
    for code in _chosen(built):
        distance = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1)).drop(code).sort_values()
        got = [row[0] for row in _cells(built.page(code), "neighbours-table")[1:]]
        assert len(got) == 10
        assert got == [names.loc[c, "la_name"] for c in distance.index[:10]], code
