"""The ledger engine (ledger/engine.py) against the per-contract reference, with hypothesis.

`ledger.core.ledger`, `portfolio_summary`, `month_figures`, `ledger.aging.aging_table` and
`ledger.alerts.due_alerts` read one contract at a time: the engine must give exactly what
they give, field by field, for any schedules (unsorted, repeated seq, zero and negative
amounts, too short or too long), payments (negative corrections, after the date), marks,
loan dates (unknown, after the date), bucket bounds, watch and PAR days, and alert policies.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.schema import STATUS_BREACHED, STATUS_CLOSED, STATUS_NORMAL
from ledger import AlertPolicy, Contract, Installment, Payment, due_alerts, ledger, portfolio_summary
from ledger.aging import aging_table
from ledger.alerts import alert_window, latest_trigger_days, triggers_on
from ledger.core import MonthFigures, month_figures
from ledger.engine import Book, Grouping, baht, satang

D = Decimal
START = date(2025, 1, 1)
days = st.integers(min_value=0, max_value=800).map(lambda k: START + timedelta(days=k))
money = st.integers(min_value=-50_000, max_value=3_000_000).map(lambda cents: D(cents).scaleb(-2))
positive = st.integers(min_value=1, max_value=3_000_000).map(lambda cents: D(cents).scaleb(-2))
marks = st.sampled_from([None, "", STATUS_NORMAL, STATUS_BREACHED, f" {STATUS_BREACHED} ", STATUS_CLOSED])


@st.composite
def contracts(draw, no: str = "P") -> Contract:
    seqs = st.integers(1, 4)
    schedule = tuple(Installment(draw(seqs), draw(days), draw(money)) for _ in range(draw(st.integers(0, 5))))
    payments = tuple(Payment(draw(days), draw(money)) for _ in range(draw(st.integers(0, 5))))
    amount = draw(st.one_of(positive, money))
    return Contract(no, amount, draw(days), schedule, payments, draw(marks))


@st.composite
def books(draw) -> tuple[list[Contract], list[date | None], dict[str, object]]:
    n = draw(st.integers(0, 7))
    found = [draw(contracts(no=f"K-{i}")) for i in range(n)]
    loan_dates = [draw(st.one_of(st.none(), days)) for _ in found]
    first = draw(st.integers(1, 60))
    bounds = tuple(sorted(set([first] + draw(st.lists(st.integers(first + 1, 200), max_size=2)))))
    options = {"watch_days": draw(st.integers(0, 30)), "bucket_bounds": bounds, "par_days": draw(st.integers(0, 90))}
    return found, loan_dates, options


def made_by(contracts_: list[Contract], loan_dates: list[date | None], as_of: date) -> list[Contract]:
    return [c for c, made in zip(contracts_, loan_dates) if made is None or made <= as_of]


def in_coverage_order(contract: Contract) -> Contract:
    """The contract with its schedule sorted as the Dataset keeps it (by due date, then seq)."""
    schedule = tuple(sorted(contract.schedule, key=lambda inst: (inst.due_date, inst.seq)))
    return Contract(contract.contract_no, contract.amount, contract.due_date, schedule, contract.payments,
                    contract.marked)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), days)
def test_sorted_schedules_with_contracts_lacking_one_equal_the_ledger(book_, as_of):
    # The Dataset's schedules come sorted, and a contract without one owes its amount on its due
    # date: that one installment is merged in by contract alone, not by a full sort (Book).
    found, loan_dates, options = book_
    found = [in_coverage_order(c) if i % 2 else Contract(c.contract_no, c.amount, c.due_date, (), c.payments,
                                                          c.marked) for i, c in enumerate(found)]
    book = Book.from_contracts(found, loan_dates, **options)
    balances = book.at(as_of)
    for i, contract in enumerate(found):
        assert balances.state(i) == ledger(contract, as_of, **options), contract
    order = list(zip(book.inst_loan.tolist(), book.inst_due.tolist(), book.inst_seq.tolist()))
    assert order == sorted(order)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), days)
def test_every_state_equals_the_ledger(book_, as_of):
    found, loan_dates, options = book_
    balances = Book.from_contracts(found, loan_dates, **options).at(as_of)
    for i, contract in enumerate(found):
        assert balances.state(i) == ledger(contract, as_of, **options), contract
    states = balances.states()
    assert list(states) == [c.contract_no for c in found] and len(states) == len(found)
    assert all(states[c.contract_no] == balances.state(i) for i, c in enumerate(found))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), days, st.lists(st.sampled_from("abc"), min_size=7, max_size=7))
def test_summaries_and_aging_tables_equal_the_reference(book_, as_of, groups):
    found, loan_dates, options = book_
    balances = Book.from_contracts(found, loan_dates, **options).at(as_of)
    bounds = options["bucket_bounds"]
    existing = made_by(found, loan_dates, as_of)
    states = [ledger(c, as_of, **options) for c in existing]
    assert balances.summary() == portfolio_summary(states, bounds, options["par_days"])
    assert balances.aging() == aging_table(states, bounds)
    keys = groups[:len(found)]
    groups = Grouping(keys, names=["a", "b", "c", "none"])
    by_group, summaries = balances.aging_by(groups), balances.summary_by(groups)
    assert list(by_group) == list(summaries) == ["a", "b", "c", "none"]
    assert list(balances.aging_by(Grouping(keys))) == list(dict.fromkeys(keys))
    for name in ("a", "b", "c", "none"):
        mine = [ledger(c, as_of, **options) for c, k in zip(found, keys) if k == name and c in existing]
        assert by_group[name] == aging_table(mine, bounds), name
        assert summaries[name] == portfolio_summary(mine, bounds, options["par_days"]), name
    # The headlines add up (ledger/aging.py): total and overdue rows.
    table = balances.aging()
    assert table.total.contracts == sum(1 for s in states if s.outstanding > 0)
    assert table.total.outstanding == sum((s.outstanding for s in states), D(0))
    assert table.total.arrears == table.overdue.arrears == sum((s.arrears for s in states), D(0))
    # The overdue list is the aging table's overdue rows, contract by contract.
    assert len(balances.overdue()) == table.overdue.contracts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), days, st.integers(0, 40), st.integers(0, 400), st.lists(st.sampled_from("ab"), min_size=7, max_size=7))
def test_month_figures_equal_the_reference(book_, as_of, into_month, into_year, groups):
    found, loan_dates, options = book_
    month_start = as_of - timedelta(days=into_month)
    fiscal_start = month_start - timedelta(days=into_year)
    balances = Book.from_contracts(found, loan_dates, **options).at(as_of)
    existing = made_by(found, loan_dates, as_of)
    want = {"a": MonthFigures(), "b": MonthFigures()}
    for contract, key in zip(found, groups):
        if contract in existing:
            want[key] = want[key].add(month_figures(contract, as_of, month_start, fiscal_start))
    assert balances.month(month_start, fiscal_start) == want["a"].add(want["b"])
    assert balances.month_by(month_start, fiscal_start, Grouping(groups[:len(found)], ["a", "b"])) == want


policies = st.builds(
    AlertPolicy,
    before_due_days=st.lists(st.integers(1, 10), max_size=3).map(tuple),
    overdue_days=st.lists(st.integers(1, 40), max_size=4).map(tuple),
    overdue_repeat_days=st.integers(0, 40),
    catch_up_days=st.integers(0, 20))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), days, policies, st.one_of(st.none(), st.integers(-3, 30)))
def test_triggers_equal_due_alerts(book_, run_date, policy, gap):
    found, loan_dates, options = book_
    last_run = None if gap is None else run_date - timedelta(days=gap)
    balances = Book.from_contracts(found, loan_dates, **options).at(run_date)
    first, last = alert_window(run_date, last_run, policy.catch_up_days)
    mine = balances.triggers(first, last, policy)
    theirs = due_alerts([ledger(c, run_date, **options) for c in found], run_date, last_run, policy)
    assert [t for _, t in mine] == theirs
    assert [found[i].contract_no for i, _ in mine] == [t.contract_no for t in theirs]


@settings(max_examples=200, deadline=None)
@given(st.lists(days, max_size=8), days, st.integers(0, 20), policies)
def test_latest_trigger_day_is_triggers_on_over_the_window(dues, last, width, policy):
    first = last - timedelta(days=width)
    latest = latest_trigger_days(np.asarray([d.toordinal() for d in dues], dtype=np.int64), first, last, policy)
    for due, got in zip(dues, latest.tolist()):
        fired = [last - timedelta(days=k) for k in range(width + 1)
                 if triggers_on(last - timedelta(days=k), due, policy.before_due_days, policy.overdue_days,
                                policy.overdue_repeat_days)]
        assert got == (fired[0].toordinal() if fired else -1)


@settings(max_examples=200, deadline=None)
@given(books(), days, st.integers(0, 20))
def test_lists_of_installments_and_contracts(book_, as_of, ahead):
    found, loan_dates, options = book_
    balances = Book.from_contracts(found, loan_dates, **options).at(as_of)
    states = [ledger(c, as_of, **options) for c in found]
    want = [(s.contract_no, inst.seq, inst.due_date, inst.remaining) for s in states if s.outstanding > 0
            for inst in s.installments if inst.remaining > 0 and 0 <= (inst.due_date - as_of).days <= ahead]
    due = balances.due_between(as_of, as_of + timedelta(days=ahead))
    got = [(found[balances.contract_of(k)].contract_no, balances.installment(k).seq,
            balances.installment(k).due_date, balances.installment(k).remaining) for k in due]
    assert got == want
    assert balances.remaining_total(due) == sum((w[3] for w in want), D(0))
    for i, state in enumerate(states):                      # a failed alert sent again (reminders.plan)
        for seq in range(0, 6):
            want_inst = next((s for s in state.installments if s.seq == seq and s.remaining > 0), None) \
                if state.outstanding > 0 else None
            k = balances.unpaid_installment(i, seq)
            assert (k is None) == (want_inst is None)
            if k is not None:
                assert balances.installment(k) == want_inst and balances.contract_of(k) == i
                assert balances.still_owed_on(k) == min(want_inst.remaining, state.outstanding)
    existing = made_by(found, loan_dates, as_of)
    assert [found[i].contract_no for i in balances.open_contracts()] == \
        [c.contract_no for c in existing if ledger(c, as_of, **options).outstanding > 0]


# -- worked examples ----------------------------------------------------------------------------
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(), days, st.integers(0, 60), st.lists(st.booleans(), min_size=7, max_size=7))
def test_payments_between_two_days_are_counted_and_summed_as_recorded(book_, first, width, chosen):
    found, loan_dates, options = book_
    book = Book.from_contracts(found, loan_dates, **options)
    last = first + timedelta(days=width)
    picked = chosen[:len(found)]
    inside = [p for c, keep in zip(found, picked) if keep for p in c.payments if first <= p.paid_date <= last]
    assert book.paid_between(first, last, picked) == (len(inside), int(sum((p.amount for p in inside), D(0)) * 100))
    everyone = [p for c in found for p in c.payments if first <= p.paid_date <= last]
    assert book.paid_between(first, last) == (len(everyone), int(sum((p.amount for p in everyone), D(0)) * 100))
    assert book.contracts_paid_between(first, last) == [
        i for i, c in enumerate(found) if any(first <= p.paid_date <= last for p in c.payments)]


def test_a_contract_without_schedule_owes_its_amount_on_its_due_date():
    c = Contract("K", D("1000"), date(2026, 3, 31), (), (Payment(date(2026, 3, 1), D("250.50")),))
    day = Book.from_contracts([c]).at(date(2026, 4, 10))
    s = day.state(0)
    assert (s.paid, s.outstanding, s.arrears, s.days_overdue, s.bucket) == (
        D("250.50"), D("749.50"), D("749.50"), 10, "1-30")
    assert [(i.seq, i.due_date) for i in s.installments] == [(1, date(2026, 3, 31))]


def test_a_loan_made_after_the_date_is_in_no_portfolio_figure():
    made_later = Contract("L", D("5000"), date(2026, 1, 31), (), ())
    book = Book.from_contracts([ONE_OVERDUE, made_later], [None, date(2026, 3, 1)])
    day = book.at(date(2026, 2, 15))
    assert day.summary().contracts == 1 and day.aging().total.contracts == 1
    assert day.state(1).arrears == D(5000)          # its own ledger can still be asked
    assert book.at(date(2026, 3, 1)).aging().total.contracts == 2


ONE_OVERDUE = Contract("K", D("1000"), date(2026, 1, 31), (), ())


def test_a_book_of_payments_only_gives_what_was_paid():
    # The data check's question: no schedule, no due date (0), only what was paid.
    book = Book([100_000, 50_000], [False, False], [0, 0], [0, 0], [], [], [], [],
                pay_loan=[0, 0, 1], pay_day=[1, 2, 3], pay_amount=[80_000, 30_000, 50_000])
    day = book.at(date.max)
    assert day.paid.tolist() == [110_000, 50_000] and day.overpaid.tolist() == [10_000, 0]
    assert day.overpaid_contracts() == [0] and day.state(0).installments == ()
    assert day.state(0).arrears == 0 and day.state(1).status_key == "closed"


def test_money_in_satang_and_back():
    assert satang([D("0.01"), D("12345678.99"), D("-3.50")]).tolist() == [1, 1234567899, -350]
    assert baht(1234567899) == D("12345678.99") and str(baht(0)) == "0.00"
    with pytest.raises(ValueError):
        Book.from_contracts([Contract("K", D("0.001"), date(2026, 1, 1), (), ())])


def test_arrays_that_do_not_fit_are_refused():
    with pytest.raises(ValueError):
        Book([100], [False], [0], [1], inst_loan=[1], inst_due=[1], inst_seq=[1], inst_amount=[1],
             pay_loan=[], pay_day=[], pay_amount=[])
    with pytest.raises(ValueError):
        Book([100], [False, True], [0], [1], [], [], [], [], [], [], [])
    with pytest.raises(ValueError):
        Book([100], [False], [0], [1], [], [], [], [], [], [], [], bucket_bounds=(90, 30))


@pytest.mark.parametrize("status", ["closed", "breached", "arrears", "watch", "normal"])
def test_the_random_books_reach_every_status(status):
    # The property tests above are only as good as what they draw: every status is drawn.
    from hypothesis import find

    find(st.tuples(books(), days), lambda b: any(
        ledger(c, b[1], **b[0][2]).status_key == status for c in b[0][0]), settings=settings(max_examples=2000, phases=[Phase.generate], database=None))


@pytest.mark.parametrize("rows", [slice(1, 2), slice(2, -2), slice(-2, -1)], ids=["first", "middle", "over"])
def test_the_random_books_reach_every_bucket(rows):
    # The first bucket, a middle one and the last ("over N days") of the aging table have contracts in some draw.
    from hypothesis import find

    def reaches(b) -> bool:
        found, loan_dates, options = b[0]
        return any(r.contracts for r in Book.from_contracts(found, loan_dates, **options).at(b[1]).aging().rows[rows])

    find(st.tuples(books(), days), reaches, settings=settings(max_examples=2000, phases=[Phase.generate], database=None))
