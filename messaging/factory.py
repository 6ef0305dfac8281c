"""The one messenger for a config: LINE when a channel access token is set, otherwise the outbox file.

Jobs (`make_messenger(config)`) and the webhook (`make_messenger(config, webhook=True)`: short
timeouts, at most two tries, an outbox that does not echo) get the same two kinds, with push
and reply.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from core.config import ROOT
from messaging.base import Messenger
from messaging.line import TOKEN_ENV, LineClient
from messaging.outbox import OutboxMessenger
from core.config import Config


def outbox_path(config: Config) -> Path:
    """`outbox` from the config; a relative path is relative to the repository root."""
    path = Path(config.outbox)
    return path if path.is_absolute() else ROOT / path


def make_messenger(config: Config, env: Mapping[str, str] = os.environ, *, webhook: bool = False,
                   echo: bool = False) -> Messenger:
    """`echo`: the outbox also prints each message as readable text (the CLI's --verbose)."""
    token = (env.get(TOKEN_ENV) or "").strip()
    if token:
        return LineClient.from_config(config, token, webhook=webhook)
    return OutboxMessenger(outbox_path(config), echo=echo and not webhook)
