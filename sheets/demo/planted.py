"""The planted problems: a handful of cells made wrong on purpose (and two typed oddly but valid),
each on its own row, so that the data-quality check has something to find in training."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Callable, Sequence

from core.schema import SOURCE_SHEET, TABS
from core.thai import BE_OFFSET, MONTHS_ABBR, date_th
from sheets.demo.dates import DAY, add_months
from sheets.demo.people import format_citizen
from sheets.demo.records import DemoLoan
from sheets.demo.rows import column_index
from sheets.demo.summary import Planted


def plant(rng: random.Random, today: dt.date, tables: dict[str, list[list[Any]]],
          demo_loans: Sequence[DemoLoan]) -> list[Planted]:
    """Change a few cells of `tables` (data rows, no headers) on purpose; says which, sorted by tab and row."""
    planted = _plant_in_funds(rng, today, tables["funds"], tables["committee"])
    planted += _plant_in_loans(rng, tables["loans"], demo_loans)
    planted += _plant_in_installments(rng, today, tables["installments"])
    planted += _plant_in_payments(rng, today, tables["payments"], demo_loans)
    planted.sort(key=lambda p: (list(TABS).index(p.tab), p.row))
    return planted


def _plant_in_funds(rng: random.Random, today: dt.date, funds: list[list[Any]],
                    committee: list[list[Any]]) -> list[Planted]:
    """Each problem on its own fund: a missing document, a stale balance, two lapsed committees."""
    fx, cx = column_index("funds"), column_index("committee")
    planted: list[Planted] = []
    add = planted.append
    picks = rng.sample(range(len(funds)), min(len(funds), 4))
    if len(picks) >= 1:
        r = funds[picks[0]]
        r[fx["bank_book_doc"]] = None
        add(Planted("funds", picks[0] + 2, r[fx["fund_id"]], "bank_book_doc", None,
                    "ไม่มีลิงก์สำเนาสมุดบัญชี (ข้อมูลไม่ครบ)"))
    if len(picks) >= 2:
        r = funds[picks[1]]
        r[fx["bank_balance_date"]] = today - dt.timedelta(days=rng.randint(120, 400))
        add(Planted("funds", picks[1] + 2, r[fx["fund_id"]], "bank_balance_date", r[fx["bank_balance_date"]],
                    f"ยอดเงินฝากไม่เป็นปัจจุบัน (ณ {date_th(r[fx['bank_balance_date']])}, เกิน 90 วัน)"))
    for p in picks[2:4]:
        r = funds[p]
        r[fx["committee_order_date"]] = today - dt.timedelta(days=4 * 365 + rng.randint(30, 700))
        r[fx["committee_order_no"]] = f"{rng.randint(1, 80)}/{r[fx['committee_order_date']].year + BE_OFFSET}"
        start = r[fx["committee_order_date"]]
        for member in committee:  # the members' term follows the order
            if member[cx["fund_id"]] == r[fx["fund_id"]]:
                member[cx["term_start"]], member[cx["term_end"]] = start, add_months(start, 48) - DAY
        add(Planted("funds", p + 2, r[fx["fund_id"]], "committee_order_date", r[fx["committee_order_date"]],
                    f"คำสั่งแต่งตั้งกรรมการหมดวาระแล้ว (ลงวันที่ {date_th(r[fx['committee_order_date']])} เกิน 4 ปี)"))
    return planted


def _plant_in_loans(rng: random.Random, loans: list[list[Any]], demo_loans: Sequence[DemoLoan]) -> list[Planted]:
    """Each oddity on its own contract without installment rows: three errors, two odd but valid."""
    lx = column_index("loans")
    planted: list[Planted] = []
    add = planted.append
    singles = [i for i, x in enumerate(demo_loans) if not x.scheduled]
    rng.shuffle(singles)

    def take(pred: Callable[[int], bool] = lambda i: True) -> int | None:
        for n, i in enumerate(singles):
            if pred(i):
                return singles.pop(n)
        return singles.pop() if singles else None

    i = take()
    if i is not None:
        r = loans[i]
        digits = "".join(ch for ch in r[lx["citizen_id"]] if ch.isdigit())
        wrong = digits[:12] + str((int(digits[12]) + rng.randint(1, 9)) % 10)
        r[lx["citizen_id"]] = format_citizen(wrong) if "-" in r[lx["citizen_id"]] else wrong
        add(Planted("loans", i + 2, r[lx["contract_no"]], "citizen_id", r[lx["citizen_id"]],
                    "เลขประจำตัวประชาชนหลักตรวจสอบไม่ถูกต้อง"))
    i = take()
    if i is not None:
        r = loans[i]
        due = r[lx["due_date"]]
        r[lx["due_date"]] = f"31/02/{due.year + BE_OFFSET}"
        add(Planted("loans", i + 2, r[lx["contract_no"]], "due_date", r[lx["due_date"]],
                    "วันครบกำหนดชำระพิมพ์ผิด (ไม่มีวันที่ 31 กุมภาพันธ์)"))
    i = take(lambda j: demo_loans[j].amount == 5000)
    if i is not None:
        r = loans[i]
        r[lx["amount"]] = "ห้าพัน"
        add(Planted("loans", i + 2, r[lx["contract_no"]], "amount", r[lx["amount"]],
                    "จำนวนเงินยืมพิมพ์เป็นตัวหนังสือ อ่านเป็นตัวเลขไม่ได้"))
    i = take()
    if i is not None:
        r = loans[i]
        d = r[lx["loan_date"]]
        r[lx["loan_date"]] = f"{d.day} {MONTHS_ABBR[d.month - 1]} {(d.year + BE_OFFSET) % 100:02d}"
        add(Planted("loans", i + 2, r[lx["contract_no"]], "loan_date", r[lx["loan_date"]],
                    "วันที่รับเงินยืมพิมพ์เป็นข้อความไทย (ถูกต้อง ต้องอ่านได้)", problem=False))
    i = take()
    if i is not None:
        r = loans[i]
        r[lx["amount"]] = f"{r[lx['amount']]:,} บาท"
        add(Planted("loans", i + 2, r[lx["contract_no"]], "amount", r[lx["amount"]],
                    "จำนวนเงินพิมพ์เป็นข้อความมีจุลภาคและคำว่าบาท (ถูกต้อง ต้องอ่านได้)", problem=False))
    return planted


def _plant_in_installments(rng: random.Random, today: dt.date, inst: list[list[Any]]) -> list[Planted]:
    """One schedule that does not add up (a future installment mistyped)."""
    ix = column_index("installments")
    later = today + dt.timedelta(days=10)
    future = [n for n, r in enumerate(inst) if r[ix["due_date"]] > later]
    if not future:
        return []
    n = rng.choice(future)
    r = inst[n]
    r[ix["amount"]] = r[ix["amount"]] + 1000
    return [Planted("installments", n + 2, r[ix["contract_no"]], "amount", r[ix["amount"]],
                    f"ยอดรวมงวดชำระไม่เท่ากับจำนวนเงินยืม (งวดที่ {r[ix['seq']]} เกินไป 1,000 บาท)")]


def _plant_in_payments(rng: random.Random, today: dt.date, pays: list[list[Any]],
                       demo_loans: Sequence[DemoLoan]) -> list[Planted]:
    """A receipt typed against a contract number that does not exist, among the others by date."""
    if not pays:
        return []
    px = column_index("payments")
    base = rng.choice(pays)
    fund_part, be, nn = base[px["contract_no"]].rsplit("/", 2)
    existing = {x.contract_no for x in demo_loans}
    ghost = f"{fund_part}/{be}/{int(nn) + 50:02d}"
    while ghost in existing:
        ghost += "0"
    day = today - dt.timedelta(days=rng.randint(3, 40))
    row: list[Any] = [None] * len(base)
    row[px["contract_no"]] = ghost
    row[px["paid_date"]] = day
    row[px["amount"]] = rng.randint(5, 40) * 100
    row[px["receipt_no"]] = f"{rng.randint(1, 90):03d}/{day.year + BE_OFFSET}"
    row[px["source"]] = SOURCE_SHEET
    at = next((n for n, other in enumerate(pays) if other[px["paid_date"]] > day), len(pays))
    pays.insert(at, row)
    return [Planted("payments", at + 2, ghost, "contract_no", ghost, "รับชำระของเลขที่สัญญาที่ไม่มีในแท็บลูกหนี้")]
