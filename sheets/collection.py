"""What a fund's collection sheet lists for a month: who owes what, from the ledger engine.

The officer takes the sheet to the village on collection day. For each open contract of the
fund with something to pay by the month's last day:

- ค้างชำระยกมา (carried): what installments due before the month still ask for;
- ครบกำหนดในเดือน (in_month): what the month's installments still ask for;
- รวมต้องชำระ (total) = both: max(0, due by the month's end − paid), the ledger's arrears on the
  month's last day if nothing more is paid (`ledger.engine.Balances.owed_by`);

all as of the day the sheet is made (`as_of`: the run date, or the month's last day when the month
is over), so payments made by then count and later ones do not. Payments cover the oldest
installment first and nothing is owed beyond the loan's amount, as everywhere (`ledger.core`).

The chat's ใบติดตาม and `python main.py collection-sheet` both read this; the PDF is
`report.pdf.collection`.
"""
from __future__ import annotations

import datetime as dt
from calendar import monthrange
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ledger.core import InstallmentState
from ledger.engine import Balances, baht
from sheets.book import LoanRow, SheetBook

ZERO = Decimal("0.00")
DRIVE_FOLDER_URL = "https://drive.google.com/drive/folders/{}"


@dataclass(frozen=True)
class CollectionLine:
    loan: LoanRow
    outstanding: Decimal
    carried: Decimal                               # ค้างชำระยกมา
    in_month: Decimal                              # ครบกำหนดในเดือน (still to pay)
    due_in_month: tuple[InstallmentState, ...]     # the month's installments with something to pay
    days_overdue: int                              # as of as_of (0: nothing late)
    oldest_due: dt.date | None                     # the oldest installment not fully covered
    breached: bool                                 # marked ผิดสัญญา

    @property
    def total(self) -> Decimal:
        """รวมต้องชำระ"""
        return self.carried + self.in_month


@dataclass(frozen=True)
class CollectionList:
    fund_id: str
    year: int
    month: int
    as_of: dt.date
    lines: tuple[CollectionLine, ...]
    open_contracts: int                            # the fund's open contracts, listed or not

    @property
    def carried(self) -> Decimal:
        return sum((line.carried for line in self.lines), ZERO)

    @property
    def in_month(self) -> Decimal:
        return sum((line.in_month for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return sum((line.outstanding for line in self.lines), ZERO)

    @property
    def not_due(self) -> int:
        """Open contracts with nothing to pay this month (not listed)."""
        return self.open_contracts - len(self.lines)


def month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, monthrange(year, month)[1])


def collection_as_of(year: int, month: int, run_date: dt.date) -> dt.date:
    """The day a month's sheet is made as of: the run date, never past the month's last day."""
    return min(run_date, month_days(year, month)[1])


def collection_lists(book: SheetBook, day: Balances, fund_ids: Sequence[str], year: int,
                     month: int) -> dict[str, CollectionList]:
    """Each fund's list for the month, as of `day`'s date (book.at(collection_as_of(...)))."""
    first, last = month_days(year, month)
    paid = day.paid
    carried = np.maximum(day.owed_by(first, before=True) - paid, 0)
    through = np.maximum(day.owed_by(last) - paid, 0)
    wanted: Collection[str] = set(fund_ids)
    month_installments: dict[int, list[int]] = {}
    for k in day.due_between(first, last):
        month_installments.setdefault(day.contract_of(k), []).append(k)
    lines: dict[str, list[CollectionLine]] = {f: [] for f in fund_ids}
    open_count = dict.fromkeys(fund_ids, 0)
    for i in day.open_contracts():
        loan = book.loans[i]
        if loan.fund_id not in wanted:
            continue
        open_count[loan.fund_id] += 1
        if through[i] <= 0:
            continue
        state = day.state(i)
        oldest = state.oldest_unpaid
        lines[loan.fund_id].append(CollectionLine(
            loan=loan, outstanding=state.outstanding, carried=baht(carried[i]),
            in_month=baht(through[i] - carried[i]),
            due_in_month=tuple(day.installment(k) for k in month_installments.get(i, ())),
            days_overdue=state.days_overdue, oldest_due=oldest.due_date if oldest else None,
            breached=state.status_key == "breached"))
    return {f: CollectionList(f, year, month, day.as_of,
                              tuple(sorted(lines[f], key=lambda line: (line.loan.borrower_name, line.loan.contract_no))),
                              open_count[f])
            for f in fund_ids}


def collection_file_name(what: str, year: int, month: int) -> str:
    """collection-230101-01-2026-11.pdf (a fund id, or a district's name)."""
    return f"collection-{'-'.join(what.split())}-{year:04d}-{month:02d}.pdf"


def drive_folder_link(folder_id: str) -> str:
    return DRIVE_FOLDER_URL.format(folder_id)


__all__ = ["CollectionLine", "CollectionList", "collection_as_of", "collection_file_name", "collection_lists",
           "drive_folder_link", "month_days"]
