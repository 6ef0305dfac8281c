"""Which funds a place name means: a fund code, a village name (part of it), and the lists they narrow."""
from __future__ import annotations

from typing import Any

from core.thai import to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages


def match_funds(view: Any, query: str) -> list[Any]:
    q = " ".join(to_arabic_digits(query).split()).lower()
    if not q:
        return []
    exact = [f for f in view.funds if f.fund_id.lower() == q]
    if exact:
        return exact
    bare = q.removeprefix("บ้าน").strip()
    found = []
    for fund in view.funds:
        name = fund.village_name.lower().replace(" ", "")
        if q in fund.fund_id.lower() or (bare and bare.replace(" ", "") in name):
            found.append(fund)
    return found


def narrow(ctx: Ctx, query: str) -> tuple[set[str] | None, str | None, Messages | None]:
    """Fund ids a list is narrowed to (a district, a fund id or a village name), with its label."""
    if not query:
        return None, None, None
    view = ctx.view
    q = query.strip().removeprefix("อำเภอ").removeprefix("อ.").strip()
    by_district = {f.fund_id for f in view.funds if f.district == q}
    if by_district:
        return by_district, f"อ.{q}", None
    funds = match_funds(view, query)
    if not funds:
        return None, None, not_found_fund(query)
    label = views.fund_label(funds[0]) if len(funds) == 1 else f"{len(funds)} กองทุนที่ตรงกับคำค้น"
    return {f.fund_id for f in funds}, label, None


def not_found_fund(query: str) -> Messages:
    # What the officer typed is never repeated back (it may name someone outside their area).
    return [flex.text_message("ไม่พบกองทุนที่ค้นหาในพื้นที่ของท่าน\n"
                           "พิมพ์รหัสกองทุน (เช่น 230101-01) หรือชื่อหมู่บ้าน",
                           quick=views.main_quick())]


def only_funds(view: Any, fund_ids: set[str] | None) -> list[bool] | None:
    """Per loan of the view's book: in the funds a list is narrowed to (None: every loan)."""
    return None if fund_ids is None else [loan.fund_id in fund_ids for loan in view.book.loans]
