"""The whole demo province, step by step from one seeded random generator.

The steps draw from the generator in a fixed order (officers, funds, loans, repayments, then
the rows of each tab, then the planted problems): reordering them, or drawing one number more
anywhere, changes every figure after it. tests/test_demo.py holds the data's fingerprints.
"""
from __future__ import annotations

import datetime as dt
import gc
import random
import time
from dataclasses import dataclass
from typing import Any, Callable

from core.geo import districts
from core.schema import TABS
from core.thai import date_th
from sheets.demo.committee import committee_rows
from sheets.demo.funds import fund_rows, make_funds
from sheets.demo.loans import installment_rows, loan_rows, make_loans, pin_due_soon
from sheets.demo.officers import make_staff, officer_rows_and_links
from sheets.demo.people import Names
from sheets.demo.planted import plant
from sheets.demo.repayments import payment_rows, repay
from sheets.demo.scales import TRAT, DemoScale, funds_per_district
from sheets.demo.summary import DemoOfficer, DemoSummary, Planted
from sheets.store import Layout

ProgressFn = Callable[[str], None]


@dataclass
class Demo:
    tables: dict[str, list[list[Any]]]  # tab key -> rows, the first row the Thai headers
    planted: list[Planted]
    officers: list[DemoOfficer]
    facts: dict[str, Any]


def generate(today: dt.date, seed: int, scale: DemoScale, layout: Layout | None,
             progress: ProgressFn | None) -> Demo:
    if scale.funds < 1 or scale.loans < 0 or scale.officers_district < 1:
        raise ValueError("a demo needs at least one fund and one district officer")
    if isinstance(today, dt.datetime):
        today = today.date()
    # Millions of small objects and no cycles: the cyclic collector would only rescan them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(today, seed, scale, layout or Layout(), progress or (lambda _m: None))
    finally:
        if was_enabled:
            gc.enable()


def _generate(today: dt.date, seed: int, scale: DemoScale, layout: Layout, say: ProgressFn) -> Demo:
    rng = random.Random(seed)
    names = Names(rng)
    dists = districts()
    say("สร้างเจ้าหน้าที่และกองทุน ...")
    per_district = funds_per_district(scale, dists)
    staff = make_staff(rng, names, scale, dists, per_district)
    funds = make_funds(rng, dists, per_district, staff)
    say(f"สร้างลูกหนี้ {scale.loans:,} สัญญา ...")
    loans = make_loans(rng, names, today, scale, funds)
    pinned = pin_due_soon(rng, today, loans)
    say("สร้างการรับชำระ ณ วันที่ " + date_th(today) + " ...")
    facts = repay(rng, today, loans, pinned)
    data = {"funds": fund_rows(rng, today, funds), "loans": loan_rows(loans),
            "installments": installment_rows(loans), "payments": payment_rows(rng, loans, staff),
            "committee": committee_rows(rng, names, funds)}
    data["officers"], data["line_links"], people = officer_rows_and_links(rng, today, scale, staff, funds)
    planted = plant(rng, today, data, loans)
    tables = {key: [layout.headers(key)] + data.get(key, []) for key, tab in TABS.items() if tab.columns}
    return Demo(tables, planted, people, facts)


def demo_tables(today: dt.date, seed: int = 2569, scale: DemoScale = TRAT,
                layout: Layout | None = None) -> dict[str, list[list[Any]]]:
    """Tab key -> rows; the first row is the tab's Thai headers. Pure and deterministic."""
    return generate(today, seed, scale, layout, None).tables


def demo_summary(today: dt.date, seed: int = 2569, scale: DemoScale = TRAT) -> DemoSummary:
    """What build_demo would write, without writing it (path None)."""
    started = time.perf_counter()
    demo = generate(today, seed, scale, None, None)
    counts = {key: len(rows) - 1 for key, rows in demo.tables.items()}
    return DemoSummary(None, today, seed, scale, counts, demo.planted, demo.officers,
                       time.perf_counter() - started, demo.facts)
