"""A local fake of the Google Cloud Storage JSON API (objects), served over real HTTP on 127.0.0.1.

It holds buckets of objects in memory and answers objects.insert (the simple
media upload, uploadType=media), objects.get (metadata, and the content with
alt=media), objects.delete and objects.list. It is held to the Storage v1
discovery document that ships with google-api-python-client: its routes are
built from the document's method paths (and the insert's media-upload path),
every query parameter is checked against the method's and the API's global
parameters (name, enum, true/false, int64/uint32 numbers), and every Object or
Objects answer against the schemas (properties, types, int64 strings, RFC 3339
times). A violation is recorded in `fake.violations`; a response violation
also turns the answer into a 500, so the test sees it.

Objects have generations (increasing across the fake, microsecond-sized like
Google's) and metagenerations; ifGenerationMatch / ifGenerationNotMatch /
ifMetagenerationMatch / ifMetagenerationNotMatch are honoured (412, or 304 on a
read whose "not match" fails). Every read-check-write runs under one lock, so
clients racing on a create-if-absent (ifGenerationMatch=0) see exactly one
winner, from any number of threads or processes.

Tests count requests (`fake.requests`, `fake.count(kind)`; kinds are the
discovery method names "objects.insert", "objects.get", "objects.delete",
"objects.list") and program faults: `fail_next` / `fail_always` (an HTTP
error; `after_write=True` does the work first, like a 503 after the write),
`delay_next` (the work is done, the answer comes only after N seconds: a
client timeout) and `lose_answer_next` (the work is done, then the connection
is closed without an answer).

What is simplified: no versioning (only the live generation exists), no ACLs,
no soft delete, no crc32c (optional in the resource), only the simple media
upload (not multipart or resumable), and objects.list without delimiter,
offsets, globs or versions; using any of those is recorded as a violation.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Optional
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

import googleapiclient

from tests.fakes.sheets_api import Discovery, RecordedRequest, parse_fields, prune
from tests.fakes.loopback import Faulty, LoopbackFake, pretty_printed

DISCOVERY_PATH = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "storage.v1.json"
DEFAULT_BUCKET = "kkc-test"

REASONS = {400: "invalid", 401: "required", 403: "forbidden", 404: "notFound", 408: "requestTimeout",
           412: "conditionNotMet", 429: "rateLimitExceeded", 500: "backendError", 501: "notImplemented",
           502: "backendError", 503: "backendError", 504: "backendError"}
FAULT_MESSAGES = {
    429: "The rate of change requests to the object is too high. Please slow down.",
    500: "We encountered an internal error. Please try again.",
    503: "We encountered an internal error. Please try again.",
}
PRECONDITION_MESSAGE = "At least one of the pre-conditions you specified did not hold."
IMPLEMENTED = ("objects.insert", "objects.get", "objects.delete", "objects.list")
LIST_PARAMS_NOT_IMPLEMENTED = ("delimiter", "startOffset", "endOffset", "matchGlob", "filter",
                               "includeTrailingDelimiter", "includeFoldersAsPrefixes")
_INTEGER = re.compile(r"-?\d+")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


class FakeStorageError(Exception):
    """An error answer in Cloud Storage's shape."""

    def __init__(self, code: int, message: str, location: str = ""):
        super().__init__(message)
        self.code, self.message, self.location = code, message, location

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"message": self.message, "domain": "global",
                                  "reason": REASONS.get(self.code, "unknown")}
        if self.location:
            detail.update({"locationType": "header", "location": self.location})
        return {"error": {"code": self.code, "message": self.message, "errors": [detail]}}


# -- the discovery document ---------------------------------------------
class StorageDiscovery(Discovery):
    """The Storage v1 document: the objects methods, their routes, the schemas. (The Drive fake's
    document is read the same way, for its files methods and both upload protocols.)"""

    def __init__(self, document: dict[str, Any], resource: str = "objects",
                 protocols: tuple[str, ...] = ("simple",)):  # not Discovery.__init__: that reads Sheets'
        self.schemas = document["schemas"]
        self.global_params = document["parameters"]
        self.methods = {f"{resource}.{name}": m for name, m in document["resources"][resource]["methods"].items()}
        service = "/" + document["servicePath"].strip("/")
        # (HTTP method, path pattern, kind, upload protocol: "" for the method's own path), from the document.
        self.routes: list[tuple[str, re.Pattern[str], str, str]] = []
        for kind, method in self.methods.items():
            self.routes.append((method["httpMethod"], _pattern(f"{service}/{method['path']}"), kind, ""))
            for protocol, spec in method.get("mediaUpload", {}).get("protocols", {}).items():
                if protocol in protocols:
                    self.routes.append((method["httpMethod"], _pattern(spec["path"]), kind, protocol))

    def route_upload(self, http_method: str, raw_path: str) -> tuple[Optional[str], dict[str, str], str]:
        """(kind, path parameters percent-decoded, upload protocol) for a still percent-encoded path."""
        for method, pattern, kind, protocol in self.routes:
            found = pattern.fullmatch(raw_path)
            if found and method == http_method:
                return kind, {k: unquote(v) for k, v in found.groupdict().items()}, protocol
        return None, {}, ""

    def route(self, http_method: str, raw_path: str) -> tuple[Optional[str], dict[str, str], bool]:
        """(kind, path parameters percent-decoded, is the media-upload path)."""
        kind, params, protocol = self.route_upload(http_method, raw_path)
        return kind, params, bool(protocol)

    def check_params(self, kind: str, query: dict[str, list[str]]) -> list[str]:
        """Also: int64 / uint32 parameters must be numbers."""
        errors = super().check_params(kind, query)
        specs = self.methods[kind].get("parameters", {})
        for name, values in query.items():
            spec = specs.get(name) or self.global_params.get(name) or {}
            fmt = spec.get("format", "")
            for value in values:
                if fmt in ("int64", "int32", "uint32") and not _INTEGER.fullmatch(value):
                    errors.append(f"{kind}: {name}='{value}' is not an integer")
                elif fmt == "uint32" and int(value) < 0:
                    errors.append(f"{kind}: {name}={value} is negative")
        return errors

    def _walk(self, value: Any, schema: dict[str, Any], path: str, errors: list[str], request: bool) -> None:
        """Also: int64 numbers travel as JSON strings of digits, times as RFC 3339."""
        super()._walk(value, schema, path, errors, request)
        resolved = self.schemas[schema["$ref"]] if "$ref" in schema else schema
        if resolved.get("type") != "string" or not isinstance(value, str):
            return
        fmt = resolved.get("format")
        if fmt in ("int64", "uint64") and not _INTEGER.fullmatch(value):
            errors.append(f"{path}: '{value}' is not an {fmt} string")
        elif fmt == "date-time" and not _RFC3339.fullmatch(value):
            errors.append(f"{path}: '{value}' is not an RFC 3339 time")


def read_request(request: BaseHTTPRequestHandler) -> tuple[SplitResult, dict[str, list[str]], Optional[bytes]]:
    """The path, the query and the body of a request; the body None when the client hung up half-way
    through it (a process that ended mid-upload): Google keeps nothing of an incomplete upload, and
    nobody is left to answer."""
    split = urlsplit(request.path)
    query = parse_qs(split.query, keep_blank_values=True)
    length = int(request.headers.get("Content-Length") or 0)
    body = request.rfile.read(length) if length else b""
    return split, query, (body if len(body) == length else None)


def _pattern(template: str) -> re.Pattern[str]:
    """'/storage/v1/b/{bucket}/o/{object}' -> a pattern with one group per path segment."""
    parts = re.split(r"(\{[A-Za-z]+\})", "/" + template.lstrip("/"))
    return re.compile("".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts))


@functools.lru_cache(maxsize=1)
def load_discovery(path: Path = DISCOVERY_PATH) -> StorageDiscovery:
    return StorageDiscovery(json.loads(path.read_text(encoding="utf-8")))


# -- the buckets ------------------------------------------------------------
def _rfc3339(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class FakeObject:
    """One live object."""

    bucket: str
    name: str
    data: bytes
    content_type: str
    generation: int
    metageneration: int = 1
    content_encoding: Optional[str] = None
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    @property
    def md5_hash(self) -> str:
        return base64.b64encode(hashlib.md5(self.data).digest()).decode("ascii")

    @property
    def etag(self) -> str:
        return base64.b64encode(f"{self.generation}/{self.metageneration}".encode()).decode("ascii")

    def resource(self, base_url: str) -> dict[str, Any]:
        """The Object resource as Google answers it (projection=noAcl)."""
        path = f"b/{quote(self.bucket, safe='')}/o/{quote(self.name, safe='')}"
        when = _rfc3339(self.created)
        resource = {
            "kind": "storage#object", "id": f"{self.bucket}/{self.name}/{self.generation}",
            "selfLink": f"{base_url}/storage/v1/{path}",
            "mediaLink": f"{base_url}/download/storage/v1/{path}?generation={self.generation}&alt=media",
            "name": self.name, "bucket": self.bucket, "generation": str(self.generation),
            "metageneration": str(self.metageneration), "contentType": self.content_type,
            "storageClass": "STANDARD", "size": str(len(self.data)), "md5Hash": self.md5_hash,
            "etag": self.etag, "timeCreated": when, "updated": when, "timeStorageClassUpdated": when,
        }
        if self.content_encoding:
            resource["contentEncoding"] = self.content_encoding
        return resource


# -- requests and faults ----------------------------------------------------
@dataclass
class _Fault:
    status: Optional[int]
    delay: float
    times: Optional[int]  # None = for ever
    kind: Optional[str]
    message: str
    after_write: bool = False  # do the work, then answer the error
    lose_answer: bool = False  # do the work, then close the connection without an answer


@dataclass
class Reply:
    """What the handler sends back."""

    status: int
    body: bytes
    headers: dict[str, str]
    delay: float = 0.0
    lose_answer: bool = False


class StorageFake(LoopbackFake, Faulty):
    """A started fake Cloud Storage; use `url` as the API base URL."""

    def __init__(self, buckets: tuple[str, ...] = (DEFAULT_BUCKET,), token: Optional[str] = None):
        self.discovery = load_discovery()
        self.buckets: dict[str, dict[str, FakeObject]] = {name: {} for name in buckets}
        self.token = token  # when set, other bearer tokens are refused (401)
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self._faults: list[_Fault] = []
        self._generation = 0
        self._lock = threading.RLock()


    # -- test helpers -------------------------------------------------------
    def create_bucket(self, name: str) -> None:
        with self._lock:
            self.buckets.setdefault(name, {})

    def put(self, bucket: str, name: str, data: bytes, content_type: str = "application/octet-stream") -> FakeObject:
        """Store an object behind the client's back (a new generation)."""
        with self._lock:
            stored = FakeObject(bucket, name, data, content_type, self._next_generation())
            self.buckets[bucket][name] = stored
            return stored

    def object(self, bucket: str, name: str) -> FakeObject:
        """A stored object (KeyError if there is none)."""
        with self._lock:
            return self.buckets[bucket][name]

    def names(self, bucket: str = DEFAULT_BUCKET) -> list[str]:
        with self._lock:
            return sorted(self.buckets[bucket])

    def fail_next(self, status: int, times: int = 1, kind: Optional[str] = None,
                  message: Optional[str] = None, after_write: bool = False) -> None:
        """Answer the next `times` requests (of `kind`) with this HTTP error (after doing them, if asked)."""
        self._add_fault(_Fault(status, 0.0, times, kind, message or FAULT_MESSAGES.get(status, "Programmed fault."),
                               after_write=after_write))

    def fail_always(self, status: int, kind: Optional[str] = None, message: Optional[str] = None) -> None:
        self._add_fault(_Fault(status, 0.0, None, kind, message or FAULT_MESSAGES.get(status, "Programmed fault.")))

    def delay_next(self, seconds: float, times: int = 1, kind: Optional[str] = None) -> None:
        """Do the next `times` requests but answer only after `seconds` (to trip client timeouts)."""
        self._add_fault(_Fault(None, seconds, times, kind, ""))

    def lose_answer_next(self, times: int = 1, kind: Optional[str] = None) -> None:
        """Do the next `times` requests, then close the connection without answering."""
        self._add_fault(_Fault(None, 0.0, times, kind, "", lose_answer=True))

    def _next_generation(self) -> int:
        """Strictly increasing, about the current time in microseconds like Google's."""
        with self._lock:
            self._generation = max(self._generation + 1, time.time_ns() // 1000)
            return self._generation

    # -- HTTP -------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler, method: str) -> Reply:
        started = time.perf_counter()
        split, query, body = read_request(request)
        if body is None:
            with self._lock:
                self.requests.append(RecordedRequest(method, unquote(split.path), query, "incomplete"))
            return Reply(400, b"", {}, lose_answer=True)
        kind, path_params, upload = self.discovery.route(method, split.path)
        record = RecordedRequest(method, unquote(split.path), query, kind)
        with self._lock:
            self.requests.append(record)
        fault: Optional[_Fault] = None
        try:
            self._authorize(request.headers.get("Authorization", ""))
            fault = self._take_fault(kind)
            if fault and fault.status and not fault.after_write:
                raise FakeStorageError(fault.status, fault.message)
            if kind is None:
                self._violate(f"no discovery method for {method} {split.path}")
                raise FakeStorageError(404, "Not Found")
            reply = self._answer(kind, path_params, upload, query, body, request.headers.get("Content-Type"))
            if fault and fault.status:
                raise FakeStorageError(fault.status, fault.message)
        except FakeStorageError as exc:
            reply = Reply(exc.code, json.dumps(exc.body()).encode(), {"Content-Type": "application/json; charset=UTF-8"})
        except Exception as exc:  # a bug in the fake: make it loud
            self._violate(f"{kind}: the fake crashed: {type(exc).__name__}: {exc}")
            error = FakeStorageError(500, f"fake crashed: {exc}")
            reply = Reply(500, json.dumps(error.body()).encode(), {"Content-Type": "application/json; charset=UTF-8"})
        if fault:
            reply.delay, reply.lose_answer = fault.delay, fault.lose_answer
        record.status = 0 if reply.lose_answer else reply.status
        record.seconds = time.perf_counter() - started
        return reply

    def _authorize(self, header: str) -> None:
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise FakeStorageError(401, "Anonymous caller does not have storage.objects.get access to the Google "
                                        "Cloud Storage object.", "Authorization")
        if self.token is not None and header[7:].strip() != self.token:
            raise FakeStorageError(401, "Invalid Credentials", "Authorization")

    def _answer(self, kind: str, path_params: dict[str, str], upload: bool, query: dict[str, list[str]],
                body: bytes, content_type: Optional[str]) -> Reply:
        problems = self.discovery.check_params(kind, query)
        if problems:
            for problem in problems:
                self._violate(problem)
            raise FakeStorageError(400, f"Invalid argument. {problems[0]}")
        if kind not in IMPLEMENTED:
            self._violate(f"{kind}: not implemented by the fake")
            raise FakeStorageError(501, f"{kind} is not implemented by the fake")
        params = {k: v[-1] for k, v in query.items()}
        media = params.get("alt", "json") == "media"
        if media and not self.discovery.methods[kind].get("supportsMediaDownload"):
            self._violate(f"{kind}: alt=media on a method without media download")
            raise FakeStorageError(400, "alt=media is not supported by this method")
        with self._lock:
            objects = self.buckets.get(path_params.get("bucket", ""))
            if objects is None:
                raise FakeStorageError(404, "The specified bucket does not exist.")
            if kind == "objects.insert":
                result = self._insert(objects, path_params["bucket"], upload, params, body, content_type)
            elif kind == "objects.list":
                result = self._list(objects, params)
            else:
                stored = self._existing(objects, path_params, params)
                if kind == "objects.delete":
                    del objects[stored.name]
                    return Reply(204, b"", {})
                if media:
                    return Reply(200, stored.data, {
                        "Content-Type": stored.content_type, "ETag": stored.etag,
                        "x-goog-generation": str(stored.generation),
                        "x-goog-metageneration": str(stored.metageneration),
                        "x-goog-hash": f"md5={stored.md5_hash}", "x-goog-stored-content-length": str(len(stored.data))})
                result = stored.resource(self.url)
        schema = self.discovery.methods[kind]["response"]["$ref"]
        problems = self.discovery.check(result, schema)
        if problems:
            for problem in problems:
                self._violate(f"{kind} response: {problem}")
            raise FakeStorageError(500, f"fake answer violates the discovery document: {problems[0]}")
        if "fields" in params:
            result = prune(result, parse_fields(params["fields"]))
        indent = 2 if pretty_printed(query) else None  # as Google writes it
        return Reply(200, json.dumps(result, indent=indent).encode(), {"Content-Type": "application/json; charset=UTF-8"})

    # -- endpoints (called under the lock) ------------------------------------
    def _insert(self, objects: dict[str, FakeObject], bucket: str, upload: bool, params: dict[str, str],
                body: bytes, content_type: Optional[str]) -> dict[str, Any]:
        if not upload:
            self._violate("objects.insert: the fake implements the media upload only, not the metadata-only insert")
            raise FakeStorageError(501, "metadata-only insert is not implemented by the fake")
        if params.get("uploadType") != "media":
            self._violate(f"objects.insert: the fake implements uploadType=media only, got {params.get('uploadType')!r}")
            raise FakeStorageError(400, "Upload requests must include an uploadType URL parameter and a URL path "
                                        "beginning with /upload/")
        name = params.get("name", "")
        _check_name(name)
        current = objects.get(name)
        self._check_preconditions(current, params, read=False)
        stored = FakeObject(bucket, name, body, content_type or "application/octet-stream", self._next_generation(),
                            content_encoding=params.get("contentEncoding"))
        objects[name] = stored
        return stored.resource(self.url)

    def _existing(self, objects: dict[str, FakeObject], path_params: dict[str, str],
                  params: dict[str, str]) -> FakeObject:
        stored = objects.get(path_params["object"])
        if stored is None or ("generation" in params and int(params["generation"]) != stored.generation):
            raise FakeStorageError(404, f"No such object: {path_params['bucket']}/{path_params['object']}")
        self._check_preconditions(stored, params, read=True)
        return stored

    def _list(self, objects: dict[str, FakeObject], params: dict[str, str]) -> dict[str, Any]:
        for name in LIST_PARAMS_NOT_IMPLEMENTED:
            if name in params:
                self._violate(f"objects.list: '{name}' is not implemented by the fake")
                raise FakeStorageError(501, f"{name} is not implemented by the fake")
        if params.get("versions", "false").lower() == "true" or params.get("softDeleted", "false").lower() == "true":
            self._violate("objects.list: versions / softDeleted are not implemented by the fake")
            raise FakeStorageError(501, "versions are not implemented by the fake")
        prefix = params.get("prefix", "")
        size = min(int(params.get("maxResults", 1000)) or 1000, 1000)
        after = base64.urlsafe_b64decode(params["pageToken"]).decode() if params.get("pageToken") else None
        names = sorted(n for n in objects if n.startswith(prefix) and (after is None or n > after))
        page = names[:size]
        answer: dict[str, Any] = {"kind": "storage#objects"}
        if page:
            answer["items"] = [objects[n].resource(self.url) for n in page]
        if len(names) > size:
            answer["nextPageToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
        return answer

    @staticmethod
    def _check_preconditions(current: Optional[FakeObject], params: dict[str, str], read: bool) -> None:
        """Google's rules; a missing object has generation 0 and no metageneration."""
        generation = current.generation if current else 0
        not_modified = 304 if read else 412  # a GET whose "not match" fails is Not Modified
        if "ifGenerationMatch" in params and int(params["ifGenerationMatch"]) != generation:
            raise FakeStorageError(412, PRECONDITION_MESSAGE, "If-Match")
        if "ifGenerationNotMatch" in params and int(params["ifGenerationNotMatch"]) == generation:
            raise FakeStorageError(not_modified, PRECONDITION_MESSAGE, "If-None-Match")
        if "ifMetagenerationMatch" in params and (
                current is None or int(params["ifMetagenerationMatch"]) != current.metageneration):
            raise FakeStorageError(412, PRECONDITION_MESSAGE, "If-Metageneration-Match")
        if "ifMetagenerationNotMatch" in params and current is not None and \
                int(params["ifMetagenerationNotMatch"]) == current.metageneration:
            raise FakeStorageError(not_modified, PRECONDITION_MESSAGE, "If-Metageneration-Not-Match")


def _check_name(name: str) -> None:
    """Google's object-name rules: 1-1024 bytes of UTF-8, no CR or LF, not '.' or '..'."""
    if not name:
        raise FakeStorageError(400, "Required parameter: name")
    if len(name.encode("utf-8")) > 1024 or "\r" in name or "\n" in name or name in (".", ".."):
        raise FakeStorageError(400, f"The specified object name is not valid: {name[:60]!r}")


class _Handler(BaseHTTPRequestHandler):
    fake: StorageFake
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms ACK waits

    def _serve(self, method: str) -> None:
        reply = self.fake.handle(self, method)
        if reply.lose_answer:
            self.close_connection = True  # done, but the client never hears of it
            return
        if reply.delay:
            time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.status != 204 and reply.status != 304:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.status != 204 and reply.status != 304:
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


StorageFake.handler = _Handler
StorageFake.thread_name = "storage-fake"
