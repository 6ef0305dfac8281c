"""The Smart Data sheet's tabs and columns (spec: sheet-template.md).

Each column has a stable English key used in code and config.yaml and a Thai
header that people see. Columns are found by header, never by position.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from core.thai import normalize_text

# What a column holds; drives validation, init-sheet formats and dropdowns.
Kind = Literal["text", "int", "amount", "date", "datetime", "choice", "link", "yesno", "citizen_id"]
TabKind = Literal["people", "program", "generated"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind = "text"
    required: bool = False       # the column must exist in the tab
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    kind: TabKind
    columns: tuple[Column, ...] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.key}.{key}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)


DISTRICT_ROLE = "อำเภอ"
PROVINCE_ROLE = "จังหวัด"
ADMIN_ROLE = "ผู้ดูแลระบบ"
ROLES = (DISTRICT_ROLE, PROVINCE_ROLE, ADMIN_ROLE)
YES, NO = "ใช่", "ไม่"
# The province-wide total row of every report (and the scope of provincial staff).
PROVINCE_TOTAL = "รวม"

STATUS_NORMAL = "ปกติ"
STATUS_BREACHED = "ผิดสัญญา"
STATUS_CLOSED = "ปิดสัญญา"
LOAN_STATUSES = (STATUS_NORMAL, STATUS_BREACHED, STATUS_CLOSED)

SOURCE_SHEET, SOURCE_LINE = "ชีต", "LINE"
POSITIONS = ("ประธาน", "เลขานุการ", "กรรมการการเงิน", "กรรมการ")

# Alert log words (Thai in the sheet, English kinds in code and JSON).
ALERT_KINDS = {"before_due": "ก่อนครบกำหนด", "due_today": "ครบกำหนดวันนี้",
               "overdue": "เกินกำหนด", "monthly_summary": "สรุปรายเดือน",
               "run_blocked": "แจ้งผู้ดูแลระบบ"}
# "pending" (รอส่ง) is written ahead of a push with its retry key; the push's answer appends the outcome.
ALERT_STATUSES = {"sent": "ส่งแล้ว", "failed": "ล้มเหลว", "no-line-account": "ไม่มีบัญชี LINE",
                  "pending": "รอส่ง"}

# The alert log's row that says where its older rows went (reminders/archive.py): not an alert, and
# never moved itself. Its officer column holds the program's own name.
MOVED_KIND, MOVED_STATUS, MOVED_OFFICER = "ย้ายแถวเก่าออก", "ย้ายแล้ว", "ระบบ"

_col = Column  # short, for the table below

FUNDS = Tab("funds", "กองทุน", "people", (
    _col("fund_id", "รหัสกองทุน", required=True),
    _col("district", "อำเภอ", "choice", required=True),
    _col("subdistrict", "ตำบล", required=True),
    _col("village_no", "หมู่ที่", "int", required=True),
    _col("village_name", "ชื่อหมู่บ้าน", required=True),
    _col("budget_year", "ปีงบประมาณที่ได้รับ", "int"),
    _col("capital", "เงินทุน (บาท)", "amount", required=True),
    _col("bank_name", "ธนาคาร"),
    _col("bank_account_no", "เลขที่บัญชี"),
    _col("bank_balance", "ยอดเงินฝาก (บาท)", "amount"),
    _col("bank_balance_date", "วันที่ยอดเงินฝาก", "date"),
    _col("cash_on_hand", "เงินสดในมือ (บาท)", "amount"),
    _col("committee_order_no", "เลขที่คำสั่งแต่งตั้งกรรมการ"),
    _col("committee_order_date", "วันที่คำสั่งแต่งตั้งกรรมการ", "date"),
    _col("committee_order_doc", "สำเนาคำสั่งแต่งตั้ง", "link"),
    _col("bank_book_doc", "สำเนาสมุดบัญชี", "link"),
    _col("financial_summary_doc", "แบบสรุปสถานะการเงิน", "link"),
    _col("financial_summary_date", "วันที่สรุปสถานะการเงิน", "date"),
    _col("households_total", "ครัวเรือนทั้งหมด", "int"),
    _col("households_target", "ครัวเรือนเป้าหมาย", "int"),
    _col("officer_id", "เจ้าหน้าที่ผู้รับผิดชอบ"),
    _col("updated_at", "ปรับปรุงล่าสุด", "date"),
    _col("note", "หมายเหตุ"),
))

LOANS = Tab("loans", "ลูกหนี้", "people", (
    _col("contract_no", "เลขที่สัญญา", required=True),
    _col("fund_id", "รหัสกองทุน", required=True),
    _col("borrower_name", "ชื่อ-สกุลผู้ยืม", required=True),
    _col("citizen_id", "เลขประจำตัวประชาชน", "citizen_id"),
    _col("phone", "เบอร์โทรศัพท์"),
    _col("round", "ยืมครั้งที่", "int"),
    _col("occupation", "อาชีพที่ยืมไปลงทุน"),
    _col("loan_date", "วันที่รับเงินยืม", "date", required=True),
    _col("amount", "จำนวนเงินยืม (บาท)", "amount", required=True),
    _col("due_date", "วันครบกำหนดชำระ", "date", required=True),
    _col("status", "สถานะ", "choice", choices=LOAN_STATUSES),
    _col("note", "หมายเหตุ"),
))

INSTALLMENTS = Tab("installments", "งวดชำระ", "people", (
    _col("contract_no", "เลขที่สัญญา", required=True),
    _col("seq", "งวดที่", "int", required=True),
    _col("due_date", "วันครบกำหนด", "date", required=True),
    _col("amount", "จำนวนเงิน (บาท)", "amount", required=True),
))

PAYMENTS = Tab("payments", "รับชำระ", "people", (
    _col("contract_no", "เลขที่สัญญา", required=True),
    _col("paid_date", "วันที่ชำระ", "date", required=True),
    _col("amount", "จำนวนเงิน (บาท)", "amount", required=True),
    _col("receipt_no", "เลขที่ใบรับเงิน"),
    _col("recorded_by", "ผู้บันทึก"),
    _col("source", "ช่องทาง", "choice", choices=(SOURCE_SHEET, SOURCE_LINE)),
    _col("recorded_at", "เวลาบันทึก", "datetime"),
    _col("ref", "รหัสอ้างอิง"),
    _col("note", "หมายเหตุ"),
))

COMMITTEE = Tab("committee", "กรรมการ", "people", (
    _col("fund_id", "รหัสกองทุน", required=True),
    _col("name", "ชื่อ-สกุล", required=True),
    _col("position", "ตำแหน่ง", "choice", choices=POSITIONS),
    _col("term_start", "วันเริ่มวาระ", "date"),
    _col("term_end", "วันสิ้นสุดวาระ", "date"),
    _col("phone", "เบอร์โทรศัพท์"),
))

OFFICERS = Tab("officers", "เจ้าหน้าที่", "people", (
    _col("officer_id", "รหัสเจ้าหน้าที่", required=True),
    _col("name", "ชื่อ-สกุล", required=True),
    _col("district", "อำเภอ", "choice", required=True),
    _col("role", "บทบาท", "choice", required=True, choices=ROLES),
    _col("register_code", "รหัสลงทะเบียน"),
    _col("active", "ใช้งาน", "yesno", choices=(YES, NO)),
))

LINE_LINKS = Tab("line_links", "บัญชี LINE", "program", (
    _col("linked_at", "เวลาผูกบัญชี", "datetime"),
    _col("officer_id", "รหัสเจ้าหน้าที่", required=True),
    _col("line_user_id", "LINE user ID", required=True),
    _col("display_name", "ชื่อใน LINE"),
))

ALERT_LOG = Tab("alert_log", "บันทึกการแจ้งเตือน", "program", (
    _col("run_date", "วันที่รอบ", "date", required=True),
    _col("sent_at", "เวลาส่ง", "datetime"),
    _col("officer_id", "รหัสเจ้าหน้าที่", required=True),
    _col("contract_no", "เลขที่สัญญา"),
    _col("seq", "งวดที่", "int"),
    _col("kind", "ประเภท", "choice", required=True, choices=(*ALERT_KINDS.values(), MOVED_KIND)),
    _col("days", "จำนวนวัน", "int"),
    _col("amount", "จำนวนเงิน (บาท)", "amount"),
    _col("retry_key", "retry key"),
    _col("status", "สถานะ", "choice", required=True, choices=(*ALERT_STATUSES.values(), MOVED_STATUS)),
    _col("detail", "รายละเอียด"),
))

FEEDBACK = Tab("feedback", "ข้อเสนอแนะ", "program", (
    _col("received_at", "เวลารับ", "datetime"),
    _col("officer_id", "รหัสเจ้าหน้าที่"),
    _col("text", "ข้อความ", required=True),
))

QUALITY = Tab("quality", "ตรวจสอบข้อมูล", "generated")
REPORT = Tab("report", "รายงานประจำเดือน", "generated")

SNAPSHOTS = Tab("snapshots", "สรุปรายเดือน", "program", (
    _col("month", "เดือน", required=True),
    _col("made_at", "เวลาจัดทำ", "datetime"),
    _col("district", "อำเภอ", required=True),
    _col("funds", "กองทุน", "int"),
    _col("loans_open", "สัญญาคงค้าง", "int"),
    _col("outstanding", "ยอดคงค้าง (บาท)", "amount"),
    _col("arrears", "ยอดค้างชำระ (บาท)", "amount"),
    _col("overdue_loans", "สัญญาค้างชำระ", "int"),
    _col("par30", "PAR30"),
    _col("bank_balance", "เงินฝาก (บาท)", "amount"),
    _col("cash_on_hand", "เงินสด (บาท)", "amount"),
    _col("collected_in_month", "รับชำระในเดือน (บาท)", "amount"),
    _col("indicator_9_1", "ตัวชี้วัด 9.1"),
    _col("as_of", "ข้อมูล ณ วันที่", "date"),
    _col("due_in_month", "ยอดครบกำหนดในเดือน (บาท)", "amount"),
    _col("repaid_fiscal_year", "ได้รับคืนรอบปีงบประมาณ (บาท)", "amount"),
))

# One row per notice letter issued (python main.py notices): how many a contract has had
# numbers the next one. Append-only, like the alert log.
NOTICES = Tab("notices", "หนังสือแจ้งเตือน", "program", (
    _col("issued_date", "วันที่ออกหนังสือ", "date", required=True),
    _col("contract_no", "เลขที่สัญญา", required=True),
    _col("notice_no", "ครั้งที่", "int", required=True),
    _col("letter_no", "เลขที่หนังสือ"),
    _col("fund_id", "รหัสกองทุน"),
    _col("borrower_name", "ชื่อ-สกุลผู้ยืม"),
    _col("days_overdue", "เกินกำหนด (วัน)", "int"),
    _col("arrears", "ยอดค้างชำระ (บาท)", "amount"),
    _col("issued_by", "ผู้ออกหนังสือ"),
    _col("issued_at", "เวลาบันทึก", "datetime"),
))

# The documents a fund sends the province (its document 4.1-4.2), as officers send them in LINE.
DOC_COMMITTEE_ORDER, DOC_BANK_BOOK, DOC_FINANCIAL_SUMMARY, DOC_OTHER = (
    "คำสั่งแต่งตั้ง", "สมุดบัญชี", "สรุปสถานะการเงิน", "อื่น ๆ")
DOCUMENT_KINDS = (DOC_COMMITTEE_ORDER, DOC_BANK_BOOK, DOC_FINANCIAL_SUMMARY, DOC_OTHER)

# One row per document sent in LINE (chat/documents.py); append-only, keyed by `ref` (the LINE
# message id). The link cells people type in กองทุน are never written: the check reads both.
DOCUMENTS = Tab("documents", "เอกสาร", "program", (
    _col("fund_id", "รหัสกองทุน", required=True),
    _col("document", "เอกสาร", "choice", required=True, choices=DOCUMENT_KINDS),
    _col("document_date", "วันที่เอกสาร", "date"),
    _col("link", "ลิงก์", "link", required=True),
    _col("sent_by", "ผู้ส่ง"),
    _col("sent_at", "เวลาส่ง", "datetime"),
    _col("ref", "รหัสอ้างอิง"),
    _col("bank_balance", "ยอดเงินในสมุดบัญชี (บาท)", "amount"),
    _col("bank_balance_date", "วันที่ของยอดเงิน", "date"),
))

TABS: dict[str, Tab] = {t.key: t for t in (
    FUNDS, LOANS, INSTALLMENTS, PAYMENTS, COMMITTEE, OFFICERS, LINE_LINKS,
    ALERT_LOG, FEEDBACK, QUALITY, REPORT, SNAPSHOTS, NOTICES, DOCUMENTS)}

# Tabs a whole-data run reads (generated tabs are only ever written).
DATA_TABS: tuple[str, ...] = ("funds", "loans", "installments", "payments", "committee",
                              "officers", "line_links", "alert_log", "documents")


def normalize_header(text: object) -> str:
    """A header as shown: surrounding and doubled spaces (and line breaks) folded."""
    return " ".join(str(text or "").split())


_UNIT = re.compile(r"[(\[（][^)\]）]*[)\]）]")


def header_key(text: object) -> str:
    """The key a header is matched on, tolerant of what people do to headers: line breaks and
    spaces anywhere (Thai has no spaces between words, so a line break is no word break), Thai
    digits, sara am typed as ํ + า, letter case, and a unit in brackets added, dropped or changed
    (จำนวนเงินยืม, จำนวนเงินยืม (บาท) and จำนวนเงินยืม(บ.) are one header). Only a key: headers are
    always written as the template (or config.yaml's rename) spells them."""
    key = _UNIT.sub(" ", normalize_text(str(text or "")))
    return "".join(key.split()).lower()


def column_letters(number: int) -> str:
    """A sheet's column letters, 1 -> A, 27 -> AA (gspread's rowcol_to_a1 without the row)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
