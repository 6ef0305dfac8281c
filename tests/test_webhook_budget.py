"""The webhook answers inside its time budget with a slow Sheets (the fake delays its answers), warm and
cold, through the real clients over HTTP: an older copy says how old it is, a cold instance says it is
loading (and has the sheet for the next event), a repayment that cannot reach the sheet in time says it
was not recorded and nothing is written later; LINE's loading animation shows while the sheet is read."""
from __future__ import annotations

import time
from typing import Any

import pytest

from tests.chat_support import Clock, Webhook, load_province, make_runtime, postback_data, postback_event, text_event
from tests.sheetdata import USER_OF01
from tests.test_repayment_once import NOT_RECORDED, RECORDED, UNKNOWN, answer_to, payment_refs

BUDGET = 0.6
SLOW = 1.8              # every delayed Sheets answer comes this late
ON_TIME = BUDGET + 0.6  # the answer's latest moment: the budget, then the reply to LINE on a busy machine


def timed(hook: Webhook, event: dict) -> tuple[str, float]:
    started = time.perf_counter()
    text = answer_to(hook, event)
    return text, time.perf_counter() - started


def warm(hook: Webhook) -> None:
    """The instance's first read, made outside any event (a busy test machine cannot make it late)."""
    hook.runtime.snapshots.get()


def wait_until(condition: Any, seconds: float = SLOW * 3) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background work did not end"
        time.sleep(0.02)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hook(sheets_fake, line_fake, clock):
    load_province(sheets_fake)
    webhook = Webhook(make_runtime(sheets_fake, line_fake, clock=clock, budget_seconds=BUDGET), line_fake)
    yield webhook
    sheets_fake.clear_faults()
    assert line_fake.violations == [], line_fake.violations


def ask(line_fake: Any, text: str) -> dict:
    return text_event(USER_OF01, text, line_fake.new_reply_token(USER_OF01))


def test_a_warm_instance_whose_re_read_is_late_answers_from_its_copy_and_says_how_old(hook, sheets_fake, line_fake,
                                                                                      clock):
    warm(hook)
    assert "F1-002" in answer_to(hook, ask(line_fake, "ค้างชำระ"))
    clock.now += 61                                          # past chat.cache_seconds
    sheets_fake.delay_next(SLOW, kind="values.batchGet")
    answer, took = timed(hook, ask(line_fake, "ค้างชำระ"))
    assert took < ON_TIME, took
    assert "F1-002" in answer and "ข้อมูล ณ 10:30 น." in answer
    assert line_fake.loadings == [(USER_OF01, 5)]           # the re-read: the animation showed
    # The quick replies moved to the note, the last message.
    assert "quickReply" in line_fake.replies[-1].messages[-1]
    # The late read went on and filled the cache: the next question is answered from it, without a note.
    wait_until(lambda: hook.runtime.snapshots.reads == 2)
    answer = answer_to(hook, ask(line_fake, "ครบกำหนด"))
    assert "ข้อมูล ณ" not in answer and "F1-001" in answer
    assert sheets_fake.count("values.batchGet") == 2 and len(line_fake.loadings) == 1


def test_a_cold_instance_that_cannot_read_in_time_says_it_is_loading(hook, sheets_fake, line_fake):
    sheets_fake.delay_next(SLOW, kind="values.batchGet")
    answer, took = timed(hook, ask(line_fake, "ค้างชำระ"))
    assert took < ON_TIME, took
    assert answer.startswith("กำลังโหลดข้อมูล ลองอีกครั้งในสักครู่\nปุ่ม: [ถามอีกครั้ง] [ครบกำหนด]"), answer
    assert line_fake.loadings == [(USER_OF01, 5)]
    # One tap asks the same question again (checked against LINE's schema by the fixture).
    [message] = line_fake.replies[-1].messages
    again = message["quickReply"]["items"][0]["action"]
    assert again == {"type": "message", "label": "ถามอีกครั้ง", "text": "ค้างชำระ"}
    # It kept loading: the next event (the tap) has the sheet, with no second read.
    wait_until(lambda: hook.runtime.snapshots.peek() is not None)
    assert "F1-002" in answer_to(hook, ask(line_fake, again["text"]))
    assert sheets_fake.count("values.batchGet") == 1


def test_loading_offers_the_question_again_only_when_it_fits_a_button():
    from chat.conversation import loading_quick
    from messaging import flex

    labels = [action["label"] for action in loading_quick("ครบกำหนด 30")]
    assert labels[0] == "ถามอีกครั้ง" and len(labels) <= flex.MAX_QUICK_REPLIES
    long_question = "ค้นหา " + "ก" * flex.MAX_ACTION_TEXT
    assert "ถามอีกครั้ง" not in [action["label"] for action in loading_quick(long_question)]
    assert "ถามอีกครั้ง" not in [action["label"] for action in loading_quick("   ")]
    assert loading_quick(long_question)  # the usual buttons stay


def test_a_warm_answer_shows_no_loading_animation(hook, line_fake):
    warm(hook)
    answer_to(hook, ask(line_fake, "เมนู"))
    answer_to(hook, ask(line_fake, "ค้างชำระ"))
    assert line_fake.loadings == []


def test_a_repayment_that_cannot_read_the_sheet_in_time_is_not_recorded_and_never_written_later(hook, sheets_fake,
                                                                                               line_fake):
    warm(hook)
    data = postback_data(hook.say(USER_OF01, "ชำระ F1-001 500"), "ยืนยันบันทึก")
    sheets_fake.delay_next(SLOW, times=3)                    # the re-read before the append, and anything after
    answer, took = timed(hook, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert took < ON_TIME, took
    assert NOT_RECORDED in answer and RECORDED not in answer
    time.sleep(SLOW * 1.5)                                   # whatever was on its way has landed
    assert sheets_fake.count("values.append") == 0 and payment_refs(sheets_fake) == []
    sheets_fake.clear_faults()
    assert RECORDED in answer_to(hook, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert len(payment_refs(sheets_fake)) == 1


def test_a_repayment_whose_append_is_late_is_said_to_be_not_known_yet(hook, sheets_fake, line_fake):
    warm(hook)
    data = postback_data(hook.say(USER_OF01, "ชำระ F1-001 500"), "ยืนยันบันทึก")
    sheets_fake.delay_next(SLOW, kind="values.append")
    answer, took = timed(hook, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert took < ON_TIME, took
    assert UNKNOWN in answer and RECORDED not in answer
    wait_until(lambda: len(payment_refs(sheets_fake)) == 1)  # it landed, once: the officer was told to check
    again = answer_to(hook, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert "รายการนี้บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ" in again  # this instance saw its late append end
    assert len(payment_refs(sheets_fake)) == 1


def test_a_confirm_on_a_cold_instance_with_a_slow_sheet_is_not_recorded(hook, sheets_fake, line_fake, clock):
    warm(hook)
    data = postback_data(hook.say(USER_OF01, "ชำระ F1-001 500"), "ยืนยันบันทึก")
    cold = Webhook(make_runtime(sheets_fake, line_fake, clock=clock, budget_seconds=BUDGET), line_fake)
    sheets_fake.delay_next(SLOW, times=3)
    answer, took = timed(cold, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert took < ON_TIME, took
    assert NOT_RECORDED in answer and "กำลังโหลดข้อมูล" in answer
    time.sleep(SLOW * 1.5)
    assert sheets_fake.count("values.append") == 0 and payment_refs(sheets_fake) == []



def test_a_warm_instance_whose_re_read_fails_answers_from_its_copy_and_says_how_old(hook, sheets_fake, line_fake,
                                                                                    clock):
    warm(hook)
    clock.now += 61
    sheets_fake.fail_next(503, times=2, kind="values.batchGet")  # both of the webhook's tries
    answer = answer_to(hook, ask(line_fake, "ค้างชำระ"))
    assert "F1-002" in answer and "ข้อมูล ณ 10:30 น." in answer and "ขออภัย" not in answer
