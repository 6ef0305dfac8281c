"""Atomic claims: "this key is mine", granted to exactly one of any number of racing writers.

Why: a double tap on "ยืนยันบันทึก" that lands on two warm Cloud Functions
instances wrote two repayment rows with the same รหัสอ้างอิง, and two
overlapping alert runs both sent. Reading the sheet first cannot stop that
(both read "not there yet"); a create-if-absent that the storage itself makes
atomic can. The writer claims the key first and does the work only if it won;
a loser gets the winner's record back, so it can say "already recorded by …
at …". A claim knows nothing of repayments: the key and the record are the
caller's (the record must be JSON: text, numbers, true/false, null, lists and
mappings of them).

Two implementations of one promise:
- `StorageClaims`: an object written with ifGenerationMatch=0 (Cloud Storage
  answers 412 when it exists). Holds across instances and machines: the
  deployed webhook and jobs.
- `FileClaims`: a file created only if absent in one directory. Holds across
  processes on one machine: the embedded default beside the local .xlsx store.

Names: a key becomes `<readable part>-<hash>` (see `claim_name`), safe as an
object name and as a file name on every system.

Release: `release(key)` undoes a claim this same instance won, for work that
certainly did not happen (it failed before anything was written, or was
refused with an answer). It is safe in the sense that it removes only our own
claim, never a later holder's (a generation precondition on Cloud Storage, the
holder's nonce for files). It is NOT safe after a write whose outcome is
unknown (a timeout, a lost answer): the row may be in the sheet, and releasing
would let a retry write it twice; keep the claim then. A loser that was told
"already recorded" just before the winner released may have been told too
much; a caller should word it as "being recorded or recorded by …".
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sheets.cloud_storage import StorageClient, StorageError
from sheets.store import StoreError

# A claim released between our failed create and our read of the holder: try again, a few times.
MAX_ROUNDS = 5
# A file made by the exclusive-create fallback can be seen empty for the moment before it is written.
PARTIAL_FILE_WAIT_SECONDS, PARTIAL_FILE_POLL_SECONDS = 1.0, 0.01


class ClaimError(StoreError):
    """A claim could not be taken or read; the message says what and where."""


@dataclass(frozen=True)
class ClaimResult:
    """Whether we won, and the record that holds the claim (ours if we won, else the first writer's)."""

    won: bool
    record: dict[str, Any]


class Claims(Protocol):
    def claim(self, key: str, record: dict[str, Any]) -> ClaimResult:
        """Take `key` for `record` if nobody holds it; otherwise say who does."""
        ...

    def release(self, key: str) -> bool:
        """Give back a claim this instance won (see the module docstring for when); False if not ours."""
        ...


def claim_name(key: str) -> str:
    """A key as a file or object name: a readable ASCII part, a dash, 32 hex digits of its SHA-256.

    Quoting alone would not do: Windows and macOS file names ignore case ("A1"
    and "a1" would share one claim), and Thai text percent-quoted grows ninefold
    past the 255-byte file-name limit. The hash keeps every key apart (128 bits);
    the readable part only helps a person looking at the bucket or directory.
    """
    if not key:
        raise ValueError("a claim needs a non-empty key")
    readable = re.sub(r"[^a-z0-9.-]+", "_", key.lower()).strip("._-")[:40]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"{readable}-{digest}" if readable else digest


def _envelope(key: str, holder: str, record: dict[str, Any]) -> bytes:
    """What a claim stores: the key (checked on reading), a random holder nonce, the record.

    The nonce makes every writer's bytes unique, so "the stored bytes are the
    ones I sent" proves the write was ours (sheets.cloud_storage, lost answers).
    """
    try:
        text = json.dumps({"key": key, "holder": holder, "record": record}, ensure_ascii=False, sort_keys=True)
    except TypeError as exc:
        raise ClaimError(f"ข้อมูลที่ใช้จองต้องเป็น JSON (a claim's record must be JSON: {exc})") from None
    return text.encode("utf-8")


def _opened(data: bytes, key: str, where: str) -> dict[str, Any]:
    """A stored claim's envelope, checked to be for `key`."""
    try:
        envelope = json.loads(data)
    except ValueError:
        raise ClaimError(f"ข้อมูลการจอง {where} อ่านไม่ได้ (the claim at {where} is not JSON)") from None
    if not isinstance(envelope, dict) or envelope.get("key") != key or not isinstance(envelope.get("record"), dict):
        raise ClaimError(f"ข้อมูลการจอง {where} ไม่ใช่ของ {key!r} (the claim at {where} is not for {key!r})")
    return envelope


def _contended(key: str) -> ClaimError:
    return ClaimError(f"จอง {key!r} ไม่สำเร็จ: มีการจองและคืนสลับกันเร็วเกินไป "
                      f"(could not claim {key!r}: it was taken and released {MAX_ROUNDS} times in a row)")


class StorageClaims:
    """Claims as Cloud Storage objects `<prefix><claim_name(key)>.json`, created with ifGenerationMatch=0."""

    def __init__(self, client: StorageClient, bucket: str, prefix: str = "claims/"):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self._held: dict[str, int] = {}  # key -> generation of a claim this instance won

    def object_name(self, key: str) -> str:
        return f"{self.prefix}{claim_name(key)}.json"

    def claim(self, key: str, record: dict[str, Any]) -> ClaimResult:
        name = self.object_name(key)
        data = _envelope(key, secrets.token_hex(16), record)
        for _ in range(MAX_ROUNDS):
            try:
                stored = self.client.objects_insert(self.bucket, name, data, content_type="application/json",
                                                    if_generation_match=0)
            except StorageError as exc:
                if not exc.precondition_failed:
                    raise
            else:
                self._held[key] = stored.generation
                return ClaimResult(True, record)
            try:
                held = self.client.objects_get_media(self.bucket, name)
            except StorageError as exc:
                if exc.not_found:
                    continue  # released since our try: try again
                raise
            return ClaimResult(False, _opened(held, key, f"gs://{self.bucket}/{name}")["record"])
        raise _contended(key)

    def release(self, key: str) -> bool:
        generation = self._held.pop(key, None)
        if generation is None:
            return False
        try:
            # Only the generation we created: a later holder's claim is never deleted.
            self.client.objects_delete(self.bucket, self.object_name(key), if_generation_match=generation)
        except StorageError as exc:
            if exc.precondition_failed or exc.not_found:
                return False  # gone already (the lifecycle rule) or someone else's now
            self._held[key] = generation  # still ours: a later release may try again
            raise
        return True


class FileClaims:
    """Claims as files `<directory>/<claim_name(key)>.json`, created only if absent.

    The file is written whole under a temporary name, then hard-linked to its
    claim name: link() fails if the name exists, atomically, so exactly one of
    any number of processes wins and a reader never sees half a claim. Where
    the file system has no hard links (FAT, some network drives) it falls back
    to an exclusive create (O_EXCL, `open(path, "x")`) written afterwards, and a
    reader waits up to a second for the content. Atomic on one machine only: a
    directory shared between machines needs StorageClaims.
    """

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self._held: dict[str, str] = {}  # key -> holder nonce of a claim this instance won

    def path(self, key: str) -> Path:
        return self.directory / f"{claim_name(key)}.json"

    def claim(self, key: str, record: dict[str, Any]) -> ClaimResult:
        path = self.path(key)
        holder = secrets.token_hex(16)
        data = _envelope(key, holder, record)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            for _ in range(MAX_ROUNDS):
                if self._create(path, data, holder):
                    self._held[key] = holder
                    return ClaimResult(True, record)
                held = self._read(path, key)
                if held is not None:
                    return ClaimResult(False, held["record"])
                # released since our try: try again
        except OSError as exc:
            raise ClaimError(f"เขียนการจองที่ {path} ไม่ได้ (cannot write the claim {path}: "
                             f"{type(exc).__name__}: {exc.strerror or exc})") from None
        raise _contended(key)

    def release(self, key: str) -> bool:
        holder = self._held.pop(key, None)
        if holder is None:
            return False
        path = self.path(key)
        held = self._read(path, key)
        if held is None or held.get("holder") != holder:
            return False
        # Nobody can replace the file between the read and the unlink: it exists, so no one else can
        # create it, and only this instance knows the nonce.
        path.unlink(missing_ok=True)
        return True

    @staticmethod
    def _create(path: Path, data: bytes, holder: str) -> bool:
        """True if we created `path` holding `data`; False if it already existed."""
        temporary = path.with_name(f".{path.name}.{holder}.tmp")
        try:
            _write_new(temporary, data)
            try:
                os.link(temporary, path)
                return True
            except FileExistsError:
                return False
            except OSError:
                pass  # no hard links on this file system: the fallback below (if the directory is
                # unusable altogether, the fallback fails too, with its own error)
        finally:
            temporary.unlink(missing_ok=True)
        try:
            _write_new(path, data)  # create exclusively, then write
        except FileExistsError:
            return False
        return True

    @staticmethod
    def _read(path: Path, key: str) -> dict[str, Any] | None:
        """The claim's envelope, or None if it is gone."""
        deadline = time.monotonic() + PARTIAL_FILE_WAIT_SECONDS
        while True:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise ClaimError(f"อ่านการจองที่ {path} ไม่ได้ (cannot read the claim {path}: "
                                 f"{type(exc).__name__})") from None
            try:
                return _opened(data, key, str(path))
            except ClaimError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(PARTIAL_FILE_POLL_SECONDS)  # the fallback's writer has not finished yet


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (FileExistsError if it exists) and write `data` through to the disk.

    A write that fails half way removes the file: a half-written claim would hold its key for ever.
    """
    file = open(path, "xb")
    try:
        with file:  # closed before the unlink below (Windows cannot remove an open file)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
