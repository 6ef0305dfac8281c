"""Who gets a notice letter, and which one: overdue borrowers of a district, numbered by the log.

A borrower gets a letter when an open contract of theirs is in arrears and at least `min_days`
overdue as of the day (the ledger engine's days overdue: from the oldest installment not fully
covered). The letter is the contract's notice number 1 + the letters already logged for it in
หนังสือแจ้งเตือน (first, second, third ...), so the next run knows; a contract that had one less
than `min_gap_days` ago is left out this time (a rerun on the same day issues nothing twice).
Its number "ที่" is `<prefix> <fund id>/<n>`, n counting the fund's letters of the B.E. year.
The fund committee's chair signs: the กรรมการ tab's ประธาน whose term covers the day.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

from core.thai import BE_OFFSET, date_th
from ledger.core import InstallmentState, LedgerState
from ledger.engine import Balances
from sheets import readers
from sheets.book import SheetBook
from sheets.parse.tab import TabReader
from sheets.records import CommitteeMember, Dataset, Fund, Loan
from sheets.store import Layout, Table

CHAIR = "ประธาน"


@dataclass(frozen=True)
class NoticeEntry:
    """A row of หนังสือแจ้งเตือน: a letter issued."""

    row: int
    issued_date: dt.date
    contract_no: str
    notice_no: int
    letter_no: str = ""
    fund_id: str = ""
    issued_by: str = ""


def parse_notices(table: Table | None, layout: Layout) -> list[NoticeEntry]:
    """The log as typed (a row without a date or a contract is not a letter); a missing tab is empty."""
    if table is None or not table.exists:
        return []
    tab = TabReader(layout, "notices", table, layout.positions("notices", table))
    issued = tab.read("issued_date", readers.read_date, required=True)
    contract, number = tab.text("contract_no", required=True), tab.read("notice_no", readers.read_int)
    letter, fund, by = tab.text("letter_no"), tab.text("fund_id"), tab.text("issued_by")
    return [NoticeEntry(tab.numbers[i], issued[i], contract[i], number[i] or 0, letter[i], fund[i], by[i])
            for i in range(tab.n) if issued[i] is not None and contract[i]]


@dataclass(frozen=True)
class Notice:
    """One letter to issue."""

    loan: Loan
    fund: Fund
    state: LedgerState
    notice_no: int
    letter_no: str
    issued: dt.date
    pay_by: dt.date
    chair: CommitteeMember | None
    previous: NoticeEntry | None

    @property
    def unpaid(self) -> tuple[InstallmentState, ...]:
        """The installments due by the day with something still to pay (what the letter lists)."""
        return tuple(i for i in self.state.installments if i.remaining > 0 and i.due_date <= self.issued)

    def record(self, issued_by: str, issued_at: dt.datetime) -> dict[str, Any]:
        """The row the log gets."""
        return {"issued_date": self.issued, "contract_no": self.loan.contract_no, "notice_no": self.notice_no,
                "letter_no": self.letter_no, "fund_id": self.fund.fund_id, "borrower_name": self.loan.borrower_name,
                "days_overdue": self.state.days_overdue, "arrears": self.state.arrears, "issued_by": issued_by,
                "issued_at": issued_at}


@dataclass(frozen=True)
class Skipped:
    loan: Loan
    state: LedgerState
    reason: str


@dataclass
class NoticePlan:
    district: str
    as_of: dt.date
    min_days: int
    notices: list[Notice] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def arrears(self) -> Decimal:
        return sum((n.state.arrears for n in self.notices), Decimal("0.00"))


def chair_of(committee: Sequence[CommitteeMember], fund_id: str, day: dt.date) -> CommitteeMember | None:
    """The fund's ประธาน on the day: a term that covers it (blank ends never lapse), the latest start first."""
    chairs = [m for m in committee if m.fund_id == fund_id and m.position == CHAIR and m.name
              and (m.term_start is None or m.term_start <= day) and (m.term_end is None or m.term_end >= day)]
    chairs.sort(key=lambda m: (m.term_start or dt.date.min, m.row), reverse=True)
    return chairs[0] if chairs else None


def overdue_enough(day: Balances, min_days: int) -> list[int]:
    """The book's contracts in arrears at least `min_days` days as of `day`: those a letter is for."""
    days, arrears = day.days_overdue, day.arrears
    return [i for i in day.overdue() if days[i] >= min_days and arrears[i] > 0]


def plan_notices(ds: Dataset, book: SheetBook, day: Balances, district: str, log: Sequence[NoticeEntry], *,
                 min_days: int, min_gap_days: int, pay_within_days: int, ref_prefix: str) -> NoticePlan:
    """The letters a district's overdue borrowers get as of `day`'s date (book.at(date))."""
    as_of = day.as_of
    plan = NoticePlan(district, as_of, min_days)
    by_contract: dict[str, list[NoticeEntry]] = defaultdict(list)
    for entry in log:
        by_contract[entry.contract_no].append(entry)
    year_be = as_of.year + BE_OFFSET
    this_year = Counter(e.fund_id for e in log if e.issued_date.year + BE_OFFSET == year_be and e.fund_id)
    chosen = []
    for i in overdue_enough(day, min_days):
        loan = book.loans[i]
        fund = ds.funds.get(loan.fund_id)
        if fund is None or fund.district != district:
            continue
        chosen.append((fund.fund_id, loan.contract_no, i))
    for fund_id, _, i in sorted(chosen):
        loan, fund, state = ds.loans[book.loans[i].contract_no], ds.funds[fund_id], day.state(i)
        earlier = sorted(by_contract.get(loan.contract_no, []), key=lambda e: (e.issued_date, e.row))
        last = earlier[-1] if earlier else None
        if last is not None and (as_of - last.issued_date).days < min_gap_days:
            plan.skipped.append(Skipped(loan, state, f"ออกหนังสือแจ้งเตือนครั้งที่ {last.notice_no} ไปแล้วเมื่อ "
                                                     f"{date_th(last.issued_date)} (เว้นอย่างน้อย {min_gap_days} วัน)"))
            continue
        this_year[fund_id] += 1
        plan.notices.append(Notice(
            loan=loan, fund=fund, state=state, notice_no=len(earlier) + 1, letter_no=f"{ref_prefix} {fund_id}/{this_year[fund_id]}", issued=as_of,
            pay_by=as_of + dt.timedelta(days=pay_within_days), chair=chair_of(ds.committee, fund_id, as_of),
            previous=last))
    return plan


__all__ = ["CHAIR", "Notice", "NoticeEntry", "NoticePlan", "Skipped", "chair_of", "overdue_enough", "parse_notices",
           "plan_notices"]
