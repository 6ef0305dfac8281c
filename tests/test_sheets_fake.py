"""Small checks that the fake Sheets API behaves like Google's where the store relies on it."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import gspread
import pytest
import requests
from google.oauth2.credentials import Credentials as TokenCredentials

from tests.conftest import SPREADSHEET_ID
from tests.fakes.sheets_api import SheetsFake, load_discovery, parse_cells, parse_fields, split_range

AUTH = {"Authorization": "Bearer test-token"}


def call(fake: SheetsFake, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A raw request to the fake; `path` is after /v4/spreadsheets/<id>."""
    headers = kwargs.pop("headers", AUTH)
    return requests.request(method, f"{fake.url}/v4/spreadsheets/{SPREADSHEET_ID}{path}", headers=headers,
                            timeout=5, **kwargs)


def values_path(range_text: str, suffix: str = "") -> str:
    return "/values/" + quote(range_text, safe="") + suffix


def test_a_request_without_a_bearer_token_is_401_in_google_shape(sheets_fake: SheetsFake) -> None:
    answer = call(sheets_fake, "GET", "", headers={})

    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    assert answer.json()["error"]["code"] == 401


def test_programmed_faults_are_used_up_in_order(sheets_fake: SheetsFake) -> None:
    sheets_fake.fail_next(429, times=2)
    sheets_fake.fail_next(503)

    statuses = [call(sheets_fake, "GET", "", params={"fields": "sheets.properties.title"}) for _ in range(4)]

    assert [a.status_code for a in statuses] == [429, 429, 503, 200]
    assert statuses[0].json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert statuses[3].json() == {"sheets": [{"properties": {"title": "Sheet1"}}]}
    assert sheets_fake.count("spreadsheets.get") == 4


def test_a_fault_can_target_one_kind_of_request(sheets_fake: SheetsFake) -> None:
    sheets_fake.fail_always(500, kind="values.append")

    assert call(sheets_fake, "GET", "").status_code == 200
    appended = call(sheets_fake, "POST", values_path("Sheet1", ":append"),
                    params={"valueInputOption": "RAW"}, json={"values": [["a"]]})
    assert appended.status_code == 500


def test_a_missing_tab_fails_the_whole_batch_get_like_google(sheets_fake: SheetsFake) -> None:
    answer = call(sheets_fake, "GET", "/values:batchGet", params={"ranges": ["'Sheet1'", "'ไม่มี'"]})

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Unable to parse range: 'ไม่มี'"


def test_raw_keeps_text_as_typed_and_user_entered_reads_numbers(sheets_fake: SheetsFake) -> None:
    for option, row in (("RAW", 1), ("USER_ENTERED", 2)):
        answer = call(sheets_fake, "PUT", values_path(f"'Sheet1'!A{row}"), params={"valueInputOption": option},
                      json={"values": [["0012", "1500.50", True, ""]]})
        assert answer.status_code == 200, answer.text

    assert sheets_fake.rows(SPREADSHEET_ID, "Sheet1") == [["0012", "1500.50", True], [12, 1500.5, True]]
    shown = call(sheets_fake, "GET", values_path("'Sheet1'!A1:C2")).json()
    assert shown["values"] == [["0012", "1500.50", "TRUE"], ["12", "1500.5", "TRUE"]]
    raw = call(sheets_fake, "GET", values_path("Sheet1!2:2"), params={"valueRenderOption": "UNFORMATTED_VALUE"})
    assert raw.json()["values"] == [[12, 1500.5, True]]


def test_values_come_back_without_trailing_blanks_and_with_inner_blanks_as_empty_text(sheets_fake: SheetsFake) -> None:
    sheets_fake.set_rows(SPREADSHEET_ID, "Sheet1", [["a", None, "c", None], [], ["x"], [None, None]])

    answer = call(sheets_fake, "GET", values_path("Sheet1"), params={"valueRenderOption": "UNFORMATTED_VALUE"})

    assert answer.json() == {"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS",
                             "values": [["a", "", "c"], [], ["x"]]}


def test_append_goes_below_the_last_filled_row_and_inserts_rows(sheets_fake: SheetsFake) -> None:
    sheets_fake.set_rows(SPREADSHEET_ID, "Sheet1", [["h1", "h2"], ["a", "b"], [], ["c"]])

    answer = call(sheets_fake, "POST", values_path("'Sheet1'", ":append"),
                  params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                  json={"majorDimension": "ROWS", "values": [["d", "e"]]})

    assert answer.json()["updates"]["updatedRange"] == "Sheet1!A5:B5"
    assert sheets_fake.rows(SPREADSHEET_ID, "Sheet1")[-1] == ["d", "e"]
    assert sheets_fake.sheet(SPREADSHEET_ID, "Sheet1").row_count == 1001


def test_unknown_and_unimplemented_batch_update_kinds_are_rejected_and_recorded(sheets_fake: SheetsFake) -> None:
    unknown = call(sheets_fake, "POST", ":batchUpdate", json={"requests": [{"frobnicate": {}}]})
    unimplemented = call(sheets_fake, "POST", ":batchUpdate",
                         json={"requests": [{"mergeCells": {"range": {"sheetId": 0}, "mergeType": "MERGE_ALL"}}]})

    assert unknown.status_code == 400 and unimplemented.status_code == 400
    assert any("'frobnicate' is not in the schema" in v for v in sheets_fake.violations)
    assert any("does not implement 'mergeCells'" in v for v in sheets_fake.violations)
    sheets_fake.violations.clear()  # expected here; the fixture fails any test that leaves some


def test_a_batch_update_is_all_or_nothing(sheets_fake: SheetsFake) -> None:
    answer = call(sheets_fake, "POST", ":batchUpdate", json={"requests": [
        {"addSheet": {"properties": {"title": "ใหม่"}}},
        {"addSheet": {"properties": {"title": "Sheet1"}}}]})

    assert answer.status_code == 400
    assert "already exists" in answer.json()["error"]["message"]
    assert sheets_fake.titles(SPREADSHEET_ID) == ["Sheet1"]


def test_deleted_rows_take_their_formats_and_the_rows_below_move_up(sheets_fake: SheetsFake) -> None:
    sheets_fake.set_rows(SPREADSHEET_ID, "Sheet1", [[f"r{n}"] for n in range(1, 11)])
    sheet = sheets_fake.sheet(SPREADSHEET_ID, "Sheet1")
    sheet.formats.append(((4, 8, 0, 1), {"textFormat": {"bold": True}}))   # rows 5-8
    sheet.formats.append(((1, 3, 0, 1), {"textFormat": {"italic": True}}))  # rows 2-3: deleted with them
    rows_before = sheet.row_count
    answer = call(sheets_fake, "POST", ":batchUpdate", json={"requests": [
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 4}}},
        {"appendCells": {"sheetId": 0, "fields": "userEnteredValue",
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": "new"}}]}]}}]})

    assert answer.status_code == 200
    sheet = sheets_fake.sheet(SPREADSHEET_ID, "Sheet1")
    assert [r[0] for r in sheets_fake.rows(SPREADSHEET_ID, "Sheet1")] == ["r1", "r5", "r6", "r7", "r8", "r9",
                                                                          "r10", "new"]
    assert sheet.row_count == rows_before - 3
    assert sheet.formats == [((1, 5, 0, 1), {"textFormat": {"bold": True}})]


def test_a_sheet_cannot_lose_every_row(sheets_fake: SheetsFake) -> None:
    rows = sheets_fake.sheet(SPREADSHEET_ID, "Sheet1").row_count
    answer = call(sheets_fake, "POST", ":batchUpdate", json={"requests": [
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": rows}}}]})
    assert answer.status_code == 400 and "delete all the rows" in answer.json()["error"]["message"]


def test_cells_outside_the_grid_are_refused_like_google(sheets_fake: SheetsFake) -> None:
    answer = call(sheets_fake, "POST", ":batchUpdate", json={"requests": [{"updateCells": {
        "start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 26},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": "AA"}}]}], "fields": "userEnteredValue"}}]})

    assert answer.status_code == 400
    assert "exceeds grid limits" in answer.json()["error"]["message"]


def test_unknown_query_parameters_are_refused_and_recorded(sheets_fake: SheetsFake) -> None:
    answer = call(sheets_fake, "GET", values_path("Sheet1"), params={"valueRenderOptions": "UNFORMATTED_VALUE"})

    assert answer.status_code == 400
    assert sheets_fake.violations == ["values.get: unknown query parameter 'valueRenderOptions'"]
    sheets_fake.violations.clear()


def test_the_validator_flags_undeclared_properties_and_wrong_types() -> None:
    discovery = load_discovery()

    problems = discovery.check({"spreadsheetId": 7, "valueRanges": [{"range": "A1", "rows": []}], "extra": 1},
                               "BatchGetValuesResponse")

    assert problems == [
        "BatchGetValuesResponse.spreadsheetId: expected a string, got int",
        "BatchGetValuesResponse.valueRanges[0]: property 'rows' is not in the schema",
        "BatchGetValuesResponse: property 'extra' is not in the schema",
    ]
    assert discovery.check({"requests": [{"addSheet": {"properties": {"gridProperties": {"frozenRowCount": "1"}}}}]},
                           "BatchUpdateSpreadsheetRequest", request=True) == [
        "BatchUpdateSpreadsheetRequest.requests[0].addSheet.properties.gridProperties.frozenRowCount: "
        "expected an integer, got str"]
    assert discovery.check({"majorDimension": "DIAGONAL"}, "ValueRange")[0].endswith("is not one of "
                                                                                     "['DIMENSION_UNSPECIFIED', 'ROWS', 'COLUMNS']")


@pytest.mark.parametrize("text, expected", [
    ("'กองทุน'", ("กองทุน", None)),
    ("'กองทุน'!A1:Z", ("กองทุน", "A1:Z")),
    ("'O''Brien'!1:1", ("O'Brien", "1:1")),
    ("Sheet1!B2", ("Sheet1", "B2")),
    ("Sheet1", ("Sheet1", None)),
])
def test_ranges_split_into_tab_and_cells(text: str, expected: tuple[str, Any]) -> None:
    assert split_range(text) == expected


@pytest.mark.parametrize("text, bounds", [
    ("A1", (0, 1, 0, 1)),
    ("A1:Z", (0, None, 0, 26)),
    ("1:1", (0, 1, 0, None)),
    ("A:C", (0, None, 0, 3)),
    ("B2:AA10", (1, 10, 1, 27)),
    ("A0", None),
    ("A", None),
    ("hello", None),
])
def test_a1_cells_parse_to_half_open_bounds(text: str, bounds: Any) -> None:
    assert parse_cells(text) == bounds


def test_field_masks_nest() -> None:
    assert parse_fields("sheets(properties(sheetId,title),protectedRanges),spreadsheetId") == {
        "sheets": {"properties": {"sheetId": None, "title": None}, "protectedRanges": None}, "spreadsheetId": None}
    assert parse_fields("sheets.properties.title") == {"sheets": {"properties": {"title": None}}}


class LocalHTTPClient(gspread.HTTPClient):
    """gspread's own HTTP client with Google's origin swapped for the fake's (gspread.urls hard-codes it)."""

    def __init__(self, auth: Any, session: Any, api_url: str):
        super().__init__(auth, session)
        self.api_url = api_url

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any) -> requests.Response:
        return super().request(method, endpoint.replace("https://sheets.googleapis.com", self.api_url, 1),
                               *args, **kwargs)


def test_gspread_itself_works_against_the_fake(sheets_fake: SheetsFake) -> None:
    """gspread's own Spreadsheet and Worksheet objects (a second, independent client) get valid answers."""
    client = gspread.Client(TokenCredentials(token="test-token"),
                            http_client=lambda auth, session: LocalHTTPClient(auth, session, sheets_fake.url))
    spreadsheet = client.open_by_key(SPREADSHEET_ID)
    worksheet = spreadsheet.add_worksheet("ทดสอบ", rows=10, cols=3)
    worksheet.update([["เลขที่สัญญา", "จำนวนเงิน"], ["0012", 500]], "A1", raw=True)
    worksheet.append_row(["0013", 600], value_input_option="RAW")

    assert spreadsheet.worksheet("ทดสอบ").get_all_values() == [["เลขที่สัญญา", "จำนวนเงิน"], ["0012", "500"],
                                                               ["0013", "600"]]
    assert [w.title for w in spreadsheet.worksheets()] == ["Sheet1", "ทดสอบ"]
    assert sheets_fake.violations == []


def test_replay_mode_answers_a_read_again_with_the_same_bytes_and_a_write_drops_them(sheets_fake: SheetsFake) -> None:
    # The benchmark's mode: the fake's rendering is out of the figure, the answer stays the real one.
    sheets_fake.set_rows(SPREADSHEET_ID, "Sheet1", [["รหัส", "ชื่อ"], ["F-01", "กองทุนหนึ่ง"]])
    params = {"ranges": ["'Sheet1'"], "valueRenderOption": "UNFORMATTED_VALUE"}
    fresh = call(sheets_fake, "GET", "/values:batchGet", params=params)
    sheets_fake.replay_reads()

    first = call(sheets_fake, "GET", "/values:batchGet", params=params)
    sheets_fake.set_rows(SPREADSHEET_ID, "Sheet1", [["รหัส", "ชื่อ"], ["F-99", "ไม่ได้ขอผ่าน API"]])
    replayed = call(sheets_fake, "GET", "/values:batchGet", params=params)

    assert first.content == fresh.content
    assert replayed.content == fresh.content  # prepared bytes, not rendered again
    assert sheets_fake.replayed == 1
    assert sheets_fake.count("values.batchGet") == 3  # replayed requests are still recorded

    written = call(sheets_fake, "POST", values_path("Sheet1", ":append"),
                   params={"valueInputOption": "RAW"}, json={"values": [["F-02", "กองทุนสอง"]]})
    after_write = call(sheets_fake, "GET", "/values:batchGet", params=params)

    assert written.status_code == 200
    assert sheets_fake.replayed == 1  # the read after the write was rendered anew and prepared
    assert after_write.json()["valueRanges"][0]["values"][-2:] == [["F-99", "ไม่ได้ขอผ่าน API"], ["F-02", "กองทุนสอง"]]

    sheets_fake.fail_next(503, kind="values.batchGet")
    assert call(sheets_fake, "GET", "/values:batchGet", params=params).status_code == 503  # faults still apply
    sheets_fake.replay_reads(False)
    assert sheets_fake.replayed == 0
