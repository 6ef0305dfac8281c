"""One kept-alive HTTP(S) connection per host for the light clients (Google Sheets, Drive, Cloud
Storage, LINE), answers taken gzip-compressed where the server offers it (see USER_AGENT).

The webhook answers within LINE's 2 seconds, so it reuses one connection per
host instead of a new TLS handshake per request, and uses only the standard
library (requests and the SDKs cost hundreds of milliseconds to import).

A connection the server closed while it sat idle is found before a request is
sent on it (its socket is readable: end of stream), so that even a write goes
out on a fresh connection instead of failing half-way.

Behind an office proxy, HTTPS goes through it as with requests and urllib:
HTTPS_PROXY / https_proxy (user:password@ allowed) by a CONNECT tunnel, NO_PROXY
respected. NO_PROXY is matched here as urllib.request matches it, because importing
urllib.request costs 64 ms, a tenth of the webhook's cold start.
"""
from __future__ import annotations

import base64
import gzip
import http.client
import os
import select
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class Proxy:
    """Where to open the CONNECT tunnel, and the headers it needs."""

    host: str
    port: int
    headers: Mapping[str, str]

    @classmethod
    def from_url(cls, url: str) -> "Proxy":
        parts = urllib.parse.urlsplit(url if "://" in url else "http://" + url)
        headers = {}
        if parts.username:
            secret = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode("ascii")
        return cls(parts.hostname or "", parts.port or 80, headers)


def proxy_from_env(scheme: str, host: str, env: Mapping[str, str] = os.environ) -> Optional[Proxy]:
    """The proxy the environment names for an HTTPS host (NO_PROXY respected), else None."""
    url = env.get("https_proxy") or env.get("HTTPS_PROXY")  # lower case first, as urllib reads them
    if scheme != "https" or not url or _bypassed(host, env.get("no_proxy") or env.get("NO_PROXY") or ""):
        return None
    return Proxy.from_url(url)


def _bypassed(host: str, no_proxy: str) -> bool:
    """NO_PROXY: "*" for every host, else host names and DNS suffixes (a leading dot is ignored)."""
    host = host.lower()
    for name in (n.strip().lstrip(".").lower() for n in no_proxy.split(",")):
        if name == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


# Google compresses an answer only when the request both accepts gzip and names "gzip" in its
# User-Agent (the APIs' performance guides): without it, a big province's sheet read is 41 MB on
# the wire instead of 7 MB. Every request carries it; a caller's own User-Agent wins.
USER_AGENT = "kkc-care/1.0 (gzip)"
# Google's APIs indent their answers unless asked not to (the standard parameter prettyPrint,
# default true): at a big province the indentation is as many bytes as the cells (an 80k read by
# columns is 81 MB instead of 43 MB once decompressed, held while it is decoded). Every request to
# a Google API sends this; LINE's API answers compactly anyway.
GOOGLE_QUERY = {"prettyPrint": "false"}


class KeepAlive:
    """request(method, path, body, headers) -> (status, body bytes) on one reused connection."""

    def __init__(self, api_url: str, default_host: str, timeout_seconds: float, *,
                 proxy: Optional[Proxy] = None):
        """`proxy`: a CONNECT tunnel to use; None takes the one the environment names (if any)."""
        parts = urllib.parse.urlsplit(api_url.rstrip("/"))
        self.scheme = parts.scheme or "https"
        self.host = parts.hostname or default_host
        self.port = parts.port
        self.prefix = parts.path
        self.timeout_seconds = timeout_seconds
        self.proxy = proxy if proxy is not None else proxy_from_env(self.scheme, self.host)
        self.requests = 0
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}{':' + str(self.port) if self.port else ''}{self.prefix}"

    def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str],
                reconnect_writes: bool = True) -> tuple[int, bytes]:
        """One request; a kept-alive connection the server had closed is reopened once, at once.

        `reconnect_writes=False`: a write is not resent on a dropped connection (it may have
        been applied); the caller's own retry policy decides.
        Raises OSError (TimeoutError when the answer is late) or http.client.HTTPException.
        """
        headers = {"User-Agent": USER_AGENT, **headers}
        with self._lock:
            self.requests += 1
            for fresh in (False, True):
                conn = self._connection()
                try:
                    conn.request(method, self.prefix + path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    if response.getheader("Content-Encoding", "") == "gzip":
                        data = gzip.decompress(data)
                    if response.getheader("Connection", "").lower() == "close":
                        self._drop()
                    return response.status, data
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    self._drop()
                    if fresh or (method != "GET" and not reconnect_writes):
                        raise
                except (OSError, http.client.HTTPException):
                    self._drop()
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is not None and self._closed_by_server(self._conn):
            self._drop()
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            if self.proxy is None:
                self._conn = cls(self.host, self.port, timeout=self.timeout_seconds)
            else:  # TLS (for https) is then made with the host itself, through the tunnel
                self._conn = cls(self.proxy.host, self.proxy.port, timeout=self.timeout_seconds)
                self._conn.set_tunnel(self.host, self.port, headers=dict(self.proxy.headers))
        return self._conn

    @staticmethod
    def _closed_by_server(conn: http.client.HTTPConnection) -> bool:
        """An idle connection with something to read has been closed (or broken) by the other end."""
        sock = conn.sock
        if sock is None:
            return False  # not connected yet: it connects on the next request
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
