"""messaging.flex: LINE's limits enforced in the one Flex module, every result checked by the LINE fake."""
from __future__ import annotations

import pytest

from messaging import flex
from messaging.base import (MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES, MAX_TEXT, json_size,
                            messages_to_text, utf16_len)
from tests.fakes.line_api import validate_request

USER = "U" + "a" * 32


def accepted(*messages: dict) -> list[dict]:
    """What LINE's OpenAPI description and documented limits say about a push of these messages."""
    return validate_request("PushMessageRequest", {"to": USER, "messages": list(messages)})


def row(n: int, width: int = 40) -> dict:
    return flex.box([flex.text(f"ผู้ยืม {n} " + "ก" * width, bold=True),
                     flex.text(f"สัญญา {n:05d} · ค้าง 1,000 บาท", size="xs", color=flex.RED)], spacing="none")


def test_alt_text_is_one_line_of_at_most_1500_characters():
    assert flex.alt_text("  สรุป\n กข.คจ.  ") == "สรุป กข.คจ."
    assert flex.alt_text("   ") == "กข.คจ. Care"   # LINE refuses an empty altText
    long = flex.alt_text("ก" * 2000)
    assert len(long) == MAX_ALT_TEXT and long.endswith("…")
    message = flex.flex_message("ข" * 3000, flex.bubble("x", [flex.text("y")]))
    assert len(message["altText"]) == MAX_ALT_TEXT and accepted(message) == []


def test_text_message_is_cut_at_5000_utf16_units():
    emoji = flex.text_message("😀" * 3000)            # 6,000 UTF-16 units
    assert utf16_len(emoji["text"]) <= MAX_TEXT and emoji["text"].endswith("…")
    thai = flex.text_message("ก" * 5000)               # exactly the limit: kept whole
    assert thai["text"] == "ก" * 5000
    assert flex.text_message("ก" * 5001)["text"] == "ก" * 4999 + "…"
    assert accepted(emoji, thai) == []


def test_components_are_what_line_accepts():
    card = flex.bubble("สรุป", [flex.field("ค้างชำระ", "1,000 บาท", color=flex.RED, bold=True), flex.separator(),
                                flex.text("", gravity="center")],
                       subtitle="อำเภอเมืองตราด", header_lines=[flex.text("หน้า 1/2", size="xs", color=flex.WHITE)],
                       footer=[flex.button(flex.uri_action("เปิดรายงานประจำเดือนของจังหวัด",
                                                           "https://docs.google.com/spreadsheets/d/x/edit"),
                                           style="link")])
    actions = [flex.message_action("ค้างชำระ", "ค้างชำระ"), flex.postback_action("ยืนยัน", "a=ok", "ยืนยัน"),
               flex.fill_in_action("ค้นหา", "ค้นหา ")]
    message = flex.flex_message("สรุป", card, quick=actions)
    assert accepted(message) == []
    label = card["footer"]["contents"][0]["action"]["label"]
    assert len(label) == flex.MAX_LABEL and label.startswith("เปิดรายงาน") and label.endswith("…")
    assert card["body"]["contents"][2]["text"] == " "                                   # never empty
    assert messages_to_text([message]).splitlines()[:3] == ["สรุป", "อำเภอเมืองตราด", "หน้า 1/2"]
    with pytest.raises(ValueError):
        flex.postback_action("x", "d" * 301)


def test_quick_reply_keeps_13_buttons():
    message = flex.text_message("เลือก", quick=[flex.message_action(str(n), str(n)) for n in range(20)])
    assert len(message["quickReply"]["items"]) == flex.MAX_QUICK_REPLIES and accepted(message) == []


def test_fits_counts_a_carousel_as_line_does():
    cards = [flex.bubble(f"หน้า {n}", [row(i) for i in range(8)]) for n in range(5)]
    container = flex.carousel(cards)
    assert flex._measure(container)[0] == json_size(container)        # summed, not dumped again
    assert flex.fits(container)
    assert not flex.fits({"type": "carousel", "contents": [cards[0]] * (MAX_BUBBLES + 1)})
    assert len(flex.carousel([cards[0]] * (MAX_BUBBLES + 1))["contents"]) == MAX_BUBBLES
    assert flex.carousel(cards[:1]) is cards[0] and flex.carousel(cards[:1], always=True)["type"] == "carousel"


def test_flex_message_trims_what_still_does_not_fit():
    huge = flex.bubble("ใหญ่", [row(i, width=2000) for i in range(20)])          # ~120 KB
    message = flex.flex_message("ใหญ่", huge)
    assert json_size(message["contents"]) <= MAX_BUBBLE_BYTES and accepted(message) == []
    assert 1 <= len(message["contents"]["body"]["contents"]) < 20
    wide = {"type": "carousel", "contents": [flex.bubble(f"{n}", [row(i, width=300) for i in range(8)])
                                             for n in range(14)]}
    message = flex.flex_message("กว้าง", wide)
    assert len(message["contents"]["contents"]) <= MAX_BUBBLES
    assert json_size(message["contents"]) <= MAX_CAROUSEL_BYTES and accepted(message) == []


def test_fitted_shows_the_most_rows_that_fit_in_few_builds():
    rows = [row(i, width=120) for i in range(200)]
    builds: list[int] = []

    def build(shown: int) -> dict:
        builds.append(shown)
        pages = [rows[i:i + 10] for i in range(0, shown, 10)] or [[]]
        return flex.carousel([flex.bubble("รายการ", page) for page in pages[:MAX_BUBBLES]], always=True)

    container, shown = flex.fitted(build, 120, lambda i: json_size(rows[i]))
    tries = len(builds)
    assert 0 < shown < 120 and flex.fits(container) and not flex.fits(build(shown + 1))
    assert tries <= 3                        # all rows, then the estimate (then a step or so): not a build per row
    assert accepted(flex.flex_message("รายการ", container)) == []


def test_paged_list_counts_what_it_leaves_out():
    rows = [row(i, width=150) for i in range(150)]
    container, shown = flex.paged_list("ค้างชำระ", rows, per_bubble=10, subtitle="อำเภอเมือง",
                                       top=[flex.text("150 สัญญา", bold=True)],
                                       note=lambda n: f"และอีก {len(rows) - n} รายการ" if n < len(rows) else None)
    assert 0 < shown < 120 and flex.fits(container)
    text = messages_to_text([flex.flex_message("ค้างชำระ", container)])
    assert f"และอีก {150 - shown} รายการ" in text and text.startswith("ค้างชำระ (1/")
