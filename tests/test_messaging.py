"""Messaging: LineClient against the LINE fake, the factory, the outbox, plain-text rendering, the fake itself."""
from __future__ import annotations

import datetime as dt
import io
import json
import socket
import uuid

import pytest

from core.config import load_config
from messaging.base import (MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MessengerError, PushResult,
                            flex_to_text, json_size, messages_to_text, retry_key_for, utf16_len)
from messaging.factory import make_messenger
from messaging.line import LineClient
from messaging.outbox import OutboxMessenger
from tests.fakes.line_api import DEFAULT_TOKEN, validate_request

USER = "U" + "a" * 32
TEXT = [{"type": "text", "text": "สวัสดีครับ"}]


def bubble(title: str, rows: int = 2) -> dict:
    return {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical",
                   "contents": [{"type": "text", "text": title, "weight": "bold"}]},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": [
            {"type": "box", "layout": "horizontal", "contents": [
                {"type": "text", "text": f"กองทุนบ้าน {i}", "flex": 3},
                {"type": "text", "text": f"{i},000 บาท", "align": "end", "flex": 2}]}
            for i in range(1, rows + 1)
        ] + [{"type": "separator"},
             {"type": "text", "contents": [{"type": "span", "text": "ค้าง "},
                                           {"type": "span", "text": "15 วัน", "weight": "bold"}]}]},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "primary",
             "action": {"type": "message", "label": "ดูทั้งหมด", "text": "ค้างชำระ"}}]},
    }


def flex(contents: dict, alt: str = "แจ้งเตือนกองทุน", quick: list[str] | None = None) -> dict:
    message = {"type": "flex", "altText": alt, "contents": contents}
    if quick:
        message["quickReply"] = {"items": [
            {"type": "action", "action": {"type": "message", "label": q, "text": q}} for q in quick]}
    return message


def carousel(n: int) -> dict:
    return {"type": "carousel", "contents": [bubble(f"หน้า {i}") for i in range(1, n + 1)]}


def push_body(*messages: dict) -> dict:
    return {"to": USER, "messages": list(messages)}


# ---------------------------------------------------------------- LineClient: push


def test_push_is_delivered_once(line_messenger, line_fake):
    key = str(uuid.uuid4())
    result = line_messenger.push(USER, TEXT, key)
    assert result.status == "sent" and result.ok and result.tries == 1
    assert result.request_id == line_fake.requests[-1].request_id
    assert [(d.to, d.messages, d.retry_key) for d in line_fake.deliveries] == [(USER, TEXT, key)]


def test_flex_is_delivered_exactly_as_built(line_messenger, line_fake):
    message = flex(carousel(3), quick=["ค้างชำระ", "สรุป"])
    assert line_messenger.push(USER, [message], str(uuid.uuid4())).status == "sent"
    delivered = line_fake.deliveries[0].messages[0]
    # Plain JSON both ways: nothing added, dropped or changed on the way.
    assert delivered["contents"] == message["contents"]
    assert delivered["quickReply"] == message["quickReply"]
    assert delivered == message
    body = line_fake.requests[-1].body
    assert body == {"to": USER, "messages": [message]}


def test_same_retry_key_twice_is_duplicate_and_delivered_once(line_messenger, line_fake):
    key = retry_key_for(dt.date(2026, 1, 15), USER)
    first = line_messenger.push(USER, TEXT, key)
    second = line_messenger.push(USER, TEXT, key)
    assert first.status == "sent"
    assert second.status == "duplicate" and second.ok and second.http_status == 409
    assert second.request_id == first.request_id  # x-line-accepted-request-id
    assert len(line_fake.deliveries) == 1


def test_server_error_once_is_retried_with_the_same_key(line_messenger, line_fake):
    line_fake.fail_next(500)
    key = str(uuid.uuid4())
    result = line_messenger.push(USER, TEXT, key)
    assert result.status == "sent" and result.tries == 2
    assert [(r.status, r.retry_key) for r in line_fake.requests] == [(500, key), (200, key)]
    assert len(line_fake.deliveries) == 1


def test_timeout_is_retried_with_the_same_key_and_delivered_once(line_messenger, line_fake):
    line_fake.delay_next(1.0)  # the client gives up after 0.5 s; LINE already has the message
    key = str(uuid.uuid4())
    result = line_messenger.push(USER, TEXT, key)
    assert result.ok and result.status in ("duplicate", "sent")
    assert result.tries == 2
    assert {r.retry_key for r in line_fake.requests} == {key}
    assert len(line_fake.deliveries) == 1


def test_server_error_for_ever_fails_after_max_tries(line_messenger, line_fake):
    line_fake.fail_next(503, times=10)
    slept: list[float] = []
    line_messenger.sleep = slept.append
    result = line_messenger.push(USER, TEXT, str(uuid.uuid4()))
    assert result.status == "failed" and not result.ok
    assert result.tries == 3 and result.http_status == 503
    assert len(line_fake.requests) == 3 and not line_fake.deliveries
    assert len(slept) == 2 and slept[0] < slept[1]  # backoff grows between tries
    assert "503" in result.detail and "3 ครั้ง" in result.detail


def test_connection_refused_fails_after_max_tries():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = load_config(env={}, overrides={"line.api_url": f"http://127.0.0.1:{port}",
                                            "line.timeout_seconds": 0.5})
    messenger = LineClient.from_config(config, "t", env={}, sleep=lambda s: None)
    result = messenger.push(USER, TEXT, str(uuid.uuid4()))
    assert result.status == "failed" and result.tries == 3
    assert "ติดต่อ LINE ไม่ได้" in result.detail
    assert result.unreachable and result.http_status is None


def test_429_stops_the_run(line_messenger, line_fake):
    line_fake.rate_limit_next(monthly=True)
    result = line_messenger.push(USER, TEXT, str(uuid.uuid4()))
    assert result.status == "quota" and not result.ok
    assert line_messenger.stopped
    assert "โควตาข้อความ LINE ของเดือนนี้หมดแล้ว" in result.detail
    before = len(line_fake.requests)
    later = line_messenger.push("U" + "b" * 32, TEXT, str(uuid.uuid4()))
    assert later.status == "quota" and later.tries == 0
    assert len(line_fake.requests) == before  # no request at all


def test_monthly_quota_of_the_fake(line_messenger, line_fake):
    line_fake.quota = 2
    statuses = [line_messenger.push(f"U{i}", TEXT, str(uuid.uuid4())).status for i in range(3)]
    assert statuses == ["sent", "sent", "quota"]
    assert len(line_fake.deliveries) == 2 and line_fake.used == 2


def test_bad_body_fails_at_once_with_lines_message(line_messenger, line_fake):
    result = line_messenger.push(USER, [flex(bubble("x"), alt="ก" * (MAX_ALT_TEXT + 1))], str(uuid.uuid4()))
    assert result.status == "failed" and result.http_status == 400 and result.tries == 1
    assert "The request body has 1 error(s)" in result.detail and "altText" in result.detail
    assert len(line_fake.requests) == 1 and not line_fake.deliveries
    assert line_fake.violations[0]["details"][0]["property"] == "messages[0].altText"


@pytest.mark.parametrize("messages", [TEXT * 6, [], [{"type": "text", "text": dt.date(2026, 1, 1)}]],
                         ids=["six-messages", "no-message", "not-json"])
def test_body_that_cannot_be_sent_fails_without_a_request(line_messenger, line_fake, messages):
    result = line_messenger.push(USER, messages, str(uuid.uuid4()))
    assert result.status == "failed" and result.tries == 0 and result.http_status is None
    assert "ไม่ได้ส่ง" in result.detail
    assert not result.unreachable
    assert not line_fake.requests


@pytest.mark.parametrize("messages, where", [
    ([flex({"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                       "contents": [{"type": "marquee", "text": "x"}]}})],
     "messages[0].contents.body.contents[0].type"),
    ([{"type": "text", "text": "x", "unknownField": 1}], "messages[0].unknownField"),
], ids=["unknown-component", "unknown-field"])
def test_body_line_refuses_is_sent_once_and_reported_in_lines_words(line_messenger, line_fake, messages, where):
    result = line_messenger.push(USER, messages, str(uuid.uuid4()))
    assert result.status == "failed" and result.tries == 1 and result.http_status == 400
    assert "LINE ไม่รับคำขอ" in result.detail and where in result.detail
    assert len(line_fake.requests) == 1 and not line_fake.deliveries


def test_wrong_token_is_a_failure_not_retried(line_config, line_fake):
    messenger = LineClient.from_config(line_config, "wrong", env={}, sleep=lambda s: None)
    result = messenger.push(USER, TEXT, str(uuid.uuid4()))
    assert result.status == "failed" and result.http_status == 401
    assert "Authentication failed" in result.detail
    assert len(line_fake.requests) == 1


def test_missing_token_names_the_variable(line_config):
    with pytest.raises(MessengerError, match="LINE_CHANNEL_ACCESS_TOKEN"):
        LineClient.from_config(line_config, env={})
    messenger = LineClient.from_config(line_config, env={"LINE_CHANNEL_ACCESS_TOKEN": "secret-token"})
    assert "secret-token" not in repr(messenger) and "secret-token" not in messenger.description


# ---------------------------------------------------------------- LineClient: reply and the other calls


def test_reply_token_is_single_use(line_messenger, line_fake):
    token = line_fake.new_reply_token(USER)
    line_messenger.reply(token, TEXT)
    with pytest.raises(MessengerError, match="Invalid reply token"):
        line_messenger.reply(token, TEXT)
    assert [(r.user_id, r.messages) for r in line_fake.replies] == [(USER, TEXT)]
    assert line_fake.used == 0  # replies are free
    assert all(r.retry_key is None for r in line_fake.requests)


def test_reply_after_a_lost_answer_is_not_an_error(line_messenger, line_fake):
    token = line_fake.new_reply_token(USER)
    line_fake.delay_next(1.0)  # delivered, but the answer comes too late; the retry finds the token used
    line_messenger.reply(token, TEXT)
    assert len(line_fake.replies) == 1


def test_reply_is_retried_after_a_server_error(line_messenger, line_fake):
    token = line_fake.new_reply_token(USER)
    line_fake.fail_next(500)
    line_messenger.reply(token, TEXT)
    assert [r.status for r in line_fake.requests_to("/v2/bot/message/reply")] == [500, 200]
    assert len(line_fake.replies) == 1


def test_reply_that_never_gets_through_raises_the_one_error_class(line_messenger, line_fake):
    line_fake.fail_next(503, times=10)
    with pytest.raises(MessengerError, match="3 ครั้ง") as caught:
        line_messenger.reply(line_fake.new_reply_token(USER), TEXT)
    assert caught.value.http_status == 503 and len(line_fake.requests) == 3
    with pytest.raises(MessengerError) as refused:
        line_messenger.reply("no-such-token", [])  # no message: refused before any request
    assert refused.value.http_status is None and len(line_fake.requests) == 3


def test_request_ids_on_one_kept_alive_connection(line_messenger, line_fake):
    first = line_messenger.push(USER, TEXT, str(uuid.uuid4()))
    second = line_messenger.push("U" + "b" * 32, TEXT, str(uuid.uuid4()))
    assert [first.request_id, second.request_id] == [r.request_id for r in line_fake.requests]
    assert first.request_id != second.request_id and line_messenger.requests == 2


def test_profile_and_display_name(line_messenger, line_fake):
    line_fake.add_profile(USER, "พัฒนากร อำเภอเมือง")
    assert line_messenger.profile(USER)["displayName"] == "พัฒนากร อำเภอเมือง"
    assert line_messenger.profile_name(USER) == "พัฒนากร อำเภอเมือง"
    assert line_messenger.profile("U" + "c" * 32) is None and line_messenger.profile_name("U" + "c" * 32) == ""
    line_fake.fail_next(500)
    assert line_messenger.profile_name(USER) == ""  # one try: the webhook does not wait for a name


def test_loading_animation_in_steps_of_five_seconds(line_messenger, line_fake):
    assert line_messenger.show_loading(USER) is True
    assert line_messenger.show_loading(USER, seconds=7) is True      # LINE takes multiples of 5
    assert line_messenger.show_loading(USER, seconds=600) is True    # and at most 60
    assert line_fake.loadings == [(USER, 5), (USER, 10), (USER, 60)]
    assert line_fake.violations == []
    line_fake.fail_next(500)
    assert line_messenger.show_loading(USER) is False and len(line_fake.loadings) == 3


def test_quota_and_consumption(line_messenger, line_fake):
    line_fake.quota = 300
    line_messenger.push(USER, TEXT, str(uuid.uuid4()))
    quota = line_messenger.quota()
    assert (quota.limit, quota.used, quota.left) == (300, 1, 299)
    line_fake.fail_next(401)
    with pytest.raises(MessengerError, match="HTTP 401") as caught:
        line_messenger.quota()
    assert caught.value.http_status == 401


# ---------------------------------------------------------------- retry keys, factory


def test_retry_key_is_a_deterministic_uuid():
    day = dt.date(2026, 3, 1)
    key = retry_key_for(day, USER)
    assert uuid.UUID(key) and key == retry_key_for(day, USER)
    assert key != retry_key_for(day + dt.timedelta(days=1), USER)
    assert key != retry_key_for(day, "U" + "b" * 32)
    assert key != retry_key_for(day, USER, purpose="province")


def test_factory_picks_line_with_a_token_else_the_outbox(tmp_path):
    config = load_config(env={}, overrides={"outbox": str(tmp_path / "o.jsonl")})
    line = make_messenger(config, env={"LINE_CHANNEL_ACCESS_TOKEN": "t"})
    assert isinstance(line, LineClient)
    assert (line.timeout_seconds, line.max_tries) == (config.line.timeout_seconds, config.line.max_tries)
    # The webhook's: LINE is waiting for its answer, so short timeouts, one retry, no console echo.
    hook = make_messenger(load_config(env={}, overrides={"line.timeout_seconds": 30, "line.max_tries": 5}),
                          env={"LINE_CHANNEL_ACCESS_TOKEN": "t"}, webhook=True)
    assert isinstance(hook, LineClient) and (hook.timeout_seconds, hook.max_tries) == (5.0, 2)
    assert make_messenger(config, env={}, webhook=True).echo is False
    outbox = make_messenger(config, env={})
    assert isinstance(outbox, OutboxMessenger) and outbox.path == tmp_path / "o.jsonl"
    relative = make_messenger(load_config(env={}, overrides={"outbox": "data/x.jsonl"}), env={})
    assert relative.path.is_absolute() and relative.path.parts[-2:] == ("data", "x.jsonl")


# ---------------------------------------------------------------- outbox


def test_outbox_writes_one_json_line_per_push_and_refuses_duplicate_keys(outbox_messenger):
    key = retry_key_for(dt.date(2026, 1, 15), USER)
    message = flex(bubble("ค้างชำระ 2 กองทุน"), quick=["ค้างชำระ"])
    first = outbox_messenger.push(USER, [message], key)
    second = outbox_messenger.push(USER, [message], key)
    assert first.status == "sent" and second.status == "duplicate" and second.ok
    lines = outbox_messenger.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["kind"] == "push" and record["to"] == USER and record["retry_key"] == key
    assert record["messages"] == [message] and "ค้างชำระ 2 กองทุน" in lines[0]  # not \u-escaped
    assert record["text"] == flex_to_text(message)
    dt.datetime.fromisoformat(record["at"])
    echoed = outbox_messenger.stream.getvalue()
    assert echoed.startswith("── ถึง Uaaaa… (push) ──\nค้างชำระ 2 กองทุน")


def test_outbox_remembers_keys_across_instances_and_logs_replies(tmp_path):
    path = tmp_path / "deep" / "outbox.jsonl"
    first = OutboxMessenger(path, echo=False)
    key = str(uuid.uuid4())
    assert first.push(USER, TEXT, key).status == "sent"
    again = OutboxMessenger(path, stream=io.StringIO())  # a second run of the job
    assert again.push(USER, TEXT, key).status == "duplicate"
    again.reply("reply-token-1", TEXT)
    kinds = [json.loads(line)["kind"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert kinds == ["push", "reply"]
    assert "ตอบกลับ (reply)" in again.stream.getvalue()
    assert not again.stopped


# ---------------------------------------------------------------- plain text


def test_flex_to_text_reads_a_bubble_in_order():
    text = flex_to_text(flex(bubble("ค้างชำระ"), quick=["ค้างชำระ", "สรุปอำเภอ"]))
    assert text.splitlines() == [
        "ค้างชำระ",
        "กองทุนบ้าน 1  1,000 บาท",
        "กองทุนบ้าน 2  2,000 บาท",
        "ค้าง 15 วัน",
        "[ดูทั้งหมด]",
        "ปุ่ม: [ค้างชำระ] [สรุปอำเภอ]",
    ]


def test_flex_to_text_separates_carousel_bubbles_and_joins_messages():
    text = messages_to_text([{"type": "text", "text": "สวัสดี"}, flex(carousel(2))])
    blocks = text.split("\n\n")
    assert blocks[0] == "สวัสดี"
    assert blocks[1].startswith("หน้า 1\n") and blocks[2].startswith("หน้า 2\n")
    assert flex_to_text({"type": "sticker", "packageId": "1", "stickerId": "1"}) == "(สติกเกอร์)"
    template = {"type": "template", "altText": "ยืนยัน", "template": {
        "type": "confirm", "text": "ยืนยันการลงทะเบียน?",
        "actions": [{"type": "message", "label": "ใช่", "text": "ใช่"},
                    {"type": "message", "label": "ไม่", "text": "ไม่"}]}}
    assert flex_to_text(template) == "ยืนยันการลงทะเบียน?\n[ใช่] [ไม่]"


def test_size_helpers():
    assert json_size({"a": "ก"}) == len('{"a":"ก"}'.encode("utf-8"))
    assert utf16_len("ก") == 1 and utf16_len("😀") == 2
    assert PushResult("duplicate").ok and not PushResult("failed").ok
    with pytest.raises(ValueError):
        PushResult("lost")


# ---------------------------------------------------------------- the fake's own checks


def test_fake_accepts_valid_bodies():
    assert validate_request("PushMessageRequest", push_body(flex(carousel(12)))) == []
    assert validate_request("PushMessageRequest", push_body(*TEXT * 5)) == []
    assert validate_request("ReplyMessageRequest", {"replyToken": "t", "messages": [
        flex(bubble("x"), quick=["a"]), {"type": "text", "text": "ก" * 5000}]}) == []


@pytest.mark.parametrize("body, where", [
    (push_body(flex(carousel(13))), "messages[0].contents.contents"),
    (push_body(flex(bubble("x"), alt="ก" * 1501)), "messages[0].altText"),
    (push_body({"type": "text", "text": "ก" * 4999 + "😀"}), "messages[0].text"),
    (push_body(*TEXT * 6), "messages"),
    (push_body(), "messages"),
    (push_body(flex({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [
        {"type": "marquee"}]}})), "messages[0].contents.body.contents[0].type"),
    (push_body(flex({"type": "bubble", "body": {"type": "box", "layout": "diagonal", "contents": []}})),
     "messages[0].contents.body.layout"),
    (push_body(flex({"type": "bubble", "footer": {"type": "box", "layout": "vertical", "contents": [
        {"type": "button"}]}})), "messages[0].contents.footer.contents[0].action"),
    (push_body({"type": "text", "text": "x", "quickReply": {"items": [
        {"type": "action", "action": {"type": "teleport", "label": "x"}}]}}),
     "messages[0].quickReply.items[0].action.type"),
    ({"messages": TEXT}, "to"),
    (push_body({"type": "text", "text": "x", "wieght": "bold"}), "messages[0].wieght"),
    (push_body(flex({"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": [
        {"type": "text", "text": "x", "weigth": "bold"}]}})), "messages[0].contents.body.contents[0].weigth"),
], ids=["13-bubbles", "alt-1501", "text-5001-utf16", "6-messages", "no-messages", "unknown-component",
        "bad-layout", "button-without-action", "unknown-action", "no-to", "unknown-field", "typo-in-flex"])
def test_fake_rejects_invalid_bodies(body, where):
    details = validate_request("PushMessageRequest", body)
    assert where in [d["property"] for d in details], details


def test_fake_rejects_a_bubble_over_30_kb():
    big = bubble("ใหญ่", rows=1)
    big["body"]["contents"].append({"type": "text", "text": "ก" * 10_500, "wrap": True})  # ~31.5 KB
    assert json_size(big) > MAX_BUBBLE_BYTES
    details = validate_request("PushMessageRequest", push_body(flex(big)))
    assert [d["property"] for d in details] == ["messages[0].contents"]
    # Four bubbles of ~14 KB each: every bubble fits, the carousel (> 50 KB) does not.
    medium = bubble("กลาง", rows=1)
    medium["body"]["contents"].append({"type": "text", "text": "ก" * 4_500})
    details = validate_request("PushMessageRequest",
                               push_body(flex({"type": "carousel", "contents": [medium] * 4})))
    assert [d["property"] for d in details] == ["messages[0].contents"]


def test_fake_http_rules(line_fake):
    import requests  # plain HTTP, to see the fake's answers as LINE sends them

    session = requests.Session()
    session.trust_env = False  # never through a proxy from the environment
    url = line_fake.url + "/v2/bot/message/push"
    auth = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    anonymous = session.post(url, json=push_body(*TEXT))
    assert anonymous.status_code == 401 and "message" in anonymous.json()
    assert anonymous.headers["x-line-request-id"]
    bad_key = session.post(url, json=push_body(*TEXT), headers={**auth, "X-Line-Retry-Key": "abc"})
    assert bad_key.status_code == 400
    invalid = session.post(url, json=push_body(flex(carousel(13))), headers=auth)
    assert invalid.status_code == 400
    assert invalid.json()["message"] == "The request body has 1 error(s)"
    assert line_fake.violations and not line_fake.deliveries
    huge = session.post(url, data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                         headers={**auth, "Content-Type": "application/json"})
    assert huge.status_code == 413
    # A failed request does not use up its retry key.
    key = str(uuid.uuid4())
    line_fake.fail_next(500)
    assert session.post(url, json=push_body(*TEXT), headers={**auth, "X-Line-Retry-Key": key}).status_code == 500
    ok = session.post(url, json=push_body(*TEXT), headers={**auth, "X-Line-Retry-Key": key})
    assert ok.status_code == 200 and ok.json()["sentMessages"]
    again = session.post(url, json=push_body(*TEXT), headers={**auth, "X-Line-Retry-Key": key})
    assert again.status_code == 409
    assert again.headers["x-line-accepted-request-id"] == ok.headers["x-line-request-id"]
    assert len(line_fake.pushes_to(USER)) == 1
    # Profile and quota consumption.
    line_fake.add_profile(USER, "พัฒนากร อำเภอเมือง")
    profile = session.get(f"{line_fake.url}/v2/bot/profile/{USER}", headers=auth)
    assert profile.json()["displayName"] == "พัฒนากร อำเภอเมือง"
    assert session.get(f"{line_fake.url}/v2/bot/profile/Unknown", headers=auth).status_code == 404
    usage = session.get(f"{line_fake.url}/v2/bot/message/quota/consumption", headers=auth)
    assert usage.json() == {"totalUsage": 1}


def test_fake_does_not_deliver_to_users_who_blocked_the_account(line_messenger, line_fake):
    line_fake.block(USER)
    assert line_messenger.push(USER, TEXT, str(uuid.uuid4())).status == "sent"  # LINE answers 200
    assert not line_fake.deliveries

