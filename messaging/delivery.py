"""The one delivery path of every push (the daily digest, the monthly summary riding in it, the
admin's alert) and its บันทึกการแจ้งเตือน rows, written ahead.

    breaker = CircuitBreaker()
    pushes = [Push(officer_id, line_user, retry_key, messages, items, run_date), ...]
    outcomes = push_recorded(store, messenger, pushes, started_at=now, breaker=breaker)

Write-ahead: every item of every push is appended as รอส่ง (pending, with the push's retry
key and the time) in ONE append before the first push; then each push is made; then the
outcomes (ส่งแล้ว / ล้มเหลว) in ONE more append. The tab is append-only: a reader takes the
latest row per item and retry key (`reminders.plan.AlertLog`). So whatever fails, the log
says what may have been sent:

- the first append fails: nothing is pushed (an item in no recorded push is never sent);
- a push gets no answer at all (timeouts, the connection lost): its outcome is unknown, so
  no outcome row is written and its rows stay รอส่ง; the next run resolves it with the same
  retry key, carrying exactly the recorded items (LINE's 409 = it was delivered);
- the last append fails after the pushes: the rows stay รอส่ง, resolved the same way.

`deliver` returns what happened (sent / already delivered / failed / no LINE account, with
the reason in Thai) whatever LINE, the network or the messenger does, so one recipient's
trouble never stops the others.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

from core.schema import ALERT_KINDS, ALERT_STATUSES
from messaging.base import Messenger, PushResult
from sheets.store import StoreError

if TYPE_CHECKING:
    from sheets.records import Dataset
    from sheets.store import Table

SENT = "sent"
ALREADY_DELIVERED = "already-delivered"
FAILED = "failed"
NO_LINE_ACCOUNT = "no-line-account"
PENDING = "pending"

NO_LINE_DETAIL = "ยังไม่ได้ผูกบัญชี LINE: ให้เจ้าหน้าที่พิมพ์รหัสลงทะเบียนในแชต"
STOPPED_DETAIL = ("หยุดส่งในรอบนี้เพราะ LINE ตอบ 429 (โควตาหรือจำนวนคำขอเกินกำหนด) "
                  "จะส่งในรอบถัดไป (not sent: LINE answered 429 earlier in this run)")
# After this many recipients in a row found LINE unreachable, the rest are not tried this run:
# each would wait through every retry, and a run must finish inside the function's timeout.
UNREACHABLE_LIMIT = 3
UNREACHABLE_DETAIL = ("ไม่ได้ส่งในรอบนี้: ติดต่อ LINE ไม่ได้ติดต่อกัน {n} คน จะส่งในรอบถัดไป "
                      "(not tried: LINE was unreachable for {n} officers in a row)")
PENDING_DETAIL = "รอผลการส่ง (written ahead of the push)"
UNKNOWN_DETAIL = ("ไม่ทราบผล: LINE ไม่ตอบ จะยืนยันด้วย retry key เดิมในรอบถัดไป "
                  "(no answer: resolved by the same retry key on the next run)")
MAX_DETAIL = 500  # characters of the log's รายละเอียด cell


@dataclass(frozen=True)
class Delivery:
    """How one push ended (or why it was not made)."""

    status: str                      # SENT / ALREADY_DELIVERED / FAILED / NO_LINE_ACCOUNT
    reason: str                      # Thai, for the log and the console
    retry_key: str = ""
    tried: bool = False              # a request went to the messenger
    unreachable: bool = False        # tried, and no answer from LINE at all
    stopped: bool = False            # LINE answered 429 (now or earlier in the run)
    http_status: int | None = None
    request_id: str | None = None

    @property
    def delivered(self) -> bool:
        """The recipient has the message (from this push or an earlier one with the same key)."""
        return self.status in (SENT, ALREADY_DELIVERED)

    @property
    def unknown(self) -> bool:
        """Tried without any answer: LINE may have taken it. Only its retry key can tell."""
        return self.status == FAILED and self.tried and self.unreachable

    @property
    def log_status(self) -> str:
        """The key of ALERT_STATUSES this delivery is logged with (PENDING while unknown)."""
        if self.unknown:
            return PENDING
        return SENT if self.delivered else self.status


def not_sent(reason: str, retry_key: str = "") -> Delivery:
    """A push the job decided not to make (e.g. deferred): logged as failed, goes out next run."""
    return Delivery(FAILED, reason, retry_key)


class CircuitBreaker:
    """After `limit` recipients in a row find LINE unreachable, the rest of the run waits."""

    def __init__(self, limit: int = UNREACHABLE_LIMIT) -> None:
        self.limit = limit
        self.in_a_row = 0

    @property
    def open(self) -> bool:
        return self.in_a_row >= self.limit

    def record(self, delivery: Delivery) -> None:
        if delivery.tried:  # only real tries count: any answer from LINE closes the breaker again
            self.in_a_row = self.in_a_row + 1 if delivery.unreachable else 0


def deliver(messenger: Messenger, line_user: str | None, messages: list[dict], retry_key: str,
            breaker: CircuitBreaker | None = None) -> Delivery:
    """Push prepared `messages` to `line_user` with `retry_key`; never raises, says what happened."""
    if not line_user:
        return Delivery(NO_LINE_ACCOUNT, NO_LINE_DETAIL)
    if messenger.stopped:
        return Delivery(FAILED, STOPPED_DETAIL, retry_key, stopped=True)
    if breaker is not None and breaker.open:
        return Delivery(FAILED, UNREACHABLE_DETAIL.format(n=breaker.in_a_row), retry_key)
    try:
        push = messenger.push(line_user, messages, retry_key)
    except Exception as exc:  # noqa: BLE001 - a messenger's bug or I/O error is this recipient's failure only
        push = PushResult("failed", f"ส่งไม่สำเร็จ: {type(exc).__name__}: {exc}"[:MAX_DETAIL])
    outcome = _from_push(push, retry_key)
    if breaker is not None:
        breaker.record(outcome)
    return outcome


def _from_push(push: PushResult, retry_key: str) -> Delivery:
    status = {"sent": SENT, "duplicate": ALREADY_DELIVERED}.get(push.status, FAILED)
    default = "ส่งแล้ว" if status == SENT else "ส่งไม่สำเร็จ" if status == FAILED else ""
    return Delivery(status, push.detail or default, retry_key, tried=push.tries > 0,
                    unreachable=push.unreachable, stopped=push.status == "quota",
                    http_status=push.http_status, request_id=push.request_id)


# ---------------------------------------------------------------- what a push carries

@dataclass(frozen=True)
class LoggedItem:
    """One thing a push tells an officer, as its บันทึกการแจ้งเตือน row names it.

    `kind` is a key of ALERT_KINDS. An installment is named by contract, seq, kind and days; a
    monthly summary or an admin alert by its kind and the first word of its detail (the month,
    the day).
    """

    kind: str
    contract_no: str = ""
    seq: int | None = None
    days: int | None = None
    amount: Decimal | None = None
    detail: str = ""

    @property
    def ident(self) -> tuple[Any, ...]:
        """What makes two rows the same item (with the officer and the retry key)."""
        if self.contract_no:
            return (self.kind, self.contract_no, self.seq, self.days)
        return (self.kind, self.detail.split(" ", 1)[0])


@dataclass
class Push:
    """One recorded push: its retry key identifies exactly these items, for ever."""

    officer_id: str
    line_user: str
    retry_key: str
    messages: list[dict]
    items: list[LoggedItem]
    run_date: dt.date                 # the day it was recorded (an earlier one when it is resolved)


@dataclass(frozen=True)
class Attachment:
    """A message that rides in an officer's push of the day (the monthly summary), with its log item."""

    officer_id: str
    messages: tuple[dict, ...]
    item: LoggedItem


class Attachments(Protocol):
    """What else travels in the day's pushes (report.notify.MonthlySummaries), decided after the
    alert run's one read: `tabs` are read in the same request."""

    tabs: tuple[str, ...]

    def for_run(self, tables: Mapping[str, Table], ds: Dataset, run_date: dt.date,
                config: Any) -> list[Attachment]: ...


# ---------------------------------------------------------------- บันทึกการแจ้งเตือน rows

def log_row(run_date: dt.date, officer_id: str, item: LoggedItem, status: str, retry_key: str = "",
            at: dt.datetime | None = None, reason: str = "") -> dict[str, Any]:
    """One row of บันทึกการแจ้งเตือน: the item, then its status (a key of ALERT_STATUSES), retry key,
    time (the push's start for a pending row, the delivery for a sent one) and reason."""
    text = " · ".join(part for part in (item.detail, reason) if part)
    return {
        "run_date": run_date, "sent_at": at, "officer_id": officer_id, "contract_no": item.contract_no,
        "seq": item.seq, "kind": ALERT_KINDS[item.kind], "days": item.days, "amount": item.amount,
        "retry_key": retry_key, "status": ALERT_STATUSES[status], "detail": text[:MAX_DETAIL],
    }


def pending_rows(push: Push, started_at: dt.datetime) -> list[dict[str, Any]]:
    """The push's items, written ahead: รอส่ง with its retry key and the time it is handed to LINE."""
    return [log_row(push.run_date, push.officer_id, item, PENDING, push.retry_key, started_at, PENDING_DETAIL)
            for item in push.items]


def outcome_rows(run_date: dt.date, officer_id: str, items: Sequence[LoggedItem], delivery: Delivery,
                 at: dt.datetime | None) -> list[dict[str, Any]]:
    """The items' outcome; none while it is unknown (the pending rows stand until resolved)."""
    if delivery.unknown:
        return []
    when = at if delivery.delivered else None
    return [log_row(run_date, officer_id, item, delivery.log_status, delivery.retry_key, when, delivery.reason)
            for item in items]


class WriteAheadError(StoreError):
    """The items could not be written ahead of the pushes: nothing was pushed."""


class AlertLogStore(Protocol):
    def append(self, tab_key: str, records: Sequence[dict[str, Any]]) -> Any: ...


@dataclass
class PushOutcome:
    push: Push
    delivery: Delivery


@dataclass
class RecordedRun:
    """What push_recorded did: each push's outcome and the rows written (ahead, then outcomes)."""

    outcomes: list[PushOutcome] = field(default_factory=list)
    rows_ahead: int = 0
    rows_after: int = 0


def push_recorded(store: AlertLogStore, messenger: Messenger, pushes: Sequence[Push], *,
                  started_at: dt.datetime, breaker: CircuitBreaker, first_rows: Sequence[dict[str, Any]] = (),
                  before_push: Callable[[Push], None] | None = None) -> RecordedRun:
    """Write the pushes' items ahead (with `first_rows`, in one append), push, append the outcomes.

    `first_rows` are rows of this run that need no push (outcomes of pushes resolved earlier in
    the run, items for officers without LINE, deferred items): they go in the first append.
    Whatever stops the loop, the outcomes of the pushes already made are appended (the others
    stay รอส่ง and are resolved by the next run). StoreError when an append fails, saying what
    was sent (WriteAheadError: the first append, so nothing).
    """
    done = RecordedRun()
    ahead = list(first_rows)
    for push in pushes:
        ahead.extend(pending_rows(push, started_at))
    if ahead:
        try:
            store.append("alert_log", ahead)
        except StoreError as exc:
            raise WriteAheadError(f"บันทึกการแจ้งเตือนล่วงหน้าไม่สำเร็จ จึงยังไม่ได้ส่งข้อความใด: {exc} "
                             f"— เรียกรอบนี้ซ้ำได้ (the alert log could not be written ahead of the pushes: "
                             f"nothing was sent; a rerun is safe)") from exc
    done.rows_ahead = len(ahead)
    after: list[dict[str, Any]] = []
    try:
        for push in pushes:
            if before_push is not None:
                before_push(push)
            delivery = deliver(messenger, push.line_user, push.messages, push.retry_key, breaker)
            done.outcomes.append(PushOutcome(push, delivery))
            after.extend(outcome_rows(push.run_date, push.officer_id, push.items, delivery, started_at))
    finally:
        # Whatever stops the loop, the outcomes of the pushes already made are appended.
        if after:
            delivered = sum(o.delivery.delivered for o in done.outcomes)
            try:
                store.append("alert_log", after)
            except StoreError as exc:
                raise StoreError(f"ส่งข้อความแล้ว {delivered:,} ข้อความ แต่บันทึกการแจ้งเตือนไม่สำเร็จ: {exc} "
                                 f"— รายการยังเป็น รอส่ง ในบันทึก เรียกรอบนี้ซ้ำภายใน 24 ชั่วโมง ระบบจะยืนยันกับ LINE "
                                 f"ด้วย retry key เดิม (409 = ส่งถึงแล้ว) ไม่ส่งซ้ำ (pushes made, outcomes not "
                                 f"logged: a rerun within 24 hours resolves them by their retry keys)") from exc
            done.rows_after = len(after)
    return done
