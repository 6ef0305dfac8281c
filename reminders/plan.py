"""What one alert run sends to whom: pure computation over a dataset and the alert log.

Shared by the daily job (`reminders.job`) and the month simulation
(`reminders.simulate`): neither sends nor writes here.

Rules (spec ledger-and-alerts.md, "When an installment is alerted" and "One run"),
and the readings decided here:

- Trigger days are `ledger.alerts.triggers_on`'s (before_due_days, the due date,
  overdue_days, then every overdue_repeat_days). A run considers the trigger days
  in `ledger.alerts.alert_window(run_date, last_run, catch_up_days)`, one item per
  installment (the latest trigger day in the window), for money still owed as of
  the run date: exactly `ledger.alerts.due_alerts`, given for the whole province at
  once by the ledger engine (`ledger.engine`, built from the dataset by `sheets.book`).
- The LAST RUN is read from the alert log: the latest run date (on or before this
  run date) with at least one item row logged ส่งแล้ว on a digest day. A run that
  sent nothing (LINE down, nobody linked) does not count, so the next run still
  looks back over the gap (bounded by catch_up_days); the dedup below keeps the
  wider look-back from sending anything twice. Monthly-summary rows never count.
- DEDUP: an item is (officer, contract, seq, kind, days). It is already sent when
  the log has that item with status ส่งแล้ว and a run date on or after the
  trigger day (a rescheduled installment, with a later due date, is alerted
  again). It is not sent again, ever.
- FAILED items: the latest ล้มเหลว row of an (officer, contract, seq) with no
  ส่งแล้ว row for that installment and officer after it is PENDING; it goes out on
  the next run (any day, even outside the window, even on a non-digest day, since
  a failed push used no quota) while the installment is still owed and the officer
  still responsible for it. When a newer trigger of the same installment is in
  the same run, that one goes out instead (one item per installment per run).
- WRITE-AHEAD (messaging.delivery): an item written รอส่ง with its push's retry key
  and no outcome after it is in an OPEN push. It is not planned again while the push
  is open (the job resolves the push by its retry key first, carrying exactly its
  items), and an open push of the run date counts as that officer's push of the day.
- ONE PUSH PER OFFICER PER DAY: anything logged ส่งแล้ว to the officer on the run
  date (a digest, the monthly summary, an admin alert) or an open push of that date.
- NO LINE ACCOUNT: an officer with items but no linked LINE account gets the
  items logged once as ไม่มีบัญชี LINE (the same item is not logged again) and is
  listed in the run's `unlinked_officers` whenever they have something new.
- DIGEST DAYS (`alerts.digest_weekdays`, ISO weekdays 1 = Monday … 7 = Sunday;
  empty = every day): on other days a run only re-sends pending failed items; the
  trigger days in between are caught up on the next digest day by the catch-up
  rule (so `catch_up_days` must cover the longest gap between digest days). This
  is what keeps a province inside LINE's free 300 pushes a month: see docs/alerts.md.
- UNREADABLE rows (`Dataset.unreadable`) are counted per officer: a row with a
  fund counts for that fund's officers (the fund's officer, or every active
  officer of its district); a row whose fund is unknown counts for provincial
  staff and administrators (and, with `alerts.province_daily`, provincial staff
  count every row). The count rides in the officer's next digest; a digest is
  never pushed for the count alone (pushes cost quota; the data-check tab and the
  monthly summary carry data problems).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, NamedTuple, cast

from core.schema import ALERT_KINDS, DISTRICT_ROLE
from ledger import AlertPolicy, Trigger, alert_window, ledger_options
from ledger.alerts import Kind
from messaging.base import retry_key_for
from messaging.delivery import LoggedItem
from reminders.digest import DigestItem, village_label
from sheets.book import book_of

ITEM_KINDS = ("before_due", "due_today", "overdue")
Key = tuple[str, str, Any, str, Any]          # officer, contract, seq, kind, days


def trigger_day_of(due_date: dt.date, kind: str, days: int | None) -> dt.date:
    """The day a logged (kind, days) fired for an installment due on due_date."""
    days = days or 0
    if kind == "before_due":
        return due_date - dt.timedelta(days=days)
    if kind == "overdue":
        return due_date + dt.timedelta(days=days)
    return due_date


def is_digest_day(day: dt.date, weekdays: Iterable[int]) -> bool:
    weekdays = frozenset(weekdays)
    return not weekdays or day.isoweekday() in weekdays


def next_digest_day(day: dt.date, weekdays: Iterable[int]) -> dt.date:
    """The first digest day after `day`."""
    weekdays = frozenset(weekdays)
    following = day + dt.timedelta(days=1)
    while not is_digest_day(following, weekdays):
        following += dt.timedelta(days=1)
    return following


# ---------------------------------------------------------------- the alert log

@dataclass
class OpenPush:
    """A recorded push without an outcome yet: written ahead (รอส่ง), then its answer was lost or
    the append of its outcome failed. Only its retry key can tell whether LINE took it."""

    officer_id: str
    retry_key: str
    run_date: dt.date
    started_at: dt.datetime | None          # when it was handed to LINE (local time, as logged)
    items: dict[tuple[Any, ...], LoggedItem] = field(default_factory=dict)


class AlertLog:
    """The alert log as a run needs it. Rows are added in the order they were written.

    Append-only: the latest row of an item under a retry key is its status. A รอส่ง row opens
    the item in its push (`open_pushes`); an outcome row under any key closes it, and so does a
    later รอส่ง row of the same item under another key (a newer push carries it).
    """

    def __init__(self, digest_weekdays: Iterable[int] = ()) -> None:
        self.digest_weekdays = frozenset(digest_weekdays)
        self._sent: dict[Key, dt.date] = {}        # item -> latest run date logged sent
        self._no_line: dict[Key, dt.date] = {}     # item -> latest run date logged no-line
        self._run_dates: set[dt.date] = set()      # digest-day run dates with a sent item
        self._pushed: set[tuple[str, dt.date]] = set()   # (officer, run date) with anything sent
        self._pending: dict[tuple[str, str, Any], tuple[str, Any]] = {}  # failed, not sent since
        self._sent_other: set[tuple[str, tuple[Any, ...]]] = set()  # (officer, ident): summaries, admin alerts
        self._open: dict[str, OpenPush] = {}       # retry key -> push still without an outcome
        self._open_item: dict[tuple[str, tuple[Any, ...]], str] = {}   # (officer, ident) -> its open key
        self._day_keys: dict[tuple[str, dt.date], set[str]] = defaultdict(set)  # pushes recorded per day
        self.rows = 0

    @classmethod
    def from_entries(cls, entries: Iterable[Any], digest_weekdays: Iterable[int] = ()) -> "AlertLog":
        """From sheets.model.AlertLogEntry rows (sheet order)."""
        log = cls(digest_weekdays)
        for e in sorted(entries, key=lambda e: e.row):
            log.add(e.run_date, e.officer_id, e.contract_no, e.seq, e.kind, e.days, e.status,
                    e.retry_key, e.sent_at, e.amount, e.detail)
        return log

    def add(self, run_date: dt.date, officer_id: str, contract_no: str, seq: Any, kind: str,
            days: Any, status: str, retry_key: str = "", sent_at: dt.datetime | None = None,
            amount: Decimal | None = None, detail: str = "") -> None:
        self.rows += 1
        if kind not in ALERT_KINDS:
            return  # a hand-typed note plays no part
        ident = self.ident_of(kind, contract_no, seq, days, detail)
        if retry_key:
            self._day_keys[(officer_id, run_date)].add(retry_key)
        if self._open_item:
            self._close(officer_id, ident)
        if status == "pending":
            push = self._open.get(retry_key)
            if push is None:
                push = self._open[retry_key] = OpenPush(officer_id, retry_key, run_date, sent_at)
            push.items[ident] = LoggedItem(kind, contract_no, seq, days, amount, detail)
            self._open_item[(officer_id, ident)] = retry_key
            return
        if status == "sent":
            self._pushed.add((officer_id, run_date))
        if kind not in ITEM_KINDS or not contract_no:
            if status == "sent":
                self._sent_other.add((officer_id, ident))
            return  # monthly summaries and admin alerts play no part in the digest's rules
        key: Key = (officer_id, contract_no, seq, kind, days)
        installment = (officer_id, contract_no, seq)
        if status == "sent":
            if self._sent.get(key, dt.date.min) < run_date:
                self._sent[key] = run_date
            if not self.digest_weekdays or run_date.isoweekday() in self.digest_weekdays:
                self._run_dates.add(run_date)
            self._pending.pop(installment, None)
        elif status == "failed":
            self._pending[installment] = (kind, days)
        elif status == "no-line-account":
            if self._no_line.get(key, dt.date.min) < run_date:
                self._no_line[key] = run_date

    @staticmethod
    def ident_of(kind: str, contract_no: str, seq: Any, days: Any, detail: str) -> tuple[Any, ...]:
        """LoggedItem.ident of a row, without making a LoggedItem for it (a log holds hundreds of thousands)."""
        return (kind, contract_no, seq, days) if contract_no else (kind, (detail or "").split(" ", 1)[0])

    def still_open(self, officer_id: str, ident: tuple[Any, ...], retry_key: str) -> bool:
        """The item is in the push of this retry key, which has no outcome yet."""
        return self._open_item.get((officer_id, ident)) == retry_key

    def _close(self, officer_id: str, ident: tuple[Any, ...]) -> None:
        """A newer row of the item: the open push that held it no longer speaks for it."""
        key = self._open_item.pop((officer_id, ident), None)
        if key is not None:
            push = self._open[key]
            push.items.pop(ident, None)
            if not push.items:
                del self._open[key]

    @property
    def has_sent(self) -> bool:
        return bool(self._sent)

    @property
    def has_no_line(self) -> bool:
        return bool(self._no_line)

    def last_run(self, run_date: dt.date) -> dt.date | None:
        """The latest digest-day run date on or before run_date that sent something."""
        earlier = [d for d in self._run_dates if d <= run_date]
        return max(earlier) if earlier else None

    def sent(self, key: Key, trigger_day: dt.date) -> bool:
        return self._sent.get(key, dt.date.min) >= trigger_day

    def sent_item(self, officer_id: str, ident: tuple[Any, ...]) -> bool:
        """A summary or an admin alert (by its LoggedItem.ident) logged sent to the officer."""
        return (officer_id, ident) in self._sent_other

    def logged_no_line(self, key: Key, trigger_day: dt.date) -> bool:
        return self._no_line.get(key, dt.date.min) >= trigger_day

    def pushed_on(self, officer_id: str, run_date: dt.date) -> bool:
        """The officer got this run date's push, or may have (a push of the day still without an
        outcome): one push per officer per day."""
        if (officer_id, run_date) in self._pushed:
            return True
        return any(p.officer_id == officer_id and p.run_date == run_date for p in self._open.values())

    def pending(self) -> dict[tuple[str, str, Any], tuple[str, Any]]:
        """(officer, contract, seq) -> (kind, days) of failed items not sent since."""
        return dict(self._pending)

    def open_pushes(self) -> list[OpenPush]:
        """Recorded pushes with items still without an outcome, oldest first."""
        return list(self._open.values())

    def in_open_push(self, officer_id: str, ident: tuple[Any, ...]) -> bool:
        """The item is carried by a push still without an outcome (it must not go out again now)."""
        return (officer_id, ident) in self._open_item

    def next_key(self, officer_id: str, run_date: dt.date, line_user: str) -> str:
        """The retry key of the officer's next recorded push of the day: `retry_key_for(run date,
        LINE user)` for the first, then a new one per push (a key names exactly one push's items)."""
        taken = self._day_keys.get((officer_id, run_date), set())
        key = retry_key_for(run_date, line_user)
        n = 1
        while key in taken:
            n += 1
            key = retry_key_for(run_date, line_user, f"digest-{n}")
        return key


# ---------------------------------------------------------------- plan types

class PlannedItem(NamedTuple):
    """One item for one officer (a named tuple: a run may hold hundreds of thousands)."""

    officer_id: str
    trigger: Trigger          # kind/days/trigger_date as logged; amount as of the run date
    digest_item: DigestItem
    retry: bool = False       # re-sent after a failed push

    @property
    def key(self) -> Key:
        t = self.trigger
        return (self.officer_id, t.contract_no, t.seq, t.kind, t.days)


@dataclass
class RecipientPlan:
    officer_id: str
    name: str
    line_user: str | None
    items: list[PlannedItem]
    unreadable: int = 0
    pushed_today: bool = False   # a push already went to this officer on this run date


@dataclass
class RunPlan:
    run_date: dt.date
    digest_day: bool
    window: tuple[dt.date, dt.date] | None
    last_run: dt.date | None
    recipients: list[RecipientPlan] = field(default_factory=list)
    already_sent: int = 0            # items skipped: already logged sent
    already_logged_no_line: int = 0  # items skipped: already logged for an unlinked officer
    without_officer: int = 0         # triggers of funds nobody is responsible for
    in_open_push: int = 0            # items skipped: carried by a push still without an outcome
    unreadable_rows: int = 0
    unreadable_by_officer: dict[str, int] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return sum(len(r.items) for r in self.recipients)


# ---------------------------------------------------------------- context

class PlanContext:
    """A dataset prepared for planning runs on any date (built once, reused by the simulation).

    Every readable loan is in one ledger engine book (`sheets.book.book_of`): `book.at(day)`
    is the ledger of the whole province as of any day, `ledger.core`'s rules exactly.
    """

    def __init__(self, ds: Any, config: Any) -> None:
        self.ds = ds
        self.policy = AlertPolicy.from_config(config)
        self.digest_weekdays = frozenset(config.alerts.digest_weekdays)
        self.province_daily = bool(config.alerts.province_daily)
        self.ledger_options = ledger_options(config)
        self.book = book_of(ds, self.ledger_options)
        self.loans = self.book.loans
        self._fund_recipients: dict[str, tuple[str, ...]] = {}
        self.staff = tuple(o.officer_id for o in ds.active_officers() if o.role != DISTRICT_ROLE)
        self.linked = {o for o in ds.officers if ds.line_user(o)}
        self.unreadable_by_officer = self._count_unreadable()

    # -- who -------------------------------------------------------------
    def recipients_of_fund(self, fund_id: str) -> tuple[str, ...]:
        found = self._fund_recipients.get(fund_id)
        if found is None:
            officers = [o.officer_id for o in self.ds.officers_for_fund(fund_id)]
            if self.province_daily:
                officers += [s for s in self.staff if s not in officers]
            found = self._fund_recipients[fund_id] = tuple(officers)
        return found

    def _count_unreadable(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for row in self.ds.unreadable:
            if row.fund_id and row.fund_id in self.ds.funds:
                for officer_id in self.recipients_of_fund(row.fund_id):
                    counts[officer_id] += 1
            else:  # nobody in a district can be told: provincial staff and administrators
                for officer_id in self.staff:
                    counts[officer_id] += 1
        return dict(counts)

    # -- what ------------------------------------------------------------
    def digest_item(self, loan_index: int, seq: int, due_date: dt.date, amount: Decimal) -> DigestItem:
        loan = self.loans[loan_index]
        fund = self.ds.funds.get(loan.fund_id)
        village = village_label(fund.village_name, fund.village_no) if fund else ""
        return DigestItem(loan.contract_no, seq, self.book.engine.installment_count(loan_index), loan.borrower_name,
                          village, amount, due_date)

    def recorded_item(self, contract_no: str, seq: int, amount: Decimal) -> DigestItem | None:
        """A logged installment as the digest shows it, paid since or not (None: no such contract
        or installment in the sheet any more): what a push resolved by its retry key carries."""
        index = self.book.index(contract_no)
        if index is None:
            return None
        engine = self.book.engine
        lo, hi = int(engine.inst_start[index]), int(engine.inst_end[index])
        for position, number in enumerate(engine.inst_seq[lo:hi].tolist(), start=lo):
            if number == seq:
                due = dt.date.fromordinal(int(engine.inst_due[position]))
                return self.digest_item(index, seq, due, amount)
        return None

    def triggers(self, run_date: dt.date, first: dt.date, last: dt.date) -> list[tuple[int, Trigger]]:
        """(loan index, Trigger) for the window: what ledger.alerts.due_alerts gives (ledger.engine)."""
        return self.book.at(run_date).triggers(first, last, self.policy)


# ---------------------------------------------------------------- one run

def plan_run(ctx: PlanContext, run_date: dt.date, log: AlertLog, force_digest: bool = False) -> RunPlan:
    """Every item to send (or log) on run_date, grouped per officer, nothing already sent.

    `force_digest`: treat run_date as a digest day (an operator sending the digest now).
    """
    ds = ctx.ds
    digest_day = force_digest or is_digest_day(run_date, ctx.digest_weekdays)
    last_run = log.last_run(run_date)
    window = alert_window(run_date, last_run, ctx.policy.catch_up_days) if digest_day else None
    plan = RunPlan(run_date, digest_day, window, last_run, unreadable_rows=len(ds.unreadable),
                   unreadable_by_officer=dict(ctx.unreadable_by_officer))
    # officer -> (contract, seq) -> (urgency order, item): one item per installment per run
    per_officer: dict[str, dict[tuple[str, Any], tuple[tuple, PlannedItem]]] = defaultdict(dict)
    rank = {"overdue": 0, "due_today": 1, "before_due": 2}

    def order(item: DigestItem) -> tuple:
        """Longest overdue first, then due today, then soonest due (as ledger.urgency_sort)."""
        return (rank[item.kind(run_date)], item.due_date, item.contract_no, item.seq)

    any_sent, any_no_line, any_open = log.has_sent, log.has_no_line, bool(log.open_pushes())
    if window is not None:
        for loan_index, trig in ctx.triggers(run_date, window[0], window[1]):
            officers = ctx.recipients_of_fund(ctx.loans[loan_index].fund_id)
            if not officers:
                plan.without_officer += 1
                continue
            item = ctx.digest_item(loan_index, trig.seq, trig.due_date, trig.amount)
            rest = (trig.contract_no, trig.seq, trig.kind, trig.days)
            place = (trig.contract_no, trig.seq)
            sort_key = order(item)
            ident = (trig.kind, trig.contract_no, trig.seq, trig.days)
            for officer_id in officers:
                key = (officer_id, *rest)
                if any_sent and log.sent(key, trig.trigger_date):
                    plan.already_sent += 1
                    continue
                if any_open and log.in_open_push(officer_id, ident):
                    plan.in_open_push += 1
                    continue  # carried by a push still without an outcome: resolved by its retry key
                if any_no_line and officer_id not in ctx.linked and log.logged_no_line(key, trig.trigger_date):
                    plan.already_logged_no_line += 1
                    continue
                per_officer[officer_id][place] = (sort_key, PlannedItem(officer_id, trig, item))

    # Failed items not sent since: again, while still owed (a newer trigger of the same
    # installment in this run goes out instead).
    pending = log.pending()
    if pending:
        for (officer_id, contract_no, seq), (kind, days) in sorted(pending.items(), key=str):
            index = ctx.book.index(contract_no)
            if index is None or (contract_no, seq) in per_officer.get(officer_id, {}):
                continue
            if any_open and log.in_open_push(officer_id, (kind, contract_no, seq, days)):
                continue
            if officer_id not in ctx.recipients_of_fund(ctx.loans[index].fund_id):
                continue  # no longer this officer's loan
            day = ctx.book.at(run_date)
            k = day.unpaid_installment(index, seq)
            if k is None:
                continue  # paid since, or the contract is closed
            inst = day.installment(k)
            # The log holds only ITEM_KINDS (AlertLog.add drops the rest).
            trig = Trigger(contract_no, inst.seq, inst.due_date, cast(Kind, kind),
                           trigger_day_of(inst.due_date, kind, days), int(days or 0), day.still_owed_on(k))
            item = ctx.digest_item(index, inst.seq, inst.due_date, trig.amount)
            per_officer[officer_id][(contract_no, seq)] = (
                order(item), PlannedItem(officer_id, trig, item, retry=True))

    for officer_id in sorted(per_officer):
        officer = ds.officers.get(officer_id)
        items = [p for _, p in sorted(per_officer[officer_id].values(), key=lambda pair: pair[0])]
        plan.recipients.append(RecipientPlan(
            officer_id, officer.name if officer else officer_id, ds.line_user(officer_id), items,
            ctx.unreadable_by_officer.get(officer_id, 0), log.pushed_on(officer_id, run_date)))
    return plan

