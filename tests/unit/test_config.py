"""The params.yaml schema: every rule rejects bad values with a message naming the key."""

import copy
import re
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline import config


@pytest.fixture
def raw() -> dict:
    with open("params.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_committed_params_are_valid():
    params = config.load("params.yaml")
    assert params.data.raw_dir == "data/example"
    assert [r.name for r in params.foi.rounds] == ["2021", "2024"]


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        (
            "model",
            "family",
            "nb",
            "params.yaml: model.family must be one of auto, poisson, negative_binomial, "
            "censored_negative_binomial, beta_binomial (got 'nb')",
        ),
        ("foi", "fuzzy_threshold", "high", "foi.fuzzy_threshold must be a valid number"),
        ("foi", "fuzzy_threshold", 120, "foi.fuzzy_threshold must be less than or equal to 100"),
        ("disclosure", "suppress_below", 0, "disclosure.suppress_below must be greater than"),
        ("survey", "waves", [], "survey.waves must list at least one item (got [])"),
        (
            "survey",
            "waves",
            ["2021", "first"],
            "survey.waves lists 'first'; a wave is a four-digit year",
        ),
        (
            "disclosure",
            "suppress_below",
            True,
            "suppress_below must be a number, not true or false",
        ),
        ("disclosure", "round_to", 0, "disclosure.round_to must be greater than or equal to 1"),
        ("model", "significance", float("nan"), "model.significance must be a finite number"),
        ("model", "covariates", ["region", "region"], "lists region more than once"),
        (
            "model",
            "reference_region",
            "London",
            "model.reference_region must be an English region code, E12000001 to E12000009",
        ),
        ("report", "title", "", "report.title string should have at least 1 character"),
        ("data", "raw_dir", "", "data.raw_dir string should have at least 1 character"),
        ("model", "seed", -1, "model.seed must be greater than or equal to 0"),
        ("model", "significance", 0.5, "model.significance must be less than 0.5"),
        (
            "model",
            "significance",
            0.1,
            "model.significance must be 0.05: the report labels its intervals 95% and its tests 5%",
        ),
        ("model", "alpha", 0.05, "model.alpha is not a known parameter"),
        ("model", "colour", "red", "model.colour is not a known parameter"),
    ],
)
def test_bad_values_name_the_key(raw, section, key, value, message):
    bad = copy.deepcopy(raw)
    bad[section][key] = value
    with pytest.raises(config.ParamsError, match=re.escape(message)):
        config.validate(bad)


def test_missing_section_is_named(raw):
    del raw["report"]
    with pytest.raises(config.ParamsError, match="report is missing"):
        config.validate(raw)


def test_a_round_name_must_be_a_file_stem(raw):
    raw["foi"]["rounds"][0]["name"] = "../2021"
    with pytest.raises(config.ParamsError, match="rounds.0.name must be a file name without"):
        config.validate(raw)


def test_every_problem_is_named_at_once_and_a_misspelling_gets_a_hint(raw):
    raw["disclosure"] = {"supress_below": 8, "round_to": 0}
    raw["model"]["family"] = "gaussian"
    with pytest.raises(config.ParamsError) as caught:
        config.validate(raw)
    assert str(caught.value).splitlines() == [
        "params.yaml: model.family must be one of auto, poisson, negative_binomial, "
        "censored_negative_binomial, beta_binomial (got 'gaussian')",
        "params.yaml: disclosure.suppress_below is missing",
        "params.yaml: disclosure.round_to must be greater than or equal to 1 (got 0)",
        "params.yaml: disclosure.supress_below is not a known parameter "
        "(did you mean suppress_below?)",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "disclosure:\n  round_to: 5\n  round_to: 10\n",
            "params.yaml: not valid YAML at line 3, column 3: round_to is written twice in one "
            "mapping; keep one",
        ),
        ("- data\n- foi\n", "params.yaml must be a mapping of keys (got ['data', 'foi'])"),
        ("report:\n\ttitle: x\n", "params.yaml: not valid YAML at line 2, column 1: found"),
    ],
)
def test_unreadable_yaml_is_named_with_its_line(tmp_path, text, message):
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ParamsError) as caught:
        config.load(path)
    assert str(caught.value).startswith(message)


def test_a_missing_folder_or_non_utf8_params_file_is_one_message(tmp_path):
    (tmp_path / "latin.yaml").write_bytes("title: caf\xe9\n".encode("latin-1"))
    messages = []
    for name in ("absent.yaml", ".", "latin.yaml"):
        with pytest.raises(config.ParamsError) as caught:
            config.load(tmp_path / name)
        messages.append(str(caught.value).removeprefix(f"{tmp_path}/"))
    assert messages == [
        "absent.yaml: not found",
        f"{tmp_path}: is a folder, not a parameters file",
        "latin.yaml: is not UTF-8 text (byte 10)",
    ]


def test_validate_names_each_round_and_wave_without_a_file(tmp_path, capsys):
    from pipeline.__main__ import main

    text = Path("params.yaml").read_text(encoding="utf-8")
    raw = tmp_path / "raw"
    shutil.copytree("data/example", raw)
    (raw / "foi" / "2024.xlsx").unlink()
    text = text.replace("raw_dir: data/example", f"raw_dir: {raw}").replace("'2025']", "'2027']")
    (tmp_path / "params.yaml").write_text(text, encoding="utf-8")
    assert main(["validate", "--params", str(tmp_path / "params.yaml")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {raw}/foi/2024.csv: no file for '2024' (looked for 2024.csv, 2024.xlsx, "
        f"2024.xls in {raw}/foi)",
        f"{raw}/survey/2027.csv: no file for '2027' (looked for 2027.csv, 2027.xlsx, "
        f"2027.xls in {raw}/survey)",
    ]


def test_duplicate_round_names_rejected(raw):
    raw["foi"]["rounds"][1]["name"] = raw["foi"]["rounds"][0]["name"]
    with pytest.raises(config.ParamsError, match="round names must be unique"):
        config.validate(raw)


def test_select_takes_only_declared_keys():
    params = config.load("params.yaml")
    subset = config.select(params, ["data.raw_dir", "model.family"])
    assert subset == {"data": {"raw_dir": "data/example"}, "model": {"family": "auto"}}


def test_check_stage_accepts_a_subset_and_rejects_bad_values():
    assert config.check_stage({"model": {"family": "poisson"}}) == {"model": {"family": "poisson"}}
    with pytest.raises(config.ParamsError, match="model.family must be one of"):
        config.check_stage({"model": {"family": "nb"}})
    with pytest.raises(config.ParamsError, match="model.bogus is not a known parameter"):
        config.check_stage({"model": {"bogus": 1}})


def test_params_yaml_is_written_as_dvc_writes_it(tmp_path):
    """`dvc exp run -S model.family=poisson` rewrites params.yaml through DVC's YAML dumper:
    the file must already be in that style, so the change is exactly one line."""
    from dvc.utils.serialize import modify_yaml

    written = tmp_path / "params.yaml"
    written.write_text(Path("params.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with modify_yaml(written) as data:
        data["model"]["family"] = "poisson"
    before = Path("params.yaml").read_text(encoding="utf-8").splitlines()
    after = written.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and "family: poisson" in changed[0][1], changed
