"""The local .xlsx backend: the embedded default and the offline/training mode."""
from __future__ import annotations

import fcntl
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import openpyxl
from python_calamine import CalamineWorkbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.schema import TABS, header_key, normalize_header
from sheets.store import (Layout, StoreError, Table, TabTemplate, cell_value, changed_rows, clean_row,
                          moved_rows_error, ordered_row, row_runs)
from sheets.report_layout import ReportSheet
from sheets.xlsx_style import NUMBER_FORMATS, dropdown, dropdown_ref, has_print_setup, set_print_setup

HEADER_FONT = Font(bold=True)
PROGRAM_FILL = PatternFill("solid", fgColor="EEEEEE")


class WorkbookStore:
    """An .xlsx file with the same tabs as the Google Sheet."""

    def __init__(self, path: Path, layout: Layout):
        self.path = Path(path)
        self.layout = layout
        self.description = str(self.path)
        self._batch_book: Workbook | None = None

    def row_link(self, tab_title: str, row: int) -> str | None:
        return None   # a file on the office's machine: nothing a phone can open

    # -- reading ---------------------------------------------------------
    def read(self, tab_keys: Sequence[str]) -> dict[str, Table]:
        if not self.path.exists():
            raise StoreError(f"ไม่พบไฟล์ {self.path} — สร้างข้อมูลตัวอย่างด้วย 'python main.py demo' "
                             f"หรือวางแม่แบบด้วย 'python main.py init-sheet' (workbook not found)")
        # calamine (Rust) reads .xlsx about ten times faster than openpyxl; openpyxl still writes.
        try:
            book = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # a damaged or non-xlsx file: many exception kinds
            raise StoreError(f"เปิดไฟล์ {self.path} ไม่ได้: {exc} (cannot open workbook)") from exc
        try:
            return {key: self._read_tab(book, key) for key in tab_keys}
        finally:
            book.close()

    def _read_tab(self, book: CalamineWorkbook, key: str) -> Table:
        title = self.layout.title(key)
        if title not in book.sheet_names:
            return Table(title, [], [], exists=False)
        # Keep leading empty rows so that list index + 1 is the sheet's row number.
        rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
        if not rows:
            return Table(title, [], [])
        header = [normalize_header(h) for h in clean_row(rows[0])]
        return Table(title, header, [clean_row(r) for r in rows[1:]])

    # -- writing ---------------------------------------------------------
    @contextmanager
    def _locked_book(self) -> Iterator[Workbook]:
        """Load under a lock, let the caller change it, then replace the file atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_suffix(self.path.suffix + ".lock")
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            book = openpyxl.load_workbook(self.path) if self.path.exists() else _new_book()
            try:
                yield book
            finally:
                # Saved even after an error: rows already appended (a sent alert's log) must stay.
                self._save(book)

    @contextmanager
    def _editing(self) -> Iterator[Workbook]:
        if self._batch_book is not None:
            yield self._batch_book
            return
        with self._locked_book() as book:
            yield book

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Several writes with one load and one save: a .xlsx is rewritten whole on each save."""
        if self._batch_book is not None:
            yield
            return
        with self._locked_book() as book:
            self._batch_book = book
            try:
                yield
            finally:
                self._batch_book = None

    def _save(self, book: Workbook) -> None:
        save_atomically(book, self.path)

    def append(self, tab_key: str, records: Sequence[Mapping[str, Any]]) -> None:
        if not records:
            return
        with self._editing() as book:
            self._append_to(book, tab_key, records)

    def _append_to(self, book: Workbook, tab_key: str, records: Sequence[Mapping[str, Any]]) -> None:
        sheet = self._sheet_with_headers(book, tab_key)
        keys = self.layout.column_keys(tab_key, [c.value for c in sheet[1]])
        date_formats = _date_formats(keys, tab_key)
        for record in records:
            sheet.append([cell_value(v) for v in ordered_row(keys, record)])
            # The row just appended; sheet[sheet.max_row] scans every cell twice (quadratic on an import).
            row = next(sheet.iter_rows(min_row=sheet._current_row, max_row=sheet._current_row,
                                       max_col=len(keys)))
            _keep_text(row)
            _show_dates(row, date_formats)

    def move_out(self, tab_key: str, rows: Sequence[int], expected: Sequence[Sequence[Any]],
                 record: Mapping[str, Any]) -> None:
        """Under the file's lock: the rows read again (by the reader `read` uses) and compared, then
        deleted (the lowest first) and the record appended, in one save that replaces the file."""
        if self._batch_book is not None:
            raise StoreError("move_out cannot run inside a batch: it compares the rows on disk")
        title = self.layout.title(tab_key)
        with self._locked_book() as book:
            changed = changed_rows(self.read([tab_key])[tab_key].rows, 2, rows, expected)
            if changed:
                raise moved_rows_error(title, changed)
            sheet = book[title]
            for first, last in reversed(row_runs(rows)):
                sheet.delete_rows(first, last - first + 1)
            self._append_to(book, tab_key, [record])

    def _sheet_with_headers(self, book: Workbook, tab_key: str) -> Worksheet:
        title = self.layout.title(tab_key)
        if title not in book.sheetnames:
            sheet = book.create_sheet(title)
            sheet.append(self.layout.headers(tab_key))
            _style_header(sheet, protect=TABS[tab_key].kind != "people")
            return sheet
        sheet = book[title]
        present = {header_key(c.value) for c in sheet[1] if c.value is not None}
        missing = [h for h in self.layout.headers(tab_key) if header_key(h) not in present]
        col = _last_header_column(sheet)
        for header in missing:  # new columns go after the last one: nothing typed moves
            col = _free_header_column(sheet, col + 1)
            sheet.cell(row=1, column=col, value=header).font = HEADER_FONT
        return sheet

    def rewrite(self, tab_key: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._editing() as book:
            sheet = _fresh_sheet(book, self.layout.title(tab_key))
            for row in rows:
                sheet.append([cell_value(v) for v in row])
            _style_header(sheet, protect=True)
            for col in range(1, (len(rows[0]) if rows else 0) + 1):
                sheet.column_dimensions[get_column_letter(col)].width = 18

    def init_template(self, templates: Sequence[TabTemplate]) -> list[str]:
        actions: list[str] = []
        with self._editing() as book:
            for tpl in templates:
                actions.extend(_apply_template(book, tpl))
        return actions

    def write_report(self, tab_key: str, report: ReportSheet) -> None:
        """The tab replaced (same position) by the formatted report: see render_report."""
        with self._editing() as book:
            sheet = _fresh_sheet(book, self.layout.title(tab_key))
            render_report(sheet, report)
            sheet.sheet_properties.tabColor = "999999"


def save_atomically(book: Workbook, path: Path) -> None:
    """Write a temporary file beside `path`, then replace it: a crash never leaves half a workbook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fresh_sheet(book: Workbook, title: str) -> Worksheet:
    """An empty sheet in place of a generated tab, at the same position."""
    index = book.sheetnames.index(title) if title in book.sheetnames else None
    if index is not None:
        book.remove(book[title])
    return book.create_sheet(title, index)


def _new_book() -> Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def _last_header_column(sheet: Worksheet) -> int:
    """The last column the header row uses, a merged header cell's whole width included (a cell
    a merge covers cannot take a value: a new column goes after the merge)."""
    last = 0
    for cell in sheet[1]:
        if cell.value is not None and str(cell.value).strip():
            last = cell.column
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= 1 <= merged.max_row and merged.min_col <= last < merged.max_col:
            last = merged.max_col
    return last


def _free_header_column(sheet: Worksheet, col: int) -> int:
    """`col`, or the first column after it whose header cell no merge covers."""
    while isinstance(sheet.cell(row=1, column=col), MergedCell):
        col += 1
    return col


def _keep_text(cells: Sequence[Any]) -> None:
    """Text stays text: openpyxl stores a string that starts with "=" as a formula, which a
    spreadsheet would evaluate (=WEBSERVICE(…), =HYPERLINK(…) typed in LINE). Mark such cells as
    strings, as the Google store's RAW input does."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"


def _date_formats(keys: Sequence[str | None], tab_key: str) -> dict[int, str]:
    """Column index -> the B.E. number format, for the tab's date and date-time columns."""
    kinds = {c.key: c.kind for c in TABS[tab_key].columns if c.kind in ("date", "datetime")}
    return {i: NUMBER_FORMATS[kinds[k]] for i, k in enumerate(keys) if k in kinds}


def _show_dates(cells: Sequence[Any], formats: Mapping[int, str]) -> None:
    """An appended date shows as the tab's other dates do, in B.E. (openpyxl would show it ISO, C.E.)."""
    for i, fmt in formats.items():
        if i < len(cells) and cells[i].value is not None:
            cells[i].number_format = fmt


def _style_header(sheet: Worksheet, protect: bool) -> None:
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        if protect:
            cell.fill = PROGRAM_FILL


def _apply_template(book: Workbook, tpl: TabTemplate) -> list[str]:
    actions: list[str] = []
    if tpl.title not in book.sheetnames:
        sheet = book.create_sheet(tpl.title)
        actions.append(f"สร้างแท็บ {tpl.title}")
    else:
        sheet = book[tpl.title]
    present: dict[str, int] = {}
    for cell in sheet[1]:
        if cell.value is not None:
            present.setdefault(header_key(cell.value), cell.column)  # the first of two alike
    col = _last_header_column(sheet)
    for header in tpl.headers:
        if header_key(header) not in present:
            col = _free_header_column(sheet, col + 1)
            sheet.cell(row=1, column=col, value=header)
            present[header_key(header)] = col
            actions.append(f"เพิ่มคอลัมน์ '{header}' ในแท็บ {tpl.title}")
    if sheet.freeze_panes != "A2":
        actions.append(f"ตรึงแถวหัวตารางแท็บ {tpl.title}")
    _style_header(sheet, protect=tpl.protect)
    existing = {str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    for header, values in tpl.dropdowns.items():
        column = present[header_key(header)]
        if dropdown_ref(column) in existing:
            continue
        sheet.add_data_validation(dropdown(values, column))
        actions.append(f"ใส่รายการเลือกคอลัมน์ '{header}' แท็บ {tpl.title}")
    for header, kind in tpl.formats.items():
        column = present[header_key(header)]
        fmt = NUMBER_FORMATS.get(kind)
        if fmt:
            # Formats only change how a value shows, never the value a person typed.
            # Only rows that exist: touching an empty row would make appends skip it.
            for row in range(2, sheet.max_row + 1):
                sheet.cell(row=row, column=column).number_format = fmt
        sheet.column_dimensions[get_column_letter(column)].width = 16 if kind != "text" else 22
    if tpl.protect and sheet.sheet_properties.tabColor is None:
        sheet.sheet_properties.tabColor = "999999"
    if not has_print_setup(sheet):
        set_print_setup(sheet)
        actions.append(f"ตั้งค่าการพิมพ์แท็บ {tpl.title} (A4 แนวนอน พอดีความกว้าง พิมพ์หัวตารางซ้ำทุกหน้า)")
    return actions



# -- the monthly report (sheets.report_layout) ----------------------------------------
def render_report(sheet: Any, report: Any) -> None:
    """Lay a ReportSheet into an empty worksheet (a normal or a write-only one): values,
    number formats, frozen header, auto filter, native column charts and A4 landscape print
    settings (fit to width, the header rows repeated on every page). Rows are written in
    order with their styles (what write-only sheets require, and the quickest either way)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment

    from sheets.report_layout import (CAPTION_RGB, HEADER_RGB, PATTERNS, TOTAL_RGB, place,
                                      sheet_widths)

    placement = place(report)
    # Column and row sizes first: a write-only sheet takes them only before its rows.
    for c, chars in enumerate(sheet_widths(report, max(placement.width, 1)), start=1):
        sheet.column_dimensions[get_column_letter(c)].width = chars
    header_fill = PatternFill("solid", fgColor=HEADER_RGB)
    total_fill = PatternFill("solid", fgColor=TOTAL_RGB)
    wrap = Alignment(wrap_text=True, horizontal="center", vertical="center")
    # Row index -> how to style it: ("title", n) / ("caption",) / ("header",) / ("data", table) /
    # ("total", table) / ("note",)
    roles: dict[int, tuple[Any, ...]] = {r: ("title", i) for i, r in enumerate(placement.title_rows)}
    roles.update({r: ("note",) for r in placement.note_rows})
    for p in placement.tables.values():
        if p.caption_row is not None:
            roles[p.caption_row] = ("caption",)
        roles[p.header_row] = ("header", p.table)
        for r in range(p.first_row, p.last_row + 1):
            roles[r] = ("data", p.table)
        if p.total_row is not None:
            roles[p.total_row] = ("total", p.table)

    def styled(value: Any, role: tuple[Any, ...], c: int) -> Any:
        cell = WriteOnlyCell(sheet, value=cell_value(value))
        kind = role[0]
        if kind == "title" and c == 0:
            cell.font = Font(bold=True, size=14 if role[1] == 0 else 11)
        elif kind == "caption" and c == 0:
            cell.font, cell.fill = Font(bold=True, size=12), PatternFill("solid", fgColor=CAPTION_RGB)
        elif kind == "note" and c == 0:
            cell.font = Font(italic=True)
        elif kind == "header":
            cell.font, cell.fill, cell.alignment = HEADER_FONT, header_fill, wrap
        elif kind in ("data", "total"):
            table = role[1]
            pattern = PATTERNS.get(table.formats[c]) if c < len(table.formats) else None
            if pattern:
                cell.number_format = pattern
            if kind == "total":
                cell.font, cell.fill = HEADER_FONT, total_fill
        return cell

    # What is written before the rows in the file (sheet properties, views): set it first.
    if placement.frozen_rows or placement.frozen_columns:
        sheet.freeze_panes = f"{get_column_letter(placement.frozen_columns + 1)}{placement.frozen_rows + 1}"
    if report.print_landscape:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    for r, row in enumerate(placement.rows):
        role = roles.get(r)
        if role is None:
            sheet.append([])
            continue
        if role[0] == "header":
            sheet.row_dimensions[r + 1].height = 48
        width = role[1].width if role[0] in ("header", "data", "total") else len(row)
        cells = [None if (i >= len(row) or row[i] is None or row[i] == "") and role[0] == "data"
                 else styled(row[i] if i < len(row) else None, role, i) for i in range(width)]
        sheet.append(cells)
    if placement.filter_table is not None:
        p = placement.tables[placement.filter_table]
        sheet.auto_filter.ref = (f"A{p.header_row + 1}:"
                                 f"{get_column_letter(p.table.width)}{max(p.last_row, p.header_row) + 1}")
    for cp in placement.charts:
        spec, p = cp.chart, placement.tables[cp.chart.table]
        if p.last_row < p.first_row:
            continue  # nothing to chart
        chart = BarChart()
        chart.type = "col"
        chart.title = spec.title
        chart.y_axis.title = spec.y_title
        chart.x_axis.title = spec.x_title or p.table.header[spec.category]
        # openpyxl 3.1 hides axes unless told otherwise (delete=True by default)
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        for column in spec.series:
            data = Reference(sheet, min_col=column + 1, min_row=p.header_row + 1, max_row=p.last_row + 1)
            chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=spec.category + 1, min_row=p.first_row + 1,
                                       max_row=p.last_row + 1))
        if spec.stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
        chart.legend.position = "b"
        chart.width, chart.height = cp.width_px / 37.8, cp.height_px / 37.8  # cm
        sheet.add_chart(chart, f"{get_column_letter(cp.anchor_column + 1)}{cp.anchor_row + 1}")
    if report.print_landscape:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        if placement.frozen_rows:
            sheet.print_title_rows = f"1:{placement.frozen_rows}"
        if placement.frozen_columns:
            sheet.print_title_cols = f"A:{get_column_letter(placement.frozen_columns)}"
        sheet.print_options.gridLines = True
        sheet.page_margins.left = sheet.page_margins.right = 0.4
