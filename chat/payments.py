"""Recording a repayment (ชำระ): what was typed, checked against the ledger, then a confirm card.

`ชำระ <สัญญา> <จำนวน> [วันที่] [ใบรับ <เลขที่>]` goes straight to the confirm card; `ชำระ` alone (the
rich menu's บันทึกรับชำระ) starts the guided flow (chat.guided), which ends in the same card.
"""
from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.thai import baht, date_th, to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from sheets import readers
from sheets.parse.payments import voided_ref


@dataclass(frozen=True)
class PaymentRequest:
    contract_no: str
    amount: Decimal
    paid_date: dt.date
    ref: str
    receipt_no: str = ""       # เลขที่ใบรับเงิน, "" when none was given

    def postback(self) -> str:
        fields = {"a": "pay", "r": self.ref, "c": self.contract_no, "m": f"{self.amount:.2f}",
                  "d": self.paid_date.isoformat()}
        if self.receipt_no:
            fields["n"] = self.receipt_no
        return urllib.parse.urlencode(fields)

    @classmethod
    def from_postback(cls, fields: dict[str, str]) -> "PaymentRequest":
        amount = Decimal(fields["m"])
        if not amount.is_finite() or not fields["r"].startswith("LINE-"):
            raise ValueError("not a payment button of ours")
        return cls(fields["c"], amount, dt.date.fromisoformat(fields["d"]), fields["r"], fields.get("n", ""))


UNDO_HOURS = 24   # a repayment recorded through LINE may be cancelled by its officer for this long


def void_action(ref: str, contract_no: str) -> dict:
    """The ยกเลิกรายการ button of a repayment recorded through LINE (handled by Conversation.void_payment)."""
    return flex.postback_action("ยกเลิกรายการ", urllib.parse.urlencode({"a": "void", "r": ref, "c": contract_no}),
                                "ยกเลิกรายการนี้")


PAY_USAGE = ("พิมพ์ ชำระ <เลขที่สัญญาหรือชื่อผู้ยืม> <จำนวนเงิน> [วันที่] [ใบรับ <เลขที่ใบรับเงิน>] เช่น ชำระ 230101-01/2569/03 1,500 "
             "หรือ ชำระ 230101-01/2569/03 1500 15/1/69 ใบรับ R-123 หรือ ชำระ สมศรี 500\nหรือกด บันทึกรับชำระ เพื่อเลือกทีละขั้น")
RECEIPT_WORDS = ("เลขที่ใบรับเงิน", "เลขที่ใบรับ", "ใบรับเงิน", "ใบรับ", "ใบเสร็จ")
MAX_RECEIPT = 30   # characters: the confirm button's postback data stays within LINE's 300


# That someone paid, said after their name (นางสอง จ่าย 500, ศิริพร โอนมาแล้ว 600): not part of the name.
PAID_VERB = r"(?:จ่าย|ชำระ|โอน)(?:เงิน)?(?:มา|แล้ว|มาแล้ว)?"
_PAID_AT_END = re.compile(r"\s*" + PAID_VERB + r"$")


def without_paid_verb(who: str) -> str:
    """A borrower's name as typed before the amount, without "จ่าย" or "โอนมา" after it."""
    return _PAID_AT_END.sub("", who).strip() or who


def split_receipt(args: str) -> tuple[str, str]:
    """(the text before the receipt word, the receipt number after it; "" when none)."""
    for word in RECEIPT_WORDS:
        at = args.find(word)
        if at >= 0:
            return args[:at].strip(), " ".join(args[at + len(word):].split()).strip(" :")
    return args.strip(), ""


def receipt_problem(receipt: str) -> str | None:
    """The Thai reason a receipt number cannot be kept, or None."""
    if len(receipt) > MAX_RECEIPT:
        return f"เลขที่ใบรับเงินยาวเกิน {MAX_RECEIPT} ตัวอักษร"
    return None


def parse_pay(args: str, today: dt.date) -> tuple[str, Decimal, dt.date, str] | str:
    """(contract, amount, date, receipt number) or the Thai reason the text cannot be read."""
    args, receipt = split_receipt(args)
    problem = receipt_problem(receipt)
    if problem:
        return problem
    parts = args.split()
    if len(parts) < 2:
        return PAY_USAGE
    contract, amount_text, rest = parts[0], parts[1], parts[2:]
    try:
        amount = readers.read_amount(amount_text)
    except readers.CellError:
        return f"อ่านจำนวนเงินไม่ได้ (พิมพ์ตัวเลข เช่น 1,500)\n{PAY_USAGE}"
    if amount <= 0:
        return "จำนวนเงินต้องมากกว่า 0 บาท"
    try:
        paid_date, _ = date_after_amount(rest, today)
    except readers.CellError:
        return f"อ่านวันที่ชำระไม่ได้ {PAID_DATE_HINT}"
    return contract, amount, paid_date, receipt


PAID_DATE_HINT = f"({readers.DATE_HINT} หรือ เมื่อวาน หรือไม่ใส่ = วันนี้)"


def date_after_amount(rest: list[str], today: dt.date) -> tuple[dt.date, str]:
    """The day typed after an amount (and its บาท), with its words: today and "" when none is. Raises
    readers.CellError when the words are no day."""
    if rest and rest[0] in ("บาท", "บ.", "฿"):
        rest = rest[1:]
    elif rest and rest[0].startswith(("บาท", "฿")):   # the day glued to บาท, as Thai is typed: 500 บาทวันนี้
        rest = [rest[0].removeprefix("บาท").removeprefix("฿"), *rest[1:]]
    said = " ".join(rest)
    return (typed_past_date(said, today) if said else today), said


def check_payment(ctx: Ctx, contract: str, amount: Decimal, paid_date: dt.date,
                  view: Any = None) -> tuple[Any, Any] | str:
    """(loan, state) when the payment may be recorded, else the Thai refusal."""
    view = view or ctx.view
    loan = view.loan(contract) or next((l for l in view.loans if l.contract_no.lower() == contract.lower()), None)
    if loan is None:
        # Unknown and out-of-area get the same words: nothing about other districts.
        return "ไม่พบเลขที่สัญญานี้ในพื้นที่ของท่าน ตรวจเลขที่สัญญา หรือพิมพ์ ค้นหา <ชื่อ>"
    state = view.states.get(loan.contract_no)
    if state is None:
        return (f"สัญญา {loan.contract_no} มีข้อมูลที่อ่านไม่ได้ (จำนวนเงินหรือวันครบกำหนด) "
                "จึงยังบันทึกรับชำระทาง LINE ไม่ได้ โปรดแก้ในแท็บลูกหนี้ก่อน")
    if amount <= 0:
        return "จำนวนเงินต้องมากกว่า 0 บาท"
    if paid_date > ctx.today:
        return f"วันที่ชำระ {date_th(paid_date)} อยู่ในอนาคต บันทึกได้เฉพาะเงินที่รับแล้ว"
    if loan.loan_date and paid_date < loan.loan_date:
        return f"วันที่ชำระ {date_th(paid_date)} อยู่ก่อนวันที่รับเงินยืม ({date_th(loan.loan_date)})"
    if state.outstanding <= 0:
        return f"สัญญา {loan.contract_no} ({loan.borrower_name}) ชำระครบแล้ว ไม่มียอดคงค้าง"
    if amount > state.outstanding:
        return (f"จำนวนเงิน {baht(amount)} มากกว่ายอดคงค้าง {baht(state.outstanding)} "
                f"ของสัญญา {loan.contract_no} โปรดตรวจสอบจำนวนเงิน")
    return loan, state


def confirm_card(ctx: Ctx, contract: str, amount: Decimal, paid_date: dt.date, receipt: str = "") -> Messages:
    """The card that asks to confirm a repayment (nothing is written before its button is tapped)."""
    checked = check_payment(ctx, contract, amount, paid_date)
    if isinstance(checked, str):
        return [flex.text_message(checked, quick=views.main_quick())]
    loan, state = checked
    request = PaymentRequest(loan.contract_no, amount, paid_date, ctx.payment_ref(), receipt)
    try:
        confirm = flex.postback_action("ยืนยันบันทึก", request.postback(), "ยืนยันบันทึกรับชำระ")
    except ValueError:  # a receipt number of many Thai letters: too long once encoded
        return [flex.text_message("เลขที่ใบรับเงินยาวเกินไป โปรดพิมพ์ให้สั้นลง", quick=views.main_quick())]
    cancel = flex.postback_action("ยกเลิก", urllib.parse.urlencode({"a": "cancel", "r": request.ref}), "ยกเลิก")
    recorded = ctx.view.ds.payments.get(loan.contract_no, [])
    cancelled = {original for p in recorded if p.ref and (original := voided_ref(p.ref)) is not None}
    # The same amount on the same day, not cancelled since (ยกเลิกรายการ): perhaps this one, typed twice.
    same = [p for p in recorded if p.amount == amount and p.paid_date == paid_date and p.ref not in cancelled]
    warning = (f"มีรายการรับชำระ {baht(amount)} วันที่ {date_th(paid_date)} ของสัญญานี้ในชีตอยู่แล้ว "
               "ตรวจสอบว่าไม่ใช่รายการซ้ำ") if same else None
    bubble = views.payment_confirm_bubble(loan, ctx.view.ds.funds.get(loan.fund_id), amount, paid_date,
                                          state.outstanding, confirm, cancel, warning, receipt)
    alt = f"ยืนยันบันทึกรับชำระ {baht(amount)} สัญญา {loan.contract_no} วันที่ {date_th(paid_date)}"
    return [flex.flex_message(alt, bubble)]


# A day said rather than written, for what has already happened (a payment, a bank balance).
_DAYS_AGO: dict[str, int] = {"วันนี้": 0, "เมื่อวาน": 1, "เมื่อวานนี้": 1, "เมื่อวานซืน": 2}


def typed_past_date(text: str, today: dt.date) -> dt.date:
    """A date typed in the chat for something that has happened: as the sheet reads dates, and also
    วันนี้ / เมื่อวาน / เมื่อวานซืน, or a day and month without a year (1/12, 1 ธ.ค.): the latest such
    day not after today. Raises readers.CellError when it is none of these."""
    said = " ".join(text.split())
    if said in _DAYS_AGO:
        return today - dt.timedelta(days=_DAYS_AGO[said])
    day_month = readers.read_day_month(said)
    if day_month is not None:
        day, month = day_month
        for year in (today.year, today.year - 1):
            try:
                found = dt.date(year, month, day)
            except ValueError:  # 31/4, or 29/2 in a year without it
                continue
            if found <= today:
                return found
        raise readers.CellError(f"ไม่มีวันที่ \"{said}\" ({readers.DATE_HINT})")
    return readers.read_date(said)


def typed_amount(text: str) -> Decimal | None:
    """An amount typed alone in the chat (1,500 · ๑๕๐๐ · 1500 บาท · 1,500.-), or None when the text is not one."""
    words = to_arabic_digits(text).replace("บาท", " ").replace("บ.", " ").replace("฿", " ").split()
    if len(words) != 1:
        return None
    try:
        return readers.read_amount(words[0])
    except readers.CellError:
        return None
