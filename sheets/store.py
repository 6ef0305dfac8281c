"""The store: one small interface over the Smart Data spreadsheet, two backends.

A backend moves raw cell values; it knows nothing of loans or funds. Reading
and checking values is `sheets.model`'s job, so both backends behave the same.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest
from operator import itemgetter
from typing import Any, Callable, ContextManager, Mapping, Protocol, Sequence

from core.config import Config
from core.schema import TABS, header_key, normalize_header
from sheets.report_layout import ReportSheet


class StoreError(Exception):
    """The store cannot be read or written; the message says what and where."""

    @property
    def bad_range(self) -> bool:
        """Google's "Unable to parse range" (a range names a missing tab); see sheets.client.SheetsError."""
        return False


class MissingColumnError(StoreError):
    """A required column is not in its tab; `close` are headers found there that look like it."""

    def __init__(self, tab_title: str, header: str, close: Sequence[str] = ()):
        hint = f" หัวตารางที่คล้ายกัน: {', '.join(repr(h) for h in close)}" if close else ""
        super().__init__(f"แท็บ '{tab_title}' ไม่มีคอลัมน์ '{header}' ที่จำเป็น "
                         f"(tab '{tab_title}' is missing the required column '{header}')" + hint)
        self.tab_title, self.header, self.close = tab_title, header, tuple(close)


@dataclass(frozen=True)
class MissingColumn:
    """A required column the header row lacks, and the headers there that look like it (a hint)."""

    tab_key: str
    col_key: str
    header: str               # the header looked for (the template's, or config.yaml's rename)
    close: tuple[str, ...]    # headers found that look close, as typed

    def error(self) -> MissingColumnError:
        return MissingColumnError(TABS[self.tab_key].title, self.header, self.close)


@dataclass(frozen=True)
class ColumnMatch:
    """Where a tab's columns are: column key -> index, and the required columns not found."""

    positions: dict[str, int]
    missing: tuple[MissingColumn, ...] = ()


class Table:
    """A tab as read: its header row and its data rows (raw cell values).

    Data row i (0-based) is sheet row i + 2: row 1 holds the headers. A backend hands over either
    the rows (`rows`: trailing blank cells dropped, blank cells None) or, as Google answers a read
    with majorDimension=COLUMNS, the columns (`columns=`: each column's cells under its header, up
    to its last non-empty cell; a blank cell may be "" there). Each form gives the other on first
    use. Why columns: a parse reads a tab column by column, and a big province's 580,000 rows were
    each a list of their own, turned into columns again by the parse (0.25 s and 40 MB at 80,000
    loans). A blank is None, "" or only spaces in either form; every reader treats them alike.
    """

    __slots__ = ("title", "header", "exists", "height", "_rows", "_columns")

    def __init__(self, title: str, header: list[str], rows: list[list[Any]] | None = None, exists: bool = True,
                 *, columns: Sequence[Sequence[Any]] | None = None):
        self.title, self.header, self.exists = title, header, exists
        self._rows: list[list[Any]] | None
        self._columns: Sequence[Sequence[Any]] | None
        if columns is None:
            self._rows, self._columns = (rows if rows is not None else []), None
            self.height = len(self._rows)
        else:
            if rows is not None:
                raise ValueError("a Table is made of rows or of columns, not both")
            self._rows, self._columns = None, columns
            self.height = max(map(len, columns), default=0)

    @property
    def rows(self) -> list[list[Any]]:
        """The data rows, as `clean_row` makes them (from the columns on first use)."""
        if self._rows is None:
            assert self._columns is not None
            self._rows = [clean_row(cells) for cells in zip_longest(*self._columns, fillvalue="")]
        return self._rows

    @property
    def by_columns(self) -> bool:
        """Read as columns (the rows not made unless asked for)."""
        return self._columns is not None

    @property
    def columns(self) -> list[Sequence[Any]]:
        """Every column's data cells, each `height` long (None where a row or a column is shorter)."""
        if self._columns is None:
            return [list(cells) for cells in zip_longest(*self._rows)] if self._rows else []
        height = self.height
        return [cells if len(cells) == height else [*cells, *[None] * (height - len(cells))]
                for cells in self._columns]

    def column(self, index: int) -> Sequence[Any]:
        """One column's data cells, `height` long (None where a row is shorter)."""
        if self._columns is None:
            return [row[index] if index < len(row) else None for row in self.rows]
        cells = self._columns[index] if index < len(self._columns) else []
        return cells if len(cells) == self.height else [*cells, *[None] * (self.height - len(cells))]

    def pick(self, indexes: list[int]) -> list[Sequence[Any]]:
        """The columns of these data rows only (a scope's share of a tab), in their order."""
        if not indexes:
            return []
        if self._columns is None:  # by rows: only the picked rows are turned into columns
            return [list(cells) for cells in zip_longest(*[self.rows[i] for i in indexes])]
        return pick_rows(self.columns, indexes)

    @property
    def cells(self) -> int:
        """The cells the tab uses: its rows (the header's included) × its widest row."""
        if not self.exists:
            return 0
        if self._columns is not None:
            width = len(self._columns)
        else:
            width = max(map(len, self.rows), default=0)
        return (self.height + 1) * max(width, len(self.header))

    def row_number(self, index: int) -> int:
        return index + 2

    def row_numbers(self, indexes: list[int]) -> list[int]:
        """The sheet row numbers of these data rows, at once (a big tab has 300,000)."""
        return [index + 2 for index in indexes]

    def _same(self, other: "Table") -> bool:
        if (self.title, self.header, self.exists, self.height) != (other.title, other.header, other.exists,
                                                                  other.height):
            return False
        # Two reads of one sheet by columns come trimmed alike, so their raw columns are compared as
        # they are (in C). A difference of form only can at worst make a table read as changed.
        if self._columns is not None and other._columns is not None:
            return self._columns == other._columns
        return self.rows == other.rows

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Table)
        return self._same(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __repr__(self) -> str:
        form = "columns" if self.by_columns else "rows"
        return f"{type(self).__name__}({self.title!r}, {len(self.header)} headers, {self.height} rows, by {form})"


def pick_rows(columns: Sequence[Sequence[Any]], indexes: list[int]) -> list[Sequence[Any]]:
    """These rows of columns of equal length, as columns (one itemgetter per column, in C)."""
    if not indexes:
        return []
    if len(indexes) == 1:
        return [[cells[indexes[0]]] for cells in columns]
    take = itemgetter(*indexes)
    return [list(take(cells)) for cells in columns]


@dataclass(frozen=True)
class TabTemplate:
    """What init-sheet lays into one tab."""

    title: str
    headers: tuple[str, ...]
    dropdowns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # header -> values
    formats: Mapping[str, str] = field(default_factory=dict)  # header -> date|datetime|amount|int|text
    protect: bool = False  # warning-only protection (program and generated tabs)


class Layout:
    """Where each column key is, by header, with config.yaml's renames.

    Headers are matched on `core.schema.header_key`, so a header as people leave it (a line
    break, doubled spaces, a unit in brackets added or dropped, Thai digits) still finds its
    column; the first of two headers with one key wins (a person's own copy further right is
    theirs)."""

    def __init__(self, config: Config | None = None):
        self._renames = {tab: (config.header_overrides(tab) if config else {}) for tab in TABS}
        # Tab key -> column key -> the key its header is matched on.
        self._keys = {tab: {c.key: header_key(self.header(tab, c.key)) for c in TABS[tab].columns}
                      for tab in TABS}

    def header(self, tab_key: str, col_key: str) -> str:
        return self._renames[tab_key].get(col_key) or TABS[tab_key].column(col_key).header

    def headers(self, tab_key: str) -> list[str]:
        return [self.header(tab_key, c.key) for c in TABS[tab_key].columns]

    def match(self, tab_key: str, header: Sequence[Any]) -> ColumnMatch:
        """Each column's index in a header row, and the required columns it lacks (never raises)."""
        found: dict[str, int] = {}
        for index, text in enumerate(header):
            found.setdefault(header_key(text), index)
        found.pop("", None)
        positions: dict[str, int] = {}
        lacking: list[str] = []
        for col in TABS[tab_key].columns:
            at = found.get(self._keys[tab_key][col.key])
            if at is not None:
                positions[col.key] = at
            elif col.required:
                lacking.append(col.key)
        if not lacking:
            return ColumnMatch(positions)
        taken = set(positions.values())
        spare = [normalize_header(h) for i, h in enumerate(header) if i not in taken and normalize_header(h)]
        missing = tuple(MissingColumn(tab_key, key, self.header(tab_key, key),
                                      close_headers(self.header(tab_key, key), spare)) for key in lacking)
        return ColumnMatch(positions, missing)

    def positions(self, tab_key: str, table: Table) -> dict[str, int]:
        """Column key -> index in the table; a missing required column is an error."""
        found = self.match(tab_key, table.header)
        if found.missing and table.exists:
            raise found.missing[0].error()
        return found.positions

    def column_keys(self, tab_key: str, header: Sequence[Any]) -> list[str | None]:
        """Each header cell's column key, None for a column of a person's own (or a second copy)."""
        keys: list[str | None] = [None] * len(header)
        for col_key, index in self.match(tab_key, header).positions.items():
            keys[index] = col_key
        return keys

    def title(self, tab_key: str) -> str:
        return TABS[tab_key].title


class Store(Protocol):
    """What the program needs from a spreadsheet."""

    description: str

    def read(self, tab_keys: Sequence[str]) -> dict[str, Table]:
        """All the named tabs in one read (one request on Google). Missing tabs come back empty."""

    def append(self, tab_key: str, records: Sequence[Mapping[str, Any]]) -> None:
        """Append rows (column key -> value) under the tab's own headers; creates a missing program tab."""

    def rewrite(self, tab_key: str, rows: Sequence[Sequence[Any]]) -> None:
        """Replace a generated tab's whole content (the first row is its header)."""

    def move_out(self, tab_key: str, rows: Sequence[int], expected: Sequence[Sequence[Any]],
                 record: Mapping[str, Any]) -> None:
        """Delete these rows (sheet row numbers, ascending) of a program tab and append `record`
        under its headers, in one write that happens whole or not at all. Refused (StoreError),
        nothing changed, when a row no longer holds its `expected` cells (as `read` gives them)."""

    def init_template(self, templates: Sequence[TabTemplate]) -> list[str]:
        """Create what is missing (tabs, headers, formats); never delete or move data. Returns actions done."""

    def batch(self) -> ContextManager[None]:
        """Group a job's writes (one load and one save on a workbook; nothing to do on Google)."""

    def write_report(self, tab_key: str, report: ReportSheet) -> None:
        """Replace a generated tab with a formatted report (a sheets.report_layout.ReportSheet):
        tables with number formats, the header frozen, a filter, native charts."""

    def row_link(self, tab_title: str, row: int) -> str | None:
        """A link that opens the spreadsheet at this row of the tab, for a person to fix it there
        (None: the store has no such link, or it cannot be had now)."""


def clean_row(row: Sequence[Any]) -> list[Any]:
    """A row as every backend gives it: empty cells None, trailing blank cells dropped."""
    if "" in row:
        cells = [None if v == "" else v for v in row]
    elif row and row[-1] is not None and not (type(row[-1]) is str and row[-1].isspace()):
        return row if type(row) is list else list(row)  # the common case: nothing to clean, no copy
    else:
        cells = list(row)
    while cells and (cells[-1] is None or (type(cells[-1]) is str and not cells[-1].strip())):
        cells.pop()
    return cells


def header_of(values: Sequence[Sequence[Any]]) -> list[str]:
    """The normalized header row of a tab's values (row 1)."""
    return [normalize_header(h) for h in clean_row(values[0])] if values else []


def tables_from_values(titles: Mapping[str, str], found: Mapping[str, list[list[Any]]],
                       by_columns: bool = False) -> dict[str, Table]:
    """Tab key -> Table from a batch read (title -> rows; or, `by_columns`, title -> columns, each
    with its header cell first); a title not found is a missing tab."""
    tables: dict[str, Table] = {}
    by_title: dict[str, Table] = {}  # two keys read from one tab share its Table (its columns are cut once)
    for key, title in titles.items():
        values = found.get(title)
        if values is None:
            tables[key] = Table(title, [], [], exists=False)
        elif title in by_title:
            tables[key] = by_title[title]
        elif not by_columns:
            tables[key] = by_title[title] = Table(title, header_of(values), [clean_row(r) for r in values[1:]])
        else:
            header = [normalize_header(h) for h in clean_row([cells[0] if cells else "" for cells in values])]
            for cells in values:
                if cells:
                    del cells[0]  # the header cell, in place: a copy of each column would be 29 MB more at 80k
            tables[key] = by_title[title] = Table(title, header, columns=values)
    return tables


def batch_read(titles: Mapping[str, str], batch_get: Callable[[list[str]], Mapping[str, list[list[Any]]]],
               existing_titles: Callable[[], set[str]], by_columns: bool = False) -> dict[str, Table]:
    """Whole tabs in one batch read (tab key -> title). A missing tab fails Google's whole batch
    ("Unable to parse range"), so on that answer ask which tabs exist and read just those.
    `by_columns`: `batch_get` answers each tab's columns (majorDimension=COLUMNS), not its rows."""
    wanted = list(dict.fromkeys(titles.values()))
    if not wanted:
        return {}
    try:
        found = batch_get(wanted)
    except StoreError as exc:
        if not exc.bad_range:
            raise
        existing = existing_titles()
        present = [t for t in wanted if t in existing]
        if len(present) == len(wanted):
            raise
        found = batch_get(present) if present else {}
    return tables_from_values(titles, found, by_columns)


def cell_value(value: Any) -> Any:
    """A Python value as a backend-neutral cell value."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_text_cell(value: Any) -> Any:
    """Dates as ISO text for backends that write RAW (they read back unambiguously)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return cell_value(value)


def close_headers(wanted: str, found: Sequence[str], limit: int = 3) -> tuple[str, ...]:
    """The headers in `found` that look like `wanted` (by header_key), closest first: a hint for a
    person whose header no longer matches, never a match (a reader never guesses a column)."""
    key = header_key(wanted)
    scored = []
    for text in found:
        other = header_key(text)
        if not other:
            continue
        ratio = difflib.SequenceMatcher(None, key, other).ratio()
        if ratio >= 0.5 or (min(len(key), len(other)) >= 3 and (key in other or other in key)):
            scored.append((-ratio, text))
    return tuple(text for _, text in sorted(scored)[:limit])


def ordered_row(keys: Sequence[str | None], record: Mapping[str, Any]) -> list[Any]:
    """A record's values placed under a tab's existing headers (`Layout.column_keys`); the other
    columns stay blank."""
    return [record.get(key) if key is not None else None for key in keys]


def row_runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def changed_rows(current: Sequence[Sequence[Any]], first: int, rows: Sequence[int],
                 expected: Sequence[Sequence[Any]]) -> list[int]:
    """The rows (sheet row numbers) that no longer hold their expected cells; `current[i]` is what
    sheet row `first + i` holds now."""
    return [row for row, want in zip(rows, expected)
            if not first <= row < len(current) + first or clean_row(current[row - first]) != clean_row(want)]


def moved_rows_error(title: str, changed: Sequence[int]) -> StoreError:
    shown = ", ".join(str(r) for r in changed[:5]) + (" ..." if len(changed) > 5 else "")
    return StoreError(f"แท็บ{title} แถว {shown} เปลี่ยนไปตั้งแต่อ่าน (มีคนแก้ เรียง หรือแทรกแถว) "
                      f"จึงยังไม่ย้ายแถวใดออก จะลองใหม่ในรอบถัดไป "
                      f"(rows changed since they were read: nothing moved)")
