"""Small builders for LINE message objects (plain dicts), kept inside LINE's limits.

Limits (messaging.base): 5 messages a reply, 12 bubbles and 50 KB a carousel,
30 KB a bubble, altText 1,500 characters, text 5,000 UTF-16 units; quick reply
13 buttons with labels of at most 20 characters; postback data 300 characters.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from messaging.base import (MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES, MAX_TEXT,
                            json_size, utf16_len)

MAX_QUICK_REPLIES = 13
MAX_LABEL = 20          # quick-reply and button labels
MAX_POSTBACK_DATA = 300

GREEN = "#1B5E20"
RED = "#C62828"
AMBER = "#E65100"
GREY = "#757575"
LIGHT = "#F1F8E9"

Component = dict[str, Any]


def clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


# ---------------------------------------------------------------- actions

def message_action(label: str, text: str) -> dict:
    """A button that sends `text` as if the officer typed it."""
    return {"type": "message", "label": clip(label, MAX_LABEL), "text": text[:300]}


def postback_action(label: str, data: str, display_text: str | None = None) -> dict:
    if len(data) > MAX_POSTBACK_DATA:
        raise ValueError("postback data over 300 characters")
    action = {"type": "postback", "label": clip(label, MAX_LABEL), "data": data}
    if display_text:
        action["displayText"] = display_text[:300]
    return action


def fill_in_action(label: str, fill_text: str) -> dict:
    """A button that opens the keyboard with `fill_text` typed in (the officer adds the rest)."""
    return {"type": "postback", "label": clip(label, MAX_LABEL), "data": "a=fill",
            "inputOption": "openKeyboard", "fillInText": fill_text[:300]}


def quick_reply(actions: Iterable[dict]) -> dict:
    items = [{"type": "action", "action": a} for a in list(actions)[:MAX_QUICK_REPLIES]]
    return {"items": items}


# ---------------------------------------------------------------- components

def text(value: str, *, size: str = "sm", color: str | None = None, bold: bool = False,
         wrap: bool = True, flex: int | None = None, align: str | None = None,
         margin: str | None = None) -> Component:
    component: Component = {"type": "text", "text": str(value) or " ", "size": size, "wrap": wrap}
    if color:
        component["color"] = color
    if bold:
        component["weight"] = "bold"
    if flex is not None:
        component["flex"] = flex
    if align:
        component["align"] = align
    if margin:
        component["margin"] = margin
    return component


def field(label: str, value: str, *, color: str | None = None, bold: bool = False) -> Component:
    """One 'label ... value' line."""
    return {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
        text(label, color=GREY, flex=4, wrap=True),
        text(value, color=color, bold=bold, flex=6, align="end"),
    ]}


def separator(margin: str = "md") -> Component:
    return {"type": "separator", "margin": margin}


def box(contents: Sequence[Component], *, layout: str = "vertical", spacing: str = "sm",
        margin: str | None = None, **extra: Any) -> Component:
    component: Component = {"type": "box", "layout": layout, "spacing": spacing,
                            "contents": list(contents) or [text(" ")]}
    if margin:
        component["margin"] = margin
    component.update(extra)
    return component


def button(action: dict, *, style: str = "secondary", color: str | None = None) -> Component:
    component: Component = {"type": "button", "action": action, "style": style, "height": "sm"}
    if color:
        component["color"] = color
    return component


def bubble(title: str, body: Sequence[Component], *, subtitle: str | None = None,
           footer: Sequence[Component] | None = None, color: str = GREEN, size: str = "mega") -> dict:
    header_contents = [text(title, size="md", bold=True, color="#FFFFFF")]
    if subtitle:
        header_contents.append(text(subtitle, size="xs", color="#FFFFFF"))
    result: dict[str, Any] = {
        "type": "bubble", "size": size,
        "header": box(header_contents, backgroundColor=color, paddingAll="12px"),
        "body": box(body, spacing="sm"),
    }
    if footer:
        result["footer"] = box(footer, spacing="sm")
    return result


# ---------------------------------------------------------------- messages

def alt_text(value: str) -> str:
    value = " ".join(value.split()) or "กข.คจ. Care"
    return value if len(value) <= MAX_ALT_TEXT else value[: MAX_ALT_TEXT - 1] + "…"


def text_message(value: str, quick: Iterable[dict] | None = None) -> dict:
    if utf16_len(value) > MAX_TEXT:
        value = value[: MAX_TEXT // 2 - 1] + "…"
    message: dict[str, Any] = {"type": "text", "text": value}
    if quick:
        message["quickReply"] = quick_reply(quick)
    return message


def flex_message(alt: str, contents: dict, quick: Iterable[dict] | None = None) -> dict:
    message: dict[str, Any] = {"type": "flex", "altText": alt_text(alt), "contents": contents}
    if quick:
        message["quickReply"] = quick_reply(quick)
    return message


def carousel(bubbles: Sequence[dict]) -> dict:
    """One bubble as itself, several as a carousel (callers keep to MAX_BUBBLES)."""
    if len(bubbles) == 1:
        return bubbles[0]
    return {"type": "carousel", "contents": list(bubbles)}


def fits(container: dict) -> bool:
    """Within LINE's size limits for its kind."""
    if container.get("type") == "carousel":
        bubbles = container.get("contents", [])
        return (1 <= len(bubbles) <= MAX_BUBBLES and json_size(container) <= MAX_CAROUSEL_BYTES
                and all(json_size(b) <= MAX_BUBBLE_BYTES for b in bubbles))
    return json_size(container) <= MAX_BUBBLE_BYTES


def paged_list(title: str, rows: Sequence[Component], *, per_bubble: int, subtitle: str | None,
               top: Sequence[Component] = (), note: "Callable[[int], str | None] | None" = None,
               color: str = GREEN,
               max_bubbles: int = MAX_BUBBLES) -> tuple[dict, int]:
    """Rows packed into bubbles of `per_bubble` (at most `max_bubbles`).

    Returns (container, rows shown). The first bubble starts with `top` (totals);
    the last ends with `note(rows shown)` (e.g. "และอีก N รายการ — ..."). Should the
    container pass LINE's size limits, trailing rows are dropped until it fits.
    """
    per_bubble = max(1, per_bubble)
    shown = min(len(rows), per_bubble * max(1, min(max_bubbles, MAX_BUBBLES)))
    while True:
        chunks = [rows[i:i + per_bubble] for i in range(0, shown, per_bubble)] or [[]]
        last_note = note(shown) if note else None
        bubbles = []
        for i, chunk in enumerate(chunks):
            body: list[Component] = list(top) if i == 0 else []
            for j, row in enumerate(chunk):
                if j or (i == 0 and top):
                    body.append(separator("sm" if j else "md"))
                body.append(row)
            if i == len(chunks) - 1 and last_note:
                body += [separator(), text(last_note, size="xs", color=AMBER)]
            page = f" ({i + 1}/{len(chunks)})" if len(chunks) > 1 else ""
            bubbles.append(bubble(title + page, body, subtitle=subtitle, color=color))
        container = carousel(bubbles)
        if shown <= 1 or fits(container):
            return container, shown
        shown -= 1
