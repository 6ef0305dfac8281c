"""Writing the demo to an .xlsx workbook: the same tabs as the Google Sheet, laid as init-sheet lays
them (`sheets.template`: Thai headers, frozen header rows, dropdowns, B.E. date and baht formats,
the program's tabs marked, the print set-up), so that init-sheet on the demo finds nothing to add
(openpyxl, imported only here: it is slow to import)."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.schema import TABS
from sheets.demo.generator import ProgressFn, generate
from sheets.demo.scales import TRAT, DemoScale
from sheets.demo.summary import DemoSummary
from sheets.store import Layout, TabTemplate
from sheets.template import templates

if TYPE_CHECKING:  # for the annotations only: demo_tables alone must not pay openpyxl's import
    from openpyxl import Workbook

# Columns init-sheet gives no format (names, links) keep the demo's own widths.
_WIDTHS = {"link": 30, "choice": 14, "yesno": 10}


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
    laid = {tpl.title: tpl for tpl in templates(layout or Layout())}
    for key, rows in demo.tables.items():
        _write_tab(book, key, rows, laid[TABS[key].title])
    save_atomically(book, path)
    counts = {key: len(rows) - 1 for key, rows in demo.tables.items()}
    summary = DemoSummary(path, today, seed, scale, counts, demo.planted, demo.officers,
                          time.perf_counter() - started, demo.facts)
    say("เสร็จแล้ว")
    return summary


def _write_tab(book: Workbook, key: str, rows: list[list[Any]], tpl: TabTemplate) -> None:
    """One tab as init-sheet lays it (`sheets.workbook._apply_template`): bold headers (grey on the
    program's tabs, which get a grey tab colour), frozen, the template's widths, number formats and
    dropdowns, the print set-up."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from sheets.xlsx_style import NUMBER_FORMATS, dropdown, set_print_setup

    sheet = book.create_sheet(TABS[key].title)
    sheet.freeze_panes = "A2"
    column = {header: n for n, header in enumerate(rows[0], start=1)}
    for col, n in zip(TABS[key].columns, range(1, len(rows[0]) + 1)):
        kind = tpl.formats.get(rows[0][n - 1])
        width = _WIDTHS.get(col.kind, 18) if kind is None else (16 if kind != "text" else 22)
        sheet.column_dimensions[get_column_letter(n)].width = width
    if tpl.protect:
        sheet.sheet_properties.tabColor = "999999"
    for title, values in tpl.dropdowns.items():
        sheet.data_validations.append(dropdown(values, column[title]))
    set_print_setup(sheet)
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EEEEEE")
    header: list[WriteOnlyCell] = []
    for text in rows[0]:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        if tpl.protect:
            cell.fill = grey
        header.append(cell)
    sheet.append(header)
    formats = {column[h] - 1: NUMBER_FORMATS[kind] for h, kind in tpl.formats.items() if kind in NUMBER_FORMATS}
    for row in rows[1:]:
        out = list(row)
        for n, fmt in formats.items():
            value = out[n] if n < len(out) else None
            if value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = fmt
                out[n] = cell
        sheet.append(out)
