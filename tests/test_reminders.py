"""The daily alert run through the real clients: Google store on the Sheets fake, LineClient on the LINE fake.

The tiny province (tests/sheetdata.py) on 26 Nov 2026, with the spec's every-day policy
(`alerts.digest_weekdays: []`) unless a test says otherwise. Its first run (no log: the
window is the 14 catch-up days 12-26 Nov) has, by hand:

- OF-01 (fund 230101-01 names OF-01; fund 230102-03 names nobody, so both เมืองตราด
  officers): F1-002 seq 2 (2,000 left, 30 days overdue on 25 Nov), F2-001 (1 day
  overdue), F1-002 seq 3 (due today), F1-001 (due in 7 days): 4 items.
- OF-02: F2-001: 1 item.
- OF-03 (เขาสมิง, not linked): F3-001 (breached, 240 = 30 + 7 × 30 days overdue):
  logged ไม่มีบัญชี LINE; also row 7 of ลูกหนี้ (F3-002, due "31/02/2569") is unreadable
  and counts for OF-03. OF-04 is inactive. PV-01 (province) gets no daily items; the
  payment row for unknown contract XX-999 (no fund) counts for PV-01.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import AlertPolicy, due_alerts, ledger, trigger_id
from messaging.base import messages_to_text, retry_key_for
from messaging.line import LineClient
from reminders.job import DEFERRED_DETAIL, run_reminders
from reminders.plan import AlertLog, PlanContext
from sheets.claims import FileClaims
from sheets.model import load_dataset
from sheets.store import Layout
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.line_api import DEFAULT_TOKEN
from tests.sheetdata import (TODAY, USER_OF01, USER_OF02, USER_PV01, as_tables, tiny_province,
                             write_workbook)

NOW = dt.datetime(2026, 11, 26, 8, 0)
LOG_TAB = "บันทึกการแจ้งเตือน"
CITIZEN_IDS = ("1101400123451", "1-1014-00123-45-1", "1101400123452")


def load_province(fake: Any, data: dict | None = None) -> None:
    """The tiny province (or `data`) typed into the fake spreadsheet."""
    for table in as_tables(data if data is not None else tiny_province(), Layout()).values():
        fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    fake.reset_requests()


@pytest.fixture
def cfg(sheets_fake, line_fake):
    return make_config({"sheets.api_url": sheets_fake.url, "line.api_url": line_fake.url,
                        "line.timeout_seconds": 0.5, "line.max_tries": 3, "alerts.digest_weekdays": []})


def new_messenger(cfg) -> LineClient:
    """A fresh LINE client for a later run (as each Cloud Function call makes one)."""
    return LineClient.from_config(cfg, DEFAULT_TOKEN, env={}, sleep=lambda s: None)


@pytest.fixture
def claims(tmp_path) -> FileClaims:
    """Where the runs of one test claim the day's turn (sheets.claims; the deployed runs use a bucket)."""
    return FileClaims(tmp_path / "claims")


def run(store, cfg, claims, day=TODAY, messenger=None, **kw):
    return run_reminders(store, messenger or new_messenger(cfg), cfg, day,
                         dt.datetime.combine(day, dt.time(8, 0)), claims=claims, **kw)


def items_of(summary, officer_id: str) -> list[tuple]:
    [r] = [r for r in summary.as_json()["recipients"] if r["officer_id"] == officer_id]
    return [(i["contract_no"], i["seq"], i["kind"], i["days"]) for i in r["items"]]


def log_rows(fake) -> list[dict]:
    rows = fake.rows(SPREADSHEET_ID, LOG_TAB)
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


def final_rows(fake) -> list[dict]:
    """The log as its reader takes it: the latest row of each item under each retry key (the tab
    is append-only: a push's items are written รอส่ง ahead, its outcome appended after)."""
    latest: dict[tuple, dict] = {}
    for row in log_rows(fake):
        item = (row["รหัสเจ้าหน้าที่"], row["เลขที่สัญญา"], row["งวดที่"], row["ประเภท"], row["จำนวนวัน"],
                row["retry key"])
        latest.pop(item, None)
        latest[item] = row
    return list(latest.values())


# -- one run --------------------------------------------------------------------------
def test_first_run_one_push_per_officer_one_read_two_appends(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    summary = run(google_store, cfg, claims)
    out = summary.as_json()

    # 1 read, 1 append ahead of the pushes (รอส่ง), 1 append of the outcomes
    assert sheets_fake.kinds() == ["values.batchGet", "values.append", "values.append"]
    assert len(line_fake.requests_to("/v2/bot/message/push")) == 2          # one per officer with news
    assert [d.to for d in line_fake.deliveries] == [USER_OF01, USER_OF02]
    assert out["date"] == "2026-11-26" and out["pushes"] == 2 and out["items"] == 6
    assert out["already_sent"] == 0 and out["unreadable_rows"] == 2
    assert out["unlinked_officers"] == ["OF-03"]
    assert items_of(summary, "OF-01") == [("F1-002", 2, "overdue", 30), ("F2-001", 1, "overdue", 1),
                                          ("F1-002", 3, "due_today", 0), ("F1-001", 1, "before_due", 7)]
    assert items_of(summary, "OF-02") == [("F2-001", 1, "overdue", 1)]
    assert items_of(summary, "OF-03") == [("F3-001", 1, "overdue", 240)]
    statuses = {r["officer_id"]: r["status"] for r in out["recipients"]}
    assert statuses == {"OF-01": "sent", "OF-02": "sent", "OF-03": "no-line-account"}
    first = out["recipients"][0]["items"][0]
    assert first == {"contract_no": "F1-002", "seq": 2, "kind": "overdue", "days": 30, "amount": 2000,
                     "due_date": "2026-10-26", "trigger_date": "2026-11-25", "retry": False}

    # What OF-01 reads: one line per contract, most urgent first, Thai dates, amounts summed.
    text = messages_to_text(line_fake.pushes_to(USER_OF01)[0].messages)
    assert "เกินกำหนด 2 · ใกล้ครบกำหนด 1" in text                       # 3 contracts
    assert text.index("F1-002 งวดที่ 2–3/3") < text.index("F2-001") < text.index("F1-001")
    assert "ชำระรวม 6,000 บาท (2 งวด) · งวดแรกครบกำหนด 26 ต.ค. 2569 (เกินกำหนด 31 วัน)" in text
    assert "ชำระ 10,000 บาท · ครบกำหนด 3 ธ.ค. 2569 (อีก 7 วัน)" in text
    assert line_fake.deliveries[0].retry_key == retry_key_for(TODAY, USER_OF01)
    assert out["recipients"][0]["lines"] == 3 and out["recipients"][0]["shown"] == 3

    # The log, written ahead: the first append holds the items of both pushes as รอส่ง (with
    # their retry keys and the time they went to LINE) and OF-03's ไม่มีบัญชี LINE row; the
    # second the outcomes. One row per item each time; Thai words.
    rows = log_rows(sheets_fake)
    assert len(rows) == 6 + 5
    ahead, after = rows[:6], rows[6:]
    assert [(r["รหัสเจ้าหน้าที่"], r["สถานะ"]) for r in ahead] == (
        [("OF-03", "ไม่มีบัญชี LINE")] + [("OF-01", "รอส่ง")] * 4 + [("OF-02", "รอส่ง")])
    assert all(r["เวลาส่ง"] for r in ahead[1:]) and not ahead[0]["เวลาส่ง"]
    assert [(r["รหัสเจ้าหน้าที่"], r["สถานะ"]) for r in after] == [("OF-01", "ส่งแล้ว")] * 4 + [("OF-02", "ส่งแล้ว")]
    final = final_rows(sheets_fake)
    assert {r["สถานะ"] for r in final} == {"ส่งแล้ว", "ไม่มีบัญชี LINE"} and len(final) == 6
    sent = [r for r in final if r["รหัสเจ้าหน้าที่"] == "OF-01"]
    assert [r["ประเภท"] for r in sent] == ["เกินกำหนด", "เกินกำหนด", "ครบกำหนดวันนี้", "ก่อนครบกำหนด"]
    assert all(r["retry key"] == retry_key_for(TODAY, USER_OF01) and r["เวลาส่ง"] for r in sent)
    [no_line] = [r for r in final if r["รหัสเจ้าหน้าที่"] == "OF-03"]
    assert no_line["สถานะ"] == "ไม่มีบัญชี LINE" and not no_line["เวลาส่ง"]


def test_second_run_the_same_day_pushes_nothing(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    run(google_store, cfg, claims)
    sheets_fake.reset_requests()

    again = run(google_store, cfg, claims).as_json()
    assert again["pushes"] == 0 and again["items"] == 0 and again["recipients"] == []
    # Today's window holds 4 items already sent (F2-001 twice, F1-002#3, F1-001) and
    # OF-03's item already logged as "no LINE account" (not logged again).
    assert again["already_sent"] == 4 and again["already_logged_no_line"] == 1
    assert len(line_fake.deliveries) == 2
    assert sheets_fake.kinds() == ["values.batchGet"]     # nothing new: nothing appended
    assert len(log_rows(sheets_fake)) == 11 and len(final_rows(sheets_fake)) == 6


def test_retries_after_a_500_and_a_timeout_deliver_exactly_once(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    line_fake.fail_next(500)          # OF-01's first try
    line_fake.delay_next(1.0)         # OF-01's second try reaches LINE, the answer comes too late
    summary = run(google_store, cfg, claims).as_json()

    assert summary["pushes"] == 2 and summary["failed_officers"] == []
    assert len(line_fake.pushes_to(USER_OF01)) == 1 and len(line_fake.pushes_to(USER_OF02)) == 1
    tries = [r.status for r in line_fake.requests_to("/v2/bot/message/push")
             if r.retry_key == retry_key_for(TODAY, USER_OF01)]
    assert tries == [500, 200, 409]   # same key every time; the third try learns it was delivered
    assert all(r["สถานะ"] == "ส่งแล้ว" for r in final_rows(sheets_fake) if r["รหัสเจ้าหน้าที่"] == "OF-01")


@pytest.mark.parametrize("fault", ["500-for-ever", "400"])
def test_a_failed_officer_does_not_stop_the_others_and_is_served_next_run(
        sheets_fake, line_fake, google_store, cfg, fault, claims):
    load_province(sheets_fake)
    if fault == "400":
        line_fake.fail_next(400, message="The request body has 1 error(s)")
    else:
        line_fake.fail_next(500, times=cfg.line.max_tries)
    first = run(google_store, cfg, claims).as_json()
    assert first["failed_officers"] == ["OF-01"] and first["pushes"] == 1
    assert [d.to for d in line_fake.deliveries] == [USER_OF02]
    failed = [r for r in final_rows(sheets_fake) if r["รหัสเจ้าหน้าที่"] == "OF-01"]
    assert len(failed) == 4 and {r["สถานะ"] for r in failed} == {"ล้มเหลว"}
    assert not any(r["เวลาส่ง"] for r in failed)

    # Next day: OF-01's four items go out (one has a fresher trigger: F1-002#3 is 1 day
    # overdue on 27 Nov), OF-02 has nothing new and gets nothing.
    second = run(google_store, cfg, claims, day=TODAY + dt.timedelta(days=1)).as_json()
    assert [r["officer_id"] for r in second["recipients"]] == ["OF-01"]
    assert sorted(items_of_json(second, "OF-01")) == [("F1-001", 1, "before_due", 7, True),
                                                      ("F1-002", 2, "overdue", 30, True),
                                                      ("F1-002", 3, "overdue", 1, False),
                                                      ("F2-001", 1, "overdue", 1, True)]
    assert [d.to for d in line_fake.deliveries] == [USER_OF02, USER_OF01]

    # And then it is over: a third run that day sends nothing.
    third = run(google_store, cfg, claims, day=TODAY + dt.timedelta(days=1)).as_json()
    assert third["pushes"] == 0 and len(line_fake.deliveries) == 2


def test_a_run_stopped_half_way_keeps_the_log_of_the_pushes_made(sheets_fake, line_fake, google_store, cfg, claims):
    """Whatever stops a run after OF-01's push (here its progress line for OF-02), OF-01's outcome
    is appended; OF-02's push, recorded ahead, stays รอส่ง and the rerun makes it with its own
    retry key (LINE had never taken it: delivered now, once)."""
    load_province(sheets_fake)

    def progress(message: str) -> None:
        if message.startswith("ส่งถึง OF-02"):
            raise RuntimeError("the function was stopped")

    with pytest.raises(RuntimeError):
        run(google_store, cfg, claims, progress=progress)
    assert [d.to for d in line_fake.deliveries] == [USER_OF01]
    rows = final_rows(sheets_fake)
    assert sorted((r["รหัสเจ้าหน้าที่"], r["สถานะ"]) for r in rows) == (
        [("OF-01", "ส่งแล้ว")] * 4 + [("OF-02", "รอส่ง"), ("OF-03", "ไม่มีบัญชี LINE")])
    again = run(google_store, cfg, claims).as_json()
    assert [(r["officer_id"], r["status"]) for r in again["resolved"]] == [("OF-02", "sent")]
    assert again["pushes"] == 1 and again["recipients"] == []
    assert [d.to for d in line_fake.deliveries] == [USER_OF01, USER_OF02]
    assert line_fake.deliveries[1].retry_key == retry_key_for(TODAY, USER_OF02)
    assert {r["สถานะ"] for r in final_rows(sheets_fake) if r["รหัสเจ้าหน้าที่"] != "OF-03"} == {"ส่งแล้ว"}


def items_of_json(summary: dict, officer_id: str) -> list[tuple]:
    [r] = [r for r in summary["recipients"] if r["officer_id"] == officer_id]
    return [(i["contract_no"], i["seq"], i["kind"], i["days"], i["retry"]) for i in r["items"]]


@pytest.mark.parametrize("monthly", [False, True])
def test_429_stops_the_rest_with_a_clear_message_and_they_go_out_next_run(
        sheets_fake, line_fake, google_store, cfg, monthly, claims):
    load_province(sheets_fake)
    line_fake.rate_limit_next(monthly=monthly)
    first = run(google_store, cfg, claims).as_json()

    assert len(line_fake.requests_to("/v2/bot/message/push")) == 1      # nobody after the 429
    assert first["pushes"] == 0 and first["failed_officers"] == ["OF-01", "OF-02"]
    word = "โควตาข้อความ LINE ของเดือนนี้หมดแล้ว" if monthly else "LINE จำกัดจำนวนคำขอชั่วคราว"
    assert word in first["stopped"]
    details = {r["officer_id"]: r["detail"] for r in first["recipients"]}
    assert word in details["OF-01"] and "LINE ตอบ 429" in details["OF-02"]
    assert {r["สถานะ"] for r in final_rows(sheets_fake) if r["รหัสเจ้าหน้าที่"] != "OF-03"} == {"ล้มเหลว"}

    second = run(google_store, cfg, claims, day=TODAY + dt.timedelta(days=1)).as_json()
    assert second["pushes"] == 2 and second["failed_officers"] == []
    assert [d.to for d in line_fake.deliveries] == [USER_OF01, USER_OF02]
    # Nothing was sent on the 26th, so the 27th still looks back over the catch-up days.
    assert second["last_run"] is None
    assert [i[:4] for i in items_of_json(second, "OF-02")] == [("F2-001", 1, "overdue", 1)]


def test_catch_up_after_a_missed_day(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    run(google_store, cfg, claims)                               # 26 Nov
    # No run on 27 Nov, when F1-002 seq 3 became 1 day overdue.
    out = run(google_store, cfg, claims, day=dt.date(2026, 11, 28)).as_json()
    assert out["last_run"] == "2026-11-26" and out["window"] == ["2026-11-27", "2026-11-28"]
    [r] = out["recipients"]
    assert r["officer_id"] == "OF-01" and r["status"] == "sent"
    [i] = r["items"]
    assert (i["contract_no"], i["seq"], i["kind"], i["days"], i["trigger_date"]) == \
        ("F1-002", 3, "overdue", 1, "2026-11-27")
    text = messages_to_text(line_fake.pushes_to(USER_OF01)[-1].messages)
    assert "เกินกำหนด 2 วัน" in text                     # shown as it stands on the run date
    detail = [row for row in log_rows(sheets_fake) if row["วันที่รอบ"] == "2026-11-28"][0]["รายละเอียด"]
    assert "ถึงรอบแจ้งเมื่อ 27 พ.ย. 2569" in detail


def test_nothing_is_sent_to_an_officer_with_nothing_new(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    run(google_store, cfg, claims)
    out = run(google_store, cfg, claims, day=TODAY + dt.timedelta(days=1)).as_json()
    assert [r["officer_id"] for r in out["recipients"]] == ["OF-01"]   # F1-002#3 is 1 day overdue
    assert len(line_fake.pushes_to(USER_OF02)) == 1                     # only the first day's
    assert out["pushes"] == 1


def test_an_officer_already_pushed_today_gets_new_items_on_the_next_run(sheets_fake, line_fake, google_store,
                                                                        cfg, claims):
    data = tiny_province()
    load_province(sheets_fake, data)
    run(google_store, cfg, claims)
    # Someone types a loan due in 7 days after the morning run; the job is run again.
    data["loans"].append({"contract_no": "F1-009", "fund_id": "230101-01", "borrower_name": "นายเก้า ทดสอบ",
                          "loan_date": dt.date(2026, 6, 1), "amount": 3000, "due_date": dt.date(2026, 12, 3)})
    loans = as_tables(data)["loans"]
    sheets_fake.set_rows(SPREADSHEET_ID, loans.title, [loans.header] + loans.rows)
    again = run(google_store, cfg, claims).as_json()
    [r] = again["recipients"]
    assert r["officer_id"] == "OF-01" and r["status"] == "failed" and r["detail"] == DEFERRED_DETAIL
    assert len(line_fake.pushes_to(USER_OF01)) == 1                      # one push per officer per day
    nxt = run(google_store, cfg, claims, day=TODAY + dt.timedelta(days=1)).as_json()
    assert ("F1-009", 1, "before_due", 7, True) in items_of_json(nxt, "OF-01")
    assert len(line_fake.pushes_to(USER_OF01)) == 2


# -- unreadable rows ----------------------------------------------------------------------
def test_unreadable_row_counts_for_its_funds_officer(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    out = run(google_store, cfg, claims).as_json()
    # Row 7 of ลูกหนี้ (F3-002) belongs to fund 230301-02: OF-03, who has no LINE account.
    assert out["unreadable_by_officer"] == {"OF-03": 1, "PV-01": 1}
    [of03] = [r for r in out["recipients"] if r["officer_id"] == "OF-03"]
    assert of03["unreadable"] == 1 and of03["status"] == "no-line-account"
    assert "OF-03" in out["unlinked_officers"]
    for user in (USER_OF01, USER_OF02):
        assert "แถวต้องแก้ไข" not in json.dumps(line_fake.pushes_to(user)[0].messages, ensure_ascii=False)


def test_unreadable_row_reaches_a_linked_officer_in_their_digest(sheets_fake, line_fake, google_store, cfg, claims):
    data = tiny_province()
    data["line_links"].append({"linked_at": dt.datetime(2026, 11, 1, 9, 0), "officer_id": "OF-03",
                               "line_user_id": "U" + "e" * 32, "display_name": "Manee"})
    load_province(sheets_fake, data)
    out = run(google_store, cfg, claims).as_json()
    assert out["unlinked_officers"] == []
    [of03] = [r for r in out["recipients"] if r["officer_id"] == "OF-03"]
    assert of03["status"] == "sent" and of03["unreadable"] == 1
    [push] = line_fake.pushes_to("U" + "e" * 32)
    assert "ข้อมูล 1 แถวต้องแก้ไข" in messages_to_text(push.messages)
    assert "ข้อมูล 1 แถวต้องแก้ไข" in push.messages[0]["altText"]
    # The provincial officer is not pushed for the orphan payment row alone.
    assert line_fake.pushes_to(USER_PV01) == []


def test_province_daily_sends_provincial_staff_every_item(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    daily = make_config({"line.api_url": line_fake.url, "line.timeout_seconds": 0.5,
                         "alerts.digest_weekdays": [], "alerts.province_daily": True})
    out = run(google_store, daily, claims).as_json()
    [pv] = [r for r in out["recipients"] if r["officer_id"] == "PV-01"]
    assert pv["status"] == "sent" and len(pv["items"]) == 5 and pv["unreadable"] == 2
    assert "ข้อมูล 2 แถวต้องแก้ไข" in messages_to_text(line_fake.pushes_to(USER_PV01)[0].messages)


# -- privacy, dry run, digest days ----------------------------------------------------------
def test_no_citizen_id_in_any_message_or_log_row(sheets_fake, line_fake, google_store, cfg, claims):
    data = tiny_province()
    data["line_links"].append({"linked_at": dt.datetime(2026, 11, 1, 9, 0), "officer_id": "OF-03",
                               "line_user_id": "U" + "e" * 32, "display_name": "Manee"})
    load_province(sheets_fake, data)
    run(google_store, cfg, claims)
    sent = json.dumps([d.messages for d in line_fake.deliveries], ensure_ascii=False)
    logged = json.dumps(log_rows(sheets_fake), ensure_ascii=False, default=str)
    for cid in CITIZEN_IDS:
        assert cid not in sent and cid not in logged
    assert "นายหนึ่ง ทดสอบ" in sent          # the borrower's name is what identifies them


def test_dry_run_writes_nothing_and_sends_nothing(sheets_fake, line_fake, google_store, cfg, claims):
    load_province(sheets_fake)
    summary = run(google_store, cfg, claims, dry_run=True)
    out = summary.as_json()
    assert sheets_fake.kinds() == ["values.batchGet"]
    assert line_fake.requests == []
    assert out["dry_run"] is True and out["pushes"] == 2
    assert {r["officer_id"]: r["status"] for r in out["recipients"]} == {
        "OF-01": "dry-run", "OF-02": "dry-run", "OF-03": "no-line-account"}
    text = summary.as_text()
    assert "ทดลอง" in text and "นางสอง ทดสอบ" in text and "F1-001" in text
    assert len(log_rows(sheets_fake)) == 0


def test_digest_weekdays_batch_the_days_between(sheets_fake, line_fake, google_store, claims):
    # Monday and Thursday digests; 26 Nov 2026 is a Thursday.
    cfg = make_config({"line.api_url": line_fake.url, "line.timeout_seconds": 0.5,
                       "alerts.digest_weekdays": [1, 4]})
    load_province(sheets_fake)
    assert run(google_store, cfg, claims).as_json()["pushes"] == 2                     # Thu 26
    friday = run(google_store, cfg, claims, day=dt.date(2026, 11, 27)).as_json()
    assert friday["digest_day"] is False and friday["pushes"] == 0 and friday["window"] is None
    monday = run(google_store, cfg, claims, day=dt.date(2026, 11, 30)).as_json()
    assert monday["window"] == ["2026-11-27", "2026-11-30"]                    # Fri-Mon caught up
    assert [i[:4] for i in items_of_json(monday, "OF-01")] == [("F1-002", 3, "overdue", 1)]
    assert len(line_fake.deliveries) == 3




def test_failed_items_go_out_the_next_day_even_between_digest_days(sheets_fake, line_fake, google_store, claims):
    cfg = make_config({"line.api_url": line_fake.url, "line.timeout_seconds": 0.5,
                       "alerts.digest_weekdays": [1, 4]})
    load_province(sheets_fake)
    line_fake.rate_limit_next(monthly=True)
    assert run(google_store, cfg, claims).as_json()["failed_officers"] == ["OF-01", "OF-02"]     # Thu 26
    friday = run(google_store, cfg, claims, day=dt.date(2026, 11, 27)).as_json()
    assert friday["digest_day"] is False and friday["pushes"] == 2                      # a failed push used no quota
    assert all(i["retry"] for r in friday["recipients"] for i in r["items"])
    # Monday still catches up Friday to Monday: the retries on Friday were not a digest run.
    monday = run(google_store, cfg, claims, day=dt.date(2026, 11, 30)).as_json()
    assert monday["window"][1] == "2026-11-30" and monday["window"][0] <= "2026-11-27"
    assert [i[:4] for i in items_of_json(monday, "OF-01")] == [("F1-002", 3, "overdue", 1)]
    assert len(line_fake.deliveries) == 3


# -- the workbook backend and the outbox ------------------------------------------------------
def test_workbook_and_outbox_run_twice_sends_once(tmp_path, outbox_messenger):
    store = write_workbook(tmp_path / "w.xlsx")
    cfg = make_config({"alerts.digest_weekdays": []})
    claims = FileClaims(tmp_path / "claims")
    first = run_reminders(store, outbox_messenger, cfg, TODAY, NOW, claims=claims).as_json()
    second = run_reminders(store, outbox_messenger, cfg, TODAY, NOW, claims=claims).as_json()
    assert first["pushes"] == 2 and second["pushes"] == 0 and second["already_sent"] == 4
    lines = (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "นางสอง ทดสอบ" in outbox_messenger.stream.getvalue()


# -- the fast arithmetic equals the ledger ------------------------------------------------------
RUN = dt.date(2026, 6, 1)


@st.composite
def provinces(draw):
    loans, installments, payments = [], [], []
    for n in range(draw(st.integers(1, 4))):
        no = f"K-{n}"
        amount = draw(st.integers(1, 200)) * 100
        schedule = draw(st.lists(st.tuples(st.integers(-200, 60), st.integers(0, 80)), max_size=4))
        due = RUN + dt.timedelta(days=max((d for d, _ in schedule), default=draw(st.integers(-200, 60))))
        loans.append({"contract_no": no, "fund_id": "230101-01", "borrower_name": f"ผู้ยืม {n}",
                      "loan_date": dt.date(2025, 1, 1), "amount": amount, "due_date": due,
                      "status": draw(st.sampled_from([None, "ผิดสัญญา"]))})
        for seq, (offset, part) in enumerate(schedule, start=1):
            installments.append({"contract_no": no, "seq": seq, "due_date": RUN + dt.timedelta(days=offset),
                                 "amount": part * 100 + 50})
        for offset, paid in draw(st.lists(st.tuples(st.integers(-300, 30), st.integers(1, 150)), max_size=3)):
            payments.append({"contract_no": no, "paid_date": RUN + dt.timedelta(days=offset), "amount": paid * 100})
    data = tiny_province()
    data.update(loans=loans, installments=installments, payments=payments)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=provinces(), before=st.sets(st.integers(1, 10), max_size=3), after=st.sets(st.integers(1, 40), max_size=4),
       repeat=st.integers(1, 40), gap=st.one_of(st.none(), st.integers(1, 20)), offset=st.integers(-5, 5))
def test_plan_triggers_equal_due_alerts(data, before, after, repeat, gap, offset):
    cfg = make_config({"alerts.before_due_days": sorted(before), "alerts.overdue_days": sorted(after),
                       "alerts.overdue_repeat_days": repeat, "alerts.digest_weekdays": []})
    ds = load_dataset(as_tables(data), Layout(), dt.date(2026, 12, 31))
    ctx = PlanContext(ds, cfg)
    run_date = RUN + dt.timedelta(days=offset)
    last = None if gap is None else run_date - dt.timedelta(days=gap)
    from ledger import alert_window
    first, last_day = alert_window(run_date, last, 14)
    mine = [t for _, t in ctx.triggers(run_date, first, last_day)]
    policy = AlertPolicy.from_config(cfg)
    states = [ledger(ds.contract(loan), run_date, **ctx.ledger_options) for loan in ds.readable_loans()]
    theirs = due_alerts(states, run_date, last, policy)
    assert sorted(map(trigger_id, mine)) == sorted(map(trigger_id, theirs))
    assert {trigger_id(t): t.amount for t in mine} == {trigger_id(t): t.amount for t in theirs}
    # ... and the whole province's ledger (the engine) equals the ledger, every field, on the run date.
    balances = ctx.book.at(run_date)
    assert [balances.state(i) for i in range(len(states))] == states


def test_alert_log_reads_failed_then_sent_in_sheet_order():
    log = AlertLog()
    log.add(TODAY, "OF-01", "F1-001", 1, "before_due", 7, "failed")
    assert log.pending() == {("OF-01", "F1-001", 1): ("before_due", 7)}
    log.add(TODAY + dt.timedelta(days=1), "OF-01", "F1-001", 1, "before_due", 7, "sent")
    assert log.pending() == {}
    assert log.last_run(TODAY) is None and log.last_run(TODAY + dt.timedelta(days=3)) == TODAY + dt.timedelta(days=1)
    log.add(TODAY, "PV-01", "", None, "monthly_summary", None, "sent")   # summaries play no part
    assert log.last_run(TODAY) is None


# -- the Cloud Function -------------------------------------------------------------------------
@pytest.fixture
def function_client(tmp_path, monkeypatch):
    """send_reminders through functions-framework, on a workbook with the outbox (no LINE token)."""
    import functions_framework

    import main

    write_workbook(tmp_path / "smart-data.xlsx")
    monkeypatch.setenv("KKC_STORE", str(tmp_path / "smart-data.xlsx"))
    monkeypatch.setenv("KKC_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("KKC_CLAIMS_DIR", str(tmp_path / "claims"))
    monkeypatch.delenv("KKC_CLAIMS_BUCKET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("KKC_CONFIG", raising=False)
    monkeypatch.setenv("FUNCTION_TARGET", "send_reminders")  # create_app sets it; put back after the test
    # A new app loads main.py anew: a new instance, which reads these settings on its first call.
    app = functions_framework.create_app(target="send_reminders", source=str(Path(main.__file__)))
    return app.test_client()


def test_send_reminders_answers_the_runs_json_summary(function_client, tmp_path, monkeypatch):
    """The digests, with October's summary riding in them (the summary has not gone out this
    month): OF-01 and OF-02 get both in one push, PV-01 (no daily items) the summary alone."""
    monkeypatch.setenv("KKC_TIMEZONE", "Asia/Bangkok")
    dry = function_client.get("/?date=2026-11-26&dry_run=1")
    assert dry.status_code == 200
    body = dry.get_json()
    assert body["date"] == "2026-11-26" and body["dry_run"] is True and body["pushes"] == 3
    assert {r["officer_id"]: r["monthly_summary"] for r in body["recipients"]} == {
        "OF-01": True, "OF-02": True, "OF-03": False, "PV-01": True}
    assert not (tmp_path / "outbox.jsonl").exists()

    sent = function_client.post("/?date=2026-11-26")
    assert sent.status_code == 200 and sent.get_json()["pushes"] == 3
    pushes = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(len(p["messages"]) for p in pushes) == [1, 2, 2]     # summary (+ digest): one push each
    assert all("ตุลาคม 2569" in p["messages"][0]["altText"] for p in pushes)
    again = function_client.post("/", json={"date": "2026-11-26"})
    assert again.get_json()["pushes"] == 0 and again.get_json()["already_sent"] == 4
    assert (tmp_path / "claims").is_dir()                                # the day's turn was claimed there


def test_send_reminders_errors_are_short_json(function_client, tmp_path, monkeypatch):
    assert function_client.get("/?date=26/11/2569").status_code == 400
    monkeypatch.setenv("KKC_STORE", str(tmp_path / "missing.xlsx"))
    answer = function_client.get("/?date=2026-11-26")
    assert answer.status_code == 500
    body = answer.get_json()
    assert body["error"] == "StoreError" and "missing.xlsx" in body["message"]
    monkeypatch.setenv("KKC_STORE", "gsheet:")
    assert function_client.get("/").get_json()["error"] == "StoreError"


def test_unreachable_line_is_tried_for_three_officers_then_the_rest_wait(sheets_fake, google_store, tmp_path):
    """LINE down: a run does not spend every retry on every officer; all items go out next run."""
    from sheets.demo import TRAT, demo_tables
    from tests.fakes.line_api import LineFake
    from messaging.delivery import UNREACHABLE_LIMIT

    for tab_key, rows in demo_tables(TODAY, 2569, TRAT).items():
        sheets_fake.set_rows(SPREADSHEET_ID, Layout().title(tab_key), rows)
    with LineFake() as gone:
        closed_url = gone.url  # nothing listens there once the fake has stopped
    cfg = make_config({"sheets.api_url": sheets_fake.url, "line.api_url": closed_url,
                       "line.timeout_seconds": 0.5, "line.max_tries": 2})
    summary = run_reminders(google_store, new_messenger(cfg), cfg, TODAY, NOW, force_digest=True,
                            claims=FileClaims(tmp_path / "claims"))
    linked = [r for r in summary.recipients if r.status != "no-line-account"]
    assert len(linked) > UNREACHABLE_LIMIT
    tried, waited = linked[:UNREACHABLE_LIMIT], linked[UNREACHABLE_LIMIT:]
    # No answer at all: LINE may have taken those three, so their rows stay รอส่ง (resolved by
    # their retry keys next run); the others were never tried: ล้มเหลว, sent next run.
    assert all(r.status == "unknown" for r in tried) and all(r.status == "failed" for r in waited)
    assert all("ติดต่อ LINE ไม่ได้" in r.detail and "2 ครั้ง" in r.detail for r in tried)
    assert all("ไม่ได้ส่งในรอบนี้" in r.detail for r in waited)
    assert summary.exit_code == 4 and summary.http_status == 503
    final = final_rows(sheets_fake)
    assert {r["สถานะ"] for r in final} == {"รอส่ง", "ล้มเหลว", "ไม่มีบัญชี LINE"} and len(final) == summary.items
    pending = {r["รหัสเจ้าหน้าที่"] for r in final if r["สถานะ"] == "รอส่ง"}
    assert pending == {r.officer_id for r in tried}
