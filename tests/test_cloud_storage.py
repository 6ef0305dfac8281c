"""The Cloud Storage client against the local fake: every endpoint, preconditions, bounded retries,
and a create-if-absent whose answer was lost."""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Callable, Iterator

import pytest

from sheets.cloud_storage import RetryPolicy, StorageClient, StorageError, StoredObject
from tests.fakes.storage_api import DEFAULT_BUCKET as BUCKET, StorageFake

NAME = "claims/ชำระ F1-001/LINE-01.json"  # a slash, Thai text and a space: all must survive the path


@pytest.fixture
def client(storage_fake: StorageFake, backoff_sleeps: list[float],
           counted_token: Callable[[], str]) -> Iterator[StorageClient]:
    """Three tries, waits of 0.01 doubling up to 0.015 s; the jitter is pinned at its ceiling."""
    storage = StorageClient(counted_token, api_url=storage_fake.url, timeout_seconds=0.3,
                            retry=RetryPolicy(max_tries=3, backoff_seconds=0.01, backoff_max_seconds=0.015),
                            sleep=backoff_sleeps.append, jitter=lambda: 1.0)
    yield storage
    storage.close()


# -- the endpoints --------------------------------------------------------------
def test_insert_then_read_back_metadata_and_content(client: StorageClient, storage_fake: StorageFake) -> None:
    data = json.dumps({"ref": "LINE-01", "by": "สมศรี"}, ensure_ascii=False).encode()

    stored = client.objects_insert(BUCKET, NAME, data, content_type="application/json")

    assert stored.bucket == BUCKET and stored.name == NAME and stored.size == len(data)
    assert stored.generation == storage_fake.object(BUCKET, NAME).generation and stored.metageneration == 1
    assert stored.content_type == "application/json"
    assert stored.md5_hash == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert client.objects_get(BUCKET, NAME) == stored
    assert client.objects_get_media(BUCKET, NAME) == data
    assert client.objects_get_media(BUCKET, NAME, generation=stored.generation) == data
    assert storage_fake.requests[0].query["uploadType"] == ["media"]
    assert storage_fake.requests[0].path == f"/upload/storage/v1/b/{BUCKET}/o"
    assert storage_fake.requests[1].path == f"/storage/v1/b/{BUCKET}/o/{NAME}"  # one segment, decoded
    assert storage_fake.requests[2].query["alt"] == ["media"]
    assert all(r.query["prettyPrint"] == ["false"] for r in storage_fake.requests)  # compact answers


def test_create_if_absent_lets_the_first_writer_win_and_keeps_its_content(client: StorageClient,
                                                                          storage_fake: StorageFake) -> None:
    first = client.objects_insert(BUCKET, NAME, b"first", if_generation_match=0)

    with pytest.raises(StorageError) as refused:
        client.objects_insert(BUCKET, NAME, b"second", if_generation_match=0)

    assert refused.value.precondition_failed and refused.value.reason == "conditionNotMet"
    assert "412" in str(refused.value) and "เงื่อนไขไม่ตรง" in str(refused.value)
    assert client.objects_get_media(BUCKET, NAME) == b"first"
    assert client.objects_get(BUCKET, NAME).generation == first.generation
    assert storage_fake.count("objects.insert") == 2  # a 412 is an answer: not tried again


def test_a_generation_precondition_replaces_only_the_generation_named(client: StorageClient) -> None:
    first = client.objects_insert(BUCKET, NAME, b"v1")
    second = client.objects_insert(BUCKET, NAME, b"v2", if_generation_match=first.generation)

    with pytest.raises(StorageError) as stale:
        client.objects_insert(BUCKET, NAME, b"v3", if_generation_match=first.generation)

    assert second.generation > first.generation
    assert stale.value.precondition_failed
    assert client.objects_get_media(BUCKET, NAME) == b"v2"


def test_delete_with_a_generation_precondition(client: StorageClient, storage_fake: StorageFake) -> None:
    first = client.objects_insert(BUCKET, NAME, b"v1")
    second = client.objects_insert(BUCKET, NAME, b"v2")

    with pytest.raises(StorageError) as stale:
        client.objects_delete(BUCKET, NAME, if_generation_match=first.generation)
    assert stale.value.precondition_failed and storage_fake.names() == [NAME]

    client.objects_delete(BUCKET, NAME, if_generation_match=second.generation)
    assert storage_fake.names() == []
    with pytest.raises(StorageError) as missing:
        client.objects_delete(BUCKET, NAME)
    assert missing.value.not_found


def test_missing_objects_and_buckets_are_not_found(client: StorageClient) -> None:
    with pytest.raises(StorageError) as missing:
        client.objects_get(BUCKET, "claims/none.json")
    with pytest.raises(StorageError) as no_bucket:
        client.objects_get_media("no-such-bucket", "x")

    assert missing.value.not_found and missing.value.reason == "notFound"
    assert "ไม่พบ" in str(missing.value) and "No such object" in str(missing.value)
    assert no_bucket.value.not_found and "bucket does not exist" in str(no_bucket.value)


def test_list_follows_pages_and_keeps_to_the_prefix(client: StorageClient, storage_fake: StorageFake) -> None:
    for name in ("claims/c", "claims/a", "snapshots/x", "claims/b", "claims/d", "claims/e"):
        storage_fake.put(BUCKET, name, name.encode())

    found = client.objects_list(BUCKET, "claims/", page_size=2)

    assert [o.name for o in found] == ["claims/a", "claims/b", "claims/c", "claims/d", "claims/e"]
    assert all(isinstance(o, StoredObject) and o.size == len(o.name) for o in found)
    assert storage_fake.count("objects.list") == 3
    assert "pageToken" not in storage_fake.requests[0].query and "pageToken" in storage_fake.requests[1].query
    assert client.objects_list(BUCKET, "nothing/") == []


def test_the_token_is_asked_for_every_try_and_a_refused_token_is_final(storage_fake: StorageFake,
                                                                        client: StorageClient,
                                                                        tokens_asked: list[int]) -> None:
    storage_fake.put(BUCKET, NAME, b"x")
    storage_fake.fail_next(503)

    assert client.objects_get_media(BUCKET, NAME) == b"x"
    assert len(tokens_asked) == 2

    storage_fake.token = "another-token"
    with pytest.raises(StorageError) as refused:
        client.objects_get(BUCKET, NAME)
    assert refused.value.status == 401 and "ยืนยันตัวตนไม่ผ่าน" in str(refused.value)
    assert storage_fake.count() == 3  # a 401 is not tried again


# -- retries ---------------------------------------------------------------------
def test_429_and_5xx_are_tried_again_with_full_jitter_backoff(client: StorageClient, storage_fake: StorageFake,
                                                              backoff_sleeps: list[float]) -> None:
    storage_fake.put(BUCKET, NAME, b"x")
    storage_fake.fail_next(429)
    storage_fake.fail_next(500)

    assert client.objects_get_media(BUCKET, NAME) == b"x"

    assert storage_fake.statuses() == [429, 500, 200]
    assert backoff_sleeps == [0.01, 0.015]  # base, then doubled but capped (jitter pinned at 1.0)


def test_retries_are_bounded(client: StorageClient, storage_fake: StorageFake, backoff_sleeps: list[float]) -> None:
    storage_fake.fail_always(503)

    with pytest.raises(StorageError) as failed:
        client.objects_list(BUCKET, "claims/")

    assert failed.value.status == 503
    assert "หลังลอง 3 ครั้ง" in str(failed.value) and "after 3 tries" in str(failed.value)
    assert storage_fake.count() == 3 and len(backoff_sleeps) == 2


def test_a_timeout_is_tried_again(client: StorageClient, storage_fake: StorageFake) -> None:
    storage_fake.put(BUCKET, NAME, b"x")
    storage_fake.delay_next(0.6)  # the client gives up after 0.3 s

    assert client.objects_get(BUCKET, NAME).size == 1
    assert storage_fake.count("objects.get") == 2


def test_no_answer_at_all_is_bounded_and_said_in_thai_and_english(storage_fake: StorageFake) -> None:
    impatient = StorageClient(lambda: "test-token", api_url=storage_fake.url, timeout_seconds=0.1,
                              retry=RetryPolicy(max_tries=3, backoff_seconds=0.0), sleep=lambda seconds: None)
    storage_fake.delay_next(0.5, times=3)

    with pytest.raises(StorageError) as failed:
        impatient.objects_get(BUCKET, NAME)

    assert failed.value.status is None
    assert "ติดต่อ Cloud Storage ไม่ได้" in str(failed.value) and "no answer from Cloud Storage after 3 tries" \
        in str(failed.value)
    assert storage_fake.count() == 3


def test_an_unconditional_write_is_not_tried_again(client: StorageClient, storage_fake: StorageFake) -> None:
    # It might overwrite what someone wrote in between: only conditional writes are idempotent.
    storage_fake.fail_next(503, kind="objects.insert")

    with pytest.raises(StorageError) as failed:
        client.objects_insert(BUCKET, NAME, b"x")

    assert failed.value.status == 503 and storage_fake.count() == 1


def test_other_refusals_are_not_tried_again(client: StorageClient, storage_fake: StorageFake) -> None:
    storage_fake.fail_next(403, message="kkc-fn@example.iam.gserviceaccount.com does not have storage.objects.create "
                                        "access to the Google Cloud Storage object.")

    with pytest.raises(StorageError) as refused:
        client.objects_insert(BUCKET, NAME, b"x", if_generation_match=0)

    assert refused.value.status == 403 and "ไม่มีสิทธิ์เข้าถึง" in str(refused.value)
    assert "storage.objects.create" in str(refused.value)
    assert storage_fake.count() == 1


# -- lost answers ------------------------------------------------------------------
def test_a_lost_answer_to_our_own_create_is_resolved_as_won(client: StorageClient, storage_fake: StorageFake) -> None:
    storage_fake.lose_answer_next(kind="objects.insert")  # done, but the connection closes unanswered

    stored = client.objects_insert(BUCKET, NAME, b"ours", if_generation_match=0)

    assert stored.generation == storage_fake.object(BUCKET, NAME).generation
    assert storage_fake.kinds() == ["objects.insert", "objects.insert", "objects.get", "objects.get"]
    assert storage_fake.statuses() == [0, 412, 200, 200]  # 0: no answer; then read back and compared
    assert client.objects_get_media(BUCKET, NAME) == b"ours"


def test_a_5xx_after_the_write_is_resolved_the_same_way(client: StorageClient, storage_fake: StorageFake) -> None:
    storage_fake.fail_next(503, kind="objects.insert", after_write=True)

    stored = client.objects_insert(BUCKET, NAME, b"ours", if_generation_match=0)

    assert stored.generation == storage_fake.object(BUCKET, NAME).generation
    assert storage_fake.statuses()[:2] == [503, 412]


def test_a_timed_out_create_that_was_done_is_resolved_as_won(client: StorageClient,
                                                             storage_fake: StorageFake) -> None:
    storage_fake.delay_next(0.6, kind="objects.insert")  # written at once, answered after the client gave up

    stored = client.objects_insert(BUCKET, NAME, b"ours", if_generation_match=0)

    assert stored.generation == storage_fake.object(BUCKET, NAME).generation
    assert storage_fake.statuses()[1] == 412


def test_a_lost_answer_then_someone_elses_object_stays_lost(client: StorageClient, storage_fake: StorageFake) -> None:
    theirs = storage_fake.put(BUCKET, NAME, b"theirs")
    storage_fake.lose_answer_next(kind="objects.insert")  # our first try was refused, but we never heard

    with pytest.raises(StorageError) as lost:
        client.objects_insert(BUCKET, NAME, b"ours", if_generation_match=0)

    assert lost.value.precondition_failed
    assert storage_fake.object(BUCKET, NAME).generation == theirs.generation
    assert storage_fake.kinds() == ["objects.insert", "objects.insert", "objects.get", "objects.get"]


def test_a_lost_answer_to_a_delete_counts_as_deleted(client: StorageClient, storage_fake: StorageFake) -> None:
    stored = storage_fake.put(BUCKET, NAME, b"x")
    storage_fake.lose_answer_next(kind="objects.delete")

    client.objects_delete(BUCKET, NAME, if_generation_match=stored.generation)

    assert storage_fake.names() == [] and storage_fake.statuses() == [0, 404]


def test_the_request_count_includes_every_try(client: StorageClient, storage_fake: StorageFake) -> None:
    storage_fake.fail_next(500)
    client.objects_list(BUCKET)

    assert client.requests == 2 == storage_fake.count()
