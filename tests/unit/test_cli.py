"""The command line's own checks: a user mistake is one `error:` line and writes nothing."""

from pathlib import Path

from pipeline.__main__ import main


def test_provenance_refuses_a_folder_with_no_built_section(tmp_path: Path, capsys) -> None:
    out = tmp_path / "nowhere"
    assert main(["provenance", "--out", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"error: {out}: holds no built section; run `make report` first\n"
    )
    assert not out.exists()


def test_an_unknown_stage_names_the_stages_there_are(capsys) -> None:
    assert main(["stage", "clean"]) == 1
    assert capsys.readouterr().err == (
        "error: dvc.yaml has no stage 'clean' (stages: clean_foi, clean_survey, describe_foi, "
        "model_provision, survey_waves, report, profiles)\n"
    )
