"""What every local fake shares: a threaded HTTP server on 127.0.0.1 (quiet when a client goes
away), started and stopped with `with`, at `url`. A fake names its request handler class
(`handler`, which reaches the fake as `self.fake`) and the name of its server thread. `Faulty`
gives the faults programmed on purpose, the requests counted and the violations recorded, the
same way for the Sheets, Cloud Storage and Drive fakes (LINE's, with two hosts and faults by path,
keeps its own)."""
from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Optional, Self


def pretty_printed(query: dict[str, list[str]]) -> bool:
    """Whether a Google API indents its answer to this query: the standard parameter prettyPrint,
    true unless the request says false (every Google fake here answers as Google does)."""
    return query.get("prettyPrint", ["true"])[-1].lower() != "false"


class LoopbackServer(ThreadingHTTPServer):
    """A threaded server on loopback that says nothing when a client goes away mid-request (a
    client that timed out, a benchmark child that exits while its background upload is open):
    that is expected here. Any other error in a handler is printed, as socketserver does."""

    daemon_threads = True  # a delayed answer must not hold up stop()
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class LoopbackFake:
    handler: ClassVar[type[BaseHTTPRequestHandler]]
    thread_name: ClassVar[str] = "fake"
    _server: Optional[ThreadingHTTPServer] = None

    def start(self) -> Self:
        bound = type("BoundHandler", (self.handler,), {"fake": self})
        self._server = LoopbackServer(("127.0.0.1", 0), bound)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                         name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"


class Faulty:
    """Faults programmed on purpose, the requests it saw and the violations recorded, for a fake with
    `_lock`, `_faults` (objects with `kind` and `times`: None = every request / for good),
    `requests` (objects with `kind` and `status`) and `violations`."""

    _lock: threading.RLock
    _faults: list[Any]
    requests: list[Any]
    violations: list[str]

    def count(self, *kinds: str) -> int:
        """Requests of these kinds (all requests when none given)."""
        with self._lock:
            return sum(1 for r in self.requests if not kinds or r.kind in kinds)

    def kinds(self) -> list[Optional[str]]:
        with self._lock:
            return [r.kind for r in self.requests]

    def statuses(self) -> list[int]:
        with self._lock:
            return [r.status for r in self.requests]

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: Any) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, kind: Optional[str]) -> Any:
        """The first fault for this kind of request (used up after `times`), or None."""
        with self._lock:
            for fault in self._faults:
                if fault.kind is None or fault.kind == kind:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _violate(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)
