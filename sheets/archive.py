"""Where the alert log's old rows go when they leave the spreadsheet: CSV files in a Cloud Storage
bucket (every instance of every function shares it) or, without one, in a directory.

A file is written once and never replaced: `put` creates it, and finding it already there with
the same bytes counts as written (a retry of our own write whose answer was lost, or the same
move tried again the same day); other bytes under that name are an error, never overwritten.
Nothing here deletes a file: what says a file's rows have left the sheet is the log's own move
row (reminders/archive.py), written in the same write that deletes them.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from sheets.cloud_storage import StorageClient, StorageError
from sheets.store import StoreError

CSV_TYPE = "text/csv; charset=utf-8"


class ArchiveSink(Protocol):
    description: str

    def put(self, name: str, data: bytes) -> str:
        """Create the file `name` holding `data`; where it is (gs://… or a path)."""
        ...

    def names(self) -> list[str]:
        """The files written so far, by name (without the prefix), in name order."""
        ...


def _already(where: str) -> StoreError:
    return StoreError(f"มีไฟล์ {where} อยู่แล้วแต่เนื้อหาไม่ตรงกัน จึงไม่เขียนทับ "
                      f"(an archive file of that name holds something else: not overwritten)")


class DirectorySink:
    """Files in a directory on this machine: the embedded default."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.description = str(self.directory)

    def put(self, name: str, data: bytes) -> str:
        path = self.directory / name
        if path.exists():
            if path.read_bytes() != data:
                raise _already(str(path))
            return str(path)
        self.directory.mkdir(parents=True, exist_ok=True)
        # Written whole under another name, then linked: the name never shows half a file, and
        # os.link refuses an existing name (create only, as the bucket's ifGenerationMatch=0). The
        # file keeps NamedTemporaryFile's owner-only mode: the rows name borrowers' contracts.
        with tempfile.NamedTemporaryFile(dir=self.directory, prefix=".part-", delete=False) as part:
            part.write(data)
        try:
            os.link(part.name, path)
        except FileExistsError:
            if path.read_bytes() != data:
                raise _already(str(path)) from None
        finally:
            os.unlink(part.name)
        return str(path)

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.iterdir() if p.is_file() and not p.name.startswith("."))


class BucketSink:
    """Objects under `prefix` in a Cloud Storage bucket, through the process's one Storage client."""

    def __init__(self, client: StorageClient, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix
        self.description = f"gs://{bucket}/{prefix}"

    def put(self, name: str, data: bytes) -> str:
        where = f"gs://{self.bucket}/{self.prefix}{name}"
        try:
            self.client.objects_insert(self.bucket, self.prefix + name, data, content_type=CSV_TYPE,
                                       if_generation_match=0)
        except StorageError as exc:
            if not exc.precondition_failed:
                raise
            if self.client.objects_get_media(self.bucket, self.prefix + name) != data:
                raise _already(where) from None
        return where

    def names(self) -> list[str]:
        return [o.name[len(self.prefix):] for o in self.client.objects_list(self.bucket, self.prefix)]
