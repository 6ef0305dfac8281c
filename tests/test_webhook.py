"""The LINE webhook over HTTP: signatures, Verify, every event type, dedupe, idempotent repayments,
failures answered with an apology, Sheets requests cold vs warm, and main.line_webhook's warm
instance (one per process, built on the first request). Served by the real functions-framework
server: tests/test_deployed.py."""
from __future__ import annotations

import json
import logging

import pytest
from hypothesis import given, settings, strategies as st

from messaging.signature import SignatureValidator, sign
from messaging.webhook import Event, EventDeduper, WebhookHandler, parse_payload
from tests.chat_support import (SECRET, Clock, Webhook, base_event, every_webhook_event, load_province,
                                make_runtime, postback_data, postback_event, text_event, text_of)
from tests.sheetdata import USER_OF01, USER_OF02, USER_PV01

pytest_plugins = ["tests.fakes.line_fixtures"]


@pytest.fixture
def hook(sheets_fake, line_fake):
    load_province(sheets_fake)
    webhook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    yield webhook
    assert line_fake.violations == [], line_fake.violations


# ---------------------------------------------------------------- the signature

@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.text(min_size=1, max_size=40))
def test_signature_matches_line_bot_sdk(body_text, secret):
    from linebot.v3.webhook import SignatureValidator as SdkValidator

    body = body_text.encode("utf-8")
    signature = sign(secret, body)
    assert SdkValidator(secret).validate(body_text, signature)
    assert SignatureValidator(secret).validate(body, signature)
    assert not SignatureValidator(secret + "x").validate(body, signature)


def test_signature_refuses_missing_and_garbage():
    validator = SignatureValidator(SECRET)
    assert not validator.validate(b"{}", None)
    assert not validator.validate(b"{}", "")
    assert not validator.validate(b"{}", "ไม่ใช่ลายเซ็น")
    assert validator.validate(b"{}", sign(SECRET, b"{}"))


# ---------------------------------------------------------------- the HTTP contract

def test_only_post(hook):
    assert hook.client.get("/").status_code == 405


def test_verify_button_gets_200_and_reads_nothing(hook, sheets_fake, line_fake):
    response = hook.post([])
    assert response.status_code == 200
    assert sheets_fake.count() == 0 and line_fake.replies == []


@pytest.mark.parametrize("signature", [None, "", "d3Jvbmc=", "forged"])
def test_missing_or_wrong_signature_is_400_and_does_nothing(hook, sheets_fake, line_fake, signature):
    token = line_fake.new_reply_token(USER_OF01)
    response = hook.post([text_event(USER_OF01, "ค้างชำระ", token)], signature=signature)
    assert response.status_code == 400
    assert sheets_fake.count() == 0 and line_fake.replies == []


def test_signed_with_another_secret_is_400(hook, sheets_fake, line_fake):
    token = line_fake.new_reply_token(USER_OF01)
    response = hook.post([text_event(USER_OF01, "ค้างชำระ", token)], secret="someone-else")
    assert response.status_code == 400 and line_fake.replies == []


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"events": 3}', "ข้อความ".encode("utf-8"), b"\xff\xfe"])
def test_malformed_body_is_400(hook, body):
    assert hook.post([], body=body).status_code == 400


def test_missing_channel_secret_is_500_and_accepts_nothing(monkeypatch, caplog, line_fake):
    from functions_framework import create_app

    from core.config import ROOT

    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.setenv("FUNCTION_TARGET", "line_webhook")  # create_app sets it; put back after the test
    # main.line_webhook itself, on a fresh instance (functions-framework loads main.py anew per app).
    client = create_app(target="line_webhook", source=str(ROOT / "main.py")).test_client()
    with caplog.at_level(logging.ERROR):
        response = client.post("/", data=b'{"events": []}', headers={"X-Line-Signature": "anything"})
    assert response.status_code == 500
    assert "LINE_CHANNEL_SECRET" in caplog.text
    assert line_fake.replies == []


def test_a_text_event_is_answered_through_line(hook, line_fake):
    messages = hook.say(USER_OF01, "ค้างชำระ")
    assert "F1-002" in text_of(messages) and "11,000 บาท" in text_of(messages)
    reply = line_fake.replies[-1]
    assert reply.user_id == USER_OF01
    # The reply token was used: a second reply with it would be refused.
    assert line_fake.requests_to("/v2/bot/message/reply")[-1].status == 200


def test_reply_tokens_are_single_use(hook, line_fake):
    token = line_fake.new_reply_token(USER_OF01)
    first = hook.post([text_event(USER_OF01, "เมนู", token)])
    second = hook.post([text_event(USER_OF01, "เมนู", token)])  # another event reusing the token
    assert first.status_code == second.status_code == 200
    assert len(line_fake.replies) == 1
    assert [r.status for r in line_fake.requests_to("/v2/bot/message/reply")] == [200, 400]


def test_several_events_in_one_request(hook, line_fake):
    events = [text_event(USER_OF01, "เมนู", line_fake.new_reply_token(USER_OF01)),
              text_event(USER_PV01, "สรุป", line_fake.new_reply_token(USER_PV01))]
    assert hook.post(events).status_code == 200
    assert sorted(r.user_id for r in line_fake.replies) == sorted([USER_OF01, USER_PV01])


# ---------------------------------------------------------------- every event type LINE may send

def test_every_event_type_in_webhook_yml_is_handled_without_failure(hook, line_fake, caplog):
    events = every_webhook_event()
    assert {label.split("/")[0] for label, _ in events} >= {
        "message", "unsend", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft", "postback",
        "videoPlayComplete", "beacon", "accountLink", "membership", "module", "activated", "deactivated",
        "botSuspended", "botResumed", "delivery"}
    for label, event in events:
        if event.get("replyToken") == "REPLACE":
            event["replyToken"] = line_fake.new_reply_token(event["source"].get("userId", "U" + "1" * 32))
    with caplog.at_level(logging.INFO, logger="kkc"):
        response = hook.post([e for _, e in events])
    outcomes = hook.runtime.last_outcomes
    assert response.status_code == 200 and len(outcomes) == len(events)
    assert "failed" not in caplog.text
    assert all(o.status != "failed" for o in outcomes)
    # Answered: follow (welcome), message types in a private chat, join (private-only notice), accountLink.
    replied_types = {r.messages[0]["type"] for r in line_fake.replies}
    assert replied_types <= {"text", "flex"}
    assert len(line_fake.replies) >= 9


def test_standby_mode_and_redelivery(hook, line_fake):
    event = text_event(USER_OF01, "เมนู", line_fake.new_reply_token(USER_OF01))
    event["mode"] = "standby"
    assert hook.post([event]).status_code == 200
    assert line_fake.replies == []
    event = text_event(USER_OF01, "เมนู", line_fake.new_reply_token(USER_OF01))
    assert hook.post([event]).status_code == 200
    again = dict(event, deliveryContext={"isRedelivery": True}, replyToken=line_fake.new_reply_token(USER_OF01))
    assert hook.post([again]).status_code == 200
    assert len(line_fake.replies) == 1  # the redelivery did nothing


def test_group_chats_never_get_data(hook, line_fake):
    event = text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01))
    event["source"] = {"type": "group", "groupId": "C" + "1" * 32, "userId": USER_OF01}
    hook.post([event])
    text = text_of(line_fake.replies[-1].messages)
    assert "แชตส่วนตัว" in text and "F1-002" not in text
    chatter = text_event(USER_OF01, "กินข้าวยัง", line_fake.new_reply_token(USER_OF01))
    chatter["source"] = event["source"]
    hook.post([chatter])
    assert len(line_fake.replies) == 1  # ordinary group talk is left alone


# ---------------------------------------------------------------- failures

def test_a_failing_handler_is_logged_by_event_id_and_apologised_for(hook, line_fake, caplog, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("นางสอง ทดสอบ F1-002")  # a message that holds personal data

    monkeypatch.setattr(hook.runtime.conversation, "on_text", boom)
    good = text_event(USER_PV01, "x", line_fake.new_reply_token(USER_PV01))
    good["type"], good["follow"] = "follow", {"isUnblocked": False}
    bad = text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01))
    with caplog.at_level(logging.INFO, logger="kkc"):
        response = hook.post([bad, good])
    assert response.status_code == 200
    assert bad["webhookEventId"] in caplog.text and "KeyError" in caplog.text
    assert "นางสอง" not in caplog.text and "F1-002" not in caplog.text and USER_OF01 not in caplog.text
    assert "ขออภัย" in text_of(line_fake.replies[0].messages)
    assert bad["webhookEventId"][-6:] in text_of(line_fake.replies[0].messages)
    assert len(line_fake.replies) == 2  # the other event was still answered


def test_sheets_down_on_a_cold_instance_gets_an_apology_not_a_500(hook, sheets_fake, line_fake):
    sheets_fake.fail_always(503)
    response = hook.post([text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01))])
    assert response.status_code == 200
    assert "ขออภัย" in text_of(line_fake.replies[-1].messages)
    sheets_fake.clear_faults()


def test_line_refusing_the_reply_is_logged_not_raised(hook, line_fake, caplog):
    hook.say(USER_OF01, "เมนู")  # warm: the next answer needs no sheet read, so no loading animation takes the fault
    line_fake.fail_next(400, message="Invalid reply token")
    with caplog.at_level(logging.ERROR, logger="kkc"):
        response = hook.post([text_event(USER_OF01, "เมนู", line_fake.new_reply_token(USER_OF01))])
    assert response.status_code == 200 and "reply failed" in caplog.text


# ---------------------------------------------------------------- the parts

def test_parser_is_tolerant_of_unknown_fields_and_types():
    body = json.dumps({"events": [{"type": "somethingNew", "webhookEventId": "E1", "extra": {"x": 1}}, 5,
                                  {"no": "type"}]}).encode()
    payload = parse_payload(body)
    assert [e.type for e in payload.events] == ["somethingNew", ""]
    event = payload.events[1]
    assert event.user_id == "" and event.text == "" and event.reply_token == "" and not event.is_redelivery


def test_registry_routes_by_type_and_message_type():
    class Replier:
        def __init__(self):
            self.sent = []

        def reply(self, token, messages):
            self.sent.append((token, messages))

    replier = Replier()
    handler = WebhookHandler(replier, EventDeduper(size=2))

    @handler.add("message", message_type="text")
    def on_text(event):
        return [{"type": "text", "text": "text:" + event.text}]

    @handler.add("message")
    def on_message(event):
        return [{"type": "text", "text": "other"}]

    outcomes = handler.handle([
        Event(base_event("message", "U1", "A", replyToken="t1", message={"type": "text", "text": "hi"})),
        Event(base_event("message", "U1", "B", replyToken="t2", message={"type": "sticker"})),
        Event(base_event("beacon", "U1", "C", replyToken="t3")),
        Event(base_event("message", "U1", "A", replyToken="t4", message={"type": "text", "text": "hi"})),
    ])
    assert [o.status for o in outcomes] == ["handled", "handled", "ignored", "duplicate"]
    assert [m[0]["text"] for _, m in replier.sent] == ["text:hi", "other"]


def test_deduper_is_a_bounded_lru():
    deduper = EventDeduper(size=3)
    assert all(deduper.first_time(i) for i in "abc")
    assert not deduper.first_time("a")
    assert deduper.first_time("d")          # evicts b (a was used again)
    assert deduper.first_time("b") and not deduper.first_time("a") and len(deduper) == 3
    assert deduper.first_time("") and deduper.first_time("")  # no id: never deduplicated


# ---------------------------------------------------------------- cold and warm

def test_warm_events_cost_no_sheets_request(sheets_fake, line_fake):
    load_province(sheets_fake)
    clock = Clock()
    hook = Webhook(make_runtime(sheets_fake, line_fake, clock=clock), line_fake)
    hook.say(USER_OF01, "ค้างชำระ")
    assert sheets_fake.count() == 1 and sheets_fake.count("values.batchGet") == 1   # cold: one batch read
    for text in ("เมนู", "ครบกำหนด", "สรุป", "ตรวจสอบ", "ค้นหา ทดสอบ", "กองทุน บางพระ"):
        hook.say(USER_OF01, text)
    hook.say(USER_PV01, "สรุป")
    assert sheets_fake.count() == 1                                                   # warm: none
    clock.now += 59
    hook.say(USER_OF02, "ค้างชำระ")
    assert sheets_fake.count() == 1
    clock.now += 2                                                                    # past cache_seconds
    hook.say(USER_OF01, "ค้างชำระ")
    assert sheets_fake.count() == 2


def test_a_write_makes_the_next_event_re_read(sheets_fake, line_fake):
    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    card = hook.say(USER_OF01, "ชำระ F1-001 2000")
    assert sheets_fake.count() == 1
    done = hook.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก"))
    assert "8,000 บาท" in text_of(done)
    # Before writing, the sheet is re-read (what other instances wrote), then one append.
    assert sheets_fake.count("values.append") == 1 and sheets_fake.count("values.batchGet") == 2
    before = sheets_fake.count()
    after = hook.say(USER_OF01, "ค้นหา F1-001")
    assert sheets_fake.count() == before + 1  # the snapshot was re-read after our own write
    assert "2,000 บาท" in text_of(after) and "8,000 บาท" in text_of(after)
    hook.say(USER_OF01, "เมนู")
    assert sheets_fake.count() == before + 1


# ---------------------------------------------------------------- repayments: once, whatever happens

def _payment_rows(sheets_fake):
    from tests.conftest import SPREADSHEET_ID

    return [r for r in sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")[1:] if r and r[0] == "F1-001"]


def test_double_tap_and_redelivery_record_a_payment_once(hook, sheets_fake, line_fake):
    card = hook.say(USER_OF01, "ชำระ F1-001 1,500")
    data = postback_data(card, "ยืนยันบันทึก")
    first = hook.tap(USER_OF01, data)
    second = hook.tap(USER_OF01, data)                        # a double tap: another event, same data
    assert "บันทึกรับชำระแล้ว" in text_of(first) and "8,500 บาท" in text_of(first)
    assert "ไม่ได้บันทึกซ้ำ" in text_of(second)
    assert len(_payment_rows(sheets_fake)) == 1

    # LINE redelivers the confirm event to a fresh (cold) instance: nothing is written again.
    event = postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01))
    hook.post([event])
    cold = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    redelivered = dict(event, deliveryContext={"isRedelivery": True}, replyToken=line_fake.new_reply_token(USER_OF01))
    assert cold.post([redelivered]).status_code == 200
    assert "ไม่ได้บันทึกซ้ำ" in text_of(line_fake.replies[-1].messages)
    assert len(_payment_rows(sheets_fake)) == 1
    row = _payment_rows(sheets_fake)[0]
    assert 1500 in row and "OF-01" in row and "LINE" in row and any(str(c).startswith("LINE-") for c in row)


def test_redelivered_pay_text_gives_the_same_ref(hook, sheets_fake, line_fake):
    event = text_event(USER_OF01, "ชำระ F1-001 500", line_fake.new_reply_token(USER_OF01))
    hook.post([event])
    first = postback_data(line_fake.replies[-1].messages, "ยืนยันบันทึก")
    cold = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    again = dict(event, replyToken=line_fake.new_reply_token(USER_OF01), deliveryContext={"isRedelivery": True})
    cold.post([again])
    assert postback_data(line_fake.replies[-1].messages, "ยืนยันบันทึก") == first



# ---------------------------------------------------------------- what the webhook path imports

CHILD = r"""
import json, os, sys
from functions_framework import create_app

def heavy(names):
    return sorted(m for m in names if m.split(".")[0] in {"linebot", "gspread", "openpyxl", "pandas", "requests",
                                                          "jsonschema", "numpy", "googleapiclient", "PIL", "fontpkg"}
                  or m.startswith(("google.auth", "google.oauth2")))

app = create_app(target="line_webhook", source=os.path.join(os.environ["ROOT"], "main.py"))
at_start = heavy(sys.modules)
response = app.test_client().post("/", data=os.environ["BODY"].encode("utf-8"),
                                  headers={"X-Line-Signature": os.environ["SIGNATURE"]})
# numpy is the ledger engine's (ledger.engine): imported when the first figure is computed, never before.
print(json.dumps({"status": response.status_code, "at_start": at_start,
                  "heavy": [m for m in heavy(sys.modules) if m.split(".")[0] != "numpy"],
                  "chat": sorted(m for m in sys.modules if m.startswith("handlers"))}))
"""


def test_the_webhook_path_imports_no_heavy_package(sheets_fake, line_fake, sheet_on_drive):
    """A fresh process answering a real event imports no LINE SDK models, gspread, openpyxl or pandas."""
    import os
    import subprocess
    import sys

    from bench.webhook_bench import metadata_server
    from core.config import ROOT
    from tests.conftest import SPREADSHEET_ID
    from tests.fakes.line_api import DEFAULT_TOKEN

    load_province(sheets_fake)
    body = json.dumps({"destination": "U" + "f" * 32, "events": [
        text_event(USER_OF01, "ค้างชำระ", line_fake.new_reply_token(USER_OF01))]}, ensure_ascii=False)
    with metadata_server() as metadata:
        env = {**os.environ, "ROOT": str(ROOT), "BODY": body, "SIGNATURE": sign(SECRET, body.encode("utf-8")),
               "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": DEFAULT_TOKEN,
               "KKC_STORE": f"gsheet:{SPREADSHEET_ID}", "KKC_SHEETS_API_URL": sheets_fake.url,
               "KKC_LINE_API_URL": line_fake.url, "GCE_METADATA_HOST": metadata, "K_SERVICE": "test",
               "KKC_DRIVE_API_URL": sheet_on_drive.url,
               "FUNCTION_TARGET": "line_webhook", "NO_PROXY": "127.0.0.1,localhost"}
        env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 200 and result["at_start"] == [] and result["heavy"] == []
    assert "handlers.runtime" in result["chat"] and "chat.terminal" not in result["chat"]
    assert "F1-002" in text_of(line_fake.replies[-1].messages)
    assert sheets_fake.count() == 1  # one batch read for the cold event


def test_the_chat_and_a_stored_base_load_without_numpy() -> None:
    """numpy (0.1–0.3 s to import) is the scope's book's, imported in the background with it: the
    webhook's own modules, the parsers and a snapshot's base part of officers, links and funds
    (a Dataset whose schedules are empty columns) load without it."""
    import subprocess
    import sys

    from core.config import ROOT

    child = (
        "import datetime as dt, pickle, sys\n"
        "import handlers.runtime, chat.scope, chat.cache, sheets.model, sheets.snapshot\n"
        "from sheets.records import Dataset\n"
        "ds = pickle.loads(pickle.dumps(Dataset(today=dt.date(2026, 11, 26))))\n"
        "assert len(ds.installments) == 0 and ds.installments.get('F1-002') is None\n"
        "print('numpy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
