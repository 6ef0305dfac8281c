"""Help, linking and greetings: what the bot says before and around the real questions."""
from __future__ import annotations


from typing import Any

from core.geo import normalize_district
from core.schema import DOCUMENT_KINDS
from core.thai import date_th
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.phrases import THANKS_KEY
from chat.registry import COMMANDS, command


# The order the menu lists the commands in (a command not named here comes last).
HELP_ORDER = ("due", "overdue", "fund", "ranking", "district_ranking", "subdistrict_ranking", "collection", "find", "pay", "recorded", "collected", "paid", "trend", "summary", "check", "officers", "feedback")


# Commands that need words typed after them: their row in the menu opens the keyboard, pre-typed.
_TYPED_AFTER = frozenset({"find", "feedback"})


def link_help(extra: str | None = None) -> Messages:
    lines = ([extra, ""] if extra else []) + [
        "ยังไม่ได้ผูกบัญชี LINE นี้กับรหัสเจ้าหน้าที่",
        "วิธีผูกบัญชี: พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียนที่ได้จากผู้ดูแลระบบจังหวัด",
        "เช่น  ลงทะเบียน ABC123",
        "",
        "เมื่อผูกแล้วจะถามได้ว่าใครครบกำหนด ใครค้างชำระ ดูสถานะกองทุน ค้นหาลูกหนี้ และบันทึกรับชำระ",
        "(รหัสลงทะเบียนอยู่ในแท็บ เจ้าหน้าที่ ของสเปรดชีต ขอได้จากผู้ดูแลระบบ)",
    ]
    return [flex.text_message("\n".join(lines), quick=views.quick("ช่วยเหลือ", fills=(("ลงทะเบียน", "ลงทะเบียน "),)))]


@command("help", "เมนู", "ช่วยเหลือ", "วิธีใช้", "help", "menu", "?", usage="เมนู",
         summary="สิ่งที่บอตทำได้", linked_only=False)
def cmd_help(ctx: Ctx, args: str) -> Messages:
    if ctx.officer is None or ctx.status != "linked":
        return link_help()
    body: list[dict] = [flex.text(f"{ctx.officer.name} · {ctx.scope.label}", size="xs", color=flex.GREY)]
    listed = sorted((c for c in COMMANDS.values() if c.in_help and c.key not in ("help", "register")),
                    key=lambda c: HELP_ORDER.index(c.key) if c.key in HELP_ORDER else len(HELP_ORDER))
    for cmd in listed:
        aliases = " / ".join(w for w in cmd.words[1:] if w.isascii() and w.isalpha())
        body.append(flex.separator("sm"))
        # Each command is tapped rather than typed: one that needs words after it (ค้นหา <ชื่อ>) opens the
        # keyboard with the command typed; the others are sent as they are and answer with their buttons.
        word = cmd.words[0]
        tap = flex.fill_in_action(word, word + " ") if cmd.key in _TYPED_AFTER else flex.message_action(word, word)
        body.append(flex.box([flex.text(cmd.usage, bold=True, color=flex.GREEN),
                              flex.text(cmd.summary + (f" ({aliases})" if aliases else ""), size="xs", color=flex.GREY)],
                             spacing="none", action=tap))
    bubble = flex.bubble("กข.คจ. Care", body, subtitle="แตะคำสั่งเพื่อใช้ หรือพิมพ์เอง")
    return [flex.flex_message("เมนู กข.คจ. Care: ครบกำหนด ค้างชำระ กองทุน ค้นหา ชำระ สรุป ตรวจสอบ แนะนำ",
                           bubble, quick=views.main_quick())]


@command("register", "ลงทะเบียน", "register", usage="ลงทะเบียน <รหัส>",
         summary="ผูกบัญชี LINE กับรหัสเจ้าหน้าที่", linked_only=False, in_help=False)
def cmd_register(ctx: Ctx, args: str) -> Messages:
    return ctx.conv.register(ctx, args)


@command("officers", "เจ้าหน้าที่", "officers", usage="เจ้าหน้าที่ [อำเภอ]",
         summary="เจ้าหน้าที่ในพื้นที่ของท่าน ใครผูก LINE แล้ว ใครยังไม่ได้ผูก (ยังไม่ได้รับแจ้งเตือน)", place=True)
def cmd_officers(ctx: Ctx, args: str) -> Messages:
    """Who in the officer's area is linked to LINE (and so gets the daily digest): the rollout's
    check (project 4.4). Registration codes are never shown: one lets anybody link as that officer."""
    assert ctx.officer is not None
    asked = normalize_district(args.strip()) if args.strip() else ""
    if not ctx.officer.sees_all:
        asked = ctx.officer.district   # a district officer sees their own district's staff only
    links = ctx.snap.base.links
    staff = [o for o in ctx.snap.officers.values() if o.active and (not asked or o.district == asked)]
    if not staff:
        return [flex.text_message("ไม่พบเจ้าหน้าที่ในพื้นที่ที่ค้นหา พิมพ์ เจ้าหน้าที่ หรือ เจ้าหน้าที่ <ชื่ออำเภอ>",
                                  quick=views.main_quick())]
    linked = sum(1 for o in staff if o.officer_id in links)
    by_district: dict[str, list[Any]] = {}
    for officer in sorted(staff, key=lambda o: (o.officer_id in links, o.officer_id)):   # not linked first
        by_district.setdefault(officer.district or "", []).append(officer)
    districts = sorted(by_district, key=lambda d: (d == "", d))   # provincial staff last
    body: list[dict] = [flex.text(f"ผูก LINE แล้ว {linked:,} จาก {len(staff):,} คน", bold=True,
                                  color=flex.GREEN if linked == len(staff) else flex.AMBER)]

    def where_of(district: str) -> str:
        return "อ." + district if district else "ระดับจังหวัด"

    def line_of(officer: Any, district: str = "") -> dict:
        """One officer: where (in the province's list of those not linked) or whether and since when linked."""
        link = links.get(officer.officer_id)
        state = district or ("ยังไม่ผูก LINE" if link is None else
                             f"ผูกแล้ว {date_th(link.linked_at.date())}" if link.linked_at else "ผูกแล้ว")
        return flex.text(f"{officer.name} ({officer.officer_id}) · {state}", size="xs",
                         color=flex.RED if link is None else None)
    if len(districts) > 1:
        # The whole province: who is not linked yet, by name, then each district's count.
        waiting = [(d, o) for d in districts for o in by_district[d] if o.officer_id not in links]
        if waiting:
            body += [flex.separator("sm"), flex.text("ยังไม่ผูก LINE", bold=True, size="xs", color=flex.RED)]
            body += [line_of(o, where_of(d)) for d, o in waiting]
        body += [flex.separator("sm"), flex.text("รายอำเภอ (ผูกแล้ว/ทั้งหมด) พิมพ์ เจ้าหน้าที่ <อำเภอ> เพื่อดูรายชื่อ",
                                                 size="xs", color=flex.GREY)]
        for district in districts:
            people = by_district[district]
            done = sum(1 for o in people if o.officer_id in links)
            body.append(flex.text(f"{where_of(district)}  {done}/{len(people)}", size="xs",
                                  color=flex.RED if done < len(people) else None))
    else:
        body += [line_of(o) for o in by_district[districts[0]]]
    note = ("ผู้ที่ยังไม่ผูกจะไม่ได้รับสรุปแจ้งเตือนรายวัน ให้พิมพ์ ลงทะเบียน <รหัส> ในแชตนี้ "
            "(รหัสลงทะเบียนอยู่ในแท็บ เจ้าหน้าที่ ขอได้จากผู้ดูแลระบบจังหวัด)")
    body.append(flex.text(note, size="xxs", color=flex.GREY, margin="md"))
    where = f"อ.{asked}" if asked else ctx.scope.label
    people_rows = len(body) - 1

    def card(shown: int) -> dict:
        left = ([flex.text(f"และอีก {people_rows - shown:,} บรรทัด พิมพ์ เจ้าหน้าที่ <ชื่ออำเภอ>", size="xs",
                           color=flex.GREY)] if shown < people_rows else [])
        return flex.bubble("เจ้าหน้าที่และ LINE", body[:shown] + left + body[-1:], subtitle=where)
    container, _ = flex.fitted(card, people_rows, lambda i: len(str(body[i])), least=1)
    behind = [d for d in districts if d and any(o.officer_id not in links for o in by_district[d])]
    quick = views.quick(*[f"เจ้าหน้าที่ {d}" for d in behind[:4]], "เมนู") if len(districts) > 1 else views.main_quick()
    return [flex.flex_message(f"เจ้าหน้าที่ {where}: ผูก LINE แล้ว {linked:,} จาก {len(staff):,} คน", container,
                              quick=quick)]


@command(THANKS_KEY, usage="ขอบคุณ", summary="ขอบคุณ", linked_only=False, in_help=False)
def cmd_thanks(ctx: Ctx, args: str) -> Messages:
    quick = views.main_quick() if ctx.officer is not None and ctx.status == "linked" else None
    return [flex.text_message("ยินดีค่ะ มีอะไรให้ช่วยอีก พิมพ์ เมนู ได้เลยค่ะ", quick=quick)]


def laughed(ctx: Ctx, text: str) -> Messages:
    """555 or ฮ่าๆ with no step waiting: a kind word and the menu; a 555 meant as an amount is said to be
    unrecorded, as any amount typed with no step waiting is (chat.guided.lost)."""
    quick = views.main_quick() if ctx.officer is not None and ctx.status == "linked" else None
    lines = ["😊 มีอะไรให้ช่วยอีก กดปุ่มด้านล่าง หรือพิมพ์ เมนู ได้เลยค่ะ"]
    if any(c.isdigit() for c in text):
        lines.append("(ถ้าพิมพ์เป็นจำนวนเงินรับชำระ: ไม่มีขั้นตอนที่รอจำนวนเงินอยู่ ยังไม่ได้บันทึกอะไร กด บันทึกรับชำระ เพื่อเริ่ม)")
    return [flex.text_message("\n".join(lines), quick=quick)]


@command("send_document", "ส่งเอกสาร", "ส่งรูป", "ส่งไฟล์", "แนบเอกสาร", "อัปโหลดเอกสาร", "documents",
         usage="ส่งเอกสาร", summary="วิธีส่งเอกสารกองทุน (รูปหรือ PDF) เข้าแชต", in_help=False)
def cmd_send_document(ctx: Ctx, args: str) -> Messages:
    """How a fund's document is sent: as a photo or a PDF into this chat (chat.documents files it)."""
    limit = int(ctx.config.documents.max_bytes) / 1048576
    kinds = " ".join(DOCUMENT_KINDS)
    return [flex.text_message(
        f"ส่งเอกสารของกองทุนในแชตนี้ได้เลย: ถ่ายรูปหรือแนบไฟล์ PDF (ไม่เกิน {limit:.0f} MB) แล้วส่งมา\n"
        f"บอตจะถามว่าเป็นของกองทุนใด และเป็นเอกสารอะไร ({kinds})\n"
        "ถ้าเป็นสมุดบัญชี บอตจะถามยอดเงินฝากและวันที่ในสมุดด้วย แล้วเก็บไฟล์และเพิ่มแถวในแท็บ เอกสาร",
        quick=views.main_quick())]
