"""The one Google Sheets v4 client, in gspread's shape, on the light transport (core.http).

Why our own and not gspread (the design card's choice), measured. gspread 6.2.1's
HTTPClient is built on requests: `request()` calls a requests.Session and its endpoint
methods and APIError read the requests.Response it returns. It sits on KeepAlive only
through a hand-made Response, and `import gspread` still loads requests, google-auth's
requests transport and google_auth_oauthlib (gspread/__init__ imports gspread.auth):
115-119 ms of imports here (google_auth_oauthlib.flow 45 ms, google.auth.transport.requests
30 ms, google.auth 18 ms; gspread's own code 3 ms). Webhook cold start at Trat size
(`python -m bench`'s cold child, first question ค้างชำระ, fresh processes interleaved per
variant; 1 Dec 2026, the shared 2-vCPU bench VM), median district / province officer:

                                                   wall, quiet (11)    wall, loaded (15)   CPU
    this client on KeepAlive                       0.196 s / 0.246 s   0.443 s / 0.517 s   0.20 s / 0.26 s
    gspread's HTTPClient on KeepAlive (prototype)  0.303 s / 0.329 s   0.589 s / 0.610 s   0.29 s / 0.33 s
    the former standard-library webhook store      0.195 s / 0.234 s   0.395 s / 0.504 s   0.20 s / 0.26 s

gspread fits the 1.0 s budget on a quiet VM, but costs +0.07-0.11 s of CPU (+35-55 %) at
every cold start; with the VM loaded (docs/benchmark.md's reference figures are 0.55 s /
0.67 s) its slowest province start was 0.84 s. That leaves little margin for
seven endpoint methods of three lines each, and would put requests and google-auth on the
webhook path, which tests/test_webhook.py forbids. So the client is written here, in
gspread's shape, and the jobs use it too (one client, one error class, one retry loop): a
`check` at 80,000 loans costs 3.35-3.39 s of CPU instead of 3.91-4.02 s through gspread and
requests and peaks at 414-415 MB instead of 431-432 MB (the load's wall time is the same:
the fake's answer dominates it).

Shape (gspread.http_client.HTTPClient's): one choke point, `request()`, that every
endpoint method goes through (`values_batch_get`, `values_get`, `values_append`,
`values_update`, `values_clear`, `spreadsheets_get`, `batch_update`: the ones the
program calls, with gspread's names, in its argument order); answers are the decoded JSON.
Around the choke point sits the retry layer (`Retrying`): bounded tries with
full-jitter exponential backoff on 408, 429, 5xx and on no answer at all (timeout,
connection lost). Every failure becomes one error class, `SheetsError`, made by one
parser (`sheets_error`) that says in Thai and English what was being done and what
Google answered.

A request whose answer was lost may have been applied. Reads, value updates and clears
are resent (doing them twice is doing them once); so are appends, because the tabs the
program appends to are read so that a repeated row counts once (payments by รหัสอ้างอิง,
the alert log by item, สรุปรายเดือน latest-wins, links by officer; a suggestion twice beats
none) while a lost row costs more (a repayment not recorded, an alert sent again); the
webhook's store asks for its appends not to be resent (`resend_unanswered=False`), since its
repayment claims decide what happens to an unanswered one (chat.conversation). A
batchUpdate is not resent after a lost answer: it may add a tab, a chart or a protection
a second time; its error says it may have been done.
"""
from __future__ import annotations

import http.client
import json
import random
import socket
import time
import urllib.parse
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from core.http import GOOGLE_QUERY, KeepAlive
from sheets.gc_pause import collector_paused
from sheets.credentials import CREDENTIALS_HELP, TokenEndpointUnreachable, TokenSource
from sheets.store import StoreError
from sheets.value_ranges import decode_value_ranges

GOOGLE_API_URL = "https://sheets.googleapis.com"
# Above this size an answer is decoded with orjson: the standard json module takes seconds on a
# national-size sheet (~40 MB), while importing orjson costs 7-20 ms, more than json needs for
# Trat's whole answer (0.8 MB: 3.4 ms json, 2.4 ms orjson), so the webhook does not pay for it.
LARGE_ANSWER_BYTES = 4 * 2 ** 20

# Shown next to an HTTP status in messages for officers.
STATUS_WORDS = {
    400: "คำขอไม่ถูกต้อง", 401: "ยืนยันตัวตนไม่ผ่าน", 403: "ไม่มีสิทธิ์เข้าถึง", 404: "ไม่พบสเปรดชีต",
    408: "หมดเวลารอ", 429: "เกินโควตา", 500: "ระบบ Google ขัดข้อง", 502: "ระบบ Google ขัดข้อง",
    503: "บริการ Google ไม่พร้อมชั่วคราว", 504: "ระบบ Google ตอบช้าเกินไป",
}

Params = Mapping[str, Union[str, Sequence[str]]]
# Google's answer to a write past a spreadsheet's 10 million cells ("This action would increase the
# number of cells in the workbook above the limit of 10000000 cells.").
FULL_SPREADSHEET = "above the limit of 10000000 cells"
# Failures that leave no doubt the request never reached Google.
NOT_SENT = (ConnectionRefusedError, socket.gaierror)


@dataclass(frozen=True)
class Operation:
    """What a request does, for error messages: the discovery method name and its words."""

    kind: str      # e.g. "values.append"
    thai: str      # e.g. "เพิ่มแถวใน 'รับชำระ'"
    english: str   # e.g. "appending rows to 'รับชำระ'"
    writes: bool = False


@dataclass(frozen=True)
class Answer:
    """One exchange's outcome: Google's status and body, or no answer and why."""

    status: Optional[int]
    body: bytes = b""
    failure: Optional[BaseException] = None  # set when there is no answer

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        """Worth another try: no answer, a timeout, over quota, or Google's own failure."""
        return self.status is None or self.status in (408, 429) or self.status >= 500


@dataclass(frozen=True)
class Backoff:
    """How many tries, and the waits between them: base * 2^(n-1), capped."""

    max_tries: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 32.0

    def ceiling(self, failed_tries: int) -> float:
        return min(self.max_seconds, self.base_seconds * 2 ** (failed_tries - 1))


class Retrying:
    """The retry layer around the choke point: bounded tries, full-jitter backoff, transient failures only.

    Full jitter (a random wait between 0 and the ceiling) spreads the retries of instances that
    hit the quota together, which is what Google's guidance on 429 asks for.
    """

    def __init__(self, backoff: Backoff, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random):
        self.backoff = backoff
        self.sleep = sleep
        self.jitter = jitter

    def run(self, exchange: Callable[[], Answer], resend_unanswered: bool) -> tuple[Answer, int]:
        """The first good or final answer, and how many tries it took."""
        tries = max(1, self.backoff.max_tries)
        for attempt in range(1, tries + 1):
            answer = exchange()
            if answer.ok or not answer.transient or attempt == tries:
                return answer, attempt
            if answer.status is None and not resend_unanswered:
                return answer, attempt
            self.sleep(self.jitter() * self.backoff.ceiling(attempt))
        raise AssertionError("unreachable")


class SheetsError(StoreError):
    """Google answered with an error, or did not answer (`status` None); the message says what failed."""

    def __init__(self, message: str, status: Optional[int] = None, google_message: str = "",
                 operation: Optional[Operation] = None, tries: int = 1):
        super().__init__(message)
        self.status = status
        self.google_message = google_message
        self.operation = operation
        self.tries = tries

    @property
    def bad_range(self) -> bool:
        """Google's answer when a range names a tab that does not exist."""
        return self.status == 400 and "Unable to parse range" in self.google_message

    @property
    def sheet_exists(self) -> bool:
        """Google's answer to adding a tab whose title is taken."""
        return self.status == 400 and "already exists" in self.google_message


def sheets_error(operation: Operation, answer: Answer, tries: int, *, timeout_seconds: float,
                 account: str = "") -> SheetsError:
    """The one error parser: Google's error body {"error": {"status", "message"}} or the missing answer,
    in Thai and English, naming the operation, the tries and what to do about it."""
    after_th = f" หลังลอง {tries} ครั้ง" if tries > 1 else ""
    after_en = f" after {tries} tries" if tries > 1 else ""
    if answer.status is None:
        if isinstance(answer.failure, TokenEndpointUnreachable):
            message = (f"ขอสิทธิ์เข้าถึงจาก Google ไม่ได้{after_th} ขณะ{operation.thai} "
                       f"(Google's token endpoint did not answer{after_en} while {operation.english})")
        elif isinstance(answer.failure, TimeoutError):
            message = (f"Google Sheets ไม่ตอบภายใน {timeout_seconds:g} วินาที{after_th} ขณะ{operation.thai} "
                       f"(no answer within {timeout_seconds:g} s{after_en} while {operation.english})")
        else:
            name = type(answer.failure).__name__ if answer.failure is not None else "no answer"
            message = (f"ติดต่อ Google Sheets ไม่ได้{after_th} ขณะ{operation.thai} "
                       f"(cannot reach Google Sheets{after_en} while {operation.english}: {name})")
        if operation.writes and not isinstance(answer.failure, (*NOT_SENT, TokenEndpointUnreachable)):
            message += (" คำขอนี้อาจทำไปแล้ว ตรวจในชีตก่อนลองใหม่ "
                        "(it may have been done all the same: check the sheet before trying again)")
        return SheetsError(message, None, "", operation, tries)
    status = answer.status
    code, google_message = _google_error(answer.body)
    hint = ""
    if status == 403 and account:
        hint = f" แชร์สเปรดชีตให้ {account} เป็นผู้แก้ไข (share the spreadsheet with {account} as an editor)."
    elif status == 403:
        hint = " แชร์สเปรดชีตให้บัญชีบริการเป็นผู้แก้ไข (share the spreadsheet with the service account)."
    if status in (401, 403):
        hint += " " + CREDENTIALS_HELP
    elif status == 404:
        hint = " ตรวจรหัสสเปรดชีตหลัง gsheet: (check the spreadsheet id after gsheet:)"
    elif status == 400 and FULL_SPREADSHEET in google_message:
        hint = (" สเปรดชีตเต็ม (Google Sheets รับได้ไม่เกิน 10 ล้านเซลล์): ย้ายแถวเก่าของแท็บบันทึกการแจ้งเตือน"
                "ไปเก็บในไฟล์อื่น (the spreadsheet is full: move the alert log's older rows to another file; "
                "docs/deploy.md)")
    words = STATUS_WORDS.get(status, "ผิดพลาด")
    message = (f"Google Sheets ตอบกลับ {status} ({words}){after_th} ขณะ{operation.thai} "
               f"(Google Sheets answered {status} {code}{after_en} while {operation.english}: {google_message}).{hint}")
    return SheetsError(message, status, google_message, operation, tries)


def _google_error(body: bytes) -> tuple[str, str]:
    """The status word and message of Google's error body; the body's start when it is not one."""
    try:
        error = json.loads(body)["error"]
        return str(error.get("status", "")), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", body[:200].decode("utf-8", "replace")


def a1_range(title: str, cells: str = "") -> str:
    """A tab's range in A1 notation, the title quoted: 'ลูกหนี้'!1:1 (gspread's absolute_range_name)."""
    quoted = "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{cells}" if cells else quoted


def _decode(data: bytes, ranges: int = 0) -> Any:
    """An answer's JSON. A big one with `ranges` value ranges (a batchGet's) is decoded a range at
    a time (sheets/value_ranges.py)."""
    if not data:
        return {}
    if len(data) > LARGE_ANSWER_BYTES:
        import orjson  # late: see LARGE_ANSWER_BYTES

        with collector_paused():  # millions of acyclic objects: see sheets/gc_pause.py
            return decode_value_ranges(data, ranges, orjson.loads) if ranges else orjson.loads(data)
    return json.loads(data)


def _query(params: Optional[Params]) -> str:
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        if isinstance(value, str):
            pairs.append((name, value))
        else:
            pairs.extend((name, item) for item in value)  # repeated: ranges=A&ranges=B
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def _tabs(ranges: Sequence[str]) -> str:
    return ", ".join(ranges) if len(ranges) <= 8 else ", ".join(ranges[:8]) + f" … ({len(ranges)} ranges)"


class SheetsClient:
    """Sheets v4 REST calls over one kept-alive connection, authorised by a token source."""

    def __init__(self, tokens: TokenSource, *, api_url: str = GOOGLE_API_URL, timeout_seconds: float = 30.0,
                 backoff: Backoff = Backoff(), sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random):
        self.tokens = tokens
        self.timeout_seconds = timeout_seconds
        self.transport = KeepAlive(api_url, "sheets.googleapis.com", timeout_seconds)
        self.retrying = Retrying(backoff, sleep, jitter)

    @property
    def api_url(self) -> str:
        return self.transport.base_url

    @property
    def requests(self) -> int:
        """HTTP requests sent so far (each try counts)."""
        return self.transport.requests

    def close(self) -> None:
        self.transport.close()

    # -- the choke point ---------------------------------------------------
    def request(self, method: str, path: str, operation: Operation, *, params: Optional[Params] = None,
                body: Optional[Mapping[str, Any]] = None, resend_unanswered: bool = True,
                decode: Callable[[bytes], Any] | None = None) -> Any:
        """One API call with retries; the decoded answer (by `decode`, default JSON), or SheetsError."""
        target = path + _query({**(params or {}), **GOOGLE_QUERY})
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        answer, tries = self.retrying.run(
            lambda: self._exchange(method, target, payload, resend_unanswered), resend_unanswered)
        if answer.ok:
            return (decode or _decode)(answer.body)
        account = self.tokens.account() if answer.status == 403 else ""
        raise sheets_error(operation, answer, tries, timeout_seconds=self.timeout_seconds, account=account)

    def _exchange(self, method: str, target: str, payload: Optional[bytes], resend_unanswered: bool) -> Answer:
        """One try: authorised, sent, answered (or not). A refused token is renewed and sent once more."""
        for renewed in (False, True):
            try:
                # TokenEndpointUnreachable is an OSError: retried like no answer.
                headers = {"Accept-Encoding": "gzip", **self.tokens.headers()}
                if payload is not None:
                    headers["Content-Type"] = "application/json; charset=UTF-8"
                status, data = self.transport.request(method, target, payload, headers,
                                                      reconnect_writes=resend_unanswered)
                # A 401 was refused before anything happened: resending with a new token is safe.
                if status == 401 and not renewed and self.tokens.refresh():
                    continue
            except (OSError, http.client.HTTPException) as exc:
                return Answer(None, failure=exc)
            return Answer(status, data)
        raise AssertionError("unreachable")

    # -- endpoints (gspread's names, in its argument order) --------------------
    @staticmethod
    def _spreadsheet(spreadsheet_id: str) -> str:
        return "/v4/spreadsheets/" + urllib.parse.quote(spreadsheet_id, safe="")

    def _values(self, spreadsheet_id: str, range_name: str, suffix: str = "") -> str:
        return f"{self._spreadsheet(spreadsheet_id)}/values/{urllib.parse.quote(range_name, safe='')}{suffix}"

    def values_batch_get(self, spreadsheet_id: str, ranges: Sequence[str], params: Optional[Params] = None) -> Any:
        """values:batchGet: many ranges in one request (one quota unit)."""
        operation = Operation("values.batchGet", f"อ่านแท็บ {_tabs(ranges)}", f"reading {_tabs(ranges)}")
        return self.request("GET", self._spreadsheet(spreadsheet_id) + "/values:batchGet", operation,
                            params={**(params or {}), "ranges": list(ranges)}, decode=partial(_decode, ranges=len(ranges)))

    def values_get(self, spreadsheet_id: str, range_name: str, params: Optional[Params] = None) -> Any:
        operation = Operation("values.get", f"อ่าน {range_name}", f"reading {range_name}")
        return self.request("GET", self._values(spreadsheet_id, range_name), operation, params=params)

    def values_append(self, spreadsheet_id: str, range_name: str, params: Params, body: Mapping[str, Any],
                      *, resend_unanswered: bool = True) -> Any:
        operation = Operation("values.append", f"เพิ่มแถวใน {range_name}", f"appending rows to {range_name}",
                              writes=True)
        return self.request("POST", self._values(spreadsheet_id, range_name, ":append"), operation,
                            params=params, body=body, resend_unanswered=resend_unanswered)

    def values_update(self, spreadsheet_id: str, range_name: str, params: Optional[Params] = None,
                      body: Optional[Mapping[str, Any]] = None) -> Any:
        operation = Operation("values.update", f"เขียนค่าใน {range_name}", f"writing {range_name}", writes=True)
        return self.request("PUT", self._values(spreadsheet_id, range_name), operation,
                            params=params, body=body or {})

    def values_clear(self, spreadsheet_id: str, range_name: str) -> Any:
        operation = Operation("values.clear", f"ล้างค่าใน {range_name}", f"clearing {range_name}", writes=True)
        return self.request("POST", self._values(spreadsheet_id, range_name, ":clear"), operation, body={})

    def spreadsheets_get(self, spreadsheet_id: str, params: Optional[Params] = None) -> Any:
        """spreadsheets.get; give `fields` (a field mask) so that Google sends only what is used."""
        operation = Operation("spreadsheets.get", "อ่านรายการแท็บและรูปแบบ", "reading the tabs and their formats")
        return self.request("GET", self._spreadsheet(spreadsheet_id), operation, params=params)

    def batch_update(self, spreadsheet_id: str, body: Mapping[str, Any]) -> Any:
        """spreadsheets:batchUpdate: all its requests or none; never resent after a lost answer."""
        kinds = sorted({name for request in body.get("requests", []) for name in request})
        operation = Operation("spreadsheets.batchUpdate", f"แก้ไขแท็บและรูปแบบ ({', '.join(kinds)})",
                              f"updating tabs and formats ({', '.join(kinds)})", writes=True)
        return self.request("POST", self._spreadsheet(spreadsheet_id) + ":batchUpdate", operation, body=body,
                            resend_unanswered=False)
