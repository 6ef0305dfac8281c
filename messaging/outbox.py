"""OutboxMessenger: messages go to a JSON-lines file (and the console) instead of LINE.

Used when no LINE token is set (demo, development, a district trying the system out).
It keeps LINE's retry-key rule, so running a job twice behaves as it would against LINE.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from pathlib import Path
from typing import TextIO

from messaging.base import PushResult, messages_to_text

# LINE remembers an accepted retry key for 24 hours.
RETRY_KEY_WINDOW = dt.timedelta(hours=24)


class OutboxMessenger:
    """Appends each push or reply as one JSON line; echoes it as readable Thai text."""

    def __init__(self, path: str | Path, echo: bool = True, stream: TextIO | None = None) -> None:
        self.path = Path(path)
        self.echo = echo
        self.stream = stream if stream is not None else sys.stdout
        self.description = f"กล่องข้อความจำลอง ไม่ได้ส่งทาง LINE (outbox file {self.path})"
        self.stopped = False  # an outbox has no quota
        self._lock = threading.Lock()
        self._keys: dict[str, dt.datetime] = {}
        self._read_upto = 0  # bytes of the file already scanned for retry keys

    def push(self, to: str, messages: list[dict], retry_key: str) -> PushResult:
        now = _now()
        with self._lock:
            self._scan_new_lines()
            accepted_at = self._keys.get(retry_key)
            if accepted_at is not None and now - accepted_at < RETRY_KEY_WINDOW:
                return PushResult("duplicate", "ส่งไปแล้วก่อนหน้านี้ (retry key already in outbox)",
                                  None, None, 1)
            self._append("push", to, retry_key, messages, now)
            self._keys[retry_key] = now
        return PushResult("sent", f"บันทึกลงกล่องข้อความจำลองแล้ว (written to {self.path.name})",
                          None, None, 1)

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        with self._lock:
            self._append("reply", reply_token, None, messages, _now())

    # ------------------------------------------------------------ internals

    def _append(self, kind: str, to: str, retry_key: str | None, messages: list[dict],
                at: dt.datetime) -> None:
        text = messages_to_text(messages)
        record = {"at": at.isoformat(timespec="seconds"), "kind": kind, "to": to,
                  "retry_key": retry_key, "messages": messages, "text": text}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        if self.echo:
            who = f"ถึง {_short_id(to)} (push)" if kind == "push" else "ตอบกลับ (reply)"
            self.stream.write(f"── {who} ──\n{text}\n\n")
            self.stream.flush()

    def _scan_new_lines(self) -> None:
        """Learn the retry keys other runs (or processes) wrote since we last looked."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            self._keys.clear()
            self._read_upto = 0
            return
        if size < self._read_upto:  # the file was truncated or replaced: start over
            self._keys.clear()
            self._read_upto = 0
        if size == self._read_upto:
            return
        with self.path.open("rb") as src:
            src.seek(self._read_upto)
            chunk = src.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
        for raw in complete.splitlines():
            try:
                record = json.loads(raw)
                key, at = record.get("retry_key"), dt.datetime.fromisoformat(record["at"])
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a hand-edited or broken line must not stop the sending
            if key and record.get("kind") == "push":
                if at.tzinfo is None:
                    at = at.astimezone()
                self._keys[key] = max(at, self._keys.get(key, at))
        self._read_upto += len(complete)


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _short_id(recipient: str) -> str:
    return recipient if len(recipient) <= 6 else recipient[:5] + "…"
