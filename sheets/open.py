"""Which store a `--store` / KKC_STORE / config spec means, opened: the one place that knows both backends."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from core.config import ROOT, Config
from sheets.store import Layout, Store, StoreError

if TYPE_CHECKING:
    from sheets.claims import Claims
    from sheets.credentials import TokenSource


def resolve_store_spec(spec: str | None, config: Config) -> str:
    """--store, then KKC_STORE (already folded into config), then config.yaml's store."""
    return spec or config.store


def open_store(spec: str | None, config: Config) -> Store:
    """`gsheet:<id>` for Google Sheets, anything else is an .xlsx path."""
    spec = resolve_store_spec(spec, config)
    layout = Layout(config)
    if spec.startswith("gsheet:"):
        from sheets.google import GoogleStore  # late: a workbook run needs no HTTP client

        sheet_id = spec.split(":", 1)[1].strip()
        if not sheet_id:
            raise StoreError("ต้องระบุรหัสสเปรดชีตหลัง gsheet: (give the spreadsheet id after gsheet:)")
        return GoogleStore.from_config(sheet_id, config, layout)
    from sheets.workbook import WorkbookStore

    path = Path(spec)
    if not path.is_absolute():
        path = ROOT / path
    if path.suffix.lower() != ".xlsx":
        raise StoreError(f"ที่เก็บข้อมูล '{spec}' ต้องเป็นไฟล์ .xlsx หรือ gsheet:<รหัส> "
                         f"(store must be an .xlsx path or gsheet:<id>)")
    return WorkbookStore(path, layout)


def open_claims(config: Config, tokens: TokenSource | None = None) -> Claims:
    """The claims of this deployment (sheets.claims): a Cloud Storage bucket shared by every
    instance when `claims.bucket` is set (KKC_CLAIMS_BUCKET), else files in `claims.directory`
    (the embedded default, one machine)."""
    import os

    from sheets.claims import FileClaims, StorageClaims

    settings = config.claims
    if not settings.bucket:
        directory = Path(settings.directory)
        return FileClaims(directory if directory.is_absolute() else ROOT / directory)
    from sheets.cloud_storage import RetryPolicy, StorageClient
    from sheets.credentials import token_source_from_env

    source = tokens if tokens is not None else token_source_from_env(os.environ)
    storage = config.storage

    def token() -> str:
        return source.headers().get("Authorization", "").removeprefix("Bearer ")

    client = StorageClient(token, api_url=storage.api_url, timeout_seconds=storage.timeout_seconds,
                           retry=RetryPolicy(storage.max_tries, storage.backoff_seconds, storage.backoff_max_seconds))
    return StorageClaims(client, settings.bucket, settings.prefix)
