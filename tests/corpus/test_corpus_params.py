"""Bad params.yaml files, made by altering a copy of the committed one, through config.load; and
parameters that disagree with the raw folder (a listed wave with no file, a file not listed)."""

from __future__ import annotations

import logging
from pathlib import Path

import corpus_kit as kit
import pytest

from pipeline import config
from pipeline.readers import InputError

PARAMS = (kit.ROOT / "params.yaml").read_text(encoding="utf-8")


def _replaced(old: str, new: str) -> str:
    assert PARAMS.count(old) == 1, old
    return PARAMS.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            _replaced(
                "  duplicate_rule: latest_response",
                "  duplicate_rule: latest_response\n  colour: blue",
            ),
            "params.yaml: foi.colour is not a known parameter",
            id="unknown-key",
        ),
        pytest.param(
            PARAMS + "\nplots:\n  dpi: 300\n",
            "params.yaml: plots is not a known parameter",
            id="unknown-section",
        ),
        pytest.param(
            _replaced("fuzzy_threshold: 90", "fuzzy_threshold: high"),
            "params.yaml: foi.fuzzy_threshold must be a valid number, unable to parse string as a "
            "number (got 'high')",
            id="text-for-a-number",
        ),
        pytest.param(
            _replaced("robust_se: true", "robust_se: maybe"),
            "params.yaml: model.robust_se must be a valid boolean, unable to interpret input "
            "(got 'maybe')",
            id="text-for-a-boolean",
        ),
        pytest.param(
            _replaced("nonresponse_imputations: 20", "nonresponse_imputations: 2.5"),
            "params.yaml: model.nonresponse_imputations must be a valid integer, got a number "
            "with a fractional part (got 2.5)",
            id="fraction-for-an-integer",
        ),
        pytest.param(
            _replaced("waves: ['2021', '2023', '2025']", "waves: 2021"),
            "params.yaml: survey.waves must be a valid list (got 2021)",
            id="scalar-for-a-list",
        ),
        pytest.param(
            _replaced("waves: ['2021', '2023', '2025']", "waves: [2021, 2023]"),
            "params.yaml: survey.waves.0 must be a valid string (got 2021)\n"
            "params.yaml: survey.waves.1 must be a valid string (got 2023)",
            id="numbers-for-wave-names",
        ),
        pytest.param(
            _replaced("geography_year: 2023", "geography_year: 2022"),
            "params.yaml: foi.rounds.1.geography_year must be one of 2019, 2021, 2023 (got 2022)",
            id="geography-year-not-known",
        ),
        pytest.param(
            _replaced("request_sent: '2024-05-01'", 'request_sent: "May 2024"'),
            "params.yaml: foi.rounds.1.request_sent must be a date written YYYY-MM-DD "
            "(got 'May 2024')",
            id="request-date-not-iso",
        ),
        pytest.param(
            _replaced("family: auto", "family: [auto"),
            "params.yaml: not valid YAML at line 22, column 3: expected ',' or ']', but got "
            "'<scalar>'",
            id="yaml-syntax-error",
        ),
    ],
)
def test_bad_params_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ParamsError) as caught:
        config.load(path)
    assert str(caught.value) == message


def test_unquoted_request_date_is_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(_replaced("request_sent: '2024-05-01'", "request_sent: 2024-05-01"))
    assert config.load(path).foi.rounds[1].request_sent == "2024-05-01"


def test_listed_wave_with_no_file_stops(tmp_path: Path) -> None:
    raw = kit.raw_copy(tmp_path)
    (raw / "survey" / "2025.csv").unlink()
    with pytest.raises(InputError) as caught:
        kit.clean_survey(raw, ["2025"])
    assert str(caught.value) == (
        f"{raw}/survey/2025.csv: no file for '2025' (looked for 2025.csv, 2025.xlsx, 2025.xls "
        f"in {raw}/survey)"
    )


def test_listed_wave_without_a_codebook_block_stops(tmp_path: Path) -> None:
    raw = kit.raw_copy(tmp_path)
    with pytest.raises(InputError) as caught:
        kit.clean_survey(raw, ["2021", "2027"])
    assert str(caught.value) == (
        f"{raw}/survey/codebook.yaml: no codebook block for waves ['2027']; add "
        '`waves: {"2027": ...}` (python -m pipeline new-wave YEAR EXPORT drafts it)'
    )


def test_listed_round_with_no_file_stops(tmp_path: Path) -> None:
    raw = kit.raw_copy(tmp_path)
    (raw / "foi" / "2024.xlsx").unlink()
    with pytest.raises(InputError) as caught:
        kit.clean_foi(raw)
    assert str(caught.value) == (
        f"{raw}/foi/2024.csv: no file for '2024' (looked for 2024.csv, 2024.xlsx, 2024.xls "
        f"in {raw}/foi)"
    )


def test_round_file_not_listed_is_a_warning(tmp_path: Path, caplog) -> None:
    raw = kit.raw_copy(tmp_path)
    with caplog.at_level(logging.WARNING, logger="pipeline.foi"):
        result = kit.clean_foi(raw, ["2021"])
    assert f"{raw}/foi/2024.xlsx is not a round listed in params.yaml and is ignored" in (
        caplog.messages
    )
    assert set(result.responses["round"]) == {"2021"}
    assert len(result.responses) == 152


def test_wave_file_not_listed_is_a_warning(tmp_path: Path, caplog) -> None:
    raw = kit.raw_copy(tmp_path)
    with caplog.at_level(logging.WARNING, logger="pipeline.survey"):
        result = kit.clean_survey(raw, ["2021", "2023"])
    assert caplog.messages == [
        f"survey: {raw}/survey/2025.csv is not a listed wave (params.yaml survey.waves); ignored"
    ]
    assert result.orgs.groupby("wave").size().to_dict() == {"2021": 106, "2023": 113}
