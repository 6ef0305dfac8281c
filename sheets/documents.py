"""Where a document sent in LINE is kept: a Drive folder per district and fund, or files on this machine.

`open_shelf(config)` picks one from the settings: with `drive.folder_id` (a folder of a shared drive,
docs/drive.md) the files go to Drive through sheets.drive's client; without it, under
`documents.directory` (data/documents/<district>/<fund>/), the embedded default. Either way the same
`ref` (the LINE message id) stores one file however often it is sent, and `put` answers the file's link.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional, Protocol

from core.config import Config

if TYPE_CHECKING:  # sheets.drive is imported only when a document is stored (not on the webhook's cold start)
    from sheets.drive import DriveClient

# The file name's ending for what LINE says the content is.
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
            "application/pdf": ".pdf", "image/heic": ".heic"}
_UNSAFE = re.compile(r"[\\/:*?\"<>|\x00-\x1f]+")


class Shelf(Protocol):
    """Keeps one document; answers where it is (a Drive link or a file path)."""

    def put(self, folders: tuple[str, str], name: str, data: bytes, media_type: str, *, ref: str) -> str: ...


def file_name(name: str, media_type: str) -> str:
    """`name` made safe as a file name (no path separators), with the ending its media type has."""
    safe = " ".join(_UNSAFE.sub("-", name).split()).strip(" .") or "เอกสาร"
    return safe + SUFFIXES.get(media_type.lower(), "")


class DriveShelf:
    """Drive: root / district / fund / <name>, the upload tagged with `ref` (one file per ref)."""

    def __init__(self, client: "DriveClient", root_id: str):
        self.client, self.root_id = client, root_id

    def put(self, folders: tuple[str, str], name: str, data: bytes, media_type: str, *, ref: str) -> str:
        folder = self.client.folder_path(self.root_id, [file_name(f, "") for f in folders])
        stored = self.client.upload(folder.id, file_name(name, media_type), data, media_type, ref=ref)
        return stored.web_view_link or f"https://drive.google.com/file/d/{stored.id}/view"


class LocalShelf:
    """Files under `directory`/district/fund/. The same bytes under the same name are one file (a
    redelivery); a different document of the same name that day gets -2, -3, ..."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def put(self, folders: tuple[str, str], name: str, data: bytes, media_type: str, *, ref: str) -> str:
        folder = self.directory.joinpath(*(file_name(f, "") for f in folders))
        folder.mkdir(parents=True, exist_ok=True)
        base = file_name(name, media_type)
        stem, suffix = os.path.splitext(base)
        for n in range(1, 1000):
            path = folder / (base if n == 1 else f"{stem}-{n}{suffix}")
            if path.exists():
                if path.read_bytes() == data:
                    return str(path)
                continue
            tmp = path.with_name(path.name + f".{ref or 'part'}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            return str(path)
        raise OSError(f"too many documents named {base} in {folder}")


def open_shelf(config: Config, env: Optional[Mapping[str, str]] = None) -> Shelf:
    """The shelf the settings name: Drive with drive.folder_id, else documents.directory on this machine."""
    folder_id = str(config.drive.folder_id or "").strip()
    if folder_id:
        from sheets.drive import DriveClient

        return DriveShelf(DriveClient.open(config, env), folder_id)
    return LocalShelf(str(config.documents.directory))
