"""The guided repayment: บันทึกรับชำระ → a fund → a borrower → the amount → the date → the receipt
number → the confirm card of chat.payments (recorded once by chat.conversation.confirm_payment).

State between the steps. Cloud Functions runs several instances and LINE may deliver the next event
to any of them, so wherever the officer TAPS (a fund, a borrower, a suggested amount, the date
picker, ข้าม) the state so far travels in the button's postback data (at most 300 characters) and
any instance can answer. Where the officer must TYPE (a village name, the amount, a date, the
receipt number) the instance that asked keeps a short pending step for that LINE user
(`PendingSteps`, PENDING_MINUTES). If the typed answer lands on another instance, or the step has
expired, the bot says that it does not know what the amount is for and asks again (the buttons of
the last step still work). Nothing is ever recorded without the confirm card's button.

A borrower may be named instead of a contract number, as officers remember them: `ชำระ บุญเรือน 500`
(or the name alone, or typed at step 1) finds the contracts with something outstanding whose
borrower's name (or phone, or part of the contract number) matches, within the officer's scope
(chat.search.find_loans): one goes on to the confirm card (or the amount), several are shown to pick
from, each button carrying what was typed.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
import urllib.parse
from decimal import Decimal
from typing import Any, Callable

from core.schema import SOURCE_LINE
from core.thai import baht, date_th, datetime_th, to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages, Step
from chat.payments import (MAX_RECEIPT, PAID_DATE_HINT, PAY_USAGE, UNDO_HOURS, check_payment, confirm_card,
                           date_after_amount, parse_pay, receipt_problem, split_receipt, typed_amount, typed_past_date,
                           without_paid_verb,
                           void_action)
from chat.places import match_funds
from chat.search import find_loans, find_loans_as
from chat.registry import command
from sheets import readers
from sheets.parse.payments import voided_ref

PENDING_MINUTES = 15     # a typed step waits this long on the instance that asked for it
FUNDS_SHOWN = 12         # quick replies of funds (13 is LINE's limit; one is ยกเลิก)
PER_PAGE = 9             # borrowers per carousel page (and one bubble for the next page)
SKIP = "ข้าม"
TYPED = "พิมพ์ ชำระ <เลขที่สัญญาหรือชื่อผู้ยืม> <จำนวน> [วันที่] [ใบรับ <เลขที่>]"


class PendingSteps:
    """The typed step each LINE user is on, on this instance only (see the module docstring)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, minutes: float = PENDING_MINUTES):
        self.clock, self.seconds = clock, minutes * 60
        self._steps: dict[str, tuple[Step, float]] = {}
        self._lock = threading.Lock()

    def get(self, user: str) -> Step | None:
        with self._lock:
            found = self._steps.get(user)
            if found is None:
                return None
            if self.clock() - found[1] > self.seconds:
                del self._steps[user]
                return None
            return found[0]

    def put(self, user: str, step: Step | None) -> None:
        """Keep `step` for `user` (None: the user is on no typed step)."""
        with self._lock:
            if step is None:
                self._steps.pop(user, None)
            else:
                self._steps[user] = (step, self.clock())
            if len(self._steps) > 1000:  # a bound: the oldest go first
                for old in sorted(self._steps, key=lambda u: self._steps[u][1])[:100]:
                    del self._steps[old]


def _data(action: str, **fields: str) -> str:
    return urllib.parse.urlencode({"a": action, **fields})


CANCEL = flex.postback_action("ยกเลิก", "a=cancel", "ยกเลิก")


# ---------------------------------------------------------------- the command

@command("pay", "ชำระ", "รับชำระ", "บันทึกชำระ", "pay", usage="ชำระ <เลขที่สัญญาหรือชื่อผู้ยืม> <จำนวน> [วันที่] [ใบรับ <เลขที่>]",
         summary="บันทึกรับชำระ (ยืนยันก่อนบันทึก) หรือกด บันทึกรับชำระ เพื่อเลือกทีละขั้น")
def cmd_pay(ctx: Ctx, args: str) -> Messages:
    typed = args.split()[0] if args.split() else ""
    named = views.loan_by_typed(ctx.view, typed) if typed else None
    if named is not None and named.contract_no != typed:   # the short number a button showed (13/2568/11)
        args = args.replace(typed, named.contract_no, 1)
    elif named is None and "/" in typed and len(args.split()) >= 2 and len(find_loans(ctx.view, typed)) > 1:
        return pay_by_name(ctx, args)   # a short number several contracts of the area end with: pick one
    if len(args.split()) < 2 and not split_receipt(args)[1]:
        if args.strip() and ctx.view.loan(args.strip()) is not None:
            return amount_step(ctx, args.strip())   # ชำระ <สัญญา>: straight to the amount
        return start(ctx, args.strip())
    first = args.split()[0]
    if ctx.view.loan(first) is None and not any(c.isdigit() for c in to_arabic_digits(first)):
        return pay_by_name(ctx, args)   # a word, not a contract number: a borrower's name
    said_first = _amount_then_name(args)
    if said_first is not None and ctx.view.loan(first) is None:
        return pay_by_name(ctx, said_first)   # รับชำระ 600 บาท ศิริพร: the amount first, then who paid
    parsed = parse_pay(args, ctx.today)
    if isinstance(parsed, str):
        return [flex.text_message(parsed, quick=views.main_quick())]
    contract, amount, paid_date, receipt = parsed
    return confirm_card(ctx, contract, amount, paid_date, receipt)


def _amount_then_name(args: str) -> str | None:
    """`600 บาท ศิริพร สายทอง` as `ศิริพร สายทอง 600` (None: not an amount then a name, which is all this reads:
    a date or a receipt is typed after the name's amount, the usual way)."""
    words = args.split()
    if len(words) < 2 or typed_amount(words[0]) is None:
        return None
    rest = words[2:] if words[1] in ("บาท", "บ.", "฿") else words[1:]
    if not rest or any(any(c.isdigit() for c in to_arabic_digits(w)) for w in rest):
        return None
    return f"{' '.join(rest)} {words[0]}"


# ---------------------------------------------------------------- what the officer recorded

RECENT_DAYS = 7     # รายการที่บันทึก looks back a week
RECENT_SHOWN = 10   # cards: one carousel (LINE takes 12)


@command("recorded", "รายการที่บันทึก", "recorded", usage="รายการที่บันทึก",
         summary=f"รับชำระที่ท่านบันทึกทาง LINE ใน {RECENT_DAYS} วัน ยกเลิกรายการที่บันทึกผิดได้ภายใน {UNDO_HOURS} ชั่วโมง")
def cmd_recorded(ctx: Ctx, args: str) -> Messages:
    """The officer's own repayments recorded through LINE, newest first, each with its ยกเลิกรายการ
    button while it may still be cancelled: the done card's button, for someone who has scrolled past it."""
    assert ctx.officer is not None
    officer_id, since = ctx.officer.officer_id, ctx.now - dt.timedelta(days=RECENT_DAYS)
    mine, cancelled = [], set()
    for rows in ctx.view.ds.payments.values():
        for payment in rows:
            original = voided_ref(payment.ref) if payment.ref else None
            if original is not None:
                cancelled.add(original)   # by anyone: a cancellation typed in the sheet counts too
            elif (payment.source == SOURCE_LINE and payment.recorded_by == officer_id
                  and payment.recorded_at is not None and payment.recorded_at >= since):
                mine.append(payment)
    if not mine:
        return [flex.text_message(f"ไม่มีรายการรับชำระที่ท่านบันทึกทาง LINE ใน {RECENT_DAYS} วันที่ผ่านมา\n"
                                  "รายการที่พิมพ์ในชีต แก้ได้ในแท็บ รับชำระ", quick=views.main_quick("บันทึกรับชำระ"))]
    mine.sort(key=lambda p: (p.recorded_at, p.row), reverse=True)
    cards = [_recorded_card(ctx, payment, payment.ref in cancelled) for payment in mine[:RECENT_SHOWN]]
    more = len(mine) - RECENT_SHOWN
    if more > 0:
        cards[-1]["body"]["contents"].append(flex.text(f"และอีก {more:,} รายการก่อนหน้านี้ ดูได้ในแท็บ รับชำระ",
                                                       size="xs", color=flex.GREY, margin="md"))
    return [flex.flex_message(f"รายการที่ท่านบันทึกทาง LINE {len(mine):,} รายการ", flex.carousel(cards),
                              quick=views.main_quick("บันทึกรับชำระ"))]


def _recorded_card(ctx: Ctx, payment: Any, cancelled: bool) -> dict:
    loan = ctx.view.loan(payment.contract_no)
    body = [flex.field("ผู้ยืม", loan.borrower_name if loan else "-", bold=True),
            flex.field("เลขที่สัญญา", payment.contract_no),
            flex.field("จำนวนเงิน", baht(payment.amount), bold=True),
            flex.field("วันที่ชำระ", date_th(payment.paid_date)),
            *([flex.field("เลขที่ใบรับเงิน", payment.receipt_no)] if payment.receipt_no else []),
            flex.field("บันทึกเมื่อ", datetime_th(payment.recorded_at))]
    footer = None
    if cancelled:
        body.append(flex.text("ยกเลิกแล้ว (มีแถวยกเลิกในแท็บ รับชำระ)", size="xs", color=flex.AMBER, margin="md"))
    elif ctx.now - payment.recorded_at > dt.timedelta(hours=UNDO_HOURS):
        body.append(flex.text(f"เกิน {UNDO_HOURS} ชั่วโมงแล้ว ยกเลิกทาง LINE ไม่ได้ แจ้งผู้ดูแลระบบจังหวัดให้แก้ในชีต",
                              size="xs", color=flex.GREY, margin="md"))
    else:
        footer = [flex.button(void_action(payment.ref, payment.contract_no), style="secondary")]
    title = "ยกเลิกแล้ว" if cancelled else "บันทึกรับชำระ"
    return flex.bubble(title, body, footer=footer, color=flex.AMBER if cancelled else flex.GREEN)


# ---------------------------------------------------------------- step 1: a fund

def open_loans(view: Any, fund_id: str) -> list[Any]:
    """The fund's contracts with something outstanding: the most in arrears first, then the next due."""
    found = []
    for loan in view.loans:
        if loan.fund_id != fund_id:
            continue
        state = view.states.get(loan.contract_no)
        if state is not None and state.outstanding > 0:
            found.append((loan, state))
    far = dt.date.max
    found.sort(key=lambda p: (-p[1].arrears, p[1].next_installment.due_date if p[1].next_installment else far,
                              p[0].borrower_name, p[0].contract_no))
    return [loan for loan, _ in found]


def start(ctx: Ctx, query: str = "") -> Messages:
    """Step 1: the officer's funds to pick from, or the funds a typed place name matches."""
    view = ctx.view
    if query:
        funds = match_funds(view, query)
        if not funds:
            named = _named(ctx, query) or _name_then_no_amount(ctx, query)
            if named is not None:
                return named
            ctx.next_step = Step("fund")
            return [flex.text_message("ไม่พบกองทุนหรือผู้ยืมที่พิมพ์ในพื้นที่ของท่าน "
                                      "พิมพ์ชื่อหมู่บ้าน ตำบล รหัสกองทุน หรือชื่อผู้ยืมอีกครั้ง", quick=[CANCEL])]
    else:
        with_loans = {loan.fund_id for loan in view.loans}
        funds = [f for f in view.funds if f.fund_id in with_loans]
    if len(funds) == 1:
        return borrowers(ctx, funds[0].fund_id)
    if not funds:
        return [flex.text_message("ยังไม่มีสัญญาเงินยืมในพื้นที่ของท่าน", quick=views.main_quick())]
    shown = sorted(views.most_overdue_first(view, funds)[:FUNDS_SHOWN], key=lambda f: f.fund_id)
    labels = views.unique_labels([views.short_fund(f) for f in shown], [f.fund_id for f in shown])
    items = [flex.postback_action(label, _data("gl", f=f.fund_id), f"กองทุน {views.fund_label(f)}")
             for label, f in zip(labels, shown)]
    more = (f"\nแสดง {len(shown)} จาก {len(funds):,} กองทุน (ที่มีลูกหนี้ค้างชำระมากก่อน)" if len(funds) > len(shown)
            else "")
    ctx.next_step = Step("fund")
    return [flex.text_message("บันทึกรับชำระ ขั้นที่ 1/5: เลือกกองทุน หรือพิมพ์ชื่อหมู่บ้าน ตำบล รหัสกองทุน หรือชื่อผู้ยืม"
                              + more + f"\n(หรือ{TYPED} ทีเดียว)", quick=[*items, CANCEL])]


# ---------------------------------------------------------------- step 2: a borrower

def borrowers(ctx: Ctx, fund_id: str, page: int = 1) -> Messages:
    """Step 2: a carousel of the fund's open contracts, what each owes and when."""
    view = ctx.view
    fund = view.ds.funds.get(fund_id)
    if fund is None or not view.scope.allows_fund(fund_id):
        return [flex.text_message("ไม่พบกองทุนนี้ในพื้นที่ของท่าน", quick=views.main_quick())]
    loans = open_loans(view, fund_id)
    if not loans:
        return [flex.text_message(f"กองทุน {views.fund_label(fund)} ไม่มีสัญญาที่มียอดคงค้าง",
                                  quick=views.main_quick())]
    pages = -(-len(loans) // PER_PAGE)
    page = min(max(1, page), pages)
    chunk = loans[(page - 1) * PER_PAGE:page * PER_PAGE]
    bubbles = [_borrower_bubble(loan, view.states[loan.contract_no], ctx.today) for loan in chunk]
    if page < pages:
        left = len(loans) - page * PER_PAGE
        bubbles.append(flex.bubble("รายต่อไป", [flex.text(f"อีก {left:,} สัญญาในกองทุนนี้", size="sm")],
                                   footer=[flex.button(flex.postback_action(
                                       f"ดูต่อ (หน้า {page + 1}/{pages})", _data("gl", f=fund_id, p=str(page + 1))))]))
    title = f"บันทึกรับชำระ ขั้นที่ 2/5: เลือกผู้ยืม กองทุน {views.fund_label(fund)}"
    counter = f" (หน้า {page}/{pages})" if pages > 1 else ""
    return [flex.text_message(title + counter + f"\n{len(loans):,} สัญญาที่มียอดคงค้าง ค้างชำระมากที่สุดก่อน"),
            flex.flex_message(f"เลือกผู้ยืม กองทุน {views.fund_label(fund)}", flex.carousel(bubbles, always=True),
                              quick=[CANCEL])]


def _borrower_bubble(loan: Any, state: Any, today: dt.date, pay: dict | None = None, fund: Any = None) -> dict:
    """`pay`: the button's action (default: on to the amount for this contract); `fund`: shown when the
    contracts are of several funds (found by a name)."""
    body = [flex.field("คงค้าง", baht(state.outstanding), bold=True)]
    if fund is not None:
        body.insert(0, flex.field("กองทุน", views.short_fund(fund, loan.fund_id)))
    if state.arrears > 0:
        late = "ครบกำหนดวันนี้" if state.days_overdue == 0 else f"เกิน {state.days_overdue:,} วัน"  # as views.overdue_row
        body.append(flex.field("ค้างชำระ", f"{baht(state.arrears)} ({late})", color=flex.RED))
    nxt = state.next_installment
    if nxt is not None:
        body.append(flex.field("งวดถัดไป", f"{date_th(nxt.due_date)} · {baht(nxt.remaining)}"))
    # The short contract number makes each button its own (two borrowers may share a first name).
    pay = pay or flex.postback_action(f"รับชำระ {views.short_contract(loan)}",
                                      views.pay_contract_data(loan.contract_no), f"รับชำระ {loan.borrower_name}")
    color = flex.RED if state.arrears > 0 else flex.GREEN
    return flex.bubble(loan.borrower_name, body, subtitle=f"สัญญา {loan.contract_no}",
                       footer=[flex.button(pay, style="primary", color=flex.GREEN)], color=color)


# ---------------------------------------------------------------- a borrower by name

def parse_named_pay(args: str, today: dt.date) -> tuple[str, Decimal | None, dt.date, str, str] | str:
    """`<ชื่อ> [จำนวน] [วันที่] [ใบรับ <เลขที่>]` as (who, amount or None, date, the date as typed, receipt
    number), or the Thai reason it cannot be read. The amount is the first word that reads as one and
    is followed by a readable date or by nothing: a name may hold a number (สมชาย หมู่ 3 500)."""
    text, receipt = split_receipt(args)
    problem = receipt_problem(receipt)
    if problem:
        return problem
    words = text.split()
    bad_date = ""
    for k in range(1, len(words)):
        amount = typed_amount(words[k])
        if amount is None:
            continue
        try:
            paid_date, said = date_after_amount(words[k + 1:], today)
        except readers.CellError:
            bad_date = bad_date or " ".join(words[k + 1:])
            continue
        return without_paid_verb(" ".join(words[:k])), amount, paid_date, said, receipt
    if bad_date:
        # Repeated only when it is shaped like a date (32/13/69): anything else may be another district's
        # borrower or contract number (ชำระ หน้า 2 นายห้า).
        shown = f": {bad_date}" if _DATE_SHAPED.match(bad_date) else ""
        return f"อ่านวันที่ชำระไม่ได้{shown} {PAID_DATE_HINT}"
    return " ".join(words), None, today, "", receipt


_DATE_SHAPED = re.compile(r"^\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?$")


def pay_by_name(ctx: Ctx, args: str) -> Messages:
    """`ชำระ <ชื่อผู้ยืม> <จำนวน> …`: the confirm card of the one contract it names, or the ones to pick from."""
    parsed = parse_named_pay(args, ctx.today)
    if isinstance(parsed, str):
        return [flex.text_message(parsed, quick=views.main_quick())]
    who, amount, paid_date, said, receipt = parsed
    if amount is None:
        return start(ctx, who)   # no amount: a place or a borrower, then the steps
    found, still_open, who = _found_by_name(ctx.view, who)
    if len(found) == 1 or len(still_open) == 1:
        # One contract: its card says who and which, and checks the rest (a closed contract, the amount).
        return confirm_card(ctx, (still_open or found)[0].contract_no, amount, paid_date, receipt)
    if not found:
        # The same words whether the borrower is elsewhere or nowhere, and the name is not repeated back:
        # nothing about other districts.
        return [flex.text_message("ไม่พบผู้ยืมชื่อนี้ในพื้นที่ของท่าน ตรวจชื่อ หรือพิมพ์ ค้นหา <ชื่อ> "
                                  "แล้วกด บันทึกรับชำระ ในการ์ดลูกหนี้", quick=views.main_quick())]
    if not still_open:
        return [flex.text_message(f"ผู้ยืมที่ตรงกับ {who} ชำระครบแล้วทุกสัญญา ({len(found):,} สัญญา) ไม่มียอดคงค้าง",
                                  quick=views.main_quick())]
    # The date as a day, not as typed: a button tapped tomorrow must not read เมื่อวาน again.
    when = f"{paid_date.day}/{paid_date.month}/{paid_date.year + 543}" if said else ""
    tail = " ".join(part for part in (f"{amount:.2f}", when, f"ใบรับ {receipt}" if receipt else "") if part)

    def pay(loan: Any) -> dict:   # the same command with the contract number: any instance can answer it
        return flex.message_action(f"รับชำระ {views.short_contract(loan)}", f"ชำระ {loan.contract_no} {tail}")
    return _pick(ctx, who, still_open, f"รับชำระ {baht(amount)}", pay)


def _named(ctx: Ctx, query: str) -> Messages | None:
    """Step 1 answered with a borrower's name: on to the amount, or the borrowers to pick from (None: no one)."""
    found, still_open, query = _found_by_name(ctx.view, query)
    if len(still_open) == 1:
        return amount_step(ctx, still_open[0].contract_no)
    if still_open:
        return _pick(ctx, query, still_open, "บันทึกรับชำระ ขั้นที่ 2/5", None)
    if found:
        return [flex.text_message(f"ผู้ยืมที่ตรงกับ {query} ชำระครบแล้วทุกสัญญา ไม่มียอดคงค้าง",
                                  quick=views.main_quick())]
    return None


def _name_then_no_amount(ctx: Ctx, text: str) -> Messages | None:
    """ชำระ สมศรี ห้าร้อย: a borrower's name, then words that are no amount (None: not that)."""
    words = text.split()
    for cut in range(len(words) - 1, 0, -1):
        if _found_by_name(ctx.view, " ".join(words[:cut]))[0]:
            # What was typed is not repeated: it may be another district's borrower (ชำระ นายหนึ่ง นายห้า).
            return [flex.text_message(f"อ่านจำนวนเงินไม่ได้ (พิมพ์ตัวเลข เช่น 1,500)\n{PAY_USAGE}",
                                      quick=views.main_quick())]
    return None


def _found_by_name(view: Any, who: str) -> tuple[list[Any], list[Any], str]:
    """(the contracts `who` finds, those of them with something outstanding, the name as it found them:
    without a word before it such as จาก or คุณ, chat.search.ADDRESSING)."""
    found, who = find_loans_as(view, who) if len(who.strip()) >= 2 else ([], who)
    return found, [loan for loan in found
                   if (state := view.states.get(loan.contract_no)) is not None and state.outstanding > 0], who


def _pick(ctx: Ctx, who: str, loans: list[Any], title: str, pay: Callable[[Any], dict] | None) -> Messages:
    """A carousel of the contracts a name found (`pay(loan)`: each one's button; None: on to the amount)."""
    view = ctx.view
    shown = loans[:PER_PAGE]
    bubbles = [_borrower_bubble(loan, view.states[loan.contract_no], ctx.today, pay(loan) if pay else None,
                                view.ds.funds.get(loan.fund_id)) for loan in shown]
    if len(loans) > len(shown):
        bubbles.append(flex.bubble("รายต่อไป", [flex.text(f"อีก {len(loans) - len(shown):,} สัญญา พิมพ์ชื่อและนามสกุล"
                                                          f"ให้ละเอียดขึ้น", size="sm", wrap=True)]))
    lines = [f"{title}: เลือกผู้ยืม", f"พบ {len(loans):,} สัญญาที่มียอดคงค้างของผู้ยืมที่ตรงกับ {who}"]
    return [flex.text_message("\n".join(lines)),
            flex.flex_message(f"เลือกผู้ยืม {who}", flex.carousel(bubbles, always=True), quick=[CANCEL])]


# ---------------------------------------------------------------- step 3: the amount

def amount_step(ctx: Ctx, contract: str) -> Messages:
    """Step 3: type the amount (or tap what is in arrears, the next installment, all that is outstanding)."""
    checked = check_payment(ctx, contract, Decimal("0.01"), ctx.today)
    if isinstance(checked, str):
        return [flex.text_message(checked, quick=views.main_quick())]
    loan, state = checked
    suggested: list[tuple[str, Decimal]] = []
    if state.arrears > 0:
        suggested.append(("ค้าง", state.arrears))
    if state.next_installment is not None and state.next_installment.remaining > 0:
        suggested.append(("งวดถัดไป", state.next_installment.remaining))
    suggested.append(("ปิดสัญญา", state.outstanding))
    seen: set[Decimal] = set()
    items = []
    for word, amount in suggested:
        if amount in seen:
            continue
        seen.add(amount)
        items.append(flex.postback_action(f"{word} {amount:,.0f}" if amount == amount.to_integral() else
                                          f"{word} {amount:,.2f}",
                                          _data("gm", c=loan.contract_no, m=f"{amount:.2f}"), f"{baht(amount)}"))
    lines = ["บันทึกรับชำระ ขั้นที่ 3/5: จำนวนเงิน", f"{loan.borrower_name} สัญญา {loan.contract_no}",
             f"คงค้าง {baht(state.outstanding)}" + (f" · ค้างชำระ {baht(state.arrears)}" if state.arrears > 0 else "")]
    lines.append("พิมพ์จำนวนเงินที่รับ (บาท) เช่น 1,500 หรือกดปุ่มด้านล่าง")
    lines.append(f"(หรือ{TYPED} ทีเดียว)")
    ctx.next_step = Step("amount", loan.contract_no)
    return [flex.text_message("\n".join(lines), quick=[*items, CANCEL])]


# A Thai phone number (08x-xxx-xxxx, 02-xxx-xxxx): a search, never an amount.
_PHONE = re.compile(r"^0\d{1,2}-?\d{3}-?\d{3,4}$")


def looks_like_amount(text: str) -> bool:
    """A typed number: most likely the answer to step 3 of a flow this instance does not know
    (but not a phone number, which is looked up: chat.talk.unknown)."""
    return typed_amount(text) is not None and not _PHONE.match(to_arabic_digits(text).strip())


# ---------------------------------------------------------------- step 4: the date

def date_step(ctx: Ctx, contract: str, amount: Decimal) -> Messages:
    """Step 4: today, or another day from LINE's date picker (never after today)."""
    checked = check_payment(ctx, contract, amount, ctx.today)
    if isinstance(checked, str):
        ctx.next_step = Step("amount", contract)
        return [flex.text_message(checked + "\nพิมพ์จำนวนเงินอีกครั้ง", quick=[CANCEL])]
    loan, _ = checked
    fields = {"c": loan.contract_no, "m": f"{amount:.2f}"}
    picker: dict = {"type": "datetimepicker", "label": "เลือกวันอื่น", "data": _data("gd", **fields), "mode": "date",
                    "initial": ctx.today.isoformat(), "max": ctx.today.isoformat()}
    if loan.loan_date and loan.loan_date <= ctx.today:
        picker["min"] = loan.loan_date.isoformat()
    today = flex.postback_action(f"วันนี้ {date_th(ctx.today)}", _data("gd", d=ctx.today.isoformat(), **fields),
                                 f"วันที่ {date_th(ctx.today)}")
    ctx.next_step = Step("date", loan.contract_no, amount)
    return [flex.text_message(f"บันทึกรับชำระ ขั้นที่ 4/5: วันที่รับเงิน {baht(amount)} จาก {loan.borrower_name}\n"
                              f"กด วันนี้ หรือ เลือกวันอื่น (หรือพิมพ์วันที่ เช่น 25/11/69 หรือ เมื่อวาน)",
                              quick=[today, picker, CANCEL])]


# ---------------------------------------------------------------- step 5: the receipt number

def receipt_step(ctx: Ctx, contract: str, amount: Decimal, paid_date: dt.date) -> Messages:
    checked = check_payment(ctx, contract, amount, paid_date)
    if isinstance(checked, str):
        ctx.next_step = Step("date", contract, amount)
        return [flex.text_message(checked + "\nเลือกวันที่อีกครั้ง", quick=[CANCEL])]
    skip = flex.postback_action(SKIP, _data("gr", c=contract, m=f"{amount:.2f}", d=paid_date.isoformat()),
                                "ไม่มีเลขที่ใบรับเงิน")
    ctx.next_step = Step("receipt", contract, amount, paid_date)
    return [flex.text_message(f"บันทึกรับชำระ ขั้นที่ 5/5: เลขที่ใบรับเงิน (ถ้ามี)\n"
                              f"พิมพ์เลขที่ใบรับคืนเงินยืม (ไม่เกิน {MAX_RECEIPT} ตัวอักษร) หรือกด {SKIP}",
                              quick=[skip, CANCEL])]


# ---------------------------------------------------------------- what the officer taps or types

GUIDED_ACTIONS = ("gf", "gl", "gc", "gm", "gd", "gr")


def on_postback(ctx: Ctx, fields: dict[str, str], params: dict[str, str]) -> Messages:
    """A guided step's button (`fields["a"]` in GUIDED_ACTIONS); `params`: the date picker's choice."""
    action = fields.get("a", "")
    try:
        if action == "gf":
            return start(ctx)
        if action == "gl":
            return borrowers(ctx, fields["f"], int(fields.get("p", "1")))
        if action == "gc":
            return amount_step(ctx, fields["c"])
        amount = Decimal(fields["m"])
        if not amount.is_finite():
            raise ValueError("not an amount")
        if action == "gm":
            return date_step(ctx, fields["c"], amount)
        if action == "gd":
            return receipt_step(ctx, fields["c"], amount, dt.date.fromisoformat(params.get("date") or fields["d"]))
        if action == "gr":
            return confirm_card(ctx, fields["c"], amount, dt.date.fromisoformat(fields["d"]))
    except (KeyError, ValueError, ArithmeticError):
        pass
    return [flex.text_message("ปุ่มนี้ใช้ไม่ได้แล้ว กด บันทึกรับชำระ เพื่อเริ่มใหม่",
                              quick=views.main_quick())]


def on_typed(ctx: Ctx, step: Step, text: str) -> Messages:
    """What the officer typed at a step that waits for typing."""
    text = text.strip()
    if step.kind == "fund":
        return start(ctx, text)
    if step.kind == "amount":
        amount = typed_amount(text)
        if amount is None or amount <= 0:
            ctx.next_step = step
            return [flex.text_message("อ่านจำนวนเงินไม่ได้ พิมพ์เป็นตัวเลข เช่น 1,500", quick=[CANCEL])]
        return date_step(ctx, step.contract_no, amount)
    if step.kind == "date" and step.amount is not None:
        try:
            paid_date = typed_past_date(text, ctx.today)
        except readers.CellError:
            ctx.next_step = step
            return [flex.text_message(f"อ่านวันที่ไม่ได้ ({readers.DATE_HINT}) หรือกดปุ่ม วันนี้", quick=[CANCEL])]
        return receipt_step(ctx, step.contract_no, step.amount, paid_date)
    if step.kind == "receipt" and step.amount is not None and step.paid_date is not None:
        receipt = "" if text == SKIP else " ".join(text.split())
        problem = receipt_problem(receipt)
        if problem:
            ctx.next_step = step
            return [flex.text_message(problem + " พิมพ์อีกครั้ง หรือกด ข้าม", quick=[CANCEL])]
        return confirm_card(ctx, step.contract_no, step.amount, step.paid_date, receipt)
    return lost()


def lost() -> Messages:
    """A typed answer to a step this instance does not hold (another instance asked, or it expired)."""
    return [flex.text_message("ไม่ทราบว่าข้อความนี้เป็นของรายการรับชำระใด (ขั้นตอนที่ค้างไว้หมดเวลาแล้ว) "
                              "ยังไม่ได้บันทึกอะไร\nกดปุ่มของขั้นตอนล่าสุดอีกครั้ง หรือเริ่มใหม่",
                              quick=views.quick("บันทึกรับชำระ", "เมนู"))]
