"""A repayment is recorded once across instances: two runtimes with separate memory (two Cloud Functions
instances) on one Sheets fake, sharing the claims (a Cloud Storage fake with claims.bucket set, or one
claims directory), race the same confirm; and every fault after the claim is answered as what happened.
Through the real clients over HTTP. Two real functions-framework servers: tests/test_deployed.py."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from chat.conversation import SETTLE_SECONDS
from sheets.claims import Claims, FileClaims, StorageClaims, claim_name
from sheets.credentials import StaticToken
from sheets.open import open_claims
from tests.chat_support import (TEST_BUDGET_SECONDS, Webhook, load_province, make_runtime, postback_data,
                                postback_event, text_of)
from tests.claims_race import storage_client
from tests.conftest import SPREADSHEET_ID, make_config
from tests.fakes.storage_api import DEFAULT_BUCKET
from tests.sheetdata import USER_OF01

RACES = 20
RECORDED = "บันทึกรับชำระแล้ว"        # the winner's answer
ALREADY = "บันทึกไปแล้ว"              # the loser's
NOT_RECORDED = "ยังไม่ได้บันทึกรับชำระ"
UNKNOWN = "ยังไม่ทราบผลการบันทึก"


class Wall:
    """The epoch clock the claims' deadlines are written in, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def pass_holders_time(self) -> None:
        """Past any holder's settled_by: its budget, then the time a sent append may take to land."""
        self.now += TEST_BUDGET_SECONDS + SETTLE_SECONDS + 1


def payment_refs(sheets_fake: Any) -> list[str]:
    """The รหัสอ้างอิง of every row in รับชำระ (one per row, duplicates kept)."""
    rows = sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")
    index = rows[0].index("รหัสอ้างอิง")
    return [row[index] for row in rows[1:] if len(row) > index and row[index]]


def answer_to(hook: Webhook, event: dict) -> str:
    """Post one event; the text of LINE's reply to it (found by its reply token: other threads reply too)."""
    response = hook.post([event])
    assert response.status_code == 200, response.data
    return text_of([m for reply in list(hook.line.replies) if reply.reply_token == event["replyToken"]
                    for m in reply.messages])


def confirm_data(hook: Webhook, amount: str = "100") -> str:
    """A new ชำระ message (a new ref) and its confirm button's data."""
    return postback_data(hook.say(USER_OF01, f"ชำระ F1-001 {amount}"), "ยืนยันบันทึก")


def ref_of(data: str) -> str:
    from urllib.parse import parse_qs

    return parse_qs(data)["r"][0]


@pytest.fixture(params=["storage", "directory"])
def shared_claims(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Claims]]:
    """Makes the claims of one more instance as the configuration opens them: `claims.bucket` set (one
    Cloud Storage fake), or `claims.directory` (one directory on this machine)."""
    if request.param == "storage":
        fake = request.getfixturevalue("storage_fake")
        config = make_config({"claims.bucket": DEFAULT_BUCKET, "storage.api_url": fake.url,
                              "storage.backoff_seconds": 0.01, "storage.backoff_max_seconds": 0.05})
        opened: list[Claims] = []

        def make() -> Claims:
            opened.append(open_claims(config, tokens=StaticToken("test-token")))
            assert isinstance(opened[-1], StorageClaims)
            return opened[-1]

        yield make
        for claims in opened:
            assert isinstance(claims, StorageClaims)
            claims.client.close()
    else:
        config = make_config({"claims.directory": str(tmp_path / "claims")})
        yield lambda: open_claims(config)


@pytest.fixture
def instances(sheets_fake, line_fake, shared_claims) -> Iterator[tuple[Webhook, Webhook, Wall]]:
    """Two instances of one deployment: their own runtimes and memory, one sheet, one set of claims."""
    load_province(sheets_fake)
    wall = Wall()
    first, second = (Webhook(make_runtime(sheets_fake, line_fake, claims=shared_claims(), wall=wall), line_fake)
                     for _ in range(2))
    yield first, second, wall
    assert line_fake.violations == [], line_fake.violations


def race_threads(*sends: Callable[[], str]) -> list[str]:
    """Each `send` in its own thread, all let go at the same moment; their answers in order."""
    answers = [""] * len(sends)
    start = threading.Barrier(len(sends))

    def run(slot: int) -> None:
        start.wait(timeout=10)
        answers[slot] = sends[slot]()

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def race(first: Webhook, second: Webhook, one: dict, other: dict) -> list[str]:
    """`one` to the first instance and `other` to the second, sent at the same moment; both answers."""
    return race_threads(lambda: answer_to(first, one), lambda: answer_to(second, other))


def one_recorded_one_told(answers: list[str]) -> bool:
    winners = [a for a in answers if RECORDED in a and ALREADY not in a]
    losers = [a for a in answers if ALREADY in a and RECORDED not in a and "ไม่ได้บันทึกซ้ำ" in a]
    return len(winners) == 1 and len(losers) == 1


# ---------------------------------------------------------------- the races

def test_a_double_tap_on_two_instances_records_once_every_time(instances, sheets_fake, line_fake):
    first, second, _ = instances
    for _ in range(RACES):
        data = confirm_data(first)
        answers = race(first, second, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)),
                       postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
        assert payment_refs(sheets_fake).count(ref_of(data)) == 1
        assert one_recorded_one_told(answers), answers
    assert len(payment_refs(sheets_fake)) == RACES


def test_a_tap_and_lines_redelivery_to_another_instance_record_once(instances, sheets_fake, line_fake):
    first, second, _ = instances
    for _ in range(RACES):
        data = confirm_data(first)
        tap = postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01))
        redelivery = dict(tap, deliveryContext={"isRedelivery": True}, replyToken=line_fake.new_reply_token(USER_OF01))
        answers = race(first, second, tap, redelivery)
        assert payment_refs(sheets_fake).count(ref_of(data)) == 1
        assert one_recorded_one_told(answers), answers


def test_the_loser_is_told_who_records_it_and_since_when(instances, line_fake):
    first, second, _ = instances
    data = confirm_data(first)
    assert RECORDED in answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    told = answer_to(second, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert "ผู้บันทึก: คุณสมศรี (OF-01) เมื่อ 10:30 น. 26 พ.ย. 2569" in told
    assert "รับชำระ 100 บาท สัญญา F1-001 วันที่ 26 พ.ย. 2569" in told
    # The instance that wrote it knows for sure; a redelivery to it is dropped without an answer.
    again = answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert "รายการนี้บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ" in again and "กำลังบันทึก" not in again


# ---------------------------------------------------------------- faults after the claim

def test_an_append_refused_is_not_recorded_and_the_next_tap_records_it(instances, sheets_fake, line_fake):
    first, second, _ = instances
    data = confirm_data(first)
    sheets_fake.fail_next(403, kind="values.append")
    refused = answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert NOT_RECORDED in refused and RECORDED not in refused
    assert payment_refs(sheets_fake) == []
    # The claim was given back: the next tap, on either instance, records it.
    again = answer_to(second, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert RECORDED in again
    assert payment_refs(sheets_fake) == [ref_of(data)]


def test_an_append_whose_answer_was_lost_is_written_once_and_found_later(instances, sheets_fake, line_fake):
    first, second, wall = instances
    data = confirm_data(first)
    sheets_fake.lose_answer_next(kind="values.append")   # written, then the connection drops
    unknown = answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert UNKNOWN in unknown and RECORDED not in unknown and "รอประมาณ 1 นาที" in unknown
    assert payment_refs(sheets_fake) == [ref_of(data)]     # never sent twice
    # Tapped again at once: its holder may still be writing, so nothing is written and the officer is told so.
    soon = answer_to(second, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert "บันทึกไปแล้วหรือกำลังบันทึกอยู่" in soon
    # After the holder's time: the sheet is re-read, and it holds the ref.
    wall.pass_holders_time()
    later = answer_to(second, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert "รายการนี้บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ" in later
    assert payment_refs(sheets_fake) == [ref_of(data)]


def test_an_append_that_failed_unclearly_and_wrote_nothing_is_recorded_after_its_time(instances, sheets_fake,
                                                                                       line_fake):
    first, second, wall = instances
    data = confirm_data(first)
    sheets_fake.fail_next(503, times=2, kind="values.append")  # both tries: a 5xx may or may not have written
    unknown = answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert UNKNOWN in unknown
    assert payment_refs(sheets_fake) == []
    wall.pass_holders_time()
    later = answer_to(second, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert RECORDED in later                                   # a second attempt, as `<ref>#2`
    assert payment_refs(sheets_fake) == [ref_of(data)]
    again = answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    assert ALREADY in again and payment_refs(sheets_fake) == [ref_of(data)]


def test_a_payment_refused_on_its_re_check_gives_the_claim_back(instances, shared_claims, sheets_fake, line_fake):
    first, second, _ = instances
    big = confirm_data(first, "9,000")
    other = confirm_data(first, "9,000")                      # a second card for the same money
    assert RECORDED in answer_to(first, postback_event(USER_OF01, big, line_fake.new_reply_token(USER_OF01)))
    refused = answer_to(second, postback_event(USER_OF01, other, line_fake.new_reply_token(USER_OF01)))
    assert "มากกว่ายอดคงค้าง" in refused and "(ยังไม่ได้บันทึก)" in refused
    assert payment_refs(sheets_fake) == [ref_of(big)]
    assert shared_claims().claim(ref_of(other), {"by": "the next tap"}).won  # given back: free again


def test_claims_down_means_nothing_is_written(sheets_fake, line_fake, storage_fake):
    load_province(sheets_fake)
    client = storage_client(storage_fake.url)
    hook = Webhook(make_runtime(sheets_fake, line_fake, claims=StorageClaims(client, DEFAULT_BUCKET)), line_fake)
    data = confirm_data(hook)
    storage_fake.fail_always(503)
    answer = answer_to(hook, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    storage_fake.clear_faults()
    assert NOT_RECORDED in answer and "ระบบกันบันทึกซ้ำ" in answer
    assert payment_refs(sheets_fake) == []
    assert RECORDED in answer_to(hook, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    client.close()


def test_an_unusable_claims_directory_means_nothing_is_written(sheets_fake, line_fake, tmp_path):
    load_province(sheets_fake)
    (tmp_path / "not-a-directory").write_text("x")
    claims = FileClaims(tmp_path / "not-a-directory")
    hook = Webhook(make_runtime(sheets_fake, line_fake, claims=claims), line_fake)
    answer = answer_to(hook, postback_event(USER_OF01, confirm_data(hook), line_fake.new_reply_token(USER_OF01)))
    assert NOT_RECORDED in answer and payment_refs(sheets_fake) == []


# ---------------------------------------------------------------- the configured claims

def test_claims_bucket_set_means_cloud_storage_with_a_devstorage_token(monkeypatch):
    from tests.fakes.metadata_server import MetadataFake
    from tests.fakes.storage_api import StorageFake

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # The bucket takes only the metadata server's first token: any other is refused with 401.
    with MetadataFake() as metadata, StorageFake(token="metadata-token-1") as storage:
        config = make_config({"claims.bucket": DEFAULT_BUCKET, "storage.api_url": storage.url})
        claims = open_claims(config, {"K_SERVICE": "test", "GCE_METADATA_HOST": metadata.host})
        assert isinstance(claims, StorageClaims)
        assert claims.claim("LINE-TEST", {"by": "OF-01"}).won
        assert storage.names() == [f"claims/{claim_name('LINE-TEST')}.json"]
        assert storage.violations == []
    assert metadata.scopes == ["https://www.googleapis.com/auth/devstorage.read_write"]


def test_no_bucket_means_files_under_the_claims_directory(tmp_path):
    claims = open_claims(make_config({"claims.directory": str(tmp_path / "claims")}))
    assert isinstance(claims, FileClaims) and claims.directory == tmp_path / "claims"
    relative = open_claims(make_config())
    assert isinstance(relative, FileClaims) and relative.directory.parts[-2:] == ("data", "claims")


def test_the_claim_records_who_and_until_when(instances, shared_claims, line_fake):
    first, _, wall = instances
    data = confirm_data(first)
    answer_to(first, postback_event(USER_OF01, data, line_fake.new_reply_token(USER_OF01)))
    held = shared_claims().claim(ref_of(data), {"by": "someone else"})
    assert not held.won
    record = held.record
    assert {k: record[k] for k in ("officer_id", "contract_no", "amount", "paid_date", "claimed_at")} == {
        "officer_id": "OF-01", "contract_no": "F1-001", "amount": "100.00", "paid_date": "2026-11-26",
        "claimed_at": "2026-11-26T10:30"}
    assert wall.now + SETTLE_SECONDS < record["settled_by"] <= wall.now + TEST_BUDGET_SECONDS + SETTLE_SECONDS

