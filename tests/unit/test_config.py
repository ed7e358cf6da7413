"""The params.yaml schema: every rule rejects bad values with a message naming the key."""

import copy
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
        ("survey", "waves", [], "survey.waves list should have at least 1 item"),
        ("model", "seed", -1, "model.seed must be greater than or equal to 0"),
        ("model", "significance", 0.5, "model.significance must be less than 0.5"),
        ("model", "alpha", 0.05, "model.alpha is not a known parameter"),
        ("model", "colour", "red", "model.colour is not a known parameter"),
    ],
)
def test_bad_values_name_the_key(raw, section, key, value, message):
    bad = copy.deepcopy(raw)
    bad[section][key] = value
    with pytest.raises(config.ParamsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config.validate(bad)


def test_missing_section_is_named(raw):
    del raw["report"]
    with pytest.raises(config.ParamsError, match="report is missing"):
        config.validate(raw)


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
