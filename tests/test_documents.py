"""Documents sent in LINE, end to end through signed webhook events: a photo or a PDF → a fund → a document
(→ a bank book's balance and date) → the content from LINE's api-data host (the LINE fake) → Drive (the Drive
fake) or data/documents/ → one row in เอกสาร; once, however often it is tapped or redelivered.
Also the content endpoint itself (size limit, expiry) and the Drive 403 for a folder not in a shared drive.
The tiny province (tests/sheetdata.py): OF-01 in เมืองตราด (two funds), today 26 Nov 2026."""
from __future__ import annotations

import http.client
from pathlib import Path
from typing import Any

import pytest

from messaging.line import ContentError, LineClient
from sheets.cloud_storage import RetryPolicy
from sheets.documents import DriveShelf, LocalShelf
from sheets.drive import DriveClient
from tests.chat_support import Webhook, base_event, load_province, make_runtime, postback_data, text_of
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.drive_api import DriveFake
from tests.fakes.line_fixtures import DEFAULT_TOKEN
from tests.sheetdata import USER_OF01

JPEG = b"\xff\xd8\xff\xe0" + b"bank book photo " * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n" + b"committee order " * 64 + b"%%EOF\n"


def drive_shelf(drive_fake: DriveFake, folder: str) -> DriveShelf:
    client = DriveClient(lambda: "test-token", api_url=drive_fake.url, timeout_seconds=2.0,
                         retry=RetryPolicy(max_tries=2, backoff_seconds=0.01, backoff_max_seconds=0.01))
    return DriveShelf(client, folder)


@pytest.fixture
def local_hook(sheets_fake: Any, line_fake: Any, tmp_path: Path) -> Any:
    load_province(sheets_fake)
    yield Webhook(make_runtime(sheets_fake, line_fake, shelf=lambda: LocalShelf(tmp_path / "documents")), line_fake)
    assert line_fake.violations == [], line_fake.violations


@pytest.fixture
def drive_hook(sheets_fake: Any, line_fake: Any, drive_fake: DriveFake, shared_folder: str) -> Any:
    load_province(sheets_fake)
    yield Webhook(make_runtime(sheets_fake, line_fake, shelf=lambda: drive_shelf(drive_fake, shared_folder)),
                  line_fake)
    assert line_fake.violations == [], line_fake.violations


def document_rows(sheets_fake: Any) -> list[dict[str, str]]:
    rows = sheets_fake.rows(SPREADSHEET_ID, "เอกสาร")
    if not rows:
        return []
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def send(hook: Webhook, message: dict, user: str = USER_OF01, event_id: str | None = None) -> list[dict]:
    """The officer sends an image or file message; returns the bot's answer."""
    before = len(hook.line.replies)
    event = base_event("message", user, event_id, replyToken=hook.line.new_reply_token(user), message=message)
    assert hook.post([event]).status_code == 200
    return [m for reply in hook.line.replies[before:] for m in reply.messages]


def image(message_id: str) -> dict:
    return {"type": "image", "id": message_id, "quoteToken": "q", "contentProvider": {"type": "line"}}


def pdf(message_id: str, size: int = len(PDF), name: str = "คำสั่ง.pdf") -> dict:
    return {"type": "file", "id": message_id, "fileName": name, "fileSize": size}


# ---------------------------------------------------------------- the flow end to end

def test_a_pdf_goes_to_drive_under_district_and_fund_with_one_row(drive_hook, line_fake, drive_fake, shared_folder,
                                                                  sheets_fake):
    line_fake.add_content("600001", PDF, "application/pdf")
    asked = send(drive_hook, pdf("600001"))
    assert "เป็นของกองทุนใด" in text_of(asked)
    kinds = drive_hook.tap(USER_OF01, postback_data(asked, "บ้านบางพระ ม.1"))
    assert "เอกสารนี้คืออะไร" in text_of(kinds)
    done = drive_hook.tap(USER_OF01, postback_data(kinds, "คำสั่งแต่งตั้ง"))
    assert "บันทึกเอกสารแล้ว: คำสั่งแต่งตั้ง" in text_of(done)

    district = [f for f in drive_fake.children(shared_folder) if f.is_folder]
    assert [f.name for f in district] == ["เมืองตราด"]
    fund = drive_fake.children(district[0].id)
    assert [f.name for f in fund] == ["230101-01"]
    stored = drive_fake.children(fund[0].id)
    assert [f.name for f in stored] == ["230101-01-คำสั่งแต่งตั้ง-2026-11-26.pdf"]
    assert drive_fake.content(stored[0].id) == PDF
    rows = document_rows(sheets_fake)
    assert len(rows) == 1
    row = rows[0]
    assert row["รหัสกองทุน"] == "230101-01" and row["เอกสาร"] == "คำสั่งแต่งตั้ง" and row["รหัสอ้างอิง"] == "600001"
    assert row["ผู้ส่ง"] == "OF-01" and stored[0].id in row["ลิงก์"]
    assert row["ลิงก์"] in text_of(done)


def test_a_double_tap_and_a_redelivery_store_one_file_and_one_row(drive_hook, line_fake, drive_fake, shared_folder,
                                                                  sheets_fake):
    line_fake.add_content("600002", PDF, "application/pdf")
    asked = send(drive_hook, pdf("600002"), event_id="01DOCUMENTEVENT000000000001")
    kinds = drive_hook.tap(USER_OF01, postback_data(asked, "บ้านบางพระ ม.1"))
    data = postback_data(kinds, "สรุปสถานะการเงิน")
    assert "บันทึกเอกสารแล้ว" in text_of(drive_hook.tap(USER_OF01, data))
    again = drive_hook.tap(USER_OF01, data)
    assert "บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ" in text_of(again) and "สมศรี" in text_of(again)
    # The same message again (a redelivery to another instance): asked again, and filed once still.
    other = Webhook(make_runtime(sheets_fake, line_fake, shelf=lambda: drive_shelf(drive_fake, shared_folder)),
                    line_fake)
    asked = send(other, pdf("600002"), event_id="01DOCUMENTEVENT000000000001")
    kinds = other.tap(USER_OF01, postback_data(asked, "บ้านบางพระ ม.1"))
    assert "ไม่ได้บันทึกซ้ำ" in text_of(other.tap(USER_OF01, postback_data(kinds, "สรุปสถานะการเงิน")))
    assert len(document_rows(sheets_fake)) == 1
    files = [f for f in drive_fake.files.values() if not f.is_folder]
    assert len(files) == 1
    assert len(line_fake.requests_to("/v2/bot/message/600002/content")) == 1


def test_a_bank_book_asks_its_balance_and_date_and_keeps_them_on_the_row(local_hook, line_fake, sheets_fake,
                                                                         tmp_path):
    line_fake.add_content("600003", JPEG, "image/jpeg")
    asked = send(local_hook, image("600003"))
    kinds = local_hook.say(USER_OF01, "หนองเสม็ด")        # part of a place name instead of a button
    assert "เอกสารนี้คืออะไร" in text_of(kinds) and "หนองเสม็ด" in text_of(kinds)
    balance = local_hook.tap(USER_OF01, postback_data(kinds, "สมุดบัญชี"))
    assert "ยอดเงินคงเหลือ" in text_of(balance)
    assert "อ่านยอดเงินไม่ได้" in text_of(local_hook.say(USER_OF01, "ไม่ทราบ"))
    when = local_hook.say(USER_OF01, "๑๒๕,๔๐๐.๕๐ บาท")
    assert "125,400.50" in text_of(when)
    done = local_hook.say(USER_OF01, "20/11/69")
    assert "ยอดเงินในสมุดบัญชี 125,400.50 บาท ณ 20 พ.ย. 2569" in text_of(done)
    stored = tmp_path / "documents" / "เมืองตราด" / "230102-03" / "230102-03-สมุดบัญชี-2026-11-20.jpg"
    assert stored.read_bytes() == JPEG
    row = document_rows(sheets_fake)[-1]
    assert row["เอกสาร"] == "สมุดบัญชี" and row["ลิงก์"] == str(stored)
    assert float(str(row["ยอดเงินในสมุดบัญชี (บาท)"]).replace(",", "")) == 125400.50
    assert row["วันที่ของยอดเงิน"] and row["วันที่เอกสาร"] == row["วันที่ของยอดเงิน"]
    assert asked  # the first answer asked for the fund


def test_cancel_typed_while_a_document_waits_files_nothing(local_hook, line_fake, sheets_fake):
    line_fake.add_content("600005", JPEG, "image/jpeg")
    send(local_hook, image("600005"))
    kinds = local_hook.say(USER_OF01, "หนองเสม็ด")
    balance = local_hook.tap(USER_OF01, postback_data(kinds, "สมุดบัญชี"))
    assert "ยอดเงินคงเหลือ" in text_of(balance)
    assert "ยกเลิกแล้ว ไม่ได้บันทึกอะไร" in text_of(local_hook.say(USER_OF01, "ยกเลิกค่ะ"))
    assert "ยังไม่ได้บันทึกอะไร" in text_of(local_hook.say(USER_OF01, "125,400"))   # no longer a balance
    assert document_rows(sheets_fake) == []


def test_expired_content_says_so_and_files_nothing(local_hook, line_fake, sheets_fake):
    line_fake.add_content("600004", JPEG, "image/jpeg")
    line_fake.expire_content("600004")
    asked = send(local_hook, image("600004"))
    kinds = local_hook.tap(USER_OF01, postback_data(asked, "บ้านบางพระ ม.1"))
    answer = text_of(local_hook.tap(USER_OF01, postback_data(kinds, "อื่น ๆ")))
    assert "หมดอายุ" in answer and "ยังไม่ได้บันทึกเอกสาร" in answer
    assert document_rows(sheets_fake) == []


def test_a_file_over_the_limit_is_refused_before_anything_is_asked(sheets_fake, line_fake, tmp_path):
    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake, overrides={"documents.max_bytes": 1000},
                                shelf=lambda: LocalShelf(tmp_path)), line_fake)
    answer = text_of(send(hook, pdf("600005", size=5 * 1048576)))
    assert "ไฟล์ใหญ่เกินไป (5.0 MB)" in answer
    assert "บันทึกเอกสารได้เฉพาะรูปภาพหรือไฟล์ PDF" in text_of(send(hook, pdf("600006", name="list.xlsx")))
    assert line_fake.requests_to("/v2/bot/message/600005/content") == []


# ---------------------------------------------------------------- the content endpoint

@pytest.fixture
def line_client(line_fake: Any) -> Any:
    client = LineClient(line_fake.url, DEFAULT_TOKEN, api_data_url=line_fake.data_url, max_tries=2,
                        sleep=lambda _: None)
    yield client
    client.close()


def test_content_is_read_from_the_api_data_host_with_its_media_type(line_client, line_fake):
    line_fake.add_content("700001", JPEG, "image/jpeg")
    got = line_client.content("700001", 10 * 1048576)
    assert got.data == JPEG and got.media_type == "image/jpeg"
    record = line_fake.requests_to("/v2/bot/message/700001/content")[-1]
    assert record.method == "GET" and record.status == 200


def test_content_over_the_limit_is_refused_by_its_content_length_without_reading_it(line_client, line_fake):
    line_fake.add_content("700002", JPEG * 100, "image/jpeg")
    with pytest.raises(ContentError) as refused:
        line_client.content("700002", len(JPEG))
    assert refused.value.too_large and "ไฟล์ใหญ่เกินไป" in str(refused.value)
    # The connection with the unread body was dropped: the next download still works.
    line_fake.add_content("700003", JPEG, "image/jpeg")
    assert line_client.content("700003", len(JPEG)).data == JPEG


def test_expired_content_is_a_404_said_as_such(line_client, line_fake):
    with pytest.raises(ContentError) as expired:
        line_client.content("700404", 1000)
    assert expired.value.expired and expired.value.http_status == 404 and "หมดอายุ" in str(expired.value)


def test_a_5xx_is_tried_again(line_client, line_fake):
    line_fake.add_content("700005", PDF, "application/pdf")
    line_fake.fail_next(503, path=r"/v2/bot/message/.*/content")
    assert line_client.content("700005", 1048576).data == PDF
    assert [r.status for r in line_fake.requests_to("/v2/bot/message/700005/content")] == [503, 200]


def test_the_content_endpoint_is_a_get_on_the_api_data_host_only(line_fake):
    conn = http.client.HTTPConnection(line_fake.url.split("//")[1])
    conn.request("GET", "/v2/bot/message/700001/content", headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"})
    assert conn.getresponse().status == 404   # the api host does not serve content
    conn.close()


# ---------------------------------------------------------------- Drive

def test_a_folder_not_in_a_shared_drive_is_refused_with_the_set_up_hint(sheets_fake, line_fake, drive_fake,
                                                                        tmp_path):
    load_province(sheets_fake)
    my_drive = drive_fake.add_folder("เอกสารในไดรฟ์ของฉัน")  # someone's My Drive, shared with the account
    hook = Webhook(make_runtime(sheets_fake, line_fake, shelf=lambda: drive_shelf(drive_fake, my_drive)), line_fake)
    line_fake.add_content("600007", PDF, "application/pdf")
    asked = send(hook, pdf("600007"))
    kinds = hook.tap(USER_OF01, postback_data(asked, "บ้านบางพระ ม.1"))
    answer = text_of(hook.tap(USER_OF01, postback_data(kinds, "คำสั่งแต่งตั้ง")))
    assert "ยังไม่ได้บันทึกเอกสาร" in answer and "ไดรฟ์ที่แชร์ (shared drive)" in answer
    assert document_rows(sheets_fake) == []
    # The claim was given back: a second tap tries again (it is not "already filed").
    again = text_of(hook.tap(USER_OF01, postback_data(kinds, "คำสั่งแต่งตั้ง")))
    assert "ยังไม่ได้บันทึกเอกสาร" in again and "บันทึกไปแล้ว" not in again


def test_the_settings_pick_drive_or_local_files(tmp_path):
    from sheets.documents import open_shelf

    local = open_shelf(make_config({"documents.directory": str(tmp_path)}))
    assert isinstance(local, LocalShelf) and local.directory == tmp_path
    assert isinstance(open_shelf(make_config({"drive.folder_id": "abc"}), env={"KKC_TEST": "1"}), DriveShelf)


# ---------------------------------------------------------------- the fund card

def test_the_fund_card_shows_each_document_with_its_date_and_link(drive_hook, line_fake, sheets_fake):
    line_fake.add_content("600008", JPEG, "image/jpeg")
    asked = send(drive_hook, image("600008"))
    kinds = drive_hook.tap(USER_OF01, postback_data(asked, "บ้านหนองเสม็ด ม.3"))
    drive_hook.tap(USER_OF01, postback_data(kinds, "สมุดบัญชี"))
    drive_hook.say(USER_OF01, "88,000")
    when = drive_hook.say(USER_OF01, "24/11/2569")
    assert "บันทึกเอกสารแล้ว" in text_of(when)
    link = document_rows(sheets_fake)[-1]["ลิงก์"]
    card = drive_hook.say(USER_OF01, "กองทุน 230102-03")
    text = text_of(card)
    assert "88,000" in text and "ณ 24 พ.ย. 2569" in text            # the newer balance: the bank book's
    assert "สมุดบัญชี" in text and "24 พ.ย. 2569 · เปิด" in text
    assert "คำสั่งแต่งตั้ง" in text and "1 มี.ค. 2567 · เปิด" in text    # the link typed in กองทุน, by its date
    from chat.terminal import actions_of
    uris = [a["uri"] for a in actions_of(card) if a.get("type") == "uri"]
    assert link in uris and "https://drive.google.com/file/d/a/view" in uris
