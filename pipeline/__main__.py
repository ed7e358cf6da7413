"""Command line: `python -m pipeline COMMAND` (stage, validate, verify, provenance, ...)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from pipeline import notebook
from pipeline.errors import PipelineError


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {text!r}")
    return key, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    stage = sub.add_parser("stage", help="run one DVC stage's notebook with papermill")
    stage.add_argument("name")
    stage.add_argument(
        "-p",
        "--path",
        type=_key_value,
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a path parameter passed to the notebook",
    )

    validate = sub.add_parser("validate", help="check params.yaml against the schema")
    validate.add_argument("--params", default="params.yaml")

    reference = sub.add_parser("reference", help="derive data/reference from the public sources")
    reference.add_argument("--sources", type=Path, default=Path("../shared/data/reference"))
    reference.add_argument("--out", type=Path, default=Path("data/reference"))

    synth = sub.add_parser("synth", help="write the synthetic example data and its truth")
    synth.add_argument("--seed", type=int, default=20240501)
    synth.add_argument("--out", type=Path, default=Path("data/example"))
    synth.add_argument("--truth", type=Path, default=Path("tests/truth"))
    synth.add_argument("--reference", type=Path, default=Path("data/reference"))

    sub.add_parser("verify", help="rebuild the committed state from scratch; compare with dvc.lock")
    provenance = sub.add_parser("provenance", help="write the build record beside the outputs")
    provenance.add_argument("--out", type=Path, default=Path("reports"))

    wave = sub.add_parser("new-wave", help="add a survey wave: copy the export, draft codebook")
    wave.add_argument("year")
    wave.add_argument("export", type=Path)
    wave.add_argument("--params", type=Path, default=Path("params.yaml"))
    return parser


def _new_wave(args: argparse.Namespace) -> int:
    from pipeline import config, layout, survey

    raw_dir = Path(config.load(args.params).data.raw_dir)
    todo = survey.new_wave(
        args.year, args.export, raw_dir, layout.codebook_path(raw_dir), args.params
    )
    for line in todo:
        sys.stderr.write(f"TODO: {line}\n")
    if todo:
        sys.stderr.write(
            f"Resolve the {len(todo)} TODO entries in the codebook, then run `make report`.\n"
        )
    return 0


def _stage(args: argparse.Namespace) -> int:
    started = time.monotonic()
    notebook.run_stage(args.name, dict(args.path))
    sys.stderr.write(f"{args.name}: done in {time.monotonic() - started:.0f} s\n")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from pipeline import config, layout

    params = config.load(args.params)
    rounds = [r.name for r in params.foi.rounds]
    missing = layout.problems(params.data.raw_dir, rounds, params.survey.waves)
    if missing:
        raise PipelineError("\n".join(missing))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from pipeline import verify

    differences = verify.verify(Path("."))
    for line in differences:
        sys.stderr.write(f"differs: {line}\n")
    if differences:
        sys.stderr.write(f"{len(differences)} outputs are not reproduced by a clean rebuild\n")
        return 1
    sys.stderr.write("every output of a clean rebuild matches dvc.lock\n")
    return 0


# What `make report` points a reader to once it has built everything, under reports/.
ENTRY_POINTS = {
    "the section": "quantitative_section.html",
    "its print edition": "quantitative_section.pdf",
    "its tables": "tables.xlsx",
    "authority pages": "authorities/index.html",
    "every output, for reviewers": "index.html",
}


def _provenance(args: argparse.Namespace) -> int:
    from pipeline import report

    if not (args.out / ENTRY_POINTS["the section"]).is_file():
        raise PipelineError(f"{args.out}: holds no built section; run `make report` first")
    sys.stderr.write(f"build record: {report.write_build_record(args.out)}\n")
    for what, name in ENTRY_POINTS.items():
        if (args.out / name).exists():
            sys.stderr.write(f"{what}: {args.out / name}\n")
    return 0


def _reference(args: argparse.Namespace) -> int:
    from pipeline import geography

    geography.build_reference(args.sources, args.out)
    return 0


def _synth(args: argparse.Namespace) -> int:
    from pipeline import synth

    synth.generate(args.seed, args.out, args.truth, args.reference)
    return 0


COMMANDS = {
    "stage": _stage,
    "validate": _validate,
    "verify": _verify,
    "provenance": _provenance,
    "reference": _reference,
    "synth": _synth,
    "new-wave": _new_wave,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code. Data and parameter problems print one
    message, never a traceback."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    from pipeline.verify import VerifyError

    try:
        return COMMANDS[args.command](args)
    except (PipelineError, notebook.StageError, VerifyError, FileNotFoundError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
