"""The store: one small interface over the Smart Data spreadsheet, two backends.

A backend moves raw cell values; it knows nothing of loans or funds. Reading
and checking values is `sheets.model`'s job, so both backends behave the same.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
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


@dataclass
class Table:
    """A tab as read: its header row and its data rows (raw cell values).

    Data row i (0-based) is sheet row i + 2: row 1 holds the headers.
    """

    title: str
    header: list[str]
    rows: list[list[Any]]
    exists: bool = True

    def row_number(self, index: int) -> int:
        return index + 2

    def row_numbers(self, indexes: list[int]) -> list[int]:
        """The sheet row numbers of these data rows, at once (a big tab has 300,000)."""
        return [index + 2 for index in indexes]


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

    def init_template(self, templates: Sequence[TabTemplate]) -> list[str]:
        """Create what is missing (tabs, headers, formats); never delete or move data. Returns actions done."""

    def batch(self) -> ContextManager[None]:
        """Group a job's writes (one load and one save on a workbook; nothing to do on Google)."""

    def write_report(self, tab_key: str, report: ReportSheet) -> None:
        """Replace a generated tab with a formatted report (a sheets.report_layout.ReportSheet):
        tables with number formats, the header frozen, a filter, native charts."""


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


def tables_from_values(titles: Mapping[str, str], found: Mapping[str, list[list[Any]]]) -> dict[str, Table]:
    """Tab key -> Table from a batch read (title -> rows); a title not found is a missing tab."""
    tables = {}
    for key, title in titles.items():
        values = found.get(title)
        if values is None:
            tables[key] = Table(title, [], [], exists=False)
        else:
            tables[key] = Table(title, header_of(values), [clean_row(r) for r in values[1:]])
    return tables


def batch_read(titles: Mapping[str, str], batch_get: Callable[[list[str]], Mapping[str, list[list[Any]]]],
               existing_titles: Callable[[], set[str]]) -> dict[str, Table]:
    """Whole tabs in one batch read (tab key -> title). A missing tab fails Google's whole batch
    ("Unable to parse range"), so on that answer ask which tabs exist and read just those."""
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
    return tables_from_values(titles, found)


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
