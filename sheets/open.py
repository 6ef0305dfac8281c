"""Which store and which claims a config means, opened: the one place that knows both backends of each."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from core.config import ROOT, Config
from sheets.store import Layout, Store, StoreError

if TYPE_CHECKING:  # opened on first use: a workbook run needs neither HTTP client
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


def open_claims(config: Config, env: Mapping[str, str] | None = None,
                tokens: "TokenSource | None" = None) -> "Claims":
    """The configured claims: Cloud Storage objects in `claims.bucket` (every instance of every
    function shares them) when it is set, else files under `claims.directory` (one machine: the
    embedded default beside the .xlsx store).

    The bucket's client is the one Cloud Storage client, with `storage.*` settings and a token of
    its own carrying the devstorage scope (from the metadata server on Google Cloud, else
    google-auth; `tokens` for tests)."""
    settings = config.claims
    if settings.bucket:
        from sheets.claims import StorageClaims
        from sheets.cloud_storage import RetryPolicy, StorageClient
        from sheets.credentials import STORAGE_SCOPES, token_source_from_env

        source = tokens or token_source_from_env(os.environ if env is None else env, scopes=STORAGE_SCOPES)
        storage = config.storage
        client = StorageClient(_bearer(source), api_url=storage.api_url, timeout_seconds=storage.timeout_seconds,
                               retry=RetryPolicy(storage.max_tries, storage.backoff_seconds,
                                                 storage.backoff_max_seconds))
        return StorageClaims(client, settings.bucket, settings.prefix)
    from sheets.claims import FileClaims

    directory = Path(settings.directory)
    return FileClaims(directory if directory.is_absolute() else ROOT / directory)


def _bearer(tokens: "TokenSource") -> Callable[[], str]:
    """The bare access token of a token source (the Cloud Storage client adds "Bearer " itself)."""
    def token() -> str:
        return tokens.headers().get("Authorization", "").removeprefix("Bearer ").strip()
    return token
