"""The Smart Data sheet's tabs and columns (spec: sheet-template.md).

Each column has a stable English key used in code and config.yaml and a Thai
header that people see. Columns are found by header, never by position.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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

STATUS_NORMAL = "ปกติ"
STATUS_BREACHED = "ผิดสัญญา"
STATUS_CLOSED = "ปิดสัญญา"
LOAN_STATUSES = (STATUS_NORMAL, STATUS_BREACHED, STATUS_CLOSED)

SOURCE_SHEET, SOURCE_LINE = "ชีต", "LINE"
POSITIONS = ("ประธาน", "เลขานุการ", "กรรมการการเงิน", "กรรมการ")

# Alert log words (Thai in the sheet, English kinds in code and JSON).
ALERT_KINDS = {"before_due": "ก่อนครบกำหนด", "due_today": "ครบกำหนดวันนี้",
               "overdue": "เกินกำหนด", "monthly_summary": "สรุปรายเดือน"}
ALERT_STATUSES = {"sent": "ส่งแล้ว", "failed": "ล้มเหลว", "no-line-account": "ไม่มีบัญชี LINE"}

C = Column

FUNDS = Tab("funds", "กองทุน", "people", (
    C("fund_id", "รหัสกองทุน", required=True),
    C("district", "อำเภอ", "choice", required=True),
    C("subdistrict", "ตำบล", required=True),
    C("village_no", "หมู่ที่", "int", required=True),
    C("village_name", "ชื่อหมู่บ้าน", required=True),
    C("budget_year", "ปีงบประมาณที่ได้รับ", "int"),
    C("capital", "เงินทุน (บาท)", "amount", required=True),
    C("bank_name", "ธนาคาร"),
    C("bank_account_no", "เลขที่บัญชี"),
    C("bank_balance", "ยอดเงินฝาก (บาท)", "amount"),
    C("bank_balance_date", "วันที่ยอดเงินฝาก", "date"),
    C("cash_on_hand", "เงินสดในมือ (บาท)", "amount"),
    C("committee_order_no", "เลขที่คำสั่งแต่งตั้งกรรมการ"),
    C("committee_order_date", "วันที่คำสั่งแต่งตั้งกรรมการ", "date"),
    C("committee_order_doc", "สำเนาคำสั่งแต่งตั้ง", "link"),
    C("bank_book_doc", "สำเนาสมุดบัญชี", "link"),
    C("financial_summary_doc", "แบบสรุปสถานะการเงิน", "link"),
    C("financial_summary_date", "วันที่สรุปสถานะการเงิน", "date"),
    C("households_total", "ครัวเรือนทั้งหมด", "int"),
    C("households_target", "ครัวเรือนเป้าหมาย", "int"),
    C("officer_id", "เจ้าหน้าที่ผู้รับผิดชอบ"),
    C("updated_at", "ปรับปรุงล่าสุด", "date"),
    C("note", "หมายเหตุ"),
))

LOANS = Tab("loans", "ลูกหนี้", "people", (
    C("contract_no", "เลขที่สัญญา", required=True),
    C("fund_id", "รหัสกองทุน", required=True),
    C("borrower_name", "ชื่อ-สกุลผู้ยืม", required=True),
    C("citizen_id", "เลขประจำตัวประชาชน", "citizen_id"),
    C("phone", "เบอร์โทรศัพท์"),
    C("round", "ยืมครั้งที่", "int"),
    C("occupation", "อาชีพที่ยืมไปลงทุน"),
    C("loan_date", "วันที่รับเงินยืม", "date", required=True),
    C("amount", "จำนวนเงินยืม (บาท)", "amount", required=True),
    C("due_date", "วันครบกำหนดชำระ", "date", required=True),
    C("status", "สถานะ", "choice", choices=LOAN_STATUSES),
    C("note", "หมายเหตุ"),
))

INSTALLMENTS = Tab("installments", "งวดชำระ", "people", (
    C("contract_no", "เลขที่สัญญา", required=True),
    C("seq", "งวดที่", "int", required=True),
    C("due_date", "วันครบกำหนด", "date", required=True),
    C("amount", "จำนวนเงิน (บาท)", "amount", required=True),
))

PAYMENTS = Tab("payments", "รับชำระ", "people", (
    C("contract_no", "เลขที่สัญญา", required=True),
    C("paid_date", "วันที่ชำระ", "date", required=True),
    C("amount", "จำนวนเงิน (บาท)", "amount", required=True),
    C("receipt_no", "เลขที่ใบรับเงิน"),
    C("recorded_by", "ผู้บันทึก"),
    C("source", "ช่องทาง", "choice", choices=(SOURCE_SHEET, SOURCE_LINE)),
    C("recorded_at", "เวลาบันทึก", "datetime"),
    C("ref", "รหัสอ้างอิง"),
    C("note", "หมายเหตุ"),
))

COMMITTEE = Tab("committee", "กรรมการ", "people", (
    C("fund_id", "รหัสกองทุน", required=True),
    C("name", "ชื่อ-สกุล", required=True),
    C("position", "ตำแหน่ง", "choice", choices=POSITIONS),
    C("term_start", "วันเริ่มวาระ", "date"),
    C("term_end", "วันสิ้นสุดวาระ", "date"),
    C("phone", "เบอร์โทรศัพท์"),
))

OFFICERS = Tab("officers", "เจ้าหน้าที่", "people", (
    C("officer_id", "รหัสเจ้าหน้าที่", required=True),
    C("name", "ชื่อ-สกุล", required=True),
    C("district", "อำเภอ", "choice", required=True),
    C("role", "บทบาท", "choice", required=True, choices=ROLES),
    C("register_code", "รหัสลงทะเบียน"),
    C("active", "ใช้งาน", "yesno", choices=(YES, NO)),
))

LINE_LINKS = Tab("line_links", "บัญชี LINE", "program", (
    C("linked_at", "เวลาผูกบัญชี", "datetime"),
    C("officer_id", "รหัสเจ้าหน้าที่", required=True),
    C("line_user_id", "LINE user ID", required=True),
    C("display_name", "ชื่อใน LINE"),
))

ALERT_LOG = Tab("alert_log", "บันทึกการแจ้งเตือน", "program", (
    C("run_date", "วันที่รอบ", "date", required=True),
    C("sent_at", "เวลาส่ง", "datetime"),
    C("officer_id", "รหัสเจ้าหน้าที่", required=True),
    C("contract_no", "เลขที่สัญญา"),
    C("seq", "งวดที่", "int"),
    C("kind", "ประเภท", "choice", required=True, choices=tuple(ALERT_KINDS.values())),
    C("days", "จำนวนวัน", "int"),
    C("amount", "จำนวนเงิน (บาท)", "amount"),
    C("retry_key", "retry key"),
    C("status", "สถานะ", "choice", required=True, choices=tuple(ALERT_STATUSES.values())),
    C("detail", "รายละเอียด"),
))

FEEDBACK = Tab("feedback", "ข้อเสนอแนะ", "program", (
    C("received_at", "เวลารับ", "datetime"),
    C("officer_id", "รหัสเจ้าหน้าที่"),
    C("text", "ข้อความ", required=True),
))

QUALITY = Tab("quality", "ตรวจสอบข้อมูล", "generated")
REPORT = Tab("report", "รายงานประจำเดือน", "generated")

SNAPSHOTS = Tab("snapshots", "สรุปรายเดือน", "program", (
    C("month", "เดือน", required=True),
    C("made_at", "เวลาจัดทำ", "datetime"),
    C("district", "อำเภอ", required=True),
    C("funds", "กองทุน", "int"),
    C("loans_open", "สัญญาคงค้าง", "int"),
    C("outstanding", "ยอดคงค้าง (บาท)", "amount"),
    C("arrears", "ยอดค้างชำระ (บาท)", "amount"),
    C("overdue_loans", "สัญญาค้างชำระ", "int"),
    C("par30", "PAR30"),
    C("bank_balance", "เงินฝาก (บาท)", "amount"),
    C("cash_on_hand", "เงินสด (บาท)", "amount"),
    C("collected_in_month", "รับชำระในเดือน (บาท)", "amount"),
    C("indicator_9_1", "ตัวชี้วัด 9.1"),
    C("as_of", "ข้อมูล ณ วันที่", "date"),
    C("due_in_month", "ยอดครบกำหนดในเดือน (บาท)", "amount"),
    C("repaid_fiscal_year", "ได้รับคืนรอบปีงบประมาณ (บาท)", "amount"),
))

TABS: dict[str, Tab] = {t.key: t for t in (
    FUNDS, LOANS, INSTALLMENTS, PAYMENTS, COMMITTEE, OFFICERS, LINE_LINKS,
    ALERT_LOG, FEEDBACK, QUALITY, REPORT, SNAPSHOTS)}

# Tabs a whole-data run reads (generated tabs are only ever written).
DATA_TABS: tuple[str, ...] = ("funds", "loans", "installments", "payments", "committee",
                              "officers", "line_links", "alert_log")


def normalize_header(text: object) -> str:
    """Headers match ignoring surrounding and doubled spaces."""
    return " ".join(str(text or "").split())
