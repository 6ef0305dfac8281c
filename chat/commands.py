"""Every chat command, registered: importing this module loads the command modules in the order
the help lists them, and gives the table's entry points (`route`, `COMMANDS`) and the helpers the
conversation uses. Where each command lives:

| command | module |
|---|---|
| เมนู, ลงทะเบียน, สวัสดี, ขอบคุณ | chat/start.py |
| ครบกำหนด, ค้างชำระ | chat/lists.py (place names: chat/places.py) |
| ค้นหา | chat/search.py |
| ชำระ, บันทึกรับชำระ (guided) | chat/guided.py (the confirm card: chat/payments.py) |
| กองทุน, ใบติดตาม, สรุป, ตรวจสอบ, ยอดรับชำระ, แนวโน้ม, หนังสือแจ้งเตือน, รายงานประชุม | chat/overview.py |
| กองทุนค้างมาก, อำเภอค้างมาก, ตำบลค้างมาก, รายชื่อกองทุน | chat/rankings.py |
| แนะนำ, anything else | chat/talk.py |

A new command: a function decorated with `chat.registry.command` in the module it belongs to (or a
new module imported below).
"""
from __future__ import annotations

from chat import guided, lists, overview, payments, rankings, search, start, talk  # noqa: F401 - they register commands
from chat.payments import PaymentRequest, check_payment, parse_pay
from chat.places import match_funds
from chat.registry import COMMANDS, Command, command, phrasebook, route
from chat.search import find_loans
from chat.start import laughed, link_help
from chat.talk import unknown

__all__ = ["COMMANDS", "Command", "PaymentRequest", "check_payment", "command", "find_loans", "laughed", "link_help",
           "match_funds", "parse_pay", "phrasebook", "route", "unknown"]
