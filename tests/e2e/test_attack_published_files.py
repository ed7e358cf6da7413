"""A hostile reader attacks what a full run publishes about people (tests/attacker.py).

It reads the survey tables (the CSVs under data/processed/survey_waves, the workbook's
survey sheets and row accounting, the section's sentences and the figures' data and alt
text) and the funnel chart data, all into one knowledge of named cells, then (a) differences
every published sum, (b) inverts every share, interval and change between waves against the
rounded counts and denominators, and (c) intersects tables that share a margin (respondents
by type and by wave, in the CSVs, the workbook, the text and the row accounting; support and
barrier shares against the respondents). The authority pages' survey counts are attacked the
same way, also as rebuilt under a looser rule (`LOOSE`) that publishes some. Nothing
suppressed may be recovered, no count the rule rounds may be pinned or published unrounded.
Run with -s to see what it tried."""

from __future__ import annotations

import html
import operator
import re
import shlex
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from attacker import BIG, Attacker

from pipeline import layout, survey
from tests.conftest import run

pytestmark = pytest.mark.e2e
WAVES = "data/processed/survey_waves"
FIGURES = "reports/figures"
Sums = list[tuple[str, list[str]]]


class Publication:
    """The published files of a built copy, as the attacker reads them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
        self.rule = params["disclosure"]
        self.codebook = survey.load_codebook(root / layout.codebook_path(params["data"]["raw_dir"]))
        self.book = openpyxl.load_workbook(root / "reports/tables.xlsx", read_only=True)
        page = (root / "reports/quantitative_section.html").read_text(encoding="utf-8")
        self.text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"\s+", " ", page)))

    def attacker(self) -> Attacker:
        return Attacker(self.rule["suppress_below"], self.rule["round_to"])

    def csv(self, path: str) -> pd.DataFrame:
        return pd.read_csv(self.root / path, dtype=str, keep_default_na=False)

    def sheet(self, title: str) -> pd.DataFrame:
        """The workbook table whose title starts with `title`; numbers kept as printed."""
        for ws in self.book.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            if rows and str(rows[0][0]).startswith(title):
                start = next(i for i, r in enumerate(rows) if all(v is not None for v in r))
                body = [["" if v is None else str(v) for v in r] for r in rows[start + 1 :]]
                return pd.DataFrame(body, columns=[str(v) for v in rows[start]])
        raise AssertionError(f"no workbook table titled {title!r}")

    def codes(self, question: str, likert: bool = False) -> dict[str, str]:
        """Label to code for a question's options (or its Likert levels)."""
        labels = (survey.likert_labels if likert else survey.option_labels)(self.codebook, question)
        return {label: code for code, label in labels.items()}


def _respondents(a: Attacker, pub: Publication) -> Sums:
    """Read respondents by type and wave (CSV, workbook, by wave, text); its row and column sums."""
    table = pub.csv(f"{WAVES}/respondents.csv")
    waves = [c for c in table.columns if c not in ("org_type", "total")]
    sheet = pub.sheet("Survey respondents by wave and type")
    sheet.columns = ["org_type", *waves, "total"]
    sheet["org_type"] = sheet["org_type"].replace({"Total": "total"})  # the row, as published
    for name, frame in (("respondents.csv", table), ("workbook respondents", sheet)):
        for _, row in frame.iterrows():
            for col in [*waves, "total"]:
                a.read(name, f"respondents|{row['org_type']}|{col}", row[col])
    for _, row in pub.csv(f"{WAVES}/respondents_by_wave.csv").iterrows():
        a.read("respondents_by_wave.csv", f"respondents|total|{row['wave']}", row["respondents"])
    sentence = re.search(r"Organisations responding by wave[^:]*:(.*?)\. ", pub.text)
    assert sentence, "the section no longer states the respondents by wave"
    for wave, value in re.findall(r"(\d{4}): (\[c\]|[\d,]+)", sentence.group(1)):
        a.read("section text", f"respondents|total|{wave}", value)
    cell = "respondents|{}|{}".format
    body = [t for t in table["org_type"] if t != "total"]
    rows = [(cell(t, "total"), [cell(t, w) for w in waves]) for t in table["org_type"]]
    return rows + [(cell("total", c), [cell(t, c) for t in body]) for c in [*waves, "total"]]


def _shares(
    a: Attacker, table: str, frame: pd.DataFrame, count: str | None, n: str, percent=False
) -> None:
    """Invert each row's share and interval against its count and denominator cells, named
    by the templates `count` (None: not published) and `n`, filled from the row."""
    for _, row in frame.iterrows():
        shown = {k: row[k] for k in ("share", "conf_low", "conf_high") if row.get(k)}
        shown = {k: v for k, v in shown.items() if v not in ("[c]", "[x]")}
        cell = count.format(**row) if count else None
        a.invert(table, cell, n.format(**row), shown, percent=percent)


def _support(a: Attacker, pub: Publication) -> None:
    """Support by wave (CSV, chart data), and its shares against the respondents."""
    count, n = "support|{wave}|{option}", "support|{wave}|n"
    table = pub.csv(f"{WAVES}/support_by_wave.csv")
    for _, row in table.iterrows():
        a.read("support_by_wave.csv", count.format(**row), row["count"])
        a.read("support_by_wave.csv", n.format(**row), row["n"])
    _shares(a, "support_by_wave.csv", table, count, n)
    chart = pub.csv(f"{FIGURES}/survey_waves/support_by_wave.csv")
    chart["option"] = chart["option"].map(pub.codes("support"))
    _shares(a, "support chart data", chart, count, n)
    for wave, shown in table.groupby("wave")["n"].first().items():
        if a.published.get(f"respondents|total|{wave}") == shown:  # all answered: n is R
            rows = chart[chart["wave"] == wave]
            _shares(a, "support vs respondents", rows, None, "respondents|total|{wave}")


def _barriers(a: Attacker, pub: Publication) -> None:
    """Barriers ranked (CSV, workbook in %, chart data)."""
    count, n = "barrier|{wave}|{option}", "barrier|{wave}|n"
    table = pub.csv(f"{WAVES}/barriers_ranked.csv")
    for _, row in table.iterrows():
        a.read("barriers_ranked.csv", count.format(**row), row["count"])
        a.read("barriers_ranked.csv", n.format(**row), row["n"])
    _shares(a, "barriers_ranked.csv", table, count, n)
    codes = pub.codes("barrier")
    sheet = pub.sheet("Barriers reported in the latest wave")
    sheet = sheet.set_axis(["rank", "option", "share", "conf_low", "conf_high", "n"], axis=1)
    sheet = sheet.assign(option=sheet["option"].map(codes), wave=table["wave"].iloc[0])
    for _, row in sheet.iterrows():
        a.read("workbook barriers", n.format(**row), row["n"])
    _shares(a, "workbook barriers", sheet, count, n, percent=True)
    chart = pub.csv(f"{FIGURES}/survey_waves/barriers_ranked.csv")
    chart["option"] = chart["label"].map(codes)
    _shares(a, "barriers chart data", chart, count, n)


def _partnership(a: Attacker, pub: Publication) -> Sums:
    """Partnership ratings (CSV, combined "good", chart data, Figure 11 text); their sums."""
    cell, n = "partner|{wave}|{option}|{level}", "partner|{wave}|{option}|n"
    table = pub.csv(f"{WAVES}/partnership.csv")
    good = pub.csv(f"{WAVES}/partnership_good.csv").rename(columns={"category": "level"})
    for name, frame in (("partnership.csv", table), ("partnership_good.csv", good)):
        for _, row in frame.iterrows():
            a.read(name, cell.format(**row), row["count"])
            a.read(name, n.format(**row), row["n"])
        _shares(a, name, frame, cell, n)
    chart = pub.csv(f"{FIGURES}/survey_waves/partnership.csv")
    chart["option"] = chart["option"].map(pub.codes("partner"))
    chart["level"] = chart["level"].map(pub.codes("partner", likert=True))
    _shares(a, "partnership chart data", chart, cell, n)
    latest = table["wave"].iloc[-1]
    found = re.search(rf"In {latest}, rated good or very good: (.*?)\. ", pub.text)
    assert found, "Figure 11 no longer gives the share rated good or very good"
    codes = pub.codes("partner")
    rows = [
        {"wave": latest, "option": codes[label.strip()], "level": "good", "share": share}
        for label, share in re.findall(r"([^;]+?) (\[c\]|[\d.]+)%?(?:;|$)", found.group(1))
    ]
    _shares(a, "Figure 11 text", pd.DataFrame(rows), cell, n, percent=True)
    scale = [c for c in survey.likert_labels(pub.codebook, "partner") if c != survey.DONT_KNOW]
    sums = []
    for group in table[["wave", "option"]].drop_duplicates().to_dict("records"):
        levels = [cell.format(**group, level=level) for level in scale]
        sums += [(n.format(**group), levels), (cell.format(**group, level="good"), levels[-2:])]
    return sums


@pytest.fixture(scope="module")
def publication(built_repo) -> Publication:
    return Publication(built_repo.root)


@pytest.fixture(scope="module")
def survey_attack(publication: Publication) -> Attacker:
    """Everything the survey publishes, attacked together: reads and inversions, then sums."""
    a = publication.attacker()
    sums = _respondents(a, publication)
    _support(a, publication)
    _barriers(a, publication)
    sums += _partnership(a, publication)
    a.difference("published sums", sums)
    print(a.summary())
    return a


def _found(a: Attacker, attack: str) -> list:
    return [f for f in a.findings if f.attack == attack]


def test_differencing_recovers_no_suppressed_cell(survey_attack):
    assert survey_attack.tried["sums solved"] >= 30
    assert _found(survey_attack, "differencing") == [], survey_attack.summary()


def test_shares_and_intervals_do_not_undo_the_rounding(survey_attack):
    assert survey_attack.tried["share inversions"] > 100
    assert _found(survey_attack, "share inversion") == [], survey_attack.summary()


def test_tables_sharing_a_margin_agree(survey_attack):
    assert survey_attack.tried["linked cells compared"] > 20
    assert _found(survey_attack, "linked tables") == [], survey_attack.summary()


def test_published_numbers_are_consistent(survey_attack):
    # e.g. "good or very good" adding up protected shares, a suppressed cell counted as 0
    assert _found(survey_attack, "inconsistent") == [], survey_attack.summary()


def test_funnel_shares_do_not_undo_the_rounding(publication):
    a = publication.attacker()
    points = publication.csv(f"{FIGURES}/describe_foi/funnel.csv")
    points = points[(points["layer"] == "point") & (points["share"] != "")]
    for _, row in points.iterrows():
        a.read("funnel chart data", f"adults|{row['label']}", row["n"])
    _shares(a, "funnel chart data", points, None, "adults|{label}")
    print(a.summary())
    assert a.tried["share inversions"] > 50
    assert a.findings == [], a.summary()


def test_changes_between_waves_do_not_undo_the_rounding(publication):
    a = publication.attacker()
    _support(a, publication)
    codes = publication.codes("support")
    waves = operator.itemgetter("wave_from", "wave_to")
    changes = publication.csv(f"{WAVES}/support_changes.csv")
    for _, row in changes[changes["difference"] != "[c]"].iterrows():
        option = codes[row["option"]]
        before, after = ((f"support|{w}|{option}", f"support|{w}|n") for w in waves(row))
        a.invert_difference("support_changes.csv", before, after, row["difference"])
    print(a.summary())
    assert a.tried["difference inversions"] >= 20
    assert a.findings == [], a.summary()


def test_row_accounting_does_not_reveal_exact_respondents(publication):
    """Survey files' rows (workbook): kept linked to the respondents by wave, excluded rows
    counted from the published exclusions list (exact: it lists each row), rows in
    differenced against kept, excluded and blank."""
    a = publication.attacker()
    sums = _respondents(a, publication)
    accounts = publication.sheet("Row accounting")
    survey = accounts[accounts["File"].str.startswith("survey/")]
    waves = [Path(file).stem for file in survey["File"]]
    assert waves == publication.csv(f"{WAVES}/respondents_by_wave.csv")["wave"].tolist()
    listed = publication.csv("reports/exclusions.csv")["file"].value_counts()
    for wave, (_, row) in zip(waves, survey.iterrows(), strict=True):
        cells = [f"rows|{wave}", f"respondents|total|{wave}", f"excluded|{wave}", f"blank|{wave}"]
        a.exact("published exclusions list", cells[2], int(listed.get(row["File"], 0)))
        for cell, column in zip(cells, ["Rows in", "Kept", "Excluded", "Blank"], strict=True):
            a.read("workbook row accounting", cell, row[column])
        sums.append((cells[0], cells[1:]))
    a.difference("row accounting", sums)
    print(a.summary())
    assert a.findings == [], a.summary()


# The authority pages ------------------------------------------------------------------------

LOOSE = {"suppress_below": 3, "round_to": 5}  # suppress_below >= round_to / 2: the loosest
ANSWER = re.compile(r"([\d,]+) of ([\d,]+) \((\d+)%\)")


@pytest.fixture(scope="module")
def loose_pages(built_repo, tmp_path_factory) -> Path:
    """The authority pages rebuilt under `LOOSE`: under the default rule every area of the
    example data has too few organisations to publish, which would leave nothing to attack."""
    root = tmp_path_factory.mktemp("loose") / "repo"
    shutil.copytree(built_repo.root, root, ignore=shutil.ignore_patterns(".git", ".dvc"))
    params = yaml.safe_load((root / "params.yaml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(params | {"disclosure": LOOSE}, sort_keys=False)
    (root / "params.yaml").write_text(text, encoding="utf-8")
    stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    run(shlex.split(stages["profiles"]["cmd"]), root)
    return root / "reports/authorities"


def _profile_rows(page: str) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """A page's survey table: its answer labels, and per wave the organisations and answers."""
    table = re.search(r'<table class="data" id="survey-table">(.*?)</table>', page, re.S)
    assert table, "an authority page has no survey table"
    labels = re.findall(r'<th scope="col" class="num">(.*?)</th>', table.group(1))[1:]
    rows = re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', table.group(1), re.S)
    cells = [(wave, *re.findall(r'<td class="num">(.*?)</td>', row)) for wave, row in rows]
    return [html.unescape(label) for label in labels], [(c[0], c[1], c[2:]) for c in cells]


def _profiles(a: Attacker, pages: Path) -> Sums:
    """Read each authority page's organisations per wave (its table and its summary) and
    headline answers ("k of m (share)"), invert each share; the sums organisations =
    answered + not answered, answered = gave the answer + did not (unpublished parts)."""
    sums = []
    for path in sorted(pages.glob("*.html")):
        page = path.read_text(encoding="utf-8")
        if 'id="survey"' not in page:
            continue  # an index or a note on a former code
        name, code = "profile pages", path.stem
        summary = re.search(r"Organisations surveyed, (\d{4})</dt><dd>(.*?) serving", page)
        if summary:
            a.read("profile summaries", f"orgs|{code}|{summary[1]}", summary[2])
        labels, rows = _profile_rows(page)
        for wave, organisations, answers in rows:
            area = f"{code}|{wave}"
            a.read(name, f"orgs|{area}", organisations)
            for label, cell in zip(labels, answers, strict=True):
                shown = ANSWER.fullmatch(cell)  # else [c], [x] or [z]
                if not shown:
                    continue
                gave, answered = f"gave|{area}|{label}", f"answered|{area}|{label}"
                a.read(name, gave, shown[1])
                a.read(name, answered, shown[2])
                a.invert(name, gave, answered, {"share": shown[3]}, percent=True)
                unpublished = f"not answered|{area}|{label}", f"did not|{area}|{label}"
                a.known.update(dict.fromkeys(unpublished, (0, BIG)))
                sums += [(f"orgs|{area}", [answered, unpublished[0]])]
                sums += [(answered, [gave, unpublished[1]])]
    return sums


@pytest.mark.parametrize("rule", ["default", "loose"])
def test_profile_pages_do_not_undo_the_rounding(publication, loose_pages, rule):
    a = publication.attacker() if rule == "default" else Attacker(**LOOSE)
    pages = publication.root / "reports/authorities" if rule == "default" else loose_pages
    a.difference("profile pages", _profiles(a, pages))
    print(a.summary())
    assert a.tried["cells read"] > 400  # three waves of about 150 authorities
    if rule == "loose":
        assert a.tried["share inversions"] >= 50 and a.tried["sums solved"] >= 100
    assert a.findings == [], a.summary()
