"""The month's report, computed: pure functions over the Dataset, no I/O.

One row per district in the shape of form 26(2) (แบบ 26(2)) with the month's collection,
data quality and the change from the previous month; a province row ("รวม") that is the
sum of the districts; the aging table (`ledger.aging`) of each district and of the
province; one row per fund in the shape of form 26(1). The calendar is `core.months`,
the columns `report.columns`, the change from the previous month `report.trend`.

Every figure of the loans comes from the ledger engine (`ledger.engine`, one book built
by `sheets.book`), which follows ledger-and-alerts.md exactly and is tested against
`ledger.core` contract by contract. Readings decided here (docs/report.md says the same
for the people who read it):

- as_of: the month's last day, or the run date when the month has not ended yet
  (a report "so far"). The ledger is taken as of as_of: payments after it do not count.
- A loan whose loan date is after as_of is left out (it did not exist yet: a past
  month's report made later). A loan whose date cannot be read is kept.
- The headlines are the aging table's: สัญญาคงค้าง, ยอดเงินคงค้าง and ยอดค้างชำระ are its
  total; สัญญาค้างชำระ is its overdue total, the contracts in a days-overdue bucket plus
  those marked ผิดสัญญา (whatever their arrears), each counted once.
- Subdistricts (จำนวนตำบล): the subdistricts where the district HAS a fund (the
  programme's coverage), not the official count from the geography file.
- Households that received loans (ครัวเรือนที่ได้รับยืม): distinct borrowers with an
  open loan, per fund (the valid citizen id, else the name), summed.
- Total money (รวมเงินที่มี) = money in bank accounts + cash on hand, as typed in
  กองทุน (the latest figures typed, whatever their date).
- The month's collection (`ledger.core.MonthFigures`): due in the month, the part of
  it paid, money collected in the month, repaid in the fiscal year (from 1 October of
  the Thai fiscal year that contains as_of); the collection rate is paid ÷ due.
- PAR30 = outstanding of loans more than 30 days overdue or breached ÷ outstanding,
  recomputed from sums for the province; the collection rate and indicator 9.1 too.
- Indicator 9.1 per district comes from the data check (`sheets.check.run_check`)
  as of as_of. Unreadable rows (counted, never dropped silently) are shown per
  district; rows that belong to no fund are a note below the table.
- Changes from the previous month come from the สรุปรายเดือน snapshots (the latest
  row per month and district); without a snapshot the change is blank.
- Every official district appears (zeros when it has no fund); a fund typed with an
  unknown district gets a row of its own under the name as typed, so nothing is lost
  from the province total.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, Sequence

from core.geo import district_names
from core.schema import PROVINCE_TOTAL
from core.thai import month_th
from ledger import bucket_labels, ledger_options
from ledger.aging import AgingTable
from ledger.core import MonthFigures, PortfolioSummary
from ledger.engine import Balances, Grouping
from report.columns import FUND_COLUMNS, Col, district_columns
from core.months import (default_month, fiscal_year_be, fiscal_year_start, month_bounds, month_key,
                           parse_month, previous_month, report_as_of)
from report.trend import RATIO_KEYS, Snapshot, changes, index_snapshots, latest
from sheets.book import book_of
from sheets.check import QualityReport, run_check
from sheets.model import Dataset, Fund
from core.config import Config

PROVINCE = PROVINCE_TOTAL
NO_DISTRICT = "(ไม่ระบุอำเภอ)"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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
    loans: Balances | None = field(default=None, repr=False)      # every loan's ledger as of as_of
    aging: dict[str, AgingTable] = field(default_factory=dict)     # district name / PROVINCE -> table
    quality: QualityReport | None = field(default=None, repr=False)  # the data check as of as_of (9.1's source)

    @property
    def month_key(self) -> str:
        return month_key(self.year, self.month)

    @property
    def month_start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def bucket_bounds(self) -> tuple[int, ...]:
        return self.aging[PROVINCE].bucket_bounds

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
    return value


def _json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _json_value(k, v) for k, v in row.items() if k != "change"}
    if "change" in row:
        out["change"] = {k: _json_value("change_" + k, v) for k, v in row["change"].items()}
    return out


# -- the loans' figures per group, from the engine -------------------------------------------------
@dataclass(frozen=True)
class GroupFigures:
    """The loans of a fund, a district or the province, as of as_of."""

    aging: AgingTable
    summary: PortfolioSummary
    month: MonthFigures


def _figures_by(day: Balances, groups: Grouping, month_start: dt.date, fy_start: dt.date) -> dict[str, GroupFigures]:
    aging = day.aging_by(groups)
    summary = day.summary_by(groups)
    month = day.month_by(month_start, fy_start, groups)
    return {str(name): GroupFigures(aging[name], summary[name], month[name]) for name in groups.names}


def _loan_figures(g: GroupFigures) -> dict[str, Any]:
    """The loan-level figures of a row: the aging table's headlines, PAR30's at-risk part, the month."""
    total, overdue, m = g.aging.total, g.aging.overdue, g.month
    return {
        "loans_open": total.contracts, "outstanding": total.outstanding.quantize(CENT),
        "repaid_fiscal_year": m.repaid_fiscal_year.quantize(CENT),
        "due_installments": m.due_installments, "due_in_month": m.due_in_month.quantize(CENT),
        "paid_of_due": m.paid_of_due.quantize(CENT), "collected_in_month": m.collected_in_month.quantize(CENT),
        "arrears": total.arrears.quantize(CENT), "overdue_loans": overdue.contracts,
        "breached_loans": g.aging.breached.contracts,
        "at_risk_outstanding": g.summary.at_risk_outstanding.quantize(CENT),
    }


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def _ratio(num: Any, den: Any) -> float | None:
    return None if not den else float(num) / float(den)


# -- the report ---------------------------------------------------------------------------
def build_report(ds: Dataset, config: Config, year: int, month: int, as_of: dt.date | None = None,
                 snapshots: Iterable[Snapshot] | Mapping[tuple[str, str], Snapshot] | None = None,
                 quality: QualityReport | None = None, run_date: dt.date | None = None) -> MonthlyReport:
    """The report of one month. `snapshots`: what สรุปรายเดือน holds (for the change from the
    previous month); `quality`: a QualityReport as of as_of (computed when not given)."""
    ds.require_whole("the monthly report")
    month_start, month_end = month_bounds(year, month)
    as_of = as_of or month_end
    if as_of < month_start:
        raise ValueError(f"วันที่ข้อมูล {as_of.isoformat()} อยู่ก่อนเดือน {month_key(year, month)}")
    run_date = run_date or ds.today
    fy_start = fiscal_year_start(as_of)
    options = ledger_options(config)
    labels = bucket_labels(options["bucket_bounds"])  # type: ignore[arg-type]
    book = book_of(ds, options)
    # The check's overpayment rule reuses this book rather than making its own (sheets/check.py).
    quality = quality if quality is not None else run_check(ds, config, as_of, book)
    day = book.at(as_of)
    funds = list(ds.funds.values())
    district_of = {f.fund_id: f.district or NO_DISTRICT for f in funds}
    official = list(district_names())
    names = official + sorted({d for d in district_of.values() if d not in official})
    loan_funds = book.fund_ids()
    per_fund = _figures_by(day, Grouping(loan_funds, [f.fund_id for f in funds]), month_start, fy_start)
    per_district = _figures_by(day, Grouping([district_of[f] for f in loan_funds], names), month_start, fy_start)
    borrowers: dict[str, set[str]] = defaultdict(set)
    for i in day.open_contracts():
        loan = book.loans[i]
        borrowers[loan.fund_id].add(loan.citizen_id or " ".join((loan.borrower_name or "").split()))
    ok = {fq.fund_id: fq.ok for fq in quality.funds}
    unreadable: dict[str, int] = defaultdict(int)
    for u in ds.unreadable:
        if u.fund_id in ds.funds:
            unreadable[u.fund_id] += 1

    # The bank balance as the check judges it: the newer of the typed cell and a bank book sent in LINE.
    bank = {f.fund_id: ds.bank_balance(f) for f in funds}
    funds_of: dict[str, list[Fund]] = {name: [] for name in names}
    for f in funds:
        funds_of[district_of[f.fund_id]].append(f)
    district_rows = [_district_row(name, funds_of[name], per_district[name], borrowers, ok, unreadable, bank)
                     for name in names]
    province = _province_row(district_rows)
    prev_key = month_key(*previous_month(year, month))
    by_key = index_snapshots(snapshots)
    has_previous = False
    for row in district_rows + [province]:
        prev = by_key.get((prev_key, row["district"]))
        row["change"] = changes(row, prev.figures if prev else None)
        has_previous = has_previous or prev is not None

    notes: list[str] = []
    unattributed = sum(1 for u in ds.unreadable if ds.district_of(u.fund_id) is None)
    if unattributed:
        notes.append(f"แถวที่อ่านไม่ได้และไม่ทราบกองทุน {unattributed} แถว ไม่ได้นับในรายงาน "
                     f"(ดูแท็บ ตรวจสอบข้อมูล)")
    unknown = [d["district"] for d in district_rows if d["district"] not in official]
    if unknown:
        notes.append("อำเภอที่ไม่ตรงกับทะเบียน (แก้ในแท็บ กองทุน): " + ", ".join(unknown))
    order = {name: i for i, name in enumerate(official)}
    fund_rows = [_fund_row(f, district_of[f.fund_id], per_fund[f.fund_id], len(borrowers[f.fund_id]),
                           bool(ok.get(f.fund_id, False)), bank[f.fund_id])
                 for f in sorted(funds, key=lambda f: (order.get(district_of[f.fund_id], len(order)), f.fund_id))]
    aging = {name: per_district[name].aging for name in names}
    aging[PROVINCE] = day.aging()
    return MonthlyReport(year, month, as_of, run_date, fy_start, fiscal_year_be(as_of), labels,
                         district_columns(), district_rows, province, fund_rows, prev_key,
                         has_previous, notes, day, aging, quality)


def _district_row(name: str, funds: Sequence[Fund], loans: GroupFigures, borrowers: Mapping[str, set[str]],
                  ok: Mapping[str, bool], unreadable: Mapping[str, int],
                  balances: Mapping[str, tuple[Decimal | None, dt.date | None]]) -> dict[str, Any]:
    """A district's figures as people read them: Decimal baht, int counts, ratios 0..1."""
    bank = sum((_money(balances[f.fund_id][0]) for f in funds), ZERO)
    cash = sum((_money(f.cash_on_hand) for f in funds), ZERO)
    row: dict[str, Any] = {
        "district": name,
        "subdistricts": len({f.subdistrict.strip() for f in funds if f.subdistrict.strip()}),
        "funds": len(funds),
        "households_total": sum(f.households_total or 0 for f in funds),
        "households_target": sum(f.households_target or 0 for f in funds),
        "borrowers": sum(len(borrowers.get(f.fund_id, ())) for f in funds),
        "bank_balance": bank, "cash_on_hand": cash, "total_money": bank + cash,
        "funds_ok": sum(1 for f in funds if ok.get(f.fund_id, False)),
        "unreadable_rows": sum(unreadable.get(f.fund_id, 0) for f in funds),
        **_loan_figures(loans),
    }
    del row["breached_loans"]   # the district's ผิดสัญญา are a row of its aging table
    _set_ratios(row)
    return _ordered(row)


def _set_ratios(row: dict[str, Any]) -> None:
    row["par30"] = _ratio(row["at_risk_outstanding"], row["outstanding"]) or 0.0
    row["collection_rate"] = _ratio(row["paid_of_due"], row["due_in_month"])
    row["indicator_9_1"] = _ratio(row["funds_ok"], row["funds"])


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    return {c.key: row[c.key] for c in district_columns() if c.key in row}


def _province_row(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The sum of the districts; rates recomputed from the sums, never summed."""
    total: dict[str, Any] = {"district": PROVINCE}
    for col in district_columns():
        if col.key == "district" or col.part == "change" or col.key in RATIO_KEYS:
            continue
        start: Any = ZERO if col.fmt == "amount" else 0
        total[col.key] = sum((r[col.key] for r in rows), start)
    _set_ratios(total)
    return _ordered(total)


def _fund_row(fund: Fund, district: str, loans: GroupFigures, borrowers: int, passes: bool,
              balance: tuple[Decimal | None, dt.date | None]) -> dict[str, Any]:
    bank, cash = _money(balance[0]), _money(fund.cash_on_hand)
    row: dict[str, Any] = {
        "fund_id": fund.fund_id, "district": district, "subdistrict": fund.subdistrict,
        "village_no": fund.village_no, "village_name": fund.village_name, "capital": _money(fund.capital),
        "households_total": fund.households_total or 0, "households_target": fund.households_target or 0,
        "borrowers": borrowers, "bank_balance": bank, "bank_balance_date": balance[1],
        "cash_on_hand": cash, "total_money": bank + cash, **_loan_figures(loans),
    }
    row["par30"] = _ratio(row["at_risk_outstanding"], row["outstanding"]) or 0.0
    row["passes_9_1"] = "ใช่" if passes else "ไม่"
    return {c.key: row[c.key] for c in FUND_COLUMNS}


__all__ = [
    "GroupFigures", "MonthlyReport", "NO_DISTRICT", "PROVINCE", "Snapshot", "build_report",
    # The calendar and the snapshots' winner live in core.months and report.trend; the CLI,
    # main.py and report.snapshots still ask this module for them.
    "default_month", "fiscal_year_be", "fiscal_year_start", "latest", "month_bounds", "parse_month",
    "report_as_of",
]
