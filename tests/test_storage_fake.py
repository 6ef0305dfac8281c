"""Small checks that the fake Cloud Storage behaves like Google's where the client relies on it,
and that it holds itself and its callers to the Storage v1 discovery document."""
from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote, urlsplit

import httplib2
import pytest
import requests

from tests.fakes.storage_api import DEFAULT_BUCKET as BUCKET, DISCOVERY_PATH, StorageFake, load_discovery

AUTH = {"Authorization": "Bearer test-token"}


def call(fake: StorageFake, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A raw request to the fake; `path` is after the host."""
    headers = kwargs.pop("headers", AUTH)
    return requests.request(method, f"{fake.url}{path}", headers=headers, timeout=5, **kwargs)


def object_path(name: str, bucket: str = BUCKET) -> str:
    return f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}"


def upload(fake: StorageFake, name: str, data: bytes, **params: str) -> requests.Response:
    return call(fake, "POST", f"/upload/storage/v1/b/{BUCKET}/o", params={"uploadType": "media", "name": name,
                                                                          **params},
                data=data, headers={**AUTH, "Content-Type": "text/plain"})


def test_a_request_without_a_bearer_token_is_401_in_google_shape(storage_fake: StorageFake) -> None:
    answer = call(storage_fake, "GET", object_path("x"), headers={})

    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == 401 and error["errors"][0]["reason"] == "required"


def test_generations_increase_and_the_resource_is_google_shaped(storage_fake: StorageFake) -> None:
    first = upload(storage_fake, "a/b.txt", b"one").json()
    second = upload(storage_fake, "a/b.txt", b"two").json()

    assert int(second["generation"]) > int(first["generation"]) > 10 ** 15  # microseconds, like Google's
    assert second["metageneration"] == "1" and second["size"] == "3" and second["contentType"] == "text/plain"
    assert second["kind"] == "storage#object" and second["id"] == f"{BUCKET}/a/b.txt/{second['generation']}"
    assert load_discovery().check(second, "Object") == []
    media = call(storage_fake, "GET", object_path("a/b.txt"), params={"alt": "media"})
    assert media.content == b"two" and media.headers["x-goog-generation"] == second["generation"]
    assert media.headers["x-goog-hash"] == f"md5={second['md5Hash']}"


@pytest.mark.parametrize("method, params, status", [
    ("POST", {"ifGenerationMatch": "0"}, 412),                # exists
    ("POST", {"ifGenerationNotMatch": "0"}, 200),              # "only if there is a live version"
    ("POST", {"ifMetagenerationMatch": "2"}, 412),
    ("GET", {"ifGenerationNotMatch": "GEN"}, 304),             # a read whose "not match" fails: Not Modified
    ("GET", {"ifGenerationMatch": "GEN"}, 200),
    ("GET", {"ifMetagenerationNotMatch": "1"}, 304),
    ("GET", {"generation": "1"}, 404),                          # no such generation (no versioning)
    ("DELETE", {"ifGenerationMatch": "1"}, 412),
    ("DELETE", {"ifMetagenerationMatch": "1"}, 204),
])
def test_preconditions_follow_googles_rules(storage_fake: StorageFake, method: str, params: dict[str, str],
                                            status: int) -> None:
    generation = str(storage_fake.put(BUCKET, "x", b"x").generation)
    params = {k: generation if v == "GEN" else v for k, v in params.items()}

    if method == "POST":
        answer = upload(storage_fake, "x", b"y", **params)
    else:
        answer = call(storage_fake, method, object_path("x"), params=params)

    assert answer.status_code == status, answer.text
    if status == 412:
        assert answer.json()["error"]["errors"][0]["reason"] == "conditionNotMet"


def test_preconditions_on_a_missing_object(storage_fake: StorageFake) -> None:
    assert upload(storage_fake, "x", b"x", ifMetagenerationMatch="1").status_code == 412
    assert upload(storage_fake, "x", b"x", ifGenerationMatch="5").status_code == 412
    assert call(storage_fake, "DELETE", object_path("x"), params={"ifGenerationMatch": "0"}).status_code == 404
    assert upload(storage_fake, "x", b"x", ifGenerationMatch="0").status_code == 200


def test_programmed_faults_are_used_up_in_order_and_can_target_a_kind(storage_fake: StorageFake) -> None:
    storage_fake.fail_next(429, times=2)
    storage_fake.fail_next(503)
    storage_fake.fail_always(500, kind="objects.delete")

    statuses = [call(storage_fake, "GET", f"/storage/v1/b/{BUCKET}/o").status_code for _ in range(4)]

    assert statuses == [429, 429, 503, 200]
    assert call(storage_fake, "DELETE", object_path("x")).status_code == 500
    assert storage_fake.count("objects.list") == 4 and storage_fake.count("objects.delete") == 1


def test_a_lost_answer_does_the_write_and_closes_the_connection_unanswered(storage_fake: StorageFake) -> None:
    storage_fake.lose_answer_next(kind="objects.insert")
    parts = urlsplit(storage_fake.url)
    connection = http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=5)

    connection.request("POST", f"/upload/storage/v1/b/{BUCKET}/o?uploadType=media&name=lost", body=b"done",
                       headers=AUTH)
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    connection.close()

    assert storage_fake.object(BUCKET, "lost").data == b"done"
    assert storage_fake.statuses() == [0]


def test_a_delayed_answer_is_done_before_it_is_late(storage_fake: StorageFake) -> None:
    storage_fake.delay_next(0.5, kind="objects.insert")

    with pytest.raises(requests.Timeout):
        requests.post(f"{storage_fake.url}/upload/storage/v1/b/{BUCKET}/o", params={"uploadType": "media",
                                                                                   "name": "slow"},
                      data=b"x", headers=AUTH, timeout=0.1)

    assert storage_fake.names() == ["slow"]


def test_a_5xx_after_the_write_leaves_the_write_done(storage_fake: StorageFake) -> None:
    storage_fake.fail_next(503, kind="objects.insert", after_write=True)

    assert upload(storage_fake, "x", b"x").status_code == 503
    assert storage_fake.names() == ["x"]


def test_unknown_or_malformed_query_parameters_are_refused_and_recorded(storage_fake: StorageFake) -> None:
    misspelt = upload(storage_fake, "x", b"x", ifGenerationMatches="0")
    not_a_number = call(storage_fake, "GET", object_path("x"), params={"generation": "latest"})
    bad_enum = call(storage_fake, "GET", object_path("x"), params={"projection": "everything"})

    assert [a.status_code for a in (misspelt, not_a_number, bad_enum)] == [400, 400, 400]
    assert storage_fake.violations == [
        "objects.insert: unknown query parameter 'ifGenerationMatches'",
        "objects.get: generation='latest' is not an integer",
        "objects.get: projection='everything' is not one of ['full', 'noAcl']",
    ]
    storage_fake.violations.clear()  # expected here; the fixture fails any test that leaves some


def test_paths_and_features_off_the_document_or_the_fake_are_recorded(storage_fake: StorageFake) -> None:
    answers = [
        call(storage_fake, "GET", f"/storage/v1/b/{BUCKET}/objects/x"),                           # no such path
        call(storage_fake, "PATCH", object_path("x"), json={"contentType": "text/plain"}),        # not implemented
        call(storage_fake, "GET", f"/storage/v1/b/{BUCKET}/o", params={"alt": "media"}),         # list has no media
        call(storage_fake, "POST", f"/upload/storage/v1/b/{BUCKET}/o", params={"uploadType": "resumable",
                                                                               "name": "x"}),
        call(storage_fake, "GET", f"/storage/v1/b/{BUCKET}/o", params={"delimiter": "/"}),
    ]

    assert [a.status_code for a in answers] == [404, 501, 400, 400, 501]
    assert len(storage_fake.violations) == 5
    assert storage_fake.violations[0] == f"no discovery method for GET /storage/v1/b/{BUCKET}/objects/x"
    assert storage_fake.violations[1] == "objects.patch: not implemented by the fake"
    storage_fake.violations.clear()


def test_the_validator_flags_undeclared_properties_wrong_types_and_formats() -> None:
    discovery = load_discovery()

    problems = discovery.check({"name": "x", "generation": 7, "metageneration": "one", "updated": "yesterday",
                                "owner": {"entity": "user-1", "role": "OWNER"}, "extra": 1}, "Object")

    assert problems == [
        "Object.generation: expected a string, got int",
        "Object.metageneration: 'one' is not an int64 string",
        "Object.updated: 'yesterday' is not an RFC 3339 time",
        "Object.owner: property 'role' is not in the schema",
        "Object: property 'extra' is not in the schema",
    ]
    assert discovery.check({"kind": "storage#objects", "items": [{"size": "12"}], "prefixes": ["a/"]},
                           "Objects") == []


def test_routes_come_from_the_discovery_document() -> None:
    discovery = load_discovery()
    document = json.loads(DISCOVERY_PATH.read_text(encoding="utf-8"))

    assert discovery.route("POST", "/upload/storage/v1/b/kkc/o") == ("objects.insert", {"bucket": "kkc"}, True)
    assert discovery.route("GET", "/storage/v1/b/kkc/o/claims%2Fa.json") == (
        "objects.get", {"bucket": "kkc", "object": "claims/a.json"}, False)
    assert discovery.route("PUT", "/storage/v1/b/kkc/o") == (None, {}, False)
    assert {kind for _, _, kind, _ in discovery.routes} == {f"objects.{n}"
                                                            for n in document["resources"]["objects"]["methods"]}


@pytest.mark.filterwarnings("ignore::FutureWarning")  # google.api_core's note on Python versions
def test_the_google_api_client_itself_works_against_the_fake(storage_fake: StorageFake) -> None:
    """google-api-python-client builds its requests from the same document: the fake must take them all."""
    from googleapiclient.discovery import build_from_document
    from googleapiclient.http import MediaInMemoryUpload

    class BearerHttp(httplib2.Http):
        def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None,
                    *args: Any, **kwargs: Any) -> Any:
            return super().request(uri, method, body, {**(headers or {}), **AUTH}, *args, **kwargs)

    document = json.loads(DISCOVERY_PATH.read_text(encoding="utf-8"))
    document["rootUrl"] = storage_fake.url + "/"
    service = build_from_document(document, http=BearerHttp())
    objects = service.objects()

    created = objects.insert(bucket=BUCKET, name="claims/ก.json", ifGenerationMatch=0,
                             media_body=MediaInMemoryUpload(b'{"a": 1}', mimetype="application/json")).execute()
    listed = objects.list(bucket=BUCKET, prefix="claims/").execute()
    content = objects.get_media(bucket=BUCKET, object="claims/ก.json").execute()
    objects.delete(bucket=BUCKET, object="claims/ก.json", ifGenerationMatch=created["generation"]).execute()

    assert created["name"] == "claims/ก.json" and created["contentType"] == "application/json"
    assert [item["name"] for item in listed["items"]] == ["claims/ก.json"]
    assert content == b'{"a": 1}'
    assert storage_fake.names() == [] and storage_fake.violations == []
