"""When an installment is alerted (spec: ledger-and-alerts.md, "When an installment is alerted").

Pure: the caller passes ledger states computed as of the run date, the run date
and the date of the last successful run; deduplication against the alert log
is the caller's job (match on trigger_id()).

Readings of the spec decided here:

- Catch-up window: the trigger days considered are those after the last
  successful run up to and including the run date, but at most
  `catch_up_days` days before the run date: [run_date − catch_up_days,
  run_date] when there was no run or it was longer ago. The run date itself is
  always in the window, even when the last run was today or "later" (a re-run
  after a partial failure must still find today's items; the alert log
  deduplicates).
- Only installments with something still to pay AS OF the run date are
  alerted, whatever their state on the trigger day; the amount is what is
  still to pay on the run date.
- One item per installment per run: when several trigger days of an
  installment fall in the window, only the latest counts (it carries the most
  current kind and days).
- Closed contracts (ปิดสัญญา: nothing owed) are never alerted. Breached
  contracts (ผิดสัญญา) are alerted like any open contract, overdue installments
  included: the money is still unpaid and the officer still follows it up.
- Empty `overdue_days`: the repeat counts from the due date itself, so an
  unpaid installment is still alerted every `overdue_repeat_days` after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Literal

from ledger.core import LedgerState

if TYPE_CHECKING:
    import numpy as np

Kind = Literal["before_due", "due_today", "overdue"]
KIND_RANK: dict[str, int] = {"overdue": 0, "due_today": 1, "before_due": 2}


@dataclass(frozen=True)
class Trigger:
    """One installment to alert at a run."""

    contract_no: str
    seq: int
    due_date: date
    kind: Kind
    trigger_date: date   # the day the rule fired (may be before the run date: catch-up)
    days: int            # at trigger_date: days before due, 0 on the due date, or days overdue
    amount: Decimal      # still to pay on the installment as of the run date


@dataclass(frozen=True)
class AlertPolicy:
    before_due_days: tuple[int, ...] = (7, 1)
    overdue_days: tuple[int, ...] = (1, 7, 15, 30)
    overdue_repeat_days: int = 30
    catch_up_days: int = 14

    @classmethod
    def from_config(cls, cfg: object) -> "AlertPolicy":
        """Read cfg.alerts.* (cfg is core.config.Config)."""
        alerts = cfg.alerts  # type: ignore[attr-defined]
        return cls(before_due_days=tuple(alerts.before_due_days),
                   overdue_days=tuple(alerts.overdue_days),
                   overdue_repeat_days=alerts.overdue_repeat_days,
                   catch_up_days=alerts.catch_up_days)


def triggers_on(day: date, installment_due: date, before_due_days: Iterable[int],
                overdue_days: Iterable[int], overdue_repeat_days: int) -> Kind | None:
    """The kind of alert that fires for an installment due `installment_due` on `day`, if any."""
    n = (installment_due - day).days
    if n > 0:
        return "before_due" if n in set(before_due_days) else None
    if n == 0:
        return "due_today"
    late = -n
    listed = set(overdue_days)
    if late in listed:
        return "overdue"
    last_listed = max(listed, default=0)
    if overdue_repeat_days > 0 and late > last_listed and (late - last_listed) % overdue_repeat_days == 0:
        return "overdue"
    return None


def latest_trigger_days(due: "np.ndarray", first: date, last: date, policy: AlertPolicy) -> "np.ndarray":
    """Per installment (due dates as ordinals): the ordinal of its latest trigger day in
    [first, last], or -1. `triggers_on` for every installment and every day of the window at once."""
    import numpy as np  # here, not at the top: the webhook imports this module and never alerts

    latest = np.full(due.shape, -1, dtype=np.int64)
    before = np.asarray(sorted(set(policy.before_due_days)), dtype=np.int64)
    overdue = np.asarray(sorted(set(policy.overdue_days)), dtype=np.int64)
    last_listed = max(policy.overdue_days, default=0)
    repeat = policy.overdue_repeat_days
    for day in range(last.toordinal(), first.toordinal() - 1, -1):   # latest first
        ahead = due - day                     # days before the due date
        late = day - due                      # days after it
        fires = ahead == 0
        if before.size:
            fires |= (ahead > 0) & np.isin(ahead, before)
        if overdue.size:
            fires |= (late > 0) & np.isin(late, overdue)
        if repeat > 0:
            fires |= (late > 0) & (late > last_listed) & ((late - last_listed) % repeat == 0)
        latest[fires & (latest < 0)] = day
    return latest


def alert_window(run_date: date, last_run_date: date | None, catch_up_days: int) -> tuple[date, date]:
    """First and last trigger day (inclusive) a run on run_date considers."""
    earliest = run_date - timedelta(days=max(0, catch_up_days))
    first = earliest if last_run_date is None else max(earliest, last_run_date + timedelta(days=1))
    return min(first, run_date), run_date


def due_alerts(contract_states: Iterable[LedgerState], run_date: date,
               last_run_date: date | None, policy: AlertPolicy) -> list[Trigger]:
    """The installments to alert at run_date, one per installment, latest trigger day in the window."""
    first, last = alert_window(run_date, last_run_date, policy.catch_up_days)
    window_days = [last - timedelta(days=k) for k in range((last - first).days + 1)]  # latest first
    triggers: list[Trigger] = []
    for state in contract_states:
        if state.as_of != run_date:
            raise ValueError(f"ledger of {state.contract_no} is as of {state.as_of}, "
                             f"not the run date {run_date}")
        if state.status_key == "closed" or state.outstanding <= 0:
            continue
        for inst in state.installments:
            if inst.remaining <= 0:
                continue
            for day in window_days:
                kind = triggers_on(day, inst.due_date, policy.before_due_days,
                                   policy.overdue_days, policy.overdue_repeat_days)
                if kind is None:
                    continue
                triggers.append(Trigger(
                    contract_no=state.contract_no, seq=inst.seq, due_date=inst.due_date,
                    kind=kind, trigger_date=day, days=abs((inst.due_date - day).days),
                    # Never claim more than the contract owes (a schedule above the amount).
                    amount=min(inst.remaining, state.outstanding),
                ))
                break
    return triggers


def trigger_id(t: Trigger) -> str:
    """The key an alert-log row is matched on: one send per trigger."""
    return f"{t.contract_no}|{t.seq}|{t.kind}|{t.trigger_date.isoformat()}"


def urgency_sort(triggers: Iterable[Trigger]) -> list[Trigger]:
    """Longest overdue first, then due today, then soonest due."""
    # Within a kind an earlier due date is the more urgent: longer overdue, or due sooner.
    return sorted(triggers, key=lambda t: (KIND_RANK[t.kind], t.due_date, t.contract_no, t.seq))
