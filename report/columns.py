"""The report's columns: key, Thai header, format and part, for form 26(2), the aging table and 26(1).

Both the รายงานประจำเดือน tab and the meeting file lay out exactly these, and the JSON rows
use the same keys.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ledger.aging import LABEL_OVERDUE, LABEL_TOTAL, row_keys, row_labels


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    fmt: str   # text | int | amount | percent | date | delta_int | delta_amount | delta_points
    part: str  # 26(2) | arrears | quality | change | aging | fund


def district_columns() -> list[Col]:
    """Form 26(2) by district: the programme, the money, the month's collection and arrears, data
    quality, the change from the previous month. Arrears by age are the aging table's."""
    return [
        Col("district", "อำเภอ", "text", "26(2)"),
        Col("subdistricts", "จำนวนตำบล", "int", "26(2)"),
        Col("funds", "จำนวนหมู่บ้าน (กองทุน)", "int", "26(2)"),
        Col("households_total", "ครัวเรือนทั้งหมด", "int", "26(2)"),
        Col("households_target", "ครัวเรือนเป้าหมาย", "int", "26(2)"),
        Col("borrowers", "ครัวเรือนที่ได้รับยืม (คงค้าง)", "int", "26(2)"),
        Col("loans_open", "สัญญาคงค้าง", "int", "26(2)"),
        Col("outstanding", "ยอดเงินคงค้าง (บาท)", "amount", "26(2)"),
        Col("bank_balance", "เงินฝากธนาคาร (บาท)", "amount", "26(2)"),
        Col("cash_on_hand", "เงินสดในมือ (บาท)", "amount", "26(2)"),
        Col("total_money", "รวมเงินที่มี (บาท)", "amount", "26(2)"),
        Col("repaid_fiscal_year", "ได้รับคืนรอบปีงบประมาณ (บาท)", "amount", "26(2)"),
        Col("due_installments", "งวดครบกำหนดในเดือน", "int", "arrears"),
        Col("due_in_month", "ยอดครบกำหนดในเดือน (บาท)", "amount", "arrears"),
        Col("paid_of_due", "ชำระแล้วจากยอดครบกำหนด (บาท)", "amount", "arrears"),
        Col("collection_rate", "อัตราการเก็บ", "percent", "arrears"),
        Col("collected_in_month", "รับชำระในเดือน (บาท)", "amount", "arrears"),
        Col("arrears", "ยอดค้างชำระ (บาท)", "amount", "arrears"),
        Col("overdue_loans", "สัญญาค้างชำระ (รวมผิดสัญญา)", "int", "arrears"),
        Col("at_risk_outstanding", "ยอดคงค้างเสี่ยง PAR30 (บาท)", "amount", "arrears"),
        Col("par30", "PAR30", "percent", "arrears"),
        Col("funds_ok", "กองทุนผ่านตัวชี้วัด 9.1", "int", "quality"),
        Col("indicator_9_1", "ตัวชี้วัด 9.1", "percent", "quality"),
        Col("unreadable_rows", "แถวที่อ่านไม่ได้", "int", "quality"),
        Col("change_loans_open", "สัญญาคงค้าง เทียบเดือนก่อน", "delta_int", "change"),
        Col("change_outstanding", "ยอดคงค้าง เทียบเดือนก่อน (บาท)", "delta_amount", "change"),
        Col("change_arrears", "ยอดค้างชำระ เทียบเดือนก่อน (บาท)", "delta_amount", "change"),
        Col("change_overdue_loans", "สัญญาค้างชำระ เทียบเดือนก่อน", "delta_int", "change"),
        Col("change_par30", "PAR30 เทียบเดือนก่อน (จุด %)", "delta_points", "change"),
        Col("change_collected_in_month", "รับชำระในเดือน เทียบเดือนก่อน (บาท)", "delta_amount", "change"),
        Col("change_indicator_9_1", "ตัวชี้วัด 9.1 เทียบเดือนก่อน (จุด %)", "delta_points", "change"),
    ]


# The aging table's figures per row, with the spec's words: ค้างชำระ = arrears, คงค้าง = outstanding.
AGING_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("contracts", "สัญญา", "int"), ("arrears", "ค้างชำระ บาท", "amount"), ("outstanding", "คงค้าง บาท", "amount"))


def aging_columns(bucket_bounds: Sequence[int]) -> list[Col]:
    """The aging table by district (ledger.aging): every row's contracts, arrears and outstanding,
    then the overdue total (the buckets and ผิดสัญญา) and the total of open contracts."""
    rows = list(zip(row_keys(bucket_bounds), row_labels(bucket_bounds))) + [
        ("overdue", LABEL_OVERDUE), ("total", LABEL_TOTAL)]
    return [Col("district", "อำเภอ", "text", "aging")] + [
        Col(f"{key}_{figure}", f"{label} ({words})", fmt, "aging")
        for key, label in rows for figure, words, fmt in AGING_FIGURES]


FUND_COLUMNS: list[Col] = [
    Col("fund_id", "รหัสกองทุน", "text", "fund"),
    Col("district", "อำเภอ", "text", "fund"),
    Col("subdistrict", "ตำบล", "text", "fund"),
    Col("village_no", "หมู่ที่", "int", "fund"),
    Col("village_name", "หมู่บ้าน", "text", "fund"),
    Col("capital", "เงินทุน (บาท)", "amount", "fund"),
    Col("households_total", "ครัวเรือนทั้งหมด", "int", "fund"),
    Col("households_target", "ครัวเรือนเป้าหมาย", "int", "fund"),
    Col("borrowers", "ครัวเรือนที่ได้รับยืม (คงค้าง)", "int", "fund"),
    Col("loans_open", "สัญญาคงค้าง", "int", "fund"),
    Col("outstanding", "ยอดเงินคงค้าง (บาท)", "amount", "fund"),
    Col("bank_balance", "เงินฝากธนาคาร (บาท)", "amount", "fund"),
    Col("bank_balance_date", "ยอดเงินฝาก ณ วันที่", "date", "fund"),
    Col("cash_on_hand", "เงินสดในมือ (บาท)", "amount", "fund"),
    Col("total_money", "รวมเงินที่มี (บาท)", "amount", "fund"),
    Col("repaid_fiscal_year", "ได้รับคืนรอบปีงบประมาณ (บาท)", "amount", "fund"),
    Col("due_in_month", "ยอดครบกำหนดในเดือน (บาท)", "amount", "fund"),
    Col("paid_of_due", "ชำระแล้วจากยอดครบกำหนด (บาท)", "amount", "fund"),
    Col("collected_in_month", "รับชำระในเดือน (บาท)", "amount", "fund"),
    Col("arrears", "ยอดค้างชำระ (บาท)", "amount", "fund"),
    Col("overdue_loans", "สัญญาค้างชำระ (รวมผิดสัญญา)", "int", "fund"),
    Col("breached_loans", "ผิดสัญญา (สัญญา)", "int", "fund"),
    Col("at_risk_outstanding", "ยอดคงค้างเสี่ยง PAR30 (บาท)", "amount", "fund"),
    Col("par30", "PAR30", "percent", "fund"),
    Col("passes_9_1", "ผ่านตัวชี้วัด 9.1", "text", "fund"),
]


__all__ = ["AGING_FIGURES", "Col", "FUND_COLUMNS", "aging_columns", "district_columns"]
