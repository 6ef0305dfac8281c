"""A local fake of Google Cloud's metadata server: the runtime service account's token and e-mail.

Answers only what sheets.credentials.MetadataToken asks for, as Google documents it
(https://cloud.google.com/compute/docs/metadata/querying-metadata): requests without
`Metadata-Flavor: Google` are refused with 403; every token handed out is new and counted.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

ACCOUNT_PATH = "/computeMetadata/v1/instance/service-accounts/default/"


class MetadataFake:
    """Started with `with MetadataFake() as fake:`; `fake.host` is what GCE_METADATA_HOST holds."""

    def __init__(self, email: str = "kkc-fn@kkc-trat.iam.gserviceaccount.com", expires_in: int = 3599):
        self.email = email
        self.expires_in = expires_in
        self.tokens: list[str] = []       # every token handed out, in order
        self.scopes: list[str] = []       # the scopes each token request asked for
        self._server: Optional[ThreadingHTTPServer] = None

    def __enter__(self) -> "MetadataFake":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, body, kind = fake._answer(self.path, self.headers.get("Metadata-Flavor"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def host(self) -> str:
        assert self._server is not None, "enter the fake first"
        return f"127.0.0.1:{self._server.server_address[1]}"

    def _answer(self, raw_path: str, flavor: Optional[str]) -> tuple[int, bytes, str]:
        if flavor != "Google":
            return 403, b"Missing Metadata-Flavor:Google header.", "text/plain"
        split = urlsplit(raw_path)
        if split.path == ACCOUNT_PATH + "token":
            token = f"metadata-token-{len(self.tokens) + 1}"
            self.tokens.append(token)
            self.scopes.append(",".join(parse_qs(split.query).get("scopes", [""])))
            body = {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}
            return 200, json.dumps(body).encode(), "application/json"
        if split.path == ACCOUNT_PATH + "email":
            return 200, self.email.encode(), "application/text"
        return 404, b"Not Found", "text/plain"
