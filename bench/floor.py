"""The floor of the report edit loop (scenario 7), in one process run in a repository copy.

What a change to the section's template cannot avoid: one papermill run of a trivial
notebook (a kernel started and stopped), one nbconvert HTML export of it with the stages'
template, and one WeasyPrint render of the section HTML that the edit produced, to a tagged
PDF as `pipeline.report.write_pdf` makes it (keep the two in step).

    python bench/floor.py reports/quantitative_section.html
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # the copy's pipeline package, as `python -m` would use


def main(section_html: Path) -> None:
    """Run the three steps; every file goes to a temporary folder."""
    import nbformat
    import papermill
    import weasyprint

    from pipeline import notebook

    with tempfile.TemporaryDirectory(prefix="floor-") as tmp:
        trivial, executed = Path(tmp, "trivial.ipynb"), Path(tmp, "executed.ipynb")
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [
            nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("x + 1"),
        ]
        nbformat.write(nb, trivial)
        papermill.execute_notebook(
            str(trivial),
            str(executed),
            parameters={"x": 1},
            kernel_name="python3",
            progress_bar=False,
            extra_arguments=notebook.KERNEL_ARGS,
        )
        Path(tmp, "executed.html").write_text(
            notebook.export_html(nbformat.read(executed, as_version=4)),
            encoding="utf-8",
        )
        page = section_html.read_text(encoding="utf-8")
        weasyprint.HTML(string=page).write_pdf(  # as pipeline.report.write_pdf renders it
            Path(tmp, "section.pdf"),
            pdf_identifier=b"quantitative-section",
            pdf_variant="pdf/ua-1",
            uncompressed_pdf=False,
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
