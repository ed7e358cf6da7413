"""Analyst overrides from a hand-made file: each is applied to the raw row it names, and each one
applied is listed, with its reason redacted, in the processed table foi_overrides (which the
section publishes). The raw values are read from the example file directly, not through the
cleaner."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from pipeline import config, findings, foi, schemas
from pipeline.errors import SchemaError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example"
PARAMS = config.load(ROOT / "params.yaml").foi
AUTHORITY, CODE = "Barking and Dagenham", "E09000002"
REASON = "Dr Jane Smith (jane.smith@example.org) says the service runs a weekly women's group"
OVERRIDES = (
    "round,la_code,item,answer,reason\n"
    f"2021,{CODE},women_groups,yes,{REASON}\n"
    f"2021,{CODE},adults_in_treatment,approx 1500,the figure typed includes a neighbour\n"
)


def _raw_row(authority: str) -> tuple[int, dict[str, str]]:
    """The spreadsheet row number and cells of `authority`'s row of the 2021 example file."""
    with (EXAMPLE / "foi" / "2021.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    number, row = next((i, r) for i, r in enumerate(rows, start=2) if r[foi.LA] == authority)
    return number, row


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> foi.FoiResult:
    path = tmp_path_factory.mktemp("overrides") / "foi_overrides.csv"
    path.write_text(OVERRIDES, encoding="utf-8")
    round_2021 = [r.model_dump() for r in PARAMS.rounds if r.name == "2021"]
    return foi.clean_rounds(
        EXAMPLE, round_2021, ROOT / "data/reference", PARAMS.fuzzy_threshold,
        PARAMS.duplicate_rule, path,
    )  # fmt: skip


def test_the_overrides_are_applied(cleaned: foi.FoiResult) -> None:
    _, raw = _raw_row(AUTHORITY)
    assert raw[foi.ITEM_HEADERS["women_groups"]] == "N" and raw[foi.ADULTS] == "1561"
    items = cleaned.items.set_index(["la_code", "item"])
    assert items.loc[(CODE, "women_groups"), ["answer", "overridden"]].tolist() == ["yes", True]
    assert items["overridden"].sum() == 1
    row = cleaned.responses.set_index("la_code").loc[CODE]
    assert (row["adults_in_treatment"], row["adults_flag"]) == (1500, "approximate")


def test_each_override_applied_is_listed_with_its_reason_redacted(
    cleaned: foi.FoiResult, tmp_path: Path
) -> None:
    number, raw = _raw_row(AUTHORITY)
    path = schemas.write(foi.applied_overrides(cleaned), tmp_path / "o.csv", "foi_overrides")
    listed = schemas.read(path, "foi_overrides").sort_values("override_row")
    assert listed.to_dict("records") == [
        {
            "round": "2021",
            "la_code": CODE,
            "item": "women_groups",
            "before": raw[foi.ITEM_HEADERS["women_groups"]],
            "answer": "yes",
            "reason": "[name] ([email]) says the service runs a weekly women's group",
            "source_file": "foi/2021.csv",
            "source_row": number,
            "override_row": 2,
        },
        {
            "round": "2021",
            "la_code": CODE,
            "item": "adults_in_treatment",
            "before": raw[foi.ADULTS],
            "answer": "approx 1500",
            "reason": "the figure typed includes a neighbour",
            "source_file": "foi/2021.csv",
            "source_row": number,
            "override_row": 3,
        },
    ]
    by_round = listed.groupby("round", sort=False).size().to_dict()
    assert findings.overrides_applied(by_round) == (
        "Analysts applied 2 overrides to the raw FOI data (2 in 2021)."
    )


def test_the_schema_refuses_an_unredacted_reason(cleaned: foi.FoiResult) -> None:
    assert cleaned.overrides["reason"].str.contains("jane.smith@example.org").any()
    with pytest.raises(SchemaError, match="no email address survives redaction"):
        schemas.check(cleaned.overrides, "foi_overrides")


def test_the_schema_refuses_a_field_no_override_sets_and_a_missing_reason() -> None:
    row = {
        "round": "2021",
        "la_code": CODE,
        "item": "yoga",
        "before": "",
        "answer": "yes",
        "reason": "",
        "source_file": "foi/2021.csv",
        "source_row": 2,
        "override_row": 2,
    }
    with pytest.raises(SchemaError) as exc:
        schemas.check(pd.DataFrame([row]), "foi_overrides")
    assert "column 'item'" in str(exc.value) and "column 'reason'" in str(exc.value)
