"""Trying the chat without LINE: `python main.py chat` and `python main.py serve`.

`chat --as OFFICER_ID` talks to the same Conversation the webhook uses, as
that officer, on the chosen store (the demo workbook by default). Replies are
printed as readable text (what a Flex card says, in order), and the buttons
are numbered: type a number to press one (text is sent as text, as in LINE). `--say` answers
one message (repeat it to say several, e.g. a `ชำระ` and then `1` to confirm)
and exits. What the chat writes (a repayment, feedback) really goes to the store; linking a LINE
account (ลงทะเบียน) does not: the terminal has no LINE user, so it says that linking happens in LINE
and writes nothing (an invented user id in บัญชี LINE would receive the next day's pushes).

`serve` runs the webhook locally through functions-framework, exactly as
Cloud Functions would, for a tunnel (e.g. ngrok) and a test LINE channel.
"""
from __future__ import annotations

import os
import sys
import uuid
from typing import Any, Callable, TextIO

from chat import commands
from chat.conversation import Conversation
from messaging import flex
from messaging.base import messages_to_text

EXIT_WORDS = {"ออก", "exit", "quit", "q", "จบ"}
LINK_IN_LINE = ("การผูกบัญชีทำได้ในแอป LINE เท่านั้น: เพิ่มเพื่อนบัญชี กข.คจ. Care แล้วพิมพ์ ลงทะเบียน "
                "ตามด้วยรหัสลงทะเบียนในแชตนั้น\nแชตทดลองนี้ไม่มีบัญชี LINE จึงไม่ได้บันทึกอะไรในแท็บ บัญชี LINE")


def actions_of(messages: list[dict]) -> list[dict]:
    """The buttons a person could press: Flex buttons in reading order, the quick replies, then the
    rows that open a card when tapped (each action listed once)."""
    buttons: list[dict] = []
    rows: list[dict] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("action"), dict) and node.get("type") in ("button", "box"):
                (buttons if node["type"] == "button" else rows).append(node["action"])
            for key in ("header", "hero", "body", "footer", "contents"):
                if key in node:
                    walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for message in messages:
        if message.get("type") == "flex":
            walk(message.get("contents"))
    for message in messages:
        for item in (message.get("quickReply") or {}).get("items", []):
            if isinstance(item.get("action"), dict):
                buttons.append(item["action"])
    found: list[dict] = []
    for action in buttons + rows:
        if action not in found:
            found.append(action)
    return found


class TerminalSession:
    """One officer's conversation in the terminal."""

    def __init__(self, conv: Conversation, officer_id: str, user_id: str, out: TextIO | None = None,
                 event_id: Callable[[], str] = lambda: "T" + uuid.uuid4().hex[:25].upper()):
        self.conv, self.officer_id, self.user_id = conv, officer_id, user_id
        self.out = out if out is not None else sys.stdout
        self.event_id = event_id
        self.buttons: list[dict] = []

    def say(self, text: str) -> list[dict]:
        """Answer what the officer typed: a button's number, or a message."""
        text = text.strip()
        chosen = self._button(text)
        if chosen is not None and not (chosen.get("type") == "message" and chosen.get("text") == text):
            return self.press(chosen, echo=text.isdigit())
        return self._text(text)

    def _text(self, text: str) -> list[dict]:
        cmd, _ = commands.route(text)
        if cmd is not None and cmd.key == "register":
            return self._show([flex.text_message(LINK_IN_LINE)])
        return self._show(self.conv.on_text(self.user_id, text, self.event_id(), officer_id=self.officer_id))

    def press(self, action: dict, echo: bool = True) -> list[dict]:
        kind = action.get("type")
        if kind == "message":
            if echo:
                self.out.write(f"คุณ> {action.get('text', '')}\n")
            return self._text(str(action.get("text", "")))
        if kind == "postback" and action.get("fillInText"):
            self.out.write(f"(พิมพ์ต่อจากนี้: {action['fillInText']}…)\n\n")
            return []
        if kind == "postback":
            if echo and action.get("displayText"):
                self.out.write(f"คุณ> {action['displayText']}\n")
            return self._show(self.conv.on_postback(self.user_id, str(action.get("data", "")), self.event_id(),
                                                    officer_id=self.officer_id))
        if kind == "datetimepicker":
            # No calendar here: the picker answers with its first date (today); a date may be typed instead.
            chosen = str(action.get("initial") or action.get("max") or "")
            self.out.write(f"(ใน LINE จะเลือกวันที่จากปฏิทิน ที่นี่ใช้ {chosen} หรือพิมพ์วันที่แทนได้)\n")
            return self._show(self.conv.on_postback(self.user_id, str(action.get("data", "")), self.event_id(),
                                                    officer_id=self.officer_id, params={"date": chosen}))
        self.out.write("(ปุ่มนี้ใช้ได้ใน LINE เท่านั้น)\n\n")
        return []

    def _button(self, text: str) -> dict | None:
        # Only a number presses a button. Text is sent as text even when it reads as a button's label,
        # as LINE sends it: typing ยกเลิก is not tapping ยกเลิก, and the chat must understand it typed.
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return self.buttons[int(text) - 1]
        return None

    def _show(self, messages: list[dict]) -> list[dict]:
        if not messages:
            return messages
        text = "\n".join(line for line in messages_to_text(messages).splitlines() if not line.startswith("ปุ่ม: "))
        self.buttons = actions_of(messages)
        self.out.write(f"บอต>\n{text}\n")
        if self.buttons:
            labels = "  ".join(f"{i}) {a.get('label', '')}" for i, a in enumerate(self.buttons, start=1))
            self.out.write(f"ปุ่ม (พิมพ์เลข): {labels}\n")
        self.out.write("\n")
        self.out.flush()
        return messages


def run_chat(officer_id: str, conv: Conversation, *, say: list[str] | None = None, out: TextIO | None = None,
             read: Callable[[str], str] = input) -> int:
    """Chat as `officer_id` with `conv`, the conversation of a runtime from the webhook's own factory
    (cli.py's `chat --as` builds it with handlers.runtime.terminal_runtime: this layer cannot import it)."""
    out = out if out is not None else sys.stdout  # looked up now: the stream may have been replaced since import
    snap = conv.snapshots.get()
    officer = snap.officer(officer_id)
    if officer is None:
        known = ", ".join(sorted(snap.officers)[:30])
        print(f"ไม่พบรหัสเจ้าหน้าที่ {officer_id} ในแท็บเจ้าหน้าที่ (officer not found). มีรหัส: {known}",
              file=sys.stderr)
        return 2
    link = snap.base.links.get(officer.officer_id)
    user_id = link.line_user_id if link else "U" + uuid.uuid5(uuid.NAMESPACE_URL, officer.officer_id).hex
    session = TerminalSession(conv, officer.officer_id, user_id, out)
    if say:
        for text in say:
            out.write(f"คุณ> {text}\n")
            session.say(text)
        return 0
    scope = snap.scope_for(officer)
    out.write(f"แชตทดลอง กข.คจ. Care ในฐานะ {officer.name} ({officer.officer_id}, {scope.label}) "
              f"บน {conv.store.description}\nพิมพ์ เมนู เพื่อเริ่ม, พิมพ์เลขเพื่อกดปุ่ม, พิมพ์ ออก เพื่อจบ\n\n")
    out.flush()
    while True:
        try:
            text = read("คุณ> ")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return 0
        if text.strip().lower() in EXIT_WORDS:
            return 0
        if text.strip():
            session.say(text)


def serve(host: str, port: int, env_updates: dict[str, str]) -> int:
    """The webhook on http://host:port/ through functions-framework (Ctrl+C stops it)."""
    os.environ.update(env_updates)
    os.environ.setdefault("FUNCTION_TARGET", "line_webhook")  # as Cloud Functions sets it
    if not os.environ.get("LINE_CHANNEL_SECRET"):
        print("ต้องตั้งค่า LINE_CHANNEL_SECRET ก่อน (export LINE_CHANNEL_SECRET=...) — the webhook accepts "
              "no request without it", file=sys.stderr)
        return 2
    from functions_framework import create_app
    from functions_framework._http import create_server

    from core.config import ROOT

    app = create_app(target="line_webhook", source=str(ROOT / "main.py"))
    print(f"line_webhook ฟังที่ http://{host}:{port}/ (POST จาก LINE เท่านั้น; ตอบกลับ"
          f"{'ทาง LINE' if os.environ.get('LINE_CHANNEL_ACCESS_TOKEN') else 'ลงไฟล์ outbox (ไม่มี LINE_CHANNEL_ACCESS_TOKEN)'})",
          flush=True)
    create_server(app, False).run(host, port)
    return 0
