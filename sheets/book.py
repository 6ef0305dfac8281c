"""The ledger engine's book of a Dataset's loans, built once per run (the 80,000-loan path).

`ledger.engine.Book` takes plain columns; here the Dataset's loans, installments and
payments become those columns, in one pass of plain lists (numpy arrays only at the end:
the quickest way at 80,000 loans). Every figure of a run then comes from `book.at(day)`.

Typed with Protocols rather than `sheets.model`'s classes: `sheets.model.ledger_states`
uses this module, and a module may not import itself back through another.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from ledger.engine import Balances, Book


class LoanRow(Protocol):
    contract_no: str
    fund_id: str
    borrower_name: str
    citizen_id: str | None
    amount: Decimal | None
    loan_date: dt.date | None
    due_date: dt.date | None
    status_mark: str | None


class InstallmentRow(Protocol):
    seq: int
    due_date: dt.date
    amount: Decimal


class PaymentRow(Protocol):
    paid_date: dt.date
    amount: Decimal


class LoanData(Protocol):
    """What a book is made of (sheets.model.Dataset)."""

    @property
    def installments(self) -> Mapping[str, Sequence[InstallmentRow]]: ...

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
    inst_loan: list[int] = []
    inst_due: list[dt.date] = []
    inst_seq: list[int] = []
    inst_amount: list[Decimal] = []
    pay_loan: list[int] = []
    pay_date: list[dt.date] = []
    pay_amount: list[Decimal] = []
    installments, payments = ds.installments, ds.payments
    for i, loan in enumerate(chosen):
        schedule = installments.get(loan.contract_no) if schedules else None
        if schedule:
            inst_loan += [i] * len(schedule)
            inst_due += [inst.due_date for inst in schedule]
            inst_seq += [inst.seq for inst in schedule]
            inst_amount += [inst.amount for inst in schedule]
        paid = payments.get(loan.contract_no)
        if paid:
            pay_loan += [i] * len(paid)
            pay_date += [p.paid_date for p in paid]
            pay_amount += [p.amount for p in paid]
    engine = Book.from_values(
        amount=[loan.amount or Decimal(0) for loan in chosen], marked=[loan.status_mark for loan in chosen],
        loan_date=[loan.loan_date for loan in chosen],
        due_date=[loan.due_date if schedules else None for loan in chosen],
        inst_loan=inst_loan, inst_due=inst_due, inst_seq=inst_seq, inst_amount=inst_amount,
        pay_loan=pay_loan, pay_date=pay_date, pay_amount=pay_amount,
        keys=[loan.contract_no for loan in chosen], **dict(options or {}))
    return SheetBook(chosen, engine)


__all__ = ["LoanData", "LoanRow", "SheetBook", "book_of"]
