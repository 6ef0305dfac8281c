"""messaging.delivery: the one delivery path (never raises, says what happened, circuit breaker)
and the one builder of บันทึกการแจ้งเตือน rows, through the real LineClient on the LINE fake."""
from __future__ import annotations

import datetime as dt
import socket
import uuid
from decimal import Decimal
from typing import Any

import pytest

from messaging.delivery import (ALREADY_DELIVERED, FAILED, NO_LINE_ACCOUNT, NO_LINE_DETAIL, PENDING, SENT,
                                STOPPED_DETAIL, UNREACHABLE_LIMIT, CircuitBreaker, Delivery, LoggedItem, Push,
                                WriteAheadError, deliver, not_sent, outcome_rows, pending_rows, push_recorded)
from messaging.line import RATE_LIMIT_DETAIL, LineClient
from messaging.outbox import OutboxMessenger
from sheets.store import Layout, StoreError
from tests.conftest import SPREADSHEET_ID
from tests.fakes.line_api import DEFAULT_TOKEN
from tests.sheetdata import TODAY, USER_OF01, USER_OF02, as_tables, tiny_province

TEXT = [{"type": "text", "text": "สวัสดีครับ"}]
NOW = dt.datetime(2026, 11, 26, 8, 0)
USERS = ["U" + c * 32 for c in "123456789"]


def key() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------- what happened

def test_sent_then_already_delivered_then_refused(line_messenger, line_fake):
    first_key = key()
    sent = deliver(line_messenger, USER_OF01, TEXT, first_key)
    assert (sent.status, sent.delivered, sent.log_status, sent.tried) == (SENT, True, SENT, True)
    assert sent.retry_key == first_key and sent.request_id == line_fake.requests[-1].request_id
    again = deliver(line_messenger, USER_OF01, TEXT, first_key)
    assert (again.status, again.delivered, again.log_status) == (ALREADY_DELIVERED, True, SENT)
    assert "ส่งไปแล้ว" in again.reason and again.request_id == sent.request_id and again.http_status == 409
    line_fake.fail_next(400, message="The request body has 1 error(s)")
    refused = deliver(line_messenger, USER_OF02, TEXT, key())
    assert (refused.status, refused.delivered, refused.http_status, refused.unreachable) == (FAILED, False, 400, False)
    assert "The request body has 1 error(s)" in refused.reason
    assert len(line_fake.deliveries) == 1


def test_no_line_account_is_not_a_request(line_messenger, line_fake):
    outcome = deliver(line_messenger, None, TEXT, "")
    assert (outcome.status, outcome.reason, outcome.tried) == (NO_LINE_ACCOUNT, NO_LINE_DETAIL, False)
    assert outcome.log_status == NO_LINE_ACCOUNT and not line_fake.requests


def test_a_messenger_that_raises_is_one_failed_delivery(tmp_path, line_messenger, line_fake):
    (tmp_path / "not-a-folder").write_text("")
    broken = OutboxMessenger(tmp_path / "not-a-folder" / "outbox.jsonl", echo=False)
    outcome = deliver(broken, USER_OF01, TEXT, key())                  # the outbox cannot write: OSError
    assert outcome.status == FAILED and "ส่งไม่สำเร็จ" in outcome.reason and "Error" in outcome.reason
    assert deliver(line_messenger, USER_OF02, TEXT, key()).status == SENT   # the next recipient is served


def test_429_stops_the_rest_of_the_run_without_a_request(line_messenger, line_fake):
    line_fake.rate_limit_next()
    first = deliver(line_messenger, USER_OF01, TEXT, key())
    assert (first.status, first.stopped, first.reason) == (FAILED, True, RATE_LIMIT_DETAIL)
    later = deliver(line_messenger, USER_OF02, TEXT, key())
    assert (later.status, later.stopped, later.reason, later.tried) == (FAILED, True, STOPPED_DETAIL, False)
    assert len(line_fake.requests) == 1


# ---------------------------------------------------------------- the circuit breaker

def closed_port() -> str:
    with socket.socket() as s:  # nobody listens there once it is closed
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_breaker_opens_after_three_unreachable_recipients():
    client = LineClient(closed_port(), DEFAULT_TOKEN, timeout_seconds=0.5, max_tries=2, sleep=lambda s: None)
    breaker = CircuitBreaker()
    outcomes = [deliver(client, user, TEXT, key(), breaker) for user in USERS[:6]]
    tried, waited = outcomes[:UNREACHABLE_LIMIT], outcomes[UNREACHABLE_LIMIT:]
    assert all(o.unreachable and "ติดต่อ LINE ไม่ได้" in o.reason and "2 ครั้ง" in o.reason for o in tried)
    assert all(o.status == FAILED and not o.tried and "ติดต่อ LINE ไม่ได้ติดต่อกัน 3 คน" in o.reason for o in waited)
    assert client.requests == UNREACHABLE_LIMIT * 2 and breaker.open


def test_any_answer_from_line_closes_the_breaker_again(line_fake):
    client = LineClient(line_fake.url, DEFAULT_TOKEN, timeout_seconds=0.2, max_tries=1, sleep=lambda s: None)
    breaker = CircuitBreaker()
    statuses = []
    for n, late in enumerate([True, True, False, True, True, True, True]):
        if late:
            line_fake.delay_next(0.5)  # LINE takes it but answers after our timeout: no answer for us
        outcome = deliver(client, USERS[n], TEXT, key(), breaker)
        statuses.append((outcome.status, outcome.unreachable, outcome.tried))
    assert statuses == [(FAILED, True, True), (FAILED, True, True), (SENT, False, True),
                        (FAILED, True, True), (FAILED, True, True), (FAILED, True, True),
                        (FAILED, False, False)]          # the 7th waits: three in a row since the answer
    client.close()


# ---------------------------------------------------------------- บันทึกการแจ้งเตือน rows

def test_log_row_takes_status_key_and_reason_from_the_delivery():
    sent = Delivery(SENT, "ส่งแล้ว (sent)", "k-1", tried=True)
    item = LoggedItem("overdue", "F1-002", 2, 30, Decimal("2000"), "ครบกำหนด 26 ต.ค. 2569")
    [row] = outcome_rows(TODAY, "OF-01", [item], sent, NOW)
    assert row == {"run_date": TODAY, "sent_at": NOW, "officer_id": "OF-01", "contract_no": "F1-002", "seq": 2,
                   "kind": "เกินกำหนด", "days": 30, "amount": Decimal("2000"), "retry_key": "k-1",
                   "status": "ส่งแล้ว", "detail": "ครบกำหนด 26 ต.ค. 2569 · ส่งแล้ว (sent)"}
    [repeat] = outcome_rows(TODAY, "OF-01", [LoggedItem("before_due")], Delivery(ALREADY_DELIVERED, "ส่งไปแล้ว", "k-1"),
                            NOW)
    assert (repeat["status"], repeat["sent_at"], repeat["kind"], repeat["detail"]) == (
        "ส่งแล้ว", NOW, "ก่อนครบกำหนด", "ส่งไปแล้ว")
    summary = LoggedItem("monthly_summary", detail="2026-10 สรุปรายเดือน " + "ก" * 600)
    [failed] = outcome_rows(TODAY, "PV-01", [summary], not_sent("เลื่อนไปรอบถัดไป", "k-2"), NOW)
    assert (failed["status"], failed["sent_at"], failed["kind"]) == ("ล้มเหลว", None, "สรุปรายเดือน")
    assert len(failed["detail"]) == 500 and failed["contract_no"] == "" and failed["seq"] is None
    [no_line] = outcome_rows(TODAY, "OF-03", [LoggedItem("due_today")], Delivery(NO_LINE_ACCOUNT, NO_LINE_DETAIL), NOW)
    assert (no_line["status"], no_line["sent_at"], no_line["retry_key"]) == ("ไม่มีบัญชี LINE", None, "")
    # No answer at all: the outcome is unknown, so no outcome row (the pending row stands).
    lost = Delivery(FAILED, "ติดต่อ LINE ไม่ได้", "k-3", tried=True, unreachable=True)
    assert lost.unknown and lost.log_status == PENDING and outcome_rows(TODAY, "OF-01", [item], lost, NOW) == []
    # Written ahead: รอส่ง, with the push's retry key and the time it is handed to LINE.
    push = Push("OF-01", USER_OF01, "k-4", TEXT, [item, summary], TODAY)
    ahead = pending_rows(push, NOW)
    assert [(r["status"], r["retry_key"], r["sent_at"]) for r in ahead] == [("รอส่ง", "k-4", NOW)] * 2
    assert item.ident == ("overdue", "F1-002", 2, 30) and summary.ident == ("monthly_summary", "2026-10")


def load_province(sheets_fake: Any) -> None:
    for table in as_tables(tiny_province(), Layout()).values():
        sheets_fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    sheets_fake.reset_requests()


def log_statuses(sheets_fake: Any) -> list[tuple[str, str]]:
    return [(r[2], r[9]) for r in sheets_fake.rows(SPREADSHEET_ID, "บันทึกการแจ้งเตือน")[1:]]


def test_items_are_written_ahead_in_one_append_and_the_outcomes_in_one_more(sheets_fake, google_store,
                                                                            line_messenger, line_fake):
    load_province(sheets_fake)
    items = [LoggedItem("overdue", f"C-{n}", 1, 1) for n in range(3)]
    pushes = [Push("OF-01", USER_OF01, key(), TEXT, items[:2], TODAY), Push("OF-02", USER_OF02, key(), TEXT,
                                                                            items[2:], TODAY)]
    nothing = push_recorded(google_store, line_messenger, [], started_at=NOW, breaker=CircuitBreaker())
    assert sheets_fake.count() == 0 and nothing.outcomes == []            # nothing to log: no request
    done = push_recorded(google_store, line_messenger, pushes, started_at=NOW, breaker=CircuitBreaker())
    # the tab's header row once (an alert run has it from its read), then: ahead, and the outcomes
    assert sheets_fake.kinds() == ["values.get", "values.append", "values.append"]
    assert (done.rows_ahead, done.rows_after) == (3, 3)
    assert log_statuses(sheets_fake) == [("OF-01", "รอส่ง")] * 2 + [("OF-02", "รอส่ง")] + \
        [("OF-01", "ส่งแล้ว")] * 2 + [("OF-02", "ส่งแล้ว")]
    assert [o.delivery.status for o in done.outcomes] == [SENT, SENT] and len(line_fake.deliveries) == 2


def test_a_failed_append_ahead_sends_nothing(sheets_fake, google_store, line_messenger, line_fake):
    load_province(sheets_fake)
    sheets_fake.fail_always(503)
    push = Push("OF-01", USER_OF01, key(), TEXT, [LoggedItem("overdue", "C-1", 1, 1)], TODAY)
    with pytest.raises(WriteAheadError, match="ยังไม่ได้ส่งข้อความใด"):
        push_recorded(google_store, line_messenger, [push], started_at=NOW, breaker=CircuitBreaker())
    assert line_fake.requests == []                                       # an unrecorded item is never sent
    sheets_fake.clear_faults()


def test_a_failed_append_after_the_pushes_says_what_was_sent_and_that_a_rerun_resolves_it(
        sheets_fake, google_store, line_messenger, line_fake):
    load_province(sheets_fake)
    pushes = [Push(f"OF-0{n}", user, key(), TEXT, [LoggedItem("overdue", f"C-{n}", 1, 1)], TODAY)
              for n, user in ((1, USER_OF01), (2, USER_OF02))]

    def fail_from_now_on(push: Push) -> None:
        sheets_fake.fail_always(503, kind="values.append")               # the pending rows are in already

    with pytest.raises(StoreError, match="ส่งข้อความแล้ว 2 ข้อความ แต่บันทึกการแจ้งเตือนไม่สำเร็จ") as caught:
        push_recorded(google_store, line_messenger, pushes, started_at=NOW, breaker=CircuitBreaker(),
                      before_push=fail_from_now_on)
    assert "24 ชั่วโมง" in str(caught.value) and "retry key เดิม" in str(caught.value)
    assert len(line_fake.deliveries) == 2
    sheets_fake.clear_faults()
    assert log_statuses(sheets_fake) == [("OF-01", "รอส่ง"), ("OF-02", "รอส่ง")]   # what the rerun resolves
