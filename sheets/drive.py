"""The program's one Google Drive v3 client: the files endpoints it needs, nothing else.

Why our own and not google-api-python-client: its discovery-built `drive` service brings
httplib2, google-auth-httplib2 and uritemplate onto the import path and builds the whole
API surface from a 300 KB document at start, while what we need is four requests. It has
the shape of `sheets/client.py` and `sheets/cloud_storage.py`: every request goes through
one choke point (`_send`: the token, the headers, the kept-alive connection of
`core.http`), the retry policy is one layer around it (`request`), and there is one method
per endpoint, named after its discovery method (files.get -> `files_get`, files.list ->
`files_list`, files.create -> `files_create`). Above them sit the helpers the program uses:
`folder_path` (district folder -> fund folder, made when missing), `upload` and
`revision` (the sheet's version, for a snapshot keyed by it).

Access: the token (asked before every try; its source caches and renews it) must carry
the Drive scope, `DRIVE_SCOPE`: `DriveClient.open` makes such a source (sheets.credentials'
sources take their scopes, as the claims bucket's does); a Sheets token would be refused.
The service account has no Drive storage of its own ("Service Accounts do not have storage
quota"): uploads go into a folder of a shared drive that the service account is a member
of, and every request says `supportsAllDrives=true`, without which Drive acts as if
shared-drive files did not exist.

Retries: 408, 429, 5xx, Drive's 403 rate-limit answers (rateLimitExceeded,
userRateLimitExceeded: its guide asks for backoff on those) and no answer at all are tried
again, at most `RetryPolicy.max_tries` times in all, after a full-jitter backoff. A read is
always tried again. A create has no precondition; Drive's one way to make it repeatable is an
id reserved by files.generateIds, a request more per file. We look instead: a create whose
answer was lost (no answer, or a 5xx, which may come after the work) is tried again only when
the caller says how to find what that try made (`find_existing`: the folder by name and
parent, an upload by its `ref` in appProperties), a lookup that the folder path and a
redelivered message need anyway; it runs before each retry and its find is the answer. A
create refused outright (429, a rate-limit 403) was not done and is simply tried again. Any
other answer is final, a 401 too.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Mapping, Optional, Sequence

from core.config import Config
from core.http import GOOGLE_QUERY, KeepAlive
from sheets.credentials import TokenSource, bearer_token, token_source_from_env
from sheets.store import StoreError
from sheets.google_api import RETRIED_STATUSES, Answer, RetryPolicy, google_error, path_segment, tries_phrase

DEFAULT_API_URL = "https://www.googleapis.com"
FILES_PATH = "/drive/v3/files"
UPLOAD_PATH = "/upload/drive/v3/files"  # the discovery document's mediaUpload "simple" path
FOLDER_MIME = "application/vnd.google-apps.folder"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"
DRIVE_SCOPES = (DRIVE_SCOPE,)
REF_PROPERTY = "kkcRef"  # the appProperties key an upload's idempotency ref is kept under

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
# The File fields the program reads (DriveFile); asked for explicitly, Drive's default is only four.
FILE_FIELDS = "id,name,mimeType,parents,driveId,version,modifiedTime,size,webViewLink,appProperties,trashed"

STATUS_WORDS = {
    400: "คำขอไม่ถูกต้อง", 401: "ยืนยันตัวตนไม่ผ่าน", 403: "ไม่มีสิทธิ์เข้าถึง", 404: "ไม่พบไฟล์หรือโฟลเดอร์",
    408: "หมดเวลารอ", 429: "เกินโควตา", 500: "ระบบ Google ขัดข้อง", 502: "ระบบ Google ขัดข้อง",
    503: "บริการ Google ไม่พร้อมชั่วคราว", 504: "ระบบ Google ตอบช้าเกินไป",
}
SHARED_DRIVE_HINT = (" โฟลเดอร์ปลายทางต้องอยู่ในไดรฟ์ที่แชร์ (shared drive) ที่เพิ่มบัญชีบริการเป็นผู้จัดการเนื้อหา "
                     "แล้วตั้ง drive.folder_id เป็นโฟลเดอร์นั้น (the target folder must be in a shared drive the "
                     "service account is a Content manager of; set drive.folder_id to it)")
NOT_FOUND_HINT = (" ตรวจรหัสโฟลเดอร์ drive.folder_id และสิทธิ์ของบัญชีบริการในไดรฟ์ที่แชร์ "
                  "(check drive.folder_id and the service account's membership of the shared drive)")


class DriveError(StoreError):
    """Drive refused a request or did not answer (`status` None); the message says what and why."""

    def __init__(self, message: str, status: Optional[int] = None, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.reason = reason  # Google's reason word, e.g. "notFound", "storageQuotaExceeded"

    @property
    def not_found(self) -> bool:
        return self.status == 404

    @property
    def no_storage_quota(self) -> bool:
        """The folder is not in a shared drive: a service account cannot own files."""
        return self.status == 403 and self.reason == "storageQuotaExceeded"


@dataclass(frozen=True)
class DriveFile:
    """The parts of a File resource the program uses (int64 strings as int)."""

    id: str
    name: str
    mime_type: str
    parents: tuple[str, ...] = ()
    drive_id: str = ""           # the shared drive; "" in someone's My Drive
    version: Optional[int] = None
    modified_time: str = ""      # RFC 3339
    size: Optional[int] = None
    web_view_link: str = ""
    app_properties: Mapping[str, str] = field(default_factory=dict)
    trashed: bool = False

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER_MIME

    @property
    def ref(self) -> str:
        return self.app_properties.get(REF_PROPERTY, "")

    @classmethod
    def from_resource(cls, resource: Mapping[str, Any]) -> "DriveFile":
        def number(name: str) -> Optional[int]:
            value = resource.get(name)
            return int(value) if value is not None else None

        return cls(id=str(resource["id"]), name=str(resource.get("name", "")),
                   mime_type=str(resource.get("mimeType", "")), parents=tuple(resource.get("parents", ())),
                   drive_id=str(resource.get("driveId", "")), version=number("version"),
                   modified_time=str(resource.get("modifiedTime", "")), size=number("size"),
                   web_view_link=str(resource.get("webViewLink", "")),
                   app_properties=dict(resource.get("appProperties", {})), trashed=bool(resource.get("trashed")))


@dataclass(frozen=True)
class Revision:
    """Which edit of a file this is: Drive's version (grows with every change) and the time of the last one."""

    file_id: str
    version: Optional[int]
    modified_time: str

    @property
    def key(self) -> str:
        """A short text that changes whenever the file does: the version, else the modified time."""
        return f"v{self.version}" if self.version is not None else f"t{self.modified_time}"


def quote_q(text: str) -> str:
    """A string literal of Drive's query language: in single quotes, ' and \\ escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def multipart_body(metadata: Mapping[str, Any], media: bytes, media_type: str) -> tuple[bytes, str]:
    """The body and Content-Type of a multipart/related upload: the File metadata as JSON, then the content."""
    boundary = "kkc" + uuid.uuid4().hex
    while boundary.encode("ascii") in media:  # never part of the content (one in 2^122 per try)
        boundary = "kkc" + uuid.uuid4().hex
    mark = b"--" + boundary.encode("ascii")
    body = b"".join((
        mark, b"\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n",
        json.dumps(metadata, ensure_ascii=False).encode("utf-8"), b"\r\n",
        mark, b"\r\nContent-Type: ", media_type.encode("ascii"), b"\r\n\r\n", media, b"\r\n",
        mark, b"--\r\n",
    ))
    return body, f'multipart/related; boundary="{boundary}"'


class DriveClient:
    """Drive v3 files requests over one kept-alive connection, authorised by a token callable."""

    def __init__(self, token: Callable[[], str], *, api_url: str = DEFAULT_API_URL, timeout_seconds: float = 30.0,
                 retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random):
        self._token = token
        self._http = KeepAlive(api_url, "www.googleapis.com", timeout_seconds)
        self.timeout_seconds = timeout_seconds
        self.retry = retry
        self.sleep = sleep
        self.jitter = jitter
        self.description = f"Google Drive ({self._http.base_url})"

    @classmethod
    def from_config(cls, config: Config, token: Callable[[], str], *,
                    sleep: Callable[[float], None] = time.sleep) -> "DriveClient":
        """The client the settings describe (drive.api_url, drive.timeout_seconds, drive.max_tries)."""
        drive = config.drive
        return cls(token, api_url=drive.api_url, timeout_seconds=drive.timeout_seconds,
                   retry=RetryPolicy(max_tries=drive.max_tries), sleep=sleep)

    @classmethod
    def open(cls, config: Config, env: Optional[Mapping[str, str]] = None,
             tokens: Optional[TokenSource] = None) -> "DriveClient":
        """The program's Drive client: the settings' client with a token of its own carrying the Drive
        scope (the metadata server's on Google Cloud, else google-auth's; `tokens` for tests)."""
        source = tokens or token_source_from_env(os.environ if env is None else env, scopes=DRIVE_SCOPES)
        return cls.from_config(config, bearer_token(source))

    def __repr__(self) -> str:
        return f"DriveClient({self.description!r})"

    @property
    def requests(self) -> int:
        """HTTP requests sent (tries included)."""
        return self._http.requests

    def close(self) -> None:
        self._http.close()

    # -- endpoints -------------------------------------------------------------
    def files_get(self, file_id: str, *, fields: str = FILE_FIELDS, supports_all_drives: bool = True) -> DriveFile:
        """A file's metadata (404 -> DriveError with `not_found`)."""
        query = {"fields": fields, "supportsAllDrives": _flag(supports_all_drives)}
        answer = self.request("GET", f"{FILES_PATH}/{path_segment(file_id)}", query,
                              what=(f"อ่านข้อมูลไฟล์ {file_id}", f"reading file {file_id}"))
        return DriveFile.from_resource(json.loads(answer.body))

    def files_list(self, q: str, *, fields: str = f"nextPageToken,files({FILE_FIELDS})", corpora: str = "",
                   drive_id: str = "", page_size: int = 100, order_by: str = "",
                   supports_all_drives: bool = True, include_items_from_all_drives: bool = True) -> list[DriveFile]:
        """Every file the query finds, page by page. `corpora="drive"` with `drive_id` searches one shared drive."""
        query: dict[str, str] = {"q": q, "fields": fields, "pageSize": str(page_size),
                                 "supportsAllDrives": _flag(supports_all_drives),
                                 "includeItemsFromAllDrives": _flag(include_items_from_all_drives)}
        if corpora:
            query["corpora"] = corpora
        if drive_id:
            query["driveId"] = drive_id
        if order_by:
            query["orderBy"] = order_by
        found: list[DriveFile] = []
        while True:
            answer = self.request("GET", FILES_PATH, query, what=(f"ค้นหาไฟล์ ({q})", f"listing files ({q})"))
            page = json.loads(answer.body)
            found.extend(DriveFile.from_resource(item) for item in page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return found
            query = {**query, "pageToken": str(token)}

    def files_create(self, metadata: Mapping[str, Any], media: Optional[bytes] = None, *,
                     media_type: str = "application/octet-stream", fields: str = FILE_FIELDS,
                     find_existing: Optional[Callable[[], Optional[DriveFile]]] = None) -> DriveFile:
        """Create a file: metadata only (a folder), or with content as one multipart upload.

        `find_existing` finds what an earlier try whose answer was lost made; without it such a
        create is not tried again (it might make a second file) and the error says so.
        """
        query = {"fields": fields, "supportsAllDrives": "true"}
        name = str(metadata.get("name", ""))
        if media is None:
            path, body = FILES_PATH, json.dumps(metadata, ensure_ascii=False).encode("utf-8")
            content_type = "application/json; charset=UTF-8"
            what = (f"สร้างโฟลเดอร์ {name}", f"creating folder {name}")
        else:
            path, query = UPLOAD_PATH, {"uploadType": "multipart", **query}
            body, content_type = multipart_body(metadata, media, media_type)
            what = (f"อัปโหลดไฟล์ {name}", f"uploading {name}")
        answer = self.request("POST", path, query, body, content_type, what=what, find_existing=find_existing)
        return DriveFile.from_resource(json.loads(answer.body))

    # -- what the program does with them ------------------------------------------
    def children(self, parent_id: str, *, name: Optional[str] = None, mime_type: Optional[str] = None,
                 ref: Optional[str] = None) -> list[DriveFile]:
        """The parent's files not in the trash, oldest first (by name, type and ref when given)."""
        terms = [f"{quote_q(parent_id)} in parents", "trashed = false"]
        if name is not None:
            terms.append(f"name = {quote_q(name)}")
        if mime_type is not None:
            terms.append(f"mimeType = {quote_q(mime_type)}")
        if ref is not None:
            terms.append(f"appProperties has {{ key={quote_q(REF_PROPERTY)} and value={quote_q(ref)} }}")
        return self.files_list(" and ".join(terms), order_by="createdTime")

    def ensure_folder(self, parent_id: str, name: str) -> DriveFile:
        """The folder `name` in the parent: found by name, else made. Two made at once by two
        instances both stay; every caller then takes the oldest, so they all use the same one."""
        def existing() -> Optional[DriveFile]:
            found = self.children(parent_id, name=name, mime_type=FOLDER_MIME)
            return found[0] if found else None

        return existing() or self.files_create({"name": name, "mimeType": FOLDER_MIME, "parents": [parent_id]},
                                               find_existing=existing)

    def folder_path(self, root_id: str, names: Sequence[str]) -> DriveFile:
        """root / names[0] / names[1] …: each folder found, or made when missing (e.g. district, then fund)."""
        folder = self.files_get(root_id)
        for name in names:
            folder = self.ensure_folder(folder.id, name)
        return folder

    def upload(self, parent_id: str, name: str, data: bytes, media_type: str, *, ref: str = "") -> DriveFile:
        """Store `data` as a new file in the folder. With `ref` (say, a LINE message id) the same ref
        stores one file however often it is sent: an earlier upload with it is returned instead."""
        metadata: dict[str, Any] = {"name": name, "parents": [parent_id], "mimeType": media_type}
        find_existing: Optional[Callable[[], Optional[DriveFile]]] = None
        if ref:
            metadata["appProperties"] = {REF_PROPERTY: ref}

            def find_existing() -> Optional[DriveFile]:
                found = self.children(parent_id, ref=ref)
                return found[0] if found else None

            earlier = find_existing()
            if earlier is not None:
                return earlier
        return self.files_create(metadata, data, media_type=media_type, find_existing=find_existing)

    def revision(self, file_id: str) -> Revision:
        """The file's version and modified time (one small request): a spreadsheet changed since
        a snapshot was made has a higher version."""
        file = self.files_get(file_id, fields="id,version,modifiedTime")
        return Revision(file.id, file.version, file.modified_time)

    # -- the retry layer -----------------------------------------------------------
    def request(self, method: str, path: str, query: Mapping[str, str], body: Optional[bytes] = None,
                content_type: Optional[str] = None, *, what: tuple[str, str],
                find_existing: Optional[Callable[[], Optional[DriveFile]]] = None,
                answers: Collection[int] = ()) -> Answer:
        """A 2xx (or a status in `answers`) as an Answer; anything else as DriveError.

        `what` is what the request does, in Thai and English, for the error message. A read is
        tried again on a transient failure; a create only as the module docstring says.
        """
        reads = method == "GET"
        tries = max(1, self.retry.max_tries)
        uncertain = False  # a try of this write may have been applied
        full_path = path + "?" + urllib.parse.urlencode({**query, **GOOGLE_QUERY})
        error = DriveError("no try made")
        for attempt in range(1, tries + 1):
            if uncertain and find_existing is not None:
                made = find_existing()
                if made is not None:
                    return Answer(200, _resource_of(made), attempt, True)  # our earlier try made it
            try:
                status, data = self._send(method, full_path, body, content_type)
            except (OSError, http.client.HTTPException) as exc:
                error, maybe_applied = self._no_answer(what, attempt, exc), True
            else:
                answer = Answer(status, data, attempt, uncertain)
                if 200 <= status < 300 or status in answers:
                    return answer
                error = self._error(answer, what)
                if not (status in RETRIED_STATUSES or (status == 403 and error.reason in RATE_LIMIT_REASONS)):
                    raise error
                maybe_applied = status >= 500  # 408, 429 and rate-limit 403s refuse the request: nothing done
            if maybe_applied and not reads:
                if find_existing is None:
                    raise DriveError(f"{error} คำขอนี้อาจทำไปแล้ว ตรวจใน Google Drive ก่อนลองใหม่ "
                                     f"(it may have been done all the same: check Google Drive before trying again)",
                                     error.status, error.reason)
                uncertain = True
            if attempt < tries:
                self.sleep(self.retry.wait(attempt, self.jitter()))
        if uncertain and find_existing is not None:
            made = find_existing()
            if made is not None:
                return Answer(200, _resource_of(made), tries, True)
        raise error

    # -- the one choke point -------------------------------------------------------
    def _send(self, method: str, path_and_query: str, body: Optional[bytes],
              content_type: Optional[str]) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept-Encoding": "gzip"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
        # A write is never resent by the transport on a dropped connection: the retry layer must
        # know that a try went unanswered, and a create is resent only after a lookup.
        return self._http.request(method, path_and_query, body, headers, reconnect_writes=False)

    def _no_answer(self, what: tuple[str, str], tries: int, exc: BaseException) -> DriveError:
        if isinstance(exc, TimeoutError):
            message = (f"Google Drive ไม่ตอบภายใน {self.timeout_seconds:g} วินาที หลังลอง {tries} ครั้ง ขณะ{what[0]} "
                       f"(no answer within {self.timeout_seconds:g} s after {tries_phrase(tries)} while {what[1]})")
        else:
            message = (f"ติดต่อ Google Drive ไม่ได้ หลังลอง {tries} ครั้ง ขณะ{what[0]} "
                       f"(cannot reach Google Drive after {tries_phrase(tries)} while {what[1]}: {type(exc).__name__})")
        return DriveError(message, None, "")

    @staticmethod
    def _error(answer: Answer, what: tuple[str, str]) -> DriveError:
        reason, message = google_error(answer.body)
        words = STATUS_WORDS.get(answer.status, "ผิดพลาด")
        hint = ""
        if answer.status == 403 and reason == "storageQuotaExceeded":
            hint = SHARED_DRIVE_HINT
        elif answer.status == 404:
            hint = NOT_FOUND_HINT
        return DriveError(f"Google Drive ตอบกลับ {answer.status} ({words}) ขณะ{what[0]} หลังลอง {answer.tries} ครั้ง "
                          f"(Google Drive answered {answer.status} {reason} while {what[1]} after "
                          f"{tries_phrase(answer.tries)}: {message}).{hint}",
                          answer.status, reason)


def _resource_of(found: DriveFile) -> bytes:
    """A found file as the JSON of a File resource (what the create would have answered)."""
    resource: dict[str, Any] = {"id": found.id, "name": found.name, "mimeType": found.mime_type,
                                "parents": list(found.parents), "appProperties": dict(found.app_properties),
                                "trashed": found.trashed}
    if found.drive_id:
        resource["driveId"] = found.drive_id
    if found.version is not None:
        resource["version"] = str(found.version)
    if found.modified_time:
        resource["modifiedTime"] = found.modified_time
    if found.size is not None:
        resource["size"] = str(found.size)
    if found.web_view_link:
        resource["webViewLink"] = found.web_view_link
    return json.dumps(resource).encode("utf-8")


def _flag(value: bool) -> str:
    return "true" if value else "false"
