"""Issue 11: sheets that print and read in B.E. The workbook's date cells carry a Thai-calendar
number format, every tab prints A4 landscape fit to width with its header on each page, the demo
is laid exactly as init-sheet lays a workbook, and on Google init-sheet sets the th_TH locale."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from core.schema import TABS
from sheets.demo import DemoScale, build_demo
from sheets.google import GoogleStore
from sheets.store import Layout
from sheets.template import templates
from sheets.workbook import WorkbookStore
from sheets.xlsx_style import BE_DATE, BE_DATETIME, NUMBER_FORMATS
from tests.conftest import SPREADSHEET_ID
from tests.fakes.sheets_api import SheetsFake

TODAY = dt.date(2026, 11, 26)
SMALL = DemoScale(funds=6, loans=40, officers_district=2, staff_province=1, name="เล็ก")
DATE_KINDS = {"date": BE_DATE, "datetime": BE_DATETIME}


def date_columns(key: str, layout: Layout) -> dict[str, str]:
    """Header -> the B.E. format its cells must carry, for a tab's date and date-time columns."""
    return {layout.header(key, c.key): DATE_KINDS[c.kind] for c in TABS[key].columns if c.kind in DATE_KINDS}


def test_the_be_format_shows_the_buddhist_year_and_keeps_the_date() -> None:
    # Locale tag [$-107041E]: calendar 07 (Thai Buddhist) of th-TH; the cell still holds the date.
    assert BE_DATE == "[$-107041E]dd/mm/yyyy" and BE_DATETIME.startswith(BE_DATE)
    assert NUMBER_FORMATS["date"] == BE_DATE and NUMBER_FORMATS["amount"] == "#,##0.00"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "smart-data.xlsx"
    build_demo(path, TODAY, seed=7, scale=SMALL)
    return path


def test_every_date_cell_of_the_demo_carries_a_be_format(demo_path: Path) -> None:
    layout = Layout()
    book = openpyxl.load_workbook(demo_path)
    checked = 0
    for key, tab in TABS.items():
        if not tab.columns:
            continue
        sheet = book[tab.title]
        header = [c.value for c in sheet[1]]
        for name, fmt in date_columns(key, layout).items():
            col = header.index(name) + 1
            for row in range(2, sheet.max_row + 1):
                cell = sheet.cell(row=row, column=col)
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    assert cell.number_format == fmt, (tab.title, name, row)
                    checked += 1
    assert checked > 100   # loans, installments, payments, funds and the committee hold real dates


def test_the_demo_is_laid_as_init_sheet_lays_a_workbook(demo_path: Path, tmp_path: Path) -> None:
    layout = Layout()
    laid = tmp_path / "laid.xlsx"
    fresh = WorkbookStore(laid, layout)
    fresh.init_template(templates(layout))
    demo_book, laid_book = openpyxl.load_workbook(demo_path), openpyxl.load_workbook(laid)
    for tpl in templates(layout):
        demo, init = demo_book[tpl.title], laid_book[tpl.title]

        def rules(sheet: openpyxl.worksheet.worksheet.Worksheet) -> set[tuple[str, str, str]]:
            return {(str(dv.sqref), dv.formula1, dv.errorStyle) for dv in sheet.data_validations.dataValidation}

        assert rules(demo) == rules(init), tpl.title                 # the same dropdowns
        assert len(rules(demo)) == len(tpl.dropdowns), tpl.title
        assert (demo.freeze_panes, init.freeze_panes) == ("A2", "A2")
        for a, b in zip(demo[1], init[1]):                           # headers: bold, grey on program tabs
            assert (a.value, a.font.bold, a.fill.fgColor.rgb) == (b.value, b.font.bold, b.fill.fgColor.rgb)
        assert demo.sheet_properties.tabColor == init.sheet_properties.tabColor   # program tabs marked
        for sheet in (demo, init):                                    # print: A4 landscape, fit width, header
            setup = sheet.page_setup
            assert (setup.orientation, str(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == \
                ("landscape", "9", 1, 0), tpl.title
            assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
    assert len(demo_book["ลูกหนี้"].data_validations.dataValidation) == 1   # สถานะ (the issue found 0)
    # init-sheet on the demo has nothing to add: same tabs, headers, dropdowns, formats, print set-up.
    assert WorkbookStore(demo_path, layout).init_template(templates(layout)) == []


def test_init_sheet_sets_the_print_set_up_once_and_appended_dates_show_in_be(workbook_store: WorkbookStore,
                                                                             layout: Layout) -> None:
    actions = workbook_store.init_template(templates(layout))
    assert "ตั้งค่าการพิมพ์แท็บ ลูกหนี้ (A4 แนวนอน พอดีความกว้าง พิมพ์หัวตารางซ้ำทุกหน้า)" in actions
    assert not any("ตั้งค่าการพิมพ์" in a for a in workbook_store.init_template(templates(layout)))
    workbook_store.append("alert_log", [{"run_date": TODAY, "sent_at": dt.datetime(2026, 11, 26, 8, 0),
                                         "officer_id": "OF-01", "kind": "เกินกำหนด", "status": "ส่งแล้ว"}])
    sheet = openpyxl.load_workbook(workbook_store.path)["บันทึกการแจ้งเตือน"]
    header = [c.value for c in sheet[1]]
    run_date, sent_at = (sheet.cell(row=2, column=header.index(h) + 1) for h in ("วันที่รอบ", "เวลาส่ง"))
    assert (run_date.number_format, sent_at.number_format) == (BE_DATE, BE_DATETIME)
    assert run_date.value.date() == TODAY                  # the value itself is the date, not text
    # And the program reads it back as that date.
    assert workbook_store.read(["alert_log"])["alert_log"].rows[0][0] in (TODAY, dt.datetime(2026, 11, 26))


def test_init_sheet_sets_the_google_spreadsheet_to_the_thai_locale_once(google_store: GoogleStore,
                                                                        sheets_fake: SheetsFake,
                                                                        layout: Layout) -> None:
    assert sheets_fake.spreadsheets[SPREADSHEET_ID].locale == "en_US"
    actions = google_store.init_template(templates(layout))
    assert actions[0] == "ตั้งภาษาและภูมิภาคของสเปรดชีตเป็นไทย (th_TH): วันที่แสดงเป็นปี พ.ศ. เช่น 15/01/2569"
    assert sheets_fake.spreadsheets[SPREADSHEET_ID].locale == "th_TH"
    update = next(r for r in sheets_fake.requests if r.kind == "spreadsheets.batchUpdate")
    assert update.status == 200   # the request was checked against the discovery document (teardown too)
    assert google_store.init_template(templates(layout)) == []
    # A date typed into the sheet now shows (and is read back) with its B.E. year.
    header = layout.headers("payments")
    row = [dt.date(2026, 1, 15) if h == "วันที่ชำระ" else ("C-1" if h == "เลขที่สัญญา" else "") for h in header]
    sheets_fake.set_rows(SPREADSHEET_ID, "รับชำระ", [header, row])   # the column formats init-sheet laid stay
    read = google_store.read(["payments"])["payments"]
    assert read.rows[0][header.index("วันที่ชำระ")] == "15/01/2569"


def test_the_demo_keeps_its_rows_and_has_the_notice_tab(demo_path: Path) -> None:
    # The laid-out demo is the same data: the scale decides the rows, the formats add none.
    book = openpyxl.load_workbook(demo_path, read_only=True)
    try:
        # Rows counted, not max_row: a workbook fresh from build_demo records no dimension, and
        # read-only openpyxl then says None (run without this module's earlier tests, it failed).
        assert sum(1 for _ in book["ลูกหนี้"].iter_rows()) == SMALL.loans + 1
        assert [c.value for c in next(book["หนังสือแจ้งเตือน"].iter_rows(max_row=1))] == Layout().headers("notices")
        assert sum(1 for _ in book["หนังสือแจ้งเตือน"].iter_rows()) == 1   # headers only: no letter issued yet
    finally:
        book.close()
