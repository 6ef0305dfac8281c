"""The sheet as the chat sees it: read once, kept warm, cut to each officer's scope.

A warm instance answers from a `Snapshot` while the sheet's revision has not moved (one small
Drive request per event tells: sheets/snapshot.py; our own writes and a new day re-read it too).
When the revision cannot be asked, the snapshot is kept at most `chat.cache_seconds`. One snapshot
is one batch read of the tabs the chat needs (not the alert log or committee: they grow and the
chat never shows them). A read that is late for its event's time budget goes on in the background
and serves the next event (chat.budget); meanwhile the older copy answers.

Parsing is scoped. The officers, LINE links and funds are parsed for everybody
(small); the loans, installments and payments are parsed per scope, on first
use: a district officer's dataset is built from their district's rows only
(the same parser, the same row numbers). That keeps the cold start short, and
it is the strongest form of the PDPA rule: what a district officer's answers
are made from holds no borrower of another district at all.

Stored snapshots (issue 13): each part is published, keyed by the revision it was read at: the
base (officers, links, funds, the payments' refs) and each scope's view (its dataset without the
installments, which its ledger book holds as arrays, the book and the data check). A cold
instance whose sheet has not changed loads the base and then only the asking officer's scope, and
reads the sheet only for a part nobody has published yet. Parts are published in the background
once the answer is out (`SnapshotCache.publish_queued`; `settle()` waits for them). On Cloud
Functions an instance may get little CPU after its response, so a publication may finish during
the next request or not at all; either way the next reader rebuilds what is missing.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from chat import CHAT_TABS
from chat.budget import Deadline, Late, in_background, wait
from sheets import readers
from sheets.model import Dataset, Fund, Loan, Officer, load_dataset
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
# How long an event waits for the sheet's revision (one small Drive request, ≈ 50 ms on a good day).
REVISION_WAIT_SECONDS = 0.5
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
    slim = dataclasses.replace(ds, installments=NotInSnapshot("installments"))
    quality = dataclasses.replace(view.quality, problems=masked_problems(view.quality.problems, *PROBLEM_TEXTS),
                                  blocking=masked_problems(view.quality.blocking, *PROBLEM_TEXTS))
    return ScopePart(slim, book, quality)


@dataclass
class SubTable(Table):
    """Some rows of a tab, each keeping its own sheet row number."""

    numbers: list[int] = field(default_factory=list)

    def row_number(self, index: int) -> int:
        return self.numbers[index]


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

        return run_check(self.ds, self.config, self.today)

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

    def unreadable_rows(self) -> int:
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
                 read_tables: TableReader | None = None, publish: Publisher | None = None):
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
        else:
            if tables is None:
                raise ValueError("a snapshot needs the tables of a read or a stored base")
            self.base = load_dataset({k: tables[k] for k in BASE_TABS if k in tables}, layout, today,
                                     config.rules.max_term_years)
        self.from_store = stored is not None
        self._views: dict[str, ScopeView] = {}
        self._lock = threading.Lock()
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

    def view(self, officer: Officer) -> ScopeView:
        """The officer's scope: made once per snapshot, from a stored part when one was published."""
        scope = self.scope_for(officer)
        with self._lock:
            found = self._views.get(scope.key)
            if found is None:
                found = self._stored_view(scope) or self._parsed_view(scope)
                self._views[scope.key] = found
            return found

    def _stored_view(self, scope: Scope) -> ScopeView | None:
        if self.snapshots is None or self.revision is None or self.outdated:
            return None
        part = self.snapshots.shelf.load(scope.key, self.revision, self.today)
        if not isinstance(part, ScopePart):
            return None
        return ScopeView(scope, part.ds, self.config, self.today, part)

    def _parsed_view(self, scope: Scope) -> ScopeView:
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
        return frozenset(readers.read_text(row[index]) for row in table.rows
                         if index < len(row) and not readers.is_blank(row[index]))

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
        ds = load_dataset({k: tables[k] for k in CHAT_TABS if k in tables}, self.layout, self.today,
                          self.config.rules.max_term_years)
        log.debug("parsed scope %s in %.3f s", scope.key, time.perf_counter() - started)
        return ds

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
            return SubTable(table.title, table.header, [], table.exists, [])
        rows, numbers = [], []
        for i, row in enumerate(table.rows):
            if index < len(row) and not readers.is_blank(row[index]) and readers.read_text(row[index]) in keep:
                rows.append(row)
                numbers.append(table.row_number(i))
        return SubTable(table.title, table.header, rows, table.exists, numbers)

    def _column_values(self, table: Table, tab_key: str, col: str) -> list[str]:
        try:
            index = self.layout.positions(tab_key, table).get(col)
        except Exception:  # noqa: BLE001
            return []
        if index is None:
            return []
        return [readers.read_text(r[index]) for r in table.rows if index < len(r) and not readers.is_blank(r[index])]


class SheetLoading(Exception):
    """No snapshot to answer from: this instance's first read has not arrived within the budget."""


class SnapshotCache:
    """Keeps one Snapshot; takes a new one when the sheet's revision moved, on a new day, after
    invalidate() (our own write), or, when the revision cannot be asked, once older than max_age.

    A read runs in a thread of its own (chat.budget) and is waited for only until the event's
    deadline. One read at a time: an event that needs the sheet while a read is on its way waits
    for that one. When a re-read is late or fails, a warm instance answers from the copy it has
    (`is_current` tells the conversation to say how old it is); a cold one has none (SheetLoading).

    With `snapshots`, a read asks the revision first and loads the stored base of that revision
    when there is one (no sheet read at all); otherwise it reads the sheet and publishes the base.
    """

    def __init__(self, store: Any, config: Any, layout: Layout, today: Callable[[], dt.date],
                 max_age: float | None = None, clock: Callable[[], float] = time.monotonic,
                 now: Callable[[], dt.datetime] = dt.datetime.now, snapshots: Snapshots | None = None):
        self.store, self.config, self.layout = store, config, layout
        self.today = today
        self.max_age = float(config.chat.cache_seconds if max_age is None else max_age)
        self.clock = clock
        self.now = now
        self.snapshots = snapshots
        self.reads = 0               # sheet reads (a snapshot loaded from the shelf is not one)
        self.revision_checks = 0
        self._snapshot: Snapshot | None = None
        self._confirmed: Snapshot | None = None  # the snapshot the latest revision check found current
        self._stale = False
        self._writes = 0  # our own writes so far: a read begun before one may not hold it
        # The revision at our latest write: Drive may not show the write in its version for a moment,
        # so a stored snapshot of that revision may not hold it, and is not loaded.
        self._written_at: str | None = None
        self._reading: concurrent.futures.Future[Snapshot] | None = None
        self._reading_fresh = False              # the read on its way reads the sheet itself
        self._reading_token: object | None = None
        self._queued: list[Callable[[], None]] = []  # publications waiting for the answer to go out
        self._publishing: list[concurrent.futures.Future[None]] = []
        self._lock = threading.Lock()

    def is_current(self, snap: Snapshot | None) -> bool:
        """`snap` is the latest read, of today, no write of ours came after it, and the sheet has not
        changed since (its revision, checked by the latest get(); or, without one, it is young enough)."""
        if snap is None or snap is not self._snapshot or self._stale or snap.outdated or snap.today != self.today():
            return False
        if snap.revision is not None:
            return self._confirmed is snap
        return self.clock() - snap.taken_at < self.max_age

    def needs_read(self) -> bool:
        """The next get() reads the sheet, as far as can be told without asking its revision."""
        snap = self._snapshot
        if snap is None or self._stale or snap.outdated or snap.today != self.today():
            return True
        return snap.revision is None and self.clock() - snap.taken_at >= self.max_age

    def get(self, deadline: Deadline | None = None) -> Snapshot:
        """The current snapshot, read now if needed; an older copy of today if the read is late or fails."""
        deadline = deadline or Deadline(None)
        snap = self._snapshot
        revision: str | None = None
        if not self.needs_read():
            assert snap is not None
            if snap.revision is None:
                return snap
            revision = self._revision_by(deadline)
            with self._lock:
                if revision == snap.revision and snap is self._snapshot and not self._stale:
                    self._confirmed = snap
                    return snap
                if self._confirmed is snap:
                    self._confirmed = None  # changed, or not known: is_current says so from now on
            if revision is None and self.clock() - snap.taken_at < self.max_age:
                log.info("the sheet's revision is not known now: answering from the copy taken %.0f s ago",
                         self.clock() - snap.taken_at)
                return snap
        with self._lock:
            previous = snap if snap is not None and snap.today == self.today() else None
            reading = self._read_started(revision)
        try:
            return wait(reading, deadline)
        except Late:
            if previous is None:
                raise SheetLoading() from None
            log.warning("sheet re-read is late; answering from the snapshot taken %.0f s ago",
                        self.clock() - previous.taken_at)
            return previous
        except Exception:
            # Sheets is down: a warm instance keeps answering from what it has (said in the log).
            if previous is None:
                raise
            log.warning("sheet re-read failed; answering from the snapshot taken %.0f s ago",
                        self.clock() - previous.taken_at)
            return previous

    def refresh(self, deadline: Deadline | None = None) -> Snapshot:
        """A read of the sheet now, or the one on its way (before a write that must see what other
        instances wrote). Never a stored snapshot (Drive's version may lag another instance's write by
        seconds), never the older copy: Late or the store's error when it cannot be had in time.
        """
        with self._lock:
            reading = self._read_started(None, fresh=True)
        return wait(reading, deadline or Deadline(None))

    def invalidate(self) -> None:
        """Our own write changed the sheet: the next question re-reads it."""
        with self._lock:
            self._stale = True
            self._writes += 1
            if self._snapshot is not None and self._snapshot.revision is not None:
                self._written_at = self._snapshot.revision

    def peek(self) -> Snapshot | None:
        return self._snapshot

    def publish_queued(self) -> None:
        """Start publishing what this event's reads made, each in a background thread. Called once the
        answer is out (handlers.runtime), so that pickling a part never competes with the answer."""
        with self._lock:
            queued, self._queued = self._queued, []
        for work in queued:
            future = in_background(work, "snapshot-publish")
            with self._lock:
                self._publishing.append(future)

    def settle(self, timeout: float | None = None) -> None:
        """Publish what is queued and wait for it (tests, the benchmark, a command line run that ends)."""
        self.publish_queued()
        while True:
            with self._lock:
                pending = [f for f in self._publishing if not f.done()]
                self._publishing = pending
            if not pending:
                return
            concurrent.futures.wait(pending, timeout=timeout)
            if timeout is not None:
                return

    def _revision_by(self, deadline: Deadline) -> str | None:
        """The sheet's revision, waited for at most REVISION_WAIT_SECONDS and never past the deadline
        (None: not known in time, or at all). A slow Drive must not make every warm answer wait the whole
        budget: then the copy answers (if young enough) and the event's time is left for a read."""
        assert self.snapshots is not None
        self.revision_checks += 1
        snapshots = self.snapshots
        left = deadline.remaining()
        try:
            return wait(in_background(snapshots.revision, "sheet-revision"),
                        Deadline(REVISION_WAIT_SECONDS if left is None else min(left, REVISION_WAIT_SECONDS)))
        except Late:
            log.warning("the sheet's revision did not come within %.1f s", REVISION_WAIT_SECONDS)
            return None

    def _publish(self, work: Callable[[], None]) -> None:
        """Queue a publication for after the answer (publish_queued, settle)."""
        with self._lock:
            self._queued.append(work)

    def _read_started(self, revision: str | None, fresh: bool = False) -> "concurrent.futures.Future[Snapshot]":
        """The read on its way, or a new one; call with the lock held. `fresh`: a read of the sheet
        itself (a read on its way that may load a stored snapshot does not do)."""
        if self._reading is not None and (self._reading_fresh or not fresh):
            return self._reading
        writes, token = self._writes, object()
        future = in_background(lambda: self._read(writes, revision, fresh, token), "sheet-read")
        if self._reading is None:  # the one later events wait for (the other read still updates the copy)
            self._reading, self._reading_fresh, self._reading_token = future, fresh, token
        return future

    def _read_tables(self) -> tuple[str | None, dict[str, Table]]:
        """The revision (asked first: see sheets/snapshot.py), then the sheet's tabs."""
        revision = self.snapshots.revision() if self.snapshots is not None else None
        tables = self.store.read(CHAT_TABS)
        with self._lock:
            self.reads += 1
        return revision, tables

    def _read(self, writes_before: int, revision: str | None, fresh: bool, token: object) -> Snapshot:
        started = time.perf_counter()
        try:
            snap = self._taken(revision, fresh)
        except BaseException:
            with self._lock:
                self._done_reading(token)
            raise
        with self._lock:
            self._snapshot = snap
            self._confirmed = snap
            # A write of ours made while this read was on its way may be missing from it.
            self._stale = self._writes != writes_before
            self._done_reading(token)
        log.debug("sheet %s in %.3f s", "snapshot loaded" if snap.from_store else "read and parsed",
                  time.perf_counter() - started)
        return snap

    def _done_reading(self, token: object) -> None:
        """This read has ended: later events start their own (call with the lock held)."""
        if self._reading_token is token:
            self._reading, self._reading_token = None, None

    def _taken(self, revision: str | None, fresh: bool = False) -> Snapshot:
        """A new snapshot: the stored base of the revision when there is one (unless `fresh`), else the
        sheet read."""
        snapshots = self.snapshots
        if snapshots is not None:
            revision = revision or snapshots.revision()
            if revision is not None and (fresh or revision == self._written_at):
                # Drive may not show our own write in the version yet, nor another instance's that a
                # write of ours must see: what is stored under it may not hold it. Read the sheet, and
                # neither load nor publish under that revision.
                snapshots = None
            elif revision is not None:
                part = snapshots.shelf.load(BASE_PART, revision, self.today())
                if isinstance(part, BasePart):
                    return Snapshot(None, self.layout, self.config, self.today(), self.clock(), self.now(),
                                    revision=revision, stored=part, snapshots=snapshots,
                                    read_tables=self._read_tables, publish=self._publish)
            tables = self.store.read(CHAT_TABS)
            with self._lock:
                self.reads += 1
        else:
            revision, tables = self._read_tables()
        snap = Snapshot(tables, self.layout, self.config, self.today(), self.clock(), self.now(),
                        revision=revision, snapshots=snapshots, read_tables=self._read_tables, publish=self._publish)
        if snap.snapshots is not None:
            self._publish(snap.publish_base)
        return snap
