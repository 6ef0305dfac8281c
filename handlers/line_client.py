"""A light LINE Messaging API client for the webhook: reply and profile, nothing else.

`messaging.LineMessenger` goes through line-bot-sdk's generated client, whose
model package (`linebot.v3.messaging`) takes about 2 s to import here: longer
than LINE's whole 2-second webhook window. A reply is one small JSON POST, so
the webhook sends it with the standard library's http.client over one kept-alive
connection (reused by a warm instance). Same behaviour as LineMessenger.reply:
bounded retries on 5xx and network errors only, and "Invalid reply token"
after a lost answer counts as delivered (the first try used the token).
The message dicts are checked by the LINE fake against messaging-api.yml in tests.
"""
from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.parse
from typing import Any, Callable

from core.http import KeepAlive
from messaging.base import MessengerError

log = logging.getLogger("kkc.line")


class LineReplyClient:
    """reply(reply_token, messages) and profile_name(user_id) over one persistent connection."""

    def __init__(self, api_url: str, token: str, *, timeout_seconds: float = 5.0, max_tries: int = 2,
                 backoff_seconds: float = 0.2, sleep: Callable[[float], None] = time.sleep):
        if not token:
            raise MessengerError("ไม่พบ access token ของ LINE (missing LINE_CHANNEL_ACCESS_TOKEN)")
        self._http = KeepAlive(api_url, "api.line.me", timeout_seconds)
        self._token = token  # never logged
        self.timeout_seconds = timeout_seconds
        self.max_tries = max(1, max_tries)
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.description = f"LINE Messaging API ({self._http.scheme}://{self._http.host})"
        self.stopped = False

    def __repr__(self) -> str:
        return f"LineReplyClient({self.description!r})"

    @classmethod
    def from_config(cls, config: Any, token: str) -> "LineReplyClient":
        # The webhook must answer within 2 s: a short timeout and one retry at most.
        return cls(str(config.line.api_url), token,
                   timeout_seconds=min(float(config.line.timeout_seconds), 5.0),
                   max_tries=min(int(config.line.max_tries), 2))

    # ------------------------------------------------------------ API

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        body = json.dumps({"replyToken": reply_token, "messages": messages}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        last = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                status, answer = self._request("POST", "/v2/bot/message/reply", body)
            except (OSError, http.client.HTTPException) as exc:
                last = f"ติดต่อ LINE ไม่ได้ ({type(exc).__name__})"
            else:
                if 200 <= status < 300:
                    return
                message = _message(answer)
                if attempt > 1 and status == 400 and "reply token" in message.lower():
                    return  # an earlier try whose answer was lost used the token: delivered
                if status < 500:
                    raise MessengerError(f"ตอบกลับทาง LINE ไม่สำเร็จ (HTTP {status}: {message})")
                last = f"LINE ขัดข้อง (HTTP {status}: {message})"
            if attempt < self.max_tries:
                self.sleep(self.backoff_seconds * attempt)
        raise MessengerError(f"ตอบกลับทาง LINE ไม่สำเร็จ: {last} — ลองแล้ว {self.max_tries} ครั้ง")

    def profile_name(self, user_id: str) -> str:
        """The user's LINE display name, or "" when it cannot be had quickly."""
        try:
            status, answer = self._request("GET", "/v2/bot/profile/" + urllib.parse.quote(user_id, safe=""), None)
        except (OSError, http.client.HTTPException):
            return ""
        if status != 200:
            return ""
        try:
            name = json.loads(answer).get("displayName", "")
        except (ValueError, AttributeError):
            return ""
        return name if isinstance(name, str) else ""

    @property
    def requests(self) -> int:
        return self._http.requests

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self._token}"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=UTF-8"
        return self._http.request(method, path, body, headers)


def _message(answer: bytes) -> str:
    try:
        value = json.loads(answer).get("message", "")
        return str(value)[:200]
    except (ValueError, AttributeError):
        return answer[:200].decode("utf-8", "replace")
