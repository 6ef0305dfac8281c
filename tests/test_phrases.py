"""Thai as people type it: the normaliser and the phrasebook on a table of real typings."""
from __future__ import annotations

import pytest

from chat.phrases import GREETING, THANKS_KEY, Phrasebook, named_alone
from core.thai import mask_id_runs, normalize_text, polite_name

WORDS = [("overdue", "ค้างชำระ"), ("overdue", "เกินกำหนด"), ("overdue", "overdue"), ("due", "ครบกำหนด"),
         ("due", "due"), ("summary", "สรุป"), ("find", "ค้นหา"), ("fund", "กองทุน"), ("fund", "fund"),
         ("pay", "ชำระ"), ("help", "เมนู"), ("check", "ตรวจสอบ"), ("feedback", "แนะนำ")]
BOOK = Phrasebook(WORDS)


@pytest.mark.parametrize("typed, key, args", [
    ("ค้างชำระ", "overdue", ""),
    ("ค้างช\u0e4d\u0e32ระ", "overdue", ""),                 # sara am typed as nikhahit + sara aa
    ("ค้าง\u200bชำระ", "overdue", ""),                      # a zero-width space from copy-paste
    ("  ค้างชำระ   บางพระ ", "overdue", "บางพระ"),
    ("ค้างชำระครับ", "overdue", ""),
    ("ค้างชำระ ครับ", "overdue", ""),
    ("ค้างชำระ บางพระ ครับ", "overdue", "บางพระ"),
    ("ใครค้างบ้าง", "overdue", ""),
    ("ใครค้างบ้างครับ", "overdue", ""),
    ("ค้างจ่าย", "overdue", ""),
    ("ขอดูลูกหนี้ค้างจ่ายหน่อยครับ", "overdue", ""),        # a lead, a debtor noun, two particles, all glued
    ("ลูกหนี้ค้างชำระ บางพระ", "overdue", "บางพระ"),
    ("ช่วยด้วย", "help", ""),
    ("ยอดค้างเกาะกูด", "overdue", "เกาะกูด"),                # Thai typed without spaces: a synonym glued to its place
    ("ใครค้างนานสุด", "overdue", ""),
    ("กองทุนไหนมีปัญหา", "check", ""),
    ("ข้อมูลผิดตรงไหนครับ", "check", ""),
    ("รายงานเดือนนี้", "summary", ""),
    ("หาดเล็ก", None, ""),
    ("บันทึกเงิน 230105-09/2569/08 600", "pay", "230105-09/2569/08 600"),                                    # a place (a subdistrict), not หา + "ดเล็ก"
    ("งงครับ", "help", ""),
    ("ลูกหนี้ค้าง หมู่ 3", "overdue", "หมู่ 3"),
    ("คางชำระ", "overdue", ""),                              # one typo: the tone mark left out
    ("ค้างชำรั", "overdue", ""),                             # one letter changed
    ("ใกล้ครบ", "due", ""),
    ("ใกล้ครบกำหนด 30 บางพระ", "due", "30 บางพระ"),
    ("ครบกำหนด ๓๐", "due", "30"),                           # Thai digits
    ("ขอดูสรุปหน่อยครับ", "summary", ""),
    ("ช่วยดู ค้างชำระ", "overdue", ""),
    ("/overdue", "overdue", ""),
    ("OVERDUE", "overdue", ""),
    ("ค้นหา สมชาย", "find", "สมชาย"),
    ("สวัสดีครับ", GREETING, ""),
    ("สวัสดีค่ะ", GREETING, ""),
    ("hello", GREETING, ""),
    ("ขอบคุณครับ", THANKS_KEY, ""),
    ("ขอบคุณมากค่ะ", THANKS_KEY, ""),
    ("fundraise", None, ""),                                 # an English word is not "fund" + "raise"
    ("อากาศดี", None, ""),
])
def test_real_typings(typed: str, key: str | None, args: str) -> None:
    understood = BOOK.understand(typed)
    assert (understood.key, understood.args) == (key, args)


def test_a_typo_is_only_forgiven_when_one_command_is_that_close() -> None:
    book = Phrasebook([("a", "กขคง"), ("b", "กขคจ")])
    assert book.understand("กขคฉ").key is None         # one letter from both: no guess
    assert book.understand("กขคงจ").key == "a"          # the longer word is matched as a prefix
    assert BOOK.understand("คางชำระ").guessed == "ค้างชำระ"


def test_particles_are_never_cut_out_of_an_argument() -> None:
    # A village may end in a particle's letters: only a trailing particle WORD is dropped.
    assert BOOK.understand("กองทุน บ้านนานะ").args == "บ้านนานะ"
    assert BOOK.understand("ค้นหา สมนะ ครับ").args == "สมนะ"


def test_normalize_text() -> None:
    assert normalize_text("ค\u0e49\u0e4d\u0e32") == "ค\u0e49\u0e33"       # tone, nikhahit, sara aa
    assert normalize_text("ค\u0e4d\u0e49\u0e32") == "ค\u0e49\u0e33"       # nikhahit, tone, sara aa
    assert normalize_text("ค้้าง") == "ค้าง"                              # a mark typed twice
    assert normalize_text("a\u00a0 \tb\n") == "a b"
    assert normalize_text("๑๒๓") == "123"


@pytest.mark.parametrize("text, shown", [
    ('อ่านวันที่ไม่ได้: "1100100000001"', 'อ่านวันที่ไม่ได้: "x-xxxx-xxxx0-00-1"'),
    ("id 1-1001-00000-00-1 here", "id x-xxxx-xxxx0-00-1 here"),
    ("๑๑๐๐๑๐๐๐๐๐๐๐๑", "x-xxxx-xxxx0-00-1"),
    ("เลขที่สัญญา 230101-13/2568/01 ยอด 1,500", "เลขที่สัญญา 230101-13/2568/01 ยอด 1,500"),
    ("11001000000012", "11001000000012"),             # 14 digits: not an id, left alone
])
def test_mask_id_runs(text: str, shown: str) -> None:
    assert mask_id_runs(text) == shown


def test_polite_name() -> None:
    assert polite_name("นางอัมพร สมบูรณ์ผล") == "คุณอัมพร"
    assert polite_name("นางสาว วิไล ใจดี") == "คุณวิไล"
    assert polite_name("สมชาย รักดี") == "คุณสมชาย"


@pytest.mark.parametrize("typed, readings", [
    ("บ้านสลักเตียน", ["บ้านสลักเตียน"]),
    ("บ้านสลักเตียนเป็นไงบ้าง", ["บ้านสลักเตียน"]),
    ("สลักเตียน เป็นยังไงบ้างครับ", ["สลักเตียน"]),
    ("ขอดูบางพระหน่อยค่ะ", ["ขอดูบางพระ", "บางพระ"]),    # a name may begin with a lead's letters: both
    ("นางสาวศิริพร ครับ", ["นางสาวศิริพร"]),
    ("ครับ", ["ครับ"]),                                  # a particle alone is left as it is
    ("   ", []),
])
def test_a_name_typed_alone_is_read_without_what_is_around_it(typed: str, readings: list[str]) -> None:
    assert named_alone(typed) == readings


@pytest.mark.parametrize("typed,place", [
    ("บางพระ", "บางพระ"), ("บางพระ เท่าไหร่", "บางพระ"), ("บางพระเท่าไหร่ครับ", "บางพระ"),
    ("ทั้งหมดเท่าไหร่", ""), ("ทั้งจังหวัดหน่อยครับ", ""), ("ใครบ้าง", ""), ("เดือนนี้ บางพระ ใครบ้าง", "บางพระ"),
    # A particle's letters at the end of a name stay: only an asking word takes a glued particle with it.
    ("บ้านนานะ", "บ้านนานะ"), ("หนองคะ", "หนองคะ"), ("ต.บางพระ ทั้งหมด", "ต.บางพระ"),
])
def test_the_words_around_a_place_are_taken_off_apart_or_glued(typed, place):
    from chat.phrases import without_asking_words

    assert without_asking_words(typed) == place


@pytest.mark.parametrize("typed,spaced", [
    ("ผิดสัญญาเกาะกูด", "ผิดสัญญา เกาะกูด"), ("ตุลาคมอำเภอแหลมงอบ", "ตุลาคม อำเภอแหลมงอบ"), ("30บางพระ", "30 บางพระ"),
    ("เกิน90วันบ่อไร่", "เกิน90วัน บ่อไร่"), ("บางพระเดือนนี้", "บางพระ เดือนนี้"), ("1-3เดือนบางพระ", "1-3เดือน บางพระ"),
    ("เดือนตุลาคม 2569 บ่อไร่", "เดือนตุลาคม 2569 บ่อไร่"),
    # Left as they are: a fund code, a village and its หมู่, a name, the "whole" and "by" words, an amount.
    ("230105-09", "230105-09"), ("บ้านสลักเตียน หมู่ 9", "บ้านสลักเตียน หมู่ 9"), ("หนองคันทรง", "หนองคันทรง"),
    ("ทั้งอำเภอ", "ทั้งอำเภอ"), ("ทุกตำบล", "ทุกตำบล"), ("รายอำเภอ", "รายอำเภอ"), ("มากกว่า 10,000 บาท", "มากกว่า 10,000 บาท"),
])
def test_words_glued_to_a_place_are_set_apart(typed, spaced):
    from chat.phrases import apart

    assert apart(typed) == spaced


def test_no_place_name_of_trat_is_set_apart():
    """apart() splits only its own words: every district, subdistrict and demo village of Trat, alone and
    after a qualifier, reads as it is typed (a name split in two would name no place)."""
    import datetime as dt

    from chat.phrases import apart
    from core.geo import districts
    from sheets.demo import demo_tables

    names = {d.name for d in districts()} | {s.name for d in districts() for s in d.subdistricts}
    funds = demo_tables(dt.date(2026, 11, 26), 2569)["funds"]
    header = funds[0]
    names |= {row[header.index("ชื่อหมู่บ้าน")] for row in funds[1:]}
    assert len(names) > 80
    for name in sorted(names):
        assert apart(name) == name, name
        assert apart(f"เกิน 30 วัน {name}") == f"เกิน 30 วัน {name}", name
        assert apart(f"ผิดสัญญา{name}") == f"ผิดสัญญา {name}", name
