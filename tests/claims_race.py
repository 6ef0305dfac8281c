"""One racer of tests/test_claims.py's races, run in its own process.

A module of its own so that a spawned process imports only this and sheets.claims (not pytest and
the test module): the race tests stay fast.
"""
from __future__ import annotations

from typing import Any

from sheets.claims import Claims, FileClaims, StorageClaims
from sheets.cloud_storage import RetryPolicy, StorageClient


def storage_client(url: str) -> StorageClient:
    """A client for the fake with quick retries."""
    return StorageClient(lambda: "test-token", api_url=url, timeout_seconds=2.0,
                         retry=RetryPolicy(max_tries=3, backoff_seconds=0.01, backoff_max_seconds=0.05))


def race(kind: str, where: str, bucket: str, keys: int, worker: str, start: Any, results: Any) -> None:
    """Claim keys race-0 .. race-<keys-1>, each the moment every racer is ready; report (won, holder) per key."""
    claims: Claims = FileClaims(where) if kind == "file" else StorageClaims(storage_client(where), bucket)
    outcome = []
    for number in range(keys):
        start.wait(timeout=30)  # all racers go for this key together
        result = claims.claim(f"race-{number}", {"by": worker})
        outcome.append((result.won, result.record["by"]))
    results.put((worker, outcome))
