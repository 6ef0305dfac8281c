"""The sheet as the chat sees it: one read (or stored snapshot), cut to each officer's scope.

A `Snapshot` holds the parsed base of one read of the tabs the chat needs (officers, LINE links,
funds: small, parsed for everybody) and makes a `ScopeView` per scope on first use: a district
officer's dataset is built from their district's rows only (the same parser, the same row
numbers). That keeps the cold start short, and it is the strongest form of the PDPA rule: what a
district officer's answers are made from holds no borrower of another district at all. How long
a snapshot is kept, and how it is read in time, is chat/cache.py.

Stored snapshots (issue 13, sheets/snapshot.py): each part is published keyed by the revision
it was read at: the base (officers, links, funds, the payments' refs) and each scope's view (its
dataset without the installments, which its ledger book holds as arrays, the book and the data
check; no whole citizen id). A Snapshot made from a stored base loads the asking officer's scope
part, and reads the sheet only for a part nobody has published yet.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from chat import CHAT_TABS
from chat.budget import Deadline, Late, in_background, wait
from sheets import readers
from sheets.model import Dataset, Fund, Loan, Officer, Parsed, load_dataset
from sheets.snapshot import (
    PROBLEM_TEXTS, BasePart, NotInSnapshot, ScopePart, Snapshots, masked_problems, without_whole_ids,
)
from sheets.store import Layout, Table

if TYPE_CHECKING:
    from ledger import LedgerState
    from ledger.engine import Balances
    from sheets.book import SheetBook
    from sheets.check import QualityReport

log = logging.getLogger("kkc.chat")

BASE_TABS: tuple[str, ...] = ("officers", "line_links", "funds")
BASE_PART = "base"  # the stored snapshot of the officers, links, funds and payment refs
# Reads the sheet for a scope nobody has published: (the revision asked first, the tables).
TableReader = Callable[[], "tuple[Optional[str], dict[str, Table]]"]
Publisher = Callable[[Callable[[], None]], None]


def scope_part(view: "ScopeView") -> ScopePart:
    """The view as a part to publish: the book without its day's balances (tens of MB, one call to
    recompute), the dataset without the installments (never read through the view once it has a book)
    and without a whole citizen id anywhere (sheets.snapshot.without_whole_ids)."""
    import dataclasses

    from sheets.book import SheetBook

    ds, replaced = without_whole_ids(view.ds)
    book = SheetBook(loans=[replaced.get(id(loan), loan) for loan in view.book.loans], engine=view.book.engine)
    slim = dataclasses.replace(ds, installments=NotInSnapshot("installments"))  # type: ignore[arg-type]  # refuses any use
    quality = dataclasses.replace(view.quality, problems=masked_problems(view.quality.problems, *PROBLEM_TEXTS),
                                  blocking=masked_problems(view.quality.blocking, *PROBLEM_TEXTS))
    return ScopePart(slim, book, quality)


class SheetLoading(Exception):
    """No copy of the sheet (or of the officer's scope) to answer from within this event's budget."""


class SubTable(Table):
    """Some rows of a tab, each keeping its own sheet row number."""

    __slots__ = ("numbers",)

    def __init__(self, title: str, header: list[str], exists: bool, numbers: list[int],
                 columns: list[Sequence[Any]]):
        super().__init__(title, header, exists=exists, columns=columns)
        self.height = len(numbers)  # a row left blank by the pick is still one of the scope's rows
        self.numbers = numbers

    def row_number(self, index: int) -> int:
        return self.numbers[index]

    def row_numbers(self, indexes: list[int]) -> list[int]:
        return list(map(self.numbers.__getitem__, indexes))

    def _same(self, other: Table) -> bool:
        return isinstance(other, SubTable) and self.numbers == other.numbers and super()._same(other)


@dataclass(frozen=True)
class Scope:
    """What one officer may see: every fund (province) or a set of funds (a district)."""

    key: str
    label: str                          # "อ.เมืองตราด" / "จังหวัดตราด"
    district: str | None                # None for the whole province
    fund_ids: frozenset[str] | None     # None = all funds

    @property
    def province_wide(self) -> bool:
        return self.fund_ids is None

    def allows_fund(self, fund_id: str | None) -> bool:
        return self.fund_ids is None or (fund_id or "") in self.fund_ids


class ScopeView:
    """One scope's dataset with its ledger states and data check, computed on first use."""

    def __init__(self, scope: Scope, ds: Dataset, config: Any, today: dt.date, part: ScopePart | None = None):
        self.scope, self.ds, self.config, self.today = scope, ds, config, today
        self.memo: dict[str, Any] = {}   # answers that depend on nothing but this view (e.g. สรุป)
        self.stored = part is not None   # loaded from a published snapshot
        if part is not None:             # what the cached properties below would compute, already computed
            self.__dict__["book"], self.__dict__["quality"] = part.book, part.quality

    @cached_property
    def book(self) -> SheetBook:
        """The ledger engine's book of the scope's readable loans (numpy is imported here, on first use)."""
        from ledger import ledger_options
        from sheets.book import book_of

        loans = (loan for loan in self.ds.readable_loans() if self.scope.allows_fund(loan.fund_id))
        return book_of(self.ds, ledger_options(self.config), loans)

    @cached_property
    def ledger(self) -> Balances:
        """Every loan of the scope as of today: each figure the chat shows comes from here."""
        return self.book.at(self.today)

    @cached_property
    def states(self) -> Mapping[str, LedgerState]:
        """contract_no -> LedgerState as of today (readable loans only), each made when first asked for."""
        return self.ledger.states()

    def loan_at(self, i: int) -> Loan:
        """The loan at position i of the book."""
        return self.ds.loans[self.book.engine.keys[i]]

    @cached_property
    def quality(self) -> QualityReport:
        from sheets.check import run_check

        return run_check(self.ds, self.config, self.today, self.book)   # its overpayment rule reuses the book

    @cached_property
    def funds(self) -> list[Fund]:
        return sorted((f for f in self.ds.funds.values() if self.scope.allows_fund(f.fund_id)),
                      key=lambda f: f.fund_id)

    @cached_property
    def loans(self) -> list[Loan]:
        return [loan for loan in self.ds.loans.values() if self.scope.allows_fund(loan.fund_id)]

    def loan(self, contract_no: str) -> Loan | None:
        loan = self.ds.loans.get(contract_no)
        return loan if loan is not None and self.scope.allows_fund(loan.fund_id) else None

    def fund_of(self, loan: Loan) -> Fund | None:
        return self.ds.funds.get(loan.fund_id)

    def unreadable_rows(self, fund_ids: set[str] | None = None) -> int:
        """Rows that could not be read, of the scope (with the fundless ones for provincial staff)
        or of these of its funds only."""
        if fund_ids is not None:
            return sum(1 for u in self.ds.unreadable if u.fund_id in fund_ids)
        return sum(1 for u in self.ds.unreadable if u.fund_id is not None and self.scope.allows_fund(u.fund_id)) + \
            (sum(1 for u in self.ds.unreadable if u.fund_id is None) if self.scope.province_wide else 0)


class Snapshot:
    """The parsed base of one read (or of a stored snapshot), and the scoped views made from it.

    Made from the tables of a read (`tables`), or from a stored base (`stored`, then `tables` is
    None and a scope nobody has published is read with `read_tables`). `revision` is the sheet's
    revision asked before the read (None: not known, nothing is stored or loaded)."""

    def __init__(self, tables: dict[str, Table] | None, layout: Layout, config: Any, today: dt.date,
                 taken_at: float, taken_wall: dt.datetime | None = None, *, revision: str | None = None,
                 snapshots: Snapshots | None = None, stored: BasePart | None = None,
                 read_tables: TableReader | None = None, publish: Publisher | None = None,
                 earlier: Mapping[str, Parsed] | None = None):
        self.tables, self.layout, self.config, self.today = tables, layout, config, today
        self.taken_at = taken_at          # the cache's clock, for its age
        self.taken_wall = taken_wall      # local time of the read, for "ข้อมูล ณ 10:42 น."
        self.revision = revision
        self.snapshots = snapshots if revision is not None else None
        self.read_tables, self.publish = read_tables, publish
        # A scope had to be read again, and the sheet had moved on: answer from it, but publish nothing
        # more under this revision, and let the cache take a new snapshot at the next event.
        self.outdated = False
        self._refs: frozenset[str] | None = None
        if stored is not None:
            self.base, self._refs = stored.base, stored.payment_refs
        # The base parsed from this read: each scope's parse takes its unchanged tabs over (the
        # officers and links always; the funds for the province, whose tab is not filtered).
        self._base_parsed: Parsed | None = None
        if stored is None:
            if tables is None:
                raise ValueError("a snapshot needs the tables of a read or a stored base")
            base_tables = {k: tables[k] for k in BASE_TABS if k in tables}
            self.base = load_dataset(base_tables, layout, today, config.rules.max_term_years)
            self._base_parsed = Parsed(base_tables, self.base, layout, config.rules.max_term_years)
        self.from_store = stored is not None
        self._views: dict[str, ScopeView] = {}
        # The scopes parsed from this read, for the next read to take unchanged tabs over from
        # (sheets.model.Parsed); and the previous read's, taken over by this one (each used once:
        # what nobody asks again is dropped with this snapshot, so at most one older read is held).
        self._parses: dict[str, Parsed] = {}
        self._earlier: dict[str, Parsed] = dict(earlier or {})
        self._making: dict[str, concurrent.futures.Future[ScopeView]] = {}  # views on their way, by scope
        self._lock = threading.Lock()
        self._tables_lock = threading.Lock()
        self._user_index = {link.line_user_id: oid for oid, link in self.base.links.items()}

    def publish_base(self) -> None:
        """Store the base part under this revision (a read's snapshot only; in the background)."""
        if self.snapshots is not None and self.revision is not None and not self.from_store and not self.outdated:
            base, _ = without_whole_ids(self.base)
            self.snapshots.shelf.save(BASE_PART, self.revision, self.today, BasePart(base, self.payment_refs))

    # -- who ------------------------------------------------------------------
    def officer_for_user(self, line_user_id: str) -> Officer | None:
        officer_id = self._user_index.get(line_user_id)
        return self.base.officers.get(officer_id) if officer_id else None

    def officer(self, officer_id: str) -> Officer | None:
        return self.base.officers.get(officer_id)

    @property
    def officers(self) -> dict[str, Officer]:
        return self.base.officers

    def scope_for(self, officer: Officer) -> Scope:
        province = getattr(self.config, "province", "")
        if officer.sees_all:
            return Scope("*", f"จังหวัด{province}", None, None)
        ids = frozenset(f.fund_id for f in self.base.funds.values()
                        if (officer.district and f.district == officer.district)
                        or (f.officer_id and f.officer_id == officer.officer_id))
        label = f"อ.{officer.district}" if officer.district else "ยังไม่ระบุอำเภอ"
        extra = sorted(f.fund_id for f in self.base.funds.values()
                       if f.fund_id in ids and f.district != officer.district)
        key = f"d:{officer.district}" + (f"+{officer.officer_id}" if extra else "")
        return Scope(key, label, officer.district or None, ids)

    def has_view(self, officer: Officer) -> bool:
        """The officer's scope is made already (asking for it costs nothing)."""
        return self.scope_for(officer).key in self._views

    def view(self, officer: Officer, deadline: Deadline | None = None) -> ScopeView:
        """The officer's scope: made once per snapshot, from a stored part when one was published, else
        parsed from the sheet (read first when this snapshot was loaded from a stored base).

        It is made in the background and waited for until `deadline`: loading a part from the bucket
        or reading the sheet must not keep LINE waiting (SheetLoading then; the next event finds it)."""
        scope = self.scope_for(officer)
        with self._lock:
            found = self._views.get(scope.key)
            if found is not None:
                return found
            making = self._making.get(scope.key)
            if making is None:
                making = self._making[scope.key] = in_background(lambda: self._made(scope), "scope-view")
        try:
            return wait(making, deadline or Deadline(None))
        except Late:
            raise SheetLoading() from None

    def _made(self, scope: Scope) -> ScopeView:
        """The scope's view, kept for every later question (a failure is forgotten: the next one tries again)."""
        try:
            view = self._stored_view(scope) or self._parsed_view(scope)
        except BaseException:
            with self._lock:
                self._making.pop(scope.key, None)
            raise
        with self._lock:
            self._views[scope.key] = view
            self._making.pop(scope.key, None)
        return view

    def _stored_view(self, scope: Scope) -> ScopeView | None:
        if self.snapshots is None or self.revision is None or self.outdated:
            return None
        part = self.snapshots.shelf.load(scope.key, self.revision, self.today)
        if not isinstance(part, ScopePart):
            return None
        return ScopeView(scope, part.ds, self.config, self.today, part)

    def _parsed_view(self, scope: Scope) -> ScopeView:
        with self._tables_lock:  # two scopes missing at once: one read of the sheet
            if self.tables is None:
                if self.read_tables is None:
                    raise ValueError("a stored snapshot without a way to read the sheet")
                revision, self.tables = self.read_tables()
                if revision is None or revision != self.revision:
                    self.outdated = True
        view = ScopeView(scope, self._scoped_dataset(scope), self.config, self.today)
        if self.snapshots is not None and self.revision is not None and not self.outdated and self.publish:
            revision, shelf = self.revision, self.snapshots.shelf
            self.publish(lambda: shelf.save(scope.key, revision, self.today, scope_part(view)))
        return view

    # -- the raw payments' idempotency refs ----------------------------------------
    @property
    def payment_refs(self) -> frozenset[str]:
        if self._refs is None:
            self._refs = self._read_refs()
        return self._refs

    def _read_refs(self) -> frozenset[str]:
        table = (self.tables or {}).get("payments")
        if table is None or not table.exists:
            return frozenset()
        try:
            index = self.layout.positions("payments", table).get("ref")
        except Exception:  # noqa: BLE001 - a tab missing a required column: no refs readable
            return frozenset()
        if index is None:
            return frozenset()
        return frozenset(readers.read_text(v) for v in set(table.column(index)) if not readers.is_blank(v))

    # -- parsing one scope ------------------------------------------------------------
    def _scoped_dataset(self, scope: Scope) -> Dataset:
        started = time.perf_counter()
        assert self.tables is not None
        tables = dict(self.tables)
        if scope.fund_ids is not None:
            ids = scope.fund_ids
            tables["funds"] = self._filter("funds", "fund_id", ids)
            tables["loans"] = self._filter("loans", "fund_id", ids)
            contracts = frozenset(self._column_values(tables["loans"], "loans", "contract_no"))
            tables["installments"] = self._filter("installments", "contract_no", contracts)
            tables["payments"] = self._filter("payments", "contract_no", contracts)
        chosen = {k: tables[k] for k in CHAT_TABS if k in tables}
        term = self.config.rules.max_term_years
        earlier = self._earlier.pop(scope.key, None) or self._base_parsed
        ds = load_dataset(chosen, self.layout, self.today, term, earlier=earlier)
        self._parses[scope.key] = Parsed(chosen, ds, self.layout, term)
        log.debug("parsed scope %s in %.3f s%s", scope.key, time.perf_counter() - started,
                  " (unchanged tabs taken over)" if earlier is not None else "")
        return ds

    def parses(self) -> dict[str, Parsed]:
        """The scopes parsed from this snapshot's read (see `earlier`)."""
        return dict(self._parses)

    def _filter(self, tab_key: str, col: str, keep: frozenset[str]) -> Table:
        table = (self.tables or {}).get(tab_key)
        if table is None or not table.exists:
            return table if table is not None else Table(self.layout.title(tab_key), [], [], exists=False)
        try:
            index = self.layout.positions(tab_key, table).get(col)
        except Exception:  # noqa: BLE001 - a required column is missing: the parser reports it
            index = None
        if index is None:
            # Without the column no row can be placed in a scope: give the parser the header only,
            # so that it still reports the missing column, and no row of anyone.
            return SubTable(table.title, table.header, table.exists, [], [])
        cells = table.column(index)
        # Each distinct cell read once (a contract's number is on each of its installment rows).
        matching = {v for v in set(cells) if not readers.is_blank(v) and readers.read_text(v) in keep}
        kept = [i for i, v in enumerate(cells) if v in matching]
        return SubTable(table.title, table.header, table.exists, table.row_numbers(kept), table.pick(kept))

    def _column_values(self, table: Table, tab_key: str, col: str) -> list[str]:
        try:
            index = self.layout.positions(tab_key, table).get(col)
        except Exception:  # noqa: BLE001
            return []
        if index is None:
            return []
        cells = table.column(index)
        text = {v: readers.read_text(v) for v in set(cells) if not readers.is_blank(v)}
        return [text[v] for v in cells if v in text]


