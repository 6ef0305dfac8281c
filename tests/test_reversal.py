"""A repayment cancelled through LINE (ยกเลิกรายการ) is a reversing row in รับชำระ: the ledger, the
monthly report and the data check count the pair as nothing, and check names a reversal that has no
original or repeats one."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.config import load_config
from report.monthly import build_report
from sheets.book import book_of
from sheets.check import run_check
from sheets.model import load_dataset
from sheets.store import Layout
from tests.sheetdata import TODAY, as_tables, tiny_province

PAID = dt.date(2026, 11, 20)
RECORDED = dt.datetime(2026, 11, 20, 15, 0)


def line_row(amount: object, ref: str, note: str = "", contract: str = "F1-002", paid: dt.date = PAID) -> dict:
    return {"contract_no": contract, "paid_date": paid, "amount": amount, "recorded_by": "OF-01", "source": "LINE",
            "recorded_at": RECORDED, "ref": ref, "note": note}


def dataset(*rows: dict):
    data = tiny_province()
    data["payments"].extend(rows)
    return load_dataset(as_tables(data), Layout(), TODAY)


@pytest.fixture
def config():
    return load_config(env={})


def paid_and_collected(ds, config) -> tuple[Decimal, Decimal]:
    """F1-002's paid so far (the ledger) and the province's money collected in November (the report)."""
    book = book_of(ds)
    day = book.at(TODAY)
    i = [loan.contract_no for loan in book.loans].index("F1-002")
    report = build_report(ds, config, 2026, 11, as_of=TODAY)
    return day.state(i).paid, report.province["collected_in_month"]


def test_a_reversal_nets_the_repayment_to_nothing_in_the_ledger_and_the_report(config):
    before = paid_and_collected(dataset(), config)
    recorded = paid_and_collected(dataset(line_row(1500, "LINE-A1")), config)
    cancelled = dataset(line_row(1500, "LINE-A1"), line_row("-1,500", "LINE-A1-VOID", "ยกเลิกรายการ LINE-A1"))
    assert recorded == (before[0] + 1500, before[1] + 1500)
    assert paid_and_collected(cancelled, config) == before
    report = run_check(cancelled, config, TODAY)
    assert [p for p in report.problems if p.tab == "รับชำระ" and p.level == "error" and "LINE-A1" in p.message] == []


def test_a_reversal_tapped_twice_counts_once_and_the_second_is_an_error(config):
    before = paid_and_collected(dataset(), config)
    twice = dataset(line_row(1500, "LINE-A1"), line_row(-1500, "LINE-A1-VOID"), line_row(-1500, "LINE-A1-VOID"))
    assert paid_and_collected(twice, config) == before
    errors = [p for p in run_check(twice, config, TODAY).problems if "ยกเลิกซ้ำ" in p.message]
    assert len(errors) == 1 and errors[0].level == "error" and errors[0].row == 9


def test_a_reversal_without_its_original_counts_nothing_and_is_an_error(config):
    before = paid_and_collected(dataset(), config)
    alone = dataset(line_row(-1500, "LINE-ZZ-VOID"))
    assert paid_and_collected(alone, config) == before
    errors = [p for p in run_check(alone, config, TODAY).problems if "ไม่พบรายการเดิม" in p.message]
    assert len(errors) == 1 and errors[0].level == "error" and errors[0].field == "ref"


@pytest.mark.parametrize("reversal", [
    line_row(-1000, "LINE-A1-VOID"),                           # not the original's amount
    line_row(-1500, "LINE-A1-VOID", contract="F1-001"),        # another contract
    line_row(-1500, "LINE-A1-VOID", paid=dt.date(2026, 11, 21)),  # another date
])
def test_a_reversal_that_does_not_match_its_original_counts_nothing(config, reversal):
    recorded = paid_and_collected(dataset(line_row(1500, "LINE-A1")), config)
    assert paid_and_collected(dataset(line_row(1500, "LINE-A1"), reversal), config) == recorded
    ds = dataset(line_row(1500, "LINE-A1"), reversal)
    assert any("ไม่ตรงกับรายการเดิม" in p.message and p.level == "error" for p in ds.problems)


def test_a_negative_amount_that_is_not_a_reversal_is_an_error():
    ds = dataset(line_row(-300, "LINE-B2"))
    assert any("ติดลบ" in p.message and p.field == "amount" for p in ds.problems if p.tab == "รับชำระ")
    assert all(p.amount > 0 for p in ds.payments["F1-002"])
