"""A local fake of the Google Drive v3 API (files), served over real HTTP on 127.0.0.1.

It holds My Drive and shared drives of files and folders in memory and answers
files.get, files.list and files.create (metadata only, and the multipart or media
upload on the upload path). It is held to the Drive v3 discovery document that ships
with google-api-python-client: its routes are built from the document's method paths
and the create's mediaUpload paths, every query parameter is checked against the
method's and the API's global parameters (name, enum, true/false, integers and their
bounds, and no deprecated parameter such as supportsTeamDrives), `fields` may name only
the resource's properties, a create's metadata is checked against the File schema (an
output-only field in it is Google's 403 fieldNotWritable), and every File or FileList
answer against the schemas (properties, types, int64 strings, RFC 3339 times). A
violation is recorded in `fake.violations`; a response violation also turns the answer
into a 500, so the test sees it.

As Google does:
- a file has an id, a name, a mimeType, one parent, a `version` that grows with every
  change (one counter across the fake, so versions only ever rise) and `modifiedTime`;
- a shared drive's id is also its root folder's id; its files are invisible (404 File
  not found, left out of lists) unless the request says supportsAllDrives=true (and,
  for a list, includeItemsFromAllDrives=true);
- the caller is a service account: it may make folders anywhere, but a file with
  content outside a shared drive is 403 storageQuotaExceeded ("Service Accounts do not
  have storage quota").
Tests set drives up (`add_shared_drive`, `add_folder`, `add_file`), read what was
stored (`file`, `content`, `children`), bump a file's version as a person editing it
would (`bump_version`), count requests (`fake.requests`, `fake.count(kind)`; kinds are
"files.get", "files.list", "files.create") and program faults: `fail_next` /
`fail_always` (an HTTP error with Google's reason; `after_write=True` does the work
first), `delay_next` (done, answered late: a client timeout) and `lose_answer_next`
(done, then the connection is closed unanswered).

What is simplified: no permissions or sharing (every file the caller could reach is
reachable), no revisions, trash only as a flag, no resumable upload, and `q` only in
the forms the program uses: terms joined by `and` of `'<id>' in parents`,
`name = / != / contains '<text>'`, `mimeType = / != '<type>'`, `trashed = true|false`
and `appProperties has { key='<k>' and value='<v>' }`; anything else is recorded as a
violation and answered 400 Invalid Value, as Google answers a query it cannot parse.
"""
from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import unquote

import googleapiclient

from tests.fakes.sheets_api import RecordedRequest, parse_fields, prune
from tests.fakes.storage_api import Reply, StorageDiscovery, _Fault, _Handler, _rfc3339, read_request
from tests.fakes.loopback import Faulty, LoopbackFake, pretty_printed

DISCOVERY_PATH = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "drive.v3.json"
FOLDER = "application/vnd.google-apps.folder"
GOOGLE_TYPES = "application/vnd.google-apps."
IMPLEMENTED = ("files.get", "files.list", "files.create")
DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"
DEFAULT_LIST_FIELDS = f"kind,incompleteSearch,nextPageToken,files({DEFAULT_FILE_FIELDS})"

DOMAINS = {403: "usageLimits", 429: "usageLimits"}
REASONS = {400: "badRequest", 401: "authError", 403: "forbidden", 404: "notFound", 408: "requestTimeout",
           429: "rateLimitExceeded", 500: "backendError", 501: "notImplemented", 502: "backendError",
           503: "backendError", 504: "backendError"}
FAULT_MESSAGES = {
    403: "User rate limit exceeded.",
    429: "Rate Limit Exceeded",
    500: "Internal Error",
    503: "Service Unavailable",
}
NO_QUOTA_MESSAGE = ("Service Accounts do not have storage quota. Leverage shared drives "
                    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use OAuth "
                    "delegation (http://support.google.com/a/answer/7281227) instead.")
_INTEGER = re.compile(r"-?\d+")


class FakeDriveError(Exception):
    """An error answer in Drive's shape."""

    def __init__(self, code: int, message: str, reason: str = "", location: str = "", location_type: str = ""):
        super().__init__(message)
        self.code, self.message = code, message
        self.reason = reason or REASONS.get(code, "unknown")
        self.location, self.location_type = location, location_type

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"message": self.message, "domain": DOMAINS.get(self.code, "global"),
                                  "reason": self.reason}
        if self.location:
            detail.update({"location": self.location, "locationType": self.location_type or "parameter"})
        return {"error": {"code": self.code, "message": self.message, "errors": [detail]}}


def not_found(file_id: str) -> FakeDriveError:
    return FakeDriveError(404, f"File not found: {file_id}.", "notFound", "fileId")


# -- the discovery document ---------------------------------------------
class DriveDiscovery(StorageDiscovery):
    """The Drive v3 document: the files methods, their routes (API and upload paths), the schemas."""

    def __init__(self, document: dict[str, Any]):
        super().__init__(document, "files", ("simple", "resumable"))
        self.output_only = {name for name, spec in self.schemas["File"]["properties"].items()
                            if spec.get("description", "").startswith("Output only")}

    def check_params(self, kind: str, query: dict[str, list[str]]) -> list[str]:
        """Also: integer bounds, and no deprecated parameter (Google keeps them for old clients only)."""
        errors = super().check_params(kind, query)
        specs = self.methods[kind].get("parameters", {})
        for name, values in query.items():
            spec = specs.get(name) or self.global_params.get(name) or {}
            if spec.get("deprecated"):
                errors.append(f"{kind}: '{name}' is deprecated")
            if spec.get("type") == "integer":
                for value in values:
                    if not _INTEGER.fullmatch(value):
                        errors.append(f"{kind}: {name}='{value}' is not an integer")
                    elif ("minimum" in spec and int(value) < int(spec["minimum"])) or \
                            ("maximum" in spec and int(value) > int(spec["maximum"])):
                        errors.append(f"{kind}: {name}={value} is outside {spec.get('minimum')}-{spec.get('maximum')}")
        return errors

    def check_fields(self, kind: str, fields: str) -> list[str]:
        """`fields` names only properties of the answer (File, or FileList with files(File fields))."""
        errors: list[str] = []
        tree = parse_fields(fields)
        top = "FileList" if kind == "files.list" else "File"

        def walk(node: Optional[dict[str, Any]], schema: str, path: str) -> None:
            if node is None:
                return
            props = self.schemas[schema]["properties"]
            for name, sub in node.items():
                if name == "*":
                    continue
                if name not in props:
                    errors.append(f"{kind}: invalid field selection '{path}{name}'")
                    continue
                target = props[name].get("$ref") or props[name].get("items", {}).get("$ref")
                if sub is not None and target:
                    walk(sub, target, f"{path}{name}.")

        walk(tree, top, "")
        return errors


@functools.lru_cache(maxsize=1)
def load_discovery(path: Path = DISCOVERY_PATH) -> DriveDiscovery:
    return DriveDiscovery(json.loads(path.read_text(encoding="utf-8")))


# -- the query language (the part the program uses) -------------------------
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op>!=|=|\{|\})|(?P<word>[A-Za-z]+))")
Predicate = Callable[["FakeFile"], bool]


class QueryError(ValueError):
    """A `q` the fake cannot parse (or Google would not)."""


def parse_query(text: str) -> list[Predicate]:
    """`q` as predicates that must all hold."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if not found:
            raise QueryError(f"cannot read q at {text[pos:pos + 20]!r}")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        pos = found.end()
    items = iter(tokens)

    def take(kind: str, value: Optional[str] = None) -> str:
        got = next(items, ("", ""))
        if got[0] != kind or (value is not None and got[1] != value):
            raise QueryError(f"expected {value or kind}, got {got[1]!r}")
        return got[1]

    def literal(token: str) -> str:
        return re.sub(r"\\(.)", r"\1", token[1:-1])

    predicates: list[Predicate] = []
    while True:
        first = next(items, None)
        if first is None:
            raise QueryError("a term is missing")
        if first[0] == "string":
            parent = literal(first[1])
            take("word", "in")
            take("word", "parents")
            predicates.append(lambda f, parent=parent: parent in f.parents)
        elif first == ("word", "appProperties"):
            take("word", "has")
            take("op", "{")
            take("word", "key")
            take("op", "=")
            key = literal(take("string"))
            take("word", "and")
            take("word", "value")
            take("op", "=")
            value = literal(take("string"))
            take("op", "}")
            predicates.append(lambda f, key=key, value=value: f.app_properties.get(key) == value)
        elif first == ("word", "trashed"):
            take("op", "=")
            flag = take("word")
            if flag not in ("true", "false"):
                raise QueryError(f"trashed = {flag}")
            predicates.append(lambda f, flag=flag == "true": f.trashed == flag)
        elif first[0] == "word" and first[1] in ("name", "mimeType"):
            attribute = "mime_type" if first[1] == "mimeType" else "name"
            operator = next(items, ("", ""))
            value = literal(take("string"))
            if operator == ("op", "="):
                predicates.append(lambda f, a=attribute, v=value: getattr(f, a) == v)
            elif operator == ("op", "!="):
                predicates.append(lambda f, a=attribute, v=value: getattr(f, a) != v)
            elif operator == ("word", "contains") and attribute == "name":
                predicates.append(lambda f, v=value: v.lower() in f.name.lower())
            else:
                raise QueryError(f"{first[1]} {operator[1]} is not in the fake")
        else:
            raise QueryError(f"term {first[1]!r} is not in the fake")
        joiner = next(items, None)
        if joiner is None:
            return predicates
        if joiner != ("word", "and"):
            raise QueryError(f"only 'and' joins terms in the fake, got {joiner[1]!r}")


# -- the drives -------------------------------------------------------------
@dataclass
class FakeFile:
    """One file or folder."""

    id: str
    name: str
    mime_type: str
    parents: list[str]
    drive_id: Optional[str]  # the shared drive, None in My Drive
    version: int
    data: bytes = b""
    app_properties: dict[str, str] = field(default_factory=dict)
    trashed: bool = False
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    modified: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    order: int = 0  # creation order (createdTime ties)

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER

    def resource(self) -> dict[str, Any]:
        """The whole File resource as Google answers fields=*."""
        resource: dict[str, Any] = {
            "kind": "drive#file", "id": self.id, "name": self.name, "mimeType": self.mime_type,
            "parents": list(self.parents), "version": str(self.version), "trashed": self.trashed,
            "explicitlyTrashed": self.trashed, "createdTime": _rfc3339(self.created),
            "modifiedTime": _rfc3339(self.modified), "spaces": ["drive"],
            "webViewLink": (f"https://drive.google.com/drive/folders/{self.id}" if self.is_folder
                            else f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk"),
        }
        if self.drive_id:
            resource["driveId"] = self.drive_id
        else:
            resource["ownedByMe"] = True
        if self.app_properties:
            resource["appProperties"] = dict(self.app_properties)
        if not self.mime_type.startswith(GOOGLE_TYPES):
            resource["size"] = str(len(self.data))
            resource["md5Checksum"] = hashlib.md5(self.data).hexdigest()
        return resource


@dataclass
class _DriveFault(_Fault):
    reason: str = ""  # Google's reason word for the error


@dataclass
class DriveRequest(RecordedRequest):
    """One request as the fake saw it, with what it carried."""

    content_type: str = ""
    body: bytes = b""


class DriveFake(LoopbackFake, Faulty):
    """A started fake Google Drive; use `url` as the API base URL. The caller is a service account."""

    def __init__(self, token: Optional[str] = None):
        self.discovery = load_discovery()
        self.token = token  # when set, other bearer tokens are refused (401)
        self.files: dict[str, FakeFile] = {}
        self.shared_drives: dict[str, str] = {}  # id -> name
        self.requests: list[DriveRequest] = []
        self.violations: list[str] = []
        self._faults: list[_DriveFault] = []
        # Drive versions are large numbers; a random start keeps two fakes of one test run from agreeing.
        self._versions = itertools.count(random.randrange(10**6, 10**9))
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self.my_drive = self._new_file("My Drive", FOLDER, [], None).id  # the service account's own root


    # -- test helpers -------------------------------------------------------
    def add_shared_drive(self, name: str) -> str:
        """A shared drive the service account is a member of; its id is its root folder's id."""
        with self._lock:
            drive_id = f"0A{next(self._ids):06d}Uk9PVA"
            self.shared_drives[drive_id] = name
            self.files[drive_id] = FakeFile(drive_id, name, FOLDER, [], drive_id, next(self._versions),
                                            order=next(self._ids))
            return drive_id

    def add_folder(self, name: str, parent: Optional[str] = None) -> str:
        """A folder made behind the client's back (in My Drive when no parent is given)."""
        with self._lock:
            return self._new_file(name, FOLDER, [parent or self.my_drive], self._drive_of(parent)).id

    def add_file(self, name: str, parent: Optional[str] = None, mime_type: str = "application/octet-stream",
                 data: bytes = b"") -> str:
        """A file made by a person (a spreadsheet: mime_type application/vnd.google-apps.spreadsheet)."""
        with self._lock:
            return self._new_file(name, mime_type, [parent or self.my_drive], self._drive_of(parent), data).id

    def add_spreadsheet(self, file_id: str, name: str = "Smart Data") -> str:
        """The spreadsheet `file_id` of the Sheets fake, as Drive sees it (its version: see
        `follow_sheets`)."""
        with self._lock:
            stored = self._new_file(name, "application/vnd.google-apps.spreadsheet", [self.my_drive], None)
            del self.files[stored.id]
            stored.id = file_id
            self.files[file_id] = stored
            return file_id

    def follow_sheets(self, sheets_fake: Any) -> None:
        """Every change the Sheets fake takes (a write through the API, a person's edit) moves the
        version of the spreadsheet's file here, as Drive does for a Google Sheet."""
        def changed(spreadsheet_id: str) -> None:
            if spreadsheet_id in self.files:
                self.bump_version(spreadsheet_id)
        sheets_fake.on_change.append(changed)

    def bump_version(self, file_id: str, data: Optional[bytes] = None) -> int:
        """Someone changed the file (typed in the sheet): a higher version, a later modifiedTime."""
        with self._lock:
            stored = self.files[file_id]
            stored.version = next(self._versions)
            stored.modified = max(dt.datetime.now(dt.timezone.utc), stored.modified + dt.timedelta(milliseconds=1))
            if data is not None:
                stored.data = data
            return stored.version

    def trash(self, file_id: str) -> None:
        with self._lock:
            self.files[file_id].trashed = True
            self.bump_version(file_id)

    def file(self, file_id: str) -> FakeFile:
        with self._lock:
            return self.files[file_id]

    def content(self, file_id: str) -> bytes:
        with self._lock:
            return self.files[file_id].data

    def children(self, parent: str) -> list[FakeFile]:
        with self._lock:
            return sorted((f for f in self.files.values() if parent in f.parents), key=lambda f: f.order)

    def fail_next(self, status: int, times: int = 1, kind: Optional[str] = None, message: Optional[str] = None,
                  reason: Optional[str] = None, after_write: bool = False) -> None:
        """Answer the next `times` requests (of `kind`) with this error (after doing them, if asked).
        A 403 is Drive's rate-limit one (userRateLimitExceeded) unless another reason is given."""
        text = message or FAULT_MESSAGES.get(status, "Programmed fault.")
        self._add_fault(_DriveFault(status, 0.0, times, kind, text, after_write=after_write,
                                    reason=reason or self._reason(status)))

    def fail_always(self, status: int, kind: Optional[str] = None, message: Optional[str] = None,
                    reason: Optional[str] = None) -> None:
        self._add_fault(_DriveFault(status, 0.0, None, kind, message or FAULT_MESSAGES.get(status, "Programmed fault."),
                                    reason=reason or self._reason(status)))

    def delay_next(self, seconds: float, times: int = 1, kind: Optional[str] = None) -> None:
        """Do the next `times` requests but answer only after `seconds` (to trip client timeouts)."""
        self._add_fault(_DriveFault(None, seconds, times, kind, ""))

    def lose_answer_next(self, times: int = 1, kind: Optional[str] = None) -> None:
        """Do the next `times` requests, then close the connection without answering."""
        self._add_fault(_DriveFault(None, 0.0, times, kind, "", lose_answer=True))

    @staticmethod
    def _reason(status: int) -> str:
        return "userRateLimitExceeded" if status == 403 else REASONS.get(status, "unknown")

    def _new_file(self, name: str, mime_type: str, parents: list[str], drive_id: Optional[str],
                  data: bytes = b"", app_properties: Optional[dict[str, str]] = None) -> FakeFile:
        with self._lock:
            number = next(self._ids)
            # Drive ids are 28-44 URL-safe characters; the number keeps them unique here.
            file_id = "1" + base64.urlsafe_b64encode(hashlib.sha256(str(number).encode()).digest()).decode()[:32]
            stored = FakeFile(file_id, name, mime_type, parents, drive_id, next(self._versions), data,
                              dict(app_properties or {}), order=number)
            self.files[file_id] = stored
            return stored

    def _drive_of(self, parent: Optional[str]) -> Optional[str]:
        return self.files[parent].drive_id if parent else None

    # -- HTTP -------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler, method: str) -> Reply:
        started = time.perf_counter()
        split, query, body = read_request(request)
        if body is None:
            return Reply(400, b"", {}, lose_answer=True)
        kind, path_params, protocol = self.discovery.route_upload(method, split.path)
        authorization = request.headers.get("Authorization", "")
        record = DriveRequest(method, unquote(split.path), query, kind, bearer=authorization[7:].strip(),
                              content_type=request.headers.get("Content-Type", ""), body=body)
        with self._lock:
            self.requests.append(record)
        fault: Optional[_DriveFault] = None
        try:
            self._authorize(authorization)
            fault = self._take_fault(kind)
            if fault and fault.status and not fault.after_write:
                raise self._fault_error(fault)
            if kind is None:
                self._violate(f"no discovery method for {method} {split.path}")
                raise FakeDriveError(404, "Not Found")
            reply = self._answer(kind, path_params, protocol, query, body, record.content_type)
            if fault and fault.status:
                raise self._fault_error(fault)
        except FakeDriveError as exc:
            reply = Reply(exc.code, json.dumps(exc.body()).encode(),
                          {"Content-Type": "application/json; charset=UTF-8"})
        except Exception as exc:  # a bug in the fake: make it loud
            self._violate(f"{kind}: the fake crashed: {type(exc).__name__}: {exc}")
            error = FakeDriveError(500, f"fake crashed: {exc}")
            reply = Reply(500, json.dumps(error.body()).encode(), {"Content-Type": "application/json; charset=UTF-8"})
        if fault:
            reply.delay, reply.lose_answer = fault.delay, fault.lose_answer
        record.status = 0 if reply.lose_answer else reply.status
        record.answer_lost = reply.lose_answer
        record.seconds = time.perf_counter() - started
        return reply

    @staticmethod
    def _fault_error(fault: _DriveFault) -> FakeDriveError:
        assert fault.status is not None
        return FakeDriveError(fault.status, fault.message, fault.reason)

    def _authorize(self, header: str) -> None:
        if not header.startswith("Bearer ") or not header[7:].strip():
            raise FakeDriveError(401, "Request is missing required authentication credential. Expected OAuth 2 "
                                      "access token, login cookie or other valid authentication credential.",
                                 "required", "Authorization", "header")
        if self.token is not None and header[7:].strip() != self.token:
            raise FakeDriveError(401, "Invalid Credentials", "authError", "Authorization", "header")

    def _answer(self, kind: str, path_params: dict[str, str], protocol: str, query: dict[str, list[str]],
                body: bytes, content_type: str) -> Reply:
        problems = self.discovery.check_params(kind, query)
        if "fields" in query:
            problems += self.discovery.check_fields(kind, query["fields"][-1])
        if problems:
            for problem in problems:
                self._violate(problem)
            raise FakeDriveError(400, f"Invalid Value. {problems[0]}", "invalidParameter")
        if kind not in IMPLEMENTED:
            self._violate(f"{kind}: not implemented by the fake")
            raise FakeDriveError(501, f"{kind} is not implemented by the fake", "notImplemented")
        params = {k: v[-1] for k, v in query.items()}
        all_drives = params.get("supportsAllDrives", "false").lower() == "true"
        with self._lock:
            if kind == "files.get":
                result, schema = self._visible(path_params["fileId"], all_drives).resource(), "File"
            elif kind == "files.list":
                result, schema = self._list(params, all_drives), "FileList"
            else:
                result, schema = self._create(protocol, params, body, content_type, all_drives).resource(), "File"
        problems = self.discovery.check(result, schema)
        if problems:
            for problem in problems:
                self._violate(f"{kind} response: {problem}")
            raise FakeDriveError(500, f"fake answer violates the discovery document: {problems[0]}")
        default = DEFAULT_LIST_FIELDS if kind == "files.list" else DEFAULT_FILE_FIELDS
        result = prune(result, parse_fields(params.get("fields") or default))
        indent = 2 if pretty_printed(query) else None  # as Google writes it
        return Reply(200, json.dumps(result, ensure_ascii=False, indent=indent).encode("utf-8"),
                     {"Content-Type": "application/json; charset=UTF-8"})

    # -- endpoints (called under the lock) ------------------------------------
    def _visible(self, file_id: str, all_drives: bool) -> FakeFile:
        """The file, if the request may see it: a shared drive's files only with supportsAllDrives."""
        stored = self.files.get(self.my_drive if file_id == "root" else file_id)
        if stored is None or (stored.drive_id and not all_drives):
            raise not_found(file_id)
        return stored

    def _list(self, params: dict[str, str], all_drives: bool) -> dict[str, Any]:
        corpora = params.get("corpora", "user")
        include_all = params.get("includeItemsFromAllDrives", "false").lower() == "true"
        drive_id = params.get("driveId", "")
        if include_all and not all_drives:
            raise FakeDriveError(403, "The includeItemsFromAllDrives parameter can only be set to true when "
                                      "supportsAllDrives is also true.", "teamDrivesParameterNotSupported")
        if corpora not in ("user", "drive", "allDrives", "domain"):
            raise FakeDriveError(400, f"Invalid Value: corpora={corpora}", "invalid", "corpora")
        if corpora == "drive" and not drive_id:
            raise FakeDriveError(400, "The driveId parameter must be specified if and only if corpora is set to "
                                      "drive.", "invalid", "driveId")
        if drive_id and corpora != "drive":
            raise FakeDriveError(400, "The driveId parameter must be specified if and only if corpora is set to "
                                      "drive.", "invalid", "driveId")
        if corpora in ("drive", "allDrives") and not include_all:
            raise FakeDriveError(403, "The includeItemsFromAllDrives parameter must be set to true when corpora "
                                      f"is {corpora}.", "teamDrivesParameterRequired")
        if corpora == "drive" and drive_id not in self.shared_drives:
            raise FakeDriveError(404, f"Shared drive not found: {drive_id}", "notFound", "driveId")
        try:
            predicates = parse_query(params.get("q", "trashed = false"))
        except QueryError as exc:
            self._violate(f"files.list: q={params.get('q')!r}: {exc}")
            raise FakeDriveError(400, "Invalid Value", "invalid", "q") from None
        chosen = [f for f in self.files.values()
                  if f.id != self.my_drive and f.id not in self.shared_drives
                  and (corpora != "drive" or f.drive_id == drive_id)
                  and (not f.drive_id or include_all)
                  and all(holds(f) for holds in predicates)]
        chosen.sort(key=self._order_key(params.get("orderBy", "")))
        size = int(params.get("pageSize", 100))
        start = int(base64.urlsafe_b64decode(params["pageToken"]).decode()) if params.get("pageToken") else 0
        page = chosen[start:start + size]
        answer: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False,
                                  "files": [f.resource() for f in page]}
        if start + size < len(chosen):
            answer["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        return answer

    def _order_key(self, order_by: str) -> Callable[[FakeFile], Any]:
        keys = {"": lambda f: f.order, "createdTime": lambda f: f.order, "name": lambda f: (f.name, f.order),
                "modifiedTime": lambda f: (f.modified, f.order)}
        if order_by not in keys:
            self._violate(f"files.list: orderBy={order_by!r} is not implemented by the fake")
            raise FakeDriveError(501, f"orderBy={order_by} is not implemented by the fake", "notImplemented")
        return keys[order_by]

    def _create(self, protocol: str, params: dict[str, str], body: bytes, content_type: str,
                all_drives: bool) -> FakeFile:
        upload_type = params.get("uploadType", "")
        if protocol == "resumable":
            self._violate("files.create: the resumable upload is not implemented by the fake")
            raise FakeDriveError(501, "resumable upload is not implemented by the fake", "notImplemented")
        if protocol == "simple":
            if upload_type == "multipart":
                metadata, data, media_type = self._multipart(body, content_type)
            elif upload_type == "media":
                metadata, data, media_type = {}, body, content_type or "application/octet-stream"
            else:
                self._violate(f"files.create: uploadType={upload_type!r} on the upload path")
                raise FakeDriveError(400, "Upload requests must include an uploadType URL parameter and a URL path "
                                          "beginning with /upload/", "badRequest")
        else:
            if upload_type:
                self._violate(f"files.create: uploadType={upload_type!r} on the metadata path")
            metadata = self._json(body, content_type)
            data, media_type = b"", ""
        problems = self.discovery.check(metadata, "File", request=True)
        if problems:
            for problem in problems:
                self._violate(f"files.create request: {problem}")
            raise FakeDriveError(400, f"Invalid Value. {problems[0]}", "invalid")
        written = sorted(set(metadata) & self.discovery.output_only)
        if written:
            self._violate(f"files.create request: output-only fields {written}")
            raise FakeDriveError(403, "The resource body includes fields which are not directly writable.",
                                 "fieldNotWritable")
        parents = list(metadata.get("parents") or [self.my_drive])
        if len(parents) != 1:
            self._violate(f"files.create: {len(parents)} parents")
            raise FakeDriveError(403, "Increasing the number of parents is not allowed.", "cannotAddParent")
        parent = self._visible(parents[0], all_drives)
        if not parent.is_folder:
            raise FakeDriveError(400, f"The specified parent is not a folder: {parent.id}", "invalidParent")
        mime_type = str(metadata.get("mimeType") or media_type or "application/octet-stream")
        if mime_type != FOLDER and parent.drive_id is None:
            raise FakeDriveError(403, NO_QUOTA_MESSAGE, "storageQuotaExceeded")
        if mime_type == FOLDER and data:
            raise FakeDriveError(400, "A folder cannot have content.", "badContent")
        return self._new_file(str(metadata.get("name") or "Untitled"), mime_type, [parent.id], parent.drive_id,
                              data, metadata.get("appProperties"))

    def _json(self, body: bytes, content_type: str) -> dict[str, Any]:
        if body and not content_type.startswith("application/json"):
            self._violate(f"files.create: metadata sent as {content_type!r}")
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            raise FakeDriveError(400, "Invalid JSON payload received.", "parseError") from None
        if not isinstance(value, dict):
            raise FakeDriveError(400, "Invalid JSON payload received: not an object.", "parseError")
        return value

    def _multipart(self, body: bytes, content_type: str) -> tuple[dict[str, Any], bytes, str]:
        """multipart/related (RFC 2387): the metadata part (JSON), then the media part."""
        found = re.match(r'multipart/related;\s*boundary="?([^";]+)"?', content_type)
        if not found:
            self._violate(f"files.create: a multipart upload sent as {content_type!r}")
            raise FakeDriveError(400, "Bad content type. Please use multipart.", "badContent")
        mark = b"--" + found.group(1).encode("ascii")
        # The line break before a boundary belongs to the boundary (RFC 2046). Google takes CR LF or a
        # bare LF (its own Python client sends LF), so both are read.
        pieces = re.split(rb"\r?\n" + re.escape(mark), b"\n" + body)
        if len(pieces) < 3 or pieces[0] != b"" or not pieces[-1].startswith(b"--") or \
                pieces[-1][2:].strip(b"\r\n") != b"":
            self._violate("files.create: the multipart body does not open and close with its boundary")
            raise FakeDriveError(400, "Malformed multipart body.", "badContent")
        parts: list[tuple[dict[str, str], bytes]] = []
        for piece in pieces[1:-1]:
            found_end = re.match(rb"[ \t]*\r?\n(.*?)\r?\n\r?\n", piece, re.S)
            if not found_end:
                raise FakeDriveError(400, "Malformed multipart body: a part without headers.", "badContent")
            headers = {}
            for line in re.split(rb"\r?\n", found_end.group(1)):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if headers.get("content-transfer-encoding", "binary").lower() not in ("binary", "8bit", "7bit"):
                self._violate(f"files.create: a part in {headers['content-transfer-encoding']} is not in the fake")
            parts.append((headers, piece[found_end.end():]))
        if len(parts) != 2:
            self._violate(f"files.create: a multipart upload of {len(parts)} parts (needs metadata and media)")
            raise FakeDriveError(400, "Malformed multipart body: expected two parts.", "badContent")
        (meta_headers, meta), (media_headers, media) = parts
        metadata = self._json(meta, meta_headers.get("content-type", ""))
        return metadata, media, media_headers.get("content-type", "application/octet-stream")


__all__ = ["DriveFake", "FakeFile", "FakeDriveError", "DriveRequest", "load_discovery", "parse_query",
           "FOLDER", "NO_QUOTA_MESSAGE", "DISCOVERY_PATH"]


DriveFake.handler = _Handler
DriveFake.thread_name = "drive-fake"
