"""line_webhook as Cloud Functions serves it: `functions-framework --target line_webhook` in its own process.

functions-framework serves through gunicorn: main.py is loaded in the master
process, then the worker that answers is forked from it. The test client
(`create_app(...).test_client()`) never forks, so only a real server shows
what a fork does to state made at import (a thread started in the master was
forked half-way through its imports: the worker answered 500 or hung). Each
start here is cold, with a Google-backed store (the Sheets fake), replies to
the LINE fake and the access token from a metadata server, as on Google Cloud.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator

import pytest

from bench.webhook_bench import metadata_server
from core.config import ROOT
from messaging.signature import sign
from tests.chat_support import SECRET, load_province, postback_data, postback_event, text_event, text_of
from tests.conftest import SPREADSHEET_ID
from tests.fakes.line_api import DEFAULT_TOKEN, LineFake
from tests.fakes.sheets_api import SheetsFake
from tests.sheetdata import USER_OF01

FUNCTIONS_FRAMEWORK = Path(sys.executable).with_name("functions-framework")
STARTS = 4
READY_SECONDS = 20.0     # the server listening (gunicorn, Flask and main.py loaded)
ANSWER_SECONDS = 8.0     # one webhook request answered (LINE itself waits 2 s at most)


def functions_framework_command(port: int) -> list[str]:
    """How Cloud Functions starts the function (its buildpack runs functions-framework --target ...)."""
    return [str(FUNCTIONS_FRAMEWORK), "--target", "line_webhook", "--source", str(ROOT / "main.py"),
            "--host", "127.0.0.1", "--port", str(port)]


def serve_command(port: int) -> list[str]:
    """`python main.py serve`: the webhook on this machine, for a tunnel and a test channel."""
    return [sys.executable, str(ROOT / "main.py"), "serve", "--host", "127.0.0.1", "--port", str(port)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A webhook server process on 127.0.0.1:port; what it logs goes to a file (a pipe could fill up)."""

    def __init__(self, process: subprocess.Popen, port: int, log: IO[bytes]):
        self.process, self.port, self._log = process, port, log

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-3000:]

    def post(self, events: list[dict], *, secret: str = SECRET) -> int:
        """One signed webhook request; its HTTP status (no answer within ANSWER_SECONDS fails the test)."""
        body = json.dumps({"destination": "U" + "f" * 32, "events": events}, ensure_ascii=False).encode("utf-8")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=ANSWER_SECONDS)
        try:
            conn.request("POST", "/", body=body, headers={"Content-Type": "application/json",
                                                          "X-Line-Signature": sign(secret, body)})
            response = conn.getresponse()
            response.read()
            return response.status
        except TimeoutError:
            raise AssertionError(f"no answer within {ANSWER_SECONDS:.0f} s; the server logged:\n{self.log()}") from None
        finally:
            conn.close()


@contextmanager
def served(env: dict[str, str], command: Callable[[int], list[str]] = functions_framework_command,
           ) -> Iterator[Server]:
    """The webhook served on a free port by `command`; killed (its whole process group) on the way out."""
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        server = Server(process, port, log)
        try:
            deadline = time.monotonic() + READY_SECONDS
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"the server exited with {process.returncode}:\n{server.log()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"the server did not listen within {READY_SECONDS:.0f} s") from None
                    time.sleep(0.05)
            yield server
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)   # gunicorn's master and its worker
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def deployed_env(sheets_fake, line_fake, sheet_on_drive) -> Iterator[dict[str, str]]:
    """The environment of a deployed function: a gsheet: store on the Sheets fake, its revision on the
    Drive fake, LINE on the LINE fake."""
    load_province(sheets_fake)
    with metadata_server() as metadata:
        env = {**os.environ, "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": DEFAULT_TOKEN,
               "KKC_STORE": f"gsheet:{SPREADSHEET_ID}", "KKC_SHEETS_API_URL": sheets_fake.url,
               "KKC_LINE_API_URL": line_fake.url, "KKC_DRIVE_API_URL": sheet_on_drive.url,
               "GCE_METADATA_HOST": metadata, "K_SERVICE": "line-webhook",
               "FUNCTION_TARGET": "line_webhook", "NO_PROXY": "127.0.0.1,localhost"}
        env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        yield env
    assert line_fake.violations == [], line_fake.violations


def answers_every_event(server: Server, sheets_fake: SheetsFake, line_fake: LineFake) -> None:
    """A question, a button and a forged request, each answered (the first two through LINE)."""
    token = line_fake.new_reply_token(USER_OF01)
    assert server.post([text_event(USER_OF01, "ค้างชำระ", token)]) == 200, server.log()
    assert len(line_fake.replies) == 1
    arrears = text_of(line_fake.replies[0].messages)
    assert "F1-002" in arrears and "ขออภัย" not in arrears
    assert sheets_fake.count("values.batchGet") == 1

    data = urllib.parse.urlencode({"a": "cmd", "t": "ค้นหา F1-001"})
    assert server.post([postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01))]) == 200, server.log()
    assert len(line_fake.replies) == 2
    found = text_of(line_fake.replies[1].messages)
    assert "F1-001" in found and "10,000 บาท" in found and "ขออภัย" not in found

    forged = text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01))
    assert server.post([forged], secret="not-the-channel-secret") == 400
    assert len(line_fake.replies) == 2
    assert sheets_fake.count("values.batchGet") == 1  # the later events were answered warm
    assert server.process.poll() is None              # and it is still serving


@pytest.mark.parametrize("start", range(1, STARTS + 1))
def test_a_cold_deployed_instance_answers_every_event(deployed_env, sheets_fake, line_fake, start):
    with served(deployed_env) as server:
        answers_every_event(server, sheets_fake, line_fake)


def test_main_py_serve_answers_as_the_deployed_function(deployed_env, sheets_fake, line_fake):
    env = {k: v for k, v in deployed_env.items() if k != "FUNCTION_TARGET"}  # serve sets it itself
    with served(env, serve_command) as server:
        answers_every_event(server, sheets_fake, line_fake)



# ---------------------------------------------------------------- two instances, one confirm

DEPLOYED_RACES = 3


def answer_to(server: Server, event: dict, line_fake: LineFake) -> list[dict]:
    """One event posted to the server; LINE's reply to it (by its reply token: the other server replies too)."""
    assert server.post([event]) == 200, server.log()
    return [m for r in list(line_fake.replies) if r.reply_token == event["replyToken"] for m in r.messages]


def test_two_deployed_instances_record_a_double_tapped_repayment_once(deployed_env, sheets_fake, line_fake,
                                                                      storage_fake, tmp_path):
    """Two functions-framework servers (two Cloud Functions instances) on one Sheets fake and one claims
    bucket get the same signed confirm at the same moment: one row, one "recorded", one "already"."""
    from tests.test_repayment_once import ALREADY, RECORDED, payment_refs, race_threads, ref_of

    # A roomy budget: this is about the race, on a machine where two servers start at once.
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text(encoding="utf-8").replace(
        "budget_seconds: 1.5", "budget_seconds: 10"), encoding="utf-8")
    env = {**deployed_env, "KKC_CLAIMS_BUCKET": "kkc-test", "KKC_STORAGE_API_URL": storage_fake.url,
           "KKC_CONFIG": str(config)}
    with served(env) as first, served(env) as second:
        for server in (first, second):  # both warm: what is raced is the confirm, not the cold start
            answer_to(server, text_event(USER_OF01, "เมนู", line_fake.new_reply_token(USER_OF01)), line_fake)
        for _ in range(DEPLOYED_RACES):
            card = answer_to(first, text_event(USER_OF01, "ชำระ F1-001 100", line_fake.new_reply_token(USER_OF01)),
                             line_fake)
            data = postback_data(card, "ยืนยันบันทึก")
            taps = [postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)) for _ in range(2)]
            answers = race_threads(lambda: text_of(answer_to(first, taps[0], line_fake)),
                                   lambda: text_of(answer_to(second, taps[1], line_fake)))
            assert payment_refs(sheets_fake).count(ref_of(data)) == 1, (answers, first.log(), second.log())
            assert sum(RECORDED in a for a in answers) == 1 and sum(ALREADY in a for a in answers) == 1, answers
    claims = [name for name in storage_fake.names() if name.startswith("claims/")]
    assert len(claims) == DEPLOYED_RACES  # one claim object per ref, in the bucket (beside the snapshots)


# ---------------------------------------------------------------- two cold instances, one snapshot

def test_two_cold_deployed_instances_rebuild_one_snapshot_and_a_third_reads_no_sheet(deployed_env, sheets_fake,
                                                                                      line_fake, storage_fake,
                                                                                      tmp_path):
    """Two functions-framework servers start cold on one sheet and one bucket and are asked at the same
    moment: both answer from the sheet and publish; the bucket holds one snapshot of each part; a third
    cold instance answers from it without reading the sheet. Each instance has its own /tmp."""
    from tests.test_repayment_once import race_threads

    def env(name: str) -> dict[str, str]:
        return {**deployed_env, "KKC_CLAIMS_BUCKET": "kkc-test", "KKC_STORAGE_API_URL": storage_fake.url,
                "KKC_SNAPSHOT_LOCAL_DIR": str(tmp_path / name)}

    def snapshots() -> list[str]:
        return [n for n in storage_fake.names() if n.startswith("snapshots/")]

    with served(env("first")) as first, served(env("second")) as second:
        events = [text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01)) for _ in range(2)]
        answers = race_threads(lambda: text_of(answer_to(first, events[0], line_fake)),
                               lambda: text_of(answer_to(second, events[1], line_fake)))
        assert answers[0] == answers[1] and "F1-002" in answers[0], (first.log(), second.log())
        deadline = time.monotonic() + 20
        while len(snapshots()) < 2 and time.monotonic() < deadline:  # published after the answers
            time.sleep(0.05)
    assert len(snapshots()) == 2, snapshots()  # the base and OF-01's district: one each, whoever won
    reads = sheets_fake.count("values.batchGet")
    assert reads in (1, 2)  # 2 when they raced (as they almost always do); 1 if one published first
    with served(env("third")) as third:
        assert text_of(answer_to(third, text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01)),
                                 line_fake)) == answers[0]
    assert sheets_fake.count("values.batchGet") == reads, "the third instance read no sheet"
