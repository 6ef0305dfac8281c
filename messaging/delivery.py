"""The one delivery path of every push (the daily digest, the monthly summary) and its log rows.

    breaker = CircuitBreaker()
    outcome = deliver(messenger, line_user, messages, retry_key, breaker)   # never raises
    rows.append(alert_log_row(run_date, officer_id, "overdue", outcome, sent_at, ...))
    append_alert_log(store, rows, pushed=n)                                # one append

`deliver` returns what happened (sent / already delivered / failed / no LINE account, with the
reason in Thai) whatever LINE, the network or the messenger does, so one recipient's trouble
never stops the others and never loses the log rows of the pushes already made. Building a log
row and appending rows are separate steps on purpose: the next step is a write-ahead log
(rows recorded as pending with their retry key before the push, marked sent or failed after).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, Sequence

from core.schema import ALERT_KINDS, ALERT_STATUSES
from messaging.base import Messenger, PushResult
from sheets.store import StoreError

SENT = "sent"
ALREADY_DELIVERED = "already-delivered"
FAILED = "failed"
NO_LINE_ACCOUNT = "no-line-account"

NO_LINE_DETAIL = "ยังไม่ได้ผูกบัญชี LINE: ให้เจ้าหน้าที่พิมพ์รหัสลงทะเบียนในแชต"
STOPPED_DETAIL = ("หยุดส่งในรอบนี้เพราะ LINE ตอบ 429 (โควตาหรือจำนวนคำขอเกินกำหนด) "
                  "จะส่งในรอบถัดไป (not sent: LINE answered 429 earlier in this run)")
# After this many recipients in a row found LINE unreachable, the rest are not tried this run:
# each would wait through every retry, and a run must finish inside the function's timeout.
UNREACHABLE_LIMIT = 3
UNREACHABLE_DETAIL = ("ไม่ได้ส่งในรอบนี้: ติดต่อ LINE ไม่ได้ติดต่อกัน {n} คน จะส่งในรอบถัดไป "
                      "(not tried: LINE was unreachable for {n} officers in a row)")
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
    def log_status(self) -> str:
        """The key of ALERT_STATUSES this delivery is logged with."""
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


# ---------------------------------------------------------------- บันทึกการแจ้งเตือน

def alert_log_row(run_date: dt.date, officer_id: str, kind: str, delivery: Delivery,
                  sent_at: dt.datetime | None, *, contract_no: str = "", seq: int | None = None,
                  days: int | None = None, amount: Decimal | None = None, detail: str = "") -> dict[str, Any]:
    """One row of บันทึกการแจ้งเตือน: the item, then the delivery's status, retry key and reason.

    `kind` is a key of ALERT_KINDS; the time is written only when the message was delivered.
    """
    text = " · ".join(part for part in (detail, delivery.reason) if part)
    return {
        "run_date": run_date, "sent_at": sent_at if delivery.delivered else None, "officer_id": officer_id,
        "contract_no": contract_no, "seq": seq, "kind": ALERT_KINDS[kind], "days": days, "amount": amount,
        "retry_key": delivery.retry_key, "status": ALERT_STATUSES[delivery.log_status],
        "detail": text[:MAX_DETAIL],
    }


class AlertLogStore(Protocol):
    def append(self, tab_key: str, records: Sequence[dict[str, Any]]) -> Any: ...


def append_alert_log(store: AlertLogStore, rows: Sequence[dict[str, Any]], pushed: int) -> None:
    """Append the rows in one request; on failure say how many pushes went out and that a rerun is safe."""
    if not rows:
        return
    try:
        store.append("alert_log", list(rows))
    except StoreError as exc:
        raise StoreError(f"ส่งข้อความแล้ว {pushed:,} ข้อความ แต่บันทึกการแจ้งเตือนไม่สำเร็จ: {exc} "
                         f"— เรียกรอบนี้ซ้ำภายใน 24 ชั่วโมงได้ LINE จะไม่ส่งซ้ำ "
                         f"(a rerun within 24 hours is safe: same retry keys)") from exc

