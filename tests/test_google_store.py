"""What only the Google backend does: request counts, retries, faults, credentials, init-sheet requests.

One store class serves the jobs (`GoogleStore.from_config`) and the webhook
(`GoogleStore.for_webhook`), through the one client (sheets.client); both talk real HTTP
to the Sheets fake (and, for tokens, to the metadata-server fake)."""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable

import google.auth
import orjson
import pytest
import rsa
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import DefaultCredentialsError
from google.oauth2.credentials import Credentials as TokenCredentials

from chat import CHAT_TABS
from core.config import load_config
from core.schema import DATA_TABS, TABS
from sheets.client import SheetsError
from sheets.credentials import MetadataToken, StaticToken, load_credentials, token_source_from_env
from sheets.google import GoogleStore
from sheets.open import open_store
from sheets.readers import read_date
from sheets.store import Layout, StoreError
from tests.chat_support import NOW, load_province
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.metadata_server import MetadataFake
from tests.fakes.sheets_api import SheetsFake
from tests.test_store import schema_templates


def seed_data_tabs(fake: SheetsFake, layout: Layout, skip: tuple[str, ...] = ()) -> None:
    """Every data tab with its headers and one typed row."""
    for key in DATA_TABS:
        if key not in skip:
            headers = layout.headers(key)
            fake.set_rows(SPREADSHEET_ID, layout.title(key), [headers, [f"{key}-{i}" for i in range(len(headers))]])


def only_request(fake: SheetsFake) -> Any:
    assert len(fake.requests) == 1, fake.kinds()
    return fake.requests[0]


def webhook_store(fake: SheetsFake, overrides: dict[str, Any] | None = None, tokens: Any = None) -> GoogleStore:
    """The store as the webhook runtime builds it."""
    config = make_config({"sheets.api_url": fake.url, **(overrides or {})})
    return GoogleStore.for_webhook(SPREADSHEET_ID, config, Layout(config), tokens or StaticToken("test-token"))


# -- request counts -----------------------------------------------------------------
def test_reading_every_data_tab_costs_one_values_request(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                          layout: Layout) -> None:
    seed_data_tabs(sheets_fake, layout)

    tables = google_store.read(DATA_TABS)

    request = only_request(sheets_fake)
    assert request.kind == "values.batchGet"
    assert len(request.query["ranges"]) == len(DATA_TABS)
    assert request.query["valueRenderOption"] == ["UNFORMATTED_VALUE"]
    assert request.query["dateTimeRenderOption"] == ["FORMATTED_STRING"]
    assert all(t.exists and len(t.rows) == 1 for t in tables.values())
    assert tables["loans"].header == layout.headers("loans")


def test_every_answer_comes_compressed_as_google_sends_it(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                          layout: Layout) -> None:
    # Google compresses only for a request that accepts gzip and names "gzip" in its User-Agent:
    # the sheet a big province reads is 41 MB plain and 7 MB compressed.
    seed_data_tabs(sheets_fake, layout)
    typed = sheets_fake.rows(SPREADSHEET_ID, layout.title("loans"))

    tables = google_store.read(DATA_TABS)
    google_store.append("payments", [{"contract_no": "K-1", "paid_date": dt.date(2026, 1, 5), "amount": 100}])

    assert sheets_fake.requests and all(r.gzipped for r in sheets_fake.requests)
    assert [tables["loans"].header, *tables["loans"].rows] == typed


def test_every_answer_comes_without_indentation(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                layout: Layout) -> None:
    # Google's APIs indent an answer unless the request says prettyPrint=false: a big province's
    # read by columns would be 81 MB to decode instead of 43 MB.
    seed_data_tabs(sheets_fake, layout)
    url = f"{sheets_fake.url}/v4/spreadsheets/{SPREADSHEET_ID}/values/{urllib.parse.quote(layout.title('loans'))}"
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer t"})) as answer:
        assert b"\n  " in answer.read()  # the fake, like Google, indents by default

    google_store.read(DATA_TABS)
    google_store.append("payments", [{"contract_no": "K-1", "paid_date": dt.date(2026, 1, 5), "amount": 100}])

    assert sheets_fake.requests[1:] and all(r.query.get("prettyPrint") == ["false"] for r in sheets_fake.requests[1:])


def test_a_missing_tab_costs_one_fields_limited_tab_list_and_a_second_read(
        google_store: GoogleStore, sheets_fake: SheetsFake, layout: Layout) -> None:
    seed_data_tabs(sheets_fake, layout, skip=("alert_log", "committee"))

    tables = google_store.read(DATA_TABS)

    assert sheets_fake.kinds() == ["values.batchGet", "spreadsheets.get", "values.batchGet"]
    assert sheets_fake.requests[0].status == 400  # Google fails the whole batch on a missing tab
    assert sheets_fake.requests[1].query["fields"] == ["sheets.properties.title"]
    assert len(sheets_fake.requests[2].query["ranges"]) == len(DATA_TABS) - 2
    assert not tables["alert_log"].exists and not tables["committee"].exists
    assert tables["funds"].exists and tables["funds"].rows


def test_numbers_come_back_raw_and_date_cells_as_the_text_they_show(
        google_store: GoogleStore, sheets_fake: SheetsFake, layout: Layout) -> None:
    loans = next(t for t in schema_templates(layout) if t.title == "ลูกหนี้")
    google_store.init_template([loans])  # date and amount formats on the columns
    typed = {"contract_no": "0012", "round": 1, "loan_date": dt.date(2025, 1, 15), "amount": 20000.5,
             "due_date": dt.date(2026, 1, 15)}
    header = layout.headers("loans")
    sheets_fake.set_rows(SPREADSHEET_ID, "ลูกหนี้", [header, [typed.get(k, "") for k in TABS["loans"].keys]])

    table = google_store.read(["loans"])["loans"]

    cells = dict(zip(TABS["loans"].keys, table.rows[0]))
    assert (cells["contract_no"], cells["round"], cells["amount"]) == ("0012", 1, 20000.5)
    # init-sheet set the Thai locale: the dates show (and are read back) with the B.E. year, as typed.
    assert (cells["loan_date"], cells["due_date"]) == ("15/01/2568", "15/01/2569")
    assert read_date(cells["loan_date"]) == typed["loan_date"] and read_date(cells["due_date"]) == typed["due_date"]
    assert cells["borrower_name"] is None


def test_append_after_a_read_reuses_the_header_it_read(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                       layout: Layout) -> None:
    seed_data_tabs(sheets_fake, layout)
    google_store.read(DATA_TABS)
    sheets_fake.reset_requests()

    google_store.append("line_links", [{"officer_id": "OF01", "line_user_id": "U" + "0" * 32}])

    request = only_request(sheets_fake)
    assert request.kind == "values.append"
    assert request.query["valueInputOption"] == ["RAW"]
    assert request.query["insertDataOption"] == ["INSERT_ROWS"]


def test_append_without_a_read_reads_the_header_row_once(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                         layout: Layout) -> None:
    seed_data_tabs(sheets_fake, layout)

    google_store.append("alert_log", [{"officer_id": "OF01", "kind": "เกินกำหนด"}])
    google_store.append("alert_log", [{"officer_id": "OF02", "kind": "เกินกำหนด"}])

    assert sheets_fake.kinds() == ["values.get", "values.append", "values.append"]
    assert sheets_fake.requests[0].path.endswith("values/'บันทึกการแจ้งเตือน'!1:1")


def test_append_to_a_missing_tab_creates_it_with_a_frozen_header(google_store: GoogleStore,
                                                                 sheets_fake: SheetsFake, layout: Layout) -> None:
    google_store.append("feedback", [{"officer_id": "OF01", "text": "ดีมาก"}])

    assert sheets_fake.kinds() == ["values.get", "spreadsheets.batchUpdate", "values.append"]
    sheet = sheets_fake.sheet(SPREADSHEET_ID, "ข้อเสนอแนะ")
    assert sheet.frozen_row_count == 1
    assert sheets_fake.rows(SPREADSHEET_ID, "ข้อเสนอแนะ") == [layout.headers("feedback"), [None, "OF01", "ดีมาก"]]


def test_append_writes_raw_text_dates_as_iso_and_numbers_as_numbers(google_store: GoogleStore,
                                                                   sheets_fake: SheetsFake) -> None:
    google_store.append("payments", [{"contract_no": "0012", "paid_date": dt.date(2026, 2, 1), "amount": 1500.5,
                                      "recorded_at": dt.datetime(2026, 2, 1, 10, 30, 5), "receipt_no": "007",
                                      "note": "=IMPORTXML(\"http://x\")"}])

    assert sheets_fake.requests[-1].query["valueInputOption"] == ["RAW"]
    header, row = sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")
    cells = dict(zip(header, row))
    assert cells["เลขที่สัญญา"] == "0012"  # RAW: text stays text
    assert cells["เลขที่ใบรับเงิน"] == "007"
    assert cells["หมายเหตุ"] == "=IMPORTXML(\"http://x\")"  # typed in LINE: text, never a formula
    assert cells["วันที่ชำระ"] == "2026-02-01"
    assert cells["เวลาบันทึก"] == "2026-02-01 10:30:05"
    assert cells["จำนวนเงิน (บาท)"] == 1500.5


def test_rewrite_costs_two_requests_and_creates_a_missing_tab(google_store: GoogleStore,
                                                              sheets_fake: SheetsFake) -> None:
    google_store.rewrite("report", [["อำเภอ", "กองทุน"], ["เมืองตราด", 10]])
    assert sheets_fake.kinds() == ["values.clear", "spreadsheets.batchUpdate", "values.update"]
    sheets_fake.reset_requests()

    google_store.rewrite("report", [["อำเภอ", "กองทุน"], ["คลองใหญ่", 7]])

    assert sheets_fake.kinds() == ["values.clear", "values.update"]
    assert sheets_fake.rows(SPREADSHEET_ID, "รายงานประจำเดือน") == [["อำเภอ", "กองทุน"], ["คลองใหญ่", 7]]


def test_reading_a_large_tab_is_one_quick_request(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                  layout: Layout, monkeypatch: pytest.MonkeyPatch) -> None:
    header = layout.headers("loans")
    rows = [[f"C{i:05d}", "230101-05", "นายสมชาย ใจดี", "", "0812345678", 1, "ค้าขาย", "15/01/2568",
             20000, "15/01/2569", "ปกติ", f"แถว {i}"] for i in range(80_000)]
    sheets_fake.set_rows(SPREADSHEET_ID, "ลูกหนี้", [header, *rows])
    sheets_fake.set_rows(SPREADSHEET_ID, "กองทุน", [layout.headers("funds"), ["230101-05", "เมืองตราด"]])
    decoded: list[int] = []  # the size of each piece orjson decodes: a big answer goes a tab at a time
    real_loads = orjson.loads
    monkeypatch.setattr(orjson, "loads", lambda data: decoded.append(len(data)) or real_loads(data))

    tables = google_store.read(["funds", "loans"])
    table = tables["loans"]

    assert len(table.rows) == 80_000 and table.rows[-1][0] == "C79999" and table.rows[5][3] is None
    assert table.column(0)[:2] == ["C00000", "C00001"] and tables["funds"].rows == [["230101-05", "เมืองตราด"]]
    assert len(decoded) == 3 and decoded[2] > 4 * 2 ** 20 > decoded[1]  # the opening, funds, loans
    assert only_request(sheets_fake).seconds < 1.0


# -- retries and errors --------------------------------------------------------------
def test_a_429_once_is_retried_after_a_backoff(google_store: GoogleStore, sheets_fake: SheetsFake,
                                               backoff_sleeps: list[float]) -> None:
    sheets_fake.fail_next(429)

    tables = google_store.read(["loans"])

    assert not tables["loans"].exists
    assert [r.status for r in sheets_fake.requests][:2] == [429, 400]
    assert sheets_fake.count("values.batchGet") == 2
    assert len(backoff_sleeps) == 1


def test_a_429_once_then_success_costs_two_requests(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                    layout: Layout) -> None:
    seed_data_tabs(sheets_fake, layout)
    sheets_fake.fail_next(429)

    google_store.read(DATA_TABS)

    assert [r.status for r in sheets_fake.requests] == [429, 200]


def test_a_server_error_for_ever_stops_after_max_tries(google_store_factory: Callable[..., GoogleStore],
                                                       sheets_fake: SheetsFake, backoff_sleeps: list[float]) -> None:
    store = google_store_factory({"sheets.max_tries": 5, "sheets.backoff_seconds": 1.0,
                                  "sheets.backoff_max_seconds": 3.0})
    sheets_fake.fail_always(500)

    with pytest.raises(StoreError) as caught:
        store.read(DATA_TABS)

    assert sheets_fake.count() == 5
    assert "500" in str(caught.value) and "หลังลอง 5 ครั้ง" in str(caught.value)
    assert len(backoff_sleeps) == 4
    ceilings = [1.0, 2.0, 3.0, 3.0]  # doubling, capped
    assert all(0 <= s <= c for s, c in zip(backoff_sleeps, ceilings))


def test_a_quota_error_for_ever_says_quota(google_store: GoogleStore, sheets_fake: SheetsFake) -> None:
    sheets_fake.fail_always(429)

    with pytest.raises(StoreError, match=r"429 \(เกินโควตา\) หลังลอง 4 ครั้ง"):
        google_store.append("feedback", [{"text": "x"}])
    assert sheets_fake.count() == 4


def test_a_slow_answer_times_out_is_retried_then_fails(google_store_factory: Callable[..., GoogleStore],
                                                       sheets_fake: SheetsFake) -> None:
    store = google_store_factory({"sheets.timeout_seconds": 0.3, "sheets.max_tries": 2})
    sheets_fake.delay_next(1.0, times=2)
    started = time.monotonic()

    with pytest.raises(StoreError) as caught:
        store.read(["loans"])

    assert sheets_fake.count() == 2
    assert "0.3" in str(caught.value) and "2 ครั้ง" in str(caught.value)
    assert time.monotonic() - started < 1.5


def test_a_bad_request_is_not_retried(google_store: GoogleStore, sheets_fake: SheetsFake) -> None:
    sheets_fake.fail_next(400, times=3)

    with pytest.raises(StoreError, match="400"):
        google_store.read(["loans"])
    assert sheets_fake.count() == 1


def test_a_full_spreadsheet_says_what_to_move_out(google_store: GoogleStore, sheets_fake: SheetsFake) -> None:
    # Google's answer to a write past the 10 million cells a spreadsheet holds.
    sheets_fake.fail_next(400, kind="values.append", message="This action would increase the number of cells "
                                                            "in the workbook above the limit of 10000000 cells.")
    with pytest.raises(StoreError) as err:
        google_store.append("alert_log", [{"officer_id": "TRT-01", "status": "sent"}])
    assert "สเปรดชีตเต็ม" in str(err.value) and "บันทึกการแจ้งเตือน" in str(err.value)


def test_no_permission_says_to_share_the_sheet(google_store: GoogleStore, sheets_fake: SheetsFake) -> None:
    sheets_fake.fail_next(403)

    with pytest.raises(StoreError, match="403") as caught:
        google_store.read(["loans"])
    assert "แชร์สเปรดชีต" in str(caught.value)
    assert sheets_fake.count() == 1


def test_a_request_without_a_token_is_a_clear_credentials_error(
        google_store_factory: Callable[..., GoogleStore], sheets_fake: SheetsFake) -> None:
    store = google_store_factory(credentials=AnonymousCredentials())

    with pytest.raises(StoreError) as caught:
        store.read(["loans"])

    assert "GOOGLE_APPLICATION_CREDENTIALS" in str(caught.value)
    assert [r.status for r in sheets_fake.requests] == [401]


def test_an_unknown_spreadsheet_is_a_404_with_a_hint(google_store_factory: Callable[..., GoogleStore],
                                                    sheets_fake: SheetsFake) -> None:
    store = google_store_factory()
    store.sheet_id = "no-such-sheet"

    with pytest.raises(StoreError, match="404") as caught:
        store.read(["loans"])
    assert "gsheet:" in str(caught.value)


def test_an_error_names_what_was_being_done(google_store: GoogleStore, sheets_fake: SheetsFake) -> None:
    sheets_fake.fail_always(500, kind="values.append")

    with pytest.raises(SheetsError) as caught:
        google_store.append("feedback", [{"officer_id": "OF01", "text": "ทดสอบ"}])

    error = caught.value
    assert (error.status, error.tries, error.operation.kind) == (500, 4, "values.append")
    assert "ขณะเพิ่มแถวใน 'ข้อเสนอแนะ'" in str(error)             # Thai: what failed
    assert "while appending rows to 'ข้อเสนอแนะ'" in str(error)   # English: the same
    assert "Internal error encountered." in str(error)             # Google's own words


# -- faults: timeouts and lost answers ---------------------------------------------------------
def test_a_timeout_once_is_retried_and_the_read_succeeds(google_store_factory: Callable[..., GoogleStore],
                                                         sheets_fake: SheetsFake, layout: Layout,
                                                         backoff_sleeps: list[float]) -> None:
    store = google_store_factory({"sheets.timeout_seconds": 0.3})
    seed_data_tabs(sheets_fake, layout)
    sheets_fake.delay_next(1.0)

    tables = store.read(DATA_TABS)

    assert tables["loans"].rows == [[f"loans-{i}" for i in range(len(layout.headers("loans")))]]
    assert sheets_fake.count("values.batchGet") == 2 and len(backoff_sleeps) == 1


def test_a_lost_read_answer_is_asked_again(google_store: GoogleStore, sheets_fake: SheetsFake,
                                           layout: Layout) -> None:
    seed_data_tabs(sheets_fake, layout)
    sheets_fake.lose_answer_next()

    tables = google_store.read(["loans"])

    assert [r.answer_lost for r in sheets_fake.requests] == [True, False]
    assert tables["loans"].rows == [[f"loans-{i}" for i in range(len(layout.headers("loans")))]]


def test_a_lost_append_answer_is_resent_and_the_repeated_row_counts_once(
        google_store: GoogleStore, sheets_fake: SheetsFake, layout: Layout) -> None:
    from sheets.model import load_dataset
    from tests.sheetdata import TODAY

    load_province(sheets_fake)
    google_store.read(CHAT_TABS)  # the header is known: the append is the only write
    sheets_fake.lose_answer_next(kind="values.append")
    payment = {"contract_no": "F1-001", "paid_date": dt.date(2026, 11, 20), "amount": 100,
               "recorded_by": "OF-01", "source": "LINE", "ref": "LINE-LOST"}

    google_store.append("payments", [payment])

    appends = [r for r in sheets_fake.requests if r.kind == "values.append"]
    assert [r.answer_lost for r in appends] == [True, False]  # made, answer lost, sent again
    written = [r for r in sheets_fake.rows(SPREADSHEET_ID, "รับชำระ") if "LINE-LOST" in r]
    assert len(written) == 2 and written[0] == written[1]
    dataset = load_dataset(google_store.read(DATA_TABS), layout, TODAY)
    assert [p.amount for p in dataset.payments["F1-001"] if p.ref == "LINE-LOST"] == [100]


def test_a_lost_batch_update_answer_is_not_resent_and_says_it_may_have_happened(
        google_store: GoogleStore, sheets_fake: SheetsFake) -> None:
    sheets_fake.lose_answer_next(kind="spreadsheets.batchUpdate")

    with pytest.raises(SheetsError) as caught:
        google_store.append("feedback", [{"officer_id": "OF01", "text": "ดีมาก"}])

    assert sheets_fake.count("spreadsheets.batchUpdate") == 1  # an addSheet is never sent twice
    assert "ข้อเสนอแนะ" in sheets_fake.titles(SPREADSHEET_ID)   # it did happen
    assert caught.value.status is None and "อาจทำไปแล้ว" in str(caught.value)
    assert "addSheet" in str(caught.value)


def test_a_refused_token_is_renewed_once_from_the_metadata_server(sheets_fake: SheetsFake) -> None:
    with MetadataFake() as metadata:
        store = webhook_store(sheets_fake, tokens=MetadataToken(metadata.host))
        assert not store.read(["loans"])["loans"].exists
        sheets_fake.reset_requests()
        sheets_fake.fail_next(401)

        store.read(["feedback"])

    assert [(r.status, r.bearer) for r in sheets_fake.requests] == [
        (401, "metadata-token-1"), (400, "metadata-token-2"), (200, "metadata-token-2")]  # 400: no such tab
    assert metadata.scopes == ["https://www.googleapis.com/auth/spreadsheets"] * 2


def test_no_permission_names_the_function_s_own_account(sheets_fake: SheetsFake) -> None:
    with MetadataFake(email="kkc-fn@kkc-trat.iam.gserviceaccount.com") as metadata:
        store = webhook_store(sheets_fake, tokens=MetadataToken(metadata.host))
        sheets_fake.fail_next(403)

        with pytest.raises(StoreError, match="แชร์สเปรดชีตให้ kkc-fn@kkc-trat.iam.gserviceaccount.com"):
            store.read(["loans"])


def test_on_google_cloud_the_token_comes_from_the_metadata_server() -> None:
    assert isinstance(token_source_from_env({"K_SERVICE": "kkc", "GCE_METADATA_HOST": "127.0.0.1:1"}),
                      MetadataToken)
    assert not isinstance(token_source_from_env({"K_SERVICE": "kkc", "GOOGLE_APPLICATION_CREDENTIALS": "k.json"}),
                          MetadataToken)  # a key file, when given, wins


# -- the webhook's store: the same class, less patience ---------------------------------------
def test_the_webhook_store_reads_what_the_jobs_store_reads_and_appends_the_same(
        sheets_fake: SheetsFake, google_store: GoogleStore) -> None:
    load_province(sheets_fake)
    webhook = webhook_store(sheets_fake)

    assert type(webhook) is type(google_store)
    assert webhook.read(CHAT_TABS) == google_store.read(CHAT_TABS)
    assert sheets_fake.count() == 2  # one batchGet each
    record = {"contract_no": "F1-001", "paid_date": dt.date(2026, 11, 20), "amount": 100,
              "recorded_by": "OF-01", "source": "LINE", "ref": "LINE-X"}
    webhook.append("payments", [record])
    google_store.append("payments", [dict(record, ref="LINE-Y")])
    rows = sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")
    assert rows[-2][:7] == rows[-1][:7] and rows[-2][7] == "LINE-X"


def test_the_webhook_store_adds_a_missing_tab_and_survives_a_503(sheets_fake: SheetsFake) -> None:
    webhook = webhook_store(sheets_fake)

    tables = webhook.read(["feedback", "officers"])           # neither tab exists yet
    assert not tables["feedback"].exists and not tables["officers"].exists
    webhook.append("feedback", [{"received_at": NOW, "officer_id": "OF-01", "text": "ทดสอบ"}])
    assert sheets_fake.rows(SPREADSHEET_ID, "ข้อเสนอแนะ")[1][1:] == ["OF-01", "ทดสอบ"]
    sheets_fake.fail_next(503)
    assert webhook.read(["feedback"])["feedback"].rows[0][2] == "ทดสอบ"   # retried once


def test_the_webhook_store_waits_no_longer_than_line_allows(sheets_fake: SheetsFake) -> None:
    webhook = webhook_store(sheets_fake, {"sheets.timeout_seconds": 30.0, "sheets.max_tries": 5,
                                          "sheets.backoff_seconds": 1.0, "sheets.backoff_max_seconds": 32.0})
    sheets_fake.fail_always(500)
    started = time.monotonic()

    with pytest.raises(SheetsError, match="หลังลอง 2 ครั้ง"):
        webhook.read(CHAT_TABS)

    assert sheets_fake.count() == 2
    assert time.monotonic() - started < 0.5  # one wait of at most 0.2 s
    assert webhook.client.timeout_seconds == 5.0


# -- credentials -------------------------------------------------------------------------
def test_a_broken_key_file_is_reported_without_its_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----TOPSECRET"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))

    with pytest.raises(StoreError) as caught:
        load_credentials()

    assert str(key) in str(caught.value) and "GOOGLE_APPLICATION_CREDENTIALS" in str(caught.value)
    assert "TOPSECRET" not in str(caught.value)


def test_a_service_account_key_file_is_loaded_with_the_spreadsheets_scope(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    private_key = rsa.newkeys(512)[1].save_pkcs1().decode()
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"type": "service_account", "project_id": "kkc", "private_key_id": "1",
                               "private_key": private_key, "client_email": "kkc@kkc.iam.gserviceaccount.com",
                               "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))

    credentials = load_credentials()

    assert credentials.service_account_email == "kkc@kkc.iam.gserviceaccount.com"
    assert credentials.scopes == ["https://www.googleapis.com/auth/spreadsheets"]


def test_no_permission_names_the_account_to_share_with(google_store_factory: Callable[..., GoogleStore],
                                                       sheets_fake: SheetsFake) -> None:
    class ServiceAccountToken(TokenCredentials):
        service_account_email = "kkc@kkc.iam.gserviceaccount.com"

    store = google_store_factory(credentials=ServiceAccountToken(token="test-token"))
    sheets_fake.fail_next(403)

    with pytest.raises(StoreError, match="แชร์สเปรดชีตให้ kkc@kkc.iam.gserviceaccount.com"):
        store.read(["loans"])


def test_an_unreachable_token_endpoint_is_retried_then_named(google_store_factory: Callable[..., GoogleStore],
                                                            sheets_fake: SheetsFake,
                                                            backoff_sleeps: list[float]) -> None:
    from google.oauth2 import service_account

    private_key = rsa.newkeys(512)[1].save_pkcs1().decode()
    credentials = service_account.Credentials.from_service_account_info(
        {"type": "service_account", "project_id": "kkc", "private_key_id": "1", "private_key": private_key,
         "client_email": "kkc@kkc.iam.gserviceaccount.com", "client_id": "1",
         "token_uri": "http://127.0.0.1:9/token"}, scopes=["https://www.googleapis.com/auth/spreadsheets"])
    store = google_store_factory(credentials=credentials)

    with pytest.raises(SheetsError, match="ขอสิทธิ์เข้าถึงจาก Google ไม่ได้ หลังลอง 4 ครั้ง"):
        store.read(["loans"])

    assert sheets_fake.count() == 0 and len(backoff_sleeps) == 3  # never sent without a token


def test_user_credentials_send_their_quota_project_as_google_auth_would(
        google_store_factory: Callable[..., GoogleStore], sheets_fake: SheetsFake) -> None:
    store = google_store_factory(credentials=TokenCredentials(token="user-token", quota_project_id="kkc-trat"))

    store.read(["loans"])

    assert {(r.bearer, r.user_project) for r in sheets_fake.requests} == {("user-token", "kkc-trat")}


def test_a_missing_key_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "nowhere.json"))

    with pytest.raises(StoreError, match="ไม่พบไฟล์"):
        load_credentials()


def test_no_credentials_at_all_says_how_to_configure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)

    def no_default(**_: Any) -> Any:
        raise DefaultCredentialsError("Your default credentials were not found.")

    monkeypatch.setattr(google.auth, "default", no_default)
    with pytest.raises(StoreError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        load_credentials()


def test_open_store_reaches_the_api_url_from_the_environment(sheets_fake: SheetsFake, layout: Layout,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sheets.credentials.load_credentials", lambda *scopes: TokenCredentials(token="test-token"))
    config = load_config(env={"KKC_SHEETS_API_URL": sheets_fake.url})

    store = open_store(f"gsheet:{SPREADSHEET_ID}", config)

    assert isinstance(store, GoogleStore)
    assert not store.read(["loans"])["loans"].exists
    assert sheets_fake.count() >= 1


# -- init-sheet ------------------------------------------------------------------------------
def test_init_template_is_two_reads_and_one_valid_batch_update(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                               layout: Layout) -> None:
    templates = schema_templates(layout)

    actions = google_store.init_template(templates)

    assert sheets_fake.kinds() == ["spreadsheets.get", "spreadsheets.batchUpdate"]  # no template tab existed yet
    assert sheets_fake.violations == []  # every request kind and field is in the discovery document
    assert "ป้องกันแท็บ บันทึกการแจ้งเตือน (เตือนก่อนแก้)" in actions
    assert sheets_fake.titles(SPREADSHEET_ID)[0] == "Sheet1"  # nothing is ever deleted

    loans = sheets_fake.sheet(SPREADSHEET_ID, "ลูกหนี้")
    header = layout.headers("loans")
    assert loans.frozen_row_count == 1
    rule = loans.validation_at(1, header.index("สถานะ"))
    assert rule == {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in
                                                                   ("ปกติ", "ผิดสัญญา", "ปิดสัญญา")]},
                    "strict": False, "showCustomUi": True}
    assert loans.format_at(500, header.index("วันที่รับเงินยืม"))["numberFormat"] == \
        {"type": "DATE", "pattern": "dd/mm/yyyy"}
    assert loans.format_at(1, header.index("จำนวนเงินยืม (บาท)"))["numberFormat"]["pattern"] == "#,##0.00"
    assert loans.format_at(0, 0)["textFormat"] == {"bold": True}
    assert loans.protected_ranges == []  # people's tabs stay open
    alert_log = sheets_fake.sheet(SPREADSHEET_ID, "บันทึกการแจ้งเตือน")
    assert [p["warningOnly"] for p in alert_log.protected_ranges] == [True]

    sheets_fake.reset_requests()
    assert google_store.init_template(templates) == []
    assert sheets_fake.kinds() == ["spreadsheets.get", "spreadsheets.get"]


def test_init_template_widens_a_full_grid_before_adding_headers(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                                layout: Layout) -> None:
    person_columns = [f"คอลัมน์ {i}" for i in range(26)]
    sheets_fake.set_rows(SPREADSHEET_ID, "กองทุน", [person_columns, ["x"] * 26])
    funds = next(t for t in schema_templates(layout) if t.title == "กองทุน")

    google_store.init_template([funds])

    sheet = sheets_fake.sheet(SPREADSHEET_ID, "กองทุน")
    assert sheet.column_count == 26 + len(funds.headers)
    assert sheets_fake.rows(SPREADSHEET_ID, "กองทุน") == [person_columns + list(funds.headers), ["x"] * 26]


def test_init_template_restores_a_dropdown_a_person_removed(google_store: GoogleStore, sheets_fake: SheetsFake,
                                                            layout: Layout) -> None:
    officers = next(t for t in schema_templates(layout) if t.title == "เจ้าหน้าที่")
    google_store.init_template([officers])
    sheet = sheets_fake.sheet(SPREADSHEET_ID, "เจ้าหน้าที่")
    role = layout.headers("officers").index("บทบาท")
    sheet.validations.append(((1, None, role, role + 1), None))  # someone cleared the บทบาท dropdown

    assert google_store.init_template([officers]) == ["ใส่รายการเลือกคอลัมน์ 'บทบาท' แท็บ เจ้าหน้าที่"]
    assert sheets_fake.sheet(SPREADSHEET_ID, "เจ้าหน้าที่").validation_at(7, role)["condition"]["type"] == "ONE_OF_LIST"

