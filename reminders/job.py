"""The daily alert run: read once, plan, one push per officer, append the log once.

    summary = run_reminders(store, messenger, config, run_date, now)

Sheets requests per run: one batch read of the data tabs (alert log included) and,
when anything happened, one append of every log row to บันทึกการแจ้งเตือน.
LINE requests: one push per officer with something new (plus the messenger's
own bounded retries with the same X-Line-Retry-Key).

The rules (window, dedup, failed items, digest days, unreadable rows) are
documented in `reminders.plan`; what the officer reads is `reminders.digest`.

One push per officer per run date: the retry key is derived from (run date,
LINE user), so a retried request is never delivered twice and a second push
on the same day would be refused by LINE as a repeat (409). When an officer
already got this date's push and a re-run finds something new for them (data
typed in between), the new items are logged ล้มเหลว with the detail "เลื่อนไป
รอบถัดไป" and go out with the next run's push.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable
from zoneinfo import ZoneInfo

from core.thai import THAI_WEEKDAYS, date_th
from messaging.base import Messenger, retry_key_for
from messaging.delivery import CircuitBreaker, Delivery, alert_log_row, append_alert_log, deliver, not_sent
from reminders.digest import Digest, digest_text, render_digest
from reminders.plan import AlertLog, PlanContext, PlannedItem, RecipientPlan, next_digest_day, plan_run
from sheets.model import read_dataset
from sheets.store import Layout

ProgressFn = Callable[[str], None]

# The tabs an alert run reads, in one batch (the committee is not needed).
ALERT_TABS = ("funds", "loans", "installments", "payments", "officers", "line_links", "alert_log")

DEFERRED_DETAIL = ("เลื่อนไปรอบถัดไป: วันนี้ส่งถึงเจ้าหน้าที่คนนี้แล้ว (ส่งได้วันละครั้งต่อคน) "
                   "(deferred: this officer's push for the day was already sent)")


@dataclass
class RecipientResult:
    officer_id: str
    name: str
    status: str                      # sent / dry-run / failed / no-line-account
    items: list[PlannedItem]
    unreadable: int = 0
    shown: int = 0                   # items shown in the carousel (the rest is "และอีก N รายการ")
    detail: str = ""
    retry_key: str = ""
    text: str = ""                   # the digest as plain text (dry run only)

    def as_json(self) -> dict[str, Any]:
        return {
            "officer_id": self.officer_id, "name": self.name, "status": self.status,
            "unreadable": self.unreadable, "shown": self.shown,
            "more": max(0, len(self.items) - self.shown) if self.status in ("sent", "dry-run", "failed") else 0,
            "detail": self.detail, "retry_key": self.retry_key,
            "items": [_item_json(p) for p in self.items],
        }


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _item_json(p: PlannedItem) -> dict[str, Any]:
    t = p.trigger
    return {"contract_no": t.contract_no, "seq": t.seq, "kind": t.kind, "days": t.days,
            "amount": _number(t.amount), "due_date": t.due_date.isoformat(),
            "trigger_date": t.trigger_date.isoformat(), "retry": p.retry}


@dataclass
class RunSummary:
    date: dt.date
    dry_run: bool
    digest_day: bool
    window: tuple[dt.date, dt.date] | None
    last_run: dt.date | None
    messenger: str
    recipients: list[RecipientResult] = field(default_factory=list)
    already_sent: int = 0
    already_logged_no_line: int = 0
    without_officer: int = 0
    unreadable_rows: int = 0
    unreadable_by_officer: dict[str, int] = field(default_factory=dict)
    log_rows: int = 0
    stopped: str = ""                # LINE's 429 message when the run stopped pushing
    next_digest_day: dt.date | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)   # read / plan / send / log
    cpu_timings: dict[str, float] = field(default_factory=dict)  # CPU seconds of this process: same steps

    # -- counts ------------------------------------------------------------
    def _with(self, *statuses: str) -> list[RecipientResult]:
        return [r for r in self.recipients if r.status in statuses]

    @property
    def pushes(self) -> int:
        """Pushes made (or, in a dry run, that would be made)."""
        return len(self._with("sent", "dry-run"))

    @property
    def items(self) -> int:
        return sum(len(r.items) for r in self.recipients)

    @property
    def unlinked_officers(self) -> list[str]:
        return [r.officer_id for r in self._with("no-line-account")]

    @property
    def failed_officers(self) -> list[str]:
        return [r.officer_id for r in self._with("failed")]

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "dry_run": self.dry_run,
            "digest_day": self.digest_day,
            "window": [d.isoformat() for d in self.window] if self.window else None,
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "messenger": self.messenger,
            "pushes": self.pushes,
            "items": self.items,
            "items_sent": sum(len(r.items) for r in self._with("sent")),
            "items_failed": sum(len(r.items) for r in self._with("failed")),
            "items_no_line": sum(len(r.items) for r in self._with("no-line-account")),
            "already_sent": self.already_sent,
            "already_logged_no_line": self.already_logged_no_line,
            "without_officer": self.without_officer,
            "unreadable_rows": self.unreadable_rows,
            "unreadable_by_officer": dict(sorted(self.unreadable_by_officer.items())),
            "unlinked_officers": self.unlinked_officers,
            "failed_officers": self.failed_officers,
            "stopped": self.stopped,
            "log_rows": self.log_rows,
            "seconds": round(self.seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "cpu_timings": {k: round(v, 4) for k, v in self.cpu_timings.items()},
            "recipients": [r.as_json() for r in self.recipients],
        }

    def as_text(self) -> str:
        """A short Thai account of the run for the person at the console."""
        title = f"รอบแจ้งเตือนวันที่ {date_th(self.date)}"
        if self.dry_run:
            title += " (ทดลอง: ไม่ได้ส่งและไม่ได้บันทึก)"
        lines = [title, f"ช่องทาง: {self.messenger}"]
        if not self.digest_day:
            lines.append("วันนี้ไม่ใช่วันส่งสรุป (alerts.digest_weekdays): ส่งเฉพาะรายการที่ส่งไม่สำเร็จรอบก่อน")
            if self.next_digest_day:
                nxt = self.next_digest_day
                lines.append(f"วันส่งสรุปถัดไป: {THAI_WEEKDAYS[nxt.isoweekday() - 1]} {date_th(nxt)} "
                             f"(ดูล่วงหน้าได้ด้วย --date {nxt.isoformat()} --dry-run)")
        elif self.window:
            first, last = self.window
            span = date_th(last) if first == last else f"{date_th(first)} – {date_th(last)}"
            lines.append(f"วันที่ถึงรอบแจ้งเตือนที่พิจารณา: {span}")
        verb = "จะส่ง" if self.dry_run else "ส่งแล้ว"
        lines.append(f"{verb} {self.pushes:,} ข้อความ ถึงเจ้าหน้าที่ {self.pushes:,} คน รวม "
                     f"{sum(len(r.items) for r in self._with('sent', 'dry-run')):,} รายการ")
        if self.already_sent:
            lines.append(f"ส่งไปแล้วในรอบก่อน (ไม่ส่งซ้ำ) {self.already_sent:,} รายการ")
        if not self.recipients:
            lines.append("ไม่มีรายการใหม่ที่ต้องแจ้ง")
        status_words = {"sent": "ส่งแล้ว", "dry-run": "จะส่ง", "failed": "ส่งไม่สำเร็จ",
                        "no-line-account": "ยังไม่ผูกบัญชี LINE"}
        for r in self.recipients:
            extra = f" · ข้อมูล {r.unreadable:,} แถวต้องแก้ไข" if r.unreadable else ""
            lines.append(f"  • {r.officer_id} {r.name}: {status_words[r.status]} {len(r.items):,} รายการ{extra}"
                         + (f" — {r.detail}" if r.status == "failed" and r.detail else ""))
        if self.unlinked_officers:
            lines.append("เจ้าหน้าที่ที่มีรายการแต่ยังไม่ผูกบัญชี LINE: " + ", ".join(self.unlinked_officers)
                         + " (ให้พิมพ์รหัสลงทะเบียนในแชต LINE ของระบบ)")
        if self.stopped:
            lines.append(f"หยุดส่ง: {self.stopped}")
        if self.failed_officers:
            lines.append("รายการที่ส่งไม่สำเร็จจะส่งอีกครั้งในรอบถัดไป")
        if self.without_officer:
            lines.append(f"ไม่มีเจ้าหน้าที่รับผิดชอบ {self.without_officer:,} รายการ "
                         f"(ตรวจคอลัมน์เจ้าหน้าที่ผู้รับผิดชอบในแท็บกองทุน และเจ้าหน้าที่ของอำเภอ)")
        if self.unreadable_rows:
            lines.append(f"ข้อมูลที่อ่านไม่ได้ {self.unreadable_rows:,} แถว (ดูแท็บ ตรวจสอบข้อมูล)")
        if not self.dry_run:
            lines.append(f"บันทึกการแจ้งเตือน {self.log_rows:,} แถว")
        if self.dry_run:
            for r in self.recipients:
                if r.text:
                    lines += ["", f"── {r.officer_id} {r.name} ──", r.text]
        return "\n".join(lines)


# ---------------------------------------------------------------- the run

def run_reminders(store: Any, messenger: Messenger, config: Any, run_date: dt.date, now: dt.datetime,
                  dry_run: bool = False, progress: ProgressFn | None = None,
                  force_digest: bool = False) -> RunSummary:
    """Run the alert job for run_date. Dry run: compute and return, send and write nothing.

    `force_digest`: send the digest today even when it is not one of alerts.digest_weekdays.
    """
    say = progress or (lambda _m: None)
    started, cpu_started = time.perf_counter(), time.process_time()
    say(f"อ่านข้อมูลจาก {getattr(store, 'description', store)} ...")
    ds = read_dataset(store, Layout(config), run_date, config.rules.max_term_years, tabs=ALERT_TABS)
    timings = {"read": time.perf_counter() - started}
    ctx = PlanContext(ds, config)
    log = AlertLog.from_entries(ds.alert_log, ctx.digest_weekdays)
    plan = plan_run(ctx, run_date, log, force_digest)
    timings["plan"] = time.perf_counter() - started - timings["read"]
    cpu_planned = time.process_time()
    say(f"พบ {plan.items:,} รายการใหม่ สำหรับเจ้าหน้าที่ {len(plan.recipients):,} คน")

    summary = RunSummary(run_date, dry_run, plan.digest_day, plan.window, plan.last_run,
                         getattr(messenger, "description", type(messenger).__name__),
                         already_sent=plan.already_sent,
                         already_logged_no_line=plan.already_logged_no_line,
                         without_officer=plan.without_officer, unreadable_rows=plan.unreadable_rows,
                         unreadable_by_officer=plan.unreadable_by_officer)
    if not plan.digest_day:
        summary.next_digest_day = next_digest_day(run_date, config.alerts.digest_weekdays)
    sent_at = _local_naive(now, config.timezone)
    per_bubble = config.alerts.items_per_bubble
    breaker = CircuitBreaker()
    rows: list[dict[str, Any]] = []
    try:
        for rp in plan.recipients:
            result, delivery = _deliver(rp, messenger, breaker, run_date, per_bubble, dry_run, say)
            summary.recipients.append(result)
            if delivery is not None:
                if delivery.stopped and not summary.stopped:
                    summary.stopped = delivery.reason
                rows.extend(_log_rows(result, delivery, run_date, sent_at))
    finally:
        # Whatever stops the loop, the rows of the pushes already made are appended.
        timings["send"] = time.perf_counter() - started - timings["read"] - timings["plan"]
        cpu_sent = time.process_time()
        if rows:
            say(f"บันทึก {len(rows):,} แถวลงแท็บ บันทึกการแจ้งเตือน ...")
            append_alert_log(store, rows, pushed=summary.pushes)
    summary.log_rows = len(rows)
    summary.seconds = time.perf_counter() - started
    timings["log"] = summary.seconds - timings["read"] - timings["plan"] - timings["send"]
    summary.timings = timings
    summary.cpu_timings = {"read_plan": cpu_planned - cpu_started, "send": cpu_sent - cpu_planned,
                           "log": time.process_time() - cpu_sent}
    return summary


def _deliver(rp: RecipientPlan, messenger: Messenger, breaker: CircuitBreaker, run_date: dt.date, per_bubble: int,
             dry_run: bool, say: ProgressFn) -> tuple[RecipientResult, Delivery | None]:
    """One officer's digest and its delivery (None in a dry run: nothing sent, nothing logged)."""
    result = RecipientResult(rp.officer_id, rp.name, "", rp.items, rp.unreadable)
    if rp.line_user is None:
        delivery = deliver(messenger, None, [], "")  # no LINE account: nothing is pushed
        result.status, result.detail = delivery.status, delivery.reason
        return result, None if dry_run else delivery
    digest = Digest(run_date, [p.digest_item for p in rp.items], rp.unreadable)
    rendered = render_digest(digest, per_bubble)
    result.shown = len(rendered.shown)
    result.retry_key = retry_key_for(run_date, rp.line_user)
    if dry_run:
        result.status, result.text = "dry-run", digest_text(digest, per_bubble)
        return result, None
    if rp.pushed_today:
        delivery = not_sent(DEFERRED_DETAIL, result.retry_key)
    else:
        if not (messenger.stopped or breaker.open):
            say(f"ส่งถึง {rp.officer_id} ({len(rp.items):,} รายการ) ...")
        delivery = deliver(messenger, rp.line_user, rendered.messages, result.retry_key, breaker)
    result.status = "sent" if delivery.delivered else delivery.status
    result.detail = delivery.reason
    return result, delivery


@lru_cache(maxsize=4096)
def _date_th(day: dt.date) -> str:
    return date_th(day)


def _log_rows(result: RecipientResult, delivery: Delivery, run_date: dt.date,
              sent_at: dt.datetime) -> list[dict[str, Any]]:
    """One บันทึกการแจ้งเตือน row per item of the officer's digest."""
    rows = []
    for p in result.items:
        t = p.trigger
        detail = f"ครบกำหนด {_date_th(t.due_date)}"
        if t.trigger_date != run_date:
            detail += f" · ถึงรอบแจ้งเมื่อ {_date_th(t.trigger_date)}"
        if p.retry:
            detail += " · ส่งซ้ำหลังส่งไม่สำเร็จ"
        rows.append(alert_log_row(run_date, result.officer_id, t.kind, delivery, sent_at,
                                  contract_no=t.contract_no, seq=t.seq, days=t.days, amount=t.amount,
                                  detail=detail))
    return rows


def _local_naive(now: dt.datetime, timezone: str) -> dt.datetime:
    """The sheet holds local wall-clock times without a zone (Excel cannot store one)."""
    if now.tzinfo is not None:
        now = now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return now.replace(microsecond=0)
