"""The month's report, computed: pure functions over the Dataset, no I/O.

One row per district in the shape of form 26(2) (แบบ 26(2)) with the arrears view,
data quality and the change from the previous month; a province row ("รวม") that is
the sum of the districts; one row per fund in the shape of form 26(1).

Readings decided here (docs/report.md says the same for the people who read it):

- as_of: the month's last day, or the run date when the month has not ended yet
  (a report "so far"). The ledger is taken as of as_of: payments after it do not count.
- Money is summed in whole satang (int64): exact, and fast with pandas. Amounts are
  read as Decimal with 2 places, turned into satang at the edge and back into
  Decimal (2 places) at the other edge.
- The figures of each loan follow ledger-and-alerts.md exactly; `ledger.ledger` is
  the reference and the tests compare this vectorised reading with it loan by loan.
- Subdistricts (จำนวนตำบล): the subdistricts where the district HAS a fund (the
  programme's coverage), not the official count from the geography file.
- Households that received loans (ครัวเรือนที่ได้รับยืม): distinct borrowers with an
  open loan, per fund (the valid citizen id, else the name), summed.
- Total money (รวมเงินที่มี) = money in bank accounts + cash on hand, as typed in
  กองทุน (the latest figures typed, whatever their date).
- Repaid in the fiscal year: payments dated from 1 October of the Thai fiscal year
  that contains as_of, up to as_of.
- Due in the month: the installments with a due date in the month (up to as_of),
  their amount being what the ledger counts as falling due (capped at the loan).
  "Paid of it" is the part the payments so far cover (oldest installment first), and
  the collection rate is paid ÷ due. "Collected in the month" is the money received
  in the month, whatever it paid for (arrears, early payments).
- Days-overdue buckets hold the loans in arrears that are NOT marked ผิดสัญญา;
  breached loans have their own column (a loan is counted in exactly one of them).
  overdue_loans counts every loan with arrears (breached ones included).
- PAR30 = outstanding of loans more than 30 days overdue or breached ÷ outstanding,
  recomputed from sums for the province; the collection rate and indicator 9.1 too.
- Indicator 9.1 per district comes from the data check (`sheets.check.run_check`)
  as of as_of. Unreadable rows (counted, never dropped silently) are shown per
  district; rows that belong to no fund are a note below the table.
- Changes from the previous month come from the สรุปรายเดือน snapshots (the latest
  row per month and district); without a snapshot the change is blank.
- A loan whose loan date is after as_of is left out (it did not exist yet: a past
  month's report made later). A loan whose date cannot be read is kept.
- Every official district appears (zeros when it has no fund); a fund typed with an
  unknown district gets a row of its own under the name as typed, so nothing is lost
  from the province total.
"""
from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from core.geo import district_names
from core.thai import month_th
from ledger import bucket_labels
from ledger.aging import AgingTable, aging_table
from core.schema import PROVINCE_TOTAL, STATUS_BREACHED

PROVINCE = PROVINCE_TOTAL
NO_DISTRICT = "(ไม่ระบุอำเภอ)"
CENT = Decimal("0.01")


# -- dates ----------------------------------------------------------------------
def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month (29 Feb in a leap year)."""
    return dt.date(year, month, 1), dt.date(year, month, monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def default_month(today: dt.date) -> tuple[int, int]:
    """The month that has just ended."""
    return previous_month(today.year, today.month)


def parse_month(text: str) -> tuple[int, int]:
    """'2026-10' -> (2026, 10). A B.E. year (2569-10) is accepted too."""
    try:
        year_text, month_text = str(text).strip().split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise ValueError(f"เดือนต้องอยู่ในรูป YYYY-MM เช่น 2026-10: {text!r}") from None
    if year > 2400:
        year -= 543
    if not 1 <= month <= 12 or not 1900 < year < 2400:
        raise ValueError(f"เดือนต้องอยู่ในรูป YYYY-MM เช่น 2026-10: {text!r}")
    return year, month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def fiscal_year_start(day: dt.date) -> dt.date:
    """1 October of the Thai fiscal year that contains `day`."""
    return dt.date(day.year if day.month >= 10 else day.year - 1, 10, 1)


def fiscal_year_be(day: dt.date) -> int:
    """The B.E. fiscal year of a day: 1 Oct 2025 – 30 Sep 2026 is 2569."""
    return fiscal_year_start(day).year + 1 + 543


def report_as_of(year: int, month: int, run_date: dt.date | None) -> dt.date:
    """The month's last day, or the run date when the month is still running."""
    first, last = month_bounds(year, month)
    if run_date is None or run_date >= last:
        return last
    if run_date < first:
        raise ValueError(f"เดือน {month_th(year, month)} ยังไม่เริ่ม ณ วันที่ {run_date.isoformat()}")
    return run_date


# -- columns ----------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    key: str
    header: str
    fmt: str   # text | int | amount | percent | date | delta_int | delta_amount | delta_points
    part: str  # 26(2) | arrears | quality | change | fund


def bucket_key(label: str) -> str:
    """'1-30' -> '1_30', '90+' -> 'over_90'."""
    return "over_" + label[:-1] if label.endswith("+") else label.replace("-", "_")


def bucket_words(label: str) -> str:
    return f"เกิน {label[:-1]} วัน" if label.endswith("+") else label.replace("-", "–") + " วัน"


# The main figures whose change from the previous month is shown (and kept in snapshots).
CHANGE_KEYS: tuple[str, ...] = ("loans_open", "outstanding", "arrears", "overdue_loans", "par30",
                                "collected_in_month", "indicator_9_1")
RATIO_KEYS = {"par30", "collection_rate", "indicator_9_1"}


def district_columns(labels: Sequence[str]) -> list[Col]:
    cols = [
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
        Col("overdue_loans", "สัญญาค้างชำระ", "int", "arrears"),
    ]
    for label in labels:
        key, words = bucket_key(label), bucket_words(label)
        cols.append(Col(f"loans_{key}", f"ค้าง {words} (สัญญา)", "int", "arrears"))
        cols.append(Col(f"outstanding_{key}", f"ค้าง {words} (ยอดคงค้าง บาท)", "amount", "arrears"))
    cols += [
        Col("breached_loans", "ผิดสัญญา (สัญญา)", "int", "arrears"),
        Col("breached_outstanding", "ผิดสัญญา (ยอดคงค้าง บาท)", "amount", "arrears"),
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
    return cols


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
    Col("overdue_loans", "สัญญาค้างชำระ", "int", "fund"),
    Col("breached_loans", "ผิดสัญญา (สัญญา)", "int", "fund"),
    Col("at_risk_outstanding", "ยอดคงค้างเสี่ยง PAR30 (บาท)", "amount", "fund"),
    Col("par30", "PAR30", "percent", "fund"),
    Col("passes_9_1", "ผ่านตัวชี้วัด 9.1", "text", "fund"),
]

# Loan-level sums (satang or counts) that add up from loans to funds to districts.
_LOAN_SUMS = ("loans_open", "outstanding", "arrears", "overdue_loans", "at_risk_outstanding",
              "breached_loans", "breached_outstanding", "due_installments", "due_in_month",
              "paid_of_due", "collected_in_month", "repaid_fiscal_year")
_FUND_SUMS = ("households_total", "households_target", "bank_balance", "cash_on_hand", "capital")
_SATANG = {"outstanding", "arrears", "at_risk_outstanding", "breached_outstanding", "due_in_month",
           "paid_of_due", "collected_in_month", "repaid_fiscal_year", "bank_balance", "cash_on_hand",
           "capital", "total_money"}


def _satang(amount: Decimal | None) -> int:
    return 0 if amount is None else int(amount * 100)


def _satang_array(amounts: Sequence[Decimal | None]) -> np.ndarray:
    """Decimal baht (2 places, as read) -> int64 satang. Through float then rounded to the
    nearest satang: exact for any amount below 10^13 baht."""
    values = np.fromiter(map(float, amounts), dtype=np.float64, count=len(amounts))  # readable: never None
    return np.rint(values * 100).astype(np.int64)


def _ordinals(days: Sequence[dt.date]) -> np.ndarray:
    return np.fromiter(map(dt.date.toordinal, days), dtype=np.int64, count=len(days))


def _baht(satang: Any) -> Decimal:
    return (Decimal(int(satang)) / 100).quantize(CENT)


def _ratio(num: Any, den: Any) -> float | None:
    return None if not den else float(num) / float(den)


# -- the loans, vectorised ----------------------------------------------------------
def loan_frame(ds: Any, as_of: dt.date, month_start: dt.date, fy_start: dt.date,
               bucket_bounds: Sequence[int] = (30, 90), par_days: int = 30) -> pd.DataFrame:
    """One row per readable loan with its ledger figures as of as_of (money in satang).

    The same rules as `ledger.ledger` (the tests compare them loan by loan), in pandas so
    that 80,000 loans take well under a second.
    """
    # A loan made after as_of did not exist yet (a past month's report run later).
    loans = [l for l in ds.readable_loans() if l.loan_date is None or l.loan_date <= as_of]
    n = len(loans)
    amount = _satang_array([l.amount for l in loans])
    breached = np.fromiter(((l.status_mark or "").strip() == STATUS_BREACHED for l in loans), dtype=bool, count=n)

    # Installments (the loan's whole amount on its due date when it has none) and payments,
    # flattened in loan order: plain lists first, numpy arrays at the end (fast at 80,000 loans).
    inst_count: list[int] = []
    inst_due: list[dt.date] = []
    inst_amount: list[Decimal] = []
    pay_count: list[int] = []
    pay_date: list[dt.date] = []
    pay_amount: list[Decimal] = []
    installments, payments = ds.installments, ds.payments
    for loan in loans:
        schedule = installments.get(loan.contract_no)
        if schedule:
            inst_count.append(len(schedule))
            inst_due.extend([s.due_date for s in schedule])
            inst_amount.extend([s.amount for s in schedule])
        else:
            inst_count.append(1)
            inst_due.append(loan.due_date)
            inst_amount.append(loan.amount)
        paid_rows = payments.get(loan.contract_no)
        if paid_rows:
            pay_count.append(len(paid_rows))
            pay_date.extend([p.paid_date for p in paid_rows])
            pay_amount.extend([p.amount for p in paid_rows])
        else:
            pay_count.append(0)

    as_of_o, month_o, fy_o = as_of.toordinal(), month_start.toordinal(), fy_start.toordinal()
    p_loan = np.repeat(np.arange(n, dtype=np.int64), pay_count)
    p_date = _ordinals(pay_date)
    p_amount = _satang_array(pay_amount)

    def pay_sum(mask: np.ndarray) -> np.ndarray:
        return np.bincount(p_loan[mask], weights=p_amount[mask], minlength=n).astype(np.int64)

    upto = p_date <= as_of_o
    paid = np.maximum(pay_sum(upto), 0)
    collected = pay_sum(upto & (p_date >= month_o))
    repaid_fy = pay_sum(upto & (p_date >= fy_o))

    i_loan = np.repeat(np.arange(n, dtype=np.int64), inst_count)
    i_due = _ordinals(inst_due)
    i_owed = np.maximum(_satang_array(inst_amount), 0)   # a zero or negative installment asks for nothing
    # Coverage order within a loan is by due date (ledger.effective_schedule); the model keeps
    # each schedule sorted, so this sort only runs for data that is not.
    if len(i_loan) > 1 and np.any((np.diff(i_loan) == 0) & (np.diff(i_due) < 0)):
        order = np.lexsort((i_due, i_loan))
        i_loan, i_due, i_owed = i_loan[order], i_due[order], i_owed[order]
    # Installments are grouped by loan and in coverage order already: a cumulative sum per loan.
    cum = np.cumsum(i_owed)
    starts = np.searchsorted(i_loan, np.arange(n), side="left")
    base = np.concatenate(([0], cum))[starts]          # sum of the earlier loans' installments
    cum_through = cum - base[i_loan]                   # this installment and the earlier ones
    paid_i = paid[i_loan]

    def owed_sum(mask: np.ndarray) -> np.ndarray:
        return np.bincount(i_loan[mask], weights=i_owed[mask], minlength=n).astype(np.int64)

    due_so_far = np.minimum(owed_sum(i_due <= as_of_o), amount)
    due_before = np.minimum(owed_sum(i_due < month_o), amount)
    due_in_month = due_so_far - due_before
    in_month = (i_due >= month_o) & (i_due <= as_of_o) & (i_owed > 0)
    due_installments = np.bincount(i_loan[in_month], minlength=n)

    outstanding = np.maximum(amount - paid, 0)
    arrears = np.maximum(due_so_far - paid, 0)
    paid_of_due = np.clip(paid - due_before, 0, due_in_month)

    # Oldest installment not fully covered: the first whose cumulative amount exceeds paid.
    unpaid = cum_through > paid_i
    first_unpaid = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_unpaid, i_loan[unpaid], i_due[unpaid])
    has_unpaid = first_unpaid != np.iinfo(np.int64).max
    open_ = outstanding > 0
    days = np.where(open_ & has_unpaid & (first_unpaid < as_of_o), as_of_o - first_unpaid, 0)

    is_breached = open_ & breached
    overdue = arrears > 0
    at_risk = open_ & ((days > par_days) | is_breached)
    bounds = np.asarray(tuple(bucket_bounds), dtype=np.int64)
    bucket = np.where(overdue & ~is_breached, np.searchsorted(bounds, days, side="left"), -1)

    frame = pd.DataFrame({
        "fund_id": [l.fund_id for l in loans],
        "contract_no": [l.contract_no for l in loans],
        "borrower": [l.citizen_id or " ".join((l.borrower_name or "").split()) for l in loans],
        "amount": amount, "paid": paid, "outstanding": outstanding, "arrears": arrears,
        "due_so_far": due_so_far, "days_overdue": days.astype(np.int64),
        "loans_open": open_.astype(np.int64), "overdue_loans": overdue.astype(np.int64),
        "breached_loans": is_breached.astype(np.int64),
        "breached_outstanding": np.where(is_breached, outstanding, 0),
        "at_risk": at_risk, "at_risk_outstanding": np.where(at_risk, outstanding, 0),
        "bucket": bucket.astype(np.int64),
        "due_installments": due_installments.astype(np.int64), "due_in_month": due_in_month,
        "paid_of_due": paid_of_due, "collected_in_month": collected, "repaid_fiscal_year": repaid_fy,
    })
    return frame


# -- snapshots read back ----------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """One district's (or the province's) figures for a month, as kept in สรุปรายเดือน."""

    month: str
    district: str
    made_at: dt.datetime | None
    figures: dict[str, Any]
    row: int = 0


def latest(snapshots: Iterable[Snapshot]) -> dict[tuple[str, str], Snapshot]:
    """(month, district) -> the row that wins: latest made_at, then the later row."""
    best: dict[tuple[str, str], Snapshot] = {}
    for snap in snapshots:
        key = (snap.month, snap.district)
        current = best.get(key)
        if current is None or _order(snap) >= _order(current):
            best[key] = snap
    return best


def _order(snap: Snapshot) -> tuple[dt.datetime, int]:
    return (snap.made_at or dt.datetime.min, snap.row)



# -- the report ---------------------------------------------------------------------------
@dataclass
class MonthlyReport:
    year: int
    month: int
    as_of: dt.date
    run_date: dt.date
    fiscal_year_start: dt.date
    fiscal_year: int                    # B.E.
    bucket_labels: tuple[str, ...]
    district_columns: list[Col]
    districts: list[dict[str, Any]]     # one per district, in the geography's order
    province: dict[str, Any]            # the "รวม" row
    funds: list[dict[str, Any]]         # 26(1): one per fund, by district then fund id
    previous_month: str
    has_previous: bool
    notes: list[str] = field(default_factory=list)
    loans: pd.DataFrame | None = field(default=None, repr=False)   # the loan-level frame
    aging: dict[str, AgingTable] = field(default_factory=dict)     # district name / PROVINCE -> table

    @property
    def month_key(self) -> str:
        return month_key(self.year, self.month)

    @property
    def month_start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def title(self) -> str:
        return f"รายงาน กข.คจ. ประจำเดือน {month_th(self.year, self.month)}"

    def district(self, name: str) -> dict[str, Any] | None:
        if name == PROVINCE:
            return self.province
        return next((d for d in self.districts if d["district"] == name), None)

    def rows(self) -> list[dict[str, Any]]:
        """The district rows, then the province row."""
        return self.districts + [self.province]

    def as_json(self) -> dict[str, Any]:
        return {
            "month": self.month_key,
            "month_th": month_th(self.year, self.month),
            "as_of": self.as_of.isoformat(),
            "run_date": self.run_date.isoformat(),
            "fiscal_year": self.fiscal_year,
            "fiscal_year_start": self.fiscal_year_start.isoformat(),
            "previous_month": self.previous_month,
            "has_previous": self.has_previous,
            "bucket_labels": list(self.bucket_labels),
            "districts": [_json_row(r) for r in self.districts],
            "province": _json_row(self.province),
            "funds": [_json_row(r) for r in self.funds],
            "aging": {name: table.as_json() for name, table in self.aging.items()},
            "notes": list(self.notes),
        }


def _json_value(key: str, value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return round(value, 6 if key.startswith("change_") else 4)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def _json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _json_value(k, v) for k, v in row.items() if k != "change"}
    if "change" in row:
        out["change"] = {k: _json_value("change_" + k, v) for k, v in row["change"].items()}
    return out


def build_report(ds: Any, config: Any, year: int, month: int, as_of: dt.date | None = None,
                 snapshots: Iterable[Snapshot] | Mapping[tuple[str, str], Snapshot] | None = None,
                 quality: Any = None, run_date: dt.date | None = None) -> MonthlyReport:
    """The report of one month. `snapshots`: what สรุปรายเดือน holds (for the change from the
    previous month); `quality`: a QualityReport as of as_of (computed when not given)."""
    from sheets.check import run_check  # late: check imports the ledger and thai modules

    month_start, month_end = month_bounds(year, month)
    as_of = as_of or month_end
    if as_of < month_start:
        raise ValueError(f"วันที่ข้อมูล {as_of.isoformat()} อยู่ก่อนเดือน {month_key(year, month)}")
    run_date = run_date or ds.today
    fy_start = fiscal_year_start(as_of)
    bounds = tuple(config.ledger.bucket_bounds)
    labels = bucket_labels(bounds)
    par_days = config.ledger.par_days
    quality = quality if quality is not None else run_check(ds, config, as_of)

    loans = loan_frame(ds, as_of, month_start, fy_start, bounds, par_days)
    funds = _fund_frame(ds, loans, labels, quality)
    districts = _district_frame(funds, ds, labels)

    prev_key = month_key(*previous_month(year, month))
    by_key = _index_snapshots(snapshots)
    notes: list[str] = []

    district_rows = [_district_row(rec, labels) for rec in districts.to_dict("records")]
    province = _province_row(district_rows, labels)
    has_previous = False
    for row in district_rows + [province]:
        prev = by_key.get((prev_key, row["district"]))
        row["change"] = _changes(row, prev.figures if prev else None)
        has_previous = has_previous or prev is not None

    unattributed = sum(1 for u in ds.unreadable if ds.district_of(u.fund_id) is None)
    if unattributed:
        notes.append(f"แถวที่อ่านไม่ได้และไม่ทราบกองทุน {unattributed} แถว ไม่ได้นับในรายงาน "
                     f"(ดูแท็บ ตรวจสอบข้อมูล)")
    unknown = [d["district"] for d in district_rows if d["district"] not in district_names()]
    if unknown:
        notes.append("อำเภอที่ไม่ตรงกับทะเบียน (แก้ในแท็บ กองทุน): " + ", ".join(unknown))
    fund_rows = [_fund_row(rec) for rec in funds.sort_values(["district_order", "fund_id"]).to_dict("records")]
    return MonthlyReport(year, month, as_of, run_date, fy_start, fiscal_year_be(as_of), labels,
                         district_columns(labels), district_rows, province, fund_rows, prev_key,
                         has_previous, notes, loans, _aging(ds, config, as_of, bounds, district_rows))


def _aging(ds: Any, config: Any, as_of: dt.date, bounds: tuple[int, ...],
           district_rows: Sequence[Mapping[str, Any]]) -> dict[str, AgingTable]:
    """The aging table of each district and of the province (loans made after as_of left out)."""
    from sheets.model import ledger_states

    states = ledger_states(ds, as_of, config)
    by_district: dict[str, list[Any]] = {row["district"]: [] for row in district_rows}
    for no, state in states.items():
        loan = ds.loans[no]
        if loan.loan_date is not None and loan.loan_date > as_of:
            continue
        by_district.setdefault(ds.district_of(loan.fund_id) or NO_DISTRICT, []).append(state)
    tables = {name: aging_table(group, bounds) for name, group in by_district.items()}
    tables[PROVINCE] = aging_table((s for group in by_district.values() for s in group), bounds)
    return tables


def _fund_frame(ds: Any, loans: pd.DataFrame, labels: Sequence[str], quality: Any) -> pd.DataFrame:
    """One row per fund: its attributes and the sums of its loans (satang)."""
    ok = {fq.fund_id: fq.ok for fq in quality.funds}
    official = {name: i for i, name in enumerate(district_names())}
    unreadable: dict[str, int] = {}
    for u in ds.unreadable:
        if u.fund_id in ds.funds:
            unreadable[u.fund_id] = unreadable.get(u.fund_id, 0) + 1
    records = []
    for f in ds.funds.values():
        district = f.district or NO_DISTRICT
        records.append({
            "fund_id": f.fund_id, "district": district,
            "district_order": official.get(district, len(official)),
            "subdistrict": f.subdistrict, "village_no": f.village_no, "village_name": f.village_name,
            "capital": _satang(f.capital), "households_total": f.households_total or 0,
            "households_target": f.households_target or 0, "bank_balance": _satang(f.bank_balance),
            "bank_balance_date": f.bank_balance_date, "cash_on_hand": _satang(f.cash_on_hand),
            "funds_ok": int(bool(ok.get(f.fund_id, False))), "unreadable_rows": unreadable.get(f.fund_id, 0),
        })
    columns = ["fund_id", "district", "district_order", "subdistrict", "village_no", "village_name", "capital",
               "households_total", "households_target", "bank_balance", "bank_balance_date", "cash_on_hand",
               "funds_ok", "unreadable_rows"]
    funds = pd.DataFrame.from_records(records, columns=columns)

    sums = list(_LOAN_SUMS)
    per_fund = loans.groupby("fund_id", sort=False)[sums].sum()
    for n, label in enumerate(labels):
        in_bucket = loans[loans["bucket"] == n].groupby("fund_id", sort=False)
        per_fund[f"loans_{bucket_key(label)}"] = in_bucket.size()
        per_fund[f"outstanding_{bucket_key(label)}"] = in_bucket["outstanding"].sum()
    open_loans = loans[loans["loans_open"] > 0]
    per_fund["borrowers"] = open_loans.groupby("fund_id", sort=False)["borrower"].nunique()
    # Funds without loans get zeros (works for an empty sheet too).
    per_fund = per_fund.reindex(pd.Index(funds["fund_id"], dtype=object)).fillna(0).astype(np.int64)
    for col in per_fund.columns:
        funds[col] = per_fund[col].to_numpy()
    funds["total_money"] = funds["bank_balance"] + funds["cash_on_hand"]
    return funds


def _district_frame(funds: pd.DataFrame, ds: Any, labels: Sequence[str]) -> pd.DataFrame:
    """One row per district: sums of its funds; every official district appears."""
    sum_cols = [c for c in funds.columns if c not in ("fund_id", "district", "district_order", "subdistrict",
                                                      "village_no", "village_name", "bank_balance_date")]
    grouped = funds.groupby("district", sort=False)
    districts = grouped[sum_cols].sum()
    districts["funds"] = grouped.size()
    districts["subdistricts"] = funds[funds["subdistrict"].astype(str).str.strip() != ""] \
        .groupby("district", sort=False)["subdistrict"].nunique()
    districts["district_order"] = grouped["district_order"].first()
    official = list(district_names())
    extra = sorted(d for d in districts.index if d not in official)
    districts = districts.reindex(official + extra)
    districts["district_order"] = range(len(districts))
    for col in districts.columns:  # districts without funds: zeros
        districts[col] = pd.to_numeric(districts[col], errors="coerce").fillna(0).astype(np.int64)
    districts.index.name = "district"
    return districts.reset_index()


def _district_row(rec: Mapping[str, Any], labels: Sequence[str]) -> dict[str, Any]:
    """A district's figures as people read them: Decimal baht, int counts, ratios 0..1."""
    row: dict[str, Any] = {}
    for col in district_columns(labels):
        if col.part == "change" or col.key in RATIO_KEYS:
            continue
        value = rec.get(col.key, 0)
        row[col.key] = value if col.fmt == "text" else (_baht(value) if col.key in _SATANG or
                                                        col.key.startswith("outstanding_") else int(value))
    _set_ratios(row, rec["at_risk_outstanding"], rec["outstanding"], rec["paid_of_due"], rec["due_in_month"])
    return _ordered(row, labels)


def _set_ratios(row: dict[str, Any], at_risk: Any, outstanding: Any, paid_of_due: Any, due: Any) -> None:
    row["par30"] = _ratio(at_risk, outstanding) or 0.0
    row["collection_rate"] = _ratio(paid_of_due, due)
    row["indicator_9_1"] = _ratio(row["funds_ok"], row["funds"])


def _ordered(row: dict[str, Any], labels: Sequence[str]) -> dict[str, Any]:
    return {c.key: row[c.key] for c in district_columns(labels) if c.key in row}


def _province_row(rows: Sequence[Mapping[str, Any]], labels: Sequence[str]) -> dict[str, Any]:
    """The sum of the districts; rates recomputed from the sums, never summed."""
    total: dict[str, Any] = {"district": PROVINCE}
    for col in district_columns(labels):
        if col.key == "district" or col.part == "change" or col.key in RATIO_KEYS:
            continue
        start: Any = Decimal("0.00") if col.fmt == "amount" else 0
        total[col.key] = sum((r[col.key] for r in rows), start)
    _set_ratios(total, total["at_risk_outstanding"], total["outstanding"], total["paid_of_due"],
                total["due_in_month"])
    return _ordered(total, labels)


def _fund_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for col in FUND_COLUMNS:
        if col.key in ("par30", "passes_9_1"):
            continue
        value = rec.get(col.key)
        if col.fmt == "amount":
            row[col.key] = _baht(value or 0)
        elif col.fmt == "int":
            row[col.key] = None if value is None or (isinstance(value, float) and np.isnan(value)) else int(value)
        elif col.fmt == "date":
            row[col.key] = value if isinstance(value, dt.date) else None
        else:
            row[col.key] = value
    row["par30"] = _ratio(rec["at_risk_outstanding"], rec["outstanding"]) or 0.0
    row["passes_9_1"] = "ใช่" if rec["funds_ok"] else "ไม่"
    return row


def _changes(row: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """Current minus previous for the main figures; None without a previous figure.

    Ratios change in percentage points (0.05 -> 5.0 points)."""
    out: dict[str, Any] = {}
    for key in CHANGE_KEYS:
        now, before = row.get(key), (previous or {}).get(key)
        if now is None or before is None:
            out[key] = None
        elif key in RATIO_KEYS:
            out[key] = round((float(now) - float(before)) * 100, 2)
        elif isinstance(now, Decimal):
            out[key] = (now - Decimal(str(before))).quantize(CENT)
        else:
            out[key] = int(now) - int(before)
    return out


def _index_snapshots(snapshots: Any) -> dict[tuple[str, str], Snapshot]:
    if snapshots is None:
        return {}
    if isinstance(snapshots, Mapping):
        return dict(snapshots)
    return latest(snapshots)
