"""A contract's ledger as of one date, and portfolio measures (spec: ledger-and-alerts.md).

Pure functions: no I/O, no clock. The date `as_of` is always passed in, and the
inputs are plain values, independent of how the sheet was parsed.

Readings of the spec decided here (the spec leaves them open):

- "ปิดสัญญา when ... the status column says ปิดสัญญา and nothing contradicts it":
  money still owed (outstanding > 0) contradicts it, so a contract is closed
  exactly when outstanding is 0. A row typed ปิดสัญญา with money owed is judged
  by the rest of the status table; the data check reports the mismatch.
- A schedule that does not add up to the contract amount (a data error reported
  elsewhere): the schedule says WHEN and HOW MUCH falls due, the contract
  amount says what is OWED. So outstanding = amount − paid; payments cover the
  installments as typed; due so far is capped at the amount (nobody owes more
  than the loan), which keeps arrears ≤ outstanding. Money owed beyond a short
  schedule never falls due (it shows as outstanding, never as arrears).
- When outstanding is 0 nothing is owed: days overdue is 0 and there is no
  oldest unpaid or next installment, even if an over-long schedule still shows
  an uncovered installment.
- The total paid is never below 0: a negative net of payment rows (corrections
  gone wrong) is a data error and cannot raise the debt above the loan.
- An installment due today and unpaid counts in "due so far" (due date ≤ D), so
  it is arrears with 0 days overdue; such a contract sits in the first bucket.
- The bucket is set for every open contract with arrears (ผิดสัญญา included,
  since a breached loan still ages), and is None otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable, Sequence

from core.schema import STATUS_BREACHED, STATUS_CLOSED, STATUS_NORMAL

ZERO = Decimal(0)

# Statuses the ledger adds to the three words a person may type in the sheet.
STATUS_ARREARS = "ค้างชำระ"
STATUS_WATCH = "ใกล้ครบกำหนด"

# status_key -> Thai status, in the order the status table is read.
STATUS_BY_KEY: dict[str, str] = {
    "closed": STATUS_CLOSED,
    "breached": STATUS_BREACHED,
    "arrears": STATUS_ARREARS,
    "watch": STATUS_WATCH,
    "normal": STATUS_NORMAL,
}
STATUS_KEYS: tuple[str, ...] = tuple(STATUS_BY_KEY)


@dataclass(frozen=True)
class Installment:
    seq: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    paid_date: date
    amount: Decimal


@dataclass(frozen=True)
class Contract:
    contract_no: str
    amount: Decimal
    due_date: date
    schedule: tuple[Installment, ...]  # empty -> one installment: whole amount on due_date (seq 1)
    payments: tuple[Payment, ...]
    marked: str | None = None  # the status column as typed: None/"ปกติ"/"ผิดสัญญา"/"ปิดสัญญา"


@dataclass(frozen=True)
class InstallmentState:
    """One installment as of the ledger date: `paid` is what payments cover, oldest first."""

    seq: int
    due_date: date
    amount: Decimal
    paid: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class LedgerState:
    contract_no: str
    as_of: date
    amount: Decimal
    paid: Decimal            # payments dated on or before as_of
    outstanding: Decimal     # max(0, amount − paid)
    overpaid: Decimal        # paid above the loan; > 0 is an error for the data check
    due_so_far: Decimal      # installments due on or before as_of, capped at the amount
    arrears: Decimal         # max(0, due_so_far − paid)
    days_overdue: int
    oldest_unpaid: InstallmentState | None     # oldest not fully covered, whatever its due date
    next_installment: InstallmentState | None  # oldest not fully covered with due date ≥ as_of
    installments: tuple[InstallmentState, ...]
    status: str              # Thai, one of STATUS_BY_KEY's values
    status_key: str          # one of STATUS_KEYS
    bucket: str | None       # arrears bucket label, e.g. "1-30"; None without arrears
    at_risk: bool            # counts towards PAR: more than par_days overdue, or breached


def _check_bounds(bucket_bounds: Sequence[int]) -> tuple[int, ...]:
    bounds = tuple(bucket_bounds)
    for low, high in zip((0,) + bounds, bounds):
        if high <= low:
            raise ValueError(f"bucket_bounds must be increasing positive days, got {list(bounds)}")
    return bounds


def bucket_labels(bucket_bounds: Sequence[int] = (30, 90)) -> tuple[str, ...]:
    """Labels of the arrears buckets: (30, 90) -> ("1-30", "31-90", "90+")."""
    bounds = _check_bounds(bucket_bounds)
    labels: list[str] = []
    low = 1
    for high in bounds:
        labels.append(f"{low}-{high}")
        low = high + 1
    labels.append(f"{bounds[-1]}+" if bounds else "1+")
    return tuple(labels)


def bucket_for(days_overdue: int, bucket_bounds: Sequence[int] = (30, 90)) -> str:
    """The bucket label for a contract in arrears; 0 days (due today) is in the first bucket."""
    bounds = _check_bounds(bucket_bounds)
    labels = bucket_labels(bounds)
    for label, high in zip(labels, bounds):
        if days_overdue <= high:
            return label
    return labels[-1]


def effective_schedule(contract: Contract) -> tuple[Installment, ...]:
    """The installments in coverage order (due date, then seq); one for the whole amount if none."""
    schedule = contract.schedule or (Installment(1, contract.due_date, contract.amount),)
    return tuple(sorted(schedule, key=lambda inst: (inst.due_date, inst.seq)))


def _owed(inst: Installment) -> Decimal:
    # A zero or negative installment amount (a typing error) asks for nothing.
    return max(ZERO, inst.amount)


def ledger(contract: Contract, as_of: date, watch_days: int = 15,
           bucket_bounds: Sequence[int] = (30, 90), par_days: int = 30) -> LedgerState:
    """The contract's balances and status as of `as_of`."""
    schedule = effective_schedule(contract)
    recorded = sum((p.amount for p in contract.payments if p.paid_date <= as_of), ZERO)
    paid = max(ZERO, recorded)
    outstanding = max(ZERO, contract.amount - paid)
    overpaid = max(ZERO, paid - contract.amount)

    # Payments cover installments oldest first.
    pool = paid
    installments: list[InstallmentState] = []
    for inst in schedule:
        covered = min(_owed(inst), pool)
        pool -= covered
        installments.append(InstallmentState(inst.seq, inst.due_date, inst.amount,
                                             covered, _owed(inst) - covered))

    scheduled_due = sum((_owed(i) for i in schedule if i.due_date <= as_of), ZERO)
    due_so_far = min(scheduled_due, max(ZERO, contract.amount))
    arrears = max(ZERO, due_so_far - paid)

    oldest_unpaid: InstallmentState | None = None
    next_installment: InstallmentState | None = None
    if outstanding > 0:
        unpaid = [s for s in installments if s.remaining > 0]
        oldest_unpaid = unpaid[0] if unpaid else None
        next_installment = next((s for s in unpaid if s.due_date >= as_of), None)
    days_overdue = 0
    if oldest_unpaid is not None and oldest_unpaid.due_date < as_of:
        days_overdue = (as_of - oldest_unpaid.due_date).days

    marked = (contract.marked or "").strip()
    due_soon = any(s.remaining > 0 and 0 <= (s.due_date - as_of).days <= watch_days
                   for s in installments)
    if outstanding == 0:
        status_key = "closed"
    elif marked == STATUS_BREACHED:
        status_key = "breached"
    elif arrears > 0:
        status_key = "arrears"
    elif due_soon:
        status_key = "watch"
    else:
        status_key = "normal"

    bucket = bucket_for(days_overdue, bucket_bounds) if outstanding > 0 and arrears > 0 else None
    at_risk = outstanding > 0 and (days_overdue > par_days or status_key == "breached")

    return LedgerState(
        contract_no=contract.contract_no, as_of=as_of, amount=contract.amount, paid=paid,
        outstanding=outstanding, overpaid=overpaid, due_so_far=due_so_far, arrears=arrears,
        days_overdue=days_overdue, oldest_unpaid=oldest_unpaid, next_installment=next_installment,
        installments=tuple(installments), status=STATUS_BY_KEY[status_key], status_key=status_key,
        bucket=bucket, at_risk=at_risk,
    )


def _is_at_risk(state: LedgerState, par_days: int) -> bool:
    return state.outstanding > 0 and (state.days_overdue > par_days or state.status_key == "breached")


def par(states: Iterable[LedgerState], par_days: int = 30) -> Decimal:
    """Portfolio at risk (0..1): outstanding more than par_days overdue or breached ÷ all outstanding."""
    total = ZERO
    at_risk = ZERO
    for state in states:
        total += state.outstanding
        if _is_at_risk(state, par_days):
            at_risk += state.outstanding
    return at_risk / total if total > 0 else ZERO


@dataclass(frozen=True)
class Totals:
    """A count of contracts with the sums of their outstanding and arrears."""

    count: int = 0
    outstanding: Decimal = ZERO
    arrears: Decimal = ZERO

    def add(self, state: LedgerState) -> "Totals":
        return Totals(self.count + 1, self.outstanding + state.outstanding,
                      self.arrears + state.arrears)


@dataclass(frozen=True)
class PortfolioSummary:
    """Counts and sums over a set of contracts, for the monthly report and the chat summary."""

    contracts: int                 # all contracts given, closed included
    loans_open: int                # outstanding > 0
    outstanding: Decimal
    arrears: Decimal
    overdue_loans: int             # open contracts with arrears > 0 (breached ones included)
    at_risk_outstanding: Decimal
    par30: Decimal                 # PAR with par_days (30 unless told otherwise)
    par_days: int
    by_status: dict[str, Totals] = field(default_factory=dict)  # status_key -> totals, all five keys
    by_bucket: dict[str, Totals] = field(default_factory=dict)  # bucket label -> totals, every label


def portfolio_summary(states: Iterable[LedgerState], bucket_bounds: Sequence[int] = (30, 90),
                      par_days: int = 30) -> PortfolioSummary:
    """Sum a portfolio's ledger states; every status and bucket appears, zero when empty."""
    states = list(states)
    by_status = {key: Totals() for key in STATUS_KEYS}
    by_bucket = {label: Totals() for label in bucket_labels(bucket_bounds)}
    for state in states:
        by_status[state.status_key] = by_status[state.status_key].add(state)
        if state.bucket is not None:
            # A state made with other bounds keeps its own label rather than being lost.
            by_bucket[state.bucket] = by_bucket.get(state.bucket, Totals()).add(state)
    return PortfolioSummary(
        contracts=len(states),
        loans_open=sum(1 for s in states if s.outstanding > 0),
        outstanding=sum((s.outstanding for s in states), ZERO),
        arrears=sum((s.arrears for s in states), ZERO),
        overdue_loans=sum(1 for s in states if s.arrears > 0),
        at_risk_outstanding=sum((s.outstanding for s in states if _is_at_risk(s, par_days)), ZERO),
        par30=par(states, par_days),
        par_days=par_days,
        by_status=by_status,
        by_bucket=by_bucket,
    )


@dataclass(frozen=True)
class MonthFigures:
    """What fell due and was collected in a month, as of a date (the report's arrears part).

    `due_in_month` is what the ledger counts as falling due in the month up to as_of (capped
    at the loan, as due so far is); `paid_of_due` the part of it the payments so far cover
    (oldest installment first); `collected_in_month` and `repaid_fiscal_year` the money
    received from the month's (the fiscal year's) first day up to as_of, whatever it paid for.
    """

    due_installments: int = 0      # installments due in the month up to as_of that ask for money
    due_in_month: Decimal = ZERO
    paid_of_due: Decimal = ZERO
    collected_in_month: Decimal = ZERO
    repaid_fiscal_year: Decimal = ZERO

    def add(self, other: "MonthFigures") -> "MonthFigures":
        return MonthFigures(self.due_installments + other.due_installments,
                            self.due_in_month + other.due_in_month, self.paid_of_due + other.paid_of_due,
                            self.collected_in_month + other.collected_in_month,
                            self.repaid_fiscal_year + other.repaid_fiscal_year)


def month_figures(contract: Contract, as_of: date, month_start: date, fiscal_year_start: date) -> MonthFigures:
    """One contract's month figures, the plain reading: the reference the engine is tested against."""
    now = ledger(contract, as_of)
    due_before = ledger(contract, month_start - timedelta(days=1)).due_so_far
    due_in_month = now.due_so_far - due_before
    received = [p for p in contract.payments if p.paid_date <= as_of]
    return MonthFigures(
        due_installments=sum(1 for inst in effective_schedule(contract)
                             if month_start <= inst.due_date <= as_of and _owed(inst) > 0),
        due_in_month=due_in_month,
        paid_of_due=min(max(ZERO, now.paid - due_before), due_in_month),
        collected_in_month=sum((p.amount for p in received if p.paid_date >= month_start), ZERO),
        repaid_fiscal_year=sum((p.amount for p in received if p.paid_date >= fiscal_year_start), ZERO),
    )


def ledger_options(cfg: object) -> dict[str, object]:
    """Keyword arguments for ledger() from config (cfg.ledger.*): ledger(c, d, **ledger_options(cfg))."""
    section = cfg.ledger  # type: ignore[attr-defined]
    return {"watch_days": section.watch_days, "bucket_bounds": tuple(section.bucket_bounds),
            "par_days": section.par_days}
