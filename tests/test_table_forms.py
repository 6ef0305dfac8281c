"""A tab read by columns (as the Google store reads it: majorDimension=COLUMNS) is the tab read
by rows: the same rows, the same columns, the same parse, down to each problem and row number."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from sheets.google import GoogleStore
from sheets.model import load_dataset
from sheets.store import Layout, Table, clean_row, header_of, tables_from_values
from tests.conftest import SPREADSHEET_ID, google_rows
from tests.fakes.sheets_api import SheetsFake
from tests.test_dataset import messy_tables

LAYOUT = Layout()
TODAY = dt.date(2026, 1, 15)
CELLS = st.sampled_from([None, "", " ", "  ", "x", "ก ข", "7", 0, 1, 2.5, True, False])


def google_columns(rows: list[list[Any]]) -> list[list[Any]]:
    """What Google answers a read by columns for these rows: a blank cell "", each column up to its
    last non-empty cell (the Sheets fake answers the same: test_the_store_reads_by_columns_...)."""
    width = max(map(len, rows), default=0)
    columns = []
    for j in range(width):
        cells = ["" if j >= len(row) or row[j] is None else row[j] for row in rows]
        while cells and cells[-1] == "":
            cells.pop()
        columns.append(cells)
    return columns


def by_columns(table: Table) -> Table:
    """The table as the Google store makes it from a read by columns."""
    if not table.exists:
        return table
    return Table(table.title, table.header, columns=google_columns(table.rows))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(CELLS, max_size=6), max_size=12))
def test_a_grid_read_by_columns_has_the_rows_and_columns_read_by_rows(rows: list[list[Any]]) -> None:
    as_rows = Table("t", [], [clean_row(cells) for cells in google_rows(rows)])
    as_columns = Table("t", [], columns=google_columns(rows))
    assert as_columns.height == as_rows.height
    assert as_columns.rows == as_rows.rows
    def plain(c: Any) -> Any:  # a blank as None: "" or spaces by columns, None (or dropped) by rows
        return None if c is None or (type(c) is str and not c.strip()) else c

    for index in range(max((len(r) for r in as_rows.rows), default=0)):
        by_row, by_column = as_rows.column(index), as_columns.column(index)
        assert len(by_row) == len(by_column) == as_rows.height
        assert list(map(plain, by_column)) == list(map(plain, by_row))


@pytest.mark.parametrize("seed,share", [(1, 0.0), (2, 0.03), (5, 0.2), (7, 0.08)])
def test_a_messy_sheet_parses_alike_by_rows_and_by_columns(seed: int, share: float) -> None:
    tables = messy_tables(seed=seed, share=share)
    columns = {key: by_columns(table) for key, table in tables.items()}
    assert all(columns[key].rows == [clean_row(r) for r in tables[key].rows][:columns[key].height]
               for key in tables)
    fresh = load_dataset(tables, LAYOUT, TODAY)
    assert load_dataset(columns, LAYOUT, TODAY) == fresh
    assert fresh.problems and fresh.unreadable  # the mess is read, and said, both ways


def test_the_store_reads_by_columns_what_a_read_by_rows_gives(sheets_fake: SheetsFake,
                                                              google_store: GoogleStore) -> None:
    """Through the Sheets API: one values:batchGet by columns; its tables are those of the same
    request by rows, and so is their parse."""
    tables = messy_tables(seed=3, share=0.08)
    for table in tables.values():
        sheets_fake.set_rows(SPREADSHEET_ID, table.title, [table.header, *table.rows])
    sheets_fake.reset_requests()
    read = google_store.read(list(tables))
    [request] = sheets_fake.requests
    assert request.query["majorDimension"] == ["COLUMNS"]
    assert all(table.by_columns for table in read.values())
    # The same read by rows, through the same client.
    answer = google_store.client.values_batch_get(
        SPREADSHEET_ID, [f"'{t.title}'" for t in tables.values()],
        {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING",
         "majorDimension": "ROWS"})
    by_rows = tables_from_values({k: t.title for k, t in tables.items()},
                                 {t.title: vr.get("values", []) for t, vr in zip(tables.values(), answer["valueRanges"])})
    for key in tables:
        assert read[key].header == by_rows[key].header == header_of([tables[key].header])
        assert read[key].rows == by_rows[key].rows, key
    assert load_dataset(read, LAYOUT, TODAY) == load_dataset(by_rows, LAYOUT, TODAY)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(CELLS, max_size=5), max_size=10), data=st.data())
def test_a_pick_of_rows_is_the_same_cells_in_either_form(rows: list[list[Any]], data: st.DataObject) -> None:
    as_rows = Table("t", [], [clean_row(cells) for cells in google_rows(rows)])
    as_columns = Table("t", [], columns=google_columns(rows))
    kept = data.draw(st.lists(st.integers(0, max(as_rows.height - 1, 0)), unique=True).map(sorted)) \
        if as_rows.height else []
    picked_rows, picked_columns = as_rows.pick(kept), as_columns.pick(kept)

    def plain(row: Any) -> list[Any]:  # a row's cells with every blank as None, trailing ones dropped
        return clean_row([None if c is None or (type(c) is str and not c.strip()) else c for c in row])

    for i in range(len(kept)):
        assert plain(col[i] for col in picked_rows) == plain(col[i] for col in picked_columns) \
            == plain(as_rows.rows[kept[i]])


def test_a_tab_with_a_header_only_or_nothing_at_all() -> None:
    header_only = Table("t", ["a", "b"], columns=[[], []])
    assert header_only.height == 0 and header_only.rows == [] and header_only.columns == [[], []]
    nothing = Table("t", [], columns=[])
    assert nothing.height == 0 and nothing.rows == [] and nothing.columns == []


def test_tables_compare_by_content_and_a_picked_table_by_its_row_numbers_too() -> None:
    from chat.scope import SubTable

    one = Table("t", ["a"], columns=[["1", "2"]])
    assert one == Table("t", ["a"], columns=[["1", "2"]]) and one != Table("t", ["a"], columns=[["1", "3"]])
    assert one == Table("t", ["a"], [["1"], ["2"]])   # a form apart, the same cells
    picked = SubTable("t", ["a"], True, [3], one.pick([1]))
    assert picked.rows == [["2"]] and picked.row_numbers([0]) == [3]
    assert picked != SubTable("t", ["a"], True, [4], one.pick([1]))
    with pytest.raises(ValueError):
        Table("t", [], [["x"]], columns=[["x"]])
