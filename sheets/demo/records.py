"""The generator's working records: a fund and a loan while they are being made (rows come last)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from core.geo import District, Subdistrict
from sheets.demo.scales import BASE_CAPITAL_SATANG


class DemoLoan:
    """One contract: its terms, its schedule (date, baht) and, once repaid as of today, its payments."""

    __slots__ = ("fund", "contract_no", "name", "citizen_id", "phone", "round", "occupation", "loan_date",
                 "amount", "due_date", "items", "scheduled", "payments", "status", "note", "kind", "k")

    fund: DemoFund
    contract_no: str
    name: str
    citizen_id: str
    phone: str | None
    round: int | None
    occupation: str
    loan_date: dt.date
    amount: int  # baht
    due_date: dt.date

    def __init__(self) -> None:
        self.items: list[tuple[dt.date, int]] = []
        self.scheduled = False  # repaid in installments (has rows in งวดชำระ)
        self.payments: list[tuple[dt.date, int]] = []
        self.status: str | None = None
        self.note: str | None = None
        self.kind = "track"  # how it is repaid: track, today, early, arrears, breached
        self.k = 0  # arrears and breached: the first installment not paid in full


class DemoFund:
    """One village fund and its loans; `row` is its row in กองทุน once made."""

    __slots__ = ("fund_id", "district", "sub", "village_no", "village_name", "capital", "officer_id",
                 "loans", "row")

    def __init__(self, fund_id: str, district: District, sub: Subdistrict, village_no: int, village_name: str):
        self.fund_id, self.district, self.sub = fund_id, district, sub
        self.village_no, self.village_name = village_no, village_name
        self.capital = BASE_CAPITAL_SATANG
        self.officer_id: str | None = None
        self.loans: list[DemoLoan] = []
        self.row: list[Any] = []
