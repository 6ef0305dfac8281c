"""Worked examples of the alert policy (spec: ledger-and-alerts.md, "When an installment is alerted")."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import DEFAULTS, load_config
from ledger import (AlertPolicy, Contract, Installment, Payment, Trigger, alert_window, due_alerts,
                    ledger, trigger_id, triggers_on, urgency_sort)
from core.schema import STATUS_BREACHED, STATUS_CLOSED

D = Decimal
POLICY = AlertPolicy()          # [7, 1] / 0 / [1, 7, 15, 30] / repeat 30 / catch-up 14
DUE = date(2026, 3, 31)


def fires(day: date, due: date = DUE) -> str | None:
    return triggers_on(day, due, POLICY.before_due_days, POLICY.overdue_days,
                       POLICY.overdue_repeat_days)


@pytest.mark.parametrize("day, kind", [
    (date(2026, 3, 23), None),           # 8 days before
    (date(2026, 3, 24), "before_due"),   # 7
    (date(2026, 3, 25), None),           # 6
    (date(2026, 3, 30), "before_due"),   # 1
    (date(2026, 3, 31), "due_today"),
    (date(2026, 4, 1), "overdue"),       # 1 day late
    (date(2026, 4, 2), None),            # 2
    (date(2026, 4, 7), "overdue"),       # 7
    (date(2026, 4, 15), "overdue"),      # 15
    (date(2026, 4, 30), "overdue"),      # 30
    (date(2026, 5, 1), None),            # 31
    (date(2026, 5, 15), None),           # 45: not a repeat day
    (date(2026, 5, 30), "overdue"),      # 60 = 30 + 30
    (date(2026, 6, 29), "overdue"),      # 90 = 30 + 2 × 30
    (date(2026, 7, 29), "overdue"),      # 120
])
def test_each_trigger_day_with_the_defaults(day, kind):
    assert fires(day) == kind


def test_empty_overdue_days_repeats_from_the_due_date():
    assert triggers_on(date(2026, 4, 30), DUE, (7,), (), 30) == "overdue"
    assert triggers_on(date(2026, 4, 1), DUE, (7,), (), 30) is None


def one(amount: str = "10000", payments: tuple = (), marked: str | None = None,
        no: str = "K-1", due: date = DUE) -> Contract:
    return Contract(no, D(amount), due, (), payments, marked)


def alerts(contracts: list[Contract], run: date, last: date | None,
           policy: AlertPolicy = POLICY) -> list[Trigger]:
    return due_alerts([ledger(c, run) for c in contracts], run, last, policy)


def test_daily_run_on_a_trigger_day():
    [t] = alerts([one()], date(2026, 3, 24), date(2026, 3, 23))
    assert (t.contract_no, t.seq, t.kind, t.trigger_date, t.days, t.amount) == (
        "K-1", 1, "before_due", date(2026, 3, 24), 7, D(10000))
    assert alerts([one()], date(2026, 3, 25), date(2026, 3, 24)) == []


def test_catch_up_after_a_missed_day():
    # Last run 31 Mar; 1 Apr (overdue day 1) had no run; the 2 Apr run picks it up.
    [t] = alerts([one()], date(2026, 4, 2), date(2026, 3, 31))
    assert (t.kind, t.trigger_date, t.days) == ("overdue", date(2026, 4, 1), 1)
    assert alerts([one()], date(2026, 4, 2), date(2026, 4, 1)) == []   # no gap: nothing new


def test_keep_only_the_latest_trigger_in_the_window():
    # Window 30 Mar (1 day before) and 31 Mar (due today): one item, due today.
    [t] = alerts([one()], date(2026, 3, 31), date(2026, 3, 29))
    assert (t.kind, t.trigger_date, t.days) == ("due_today", date(2026, 3, 31), 0)
    # Window 30 Mar .. 1 Apr: overdue day 1 wins.
    [t] = alerts([one()], date(2026, 4, 1), date(2026, 3, 29))
    assert (t.kind, t.trigger_date, t.days) == ("overdue", date(2026, 4, 1), 1)


def test_catch_up_is_limited_to_catch_up_days():
    assert alert_window(date(2026, 4, 20), None, 14) == (date(2026, 4, 6), date(2026, 4, 20))
    assert alert_window(date(2026, 4, 20), date(2026, 1, 1), 14) == (date(2026, 4, 6), date(2026, 4, 20))
    assert alert_window(date(2026, 4, 20), date(2026, 4, 18), 14) == (date(2026, 4, 19), date(2026, 4, 20))
    assert alert_window(date(2026, 4, 20), date(2026, 4, 20), 14) == (date(2026, 4, 20), date(2026, 4, 20))
    # 6 Apr .. 20 Apr holds overdue days 7 (7 Apr) and 15 (15 Apr): the latest is kept.
    [t] = alerts([one()], date(2026, 4, 20), None)
    assert (t.trigger_date, t.days) == (date(2026, 4, 15), 15)
    short = AlertPolicy(catch_up_days=3)        # 17 .. 20 Apr: no trigger day
    assert alerts([one()], date(2026, 4, 20), None, short) == []


def test_nothing_for_a_paid_installment():
    paid = one(payments=(Payment(date(2026, 3, 20), D(10000)),))
    assert alerts([paid], date(2026, 3, 24), date(2026, 3, 23)) == []


def test_partly_paid_installment_alerts_what_is_left_as_of_the_run_date():
    part = one(payments=(Payment(date(2026, 3, 20), D(4000)),
                         Payment(date(2026, 3, 25), D(1000))))   # after the run: ignored
    [t] = alerts([part], date(2026, 3, 24), date(2026, 3, 23))
    assert t.amount == D(6000)


def test_only_installments_still_owed_in_a_multi_installment_contract():
    c = Contract("K-2", D(6000), date(2026, 4, 30), (
        Installment(1, date(2026, 3, 31), D(3000)), Installment(2, date(2026, 4, 30), D(3000))),
        (Payment(date(2026, 3, 30), D(3000)),), None)
    [t] = alerts([c], date(2026, 4, 23), date(2026, 4, 22))
    assert (t.seq, t.kind, t.days, t.amount) == (2, "before_due", 7, D(3000))
    assert alerts([c], date(2026, 4, 1), date(2026, 3, 31)) == []   # seq 1 was paid on time


def test_closed_never_breached_still_alerted():
    closed = one(payments=(Payment(date(2026, 1, 1), D(10000)),), marked=STATUS_CLOSED, no="C")
    breached = one(marked=STATUS_BREACHED, no="B")
    got = alerts([closed, breached], date(2026, 4, 7), date(2026, 4, 6))
    assert [(t.contract_no, t.kind, t.days) for t in got] == [("B", "overdue", 7)]


def test_states_must_be_as_of_the_run_date():
    with pytest.raises(ValueError):
        due_alerts([ledger(one(), date(2026, 4, 6))], date(2026, 4, 7), None, POLICY)


def test_trigger_id():
    t = Trigger("ตค-001/2568", 2, DUE, "overdue", date(2026, 4, 7), 7, D(1500))
    assert trigger_id(t) == "ตค-001/2568|2|overdue|2026-04-07"


def test_urgency_order():
    run = date(2026, 4, 30)
    expected = [
        Trigger("A", 1, date(2026, 3, 31), "overdue", run, 30, D(1)),       # 30 days late
        Trigger("B", 1, date(2026, 4, 15), "overdue", run, 15, D(1)),       # 15 days late
        Trigger("C", 1, date(2026, 4, 29), "overdue", run, 1, D(1)),        # 1 day late
        Trigger("D", 1, run, "due_today", run, 0, D(1)),
        Trigger("E", 1, date(2026, 5, 1), "before_due", run, 1, D(1)),
        Trigger("F", 1, date(2026, 5, 7), "before_due", run, 7, D(1)),
    ]
    shuffled = expected[:]
    random.Random(7).shuffle(shuffled)
    assert urgency_sort(shuffled) == expected


def test_policy_from_config():
    a = DEFAULTS["alerts"]
    assert AlertPolicy() == AlertPolicy(tuple(a["before_due_days"]), tuple(a["overdue_days"]),
                                        a["overdue_repeat_days"], a["catch_up_days"])
    cfg = load_config(env={})
    assert AlertPolicy.from_config(cfg) == AlertPolicy(
        tuple(cfg.alerts.before_due_days), tuple(cfg.alerts.overdue_days),
        cfg.alerts.overdue_repeat_days, cfg.alerts.catch_up_days)
    tuned = load_config(env={}, overrides={"alerts.before_due_days": [3],
                                           "alerts.overdue_repeat_days": 14})
    policy = AlertPolicy.from_config(tuned)
    assert policy.before_due_days == (3,) and policy.overdue_repeat_days == 14


# Property: at most one item per installment, each for money still owed, on a trigger day in the window.
@settings(max_examples=200, deadline=None)
@given(due_offset=st.integers(-200, 30), paid=st.integers(0, 10000),
       gap=st.one_of(st.none(), st.integers(1, 40)))
def test_one_item_per_owed_installment_within_the_window(due_offset, paid, gap):
    run = date(2026, 6, 1)
    c = one(due=run + timedelta(days=due_offset),
            payments=(Payment(date(2025, 1, 1), D(paid)),) if paid else ())
    last = None if gap is None else run - timedelta(days=gap)
    got = alerts([c], run, last)
    first, _ = alert_window(run, last, POLICY.catch_up_days)
    window = [first + timedelta(days=k) for k in range((run - first).days + 1)]
    firing = [day for day in window if fires(day, c.due_date)]
    if paid >= 10000 or not firing:
        assert got == []
    else:
        [t] = got
        assert t.amount == D(10000 - paid)
        assert t.trigger_date == max(firing) and t.kind == fires(t.trigger_date, t.due_date)
