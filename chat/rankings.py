"""Which funds, districts and subdistricts are most in arrears (กองทุนค้างมาก, อำเภอค้างมาก, ตำบลค้างมาก) and
the area's funds listed (รายชื่อกองทุน): each figure from the ledger engine's per-group aging and summary,
the groups made here (`district_groups`, shared with สรุป's รายอำเภอ lines)."""
from __future__ import annotations

import re

from decimal import Decimal
from typing import Any

from core.thai import baht, date_th
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.lists import amount_and_rest
from chat.places import narrow
from chat.registry import command

BY_DISTRICT = frozenset({"รายอำเภอ", "แยกอำเภอ", "แยกรายอำเภอ", "ทุกอำเภอ", "แต่ละอำเภอ"})


def listed_districts(view: Any, only: set[str] | None) -> Any:
    """The districts an answer lists line by line, as a ledger.engine.Grouping (None: it is one district's):
    every district of a loan for the province's whole area or a scope across districts, else those of the
    place's funds (`only`) when it spans several."""
    spanned = {view.ds.district_of(f.fund_id) or "-" for f in view.funds if only is None or f.fund_id in only}
    if not ((view.scope.province_wide and only is None) or len(spanned) > 1):
        return None
    return district_groups(view, None if only is None else spanned)


def district_groups(view: Any, districts: set[str] | None = None) -> Any:
    """The view's loans grouped by district, in Thai order (`districts`: the ones shown, default every
    district of a loan): a ledger.engine.Grouping."""
    from ledger.engine import Grouping

    keys = [view.ds.district_of(loan.fund_id) or "-" for loan in view.book.loans]
    return Grouping(keys, sorted(set(keys) if districts is None else districts))


def by_district(view: Any, day: Any, where: list[bool] | None = None,
                groups: Any = None) -> tuple[list[str], dict[Any, Any], dict[Any, Any]]:
    """(the districts in Thai order, each one's aging table, each one's summary) of the view's book as of
    `day` (`where`: the loans counted; `groups`: the districts shown, default every district of a loan)."""
    groups = groups if groups is not None else district_groups(view)
    return [str(name) for name in groups.names], day.aging_by(groups, where), day.summary_by(groups, where)


RANKED = 10   # funds shown by กองทุนค้างมาก: a bubble's worth
# The ranking's question said again after the place (ตำบลไหนในอำเภอบ่อไร่ค้างเยอะสุด): not part of its name.
_ASKED_AGAIN = re.compile(r"\s*ค้าง(?:ชำระ|จ่าย)?(?:มาก|เยอะ)?(?:ที่สุด|สุด)?$")


def without_asked_again(args: str) -> str:
    return _ASKED_AGAIN.sub("", args.strip()).strip()


@command("ranking", "กองทุนค้างมาก", "ranking", usage="กองทุนค้างมาก [สถานที่]",
         summary="กองทุนที่ยอดค้างชำระมากที่สุดก่อน: ค้างชำระ สัญญาค้าง PAR30", place=True)
def cmd_ranking(ctx: Ctx, args: str) -> Messages:
    """The funds to follow up first: most in arrears first, with their PAR30 (the monthly report's
    กองทุนที่ต้องติดตาม, for the officer's area or a place in it), from the one ledger engine."""
    view = ctx.view
    at_least, args = amount_and_rest(args)   # กองทุนที่ค้างเกิน 100,000 บาท: those in arrears by more
    asked = funds_asked(ctx, args)
    if isinstance(asked, list):
        return asked
    funds, groups, where = asked
    day = view.ledger
    tables, parts = day.aging_by(groups), day.summary_by(groups)
    late = [f for f in funds if tables[f.fund_id].overdue.contracts
            and (at_least is None or tables[f.fund_id].overdue.arrears > at_least)]
    late.sort(key=lambda f: (-tables[f.fund_id].overdue.arrears, f.fund_id))
    more = f"เกิน {at_least:,} บาท" if at_least is not None else ""
    if not late:
        return [flex.text_message(f"ไม่มีกองทุนที่ค้างชำระ{more} ({where})", quick=views.main_quick("สรุป"))]
    rows = [flex.box([
        flex.text(f"{n}. {views.fund_label(f)} ({f.fund_id})", bold=True),
        flex.text(f"ค้างชำระ {baht(tables[f.fund_id].overdue.arrears)} · {tables[f.fund_id].overdue.contracts:,} สัญญา "
                  f"· PAR{ctx.config.ledger.par_days} {views.percent(parts[f.fund_id].par30)}", size="xs", color=flex.RED),
    ], spacing="none") for n, f in enumerate(late[:RANKED], start=1)]
    if len(late) > RANKED:
        rows.append(flex.text(f"และอีก {len(late) - RANKED:,} กองทุนที่ค้างชำระ — พิมพ์ กองทุนค้างมาก <อำเภอหรือตำบล> "
                              "เพื่อดูให้แคบลง", size="xs", color=flex.AMBER))
    total = sum((tables[f.fund_id].overdue.arrears for f in late), Decimal(0))
    top = [flex.text(f"{len(late):,} จาก {len(funds):,} กองทุนมีค้างชำระ{more} รวม {baht(total)}", bold=True)]
    bubble = flex.bubble("กองทุนค้างชำระมากที่สุด" if at_least is None else f"กองทุนค้างชำระ{more}", top + rows, subtitle=f"{where} · ณ {date_th(ctx.today)}",
                         color=flex.RED)
    alt = f"กองทุนค้างชำระมากที่สุด {where}: " + ", ".join(
        f"{f.fund_id} {baht(tables[f.fund_id].overdue.arrears)}" for f in late[:3])
    return [flex.flex_message(alt, bubble, quick=[*views.named_fund_buttons(late[:5], "กองทุน"),
                                                  *views.quick("ค้างชำระ", "สรุป", "เมนู")])]


@command("district_ranking", "อำเภอค้างมาก", "districts", usage="อำเภอค้างมาก",
         summary="อำเภอที่ยอดค้างชำระมากที่สุดก่อน: ค้างชำระ สัญญาค้าง PAR30 (ตัวเลขเดียวกับ สรุป รายอำเภอ)")
def cmd_district_ranking(ctx: Ctx, args: str) -> Messages:
    """The districts of the officer's area, most in arrears first: the provincial staff's question at
    the monthly meeting (อำเภอไหนค้างมากสุด), with the figures of สรุป's รายอำเภอ lines."""
    view = ctx.view
    names, tables, parts = by_district(view, view.ledger)
    ranked = sorted(names, key=lambda d: (-tables[d].overdue.arrears, d))
    par = f"PAR{ctx.config.ledger.par_days}"
    rows = [flex.box([
        flex.text(f"{n}. อ.{d}", bold=True),
        flex.text(f"ค้างชำระ {baht(tables[d].overdue.arrears)} · {tables[d].overdue.contracts:,} สัญญา · "
                  f"{par} {views.percent(parts[d].par30)}", size="xs",
                  color=flex.RED if tables[d].overdue.arrears > 0 else flex.GREY),
        flex.text(f"คงค้าง {baht(tables[d].total.outstanding)}", size="xs", color=flex.GREY),
    ], spacing="none") for n, d in enumerate(ranked, start=1)]
    total = sum((tables[d].overdue.arrears for d in ranked), Decimal(0))
    top = [flex.text(f"{len(ranked):,} อำเภอ ค้างชำระรวม {baht(total)}", bold=True)]
    if len(ranked) == 1:
        top.append(flex.text("พิมพ์ กองทุนค้างมาก เพื่อดูรายกองทุน", size="xs", color=flex.GREY))
    bubble = flex.bubble("อำเภอค้างชำระมากที่สุด", top + rows, subtitle=f"{view.scope.label} · ณ {date_th(ctx.today)}",
                         color=flex.RED)
    alt = "อำเภอค้างชำระมากที่สุด: " + ", ".join(f"อ.{d} {baht(tables[d].overdue.arrears)}" for d in ranked[:3])
    return [flex.flex_message(alt, bubble, quick=views.quick(*[f"สรุป {d}" for d in ranked[:5]], "กองทุนค้างมาก",
                                                              "สรุป", "เมนู"))]


@command("subdistrict_ranking", "ตำบลค้างมาก", "subdistricts", usage="ตำบลค้างมาก [อำเภอ]",
         summary="ตำบลที่ยอดค้างชำระมากที่สุดก่อน: ค้างชำระ สัญญาค้าง PAR30", place=True)
def cmd_subdistrict_ranking(ctx: Ctx, args: str) -> Messages:
    """The subdistricts of the officer's area (or of a place in it), most in arrears first (ตำบลไหนค้างมากสุด:
    where a district officer goes first), each one's figures from the one ledger engine."""
    from ledger.engine import Grouping

    view = ctx.view
    only, label, refusal = narrow(ctx, without_asked_again(args))
    if refusal:
        return refusal
    funds = [f for f in view.funds if only is None or f.fund_id in only]
    place_of = {f.fund_id: (f.district or "", f.subdistrict or "") for f in funds}
    names = sorted(set(place_of.values()))
    groups = Grouping([place_of.get(loan.fund_id) for loan in view.book.loans], names)
    day = view.ledger
    tables, parts = day.aging_by(groups), day.summary_by(groups)
    late = sorted((k for k in names if tables[k].overdue.contracts), key=lambda k: (-tables[k].overdue.arrears, k))
    where = label or view.scope.label
    if not late:
        return [flex.text_message(f"ไม่มีตำบลที่ค้างชำระ ({where})", quick=views.main_quick("สรุป"))]
    districts = {district for district, _ in names}

    def named(key: tuple[str, str]) -> str:
        district, subdistrict = key
        said = f"ต.{subdistrict}" if subdistrict else "ไม่ระบุตำบล"
        return f"{said} อ.{district}" if len(districts) > 1 and district else said

    par = f"PAR{ctx.config.ledger.par_days}"
    rows = [flex.box([
        flex.text(f"{n}. {named(k)}", bold=True),
        flex.text(f"ค้างชำระ {baht(tables[k].overdue.arrears)} · {tables[k].overdue.contracts:,} สัญญา · "
                  f"{par} {views.percent(parts[k].par30)}", size="xs", color=flex.RED),
        flex.text(f"คงค้าง {baht(tables[k].total.outstanding)}", size="xs", color=flex.GREY),
    ], spacing="none") for n, k in enumerate(late[:RANKED], start=1)]
    if len(late) > RANKED:
        rows.append(flex.text(f"และอีก {len(late) - RANKED:,} ตำบลที่ค้างชำระ — พิมพ์ ตำบลค้างมาก <อำเภอ> "
                              "เพื่อดูให้แคบลง", size="xs", color=flex.AMBER))
    total = sum((tables[k].overdue.arrears for k in late), Decimal(0))
    top = [flex.text(f"{len(late):,} จาก {len(names):,} ตำบลมีค้างชำระ รวม {baht(total)}", bold=True)]
    bubble = flex.bubble("ตำบลค้างชำระมากที่สุด", top + rows, subtitle=f"{where} · ณ {date_th(ctx.today)}",
                         color=flex.RED)
    alt = "ตำบลค้างชำระมากที่สุด: " + ", ".join(f"{named(k)} {baht(tables[k].overdue.arrears)}" for k in late[:3])
    # Each button: that subdistrict's funds, most in arrears first; its district said too, since a
    # subdistrict's name may be found in two districts (ต.คลองใหญ่ of อ.คลองใหญ่ and of อ.แหลมงอบ).
    buttons = [flex.message_action(named(k), f"กองทุนค้างมาก ต.{k[1]} อ.{k[0]}") for k in late[:5] if k[1] and k[0]]
    return [flex.flex_message(alt, bubble, quick=[*buttons, *views.quick("กองทุนค้างมาก", "สรุป", "เมนู")])]


FUNDS_LISTED = 30   # funds named in one answer of รายชื่อกองทุน (a district has 5-18 in Trat)


def funds_asked(ctx: Ctx, args: str) -> tuple[list[Any], Any, str] | Messages:
    """The funds of the officer's area or of the place named, the engine's grouping of the view's loans
    by them, and what to call the place; or the refusal when no such place is theirs."""
    from ledger.engine import Grouping

    view = ctx.view
    only, label, refusal = narrow(ctx, without_asked_again(args))
    if refusal:
        return refusal
    funds = [f for f in view.funds if only is None or f.fund_id in only]
    groups = Grouping([loan.fund_id for loan in view.book.loans], [f.fund_id for f in funds])
    return funds, groups, label or view.scope.label


@command("funds", "รายชื่อกองทุน", "funds", usage="รายชื่อกองทุน [สถานที่]",
         summary="กองทุนในพื้นที่ (หรือในอำเภอ ตำบล): รหัส หมู่บ้าน และค้างชำระ", in_help=False, place=True)
def cmd_funds(ctx: Ctx, args: str) -> Messages:
    """The funds of the officer's area or of a place in it, in code order, each with its arrears from the
    engine's per-fund aging, and a button to each (most in arrears first)."""
    view = ctx.view
    asked = funds_asked(ctx, args)
    if isinstance(asked, list):
        return asked
    funds, groups, where = asked
    aging = view.ledger.aging_by(groups)
    lines = [f"{where} มี {len(funds):,} กองทุน"]
    for f in funds[:FUNDS_LISTED]:
        owed = aging[f.fund_id].overdue.arrears
        lines.append(f"{f.fund_id} {views.fund_label(f)}" + (f" · ค้างชำระ {baht(owed)}" if owed else ""))
    if len(funds) > FUNDS_LISTED:
        lines.append(f"และอีก {len(funds) - FUNDS_LISTED:,} กองทุน พิมพ์ รายชื่อกองทุน <อำเภอหรือตำบล> เพื่อดูให้แคบลง")
    lines.append("แตะปุ่มเพื่อดูกองทุน หรือพิมพ์ กองทุน <ชื่อหมู่บ้าน>")
    return [flex.text_message("\n".join(lines), quick=[*views.fund_buttons(view, funds, "กองทุน", 12), *views.quick("เมนู")])]
