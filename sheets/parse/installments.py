"""The งวดชำระ tab: a loan's repayment schedule, which must add up to the loan and end on its due date.

The rows a computation can use become `Schedules` (columns sorted by contract, due date and seq):
the row-by-row rules are the same as for any tab, the checks across a contract's rows (a repeated
seq, the sum, the last due date) are array operations, and only a row with something to say about
it is looked at in Python.
"""
from __future__ import annotations

from decimal import Decimal
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable

from core.thai import baht
from sheets import readers
from sheets.parse import amounts
from sheets.parse.loans import contract_loans
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Schedules, Unreadable

if TYPE_CHECKING:
    import numpy as np

# A seq beyond this would not fit the engine's int64 arrays (anything below reads as typed: a seq
# that is really an id typed in the wrong column is left to the schedule's own checks).
MAX_SEQ = 2**62
_NONE = -2**63                        # a blank or unreadable cell in a column of numbers (int64's least)
_TOO_BIG = _NONE + 1                  # a seq beyond MAX_SEQ


def parse_installments(ds: Dataset, tab: TabReader) -> None:
    import numpy as np  # here, not above: the webhook imports the parsers before it needs numpy

    # By contract, not per row: 300,000 rows at 80,000 loans, and a row's loan is wanted only to
    # say that an installment is more than it lent.
    found = contract_loans(tab, ds)
    seq = tab.read("seq", readers.read_int, required=True)
    due = tab.read("due_date", readers.read_date, required=True)
    amount = tab.read("amount", amounts.read_amount, required=True)
    # Each column as numbers, each distinct value converted once (the rows repeat their contract,
    # their dates and their amounts): from here on, a rule over every row is an array operation.
    names = list(dict.fromkeys(tab.keys))
    code = {name: k for k, name in enumerate(names)}
    contract = np.fromiter(map(code.__getitem__, tab.keys), dtype=np.int64, count=tab.n)
    of_contract = list(map(found.__getitem__, names))
    # Per contract: is it a loan, what it lent (satang), its due date (an ordinal); _NONE when unknown.
    known = np.fromiter((loan is not None for loan in of_contract), dtype=bool, count=len(names))
    lent_by_contract = _numbers([None if loan is None else loan.amount for loan in of_contract], _satang)
    ends = _numbers([None if loan is None else loan.due_date for loan in of_contract], lambda day: day.toordinal())
    has_loan, lent = known[contract], lent_by_contract[contract]
    number = _numbers(seq, lambda value: value if -MAX_SEQ <= value <= MAX_SEQ else _TOO_BIG)
    day = _numbers(due, lambda value: value.toordinal())
    money = _numbers(amount, _satang)

    # The row's own rules, in row order: only the rows with something to say are looked at.
    bad_seq = number == _TOO_BIG
    not_positive = (money != _NONE) & (money <= 0)
    over = ~not_positive & has_loan & (money != _NONE) & (lent != _NONE) & (money > lent)
    for i in np.flatnonzero(bad_seq | not_positive | over).tolist():
        if bad_seq[i]:
            tab.problem(i, "seq", f"งวดที่ {seq[i]} ไม่ใช่ลำดับงวดที่เป็นไปได้")
        if not_positive[i]:
            tab.problem(i, "amount", "จำนวนเงินต้องมากกว่า 0")
        elif over[i]:
            loan = found[tab.keys[i]]
            assert loan is not None and loan.amount is not None
            amounts.refuse(tab, i, "amount", f"งวดนี้ {baht(amount[i])} เกินเงินยืมทั้งสัญญา {baht(loan.amount)}")
    usable = has_loan & ~bad_seq & ~not_positive & ~over & (number != _NONE) & (day != _NONE) & (money != _NONE)
    for i in np.flatnonzero(has_loan & ~usable).tolist():
        ds.unreadable.append(Unreadable(tab.title, tab.numbers[i], tab.funds[i], "งวดชำระอ่านไม่ได้"))
    row = np.fromiter(tab.numbers, dtype=np.int64, count=tab.n)
    ds.installments = _schedules(ds, tab, names, (lent_by_contract, ends), usable, contract, row, number, day, money)


def _satang(amount: Decimal) -> int:
    return int(amount.scaleb(2))   # an amount read has 2 places (sheets.readers.read_amount)


def _numbers(values: Sequence[Any], convert: Callable[[Any], int]) -> np.ndarray:
    """A column read (None where blank or unreadable) as int64, each distinct value converted once."""
    import numpy as np

    table = {value: _NONE if value is None else convert(value) for value in set(values)}
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def _schedules(ds: Dataset, tab: TabReader, names: list[str], loans: tuple[np.ndarray, np.ndarray],
               usable: np.ndarray, contract: np.ndarray, row: np.ndarray, number: np.ndarray, day: np.ndarray,
               money: np.ndarray) -> Schedules:
    """The usable rows as columns, with the checks across each contract's rows (`loans`: each
    contract's amount lent and due date, numbered as `names`)."""
    import numpy as np

    contract, row, number, day, money = contract[usable], row[usable], number[usable], day[usable], money[usable]
    # The contracts in the order of their first usable row, numbered again in that order.
    present, first_at = np.unique(contract, return_index=True)
    in_order = present[np.argsort(first_at, kind="stable")]
    renumber = np.zeros(len(names), dtype=np.int64)
    renumber[in_order] = np.arange(len(in_order), dtype=np.int64)
    contract = renumber[contract]
    contracts = [names[k] for k in in_order.tolist()]

    # A repeated installment number of a contract: the first row keeps it, each later one is said.
    order = np.lexsort((row, number, contract))
    again = np.zeros(len(row), dtype=bool)
    again[order[1:]] = (contract[order[1:]] == contract[order[:-1]]) & (number[order[1:]] == number[order[:-1]])
    for j in np.flatnonzero(again).tolist():
        contract_no = contracts[contract[j]]
        tab.problem_at(int(row[j]), contract_no, "seq", f"งวดที่ {int(number[j])} ของสัญญา {contract_no} ซ้ำ",
                       "error", _fund_of(ds, contract_no))
    if again.any():
        stay = ~again
        contract, row, number, day, money = contract[stay], row[stay], number[stay], day[stay], money[stay]

    # Each contract's rows together, by due date then seq (no two share a seq now).
    order = np.lexsort((number, day, contract))
    contract, row, number, day, money = contract[order], row[order], number[order], day[order], money[order]
    start = np.searchsorted(contract, np.arange(len(contracts) + 1, dtype=np.int64), side="left")
    if contracts:
        first, last = start[:-1], start[1:] - 1
        total = np.add.reduceat(money, first)
        top_row = np.minimum.reduceat(row, first)
        owed, ends = loans[0][in_order], loans[1][in_order]
        for k in np.flatnonzero((owed != _NONE) & (total != owed)).tolist():
            amount = ds.loans[contracts[k]].amount
            assert amount is not None
            tab.problem_at(int(top_row[k]), contracts[k], "amount",
                           f"งวดชำระรวม {Decimal(int(total[k])).scaleb(-2):,.2f} บาท ไม่เท่ากับเงินยืม "
                           f"{amount:,.2f} บาท", "error", _fund_of(ds, contracts[k]))
        for k in np.flatnonzero((ends != _NONE) & (day[last] != ends)).tolist():
            tab.problem_at(int(row[last[k]]), contracts[k], "due_date",
                           "วันครบกำหนดงวดสุดท้ายไม่ตรงกับวันครบกำหนดในสัญญา", "warning", _fund_of(ds, contracts[k]))
    return Schedules(contracts, (start, row, number, day, money))


def _fund_of(ds: Dataset, contract_no: str) -> str | None:
    """The fund a contract's problems count against (None when its fund is not in กองทุน)."""
    fund_id = ds.loans[contract_no].fund_id
    return fund_id if fund_id in ds.funds else None
