"""The daily alert run: the day's turn, one read, resolve what is pending, plan, one push per
officer, the log written ahead.

    summary = run_reminders(store, messenger, config, run_date, now, claims=claims,
                            attachments=MonthlySummaries(link))

1. THE TURN (`reminders.turn`): only one run per day sends. A run that finds the day's turn
   held by a live run sends nothing and says so (`busy`; HTTP 409, exit 6).
2. ONE READ of the data tabs and the alert log (values.batchGet on Google), with the tabs the
   attachments need (the monthly summary's committee and snapshots).
3. A REQUIRED COLUMN MISSING from one of those tabs stops the run (`reminders.blocked`):
   "errors" in the JSON (HTTP 500, exit 5) and one LINE alert a day to the administrator.
4. RESOLVE the pushes the log holds as รอส่ง with no outcome (an answer lost, a log append
   that failed): pushed again with THEIR retry key, carrying exactly their recorded items;
   LINE's 409 means it was delivered then. LINE remembers a key for 24 hours, so a push
   recorded more than `RESOLVE_WINDOW` ago cannot be resolved that way: its items are logged
   ล้มเหลว and go out in this run's digest (a repeat is possible there, a loss is not).
5. PLAN (`reminders.plan`) and push: one push per officer with something new, the monthly
   summary riding in it as a second message object (`messaging.delivery.Attachment`); an
   officer who got (or may have got) a push today gets nothing more today: the new items are
   logged ล้มเหลว "เลื่อนไปรอบถัดไป" and go out with the next run's push.
6. THE LOG, written ahead (`messaging.delivery.push_recorded`): one append before the pushes
   (their items as รอส่ง with their retry keys, and the rows that need no push), one append
   of the outcomes after. A push without any answer keeps its รอส่ง rows (outcome unknown,
   HTTP 503 / exit 4: call again today and it is resolved by its key).

Sheets requests: 1 read, then 1 append before the pushes and 1 after (one more than a log
written after the pushes: the price of never having to guess); a run with nothing to push
and nothing to log: the read only. LINE: one push per officer with something new (plus the
messenger's bounded retries with the same key) and one per push being resolved.

The rules (window, dedup, failed items, digest days, unreadable rows) are documented in
`reminders.plan`; what the officer reads is `reminders.digest`.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

from core.schema import TABS
from core.thai import THAI_WEEKDAYS, date_th, local_naive
from messaging.base import Messenger
from messaging.delivery import (ALREADY_DELIVERED, NO_LINE_ACCOUNT, NO_LINE_DETAIL, PENDING, SENT, Attachment,
                                Attachments, CircuitBreaker, Delivery, LoggedItem, Push, WriteAheadError, deliver,
                                not_sent, outcome_rows, push_recorded)
from reminders import archive as log_archive
from reminders.archive import MoveResult
from reminders.blocked import MissingColumn, admin_pushes, missing_columns
from reminders.digest import Digest, digest_text, render_digest
from reminders.plan import (ITEM_KINDS, AlertLog, OpenPush, PlanContext, PlannedItem, RecipientPlan,
                            next_digest_day, plan_run)
from reminders.turn import take_turn
from sheets.archive import ArchiveSink
from sheets.claims import Claims
from sheets.model import load_dataset
from sheets.store import Layout, StoreError, Table

ProgressFn = Callable[[str], None]

# The tabs an alert run reads, in one batch (the committee is not needed).
ALERT_TABS = ("funds", "loans", "installments", "payments", "officers", "line_links", "alert_log")
# The columns of those tabs that no digest, ledger figure or log rule of the run uses, left unread
# (sheets.model.check_skip): at 80,000 loans parsing them was a sixth of the run's parse (0.22 s of
# 1.3). A monthly summary, which needs every column, parses the tabs whole (report.notify).
ALERT_SKIP: dict[str, frozenset[str]] = {
    "loans": frozenset({"citizen_id", "phone", "occupation", "note"}),
    "payments": frozenset({"receipt_no", "recorded_by", "source", "recorded_at", "note"}),
}

# LINE keeps an accepted retry key 24 hours; a little less, for clocks and slow runs.
RESOLVE_WINDOW = dt.timedelta(hours=23)

# Exit codes of `remind` (cli.py) and the HTTP answers of send_reminders (main.py).
EXIT_OK, EXIT_PUSH_FAILED, EXIT_BLOCKED, EXIT_BUSY = 0, 4, 5, 6

DEFERRED_DETAIL = ("เลื่อนไปรอบถัดไป: วันนี้ส่งถึงเจ้าหน้าที่คนนี้แล้ว (ส่งได้วันละครั้งต่อคน) "
                   "(deferred: this officer's push for the day was already sent)")
EXPIRED_DETAIL = ("ไม่ทราบว่าส่งถึงหรือไม่ และเกินเวลาที่ LINE จำ retry key (24 ชั่วโมง) จึงส่งอีกครั้งในรอบถัดไป "
                  "(outcome unknown past LINE's retry-key window: sent again)")
NOT_CARRIED_DETAIL = ("ไม่ได้อยู่ในข้อความที่ส่งซ้ำ (ไม่พบในชีตแล้ว) "
                      "(not in the resent push: no longer in the sheet)")


@dataclass
class RecipientResult:
    officer_id: str
    name: str
    status: str                      # sent / dry-run / failed / no-line-account / unknown
    items: list[PlannedItem]
    unreadable: int = 0
    lines: int = 0                   # contracts in the digest (one line each)
    shown: int = 0                   # lines shown in the carousel (the rest is "และอีก N รายการ")
    detail: str = ""
    retry_key: str = ""
    monthly_summary: bool = False    # the month's summary rides in this push
    text: str = ""                   # the digest as plain text (dry run only)

    def as_json(self) -> dict[str, Any]:
        return {
            "officer_id": self.officer_id, "name": self.name, "status": self.status,
            "unreadable": self.unreadable, "lines": self.lines, "shown": self.shown,
            "more": max(0, self.lines - self.shown) if self.status in ("sent", "dry-run", "failed", "unknown") else 0,
            "monthly_summary": self.monthly_summary, "detail": self.detail, "retry_key": self.retry_key,
            "items": [_item_json(p) for p in self.items],
        }


@dataclass
class ResolvedPush:
    """A push found รอส่ง in the log and settled by this run."""

    officer_id: str
    retry_key: str
    run_date: dt.date                # the day it was recorded
    items: int
    status: str                      # already-delivered / sent / failed / unknown / expired / dry-run
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"officer_id": self.officer_id, "retry_key": self.retry_key, "run_date": self.run_date.isoformat(),
                "items": self.items, "status": self.status, "detail": self.detail}


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
    messenger: str
    digest_day: bool = False
    window: tuple[dt.date, dt.date] | None = None
    last_run: dt.date | None = None
    recipients: list[RecipientResult] = field(default_factory=list)
    resolved: list[ResolvedPush] = field(default_factory=list)
    already_sent: int = 0
    already_logged_no_line: int = 0
    in_open_push: int = 0
    without_officer: int = 0
    unreadable_rows: int = 0
    unreadable_by_officer: dict[str, int] = field(default_factory=dict)
    log_rows: int = 0
    stopped: str = ""                # LINE's 429 message when the run stopped pushing
    next_digest_day: dt.date | None = None
    errors: list[MissingColumn] = field(default_factory=list)    # required columns missing: the run stopped
    admin_alerts: list[dict[str, str]] = field(default_factory=list)
    busy: dict[str, Any] = field(default_factory=dict)          # the live run holding the day's turn
    turn_error: str = ""             # the day's turn could not be given back (the next run waits LEASE)
    attachment_error: str = ""       # the monthly summary could not be made: the digests went without it
    moved: MoveResult | None = None  # the log's older rows moved out of the sheet (reminders.archive)
    move_error: str = ""             # they could not be: nothing moved, tried again on the next run
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)   # read / plan / send (with the log)
    cpu_timings: dict[str, float] = field(default_factory=dict)  # CPU seconds of this process: same steps

    # -- counts ------------------------------------------------------------
    def _with(self, *statuses: str) -> list[RecipientResult]:
        return [r for r in self.recipients if r.status in statuses]

    @property
    def pushes(self) -> int:
        """Pushes delivered by this run (in a dry run: that would be made), resolutions included."""
        return len(self._with("sent", "dry-run")) + sum(r.status == "sent" for r in self.resolved)

    @property
    def items(self) -> int:
        return sum(len(r.items) for r in self.recipients)

    @property
    def unlinked_officers(self) -> list[str]:
        return [r.officer_id for r in self._with("no-line-account")]

    @property
    def failed_officers(self) -> list[str]:
        return [r.officer_id for r in self._with("failed")]

    @property
    def unknown_officers(self) -> list[str]:
        """Pushes without any answer: resolved by their retry keys on the next run (call again today)."""
        return ([r.officer_id for r in self._with("unknown")]
                + [r.officer_id for r in self.resolved if r.status == "unknown"])

    @property
    def exit_code(self) -> int:
        if self.busy:
            return EXIT_BUSY
        if self.errors:
            return EXIT_BLOCKED
        return EXIT_PUSH_FAILED if self.failed_officers or self.unknown_officers else EXIT_OK

    @property
    def http_status(self) -> int:
        """send_reminders' answer: 500 blocked, 409 another run holds the day, 503 outcome unknown
        (Cloud Scheduler's retry then resolves it within LINE's 24 hours), else 200."""
        if self.errors:
            return 500
        if self.busy:
            return 409
        return 503 if self.unknown_officers else 200

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "dry_run": self.dry_run,
            "digest_day": self.digest_day,
            "window": [d.isoformat() for d in self.window] if self.window else None,
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "messenger": self.messenger,
            "errors": [e.as_json() for e in self.errors],
            "admin_alerts": list(self.admin_alerts),
            "busy": dict(self.busy),
            "turn_error": self.turn_error,
            "attachment_error": self.attachment_error,
            "moved": self.moved.as_json() if self.moved else None,
            "move_error": self.move_error,
            "pushes": self.pushes,
            "items": self.items,
            "items_sent": sum(len(r.items) for r in self._with("sent")),
            "items_failed": sum(len(r.items) for r in self._with("failed")),
            "items_no_line": sum(len(r.items) for r in self._with("no-line-account")),
            "already_sent": self.already_sent,
            "already_logged_no_line": self.already_logged_no_line,
            "in_open_push": self.in_open_push,
            "without_officer": self.without_officer,
            "unreadable_rows": self.unreadable_rows,
            "unreadable_by_officer": dict(sorted(self.unreadable_by_officer.items())),
            "unlinked_officers": self.unlinked_officers,
            "failed_officers": self.failed_officers,
            "unknown_officers": self.unknown_officers,
            "stopped": self.stopped,
            "log_rows": self.log_rows,
            "resolved": [r.as_json() for r in self.resolved],
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
        if self.busy:
            started = str(self.busy.get("started", ""))
            return (f"{title}\nวันนี้มีรอบแจ้งเตือนอีกรอบกำลังส่งอยู่ (เริ่มเมื่อ {started}) รอบนี้จึงไม่ส่งและไม่บันทึกอะไร "
                    f"(the day is already being sent by another run)")
        if self.errors:
            lines = [title, "ส่งไม่ได้: ชีตขาดคอลัมน์ที่จำเป็น (the run stopped: required columns are missing)"]
            lines += [f"  • {e.message}" for e in self.errors]
            for alert in self.admin_alerts:
                lines.append(f"แจ้งผู้ดูแลระบบ {alert['officer_id']}: {alert['status']} {alert['detail']}".rstrip())
            return "\n".join(lines)
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
        if self.resolved:
            words = {"already-delivered": "ส่งถึงแล้วตั้งแต่รอบก่อน (LINE 409)", "sent": "ส่งแล้วในรอบนี้",
                     "failed": "ส่งไม่สำเร็จ", "unknown": "ยังไม่ทราบผล", "expired": "เกิน 24 ชั่วโมง ส่งใหม่",
                     "dry-run": "จะยืนยันด้วย retry key เดิม"}
            lines.append(f"ข้อความที่ค้างสถานะ รอส่ง จากรอบก่อน {len(self.resolved):,} ข้อความ:")
            lines += [f"  • {r.officer_id}: {words[r.status]} ({r.items:,} รายการ)" for r in self.resolved]
        verb = "จะส่ง" if self.dry_run else "ส่งแล้ว"
        lines.append(f"{verb} {self.pushes:,} ข้อความ ถึงเจ้าหน้าที่ {self.pushes:,} คน รวม "
                     f"{sum(len(r.items) for r in self._with('sent', 'dry-run')):,} รายการ")
        if self.already_sent:
            lines.append(f"ส่งไปแล้วในรอบก่อน (ไม่ส่งซ้ำ) {self.already_sent:,} รายการ")
        if not self.recipients:
            lines.append("ไม่มีรายการใหม่ที่ต้องแจ้ง")
        status_words = {"sent": "ส่งแล้ว", "dry-run": "จะส่ง", "failed": "ส่งไม่สำเร็จ",
                        "no-line-account": "ยังไม่ผูกบัญชี LINE", "unknown": "ยังไม่ทราบผล (LINE ไม่ตอบ)"}
        for r in self.recipients:
            extra = f" · ข้อมูล {r.unreadable:,} แถวต้องแก้ไข" if r.unreadable else ""
            what = f"{len(r.items):,} รายการ" + (" พร้อมสรุปรายเดือน" if r.monthly_summary else "")
            if r.monthly_summary and not r.items:
                what = "สรุปรายเดือน"
            lines.append(f"  • {r.officer_id} {r.name}: {status_words[r.status]} {what}{extra}"
                         + (f" — {r.detail}" if r.status in ("failed", "unknown") and r.detail else ""))
        if self.unlinked_officers:
            lines.append("เจ้าหน้าที่ที่มีรายการแต่ยังไม่ผูกบัญชี LINE: " + ", ".join(self.unlinked_officers)
                         + " (ให้พิมพ์รหัสลงทะเบียนในแชต LINE ของระบบ)")
        if self.stopped:
            lines.append(f"หยุดส่ง: {self.stopped}")
        if self.attachment_error:
            lines.append(f"ทำสรุปรายเดือนไม่สำเร็จ (ส่งเฉพาะแจ้งเตือน): {self.attachment_error}")
        if self.failed_officers:
            lines.append("รายการที่ส่งไม่สำเร็จจะส่งอีกครั้งในรอบถัดไป")
        if self.unknown_officers:
            lines.append("ข้อความที่ LINE ไม่ตอบยังเป็น รอส่ง: เรียกรอบนี้ซ้ำภายในวันนี้ ระบบจะยืนยันด้วย retry key เดิม "
                         "(ไม่ส่งซ้ำ)")
        if self.without_officer:
            lines.append(f"ไม่มีเจ้าหน้าที่รับผิดชอบ {self.without_officer:,} รายการ "
                         f"(ตรวจคอลัมน์เจ้าหน้าที่ผู้รับผิดชอบในแท็บกองทุน และเจ้าหน้าที่ของอำเภอ)")
        if self.unreadable_rows:
            lines.append(f"ข้อมูลที่อ่านไม่ได้ {self.unreadable_rows:,} แถว (ดูแท็บ ตรวจสอบข้อมูล)")
        if not self.dry_run:
            lines.append(f"บันทึกการแจ้งเตือน {self.log_rows:,} แถว")
        if self.moved is not None and self.moved.as_text():
            lines.append(self.moved.as_text())
        if self.move_error:
            lines.append(f"ย้ายแถวเก่าของบันทึกการแจ้งเตือนไม่สำเร็จ (ไม่มีแถวใดถูกลบ จะลองใหม่รอบถัดไป): "
                         f"{self.move_error}")
        if self.dry_run:
            for r in self.recipients:
                if r.text:
                    lines += ["", f"── {r.officer_id} {r.name} ──", r.text]
        return "\n".join(lines)


# ---------------------------------------------------------------- the run

def run_reminders(store: Any, messenger: Messenger, config: Any, run_date: dt.date, now: dt.datetime, *,
                  claims: Claims, dry_run: bool = False, progress: ProgressFn | None = None,
                  force_digest: bool = False, attachments: Attachments | None = None,
                  archive: ArchiveSink | None = None) -> RunSummary:
    """Run the alert job for run_date. Dry run: compute and return, send and write nothing (no turn taken).

    `claims`: where the day's turn is claimed (sheets.open.open_claims). `attachments`: what else
    rides in the day's pushes (report.notify.MonthlySummaries). `force_digest`: send the digest
    today even when it is not one of alerts.digest_weekdays. `archive`: where the log's older rows
    go once it is big (sheets.open.open_archive; None: they stay), while the run holds the day's turn.
    """
    summary = RunSummary(run_date, dry_run, getattr(messenger, "description", type(messenger).__name__))
    turn = None
    if not dry_run:
        turn = take_turn(claims, run_date, now)
        if turn.busy:
            summary.busy = turn.busy
            return summary
    try:
        run = _Run(store, messenger, config, run_date, now, claims, summary, progress, attachments, archive)
        run.run(force_digest)
        if run.log_table is not None and archive is not None:
            run.move_old_rows(archive, run.log_table)
    finally:
        if turn is not None:
            turn.release()
            summary.turn_error = turn.release_error
    return summary


class _Run:
    """One run's steps, sharing the store, the messenger, the log and the summary."""

    def __init__(self, store: Any, messenger: Messenger, config: Any, run_date: dt.date, now: dt.datetime,
                 claims: Claims, summary: RunSummary, progress: ProgressFn | None,
                 attachments: Attachments | None, archive: ArchiveSink | None = None) -> None:
        self.store, self.messenger, self.config, self.run_date = store, messenger, config, run_date
        self.claims, self.summary, self.attachments, self.archive = claims, summary, attachments, archive
        self.say = progress or (lambda _m: None)
        self.sent_at = local_naive(now, config.timezone)
        self.now = now
        self.per_bubble = config.alerts.items_per_bubble
        self.breaker = CircuitBreaker()
        self.first_rows: list[dict[str, Any]] = []   # rows that need no push: in the first append
        # The log as read when its older rows are to move out after the run (made after this run's
        # frame is gone, so that its dataset is freed first: run_reminders).
        self.log_table: Table | None = None

    def run(self, force_digest: bool) -> None:
        summary, say, config = self.summary, self.say, self.config
        started, cpu_started = time.perf_counter(), time.process_time()
        say(f"อ่านข้อมูลจาก {getattr(self.store, 'description', self.store)} ...")
        extra_tabs = tuple(t for t in (self.attachments.tabs if self.attachments else ()) if t not in ALERT_TABS)
        tables = self.store.read(ALERT_TABS + extra_tabs)
        ds = load_dataset(tables, Layout(config), self.run_date, config.rules.max_term_years, skip=ALERT_SKIP)
        timings = summary.timings
        timings["read"] = time.perf_counter() - started
        summary.errors = missing_columns(ds, [TABS[t].title for t in ALERT_TABS])
        if summary.errors:
            say("ชีตขาดคอลัมน์ที่จำเป็น: " + "; ".join(e.message for e in summary.errors))
            if not summary.dry_run:
                self.alert_admins(ds)
            summary.seconds = time.perf_counter() - started
            return

        ctx = PlanContext(ds, config)
        log = AlertLog.from_entries(ds.alert_log, ctx.digest_weekdays)
        # Whether the log's older rows move out after the run (reminders.archive): decided from this
        # read, whose log table is then kept for the move instead of reading the log again.
        if self.archive is not None and not summary.dry_run and \
                log_archive.due(ds.alert_log, tables["alert_log"].height, config, self.run_date, log):
            self.log_table = tables["alert_log"]
        attaching = time.perf_counter()
        extras = {a.officer_id: a for a in self.attached(tables, ds)}
        timings["summary"] = time.perf_counter() - attaching      # the monthly summaries, when any is due
        del tables  # the raw cells are no longer needed: lowers the peak memory at 80,000 loans
        self.resolve(ctx, log, extras)
        plan = plan_run(ctx, self.run_date, log, force_digest)
        timings["plan"] = time.perf_counter() - started - timings["read"] - timings["summary"]
        cpu_planned = time.process_time()
        summary.digest_day, summary.window, summary.last_run = plan.digest_day, plan.window, plan.last_run
        summary.already_sent, summary.already_logged_no_line = plan.already_sent, plan.already_logged_no_line
        summary.in_open_push, summary.without_officer = plan.in_open_push, plan.without_officer
        summary.unreadable_rows, summary.unreadable_by_officer = plan.unreadable_rows, plan.unreadable_by_officer
        if not plan.digest_day:
            summary.next_digest_day = next_digest_day(self.run_date, config.alerts.digest_weekdays)
        say(f"พบ {plan.items:,} รายการใหม่ สำหรับเจ้าหน้าที่ {len(plan.recipients):,} คน")

        recipients = list(plan.recipients)
        planned = {rp.officer_id for rp in recipients}
        for officer_id, attachment in extras.items():
            if officer_id not in planned and not log.in_open_push(officer_id, attachment.item.ident) \
                    and not log.sent_item(officer_id, attachment.item.ident):
                officer = ds.officers.get(officer_id)
                recipients.append(RecipientPlan(officer_id, officer.name if officer else officer_id,
                                                ds.line_user(officer_id), [], 0,
                                                log.pushed_on(officer_id, self.run_date)))
        recipients.sort(key=lambda rp: rp.officer_id)
        pushes: list[tuple[RecipientResult, Push]] = []
        for rp in recipients:
            extra = extras.get(rp.officer_id)
            if extra is not None and (log.in_open_push(rp.officer_id, extra.item.ident)
                                      or log.sent_item(rp.officer_id, extra.item.ident)):
                extra = None  # carried by a push being resolved, or delivered by it
            result, push = self.prepare(rp, extra, log)
            summary.recipients.append(result)
            if push is not None:
                pushes.append((result, push))
        if summary.dry_run:
            timings["send"] = 0.0
            summary.seconds = time.perf_counter() - started
            return

        cpu_sent = time.process_time()
        by_key = {push.retry_key: result for result, push in pushes}

        def before_push(push: Push) -> None:
            if not (self.messenger.stopped or self.breaker.open):
                say(f"ส่งถึง {push.officer_id} ({len(push.items):,} รายการ) ...")

        if pushes or self.first_rows:
            say(f"บันทึกล่วงหน้า {len(self.first_rows) + sum(len(p.items) for _, p in pushes):,} แถว "
                f"ลงแท็บ บันทึกการแจ้งเตือน แล้วส่ง ...")
        try:
            recorded = push_recorded(self.store, self.messenger, [p for _, p in pushes], started_at=self.sent_at,
                                     breaker=self.breaker, first_rows=self.first_rows, before_push=before_push)
        finally:
            timings["send"] = time.perf_counter() - started - timings["read"] - timings["summary"] - timings["plan"]
        for outcome in recorded.outcomes:
            result, delivery = by_key[outcome.push.retry_key], outcome.delivery
            result.status = "sent" if delivery.delivered else "unknown" if delivery.unknown else delivery.status
            result.detail = delivery.reason if not delivery.unknown else f"{delivery.reason} · {_UNKNOWN}"
            if delivery.stopped and not summary.stopped:
                summary.stopped = delivery.reason
        summary.log_rows = recorded.rows_ahead + recorded.rows_after
        summary.seconds = time.perf_counter() - started
        summary.cpu_timings = {"read_plan": cpu_planned - cpu_started, "send": time.process_time() - cpu_sent}

    def move_old_rows(self, sink: ArchiveSink, table: Table) -> None:
        """Once a week at a big province: after the day's pushes and their log, under the day's turn
        (no other run writes the log meanwhile). A failure moves nothing and is said; it never
        touches what the run sent."""
        self.say(f"ย้ายแถวเก่าของแท็บ{TABS['alert_log'].title}ไปที่ {sink.description} ...")
        try:
            self.summary.moved = log_archive.move_old_rows(self.store, sink, self.config, self.run_date, self.sent_at,
                                                           table=table)
        except StoreError as exc:
            self.summary.move_error = str(exc)

    def attached(self, tables: Any, ds: Any) -> list[Attachment]:
        """What rides in today's pushes; if making it fails, the digests still go (and the run says why)."""
        if self.attachments is None:
            return []
        try:
            return self.attachments.for_run(tables, ds, self.run_date, self.config)
        except Exception as exc:  # noqa: BLE001 - the monthly summary's trouble must not stop the alerts
            self.summary.attachment_error = f"{type(exc).__name__}: {exc}"[:500]
            self.say(f"ทำสรุปรายเดือนไม่สำเร็จ ส่งเฉพาะแจ้งเตือน: {self.summary.attachment_error}")
            return []

    # -- 3: a required column missing ---------------------------------------------------
    def alert_admins(self, ds: Any) -> None:
        pushes, taken, already = admin_pushes(ds, self.claims, self.run_date, self.summary.errors, self.now)
        alerts = self.summary.admin_alerts
        alerts += [{"officer_id": o, "status": "already-alerted", "detail": "แจ้งแล้ววันนี้"} for o in already]
        if not pushes:
            return
        try:
            recorded = push_recorded(self.store, self.messenger, pushes, started_at=self.sent_at,
                                     breaker=self.breaker)
        except WriteAheadError as exc:
            for key in taken:  # nothing was pushed: the next run may try again today
                self.claims.release(key)
            alerts += [{"officer_id": p.officer_id, "status": "failed", "detail": str(exc)[:300]} for p in pushes]
            return
        except StoreError as exc:  # pushed, the outcome not logged: the claims keep it to once today
            alerts += [{"officer_id": p.officer_id, "status": "unknown", "detail": str(exc)[:300]} for p in pushes]
            return
        for outcome in recorded.outcomes:
            d = outcome.delivery
            alerts.append({"officer_id": outcome.push.officer_id,
                           "status": "sent" if d.delivered else "unknown" if d.unknown else d.status,
                           "detail": d.reason})
        self.summary.log_rows = recorded.rows_ahead + recorded.rows_after

    # -- 4: what the log holds as รอส่ง -------------------------------------------------
    def resolve(self, ctx: PlanContext, log: AlertLog, extras: dict[str, Attachment]) -> None:
        """Settle every open push: by its retry key when LINE still knows it, else as failed."""
        now_local = self.sent_at
        for open_push in log.open_pushes():
            user = ctx.ds.line_user(open_push.officer_id)
            recorded_at = open_push.started_at
            fresh = (recorded_at is not None and now_local - recorded_at < RESOLVE_WINDOW) or \
                (recorded_at is None and open_push.run_date == self.run_date)
            if not fresh or user is None:
                detail = EXPIRED_DETAIL if user is not None else NO_LINE_DETAIL
                self.settle(log, open_push, list(open_push.items.values()), not_sent(detail, open_push.retry_key),
                            open_push.run_date)
                self.summary.resolved.append(ResolvedPush(open_push.officer_id, open_push.retry_key,
                                                          open_push.run_date, len(open_push.items), "expired", detail))
                continue
            push, left_out = self.rebuild(ctx, open_push, user, extras)
            if self.summary.dry_run:
                self.summary.resolved.append(ResolvedPush(open_push.officer_id, open_push.retry_key,
                                                          open_push.run_date, len(open_push.items), "dry-run"))
                continue
            if push is None:
                self.settle(log, open_push, left_out, not_sent(NOT_CARRIED_DETAIL, open_push.retry_key),
                            open_push.run_date)
                self.summary.resolved.append(ResolvedPush(open_push.officer_id, open_push.retry_key,
                                                          open_push.run_date, len(left_out), "failed",
                                                          NOT_CARRIED_DETAIL))
                continue
            self.say(f"ยืนยันข้อความที่ค้าง รอส่ง ถึง {open_push.officer_id} ด้วย retry key เดิม ...")
            delivery = deliver(self.messenger, user, push.messages, push.retry_key, self.breaker)
            status = ("already-delivered" if delivery.status == ALREADY_DELIVERED else "sent" if delivery.delivered
                      else "unknown" if delivery.unknown else "failed")
            self.summary.resolved.append(ResolvedPush(open_push.officer_id, open_push.retry_key,
                                                      open_push.run_date, len(open_push.items), status,
                                                      delivery.reason))
            if delivery.unknown:
                continue  # still open: the next run tries again (its officer counts as pushed today)
            if delivery.status == ALREADY_DELIVERED:
                # The first push carried every recorded item, on the day it was recorded.
                self.settle(log, open_push, list(open_push.items.values()), delivery, open_push.run_date)
            elif delivery.status == SENT:
                self.settle(log, open_push, push.items, delivery, self.run_date)
                self.settle(log, open_push, left_out, not_sent(NOT_CARRIED_DETAIL, push.retry_key), self.run_date)
            else:
                self.settle(log, open_push, list(open_push.items.values()), delivery, open_push.run_date)

    def rebuild(self, ctx: PlanContext, open_push: OpenPush, user: str,
                extras: dict[str, Attachment]) -> tuple[Push | None, list[LoggedItem]]:
        """The recorded push again, carrying exactly its items (those the sheet still has)."""
        carried: list[LoggedItem] = []
        left_out: list[LoggedItem] = []
        digest_items = []
        extra_messages: list[dict] = []
        for item in open_push.items.values():
            if item.kind in ITEM_KINDS and item.contract_no and item.seq is not None:
                shown = ctx.recorded_item(item.contract_no, item.seq, item.amount or Decimal(0))
                if shown is not None:
                    digest_items.append(shown)
                    carried.append(item)
                    continue
            elif item.kind == "monthly_summary":
                extra = extras.get(open_push.officer_id)
                if extra is not None and extra.item.ident == item.ident:
                    extra_messages.extend(extra.messages)
                    carried.append(item)
                    continue
            left_out.append(item)  # an admin alert is never sent twice a day (its claim); gone from the sheet
        if not carried:
            return None, left_out
        messages = list(extra_messages)
        if digest_items:
            messages += render_digest(Digest(open_push.run_date, digest_items), self.per_bubble).messages
        return Push(open_push.officer_id, user, open_push.retry_key, messages, carried, open_push.run_date), left_out

    def settle(self, log: AlertLog, open_push: OpenPush, items: Sequence[LoggedItem], delivery: Delivery,
               run_date: dt.date) -> None:
        """Log the outcome of items of an open push (first append) and fold it into the log read."""
        if not items:
            return
        self.first_rows.extend(outcome_rows(run_date, open_push.officer_id, items, delivery, self.sent_at))
        for item in items:
            log.add(run_date, open_push.officer_id, item.contract_no, item.seq, item.kind, item.days,
                    delivery.log_status, delivery.retry_key, self.sent_at if delivery.delivered else None,
                    item.amount, item.detail)

    # -- 5: the officer's push of the day ------------------------------------------------
    def prepare(self, rp: RecipientPlan, extra: Attachment | None,
                log: AlertLog) -> tuple[RecipientResult, Push | None]:
        """One officer's result, and the push to make (None: no LINE account, deferred, dry run)."""
        result = RecipientResult(rp.officer_id, rp.name, "", rp.items, rp.unreadable,
                                 monthly_summary=extra is not None)
        items = _logged_items(rp.items, self.run_date) + ([extra.item] if extra is not None else [])
        if rp.line_user is None:
            result.status, result.detail = NO_LINE_ACCOUNT, NO_LINE_DETAIL
            if not self.summary.dry_run:
                self.first_rows.extend(outcome_rows(self.run_date, rp.officer_id, items,
                                                    Delivery(NO_LINE_ACCOUNT, NO_LINE_DETAIL), None))
            return result, None
        digest = Digest(self.run_date, [p.digest_item for p in rp.items], rp.unreadable)
        messages = list(extra.messages) if extra is not None else []
        if rp.items:
            rendered = render_digest(digest, self.per_bubble)
            result.lines, result.shown = len(rendered.shown) + len(rendered.hidden), len(rendered.shown)
            messages += rendered.messages
        result.retry_key = log.next_key(rp.officer_id, self.run_date, rp.line_user)
        if self.summary.dry_run:
            result.status = "dry-run"
            result.text = digest_text(digest, self.per_bubble) if rp.items else ""
            if extra is not None:
                result.text = (result.text + "\n\n" if result.text else "") + "(พร้อมสรุปรายเดือน)"
            return result, None
        if rp.pushed_today:
            result.status, result.detail, result.retry_key = "failed", DEFERRED_DETAIL, ""
            self.first_rows.extend(outcome_rows(self.run_date, rp.officer_id, items, not_sent(DEFERRED_DETAIL),
                                                None))
            return result, None
        return result, Push(rp.officer_id, rp.line_user, result.retry_key, messages, items, self.run_date)


_UNKNOWN = ("ยังเป็น รอส่ง: รอบถัดไปจะยืนยันด้วย retry key เดิม "
            "(still pending: the next run resolves it by the same retry key)")


@lru_cache(maxsize=4096)
def _date_th(day: dt.date) -> str:
    return date_th(day)


def _logged_items(planned: Iterable[PlannedItem], run_date: dt.date) -> list[LoggedItem]:
    """One บันทึกการแจ้งเตือน item per installment of the officer's digest."""
    items = []
    for p in planned:
        t = p.trigger
        detail = f"ครบกำหนด {_date_th(t.due_date)}"
        if t.trigger_date != run_date:
            detail += f" · ถึงรอบแจ้งเมื่อ {_date_th(t.trigger_date)}"
        if p.retry:
            detail += " · ส่งซ้ำหลังส่งไม่สำเร็จ"
        items.append(LoggedItem(t.kind, t.contract_no, t.seq, t.days, t.amount, detail))
    return items


__all__ = ["ALERT_TABS", "DEFERRED_DETAIL", "EXIT_BLOCKED", "EXIT_BUSY", "EXIT_OK", "EXIT_PUSH_FAILED",
           "PENDING", "RESOLVE_WINDOW", "RecipientResult", "ResolvedPush", "RunSummary", "run_reminders"]
