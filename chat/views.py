"""How the chat's answers look: Flex cards and lists in Thai, B.E. dates, baht amounts.

Everything here is pure: data in, LINE message dicts out. Citizen ids are shown
masked (last digits only); phone numbers are not shown at all.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
from decimal import Decimal
from typing import Any, Mapping, Sequence

from core.schema import DOC_OTHER, DOCUMENT_KINDS, SOURCE_LINE
from core.thai import baht, date_th, mask_citizen_id, without_title
from ledger.aging import TITLE, AgingRow, AgingTable
from messaging import flex
from sheets.model import Fund, Loan, Payment
from sheets.records import FundDocument
from ledger.core import PortfolioSummary
from sheets.check import FundQuality

QUICK_MAIN = ("ครบกำหนด", "ค้างชำระ", "สรุป", "ตรวจสอบ")


def percent(share: Decimal | float) -> str:
    return f"{float(share) * 100:.1f}%"


def fund_label(fund: Fund | None, fund_id: str = "") -> str:
    if fund is None:
        return fund_id or "-"
    village = fund.village_name or fund.fund_id
    moo = f" หมู่ {fund.village_no}" if fund.village_no else ""
    return f"{village}{moo} ต.{fund.subdistrict}" if fund.subdistrict else f"{village}{moo}"


# ---------------------------------------------------------------- quick replies

def quick(*words: str, fills: Sequence[tuple[str, str]] = ()) -> list[dict]:
    """Quick-reply buttons: commands sent as typed, then fill-in buttons (keyboard opens pre-typed)."""
    actions = [flex.message_action(w, w) for w in words]
    actions += [flex.fill_in_action(label, fill) for label, fill in fills]
    return actions[:flex.MAX_QUICK_REPLIES]


FILL_FIND = ("ค้นหาลูกหนี้", "ค้นหา ")
FILL_FUND = ("ดูกองทุน", "กองทุน ")
PAY = "บันทึกรับชำระ"   # the guided repayment (chat.guided), as the rich menu's button sends it
PAGE_BUBBLES = 3   # a page of a list: at most 3 bubbles of `chat.list_limit` rows
FILL_FEEDBACK = ("ส่งข้อเสนอแนะ", "แนะนำ ")


def main_quick(*first: str) -> list[dict]:
    words = list(dict.fromkeys(list(first) + list(QUICK_MAIN) + ["เมนู"]))
    if PAY not in words:
        words.append(PAY)
    return quick(*words, fills=(FILL_FIND, FILL_FUND))


# ---------------------------------------------------------------- rows of lists (compact: two lines each)

def short_fund(fund: Fund | None, fund_id: str = "") -> str:
    if fund is None:
        return fund_id or "-"
    return f"{fund.village_name or fund.fund_id}" + (f" ม.{fund.village_no}" if fund.village_no else "")


def unique_labels(labels: list[str], tails: list[str]) -> list[str]:
    """Button labels no two alike: a label shared by several gets the end of its own `tails` entry."""
    clipped = [flex.clip(label, flex.MAX_LABEL) for label in labels]
    out = []
    for label, tail in zip(clipped, tails):
        if clipped.count(label) > 1:
            end = tail[-6:]
            label = flex.clip(label, flex.MAX_LABEL - len(end) - 1) + " " + end
        out.append(label)
    return out


def most_overdue_first(view: Any, funds: Sequence[Fund]) -> list[Fund]:
    """`funds` the most in arrears first (then by code), as กองทุนค้างมาก ranks them: the ones an officer
    picks most."""
    from ledger.engine import Grouping

    tables = view.ledger.aging_by(Grouping(view.book.fund_ids(), [f.fund_id for f in funds]))
    return sorted(funds, key=lambda f: (-tables[f.fund_id].overdue.arrears, f.fund_id))


def fund_buttons(view: Any, funds: Sequence[Fund], command: str, limit: int) -> list[dict]:
    """Buttons for the `limit` funds most in arrears (named_fund_buttons)."""
    return named_fund_buttons(most_overdue_first(view, funds)[:limit], command)


def named_fund_buttons(funds: Sequence[Fund], command: str) -> list[dict]:
    """Quick-reply buttons naming funds by village (officers know them by name, not by code), in the order
    given, each sending `<command> <fund id>`."""
    labels = unique_labels([short_fund(f) for f in funds], [f.fund_id for f in funds])
    return [flex.message_action(label, f"{command} {f.fund_id}") for label, f in zip(labels, funds)]


def short_contract(loan: Loan) -> str:
    """The contract number without its district's code (230105-09/2568/02 → 09/2568/02)."""
    head, dash, rest = loan.contract_no.partition("-")
    return rest if dash and head.isdigit() and rest else loan.contract_no


def loan_by_typed(view: Any, typed: str) -> Loan | None:
    """The loan of the officer's area a typed contract number names: the whole number, or the short one the
    buttons show (13/2568/11 for 230101-13/2568/11) when only one contract of the area has it."""
    loan = view.loan(typed)
    if loan is not None or "/" not in typed:
        return loan
    found = [candidate for candidate in view.loans if short_contract(candidate) == typed]
    return found[0] if len(found) == 1 else None


def loan_label(loan: Loan) -> str:
    """A button's label that names the borrower and the contract, within LINE's 20 characters."""
    name = without_title(loan.borrower_name or "")
    first = name.split()[0] if name.split() else name
    short = short_contract(loan)
    room = flex.MAX_LABEL - len(short) - 1
    if room < 2:
        return flex.clip(loan.contract_no, flex.MAX_LABEL)
    return (first if len(first) <= room else first[:room - 1] + "…") + " " + short


def card_data(contract_no: str) -> str:
    """The postback that opens a borrower's card (chat.conversation: `a=card&c=<contract>`)."""
    return urllib.parse.urlencode({"a": "card", "c": contract_no})


def card_action(loan: Loan) -> dict:
    return flex.postback_action(loan_label(loan), card_data(loan.contract_no), f"ค้นหา {loan.contract_no}")


def tappable(row: dict, loan: Loan) -> dict:
    """A list's row that opens the borrower's card when tapped."""
    row["action"] = card_action(loan)
    return row


def due_row(loan: Loan, fund: Fund | None, seq: int, due: dt.date, amount: Decimal, days: int,
            several: bool) -> dict:
    when = "วันนี้" if days == 0 else f"อีก {days} วัน"
    return tappable(flex.box([
        flex.text(f"{loan.borrower_name} · {loan.contract_no}" + (f" งวด {seq}" if several else ""), bold=True),
        flex.text(f"{short_fund(fund, loan.fund_id)} · {date_th(due)} ({when}) · {baht(amount)}", size="xs",
               color=flex.AMBER if days <= 1 else flex.GREY),
    ], spacing="none"), loan)


def paid_row(loan: Loan, fund: Fund | None, payment: Payment) -> dict:
    """A repayment received (รับชำระล่าสุด): who, where, when, how much, and how it was recorded."""
    how = "บันทึกทาง LINE" if payment.source == SOURCE_LINE else "พิมพ์ในชีต"
    receipt = f" · ใบรับ {payment.receipt_no}" if payment.receipt_no else ""
    return tappable(flex.box([
        flex.text(f"{loan.borrower_name} · {loan.contract_no}", bold=True),
        flex.text(f"{short_fund(fund, loan.fund_id)} · {date_th(payment.paid_date)} · {baht(payment.amount)}",
                  size="xs", color=flex.GREEN),
        flex.text(f"{how}{receipt}", size="xxs", color=flex.GREY),
    ], spacing="none"), loan)


def overdue_row(loan: Loan, fund: Fund | None, state: Any) -> dict:
    """A contract of the aging table's overdue rows: in arrears, or marked ผิดสัญญา (maybe with none due yet)."""
    days = state.days_overdue
    late = "ครบกำหนดวันนี้" if days == 0 else f"เกิน {days:,} วัน"
    if state.status_key == "breached":
        late = "ผิดสัญญา " + late if state.arrears > 0 else "ผิดสัญญา"
    owed = f"ค้างชำระ {baht(state.arrears)} · " if state.arrears > 0 else ""
    return tappable(flex.box([
        flex.text(f"{loan.borrower_name} · {loan.contract_no}", bold=True),
        flex.text(f"{short_fund(fund, loan.fund_id)} · {owed}{late}"
               + (f" · คงค้าง {baht(state.outstanding)}" if state.outstanding != state.arrears else ""),
               size="xs", color=flex.RED),
    ], spacing="none"), loan)


def found_row(loan: Loan, fund: Fund | None, state: Any | None) -> dict:
    if state is None:
        status, color = "ข้อมูลต้องแก้ไข", flex.RED
    else:
        status = state.status + (f" {state.days_overdue:,} วัน" if state.days_overdue and state.outstanding else "")
        status += f" · คงค้าง {baht(state.outstanding)}" if state.outstanding else ""
        color = _status_color(state.status_key)
    return tappable(flex.box([
        flex.text(f"{loan.borrower_name} · {loan.contract_no}", bold=True),
        flex.text(f"{short_fund(fund, loan.fund_id)} · {status}", size="xs", color=color),
    ], spacing="none"), loan)


# ---------------------------------------------------------------- a borrower's contract

def pay_contract_data(contract_no: str) -> str:
    """The postback that starts the guided repayment at a contract (chat.guided, step 'amount')."""
    return urllib.parse.urlencode({"a": "gc", "c": contract_no})


def loan_bubble(loan: Loan, fund: Fund | None, state: Any | None, today: dt.date) -> dict:
    body: list[dict] = [flex.field("กองทุน", fund_label(fund, loan.fund_id))]
    if loan.citizen_id:
        body.append(flex.field("เลขประจำตัว", mask_citizen_id(loan.citizen_id)))
    if loan.loan_date:
        body.append(flex.field("วันที่รับเงินยืม", date_th(loan.loan_date)))
    if loan.amount is not None:
        body.append(flex.field("จำนวนเงินยืม", baht(loan.amount)))
    footer = None
    if state is None:
        body += [flex.separator(), flex.text("ข้อมูลสัญญานี้อ่านไม่ได้ครบ (จำนวนเงินหรือวันครบกำหนด) "
                                       "โปรดแก้ในแท็บลูกหนี้ แล้วพิมพ์ ตรวจสอบ", color=flex.RED, size="xs")]
        return flex.bubble(loan.borrower_name, body, subtitle="ข้อมูลต้องแก้ไข", color=flex.RED)
    body.append(flex.separator())
    body.append(flex.text("กำหนดชำระ", size="xs", color=flex.GREY))
    unpaid = [i for i, inst in enumerate(state.installments) if inst.remaining > 0]
    first = max(0, (unpaid[0] if unpaid else len(state.installments)) - 1)
    first = max(0, min(first, len(state.installments) - 6))
    shown = state.installments[first:first + 6]
    if first:
        body.append(flex.text(f"ชำระแล้ว {first} งวดแรก", size="xs", color=flex.GREY))
    for inst in shown:
        if inst.remaining <= 0:
            mark, color = "ชำระแล้ว", flex.GREEN
        elif inst.due_date < today:
            mark, color = f"ค้าง {baht(inst.remaining)}", flex.RED
        elif inst.paid > 0:
            mark, color = f"เหลือ {baht(inst.remaining)}", None
        else:
            mark, color = "ยังไม่ถึงกำหนด" if inst.due_date > today else "ครบกำหนดวันนี้", None
        label = f"งวด {inst.seq} · {date_th(inst.due_date)}" if len(state.installments) > 1 else date_th(inst.due_date)
        body.append(flex.field(label, f"{baht(inst.amount)} · {mark}", color=color))
    later = len(state.installments) - first - len(shown)
    if later > 0:
        body.append(flex.text(f"และอีก {later} งวดถัดไป", size="xs", color=flex.GREY))
    body += [
        flex.separator(),
        flex.field("ชำระแล้ว", baht(state.paid)),
        flex.field("คงค้าง", baht(state.outstanding), bold=True),
    ]
    if state.arrears > 0:
        body.append(flex.field("ค้างชำระ", baht(state.arrears), color=flex.RED, bold=True))
    status = state.status
    if state.days_overdue > 0 and state.outstanding > 0:
        status += f" (เกินกำหนด {state.days_overdue:,} วัน)"
    elif state.next_installment is not None and state.status_key in ("watch", "normal"):
        status += f" (งวดถัดไป {date_th(state.next_installment.due_date)})"
    body.append(flex.field("สถานะ", status, color=_status_color(state.status_key), bold=True))
    if state.outstanding > 0:
        pay = flex.postback_action("บันทึกรับชำระ", pay_contract_data(loan.contract_no), f"บันทึกรับชำระ {loan.contract_no}")
        footer = [flex.button(pay, style="primary", color=flex.GREEN)]
    return flex.bubble(loan.borrower_name, body, subtitle=f"สัญญา {loan.contract_no}", footer=footer,
                    color=_status_color(state.status_key) if state.status_key in ("arrears", "breached") else flex.GREEN)


def _status_color(key: str) -> str:
    return {"arrears": flex.RED, "breached": flex.RED, "watch": flex.AMBER, "closed": flex.GREY}.get(key, flex.GREEN)


# ---------------------------------------------------------------- the aging table

def aging_lines(table: AgingTable, rows: Sequence[AgingRow] | None = None, *, skip_empty: bool = False,
                title: bool = True) -> list[dict]:
    """The aging table (ledger.aging) in the report's words: each row's contracts, then its
    arrears (ค้างชำระ) and outstanding (คงค้าง). Default rows: all of them and both totals."""
    chosen = (*table.rows, table.overdue, table.total) if rows is None else tuple(rows)
    lines = [flex.text(TITLE, size="xs", color=flex.GREY, margin="md")] if title else []
    for row in chosen:
        if skip_empty and not row.contracts:
            continue
        late = row.key not in ("current", "total") and row.contracts > 0
        lines.append(flex.field(row.label, f"{row.contracts:,} สัญญา", color=flex.RED if late else None,
                                bold=row.key in ("overdue", "total")))
        lines.append(flex.text(f"ค้างชำระ {baht(row.arrears)} · คงค้าง {baht(row.outstanding)}", size="xs",
                               color=flex.GREY, align="end"))
    return lines


# ---------------------------------------------------------------- a fund's card

def document_line(kind: str, found: FundDocument | None) -> dict:
    """A document of the fund card: its date, tappable to open it when it is a web link."""
    if found is None:
        return flex.field(kind, "ยังไม่มี", color=flex.RED)
    when = date_th(found.date) if found.date else "ไม่ระบุวันที่"
    if not found.link.startswith("https://"):
        return flex.field(kind, f"{when} (เก็บในเครื่อง)")
    return flex.box([flex.text(kind, color=flex.GREY, flex=4), flex.text(f"{when} · เปิด", flex=6, align="end",
                                                                      color=LINK_COLOR)],
                    layout="baseline", action=flex.uri_action(flex.clip(kind, flex.MAX_LABEL), found.link))


LINK_COLOR = "#1E6FD9"


def fund_bubble(fund: Fund, summary: PortfolioSummary, aging: AgingTable,
                quality: FundQuality | None, loans: int, today: dt.date,
                documents: Mapping[str, FundDocument] | None = None,
                balance: tuple[Decimal | None, dt.date | None] | None = None) -> dict:
    """The fund card; `documents` and `balance` as sheets.records.Dataset decides them (both places)."""
    amount, as_of = balance if balance is not None else (fund.bank_balance, fund.bank_balance_date)
    body: list[dict] = [
        flex.field("รหัสกองทุน", fund.fund_id),
        flex.field("อำเภอ", fund.district or "-"),
        flex.field("เงินทุน", baht(fund.capital) if fund.capital is not None else "ไม่มีข้อมูล"),
    ]
    if amount is not None:
        when = f" (ณ {date_th(as_of)})" if as_of else " (ไม่ระบุวันที่)"
        body.append(flex.field("เงินฝากธนาคาร", baht(amount) + when))
    else:
        body.append(flex.field("เงินฝากธนาคาร", "ไม่มีข้อมูล", color=flex.RED))
    if fund.cash_on_hand is not None:
        body.append(flex.field("เงินสดในมือ", baht(fund.cash_on_hand)))
    body += [
        flex.separator(),
        flex.field("สัญญาทั้งหมด", f"{loans:,} สัญญา (คงค้าง {aging.total.contracts:,})"),
        flex.field("ยอดคงค้าง", baht(aging.total.outstanding), bold=True),
        flex.field("ค้างชำระ", f"{baht(aging.overdue.arrears)} ({aging.overdue.contracts:,} สัญญา)",
                color=flex.RED if aging.overdue.contracts else None),
        flex.field(f"PAR{summary.par_days}", percent(summary.par30),
                color=flex.RED if summary.par30 > 0 else None),
        *aging_lines(aging),
        flex.separator(),
    ]
    if documents is not None:
        body.append(flex.text("เอกสาร", size="sm", bold=True))
        body += [document_line(kind, documents.get(kind)) for kind in DOCUMENT_KINDS if kind != DOC_OTHER]
        body.append(flex.separator())
    if quality is None:
        body.append(flex.text("ยังตรวจคุณภาพข้อมูลไม่ได้", size="xs", color=flex.GREY))
    elif quality.ok:
        body.append(flex.text("ข้อมูลครบถ้วน ถูกต้อง เป็นปัจจุบัน ✓", size="sm", color=flex.GREEN))
    else:
        body.append(flex.text("ข้อมูลที่ต้องแก้ไข", size="sm", bold=True, color=flex.RED))
        for item in quality.missing[:8]:
            body.append(flex.text(f"• ขาด: {item}", size="xs"))
        for item in quality.stale[:5]:
            body.append(flex.text(f"• ไม่เป็นปัจจุบัน: {item}", size="xs"))
        if quality.errors:
            body.append(flex.text(f"• ข้อมูลผิดพลาด {quality.errors:,} จุด (พิมพ์ ตรวจสอบ)", size="xs"))
    title = fund.village_name or fund.fund_id
    subtitle = f"หมู่ {fund.village_no} ต.{fund.subdistrict} อ.{fund.district}" if fund.village_no else fund.district
    return flex.bubble(f"กองทุน {title}", body, subtitle=subtitle)


# ---------------------------------------------------------------- payments

def payment_confirm_bubble(loan: Loan, fund: Fund | None, amount: Decimal, paid_date: dt.date,
                           outstanding: Decimal, confirm: dict, cancel: dict, warning: str | None,
                           receipt_no: str = "") -> dict:
    after = outstanding - amount
    body = [
        flex.field("ผู้ยืม", loan.borrower_name, bold=True),
        flex.field("เลขที่สัญญา", loan.contract_no),
        flex.field("กองทุน", fund_label(fund, loan.fund_id)),
        flex.separator(),
        flex.field("จำนวนเงิน", baht(amount), bold=True, color=flex.GREEN),
        flex.field("วันที่ชำระ", date_th(paid_date)),
        flex.field("เลขที่ใบรับเงิน", receipt_no or "-"),
        flex.field("คงค้างก่อนชำระ", baht(outstanding)),
        flex.field("คงค้างหลังชำระ", baht(after) + (" (ปิดสัญญา)" if after == 0 else ""), bold=True),
    ]
    if warning:
        body += [flex.separator(), flex.text(warning, size="xs", color=flex.AMBER)]
    body.append(flex.text("โปรดตรวจสอบก่อนกดยืนยัน", size="xs", color=flex.GREY, margin="md"))
    footer = [flex.button(confirm, style="primary", color=flex.GREEN), flex.button(cancel, style="secondary")]
    return flex.bubble("ยืนยันบันทึกรับชำระ", body, subtitle="ยังไม่ได้บันทึก", footer=footer, color=flex.AMBER)


def payment_done_bubble(loan: Loan, amount: Decimal, paid_date: dt.date, outstanding_after: Decimal,
                        officer_id: str, again: bool, receipt_no: str = "", undo: dict | None = None) -> dict:
    """The card of a recorded repayment; `undo`: its ยกเลิกรายการ button (within 24 hours, by its officer)."""
    body = [
        flex.field("ผู้ยืม", loan.borrower_name, bold=True),
        flex.field("เลขที่สัญญา", loan.contract_no),
        flex.field("จำนวนเงิน", baht(amount), bold=True),
        flex.field("วันที่ชำระ", date_th(paid_date)),
        *([flex.field("เลขที่ใบรับเงิน", receipt_no)] if receipt_no else []),
        flex.field("ผู้บันทึก", officer_id),
        flex.field("คงค้างหลังชำระ", baht(outstanding_after) + (" (ปิดสัญญา)" if outstanding_after == 0 else ""),
                bold=True),
    ]
    if again:
        body.append(flex.text("รายการนี้บันทึกไว้แล้วก่อนหน้านี้ ไม่ได้บันทึกซ้ำ", size="xs", color=flex.AMBER))
    else:
        body.append(flex.text("บันทึกลงแท็บ รับชำระ แล้ว (ช่องทาง LINE) อย่าลืมออกใบรับคืนเงินยืม", size="xs",
                           color=flex.GREY))
    footer = [flex.button(undo, style="secondary")] if undo is not None else None
    return flex.bubble("บันทึกรับชำระแล้ว" if not again else "บันทึกไว้แล้ว", body, footer=footer, color=flex.GREEN)


def payment_voided_bubble(payment: Any, loan: Loan, outstanding_after: Decimal, officer_id: str) -> dict:
    """The card of a cancelled repayment: the reversing row is in the sheet."""
    body = [
        flex.field("ผู้ยืม", loan.borrower_name, bold=True),
        flex.field("เลขที่สัญญา", loan.contract_no),
        flex.field("จำนวนเงินที่ยกเลิก", baht(payment.amount), bold=True, color=flex.RED),
        flex.field("วันที่ชำระเดิม", date_th(payment.paid_date)),
        flex.field("ผู้ยกเลิก", officer_id),
        flex.field("คงค้างหลังยกเลิก", baht(outstanding_after), bold=True),
        flex.text(f"เพิ่มแถวยกเลิก (รหัสอ้างอิง {payment.ref}-VOID) ในแท็บ รับชำระ แล้ว แถวเดิมยังอยู่ "
                  "ยอดทั้งสองหักล้างกัน", size="xs", color=flex.GREY, margin="md"),
    ]
    return flex.bubble("ยกเลิกรายการแล้ว", body, color=flex.AMBER)
