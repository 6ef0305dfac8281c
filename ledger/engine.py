"""Every contract's ledger at once: the rules of `ledger.core`, over arrays.

`ledger.core.ledger` reads one contract at a time, in Decimal: the plain statement of the
rules and the reference. This engine applies the same rules to a whole book of contracts in
a few numpy operations, so that every figure of every channel (the chat, the daily alerts,
the month simulation, the monthly report, the data check) comes from one place, and
80,000 contracts cost milliseconds rather than seconds. It is our own rather than pandas:
the rules are a dozen array operations, and pandas would cost the webhook half a second to
import. tests/test_engine.py holds it equal to `ledger.core`, `ledger.aging` and
`ledger.alerts` field by field with hypothesis.

    book = Book.from_contracts(contracts)           # or sheets.book.book_of(dataset, options)
    day = book.at(as_of)                            # Balances: every contract as of as_of
    day.state(i)                                    # == ledger.core.ledger(contracts[i], as_of)
    day.aging(), day.summary(), day.month(month_start, fiscal_year_start)
    day.triggers(first, last, policy)               # == ledger.alerts.due_alerts

Inputs are plain arrays, independent of how the sheet was parsed:

- per contract: amount, marked ผิดสัญญา or not, loan date, due date (0 = unknown);
- per installment: contract index, due date, seq, amount;
- per payment: contract index, date, amount.

Dates are proleptic ordinals (`date.toordinal`), money whole satang in int64 (exact).

Readings decided here (the per-contract rules are `ledger.core`'s):

- A contract without a schedule owes its whole amount on its due date, seq 1
  (`ledger.core.effective_schedule`); one with neither schedule nor due date has nothing
  falling due (only the data check builds such a book: it asks what was paid).
- Sums over contracts are taken with float64 `bincount`: exact while a sum stays below
  2**53 satang (90 trillion baht).
- A contract whose loan date is after the date did not exist yet: it is left out of every
  portfolio figure of that date (summaries, aging tables, month figures, the overdue list),
  as the monthly report always did. Its own ledger (`state`) can still be asked, and its
  installments still fall due (`due_between`, `triggers`): they are what the alerts follow.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterator, Mapping, Sequence
from decimal import Decimal

import numpy as np

from core.schema import STATUS_BREACHED
from ledger.aging import AgingTable, make_table
from ledger.alerts import AlertPolicy, Trigger, latest_trigger_days, triggers_on
from ledger.core import (STATUS_BY_KEY, STATUS_KEYS, ZERO, Contract, InstallmentState, LedgerState,
                         MonthFigures, PortfolioSummary, Totals, bucket_labels)

CENT = Decimal("0.01")
_STATUS = {key: code for code, key in enumerate(STATUS_KEYS)}
CLOSED, BREACHED, ARREARS, WATCH, NORMAL = (_STATUS[k] for k in ("closed", "breached", "arrears", "watch",
                                                                "normal"))


# -- conversions at the edge ------------------------------------------------------------------
def satang(amounts: Sequence[Decimal]) -> np.ndarray:
    """Baht with at most 2 places -> int64 satang: through float64, rounded to the nearest satang
    (exact for any amount below 10**13 baht). `sheets.readers.read_amount` gives 2 places."""
    # Each distinct amount converted once: a schedule repeats its installment, and float() of a
    # Decimal goes through its text (0.03 s for the 480,000 amounts of an 80,000-loan book).
    value = {amount: float(amount) for amount in set(amounts)}
    values = np.fromiter(map(value.__getitem__, amounts), dtype=np.float64, count=len(amounts))
    return np.rint(values * 100).astype(np.int64)


def ordinals(days: Sequence[dt.date | None]) -> np.ndarray:
    """Dates -> ordinals; None -> 0 (unknown)."""
    ordinal = {day: 0 if day is None else day.toordinal() for day in set(days)}  # dates repeat
    return np.fromiter(map(ordinal.__getitem__, days), dtype=np.int64, count=len(days))


def baht(value: int | np.integer) -> Decimal:
    """Whole satang -> Decimal baht with 2 places."""
    return Decimal(int(value)).scaleb(-2)


def is_breached(marked: str | None) -> bool:
    """The status column says ผิดสัญญา (as ledger.core reads it: spaces around do not matter)."""
    return (marked or "").strip() == STATUS_BREACHED


def _ints(values: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


# -- the book ------------------------------------------------------------------------------------
class Book:
    """The contracts, their installments in coverage order and their payments, held in arrays.

    Built once per run; `at(as_of)` is then the whole book's ledger on any date.
    """

    def __init__(self, amount: Sequence[int] | np.ndarray, breached: Sequence[bool] | np.ndarray,
                 loan_date: Sequence[int] | np.ndarray, due_date: Sequence[int] | np.ndarray,
                 inst_loan: Sequence[int] | np.ndarray, inst_due: Sequence[int] | np.ndarray,
                 inst_seq: Sequence[int] | np.ndarray, inst_amount: Sequence[int] | np.ndarray,
                 pay_loan: Sequence[int] | np.ndarray, pay_day: Sequence[int] | np.ndarray,
                 pay_amount: Sequence[int] | np.ndarray, *, keys: Sequence[str] | None = None,
                 watch_days: int = 15, bucket_bounds: Sequence[int] = (30, 90), par_days: int = 30) -> None:
        self.amount = _ints(amount)
        n = self.n = len(self.amount)
        self.breached = np.asarray(breached, dtype=bool).reshape(-1)
        self.loan_date = _ints(loan_date)
        self.due_date = _ints(due_date)
        self.keys: tuple[str, ...] = tuple(keys) if keys is not None else tuple(str(i) for i in range(n))
        self.watch_days, self.par_days = int(watch_days), int(par_days)
        self.labels = bucket_labels(bucket_bounds)          # checks the bounds
        self.bucket_bounds = tuple(int(b) for b in bucket_bounds)
        if not len(self.breached) == len(self.loan_date) == len(self.due_date) == len(self.keys) == n:
            raise ValueError("every per-contract array needs one value per contract")

        i_loan, i_due, i_seq, i_amount = _ints(inst_loan), _ints(inst_due), _ints(inst_seq), _ints(inst_amount)
        if not len(i_loan) == len(i_due) == len(i_seq) == len(i_amount):
            raise ValueError("every per-installment array needs one value per installment")
        _check_index(i_loan, n, "installment")
        # The effective schedule: a contract without installments owes its amount on its due date.
        scheduled = np.bincount(i_loan, minlength=n) > 0
        lone = np.flatnonzero(~scheduled & (self.due_date > 0))
        # Coverage order: by contract, then due date, then seq (a stable sort, as effective_schedule).
        # The Dataset keeps schedules sorted, so usually only the lone contracts' one installment
        # each (a contract of its own) is out of place: a stable sort by contract alone merges them
        # in (two sorted runs: linear), where a full three-key sort took 0.04 s at 80,000 loans.
        in_order = _sorted_by(i_loan, i_due, i_seq)
        if lone.size:
            i_loan = np.concatenate((i_loan, lone))
            i_due = np.concatenate((i_due, self.due_date[lone]))
            i_seq = np.concatenate((i_seq, np.ones(lone.size, dtype=np.int64)))
            i_amount = np.concatenate((i_amount, self.amount[lone]))
        order = np.argsort(i_loan, kind="stable") if in_order else np.lexsort((i_seq, i_due, i_loan))
        if lone.size or not in_order:
            i_loan, i_due, i_seq, i_amount = i_loan[order], i_due[order], i_seq[order], i_amount[order]
        self.inst_loan, self.inst_due, self.inst_seq, self.inst_amount = i_loan, i_due, i_seq, i_amount
        self.inst_owed = np.maximum(i_amount, 0)     # a zero or negative installment asks for nothing
        contracts = np.arange(n, dtype=np.int64)
        self.inst_start = np.searchsorted(i_loan, contracts, side="left")
        self.inst_end = np.searchsorted(i_loan, contracts, side="right")
        # What the contract's earlier installments owe before each one (payments cover oldest first).
        through = np.cumsum(self.inst_owed)
        earlier_contracts = np.concatenate((np.zeros(1, dtype=np.int64), through))[self.inst_start]
        self.inst_before = through - self.inst_owed - earlier_contracts[i_loan]

        p_loan, p_day, p_amount = _ints(pay_loan), _ints(pay_day), _ints(pay_amount)
        if not len(p_loan) == len(p_day) == len(p_amount):
            raise ValueError("every per-payment array needs one value per payment")
        _check_index(p_loan, n, "payment")
        order = np.argsort(p_loan, kind="stable")
        self.pay_loan, self.pay_day, self.pay_amount = p_loan[order], p_day[order], p_amount[order]
        self._index: dict[str, int] | None = None

    # -- builders ------------------------------------------------------------------------------
    @classmethod
    def from_values(cls, *, amount: Sequence[Decimal], marked: Sequence[str | None],
                    loan_date: Sequence[dt.date | None], due_date: Sequence[dt.date | None],
                    inst_loan: Sequence[int] | np.ndarray, inst_due: Sequence[dt.date], inst_seq: Sequence[int],
                    inst_amount: Sequence[Decimal], pay_loan: Sequence[int] | np.ndarray, pay_date: Sequence[dt.date],
                    pay_amount: Sequence[Decimal], keys: Sequence[str] | None = None,
                    **options: object) -> "Book":
        """A book from plain Python columns (Decimal baht, dates, the status column as typed)."""
        breached = np.fromiter(map(is_breached, marked), dtype=bool, count=len(marked))
        return cls(satang(amount), breached, ordinals(loan_date), ordinals(due_date),
                   inst_loan, ordinals(inst_due), inst_seq, satang(inst_amount),
                   pay_loan, ordinals(pay_date), satang(pay_amount), keys=keys, **options)  # type: ignore[arg-type]

    @classmethod
    def from_contracts(cls, contracts: Sequence[Contract], loan_dates: Sequence[dt.date | None] | None = None,
                       **options: object) -> "Book":
        """A book of `ledger.core.Contract`s (amounts in whole satang), e.g. for the tests."""
        schedule = [(i, inst) for i, c in enumerate(contracts) for inst in c.schedule]
        payments = [(i, payment) for i, c in enumerate(contracts) for payment in c.payments]
        return cls.from_values(
            amount=[_whole_satang(c.amount) for c in contracts], marked=[c.marked for c in contracts],
            loan_date=list(loan_dates) if loan_dates is not None else [None] * len(contracts),
            due_date=[c.due_date for c in contracts], keys=[c.contract_no for c in contracts],
            inst_loan=[i for i, _ in schedule], inst_due=[inst.due_date for _, inst in schedule],
            inst_seq=[inst.seq for _, inst in schedule],
            inst_amount=[_whole_satang(inst.amount) for _, inst in schedule],
            pay_loan=[i for i, _ in payments], pay_date=[p.paid_date for _, p in payments],
            pay_amount=[_whole_satang(p.amount) for _, p in payments], **options)

    # -- questions -----------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.n

    def index(self, key: str) -> int | None:
        """The position of a contract number in the book."""
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self.keys)}
        return self._index.get(key)

    def installment_count(self, i: int) -> int:
        return int(self.inst_end[i] - self.inst_start[i])

    def paid_between(self, first: dt.date, last: dt.date, chosen: Sequence[bool] | None = None) -> tuple[int, int]:
        """The payments dated first..last (both included) of the chosen contracts (None: all): their
        count and their sum in satang (what รับชำระล่าสุด totals)."""
        mask = self._paid_in(first, last)
        if chosen is not None:
            mask &= np.asarray(chosen, dtype=bool)[self.pay_loan]
        return int(mask.sum()), int(self.pay_amount[mask].sum())

    def contracts_paid_between(self, first: dt.date, last: dt.date) -> list[int]:
        """The contracts (their positions, in order) with a payment dated first..last."""
        return np.unique(self.pay_loan[self._paid_in(first, last)]).tolist()

    def _paid_in(self, first: dt.date, last: dt.date) -> np.ndarray:
        return (self.pay_day >= first.toordinal()) & (self.pay_day <= last.toordinal())

    def at(self, as_of: dt.date) -> "Balances":
        """Every contract's ledger as of `as_of`."""
        return Balances(self, as_of)


def _whole_satang(amount: Decimal) -> Decimal:
    if amount != amount.quantize(CENT):
        raise ValueError(f"amount {amount} is not a whole number of satang")
    return amount


def _check_index(index: np.ndarray, n: int, what: str) -> None:
    if index.size and (index.min() < 0 or index.max() >= n):
        raise ValueError(f"a {what} points at no contract")


def _sorted_by(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> bool:
    """Already in (first, second, third) order: the Dataset keeps schedules sorted, so the sort is rare."""
    if len(first) < 2:
        return True
    d1, d2, d3 = np.diff(first), np.diff(second), np.diff(third)
    return bool(np.all((d1 > 0) | ((d1 == 0) & ((d2 > 0) | ((d2 == 0) & (d3 >= 0))))))


def _sum(codes: np.ndarray, n_groups: int, values: np.ndarray | None = None,
         category: np.ndarray | None = None, n_categories: int = 1) -> np.ndarray:
    """Per group (and category): the count of the selected contracts, or the sum of `values`.

    `codes` is each contract's group (-1: left out), `category` its category (-1: in none)."""
    chosen = codes >= 0
    index = codes
    if category is not None:
        chosen = chosen & (category >= 0)
        index = codes * n_categories + category
    weights = None if values is None else values[chosen].astype(np.float64)
    out = np.bincount(index[chosen], weights=weights, minlength=n_groups * n_categories)
    return np.rint(out).astype(np.int64).reshape(n_groups, n_categories)


class Grouping:
    """Each contract's group, for the figures per group (`Balances.summary_by` and the like).

    `keys` gives each contract's group (in the book's order); `names` the groups wanted and
    their order: every one appears in the answers, zeros when empty (default: the keys' own
    order). A contract whose key is not among the names is in no group. Made once, it serves
    every date.
    """

    def __init__(self, keys: Sequence[Hashable], names: Sequence[Hashable] | None = None) -> None:
        self.names: list[Hashable] = list(names) if names is not None else list(dict.fromkeys(keys))
        position = {name: g for g, name in enumerate(self.names)}
        self.codes = np.fromiter((position.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))


# -- one date -----------------------------------------------------------------------------------
class Balances:
    """The whole book's ledger as of one date: per-contract and per-installment arrays (satang).

    The same fields as `ledger.core.LedgerState`, one array each; `state(i)` is contract i's
    LedgerState. Group figures (summary, aging, month) count the contracts made by then.
    """

    def __init__(self, book: Book, as_of: dt.date) -> None:
        self.book, self.as_of = book, as_of
        day = self.day = as_of.toordinal()
        n = book.n
        known = book.pay_day <= day
        recorded = np.rint(np.bincount(book.pay_loan[known], weights=book.pay_amount[known].astype(np.float64),
                                       minlength=n)).astype(np.int64)
        self.paid = np.maximum(recorded, 0)                    # never below 0
        self.outstanding = np.maximum(book.amount - self.paid, 0)
        self.overpaid = np.maximum(self.paid - book.amount, 0)
        self.due_so_far = np.minimum(self._owed_until(day), np.maximum(book.amount, 0))
        self.arrears = np.maximum(self.due_so_far - self.paid, 0)
        self.open = self.outstanding > 0

        # Payments cover installments oldest first.
        self.covered = np.clip(self.paid[book.inst_loan] - book.inst_before, 0, book.inst_owed)
        self.remaining = book.inst_owed - self.covered
        # The oldest installment not fully covered, for an open contract (-1: none).
        unpaid = np.flatnonzero(self.remaining > 0)
        owner = book.inst_loan[unpaid]
        first = np.ones(owner.size, dtype=bool)
        first[1:] = owner[1:] != owner[:-1]
        self.oldest = np.full(n, -1, dtype=np.int64)
        self.oldest[owner[first]] = unpaid[first]
        self.oldest[~self.open] = -1
        has_oldest = self.oldest >= 0
        oldest_due = np.full(n, day, dtype=np.int64)
        oldest_due[has_oldest] = book.inst_due[self.oldest[has_oldest]]
        self.days_overdue = np.where(has_oldest & (oldest_due < day), day - oldest_due, 0)

        ahead = book.inst_due - day
        soon = (self.remaining > 0) & (ahead >= 0) & (ahead <= book.watch_days)
        due_soon = np.bincount(book.inst_loan[soon], minlength=n) > 0
        status = np.full(n, NORMAL, dtype=np.int64)
        status[due_soon] = WATCH
        status[self.arrears > 0] = ARREARS
        status[book.breached] = BREACHED
        status[~self.open] = CLOSED
        self.status = status
        in_arrears = self.open & (self.arrears > 0)
        bounds = np.asarray(book.bucket_bounds, dtype=np.int64)
        self.bucket = np.where(in_arrears, np.searchsorted(bounds, self.days_overdue, side="left"), -1)
        self.at_risk = self.open & ((self.days_overdue > book.par_days) | (status == BREACHED))
        # ledger.aging's rows: current 0, the buckets 1.., breached last; -1 for a closed contract.
        self.aging_row = np.where(~self.open, -1,
                                  np.where(status == BREACHED, len(book.labels) + 1,
                                           np.where(in_arrears, 1 + self.bucket, 0)))
        self.made = (book.loan_date == 0) | (book.loan_date <= day)

    def __len__(self) -> int:
        return self.book.n

    def _owed_until(self, day: int, before: bool = False) -> np.ndarray:
        """Per contract: what its installments due on or before `day` (before it) ask for."""
        book = self.book
        due = book.inst_due < day if before else book.inst_due <= day
        return np.rint(np.bincount(book.inst_loan[due], weights=book.inst_owed[due].astype(np.float64),
                                   minlength=book.n)).astype(np.int64)

    def owed_by(self, day: dt.date, before: bool = False) -> np.ndarray:
        """Per contract (satang): what its installments due on or before `day` (before it, with
        `before`) ask for, never more than its amount: the ledger's due so far on that day. With
        this date's payments (`paid`, oldest installment first) it says what a month still asks:
        max(0, owed_by(last day) − paid)."""
        return np.minimum(self._owed_until(day.toordinal(), before), np.maximum(self.book.amount, 0))

    # -- one contract ------------------------------------------------------------------------------
    def state(self, i: int) -> LedgerState:
        """Contract i's LedgerState: equal to ledger.core.ledger of that contract as of the date."""
        book, day = self.book, self.day
        lo, hi = int(book.inst_start[i]), int(book.inst_end[i])
        dues = book.inst_due[lo:hi].tolist()
        remaining = self.remaining[lo:hi].tolist()
        installments = tuple(
            InstallmentState(seq, dt.date.fromordinal(due), baht(amount), baht(covered), baht(left))
            for seq, due, amount, covered, left in zip(book.inst_seq[lo:hi].tolist(), dues,
                                                       book.inst_amount[lo:hi].tolist(),
                                                       self.covered[lo:hi].tolist(), remaining))
        oldest = int(self.oldest[i])
        oldest_unpaid = installments[oldest - lo] if oldest >= 0 else None
        next_installment = None
        if self.open[i]:
            next_installment = next((s for s, due, left in zip(installments, dues, remaining)
                                     if left > 0 and due >= day), None)
        key = STATUS_KEYS[int(self.status[i])]
        bucket = int(self.bucket[i])
        return LedgerState(
            contract_no=book.keys[i], as_of=self.as_of, amount=baht(book.amount[i]), paid=baht(self.paid[i]),
            outstanding=baht(self.outstanding[i]), overpaid=baht(self.overpaid[i]),
            due_so_far=baht(self.due_so_far[i]), arrears=baht(self.arrears[i]),
            days_overdue=int(self.days_overdue[i]), oldest_unpaid=oldest_unpaid,
            next_installment=next_installment, installments=installments, status=STATUS_BY_KEY[key],
            status_key=key, bucket=book.labels[bucket] if bucket >= 0 else None, at_risk=bool(self.at_risk[i]))

    def states(self) -> "StateMap":
        """Every contract's LedgerState by contract number, each made when first asked for."""
        return StateMap(self)

    def installment(self, k: int) -> InstallmentState:
        """Installment k (a position in the book's installment arrays) as of the date."""
        book = self.book
        return InstallmentState(int(book.inst_seq[k]), dt.date.fromordinal(int(book.inst_due[k])),
                                baht(book.inst_amount[k]), baht(self.covered[k]), baht(self.remaining[k]))

    def contract_of(self, k: int) -> int:
        """The contract installment k belongs to."""
        return int(self.book.inst_loan[k])

    def unpaid_installment(self, i: int, seq: int) -> int | None:
        """The first installment of contract i numbered `seq` with something to pay (None when
        there is none, or the contract is closed)."""
        book = self.book
        if not self.open[i]:
            return None
        lo, hi = int(book.inst_start[i]), int(book.inst_end[i])
        found = np.flatnonzero((book.inst_seq[lo:hi] == seq) & (self.remaining[lo:hi] > 0))
        return lo + int(found[0]) if found.size else None

    def still_owed_on(self, k: int) -> Decimal:
        """What an alert about installment k names: still to pay on it, never more than its contract owes."""
        return baht(min(self.remaining[k], self.outstanding[self.book.inst_loan[k]]))

    def still_owed(self) -> np.ndarray:
        """Per installment: what is still to pay on it, never more than its contract owes
        (0 once the contract is closed): the amount an alert names."""
        return np.minimum(self.remaining, self.outstanding[self.book.inst_loan])

    # -- lists ---------------------------------------------------------------------------------------
    def due_between(self, first: dt.date, last: dt.date, where: Sequence[bool] | None = None) -> list[int]:
        """Installments (positions) of open contracts with something to pay, due from first to last."""
        book = self.book
        chosen = (self.remaining > 0) & self.open[book.inst_loan] & \
            (book.inst_due >= first.toordinal()) & (book.inst_due <= last.toordinal())
        if where is not None:
            chosen &= np.asarray(where, dtype=bool)[book.inst_loan]
        return np.flatnonzero(chosen).tolist()

    def remaining_total(self, installments: Sequence[int]) -> Decimal:
        """What is still to pay on these installments, together."""
        return baht(self.remaining[np.asarray(installments, dtype=np.int64)].sum())

    def overdue(self, where: Sequence[bool] | None = None) -> list[int]:
        """The contracts in the aging table's overdue rows (open, in arrears or marked ผิดสัญญา)."""
        chosen = self.made & (self.aging_row >= 1)
        if where is not None:
            chosen &= np.asarray(where, dtype=bool)
        return np.flatnonzero(chosen).tolist()

    def open_contracts(self) -> list[int]:
        """The open contracts made by the date (outstanding > 0)."""
        return np.flatnonzero(self.made & self.open).tolist()

    def overpaid_contracts(self) -> list[int]:
        """The contracts paid above their amount (an error for the data check)."""
        return np.flatnonzero(self.overpaid > 0).tolist()

    def late_contracts(self) -> list[int]:
        """The contracts with days overdue > 0 (whatever their loan date)."""
        return np.flatnonzero(self.days_overdue > 0).tolist()

    def late_installments(self) -> list[int]:
        """Installments (positions) due before the date and not fully covered (the contract may be closed)."""
        return np.flatnonzero((self.book.inst_due < self.day) & (self.remaining > 0)).tolist()

    def due_on(self, first: dt.date, last: dt.date) -> list[int]:
        """Installments (positions) due from first to last, paid or not."""
        due = self.book.inst_due
        return np.flatnonzero((due >= first.toordinal()) & (due <= last.toordinal())).tolist()

    # -- alerts --------------------------------------------------------------------------------------
    def triggers(self, first: dt.date, last: dt.date, policy: AlertPolicy) -> list[tuple[int, Trigger]]:
        """(contract, Trigger) for the trigger days first..last: what ledger.alerts.due_alerts gives
        when the date is the run date and [first, last] its alert_window."""
        book = self.book
        latest = latest_trigger_days(book.inst_due, first, last, policy)
        owed = self.still_owed()
        hits = np.flatnonzero((latest >= 0) & (self.remaining > 0) & (owed > 0))
        out: list[tuple[int, Trigger]] = []
        for k, day_ordinal, due_ordinal, seq, amount, i in zip(
                hits.tolist(), latest[hits].tolist(), book.inst_due[hits].tolist(), book.inst_seq[hits].tolist(),
                owed[hits].tolist(), book.inst_loan[hits].tolist()):
            day, due = dt.date.fromordinal(day_ordinal), dt.date.fromordinal(due_ordinal)
            kind = triggers_on(day, due, policy.before_due_days, policy.overdue_days, policy.overdue_repeat_days)
            assert kind is not None
            out.append((i, Trigger(contract_no=book.keys[i], seq=seq, due_date=due, kind=kind, trigger_date=day,
                                   days=abs(due_ordinal - day_ordinal), amount=baht(amount))))
        return out

    # -- groups --------------------------------------------------------------------------------------
    def _codes(self, groups: Grouping | None, where: Sequence[bool] | None) -> tuple[np.ndarray, int]:
        """Each contract's group (-1: left out: not made yet, not chosen, or in no named group)."""
        if groups is None:
            codes, n_groups = np.zeros(self.book.n, dtype=np.int64), 1
        else:
            if len(groups.codes) != self.book.n:
                raise ValueError("a grouping needs one key per contract")
            codes, n_groups = groups.codes, len(groups.names)
        chosen = self.made if where is None else self.made & np.asarray(where, dtype=bool)
        return np.where(chosen, codes, -1), n_groups

    def summary(self, where: Sequence[bool] | None = None) -> PortfolioSummary:
        """ledger.core.portfolio_summary of the chosen contracts made by the date."""
        return self._summaries(*self._codes(None, where))[0]

    def summary_by(self, groups: Grouping, where: Sequence[bool] | None = None) -> dict[Hashable, PortfolioSummary]:
        """One portfolio summary per group."""
        return dict(zip(groups.names, self._summaries(*self._codes(groups, where))))

    def aging(self, where: Sequence[bool] | None = None) -> AgingTable:
        """ledger.aging.aging_table of the chosen contracts made by the date."""
        return self._aging(*self._codes(None, where))[0]

    def aging_by(self, groups: Grouping, where: Sequence[bool] | None = None) -> dict[Hashable, AgingTable]:
        """One aging table per group."""
        return dict(zip(groups.names, self._aging(*self._codes(groups, where))))

    def month(self, month_start: dt.date, fiscal_year_start: dt.date,
              where: Sequence[bool] | None = None) -> MonthFigures:
        """The month figures of the chosen contracts made by the date (ledger.core.month_figures, summed)."""
        return self._month(month_start, fiscal_year_start, *self._codes(None, where))[0]

    def month_by(self, month_start: dt.date, fiscal_year_start: dt.date, groups: Grouping,
                 where: Sequence[bool] | None = None) -> dict[Hashable, MonthFigures]:
        """One MonthFigures per group."""
        return dict(zip(groups.names, self._month(month_start, fiscal_year_start, *self._codes(groups, where))))

    def _summaries(self, codes: np.ndarray, n_groups: int) -> list[PortfolioSummary]:
        book = self.book
        contracts = _sum(codes, n_groups)[:, 0]
        open_ = _sum(np.where(self.open, codes, -1), n_groups)[:, 0]
        overdue = _sum(np.where(self.arrears > 0, codes, -1), n_groups)[:, 0]
        outstanding = _sum(codes, n_groups, self.outstanding)[:, 0]
        arrears = _sum(codes, n_groups, self.arrears)[:, 0]
        at_risk = _sum(np.where(self.at_risk, codes, -1), n_groups, self.outstanding)[:, 0]
        n_status, n_buckets = len(STATUS_KEYS), len(book.labels)
        by_status = [_sum(codes, n_groups, values, self.status, n_status)
                     for values in (None, self.outstanding, self.arrears)]
        by_bucket = [_sum(codes, n_groups, values, self.bucket, n_buckets)
                     for values in (None, self.outstanding, self.arrears)]
        out = []
        for g in range(n_groups):
            total, risky = baht(outstanding[g]), baht(at_risk[g])
            out.append(PortfolioSummary(
                contracts=int(contracts[g]), loans_open=int(open_[g]), outstanding=total,
                arrears=baht(arrears[g]), overdue_loans=int(overdue[g]), at_risk_outstanding=risky,
                par30=risky / total if total > 0 else ZERO, par_days=book.par_days,
                by_status={key: Totals(int(by_status[0][g, s]), baht(by_status[1][g, s]), baht(by_status[2][g, s]))
                           for s, key in enumerate(STATUS_KEYS)},
                by_bucket={label: Totals(int(by_bucket[0][g, b]), baht(by_bucket[1][g, b]),
                                         baht(by_bucket[2][g, b])) for b, label in enumerate(book.labels)}))
        return out

    def _aging(self, codes: np.ndarray, n_groups: int) -> list[AgingTable]:
        rows = len(self.book.labels) + 2
        counts = _sum(codes, n_groups, None, self.aging_row, rows)
        arrears = _sum(codes, n_groups, self.arrears, self.aging_row, rows)
        outstanding = _sum(codes, n_groups, self.outstanding, self.aging_row, rows)
        bounds = self.book.bucket_bounds
        return [make_table(bounds, counts[g].tolist(), [baht(a) for a in arrears[g].tolist()],
                           [baht(o) for o in outstanding[g].tolist()]) for g in range(n_groups)]

    def _month(self, month_start: dt.date, fiscal_year_start: dt.date, codes: np.ndarray,
               n_groups: int) -> list[MonthFigures]:
        book, day = self.book, self.day
        first, fiscal = month_start.toordinal(), fiscal_year_start.toordinal()
        due_before = np.minimum(self._owed_until(first, before=True), np.maximum(book.amount, 0))
        due_in_month = self.due_so_far - due_before
        paid_of_due = np.minimum(np.maximum(self.paid - due_before, 0), due_in_month)
        known = book.pay_day <= day

        def received(since: int) -> np.ndarray:
            chosen = known & (book.pay_day >= since)
            return np.rint(np.bincount(book.pay_loan[chosen], weights=book.pay_amount[chosen].astype(np.float64),
                                       minlength=book.n)).astype(np.int64)

        in_month = (book.inst_due >= first) & (book.inst_due <= day) & (book.inst_owed > 0)
        installments = np.bincount(book.inst_loan[in_month], minlength=book.n)
        sums = [_sum(codes, n_groups, values)[:, 0] for values in
                (installments, due_in_month, paid_of_due, received(first), received(fiscal))]
        return [MonthFigures(int(sums[0][g]), baht(sums[1][g]), baht(sums[2][g]), baht(sums[3][g]),
                             baht(sums[4][g])) for g in range(n_groups)]


class StateMap(Mapping[str, LedgerState]):
    """Contract number -> LedgerState as of the date, each made on first use and kept."""

    def __init__(self, balances: Balances) -> None:
        self.balances = balances
        self._made: dict[int, LedgerState] = {}

    def __getitem__(self, key: str) -> LedgerState:
        i = self.balances.book.index(key)
        if i is None:
            raise KeyError(key)
        return self.at(i)

    def at(self, i: int) -> LedgerState:
        found = self._made.get(i)
        if found is None:
            found = self._made[i] = self.balances.state(i)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.balances.book.keys)

    def __len__(self) -> int:
        return self.balances.book.n


__all__ = ["Balances", "Book", "Grouping", "StateMap", "baht", "is_breached", "ordinals", "satang"]
