"""How long the chat keeps its copy of the sheet, and how a copy is had within an event's budget.

A warm instance answers from its `Snapshot` (chat/scope.py) while the sheet's revision has not
moved: one small Drive request per event tells (sheets/snapshot.py); our own writes and a new day
take a new copy too. When the revision cannot be asked, a copy is kept at most
`chat.cache_seconds`. A read that is late for its event's time budget goes on in the background
and serves the next event (chat.budget); meanwhile the older copy answers.

With stored snapshots, a new copy is the stored base of the current revision when some instance
published one (no sheet read at all), else one batch read of the chat's tabs (not the alert log
or committee: they grow and the chat never shows them), whose parts are published in the
background once the answer is out (`publish_queued`; `settle()` waits for them). On Cloud
Functions an instance may get little CPU after its response, so a publication may finish during
the next request or not at all; either way the next reader rebuilds what is missing.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import threading
import time
from typing import Any, Callable

from chat import CHAT_TABS
from chat.budget import Deadline, Late, in_background, wait
from chat.scope import BASE_PART, SheetLoading, Snapshot
from sheets.snapshot import BasePart, Snapshots
from sheets.store import Layout, Table

log = logging.getLogger("kkc.chat")

# How long an event waits for the sheet's revision (one small Drive request, ≈ 50 ms on a good day).
REVISION_WAIT_SECONDS = 0.5


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
        with self._lock:
            before = self._snapshot
        # The previous read's parses, for this one to take its unchanged tabs over from.
        earlier = before.parses() if before is not None and before.today == self.today() else None
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
                                    read_tables=self._read_tables, publish=self._publish, earlier=earlier)
            tables = self.store.read(CHAT_TABS)
            with self._lock:
                self.reads += 1
        else:
            revision, tables = self._read_tables()
        snap = Snapshot(tables, self.layout, self.config, self.today(), self.clock(), self.now(),
                        revision=revision, snapshots=snapshots, read_tables=self._read_tables, publish=self._publish,
                        earlier=earlier)
        if snap.snapshots is not None:
            self._publish(snap.publish_base)
        return snap
