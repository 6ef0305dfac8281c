"""The store contract: the same behaviour from every store the program uses.

Each test runs on the .xlsx workbook, on the Google store as the jobs open it
(`GoogleStore.from_config`, google-auth credentials) and on the Google store as the LINE
webhook opens it (`GoogleStore.for_webhook`, a bare token), the last two over HTTP against
the Sheets fake."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from core.schema import TABS
from report.snapshots import parse_snapshots
from sheets.credentials import StaticToken
from sheets.google import GoogleStore
from sheets.model import load_dataset
from sheets.store import Layout, MissingColumnError, Store, TabTemplate
from sheets.workbook import WorkbookStore
from tests.conftest import SPREADSHEET_ID, WorkbookEditor, make_config
from tests.fakes.sheets_api import SheetsFake


@pytest.fixture
def webhook_store(sheets_fake: SheetsFake, layout: Layout) -> GoogleStore:
    """The Google store exactly as handlers.runtime builds it for the webhook."""
    config = make_config({"sheets.api_url": sheets_fake.url})
    return GoogleStore.for_webhook(SPREADSHEET_ID, config, layout, StaticToken("test-token"))


@pytest.fixture(params=["workbook", "google", "webhook"])
def store(request: pytest.FixtureRequest) -> Store:
    """Every store the program uses (this overrides conftest's two-store `store` for the contract)."""
    return request.getfixturevalue(f"{request.param}_store")


def schema_templates(layout: Layout) -> list[TabTemplate]:
    """Templates for every tab, straight from the schema."""
    templates = []
    for key, tab in TABS.items():
        dropdowns = {layout.header(key, c.key): c.choices for c in tab.columns if c.choices}
        formats = {layout.header(key, c.key): c.kind for c in tab.columns
                   if c.kind in ("date", "datetime", "amount", "int")}
        templates.append(TabTemplate(tab.title, tuple(layout.headers(key)), dropdowns, formats,
                                     protect=tab.kind != "people"))
    return templates


def is_day(value: Any, day: dt.date) -> bool:
    """A date as a backend writes it: a date cell (.xlsx) or ISO text (Google, RAW)."""
    if isinstance(value, dt.datetime):
        return value.date() == day
    return value == day.isoformat()


def column(rows: list[list[Any]], header: str, row: int) -> Any:
    """The cell under a header (by name) in a data row of raw tab rows; "" when blank."""
    index = rows[0].index(header)
    return rows[row][index] if index < len(rows[row]) else ""


def test_reading_missing_tabs_gives_empty_tables_marked_missing(store: Store) -> None:
    tables = store.read(["loans", "feedback"])
    for key, title in (("loans", "ลูกหนี้"), ("feedback", "ข้อเสนอแนะ")):
        assert tables[key].title == title
        assert (tables[key].header, tables[key].rows, tables[key].exists) == ([], [], False)


def test_append_creates_a_missing_program_tab_with_its_headers(store: Store, layout: Layout) -> None:
    store.append("feedback", [{"officer_id": "OF01", "text": "ขอรายงานรายเดือนเร็วขึ้น"}])

    table = store.read(["feedback"])["feedback"]
    assert table.exists
    assert table.header == layout.headers("feedback")
    assert table.rows == [[None, "OF01", "ขอรายงานรายเดือนเร็วขึ้น"]]


def test_append_finds_columns_by_header_when_a_person_reordered_and_inserted_columns(store: Store, sheet_editor: Any) -> None:
    header = ["วันที่ชำระ", "เลขที่สัญญา", "หมายเหตุเจ้าหน้าที่", "จำนวนเงิน (บาท)", "ช่องทาง",
              "เลขที่ใบรับเงิน", "ผู้บันทึก", "เวลาบันทึก", "รหัสอ้างอิง", "หมายเหตุ"]
    typed = ["15/01/2569", "0012", "โทรตามแล้ว", 500, "ชีต", "R-001"]
    sheet_editor.write_tab("รับชำระ", [header, typed])

    store.append("payments", [{"contract_no": "0012", "paid_date": dt.date(2026, 2, 1),
                               "amount": Decimal("1500.50"), "source": "LINE", "recorded_by": "OF01",
                               "ref": "line:abc"}])

    rows = sheet_editor.tab_rows("รับชำระ")
    assert rows[0] == header  # the person's order and extra column are kept
    assert rows[1] == typed
    assert column(rows, "เลขที่สัญญา", 2) == "0012"
    assert is_day(column(rows, "วันที่ชำระ", 2), dt.date(2026, 2, 1))
    assert column(rows, "จำนวนเงิน (บาท)", 2) == 1500.5
    assert column(rows, "ช่องทาง", 2) == "LINE"
    assert column(rows, "ผู้บันทึก", 2) == "OF01"
    assert column(rows, "รหัสอ้างอิง", 2) == "line:abc"
    assert column(rows, "หมายเหตุเจ้าหน้าที่", 2) == ""  # the person's own column stays theirs


def test_append_uses_a_header_renamed_in_config(store: Store, sheet_editor: Any) -> None:
    store.layout = Layout(make_config({"headers": {"payments": {"receipt_no": "เลขที่ใบเสร็จ"}}}))
    header = ["เลขที่สัญญา", "วันที่ชำระ", "จำนวนเงิน (บาท)", "เลขที่ใบเสร็จ", "ผู้บันทึก", "ช่องทาง",
              "เวลาบันทึก", "รหัสอ้างอิง", "หมายเหตุ"]
    sheet_editor.write_tab("รับชำระ", [header])

    store.append("payments", [{"contract_no": "C-1", "amount": 100, "receipt_no": "R-9"}])

    rows = sheet_editor.tab_rows("รับชำระ")
    assert rows[0] == header  # no default-named column added
    assert column(rows, "เลขที่ใบเสร็จ", 1) == "R-9"
    table = store.read(["payments"])["payments"]
    assert store.layout.positions("payments", table)["receipt_no"] == 3


def test_append_adds_a_missing_header_after_the_last_column(store: Store, sheet_editor: Any) -> None:
    header = ["เลขที่สัญญา", "วันที่ชำระ", "จำนวนเงิน (บาท)", "เลขที่ใบรับเงิน", "ผู้บันทึก", "ช่องทาง",
              "เวลาบันทึก", "หมายเหตุ"]
    sheet_editor.write_tab("รับชำระ", [header, ["C-1", "01/01/2569", 200]])

    store.append("payments", [{"contract_no": "C-2", "amount": 300, "ref": "line:1"}])

    rows = sheet_editor.tab_rows("รับชำระ")
    assert rows[0] == header + ["รหัสอ้างอิง"]
    assert rows[1] == ["C-1", "01/01/2569", 200]
    assert column(rows, "รหัสอ้างอิง", 2) == "line:1"


def test_append_never_changes_existing_rows(store: Store, layout: Layout, sheet_editor: Any) -> None:
    header = layout.headers("loans")
    typed = [
        header,
        ["0012", "230101-05", "นางสมใจ ดีงาม", "1-2345-67890-12-1", "0812345678", 1, "ค้าขาย",
         "15/01/2568", 20000, "15/01/2569", "", "ทวงแล้ว"],
        [],  # a blank row someone left
        ["0013", "230101-05", "นายสมชาย ใจดี", "", "", 2, "", "2568-02-01", 15000.5, "2569-02-01"],
    ]
    sheet_editor.write_tab("ลูกหนี้", typed)
    before = sheet_editor.tab_rows("ลูกหนี้")

    store.append("loans", [{"contract_no": "0014", "fund_id": "230101-05", "borrower_name": "นายใหม่",
                            "amount": 5000, "phone": "0899999999"},
                           {"contract_no": "0015", "fund_id": "230101-06", "borrower_name": "นางสอง"}])

    after = sheet_editor.tab_rows("ลูกหนี้")
    assert after[:len(before)] == before
    added = [i for i in range(len(before), len(after)) if after[i]]
    assert [column(after, "เลขที่สัญญา", i) for i in added] == ["0014", "0015"]
    assert [column(after, "ชื่อ-สกุลผู้ยืม", i) for i in added] == ["นายใหม่", "นางสอง"]
    assert column(after, "เบอร์โทรศัพท์", added[0]) == "0899999999"


def test_text_with_leading_zeros_survives_a_round_trip(store: Store) -> None:
    store.append("loans", [{"contract_no": "0012", "fund_id": "230101-05", "borrower_name": "ก",
                            "phone": "0812345678", "citizen_id": "0-1234-56789-01-2"}])
    store.append("funds", [{"fund_id": "230101-05", "bank_account_no": "0123-4-56789-0"}])

    tables = store.read(["loans", "funds"])
    loan = dict(zip(tables["loans"].header, tables["loans"].rows[0]))
    fund = dict(zip(tables["funds"].header, tables["funds"].rows[0]))
    assert loan["เลขที่สัญญา"] == "0012"
    assert loan["เบอร์โทรศัพท์"] == "0812345678"
    assert loan["เลขประจำตัวประชาชน"] == "0-1234-56789-01-2"
    assert fund["เลขที่บัญชี"] == "0123-4-56789-0"


def test_rewrite_replaces_a_generated_tab_whole(store: Store) -> None:
    store.rewrite("quality", [["แท็บ", "แถว", "ข้อความ"], ["ลูกหนี้", 5, "ไม่มีวันครบกำหนด"],
                              ["ลูกหนี้", 6, "จำนวนเงินอ่านไม่ได้"]])
    store.rewrite("quality", [["แท็บ", "แถว", "ข้อความ"], ["กองทุน", 2, "ยอดเงินฝากเก่าเกิน 90 วัน"]])

    table = store.read(["quality"])["quality"]
    assert table.header == ["แท็บ", "แถว", "ข้อความ"]
    assert table.rows == [["กองทุน", 2, "ยอดเงินฝากเก่าเกิน 90 วัน"]]


def test_init_template_on_an_empty_store_creates_every_tab_and_a_rerun_adds_nothing(store: Store, layout: Layout) -> None:
    templates = schema_templates(layout)

    actions = store.init_template(templates)

    assert f"สร้างแท็บ {TABS['loans'].title}" in actions
    tables = store.read(list(TABS))
    for key, table in tables.items():
        assert table.exists, key
        assert table.header == layout.headers(key), key
        assert table.rows == []
    assert store.init_template(templates) == []


def test_init_template_on_a_tab_in_use_only_adds_the_missing_column_at_the_end(
        store: Store, layout: Layout, sheet_editor: Any) -> None:
    header = [h for h in layout.headers("loans") if h != "อาชีพที่ยืมไปลงทุน"] + ["ผู้ค้ำประกัน"]
    data = [["0012", "230101-05", "นางสมใจ", "", "0812345678", 1, "15/01/2568", 20000, "15/01/2569", "ปกติ",
             "", "นายค้ำ"],
            ["0013", "230101-05", "นายสมชาย", "", "", 2, "01/02/2568", 15000, "01/02/2569"]]
    sheet_editor.write_tab("ลูกหนี้", [header, *data])
    loans = next(t for t in schema_templates(layout) if t.title == "ลูกหนี้")

    actions = store.init_template([loans])

    assert "เพิ่มคอลัมน์ 'อาชีพที่ยืมไปลงทุน' ในแท็บ ลูกหนี้" in actions
    assert not any(a.startswith("สร้างแท็บ") for a in actions)
    rows = sheet_editor.tab_rows("ลูกหนี้")
    assert rows[0] == header + ["อาชีพที่ยืมไปลงทุน"]
    assert rows[1:] == [[v for v in r] for r in data]
    assert store.init_template([loans]) == []


def test_a_missing_required_column_names_the_tab_and_the_header(store: Store, layout: Layout, sheet_editor: Any) -> None:
    header = [h for h in layout.headers("loans") if h != "วันที่รับเงินยืม"]
    sheet_editor.write_tab("ลูกหนี้", [header, ["0012", "230101-05", "นางสมใจ"]])

    table = store.read(["loans"])["loans"]
    with pytest.raises(MissingColumnError) as caught:
        layout.positions("loans", table)
    assert (caught.value.tab_title, caught.value.header) == ("ลูกหนี้", "วันที่รับเงินยืม")
    assert "ลูกหนี้" in str(caught.value) and "วันที่รับเงินยืม" in str(caught.value)


def test_a_batch_groups_writes_and_keeps_them_all(store: Store) -> None:
    """Both backends take a batch; the workbook saves once at its end (nothing half-written before)."""
    with store.batch():
        store.append("feedback", [{"officer_id": "OF01", "text": "หนึ่ง"}])
        store.append("feedback", [{"officer_id": "OF02", "text": "สอง"}])
    rows = store.read(["feedback"])["feedback"].rows
    assert [r[1:] for r in rows] == [["OF01", "หนึ่ง"], ["OF02", "สอง"]]


def test_a_workbook_batch_writes_the_file_once_at_the_end(workbook_store: Any) -> None:
    before = workbook_store.path.stat().st_mtime_ns
    with workbook_store.batch():
        workbook_store.append("feedback", [{"officer_id": "OF01", "text": "หนึ่ง"}])
        assert workbook_store.path.stat().st_mtime_ns == before   # not saved yet
        workbook_store.append("feedback", [{"officer_id": "OF02", "text": "สอง"}])
    assert len(workbook_store.read(["feedback"])["feedback"].rows) == 2


# -- headers as people leave them (issue 9) ----------------------------------------------------
def merge_header_cells(store: Store, cells: str) -> None:
    """Merge header cells as a person does in the workbook (openpyxl merge_cells). Google's API
    answers a merged cell with the value in its first cell only, and the editor already typed the
    header so: nothing more to do there."""
    if isinstance(store, WorkbookStore):
        book = openpyxl.load_workbook(store.path)
        book["ลูกหนี้"].merge_cells(cells)
        book.save(store.path)


LOAN_ROW = ["0012", "230101-05", "นางสมใจ ดีงาม", "", "0812345678", 1, "ค้าขาย", "15/01/2568", 20000,
            "15/01/2569", "ปกติ", "ทวงแล้ว"]


@pytest.mark.parametrize("col_key, typed", [
    ("due_date", "วันครบกำหนด\nชำระ"),                  # a line break typed with Alt+Enter
    ("contract_no", "  เลขที่   สัญญา "),                 # repeated and surrounding spaces
    ("amount", "จำนวนเงินยืม"),                          # the unit dropped
    ("amount", "จำนวนเงินยืม (บ.)"),                     # the unit changed
    ("due_date", "วันครบกำหนดชำระ (วัน/เดือน/ปี)"),      # a note in brackets added
])
def test_a_header_as_people_leave_it_still_finds_its_column(store: Store, layout: Layout, sheet_editor: Any,
                                                            col_key: str, typed: str) -> None:
    header = layout.headers("loans")
    index = header.index(layout.header("loans", col_key))
    header[index] = typed
    sheet_editor.write_tab("ลูกหนี้", [header, LOAN_ROW])

    table = store.read(["loans"])["loans"]

    assert table.header[index] == " ".join(typed.split())   # shown as typed, spaces folded
    assert layout.positions("loans", table) == {c.key: i for i, c in enumerate(TABS["loans"].columns)}
    ds = load_dataset({"loans": table}, layout, dt.date(2026, 1, 20))
    assert ds.blocking == []
    loan = ds.loans["0012"]
    assert (loan.amount, loan.due_date) == (Decimal("20000.00"), dt.date(2026, 1, 15))


def test_a_header_in_a_merged_cell_still_finds_its_column(store: Store, layout: Layout, sheet_editor: Any) -> None:
    # วันครบกำหนดชำระ merged over its own column and a spacer column the person added after it.
    header = layout.headers("loans")
    due = header.index("วันครบกำหนดชำระ")
    header.insert(due + 1, "")
    row = LOAN_ROW[:due + 1] + [""] + LOAN_ROW[due + 1:]
    sheet_editor.write_tab("ลูกหนี้", [header, row])
    letter = get_column_letter(due + 1)
    merge_header_cells(store, f"{letter}1:{get_column_letter(due + 2)}1")

    table = store.read(["loans"])["loans"]

    assert layout.positions("loans", table)["due_date"] == due
    assert layout.positions("loans", table)["status"] == due + 2
    ds = load_dataset({"loans": table}, layout, dt.date(2026, 1, 20))
    assert ds.loans["0012"].due_date == dt.date(2026, 1, 15) and ds.loans["0012"].status_mark == "ปกติ"

    store.append("loans", [{"contract_no": "0013", "fund_id": "230101-05", "borrower_name": "นายสมชาย",
                            "due_date": dt.date(2026, 6, 1), "status": "ปกติ"}])
    rows = sheet_editor.tab_rows("ลูกหนี้")
    assert rows[0] == [h for h in header]           # no column added: every header was found
    assert is_day(rows[2][due], dt.date(2026, 6, 1)) and rows[2][due + 2] == "ปกติ"


def test_a_workbook_adds_a_missing_column_after_a_merged_last_header(workbook_store: WorkbookStore,
                                                                     layout: Layout) -> None:
    """A cell a merge covers cannot take a value (openpyxl refuses it): the new column goes after
    the merge. (Google's values API gives no merges to see; its fake has none.)"""
    header = [h for h in layout.headers("loans") if h != "หมายเหตุ"]
    editor = WorkbookEditor(workbook_store.path)
    editor.write_tab("ลูกหนี้", [header, LOAN_ROW[:-1]])
    last = get_column_letter(len(header))
    merge_header_cells(workbook_store, f"{last}1:{get_column_letter(len(header) + 1)}1")

    workbook_store.append("loans", [{"contract_no": "0013", "fund_id": "230101-05", "note": "ใหม่"}])

    rows = editor.tab_rows("ลูกหนี้")
    assert rows[0] == header + ["", "หมายเหตุ"]
    assert rows[2][len(header) + 1] == "ใหม่" and rows[2][0] == "0013"
    assert layout.positions("loans", workbook_store.read(["loans"])["loans"])["note"] == len(header) + 1


def test_append_and_init_template_take_a_header_as_people_leave_it(store: Store, layout: Layout,
                                                                   sheet_editor: Any) -> None:
    header = ["เลขที่\nสัญญา", "วันที่  ชำระ", "จำนวนเงิน", "เลขที่ใบรับเงิน", "ผู้บันทึก", "ช่องทาง",
              "เวลาบันทึก", "รหัสอ้างอิง", "หมายเหตุ"]
    sheet_editor.write_tab("รับชำระ", [header])

    store.append("payments", [{"contract_no": "C-1", "paid_date": dt.date(2026, 2, 1), "amount": 300,
                               "ref": "line:1"}])
    payments = next(t for t in schema_templates(layout) if t.title == "รับชำระ")
    actions = store.init_template([payments])

    rows = sheet_editor.tab_rows("รับชำระ")
    assert rows[0] == header                                  # nothing added beside them
    assert rows[1][0] == "C-1" and is_day(rows[1][1], dt.date(2026, 2, 1)) and rows[1][2] == 300
    assert rows[1][7] == "line:1"
    assert not any(a.startswith("เพิ่มคอลัมน์") for a in actions)


def test_a_header_renamed_in_config_is_matched_as_tolerantly(store: Store, sheet_editor: Any) -> None:
    layout = Layout(make_config({"headers": {"loans": {"due_date": "กำหนดส่งคืน"}}}))
    header = layout.headers("loans")
    header[header.index("กำหนดส่งคืน")] = "กำหนด\nส่งคืน (วัน/เดือน/ปี)"
    sheet_editor.write_tab("ลูกหนี้", [header, LOAN_ROW])

    table = store.read(["loans"])["loans"]

    assert layout.positions("loans", table)["due_date"] == 9
    with pytest.raises(MissingColumnError):   # the template's name is not the configured one
        Layout().positions("loans", table)


def test_snapshot_headers_with_thai_digits_are_read(store: Store, layout: Layout, sheet_editor: Any) -> None:
    header = [h.replace("9.1", "๙.๑").replace("30", "๓๐") for h in layout.headers("snapshots")]
    assert "ตัวชี้วัด ๙.๑" in header and "PAR๓๐" in header
    values = {"month": "2026-10", "district": "เมืองตราด", "funds": 2, "par30": 0.25, "indicator_9_1": 0.5}
    sheet_editor.write_tab("สรุปรายเดือน", [header, [values.get(c.key) for c in TABS["snapshots"].columns]])

    [snapshot] = parse_snapshots(store.read(["snapshots"])["snapshots"], layout)

    assert (snapshot.month, snapshot.district) == ("2026-10", "เมืองตราด")
    assert snapshot.figures["par30"] == 0.25 and snapshot.figures["indicator_9_1"] == 0.5
    assert snapshot.figures["funds"] == 2
