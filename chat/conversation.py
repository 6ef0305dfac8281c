"""The conversation: who is asking, what they may see, and the few things the chat writes.

Identity. A LINE user is an officer when the บัญชี LINE tab links them (the
latest row wins) and the officer is active. Until then the chat gives help and
the way to link, no data. `python main.py chat --as OFFICER_ID` speaks as an
officer directly, through the same code.

Writes, each idempotent so that a double tap or a redelivery to another
(cold) instance records nothing twice:

- a repayment: its `ref` (รหัสอ้างอิง) is derived from the webhookEventId of
  the `ชำระ` message and travels in the confirm button's postback data. Before
  appending, the sheet is re-read and a ref already in รับชำระ is not written
  again (and the model counts a ref once even if two instances raced);
- a LINE link: not appended again when that officer is already linked to
  that LINE user;
- feedback: not appended again when the same officer sent the same text in the
  last 24 hours.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from decimal import Decimal
from typing import Any, Callable

from core.thai import baht, date_th, to_arabic_digits
from chat import commands
from messaging import flex, richmenu
from chat import views
from chat.context import Ctx, Messages
from chat.scope import Snapshot, SnapshotCache
from messaging.webhook import Event, WebhookHandler
from sheets import readers
from core.schema import SOURCE_LINE

log = logging.getLogger("kkc.chat")

PRIVATE_ONLY = ("ขอบคุณที่เชิญ กข.คจ. Care ค่ะ\nบอตนี้ตอบเฉพาะในแชตส่วนตัวกับเจ้าหน้าที่ "
                "เพื่อคุ้มครองข้อมูลส่วนบุคคลของลูกหนี้ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล) "
                "โปรดเพิ่มเพื่อนแล้วพิมพ์ถามในแชตส่วนตัว")
TEXT_ONLY = "บอตอ่านได้เฉพาะข้อความตัวอักษร พิมพ์ เมนู เพื่อดูคำสั่งที่ใช้ได้"


class RegisterLimiter:
    """At most N wrong register codes per LINE user per hour (per instance)."""

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.monotonic):
        self.per_hour = per_hour
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, user: str) -> deque[float]:
        window = self._failures[user]
        now = self.clock()
        while window and now - window[0] >= 3600:
            window.popleft()
        return window

    def wait_seconds(self, user: str) -> float:
        with self._lock:
            window = self._recent(user)
            if len(window) < self.per_hour:
                return 0.0
            return 3600 - (self.clock() - window[0])

    def failed(self, user: str) -> int:
        """Record a wrong code; returns the tries left this hour."""
        with self._lock:
            window = self._recent(user)
            window.append(self.clock())
            return max(0, self.per_hour - len(window))

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(user, None)


class Conversation:
    """Answers one officer's message or button with LINE message dicts."""

    def __init__(self, config: Any, store: Any, snapshots: SnapshotCache, *,
                 today: Callable[[], dt.date], now: Callable[[], dt.datetime],
                 profile_name: Callable[[str], str] | None = None,
                 limiter: RegisterLimiter | None = None, menus: richmenu.MenuLinks | None = None):
        self.config, self.store, self.snapshots = config, store, snapshots
        self.menus = menus  # LINE's rich menu calls (None: no LINE, as in the terminal chat)
        self.today, self.now = today, now
        self.profile_name = profile_name
        self.limiter = limiter or RegisterLimiter(int(config.chat.register_max_tries_per_hour))
        self.write_lock = threading.Lock()
        self.recorded_refs: set[str] = set()

    # ------------------------------------------------------------ who is asking

    def context(self, user_id: str, event_id: str = "", officer_id: str | None = None) -> Ctx:
        snap = self.snapshots.get()
        officer = snap.officer(officer_id) if officer_id else snap.officer_for_user(user_id)
        if officer is None:
            status = "unlinked"
        elif not officer.active:
            status = "inactive"
        else:
            status = "linked"
        return Ctx(self, snap, officer, status, user_id, event_id, self.today(), self.now(), self.config)

    # ------------------------------------------------------------ events

    def on_text(self, user_id: str, text: str, event_id: str = "", *, officer_id: str | None = None) -> Messages:
        ctx = self.context(user_id, event_id, officer_id)
        cmd, args = commands.route(text)
        if ctx.status == "inactive" and (cmd is None or cmd.key != "register"):
            richmenu.link_menu(self.menus, user_id, richmenu.GUEST)  # deactivated: the default menu again
            return [flex.text_message("บัญชีเจ้าหน้าที่ที่ผูกกับ LINE นี้ถูกปิดการใช้งาน "
                                   "โปรดติดต่อผู้ดูแลระบบจังหวัด")]
        if ctx.status != "linked" and (cmd is None or cmd.linked_only):
            return commands.link_help()
        if cmd is None:
            return commands.unknown(ctx, args)
        return cmd.run(ctx, args)

    def on_follow(self, user_id: str, event_id: str = "") -> Messages:
        ctx = self.context(user_id, event_id)
        if ctx.status == "linked" and ctx.officer is not None:
            return [flex.text_message(f"ยินดีต้อนรับกลับ คุณ{ctx.officer.name} ({ctx.scope.label})\n"
                                   "พิมพ์ เมนู เพื่อดูสิ่งที่ทำได้", quick=views.main_quick())]
        return [flex.text_message(
            "สวัสดีค่ะ ยินดีต้อนรับสู่ กข.คจ. Care จังหวัด" + str(self.config.province) + "\n"
            "บอตสำหรับเจ้าหน้าที่พัฒนาชุมชน: ดูงวดที่ครบกำหนดและค้างชำระ สถานะกองทุน ค้นหาลูกหนี้ "
            "และบันทึกรับชำระเงินยืม กข.คจ.\n\n"
            "เริ่มใช้งาน: พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียนของท่าน (ขอได้จากผู้ดูแลระบบจังหวัด)\n"
            "เช่น  ลงทะเบียน ABC123\n\n"
            "ข้อมูลลูกหนี้เป็นข้อมูลส่วนบุคคล ใช้เพื่อติดตามการชำระคืนตามหน้าที่เท่านั้น",
            quick=views.quick("ช่วยเหลือ", fills=(("ลงทะเบียน", "ลงทะเบียน "),)))]

    def on_postback(self, user_id: str, data: str, event_id: str = "", *,
                    officer_id: str | None = None) -> Messages:
        fields = {k: v[0] for k, v in urllib.parse.parse_qs(data, keep_blank_values=True).items()}
        action = fields.get("a", "")
        if action == "fill":
            return []  # the keyboard opened pre-typed on the phone; nothing to answer
        ctx = self.context(user_id, event_id, officer_id)
        if ctx.status != "linked":
            return commands.link_help()
        if action == "cancel":
            return [flex.text_message("ยกเลิกแล้ว ไม่ได้บันทึกรับชำระ", quick=views.main_quick())]
        if action == "pay":
            try:
                request = commands.PaymentRequest.from_postback(fields)
            except (KeyError, ValueError, ArithmeticError):
                return [flex.text_message("ปุ่มนี้ใช้ไม่ได้แล้ว โปรดพิมพ์คำสั่ง ชำระ ใหม่", quick=views.main_quick())]
            return self.confirm_payment(ctx, request)
        if action == "cmd" and fields.get("t"):
            return self.on_text(user_id, fields["t"], event_id, officer_id=officer_id)
        return [flex.text_message("ปุ่มนี้ใช้ไม่ได้แล้ว พิมพ์ เมนู เพื่อเริ่มใหม่", quick=views.main_quick())]

    # ------------------------------------------------------------ linking

    def register(self, ctx: Ctx, code_text: str) -> Messages:
        code = _code(code_text)
        if not code:
            return [flex.text_message("พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียน เช่น ลงทะเบียน ABC123",
                                   quick=views.quick("ช่วยเหลือ", fills=(("ลงทะเบียน", "ลงทะเบียน "),)))]
        if not ctx.user_id:
            return [flex.text_message("ลงทะเบียนได้ในแชตส่วนตัวของ LINE เท่านั้น")]
        wait = self.limiter.wait_seconds(ctx.user_id)
        if wait > 0:
            return [flex.text_message(f"ใส่รหัสผิดหลายครั้งเกินไป โปรดลองใหม่ในอีก {int(wait // 60) + 1} นาที "
                                   "หรือติดต่อผู้ดูแลระบบจังหวัด")]
        matches = [o for o in ctx.snap.officers.values() if o.register_code and _code(o.register_code) == code]
        if not matches:
            left = self.limiter.failed(ctx.user_id)
            return [flex.text_message("รหัสลงทะเบียนไม่ถูกต้อง โปรดตรวจสอบรหัสกับผู้ดูแลระบบจังหวัด"
                                   + (f" (ลองได้อีก {left} ครั้งในชั่วโมงนี้)" if left else
                                      " (ลองครบจำนวนครั้งแล้ว โปรดรอ 1 ชั่วโมง)"),
                                   quick=views.quick(fills=(("ลงทะเบียน", "ลงทะเบียน "),)))]
        if len(matches) > 1:
            log.warning("a register code is shared by %d officers: link refused", len(matches))
            return [flex.text_message("รหัสลงทะเบียนนี้ใช้ไม่ได้ (ซ้ำกับเจ้าหน้าที่คนอื่น) โปรดติดต่อผู้ดูแลระบบจังหวัด")]
        officer = matches[0]
        if not officer.active:
            return [flex.text_message(f"รหัสเจ้าหน้าที่ {officer.officer_id} ถูกปิดการใช้งาน "
                                   "จึงผูกบัญชีไม่ได้ โปรดติดต่อผู้ดูแลระบบจังหวัด")]
        self.limiter.succeeded(ctx.user_id)
        with self.write_lock:
            snap = self.snapshots.refresh()
            link = snap.base.links.get(officer.officer_id)
            already = link is not None and link.line_user_id == ctx.user_id
            if not already:
                name = ""
                if self.profile_name is not None:
                    try:
                        name = self.profile_name(ctx.user_id)
                    except Exception:  # noqa: BLE001 - the display name is a nicety
                        name = ""
                self.store.append("line_links", [{"linked_at": ctx.now, "officer_id": officer.officer_id,
                                                  "line_user_id": ctx.user_id, "display_name": name}])
                self.snapshots.invalidate()
                log.info("LINE account linked to officer %s", officer.officer_id)
                if link is not None:  # the officer's previous LINE account: back to the default menu
                    richmenu.link_menu(self.menus, link.line_user_id, richmenu.GUEST)
        richmenu.link_menu(self.menus, ctx.user_id, richmenu.role_for(officer.sees_all))
        scope = snap.scope_for(officer)
        head = "ผูกบัญชีไว้แล้ว" if already else "ผูกบัญชีเรียบร้อย"
        return [flex.text_message(f"{head}: คุณ{officer.name} ({scope.label})\n"
                               "ตอนนี้ถามได้เลย เช่น ครบกำหนด, ค้างชำระ, สรุป หรือพิมพ์ เมนู",
                               quick=views.main_quick())]

    # ------------------------------------------------------------ repayments

    def confirm_payment(self, ctx: Ctx, request: commands.PaymentRequest) -> Messages:
        assert ctx.officer is not None
        with self.write_lock:
            if request.ref in self.recorded_refs:
                return self._payment_done(ctx, request, again=True)
            snap = self.snapshots.refresh()  # what every instance has written so far
            if request.ref in snap.payment_refs:
                self.recorded_refs.add(request.ref)
                return self._payment_done(ctx, request, again=True, snap=snap)
            view = snap.view(ctx.officer)
            checked = commands.check_payment(ctx, request.contract_no, request.amount, request.paid_date, view=view)
            if isinstance(checked, str):
                return [flex.text_message(checked + "\n(ยังไม่ได้บันทึก)", quick=views.main_quick())]
            loan, state = checked
            self.store.append("payments", [{
                "contract_no": loan.contract_no, "paid_date": request.paid_date, "amount": request.amount,
                "recorded_by": ctx.officer.officer_id, "source": SOURCE_LINE, "recorded_at": ctx.now,
                "ref": request.ref}])
            self.recorded_refs.add(request.ref)
            self.snapshots.invalidate()
            log.info("repayment recorded by officer %s (ref %s)", ctx.officer.officer_id, request.ref)
            after = state.outstanding - request.amount
            bubble = views.payment_done_bubble(loan, request.amount, request.paid_date, after,
                                           ctx.officer.officer_id, again=False)
            return [flex.flex_message(f"บันทึกรับชำระแล้ว {baht(request.amount)} สัญญา {loan.contract_no} "
                                   f"คงค้าง {baht(after)}", bubble, quick=views.main_quick("ค้างชำระ"))]

    def _payment_done(self, ctx: Ctx, request: commands.PaymentRequest, again: bool,
                      snap: Snapshot | None = None) -> Messages:
        snap = snap or self.snapshots.get()
        assert ctx.officer is not None
        view = snap.view(ctx.officer)
        loan = view.loan(request.contract_no)
        if loan is None:
            return [flex.text_message("รายการนี้บันทึกไว้แล้ว ไม่ได้บันทึกซ้ำ", quick=views.main_quick())]
        state = view.states.get(loan.contract_no)
        after = state.outstanding if state is not None else Decimal(0)
        bubble = views.payment_done_bubble(loan, request.amount, request.paid_date, after, ctx.officer.officer_id,
                                       again=again)
        return [flex.flex_message(f"บันทึกไว้แล้ว {baht(request.amount)} สัญญา {loan.contract_no} "
                               f"วันที่ {date_th(request.paid_date)} (ไม่บันทึกซ้ำ)", bubble,
                               quick=views.main_quick("ค้างชำระ"))]

    # ------------------------------------------------------------ feedback

    def record_feedback(self, ctx: Ctx, text: str) -> Messages:
        assert ctx.officer is not None
        text = text.strip()[:2000]
        with self.write_lock:
            if not self._feedback_seen(ctx.officer.officer_id, text, ctx.now):
                self.store.append("feedback", [{"received_at": ctx.now, "officer_id": ctx.officer.officer_id,
                                                "text": text}])
                log.info("feedback received from officer %s", ctx.officer.officer_id)
        return [flex.text_message("ขอบคุณค่ะ บันทึกข้อเสนอแนะแล้ว จะนำเข้าที่ประชุมประจำเดือน",
                               quick=views.main_quick())]

    def _feedback_seen(self, officer_id: str, text: str, now: dt.datetime) -> bool:
        table = self.store.read(["feedback"]).get("feedback")
        if table is None or not table.exists:
            return False
        try:
            pos = self.snapshots.layout.positions("feedback", table)
        except Exception:  # noqa: BLE001 - a damaged tab: better a duplicate than a lost suggestion
            return False
        want = " ".join(text.split())

        def cell(row: list, key: str) -> Any:
            i = pos.get(key)
            return row[i] if i is not None and i < len(row) else None

        for row in table.rows:
            if readers.read_text(cell(row, "officer_id")) != officer_id or readers.read_text(cell(row, "text")) != want:
                continue
            try:
                at = readers.read_datetime(cell(row, "received_at"))
            except readers.CellError:
                continue
            if abs((now - at).total_seconds()) < 24 * 3600:
                return True
        return False


def _code(text: str) -> str:
    return "".join(to_arabic_digits(text).split()).casefold()


# ---------------------------------------------------------------- webhook events

IGNORED_EVENTS = ("unfollow", "leave", "memberJoined", "memberLeft", "unsend", "videoPlayComplete", "beacon",
                  "membership", "module", "activated", "deactivated", "botSuspended", "botResumed", "delivery")
OTHER_MESSAGES = ("image", "video", "audio", "file", "location", "sticker")


def register_event_handlers(handler: WebhookHandler, conv: Conversation) -> WebhookHandler:
    """Every event type in LINE's webhook.yml: answered politely, or deliberately ignored."""

    @handler.add("message", message_type="text")
    def on_text(event: Event) -> Messages | None:
        if not event.is_one_to_one:
            # Personal data is never shown in a group; a command there gets the private-chat notice.
            cmd, _ = commands.route(event.text)
            return [flex.text_message(PRIVATE_ONLY)] if cmd is not None else None
        return conv.on_text(event.user_id, event.text, event.webhook_event_id)

    for kind in OTHER_MESSAGES:
        @handler.add("message", message_type=kind)
        def on_other(event: Event) -> Messages | None:
            if not event.is_one_to_one:
                return None
            return [flex.text_message(TEXT_ONLY, quick=views.quick("เมนู", *views.QUICK_MAIN))]

    @handler.add("message")
    def on_unknown_message(event: Event) -> Messages | None:
        return [flex.text_message(TEXT_ONLY)] if event.is_one_to_one else None

    @handler.add("follow")
    def on_follow(event: Event) -> Messages:
        return conv.on_follow(event.user_id, event.webhook_event_id)

    @handler.add("postback")
    def on_postback(event: Event) -> Messages | None:
        if not event.is_one_to_one:
            return None
        return conv.on_postback(event.user_id, event.postback_data, event.webhook_event_id)

    @handler.add("join")
    def on_join(event: Event) -> Messages:
        return [flex.text_message(PRIVATE_ONLY)]

    @handler.add("accountLink")
    def on_account_link(event: Event) -> Messages:
        return [flex.text_message("กข.คจ. Care ผูกบัญชีด้วยรหัสลงทะเบียน: พิมพ์ ลงทะเบียน ตามด้วยรหัสของท่าน")]

    for kind in IGNORED_EVENTS:
        @handler.add(kind)
        def ignore(event: Event) -> None:
            return None

    @handler.default()
    def on_anything_else(event: Event) -> None:
        log.info("webhook event type %r ignored", event.type)
        return None

    return handler
