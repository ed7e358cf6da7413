"""Benchmark the pipeline: time, CPU, memory and the stages that reran, per scenario.

Run `make bench` (or `.venv/bin/python bench/benchmark.py`). Every run happens in temporary
copies of the repository, never in the working tree. The results table is printed and
written to bench/results/latest.md. This is not a test: it fails only when a command fails.
See bench/README.md for the scenarios and their targets.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
from measure import (
    ROOT,
    SAMPLE_EVERY,
    Row,
    Run,
    commit,
    copy_repo,
    measure,
    median_run,
    replace,
)
from plain import downstream, processed_files, run_plain, same_outputs

RESULTS = ROOT / "bench" / "results" / "latest.md"
SEED = 20240501
NEW_WAVE = "2027"  # scenario 4's wave: the last example wave's questions, a normal volume
NEW_WAVE_ORGS = 120  # the example waves have 60 to 150 organisations
PAIRS = 5  # scenario 2: `dvc status` and a no-op `dvc repro`, in turn
EDITS = 5  # scenario 7: template edits, each followed by its floor
TEMPLATE = Path("pipeline/templates/section.html.j2")

log = logging.getLogger("bench")


def _listed(stages: set[str]) -> str:
    """The stages expected to run, for the table."""
    return ", ".join(sorted(stages))


def paired(a: list[Run], b: list[Run]) -> float:
    """The median of the wall-time ratios a/b, pair by pair (robust to a drifting machine)."""
    return statistics.median(x.wall / y.wall for x, y in zip(a, b, strict=True))


# --- scenarios ----------------------------------------------------------------------------------


def cold_and_noop(repo: Path) -> tuple[list[Row], dict[str, str]]:
    """(1) cold `dvc repro`; (2) `dvc status` and a no-op `dvc repro`, in turn."""
    log.info("1/8 cold dvc repro in %s", repo)
    cold = measure(["dvc", "repro"], repo)
    commit(repo, "cold run")
    rows = [Row("1. cold `dvc repro`", cold, "<= 2.0 x plain (5)")]
    log.info("2/8 dvc status and a no-op dvc repro, %d pairs", PAIRS)
    status, noop = status_and_noop(repo)
    ratio = paired(noop, status)
    reran = sorted({s for r in noop for s in r.ran})
    rows.append(Row(f"2a. `dvc status` (median of {PAIRS})", median_run(status)))
    rows.append(
        Row(
            f"2b. no-op `dvc repro` (median of {PAIRS})",
            median_run(noop),
            "<= 1.2 x `dvc status`, nothing reruns",
            ratio <= 1.2 and not reran,
            f"{ratio:.2f} x status (median of {PAIRS} paired ratios)"
            + (f"; reran {', '.join(reran)}" if reran else ""),
        )
    )
    return rows, processed_files(repo)


def status_and_noop(repo: Path) -> tuple[list[Run], list[Run]]:
    """`dvc status` and a no-op `dvc repro` in `repo`, in turn, PAIRS times."""
    status, noop = [], []
    for _ in range(PAIRS):
        status.append(measure(["dvc", "status"], repo))
        noop.append(measure(["dvc", "repro"], repo))
    return status, noop


def dvc_alone(work: Path) -> list[Row]:
    """(2c, 2d) scenario 2 in a project of one stage that copies one file: DVC's own ratio."""
    log.info("2c/8 dvc status and a no-op dvc repro in a one-stage project")
    repo = work / "one-stage"
    repo.mkdir()
    commit(repo, "empty", init=True)
    (repo / "in.txt").write_text("x\n", encoding="utf-8")
    subprocess.run(["dvc", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["dvc", "config", "core.analytics", "false"], cwd=repo, check=True)
    add = ["dvc", "stage", "add", "-q", "-n", "copy", "-d", "in.txt", "-o", "out.txt"]
    subprocess.run([*add, "cp in.txt out.txt"], cwd=repo, check=True)
    measure(["dvc", "repro"], repo)
    commit(repo, "built")
    status, noop = status_and_noop(repo)
    ratio = paired(noop, status)
    return [
        Row(f"2c. one-stage project: `dvc status` (median of {PAIRS})", median_run(status)),
        Row(
            f"2d. one-stage project: no-op `dvc repro` (median of {PAIRS})",
            median_run(noop),
            note=f"{ratio:.2f} x status: DVC's own ratio, with nothing of the pipeline's",
        ),
    ]


def parameter_change(repo: Path) -> list[Row]:
    """(3) a model parameter changed, then reverted (restored from the run cache)."""
    log.info("3/8 model.family=poisson")
    params = repo / "params.yaml"
    replace(params, "family: auto", "family: poisson")
    changed = measure(["dvc", "repro"], repo)
    expected = downstream(repo / "dvc.yaml", {"model_provision"})
    replace(params, "family: poisson", "family: auto")
    back = measure(["dvc", "repro"], repo)
    restored = re.findall(r"Stage '([\w-]+)' is cached", back.output)
    ran = set(changed.ran)
    unchanged = sorted(expected - ran)
    return [
        Row(
            "3. `model.family=poisson`, `dvc repro`",
            changed,
            f"model_provision; none outside {_listed(expected)}",
            "model_provision" in ran and ran <= expected,
            f"inputs unchanged, not rerun: {', '.join(unchanged)}" if unchanged else "",
        ),
        Row(
            "3b. parameter reverted, `dvc repro`",
            back,
            note=f"restored from the run cache: {', '.join(restored) or 'none'}",
        ),
    ]


def new_wave(repo: Path, work: Path, rng: np.random.Generator) -> Row:
    """(4) a new survey wave of normal size, added with `python -m pipeline new-wave`."""
    import scaled_survey

    log.info("4/8 a new survey wave %s", NEW_WAVE)
    exports = work / "exports"
    exports.mkdir()
    reference = repo / "data" / "reference"
    scaled_survey.write_waves(exports, reference, [NEW_WAVE], NEW_WAVE_ORGS, rng)
    export = str(exports / f"{NEW_WAVE}.csv")
    added = measure(["python", "-m", "pipeline", "new-wave", NEW_WAVE, export], repo)
    if "TODO:" in added.output:
        raise SystemExit(f"new-wave left TODO entries:\n{added.output}")
    wave = measure(["dvc", "repro"], repo)
    commit(repo, "new wave")
    expected = downstream(repo / "dvc.yaml", {"clean_survey"})
    return Row(
        f"4. new wave {NEW_WAVE} ({NEW_WAVE_ORGS} orgs), `dvc repro`",
        wave,
        _listed(expected),
        set(wave.ran) == expected,
    )


def plain(work: Path, cold: Row, cold_outputs: dict[str, str], built: Path) -> Row:
    """(5) the same computation as (1) in one plain Python process; sets (1)'s verdict.

    The report traces each figure to its cell in the executed stage notebooks, which a plain
    run does not write: it reads those `built` holds (the same cells), copied in untimed.
    """
    log.info("5/8 the same computation as one plain Python process")
    plain_repo = copy_repo(work / "plain")
    stages = Path("reports/stages")
    shutil.copytree(built / stages, plain_repo / stages, dirs_exist_ok=True)
    script = str(Path(__file__).resolve())
    run = measure([sys.executable, script, "--plain"], plain_repo, env={"MPLBACKEND": "Agg"})
    found = re.findall(r"plain stage (\w+): ([\d.]+) s", run.output)
    run.stage_wall = {s: float(w) for s, w in found}
    cold.met = cold.run.wall <= 2.0 * run.wall
    ratio, cpu = cold.run.wall / run.wall, cold.run.cpu / run.cpu
    cold.note = f"{ratio:.2f} x plain (CPU {cpu:.2f} x)"
    return Row("5. plain Python, one process", run, note=same_outputs(cold_outputs, plain_repo))


def edit_loop(repo: Path) -> list[Row]:
    """(7) the section template's wording edited, `dvc repro`; each paired with its floor."""
    log.info("7/8 section template edits, each followed by its floor, %d pairs", EDITS)
    edits, floors = [], []
    floor = [sys.executable, str(Path(__file__).with_name("floor.py"))]
    for i in range(EDITS):
        replace(repo / TEMPLATE, "</main>", f"<p>Wording edit {i + 1}.</p>\n</main>")
        edits.append(measure(["dvc", "repro"], repo))
        floors.append(measure([*floor, "reports/quantitative_section.html"], repo))
        if set(edits[-1].ran) != downstream(repo / "dvc.yaml", {"report"}):
            raise SystemExit(f"a template edit reran {edits[-1].ran}")
    commit(repo, "template edits")
    ratio = paired(edits, floors)
    return [
        Row(
            f"7. section template edited, `dvc repro` (median of {EDITS})",
            median_run(edits),
            "report only; <= 1.2 x its floor (7b)",
            ratio <= 1.2,
            f"{ratio:.2f} x floor (median of {EDITS} paired ratios)",
        ),
        Row(
            f"7b. its floor: papermill run, HTML export, WeasyPrint (median of {EDITS})",
            median_run(floors),
            note="one process",
        ),
    ]


def scaled(repo: Path, wave: Row, scale: tuple[int, int], rng: np.random.Generator) -> Row:
    """(6) 100 x the survey: many generated waves of many organisations, `dvc repro`."""
    import scaled_survey

    from pipeline import layout

    waves, orgs = scale
    log.info("6/8 %d waves of %d organisations", waves, orgs)
    years = [str(2031 + i) for i in range(waves)]
    example = repo / "data" / "example"
    start = time.perf_counter()
    reference = repo / "data" / "reference"
    written = scaled_survey.write_waves(layout.survey_dir(example), reference, years, orgs, rng)
    scaled_survey.add_codebook_blocks(layout.codebook_path(example), years)
    scaled_survey.set_waves(repo / "params.yaml", years)
    generated = time.perf_counter() - start
    big = measure(["dvc", "repro"], repo)
    expected = downstream(repo / "dvc.yaml", {"clean_survey"})
    ok = set(big.ran) == expected and big.wall <= 3 * wave.run.wall
    ok = ok and big.tree_peak <= 1536
    return Row(
        f"6. {waves * orgs:,} responses in {waves} waves, `dvc repro`",
        big,
        f"{_listed(expected)}; <= 3 x (4); <= 1.5 GB",
        ok,
        f"{big.wall / wave.run.wall:.1f} x (4) wall, {big.cpu / wave.run.cpu:.1f} x (4) CPU; "
        f"{written:,} export rows generated in {generated:.0f} s (not counted)",
    )


def first_setup(work: Path) -> list[Row]:
    """(8) `make report` in a fresh copy, .venv included: empty package caches, then warm.

    The caches are temporary folders (uv's and pip's), empty for the first copy and filled by
    it for the second; PATH holds no project environment, as on a new machine.
    """
    caches = work / "caches"
    env = {"UV_CACHE_DIR": str(caches / "uv"), "PIP_CACHE_DIR": str(caches / "pip")}
    rows = []
    for name, target in (("empty", ""), ("warm", "<= 90 s")):
        log.info("8/8 make report in a fresh copy, %s package caches", name)
        repo = copy_repo(work / f"setup-{name}")
        run = measure(["make", "report"], repo, env=env, own_venv=False)
        installer = "uv" if (repo / ".venv" / "bin" / "uv").exists() else "pip"
        rows.append(
            Row(
                f"8{'a' if name == 'empty' else 'b'}. `make report` in a fresh copy, .venv "
                f"included, {name} package cache",
                run,
                target,
                run.wall <= 90 if target else None,
                f".venv built with {installer}",
            )
        )
        shutil.rmtree(repo / ".venv", ignore_errors=True)
    return rows


def scenarios(work: Path, scale: tuple[int, int]) -> list[Row]:
    """Run every scenario; return the table rows in scenario order."""
    rng = np.random.default_rng(SEED)
    repo = copy_repo(work / "repo")
    first, cold_outputs = cold_and_noop(repo)
    rows = first + dvc_alone(work) + parameter_change(repo)
    wave = new_wave(repo, work, rng)
    rows += [wave, plain(work, rows[0], cold_outputs, repo)]
    edits = edit_loop(repo)
    rows += [scaled(repo, wave, scale, rng), *edits, *first_setup(work)]
    return rows


# --- the report ---------------------------------------------------------------------------------


def _stages(run: Run) -> str:
    names = run.ran or list(run.stage_wall)
    if not names:
        return "none"
    return ", ".join(
        f"{s} ({run.stage_wall[s]:.0f} s)" if s in run.stage_wall else s for s in names
    )


def table(rows: list[Row], load: tuple[str, str]) -> str:
    """The results as markdown."""
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"- when: {datetime.now():%Y-%m-%d %H:%M}; commit {described or 'unknown'}",
        f"- machine: {os.cpu_count()} cores, {_memory()}, Python {platform.python_version()}, "
        f"{platform.platform()}",
        f"- load average (1 min) at start {load[0]}, at end {load[1]}",
    ]
    lines += [
        "- wall and CPU (user + system, every descendant) in seconds; peak tree: the largest "
        f"sum of RSS over the process tree, sampled every {SAMPLE_EVERY} s (psutil); largest "
        "process: ru_maxrss of the biggest single process (os.wait4); stage times are how long "
        "each `python -m pipeline stage` process lived (+/- one sample)",
        "",
        "| scenario | wall s | CPU s | peak tree MB | largest process MB | stages run "
        "| target | met | note |",
        "|---|--:|--:|--:|--:|---|---|---|---|",
    ]
    for r in rows:
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        lines.append(
            f"| {r.scenario} | {r.run.wall:.1f} | {r.run.cpu:.1f} | {r.run.tree_peak:.0f} "
            f"| {r.run.largest:.0f} | {_stages(r.run)} | {r.target} | {met} | {r.note} |"
        )
    return "\n".join(lines) + "\n"


def _memory() -> str:
    import psutil

    return f"{psutil.virtual_memory().total / 1024**3:.0f} GB RAM"


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale-waves", type=int, default=20)
    parser.add_argument("--scale-orgs", type=int, default=5000, help="organisations per wave")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.plain:
        run_plain()
        return 0
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    load_start = _load()
    try:
        rows = scenarios(work, (args.scale_waves, args.scale_orgs))
    finally:
        if args.keep:
            log.info("kept %s", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    text = table(rows, (load_start, _load()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    log.info("written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
