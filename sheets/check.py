"""The data-quality check: complete, correct and current, fund by fund (indicator 9.1)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from core.thai import date_th, mask_id_runs
from sheets.model import LEVEL_TH, Dataset, Fund, Problem
from sheets.records import TYPED_DOCUMENTS, is_newer
from core.schema import FUNDS, PAYMENTS, TABS
from core.config import Config

if TYPE_CHECKING:  # numpy stays unimported until a check runs
    from sheets.book import SheetBook

# Google Sheets holds at most 10 million cells in a spreadsheet; the check warns from 70 % (at
# 80,000 loans the data is 3.6 million and the alert log adds about a million a month).
SHEET_CELL_LIMIT = 10_000_000
CAPACITY_WARNING = 0.7
# What a run needs of the alert log (reminders/archive.py keeps it when it moves the older rows out).
KEEP_IN_LOG = "แถวสามสัปดาห์ล่าสุดและแถวที่ยังต้องส่งต่อ"

# What a fund must have to be complete: the four documents of the province's
# method (4.1) and the fields its form asks for. Column key -> what it is.
REQUIRED_FOR_COMPLETE: dict[str, str] = {
    "bank_name": "ชื่อธนาคาร",
    "bank_account_no": "เลขที่บัญชี",
    "bank_balance": "ยอดเงินฝาก",
    "bank_balance_date": "วันที่ยอดเงินฝาก",
    "committee_order_no": "เลขที่คำสั่งแต่งตั้งกรรมการ",
    "committee_order_date": "วันที่คำสั่งแต่งตั้งกรรมการ",
    "committee_order_doc": "สำเนาคำสั่งแต่งตั้ง (เอกสาร 1)",
    "bank_book_doc": "สำเนาสมุดบัญชี (เอกสาร 2)",
    "financial_summary_doc": "แบบสรุปสถานะการเงิน (เอกสาร 4)",
    "financial_summary_date": "วันที่สรุปสถานะการเงิน",
    "updated_at": "วันที่ปรับปรุงล่าสุด",
}
DEBTOR_LIST = "รายชื่อลูกหนี้ในแท็บลูกหนี้ (เอกสาร 3)"


@dataclass
class FundQuality:
    fund_id: str
    district: str
    subdistrict: str
    village: str
    row: int
    missing: list[str] = field(default_factory=list)   # what makes it incomplete
    stale: list[str] = field(default_factory=list)     # what makes it not current
    errors: int = 0
    warnings: int = 0

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def correct(self) -> bool:
        return self.errors == 0

    @property
    def current(self) -> bool:
        return not self.stale

    @property
    def ok(self) -> bool:
        return self.complete and self.correct and self.current

    def as_dict(self) -> dict[str, Any]:
        return {"fund_id": self.fund_id, "district": self.district, "subdistrict": self.subdistrict,
                "village": self.village, "complete": self.complete, "correct": self.correct,
                "current": self.current, "ok": self.ok, "missing": self.missing, "stale": self.stale,
                "errors": self.errors, "warnings": self.warnings}


@dataclass
class QualityReport:
    today: dt.date
    funds: list[FundQuality]
    problems: list[Problem]       # every problem, the blocking ones first
    unreadable_rows: int
    blocking: list[Problem] = field(default_factory=list)  # required columns missing (Dataset.blocking)
    capacity: list[str] = field(default_factory=list)      # the spreadsheet filling up (capacity_lines)
    capacity_note: str = ""                                # the same for a phone (capacity_note)

    @property
    def funds_total(self) -> int:
        return len(self.funds)

    @property
    def funds_ok(self) -> int:
        return sum(f.ok for f in self.funds)

    @property
    def indicator_9_1(self) -> float:
        return self.funds_ok / self.funds_total if self.funds else 0.0

    def by_district(self) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[FundQuality]] = defaultdict(list)
        for fund in self.funds:
            groups[fund.district].append(fund)
        return {d: {"funds_total": len(fs), "funds_ok": sum(f.ok for f in fs),
                    "indicator_9_1": sum(f.ok for f in fs) / len(fs)}
                for d, fs in sorted(groups.items())}

    def worst_first(self) -> list[FundQuality]:
        return sorted(self.funds, key=lambda f: (f.ok, -f.errors, -(len(f.missing) + len(f.stale)),
                                                 -f.warnings, f.fund_id))

    def fund(self, fund_id: str) -> FundQuality | None:
        return next((f for f in self.funds if f.fund_id == fund_id), None)

    def as_json(self) -> dict[str, Any]:
        return masked({
            "date": self.today.isoformat(),
            "blocking": [p.as_dict() for p in self.blocking],
            "capacity": list(self.capacity),
            "funds_total": self.funds_total,
            "funds_ok": self.funds_ok,
            "indicator_9_1": round(self.indicator_9_1, 4),
            "districts": self.by_district(),
            "errors": sum(p.level == "error" for p in self.problems),
            "warnings": sum(p.level == "warning" for p in self.problems),
            "unreadable_rows": self.unreadable_rows,
            "funds": [f.as_dict() for f in self.worst_first()],
            "problems": [p.as_dict() for p in self.problems],
        })


def _age_days(day: dt.date | None, today: dt.date) -> int | None:
    return None if day is None else (today - day).days


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _fund_values(ds: Dataset, fund: Fund) -> dict[str, Any]:
    """What the check judges the fund by: its typed cells, with a document sent in LINE (a row of เอกสาร)
    counted as its link, and dated by its date when newer; the bank balance as Dataset.bank_balance decides."""
    values = {col: getattr(fund, col) for col in REQUIRED_FOR_COMPLETE}
    documents = ds.fund_documents(fund)
    for kind, link_col, date_col in TYPED_DOCUMENTS:
        found = documents.get(kind)
        if found is not None:
            values[link_col] = found.link
            if date_col == "financial_summary_date" and is_newer(found.date, values[date_col]):
                values[date_col] = found.date
    values["bank_balance"], values["bank_balance_date"] = ds.bank_balance(fund)
    return values


def _fund_quality(ds: Dataset, fund: Fund, has_loans: bool, quality_cfg: Any, today: dt.date) -> FundQuality:
    fq = FundQuality(fund.fund_id, fund.district, fund.subdistrict, fund.village_name, fund.row)
    values = _fund_values(ds, fund)
    for col, label in REQUIRED_FOR_COMPLETE.items():
        if values[col] in (None, ""):
            fq.missing.append(label)
    if not has_loans:
        fq.missing.append(DEBTOR_LIST)
    limits = (("bank_balance_date", quality_cfg.bank_max_age_days, "ยอดเงินฝาก"),
              ("financial_summary_date", quality_cfg.summary_max_age_days, "แบบสรุปสถานะการเงิน"),
              ("updated_at", quality_cfg.row_max_age_days, "ข้อมูลกองทุน"))
    for col, max_days, label in limits:
        age = _age_days(values[col], today)
        if age is not None and age > max_days:
            fq.stale.append(f"{label} ณ {date_th(values[col])} เก่ากว่า {max_days} วัน")
    if fund.committee_order_date is not None:
        lapse = _years_later(fund.committee_order_date, quality_cfg.committee_term_years)
        if lapse <= today:
            fq.stale.append(f"คำสั่งแต่งตั้งกรรมการหมดวาระ {quality_cfg.committee_term_years} ปี "
                            f"เมื่อ {date_th(lapse)}")
    return fq


def _overpayment_problems(ds: Dataset, book: SheetBook | None = None) -> list[Problem]:
    """Paid above the loan amount is an error (spec: ledger-and-alerts.md): every payment typed,
    whatever its date (one dated in the future is reported too, on its own).

    `book`: a book already made of this dataset's loans (`sheets.book.book_of(ds, ...)`, the
    report's or a chat scope's). Its loans are judged from it, and only the loans with a payment
    it does not hold (an unreadable due date, a fund not in กองทุน, another scope) from a book of
    their own: at 80,000 loans a second book of every loan with a payment cost ≈ 0.1 s of the
    check. What a loan paid does not depend on its schedule or the ledger's options, so both books
    give the same answer."""
    from sheets.book import book_of  # numpy: only when a check runs

    loans = [loan for loan in map(ds.loans.__getitem__, ds.payments) if loan.amount is not None]
    found: dict[str, tuple[Decimal, Decimal]] = {}   # contract -> (paid, overpaid), baht
    rest = loans
    if book is not None:
        balances = book.at(dt.date.max)
        for i in balances.overpaid_contracts():
            state = balances.state(i)
            found[state.contract_no] = (state.paid, state.overpaid)
        held = set(book.engine.keys)
        rest = [loan for loan in loans if loan.contract_no not in held]
    if rest:
        balances = book_of(ds, loans=rest, schedules=False).at(dt.date.max)
        for i in balances.overpaid_contracts():
            state = balances.state(i)
            found[state.contract_no] = (state.paid, state.overpaid)
    problems = []
    for loan in loans:   # in the order of รับชำระ's contracts, whichever book judged them
        if (figures := found.get(loan.contract_no)) is None:
            continue
        paid, overpaid = figures
        last = max(ds.payments[loan.contract_no], key=lambda p: (p.paid_date, p.row))
        problems.append(Problem(
            PAYMENTS.title, last.row, loan.contract_no, "amount", PAYMENTS.column("amount").header,
            "error", f"ชำระรวม {paid:,.2f} บาท เกินเงินยืม {loan.amount:,.2f} บาท "
                     f"(เกิน {overpaid:,.2f} บาท)", loan.fund_id if loan.fund_id in ds.funds else None))
    return problems


def run_check(ds: Dataset, config: Config, today: dt.date, book: SheetBook | None = None) -> QualityReport:
    """Every rule of sheet-template.md, summed up per fund. `book`: a book of this dataset's loans
    the caller has made already, which the overpayment rule then reuses (see `_overpayment_problems`)."""
    ds.require_whole("the data check")
    problems = list(ds.problems) + _overpayment_problems(ds, book)
    funds_with_loans = {loan.fund_id for loan in ds.loans.values()}
    by_fund = {f.fund_id: _fund_quality(ds, f, f.fund_id in funds_with_loans, config.quality, today)
               for f in ds.funds.values()}
    for problem in problems:
        fq = by_fund.get(problem.fund_id or "")
        if fq is None:
            continue
        if problem.level == "error":
            fq.errors += 1
        else:
            fq.warnings += 1
    for fq in by_fund.values():
        # Missing and stale items are problems too, so the tab lists them with their cell.
        for label in fq.missing + fq.stale:
            problems.append(Problem(FUNDS.title, fq.row, fq.fund_id, "", "", "warning",
                                    ("ขาด: " if label in fq.missing else "ไม่เป็นปัจจุบัน: ") + label,
                                    fq.fund_id))
    problems.sort(key=lambda p: (p.level != "error", p.tab, p.row or 0))
    # A missing column first: until it is fixed nothing else the check says can be trusted.
    return QualityReport(today, list(by_fund.values()), list(ds.blocking) + problems, len(ds.unreadable),
                         list(ds.blocking),
                         # A dataset that left a tab unread (the monthly report's) does not know how
                         # full the sheet is, and says nothing of it rather than too little.
                         [] if ds.unread else capacity_lines(ds.tab_cells, SHEET_CELL_LIMIT),
                         "" if ds.unread else capacity_note(ds.tab_cells, SHEET_CELL_LIMIT))


def capacity_lines(tab_cells: dict[str, int], limit: int = SHEET_CELL_LIMIT) -> list[str]:
    """What to say when the tabs read fill CAPACITY_WARNING of a spreadsheet's cells or more: when
    it is full Google refuses every append, and the alert log and LINE's repayments are appends."""
    found = _filling(tab_cells, limit)
    if found is None:
        return []
    used, biggest, advice = found
    return [f"สเปรดชีตใกล้เต็ม: ใช้ไปแล้วอย่างน้อย {used:,} จาก {limit:,} เซลล์ ({used / limit:.0%}) "
            f"เมื่อเต็ม Google จะไม่รับการบันทึกเพิ่ม ระบบจึงบันทึกการแจ้งเตือนและการรับชำระทาง LINE ไม่ได้ — "
            f"แท็บที่ใหญ่ที่สุด: " + ", ".join(f"{title} {cells:,} เซลล์" for title, cells in biggest)
            + f" — {advice} (วิธีทำใน docs/deploy.md)", ""]


def capacity_note(tab_cells: dict[str, int], limit: int = SHEET_CELL_LIMIT) -> str:
    """The same, short enough for a phone (a provincial officer's ตรวจสอบ in LINE)."""
    found = _filling(tab_cells, limit)
    if found is None:
        return ""
    used, _, advice = found
    return f"สเปรดชีตใกล้เต็ม ใช้ไปแล้ว {used / limit:.0%} ของที่ Google รับได้: {advice}"


def _filling(tab_cells: dict[str, int], limit: int) -> tuple[int, list[tuple[str, int]], str] | None:
    used = sum(tab_cells.values())
    if used < limit * CAPACITY_WARNING:
        return None
    biggest = sorted(tab_cells.items(), key=lambda item: -item[1])[:3]
    log_title = TABS["alert_log"].title
    advice = (f"ย้ายแถวเก่าของแท็บ{log_title}ไปเก็บในไฟล์อื่น โดยเก็บ{KEEP_IN_LOG}ไว้ "
              f"(คำสั่ง archive-log)"
              if any(title == log_title for title, _ in biggest) else "ย้ายข้อมูลเก่าไปเก็บในไฟล์อื่น")
    return used, biggest, advice


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def blocking_lines(report: QualityReport) -> list[str]:
    """The missing columns, one line each: what stops the program, said before anything else."""
    if not report.blocking:
        return []
    heading = (f"ต้องแก้ก่อน: ขาดคอลัมน์ที่จำเป็น {len(report.blocking)} คอลัมน์ "
               f"(จนกว่าจะแก้ ระบบส่งแจ้งเตือนไม่ได้ และตัวเลขด้านล่างยังไม่ครบ)")
    lines = [heading]
    lines += [f"  {p.message}" for p in report.blocking]
    return lines + [""]


def summary_text(report: QualityReport, limit: int = 15) -> str:
    """The readable Thai summary printed by `check`: the missing columns first, then worst funds first."""
    lines = blocking_lines(report) + report.capacity + [
             f"ตรวจสอบข้อมูล กข.คจ. ณ {date_th(report.today)}",
             f"ตัวชี้วัด 9.1: ข้อมูลครบถ้วน ถูกต้อง เป็นปัจจุบัน {report.funds_ok} จาก {report.funds_total} กองทุน "
             f"({percent(report.indicator_9_1)})", ""]
    lines.append("รายอำเภอ:")
    for district, d in report.by_district().items():
        lines.append(f"  อ.{district}: {d['funds_ok']}/{d['funds_total']} กองทุน ({percent(d['indicator_9_1'])})")
    errors = sum(p.level == "error" for p in report.problems)
    warnings = len(report.problems) - errors
    lines += ["", f"พบข้อผิดพลาด {errors} รายการ คำเตือน {warnings} รายการ"
                  + (f" แถวที่อ่านไม่ได้ {report.unreadable_rows} แถว" if report.unreadable_rows else "")]
    bad = [f for f in report.worst_first() if not f.ok]
    first_error: dict[str, Problem] = {}
    for p in report.problems:
        if p.level == "error" and p.fund_id:
            first_error.setdefault(p.fund_id, p)
    if bad:
        lines += ["", "กองทุนที่ต้องแก้ไข (เรียงจากมากไปน้อย):"]
        for f in bad[:limit]:
            flags = ["ไม่" + name for name, good in (("ครบถ้วน", f.complete), ("ถูกต้อง", f.correct),
                                                     ("เป็นปัจจุบัน", f.current)) if not good]
            detail = "; ".join(f.missing + f.stale)
            lines.append(f"  {f.fund_id} บ้าน{f.village.removeprefix('บ้าน')} อ.{f.district}: "
                         f"{', '.join(flags)}"
                         + (f" — ผิดพลาด {f.errors}" if f.errors else "")
                         + (f" — {detail}" if detail else ""))
            if f.fund_id in first_error:
                p = first_error[f.fund_id]
                more = f" (และอีก {f.errors - 1} รายการ)" if f.errors > 1 else ""
                lines.append(f"      แท็บ {p.tab} แถว {p.row} {p.header}: {p.message}{more}")
        if len(bad) > limit:
            lines.append(f"  และอีก {len(bad) - limit} กองทุน — ดูทั้งหมดในแท็บ ตรวจสอบข้อมูล")
    blocking = set(map(id, report.blocking))
    unattributed = [p for p in report.problems if p.level == "error" and not p.fund_id and id(p) not in blocking]
    if unattributed:
        lines += ["", "ข้อผิดพลาดที่ไม่ระบุกองทุน:"]
        for p in unattributed[:limit]:
            lines.append(f"  แท็บ {p.tab} แถว {p.row} {p.header}: {p.message}")
    return mask_id_runs("\n".join(lines))


def quality_tab_rows(report: QualityReport) -> list[list[Any]]:
    """The ตรวจสอบข้อมูล tab: indicator lines, one line per fund, then one line per problem."""
    yes = lambda flag: "ใช่" if flag else "ไม่"  # noqa: E731
    rows: list[list[Any]] = [[line] for line in blocking_lines(report) + report.capacity]
    rows += [
        ["ตัวชี้วัด 9.1", percent(report.indicator_9_1),
         f"{report.funds_ok} จาก {report.funds_total} กองทุน ครบถ้วน ถูกต้อง เป็นปัจจุบัน",
         f"ตรวจ ณ {date_th(report.today)}"],
    ]
    for district, d in report.by_district().items():
        rows.append([f"อ.{district}", percent(d["indicator_9_1"]), f"{d['funds_ok']} จาก {d['funds_total']} กองทุน"])
    rows.append([])
    rows.append(["รหัสกองทุน", "อำเภอ", "ตำบล", "หมู่บ้าน", "ครบถ้วน", "ถูกต้อง", "เป็นปัจจุบัน", "ผ่าน 9.1",
                 "ผิดพลาด", "คำเตือน", "สิ่งที่ขาด / ไม่เป็นปัจจุบัน"])
    for f in report.worst_first():
        rows.append([f.fund_id, f.district, f.subdistrict, f.village, yes(f.complete), yes(f.correct),
                     yes(f.current), yes(f.ok), f.errors, f.warnings, "; ".join(f.missing + f.stale)])
    rows.append([])
    rows.append(["แท็บ", "แถว", "รหัส", "คอลัมน์", "ระดับ", "ข้อความ", "กองทุน"])
    for p in report.problems:
        rows.append([p.tab, p.row, p.key, p.header or p.field, LEVEL_TH[p.level], p.message, p.fund_id or ""])
    return [[mask_id_runs(v) if type(v) is str else v for v in row] for row in rows]


def masked(value: Any) -> Any:
    """A JSON-ready value with every 13-digit run in its texts masked (a citizen id typed into any
    cell, a contract number or a village name, never leaves whole)."""
    if type(value) is str:
        return mask_id_runs(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value

