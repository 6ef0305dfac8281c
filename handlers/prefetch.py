"""Start the first sheet read while the instance is still starting up.

On a cold Cloud Functions instance the first request waits for: imports, the
sheet read, parsing, the reply. The read is mostly waiting on Google, so it
can overlap the rest: when main.py is loaded as the `line_webhook` function
(FUNCTION_TARGET, set by Cloud Functions), `start()` sends the batch read from
a background thread using only light modules (config, http.client), while the
main thread goes on importing the chat code. The runtime's first snapshot then
takes the prefetched tables instead of reading again (`take()`), so the first
event still costs exactly one Sheets request. Anything going wrong here is
silent: the runtime then simply reads the sheet itself.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Mapping

log = logging.getLogger("kkc.webhook")

_result: dict[str, Any] = {}
_done = threading.Event()
_started = False
_lock = threading.Lock()


def start(env: Mapping[str, str] | None = None) -> bool:
    """Begin the read in the background (once); False when the store is not Google Sheets."""
    global _started
    env = os.environ if env is None else env
    with _lock:
        if _started:
            return True
        if not (env.get("LINE_CHANNEL_SECRET") and str(env.get("KKC_STORE", "")).startswith("gsheet:")):
            return False
        _started = True
    threading.Thread(target=_read, args=(dict(env),), name="kkc-prefetch", daemon=True).start()
    return True


def _read(env: dict[str, str]) -> None:
    try:
        from core.config import load_config
        from sheets.credentials import token_source_from_env
        from sheets.google import GoogleStore
        from chat import CHAT_TABS
        from sheets.store import Layout

        config = load_config(env=env)
        layout = Layout(config)
        sheet_id = config.store.split(":", 1)[1].strip()
        store = GoogleStore.for_webhook(sheet_id, config, layout, token_source_from_env(env))
        started = time.perf_counter()
        tables = store.read(CHAT_TABS)
        _result.update(store=store, tables=tables, at=time.monotonic(), seconds=time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - the runtime reads the sheet itself then
        log.warning("sheet prefetch failed (%s); the first event reads the sheet", type(exc).__name__)
    finally:
        _done.set()


def take(timeout: float = 10.0) -> dict[str, Any] | None:
    """The prefetched store and tables (once), waiting for the read if it is still on its way."""
    if not _started:
        return None
    _done.wait(timeout)
    with _lock:
        found = dict(_result) if _result else None
        _result.clear()
    return found
