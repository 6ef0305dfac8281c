"""The loans: lending rounds over the last ~18 months, terms and schedules, and their ลูกหนี้ / งวดชำระ rows."""
from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from typing import Any, Sequence

from core.thai import BE_OFFSET
from sheets.demo.dates import add_months, schedule_dates
from sheets.demo.people import CitizenIds, Names
from sheets.demo.records import DemoFund, DemoLoan
from sheets.demo.rows import shaper
from sheets.demo.scales import DemoScale
from sheets.demo.shares import apportion, cumulative
from sheets.demo.words import COASTAL, OCCUPATIONS, SEA_OCCUPATIONS

_TERMS = ((12, 52), (6, 8), (10, 8), (8, 5), (18, 10), (24, 12), (36, 5))  # months, weight


def make_loans(rng: random.Random, names: Names, today: dt.date, scale: DemoScale,
               funds: Sequence[DemoFund]) -> list[DemoLoan]:
    """Every fund's loans (fund by fund, numbered per fund and B.E. year); sets each fund's `loans`."""
    rnd = rng.random
    per_fund = apportion(scale.loans, [rng.uniform(0.5, 1.6) for _ in funds],
                         minimum=1 if scale.loans >= len(funds) else 0)
    newest, oldest = today - dt.timedelta(days=30), today - dt.timedelta(days=545)
    floor = oldest - dt.timedelta(days=5)
    span = (newest - oldest).days
    shifts = [dt.timedelta(days=d) for d in range(-5, 6)]
    term_cum = cumulative([w for _, w in _TERMS])
    terms = [t for t, _ in _TERMS]
    round_cum = cumulative((45, 30, 20, 5))
    name, phone, citizen = names.name, names.phone, CitizenIds(rng).new
    all_loans: list[DemoLoan] = []
    for fund, n in zip(funds, per_fund):
        if n == 0:
            continue
        rounds = 1 if n < 8 else rng.choices((1, 2, 3), weights=(25, 50, 25))[0]
        seg = span / rounds
        round_dates = [oldest + dt.timedelta(days=int(seg * r + rng.uniform(5, max(6.0, seg - 5))))
                       for r in range(rounds)]
        round_of = sorted(int(rnd() * rounds) for _ in range(n))
        budget = fund.capital / 100 * rng.uniform(0.7, 1.08)
        mean = min(30000.0, max(3000.0, budget / n))
        code = fund.district.code
        occupations = OCCUPATIONS + (SEA_OCCUPATIONS if code in COASTAL else ())
        if code in ("2306", "2307"):  # the islands
            occupations = occupations + SEA_OCCUPATIONS + ("ที่พักโฮมสเตย์", "บริการนำเที่ยว")
        n_occ = len(occupations)
        loans: list[DemoLoan] = []
        for r in round_of:
            loan = DemoLoan()
            loan.fund = fund
            day = round_dates[r] + shifts[int(rnd() * 11)]
            loan.loan_date = newest if day > newest else (floor if day < floor else day)
            raw = mean * (0.5 + rnd())
            u = rnd()
            unit = 1000 if u < 0.6 else (500 if u < 0.8 else 100)
            loan.amount = int(min(30000, max(3000, round(raw / unit) * unit)))
            term = terms[bisect_right(term_cum, rnd() * term_cum[-1])]
            loan.due_date = add_months(loan.loan_date, term)
            loan.name = name()
            loan.citizen_id = citizen(code)
            loan.phone = phone()
            loan.round = (1, 2, 3, None)[bisect_right(round_cum, rnd() * round_cum[-1])]
            loan.occupation = occupations[int(rnd() * n_occ)]
            _schedule(rng, loan, term)
            loans.append(loan)
        loans.sort(key=lambda x: (x.loan_date, x.name))
        counters: dict[int, int] = {}
        fid = fund.fund_id
        for loan in loans:
            be = loan.loan_date.year + BE_OFFSET
            counters[be] = counters.get(be, 0) + 1
            loan.contract_no = f"{fid}/{be}/{counters[be]:02d}"
        fund.loans = loans
        all_loans.extend(loans)
    return all_loans


def _schedule(rng: random.Random, loan: DemoLoan, term: int) -> None:
    """About half the contracts are repaid in 2-12 installments, monthly or quarterly."""
    rnd = rng.random
    if rnd() < 0.5:
        step = 1 if rnd() < 0.45 else 3
        n = term // step
        if n > 12:
            step = -(-term // 12)
            n = term // step
        if n < 2 and step == 3:
            step, n = 1, term
        if n >= 2:
            part = loan.amount // n // 100 * 100
            dates = schedule_dates(loan.due_date, step, n)
            loan.items = [(d, part) for d in dates]
            loan.items[-1] = (loan.due_date, loan.amount - part * (n - 1))
            loan.scheduled = True
            return
    loan.items = [(loan.due_date, loan.amount)]


def pin_due_soon(rng: random.Random, today: dt.date, loans: Sequence[DemoLoan]) -> set[str]:
    """An alert run on `today` needs installments due today, tomorrow and in 7 days (the default
    triggers): where none falls there, a one-installment loan is moved onto it. Returns those moved."""
    due_days = {(d - today).days for loan in loans for d, _ in loan.items}
    soon = today + dt.timedelta(days=7)
    singles = [x for x in loans if not x.scheduled and x.due_date > soon
               and (today - x.loan_date).days >= 30]
    pinned: set[str] = set()
    for offset in (0, 1, 7):
        if offset not in due_days and singles:
            loan = singles.pop(rng.randrange(len(singles)))
            loan.due_date = today + dt.timedelta(days=offset)
            loan.items = [(loan.due_date, loan.amount)]
            pinned.add(loan.contract_no)
    return pinned


def loan_rows(loans: Sequence[DemoLoan]) -> list[list[Any]]:
    shape = shaper("loans", ("contract_no", "fund_id", "borrower_name", "citizen_id", "phone", "round",
                             "occupation", "loan_date", "amount", "due_date", "status", "note"))
    return [shape((x.contract_no, x.fund.fund_id, x.name, x.citizen_id, x.phone, x.round, x.occupation,
                   x.loan_date, x.amount, x.due_date, x.status, x.note)) for x in loans]


def installment_rows(loans: Sequence[DemoLoan]) -> list[list[Any]]:
    shape = shaper("installments", ("contract_no", "seq", "due_date", "amount"))
    return [shape((x.contract_no, seq, due, amount))
            for x in loans if x.scheduled
            for seq, (due, amount) in enumerate(x.items, start=1)]
