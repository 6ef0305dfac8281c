"""What the Google REST clients here share (Cloud Storage, Drive): the retry policy, the statuses
tried again, a final answer, Google's error body read one way, the tries said one way, a name
quoted as one path segment."""
from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass

RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is tried again."""

    max_tries: int = 5
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 8.0

    def wait(self, failed_tries: int, jitter: float) -> float:
        """Full jitter: `jitter` (0..1) times base * 2^(n-1), capped."""
        return jitter * min(self.backoff_max_seconds, self.backoff_seconds * 2.0 ** (failed_tries - 1))


@dataclass(frozen=True)
class Answer:
    """A final answer; `uncertain` when an earlier try got none (so it may have been applied)."""

    status: int
    body: bytes
    tries: int
    uncertain: bool


def google_error(data: bytes) -> tuple[str, str]:
    """(reason, message) of Google's {"error": {...}} body, or of a plain-text one."""
    try:
        error = json.loads(data)["error"]
        details = error.get("errors") or [{}]
        return str(details[0].get("reason", error.get("status", ""))), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return "", data[:200].decode("utf-8", "replace")


def tries_phrase(count: int) -> str:
    return "1 try" if count == 1 else f"{count} tries"


def path_segment(name: str) -> str:
    """A bucket, object or file name as one path segment ('/' in object names included)."""
    return urllib.parse.quote(name, safe="")
