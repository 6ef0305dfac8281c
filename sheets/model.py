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
from functools import partial
from typing import Callable

from core.schema import DATA_TABS
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
    Payment, Problem, Unreadable,
)
from sheets.store import Layout, Table
from core.config import Config

# The record types live in sheets/records.py; the rest of the program imports them from here.
__all__ = ["LEVEL_TH", "AlertLogEntry", "CommitteeMember", "Dataset", "Fund", "Installment", "Level",
           "LineLink", "Loan", "Officer", "Payment", "Problem", "Unreadable", "load_dataset", "read_dataset",
           "ledger_states"]

Parser = Callable[[Dataset, TabReader], None]


def load_dataset(tables: dict[str, Table], layout: Layout, today: dt.date,
                 max_term_years: int = 3) -> Dataset:
    """Parse every data tab; problems and unreadable rows are collected, never raised."""
    with collector_paused():  # see sheets/gc_pause.py
        return _load_all(tables, layout, today, max_term_years)


def _load_all(tables: dict[str, Table], layout: Layout, today: dt.date, max_term_years: int) -> Dataset:
    ds = Dataset(today=today)
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
    for tab_key, parse in parsers:
        tab = open_tab(ds, layout, tables, tab_key)
        if tab is not None:
            parse(ds, tab)
            ds.problems.extend(tab.problems_by_row())
    return ds


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
