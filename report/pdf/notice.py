"""Notice letters to overdue borrowers (หนังสือแจ้งเตือนการชำระเงินยืมคืน), one letter a page.

The layout of a Thai formal letter (ระเบียบงานสารบรรณ, simplified): ที่ … at the top left, the
sender (the village fund's committee) at the top right, the date in B.E., เรื่อง, เรียน, อ้างถึง,
the body (the contract, what is owed and since when, the unpaid installments, what to do and by
when), ขอแสดงความนับถือ, and the fund committee's chair to sign. Margins 3 cm left and 2 cm right,
body at 15 pt. Every figure is the ledger engine's (`sheets.notices`); the words of what to do are
config.yaml's notices.what_to_do and notices.final_text.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Sequence

from core.thai import date_th
from report.pdf.page import BODY, Column, Document, count, money, thai_date
from sheets.notices import Notice

LEFT, RIGHT = 30.0, 20.0   # mm
ORDINAL = {1: "ครั้งที่ 1", 2: "ครั้งที่ 2", 3: "ครั้งที่ 3"}
INDENT = "\u00a0" * 10     # the first line of a paragraph starts 2.5 cm in, as in Thai letters


def _fund_name(notice: Notice) -> str:
    fund = notice.fund
    number = f" หมู่ที่ {fund.village_no}" if fund.village_no else ""
    return f"บ้าน{fund.village_name.removeprefix('บ้าน')}{number}"


def notice_pdf(notices: Sequence[Notice], path: Path | str, *, office: str, province: str, texts: Any,
               made: dt.date) -> Path:
    """One letter per notice; `texts`: config.notices (what_to_do, final_text, final_from)."""
    doc = Document(office, "หนังสือแจ้งเตือนการชำระเงินยืมคืน", page_numbers=False, running_head=False,
                   made=made, left=LEFT, right=RIGHT)
    for notice in notices:
        _letter(doc, notice, province, texts)
    if not notices:
        doc.add_page()
        doc.paragraph("ไม่มีผู้ยืมที่ต้องออกหนังสือแจ้งเตือน", BODY)
    return doc.save(path)


def _letter(doc: Document, notice: Notice, province: str, texts: Any) -> None:
    fund, loan, state = notice.fund, notice.loan, notice.state
    committee = f"คณะกรรมการกองทุน กข.คจ. {_fund_name(notice)}"
    doc.add_page(orientation="P")
    doc.set_y(16)
    top = doc.get_y()
    doc.font(BODY)
    doc.text_cell(80, 7, f"ที่ {notice.letter_no}")
    sender = ["คณะกรรมการกองทุน กข.คจ.", _fund_name(notice), f"ตำบล{fund.subdistrict} อำเภอ{fund.district}",
              f"จังหวัด{province}"]
    for n, line in enumerate(sender):
        doc.set_xy(120, top + n * 7)
        doc.text_cell(doc.w - doc.r_margin - 120, 7, line)
    doc.set_xy(105, top + len(sender) * 7 + 3)
    doc.text_cell(80, 7, thai_date(notice.issued), next_line=True)
    doc.ln(2)
    ordinal = ORDINAL.get(notice.notice_no, f"ครั้งที่ {notice.notice_no}")
    doc.paragraph(f"เรื่อง  แจ้งเตือนการชำระเงินยืมคืน ({ordinal})", BODY, align="L", after=1)
    doc.paragraph(f"เรียน  {loan.borrower_name}", BODY, align="L", after=1)
    loan_date = f" ลงวันที่ {thai_date(loan.loan_date)}" if loan.loan_date else ""
    doc.paragraph(f"อ้างถึง  สัญญายืมเงินเลขที่ {loan.contract_no}{loan_date}", BODY, align="L", after=2)

    due = f" กำหนดชำระคืนให้เสร็จสิ้นภายในวันที่ {thai_date(loan.due_date)}" if loan.due_date else ""
    doc.paragraph(f"{INDENT}ตามที่ท่านได้ยืมเงินทุนโครงการแก้ไขปัญหาความยากจน (กข.คจ.) ของกองทุน{_fund_name(notice)} "
                  f"ตามสัญญาที่อ้างถึง จำนวนเงิน {money(state.amount)} บาท{due} นั้น", BODY, align="L", after=1)
    oldest = state.oldest_unpaid
    since = f" นับจากงวดที่ครบกำหนดวันที่ {thai_date(oldest.due_date)}" if oldest else ""
    doc.paragraph(f"{INDENT}บัดนี้ ณ วันที่ {thai_date(notice.issued)} ท่านยังค้างชำระเงินยืมคืนรวม "
                  f"{money(state.arrears)} บาท เกินกำหนดมาแล้ว {count(state.days_overdue)} วัน{since} "
                  f"โดยมียอดเงินยืมคงค้างทั้งสิ้น {money(state.outstanding)} บาท รายละเอียดงวดที่ค้างชำระดังนี้",
                  BODY, align="L", after=1)
    columns = (Column("งวดที่", 20, "C"), Column("วันครบกำหนด", 45, "C"), Column("จำนวนเงินงวด (บาท)", 45),
               Column("ยังค้างชำระ (บาท)", 45))
    doc.grid(columns, [(str(i.seq), date_th(i.due_date), money(i.amount), money(i.remaining)) for i in notice.unpaid],
              total=("", "รวม", "", money(state.arrears)), size=14, row_height=6.8)
    if notice.previous is not None:
        doc.paragraph(f"{INDENT}คณะกรรมการได้มีหนังสือแจ้งเตือนครั้งที่ {notice.previous.notice_no} "
                      f"ลงวันที่ {thai_date(notice.previous.issued_date)} ถึงท่านแล้ว แต่ยังไม่ได้รับการชำระ",
                      BODY, align="L", after=1)
    doc.paragraph(f"{INDENT}คณะกรรมการจึงขอแจ้งให้ท่านชำระเงินที่ค้างจำนวน {money(state.arrears)} บาท "
                  f"ภายในวันที่ {thai_date(notice.pay_by)} {texts.what_to_do}", BODY, align="L", after=1)
    if notice.notice_no >= texts.final_from:
        doc.paragraph(f"{INDENT}{texts.final_text.format(n=notice.notice_no)}", BODY, align="L", after=1)
    doc.paragraph(f"{INDENT}จึงเรียนมาเพื่อโปรดทราบและดำเนินการ", BODY, align="L", after=4)
    doc.new_page_if_needed(40)
    x = 95.0
    width = doc.w - doc.r_margin - x
    doc.set_x(x)
    doc.text_cell(width, 7, "ขอแสดงความนับถือ", align="C", next_line=True)
    doc.ln(10)
    chair = notice.chair
    for line in (f"({chair.name})" if chair else "(" + "." * 40 + ")", f"ประธาน{committee}"):
        doc.set_x(x)
        lines = doc.lines_of(width, line)
        for part in lines:
            doc.set_x(x)
            doc.text_cell(width, 7, part, align="C", next_line=True)
    phone = f" โทร. {chair.phone}" if chair and chair.phone else ""
    # Who to contact sits at the foot of the page, as a letter's sender line does (not a new page).
    doc.set_auto_page_break(False)
    doc.set_y(max(doc.get_y() + 2, doc.h - 26))
    doc.paragraph(f"{committee}{phone} · ติดต่อสอบถาม: เจ้าหน้าที่พัฒนาชุมชนอำเภอ{fund.district}", 14, align="L",
                  after=0)
    doc.set_auto_page_break(True, margin=doc.b_margin)


__all__ = ["notice_pdf"]
