"""From raw tabs to typed records, with every problem found on the way.

`load_dataset` never stops at a bad cell: it records a Problem (tab, row,
column, Thai message) and goes on. A row is left out of a computation only
when a value that computation needs cannot be read, and then it is listed in
`Dataset.unreadable` so that someone is told (spec: "How values are read").

The records are in sheets/records.py, each tab's parser in sheets/parse/; this
module is where the rest of the program gets a Dataset.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Iterable, Mapping

from core.schema import DATA_TABS, TABS
from ledger import LedgerState
from sheets.gc_pause import collector_paused
from sheets.parse.alert_log import parse_alert_log
from sheets.parse.committee import parse_committee
from sheets.parse.documents import parse_documents
from sheets.parse.funds import parse_funds
from sheets.parse.installments import parse_installments
from sheets.parse.line_links import parse_line_links
from sheets.parse.loans import parse_loans
from sheets.parse.officers import parse_officers
from sheets.parse.payments import parse_payments
from sheets.parse.tab import TabReader, open_tab
from sheets.records import (
    LEVEL_TH, AlertLogEntry, CommitteeMember, Dataset, Fund, Installment, Level, LineLink, Loan, Officer,
    Payment, Problem, Schedules, Unreadable,
)
from sheets.store import Layout, Table
from core.config import Config

# The record types live in sheets/records.py; the rest of the program imports them from here.
__all__ = ["LEVEL_TH", "AlertLogEntry", "CommitteeMember", "Dataset", "Fund", "Installment", "Level",
           "LineLink", "Loan", "Officer", "Payment", "Problem", "Unreadable", "load_dataset", "read_dataset",
           "ledger_states", "Parsed"]

Parser = Callable[[Dataset, TabReader], None]

# The tabs whose parsed records each tab's parser reads (ids it checks, amounts it compares): a
# tab taken over from an earlier parse must have these taken over too (see `Parsed`).
READS: dict[str, tuple[str, ...]] = {
    "officers": (), "funds": ("officers",), "loans": ("funds",), "installments": ("funds", "loans"),
    "payments": ("funds", "loans"), "committee": ("funds",), "line_links": ("officers",),
    "alert_log": (), "documents": ("funds",),
}
# The Dataset field each tab's parser fills.
FILLS: dict[str, str] = {
    "officers": "officers", "funds": "funds", "loans": "loans", "installments": "installments",
    "payments": "payments", "committee": "committee", "line_links": "links", "alert_log": "alert_log",
    "documents": "documents",
}


@dataclass(frozen=True)
class Parsed:
    """A parse and what it was made from, for a later parse to take unchanged tabs over from.

    After a person's edit the webhook reads the whole sheet again, and usually one tab has changed
    (a repayment typed in รับชำระ): the records of a tab whose rows are equal to the earlier
    read's, and whose parser reads only tabs taken over too, are the earlier parse's (copied
    containers, the same records), with that tab's problems and unreadable rows. At 80,000 loans
    that spares most of a 1.3 s parse."""

    tables: Mapping[str, Table]
    ds: Dataset
    layout: Layout
    max_term_years: int


def load_dataset(tables: dict[str, Table], layout: Layout, today: dt.date,
                 max_term_years: int = 3, earlier: Parsed | None = None,
                 skip: Mapping[str, frozenset[str]] | None = None, unread: Iterable[str] = ()) -> Dataset:
    """Parse every data tab; problems and unreadable rows are collected, never raised. `earlier`:
    the parse of an earlier read of the same sheet, whose unchanged tabs are taken over. `skip`:
    optional columns (tab key -> column keys) the caller does not use, left unread (see `check_skip`).
    `unread`: data tabs the caller did not read because it uses nothing of them (the monthly report:
    the alert log, at 80,000 loans the sheet's biggest tab), neither parsed nor said missing
    (`Dataset.unread`)."""
    skipped = check_skip(skip or {})
    left = tuple(dict.fromkeys(unread))
    for tab_key in left:
        if tab_key not in READS:
            raise ValueError(f"unread: {tab_key!r} is not a data tab")
        if any(tab_key in reads for reads in READS.values()):
            raise ValueError(f"unread: {tab_key!r} is read by the parse of another tab, which needs it")
    if earlier is not None and not (earlier.ds.today == today and earlier.layout is layout
                                    and earlier.max_term_years == max_term_years
                                    and not skipped and not earlier.ds.skipped
                                    and not left and not earlier.ds.unread):  # whole parses only
        earlier = None
    with collector_paused():  # see sheets/gc_pause.py
        ds = _load_all(tables, layout, today, max_term_years, earlier, skipped, frozenset(left))
    ds.skipped = {key: tuple(sorted(cols)) for key, cols in skipped.items()}
    ds.unread = left
    return ds


def check_skip(skip: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """The columns a job leaves unread, checked: each an optional column of a data tab.

    Why a job skips any: at 80,000 loans the alert run parsed ids, phones, notes and receipt numbers
    it never shows (a sixth of its parse). A skipped column is blank in every record and says no
    problem, so a dataset with any (`Dataset.skipped`) serves only its own job: the figures of the
    report and the data check refuse it (`Dataset.require_whole`). A required column is never
    skipped: its absence stops the alerts (`Dataset.blocking`)."""
    for tab_key, cols in skip.items():
        tab = TABS.get(tab_key)
        if tab is None or tab_key not in READS:
            raise ValueError(f"skip: {tab_key!r} is not a data tab")
        for col in cols:
            try:
                column = tab.column(col)
            except KeyError:
                raise ValueError(f"skip: {tab_key}.{col} is not a column of {tab.title}") from None
            if column.required:
                raise ValueError(f"skip: {tab_key}.{col} is required in {tab.title} and is always read")
    return {key: frozenset(cols) for key, cols in skip.items() if cols}   # an empty entry skips nothing


def _load_all(tables: dict[str, Table], layout: Layout, today: dt.date, max_term_years: int,
              earlier: Parsed | None = None, skipped: Mapping[str, frozenset[str]] | None = None,
              unread: frozenset[str] = frozenset()) -> Dataset:
    ds = Dataset(today=today)
    ds.tab_cells = {table.title: table.cells for table in tables.values() if table.exists}
    # In this order: each tab checks the ids it refers to against the tabs read before it.
    parsers: tuple[tuple[str, Parser], ...] = (
        ("officers", parse_officers),
        ("funds", parse_funds),
        ("loans", partial(parse_loans, max_term_years=max_term_years)),
        ("installments", parse_installments),
        ("payments", parse_payments),
        ("committee", parse_committee),
        ("line_links", parse_line_links),
        ("alert_log", parse_alert_log),
        ("documents", parse_documents),
    )
    parsed: set[str] = set()  # the tabs parsed here, not taken over
    for tab_key, parse in parsers:
        if tab_key in unread:
            continue
        # A tab missing from READS or FILLS (a new one) is always parsed: nothing is taken over unsaid.
        if earlier is not None and tab_key in READS and tab_key in FILLS and _unchanged(tab_key, tables, earlier) \
                and not parsed & set(READS[tab_key]):
            _take_over(ds, earlier.ds, tab_key, layout.title(tab_key))
            continue
        parsed.add(tab_key)
        tab = open_tab(ds, layout, tables, tab_key, (skipped or {}).get(tab_key, frozenset()))
        if tab is not None:
            parse(ds, tab)
            ds.problems.extend(tab.problems_by_row())
    return ds


def _unchanged(tab_key: str, tables: Mapping[str, Table], earlier: Parsed) -> bool:
    """The tab reads as the earlier read did (its header, rows and row numbers; or missing both times)."""
    return tables.get(tab_key) == earlier.tables.get(tab_key)


def _take_over(ds: Dataset, old: Dataset, tab_key: str, title: str) -> None:
    """The earlier parse's records of this tab, and what it said about the tab, in the same order."""
    records = getattr(old, FILLS[tab_key])
    if isinstance(records, Schedules):
        copied: Any = records   # read-only: the same columns serve both
    elif isinstance(records, defaultdict):
        # Contract or fund -> rows: the lists copied too. A parse makes no empty list; one found here
        # was made by a look-up with [] on the earlier dataset, and is not carried over.
        copied = defaultdict(list, {key: list(rows) for key, rows in records.items() if rows})
    elif isinstance(records, dict):
        copied = dict(records)
    else:
        copied = list(records)
    setattr(ds, FILLS[tab_key], copied)
    ds.tabs_missing.extend(t for t in old.tabs_missing if t == title)
    ds.blocking.extend(p for p in old.blocking if p.tab == title)
    ds.problems.extend(p for p in old.problems if p.tab == title)
    ds.unreadable.extend(u for u in old.unreadable if u.tab == title)


def read_dataset(store, layout: Layout, today: dt.date, max_term_years: int = 3,
                 tabs: tuple[str, ...] = DATA_TABS) -> Dataset:
    """One batch read of the data tabs, then parse."""
    return load_dataset(store.read(tabs), layout, today, max_term_years)



def ledger_states(ds: Dataset, as_of: dt.date, config: Config) -> dict[str, LedgerState]:
    """The ledger of every readable loan as of a date (contract_no -> state), from the ledger engine."""
    from ledger import ledger_options
    from sheets.book import book_of

    balances = book_of(ds, ledger_options(config)).at(as_of)
    return {no: balances.state(i) for i, no in enumerate(balances.book.keys)}
