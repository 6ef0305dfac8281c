"""Every reply fits LINE's limits or falls back to short plain text, and no whole citizen id leaves in a
reply or the webhook's logs, whatever cell it was typed into. Through the LINE fake, which holds every
body to messaging-api.yml and LINE's documented sizes (a bubble 30 KB, a carousel 50 KB, ...)."""
from __future__ import annotations

import json
import logging
from typing import Any, Iterator

import pytest

from handlers.runtime import FALLBACK_NOTE
from messaging.flex import MAX_COMPONENT_TEXT
from tests.chat_support import Webhook, load_province, make_runtime, postback_data, text_of
from tests.sheetdata import USER_OF01, USER_PV01, tiny_province
from tests.test_repayment_once import RECORDED

LONG_NAME = "นาย" + "ก" * 10_000


def shown_texts(messages: list[dict]) -> list[str]:
    """Every string of a reply that a person reads (not the postback data the app sends back)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "altText", "label", "displayText", "fillInText") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(messages)
    return found


@pytest.fixture
def long_name_hook(sheets_fake, line_fake) -> Iterator[Webhook]:
    data = tiny_province()
    data["loans"][0]["borrower_name"] = LONG_NAME     # F1-001, in OF-01's district
    load_province(sheets_fake, data)
    yield Webhook(make_runtime(sheets_fake, line_fake), line_fake)


@pytest.mark.parametrize("text", ["ค้นหา F1-001", "ค้นหา นายก", "ค้นหา นาย", "ชำระ F1-001 500", "ครบกำหนด 30",
                                  "ค้างชำระ"])
def test_a_ten_thousand_character_name_is_cut_and_answered(long_name_hook, line_fake, text):
    messages = long_name_hook.say(USER_OF01, text)
    assert line_fake.violations == []                    # LINE took the reply as it was built
    assert messages[0]["type"] == "flex" and FALLBACK_NOTE not in text_of(messages)
    assert "ขออภัย" not in text_of(messages)
    if text != "ค้างชำระ":                                # F1-001 is not overdue
        assert "กก…" in text_of(messages)
    assert all(len(t) <= MAX_COMPONENT_TEXT for t in shown_texts(messages))


def test_who_has_paid_fits_lines_limits_with_a_long_name_and_many_repayments(sheets_fake, line_fake):
    import datetime as dt

    from tests.sheetdata import TODAY

    data = tiny_province()
    data["loans"][0]["borrower_name"] = LONG_NAME
    data["payments"] += [{"contract_no": "F1-001", "paid_date": TODAY - dt.timedelta(days=i % 7), "amount": 10,
                          "receipt_no": "R" + "๙" * 40 + str(i)} for i in range(400)]
    load_province(sheets_fake, data)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    for text in ("รับชำระล่าสุด", "รับชำระล่าสุด หน้า 2", "รับชำระล่าสุด หน้า 14"):
        messages = hook.say(USER_OF01, text)
        assert line_fake.violations == [] and messages[0]["type"] == "flex", text
        assert FALLBACK_NOTE not in text_of(messages) and "ขออภัย" not in text_of(messages)
        assert all(len(t) <= MAX_COMPONENT_TEXT for t in shown_texts(messages))
    assert "400 รายการ รวม 4,000 บาท" in text_of(hook.say(USER_OF01, "รับชำระล่าสุด"))


def test_a_repayment_for_a_ten_thousand_character_name_is_confirmed_and_recorded(long_name_hook, line_fake):
    card = long_name_hook.say(USER_OF01, "ชำระ F1-001 500")
    done = long_name_hook.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก"))
    assert RECORDED in text_of(done) and "กก…" in text_of(done)
    assert line_fake.violations == []


def test_a_reply_line_still_refuses_falls_back_to_short_plain_text(long_name_hook, line_fake, caplog):
    long_name_hook.say(USER_OF01, "เมนู")                  # warm: the next LINE request is the reply itself
    line_fake.fail_next(400, message="The request body has 1 error(s)")
    with caplog.at_level(logging.WARNING, logger="kkc"):
        messages = long_name_hook.say(USER_OF01, "ค้นหา F1-001")
    assert len(messages) == 1 and messages[0]["type"] == "text" and "quickReply" not in messages[0]
    text = messages[0]["text"]
    assert FALLBACK_NOTE in text and "สัญญา F1-001" in text and len(text) <= 1_000 + len(FALLBACK_NOTE) + 2
    statuses = [r.status for r in line_fake.requests_to("/v2/bot/message/reply")]
    assert statuses[-2:] == [400, 200]                  # the refused reply, then one fallback with the same token
    assert "sent again as plain text" in caplog.text


def test_a_spent_reply_token_gets_no_fallback(long_name_hook, line_fake, caplog):
    long_name_hook.say(USER_OF01, "เมนู")
    line_fake.fail_next(400, message="Invalid reply token")
    with caplog.at_level(logging.ERROR, logger="kkc"):
        assert long_name_hook.say(USER_OF01, "เมนู") == []
    assert [r.status for r in line_fake.requests_to("/v2/bot/message/reply")][-1] == 400
    assert "reply failed" in caplog.text


# ---------------------------------------------------------------- citizen ids, whatever cell they are in

ID_IN_NAME, ID_IN_VILLAGE, ID_IN_DATE, ID_IN_CONTRACT_NOTE = ("3100500123456", "3-1005-00123-45-7",
                                                               "3100500123458", "๓๑๐๐๕๐๐๑๒๓๔๕๙")
EVERY_FORM = [ID_IN_NAME, ID_IN_VILLAGE, ID_IN_DATE, ID_IN_CONTRACT_NOTE, "3100500123457", "3100500123459"]


def test_no_whole_citizen_id_in_any_reply_or_log(sheets_fake, line_fake, caplog):
    data = tiny_province()
    data["loans"][0]["borrower_name"] = f"นายหนึ่ง {ID_IN_NAME}"          # an id typed after a name
    data["funds"][0]["village_name"] = f"บ้านบางพระ {ID_IN_VILLAGE}"       # into a fund's village
    data["loans"][1]["due_date"] = ID_IN_DATE                              # into a date cell
    data["officers"][0]["name"] = f"สมศรี มีสุข {ID_IN_CONTRACT_NOTE}"      # Thai digits, an officer's name
    load_province(sheets_fake, data)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    replies: list[dict] = []
    with caplog.at_level(logging.DEBUG):
        for number, (user, text) in enumerate(((USER_OF01, "ค้นหา หนึ่ง"), (USER_OF01, "ค้นหา F1-002"), (USER_OF01, "ค้างชำระ"),
                           (USER_OF01, "ครบกำหนด 30"), (USER_OF01, "กองทุน 230101-01"), (USER_OF01, "ตรวจสอบ"),
                           (USER_OF01, "สรุป"), (USER_OF01, "เมนู"), (USER_OF01, "สวัสดี"), (USER_PV01, "ค้นหา ทดสอบ"),
                           (USER_PV01, "ตรวจสอบ"))):
            # Event ids are logged: these hold no long run of digits that could pass for an id.
            replies += hook.say(user, text, event_id=f"01HXKKCEVENT{chr(65 + number)}QRSTVWXYZABCD")
        card = hook.say(USER_OF01, "ชำระ F1-001 100")
        replies += card + hook.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก"))
    shown = "\n".join(shown_texts(replies))
    assert "x-xxxx-xxxx3-45-6" in shown and "x-xxxx-xxxx3-45-7" in shown  # masked, last digits kept
    assert "x-xxxx-xxxx3-45-9" in shown                                  # the Thai digits too
    for citizen_id in EVERY_FORM:
        assert citizen_id not in shown, citizen_id
        assert citizen_id not in caplog.text, citizen_id
    assert line_fake.violations == []
    everything = json.dumps(replies, ensure_ascii=False)
    assert "บ้านบางพระ" in everything and "นายหนึ่ง" in everything     # the rest of the text is untouched
