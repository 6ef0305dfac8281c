"""Collection sheets (ใบติดตามการรับชำระเงินยืมคืน): one fund per page, to take to the village.

Each borrower with something to pay by the month's end (`sheets.collection`, from the ledger
engine): contract and installment, what is carried over and what falls due in the month, and
empty columns for the amount received, the receipt number and the payer's signature; the fund's
totals; lines for the collector and the committee to sign. Nothing is computed here.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping, Sequence

from core.thai import date_th, month_th
from report.pdf.page import BODY, Column, Document, Signature, count, money, thai_date
from sheets.collection import CollectionLine, CollectionList
from sheets.records import Fund

COLUMNS = (Column("ที่", 8, "C"), Column("เลขที่สัญญา", 42, "L"), Column("ชื่อ-สกุลผู้ยืม", 39, "L"),
           Column("งวด / วันครบกำหนด", 44, "L"), Column("ยอดคงค้าง (บาท)", 22),
           Column("ค้างชำระ ยกมา (บาท)", 21), Column("ครบกำหนด ในเดือน (บาท)", 22),
           Column("รวม ต้องชำระ (บาท)", 22), Column("จำนวน เงินที่รับ (บาท)", 20, "C"),
           Column("เลขที่ ใบรับเงิน", 18, "C"), Column("ลายมือ ชื่อผู้ชำระ", 19, "C"))
ROW_HEIGHT = 10.0   # room to write a figure and sign by hand
SIGNERS = (Signature("ผู้รับเงิน", "", "กรรมการการเงิน"), Signature("ผู้ตรวจ", "", "ประธานคณะกรรมการกองทุน"))


def _installments(line: CollectionLine) -> str:
    parts = [f"งวดที่ {i.seq} ({date_th(i.due_date)})" for i in line.due_in_month]
    if line.days_overdue > 0 and line.oldest_due is not None:
        parts.insert(0, f"ค้างตั้งแต่ {date_th(line.oldest_due)} ({count(line.days_overdue)} วัน)")
    if line.breached:
        parts.append("ผิดสัญญา")
    return " · ".join(parts) or "-"


def fund_words(fund: Fund | None, fund_id: str) -> str:
    if fund is None:
        return f"กองทุน {fund_id}"
    number = f" หมู่ที่ {fund.village_no}" if fund.village_no else ""
    return (f"กองทุน กข.คจ. บ้าน{fund.village_name.removeprefix('บ้าน')}{number} ตำบล{fund.subdistrict} "
            f"อำเภอ{fund.district} (รหัส {fund_id})")


def collection_pdf(lists: Sequence[CollectionList], funds: Mapping[str, Fund], path: Path | str, *,
                   office: str, province: str, made: dt.date) -> Path:
    """One page (or more) per fund, in the order given; returns the path."""
    first = lists[0] if lists else None
    month = month_th(first.year, first.month) if first else ""
    doc = Document(office, f"ใบติดตามการรับชำระเงินยืมคืน เดือน {month}", made=made)
    doc.alias_nb_pages()
    for sheet in lists:
        doc.add_page(orientation="L")
        doc.heading(f"ใบติดตามการรับชำระเงินยืมคืน เดือน {month_th(sheet.year, sheet.month)}", after=0)
        doc.paragraph(f"{fund_words(funds.get(sheet.fund_id), sheet.fund_id)} จังหวัด{province}", BODY, after=0)
        doc.paragraph(f"ยอด ณ วันที่ {thai_date(sheet.as_of)} (รับชำระหลังวันนี้ยังไม่นับ) · "
                      f"ต้องติดตาม {count(len(sheet.lines))} ราย จากสัญญาคงค้าง {count(sheet.open_contracts)} สัญญา",
                      14, align="L", after=2)
        rows = [(str(n), line.loan.contract_no, line.loan.borrower_name, _installments(line), money(line.outstanding),
                 money(line.carried), money(line.in_month), money(line.total), "", "", "")
                for n, line in enumerate(sheet.lines, start=1)]
        total = ("", "รวม", f"{count(len(sheet.lines))} ราย", "", money(sheet.outstanding), money(sheet.carried),
                 money(sheet.in_month), money(sheet.total), "", "", "")
        doc.grid(COLUMNS, rows, total=total, min_height=ROW_HEIGHT)
        if not sheet.lines:
            doc.paragraph("ไม่มีผู้ยืมที่ต้องชำระในเดือนนี้", BODY)
        if sheet.not_due:
            doc.paragraph(f"สัญญาคงค้างที่ยังไม่มียอดต้องชำระในเดือนนี้ {count(sheet.not_due)} สัญญา (ไม่ได้แสดงในตาราง)",
                          14, align="L")
        doc.new_page_if_needed(40)
        doc.paragraph("วันที่รับเงิน ........................................", 14, align="L", after=0)
        doc.signatures(SIGNERS, 14)
    if not lists:
        doc.add_page(orientation="L")
        doc.paragraph("ไม่พบกองทุนที่ขอ", BODY)
    return doc.save(path)


__all__ = ["collection_pdf", "fund_words"]
