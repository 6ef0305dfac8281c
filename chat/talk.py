"""Feedback (แนะนำ) and the answer to anything the bot does not understand."""
from __future__ import annotations


from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.overview import cmd_fund, cmd_summary
from chat.phrases import named_alone
from chat.places import Place, find_place
from chat.registry import command
from chat.search import cmd_find, find_loans


def _names_whole(place: Place, name: str) -> bool:
    """The name is the whole name of the place found (a fund code, a district, a subdistrict, a
    village with or without บ้าน), not a part of villages' names that a borrower's name could be."""
    bare = "".join(name.split()).removeprefix("หมู่บ้าน").removeprefix("บ้าน")
    villages = {"".join((fund.village_name or "").split()).removeprefix("บ้าน") for fund in place.funds}
    part_of_villages = bare not in villages and all(bare in village for village in villages)
    return not part_of_villages


@command("feedback", "แนะนำ", "ข้อเสนอแนะ", "feedback", usage="แนะนำ <ข้อความ>",
         summary="ส่งข้อเสนอแนะหรือปัญหาเข้าที่ประชุมประจำเดือน")
def cmd_feedback(ctx: Ctx, args: str) -> Messages:
    text = args.strip()
    if len(text) < 3:
        return [flex.text_message("พิมพ์ แนะนำ ตามด้วยข้อความ เช่น แนะนำ อยากให้แจ้งเตือนก่อนครบกำหนด 3 วัน",
                               quick=views.main_quick())]
    return ctx.conv.record_feedback(ctx, text)


def unknown(ctx: Ctx, text: str) -> Messages:
    """A place or a borrower named alone is looked up, as officers type them (บ้านสลักเตียน,
    สลักเตียนเป็นไงบ้าง, บ่อไร่, นางสาวศิริพร): a fund's card, a district's or subdistrict's summary,
    the search's answer for a borrower of the officer's own area. Anything else gets a short hint,
    never an error."""
    for name in named_alone(text):
        if len(name) < 3:  # a word shorter than a Thai name would match half the sheet
            continue
        view = ctx.view
        place = find_place(view.funds, name)
        if place is not None and _names_whole(place, name):
            # One fund: its card. A district or a subdistrict: its summary (its funds one tap away).
            return cmd_fund(ctx, name) if len(place.funds) == 1 else cmd_summary(ctx, name)
        if find_loans(view, name):
            return cmd_find(ctx, name)
        if place is not None:   # part of a village's name, and no borrower by that name
            return cmd_fund(ctx, name)
    # The text is not repeated back: it may name someone outside the officer's area.
    return [flex.text_message("ไม่เข้าใจคำสั่ง พิมพ์ เมนู เพื่อดูสิ่งที่ทำได้ หรือกดปุ่มด้านล่าง",
                           quick=views.quick("เมนู", *views.QUICK_MAIN, views.PAY, fills=(views.FILL_FIND, views.FILL_FUND)))]
