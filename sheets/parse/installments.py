"""The งวดชำระ tab: a loan's repayment schedule, which must add up to the loan and end on its due date."""
from __future__ import annotations

from decimal import Decimal
from operator import attrgetter

from core.thai import baht
from sheets import readers
from sheets.parse import amounts
from sheets.parse.loans import contract_refs
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Installment, Unreadable


_BY_DATE_AND_SEQ = attrgetter("due_date", "seq")
_AMOUNT = attrgetter("amount")


def parse_installments(ds: Dataset, tab: TabReader) -> None:
    loans = contract_refs(tab, ds)
    seq = tab.read("seq", readers.read_int, required=True)
    due = tab.read("due_date", readers.read_date, required=True)
    amount = tab.read("amount", amounts.read_amount, required=True)
    by_contract = ds.installments
    # Amounts repeat (a schedule's equal installments), so each distinct one is compared once.
    not_positive = {value for value in set(amount) if value is not None and value <= 0}
    for i, (loan, row, number, day, value) in enumerate(zip(loans, tab.numbers, seq, due, amount)):
        if value in not_positive:
            tab.problem(i, "amount", "จำนวนเงินต้องมากกว่า 0")
            value = None
        if loan is None:
            continue
        if value is not None and loan.amount is not None and value > loan.amount:
            amounts.refuse(tab, i, "amount", f"งวดนี้ {baht(value)} เกินเงินยืมทั้งสัญญา {baht(loan.amount)}")
            value = None
        if number is None or day is None or value is None:
            ds.unreadable.append(Unreadable(tab.title, row, tab.funds[i], "งวดชำระอ่านไม่ได้"))
            continue
        by_contract[loan.contract_no].append(Installment(row, loan.contract_no, number, day, value))
    for contract_no, items in by_contract.items():
        if len({i.seq for i in items}) < len(items):  # a repeated installment number: keep the first
            fund_id = _fund_of(ds, contract_no)
            kept: dict[int, Installment] = {}
            for item in items:
                if item.seq in kept:
                    tab.problem_at(item.row, contract_no, "seq", f"งวดที่ {item.seq} ของสัญญา {contract_no} ซ้ำ",
                                   "error", fund_id)
                else:
                    kept[item.seq] = item
            items[:] = kept.values()
    for contract_no, items in by_contract.items():
        items.sort(key=_BY_DATE_AND_SEQ)
        loan = ds.loans[contract_no]
        total = sum(map(_AMOUNT, items), Decimal(0))
        if loan.amount is not None and total != loan.amount:
            tab.problem_at(min(i.row for i in items), contract_no, "amount",
                           f"งวดชำระรวม {total:,.2f} บาท ไม่เท่ากับเงินยืม {loan.amount:,.2f} บาท", "error",
                           _fund_of(ds, contract_no))
        if loan.due_date is not None and items and items[-1].due_date != loan.due_date:
            tab.problem_at(items[-1].row, contract_no, "due_date",
                           "วันครบกำหนดงวดสุดท้ายไม่ตรงกับวันครบกำหนดในสัญญา", "warning", _fund_of(ds, contract_no))


def _fund_of(ds: Dataset, contract_no: str) -> str | None:
    """The fund a contract's problems count against (None when its fund is not in กองทุน)."""
    fund_id = ds.loans[contract_no].fund_id
    return fund_id if fund_id in ds.funds else None
