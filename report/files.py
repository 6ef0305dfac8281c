"""Where the finished paper documents go: the one place that knows.

Every PDF the program makes (the meeting report, collection sheets, notice letters) is written to
a local file first, then handed to `store_file`. With `report.drive_folder_id` blank (the embedded
default) the file stays where it was written, `data/reports/` unless told otherwise. With a folder
set, the file belongs in that Google Drive folder: issue 12 builds the Drive client, and
`store_file` is the single place it will upload from and return the file's link. Until then the
file stays on this machine and the answer says so, so nobody is told of a link that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import ROOT

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


def store_file(path: Path, config: Any) -> StoredFile:
    """Put a finished file where people will find it (see the module docstring): locally it stays;
    with report.drive_folder_id set this is where the Drive upload (issue 12) goes."""
    folder = config.report.drive_folder_id
    if not folder:
        return StoredFile(Path(path))
    return StoredFile(Path(path), None, f"ยังไม่ได้อัปโหลดไปยัง Google Drive (โฟลเดอร์ {folder}): "
                                        f"ไฟล์อยู่ที่ {Path(path)} บนเครื่องที่ทำรายงาน")


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
