"""The runtime factory's users, and the one warm instance per process (handlers.instance).

The instance is what main.py's three Cloud Functions share: made on the first request, in the
process that serves it, and reused; loading main.py makes nothing (functions-framework loads it
in gunicorn's master before forking the worker: tests/test_deployed.py runs the real server).
`python main.py chat --as` builds its runtime with the same factory.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from functions_framework import create_app

from core.config import ROOT
from handlers.instance import Instance
from messaging.line import LineClient
from handlers.runtime import RuntimeConfigError
from sheets.google import GoogleStore
from messaging.outbox import OutboxMessenger
from messaging.signature import sign
from sheets.workbook import WorkbookStore
from tests.chat_support import SECRET, load_province, text_event, text_of
from tests.conftest import SPREADSHEET_ID
from tests.fakes.line_api import DEFAULT_TOKEN
from tests.sheetdata import USER_OF01, write_workbook


@pytest.fixture
def google_env(sheets_fake, line_fake, sheet_on_drive, tmp_path) -> Iterator[dict[str, str]]:
    """A deployed webhook's environment: gsheet: store on the Sheets fake, LINE fake, token from a metadata server."""
    from bench.webhook_bench import metadata_server

    load_province(sheets_fake)
    with metadata_server() as metadata:
        yield {"LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": DEFAULT_TOKEN,
               "KKC_STORE": f"gsheet:{SPREADSHEET_ID}", "KKC_SHEETS_API_URL": sheets_fake.url,
               "KKC_LINE_API_URL": line_fake.url, "GCE_METADATA_HOST": metadata, "K_SERVICE": "test",
               "KKC_DRIVE_API_URL": sheet_on_drive.url, "KKC_SNAPSHOT_DIR": str(tmp_path / "snapshots"),
               "KKC_SNAPSHOT_LOCAL_DIR": str(tmp_path / "local-snapshots")}


def test_the_webhook_runtime_is_built_once_from_the_environment(google_env, sheets_fake, line_fake):
    instance = Instance(google_env)
    runtime = instance.webhook()
    assert isinstance(runtime.store, GoogleStore) and runtime.store.sheet_id == SPREADSHEET_ID
    assert isinstance(runtime.replier, LineClient) and runtime.handler.replier.inner is runtime.replier
    assert instance.webhook() is runtime
    assert sheets_fake.count() == 0  # building reads nothing: the first event does
    body = json.dumps({"events": [text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01))]},
                      ensure_ascii=False).encode("utf-8")
    runtime.handle(body, sign(SECRET, body))
    assert "F1-002" in text_of(line_fake.replies[-1].messages) and sheets_fake.count() == 1


def test_the_first_requests_of_a_threaded_worker_share_one_build(google_env):
    instance = Instance(google_env)
    got: list[object] = []
    start = threading.Barrier(8)

    def first_request() -> None:
        start.wait()
        got.append(instance.webhook())

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(got) == 8 and all(runtime is got[0] for runtime in got)


def test_a_missing_secret_is_refused_until_it_is_set(google_env):
    env = {k: v for k, v in google_env.items() if k != "LINE_CHANNEL_SECRET"}
    instance = Instance(env)
    with pytest.raises(RuntimeConfigError, match="LINE_CHANNEL_SECRET"):
        instance.webhook()
    env["LINE_CHANNEL_SECRET"] = SECRET       # a failed build kept nothing: the next request tries again
    assert instance.webhook() is instance.webhook()


def test_a_bad_setting_is_a_runtime_config_error(google_env, tmp_path):
    (tmp_path / "config.yaml").write_text("province: ตราด\nno_such_key: 1\n", encoding="utf-8")
    with pytest.raises(RuntimeConfigError, match="no_such_key"):
        Instance({**google_env, "KKC_CONFIG": str(tmp_path / "config.yaml")}).webhook()


def test_without_a_token_replies_go_to_the_outbox(google_env, tmp_path):
    env = {k: v for k, v in google_env.items() if k != "LINE_CHANNEL_ACCESS_TOKEN"}
    runtime = Instance({**env, "KKC_OUTBOX": str(tmp_path / "outbox.jsonl")}).webhook()
    assert isinstance(runtime.replier, OutboxMessenger) and runtime.handler.replier.inner is runtime.replier
    assert runtime.replier.path == tmp_path / "outbox.jsonl"


def test_the_jobs_share_the_settings_and_keep_their_store_until_a_failure(tmp_path: Path):
    write_workbook(tmp_path / "smart-data.xlsx")
    env = {"KKC_STORE": str(tmp_path / "smart-data.xlsx"), "LINE_CHANNEL_SECRET": SECRET,
           "KKC_OUTBOX": str(tmp_path / "outbox.jsonl")}
    instance = Instance(env)
    config, store = instance.jobs()
    assert isinstance(store, WorkbookStore) and store.path == tmp_path / "smart-data.xlsx"
    assert all(a is b for a, b in zip(instance.jobs(), (config, store)))
    assert instance.webhook().config is config     # one set of settings per process
    instance.forget_jobs()                         # after a failed run: opened again
    again = instance.jobs()
    assert again[1] is not store and again[1].path == store.path


def test_loading_main_starts_no_thread_and_reads_nothing(google_env, sheets_fake, monkeypatch):
    """What gunicorn's master does before it forks the worker: only load main.py."""
    for name, value in {**google_env, "FUNCTION_TARGET": "line_webhook"}.items():
        monkeypatch.setenv(name, value)
    before = set(threading.enumerate())
    create_app(target="line_webhook", source=str(ROOT / "main.py"))
    assert set(threading.enumerate()) == before
    time.sleep(0.3)  # long enough for a read begun in the background to reach the fake
    assert sheets_fake.count() == 0


def test_one_instance_answers_the_requests_of_its_process(google_env, sheets_fake, line_fake, monkeypatch):
    for name, value in {**google_env, "FUNCTION_TARGET": "line_webhook"}.items():
        monkeypatch.setenv(name, value)
    client = create_app(target="line_webhook", source=str(ROOT / "main.py")).test_client()
    for text in ("ค้างชำระ", "ค้นหา F1-001", "เมนู"):
        body = json.dumps({"events": [text_event(USER_OF01, text, line_fake.new_reply_token(USER_OF01))]},
                          ensure_ascii=False).encode("utf-8")
        assert client.post("/", data=body, headers={"X-Line-Signature": sign(SECRET, body)}).status_code == 200
    assert len(line_fake.replies) == 3 and "F1-001" in text_of(line_fake.replies[1].messages)
    assert sheets_fake.count() == 1  # the warm instance's snapshot answered the later two


def test_cli_chat_as_an_officer_uses_the_webhooks_runtime(tmp_path, capsys):
    from cli import main

    write_workbook(tmp_path / "tiny.xlsx")
    assert main(["chat", "--as", "OF-01", "--store", str(tmp_path / "tiny.xlsx"), "--date", "2026-11-26",
                 "--say", "ค้างชำระ", "--say", "1"]) == 0
    out = capsys.readouterr().out
    assert "คุณ> ค้างชำระ" in out and "F1-002" in out and "ค้างชำระรวม 11,000 บาท" in out
    assert "คุณ> ครบกำหนด" in out and "3 ธ.ค. 2569 (อีก 7 วัน)" in out   # button 1, on the --date day
    assert "ขออภัย" not in out


def test_the_process_has_one_set_of_claims_shared_by_the_webhook_and_the_jobs(google_env, storage_fake):
    from sheets.claims import StorageClaims

    instance = Instance({**google_env, "KKC_CLAIMS_BUCKET": "kkc-test", "KKC_STORAGE_API_URL": storage_fake.url})
    claims = instance.claims()
    assert isinstance(claims, StorageClaims) and claims.bucket == "kkc-test"
    assert instance.webhook().conversation.claims is claims and instance.claims() is claims
    assert storage_fake.count() == 0  # opening them asks nothing: the first repayment does
    # The parsed snapshots live in the same bucket, through the same one Cloud Storage client.
    snapshots = instance.webhook().snapshots.snapshots
    assert snapshots is not None and snapshots.shelf.tiers[-1].client is claims.client
