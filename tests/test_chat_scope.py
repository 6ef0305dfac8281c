"""Scope and personal data: a district officer never learns about another district's borrowers."""
from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chat.commands import COMMANDS
from tests.chat_support import Webhook, load_province, make_runtime, postback_data, text_of
from tests.sheetdata import TODAY, USER_OF01, USER_OF02, USER_PV01, tiny_province

pytest_plugins = ["tests.fakes.line_fixtures"]

DATA = tiny_province()
DISTRICT_OF_FUND = {"230101-01": "เมืองตราด", "230102-03": "เมืองตราด", "230301-02": "เขาสมิง"}
OFFICERS = {USER_OF01: "เมืองตราด", USER_OF02: "เมืองตราด"}
CITIZEN_IDS = ["1101400123451", "1-1014-00123-45-1", "1101400123452"]


def secrets_outside(district: str) -> list[str]:
    """Borrower names and contract numbers of loans outside `district`."""
    found = []
    for loan in DATA["loans"]:
        if DISTRICT_OF_FUND[loan["fund_id"]] != district:
            found += [loan["borrower_name"], loan["contract_no"]]
    return found


# Every command's words, and a greeting (whose question after it is answered too).
WORDS = [w for cmd in COMMANDS.values() for w in cmd.words] + ["สวัสดีครับ", "หวัดดี"]
PIECES = ([loan["borrower_name"] for loan in DATA["loans"]] + [loan["contract_no"] for loan in DATA["loans"]]
          + [loan["borrower_name"].split()[0] for loan in DATA["loans"]]
          + list(DISTRICT_OF_FUND) + ["บางพระ", "หนองเสม็ด", "เขาสมิง", "อ.เขาสมิง", "ทดสอบ", "F3", "หน้า 2",
                                      "100", "5000", "30", "0", "15/1/69", "ห้า", "หก", "เจ็ด", ""])


@pytest.fixture(scope="module")
def conversation():
    """One warm runtime for the whole property test (the fakes live as long as the module)."""
    from tests.conftest import SPREADSHEET_ID
    from tests.fakes.line_api import LineFake
    from tests.fakes.sheets_api import SheetsFake

    with SheetsFake() as sheets, LineFake() as line:
        sheets.create_spreadsheet(SPREADSHEET_ID)
        load_province(sheets)
        runtime = make_runtime(sheets, line)
        yield runtime.conversation


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=st.sampled_from(sorted(OFFICERS)), word=st.sampled_from(WORDS),
       args=st.lists(st.sampled_from(PIECES), max_size=3), plain=st.booleans())
def test_no_reply_to_a_district_officer_names_another_districts_borrower(conversation, user, word, args, plain):
    text = " ".join(args) if plain else " ".join([word, *args])
    messages = conversation.on_text(user, text, "01PROP")
    dumped = json.dumps(messages, ensure_ascii=False)
    for secret in secrets_outside(OFFICERS[user]):
        assert secret not in dumped, (text, secret)
    for citizen_id in CITIZEN_IDS:
        assert citizen_id not in dumped
    # Pressing any button the reply offers stays inside the district too.
    from chat.terminal import actions_of

    for action in actions_of(messages):
        if action.get("type") == "postback" and not action.get("fillInText"):
            follow = json.dumps(conversation.on_postback(user, action["data"], "01PROP2"), ensure_ascii=False)
            assert not any(s in follow for s in secrets_outside(OFFICERS[user]))


def test_no_command_repeats_another_districts_borrower_typed_after_it(conversation):
    """Every command word, one piece, then another district's name or contract: all of them, not a sample.
    The sampled test above found replies that repeated what was typed where an amount or a date goes."""
    user = USER_OF01
    secrets = secrets_outside(OFFICERS[user])
    leaked = []
    for word in sorted(set(WORDS)):
        for piece in PIECES:
            for secret in secrets:
                text = " ".join(part for part in (word, piece, secret) if part)
                dumped = json.dumps(conversation.on_text(user, text, "01PROP"), ensure_ascii=False)
                leaked += [(text, s) for s in secrets if s in dumped]
    assert not leaked, leaked[:5]


@pytest.fixture
def chat(sheets_fake, line_fake):
    load_province(sheets_fake)
    return make_runtime(sheets_fake, line_fake).conversation


def test_another_districts_borrower_looks_exactly_like_nobody(chat):
    def answer(text):
        return json.dumps(chat.on_text(USER_OF01, text, "01X"), ensure_ascii=False)

    assert answer("ค้นหา นายห้า ทดสอบ") == answer("ค้นหา นายไม่มี ตัวตน")
    assert answer("ค้นหา F3-001") == answer("ค้นหา F9-999")
    assert answer("ชำระ F3-001 100") == answer("ชำระ F9-999 100")
    assert answer("กองทุน 230301-02") == answer("กองทุน 999999-99")
    assert answer("ค้างชำระ 230301-02") == answer("ค้างชำระ 999999-99")


def test_the_provincial_officer_sees_every_district(chat):
    text = text_of(chat.on_text(USER_PV01, "ค้นหา ทดสอบ", "01Y"))
    for loan in DATA["loans"]:
        assert loan["contract_no"] in text


def test_a_district_dataset_holds_no_other_districts_rows(chat):
    snap = chat.snapshots.get()
    view = snap.view(snap.officer("OF-01"))
    assert set(view.ds.loans) == {"F1-001", "F1-002", "F2-001", "F2-002"}
    assert set(view.ds.funds) == {"230101-01", "230102-03"}
    assert all(p.contract_no.startswith(("F1", "F2")) for ps in view.ds.payments.values() for p in ps)
    # Row numbers are the sheet's own, so what ตรวจสอบ says can be found in the sheet.
    assert view.ds.loans["F2-001"].row == 4
    province = snap.view(snap.officer("PV-01"))
    assert len(province.ds.loans) == 7


def test_ids_typed_with_stray_spaces_land_in_the_scope_the_sheets_parse_puts_them(sheets_fake, line_fake):
    """A district's rows are picked by the id as the parse reads it (spaces trimmed), so a
    district officer sees the same contract, schedule and payments as the province does."""
    data = tiny_province()
    data["loans"][1]["fund_id"] = " 230101-01  "       # F1-002's fund, typed with spaces
    data["installments"][1]["contract_no"] = "F1-002 "
    data["payments"][1]["contract_no"] = "  F1-002"
    load_province(sheets_fake, data)
    snap = make_runtime(sheets_fake, line_fake).conversation.snapshots.get()
    district, province = snap.view(snap.officer("OF-01")).ds, snap.view(snap.officer("PV-01")).ds
    assert "F1-002" in district.loans
    assert district.installments["F1-002"] == province.installments["F1-002"] and len(district.installments["F1-002"]) == 3
    assert district.payments["F1-002"] == province.payments["F1-002"] and len(district.payments["F1-002"]) == 2


def test_after_a_repayment_typed_the_next_read_takes_the_unchanged_tabs_over(sheets_fake, line_fake):
    """A person types a repayment into รับชำระ: the next read (the sheet has changed) parses
    that tab again and takes the loans and schedules over from the earlier read (the same
    records); the answers are the new sheet's."""
    from tests.conftest import SPREADSHEET_ID

    load_province(sheets_fake)
    conv = make_runtime(sheets_fake, line_fake).conversation
    before_text = text_of(conv.on_text(USER_PV01, "สรุป", "01R1"))
    old = conv.snapshots.get()
    old_view = old.view(old.officer("PV-01"))
    # Row 6 of รับชำระ is empty: F2-002 pays 1,000 more, as a person would type it.
    layout = old.layout
    header = layout.positions("payments", old.tables["payments"])
    for col_key, value in (("contract_no", "F2-002"), ("paid_date", "20/11/2569"), ("amount", 1000)):
        sheets_fake.edit_cell(SPREADSHEET_ID, layout.title("payments"), 6, header[col_key] + 1, value)
    conv.snapshots.invalidate()  # what the sheet's revision moving does
    after_text = text_of(conv.on_text(USER_PV01, "สรุป", "01R2"))
    new = conv.snapshots.get()
    assert new is not old
    view = new.view(new.officer("PV-01"))
    assert all(view.ds.loans[no] is old_view.ds.loans[no] for no in old_view.ds.loans)
    assert [p.amount for p in view.ds.payments["F2-002"]] == [8000, 1000]
    assert after_text != before_text
    fresh = make_runtime(sheets_fake, line_fake).conversation
    assert text_of(fresh.on_text(USER_PV01, "สรุป", "01R3")) == after_text


def test_a_scope_s_parse_takes_the_base_s_unchanged_tabs_over(sheets_fake, line_fake):
    """The base (officers, links, funds) is parsed once per read; a scope's parse takes over what
    it reads unfiltered: the province its funds and officers, a district its officers (its funds
    are its own rows). The records are the base's, the dataset what a parse of its own gives."""
    from chat.scope import CHAT_TABS
    from sheets.model import load_dataset

    load_province(sheets_fake)
    conv = make_runtime(sheets_fake, line_fake).conversation
    snapshot = conv.snapshots.get()
    province = snapshot.view(snapshot.officer("PV-01")).ds
    district = snapshot.view(snapshot.officer("OF-01")).ds
    base = snapshot.base
    assert province.funds and all(province.funds[f] is base.funds[f] for f in base.funds)
    assert all(district.officers[o] is base.officers[o] for o in base.officers)
    assert not any(district.funds[f] is base.funds[f] for f in district.funds)
    own = load_dataset({k: snapshot.tables[k] for k in CHAT_TABS if k in snapshot.tables}, snapshot.layout,
                       snapshot.today, snapshot.config.rules.max_term_years)
    assert province.funds == own.funds and province.officers == own.officers and province.loans == own.loans
    assert sorted(map(repr, province.problems)) == sorted(map(repr, own.problems))


def test_a_fund_assigned_by_name_is_in_the_officers_scope(sheets_fake, line_fake):
    data = tiny_province()
    data["funds"][2]["officer_id"] = "OF-02"   # a เขาสมิง fund given to OF-02 by the admin
    load_province(sheets_fake, data)
    conv = make_runtime(sheets_fake, line_fake).conversation
    assert "F3-001" in text_of(conv.on_text(USER_OF02, "ค้างชำระ", "01Z"))
    assert "F3-001" not in text_of(conv.on_text(USER_OF01, "ค้างชำระ", "01Z2"))


def test_citizen_ids_never_whole_and_nothing_personal_in_logs(sheets_fake, line_fake, caplog):
    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    with caplog.at_level(logging.DEBUG):
        replies = []
        for text in ("ค้นหา หนึ่ง", "ค้นหา ทดสอบ", "ค้างชำระ", "ครบกำหนด 90", "แนะนำ นายหนึ่ง ทดสอบ ย้ายบ้าน"):
            replies.append(json.dumps(hook.say(USER_OF01, text), ensure_ascii=False))
        card = hook.say(USER_OF01, "ชำระ F1-001 100")
        hook.tap(USER_OF01, postback_data(card, "ยืนยันบันทึก"))
        hook.say(USER_PV01, "ค้นหา เจ็ด")
    everything = "\n".join(replies)
    assert "3-45-1" in everything and not any(c in everything for c in CITIZEN_IDS)
    logged = caplog.text
    for loan in DATA["loans"]:
        assert loan["borrower_name"] not in logged and loan["borrower_name"].split()[0] not in logged
    for secret in CITIZEN_IDS + [USER_OF01, USER_PV01, "ย้ายบ้าน", "ค้างชำระ"]:
        assert secret not in logged
    assert "webhook:" in logged  # the request log line is there, with ids and types only


def test_scope_today_is_the_snapshots_day(chat):
    assert chat.snapshots.get().today == TODAY
