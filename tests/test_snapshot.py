"""Parsed snapshots keyed by the sheet's revision (sheets/snapshot.py, chat/scope.py; issue 13).

The format (a key that must match whole, a checksum, a loader that builds only record types), the
shelf (a directory, a Cloud Storage bucket on the fake, a race between two publishers), and the
webhook on the real clients: the Sheets fake, the Drive fake whose version moves with every change
(a write through the API or a person's edit), the Cloud Storage fake holding the shared snapshots.
A snapshot is never used for another revision or spreadsheet, a damaged one is rebuilt, and the
answers from a stored snapshot are the fresh read's, on the demo province and at 11,000 loans.
"""
from __future__ import annotations

import datetime as dt
import json
import pickle
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from chat.scope import BASE_PART
from sheets.credentials import StaticToken
from sheets.open import open_snapshots
from sheets.snapshot import (
    BasePart, BucketTier, DirectoryTier, FileRevision, NotInSnapshot, Shelf, SnapshotDamaged, SnapshotKey, ScopePart, Snapshots,
    decode, encode,
)
from sheets.store import Layout
from tests.chat_support import Webhook, load_province, make_runtime, postback_data, text_of
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.storage_api import DEFAULT_BUCKET
from tests.sheetdata import TODAY, USER_OF01, tiny_province

KEY = SnapshotKey("gsheet:abc", "v41", TODAY, "d:เมืองตราด", "f" * 20)


# ---------------------------------------------------------------- the format

def test_a_snapshot_is_read_back_only_under_its_whole_key():
    data = encode(KEY, {"rows": [1, 2, 3], "day": TODAY})
    assert decode(data, KEY) == {"rows": [1, 2, 3], "day": TODAY}
    for other in (SnapshotKey("gsheet:other", "v41", TODAY, KEY.scope, KEY.fingerprint),   # another spreadsheet
                  SnapshotKey(KEY.spreadsheet, "v42", TODAY, KEY.scope, KEY.fingerprint),  # a newer revision
                  SnapshotKey(KEY.spreadsheet, "v41", TODAY + dt.timedelta(days=1), KEY.scope, KEY.fingerprint),
                  SnapshotKey(KEY.spreadsheet, "v41", TODAY, "*", KEY.fingerprint),         # another scope
                  SnapshotKey(KEY.spreadsheet, "v41", TODAY, KEY.scope, "0" * 20)):         # other code
        assert decode(data, other) is None


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage", "header", "empty"])
def test_a_damaged_snapshot_is_refused(damage):
    data = encode(KEY, list(range(1000)))
    damaged = {"truncated": data[:-10], "flipped": data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],
               "garbage": b"\x00" * 200, "header": data[:20] + b"{not json\n" + data[40:], "empty": b""}[damage]
    with pytest.raises(SnapshotDamaged):
        decode(damaged, KEY)


def test_a_snapshot_that_names_anything_but_records_is_refused_and_nothing_runs(tmp_path):
    """Pickle can call any function: the loader builds only this program's record types."""
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    payload = pickle.dumps(Evil(), protocol=5)
    header = {**KEY.header(), "bytes": len(payload), "crc32": __import__("zlib").crc32(payload)}
    data = b"KKC-SNAPSHOT 1\n" + json.dumps(header).encode() + b"\n" + payload
    with pytest.raises(SnapshotDamaged, match="may not hold"):
        decode(data, KEY)
    assert not marker.exists()


def test_a_left_out_part_fails_loudly_when_used():
    left_out = decode(encode(KEY, NotInSnapshot("installments")), KEY)
    assert isinstance(left_out, NotInSnapshot)
    with pytest.raises(RuntimeError, match="installments"):
        left_out.get("F1-001")
    with pytest.raises(RuntimeError):
        len(left_out)


# ---------------------------------------------------------------- the shelf

def test_the_shelf_misses_publishes_and_hits_and_copies_the_shared_one_to_the_local(tmp_path, storage_fake):
    from sheets.cloud_storage import StorageClient

    bucket = BucketTier(StorageClient(lambda: "t", api_url=storage_fake.url), DEFAULT_BUCKET, "snapshots/")
    first = Shelf("gsheet:abc", "f" * 20, [DirectoryTier(tmp_path / "one"), bucket])
    assert first.load("base", "v1", TODAY) is None and first.stats.misses == 1
    first.save("base", "v1", TODAY, {"a": 1})
    second = Shelf("gsheet:abc", "f" * 20, [DirectoryTier(tmp_path / "two"), bucket])  # another instance
    assert second.load("base", "v1", TODAY) == {"a": 1} and second.stats.hits == 1
    assert list((tmp_path / "two").rglob("*.snap")), "the shared hit is kept nearer for this instance's next start"
    assert second.load("base", "v2", TODAY) is None  # the sheet changed: a miss, never the old one


def test_two_spreadsheets_on_one_bucket_never_see_each_others_snapshots(tmp_path):
    tier = DirectoryTier(tmp_path)
    one, other = Shelf("gsheet:one", "f" * 20, [tier]), Shelf("gsheet:two", "f" * 20, [tier])
    one.save("base", "v7", TODAY, "of one")
    assert other.load("base", "v7", TODAY) is None
    # Even an object copied under the other's name is refused by its header.
    name_one = one.key("base", "v7", TODAY).object_name()
    name_two = other.key("base", "v7", TODAY).object_name()
    (tmp_path / name_two).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name_two).write_bytes((tmp_path / name_one).read_bytes())
    assert other.load("base", "v7", TODAY) is None and one.load("base", "v7", TODAY) == "of one"


def test_of_two_instances_publishing_the_same_revision_the_first_wins_and_the_second_leaves_it(storage_fake):
    from sheets.cloud_storage import StorageClient

    def shelf() -> Shelf:
        return Shelf("gsheet:abc", "f" * 20,
                     [BucketTier(StorageClient(lambda: "t", api_url=storage_fake.url), DEFAULT_BUCKET)])

    a, b = shelf(), shelf()
    assert a.load("base", "v1", TODAY) is None and b.load("base", "v1", TODAY) is None  # both saw none
    a.save("base", "v1", TODAY, "built by a")
    b.save("base", "v1", TODAY, "built by b")
    assert (a.stats.published, b.stats.published, b.stats.lost_races) == (1, 0, 1)
    assert shelf().load("base", "v1", TODAY) == "built by a"
    assert storage_fake.violations == []


def test_a_damaged_object_in_the_bucket_is_ignored_removed_and_rebuilt(storage_fake, caplog):
    from sheets.cloud_storage import StorageClient

    client = StorageClient(lambda: "t", api_url=storage_fake.url)
    shelf = Shelf("gsheet:abc", "f" * 20, [BucketTier(client, DEFAULT_BUCKET)])
    shelf.save("base", "v1", TODAY, "good")
    name = "snapshots/" + shelf.key("base", "v1", TODAY).object_name()
    storage_fake.put(DEFAULT_BUCKET, name, storage_fake.object(DEFAULT_BUCKET, name).data[:-3])
    again = Shelf("gsheet:abc", "f" * 20, [BucketTier(client, DEFAULT_BUCKET)])
    assert again.load("base", "v1", TODAY) is None and again.stats.damaged == 1
    assert "ignored" in caplog.text and name not in storage_fake.names()
    again.save("base", "v1", TODAY, "rebuilt")
    assert Shelf("gsheet:abc", "f" * 20, [BucketTier(client, DEFAULT_BUCKET)]).load("base", "v1", TODAY) == "rebuilt"


def test_a_new_revision_is_a_new_object_and_the_older_ones_go(storage_fake, tmp_path):
    """A reader asks for exactly the snapshot it can use: a stale one is never downloaded to be refused."""
    from sheets.cloud_storage import StorageClient

    client = StorageClient(lambda: "t", api_url=storage_fake.url)
    shelf = Shelf("gsheet:abc", "f" * 20, [DirectoryTier(tmp_path), BucketTier(client, DEFAULT_BUCKET)])
    for version in ("v1", "v2", "v3"):
        shelf.save("base", version, TODAY, version)
    shelf.save("*", "v3", TODAY, "province")
    assert len(storage_fake.names()) == 2 and len(list(tmp_path.rglob("*.snap"))) == 2
    storage_fake.reset_requests()
    assert Shelf("gsheet:abc", "f" * 20, [BucketTier(client, DEFAULT_BUCKET)]).load("base", "v4", TODAY) is None
    assert storage_fake.kinds() == ["objects.get"]  # one request, a 404: no content moved


def test_a_workbooks_revision_moves_when_it_is_saved(tmp_path):
    path = tmp_path / "smart-data.xlsx"
    revision = FileRevision(path)
    assert revision.revision() is None
    path.write_bytes(b"one")
    first = revision.revision()
    path.write_bytes(b"two!")
    assert first is not None and revision.revision() not in (None, first)


# ---------------------------------------------------------------- the webhook on the fakes

def google_snapshots(sheets_fake, drive_fake, storage_fake, local: Path) -> Snapshots:
    """What a deployed instance opens: the Drive fake's version, the bucket on the Storage fake, its own /tmp."""
    config = make_config({"store": f"gsheet:{SPREADSHEET_ID}", "drive.api_url": drive_fake.url,
                          "storage.api_url": storage_fake.url, "snapshot.bucket": DEFAULT_BUCKET,
                          "snapshot.local_directory": str(local)})
    found = open_snapshots(config, {}, drive_tokens=StaticToken("t"), storage_tokens=StaticToken("t"))
    assert found is not None
    return found


@pytest.fixture
def instances(sheets_fake, line_fake, sheet_on_drive, storage_fake, tmp_path):
    """Webhook instances of one deployment: a new one per call, each with its own /tmp."""
    load_province(sheets_fake)
    made = []

    def new(**kwargs: Any) -> Webhook:
        local = tmp_path / f"instance-{len(made)}"
        hook = Webhook(make_runtime(sheets_fake, line_fake, snapshots=google_snapshots(
            sheets_fake, sheet_on_drive, storage_fake, local), **kwargs), line_fake)
        made.append(hook)
        return hook

    yield new
    for hook in made:
        hook.runtime.snapshots.settle()


def settled(hook: Webhook) -> Webhook:
    hook.runtime.snapshots.settle()
    return hook


def test_a_cold_instance_answers_from_the_published_snapshot_without_reading_the_sheet(instances, sheets_fake,
                                                                                        sheet_on_drive):
    first = instances()
    fresh = first.say(USER_OF01, "ค้างชำระ")
    settled(first)
    assert sheets_fake.count("values.batchGet") == 1
    second = instances()
    stored = second.say(USER_OF01, "ค้างชำระ")
    assert text_of(stored) == text_of(fresh) and "F1-002" in text_of(stored)
    assert sheets_fake.count("values.batchGet") == 1, "the second cold start read no sheet"
    cache = second.runtime.snapshots
    assert cache.reads == 0 and cache.peek().from_store
    assert all(view.stored for view in cache.peek()._views.values())
    assert sheet_on_drive.count("files.get") >= 2  # each instance asked the revision: one small request


def test_a_persons_edit_is_seen_by_the_next_event_on_every_instance(instances, sheets_fake):
    first = instances()
    before = text_of(first.say(USER_OF01, "ค้นหา F1-002"))
    settled(first)
    second = instances()
    assert text_of(second.say(USER_OF01, "ค้นหา F1-002")) == before and "6,000" in before
    reads = sheets_fake.count("values.batchGet")
    # A person types a repayment of F1-002 into the sheet: a new row in รับชำระ.
    layout = Layout()
    title = layout.title("payments")
    rows = sheets_fake.rows(SPREADSHEET_ID, title)
    header = rows[0]
    row: list[Any] = [None] * len(header)
    for key, value in (("contract_no", "F1-002"), ("paid_date", dt.date(2026, 11, 25)), ("amount", 1_234)):
        row[header.index(layout.header("payments", key))] = value
    sheets_fake.set_rows(SPREADSHEET_ID, title, rows + [row])
    for hook in (first, second):
        after = text_of(hook.say(USER_OF01, "ค้นหา F1-002"))
        assert "7,234" in after, "the edit is seen by the next event after the version moved"
    assert sheets_fake.count("values.batchGet") > reads


def test_one_typed_cell_is_seen_by_the_next_event(instances, sheets_fake):
    hook = instances()
    assert "สมหมาย" not in text_of(hook.say(USER_OF01, "ค้นหา F1-002"))
    layout = Layout()
    title = layout.title("loans")
    rows = sheets_fake.rows(SPREADSHEET_ID, title)
    row = next(i for i, r in enumerate(rows) if "F1-002" in r) + 1
    col = rows[0].index(layout.header("loans", "borrower_name")) + 1
    sheets_fake.edit_cell(SPREADSHEET_ID, title, row, col, "นางสมหมาย แก้ชื่อ")
    assert "สมหมาย" in text_of(hook.say(USER_OF01, "ค้นหา F1-002"))


def test_a_warm_instance_asks_only_the_revision_while_the_sheet_is_unchanged(instances, sheets_fake, sheet_on_drive):
    hook = instances()
    hook.say(USER_OF01, "ค้างชำระ")
    settled(hook)
    reads, checks = sheets_fake.count("values.batchGet"), sheet_on_drive.count("files.get")
    for _ in range(3):
        hook.say(USER_OF01, "สรุป")
    assert sheets_fake.count("values.batchGet") == reads
    assert sheet_on_drive.count("files.get") == checks + 3


def test_our_own_repayment_is_seen_here_at_once_and_by_the_other_instance_after_the_version_moves(
        instances, sheets_fake, line_fake):
    first, second = instances(), instances()
    before = text_of(second.say(USER_OF01, "ค้นหา F1-001"))  # the second instance is warm, on the old revision
    card = first.say(USER_OF01, "ชำระ F1-001 500")
    assert "บันทึกรับชำระแล้ว" in text_of(first.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก")))
    settled(first)
    after = [text_of(hook.say(USER_OF01, "ค้นหา F1-001")) for hook in (first, second)]
    assert after[0] == after[1] != before


def test_our_own_write_is_seen_here_even_before_drive_moves_the_version(sheets_fake, line_fake, drive_fake,
                                                                       storage_fake, tmp_path):
    """Drive may show a Google Sheet's new version seconds after the write: the instance that wrote must
    not answer from a snapshot stored under the old version."""
    load_province(sheets_fake)
    drive_fake.add_spreadsheet(SPREADSHEET_ID)  # not following the Sheets fake: the version lags for ever
    publisher = Webhook(make_runtime(sheets_fake, line_fake, snapshots=google_snapshots(
        sheets_fake, drive_fake, storage_fake, tmp_path / "a")), line_fake)
    before = text_of(publisher.say(USER_OF01, "ค้นหา F1-001"))
    settled(publisher)
    hook = Webhook(make_runtime(sheets_fake, line_fake, snapshots=google_snapshots(
        sheets_fake, drive_fake, storage_fake, tmp_path / "b")), line_fake)
    assert text_of(hook.say(USER_OF01, "ค้นหา F1-001")) == before and hook.runtime.snapshots.reads == 0
    card = hook.say(USER_OF01, "ชำระ F1-001 500")
    assert "บันทึกรับชำระแล้ว" in text_of(hook.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก")))
    after = text_of(hook.say(USER_OF01, "ค้นหา F1-001"))
    assert after != before, "the instance that wrote sees its write, though the version did not move"
    assert text_of(hook.say(USER_OF01, "ค้นหา F1-001")) == after  # and keeps seeing it


def test_a_cancellation_on_another_instance_reads_the_sheet_itself_not_a_snapshot(sheets_fake, line_fake, drive_fake,
                                                                                 storage_fake, tmp_path):
    """Before a write the sheet is read, never a stored snapshot: Drive's version may not yet show the
    repayment another instance just recorded, which the cancellation must find."""
    load_province(sheets_fake)
    drive_fake.add_spreadsheet(SPREADSHEET_ID)  # the version never moves: Drive lagging at its worst

    def instance(name: str) -> Webhook:
        return Webhook(make_runtime(sheets_fake, line_fake, snapshots=google_snapshots(
            sheets_fake, drive_fake, storage_fake, tmp_path / name)), line_fake)

    publisher = instance("p")
    publisher.say(USER_OF01, "ค้นหา F1-001")
    settled(publisher)
    recorder = instance("b")
    card = recorder.say(USER_OF01, "ชำระ F1-001 500")
    done = recorder.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก"))
    other = instance("a")
    other.say(USER_OF01, "ค้นหา F1-001")  # warm on the stored snapshot, which lacks the repayment
    assert other.runtime.snapshots.reads == 0
    answer = text_of(other.tap(USER_OF01, postback_data(done, "ยกเลิกรายการ")))
    assert "ยกเลิกรายการแล้ว" in answer, answer


def test_a_scope_nobody_published_is_read_within_the_events_budget(instances, sheets_fake):
    """A cold instance finds the stored base but not the asker's scope: the sheet is read for it in the
    background and waited for no longer than the event's budget ("please wait"); the next event has it."""
    from tests.sheetdata import USER_PV01

    publisher = instances()
    publisher.say(USER_OF01, "ค้างชำระ")  # publishes the base and OF-01's district only
    settled(publisher)
    cold = instances(budget_seconds=0.8)
    sheets_fake.delay_next(2.0, times=1, kind="values.batchGet")
    first = text_of(cold.say(USER_PV01, "ค้างชำระ"))
    assert "กำลังโหลดข้อมูล" in first, first
    assert cold.runtime.snapshots.peek().from_store  # the base came from the bucket: no read for it
    deadline = time.monotonic() + 10
    while not cold.runtime.snapshots.peek().has_view(cold.runtime.snapshots.peek().officer("PV-01")):
        assert time.monotonic() < deadline, "the province's scope never came"
        time.sleep(0.05)
    assert "F1-002" in text_of(cold.say(USER_PV01, "ค้างชำระ"))
    assert cold.runtime.snapshots.reads == 1


def test_a_slow_drive_leaves_a_warm_instance_answering_from_its_copy(instances, sheets_fake, sheet_on_drive,
                                                                     caplog):
    hook = instances(budget_seconds=5.0)
    fresh = text_of(hook.say(USER_OF01, "ค้างชำระ"))
    reads = sheets_fake.count("values.batchGet")
    sheet_on_drive.delay_next(3.0, times=1, kind="files.get")
    again = text_of(hook.say(USER_OF01, "ค้างชำระ"))
    assert "F1-002" in again and fresh.splitlines()[:3] == again.splitlines()[:3]
    assert sheets_fake.count("values.batchGet") == reads, "the young copy answered: no read"
    assert "did not come within" in caplog.text


def test_a_drive_that_cannot_be_asked_falls_back_to_reading_the_sheet(instances, sheets_fake, sheet_on_drive, caplog):
    sheet_on_drive.fail_always(403, message="Google Drive API has not been used in project 1 or it is disabled.")
    hook = instances()
    for _ in range(5):
        assert "F1-002" in text_of(hook.say(USER_OF01, "ค้างชำระ"))
    assert hook.runtime.snapshots.peek().revision is None and "revision is not known" in caplog.text
    assert caplog.text.count("revision is not known") == 1
    assert sheet_on_drive.count("files.get") <= 2, "one ask (its retry included), then Drive is left alone"
    sheet_on_drive.clear_faults()


def test_a_damaged_shared_snapshot_is_rebuilt_and_the_answer_is_right(instances, sheets_fake, storage_fake, caplog):
    first = instances()
    fresh = text_of(first.say(USER_OF01, "ค้างชำระ"))
    settled(first)
    for name in storage_fake.names():
        if name.startswith("snapshots/"):
            stored = storage_fake.object(DEFAULT_BUCKET, name).data
            storage_fake.put(DEFAULT_BUCKET, name, stored[: len(stored) // 2])
    second = instances()
    assert text_of(second.say(USER_OF01, "ค้างชำระ")) == fresh
    assert second.runtime.snapshots.reads == 1 and "ignored" in caplog.text
    settled(second)
    third = instances()
    assert text_of(third.say(USER_OF01, "ค้างชำระ")) == fresh and third.runtime.snapshots.reads == 0


def test_two_cold_instances_rebuilding_at_once_both_answer_and_publish_one_snapshot(instances, sheets_fake,
                                                                                    storage_fake):
    hooks = [instances(), instances()]
    answers: list[str] = ["", ""]

    def ask(i: int) -> None:  # the conversation itself: both answers are in flight at once
        answers[i] = text_of(hooks[i].runtime.conversation.on_text(USER_OF01, "ค้างชำระ", f"01RACE{i:020d}"))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for hook in hooks:
        settled(hook)
    assert answers[0] == answers[1] and "F1-002" in answers[0]
    names = [n for n in storage_fake.names() if n.startswith("snapshots/")]
    assert len(names) == 2  # the base and the one district: one object each, whoever won
    late = instances()
    assert text_of(late.say(USER_OF01, "ค้างชำระ")) == answers[0] and late.runtime.snapshots.reads == 0


# ---------------------------------------------------------------- the same answers as a fresh read

COMMANDS = ("สรุป", "ค้างชำระ", "ครบกำหนด", "ตรวจสอบ", "กองทุน", "เมนู", "อำเภอค้างมาก", "สรุป รายอำเภอ", "ยอดรับชำระ",
            "ยอดรับชำระ เดือนที่แล้ว", "ค้างเกิน 90 วัน", "ผิดสัญญา", "กองทุนค้างมาก", "รับชำระล่าสุด",
            "รับชำระล่าสุด เดือนที่แล้ว")


def answers_of(runtime: Any, user_id: str, extra: tuple[str, ...]) -> list[str]:
    conv = runtime.conversation
    return [json.dumps(conv.on_text(user_id, text, f"01SNAP{i:020d}"), ensure_ascii=False, sort_keys=True)
            for i, text in enumerate(COMMANDS + extra)]


def province_into(sheets_fake: Any, tables: dict[str, list[list[Any]]]) -> None:
    layout = Layout()
    for key, rows in tables.items():
        sheets_fake.set_rows(SPREADSHEET_ID, layout.title(key), rows)
    sheets_fake.reset_requests()


@pytest.mark.parametrize("scale", ["TRAT", "PROVINCE_AVG"])
def test_answers_from_a_stored_snapshot_equal_a_fresh_reads(scale, sheets_fake, line_fake, sheet_on_drive,
                                                            storage_fake, tmp_path):
    """Demo Trat and the average province (11,000 loans): every command, a district and a provincial
    officer, the fresh read's answers and a cold instance's from the stored parts are the same."""
    import sheets.demo as demo

    tables = demo.demo_tables(TODAY, 2569, getattr(demo, scale))
    province_into(sheets_fake, tables)
    fresh_runtime = make_runtime(sheets_fake, line_fake)
    snap = fresh_runtime.snapshots.get()
    linked = [(snap.officer(oid), link.line_user_id) for oid, link in snap.base.links.items()
              if snap.officer(oid) is not None and snap.officer(oid).active]
    district_officer, district = next((o, u) for o, u in linked if not o.sees_all and o.district)
    province = next(u for o, u in linked if o.sees_all)
    view = snap.view(district_officer)
    loan = next(loan for loan in sorted(view.loans, key=lambda l: l.contract_no)
                if loan.contract_no in view.states and view.states[loan.contract_no].arrears > 0)
    fund = loan.fund_id
    # A repayment the district officer recorded through LINE, for รายการที่บันทึก (the demo has none).
    title = Layout().title("payments")
    header, *rows = sheets_fake.rows(SPREADSHEET_ID, title)
    typed = {"เลขที่สัญญา": loan.contract_no, "วันที่ชำระ": "25/11/2569", "จำนวนเงิน (บาท)": 100,
             "เลขที่ใบรับเงิน": "R-SNAP", "ผู้บันทึก": district_officer.officer_id, "ช่องทาง": "LINE",
             "เวลาบันทึก": "2026-11-26 09:00:00", "รหัสอ้างอิง": "LINE-TSNAP"}
    sheets_fake.set_rows(SPREADSHEET_ID, title, [header, *rows, [typed.get(h, "") for h in header]])
    fresh_runtime = make_runtime(sheets_fake, line_fake)
    asked = ("รายการที่บันทึก", f"ค้นหา {loan.borrower_name.split()[-1]}", f"ชำระ {loan.contract_no} 100", f"ค้นหา {loan.contract_no}",
             f"กองทุน {fund}", f"ใบติดตาม {fund}", f"ชำระ {loan.borrower_name} 100", f"ชำระ {loan.borrower_name.split()[-1]} 100")
    expected = {user: answers_of(fresh_runtime, user, asked) for user in (district, province)}
    assert "R-SNAP" in expected[district][len(COMMANDS)] and "R-SNAP" not in expected[province][len(COMMANDS)]
    for user in (district, province):   # every one an answer, not an apology or "not understood"
        assert not any("ขออภัย" in a or "ไม่เข้าใจคำสั่ง" in a or "ไม่พบกองทุนที่ค้นหา" in a for a in expected[user])

    publisher = make_runtime(sheets_fake, line_fake,
                             snapshots=google_snapshots(sheets_fake, sheet_on_drive, storage_fake, tmp_path / "a"))
    for user in (district, province):
        publisher.conversation.on_text(user, "สรุป", "01SNAPWARM" + user[-10:])
    publisher.snapshots.settle()
    cold = make_runtime(sheets_fake, line_fake,
                        snapshots=google_snapshots(sheets_fake, sheet_on_drive, storage_fake, tmp_path / "b"))
    for user in (district, province):
        assert answers_of(cold, user, asked) == expected[user]
    assert cold.snapshots.reads == 0
    assert all(view.stored for view in cold.snapshots.peek()._views.values())
    part = cold.snapshots.peek()._views
    assert len(part) == 2


def test_the_stored_parts_hold_what_they_say(sheets_fake, line_fake, sheet_on_drive, storage_fake, tmp_path):
    load_province(sheets_fake)
    snapshots = google_snapshots(sheets_fake, sheet_on_drive, storage_fake, tmp_path)
    runtime = make_runtime(sheets_fake, line_fake, snapshots=snapshots)
    runtime.conversation.on_text(USER_OF01, "ค้างชำระ", "01SNAPPARTS00000000000000")
    runtime.snapshots.settle()
    snap = runtime.snapshots.peek()
    base = snapshots.shelf.load(BASE_PART, snap.revision, TODAY)
    assert isinstance(base, BasePart) and set(base.base.officers) == set(snap.base.officers)
    scope = snap.scope_for(snap.officer_for_user(USER_OF01))
    part = snapshots.shelf.load(scope.key, snap.revision, TODAY)
    assert isinstance(part, ScopePart) and isinstance(part.ds.installments, NotInSnapshot)
    assert set(part.ds.loans) == {loan.contract_no for loan in snap.view(snap.officer_for_user(USER_OF01)).loans}
    assert len(part.book) == len(list(part.ds.readable_loans()))
    # A district's part holds no borrower of another district (the PDPA rule holds in storage too).
    assert all(loan.fund_id in scope.fund_ids for loan in part.ds.loans.values())
    assert {r["contract_no"] for r in tiny_province()["loans"]} - set(part.ds.loans), \
        "the tiny province has loans outside OF-01's district, and they are not in its part"


def test_an_upload_cut_off_half_way_leaves_nothing_in_the_bucket(storage_fake):
    """A process that ends while publishing (the instance stopped): Cloud Storage keeps nothing of an
    incomplete upload, and so does the fake, or a later reader would find half a snapshot."""
    import http.client
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(storage_fake.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    conn.putrequest("POST", f"/upload/storage/v1/b/{DEFAULT_BUCKET}/o?uploadType=media&name=snapshots/x.snap")
    conn.putheader("Authorization", "Bearer t")
    conn.putheader("Content-Length", "1000")
    conn.endheaders()
    conn.send(b"KKC-SNAPSHOT 1\n")
    conn.sock.shutdown(socket.SHUT_RDWR)
    conn.close()
    deadline = time.monotonic() + 5
    while storage_fake.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert storage_fake.kinds() == ["incomplete"] and storage_fake.names() == []


def test_where_snapshots_are_kept_by_default():
    import tempfile

    from core.config import ROOT

    def tiers(**settings: Any) -> list[str]:
        found = open_snapshots(make_config({"snapshot.directory": "", **settings}), {},
                               drive_tokens=StaticToken("t"), storage_tokens=StaticToken("t"))
        assert found is not None
        return [tier.description for tier in found.shelf.tiers]

    temporary = str(Path(tempfile.gettempdir()) / "kkc-snapshots")
    assert tiers(store="data/smart-data.xlsx") == [str(ROOT / "data" / "snapshots")]  # the embedded default
    assert tiers(store="gsheet:abc") == [temporary]  # no bucket on Google: each instance its own
    assert tiers(store="gsheet:abc", **{"claims.bucket": "b"}) == [temporary, "gs://b/snapshots/"]
    assert tiers(store="gsheet:abc", **{"snapshot.bucket": "s", "claims.bucket": "b"})[1] == "gs://s/snapshots/"
    assert open_snapshots(make_config({"snapshot.enabled": False}), {}) is None
    workbook = open_snapshots(make_config({"store": "data/smart-data.xlsx"}), {})
    assert isinstance(workbook.revisions, FileRevision)


def test_chat_on_a_workbook_sees_an_edit_saved_in_a_spreadsheet_program(tmp_path):
    """The embedded default: the revision is the .xlsx file's time and size; a person's save moves it."""
    from handlers.runtime import terminal_runtime
    from messaging.base import messages_to_text
    from tests.conftest import WorkbookEditor
    from tests.sheetdata import write_workbook

    path = tmp_path / "smart-data.xlsx"
    store = write_workbook(path)
    config = make_config({"store": str(path), "snapshot.directory": str(tmp_path / "snapshots")})
    snapshots = open_snapshots(config, {})
    first = terminal_runtime(config, store, TODAY, snapshots)
    ask = lambda runtime: messages_to_text(runtime.conversation.on_text("", "ค้นหา F1-002", officer_id="OF-01"))
    before = ask(first)
    first.snapshots.settle()
    again = terminal_runtime(config, store, TODAY, open_snapshots(config, {}))  # a second `chat --as`
    assert ask(again) == before and again.snapshots.reads == 0
    layout = Layout()
    editor = WorkbookEditor(path)
    rows = editor.tab_rows(layout.title("payments"))
    header = rows[0]
    row: list[Any] = [None] * len(header)
    for key, value in (("contract_no", "F1-002"), ("paid_date", dt.date(2026, 11, 25)), ("amount", 1_234)):
        row[header.index(layout.header("payments", key))] = value
    editor.write_tab(layout.title("payments"), rows + [row])
    for runtime in (first, again):
        assert "7,234" in ask(runtime)


# ---------------------------------------------------------------- personal data

def test_no_whole_citizen_id_is_ever_stored(sheets_fake, line_fake, sheet_on_drive, storage_fake, tmp_path):
    """Citizen ids never leave the sheet whole: not in the bucket, not in /tmp. The demo province (every
    borrower has a valid id), one more id typed into a loan's note and one into a payment's note."""
    import sheets.demo as demo

    layout = Layout()
    tables = demo.demo_tables(TODAY, 2569, demo.TRAT)
    header = tables["loans"][0]
    import re

    typed_ids = [str(r[header.index(layout.header("loans", "citizen_id"))] or "") for r in tables["loans"][1:]]
    ids = [d for d in (re.sub(r"\D", "", t) for t in typed_ids) if len(d) == 13]  # as parsed
    ids += [t for t in typed_ids if len(re.sub(r"\D", "", t)) == 13 and not t.isdigit()]  # as typed, with dashes
    assert len(ids) > 1500
    typed = "1101700230708"  # a valid id, typed where it does not belong (with dashes, as people do)
    tables["loans"][1][header.index(layout.header("loans", "note"))] = "ผู้ค้ำ 1-1017-00230-70-8"
    pay_header = tables["payments"][0]
    tables["payments"][1][pay_header.index(layout.header("payments", "note"))] = f"โอนจากบัญชี {typed}"
    province_into(sheets_fake, tables)
    snapshots = google_snapshots(sheets_fake, sheet_on_drive, storage_fake, tmp_path / "local")
    runtime = make_runtime(sheets_fake, line_fake, snapshots=snapshots)
    snap = runtime.snapshots.get()
    asked: set[str] = set()
    for oid, link in snap.base.links.items():  # every scope once: each district and the province
        officer = snap.officer(oid)
        if officer is not None and officer.active and snap.scope_for(officer).key not in asked:
            asked.add(snap.scope_for(officer).key)
            runtime.conversation.on_text(link.line_user_id, "สรุป", f"01PDPA{oid:>20}".replace(" ", "0"))
    runtime.snapshots.settle()
    stored = [storage_fake.object(DEFAULT_BUCKET, n).data for n in storage_fake.names() if n.startswith("snapshots/")]
    stored += [p.read_bytes() for p in (tmp_path / "local").rglob("*.snap")]
    assert len(stored) >= 8  # the base and the scopes, in the bucket and in /tmp
    for data in stored:
        for whole in ids + [typed]:
            assert whole.encode() not in data
        assert b"1-1017-00230-70-8" not in data
    # What the officer sees is unchanged: the last digits, as before.
    loan = snap.view(next(o for o in snap.officers.values() if o.sees_all)).loans[0]
    cold = make_runtime(sheets_fake, line_fake, snapshots=google_snapshots(
        sheets_fake, sheet_on_drive, storage_fake, tmp_path / "other"))
    province_user = next(link.line_user_id for oid, link in snap.base.links.items()
                         if snap.officer(oid) is not None and snap.officer(oid).sees_all)
    asked = f"ค้นหา {loan.contract_no}"
    assert answers_of(cold, province_user, (asked,))[-1] == answers_of(runtime, province_user, (asked,))[-1]
    assert cold.snapshots.reads == 0
