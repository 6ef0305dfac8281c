"""LineClient: the one client of the LINE Messaging API (push, reply, profile, loading, quota,
and the set-up calls of `setup-line`: rich menus, their images, aliases and links, the webhook URL).

Why our own client instead of line-bot-sdk's `MessagingApi`: every call the program makes is
one small JSON request whose body we already hold as plain dicts (built by `messaging.flex`).
The SDK's model layer costs 0.87 s to import (most of the webhook's 1-second cold start), and at
80,000 loans 54 % of the alert run's time went to its `from_dict`/`to_dict` round trip of
bodies that were dicts to begin with. Here a body is `json.dumps` once and sent over one
kept-alive standard-library connection (`core.http.KeepAlive`), the same for the webhook's
replies and the jobs' pushes.

What is kept of line-bot-sdk: nothing at run time. The tests use its `SignatureValidator` as
the reference for `messaging.signature`, so it is pinned in requirements-dev.txt only. The
bodies are checked in the tests instead of by SDK models: the LINE fake (tests/fakes/line_api.py)
validates every request against LINE's own OpenAPI description and documented size limits.

Retries (push): the same X-Line-Retry-Key on every try, at most `max_tries` tries with a
growing pause, on 5xx, network errors and timeouts only. 409 means LINE had already accepted
that key (a try whose answer was lost): delivered. 429 stops the client for the rest of the
run (quota or rate limit: trying others would only be refused too). Any other 4xx is the
request's own fault and is not sent again. Replies have no retry key (their token is single
use): "Invalid reply token" on a second try means the first one got through.

The set-up calls are tried again on 5xx and network errors like the GETs, being idempotent (a
link, an unlink, a delete, setting the default or an alias says what the end state is), except
creating a rich menu: a lost answer there would leave a second menu, so it is tried once (and
`setup-line` deletes every menu of ours it did not make this run, so a stray one goes next time).
Rich menu images, and the content of what users send (`content`: a photo or a PDF, checked against
a size limit before it is read), go to the api-data host (`line.api_data_url`), over a connection of
their own that is opened only when one is needed.
"""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Mapping

from core.http import KeepAlive
from messaging.base import MAX_MESSAGES, MessengerError, PushResult
from core.config import Config

TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"

PUSH_PATH = "/v2/bot/message/push"
REPLY_PATH = "/v2/bot/message/reply"
LOADING_PATH = "/v2/bot/chat/loading/start"
QUOTA_PATH = "/v2/bot/message/quota"
CONSUMPTION_PATH = "/v2/bot/message/quota/consumption"
PROFILE_PATH = "/v2/bot/profile/"
RICH_MENU_PATH = "/v2/bot/richmenu"
RICH_MENU_LIST_PATH = "/v2/bot/richmenu/list"
RICH_MENU_ALIAS_PATH = "/v2/bot/richmenu/alias"
RICH_MENU_ALIAS_LIST_PATH = "/v2/bot/richmenu/alias/list"
DEFAULT_RICH_MENU_PATH = "/v2/bot/user/all/richmenu"
USER_PATH = "/v2/bot/user/"
WEBHOOK_ENDPOINT_PATH = "/v2/bot/channel/webhook/endpoint"
WEBHOOK_TEST_PATH = "/v2/bot/channel/webhook/test"
CONTENT_PATH = "/v2/bot/message/{}/content"   # on the api-data host: what a user sent (image, file, ...)
IMAGE_TYPES = ("image/png", "image/jpeg")

# The webhook answers while LINE waits: a short timeout and one retry at most there.
WEBHOOK_TIMEOUT_SECONDS = 5.0
WEBHOOK_MAX_TRIES = 2
WEBHOOK_BACKOFF_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 8.0

QUOTA_DETAIL = ("โควตาข้อความ LINE ของเดือนนี้หมดแล้ว ข้อความที่เหลือจะส่งในรอบถัดไปเมื่อโควตาเพิ่ม "
                "(เพิ่มแพ็กเกจได้ที่ LINE Official Account Manager) "
                "(LINE 429: monthly message limit reached)")
RATE_LIMIT_DETAIL = ("LINE จำกัดจำนวนคำขอชั่วคราว หยุดส่งในรอบนี้ ข้อความที่เหลือจะส่งในรอบถัดไป "
                     "(LINE 429: rate limit exceeded)")

REQUEST_ID = "x-line-request-id"
ACCEPTED_REQUEST_ID = "x-line-accepted-request-id"


@dataclass(frozen=True)
class Answer:
    """One try's outcome: LINE's status and JSON body, or (status None) why there was no answer."""

    status: int | None
    body: dict
    request_id: str | None = None
    accepted_request_id: str | None = None
    no_answer: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))


@dataclass(frozen=True)
class Content:
    """A message's content as LINE keeps it: the bytes and their media type."""

    data: bytes
    media_type: str


class ContentError(MessengerError):
    """The content cannot be had: `too_large`, `expired` (LINE keeps it for a while only), or LINE failed."""

    def __init__(self, message: str, http_status: int | None = None, *, too_large: bool = False,
                 expired: bool = False) -> None:
        super().__init__(message, http_status)
        self.too_large, self.expired = too_large, expired


@dataclass(frozen=True)
class WebhookTest:
    """LINE's answer to "test the webhook URL": what LINE got back when it called the webhook."""

    success: bool
    status_code: int          # the webhook's HTTP status; 0 or less when LINE got no answer
    reason: str
    detail: str
    timestamp: str


@dataclass(frozen=True)
class MessageQuota:
    """This month's push limit (None: no limit set) and the pushes counted so far."""

    limit: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


class _Transport(KeepAlive):
    """core.http.KeepAlive that also keeps each answer's LINE request-id headers.

    `KeepAlive.request` hands back (status, body) only, and LINE's x-line-request-id (on a 409,
    x-line-accepted-request-id) is what LINE's support asks for and what tells a repeat from a
    first delivery. So each connection's `getresponse` is wrapped to note those two headers,
    per calling thread. Should KeepAlive stop using `_connection`, the ids are simply None.
    """

    def __init__(self, api_url: str, timeout_seconds: float, default_host: str = "api.line.me") -> None:
        super().__init__(api_url, default_host, timeout_seconds)
        self._seen = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = super()._connection()
        if "getresponse" not in vars(conn):  # a fresh connection: wrap it once
            original = conn.getresponse
            seen = self._seen

            def getresponse() -> http.client.HTTPResponse:
                response = original()
                seen.headers = {REQUEST_ID: response.getheader(REQUEST_ID),
                                ACCEPTED_REQUEST_ID: response.getheader(ACCEPTED_REQUEST_ID)}
                return response

            conn.getresponse = getresponse  # type: ignore[method-assign]
        return conn

    def download(self, path: str, headers: dict[str, str], max_bytes: int) -> tuple[int, bytes, str, int | None]:
        """GET a blob: (status, body, Content-Type, declared size). Never reads more than `max_bytes` + 1.

        KeepAlive.request reads the whole answer; a file may be large, so the size LINE declares
        (Content-Length) is checked before the body is read, and a body over the limit is not read
        at all: the connection is dropped instead (what was left unread cannot be reused).
        """
        with self._lock:
            self.requests += 1
            for fresh in (False, True):
                conn = self._connection()
                try:
                    conn.request("GET", self.prefix + path, headers=headers)
                    response = conn.getresponse()
                    declared = response.getheader("Content-Length")
                    size = int(declared) if declared and declared.isdigit() else None
                    media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
                    if response.status == 200 and size is not None and size > max_bytes:
                        self._drop()
                        return response.status, b"", media_type, size
                    data = response.read(max_bytes + 1) if response.status == 200 else response.read()
                    if len(data) > max_bytes:
                        self._drop()
                        return response.status, b"", media_type, len(data)
                    if response.getheader("Connection", "").lower() == "close" or not response.isclosed():
                        self._drop()
                    return response.status, data, media_type, size
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    self._drop()
                    if fresh:
                        raise
                except (OSError, http.client.HTTPException):
                    self._drop()
                    raise
        raise AssertionError("unreachable")

    def exchange(self, method: str, path: str, body: bytes | None,
                 headers: dict[str, str]) -> tuple[int, bytes, dict[str, str | None]]:
        self._seen.headers = {}
        status, data = self.request(method, path, body, headers)
        return status, data, self._seen.headers


class LineClient:
    """The LINE Messaging API over one kept-alive connection. Never logs or shows the token."""

    def __init__(self, api_url: str, token: str, *, timeout_seconds: float = 10.0, max_tries: int = 3,
                 backoff_seconds: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 api_data_url: str = "https://api-data.line.me") -> None:
        token = (token or "").strip()
        if not token:
            raise MessengerError(
                f"ไม่พบ access token ของ LINE: ตั้งค่าตัวแปรสภาพแวดล้อม {TOKEN_ENV} "
                f"(missing environment variable {TOKEN_ENV})")
        self._token = token
        self._http = _Transport(str(api_url), float(timeout_seconds))
        self._api_data_url = str(api_data_url)
        self._data_http: _Transport | None = None  # opened on the first image upload
        self.timeout_seconds = float(timeout_seconds)
        self.max_tries = max(1, int(max_tries))
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.description = f"LINE Messaging API ({self._http.base_url})"
        self.stopped = False  # after a 429: pushes answer "quota" without a request
        self._stop_detail = QUOTA_DETAIL

    @classmethod
    def from_config(cls, config: Config, token: str | None = None, *, env: Mapping[str, str] | None = None,
                    webhook: bool = False, sleep: Callable[[float], None] = time.sleep) -> "LineClient":
        """From `line.*` settings; the token from the argument or LINE_CHANNEL_ACCESS_TOKEN.

        `webhook=True`: at most 5 s and 2 tries, since LINE waits for the webhook's answer.
        """
        env = os.environ if env is None else env
        token = token or env.get(TOKEN_ENV) or ""
        timeout, tries = float(config.line.timeout_seconds), int(config.line.max_tries)
        data_url = config.line.api_data_url
        if webhook:
            return cls(config.line.api_url, token, timeout_seconds=min(timeout, WEBHOOK_TIMEOUT_SECONDS),
                       max_tries=min(tries, WEBHOOK_MAX_TRIES), backoff_seconds=WEBHOOK_BACKOFF_SECONDS,
                       sleep=sleep, api_data_url=data_url)
        return cls(config.line.api_url, token, timeout_seconds=timeout, max_tries=tries, sleep=sleep,
                   api_data_url=data_url)

    def __repr__(self) -> str:
        return f"LineClient({self._http.base_url!r})"

    @property
    def requests(self) -> int:
        """HTTP requests made so far (tries included)."""
        return self._http.requests

    def close(self) -> None:
        self._http.close()
        if self._data_http is not None:
            self._data_http.close()

    # ------------------------------------------------------------ push and reply

    def push(self, to: str, messages: list[dict], retry_key: str) -> PushResult:
        """Push to one user with the retry key; never raises for what LINE or the network does."""
        if self.stopped:
            return PushResult("quota", self._stop_detail, tries=0)
        try:
            body = _encode({"to": to, "messages": messages})
        except MessengerError as exc:
            return PushResult("failed", str(exc), tries=0)
        last = Answer(None, {})
        for attempt in range(1, self.max_tries + 1):
            answer = self._call("POST", PUSH_PATH, body, {"X-Line-Retry-Key": retry_key})
            if answer.ok:
                return PushResult("sent", "ส่งแล้ว (sent)", answer.status, answer.request_id, attempt)
            if answer.status == 409:
                # Same retry key accepted earlier (maybe by a try whose answer we never got).
                return PushResult("duplicate", "ส่งไปแล้วก่อนหน้านี้ (LINE 409: retry key already accepted)",
                                  409, answer.accepted_request_id or answer.request_id, attempt)
            if answer.status == 429:
                self.stopped = True
                self._stop_detail = QUOTA_DETAIL if "monthly" in answer.message.lower() else RATE_LIMIT_DETAIL
                return PushResult("quota", self._stop_detail, 429, answer.request_id, attempt)
            if answer.status is not None and 400 <= answer.status < 500:
                # The request itself is wrong: sending it again cannot help.
                return PushResult("failed", _rejected_detail(answer), answer.status, answer.request_id, attempt)
            last = answer
            self._pause(attempt)
        return PushResult("failed", f"{self._trouble(last)} — ลองแล้ว {self.max_tries} ครั้ง",
                          last.status, None, self.max_tries)

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        """Answer a webhook event (free, no retry key); MessengerError when LINE does not take it."""
        try:
            body = _encode({"replyToken": reply_token, "messages": messages})
        except MessengerError as exc:
            raise MessengerError(f"ตอบกลับทาง LINE ไม่สำเร็จ: {exc}") from None
        last = Answer(None, {})
        for attempt in range(1, self.max_tries + 1):
            answer = self._call("POST", REPLY_PATH, body, {})
            if answer.ok:
                return
            if attempt > 1 and answer.status == 400 and "reply token" in answer.message.lower():
                return  # an earlier try whose answer was lost used the token up: it was delivered
            if answer.status is not None and 400 <= answer.status < 500:
                raise MessengerError(f"ตอบกลับทาง LINE ไม่สำเร็จ: {_rejected_detail(answer)}", answer.status)
            last = answer
            self._pause(attempt)
        raise MessengerError(f"ตอบกลับทาง LINE ไม่สำเร็จ: {self._trouble(last)} — ลองแล้ว {self.max_tries} ครั้ง",
                             last.status)

    # ------------------------------------------------------------ the other calls

    def profile(self, user_id: str) -> dict | None:
        """The user's LINE profile (displayName, userId, ...), or None when it cannot be had at once."""
        answer = self._call("GET", PROFILE_PATH + urllib.parse.quote(user_id, safe=""), None, {})
        return answer.body if answer.ok else None

    def profile_name(self, user_id: str) -> str:
        """The user's LINE display name, or "" (one try: the webhook does not wait for a name)."""
        name = (self.profile(user_id) or {}).get("displayName", "")
        return name if isinstance(name, str) else ""

    def show_loading(self, chat_id: str, seconds: int = 5) -> bool:
        """Show the "typing" animation in a one-to-one chat while a slow answer is made.

        LINE takes 5 to 60 seconds in steps of 5; one try, since it only tells the user to wait.
        """
        seconds = min(60, max(5, -(-int(seconds) // 5) * 5))  # rounded up to a step of 5
        body = _encode({"chatId": chat_id, "loadingSeconds": seconds})
        return self._call("POST", LOADING_PATH, body, {}).ok

    def quota(self) -> MessageQuota:
        """This month's push limit and use (two GETs); MessengerError when LINE does not answer."""
        limit = self._get_json(QUOTA_PATH)
        used = self._get_json(CONSUMPTION_PATH)
        value = limit.get("value") if limit.get("type") == "limited" else None
        return MessageQuota(int(value) if value is not None else None, int(used.get("totalUsage", 0)))

    def content(self, message_id: str, max_bytes: int) -> Content:
        """What a user sent (an image, a file) from the api-data host; ContentError when it cannot be had.

        Over `max_bytes` (by the declared Content-Length, else by what arrives) is refused without
        reading it; a 404 means LINE no longer keeps it (content is kept for a limited time only).
        Tried again on 5xx and network errors like every GET.
        """
        path = CONTENT_PATH.format(_segment(message_id))
        transport = self._data_transport()
        status: int | None = None
        trouble = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                status, data, media_type, size = transport.download(
                    path, {"Authorization": f"Bearer {self._token}"}, int(max_bytes))
            except TimeoutError:
                status, trouble = None, f"LINE ไม่ตอบภายใน {self.timeout_seconds:g} วินาที (timeout)"
            except (OSError, http.client.HTTPException) as exc:
                status, trouble = None, f"ติดต่อ LINE ไม่ได้ (connection error: {type(exc).__name__})"
            else:
                if status == 200 and not data and size:
                    raise ContentError(f"ไฟล์ใหญ่เกินไป ({_megabytes(size)}) รับได้ไม่เกิน {_megabytes(max_bytes)} "
                                       f"(content over documents.max_bytes)", status, too_large=True)
                if status == 200:
                    return Content(data, media_type or "application/octet-stream")
                if status == 404:
                    raise ContentError("ไฟล์นี้หมดอายุใน LINE แล้ว (LINE เก็บไฟล์ไว้ระยะหนึ่งเท่านั้น) โปรดส่งไฟล์ใหม่อีกครั้ง "
                                       "(LINE 404: the content has expired)", 404, expired=True)
                if 400 <= status < 500:
                    raise ContentError(f"อ่านไฟล์จาก LINE ไม่สำเร็จ (HTTP {status}: {_phrase(status)})", status)
                trouble = f"LINE ขัดข้อง (HTTP {status}: {_phrase(status)})"
            if attempt < self.max_tries:
                self._pause(attempt)
        raise ContentError(f"อ่านไฟล์จาก LINE ไม่สำเร็จ: {trouble} — ลองแล้ว {self.max_tries} ครั้ง", status)

    def _data_transport(self) -> _Transport:
        """The api-data host's connection, opened on first use (an image upload, a content download)."""
        if self._data_http is None:
            self._data_http = _Transport(self._api_data_url, self.timeout_seconds, "api-data.line.me")
        return self._data_http

    # ------------------------------------------------------------ rich menus

    def create_rich_menu(self, menu: dict) -> str:
        """Make a rich menu from its RichMenuRequest JSON; returns its richMenuId (one try, see above)."""
        answer = self._send("POST", RICH_MENU_PATH, _encode(menu), what="สร้างริชเมนู", tries=1)
        rich_menu_id = answer.body.get("richMenuId")
        if not isinstance(rich_menu_id, str) or not rich_menu_id:
            raise MessengerError("สร้างริชเมนูไม่สำเร็จ: LINE ไม่ได้ตอบ richMenuId (no richMenuId in the answer)")
        return rich_menu_id

    def upload_rich_menu_image(self, rich_menu_id: str, image: bytes, content_type: str = "image/png") -> None:
        """Attach the image (PNG or JPEG, at most 1 MB, the menu's size) to a menu, on the api-data host."""
        if content_type not in IMAGE_TYPES:
            raise MessengerError(f"รูปริชเมนูต้องเป็น PNG หรือ JPEG (got {content_type})")
        self._send("POST", f"{RICH_MENU_PATH}/{_segment(rich_menu_id)}/content", image, what="อัปโหลดรูปริชเมนู",
                   content_type=content_type, transport=self._data_transport())

    def rich_menus(self) -> list[dict]:
        """Every rich menu of the channel made through the API (RichMenuResponse objects)."""
        menus = self._send("GET", RICH_MENU_LIST_PATH, what="อ่านรายการริชเมนู").body.get("richmenus")
        return [m for m in menus if isinstance(m, dict)] if isinstance(menus, list) else []

    def delete_rich_menu(self, rich_menu_id: str) -> bool:
        """Delete a menu; False when it was already gone. Users linked to it see the default again."""
        answer = self._send("DELETE", f"{RICH_MENU_PATH}/{_segment(rich_menu_id)}", what="ลบริชเมนู",
                            missing_ok=True)
        return answer.status != 404

    def set_default_rich_menu(self, rich_menu_id: str) -> None:
        """The menu everyone sees who has no menu of their own."""
        self._send("POST", f"{DEFAULT_RICH_MENU_PATH}/{_segment(rich_menu_id)}", what="ตั้งริชเมนูเริ่มต้น")

    def default_rich_menu(self) -> str | None:
        answer = self._send("GET", DEFAULT_RICH_MENU_PATH, what="อ่านริชเมนูเริ่มต้น", missing_ok=True)
        return _rich_menu_id(answer)

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None:
        """Show this menu to this user (instead of the default)."""
        self._send("POST", f"{USER_PATH}{_segment(user_id)}/richmenu/{_segment(rich_menu_id)}",
                   what="ผูกริชเมนูกับผู้ใช้")

    def unlink_rich_menu(self, user_id: str) -> None:
        """The user sees the default menu again."""
        self._send("DELETE", f"{USER_PATH}{_segment(user_id)}/richmenu", what="ยกเลิกริชเมนูของผู้ใช้")

    def rich_menu_of_user(self, user_id: str) -> str | None:
        """The menu linked to this user, or None (they see the default)."""
        answer = self._send("GET", f"{USER_PATH}{_segment(user_id)}/richmenu", what="อ่านริชเมนูของผู้ใช้",
                            missing_ok=True)
        return _rich_menu_id(answer)

    def rich_menu_aliases(self) -> dict[str, str]:
        """Alias -> richMenuId for every alias of the channel."""
        aliases = self._send("GET", RICH_MENU_ALIAS_LIST_PATH, what="อ่านชื่อแทนริชเมนู").body.get("aliases")
        return {a["richMenuAliasId"]: a["richMenuId"] for a in aliases or []
                if isinstance(a, dict) and isinstance(a.get("richMenuAliasId"), str)
                and isinstance(a.get("richMenuId"), str)}

    def rich_menu_alias(self, alias_id: str) -> str | None:
        """The richMenuId an alias points at, or None when there is no such alias."""
        answer = self._send("GET", f"{RICH_MENU_ALIAS_PATH}/{_segment(alias_id)}", what="อ่านชื่อแทนริชเมนู",
                            missing_ok=True)
        return _rich_menu_id(answer)

    def set_rich_menu_alias(self, alias_id: str, rich_menu_id: str, *, exists: bool) -> None:
        """Point an alias at a menu: update it when it `exists`, else create it."""
        if exists:
            self._send("POST", f"{RICH_MENU_ALIAS_PATH}/{_segment(alias_id)}",
                       _encode({"richMenuId": rich_menu_id}), what="ตั้งชื่อแทนริชเมนู")
        else:
            self._send("POST", RICH_MENU_ALIAS_PATH, _encode({"richMenuAliasId": alias_id, "richMenuId": rich_menu_id}),
                       what="ตั้งชื่อแทนริชเมนู")

    def delete_rich_menu_alias(self, alias_id: str) -> None:
        self._send("DELETE", f"{RICH_MENU_ALIAS_PATH}/{_segment(alias_id)}", what="ลบชื่อแทนริชเมนู")

    # ------------------------------------------------------------ the webhook URL

    def set_webhook_endpoint(self, url: str) -> None:
        """Where LINE sends the channel's webhook events (the deployed line_webhook)."""
        self._send("PUT", WEBHOOK_ENDPOINT_PATH, _encode({"endpoint": url}), what="ตั้ง webhook URL")

    def webhook_endpoint(self) -> dict:
        """{"endpoint": URL, "active": bool}: the URL set and whether LINE uses it."""
        return self._send("GET", WEBHOOK_ENDPOINT_PATH, what="อ่าน webhook URL").body

    def test_webhook_endpoint(self, url: str | None = None) -> WebhookTest:
        """LINE calls the webhook (the URL set, or `url`) and says what it got back."""
        body = _encode({"endpoint": url} if url else {})
        got = self._send("POST", WEBHOOK_TEST_PATH, body, what="ทดสอบ webhook URL").body
        return WebhookTest(bool(got.get("success")), int(got.get("statusCode") or 0), str(got.get("reason", "")),
                           str(got.get("detail", "")), str(got.get("timestamp", "")))

    # ------------------------------------------------------------ internals

    def _get_json(self, path: str) -> dict:
        return self._send("GET", path, what="อ่านข้อมูลจาก LINE").body

    def _send(self, method: str, path: str, body: bytes | None = None, *, what: str, tries: int | None = None,
              missing_ok: bool = False, content_type: str | None = None,
              transport: _Transport | None = None) -> Answer:
        """A request LINE must accept: tried again on 5xx and network errors; MessengerError("<what> ไม่สำเร็จ").

        `missing_ok`: a 404 is an answer (the thing is not there), not an error.
        """
        tries = self.max_tries if tries is None else tries
        last = Answer(None, {})
        for attempt in range(1, tries + 1):
            answer = self._call(method, path, body, {}, content_type=content_type, transport=transport)
            if answer.ok or (missing_ok and answer.status == 404):
                return answer
            if answer.status is not None and 400 <= answer.status < 500:
                raise MessengerError(f"{what} ไม่สำเร็จ: {_rejected_detail(answer)}", answer.status)
            last = answer
            if attempt < tries:
                self._pause(attempt)
        raise MessengerError(f"{what} ไม่สำเร็จ: {self._trouble(last)} — ลองแล้ว {tries} ครั้ง", last.status)

    def _call(self, method: str, path: str, body: bytes | None, extra: dict[str, str], *,
              content_type: str | None = None, transport: _Transport | None = None) -> Answer:
        """One try. A network error or timeout is an Answer without a status, never an exception."""
        headers = {"Authorization": f"Bearer {self._token}", **extra}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json; charset=UTF-8"
        try:
            status, data, seen = (transport or self._http).exchange(method, path, body, headers)
        except TimeoutError:
            return Answer(None, {}, no_answer=f"LINE ไม่ตอบภายใน {self.timeout_seconds:g} วินาที (timeout)")
        except (OSError, http.client.HTTPException) as exc:
            return Answer(None, {}, no_answer=f"ติดต่อ LINE ไม่ได้ (connection error: {type(exc).__name__})")
        return Answer(status, _parsed(data), seen.get(REQUEST_ID), seen.get(ACCEPTED_REQUEST_ID))

    def _pause(self, attempt: int) -> None:
        if attempt < self.max_tries:
            self.sleep(min(self.backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))

    @staticmethod
    def _trouble(answer: Answer) -> str:
        if answer.status is None:
            return answer.no_answer or "ติดต่อ LINE ไม่ได้"
        return f"LINE ขัดข้อง (HTTP {answer.status}: {answer.message or _phrase(answer.status)})"


# ---------------------------------------------------------------- helpers

def _encode(payload: dict) -> bytes:
    """Compact UTF-8 JSON (as LINE counts sizes); MessengerError when it cannot be sent at all."""
    messages = payload.get("messages")
    if messages is not None and not 1 <= len(messages) <= MAX_MESSAGES:
        raise MessengerError(f"ข้อความต้องมี 1–{MAX_MESSAGES} ชิ้นต่อครั้ง จึงไม่ได้ส่ง "
                             f"(LINE takes 1 to {MAX_MESSAGES} message objects, got {len(messages)})")
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise MessengerError(f"ข้อความแปลงเป็น JSON ไม่ได้ จึงไม่ได้ส่ง (not JSON: {exc})") from None


def _segment(value: str) -> str:
    """An id as one URL path segment (ids come from LINE or the sheet; never let one add a path)."""
    return urllib.parse.quote(value, safe="")


def _rich_menu_id(answer: Answer) -> str | None:
    value = answer.body.get("richMenuId") if answer.ok else None
    return value if isinstance(value, str) and value else None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "unknown status"


def _parsed(data: bytes) -> dict:
    try:
        value = json.loads(data) if data else {}
    except ValueError:
        return {"message": data[:200].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {}


def _rejected_detail(answer: Answer) -> str:
    """LINE's own words about a refused request, with the first few field errors."""
    text = f"LINE ไม่รับคำขอ (HTTP {answer.status}: {answer.message}"
    details = [d for d in answer.body.get("details") or [] if isinstance(d, dict)]
    if details:
        parts = [f"{d.get('property', '')}: {d.get('message', '')}".strip(": ") for d in details[:3]]
        more = f" และอีก {len(details) - 3} ข้อ" if len(details) > 3 else ""
        text += " — " + "; ".join(parts) + more
    text += ")"
    if answer.status in (401, 403):
        text += f" ตรวจสอบ {TOKEN_ENV} ว่าเป็น channel access token ที่ยังใช้ได้"
    return text
