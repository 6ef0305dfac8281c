"""Atomic claims on both backends: the first writer wins, a loser learns the winner's record, a
release gives back only one's own claim, and two processes racing on one key find exactly one winner."""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from sheets.claims import ClaimError, Claims, FileClaims, StorageClaims, claim_name
from tests.claims_race import race, storage_client
from tests.fakes.storage_api import DEFAULT_BUCKET as BUCKET, StorageFake

KEY = "LINE-01HV7Q2X9ZP4"
RECORD = {"by": "สมศรี ใจดี", "at": "2025-03-04 10:15", "amount": 500}
RACE_KEYS = 20


@pytest.fixture
def storage_claims(storage_fake: StorageFake) -> Iterator[StorageClaims]:
    client = storage_client(storage_fake.url)
    yield StorageClaims(client, BUCKET)
    client.close()


@pytest.fixture
def file_claims(tmp_path: Path) -> FileClaims:
    return FileClaims(tmp_path / "claims")


@pytest.fixture(params=["file", "storage"])
def claims(request: pytest.FixtureRequest) -> Claims:
    """The same test on both implementations."""
    implementation: Claims = request.getfixturevalue(f"{request.param}_claims")
    return implementation


@pytest.fixture
def other(claims: Claims, request: pytest.FixtureRequest) -> Claims:
    """A second instance on the same store (another Cloud Functions instance, another process)."""
    if isinstance(claims, FileClaims):
        return FileClaims(claims.directory)
    client = storage_client(request.getfixturevalue("storage_fake").url)
    request.addfinalizer(client.close)
    return StorageClaims(client, BUCKET)


# -- one instance, then two ------------------------------------------------------
def test_the_first_claim_wins_and_a_later_one_learns_the_winners_record(claims: Claims, other: Claims) -> None:
    won = claims.claim(KEY, RECORD)
    lost = other.claim(KEY, {"by": "สมชาย", "at": "2025-03-04 10:15", "amount": 500})
    again = claims.claim(KEY, {"by": "สมศรี ใจดี", "at": "2025-03-04 10:16"})

    assert won.won and won.record == RECORD
    assert not lost.won and lost.record == RECORD
    assert not again.won and again.record == RECORD  # a claim is taken once, even by its own instance


def test_keys_are_claimed_apart_even_when_they_differ_only_in_case(claims: Claims) -> None:
    assert claims.claim("ref-A1", {"n": 1}).won
    assert claims.claim("ref-a1", {"n": 2}).won
    assert claims.claim("ชำระ/F1-001", {"n": 3}).won
    assert claims.claim("ref-A1", {"n": 4}).record == {"n": 1}
    assert claims.claim("ref-a1", {"n": 5}).record == {"n": 2}


def test_release_gives_back_a_claim_its_instance_won(claims: Claims, other: Claims) -> None:
    claims.claim(KEY, RECORD)

    assert not other.release(KEY)  # not its claim
    assert not other.claim(KEY, {"by": "สมชาย"}).won
    assert claims.release(KEY)
    assert not claims.release(KEY)  # released already
    retried = other.claim(KEY, {"by": "สมชาย"})
    assert retried.won and retried.record == {"by": "สมชาย"}
    assert not claims.release(KEY)  # now someone else's


def test_a_record_must_be_json(claims: Claims) -> None:
    with pytest.raises(ClaimError, match="JSON"):
        claims.claim(KEY, {"at": object()})


def test_claim_names_are_safe_distinct_and_stable() -> None:
    names = [claim_name(key) for key in ("LINE-01HV7Q2X9ZP4", "line-01hv7q2x9zp4", "ชำระ/F1-001", "../../etc",
                                         "ก" * 300, "a b:c*d?")]

    assert len(set(names)) == len(names)
    assert all(len(n) <= 73 and all(c.isascii() and (c.isalnum() or c in "._-") for c in n) for n in names)
    assert not any(n.startswith(".") for n in names)
    assert names[0] == claim_name("LINE-01HV7Q2X9ZP4") == "line-01hv7q2x9zp4-" + names[0][-32:]
    assert names[2] == "f1-001-" + names[2][-32:]  # the Thai part and the slash leave only the hash's company
    with pytest.raises(ValueError):
        claim_name("")


# -- Cloud Storage ---------------------------------------------------------------
def test_a_storage_claim_is_one_json_object_under_the_prefix(storage_claims: StorageClaims,
                                                             storage_fake: StorageFake) -> None:
    storage_claims.claim(KEY, RECORD)

    name = storage_claims.object_name(KEY)
    assert storage_fake.names() == [name] and name.startswith("claims/") and name.endswith(".json")
    stored = storage_fake.object(BUCKET, name)
    assert stored.content_type == "application/json"
    envelope = json.loads(stored.data)
    assert envelope["key"] == KEY and envelope["record"] == RECORD and len(envelope["holder"]) == 32
    assert storage_fake.requests[0].query["ifGenerationMatch"] == ["0"]


def test_a_storage_claim_whose_answer_was_lost_is_still_won(storage_claims: StorageClaims,
                                                            storage_fake: StorageFake) -> None:
    storage_fake.lose_answer_next(kind="objects.insert")

    result = storage_claims.claim(KEY, RECORD)

    assert result.won and result.record == RECORD
    assert storage_fake.count("objects.insert") == 2
    assert storage_claims.release(KEY)  # it knows the generation it won with
    assert storage_fake.names() == []


def test_releasing_never_deletes_a_later_holders_claim(storage_claims: StorageClaims,
                                                       storage_fake: StorageFake) -> None:
    storage_claims.claim(KEY, RECORD)
    name = storage_claims.object_name(KEY)
    del storage_fake.buckets[BUCKET][name]  # the lifecycle rule took it
    later = storage_client(storage_fake.url)
    assert StorageClaims(later, BUCKET).claim(KEY, {"by": "สมชาย"}).won
    later.close()

    assert not storage_claims.release(KEY)

    assert json.loads(storage_fake.object(BUCKET, name).data)["record"] == {"by": "สมชาย"}


def test_a_claim_another_process_wrote_for_a_different_key_is_refused(storage_claims: StorageClaims,
                                                                      storage_fake: StorageFake) -> None:
    storage_fake.put(BUCKET, storage_claims.object_name(KEY), json.dumps({"key": "other", "holder": "x",
                                                                          "record": {}}).encode())

    with pytest.raises(ClaimError, match="not for"):
        storage_claims.claim(KEY, RECORD)


def test_storage_faults_reach_the_caller_as_store_errors(storage_claims: StorageClaims,
                                                         storage_fake: StorageFake) -> None:
    from sheets.cloud_storage import StorageError
    from sheets.store import StoreError

    storage_fake.fail_always(503)

    with pytest.raises(StorageError) as failed:
        storage_claims.claim(KEY, RECORD)

    assert isinstance(failed.value, StoreError) and failed.value.status == 503
    assert storage_fake.count("objects.insert") == 3


# -- files -------------------------------------------------------------------------
def test_a_file_claim_is_one_json_file_and_leaves_no_temporary_files(file_claims: FileClaims) -> None:
    file_claims.claim(KEY, RECORD)
    file_claims.claim(KEY, {"by": "สมชาย"})

    assert [p.name for p in file_claims.directory.iterdir()] == [file_claims.path(KEY).name]
    envelope = json.loads(file_claims.path(KEY).read_text(encoding="utf-8"))
    assert envelope["key"] == KEY and envelope["record"] == RECORD


def test_without_hard_links_an_exclusive_create_does_the_same(file_claims: FileClaims,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: Any, target: Any) -> None:
        raise PermissionError(1, "Operation not permitted")  # what FAT and some network drives answer

    monkeypatch.setattr(os, "link", no_links)

    won = file_claims.claim(KEY, RECORD)
    lost = FileClaims(file_claims.directory).claim(KEY, {"by": "สมชาย"})

    assert won.won and not lost.won and lost.record == RECORD
    assert [p.name for p in file_claims.directory.iterdir()] == [file_claims.path(KEY).name]


def test_an_unwritable_directory_is_said_in_thai_and_english(tmp_path: Path) -> None:
    (tmp_path / "claims").write_text("a file, not a directory")

    with pytest.raises(ClaimError) as failed:
        FileClaims(tmp_path / "claims").claim(KEY, RECORD)

    assert "เขียนการจอง" in str(failed.value) and "cannot write the claim" in str(failed.value)


# -- races between processes ----------------------------------------------------------
def _run_race(kind: str, where: str) -> dict[str, list[tuple[bool, str]]]:
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no state shared with the test
    start, results = context.Barrier(2), context.Queue()
    racers = [context.Process(target=race, args=(kind, where, BUCKET, RACE_KEYS, worker, start, results)) for worker in ("A", "B")]
    for racer in racers:
        racer.start()
    outcomes = dict(results.get(timeout=60) for _ in racers)
    for racer in racers:
        racer.join(timeout=30)
        assert racer.exitcode == 0
    return outcomes


def _assert_one_winner_per_key(outcomes: dict[str, list[tuple[bool, str]]]) -> None:
    for number in range(RACE_KEYS):
        (won_a, holder_a), (won_b, holder_b) = outcomes["A"][number], outcomes["B"][number]
        assert won_a != won_b, f"race-{number}: {'both' if won_a else 'neither'} won"
        assert holder_a == holder_b == ("A" if won_a else "B")  # the loser sees the winner's record


def test_two_processes_racing_on_one_storage_bucket_find_one_winner_per_key(storage_fake: StorageFake) -> None:
    outcomes = _run_race("storage", storage_fake.url)

    _assert_one_winner_per_key(outcomes)
    assert len(storage_fake.names()) == RACE_KEYS
    assert storage_fake.count("objects.insert") == 2 * RACE_KEYS


def test_two_processes_racing_on_one_directory_find_one_winner_per_key(tmp_path: Path) -> None:
    outcomes = _run_race("file", str(tmp_path / "claims"))

    _assert_one_winner_per_key(outcomes)
    assert len(list((tmp_path / "claims").iterdir())) == RACE_KEYS
