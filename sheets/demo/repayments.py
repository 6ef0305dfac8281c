"""Repayments as of today: most on time, some late or in parts, 10-20% of open contracts in arrears, a few
breached or repaid early; and the รับชำระ rows in the order receipts were typed."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Sequence

from core.schema import SOURCE_SHEET, STATUS_BREACHED, STATUS_CLOSED, STATUS_NORMAL
from core.thai import BE_OFFSET
from sheets.demo.dates import DAY, days
from sheets.demo.officers import Staff
from sheets.demo.records import DemoLoan
from sheets.demo.rows import shaper

_ON_TIME = (0, 0, 0, 0, 1, 1, 2, 3, 5, 7)  # days before the due date a punctual payer pays


def repay(rng: random.Random, today: dt.date, loans: Sequence[DemoLoan], pinned: set[str]) -> dict[str, Any]:
    """Who has paid what as of today (sets each loan's kind, payments and status); the facts for the summary."""
    breached, in_arrears = _choose_kinds(rng, today, loans, pinned)
    for loan in loans:
        _pay(rng, today, loan)
    closed, due_today, due_next_7 = _close(rng, today, loans)
    return {"open_loans": len(loans) - closed, "arrears_loans": in_arrears,
            "arrears_share": in_arrears / max(1, len(loans) - closed), "breached_loans": breached,
            "closed_loans": closed, "due_today": due_today, "due_next_7": due_next_7}


def _choose_kinds(rng: random.Random, today: dt.date, loans: Sequence[DemoLoan], pinned: set[str]) -> tuple[int, int]:
    """Each loan's kind: breached, due today and unpaid, repaid early, in arrears, or on track.
    Returns (breached loans, loans in arrears)."""
    rnd = rng.random
    mature: list[DemoLoan] = []   # the last installment fell due before today
    midterm: list[DemoLoan] = []
    for loan in loans:
        (mature if loan.items[-1][0] < today else midterm).append(loan)
    # Breached contracts (ผิดสัญญา): long overdue, ~1.5% of all.
    long_due = [x for x in mature if (today - x.items[0][0]).days > 90]
    breached = rng.sample(long_due, min(len(long_due), max(1, round(len(loans) * 0.015)))) if long_due else []
    for loan in breached:
        loan.kind = "breached"
        loan.k = 0
        loan.status = STATUS_BREACHED
        loan.note = rng.choice(("ส่งหนังสือทวงถามแล้ว", "อยู่ระหว่างดำเนินคดี", "ติดต่อไม่ได้", None))
    # Installments due today: some already paid, most not yet (alerts "ครบกำหนดวันนี้").
    today_unpaid = 0
    due_now = [x for x in midterm if x.kind == "track" and any(d == today for d, _ in x.items)]
    for loan in due_now:
        if rnd() < 0.65 or (loan is due_now[-1] and not today_unpaid):
            loan.kind = "today"
            today_unpaid += 1
    # A few contracts repaid in full before their due date.
    for loan in midterm:
        if loan.kind == "track" and rnd() < 0.03 and loan.contract_no not in pinned:
            loan.kind = "early"
    # Arrears: picked until the share of open contracts in arrears reaches a target.
    open_count = sum(1 for x in midterm if x.kind != "early") + len(breached)
    in_arrears = today_unpaid + len(breached)
    target = rng.uniform(0.13, 0.165)
    # Candidates by how long their latest due installment has been waiting: 1-30, 31-90, over 90 days.
    pools: list[list[DemoLoan]] = [[], [], []]
    for x in loans:
        if x.kind == "track" and x.items[0][0] < today:
            waited = min((today - d).days for d, _ in x.items if d < today)
            pools[0 if waited <= 30 else (1 if waited <= 90 else 2)].append(x)
    for pool in pools:
        rng.shuffle(pool)
    bucket_w = (0.4, 0.3, 0.3)
    while open_count and in_arrears / open_count < target and any(pools):
        b = rng.choices((0, 1, 2), weights=[w if pools[i] else 0 for i, w in enumerate(bucket_w)])[0]
        loan = pools[b].pop()
        loan.kind = "arrears"
        past = sum(1 for d, _ in loan.items if d < today)
        # Mostly behind on the latest installment only; some for longer.
        loan.k = past - 1 if past == 1 or rnd() < 0.8 else int(rnd() * past)
        in_arrears += 1
        if loan.items[-1][0] < today:  # a matured contract: open again because unpaid
            open_count += 1
    return len(breached), in_arrears


def _close(rng: random.Random, today: dt.date, loans: Sequence[DemoLoan]) -> tuple[int, int, int]:
    """Mark some repaid loans closed and some on-track ones normal (most stay blank, as in real sheets).
    Returns (loans repaid in full, installments due today, installments due in the next 7 days)."""
    rnd = rng.random
    closed = due_today = due_next_7 = 0
    soon = today + dt.timedelta(days=7)
    for loan in loans:
        if sum(a for _, a in loan.payments) >= loan.amount:
            closed += 1
            if rnd() < 0.35:
                loan.status = STATUS_CLOSED
        elif loan.kind == "track" and rnd() < 0.08:
            loan.status = STATUS_NORMAL
        for d, _ in loan.items:
            if d == today:
                due_today += 1
            elif today < d <= soon:
                due_next_7 += 1
    return closed, due_today, due_next_7


def _pay(rng: random.Random, today: dt.date, loan: DemoLoan) -> None:
    """The loan's payments as its kind says: on time, late, in parts, early, partly or not at all."""
    rnd = rng.random
    pays = loan.payments
    last = loan.loan_date + DAY
    kind = loan.kind
    items = loan.items
    if kind == "arrears" or kind == "breached":
        upto = loan.k  # items before k paid, k partly or not at all, nothing after
    else:
        upto = 0
        for d, _ in items:
            if d < today or (d == today and kind == "track"):  # today's paid at or a little before
                upto += 1
    for i in range(upto):
        due, amount = items[i]
        last = _pay_item(rng, today, pays, due, amount, last)
    if kind == "arrears" or kind == "breached":
        if rnd() < 0.3:
            due, amount = items[loan.k]
            part = int(amount * (0.2 + rnd() * 0.5)) // 100 * 100
            if part >= 100:
                day = min(max(due + days(int(rnd() * 14) - 3), last), today)
                pays.append((day, part))
    elif kind == "early":
        rest = loan.amount - sum(a for _, a in pays)
        lo = max(last, loan.loan_date + days(30))
        if rest > 0 and lo < today:
            pays.append((lo + days(int(rnd() * ((today - lo).days + 1))), rest))
    elif kind == "track" and upto == 0 and not loan.scheduled and last < today and rnd() < 0.15:
        # Paying something towards a one-installment loan before it falls due.
        part = int(loan.amount * (0.2 + rnd() * 0.3)) // 500 * 500
        if part > 0:
            pays.append((last + days(int(rnd() * ((today - last).days + 1))), part))


def _pay_item(rng: random.Random, today: dt.date, pays: list[tuple[dt.date, int]], due: dt.date, amount: int,
              last: dt.date) -> dt.date:
    """One installment paid (appended to `pays`); returns the day of its last payment."""
    rnd = rng.random
    r = rnd()
    if r < 0.04 and amount >= 400 and (today - due).days >= 5:
        # Paid in two parts: some at the due date, the rest a little later.
        part = int(amount * (0.3 + rnd() * 0.4)) // 100 * 100
        d1 = min(max(due - days(int(rnd() * 4)), last), today)
        d2 = max(min(due + days(3 + int(rnd() * 23)), today), d1)
        pays.append((d1, part))
        pays.append((d2, amount - part))
        return d2
    if r < 0.16:
        day = due + days(1 + int(rnd() * 30))  # late
    else:
        day = due - days(_ON_TIME[int(rnd() * len(_ON_TIME))])  # on time: at or a few days before
    if day < last:
        day = last
    if day > today:
        day = today
    pays.append((day, amount))
    return day


def payment_rows(rng: random.Random, loans: Sequence[DemoLoan], staff: Staff) -> list[list[Any]]:
    """The รับชำระ rows; a quarter name who typed them in (the fund's officer, else the district's first)."""
    rnd = rng.random
    shape = shaper("payments", ("contract_no", "paid_date", "amount", "receipt_no", "recorded_by", "source"))
    # In the order receipts were typed: by date.
    by_day: dict[dt.date, list[tuple[DemoLoan, int]]] = {}
    for x in loans:  # a bucket per day keeps contract order within the day
        for day, amount in x.payments:
            bucket = by_day.get(day)
            if bucket is None:
                bucket = by_day[day] = []
            bucket.append((x, amount))
    receipts: dict[tuple[str, int], int] = {}
    first_officer = {d: ids[0] for d, ids in staff.by_district.items()}
    rows = []
    for day in sorted(by_day):
        be = day.year + BE_OFFSET
        for x, amount in by_day[day]:
            fund = x.fund
            key = (fund.fund_id, be)
            seq = receipts[key] = receipts.get(key, 0) + 1
            by = (fund.officer_id or first_officer[fund.district.name]) if rnd() < 0.25 else None
            rows.append(shape((x.contract_no, day, amount, f"{seq:03d}/{be}", by, SOURCE_SHEET)))
    return rows
