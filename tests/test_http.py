"""core.http.KeepAlive, the light transport of the Sheets and LINE clients, against a real local server."""
from __future__ import annotations

import gzip
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from core.http import KeepAlive


class Server(ThreadingHTTPServer):
    """Answers every request with its own path; counts connections; can hang up after answering."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.connections = 0
        self.paths: list[str] = []
        self.hang_up_after_answer = False  # close the connection without saying so (as an idle timeout does)
        self.drop_next_without_answer = False
        self.gzip_answers = False
        self.stall_answers = False  # wait for `release` before answering
        self.release = threading.Event()
        self.closed = threading.Event()

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.closed.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.paths.append(self.command + " " + self.path)
        if self.server.stall_answers:
            self.server.release.wait(5)
        if self.server.drop_next_without_answer:
            self.server.drop_next_without_answer = False
            self.close_connection = True
            return
        body = self.path.encode()
        if self.server.gzip_answers:
            body = gzip.compress(body)
        try:
            self.send_response(200)
            if self.server.gzip_answers:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up waiting (the timeout test)
        if self.server.hang_up_after_answer:
            self.close_connection = True

    do_GET = do_POST = _answer  # noqa: N815 (http.server's naming)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def test_requests_share_one_connection_under_the_url_s_path(server: Server) -> None:
    transport = KeepAlive(server.url, "example.invalid", 5.0)

    answers = [transport.request("GET", f"/v{i}", None, {}) for i in range(3)]

    assert answers == [(200, b"/api/v0"), (200, b"/api/v1"), (200, b"/api/v2")]
    assert server.connections == 1 and transport.requests == 3
    assert transport.base_url == server.url


def test_a_connection_closed_while_idle_is_replaced_before_a_write_goes_out(server: Server) -> None:
    transport = KeepAlive(server.url, "example.invalid", 5.0)
    server.hang_up_after_answer = True
    assert transport.request("POST", "/first", b"{}", {}, reconnect_writes=False) == (200, b"/api/first")
    assert server.closed.wait(5)

    # Not resent (reconnect_writes=False): it must go out on a new connection the first time.
    assert transport.request("POST", "/second", b"{}", {}, reconnect_writes=False) == (200, b"/api/second")

    assert server.paths == ["POST /api/first", "POST /api/second"]
    assert server.connections == 2


def test_a_lost_answer_to_a_read_is_asked_again_once_but_a_write_is_left_to_the_caller(server: Server) -> None:
    transport = KeepAlive(server.url, "example.invalid", 5.0)
    transport.request("GET", "/warm", None, {})

    server.drop_next_without_answer = True
    assert transport.request("GET", "/read", None, {}) == (200, b"/api/read")
    server.drop_next_without_answer = True
    with pytest.raises(http.client.RemoteDisconnected):
        transport.request("POST", "/write", b"{}", {}, reconnect_writes=False)

    assert server.paths == ["GET /api/warm", "GET /api/read", "GET /api/read", "POST /api/write"]


def test_gzip_answers_come_back_decompressed(server: Server) -> None:
    server.gzip_answers = True

    assert KeepAlive(server.url, "example.invalid", 5.0).request("GET", "/z", None, {}) == (200, b"/api/z")


def test_a_late_answer_is_a_timeout(server: Server) -> None:
    transport = KeepAlive(server.url, "example.invalid", 0.2)
    server.stall_answers = True
    try:
        with pytest.raises(TimeoutError):
            transport.request("GET", "/slow", None, {})
    finally:
        server.release.set()
    assert server.paths == ["GET /api/slow"]  # a timeout is the caller's to retry, not resent here
