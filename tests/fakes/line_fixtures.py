"""Pytest fixtures for LINE: the fake API, a LineClient wired to it, an outbox messenger.

Register from tests/conftest.py with `pytest_plugins = ["tests.fakes.line_fixtures"]`.
"""
from __future__ import annotations

import io
from typing import Iterator

import pytest

from core.config import load_config
from messaging.line import LineClient
from messaging.outbox import OutboxMessenger
from tests.fakes.line_api import DEFAULT_TOKEN, LineFake


@pytest.fixture
def line_fake() -> Iterator[LineFake]:
    """A started LINE fake; its `url` goes into `line.api_url`."""
    with LineFake() as fake:
        yield fake


@pytest.fixture
def line_config(line_fake: LineFake):
    """Settings pointing at the fake, with a short timeout so timeout tests stay fast."""
    return load_config(env={}, overrides={"line.api_url": line_fake.url,
                                          "line.timeout_seconds": 0.5,
                                          "line.max_tries": 3})


@pytest.fixture
def line_messenger(line_config) -> Iterator[LineClient]:
    """A LineClient talking to `line_fake` with a valid token and no sleeping between tries."""
    client = LineClient.from_config(line_config, DEFAULT_TOKEN, env={}, sleep=lambda seconds: None)
    yield client
    client.close()


@pytest.fixture
def outbox_messenger(tmp_path) -> OutboxMessenger:
    """An OutboxMessenger writing to tmp_path/outbox.jsonl; what it echoes is in `.stream`."""
    return OutboxMessenger(tmp_path / "outbox.jsonl", echo=True, stream=io.StringIO())
