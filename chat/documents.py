"""A document sent in LINE: a photo or a PDF → which fund → which document → (a bank book: its balance
and the date it shows) → the file in Drive (or data/documents/) and one row in เอกสาร.

State between the steps travels as chat.guided's does: what the officer TAPS carries the LINE message
id (`m`), the fund (`f`) and the document (`k`) in the button's postback data, so any instance can
answer; what they must TYPE (part of a village name, the balance, its date) waits in the instance's
`PendingSteps`. Filing is once only: the key `doc:<message id>` is claimed first (sheets.claims, as a
repayment's ref is), the upload is tagged with the message id (one file per message in Drive), and the
row is appended by the claim's winner alone, so a double tap or a redelivered event files one file and
one row. The link cells people type in กองทุน are never written.
"""
from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Protocol, runtime_checkable

from core.schema import DOC_BANK_BOOK, DOCUMENT_KINDS
from core.thai import baht, date_th
from messaging import flex
from messaging.base import MessengerError
from messaging.line import Content, ContentError
from chat import views
from chat.context import Ctx, Messages, Step
from chat.payments import typed_amount, typed_past_date
from chat.places import match_funds
from sheets import readers
from sheets.claims import Claims
from sheets.documents import Shelf
from sheets.store import StoreError

log = logging.getLogger("kkc.chat")

ACTIONS = ("df", "dk", "dd")   # fund chosen, document chosen, the bank book's date (today)
FUNDS_SHOWN = 12               # quick replies of funds (13 is LINE's limit; one is ยกเลิก)
PDF = "application/pdf"
CANCEL = flex.postback_action("ยกเลิก", "a=cancel", "ยกเลิก")
NOT_FILED = "ยังไม่ได้บันทึกเอกสาร"


@runtime_checkable
class ContentSource(Protocol):
    """What LINE keeps of a message a user sent (messaging.line.LineClient.content)."""

    def content(self, message_id: str, max_bytes: int) -> Content: ...


@dataclass(frozen=True)
class DocumentRequest:
    """One document to file: the LINE message, the fund, what it is, and for a bank book its balance."""

    message_id: str
    fund_id: str
    document: str
    document_date: dt.date
    balance: Decimal | None = None
    balance_date: dt.date | None = None

    @property
    def key(self) -> str:
        return f"doc:{self.message_id}"


def _data(action: str, **fields: str) -> str:
    return urllib.parse.urlencode({"a": action, **fields})


def max_bytes(config: Any) -> int:
    return int(config.documents.max_bytes)


# ---------------------------------------------------------------- step 1: what arrived, and which fund

def received(ctx: Ctx, message: dict) -> Messages:
    """An image or file message: refuse what cannot be filed, else ask which fund."""
    message_id = str(message.get("id") or "")
    kind = message.get("type")
    if not message_id:
        return [flex.text_message("อ่านข้อความนี้ไม่ได้ โปรดส่งรูปหรือไฟล์อีกครั้ง", quick=views.main_quick())]
    if kind == "image" and (message.get("contentProvider") or {}).get("type", "line") != "line":
        return [flex.text_message("รูปนี้ไม่ได้เก็บไว้ใน LINE จึงบันทึกไม่ได้ โปรดส่งรูปจากเครื่องโดยตรง",
                                  quick=views.main_quick())]
    if kind == "file":
        name = str(message.get("fileName") or "")
        if not name.lower().endswith(".pdf"):
            return [flex.text_message("บันทึกเอกสารได้เฉพาะรูปภาพหรือไฟล์ PDF โปรดส่งเป็นรูปหรือ PDF",
                                      quick=views.main_quick())]
        size = message.get("fileSize")
        if isinstance(size, int) and size > max_bytes(ctx.config):
            return [too_large(size, max_bytes(ctx.config))]
    return pick_fund(ctx, message_id)


def too_large(size: int, limit: int) -> dict:
    return flex.text_message(f"ไฟล์ใหญ่เกินไป ({size / 1048576:.1f} MB) บันทึกได้ไม่เกิน {limit / 1048576:.0f} MB "
                             "โปรดย่อขนาดหรือถ่ายรูปใหม่แล้วส่งอีกครั้ง", quick=views.main_quick())


def pick_fund(ctx: Ctx, message_id: str, query: str = "") -> Messages:
    """The officer's funds to pick from (or those a typed place name matches); one: straight to the document."""
    view = ctx.view
    funds = match_funds(view, query) if query else list(view.funds)
    if query and not funds:
        ctx.next_step = Step("doc_fund", ref=message_id)
        return [flex.text_message("ไม่พบกองทุนที่พิมพ์ในพื้นที่ของท่าน พิมพ์ชื่อหมู่บ้าน ตำบล หรือรหัสกองทุนอีกครั้ง",
                                  quick=[CANCEL])]
    if not funds:
        return [flex.text_message("ยังไม่มีกองทุนในพื้นที่ของท่าน", quick=views.main_quick())]
    if len(funds) == 1:
        return pick_document(ctx, message_id, funds[0].fund_id)
    shown = sorted(funds, key=lambda f: f.fund_id)[:FUNDS_SHOWN]
    items = [flex.postback_action(views.short_fund(f), _data("df", m=message_id, f=f.fund_id),
                                  f"กองทุน {views.fund_label(f)}") for f in shown]
    more = f"\nแสดง {len(shown)} จาก {len(funds):,} กองทุน" if len(funds) > len(shown) else ""
    ctx.next_step = Step("doc_fund", ref=message_id)
    return [flex.text_message("ได้รับเอกสารแล้ว เป็นของกองทุนใด? เลือกกองทุน หรือพิมพ์ชื่อหมู่บ้าน ตำบล หรือรหัสกองทุน"
                              + more, quick=[*items, CANCEL])]


# ---------------------------------------------------------------- step 2: which document

def pick_document(ctx: Ctx, message_id: str, fund_id: str) -> Messages:
    fund = ctx.view.ds.funds.get(fund_id)
    if fund is None or not ctx.view.scope.allows_fund(fund_id):
        return [flex.text_message("ไม่พบกองทุนนี้ในพื้นที่ของท่าน", quick=views.main_quick())]
    items = [flex.postback_action(kind, _data("dk", m=message_id, f=fund_id, k=str(i)), kind)
             for i, kind in enumerate(DOCUMENT_KINDS)]
    return [flex.text_message(f"กองทุน {views.fund_label(fund)}\nเอกสารนี้คืออะไร?", quick=[*items, CANCEL])]


# ---------------------------------------------------------------- step 3 (a bank book): balance and its date

def ask_balance(ctx: Ctx, message_id: str, fund_id: str) -> Messages:
    ctx.next_step = Step("doc_balance", ref=message_id, fund_id=fund_id)
    return [flex.text_message("สมุดบัญชี: พิมพ์ยอดเงินคงเหลือล่าสุดในสมุด (บาท) เช่น 125,400.50", quick=[CANCEL])]


def ask_balance_date(ctx: Ctx, message_id: str, fund_id: str, balance: Decimal) -> Messages:
    today = flex.postback_action(f"วันนี้ {date_th(ctx.today)}",
                                 _data("dd", m=message_id, f=fund_id, b=f"{balance:.2f}", d=ctx.today.isoformat()),
                                 f"วันที่ {date_th(ctx.today)}")
    ctx.next_step = Step("doc_balance_date", ref=message_id, fund_id=fund_id, amount=balance)
    return [flex.text_message(f"ยอด {baht(balance)}: พิมพ์วันที่ของยอดนี้ตามที่สมุดแสดง (เช่น 25/11/69) หรือกด วันนี้",
                              quick=[today, CANCEL])]


# ---------------------------------------------------------------- what the officer taps or types

def on_postback(ctx: Ctx, fields: dict[str, str], file: Callable[[Ctx, DocumentRequest], Messages]) -> Messages:
    """A document step's button (`fields["a"]` in ACTIONS); `file` files the request (the conversation's)."""
    action = fields.get("a", "")
    try:
        message_id, fund_id = fields["m"], fields["f"]
        if action == "df":
            return pick_document(ctx, message_id, fund_id)
        if action == "dk":
            document = DOCUMENT_KINDS[int(fields["k"])]
            if document == DOC_BANK_BOOK:
                return ask_balance(ctx, message_id, fund_id)
            return file(ctx, DocumentRequest(message_id, fund_id, document, ctx.today))
        if action == "dd":
            balance, on = Decimal(fields["b"]), dt.date.fromisoformat(fields["d"])
            if not balance.is_finite():
                raise ValueError("not an amount")
            return file(ctx, DocumentRequest(message_id, fund_id, DOC_BANK_BOOK, on, balance, on))
    except (KeyError, IndexError, ValueError, ArithmeticError):
        pass
    return [flex.text_message("ปุ่มนี้ใช้ไม่ได้แล้ว โปรดส่งเอกสารอีกครั้ง", quick=views.main_quick())]


def on_typed(ctx: Ctx, step: Step, text: str, file: Callable[[Ctx, DocumentRequest], Messages]) -> Messages:
    """What the officer typed at a document step (kind doc_fund / doc_balance / doc_balance_date)."""
    text = text.strip()
    if step.kind == "doc_fund":
        return pick_fund(ctx, step.ref, text)
    if step.kind == "doc_balance":
        balance = typed_amount(text)
        if balance is None or balance < 0:
            ctx.next_step = step
            return [flex.text_message("อ่านยอดเงินไม่ได้ พิมพ์เป็นตัวเลข เช่น 125,400.50", quick=[CANCEL])]
        return ask_balance_date(ctx, step.ref, step.fund_id, balance)
    if step.kind == "doc_balance_date" and step.amount is not None:
        try:
            on = typed_past_date(text, ctx.today)
        except readers.CellError:
            ctx.next_step = step
            return [flex.text_message(f"อ่านวันที่ไม่ได้ ({readers.DATE_HINT}) หรือกด วันนี้", quick=[CANCEL])]
        if on > ctx.today:
            ctx.next_step = step
            return [flex.text_message("วันที่ของยอดเงินต้องไม่เกินวันนี้ พิมพ์อีกครั้ง", quick=[CANCEL])]
        return file(ctx, DocumentRequest(step.ref, step.fund_id, DOC_BANK_BOOK, on, step.amount, on))
    return [flex.text_message("ขั้นตอนที่ค้างไว้หมดเวลาแล้ว โปรดส่งเอกสารอีกครั้ง", quick=views.main_quick())]


# ---------------------------------------------------------------- filing, once

class DocumentDesk:
    """Files a document: the claim, the content from LINE, the shelf (Drive or files), the row in เอกสาร."""

    def __init__(self, config: Any, store: Any, claims: Claims, content: ContentSource | None,
                 shelf: Callable[[], Shelf], now: Callable[[], dt.datetime]):
        """`shelf` is made on the first document (Drive's client is not needed on a cold start)."""
        self.config, self.store, self.claims, self.source = config, store, claims, content
        self._make_shelf = shelf
        self._shelf: Shelf | None = None
        self.now = now

    def shelf(self) -> Shelf:
        if self._shelf is None:
            self._shelf = self._make_shelf()
        return self._shelf

    def file(self, ctx: Ctx, request: DocumentRequest) -> Messages:
        assert ctx.officer is not None
        fund = ctx.view.ds.funds.get(request.fund_id)
        if fund is None or not ctx.view.scope.allows_fund(request.fund_id):
            return [flex.text_message("ไม่พบกองทุนนี้ในพื้นที่ของท่าน", quick=views.main_quick())]
        if self.source is None:
            return [_not_filed("ช่องทางนี้อ่านไฟล์จาก LINE ไม่ได้")]
        if ctx.turn is not None:
            ctx.turn.a_moment()
        at = self.now()
        record = {"officer_id": ctx.officer.officer_id, "officer_name": ctx.officer.name,
                  "claimed_at": at.isoformat(timespec="seconds"), "fund_id": request.fund_id,
                  "document": request.document}
        try:
            claim = self.claims.claim(request.key, record)
        except StoreError:
            return [_not_filed("ระบบกันบันทึกซ้ำขัดข้อง ลองส่งอีกครั้งในสักครู่")]
        if not claim.won:
            return [_already_filed(claim.record)]
        try:
            content = self.source.content(request.message_id, max_bytes(self.config))
        except ContentError as exc:
            self._give_back(request.key)
            if exc.too_large:
                return [flex.text_message(f"{exc}\n{NOT_FILED}", quick=views.main_quick())]
            return [_not_filed(str(exc))]
        except MessengerError as exc:
            self._give_back(request.key)
            return [_not_filed(str(exc))]
        name = f"{request.fund_id}-{request.document}-{request.document_date.isoformat()}"
        try:
            link = self.shelf().put((fund.district, request.fund_id), name, content.data, content.media_type,
                                    ref=request.message_id)
        except (StoreError, OSError) as exc:
            self._give_back(request.key)  # the upload is tagged with the message id: a retry finds it
            log.warning("document %s: not stored (%s)", request.message_id, type(exc).__name__)
            return [_not_filed(f"เก็บไฟล์ไม่สำเร็จ: {exc}")]
        row = {"fund_id": request.fund_id, "document": request.document, "document_date": request.document_date,
               "link": link, "sent_by": ctx.officer.officer_id, "sent_at": at, "ref": request.message_id,
               "bank_balance": request.balance, "bank_balance_date": request.balance_date}
        try:
            self.store.append("documents", [row])
        except StoreError as exc:
            status = getattr(exc, "status", None)
            if status is not None and 400 <= status < 500 and status != 408:
                self._give_back(request.key)  # refused: nothing was written; the next try files it
            return [_not_filed(f"บันทึกแถวในแท็บ เอกสาร ไม่สำเร็จ ({exc}) ไฟล์เก็บไว้แล้วที่ {link}")]
        lines = [f"บันทึกเอกสารแล้ว: {request.document} กองทุน {views.fund_label(fund)}",
                 f"วันที่เอกสาร {date_th(request.document_date)}"]
        if request.balance is not None and request.balance_date is not None:
            lines.append(f"ยอดเงินในสมุดบัญชี {baht(request.balance)} ณ {date_th(request.balance_date)}")
        lines.append(f"ไฟล์: {link}")
        return [flex.text_message("\n".join(lines), quick=views.main_quick())]

    def _give_back(self, key: str) -> None:
        try:
            self.claims.release(key)
        except Exception:  # noqa: BLE001 - a claim kept only stops this message being filed again
            log.warning("could not give back the claim %s", key)


def _not_filed(why: str) -> dict:
    return flex.text_message(f"{NOT_FILED}: {why}", quick=views.main_quick())


def _already_filed(record: dict[str, Any]) -> dict:
    who = str(record.get("officer_name") or record.get("officer_id") or "-")
    try:
        at = dt.datetime.fromisoformat(str(record.get("claimed_at")))
        when = f"{at:%H:%M} น. {date_th(at.date())}"
    except ValueError:
        when = "-"
    return flex.text_message(f"เอกสารนี้บันทึกไปแล้ว ไม่ได้บันทึกซ้ำ\nผู้บันทึก: {who} เมื่อ {when} "
                             f"({record.get('document', '-')} กองทุน {record.get('fund_id', '-')})",
                             quick=views.main_quick())
