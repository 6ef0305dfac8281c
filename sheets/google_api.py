"""What the Google REST clients here share (Cloud Storage, Drive): Google's error body read one way,
the tries said one way, a name quoted as one path segment."""
from __future__ import annotations

import json
import urllib.parse


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
