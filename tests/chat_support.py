"""Shared pieces of the chat tests: the tiny province in the Sheets fake, a Runtime wired to the
fakes by the runtime factory, signed webhook requests answered as main.line_webhook answers them,
and sample events."""
from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
import uuid
import weakref
from pathlib import Path
from typing import Any, Callable, Iterable

import flask
import werkzeug.routing
import yaml

from handlers.runtime import Runtime, answer_webhook, create_runtime
from sheets.credentials import StaticToken
from sheets.google import GoogleStore
from messaging.signature import sign
from messaging.base import messages_to_text
from messaging.line import LineClient
from sheets.claims import Claims, FileClaims
from sheets.store import Layout
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.line_api import DEFAULT_TOKEN
from tests.sheetdata import TODAY, as_tables, tiny_province

SECRET = "test-channel-secret"
NOW = dt.datetime(2026, 11, 26, 10, 30)
WEBHOOK_YML = Path(__file__).parent / "fakes" / "line-openapi" / "webhook.yml"


def load_province(sheets_fake: Any, data: dict | None = None, layout: Layout | None = None) -> None:
    """The tiny province (or `data`) typed into the fake spreadsheet, one tab per table."""
    layout = layout or Layout()
    for table in as_tables(data if data is not None else tiny_province(), layout).values():
        sheets_fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    sheets_fake.reset_requests()


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# A loaded test machine must not turn a cold read of the tiny province into "กำลังโหลดข้อมูล": the tests
# of the time budget give their own.
TEST_BUDGET_SECONDS = 10.0

# One claims directory per Sheets fake: the runtimes of a test are instances of one deployment.
_CLAIMS_DIRS: "weakref.WeakKeyDictionary[Any, tempfile.TemporaryDirectory[str]]" = weakref.WeakKeyDictionary()


def deployment_claims(sheets_fake: Any) -> FileClaims:
    """Claims every runtime on this Sheets fake shares (a new FileClaims on one directory, as a process would)."""
    directory = _CLAIMS_DIRS.get(sheets_fake)
    if directory is None:
        directory = _CLAIMS_DIRS.setdefault(sheets_fake, tempfile.TemporaryDirectory(prefix="kkc-claims-"))
    return FileClaims(directory.name)


# The clients the runtimes of the running test opened, closed when it ends (tests/conftest.py): a kept-alive
# connection holds a descriptor at each end, and a whole run's would pass select()'s 1024 (a closed
# client opens a new connection if it is used again, so a runtime kept longer still works).
OPENED: list[Any] = []


def close_opened() -> None:
    while OPENED:
        OPENED.pop().close()


def make_runtime(sheets_fake: Any, line_fake: Any, *, overrides: dict | None = None,
                 clock: Clock | None = None, today: dt.date = TODAY, claims: Claims | None = None,
                 budget_seconds: float | None = None, wall: Callable[[], float] | None = None,
                 shelf: Callable[[], Any] | None = None, snapshots: Any = None) -> Runtime:
    """The webhook's runtime from the factory: the light Sheets and LINE clients on the fakes, the test clock.

    Claims: the deployment's (`deployment_claims`) unless given; budget: TEST_BUDGET_SECONDS unless given;
    `snapshots` (sheets.snapshot.Snapshots): none unless given."""
    config = make_config({"sheets.api_url": sheets_fake.url, "line.api_url": line_fake.url,
                          "line.api_data_url": line_fake.data_url, **(overrides or {})})
    layout = Layout(config)
    store = GoogleStore.for_webhook(SPREADSHEET_ID, config, layout, StaticToken("test-token"))
    replier = LineClient.from_config(config, DEFAULT_TOKEN, webhook=True)
    OPENED.extend((store, replier))
    extra: dict[str, Any] = {"wall": wall} if wall is not None else {}
    if shelf is not None:
        extra["shelf"] = shelf
    return create_runtime(config, store, replier, channel_secret=SECRET, today=lambda: today, now=lambda: NOW,
                          profile_name=replier.profile_name, layout=layout, clock=clock or Clock(),
                          claims=claims if claims is not None else deployment_claims(sheets_fake),
                          budget_seconds=TEST_BUDGET_SECONDS if budget_seconds is None else budget_seconds,
                          snapshots=snapshots, **extra)


def webhook_app(runtime: Callable[[], Runtime]) -> flask.Flask:
    """A WSGI app that answers every path and method as functions-framework mounts main.line_webhook,
    with `answer_webhook` (what line_webhook calls) and the given runtime instead of the instance's."""
    app = flask.Flask("line_webhook")
    app.url_map.add(werkzeug.routing.Rule("/", defaults={"path": ""}, endpoint="run"))
    app.url_map.add(werkzeug.routing.Rule("/<path:path>", endpoint="run"))
    app.view_functions["run"] = lambda path: answer_webhook(flask.request._get_current_object(), runtime)
    return app


class Webhook:
    """Signed requests to the webhook, answered with this runtime (over a werkzeug test client)."""

    def __init__(self, runtime: Runtime, line_fake: Any):
        self.runtime = runtime
        self.line = line_fake
        self.client = webhook_app(lambda: runtime).test_client()

    def post(self, events: list[dict], *, secret: str = SECRET, signature: str | None = "sign",
             body: bytes | None = None) -> Any:
        raw = body if body is not None else json.dumps(
            {"destination": "U" + "f" * 32, "events": events}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Line-Signature"] = sign(secret, raw)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        return self.client.post("/", data=raw, headers=headers)

    def say(self, user_id: str, text: str, event_id: str | None = None) -> list[dict]:
        """One text event; returns what LINE received back for it."""
        before = len(self.line.replies)
        response = self.post([text_event(user_id, text, self.line.new_reply_token(user_id), event_id)])
        assert response.status_code == 200, response.data
        got = self.line.replies[before:]
        return [m for reply in got for m in reply.messages]

    def tap(self, user_id: str, data: str, event_id: str | None = None) -> list[dict]:
        before = len(self.line.replies)
        response = self.post([postback_event(user_id, data, self.line.new_reply_token(user_id), event_id)])
        assert response.status_code == 200, response.data
        return [m for reply in self.line.replies[before:] for m in reply.messages]


def new_event_id() -> str:
    return "01" + uuid.uuid4().hex[:24].upper()


def base_event(kind: str, user_id: str | None = None, event_id: str | None = None, **extra: Any) -> dict:
    event = {"type": kind, "mode": "active", "timestamp": 1764123456789,
             "webhookEventId": event_id or new_event_id(), "deliveryContext": {"isRedelivery": False}}
    if user_id:
        event["source"] = {"type": "user", "userId": user_id}
    event.update(extra)
    return event


def text_event(user_id: str, text: str, reply_token: str, event_id: str | None = None) -> dict:
    return base_event("message", user_id, event_id, replyToken=reply_token,
                      message={"type": "text", "id": "1", "text": text, "quoteToken": "q"})


def postback_event(user_id: str, data: str, reply_token: str, event_id: str | None = None) -> dict:
    return base_event("postback", user_id, event_id, replyToken=reply_token, postback={"data": data})


def text_of(messages: Iterable[dict]) -> str:
    return messages_to_text(list(messages))


def postback_data(messages: Iterable[dict], label: str) -> str:
    """The data of the Flex button or quick reply labelled `label`."""
    from chat.terminal import actions_of

    for action in actions_of(list(messages)):
        if action.get("label") == label and action.get("type") == "postback":
            return action["data"]
    raise AssertionError(f"no postback button {label!r}")


# ---------------------------------------------------------------- sample events from webhook.yml

@functools.lru_cache(maxsize=1)
def _schemas() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(WEBHOOK_YML.read_text(encoding="utf-8"), Loader=loader)["components"]["schemas"]


def _ref(schema: dict) -> str:
    return schema["$ref"].rsplit("/", 1)[-1]


def _flatten(name: str) -> tuple[dict[str, Any], set[str]]:
    """A schema's properties and required names, its allOf parents included."""
    schema = _schemas()[name]
    props: dict[str, Any] = dict(schema.get("properties", {}))
    required = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        if "$ref" in part:
            p, r = _flatten(_ref(part))
        else:
            p, r = dict(part.get("properties", {})), set(part.get("required", []))
        props.update(p)
        required |= r
    return props, required


def _value(schema: dict, field: str, choices: dict[str, str]) -> Any:
    if "$ref" in schema:
        return sample(_ref(schema), choices)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "string":
        return {"userId": "U" + "1" * 32, "replyToken": "REPLACE", "data": "a=unknown"}.get(field, f"x-{field}")
    if kind == "integer":
        return 1
    if kind == "number":
        return 13.75
    if kind == "boolean":
        return False
    if kind == "array":
        return [_value(schema.get("items", {}), field, choices)] if schema.get("items") else []
    if kind == "object":
        return {}
    return "x"


def sample(name: str, choices: dict[str, str] | None = None) -> dict:
    """A minimal valid instance of a webhook.yml schema; `choices` picks discriminated subtypes by base name."""
    choices = choices or {}
    schema = _schemas()[name]
    mapping = (schema.get("discriminator") or {}).get("mapping")
    if mapping:
        key = choices.get(name, next(iter(mapping)))
        target = mapping[key].rsplit("/", 1)[-1]
        result = sample(target, choices)
        result[schema["discriminator"]["propertyName"]] = key
        return result
    props, required = _flatten(name)
    result = {}
    for field in sorted(required | ({"source", "replyToken", "userId"} & set(props))):
        result[field] = _value(props[field], field, choices)
    return result


def every_webhook_event() -> list[tuple[str, dict]]:
    """(label, event) for every event type in webhook.yml, every message type, user and group sources."""
    events: list[tuple[str, dict]] = []
    mapping = _schemas()["Event"]["discriminator"]["mapping"]
    for kind in mapping:
        variants: list[dict[str, str]] = [{}]
        if kind == "message":
            content = _schemas()["MessageContent"]["discriminator"]["mapping"]
            variants = [{"MessageContent": m} for m in content] + [{"MessageContent": "text", "Source": "group"},
                                                                   {"MessageContent": "text", "Source": "room"}]
        elif kind == "membership":
            variants = [{"MembershipContent": m} for m in _schemas()["MembershipContent"]["discriminator"]["mapping"]]
        elif kind == "module":
            variants = [{"ModuleContent": m} for m in _schemas()["ModuleContent"]["discriminator"]["mapping"]]
        elif kind in ("join", "leave", "memberJoined", "memberLeft"):
            variants = [{"Source": "group"}]
        for choice in variants:
            event = sample("Event", {"Event": kind, **choice})
            event["webhookEventId"] = new_event_id()
            event["mode"] = "active"
            label = kind + "".join(f"/{v}" for v in choice.values())
            events.append((label, event))
    return events
