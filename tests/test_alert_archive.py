"""The alert log's older rows moved out of the spreadsheet (reminders/archive.py).

What moves (pure), that a moved log plans exactly what the whole log plans over a season of runs
with failures and lost answers, and the move itself on both backends: the .xlsx with a directory,
Google Sheets (the fake, held to the discovery document) with Cloud Storage (its fake), a refused
write, a write that failed half-way, the alert run moving once the log is big, the command.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zlib
from pathlib import Path
from typing import Any

import pytest

import cli
from core.config import ConfigError
from core.schema import ALERT_KINDS, ALERT_STATUSES, MOVED_KIND, MOVED_STATUS
from reminders.archive import cutoff_of, move_old_rows, rows_to_move
from reminders.plan import AlertLog, PlanContext, plan_run
from sheets.archive import BucketSink, DirectorySink
from sheets.readers import read_date
from sheets.demo import TRAT, demo_tables
from sheets.model import load_dataset
from sheets.records import AlertLogEntry
from sheets.store import Layout, StoreError, Table
from tests.claims_race import storage_client
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.storage_api import DEFAULT_BUCKET

LOG_TAB = "บันทึกการแจ้งเตือน"
TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 7, 30)


def entry(row: int, day: dt.date, status: str = "sent", *, officer: str = "OF-01", contract: str = "C-1",
          seq: int | None = 1, kind: str = "overdue", days: int | None = 7, key: str = "") -> AlertLogEntry:
    return AlertLogEntry(row, day, officer, contract, seq, kind, days, status, key)


# ---------------------------------------------------------------- what moves

def test_old_rows_move_and_what_a_run_still_needs_stays():
    old, recent = dt.date(2026, 9, 10), dt.date(2026, 11, 20)
    entries = [
        entry(2, old),                                           # sent long ago: moves
        entry(3, old, "no-line-account", contract="C-2"),        # moves
        entry(4, old, "failed", contract="C-3"),                 # still pending: stays
        entry(5, old, "failed", contract="C-4"),                 # sent later: moves
        entry(6, recent, "sent", contract="C-4"),                # recent: stays
        entry(7, old, "pending", contract="C-5", key="k1"),      # its push has no outcome: stays
        entry(8, old, "pending", contract="C-6", key="k2"),      # resolved by the next row: moves
        entry(9, old, "sent", contract="C-6", key="k2"),         # moves
        entry(10, old, "ส่งต่อให้กำนัน", kind="หมายเหตุ"),          # a person's note: stays
        entry(11, old, MOVED_STATUS, kind=MOVED_KIND, contract=""),  # an earlier move's row: stays
        entry(12, old, "failed", contract="C-7"),                # failed again below: moves
        entry(13, old + dt.timedelta(days=1), "failed", contract="C-7"),  # the latest, still pending: stays
    ]
    cutoff = cutoff_of(TODAY, 31)
    assert cutoff == dt.date(2026, 10, 26)
    assert rows_to_move(entries, cutoff) == [2, 3, 5, 8, 9, 12]


def test_the_cutoff_is_the_monday_on_or_before_keep_days_back():
    assert cutoff_of(dt.date(2026, 12, 1), 31) == dt.date(2026, 10, 26)
    assert cutoff_of(dt.date(2026, 12, 31), 21) == dt.date(2026, 12, 7)
    assert cutoff_of(dt.date(2026, 12, 28), 21) == dt.date(2026, 12, 7)   # 7 Dec is itself a Monday
    assert cutoff_of(dt.date(2026, 3, 15), 14) == dt.date(2026, 2, 23)


def _state(plan: Any, log: AlertLog) -> tuple:
    """What a run does from the log: its plan, and what the job resolves before planning (the failed
    items still pending, the pushes still without an outcome, item by item)."""
    return (plan.window, plan.last_run, plan.in_open_push,
            [(rp.officer_id, [(p.key, p.retry) for p in rp.items]) for rp in plan.recipients],
            sorted(log.pending().items(), key=str),
            sorted((p.retry_key, p.run_date, sorted(map(str, p.items))) for p in log.open_pushes()))


def test_a_moved_log_plans_what_the_whole_log_plans_through_a_season():
    """Five months of runs on the Trat demo, each day's outcomes logged: failures, lost answers
    resolved the next day and every fifth never, digest days with LINE down, and two months with
    no run at all (the system off) during which a person moves rows by hand. Every Monday the rows
    no run needs are moved out of one copy of the log; every run plans the same on both copies,
    and sees the same failed items pending and the same pushes open."""
    layout, config = Layout(), make_config({"alerts.digest_weekdays": [1, 4]})
    tables = {key: Table(layout.title(key), rows[0], rows[1:])
              for key, rows in demo_tables(dt.date(2026, 12, 31), 2569, TRAT).items()}
    tables.pop("alert_log", None)
    ds = load_dataset(tables, layout, dt.date(2026, 12, 31))
    ctx = PlanContext(ds, config)
    whole: list[AlertLogEntry] = []
    moved_out: set[int] = set()
    open_keys: dict[str, list[AlertLogEntry]] = {}
    kept_back = compared = 0
    off = (dt.date(2026, 9, 20), dt.date(2026, 11, 19))
    # Digest days on which every push failed (LINE down; three in a row in December): the next
    # digest run looks further back, up to catch_up_days, and what was sent meanwhile (the failed
    # items, retried on the days between) must still count.
    line_down = {dt.date(2026, 8, 13), dt.date(2026, 12, 3), dt.date(2026, 12, 7), dt.date(2026, 12, 10)}
    day, row = dt.date(2026, 8, 1), 2
    while day <= dt.date(2026, 12, 31):
        if day.weekday() == 0:
            cutoff = cutoff_of(day, config.archive.keep_days)
            trimmed = [e for e in whole if e.row not in moved_out]
            moving = rows_to_move(trimmed, cutoff, config.alerts.digest_weekdays)
            kept_back += sum(e.run_date < cutoff for e in trimmed) - len(moving)
            moved_out.update(moving)
        if off[0] <= day <= off[1]:
            day += dt.timedelta(days=1)
            continue
        full_log = AlertLog.from_entries(whole, ctx.digest_weekdays)
        full_plan = plan_run(ctx, day, full_log)
        trimmed_log = AlertLog.from_entries([e for e in whole if e.row not in moved_out], ctx.digest_weekdays)
        assert _state(plan_run(ctx, day, trimmed_log), trimmed_log) == _state(full_plan, full_log), day
        compared += 1
        # Yesterday's lost answers: resolved today, all but every fifth push (never resolved).
        for n, (key, rows) in enumerate(sorted(open_keys.items())):
            if n % 5:
                for e in rows:
                    whole.append(AlertLogEntry(row, day, e.officer_id, e.contract_no, e.seq, e.kind,
                                               e.days, "sent", key))
                    row += 1
        open_keys = {}
        for rp in full_plan.recipients:
            fate = zlib.crc32(f"{rp.officer_id}{day}".encode()) % 9
            key = f"{rp.officer_id}-{day}"
            status = ("no-line-account" if not rp.line_user else "failed" if fate == 0 or day in line_down
                      else "pending" if fate == 1 else "sent")
            for p in rp.items:
                t = p.trigger
                whole.append(AlertLogEntry(row, day, rp.officer_id, t.contract_no, t.seq, t.kind, t.days,
                                           status, key))
                if status == "pending":
                    open_keys.setdefault(key, []).append(whole[-1])
                row += 1
        day += dt.timedelta(days=1)
    assert compared > 80 and len(moved_out) > 1000   # months of runs; months of rows left the log
    assert kept_back > 0                             # and some old rows had to stay (pending, open)
    assert {"sent", "failed", "pending", "no-line-account"} <= {e.status for e in whole}


# ---------------------------------------------------------------- the move on the .xlsx

def _log_record(day: dt.date, status: str = "sent", contract: str = "C-1", key: str = "") -> dict[str, Any]:
    return {"run_date": day, "sent_at": dt.datetime.combine(day, dt.time(7, 30)), "officer_id": "OF-01",
            "contract_no": contract, "seq": 1, "kind": ALERT_KINDS["overdue"], "days": 7, "amount": 1500,
            "retry_key": key, "status": ALERT_STATUSES[status], "detail": "ทดสอบ"}


def _fill_log(store: Any) -> None:
    """Rows of the 1st and the 15th of August to November 2026, 20 each; an old failed row never
    sent since; a note a person typed."""
    records = []
    for month in (8, 9, 10, 11):
        for day in (1, 15):
            records += [_log_record(dt.date(2026, month, day), contract=f"C-{month}-{day}-{n}") for n in range(20)]
    records.append(_log_record(dt.date(2026, 8, 20), "failed", contract="C-FAILED"))
    records.append({"run_date": dt.date(2026, 8, 21), "officer_id": "OF-01", "kind": "หมายเหตุ",
                    "status": "", "detail": "โทรแจ้งแล้ว"})
    store.append("alert_log", records)


def _log_entries(store: Any) -> list[AlertLogEntry]:
    table = store.read(("alert_log",))["alert_log"]
    return load_dataset({"alert_log": table}, Layout(), TODAY).alert_log


def test_the_move_on_a_workbook_writes_a_csv_and_leaves_what_stays(workbook_store, tmp_path):
    _fill_log(workbook_store)
    config = make_config({"archive.from_rows": 100})
    sink = DirectorySink(tmp_path / "archive")
    before = _log_entries(workbook_store)
    result = move_old_rows(workbook_store, sink, config, TODAY, NOW)
    # Rows before Monday 9 Nov move (21 days back is 10 Nov): 1 Aug to 1 Nov, 120 sent rows. The
    # failed row (still pending) and the person's note stay, and so do the 20 rows of 15 Oct: the
    # last digest-day run that sent (a Thursday; 1 and 15 Nov are Sundays), which the next run
    # names as its last.
    assert result.moved == 120
    assert (result.first_date, result.last_date) == (dt.date(2026, 8, 1), dt.date(2026, 11, 1))
    after = _log_entries(workbook_store)
    assert len(after) == len(before) - 120 + 1
    assert {e.contract_no for e in after if e.run_date < dt.date(2026, 11, 9)} == \
        {"C-FAILED", "", *(f"C-10-15-{n}" for n in range(20))}
    move_row = after[-1]
    assert (move_row.kind, move_row.status) == (MOVED_KIND, MOVED_STATUS)
    assert "ย้าย 120 แถว" in move_row.detail and Path(result.file).name in move_row.detail
    # The file: a BOM for Excel, the log's headers and a row number column, each moved row as read.
    data = Path(result.file).read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["วันที่รอบ", "เวลาส่ง", "รหัสเจ้าหน้าที่"] and rows[0][-1] == "แถวในชีตเดิม"
    assert len(rows) == 121
    assert {r[3] for r in rows[1:]} == {f"C-{m}-{d}-{n}" for m in (8, 9, 10, 11) for d in (1, 15) for n in range(20)
                                        if (m, d) not in ((10, 15), (11, 15))}
    assert [int(r[-1]) for r in rows[1:]] == [*range(2, 102), *range(122, 142)]   # the log's rows, in order
    # Once moved, nothing more to move until the month turns; the file is not an unfinished move.
    again = move_old_rows(workbook_store, sink, config, TODAY, NOW, force=True)
    assert again.moved == 0 and again.unfinished == [] and "ไม่มีแถวที่ย้ายได้" in again.as_text()
    assert "ยังไม่เกิน 100 แถว" in move_old_rows(workbook_store, sink, config, TODAY, NOW).as_text()


def test_a_citizen_id_typed_into_a_moved_row_leaves_the_sheet_masked(workbook_store, tmp_path):
    _fill_log(workbook_store)
    workbook_store.append("alert_log", [{**_log_record(dt.date(2026, 8, 2), contract="C-ID"),
                                         "detail": "ผู้ยืม 1-1014-00123-45-1 ย้ายบ้าน"}])
    result = move_old_rows(workbook_store, DirectorySink(tmp_path / "archive"), make_config(), TODAY, NOW, force=True)
    text = Path(result.file).read_text(encoding="utf-8-sig")
    assert "C-ID" in text and "1101400123451" not in text and "1-1014-00123-45-1" not in text
    assert "ผู้ยืม x-xxxx-xxxx3-45-1 ย้ายบ้าน" in text     # as the program shows any id


def test_a_small_log_is_left_alone_unless_asked(workbook_store, tmp_path):
    _fill_log(workbook_store)
    sink = DirectorySink(tmp_path / "archive")
    result = move_old_rows(workbook_store, sink, make_config(), TODAY, NOW)   # from_rows 50,000
    assert result.moved == 0 and "ยังไม่เกิน 50,000 แถว" in result.as_text()
    assert sink.names() == []
    preview = move_old_rows(workbook_store, sink, make_config(), TODAY, NOW, force=True, dry_run=True)
    assert preview.moved == 120 and "จะย้าย" in preview.as_text() and sink.names() == []
    assert move_old_rows(workbook_store, sink, make_config(), TODAY, NOW, force=True).moved == 120


def test_rows_changed_since_the_read_are_not_deleted(store, sheet_editor):
    _fill_log(store)
    table = store.read(("alert_log",))["alert_log"]
    expected = [table.rows[0], ["something else"]]
    with pytest.raises(StoreError, match="เปลี่ยนไปตั้งแต่อ่าน"):
        store.move_out("alert_log", [2, 3], expected, {"run_date": TODAY, "officer_id": "ระบบ"})
    assert store.read(("alert_log",))["alert_log"].rows == table.rows


def test_move_out_deletes_runs_of_rows_and_appends_in_one_write(store):
    _fill_log(store)
    table = store.read(("alert_log",))["alert_log"]
    rows = [2, 3, 4, 10, 30, 31]
    store.move_out("alert_log", rows, [table.rows[r - 2] for r in rows],
                   {"run_date": TODAY, "officer_id": "ระบบ", "kind": MOVED_KIND, "status": MOVED_STATUS})
    after = store.read(("alert_log",))["alert_log"].rows
    left = [r for i, r in enumerate(table.rows) if i + 2 not in rows]
    assert after[:-1] == left
    assert read_date(after[-1][0]) == TODAY and MOVED_KIND in after[-1]


# ---------------------------------------------------------------- Google Sheets and Cloud Storage

def _fake_log(sheets_fake: Any) -> list[list[Any]]:
    return sheets_fake.rows(SPREADSHEET_ID, LOG_TAB)


def test_the_move_on_google_sheets_and_cloud_storage(google_store, sheets_fake, storage_fake):
    _fill_log(google_store)
    sink = BucketSink(storage_client(storage_fake.url), DEFAULT_BUCKET, "alert-log/")
    config = make_config({"archive.from_rows": 100})
    sheets_fake.reset_requests()
    result = move_old_rows(google_store, sink, config, TODAY, NOW)
    assert result.moved == 120 and result.file.startswith(f"gs://{DEFAULT_BUCKET}/alert-log/alert_log_2026-08-01")
    kinds = [r.kind for r in sheets_fake.requests]
    # The read, the span of rows to move read again, the tab's id, one batchUpdate (deleteDimension
    # and appendCells).
    assert kinds == ["values.batchGet", "values.get", "spreadsheets.get", "spreadsheets.batchUpdate"]
    assert sheets_fake.requests[1].path.endswith(f"'{LOG_TAB}'!2:141")
    assert sheets_fake.violations == []
    rows = _fake_log(sheets_fake)
    assert len(rows) == 1 + 162 - 120 + 1 and rows[-1][5] == MOVED_KIND
    assert storage_fake.names() == ["alert-log/" + Path(result.file).name]
    content = storage_fake.buckets[DEFAULT_BUCKET]["alert-log/" + Path(result.file).name].data
    assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) == 121


def test_a_failed_sheet_write_deletes_nothing_and_the_file_is_reported(google_store, sheets_fake, storage_fake):
    _fill_log(google_store)
    sink = BucketSink(storage_client(storage_fake.url), DEFAULT_BUCKET, "alert-log/")
    config = make_config({"archive.from_rows": 100})
    before = _fake_log(sheets_fake)
    sheets_fake.fail_next(500, times=4, kind="spreadsheets.batchUpdate")   # every try the store makes
    with pytest.raises(StoreError):
        move_old_rows(google_store, sink, config, TODAY, NOW)
    assert _fake_log(sheets_fake) == before                 # all or nothing
    assert len(storage_fake.names()) == 1                    # the file was written first
    # The next try finds the same rows: the same file (already there, same bytes), then the write.
    retried = move_old_rows(google_store, sink, config, TODAY, NOW)
    assert retried.moved == 120 and len(storage_fake.names()) == 1 and retried.unfinished == []


def test_a_file_no_move_row_names_is_reported_unfinished(workbook_store, tmp_path):
    _fill_log(workbook_store)
    sink = DirectorySink(tmp_path / "archive")
    sink.put("alert_log_2026-08-01_2026-11-01_120-rows_abc.csv", b"rows still in the sheet")
    sink.put("notes.txt", b"someone else's file in a shared place: not a move")
    result = move_old_rows(workbook_store, sink, make_config(), TODAY, NOW)
    assert result.unfinished == ["alert_log_2026-08-01_2026-11-01_120-rows_abc.csv"]
    assert "ย้ายไม่สำเร็จ 1 ไฟล์" in result.as_text()


def test_a_file_is_never_overwritten(tmp_path, storage_fake):
    bucket = BucketSink(storage_client(storage_fake.url), DEFAULT_BUCKET, "a/")
    for sink in (DirectorySink(tmp_path / "archive"), bucket):
        sink.put("x.csv", b"one")
        assert sink.put("x.csv", b"one")                      # the same bytes: already written
        with pytest.raises(StoreError, match="ไม่เขียนทับ"):
            sink.put("x.csv", b"two")
        assert sink.names() == ["x.csv"]


# ---------------------------------------------------------------- the alert run, the command, the settings

def test_keep_days_must_cover_the_catch_up():
    with pytest.raises(ConfigError, match="archive.keep_days"):
        make_config({"archive.keep_days": 10, "alerts.catch_up_days": 14})
    with pytest.raises(ConfigError, match="archive.from_rows"):
        make_config({"archive.from_rows": -1})


def test_the_alert_run_moves_the_old_rows_once_the_log_is_big(tmp_path):
    from messaging.outbox import OutboxMessenger
    from reminders.job import run_reminders
    from sheets.claims import FileClaims
    from sheets.workbook import WorkbookStore
    from tests.sheetdata import tiny_province, write_workbook

    path = tmp_path / "smart-data.xlsx"
    write_workbook(path, tiny_province())
    store = WorkbookStore(path, Layout())
    _fill_log(store)
    config = make_config({"archive.from_rows": 100, "alerts.digest_weekdays": []})
    sink = DirectorySink(tmp_path / "archive")
    summary = run_reminders(store, OutboxMessenger(tmp_path / "outbox.jsonl"), config, TODAY, NOW,
                            claims=FileClaims(tmp_path / "claims"), archive=sink)
    assert summary.moved is not None and summary.moved.moved == 140   # every day a digest day here
    assert summary.as_json()["moved"]["moved"] == 140 and "ย้ายแถวเก่าของแท็บ" in summary.as_text()
    assert len(sink.names()) == 1
    # The next day: nothing older to move, and no second read of the log for it.
    later = run_reminders(store, OutboxMessenger(tmp_path / "outbox.jsonl"), config, TODAY + dt.timedelta(days=1),
                          NOW + dt.timedelta(days=1), claims=FileClaims(tmp_path / "claims"), archive=sink)
    assert later.moved is None and later.move_error == ""


def test_archive_log_command(tmp_path, capsys, monkeypatch):
    from tests.sheetdata import tiny_province, write_workbook
    from sheets.workbook import WorkbookStore

    path = tmp_path / "smart-data.xlsx"
    write_workbook(path, tiny_province())
    _fill_log(WorkbookStore(path, Layout()))
    monkeypatch.setenv("KKC_ARCHIVE_DIR", str(tmp_path / "archive"))
    monkeypatch.setenv("KKC_CLAIMS_DIR", str(tmp_path / "claims"))
    argv = ["archive-log", "--store", str(path), "--date", "2026-12-01"]
    assert cli.main(argv + ["--dry-run"]) == 0
    assert "ยังไม่เกิน 50,000 แถว" in capsys.readouterr().out
    assert cli.main(argv + ["--all-sizes", "--dry-run"]) == 0
    assert "จะย้ายแถวเก่าของแท็บบันทึกการแจ้งเตือน 120 แถว" in capsys.readouterr().out
    assert not (tmp_path / "archive").exists()
    assert cli.main(argv + ["--all-sizes", "--json"]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert moved["moved"] == 120 and Path(moved["file"]).exists()


def test_send_reminders_moves_the_old_rows_through_functions_framework(tmp_path, monkeypatch):
    """The deployed entry point: the Instance opens the archive beside the claims, the run moves
    the log's older rows after its pushes, and its JSON says so."""
    import functions_framework

    import main
    from sheets.workbook import WorkbookStore
    from tests.sheetdata import tiny_province, write_workbook

    path = tmp_path / "smart-data.xlsx"
    write_workbook(path, tiny_province())
    _fill_log(WorkbookStore(path, Layout()))
    settings = tmp_path / "config.yaml"
    settings.write_text(Path(main.__file__).with_name("config.yaml").read_text(encoding="utf-8").replace(
        "from_rows: 50000", "from_rows: 100"), encoding="utf-8")
    for name, value in {"KKC_STORE": str(path), "KKC_OUTBOX": str(tmp_path / "outbox.jsonl"),
                        "KKC_CLAIMS_DIR": str(tmp_path / "claims"), "KKC_ARCHIVE_DIR": str(tmp_path / "archive"),
                        "KKC_CONFIG": str(settings), "FUNCTION_TARGET": "send_reminders"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KKC_CLAIMS_BUCKET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    client = functions_framework.create_app(target="send_reminders", source=str(Path(main.__file__))).test_client()
    answer = client.post("/?date=2026-12-01")
    assert answer.status_code == 200
    moved = answer.get_json()["moved"]
    assert moved["moved"] == 120 and Path(moved["file"]).parent == tmp_path / "archive"
    assert answer.get_json()["move_error"] == ""


def test_the_archive_goes_where_the_settings_say(tmp_path, storage_fake):
    from sheets.open import open_archive

    client = storage_client(storage_fake.url)
    own = open_archive(make_config({"archive.bucket": "kkc-archive", "claims.bucket": "kkc-claims"}), storage=client)
    assert isinstance(own, BucketSink) and own.description == "gs://kkc-archive/alert-log/" and own.client is client
    shared = open_archive(make_config({"claims.bucket": "kkc-claims", "archive.prefix": "log"}), storage=client)
    assert isinstance(shared, BucketSink) and shared.description == "gs://kkc-claims/log/"
    local = open_archive(make_config({"archive.directory": str(tmp_path / "moved")}))
    assert isinstance(local, DirectorySink) and local.directory == tmp_path / "moved"


def test_the_alert_run_on_google_reads_the_log_once_when_it_moves(google_store, sheets_fake, storage_fake, tmp_path):
    """The run plans the move from its own read: after it, the span read again, the tab's id and
    the one batchUpdate; no second read of the whole log."""
    from messaging.outbox import OutboxMessenger
    from reminders.job import run_reminders
    from sheets.claims import FileClaims
    from tests.test_reminders import load_province

    load_province(sheets_fake)
    _fill_log(google_store)
    sheets_fake.reset_requests()
    config = make_config({"archive.from_rows": 100, "alerts.digest_weekdays": []})
    sink = BucketSink(storage_client(storage_fake.url), DEFAULT_BUCKET, "alert-log/")
    summary = run_reminders(google_store, OutboxMessenger(tmp_path / "outbox.jsonl", echo=False), config, TODAY, NOW,
                            claims=FileClaims(tmp_path / "claims"), archive=sink)
    assert summary.moved is not None and summary.moved.moved == 140 and summary.move_error == ""
    kinds = sheets_fake.kinds()
    assert kinds.count("values.batchGet") == 1
    assert kinds[-3:] == ["values.get", "spreadsheets.get", "spreadsheets.batchUpdate"]
    assert len(storage_fake.names()) == 1
