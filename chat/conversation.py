"""The conversation: who is asking, what they may see, and the few things the chat writes.

Identity. A LINE user is an officer when the บัญชี LINE tab links them (the
latest row wins) and the officer is active. Until then the chat gives help and
the way to link, no data. `python main.py chat --as OFFICER_ID` speaks as an
officer directly, through the same code.

Time. Each event is answered within `chat.budget_seconds` (chat.budget): a
late re-read is answered from the copy the instance has, with how old it is
("ข้อมูล ณ 10:42 น."); a cold instance that cannot read in time says it is
still loading; LINE's loading animation shows while the sheet is read.

Writes, each recorded once whatever taps, redeliveries and instances do:

- a repayment: its `ref` (รหัสอ้างอิง) is derived from the webhookEventId of
  the `ชำระ` message and travels in the confirm button's postback data. The
  ref is claimed first (sheets.claims: an atomic create-if-absent shared by
  every instance); only the winner re-reads the sheet, checks the payment
  again and appends. A loser writes nothing and says who is recording it and
  since when (the claim's record). An append that certainly did not happen
  gives the claim back, so the next tap records it; one whose outcome is not
  known keeps it: once the holder's time is up (`settled_by` in its record), a
  later tap re-reads the sheet and records the payment only if the ref is not
  there (as a new attempt, `<ref>#2`). docs/chat.md has each fault as the
  officer sees it;
- a cancellation (ยกเลิกรายการ, the done card's button): only by the officer who recorded the
  repayment, within 24 hours of its เวลาบันทึก; appended as a reversing row (`<ref>-VOID`, the
  amount negated, the original ref in หมายเหตุ; sheets.parse.payments), never a deletion, and
  claimed as `void:<ref>` first so that two taps or two instances append it once;
- a LINE link: not appended again when that officer is already linked to
  that LINE user;
- feedback: not appended again when the same officer sent the same text in the
  last 24 hours.

Every answer leaves through `shown()`: any 13-digit run in it is masked as a
citizen id, whatever cell it was typed into.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from core.thai import baht, date_th, mask_id_runs, polite_name, to_arabic_digits
from chat import commands, documents, guided
from messaging import flex, richmenu
from chat import views
from chat.budget import Deadline, Late, Turn, within
from chat.context import Ctx, Messages
from chat.payments import UNDO_HOURS, void_action
from chat.phrases import is_cancel, is_laughter
from chat.cache import SnapshotCache
from chat.scope import SheetLoading, Snapshot
from messaging.webhook import Event, WebhookHandler
from sheets import readers
from sheets.claims import Claims, ClaimResult
from sheets.parse.payments import void_ref
from sheets.store import StoreError
from core.schema import SOURCE_LINE

log = logging.getLogger("kkc.chat")

PRIVATE_ONLY = ("ขอบคุณที่เชิญ กข.คจ. Care ค่ะ\nบอตนี้ตอบเฉพาะในแชตส่วนตัวกับเจ้าหน้าที่ "
                "เพื่อคุ้มครองข้อมูลส่วนบุคคลของลูกหนี้ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล) "
                "โปรดเพิ่มเพื่อนแล้วพิมพ์ถามในแชตส่วนตัว")
TEXT_ONLY = ("บอตอ่านได้เฉพาะข้อความตัวอักษร (และรับรูปหรือไฟล์ PDF เป็นเอกสารกองทุน) "
             "พิมพ์ เมนู เพื่อดูคำสั่งที่ใช้ได้")
LOADING = "กำลังโหลดข้อมูล ลองอีกครั้งในสักครู่"
ASK_AGAIN = "ถามอีกครั้ง"
LOADING_NOT_RECORDED = "กำลังโหลดข้อมูล ยังไม่ได้บันทึกรับชำระ ลองกดยืนยันอีกครั้งในสักครู่"
LOADING_NOT_VOIDED = "กำลังโหลดข้อมูล ยังไม่ได้ยกเลิกรายการ ลองกดอีกครั้งในสักครู่"
# A write is not started with less than this left of the budget: it would most likely end "not known yet".
WRITE_RESERVE_SECONDS = 0.3
# After the holder's deadline, how long an append it sent may still take to land in the sheet.
SETTLE_SECONDS = 60.0
# Without a budget (the terminal chat) a holder is given this long before its attempt counts as over.
UNHURRIED_WRITE_SECONDS = 300.0
# Attempts at one ref (`ref`, `ref#2`, ...) before the officer is sent to the admin.
MAX_ATTEMPTS = 5


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


@dataclass(frozen=True)
class PaymentClaim:
    """How claiming a repayment's ref went: won (`key` is ours) or held by someone (`holder`)."""

    key: str | None            # the claim we won, None when someone else holds the ref
    holder: dict[str, Any]     # the record of whoever holds it (ours when we won)
    snap: Snapshot | None      # a read made on the way, if the sheet had to be looked at
    in_sheet: bool = False     # the sheet holds the ref already


def loading_quick(text: str) -> list[dict]:
    """The buttons under "loading": the same question again with one tap (an officer on a phone
    between villages should not type it twice), then the usual ones. A question too long for a
    button is left out rather than sent cut short."""
    again = [flex.message_action(ASK_AGAIN, text)] if 0 < len(text.strip()) <= flex.MAX_ACTION_TEXT else []
    return (again + views.main_quick())[:flex.MAX_QUICK_REPLIES]


class Conversation:
    """Answers one officer's message or button with LINE message dicts."""

    def __init__(self, config: Any, store: Any, snapshots: SnapshotCache, *, claims: Claims,
                 today: Callable[[], dt.date], now: Callable[[], dt.datetime],
                 profile_name: Callable[[str], str] | None = None,
                 limiter: RegisterLimiter | None = None, budget_seconds: float | None = None,
                 indicate: Callable[[str], object] | None = None, wall: Callable[[], float] = time.time,
                 menus: richmenu.MenuLinks | None = None, desk: documents.DocumentDesk | None = None):
        """`budget_seconds`: chat.budget_seconds when None (math.inf: no hurry); `indicate(chat_id)` shows
        LINE's loading animation; `wall` is the epoch clock the claims' deadlines are written in;
        `menus`: LINE's rich menu calls (None: no LINE, as in the terminal chat); `desk` files the documents
        sent in LINE (None: documents are not filed, as in the terminal chat)."""
        self.config, self.store, self.snapshots, self.claims = config, store, snapshots, claims
        self.menus = menus
        self.today, self.now, self.wall = today, now, wall
        self.profile_name = profile_name
        self.limiter = limiter or RegisterLimiter(int(config.chat.register_max_tries_per_hour))
        self.budget_seconds = float(config.chat.budget_seconds if budget_seconds is None else budget_seconds)
        self.indicate = indicate
        self.write_lock = threading.Lock()
        self.recorded: dict[str, dict[str, Any]] = {}  # ref -> claim record of repayments this instance wrote
        self.pending = guided.PendingSteps()           # the guided flows' typed steps, per LINE user
        self.desk = desk

    # ------------------------------------------------------------ who is asking

    def turn(self, user_id: str = "") -> Turn:
        """A new event's deadline (and its loading animation, in `user_id`'s chat)."""
        return Turn(Deadline(self.budget_seconds), user_id, self.indicate)

    def context(self, user_id: str, event_id: str = "", officer_id: str | None = None,
                turn: Turn | None = None) -> Ctx:
        """Who is asking and what they see (SheetLoading: no copy of the sheet yet, and none in time)."""
        turn = turn or self.turn(user_id)
        if self.snapshots.needs_read():
            turn.a_moment()
        snap = self.snapshots.get(turn.deadline)
        officer = snap.officer(officer_id) if officer_id else snap.officer_for_user(user_id)
        if officer is None:
            status = "unlinked"
        elif not officer.active:
            status = "inactive"
        else:
            status = "linked"
        return Ctx(self, snap, officer, status, user_id, event_id, self.today(), self.now(), self.config, turn)

    def _turn_of(self, ctx: Ctx) -> Turn:
        return ctx.turn if ctx.turn is not None else self.turn(ctx.user_id)

    # ------------------------------------------------------------ events

    def on_text(self, user_id: str, text: str, event_id: str = "", *, officer_id: str | None = None) -> Messages:
        turn = self.turn(user_id)
        try:
            messages = self._on_text(turn, user_id, text, event_id, officer_id)
        except SheetLoading:
            messages = [flex.text_message(LOADING, quick=loading_quick(text))]
        finally:
            turn.finish()  # before any answer (an apology too): the animation never starts after it
        return shown(messages)

    def _on_text(self, turn: Turn, user_id: str, text: str, event_id: str, officer_id: str | None) -> Messages:
        ctx = self.context(user_id, event_id, officer_id, turn)
        current = self.snapshots.is_current(ctx.snap)  # before the command: its own write makes it stale
        cmd, args = commands.route(text)
        if ctx.status == "inactive" and (cmd is None or cmd.key != "register"):
            richmenu.link_menu(self.menus, user_id, richmenu.GUEST)  # deactivated: the default menu again
            return [flex.text_message("บัญชีเจ้าหน้าที่ที่ผูกกับ LINE นี้ถูกปิดการใช้งาน "
                                   "โปรดติดต่อผู้ดูแลระบบจังหวัด")]
        if ctx.status != "linked" and (cmd is None or cmd.linked_only):
            return commands.link_help()
        who = user_id or (ctx.officer.officer_id if ctx.officer else "")
        step = self.pending.get(who) if cmd is None else None
        if step is not None and is_cancel(text):
            messages = _cancelled()   # ยกเลิก typed, not tapped: the step's button's answer
        elif step is not None and step.kind.startswith("doc_"):
            messages = documents.on_typed(ctx, step, text, self.file_document)
        elif step is not None:
            messages = guided.on_typed(ctx, step, text)
        elif cmd is None and is_laughter(text):
            messages = commands.laughed(ctx, text)   # 555 with no step waiting: laughter, not an amount
        elif cmd is None and guided.looks_like_amount(text):
            messages = guided.lost()
        else:
            messages = commands.unknown(ctx, args) if cmd is None else cmd.run(ctx, args)
        self.pending.put(who, ctx.next_step)  # any other command leaves the guided flow
        return messages if current else dated(messages, ctx.snap)

    def on_follow(self, user_id: str, event_id: str = "") -> Messages:
        turn = self.turn(user_id)
        try:
            ctx = self.context(user_id, event_id, turn=turn)
        except SheetLoading:
            return shown([flex.text_message(LOADING)])
        finally:
            turn.finish()
        if ctx.status == "linked" and ctx.officer is not None:
            return shown([flex.text_message(f"ยินดีต้อนรับกลับ คุณ{ctx.officer.name} ({ctx.scope.label})\n"
                                            "พิมพ์ เมนู เพื่อดูสิ่งที่ทำได้", quick=views.main_quick())])
        return shown([flex.text_message(
            "สวัสดีค่ะ ยินดีต้อนรับสู่ กข.คจ. Care จังหวัด" + str(self.config.province) + "\n"
            "บอตสำหรับเจ้าหน้าที่พัฒนาชุมชน: ดูงวดที่ครบกำหนดและค้างชำระ สถานะกองทุน ค้นหาลูกหนี้ "
            "และบันทึกรับชำระเงินยืม กข.คจ.\n\n"
            "เริ่มใช้งาน: พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียนของท่าน (ขอได้จากผู้ดูแลระบบจังหวัด)\n"
            "เช่น  ลงทะเบียน ABC123\n\n"
            "ข้อมูลลูกหนี้เป็นข้อมูลส่วนบุคคล ใช้เพื่อติดตามการชำระคืนตามหน้าที่เท่านั้น",
            quick=views.quick("ช่วยเหลือ", fills=(("ลงทะเบียน", "ลงทะเบียน "),)))])

    def on_postback(self, user_id: str, data: str, event_id: str = "", *,
                    officer_id: str | None = None, params: dict[str, str] | None = None) -> Messages:
        """A button: `params` is what LINE adds to a date picker's postback (`{"date": "2026-11-25"}`)."""
        fields = {k: v[0] for k, v in urllib.parse.parse_qs(data, keep_blank_values=True).items()}
        action = fields.get("a", "")
        if action == "fill":
            return []  # the keyboard opened pre-typed on the phone; nothing to answer
        if action == "cmd" and fields.get("t"):
            return self.on_text(user_id, fields["t"], event_id, officer_id=officer_id)
        if action == "card" and fields.get("c"):  # a borrower's card (lists, search, the digest's lines)
            return self.on_text(user_id, f"ค้นหา {fields['c']}", event_id, officer_id=officer_id)
        turn = self.turn(user_id)
        try:
            messages = self._on_postback(turn, user_id, fields, event_id, officer_id, params or {})
        except SheetLoading:
            loading = {"pay": LOADING_NOT_RECORDED, "void": LOADING_NOT_VOIDED}.get(action, LOADING)
            messages = [flex.text_message(loading, quick=views.main_quick())]
        finally:
            turn.finish()
        return shown(messages)

    def _on_postback(self, turn: Turn, user_id: str, fields: dict[str, str], event_id: str,
                     officer_id: str | None, params: dict[str, str]) -> Messages:
        action = fields.get("a", "")
        if action in ("pay", "void"):
            turn.a_moment()  # a claim, a read and an append: the answer takes a moment
        ctx = self.context(user_id, event_id, officer_id, turn)
        if ctx.status != "linked":
            return commands.link_help()
        who = user_id or (ctx.officer.officer_id if ctx.officer else "")
        if action in documents.ACTIONS:
            messages = documents.on_postback(ctx, fields, self.file_document)
            self.pending.put(who, ctx.next_step)
            return messages
        if action in guided.GUIDED_ACTIONS:
            messages = guided.on_postback(ctx, fields, params)
            self.pending.put(who, ctx.next_step)
            return messages
        self.pending.put(who, None)
        if action == "cancel":
            return _cancelled()
        if action == "void" and fields.get("r", "").startswith("LINE-") and fields.get("c"):
            return self.void_payment(ctx, fields["r"], fields["c"])
        if action == "pay":
            try:
                request = commands.PaymentRequest.from_postback(fields)
            except (KeyError, ValueError, ArithmeticError):
                return [flex.text_message("ปุ่มนี้ใช้ไม่ได้แล้ว โปรดพิมพ์คำสั่ง ชำระ ใหม่", quick=views.main_quick())]
            return self.confirm_payment(ctx, request)
        return [flex.text_message("ปุ่มนี้ใช้ไม่ได้แล้ว พิมพ์ เมนู เพื่อเริ่มใหม่", quick=views.main_quick())]

    def on_media(self, user_id: str, message: dict, event_id: str = "") -> Messages:
        """A photo or a file: the first step of filing it as a fund's document (chat.documents)."""
        if self.desk is None:
            return [flex.text_message(TEXT_ONLY, quick=views.quick("เมนู", *views.QUICK_MAIN))]
        turn = self.turn(user_id)
        try:
            ctx = self.context(user_id, event_id, turn=turn)
            if ctx.status != "linked":
                return commands.link_help()
            messages = documents.received(ctx, message)
            self.pending.put(user_id, ctx.next_step)
        except SheetLoading:
            messages = [flex.text_message(LOADING + " แล้วส่งเอกสารอีกครั้ง")]
        finally:
            turn.finish()
        return shown(messages)

    def file_document(self, ctx: Ctx, request: documents.DocumentRequest) -> Messages:
        """File a document once (the desk's claim); the next read sees the new row."""
        if self.desk is None:
            return [flex.text_message(TEXT_ONLY)]
        messages = self.desk.file(ctx, request)
        self.snapshots.invalidate()
        return messages

    # ------------------------------------------------------------ linking

    def register(self, ctx: Ctx, code_text: str) -> Messages:
        code = _code(code_text)
        if not code:
            return [flex.text_message("พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียน เช่น ลงทะเบียน ABC123 "
                                      "(รหัสของแต่ละคนขอได้จากผู้ดูแลระบบจังหวัด: อยู่ในแท็บ เจ้าหน้าที่)",
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
        turn = self._turn_of(ctx)
        turn.a_moment()
        try:
            with self._writing(turn.deadline):
                snap = self.snapshots.refresh(turn.deadline)
                link = snap.base.links.get(officer.officer_id)
                already = link is not None and link.line_user_id == ctx.user_id
                if not already:
                    name = self._display_name(ctx.user_id, turn.deadline)
                    row = {"linked_at": ctx.now, "officer_id": officer.officer_id, "line_user_id": ctx.user_id,
                           "display_name": name}
                    self._append_in_time("line_links", row, turn.deadline)
                    log.info("LINE account linked to officer %s", officer.officer_id)
                    if link is not None:  # the officer's previous LINE account: back to the default menu
                        richmenu.link_menu(self.menus, link.line_user_id, richmenu.GUEST)
        except Late:
            return [flex.text_message("ยังผูกบัญชีไม่เสร็จ: Google Sheets ตอบช้า โปรดพิมพ์ ลงทะเบียน ตามด้วยรหัส"
                                      "อีกครั้งในสักครู่ (ผูกซ้ำไม่เพิ่มแถว)",
                                      quick=views.quick(fills=(("ลงทะเบียน", "ลงทะเบียน "),)))]
        richmenu.link_menu(self.menus, ctx.user_id, richmenu.role_for(officer.sees_all))
        scope = snap.scope_for(officer)
        head = "ผูกบัญชีไว้แล้ว" if already else "ผูกบัญชีเรียบร้อย"
        return [flex.text_message(f"{head}: คุณ{officer.name} ({scope.label})\n"
                               "ตอนนี้ถามได้เลย เช่น ครบกำหนด, ค้างชำระ, สรุป หรือพิมพ์ เมนู",
                               quick=views.main_quick())]

    def _display_name(self, user_id: str, deadline: Deadline) -> str:
        """The LINE display name for the link row, if LINE gives it in time (a nicety)."""
        if self.profile_name is None:
            return ""
        profile_name = self.profile_name
        try:
            return within(deadline, lambda: profile_name(user_id), name="line-profile")
        except Exception:  # noqa: BLE001 - Late included: the link does not wait for a name
            return ""

    # ------------------------------------------------------------ repayments

    def confirm_payment(self, ctx: Ctx, request: commands.PaymentRequest) -> Messages:
        """Record the repayment once across instances; every fault answered as what happened."""
        assert ctx.officer is not None
        turn = self._turn_of(ctx)
        turn.a_moment()
        deadline = turn.deadline
        known = self.recorded.get(request.ref)
        if known is not None:
            return _already_recorded(known, confirmed=True)
        record = self._payment_record(ctx, request, deadline)
        try:
            claim = self._claim_payment(request.ref, record, deadline)
        except Late:
            return _not_recorded("ระบบกันบันทึกซ้ำตอบช้า")
        except StoreError:
            log.warning("repayment ref %s: the claim could not be taken or read", request.ref)
            return _not_recorded("ระบบกันบันทึกซ้ำขัดข้อง")
        if claim.key is None:
            return _already_recorded(claim.holder, confirmed=claim.in_sheet)
        key = claim.key
        try:
            try:
                snap = claim.snap or self.snapshots.refresh(deadline)  # what every instance has written so far
            except (Late, StoreError):
                self._give_back(key)
                return _not_recorded("อ่านชีตไม่ได้ในเวลา")
            if request.ref in snap.payment_refs:  # written before the claim (an older version, an expired claim)
                return _already_recorded(record, confirmed=True)
            checked = commands.check_payment(ctx, request.contract_no, request.amount, request.paid_date,
                                             view=snap.view(ctx.officer))
            if isinstance(checked, str):
                self._give_back(key)
                return [flex.text_message(checked + "\n(ยังไม่ได้บันทึก)", quick=views.main_quick())]
            if not deadline.enough(WRITE_RESERVE_SECONDS):
                self._give_back(key)
                return _not_recorded("ติดต่อชีตไม่ทันเวลา")
        except Exception:
            self._give_back(key)  # failed before anything was sent to the sheet: the next tap may record it
            raise
        loan, state = checked
        row = {"contract_no": loan.contract_no, "paid_date": request.paid_date, "amount": request.amount,
               "receipt_no": request.receipt_no, "recorded_by": ctx.officer.officer_id, "source": SOURCE_LINE,
               "recorded_at": ctx.now, "ref": request.ref}
        ref = request.ref
        try:
            within(deadline, lambda: self.store.append("payments", [row]), name="payment-append",
                   if_late=lambda _: self._recorded(ref, record))
        except Late:
            self.snapshots.invalidate()
            log.warning("repayment ref %s: the append did not answer within the budget (outcome not known)", ref)
            return _outcome_unknown(request)
        except StoreError as exc:
            if _certainly_not_written(exc):
                self._give_back(key)
                log.warning("repayment ref %s: the append was refused (status %s)", ref, getattr(exc, "status", None))
                return _not_recorded("Google Sheets ไม่รับการบันทึก", retry="กดยืนยันอีกครั้ง หรือแจ้งผู้ดูแลระบบ")
            self.snapshots.invalidate()
            log.warning("repayment ref %s: the append got no clear answer (outcome not known)", ref)
            return _outcome_unknown(request)
        self._recorded(ref, record)
        log.info("repayment recorded by officer %s (ref %s)", ctx.officer.officer_id, ref)
        after = state.outstanding - request.amount
        undo = void_action(ref, loan.contract_no)
        bubble = views.payment_done_bubble(loan, request.amount, request.paid_date, after,
                                           ctx.officer.officer_id, again=False, receipt_no=request.receipt_no,
                                           undo=undo)
        return [flex.flex_message(f"บันทึกรับชำระแล้ว {baht(request.amount)} สัญญา {loan.contract_no} "
                               f"คงค้าง {baht(after)}", bubble, quick=views.main_quick("ค้างชำระ"))]

    def void_payment(self, ctx: Ctx, ref: str, contract_no: str) -> Messages:
        """Cancel a repayment recorded through LINE: a reversing row, once across taps and instances.

        Only the officer who recorded it, within UNDO_HOURS of its เวลาบันทึก; the sheet is read again
        first (what every instance has written), and the cancellation is claimed as `void:<ref>`."""
        assert ctx.officer is not None
        turn = self._turn_of(ctx)
        turn.a_moment()
        deadline = turn.deadline
        try:
            snap = self.snapshots.refresh(deadline)
        except (Late, StoreError):
            return _not_voided("อ่านชีตไม่ได้ในเวลา")
        view = snap.view(ctx.officer)
        original = next((p for p in view.ds.payments.get(contract_no, []) if p.ref == ref and p.amount > 0), None)
        if original is None:
            return _not_voided("ไม่พบรายการนี้ในแท็บ รับชำระ (ถูกแก้หรือลบในชีต หรือยังบันทึกไม่เสร็จ)",
                               retry="ตรวจในแท็บ รับชำระ")
        if void_ref(ref) in snap.payment_refs:
            return [flex.text_message(f"รายการนี้ยกเลิกไปแล้ว ไม่ได้ยกเลิกซ้ำ\n{_paid_line(original)}",
                                      quick=views.main_quick())]
        if original.recorded_by != ctx.officer.officer_id or original.source != SOURCE_LINE:
            return _not_voided("ยกเลิกได้เฉพาะรายการที่ท่านบันทึกทาง LINE เอง",
                               retry="ติดต่อผู้บันทึกหรือผู้ดูแลระบบจังหวัด")
        if original.recorded_at is None or ctx.now - original.recorded_at > dt.timedelta(hours=UNDO_HOURS):
            return _not_voided(f"เกิน {UNDO_HOURS} ชั่วโมงหลังบันทึกแล้ว",
                               retry="แจ้งผู้ดูแลระบบจังหวัดให้แก้ในชีต")
        loan = view.loan(contract_no)
        state = view.states.get(contract_no)
        if loan is None or state is None:
            return _not_voided("สัญญานี้อ่านไม่ได้ในชีตตอนนี้")
        left = deadline.remaining()
        record = {"officer_id": ctx.officer.officer_id, "officer_name": ctx.officer.name[:60],
                  "contract_no": contract_no, "amount": f"{-original.amount:.2f}",
                  "paid_date": original.paid_date.isoformat(), "claimed_at": ctx.now.isoformat(timespec="minutes"),
                  "settled_by": self.wall() + (UNHURRIED_WRITE_SECONDS if left is None else left) + SETTLE_SECONDS}
        try:
            claim = self._claim_payment(f"void:{ref}", record, deadline, sheet_ref=void_ref(ref))
        except (Late, StoreError):
            return _not_voided("ระบบกันบันทึกซ้ำตอบช้าหรือขัดข้อง")
        if claim.key is None:
            return [flex.text_message(f"รายการนี้ยกเลิกไปแล้วหรือกำลังยกเลิกอยู่ ไม่ได้ยกเลิกซ้ำ\n"
                                      f"ผู้ยกเลิก: {_who(claim.holder)} เมื่อ {_when(claim.holder)}",
                                      quick=views.main_quick())]
        if not deadline.enough(WRITE_RESERVE_SECONDS):
            self._give_back(claim.key)
            return _not_voided("ติดต่อชีตไม่ทันเวลา")
        row = {"contract_no": contract_no, "paid_date": original.paid_date, "amount": -original.amount,
               "receipt_no": original.receipt_no, "recorded_by": ctx.officer.officer_id, "source": SOURCE_LINE,
               "recorded_at": ctx.now, "ref": void_ref(ref), "note": f"ยกเลิกรายการ {ref}"}
        try:
            within(deadline, lambda: self.store.append("payments", [row]), name="void-append",
                   if_late=lambda _: self.snapshots.invalidate())
        except Late:
            self.snapshots.invalidate()
            return [flex.text_message("ยังไม่ทราบผลการยกเลิก: Google Sheets ไม่ตอบในเวลา รอประมาณ 1 นาทีแล้ว"
                                      "กด ยกเลิกรายการ อีกครั้ง บอตจะตรวจในชีตก่อน", quick=views.main_quick())]
        except StoreError as exc:
            if _certainly_not_written(exc):
                self._give_back(claim.key)
                return _not_voided("Google Sheets ไม่รับการบันทึก", retry="กดอีกครั้ง หรือแจ้งผู้ดูแลระบบ")
            self.snapshots.invalidate()
            return [flex.text_message("ยังไม่ทราบผลการยกเลิก: Google Sheets ตอบไม่ชัดเจน รอประมาณ 1 นาทีแล้ว"
                                      "กด ยกเลิกรายการ อีกครั้ง บอตจะตรวจในชีตก่อน", quick=views.main_quick())]
        self.snapshots.invalidate()
        log.info("repayment ref %s cancelled by officer %s", ref, ctx.officer.officer_id)
        after = state.outstanding + original.amount
        bubble = views.payment_voided_bubble(original, loan, after, ctx.officer.officer_id)
        return [flex.flex_message(f"ยกเลิกรายการแล้ว {baht(original.amount)} สัญญา {contract_no}", bubble,
                                  quick=views.main_quick("ค้างชำระ"))]

    def _payment_record(self, ctx: Ctx, request: commands.PaymentRequest, deadline: Deadline) -> dict[str, Any]:
        """What a claim on a repayment says to whoever loses it, and until when its holder may still write."""
        assert ctx.officer is not None
        left = deadline.remaining()
        return {"officer_id": ctx.officer.officer_id, "officer_name": ctx.officer.name[:60],
                "contract_no": request.contract_no, "amount": f"{request.amount:.2f}",
                "paid_date": request.paid_date.isoformat(),
                "claimed_at": ctx.now.isoformat(timespec="minutes"),
                "settled_by": self.wall() + (UNHURRIED_WRITE_SECONDS if left is None else left) + SETTLE_SECONDS}

    def _claim_payment(self, ref: str, record: dict[str, Any], deadline: Deadline,
                       sheet_ref: str | None = None) -> PaymentClaim:
        """Claim the ref (Late, StoreError); a holder whose time is up and whose ref is not in the sheet
        is followed by a new attempt `<ref>#n`. `sheet_ref`: the รหัสอ้างอิง the row is written with,
        when the claim's key is another (a cancellation's `void:<ref>`)."""
        written = sheet_ref or ref
        snap: Snapshot | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            key = ref if attempt == 1 else f"{ref}#{attempt}"

            def take(key: str = key) -> ClaimResult:
                return self.claims.claim(key, record)

            def too_late(result: ClaimResult, key: str = key) -> None:
                if result.won:  # won after this event stopped waiting: nothing was written, give it back
                    self._give_back(key)

            result = within(deadline, take, name="claim", if_late=too_late)
            if result.won:
                return PaymentClaim(key, record, snap)
            holder = result.record
            if self.wall() < _number(holder.get("settled_by")):
                return PaymentClaim(None, holder, snap)  # its holder may still be writing: never twice
            if snap is None:
                snap = self.snapshots.refresh(deadline)
            if written in snap.payment_refs:
                return PaymentClaim(None, holder, snap, in_sheet=True)
            log.info("repayment ref %s: attempt %d is over and the sheet does not hold it", ref, attempt)
        raise StoreError(f"repayment ref {ref}: {MAX_ATTEMPTS} attempts and none recorded it")

    def _give_back(self, key: str) -> None:
        """Release a claim whose payment certainly was not written (the next tap may record it)."""
        try:
            self.claims.release(key)
        except Exception:  # noqa: BLE001 - a claim kept is safe: it only delays the next tap until settled_by
            log.warning("could not give back the claim %s", key)

    def _recorded(self, ref: str, record: dict[str, Any]) -> None:
        self.recorded[ref] = record
        self.snapshots.invalidate()

    # ------------------------------------------------------------ feedback

    def record_feedback(self, ctx: Ctx, text: str) -> Messages:
        assert ctx.officer is not None
        text = text.strip()[:2000]
        turn = self._turn_of(ctx)
        turn.a_moment()
        officer_id = ctx.officer.officer_id
        try:
            with self._writing(turn.deadline):
                if not self._feedback_seen(officer_id, text, ctx.now, turn.deadline):
                    self._append_in_time("feedback", {"received_at": ctx.now, "officer_id": officer_id,
                                                      "text": text}, turn.deadline)
                    log.info("feedback received from officer %s", officer_id)
        except Late:
            return [flex.text_message("ส่งข้อเสนอแนะแล้ว แต่ Google Sheets ยังไม่ยืนยันการบันทึก "
                                      "ถ้าวันนี้ไม่เห็นในแท็บ ข้อเสนอแนะ โปรดส่งอีกครั้ง", quick=views.main_quick())]
        return [flex.text_message("ขอบคุณค่ะ บันทึกข้อเสนอแนะแล้ว จะนำเข้าที่ประชุมประจำเดือน",
                               quick=views.main_quick())]

    def row_links(self, ctx: Ctx, rows: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """(tab title, row) -> a link opening the sheet there, for the rows the store can link to; none
        when asking would not fit in this event's time (a link helps, it is never worth a late answer)."""
        deadline = self._turn_of(ctx).deadline

        def links() -> dict[tuple[str, int], str]:
            found = {}
            for title, row in rows:
                link = self.store.row_link(title, row)
                if link is not None:
                    found[(title, row)] = link
            return found
        try:
            return within(deadline, links, name="row-links")
        except Late:
            log.warning("the sheet's tab ids did not come within the event's time: the check is answered without links")
            return {}

    def _feedback_seen(self, officer_id: str, text: str, now: dt.datetime, deadline: Deadline) -> bool:
        try:
            tables = within(deadline, lambda: self.store.read(["feedback"]), name="feedback-read")
        except Late:
            return False  # better a duplicate than a lost suggestion
        table = tables.get("feedback")
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

    # ------------------------------------------------------------ writing within the budget

    @contextmanager
    def _writing(self, deadline: Deadline) -> Iterator[None]:
        """This instance's write lock, waited for no longer than the deadline (Late)."""
        left = deadline.remaining()
        if not self.write_lock.acquire(timeout=-1 if left is None else left):
            raise Late()
        try:
            yield
        finally:
            self.write_lock.release()

    def _append_in_time(self, tab_key: str, row: dict[str, Any], deadline: Deadline) -> None:
        """Append one row within the deadline (Late, and the row may still arrive); the next read re-reads."""
        if not deadline.enough(WRITE_RESERVE_SECONDS):
            raise Late()
        try:
            within(deadline, lambda: self.store.append(tab_key, [row]), name=f"{tab_key}-append",
                   if_late=lambda _: self.snapshots.invalidate())
        finally:
            self.snapshots.invalidate()


# ---------------------------------------------------------------- what a repayment's faults look like

def _who(record: dict[str, Any]) -> str:
    name = str(record.get("officer_name") or "")
    officer_id = str(record.get("officer_id") or "")
    return f"{polite_name(name)} ({officer_id})" if name else officer_id or "-"


def _cancelled() -> Messages:
    return [flex.text_message("ยกเลิกแล้ว ไม่ได้บันทึกอะไร", quick=views.main_quick())]


def _when(record: dict[str, Any]) -> str:
    try:
        at = dt.datetime.fromisoformat(str(record.get("claimed_at")))
    except ValueError:
        return "-"
    return f"{at:%H:%M} น. {date_th(at.date())}"


def _what(record: dict[str, Any]) -> str:
    try:
        amount = baht(readers.read_amount(str(record.get("amount"))))
        paid = date_th(dt.date.fromisoformat(str(record.get("paid_date"))))
    except (readers.CellError, ValueError):
        return f"สัญญา {record.get('contract_no', '-')}"
    return f"รับชำระ {amount} สัญญา {record.get('contract_no', '-')} วันที่ {paid}"


def _already_recorded(record: dict[str, Any], confirmed: bool) -> Messages:
    """A loser's answer: who holds the ref and since when (from the claim); 'being recorded' until the sheet says."""
    if confirmed:
        head = "รายการนี้บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ"
        tail = ""
    else:
        head = "รายการนี้บันทึกไปแล้วหรือกำลังบันทึกอยู่ ไม่ได้บันทึกซ้ำ"
        tail = "\nถ้าอีก 1 นาทียังไม่เห็นในแท็บ รับชำระ ให้กดยืนยันอีกครั้ง บอตจะตรวจในชีตก่อน"
    return [flex.text_message(f"{head}\nผู้บันทึก: {_who(record)} เมื่อ {_when(record)}\n{_what(record)}{tail}",
                              quick=views.main_quick("ค้างชำระ"))]


def _not_recorded(why: str, retry: str = "กดยืนยันอีกครั้งในสักครู่") -> Messages:
    return [flex.text_message(f"ยังไม่ได้บันทึกรับชำระ: {why} ไม่มีอะไรถูกเขียนลงชีต\nโปรด{retry}",
                              quick=views.main_quick())]


def _not_voided(why: str, retry: str = "กดอีกครั้งในสักครู่") -> Messages:
    return [flex.text_message(f"ยังไม่ได้ยกเลิกรายการ: {why} ไม่มีอะไรถูกเขียนลงชีต\nโปรด{retry}",
                              quick=views.main_quick())]


def _paid_line(payment: Any) -> str:
    return f"รับชำระ {baht(payment.amount)} สัญญา {payment.contract_no} วันที่ {date_th(payment.paid_date)}"


def _outcome_unknown(request: commands.PaymentRequest) -> Messages:
    return [flex.text_message(
        f"ยังไม่ทราบผลการบันทึก: Google Sheets ไม่ตอบในเวลา รายการ {baht(request.amount)} สัญญา "
        f"{request.contract_no} อาจอยู่ในชีตแล้วหรือยังไม่อยู่\n"
        "อย่าเพิ่งบันทึกเองในชีต รอประมาณ 1 นาทีแล้วกดยืนยันอีกครั้ง บอตจะตรวจในชีตก่อน: "
        "ถ้ามีแล้วจะไม่บันทึกซ้ำ ถ้ายังไม่มีจะบันทึกให้", quick=views.main_quick())]


def _certainly_not_written(exc: StoreError) -> bool:
    """Google refused the append on its one try (a 4xx): nothing was written. No answer, a 5xx or a
    retried try leave it unknown."""
    status = getattr(exc, "status", None)
    return status is not None and 400 <= status < 500 and status != 408 and getattr(exc, "tries", 1) == 1


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# ---------------------------------------------------------------- what every answer passes through

def dated(messages: Messages, snap: Snapshot) -> Messages:
    """An answer from an older copy of the sheet, saying how old it is (the quick replies move to the note)."""
    if not messages or len(messages) >= 5 or snap.taken_wall is None:  # no room for a sixth message
        return messages
    at = snap.taken_wall
    when = f"{at:%H:%M} น." if at.date() == snap.today else f"{at:%H:%M} น. {date_th(at.date())}"
    last = dict(messages[-1])
    quick = last.pop("quickReply", None)
    note = {"type": "text", "text": f"ข้อมูล ณ {when} (Google Sheets ตอบช้า คำตอบนี้อาจยังไม่รวมรายการล่าสุด)"}
    if quick:
        note["quickReply"] = quick
    return [*messages[:-1], last, note][-5:]


_SHOWN = frozenset({"text", "altText", "label", "displayText", "fillInText"})


def shown(messages: Messages) -> Messages:
    """The answer as it may leave: any 13-digit run in what a person reads masked as a citizen id.

    Checked once on the whole answer (a few kilobytes); only an answer that holds one is rewritten,
    and what masking lengthened is cut back to LINE's limits.
    """
    dumped = json.dumps(messages, ensure_ascii=False)
    if mask_id_runs(dumped) == dumped:
        return messages
    out = []
    for message in messages:
        masked = _masked(message)
        if masked.get("type") == "text" and isinstance(masked.get("text"), str):
            masked["text"] = flex.text_message(masked["text"])["text"]
        if isinstance(masked.get("altText"), str):
            masked["altText"] = flex.alt_text(masked["altText"])
        out.append(masked)
    return out


def _masked(node: Any) -> Any:
    if isinstance(node, list):
        return [_masked(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: mask_id_runs(value) if key in _SHOWN and isinstance(value, str) else _masked(value)
           for key, value in node.items()}
    if isinstance(out.get("label"), str):  # an action
        out["label"] = flex.clip(out["label"], flex.MAX_LABEL)
        for key in ("text", "displayText", "fillInText"):
            if isinstance(out.get(key), str):
                out[key] = out[key][:flex.MAX_ACTION_TEXT]
    return out


def _code(text: str) -> str:
    return "".join(to_arabic_digits(text).split()).casefold()


# ---------------------------------------------------------------- webhook events

IGNORED_EVENTS = ("unfollow", "leave", "memberJoined", "memberLeft", "unsend", "videoPlayComplete", "beacon",
                  "membership", "module", "activated", "deactivated", "botSuspended", "botResumed", "delivery")
OTHER_MESSAGES = ("video", "audio", "location", "sticker")
DOCUMENT_MESSAGES = ("image", "file")   # a photo or a PDF: filed as a fund's document (chat.documents)


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

    for kind in DOCUMENT_MESSAGES:
        @handler.add("message", message_type=kind)
        def on_document(event: Event) -> Messages | None:
            if not event.is_one_to_one:
                return None
            return conv.on_media(event.user_id, event.message, event.webhook_event_id)

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
        return conv.on_postback(event.user_id, event.postback_data, event.webhook_event_id,
                                params=event.postback_params)

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
