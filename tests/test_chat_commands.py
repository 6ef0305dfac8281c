"""Every chat command on the tiny province, with its refusals; linking; the terminal chat.

The figures are the tiny province's (tests/sheetdata.py): today 26 Nov 2026, OF-01 in
เมืองตราด, PV-01 provincial. Every reply is checked against LINE's messaging-api.yml.
"""
from __future__ import annotations

import datetime as dt

import io
from decimal import Decimal

import pytest

from chat import commands
from chat.terminal import TerminalSession, actions_of, run_chat
from handlers.runtime import terminal_runtime
from tests.chat_support import (NOW, Webhook, load_province, make_runtime, postback_data, text_of)
from tests.conftest import SPREADSHEET_ID
from tests.fakes.line_api import validate_request
from tests.sheetdata import TODAY, USER_OF01, USER_OF02, USER_OF04, USER_PV01, write_workbook

pytest_plugins = ["tests.fakes.line_fixtures"]

STRANGER = "U" + "9" * 32


class Chat:
    """Talks to the Conversation the webhook uses; every reply must be one LINE accepts."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.conv = runtime.conversation
        self.n = 0

    def _check(self, messages):
        assert 1 <= len(messages) <= 5
        errors = validate_request("ReplyMessageRequest", {"replyToken": "t", "messages": messages})
        assert errors == [], errors
        return messages

    def _id(self):
        self.n += 1
        return f"01TEST{self.n:020d}"

    def say(self, user, text):
        return self._check(self.conv.on_text(user, text, self._id()))

    def text(self, user, text):
        return text_of(self.say(user, text))

    def tap(self, user, data):
        return self._check(self.conv.on_postback(user, data, self._id()))


@pytest.fixture
def chat(sheets_fake, line_fake):
    load_province(sheets_fake)
    return Chat(make_runtime(sheets_fake, line_fake))


def rows(sheets_fake, title):
    return sheets_fake.rows(SPREADSHEET_ID, title)[1:]


# ---------------------------------------------------------------- routing

@pytest.mark.parametrize("text,key,args", [
    ("เมนู", "help", ""), ("ช่วยเหลือ", "help", ""), ("HELP", "help", ""), ("/help", "help", ""),
    ("ครบกำหนด 30", "due", "30"), ("due 3", "due", "3"), ("ค้างชำระ", "overdue", ""), ("overdue", "overdue", ""),
    ("กองทุนบางพระ", "fund", "บางพระ"), ("fund 230101-01", "fund", "230101-01"), ("ค้นหา  สมศรี ", "find", "สมศรี"),
    ("find F1-001", "find", "F1-001"), ("ชำระ F1-001 1,500", "pay", "F1-001 1,500"), ("pay F1-001 5", "pay", "F1-001 5"),
    ("สรุป", "summary", ""), ("summary", "summary", ""), ("ตรวจสอบ", "check", ""), ("check", "check", ""),
    ("แนะนำ ดีมาก", "feedback", "ดีมาก"), ("feedback good", "feedback", "good"),
    ("ลงทะเบียน ABC123", "register", "ABC123"), ("register abc123", "register", "abc123"),
])
def test_one_command_table_routes_thai_and_english(text, key, args):
    cmd, rest = commands.route(text)
    assert cmd is not None and cmd.key == key and rest == args


@pytest.mark.parametrize("text", ["fundraise", "อากาศดี", "", "duee", "12345"])
def test_anything_else_is_not_a_command(text):
    assert commands.route(text)[0] is None


def test_anything_else_gets_a_short_hint(chat):
    messages = chat.say(USER_OF01, "อากาศดีจังเลย")
    assert "ไม่เข้าใจคำสั่ง" in text_of(messages) and messages[0]["quickReply"]["items"]


@pytest.mark.parametrize("text", ["บ้านบางพระ", "บางพระ", "บ้านบางพระเป็นไงบ้าง", "ขอดูบางพระหน่อยครับ"])
def test_a_village_named_alone_is_its_fund(chat, text):
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, "กองทุน บางพระ")


@pytest.mark.parametrize("text", ["ค้างชำระ บางพระครับ", "ค้างบางพระนะคะ", "ยอดค้างบางพระ"])
def test_a_place_with_a_particle_glued_to_it_is_still_the_place(chat, text):
    # Thai is typed without spaces, and politely.
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, "ค้างชำระ บางพระ")


def _without_buttons(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("ปุ่ม"))


@pytest.mark.parametrize("text, same_as", [
    ("บางพระค้างเท่าไหร่", "ค้างชำระ บางพระ"), ("บางพระค้างชำระกี่รายครับ", "ค้างชำระ บางพระ"),
    ("บางพระครบกำหนดบ้าง", "ครบกำหนด บางพระ"), ("เมืองตราดสรุปหน่อย", "สรุป เมืองตราด"),
])
def test_a_place_named_before_what_is_asked(chat, text, same_as):
    # Thai puts the place first as often as last.
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, same_as)
    assert "ไม่เข้าใจคำสั่ง" in chat.text(USER_OF01, "เขาสมิงค้างเท่าไหร่")   # not the officer's district


@pytest.mark.parametrize("text", ["ค้างชำระ นายหนึ่ง", "ครบกำหนด นายหนึ่ง", "ครบกำหนด 30 นายหนึ่ง"])
def test_a_borrower_where_a_place_was_expected_gets_their_card(chat, text):
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, "ค้นหา นายหนึ่ง")
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "ค้างชำระ นายห้า")    # another district's: as if nobody


@pytest.mark.parametrize("asked", ["สรุป เมืองตราด", "สรุป ต.บางพระ", "บางพระสรุปหน่อย"])
def test_a_places_summary_buttons_lead_to_that_place(sheets_fake, line_fake, asked):
    # The buttons repeat the place as typed: a subdistrict's label (ต.บางพระ อ.เมืองตราด) is no
    # place to type, and its buttons had answered "ไม่พบกองทุน".
    from tests.sheetdata import tiny_province

    data = tiny_province()
    data["funds"].append({**data["funds"][0], "fund_id": "230101-02", "village_no": 2, "village_name": "บ้านคลองนา"})
    load_province(sheets_fake, data)
    chat = Chat(make_runtime(sheets_fake, line_fake))
    items = chat.say(USER_PV01, asked)[0]["quickReply"]["items"]
    sent = [item["action"]["text"] for item in items if item["action"]["type"] == "message"]
    assert any(text.startswith("ค้างชำระ ") for text in sent)
    for text in sent:
        assert "ไม่พบกองทุน" not in chat.text(USER_PV01, text), text


def test_the_provinces_check_gives_indicator_9_1_district_by_district(chat):
    import re

    answer = chat.text(USER_PV01, "ตรวจสอบ")
    lines = dict(re.findall(r"อ\.(\S+)  (\d+/\d+) กองทุน \([\d.]+%\)", answer))
    assert set(lines) == {"เมืองตราด", "เขาสมิง"} and "ตัวชี้วัด 9.1 รายอำเภอ" in answer
    for district, passed in lines.items():   # each district's own check says the same
        assert f"ผ่านครบ {passed.replace('/', ' จาก ')} กองทุน" in chat.text(USER_PV01, f"ตรวจสอบ {district}")
    for asked in ("ตัวชี้วัด 9.1 รายอำเภอ", "กองทุนไหนไม่ผ่านตัวชี้วัด", "กองทุนที่ไม่ผ่าน 9.1"):
        assert chat.text(USER_PV01, asked) == answer, asked
    assert "ตัวชี้วัด 9.1 รายอำเภอ" not in chat.text(USER_OF01, "ตรวจสอบ")   # one district: its line is the check


def test_a_places_check_is_its_district_officers_check(chat):
    assert chat.text(USER_PV01, "ตรวจสอบ เมืองตราด") == chat.text(USER_OF01, "ตรวจสอบ")
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "ตรวจสอบ เขาสมิง")


def test_a_places_summary_is_its_district_officers_summary(chat):
    # The provincial officer's สรุป เมืองตราด: the same figures, line by line, as the district's own.
    district = chat.text(USER_OF01, "สรุป")
    assert "สรุป อ.เมืองตราด" in district
    for asked in ("สรุป เมืองตราด", "สรุปอำเภอเมืองตราด", "เมืองตราด", "อำเภอเมืองตราดเป็นไงบ้างคะ"):
        assert _without_buttons(chat.text(USER_PV01, asked)) == _without_buttons(district), asked
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "สรุป เขาสมิง")                # not the officer's district
    assert "อ.เมืองตราด" in chat.text(USER_PV01, "สรุป")                       # the province's, with its districts


def test_the_funds_of_the_area_are_listed_with_their_arrears_as_the_ranking_has_them(chat):
    import re

    listed = chat.text(USER_OF01, "รายชื่อกองทุนในอำเภอ")
    assert listed == chat.text(USER_OF01, "รายชื่อกองทุน") == chat.text(USER_OF01, "มีกองทุนอะไรบ้าง")
    assert listed.startswith("อ.เมืองตราด มี 2 กองทุน") and "230101-01" in listed and "230102-03" in listed
    assert "230301-02" not in listed                                            # เขาสมิง's fund
    owed = dict(re.findall(r"^(\S+) .*· ค้างชำระ ([\d,]+) บาท$", listed, re.M))
    ranked = chat.text(USER_OF01, "กองทุนค้างมาก")
    for fund_id, arrears in owed.items():
        assert re.search(rf"\({fund_id}\)\nค้างชำระ {arrears} บาท", ranked), fund_id
    assert "230301-02" in chat.text(USER_PV01, "รายชื่อกองทุน เขาสมิง")
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "รายชื่อกองทุน เขาสมิง")       # not the officer's district


def test_the_subdistricts_most_in_arrears_come_first_with_their_summarys_figures(chat):
    import re

    ranking = chat.text(USER_PV01, "ตำบลไหนค้างมากสุดครับ")
    assert ranking == chat.text(USER_PV01, "ตำบลค้างมาก") == chat.text(USER_PV01, "subdistricts")
    rows = re.findall(r"\d+\. ต\.(\S+) อ\.(\S+)\nค้างชำระ ([\d,]+) บาท · (\d+) สัญญา · PAR30 ([\d.]+%)\nคงค้าง ([\d,]+) บาท",
                      ranking)
    assert rows and {r[1] for r in rows} <= {"เมืองตราด", "เขาสมิง"}
    arrears = [int(r[2].replace(",", "")) for r in rows]
    assert arrears == sorted(arrears, reverse=True) and arrears[0] > 0
    assert f"ตำบลมีค้างชำระ รวม {sum(arrears):,} บาท" in ranking
    for sub, district, owed, contracts, par, outstanding in rows:
        # The same figures as that subdistrict's สรุป, from the same engine.
        summary = chat.text(USER_PV01, f"สรุป ต.{sub} อ.{district}")
        assert f"ค้างชำระ  {owed} บาท ({contracts} สัญญา)" in summary and f"ยอดคงค้าง  {outstanding} บาท" in summary
        assert f"PAR30  {par}" in summary
    # Each button names its district too: a subdistrict's name may be found in two districts.
    buttons = [a["text"] for a in actions_of(chat.say(USER_PV01, "ตำบลค้างมาก"))]
    assert f"กองทุนค้างมาก ต.{rows[0][0]} อ.{rows[0][1]}" in buttons
    own = chat.text(USER_OF01, "ตำบลไหนค้างเยอะสุด")
    assert "เขาสมิง" not in own and "นายห้า" not in own and "ตำบลค้างชำระมากที่สุด" in own
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "ตำบลค้างมาก เขาสมิง")


def test_the_districts_most_in_arrears_come_first_with_the_summarys_figures(chat):
    import re

    ranking = chat.text(USER_PV01, "อำเภอไหนค้างมากสุดครับ")
    assert ranking == chat.text(USER_PV01, "อำเภอค้างมาก") == chat.text(USER_PV01, "districts") \
        == chat.text(USER_PV01, "อำเภอไหนค้างเยอะสุด")
    rows = re.findall(r"\d+\. อ\.(\S+)\nค้างชำระ ([\d,]+) บาท · (\d+) สัญญา · PAR30 ([\d.]+%)\nคงค้าง ([\d,]+) บาท",
                      ranking)
    assert {r[0] for r in rows} == {"เมืองตราด", "เขาสมิง"}           # every district of the province
    arrears = [int(r[1].replace(",", "")) for r in rows]
    assert arrears == sorted(arrears, reverse=True) and arrears[0] > 0
    # Each district's line of สรุป (คงค้าง / ค้างชำระ / PAR30), from the same engine.
    lines = dict(re.findall(r"อ\.(\S+): ([\d,]+ / [\d,]+ / [\d.]+%)", chat.text(USER_PV01, "สรุป")))
    for district, owed, _, par, outstanding in rows:
        assert lines[district] == f"{outstanding} / {owed} / {par}", district
    total = sum(arrears)
    assert f"2 อำเภอ ค้างชำระรวม {total:,} บาท" in ranking
    # A district officer sees their own district only.
    own = chat.text(USER_OF01, "อำเภอไหนค้างมากสุด")
    assert "อ.เมืองตราด" in own and "เขาสมิง" not in own and "พิมพ์ กองทุนค้างมาก" in own


@pytest.mark.parametrize("asked,contracts,shown,not_shown", [
    ("ค้างชำระ 31-90 วัน", "1 สัญญา ค้างชำระรวม 6,000 บาท", "F1-002", "F2-001"),
    ("ค้าง 31–90", "1 สัญญา ค้างชำระรวม 6,000 บาท", "F1-002", "F2-001"),
    ("ค้างชำระ 1-30 วัน บางพระ", None, None, "F2-001"),     # F2-001 is in หนองเสม็ด
    ("ค้างชำระ 1-30 วัน", "1 สัญญา ค้างชำระรวม 5,000 บาท", "F2-001", "F1-002"),
])
def test_the_overdue_list_narrows_to_one_row_of_the_aging_table(chat, asked, contracts, shown, not_shown):
    text = chat.text(USER_OF01, asked)
    if contracts is None:
        assert "ไม่มีสัญญาในช่วงนี้" in text
    else:
        assert contracts in text and shown in text
    assert not_shown not in text


def test_overdue_longer_than_a_number_of_days_lists_those_only_with_their_own_sum(chat):
    # The province: F1-002 31 days (6,000 บาท in arrears), F2-001 one day, F3-001 240 days (ผิดสัญญา).
    text = chat.text(USER_PV01, "ค้างเกิน 30 วัน")
    assert text.startswith("ค้างชำระเกิน 30 วัน") and "F1-002" in text and "F3-001" in text and "F2-001" not in text
    assert "2 สัญญา ค้างชำระรวม" in text and "จาก 3 สัญญาค้างชำระ" in text
    for same in ("ค้างชำระ มากกว่า 30 วัน", "ค้างเกินหนึ่งเดือน"):
        assert chat.text(USER_PV01, same) == text, same
    assert chat.text(USER_PV01, "ค้างชำระ ตั้งแต่ 31 วันขึ้นไป").replace("ตั้งแต่ 31", "เกิน 30") == text
    assert "F1-002" not in chat.text(USER_PV01, "ค้างเกิน 31 วัน")             # 31 days is not more than 31
    glued = chat.text(USER_OF01, "ค้างชำระเกิน30วันบางพระ")                    # glued, then a place (chat.phrases.apart)
    assert glued == chat.text(USER_OF01, "ค้างชำระ เกิน 30 วัน บางพระ") and "F1-002" in glued
    assert "ไม่มีสัญญาในช่วงนี้" in chat.text(USER_OF01, "ค้างเกิน 300 วัน")
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "ค้างเกิน 30 วัน เขาสมิง")   # not the officer's district


def test_over_90_days_and_breached_say_when_there_are_none(chat):
    assert "ค้างชำระเกิน 90 วัน (อ.เมืองตราด): ไม่มีสัญญาในช่วงนี้" in chat.text(USER_OF01, "ค้างเกิน 90 วัน")
    assert "ผิดสัญญา (อ.เมืองตราด): ไม่มีสัญญาในช่วงนี้" in chat.text(USER_OF01, "มีใครผิดสัญญาบ้าง")


@pytest.mark.parametrize("typed,expect", [
    ("เกิน 90 วัน", (3, "")), ("เกิน 90", (3, "")), ("มากกว่า 90 วัน บางพระ", (3, "บางพระ")), ("31-90 วัน", (2, "")),
    ("1–30", (1, "")), ("ผิดสัญญา หมู่ 3", (4, "หมู่ 3")), ("บางพระ", (None, "บางพระ")), ("", (None, "")),
])
def test_a_row_of_the_aging_table_is_read_as_typed(typed, expect):
    from chat.lists import aging_row_and_rest
    from ledger.aging import aging_table

    rows = aging_table([], (30, 90)).rows
    assert [r.label for r in rows] == ["ไม่ค้างชำระ", "ค้างชำระ 1–30 วัน", "ค้างชำระ 31–90 วัน", "ค้างชำระเกิน 90 วัน",
                                       "ผิดสัญญา"]
    assert aging_row_and_rest(rows, typed) == expect


@pytest.mark.parametrize("asked", ["ส่งเอกสาร", "ส่งรูปสมุดบัญชีครับ", "documents"])
def test_asking_how_to_send_a_document_is_told_how(chat, asked):
    text = chat.text(USER_OF01, asked)
    assert "ถ่ายรูปหรือแนบไฟล์ PDF (ไม่เกิน 10 MB)" in text and "คำสั่งแต่งตั้ง สมุดบัญชี สรุปสถานะการเงิน" in text


def _collected(text: str) -> dict[str, str]:
    """The figures of a ยอดรับชำระ answer, by line."""
    import re

    found = {}
    for label in ("รับชำระในเดือน", "ครบกำหนดในเดือน", "ชำระแล้วจากยอดครบกำหนด", "อัตราการเก็บ"):
        found[label] = re.search(r"(?:^|\n)" + label + r"\s+(.+)", text).group(1)
    found["ปีงบ"] = re.search(r"ได้รับคืนปีงบ \d+\s+([\d,.]+ บาท)", text).group(1)
    return found


@pytest.mark.parametrize("asked,year,month", [
    ("ยอดรับชำระ", 2026, 11), ("ยอดรับชำระ เดือนนี้", 2026, 11), ("ยอดรับชำระ เดือนที่แล้ว", 2026, 10),
    ("เดือนที่แล้วเก็บเงินได้เท่าไหร่คะ", 2026, 10), ("เก็บได้เท่าไหร่ ก.ย.", 2026, 9),
    ("ยอดรับชำระ ตุลาคม 2569", 2026, 10), ("collected", 2026, 11),
])
def test_a_months_collections_are_the_monthly_reports(chat, asked, year, month):
    from core.months import month_bounds, report_as_of
    from core.thai import baht, month_th
    from report.monthly import build_report
    from sheets.model import load_dataset
    from sheets.store import Layout
    from tests.conftest import make_config
    from tests.sheetdata import TODAY, as_tables, tiny_province

    report = build_report(load_dataset(as_tables(tiny_province()), Layout(), TODAY), make_config(), year, month,
                          report_as_of(year, month, TODAY))
    for user, district in ((USER_OF01, "เมืองตราด"), (USER_PV01, None)):
        text = chat.text(user, asked)
        assert f"ยอดรับชำระ {month_th(year, month)}" in text, text
        row = report.district(district) if district else report.province
        due = row["due_in_month"]
        assert _collected(text) == {
            "รับชำระในเดือน": baht(row["collected_in_month"]),
            "ครบกำหนดในเดือน": f"{row['due_installments']:,} งวด · {baht(due)}",
            "ชำระแล้วจากยอดครบกำหนด": baht(row["paid_of_due"]),
            "อัตราการเก็บ": f"{row['collection_rate'] * 100:.1f}%" if due else "-",
            "ปีงบ": baht(row["repaid_fiscal_year"]),
        }, (user, asked)
    # The province's lines per district are the report's district rows.
    province = chat.text(USER_PV01, asked)
    for row in report.districts:
        if row["loans_open"] or row["collected_in_month"]:
            line = (f"อ.{row['district']}: {baht(row['collected_in_month'], unit=False)} / "
                    f"{baht(row['due_in_month'], unit=False)} / {baht(row['paid_of_due'], unit=False)}")
            assert line in province, line
    assert "ทั้งเดือน" in province if month_bounds(year, month)[1] < TODAY else "ถึง 26 พ.ย. 2569" in province


def _trend(text: str) -> dict[str, tuple[str, ...]]:
    """The months of a แนวโน้ม answer: month -> (arrears, contracts, PAR30, outstanding, collected)."""
    import re

    found = re.findall(r"(\S+ \d{4})(?: \(ถึง \d+\))?  ค้าง ([\d,]+)[^\n]*\n[^\n]*\n(\d+) สัญญาค้าง · PAR30 ([\d.]+%) · "
                       r"คงค้าง ([\d,]+) · รับชำระในเดือน ([\d,]+)", text)
    return {month: tuple(rest) for month, *rest in found}


def test_the_trend_is_the_monthly_reports_figures_month_by_month(chat):
    """แนวโน้ม: each of six months as the report of that month counts it (the same engine and as-of date),
    for a district officer, the province and a place; this month's line is สรุป's."""
    from core.months import previous_month, report_as_of
    from core.thai import MONTHS_ABBR, baht
    from report.monthly import build_report
    from sheets.model import load_dataset
    from sheets.store import Layout
    from tests.conftest import make_config
    from tests.sheetdata import TODAY, as_tables, tiny_province

    ds, config = load_dataset(as_tables(tiny_province()), Layout(), TODAY), make_config()
    months = [(2026, 11)]
    while len(months) < 6:
        months.append(previous_month(*months[-1]))
    for user, district in ((USER_OF01, "เมืองตราด"), (USER_PV01, None)):
        shown = _trend(chat.text(user, "แนวโน้ม"))
        assert list(shown) == [f"{MONTHS_ABBR[m - 1]} {y + 543}" for y, m in reversed(months)]
        for year, month in months:
            report = build_report(ds, config, year, month, report_as_of(year, month, TODAY))
            row = report.district(district) if district else report.province
            assert shown[f"{MONTHS_ABBR[month - 1]} {year + 543}"] == (
                baht(row["arrears"], unit=False), str(row["overdue_loans"]), f"{row['par30'] * 100:.1f}%",
                baht(row["outstanding"], unit=False), baht(row["collected_in_month"], unit=False)), (user, year, month)
    summary = chat.text(USER_OF01, "สรุป")
    arrears, contracts = shown["พ.ย. 2569"][0], shown["พ.ย. 2569"][1]
    assert f"ค้างชำระ  {arrears} บาท ({contracts} สัญญา)" in chat.text(USER_PV01, "สรุป")
    assert "ถึง 26" in chat.text(USER_OF01, "แนวโน้ม") and "ค้างชำระ" in summary
    for asked in ("แนวโน้มค้างชำระ", "เปรียบเทียบกับเดือนที่แล้วครับ", "trend", "ดีขึ้นไหม"):
        assert chat.text(USER_OF01, asked) == chat.text(USER_OF01, "แนวโน้ม"), asked
    assert "ต.บางพระ" in chat.text(USER_OF01, "บางพระดีขึ้นไหม") == chat.text(USER_OF01, "แนวโน้ม บางพระ")
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "แนวโน้ม เขาสมิง")          # not the officer's district


def test_collections_of_a_month_to_come_are_refused_and_a_place_narrows_them(chat):
    assert "ยังไม่ถึง" in chat.text(USER_OF01, "ยอดรับชำระ ธ.ค. 2569")
    # ธันวาคม alone is the latest December: 2568, before anything was lent here.
    assert "ยอดรับชำระ ธันวาคม 2568" in chat.text(USER_OF01, "ยอดรับชำระ ธันวาคม")
    assert "ต.บางพระ" in chat.text(USER_OF01, "ยอดรับชำระ เดือนที่แล้ว บางพระ")
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "ยอดรับชำระ เขาสมิง")        # not the officer's district


@pytest.mark.parametrize("typed,expect", [
    ("", ((2026, 11), "")), ("เดือนนี้ บางพระ", ((2026, 11), "บางพระ")), ("บางพระ เดือนที่แล้ว", ((2026, 10), "บางพระ")),
    ("พ.ย.", ((2026, 11), "")), ("ธ.ค.", ((2025, 12), "")), ("มกราคม 2569", ((2026, 1), "")), ("ต.ค. 69", ((2026, 10), "")),
    ("เดือนตุลาคม", ((2026, 10), "")), ("กย บางพระ", ((2026, 9), "บางพระ")), ("บางพระ", ((2026, 11), "บางพระ")),
    ("พ.ย. 2026", ((2026, 11), "")), ("nov 2569", ((2026, 11), "")),     # a C.E. year, an English name: as dates read
])
def test_the_month_asked_for_is_read_as_people_say_it(typed, expect):
    from chat.overview import asked_month

    assert asked_month(typed, dt.date(2026, 11, 26)) == expect


@pytest.mark.parametrize("asked,same_as", [
    ("สรุปเดือนนี้", "สรุป"), ("สรุป เดือนนี้", "สรุป"), ("สรุปตอนนี้", "สรุป"),
    ("สรุปเดือนนี้ ต.บางพระ", "สรุป ต.บางพระ"), ("ค้างชำระ ตอนนี้", "ค้างชำระ"), ("ตรวจสอบล่าสุด", "ตรวจสอบ"),
    # When before the question, where after it, and the days after the place, as people say them.
    ("วันนี้ต้องไปเก็บเงินที่ไหนบ้าง", "ครบกำหนด วันนี้"), ("พรุ่งนี้ใครต้องจ่ายบ้าง", "ครบกำหนด พรุ่งนี้"),
    ("ต้องไปเก็บเงินที่ไหนบ้าง", "ครบกำหนด"), ("ครบกำหนด บางพระ เดือนนี้", "ครบกำหนด เดือนนี้ บางพระ"),
    ("ครบกำหนด บางพระ 30 วัน", "ครบกำหนด 30 บางพระ"),
    # "All of it" is the officer's area; a few more ways to ask for the summary and the check.
    ("ค้างชำระทั้งหมด", "ค้างชำระ"), ("ยอดค้างชำระทั้งอำเภอ", "ค้างชำระ"), ("ลูกหนี้ทั้งหมด", "สรุป"),
    ("ยอดคงค้าง บางพระ", "สรุป บางพระ"), ("มีกี่สัญญา", "สรุป"), ("กองทุนไหนข้อมูลไม่ครบ", "ตรวจสอบ"),
    ("PAR30 เท่าไหร่", "สรุป"), ("ตัวชี้วัด 9.1 บางพระ", "สรุป บางพระ"), ("ข้อมูลครบกี่กองทุน", "สรุป"),
    ("กองทุนที่ยังไม่ส่งสมุดบัญชี", "ตรวจสอบ"), ("ค้างชำระ บางพระ เท่าไหร่", "ค้างชำระ บางพระ"),
    ("บางพระผิดสัญญากี่ราย", "ผิดสัญญา บางพระ"), ("ผิดสัญญา บางพระ", "ค้างชำระ ผิดสัญญา บางพระ"),
    ("ใครค้างเยอะสุด", "ค้างชำระ"), ("งวดที่ครบกำหนดวันนี้", "ครบกำหนด วันนี้"), ("รายชื่อลูกหนี้ บางพระ", "ค้นหา บางพระ"),
    ("บางพระเก็บเงินได้เท่าไหร่", "ยอดรับชำระ บางพระ"), ("ยอดรับชำระ รายอำเภอ", "ยอดรับชำระ"),
    # A fund's money asked as people ask it, with the linking words before a place.
    ("สมุดบัญชีกองทุนบ้านบางพระ", "กองทุน บ้านบางพระ"), ("บ้านบางพระมีเงินในบัญชีเท่าไหร่", "กองทุน บ้านบางพระ"),
    ("เงินฝากของบ้านบางพระ", "กองทุน บ้านบางพระ"), ("เงินทุนของกองทุนบ้านบางพระ", "กองทุน บ้านบางพระ"),
    ("ส่งใบติดตามให้บ้านบางพระ", "ใบติดตาม บ้านบางพระ"), ("ขอใบติดตาม บางพระ", "ใบติดตาม บางพระ"),
    ("ค้างชำระ กองทุนบ้านบางพระ", "ค้างชำระ บ้านบางพระ"), ("ค้างชำระ ใน ต.บางพระ", "ค้างชำระ ต.บางพระ"),
    ("ส่งสมุดบัญชี", "ส่งเอกสาร"), ("ส่งสำเนาสมุดบัญชีครับ", "ส่งเอกสาร"), ("ขอรายงานประจำเดือน", "สรุป"),
    ("ภาพรวมจังหวัด", "สรุป"), ("สรุป จังหวัดตราด", "สรุป"), ("ค้างชำระ ทุกอำเภอ", "ค้างชำระ"),
    ("ลูกหนี้ที่ต้องติดตาม", "ค้างชำระ"), ("ใครผิดนัดชำระ", "ค้างชำระ"), ("ต้องติดตามใครบ้าง", "ค้างชำระ"),
    ("วันนี้มีอะไรบ้าง", "ครบกำหนด"), ("ยอดเงินกู้คงค้าง", "สรุป"),
    ("อัตราการชำระคืน", "ยอดรับชำระ"), ("เก็บได้กี่เปอร์เซ็นต์", "ยอดรับชำระ"), ("เอกสารที่ยังขาด", "ตรวจสอบ"),
    ("ข้อมูลผิด แก้ยังไง", "ตรวจสอบ"), ("บ้านบางพระมีลูกหนี้กี่คน", "กองทุน บ้านบางพระ"),
    ("สัญญา F1-002", "ค้นหา F1-002"), ("นายหนึ่งค้างเท่าไหร่", "ค้นหา นายหนึ่ง"), ("นายหนึ่ง ค้างกี่งวด", "ค้นหา นายหนึ่ง"),
    ("ยอดเงินทุนทั้งหมด", "กองทุน"), ("ชำระเงิน", "บันทึกรับชำระ"), ("ขอใบเตือน", "หนังสือแจ้งเตือน"),
    ("ตุลาคมเก็บได้เท่าไหร่", "ยอดรับชำระ ตุลาคม"), ("เดือนกันยายนเก็บได้เท่าไร", "ยอดรับชำระ กันยายน"),
    ("กองทุนไหนควรลงไปติดตาม", "กองทุนค้างมาก"), ("อำเภอเมืองตราดมีกี่กองทุน", "สรุป อำเภอเมืองตราด"),
    ("ข้อมูลไม่เป็นปัจจุบัน", "ตรวจสอบ"), ("สมุดบัญชีเก่า", "ตรวจสอบ"), ("ยอดเงินฝากของทุกกองทุน", "กองทุน"),
    ("ใครครบกำหนดเดือนพฤศจิกายน", "ครบกำหนด เดือนนี้"), ("ครบกำหนด ธันวาคม", "ครบกำหนด เดือนหน้า"),
    ("สรุป พฤศจิกายน", "สรุป"),
    # Who is asked for, a list's name before the command, and "how much" or a particle glued to the place.
    ("ขอรายชื่อคนค้างจ่าย บางพระ", "ค้างชำระ บางพระ"), ("ลูกหนี้รายไหนค้างนานที่สุด", "ค้างชำระ"),
    ("ใครยังไม่ได้จ่ายเดือนนี้", "ค้างชำระ"), ("คนที่ค้างเกิน 90 วัน", "ค้างชำระ เกิน 90 วัน"),
    ("พรุ่งนี้ต้องไปเก็บเงินใครบ้าง", "ครบกำหนด พรุ่งนี้"), ("ยอดค้างทั้งหมดเท่าไหร่", "ค้างชำระ"),
    ("ขอสรุปทั้งอำเภอหน่อยครับ", "สรุป"), ("ค้างชำระบางพระเท่าไหร่ครับ", "ค้างชำระ บางพระ"),
    ("มีกองทุนกี่กองทุน", "สรุป"), ("กองทุนไหนยังไม่ส่งสมุดบัญชี", "ตรวจสอบ"),
    ("ใครยังไม่ได้ลงทะเบียนไลน์", "เจ้าหน้าที่"), ("ยอดที่เก็บได้วันนี้", "รับชำระล่าสุด วันนี้"),
    ("บันทึกการชำระเงิน", "บันทึกรับชำระ"),
    # "which village", "the most", "the names of those who …"
    ("บ้านไหนค้างมากที่สุด", "กองทุนค้างมาก"), ("หมู่บ้านไหนค้างมากที่สุดครับ", "กองทุนค้างมาก"),
    ("กองทุนไหนมีปัญหาข้อมูลบ้าง", "ตรวจสอบ"), ("ขอรายชื่อคนที่ผิดสัญญา", "ผิดสัญญา"),
    ("รายชื่อลูกหนี้ที่ค้างเกิน 90 วัน", "ค้างชำระ เกิน 90 วัน"), ("ลูกหนี้ที่ครบกำหนดสัปดาห์นี้", "ครบกำหนด สัปดาห์นี้"),
    ("อำเภอไหนแย่สุด", "อำเภอค้างมาก"), ("เดือนนี้เก็บเงินได้กี่เปอร์เซ็นต์", "ยอดรับชำระ"),
    ("มีกองทุนไหนไม่ผ่าน 9.1 บ้าง", "ตรวจสอบ"), ("ค้างเกินสามเดือนมีกี่ราย", "ค้างชำระ เกิน 90 วัน"),
    ("ใครในบ้านบางพระค้างบ้าง", "ค้างชำระ บ้านบางพระ"), ("ใครที่บ้านบางพระครบกำหนดสัปดาห์นี้", "ครบกำหนด สัปดาห์นี้ บ้านบางพระ"),
    ("สรุปยอดทั้งจังหวัดให้หน่อย", "สรุป"), ("ตำบลไหนในอำเภอเมืองตราดค้างเยอะสุด", "ตำบลค้างมาก อำเภอเมืองตราด"),
    ("กองทุนไหนในตำบลบางพระค้างมากสุด", "กองทุนค้างมาก ต.บางพระ"), ("กองทุนไหนยอดเงินฝากไม่อัปเดต", "ตรวจสอบ"),
    ("ใครเป็นเจ้าหน้าที่อำเภอเมืองตราด", "เจ้าหน้าที่ เมืองตราด"), ("ส่งรายงานให้ผู้ว่า", "รายงานประชุม"),
    ("ใครครบกำหนดพรุ่งนี้บ้างคะ", "ครบกำหนด พรุ่งนี้"), ("ใครค้างชำระเกิน 90 วันบ้างคะ", "ค้างชำระ เกิน 90 วัน"),
    ("ใครค้างชำระเกิน 90 วัน บ้างคะ", "ค้างชำระ เกิน 90 วัน"),
    ("ค้างชำระะ", "ค้างชำระ"), ("ครบกำหนดด", "ครบกำหนด"), ("สรุปป", "สรุป"),   # a letter typed twice
    ("ค้างชำระ 30", "ค้างชำระ เกิน 30 วัน"), ("ค้างชำระ 30 วัน บางพระ", "ค้างชำระ เกิน 30 วัน บางพระ"),
    ("overdue 30", "ค้างชำระ เกิน 30 วัน"), ("แก้ยอดที่บันทึกไปเมื่อกี้", "รายการที่บันทึก"), ("ค้นหาา หนึ่ง", "ค้นหา หนึ่ง"), ("รับชำระล่าสุก", "รับชำระล่าสุด"),   # a typo of the longer command word
    ("ธันวาคมใครต้องจ่าย", "ครบกำหนด เดือนหน้า"), ("ใครค้างนานที่สุดในบางพระ", "ค้างชำระ บางพระ"),
    ("อำเภอเมืองมีกี่กองทุน", "สรุป อำเภอเมืองตราด"), ("ค้างชำระ เมือง", "ค้างชำระ อำเภอเมืองตราด"),
    ("สัญญาที่ผิดสัญญา", "ผิดสัญญา"), ("ค้างชำระ เกิน 5,000", "ค้างชำระ มากกว่า 5,000 บาท"),
    ("กองทุนที่ค้างเกิน 5000", "กองทุนที่ค้างเกิน 5,000 บาท"),
    ("ควรไปเยี่ยมใครก่อน", "ค้างชำระ"), ("ใครใกล้จะผิดสัญญา", "ค้างชำระ"), ("วันนี้ต้องไปหมู่บ้านไหนบ้าง", "ครบกำหนด วันนี้"),
    ("ลูกหนี้ที่ใกล้ครบสัญญา", "ครบกำหนด"), ("มีใครจ่ายเกินบ้าง", "ตรวจสอบ"),
    ("อำเภอไหนเก็บเงินได้ดีที่สุด", "ยอดรับชำระ"), ("ยอดค้างชำระเพิ่มขึ้นหรือลดลง", "แนวโน้ม"),
    ("par30 ของแต่ละอำเภอ", "อำเภอค้างมาก"), ("ตัวชี้วัด 9.1 ได้กี่เปอร์เซ็นต์", "สรุป"),
    ("เจ้าหน้าที่คนไหนยังไม่ใช้ไลน์", "เจ้าหน้าที่"),
    ("ขอหนังสือทวงหนี้บ้านบางพระ", "หนังสือแจ้งเตือน บ้านบางพระ"), ("ขอ pdf รายงาน", "รายงานประชุม"),
    ("ส่งไฟล์รายงานมาหน่อย", "รายงานประชุม"), ("ดาวน์โหลดรายงาน", "รายงานประชุม"), ("ไฟล์ excel รายงาน", "รายงานประชุม"),
    # An English alias with English time words.
    ("due tomorrow", "ครบกำหนด พรุ่งนี้"), ("overdue over 90 days", "ค้างชำระ เกิน 90 วัน"),
    ("paid this week", "รับชำระล่าสุด สัปดาห์นี้"), ("collected last month", "ยอดรับชำระ เดือนที่แล้ว"),
    ("วันนี้มีใครมาจ่ายบ้าง", "รับชำระล่าสุด วันนี้"), ("เดือนที่ผ่านมามีใครมาจ่ายบ้าง", "รับชำระล่าสุด เดือนที่แล้ว"), ("เมื่อวานเก็บได้เท่าไหร่", "รับชำระล่าสุด เมื่อวาน"),
    ("ยอดรับชำระ สัปดาห์นี้ บางพระ", "รับชำระล่าสุด สัปดาห์นี้ บางพระ"), ("เดือนนี้เก็บได้เท่าไหร่", "ยอดรับชำระ"),
    ("ใครจ่ายแล้วบ้าง", "รับชำระล่าสุด"), ("ใครจ่ายล่าสุดครับ", "รับชำระล่าสุด"), ("รายการรับชำระเดือนนี้", "รับชำระล่าสุด เดือนนี้"),
    # A span in words: ภายใน / อีก N วัน, weeks, a month as 30 days.
    ("ครบกำหนดภายใน 7 วัน", "ครบกำหนด 7"), ("ครบกำหนด 2 สัปดาห์", "ครบกำหนด 14"),
    ("ครบกำหนด บางพระ 1 เดือน", "ครบกำหนด 30 บางพระ"), ("ใครครบกำหนดอีก 3 วัน", "ครบกำหนด 3"),
    ("ครบกำหนด ภายใน 3 วัน บางพระ", "ครบกำหนด 3 บางพระ"),
    # A place's qualifier glued to it (chat.phrases.apart).
    ("ค้างชำระผิดสัญญาบางพระ", "ค้างชำระ ผิดสัญญา บางพระ"), ("ค้างชำระ31-90วันบางพระ", "ค้างชำระ 31-90 วัน บางพระ"),
    ("บางพระค้างชำระเกิน 30 วัน", "ค้างชำระ เกิน 30 วัน บางพระ"), ("บางพระใครครบกำหนดสัปดาห์นี้", "ครบกำหนด สัปดาห์นี้ บางพระ"),
    # A fund named after กองทุน, then what is asked of it; a place, then what is to be fixed.
    ("กองทุนบ้านบางพระมีปัญหาอะไร", "ตรวจสอบ บ้านบางพระ"), ("กองทุนบ้านบางพระค้างเท่าไหร่", "ค้างชำระ บ้านบางพระ"),
    ("กองทุนบางพระครบกำหนดสัปดาห์นี้", "ครบกำหนด สัปดาห์นี้ บางพระ"), ("บ้านบางพระ ม.1 ต้องแก้อะไร", "ตรวจสอบ บ้านบางพระ"),
    ("บางพระข้อมูลครบไหม", "ตรวจสอบ บางพระ"),
    # A fund's bank balance updated (by sending the passbook), committees out of term, "now" glued.
    ("อัปเดตยอดเงินฝากบ้านบางพระ", "ส่งเอกสาร"), ("กรรมการหมดวาระกองทุนไหนบ้าง", "ตรวจสอบ"),
    ("กองทุนไหนกรรมการหมดวาระ", "ตรวจสอบ"), ("ยอดเงินฝากล่าสุดบ้านบางพระ", "กองทุน บ้านบางพระ"),
    ("ค้างชำระกองทุนไหนบ้าง", "ค้างชำระ"),
    # A wider vocabulary officers use (a field visit, bad debt, the revolving money, a debtor's record).
    ("ใครยังค้างอยู่บ้าง", "ค้างชำระ"), ("ลูกหนี้ค้างนานๆ มีใครบ้าง", "ค้างชำระ"), ("วันนี้ต้องโทรตามใคร", "ค้างชำระ"),
    ("ต้องไปเยี่ยมใครบ้าง", "ค้างชำระ"), ("งวดที่เลยกำหนด", "ค้างชำระ"), ("ใครเลยกำหนดชำระ", "ค้างชำระ"),
    ("ลูกหนี้ผิดนัด", "ค้างชำระ"), ("ตอนนี้ค้างเท่าไหร่", "ค้างชำระ"), ("ยอดหนี้คงเหลือทั้งหมด", "สรุป"),
    ("เงินที่ปล่อยกู้ไปทั้งหมด", "สรุป"), ("หนี้เสีย", "สรุป"), ("NPL", "สรุป"), ("วันนี้สรุปยอดหน่อย", "สรุป"),
    ("กองทุนมีเงินเหลือเท่าไหร่", "กองทุน"), ("บางพระมีเงินเหลือเท่าไหร่", "กองทุน บางพระ"), ("เงินหมุนเวียน", "กองทุน"),
    ("เดือนนี้เก็บได้กี่บาท", "ยอดรับชำระ"), ("ยอดค้างรายกองทุน", "กองทุนค้างมาก"),
    ("สถานะลูกหนี้ นายหนึ่ง", "ค้นหา นายหนึ่ง"), ("ดูรายละเอียดลูกหนี้บ้านบางพระ", "ค้นหา บ้านบางพระ"),
    ("เทียบแต่ละอำเภอ", "อำเภอค้างมาก"), ("อำเภอไหนเก็บเงินได้น้อยสุด", "ยอดรับชำระ"), ("อำเภอไหนมีปัญหาข้อมูล", "ตรวจสอบ"),
    ("ขอตัวเลขเข้าประชุม", "รายงานประชุม"), ("ค้างชำระเพิ่มขึ้นไหม", "แนวโน้ม"), ("ยอดรับชำระปีงบนี้", "ยอดรับชำระ"),
    ("เจ้าหน้าที่คนไหนยังไม่ได้ใช้งาน", "เจ้าหน้าที่"),
    # Times said with more words, and a day named (today is 26 Nov 2569).
    ("ครบกำหนดภายในเดือนนี้", "ครบกำหนด เดือนนี้"), ("ครบกำหนดต้นเดือนหน้า", "ครบกำหนด เดือนหน้า"),
    ("สิ้นเดือนนี้ใครครบกำหนด", "ครบกำหนด เดือนนี้"), ("จะครบกำหนดเมื่อไหร่บ้าง", "ครบกำหนด"),
    ("ครบกำหนดวันที่ 30", "ครบกำหนด 4"), ("ครบกำหนด 30 พ.ย.", "ครบกำหนด 4"), ("ครบกำหนด ถึง 5 ธ.ค. บางพระ", "ครบกำหนด 9 บางพระ"),
    ("ครบกำหนดวันที่ 10 บางพระ", "ครบกำหนด 14 บางพระ"),
    ("บางพระค้างกี่วัน", "ค้างชำระ บางพระ"),
    ("บ้านบางพระ ใบติดตาม", "ใบติดตาม บ้านบางพระ"), ("ใบติดตามบ้านบางพระเดือนนี้", "ใบติดตาม บ้านบางพระ"),
    ("เมืองตราดหนังสือแจ้งเตือน", "หนังสือแจ้งเตือน เมืองตราด"),
    ("ยอดที่ต้องเก็บเดือนนี้", "ครบกำหนด เดือนนี้"), ("เป้าการเก็บเงินเดือนนี้", "ครบกำหนด เดือนนี้"),
    ("เดือนนี้มีงวดครบกำหนดกี่งวด", "ครบกำหนด เดือนนี้"), ("สัปดาห์นี้ต้องเก็บเท่าไหร่", "ครบกำหนด สัปดาห์นี้"),
    ("ยอดรับชำระตุลาคมตำบลบางพระ", "ยอดรับชำระ ตุลาคม ต.บางพระ"), ("ครบกำหนด7บางพระ", "ครบกำหนด 7 บางพระ"),
    ("สรุปบางพระเดือนนี้", "สรุป บางพระ"), ("ยอดค้างชำระทุกอำเภอ", "ค้างชำระ"),
])
def test_when_and_where_are_read_as_people_say_them_not_as_places(chat, asked, same_as):
    # The chat answers as of today: "this month" or "now" asks for the same answer, not a place.
    assert _without_buttons(chat.text(USER_OF01, asked)) == _without_buttons(chat.text(USER_OF01, same_as))


@pytest.mark.parametrize("text", ["นายหนึ่ง จ่ายไปเท่าไหร่แล้ว", "นายหนึ่งจ่ายหรือยังครับ", "นายหนึ่ง ทดสอบ เหลือเท่าไหร่",
                                  "นายหนึ่ง ชำระแล้วเท่าไร"])
def test_a_question_about_a_borrowers_paying_finds_the_borrower(chat, text):
    # Their card says what was paid and what is left.
    answer = chat.text(USER_OF01, text)
    assert answer == chat.text(USER_OF01, "ค้นหา " + text.split("จ่าย")[0].split("ชำระ")[0].split(" เหลือ")[0].strip())
    assert "นายหนึ่ง ทดสอบ" in answer and "ไม่เข้าใจ" not in answer


@pytest.mark.parametrize("text", ["นายหนึ่งยืมไปเท่าไหร่", "นายหนึ่ง ทดสอบ กู้ไปเท่าไหร่",
                                  "นายหนึ่ง ทดสอบต้องจ่ายงวดหน้าเมื่อไหร่"])
def test_what_a_borrower_borrowed_or_pays_next_finds_their_card(chat, text):
    answer = chat.text(USER_OF01, text)
    assert answer == chat.text(USER_OF01, "ค้นหา นายหนึ่ง")
    # A place before "must pay how much" is still the place's due list, not its card.
    assert chat.text(USER_OF01, "บางพระต้องจ่ายเท่าไหร่") == chat.text(USER_OF01, "ครบกำหนด บางพระ")


@pytest.mark.parametrize("text", ["ขอเบอร์โทรลูกหนี้ที่ค้าง", "เบอร์โทรนายหนึ่ง", "นายหนึ่ง เบอร์อะไร", "ขอเบอร์นายห้าหน่อย"])
def test_a_phone_number_asked_for_is_not_shown_and_the_sheet_is_named(chat, text):
    # The chat shows no borrower's phone number (personal data); it says where the officer finds one.
    answer = chat.text(USER_OF01, text)
    assert "บอตไม่แสดงเบอร์โทรศัพท์ของลูกหนี้" in answer and "แท็บ ลูกหนี้" in answer
    assert "นายห้า" not in answer and "ไม่เข้าใจ" not in answer


@pytest.mark.parametrize("text", ["นายหนึ่งจ่ายครบหรือยัง", "นายหนึ่ง ปิดบัญชีหรือยังครับ", "นายหนึ่งหมดหนี้หรือยัง",
                                  "นายหนึ่ง ชำระครบแล้วหรือยัง", "นายหนึ่ง งวดหน้าเท่าไหร่", "นายหนึ่งเหลือกี่งวด",
                                  "ค้นหา นายหนึ่ง งวดหน้า", "ประวัติการชำระของนายหนึ่ง", "นายหนึ่ง จ่ายล่าสุดเมื่อไหร่",
                                  "นายหนึ่ง ค้างกี่เดือน", "ดูการ์ดลูกหนี้ นายหนึ่ง"])
def test_whether_a_borrower_has_paid_in_full_finds_the_borrower(chat, text):
    # Their card says whether the contract is closed, what is left, and the next installment.
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, "ค้นหา นายหนึ่ง")


def test_a_contract_asked_about_is_its_card(chat):
    assert chat.text(USER_OF01, "สัญญา F1-002 เหลือกี่งวด") == chat.text(USER_OF01, "ค้นหา F1-002")
    assert "ไม่พบลูกหนี้" in chat.text(USER_OF01, "สัญญา F3-001 เหลือกี่งวด")     # another district's


@pytest.mark.parametrize("text", ["นายหนึ่งอยู่หมู่ไหน", "นายหนึ่ง อยู่กองทุนไหนครับ", "นายหนึ่งบ้านอยู่ไหน"])
def test_where_a_borrower_is_finds_the_borrower(chat, text):
    # Their card names the fund and the village.
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, "ค้นหา นายหนึ่ง")


@pytest.mark.parametrize("text", ["นายหนึ่ง", "นายหนึ่ง ทดสอบ", "f1-002", "หานายหนึ่ง", "ช่วยหานายหนึ่งหน่อย"])
def test_a_borrower_named_alone_is_found(chat, text):
    name = "นายหนึ่ง" if "หา" in text else text
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, f"ค้นหา {name}")


def test_a_name_of_another_district_is_not_understood_and_not_said_back(chat):
    # เขาสมิง's village and borrower: the district officer of เมืองตราด learns nothing of them.
    for text in ("บ้านเขาสมิง", "นายห้า ทดสอบ"):
        answer = chat.text(USER_OF01, text)
        assert "ไม่เข้าใจคำสั่ง" in answer and "เขาสมิง" not in answer and "นายห้า" not in answer
    assert "บ้านเขาสมิง" in chat.text(USER_PV01, "บ้านเขาสมิง")   # the province sees it


@pytest.mark.parametrize("text", ["สวัสดีครับ", "สวัสดีจ้า", "หวัดดีค่ะ", "hello", "อรุณสวัสดิ์ค่ะ"])
def test_greetings_are_answered_kindly_with_the_menu(chat, text):
    messages = chat.say(USER_OF01, text)
    assert "สวัสดีค่ะ" in text_of(messages) and "ไม่เข้าใจ" not in text_of(messages)
    labels = [item["action"]["label"] for item in messages[0]["quickReply"]["items"]]
    assert "ค้างชำระ" in labels and "ครบกำหนด" in labels


@pytest.mark.parametrize("text,question", [
    ("สวัสดีครับ วันนี้มีใครต้องจ่ายบ้าง", "ครบกำหนด วันนี้"), ("หวัดดี ค้างชำระ", "ค้างชำระ"),
    ("สวัสดีค่ะ บางพระเป็นไงบ้าง", "กองทุน บางพระ"), ("สวัสดีครับ ค้นหา นายหนึ่ง", "ค้นหา นายหนึ่ง"),
])
def test_a_greeting_then_a_question_is_greeted_and_answered(chat, text, question):
    messages = chat.say(USER_OF01, text)
    assert messages[0]["text"] == "สวัสดีค่ะ คุณสมศรี (อ.เมืองตราด)"
    assert messages[1:] == chat.say(USER_OF01, question)
    alone = chat.say(USER_OF01, "สวัสดีครับ อิอิ")   # nothing understood after it: the greeting and the menu
    assert len(alone) == 1 and "วันนี้ให้ช่วยอะไรดีคะ" in alone[0]["text"]


@pytest.mark.parametrize("typed,same_as", [
    ("พรุ่งนี้", "ครบกำหนด พรุ่งนี้"), ("สัปดาห์หน้า", "ครบกำหนด สัปดาห์หน้า"), ("วันนี้", "ครบกำหนด วันนี้"),
    ("ใครค้างเกินสามเดือน", "ค้างชำระ เกิน 90 วัน"), ("ค้างเกิน 3 เดือน", "ค้างชำระ เกิน 90 วัน"),
    ("ค้างชำระ 1-3 เดือน บางพระ", "ค้างชำระ 31-90 วัน บางพระ"), ("ค้างไม่เกินเดือน", "ค้างชำระ 1-30 วัน"),
    ("ค้างนานกว่า 90 วัน", "ค้างชำระ เกิน 90 วัน"), ("มีใครค้างบ้าง", "ค้างชำระ"),
])
def test_a_time_alone_and_months_of_arrears_are_read_as_people_say_them(chat, typed, same_as):
    assert _without_buttons(chat.text(USER_OF01, typed)) == _without_buttons(chat.text(USER_OF01, same_as))
    assert "ไม่เข้าใจ" not in chat.text(USER_OF01, typed) and "ไม่พบกองทุน" not in chat.text(USER_OF01, typed)


@pytest.mark.parametrize("typed", ["ยืนยัน", "ยืนยันบันทึก", "ตกลง", "OK", "ยืนยันครับ", "ยืนยัน ค่ะ"])
def test_confirm_typed_writes_nothing_and_says_to_press_the_cards_button(chat, sheets_fake, typed):
    chat.say(USER_OF01, "ชำระ F1-002 500")
    before = len(sheets_fake.rows(SPREADSHEET_ID, "รับชำระ"))
    assert "กดปุ่ม ยืนยันบันทึก บนการ์ดยืนยัน" in chat.text(USER_OF01, typed)
    assert len(sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")) == before


def test_a_page_alone_asks_which_list_with_both_lists_buttons(chat):
    answer = chat.say(USER_OF01, "หน้า 2")
    assert "หน้า 2 ของรายการไหน" in text_of(answer)
    assert [a["text"] for a in actions_of(answer)][:2] == ["ค้างชำระ หน้า 2", "ครบกำหนด หน้า 2"]


def test_notice_letters_say_who_is_overdue_long_enough_and_where_they_are_made(chat):
    # เมืองตราด: F1-002 is 31 days overdue, F2-001 one day (under notices.min_days, 30); the province
    # has F3-001 too, 240 days (ผิดสัญญา).
    answer = chat.text(USER_OF01, "หนังสือทวงถาม")
    assert "ค้างชำระตั้งแต่ 30 วัน (อ.เมืองตราด: ตอนนี้ 1 สัญญา;" in answer
    assert "python main.py notices --district เมืองตราด --dry-run" in answer
    assert "(จังหวัดตราด: ตอนนี้ 2 สัญญา;" in chat.text(USER_PV01, "หนังสือแจ้งเตือน")
    # A place narrows the count, and names the district the office's command makes letters for.
    there = chat.say(USER_PV01, "หนังสือแจ้งเตือน เขาสมิง")
    assert "(อ.เขาสมิง: ตอนนี้ 1 สัญญา;" in text_of(there) and "--district เขาสมิง --dry-run" in text_of(there)
    assert [a["text"] for a in actions_of(there)][:2] == ["ค้างชำระ เขาสมิง", "ค้างชำระ เกิน 90 วัน เขาสมิง"]
    assert "--district <อำเภอ>" in chat.text(USER_PV01, "หนังสือแจ้งเตือน")       # the province: which one is theirs to say
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "หนังสือแจ้งเตือน เขาสมิง")       # not the officer's district


def test_the_meeting_report_asked_for_says_where_its_pdf_is_and_links_the_tab(chat):
    answer = chat.say(USER_OF01, "ขอไฟล์รายงานครับ")
    text = text_of(answer)
    for asked in ("รายงานประชุม", "report", "พิมพ์รายงานประจำเดือน", "แบบ 26(1)"):
        assert text_of(chat.say(USER_OF01, asked)) == text, asked
    # The month just ended (today is 26 Nov 2569): its PDF, where the report job keeps it here.
    assert "รายงานประจำเดือน ตุลาคม 2569 สำหรับการประชุม" in text and "data/reports/report-2026-10.pdf" in text
    assert not [a for a in actions_of(answer) if a.get("type") == "uri"]   # no report tab yet: nothing to open
    assert "สรุป อ." in chat.text(USER_OF01, "รายงานประจำเดือน")   # the month's figures on screen: สรุป, as before


def test_the_meeting_report_on_drive_is_one_tap_away(sheets_fake, line_fake):
    load_province(sheets_fake)
    chat = Chat(make_runtime(sheets_fake, line_fake, overrides={"report.drive_folder_id": "folder-7"}))
    answer = chat.say(USER_OF01, "รายงานประชุม")
    assert "ในโฟลเดอร์รายงานบน Google Drive" in text_of(answer)
    assert "https://drive.google.com/drive/folders/folder-7" in [a["uri"] for a in actions_of(answer) if a["type"] == "uri"]
    assert line_fake.violations == []


def test_the_meeting_reports_tab_made_after_the_instance_started_is_linked(sheets_fake, line_fake, monkeypatch):
    import sheets.google

    load_province(sheets_fake)
    chat = Chat(make_runtime(sheets_fake, line_fake))
    assert "ตรวจสอบข้อมูล" in chat.text(USER_PV01, "ตรวจสอบ")                   # the tabs' ids asked once
    sheets_fake.set_rows(SPREADSHEET_ID, "รายงานประจำเดือน", [["รายงาน"]])      # the monthly job adds its tab
    asked = sheets_fake.count("spreadsheets.get")
    assert "https://" not in chat.text(USER_OF01, "รายงานประชุม")               # not asked again so soon
    assert sheets_fake.count("spreadsheets.get") == asked
    monkeypatch.setattr(sheets.google, "TAB_IDS_AGAIN", 0.0)                    # … but once the wait is over
    answer = chat.say(USER_OF01, "รายงานประชุม")
    tab_id = sheets_fake.sheet(SPREADSHEET_ID, "รายงานประจำเดือน").sheet_id
    uris = [a["uri"] for a in actions_of(answer) if a.get("type") == "uri"]
    assert uris == [f"https://docs.google.com/spreadsheets/d/{SPREADSHEET_ID}/edit#gid={tab_id}&range=1:1"]
    assert sheets_fake.count("spreadsheets.get") == asked + 1 and line_fake.violations == []


def test_a_summary_of_a_past_month_points_to_that_months_figures(chat):
    """สรุป is as of today: for a month gone it says where that month's figures are, one tap away."""
    answer = chat.say(USER_OF01, "สรุปผลการดำเนินงานเดือนตุลาคม บางพระ")
    assert "ตัวเลขของเดือน ตุลาคม 2569 ดูได้ที่ ยอดรับชำระ ต.ค. 2569" in text_of(answer)
    assert [a["text"] for a in actions_of(answer)][:3] == ["ยอดรับชำระ ต.ค. 2569 บางพระ", "แนวโน้ม บางพระ", "สรุป บางพระ"]
    assert "ยอดรับชำระ ตุลาคม 2569" in chat.text(USER_OF01, "ยอดรับชำระ ต.ค. 2569 บางพระ")


def test_a_problem_reported_opens_the_keyboard_for_it(chat):
    answer = chat.say(USER_OF01, "แจ้งปัญหา")
    assert "พิมพ์ แนะนำ ตามด้วยข้อความ" in text_of(answer)
    assert any(a.get("fillInText") == "แนะนำ " for a in actions_of(answer))
    assert "ขอบคุณค่ะ บันทึกข้อเสนอแนะแล้ว" in chat.text(USER_OF01, "แจ้งปัญหา ปุ่มค้นหากดไม่ได้")


def test_cancel_with_nothing_to_cancel_points_to_the_recordings(chat):
    answer = chat.say(USER_OF01, "ยกเลิก")
    assert "ไม่มีขั้นตอนที่ค้างอยู่ให้ยกเลิก" in text_of(answer)
    assert [a["text"] for a in actions_of(answer)][0] == "รายการที่บันทึก"


def test_thanks_are_answered_kindly(chat):
    messages = chat.say(USER_OF01, "ขอบคุณครับ")
    assert "ยินดีค่ะ" in text_of(messages)
    assert "ยินดีค่ะ" in chat.text(USER_OF01, "ok ขอบคุณครับ") and "ยินดีค่ะ" in chat.text(USER_OF01, "โอเค ขอบคุณค่ะ")


@pytest.mark.parametrize("text", ["ครับ", "ค่ะ", "👍", "รับทราบ", "ได้ครับ", "โอเค", "ok"])
def test_an_acknowledgement_is_answered_kindly_and_ok_says_how_a_repayment_is_confirmed(chat, text):
    answer = chat.text(USER_OF01, text)
    assert "รับทราบค่ะ" in answer and "ไม่เข้าใจ" not in answer
    assert ("กดปุ่ม ยืนยันบันทึก" in answer) == (text in ("โอเค", "ok"))
    assert "กดปุ่ม ยืนยันบันทึก" in chat.text(USER_OF01, "ยืนยัน")   # typed to confirm: the button does it


@pytest.mark.parametrize("text,first", [("ลูกค้าค้างเงินมั้ยวะ", "ค้างชำระ"), ("อยากรู้เรื่องการจ่ายเงิน", "รับชำระล่าสุด"),
                                        ("อะไรนะ", "เมนู")])
def test_what_is_not_understood_offers_what_it_seems_about_first(chat, text, first):
    messages = chat.say(USER_OF01, text)
    assert "ไม่เข้าใจคำสั่ง" in text_of(messages)
    assert messages[0]["quickReply"]["items"][0]["action"]["text"] == first


def test_a_test_message_is_answered_and_a_borrower_of_that_name_is_still_found(chat):
    answer = chat.text(USER_OF01, "test")
    assert "บอตพร้อมใช้งาน" in answer and "อ.เมืองตราด" in answer and "26 พ.ย. 2569" in answer
    assert "นายหนึ่ง ทดสอบ" in chat.text(USER_OF01, "ทดสอบ")   # the tiny province's borrowers are all ทดสอบ


@pytest.mark.parametrize("text", ["ค้างช\u0e4d\u0e32ระ", "คางชำระ", "ใครค้างบ้าง", "ค้างชำระครับ", "ค้างจ่าย"])
def test_overdue_as_people_type_it(chat, text):
    assert text_of(chat.say(USER_OF01, text)) == text_of(chat.say(USER_OF01, "ค้างชำระ"))


# ---------------------------------------------------------------- linking

def test_unlinked_users_get_only_the_way_to_link(chat):
    for text in ("เมนู", "ค้างชำระ", "ค้นหา ทดสอบ", "สรุป", "กองทุน บางพระ", "ชำระ F1-001 100", "อะไร"):
        reply = chat.text(STRANGER, text)
        assert "ลงทะเบียน" in reply
        assert "F1-" not in reply and "ทดสอบ" not in reply and "บาท" not in reply
    welcome = text_of(chat.conv.on_follow(STRANGER))
    assert "ลงทะเบียน" in welcome and "ยินดีต้อนรับ" in welcome


def test_register_links_the_account_with_the_profile_name(chat, sheets_fake, line_fake):
    line_fake.add_profile(STRANGER, "มานี LINE")
    reply = chat.text(STRANGER, "ลงทะเบียน ghi789")          # OF-03's code, any case
    assert "ผูกบัญชีเรียบร้อย" in reply and "มานี รักดี" in reply and "อ.เขาสมิง" in reply
    links = rows(sheets_fake, "บัญชี LINE")
    assert links[-1][1:4] == ["OF-03", STRANGER, "มานี LINE"]
    # Now linked: data of their district.
    assert "F3-001" in chat.text(STRANGER, "ค้างชำระ")
    # Again with the same code: no second row.
    assert "ผูกบัญชีไว้แล้ว" in chat.text(STRANGER, "register GHI789")
    assert len(rows(sheets_fake, "บัญชี LINE")) == len(links)


def test_wrong_codes_are_refused_and_slowed(chat, sheets_fake):
    for left in (4, 3, 2, 1):
        assert f"ลองได้อีก {left} ครั้ง" in chat.text(STRANGER, "ลงทะเบียน WRONG")
    assert "ลองครบจำนวนครั้ง" in chat.text(STRANGER, "ลงทะเบียน WRONG")
    # Six: blocked, even with the right code.
    assert "โปรดลองใหม่ในอีก" in chat.text(STRANGER, "ลงทะเบียน GHI789")
    assert len(rows(sheets_fake, "บัญชี LINE")) == 4
    # An hour later it works.
    limiter = chat.conv.limiter
    now = limiter.clock()
    limiter.clock = lambda: now + 3601
    assert "ผูกบัญชีเรียบร้อย" in chat.text(STRANGER, "ลงทะเบียน GHI789")
    # Another LINE user is not slowed by the first one's mistakes.
    assert "ลองได้อีก 4 ครั้ง" in chat.text("U" + "8" * 32, "ลงทะเบียน nope")


def test_inactive_officer_is_refused_and_gets_nothing(chat, sheets_fake):
    assert "ปิดการใช้งาน" in chat.text(STRANGER, "ลงทะเบียน JKL000")
    assert len(rows(sheets_fake, "บัญชี LINE")) == 4
    for text in ("ค้างชำระ", "เมนู", "ค้นหา ทดสอบ"):
        reply = chat.text(USER_OF04, text)  # OF-04 is linked but inactive
        assert "ปิดการใช้งาน" in reply and "F3-" not in reply


@pytest.mark.parametrize("typed", ["ลงทะเบียน", "ขอรหัสลงทะเบียนหน่อยครับ", "ลืมรหัสลงทะเบียน", "ลงทะเบียนยังไง"])
def test_asking_for_a_code_says_where_it_comes_from_and_tries_nothing(chat, sheets_fake, typed):
    answer = chat.text(STRANGER, typed)
    assert "พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียน" in answer and "ผู้ดูแลระบบจังหวัด" in answer
    assert "ไม่ถูกต้อง" not in answer and len(rows(sheets_fake, "บัญชี LINE")) == 4   # no code tried, nothing linked


def test_relinking_replaces_the_old_link(chat, sheets_fake):
    # OF-02's phone now links OF-01's code: OF-01 moves to it, and that phone is no longer OF-02.
    assert "สมศรี มีสุข" in chat.text(USER_OF02, "ลงทะเบียน ABC123")
    chat.runtime.snapshots.invalidate()
    assert "ลงทะเบียน" in chat.text(USER_OF01, "ค้างชำระ")            # the old phone is unlinked
    assert "สมศรี มีสุข" in chat.text(USER_OF02, "เมนู")


def test_a_code_shared_by_two_officers_links_nobody(sheets_fake, line_fake):
    from tests.sheetdata import tiny_province

    data = tiny_province()
    data["officers"][1]["register_code"] = "ABC123"
    load_province(sheets_fake, data)
    chat = Chat(make_runtime(sheets_fake, line_fake))
    assert "ผู้ดูแลระบบ" in chat.text(STRANGER, "ลงทะเบียน ABC123")
    assert len(rows(sheets_fake, "บัญชี LINE")) == 4


# ---------------------------------------------------------------- help

def test_menu_lists_every_command_with_next_steps(chat):
    messages = chat.say(USER_OF01, "เมนู")
    text = text_of(messages)
    for usage in ("ครบกำหนด", "ค้างชำระ", "กองทุน", "ค้นหา", "ชำระ", "สรุป", "ตรวจสอบ", "แนะนำ"):
        assert usage in text
    assert "สมศรี มีสุข · อ.เมืองตราด" in text
    labels = [item["action"]["label"] for item in messages[0]["quickReply"]["items"]]
    assert "ครบกำหนด" in labels and "ค้างชำระ" in labels and len(labels) <= 13
    # Every command's row is tapped, not typed: it sends the command (answered with its own buttons), or
    # opens the keyboard with it typed when words must follow (ค้นหา <ชื่อ>, แนะนำ <ข้อความ>).
    from chat.commands import COMMANDS, route

    rows = [c for c in messages[0]["contents"]["body"]["contents"] if c["type"] == "box" and "action" in c]
    shown = [c for c in COMMANDS.values() if c.in_help and c.key not in ("help", "register")]
    assert len(rows) == len(shown)
    for row in rows:
        action, usage = row["action"], row["contents"][0]["text"]
        if action["type"] == "message":
            cmd, _ = route(action["text"])
            assert cmd is not None and usage.startswith(cmd.words[0]), usage
            assert "ไม่เข้าใจ" not in chat.text(USER_OF01, action["text"])
        else:
            assert action["inputOption"] == "openKeyboard" and usage.startswith(action["fillInText"].strip())
    assert {r["action"].get("fillInText") for r in rows} >= {"ค้นหา ", "แนะนำ "}


# ---------------------------------------------------------------- due and overdue

def test_due_default_seven_days(chat):
    text = chat.text(USER_OF01, "ครบกำหนด")
    assert "2 งวด รวม 14,000 บาท" in text
    assert text.index("F1-002") < text.index("F1-001")            # today first
    assert "26 พ.ย. 2569 (วันนี้)" in text and "3 ธ.ค. 2569 (อีก 7 วัน)" in text
    assert "F3-" not in text


@pytest.mark.parametrize("text,expect", [
    ("ครบกำหนด 0", "1 งวด รวม 4,000 บาท"), ("due 6", "1 งวด รวม 4,000 บาท"),
    ("ครบกำหนด ๗", "2 งวด รวม 14,000 บาท"), ("ครบกำหนด 7 บางพระ", "2 งวด รวม 14,000 บาท"),
    ("ครบกำหนด 30 หนองเสม็ด", "ไม่มีงวดที่ต้องชำระ"), ("ครบกำหนด 400", "0–366"),
    ("ครบกำหนด 7 ไม่มีหมู่บ้านนี้", "ไม่พบกองทุน"),
])
def test_due_days_and_narrowing(chat, text, expect):
    assert expect in chat.text(USER_OF01, text)


@pytest.mark.parametrize("text, same_as", [
    ("ครบกำหนดพรุ่งนี้", "ครบกำหนด 1"), ("ใครต้องจ่ายวันนี้", "ครบกำหนด 0"),
    ("ครบกำหนดสัปดาห์นี้", "ครบกำหนด 3"),            # Thursday 26 Nov 2569 to Sunday
    ("ครบกำหนดเดือนนี้ บางพระ", "ครบกำหนด 4 บางพระ"),  # to 30 Nov
])
def test_due_as_a_time_word(chat, text, same_as):
    assert chat.text(USER_OF01, text) == chat.text(USER_OF01, same_as)


@pytest.mark.parametrize("asked,title,span", [
    ("ครบกำหนดเดือนหน้า", "ครบกำหนดเดือนธันวาคม 2569", "1 ธ.ค. 2569 ถึง 31 ธ.ค. 2569"),
    ("ใครต้องจ่ายเดือนธันวาคม", "ครบกำหนดเดือนธันวาคม 2569", "1 ธ.ค. 2569 ถึง 31 ธ.ค. 2569"),
    ("ครบกำหนดสัปดาห์หน้า บางพระ", "ครบกำหนดสัปดาห์หน้า", "30 พ.ย. 2569 ถึง 6 ธ.ค. 2569"),
])
def test_next_month_and_next_week_start_then_not_today(chat, asked, title, span):
    """Thursday 26 Nov 2569: F1-002's installment due today is this week's and this month's, not the next;
    F1-001's on 3 Dec is both."""
    text = chat.text(USER_OF01, asked)
    assert title in text and span in text and "1 งวด รวม 10,000 บาท" in text
    assert "F1-001" in text and "F1-002" not in text


def test_time_words_count_to_the_end_of_the_week_or_month() -> None:
    from chat.lists import days_and_rest

    thursday, december = dt.date(2026, 11, 26), dt.date(2026, 12, 15)
    assert days_and_rest("สัปดาห์หน้า บางพระ", 7, thursday) == (10, "บางพระ")
    assert days_and_rest("เดือนหน้า", 7, december) == (47, "")         # to 31 Jan 2570, across the year
    assert days_and_rest("อาทิตย์นี้", 7, dt.date(2026, 11, 29)) == (0, "")  # on a Sunday: today
    assert days_and_rest("เดือนนี้", 7) == (7, "เดือนนี้")               # without a day: not read


# ---------------------------------------------------------------- รับชำระล่าสุด: who has paid

@pytest.fixture
def paid_chat(sheets_fake, line_fake):
    """The tiny province with a week of repayments: Thursday 26 Nov 2569 is today."""
    from tests.sheetdata import tiny_province

    data = tiny_province()
    data["payments"] += [
        {"contract_no": "F1-001", "paid_date": dt.date(2026, 11, 26), "amount": 1500, "receipt_no": "R6",
         "source": "LINE"},
        {"contract_no": "F1-002", "paid_date": dt.date(2026, 11, 25), "amount": 500, "receipt_no": "R7"},
        {"contract_no": "F2-001", "paid_date": dt.date(2026, 11, 23), "amount": 300},   # the Monday
        {"contract_no": "F3-003", "paid_date": dt.date(2026, 11, 20), "amount": 900},   # เขาสมิง
        {"contract_no": "F3-002", "paid_date": dt.date(2026, 11, 24), "amount": 200},   # a loan whose due date is 31/02
    ]
    load_province(sheets_fake, data)
    return Chat(make_runtime(sheets_fake, line_fake))


def test_who_has_paid_lately_newest_first_in_the_officers_area_only(paid_chat):
    text = paid_chat.text(USER_OF01, "รับชำระล่าสุด")
    assert "รับชำระ 7 วันล่าสุด" in text and "3 รายการ รวม 2,300 บาท" in text
    assert "20 พ.ย. 2569 ถึง 26 พ.ย. 2569" in text
    assert text.index("F1-001") < text.index("F1-002") < text.index("F2-001")
    assert "F3-" not in text, "another district's repayments are not shown"
    assert "26 พ.ย. 2569 · 1,500 บาท" in text and "บันทึกทาง LINE · ใบรับ R6" in text and "พิมพ์ในชีต · ใบรับ R7" in text


@pytest.mark.parametrize("asked,expect", [
    ("รับชำระล่าสุด วันนี้", "1 รายการ รวม 1,500 บาท"), ("ใครจ่ายเมื่อวาน", "1 รายการ รวม 500 บาท"),
    ("ใครจ่ายแล้วบ้าง สัปดาห์นี้", "3 รายการ รวม 2,300 บาท"), ("รับชำระล่าสุด เดือนนี้", "3 รายการ รวม 2,300 บาท"),
    ("รับชำระล่าสุด เดือนที่แล้ว", "1 รายการ รวม 2,000 บาท"), ("รับชำระล่าสุด 30 วัน บางพระ", "3 รายการ รวม 4,000 บาท"),
    ("รับชำระล่าสุด บางพระ เมื่อวาน", "1 รายการ รวม 500 บาท"), ("รับชำระล่าสุด 2 วัน หนองเสม็ด", "ยังไม่มีรายการรับชำระ"),
    ("รับชำระล่าสุด ไม่มีหมู่บ้านนี้", "ไม่พบกองทุน"),
])
def test_who_has_paid_in_a_span_and_a_place(paid_chat, asked, expect):
    assert expect in paid_chat.text(USER_OF01, asked)


def test_who_has_paid_totals_as_the_month_collections_do_and_says_what_it_cannot_count(paid_chat):
    month = paid_chat.text(USER_OF01, "ยอดรับชำระ")
    assert "รับชำระในเดือน  2,300 บาท" in month    # the same engine's figure as รับชำระล่าสุด เดือนนี้
    province = paid_chat.text(USER_PV01, "รับชำระล่าสุด")
    assert "4 รายการ รวม 3,200 บาท" in province and "F3-003" in province
    assert "และ 1 รายการของสัญญาที่ต้องแก้ข้อมูล รวม 200 บาท (ไม่นับในยอด ดู ตรวจสอบ)" in province and "F3-002" in province


def test_who_has_paid_offers_the_other_spans_of_the_same_place_as_buttons(paid_chat):
    def buttons(asked: str) -> dict[str, str]:
        items = paid_chat.say(USER_OF01, asked)[0]["quickReply"]["items"]
        return {i["action"]["label"]: i["action"].get("text", "") for i in items}

    shown = buttons("รับชำระล่าสุด บางพระ")
    assert shown["รับชำระวันนี้"] == "รับชำระล่าสุด วันนี้ บางพระ" and "รับชำระเดือนนี้" in shown
    assert "รับชำระสัปดาห์นี้" not in buttons("รับชำระล่าสุด สัปดาห์นี้")      # not the span shown
    assert "รับชำระเมื่อวาน" not in buttons("รับชำระล่าสุด เมื่อวานนี้")       # however it was said
    empty = buttons("รับชำระล่าสุด เมื่อวาน หนองเสม็ด")                         # nothing that day: the others
    assert empty["รับชำระเดือนนี้"] == "รับชำระล่าสุด เดือนนี้ หนองเสม็ด" and "รับชำระเมื่อวาน" not in empty


def test_the_due_list_offers_who_has_paid_in_the_same_place(paid_chat):
    items = paid_chat.say(USER_OF01, "ครบกำหนด 30 บางพระ")[0]["quickReply"]["items"]
    assert {"label": "ใครจ่ายแล้ว", "text": "รับชำระล่าสุด บางพระ"}.items() <= items[0]["action"].items()


def test_the_window_of_who_has_paid() -> None:
    from chat.lists import paid_window

    thursday = dt.date(2026, 11, 26)
    assert paid_window("", thursday)[:2] == (dt.date(2026, 11, 20), thursday)
    assert paid_window("สัปดาห์นี้ บางพระ", thursday) == (dt.date(2026, 11, 23), thursday, "สัปดาห์นี้", "สัปดาห์นี้", "บางพระ")
    assert paid_window("บางพระ เดือนที่แล้ว", thursday)[:2] == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert paid_window("2 สัปดาห์", thursday)[:3] == (dt.date(2026, 11, 13), thursday, " 14 วันล่าสุด")
    assert paid_window("เดือนที่แล้ว", dt.date(2027, 1, 5))[:2] == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_due_for_the_province(chat):
    text = chat.text(USER_PV01, "ครบกำหนด 90")
    assert "F3-003" in text and "3 งวด รวม 23,000 บาท" in text


def test_overdue_longest_first_with_totals(chat):
    text = chat.text(USER_OF01, "ค้างชำระ")
    assert "2 สัญญา ค้างชำระรวม 11,000 บาท" in text
    assert text.index("F1-002") < text.index("F2-001")
    # The aging table's overdue rows (ledger.aging), in the report's words.
    assert "ค้างชำระ 1–30 วัน  1 สัญญา\nค้างชำระ 5,000 บาท · คงค้าง 5,000 บาท" in text
    assert "ค้างชำระ 31–90 วัน  1 สัญญา\nค้างชำระ 6,000 บาท · คงค้าง 6,000 บาท" in text
    province = chat.text(USER_PV01, "overdue")
    assert province.index("F3-001") < province.index("F1-002") < province.index("F2-001")
    assert "ผิดสัญญา เกิน 240 วัน" in province and "3 สัญญา ค้างชำระรวม 26,000 บาท" in province
    # F3-001 is 240 days late but marked ผิดสัญญา: on its own line, never in the over-90 bucket.
    assert "ผิดสัญญา  1 สัญญา\nค้างชำระ 15,000 บาท · คงค้าง 15,000 บาท" in province
    assert "เกิน 90 วัน" not in province
    assert "1 สัญญา ค้างชำระรวม 15,000 บาท" in chat.text(USER_PV01, "ค้างชำระ อ.เขาสมิง")


def test_long_lists_say_what_was_left_out_and_page(sheets_fake, line_fake):
    from tests.sheetdata import tiny_province

    data = tiny_province()
    for i in range(45):
        data["loans"].append({"contract_no": f"F1-9{i:02d}", "fund_id": "230101-01",
                              "borrower_name": f"ลูกหนี้ทดสอบ {i:02d}", "loan_date": "1/1/69",
                              "amount": 1000 + i, "due_date": f"{1 + i % 20}/10/69"})
    load_province(sheets_fake, data)
    chat = Chat(make_runtime(sheets_fake, line_fake, overrides={"chat.list_limit": 10}))
    first = chat.say(USER_OF01, "ค้างชำระ")
    text = text_of(first)
    assert "47 สัญญา" in text and "และอีก 17 รายการ" in text and "ค้างชำระ หน้า 2" in text
    assert first[0]["contents"]["type"] == "carousel" and len(first[0]["contents"]["contents"]) == 3
    second = chat.text(USER_OF01, "ค้างชำระ หน้า 2")
    assert "หน้า 2/2" in second and "และอีก" not in second
    assert "มี 47 รายการ 2 หน้า" in chat.text(USER_OF01, "ค้างชำระ หน้า 9")
    # Asked as people ask it, the next page is the same command, without the asking words.
    for asked in ("ค้างกี่คน", "ค้างชำระ ทั้งหมด", "ค้างชำระ บางพระ เท่าไหร่"):
        said = chat.say(USER_OF01, asked)
        assert "และอีก 1" in text_of(said), asked
        assert [a["text"] for a in actions_of(said) if a.get("label") == "หน้า 2"] == \
            [("ค้างชำระ บางพระ หน้า 2" if "บางพระ" in asked else "ค้างชำระ หน้า 2")], asked
        assert "กี่คน" not in text_of(said) and "ทั้งหมด" not in text_of(said) and "เท่าไหร่" not in text_of(said)


# ---------------------------------------------------------------- a fund

def test_fund_card(chat):
    text = chat.text(USER_OF01, "กองทุน บางพระ")
    for part in ("230101-01", "280,000 บาท", "150,000 บาท (ณ 31 ต.ค. 2569)", "2 สัญญา (คงค้าง 2)",
                 "16,000 บาท", "6,000 บาท (1 สัญญา)", "PAR30", "37.5%", "ครบถ้วน ถูกต้อง เป็นปัจจุบัน"):
        assert part in text, part
    missing = chat.text(USER_OF01, "fund 230102-03")
    assert "ขาด: สำเนาสมุดบัญชี" in missing
    stale = chat.text(USER_PV01, "กองทุน เขาสมิง")
    assert "ไม่เป็นปัจจุบัน: ยอดเงินฝาก ณ 10 พ.ค. 2569" in stale and "ผิดพลาด 2 จุด" in stale


def test_fund_refusals_and_choices(chat):
    assert "รหัสกองทุน" in chat.text(USER_OF01, "กองทุน")
    assert "พบ 2 กองทุน" in chat.text(USER_OF01, "กองทุน 2301")
    # The buttons name the villages and send the codes, the fund most in arrears first (as กองทุนค้างมาก
    # ranks them: เขาสมิง 15,000, บางพระ 6,000, หนองเสม็ด 5,000 บาท).
    ranked = [("บ้านเขาสมิง ม.2", "230301-02"), ("บ้านบางพระ ม.1", "230101-01"), ("บ้านหนองเสม็ด ม.3", "230102-03")]
    for user, asked, command in ((USER_OF01, "กองทุน", "กองทุน"), (USER_OF01, "กองทุน 2301", "กองทุน"),
                                 (USER_OF01, "ใบติดตาม", "ใบติดตาม"), (USER_PV01, "กองทุน", "กองทุน"),
                                 (USER_PV01, "กองทุนค้างมาก", "กองทุน")):
        buttons = [(a["label"], a["text"]) for a in actions_of(chat.say(user, asked)) if a["text"].startswith(command + " ")]
        expect = ranked if user == USER_PV01 else ranked[1:]
        assert buttons == [(label, f"{command} {code}") for label, code in expect], (user, asked)
    assert "ไม่พบกองทุน" in chat.text(USER_OF01, "กองทุน 230301-02")      # another district


def test_funds_ranked_by_arrears_each_as_its_card_says(chat):
    import re

    ranked = chat.text(USER_PV01, "กองทุนไหนค้างมากสุด")
    assert ranked == chat.text(USER_PV01, "กองทุนค้างมาก")
    for asked in ("กองทุนไหนค้างเยอะ", "กองทุนไหนค้างเยอะที่สุดครับ", "หมู่บ้านไหนค้างมากสุด"):
        assert chat.text(USER_PV01, asked) == ranked, asked
    listed = re.findall(r"\d+\. .*\((\d{6}-\d{2})\)\nค้างชำระ ([\d,]+) บาท · (\d+) สัญญา", ranked)
    assert listed and [fund for fund, _, _ in listed] == sorted(
        (fund for fund, _, _ in listed), key=lambda f: -int(dict((a, b) for a, b, _ in listed)[f].replace(",", "")))
    for fund, arrears, contracts in listed:
        assert f"ค้างชำระ  {arrears} บาท ({contracts} สัญญา)" in chat.text(USER_PV01, f"กองทุน {fund}"), fund
    assert "230301-02" in ranked and "230301-02" not in chat.text(USER_OF01, "กองทุนค้างมาก")  # own district only
    assert chat.text(USER_PV01, "กองทุนค้างมาก เมืองตราด") == chat.text(USER_OF01, "กองทุนค้างมาก")


# ---------------------------------------------------------------- find

def test_find_by_name_partial_and_contract(chat):
    card = chat.text(USER_OF01, "ค้นหา หนึ่ง")
    assert "นายหนึ่ง ทดสอบ" in card and "10,000 บาท" in card and "ใกล้ครบกำหนด" in card
    assert "x-xxxx-xxxx3-45-1" in card and "1101400123451" not in card and "1-1014-00123-45-1" not in card
    contract = chat.text(USER_OF01, "find f1-002")
    for part in ("งวด 1 · 26 ก.ย. 2569", "ชำระแล้ว  6,000 บาท", "ค้าง 2,000 บาท", "เกินกำหนด 31 วัน"):
        assert part in contract, part
    many = chat.text(USER_OF01, "ค้นหา ทดสอบ")
    assert "พบ 4 สัญญา" in many and "ปิดสัญญา" in many
    # Those still owing first, by name without นาย/นาง (สอง, สาม, หนึ่ง), the closed contract (นางสี่) last.
    order = [many.index(c) for c in ("F1-002", "F2-001", "F1-001", "F2-002")]
    assert order == sorted(order)
    assert "ไม่พบลูกหนี้" in chat.text(USER_OF01, "ค้นหา ไม่มีใครชื่อนี้")
    assert "อย่างน้อย 2" in chat.text(USER_OF01, "ค้นหา ก")


def test_find_by_phone_typed_with_or_without_dashes(sheets_fake, line_fake):
    from tests.sheetdata import tiny_province

    data = tiny_province()
    data["loans"][0]["phone"] = "081-234-5678"          # F1-001, นายหนึ่ง
    data["loans"][4]["phone"] = "089-999-0000"          # F3-001, another district's
    load_province(sheets_fake, data)
    chat = Chat(make_runtime(sheets_fake, line_fake))
    card = chat.text(USER_OF01, "ค้นหา นายหนึ่ง")
    for typed in ("ค้นหา 0812345678", "ค้นหา 081-234-5678", "0812345678", "081-234-5678"):
        assert chat.text(USER_OF01, typed) == card, typed   # a phone alone is a search, not an amount
    assert "ไม่พบลูกหนี้" in chat.text(USER_OF01, "ค้นหา 0899990000")
    assert "ไม่เข้าใจคำสั่ง" in chat.text(USER_OF01, "0899990000")
    assert "ไม่ทราบว่าข้อความนี้เป็นของรายการรับชำระใด" in chat.text(USER_OF01, "1500")  # an amount still is one


def test_find_shows_an_unreadable_contract_as_needing_a_fix(chat):
    text = chat.text(USER_PV01, "ค้นหา F3-002")
    assert "อ่านไม่ได้" in text and "แท็บลูกหนี้" in text


# ---------------------------------------------------------------- pay

def test_pay_asks_to_confirm_then_records_once(chat, sheets_fake):
    card = chat.say(USER_OF01, "ชำระ F1-002 ๑,๕๐๐ บาท 15/1/69")
    text = text_of(card)
    assert "ยืนยันบันทึกรับชำระ" in text and "1,500 บาท" in text and "15 ม.ค. 2569" in text
    assert "คงค้างหลังชำระ  4,500 บาท" in text
    assert rows(sheets_fake, "รับชำระ")[-1][0] == "XX-999"                       # nothing written yet
    done = text_of(chat.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก")))
    assert "บันทึกรับชำระแล้ว" in done and "4,500 บาท" in done
    row = rows(sheets_fake, "รับชำระ")[-1]
    assert row[0] == "F1-002" and row[2] == 1500 and row[4:6] == ["OF-01", "LINE"]
    assert row[6].startswith("2026-11-26 10:30") and row[7].startswith("LINE-01TEST")
    assert "ไม่ได้บันทึกซ้ำ" in text_of(chat.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก")))
    assert len([r for r in rows(sheets_fake, "รับชำระ") if r[0] == "F1-002"]) == 3


@pytest.mark.parametrize("typed, shown", [
    ("ชำระ F1-002 1,500.- เมื่อวาน", "25 พ.ย. 2569"), ("ชำระ F1-002 1500 บ. 20/11", "20 พ.ย. 2569"),
    ("ชำระ F1-002 1500 1 ต.ค.", "1 ต.ค. 2569"),            # no year: the latest 1 Oct not after today
    ("ชำระ F1-002 1500 วันนี้", "26 พ.ย. 2569"),
])
def test_pay_reads_dates_and_amounts_as_officers_say_them(chat, typed, shown):
    text = chat.text(USER_OF01, typed)
    assert "ยืนยันบันทึกรับชำระ" in text and "1,500 บาท" in text and f"วันที่ชำระ  {shown}" in text


def test_a_day_and_month_are_read_only_without_a_year() -> None:
    from chat.payments import typed_past_date
    from sheets import readers

    assert readers.read_day_month("15 ม.ค.") == (15, 1) and readers.read_day_month("๑๕/๑") == (15, 1)
    assert readers.read_day_month("15/1/69") is None and readers.read_day_month("15 abc") is None
    with pytest.raises(readers.CellError):
        typed_past_date("31/4", dt.date(2026, 11, 26))
    with pytest.raises(readers.CellError):
        readers.read_date("15/1")                                  # a cell needs its year


def test_pay_cancel_records_nothing(chat, sheets_fake):
    card = chat.say(USER_OF01, "pay F1-001 500")
    assert "ยกเลิกแล้ว" in text_of(chat.tap(USER_OF01, postback_data(card, "ยกเลิก")))
    assert all(r[0] != "F1-001" for r in rows(sheets_fake, "รับชำระ"))


@pytest.mark.parametrize("text,expect", [
    ("ชำระ", "พิมพ์ ชำระ <เลขที่สัญญาหรือชื่อผู้ยืม>"),
    ("ชำระ F1-001", "พิมพ์ ชำระ <เลขที่สัญญาหรือชื่อผู้ยืม>"),
    ("ชำระ ZZ-404 100", "ไม่พบเลขที่สัญญานี้ในพื้นที่ของท่าน"),
    ("ชำระ F3-003 100", "ไม่พบเลขที่สัญญานี้ในพื้นที่ของท่าน"),             # another district: same words
    ("ชำระ F1-001 0", "มากกว่า 0"),
    ("ชำระ F1-001 -50", "อ่านจำนวนเงินไม่ได้"),
    ("ชำระ F1-001 ห้าร้อย", "อ่านจำนวนเงินไม่ได้"),
    ("ชำระ F1-001 10,001", "มากกว่ายอดคงค้าง 10,000 บาท"),
    ("ชำระ F1-001 100 27/11/2569", "อยู่ในอนาคต"),
    ("ชำระ F1-001 100 1/4/2569", "ก่อนวันที่รับเงินยืม"),
    ("ชำระ F1-001 100 31/02/2569", "อ่านวันที่ชำระไม่ได้"),
    ("ชำระ F2-002 100", "ชำระครบแล้ว"),
    # A borrower named instead of a contract: the same checks on the one contract the name finds.
    ("ชำระ นางสี่ 100", "ชำระครบแล้ว"),
    ("ชำระ นายหนึ่ง 10,001", "มากกว่ายอดคงค้าง 10,000 บาท"),
    ("ชำระ นางสอง 100 31/02/2569", "อ่านวันที่ชำระไม่ได้"),
    ("ชำระ นายหนึ่ง ห้าร้อย", "อ่านจำนวนเงินไม่ได้ (พิมพ์ตัวเลข"),
    ("ชำระ นายหนึ่ง นายห้า", "อ่านจำนวนเงินไม่ได้ (พิมพ์ตัวเลข"),          # another district's name: not repeated
    ("ชำระ ไม่มีใคร 100", "ไม่พบผู้ยืมชื่อนี้ในพื้นที่ของท่าน"),
    ("ชำระ นายห้า 100", "ไม่พบผู้ยืมชื่อนี้ในพื้นที่ของท่าน"),    # another district: same words
])
def test_pay_refusals(chat, text, expect):
    messages = chat.say(USER_OF01, text)
    assert expect in text_of(messages)
    assert "นายห้า" not in text_of(messages) and "ไม่มีใคร" not in text_of(messages)  # a name not found: not repeated
    assert not any(a.get("type") == "postback" and "a=pay" in a.get("data", "") for a in actions_of(messages))


def test_pay_unreadable_contract_is_refused(chat):
    assert "อ่านไม่ได้" in chat.text(USER_PV01, "ชำระ F3-002 100")


def test_confirm_is_checked_again_when_tapped(chat, sheets_fake):
    """Between the card and the tap someone typed a receipt into the sheet: the tap re-checks."""
    card = chat.say(USER_OF01, "ชำระ F1-001 10,000")
    sheets_fake.set_rows(SPREADSHEET_ID, "รับชำระ", sheets_fake.rows(SPREADSHEET_ID, "รับชำระ")
                         + [["F1-001", "20/11/2569", 5000]])
    reply = text_of(chat.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก")))
    assert "มากกว่ายอดคงค้าง 5,000 บาท" in reply and "ยังไม่ได้บันทึก" in reply


def test_pay_warns_about_a_payment_that_looks_the_same(chat):
    assert "ตรวจสอบว่าไม่ใช่รายการซ้ำ" in chat.text(USER_OF01, "ชำระ F1-002 2000 30/10/69")


# ---------------------------------------------------------------- summary and check

def test_summary_for_a_district_and_for_the_province(chat):
    district = chat.text(USER_OF01, "สรุป")
    for part in ("สรุป อ.เมืองตราด", "2 กองทุน", "3 จาก 4 สัญญา", "21,000 บาท", "11,000 บาท (2 สัญญา)",
                 "สัญญาคงค้างตามระยะเวลาค้างชำระ", "ไม่ค้างชำระ  1 สัญญา\nค้างชำระ 0 บาท · คงค้าง 10,000 บาท",
                 "ค้างชำระ 1–30 วัน  1 สัญญา\nค้างชำระ 5,000 บาท · คงค้าง 5,000 บาท",
                 "ผิดสัญญา  0 สัญญา", "รวมสัญญาคงค้าง  3 สัญญา\nค้างชำระ 11,000 บาท · คงค้าง 21,000 บาท",
                 "PAR30  28.6%", "1/2 กองทุน"):
        assert part in district, part
    province = chat.text(USER_PV01, "summary")
    for part in ("สรุป จังหวัดตราด", "45,000 บาท", "26,000 บาท (3 สัญญา)",
                 "ผิดสัญญา  1 สัญญา\nค้างชำระ 15,000 บาท · คงค้าง 15,000 บาท",
                 "ค้างชำระเกิน 90 วัน  0 สัญญา",
                 "รวมค้างชำระ (รวมผิดสัญญา)  3 สัญญา\nค้างชำระ 26,000 บาท · คงค้าง 26,000 บาท",
                 "PAR30  46.7%", "แถวที่อ่านไม่ได้  2 แถว", "อ.เขาสมิง: 24,000 / 15,000 / 62.5%"):
        assert part in province, part


def test_check_worst_first_in_the_officers_funds(chat):
    district = chat.text(USER_OF01, "ตรวจสอบ")
    assert "ผ่านครบ 1 จาก 2 กองทุน" in district and "230102-03" in district and "สำเนาสมุดบัญชี" in district
    assert "230301-02" not in district and "XX-999" not in district
    province = chat.text(USER_PV01, "check")
    assert province.index("230301-02") < province.index("230102-03")
    assert "ลูกหนี้ แถว 7" in province and "XX-999" in province


def test_a_spreadsheet_filling_up_is_said_first_to_the_province_only(chat, monkeypatch: pytest.MonkeyPatch):
    import sheets.check

    monkeypatch.setattr(sheets.check, "SHEET_CELL_LIMIT", 10)  # the tiny province's cells fill it
    province = chat.text(USER_PV01, "ตรวจสอบ")
    assert province.index("สเปรดชีตใกล้เต็ม") < province.index("ผ่านครบ")
    assert "สเปรดชีตใกล้เต็ม" not in chat.text(USER_OF01, "ตรวจสอบ")          # not a district's to act on
    assert "สเปรดชีตใกล้เต็ม" not in chat.text(USER_PV01, "ตรวจสอบ เมืองตราด")  # nor a place's


# ---------------------------------------------------------------- feedback

def test_feedback_is_appended_once(chat, sheets_fake):
    assert "พิมพ์ แนะนำ" in chat.text(USER_OF01, "แนะนำ")
    assert "ขอบคุณ" in chat.text(USER_OF01, "แนะนำ อยากได้สรุปรายสัปดาห์")
    assert "ขอบคุณ" in chat.text(USER_OF01, "feedback อยากได้สรุปรายสัปดาห์")   # the same text again
    feedback = rows(sheets_fake, "ข้อเสนอแนะ")
    assert len(feedback) == 1 and feedback[0][1:] == ["OF-01", "อยากได้สรุปรายสัปดาห์"]


# ---------------------------------------------------------------- the same answers through the webhook

def test_the_webhook_gives_the_same_answers(sheets_fake, line_fake):
    load_province(sheets_fake)
    direct = Chat(make_runtime(sheets_fake, line_fake))
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    for text in ("ครบกำหนด", "ค้างชำระ", "กองทุน บางพระ", "ค้นหา หนึ่ง", "สรุป", "ตรวจสอบ"):
        assert text_of(hook.say(USER_OF01, text)) == direct.text(USER_OF01, text)


# ---------------------------------------------------------------- the terminal

def test_terminal_chat_say_and_press_a_button(tmp_path):
    from tests.conftest import make_config

    store = write_workbook(tmp_path / "tiny.xlsx")
    out = io.StringIO()
    config = make_config({"claims.directory": str(tmp_path / "claims")})  # the repayment's claim: not in data/
    code = run_chat("OF-01", terminal_runtime(config, store, TODAY).conversation,
                    say=["ชำระ F1-001 2,500", "1", "ค้างชำระ", "ยกเลิก"], out=out)
    text = out.getvalue()
    assert code == 0
    assert "ยืนยันบันทึกรับชำระ" in text and "1) ยืนยันบันทึก" in text and "บันทึกรับชำระแล้ว" in text
    assert "11,000 บาท" in text
    payments = store.read(["payments"])["payments"].rows
    assert [r[0] for r in payments].count("F1-001") == 1


def test_terminal_refuses_an_unknown_officer(tmp_path, capsys):
    from tests.conftest import make_config

    store = write_workbook(tmp_path / "tiny.xlsx")
    conversation = terminal_runtime(make_config(), store, TODAY).conversation
    assert run_chat("NOBODY", conversation, say=["เมนู"], out=io.StringIO()) == 2
    assert "ไม่พบรหัสเจ้าหน้าที่" in capsys.readouterr().err


def test_terminal_session_fill_in_buttons_only_hint(chat):
    out = io.StringIO()
    session = TerminalSession(chat.conv, "OF-01", USER_OF01, out)
    session.say("ค้นหา หนึ่ง")
    labels = [a["label"] for a in session.buttons]
    session.say(str(labels.index("ค้นหาลูกหนี้") + 1))
    assert "พิมพ์ต่อจากนี้: ค้นหา" in out.getvalue()
    assert labels.count("บันทึกรับชำระ") == 1   # the card's button, not again as a quick reply


def test_the_terminal_sends_a_buttons_label_typed_as_text_as_line_does(chat):
    """Typing ยกเลิก is not tapping ยกเลิก in LINE: the terminal sends it as text too (only a number presses)."""
    out = io.StringIO()
    session = TerminalSession(chat.conv, "OF-01", USER_OF01, out)
    session.say("ชำระ F1-002 500")
    assert "ยกเลิก" in [a["label"] for a in session.buttons]
    session.say("ยกเลิก")
    assert "ไม่มีขั้นตอนที่ค้างอยู่ให้ยกเลิก" in out.getvalue()   # the text, not the card's button


def test_now_and_money_types():
    assert NOW.year == 2026 and isinstance(commands.parse_pay("F1 1,500", TODAY)[1], Decimal)


def test_the_terminal_never_links_a_line_account(tmp_path):
    from tests.conftest import make_config

    store = write_workbook(tmp_path / "tiny.xlsx")
    conversation = terminal_runtime(make_config(), store, TODAY).conversation
    before = store.read(["line_links"])["line_links"].rows
    out = io.StringIO()
    assert run_chat("OF-03", conversation, say=["ลงทะเบียน GHI789", "register GHI789"], out=out) == 0
    assert out.getvalue().count("การผูกบัญชีทำได้ในแอป LINE เท่านั้น") == 2 and "ไม่ได้บันทึกอะไร" in out.getvalue()
    assert "ผูกบัญชีเรียบร้อย" not in out.getvalue()
    assert store.read(["line_links"])["line_links"].rows == before


def test_every_command_word_answers_within_lines_message_rules(sheets_fake, line_fake):
    """Each word of every command, alone and with a place, through the signed webhook as a district and
    a provincial officer: the LINE fake holds every reply to the OpenAPI description (Flex included)."""
    from chat.commands import COMMANDS

    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    said = 0
    for cmd in COMMANDS.values():
        for word in cmd.words:
            for user in (USER_OF01, USER_PV01):
                for text in (word, f"{word} บางพระ"):
                    assert hook.say(user, text), text
                    hook.say(user, "ยกเลิก")   # out of any guided step the word began
                    said += 1
    assert said > 100 and line_fake.violations == [], line_fake.violations[:3]


def test_who_is_linked_to_line_in_the_officers_area(chat):
    """เจ้าหน้าที่: the rollout's check. Active staff only, never a registration code, a district
    officer sees their own district's staff whatever they ask for."""
    province = chat.text(USER_PV01, "ใครยังไม่ลงทะเบียนครับ")
    assert province == chat.text(USER_PV01, "เจ้าหน้าที่") == chat.text(USER_PV01, "officers")
    assert "ผูก LINE แล้ว 3 จาก 4 คน" in province                      # OF-04 is not active
    assert "ยังไม่ผูก LINE\nมานี รักดี (OF-03) · อ.เขาสมิง" in province
    assert "อ.เขาสมิง  0/1" in province and "อ.เมืองตราด  2/2" in province and "ระดับจังหวัด  1/1" in province
    assert "ปิติ" not in province
    one = chat.text(USER_PV01, "เจ้าหน้าที่ อำเภอเมืองตราด")
    assert "ผูก LINE แล้ว 2 จาก 2 คน" in one and "สมศรี มีสุข (OF-01) · ผูกแล้ว 1 มิ.ย. 2569" in one
    assert "มานี" not in one
    own = chat.text(USER_OF01, "เจ้าหน้าที่ เขาสมิง")
    assert "วิชัย ใจดี (OF-02)" in own and "มานี" not in own and "จันทร์เพ็ญ" not in own
    for text in (province, one, own):
        assert not any(code in text for code in ("ABC123", "DEF456", "GHI789", "JKL000", "PRV001"))


def test_a_contracts_short_number_as_the_buttons_show_it_is_read(sheets_fake, line_fake):
    """ชำระ 01/2569/07: the number without the fund's code, as buttons show it; several contracts of the
    area ending so are offered to pick from, never guessed."""
    from tests.sheetdata import tiny_province

    data = tiny_province()
    for contract, fund in (("230101-01/2569/07", "230101-01"), ("230101-01/2569/08", "230101-01"),
                           ("230102-01/2569/08", "230102-03")):
        data["loans"].append({"contract_no": contract, "fund_id": fund, "borrower_name": f"ผู้ยืม {contract[-2:]}",
                              "loan_date": "1/1/69", "amount": 3000, "due_date": "1/12/69"})
    load_province(sheets_fake, data)
    chat = Chat(make_runtime(sheets_fake, line_fake))
    card = chat.text(USER_OF01, "ชำระ 01/2569/07 500")
    assert "ยืนยันบันทึกรับชำระ" in card and "230101-01/2569/07" in card
    assert "230101-01/2569/07" in chat.text(USER_OF01, "รับชำระ 01/2569/07")           # on to the amount
    both = chat.text(USER_OF01, "ชำระ 01/2569/08 500")
    assert "230101-01/2569/08" in both and "230102-01/2569/08" in both and "ยืนยันบันทึกรับชำระ" not in both


def test_each_problem_of_the_check_opens_its_row_in_the_sheet(sheets_fake, line_fake):
    """On Google Sheets a problem's row is one tap away (the tab's id asked once, fields-limited); when
    that request fails the check is answered all the same, without links; a workbook has none."""
    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    hook.say(USER_OF01, "สรุป")
    before = sheets_fake.count("spreadsheets.get")
    answer = hook.say(USER_PV01, "ตรวจสอบ")
    links = [a["uri"] for a in actions_of(answer) if a["type"] == "uri"]
    loans_id = sheets_fake.sheet(SPREADSHEET_ID, "ลูกหนี้").sheet_id
    assert f"https://docs.google.com/spreadsheets/d/{SPREADSHEET_ID}/edit#gid={loans_id}&range=7:7" in links
    assert len(links) == 3 and "แตะเพื่อเปิดแถวนี้ในชีต" in text_of(answer)
    assert sheets_fake.count("spreadsheets.get") == before + 1
    hook.say(USER_OF01, "ตรวจสอบ")
    assert sheets_fake.count("spreadsheets.get") == before + 1      # the ids are kept
    assert line_fake.violations == []

    again = Webhook(make_runtime(sheets_fake, line_fake), line_fake)   # a new instance; Google refuses the ids
    sheets_fake.fail_always(500, kind="spreadsheets.get")
    plain = again.say(USER_PV01, "ตรวจสอบ")
    assert "ลูกหนี้ แถว 7" in text_of(plain) and not [a for a in actions_of(plain) if a["type"] == "uri"]


def test_a_workbook_has_no_row_links(tmp_path):
    from sheets.workbook import WorkbookStore
    from sheets.store import Layout

    assert WorkbookStore(tmp_path / "x.xlsx", Layout()).row_link("ลูกหนี้", 7) is None


def test_arrears_over_an_amount_list_only_those(chat):
    """ค้างชำระมากกว่า 5,500 บาท: "บาท" says money, not days; the sum is of the contracts listed."""
    text = chat.text(USER_OF01, "ค้างชำระมากกว่า 5,500 บาท")
    assert "ค้างชำระ มากกว่า 5,500 บาท" in text and "1 สัญญา ค้างชำระรวม 6,000 บาท" in text
    assert "จาก 2 สัญญาค้างชำระ รวม 11,000 บาท" in text and "F1-002" in text and "F2-001" not in text
    assert "ไม่มีสัญญาค้างชำระ" in chat.text(USER_OF01, "ค้างชำระ เกิน 6000 บาท")
    assert chat.text(USER_OF01, "ค้างชำระ เกิน 90 วัน") != chat.text(USER_OF01, "ค้างชำระ เกิน 90 บาท")
    # Glued, and with a comma in the amount (chat.phrases.apart keeps a number whole).
    assert chat.text(USER_OF01, "ค้างชำระเกิน 5,500 บาท") == text
    assert "F1-002" in chat.text(USER_OF01, "ค้างชำระเกิน 5,500 บาท")


def test_funds_in_arrears_over_an_amount_are_ranked_alone(chat):
    # เมืองตราด: บางพระ's F1-002 6,000 บาท in arrears, หนองเสม็ด's F2-001 5,000.
    text = chat.text(USER_OF01, "กองทุนที่ค้างเกิน 5,500 บาท")
    assert text.startswith("กองทุนค้างชำระเกิน 5,500 บาท") and "(230101-01)" in text and "(230102-03)" not in text
    assert "1 จาก 2 กองทุนมีค้างชำระเกิน 5,500 บาท รวม 6,000 บาท" in text
    assert "ไม่มีกองทุนที่ค้างชำระเกิน 100,000 บาท" in chat.text(USER_OF01, "กองทุนไหนค้างเกิน 100,000 บาท")
    assert "(230102-03)" in chat.text(USER_OF01, "กองทุนค้างมาก")               # without an amount: every one
