"""The warm instance: config, store, snapshot cache, LINE client and handlers, built once.

`get_runtime()` builds them from the environment on the first request and
keeps them for the life of the instance (Cloud Functions reuses a warm
instance for many requests). Tests and the terminal chat build their own with
`Runtime(...)` and `install()` it.

Environment: LINE_CHANNEL_SECRET (required: without it no request is
accepted), LINE_CHANNEL_ACCESS_TOKEN (replies; without it they go to the
outbox file, for local trials), KKC_STORE / KKC_CONFIG / KKC_* as for every
command, and Google credentials (see sheets.credentials).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from typing import Any, Callable, Mapping

from core.config import ConfigError, load_config
from core.thai import now_in, today_in
from chat.conversation import Conversation, register_event_handlers
from chat.scope import SnapshotCache
from messaging.webhook import EventDeduper, Outcome, WebhookHandler, WebhookParser
from sheets.store import Layout

log = logging.getLogger("kkc.webhook")

SECRET_ENV = "LINE_CHANNEL_SECRET"
TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"


class RuntimeConfigError(Exception):
    """The function is not set up (a secret or setting is missing); the message says which."""


class Runtime:
    """One instance's webhook: parser, handler registry, conversation and their shared state."""

    def __init__(self, config: Any, store: Any, replier: Any, channel_secret: str, *,
                 today: Callable[[], dt.date] | None = None, now: Callable[[], dt.datetime] | None = None,
                 profile_name: Callable[[str], str] | None = None, layout: Layout | None = None,
                 clock: Callable[[], float] = time.monotonic):
        if not channel_secret:
            raise RuntimeConfigError(f"{SECRET_ENV} is not set: the webhook cannot check signatures")
        self.config, self.store, self.replier = config, store, replier
        tz = config.timezone
        self.today = today or (lambda: today_in(tz))
        self.now = now or (lambda: now_in(tz).replace(tzinfo=None))
        self.layout = layout or Layout(config)
        self.parser = WebhookParser(channel_secret)
        self.snapshots = SnapshotCache(store, config, self.layout, self.today, clock=clock)
        self.conversation = Conversation(config, store, self.snapshots, today=self.today, now=self.now,
                                         profile_name=profile_name)
        self.handler = register_event_handlers(WebhookHandler(replier, EventDeduper()), self.conversation)
        self.last_outcomes: list[Outcome] = []

    def handle(self, body: bytes, signature: str | None) -> list[Outcome]:
        """Check, parse and answer one webhook request (InvalidSignatureError / InvalidPayloadError)."""
        started = time.perf_counter()
        payload = self.parser.parse(body, signature)
        outcomes = self.handler.handle(payload.events)
        self.last_outcomes = outcomes
        if outcomes:
            log.info("webhook: %d event(s) in %.0f ms: %s", len(outcomes), (time.perf_counter() - started) * 1000,
                     ", ".join(f"{o.event_id or '-'} {o.type} {o.status}" for o in outcomes))
        return outcomes


def _log_to_stderr() -> None:
    """On Cloud Functions nothing configures logging: send our INFO lines (ids, types, timings) to stderr."""
    ours = logging.getLogger("kkc")
    if not logging.getLogger().handlers and not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(logging.INFO)
        ours.propagate = False


def runtime_from_env(env: Mapping[str, str] | None = None) -> Runtime:
    env = os.environ if env is None else env
    if env.get("K_SERVICE") or env.get("FUNCTION_TARGET"):
        _log_to_stderr()
    secret = (env.get(SECRET_ENV) or "").strip()
    if not secret:
        raise RuntimeConfigError(f"ไม่ได้ตั้งค่า {SECRET_ENV} (missing environment variable {SECRET_ENV}): "
                                 "the webhook refuses every request until it is set")
    try:
        config = load_config(env=env)
    except ConfigError as exc:
        raise RuntimeConfigError(str(exc)) from None
    layout = Layout(config)
    from handlers import prefetch

    early = prefetch.take()
    store = early["store"] if early else _store(config, layout, env)
    token = (env.get(TOKEN_ENV) or "").strip()
    profile_name = None
    if token:
        from handlers.line_client import LineReplyClient

        replier: Any = LineReplyClient.from_config(config, token)
        profile_name = replier.profile_name
    else:
        from messaging.factory import outbox_path
        from messaging.outbox import OutboxMessenger

        log.warning("%s is not set: replies go to the outbox file, not to LINE", TOKEN_ENV)
        replier = OutboxMessenger(outbox_path(config), echo=False)
    runtime = Runtime(config, store, replier, secret, layout=layout, profile_name=profile_name)
    if early:
        runtime.snapshots.seed(early["tables"], early["at"])
    return runtime


def _store(config: Any, layout: Layout, env: Mapping[str, str]) -> Any:
    spec = config.store
    if spec.startswith("gsheet:"):
        from sheets.credentials import token_source_from_env
        from sheets.google import GoogleStore

        sheet_id = spec.split(":", 1)[1].strip()
        if not sheet_id:
            raise RuntimeConfigError("KKC_STORE=gsheet: needs the spreadsheet id after the colon")
        return GoogleStore.for_webhook(sheet_id, config, layout, token_source_from_env(env))
    from sheets.open import open_store

    return open_store(spec, config)


_runtime: Runtime | None = None
_lock = threading.Lock()


def get_runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                _runtime = runtime_from_env()
    return _runtime


def install(runtime: Runtime | None) -> None:
    """Use this runtime for the next requests (tests, `serve`); None builds from the environment again."""
    global _runtime
    with _lock:
        _runtime = runtime
