"""The Google Drive client against the local fake: every endpoint, the folder path, uploads that
happen once, the service account's 403 outside a shared drive, bounded retries and lost answers."""
from __future__ import annotations

import json
from typing import Callable, Iterator

import pytest

from core.config import load_config
from sheets.cloud_storage import RetryPolicy
from sheets.credentials import StaticToken
from sheets.drive import (
    DRIVE_SCOPE, FOLDER_MIME, REF_PROPERTY, DriveClient, DriveError, DriveFile, bearer_token, multipart_body, quote_q,
)
from tests.fakes.drive_api import NO_QUOTA_MESSAGE, DriveFake

# Bytes that a careless multipart writer would break: CR LF, dashes, a NUL, non-UTF-8.
PHOTO = b"\xff\xd8\xff\xe0JFIF\r\n--not-a-boundary\r\n\x00\x89PNG\r\n\x1a\n" * 50
FUND_FOLDER = "230101-05 บ้านหนองบัว"


@pytest.fixture
def client(drive_fake: DriveFake, backoff_sleeps: list[float],
           counted_token: Callable[[], str]) -> Iterator[DriveClient]:
    """Three tries, waits of 0.01 doubling up to 0.015 s; the jitter pinned at its ceiling."""
    drive = DriveClient(counted_token, api_url=drive_fake.url, timeout_seconds=0.3,
                        retry=RetryPolicy(max_tries=3, backoff_seconds=0.01, backoff_max_seconds=0.015),
                        sleep=backoff_sleeps.append, jitter=lambda: 1.0)
    yield drive
    drive.close()


# -- files.get ---------------------------------------------------------------------
def test_get_reads_a_shared_drive_file_with_its_version_and_modified_time(client: DriveClient,
                                                                         drive_fake: DriveFake,
                                                                         shared_folder: str) -> None:
    file_id = drive_fake.add_file("smart-data", shared_folder, "application/vnd.google-apps.spreadsheet")

    found = client.files_get(file_id)

    stored = drive_fake.file(file_id)
    assert found.id == file_id and found.name == "smart-data" and found.parents == (shared_folder,)
    assert found.version == stored.version and found.modified_time.endswith("Z")
    assert found.drive_id == stored.drive_id != "" and not found.is_folder and found.size is None
    request = drive_fake.requests[0]
    assert request.path == f"/drive/v3/files/{file_id}" and request.query["supportsAllDrives"] == ["true"]
    assert "version" in request.query["fields"][0]
    assert request.query["prettyPrint"] == ["false"]  # Google indents its answers unless asked not to


def test_without_supports_all_drives_a_shared_drive_file_does_not_exist(client: DriveClient,
                                                                        drive_fake: DriveFake,
                                                                        shared_folder: str) -> None:
    # Why every request says supportsAllDrives=true: Drive answers as if the file were not there.
    with pytest.raises(DriveError) as hidden:
        client.files_get(shared_folder, supports_all_drives=False)

    assert hidden.value.not_found and hidden.value.reason == "notFound"
    assert client.files_get(shared_folder).is_folder


def test_a_missing_file_is_not_found_in_thai_and_english(client: DriveClient, drive_fake: DriveFake) -> None:
    with pytest.raises(DriveError) as missing:
        client.files_get("1NoSuchFileId")

    message = str(missing.value)
    assert missing.value.not_found and "ไม่พบไฟล์หรือโฟลเดอร์" in message and "File not found: 1NoSuchFileId" in message
    assert "drive.folder_id" in message
    assert drive_fake.count() == 1  # a 404 is an answer: not tried again


def test_revision_is_the_version_and_rises_when_someone_edits_the_sheet(client: DriveClient,
                                                                         drive_fake: DriveFake,
                                                                         shared_folder: str) -> None:
    sheet = drive_fake.add_file("smart-data", shared_folder, "application/vnd.google-apps.spreadsheet")

    before = client.revision(sheet)
    assert client.revision(sheet) == before  # nothing changed: the same key
    drive_fake.bump_version(sheet)  # an officer typed in the sheet
    after = client.revision(sheet)

    assert after.version is not None and before.version is not None and after.version > before.version
    assert after.key != before.key and after.key == f"v{after.version}"
    assert after.modified_time > before.modified_time
    assert drive_fake.requests[0].query["fields"] == ["id,version,modifiedTime"]


def test_a_revision_without_a_version_is_keyed_by_its_modified_time() -> None:
    from sheets.drive import Revision

    assert Revision("x", None, "2026-01-15T03:04:05.678Z").key == "t2026-01-15T03:04:05.678Z"


# -- files.list ----------------------------------------------------------------------
def test_list_follows_pages_and_quotes_names(client: DriveClient, drive_fake: DriveFake, shared_folder: str) -> None:
    for name in ("บ้านเกาะ'ช้าง", "b", "c", "บ้านเกาะ'ช้าง", "d"):
        drive_fake.add_folder(name, shared_folder)

    everything = client.files_list(f"{quote_q(shared_folder)} in parents and trashed = false", page_size=2)
    quoted = client.children(shared_folder, name="บ้านเกาะ'ช้าง")

    assert [f.name for f in everything] == ["บ้านเกาะ'ช้าง", "b", "c", "บ้านเกาะ'ช้าง", "d"]
    assert drive_fake.count("files.list") == 4  # three pages, then one
    assert "pageToken" not in drive_fake.requests[0].query and "pageToken" in drive_fake.requests[1].query
    assert len(quoted) == 2 and all(f.is_folder for f in quoted)
    assert "name = 'บ้านเกาะ\\'ช้าง'" in drive_fake.requests[-1].query["q"][0]
    assert drive_fake.requests[-1].query["includeItemsFromAllDrives"] == ["true"]


def test_list_can_search_one_shared_drive(client: DriveClient, drive_fake: DriveFake, shared_folder: str) -> None:
    drive_id = next(iter(drive_fake.shared_drives))
    other = drive_fake.add_shared_drive("อื่น")
    drive_fake.add_folder("ในไดรฟ์นี้", shared_folder)
    drive_fake.add_folder("ในไดรฟ์อื่น", other)
    drive_fake.add_folder("ใน My Drive")

    found = client.files_list(f"mimeType = {quote_q(FOLDER_MIME)}", corpora="drive", drive_id=drive_id)

    assert sorted(f.name for f in found) == sorted(["เอกสารกองทุน กข.คจ.", "ในไดรฟ์นี้"])
    assert drive_fake.requests[0].query["corpora"] == ["drive"]
    assert drive_fake.requests[0].query["driveId"] == [drive_id]


# -- files.create ---------------------------------------------------------------------
def test_create_a_folder_sends_metadata_only(client: DriveClient, drive_fake: DriveFake, shared_folder: str) -> None:
    made = client.files_create({"name": "เมืองตราด", "mimeType": FOLDER_MIME, "parents": [shared_folder]})

    assert made.is_folder and made.name == "เมืองตราด" and made.parents == (shared_folder,)
    assert drive_fake.file(made.id).is_folder
    request = drive_fake.requests[0]
    assert request.path == "/drive/v3/files" and "uploadType" not in request.query
    assert request.query["supportsAllDrives"] == ["true"]
    assert request.content_type.startswith("application/json")
    assert json.loads(request.body) == {"name": "เมืองตราด", "mimeType": FOLDER_MIME, "parents": [shared_folder]}


def test_upload_is_one_multipart_request_and_keeps_every_byte(client: DriveClient, drive_fake: DriveFake,
                                                              shared_folder: str) -> None:
    stored = client.upload(shared_folder, "230101-05-สมุดบัญชี-2569-01-15.jpg", PHOTO, "image/jpeg")

    assert drive_fake.content(stored.id) == PHOTO
    assert stored.size == len(PHOTO) and stored.mime_type == "image/jpeg"
    assert stored.name == "230101-05-สมุดบัญชี-2569-01-15.jpg" and stored.parents == (shared_folder,)
    assert stored.web_view_link.startswith("https://drive.google.com/file/d/")
    request = drive_fake.requests[-1]
    assert request.path == "/upload/drive/v3/files"  # the discovery document's simple upload path
    assert request.query["uploadType"] == ["multipart"] and request.query["supportsAllDrives"] == ["true"]
    assert request.content_type.startswith("multipart/related; boundary=")
    assert drive_fake.count("files.create") == 1


def test_the_multipart_body_is_metadata_then_media() -> None:
    body, content_type = multipart_body({"name": "ก.pdf"}, b"%PDF-1.7", "application/pdf")

    boundary = content_type.split('boundary="')[1].rstrip('"')
    parts = body.split(b"--" + boundary.encode())
    assert parts[0] == b"" and parts[-1] == b"--\r\n" and len(parts) == 4
    metadata = '{"name": "ก.pdf"}'.encode("utf-8")  # UTF-8, not \\u escapes
    assert parts[1] == b"\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n" + metadata + b"\r\n"
    assert parts[2] == b"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\r\n"


def test_the_same_ref_stores_one_file(client: DriveClient, drive_fake: DriveFake, shared_folder: str) -> None:
    first = client.upload(shared_folder, "a.jpg", PHOTO, "image/jpeg", ref="line-msg-5021")
    again = client.upload(shared_folder, "a.jpg", PHOTO, "image/jpeg", ref="line-msg-5021")
    other = client.upload(shared_folder, "a.jpg", b"x", "image/jpeg", ref="line-msg-5022")

    assert again == first and other.id != first.id and first.ref == "line-msg-5021"
    assert drive_fake.file(first.id).app_properties == {REF_PROPERTY: "line-msg-5021"}
    assert [f.name for f in drive_fake.children(shared_folder)] == ["a.jpg", "a.jpg"]
    assert drive_fake.count("files.create") == 2


def test_a_folder_outside_a_shared_drive_is_refused_as_google_does(client: DriveClient,
                                                                   drive_fake: DriveFake) -> None:
    my_drive_folder = drive_fake.add_folder("shared with the service account")  # in "My Drive"

    with pytest.raises(DriveError) as refused:
        client.upload(my_drive_folder, "a.pdf", b"%PDF", "application/pdf")

    error = refused.value
    assert error.status == 403 and error.reason == "storageQuotaExceeded" and error.no_storage_quota
    assert NO_QUOTA_MESSAGE in str(error) and "Service Accounts do not have storage quota" in str(error)
    assert "ไดรฟ์ที่แชร์ (shared drive)" in str(error) and "drive.folder_id" in str(error)
    assert drive_fake.count("files.create") == 1  # not a fault to retry
    assert drive_fake.children(my_drive_folder) == []
    # A folder takes no storage: that much a service account may make there.
    assert client.ensure_folder(my_drive_folder, "ok").is_folder


# -- the folder path --------------------------------------------------------------------
def test_folder_path_makes_what_is_missing_and_then_only_finds(client: DriveClient, drive_fake: DriveFake,
                                                               shared_folder: str) -> None:
    fund = client.folder_path(shared_folder, ["เมืองตราด", FUND_FOLDER])
    made = drive_fake.count("files.create")
    again = client.folder_path(shared_folder, ["เมืองตราด", FUND_FOLDER])

    district = drive_fake.children(shared_folder)
    assert [f.name for f in district] == ["เมืองตราด"] and [f.name for f in drive_fake.children(district[0].id)] == [
        FUND_FOLDER]
    assert again == fund and fund.parents == (district[0].id,) and made == 2
    assert drive_fake.count("files.create") == 2  # the second walk made nothing


def test_folder_path_uses_a_folder_a_person_made(client: DriveClient, drive_fake: DriveFake,
                                                 shared_folder: str) -> None:
    theirs = drive_fake.add_folder("เมืองตราด", shared_folder)
    drive_fake.add_file("เมืองตราด", shared_folder, "application/pdf", b"%PDF")  # a file of that name is no folder

    fund = client.folder_path(shared_folder, ["เมืองตราด", FUND_FOLDER])

    assert fund.parents == (theirs,)
    assert drive_fake.count("files.create") == 1


def test_two_folders_of_one_name_resolve_to_the_oldest(client: DriveClient, drive_fake: DriveFake,
                                                       shared_folder: str) -> None:
    # Two instances that made the folder at the same moment: both then use the same one.
    trashed = drive_fake.add_folder("เมืองตราด", shared_folder)
    first = drive_fake.add_folder("เมืองตราด", shared_folder)
    drive_fake.add_folder("เมืองตราด", shared_folder)
    drive_fake.trash(trashed)  # the trash does not count

    assert client.ensure_folder(shared_folder, "เมืองตราด").id == first
    assert client.ensure_folder(shared_folder, "เมืองตราด").id == first
    assert drive_fake.count("files.create") == 0
    assert drive_fake.requests[0].query["orderBy"] == ["createdTime"]


def test_a_missing_root_folder_says_so(client: DriveClient) -> None:
    with pytest.raises(DriveError) as missing:
        client.folder_path("1NotTheFolderId", ["เมืองตราด"])

    assert missing.value.not_found


# -- retries -----------------------------------------------------------------------------
def test_429_and_5xx_are_tried_again_with_full_jitter_backoff(client: DriveClient, drive_fake: DriveFake,
                                                              shared_folder: str, backoff_sleeps: list[float]) -> None:
    drive_fake.fail_next(429)
    drive_fake.fail_next(500)

    assert client.files_get(shared_folder).id == shared_folder

    assert drive_fake.statuses() == [429, 500, 200]
    assert backoff_sleeps == [0.01, 0.015]  # base, then doubled but capped (jitter pinned at 1.0)


def test_drives_rate_limit_403_is_tried_again_but_another_403_is_final(client: DriveClient, drive_fake: DriveFake,
                                                                        shared_folder: str) -> None:
    drive_fake.fail_next(403, reason="userRateLimitExceeded")
    assert client.files_get(shared_folder).is_folder
    assert drive_fake.statuses() == [403, 200]

    drive_fake.fail_next(403, reason="insufficientFilePermissions",
                         message="The user does not have sufficient permissions for this file.")
    with pytest.raises(DriveError) as refused:
        client.files_get(shared_folder)
    assert refused.value.status == 403 and refused.value.reason == "insufficientFilePermissions"
    assert "ไม่มีสิทธิ์เข้าถึง" in str(refused.value) and drive_fake.count() == 3


def test_retries_are_bounded(client: DriveClient, drive_fake: DriveFake, backoff_sleeps: list[float]) -> None:
    drive_fake.fail_always(503)

    with pytest.raises(DriveError) as failed:
        client.files_list("trashed = false")

    assert failed.value.status == 503
    assert "หลังลอง 3 ครั้ง" in str(failed.value) and "after 3 tries" in str(failed.value)
    assert drive_fake.count() == 3 and len(backoff_sleeps) == 2


def test_a_timeout_is_tried_again(client: DriveClient, drive_fake: DriveFake, shared_folder: str) -> None:
    drive_fake.delay_next(0.6)  # the client gives up after 0.3 s

    assert client.files_get(shared_folder).is_folder
    assert drive_fake.count("files.get") == 2


def test_no_answer_at_all_is_bounded_and_said_in_thai_and_english(drive_fake: DriveFake, shared_folder: str) -> None:
    impatient = DriveClient(lambda: "test-token", api_url=drive_fake.url, timeout_seconds=0.1,
                            retry=RetryPolicy(max_tries=3, backoff_seconds=0.0), sleep=lambda seconds: None)
    drive_fake.delay_next(0.5, times=3)

    with pytest.raises(DriveError) as failed:
        impatient.files_get(shared_folder)

    assert failed.value.status is None
    assert "Google Drive ไม่ตอบภายใน 0.1 วินาที" in str(failed.value)
    assert "no answer within 0.1 s after 3 tries" in str(failed.value)
    assert drive_fake.count() == 3


def test_the_token_is_asked_for_every_try_and_a_refused_token_is_final(drive_fake: DriveFake, client: DriveClient,
                                                                        shared_folder: str,
                                                                        tokens_asked: list[int]) -> None:
    drive_fake.fail_next(503)
    assert client.files_get(shared_folder).is_folder
    assert len(tokens_asked) == 2

    drive_fake.token = "another-token"
    with pytest.raises(DriveError) as refused:
        client.files_get(shared_folder)
    assert refused.value.status == 401 and "ยืนยันตัวตนไม่ผ่าน" in str(refused.value)
    assert drive_fake.count() == 3


# -- creates whose answer was lost ------------------------------------------------------------
def test_a_refused_create_is_simply_tried_again(client: DriveClient, drive_fake: DriveFake,
                                                shared_folder: str) -> None:
    # 429 is a refusal: nothing was made, so even an upload without a ref goes again.
    drive_fake.fail_next(429, kind="files.create")

    stored = client.upload(shared_folder, "a.pdf", b"%PDF", "application/pdf")

    assert [f.id for f in drive_fake.children(shared_folder)] == [stored.id]
    assert drive_fake.kinds() == ["files.create", "files.create"]


def test_an_upload_without_a_ref_is_not_resent_after_a_lost_answer(client: DriveClient, drive_fake: DriveFake,
                                                                   shared_folder: str) -> None:
    drive_fake.fail_next(503, kind="files.create", after_write=True)

    with pytest.raises(DriveError) as unsure:
        client.upload(shared_folder, "a.pdf", b"%PDF", "application/pdf")

    assert unsure.value.status == 503
    assert "อาจทำไปแล้ว" in str(unsure.value) and "may have been done" in str(unsure.value)
    assert drive_fake.count("files.create") == 1 and len(drive_fake.children(shared_folder)) == 1


def test_an_upload_whose_answer_was_lost_is_found_by_its_ref(client: DriveClient, drive_fake: DriveFake,
                                                             shared_folder: str) -> None:
    drive_fake.lose_answer_next(kind="files.create")  # stored, but the connection closes unanswered

    stored = client.upload(shared_folder, "a.jpg", PHOTO, "image/jpeg", ref="line-msg-1")

    assert [f.id for f in drive_fake.children(shared_folder)] == [stored.id]
    assert stored.ref == "line-msg-1" and stored.size == len(PHOTO)
    # looked up first (a redelivery?), created (answer lost), looked up again: found, not sent twice
    assert drive_fake.kinds() == ["files.list", "files.create", "files.list"]
    assert drive_fake.statuses() == [200, 0, 200]


def test_a_5xx_before_the_work_is_tried_again_after_the_lookup(client: DriveClient, drive_fake: DriveFake,
                                                               shared_folder: str) -> None:
    drive_fake.fail_next(503, kind="files.create")  # refused before anything was stored

    stored = client.upload(shared_folder, "a.jpg", PHOTO, "image/jpeg", ref="line-msg-2")

    assert [f.id for f in drive_fake.children(shared_folder)] == [stored.id]
    assert drive_fake.kinds() == ["files.list", "files.create", "files.list", "files.create"]


def test_a_folder_whose_create_timed_out_is_found_not_made_twice(client: DriveClient, drive_fake: DriveFake,
                                                                 shared_folder: str) -> None:
    drive_fake.delay_next(0.6, kind="files.create")  # made at once, answered after the client gave up

    district = client.ensure_folder(shared_folder, "เมืองตราด")

    assert [f.id for f in drive_fake.children(shared_folder)] == [district.id]
    assert drive_fake.kinds() == ["files.list", "files.create", "files.list"]


def test_the_request_count_includes_every_try(client: DriveClient, drive_fake: DriveFake) -> None:
    drive_fake.fail_next(500)
    client.files_list("trashed = false")

    assert client.requests == 2 == drive_fake.count()


# -- settings and tokens -------------------------------------------------------------------------
def test_the_client_follows_the_drive_settings(drive_fake: DriveFake, shared_folder: str) -> None:
    config = load_config(env={"KKC_DRIVE_API_URL": drive_fake.url}, overrides={"drive.folder_id": shared_folder})
    assert config.drive.api_url == drive_fake.url and config.drive.max_tries == 4
    assert load_config(env={}).drive.folder_id == ""  # the embedded default: local files

    drive = DriveClient.from_config(config, bearer_token(StaticToken("test-token")), sleep=lambda seconds: None)
    drive_fake.fail_next(503, times=3)
    try:
        assert drive.files_get(config.drive.folder_id).id == shared_folder
    finally:
        drive.close()
    assert drive.retry.max_tries == 4 and drive.timeout_seconds == 30.0
    assert drive_fake.count() == 4 and drive_fake.requests[-1].bearer == "test-token"


def test_the_program_opens_its_client_with_a_drive_scoped_token(drive_fake: DriveFake, shared_folder: str) -> None:
    from sheets.credentials import SCOPES
    from tests.fakes.metadata_server import MetadataFake

    assert DRIVE_SCOPE == "https://www.googleapis.com/auth/drive" and DRIVE_SCOPE not in SCOPES
    with MetadataFake() as metadata:
        config = load_config(env={"KKC_DRIVE_API_URL": drive_fake.url})
        drive = DriveClient.open(config, env={"K_SERVICE": "kkc-webhook", "GCE_METADATA_HOST": metadata.host})
        try:
            assert drive.files_get(shared_folder).is_folder
        finally:
            drive.close()
    # On Google Cloud: the runtime's own account, a token asked with the Drive scope (not the Sheets one).
    assert metadata.scopes == [DRIVE_SCOPE]
    assert drive_fake.requests[-1].bearer == metadata.tokens[0]


def test_a_drive_file_reads_int64_strings() -> None:
    found = DriveFile.from_resource({"id": "1a", "name": "x", "mimeType": "image/jpeg", "version": "12",
                                     "size": "2048", "appProperties": {REF_PROPERTY: "r"}})
    assert found.version == 12 and found.size == 2048 and found.ref == "r" and found.parents == ()
