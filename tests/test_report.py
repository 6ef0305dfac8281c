"""The monthly report (issue 5): every figure by hand, sums, boundaries, writing, LINE, CLI."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from core.config import Config
from core.geo import district_names
from messaging.base import MAX_ALT_TEXT, MAX_BUBBLE_BYTES, json_size, retry_key_for
from report.job import run_monthly_report
from ledger import ledger, ledger_options
from ledger.aging import AgingTable, aging_table
from report.monthly import PROVINCE, build_report
from core.months import default_month, fiscal_year_be, fiscal_year_start, month_bounds, parse_month, report_as_of
from report.notify import monthly_recipients, monthly_targets, summary_flex
from report.snapshots import latest, parse_snapshots, snapshot_records
from report.write import write_meeting_file
from sheets.model import load_dataset
from core.schema import TABS
from sheets.store import Layout, Table
from tests.conftest import SPREADSHEET_ID
from tests.sheetdata import (GOOD_DOCS, TODAY, USER_OF01, USER_OF02, USER_PV01, as_tables, tiny_province,
                             write_workbook)

D = Decimal
OCT = (2026, 10)
RATIOS = ("par30", "collection_rate", "indicator_9_1")


@pytest.fixture(scope="module")
def tiny_template(tmp_path_factory) -> Path:
    """The tiny province as an .xlsx, built once (building costs a dozen load/save cycles)."""
    return write_workbook(tmp_path_factory.mktemp("tiny") / "smart-data.xlsx").path


@pytest.fixture
def tiny_store(tiny_template: Path, tmp_path: Path):
    from sheets.workbook import WorkbookStore

    path = tmp_path / "smart-data.xlsx"
    shutil.copy(tiny_template, path)
    return WorkbookStore(path, Layout())


def dataset(data: dict[str, list[dict[str, Any]]] | None = None, today: dt.date = TODAY):
    return load_dataset(as_tables(data if data is not None else tiny_province()), Layout(), today)


def assert_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every expected key, ratios to 1e-9; and no key left unchecked."""
    unchecked = set(row) - set(expected) - {"change"}
    assert not unchecked, f"figures not checked by hand: {sorted(unchecked)}"
    for key, want in expected.items():
        got = row[key]
        if key in RATIOS and want is not None:
            assert got == pytest.approx(want, abs=1e-9), key
        else:
            assert got == want, (key, got, want)


ZERO_DISTRICT = {
    "subdistricts": 0, "funds": 0, "households_total": 0, "households_target": 0, "borrowers": 0,
    "loans_open": 0, "outstanding": D(0), "bank_balance": D(0), "cash_on_hand": D(0), "total_money": D(0),
    "repaid_fiscal_year": D(0), "due_installments": 0, "due_in_month": D(0), "paid_of_due": D(0),
    "collection_rate": None, "collected_in_month": D(0), "arrears": D(0), "overdue_loans": 0,
    "at_risk_outstanding": D(0), "par30": 0.0, "funds_ok": 0, "indicator_9_1": None, "unreadable_rows": 0,
}
AGING_KEYS = ("current", "1_30", "31_90", "over_90", "breached", "overdue", "total")


def aging_rows(table: AgingTable) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Every row of an aging table and its two totals: key -> (contracts, arrears, outstanding)."""
    rows = (*table.rows, table.overdue, table.total)
    assert tuple(r.key for r in rows) == AGING_KEYS
    return {r.key: (r.contracts, r.arrears, r.outstanding) for r in rows}


NO_AGING = {key: (0, D(0), D(0)) for key in AGING_KEYS}


# -- every figure of October 2026, by hand --------------------------------------------------
def test_october_2026_every_figure_by_hand(config: Config) -> None:
    """The tiny province (tests/sheetdata.py) as of 31 Oct 2026 (run on 26 Nov 2026).

    Loans as of 31 Oct 2026 (F3-002 is unreadable: due date "31/02/2569"):
      F1-001 fund 230101-01  10,000 due 3 Dec 2026, nothing paid: outstanding 10,000, nothing due yet.
      F1-002 fund 230101-01  12,000 in 3 x 4,000 due 26 Sep / 26 Oct / 26 Nov; paid 4,000 (20 Sep) +
             2,000 (30 Oct) = 6,000: outstanding 6,000; due so far 8,000 -> arrears 2,000; the oldest
             installment not covered is seq 2 (26 Oct) -> 5 days overdue -> bucket 1-30, not PAR30.
             Due in October: seq 2, 4,000; due before October 4,000 -> paid of it 6,000-4,000 = 2,000.
             Collected in October 2,000 (30 Oct); repaid in FY 2570 (from 1 Oct 2026) 2,000.
      F2-001 fund 230102-03   5,000 due 25 Nov 2026: outstanding 5,000, nothing due yet.
      F2-002 fund 230102-03   8,000 paid in full on 28 Jun 2026: closed.
      F3-001 fund 230301-02  20,000 due 31 Mar 2026, ผิดสัญญา, paid 5,000 (1 Feb): outstanding 15,000,
             arrears 15,000, 214 days overdue -> the ผิดสัญญา row of the aging table (not a days
             bucket), PAR30; it counts in สัญญาค้างชำระ.
      F3-003 fund 230301-02   9,000 due 26 Jan 2027: outstanding 9,000, nothing due.
    Funds: each 120 households, 30 target, bank 150,000, cash 2,500 (GOOD_DOCS).
    Indicator 9.1 as of 31 Oct: 230101-01 passes; 230102-03 lacks the bank book copy; 230301-02's bank
    balance dated 10 May 2026 is 174 days old (> 90) and it has errors -> 1 of 2 and 0 of 1.
    """
    r = build_report(dataset(), config, *OCT)
    assert (r.as_of, r.run_date, r.fiscal_year_start, r.fiscal_year) == (
        dt.date(2026, 10, 31), TODAY, dt.date(2026, 10, 1), 2570)
    assert [d["district"] for d in r.districts] == list(district_names())
    muang = {
        "district": "เมืองตราด",
        "subdistricts": 2,                       # บางพระ, หนองเสม็ด
        "funds": 2, "households_total": 240, "households_target": 60,
        "borrowers": 3,                          # นายหนึ่ง, นางสอง, นายสาม (open loans)
        "loans_open": 3,                         # F1-001, F1-002, F2-001
        "outstanding": D("21000"),               # 10,000 + 6,000 + 5,000
        "bank_balance": D("300000"), "cash_on_hand": D("5000"), "total_money": D("305000"),
        "repaid_fiscal_year": D("2000"),         # 30 Oct
        "due_installments": 1, "due_in_month": D("4000"), "paid_of_due": D("2000"),
        "collection_rate": 0.5,                  # 2,000 / 4,000
        "collected_in_month": D("2000"),
        "arrears": D("2000"), "overdue_loans": 1,                # F1-002
        "at_risk_outstanding": D(0), "par30": 0.0,
        "funds_ok": 1, "indicator_9_1": 0.5, "unreadable_rows": 0,
    }
    khao_saming = {
        "district": "เขาสมิง", "subdistricts": 1, "funds": 1, "households_total": 120, "households_target": 30,
        "borrowers": 2,                          # นายห้า, นายเจ็ด (his citizen id is invalid: by name)
        "loans_open": 2, "outstanding": D("24000"),          # 15,000 + 9,000
        "bank_balance": D("150000"), "cash_on_hand": D("2500"), "total_money": D("152500"),
        "repaid_fiscal_year": D(0), "due_installments": 0, "due_in_month": D(0), "paid_of_due": D(0),
        "collection_rate": None,                 # nothing fell due
        "collected_in_month": D(0), "arrears": D("15000"), "overdue_loans": 1,   # F3-001, breached
        "at_risk_outstanding": D("15000"), "par30": 0.625,   # 15,000 / 24,000
        "funds_ok": 0, "indicator_9_1": 0.0,
        "unreadable_rows": 1,                    # F3-002
    }
    assert_row(r.district("เมืองตราด"), muang)
    assert_row(r.district("เขาสมิง"), khao_saming)
    for d in r.districts:
        if d["district"] not in ("เมืองตราด", "เขาสมิง"):
            assert_row(d, {"district": d["district"], **ZERO_DISTRICT})
    assert_row(r.province, {
        "district": PROVINCE, "subdistricts": 3, "funds": 3, "households_total": 360, "households_target": 90,
        "borrowers": 5, "loans_open": 5, "outstanding": D("45000"), "bank_balance": D("450000"),
        "cash_on_hand": D("7500"), "total_money": D("457500"), "repaid_fiscal_year": D("2000"),
        "due_installments": 1, "due_in_month": D("4000"), "paid_of_due": D("2000"), "collection_rate": 0.5,
        "collected_in_month": D("2000"), "arrears": D("17000"), "overdue_loans": 2,
        "at_risk_outstanding": D("15000"),
        "par30": 15000 / 45000,                  # from the sums, not the districts' 0 + 0.625
        "funds_ok": 1, "indicator_9_1": 1 / 3, "unreadable_rows": 1,
    })
    assert all(v is None for row in r.rows() for v in row["change"].values())   # no snapshot yet
    # The aging table (ledger.aging): current, the buckets, ผิดสัญญา on its own line, then the totals.
    assert aging_rows(r.aging["เมืองตราด"]) == {
        "current": (2, D(0), D("15000")),        # F1-001 10,000 + F2-001 5,000
        "1_30": (1, D("2000"), D("6000")),       # F1-002, 5 days
        "31_90": (0, D(0), D(0)), "over_90": (0, D(0), D(0)), "breached": (0, D(0), D(0)),
        "overdue": (1, D("2000"), D("6000")), "total": (3, D("2000"), D("21000"))}
    assert aging_rows(r.aging["เขาสมิง"]) == {
        "current": (1, D(0), D("9000")),         # F3-003
        "1_30": (0, D(0), D(0)), "31_90": (0, D(0), D(0)),
        "over_90": (0, D(0), D(0)),              # F3-001 is 214 days late but breached: its own line
        "breached": (1, D("15000"), D("15000")),
        "overdue": (1, D("15000"), D("15000")), "total": (2, D("15000"), D("24000"))}
    assert aging_rows(r.aging[PROVINCE]) == {
        "current": (3, D(0), D("24000")), "1_30": (1, D("2000"), D("6000")), "31_90": (0, D(0), D(0)),
        "over_90": (0, D(0), D(0)), "breached": (1, D("15000"), D("15000")),
        "overdue": (2, D("17000"), D("21000")), "total": (5, D("17000"), D("45000"))}
    assert all(aging_rows(r.aging[d["district"]]) == NO_AGING for d in r.districts
               if d["district"] not in ("เมืองตราด", "เขาสมิง"))
    # The payment to the unknown contract XX-999 belongs to no fund: a note, not a district's row.
    assert r.notes == ["แถวที่อ่านไม่ได้และไม่ทราบกองทุน 1 แถว ไม่ได้นับในรายงาน (ดูแท็บ ตรวจสอบข้อมูล)"]

    # Form 26(1): one row per fund, by district order then fund id.
    assert [f["fund_id"] for f in r.funds] == ["230101-01", "230102-03", "230301-02"]
    common = {"households_total": 120, "households_target": 30, "bank_balance": D("150000"),
              "cash_on_hand": D("2500"), "total_money": D("152500")}
    assert r.funds[0] == {
        "fund_id": "230101-01", "district": "เมืองตราด", "subdistrict": "บางพระ", "village_no": 1,
        "village_name": "บ้านบางพระ", "capital": D("280000"), **common, "borrowers": 2, "loans_open": 2,
        "outstanding": D("16000"), "bank_balance_date": dt.date(2026, 10, 31), "repaid_fiscal_year": D("2000"),
        "due_in_month": D("4000"), "paid_of_due": D("2000"), "collected_in_month": D("2000"),
        "arrears": D("2000"), "overdue_loans": 1, "breached_loans": 0, "at_risk_outstanding": D(0),
        "par30": 0.0, "passes_9_1": "ใช่"}
    assert r.funds[1] == {
        "fund_id": "230102-03", "district": "เมืองตราด", "subdistrict": "หนองเสม็ด", "village_no": 3,
        "village_name": "บ้านหนองเสม็ด", "capital": D("280000"), **common, "borrowers": 1, "loans_open": 1,
        "outstanding": D("5000"), "bank_balance_date": dt.date(2026, 10, 31), "repaid_fiscal_year": D(0),
        "due_in_month": D(0), "paid_of_due": D(0), "collected_in_month": D(0), "arrears": D(0),
        "overdue_loans": 0, "breached_loans": 0, "at_risk_outstanding": D(0), "par30": 0.0, "passes_9_1": "ไม่"}
    assert r.funds[2] == {
        "fund_id": "230301-02", "district": "เขาสมิง", "subdistrict": "เขาสมิง", "village_no": 2,
        "village_name": "บ้านเขาสมิง", "capital": D("300000"), **common, "borrowers": 2, "loans_open": 2,
        "outstanding": D("24000"), "bank_balance_date": dt.date(2026, 5, 10), "repaid_fiscal_year": D(0),
        "due_in_month": D(0), "paid_of_due": D(0), "collected_in_month": D(0), "arrears": D("15000"),
        "overdue_loans": 1, "breached_loans": 1, "at_risk_outstanding": D("15000"), "par30": 0.625,
        "passes_9_1": "ไม่"}


def test_an_empty_sheet_gives_a_report_of_zeros(config: Config, tmp_path: Path) -> None:
    r = build_report(dataset({}), config, *OCT)
    assert r.funds == [] and r.province["outstanding"] == D(0) and r.province["indicator_9_1"] is None
    for d in r.districts:
        assert_row(d, {"district": d["district"], **ZERO_DISTRICT})
    assert openpyxl.load_workbook(write_meeting_file(r, tmp_path / "empty.xlsx")).sheetnames


def test_json_has_the_promised_keys(config: Config) -> None:
    out = json.loads(json.dumps(build_report(dataset(), config, *OCT).as_json()))
    assert out["month"] == "2026-10" and out["as_of"] == "2026-10-31"
    keys = {"district", "funds", "loans_open", "outstanding", "arrears", "overdue_loans", "par30", "bank_balance",
            "cash_on_hand", "repaid_fiscal_year", "due_in_month", "collected_in_month", "indicator_9_1"}
    for row in out["districts"] + [out["province"]]:
        assert keys <= set(row)
    assert out["province"]["district"] == "รวม" and out["province"]["outstanding"] == 45000.0
    assert out["province"]["par30"] == 0.3333
    assert [f["fund_id"] for f in out["funds"]] == ["230101-01", "230102-03", "230301-02"]


# -- the trend: November against October's snapshots --------------------------------------
def test_change_from_the_previous_month_comes_from_the_snapshots(config: Config) -> None:
    """November as of 30 Nov: F1-002 owes 6,000 (seq 2 of 26 Oct now 35 days late: PAR30) and F2-001
    5,000 (due 25 Nov, 5 days). เมืองตราด: arrears 2,000 -> 11,000 (+9,000), overdue loans 1 -> 2,
    PAR30 0 -> 6,000/21,000 = 28.57%, collected 2,000 -> 0. Province PAR30 33.33% -> 21,000/45,000."""
    ds = dataset()
    october = build_report(ds, config, *OCT)
    rows = snapshot_records(october, {}, dt.datetime(2026, 11, 1, 7, 0))
    assert len(rows) == len(district_names()) + 1
    snaps = latest(parse_snapshots(_table("snapshots", rows)))
    november = build_report(ds, config, 2026, 11, dt.date(2026, 11, 30), snaps)
    assert november.has_previous and november.previous_month == "2026-10"
    assert november.district("เมืองตราด")["change"] == {
        "loans_open": 0, "outstanding": D("0.00"), "arrears": D("9000.00"), "overdue_loans": 1,
        "par30": 28.57, "collected_in_month": D("-2000.00"), "indicator_9_1": 0.0}
    assert november.province["change"]["par30"] == pytest.approx(13.33)
    assert november.province["change"]["arrears"] == D("9000.00")
    assert november.district("คลองใหญ่")["change"]["outstanding"] == D("0.00")


def _table(tab_key: str, records: list[dict[str, Any]]) -> Table:
    layout = Layout()
    keys = [c.key for c in TABS[tab_key].columns]
    return Table(layout.title(tab_key), layout.headers(tab_key), [[r.get(k) for k in keys] for r in records])


def test_snapshots_latest_row_wins_and_unchanged_figures_are_not_appended(config: Config) -> None:
    ds = dataset()
    october = build_report(ds, config, *OCT)
    first = snapshot_records(october, {}, dt.datetime(2026, 11, 1, 7, 0))
    snaps = latest(parse_snapshots(_table("snapshots", first)))
    assert snapshot_records(october, snaps, dt.datetime(2026, 11, 2, 7, 0)) == []     # a rerun: nothing
    corrected = dict(first[0], made_at=dt.datetime(2026, 11, 3, 7, 0), outstanding=1)
    older = dict(first[0], made_at=dt.datetime(2026, 10, 31, 7, 0), outstanding=2)      # typed below, older
    snaps = latest(parse_snapshots(_table("snapshots", first + [corrected, older])))
    assert snaps[("2026-10", "เมืองตราด")].figures["outstanding"] == D("1.00")
    assert [r["district"] for r in snapshot_records(october, snaps, dt.datetime(2026, 11, 4))] == ["เมืองตราด"]


# -- sums ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_ds():
    from sheets.demo import TRAT, demo_tables

    tables = demo_tables(TODAY, 2569, TRAT)
    layout = Layout()
    return load_dataset({k: Table(layout.title(k), v[0], v[1:]) for k, v in tables.items()}, layout, TODAY)


SUMMED = ("subdistricts", "funds", "households_total", "households_target", "borrowers", "loans_open",
          "outstanding", "bank_balance", "cash_on_hand", "total_money", "repaid_fiscal_year", "due_installments",
          "due_in_month", "paid_of_due", "collected_in_month", "arrears", "overdue_loans",
          "at_risk_outstanding", "funds_ok", "unreadable_rows")


def test_province_is_the_sum_of_districts_and_districts_the_sum_of_funds(config: Config, demo_ds) -> None:
    r = build_report(demo_ds, config, *OCT)
    for key in SUMMED:
        assert r.province[key] == sum(d[key] for d in r.districts), key
    p = r.province
    assert p["par30"] == pytest.approx(float(p["at_risk_outstanding"] / p["outstanding"]))
    assert p["collection_rate"] == pytest.approx(float(p["paid_of_due"] / p["due_in_month"]))
    assert p["indicator_9_1"] == pytest.approx(p["funds_ok"] / p["funds"])
    assert p["total_money"] == p["bank_balance"] + p["cash_on_hand"]
    for d in r.districts:
        funds = [f for f in r.funds if f["district"] == d["district"]]
        assert d["funds"] == len(funds)
        for key in ("outstanding", "arrears", "loans_open", "collected_in_month", "repaid_fiscal_year",
                    "bank_balance", "borrowers", "at_risk_outstanding"):
            assert d[key] == sum(f[key] for f in funds), (d["district"], key)
        assert d["overdue_loans"] == sum(f["overdue_loans"] for f in funds), d["district"]
        assert r.aging[d["district"]].breached.contracts == sum(f["breached_loans"] for f in funds), d["district"]
    # The headlines are the aging table's, and the province's table is the sum of the districts'.
    for row in r.rows():
        table = r.aging[row["district"]]
        assert (row["loans_open"], row["outstanding"], row["arrears"]) == \
            (table.total.contracts, table.total.outstanding, table.total.arrears)
        assert (row["overdue_loans"], row["arrears"]) == (table.overdue.contracts, table.overdue.arrears)
        assert table.overdue.contracts == sum(b.contracts for b in table.buckets) + table.breached.contracts
    for key in AGING_KEYS:
        assert aging_rows(r.aging[PROVINCE])[key] == tuple(
            sum(x) for x in zip(*(aging_rows(r.aging[d["district"]])[key] for d in r.districts))), key
    assert sum(f["breached_loans"] for f in r.funds) == r.aging[PROVINCE].breached.contracts > 0


@pytest.mark.parametrize("as_of", [dt.date(2026, 1, 1), dt.date(2026, 9, 30), dt.date(2026, 10, 1),
                                   dt.date(2026, 10, 31), TODAY, dt.date(2027, 2, 28)])
def test_the_report_figures_are_the_ledgers_loan_by_loan(config: Config, demo_ds, as_of: dt.date) -> None:
    """The report's loans (the ledger engine) against ledger.ledger, every loan and every field."""
    options = ledger_options(config)
    states = {loan.contract_no: ledger(demo_ds.contract(loan), as_of, **options) for loan in demo_ds.readable_loans()}
    r = build_report(demo_ds, config, as_of.year, as_of.month, as_of)
    day = r.loans
    assert day is not None and list(day.book.keys) == list(states)
    for i, no in enumerate(day.book.keys):
        assert day.state(i) == states[no], no
    made = [s for no, s in states.items()
            if demo_ds.loans[no].loan_date is None or demo_ds.loans[no].loan_date <= as_of]   # made by then
    assert len(made) < len(states) or as_of >= dt.date(2026, 10, 31)
    assert r.province["outstanding"] == sum((s.outstanding for s in made), D(0))
    assert r.province["arrears"] == sum((s.arrears for s in made), D(0))
    assert r.province["at_risk_outstanding"] == sum((s.outstanding for s in made if s.at_risk), D(0))
    assert r.aging[PROVINCE] == aging_table(made, options["bucket_bounds"])


def monthrange_last(day: dt.date) -> int:
    return month_bounds(day.year, day.month)[1].day


# -- month and fiscal-year boundaries ----------------------------------------------------------
def boundary_data() -> dict[str, list[dict[str, Any]]]:
    """One fund; B-001: 10,000 in four installments of 2,500 due 30 Sep 2026, 1 Oct 2026, 31 Dec 2026,
    1 Jan 2027, paid 2,500 on 30 Sep, 2,500 on 1 Oct, 1,000 on 31 Dec and 1,000 on 1 Jan.
    L-001: 5,000 due 29 Feb 2028, paid in full that day."""
    fund = {"fund_id": "230101-01", "district": "เมืองตราด", "subdistrict": "บางพระ", "village_no": 1,
            "village_name": "บ้านบางพระ", "capital": 280000, **GOOD_DOCS}
    due = [dt.date(2026, 9, 30), dt.date(2026, 10, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1)]
    return {
        "funds": [fund],
        "loans": [{"contract_no": "B-001", "fund_id": "230101-01", "borrower_name": "นายเขต ทดสอบ",
                   "loan_date": dt.date(2026, 1, 5), "amount": 10000, "due_date": due[-1]},
                  {"contract_no": "L-001", "fund_id": "230101-01", "borrower_name": "นางอธิก ทดสอบ",
                   "loan_date": dt.date(2027, 3, 1), "amount": 5000, "due_date": dt.date(2028, 2, 29)}],
        "installments": [{"contract_no": "B-001", "seq": i + 1, "due_date": d, "amount": 2500}
                         for i, d in enumerate(due)],
        "payments": [{"contract_no": "B-001", "paid_date": d, "amount": a} for d, a in (
            (dt.date(2026, 9, 30), 2500), (dt.date(2026, 10, 1), 2500), (dt.date(2026, 12, 31), 1000),
            (dt.date(2027, 1, 1), 1000))] + [
            {"contract_no": "L-001", "paid_date": dt.date(2028, 2, 29), "amount": 5000}],
    }


@pytest.mark.parametrize("month, fy, figures", [
    # 30 Sep is in FY 2569 (from 1 Oct 2025) and in September
    ((2026, 9), 2569, {"due_installments": 1, "due_in_month": D(2500), "paid_of_due": D(2500),
                       "collected_in_month": D(2500), "repaid_fiscal_year": D(2500), "arrears": D(0)}),
    # 1 Oct opens FY 2570: the 30 Sep payment no longer counts in the year
    ((2026, 10), 2570, {"due_installments": 1, "due_in_month": D(2500), "paid_of_due": D(2500),
                        "collected_in_month": D(2500), "repaid_fiscal_year": D(2500), "arrears": D(0)}),
    # 31 Dec: 2,500 due that day, 1,000 paid that day -> arrears 1,500, 0 days late (bucket 1-30)
    ((2026, 12), 2570, {"due_installments": 1, "due_in_month": D(2500), "paid_of_due": D(1000),
                        "collected_in_month": D(1000), "repaid_fiscal_year": D(3500), "arrears": D(1500),
                        "aging_1_30": 1, "at_risk_outstanding": D(0)}),
    # 1 Jan: the 31 Dec installment is 31 days late on 31 Jan -> 31-90 and PAR30; the year goes on
    ((2027, 1), 2570, {"due_installments": 1, "due_in_month": D(2500), "paid_of_due": D(0),
                       "collected_in_month": D(1000), "repaid_fiscal_year": D(4500), "arrears": D(3000),
                       "aging_31_90": 1, "at_risk_outstanding": D(3000), "par30": 1.0}),
    # leap February 2028: due and paid on the 29th, inside February
    ((2028, 2), 2571, {"due_installments": 1, "due_in_month": D(5000), "paid_of_due": D(5000),
                       "collection_rate": 1.0, "collected_in_month": D(5000), "repaid_fiscal_year": D(5000)}),
    ((2028, 3), 2571, {"due_installments": 0, "due_in_month": D(0), "collected_in_month": D(0),
                       "collection_rate": None, "repaid_fiscal_year": D(5000)}),
])
def test_month_and_fiscal_year_boundaries(config: Config, month, fy, figures) -> None:
    ds = dataset(boundary_data(), today=dt.date(2028, 3, 31))
    r = build_report(ds, config, *month)
    assert r.fiscal_year == fy and r.as_of == month_bounds(*month)[1]
    row = r.district("เมืองตราด")
    for key, want in figures.items():
        if key.startswith("aging_"):   # the contracts of an aging row
            assert aging_rows(r.aging["เมืองตราด"])[key[6:]][0] == want, key
            assert aging_rows(r.aging[PROVINCE])[key[6:]][0] == want, key
            continue
        assert row[key] == want, key
        assert r.province[key] == want, key


def test_date_helpers_at_the_boundaries() -> None:
    assert month_bounds(2028, 2) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert month_bounds(2027, 2)[1] == dt.date(2027, 2, 28)
    assert fiscal_year_start(dt.date(2026, 9, 30)) == dt.date(2025, 10, 1)
    assert fiscal_year_start(dt.date(2026, 10, 1)) == dt.date(2026, 10, 1)
    assert fiscal_year_be(dt.date(2025, 10, 1)) == 2569 and fiscal_year_be(dt.date(2026, 9, 30)) == 2569
    assert default_month(dt.date(2027, 1, 1)) == (2026, 12)
    assert default_month(dt.date(2028, 3, 1)) == (2028, 2)
    assert report_as_of(2028, 2, dt.date(2028, 3, 1)) == dt.date(2028, 2, 29)
    assert report_as_of(2026, 11, dt.date(2026, 11, 26)) == dt.date(2026, 11, 26)   # a month so far
    with pytest.raises(ValueError):
        report_as_of(2026, 12, dt.date(2026, 11, 26))
    assert parse_month("2569-10") == (2026, 10) and parse_month("2026-01") == (2026, 1)
    with pytest.raises(ValueError):
        parse_month("10/2026")


# -- the job on the local workbook: tab, snapshots once, file -------------------------------------
def snapshot_rows(path: Path) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [r for r in book["สรุปรายเดือน"].iter_rows(min_row=2, values_only=True) if any(r)]
    finally:
        book.close()


def test_rerun_does_not_duplicate_snapshots_and_a_correction_wins(config: Config, tmp_path: Path, tiny_store) -> None:
    store = tiny_store
    now = dt.datetime(2026, 11, 26, 8, 0)
    run = run_monthly_report(store, config, TODAY, out=tmp_path / "r.xlsx", now=now)
    assert (run.report.month_key, run.snapshot_rows) == ("2026-10", 8)
    again = run_monthly_report(store, config, TODAY, out=False, now=now + dt.timedelta(hours=1))
    assert again.snapshot_rows == 0 and len(snapshot_rows(store.path)) == 8
    # A receipt typed late: F2-001 paid 5,000 on 20 Oct -> เมืองตราด and รวม change, nothing else.
    store.append("payments", [{"contract_no": "F2-001", "paid_date": dt.date(2026, 10, 20), "amount": 5000}])
    third = run_monthly_report(store, config, TODAY, out=False, now=now + dt.timedelta(hours=2))
    assert third.snapshot_rows == 2
    rows = snapshot_rows(store.path)
    assert len(rows) == 10 and {r[2] for r in rows[-2:]} == {"เมืองตราด", "รวม"}
    snaps = latest(parse_snapshots(store.read(["snapshots"])["snapshots"]))
    assert snaps[("2026-10", "เมืองตราด")].figures["outstanding"] == D("16000.00")
    assert snaps[("2026-10", "รวม")].figures["outstanding"] == D("40000.00")
    # The tab was rewritten each time, not appended to.
    book = openpyxl.load_workbook(store.path)
    sheet = book["รายงานประจำเดือน"]
    assert sheet["A3"].value == "อำเภอ" and sheet["A11"].value == "รวม"
    assert sheet.freeze_panes == "B4" and sheet.auto_filter.ref.startswith("A3:")
    assert len(sheet._charts) == 2
    assert [row[0].value for row in sheet.iter_rows()].count("รวม") == 2   # 26(2)'s and the aging table's


def test_a_month_not_yet_ended_is_not_snapshotted(config: Config, tmp_path: Path, tiny_store) -> None:
    store = tiny_store
    run = run_monthly_report(store, config, TODAY, year=2026, month=11, out=False)
    assert run.report.as_of == TODAY and run.snapshot_rows == 0 and snapshot_rows(store.path) == []
    assert "ยังไม่จบ" in run.snapshot_note


def test_meeting_file_has_both_forms_charts_and_print_settings(config: Config, tmp_path: Path) -> None:
    path = write_meeting_file(build_report(dataset(), config, *OCT), tmp_path / "meeting.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["แบบ 26(2) รายอำเภอ", "แบบ 26(1) รายกองทุน"]
    form2, form1 = book.worksheets
    assert len(form2._charts) == 2 and len(form1._charts) == 0
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, str(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == \
            ("landscape", "9", 1, 0)                                   # 9 = A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$3"                       # title lines and header on every page
        assert sheet.freeze_panes == "B4"
    assert form2["A3"].value == "อำเภอ" and form2["A11"].value == "รวม" and form2["H11"].value == 45000
    assert form2["H4"].number_format == "#,##0.00"
    assert form1.auto_filter.ref == "A3:Y6" and form1["A4"].value == "230101-01"
    chart = form2._charts[0]
    assert chart.title is not None and len(chart.series) == 1


# -- the Google backend through the Sheets fake ----------------------------------------------------
def seed_fake(fake, data: dict[str, list[dict[str, Any]]] | None = None) -> None:
    for table in as_tables(data if data is not None else tiny_province()).values():
        fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    fake.reset_requests()


def test_google_one_read_batched_writes_valid_formatting_and_charts(
        google_store_factory, sheets_fake, line_fake, config: Config, tmp_path: Path) -> None:
    seed_fake(sheets_fake)
    store = google_store_factory()
    run = run_monthly_report(store, config, TODAY, out=tmp_path / "r.xlsx")
    assert sheets_fake.kinds() == [
        "values.batchGet",                     # THE read: data tabs + สรุปรายเดือน
        "values.clear", "spreadsheets.batchUpdate",   # the report tab did not exist yet: added
        "values.update",                       # every value of the tab in one write
        "spreadsheets.get",                    # fields-limited: the tab's id and old charts
        "spreadsheets.batchUpdate",            # formats, frozen header, filter, column widths, charts
        "values.append",                       # สรุปรายเดือน: 8 rows at once
    ]                                          # no LINE push: the summary rides in the alert run's
    assert sheets_fake.count("values.batchGet", "values.get") == 1
    tab = sheets_fake.sheet(SPREADSHEET_ID, "รายงานประจำเดือน")
    assert (tab.frozen_row_count, tab.grid.get("frozenColumnCount")) == (3, 1)
    assert tab.basic_filter == {"range": {"sheetId": tab.sheet_id, "startRowIndex": 2, "endRowIndex": 10,
                                          "startColumnIndex": 0, "endColumnIndex": 31}}
    assert len(tab.charts) == 2
    spec = tab.charts[0]["spec"]["basicChart"]
    assert spec["chartType"] == "COLUMN" and spec["headerCount"] == 1
    assert spec["domains"][0]["domain"]["sourceRange"]["sources"][0]["startRowIndex"] == 2
    assert tab.charts[1]["spec"]["basicChart"]["stackedType"] == "STACKED"
    assert tab.format_at(2, 0)["textFormat"]["bold"] is True                      # header row
    assert tab.format_at(3, 7)["numberFormat"] == {"type": "NUMBER", "pattern": "#,##0.00"}
    assert tab.format_at(10, 0)["textFormat"]["bold"] is True                     # the รวม row
    values = sheets_fake.rows(SPREADSHEET_ID, "รายงานประจำเดือน")
    assert values[10][0] == "รวม" and values[10][7] == 45000
    assert len(sheets_fake.rows(SPREADSHEET_ID, "สรุปรายเดือน")) == 1 + 8
    assert line_fake.requests == [] and "remind" in run.as_json()["run"]["line_note"]

    # Rerun: the old charts are deleted first (still two), nothing appended.
    sheets_fake.reset_requests()
    rerun = run_monthly_report(google_store_factory(), config, TODAY, out=False)
    assert sheets_fake.kinds() == ["values.batchGet", "values.clear", "values.update", "spreadsheets.get",
                                   "spreadsheets.batchUpdate"]
    assert len(sheets_fake.sheet(SPREADSHEET_ID, "รายงานประจำเดือน").charts) == 2
    assert rerun.snapshot_rows == 0 and line_fake.requests == []
    # sheets_fake's teardown asserts fake.violations == []: every request valid per the discovery document


# -- LINE: the summary rides in the alert run's push of the day -------------------------------------
def alert_run(store: Any, messenger: Any, config: Config, tmp_path: Path, day: dt.date = TODAY) -> Any:
    """The day's alert run as main.send_reminders makes it, with the month's summaries attached."""
    from reminders.job import run_reminders
    from report.notify import MonthlySummaries
    from sheets.claims import FileClaims

    return run_reminders(store, messenger, config, day, dt.datetime.combine(day, dt.time(8, 0)),
                         claims=FileClaims(tmp_path / "claims"), attachments=MonthlySummaries())


def summary_rows(store: Any) -> list[list[Any]]:
    return [row for row in store.read(["alert_log"])["alert_log"].rows if "สรุปรายเดือน" in row]


def test_line_summary_to_province_and_district_officers_once(
        line_messenger, line_fake, config: Config, tmp_path: Path, tiny_store) -> None:
    store = tiny_store
    run = alert_run(store, line_messenger, config, tmp_path)
    # PV-01 (province), OF-01 and OF-02 (เมืองตราด); OF-03 has no LINE; OF-04 is inactive.
    assert {r.officer_id: (r.status, r.monthly_summary) for r in run.recipients} == {
        "PV-01": ("sent", True), "OF-01": ("sent", True), "OF-02": ("sent", True),
        "OF-03": ("no-line-account", False)}
    assert line_fake.violations == []
    assert sorted(d.to for d in line_fake.deliveries) == sorted([USER_PV01, USER_OF01, USER_OF02])
    province = next(d for d in line_fake.deliveries if d.to == USER_PV01).messages[0]
    assert province["type"] == "flex" and "ตุลาคม 2569" in province["altText"]
    texts = json.dumps(province, ensure_ascii=False)
    assert "17,000 บาท" in texts and "33.3%" in texts and "เขาสมิง" in texts   # province arrears, PAR30
    # A district officer's one push of the day: the summary of their district, then the digest.
    district = next(d for d in line_fake.deliveries if d.to == USER_OF01).messages
    assert len(district) == 2 and "อำเภอเมืองตราด" in district[0]["altText"] and "แจ้งเตือนลูกหนี้" in district[1]["altText"]
    rows = summary_rows(store)
    assert [r[9] for r in rows] == ["รอส่ง"] * 3 + ["ส่งแล้ว"] * 3          # written ahead, then sent
    assert all(str(r[10]).startswith("2026-10 สรุปรายเดือน") for r in rows)
    # Rerun the same day, and again the next day: never sent twice.
    alert_run(store, line_messenger, config, tmp_path)
    alert_run(store, line_messenger, config, tmp_path, TODAY + dt.timedelta(days=1))
    summaries = [m for d in line_fake.deliveries for m in d.messages if m["altText"].startswith("สรุป กข.คจ.")]
    assert len(summaries) == 3
    assert len(summary_rows(store)) == 6


def test_a_failed_push_is_logged_failed_and_sent_on_the_next_run(
        line_messenger, line_fake, config: Config, tmp_path: Path, tiny_store) -> None:
    store = tiny_store
    line_fake.fail_next(400)                       # OF-01's push: its digest and its summary
    first = alert_run(store, line_messenger, config, tmp_path)
    assert first.failed_officers == ["OF-01"] and first.pushes == 2
    second = alert_run(store, line_messenger, config, tmp_path)
    assert [r.officer_id for r in second.recipients] == ["OF-01"] and second.recipients[0].monthly_summary
    assert second.pushes == 1 and len(line_fake.deliveries) == 3
    assert len(line_fake.deliveries[-1].messages) == 2                       # summary + digest, one push
    assert line_fake.deliveries[-1].retry_key != retry_key_for(TODAY, USER_OF01)   # a new push: a new key


def test_the_report_never_pushes_and_only_the_month_just_ended_rides_in_the_alerts(
        config: Config, outbox_messenger, tiny_store) -> None:
    from report.notify import monthly_attachments

    store = tiny_store
    old = run_monthly_report(store, config, TODAY, year=2026, month=9, out=False)
    this = run_monthly_report(store, config, TODAY, out=False)
    assert not outbox_messenger.path.exists() and "remind" in old.as_text() and "remind" in this.as_text()
    ds = dataset()
    november = monthly_attachments(ds, None, config, TODAY)
    assert {a.officer_id for a in november} == {"PV-01", "OF-01", "OF-02"}
    assert {a.item.detail.split(" ")[0] for a in november} == {"2026-10"}
    assert {a.item.detail.split(" ")[0] for a in monthly_attachments(ds, None, config, dt.date(2026, 12, 1))} == \
        {"2026-11"}


def test_flex_fits_line_limits_and_recipients_are_counted(config: Config) -> None:
    ds = dataset()
    r = build_report(ds, config, *OCT)
    for scope in [PROVINCE] + list(district_names()):
        message = summary_flex(r, scope, link="https://docs.google.com/spreadsheets/d/x/edit")
        assert json_size(message["contents"]) < MAX_BUBBLE_BYTES and len(message["altText"]) <= MAX_ALT_TEXT
    assert monthly_recipients(ds, config) == ["PV-01", "OF-01", "OF-02"]
    assert [t.officer_id for t in monthly_targets(ds)] == ["PV-01", "OF-01", "OF-02", "OF-03"]


# -- CLI and Cloud Function ----------------------------------------------------------------------
def test_cli_report_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch, tiny_store) -> None:
    from cli import main

    monkeypatch.setenv("KKC_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    store = tiny_store
    out = tmp_path / "meeting.xlsx"
    # Nothing is pushed (the summary rides in `remind`): stdout is one JSON object.
    assert main(["report", "--store", str(store.path), "--date", "2026-11-26", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["month"] == "2026-10" and data["province"]["arrears"] == 17000.0 and out.exists()
    assert "remind" in data["run"]["line_note"] and not (tmp_path / "outbox.jsonl").exists()
    assert main(["report", "--store", str(store.path), "--date", "2026-11-26", "--month", "2026-09",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "ประจำเดือน กันยายน 2569" in text and "ปีงบประมาณ 2569" in text
    assert main(["report", "--store", str(store.path), "--date", "2026-11-26", "--month", "2027-01"]) == 2


def test_cloud_function_answers_json_and_500_on_store_errors(tmp_path: Path, monkeypatch, tiny_store) -> None:
    from functions_framework import create_app

    from core.config import ROOT

    def cold_instance() -> Any:
        """monthly_report on a new instance (functions-framework loads main.py anew for each app)."""
        monkeypatch.setenv("FUNCTION_TARGET", "monthly_report")  # create_app sets it; put back after the test
        return create_app(target="monthly_report", source=str(ROOT / "main.py")).test_client()

    store = tiny_store
    monkeypatch.setenv("KKC_STORE", str(store.path))
    monkeypatch.setenv("KKC_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    client = cold_instance()
    answer = client.post("/", query_string={"date": "2026-11-26", "push": "false"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/json")
    assert answer.get_json()["province"]["outstanding"] == 45000.0
    answer = client.post("/", json={"month": "bad"})
    assert answer.status_code == 400 and "error" in answer.get_json()
    monkeypatch.setenv("KKC_STORE", str(tmp_path / "missing.xlsx"))
    answer = cold_instance().post("/", query_string={"date": "2026-11-26"})
    assert answer.status_code == 500 and "missing.xlsx" in answer.get_json()["error"]


# -- the alert log is not read for the report --------------------------------------------------------
def test_the_report_reads_every_data_tab_but_the_alert_log_and_its_figures_are_the_same(
        google_store_factory, sheets_fake, config: Config, tmp_path: Path) -> None:
    """No figure of the report uses the alert log, in a big province the sheet's biggest tab (84,000
    rows at 80,000 loans): the one read leaves it out, and a log with a renamed header and a
    bad row changes nothing in the report."""
    from report.job import REPORT_TABS

    data = tiny_province()
    data["alert_log"] = [{"run_date": "ไม่ใช่วันที่", "officer_id": "OF-01", "kind": "ครบกำหนด"}]
    seed_fake(sheets_fake, data)
    header = sheets_fake.rows(SPREADSHEET_ID, TABS["alert_log"].title)[0]
    renamed = [("ผู้รับ" if h == TABS["alert_log"].column("officer_id").header else h) for h in header]
    sheets_fake.set_rows(SPREADSHEET_ID, TABS["alert_log"].title,
                         [renamed] + sheets_fake.rows(SPREADSHEET_ID, TABS["alert_log"].title)[1:])
    sheets_fake.reset_requests()
    run = run_monthly_report(google_store_factory(), config, TODAY, out=False)
    (read,) = [r for r in sheets_fake.requests if r.kind == "values.batchGet"]
    asked = " ".join(read.query["ranges"])
    assert TABS["alert_log"].title not in asked
    assert all(TABS[key].title in asked for key in REPORT_TABS)
    assert "alert_log" not in REPORT_TABS
    # the same figures as a report made from every tab read and parsed (the log's problems with them)
    tables = as_tables(tiny_province())
    whole = build_report(load_dataset(tables, Layout(config), TODAY), config, *default_month(TODAY),
                         report_as_of(*default_month(TODAY), TODAY), run_date=TODAY)
    assert run.report.districts == whole.districts and run.report.province == whole.province
    assert run.report.funds == whole.funds
    assert [(f.fund_id, f.ok) for f in run.report.quality.funds] == [(f.fund_id, f.ok) for f in whole.quality.funds]


def test_a_tab_left_unread_is_neither_parsed_nor_said_missing(config: Config) -> None:
    from sheets.check import run_check

    data = tiny_province()
    data["alert_log"] = [{"run_date": "ไม่ใช่วันที่", "officer_id": "OF-01"}]
    tables = as_tables(data)
    whole = load_dataset(tables, Layout(config), TODAY)
    assert any(p.tab == TABS["alert_log"].title for p in whole.problems) and whole.unread == ()
    del tables["alert_log"]
    ds = load_dataset(tables, Layout(config), TODAY, unread=("alert_log",))
    assert ds.unread == ("alert_log",) and ds.alert_log == [] and ds.tabs_missing == []
    assert not any(p.tab == TABS["alert_log"].title for p in ds.problems)
    quality = run_check(ds, config, TODAY)
    assert quality.capacity == [] and quality.capacity_note == ""   # it does not know how full the sheet is
    with pytest.raises(ValueError, match="'funds' is read by the parse of another tab"):
        load_dataset(tables, Layout(config), TODAY, unread=("funds",))
    with pytest.raises(ValueError, match="'snapshots' is not a data tab"):
        load_dataset(tables, Layout(config), TODAY, unread=("snapshots",))
