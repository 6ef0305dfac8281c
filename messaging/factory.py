"""Choose the messenger: LINE when a channel access token is set, otherwise the outbox file."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from core.config import ROOT
from messaging.base import Messenger
from messaging.line import TOKEN_ENV, LineMessenger
from messaging.outbox import OutboxMessenger


def outbox_path(config: Any) -> Path:
    """`outbox` from the config; a relative path is relative to the repository root."""
    path = Path(config.outbox)
    return path if path.is_absolute() else ROOT / path


def make_messenger(config: Any, env: Mapping[str, str] = os.environ) -> Messenger:
    token = (env.get(TOKEN_ENV) or "").strip()
    if token:
        return LineMessenger(config, token=token, env=env)
    return OutboxMessenger(outbox_path(config))
