"""A parse that takes unchanged tabs over from an earlier parse (sheets.model.Parsed) is the
parse of the new tables, whatever changed: one cell anywhere, a row added or removed, a header
renamed, a tab gone, the day. And it does take over: a repayment typed leaves the loans and
their schedules as they were parsed."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sheets.model import Parsed, load_dataset
from sheets.store import Layout, Table
from tests.test_dataset import MESS, messy_tables
from tests.test_table_forms import by_columns

LAYOUT = Layout()
TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module", params=["by rows", "by columns"])
def sheet(request: pytest.FixtureRequest) -> tuple[dict[str, Table], Parsed]:
    """A messy demo sheet (every kind of problem in it) and its parse; read by rows as a workbook is,
    or by columns as the Google store reads it."""
    tables = messy_tables(seed=5, share=0.04)
    if request.param == "by columns":
        tables = {key: by_columns(table) for key, table in tables.items()}
    return tables, Parsed(tables, load_dataset(tables, LAYOUT, TODAY), LAYOUT, 3)


def like(table: Table, rows: list[list[Any]] | None = None, header: list[str] | None = None) -> Table:
    """The table with other rows or another header, in the same form (by rows or by columns)."""
    changed = Table(table.title, table.header if header is None else header,
                    table.rows if rows is None else rows, table.exists)
    return by_columns(changed) if table.by_columns else changed


def edited(tables: dict[str, Table], tab_key: str, row: int, col: int, value: Any) -> dict[str, Table]:
    """The tables with one cell of one tab typed again (the row padded when it is shorter)."""
    table = tables[tab_key]
    rows = [list(r) for r in table.rows]
    cells = rows[row % len(rows)]
    cells.extend([None] * (col + 1 - len(cells)))
    cells[col] = value
    return {**tables, tab_key: like(table, rows)}


def reparsed(tables: dict[str, Table], earlier: Parsed, today: dt.date = TODAY):
    taken = load_dataset(tables, LAYOUT, today, earlier=earlier)
    fresh = load_dataset(tables, LAYOUT, today)
    return taken, fresh


TABS = ("officers", "funds", "loans", "installments", "payments", "committee", "line_links", "alert_log",
        "documents")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tab_key=st.sampled_from(TABS), row=st.integers(0, 10_000), col=st.integers(0, 12),
       value=st.sampled_from(MESS))
def test_one_cell_typed_again_anywhere_parses_as_a_fresh_read(sheet, tab_key, row, col, value) -> None:
    tables, earlier = sheet
    if not tables[tab_key].rows:
        return
    taken, fresh = reparsed(edited(tables, tab_key, row, col, value), earlier)
    assert taken == fresh


def test_rows_added_removed_a_header_renamed_a_tab_gone_and_another_day(sheet) -> None:
    tables, earlier = sheet
    payments = tables["payments"]
    changes = {
        "a repayment typed": {**tables, "payments": like(payments, payments.rows + [list(payments.rows[3])])},
        "an installment row deleted": {**tables, "installments": like(tables["installments"],
                                                                      tables["installments"].rows[1:])},
        "a required header renamed": {**tables, "loans": like(
            tables["loans"], header=["x" if h == tables["loans"].header[0] else h for h in tables["loans"].header])},
        "a tab gone": {**tables, "documents": Table(LAYOUT.title("documents"), [], [], exists=False)},
        "nothing": tables,
    }
    for what, changed in changes.items():
        taken, fresh = reparsed(changed, earlier)
        assert taken == fresh, what
    taken, fresh = reparsed(tables, earlier, TODAY + dt.timedelta(days=1))
    assert taken == fresh and taken.today == TODAY + dt.timedelta(days=1)


def test_a_repayment_typed_takes_the_loans_and_schedules_over(sheet) -> None:
    tables, earlier = sheet
    payments = tables["payments"]
    typed = ["NO-SUCH-1", *payments.rows[0][1:]]  # a repayment against a contract nobody has
    changed = {**tables, "payments": like(payments, payments.rows + [typed])}
    taken = load_dataset(changed, LAYOUT, TODAY, earlier=earlier)
    same = random.Random(1).sample(sorted(earlier.ds.loans), 20)
    assert all(taken.loans[no] is earlier.ds.loans[no] for no in same)
    assert all(taken.installments.get(no) == earlier.ds.installments.get(no) for no in same)
    # The schedules are read-only columns, taken over as they are.
    assert taken.installments is earlier.ds.installments
    # The payments were parsed again: the new row is said.
    assert any("NO-SUCH-1" in p.message for p in taken.problems if p.tab == payments.title)
    assert not any("NO-SUCH-1" in p.message for p in earlier.ds.problems)


def test_an_earlier_parse_of_another_layout_or_term_is_not_used(sheet) -> None:
    tables, earlier = sheet
    other = Parsed(tables, earlier.ds, Layout(), 3)  # an equal layout, but not the one in use
    taken = load_dataset(tables, LAYOUT, TODAY, earlier=other)
    assert all(taken.loans[no] is not earlier.ds.loans[no] for no in list(earlier.ds.loans)[:20])
    longer = dataclasses.replace(earlier, max_term_years=5)
    taken = load_dataset(tables, LAYOUT, TODAY, max_term_years=3, earlier=longer)
    assert all(taken.loans[no] is not earlier.ds.loans[no] for no in list(earlier.ds.loans)[:20])


def test_a_tab_not_declared_in_reads_is_always_parsed(sheet, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new tab whose parser nobody listed in READS is never taken over (it could read anything)."""
    import sheets.model as model

    tables, earlier = sheet
    monkeypatch.delitem(model.READS, "committee")
    taken = load_dataset(tables, LAYOUT, TODAY, earlier=earlier)
    assert taken == load_dataset(tables, LAYOUT, TODAY)
    assert taken.committee and all(new is not old for new, old in zip(taken.committee, earlier.ds.committee))
    assert all(taken.loans[no] is earlier.ds.loans[no] for no in list(earlier.ds.loans)[:20])


def test_an_empty_list_left_by_a_lookup_is_not_carried_over(sheet) -> None:
    """Reading `ds.payments[no]` for a contract with no payment leaves an empty list in the
    defaultdict; the next parse taking that tab over must not carry it. The schedules are
    read-only columns: a contract without one is not in them, and asking for it changes nothing."""
    tables, _ = sheet
    ds = load_dataset(tables, LAYOUT, TODAY)
    assert ds.payments["NO-SUCH-CONTRACT"] == []
    with pytest.raises(KeyError):
        ds.installments["NO-SUCH-CONTRACT"]
    assert ds.installments.get("NO-SUCH-CONTRACT") is None and "NO-SUCH-CONTRACT" not in ds.installments
    taken = load_dataset(tables, LAYOUT, TODAY, earlier=Parsed(tables, ds, LAYOUT, 3))
    assert "NO-SUCH-CONTRACT" not in taken.installments and "NO-SUCH-CONTRACT" not in taken.payments
    assert taken.installments is ds.installments   # taken over as it is: nothing can change it
    assert taken == load_dataset(tables, LAYOUT, TODAY)
