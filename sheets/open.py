"""Which store and which claims a config means, opened: the one place that knows both backends of each."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from core.config import ROOT, Config
from sheets.store import Layout, Store, StoreError

if TYPE_CHECKING:  # opened on first use: a workbook run needs neither HTTP client
    from sheets.archive import ArchiveSink
    from sheets.claims import Claims
    from sheets.cloud_storage import StorageClient
    from sheets.credentials import TokenSource
    from sheets.snapshot import Snapshots

# The settings a parsed snapshot depends on (what the parsers, the ledger and the check read); a change
# to any other (a URL, a directory, a budget) leaves the snapshots good.
PARSED_SETTINGS = ("province", "timezone", "headers", "quality", "rules", "ledger")
# Drive is asked only for the file's version: the narrowest scope that can read it.
DRIVE_METADATA_SCOPES = ("https://www.googleapis.com/auth/drive.metadata.readonly",)
# The revision is asked on every webhook event: never let it wait long (a late answer = read the sheet).
REVISION_TIMEOUT_SECONDS, REVISION_MAX_TRIES = 2.0, 2


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

        return StorageClaims(open_storage_client(config, env, tokens), settings.bucket, settings.prefix)
    from sheets.claims import FileClaims

    directory = Path(settings.directory)
    return FileClaims(directory if directory.is_absolute() else ROOT / directory)


def open_archive(config: Config, env: Mapping[str, str] | None = None, *, tokens: "TokenSource | None" = None,
                 storage: "StorageClient | None" = None) -> "ArchiveSink":
    """Where the alert log's older rows go (reminders/archive.py): CSV files in `archive.bucket`
    (else the claims bucket) under `archive.prefix`, or without a bucket in `archive.directory`.
    `storage`: the process's Cloud Storage client when it has one (the claims'), else one is made."""
    settings = config.archive
    bucket = settings.bucket or config.claims.bucket
    if bucket:
        from sheets.archive import BucketSink

        prefix = settings.prefix if not settings.prefix or settings.prefix.endswith("/") else settings.prefix + "/"
        return BucketSink(storage or open_storage_client(config, env, tokens), bucket, prefix)
    from sheets.archive import DirectorySink

    directory = Path(settings.directory)
    return DirectorySink(directory if directory.is_absolute() else ROOT / directory)


def _snapshot_directory(setting: str, spec: str) -> Path:
    """`snapshot.directory`, or by default data/snapshots beside a workbook and, for Google Sheets
    without a bucket, the temporary directory: the project's own may not be writable on Cloud
    Functions, so each instance keeps its own snapshots there."""
    import tempfile

    if not setting:
        return ROOT / "data" / "snapshots" if not spec.startswith("gsheet:") else \
            Path(tempfile.gettempdir()) / "kkc-snapshots"
    directory = Path(setting)
    return directory if directory.is_absolute() else ROOT / directory


def open_storage_client(config: Config, env: Mapping[str, str] | None = None,
                        tokens: "TokenSource | None" = None) -> "StorageClient":
    """The Cloud Storage client the settings describe (`storage.*`), with a token of its own carrying
    the devstorage scope (from the metadata server on Google Cloud, else google-auth; `tokens` for tests)."""
    from sheets.cloud_storage import RetryPolicy, StorageClient
    from sheets.credentials import STORAGE_SCOPES, bearer_token, token_source_from_env

    source = tokens or token_source_from_env(os.environ if env is None else env, scopes=STORAGE_SCOPES)
    storage = config.storage
    return StorageClient(bearer_token(source), api_url=storage.api_url, timeout_seconds=storage.timeout_seconds,
                         retry=RetryPolicy(storage.max_tries, storage.backoff_seconds, storage.backoff_max_seconds))


def open_snapshots(config: Config, env: Mapping[str, str] | None = None, *, spec: str | None = None,
                   drive_tokens: "TokenSource | None" = None, storage_tokens: "TokenSource | None" = None,
                   storage: "StorageClient | None" = None) -> "Snapshots | None":
    """The parsed snapshots of the store `spec` means (as for open_store), or None when switched off.

    The revision: Drive's version for `gsheet:` (a token with the Drive metadata scope; `drive_tokens`
    for tests), the file's time and size for a workbook. The shelf: the instance's own directory, then
    `snapshot.bucket` (else the claims bucket) or, with no bucket, files in `snapshot.directory`.
    `storage`: the process's Cloud Storage client when it has one (the claims'), else one is made."""
    settings = config.snapshot
    if not settings.enabled:
        return None
    import tempfile

    from sheets.snapshot import (BucketTier, DirectoryTier, DriveRevision, FileRevision, Shelf, Snapshots, Tier,
                                 code_fingerprint)

    env = os.environ if env is None else env
    spec = resolve_store_spec(spec, config)
    revisions: "FileRevision | DriveRevision"
    if spec.startswith("gsheet:"):
        from sheets.credentials import bearer_token, token_source_from_env
        from sheets.drive import DriveClient
        from sheets.google_api import RetryPolicy

        sheet_id = spec.split(":", 1)[1].strip()
        source = drive_tokens or token_source_from_env(env, scopes=DRIVE_METADATA_SCOPES)
        drive = config.drive
        client = DriveClient(bearer_token(source), api_url=drive.api_url,
                             timeout_seconds=min(drive.timeout_seconds, REVISION_TIMEOUT_SECONDS),
                             retry=RetryPolicy(max_tries=min(drive.max_tries, REVISION_MAX_TRIES),
                                               backoff_seconds=0.2, backoff_max_seconds=0.5))
        revisions = DriveRevision(client, sheet_id)
        identity = spec
    else:
        path = Path(spec)
        path = path if path.is_absolute() else ROOT / path
        revisions = FileRevision(path)
        identity = f"xlsx:{path.resolve()}"
    bucket = settings.bucket or config.claims.bucket
    shared: Tier
    local: Path | None = None
    if bucket:
        shared = BucketTier(storage or open_storage_client(config, env, storage_tokens), bucket, settings.prefix)
        local = Path(settings.local_directory or Path(tempfile.gettempdir()) / "kkc-snapshots")
    else:
        shared = DirectoryTier(_snapshot_directory(settings.directory, spec))
        if settings.local_directory:
            local = Path(settings.local_directory)
    values = config.values.as_dict()
    fingerprint = code_fingerprint(values.get(name) for name in PARSED_SETTINGS)
    # The instance's own directory first, unless it is the shared one already.
    tiers = [shared] if local is None or (isinstance(shared, DirectoryTier) and shared.directory == local) \
        else [DirectoryTier(local), shared]
    return Snapshots(revisions, Shelf(identity, fingerprint, tiers))
