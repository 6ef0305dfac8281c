"""A light Google Sheets store for the webhook: one batch read, plain appends.

`sheets.google.GoogleStore` (gspread + google-auth + requests) is right for the
command line and the daily jobs, but importing it costs 0.2–0.7 s here (gspread
pulls in google-auth's service-account and RSA code), a large share of the
webhook's 1-second cold-start budget. The chat needs two calls only:
values:batchGet (one request for every tab it reads) and values:append. This
store makes them with http.client over one kept-alive connection, with the
same value options, row cleaning and header matching as GoogleStore, so both
read the same tables. Anything else (adding a missing tab or column,
init-sheet, rewriting a generated tab) is handed to GoogleStore, imported only then.

The access token comes from the metadata server on Google Cloud (Cloud
Functions: the function's service account, no key file, no google-auth import),
else from google-auth (GOOGLE_APPLICATION_CREDENTIALS or Application Default
Credentials on a PC), loaded only on that path.
"""
from __future__ import annotations

import http.client
import json
import logging
import os
import random
import threading
import time
import urllib.parse
from typing import Any, Callable, Mapping, Sequence

from core.http import KeepAlive
from core.schema import normalize_header
from sheets.store import Layout, StoreError, Table, batch_read, header_of, ordered_row, to_text_cell

log = logging.getLogger("kkc.sheets")

METADATA_TOKEN_PATH = "/computeMetadata/v1/instance/service-accounts/default/token"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)


# ---------------------------------------------------------------- access tokens

class StaticToken:
    """A fixed token (tests, the bench's fake Sheets)."""

    def __init__(self, token: str):
        self._token = token

    def token(self) -> str:
        return self._token

    def refresh(self) -> None:
        pass


class MetadataToken:
    """The runtime service account's token from the metadata server, cached until near expiry."""

    def __init__(self, host: str | None = None, timeout: float = 2.0):
        self.host = host or os.environ.get("GCE_METADATA_HOST") or "metadata.google.internal"
        self.timeout = timeout
        self._token, self._expires = "", 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if not self._token or time.monotonic() > self._expires:
                self._fetch()
            return self._token

    def refresh(self) -> None:
        with self._lock:
            self._token = ""

    def _fetch(self) -> None:
        host, _, port = self.host.partition(":")
        conn = http.client.HTTPConnection(host, int(port) if port else 80, timeout=self.timeout)
        try:
            conn.request("GET", METADATA_TOKEN_PATH + "?scopes=" + urllib.parse.quote(",".join(SCOPES)),
                         headers={"Metadata-Flavor": "Google"})
            response = conn.getresponse()
            data = response.read()
        except OSError as exc:
            raise StoreError("ขอสิทธิ์เข้าถึง Google จาก metadata server ไม่ได้ "
                             f"(metadata server unreachable: {type(exc).__name__}); "
                             "บนเครื่องทั่วไปให้ตั้ง GOOGLE_APPLICATION_CREDENTIALS") from None
        finally:
            conn.close()
        if response.status != 200:
            raise StoreError(f"metadata server ตอบ {response.status} (no token for the service account)")
        answer = json.loads(data)
        self._token = answer["access_token"]
        self._expires = time.monotonic() + max(0, int(answer.get("expires_in", 300)) - 60)


class GoogleAuthToken:
    """google-auth's credentials (key file or ADC), imported only when this path is taken."""

    def __init__(self) -> None:
        self._credentials: Any = None
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._credentials is None:
                from sheets.google import load_credentials

                self._credentials = load_credentials()
            if not self._credentials.valid:
                from google.auth.transport.requests import Request

                self._credentials.refresh(Request())
            return self._credentials.token

    def refresh(self) -> None:
        with self._lock:
            if self._credentials is not None:
                self._credentials.expiry = None
                self._credentials.token = None


def token_source_from_env(env: Mapping[str, str]) -> Any:
    """On Google Cloud (K_SERVICE / GCE_METADATA_HOST set, no key file): metadata server; else google-auth."""
    if not env.get("GOOGLE_APPLICATION_CREDENTIALS") and (env.get("K_SERVICE") or env.get("GCE_METADATA_HOST")):
        return MetadataToken(env.get("GCE_METADATA_HOST"))
    return GoogleAuthToken()


# ---------------------------------------------------------------- the store

class SheetsError(StoreError):
    def __init__(self, message: str, status: int | None = None, google_message: str = ""):
        super().__init__(message)
        self.status, self.google_message = status, google_message

    @property
    def bad_range(self) -> bool:
        return self.status == 400 and "Unable to parse range" in self.google_message


def _quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


class FastSheetsStore:
    """Store.read and Store.append over the Sheets v4 REST API; the rest via GoogleStore."""

    def __init__(self, sheet_id: str, layout: Layout, token_source: Any, *, api_url: str,
                 timeout_seconds: float = 5.0, max_tries: int = 2, backoff_seconds: float = 0.2,
                 config: Any = None, sleep: Callable[[float], None] = time.sleep):
        self.sheet_id = sheet_id
        self.layout = layout
        self.tokens = token_source
        self._http = KeepAlive(api_url, "sheets.googleapis.com", timeout_seconds)
        self.timeout_seconds = timeout_seconds
        self.max_tries = max(1, max_tries)
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.config = config
        self.description = f"Google Sheets {sheet_id}"
        self._headers: dict[str, list[str] | None] = {}
        self._full: Any = None

    @classmethod
    def from_config(cls, sheet_id: str, config: Any, layout: Layout, token_source: Any) -> "FastSheetsStore":
        s = config.sheets
        # Inside LINE's 2-second window there is no time for long backoffs: two tries, short waits.
        return cls(sheet_id, layout, token_source, api_url=s.api_url,
                   timeout_seconds=min(float(s.timeout_seconds), 5.0), max_tries=min(int(s.max_tries), 2),
                   backoff_seconds=min(float(s.backoff_seconds), 0.2), config=config)

    # -- Store ------------------------------------------------------------
    def read(self, tab_keys: Sequence[str]) -> dict[str, Table]:
        titles = {key: self.layout.title(key) for key in tab_keys}
        tables = batch_read(titles, self._batch_get, self._titles)
        self._headers.update({t.title: (t.header if t.exists else None) for t in tables.values()})
        return tables

    def append(self, tab_key: str, records: Sequence[Mapping[str, Any]]) -> None:
        if not records:
            return
        title = self.layout.title(tab_key)
        header = self._headers.get(title)
        if header is None:
            header = self._header_row(title)
        wanted = {normalize_header(h) for h in self.layout.headers(tab_key)}
        if header is None or not wanted <= set(header):
            # A missing tab or column: GoogleStore adds it (without moving anything typed).
            self._full_store().append(tab_key, records)
            self._headers.pop(title, None)
            return
        rows = [[to_text_cell(v) for v in ordered_row(header, record, tab_key, self.layout)] for record in records]
        path = (f"/v4/spreadsheets/{urllib.parse.quote(self.sheet_id, safe='')}/values/"
                f"{urllib.parse.quote(_quote_title(title), safe='')}:append?"
                + urllib.parse.urlencode({"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}))
        # Not retried: an append whose answer is lost may have happened (the chat's refs dedupe it).
        self._call("POST", path, {"majorDimension": "ROWS", "values": rows}, retry=False)

    def rewrite(self, tab_key: str, rows: Sequence[Sequence[Any]]) -> None:
        self._full_store().rewrite(tab_key, rows)

    def init_template(self, templates: Sequence[Any]) -> list[str]:
        return self._full_store().init_template(templates)

    # -- requests ------------------------------------------------------------
    def _batch_get(self, titles: Sequence[str]) -> dict[str, list[list[Any]]]:
        query = [("ranges", _quote_title(t)) for t in titles] + [
            ("valueRenderOption", "UNFORMATTED_VALUE"), ("dateTimeRenderOption", "FORMATTED_STRING"),
            ("majorDimension", "ROWS")]
        path = (f"/v4/spreadsheets/{urllib.parse.quote(self.sheet_id, safe='')}/values:batchGet?"
                + urllib.parse.urlencode(query))
        answer = self._call("GET", path, None)
        return {t: vr.get("values", []) for t, vr in zip(titles, answer.get("valueRanges", []))}

    def _titles(self) -> set[str]:
        path = (f"/v4/spreadsheets/{urllib.parse.quote(self.sheet_id, safe='')}?"
                + urllib.parse.urlencode({"fields": "sheets.properties.title"}))
        answer = self._call("GET", path, None)
        return {s["properties"]["title"] for s in answer.get("sheets", [])}

    def _header_row(self, title: str) -> list[str] | None:
        path = (f"/v4/spreadsheets/{urllib.parse.quote(self.sheet_id, safe='')}/values/"
                f"{urllib.parse.quote(_quote_title(title) + '!1:1', safe='')}?"
                + urllib.parse.urlencode({"valueRenderOption": "UNFORMATTED_VALUE"}))
        try:
            answer = self._call("GET", path, None)
        except SheetsError as exc:
            if exc.bad_range:
                return None
            raise
        values = answer.get("values", [])
        header = header_of(values)
        self._headers[title] = header
        return header

    def _call(self, method: str, path: str, body: Any, retry: bool = True) -> dict[str, Any]:
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        failure, status = "", None
        tries = self.max_tries if retry else 1
        for attempt in range(1, tries + 1):
            try:
                status, data = self._send(method, path, payload, attempt)
            except (OSError, http.client.HTTPException) as exc:
                failure = f"ติดต่อ Google Sheets ไม่ได้ ({type(exc).__name__})"
                status = None
            else:
                if 200 <= status < 300:
                    return json.loads(data) if data else {}
                code, message = _google_error(data)
                if status == 401 and attempt == 1:
                    self.tokens.refresh()
                    failure = f"Google Sheets ตอบ 401 ({message})"
                    continue
                if status not in (408, 429) and status < 500:
                    raise SheetsError(f"Google Sheets ตอบกลับ {status} ({code}: {message})", status, message)
                failure = f"Google Sheets ตอบกลับ {status} ({code}: {message})"
            if attempt < tries:
                self.sleep(random.random() * self.backoff_seconds * 2 ** (attempt - 1))
        raise SheetsError(f"{failure} หลังลอง {tries} ครั้ง", status)

    @property
    def requests(self) -> int:
        return self._http.requests

    def _send(self, method: str, path: str, payload: bytes | None, attempt: int) -> tuple[int, bytes]:
        headers = {"Authorization": f"Bearer {self.tokens.token()}", "Accept-Encoding": "gzip"}
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=UTF-8"
        # An append is never resent on a dropped connection here: it may already be in the sheet.
        return self._http.request(method, path, payload, headers, reconnect_writes=False)

    def _full_store(self) -> Any:
        if self._full is None:
            from sheets.google import GoogleStore

            credentials = _credentials_for(self.tokens)
            self._full = GoogleStore(self.sheet_id, self.layout, credentials=credentials,
                                     api_url=self._http.base_url,
                                     timeout_seconds=self.timeout_seconds, max_tries=self.max_tries,
                                     backoff_seconds=self.backoff_seconds)
        return self._full


def _credentials_for(tokens: Any) -> Any:
    """google-auth credentials that ask our token source (so both stores use the same identity)."""
    if isinstance(tokens, GoogleAuthToken):
        tokens.token()
        return tokens._credentials
    from google.oauth2.credentials import Credentials

    class _FromSource(Credentials):
        def __init__(self) -> None:
            super().__init__(token=tokens.token())

        def refresh(self, request: Any) -> None:  # noqa: ARG002
            tokens.refresh()
            self.token = tokens.token()

    return _FromSource()


def _google_error(data: bytes) -> tuple[str, str]:
    try:
        error = json.loads(data)["error"]
        return str(error.get("status", "")), str(error.get("message", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", data[:200].decode("utf-8", "replace")
