"""Checks that the fake Google Drive behaves like Google's where the program relies on it, that
Google's own client library (google-api-python-client) works against it, and that it holds its
callers to the Drive v3 discovery document."""
from __future__ import annotations

import json
import warnings
from typing import Any

import httplib2
import pytest
import requests

from tests.fakes.drive_api import DISCOVERY_PATH, FOLDER, DriveFake, load_discovery, parse_query

AUTH = {"Authorization": "Bearer test-token"}


def call(fake: DriveFake, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A raw request to the fake; `path` is after the host."""
    headers = kwargs.pop("headers", AUTH)
    return requests.request(method, f"{fake.url}{path}", headers=headers, timeout=5, **kwargs)


def expect_violation(fake: DriveFake, words: str) -> None:
    """The fake recorded a violation naming `words`; cleared so the fixture's own check passes."""
    assert any(words in v for v in fake.violations), fake.violations
    fake.violations.clear()


def test_a_request_without_a_bearer_token_is_401_in_drives_shape(drive_fake: DriveFake) -> None:
    answer = call(drive_fake, "GET", "/drive/v3/files/root", headers={})

    error = answer.json()["error"]
    assert answer.status_code == 401 and error["code"] == 401
    assert error["errors"][0]["reason"] == "required" and error["errors"][0]["locationType"] == "header"


def test_the_routes_come_from_the_discovery_document() -> None:
    document = json.loads(DISCOVERY_PATH.read_text(encoding="utf-8"))
    create = document["resources"]["files"]["methods"]["create"]
    routes = {(method, pattern.pattern, kind, protocol) for method, pattern, kind, protocol
              in load_discovery().routes if kind == "files.create"}

    assert create["mediaUpload"]["protocols"]["simple"]["path"] == "/upload/drive/v3/files"
    assert {protocol for *_, protocol in routes} == {"", "simple", "resumable"}
    assert load_discovery().route_upload("POST", "/upload/drive/v3/files") == ("files.create", {}, "simple")
    assert load_discovery().route_upload("GET", "/drive/v3/files/abc") == ("files.get", {"fileId": "abc"}, "")


def test_default_fields_are_googles_four(drive_fake: DriveFake, shared_folder: str) -> None:
    plain = call(drive_fake, "GET", f"/drive/v3/files/{shared_folder}", params={"supportsAllDrives": "true"}).json()
    everything = call(drive_fake, "GET", f"/drive/v3/files/{shared_folder}",
                      params={"supportsAllDrives": "true", "fields": "*"}).json()

    assert set(plain) == {"kind", "id", "name", "mimeType"} and plain["mimeType"] == FOLDER
    assert load_discovery().check(everything, "File") == []
    assert everything["driveId"] in drive_fake.shared_drives and int(everything["version"]) > 0


def test_versions_only_rise_and_modified_time_follows(drive_fake: DriveFake, shared_folder: str) -> None:
    sheet = drive_fake.add_file("smart-data", shared_folder, "application/vnd.google-apps.spreadsheet")
    other = drive_fake.add_file("other", shared_folder, "text/plain", b"x")
    before = drive_fake.file(sheet).version, drive_fake.file(sheet).modified

    bumped = drive_fake.bump_version(sheet)

    assert bumped > before[0] and bumped > drive_fake.file(other).version
    assert drive_fake.file(sheet).modified > before[1]
    got = call(drive_fake, "GET", f"/drive/v3/files/{sheet}",
               params={"supportsAllDrives": "true", "fields": "version,modifiedTime"}).json()
    assert got == {"version": str(bumped), "modifiedTime": got["modifiedTime"]}


def test_shared_drive_files_need_supports_all_drives(drive_fake: DriveFake, shared_folder: str) -> None:
    drive_fake.add_folder("in My Drive")

    hidden = call(drive_fake, "GET", f"/drive/v3/files/{shared_folder}")
    listed = call(drive_fake, "GET", "/drive/v3/files", params={"q": f"mimeType = '{FOLDER}'"}).json()
    half = call(drive_fake, "GET", "/drive/v3/files", params={"includeItemsFromAllDrives": "true"})
    both = call(drive_fake, "GET", "/drive/v3/files", params={"q": f"mimeType = '{FOLDER}'",
                                                             "supportsAllDrives": "true",
                                                             "includeItemsFromAllDrives": "true"}).json()

    assert hidden.status_code == 404 and hidden.json()["error"]["message"] == f"File not found: {shared_folder}."
    assert [f["name"] for f in listed["files"]] == ["in My Drive"]
    assert half.status_code == 403
    assert sorted(f["name"] for f in both["files"]) == sorted(["in My Drive", "เอกสารกองทุน กข.คจ."])


@pytest.mark.parametrize("params, status", [
    ({"corpora": "drive"}, 400),                                    # no driveId
    ({"driveId": "0A000001Uk9PVA"}, 400),                           # driveId without corpora=drive
    ({"corpora": "drive", "driveId": "DRIVE", "supportsAllDrives": "true"}, 403),  # includeItems… missing
    ({"corpora": "drive", "driveId": "DRIVE", "supportsAllDrives": "true", "includeItemsFromAllDrives": "true"}, 200),
])
def test_corpora_follow_googles_rules(drive_fake: DriveFake, params: dict[str, str], status: int) -> None:
    drive_id = next(iter(drive_fake.shared_drives))
    params = {k: drive_id if v == "DRIVE" else v for k, v in params.items()}

    assert call(drive_fake, "GET", "/drive/v3/files", params=params).status_code == status


def test_a_folder_may_be_made_in_my_drive_but_a_file_is_403(drive_fake: DriveFake) -> None:
    folder = call(drive_fake, "POST", "/drive/v3/files", json={"name": "x", "mimeType": FOLDER})
    upload = call(drive_fake, "POST", "/upload/drive/v3/files", params={"uploadType": "media"}, data=b"%PDF",
                  headers={**AUTH, "Content-Type": "application/pdf"})

    assert folder.status_code == 200
    error = upload.json()["error"]
    assert upload.status_code == 403 and error["errors"][0]["reason"] == "storageQuotaExceeded"
    assert error["errors"][0]["domain"] == "usageLimits"
    assert error["message"].startswith("Service Accounts do not have storage quota.")


@pytest.mark.parametrize("params, words", [
    ({"supportsTeamDrives": "true"}, "'supportsTeamDrives' is deprecated"),
    ({"pageSize": "0"}, "pageSize=0 is outside 1-1000"),
    ({"pageSize": "ten"}, "not an integer"),
    ({"colour": "blue"}, "unknown query parameter 'colour'"),
    ({"supportsAllDrives": "yes"}, "is not true/false"),
    ({"fields": "files(id,title)"}, "invalid field selection 'files.title'"),
    ({"orderBy": "quotaBytesUsed"}, "orderBy='quotaBytesUsed' is not implemented"),
])
def test_list_parameters_are_held_to_the_document(drive_fake: DriveFake, params: dict[str, str], words: str) -> None:
    answer = call(drive_fake, "GET", "/drive/v3/files", params=params)

    assert answer.status_code in (400, 501)
    expect_violation(drive_fake, words)


@pytest.mark.parametrize("q", [
    "name = 'a' or name = 'b'",
    "modifiedTime > '2026-01-01T00:00:00'",
    "name = 'unclosed",
    "'x' in owners",
])
def test_a_query_the_fake_cannot_read_is_400_invalid_value(drive_fake: DriveFake, q: str) -> None:
    answer = call(drive_fake, "GET", "/drive/v3/files", params={"q": q})

    assert answer.status_code == 400 and answer.json()["error"]["errors"][0]["location"] == "q"
    expect_violation(drive_fake, "files.list: q=")


def test_the_query_language_the_program_uses(drive_fake: DriveFake, shared_folder: str) -> None:
    stored = drive_fake.file(shared_folder)

    assert all(p(stored) for p in parse_query("name = 'เอกสารกองทุน กข.คจ.' and trashed = false"))
    assert all(p(stored) for p in parse_query(f"mimeType = '{FOLDER}' and name contains 'กข.คจ'"))
    assert not all(p(stored) for p in parse_query(f"mimeType != '{FOLDER}'"))
    stored.app_properties["kkcRef"] = "it's"
    assert all(p(stored) for p in parse_query("appProperties has { key='kkcRef' and value='it\\'s' }"))


def test_output_only_fields_in_a_create_are_not_writable(drive_fake: DriveFake, shared_folder: str) -> None:
    answer = call(drive_fake, "POST", "/drive/v3/files", params={"supportsAllDrives": "true"},
                  json={"name": "x", "mimeType": FOLDER, "parents": [shared_folder], "version": "9"})

    assert answer.status_code == 403 and answer.json()["error"]["errors"][0]["reason"] == "fieldNotWritable"
    expect_violation(drive_fake, "output-only fields ['version']")


def test_a_create_body_off_the_schema_is_a_violation(drive_fake: DriveFake, shared_folder: str) -> None:
    answer = call(drive_fake, "POST", "/drive/v3/files", params={"supportsAllDrives": "true"},
                  json={"name": "x", "parents": shared_folder, "colour": "red"})

    assert answer.status_code == 400
    expect_violation(drive_fake, "property 'colour' is not in the schema")


def test_a_multipart_upload_needs_its_two_parts(drive_fake: DriveFake, shared_folder: str) -> None:
    body = (b"--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\ny\r\n--b--\r\n")
    answer = call(drive_fake, "POST", "/upload/drive/v3/files",
                  params={"uploadType": "multipart", "supportsAllDrives": "true"}, data=body,
                  headers={**AUTH, "Content-Type": 'multipart/related; boundary="b"'})

    assert answer.status_code == 400
    expect_violation(drive_fake, "a multipart upload of 3 parts")


def test_the_resumable_upload_is_not_in_the_fake(drive_fake: DriveFake) -> None:
    answer = call(drive_fake, "POST", "/resumable/upload/drive/v3/files", params={"uploadType": "resumable"})

    assert answer.status_code == 501
    expect_violation(drive_fake, "resumable upload is not implemented")


def test_googles_own_client_library_works_against_the_fake(drive_fake: DriveFake, shared_folder: str) -> None:
    # The fake reads the multipart body google-api-python-client writes (bare LF line breaks) as
    # well as ours (CR LF): it is held to Google's wire format, not only to our client.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # google.api_core's note about Python versions
        from googleapiclient.discovery import build_from_document
        from googleapiclient.http import MediaInMemoryUpload

    class Authorised(httplib2.Http):
        def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None,
                    **kwargs: Any) -> Any:
            return super().request(uri, method, body, {**(headers or {}), **AUTH}, **kwargs)

    document = json.loads(DISCOVERY_PATH.read_text(encoding="utf-8"))
    document["rootUrl"] = drive_fake.url + "/"
    service = build_from_document(document, http=Authorised())
    content = b"\x00\r\n--not-the-boundary\n" * 20
    media = MediaInMemoryUpload(content, mimetype="image/jpeg", resumable=False)

    made = service.files().create(body={"name": "ก.jpg", "parents": [shared_folder]}, media_body=media,
                                  supportsAllDrives=True, fields="id,name,size,version").execute()
    listed = service.files().list(q=f"'{shared_folder}' in parents", supportsAllDrives=True,
                                  includeItemsFromAllDrives=True).execute()

    assert made["name"] == "ก.jpg" and made["size"] == str(len(content)) and drive_fake.content(made["id"]) == content
    assert [f["id"] for f in listed["files"]] == [made["id"]]
    assert drive_fake.requests[0].query["uploadType"] == ["multipart"]
