"""District workbooks in the shapes districts keep them, made with openpyxl for the import tests
(and for the example run in docs/import.md: `python -m tests.import_files DIR` writes them).

- `nongbua_register`: one village's register: title rows (merged), the header on row 4, B.E. dates
  as real date cells and as text, Thai digits, a payment pair, a totals row that adds up, a
  signature line under it.
- `khlongyai_register`: a two-row header (merged การยืม and การชำระคืน over ว/ด/ป | จำนวนเงิน),
  Thai month names, the register's own contract numbers, two payment pairs, a balance column,
  a totals row whose sum is wrong.
- `khaosaming_register`: a district's whole register on one sheet: no title, a note above the header,
  the place in columns (อ. | ต. | ม. | บ้าน), abbreviated headers, two-digit B.E. years in Thai
  digits, and a "วันที่" column no one can be sure of (the mapping-file round trip).
- `mueang_summary`: form 26(1) per village, "ณ วันที่" in the title, a totals row.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Sequence

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from sheets.readers import citizen_id_check_digit


def citizen_id(first12: str) -> str:
    return first12 + str(citizen_id_check_digit(first12))


SOMJAI_ID = citizen_id("310120000001")
MALEE_ID = citizen_id("310120000002")
BAD_ID = SOMJAI_ID[:12] + str((int(SOMJAI_ID[12]) + 1) % 10)  # the check digit does not hold
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_digits(text: str) -> str:
    return text.translate(THAI)


def _rows(sheet: Worksheet, start: int, rows: Sequence[Sequence[Any]]) -> None:
    for offset, values in enumerate(rows):
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(start + offset, col, value)


def nongbua_register(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ลูกหนี้ ม.5"
    sheet["A1"] = "ทะเบียนคุมลูกหนี้เงินยืม โครงการแก้ไขปัญหาความยากจน (กข.คจ.)"
    sheet.merge_cells("A1:J1")
    sheet["A2"] = "บ้านหนองบัว หมู่ที่ 5 ตำบลวังกระแจะ อำเภอเมืองตราด จังหวัดตราด"
    sheet.merge_cells("A2:J2")
    _rows(sheet, 4, [
        ["ลำดับ", "ชื่อ - สกุล", "เลขบัตร ปชช.", "วันที่ยืม", "จำนวนเงิน (บาท)", "วันครบกำหนด", "อาชีพ",
         "วันที่ชำระ", "จำนวนเงินที่ชำระ", "หมายเหตุ"],
        # in the sheet already, with its payment
        [1, "นางสมใจ ดีงาม", SOMJAI_ID, dt.date(2568, 1, 15), 15000, dt.date(2569, 1, 15), "ค้าขาย",
         "15/6/2568", "5,000", None],
        # in the sheet, but the sheet says 10,000: a difference, listed and not written
        [2, "นายสมชาย ใจดี", None, "1 ก.พ. 68", 12000, "1 ก.พ. 69", "ทำสวน", None, None, None],
        # new: Thai digits everywhere, a payment
        [3, "นางสาวมาลี ศรีสุข", thai_digits(MALEE_ID), "๑๐/๓/๒๕๖๘", "๘,๐๐๐", "๑๐/๓/๒๕๖๙", "เลี้ยงไก่",
         "๑๐/๙/๒๕๖๘", "๒,๐๐๐", "ผ่อนเดือนละครั้ง"],
        # new, with a citizen id whose check digit is wrong: imported without it
        [4, "นายดำ ขยัน", BAD_ID, "2025-04-01", 5000, "2026-04-01", "ประมง", None, None, None],
        # a date that is not in the calendar: the row cannot be imported
        [5, "นายแดง มั่นคง", None, "31/02/2568", 5000, "28/02/2569", "ค้าขาย", None, None, None],
        [None, "รวม", None, None, 45000, None, None, None, 7000, None],
        [],
        [None, "ลงชื่อ ........................ ผู้จัดทำ"],
    ])
    book.save(path)
    return path


def khlongyai_register(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "บัญชีคุม"
    sheet["A1"] = "บัญชีคุมลูกหนี้ กข.คจ."
    sheet.merge_cells("A1:K1")
    sheet["A2"] = "บ้านคลองใหญ่ ม.1 ต.คลองใหญ่ อ.คลองใหญ่"
    sheet.merge_cells("A2:K2")
    for col, text in zip("ABCK", ("ที่", "ชื่อ-สกุลผู้ยืม", "เลขที่สัญญา", "คงเหลือ")):
        sheet[f"{col}3"] = text
        sheet.merge_cells(f"{col}3:{col}4")
    sheet["D3"] = "การยืม"
    sheet.merge_cells("D3:F3")
    sheet["G3"] = "การชำระคืน"
    sheet.merge_cells("G3:J3")
    _rows(sheet, 4, [[None, None, None, "ว/ด/ป", "จำนวนเงิน", "กำหนดส่งคืน", "ว/ด/ป", "จำนวนเงิน", "ว/ด/ป",
                      "จำนวนเงิน"]])
    _rows(sheet, 5, [
        [1, "นายประยุทธ ทองดี", "คญ.1/2568", "5 มี.ค. 2568", "20,000 บาท", "5 มี.ค. 2570", "5 ก.ย. 68", "5,000",
         "5 มี.ค. 69", "5,000", 10000],
        [2, "นางวันดี มีสุข", "คญ.2/2568", "12 เมษายน 2568", "10,000", "12 เมษายน 2569", "12 ต.ค. 68", "2,500",
         "-", "-", 7000],  # the balance should be 7,500: a note, the sheet derives its own
        [3, "นายสมศักดิ์ รักดี", "คญ.3/2568", "1 พ.ค. 2568", "15,000", "1 พ.ค. 2570", None, None, None, None, 15000],
        [None, "รวมทั้งสิ้น", None, None, "46,000", None, None, "7,500", None, "5,000", 32000],
    ])
    book.save(path)
    return path


def khaosaming_register(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ทะเบียนรวม"
    sheet["A1"] = "หมายเหตุ: ข้อมูลจากสำนักงานพัฒนาชุมชนอำเภอเขาสมิง ปรับปรุงทุกเดือน"
    _rows(sheet, 3, [
        ["อ.", "ต.", "ม.", "บ้าน", "ชื่อ-สกุล", "วดป.ยืม", "จน.เงิน(บ.)", "ว.ครบ", "วันที่", "ชำระแล้ว", "โทร."],
        ["เขาสมิง", "สะตอ", "๓", "เนินดินแดง", "นายสมหมาย ใจงาม", "๑๕/๐๑/๖๘", "๑๒,๐๐๐", "๑๕/๐๑/๖๙", "๑๕/๐๗/๖๘", "๖,๐๐๐",
         "0812345678"],
        ["เขาสมิง", "สะตอ", "๓", "เนินดินแดง", "นางบุญมี ศรีงาม", "๒๐/๐๑/๖๘", "๘,๐๐๐", "๒๐/๐๑/๖๙", None, None, None],
        ["อ.เขาสมิง", "ต.ท่าโสม", "2", "ท่าโสม", "นายวิชัย คงดี", "1/2/68", "10000", "1/2/70", "1/8/68", "2000",
         "0898765432"],
        ["เขาสมิง", "ไม่มีจริง", "4", "ไม่รู้", "นายหลง ทาง", "1/3/68", "5000", "1/3/69", None, None, None],
    ])
    book.save(path)
    return path


def mueang_summary(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "26(1)"
    sheet["A1"] = "แบบ 26(1) รายงานผลการดำเนินงาน กข.คจ. อำเภอเมืองตราด จังหวัดตราด"
    sheet.merge_cells("A1:L1")
    sheet["A2"] = "ข้อมูล ณ วันที่ 30 กันยายน 2568"
    sheet.merge_cells("A2:L2")
    _rows(sheet, 3, [
        ["ลำดับ", "ตำบล", "หมู่ที่", "ชื่อหมู่บ้าน", "ครัวเรือนทั้งหมด", "ครัวเรือนเป้าหมาย", "ครัวเรือนที่ได้รับยืม",
         "เงินทุน", "ยอดเงินคงค้าง", "เงินฝากธนาคาร", "เงินสดในมือ", "รวมเงินที่มี"],
        [1, "วังกระแจะ", 5, "บ้านหนองบัว", 120, 35, 4, "285,000", 30000, "250,000.50", 4500, 284500.5],
        [2, "บางพระ", 2, "บ้านบางพระ", 98, 20, 0, "280,000", 0, 276000, 4000, 280000],
        [None, "รวม", None, None, 218, 55, 4, 565000, 30000, 526000.5, 8500, 564500.5],
    ])
    book.save(path)
    return path


ALL = {"register-nongbua.xlsx": nongbua_register, "register-khlongyai.xlsx": khlongyai_register,
       "register-khaosaming.xlsx": khaosaming_register, "26-1-mueang.xlsx": mueang_summary}


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in ALL.items():
        print(make(folder / name))
