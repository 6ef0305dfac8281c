"""Every Flex component and LINE message object the program sends, kept inside LINE's limits.

The chat's answers (chat.views, chat.commands), the daily digest (reminders.digest) and the
monthly summary (report.notify) are all made of these builders: plain dicts shaped as in
LINE's API. No other module writes a Flex dict by hand, so a look or a limit changes here.

LINE's limits (numbers in messaging.base) are enforced here and nowhere else:
altText 1,500 characters (`alt_text`); a text message 5,000 UTF-16 units (`text_message`);
a text component MAX_COMPONENT_TEXT characters (`text`: a 10,000-character cell cannot fill a bubble);
a bubble 30 KB, a carousel 1-12 bubbles and 50 KB (`fits`; `fitted` and `paged_list` show as
many rows as fit, and `flex_message` trims whatever still does not, since LINE refuses the
whole message otherwise); quick reply 13 buttons; labels 20 characters; postback data 300.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from messaging.base import (MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES, MAX_TEXT,
                            json_size, utf16_len)

MAX_QUICK_REPLIES = 13
MAX_LABEL = 20          # quick-reply and button labels
MAX_POSTBACK_DATA = 300
MAX_ACTION_TEXT = 300   # message-action text, displayText, fillInText
# One text component: far more than anything meant to be read on a phone, and a few of them still fit a
# 30 KB bubble (Thai is 3 bytes a character), so a cell typed absurdly long is cut (…) instead of refused.
MAX_COMPONENT_TEXT = 2_000

# Room kept free under the bubble and carousel limits: LINE and we may count a few bytes differently.
SIZE_MARGIN = 1_000
# Bytes kept for the "และอีก N รายการ" line when rows are left out to fit.
NOTE_RESERVE = 400

GREEN = "#1B5E20"
RED = "#C62828"
AMBER = "#E65100"
BLUE = "#1565C0"
GREY = "#757575"
MUTED = "#555555"
DARK = "#333333"
LIGHT = "#F1F8E9"
WHITE = "#FFFFFF"

Component = dict[str, Any]


def clip(text: str, limit: int) -> str:
    """Whitespace collapsed, at most `limit` characters (an ellipsis marks a cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


# ---------------------------------------------------------------- actions

def message_action(label: str, text: str) -> dict:
    """A button that sends `text` as if the officer typed it."""
    return {"type": "message", "label": clip(label, MAX_LABEL), "text": text[:MAX_ACTION_TEXT]}


def postback_action(label: str, data: str, display_text: str | None = None) -> dict:
    if len(data) > MAX_POSTBACK_DATA:
        raise ValueError("postback data over 300 characters")
    action = {"type": "postback", "label": clip(label, MAX_LABEL), "data": data}
    if display_text:
        action["displayText"] = display_text[:MAX_ACTION_TEXT]
    return action


def fill_in_action(label: str, fill_text: str) -> dict:
    """A button that opens the keyboard with `fill_text` typed in (the officer adds the rest)."""
    return {"type": "postback", "label": clip(label, MAX_LABEL), "data": "a=fill",
            "inputOption": "openKeyboard", "fillInText": fill_text[:MAX_ACTION_TEXT]}


def uri_action(label: str, uri: str) -> dict:
    """A button that opens a web page (e.g. the Google Sheet)."""
    return {"type": "uri", "label": clip(label, MAX_LABEL), "uri": uri}


def quick_reply(actions: Iterable[dict]) -> dict:
    items = [{"type": "action", "action": a} for a in list(actions)[:MAX_QUICK_REPLIES]]
    return {"items": items}


# ---------------------------------------------------------------- components

def text(value: str, *, size: str = "sm", color: str | None = None, bold: bool = False,
         wrap: bool = True, flex: int | None = None, align: str | None = None,
         margin: str | None = None, gravity: str | None = None) -> Component:
    # LINE refuses an empty text: a blank cell in the sheet still makes a valid message.
    value = str(value)
    if len(value) > MAX_COMPONENT_TEXT:
        value = value[:MAX_COMPONENT_TEXT - 1] + "…"
    component: Component = {"type": "text", "text": value or " ", "size": size, "wrap": wrap}
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
    if gravity:
        component["gravity"] = gravity
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
           header_lines: Sequence[Component] = (), footer: Sequence[Component] | None = None,
           color: str = GREEN, size: str = "mega") -> dict:
    """A card: a coloured header (title, subtitle, then `header_lines`), the body, an optional footer."""
    header_contents = [text(title, size="md", bold=True, color=WHITE)]
    if subtitle:
        header_contents.append(text(subtitle, size="xs", color=WHITE))
    header_contents.extend(header_lines)
    result: dict[str, Any] = {
        "type": "bubble", "size": size,
        "header": box(header_contents, backgroundColor=color, paddingAll="12px"),
        "body": box(body, spacing="sm"),
    }
    if footer:
        result["footer"] = box(footer, spacing="sm")
    return result


def carousel(bubbles: Sequence[dict], *, always: bool = False) -> dict:
    """One bubble as itself (unless `always`), several as a carousel (at most MAX_BUBBLES kept)."""
    if len(bubbles) == 1 and not always:
        return bubbles[0]
    return {"type": "carousel", "contents": list(bubbles[:MAX_BUBBLES])}


# ---------------------------------------------------------------- messages

def alt_text(value: str) -> str:
    """What LINE shows in the chat list and the notification: one line, at most 1,500 characters."""
    return clip(value, MAX_ALT_TEXT) or "กข.คจ. Care"


def text_message(value: str, quick: Iterable[dict] | None = None) -> dict:
    if utf16_len(value) > MAX_TEXT:
        value = _clip_utf16(value, MAX_TEXT - 1) + "…"
    message: dict[str, Any] = {"type": "text", "text": value}
    if quick:
        message["quickReply"] = quick_reply(quick)
    return message


def flex_message(alt: str, contents: dict, quick: Iterable[dict] | None = None) -> dict:
    """A Flex message; contents over LINE's limits are trimmed (callers page and count beforehand)."""
    if not fits(contents):
        contents = trim(contents)
    message: dict[str, Any] = {"type": "flex", "altText": alt_text(alt), "contents": contents}
    if quick:
        message["quickReply"] = quick_reply(quick)
    return message


# ---------------------------------------------------------------- sizes

def _measure(container: dict) -> tuple[int, int, int]:
    """(bytes of the container, bytes of its largest bubble, bubbles), each bubble dumped once."""
    if container.get("type") != "carousel":
        size = json_size(container)
        return size, size, 1
    sizes = [json_size(b) for b in container.get("contents", [])]
    # '"contents":[]' becomes '"contents":[b1,b2,...]': the bubbles plus the commas between them.
    total = json_size({**container, "contents": []}) + sum(sizes) + max(0, len(sizes) - 1)
    return total, max(sizes, default=0), len(sizes)


def _limit(container: dict) -> int:
    return (MAX_CAROUSEL_BYTES if container.get("type") == "carousel" else MAX_BUBBLE_BYTES) - SIZE_MARGIN


def fits(container: dict) -> bool:
    """Within LINE's limits for its kind (with SIZE_MARGIN to spare)."""
    total, largest, count = _measure(container)
    if container.get("type") == "carousel" and not 1 <= count <= MAX_BUBBLES:
        return False
    return total <= _limit(container) and largest <= MAX_BUBBLE_BYTES - SIZE_MARGIN


def trim(container: dict) -> dict:
    """The container cut to LINE's limits: trailing bubbles, then trailing body parts, dropped."""
    if container.get("type") == "carousel":
        bubbles = [trim(b) for b in container.get("contents", [])[:MAX_BUBBLES]]
        trimmed = {**container, "contents": bubbles}
        while len(bubbles) > 1 and not fits(trimmed):
            bubbles.pop()
        return trimmed
    body = container.get("body")
    if not isinstance(body, dict) or fits(container):
        return container
    contents = list(body.get("contents", []))
    trimmed = {**container, "body": {**body, "contents": contents}}
    while len(contents) > 1 and not fits(trimmed):
        contents.pop()
    return trimmed


def fitted(build: Callable[[int], dict], count: int, row_bytes: Callable[[int], int], *,
           least: int = 0, reserve: int = NOTE_RESERVE) -> tuple[dict, int]:
    """`build(shown)` for the largest `shown` (rows kept in order, at most `count`) that fits.

    All rows first. When that is too big, rows leave from the end until their bytes
    (`row_bytes(i)`) cover the excess plus `reserve` (room for the note counting them),
    then one at a time: one or two builds in practice, not one per row.
    """
    shown = count
    container = build(shown)
    estimated = False
    while shown > least and not fits(container):
        excess = _measure(container)[0] - _limit(container) + reserve
        if not estimated and excess > reserve:
            saved = 0
            while shown > least and saved < excess:
                shown -= 1
                saved += row_bytes(shown)
        else:
            shown -= 1
        estimated = True
        container = build(shown)
    return container, shown


def paged_list(title: str, rows: Sequence[Component], *, per_bubble: int, subtitle: str | None,
               top: Sequence[Component] = (), note: "Callable[[int], str | None] | None" = None,
               color: str = GREEN,
               max_bubbles: int = MAX_BUBBLES, counter: bool = True) -> tuple[dict, int]:
    """Rows packed into bubbles of `per_bubble` (at most `max_bubbles`).

    Returns (container, rows shown). The first bubble starts with `top` (totals);
    the last ends with `note(rows shown)` (e.g. "และอีก N รายการ — ..."); `counter`: each bubble's
    title says "(i/n)" (off when the caller counts pages itself: one counter). Should the
    container pass LINE's size limits, trailing rows are dropped until it fits.
    """
    per_bubble = max(1, per_bubble)
    most = min(len(rows), per_bubble * max(1, min(max_bubbles, MAX_BUBBLES)))

    def build(shown: int) -> dict:
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
            page = f" ({i + 1}/{len(chunks)})" if counter and len(chunks) > 1 else ""
            bubbles.append(bubble(title + page, body, subtitle=subtitle, color=color))
        return carousel(bubbles)

    return fitted(build, most, lambda i: json_size(rows[i]), least=min(1, most))


def _clip_utf16(value: str, units: int) -> str:
    """The longest prefix of `value` of at most `units` UTF-16 code units."""
    out, used = [], 0
    for char in value:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            break
        out.append(char)
    return "".join(out)
