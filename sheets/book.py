"""The ledger engine's book of a Dataset's loans, built once per run (the 80,000-loan path).

`ledger.engine.Book` takes plain columns; here the Dataset's loans, installments and
payments become those columns: the schedules are columns already (`sheets.records.Schedules`,
the book's rows picked out of them), the loans and payments plain lists made by comprehensions
over the whole book, each payment's loan one numpy repeat. Every figure of a run then comes
from `book.at(day)`.

Typed with Protocols rather than `sheets.model`'s classes: `sheets.model.ledger_states`
uses this module, and a module may not import itself back through another.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Protocol

import numpy as np

from ledger.engine import Balances, Book, is_breached, ordinals, satang
from sheets.records import Schedules


class LoanRow(Protocol):
    contract_no: str
    fund_id: str
    borrower_name: str
    citizen_id: str | None
    amount: Decimal | None
    loan_date: dt.date | None
    due_date: dt.date | None
    status_mark: str | None


class PaymentRow(Protocol):
    paid_date: dt.date
    amount: Decimal


class LoanData(Protocol):
    """What a book is made of (sheets.model.Dataset)."""

    @property
    def installments(self) -> Schedules: ...

    @property
    def payments(self) -> Mapping[str, Sequence[PaymentRow]]: ...

    def readable_loans(self) -> Iterable[LoanRow]: ...


@dataclass
class SheetBook:
    """The loans of a book, in the book's order, beside the engine's book."""

    loans: list[LoanRow]
    engine: Book
    _by_day: dict[dt.date, Balances] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.loans)

    def at(self, as_of: dt.date) -> Balances:
        """Every loan's ledger as of a date (the latest date asked for is kept)."""
        found = self._by_day.get(as_of)
        if found is None:
            self._by_day.clear()   # one date kept: at 80,000 loans a day's arrays are tens of MB
            found = self._by_day[as_of] = self.engine.at(as_of)
        return found

    def index(self, contract_no: str) -> int | None:
        return self.engine.index(contract_no)

    def fund_ids(self) -> list[str]:
        """Each loan's fund, in the book's order (the key of the per-fund figures)."""
        return [loan.fund_id for loan in self.loans]


def book_of(ds: LoanData, options: Mapping[str, object] | None = None, loans: Iterable[LoanRow] | None = None,
            schedules: bool = True) -> SheetBook:
    """The book of `loans` (default: the readable loans) with their installments and payments.

    `options`: `ledger.ledger_options(config)`. `schedules=False` leaves the installments
    and due dates out: for a question about payments only (the data check's overpayment),
    which may then ask about loans whose due date could not be read.
    """
    chosen = list(ds.readable_loans() if loans is None else loans)
    keys = [loan.contract_no for loan in chosen]
    # The schedules are columns already (sheets.records.Schedules): the book's rows are picked out.
    inst_loan, inst_due, inst_seq, inst_amount = ds.installments.rows_of(keys if schedules else ())
    payments = ds.payments
    # Each loan's payments, then one flat list of them: comprehensions over the whole book rather
    # than a list extended per loan (0.1 s of the 80,000-loan book).
    paid_of = [payments.get(key) or () for key in keys]
    paid = [payment for rows in paid_of for payment in rows]
    marks = [loan.status_mark for loan in chosen]
    breached = {mark: is_breached(mark) for mark in set(marks)}   # a handful of words, typed 80,000 times
    engine = Book(
        satang([loan.amount or Decimal(0) for loan in chosen]),
        np.fromiter(map(breached.__getitem__, marks), dtype=bool, count=len(chosen)),
        ordinals([loan.loan_date for loan in chosen]),
        ordinals([loan.due_date if schedules else None for loan in chosen]),
        inst_loan, inst_due, inst_seq, inst_amount,
        _owners(paid_of), ordinals(list(map(_PAID_DATE, paid))), satang(list(map(_AMOUNT, paid))),
        keys=keys, **dict(options or {}))  # type: ignore[arg-type]
    return SheetBook(chosen, engine)


_PAID_DATE, _AMOUNT = attrgetter("paid_date"), attrgetter("amount")


def _owners(rows_of: Sequence[Sized]) -> np.ndarray:
    """Each row's loan (its position in the book), for the rows flattened in the book's order."""
    return np.repeat(np.arange(len(rows_of), dtype=np.int64), np.fromiter(map(len, rows_of), np.int64, len(rows_of)))


__all__ = ["LoanData", "LoanRow", "SheetBook", "book_of"]
