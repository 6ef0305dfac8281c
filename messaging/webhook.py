"""The webhook's three small pieces, after line-bot-sdk's `linebot/v3/webhook.py` design.

- `WebhookParser`: checks the signature, then reads the body into light `Event`
  objects. It reads JSON dicts tolerantly: an event type or field LINE adds
  tomorrow is kept in `Event.raw`, never an error (the SDK's pydantic models are
  not needed here and cost most of a second to import).
- `WebhookHandler`: a registry from event type (and message type) to a handler
  function. A handler returns the messages to reply with (or nothing); the
  handler replies, so handlers stay pure and testable. An event type without a
  handler goes to the default handler, or is ignored.
- `EventDeduper`: LINE may deliver an event more than once (same
  `webhookEventId`, `deliveryContext.isRedelivery`); a warm instance remembers
  the ids it handled in a bounded LRU. Durable protection for what writes to the
  sheet is the write's own idempotency key (see `chat.conversation`).

An error in one handler is logged with the event's `webhookEventId` and its
type only (nothing personal: no text, no user id, no exception message) and
answered with a short Thai apology; the other events of the request go on.
"""
from __future__ import annotations

import json
import logging
import threading
import traceback
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from messaging import flex
from messaging.signature import InvalidSignatureError, SignatureValidator

log = logging.getLogger("kkc.webhook")

Messages = list[dict]
HandlerFn = Callable[["Event"], "Messages | None"]

APOLOGY = "ขออภัย ระบบขัดข้องชั่วคราว โปรดลองใหม่อีกครั้งในอีกสักครู่"


class InvalidPayloadError(ValueError):
    """The body is not a webhook payload (not JSON, or no `events` list)."""


# ---------------------------------------------------------------- events

@dataclass(frozen=True)
class Event:
    """One webhook event as LINE sent it; the properties read it without ever failing."""

    raw: dict

    def _get(self, *path: str) -> Any:
        node: Any = self.raw
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    def _text(self, *path: str) -> str:
        value = self._get(*path)
        return value if isinstance(value, str) else ""

    @property
    def type(self) -> str:
        return self._text("type")

    @property
    def webhook_event_id(self) -> str:
        return self._text("webhookEventId")

    @property
    def reply_token(self) -> str:
        return self._text("replyToken")

    @property
    def mode(self) -> str:
        return self._text("mode") or "active"

    @property
    def is_redelivery(self) -> bool:
        return self._get("deliveryContext", "isRedelivery") is True

    @property
    def source_type(self) -> str:
        return self._text("source", "type")

    @property
    def user_id(self) -> str:
        return self._text("source", "userId")

    @property
    def is_one_to_one(self) -> bool:
        """A private chat with one user (not a group or a multi-person room)."""
        return self.source_type == "user"

    @property
    def message(self) -> dict:
        value = self._get("message")
        return value if isinstance(value, dict) else {}

    @property
    def message_type(self) -> str:
        value = self.message.get("type")
        return value if isinstance(value, str) else ""

    @property
    def text(self) -> str:
        value = self.message.get("text")
        return value if isinstance(value, str) else ""

    @property
    def postback_data(self) -> str:
        return self._text("postback", "data")

    @property
    def postback_params(self) -> dict:
        value = self._get("postback", "params")
        return value if isinstance(value, dict) else {}

    @property
    def short_ref(self) -> str:
        """The last characters of webhookEventId: a reference an officer can quote to the admin."""
        return self.webhook_event_id[-6:] if self.webhook_event_id else ""


@dataclass(frozen=True)
class WebhookPayload:
    destination: str
    events: list[Event]


class WebhookParser:
    """Signature first, then the JSON: nothing in an unsigned body is ever looked at."""

    def __init__(self, channel_secret: str):
        self.signature_validator = SignatureValidator(channel_secret)

    def parse(self, body: bytes, signature: str | None) -> WebhookPayload:
        self.signature_validator.check(body, signature)
        return parse_payload(body)


# LINE's webhook bodies are a few kilobytes and a handful of levels deep; anything far beyond is
# refused with a 400 before it can cost memory or recursion (json's C parser raises RecursionError).
MAX_BODY_BYTES = 1 << 20
MAX_DEPTH = 32


def nesting_depth(body: bytes) -> int:
    """The deepest nesting of JSON arrays and objects, brackets inside strings not counted."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:      # backslash
                escaped = True
            elif byte == 0x22:      # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def parse_payload(body: bytes) -> WebhookPayload:
    if len(body) > MAX_BODY_BYTES:
        raise InvalidPayloadError(f"body is larger than {MAX_BODY_BYTES} bytes")
    # Only a body with many brackets is scanned (a real one has a few dozen).
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and nesting_depth(body) > MAX_DEPTH:
        raise InvalidPayloadError(f"body is nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidPayloadError("body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise InvalidPayloadError("body has no events list")
    found = data.get("destination")
    destination = found if isinstance(found, str) else ""
    events = [Event(item) for item in data["events"] if isinstance(item, dict)]
    skipped = len(data["events"]) - len(events)
    if skipped:
        log.warning("skipped %d webhook event(s) that are not JSON objects", skipped)
    return WebhookPayload(destination, events)


# ---------------------------------------------------------------- dedupe

class EventDeduper:
    """The webhookEventIds a warm instance has handled, oldest forgotten first."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is seen (and remembers it); an event without an id is always new."""
        if not event_id:
            return True
        with self._lock:
            if event_id in self._seen:
                self._seen.move_to_end(event_id)
                return False
            self._seen[event_id] = None
            if len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._seen)


# ---------------------------------------------------------------- handler registry

class Replier(Protocol):
    def reply(self, reply_token: str, messages: list[dict]) -> None: ...


@dataclass
class Outcome:
    """How one event went (for tests, the bench and the request log line)."""

    event_id: str
    type: str
    status: str          # handled / ignored / duplicate / standby / failed / reply-failed
    replied: int = 0     # message objects sent back


class WebhookHandler:
    """Event type (and message type) -> handler function; every event ends with an Outcome."""

    def __init__(self, replier: Replier, deduper: EventDeduper | None = None):
        self.replier = replier
        self.deduper = deduper or EventDeduper()
        self._handlers: dict[str, HandlerFn] = {}
        self._default: HandlerFn | None = None

    # -- registry -------------------------------------------------------------
    def add(self, event_type: str, message_type: str | None = None) -> Callable[[HandlerFn], HandlerFn]:
        """Register a handler: @handler.add("message", message_type="text")."""
        key = _key(event_type, message_type)

        def register(fn: HandlerFn) -> HandlerFn:
            self._handlers[key] = fn
            return fn
        return register

    def default(self) -> Callable[[HandlerFn], HandlerFn]:
        def register(fn: HandlerFn) -> HandlerFn:
            self._default = fn
            return fn
        return register

    def handler_for(self, event: Event) -> HandlerFn | None:
        if event.type == "message":
            found = self._handlers.get(_key("message", event.message_type))
            if found is not None:
                return found
        return self._handlers.get(_key(event.type, None), self._default)

    @property
    def registered(self) -> list[str]:
        return sorted(self._handlers)

    # -- dispatch -------------------------------------------------------------
    def handle(self, events: Iterable[Event]) -> list[Outcome]:
        return [self.handle_event(event) for event in events]

    def handle_event(self, event: Event) -> Outcome:
        outcome = Outcome(event.webhook_event_id, event.type or "?", "handled")
        if event.mode == "standby":
            # Another channel is answering this chat (module channels): we must stay silent.
            outcome.status = "standby"
            return outcome
        if not self.deduper.first_time(event.webhook_event_id):
            log.info("webhook event %s (%s) already handled: redelivery ignored",
                     event.webhook_event_id, outcome.type)
            outcome.status = "duplicate"
            return outcome
        fn = self.handler_for(event)
        if fn is None:
            outcome.status = "ignored"
            return outcome
        try:
            messages = fn(event)
        except Exception as exc:  # noqa: BLE001 - one bad event must not fail the others
            _log_failure(event, exc)
            outcome.status = "failed"
            messages = [flex.text_message(f"{APOLOGY} (รหัสอ้างอิง {event.short_ref})"
                                          if event.short_ref else APOLOGY)]
        if not messages:
            if outcome.status == "handled" and fn is self._default:
                outcome.status = "ignored"
            return outcome
        if not event.reply_token:
            return outcome
        try:
            self.replier.reply(event.reply_token, list(messages)[:5])
            outcome.replied = min(len(messages), 5)
        except Exception as exc:  # noqa: BLE001 - the reply failing is logged, not raised
            log.error("webhook event %s (%s): reply failed: %s", event.webhook_event_id, outcome.type,
                      _safe_reason(exc))
            outcome.status = "reply-failed"
        return outcome


def _key(event_type: str, message_type: str | None) -> str:
    return f"{event_type}/{message_type}" if message_type else event_type


def _safe_reason(exc: BaseException) -> str:
    """The exception's type and where it was raised: never its message (it may hold personal data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} ({frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}{where}"


def _log_failure(event: Event, exc: BaseException) -> None:
    log.error("webhook event %s (%s) failed: %s", event.webhook_event_id or "-", event.type or "?",
              _safe_reason(exc))


__all__ = ["APOLOGY", "Event", "EventDeduper", "InvalidPayloadError", "InvalidSignatureError",
           "Outcome", "WebhookHandler", "WebhookParser", "WebhookPayload", "parse_payload"]
