"""Parsed snapshots keyed by the sheet's revision: read and parse the sheet only when it changed.

At 80,000 loans, reading the sheet is one 40 MB answer and parsing it ≈ 1.5 s of CPU, which a
webhook's cold start cannot afford inside LINE's 2 seconds. But the sheet changes far less
often than it is read. So the parsed result is kept, keyed by what identifies it exactly:

- the **spreadsheet** (a Google spreadsheet id, or the workbook's path),
- its **revision**: Drive's `version` of the file (one small `files.get`; it grows with every
  change, a person's typing included), `modifiedTime` when Drive gives no version; for a
  workbook, the file's modification time and size (`RevisionSource`),
- **today** (what is overdue, and what the check calls "in the future", depend on the date),
- the **scope** ("base" for the officers, links and funds; one per district; "*" for the
  province), and
- the **fingerprint** of the code and settings that made it (the parsers, the record types,
  the ledger engine, the layout), so a new deployment never reads an old one's objects.

Every stored snapshot carries that key in its header and is used only when all of it matches;
its content carries a CRC-32 and its length, so a truncated or damaged object is noticed,
logged, removed and rebuilt, never trusted. Where they are kept (`Tier`): a directory of the
instance's own (`/tmp` on Cloud Functions) first, then the shared one: a Cloud Storage bucket
every instance reads (`snapshot.bucket`, else the claims bucket), or a local directory for the
embedded default. A hit in the shared tier is copied to the local one. Each snapshot has a name
of its own (a hash of the key) and is never rewritten: a reader asks for exactly the name it can
use (one request; a 404 when nobody has published it yet), it is created only if absent
(`ifGenerationMatch=0`), so of two instances rebuilding the same revision at once the first
publishes and the second's 412 leaves it be, and after a publication the scope's older
snapshots are removed.

The payload is Python's pickle. Why not JSON: rebuilding every record from JSON is Python
work of the parse's own kind, while pickle rebuilds them in C and keeps the engine's numpy
arrays as they are (measured at 80,000 loans: the province's part loads in 0.28 s, parsing it
from the sheet takes 1.4 s). Pickle can build any object, so loading goes through `_RecordUnpickler`, which
builds only the record and ledger classes of this program and a short list of standard
types (the "restricting globals" recipe of Python's pickle documentation): an object naming
anything else is refused as damaged. The bucket's IAM gives write access to the functions'
service account only (docs/snapshot.md). No whole citizen id is stored (`without_whole_ids`).

Order matters when a snapshot is made: the revision is asked **before** the sheet is read. An
edit landing between the two is then in the data but not in the revision, so the next check
sees a newer revision and rebuilds; the other order could label older data with a newer
revision and keep it.
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import operator
import os
import pickle
import secrets
import sys
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Protocol

from core.config import ROOT
from core.thai import id_run_spans, mask_id_runs
from sheets.gc_pause import collector_paused
from sheets.store import StoreError

if TYPE_CHECKING:
    from sheets.book import SheetBook
    from sheets.check import QualityReport
    from sheets.cloud_storage import StorageClient
    from sheets.drive import DriveClient
    from sheets.records import Dataset

log = logging.getLogger("kkc.snapshot")

MAGIC = b"KKC-SNAPSHOT 1\n"
MAX_HEADER = 4096

# The code a snapshot's content depends on: a change to any of them makes earlier snapshots unusable
# (chat/scope.py too: it cuts the rows of a scope, and makes the parts).
FINGERPRINT_SOURCES = (
    "core/schema.py", "core/thai.py", "sheets/records.py", "sheets/readers.py", "sheets/model.py",
    "sheets/parse", "sheets/book.py", "sheets/check.py", "sheets/snapshot.py", "ledger/engine.py",
    "ledger/core.py", "ledger/aging.py", "chat/scope.py",
    "requirements.txt",  # the pinned numpy whose arrays a snapshot holds (not imported to ask its version)
)


class SnapshotDamaged(ValueError):
    """A stored snapshot that cannot be trusted (truncated, changed, or naming a type it may not)."""


class NotInSnapshot(dict[str, Any]):
    """A part of a dataset left out of a slim snapshot: any use of it is a bug, and says so."""

    def __init__(self, what: str = ""):
        super().__init__()
        self.what = what

    def _refuse(self, *_: object, **__: object) -> Any:
        raise RuntimeError(f"{self.what} is not kept in a slim snapshot: compute it when the snapshot is built")

    __getitem__ = get = items = values = keys = __iter__ = __len__ = __contains__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (NotInSnapshot, (self.what,))


# ---------------------------------------------------------------- what the webhook stores (chat/scope.py)

@dataclass
class BasePart:
    """What every officer's answers start from: the officers, links and funds, and the payments' refs."""

    base: "Dataset"
    payment_refs: frozenset[str]


@dataclass
class ScopePart:
    """One scope's view: its dataset (the installments left out: the book holds them as arrays), its
    ledger book and its data check, as they were when it was published."""

    ds: "Dataset"
    book: "SheetBook"
    quality: "QualityReport"


# ---------------------------------------------------------------- no whole citizen id is stored

PROBLEM_TEXTS = ("key", "header", "message")  # the texts of a Problem that may quote a cell


def stored_citizen_id(citizen_id: str | None) -> str | None:
    """What a snapshot keeps of a citizen id: the last 4 digits in place (all that core.thai's
    mask_citizen_id ever shows), the first 9 as x."""
    return None if not citizen_id else "x" * max(0, len(citizen_id) - 4) + citizen_id[-4:]


def without_whole_ids(ds: "Dataset") -> tuple["Dataset", dict[int, Any]]:
    """A copy of `ds` fit to leave the sheet: every loan's citizen id cut to what is ever shown, and any
    run of 13 digits in any other text (an id typed into a name, a note, a problem quoting a cell)
    masked. Also the replaced loans, by id() of the original (a ledger book lists them too).

    Fast when nothing else holds an id: each collection's texts are searched joined, in one regex pass;
    only the records a match falls in are copied."""
    loans = {no: dataclasses.replace(loan, citizen_id=stored_citizen_id(loan.citizen_id))
             if loan.citizen_id else loan for no, loan in ds.loans.items()}
    loans = _masked(loans, skip=("citizen_id",))
    replaced = {id(ds.loans[no]): loan for no, loan in loans.items() if loan is not ds.loans[no]}

    copy = dataclasses.replace(
        ds, loans=loans, funds=_masked(ds.funds), officers=_masked(ds.officers), links=_masked(ds.links),
        payments=_masked_lists(ds.payments), documents=_masked_lists(ds.documents),
        problems=masked_problems(ds.problems, *PROBLEM_TEXTS), blocking=masked_problems(ds.blocking, *PROBLEM_TEXTS),
        unreadable=masked_problems(ds.unreadable, "reason"))
    return copy, replaced


def masked_problems(items: list[Any], *names: str) -> list[Any]:
    """Problems (or unreadable rows) with any 13-digit run in these text fields masked: a message may
    quote the cell it is about."""
    return [dataclasses.replace(p, **{n: mask_id_runs(getattr(p, n)) for n in names}) for p in items]


def _masked(records: dict[Any, Any], skip: tuple[str, ...] = ()) -> dict[Any, Any]:
    """`records` with any 13-digit run in their text fields masked (the same dict when there is none)."""
    if not records:
        return records
    first = next(iter(records.values()))
    names = [f.name for f in dataclasses.fields(first) if "str" in str(f.type) and f.name not in skip]
    if not names:
        return records
    get = operator.attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))
    keys, texts, starts, at = [], [], [], 0
    for key, record in records.items():
        text = "\x00".join(v for v in get(record) if v.__class__ is str)
        keys.append(key)
        starts.append(at)
        texts.append(text)
        at += len(text) + 1
    spans = id_run_spans("\x01".join(texts))
    if not spans:
        return records
    out = dict(records)
    for start, _end in spans:
        key = keys[bisect.bisect_right(starts, start) - 1]
        record = out[key]
        out[key] = dataclasses.replace(record, **{n: mask_id_runs(v) for n in names
                                                  if (v := getattr(record, n)).__class__ is str})
    return out


def _masked_lists(groups: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The same for records kept in lists per key (payments per contract, documents per fund)."""
    flat: dict[Any, Any] = {(key, i): record for key, items in groups.items() for i, record in enumerate(items)}
    masked = _masked(flat)
    if masked is flat:
        return groups
    out: dict[str, list[Any]] = defaultdict(list)
    for (key, _position), record in masked.items():
        out[key].append(record)
    return out


# ---------------------------------------------------------------- the key and the fingerprint

@dataclass(frozen=True)
class SnapshotKey:
    """What a snapshot is of: every part must match for it to be used."""

    spreadsheet: str
    revision: str
    today: dt.date
    scope: str
    fingerprint: str

    def header(self) -> dict[str, str]:
        return {"spreadsheet": self.spreadsheet, "revision": self.revision, "today": self.today.isoformat(),
                "scope": self.scope, "fingerprint": self.fingerprint}

    def folder(self) -> str:
        """Where this spreadsheet's snapshots of this scope are: one per revision, day and code."""
        sheet = hashlib.sha256(self.spreadsheet.encode()).hexdigest()[:16]
        scope = hashlib.sha256(self.scope.encode()).hexdigest()[:16]
        return f"{sheet}/{scope}/"

    def object_name(self) -> str:
        """The name of exactly this snapshot. Hashed: no district name or spreadsheet id in a name. A
        snapshot is never rewritten (a new revision is a new name), so a reader asks for the one name it
        can use and a stale one costs no download; older ones are removed after a publication."""
        version = hashlib.sha256(f"{self.revision}|{self.today}|{self.fingerprint}".encode()).hexdigest()[:20]
        return f"{self.folder()}{version}.snap"


def code_fingerprint(settings: Iterable[object], root: Path = ROOT) -> str:
    """A short hash of the code that makes a snapshot and of the settings it depends on."""
    digest = hashlib.sha256("|".join(repr(value) for value in settings).encode())
    digest.update(f"{sys.version_info[:2]}".encode())
    for name in FINGERPRINT_SOURCES:
        path = root / name
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode())
            try:
                digest.update(file.read_bytes())
            except OSError:  # not deployed with the code (requirements.txt in some images): it says so
                digest.update(b"missing")
    return digest.hexdigest()[:20]


# ---------------------------------------------------------------- the format

def encode(key: SnapshotKey, obj: object) -> bytes:
    """MAGIC, one JSON header line (the key, the payload's length and CRC-32), the pickled payload."""
    payload = pickle.dumps(obj, protocol=5)
    header = {**key.header(), "bytes": len(payload), "crc32": zlib.crc32(payload)}
    return MAGIC + json.dumps(header, ensure_ascii=False).encode() + b"\n" + payload


def decode(data: bytes, key: SnapshotKey) -> Optional[object]:
    """The payload if `data` is the snapshot of exactly `key`; None if it is of another key (stale,
    another scope or spreadsheet, older code); SnapshotDamaged if it cannot be trusted."""
    if not data.startswith(MAGIC):
        raise SnapshotDamaged("not a snapshot (its first bytes are wrong)")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER)
    if end < 0:
        raise SnapshotDamaged("its header is cut off")
    try:
        header = json.loads(data[len(MAGIC):end])
    except ValueError:
        raise SnapshotDamaged("its header is not readable") from None
    if not isinstance(header, dict):
        raise SnapshotDamaged("its header is not readable")
    if {k: header.get(k) for k in key.header()} != key.header():
        return None
    payload = memoryview(data)[end + 1:]
    if len(payload) != header.get("bytes") or zlib.crc32(payload) != header.get("crc32"):
        raise SnapshotDamaged(f"its content is damaged ({len(payload)} of {header.get('bytes')} bytes, "
                              "or a changed byte)")
    try:
        with collector_paused():  # millions of small records: no cycle-collector passes over them
            return _RecordUnpickler(io.BytesIO(payload)).load()
    except SnapshotDamaged:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, it is not to be trusted
        raise SnapshotDamaged(f"its content does not load ({type(exc).__name__}: {exc})") from None


# The classes of this program a snapshot may hold (records, the ledger's book, the check's report).
RECORD_MODULES = frozenset({"sheets.records", "sheets.book", "sheets.check", "sheets.snapshot", "ledger.engine",
                            "ledger.core", "ledger.aging", "core.schema"})
# Everything else a snapshot may name: plain containers and values, and numpy's array rebuilders.
STANDARD_NAMES = frozenset({
    ("builtins", "list"), ("builtins", "dict"), ("builtins", "set"), ("builtins", "frozenset"),
    ("builtins", "tuple"), ("builtins", "bytearray"), ("builtins", "slice"), ("builtins", "complex"),
    ("collections", "defaultdict"), ("collections", "OrderedDict"), ("copyreg", "_reconstructor"),
    ("builtins", "object"),
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("decimal", "Decimal"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
})


class _RecordUnpickler(pickle.Unpickler):
    """Builds only this program's record classes and the standard names above (never a function of
    ours, never anything that runs a command): a snapshot naming anything else is damaged."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in STANDARD_NAMES:
            return super().find_class(module, name)
        if module in RECORD_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise SnapshotDamaged(f"it names {module}.{name}, which a snapshot may not hold")


# ---------------------------------------------------------------- where snapshots are kept

class Tier(Protocol):
    """One place snapshots are kept, each under a name that is never written twice."""

    description: str

    def get(self, name: str) -> Optional[bytes]:
        """The snapshot's bytes, None when there is none of that name."""
        ...

    def put(self, name: str, data: bytes) -> bool:
        """Store it unless one of that name exists (then False: another instance published it first)."""
        ...

    def prune(self, folder: str, keep: str) -> int:
        """Remove the snapshots in `folder` other than `keep` (older revisions); how many went."""
        ...


class DirectoryTier:
    """Snapshots as files in a directory: written whole under a temporary name, then linked to their
    name only if it is not taken (a reader sees the whole file or none)."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.description = str(self.directory)

    def get(self, name: str) -> Optional[bytes]:
        try:
            return (self.directory / name).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, name: str, data: bytes) -> bool:
        path = self.directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            temporary.write_bytes(data)
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
            except OSError:  # no hard links here (FAT, some network drives): a rename, last one wins
                os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return True

    def prune(self, folder: str, keep: str) -> int:
        gone = 0
        for path in (self.directory / folder).glob("*.snap"):
            if path.name != keep.rsplit("/", 1)[-1]:
                path.unlink(missing_ok=True)
                gone += 1
        return gone


class BucketTier:
    """Snapshots as Cloud Storage objects under `prefix`, shared by every instance. Created with
    ifGenerationMatch=0, so of two instances publishing the same snapshot the second gets a 412 and
    leaves the first's be."""

    def __init__(self, client: "StorageClient", bucket: str, prefix: str = "snapshots/"):
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.description = f"gs://{bucket}/{prefix}"

    def get(self, name: str) -> Optional[bytes]:
        """One request: the content, or a 404 when nobody has published it."""
        try:
            return self.client.objects_get_media(self.bucket, self.prefix + name)
        except StoreError as exc:
            if getattr(exc, "not_found", False):
                return None
            raise

    def put(self, name: str, data: bytes) -> bool:
        try:
            self.client.objects_insert(self.bucket, self.prefix + name, data, if_generation_match=0)
        except StoreError as exc:
            if getattr(exc, "precondition_failed", False):
                return False
            raise
        return True

    def prune(self, folder: str, keep: str) -> int:
        gone = 0
        for found in self.client.objects_list(self.bucket, self.prefix + folder):
            if found.name != self.prefix + keep:
                try:
                    self.client.objects_delete(self.bucket, found.name, if_generation_match=found.generation)
                    gone += 1
                except StoreError as exc:
                    if not (getattr(exc, "not_found", False) or getattr(exc, "precondition_failed", False)):
                        raise  # gone already, or replaced: someone else's business
        return gone


@dataclass
class ShelfStats:
    """What the shelf did in this process (for the log, the tests and the benchmark)."""

    hits: int = 0
    misses: int = 0
    damaged: int = 0
    published: int = 0
    lost_races: int = 0
    failures: int = 0


class Shelf:
    """The snapshots of one spreadsheet: looked up tier by tier, published to every tier."""

    def __init__(self, spreadsheet: str, fingerprint: str, tiers: Iterable[Tier]):
        self.spreadsheet, self.fingerprint = spreadsheet, fingerprint
        self.tiers = list(tiers)
        self.stats = ShelfStats()

    def key(self, scope: str, revision: str, today: dt.date) -> SnapshotKey:
        return SnapshotKey(self.spreadsheet, revision, today, scope, self.fingerprint)

    def load(self, scope: str, revision: str, today: dt.date) -> Optional[object]:
        """The snapshot of `scope` at `revision` and `today`, or None (a miss: build it and `save`)."""
        key = self.key(scope, revision, today)
        name = key.object_name()
        for depth, tier in enumerate(self.tiers):
            try:
                data = tier.get(name)
            except (OSError, StoreError) as exc:
                self.stats.failures += 1
                log.warning("snapshot %s: cannot read %s (%s): reading the sheet instead", scope, tier.description,
                            type(exc).__name__)
                continue
            if data is None:
                continue
            try:
                found = decode(data, key)
            except SnapshotDamaged as exc:
                self.stats.damaged += 1
                log.warning("snapshot %s in %s ignored: %s; it is rebuilt from the sheet", scope, tier.description,
                            exc)
                self._remove(tier, key.folder(), scope)
                continue
            if found is None:
                continue  # the name's hash matched another key: never used
            self.stats.hits += 1
            for upper in range(depth):  # keep a copy nearer: the next cold start on this instance reads it there
                if self._put(upper, key, data):
                    self._prune(self.tiers[upper], key, scope)
            return found
        self.stats.misses += 1
        return None

    def save(self, scope: str, revision: str, today: dt.date, obj: object) -> None:
        """Publish `obj` as the snapshot of `scope` at `revision`, and remove that scope's older ones
        (never raises: a snapshot is only a saving)."""
        key = self.key(scope, revision, today)
        try:
            data = encode(key, obj)
        except Exception as exc:  # noqa: BLE001 - an unpicklable value: say so, keep working
            self.stats.failures += 1
            log.warning("snapshot %s not saved: %s: %s", scope, type(exc).__name__, exc)
            return
        for depth in range(len(self.tiers)):
            if self._put(depth, key, data):
                self._prune(self.tiers[depth], key, scope)

    def _put(self, depth: int, key: SnapshotKey, data: bytes) -> bool:
        tier = self.tiers[depth]
        try:
            if tier.put(key.object_name(), data):
                self.stats.published += 1
                return True
            self.stats.lost_races += 1
            log.info("snapshot %s: another instance published it to %s first", key.scope, tier.description)
        except (OSError, StoreError) as exc:
            self.stats.failures += 1
            log.warning("snapshot %s not saved to %s: %s", key.scope, tier.description, type(exc).__name__)
        return False

    def _prune(self, tier: Tier, key: SnapshotKey, scope: str) -> None:
        try:
            tier.prune(key.folder(), key.object_name())
        except (OSError, StoreError) as exc:  # left for the bucket's lifecycle rule (docs/snapshot.md)
            log.info("snapshot %s: older ones not removed from %s: %s", scope, tier.description, type(exc).__name__)

    def _remove(self, tier: Tier, folder: str, scope: str) -> None:
        """A damaged snapshot is removed (all of the folder: the rebuild publishes the good one)."""
        try:
            tier.prune(folder, "")
        except (OSError, StoreError) as exc:
            log.info("snapshot %s: the damaged one not removed from %s: %s", scope, tier.description,
                     type(exc).__name__)


# ---------------------------------------------------------------- the sheet's revision

class RevisionSource(Protocol):
    """Which edit of the sheet is current; None when it cannot be told (then no snapshot is used)."""

    def revision(self) -> Optional[str]: ...


class FileRevision:
    """A workbook's revision: its modification time (ns) and size. Saving it, by us or by a person
    in a spreadsheet program, changes both or at least the time."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def revision(self) -> Optional[str]:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return f"f{stat.st_mtime_ns}-{stat.st_size}"


class DriveRevision:
    """A Google spreadsheet's revision: Drive's `version` of the file (`modifiedTime` without one).

    One small request. When Drive cannot be asked (no Drive scope, the API off, a fault), it says
    so once in the log and answers None: the caller then reads the sheet as it would without
    snapshots. After a failure Drive is not asked again for `pause_seconds`, so that a Drive API left
    switched off does not cost every event a failing request."""

    def __init__(self, client: "DriveClient", file_id: str, *, pause_seconds: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self.client, self.file_id = client, file_id
        self.pause_seconds, self.clock = pause_seconds, clock
        self._warned = False
        self._paused_until = 0.0

    def revision(self) -> Optional[str]:
        if self.clock() < self._paused_until:
            return None
        try:
            found = self.client.revision(self.file_id)
        except StoreError as exc:
            self._paused_until = self.clock() + self.pause_seconds
            if not self._warned:
                self._warned = True
                log.warning("the sheet's revision is not known (Drive files.get: %s): snapshots are not used "
                            "until it is (asked again in %.0f s)", exc, self.pause_seconds)
            return None
        self._warned = False
        return found.key


@dataclass
class Snapshots:
    """A store's snapshots: how to tell its revision, and where its parsed snapshots are kept."""

    revisions: RevisionSource
    shelf: Shelf

    def revision(self) -> Optional[str]:
        return self.revisions.revision()
