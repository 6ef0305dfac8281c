"""Worked examples of the ledger rules (spec: ledger-and-alerts.md); numbers computed by hand."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import (STATUS_BY_KEY, STATUS_KEYS, Contract, Installment, Payment, bucket_for,
                    bucket_labels, ledger, ledger_options, par, portfolio_summary)
from core.schema import STATUS_BREACHED, STATUS_CLOSED, STATUS_NORMAL

D = Decimal


def contract(amount: str, due: date, schedule: tuple = (), payments: tuple = (),
             marked: str | None = None, no: str = "K-1") -> Contract:
    return Contract(no, D(amount), due, tuple(schedule), tuple(payments), marked)


def pay(day: date, amount: str) -> Payment:
    return Payment(day, D(amount))


# One installment: 10,000 baht due 31 Mar 2026, nothing paid.
ONE = contract("10000", date(2026, 3, 31))


def test_one_installment_before_due():
    s = ledger(ONE, date(2026, 3, 1))  # 30 days before
    assert s.status == STATUS_NORMAL and s.status_key == "normal"
    assert (s.paid, s.outstanding, s.due_so_far, s.arrears) == (0, D(10000), 0, 0)
    assert s.days_overdue == 0 and s.bucket is None and not s.at_risk
    assert s.next_installment is not None
    assert (s.next_installment.seq, s.next_installment.remaining) == (1, D(10000))
    assert s.oldest_unpaid == s.next_installment
    assert len(s.installments) == 1 and s.installments[0].due_date == date(2026, 3, 31)


def test_one_installment_on_due_date_is_arrears_with_zero_days():
    s = ledger(ONE, date(2026, 3, 31))
    assert s.due_so_far == D(10000) and s.arrears == D(10000)
    assert s.status == "ค้างชำระ" and s.status_key == "arrears"
    assert s.days_overdue == 0 and s.bucket == "1-30"
    assert s.next_installment is not None and s.next_installment.remaining == D(10000)


def test_one_installment_overdue():
    s = ledger(ONE, date(2026, 4, 10))
    assert s.days_overdue == 10 and s.arrears == D(10000) and s.outstanding == D(10000)
    assert s.status_key == "arrears" and s.bucket == "1-30"
    assert s.next_installment is None
    assert s.oldest_unpaid is not None and s.oldest_unpaid.seq == 1


def test_watch_at_exactly_watch_days_and_not_one_day_more():
    at_15 = ledger(ONE, date(2026, 3, 16))   # 31 Mar − 16 Mar = 15 days
    at_16 = ledger(ONE, date(2026, 3, 15))   # 16 days
    assert at_15.status == "ใกล้ครบกำหนด" and at_15.status_key == "watch"
    assert at_16.status_key == "normal"
    assert ledger(ONE, date(2026, 3, 15), watch_days=16).status_key == "watch"


@pytest.mark.parametrize("as_of, days, bucket, at_risk", [
    (date(2026, 4, 30), 30, "1-30", False),
    (date(2026, 5, 1), 31, "31-90", True),
    (date(2026, 6, 29), 90, "31-90", True),
    (date(2026, 6, 30), 91, "90+", True),
])
def test_bucket_boundaries(as_of, days, bucket, at_risk):
    s = ledger(ONE, as_of)
    assert s.days_overdue == days and s.bucket == bucket and s.at_risk is at_risk


def test_bucket_labels_follow_the_bounds():
    assert bucket_labels((30, 90)) == ("1-30", "31-90", "90+")
    assert bucket_labels((30, 60, 90)) == ("1-30", "31-60", "61-90", "90+")
    assert bucket_for(61, (30, 60, 90)) == "61-90"
    assert bucket_for(0, (30, 90)) == "1-30"
    with pytest.raises(ValueError):
        bucket_labels((90, 30))


# Three installments of 3,000 (31 Jan, 28 Feb, 31 Mar 2026); paid 2,000 + 2,500 = 4,500,
# which covers installment 1 (3,000) and 1,500 of installment 2.
THREE = contract("9000", date(2026, 3, 31), schedule=(
    Installment(3, date(2026, 3, 31), D(3000)),   # order in the sheet does not matter
    Installment(1, date(2026, 1, 31), D(3000)),
    Installment(2, date(2026, 2, 28), D(3000)),
), payments=(pay(date(2026, 1, 30), "2000"), pay(date(2026, 2, 20), "2500"),
             pay(date(2026, 3, 11), "1500")))   # the last one is after 10 Mar


def test_partial_payment_spans_two_installments():
    s = ledger(THREE, date(2026, 3, 10))
    assert s.paid == D(4500)                      # the 11 Mar payment is ignored
    assert [(i.seq, i.paid, i.remaining) for i in s.installments] == [
        (1, D(3000), D(0)), (2, D(1500), D(1500)), (3, D(0), D(3000))]
    assert s.outstanding == D(4500)
    assert s.due_so_far == D(6000)                # installments 1 and 2
    assert s.arrears == D(1500)
    assert s.days_overdue == 10                   # 10 Mar − 28 Feb
    assert s.oldest_unpaid is not None and s.oldest_unpaid.seq == 2
    assert s.next_installment is not None
    assert (s.next_installment.seq, s.next_installment.remaining) == (3, D(3000))
    assert s.status_key == "arrears" and s.bucket == "1-30"


def test_payment_counts_from_its_date():
    s = ledger(THREE, date(2026, 3, 11))          # now the 1,500 counts: paid 6,000
    assert s.paid == D(6000) and s.arrears == 0 and s.days_overdue == 0
    assert s.installments[1].remaining == 0
    assert s.next_installment is not None and s.next_installment.seq == 3
    assert s.status_key == "normal"               # 31 Mar is 20 days away
    assert ledger(THREE, date(2026, 3, 16)).status_key == "watch"   # 15 days away


def test_overpayment_closes_and_reports_overpaid():
    c = contract("5000", date(2026, 6, 30), payments=(pay(date(2026, 1, 5), "3000"),
                                                      pay(date(2026, 2, 5), "2500")))
    s = ledger(c, date(2026, 3, 1))
    assert s.paid == D(5500) and s.overpaid == D(500) and s.outstanding == 0
    assert s.status == STATUS_CLOSED and s.status_key == "closed"
    assert s.installments[0].paid == D(5000) and s.installments[0].remaining == 0
    assert s.next_installment is None and s.oldest_unpaid is None and s.bucket is None


def test_breached_contract():
    c = contract("20000", date(2025, 12, 31), payments=(pay(date(2025, 11, 1), "5000"),),
                 marked=STATUS_BREACHED)
    s = ledger(c, date(2026, 3, 1))
    assert s.status == STATUS_BREACHED and s.status_key == "breached"
    assert s.outstanding == D(15000) and s.arrears == D(15000)
    assert s.days_overdue == 60                   # 31 Dec → 1 Mar: 31 + 28 + 1
    assert s.bucket == "31-90" and s.at_risk


def test_breached_without_arrears_is_still_at_risk():
    c = contract("5000", date(2026, 6, 30), marked=" ผิดสัญญา ")
    s = ledger(c, date(2026, 3, 1))
    assert s.status_key == "breached" and s.arrears == 0 and s.bucket is None and s.at_risk


def test_closed_when_paid_in_full_whatever_the_column_says():
    for marked in (None, STATUS_NORMAL, STATUS_BREACHED, STATUS_CLOSED):
        c = contract("8000", date(2026, 1, 1), payments=(pay(date(2025, 12, 20), "8000"),),
                     marked=marked)
        s = ledger(c, date(2026, 3, 1))
        assert s.status == STATUS_CLOSED and s.outstanding == 0 and s.overpaid == 0


def test_marked_closed_with_money_owed_is_not_closed():
    c = contract("8000", date(2026, 1, 31), payments=(pay(date(2026, 1, 10), "6000"),),
                 marked=STATUS_CLOSED)
    s = ledger(c, date(2026, 3, 1))
    assert s.outstanding == D(2000) and s.arrears == D(2000)
    assert s.status_key == "arrears" and s.days_overdue == 29   # 31 Jan → 1 Mar


def test_schedule_shorter_than_amount_outstanding_from_the_amount():
    # Schedule says 8,000 but the loan is 10,000 (a data error reported elsewhere).
    c = contract("10000", date(2026, 2, 28), schedule=(
        Installment(1, date(2026, 1, 31), D(4000)), Installment(2, date(2026, 2, 28), D(4000))),
        payments=(pay(date(2026, 2, 1), "8000"),))
    s = ledger(c, date(2026, 3, 1))
    assert s.outstanding == D(2000) and s.arrears == 0 and s.days_overdue == 0
    assert s.status_key == "normal" and s.next_installment is None


def test_schedule_longer_than_amount_caps_due_at_the_amount():
    c = contract("10000", date(2026, 2, 28), schedule=(
        Installment(1, date(2026, 1, 31), D(6000)), Installment(2, date(2026, 2, 28), D(6000))))
    s = ledger(c, date(2026, 3, 1))
    assert s.due_so_far == D(10000) and s.arrears == D(10000) == s.outstanding
    assert s.days_overdue == 29
    paid_up = ledger(contract("10000", date(2026, 2, 28), schedule=c.schedule,
                              payments=(pay(date(2026, 2, 1), "10000"),)), date(2026, 3, 1))
    assert paid_up.status_key == "closed" and paid_up.days_overdue == 0
    assert paid_up.installments[1].remaining == D(2000)   # as typed; the data check reports it


# PAR30, as of 1 Mar 2026:
#   A 10,000 due 15 Jan: 45 days overdue -> at risk
#   B 20,000 due 19 Feb: 10 days         -> not
#   C  5,000 due 30 Jun, marked ผิดสัญญา   -> at risk
#   D 15,000 due 30 Jan: exactly 30 days -> not (more than 30 is needed)
#   E  8,000 paid in full                 -> closed, outstanding 0
#   F 50,000 due 31 Dec                   -> normal
# All outstanding 100,000; at risk 10,000 + 5,000 = 15,000 -> 0.15.
AS_OF = date(2026, 3, 1)
PORTFOLIO = [
    contract("10000", date(2026, 1, 15), no="A"),
    contract("20000", date(2026, 2, 19), no="B"),
    contract("5000", date(2026, 6, 30), marked=STATUS_BREACHED, no="C"),
    contract("15000", date(2026, 1, 30), no="D"),
    contract("8000", date(2026, 1, 1), payments=(pay(date(2025, 12, 20), "8000"),), no="E"),
    contract("50000", date(2026, 12, 31), no="F"),
]


def test_par30_mix():
    states = [ledger(c, AS_OF) for c in PORTFOLIO]
    assert [s.days_overdue for s in states] == [45, 10, 0, 30, 0, 0]
    assert par(states) == D("0.15")
    assert par(states, par_days=29) == D("0.3")    # D (30 days) joins: 30,000 / 100,000
    assert par([]) == 0
    assert par([states[4]]) == 0                    # only a closed contract: no outstanding


def test_portfolio_summary():
    summary = portfolio_summary([ledger(c, AS_OF) for c in PORTFOLIO])
    assert summary.contracts == 6 and summary.loans_open == 5
    assert summary.outstanding == D(100000)
    assert summary.arrears == D(45000)              # A + B + D
    assert summary.overdue_loans == 3
    assert summary.at_risk_outstanding == D(15000) and summary.par30 == D("0.15")
    counts = {k: t.count for k, t in summary.by_status.items()}
    assert counts == {"closed": 1, "breached": 1, "arrears": 3, "watch": 0, "normal": 1}
    assert summary.by_status["breached"].outstanding == D(5000)
    assert list(summary.by_bucket) == ["1-30", "31-90", "90+"]
    assert (summary.by_bucket["1-30"].count, summary.by_bucket["1-30"].outstanding) == (2, D(35000))
    assert (summary.by_bucket["31-90"].count, summary.by_bucket["31-90"].arrears) == (1, D(10000))
    assert summary.by_bucket["90+"].count == 0


# Property: the invariants hold for any schedule and payments.
days_2026 = st.integers(min_value=0, max_value=730).map(lambda k: date(2025, 1, 1) + timedelta(days=k))
money = st.integers(min_value=0, max_value=5_000_000).map(lambda cents: D(cents) / 100)


@st.composite
def contracts(draw):
    schedule = tuple(Installment(i + 1, draw(days_2026), draw(money))
                     for i in range(draw(st.integers(0, 6))))
    payments = tuple(Payment(draw(days_2026), draw(money)) for _ in range(draw(st.integers(0, 6))))
    marked = draw(st.sampled_from([None, STATUS_NORMAL, STATUS_BREACHED, STATUS_CLOSED]))
    return Contract("P", draw(money), draw(days_2026), schedule, payments, marked)


@settings(max_examples=400, deadline=None)
@given(contracts(), days_2026)
def test_ledger_invariants(c, as_of):
    s = ledger(c, as_of)
    paid = sum((p.amount for p in c.payments if p.paid_date <= as_of), D(0))
    scheduled = sum((i.amount for i in c.schedule), D(0)) if c.schedule else c.amount
    assert s.paid == paid
    assert s.outstanding == c.amount - min(paid, c.amount) >= 0
    assert 0 <= s.arrears <= s.outstanding
    assert sum((i.paid for i in s.installments), D(0)) == min(paid, scheduled)
    assert all(i.paid + i.remaining == i.amount for i in s.installments)
    assert s.status_key in STATUS_KEYS and s.status == STATUS_BY_KEY[s.status_key]
    assert (s.status_key == "closed") == (s.outstanding == 0)
    assert s.days_overdue >= 0 and (s.days_overdue == 0 or s.arrears > 0)
    assert (s.bucket is not None) == (s.arrears > 0)


def test_ledger_options_from_config():
    from core.config import load_config

    cfg = load_config(env={}, overrides={"ledger.watch_days": 10, "ledger.bucket_bounds": [30, 60, 90]})
    opts = ledger_options(cfg)
    assert opts == {"watch_days": 10, "bucket_bounds": (30, 60, 90), "par_days": 30}
    assert ledger(ONE, date(2026, 5, 30), **opts).bucket == "31-60"   # 60 days after 31 Mar
    assert ledger(ONE, date(2026, 5, 31), **opts).bucket == "61-90"   # 61 days
