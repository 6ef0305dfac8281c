"""What people do to the sheet (issue 9): Buddhist-era years in date cells, headers renamed or
missing, absurd amounts, a ref twice, a citizen id in any cell. Each figure is checked against
what the sheet means, through every store the program uses."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from reminders.plan import PlanContext
from sheets.book import book_of
from sheets.check import quality_tab_rows, run_check, summary_text
from sheets.model import Dataset, ledger_states, load_dataset, read_dataset
from sheets.store import Layout, Store
from tests.conftest import make_config
from tests.sheetdata import TODAY, as_tables, tiny_province
from tests.test_store import webhook_store  # noqa: F401 - a fixture, for the three-store `store`


def _be(day: dt.date) -> dt.date:
    """A date cell typed as 15/1/2569 in a sheet whose locale is not Thai: the year stays 2569."""
    return day.replace(year=day.year + 543)


def test_buddhist_era_years_in_date_cells_count_as_the_date_they_mean() -> None:
    data = tiny_province()
    loan = next(l for l in data["loans"] if l["contract_no"] == "F2-001")   # 1 day overdue today
    loan["loan_date"], loan["due_date"] = _be(loan["loan_date"]), _be(loan["due_date"])
    config = make_config()
    ds = load_dataset(as_tables(data), Layout(config), TODAY, config.rules.max_term_years)

    assert ds.loans["F2-001"].due_date == dt.date(2026, 11, 25)
    state = ledger_states(ds, TODAY, config)["F2-001"]
    assert (state.status_key, state.days_overdue, state.arrears) == ("arrears", 1, 5000)
    warnings = [p for p in ds.problems if p.key == "F2-001" and p.level == "warning"]
    assert {(p.tab, p.header) for p in warnings} == {("ลูกหนี้", "วันที่รับเงินยืม"), ("ลูกหนี้", "วันครบกำหนดชำระ")}
    assert all("2569" in p.message and "พ.ศ." in p.message for p in warnings)
    row = next(p.row for p in warnings)
    assert row == 2 + [l["contract_no"] for l in data["loans"]].index("F2-001")


# -- through every store the program uses -----------------------------------------------------
@pytest.fixture(params=["workbook", "google", "webhook"])
def store(request: pytest.FixtureRequest) -> Store:
    """The workbook, the jobs' Google store and the webhook's Google store (as tests/test_store.py)."""
    return request.getfixturevalue(f"{request.param}_store")


def type_province(editor: Any, data: dict[str, list[dict[str, Any]]],
                  headers: dict[str, dict[str, str]] | None = None) -> None:
    """The tiny province (or `data`) typed into the store's spreadsheet, some headers as `headers`
    says (tab key -> column key -> the header as typed)."""
    layout = Layout()
    for key, table in as_tables(data, layout).items():
        header = list(table.header)
        for col_key, typed in (headers or {}).get(key, {}).items():
            header[header.index(layout.header(key, col_key))] = typed
        editor.write_tab(table.title, [header] + table.rows)


def read(store: Store) -> Dataset:
    config = make_config()
    return read_dataset(store, Layout(config), TODAY, config.rules.max_term_years)


_ID_RUN = re.compile(r"(?<![0-9])(?:[0-9][\s\-]?){12}[0-9](?![0-9])")


def test_a_renamed_header_still_reads_and_alerts(store: Store, sheet_editor: Any) -> None:
    type_province(sheet_editor, tiny_province(),
                  {"loans": {"due_date": "วันครบกำหนด\nชำระ", "amount": "จำนวนเงินยืม"},
                   "installments": {"amount": "จำนวนเงิน  (บ.)"}})
    ds = read(store)

    assert ds.blocking == []
    assert ds.loans["F2-001"].due_date == dt.date(2026, 11, 25)
    state = ledger_states(ds, TODAY, make_config())["F1-002"]
    assert (state.status_key, state.days_overdue, state.arrears) == ("arrears", 31, 6000)


def test_a_missing_header_is_blocking_and_said_first(store: Store, sheet_editor: Any) -> None:
    type_province(sheet_editor, tiny_province(), {"loans": {"due_date": "วันที่ต้องชำระคืน"}})
    ds = read(store)

    [blocking] = ds.blocking
    assert (blocking.tab, blocking.header, blocking.field) == ("ลูกหนี้", "วันครบกำหนดชำระ", "due_date")
    assert list(ds.readable_loans()) == []                       # no alert is made of what is left
    assert {(u.tab, u.fund_id) for u in ds.unreadable if u.tab == "ลูกหนี้"} == {
        ("ลูกหนี้", "230101-01"), ("ลูกหนี้", "230102-03"), ("ลูกหนี้", "230301-02")}
    assert [p for p in ds.problems if p.field == "due_date" and p.tab == "ลูกหนี้"] == []
    report = run_check(ds, make_config(), TODAY)
    text = summary_text(report).splitlines()
    assert text[0].startswith("ต้องแก้ก่อน") and "วันครบกำหนดชำระ" in text[1] and "ลูกหนี้" in text[1]
    assert report.as_json()["blocking"] == [blocking.as_dict()]

    store.rewrite("quality", quality_tab_rows(report))
    tab = store.read(["quality"])["quality"]
    assert tab.header[0].startswith("ต้องแก้ก่อน")
    assert "วันครบกำหนดชำระ" in tab.rows[0][0]
    problems_start = next(i for i, row in enumerate(tab.rows) if row[:2] == ["แท็บ", "แถว"])
    assert tab.rows[problems_start + 1][:2] == ["ลูกหนี้", 1] and "วันครบกำหนดชำระ" in tab.rows[problems_start + 1][5]


def test_1e15_baht_is_an_error_naming_the_cell_and_the_loan_is_left_out(store: Store, sheet_editor: Any) -> None:
    data = tiny_province()
    data["loans"][0]["amount"] = 1e15                            # F1-001, row 2, fund 230101-01 (OF-01)
    type_province(sheet_editor, data)
    ds = read(store)

    [problem] = [p for p in ds.problems if p.tab == "ลูกหนี้" and p.row == 2]
    assert (problem.field, problem.header, problem.level, problem.key) == (
        "amount", "จำนวนเงินยืม (บาท)", "error", "F1-001")
    assert "มากเกินกว่าที่เป็นไปได้" in problem.message
    assert not ds.loans["F1-001"].readable
    assert book_of(ds).index("F1-001") is None
    assert ("ลูกหนี้", 2, "230101-01") in {(u.tab, u.row, u.fund_id) for u in ds.unreadable}
    assert PlanContext(ds, make_config()).unreadable_by_officer["OF-01"] == 1


def test_a_ref_that_appears_twice_is_reported_naming_both_rows(store: Store, sheet_editor: Any) -> None:
    data = tiny_province()
    entry = {"contract_no": "F1-001", "paid_date": dt.date(2026, 11, 20), "amount": 1000, "source": "LINE",
             "recorded_by": "OF-01", "ref": "line:8f2a"}
    data["payments"] += [entry, dict(entry, recorded_at=dt.datetime(2026, 11, 20, 9, 1))]   # rows 7 and 8
    type_province(sheet_editor, data)
    ds = read(store)

    [twice] = [p for p in ds.problems if p.field == "ref"]
    assert (twice.tab, twice.row, twice.key, twice.level) == ("รับชำระ", 8, "F1-001", "error")
    assert "line:8f2a" in twice.message and "แถว 7" in twice.message
    assert [p.row for p in ds.payments["F1-001"]] == [7]          # counted once
    assert twice in run_check(ds, make_config(), TODAY).problems


def test_no_whole_citizen_id_in_the_check_tab_or_its_console_output(store: Store, sheet_editor: Any) -> None:
    cid = "1101400123451"
    data = tiny_province()
    data["funds"][0]["village_name"] = f"บ้าน {cid}"
    data["loans"][6]["contract_no"] = cid                                 # an id typed as a contract number
    data["payments"][4]["contract_no"] = "1-1014-00123-45-1"              # a payment against it, unknown
    data["payments"].append({"contract_no": "F1-001", "paid_date": dt.date(2026, 11, 1), "amount": 1,
                             "ref": cid})
    data["payments"].append({"contract_no": "F1-001", "paid_date": dt.date(2026, 11, 1), "amount": 1,
                             "ref": cid})
    data["committee"].append({"fund_id": cid, "name": "นายกรรมการ"})
    type_province(sheet_editor, data)
    report = run_check(read(store), make_config(), TODAY)

    store.rewrite("quality", quality_tab_rows(report))
    tab = store.read(["quality"])["quality"]
    cells = [str(c) for row in [tab.header] + tab.rows for c in row if c is not None]
    shown = [summary_text(report, limit=100), json.dumps(report.as_json(), ensure_ascii=False), *cells]
    assert any("x-xxxx-xxxx" in text for text in shown)                  # the id was echoed, masked
    assert [text for text in shown if _ID_RUN.search(text)] == []
