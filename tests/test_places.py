"""Every place name narrows a list (chat.places): a ตำบล, an อำเภอ (with and without ต./อ./ตำบล/อำเภอ),
หมู่ 3 / ม.3, part of a village name, a fund code; through ครบกำหนด, ค้างชำระ, กองทุน and ค้นหา; and the
search and list fixes on the demo province (sheets.demo): every result reachable, buttons that name the
borrower and a short contract number, no button twice, one page counter."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from chat.places import find_place
from chat.terminal import actions_of
from core.schema import TABS
from sheets.demo import demo_tables
from sheets.model import load_dataset
from sheets.store import Layout
from tests.chat_support import load_province, make_runtime, text_of
from tests.conftest import SPREADSHEET_ID
from tests.fakes.line_api import validate_request
from tests.sheetdata import TODAY, USER_OF01, as_tables, tiny_province

BANG_PHRA, NONG_SAMET, KHAO_SAMING = "230101-01", "230102-03", "230301-02"


@pytest.fixture(scope="module")
def tiny_funds():
    return list(load_dataset(as_tables(tiny_province()), Layout(), TODAY).funds.values())


@pytest.mark.parametrize("query,funds,label", [
    ("บางพระ", {BANG_PHRA}, "ต.บางพระ อ.เมืองตราด"),            # a ตำบล (and a village in it): the ตำบล
    ("ต.บางพระ", {BANG_PHRA}, "ต.บางพระ อ.เมืองตราด"),
    ("ตำบลบางพระ", {BANG_PHRA}, "ต.บางพระ อ.เมืองตราด"),
    ("ตำบล บางพระ", {BANG_PHRA}, "ต.บางพระ อ.เมืองตราด"),
    ("หนองเสม็ด", {NONG_SAMET}, "ต.หนองเสม็ด อ.เมืองตราด"),
    ("เมืองตราด", {BANG_PHRA, NONG_SAMET}, "อ.เมืองตราด"),        # an อำเภอ
    ("อ.เมืองตราด", {BANG_PHRA, NONG_SAMET}, "อ.เมืองตราด"),
    ("อำเภอเมืองตราด", {BANG_PHRA, NONG_SAMET}, "อ.เมืองตราด"),
    ("อำเภอ เมืองตราด", {BANG_PHRA, NONG_SAMET}, "อ.เมืองตราด"),
    ("ต.บางพระ อ.เมืองตราด", {BANG_PHRA}, "ต.บางพระ อ.เมืองตราด"),   # a ตำบล within its อำเภอ (names repeat: คลองใหญ่)
    ("ตำบลบางพระ อำเภอเมืองตราด", {BANG_PHRA}, "ต.บางพระ อ.เมืองตราด"),
    ("อ.เขาสมิง", {KHAO_SAMING}, "อ.เขาสมิง"),
    ("หมู่ 3", {NONG_SAMET}, "หมู่ 3"),
    ("ม.3", {NONG_SAMET}, "หมู่ 3"),
    ("ม. 3", {NONG_SAMET}, "หมู่ 3"),
    ("หมู่ที่ 3", {NONG_SAMET}, "หมู่ 3"),
    ("หมู่ ๓", {NONG_SAMET}, "หมู่ 3"),                          # Thai digits
    ("หมู่ 1 บางพระ", {BANG_PHRA}, "หมู่ 1 ต.บางพระ อ.เมืองตราด"),
    ("หนองเส", {NONG_SAMET}, "บ้านหนองเสม็ด หมู่ 3 ต.หนองเสม็ด"),   # part of a village name
    ("บ้านหนองเส", {NONG_SAMET}, "บ้านหนองเสม็ด หมู่ 3 ต.หนองเสม็ด"),
    ("230101-01", {BANG_PHRA}, "บ้านบางพระ หมู่ 1 ต.บางพระ"),       # a fund code
    ("230102", {NONG_SAMET}, "บ้านหนองเสม็ด หมู่ 3 ต.หนองเสม็ด"),
    ("2301", {BANG_PHRA, NONG_SAMET}, "2 กองทุนที่ตรงกับคำค้น"),
])
def test_a_place_name_means_the_funds_in_it(tiny_funds, query, funds, label):
    place = find_place(tiny_funds, query)
    assert place is not None and {f.fund_id for f in place.funds} == funds and place.label == label


@pytest.mark.parametrize("query", ["หมู่ 3 บางพระ", "ต.เขา", "อ.ตราดใหม่", "ไม่มีที่นี่", "หมู่ 9",
                                   "ต.บางพระ อ.เขาสมิง",    # a ตำบล not in that อำเภอ
                                   "3", "23", "230"])       # a number too short to be part of a fund's code
def test_a_name_that_is_no_place_narrows_to_nothing(tiny_funds, query):
    assert find_place(tiny_funds, query) is None


@pytest.fixture
def chat(sheets_fake, line_fake):
    load_province(sheets_fake)
    conv = make_runtime(sheets_fake, line_fake).conversation
    counter = itertools.count()

    def say(text: str, user: str = USER_OF01) -> list[dict]:
        messages = conv.on_text(user, text, f"01PLACE{next(counter):019d}")
        assert validate_request("ReplyMessageRequest", {"replyToken": "t", "messages": messages}) == []
        return messages
    return say


def test_every_list_command_narrows_by_a_subdistrict(chat):
    due = text_of(chat("ครบกำหนด 30 บางพระ"))        # the example in docs/chat.md
    assert "ต.บางพระ" in due and "นายหนึ่ง ทดสอบ" in due and "ไม่พบกองทุน" not in due
    overdue = text_of(chat("ค้างชำระ ต.บางพระ"))
    assert "นางสอง ทดสอบ" in overdue and "นายสาม" not in overdue
    fund = text_of(chat("กองทุน ตำบลบางพระ"))
    assert "230101-01" in fund and "กองทุน บ้านบางพระ" in fund
    found = text_of(chat("ค้นหา บางพระ"))             # everyone in the ตำบล
    assert "นายหนึ่ง ทดสอบ" in found and "นางสอง ทดสอบ" in found and "นายสาม" not in found


def test_lists_narrow_by_village_number_district_and_fund_code(chat):
    moo = text_of(chat("ค้างชำระ หมู่ 3"))
    assert "นายสาม ทดสอบ" in moo and "นางสอง" not in moo and "หมู่ 3" in moo
    assert text_of(chat("ค้างชำระ ม.3")) == moo
    assert "อ.เมืองตราด" in text_of(chat("ครบกำหนด 30 อ.เมืองตราด"))
    assert "นายหนึ่ง ทดสอบ" in text_of(chat("ครบกำหนด 30 230101-01"))
    found = text_of(chat("ค้นหา นาย หมู่ 1"))          # a name, then a place
    assert "นายหนึ่ง ทดสอบ" in found and "นางสอง" not in found
    assert "ไม่พบกองทุน" in text_of(chat("ค้างชำระ ต.ไม่มี"))


# ---------------------------------------------------------------- the demo province

DEMO_DAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo_rows():
    return demo_tables(DEMO_DAY)


@pytest.fixture
def demo(sheets_fake, line_fake, demo_rows):
    for key, rows in demo_rows.items():
        sheets_fake.set_rows(SPREADSHEET_ID, TABS[key].title, rows)
    sheets_fake.reset_requests()
    conv = make_runtime(sheets_fake, line_fake, today=DEMO_DAY).conversation
    counter = itertools.count()

    def say(text: str) -> list[dict]:
        messages = conv.on_text("", text, f"01DEMO{next(counter):020d}", officer_id="TRT-01")
        assert validate_request("ReplyMessageRequest", {"replyToken": "t", "messages": messages}) == []
        return messages
    return say


def test_every_search_result_is_reachable_by_a_button_that_names_it(demo):
    messages = demo("ค้นหา พานทอง")
    found = text_of(messages)
    assert "พบ 13 สัญญา" in found
    rows = [a for a in actions_of(messages) if a.get("data", "").startswith("a=card")]
    assert len(rows) == 13                                  # every result, not 10
    labels = [a["label"] for a in rows]
    assert len(set(labels)) == len(labels)                  # no two alike
    assert all(len(label) <= 20 for label in labels)
    for action in rows:                                     # the borrower's first name and a short contract
        contract = action["displayText"].removeprefix("ค้นหา ")
        first, short = action["label"].rsplit(" ", 1)
        assert contract.endswith(short) and len(short) < len(contract)
        assert first.rstrip("…") in found
    quick = [item["action"]["label"] for item in messages[-1]["quickReply"]["items"]]
    assert len(set(quick)) == len(quick)


def test_a_contract_card_has_one_pay_button(demo):
    messages = demo("ค้นหา พานทอง")
    card = demo("ค้นหา " + actions_of(messages)[0]["displayText"].removeprefix("ค้นหา "))
    labels = [a["label"] for a in actions_of(card)]
    assert labels.count("บันทึกรับชำระ") == 1
    assert len(set(labels)) == len(labels)


def test_a_long_list_has_one_page_counter(demo):
    messages = demo("ค้างชำระ")
    text = text_of(messages)
    assert "หน้า 1/" in text and "(1/" not in text
    assert sum(1 for a in actions_of(messages) if a.get("data", "").startswith("a=card")) >= 10
