"""The daily digest: order, counts, LINE's limits, overflow, plain text (reminders.digest)."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from messaging.base import MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES, json_size, messages_to_text
from reminders.digest import (Digest, DigestItem, alt_text, card_postback, counts_line, digest_messages,
                              digest_text, render_digest, seq_label, village_label)
from tests.fakes.line_api import validate_request

RUN = dt.date(2026, 11, 26)   # 26 พ.ย. 2569
USER = "U" + "a" * 32


def item(no: str, due: dt.date, amount: str = "4000", seq: int = 1, of: int = 1,
         name: str = "นางสอง ทดสอบ", village: str = "บ้านบางพระ หมู่ 1") -> DigestItem:
    return DigestItem(no, seq, of, name, village, Decimal(amount), due)


def day(offset: int) -> dt.date:
    return RUN + dt.timedelta(days=offset)


def accepted_by_line(messages: list[dict]) -> list[dict]:
    """What LINE's OpenAPI description and documented size limits say about a push of these messages."""
    return validate_request("PushMessageRequest", {"to": USER, "messages": messages})


def bubbles(messages: list[dict]) -> list[dict]:
    [message] = messages
    assert message["type"] == "flex" and message["contents"]["type"] == "carousel"
    return message["contents"]["contents"]


MIXED = [
    item("B-7", day(7), "10000"),            # due in 7 days
    item("O-1", day(-1), "5000"),            # 1 day overdue
    item("T-0", day(0), "4000", seq=3, of=3),  # due today
    item("O-31", day(-31), "2000", seq=2, of=3),  # 31 days overdue
    item("B-1", day(1), "1500.50"),          # due tomorrow
]


def test_items_most_urgent_first_with_counts_by_kind():
    digest = Digest(RUN, list(MIXED), unreadable=0)
    assert [line.contract_no for line in digest.lines()] == ["O-31", "O-1", "T-0", "B-1", "B-7"]
    assert counts_line(digest.counts()) == "เกินกำหนด 2 · ครบกำหนดวันนี้ 1 · ใกล้ครบกำหนด 2"

    messages = digest_messages(digest)
    assert accepted_by_line(messages) == []
    text = messages_to_text(messages)
    assert text.index("O-31") < text.index("O-1") < text.index("T-0") < text.index("B-1") < text.index("B-7")
    assert "26 พ.ย. 2569" in text                                 # the run date in B.E.
    assert "เกินกำหนด 2 · ครบกำหนดวันนี้ 1 · ใกล้ครบกำหนด 2" in text
    # One item says everything the officer needs, in Thai.
    assert "นางสอง ทดสอบ" in text and "บ้านบางพระ หมู่ 1" in text
    assert "สัญญา O-31 งวดที่ 2/3" in text
    assert "ชำระ 2,000 บาท · ครบกำหนด 26 ต.ค. 2569 (เกินกำหนด 31 วัน)" in text
    assert "ชำระ 1,500.50 บาท · ครบกำหนด 27 พ.ย. 2569 (อีก 1 วัน)" in text
    assert "(ครบกำหนดวันนี้)" in text
    # Quick replies ask the bot (free replies) for the full lists.
    actions = [q["action"] for q in messages[0]["quickReply"]["items"]]
    assert actions == [{"type": "message", "label": "ค้างชำระ", "text": "ค้างชำระ"},
                       {"type": "message", "label": "ครบกำหนด", "text": "ครบกำหนด"}]


def test_alt_text_summarises_the_counts_within_the_limit():
    digest = Digest(RUN, list(MIXED), unreadable=3)
    alt = alt_text(digest)
    assert alt == ("แจ้งเตือนลูกหนี้ กข.คจ. 26 พ.ย. 2569: เกินกำหนด 2 · ครบกำหนดวันนี้ 1 · "
                   "ใกล้ครบกำหนด 2 · ข้อมูล 3 แถวต้องแก้ไข")
    assert digest_messages(digest)[0]["altText"] == alt
    assert len(alt) <= MAX_ALT_TEXT


def test_unreadable_rows_are_mentioned_in_the_header_and_the_text():
    digest = Digest(RUN, [item("O-1", day(-1))], unreadable=2)
    text = messages_to_text(digest_messages(digest))
    assert "ข้อมูล 2 แถวต้องแก้ไข" in text
    assert "ข้อมูล 2 แถวต้องแก้ไข" in digest_text(digest)
    assert "แถวต้องแก้ไข" not in digest_text(Digest(RUN, [item("O-1", day(-1))], unreadable=0))


@pytest.mark.parametrize("per_bubble", [3, 5])
def test_what_does_not_fit_12_bubbles_is_counted_with_a_quick_reply(per_bubble):
    capacity = MAX_BUBBLES * per_bubble
    items = [item(f"C-{n:03d}", day(-1 - n % 40)) for n in range(capacity + 14)]
    rendered = render_digest(Digest(RUN, items), per_bubble)
    assert len(rendered.shown) == capacity and len(rendered.hidden) == 14
    cards = bubbles(rendered.messages)
    assert len(cards) == MAX_BUBBLES
    last_text = messages_to_text([{"type": "flex", "altText": "x", "contents": cards[-1]}])
    assert "และอีก 14 รายการ — พิมพ์ ค้างชำระ เพื่อดูทั้งหมด" in last_text
    assert rendered.messages[0]["quickReply"]["items"][0]["action"]["text"] == "ค้างชำระ"
    assert accepted_by_line(rendered.messages) == []
    # The plain text shows the same items and the same overflow line.
    text = digest_text(Digest(RUN, items), per_bubble)
    assert text.count(" · สัญญา C-") == capacity
    assert text.rstrip().endswith("และอีก 14 รายการ — พิมพ์ ค้างชำระ เพื่อดูทั้งหมด")


def test_overflow_of_upcoming_items_asks_for_the_due_list():
    items = [item(f"C-{n:03d}", day(1 + n % 7)) for n in range(MAX_BUBBLES * 2 + 3)]
    rendered = render_digest(Digest(RUN, items), 2)
    assert len(rendered.hidden) == 3
    assert "และอีก 3 รายการ — พิมพ์ ครบกำหนด เพื่อดูทั้งหมด" in messages_to_text(rendered.messages)
    assert [q["action"]["text"] for q in rendered.messages[0]["quickReply"]["items"]] == ["ครบกำหนด"]


def test_long_names_shrink_what_is_shown_to_stay_within_50_kb():
    long_name = "นางสาว" + "กขคงจฉชซฌญ" * 4 + " " + "ฎฏฐฑฒณดตถท" * 4
    items = [item(f"230101-13/2568/{n:03d}", day(-n % 30 - 1), "123456.75", seq=3, of=12, name=long_name,
                  village="บ้าน" + "สลักลำดวน" * 3 + " หมู่ 13") for n in range(120)]
    rendered = render_digest(Digest(RUN, items, unreadable=7), 8)
    carousel = rendered.messages[0]["contents"]
    assert json_size(carousel) <= MAX_CAROUSEL_BYTES
    assert all(json_size(b) <= MAX_BUBBLE_BYTES for b in carousel["contents"])
    assert 0 < len(rendered.shown) < 96 and len(rendered.shown) + len(rendered.hidden) == 120
    assert f"และอีก {len(rendered.hidden)} รายการ" in messages_to_text(rendered.messages)
    assert accepted_by_line(rendered.messages) == []


def test_a_digest_is_one_message_object_and_never_holds_a_citizen_id():
    # DigestItem has no field for a citizen id: nothing to leak by construction.
    assert "citizen_id" not in DigestItem.__dataclass_fields__
    messages = digest_messages(Digest(RUN, list(MIXED), unreadable=1))
    assert len(messages) == 1 <= 5
    assert "เลขประจำตัว" not in json.dumps(messages, ensure_ascii=False)


def test_a_blank_name_or_village_still_makes_a_valid_message():
    messages = digest_messages(Digest(RUN, [item("X-1", day(-3), name="  ", village="")]))
    assert accepted_by_line(messages) == []
    assert "(ไม่ได้กรอกชื่อผู้ยืม)" in messages_to_text(messages)


def test_village_label():
    assert village_label("บ้านบางพระ", 1) == "บ้านบางพระ หมู่ 1"
    assert village_label("  หนองเสม็ด ", 3) == "บ้านหนองเสม็ด หมู่ 3"
    assert village_label("บ้านเขาสมิง", None) == "บ้านเขาสมิง"


# -- one line per contract (issue 10): at a glance, and each line opens the borrower's card --------
def six_installments(no: str = "C-6", first_due: int = -75, name: str = "นางหก ผ่อนนาน") -> list[DigestItem]:
    """Installments 1/6 to 6/6 of one contract, a month apart: three overdue, one due today, two ahead."""
    return [item(no, day(first_due + 25 * k), "1000", seq=k + 1, of=6, name=name) for k in range(6)]


def test_a_contract_is_one_line_its_installments_summed_the_oldest_date_shown():
    digest = Digest(RUN, six_installments() + [item("O-1", day(-1), "5000")])
    [contract, other] = digest.lines()
    assert contract.contract_no == "C-6" and other.contract_no == "O-1"      # 75 days overdue first
    assert [i.seq for i in contract.items] == [1, 2, 3, 4, 5, 6] and contract.amount == Decimal("6000")
    assert contract.due_date == day(-75) and contract.kind(RUN) == "overdue"
    assert digest.counts() == {"overdue": 2, "due_today": 0, "before_due": 0}  # contracts, not installments
    text = digest_text(digest)
    assert text.count("C-6") == 1 and text.count("นางหก ผ่อนนาน") == 1
    assert "สัญญา C-6 งวดที่ 1–6/6" in text
    assert "ชำระรวม 6,000 บาท (6 งวด) · งวดแรกครบกำหนด 12 ก.ย. 2569 (เกินกำหนด 75 วัน)" in text
    assert "ชำระ 5,000 บาท · ครบกำหนด 25 พ.ย. 2569 (เกินกำหนด 1 วัน)" in text
    # The 8-line bubble that held six installments of one borrower now holds two contracts.
    rendered = render_digest(digest, 8)
    assert [line.contract_no for line in rendered.shown] == ["C-6", "O-1"] and not rendered.hidden
    assert accepted_by_line(rendered.messages) == []


def test_the_most_urgent_contract_first_judged_by_its_oldest_installment():
    items = [item("SOON", day(2)), item("LATE", day(20), seq=2, of=2), item("LATE", day(-3), seq=1, of=2),
             item("TODAY", day(0)), item("LATER", day(-1))]
    lines = Digest(RUN, items).lines()
    assert [line.contract_no for line in lines] == ["LATE", "LATER", "TODAY", "SOON"]
    assert [i.seq for i in lines[0].items] == [1, 2]
    assert seq_label([5, 1, 2, 3]) == "1–3, 5" and seq_label([2]) == "2" and seq_label([2, 4]) == "2, 4"


def test_each_line_asks_the_chat_for_the_borrowers_card():
    messages = digest_messages(Digest(RUN, six_installments() + [item("230101-13/2568/01", day(3))]))
    lines = [c for b in bubbles(messages) for c in b["body"]["contents"] if c.get("action")]
    assert len(lines) == 2
    for line in lines:
        action = line["action"]
        contract = "C-6" if "C-6" in json.dumps(line, ensure_ascii=False) else "230101-13/2568/01"
        assert action["type"] == "postback" and action["data"] == card_postback(contract)
        assert action["displayText"] == f"ค้นหา {contract}" and len(action["data"]) <= 300
    assert accepted_by_line(messages) == []
    assert "แตะที่รายการเพื่อดูข้อมูลสัญญา" in messages_to_text(messages)


def test_a_tapped_line_opens_the_borrowers_card_in_the_chat(sheets_fake, line_fake):
    """The digest's postback, signed and sent to the webhook as LINE would: the card of that contract."""
    from tests.chat_support import Webhook, load_province, make_runtime
    from tests.sheetdata import USER_OF01

    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    [line] = Digest(RUN, [item("F1-002", day(-31), "2000", seq=2, of=3)]).lines()
    answer = hook.tap(USER_OF01, card_postback(line.contract_no))
    text = messages_to_text(answer)
    assert "นางสอง ทดสอบ" in text and "F1-002" in text and "ไม่เข้าใจ" not in text
    assert answer[0]["type"] == "flex"
