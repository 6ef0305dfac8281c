"""The funds: villages on Trat's real map, their capital and officer, and their กองทุน rows."""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Sequence

from core.geo import District
from core.thai import BE_OFFSET
from sheets.demo.officers import Staff
from sheets.demo.records import DemoFund
from sheets.demo.rows import column_index, money
from sheets.demo.scales import BASE_CAPITAL_SATANG, MAX_GROWTH_SATANG, TRAT_CAPITAL_SATANG, TRAT_FUNDS
from sheets.demo.shares import apportion, weighted
from sheets.demo.words import BANKS, VILLAGE_HEADS, VILLAGE_TAILS

_DRIVE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def make_funds(rng: random.Random, dists: Sequence[District], funds_per_district: Sequence[int],
               staff: Staff) -> list[DemoFund]:
    """The funds sorted by id, each in a real subdistrict, with its capital and (mostly) its officer."""
    funds: list[DemoFund] = []
    for d, count in zip(dists, funds_per_district):
        subs = d.subdistricts
        minimum = 1 if count >= len(subs) else 0
        per_sub = apportion(count, [rng.uniform(0.6, 1.4) for _ in subs], minimum=minimum)
        for sub, k in zip(subs, per_sub):
            for fund_id, village_no in _villages(rng, sub.code, k):
                name = "บ้าน" + rng.choice(VILLAGE_HEADS) + rng.choice(VILLAGE_TAILS)
                funds.append(DemoFund(fund_id, d, sub, village_no, name))
    funds.sort(key=lambda f: f.fund_id)
    # Capital: 280,000 each; about a third have grown, the total near Trat's 21.5 million.
    target = round(TRAT_CAPITAL_SATANG * len(funds) / TRAT_FUNDS)
    extra = max(0, target - BASE_CAPITAL_SATANG * len(funds))
    grown_count = min(len(funds), max(1, -(-extra // 6_500_000)))
    grown = sorted(rng.sample(range(len(funds)), grown_count))
    growth = apportion(extra, [rng.uniform(0.4, 1.6) for _ in grown])
    for i, g in zip(grown, growth):
        funds[i].capital += min(g, MAX_GROWTH_SATANG)
    # About two thirds of the funds name their officer; the rest go to every district officer.
    # The benchmark's big scales crowd dozens of officers into Trat's 7 districts: there every
    # fund names its officer, as a real district that size would (else each item goes to 40).
    for d in dists:
        active = [o for o in staff.by_district[d.name] if o != staff.inactive]
        mine = [f for f in funds if f.district is d]
        turn = rng.randrange(len(active))
        share = 0.67 if len(active) <= 5 else 1.0
        for f in mine:
            if rng.random() < share:
                f.officer_id = active[turn % len(active)]
                turn += 1
    return funds


def _villages(rng: random.Random, code: str, k: int) -> list[tuple[str, int]]:
    """k (fund id, village number) in a subdistrict; past 99 villages the ids go on with -B, -C."""
    out: list[tuple[str, int]] = []
    cycle = 0
    while k > 0:
        take = min(k, 99)
        numbers = sorted(rng.sample(range(1, max(take, 15) + 1), take)) if take < 99 else list(range(1, 100))
        suffix = "" if cycle == 0 else "-" + chr(ord("A") + cycle)
        out.extend((f"{code}-{v:02d}{suffix}", v) for v in numbers)
        k -= take
        cycle += 1
    return out


def fund_rows(rng: random.Random, today: dt.date, funds: Sequence[DemoFund]) -> list[list[Any]]:
    """The กองทุน rows as of today (balances follow what is lent out); each fund keeps its row."""
    ix = column_index("funds")
    rows = []
    for f in funds:
        outstanding = sum(x.amount - sum(a for _, a in x.payments) for x in f.loans) * 100
        cash = 0 if rng.random() < 0.45 else rng.randrange(2, 60) * 10_000  # 200-5,900 baht, in satang
        # The bank holds what is not lent out or in the cash box, plus a little interest.
        balance = f.capital - outstanding - cash + int(f.capital * rng.uniform(0.0, 0.03))
        if balance < 0:
            balance = rng.randrange(200_000, 3_000_000)
        balance = balance // 100 * 100 + rng.randrange(100)  # with satang, like a real bank book
        order_date = today - dt.timedelta(days=rng.randint(30, 4 * 365 - 60))
        total = rng.randint(80, 450)
        row: list[Any] = [None] * len(ix)
        values = {
            "fund_id": f.fund_id,
            "district": f.district.name,
            "subdistrict": f.sub.name,
            "village_no": f.village_no,
            "village_name": f.village_name,
            "budget_year": rng.choices((2536, 2537, 2538, 2539, 2540, 2541), weights=(30, 6, 5, 4, 50, 5))[0],
            "capital": money(f.capital),
            "bank_name": weighted(rng, BANKS),
            "bank_account_no": (f"0{rng.randrange(100):02d}-{rng.randrange(10)}-"
                                f"{rng.randrange(100000):05d}-{rng.randrange(10)}"),
            "bank_balance": money(balance),
            "bank_balance_date": today - dt.timedelta(days=rng.randint(0, 75)),
            "cash_on_hand": money(cash),
            "committee_order_no": f"{rng.randint(1, 80)}/{order_date.year + BE_OFFSET}",
            "committee_order_date": order_date,
            "committee_order_doc": _drive_link(rng),
            "bank_book_doc": _drive_link(rng),
            "financial_summary_doc": _drive_link(rng),
            "financial_summary_date": today - dt.timedelta(days=rng.randint(5, 150)),
            "households_total": total,
            "households_target": min(total, max(len(f.loans), int(total * rng.uniform(0.08, 0.25)))),
            "officer_id": f.officer_id,
            "updated_at": today - dt.timedelta(days=rng.randint(0, 120)),
        }
        for key, value in values.items():
            if key in ix:
                row[ix[key]] = value
        f.row = row
        rows.append(row)
    return rows


def _drive_link(rng: random.Random) -> str:
    rnd = rng.random
    n = len(_DRIVE_CHARS)
    return ("https://drive.google.com/file/d/1" + "".join(_DRIVE_CHARS[int(rnd() * n)] for _ in range(32))
            + "/view")
