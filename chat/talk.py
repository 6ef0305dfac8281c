"""Feedback (แนะนำ) and the answer to anything the bot does not understand."""
from __future__ import annotations


from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.registry import command


@command("feedback", "แนะนำ", "ข้อเสนอแนะ", "feedback", usage="แนะนำ <ข้อความ>",
         summary="ส่งข้อเสนอแนะหรือปัญหาเข้าที่ประชุมประจำเดือน")
def cmd_feedback(ctx: Ctx, args: str) -> Messages:
    text = args.strip()
    if len(text) < 3:
        return [flex.text_message("พิมพ์ แนะนำ ตามด้วยข้อความ เช่น แนะนำ อยากให้แจ้งเตือนก่อนครบกำหนด 3 วัน",
                               quick=views.main_quick())]
    return ctx.conv.record_feedback(ctx, text)


def unknown(ctx: Ctx, text: str) -> Messages:
    """A short hint, never an error; a name-like text gets a 'search for it?' button."""
    # The text is not repeated back: it may name someone outside the officer's area.
    return [flex.text_message("ไม่เข้าใจคำสั่ง พิมพ์ เมนู เพื่อดูสิ่งที่ทำได้ หรือกดปุ่มด้านล่าง",
                           quick=views.quick("เมนู", *views.QUICK_MAIN, views.PAY, fills=(views.FILL_FIND, views.FILL_FUND)))]
