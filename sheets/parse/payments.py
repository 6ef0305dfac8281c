"""The รับชำระ tab: money received against a contract, typed in the sheet or recorded from LINE.

A repayment recorded through LINE is cancelled (ยกเลิกรายการ) by a reversing row, never by a
deletion: the same contract and paid date, the amount negated, ref `<ref>-VOID` and the original
ref in the note. Dated as the original, the two net to zero in every figure as of any date. A
reversal whose original is not in the tab (or does not match it) counts nothing and is an error;
a second reversal of one ref is an error and counts once (the rule for a repeated ref).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.schema import SOURCE_LINE, SOURCE_SHEET
from core.thai import baht
from sheets import readers
from sheets.parse import amounts
from sheets.parse.loans import contract_refs
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Payment, Unreadable


VOID_SUFFIX = "-VOID"


def void_ref(ref: str) -> str:
    """The ref of the row that cancels the repayment `ref`."""
    return ref + VOID_SUFFIX


def voided_ref(ref: str) -> str | None:
    """The ref a reversing row cancels (None: not a reversal)."""
    return ref[:-len(VOID_SUFFIX)] if ref.endswith(VOID_SUFFIX) and len(ref) > len(VOID_SUFFIX) else None


def _signed_amount(value: Any) -> Decimal:
    """An amount that may be negative (a reversal); whether it may is decided per row."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return -amounts.read_amount(-value)
    if isinstance(value, str) and value.strip().startswith("-"):
        return -amounts.read_amount(value.strip()[1:])
    return amounts.read_amount(value)


def _reverses(original: tuple[Any, Any, Any], loan: Any, paid_date: Any, amount: Decimal) -> bool:
    """A reversing row matches its original: same contract and date, the amount negated."""
    was_loan, was_date, was_amount = original
    return (loan is not None and was_loan is not None and was_loan.contract_no == loan.contract_no
            and was_date == paid_date and was_amount is not None and amount == -was_amount)


def parse_payments(ds: Dataset, tab: TabReader) -> None:
    loans = contract_refs(tab, ds)
    paid_date = tab.read("paid_date", readers.read_date, required=True)
    ref = tab.text("ref")
    # Only a reversing row may hold a negative amount: every other row reads as it always has.
    # Refs repeat only by mistake and most rows have none (typed in the sheet): each distinct one
    # is looked at once, and a tab without a reversal is read without a per-row mask.
    reversing = {r for r in set(ref) if r and voided_ref(r) is not None}
    if reversing:
        reversal = [r in reversing for r in ref]
        amount = tab.read("amount", amounts.read_amount, required=True, where=[not r for r in reversal])
        signed = tab.read("amount", _signed_amount, required=True, where=reversal)
        amount = [s if r else a for a, s, r in zip(amount, signed, reversal)]
    else:
        amount = tab.read("amount", amounts.read_amount, required=True)
    source = tab.read("source", lambda v: readers.read_choice(v, (SOURCE_SHEET, SOURCE_LINE)))
    recorded_at = tab.read("recorded_at", readers.read_datetime)
    receipt, recorded_by, note = tab.text("receipt_no"), tab.text("recorded_by"), tab.text("note")
    first_row_of_ref: dict[str, int] = {}
    # The rows a reversal may cancel: the first row of each ref, with its contract, date and amount.
    originals: dict[str, tuple[Any, Any, Any]] = {}
    for i in [i for i, r in enumerate(ref) if r and r not in reversing]:
        if ref[i] not in originals:
            originals[ref[i]] = (loans[i], paid_date[i], amount[i])
    numbers, today = tab.numbers, ds.today
    not_positive = {value for value in set(amount) if value is not None and value <= 0}
    sources = [s or SOURCE_SHEET for s in source]
    # Nearly every row is a repayment typed with nothing to say about it: its record is made in
    # bulk. A row with anything to look at (a ref, no loan, an amount or date that cannot count)
    # goes through the loop below, in row order, which is the whole rule for every row.
    records: list[Payment | None] = list(map(Payment, numbers, tab.keys, paid_date, amount, receipt,
                                             recorded_by, sources, recorded_at, ref, note))
    plain = [not r and loan is not None and day is not None and value is not None and day <= today
             and value not in not_positive and (loan.amount is None or value <= loan.amount)
             for loan, day, value, r in zip(loans, paid_date, amount, ref)]
    for i in [i for i, ok in enumerate(plain) if not ok]:
        loan, day, value, r = loans[i], paid_date[i], amount[i], ref[i]
        records[i] = None
        original = voided_ref(r) if r else None
        if original is not None and value is not None:
            was = originals.get(original)
            if was is None:
                tab.problem(i, "ref", f"รายการยกเลิก {r} ไม่พบรายการเดิม (รหัสอ้างอิง {original}) "
                                      "ในแท็บนี้: ไม่นับยอด")
                value = None
            elif not _reverses(was, loan, day, value):
                tab.problem(i, "amount", f"รายการยกเลิก {r} ไม่ตรงกับรายการเดิม {original} "
                                         "(สัญญา วันที่ และจำนวนเงินติดลบเท่ากัน): ไม่นับยอด")
                value = None
        elif value in not_positive:
            tab.problem(i, "amount", "จำนวนเงินต้องมากกว่า 0")
            value = None
        if day is not None and day > today:
            tab.problem(i, "paid_date", "วันที่ชำระอยู่ในอนาคต")
        if r:
            first = first_row_of_ref.setdefault(r, numbers[i])
            if first != numbers[i]:
                # A chat entry recorded twice (two taps, two instances, an old version) or a row
                # copied with its ref: counted once, and said, so that a person removes one row
                # (or gives a second real payment its own ref).
                if original is not None:
                    tab.problem(i, "ref", f"รายการ {original} ถูกยกเลิกซ้ำ (รายการยกเลิกแรกอยู่แถว {first}): "
                                          "นับครั้งเดียว ลบแถวที่ซ้ำ")
                    continue
                tab.problem(i, "ref", f"รหัสอ้างอิง {r} ซ้ำกับแถว {first}: นับยอดครั้งเดียว "
                                      f"(ลบแถวที่ซ้ำ หรือแก้รหัสอ้างอิงถ้าเป็นการชำระอีกครั้ง)")
                continue
        if loan is not None and value is not None and loan.amount is not None and value > loan.amount:
            amounts.refuse(tab, i, "amount", f"รับชำระ {baht(value)} เกินเงินยืมทั้งสัญญา {baht(loan.amount)}")
            value = None
        if loan is None:
            if tab.keys[i]:
                ds.unreadable.append(Unreadable(tab.title, numbers[i], None, "ไม่พบเลขที่สัญญา"))
            continue
        if day is None or value is None:
            ds.unreadable.append(Unreadable(tab.title, numbers[i], tab.funds[i], "รับชำระอ่านไม่ได้"))
            continue
        records[i] = Payment(numbers[i], loan.contract_no, day, value, receipt[i], recorded_by[i],
                             sources[i], recorded_at[i], r, note[i])
    by_contract = ds.payments
    for contract_no, record in zip(tab.keys, records):
        if record is not None:
            by_contract[contract_no].append(record)
