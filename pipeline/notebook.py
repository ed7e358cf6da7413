"""Run a stage's notebook with papermill and make the executed copy reproducible."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

import nbformat
import papermill
import yaml

from pipeline import config

log = logging.getLogger(__name__)

STAGES_DIR = Path("reports/stages")
LOGS_DIR = Path("reports/logs")
SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
TEMPLATES = Path(__file__).parent / "templates"  # templates/stage: the stage HTML layout
# The kernel's own start-up notices (e.g. plain-TCP transport on this machine) are not for users.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
QUIET_LOGGERS = ("weasyprint", "fontTools", "matplotlib")


class StageError(RuntimeError):
    """A stage's notebook stopped; the message is the reason, not a traceback."""


def stage_spec(stage: str, dvc_file: Path = Path("dvc.yaml")) -> dict[str, Any]:
    """The stage's entry in dvc.yaml."""
    stages = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]
    if stage not in stages:
        raise StageError(f"dvc.yaml has no stage {stage!r} (stages: {', '.join(stages)})")
    return stages[stage]


def _plain_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ARG001
    """A library warning as its category and message, without the machine's paths."""
    text = " ".join(str(message).split())
    return f"{category.__name__}: {text}"


def start_logging(log_file: str | Path, params: dict[str, Any] | None = None) -> None:
    """Send the package's log records to the stage's log file (no timestamps: reruns match)."""
    handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for noisy in QUIET_LOGGERS:  # libraries that log every step at INFO
        logging.getLogger(noisy).setLevel(logging.ERROR)
    logging.captureWarnings(True)
    warnings.formatwarning = _plain_warning
    log.info("parameters: %s", params or {})


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop timestamps and random ids that papermill and the kernel write."""
    nb.metadata.pop("papermill", None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    return nb


def export_html(nb: nbformat.NotebookNode) -> str:
    """The executed notebook as self-contained HTML with code visible and no CDN scripts."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="stage",
        mathjax_url="",
        require_js_url="",
        widget_renderer_url="",
        mermaid_js_url="",
        mermaid_layout_elk_js_url="",
    )
    html, _ = exporter.from_notebook_node(nb)
    return html


def run_stage(stage: str, paths: dict[str, str], params_file: Path = Path("params.yaml")) -> Path:
    """Execute notebooks/<stage>.ipynb with the stage's declared parameters.

    The parameters passed are exactly those dvc.yaml lists under the stage's `params:`,
    checked against the schema first; `paths` are the stage's input and output paths.
    """
    spec = stage_spec(stage)
    params = config.select(config.load(params_file), spec.get("params", []))
    for var in SINGLE_THREAD:  # threaded BLAS sums can differ in the last bit between runs
        os.environ[var] = "1"
    STAGES_DIR.mkdir(parents=True, exist_ok=True)
    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    out = STAGES_DIR / f"{stage}.ipynb"
    log.info("stage %s: running notebooks/%s.ipynb", stage, stage)
    try:
        papermill.execute_notebook(
            f"notebooks/{stage}.ipynb",
            str(out),
            parameters={"params": params, "log_file": str(LOGS_DIR / f"{stage}.log"), **paths},
            kernel_name="python3",
            progress_bar=False,
            cwd=".",
            extra_arguments=KERNEL_ARGS,
        )
    except papermill.PapermillExecutionError as exc:
        raise StageError(
            f"stage {stage} stopped: {exc.ename}: {exc.evalue}\n"
            f"(the executed notebook with the full traceback is {out})"
        ) from None
    nb = normalise(nbformat.read(out, as_version=4))
    nbformat.write(nb, out)
    out.with_suffix(".html").write_text(export_html(nb), encoding="utf-8")
    return out
