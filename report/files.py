"""Where the finished paper documents go: the one place that knows.

Every PDF the program makes (the meeting report, collection sheets, notice letters) is written to
a local file first, then handed to `store_file`. With `report.drive_folder_id` blank (the embedded
default) the file stays where it was written, `data/reports/` unless told otherwise. With a folder
set (a folder in a shared drive: a service account has no Drive storage of its own, docs/drive.md),
the file is uploaded there through the one Drive client (`sheets.drive.DriveClient`) and the answer
carries its link. The same file made twice (a rerun) is stored once: its ref is its name and a hash
of its bytes. When the upload fails the file stays on this machine and the answer says so, so
nobody is told of a link that does not exist.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import ROOT, Config
from sheets.drive import DriveClient

REPORTS = ROOT / "data" / "reports"


@dataclass(frozen=True)
class StoredFile:
    path: Path              # the file on this machine
    link: str | None = None  # where people open it (a Drive link); None: only on this machine
    note: str = ""           # anything the person should know (not uploaded yet)

    @property
    def where(self) -> str:
        """What a message says: the link, else the path (relative to the project when inside it)."""
        if self.link:
            return self.link
        try:
            return str(self.path.resolve().relative_to(ROOT))
        except ValueError:
            return str(self.path)

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "link": self.link, "where": self.where, "note": self.note}


def store_file(path: Path, config: Config, drive: DriveClient | None = None) -> StoredFile:
    """Put a finished file where people will find it (see the module docstring): locally it stays;
    with report.drive_folder_id set it is uploaded to that Drive folder (`drive`: the client, for tests)."""
    path = Path(path)
    folder = config.report.drive_folder_id
    if not folder:
        return StoredFile(path)
    try:
        data = path.read_bytes()
        client = drive or DriveClient.open(config)
        ref = f"{path.name}:{hashlib.sha256(data).hexdigest()[:16]}"
        media_type = "application/pdf" if path.suffix.lower() == ".pdf" else "application/octet-stream"
        stored = client.upload(folder, path.name, data, media_type, ref=ref)
    except Exception as exc:  # noqa: BLE001 - Drive, the token, the file: the answer says what failed
        return StoredFile(path, None, f"อัปโหลดไปยัง Google Drive ไม่สำเร็จ (โฟลเดอร์ {folder}): "
                                      f"ไฟล์อยู่ที่ {path} บนเครื่องที่ทำรายงาน ({exc})")
    return StoredFile(path, stored.web_view_link or f"https://drive.google.com/file/d/{stored.id}/view")


def pdf_path(given: Path | str | bool | None, name: str) -> Path | None:
    """Where to write a PDF: a file path as given, a directory's `name`, or data/reports/`name`
    (None / True); False: no PDF."""
    if given is False:
        return None
    if given is None or given is True:
        return REPORTS / name
    path = Path(str(given))
    return path / name if path.is_dir() else path


__all__ = ["REPORTS", "StoredFile", "pdf_path", "store_file"]
