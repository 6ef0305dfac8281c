"""Issue 11: notice letters. Who gets one (overdue ≥ min days), numbered first / second / third by
the letters logged in หนังสือแจ้งเตือน, a rerun too soon issues nothing twice, --dry-run writes
nothing; the letter's layout and figures; the log appended on both backends."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.config import Config
from report.paper import PaperError, run_notices
from sheets.notices import parse_notices
from sheets.store import Layout, Store
from tests.conftest import make_config
from tests.pdf_support import is_a4, read_pdf
from tests.sheetdata import TODAY, tiny_province, write_workbook

NOW = dt.datetime(2026, 11, 26, 9, 30)


def province_with_chair() -> dict:
    data = tiny_province()
    data["committee"] = [
        {"fund_id": "230301-02", "name": "นายเก่า ประธาน", "position": "ประธาน", "term_start": dt.date(2018, 1, 1),
         "term_end": dt.date(2022, 1, 1)},
        {"fund_id": "230301-02", "name": "นายสมหมาย ใจงาม", "position": "ประธาน", "term_start": dt.date(2024, 3, 1),
         "phone": "0812345678"},
        {"fund_id": "230301-02", "name": "นางเลขา", "position": "เลขานุการ", "term_start": dt.date(2024, 3, 1)},
    ]
    return data


@pytest.fixture
def book(tmp_path: Path):
    return write_workbook(tmp_path / "smart-data.xlsx", province_with_chair())


def log_rows(store: Store) -> list:
    return parse_notices(store.read(["notices"])["notices"], Layout())


def test_first_second_and_third_notice_number_from_the_log(book, config: Config, tmp_path: Path) -> None:
    # เขาสมิง: F3-001 (ผิดสัญญา, 15,000 in arrears, 240 days overdue); F3-003 is not due yet.
    first = run_notices(book, config, TODAY, NOW, district="เขาสมิง", out=tmp_path / "1.pdf", issued_by="OF-03")
    assert [(n.loan.contract_no, n.notice_no, n.letter_no) for n in first.plan.notices] == [
        ("F3-001", 1, "กข.คจ. 230301-02/1")]
    assert first.logged == 1 and first.file is not None and first.file.path == tmp_path / "1.pdf"
    entries = log_rows(book)
    assert [(e.contract_no, e.notice_no, e.issued_date, e.issued_by) for e in entries] == [
        ("F3-001", 1, TODAY, "OF-03")]
    # The same day again: too soon for another letter (notices.min_gap_days), nothing logged.
    again = run_notices(book, config, TODAY, NOW, district="เขาสมิง", out=tmp_path / "x.pdf")
    assert again.plan.notices == [] and again.logged == 0 and len(log_rows(book)) == 1
    assert "ออกหนังสือแจ้งเตือนครั้งที่ 1 ไปแล้วเมื่อ 26 พ.ย. 2569" in again.plan.skipped[0].reason
    # Three weeks on: the second; three more: the third, with the final paragraph.
    second_day, third_day = TODAY + dt.timedelta(days=21), TODAY + dt.timedelta(days=42)
    second = run_notices(book, config, second_day, NOW, district="เขาสมิง", out=tmp_path / "2.pdf")
    third = run_notices(book, config, third_day, NOW, district="เขาสมิง", out=tmp_path / "3.pdf")
    assert [(n.notice_no, n.letter_no) for n in second.plan.notices] == [(2, "กข.คจ. 230301-02/2")]
    # The third falls in January 2570: the fund's running number starts again with the B.E. year.
    assert [(n.notice_no, n.letter_no) for n in third.plan.notices] == [(3, "กข.คจ. 230301-02/1")]
    assert [e.notice_no for e in log_rows(book)] == [1, 2, 3]
    letter = read_pdf(tmp_path / "3.pdf")
    assert letter.holds("เรื่อง แจ้งเตือนการชำระเงินยืมคืน (ครั้งที่ 3)", "คณะกรรมการได้มีหนังสือแจ้งเตือนครั้งที่ 2",
                        "หนังสือฉบับนี้ เป็นการแจ้งเตือนครั้งที่ 3") == []
    assert "เป็นการแจ้งเตือนครั้งที่" not in read_pdf(tmp_path / "2.pdf").text     # final text from the third on


def test_the_letter_layout_and_figures(book, config: Config, tmp_path: Path) -> None:
    run = run_notices(book, config, TODAY, NOW, district="เขาสมิง", out=tmp_path / "letter.pdf")
    notice = run.plan.notices[0]
    assert (notice.state.arrears, notice.state.days_overdue, notice.state.outstanding) == (
        Decimal("15000.00"), 240, Decimal("15000.00"))
    pdf = read_pdf(tmp_path / "letter.pdf")
    assert len(pdf.pages) == 1 and is_a4(pdf.sizes[0]) and pdf.sizes[0][0] < pdf.sizes[0][1]   # A4 portrait
    assert pdf.holds(
        "ที่ กข.คจ. 230301-02/1", "คณะกรรมการกองทุน กข.คจ.", "บ้านเขาสมิง หมู่ที่ 2", "26 พฤศจิกายน 2569",
        "เรื่อง แจ้งเตือนการชำระเงินยืมคืน (ครั้งที่ 1)", "เรียน นายห้า ทดสอบ",
        "สัญญายืมเงินเลขที่ F3-001", "จำนวนเงิน 20,000.00 บาท", "ค้างชำระเงินยืมคืนรวม 15,000.00 บาท",
        "เกินกำหนดมาแล้ว 240 วัน", "ยอดเงินยืมคงค้างทั้งสิ้น 15,000.00 บาท", "ภายในวันที่ 11 ธันวาคม 2569",
        "โดยนำเงินไปชำระคืน", "ขอแสดงความนับถือ", "(นายสมหมาย ใจงาม)", "โทร. 0812345678") == []
    assert "นายเก่า" not in pdf.text and "2026" not in pdf.text   # the current chair; B.E. dates only
    sizes = {r.size for r in pdf.runs}
    assert min(sizes) >= 14, sorted(sizes)   # a letter: body text throughout


def test_min_days_and_the_dry_run(book, config: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli import main

    # เมืองตราด: F1-002 is 31 days overdue, F2-001 one day.
    assert main(["notices", "--store", str(book.path), "--date", "2026-11-26", "--district", "อ.เมืองตราด",
                 "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [n["contract_no"] for n in data["notices"]] == ["F1-002"] and data["dry_run"] is True
    assert data["file"] is None and log_rows(book) == []                 # nothing written
    assert main(["notices", "--store", str(book.path), "--date", "2026-11-26", "--district", "เมืองตราด",
                 "--min-days", "1", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "จะออก 2 ฉบับ" in text and "F2-001" in text and "ไม่ได้ทำไฟล์" in text
    assert main(["notices", "--store", str(book.path), "--date", "2026-11-26", "--district", "เมืองตราด",
                 "--out", str(tmp_path / "m.pdf")]) == 0
    assert "บันทึกในแท็บ หนังสือแจ้งเตือน 1 แถว" in capsys.readouterr().out
    assert [e.contract_no for e in log_rows(book)] == ["F1-002"]
    assert main(["notices", "--store", str(book.path), "--district", "ไม่มี"]) == 2
    with pytest.raises(PaperError):
        run_notices(book, config, TODAY, NOW, district="ไม่มีอำเภอนี้")


def test_the_log_is_appended_on_google_too(google_store, sheets_fake, tmp_path: Path) -> None:
    from tests.test_report import seed_fake

    seed_fake(sheets_fake, province_with_chair())
    config = make_config()
    run = run_notices(google_store, config, TODAY, NOW, district="เขาสมิง", out=tmp_path / "g.pdf")
    assert run.logged == 1
    rows = sheets_fake.rows("test-spreadsheet", "หนังสือแจ้งเตือน")
    assert rows[0] == Layout().headers("notices") and rows[1][:3] == ["2026-11-26", "F3-001", 1]
    again = run_notices(google_store, config, TODAY + dt.timedelta(days=20), NOW, district="เขาสมิง",
                        out=tmp_path / "g2.pdf")
    assert [n.notice_no for n in again.plan.notices] == [2]
