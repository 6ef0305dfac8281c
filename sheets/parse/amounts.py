"""Amounts within reason (issue 9): what no fund's sheet can hold is an error, not a figure.

`readers.read_amount` refuses what is not an amount (a word, a negative, NaN, infinity); what it
reads can still be absurd: a paste of 1e15, a loan above its fund's whole capital, an installment
or a payment above the loan it belongs to. Such a value is an error naming its cell, and the row is
read as if the amount were not there: left out of the ledger and the alerts and counted as
unreadable for its officer, as an unreadable amount is. The limits are the sheet's own figures
where there is one (the capital, the loan), and one ceiling above any village fund otherwise.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.thai import baht
from sheets import readers
from sheets.parse.tab import TabReader

# Far above any village fund's capital, loan or account (a fund starts with 280,000 บาท) and far
# below where a figure stops being exact: only a slip of the keyboard or a paste goes past it.
MAX_AMOUNT = Decimal(100_000_000)


def read_amount(value: Any) -> Decimal:
    """`readers.read_amount`, and no more than MAX_AMOUNT (a TabReader reads each distinct value
    once, so the ceiling costs nothing per cell)."""
    amount = readers.read_amount(value)
    if amount > MAX_AMOUNT:
        raise readers.CellError(f"จำนวนเงิน {baht(amount)} มากเกินกว่าที่เป็นไปได้ (เกิน {baht(MAX_AMOUNT)}) "
                                f"— ตรวจสอบการพิมพ์")
    return amount


def refuse(tab: TabReader, i: int, col: str, message: str) -> None:
    """An amount out of reason for its row: an error for the cell, and the cell counts as unreadable."""
    tab.problem(i, col, message)
    tab.failed.add((i, col))
