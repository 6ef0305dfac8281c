"""From raw tabs to typed records, with every problem found on the way.

`load_dataset` never stops at a bad cell: it records a Problem (tab, row,
column, Thai message) and goes on. A row is left out of a computation only
when a value that computation needs cannot be read, and then it is listed in
`Dataset.unreadable` so that someone is told (spec: "How values are read").
"""
from __future__ import annotations

import datetime as dt
import gc
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, Literal

from core.geo import district_by_name, normalize_subdistrict
from ledger import Contract, Installment as LedgerInstallment, LedgerState, Payment as LedgerPayment
from sheets import readers
from core.schema import (
    ADMIN_ROLE, ALERT_KINDS, ALERT_STATUSES, DATA_TABS, DISTRICT_ROLE, LOAN_STATUSES, POSITIONS,
    ROLES, SOURCE_LINE, SOURCE_SHEET,
)
from sheets.store import Layout, MissingColumnError, Table

Level = Literal["error", "warning"]
LEVEL_TH = {"error": "ผิดพลาด", "warning": "คำเตือน"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the sheet, said so that a person can find and fix it."""

    tab: str            # Thai tab title
    row: int | None     # the sheet's row number (1 = header)
    key: str            # fund_id / contract_no / officer_id of the row, when known
    field: str          # column key ("" for a whole-row problem)
    header: str         # the column's Thai header as the person sees it
    level: Level
    message: str
    fund_id: str | None = None  # the fund this problem counts against

    def as_dict(self) -> dict[str, Any]:
        return {"tab": self.tab, "row": self.row, "key": self.key, "field": self.field,
                "header": self.header, "level": self.level, "message": self.message,
                "fund_id": self.fund_id}


@dataclass(frozen=True)
class Unreadable:
    """A row left out of computations because a value it needs could not be read."""

    tab: str
    row: int
    fund_id: str | None   # whose officer is told; None = nobody can be derived (province)
    reason: str


@dataclass
class Fund:
    row: int
    fund_id: str
    district: str               # the official district name when it matched, else as typed
    district_ok: bool
    subdistrict: str
    village_no: int | None
    village_name: str
    budget_year: int | None
    capital: Decimal | None
    bank_name: str
    bank_account_no: str
    bank_balance: Decimal | None
    bank_balance_date: dt.date | None
    cash_on_hand: Decimal | None
    committee_order_no: str
    committee_order_date: dt.date | None
    committee_order_doc: str
    bank_book_doc: str
    financial_summary_doc: str
    financial_summary_date: dt.date | None
    households_total: int | None
    households_target: int | None
    officer_id: str
    updated_at: dt.date | None
    note: str


@dataclass(slots=True)
class Loan:
    row: int
    contract_no: str
    fund_id: str
    borrower_name: str
    citizen_id: str | None      # only a valid id is kept
    phone: str
    round: int | None
    occupation: str
    loan_date: dt.date | None
    amount: Decimal | None
    due_date: dt.date | None
    status_mark: str | None
    note: str

    @property
    def readable(self) -> bool:
        """Everything the ledger and alerts need could be read."""
        return self.amount is not None and self.due_date is not None


@dataclass(slots=True)
class Installment:
    row: int
    contract_no: str
    seq: int
    due_date: dt.date
    amount: Decimal


@dataclass(slots=True)
class Payment:
    row: int
    contract_no: str
    paid_date: dt.date
    amount: Decimal
    receipt_no: str = ""
    recorded_by: str = ""
    source: str = SOURCE_SHEET
    recorded_at: dt.datetime | None = None
    ref: str = ""
    note: str = ""


@dataclass
class CommitteeMember:
    row: int
    fund_id: str
    name: str
    position: str
    term_start: dt.date | None
    term_end: dt.date | None
    phone: str


@dataclass
class Officer:
    row: int
    officer_id: str
    name: str
    district: str
    role: str
    register_code: str
    active: bool

    @property
    def sees_all(self) -> bool:
        """Provincial staff and admins see the whole province."""
        return self.role != DISTRICT_ROLE

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN_ROLE


@dataclass
class LineLink:
    row: int
    linked_at: dt.datetime | None
    officer_id: str
    line_user_id: str
    display_name: str


@dataclass(slots=True)
class AlertLogEntry:
    row: int
    run_date: dt.date
    officer_id: str
    contract_no: str
    seq: int | None
    kind: str          # English key: before_due / due_today / overdue / monthly_summary
    days: int | None
    status: str        # English key: sent / failed / no-line-account
    retry_key: str
    sent_at: dt.datetime | None = None
    amount: Decimal | None = None
    detail: str = ""


@dataclass
class Dataset:
    """Everything one run needs, read once."""

    today: dt.date
    funds: dict[str, Fund] = field(default_factory=dict)
    loans: dict[str, Loan] = field(default_factory=dict)
    installments: dict[str, list[Installment]] = field(default_factory=lambda: defaultdict(list))
    payments: dict[str, list[Payment]] = field(default_factory=lambda: defaultdict(list))
    committee: list[CommitteeMember] = field(default_factory=list)
    officers: dict[str, Officer] = field(default_factory=dict)
    links: dict[str, LineLink] = field(default_factory=dict)   # officer_id -> latest link
    alert_log: list[AlertLogEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    tabs_missing: list[str] = field(default_factory=list)

    # -- questions the rest of the program asks ---------------------------
    def contract(self, loan: Loan) -> Contract:
        """The ledger's view of a readable loan."""
        assert loan.amount is not None and loan.due_date is not None
        schedule = tuple(LedgerInstallment(i.seq, i.due_date, i.amount)
                         for i in self.installments.get(loan.contract_no, ()))
        payments = tuple(LedgerPayment(p.paid_date, p.amount)
                         for p in self.payments.get(loan.contract_no, ()))
        return Contract(loan.contract_no, loan.amount, loan.due_date, schedule, payments, loan.status_mark)

    def readable_loans(self) -> Iterable[Loan]:
        return (loan for loan in self.loans.values() if loan.readable and loan.fund_id in self.funds)

    def district_of(self, fund_id: str | None) -> str | None:
        fund = self.funds.get(fund_id or "")
        return fund.district if fund else None

    def active_officers(self) -> list[Officer]:
        return [o for o in self.officers.values() if o.active]

    def officers_for_fund(self, fund_id: str) -> list[Officer]:
        """The fund's officer, or when blank (or unknown/inactive) every active officer of its district."""
        fund = self.funds.get(fund_id)
        if fund is None:
            return []
        named = self.officers.get(fund.officer_id)
        if named is not None and named.active:
            return [named]
        return [o for o in self.active_officers() if o.role == DISTRICT_ROLE and o.district == fund.district]

    def line_user(self, officer_id: str) -> str | None:
        link = self.links.get(officer_id)
        return link.line_user_id if link else None

    def officer_by_line_user(self, line_user_id: str) -> Officer | None:
        for officer_id, link in self.links.items():
            if link.line_user_id == line_user_id:
                return self.officers.get(officer_id)
        return None


# --------------------------------------------------------------------------
class _RowReader:
    """Reads one row's cells by column key, collecting problems instead of raising."""

    def __init__(self, ctx: "_Columns", cells: list[Any], row: int):
        self.ctx, self.cells, self.row = ctx, cells, row
        self.key = ""
        self.fund_id: str | None = None
        self.failed: set[str] = set()

    def raw(self, col: str) -> Any:
        index = self.ctx.positions.get(col)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def problem(self, col: str, message: str, level: Level = "error") -> None:
        header = self.ctx.layout.header(self.ctx.tab_key, col) if col else ""
        self.ctx.ds.problems.append(Problem(self.ctx.title, self.row, self.key, col, header, level,
                                            message, self.fund_id))

    def get(self, col: str, reader: Callable[[Any], Any], required: bool = False,
            missing: str | None = None) -> Any:
        value = self.raw(col)
        if readers.is_blank(value):
            if required:
                self.failed.add(col)
                self.problem(col, missing or "ไม่ได้กรอก (ต้องกรอก)")
            return None
        try:
            return reader(value)
        except readers.CellError as exc:
            self.failed.add(col)
            self.problem(col, str(exc))
            return None

    def text(self, col: str, required: bool = False) -> str:
        return self.get(col, readers.read_text, required) or ""


class _Err:
    """A memoised reader failure (so a repeated bad value is parsed once)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


_BLANK = object()  # a blank cell in a column being read


class _Columns:
    """Reads a big tab column by column: the same rules as _RowReader, fast on 100,000s of rows.

    Loaders set `keys` (each row's contract/fund id) and `funds` (whose problem
    it is) before reading the other columns, so every problem names its row.
    """

    def __init__(self, ds: Dataset, layout: Layout, tab_key: str, title: str, table: Table,
                 positions: dict[str, int]):
        self.ds, self.layout, self.tab_key, self.title, self.positions = ds, layout, tab_key, title, positions
        # Stores drop trailing blank cells, so a blank row is usually [] and the first cell decides.
        kept = [(index, cells) for index, cells in enumerate(table.rows)
                if cells and (cells[0] is not None and cells[0] != "" or _has_value(cells))]
        # Rows padded (copies only where short) to the widest column read, so a column is one
        # itemgetter pass instead of a bounds check per cell.
        width = max(positions.values(), default=-1) + 1
        self.rows = [cells if len(cells) >= width else cells + [None] * (width - len(cells)) for _, cells in kept]
        self.numbers = [table.row_number(index) for index, _ in kept]
        self.n = len(self.rows)
        self.keys: list[str] = [""] * self.n
        self.funds: list[str | None] = [None] * self.n
        self.failed: set[tuple[int, str]] = set()

    def problem(self, i: int, col: str, message: str, level: Level = "error") -> None:
        header = self.layout.header(self.tab_key, col) if col else ""
        self.ds.problems.append(Problem(self.title, self.numbers[i], self.keys[i], col, header, level,
                                        message, self.funds[i]))

    def read(self, col: str, reader: Callable[[Any], Any], required: bool = False) -> list[Any]:
        """The column's values read by `reader`; None where blank or unreadable (with a problem).

        Each distinct value is read once and the column is mapped through that table
        (a sheet repeats dates, amounts and ids a lot): this runs over millions of
        cells on a national-size sheet, so the per-cell work stays in comprehensions.
        """
        index = self.positions.get(col)
        if index is None:
            values: list[Any] = [None] * self.n
        else:
            values = list(map(itemgetter(index), self.rows))
        if bool in set(map(type, values)):
            # True == 1 in a dict: read booleans (rare) as the text they show.
            values = [str(v).upper() if type(v) is bool else v for v in values]
        table: dict[Any, Any] = {}
        for value in set(values):
            if value is None or (type(value) is str and (value == "" or value.isspace())):
                table[value] = _BLANK
                continue
            try:
                table[value] = reader(value)
            except readers.CellError as exc:
                table[value] = _Err(str(exc))
        out = [table[v] for v in values]
        bad = {v for v, result in table.items() if type(result) is _Err or (required and result is _BLANK)}
        if bad:
            for i, value in enumerate(values):
                if value in bad:
                    self.failed.add((i, col))
                    result = table[value]
                    self.problem(i, col, result.message if type(result) is _Err else "ไม่ได้กรอก (ต้องกรอก)")
                    out[i] = None
        if _BLANK in table.values():
            out = [None if r is _BLANK else r for r in out]
        return out

    def text(self, col: str, required: bool = False) -> list[str]:
        return [v or "" for v in self.read(col, readers.read_text, required)]


def _has_value(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is not None and not (type(cell) is str and not cell.strip()):
            return True
    return False


def _columns(ds: Dataset, layout: Layout, tables: dict[str, Table], tab_key: str) -> _Columns | None:
    """A column reader for the tab, or None when the tab is missing or lacks a required column."""
    table = tables.get(tab_key)
    title = layout.title(tab_key)
    if table is None or not table.exists:
        ds.tabs_missing.append(title)
        return None
    try:
        positions = layout.positions(tab_key, table)
    except MissingColumnError as exc:  # the whole tab cannot be read: one problem, rows counted
        ds.problems.append(Problem(title, 1, "", "", "", "error", str(exc)))
        if tab_key == "loans":
            for index, cells in enumerate(table.rows):
                if _has_value(cells):
                    ds.unreadable.append(Unreadable(title, table.row_number(index), None, str(exc)))
        return None
    return _Columns(ds, layout, tab_key, title, table, positions)


def _rows(ds: Dataset, layout: Layout, tables: dict[str, Table], tab_key: str) -> Iterator[_RowReader]:
    """A _RowReader per non-blank row, for the small tabs where readability beats speed."""
    cols = _columns(ds, layout, tables, tab_key)
    if cols is not None:
        for cells, row in zip(cols.rows, cols.numbers):
            yield _RowReader(cols, cells, row)


def load_dataset(tables: dict[str, Table], layout: Layout, today: dt.date,
                 max_term_years: int = 3) -> Dataset:
    """Parse every data tab; problems and unreadable rows are collected, never raised."""
    with _gc_paused():
        return _load_all(tables, layout, today, max_term_years)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing makes a million small acyclic objects; the cycle collector would rescan
    them again and again (over a second on a national-size sheet) and find nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_all(tables: dict[str, Table], layout: Layout, today: dt.date, max_term_years: int) -> Dataset:
    ds = Dataset(today=today)
    _load_officers(ds, layout, tables)
    _load_funds(ds, layout, tables)
    _load_loans(ds, layout, tables, max_term_years)
    _load_installments(ds, layout, tables)
    _load_payments(ds, layout, tables)
    _load_committee(ds, layout, tables)
    _load_links(ds, layout, tables)
    _load_alert_log(ds, layout, tables)
    return ds


def _district(r: _RowReader, col: str, required: bool) -> tuple[str, bool]:
    typed = r.text(col, required)
    if not typed:
        return "", False
    district = district_by_name(typed)
    if district is None:
        r.problem(col, f"ไม่พบอำเภอ \"{typed}\" ในจังหวัด (ใช้ชื่ออำเภอตามทะเบียน เช่น เมืองตราด)")
        return typed, False
    return district.name, True


def _load_officers(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    for r in _rows(ds, layout, tables, "officers"):
        officer_id = r.text("officer_id", required=True)
        r.key = officer_id
        name = r.text("name", required=True)
        role = r.get("role", lambda v: readers.read_choice(v, ROLES), required=True) or ""
        district, _ = _district(r, "district", required=False)
        if role == DISTRICT_ROLE and not district:
            r.problem("district", "เจ้าหน้าที่ระดับอำเภอต้องระบุอำเภอ")
        active = r.get("active", readers.read_yes_no)
        if not officer_id:
            continue
        if officer_id in ds.officers:
            r.problem("officer_id", f"รหัสเจ้าหน้าที่ {officer_id} ซ้ำกับแถว {ds.officers[officer_id].row}")
            continue
        ds.officers[officer_id] = Officer(r.row, officer_id, name, district, role or DISTRICT_ROLE,
                                          r.text("register_code"), True if active is None else active)


def _load_funds(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    for r in _rows(ds, layout, tables, "funds"):
        fund_id = r.text("fund_id", required=True)
        r.key = fund_id
        r.fund_id = fund_id or None
        district, district_ok = _district(r, "district", required=True)
        subdistrict = r.text("subdistrict", required=True)
        if district_ok and subdistrict:
            official = district_by_name(district)
            names = {s.name for s in official.subdistricts} if official else set()
            if normalize_subdistrict(subdistrict) not in names:
                r.problem("subdistrict", f"ตำบล \"{subdistrict}\" ไม่อยู่ในอำเภอ{district}")
            else:
                subdistrict = normalize_subdistrict(subdistrict)
        village_no = r.get("village_no", readers.read_int, required=True)
        if village_no is not None and not 1 <= village_no <= 99:
            r.problem("village_no", f"หมู่ที่ต้องอยู่ระหว่าง 1–99 (กรอกไว้ {village_no})")
        capital = r.get("capital", readers.read_amount, required=True)
        if capital is not None and capital <= 0:
            r.problem("capital", "เงินทุนต้องมากกว่า 0")
        households_total = r.get("households_total", readers.read_int)
        households_target = r.get("households_target", readers.read_int)
        if households_total is not None and households_target is not None and households_target > households_total:
            r.problem("households_target", "ครัวเรือนเป้าหมายมากกว่าครัวเรือนทั้งหมด")
        officer_id = r.text("officer_id")
        if officer_id and officer_id not in ds.officers:
            r.problem("officer_id", f"ไม่พบรหัสเจ้าหน้าที่ {officer_id} ในแท็บเจ้าหน้าที่ "
                                    f"(จะแจ้งเจ้าหน้าที่ทุกคนของอำเภอแทน)")
        dates = {col: r.get(col, readers.read_date) for col in
                 ("bank_balance_date", "committee_order_date", "financial_summary_date", "updated_at")}
        for col, value in dates.items():
            if value is not None and value > ds.today:
                r.problem(col, "วันที่อยู่ในอนาคต")
        fund = Fund(
            row=r.row, fund_id=fund_id, district=district, district_ok=district_ok, subdistrict=subdistrict,
            village_no=village_no, village_name=r.text("village_name", required=True),
            budget_year=r.get("budget_year", readers.read_int), capital=capital,
            bank_name=r.text("bank_name"), bank_account_no=r.text("bank_account_no"),
            bank_balance=r.get("bank_balance", readers.read_amount),
            bank_balance_date=dates["bank_balance_date"],
            cash_on_hand=r.get("cash_on_hand", readers.read_amount),
            committee_order_no=r.text("committee_order_no"),
            committee_order_date=dates["committee_order_date"],
            committee_order_doc=r.text("committee_order_doc"), bank_book_doc=r.text("bank_book_doc"),
            financial_summary_doc=r.text("financial_summary_doc"),
            financial_summary_date=dates["financial_summary_date"],
            households_total=households_total, households_target=households_target,
            officer_id=officer_id if officer_id in ds.officers else "", updated_at=dates["updated_at"],
            note=r.text("note"))
        if not fund_id:
            continue
        if fund_id in ds.funds:
            r.problem("fund_id", f"รหัสกองทุน {fund_id} ซ้ำกับแถว {ds.funds[fund_id].row}")
            continue
        ds.funds[fund_id] = fund


def _load_loans(ds: Dataset, layout: Layout, tables: dict[str, Table], max_term_years: int) -> None:
    cols = _columns(ds, layout, tables, "loans")
    if cols is None:
        return
    contract = cols.text("contract_no", required=True)
    fund = cols.text("fund_id", required=True)
    cols.keys = contract
    cols.funds = [f if f in ds.funds else None for f in fund]
    for i, f in enumerate(fund):
        if f and cols.funds[i] is None:
            cols.problem(i, "fund_id", f"ไม่พบรหัสกองทุน {f} ในแท็บกองทุน")
    name = cols.text("borrower_name", required=True)
    citizen = cols.read("citizen_id", readers.read_citizen_id)
    round_no = cols.read("round", readers.read_int)
    loan_date = cols.read("loan_date", readers.read_date, required=True)
    amount = cols.read("amount", readers.read_amount, required=True)
    due = cols.read("due_date", readers.read_date, required=True)
    status = cols.read("status", lambda v: readers.read_choice(v, LOAN_STATUSES))
    phone, occupation, note = cols.text("phone"), cols.text("occupation"), cols.text("note")
    for i in range(cols.n):
        if round_no[i] is not None and round_no[i] < 1:
            cols.problem(i, "round", "ยืมครั้งที่ต้องเป็น 1 ขึ้นไป")
        if amount[i] is not None and amount[i] <= 0:
            cols.problem(i, "amount", "จำนวนเงินยืมต้องมากกว่า 0")
            cols.failed.add((i, "amount"))
            amount[i] = None
        start, end = loan_date[i], due[i]
        if start and start > ds.today:
            cols.problem(i, "loan_date", "วันที่รับเงินยืมอยู่ในอนาคต", "warning")
        if start and end:
            if end < start:
                cols.problem(i, "due_date", "วันครบกำหนดชำระก่อนวันที่รับเงินยืม")
            elif end > _add_years(start, max_term_years):
                cols.problem(i, "due_date", f"ระยะเวลายืมเกิน {max_term_years} ปี", "warning")
        row, contract_no = cols.numbers[i], contract[i]
        if not contract_no:
            ds.unreadable.append(Unreadable(cols.title, row, cols.funds[i], "ไม่มีเลขที่สัญญา"))
            continue
        if contract_no in ds.loans:
            cols.problem(i, "contract_no", f"เลขที่สัญญา {contract_no} ซ้ำกับแถว {ds.loans[contract_no].row}")
            ds.unreadable.append(Unreadable(cols.title, row, cols.funds[i], "เลขที่สัญญาซ้ำ"))
            continue
        loan = Loan(row, contract_no, fund[i], name[i], citizen[i], phone[i], round_no[i], occupation[i],
                    start, amount[i], end, status[i], note[i])
        ds.loans[contract_no] = loan
        if not loan.readable or cols.funds[i] is None:
            failed = [c for c in ("amount", "due_date", "fund_id") if (i, c) in cols.failed]
            ds.unreadable.append(Unreadable(cols.title, row, cols.funds[i], ", ".join(
                layout.header("loans", c) for c in failed) or layout.header("loans", "fund_id")))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb
        return day.replace(year=day.year + years, day=28)


def _contract_refs(cols: "_Columns", ds: Dataset) -> list[Loan | None]:
    """Each row's loan by contract number; sets the row keys and funds for problem reports."""
    contract = cols.text("contract_no", required=True)
    cols.keys = contract
    loans = [ds.loans.get(c) for c in contract]
    cols.funds = [l.fund_id if l is not None and l.fund_id in ds.funds else None for l in loans]
    for i, (c, loan) in enumerate(zip(contract, loans)):
        if c and loan is None:
            cols.problem(i, "contract_no", f"ไม่พบเลขที่สัญญา {c} ในแท็บลูกหนี้")
    return loans


def _load_installments(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    cols = _columns(ds, layout, tables, "installments")
    if cols is None:
        return
    loans = _contract_refs(cols, ds)
    seq = cols.read("seq", readers.read_int, required=True)
    due = cols.read("due_date", readers.read_date, required=True)
    amount = cols.read("amount", readers.read_amount, required=True)
    numbers, by_contract = cols.numbers, ds.installments
    for i, loan in enumerate(loans):
        value = amount[i]
        if value is not None and value <= 0:
            cols.problem(i, "amount", "จำนวนเงินต้องมากกว่า 0")
            value = None
        if loan is None:
            continue
        if seq[i] is None or due[i] is None or value is None:
            ds.unreadable.append(Unreadable(cols.title, numbers[i], cols.funds[i], "งวดชำระอ่านไม่ได้"))
            continue
        by_contract[loan.contract_no].append(Installment(numbers[i], loan.contract_no, seq[i], due[i], value))
    for contract_no, items in by_contract.items():
        if len({i.seq for i in items}) < len(items):  # a repeated installment number: keep the first
            kept: dict[int, Installment] = {}
            for item in items:
                if item.seq in kept:
                    ds.problems.append(Problem(cols.title, item.row, contract_no, "seq", layout.header(
                        "installments", "seq"), "error", f"งวดที่ {item.seq} ของสัญญา {contract_no} ซ้ำ",
                        ds.loans[contract_no].fund_id if ds.loans[contract_no].fund_id in ds.funds else None))
                else:
                    kept[item.seq] = item
            items[:] = kept.values()
    headers = {c: layout.header("installments", c) for c in ("amount", "due_date")}
    for contract_no, items in ds.installments.items():
        items.sort(key=lambda i: (i.due_date, i.seq))
        loan = ds.loans[contract_no]
        fund_id = loan.fund_id if loan.fund_id in ds.funds else None
        total = sum((i.amount for i in items), Decimal(0))
        if loan.amount is not None and total != loan.amount:
            ds.problems.append(Problem(cols.title, min(i.row for i in items), contract_no, "amount", headers["amount"],
                                       "error", f"งวดชำระรวม {total:,.2f} บาท ไม่เท่ากับเงินยืม "
                                                f"{loan.amount:,.2f} บาท", fund_id))
        if loan.due_date is not None and items and items[-1].due_date != loan.due_date:
            ds.problems.append(Problem(cols.title, items[-1].row, contract_no, "due_date", headers["due_date"],
                                       "warning", "วันครบกำหนดงวดสุดท้ายไม่ตรงกับวันครบกำหนดในสัญญา", fund_id))


def _load_payments(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    cols = _columns(ds, layout, tables, "payments")
    if cols is None:
        return
    loans = _contract_refs(cols, ds)
    paid_date = cols.read("paid_date", readers.read_date, required=True)
    amount = cols.read("amount", readers.read_amount, required=True)
    source = cols.read("source", lambda v: readers.read_choice(v, (SOURCE_SHEET, SOURCE_LINE)))
    recorded_at = cols.read("recorded_at", readers.read_datetime)
    ref = cols.text("ref")
    receipt, recorded_by, note = cols.text("receipt_no"), cols.text("recorded_by"), cols.text("note")
    seen_refs: set[str] = set()
    for i, loan in enumerate(loans):
        if amount[i] is not None and amount[i] <= 0:
            cols.problem(i, "amount", "จำนวนเงินต้องมากกว่า 0")
            amount[i] = None
        if paid_date[i] is not None and paid_date[i] > ds.today:
            cols.problem(i, "paid_date", "วันที่ชำระอยู่ในอนาคต")
        if ref[i]:
            if ref[i] in seen_refs:
                continue  # a chat entry recorded twice (same idempotency ref): count it once
            seen_refs.add(ref[i])
        if loan is None:
            if cols.keys[i]:
                ds.unreadable.append(Unreadable(cols.title, cols.numbers[i], None, "ไม่พบเลขที่สัญญา"))
            continue
        if paid_date[i] is None or amount[i] is None:
            ds.unreadable.append(Unreadable(cols.title, cols.numbers[i], cols.funds[i], "รับชำระอ่านไม่ได้"))
            continue
        ds.payments[loan.contract_no].append(Payment(
            cols.numbers[i], loan.contract_no, paid_date[i], amount[i], receipt[i], recorded_by[i],
            source[i] or SOURCE_SHEET, recorded_at[i], ref[i], note[i]))


def _load_committee(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    for r in _rows(ds, layout, tables, "committee"):
        fund_id = r.text("fund_id", required=True)
        r.key = fund_id
        r.fund_id = fund_id if fund_id in ds.funds else None
        if fund_id and fund_id not in ds.funds:
            r.problem("fund_id", f"ไม่พบรหัสกองทุน {fund_id} ในแท็บกองทุน")
        position = r.get("position", lambda v: readers.read_choice(v, POSITIONS)) or ""
        start, end = r.get("term_start", readers.read_date), r.get("term_end", readers.read_date)
        if start and end and end < start:
            r.problem("term_end", "วันสิ้นสุดวาระก่อนวันเริ่มวาระ")
        ds.committee.append(CommitteeMember(r.row, fund_id, r.text("name", required=True), position,
                                            start, end, r.text("phone")))


_LINE_USER = re.compile(r"^U[0-9a-f]{32}$")


def _load_links(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    for r in _rows(ds, layout, tables, "line_links"):
        officer_id = r.text("officer_id", required=True)
        r.key = officer_id
        user = r.text("line_user_id", required=True)
        if user and not _LINE_USER.match(user):
            r.problem("line_user_id", "LINE user ID ต้องขึ้นต้นด้วย U ตามด้วยเลขฐานสิบหก 32 ตัว")
            continue
        if officer_id and officer_id not in ds.officers:
            r.problem("officer_id", f"ไม่พบรหัสเจ้าหน้าที่ {officer_id}", "warning")
            continue
        if officer_id and user:
            # The latest row per officer wins (relinking replaces the old link).
            ds.links[officer_id] = LineLink(r.row, r.get("linked_at", readers.read_datetime), officer_id, user,
                                            r.text("display_name"))
    # One LINE account speaks for one officer: the latest link of that account wins.
    latest_by_user: dict[str, LineLink] = {}
    for link in sorted(ds.links.values(), key=lambda l: l.row):
        latest_by_user[link.line_user_id] = link
    ds.links = {l.officer_id: l for l in latest_by_user.values()}


_KIND_KEYS = {v: k for k, v in ALERT_KINDS.items()}
_STATUS_KEYS = {v: k for k, v in ALERT_STATUSES.items()}


def _load_alert_log(ds: Dataset, layout: Layout, tables: dict[str, Table]) -> None:
    cols = _columns(ds, layout, tables, "alert_log")
    if cols is None:
        return
    run_date = cols.read("run_date", readers.read_date, required=True)
    officer = cols.text("officer_id", required=True)
    kind = [_KIND_KEYS.get(k, k) for k in cols.text("kind")]
    status = [_STATUS_KEYS.get(k, k) for k in cols.text("status")]
    contract, seq, days = cols.text("contract_no"), cols.read("seq", readers.read_int), cols.read("days", readers.read_int)
    retry_key, sent_at = cols.text("retry_key"), cols.read("sent_at", readers.read_datetime)
    amount, detail = cols.read("amount", readers.read_amount), cols.text("detail")
    for i in range(cols.n):
        if run_date[i] is None or not officer[i]:
            continue
        ds.alert_log.append(AlertLogEntry(cols.numbers[i], run_date[i], officer[i], contract[i], seq[i], kind[i],
                                          days[i], status[i], retry_key[i], sent_at[i], amount[i], detail[i]))


def read_dataset(store, layout: Layout, today: dt.date, max_term_years: int = 3,
                 tabs: tuple[str, ...] = DATA_TABS) -> Dataset:
    """One batch read of the data tabs, then parse."""
    return load_dataset(store.read(tabs), layout, today, max_term_years)



def ledger_states(ds: Dataset, as_of: dt.date, config: Any) -> dict[str, LedgerState]:
    """The ledger of every readable loan as of a date (contract_no -> state), from the ledger engine."""
    from ledger import ledger_options
    from sheets.book import book_of

    balances = book_of(ds, ledger_options(config)).at(as_of)
    return {no: balances.state(i) for i, no in enumerate(balances.book.keys)}
