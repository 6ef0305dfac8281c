"""The รับชำระ tab: money received against a contract, typed in the sheet or recorded from LINE."""
from __future__ import annotations

from core.schema import SOURCE_LINE, SOURCE_SHEET
from core.thai import baht
from sheets import readers
from sheets.parse import amounts
from sheets.parse.loans import contract_refs
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Payment, Unreadable


def parse_payments(ds: Dataset, tab: TabReader) -> None:
    loans = contract_refs(tab, ds)
    paid_date = tab.read("paid_date", readers.read_date, required=True)
    amount = tab.read("amount", amounts.read_amount, required=True)
    source = tab.read("source", lambda v: readers.read_choice(v, (SOURCE_SHEET, SOURCE_LINE)))
    recorded_at = tab.read("recorded_at", readers.read_datetime)
    ref = tab.text("ref")
    receipt, recorded_by, note = tab.text("receipt_no"), tab.text("recorded_by"), tab.text("note")
    first_row_of_ref: dict[str, int] = {}
    for i, loan in enumerate(loans):
        if amount[i] is not None and amount[i] <= 0:
            tab.problem(i, "amount", "จำนวนเงินต้องมากกว่า 0")
            amount[i] = None
        if paid_date[i] is not None and paid_date[i] > ds.today:
            tab.problem(i, "paid_date", "วันที่ชำระอยู่ในอนาคต")
        if ref[i]:
            first = first_row_of_ref.setdefault(ref[i], tab.numbers[i])
            if first != tab.numbers[i]:
                # A chat entry recorded twice (two taps, two instances, an old version) or a row
                # copied with its ref: counted once, and said, so that a person removes one row
                # (or gives a second real payment its own ref).
                tab.problem(i, "ref", f"รหัสอ้างอิง {ref[i]} ซ้ำกับแถว {first}: นับยอดครั้งเดียว "
                                      f"(ลบแถวที่ซ้ำ หรือแก้รหัสอ้างอิงถ้าเป็นการชำระอีกครั้ง)")
                continue
        if loan is not None and amount[i] is not None and loan.amount is not None and amount[i] > loan.amount:
            amounts.refuse(tab, i, "amount", f"รับชำระ {baht(amount[i])} เกินเงินยืมทั้งสัญญา {baht(loan.amount)}")
            amount[i] = None
        if loan is None:
            if tab.keys[i]:
                ds.unreadable.append(Unreadable(tab.title, tab.numbers[i], None, "ไม่พบเลขที่สัญญา"))
            continue
        if paid_date[i] is None or amount[i] is None:
            ds.unreadable.append(Unreadable(tab.title, tab.numbers[i], tab.funds[i], "รับชำระอ่านไม่ได้"))
            continue
        ds.payments[loan.contract_no].append(Payment(
            tab.numbers[i], loan.contract_no, paid_date[i], amount[i], receipt[i], recorded_by[i],
            source[i] or SOURCE_SHEET, recorded_at[i], ref[i], note[i]))
