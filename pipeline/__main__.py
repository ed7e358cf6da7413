"""Command line: `python -m pipeline {stage,validate,reference,synth,new-wave}`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipeline import config, notebook, readers


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

    wave = sub.add_parser("new-wave", help="add a survey wave: copy the export, draft codebook")
    wave.add_argument("year")
    wave.add_argument("export", type=Path)
    wave.add_argument("--params", type=Path, default=Path("params.yaml"))
    return parser


def _new_wave(args: argparse.Namespace) -> int:
    from pipeline import layout, survey

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


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "stage":
            notebook.run_stage(args.name, dict(args.path))
        elif args.command == "validate":
            config.load(args.params)
        elif args.command == "reference":
            from pipeline import geography

            geography.build_reference(args.sources, args.out)
        elif args.command == "synth":
            from pipeline import synth

            synth.generate(args.seed, args.out, args.truth, args.reference)
        elif args.command == "new-wave":
            return _new_wave(args)
    except (config.ParamsError, notebook.StageError, readers.InputError, FileNotFoundError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
