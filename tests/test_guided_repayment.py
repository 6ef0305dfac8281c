"""The guided repayment end to end through signed webhook events: บันทึกรับชำระ → a fund → a borrower →
the amount → LINE's date picker (postback.params.date) → the receipt number → the confirm card →
recorded once; and ยกเลิกรายการ: a reversing row, once, only by its officer, only within 24 hours.
The tiny province (tests/sheetdata.py): OF-01 in เมืองตราด, today 26 Nov 2026."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chat.guided import parse_named_pay
from chat.terminal import actions_of
from tests.chat_support import (NOW, Webhook, base_event, load_province, make_runtime, postback_data, text_of)
from tests.conftest import SPREADSHEET_ID
from tests.sheetdata import USER_OF01, USER_OF02


@pytest.fixture
def hook(sheets_fake, line_fake):
    load_province(sheets_fake)
    yield Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    assert line_fake.violations == [], line_fake.violations


def payment_rows(sheets_fake: Any) -> list[dict[str, str]]:
    rows = sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def pick_date(hook: Webhook, user: str, messages: list[dict], date: str) -> list[dict]:
    """Tap the date picker of `messages` and choose `date`: LINE sends the picker's data with params.date."""
    picker = next(a for a in actions_of(messages) if a.get("type") == "datetimepicker")
    assert picker["mode"] == "date" and picker["max"] == "2026-11-26" and picker["initial"] == "2026-11-26"
    before = len(hook.line.replies)
    event = base_event("postback", user, replyToken=hook.line.new_reply_token(user),
                       postback={"data": picker["data"], "params": {"date": date}})
    assert hook.post([event]).status_code == 200
    return [m for reply in hook.line.replies[before:] for m in reply.messages]


def guided_to_confirm(hook: Webhook, user: str = USER_OF01) -> list[dict]:
    """Every step as an officer taps and types it, up to the confirm card."""
    funds = hook.say(user, "บันทึกรับชำระ")
    assert "เลือกกองทุน" in text_of(funds)
    carousel = hook.tap(user, postback_data(funds, "บ้านบางพระ ม.1"))
    text = text_of(carousel)
    assert "เลือกผู้ยืม" in text and "นางสอง ทดสอบ" in text and "ค้างชำระ" in text
    # The most in arrears first: นางสอง (F1-002, 6,000 in arrears) before นายหนึ่ง.
    assert text.index("นางสอง") < text.index("นายหนึ่ง")
    labels = [a["label"] for a in actions_of(carousel)]
    assert len(set(labels)) == len(labels)                 # a button per borrower, no two alike
    asked = hook.tap(user, postback_data(carousel, "รับชำระ F1-002"))
    assert "จำนวนเงิน" in text_of(asked) and "F1-002" in text_of(asked)
    dated = hook.say(user, "1,500 บาท")
    assert "วันที่รับเงิน" in text_of(dated) and "1,500" in text_of(dated)
    receipt = pick_date(hook, user, dated, "2026-11-25")
    assert "เลขที่ใบรับเงิน" in text_of(receipt)
    return hook.say(user, "R-123")


def test_the_guided_repayment_ends_in_the_confirm_card_and_records_once_with_its_receipt(hook, sheets_fake):
    before = len(payment_rows(sheets_fake))
    confirm = guided_to_confirm(hook)
    text = text_of(confirm)
    assert "ยืนยันบันทึกรับชำระ" in text and "1,500 บาท" in text and "25 พ.ย. 2569" in text and "R-123" in text
    assert len(payment_rows(sheets_fake)) == before  # nothing written before the confirm
    data = postback_data(confirm, "ยืนยันบันทึก")
    done = hook.tap(USER_OF01, data)
    assert "บันทึกรับชำระแล้ว" in text_of(done) and "R-123" in text_of(done)
    again = hook.tap(USER_OF01, data)
    assert "ไม่ได้บันทึกซ้ำ" in text_of(again)
    rows = payment_rows(sheets_fake)
    assert len(rows) == before + 1
    row = rows[-1]
    assert row["เลขที่สัญญา"] == "F1-002" and row["เลขที่ใบรับเงิน"] == "R-123" and row["ช่องทาง"] == "LINE"
    assert row["ผู้บันทึก"] == "OF-01" and float(str(row["จำนวนเงิน (บาท)"]).replace(",", "")) == 1500


def test_the_receipt_can_be_skipped_and_the_picker_can_be_today(hook, sheets_fake):
    funds = hook.say(USER_OF01, "บันทึกรับชำระ บางพระ")   # a place typed with the command: straight to its borrowers
    assert "เลือกผู้ยืม" in text_of(funds)
    asked = hook.tap(USER_OF01, postback_data(funds, "รับชำระ F1-002"))
    dated = hook.tap(USER_OF01, postback_data(asked, "ค้าง 6,000"))      # a suggested amount: no typing
    receipt = hook.tap(USER_OF01, postback_data(dated, "วันนี้ 26 พ.ย. 2569"))
    confirm = hook.tap(USER_OF01, postback_data(receipt, "ข้าม"))
    text = text_of(confirm)
    assert "6,000 บาท" in text and "26 พ.ย. 2569" in text and "ยืนยันบันทึกรับชำระ" in text


def test_a_typed_fund_name_and_a_wrong_amount_are_asked_again(hook):
    hook.say(USER_OF01, "บันทึกรับชำระ")
    carousel = hook.say(USER_OF01, "หนองเสม็ด")
    assert "เลือกผู้ยืม" in text_of(carousel) and "นายสาม ทดสอบ" in text_of(carousel)
    hook.tap(USER_OF01, postback_data(carousel, "รับชำระ F2-001"))
    assert "อ่านจำนวนเงินไม่ได้" in text_of(hook.say(USER_OF01, "หนึ่งพัน"))
    assert "มากกว่ายอดคงค้าง" in text_of(hook.say(USER_OF01, "999,999"))
    assert "วันที่รับเงิน" in text_of(hook.say(USER_OF01, "500"))


def test_started_from_a_borrowers_card(hook):
    card = hook.say(USER_OF01, "ค้นหา นายหนึ่ง")
    asked = hook.tap(USER_OF01, postback_data(card, "บันทึกรับชำระ"))
    assert "ขั้นที่ 3/5" in text_of(asked) and "F1-001" in text_of(asked)


def test_a_typed_amount_on_another_instance_is_asked_again_and_nothing_is_written(sheets_fake, line_fake):
    load_province(sheets_fake)
    first, second = (Webhook(make_runtime(sheets_fake, line_fake), line_fake) for _ in range(2))
    asked = first.say(USER_OF01, "ชำระ F1-002")
    assert "จำนวนเงิน" in text_of(asked)
    before = len(payment_rows(sheets_fake))
    lost = second.say(USER_OF01, "1500")      # the next event landed on an instance that did not ask
    assert "ไม่ทราบว่าข้อความนี้เป็นของรายการรับชำระใด" in text_of(lost) and "ยังไม่ได้บันทึก" in text_of(lost)
    assert len(payment_rows(sheets_fake)) == before
    # The buttons carry their state: the last step's button works on any instance.
    assert "วันที่รับเงิน" in text_of(second.tap(USER_OF01, postback_data(asked, "ค้าง 6,000")))
    assert line_fake.violations == []


def test_the_typed_command_takes_a_receipt_number(hook):
    text = text_of(hook.say(USER_OF01, "ชำระ F1-002 1,000 25/11/69 ใบรับ R-77"))
    assert "ยืนยันบันทึกรับชำระ" in text and "R-77" in text and "25 พ.ย. 2569" in text


# ---------------------------------------------------------------- a borrower named, not a contract number

def test_a_repayment_typed_with_the_borrowers_name_is_recorded_once(hook, sheets_fake):
    before = len(payment_rows(sheets_fake))
    confirm = hook.say(USER_OF01, "ชำระ นางสอง 1,500 25/11/69 ใบรับ R-31")
    text = text_of(confirm)
    assert "ยืนยันบันทึกรับชำระ" in text and "นางสอง ทดสอบ" in text and "F1-002" in text
    assert "1,500 บาท" in text and "25 พ.ย. 2569" in text and "R-31" in text
    assert len(payment_rows(sheets_fake)) == before  # nothing written before the confirm
    done = hook.tap(USER_OF01, postback_data(confirm, "ยืนยันบันทึก"))
    assert "บันทึกรับชำระแล้ว" in text_of(done)
    rows = payment_rows(sheets_fake)
    assert len(rows) == before + 1
    assert rows[-1]["เลขที่สัญญา"] == "F1-002" and rows[-1]["เลขที่ใบรับเงิน"] == "R-31"


def test_a_name_several_contracts_share_offers_each_open_one_with_what_was_typed(hook, sheets_fake):
    before = len(payment_rows(sheets_fake))
    picked = hook.say(USER_OF01, "ชำระ ทดสอบ 500 เมื่อวาน ใบรับ R-8")   # every borrower here is a ทดสอบ
    text = text_of(picked)
    assert "รับชำระ 500 บาท: เลือกผู้ยืม" in text and "พบ 3 สัญญา" in text
    assert "นายหนึ่ง ทดสอบ" in text and "นางสอง ทดสอบ" in text and "นายสาม ทดสอบ" in text
    assert "นางสี่" not in text                        # closed: nothing to pay
    assert "นายห้า" not in text and "F3-" not in text  # another district's borrowers are not found
    buttons = {a["label"]: a for a in actions_of(picked) if a["label"].startswith("รับชำระ")}
    assert set(buttons) == {"รับชำระ F1-001", "รับชำระ F1-002", "รับชำระ F2-001"}
    # Each button is the typed command with its contract number and the day (not "yesterday" again).
    tap = buttons["รับชำระ F1-002"]
    assert tap["type"] == "message" and tap["text"] == "ชำระ F1-002 500.00 25/11/2569 ใบรับ R-8"
    confirm = hook.say(USER_OF01, tap["text"])
    text = text_of(confirm)
    assert "ยืนยันบันทึกรับชำระ" in text and "F1-002" in text and "500 บาท" in text and "25 พ.ย. 2569" in text
    assert "R-8" in text
    assert len(payment_rows(sheets_fake)) == before


def test_a_borrowers_name_without_an_amount_goes_on_to_the_amount(hook):
    asked = hook.say(USER_OF01, "ชำระ นางสอง")
    assert "ขั้นที่ 3/5" in text_of(asked) and "F1-002" in text_of(asked)
    at_first = hook.say(USER_OF01, "บันทึกรับชำระ")
    assert "หรือชื่อผู้ยืม" in text_of(at_first)
    typed = hook.say(USER_OF01, "นายหนึ่ง")             # typed at step 1 instead of a fund
    assert "ขั้นที่ 3/5" in text_of(typed) and "F1-001" in text_of(typed)
    several = hook.say(USER_OF01, "ชำระ ทดสอบ")
    assert "ขั้นที่ 2/5: เลือกผู้ยืม" in text_of(several) and "นางสี่" not in text_of(several)
    asked = hook.tap(USER_OF01, postback_data(several, "รับชำระ F2-001"))
    assert "ขั้นที่ 3/5" in text_of(asked) and "F2-001" in text_of(asked)
    nobody = hook.say(USER_OF01, "ชำระ นายห้า")          # another district's borrower: not found
    assert "ไม่พบกองทุนหรือผู้ยืม" in text_of(nobody)


@pytest.mark.parametrize("typed", ["นางสอง จ่าย 1,500 25/11/69", "นางสองโอนมา 1500 บาท 25/11/69",
                                   "นางสอง ทดสอบ ชำระแล้ว ๑,๕๐๐ 25/11/69", "ชำระ นางสอง 1,500 บาทเมื่อวาน"])
def test_a_repayment_said_borrower_first_goes_to_the_same_confirm_card(hook, sheets_fake, typed):
    before = len(payment_rows(sheets_fake))
    text = text_of(hook.say(USER_OF01, typed))
    assert "ยืนยันบันทึกรับชำระ" in text and "F1-002" in text and "1,500 บาท" in text and "25 พ.ย. 2569" in text
    assert len(payment_rows(sheets_fake)) == before      # nothing written before the confirm


@pytest.mark.parametrize("typed", ["รับเงินจากนางสอง 1,500 25/11/69", "บันทึกการชำระเงินของนางสอง 1,500 บาท 25/11/69",
                                   "ชำระ คุณสอง 1500 25/11/69", "ป้าสอง จ่าย 1,500 25/11/69",
                                   "ช่วยบันทึกให้หน่อย นางสอง จ่าย 1,500 25/11/69", "ชำระ นางสอง โอนมา 1,500 25/11/69",
                                   "ช่วยบันทึกว่านางสอง ทดสอบจ่าย 1,500 บาท25/11/69", "บันทึกว่า นางสอง 1500"
                                   " บาท 25/11/69"])
def test_a_word_before_the_borrowers_name_is_looked_past(hook, sheets_fake, typed):
    # จาก ของ คุณ ป้า … are not part of the name: taken off only when the whole finds nobody.
    before = len(payment_rows(sheets_fake))
    text = text_of(hook.say(USER_OF01, typed))
    assert "ยืนยันบันทึกรับชำระ" in text and "F1-002" in text and "1,500 บาท" in text and "25 พ.ย. 2569" in text
    assert len(payment_rows(sheets_fake)) == before
    several = text_of(hook.say(USER_OF01, "รับเงินจากทดสอบ 500"))    # the name is said back as it found them
    assert "ที่ตรงกับ ทดสอบ" in several and "จากทดสอบ" not in several
    assert "ไม่พบผู้ยืมชื่อนี้" in text_of(hook.say(USER_OF01, "รับเงินจากนายห้า 500"))   # another district's


def test_a_repayment_said_borrower_first_of_nobody_here_is_not_found(hook):
    elsewhere, nobody = text_of(hook.say(USER_OF01, "นายห้า จ่าย 500")), text_of(hook.say(USER_OF01, "ไม่มีใคร จ่าย 500"))
    assert "ไม่พบผู้ยืมชื่อนี้ในพื้นที่ของท่าน" in elsewhere and elsewhere == nobody   # another district's: the same words
    assert "นายห้า" not in elsewhere


@pytest.mark.parametrize("typed,expect", [
    ("สมศรี 1,500 บาท เมื่อวาน ใบรับ R-1", ("สมศรี", Decimal(1500), dt.date(2026, 11, 25), "เมื่อวาน", "R-1")),
    ("นาง สมศรี มีสุข ๕๐๐", ("นาง สมศรี มีสุข", Decimal(500), dt.date(2026, 11, 26), "", "")),
    ("สมชาย หมู่ 3 500", ("สมชาย หมู่ 3", Decimal(500), dt.date(2026, 11, 26), "", "")),   # a number in the name
    ("สมชาย หมู่ 3 500 1/11/69", ("สมชาย หมู่ 3", Decimal(500), dt.date(2026, 11, 1), "1/11/69", "")),
    ("สมศรี มีสุข", ("สมศรี มีสุข", None, dt.date(2026, 11, 26), "", "")),
])
def test_a_named_repayment_is_read_as_people_type_it(typed, expect):
    assert parse_named_pay(typed, dt.date(2026, 11, 26)) == expect


def test_a_named_repayment_with_a_date_that_cannot_be_read_says_so():
    said = parse_named_pay("สมศรี 500 32/13/69", dt.date(2026, 11, 26))
    assert isinstance(said, str) and said.startswith("อ่านวันที่ชำระไม่ได้: 32/13/69")


@pytest.mark.parametrize("typed", ["หน้า 2 นายห้า ทดสอบ", "หน้า 2 230113-14/2568/04", "สมศรี 500 F3-001"])
def test_a_named_repayment_repeats_no_unreadable_date_that_is_not_shaped_like_one(typed):
    """What sits where the date goes may be another district's borrower or contract: not repeated."""
    said = parse_named_pay(typed, dt.date(2026, 11, 26))
    assert isinstance(said, str) and said.startswith("อ่านวันที่ชำระไม่ได้ (ใช้รูปแบบ")
    assert typed.split()[-1] not in said


# ---------------------------------------------------------------- undo

def recorded(hook: Webhook, user: str = USER_OF01) -> list[dict]:
    confirm = hook.say(user, "ชำระ F1-002 1,500 ใบรับ R-9")
    return hook.tap(user, postback_data(confirm, "ยืนยันบันทึก"))


def outstanding_of_f1_002(hook: Webhook) -> str:
    text = text_of(hook.say(USER_OF01, "ค้นหา F1-002"))
    return text.split("คงค้าง", 1)[1].split("\n", 1)[0]


def test_undo_appends_one_reversing_row_and_the_ledger_nets_it(hook, sheets_fake):
    owed = outstanding_of_f1_002(hook)
    done = recorded(hook)
    assert outstanding_of_f1_002(hook) != owed
    undo = postback_data(done, "ยกเลิกรายการ")
    voided = hook.tap(USER_OF01, undo)
    assert "ยกเลิกรายการแล้ว" in text_of(voided) and "1,500 บาท" in text_of(voided)
    twice = hook.tap(USER_OF01, undo)
    assert "ยกเลิกไปแล้ว" in text_of(twice) and "ไม่ได้ยกเลิกซ้ำ" in text_of(twice)
    rows = payment_rows(sheets_fake)
    original, reversal = rows[-2], rows[-1]
    assert reversal["รหัสอ้างอิง"] == original["รหัสอ้างอิง"] + "-VOID"
    assert original["รหัสอ้างอิง"] in reversal["หมายเหตุ"]
    assert float(str(reversal["จำนวนเงิน (บาท)"]).replace(",", "")) == -1500
    assert reversal["วันที่ชำระ"] == original["วันที่ชำระ"] and reversal["เลขที่สัญญา"] == "F1-002"
    assert sum(1 for row in rows if str(row.get("รหัสอ้างอิง", "")).endswith("-VOID")) == 1
    assert outstanding_of_f1_002(hook) == owed
    check = text_of(hook.say(USER_OF01, "ตรวจสอบ"))
    assert "VOID" not in check   # a reversal with its original is no problem


def test_undo_by_another_officer_is_refused(hook, sheets_fake):
    undo = postback_data(recorded(hook), "ยกเลิกรายการ")
    rows = len(payment_rows(sheets_fake))
    refused = hook.tap(USER_OF02, undo)
    assert "ยังไม่ได้ยกเลิกรายการ" in text_of(refused) and "ท่านบันทึก" in text_of(refused)
    assert len(payment_rows(sheets_fake)) == rows


def test_undo_after_24_hours_is_refused(hook, sheets_fake):
    undo = postback_data(recorded(hook), "ยกเลิกรายการ")
    rows = len(payment_rows(sheets_fake))
    hook.runtime.conversation.now = lambda: NOW + dt.timedelta(hours=24, minutes=1)
    refused = hook.tap(USER_OF01, undo)
    assert "ยังไม่ได้ยกเลิกรายการ" in text_of(refused) and "24 ชั่วโมง" in text_of(refused)
    assert len(payment_rows(sheets_fake)) == rows
    hook.runtime.conversation.now = lambda: NOW + dt.timedelta(hours=23, minutes=59)
    assert "ยกเลิกรายการแล้ว" in text_of(hook.tap(USER_OF01, undo))


# ---------------------------------------------------------------- รายการที่บันทึก

def test_an_officer_finds_what_they_recorded_and_cancels_it_from_the_list(hook, sheets_fake):
    """Scrolled past the done card: รายการที่บันทึก has the same ยกเลิกรายการ button."""
    recorded(hook)
    listed = hook.say(USER_OF01, "รายการที่บันทึก")
    text = text_of(listed)
    assert "F1-002" in text and "1,500 บาท" in text and "R-9" in text and "26 พ.ย. 2569 10:30 น." in text
    assert hook.say(USER_OF01, "ลบรายการล่าสุดครับ") == listed == hook.say(USER_OF01, "undo")
    assert "ยกเลิกรายการแล้ว" in text_of(hook.tap(USER_OF01, postback_data(listed, "ยกเลิกรายการ")))
    rows = payment_rows(sheets_fake)
    assert rows[-1]["รหัสอ้างอิง"] == rows[-2]["รหัสอ้างอิง"] + "-VOID"
    after = hook.say(USER_OF01, "แก้ไขยอดชำระ")
    assert "ยกเลิกแล้ว" in text_of(after) and "1,500 บาท" in text_of(after)
    assert not any(a.get("label") == "ยกเลิกรายการ" for a in actions_of(after))   # nothing left to cancel
    # Another officer's list has none of it, and says where a typed row is fixed.
    other = text_of(hook.say(USER_OF02, "รายการที่บันทึก"))
    assert "ไม่มีรายการรับชำระที่ท่านบันทึกทาง LINE" in other and "F1-002" not in other


def test_the_list_of_recordings_says_when_one_can_no_longer_be_cancelled(hook, sheets_fake):
    recorded(hook)
    hook.runtime.conversation.now = lambda: NOW + dt.timedelta(hours=24, minutes=1)
    late = hook.say(USER_OF01, "รายการที่บันทึก")
    assert "เกิน 24 ชั่วโมงแล้ว" in text_of(late) and "1,500 บาท" in text_of(late)
    assert not any(a.get("label") == "ยกเลิกรายการ" for a in actions_of(late))
    hook.runtime.conversation.now = lambda: NOW + dt.timedelta(days=8)   # a week on: not listed
    assert "ไม่มีรายการรับชำระ" in text_of(hook.say(USER_OF01, "รายการที่บันทึก"))


def test_the_list_of_recordings_is_newest_first_one_carousel_and_only_line_entries(hook, sheets_fake):
    rows = sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")
    typed = [["F1-001", "20/11/2569", 100, "", "OF-01", "ชีต", "2026-11-26 09:00:00", "", ""]]   # typed in the sheet
    line = [["F1-001", "25/11/2569", 10 + k, "", "OF-01", "LINE", f"2026-11-26 {8 + k // 6:02d}:{k % 6 * 10:02d}:00",
             f"LINE-T{k:02d}", ""] for k in range(12)]
    sheets_fake.set_rows(SPREADSHEET_ID, "รับชำระ", rows + typed + line)
    listed = hook.say(USER_OF01, "รายการที่บันทึก")
    cards = listed[0]["contents"]["contents"]
    assert len(cards) == 10
    amounts = [next(c["contents"][1]["text"] for c in card["body"]["contents"] if c.get("contents")
                    and c["contents"][0]["text"] == "จำนวนเงิน") for card in cards]
    assert amounts == [f"{10 + k} บาท" for k in range(11, 1, -1)]   # the newest first
    assert "และอีก 2 รายการก่อนหน้านี้" in text_of(listed) and "100 บาท" not in amounts


@pytest.mark.parametrize("typed", ["ยกเลิก", "ยกเลิกครับ", "ไม่เอาแล้ว", "cancel"])
def test_cancel_typed_at_any_step_ends_it_and_then_there_is_nothing_to_cancel(hook, sheets_fake, typed):
    """Typed, not tapped (LINE sends it as text): the step's ยกเลิก button's answer, at every step."""
    rows = len(payment_rows(sheets_fake))
    steps = [["บันทึกรับชำระ"], ["ชำระ F1-002"], ["ชำระ F1-002", "500"], ["ชำระ F1-002", "500", "วันนี้"]]
    for before in steps:
        for text in before:
            hook.say(USER_OF01, text)
        assert "ยกเลิกแล้ว ไม่ได้บันทึกอะไร" in text_of(hook.say(USER_OF01, typed)), before
        assert "ไม่มีขั้นตอนที่ค้างอยู่ให้ยกเลิก" in text_of(hook.say(USER_OF01, typed))
    assert len(payment_rows(sheets_fake)) == rows


def test_what_the_buttons_say_also_works_typed(hook):
    """An officer types what a button shows: a fund as บ้าน… ม.N at step 1, a contract's short number."""
    step1 = hook.say(USER_OF01, "บันทึกรับชำระ")
    label = next(a["label"] for a in actions_of(step1) if a["label"].startswith("บ้านบางพระ"))
    assert label == "บ้านบางพระ ม.1"
    typed = hook.say(USER_OF01, label)
    assert "ขั้นที่ 2/5" in text_of(typed) or "ขั้นที่ 3/5" in text_of(typed)
    assert "ไม่พบกองทุน" not in text_of(typed)
    hook.say(USER_OF01, "ยกเลิก")


def test_a_cancelled_repayment_is_no_reason_to_warn_of_a_double(hook):
    done = recorded(hook)
    again = text_of(hook.say(USER_OF01, "ชำระ F1-002 1,500"))
    assert "ตรวจสอบว่าไม่ใช่รายการซ้ำ" in again                   # the same amount today: perhaps twice
    hook.tap(USER_OF01, postback_data(done, "ยกเลิกรายการ"))
    assert "ตรวจสอบว่าไม่ใช่รายการซ้ำ" not in text_of(hook.say(USER_OF01, "ชำระ F1-002 1,500"))   # cancelled


@pytest.mark.parametrize("typed", ["555", "55555+", "ฮ่าๆ", "อิอิ"])
def test_laughter_with_no_step_waiting_is_answered_kindly_and_555_is_an_amount_while_one_waits(hook, sheets_fake, typed):
    # 555 is Thai chat's laughter: with no step waiting it is not "a repayment we do not know of".
    answer = text_of(hook.say(USER_OF01, typed))
    assert "มีอะไรให้ช่วยอีก" in answer and "ไม่ทราบว่าข้อความนี้เป็นของรายการรับชำระใด" not in answer
    assert ("ยังไม่ได้บันทึกอะไร" in answer) == typed.startswith("5")    # a 555 meant as an amount is told so
    hook.say(USER_OF01, "ชำระ F1-002")                                   # now step 3 waits for the amount
    if typed == "555":
        assert "วันที่รับเงิน 555 บาท" in text_of(hook.say(USER_OF01, typed))


@pytest.mark.parametrize("typed", ["รับชำระ 1,500 บาท นางสอง", "ชำระ 1500 นางสอง ทดสอบ"])
def test_an_amount_said_before_the_borrowers_name_goes_to_the_same_confirm_card(hook, sheets_fake, typed):
    before = len(payment_rows(sheets_fake))
    text = text_of(hook.say(USER_OF01, typed))
    assert "ยืนยันบันทึกรับชำระ" in text and "F1-002" in text and "1,500 บาท" in text and "26 พ.ย. 2569" in text
    assert len(payment_rows(sheets_fake)) == before
    assert "ยืนยันบันทึกรับชำระ" in text_of(hook.say(USER_OF01, "ชำระ F1-002 1,500"))   # a contract first, as before
    assert "ไม่พบผู้ยืมชื่อนี้" in text_of(hook.say(USER_OF01, "รับชำระ 500 บาท นายห้า"))   # another district's
