"""Run a stage's notebook with papermill and make the executed copy reproducible."""

from __future__ import annotations

import functools
import logging
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: every stage's kernel imports this module too
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbconvert import HTMLExporter

log = logging.getLogger(__name__)

STAGES_DIR = Path("reports/stages")
LOGS_DIR = Path("reports/logs")
SINGLE_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
TEMPLATES = Path(__file__).parent / "templates"  # templates/stage: the stage HTML layout
KERNEL = "python3"
# The kernel's own start-up notices (e.g. plain-TCP transport on this machine) are not for users.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
# What nbclient adds when it starts a kernel itself: no history database on disk.
HISTORY_ARGS = ["--HistoryManager.hist_file=:memory:"]
# Imported by a stage's kernel as it starts, while this process loads papermill on the other
# core: every stage's first cell imports pandas. Nothing is printed or counted.
PRELOAD_ARGS = ["--IPKernelApp.exec_lines=import pandas"]
QUIET_LOGGERS = ("weasyprint", "fontTools", "matplotlib")


class StageError(RuntimeError):
    """A stage's notebook stopped; the message is the reason, not a traceback."""


def stage_spec(stage: str, dvc_file: Path = Path("dvc.yaml")) -> dict[str, Any]:
    """The stage's entry in dvc.yaml."""
    import yaml

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


def html_exporter() -> HTMLExporter:
    """nbconvert's exporter for a stage page: code visible, no CDN scripts, template loaded."""
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
    exporter.template  # noqa: B018 - compile the template now, not at the first export
    return exporter


def export_html(nb: nbformat.NotebookNode, exporter: HTMLExporter | None = None) -> str:
    """The executed notebook as self-contained HTML with code visible and no CDN scripts."""
    html, _ = (exporter or html_exporter()).from_notebook_node(nb)
    return html


def _in_background(build: Callable[[], Any]) -> Callable[[], Any]:
    """Start `build` in a thread now; the returned function waits for its result.

    While the kernel runs a stage's code on one core, this process only relays messages, so
    the HTML exporter is loaded on the other; if the build failed, it is built again in the
    caller's thread, where its error shows.
    """
    done: list[Any] = []
    thread = threading.Thread(target=lambda: done.append(build()), daemon=True)
    thread.start()

    def result() -> Any:
        thread.join()
        return done[0] if done else build()

    return result


@functools.cache
def _kernel_manager() -> type[AsyncKernelManager]:
    """jupyter_client's kernel manager, keeping the clients it makes so they close with it."""
    from jupyter_client.manager import AsyncKernelManager

    class StageKernelManager(AsyncKernelManager):
        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.__dict__.setdefault("stage_clients", []).append(made)
            return made

    return StageKernelManager


def start_kernel() -> AsyncKernelManager:
    """Start the stage's kernel as nbclient would, without waiting for it to be ready.

    Started before papermill and the parameter schema are imported, the kernel boots (and
    imports pandas, `PRELOAD_ARGS`) on one core while this process loads them on the other.
    """
    from jupyter_core.utils import run_sync

    km = _kernel_manager()(kernel_name=KERNEL)
    run_sync(km.start_kernel)(extra_arguments=[*KERNEL_ARGS, *HISTORY_ARGS, *PRELOAD_ARGS])
    return km


def stop_kernel(km: AsyncKernelManager) -> None:
    """Close the kernel's channels and stop it at once: its outputs are in, its files closed."""
    from jupyter_core.utils import run_sync

    for client in km.__dict__.get("stage_clients", []):
        client.stop_channels()
    run_sync(km.shutdown_kernel)(now=True)


def _execute(stage: str, out: Path, parameters: dict[str, Any], km: AsyncKernelManager) -> None:
    """Run notebooks/<stage>.ipynb in the started kernel; a failed cell is a StageError.

    The executed copy is written once, at the end (and, on a failure, with the traceback),
    not before and after every cell while the kernel waits for the next one.
    """
    import papermill

    try:
        papermill.execute_notebook(
            f"notebooks/{stage}.ipynb",
            str(out),
            parameters=parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            request_save_on_cell_execute=False,
            cwd=".",
            extra_arguments=KERNEL_ARGS,
            km=km,
        )
    except papermill.PapermillExecutionError as exc:
        raise StageError(
            f"stage {stage} stopped: {exc.ename}: {exc.evalue}\n"
            f"(the executed notebook with the full traceback is {out})"
        ) from None


def run_stage(stage: str, paths: dict[str, str], params_file: Path = Path("params.yaml")) -> Path:
    """Execute notebooks/<stage>.ipynb with the stage's declared parameters.

    The parameters passed are exactly those dvc.yaml lists under the stage's `params:`,
    checked against the schema first; `paths` are the stage's input and output paths.
    """
    spec = stage_spec(stage)
    for var in SINGLE_THREAD:  # threaded BLAS sums can differ in the last bit between runs
        os.environ[var] = "1"
    STAGES_DIR.mkdir(parents=True, exist_ok=True)
    LOGS_DIR.mkdir(parents=True, exist_ok=True)
    out = STAGES_DIR / f"{stage}.ipynb"
    log.info("stage %s: running notebooks/%s.ipynb", stage, stage)
    km = start_kernel()
    try:
        from pipeline import config

        params = config.select(config.load(params_file), spec.get("params", []))
        exporter = _in_background(html_exporter)
        log_file = str(LOGS_DIR / f"{stage}.log")
        _execute(stage, out, {"params": params, "log_file": log_file, **paths}, km)
    finally:
        stop_kernel(km)
    import nbformat

    nb = normalise(nbformat.read(out, as_version=4))
    nbformat.write(nb, out)
    out.with_suffix(".html").write_text(export_html(nb, exporter()), encoding="utf-8")
    return out
