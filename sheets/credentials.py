"""Access tokens for the Sheets API: where they come from, refreshed before they expire.

Three sources, one small interface (`TokenSource`):

- `MetadataToken`: on Google Cloud (Cloud Functions, Cloud Run, GCE) the runtime's own
  service account, from the metadata server: no key file and no google-auth import (the
  webhook's cold start).
- `GoogleAuthToken`: google-auth's credentials, a service-account key file
  (GOOGLE_APPLICATION_CREDENTIALS) or Application Default Credentials. google-auth and its
  requests transport are imported only when this source is first asked for a token: they
  cost ~90 ms of import here, which the webhook on Google Cloud never pays.
- `StaticToken`: a fixed token (tests, the benchmark's fake Sheets API).
"""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Callable, Mapping, Optional, Protocol

from sheets.store import StoreError

if TYPE_CHECKING:  # typing only: importing google-auth costs time the webhook does not have
    from google.auth.credentials import Credentials

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
# The claims bucket (sheets.claims): a token of its own, with only Cloud Storage's read/write scope.
STORAGE_SCOPES = ("https://www.googleapis.com/auth/devstorage.read_write",)
METADATA_ACCOUNT_PATH = "/computeMetadata/v1/instance/service-accounts/default/"

CREDENTIALS_HELP = (
    "ตั้งค่าบัญชีบริการของ Google: ใส่ที่อยู่ไฟล์ JSON ของบัญชีบริการในตัวแปร GOOGLE_APPLICATION_CREDENTIALS "
    "แล้วแชร์สเปรดชีตให้อีเมลของบัญชีบริการนั้น (หรือใช้ Application Default Credentials บน Google Cloud) "
    "(set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key file and share the spreadsheet "
    "with its e-mail, or run with Application Default Credentials)"
)


class TokenEndpointUnreachable(ConnectionError):
    """Google's token endpoint did not answer: as transient as the Sheets API not answering (retried)."""


class TokenSource(Protocol):
    """What the Sheets client needs to authorise a request."""

    def headers(self) -> dict[str, str]:
        """The headers that authorise a request (a valid token); raises StoreError when none can be had."""

    def refresh(self) -> bool:
        """Google refused the token: get a new one. False when a new one cannot differ (no resend)."""

    def account(self) -> str:
        """The service account's e-mail, "" if unknown (not a secret: the sheet is shared with it)."""


class StaticToken:
    """A fixed token (tests, the benchmark's fake Sheets API)."""

    def __init__(self, token: str, account: str = ""):
        self._token = token
        self._account = account

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def refresh(self) -> bool:
        return False  # nothing to renew: a resend would be refused the same way

    def account(self) -> str:
        return self._account


class MetadataToken:
    """The runtime service account's token from the metadata server, cached until near expiry."""

    def __init__(self, host: Optional[str] = None, timeout_seconds: float = 2.0, scopes: tuple[str, ...] = SCOPES):
        self.host = host or os.environ.get("GCE_METADATA_HOST") or "metadata.google.internal"
        self.timeout_seconds = timeout_seconds
        self.scopes = scopes
        self._token, self._expires = "", 0.0
        self._account: Optional[str] = None
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        with self._lock:
            if not self._token or time.monotonic() > self._expires:
                self._fetch_token()
            return {"Authorization": f"Bearer {self._token}"}

    def refresh(self) -> bool:
        with self._lock:
            self._token = ""
        return True

    def account(self) -> str:
        """Asked only when Google refuses access (to say whom to share the sheet with)."""
        with self._lock:
            if self._account is None:
                try:
                    status, data = self._get("email")
                except OSError:
                    status, data = 0, b""
                self._account = data.decode("utf-8", "replace").strip() if status == 200 else ""
            return self._account

    def _fetch_token(self) -> None:
        try:
            status, data = self._get("token?scopes=" + urllib.parse.quote(",".join(self.scopes)))
        except OSError as exc:
            raise StoreError("ขอสิทธิ์เข้าถึง Google จาก metadata server ไม่ได้ "
                             f"(metadata server unreachable: {type(exc).__name__}); "
                             "บนเครื่องทั่วไปให้ตั้ง GOOGLE_APPLICATION_CREDENTIALS") from None
        if status != 200:
            raise StoreError(f"metadata server ตอบ {status} ไม่ได้ให้สิทธิ์บัญชีบริการ "
                             f"(metadata server answered {status}: no token for the service account)")
        answer = json.loads(data)
        self._token = answer["access_token"]
        # Renewed a minute early so that a token never expires between the check and the request.
        self._expires = time.monotonic() + max(0, int(answer.get("expires_in", 300)) - 60)

    def _get(self, path: str) -> tuple[int, bytes]:
        host, _, port = self.host.partition(":")
        conn = http.client.HTTPConnection(host, int(port) if port else 80, timeout=self.timeout_seconds)
        try:
            conn.request("GET", METADATA_ACCOUNT_PATH + path, headers={"Metadata-Flavor": "Google"})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def load_credentials(scopes: tuple[str, ...] = SCOPES) -> "Credentials":
    """GOOGLE_APPLICATION_CREDENTIALS if set, else Application Default Credentials."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError
    from google.oauth2 import service_account

    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    try:
        if path:
            credentials = service_account.Credentials.from_service_account_file(path, scopes=list(scopes))
        else:
            credentials, _ = google.auth.default(scopes=list(scopes))
    except (DefaultCredentialsError, ValueError, OSError, KeyError) as exc:
        # Say what kind of problem only: a key file's content must never reach a log.
        if path and not os.path.isfile(path):
            what = f"ไม่พบไฟล์ {path} ที่ GOOGLE_APPLICATION_CREDENTIALS ชี้ไป (no such key file)"
        elif path:
            what = (f"ไฟล์ {path} ไม่ใช่กุญแจบัญชีบริการที่ใช้ได้ "
                    f"(not a usable service-account key: {type(exc).__name__})")
        else:
            what = "ไม่พบสิทธิ์เข้าถึง Google (no Application Default Credentials)"
        raise StoreError(f"{what}. {CREDENTIALS_HELP}") from None
    return credentials


class GoogleAuthToken:
    """google-auth credentials (given, else `load_credentials()`), refreshed and applied by google-auth."""

    def __init__(self, credentials: Optional["Credentials"] = None, scopes: tuple[str, ...] = SCOPES):
        self._credentials = credentials
        self.scopes = scopes
        self._lock = threading.Lock()

    def headers(self) -> dict[str, str]:
        with self._lock:
            credentials = self._loaded()
            if not credentials.valid:
                self._renew(credentials)
            headers: dict[str, str] = {}
            credentials.apply(headers)  # google-auth's own: the token and, for user ADC, the quota project
            return headers

    def refresh(self) -> bool:
        with self._lock:
            self._renew(self._loaded())
        return True

    def account(self) -> str:
        with self._lock:
            return str(getattr(self._credentials, "service_account_email", "") or "")

    def _loaded(self) -> "Credentials":
        if self._credentials is None:
            self._credentials = load_credentials(self.scopes)
        return self._credentials

    @staticmethod
    def _renew(credentials: "Credentials") -> None:
        from google.auth.exceptions import GoogleAuthError, TransportError
        from google.auth.transport.requests import Request

        try:
            credentials.refresh(Request())
        except TransportError:
            raise TokenEndpointUnreachable("Google's token endpoint did not answer") from None
        except (GoogleAuthError, ValueError) as exc:
            raise StoreError(f"ยืนยันตัวตนกับ Google ไม่ผ่าน (authentication failed: {type(exc).__name__}). "
                             f"{CREDENTIALS_HELP}") from None


def bearer_token(source: TokenSource) -> Callable[[], str]:
    """A token source as the token callable the Cloud Storage and Drive clients take (the bare access
    token; they add "Bearer " themselves). The source must carry the scope the client needs."""
    def token() -> str:
        return source.headers().get("Authorization", "").removeprefix("Bearer ").strip()

    return token


def token_source_from_env(env: Mapping[str, str], scopes: tuple[str, ...] = SCOPES) -> TokenSource:
    """On Google Cloud (K_SERVICE / GCE_METADATA_HOST set, no key file): metadata server; else google-auth."""
    if not env.get("GOOGLE_APPLICATION_CREDENTIALS") and (env.get("K_SERVICE") or env.get("GCE_METADATA_HOST")):
        return MetadataToken(env.get("GCE_METADATA_HOST"), scopes=scopes)
    return GoogleAuthToken(scopes=scopes)
