"""Nothing published leaks the personal data planted in the example survey."""

from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PLANTED = (ROOT / "tests/truth/planted_personal_data.txt").read_text(encoding="utf-8").splitlines()


def _text(path: Path) -> str:
    """A file's readable text: PDF and xlsx are extracted, everything else read as UTF-8."""
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return path.read_bytes().decode("utf-8", errors="replace")


def test_planted_list_is_substantial():
    assert len(PLANTED) > 100


def test_no_output_holds_planted_personal_data(built_repo):
    outputs = [
        p
        for d in ("reports", "data/processed")
        for p in (built_repo.root / d).rglob("*")
        if p.is_file() and p.suffix != ".png"
    ]
    assert len(outputs) > 50
    leaks = [
        (str(p.relative_to(built_repo.root)), item)
        for p in outputs
        for text in [_text(p).casefold()]
        for item in PLANTED
        if item.casefold() in text
    ]
    assert leaks == [], f"personal data found in outputs: {leaks[:10]}"
