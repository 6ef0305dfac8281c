"""Issue 11: collection sheets. The tiny province by hand; on the demo the sheets' sums are the
ledger's (the fund's arrears on the month's last day, contract by contract against ledger.core);
the PDF holds every line and the fund's totals, one fund per page; the CLI and the chat's ใบติดตาม."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.config import Config
from ledger import ledger, ledger_options
from report.paper import PaperError, run_collection_sheets
from report.pdf.page import money
from sheets.book import book_of
from sheets.collection import collection_as_of, collection_file_name, collection_lists
from sheets.model import load_dataset
from sheets.store import Layout, Table
from sheets.workbook import WorkbookStore
from tests.chat_support import load_province, make_runtime, text_of
from tests.pdf_support import is_a4, read_pdf
from tests.sheetdata import TODAY, USER_OF01, as_tables, tiny_province, write_workbook

D = Decimal


def tiny(config: Config):
    ds = load_dataset(as_tables(tiny_province()), Layout(), TODAY)
    return ds, book_of(ds, ledger_options(config))


def test_the_tiny_province_by_hand(config: Config) -> None:
    ds, book = tiny(config)
    lists = collection_lists(book, book.at(TODAY), ["230101-01", "230102-03", "230301-02"], 2026, 11)
    f1 = lists["230101-01"]
    # F1-002: 4,000 due 26 Sep, 26 Oct, 26 Nov; paid 6,000: 2,000 carried from October, 4,000 due today.
    # F1-001 falls due on 3 Dec: open, nothing to pay in November.
    assert [(l.loan.contract_no, l.carried, l.in_month, l.total) for l in f1.lines] == [
        ("F1-002", D("2000.00"), D("4000.00"), D("6000.00"))]
    assert (f1.open_contracts, f1.not_due, f1.total) == (2, 1, D("6000.00"))
    assert [(i.seq, i.due_date, i.remaining) for i in f1.lines[0].due_in_month] == [
        (3, dt.date(2026, 11, 26), D("4000.00"))]
    assert f1.lines[0].days_overdue == 31 and f1.lines[0].oldest_due == dt.date(2026, 10, 26)
    f2 = lists["230102-03"]   # F2-001: 5,000 due 25 Nov, unpaid; F2-002 closed
    assert [(l.loan.contract_no, l.carried, l.in_month) for l in f2.lines] == [("F2-001", D("0.00"), D("5000.00"))]
    f3 = lists["230301-02"]   # F3-001 ผิดสัญญา: 20,000 due 31 Mar, 5,000 paid; F3-003 due in January
    assert [(l.loan.contract_no, l.carried, l.in_month, l.breached) for l in f3.lines] == [
        ("F3-001", D("15000.00"), D("0.00"), True)]
    assert (f3.open_contracts, f3.total, f3.outstanding) == (2, D("15000.00"), D("15000.00"))


def test_a_sheet_is_as_of_the_run_date_never_past_the_month() -> None:
    assert collection_as_of(2026, 11, dt.date(2026, 11, 5)) == dt.date(2026, 11, 5)
    assert collection_as_of(2026, 11, dt.date(2027, 1, 2)) == dt.date(2026, 11, 30)
    assert collection_as_of(2026, 12, dt.date(2026, 11, 28)) == dt.date(2026, 11, 28)   # next month's, early
    assert collection_file_name("230101-01", 2026, 11) == "collection-230101-01-2026-11.pdf"


@pytest.fixture(scope="module")
def demo():
    from sheets.demo import TRAT, demo_tables

    layout = Layout()
    tables = demo_tables(TODAY, 2569, TRAT)
    return load_dataset({k: Table(layout.title(k), v[0], v[1:]) for k, v in tables.items()}, layout, TODAY)


@pytest.mark.parametrize("year, month", [(2026, 10), (2026, 11), (2026, 12)])
def test_the_sums_are_the_ledgers(config: Config, demo, year: int, month: int) -> None:
    options = ledger_options(config)
    book = book_of(demo, options)
    funds = sorted(demo.funds)
    first = dt.date(year, month, 1)
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    # Made on the month's last day: what each fund must collect is its arrears that day, to the satang.
    at_end = collection_lists(book, book.at(last), funds, year, month)
    day = book.at(last)
    for fund_id in funds:
        where = [loan.fund_id == fund_id for loan in book.loans]
        assert at_end[fund_id].total == day.aging(where).total.arrears, fund_id
    # Contract by contract against ledger.core: made the day before the month, what is carried is
    # that day's arrears and the total is the arrears at the month's end if nothing more is paid.
    before = collection_lists(book, book.at(first - dt.timedelta(days=1)), funds, year, month)
    checked = 0
    for fund_id, sheet in before.items():
        for line in sheet.lines:
            loan = demo.loans[line.loan.contract_no]
            then = ledger(demo.contract(loan), first - dt.timedelta(days=1), **options)
            assert line.carried == then.arrears, loan.contract_no
            unpaid = demo.contract(loan)
            frozen = dataclasses.replace(unpaid, payments=tuple(p for p in unpaid.payments if p.paid_date < first))
            assert line.total == ledger(frozen, last, **options).arrears, loan.contract_no
            checked += 1
    assert checked > 100


@pytest.fixture
def tiny_book(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "smart-data.xlsx").path


def test_the_pdf_one_fund_per_page_with_every_line_and_the_ledgers_totals(config: Config, tmp_path: Path) -> None:
    from sheets.demo import DemoScale, build_demo

    path = tmp_path / "demo.xlsx"
    build_demo(path, TODAY, seed=3, scale=DemoScale(funds=14, loans=160, officers_district=7, staff_province=1))
    store = WorkbookStore(path, Layout(config))
    district = "เมืองตราด"
    run = run_collection_sheets(store, config, dt.date(2026, 11, 5), 2026, 11, district=district,
                                out=tmp_path / "sheets.pdf")
    assert run.file is not None and run.file.path == tmp_path / "sheets.pdf" and run.lists
    pdf = read_pdf(run.file.path)
    assert all(is_a4(size) for size in pdf.sizes) and min(r.size for r in pdf.runs) >= 12
    assert 16.0 in pdf.sizes_of("ใบติดตามการรับชำระเงินยืมคืน เดือน พฤศจิกายน 2569")   # the heading (12: the running head)
    assert min(pdf.sizes_of("ยอด ณ วันที่ 5 พฤศจิกายน 2569")) >= 14 and min(pdf.sizes_of("วันที่รับเงิน")) >= 14
    pages_of = []
    for sheet in run.lists:   # each fund starts a page of its own, in order
        pages = [n for n, text in enumerate(pdf.pages) if f"(รหัส{sheet.fund_id})" in text.replace(" ", "")]
        assert pages, sheet.fund_id
        pages_of.append(pages[0])
        page = "".join(pdf.pages[pages[0]:pages[0] + 2]).replace(" ", "").replace("\n", "")
        for line in sheet.lines:
            for needle in (line.loan.contract_no, line.loan.borrower_name, money(line.carried),
                           money(line.in_month), money(line.total)):
                assert needle.replace(" ", "") in page, (sheet.fund_id, needle)
        assert money(sheet.total) in page and f"{len(sheet.lines)}ราย" in page
    assert pages_of == sorted(set(pages_of)) and len(pages_of) == len(run.lists)
    # Made after the month: each fund's printed total is its arrears on the month's last day (the engine's).
    after = run_collection_sheets(store, config, dt.date(2026, 12, 2), 2026, 11, district=district,
                                  out=tmp_path / "after.pdf")
    printed = read_pdf(tmp_path / "after.pdf")
    ds = load_dataset(store.read(["funds", "loans", "installments", "payments"]), Layout(config), TODAY)
    book = book_of(ds, ledger_options(config))
    day = book.at(dt.date(2026, 11, 30))
    for sheet in after.lists:
        arrears = day.aging([loan.fund_id == sheet.fund_id for loan in book.loans]).total.arrears
        assert sheet.total == arrears, sheet.fund_id
        assert printed.holds(f"(รหัส {sheet.fund_id})", money(arrears)) == []


def test_the_cli_and_its_refusals(tiny_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    out = tmp_path / "f1.pdf"
    assert main(["collection-sheet", "--store", str(tiny_book), "--date", "2026-11-26", "--fund", "230101-01",
                 "--month", "2026-11", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["funds"][0]["total"] == 6000.0 and data["file"]["path"] == str(out) and out.exists()
    assert read_pdf(out).holds("F1-002", "2,000.00", "4,000.00", "6,000.00", "งวดที่ 3 (26 พ.ย. 2569)") == []
    assert main(["collection-sheet", "--store", str(tiny_book), "--fund", "999999-99"]) == 2
    assert "ไม่พบรหัสกองทุน 999999-99" in capsys.readouterr().err
    assert main(["collection-sheet", "--store", str(tiny_book), "--district", "ไม่มีอำเภอนี้"]) == 2
    with pytest.raises(PaperError):
        run_collection_sheets(WorkbookStore(tiny_book, Layout()), None, TODAY, 2026, 11)


def test_the_chat_says_what_to_collect_and_how_to_print_it(sheets_fake, line_fake) -> None:
    load_province(sheets_fake)
    conv = make_runtime(sheets_fake, line_fake).conversation
    text = text_of(conv.on_text(USER_OF01, "ใบติดตาม 230101-01", "01TESTCOLLECTION000000001"))
    assert "ต้องติดตาม 1 ราย รวมต้องชำระ 6,000 บาท" in text
    assert "ค้างชำระยกมา 2,000 บาท · ครบกำหนดในเดือน 4,000 บาท" in text
    assert "python main.py collection-sheet --fund 230101-01 --month 2026-11" in text
    drive = make_runtime(sheets_fake, line_fake, overrides={"report.drive_folder_id": "FOLDER123"}).conversation
    text = text_of(drive.on_text(USER_OF01, "ใบติดตาม 230101-01", "01TESTCOLLECTION000000002"))
    assert "https://drive.google.com/drive/folders/FOLDER123" in text
    assert "collection-230101-01-2026-11.pdf" in text and "python main.py" not in text
    # A fund outside the officer's district is not found (nothing about other districts).
    text = text_of(conv.on_text(USER_OF01, "ใบติดตาม 230301-02", "01TESTCOLLECTION000000003"))
    assert "ไม่พบกองทุน" in text and "15,000" not in text
