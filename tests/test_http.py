"""core.http.KeepAlive, the light transport of the Sheets and LINE clients, against a real local server."""
from __future__ import annotations

import base64
import gzip
import http.client
import selectors
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from core.http import KeepAlive, Proxy, proxy_from_env


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


class TunnelProxy(socketserver.ThreadingTCPServer):
    """A CONNECT proxy, as in an office network: records each CONNECT line and its headers, then relays bytes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), TunnelHandler)
        self.connects: list[tuple[str, dict[str, str]]] = []

    @property
    def proxy(self) -> Proxy:
        return Proxy("127.0.0.1", self.server_address[1], {})


class TunnelHandler(socketserver.StreamRequestHandler):
    server: TunnelProxy

    def handle(self) -> None:
        request_line = self.rfile.readline().decode("latin-1").strip()
        headers = {}
        while (line := self.rfile.readline().decode("latin-1").strip()):
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        self.server.connects.append((request_line, headers))
        host, _, port = request_line.split()[1].rpartition(":")
        with socket.create_connection((host, int(port))) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            # A selector, not select(): a long test run may hold descriptors past select()'s 1024.
            with selectors.DefaultSelector() as ready:
                ready.register(self.connection, selectors.EVENT_READ)
                ready.register(upstream, selectors.EVENT_READ)
                while True:
                    events = ready.select(5)
                    if not events:
                        return
                    for key, _ in events:
                        sock = key.fileobj
                        data = sock.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        (upstream if sock is self.connection else self.connection).sendall(data)


@pytest.fixture
def tunnel() -> Iterator[TunnelProxy]:
    running = TunnelProxy()
    threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


def test_requests_go_through_a_connect_tunnel_with_the_proxy_s_credentials(server: Server,
                                                                          tunnel: TunnelProxy) -> None:
    proxy = Proxy.from_url(f"http://officer:s%3Ecret@127.0.0.1:{tunnel.server_address[1]}")
    transport = KeepAlive(server.url, "example.invalid", 5.0, proxy=proxy)

    assert transport.request("GET", "/a", None, {}) == (200, b"/api/a")
    assert transport.request("POST", "/b", b"{}", {}) == (200, b"/api/b")

    target = f"127.0.0.1:{server.server_address[1]}"
    assert [line for line, _ in tunnel.connects] == [f"CONNECT {target} HTTP/1.0"]  # one tunnel, kept alive
    assert tunnel.connects[0][1]["Proxy-Authorization"] == "Basic " + base64.b64encode(b"officer:s>cret").decode()
    assert server.paths == ["GET /api/a", "POST /api/b"]


@pytest.mark.parametrize("env, host, expected", [
    ({"HTTPS_PROXY": "http://proxy.trat.local:3128"}, "sheets.googleapis.com", ("proxy.trat.local", 3128)),
    ({"https_proxy": "proxy.trat.local:3128", "HTTPS_PROXY": "other:1"}, "api.line.me", ("proxy.trat.local", 3128)),
    ({"HTTPS_PROXY": "http://proxy.trat.local"}, "api.line.me", ("proxy.trat.local", 80)),
    ({"HTTPS_PROXY": "http://proxy.trat.local:3128", "NO_PROXY": "localhost,.googleapis.com"},
     "sheets.googleapis.com", None),
    ({"HTTPS_PROXY": "http://proxy.trat.local:3128", "no_proxy": "*"}, "api.line.me", None),
    ({"HTTPS_PROXY": "http://proxy.trat.local:3128", "NO_PROXY": "line.me"}, "api.line.me", None),
    ({"HTTPS_PROXY": "http://proxy.trat.local:3128", "NO_PROXY": "e.me"}, "api.line.me", ("proxy.trat.local", 3128)),
    ({}, "sheets.googleapis.com", None),
])
def test_the_environment_names_the_proxy_for_https_hosts(env: dict[str, str], host: str,
                                                         expected: tuple[str, int] | None) -> None:
    proxy = proxy_from_env("https", host, env)
    if expected is None:
        assert proxy is None
    else:
        assert proxy is not None and (proxy.host, proxy.port) == expected
    assert proxy_from_env("http", host, env) is None  # plain http (the local fakes) never goes through one
