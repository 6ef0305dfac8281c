"""`python main.py setup-line`: put the chat's rich menus in LINE, set the webhook URL, show the quota.

Run once per deploy, and again whenever the menus change; a rerun leaves the same state:

1. every menu of messaging/richmenu.py is drawn (PNG) and created, its image uploaded to the
   api-data host, and its alias (`kkc-officer`, `kkc-province`, `kkc-guest`) pointed at it;
2. the guest menu becomes the default (people not linked yet);
3. every officer linked in the sheet's บัญชี LINE tab gets their role's new menu, and the LINE
   account of an inactive officer gets the default back: a menu linked to a user is linked by
   its id, and the old ids are about to go;
4. the menus of ours from earlier runs (named kkc-…) are deleted, only now, so that a run that
   fails half-way leaves the old menus working (and its own new ones go on the next run);
5. with `--webhook-url`, the webhook URL is set and LINE is asked to call it; its answer is shown;
6. this month's message quota and use are shown.

`--dry-run` does none of that: it writes each menu's image and JSON under data/richmenu/ (or
`--out`) to look at, and needs neither the token nor the sheet.

Between two runs, the chat keeps each user's menu right itself (chat/conversation.py: linking
gives the officer's menu; an officer found inactive, or replaced by another LINE account, gets
the default back).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from core.config import Config
from messaging.base import MessengerError
from messaging.line import LineClient, MessageQuota, WebhookTest
from messaging.richmenu import GUEST, MENUS, NAME_PREFIX, Menu, role_for, rule_errors
from sheets.model import Dataset, read_dataset
from sheets.store import Layout, Store

LINK_TABS = ("officers", "line_links")


class SetupClient(Protocol):
    """The LINE calls of the set-up (messaging.line.LineClient)."""

    def rich_menus(self) -> list[dict]: ...

    def rich_menu_aliases(self) -> dict[str, str]: ...

    def create_rich_menu(self, menu: dict) -> str: ...

    def upload_rich_menu_image(self, rich_menu_id: str, image: bytes, content_type: str = "image/png") -> None: ...

    def set_rich_menu_alias(self, alias_id: str, rich_menu_id: str, *, exists: bool) -> None: ...

    def set_default_rich_menu(self, rich_menu_id: str) -> None: ...

    def link_rich_menu(self, user_id: str, rich_menu_id: str) -> None: ...

    def unlink_rich_menu(self, user_id: str) -> None: ...

    def delete_rich_menu(self, rich_menu_id: str) -> bool: ...

    def set_webhook_endpoint(self, url: str) -> None: ...

    def test_webhook_endpoint(self, url: str | None = None) -> WebhookTest: ...

    def quota(self) -> MessageQuota: ...


@dataclass(frozen=True)
class DrawnMenu:
    """A menu ready to send: its definition, RichMenuRequest JSON and PNG image."""

    menu: Menu
    request: dict
    png: bytes


@dataclass(frozen=True)
class Assignment:
    """Which menu one linked LINE account should have."""

    officer_id: str
    line_user_id: str
    role: str


def draw_menus() -> list[DrawnMenu]:
    """Every menu drawn, its JSON made, both checked against LINE's rules (ValueError if not)."""
    from messaging.richmenu_image import draw_menu  # Pillow: only here, never on the webhook's path

    drawn = []
    for menu in MENUS.values():
        errors = rule_errors(menu)
        if errors:
            raise ValueError("; ".join(errors))
        drawn.append(DrawnMenu(menu, menu.request(), draw_menu(menu).png))
    return drawn


def write_menu_files(drawn: Iterable[DrawnMenu], out_dir: Path) -> list[Path]:
    """--dry-run: each menu's image and JSON (with its alias and whether it is the default) in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for item in drawn:
        png = out_dir / f"richmenu-{item.menu.role}.png"
        png.write_bytes(item.png)
        doc = {"alias": item.menu.alias, "default": item.menu.role == GUEST, "image": png.name,
               "richMenu": item.request}
        spec = out_dir / f"richmenu-{item.menu.role}.json"
        spec.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written += [png, spec]
    return written


def assignments(ds: Dataset) -> list[Assignment]:
    """The menu each linked LINE account should have: its officer's role's, or the default if inactive.

    One account, one officer, as the chat decides it (chat/scope.py Snapshot: the latest link wins).
    """
    by_user = {link.line_user_id: officer_id for officer_id, link in ds.links.items()}
    result = []
    for user_id, officer_id in sorted(by_user.items(), key=lambda pair: pair[1]):
        officer = ds.officers.get(officer_id)
        if officer is None or not user_id:
            continue
        role = role_for(officer.sees_all) if officer.active else GUEST
        result.append(Assignment(officer_id, user_id, role))
    return result


def read_assignments(store: Store, layout: Layout, today: dt.date) -> list[Assignment]:
    """The officers and their LINE links, read from the sheet (two tabs, one batch read)."""
    return assignments(read_dataset(store, layout, today, tabs=LINK_TABS))


@dataclass
class SetupRun:
    """What `setup-line` did, for the console (`as_text`) or --json."""

    menus: dict[str, str] = field(default_factory=dict)          # role -> the new richMenuId
    image_bytes: dict[str, int] = field(default_factory=dict)    # role -> PNG size
    default_menu: str = ""
    linked: dict[str, int] = field(default_factory=dict)         # role -> accounts given it
    link_failures: list[str] = field(default_factory=list)       # "OF-01: why"
    deleted: list[str] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_test: WebhookTest | None = None
    quota: MessageQuota | None = None
    quota_error: str = ""

    @property
    def webhook_ok(self) -> bool:
        return self.webhook_test is None or self.webhook_test.success

    def as_json(self) -> dict:
        test = self.webhook_test
        return {
            "menus": self.menus, "image_bytes": self.image_bytes, "default": self.default_menu,
            "linked": self.linked, "link_failures": self.link_failures, "deleted": self.deleted,
            "webhook": None if self.webhook_url is None else {
                "url": self.webhook_url,
                "test": None if test is None else {"success": test.success, "statusCode": test.status_code,
                                                   "reason": test.reason, "detail": test.detail}},
            "quota": None if self.quota is None else {"limit": self.quota.limit, "used": self.quota.used},
            "quota_error": self.quota_error,
        }

    def as_text(self) -> str:
        lines = ["ตั้งค่า LINE เรียบร้อย:"]
        for role, rich_menu_id in self.menus.items():
            menu = MENUS[role]
            note = " (ค่าเริ่มต้น)" if rich_menu_id == self.default_menu else ""
            lines.append(f"  • {menu.title}{note}: {rich_menu_id} ชื่อแทน {menu.alias} "
                         f"รูป {menu.width}x{menu.height} {self.image_bytes.get(role, 0):,} ไบต์")
        linked = ", ".join(f"{MENUS[role].title} {count:,} บัญชี" for role, count in self.linked.items()
                           if count and role != GUEST)
        lines.append(f"  • ผูกเมนูกับบัญชี LINE ของเจ้าหน้าที่: {linked or 'ยังไม่มีบัญชีที่ผูกไว้'}")
        if self.linked.get(GUEST):
            lines.append(f"  • บัญชีของเจ้าหน้าที่ที่ปิดการใช้งาน กลับเป็นเมนูเริ่มต้น: {self.linked[GUEST]:,} บัญชี")
        for failure in self.link_failures:
            lines.append(f"    ! ผูกไม่ได้: {failure}")
        lines.append(f"  • ลบริชเมนูชุดเก่า {len(self.deleted):,} รายการ")
        if self.webhook_url is not None:
            test = self.webhook_test
            lines.append(f"  • webhook URL: {self.webhook_url}")
            if test is not None:
                verdict = "ผ่าน" if test.success else "ไม่ผ่าน"
                lines.append(f"    ทดสอบ: {verdict} (HTTP {test.status_code} {test.reason} {test.detail})".rstrip())
        if self.quota is not None:
            limit = "ไม่จำกัด" if self.quota.limit is None else f"{self.quota.limit:,}"
            left = "" if self.quota.left is None else f" เหลือ {self.quota.left:,}"
            lines.append(f"  • โควตาข้อความเดือนนี้: ใช้แล้ว {self.quota.used:,} จาก {limit}{left}")
        elif self.quota_error:
            lines.append(f"  • อ่านโควตาข้อความไม่ได้: {self.quota_error}")
        return "\n".join(lines)


def setup_line(client: SetupClient, drawn: list[DrawnMenu], accounts: list[Assignment], *,
               webhook_url: str | None = None, progress: Callable[[str], None] = lambda message: None) -> SetupRun:
    """Steps 1-6 of the module docstring. MessengerError when LINE refuses a menu (nothing old is lost)."""
    run = SetupRun()
    before = [m for m in client.rich_menus() if str(m.get("name", "")).startswith(NAME_PREFIX)]
    aliases = client.rich_menu_aliases()
    for item in drawn:
        menu = item.menu
        progress(f"สร้าง{menu.title} ...")
        rich_menu_id = client.create_rich_menu(item.request)
        client.upload_rich_menu_image(rich_menu_id, item.png, "image/png")
        client.set_rich_menu_alias(menu.alias, rich_menu_id, exists=menu.alias in aliases)
        run.menus[menu.role] = rich_menu_id
        run.image_bytes[menu.role] = len(item.png)
    run.default_menu = run.menus[GUEST]
    client.set_default_rich_menu(run.default_menu)

    progress(f"ผูกเมนูกับบัญชี LINE ของเจ้าหน้าที่ {len(accounts):,} บัญชี ...")
    run.linked = {role: 0 for role in run.menus}
    for account in accounts:
        try:
            if account.role == GUEST:
                client.unlink_rich_menu(account.line_user_id)
            else:
                client.link_rich_menu(account.line_user_id, run.menus[account.role])
        except MessengerError as exc:
            run.link_failures.append(f"{account.officer_id}: {exc}")
            continue
        run.linked[account.role] += 1

    for old in before:
        old_id = str(old.get("richMenuId", ""))
        if old_id and old_id not in run.menus.values() and client.delete_rich_menu(old_id):
            run.deleted.append(old_id)

    if webhook_url:
        run.webhook_url = webhook_url
        progress("ตั้ง webhook URL และขอให้ LINE ทดสอบ ...")
        client.set_webhook_endpoint(webhook_url)
        run.webhook_test = client.test_webhook_endpoint()
    try:
        run.quota = client.quota()
    except MessengerError as exc:
        run.quota_error = str(exc)
    return run


# ---------------------------------------------------------------- the command

EXIT_WEBHOOK_TEST_FAILED = 4
EXIT_LINE_REFUSED = 5


def run_setup_line(config: Config, store_spec: str | None, today: dt.date, *, dry_run: bool,
                   webhook_url: str | None, out: Path, as_json: bool = False,
                   progress: Callable[[str], None] = lambda message: None,
                   client: LineClient | None = None) -> int:
    """`python main.py setup-line`: prints what was done; the exit code says how it went.

    0 done; 4 the menus are set but LINE's call to the webhook URL failed; 5 LINE refused or did
    not answer (the message says what; the menus in use are the old ones). `client`: for tests.
    """
    drawn = draw_menus()
    if dry_run:
        files = write_menu_files(drawn, out)
        _print(as_json, {"dry_run": True, "files": [str(f) for f in files]},
               "ทดลอง (--dry-run): ไม่ได้ส่งอะไรถึง LINE เขียนรูปและ JSON ของริชเมนูไว้ที่\n"
               + "\n".join(f"  {f}" for f in files))
        return 0
    from sheets.open import open_store

    store = open_store(store_spec, config)
    progress(f"อ่านเจ้าหน้าที่และบัญชี LINE จาก {store.description} ...")
    accounts = read_assignments(store, Layout(config), today)
    own = client is None
    try:
        client = client or LineClient.from_config(config)
        run = setup_line(client, drawn, accounts, webhook_url=webhook_url, progress=progress)
    except MessengerError as exc:
        print(f"ตั้งค่า LINE ไม่สำเร็จ: {exc}", file=sys.stderr)
        return EXIT_LINE_REFUSED
    finally:
        if own and client is not None:
            client.close()
    _print(as_json, run.as_json(), run.as_text())
    return 0 if run.webhook_ok else EXIT_WEBHOOK_TEST_FAILED


def _print(as_json: bool, doc: Any, text: str) -> None:
    if as_json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(text)
