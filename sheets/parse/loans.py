"""The ลูกหนี้ tab: each loan contract, and the rows of other tabs that point at one by its number."""
from __future__ import annotations

import datetime as dt

from core.schema import LOAN_STATUSES
from core.thai import baht
from sheets import readers
from sheets.parse import amounts
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Loan, Unreadable


def parse_loans(ds: Dataset, tab: TabReader, max_term_years: int) -> None:
    contract = tab.text("contract_no", required=True)
    fund = tab.text("fund_id", required=True)
    tab.keys = contract
    tab.funds = [f if f in ds.funds else None for f in fund]
    if not ds.lacks("funds", "fund_id"):  # else no fund id can be known: that one problem says so
        for i, f in enumerate(fund):
            if f and tab.funds[i] is None:
                tab.problem(i, "fund_id", f"ไม่พบรหัสกองทุน {f} ในแท็บกองทุน")
    name = tab.text("borrower_name", required=True)
    citizen = tab.read("citizen_id", readers.read_citizen_id)
    round_no = tab.read("round", readers.read_int)
    loan_date = tab.read("loan_date", readers.read_date, required=True)
    amount = tab.read("amount", amounts.read_amount, required=True)
    due = tab.read("due_date", readers.read_date, required=True)
    status = tab.read("status", lambda v: readers.read_choice(v, LOAN_STATUSES))
    phone, occupation, note = tab.text("phone"), tab.text("occupation"), tab.text("note")
    # Per fund and per loan date, not per row: a big sheet's 80,000 loans share 3,800 funds and
    # about a thousand loan dates.
    capital_of = {fund_id: record.capital for fund_id, record in ds.funds.items()}
    latest_due = {start: _add_years(start, max_term_years) for start in set(loan_date) if start is not None}
    for i in range(tab.n):
        if round_no[i] is not None and round_no[i] < 1:
            tab.problem(i, "round", "ยืมครั้งที่ต้องเป็น 1 ขึ้นไป")
        if amount[i] is not None and amount[i] <= 0:
            tab.problem(i, "amount", "จำนวนเงินยืมต้องมากกว่า 0")
            tab.failed.add((i, "amount"))
            amount[i] = None
        capital = capital_of[fund[i]] if tab.funds[i] is not None else None
        if amount[i] is not None and capital is not None and amount[i] > capital:
            amounts.refuse(tab, i, "amount", f"เงินยืม {baht(amount[i])} เกินเงินทุนของกองทุน {baht(capital)} "
                                                   f"(ตรวจสอบเงินยืม หรือเงินทุนในแท็บกองทุน)")
            amount[i] = None
        start, end = loan_date[i], due[i]
        if start and start > ds.today:
            tab.problem(i, "loan_date", "วันที่รับเงินยืมอยู่ในอนาคต", "warning")
        if start and end:
            if end < start:
                tab.problem(i, "due_date", "วันครบกำหนดชำระก่อนวันที่รับเงินยืม")
            elif end > latest_due[start]:
                tab.problem(i, "due_date", f"ระยะเวลายืมเกิน {max_term_years} ปี", "warning")
        row, contract_no = tab.numbers[i], contract[i]
        if not contract_no:
            ds.unreadable.append(Unreadable(tab.title, row, tab.funds[i], "ไม่มีเลขที่สัญญา"))
            continue
        if contract_no in ds.loans:
            tab.problem(i, "contract_no", f"เลขที่สัญญา {contract_no} ซ้ำกับแถว {ds.loans[contract_no].row}")
            ds.unreadable.append(Unreadable(tab.title, row, tab.funds[i], "เลขที่สัญญาซ้ำ"))
            continue
        loan = Loan(row, contract_no, fund[i], name[i], citizen[i], phone[i], round_no[i], occupation[i],
                    start, amount[i], end, status[i], note[i])
        ds.loans[contract_no] = loan
        if not loan.readable or tab.funds[i] is None:
            failed = [c for c in ("amount", "due_date", "fund_id") if (i, c) in tab.failed]
            ds.unreadable.append(Unreadable(tab.title, row, tab.funds[i], ", ".join(
                tab.layout.header("loans", c) for c in failed) or tab.layout.header("loans", "fund_id")))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb
        return day.replace(year=day.year + years, day=28)


def contract_loans(tab: TabReader, ds: Dataset) -> dict[str, Loan | None]:
    """Each distinct contract number's loan (None: none); sets the row keys (`tab.keys`, the contract
    numbers) and funds for problem reports, and says which rows name no loan."""
    contract = tab.text("contract_no", required=True)
    tab.keys = contract
    # A contract has several rows (its installments, its payments): each is looked up once.
    found = {c: ds.loans.get(c) for c in set(contract)}
    fund_of = {c: loan.fund_id if loan is not None and loan.fund_id in ds.funds else None
               for c, loan in found.items()}
    tab.funds = list(map(fund_of.__getitem__, contract))
    if ds.lacks("loans", "contract_no"):
        return found  # no contract number can be known: the one problem for ลูกหนี้ says so
    unknown = {c for c, loan in found.items() if c and loan is None}
    if unknown:
        for i, c in enumerate(contract):
            if c in unknown:
                tab.problem(i, "contract_no", f"ไม่พบเลขที่สัญญา {c} ในแท็บลูกหนี้")
    return found


def contract_refs(tab: TabReader, ds: Dataset) -> list[Loan | None]:
    """Each row's loan by contract number (see contract_loans)."""
    found = contract_loans(tab, ds)
    return list(map(found.__getitem__, tab.keys))
