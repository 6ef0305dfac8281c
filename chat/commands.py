"""The chat's one command table: Thai words first, English aliases, no if/elif chain.

`route(text)` finds the command whose word starts the text (longest word
first; a Thai word may be typed without a space before its argument, an
English one may not) and returns it with the rest of the text. Each command is
a function `(ctx, args) -> messages`; every answer carries quick-reply buttons
for the next step. Commands marked `linked_only` answer nothing but the way to
link until the LINE account is linked to an active officer.
"""
from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from core.thai import baht, date_th, polite_name, to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.phrases import GREETING, THANKS_KEY, Phrasebook
from sheets import readers


@dataclass(frozen=True)
class Command:
    key: str
    words: tuple[str, ...]          # the first is the Thai word shown in help
    usage: str
    summary: str
    run: Callable[[Ctx, str], Messages]
    linked_only: bool = True
    in_help: bool = True


COMMANDS: dict[str, Command] = {}
_WORDS: list[tuple[str, Command]] = []


def command(key: str, *words: str, usage: str, summary: str, linked_only: bool = True,
            in_help: bool = True) -> Callable[[Callable[[Ctx, str], Messages]], Callable[[Ctx, str], Messages]]:
    def register(run: Callable[[Ctx, str], Messages]) -> Callable[[Ctx, str], Messages]:
        cmd = Command(key, words, usage, summary, run, linked_only, in_help)
        COMMANDS[key] = cmd
        _WORDS.extend((w.lower(), cmd) for w in words)
        _WORDS.sort(key=lambda pair: -len(pair[0]))
        return run
    return register


_PHRASEBOOK: list[Phrasebook] = []   # built once, after every command has registered


def phrasebook() -> Phrasebook:
    if not _PHRASEBOOK:
        _PHRASEBOOK.append(Phrasebook((cmd.key, word) for cmd in COMMANDS.values() for word in cmd.words))
    return _PHRASEBOOK[0]


def route(text: str) -> tuple[Command | None, str]:
    """The command the text asks for and its argument text; (None, text) when none matches.

    Read as people type (chat.phrases): particles, synonyms, one typo, greetings and thanks."""
    understood = phrasebook().understand(text)
    if understood.key is not None and understood.key in COMMANDS:
        return COMMANDS[understood.key], understood.args
    return None, understood.text


# ---------------------------------------------------------------- help and linking

def link_help(extra: str | None = None) -> Messages:
    lines = ([extra, ""] if extra else []) + [
        "ยังไม่ได้ผูกบัญชี LINE นี้กับรหัสเจ้าหน้าที่",
        "วิธีผูกบัญชี: พิมพ์ ลงทะเบียน ตามด้วยรหัสลงทะเบียนที่ได้จากผู้ดูแลระบบจังหวัด",
        "เช่น  ลงทะเบียน ABC123",
        "",
        "เมื่อผูกแล้วจะถามได้ว่าใครครบกำหนด ใครค้างชำระ ดูสถานะกองทุน ค้นหาลูกหนี้ และบันทึกรับชำระ",
        "(รหัสลงทะเบียนอยู่ในแท็บ เจ้าหน้าที่ ของสเปรดชีต ขอได้จากผู้ดูแลระบบ)",
    ]
    return [flex.text_message("\n".join(lines), quick=views.quick("ช่วยเหลือ", fills=(("ลงทะเบียน", "ลงทะเบียน "),)))]


@command("help", "เมนู", "ช่วยเหลือ", "วิธีใช้", "help", "menu", "?", usage="เมนู",
         summary="สิ่งที่บอตทำได้", linked_only=False)
def cmd_help(ctx: Ctx, args: str) -> Messages:
    if ctx.officer is None or ctx.status != "linked":
        return link_help()
    body: list[dict] = [flex.text(f"{ctx.officer.name} · {ctx.scope.label}", size="xs", color=flex.GREY)]
    for cmd in COMMANDS.values():
        if not cmd.in_help or cmd.key in ("help", "register"):
            continue
        aliases = " / ".join(w for w in cmd.words[1:] if w.isascii() and w.isalpha())
        body.append(flex.separator("sm"))
        body.append(flex.text(cmd.usage, bold=True))
        body.append(flex.text(cmd.summary + (f" ({aliases})" if aliases else ""), size="xs", color=flex.GREY))
    bubble = flex.bubble("กข.คจ. Care", body, subtitle="พิมพ์คำสั่ง หรือกดปุ่มด้านล่าง")
    return [flex.flex_message("เมนู กข.คจ. Care: ครบกำหนด ค้างชำระ กองทุน ค้นหา ชำระ สรุป ตรวจสอบ แนะนำ",
                           bubble, quick=views.main_quick())]


@command("register", "ลงทะเบียน", "register", usage="ลงทะเบียน <รหัส>",
         summary="ผูกบัญชี LINE กับรหัสเจ้าหน้าที่", linked_only=False, in_help=False)
def cmd_register(ctx: Ctx, args: str) -> Messages:
    return ctx.conv.register(ctx, args)


# ---------------------------------------------------------------- arguments

_DAYS = re.compile(r"^(\d{1,3})(?:\s*วัน)?(?:\s+(.*))?$")


def _days_and_rest(args: str, default: int) -> tuple[int | None, str]:
    text = to_arabic_digits(args).strip()
    if not text:
        return default, ""
    match = _DAYS.match(text)
    if match:
        return int(match.group(1)), (match.group(2) or "").strip()
    return default, args.strip()


def _narrow(ctx: Ctx, query: str) -> tuple[set[str] | None, str | None, Messages | None]:
    """Fund ids a list is narrowed to (a district, a fund id or a village name), with its label."""
    if not query:
        return None, None, None
    view = ctx.view
    q = query.strip().removeprefix("อำเภอ").removeprefix("อ.").strip()
    by_district = {f.fund_id for f in view.funds if f.district == q}
    if by_district:
        return by_district, f"อ.{q}", None
    funds = match_funds(view, query)
    if not funds:
        return None, None, _not_found_fund(query)
    label = views.fund_label(funds[0]) if len(funds) == 1 else f"{len(funds)} กองทุนที่ตรงกับคำค้น"
    return {f.fund_id for f in funds}, label, None


def _not_found_fund(query: str) -> Messages:
    # What the officer typed is never repeated back (it may name someone outside their area).
    return [flex.text_message("ไม่พบกองทุนที่ค้นหาในพื้นที่ของท่าน\n"
                           "พิมพ์รหัสกองทุน (เช่น 230101-01) หรือชื่อหมู่บ้าน",
                           quick=views.main_quick())]


# ---------------------------------------------------------------- due and overdue

PAGE_BUBBLES = 3   # a page of a list: at most 3 bubbles of `chat.list_limit` rows
_PAGE = re.compile(r"(?:หน้า|page)\s*(\d+)", re.IGNORECASE)


def _page_and_rest(args: str) -> tuple[int, str]:
    text = to_arabic_digits(args)
    match = _PAGE.search(text)
    if not match:
        return 1, args.strip()
    return max(1, int(match.group(1))), (text[:match.start()] + text[match.end():]).strip()


def _list_reply(ctx: Ctx, *, title: str, where: str, rows: list[dict], top: list[dict], page: int,
                again: str, alt: str, color: str, quick_first: str) -> Messages:
    """One page of a long list, ending with what was left out and how to see it or narrow it."""
    per_page = ctx.list_limit * PAGE_BUBBLES
    pages = max(1, -(-len(rows) // per_page))
    if page > pages:
        return [flex.text_message(f"{title} ({where}) มี {len(rows):,} รายการ {pages} หน้า "
                               f"พิมพ์ {again} หน้า {pages}", quick=views.main_quick(again))]
    start = (page - 1) * per_page
    chunk = rows[start:start + per_page]

    def note(shown: int) -> str | None:
        left = len(rows) - start - shown
        if left <= 0:
            return None
        narrow = "<รหัสกองทุน/ชื่อหมู่บ้าน" + ("/อำเภอ" if ctx.view.scope.province_wide else "") + ">"
        return (f"และอีก {left:,} รายการ — พิมพ์ {again} หน้า {page + 1} เพื่อดูต่อ "
                f"หรือ {again.split()[0]} {narrow} เพื่อดูให้แคบลง")

    sub = where + (f" · หน้า {page}/{pages}" if pages > 1 else "")
    container, shown = flex.paged_list(title, chunk, per_bubble=ctx.list_limit, subtitle=sub,
                                    top=top if page == 1 else [], note=note, color=color,
                                    max_bubbles=PAGE_BUBBLES)
    more = start + shown < len(rows)
    quick = ([flex.message_action(f"หน้า {page + 1}", f"{again} หน้า {page + 1}")] if more else []) + \
        views.main_quick(quick_first)
    return [flex.flex_message(alt, container, quick=quick[:flex.MAX_QUICK_REPLIES])]


@command("due", "ครบกำหนด", "due", usage="ครบกำหนด [วัน] [กองทุน]",
         summary="งวดที่ครบกำหนดภายใน N วัน (ค่าเริ่มต้น 7 วัน)")
def cmd_due(ctx: Ctx, args: str) -> Messages:
    page, args = _page_and_rest(args)
    days, rest = _days_and_rest(args, 7)
    if days is None or not 0 <= days <= 366:
        return [flex.text_message("จำนวนวันต้องเป็น 0–366 เช่น ครบกำหนด 30", quick=views.main_quick())]
    only, label, refusal = _narrow(ctx, rest)
    if refusal:
        return refusal
    view, today = ctx.view, ctx.today
    day = view.ledger
    due = day.due_between(today, today + dt.timedelta(days=days), _only(view, only))
    items = []
    for k in due:
        i, inst = day.contract_of(k), day.installment(k)
        loan = view.loan_at(i)
        items.append((inst.due_date, loan.borrower_name, loan, inst, (inst.due_date - today).days,
                      view.book.engine.installment_count(i) > 1))
    items.sort(key=lambda t: (t[0], t[1], t[2].contract_no, t[3].seq))
    where = label or view.scope.label
    title = f"ครบกำหนดภายใน {days} วัน" if days else "ครบกำหนดวันนี้"
    if not items:
        return [flex.text_message(f"{title} ({where}): ไม่มีงวดที่ต้องชำระ", quick=views.main_quick("ค้างชำระ"))]
    total = day.remaining_total(due)
    per_page = ctx.list_limit * PAGE_BUBBLES
    first = (page - 1) * per_page
    rows = [views.due_row(loan, view.ds.funds.get(loan.fund_id), inst.seq, due, inst.remaining, left, several)
            if first <= i < first + per_page else {}
            for i, (due, _, loan, inst, left, several) in enumerate(items)]
    top = [flex.text(f"{len(items):,} งวด รวม {baht(total)}", bold=True),
           flex.text(f"ถึงวันที่ {date_th(today + dt.timedelta(days=days))}", size="xs", color=flex.GREY)]
    again = " ".join(x for x in ("ครบกำหนด", str(days), rest) if x)
    return _list_reply(ctx, title=title, where=where, rows=rows, top=top, page=page, again=again,
                       alt=f"{title} {where}: {len(items):,} งวด รวม {baht(total)}", color=flex.GREEN,
                       quick_first="ค้างชำระ")


@command("overdue", "ค้างชำระ", "เกินกำหนด", "overdue", usage="ค้างชำระ [กองทุน]",
         summary="สัญญาที่ค้างชำระ เกินกำหนดนานที่สุดก่อน พร้อมยอดรวม")
def cmd_overdue(ctx: Ctx, args: str) -> Messages:
    page, args = _page_and_rest(args)
    only, label, refusal = _narrow(ctx, args.strip())
    if refusal:
        return refusal
    view = ctx.view
    day, where = view.ledger, _only(view, only)
    # The aging table's overdue rows, contract by contract: in arrears, or marked ผิดสัญญา.
    items = [(view.loan_at(i), day.state(i)) for i in day.overdue(where)]
    items.sort(key=lambda p: (-p[1].days_overdue, -p[1].arrears, p[0].contract_no))
    where_label = label or view.scope.label
    if not items:
        return [flex.text_message(f"ค้างชำระ ({where_label}): ไม่มีสัญญาค้างชำระ", quick=views.main_quick("ครบกำหนด"))]
    table = day.aging(where)
    overdue = table.overdue
    top = [flex.text(f"{overdue.contracts:,} สัญญา ค้างชำระรวม {baht(overdue.arrears)}", bold=True, color=flex.RED),
           flex.text(f"ยอดคงค้างของสัญญาเหล่านี้ {baht(overdue.outstanding)}", size="xs", color=flex.GREY),
           *views.aging_lines(table, table.rows[1:], skip_empty=True)]
    per_page = ctx.list_limit * PAGE_BUBBLES
    first = (page - 1) * per_page
    rows = [views.overdue_row(loan, view.ds.funds.get(loan.fund_id), state) if first <= i < first + per_page else {}
            for i, (loan, state) in enumerate(items)]
    again = " ".join(x for x in ("ค้างชำระ", args.strip()) if x)
    return _list_reply(ctx, title="ค้างชำระ", where=where_label, rows=rows, top=top, page=page, again=again,
                       alt=f"ค้างชำระ {where_label}: {overdue.contracts:,} สัญญา รวม {baht(overdue.arrears)}",
                       color=flex.RED, quick_first="ครบกำหนด")


def _only(view: Any, fund_ids: set[str] | None) -> list[bool] | None:
    """Per loan of the view's book: in the funds a list is narrowed to (None: every loan)."""
    return None if fund_ids is None else [loan.fund_id in fund_ids for loan in view.book.loans]


# ---------------------------------------------------------------- a fund

def match_funds(view: Any, query: str) -> list[Any]:
    q = " ".join(to_arabic_digits(query).split()).lower()
    if not q:
        return []
    exact = [f for f in view.funds if f.fund_id.lower() == q]
    if exact:
        return exact
    bare = q.removeprefix("บ้าน").strip()
    found = []
    for fund in view.funds:
        name = fund.village_name.lower().replace(" ", "")
        if q in fund.fund_id.lower() or (bare and bare.replace(" ", "") in name):
            found.append(fund)
    return found


@command("fund", "กองทุน", "fund", usage="กองทุน <รหัสหรือชื่อหมู่บ้าน>",
         summary="สถานะกองทุน: เงินทุน เงินฝาก ยอดคงค้าง ค้างชำระ PAR30 ข้อมูลที่ขาด")
def cmd_fund(ctx: Ctx, args: str) -> Messages:
    view = ctx.view
    if not args:
        return [flex.text_message("พิมพ์ กองทุน ตามด้วยรหัสกองทุนหรือชื่อหมู่บ้าน เช่น กองทุน บางพระ",
                               quick=views.quick(*[f"กองทุน {f.fund_id}" for f in view.funds[:8]], "เมนู"))]
    funds = match_funds(view, args)
    if not funds:
        return _not_found_fund(args)
    if len(funds) > 1:
        lines = [f"{f.fund_id} {views.fund_label(f)}" for f in funds[:20]]
        more = f"\nและอีก {len(funds) - 20} กองทุน พิมพ์ชื่อให้ละเอียดขึ้น" if len(funds) > 20 else ""
        return [flex.text_message(f"พบ {len(funds)} กองทุน เลือกกองทุนที่ต้องการ:\n" + "\n".join(lines) + more,
                               quick=views.quick(*[f"กองทุน {f.fund_id}" for f in funds[:12]], "เมนู"))]
    fund = funds[0]
    where = _only(view, {fund.fund_id})
    summary, aging = view.ledger.summary(where), view.ledger.aging(where)
    loans = sum(1 for loan in view.loans if loan.fund_id == fund.fund_id)
    quality = view.quality.fund(fund.fund_id)
    bubble = views.fund_bubble(fund, summary, aging, quality, loans, ctx.today)
    alt = (f"กองทุน {fund.village_name} ({fund.fund_id}): คงค้าง {baht(aging.total.outstanding)} "
           f"ค้างชำระ {baht(aging.overdue.arrears)} PAR{summary.par_days} {views.percent(summary.par30)}")
    return [flex.flex_message(alt, bubble, quick=views.quick(f"ค้างชำระ {fund.fund_id}", f"ครบกำหนด 30 {fund.fund_id}",
                                                      "ตรวจสอบ", "สรุป", "เมนู", fills=(views.FILL_FIND,)))]


@command("collection", "ใบติดตาม", "collection", usage="ใบติดตาม <รหัสหรือชื่อหมู่บ้าน>",
         summary="ใบติดตามการรับชำระเดือนนี้ของกองทุน: กี่ราย ต้องเก็บเท่าไร และที่พิมพ์ใบติดตาม")
def cmd_collection(ctx: Ctx, args: str) -> Messages:
    """The fund's collection list for this month, in figures, and where its printable sheet is:
    the Drive folder's link when report.drive_folder_id is set, else the command that prints it."""
    from core.thai import month_th
    from sheets.collection import collection_file_name, collection_lists, drive_folder_link

    view = ctx.view
    funds = match_funds(view, args) if args.strip() else []
    if len(funds) != 1:
        if args.strip() and not funds:
            return _not_found_fund(args)
        shown = funds[:12] or view.funds[:8]
        return [flex.text_message("พิมพ์ ใบติดตาม ตามด้วยรหัสกองทุนหรือชื่อหมู่บ้าน (หนึ่งกองทุน) เช่น ใบติดตาม "
                                  + (shown[0].fund_id if shown else "230101-01"),
                                  quick=views.quick(*[f"ใบติดตาม {f.fund_id}" for f in shown], "เมนู"))]
    fund, today = funds[0], ctx.today
    sheet = collection_lists(view.book, view.ledger, [fund.fund_id], today.year, today.month)[fund.fund_id]
    month = month_th(today.year, today.month)
    lines = [f"ใบติดตามการรับชำระ เดือน {month}", f"{views.fund_label(fund)} ({fund.fund_id}) · ณ {date_th(today)}",
             f"ต้องติดตาม {len(sheet.lines):,} ราย รวมต้องชำระ {baht(sheet.total)}",
             f"(ค้างชำระยกมา {baht(sheet.carried)} · ครบกำหนดในเดือน {baht(sheet.in_month)})"]
    name = collection_file_name(fund.fund_id, today.year, today.month)
    folder = ctx.config.report.drive_folder_id
    if folder:
        lines += ["", f"ไฟล์พิมพ์ {name} อยู่ในโฟลเดอร์รายงานบน Google Drive:", drive_folder_link(folder)]
    else:
        lines += ["", "พิมพ์ใบติดตาม (PDF หนึ่งกองทุนต่อหน้า) ที่เครื่องของสำนักงานด้วยคำสั่ง",
                  f"python main.py collection-sheet --fund {fund.fund_id} --month {today:%Y-%m}"]
    return [flex.text_message("\n".join(lines), quick=views.quick(f"ค้างชำระ {fund.fund_id}", f"กองทุน {fund.fund_id}",
                                                                  "เมนู"))]


# ---------------------------------------------------------------- find a borrower

def find_loans(view: Any, query: str) -> list[Any]:
    q = " ".join(to_arabic_digits(query).split()).lower()
    if not q:
        return []
    exact = [loan for loan in view.loans if loan.contract_no.lower() == q]
    if exact:
        return exact
    squeezed = q.replace(" ", "")
    found = []
    for loan in view.loans:
        name = loan.borrower_name.lower()
        if q in loan.contract_no.lower() or q in name or squeezed in name.replace(" ", ""):
            found.append(loan)
    found.sort(key=lambda loan: (not loan.borrower_name.lower().startswith(q), loan.borrower_name,
                                 loan.contract_no))
    return found


@command("find", "ค้นหา", "find", "search", usage="ค้นหา <ชื่อหรือเลขที่สัญญา>",
         summary="ลูกหนี้: สัญญา กำหนดชำระ ชำระแล้ว คงค้าง สถานะ")
def cmd_find(ctx: Ctx, args: str) -> Messages:
    query = args.strip()
    if len(query) < 2:
        return [flex.text_message("พิมพ์ ค้นหา ตามด้วยชื่อ (อย่างน้อย 2 ตัวอักษร) หรือเลขที่สัญญา เช่น ค้นหา สมชาย",
                               quick=views.main_quick())]
    view = ctx.view
    loans = find_loans(view, query)
    if not loans:
        # The same answer whether the borrower is elsewhere or nowhere: nothing about other districts.
        return [flex.text_message(f"ไม่พบลูกหนี้ที่ค้นหาในพื้นที่ของท่าน ({view.scope.label})\n"
                               "ลองพิมพ์ชื่อบางส่วน หรือเลขที่สัญญา", quick=views.main_quick())]
    if len(loans) <= CARDS_MAX:
        bubbles = [views.loan_bubble(loan, view.ds.funds.get(loan.fund_id), view.states.get(loan.contract_no),
                                 ctx.today) for loan in loans]
        names = ", ".join(f"{loan.borrower_name} ({loan.contract_no})" for loan in loans)
        quick = _find_quick(loans[0]) if len(loans) == 1 else views.main_quick()
        return [flex.flex_message(f"ผลค้นหา: {names}", flex.carousel(bubbles), quick=quick)]
    # Many matches: a compact list; tapping a contract opens its card.
    limit = ctx.list_limit * PAGE_BUBBLES
    rows = [views.found_row(loan, view.ds.funds.get(loan.fund_id), view.states.get(loan.contract_no))
            for loan in loans[:limit]]

    def note(shown: int) -> str | None:
        left = len(loans) - shown
        return f"และอีก {left:,} รายการ — พิมพ์ชื่อให้ละเอียดขึ้น หรือพิมพ์เลขที่สัญญา" if left > 0 else None

    top = [flex.text(f"พบ {len(loans):,} สัญญา กดเลขที่สัญญาด้านล่างเพื่อดูรายละเอียด", size="xs", color=flex.GREY)]
    container, shown = flex.paged_list("ผลค้นหาลูกหนี้", rows, per_bubble=ctx.list_limit,
                                    subtitle=view.scope.label, top=top, note=note, max_bubbles=PAGE_BUBBLES)
    quick = views.quick(*[f"ค้นหา {loan.contract_no}" for loan in loans[:10]], "เมนู", fills=(views.FILL_FIND,))
    return [flex.flex_message(f"ผลค้นหา: {len(loans):,} สัญญา", container, quick=quick)]


CARDS_MAX = 3   # up to this many matches are shown as full cards


def _find_quick(loan: Any) -> list[dict]:
    return views.quick(f"กองทุน {loan.fund_id}", "ค้างชำระ", "ครบกำหนด", "เมนู",
                   fills=(("บันทึกรับชำระ", f"ชำระ {loan.contract_no} "), views.FILL_FIND))


# ---------------------------------------------------------------- record a repayment

@dataclass(frozen=True)
class PaymentRequest:
    contract_no: str
    amount: Decimal
    paid_date: dt.date
    ref: str

    def postback(self) -> str:
        return urllib.parse.urlencode({"a": "pay", "r": self.ref, "c": self.contract_no,
                                       "m": f"{self.amount:.2f}", "d": self.paid_date.isoformat()})

    @classmethod
    def from_postback(cls, fields: dict[str, str]) -> "PaymentRequest":
        amount = Decimal(fields["m"])
        if not amount.is_finite() or not fields["r"].startswith("LINE-"):
            raise ValueError("not a payment button of ours")
        return cls(fields["c"], amount, dt.date.fromisoformat(fields["d"]), fields["r"])


PAY_USAGE = "พิมพ์ ชำระ <เลขที่สัญญา> <จำนวนเงิน> [วันที่] เช่น ชำระ 230101-01/2569/03 1,500 หรือ ชำระ 230101-01/2569/03 1500 15/1/69"


def parse_pay(args: str, today: dt.date) -> tuple[str, Decimal, dt.date] | str:
    """(contract, amount, date) or the Thai reason the text cannot be read."""
    parts = args.split()
    if len(parts) < 2:
        return PAY_USAGE
    contract, amount_text, rest = parts[0], parts[1], parts[2:]
    if rest and rest[0] in ("บาท", "฿"):
        rest = rest[1:]
    try:
        amount = readers.read_amount(amount_text)
    except readers.CellError:
        return f"อ่านจำนวนเงินไม่ได้ (พิมพ์ตัวเลข เช่น 1,500)\n{PAY_USAGE}"
    if amount <= 0:
        return "จำนวนเงินต้องมากกว่า 0 บาท"
    paid_date = today
    if rest:
        try:
            paid_date = readers.read_date(" ".join(rest))
        except readers.CellError:
            return f"อ่านวันที่ชำระไม่ได้ ({readers.DATE_HINT} หรือไม่ใส่ = วันนี้)"
    return contract, amount, paid_date


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


@command("pay", "ชำระ", "รับชำระ", "บันทึกชำระ", "pay", usage="ชำระ <เลขที่สัญญา> <จำนวน> [วันที่]",
         summary="บันทึกรับชำระ (ยืนยันก่อนบันทึก)")
def cmd_pay(ctx: Ctx, args: str) -> Messages:
    parsed = parse_pay(args, ctx.today)
    if isinstance(parsed, str):
        return [flex.text_message(parsed, quick=views.main_quick())]
    contract, amount, paid_date = parsed
    checked = check_payment(ctx, contract, amount, paid_date)
    if isinstance(checked, str):
        return [flex.text_message(checked, quick=views.main_quick())]
    loan, state = checked
    request = PaymentRequest(loan.contract_no, amount, paid_date, ctx.payment_ref())
    confirm = flex.postback_action("ยืนยันบันทึก", request.postback(), "ยืนยันบันทึกรับชำระ")
    cancel = flex.postback_action("ยกเลิก", urllib.parse.urlencode({"a": "cancel", "r": request.ref}), "ยกเลิก")
    same = [p for p in ctx.view.ds.payments.get(loan.contract_no, [])
            if p.amount == amount and p.paid_date == paid_date]
    warning = (f"มีรายการรับชำระ {baht(amount)} วันที่ {date_th(paid_date)} ของสัญญานี้ในชีตอยู่แล้ว "
               "ตรวจสอบว่าไม่ใช่รายการซ้ำ") if same else None
    bubble = views.payment_confirm_bubble(loan, ctx.view.ds.funds.get(loan.fund_id), amount, paid_date,
                                      state.outstanding, confirm, cancel, warning)
    alt = f"ยืนยันบันทึกรับชำระ {baht(amount)} สัญญา {loan.contract_no} วันที่ {date_th(paid_date)}"
    return [flex.flex_message(alt, bubble)]


# ---------------------------------------------------------------- summary and check

@command("summary", "สรุป", "summary", usage="สรุป",
         summary="ภาพรวมพื้นที่: กองทุน สัญญา ยอดคงค้าง ค้างชำระตามช่วง PAR30 คุณภาพข้อมูล")
def cmd_summary(ctx: Ctx, args: str) -> Messages:
    view = ctx.view
    if "summary" not in view.memo:  # the same for everyone in this scope until the next read
        view.memo["summary"] = _summary(ctx, view)
    return view.memo["summary"]


def _summary(ctx: Ctx, view: Any) -> Messages:
    par_days = ctx.config.ledger.par_days
    day = view.ledger
    summary, aging = day.summary(), day.aging()
    quality = view.quality
    funds_total = len(view.funds)
    funds_ok = sum(1 for f in quality.funds if f.ok and view.scope.allows_fund(f.fund_id))
    due7 = day.due_between(ctx.today, ctx.today + dt.timedelta(days=7))
    body: list[dict] = [
        flex.field("กองทุน", f"{funds_total:,} กองทุน"),
        flex.field("สัญญาคงค้าง", f"{aging.total.contracts:,} จาก {summary.contracts:,} สัญญา"),
        flex.field("ยอดคงค้าง", baht(aging.total.outstanding), bold=True),
        flex.field("ค้างชำระ", f"{baht(aging.overdue.arrears)} ({aging.overdue.contracts:,} สัญญา)", color=flex.RED,
                   bold=True),
        *views.aging_lines(aging),
        flex.field(f"PAR{par_days}", views.percent(summary.par30), bold=True, color=flex.RED if summary.par30 else None),
        flex.field("ครบกำหนด 7 วัน", f"{len(due7):,} งวด {baht(day.remaining_total(due7))}"),
        flex.separator(),
        flex.field("ข้อมูลครบ ถูกต้อง เป็นปัจจุบัน", f"{funds_ok:,}/{funds_total:,} กองทุน "
                f"({views.percent(funds_ok / funds_total) if funds_total else '-'})"),
    ]
    unreadable = view.unreadable_rows()
    if unreadable:
        body.append(flex.field("แถวที่อ่านไม่ได้", f"{unreadable:,} แถว (พิมพ์ ตรวจสอบ)", color=flex.RED))
    if view.scope.province_wide:
        body += [flex.separator(), flex.text("รายอำเภอ (คงค้าง / ค้างชำระ / PAR30)", size="xs", color=flex.GREY)]
        from ledger.engine import Grouping

        districts = [view.ds.district_of(loan.fund_id) or "-" for loan in view.book.loans]
        groups = Grouping(districts, sorted(set(districts)))
        tables, parts = day.aging_by(groups), day.summary_by(groups)
        for district in groups.names:
            table = tables[district]
            body.append(flex.text(f"อ.{district}: {baht(table.total.outstanding, unit=False)} / "
                               f"{baht(table.overdue.arrears, unit=False)} / {views.percent(parts[district].par30)}",
                               size="xs"))
    bubble = flex.bubble(f"สรุป {view.scope.label}", body, subtitle=f"ณ {date_th(ctx.today)}")
    alt = (f"สรุป {view.scope.label}: คงค้าง {baht(aging.total.outstanding)} ค้างชำระ {baht(aging.overdue.arrears)} "
           f"PAR{par_days} {views.percent(summary.par30)}")
    return [flex.flex_message(alt, bubble, quick=views.main_quick("ค้างชำระ", "ครบกำหนด", "ตรวจสอบ"))]


@command("check", "ตรวจสอบ", "check", usage="ตรวจสอบ",
         summary="ปัญหาข้อมูลในกองทุนของท่าน เรียงจากมากไปน้อย")
def cmd_check(ctx: Ctx, args: str) -> Messages:
    view = ctx.view
    report = view.quality
    scope = view.scope
    funds = [f for f in report.worst_first() if scope.allows_fund(f.fund_id)]
    bad = [f for f in funds if not f.ok]
    problems = [p for p in report.problems if p.level == "error"
                and ((p.fund_id and scope.allows_fund(p.fund_id)) or (not p.fund_id and scope.province_wide))]
    limit = ctx.list_limit
    ok = len(funds) - len(bad)
    first: list[dict] = [flex.text(f"ผ่านครบ {ok:,} จาก {len(funds):,} กองทุน", bold=True,
                                color=flex.GREEN if not bad else flex.RED)]
    rows = []
    for f in bad:
        flags = [name for name, good in (("ไม่ครบถ้วน", f.complete), ("มีข้อผิดพลาด", f.correct),
                                         ("ไม่เป็นปัจจุบัน", f.current)) if not good]
        detail = "; ".join(f.missing + f.stale)
        rows.append(flex.box([
            flex.text(f"{f.fund_id} {f.village}", bold=True),
            flex.text(", ".join(flags) + (f" (ผิดพลาด {f.errors:,} จุด)" if f.errors else ""), size="xs", color=flex.RED),
            *([flex.text(flex.clip(detail, 300), size="xs", color=flex.GREY)] if detail else []),
        ], spacing="none"))
    bubbles = []
    if rows:
        container, _ = flex.paged_list("ตรวจสอบข้อมูล", rows[:limit], per_bubble=limit, subtitle=scope.label,
                                    top=first)
        bubbles.append(container)
    else:
        bubbles.append(flex.bubble("ตรวจสอบข้อมูล", first + [flex.text("ทุกกองทุนข้อมูลครบถ้วน ถูกต้อง เป็นปัจจุบัน")],
                                subtitle=scope.label))
    if len(bad) > limit:
        bubbles[0]["body"]["contents"].append(flex.text(
            f"และอีก {len(bad) - limit:,} กองทุน — พิมพ์ กองทุน <รหัส> หรือดูทั้งหมดในแท็บ ตรวจสอบข้อมูล",
            size="xs", color=flex.AMBER))
    if problems:
        lines = [flex.text(flex.clip(f"{p.tab} แถว {p.row} {p.header}: {p.message}" if p.row else
                               f"{p.tab}: {p.message}", 200), size="xs") for p in problems[:limit]]
        if len(problems) > limit:
            lines.append(flex.text(f"และอีก {len(problems) - limit:,} รายการ — ดูทั้งหมดในแท็บ ตรวจสอบข้อมูล",
                                size="xs", color=flex.AMBER))
        bubbles.append(flex.bubble("ข้อผิดพลาดที่ต้องแก้", lines, subtitle=f"{len(problems):,} จุด", color=flex.RED))
    unreadable = view.unreadable_rows()
    if unreadable:
        bubbles[-1]["body"]["contents"].append(flex.text(
            f"แถวที่อ่านไม่ได้และไม่ถูกนับในยอดต่าง ๆ: {unreadable:,} แถว", size="xs", color=flex.RED))
    flat = []
    for b in bubbles:
        flat.extend(b["contents"] if b.get("type") == "carousel" else [b])
    container = flex.carousel(flat[:flex.MAX_BUBBLES])
    alt = f"ตรวจสอบข้อมูล {scope.label}: ผ่าน {ok:,}/{len(funds):,} กองทุน ข้อผิดพลาด {len(problems):,} จุด"
    return [flex.flex_message(alt, container, quick=views.quick(*[f"กองทุน {f.fund_id}" for f in bad[:5]], "สรุป", "เมนู"))]


# ---------------------------------------------------------------- feedback

@command("feedback", "แนะนำ", "ข้อเสนอแนะ", "feedback", usage="แนะนำ <ข้อความ>",
         summary="ส่งข้อเสนอแนะหรือปัญหาเข้าที่ประชุมประจำเดือน")
def cmd_feedback(ctx: Ctx, args: str) -> Messages:
    text = args.strip()
    if len(text) < 3:
        return [flex.text_message("พิมพ์ แนะนำ ตามด้วยข้อความ เช่น แนะนำ อยากให้แจ้งเตือนก่อนครบกำหนด 3 วัน",
                               quick=views.main_quick())]
    return ctx.conv.record_feedback(ctx, text)


# ---------------------------------------------------------------- greetings and thanks

@command(GREETING, usage="สวัสดี", summary="ทักทาย", linked_only=False, in_help=False)
def cmd_greeting(ctx: Ctx, args: str) -> Messages:
    if ctx.officer is None or ctx.status != "linked":
        return link_help("สวัสดีค่ะ ยินดีต้อนรับสู่ กข.คจ. Care")
    return [flex.text_message(f"สวัสดีค่ะ {polite_name(ctx.officer.name)} ({ctx.scope.label})\n"
                              "วันนี้ให้ช่วยอะไรดีคะ กดปุ่มด้านล่าง หรือพิมพ์ เมนู",
                              quick=views.main_quick())]


@command(THANKS_KEY, usage="ขอบคุณ", summary="ขอบคุณ", linked_only=False, in_help=False)
def cmd_thanks(ctx: Ctx, args: str) -> Messages:
    quick = views.main_quick() if ctx.officer is not None and ctx.status == "linked" else None
    return [flex.text_message("ยินดีค่ะ มีอะไรให้ช่วยอีกพิมพ์ เมนู ได้เลยค่ะ", quick=quick)]


# ---------------------------------------------------------------- anything else

def unknown(ctx: Ctx, text: str) -> Messages:
    """A short hint, never an error; a name-like text gets a 'search for it?' button."""
    # The text is not repeated back: it may name someone outside the officer's area.
    return [flex.text_message("ไม่เข้าใจคำสั่ง พิมพ์ เมนู เพื่อดูสิ่งที่ทำได้ หรือกดปุ่มด้านล่าง",
                           quick=views.quick("เมนู", *views.QUICK_MAIN, fills=(views.FILL_FIND, views.FILL_FUND, views.FILL_PAY)))]
