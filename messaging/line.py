"""LineClient: the one client of the LINE Messaging API (push, reply, profile, loading, quota).

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
"""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from core.http import KeepAlive
from messaging.base import MAX_MESSAGES, MessengerError, PushResult

TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"

PUSH_PATH = "/v2/bot/message/push"
REPLY_PATH = "/v2/bot/message/reply"
LOADING_PATH = "/v2/bot/chat/loading/start"
QUOTA_PATH = "/v2/bot/message/quota"
CONSUMPTION_PATH = "/v2/bot/message/quota/consumption"
PROFILE_PATH = "/v2/bot/profile/"

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

    def __init__(self, api_url: str, timeout_seconds: float) -> None:
        super().__init__(api_url, "api.line.me", timeout_seconds)
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

    def exchange(self, method: str, path: str, body: bytes | None,
                 headers: dict[str, str]) -> tuple[int, bytes, dict[str, str | None]]:
        self._seen.headers = {}
        status, data = self.request(method, path, body, headers)
        return status, data, self._seen.headers


class LineClient:
    """The LINE Messaging API over one kept-alive connection. Never logs or shows the token."""

    def __init__(self, api_url: str, token: str, *, timeout_seconds: float = 10.0, max_tries: int = 3,
                 backoff_seconds: float = 0.5, sleep: Callable[[float], None] = time.sleep) -> None:
        token = (token or "").strip()
        if not token:
            raise MessengerError(
                f"ไม่พบ access token ของ LINE: ตั้งค่าตัวแปรสภาพแวดล้อม {TOKEN_ENV} "
                f"(missing environment variable {TOKEN_ENV})")
        self._token = token
        self._http = _Transport(str(api_url), float(timeout_seconds))
        self.timeout_seconds = float(timeout_seconds)
        self.max_tries = max(1, int(max_tries))
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.description = f"LINE Messaging API ({self._http.base_url})"
        self.stopped = False  # after a 429: pushes answer "quota" without a request
        self._stop_detail = QUOTA_DETAIL

    @classmethod
    def from_config(cls, config: Any, token: str | None = None, *, env: Mapping[str, str] | None = None,
                    webhook: bool = False, sleep: Callable[[float], None] = time.sleep) -> "LineClient":
        """From `line.*` settings; the token from the argument or LINE_CHANNEL_ACCESS_TOKEN.

        `webhook=True`: at most 5 s and 2 tries, since LINE waits for the webhook's answer.
        """
        env = os.environ if env is None else env
        token = token or env.get(TOKEN_ENV) or ""
        timeout, tries = float(config.line.timeout_seconds), int(config.line.max_tries)
        if webhook:
            return cls(config.line.api_url, token, timeout_seconds=min(timeout, WEBHOOK_TIMEOUT_SECONDS),
                       max_tries=min(tries, WEBHOOK_MAX_TRIES), backoff_seconds=WEBHOOK_BACKOFF_SECONDS,
                       sleep=sleep)
        return cls(config.line.api_url, token, timeout_seconds=timeout, max_tries=tries, sleep=sleep)

    def __repr__(self) -> str:
        return f"LineClient({self._http.base_url!r})"

    @property
    def requests(self) -> int:
        """HTTP requests made so far (tries included)."""
        return self._http.requests

    def close(self) -> None:
        self._http.close()

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

    # ------------------------------------------------------------ internals

    def _get_json(self, path: str) -> dict:
        last = Answer(None, {})
        for attempt in range(1, self.max_tries + 1):
            answer = self._call("GET", path, None, {})
            if answer.ok:
                return answer.body
            if answer.status is not None and 400 <= answer.status < 500:
                raise MessengerError(f"อ่านข้อมูลจาก LINE ไม่สำเร็จ: {_rejected_detail(answer)}", answer.status)
            last = answer
            self._pause(attempt)
        raise MessengerError(f"อ่านข้อมูลจาก LINE ไม่สำเร็จ: {self._trouble(last)} — ลองแล้ว {self.max_tries} ครั้ง",
                             last.status)

    def _call(self, method: str, path: str, body: bytes | None, extra: dict[str, str]) -> Answer:
        """One try. A network error or timeout is an Answer without a status, never an exception."""
        headers = {"Authorization": f"Bearer {self._token}", **extra}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=UTF-8"
        try:
            status, data, seen = self._http.exchange(method, path, body, headers)
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
