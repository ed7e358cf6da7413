"""Cleaning the synthetic survey example reproduces the truth the generator wrote."""

from pathlib import Path

import pandas as pd
import pytest

from pipeline import privacy, schemas, survey
from pipeline.readers import read_table
from pipeline.survey.decode import normal_id

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example"
REFERENCE = ROOT / "data" / "reference"
TRUTH = ROOT / "tests" / "truth"
WAVES = ["2021", "2023", "2025"]


@pytest.fixture(scope="module")
def result() -> survey.SurveyResult:
    return survey.clean_waves(EXAMPLE, WAVES, REFERENCE, fuzzy_threshold=90)


def _truth(name: str) -> pd.DataFrame:
    return pd.read_csv(TRUTH / name, dtype=str, keep_default_na=False)


def test_responses_reproduce_the_truth_for_every_wave(result: survey.SurveyResult) -> None:
    truth = _truth("survey_responses.csv")
    assert sorted(truth["wave"].unique()) == WAVES
    pd.testing.assert_frame_equal(result.responses, truth)


def test_areas_reproduce_the_truth(result: survey.SurveyResult) -> None:
    pd.testing.assert_frame_equal(result.areas, _truth("survey_areas.csv"))


def test_schemas_pass_on_truth_and_output(result: survey.SurveyResult) -> None:
    schemas.check(_truth("survey_responses.csv"), "survey_responses")
    schemas.check(_truth("survey_areas.csv"), "survey_areas")
    schemas.check(result.responses, "survey_responses")
    schemas.check(result.orgs, "survey_orgs")
    schemas.check(result.areas, "survey_areas")
    schemas.check(result.comments, "survey_comments")
    schemas.check(result.exclusions, "survey_exclusions")


def test_every_row_is_accounted_for(result: survey.SurveyResult) -> None:
    truth = _truth("survey_responses.csv")
    kept = truth.groupby("wave")["org_id"].nunique().to_dict()
    accounts = {a.file: (a.kept, a.excluded, a.blank) for a in result.accounts}
    assert accounts == {
        "survey/2021.csv": (kept["2021"], 1, 1),
        "survey/2023.xlsx": (kept["2023"], 1, 1),
        "survey/2025.csv": (kept["2025"], 0, 1),
    }
    assert (
        result.exclusions["reason"]
        .str.fullmatch(r"duplicate organisation ID: superseded by the later submission in row \d+")
        .all()
    )


def test_org_ids_are_published_only_as_pseudonyms(result: survey.SurveyResult) -> None:
    """Every id typed (some are emails, phones or names) becomes its keyed pseudonym."""
    key = privacy.EXAMPLE_KEY.encode("utf-8")
    typed = set()
    for wave, block in survey.load_codebook(EXAMPLE / "survey" / "codebook.yaml").waves.items():
        header = block["org_id"]["header"]
        path = next((EXAMPLE / "survey").glob(f"{wave}.*"))
        typed |= set(read_table(path, [header]).data[header]) - {""}
    assert any("@" in t for t in typed) and any(not t.startswith("ORG-") for t in typed)
    published = set(result.orgs["org_id"])
    assert published == {privacy.pseudonym(normal_id(t), key) for t in typed}
    assert not published & typed


def test_drift_is_recorded_as_not_asked(result: survey.SurveyResult) -> None:
    asked = survey.not_asked(result.responses).set_index(["wave", "question"])["options"]
    assert asked.to_dict() == {
        ("2021", "support"): "peer_support, financial_support",
        ("2021", "barrier"): "cost_of_living",
        ("2023", "support"): "financial_support",
        ("2023", "barrier"): "cost_of_living",
        ("2025", "barrier_severity"): "(whole question)",
    }


def test_no_planted_personal_datum_leaks_into_any_output(result: survey.SurveyResult) -> None:
    planted = (TRUTH / "planted_personal_data.txt").read_text(encoding="utf-8").splitlines()
    assert len(planted) > 100
    frames = [result.responses, result.orgs, result.areas, result.comments, result.exclusions]
    text = "\n".join(
        "\n".join(frame[column].astype(str)) for frame in frames for column in frame.columns
    ).casefold()
    leaks = [datum for datum in planted if datum.casefold() in text]
    assert leaks == []
    assert result.comments["text"].str.contains(r"\[(?:email|phone|postcode|name)\]").sum() > 20
