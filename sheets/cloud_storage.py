"""The program's one Google Cloud Storage client: the JSON API's object endpoints, nothing else.

Why our own and not google-cloud-storage: that library brings google-api-core,
google-auth and requests onto the webhook's import path (hundreds of
milliseconds of a 1-second cold start), while what we need is five small
requests. It has gspread's shape: every request goes through one choke point
(`_send`: the token, the headers, the kept-alive connection of `core.http`),
the retry policy is one layer around it (`request`), and there is one method
per endpoint, named after its discovery method (objects.insert ->
`objects_insert`, objects.get with alt=media -> `objects_get_media`).

Retries: 408, 429, 5xx and no answer at all (timeout, dropped connection) are
tried again, at most `RetryPolicy.max_tries` times in all, after a full-jitter
backoff (a random wait up to base * 2^(n-1), capped). Reads are always
retried; a write only when it carries a generation precondition, which makes
it idempotent (Google's own rule: an unconditional write retried after a lost
answer could overwrite what someone wrote in between); so an unconditional
write whose kept-alive connection the server had dropped fails at once: give
writes that matter a precondition. Any other answer is final: a 412
Precondition Failed is an answer ("the object is not as you said"), never a
fault to retry; a 401 too (`token` is asked before every try, and its source
renews the token before it expires).

Lost answers: an insert with `if_generation_match=0` (create only if absent)
whose first try was done by Google but whose answer was lost (a timeout, a
closed connection, a 5xx after the write) is retried and gets 412, because
the object now exists: our own write. So after a try without a clear answer,
a 412 is resolved by reading the object back and comparing its content with
what we sent: the same bytes -> the write was ours and the insert succeeded;
other bytes -> someone else's object and the 412 stands. This is sound only
when each writer's content is unique (sheets.claims puts a random nonce in
every claim). Likewise a retried delete that finds the object gone counts as
done.
"""
from __future__ import annotations

import http.client
import json
import random
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Collection, Mapping

from core.http import GOOGLE_QUERY, KeepAlive
from sheets.store import StoreError
from sheets.google_api import RETRIED_STATUSES, Answer, RetryPolicy, google_error, path_segment, tries_phrase

DEFAULT_API_URL = "https://storage.googleapis.com"
JSON_PATH = "/storage/v1"
UPLOAD_PATH = "/upload/storage/v1"

# Shown next to an HTTP status in messages for officers.
STATUS_WORDS = {
    400: "คำขอไม่ถูกต้อง", 401: "ยืนยันตัวตนไม่ผ่าน", 403: "ไม่มีสิทธิ์เข้าถึง", 404: "ไม่พบ",
    408: "หมดเวลารอ", 412: "เงื่อนไขไม่ตรง", 429: "เกินโควตา", 500: "ระบบ Google ขัดข้อง",
    502: "ระบบ Google ขัดข้อง", 503: "บริการ Google ไม่พร้อมชั่วคราว", 504: "ระบบ Google ตอบช้าเกินไป",
}


class StorageError(StoreError):
    """Cloud Storage refused a request or did not answer; `status` is None without an answer."""

    def __init__(self, message: str, status: int | None = None, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.reason = reason  # Google's error reason word, e.g. "conditionNotMet", "notFound"

    @property
    def precondition_failed(self) -> bool:
        return self.status == 412

    @property
    def not_found(self) -> bool:
        return self.status == 404


@dataclass(frozen=True)
class StoredObject:
    """The parts of an Object resource we use (generation numbers as int, not JSON strings)."""

    bucket: str
    name: str
    generation: int
    metageneration: int
    size: int
    content_type: str
    updated: str  # RFC 3339
    md5_hash: str = ""

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> "StoredObject":
        return cls(bucket=str(resource["bucket"]), name=str(resource["name"]),
                   generation=int(resource["generation"]), metageneration=int(resource["metageneration"]),
                   size=int(resource.get("size", 0)),
                   content_type=str(resource.get("contentType", "application/octet-stream")),
                   updated=str(resource.get("updated", "")), md5_hash=str(resource.get("md5Hash", "")))


class StorageClient:
    """objects.insert (media upload), get, get with alt=media, delete and list, with bounded retries."""

    def __init__(self, token: Callable[[], str], *, api_url: str = DEFAULT_API_URL,
                 timeout_seconds: float = 10.0, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random):
        self._token = token  # asked before every try: the source caches and renews it
        self._http = KeepAlive(api_url, "storage.googleapis.com", timeout_seconds)
        self.timeout_seconds = timeout_seconds
        self.retry = retry
        self.sleep = sleep
        self.jitter = jitter
        self.description = f"Cloud Storage ({self._http.base_url})"

    def __repr__(self) -> str:
        return f"StorageClient({self.description!r})"

    @property
    def requests(self) -> int:
        """HTTP requests sent (tries included)."""
        return self._http.requests

    def close(self) -> None:
        self._http.close()

    # -- endpoints ---------------------------------------------------------
    def objects_insert(self, bucket: str, name: str, data: bytes, *,
                       content_type: str = "application/octet-stream",
                       if_generation_match: int | None = None) -> StoredObject:
        """Upload `data` as the object (uploadType=media); `if_generation_match=0`: only if absent.

        Raises StorageError with status 412 when the precondition does not hold.
        """
        query: dict[str, str] = {"uploadType": "media", "name": name}
        if if_generation_match is not None:
            query["ifGenerationMatch"] = str(if_generation_match)
        answer = self.request("POST", f"{UPLOAD_PATH}/b/{path_segment(bucket)}/o", query, data, content_type,
                              idempotent=if_generation_match is not None, answers=(412,))
        if answer.status == 412:
            if answer.uncertain:
                ours = self._ours(bucket, name, data)
                if ours is not None:
                    return ours
            raise self._error(answer, f"gs://{bucket}/{name}")
        return StoredObject.from_resource(json.loads(answer.body))

    def objects_get(self, bucket: str, name: str, *, generation: int | None = None) -> StoredObject:
        """The object's metadata (404 -> StorageError with `not_found`)."""
        query = {} if generation is None else {"generation": str(generation)}
        answer = self.request("GET", self._object_path(bucket, name), query)
        return StoredObject.from_resource(json.loads(answer.body))

    def objects_get_media(self, bucket: str, name: str, *, generation: int | None = None) -> bytes:
        """The object's content (alt=media)."""
        query = {"alt": "media"}
        if generation is not None:
            query["generation"] = str(generation)
        return self.request("GET", self._object_path(bucket, name), query).body

    def objects_delete(self, bucket: str, name: str, *, if_generation_match: int | None = None) -> None:
        """Delete the object; with `if_generation_match`, only that generation of it."""
        query = {} if if_generation_match is None else {"ifGenerationMatch": str(if_generation_match)}
        answer = self.request("DELETE", self._object_path(bucket, name), query,
                              idempotent=if_generation_match is not None, answers=(404,))
        if answer.status == 404 and not answer.uncertain:
            raise self._error(answer, f"gs://{bucket}/{name}")
        # A 404 after a try without an answer: that try deleted it.

    def objects_list(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> list[StoredObject]:
        """Every object whose name starts with `prefix`, in name order, page by page."""
        found: list[StoredObject] = []
        query = {"prefix": prefix, "maxResults": str(page_size)}
        while True:
            page = json.loads(self.request("GET", f"{JSON_PATH}/b/{path_segment(bucket)}/o", query).body)
            found.extend(StoredObject.from_resource(item) for item in page.get("items", []))
            token = page.get("nextPageToken")
            if not token:
                return found
            query = {**query, "pageToken": str(token)}

    def _ours(self, bucket: str, name: str, data: bytes) -> StoredObject | None:
        """The object if its content is exactly `data` (our own write whose answer was lost)."""
        try:
            current = self.objects_get(bucket, name)
            content = self.objects_get_media(bucket, name, generation=current.generation)
        except StorageError as exc:
            if exc.not_found:
                return None  # deleted since: whoever wrote it, it holds nothing now
            raise
        return current if content == data else None

    @staticmethod
    def _object_path(bucket: str, name: str) -> str:
        return f"{JSON_PATH}/b/{path_segment(bucket)}/o/{path_segment(name)}"

    # -- the retry layer -------------------------------------------------------
    def request(self, method: str, path: str, query: Mapping[str, str], body: bytes | None = None,
                content_type: str | None = None, *, idempotent: bool = True,
                answers: Collection[int] = ()) -> Answer:
        """A 2xx (or a status in `answers`) as an Answer; anything else as StorageError.

        Retried: 408, 429, 5xx and no answer, up to the policy's tries, only if `idempotent`.
        """
        tries = self.retry.max_tries if idempotent else 1
        uncertain = False
        failure, status, reason = "", None, ""
        full_path = path + "?" + urllib.parse.urlencode({**query, **GOOGLE_QUERY})
        for attempt in range(1, tries + 1):
            try:
                status, data = self._send(method, full_path, body, content_type)
            except (OSError, http.client.HTTPException) as exc:
                status, reason = None, type(exc).__name__
                failure = (f"ติดต่อ Cloud Storage ไม่ได้ ({urllib.parse.unquote(path)}) หลังลอง {attempt} ครั้ง "
                           f"(no answer from Cloud Storage after {tries_phrase(attempt)}: {type(exc).__name__})")
            else:
                answer = Answer(status, data, attempt, uncertain)
                if 200 <= status < 300 or status in answers:
                    return answer
                error = self._error(answer, urllib.parse.unquote(path))
                if status not in RETRIED_STATUSES:
                    raise error
                failure, reason = str(error), error.reason
            uncertain = True  # that try may have been applied
            if attempt < tries:
                self.sleep(self.retry.wait(attempt, self.jitter()))
        raise StorageError(failure, status, reason)

    # -- the one choke point -------------------------------------------------
    def _send(self, method: str, path_and_query: str, body: bytes | None,
              content_type: str | None) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self._token()}"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
        # A write is never resent by the transport on a dropped connection: the retry layer
        # must know that a try went unanswered (a lost answer), see the module docstring.
        return self._http.request(method, path_and_query, body, headers, reconnect_writes=False)

    @staticmethod
    def _error(answer: Answer, what: str) -> StorageError:
        reason, message = google_error(answer.body)
        words = STATUS_WORDS.get(answer.status, "ผิดพลาด")
        return StorageError(f"Cloud Storage ตอบกลับ {answer.status} ({words}) สำหรับ {what} หลังลอง {answer.tries} ครั้ง "
                            f"(Cloud Storage answered {answer.status} {reason} for {what} after {tries_phrase(answer.tries)}: "
                            f"{message})",
                            answer.status, reason)
