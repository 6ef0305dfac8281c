"""The webhook runtime: config, store, snapshot cache, conversation and LINE's parser and handlers, wired once.

`create_runtime(config, store, replier, ...)` is the one factory: tests pass
their own parts (stores and clients on the local fakes), `python main.py chat`
passes a store and no replier, and the deployed instance passes what
`runtime_from_env()` opens from the environment. Nothing here is a module
global and nothing runs at import: the Cloud Functions keep the one runtime of
their process in `handlers.instance.Instance`.

Environment (runtime_from_env): LINE_CHANNEL_SECRET (required: without it no
request is accepted), LINE_CHANNEL_ACCESS_TOKEN (replies; without it they go to
the outbox file, for local trials), KKC_STORE / KKC_CONFIG / KKC_* as for every
command, and Google credentials (see sheets.credentials).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import time
from typing import Callable, Mapping, Protocol, runtime_checkable

from chat.conversation import Conversation, register_event_handlers
from chat.scope import SnapshotCache
from core.config import Config, ConfigError, load_config
from core.thai import now_in, today_in
from messaging.richmenu import MenuLinks
from messaging.signature import SIGNATURE_HEADER, InvalidSignatureError
from messaging.webhook import EventDeduper, InvalidPayloadError, Outcome, Replier, WebhookHandler, WebhookParser
from sheets.store import Layout, Store

log = logging.getLogger("kkc.webhook")

SECRET_ENV = "LINE_CHANNEL_SECRET"
TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"


class RuntimeConfigError(Exception):
    """The function is not set up (a secret or setting is missing); the message says which."""


@runtime_checkable
class ProfileReader(Protocol):
    """A LINE client that can also look up a user's display name (for the link greeting)."""

    def profile_name(self, user_id: str) -> str: ...


class Runtime:
    """One instance's chat: the conversation and its snapshot cache, and LINE's parser and handlers for it."""

    def __init__(self, config: Config, store: Store, layout: Layout, snapshots: SnapshotCache,
                 conversation: Conversation, parser: WebhookParser | None, handler: WebhookHandler | None):
        self.config, self.store, self.layout = config, store, layout
        self.snapshots, self.conversation = snapshots, conversation
        self.parser, self.handler = parser, handler
        self.last_outcomes: list[Outcome] = []

    def handle(self, body: bytes, signature: str | None) -> list[Outcome]:
        """Check, parse and answer one webhook request (InvalidSignatureError / InvalidPayloadError)."""
        if self.parser is None or self.handler is None:
            raise RuntimeConfigError("this runtime was built without a channel secret and replier: no webhook")
        started = time.perf_counter()
        payload = self.parser.parse(body, signature)
        outcomes = self.handler.handle(payload.events)
        self.last_outcomes = outcomes
        if outcomes:
            log.info("webhook: %d event(s) in %.0f ms: %s", len(outcomes), (time.perf_counter() - started) * 1000,
                     ", ".join(f"{o.event_id or '-'} {o.type} {o.status}" for o in outcomes))
        return outcomes


def create_runtime(config: Config, store: Store, replier: Replier | None = None, *, channel_secret: str = "",
                   today: Callable[[], dt.date] | None = None, now: Callable[[], dt.datetime] | None = None,
                   profile_name: Callable[[str], str] | None = None, layout: Layout | None = None,
                   snapshot_seconds: float | None = None, clock: Callable[[], float] = time.monotonic) -> Runtime:
    """Wire a runtime from its parts. With a replier and channel secret it answers webhooks; without, only chats.

    `today` / `now` default to the clock in config.timezone; `snapshot_seconds` to chat.cache_seconds.
    """
    if replier is not None and not channel_secret:
        raise RuntimeConfigError(f"{SECRET_ENV} is not set: the webhook cannot check signatures")
    if channel_secret and replier is None:
        raise RuntimeConfigError("a webhook needs a replier (LINE or the outbox) for its answers")
    zone = config.timezone
    get_today = today or (lambda: today_in(zone))
    get_now = now or (lambda: now_in(zone).replace(tzinfo=None))
    layout = layout or Layout(config)
    snapshots = SnapshotCache(store, config, layout, get_today, max_age=snapshot_seconds, clock=clock)
    menus = replier if isinstance(replier, MenuLinks) else None  # LINE's client links rich menus; the outbox cannot
    conversation = Conversation(config, store, snapshots, today=get_today, now=get_now, profile_name=profile_name,
                                menus=menus)
    parser = handler = None
    if replier is not None:
        parser = WebhookParser(channel_secret)
        handler = register_event_handlers(WebhookHandler(replier, EventDeduper()), conversation)
    return Runtime(config, store, layout, snapshots, conversation, parser, handler)


def terminal_runtime(config: Config, store: Store, today: dt.date | None = None) -> Runtime:
    """`python main.py chat --as`: the webhook's runtime without LINE, for one person at a terminal.

    `today` pins the day (--date). The snapshot is kept an hour: one person is chatting, and
    the conversation re-reads the sheet after its own writes anyway.
    """
    return create_runtime(config, store, today=(lambda: today) if today else None, snapshot_seconds=3600)


# ---------------------------------------------------------------- the HTTP request

class WebRequest(Protocol):
    """What the webhook reads of an HTTP request (flask.Request under functions-framework)."""

    method: str

    @property
    def headers(self) -> Mapping[str, str]: ...

    def get_data(self, cache: bool = True) -> bytes: ...


WebResponse = tuple[str, int] | tuple[str, int, dict[str, str]]


def answer_webhook(request: WebRequest, runtime: Callable[[], Runtime]) -> WebResponse:
    """The HTTP answer to one webhook request (main.line_webhook's contract).

    `runtime` is asked for the runtime only once the request is a POST: it may build it (the
    instance's first request), and a RuntimeConfigError from building becomes a 500.
    """
    if request.method != "POST":
        return ("Method Not Allowed", 405, {"Allow": "POST"})
    try:
        webhook = runtime()
    except RuntimeConfigError as exc:
        log.error("line_webhook is not configured: %s", exc)
        return ("Server configuration error", 500)
    body = request.get_data(cache=False)
    try:
        webhook.handle(body, request.headers.get(SIGNATURE_HEADER))
    except InvalidSignatureError:
        log.warning("line_webhook: request refused: missing or wrong %s", SIGNATURE_HEADER)
        return ("Bad signature", 400)
    except InvalidPayloadError:
        log.warning("line_webhook: request refused: body is not a webhook payload")
        return ("Bad request", 400)
    return ("OK", 200)


# ---------------------------------------------------------------- the deployed runtime, from the environment

def runtime_from_env(env: Mapping[str, str] | None = None, config: Config | None = None) -> Runtime:
    """The runtime of a deployed webhook: settings, store and LINE client from the environment."""
    env = os.environ if env is None else env
    if env.get("K_SERVICE") or env.get("FUNCTION_TARGET"):
        _log_to_stderr()
    secret = (env.get(SECRET_ENV) or "").strip()
    if not secret:
        raise RuntimeConfigError(f"ไม่ได้ตั้งค่า {SECRET_ENV} (missing environment variable {SECRET_ENV}): "
                                 "the webhook refuses every request until it is set")
    if config is None:
        try:
            config = load_config(env=env)
        except ConfigError as exc:
            raise RuntimeConfigError(str(exc)) from None
    layout = Layout(config)
    replier = open_replier(config, env)
    profile_name = replier.profile_name if isinstance(replier, ProfileReader) else None
    return create_runtime(config, open_webhook_store(config, layout, env), replier, channel_secret=secret,
                          profile_name=profile_name, layout=layout)


def open_webhook_store(config: Config, layout: Layout, env: Mapping[str, str]) -> Store:
    """The webhook's store: the light Sheets client for `gsheet:` (no gspread on the webhook path), else a workbook."""
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


def open_replier(config: Config, env: Mapping[str, str]) -> Replier:
    """Replies through LINE with LINE_CHANNEL_ACCESS_TOKEN (the light client), else into the outbox file."""
    from messaging.factory import make_messenger

    if not (env.get(TOKEN_ENV) or "").strip():
        log.warning("%s is not set: replies go to the outbox file, not to LINE", TOKEN_ENV)
    return make_messenger(config, env, webhook=True)


def _log_to_stderr() -> None:
    """On Cloud Functions nothing configures logging: send our INFO lines (ids, types, timings) to stderr."""
    ours = logging.getLogger("kkc")
    if not logging.getLogger().handlers and not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(logging.INFO)
        ours.propagate = False
