"""What every messenger shares: push results, retry keys, LINE's limits, plain-text rendering."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, runtime_checkable

# LINE's limits (docs/spec domain.md). Callers keep their messages within these.
MAX_MESSAGES = 5             # message objects per request
MAX_BUBBLES = 12             # bubbles per flex carousel
MAX_BUBBLE_BYTES = 30_000    # one flex bubble, compact JSON, UTF-8
MAX_CAROUSEL_BYTES = 50_000  # one flex carousel, compact JSON, UTF-8
MAX_ALT_TEXT = 1500          # characters of a flex/template altText
MAX_TEXT = 5000              # UTF-16 code units of a text message

PUSH_STATUSES = ("sent", "duplicate", "failed", "quota")

# Fixed namespace so that retry keys are the same on every machine and every run.
RETRY_KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://kkc-care.invalid/line/retry-key")


class MessengerError(Exception):
    """A message could not be sent (or the messenger cannot be set up); the text says why.

    The one error class of messaging: `http_status` is LINE's answer when there was one.
    """

    def __init__(self, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


@dataclass
class PushResult:
    """How one push ended. `duplicate` means LINE had already accepted the same retry key."""

    status: str                      # one of PUSH_STATUSES
    detail: str = ""
    http_status: int | None = None
    request_id: str | None = None
    tries: int = 0

    def __post_init__(self) -> None:
        if self.status not in PUSH_STATUSES:
            raise ValueError(f"unknown push status {self.status!r}")

    @property
    def ok(self) -> bool:
        """Delivered now or earlier: either way the recipient has the message."""
        return self.status in ("sent", "duplicate")

    @property
    def unreachable(self) -> bool:
        """Tried and failed without any answer from LINE (network down, timeouts)."""
        return self.status == "failed" and self.http_status is None and self.tries > 0


@runtime_checkable
class Messenger(Protocol):
    """Sends LINE message objects (dicts shaped as in LINE's API) to people."""

    description: str
    stopped: bool  # True after LINE answered 429 in this run; later pushes return "quota" at once

    def push(self, to: str, messages: list[dict], retry_key: str) -> PushResult: ...

    def reply(self, reply_token: str, messages: list[dict]) -> None: ...


def retry_key_for(run_date: dt.date, recipient: str, purpose: str = "digest") -> str:
    """The X-Line-Retry-Key for one recipient, day and purpose: the same inputs give the same key."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{run_date.isoformat()}|{recipient}|{purpose}"))


# ---------------------------------------------------------------- sizes

def json_size(obj: Any) -> int:
    """Bytes of `obj` as compact UTF-8 JSON (how message sizes are counted here)."""
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as LINE counts text (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------- plain text

def messages_to_text(messages: Iterable[dict]) -> str:
    """Several message objects as plain text, separated by blank lines."""
    return "\n\n".join(part for part in (flex_to_text(m) for m in messages) if part)


def flex_to_text(message: dict) -> str:
    """Any LINE message object as readable plain text (for the console, outbox and terminal chat)."""
    kind = message.get("type")
    if kind in ("text", "textV2"):
        lines = [str(message.get("text", ""))]
    elif kind == "flex":
        lines = _container_lines(message.get("contents") or {})
        if not lines:
            lines = [str(message.get("altText", ""))]
    elif kind == "template":
        lines = _template_lines(message.get("template") or {})
        if not lines:
            lines = [str(message.get("altText", ""))]
    elif kind == "imagemap":
        lines = [str(message.get("altText", ""))]
    elif kind == "location":
        lines = [f"📍 {message.get('title', '')} {message.get('address', '')}".rstrip()]
    elif kind == "sticker":
        lines = ["(สติกเกอร์)"]
    elif kind == "image":
        lines = ["(รูปภาพ)"]
    elif kind == "video":
        lines = ["(วิดีโอ)"]
    elif kind == "audio":
        lines = ["(เสียง)"]
    else:
        lines = [f"({kind})"]
    quick = [item.get("action") or {} for item in (message.get("quickReply") or {}).get("items", [])]
    if quick:
        lines.append("ปุ่ม: " + " ".join(_button(a) for a in quick))
    return "\n".join(lines).strip("\n")


def _button(action: dict) -> str:
    return f"[{action.get('label') or action.get('text') or action.get('type', '')}]"


def _container_lines(container: dict) -> list[str]:
    if container.get("type") == "carousel":
        lines: list[str] = []
        for bubble in container.get("contents", []):
            bubble_lines = _bubble_lines(bubble)
            if lines and bubble_lines:
                lines.append("")  # a blank line between bubbles reads like separate cards
            lines.extend(bubble_lines)
        return lines
    return _bubble_lines(container)


def _bubble_lines(bubble: dict) -> list[str]:
    lines: list[str] = []
    for part in ("header", "hero", "body", "footer"):
        if isinstance(bubble.get(part), dict):
            lines.extend(_component_lines(bubble[part]))
    return lines


def _component_lines(component: dict) -> list[str]:
    """Lines of one flex component: vertical boxes stack, horizontal boxes make one line."""
    kind = component.get("type")
    if kind == "box":
        children = component.get("contents", [])
        if component.get("layout") in ("horizontal", "baseline"):
            cells = [" ".join(_component_lines(child)) for child in children]
            line = "  ".join(cell for cell in cells if cell)
            return [line] if line else []
        lines: list[str] = []
        for child in children:
            lines.extend(_component_lines(child))
        return lines
    if kind == "text":
        spans = component.get("contents")
        text = "".join(str(s.get("text", "")) for s in spans) if spans else str(component.get("text", ""))
        return [text] if text else []
    if kind == "span":
        return [str(component.get("text", ""))]
    if kind == "button":
        return [_button(component.get("action") or {})]
    return []  # image, icon, separator, filler, video: nothing to read


def _template_lines(template: dict) -> list[str]:
    kind = template.get("type")
    if kind in ("carousel", "image_carousel"):
        lines: list[str] = []
        for column in template.get("columns", []):
            if lines:
                lines.append("")
            lines.extend(_template_lines({**column, "type": "buttons"}))
        return lines
    lines = [str(template[k]) for k in ("title", "text") if template.get(k)]
    actions = template.get("actions") or ([template["action"]] if template.get("action") else [])
    if actions:
        lines.append(" ".join(_button(a) for a in actions))
    return lines
