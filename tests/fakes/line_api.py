"""A local fake of the LINE Messaging API, over real HTTP on 127.0.0.1.

It answers as LINE does for what this project uses: push, reply, profile, the loading
animation and quota; and for `setup-line`: rich menus (create, list, delete, default, per-user
link and unlink, aliases), their images on a second server standing for the api-data host,
and the webhook URL (set, get, test: the test really calls a webhook on 127.0.0.1, signed with
`channel_secret`, as LINE calls the deployed one).
Request bodies are checked against LINE's own OpenAPI description
(tests/fakes/line-openapi/messaging-api.yml, with the `discriminator` mappings applied so
that a flex bubble is checked as a FlexBubble, and no field the description does not name)
plus the size limits LINE documents.

    with LineFake() as fake:
        fake.url            # base URL for `line.api_url`
        fake.data_url       # base URL for `line.api_data_url` (rich menu images)
        fake.fail_next(500) # the next request gets a 500
        fake.deliveries     # what reached people

Faults are consumed by the next request(s) of any kind that pass authentication.
"""
from __future__ import annotations

import copy
import functools
import http
import json
import os
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import yaml
from jsonschema import Draft202012Validator

from tests.fakes.loopback import LoopbackServer

# LINE's OpenAPI description (line/line-openapi); LINE_OPENAPI_PATH points elsewhere if it moved.
OPENAPI_PATH = Path(os.environ.get("LINE_OPENAPI_PATH", Path(__file__).parent / "line-openapi" / "messaging-api.yml"))

DEFAULT_TOKEN = "test-channel-access-token"

# LINE's documented limits (shared/spec/domain.md, "LINE Messaging API").
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_BUBBLES = 12
MAX_BUBBLE_BYTES = 30_000
MAX_CAROUSEL_BYTES = 50_000
MAX_ALT_TEXT = 1500
MAX_TEXT = 5000
RETRY_KEY_SECONDS = 24 * 3600
REPLY_TOKEN_SECONDS = 60.0

# Rich menus (Messaging API reference: "Rich menu object", "Upload rich menu image").
RICH_MENU_MIN_WIDTH, RICH_MENU_MAX_WIDTH = 800, 2500
RICH_MENU_MIN_HEIGHT = 250
RICH_MENU_MIN_RATIO = 1.45
RICH_MENU_MAX_AREAS = 20
RICH_MENU_MAX_IMAGE_BYTES = 1024 * 1024
RICH_MENU_IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}
RICH_MENU_REQUIRED = ("size", "selected", "name", "chatBarText", "areas")
WEBHOOK_TEST_TIMEOUT_SECONDS = 2.0

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
STRICT_ID_RE = re.compile(r"^[UCR][0-9a-f]{32}$")
USER_ID_RE = re.compile(r"^U[0-9a-f]{32}$")

AUTH_FAILED = {"message": "Authentication failed. Confirm that the access token in the "
                          "authorization header is valid."}
MONTHLY_LIMIT = {"message": "You have reached your monthly limit."}
RATE_LIMIT = {"message": "The API rate limit has been exceeded. Try again later."}
INVALID_REPLY_TOKEN = {"message": "Invalid reply token"}


# ---------------------------------------------------------------- schema validation

_DROP = {"discriminator", "example", "examples", "externalDocs", "description", "nullable"}


@functools.lru_cache(maxsize=1)
def _schemas() -> dict[str, Any]:
    """LINE's component schemas as the OpenAPI file has them."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(OPENAPI_PATH.read_text(encoding="utf-8"), Loader=loader)["components"]["schemas"]


@functools.lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    """LINE's component schemas as JSON Schema 2020-12 `$defs`, discriminators made explicit."""
    schemas = _schemas()

    # A base with a discriminator (Message, FlexComponent, Action, ...) is referenced two ways:
    # by its subtypes' allOf (plain base, else the check would recurse into itself) and by
    # everyone else (dispatch on `type` to the subtype's schema; unknown types are errors).
    base_of: dict[str, str] = {}
    for name, schema in schemas.items():
        for target in (schema.get("discriminator") or {}).get("mapping", {}).values():
            base_of[_ref_name(target)] = name

    defs: dict[str, Any] = {}
    for name, schema in schemas.items():
        converted = _convert(schema)
        base = base_of.get(name)
        if base:
            for part in converted.get("allOf", []):
                if part.get("$ref") == f"#/$defs/{base}":
                    part["$ref"] = f"#/$defs/{base}.base"
        discriminator = schema.get("discriminator")
        if discriminator:
            prop = discriminator["propertyName"]
            mapping = discriminator["mapping"]
            defs[f"{name}.base"] = converted
            defs[name] = {"allOf": [
                {"$ref": f"#/$defs/{name}.base"},
                {"required": [prop], "properties": {prop: {"enum": sorted(mapping)}}},
                *({"if": {"required": [prop], "properties": {prop: {"const": key}}},
                   "then": {"$ref": f"#/$defs/{_ref_name(target)}"}}
                  for key, target in mapping.items()),
            ]}
        else:
            defs[name] = converted
    return defs


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _convert(schema: Any) -> Any:
    """One OpenAPI 3.0 schema object as JSON Schema (refs into $defs, nullable as a type list)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROP or key.startswith("x-"):
            continue
        if key == "$ref":
            out[key] = f"#/$defs/{_ref_name(value)}"
        elif key == "properties":
            out[key] = {prop: _convert(sub) for prop, sub in value.items()}
        elif key in ("items", "not") or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = _convert(value)
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [_convert(sub) for sub in value]
        else:
            out[key] = copy.deepcopy(value)
    if schema.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@functools.lru_cache(maxsize=None)
def schema_validator(name: str) -> Draft202012Validator:
    """A validator for one of LINE's component schemas, e.g. "PushMessageRequest" or "FlexBubble"."""
    return Draft202012Validator({"$defs": _definitions(), "$ref": f"#/$defs/{name}"})


def _property_path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def schema_errors(name: str, body: Any) -> list[dict]:
    """LINE-style error details ({"message", "property"}) for `body` against schema `name`."""
    details: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for error in schema_validator(name).iter_errors(body):
        parts = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [p for p in error.validator_value if p not in error.instance]
            parts += missing[:1]
        item = (_property_path(parts), _error_message(error))
        if item not in seen:
            seen.add(item)
            details.append({"message": item[1], "property": item[0]})
    return sorted(details, key=lambda d: d["property"])


def _error_message(error: Any) -> str:
    """LINE's wording for counts and lengths; jsonschema's for the rest, kept short."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator in ("minItems", "maxItems"):
        return f"Size must be between {schema.get('minItems', 0)} and {schema.get('maxItems', '∞')}"
    if error.validator in ("minLength", "maxLength"):
        return f"Length must be between {schema.get('minLength', 0)} and {schema.get('maxLength', '∞')}"
    message = error.message
    return message if len(message) <= 200 else message[:197] + "..."


def size_errors(body: Any) -> list[dict]:
    """The limits LINE documents but its OpenAPI file does not encode."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return []
    details: list[dict] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        where = f"messages[{i}]"
        text = message.get("text")
        if message.get("type") in ("text", "textV2") and isinstance(text, str) and _utf16_len(text) > MAX_TEXT:
            details.append({"message": f"Length must be between 0 and {MAX_TEXT}", "property": f"{where}.text"})
        alt = message.get("altText")
        if isinstance(alt, str) and len(alt) > MAX_ALT_TEXT:
            details.append({"message": f"Length must be between 0 and {MAX_ALT_TEXT}",
                            "property": f"{where}.altText"})
        contents = message.get("contents")
        if message.get("type") != "flex" or not isinstance(contents, dict):
            continue
        if contents.get("type") == "bubble" and _json_size(contents) > MAX_BUBBLE_BYTES:
            details.append({"message": "Size of a bubble must be 30KB or less", "property": f"{where}.contents"})
        if contents.get("type") == "carousel" and isinstance(contents.get("contents"), list):
            bubbles = contents["contents"]
            if not 1 <= len(bubbles) <= MAX_BUBBLES:
                details.append({"message": f"Size must be between 1 and {MAX_BUBBLES}",
                                "property": f"{where}.contents.contents"})
            for j, bubble in enumerate(bubbles):
                if _json_size(bubble) > MAX_BUBBLE_BYTES:
                    details.append({"message": "Size of a bubble must be 30KB or less",
                                    "property": f"{where}.contents.contents[{j}]"})
            if _json_size(contents) > MAX_CAROUSEL_BYTES:
                details.append({"message": "Size of a carousel must be 50KB or less",
                                "property": f"{where}.contents"})
    return details


def unknown_fields(name: str, body: Any) -> list[dict]:
    """Fields LINE's description does not name ("wieght" for "weight"), in a body its schema accepts.

    The OpenAPI file does not forbid extra fields, and JSON Schema's `unevaluatedProperties`
    makes the check 20-40 times slower here; so this walks the body beside the schemas
    (discriminators followed, allOf parents' fields included). Free-form objects are skipped.
    """
    found: list[dict] = []
    _walk_fields({"$ref": name}, body, "", found)
    return found


def _walk_fields(schema: dict, value: Any, path: str, found: list[dict]) -> None:
    schema = _resolved(schema)
    if isinstance(value, list):
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(value):
                _walk_fields(schema["items"], item, f"{path}[{i}]", found)
        return
    if not isinstance(value, dict):
        return
    discriminator = schema.get("discriminator")
    while discriminator and value.get(discriminator["propertyName"]) in discriminator.get("mapping", {}):
        schema = _resolved({"$ref": discriminator["mapping"][value[discriminator["propertyName"]]]})
        discriminator = schema.get("discriminator")
    fields = _fields(schema)
    if not fields or "additionalProperties" in schema:
        return
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key in fields:
            _walk_fields(fields[key], item, where, found)
        else:
            found.append({"message": f"Unknown property '{key}'", "property": where})


def _resolved(schema: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = _schemas()[_ref_name(schema["$ref"])]
    return schema


def _fields(schema: dict) -> dict[str, Any]:
    """A schema's properties, with those of its allOf parents."""
    fields: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        fields.update(_fields(_resolved(part)))
    fields.update(schema.get("properties", {}))
    return fields


def validate_request(name: str, body: Any) -> list[dict]:
    """Every reason LINE would give for refusing this body (empty when it would accept it)."""
    errors = schema_errors(name, body)
    return (errors or unknown_fields(name, body)) + size_errors(body)


def _json_size(obj: Any) -> int:
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- records

@dataclass
class RequestRecord:
    method: str
    path: str
    status: int
    retry_key: str | None
    request_id: str
    body: Any = None


@dataclass
class Delivery:
    to: str
    messages: list[dict]
    retry_key: str | None
    request_id: str
    at: float


@dataclass
class Reply:
    reply_token: str
    user_id: str
    messages: list[dict]
    request_id: str


@dataclass
class RichMenu:
    """A rich menu as the fake keeps it: what was sent to create it, and its image once uploaded."""

    rich_menu_id: str
    request: dict
    image: bytes | None = None
    content_type: str | None = None

    def response(self) -> dict:
        return {"richMenuId": self.rich_menu_id, **self.request}


@dataclass
class _Fault:
    status: int | None = None          # answer with this status instead of processing
    body: dict | None = None
    delay: float = 0.0                 # process, then wait this long before answering
    path: str | None = None            # only a request to a path matching this regex (None: any)


@dataclass
class _Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- the fake

class LineFake:
    """LINE's Messaging API, for tests. Thread-safe; start() / stop() or use as a context manager."""

    def __init__(self, token: str = DEFAULT_TOKEN, quota: int = 300, strict_ids: bool = False,
                 clock: Callable[[], float] = time.time, channel_secret: str = "") -> None:
        self.token = token
        self.quota = quota            # monthly push limit; pushes over it get 429
        self.used = 0                 # pushes counted this month
        self.strict_ids = strict_ids  # True: `to` must look like a real LINE id (U + 32 hex)
        self.clock = clock
        self.requests: list[RequestRecord] = []
        self.deliveries: list[Delivery] = []
        self.replies: list[Reply] = []
        self.violations: list[dict] = []   # bodies refused with 400: {"path", "details", "body"}
        self.profiles: dict[str, str] = {}
        self.loadings: list[tuple[str, int]] = []   # (chatId, loadingSeconds) of accepted requests
        self.blocked: set[str] = set()
        self.channel_secret = channel_secret      # signs the webhook test's call
        self.rich_menus: dict[str, RichMenu] = {}
        self.default_rich_menu: str | None = None
        self.user_menus: dict[str, str] = {}      # LINE user id -> richMenuId linked to them
        self.aliases: dict[str, str] = {}         # richMenuAliasId -> richMenuId
        self.webhook_endpoint: str | None = None
        self.webhook_calls: list[tuple[str, int]] = []   # (URL, status) of the webhook tests' calls
        self.contents: dict[str, tuple[bytes, str]] = {}   # messageId -> (content, Content-Type) users sent
        self.expired: set[str] = set()                     # messageIds whose content LINE no longer keeps
        self._faults: list[_Fault] = []
        self._accepted_keys: dict[str, tuple[str, float, list[dict]]] = {}
        self._reply_tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._data_server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "LineFake":
        # Load the schemas now, not inside the first request where it would eat the client's timeout.
        validate_request("PushMessageRequest", {"to": "U0", "messages": [{"type": "text", "text": "."}]})
        validate_request("ReplyMessageRequest", {"replyToken": "t", "messages": [{"type": "text", "text": "."}]})
        validate_request("ShowLoadingAnimationRequest", {"chatId": "U0"})
        validate_request("RichMenuRequest", {"size": {"width": 2500, "height": 843}})
        self._server = LoopbackServer(("127.0.0.1", 0), type("LineFakeHandler", (_Handler,), {"fake": self, "host": "api"}))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="line-fake", daemon=True)
        self._thread.start()
        # The api-data host (uploads and downloads of content) on a port of its own.
        self._data_server = LoopbackServer(("127.0.0.1", 0),
                                    type("LineFakeDataHandler", (_Handler,), {"fake": self, "host": "data"}))
        threading.Thread(target=self._data_server.serve_forever, args=(0.05,), name="line-fake-data",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self._server, self._data_server):
            if server is not None:
                server.shutdown()
                server.server_close()
        self._server = self._data_server = None

    def __enter__(self) -> "LineFake":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "LineFake is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def data_url(self) -> str:
        assert self._data_server is not None, "LineFake is not started"
        return f"http://127.0.0.1:{self._data_server.server_address[1]}"

    # ------------------------------------------------------------ set-up and faults

    def fail_next(self, status: int, times: int = 1, message: str | None = None, path: str | None = None) -> None:
        """The next `times` requests (to a path matching the regex `path`, if given) get `status`, unprocessed."""
        text = message or http.HTTPStatus(status).phrase
        with self._lock:
            self._faults.extend(_Fault(status=status, body={"message": text}, path=path) for _ in range(times))

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """The next requests are processed (delivered) at once but answered `seconds` later.

        Like a real client timeout after LINE got the request: a retry with the same key gets 409.
        """
        with self._lock:
            self._faults.extend(_Fault(delay=seconds) for _ in range(times))

    def rate_limit_next(self, times: int = 1, monthly: bool = False) -> None:
        """The next requests get 429 (rate limit, or the monthly limit message)."""
        with self._lock:
            body = MONTHLY_LIMIT if monthly else RATE_LIMIT
            self._faults.extend(_Fault(status=429, body=dict(body)) for _ in range(times))

    def new_reply_token(self, user_id: str) -> str:
        """A reply token as a webhook event would carry it: single use, valid about a minute."""
        token = secrets.token_hex(16)
        with self._lock:
            self._reply_tokens[token] = (user_id, self.clock())
        return token

    def add_content(self, message_id: str, data: bytes, content_type: str = "image/jpeg") -> None:
        """What a user sent in message `message_id` (GET /v2/bot/message/{messageId}/content)."""
        with self._lock:
            self.contents[message_id] = (bytes(data), content_type)

    def expire_content(self, message_id: str) -> None:
        """LINE keeps content for a limited time; after it the content endpoint answers 404."""
        with self._lock:
            self.expired.add(message_id)

    def add_profile(self, user_id: str, display_name: str) -> None:
        self.profiles[user_id] = display_name

    def block(self, user_id: str) -> None:
        """The user blocked the account: pushes answer 200 and are not delivered."""
        self.blocked.add(user_id)

    # ------------------------------------------------------------ counting

    def pushes_to(self, user_id: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.to == user_id]

    def requests_to(self, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.path == path]

    def menu_of(self, user_id: str) -> str | None:
        """The richMenuId the user sees: theirs, else the default (None: no menu at all)."""
        return self.user_menus.get(user_id) or self.default_rich_menu

    # ------------------------------------------------------------ request handling

    def _handle(self, method: str, path: str, headers: Any, body: bytes | None,
                host: str = "api") -> tuple[_Answer, float]:
        """Decide the answer (and deliver) under the lock; returns the answer and a delay."""
        request_id = str(uuid.uuid4())
        retry_key = headers.get("X-Line-Retry-Key")
        parsed: Any = None
        with self._lock:
            delay = 0.0
            if headers.get("Authorization") != f"Bearer {self.token}":
                answer = _Answer(401, AUTH_FAILED)
            else:
                fault = next((f for f in self._faults if f.path is None or re.fullmatch(f.path, path)), None)
                if fault is not None:
                    self._faults.remove(fault)
                if fault is not None and fault.status is not None:
                    answer = _Answer(fault.status, fault.body)
                else:
                    delay = fault.delay if fault else 0.0
                    if host == "data":
                        answer = self._route_data(method, path, headers, body)
                    elif re.fullmatch(r"/v2/bot/richmenu/[^/]+/content", path):
                        answer = _Answer(404, {"message": "Not found (rich menu images are on the api-data host)"})
                    elif body is not None and len(body) > MAX_BODY_BYTES:
                        answer = _Answer(413, {"message": "Request Entity Too Large"})
                    else:
                        try:
                            parsed = json.loads(body) if body else None
                        except ValueError:
                            answer = _Answer(400, {"message": "The request body could not be parsed as JSON"})
                        else:
                            answer = self._route(method, path, retry_key, parsed, request_id)
            answer.headers["x-line-request-id"] = request_id
            self.requests.append(RequestRecord(method, path, answer.status, retry_key, request_id, parsed))
        if answer.status == 200 and method == "POST" and path == "/v2/bot/channel/webhook/test":
            answer.body = self._call_webhook(answer.body["endpoint"])  # outside the lock: it calls us back
        return answer, delay

    def _route(self, method: str, path: str, retry_key: str | None, body: Any, request_id: str) -> _Answer:
        if path == "/v2/bot/message/push":
            return self._push(retry_key, body, request_id) if method == "POST" else _method_not_allowed()
        if path == "/v2/bot/message/reply":
            return self._reply(body, request_id) if method == "POST" else _method_not_allowed()
        if path == "/v2/bot/chat/loading/start":
            return self._loading(body) if method == "POST" else _method_not_allowed()
        if path == "/v2/bot/message/quota/consumption" and method == "GET":
            return _Answer(200, {"totalUsage": self.used})
        if path == "/v2/bot/message/quota" and method == "GET":
            return _Answer(200, {"type": "limited", "value": self.quota})
        if path.startswith(("/v2/bot/richmenu", "/v2/bot/user/")) or path.startswith("/v2/bot/channel/webhook/"):
            return self._route_setup(method, path, body)
        match = re.fullmatch(r"/v2/bot/profile/([^/]+)", path)
        if match and method == "GET":
            user_id = match.group(1)
            if user_id not in self.profiles:
                return _Answer(404, {"message": "Not found"})
            return _Answer(200, {"displayName": self.profiles[user_id], "userId": user_id, "language": "th"})
        return _Answer(404, {"message": "Not found"})

    def _refuse(self, path: str, details: list[dict], body: Any) -> _Answer:
        self.violations.append({"path": path, "details": details, "body": body})
        return _Answer(400, {"message": f"The request body has {len(details)} error(s)", "details": details})

    def _push(self, retry_key: str | None, body: Any, request_id: str) -> _Answer:
        now = self.clock()
        if retry_key is not None:
            if not UUID_RE.match(retry_key):
                return _Answer(400, {"message": "The value for the 'X-Line-Retry-Key' header is invalid"})
            accepted = self._accepted_keys.get(retry_key)
            if accepted and now - accepted[1] < RETRY_KEY_SECONDS:
                return _Answer(409, {"message": "The retry key is already accepted",
                                     "sentMessages": accepted[2]},
                               {"x-line-accepted-request-id": accepted[0]})
        details = validate_request("PushMessageRequest", body)
        if not details and not self._valid_to(body["to"]):
            details = [{"message": "The property, 'to', in the request body is invalid", "property": "to"}]
        if details:
            return self._refuse("/v2/bot/message/push", details, body)
        to = body["to"]
        if to not in self.blocked:
            if self.used >= self.quota:
                return _Answer(429, dict(MONTHLY_LIMIT))
            self.used += 1
            self.deliveries.append(Delivery(to, body["messages"], retry_key, request_id, now))
        sent = _sent_messages(body["messages"])
        if retry_key is not None:
            self._accepted_keys[retry_key] = (request_id, now, sent)
        return _Answer(200, {"sentMessages": sent})

    def _reply(self, body: Any, request_id: str) -> _Answer:
        details = validate_request("ReplyMessageRequest", body)
        if details:
            return self._refuse("/v2/bot/message/reply", details, body)
        issued = self._reply_tokens.pop(body["replyToken"], None)
        if issued is None or self.clock() - issued[1] > REPLY_TOKEN_SECONDS:
            return _Answer(400, dict(INVALID_REPLY_TOKEN))
        self.replies.append(Reply(body["replyToken"], issued[0], body["messages"], request_id))
        return _Answer(200, {"sentMessages": _sent_messages(body["messages"])})

    def _loading(self, body: Any) -> _Answer:
        details = validate_request("ShowLoadingAnimationRequest", body)
        seconds = body.get("loadingSeconds", 20) if isinstance(body, dict) else None
        if not details and isinstance(seconds, int) and seconds % 5:
            # The description says so in words only: "It must be a multiple of 5."
            details = [{"message": "must be a multiple of 5", "property": "loadingSeconds"}]
        if details:
            return self._refuse("/v2/bot/chat/loading/start", details, body)
        self.loadings.append((body["chatId"], seconds))
        return _Answer(202, {})

    # ------------------------------------------------------------ rich menus and the webhook URL

    def _route_setup(self, method: str, path: str, body: Any) -> _Answer:
        """The set-up endpoints of messaging-api.yml this project calls (and their GETs for tests)."""
        route = (method, path)
        if route == ("POST", "/v2/bot/richmenu"):
            return self._create_rich_menu(body)
        if route == ("GET", "/v2/bot/richmenu/list"):
            return _Answer(200, {"richmenus": [m.response() for m in self.rich_menus.values()]})
        if route == ("GET", "/v2/bot/richmenu/alias/list"):
            return _Answer(200, {"aliases": [{"richMenuAliasId": a, "richMenuId": m} for a, m in self.aliases.items()]})
        if route == ("POST", "/v2/bot/richmenu/alias"):
            return self._create_alias(body)
        if route == ("GET", "/v2/bot/user/all/richmenu"):
            if self.default_rich_menu is None:
                return _Answer(404, {"message": "no default richmenu"})
            return _Answer(200, {"richMenuId": self.default_rich_menu})
        if route == ("DELETE", "/v2/bot/user/all/richmenu"):
            self.default_rich_menu = None
            return _Answer(200, {})
        if path == "/v2/bot/channel/webhook/endpoint":
            return self._webhook_endpoint(method, body)
        if route == ("POST", "/v2/bot/channel/webhook/test"):
            details = validate_request("TestWebhookEndpointRequest", body)
            if details:
                return self._refuse(path, details, body)
            endpoint = (body or {}).get("endpoint") or self.webhook_endpoint
            if not endpoint:
                return _Answer(400, {"message": "Webhook endpoint is not set"})
            return _Answer(200, {"endpoint": endpoint})  # the call itself is made outside the lock
        if match := re.fullmatch(r"/v2/bot/richmenu/alias/([^/]+)", path):
            return self._alias(method, match.group(1), body)
        if match := re.fullmatch(r"/v2/bot/user/all/richmenu/([^/]+)", path):
            if method != "POST":
                return _method_not_allowed()
            menu, refused = self._usable_menu(match.group(1))
            if refused is None:
                self.default_rich_menu = menu.rich_menu_id
            return refused or _Answer(200, {})
        if match := re.fullmatch(r"/v2/bot/user/([^/]+)/richmenu/([^/]+)", path):
            if method != "POST":
                return _method_not_allowed()
            user_id = match.group(1)
            if not USER_ID_RE.match(user_id):
                return _Answer(400, {"message": "The value for the 'userId' parameter is invalid"})
            menu, refused = self._usable_menu(match.group(2))
            if refused is None:
                self.user_menus[user_id] = menu.rich_menu_id
            return refused or _Answer(200, {})
        if match := re.fullmatch(r"/v2/bot/user/([^/]+)/richmenu", path):
            user_id = match.group(1)
            if not USER_ID_RE.match(user_id):
                return _Answer(400, {"message": "The value for the 'userId' parameter is invalid"})
            if method == "DELETE":
                self.user_menus.pop(user_id, None)
                return _Answer(200, {})
            if method == "GET":
                linked = self.user_menus.get(user_id)
                return _Answer(200, {"richMenuId": linked}) if linked else _Answer(404, {"message": "the user has no richmenu"})
            return _method_not_allowed()
        if match := re.fullmatch(r"/v2/bot/richmenu/([^/]+)", path):
            menu = self.rich_menus.get(match.group(1))
            if menu is None:
                return _Answer(404, {"message": "richmenu not found"})
            if method == "GET":
                return _Answer(200, menu.response())
            if method == "DELETE":
                del self.rich_menus[menu.rich_menu_id]
                # Those who had it see the default again; an alias of it points at nothing.
                self.user_menus = {u: m for u, m in self.user_menus.items() if m != menu.rich_menu_id}
                if self.default_rich_menu == menu.rich_menu_id:
                    self.default_rich_menu = None
                self.aliases = {a: m for a, m in self.aliases.items() if m != menu.rich_menu_id}
                return _Answer(200, {})
            return _method_not_allowed()
        return _Answer(404, {"message": "Not found"})

    def _create_rich_menu(self, body: Any) -> _Answer:
        details = validate_request("RichMenuRequest", body) or rich_menu_errors(body)
        if details:
            return self._refuse("/v2/bot/richmenu", details, body)
        rich_menu_id = "richmenu-" + secrets.token_hex(16)
        self.rich_menus[rich_menu_id] = RichMenu(rich_menu_id, copy.deepcopy(body))
        return _Answer(200, {"richMenuId": rich_menu_id})

    def _usable_menu(self, rich_menu_id: str) -> tuple[Any, _Answer | None]:
        """The menu, or LINE's refusal: unknown, or no image yet (LINE shows no menu without one)."""
        menu = self.rich_menus.get(rich_menu_id)
        if menu is None:
            return None, _Answer(404, {"message": "richmenu not found"})
        if menu.image is None:
            return None, _Answer(400, {"message": "must upload richmenu image before applying it to user"})
        return menu, None

    def _create_alias(self, body: Any) -> _Answer:
        details = validate_request("CreateRichMenuAliasRequest", body)
        if details:
            return self._refuse("/v2/bot/richmenu/alias", details, body)
        if body["richMenuAliasId"] in self.aliases:
            return _Answer(400, {"message": "conflict richmenu alias id"})
        menu, refused = self._usable_menu(body["richMenuId"])
        if refused is not None:
            return refused
        self.aliases[body["richMenuAliasId"]] = menu.rich_menu_id
        return _Answer(200, {})

    def _alias(self, method: str, alias_id: str, body: Any) -> _Answer:
        if alias_id not in self.aliases:
            return _Answer(404 if method == "GET" else 400, {"message": "richmenu alias not found"})
        if method == "GET":
            return _Answer(200, {"richMenuAliasId": alias_id, "richMenuId": self.aliases[alias_id]})
        if method == "DELETE":
            del self.aliases[alias_id]
            return _Answer(200, {})
        if method == "POST":
            details = validate_request("UpdateRichMenuAliasRequest", body)
            if details:
                return self._refuse(f"/v2/bot/richmenu/alias/{alias_id}", details, body)
            menu, refused = self._usable_menu(body["richMenuId"])
            if refused is not None:
                return refused
            self.aliases[alias_id] = menu.rich_menu_id
            return _Answer(200, {})
        return _method_not_allowed()

    def _route_data(self, method: str, path: str, headers: Any, body: bytes | None) -> _Answer:
        """The api-data host: the rich menu image, uploaded and downloaded; what users sent (getMessageContent)."""
        sent = re.fullmatch(r"/v2/bot/message/([^/]+)/content", path)
        if sent:
            if method != "GET":
                return _method_not_allowed()
            message_id = urllib.parse.unquote(sent.group(1))
            if message_id not in self.contents or message_id in self.expired:
                return _Answer(404, {"message": "Not found"})
            data, content_type = self.contents[message_id]
            return _Answer(200, data, {"Content-Type": content_type})
        match = re.fullmatch(r"/v2/bot/richmenu/([^/]+)/content", path)
        if not match:
            return _Answer(404, {"message": "Not found"})
        menu = self.rich_menus.get(match.group(1))
        if menu is None:
            return _Answer(404, {"message": "richmenu not found"})
        if method == "GET":
            if menu.image is None:
                return _Answer(404, {"message": "richmenu image not found"})
            return _Answer(200, menu.image, {"Content-Type": menu.content_type or "image/png"})
        if method != "POST":
            return _method_not_allowed()
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in RICH_MENU_IMAGE_TYPES:
            return _Answer(415, {"message": "Unsupported Media Type: the image must be image/png or image/jpeg"})
        if not body:
            return _Answer(400, {"message": "The request body is empty"})
        if len(body) > RICH_MENU_MAX_IMAGE_BYTES:
            return _Answer(413, {"message": "Payload Too Large: the image must be 1 MB or less"})
        if menu.image is not None:
            return _Answer(400, {"message": "An image has already been uploaded to the richmenu"})
        size = image_size(body, RICH_MENU_IMAGE_TYPES[content_type])
        want = (menu.request["size"]["width"], menu.request["size"]["height"])
        if size is None:
            return _Answer(400, {"message": f"The image is not a {RICH_MENU_IMAGE_TYPES[content_type]} image"})
        if size != want:
            return _Answer(400, {"message": f"The image size {size[0]}x{size[1]} does not match the richmenu "
                                            f"size {want[0]}x{want[1]}"})
        menu.image, menu.content_type = bytes(body), content_type
        return _Answer(200, {})

    def _webhook_endpoint(self, method: str, body: Any) -> _Answer:
        if method == "GET":
            if self.webhook_endpoint is None:
                return _Answer(404, {"message": "Webhook endpoint is not set"})
            return _Answer(200, {"endpoint": self.webhook_endpoint, "active": True})
        if method != "PUT":
            return _method_not_allowed()
        details = validate_request("SetWebhookEndpointRequest", body)
        if details:
            return self._refuse("/v2/bot/channel/webhook/endpoint", details, body)
        endpoint = body["endpoint"]
        # LINE takes HTTPS only; the fake also takes http on 127.0.0.1 so that a test can be called.
        if not (endpoint.startswith("https://") or endpoint.startswith("http://127.0.0.1:")):
            return _Answer(400, {"message": "Invalid webhook endpoint URL: HTTPS is required"})
        self.webhook_endpoint = endpoint
        return _Answer(200, {})

    def _call_webhook(self, endpoint: str) -> dict:
        """What LINE does for "test webhook endpoint": POST an empty, signed event list; report the answer.

        Only URLs on 127.0.0.1 are called (a test's own server); any other gets "could not connect".
        """
        import urllib.error
        import urllib.request

        from messaging.signature import sign

        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(self.clock()))
        if not endpoint.startswith("http://127.0.0.1:"):
            return {"success": False, "timestamp": stamp, "statusCode": 0, "reason": "COULD_NOT_CONNECT",
                    "detail": "The fake calls webhooks on 127.0.0.1 only"}
        payload = json.dumps({"destination": "U" + "0" * 32, "events": []}).encode()
        request = urllib.request.Request(endpoint, data=payload, method="POST", headers={
            "Content-Type": "application/json", "X-Line-Signature": sign(self.channel_secret, payload)})
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TEST_TIMEOUT_SECONDS) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError) as exc:
            return {"success": False, "timestamp": stamp, "statusCode": 0, "reason": "COULD_NOT_CONNECT",
                    "detail": type(exc).__name__}
        self.webhook_calls.append((endpoint, status))
        ok = 200 <= status < 300
        return {"success": ok, "timestamp": stamp, "statusCode": status, "reason": "OK" if ok else "ERROR_STATUS_CODE",
                "detail": str(status)}

    def _valid_to(self, to: Any) -> bool:
        if not isinstance(to, str) or not to:
            return False
        return bool(STRICT_ID_RE.match(to)) if self.strict_ids else to[0] in "UCR"


def rich_menu_errors(body: dict) -> list[dict]:
    """What LINE refuses in a rich menu beyond its OpenAPI schema (which marks nothing required)."""
    details = [{"message": "must be specified", "property": key} for key in RICH_MENU_REQUIRED if key not in body]
    if details:
        return details
    width, height = body["size"].get("width", 0), body["size"].get("height", 0)
    if not RICH_MENU_MIN_WIDTH <= width <= RICH_MENU_MAX_WIDTH:
        details.append({"message": f"must be between {RICH_MENU_MIN_WIDTH} and {RICH_MENU_MAX_WIDTH}",
                        "property": "size.width"})
    if height < RICH_MENU_MIN_HEIGHT or width / max(height, 1) < RICH_MENU_MIN_RATIO:
        details.append({"message": f"must be {RICH_MENU_MIN_HEIGHT} or more, and width/height "
                                   f"{RICH_MENU_MIN_RATIO} or more", "property": "size.height"})
    areas = body["areas"]
    if len(areas) > RICH_MENU_MAX_AREAS:
        details.append({"message": f"Size must be between 0 and {RICH_MENU_MAX_AREAS}", "property": "areas"})
    for i, area in enumerate(areas):
        bounds = area.get("bounds") or {}
        if not {"x", "y", "width", "height"} <= set(bounds) or "action" not in area:
            details.append({"message": "bounds (x, y, width, height) and action must be specified",
                            "property": f"areas[{i}]"})
        elif bounds["x"] + bounds["width"] > width or bounds["y"] + bounds["height"] > height:
            details.append({"message": "must be within the rich menu size", "property": f"areas[{i}].bounds"})
    return details


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, or None when the bytes are not that kind of image."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size if image.format == kind else None
    except (UnidentifiedImageError, OSError):
        return None


def _sent_messages(messages: list[dict]) -> list[dict]:
    return [{"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(12)} for _ in messages]


def _method_not_allowed() -> _Answer:
    return _Answer(405, {"message": "Method Not Allowed"})


class _Handler(BaseHTTPRequestHandler):
    fake: LineFake
    host: str = "api"          # "api" or "data" (api-data.line.me)
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # buffer the whole answer and send it in one write (no Nagle stalls)

    def do_GET(self) -> None:
        self._serve(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length) if length else b"")

    do_DELETE = do_GET
    do_PUT = do_POST

    def _serve(self, body: bytes | None) -> None:
        path = self.path.split("?", 1)[0]
        answer, delay = self.fake._handle(self.command, path, self.headers, body, self.host)
        if delay:
            time.sleep(delay)
        raw = isinstance(answer.body, bytes)  # a rich menu image downloaded
        payload = answer.body if raw else json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(answer.status)
            if not raw:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up waiting

    def log_message(self, format: str, *args: Any) -> None:
        pass
