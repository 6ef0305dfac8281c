"""Writing the demo to an .xlsx workbook: the same tabs as the Google Sheet, Thai headers, frozen
header rows, date and baht formats (openpyxl, imported only here: it is slow to import)."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.schema import TABS
from sheets.demo.generator import ProgressFn, generate
from sheets.demo.scales import TRAT, DemoScale
from sheets.demo.summary import DemoSummary
from sheets.store import Layout

if TYPE_CHECKING:  # for the annotations only: demo_tables alone must not pay openpyxl's import
    from openpyxl import Workbook

_NUMBER_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "amount": "#,##0.00"}
_WIDTHS = {"date": 14, "datetime": 18, "amount": 16, "int": 10, "link": 30, "citizen_id": 20}


def build_demo(path: Path, today: dt.date, seed: int = 2569, scale: DemoScale = TRAT,
               progress: ProgressFn | None = None, layout: Layout | None = None) -> DemoSummary:
    """Write the demo workbook to `path` (atomically) and say what is in it."""
    from openpyxl import Workbook

    from sheets.workbook import save_atomically

    started = time.perf_counter()
    path = Path(path)
    demo = generate(today, seed, scale, layout, progress)
    say = progress or (lambda _m: None)
    say(f"เขียนไฟล์ {path} ...")
    book = Workbook(write_only=True)
    for key, rows in demo.tables.items():
        _write_tab(book, key, rows)
    save_atomically(book, path)
    counts = {key: len(rows) - 1 for key, rows in demo.tables.items()}
    summary = DemoSummary(path, today, seed, scale, counts, demo.planted, demo.officers,
                          time.perf_counter() - started, demo.facts)
    say("เสร็จแล้ว")
    return summary


def _write_tab(book: Workbook, key: str, rows: list[list[Any]]) -> None:
    """One tab: bold headers (grey on the program's tabs), frozen, column widths and number formats by kind."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    tab = TABS[key]
    sheet = book.create_sheet(tab.title)
    sheet.freeze_panes = "A2"
    kinds = [c.kind for c in tab.columns]
    for n, kind in enumerate(kinds, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS.get(kind, 18)
    if tab.kind != "people":
        sheet.sheet_properties.tabColor = "999999"
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EEEEEE")
    header = []
    for text in rows[0]:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        if tab.kind != "people":
            cell.fill = grey
        header.append(cell)
    sheet.append(header)
    formats = [_NUMBER_FORMATS.get(k) for k in kinds]
    styled = [n for n, fmt in enumerate(formats) if fmt]
    for row in rows[1:]:
        out = list(row)
        for n in styled:
            value = out[n]
            if value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = formats[n]
                out[n] = cell
        sheet.append(out)
