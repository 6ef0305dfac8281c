"""The rich menus: one per role, as data; their RichMenuRequest JSON; linking one to a LINE user.

Three menus (issue 10): district officers (`officer`), provincial staff (`province`) and people
not linked yet (`guest`, the channel's default). Each button sends what an officer would type
(a message action, so the chat shows the words and people learn them), or opens the keyboard
with the start of a command typed in when the command needs more (ค้นหา, ลงทะเบียน: the same
"fill" postback as the chat's quick replies). The image is drawn from the same definitions by
messaging/richmenu_image.py (Pillow, used by `setup-line` only: this module stays light, since
the webhook imports it to link menus).

Which menu a user sees: LINE shows the menu linked to that user, else the default. The ids of
the menus change at every `setup-line`; their aliases (`kkc-officer`, `kkc-province`,
`kkc-guest`) do not, since `setup-line` points them at the menus it has just made. So the chat
looks a role's menu up by its alias when it links a user, and never keeps an id.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from messaging import flex
from messaging.base import MessengerError

log = logging.getLogger("kkc.richmenu")

OFFICER = "officer"
PROVINCE = "province"
GUEST = "guest"
ROLES = (OFFICER, PROVINCE, GUEST)
DEFAULT_ROLE = GUEST

# Every menu this program makes is named with this prefix, so that `setup-line` deletes its own
# old menus and nothing else the channel may have.
NAME_PREFIX = "kkc-"

# LINE's rules for a rich menu and its image (Messaging API reference, "Rich menu object").
MIN_WIDTH, MAX_WIDTH = 800, 2500
MIN_HEIGHT = 250
MIN_RATIO = 1.45
MAX_IMAGE_BYTES = 1024 * 1024
MAX_CHAT_BAR_TEXT = 14
MAX_AREAS = 20

# Tile colours: white text on each is at least 4.5:1 (WCAG AA), most of them 7:1.
BLUE = "#1565C0"
RED = "#C62828"
GREEN = "#1B5E20"
PURPLE = "#6A1B9A"
TEAL = "#00695C"
ORANGE = "#BF360C"
INDIGO = "#283593"
SLATE = "#37474F"


@dataclass(frozen=True)
class Button:
    """One tappable tile: its words and icon on the image, its action, and its place on the menu's grid."""

    label: str
    icon: str                 # a name in messaging.richmenu_image.ICONS
    color: str
    action: dict
    col: int
    row: int
    cols: int = 1
    rows: int = 1


@dataclass(frozen=True)
class Bounds:
    x: int
    y: int
    width: int
    height: int

    def as_json(self) -> dict:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Menu:
    """A rich menu: its role and alias, the chat-bar text, the image size and a grid of buttons."""

    role: str
    alias: str
    title: str                # what the menu is, for people (docs, the set-up's report)
    chat_bar_text: str
    width: int
    height: int
    columns: int
    rows: int
    buttons: tuple[Button, ...]
    selected: bool = True     # shown open when the chat opens: the buttons are the way in

    @property
    def name(self) -> str:
        return self.alias  # the alias already starts with NAME_PREFIX

    def bounds(self, button: Button) -> Bounds:
        """The button's tap area in image pixels; the areas of a grid tile the image exactly."""
        x0, x1 = (button.col * self.width) // self.columns, ((button.col + button.cols) * self.width) // self.columns
        y0, y1 = (button.row * self.height) // self.rows, ((button.row + button.rows) * self.height) // self.rows
        return Bounds(x0, y0, x1 - x0, y1 - y0)

    def request(self) -> dict:
        """The RichMenuRequest body LINE takes to create this menu."""
        return {
            "size": {"width": self.width, "height": self.height},
            "selected": self.selected,
            "name": self.name,
            "chatBarText": self.chat_bar_text,
            "areas": [{"bounds": self.bounds(b).as_json(), "action": b.action} for b in self.buttons],
        }


def _say(label: str, text: str | None = None) -> dict:
    return flex.message_action(label, text or label)


def _fill(label: str, text: str) -> dict:
    return flex.fill_in_action(label, text)


# Full size (2500 x 1686, the largest LINE takes: big buttons) for the officers' two menus; the
# guest menu has two buttons only, so it is the compact height (2500 x 843).
FULL = (2500, 1686)
COMPACT = (2500, 843)

MENUS: dict[str, Menu] = {
    OFFICER: Menu(
        OFFICER, NAME_PREFIX + "officer", "เมนูเจ้าหน้าที่อำเภอ", "เมนู กข.คจ.", *FULL, columns=3, rows=4, buttons=(
            Button("ครบกำหนด", "calendar", BLUE, _say("ครบกำหนด"), 0, 0, rows=2),
            Button("ค้างชำระ", "clock", RED, _say("ค้างชำระ"), 1, 0, rows=2),
            Button("บันทึกรับชำระ", "coin", GREEN, _say("บันทึกรับชำระ"), 2, 0, rows=2),
            Button("ค้นหาลูกหนี้", "search", PURPLE, _fill("ค้นหาลูกหนี้", "ค้นหา "), 0, 2, rows=2),
            Button("สรุป", "chart", TEAL, _say("สรุป"), 1, 2, rows=2),
            Button("ตรวจสอบ", "checklist", ORANGE, _say("ตรวจสอบ"), 2, 2),
            Button("เมนู", "menu", SLATE, _say("เมนู"), 2, 3),
        )),
    PROVINCE: Menu(
        PROVINCE, NAME_PREFIX + "province", "เมนูเจ้าหน้าที่จังหวัด", "เมนูจังหวัด", *FULL, columns=3, rows=2, buttons=(
            Button("สรุปจังหวัด", "chart", TEAL, _say("สรุปจังหวัด", "สรุป"), 0, 0),
            # The province's summary ends with its table by district.
            Button("รายอำเภอ", "districts", INDIGO, _say("รายอำเภอ", "สรุป รายอำเภอ"), 1, 0),
            Button("ตรวจสอบ", "checklist", ORANGE, _say("ตรวจสอบ"), 2, 0),
            Button("ค้างชำระ", "clock", RED, _say("ค้างชำระ"), 0, 1),
            Button("ค้นหา", "search", PURPLE, _fill("ค้นหา", "ค้นหา "), 1, 1),
            Button("เมนู", "menu", SLATE, _say("เมนู"), 2, 1),
        )),
    GUEST: Menu(
        GUEST, NAME_PREFIX + "guest", "เมนูผู้ที่ยังไม่ผูกบัญชี (ค่าเริ่มต้น)", "เริ่มใช้งาน", *COMPACT, columns=2, rows=1,
        buttons=(
            Button("ลงทะเบียน", "register", GREEN, _fill("ลงทะเบียน", "ลงทะเบียน "), 0, 0),
            Button("วิธีใช้", "help", BLUE, _say("วิธีใช้"), 1, 0),
        )),
}


def role_for(sees_all: bool) -> str:
    """The menu of a linked, active officer: the province's for those who see every fund."""
    return PROVINCE if sees_all else OFFICER


def rule_errors(menu: Menu) -> list[str]:
    """What in this menu LINE would refuse (sizes, ratio, chat-bar text, areas); empty when none."""
    errors = []
    if not MIN_WIDTH <= menu.width <= MAX_WIDTH:
        errors.append(f"{menu.role}: width {menu.width} is not within {MIN_WIDTH}-{MAX_WIDTH}")
    if menu.height < MIN_HEIGHT or menu.width / menu.height < MIN_RATIO:
        errors.append(f"{menu.role}: {menu.width}x{menu.height} is under {MIN_HEIGHT} high or {MIN_RATIO}:1")
    if len(menu.chat_bar_text) > MAX_CHAT_BAR_TEXT:
        errors.append(f"{menu.role}: chat-bar text over {MAX_CHAT_BAR_TEXT} characters")
    if not 1 <= len(menu.buttons) <= MAX_AREAS:
        errors.append(f"{menu.role}: {len(menu.buttons)} areas (LINE takes 1-{MAX_AREAS})")
    for button in menu.buttons:
        if button.col + button.cols > menu.columns or button.row + button.rows > menu.rows:
            errors.append(f"{menu.role}: {button.label} is outside the grid")
    return errors


# ---------------------------------------------------------------- linking a user's menu

@runtime_checkable
class MenuLinks(Protocol):
    """The three LINE calls that change one user's menu (messaging.line.LineClient has them)."""

    def rich_menu_alias(self, alias_id: str) -> str | None: ...

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None: ...

    def unlink_rich_menu(self, user_id: str) -> None: ...


def link_menu(client: MenuLinks | None, user_id: str, role: str) -> bool:
    """Show this LINE user their role's menu; GUEST unlinks theirs, so that the default shows again.

    The menu is found by its alias (see the module docstring): two requests, once per linking.
    Never raises: the menu is a convenience and the chat answers either way. False when nothing
    was changed: no client (the terminal chat, the outbox), no alias yet (setup-line not run),
    or LINE refused or did not answer (logged without the user's id).
    """
    if client is None or not user_id:
        return False
    try:
        if role == GUEST:
            client.unlink_rich_menu(user_id)
            return True
        alias = MENUS[role].alias
        rich_menu_id = client.rich_menu_alias(alias)
        if rich_menu_id is None:
            log.warning("rich menu alias %s not found: run `python main.py setup-line`", alias)
            return False
        client.link_rich_menu(user_id, rich_menu_id)
        return True
    except MessengerError as exc:
        log.warning("a user's rich menu was not changed (%s menu): LINE HTTP %s", role, exc.http_status)
        return False
