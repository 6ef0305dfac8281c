"""A month of alert runs, simulated on a copy of the data: pushes against the LINE quota, and coverage.

    result = simulate_month(store_or_dataset, config, 2026, 11)
    result = simulate_month(ds, config, 2026, 11, naive=True)   # the naive bot, for comparison

Nothing is sent and nothing is written. The data is the sheet as read, seen day by
day: on day d the ledger only counts payments dated on or before d (a payment typed
with a later date is not yet known). The alert log is kept in memory: it starts from
the real log's rows dated before the month when there are any, otherwise empty with
a WARM-UP of `catch_up_days` days simulated before the month (so that installments
due on the 1st had their chance to be alerted in the month before, as in real
life). The monthly summary sent on the 1st (report.notify) is counted too, as the
alert run sends it: inside the officer's push of that day when there is one (no
extra push), else as that day's one push. `max_pushes_per_officer_day` is the
largest number of pushes any officer gets in one day: 1 (the README's promise). A TAIL of `tail_days` days after the month is simulated as well so that an
installment due on the 30th can be followed up. Pushes and items are counted for
the month's own days only; coverage looks at every simulated day.

Coverage, for the installments due in the month (of readable loans):

- `installments_due`: those still owed at the start of their due date (not paid
  in full on an earlier day: those needed a reminder);
- `alerted_by_due_date`: of those, alerted to a LINE-linked officer on or before
  the due date;
- `overdue_unpaid`: those still owed `late_days` (7) days after the due date
  (left unpaid after their due date);
- `alerted_after_due`: of those, alerted to a LINE-linked officer after the due date.

Installments whose officers have no linked LINE account (or that nobody is
responsible for) cannot be alerted by any policy: they are counted in
`unreachable` and left out of the four figures above.

The NAIVE policy is what a simple bot does: every day, every overdue loan
(days overdue > 0) to its officers; one push per officer per day with any.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from core.thai import THAI_WEEKDAYS, date_th, month_th

from reminders.plan import AlertLog, PlanContext, plan_run
from sheets.recipients import monthly_recipients

LATE_DAYS = 7


@dataclass
class SimulationResult:
    year: int
    month: int
    policy: str                                  # "default" (config) or "naive"
    quota: int
    pushes: int = 0                              # digests + monthly summaries pushed on their own
    items: int = 0
    monthly_summaries: int = 0                   # the month's summaries sent on the 1st (report.notify)
    monthly_summary_pushes: int = 0              # of those, pushed alone (the officer had no digest that day)
    per_day: dict[str, int] = field(default_factory=dict)       # ISO date -> pushes
    per_officer: dict[str, int] = field(default_factory=dict)   # officer id -> pushes
    per_officer_day: dict[tuple[str, str], int] = field(default_factory=dict)  # (ISO date, officer) -> pushes
    installments_due: int = 0
    alerted_by_due_date: int = 0
    overdue_unpaid: int = 0
    alerted_after_due: int = 0
    unreachable: int = 0
    linked_officers: int = 0
    digest_weekdays: list[int] = field(default_factory=list)
    start: str = "empty"                         # "empty" (with warm-up) or "log"
    warmup_days: int = 0
    tail_days: int = 0
    missed_before: list[str] = field(default_factory=list)     # "contract#seq" (at most 20)
    missed_after: list[str] = field(default_factory=list)

    @property
    def within_quota(self) -> bool:
        return self.pushes <= self.quota

    @property
    def max_pushes_per_officer_day(self) -> int:
        """The most pushes any officer gets on one day of the month."""
        return max(self.per_officer_day.values(), default=0)

    @property
    def full_coverage(self) -> bool:
        return (self.alerted_by_due_date == self.installments_due
                and self.alerted_after_due == self.overdue_unpaid)

    def as_json(self) -> dict[str, Any]:
        return {
            "month": f"{self.year:04d}-{self.month:02d}", "policy": self.policy,
            "pushes": self.pushes, "quota": self.quota, "within_quota": self.within_quota,
            "digest_pushes": self.pushes - self.monthly_summary_pushes,
            "monthly_summaries": self.monthly_summaries,
            "monthly_summary_pushes": self.monthly_summary_pushes, "items": self.items,
            "max_pushes_per_officer_day": self.max_pushes_per_officer_day,
            "installments_due": self.installments_due, "alerted_by_due_date": self.alerted_by_due_date,
            "overdue_unpaid": self.overdue_unpaid, "alerted_after_due": self.alerted_after_due,
            "full_coverage": self.full_coverage, "unreachable": self.unreachable,
            "linked_officers": self.linked_officers, "digest_weekdays": self.digest_weekdays,
            "start": self.start, "warmup_days": self.warmup_days, "tail_days": self.tail_days,
            "per_day": dict(self.per_day), "per_officer": dict(sorted(self.per_officer.items())),
            "missed_before": self.missed_before, "missed_after": self.missed_after,
        }

    def as_text(self) -> str:
        name = "แบบที่ตั้งค่าไว้" if self.policy == "default" else "แบบง่าย (ส่งทุกรายที่ค้างทุกวัน)"
        lines = [f"จำลองการแจ้งเตือนเดือน{month_th(self.year, self.month)} — นโยบาย{name}"]
        if self.policy == "default":
            days = "ทุกวัน" if not self.digest_weekdays else "วัน" + " ".join(
                THAI_WEEKDAYS[d - 1].removeprefix("วัน") for d in self.digest_weekdays)
            lines.append(f"ส่งสรุป: {days}")
        verdict = "อยู่ในโควตา" if self.within_quota else "เกินโควตา"
        lines.append(f"ข้อความ push ทั้งเดือน {self.pushes:,} จากโควตา {self.quota:,} ({verdict}) "
                     f"รวม {self.items:,} รายการ · เจ้าหน้าที่ที่ผูก LINE {self.linked_officers:,} คน")
        if self.monthly_summaries:
            lines.append(f"  (สรุปรายเดือนวันที่ 1 จำนวน {self.monthly_summaries:,} ฉบับ ไปกับข้อความแจ้งเตือนของวันนั้น; "
                         f"ส่งแยกเฉพาะคนที่ไม่มีรายการ {self.monthly_summary_pushes:,} ข้อความ)")
        lines.append(f"งวดที่ครบกำหนดในเดือนและยังค้างก่อนวันครบกำหนด {self.installments_due:,} งวด: "
                     f"แจ้งก่อนหรือในวันครบกำหนด {self.alerted_by_due_date:,} งวด "
                     f"({_share(self.alerted_by_due_date, self.installments_due)})")
        lines.append(f"ค้างเกิน {LATE_DAYS} วันหลังครบกำหนด {self.overdue_unpaid:,} งวด: "
                     f"แจ้งหลังครบกำหนด {self.alerted_after_due:,} งวด "
                     f"({_share(self.alerted_after_due, self.overdue_unpaid)})")
        if self.unreachable:
            lines.append(f"แจ้งไม่ได้เพราะเจ้าหน้าที่ยังไม่ผูก LINE หรือไม่มีผู้รับผิดชอบ {self.unreachable:,} งวด")
        busiest = sorted(self.per_day.items(), key=lambda kv: -kv[1])[:3]
        if busiest:
            lines.append("วันที่ส่งมากที่สุด: " + ", ".join(
                f"{date_th(dt.date.fromisoformat(d))} {n:,} ข้อความ" for d, n in busiest))
        if self.per_officer:
            top = max(self.per_officer.values())
            lines.append(f"ต่อเจ้าหน้าที่: สูงสุด {top:,} ข้อความในเดือน "
                         f"และไม่เกิน {self.max_pushes_per_officer_day:,} ข้อความต่อวัน")
        if self.missed_before or self.missed_after:
            lines.append("ตัวอย่างงวดที่ไม่ได้แจ้ง: " + ", ".join((self.missed_before + self.missed_after)[:5]))
        return "\n".join(lines)




def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


# ---------------------------------------------------------------- the simulation

def simulate_month(store_or_dataset: Any, config: Any, year: int, month: int, *, naive: bool = False,
                   tail_days: int = LATE_DAYS, use_log: bool = True, monthly_summary: bool = True,
                   progress: Callable[[str], None] | None = None) -> SimulationResult:
    """Run the policy (or the naive one) for every day of the month on a copy; send nothing.

    `monthly_summary`: also count the month's summary pushed on the 1st to each officer
    `report.notify.monthly_recipients` names (it uses the same quota).
    """
    say = progress or (lambda _m: None)
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    ds = _dataset(store_or_dataset, config, last, say)
    ctx = PlanContext(ds, config)
    prior = [e for e in ds.alert_log if e.run_date < first] if use_log else []
    if prior:
        start, start_kind = first, "log"
    else:
        start, start_kind = first - dt.timedelta(days=max(0, ctx.policy.catch_up_days)), "empty"
    end = last + dt.timedelta(days=max(0, tail_days))
    linked = {o for o in ds.officers if ds.line_user(o) and ds.officers[o].active}
    result = SimulationResult(year, month, "naive" if naive else "default", int(config.line.monthly_quota),
                              linked_officers=len(linked),
                              digest_weekdays=[] if naive else sorted(ctx.digest_weekdays),
                              start=start_kind, warmup_days=(first - start).days, tail_days=(end - last).days)
    result.per_day = {(first + dt.timedelta(days=k)).isoformat(): 0 for k in range((last - first).days + 1)}
    alerted: dict[tuple[str, int], list[dt.date]] = defaultdict(list)   # installment -> days told

    say(f"จำลอง {(end - start).days + 1} วัน ({date_th(start)} – {date_th(end)}) ...")
    if naive:
        _run_naive(ctx, start, end, first, last, linked, result, alerted)
    else:
        _run_policy(ctx, AlertLog.from_entries(prior, ctx.digest_weekdays), start, end, first, last,
                    result, alerted)
    if monthly_summary:
        _count_monthly_summaries(ds, config, first, result)
    _coverage(ctx, first, last, linked, alerted, result)
    return result


def _count_monthly_summaries(ds: Any, config: Any, first: dt.date, result: SimulationResult) -> None:
    """The month's summary on the 1st: inside the officer's push of that day, or that day's one push."""
    for officer_id in monthly_recipients(ds, config):
        result.monthly_summaries += 1
        if (first.isoformat(), officer_id) not in result.per_officer_day:
            _count_push(result, first, officer_id, 0, first, first)
            result.monthly_summary_pushes += 1


def _dataset(source: Any, config: Any, today: dt.date, say: Callable[[str], None]) -> Any:
    if hasattr(source, "readable_loans"):
        return source
    from sheets.model import read_dataset
    from sheets.store import Layout

    say(f"อ่านข้อมูลจาก {getattr(source, 'description', source)} ...")
    from reminders.job import ALERT_TABS

    return read_dataset(source, Layout(config), today, config.rules.max_term_years, tabs=ALERT_TABS)


def _count_push(result: SimulationResult, day: dt.date, officer_id: str, items: int,
                first: dt.date, last: dt.date) -> None:
    if first <= day <= last:
        result.pushes += 1
        result.items += items
        result.per_day[day.isoformat()] += 1
        result.per_officer[officer_id] = result.per_officer.get(officer_id, 0) + 1
        slot = (day.isoformat(), officer_id)
        result.per_officer_day[slot] = result.per_officer_day.get(slot, 0) + 1


def _run_policy(ctx: PlanContext, log: AlertLog, start: dt.date, end: dt.date, first: dt.date,
                last: dt.date, result: SimulationResult, alerted: dict) -> None:
    day = start
    while day <= end:
        plan = plan_run(ctx, day, log)
        for rp in plan.recipients:
            status = "sent" if rp.line_user else "no-line-account"
            for p in rp.items:
                t = p.trigger
                log.add(day, rp.officer_id, t.contract_no, t.seq, t.kind, t.days, status)
                if status == "sent":
                    alerted[(t.contract_no, t.seq)].append(day)
            if status == "sent":
                _count_push(result, day, rp.officer_id, len(rp.items), first, last)
        day += dt.timedelta(days=1)


def _run_naive(ctx: PlanContext, start: dt.date, end: dt.date, first: dt.date, last: dt.date,
               linked: set[str], result: SimulationResult, alerted: dict) -> None:
    """Every day, every overdue loan (days overdue > 0) to its linked officers."""
    recipients = [tuple(o for o in ctx.recipients_of_fund(loan.fund_id) if o in linked) for loan in ctx.loans]
    seqs = ctx.book.engine.inst_seq.tolist()
    day = start
    while day <= end:
        balances = ctx.book.at(day)
        overdue = {i for i in balances.late_contracts() if recipients[i]}
        items: dict[str, int] = defaultdict(int)
        for i in sorted(overdue):
            for officer_id in recipients[i]:
                items[officer_id] += 1
        for k in balances.late_installments():   # what the message names
            i = balances.contract_of(k)
            if i in overdue:
                alerted[(ctx.loans[i].contract_no, seqs[k])].append(day)
        for officer_id, count in sorted(items.items()):
            _count_push(result, day, officer_id, count, first, last)
        day += dt.timedelta(days=1)


def _coverage(ctx: PlanContext, first: dt.date, last: dt.date, linked: set[str],
              alerted: dict[tuple[str, int], list[dt.date]], result: SimulationResult) -> None:
    """The four coverage figures, from the ledger on the eve and a week after each due date."""
    month = ctx.book.at(first)
    due = {k: month.installment(k) for k in month.due_on(first, last)}
    owed_on_eve = _still_owed(ctx, {k: inst.due_date - dt.timedelta(days=1) for k, inst in due.items()})
    owed_later = _still_owed(ctx, {k: inst.due_date + dt.timedelta(days=LATE_DAYS) for k, inst in due.items()})
    for k, inst in due.items():
        loan = ctx.loans[month.contract_of(k)]
        if not owed_on_eve[k]:
            continue  # paid in full before its due date: nothing to remind
        if not any(o in linked for o in ctx.recipients_of_fund(loan.fund_id)):
            result.unreachable += 1
            continue
        days = alerted.get((loan.contract_no, inst.seq), [])
        name = f"{loan.contract_no}#{inst.seq}"
        result.installments_due += 1
        if any(d <= inst.due_date for d in days):
            result.alerted_by_due_date += 1
        elif len(result.missed_before) < 20:
            result.missed_before.append(name)
        if not owed_later[k]:
            continue
        result.overdue_unpaid += 1
        if any(d > inst.due_date for d in days):
            result.alerted_after_due += 1
        elif len(result.missed_after) < 20:
            result.missed_after.append(name)


def _still_owed(ctx: PlanContext, days: dict[int, dt.date]) -> dict[int, bool]:
    """Installment -> something is still to pay on it as of its day (never once its contract is
    closed). Each day's ledger is computed once for all the installments looked at that day."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for k, day in days.items():
        by_day[day].append(k)
    owed: dict[int, bool] = {}
    for day in sorted(by_day):
        still = ctx.book.at(day).still_owed()
        for k in by_day[day]:
            owed[k] = bool(still[k] > 0)
    return owed
