"""A body too deep or too large is refused (400 through the webhook), never a 500."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from messaging.webhook import MAX_BODY_BYTES, MAX_DEPTH, InvalidPayloadError, WebhookParser, nesting_depth

SECRET = "limits-test-secret"


def signed(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_a_deeply_nested_signed_body_is_invalid_not_a_crash(levels: int) -> None:
    body = b'{"events": [' + b"[" * levels + b"]" * levels + b"]}"
    with pytest.raises(InvalidPayloadError):
        WebhookParser(SECRET).parse(body, signed(body))


def test_a_body_over_the_limit_is_invalid() -> None:
    body = json.dumps({"events": [], "pad": "x" * MAX_BODY_BYTES}).encode()
    with pytest.raises(InvalidPayloadError):
        WebhookParser(SECRET).parse(body, signed(body))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = "[" * 500 + "{" * 500 + '\\"' + "]" * 10
    body = json.dumps({"events": [{"type": "message", "message": {"type": "text", "text": text}}]}).encode()
    assert nesting_depth(body) == 4
    payload = WebhookParser(SECRET).parse(body, signed(body))
    assert len(payload.events) == 1


def test_a_real_body_is_well_within_the_depth() -> None:
    event = {"type": "postback", "source": {"type": "user", "userId": "U" + "0" * 32},
             "postback": {"data": "a=1", "params": {"date": "2026-12-01"}},
             "deliveryContext": {"isRedelivery": False}, "webhookEventId": "01H", "timestamp": 1}
    body = json.dumps({"destination": "U1", "events": [event]}).encode()
    assert nesting_depth(body) < MAX_DEPTH
    assert WebhookParser(SECRET).parse(body, signed(body)).events[0].type == "postback"
