"""Issue 10 item 1: the rich menus, drawn and checked, set up by `setup-line` against the LINE fake,
and kept right per user by the chat (registering, relinking, deactivation) through signed webhooks.

The tiny province (tests/sheetdata.py): OF-01, OF-02 district officers linked; OF-03 not linked;
OF-04 inactive but linked; PV-01 provincial, linked.
"""
from __future__ import annotations

import http.client
import io
import json
import threading
import urllib.parse

import pytest
from PIL import Image, ImageDraw
from werkzeug.serving import make_server

import cli
from chat import commands
from chat.setup_line import DrawnMenu, assignments, draw_menus, setup_line
from core.config import load_config
from messaging.base import MessengerError
from messaging.line import LineClient
from messaging.richmenu import GUEST, MENUS, OFFICER, PROVINCE, MenuLinks, link_menu, rule_errors
from messaging.richmenu_image import font, raqm_available
from sheets.model import load_dataset
from sheets.store import Layout
from tests.chat_support import SECRET, Webhook, load_province, make_runtime, text_of, webhook_app
from tests.fakes.line_api import DEFAULT_TOKEN, LineFake, rich_menu_errors, validate_request
from tests.sheetdata import (TODAY, USER_OF01, USER_OF02, USER_OF04, USER_PV01, as_tables, tiny_province,
                             write_workbook)

STRANGER = "U" + "9" * 32
NEW_PHONE = "U" + "8" * 32
DATE = TODAY.isoformat()


@pytest.fixture(scope="module")
def drawn() -> list[DrawnMenu]:
    """The three menus drawn once for the module (about a second)."""
    return draw_menus()


def client_for(fake: LineFake) -> LineClient:
    config = load_config(env={}, overrides={"line.api_url": fake.url, "line.api_data_url": fake.data_url,
                                            "line.timeout_seconds": 2.0})
    return LineClient.from_config(config, DEFAULT_TOKEN, env={}, sleep=lambda seconds: None)


def tiny_accounts(data: dict | None = None):
    tables = as_tables(data if data is not None else tiny_province(), Layout())
    return assignments(load_dataset(tables, Layout(), TODAY))


def alias_menu(fake: LineFake, role: str) -> str:
    return fake.aliases[MENUS[role].alias]


# ---------------------------------------------------------------- the menus themselves

@pytest.mark.parametrize("role", [OFFICER, PROVINCE, GUEST])
def test_each_menu_is_one_line_takes(role, drawn):
    item = next(d for d in drawn if d.menu.role == role)
    menu = item.menu
    assert rule_errors(menu) == []
    assert validate_request("RichMenuRequest", item.request) == [] and rich_menu_errors(item.request) == []
    assert len(menu.chat_bar_text) <= 14
    # The image: PNG, exactly the menu's size, within LINE's limits.
    image = Image.open(io.BytesIO(item.png))
    assert image.format == "PNG" and image.size == (menu.width, menu.height)
    assert 800 <= image.width <= 2500 and image.height >= 250 and image.width / image.height >= 1.45
    assert len(item.png) <= 1024 * 1024
    # The tap areas tile the image: every pixel belongs to exactly one button.
    areas = [a["bounds"] for a in item.request["areas"]]
    assert sum(b["width"] * b["height"] for b in areas) == menu.width * menu.height
    cover = Image.new("L", (menu.width, menu.height))
    draw = ImageDraw.Draw(cover)
    for b in areas:
        draw.rectangle((b["x"], b["y"], b["x"] + b["width"] - 1, b["y"] + b["height"] - 1), fill=255)
    assert cover.getextrema() == (255, 255)


def test_the_menus_hold_the_buttons_the_issue_names(drawn):
    labels = {d.menu.role: [b.label for b in d.menu.buttons] for d in drawn}
    assert labels[OFFICER] == ["ครบกำหนด", "ค้างชำระ", "บันทึกรับชำระ", "ค้นหาลูกหนี้", "สรุป", "ตรวจสอบ", "เมนู"]
    assert labels[PROVINCE] == ["สรุปจังหวัด", "รายอำเภอ", "ตรวจสอบ", "ค้างชำระ", "ค้นหา", "เมนู"]
    assert labels[GUEST] == ["ลงทะเบียน", "วิธีใช้"]
    # Large buttons: none shorter or narrower than a quarter of the full menu's height (421 px).
    for d in drawn:
        for button in d.menu.buttons:
            bounds = d.menu.bounds(button)
            assert min(bounds.width, bounds.height) >= 1686 // 4


@pytest.mark.parametrize("role", [OFFICER, PROVINCE, GUEST])
def test_every_button_says_something_the_chat_understands(role):
    for button in MENUS[role].buttons:
        action = button.action
        typed = action["text"] if action["type"] == "message" else action["fillInText"]
        assert action["type"] == "message" or (action["data"] == "a=fill" and action["inputOption"] == "openKeyboard")
        cmd, _ = commands.route(typed)
        assert cmd is not None, (role, button.label, typed)
        if role == GUEST:
            assert not cmd.linked_only, button.label   # answered before linking


@pytest.mark.parametrize("role,user", [(OFFICER, USER_OF01), (PROVINCE, USER_PV01)])
def test_every_button_is_answered_as_its_officer_means_it(sheets_fake, line_fake, role, user):
    # Routed is not enough: the provincial รายอำเภอ button once answered "ไม่พบกองทุน" (สรุป รายอำเภอ).
    load_province(sheets_fake)
    hook = Webhook(make_runtime(sheets_fake, line_fake), line_fake)
    for button in MENUS[role].buttons:
        if button.action["type"] != "message":
            continue
        answer = text_of(hook.say(user, button.action["text"]))
        refusals = ("ไม่พบกองทุนที่ค้นหา", "ไม่เข้าใจคำสั่ง", "ขออภัย", "ใช้ไม่ได้แล้ว")
        assert not any(r in answer for r in refusals), (button.label, answer)
    assert line_fake.violations == []


def test_the_image_shows_each_label_and_its_colour(drawn):
    """Each tile is its colour with white ink on it (the words and the icon), high contrast."""
    for d in drawn:
        image = Image.open(io.BytesIO(d.png)).convert("RGB")
        for button in d.menu.buttons:
            b = d.menu.bounds(button)
            tile = image.crop((b.x + 40, b.y + 40, b.x + b.width - 40, b.y + b.height - 40))
            colours = {c for _, c in tile.getcolors(1 << 20)}
            wanted = tuple(int(button.color[i:i + 2], 16) for i in (1, 3, 5))
            assert wanted in colours and (255, 255, 255) in colours, button.label
            white = sum(n for n, c in tile.getcolors(1 << 20) if min(c) > 200)
            assert 0.04 < white / (tile.width * tile.height) < 0.5, button.label


def _ink(text: str, basic: bool) -> Image.Image:
    from messaging.richmenu_image import _draw_text

    canvas = Image.new("RGB", (1400, 300), "black")
    _draw_text(ImageDraw.Draw(canvas), (700, 150), text, font(120, basic), basic)
    return canvas.convert("L").point(lambda v: 255 if v > 128 else 0)


def _agreement(a: Image.Image, b: Image.Image) -> float:
    """How much of each drawing's ink lies within 3 px of the other's (the smaller share): 1.0 = same place."""
    from PIL import ImageChops, ImageFilter

    def share(x: Image.Image, y: Image.Image) -> float:
        near = y.filter(ImageFilter.MaxFilter(7))
        return ImageChops.multiply(x, near).histogram()[255] / x.histogram()[255]

    return min(share(a, b), share(b, a))


@pytest.mark.skipif(not raqm_available(), reason="needs libraqm (FriBiDi) as the reference")
def test_without_raqm_the_tone_marks_still_stand_above_the_vowels():
    """The fallback for machines without FriBiDi puts every label's ink where raqm's shaping puts it."""
    labels = sorted({b.label for m in MENUS.values() for b in m.buttons}) + ["ที่นี่"]
    for label in labels:
        assert _agreement(_ink(label, basic=False), _ink(label, basic=True)) > 0.98, label
    # The check sees the fault it guards against: Pillow's basic layout alone leaves the ้ of
    # หนี้ on the ี (drawn here without the lift).
    from messaging.richmenu_image import INK

    plain = Image.new("RGB", (1400, 300), "black")
    ImageDraw.Draw(plain).text((700, 150), "หนี้", font=font(120, basic=True), fill=INK, anchor="mm")
    plain_ink = plain.convert("L").point(lambda v: 255 if v > 128 else 0)
    assert _agreement(_ink("หนี้", basic=False), plain_ink) < 0.95


# ---------------------------------------------------------------- linking one user

def test_link_menu_without_a_client_or_before_setup_changes_nothing(line_fake):
    assert isinstance(LineClient("http://127.0.0.1:9", "t"), MenuLinks)
    assert link_menu(None, STRANGER, OFFICER) is False
    client = client_for(line_fake)
    assert link_menu(client, STRANGER, OFFICER) is False           # no alias yet: setup-line not run
    assert line_fake.user_menus == {}


def test_link_menu_follows_the_alias_to_the_current_menu(line_fake, drawn):
    client = client_for(line_fake)
    setup_line(client, drawn, [])
    assert link_menu(client, STRANGER, PROVINCE) is True
    assert line_fake.user_menus[STRANGER] == alias_menu(line_fake, PROVINCE)
    assert link_menu(client, STRANGER, GUEST) is True
    assert STRANGER not in line_fake.user_menus and line_fake.menu_of(STRANGER) == alias_menu(line_fake, GUEST)
    line_fake.fail_next(500, times=5)
    assert link_menu(client, STRANGER, OFFICER) is False            # LINE down: no error reaches the chat
    assert line_fake.violations == []


# ---------------------------------------------------------------- setup-line against the fake

def test_setup_makes_three_menus_sets_the_default_and_links_every_officer(line_fake, drawn):
    client = client_for(line_fake)
    accounts = tiny_accounts()
    assert {(a.officer_id, a.role) for a in accounts} == {
        ("OF-01", OFFICER), ("OF-02", OFFICER), ("OF-04", GUEST), ("PV-01", PROVINCE)}
    line_fake.add_profile(USER_OF04, "Piti")
    run = setup_line(client, drawn, accounts)

    assert len(line_fake.rich_menus) == 3 and line_fake.violations == []
    for role, rich_menu_id in run.menus.items():
        menu = line_fake.rich_menus[rich_menu_id]
        assert menu.request == MENUS[role].request() and menu.content_type == "image/png"
        assert Image.open(io.BytesIO(menu.image)).size == (MENUS[role].width, MENUS[role].height)
        assert alias_menu(line_fake, role) == rich_menu_id
    assert line_fake.default_rich_menu == run.menus[GUEST] == run.default_menu
    assert line_fake.user_menus == {USER_OF01: run.menus[OFFICER], USER_OF02: run.menus[OFFICER],
                                    USER_PV01: run.menus[PROVINCE]}
    assert line_fake.menu_of(USER_OF04) == run.menus[GUEST]     # inactive: the default
    assert run.linked == {OFFICER: 2, PROVINCE: 1, GUEST: 1} and run.link_failures == []
    # The images went to the api-data host and nowhere else.
    uploads = [r for r in line_fake.requests if r.path.endswith("/content")]
    assert len(uploads) == 3 and all(r.status == 200 for r in uploads)
    assert run.quota is not None and run.quota.limit == 300 and run.quota.used == 0


def test_a_rerun_replaces_the_menus_and_deletes_the_old_ones(line_fake, drawn):
    client = client_for(line_fake)
    # Someone else's menu on the channel is left alone.
    other = client.create_rich_menu({**MENUS[GUEST].request(), "name": "campaign"})
    first = setup_line(client, drawn, tiny_accounts())
    client.link_rich_menu(USER_OF04, first.menus[OFFICER])  # e.g. linked before OF-04 was made inactive
    second = setup_line(client, drawn, tiny_accounts())

    assert set(line_fake.rich_menus) == set(second.menus.values()) | {other}
    assert sorted(second.deleted) == sorted(first.menus.values())
    assert not set(first.menus.values()) & set(second.menus.values())
    assert {alias: line_fake.aliases[alias] for alias in line_fake.aliases} == {
        MENUS[role].alias: rich_menu_id for role, rich_menu_id in second.menus.items()}
    assert line_fake.default_rich_menu == second.menus[GUEST]
    assert line_fake.user_menus == {USER_OF01: second.menus[OFFICER], USER_OF02: second.menus[OFFICER],
                                    USER_PV01: second.menus[PROVINCE]}
    # Aliases were updated in place the second time, not created again.
    creates = [r for r in line_fake.requests if r.method == "POST" and r.path == "/v2/bot/richmenu/alias"]
    assert len(creates) == 3
    assert line_fake.violations == []


def test_a_failure_half_way_leaves_the_old_menus_working(line_fake, drawn):
    client = client_for(line_fake)
    first = setup_line(client, drawn, tiny_accounts())
    line_fake.fail_next(400, path=r"/v2/bot/richmenu/[^/]+/content", message="The image could not be read")
    with pytest.raises(MessengerError, match="อัปโหลดรูปริชเมนู ไม่สำเร็จ"):
        setup_line(client, drawn, tiny_accounts())
    # Nothing old was deleted or re-pointed; the stray menu of the failed run goes on the next run.
    assert set(first.menus.values()) <= set(line_fake.rich_menus)
    assert line_fake.aliases == {MENUS[role].alias: rich_menu_id for role, rich_menu_id in first.menus.items()}
    assert line_fake.user_menus[USER_OF01] == first.menus[OFFICER]
    third = setup_line(client, drawn, tiny_accounts())
    assert set(line_fake.rich_menus) == set(third.menus.values())


def test_the_fake_refuses_images_line_would_refuse(line_fake):
    client = client_for(line_fake)
    rich_menu_id = client.create_rich_menu(MENUS[GUEST].request())
    with pytest.raises(MessengerError, match="HTTP 400"):
        client.set_default_rich_menu(rich_menu_id)                      # no image yet

    def png(size):
        out = io.BytesIO()
        Image.new("RGB", size, "white").save(out, format="PNG")
        return out.getvalue()

    def jpeg(size):
        out = io.BytesIO()
        Image.new("RGB", size, "white").save(out, format="JPEG")
        return out.getvalue()

    with pytest.raises(MessengerError, match="does not match"):
        client.upload_rich_menu_image(rich_menu_id, png((2500, 1686)))
    with pytest.raises(MessengerError, match="not a PNG"):
        client.upload_rich_menu_image(rich_menu_id, jpeg((2500, 843)), "image/png")
    with pytest.raises(MessengerError, match="HTTP 413"):
        client.upload_rich_menu_image(rich_menu_id, b"\x89PNG" + b"\0" * (1024 * 1024))
    # A type LINE does not take: the client will not send it; the fake answers 415 all the same.
    with pytest.raises(MessengerError, match="PNG หรือ JPEG"):
        client.upload_rich_menu_image(rich_menu_id, b"GIF89a", "image/gif")
    parts = urllib.parse.urlsplit(line_fake.data_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("POST", f"/v2/bot/richmenu/{rich_menu_id}/content", body=b"GIF89a",
                 headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "Content-Type": "image/gif"})
    assert conn.getresponse().status == 415
    conn.close()
    client.upload_rich_menu_image(rich_menu_id, jpeg((2500, 843)), "image/jpeg")
    with pytest.raises(MessengerError, match="already been uploaded"):
        client.upload_rich_menu_image(rich_menu_id, png((2500, 843)))
    # An image sent to the api host instead of api-data is not found there.
    api = urllib.parse.urlsplit(line_fake.url)
    conn = http.client.HTTPConnection(api.hostname, api.port, timeout=5)
    conn.request("POST", f"/v2/bot/richmenu/{rich_menu_id}/content", body=png((2500, 843)),
                 headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "Content-Type": "image/png"})
    assert conn.getresponse().status == 404
    conn.close()
    # Menus LINE would refuse: too small, too tall, a chat-bar text over 14, an area outside.
    bad = {**MENUS[GUEST].request(), "size": {"width": 700, "height": 843}}
    with pytest.raises(MessengerError, match="size"):
        client.create_rich_menu(bad)
    with pytest.raises(MessengerError, match="chatBarText"):
        client.create_rich_menu({**MENUS[GUEST].request(), "chatBarText": "เมนูของเจ้าหน้าที่อำเภอ"})
    assert {v["path"] for v in line_fake.violations} == {"/v2/bot/richmenu"}
    line_fake.violations.clear()


# ---------------------------------------------------------------- the chat keeps each user's menu right

@pytest.fixture
def menus_set_up(sheets_fake, line_fake, drawn):
    """The tiny province in the Sheets fake and the menus made in the LINE fake (as after setup-line)."""
    load_province(sheets_fake)
    setup_line(client_for(line_fake), drawn, tiny_accounts())
    return line_fake


def test_registering_through_the_webhook_links_the_officers_menu(sheets_fake, menus_set_up):
    line = menus_set_up
    hook = Webhook(make_runtime(sheets_fake, line), line)
    assert line.menu_of(STRANGER) == alias_menu(line, GUEST)
    assert "ผูกบัญชีเรียบร้อย" in text_of(hook.say(STRANGER, "ลงทะเบียน GHI789"))   # OF-03, district
    assert line.user_menus[STRANGER] == alias_menu(line, OFFICER)
    assert "ผูกบัญชีเรียบร้อย" in text_of(hook.say(NEW_PHONE, "ลงทะเบียน PRV001"))  # PV-01 on a new phone
    assert line.user_menus[NEW_PHONE] == alias_menu(line, PROVINCE)
    # PV-01's old phone is no longer linked: it has the default menu again.
    assert USER_PV01 not in line.user_menus and line.menu_of(USER_PV01) == alias_menu(line, GUEST)
    assert line.violations == []


def test_a_deactivated_officer_gets_the_default_menu_back(sheets_fake, menus_set_up):
    line = menus_set_up
    assert line.user_menus[USER_OF01] == alias_menu(line, OFFICER)
    data = tiny_province()
    data["officers"][0]["active"] = "ไม่"                                  # OF-01 deactivated in the sheet
    load_province(sheets_fake, data)
    hook = Webhook(make_runtime(sheets_fake, line), line)
    assert "ปิดการใช้งาน" in text_of(hook.say(USER_OF01, "ค้างชำระ"))
    assert USER_OF01 not in line.user_menus and line.menu_of(USER_OF01) == alias_menu(line, GUEST)
    assert line.user_menus[USER_OF02] == alias_menu(line, OFFICER)          # the others keep theirs


def test_the_terminal_chat_touches_no_menu(tmp_path, line_fake):
    from handlers.runtime import terminal_runtime

    store = write_workbook(tmp_path / "tiny.xlsx")
    runtime = terminal_runtime(load_config(env={}), store, TODAY)
    assert runtime.conversation.menus is None


# ---------------------------------------------------------------- the command

@pytest.fixture
def line_env(monkeypatch, line_fake):
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("KKC_LINE_API_URL", line_fake.url)
    monkeypatch.setenv("KKC_LINE_API_DATA_URL", line_fake.data_url)
    return line_fake


def test_dry_run_writes_the_images_and_json_and_sends_nothing(tmp_path, monkeypatch, line_fake, capsys):
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("KKC_LINE_API_URL", line_fake.url)
    out = tmp_path / "richmenu"
    assert cli.main(["setup-line", "--dry-run", "--out", str(out), "--store", str(tmp_path / "none.xlsx")]) == 0
    printed = capsys.readouterr().out
    assert "ไม่ได้ส่งอะไรถึง LINE" in printed and str(out) in printed
    assert line_fake.requests == []
    assert sorted(p.name for p in out.iterdir()) == [f"richmenu-{r}.{ext}" for r in (GUEST, OFFICER, PROVINCE)
                                                     for ext in ("json", "png")]
    for role, menu in MENUS.items():
        doc = json.loads((out / f"richmenu-{role}.json").read_text(encoding="utf-8"))
        assert doc == {"alias": menu.alias, "default": role == GUEST, "image": f"richmenu-{role}.png",
                       "richMenu": menu.request()}
        assert Image.open(out / f"richmenu-{role}.png").size == (menu.width, menu.height)


def test_setup_line_command_end_to_end(tmp_path, line_env, capsys):
    store = tmp_path / "tiny.xlsx"
    write_workbook(store)
    assert cli.main(["setup-line", "--store", str(store), "--date", DATE]) == 0
    printed = capsys.readouterr().out
    line = line_env
    assert len(line.rich_menus) == 3 and line.default_rich_menu == alias_menu(line, GUEST)
    assert line.user_menus[USER_OF01] == alias_menu(line, OFFICER)
    for part in ("เมนูเจ้าหน้าที่อำเภอ", "kkc-officer", "2500x1686", "(ค่าเริ่มต้น)", "2500x843",
                 "เมนูเจ้าหน้าที่อำเภอ 2 บัญชี", "เมนูเจ้าหน้าที่จังหวัด 1 บัญชี", "ปิดการใช้งาน กลับเป็นเมนูเริ่มต้น: 1 บัญชี",
                 "ลบริชเมนูชุดเก่า 0 รายการ", "โควตาข้อความเดือนนี้: ใช้แล้ว 0 จาก 300 เหลือ 300"):
        assert part in printed, part
    assert "webhook" not in printed
    assert cli.main(["setup-line", "--store", str(store), "--date", DATE, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert len(again["deleted"]) == 3 and set(line.rich_menus) == set(again["menus"].values())
    assert line.violations == []


def test_setup_line_sets_the_webhook_url_and_shows_lines_test(tmp_path, line_env, sheets_fake, capsys):
    line = line_env
    line.channel_secret = SECRET
    load_province(sheets_fake)
    runtime = make_runtime(sheets_fake, line)
    server = make_server("127.0.0.1", 0, webhook_app(lambda: runtime), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/line_webhook"
    store = tmp_path / "tiny.xlsx"
    write_workbook(store)
    try:
        assert cli.main(["setup-line", "--store", str(store), "--date", DATE, "--webhook-url", url]) == 0
        printed = capsys.readouterr().out
        assert line.webhook_endpoint == url and line.webhook_calls == [(url, 200)]
        assert f"webhook URL: {url}" in printed and "ทดสอบ: ผ่าน (HTTP 200 OK 200)" in printed
        # A webhook with another channel's secret refuses LINE's call: shown, and the exit code says so.
        line.channel_secret = "another-secret"
        assert cli.main(["setup-line", "--store", str(store), "--date", DATE, "--webhook-url", url]) == 4
        assert "ทดสอบ: ไม่ผ่าน (HTTP 400" in capsys.readouterr().out
    finally:
        server.shutdown()
    # LINE takes HTTPS webhook URLs only.
    assert cli.main(["setup-line", "--store", str(store), "--date", DATE, "--webhook-url", "http://example.com/x"]) == 5
    assert "HTTPS" in capsys.readouterr().err


def test_setup_line_without_a_token_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    store = tmp_path / "tiny.xlsx"
    write_workbook(store)
    assert cli.main(["setup-line", "--store", str(store), "--date", DATE]) == 5
    assert "LINE_CHANNEL_ACCESS_TOKEN" in capsys.readouterr().err
