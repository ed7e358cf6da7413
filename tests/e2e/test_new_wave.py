"""Adding a survey wave, as the README tells a new user to: in a clean copy that has been built
once, a fourth wave with a support option the codebook does not know goes in through
`python -m pipeline new-wave`, stops the run until the codebook maps it, and then reruns only
the survey stages and the report, which gains the wave."""

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import config, layout, survey
from pipeline.synth import survey as synth_survey
from pipeline.synth.people import People

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent

WAVE = "2027"
LAST = "2025"  # the wave whose export layout the new one keeps
SEED = 2027
NEW_LABEL = "Support for women leaving prison"
NEW_CODE = "prison_leavers"
TICK_SHARE = 0.3
# the profiles show survey counts per area, so they follow the survey tables
SURVEY_STAGES = {"clean_survey", "survey_waves", "report", "profiles"}


def _run(args: list[str], cwd: Path, ok: bool = True) -> str:
    """Run a command with the venv's tools on PATH; check its exit status; return its output."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    assert (done.returncode == 0) == ok, f"{' '.join(args)} exited {done.returncode}:\n{output}"
    return output


def _ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '([\w-]+)'", output))


def _fourth_wave(reference_dir: Path, work: Path) -> tuple[Path, str, int, int]:
    """Write wave 2027's export: a fresh sample drawn by the synthetic generator (another seed),
    in the 2025 layout, dated two years on, with one new support option ticked at random.

    Returns the export, the new option's header, the organisations that answered the support
    question and how many of them ticked the new option.
    """
    synth_survey.generate(
        reference_dir,
        work / "example",
        work / "truth",
        np.random.default_rng(SEED),
        People(np.random.default_rng(SEED + 1)),
    )
    text = (work / "example" / "survey" / f"{LAST}.csv").read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    block = synth_survey.wave_block(LAST)
    support = [header.index(h) for h in block["support"]["headers"]]
    submitted = header.index(block["submitted"]["header"])
    new_header = f"{header[support[-1]].rsplit(': ', 1)[0]}: {NEW_LABEL}"
    at = support[-1] + 1
    rng = np.random.default_rng(SEED)
    out, answered, ticked = [[*header[:at], new_header, *header[at:]]], 0, 0
    for row in rows:
        tick = ""
        if any(row[i] for i in support):
            answered += 1
            if rng.random() < TICK_SHARE:
                tick, ticked = synth_survey.TICKED[LAST], ticked + 1
        if any(row):
            row[submitted] = row[submitted].replace(f"{LAST}-", f"{WAVE}-", 1)
        out.append([*row[:at], tick, *row[at:]])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(out)
    export = work / "downloads" / f"Survey export {WAVE}.csv"
    export.parent.mkdir(parents=True)
    export.write_text(buffer.getvalue(), encoding="utf-8")
    return export, new_header, answered, ticked


def _edit(path: Path, pattern: str, replacement: str) -> None:
    """Edit a text file as an analyst would, once, exactly where `pattern` matches."""
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"))
    assert count == 1, f"{pattern!r} matched {count} times in {path}"
    path.write_text(text, encoding="utf-8")


def _adjacent(tag: str, *texts: str) -> str:
    """A pattern for HTML table cells holding `texts` side by side, whatever their attributes."""
    return r"\s*".join(rf"<{tag}[^>]*>{re.escape(t)}</{tag}>" for t in texts)


@pytest.fixture(scope="module")
def built(tmp_path_factory, copy_repo) -> Path:
    """A clean copy of the repository, built once; this module's test then changes it."""
    repo = copy_repo(tmp_path_factory.mktemp("new_wave") / "repo")
    _run(["dvc", "repro"], repo)
    return repo


def test_a_new_wave_goes_in_through_the_codebook_and_reruns_only_the_survey(
    built, tmp_path
) -> None:
    repo = built
    raw = repo / "data" / "example"
    codebook, params = layout.codebook_path(raw), repo / "params.yaml"
    processed = repo / "data" / "processed"
    before = pd.read_csv(processed / "survey_waves" / "support_by_wave.csv", dtype={"wave": str})
    old_codebook = codebook.read_text(encoding="utf-8")

    # 1. the export of a fourth wave, with a support option the codebook does not know
    export, new_header, answered, ticked = _fourth_wave(repo / "data" / "reference", tmp_path)
    assert answered >= 60 and 0 < ticked < answered

    # 2. new-wave copies the export, lists the wave and drafts its codebook block
    output = _run([sys.executable, "-m", "pipeline", "new-wave", WAVE, str(export)], repo)
    assert f'TODO: waves.{WAVE}.support.headers: "{new_header}" has no option (TODO)' in output
    assert layout.wave_file(raw, WAVE).read_bytes() == export.read_bytes()
    assert config.load(params).survey.waves == ["2021", "2023", "2025", WAVE]
    assert "# one export per wave" in params.read_text(encoding="utf-8")
    assert codebook.read_text(encoding="utf-8").startswith(old_codebook)  # earlier waves kept
    assert survey.todo_lines(codebook, [WAVE]) == [f'wave {WAVE}: "{new_header}": TODO']
    assert survey.todo_lines(codebook, ["2021", "2023", "2025"]) == []

    # 3. the run stops at the survey cleaner, naming the new question and how to map it
    output = _run(["dvc", "repro"], repo, ok=False)
    assert _ran(output) == {"clean_survey"}
    assert f'wave {WAVE}: "{new_header}": TODO' in output
    assert "under `variables:`" in output

    # 4. the analyst maps the header to a new code, forgets to declare it, is told, declares it
    _edit(codebook, rf'({re.escape(NEW_LABEL)}": )TODO\n', rf"\g<1>{NEW_CODE}\n")
    output = _run(["dvc", "repro"], repo, ok=False)
    assert f"to '{NEW_CODE}', which is not an option of support" in output
    assert "add it to variables.support.options" in output
    _edit(
        codebook, r"(\n  support:\n    type: multi\n    options: \[[^\]\n]*)\]", rf"\1, {NEW_CODE}]"
    )
    assert survey.load_codebook(codebook).variables["support"].codes[-1] == NEW_CODE

    # 5. only the survey stages and the report rerun; the FOI stages are untouched
    output = _run(["dvc", "repro"], repo)
    assert _ran(output) == SURVEY_STAGES, output
    assert "up to date" in _run(["dvc", "status"], repo)

    # 6. the report has the new wave and the new option
    responses = pd.read_csv(processed / "survey_responses.csv", dtype=str, keep_default_na=False)
    new = responses[(responses["question"] == "support") & (responses["option"] == NEW_CODE)]
    assert set(new.loc[new["wave"] != WAVE, "status"]) == {"not_asked"}
    assert (new.loc[new["wave"] == WAVE, "value"] == "1").sum() == ticked
    after = pd.read_csv(processed / "survey_waves" / "support_by_wave.csv", dtype={"wave": str})
    pd.testing.assert_frame_equal(
        after[after["wave"] != WAVE].reset_index(drop=True), before.reset_index(drop=True)
    )
    latest = after[after["wave"] == WAVE].set_index("option")
    assert set(latest.index) == set(before.loc[before["wave"] == LAST, "option"]) | {NEW_CODE}
    # published under the disclosure policy: both counts rounded (half up), the share from them
    policy = config.load(params).disclosure
    rounded = [(2 * k + policy.round_to) // (2 * policy.round_to) * policy.round_to
               for k in (ticked, answered)]  # fmt: skip
    assert ticked >= policy.suppress_below
    assert latest.loc[NEW_CODE, ["count", "n"]].tolist() == rounded
    assert latest.loc[NEW_CODE, "share"] == pytest.approx(rounded[0] / rounded[1])
    changes = pd.read_csv(processed / "survey_waves" / "support_changes.csv", dtype=str)
    pairs = changes.groupby(["comparison", "wave_from", "wave_to"]).size().to_dict()
    asked = before.groupby("wave")["option"].nunique()  # options asked in 2021, 2023, 2025
    assert pairs[("consecutive", LAST, WAVE)] == asked[LAST]  # the new option has no pair
    assert pairs[("first_to_last", "2021", WAVE)] == asked["2021"]
    assert ("first_to_last", "2021", LAST) not in pairs
    by_wave = pd.read_csv(processed / "survey_waves" / "respondents_by_wave.csv", dtype=str)
    assert list(by_wave["wave"]) == ["2021", "2023", "2025", WAVE]
    html = (repo / "reports" / "quantitative_section.html").read_text(encoding="utf-8")
    section = html[html.index('<h2 id="survey">') : html.index('<h2 id="methods">')]
    assert f"{WAVE}: {by_wave['respondents'].iloc[-1]}." in section
    assert re.search(_adjacent("th", LAST, WAVE), section)  # respondents by wave and type
    assert re.search(
        _adjacent("td", "First to last wave", "2021", WAVE), section
    )  # support changes
    listings = html[html.index('<h2 id="listings">') :]  # every comparison, in the appendix
    assert re.search(_adjacent("td", "Consecutive waves", LAST, WAVE), listings)


@pytest.mark.parametrize("make", ["folder", "binary file", "missing file"])
def test_new_wave_stops_with_one_clear_message_on_an_unusable_export(
    copy_repo, tmp_path, make
) -> None:
    repo = copy_repo(tmp_path / "repo")
    codebook = layout.codebook_path(repo / "data" / "example")
    before = codebook.read_bytes(), (repo / "params.yaml").read_bytes()
    export = tmp_path / "export.csv"
    if make == "folder":
        export.mkdir()
    elif make == "binary file":
        export.write_bytes(bytes(range(256)) * 8)
    output = _run([sys.executable, "-m", "pipeline", "new-wave", WAVE, str(export)], repo, ok=False)
    assert output.startswith(f"error: {export}") and output.count("\n") == 1, output
    assert "Traceback" not in output
    assert (codebook.read_bytes(), (repo / "params.yaml").read_bytes()) == before
