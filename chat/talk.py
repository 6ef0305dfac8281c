"""Feedback (แนะนำ), and what a message that is no command means: a place or a borrower named
alone, a place named before what is asked of it (chat.phrases reads the words around them), or
else a short hint."""
from __future__ import annotations

import re

from core.thai import MONTHS_ABBR, MONTHS_FULL, date_th, normalize_text, polite_name
from messaging import flex
from messaging.base import MAX_MESSAGES
from chat import views
from chat.context import Ctx, Messages
from chat.lists import DAY_WORDS, DUE_WHEN_WORDS, PAID_WHEN_WORDS, PREVIOUS_MONTH_WORDS, THIS_MONTH_WORDS
from chat.overview import cmd_fund, cmd_summary
from chat.phrases import (ACK_WORDS, CONFIRM_WORDS, GREETING, MAYBE_CONFIRM, NOW_WORDS, PING_WORDS, THANKS_KEY,
                          is_cancel, named_alone, says_one_of)
from chat.payments import PAID_VERB
from chat.places import PLACE_FIRST, Place, find_place, place_then_command
from chat.registry import COMMANDS, command, phrasebook, route
from chat.start import link_help
from chat.search import find_loans, found_reply


def _names_whole(place: Place, name: str) -> bool:
    """The name is the whole name of the place found (a fund code, a district, a subdistrict, a
    village with or without บ้าน), not a part of villages' names that a borrower's name could be."""
    bare = "".join(name.split()).removeprefix("หมู่บ้าน").removeprefix("บ้าน")
    villages = {"".join((fund.village_name or "").split()).removeprefix("บ้าน") for fund in place.funds}
    part_of_villages = bare not in villages and all(bare in village for village in villages)
    return not part_of_villages


# A month's name said first (ตุลาคมเก็บได้เท่าไหร่), longest first: เดือนตุลาคม before ตุลาคม.
_MONTH_NAMES = tuple(sorted({*(f"เดือน{m}" for m in MONTHS_FULL), *MONTHS_FULL, *MONTHS_ABBR}, key=len, reverse=True))


def _when_then_command(ctx: Ctx, text: str) -> Messages | None:
    """When, said before the question, as Thai puts it: เดือนที่แล้วเก็บเงินได้เท่าไหร่ (a month's
    collections), วันนี้ต้องไปเก็บเงินที่ไหนบ้าง (what falls due). None when the text is not that."""
    said = normalize_text(text).strip()
    for key, words in (("collected", (*PREVIOUS_MONTH_WORDS, *THIS_MONTH_WORDS, *_MONTH_NAMES, *DAY_WORDS)),
                       ("paid", PAID_WHEN_WORDS),   # วันนี้มีใครมาจ่ายบ้าง
                       ("due", (*DUE_WHEN_WORDS, *_MONTH_NAMES))):   # ธันวาคมใครต้องจ่าย: that month's due list
        for word in words:
            if said.startswith(word) and said[len(word):].strip():
                understood = phrasebook().understand(said[len(word):].strip())
                if understood.key == key:
                    return COMMANDS[key].run(ctx, f"{word} {understood.args}".strip())
    # "Now" before a question answered as of today anyway (วันนี้ต้องโทรตามใคร, ตอนนี้ค้างเท่าไหร่): the question.
    for word in sorted(NOW_WORDS, key=len, reverse=True):
        if said.startswith(word) and said[len(word):].strip():
            understood = phrasebook().understand(said[len(word):].strip())
            if understood.key in PLACE_FIRST and understood.key not in ("due", "collected"):
                return COMMANDS[understood.key].run(ctx, understood.args)
    return None


_PAGE_ALONE = re.compile(r"^(?:หน้า|page)\s*(\d+)$", re.IGNORECASE)
# A borrower's phone number asked for (ขอเบอร์โทรนางบุญเรือน, เบอร์ลูกหนี้ที่ค้าง): the chat never shows one.
# A number typed with it is a search by phone (ค้นหา 081-234-5678), which any command word before it routes.
_ASKS_PHONE = re.compile(r"เบอร์|โทรศัพท์")
_DIALLED = re.compile(r"\d{6,}")


# "สมชายจ่าย 500", "นางสอง ชำระมา 1,500 บาท เมื่อวาน": a borrower, then that they paid, then how much.
_PAID = re.compile(r"^(?P<who>.+?)\s*" + PAID_VERB + r"\s+(?P<rest>[0-9๐-๙].*)$")


def _name_then_paid(ctx: Ctx, text: str) -> Messages | None:
    """A repayment said the way round people say it: the borrower first (None: not that). It goes where
    `ชำระ <ชื่อ> <จำนวน>` goes, which looks the borrower up: a confirm card, or what it cannot find, never
    a row written without its button."""
    found = _PAID.match(normalize_text(text).strip())
    if found is None:
        return None
    return COMMANDS["pay"].run(ctx, f"{found['who']} {found['rest']}")


@command("feedback", "แนะนำ", "ข้อเสนอแนะ", "feedback", usage="แนะนำ <ข้อความ>",
         summary="ส่งข้อเสนอแนะหรือปัญหาเข้าที่ประชุมประจำเดือน")
def cmd_feedback(ctx: Ctx, args: str) -> Messages:
    text = args.strip()
    if len(text) < 3:
        return [flex.text_message("พิมพ์ แนะนำ ตามด้วยข้อความ (ข้อเสนอแนะหรือปัญหาการใช้งาน) เช่น แนะนำ อยากให้แจ้งเตือน"
                                  "ก่อนครบกำหนด 3 วัน ผู้ดูแลระบบจังหวัดจะเห็นในแท็บ ข้อเสนอแนะ",
                                  quick=views.quick("เมนู", fills=(views.FILL_FEEDBACK,)))]
    return ctx.conv.record_feedback(ctx, text)


@command(GREETING, usage="สวัสดี", summary="ทักทาย", linked_only=False, in_help=False)
def cmd_greeting(ctx: Ctx, args: str) -> Messages:
    """A greeting, and the question said after it (สวัสดีครับ วันนี้มีใครต้องจ่ายบ้าง) answered below it."""
    if ctx.officer is None or ctx.status != "linked":
        return link_help("สวัสดีค่ะ ยินดีต้อนรับสู่ กข.คจ. Care")
    hello = f"สวัสดีค่ะ {polite_name(ctx.officer.name)} ({ctx.scope.label})"
    answer = answer_of(ctx, args) if args.strip() else None
    if answer is not None:
        return [flex.text_message(hello), *answer][:MAX_MESSAGES]
    return [flex.text_message(hello + "\nวันนี้ให้ช่วยอะไรดีคะ กดปุ่มด้านล่าง หรือพิมพ์ เมนู", quick=views.main_quick())]


def answer_of(ctx: Ctx, text: str) -> Messages | None:
    """What the chat answers to `text` when it understands it (None: it does not)."""
    cmd, args = route(text)
    if cmd is not None and cmd.key not in (GREETING, THANKS_KEY):
        return cmd.run(ctx, args)
    return understood_anyway(ctx, text) if cmd is None else None


def unknown(ctx: Ctx, text: str) -> Messages:
    """What no command's words begin: understood_anyway's answer, else a short hint, never an error."""
    answer = understood_anyway(ctx, text)
    if answer is not None:
        return answer
    if says_one_of(text, PING_WORDS):   # after the look-ups: a borrower may be named ทดสอบ
        return [flex.text_message(f"บอตพร้อมใช้งานค่ะ ✅ ข้อมูล{ctx.view.scope.label} ณ {date_th(ctx.today)}\n"
                                  "กดปุ่มด้านล่าง หรือพิมพ์ เมนู เพื่อดูสิ่งที่ทำได้", quick=views.main_quick())]
    # The text is not repeated back: it may name someone outside the officer's area. What it seems to be
    # about comes first among the buttons, so that the next try is one tap.
    said = normalize_text(text)
    near = [command for stem, command in _ABOUT if stem in said]
    first = list(dict.fromkeys([*near, "เมนู", *views.QUICK_MAIN, views.PAY]))
    hint = "หมายถึงข้อใดคะ กดปุ่มด้านล่าง" if near else "กดปุ่มด้านล่าง"
    return [flex.text_message(f"ไม่เข้าใจคำสั่ง {hint} หรือพิมพ์ เมนู เพื่อดูสิ่งที่ทำได้",
                              quick=views.quick(*first, fills=(views.FILL_FIND, views.FILL_FUND)))]


# A word in a message no command reads, and the command it is most likely about (its button goes first).
_ABOUT: tuple[tuple[str, str], ...] = (
    ("ค้าง", "ค้างชำระ"), ("ครบ", "ครบกำหนด"), ("จ่าย", "รับชำระล่าสุด"), ("ชำระ", "บันทึกรับชำระ"),
    ("เก็บ", "ยอดรับชำระ"), ("สรุป", "สรุป"), ("ตรวจ", "ตรวจสอบ"), ("ข้อมูล", "ตรวจสอบ"), ("รายงาน", "รายงานประชุม"),
    ("เจ้าหน้าที่", "เจ้าหน้าที่"), ("ไลน์", "เจ้าหน้าที่"), ("แนวโน้ม", "แนวโน้ม"), ("เทียบ", "แนวโน้ม"),
    ("อำเภอ", "อำเภอค้างมาก"), ("ตำบล", "ตำบลค้างมาก"), ("เอกสาร", "ส่งเอกสาร"), ("สมุด", "ส่งเอกสาร"),
)


def understood_anyway(ctx: Ctx, text: str) -> Messages | None:
    """A place or a borrower named alone is looked up, as officers type them (บ้านสลักเตียน,
    สลักเตียนเป็นไงบ้าง, บ่อไร่, นางสาวศิริพร): a fund's card, a district's or subdistrict's summary,
    the search's answer for a borrower of the officer's own area; a time alone (พรุ่งนี้) is what falls
    due then; a place or a time before the question, a borrower before that they paid. None otherwise."""
    said = normalize_text(text).strip()
    if said in DUE_WHEN_WORDS:
        return COMMANDS["due"].run(ctx, said)
    if says_one_of(said, ACK_WORDS):
        lines = ["รับทราบค่ะ 😊 มีอะไรให้ช่วยอีก กดปุ่มด้านล่าง หรือพิมพ์ เมนู ได้เลยค่ะ"]
        if says_one_of(said, MAYBE_CONFIRM):   # "ok" may mean "record it": typing never does
            lines.append("(ถ้าจะบันทึกรับชำระ กดปุ่ม ยืนยันบันทึก บนการ์ดยืนยัน พิมพ์ยืนยันไม่ได้)")
        return [flex.text_message("\n".join(lines), quick=views.main_quick())]
    if says_one_of(said, CONFIRM_WORDS):
        # Nothing is written from typing: the card's button carries what it records (and works on any instance).
        return [flex.text_message("กดปุ่ม ยืนยันบันทึก บนการ์ดยืนยันด้านบนเพื่อบันทึก (พิมพ์ยืนยันไม่ได้ "
                                  "เพื่อไม่ให้บันทึกผิดรายการ) ถ้าไม่เห็นการ์ดแล้ว พิมพ์ ชำระ <เลขที่สัญญา> <จำนวน> อีกครั้ง",
                                  quick=views.quick("บันทึกรับชำระ", "รายการที่บันทึก", "เมนู"))]
    page = _PAGE_ALONE.match(said)
    if page:   # หน้า 2 alone: which list's page is not known here (the list's own button says it)
        n = page.group(1)
        return [flex.text_message(f"หน้า {n} ของรายการไหน กดปุ่ม หน้า {n} ใต้รายการ หรือเลือกด้านล่าง",
                                  quick=views.quick(f"ค้างชำระ หน้า {n}", f"ครบกำหนด หน้า {n}", "เมนู"))]
    if is_cancel(said):   # no step waits for it (a waiting step takes it first)
        return [flex.text_message("ไม่มีขั้นตอนที่ค้างอยู่ให้ยกเลิก (การ์ดที่ยังไม่ได้กด ยืนยันบันทึก จะไม่ถูกบันทึก) "
                                  "ถ้าต้องการยกเลิกรายการรับชำระที่บันทึกแล้ว กด รายการที่บันทึก",
                                  quick=views.quick("รายการที่บันทึก", "เมนู"))]
    if _ASKS_PHONE.search(said) and not _DIALLED.search(said.replace("-", "").replace(" ", "")):
        # Personal data: the bot shows no phone number (chat/views.py); where the officer finds it instead.
        return [flex.text_message("บอตไม่แสดงเบอร์โทรศัพท์ของลูกหนี้ (ข้อมูลส่วนบุคคล) ดูได้ในชีต แท็บ ลูกหนี้ "
                                  "คอลัมน์ เบอร์โทรศัพท์ หรือค้นหาลูกหนี้จากเบอร์โทรได้ เช่น ค้นหา 081-234-5678",
                                  quick=views.quick("ค้างชำระ", "ครบกำหนด", "เมนู", fills=(views.FILL_FIND,)))]
    readings = named_alone(text)
    for name in readings:
        if len(name) < 3:  # a word shorter than a Thai name would match half the sheet
            continue
        view = ctx.view
        place = find_place(view.funds, name)
        if place is not None and _names_whole(place, name):
            # One fund: its card. A district or a subdistrict: its summary (its funds one tap away).
            return cmd_fund(ctx, name) if len(place.funds) == 1 else cmd_summary(ctx, name)
        loans = find_loans(view, name)
        if loans:
            return found_reply(ctx, loans)
        if place is not None:   # part of a village's name, and no borrower by that name
            return cmd_fund(ctx, name)
    return (place_then_command(ctx, readings, text) or _when_then_command(ctx, text) or _name_then_paid(ctx, text)
            or _name_then_owes(ctx, text))


_OWES = re.compile(r"^(?P<who>.+?)\s*ค้าง(?:อยู่|ชำระ|จ่าย)?(?:มา)?\s*(?:เท่าไหร่|เท่าไร|กี่งวด|กี่บาท|กี่วัน|กี่เดือน"
                   r"|นานเท่าไหร่|นานแค่ไหน|อยู่)?$")


def _name_then_owes(ctx: Ctx, text: str) -> Messages | None:
    """นางบุญเรือนค้างเท่าไหร่, … ค้างกี่งวด: a borrower, then how much they owe: their card (a place so
    asked is chat.places.place_then_command's, tried first). None when no borrower of the area is named."""
    match = _OWES.match(normalize_text(text).strip())
    who = match.group("who").strip() if match else ""
    loans = find_loans(ctx.view, who) if len(who) >= 3 else []
    return found_reply(ctx, loans) if loans else None
