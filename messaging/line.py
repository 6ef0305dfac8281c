"""LineMessenger: the LINE Messaging API through line-bot-sdk v3.

The SDK takes 1-2 s to import, so it is loaded on the first push or reply, not with this
module: the webhook's cold start only pays for it when it actually answers someone.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Mapping

from messaging.base import MessengerError, PushResult

TOKEN_ENV = "LINE_CHANNEL_ACCESS_TOKEN"

QUOTA_DETAIL = ("โควตาข้อความ LINE ของเดือนนี้หมดแล้ว ข้อความที่เหลือจะส่งในรอบถัดไปเมื่อโควตาเพิ่ม "
                "(เพิ่มแพ็กเกจได้ที่ LINE Official Account Manager) "
                "(LINE 429: monthly message limit reached)")
RATE_LIMIT_DETAIL = ("LINE จำกัดจำนวนคำขอชั่วคราว หยุดส่งในรอบนี้ ข้อความที่เหลือจะส่งในรอบถัดไป "
                     "(LINE 429: rate limit exceeded)")


class LineMessenger:
    """Pushes and replies through the LINE Messaging API with bounded, idempotent retries."""

    def __init__(self, config: Any, token: str | None = None, *,
                 env: Mapping[str, str] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 backoff_seconds: float = 0.5) -> None:
        env = os.environ if env is None else env
        token = (token or env.get(TOKEN_ENV) or "").strip()
        if not token:
            raise MessengerError(
                f"ไม่พบ access token ของ LINE: ตั้งค่าตัวแปรสภาพแวดล้อม {TOKEN_ENV} "
                f"(missing environment variable {TOKEN_ENV})")
        self._token = token  # never logged, never part of a message or repr
        self.api_url = str(config.line.api_url).rstrip("/")
        self.timeout_seconds = float(config.line.timeout_seconds)
        self.max_tries = int(config.line.max_tries)
        self.description = f"LINE Messaging API ({self.api_url})"
        self.stopped = False
        self._stop_detail = QUOTA_DETAIL
        self._sleep = sleep
        self._backoff_seconds = backoff_seconds
        self._client: Any = None
        self._api: Any = None

    def __repr__(self) -> str:
        return f"LineMessenger({self.api_url!r})"

    # ------------------------------------------------------------ public

    def push(self, to: str, messages: list[dict], retry_key: str) -> PushResult:
        if self.stopped:
            return PushResult("quota", self._stop_detail, tries=0)
        from linebot.v3.messaging import PushMessageRequest
        from linebot.v3.messaging.exceptions import ApiException

        body = {"to": to, "messages": messages}
        try:
            request = PushMessageRequest.from_dict(body)
        except (ValueError, TypeError) as exc:
            return PushResult("failed", _invalid_detail(exc), tries=0)
        dropped = _first_difference(body, request.to_dict())
        if dropped:
            return PushResult("failed", _dropped_detail(dropped), tries=0)

        api = self._messaging_api()
        last_detail, last_status = "", None
        for attempt in range(1, self.max_tries + 1):
            try:
                response = api.push_message_with_http_info(
                    request, x_line_retry_key=retry_key, _request_timeout=self.timeout_seconds)
                return PushResult("sent", "ส่งแล้ว (sent)", response.status_code,
                                  _header(response.headers, "x-line-request-id"), attempt)
            except ApiException as exc:
                status = int(exc.status or 0)
                if status == 409:
                    # Same retry key accepted earlier (maybe by a try whose answer we never got).
                    return PushResult("duplicate", "ส่งไปแล้วก่อนหน้านี้ (LINE 409: retry key already accepted)",
                                      409, _header(exc.headers, "x-line-accepted-request-id"), attempt)
                if status == 429:
                    self.stopped = True
                    message = _line_message(exc.body)
                    self._stop_detail = QUOTA_DETAIL if "monthly" in message.lower() else RATE_LIMIT_DETAIL
                    return PushResult("quota", self._stop_detail, 429,
                                      _header(exc.headers, "x-line-request-id"), attempt)
                if 400 <= status < 500:
                    # The request itself is wrong: sending it again cannot help.
                    return PushResult("failed", _rejected_detail(status, exc.body), status,
                                      _header(exc.headers, "x-line-request-id"), attempt)
                last_status = status or None
                last_detail = f"LINE ขัดข้อง (HTTP {status}: {_line_message(exc.body) or exc.reason})"
            except Exception as exc:  # noqa: BLE001 - only network errors are retried, others re-raised
                if not _is_network_error(exc):
                    raise
                last_status = None
                last_detail = self._network_detail(exc)
            if attempt < self.max_tries:
                self._sleep(self._backoff(attempt))
        return PushResult("failed", f"{last_detail} — ลองแล้ว {self.max_tries} ครั้ง",
                          last_status, None, self.max_tries)

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        """Reply to an event. Replies are free and their tokens single-use, so no retry key."""
        from linebot.v3.messaging import ReplyMessageRequest
        from linebot.v3.messaging.exceptions import ApiException

        body = {"replyToken": reply_token, "messages": messages}
        try:
            request = ReplyMessageRequest.from_dict(body)
        except (ValueError, TypeError) as exc:
            raise MessengerError(_invalid_detail(exc)) from None
        dropped = _first_difference(body, request.to_dict())
        if dropped:
            raise MessengerError(_dropped_detail(dropped))

        api = self._messaging_api()
        last_detail = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                api.reply_message_with_http_info(request, _request_timeout=self.timeout_seconds)
                return
            except ApiException as exc:
                status = int(exc.status or 0)
                message = _line_message(exc.body)
                if attempt > 1 and status == 400 and "reply token" in message.lower():
                    # An earlier try whose answer was lost used the token up: it was delivered.
                    return
                if 400 <= status < 500:
                    raise MessengerError(
                        f"ตอบกลับทาง LINE ไม่สำเร็จ: {_rejected_detail(status, exc.body)}") from None
                last_detail = f"LINE ขัดข้อง (HTTP {status}: {message or exc.reason})"
            except Exception as exc:  # noqa: BLE001
                if not _is_network_error(exc):
                    raise
                last_detail = self._network_detail(exc)
            if attempt < self.max_tries:
                self._sleep(self._backoff(attempt))
        raise MessengerError(f"ตอบกลับทาง LINE ไม่สำเร็จ: {last_detail} — ลองแล้ว {self.max_tries} ครั้ง")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = self._api = None

    # ------------------------------------------------------------ internals

    def _messaging_api(self) -> Any:
        if self._api is None:
            from linebot.v3.messaging import ApiClient, Configuration, MessagingApi

            configuration = Configuration(host=self.api_url, access_token=self._token)
            # Retries are ours (bounded, same retry key); urllib3 must not add hidden ones.
            configuration.retries = False
            self._client = ApiClient(configuration)
            self._api = MessagingApi(self._client)
        return self._api

    def _backoff(self, attempt: int) -> float:
        return min(self._backoff_seconds * 2 ** (attempt - 1), 8.0)

    def _network_detail(self, exc: BaseException) -> str:
        if _is_timeout(exc):
            return f"LINE ไม่ตอบภายใน {self.timeout_seconds:g} วินาที (timeout)"
        return f"ติดต่อ LINE ไม่ได้ (connection error: {type(exc).__name__})"


# ---------------------------------------------------------------- helpers

def _is_network_error(exc: BaseException) -> bool:
    import urllib3

    return isinstance(exc, (urllib3.exceptions.HTTPError, OSError))


def _is_timeout(exc: BaseException) -> bool:
    import urllib3

    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return False  # a refused connection (urllib3 files it under connect timeouts)
    return isinstance(reason, (urllib3.exceptions.TimeoutError, TimeoutError))


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)  # urllib3's HTTPHeaderDict ignores case
    if value is None and isinstance(headers, dict):
        value = {k.lower(): v for k, v in headers.items()}.get(name.lower())
    return value


def _line_error(body: Any) -> dict:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        return {"message": str(body)[:200]}
    return parsed if isinstance(parsed, dict) else {}


def _line_message(body: Any) -> str:
    return str(_line_error(body).get("message", ""))


def _rejected_detail(status: int, body: Any) -> str:
    """LINE's own words about a rejected request, with the first few field errors."""
    error = _line_error(body)
    text = f"LINE ไม่รับคำขอ (HTTP {status}: {error.get('message', '')}"
    details = [d for d in error.get("details") or [] if isinstance(d, dict)]
    if details:
        parts = [f"{d.get('property', '')}: {d.get('message', '')}".strip(": ") for d in details[:3]]
        more = f" และอีก {len(details) - 3} ข้อ" if len(details) > 3 else ""
        text += " — " + "; ".join(parts) + more
    text += ")"
    if status in (401, 403):
        text += f" ตรวจสอบ {TOKEN_ENV} ว่าเป็น channel access token ที่ยังใช้ได้"
    return text


def _invalid_detail(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)  # pydantic's ValidationError lists field and reason
    if callable(errors):
        summary = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
                            for e in errors()[:3])
    else:
        summary = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    return f"ข้อความไม่ตรงรูปแบบของ LINE จึงไม่ได้ส่ง (invalid message object: {summary})"


def _dropped_detail(path: str) -> str:
    return f"ข้อความมีช่องที่ LINE SDK ไม่รู้จัก จึงไม่ได้ส่ง (unknown field {path})"


def _first_difference(given: Any, sent: Any, path: str = "") -> str | None:
    """Where the SDK model lost or changed part of our dict (it may add defaults; that is fine)."""
    if isinstance(given, dict):
        if not isinstance(sent, dict):
            return path or "."
        for key, value in given.items():
            where = f"{path}.{key}" if path else key
            if key not in sent:
                return where
            found = _first_difference(value, sent[key], where)
            if found:
                return found
        return None
    if isinstance(given, list):
        if not isinstance(sent, list) or len(sent) != len(given):
            return path
        for i, (a, b) in enumerate(zip(given, sent)):
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if given == sent else path
