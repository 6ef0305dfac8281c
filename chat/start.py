"""Help, linking and greetings: what the bot says before and around the real questions."""
from __future__ import annotations


from core.schema import DOCUMENT_KINDS
from core.thai import polite_name
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.phrases import GREETING, THANKS_KEY
from chat.registry import COMMANDS, command


# The order the menu lists the commands in (a command not named here comes last).
HELP_ORDER = ("due", "overdue", "fund", "ranking", "district_ranking", "collection", "find", "pay", "recorded", "collected", "trend", "summary", "check", "feedback")


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
        body.append(flex.text(cmd.usage, bold=True))
        body.append(flex.text(cmd.summary + (f" ({aliases})" if aliases else ""), size="xs", color=flex.GREY))
    bubble = flex.bubble("กข.คจ. Care", body, subtitle="พิมพ์คำสั่ง หรือกดปุ่มด้านล่าง")
    return [flex.flex_message("เมนู กข.คจ. Care: ครบกำหนด ค้างชำระ กองทุน ค้นหา ชำระ สรุป ตรวจสอบ แนะนำ",
                           bubble, quick=views.main_quick())]


@command("register", "ลงทะเบียน", "register", usage="ลงทะเบียน <รหัส>",
         summary="ผูกบัญชี LINE กับรหัสเจ้าหน้าที่", linked_only=False, in_help=False)
def cmd_register(ctx: Ctx, args: str) -> Messages:
    return ctx.conv.register(ctx, args)


@command(GREETING, usage="สวัสดี", summary="ทักทาย", linked_only=False, in_help=False)
def cmd_greeting(ctx: Ctx, args: str) -> Messages:
    if ctx.officer is None or ctx.status != "linked":
        return link_help("สวัสดีค่ะ ยินดีต้อนรับสู่ กข.คจ. Care")
    return [flex.text_message(f"สวัสดีค่ะ {polite_name(ctx.officer.name)} ({ctx.scope.label})\n"
                              "วันนี้ให้ช่วยอะไรดีคะ กดปุ่มด้านล่าง หรือพิมพ์ เมนู",
                              quick=views.main_quick())]


@command(THANKS_KEY, usage="ขอบคุณ", summary="ขอบคุณ", linked_only=False, in_help=False)
def cmd_thanks(ctx: Ctx, args: str) -> Messages:
    quick = views.main_quick() if ctx.officer is not None and ctx.status == "linked" else None
    return [flex.text_message("ยินดีค่ะ มีอะไรให้ช่วยอีก พิมพ์ เมนู ได้เลยค่ะ", quick=quick)]


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
