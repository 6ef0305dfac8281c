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
command (KKC_CLAIMS_BUCKET: the claims every instance shares, and the parsed snapshots of
sheets/snapshot.py unless KKC_SNAPSHOT_BUCKET names another; KKC_SNAPSHOTS=false: none), and
Google credentials (see sheets.credentials; the snapshots ask Drive for the sheet's version).

Replies go out through `FittingReplier`: LINE refusing an answer with 400 (a
body it will not take, which leaves the single-use reply token unused) gets one
short plain-text reply instead, so that an officer is never left with silence.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import time
from typing import Callable, Mapping, Protocol, runtime_checkable

from chat.conversation import Conversation, register_event_handlers
from chat.documents import ContentSource, DocumentDesk
from chat.cache import SnapshotCache
from core.config import Config, ConfigError, load_config
from core.thai import mask_id_runs, now_in, today_in
from messaging import flex
from messaging.base import MessengerError, messages_to_text
from messaging.richmenu import MenuLinks
from messaging.signature import SIGNATURE_HEADER, InvalidSignatureError
from messaging.webhook import EventDeduper, InvalidPayloadError, Outcome, Replier, WebhookHandler, WebhookParser
from sheets.claims import Claims
from sheets.cloud_storage import StorageClient
from sheets.documents import Shelf, open_shelf
from sheets.open import open_snapshots
from sheets.snapshot import Snapshots
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


@runtime_checkable
class LoadingIndicator(Protocol):
    """A LINE client that can show the loading animation in a one-to-one chat."""

    def show_loading(self, chat_id: str, seconds: int = 5) -> bool: ...


# What is left of an answer LINE refused, as plain text: enough to read, far below LINE's 5,000; each
# line cut too, so that one absurdly long cell cannot push the rest of the answer out.
FALLBACK_CHARS, FALLBACK_LINE_CHARS = 1_000, 120
FALLBACK_NOTE = "(LINE รับคำตอบเต็มไม่ได้ จึงแสดงแบบย่อ พิมพ์ให้แคบลงได้ เช่น เลขที่สัญญา)"
FALLBACK_EMPTY = "ขออภัย คำตอบนี้แสดงใน LINE ไม่ได้ โปรดพิมพ์ให้แคบลง หรือดูในชีต"


class FittingReplier:
    """Replies through `inner`; an answer LINE refuses with 400 is sent once more as short plain text.

    LINE answers 400 to a body it will not take (checked before the reply token is used, so the token
    is still good: the fake does the same), and "Invalid reply token" when the token is spent or
    stale, when no second reply can work. The fallback is one plain text message without buttons,
    which LINE's schema cannot refuse; if it fails too, the error is raised for the handler to log.
    """

    def __init__(self, inner: Replier):
        self.inner = inner

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        try:
            self.inner.reply(reply_token, messages)
        except MessengerError as exc:
            if exc.http_status != 400 or "reply token" in str(exc).lower():
                raise
            log.warning("LINE refused a reply (400): sent again as plain text")
            self.inner.reply(reply_token, [fallback_message(messages)])


def fallback_message(messages: list[dict]) -> dict:
    """The answer as one short plain-text message (citizen ids masked, cut to FALLBACK_CHARS)."""
    text = mask_id_runs(messages_to_text([{k: v for k, v in m.items() if k != "quickReply"} for m in messages]))
    if not text.strip():
        return flex.text_message(FALLBACK_EMPTY)
    text = "\n".join(line if len(line) <= FALLBACK_LINE_CHARS else line[:FALLBACK_LINE_CHARS - 1] + "…"
                     for line in text.splitlines())
    if len(text) > FALLBACK_CHARS:
        text = text[:FALLBACK_CHARS - 1] + "…"
    return flex.text_message(f"{text}\n\n{FALLBACK_NOTE}")


class Runtime:
    """One instance's chat: the conversation and its snapshot cache, and LINE's parser and handlers for it."""

    def __init__(self, config: Config, store: Store, layout: Layout, snapshots: SnapshotCache,
                 conversation: Conversation, parser: WebhookParser | None, handler: WebhookHandler | None,
                 replier: Replier | None = None):
        self.config, self.store, self.layout = config, store, layout
        self.snapshots, self.conversation = snapshots, conversation
        self.parser, self.handler = parser, handler
        self.replier = replier  # the LINE client (or outbox) the handler's FittingReplier sends through
        self.last_outcomes: list[Outcome] = []

    def handle(self, body: bytes, signature: str | None) -> list[Outcome]:
        """Check, parse and answer one webhook request (InvalidSignatureError / InvalidPayloadError)."""
        if self.parser is None or self.handler is None:
            raise RuntimeConfigError("this runtime was built without a channel secret and replier: no webhook")
        started = time.perf_counter()
        payload = self.parser.parse(body, signature)
        outcomes = self.handler.handle(payload.events)
        self.snapshots.publish_queued()  # the answers are out: what the reads made can be stored now
        self.last_outcomes = outcomes
        if outcomes:
            log.info("webhook: %d event(s) in %.0f ms: %s", len(outcomes), (time.perf_counter() - started) * 1000,
                     ", ".join(f"{o.event_id or '-'} {o.type} {o.status}" for o in outcomes))
        return outcomes


def create_runtime(config: Config, store: Store, replier: Replier | None = None, *, channel_secret: str = "",
                   today: Callable[[], dt.date] | None = None, now: Callable[[], dt.datetime] | None = None,
                   profile_name: Callable[[str], str] | None = None, layout: Layout | None = None,
                   snapshot_seconds: float | None = None, clock: Callable[[], float] = time.monotonic,
                   claims: Claims | None = None, budget_seconds: float | None = None,
                   wall: Callable[[], float] = time.time,
                   shelf: Callable[[], Shelf] | None = None, snapshots: Snapshots | None = None) -> Runtime:
    """Wire a runtime from its parts. With a replier and channel secret it answers webhooks; without, only chats.

    `today` / `now` default to the clock in config.timezone; `snapshot_seconds` to chat.cache_seconds;
    `claims` to the configured ones (sheets.open.open_claims); `budget_seconds` to chat.budget_seconds
    (math.inf: no hurry). A replier that can show LINE's loading animation shows it while the sheet is read.
    A replier that can read what users sent (LINE's client) files their photos and PDFs, on `shelf`
    (made on the first document; the settings' Drive folder or local directory when None).
    `snapshots`: the store's revision and stored snapshots (sheets.open.open_snapshots for the same
    store); None reads the sheet whenever the cache's copy is older than `snapshot_seconds`.
    """
    if replier is not None and not channel_secret:
        raise RuntimeConfigError(f"{SECRET_ENV} is not set: the webhook cannot check signatures")
    if channel_secret and replier is None:
        raise RuntimeConfigError("a webhook needs a replier (LINE or the outbox) for its answers")
    zone = config.timezone
    get_today = today or (lambda: today_in(zone))
    get_now = now or (lambda: now_in(zone).replace(tzinfo=None))
    layout = layout or Layout(config)
    if claims is None:
        from sheets.open import open_claims

        claims = open_claims(config)
    cache = SnapshotCache(store, config, layout, get_today, max_age=snapshot_seconds, clock=clock, now=get_now,
                          snapshots=snapshots)
    indicate = replier.show_loading if isinstance(replier, LoadingIndicator) else None
    menus = replier if isinstance(replier, MenuLinks) else None  # LINE's client links rich menus; the outbox cannot
    desk = None
    if isinstance(replier, ContentSource):
        desk = DocumentDesk(config, store, claims, replier, shelf or (lambda: open_shelf(config)), get_now)
    conversation = Conversation(config, store, cache, claims=claims, today=get_today, now=get_now,
                                profile_name=profile_name, budget_seconds=budget_seconds, indicate=indicate,
                                wall=wall, menus=menus, desk=desk)
    parser = handler = None
    if replier is not None:
        parser = WebhookParser(channel_secret)
        handler = register_event_handlers(WebhookHandler(FittingReplier(replier), EventDeduper()), conversation)
    return Runtime(config, store, layout, cache, conversation, parser, handler, replier)


def terminal_runtime(config: Config, store: Store, today: dt.date | None = None,
                     snapshots: Snapshots | None = None) -> Runtime:
    """`python main.py chat --as`: the webhook's runtime without LINE, for one person at a terminal.

    `today` pins the day (--date). The snapshot is kept an hour: one person is chatting, and
    the conversation re-reads the sheet after its own writes anyway. No time budget: nobody's
    reply token is waiting.
    """
    return create_runtime(config, store, today=(lambda: today) if today else None, snapshot_seconds=3600,
                          budget_seconds=math.inf, snapshots=snapshots)


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

def runtime_from_env(env: Mapping[str, str] | None = None, config: Config | None = None,
                     claims: Claims | None = None) -> Runtime:
    """The runtime of a deployed webhook: settings, store, LINE client and claims from the environment."""
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
    if claims is None:
        from sheets.open import open_claims

        claims = open_claims(config, env)
    return create_runtime(config, open_webhook_store(config, layout, env), replier, channel_secret=secret,
                          profile_name=profile_name, layout=layout, claims=claims,
                          shelf=lambda: open_shelf(config, env),
                          snapshots=open_snapshots(config, env, storage=_storage_of(claims)))


def _storage_of(claims: Claims) -> "StorageClient | None":
    """The claims' Cloud Storage client, for the snapshots too: one client per service and process."""
    from sheets.claims import StorageClaims

    return claims.client if isinstance(claims, StorageClaims) else None


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
