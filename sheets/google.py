"""The Google Sheets backend: the live Smart Data sheet, through gspread and google-auth.

Every request goes through `SheetsHTTPClient`, gspread's HTTP client with three
changes: a configurable API base URL (tests point it at a local fake), an
explicit timeout, and bounded retries with jittered exponential backoff
(gspread 6.2.1's own BackOffHTTPClient never stops retrying a permanent 429).
The store calls gspread's lower-level endpoint methods directly so that no
`gspread.Spreadsheet` is built: building one costs an extra metadata read.
"""
from __future__ import annotations

import os
import random
import time
from contextlib import nullcontext
from typing import Any, Callable, ContextManager, Mapping, Optional, Sequence

import google.auth
import orjson
import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import DefaultCredentialsError, GoogleAuthError, TransportError
from google.oauth2 import service_account
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEET_VALUES_BATCH_URL
from gspread.utils import absolute_range_name, rowcol_to_a1

from core.config import Config
from core.schema import normalize_header
from sheets.store import (
    Layout, StoreError, Table, TabTemplate, batch_read, header_of, ordered_row, to_text_cell,
)

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
GOOGLE_API_URL = "https://sheets.googleapis.com"  # the origin gspread.urls hard-codes

# Shown next to an HTTP status in messages for officers.
STATUS_WORDS = {
    400: "คำขอไม่ถูกต้อง", 401: "ยืนยันตัวตนไม่ผ่าน", 403: "ไม่มีสิทธิ์เข้าถึง", 404: "ไม่พบสเปรดชีต",
    408: "หมดเวลารอ", 429: "เกินโควตา", 500: "ระบบ Google ขัดข้อง", 502: "ระบบ Google ขัดข้อง",
    503: "บริการ Google ไม่พร้อมชั่วคราว", 504: "ระบบ Google ตอบช้าเกินไป",
}

CREDENTIALS_HELP = (
    "ตั้งค่าบัญชีบริการของ Google: ใส่ที่อยู่ไฟล์ JSON ของบัญชีบริการในตัวแปร GOOGLE_APPLICATION_CREDENTIALS "
    "แล้วแชร์สเปรดชีตให้อีเมลของบัญชีบริการนั้น (หรือใช้ Application Default Credentials บน Google Cloud) "
    "(set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key file and share the spreadsheet "
    "with its e-mail, or run with Application Default Credentials)"
)

NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "date": {"type": "DATE", "pattern": "dd/mm/yyyy"},
    "datetime": {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"},
    "amount": {"type": "NUMBER", "pattern": "#,##0.00"},
    "int": {"type": "NUMBER", "pattern": "0"},
    "text": {"type": "TEXT", "pattern": "@"},
}
NEW_SHEET_ROWS, NEW_SHEET_COLUMNS = 1000, 26  # what Google gives a new sheet
PROTECT_NOTE = "แท็บนี้โปรแกรมเป็นผู้เขียน แก้ด้วยมือเฉพาะเมื่อจำเป็น"


class SheetsAPIError(StoreError):
    """Google answered with an error (or did not answer); `status` is None without an answer."""

    def __init__(self, message: str, status: Optional[int] = None, google_message: str = ""):
        super().__init__(message)
        self.status = status
        self.google_message = google_message

    @property
    def bad_range(self) -> bool:
        """Google's answer when a range names a tab that does not exist."""
        return self.status == 400 and "Unable to parse range" in self.google_message

    @property
    def sheet_exists(self) -> bool:
        return self.status == 400 and "already exists" in self.google_message


def load_credentials() -> Credentials:
    """GOOGLE_APPLICATION_CREDENTIALS if set, else Application Default Credentials."""
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    try:
        if path:
            credentials = service_account.Credentials.from_service_account_file(path, scopes=list(SCOPES))
        else:
            credentials, _ = google.auth.default(scopes=list(SCOPES))
    except (DefaultCredentialsError, ValueError, OSError, KeyError) as exc:
        # Say what kind of problem only: a key file's content must never reach a log.
        if path and not os.path.isfile(path):
            what = f"ไม่พบไฟล์ {path} ที่ GOOGLE_APPLICATION_CREDENTIALS ชี้ไป"
        elif path:
            what = f"ไฟล์ {path} ไม่ใช่กุญแจบัญชีบริการที่ใช้ได้ ({type(exc).__name__})"
        else:
            what = "ไม่พบสิทธิ์เข้าถึง Google (no Application Default Credentials)"
        raise StoreError(f"{what}. {CREDENTIALS_HELP}") from None
    return credentials


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTP client with our base URL, a timeout and bounded retries."""

    def __init__(self, auth: Credentials, session: Optional[requests.Session] = None, *,
                 api_url: str = GOOGLE_API_URL, timeout_seconds: float = 30.0, max_tries: int = 5,
                 backoff_seconds: float = 1.0, backoff_max_seconds: float = 32.0,
                 sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random):
        super().__init__(auth, session)
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout_seconds
        self.max_tries = max(1, max_tries)
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.sleep = sleep
        self.jitter = jitter

    def _account(self) -> str:
        """The service account's e-mail (not a secret: it is what the sheet is shared with)."""
        return str(getattr(getattr(self, "auth", None), "service_account_email", "") or "")

    def backoff(self, failed_tries: int) -> float:
        """Full jitter: a random wait up to base * 2^(n-1), capped."""
        ceiling = min(self.backoff_max_seconds, self.backoff_seconds * 2 ** (failed_tries - 1))
        return self.jitter() * ceiling

    def request(self, method: str, endpoint: str, params: Any = None, data: Any = None,
                json: Optional[Mapping[str, Any]] = None, files: Any = None,
                headers: Any = None) -> requests.Response:
        url = endpoint
        if url.startswith(GOOGLE_API_URL):
            url = self.api_url + url[len(GOOGLE_API_URL):]
        failure, status = "", None
        for attempt in range(1, self.max_tries + 1):
            try:
                response = self.session.request(method=method, url=url, json=json, params=params, data=data,
                                                files=files, headers=headers, timeout=self.timeout)
            except requests.Timeout:
                failure = (f"Google Sheets ไม่ตอบภายใน {self.timeout:g} วินาที หลังลอง {attempt} ครั้ง "
                           f"(no answer within {self.timeout:g} s after {attempt} tries)")
                status = None
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError, TransportError) as exc:
                failure = (f"ติดต่อ Google Sheets ไม่ได้ หลังลอง {attempt} ครั้ง "
                           f"(cannot reach Google Sheets after {attempt} tries: {type(exc).__name__})")
                status = None
            except GoogleAuthError as exc:
                raise StoreError(f"ยืนยันตัวตนกับ Google ไม่ผ่าน ({type(exc).__name__}). {CREDENTIALS_HELP}") from None
            else:
                if response.ok:
                    return response
                status = response.status_code
                code, google_message = _google_error(response)
                if status != 408 and status != 429 and status < 500:
                    message = _refusal_message(status, code, google_message, self._account())
                    raise SheetsAPIError(message, status, google_message)
                failure = (f"Google Sheets ตอบกลับ {status} ({STATUS_WORDS.get(status, 'ผิดพลาด')}) "
                           f"หลังลอง {attempt} ครั้ง "
                           f"(Google Sheets answered {status} {code} after {attempt} tries: {google_message})")
            if attempt < self.max_tries:
                self.sleep(self.backoff(attempt))
        raise SheetsAPIError(failure, status)


    def values_batch_get(self, id: str, ranges: list[str], params: Optional[Mapping[str, Any]] = None) -> Any:
        """gspread's batchGet, decoded with orjson: a national-size sheet is ~40 MB of JSON,
        which the standard json module takes seconds to decode."""
        params = {**(params or {}), "ranges": ranges}
        response = self.request("get", SPREADSHEET_VALUES_BATCH_URL % id, params=params)
        return orjson.loads(response.content)


def _google_error(response: requests.Response) -> tuple[str, str]:
    """The status word and message of Google's error body {"error": {...}}."""
    try:
        error = response.json()["error"]
        return str(error.get("status", "")), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", response.text[:200]


def _refusal_message(status: int, code: str, google_message: str, account: str = "") -> str:
    words = STATUS_WORDS.get(status, "ผิดพลาด")
    hint = ""
    if status == 403 and account:
        hint = f" แชร์สเปรดชีตให้ {account} เป็นผู้แก้ไข (share the spreadsheet with {account} as an editor)."
    if status in (401, 403):
        hint += " " + CREDENTIALS_HELP
    elif status == 404:
        hint = " ตรวจรหัสสเปรดชีตหลัง gsheet: (check the spreadsheet id)"
    return f"Google Sheets ตอบกลับ {status} ({words}) ({code}: {google_message}).{hint}"


class GoogleStore:
    """The Smart Data spreadsheet on Google Sheets."""

    def __init__(self, sheet_id: str, layout: Layout, *, credentials: Credentials,
                 api_url: str = GOOGLE_API_URL, timeout_seconds: float = 30.0, max_tries: int = 5,
                 backoff_seconds: float = 1.0, backoff_max_seconds: float = 32.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.sheet_id = sheet_id
        self.layout = layout
        self.description = f"Google Sheets {sheet_id}"
        self.http = SheetsHTTPClient(credentials, api_url=api_url, timeout_seconds=timeout_seconds,
                                     max_tries=max_tries, backoff_seconds=backoff_seconds,
                                     backoff_max_seconds=backoff_max_seconds, sleep=sleep)
        # Header row per tab title as last read or written in this run; None = the tab is missing.
        self._headers: dict[str, Optional[list[str]]] = {}

    @classmethod
    def from_config(cls, sheet_id: str, config: Config, layout: Layout, *,
                    credentials: Optional[Credentials] = None,
                    sleep: Callable[[float], None] = time.sleep) -> "GoogleStore":
        settings = config.sheets
        return cls(sheet_id, layout, credentials=load_credentials() if credentials is None else credentials,
                   api_url=settings.api_url, timeout_seconds=settings.timeout_seconds,
                   max_tries=settings.max_tries, backoff_seconds=settings.backoff_seconds,
                   backoff_max_seconds=settings.backoff_max_seconds, sleep=sleep)

    def batch(self) -> ContextManager[None]:
        """Each write is its own request already: nothing to group."""
        return nullcontext()

    # -- reading ---------------------------------------------------------
    def read(self, tab_keys: Sequence[str]) -> dict[str, Table]:
        titles = {key: self.layout.title(key) for key in tab_keys}
        tables = batch_read(titles, self._batch_get, self._sheet_titles)
        self._headers.update({t.title: (t.header if t.exists else None) for t in tables.values()})
        return tables

    def _batch_get(self, titles: Sequence[str]) -> dict[str, list[list[Any]]]:
        """Whole tabs in one values:batchGet; numbers raw, date cells as the text they show."""
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING",
                  "majorDimension": "ROWS"}
        answer = self.http.values_batch_get(self.sheet_id, [absolute_range_name(t) for t in titles], params)
        # Google answers in the order asked.
        return {t: vr.get("values", []) for t, vr in zip(titles, answer.get("valueRanges", []))}

    def _sheets(self, fields: str) -> list[dict[str, Any]]:
        return self.http.spreadsheets_get(self.sheet_id, params={"fields": fields}).get("sheets", [])

    def _sheet_titles(self) -> set[str]:
        return {s["properties"]["title"] for s in self._sheets("sheets.properties.title")}

    def _header_row(self, title: str) -> Optional[list[str]]:
        """The tab's header row: from this run's cache, else one small read. None if the tab is missing."""
        if title in self._headers:
            return self._headers[title]
        try:
            answer = self.http.values_get(self.sheet_id, absolute_range_name(title, "1:1"),
                                          params={"valueRenderOption": "UNFORMATTED_VALUE"})
        except SheetsAPIError as exc:
            if not exc.bad_range:
                raise
            header = None
        else:
            header = header_of(answer.get("values", []))
        self._headers[title] = header
        return header

    # -- writing ---------------------------------------------------------
    def append(self, tab_key: str, records: Sequence[Mapping[str, Any]]) -> None:
        if not records:
            return
        title = self.layout.title(tab_key)
        wanted = self.layout.headers(tab_key)
        header = self._header_row(title)
        rows: list[list[Any]] = []
        if header is None and self._add_sheet(title, len(wanted)):
            header = [normalize_header(h) for h in wanted]
            rows.append(list(wanted))  # the header goes in with the data: row 1 of an empty tab
        else:
            if header is None:  # someone else created it just now
                self._headers.pop(title, None)
                header = self._header_row(title) or []
            present = set(header)
            missing = [h for h in wanted if normalize_header(h) not in present]
            if missing:
                # New columns go after the last header: nothing typed moves.
                self.http.values_update(self.sheet_id, absolute_range_name(title, rowcol_to_a1(1, len(header) + 1)),
                                        params={"valueInputOption": "RAW"}, body={"values": [missing]})
                header = header + [normalize_header(h) for h in missing]
        for record in records:
            rows.append([to_text_cell(v) for v in ordered_row(header, record, tab_key, self.layout)])
        # RAW keeps text as typed ("0012" stays "0012"); INSERT_ROWS never writes over a cell.
        self.http.values_append(self.sheet_id, absolute_range_name(title),
                                params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                                body={"majorDimension": "ROWS", "values": rows})
        self._headers[title] = header

    def _add_sheet(self, title: str, columns: int) -> bool:
        """Add a tab with a frozen header row; False if it exists already."""
        grid = {"rowCount": NEW_SHEET_ROWS, "columnCount": max(NEW_SHEET_COLUMNS, columns), "frozenRowCount": 1}
        try:
            self.http.batch_update(self.sheet_id, {"requests": [
                {"addSheet": {"properties": {"title": title, "gridProperties": grid}}}]})
        except SheetsAPIError as exc:
            if exc.sheet_exists:
                return False
            raise
        self._headers[title] = []
        return True

    def rewrite(self, tab_key: str, rows: Sequence[Sequence[Any]]) -> None:
        title = self.layout.title(tab_key)
        width = max((len(r) for r in rows), default=0)
        if self._headers.get(title, []) is None:
            if not self._add_sheet(title, width):
                self.http.values_clear(self.sheet_id, absolute_range_name(title))
        else:
            try:
                self.http.values_clear(self.sheet_id, absolute_range_name(title))
            except SheetsAPIError as exc:
                if not exc.bad_range:
                    raise
                self._add_sheet(title, width)
        if rows:
            self.http.values_update(self.sheet_id, absolute_range_name(title, "A1"),
                                    params={"valueInputOption": "RAW"},
                                    body={"majorDimension": "ROWS",
                                          "values": [[to_text_cell(v) for v in r] for r in rows]})
        self._headers[title] = header_of(rows)

    # -- init-sheet ------------------------------------------------------
    def init_template(self, templates: Sequence[TabTemplate]) -> list[str]:
        """Two reads (tabs and their first two rows) and at most one batchUpdate."""
        sheets = {s["properties"]["title"]: s for s in self._sheets(
            "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,frozenRowCount)),"
            "protectedRanges(protectedRangeId,range,warningOnly))")}
        in_use = [t.title for t in templates if t.title in sheets]
        top_rows = self._top_rows(in_use) if in_use else {}
        used_ids = {s["properties"].get("sheetId", 0) for s in sheets.values()}
        requests_: list[dict[str, Any]] = []
        actions: list[str] = []
        for tpl in templates:
            sheet = sheets.get(tpl.title)
            if sheet is None:
                sheet_id = _new_sheet_id(used_ids)
                sheet = {"properties": {"sheetId": sheet_id, "title": tpl.title, "gridProperties": {
                    "rowCount": NEW_SHEET_ROWS, "columnCount": max(NEW_SHEET_COLUMNS, len(tpl.headers)),
                    "frozenRowCount": 1}}}
                requests_.append({"addSheet": sheet})
                actions.append(f"สร้างแท็บ {tpl.title}")
            header, second_row = top_rows.get(tpl.title, ([], []))
            new_requests, new_actions = _template_requests(tpl, sheet, header, second_row, created=tpl.title not in sheets)
            requests_ += new_requests
            actions += new_actions
        if requests_:
            self.http.batch_update(self.sheet_id, {"requests": requests_})
        for tpl in templates:  # the header cache no longer holds for these tabs
            self._headers.pop(tpl.title, None)
        return actions

    def _top_rows(self, titles: Sequence[str]) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
        """Per tab: the header texts and the cells of row 2 (their dropdown rule and number format)."""
        answer = self.http.spreadsheets_get(self.sheet_id, params={
            "ranges": [absolute_range_name(t, "1:2") for t in titles],
            "fields": "sheets(properties(title),data(startRow,startColumn,rowData(values("
                      "formattedValue,dataValidation,userEnteredFormat(numberFormat)))))"})
        found: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
        for sheet in answer.get("sheets", []):
            rows: list[list[dict[str, Any]]] = [[], []]
            for grid in sheet.get("data", []):
                pad = [{}] * grid.get("startColumn", 0)
                for i, row in enumerate(grid.get("rowData", []), start=grid.get("startRow", 0)):
                    if i < 2:
                        rows[i] = pad + row.get("values", [])
            header = [normalize_header(c.get("formattedValue")) for c in rows[0]]
            while header and not header[-1]:
                header.pop()
            found[sheet["properties"]["title"]] = (header, rows[1])
        return found

    # -- the monthly report (sheets.report_layout) -------------------------
    def write_report(self, tab_key: str, report: Any) -> None:
        """Values (clear + update, as rewrite), one fields-limited get, one formatting batchUpdate."""
        from sheets.report_layout import GOOGLE_META_FIELDS, google_requests, place

        placement = place(report)
        self.rewrite(tab_key, [[to_text_cell(v) for v in row] for row in placement.rows])
        title = self.layout.title(tab_key)
        sheet = next((s for s in self._sheets(GOOGLE_META_FIELDS)
                      if s.get("properties", {}).get("title") == title), None)
        if sheet is None:
            raise StoreError(f"ไม่พบแท็บ {title} หลังเขียนรายงาน (tab vanished while writing the report)")
        old_charts = [c["chartId"] for c in sheet.get("charts", []) if "chartId" in c]
        requests_ = google_requests(sheet["properties"].get("sheetId", 0), report, placement, old_charts)
        self.http.batch_update(self.sheet_id, {"requests": requests_})


def _new_sheet_id(used: set[int]) -> int:
    while True:
        candidate = random.randrange(1, 2 ** 31 - 1)
        if candidate not in used:
            used.add(candidate)
            return candidate


def _column_range(sheet_id: int, column: int) -> dict[str, int]:
    """A whole column below the header row."""
    return {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": column, "endColumnIndex": column + 1}


def _template_requests(tpl: TabTemplate, sheet: Mapping[str, Any], header: list[str],
                       second_row: list[dict[str, Any]], created: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """What one tab lacks of its template, as batchUpdate requests and Thai actions."""
    props = sheet["properties"]
    sheet_id = props.get("sheetId", 0)  # Google leaves out a zero id
    grid = props.get("gridProperties", {})
    requests_: list[dict[str, Any]] = []
    actions: list[str] = []
    present = {h: i for i, h in enumerate(header) if h}
    missing = [h for h in tpl.headers if normalize_header(h) not in present]
    if missing:
        first = len(header)
        shortfall = first + len(missing) - grid.get("columnCount", NEW_SHEET_COLUMNS)
        if shortfall > 0:
            requests_.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": shortfall}})
        cells = [{"userEnteredValue": {"stringValue": h}, "userEnteredFormat": {"textFormat": {"bold": True}}}
                 for h in missing]
        requests_.append({"updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": first},
            "rows": [{"values": cells}], "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}})
        for offset, h in enumerate(missing):
            present[normalize_header(h)] = first + offset
            actions.append(f"เพิ่มคอลัมน์ '{h}' ในแท็บ {tpl.title}")
    if created:
        actions.append(f"ตรึงแถวหัวตารางแท็บ {tpl.title}")  # addSheet froze it
    elif grid.get("frozenRowCount", 0) < 1:
        requests_.append({"updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount"}})
        actions.append(f"ตรึงแถวหัวตารางแท็บ {tpl.title}")

    def cell_below(h: str) -> tuple[Optional[int], dict[str, Any]]:
        column = present.get(normalize_header(h))
        if column is None:
            return None, {}
        return column, (second_row[column] if column < len(second_row) else {})

    for h, values in tpl.dropdowns.items():
        column, cell = cell_below(h)
        if column is None:
            continue
        rule = cell.get("dataValidation", {})
        listed = [v.get("userEnteredValue") for v in rule.get("condition", {}).get("values", [])]
        if rule.get("condition", {}).get("type") == "ONE_OF_LIST" and listed == list(values):
            continue
        requests_.append({"setDataValidation": {"range": _column_range(sheet_id, column), "rule": {
            "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]},
            "strict": False, "showCustomUi": True}}})
        actions.append(f"ใส่รายการเลือกคอลัมน์ '{h}' แท็บ {tpl.title}")
    for h, kind in tpl.formats.items():
        column, cell = cell_below(h)
        fmt = NUMBER_FORMATS.get(kind)
        if column is None or fmt is None:
            continue
        current = cell.get("userEnteredFormat", {}).get("numberFormat", {})
        if current.get("type") == fmt["type"] and (fmt["type"] == "TEXT" or current.get("pattern") == fmt["pattern"]):
            continue
        # A number format changes how a value shows, never the value a person typed.
        requests_.append({"repeatCell": {"range": _column_range(sheet_id, column),
                                         "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                                         "fields": "userEnteredFormat.numberFormat"}})
        actions.append(f"ตั้งรูปแบบคอลัมน์ '{h}' แท็บ {tpl.title}")
    if tpl.protect and not any(_whole_sheet(p.get("range", {})) for p in sheet.get("protectedRanges", [])):
        requests_.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sheet_id}, "warningOnly": True, "description": PROTECT_NOTE}}})
        actions.append(f"ป้องกันแท็บ {tpl.title} (เตือนก่อนแก้)")
    return requests_, actions


def _whole_sheet(grid_range: Mapping[str, Any]) -> bool:
    return not any(k in grid_range for k in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"))
