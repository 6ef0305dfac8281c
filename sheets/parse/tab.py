"""Reading one tab column by column, collecting problems instead of raising.

One engine for every tab: each column is read once through its cell reader (sheets/readers.py),
each distinct value parsed once. A national-size sheet has millions of cells and repeats its
dates, amounts and ids a lot, so the per-cell work stays in comprehensions. A parser reads a
column, then checks it across the rows; the tab's problems are handed over in row order, so a
person reads them top to bottom and, within a row, in the order they were found.
"""
from __future__ import annotations

import datetime as dt
from operator import attrgetter
from typing import Any, Callable, Sequence

from core.thai import date_th, mask_id_runs
from sheets import readers
from sheets.records import Dataset, Level, Problem
from sheets.store import Layout, MissingColumn, Table, pick_rows

REQUIRED_BLANK = "ไม่ได้กรอก (ต้องกรอก)"
_DATE_READERS = (readers.read_date, readers.read_datetime)
# Readers with a way to read many values at once; what that leaves is read one by one (TabReader._table).
_AT_ONCE: dict[Callable[[Any], Any], Callable[[set[Any]], dict[Any, Any]]] = {
    readers.read_citizen_id: readers.citizen_ids_read_at_once}


class _Err:
    """A memoised reader failure (so a repeated bad value is parsed once)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


_BLANK = object()  # a blank cell in a column being read
_SKIPPED = object()  # a cell that `where` leaves out: read as blank, never a problem


class TabReader:
    """The non-blank rows of one tab, read a column at a time.

    A parser sets `keys` (each row's fund, contract or officer id) and `funds` (whose
    problem it is) once it has read them, so every later problem names its row.
    """

    def __init__(self, layout: Layout, tab_key: str, table: Table, positions: dict[str, int],
                 missing: frozenset[str] = frozenset(), skipped: frozenset[str] = frozenset()):
        self.layout, self.tab_key, self.title, self.positions = layout, tab_key, layout.title(tab_key), positions
        # Required columns the header row lacks: read as blank in every row, without a problem per
        # row (the tab's one blocking problem says it, with the count of rows).
        self.missing = missing
        # Optional columns the job does not use (see sheets.model.load_dataset's `skip`): not read at
        # all, blank in every record, and nothing said about them.
        self.skipped = skipped
        # The tab as columns (Google answers by columns; a workbook's rows are turned at once, in C):
        # a column read is then a lookup, not a pass over every row.
        columns = table.columns
        # A blank row is left out. Usually no row's first cell is blank, and then every row is kept
        # without a look at each; else only the rows whose first cell is blank are looked along.
        first = columns[0] if columns else []
        blank = {value for value in set(first) if value is None or (type(value) is str and not value.strip())}
        if blank:
            kept = [index for index, value in enumerate(first)
                    if value not in blank or has_value([cells[index] for cells in columns])]
            if len(kept) < len(first):
                columns = pick_rows(columns, kept)
        else:
            kept = list(range(len(first)))
        self.columns: list[Sequence[Any]] = columns
        self.numbers = table.row_numbers(kept)  # sheet row numbers
        self.n = len(kept)
        self.keys: list[str] = [""] * self.n
        self.funds: list[str | None] = [None] * self.n
        self.failed: set[tuple[int, str]] = set()  # (row index, column) that could not be read
        self.problems: list[Problem] = []

    def problem(self, i: int, col: str, message: str, level: Level = "error") -> None:
        """A problem in row index i (0-based among the kept rows) and column `col` ("" for the row)."""
        self.problem_at(self.numbers[i], self.keys[i], col, message, level, self.funds[i])

    def problem_at(self, row: int, key: str, col: str, message: str, level: Level,
                   fund_id: str | None) -> None:
        """A problem at a sheet row, for the checks that look at several rows at once (a schedule)."""
        header = self.layout.header(self.tab_key, col) if col else ""
        # What a person typed travels in the message and the key: a citizen id in any cell is masked.
        self.problems.append(Problem(self.title, row, mask_id_runs(key), col, header, level,
                                     mask_id_runs(message), fund_id))

    def problems_by_row(self) -> list[Problem]:
        return sorted(self.problems, key=attrgetter("row"))  # stable: a row keeps its own order

    def read(self, col: str, reader: Callable[[Any], Any], required: bool = False,
             where: Sequence[bool] | None = None, blank: Any = None) -> list[Any]:
        """The column's values read by `reader`: `blank` where blank, None where unreadable (with a
        problem, as is a blank in a required column). `where` limits the reading to the rows marked
        True (the others read as blank, with no problem)."""
        if col in self.skipped:
            return [blank] * self.n
        index = self.positions.get(col)
        if index is None and col in self.missing:
            self.failed.update((i, col) for i in range(self.n))
            return [blank] * self.n
        if index is None or index >= len(self.columns):
            values: Sequence[Any] = [None] * self.n
        else:
            values = self.columns[index]
        if where is not None:
            values = [value if keep else _SKIPPED for value, keep in zip(values, where)]
        distinct = set(values)
        # True == 1 in a dict: read booleans (rare) as the text they show. A bool can only hide
        # in a column where something equal to True or False is found.
        if (True in distinct or False in distinct) and bool in set(map(type, values)):
            values = [str(v).upper() if type(v) is bool else v for v in values]
            distinct = set(values)
        distinct.discard(_SKIPPED)
        if reader is readers.read_text:
            table, bad = _text_table(distinct, required)
        else:
            table, bad = self._table(distinct, reader, required, blank)
        table[_SKIPPED] = blank
        out = list(map(table.__getitem__, values))
        if reader in _DATE_READERS:
            self._warn_buddhist_era_cells(col, values, table)
        if bad:
            for i in [i for i, value in enumerate(values) if value in bad]:
                result = table[values[i]]
                out[i] = blank if result is _BLANK else None
                self.failed.add((i, col))
                self.problem(i, col, result.message if type(result) is _Err else REQUIRED_BLANK)
        return out

    @staticmethod
    def _table(distinct: set[Any], reader: Callable[[Any], Any], required: bool,
               blank: Any) -> tuple[dict[Any, Any], set[Any]]:
        """Each distinct value read once: the result, `_BLANK`, or an `_Err`; and the values that
        are a problem (unreadable, or blank where required)."""
        at_once = _AT_ONCE.get(reader)
        table: dict[Any, Any] = at_once(distinct) if at_once is not None else {}
        bad: set[Any] = set()
        for value in (distinct - table.keys() if table else distinct):
            if value is None or (type(value) is str and (value == "" or value.isspace())):
                table[value] = _BLANK if required else blank
                if required:
                    bad.add(value)
                continue
            try:
                table[value] = reader(value)
            except readers.CellError as exc:
                table[value] = _Err(str(exc))
                bad.add(value)
        return table, bad

    def _warn_buddhist_era_cells(self, col: str, values: Sequence[Any], table: dict[Any, Any]) -> None:
        """A real date cell holding a B.E. year is read as that date (year − 543), with a warning
        naming the cell so that the sheet gets fixed (its locale, or the date typed again)."""
        seen = {v for v in table if readers.is_be_date_cell(v)}
        if not seen:
            return
        for i, value in enumerate(values):
            if value in seen:
                day = table[value]
                shown = date_th(day.date() if isinstance(day, dt.datetime) else day)
                self.problem(i, col, f"ช่องวันที่เก็บปี {value.year} ซึ่งเป็นปี พ.ศ. อ่านเป็น {shown} "
                                     f"(ตั้งภาษาและภูมิภาคของสเปรดชีตเป็นไทย แล้วพิมพ์วันที่ใหม่)", "warning")

    def text(self, col: str, required: bool = False) -> list[str]:
        return self.read(col, readers.read_text, required, blank="")


def _text_table(distinct: set[Any], required: bool) -> tuple[dict[Any, Any], set[Any]]:
    """`readers.read_text` of each distinct value, in one comprehension: text columns (names,
    refs, notes) are mostly distinct values, so a call per value is most of their cost. And the
    values that are a problem: blank where required."""
    # Text already tidy is the cell's own string: its hash, computed when the column was read,
    # then serves every later look-up by it (the contract numbers of 480,000 installment and
    # payment rows), and no copy is kept.
    table: dict[Any, Any] = {v: (v if (tidy := " ".join(v.split())) == v else tidy) if type(v) is str
                             else readers.read_text(v) for v in distinct}
    bad: set[Any] = set()
    if required:
        for value, text in table.items():
            if not text:
                table[value] = _BLANK
                bad.add(value)
    return table, bad


def has_value(cells: Sequence[Any]) -> bool:
    for cell in cells:
        if cell is not None and not (type(cell) is str and not cell.strip()):
            return True
    return False


def open_tab(ds: Dataset, layout: Layout, tables: dict[str, Table], tab_key: str,
             skipped: frozenset[str] = frozenset()) -> TabReader | None:
    """A reader for the tab, or None when the tab is missing (recorded in `ds.tabs_missing`).

    A required column the header row lacks is one blocking problem per column (`ds.blocking`),
    and the tab is read as if that column were blank in every row: each parser already leaves
    out, and counts as unreadable, a row that lacks what a computation needs, and says nothing
    per row about that column. A tab with neither a header nor data lacks nothing."""
    table = tables.get(tab_key)
    title = layout.title(tab_key)
    if table is None or not table.exists:
        ds.tabs_missing.append(title)
        return None
    found = layout.match(tab_key, table.header)
    empty = not table.header and not any(has_value(cells) for cells in table.columns)
    missing = () if empty else found.missing
    tab = TabReader(layout, tab_key, table, found.positions, frozenset(m.col_key for m in missing), skipped)
    ds.blocking.extend(blocking_problem(title, m, tab.n) for m in missing)
    return tab


def blocking_problem(title: str, missing: MissingColumn, rows: int) -> Problem:
    """A required column that is not there: what was looked for, what looks like it, how to fix it."""
    fix = (f"แก้หัวตารางให้เป็น '{missing.header}' หรือตั้งชื่อหัวตารางใน config.yaml "
           f"(headers.{missing.tab_key}.{missing.col_key})")
    message = f"{missing.error()} — {fix}; ข้อมูล {rows:,} แถวของแท็บนี้จึงอ่านคอลัมน์นี้ไม่ได้"
    return Problem(title, 1, "", missing.col_key, missing.header, "error", mask_id_runs(message))
