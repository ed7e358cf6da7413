"""Command line: `python -m pipeline {stage,reference,synth,new-wave,validate}`."""

from __future__ import annotations

import argparse
import logging
import sys

from pipeline import config, notebook


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
    stage.add_argument("-p", "--path", type=_key_value, action="append", default=[],
                       metavar="NAME=PATH", help="a path parameter passed to the notebook")

    validate = sub.add_parser("validate", help="check params.yaml against the schema")
    validate.add_argument("--params", default="params.yaml")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "stage":
            notebook.run_stage(args.name, dict(args.path))
        elif args.command == "validate":
            config.load(args.params)
    except (config.ParamsError, notebook.StageError, FileNotFoundError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
