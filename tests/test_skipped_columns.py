"""A job's parse without the columns it does not use (sheets.model.load_dataset's `skip`).

The alert run leaves the ids, phones, notes and receipt numbers unread (reminders.job.ALERT_SKIP):
its plan must be the whole parse's, item for item, on the demo province and on messy sheets, and
anything that needs every column (the report, the data check, the month's summary) must either
refuse such a dataset or parse the tabs whole.
"""
from __future__ import annotations

import datetime as dt

import pytest

from core.config import Config
from reminders.job import ALERT_SKIP, ALERT_TABS
from reminders.plan import AlertLog, PlanContext, plan_run
from report.monthly import build_report
from report.notify import monthly_attachments
from sheets.check import run_check
from sheets.model import check_skip, load_dataset
from sheets.store import Layout, Table
from tests.test_dataset import messy_tables

TODAY = dt.date(2026, 11, 26)


def demo_tables_read() -> dict[str, Table]:
    from sheets.demo import demo_tables

    layout = Layout()
    raw = demo_tables(TODAY, seed=2569)
    return {k: Table(layout.title(k), rows[0], rows[1:]) for k, rows in raw.items()}


def planned(tables: dict[str, Table], config: Config, today: dt.date, skip: dict | None) -> list[tuple]:
    ds = load_dataset({k: tables[k] for k in ALERT_TABS if k in tables}, Layout(config), today,
                      config.rules.max_term_years, skip=skip)
    ctx = PlanContext(ds, config)
    plan = plan_run(ctx, today, AlertLog.from_entries(ds.alert_log, ctx.digest_weekdays), False)
    return [(rp.officer_id, rp.line_user, rp.unreadable, rp.items) for rp in plan.recipients] + \
        [("unreadable", plan.unreadable_rows, plan.without_officer, plan.items)]


@pytest.mark.parametrize("day", [TODAY, dt.date(2026, 12, 7)])
def test_the_alert_runs_plan_is_the_whole_parses_on_the_demo_province(config: Config, day: dt.date) -> None:
    tables = demo_tables_read()
    whole = planned(tables, config, day, None)
    assert sum(len(r[3]) for r in whole[:-1]) > 100   # a real plan: items for many officers
    assert planned(tables, config, day, ALERT_SKIP) == whole


@pytest.mark.parametrize("seed, share", [(1, 0.03), (7, 0.25)])
def test_the_alert_runs_plan_is_the_whole_parses_on_a_messy_sheet(config: Config, seed: int, share: float) -> None:
    tables = messy_tables(seed, share)
    today = dt.date(2026, 1, 15)
    assert planned(tables, config, today, ALERT_SKIP) == planned(tables, config, today, None)


def test_a_skipped_column_is_blank_says_nothing_and_is_recorded(layout: Layout) -> None:
    tables = messy_tables(7, 0.25)
    whole = load_dataset(tables, layout, dt.date(2026, 1, 15))
    lean = load_dataset(tables, layout, dt.date(2026, 1, 15), skip=ALERT_SKIP)
    id_header = layout.header("loans", "citizen_id")
    assert any(p.header == id_header for p in whole.problems)        # the mess has bad ids ...
    assert not any(p.header == id_header for p in lean.problems)     # ... which the lean parse never read
    assert all(loan.citizen_id is None and loan.phone == "" for loan in lean.loans.values())
    assert lean.skipped == {"loans": ("citizen_id", "note", "occupation", "phone"),
                            "payments": ("note", "receipt_no", "recorded_at", "recorded_by", "source")}
    assert not whole.skipped
    assert not load_dataset(tables, layout, dt.date(2026, 1, 15), skip={"loans": frozenset()}).skipped  # skips nothing
    # Everything else is the same: the records' amounts and dates, the unreadable rows.
    assert lean.unreadable == whole.unreadable
    assert [(loan.contract_no, loan.amount, loan.due_date) for loan in lean.loans.values()] == \
        [(loan.contract_no, loan.amount, loan.due_date) for loan in whole.loans.values()]
    assert {k: [(p.paid_date, p.amount) for p in v] for k, v in lean.payments.items()} == \
        {k: [(p.paid_date, p.amount) for p in v] for k, v in whole.payments.items()}


def test_the_report_and_the_check_refuse_a_dataset_with_columns_skipped(config: Config, layout: Layout) -> None:
    lean = load_dataset(demo_tables_read(), layout, TODAY, skip=ALERT_SKIP)
    with pytest.raises(ValueError, match="loans.citizen_id"):
        build_report(lean, config, 2026, 10)
    with pytest.raises(ValueError, match="the data check"):
        run_check(lean, config, TODAY)


def test_the_months_summary_from_the_alert_runs_parse_is_the_whole_parses(config: Config, layout: Layout) -> None:
    tables = demo_tables_read()
    first_of_month = dt.date(2026, 12, 1)
    whole = monthly_attachments(load_dataset(tables, layout, first_of_month), tables.get("snapshots"), config,
                                first_of_month)
    lean_ds = load_dataset(tables, layout, first_of_month, skip=ALERT_SKIP)
    lean = monthly_attachments(lean_ds, tables.get("snapshots"), config, first_of_month, tables=tables)
    assert whole and lean == whole
    with pytest.raises(ValueError, match="needs its tables"):
        monthly_attachments(lean_ds, tables.get("snapshots"), config, first_of_month)


@pytest.mark.parametrize("skip, message", [
    ({"loans": frozenset({"amount"})}, "loans.amount is required"),
    ({"loans": frozenset({"phon"})}, "loans.phon is not a column"),
    ({"lones": frozenset({"phone"})}, "'lones' is not a data tab"),
])
def test_a_skip_names_what_is_wrong(skip: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_skip(skip)
