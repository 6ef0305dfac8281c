"""Nothing lost, nothing twice (issue 9, the alert run): the write-ahead log, the day's turn, a
missing column, through the real clients: the Google store on the Sheets fake (which fails on
purpose), LineClient on the LINE fake (409 on a repeated retry key), the claims on the Cloud
Storage fake or in a directory.

Each test is a failure seen on the code before the log was written ahead: the log append
failing after the pushes (the next digest planned 493 items instead of 251; with the sheet
changed before the retry, a 7-day alert logged ส่งแล้ว and never delivered, for 5 officers), a
push whose answer timed out (logged ล้มเหลว, so sent again), two overlapping runs (duplicate
ส่งแล้ว rows), a missing header (exit 0 with 0 items, silently).
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest

from messaging.base import retry_key_for
from messaging.delivery import LoggedItem, Push, pending_rows
from messaging.line import LineClient
from reminders.job import EXIT_BLOCKED, EXIT_BUSY, run_reminders
from reminders.turn import LEASE, turn_key
from report.notify import MonthlySummaries
from sheets.claims import FileClaims, StorageClaims
from sheets.credentials import StaticToken
from sheets.demo import TRAT, demo_tables
from sheets.google import GoogleStore
from sheets.store import Layout, StoreError, Table
from tests.claims_race import storage_client
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.line_api import DEFAULT_TOKEN, LineFake
from tests.fakes.sheets_api import SheetsFake
from tests.fakes.storage_api import DEFAULT_BUCKET
from tests.sheetdata import TODAY, USER_OF01, USER_OF02, USER_PV01, as_tables, tiny_province

LOG_TAB = "บันทึกการแจ้งเตือน"
THURSDAY, FRIDAY, MONDAY = TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=4)


def config_for(sheets_fake: Any, line_fake: Any, **overrides: Any) -> Any:
    return make_config({"sheets.api_url": sheets_fake.url, "line.api_url": line_fake.url,
                        "line.timeout_seconds": 0.5, "line.max_tries": 3, **overrides})


def messenger(cfg: Any) -> LineClient:
    """A fresh LINE client per run, as each Cloud Function call makes one."""
    return LineClient.from_config(cfg, DEFAULT_TOKEN, env={}, sleep=lambda s: None)


def run(store: Any, cfg: Any, claims: Any, day: dt.date = TODAY, at: dt.time = dt.time(8, 0), **kw: Any) -> Any:
    return run_reminders(store, messenger(cfg), cfg, day, dt.datetime.combine(day, at), claims=claims, **kw)


def load(fake: Any, data: dict | None = None) -> None:
    for table in as_tables(data if data is not None else tiny_province(), Layout()).values():
        fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    fake.reset_requests()


def load_demo(fake: Any) -> dict[str, list[list[Any]]]:
    tables = demo_tables(TODAY, 2569, TRAT)
    for tab_key, rows in tables.items():
        fake.set_rows(SPREADSHEET_ID, Layout().title(tab_key), rows)
    fake.reset_requests()
    return tables


def log_rows(fake: Any) -> list[dict]:
    rows = fake.rows(SPREADSHEET_ID, LOG_TAB)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def final_rows(fake: Any) -> list[dict]:
    """The latest row of each item under each retry key: the log as its reader takes it."""
    latest: dict[tuple, dict] = {}
    for row in log_rows(fake):
        key = (row["รหัสเจ้าหน้าที่"], row["เลขที่สัญญา"], row["งวดที่"], row["ประเภท"], row["จำนวนวัน"],
               str(row["รายละเอียด"]).split(" ")[0] if not row["เลขที่สัญญา"] else "", row["retry key"])
        latest.pop(key, None)
        latest[key] = row
    return list(latest.values())


def sent_items(fake: Any) -> Counter:
    """(officer, contract, seq, kind, days) -> how many ส่งแล้ว rows say it was delivered (by any key)."""
    return Counter((r["รหัสเจ้าหน้าที่"], r["เลขที่สัญญา"], r["งวดที่"], r["ประเภท"], r["จำนวนวัน"])
                   for r in final_rows(fake) if r["สถานะ"] == "ส่งแล้ว" and r["เลขที่สัญญา"])


def planned(summary: dict) -> dict[str, list[tuple]]:
    """Officer -> the items a run's JSON summary planned for them."""
    return {r["officer_id"]: sorted((i["contract_no"], i["seq"], i["kind"], i["days"]) for i in r["items"])
            for r in summary["recipients"]}


def fail_appends_after_the_first_push(sheets_fake: Any) -> Callable[[str], None]:
    """A progress hook: once the items are written ahead and the first push starts, every append fails."""
    def progress(message: str) -> None:
        if message.startswith("ส่งถึง "):
            sheets_fake.fail_always(503, kind="values.append")
    return progress


# -- the log append failing after the pushes --------------------------------------------------------
def test_a_log_that_failed_after_the_pushes_is_resolved_by_the_retry_keys_and_nothing_is_repeated(
        sheets_fake, line_fake, google_store_factory, tmp_path):
    """The demo province on a Thursday: the outcome append fails after every push was delivered.
    The scheduler's retry (the same day) finds the pushes รอส่ง, pushes each again with its own
    retry key (LINE: 409, delivered already) and logs them ส่งแล้ว. Monday's digest then plans
    exactly what it plans after a run that never failed (it planned 493 items instead of 251)."""
    cfg = config_for(sheets_fake, line_fake)
    tables = load_demo(sheets_fake)
    claims = FileClaims(tmp_path / "claims")
    with pytest.raises(StoreError, match="บันทึกการแจ้งเตือนไม่สำเร็จ"):
        run(google_store_factory(), cfg, claims, progress=fail_appends_after_the_first_push(sheets_fake))
    delivered = len(line_fake.deliveries)
    assert delivered > 15 and {r["สถานะ"] for r in final_rows(sheets_fake)} == {"รอส่ง", "ไม่มีบัญชี LINE"}
    sheets_fake.clear_faults()

    retry = run(google_store_factory(), cfg, claims, at=dt.time(8, 5))
    assert {r.status for r in retry.resolved} == {"already-delivered"} and len(retry.resolved) == delivered
    assert retry.pushes == 0 and len(line_fake.deliveries) == delivered          # nothing delivered twice
    assert "รอส่ง" not in {r["สถานะ"] for r in final_rows(sheets_fake)}
    monday = run(google_store_factory(), cfg, claims, day=MONDAY).as_json()

    # The same days on a sheet whose log never failed.
    with SheetsFake() as clean, LineFake() as clean_line:
        clean.create_spreadsheet(SPREADSHEET_ID)
        for tab_key, rows in tables.items():
            clean.set_rows(SPREADSHEET_ID, Layout().title(tab_key), rows)
        clean_cfg = config_for(clean, clean_line)
        clean_store = GoogleStore.from_config(SPREADSHEET_ID, clean_cfg, Layout(clean_cfg), StaticToken("test-token"))
        control_claims = FileClaims(tmp_path / "control-claims")
        first = run(clean_store, clean_cfg, control_claims)
        control = run(clean_store, clean_cfg, control_claims, day=MONDAY).as_json()
        assert len(clean_line.deliveries) == delivered + control["pushes"]
        assert clean.violations == []
    assert first.pushes == delivered
    assert planned(monday) == planned(control) and monday["items"] == control["items"] > 0
    assert monday["already_sent"] == control["already_sent"]
    assert len(line_fake.deliveries) == delivered + monday["pushes"]
    assert max(sent_items(sheets_fake).values()) == 1                           # no item ส่งแล้ว twice


def add_loans_for_five_officers(sheets_fake: Any, tables: dict[str, list[list[Any]]]) -> dict[str, str]:
    """A loan due in 7 days typed into five funds that each name a different linked officer:
    contract -> officer."""
    funds, officers, links = tables["funds"], tables["officers"], tables["line_links"]
    fund_officer = funds[0].index("เจ้าหน้าที่ผู้รับผิดชอบ")
    active = {row[0] for row in officers[1:] if row[5] != "ไม่"}
    linked = {row[links[0].index("รหัสเจ้าหน้าที่")] for row in links[1:]}
    chosen: dict[str, str] = {}
    for row in funds[1:]:
        officer = row[fund_officer] if fund_officer < len(row) else None
        if officer and officer in active & linked and officer not in chosen.values() and len(chosen) < 5:
            chosen[row[0]] = officer
    assert len(chosen) == 5
    loans = [list(r) for r in tables["loans"]]
    header = loans[0]
    new = {}
    for n, fund_id in enumerate(chosen, start=1):
        contract = f"{fund_id}/2569/N{n}"
        values = {"เลขที่สัญญา": contract, "รหัสกองทุน": fund_id, "ชื่อ-สกุลผู้ยืม": f"นายใหม่ ที่{n}",
                  "วันที่รับเงินยืม": dt.date(2026, 6, 1), "จำนวนเงินยืม (บาท)": 3000,
                  "วันครบกำหนดชำระ": TODAY + dt.timedelta(days=7)}
        loans.append([values.get(h) for h in header])
        new[contract] = chosen[fund_id]
    sheets_fake.set_rows(SPREADSHEET_ID, "ลูกหนี้", loans)
    return new


def test_a_sheet_changed_before_the_retry_gets_its_new_items_on_the_next_run_never_logged_unsent(
        sheets_fake, line_fake, google_store_factory, tmp_path):
    """The log fails after the pushes; someone types five loans due in 7 days before the retry.
    The retry resolves the recorded pushes by their keys (409) and, each of those officers being
    pushed today already, logs the new items ล้มเหลว "เลื่อนไปรอบถัดไป": they go out on Friday, in
    a push of their own (they used to be logged ส่งแล้ว under the reused key and never delivered)."""
    cfg = config_for(sheets_fake, line_fake)
    tables = load_demo(sheets_fake)
    claims = FileClaims(tmp_path / "claims")
    with pytest.raises(StoreError):
        run(google_store_factory(), cfg, claims, progress=fail_appends_after_the_first_push(sheets_fake))
    sheets_fake.clear_faults()
    new = add_loans_for_five_officers(sheets_fake, tables)

    retry = run(google_store_factory(), cfg, claims, at=dt.time(8, 5))
    assert {r.status for r in retry.resolved} == {"already-delivered"} and retry.pushes == 0
    deferred = {r.officer_id: r for r in retry.recipients}
    assert set(new.values()) <= set(deferred)
    for contract, officer in new.items():
        assert deferred[officer].status == "failed" and "เลื่อนไปรอบถัดไป" in deferred[officer].detail
        assert contract in {p.trigger.contract_no for p in deferred[officer].items}
    thursday_sent = {(r["รหัสเจ้าหน้าที่"], r["เลขที่สัญญา"]) for r in final_rows(sheets_fake)
                     if r["สถานะ"] == "ส่งแล้ว"}
    assert not any((officer, contract) in thursday_sent for contract, officer in new.items())
    thursday = len(line_fake.deliveries)

    friday = run(google_store_factory(), cfg, claims, day=FRIDAY)
    pushed = line_fake.deliveries[thursday:]
    user_of = {row[1]: row[2] for row in tables["line_links"][1:]}
    for contract, officer in new.items():
        [push] = [d for d in pushed if d.to == user_of[officer]]
        assert contract in json.dumps(push.messages, ensure_ascii=False)     # the 7-day alert, delivered
    assert friday.pushes == len(pushed) and len({d.to for d in pushed}) == len(pushed)
    assert {(r["รหัสเจ้าหน้าที่"], r["เลขที่สัญญา"]) for r in final_rows(sheets_fake)
            if r["สถานะ"] == "ส่งแล้ว"} >= {(o, c) for c, o in new.items()}
    assert max(sent_items(sheets_fake).values()) == 1


# -- a push whose answer was lost --------------------------------------------------------------
def test_a_push_whose_answers_all_timed_out_is_resolved_by_409_not_sent_twice(
        sheets_fake, line_fake, google_store, tmp_path):
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []})
    load(sheets_fake)
    claims = FileClaims(tmp_path / "claims")
    line_fake.delay_next(1.0, times=3)        # OF-01: LINE takes the first try; no answer comes back in time
    first = run(google_store, cfg, claims)
    assert first.unknown_officers == ["OF-01"] and first.exit_code == 4 and first.http_status == 503
    assert len(line_fake.pushes_to(USER_OF01)) == 1                         # delivered, though we never heard
    of01 = [r for r in final_rows(sheets_fake) if r["รหัสเจ้าหน้าที่"] == "OF-01"]
    assert {r["สถานะ"] for r in of01} == {"รอส่ง"}                          # not ล้มเหลว: unknown

    again = run(google_store, cfg, claims, at=dt.time(8, 10))            # the scheduler's retry
    [resolved] = again.resolved
    assert (resolved.officer_id, resolved.status) == ("OF-01", "already-delivered")
    assert resolved.retry_key == retry_key_for(TODAY, USER_OF01) and again.http_status == 200
    assert len(line_fake.pushes_to(USER_OF01)) == 1                         # not sent twice
    assert {r["สถานะ"] for r in final_rows(sheets_fake) if r["รหัสเจ้าหน้าที่"] == "OF-01"} == {"ส่งแล้ว"}
    assert again.recipients == []                                            # nothing else for anyone

    nxt = run(google_store, cfg, claims, day=FRIDAY).as_json()
    assert planned_items(nxt, "OF-01") == [("F1-002", 3, "overdue", 1)]   # only what is new on the 27th
    assert max(sent_items(sheets_fake).values()) == 1


def planned_items(summary: dict, officer_id: str) -> list[tuple]:
    [r] = [r for r in summary["recipients"] if r["officer_id"] == officer_id]
    return [(i["contract_no"], i["seq"], i["kind"], i["days"]) for i in r["items"]]


# -- a run that died holding the day's turn ------------------------------------------------------
def died_after_writing_ahead(store: Any, claims: Any, started: dt.datetime) -> None:
    """What a run killed right after its first append leaves: its turn, and its pushes รอส่ง."""
    assert claims.claim(turn_key(started.date(), 1), {"started": started.isoformat(), "run": "dead"}).won
    items = [LoggedItem("overdue", "F2-001", 1, 1, None, "ครบกำหนด 25 พ.ย. 2569")]
    push = Push("OF-02", USER_OF02, retry_key_for(started.date(), USER_OF02), [], items, started.date())
    store.read(["alert_log"])
    store.append("alert_log", pending_rows(push, started))


def test_a_run_that_died_holding_the_turn_blocks_the_day_for_a_while_then_its_pushes_are_resolved(
        sheets_fake, line_fake, google_store, tmp_path):
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []})
    load(sheets_fake)
    claims = FileClaims(tmp_path / "claims")
    died_after_writing_ahead(google_store, claims, dt.datetime(2026, 11, 26, 8, 0))

    soon = run(google_store, cfg, claims, at=dt.time(8, 5))
    assert soon.busy and soon.exit_code == EXIT_BUSY and soon.http_status == 409 and line_fake.requests == []
    assert "กำลังส่งอยู่" in soon.as_text()
    later = run(google_store, cfg, FileClaims(tmp_path / "claims"), at=(dt.datetime(2026, 11, 26, 8) + LEASE).time())
    assert not later.busy
    [resolved] = later.resolved              # the dead run's push: LINE never had it, so delivered now, once
    assert (resolved.officer_id, resolved.status) == ("OF-02", "sent")
    assert [d.retry_key for d in line_fake.pushes_to(USER_OF02)] == [retry_key_for(TODAY, USER_OF02)]
    # OF-02 got its push of the day (the resolved one): its other new items wait for the next run.
    [of02] = [r for r in later.recipients if r.officer_id == "OF-02"] or [None]
    assert of02 is None or "เลื่อนไปรอบถัดไป" in of02.detail
    assert len(line_fake.pushes_to(USER_OF01)) == 1
    assert max(sent_items(sheets_fake).values()) == 1


def test_pending_pushes_older_than_lines_retry_key_window_go_in_the_next_digest(
        sheets_fake, line_fake, google_store, tmp_path):
    """The dead run's turn blocked the rest of its day; the next morning is 24 hours later, past
    the time LINE keeps a retry key: its items are logged ล้มเหลว and go out with that day's push
    (Friday is no digest day: a run sends only failed items then, and this is one)."""
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": [1, 4]})
    load(sheets_fake)
    claims = FileClaims(tmp_path / "claims")
    died_after_writing_ahead(google_store, claims, dt.datetime(2026, 11, 26, 8, 0))

    nxt = run(google_store, cfg, claims, day=FRIDAY)
    [expired] = nxt.resolved
    assert (expired.officer_id, expired.status) == ("OF-02", "expired")
    of02 = [r for r in nxt.as_json()["recipients"] if r["officer_id"] == "OF-02"]
    assert [(i["contract_no"], i["retry"]) for i in of02[0]["items"]] == [("F2-001", True)]
    assert [r["officer_id"] for r in nxt.as_json()["recipients"]] == ["OF-02"]
    [push] = line_fake.pushes_to(USER_OF02)
    assert "F2-001" in json.dumps(push.messages, ensure_ascii=False)      # nothing lost
    assert push.retry_key == retry_key_for(FRIDAY, USER_OF02)             # a new push, a new key


# -- two overlapping runs --------------------------------------------------------------------
@pytest.fixture
def bucket_claims(storage_fake: Any) -> Callable[[], StorageClaims]:
    """A new StorageClaims (another instance) on the one bucket, each time."""
    clients = []

    def make() -> StorageClaims:
        client = storage_client(storage_fake.url)
        clients.append(client)
        return StorageClaims(client, DEFAULT_BUCKET)

    yield make
    for client in clients:
        client.close()


def test_a_run_started_while_another_is_sending_says_so_and_does_nothing(
        sheets_fake, line_fake, google_store_factory, bucket_claims, storage_fake):
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []})
    load(sheets_fake)
    second: list[Any] = []

    def progress(message: str) -> None:
        if message.startswith("ส่งถึง OF-01") and not second:    # the scheduler's retry arrives now
            before = sheets_fake.count()
            second.append(run(google_store_factory(), cfg, bucket_claims(), at=dt.time(8, 1)))
            assert sheets_fake.count() == before                  # it did not even read

    first = run(google_store_factory(), cfg, bucket_claims(), progress=progress)
    [busy] = second
    assert busy.busy and busy.exit_code == EXIT_BUSY and busy.pushes == 0 and busy.recipients == []
    assert busy.as_json()["busy"]["started"].startswith("2026-11-26T08:00")
    assert first.pushes == 2 and len(line_fake.deliveries) == 2
    assert max(sent_items(sheets_fake).values()) == 1
    assert storage_fake.names() == []                             # the turn was given back
    third = run(google_store_factory(), cfg, bucket_claims(), at=dt.time(9, 0))
    assert not third.busy and third.pushes == 0 and third.already_sent == 4


def test_overlapping_runs_racing_from_two_instances_send_once_and_log_once(
        sheets_fake, line_fake, google_store_factory, bucket_claims):
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []})
    load(sheets_fake)
    busy = 0
    for offset in range(3):
        day = TODAY + dt.timedelta(days=offset)
        start = threading.Barrier(2)
        results: list[Any] = []

        def racer() -> None:
            store, claims = google_store_factory(), bucket_claims()
            start.wait(timeout=10)
            results.append(run(store, cfg, claims, day=day))

        threads = [threading.Thread(target=racer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert len(results) == 2
        busy += sum(bool(r.busy) for r in results)
        per_user = Counter(d.to for d in line_fake.deliveries)
        assert max(per_user.values()) <= offset + 1                        # one push per officer per day
    assert busy >= 1
    assert max(sent_items(sheets_fake).values()) == 1                      # no ส่งแล้ว row twice
    rows = [r for r in log_rows(sheets_fake) if r["สถานะ"] == "ส่งแล้ว"]
    assert len(rows) == len({(r["รหัสเจ้าหน้าที่"], r["เลขที่สัญญา"], r["งวดที่"], r["ประเภท"], r["จำนวนวัน"])
                             for r in rows})


# -- a required column missing ---------------------------------------------------------------
def without_column(data: dict, tab: str, header: str, layout: Layout | None = None) -> dict[str, Table]:
    tables = as_tables(data, layout or Layout())
    table = tables[tab]
    index = table.header.index(header)
    tables[tab] = Table(table.title, table.header[:index] + table.header[index + 1:],
                        [row[:index] + row[index + 1:] for row in table.rows])
    return tables


def load_tables(fake: Any, tables: dict[str, Table]) -> None:
    for table in tables.values():
        fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    fake.reset_requests()


def test_a_missing_due_date_column_stops_the_run_and_tells_the_admin_once_a_day(
        sheets_fake, line_fake, google_store, tmp_path):
    cfg = config_for(sheets_fake, line_fake)
    load_tables(sheets_fake, without_column(tiny_province(), "loans", "วันครบกำหนดชำระ"))
    claims = FileClaims(tmp_path / "claims")
    first = run(google_store, cfg, claims)
    out = first.as_json()
    assert first.exit_code == EXIT_BLOCKED and first.http_status == 500
    [error] = out["errors"]
    assert (error["tab"], error["header"]) == ("ลูกหนี้", "วันครบกำหนดชำระ")
    assert "ลูกหนี้" in error["message"] and "วันครบกำหนดชำระ" in error["message"]
    assert out["recipients"] == [] and out["pushes"] == 0
    assert "ส่งไม่ได้" in first.as_text() and "วันครบกำหนดชำระ" in first.as_text()
    # The tiny province has no ผู้ดูแลระบบ: its provincial officer is told, once, on LINE.
    [alert] = line_fake.deliveries
    assert alert.to == USER_PV01 and alert.retry_key == retry_key_for(TODAY, USER_PV01, "blocked")
    text = alert.messages[0]["text"]
    assert "ส่งไม่ได้" in text and "'ลูกหนี้'" in text and "'วันครบกำหนดชำระ'" in text
    assert out["admin_alerts"] == [{"officer_id": "PV-01", "status": "sent", "detail": "ส่งแล้ว (sent)"}]
    logged = [(r["รหัสเจ้าหน้าที่"], r["ประเภท"], r["สถานะ"]) for r in log_rows(sheets_fake)]
    assert logged == [("PV-01", "แจ้งผู้ดูแลระบบ", "รอส่ง"), ("PV-01", "แจ้งผู้ดูแลระบบ", "ส่งแล้ว")]

    again = run(google_store, cfg, claims, at=dt.time(8, 10))                   # the scheduler's retry
    assert again.exit_code == EXIT_BLOCKED and len(line_fake.deliveries) == 1    # never twice a day
    assert again.admin_alerts == [{"officer_id": "PV-01", "status": "already-alerted", "detail": "แจ้งแล้ววันนี้"}]
    run(google_store, cfg, claims, day=FRIDAY)                                    # still broken the next day
    assert [d.to for d in line_fake.deliveries] == [USER_PV01, USER_PV01]


def test_an_admin_alert_that_could_not_be_written_ahead_is_tried_again_the_same_day(
        sheets_fake, line_fake, google_store, tmp_path):
    cfg = config_for(sheets_fake, line_fake)
    load_tables(sheets_fake, without_column(tiny_province(), "loans", "วันครบกำหนดชำระ"))
    claims = FileClaims(tmp_path / "claims")
    sheets_fake.fail_next(503, times=cfg.sheets.max_tries, kind="values.append")
    first = run(google_store, cfg, claims)
    assert first.admin_alerts[0]["status"] == "failed" and line_fake.deliveries == []   # nothing unrecorded
    again = run(google_store, cfg, claims, at=dt.time(8, 10))
    assert again.admin_alerts[0]["status"] == "sent" and [d.to for d in line_fake.deliveries] == [USER_PV01]


def test_the_administrator_is_told_rather_than_the_provincial_staff(sheets_fake, line_fake, google_store, tmp_path):
    data = tiny_province()
    data["officers"].append({"officer_id": "AD-01", "name": "ผู้ดูแล ระบบ", "district": "", "role": "ผู้ดูแลระบบ",
                             "register_code": "ADM001", "active": "ใช่"})
    admin = "U" + "9" * 32
    data["line_links"].append({"linked_at": dt.datetime(2026, 6, 3, 9), "officer_id": "AD-01",
                               "line_user_id": admin, "display_name": "Admin"})
    load_tables(sheets_fake, without_column(data, "officers", "บทบาท"))
    summary = run(google_store, config_for(sheets_fake, line_fake), FileClaims(tmp_path / "claims"))
    assert [(e.tab, e.header) for e in summary.errors] == [("เจ้าหน้าที่", "บทบาท")]
    # Without the role column nobody can be told who is who: the JSON and the exit code still say it.
    assert summary.exit_code == EXIT_BLOCKED and line_fake.deliveries == []
    load(sheets_fake, data)
    sheets_fake.set_rows(SPREADSHEET_ID, "ลูกหนี้", [[h for h in as_tables(data)["loans"].header
                                                       if h != "ชื่อ-สกุลผู้ยืม"]])
    blocked = run(google_store, config_for(sheets_fake, line_fake), FileClaims(tmp_path / "other"))
    assert [(e.tab, e.header) for e in blocked.errors] == [("ลูกหนี้", "ชื่อ-สกุลผู้ยืม")]
    assert [d.to for d in line_fake.deliveries] == [admin]


def test_remind_exits_non_zero_with_errors_in_its_json(tmp_path, capsys, monkeypatch):
    import cli
    from tests.sheetdata import write_workbook

    data = tiny_province()
    store = write_workbook(tmp_path / "w.xlsx", data)
    import openpyxl

    book = openpyxl.load_workbook(store.path)
    sheet = book["ลูกหนี้"]
    for cell in sheet[1]:
        if cell.value == "วันครบกำหนดชำระ":
            cell.value = "กำหนดส่ง"            # a new name nobody told the program about
    book.save(store.path)
    monkeypatch.setenv("KKC_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("KKC_CLAIMS_DIR", str(tmp_path / "claims"))
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    code = cli.main(["remind", "--store", str(store.path), "--date", "2026-11-26", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == EXIT_BLOCKED != 0
    assert [(e["tab"], e["header"]) for e in out["errors"]] == [("ลูกหนี้", "วันครบกำหนดชำระ")]
    pushes = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [p["to"] for p in pushes] == [USER_PV01]                        # the admin's one alert
    assert cli.main(["remind", "--store", str(store.path), "--date", "2026-11-26"]) == EXIT_BLOCKED
    assert "วันครบกำหนดชำระ" in capsys.readouterr().out
    assert len((tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_send_reminders_answers_500_naming_the_tab_and_the_header(tmp_path, monkeypatch):
    import functions_framework
    import openpyxl

    import main
    from tests.sheetdata import write_workbook

    store = write_workbook(tmp_path / "smart-data.xlsx")
    book = openpyxl.load_workbook(store.path)
    book["ลูกหนี้"].delete_cols(10)                                         # วันครบกำหนดชำระ
    book.save(store.path)
    monkeypatch.setenv("KKC_STORE", str(store.path))
    monkeypatch.setenv("KKC_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("KKC_CLAIMS_DIR", str(tmp_path / "claims"))
    monkeypatch.delenv("KKC_CLAIMS_BUCKET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("KKC_CONFIG", raising=False)
    monkeypatch.setenv("FUNCTION_TARGET", "send_reminders")
    client = functions_framework.create_app(target="send_reminders", source=str(Path(main.__file__))).test_client()
    answer = client.post("/?date=2026-11-26")
    assert answer.status_code == 500
    body = answer.get_json()
    assert body["error"] == "MissingColumn" and "ลูกหนี้" in body["message"] and "วันครบกำหนดชำระ" in body["message"]
    assert [(e["tab"], e["header"]) for e in body["errors"]] == [("ลูกหนี้", "วันครบกำหนดชำระ")]
    assert client.post("/?date=2026-11-26").status_code == 500
    assert len((tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()) == 1   # one alert a day


def test_a_renamed_header_still_works(sheets_fake, line_fake, google_store,
                                                                          tmp_path):
    """A line break and a unit dropped: the same header (issue 9's tolerant matching, sheets.store)."""
    renamed = {"วันครบกำหนดชำระ": "วันครบกำหนด\nชำระ", "จำนวนเงินยืม (บาท)": "จำนวนเงินยืม"}
    tables = as_tables(tiny_province(), Layout())
    loans = tables["loans"]
    tables["loans"] = Table(loans.title, [renamed.get(h, h) for h in loans.header], loans.rows)
    load_tables(sheets_fake, tables)
    summary = run(google_store, config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []}),
                  FileClaims(tmp_path / "claims"))
    assert summary.errors == [] and summary.pushes == 2 and summary.items == 6


# -- the monthly summary goes through the same path ------------------------------------------------
def test_a_run_stopped_half_way_keeps_the_summary_of_the_push_made_and_the_rerun_resolves_the_rest(
        sheets_fake, line_fake, google_store, tmp_path):
    """October's summary rides in each push of 26 Nov (OF-01, OF-02 with their digest, PV-01
    alone). The run stops before OF-02's push: OF-01's digest and summary are logged ส่งแล้ว, the
    others stay รอส่ง, and the rerun makes those two pushes with their own keys, once each."""
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []})
    load(sheets_fake)
    claims = FileClaims(tmp_path / "claims")

    def progress(message: str) -> None:
        if message.startswith("ส่งถึง OF-02"):
            raise RuntimeError("the function was stopped")

    with pytest.raises(RuntimeError):
        run(google_store, cfg, claims, progress=progress, attachments=MonthlySummaries())
    [first] = line_fake.deliveries
    assert first.to == USER_OF01 and len(first.messages) == 2
    summaries = [r for r in final_rows(sheets_fake) if r["ประเภท"] == "สรุปรายเดือน"]
    assert sorted((r["รหัสเจ้าหน้าที่"], r["สถานะ"]) for r in summaries) == [
        ("OF-01", "ส่งแล้ว"), ("OF-02", "รอส่ง"), ("PV-01", "รอส่ง")]

    again = run(google_store, cfg, claims, at=dt.time(8, 10), attachments=MonthlySummaries())
    assert sorted((r.officer_id, r.status) for r in again.resolved) == [("OF-02", "sent"), ("PV-01", "sent")]
    assert sorted(d.to for d in line_fake.deliveries) == sorted([USER_OF01, USER_OF02, USER_PV01])
    pv01 = line_fake.pushes_to(USER_PV01)[0]
    assert pv01.retry_key == retry_key_for(TODAY, USER_PV01) and "ตุลาคม 2569" in pv01.messages[0]["altText"]
    assert {r["สถานะ"] for r in final_rows(sheets_fake) if r["ประเภท"] == "สรุปรายเดือน"} == {"ส่งแล้ว"}
    third = run(google_store, cfg, claims, at=dt.time(9, 0), attachments=MonthlySummaries())
    assert third.pushes == 0 and len(line_fake.deliveries) == 3


def test_one_push_per_officer_per_day_around_a_1st_that_is_a_digest_day(
        sheets_fake, line_fake, google_store_factory, tmp_path):
    """The demo province from Thursday 28 January to Tuesday 2 February 2027 (1 Feb is a Monday, a
    digest day), with the monthly summaries attached as main.send_reminders attaches them."""
    cfg = config_for(sheets_fake, line_fake)
    load_demo(sheets_fake)
    claims = FileClaims(tmp_path / "claims")
    per_day: dict[dt.date, Counter] = {}
    with_summary: dict[str, int] = {}
    for offset in range(6):
        day = dt.date(2027, 1, 28) + dt.timedelta(days=offset)
        before = len(line_fake.deliveries)
        run(google_store_factory(), cfg, claims, day=day, attachments=MonthlySummaries())
        pushed = line_fake.deliveries[before:]
        per_day[day] = Counter(d.to for d in pushed)
        if day == dt.date(2027, 2, 1):
            with_summary = {d.to: len(d.messages) for d in pushed
                            if d.messages[0]["altText"].startswith("สรุป กข.คจ. มกราคม 2570")}
    assert all(max(c.values(), default=0) <= 1 for c in per_day.values())
    assert len(with_summary) > 10 and 2 in with_summary.values()          # summary + digest in one push
    summaries = Counter(d.to for d in line_fake.deliveries for m in d.messages
                        if m["altText"].startswith("สรุป กข.คจ. มกราคม 2570"))
    assert max(summaries.values()) == 1 and set(summaries) == set(with_summary)


class UnmakeableSummaries:
    """An attachment source (messaging.delivery.Attachments) whose report cannot be made."""

    tabs = ("snapshots",)

    def for_run(self, tables: Any, ds: Any, run_date: dt.date, config: Any) -> list[Any]:
        raise ValueError("สรุปรายเดือนคำนวณไม่ได้")


def test_a_summary_that_cannot_be_made_does_not_stop_the_digests(sheets_fake, line_fake, google_store, tmp_path):
    cfg = config_for(sheets_fake, line_fake, **{"alerts.digest_weekdays": []})
    load(sheets_fake)
    summary = run(google_store, cfg, FileClaims(tmp_path / "claims"), attachments=UnmakeableSummaries())
    assert summary.pushes == 2 and [d.to for d in line_fake.deliveries] == [USER_OF01, USER_OF02]
    assert "สรุปรายเดือนคำนวณไม่ได้" in summary.attachment_error and "สรุปรายเดือน" in summary.as_text()
    assert summary.exit_code == 0
