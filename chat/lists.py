"""The due and overdue lists (ครบกำหนด, ค้างชำระ), most urgent first, and the repayments received lately
(รับชำระล่าสุด), newest first: paged, narrowed to a place."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from core.months import month_bounds, previous_month
from core.thai import baht, date_th, month_th, to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.places import narrow, only_funds
from chat.phrases import without_asking_words
from chat.registry import command
from sheets import readers
from chat.search import find_loans, found_reply

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chat.scope import ScopeView
    from sheets.model import Loan, Payment
    from ledger.aging import AgingRow
    from ledger.engine import Balances


_DAYS = re.compile(r"^(\d{1,3})(?:\s*วัน)?(?:\s+(.*))?$")
_DAYS_AFTER = re.compile(r"^(\D.*?)\s+(\d{1,3})\s*วัน$")
# A span said in words, at either end: ภายใน 7 วัน, อีก 3 วัน, 2 สัปดาห์, 1 เดือนข้างหน้า (a month as 30 days).
_SPAN = re.compile(r"(?:^|(?<=\s))(?:ภายใน|อีก|ใน)?\s*(\d{1,2})\s*(วัน|สัปดาห์|อาทิตย์|เดือน)(?:ข้างหน้า|นับจากนี้)?(?=\s|$)")
_SPAN_DAYS = {"วัน": 1, "สัปดาห์": 7, "อาทิตย์": 7, "เดือน": 30}


def _span_as_days(text: str) -> str:
    """A span in words at the start or the end of the text, as its number of days: "ภายใน 7 วัน บางพระ" ->
    "7 บางพระ", "บางพระ 2 สัปดาห์" -> "บางพระ 14 วัน"; the text as it was otherwise."""
    for match in _SPAN.finditer(text):
        days = int(match.group(1)) * _SPAN_DAYS[match.group(2)]
        before, after = text[:match.start()].strip(), text[match.end():].strip()
        if not before:
            return f"{days} {after}".strip()
        if not after:
            return f"{before} {days} วัน"
    return text


def _to_sunday(today: dt.date, weeks: int) -> int:
    """Days from today to the Sunday that ends this week (weeks=0) or a later one."""
    return (6 - today.weekday()) + 7 * weeks


def _to_month_end(today: dt.date, months: int) -> int:
    first = dt.date(today.year + (today.month + months) // 12, (today.month + months) % 12 + 1, 1)
    return (first - dt.timedelta(days=1) - today).days


# How far ahead a time word asks, from today (longest first: สัปดาห์หน้า before สัปดาห์).
_WHEN: tuple[tuple[str, Callable[[dt.date], int]], ...] = (
    ("วันนี้", lambda today: 0), ("พรุ่งนี้", lambda today: 1), ("มะรืนนี้", lambda today: 2),
    ("มะรืน", lambda today: 2), ("สัปดาห์นี้", lambda today: _to_sunday(today, 0)),
    ("อาทิตย์นี้", lambda today: _to_sunday(today, 0)), ("สัปดาห์หน้า", lambda today: _to_sunday(today, 1)),
    ("อาทิตย์หน้า", lambda today: _to_sunday(today, 1)), ("เดือนนี้", lambda today: _to_month_end(today, 0)),
    ("เดือนหน้า", lambda today: _to_month_end(today, 1)),
)
# The same times said with more words (longest first), read as the word they mean.
_WHEN_SAID: tuple[tuple[str, str], ...] = (
    ("ภายในสัปดาห์นี้", "สัปดาห์นี้"), ("ภายในอาทิตย์นี้", "อาทิตย์นี้"), ("ภายในเดือนนี้", "เดือนนี้"),
    ("ถึงสิ้นเดือนนี้", "เดือนนี้"), ("ภายในพรุ่งนี้", "พรุ่งนี้"), ("ต้นเดือนหน้า", "เดือนหน้า"),
    ("สิ้นเดือนนี้", "เดือนนี้"), ("ปลายเดือนนี้", "เดือนนี้"), ("ถึงสิ้นเดือน", "เดือนนี้"), ("ภายในวันนี้", "วันนี้"),
    ("สิ้นเดือน", "เดือนนี้"),
)
DUE_WHEN_WORDS: tuple[str, ...] = tuple(word for word, _ in _WHEN) + tuple(said for said, _ in _WHEN_SAID)


_WHEN_PREFIX = re.compile(r"(ต้น|สิ้น|ปลาย|ภายใน|ถึง)\s+(?=เดือน|สัปดาห์|อาทิตย์|วันนี้|พรุ่งนี้)")


def _when_said(text: str) -> str:
    """The time words of _WHEN_SAID as the word they mean, spaced or not (ภายใน เดือนนี้: set apart by
    chat.phrases.apart)."""
    text = _WHEN_PREFIX.sub(r"\1", text)
    for said, word in _WHEN_SAID:
        text = text.replace(said, word)
    return text


# A day named (ครบกำหนดวันที่ 15, ถึง 15 ธ.ค., 5 ม.ค. 70, 15/12): what comes before it.
_UNTIL_LEAD = re.compile(r"^(?:ถึง\s*)?(วันที่\s*)?")


def _until_day(text: str, today: dt.date) -> tuple[int, str] | None:
    """(days from today to the day named, the rest: a place) when the text starts with a day, read as the
    sheet's dates are (sheets.readers: with a year, or a day and month for the next such day, or วันที่ N
    for this month's or next month's); None otherwise (a number alone is days: ครบกำหนด 15 บางพระ)."""
    lead = _UNTIL_LEAD.match(text)
    assert lead is not None   # it matches the empty string
    words = text[lead.end():].split()
    for size in (3, 2, 1):
        said = " ".join(words[:size])
        if len(words) < size or (size == 1 and not any(c in said for c in "/.-")):
            continue   # one word is a date only with its separators: 30 alone is days
        until = _next_day(said, today)
        if until is not None:
            return (until - today).days, " ".join(words[size:])
    if lead.group(1) and words and words[0].isdigit():   # วันที่ 15: this month's, or next month's once gone
        year, month = today.year, today.month
        if int(words[0]) < today.day:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            return (dt.date(year, month, int(words[0])) - today).days, " ".join(words[1:])
        except ValueError:
            return None
    return None


def _next_day(said: str, today: dt.date) -> dt.date | None:
    """The date `said` names: as a dated cell reads (with its year), or a day and month not before today."""
    day_month = readers.read_day_month(said)
    if day_month is not None:
        for year in (today.year, today.year + 1):
            try:
                found = dt.date(year, day_month[1], day_month[0])
            except ValueError:   # 31/4
                return None
            if found >= today:
                return found
        return None
    try:
        found = readers.read_date(said)
    except readers.CellError:
        return None
    return found if isinstance(found, dt.date) and found >= today else None


def days_and_rest(args: str, default: int, today: dt.date | None = None) -> tuple[int | None, str]:
    """The days ahead a list asks for (a number, or a time word: วันนี้ พรุ่งนี้ สัปดาห์นี้ เดือนนี้
    เดือนหน้า … when `today` is given) and the rest of the text (a place)."""
    text = _when_said(to_arabic_digits(args).strip())
    if not text:
        return default, ""
    if today is not None:
        until = _until_day(text, today)
        if until is not None:
            return until
        text = _month_as_when(text, today)
    text = _span_as_days(text)
    match = _DAYS.match(text)
    if match:
        return int(match.group(1)), (match.group(2) or "").strip()
    if today is not None:
        for word, ahead in _WHEN:
            if text.startswith(word):
                return ahead(today), text[len(word):].strip()
        for word, ahead in _WHEN:   # after the place, as it is also said: ครบกำหนด บางพระ เดือนนี้
            if text.endswith(word) and text[:-len(word)].strip():
                return ahead(today), text[:-len(word)].strip()
    match = _DAYS_AFTER.match(text)
    if match:   # ครบกำหนด บางพระ 30 วัน
        return int(match.group(2)), match.group(1).strip()
    return default, args.strip()


def _later_window(args: str, today: dt.date) -> tuple[int, str, str] | None:
    """(days from today to its first day, the list's title, the word that asks it) for the windows that
    do not start today: next month (เดือนหน้า, or its name) and next week (สัปดาห์หน้า, อาทิตย์หน้า)."""
    words = _month_as_when(_when_said(to_arabic_digits(args).strip()), today).split()
    if "เดือนหน้า" in words:
        ahead = _to_month_end(today, 0) + 1   # the next month's first day
        first = today + dt.timedelta(days=ahead)
        return ahead, f"ครบกำหนดเดือน{month_th(first.year, first.month)}", "เดือนหน้า"
    for word in ("สัปดาห์หน้า", "อาทิตย์หน้า"):
        if word in words:
            return _to_sunday(today, 0) + 1, "ครบกำหนดสัปดาห์หน้า", word
    return None


# An amount of arrears: a number and บาท, or without บาท one no count of days could be (10,000 · 5000).
_AT_LEAST = re.compile(r"(?:มากกว่า|เกินกว่า|เกิน|ตั้งแต่)\s*(?:([\d,]+)\s*(?:บาท|บ\.)"
                       r"|(\d{1,3}(?:,\d{3})+|\d{4,})(?![\d,.]|\s*(?:วัน|เดือน)))")


def days_over_and_rest(args: str) -> tuple[tuple[int, str] | None, str]:
    """A number of days overdue asked for that is not an aging row (ค้างเกิน 30 วัน, ตั้งแต่ 60 วันขึ้นไป,
    เกินสองเดือน): (the fewest days counted, the words to show), and the rest of the text (a place)."""
    words = args.split()
    for size in range(min(len(words), 4), 0, -1):
        typed = _said("".join(words[:size]))
        match = _DAYS_OVER.match(typed)
        if match:
            n = int(match.group(2))
            least, shown = (n + 1, f"เกิน {n:,} วัน") if match.group(1) == "เกิน" else (n, f"ตั้งแต่ {n:,} วัน")
            return (least, shown), " ".join(words[size:])
    return None, args


_DAYS_OVER = re.compile(r"^(เกิน|ตั้งแต่)(\d{1,4})วัน(?:ขึ้นไป)?$")


def amount_and_rest(args: str) -> tuple[int | None, str]:
    """An amount of arrears asked for (มากกว่า 10,000 บาท: "บาท" says it is money, not days) and the rest."""
    text = to_arabic_digits(args)
    match = _AT_LEAST.search(text)
    if not match:
        return None, args
    return int((match.group(1) or match.group(2)).replace(",", "")), (text[:match.start()] + text[match.end():]).strip()


def _month_as_when(text: str, today: dt.date) -> str:
    """A month named at either end (ครบกำหนด ธันวาคม, ใครครบกำหนดเดือนมกราคม): this month's name reads as
    เดือนนี้ and the next one's as เดือนหน้า; the text as it was otherwise."""
    words = text.split()
    for at in (0, -1):
        month = readers.read_month_name(words[at].removeprefix("เดือน")) if words else None
        if month is None:
            continue
        said = {today.month: "เดือนนี้", today.month % 12 + 1: "เดือนหน้า"}.get(month)
        if said is not None:
            words[at] = said
            return " ".join(words)
    return text


def _borrower_instead(ctx: Ctx, text: str) -> Messages | None:
    """ค้างชำระ นายหนึ่ง: a borrower of the officer's area where a place was expected; their card
    (what they owe, what is due, what is late) says what the list would have. None otherwise."""
    loans = find_loans(ctx.view, text) if len(text) >= 3 else []
    return found_reply(ctx, loans) if loans else None


_PAGE = re.compile(r"(?:หน้า|page)\s*(\d+)", re.IGNORECASE)
_BARE_DAYS = re.compile(r"^(\d{1,3})\s*(?:วัน)?(?:\s+([^\d\s\-–].*))?$")   # a number of days alone, maybe a place after


def page_and_rest(args: str) -> tuple[int, str]:
    text = to_arabic_digits(args)
    match = _PAGE.search(text)
    if not match:
        return 1, args.strip()
    return max(1, int(match.group(1))), (text[:match.start()] + text[match.end():]).strip()


def list_reply(ctx: Ctx, *, title: str, where: str, rows: list[dict], top: list[dict], page: int,
                again: str, alt: str, color: str, quick_first: str, other_spans: list[dict] | None = None) -> Messages:
    """One page of a long list, ending with what was left out and how to see it or narrow it.
    `other_spans`: buttons for the same place's other lists or days (after the next page's)."""
    per_page = ctx.list_limit * views.PAGE_BUBBLES
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
        narrow = "<ชื่อหมู่บ้าน/ตำบล" + ("/อำเภอ" if ctx.view.scope.province_wide else "") + ">"
        return (f"และอีก {left:,} รายการ — พิมพ์ {again} หน้า {page + 1} เพื่อดูต่อ "
                f"หรือ {again.split()[0]} {narrow} เพื่อดูให้แคบลง")

    sub = where + (f" · หน้า {page}/{pages}" if pages > 1 else "")
    container, shown = flex.paged_list(title, chunk, per_bubble=ctx.list_limit, subtitle=sub,
                                    top=top if page == 1 else [], note=note, color=color,
                                    max_bubbles=views.PAGE_BUBBLES, counter=pages == 1)
    more = start + shown < len(rows)
    quick = ([flex.message_action(f"หน้า {page + 1}", f"{again} หน้า {page + 1}")] if more else []) + \
        (other_spans or []) + views.main_quick(quick_first)
    return [flex.flex_message(alt, container, quick=quick[:flex.MAX_QUICK_REPLIES])]


@command("due", "ครบกำหนด", "due", usage="ครบกำหนด [วัน] [กองทุน]",
         summary="งวดที่ครบกำหนดภายใน N วัน (ค่าเริ่มต้น 7 วัน)", place=True)
def cmd_due(ctx: Ctx, args: str) -> Messages:
    page, args = page_and_rest(args)
    later = _later_window(args, ctx.today)   # เดือนหน้า, สัปดาห์หน้า: that month or week, not from today
    days, rest = days_and_rest(args, 7, ctx.today)
    if days is None or not 0 <= days <= 366:
        return [flex.text_message("จำนวนวันต้องเป็น 0–366 เช่น ครบกำหนด 30", quick=views.main_quick())]
    only, label, refusal = narrow(ctx, rest)
    if refusal:
        return _borrower_instead(ctx, rest) or refusal
    view, today = ctx.view, ctx.today
    day = view.ledger
    start = today + dt.timedelta(days=later[0]) if later else today
    due = day.due_between(start, today + dt.timedelta(days=days), only_funds(view, only))
    items = []
    for k in due:
        i, inst = day.contract_of(k), day.installment(k)
        loan = view.loan_at(i)
        items.append((inst.due_date, loan.borrower_name, loan, inst, (inst.due_date - today).days,
                      view.book.engine.installment_count(i) > 1))
    items.sort(key=lambda t: (t[0], t[1], t[2].contract_no, t[3].seq))
    where = label or view.scope.label
    title = later[1] if later else f"ครบกำหนดภายใน {days} วัน" if days else "ครบกำหนดวันนี้"
    if not items:
        return [flex.text_message(f"{title} ({where}): ไม่มีงวดที่ต้องชำระ", quick=views.main_quick("ค้างชำระ"))]
    total = day.remaining_total(due)
    per_page = ctx.list_limit * views.PAGE_BUBBLES
    first = (page - 1) * per_page
    rows = [views.due_row(loan, view.ds.funds.get(loan.fund_id), inst.seq, due, inst.remaining, left, several)
            if first <= i < first + per_page else {}
            for i, (due, _, loan, inst, left, several) in enumerate(items)]
    top = [flex.text(f"{len(items):,} งวด รวม {baht(total)}", bold=True),
           flex.text((f"{date_th(start)} ถึง " if later else "ถึงวันที่ ") + date_th(today + dt.timedelta(days=days)),
                     size="xs", color=flex.GREY)]
    again = " ".join(x for x in ("ครบกำหนด", later[2] if later else str(days), without_asking_words(rest)) if x)
    # Who of them has paid lately: what an officer following the due list asks next.
    paid = flex.message_action("ใครจ่ายแล้ว", " ".join(x for x in ("รับชำระล่าสุด", without_asking_words(rest)) if x))
    return list_reply(ctx, title=title, where=where, rows=rows, top=top, page=page, again=again,
                       alt=f"{title} {where}: {len(items):,} งวด รวม {baht(total)}", color=flex.GREEN,
                       quick_first="ค้างชำระ", other_spans=[paid])


@command("overdue", "ค้างชำระ", "เกินกำหนด", "overdue", usage="ค้างชำระ [ช่วง] [กองทุน]",
         summary="สัญญาที่ค้างชำระ เกินกำหนดนานที่สุดก่อน พร้อมยอดรวม (ช่วง: เกิน 90 วัน 31–90 วัน ผิดสัญญา …)", place=True)
def cmd_overdue(ctx: Ctx, args: str) -> Messages:
    page, args = page_and_rest(args)
    view = ctx.view
    # A row named (ค้างชำระ เกิน 90 วัน): its labels are the aging table's, asked only when something follows.
    args = without_asking_words(args)   # ค้างเกินสามเดือนมีกี่ราย: the row, not "มีกี่ราย" glued to it
    row_of, args = aging_row_and_rest(view.ledger.aging().rows, args) if args.strip() else (None, args)
    bare = _BARE_DAYS.match(to_arabic_digits(args)) if row_of is None else None
    if bare:   # ค้างชำระ 90 (บางพระ): overdue longer than that many days, as ครบกำหนด 30 is due within 30
        args = f"เกิน {bare.group(1)} วัน {bare.group(2) or ''}".strip()
    # ค้างเกิน 30 วัน: those overdue longer than a number of days that is no row of the table.
    over, args = days_over_and_rest(args) if row_of is None else (None, args)
    at_least, args = amount_and_rest(args)   # ค้างชำระมากกว่า 10,000 บาท: those in arrears by more
    only, label, refusal = narrow(ctx, args.strip())
    if refusal:
        return _borrower_instead(ctx, args.strip()) or refusal
    day, where = view.ledger, only_funds(view, only)
    # The aging table's overdue rows, contract by contract: in arrears, or marked ผิดสัญญา; the longest
    # overdue first. Sorted on the engine's arrays, and a contract's state made only for the page shown
    # (at 80,000 loans the province has ~8,000 overdue contracts; making every state cost 0.25 s).
    found = [int(i) for i in day.overdue(where)]
    table = day.aging(where)
    chosen = table.overdue if row_of is None else table.rows[row_of]
    if row_of is not None:   # one row of the aging table: ค้างชำระ เกิน 90 วัน, ค้างชำระ ผิดสัญญา
        in_row = day.aging_row.tolist()
        found = [i for i in found if in_row[i] == row_of]
    days, arrears, keys = day.days_overdue.tolist(), day.arrears.tolist(), view.book.engine.keys
    if at_least is not None:
        found = [i for i in found if arrears[i] > at_least * 100]   # the engine counts satang
    if over is not None:
        found = [i for i in found if days[i] >= over[0]]
    found.sort(key=lambda i: (-days[i], -arrears[i], keys[i]))
    where_label = label or view.scope.label
    title = "ค้างชำระ" if row_of is None else chosen.label
    if over is not None:
        title += over[1]
    if at_least is not None:
        title += f" มากกว่า {at_least:,} บาท"
    if not found:
        return [flex.text_message(f"{title} ({where_label}): ไม่มีสัญญา{'ค้างชำระ' if row_of is None and over is None else 'ในช่วงนี้'}",
                                  quick=views.main_quick("ค้างชำระ" if row_of is not None else "ครบกำหนด"))]
    if at_least is None and over is None:
        top = [flex.text(f"{chosen.contracts:,} สัญญา ค้างชำระรวม {baht(chosen.arrears)}", bold=True, color=flex.RED),
               flex.text(f"ยอดคงค้างของสัญญาเหล่านี้ {baht(chosen.outstanding)}", size="xs", color=flex.GREY)]
    else:   # the listed contracts' own figures (the engine's summary of just them), and the whole row's
        listed = set(found)
        picked = day.summary([i in listed for i in range(len(arrears))])
        top = [flex.text(f"{picked.overdue_loans:,} สัญญา ค้างชำระรวม {baht(picked.arrears)}", bold=True, color=flex.RED),
               flex.text(f"จาก {chosen.contracts:,} สัญญาค้างชำระ รวม {baht(chosen.arrears)}", size="xs", color=flex.GREY)]
    if row_of is None and at_least is None and over is None:
        top += views.aging_lines(table, table.rows[1:], skip_empty=True)
    per_page = ctx.list_limit * views.PAGE_BUBBLES
    first = (page - 1) * per_page
    rows = [_overdue_row(view, day, i) if first <= n < first + per_page else {} for n, i in enumerate(found)]
    said = "" if row_of is None else chosen.label.removeprefix("ค้างชำระ").strip()
    more = f"มากกว่า {at_least} บาท" if at_least is not None else ""
    longer = over[1].replace(",", "") if over is not None else ""
    # The next page's command says the place as `narrow` read it: "ค้างกี่คน" pages as ค้างชำระ หน้า 2.
    again = " ".join(x for x in ("ค้างชำระ", said, longer, more, without_asking_words(args.strip())) if x)
    return list_reply(ctx, title=title, where=where_label, rows=rows, top=top, page=page, again=again,
                       alt=f"{title} {where_label}: {chosen.contracts:,} สัญญา รวม {baht(chosen.arrears)}",
                       color=flex.RED, quick_first="ครบกำหนด")


@command("breached", "ผิดสัญญา", "ใครผิดสัญญา", "มีใครผิดสัญญา", "ลูกหนี้ผิดสัญญา", "breached",
         usage="ผิดสัญญา [กองทุน]", summary="สัญญาที่ผิดสัญญา (ค้างชำระ ผิดสัญญา)", in_help=False, place=True)
def cmd_breached(ctx: Ctx, args: str) -> Messages:
    return cmd_overdue(ctx, f"ผิดสัญญา {args}")


def _said(text: str) -> str:
    """A row's words as they may be typed: without ค้างชำระ, spaces, or the kind of dash; a count said in
    Thai words, and months as 30 days (เกินสามเดือน = เกิน 90 วัน, 1-3 เดือน = 31–90 วัน, ไม่เกินเดือน = 1–30 วัน)."""
    text = to_arabic_digits(text).removeprefix("ค้างชำระ").removeprefix("ค้าง")
    text = text.replace(" ", "").replace("-", "–")
    for words, same in (("มากกว่า", "เกิน"), ("นานกว่า", "เกิน"), ("เกินกว่า", "เกิน"), ("ไม่เกินเดือน", "ไม่เกิน1เดือน")):
        text = text.replace(words, same)
    text = _THAI_COUNT.sub(lambda m: str(_THAI_NUMBERS.index(m.group(0)) + 1), text)
    text = _MONTHS_RANGE.sub(lambda m: f"{int(m.group(1)) * 30 + 1}–{int(m.group(2)) * 30}วัน", text)
    text = _MONTHS.sub(lambda m: f"{int(m.group(1)) * 30}วัน", text)
    return _NOT_OVER.sub(lambda m: f"1–{m.group(1)}วัน", text)


_THAI_NUMBERS = ("หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า", "สิบ", "สิบเอ็ด", "สิบสอง")
_THAI_COUNT = re.compile("|".join(sorted(_THAI_NUMBERS, key=len, reverse=True)))
_MONTHS_RANGE = re.compile(r"(\d+)–(\d+)เดือน")
_MONTHS = re.compile(r"(\d+)เดือน")
_NOT_OVER = re.compile(r"^ไม่เกิน(\d+)วัน$")


def aging_row_and_rest(rows: "Sequence[AgingRow]", args: str) -> tuple[int | None, str]:
    """One of the aging table's overdue rows named at the start of `args` (เกิน 90 วัน, 31-90 วัน,
    ผิดสัญญา; "วัน" may be left out), as its position in `rows`, and the rest of the text (a place)."""
    words = args.split()
    for size in range(min(len(words), 4), 0, -1):
        typed = _said("".join(words[:size]))
        for n, row in enumerate(rows):
            if n == 0:
                continue   # the current contracts are not overdue
            label = _said(row.label)
            if typed in (label, label.removesuffix("วัน")):
                return n, " ".join(words[size:])
    return None, args


# Last month and this month, said in words (ยอดรับชำระ's months, รับชำระล่าสุด's spans).
PREVIOUS_MONTH_WORDS = ("เดือนก่อนหน้า", "เดือนที่ผ่านมา", "เดือนที่แล้ว", "เดือนก่อน")
THIS_MONTH_WORDS = ("เดือนนี้",)
# The days no month's figures answer (เก็บได้เท่าไหร่วันนี้, เมื่อวานเก็บได้เท่าไหร่): รับชำระล่าสุด's total does.
_YESTERDAY_WORDS, _WEEK_WORDS = ("เมื่อวานนี้", "เมื่อวาน"), ("สัปดาห์นี้", "อาทิตย์นี้")
DAY_WORDS: tuple[str, ...] = (*_YESTERDAY_WORDS, *_WEEK_WORDS, "วันนี้")


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return month_bounds(*previous_month(today.year, today.month))


Span = Callable[[dt.date], "tuple[dt.date, dt.date]"]
# The days รับชำระล่าสุด looks at, said in words: (word, its first and last day, the title's words), longest
# word first (เมื่อวานนี้ before เมื่อวาน).
_PAID_WHEN: tuple[tuple[str, Span, str], ...] = tuple(sorted((
    *((word, _last_month, "เดือนที่แล้ว") for word in PREVIOUS_MONTH_WORDS),
    *((word, lambda t: (t.replace(day=1), t), "เดือนนี้") for word in THIS_MONTH_WORDS),
    *((word, lambda t: (t - dt.timedelta(days=t.weekday()), t), "สัปดาห์นี้") for word in _WEEK_WORDS),
    *((word, lambda t: (t - dt.timedelta(days=1),) * 2, "เมื่อวาน") for word in _YESTERDAY_WORDS),
    ("วันนี้", lambda t: (t, t), "วันนี้"),
), key=lambda when: -len(when[0])))
PAID_WHEN_WORDS: tuple[str, ...] = tuple(word for word, _, _ in _PAID_WHEN)
PAID_DAYS = 7   # what รับชำระล่าสุด shows when no time is said: a week, today included


def paid_window(args: str, today: dt.date) -> tuple[dt.date, dt.date, str, str, str]:
    """The days รับชำระล่าสุด asks about: (first, last, the title's words, the word that asks it, the rest
    of the text: a place). A time word at either end (วันนี้, เมื่อวาน, สัปดาห์นี้, เดือนนี้, เดือนที่แล้ว) or a
    span (7 วัน, 2 สัปดาห์); the last PAID_DAYS days otherwise."""
    text = " ".join(_span_as_days(to_arabic_digits(args).strip()).split())
    for word, days, shown in _PAID_WHEN:
        for rest in ((text[len(word):] if text.startswith(word) else None),
                     (text[:-len(word)] if text.endswith(word) else None)):
            if rest is not None:
                first, last = days(today)
                return first, last, shown, word, rest.strip()
    said, rest = days_and_rest(text, PAID_DAYS)
    count = min(max(said or PAID_DAYS, 1), 366)
    return today - dt.timedelta(days=count - 1), today, f" {count} วันล่าสุด", str(count), rest


@command("paid", "รับชำระล่าสุด", "ใครจ่ายแล้ว", "paid", "recent payments",
         usage="รับชำระล่าสุด [วันนี้|สัปดาห์นี้|เดือนนี้|N วัน] [สถานที่]",
         summary=f"ใครชำระแล้วบ้าง ล่าสุดก่อน (ค่าเริ่มต้น {PAID_DAYS} วันล่าสุด) ทั้งที่พิมพ์ในชีตและบันทึกทาง LINE",
         place=True)
def cmd_paid(ctx: Ctx, args: str) -> Messages:
    """The repayments of the officer's area (or a place in it) dated in a span, newest first: who has paid,
    the answer a district officer wants before following up the due list."""
    page, args = page_and_rest(args)
    first, last, shown, word, rest = paid_window(args, ctx.today)
    place = without_asking_words(rest)
    only, label, refusal = narrow(ctx, rest)
    if refusal:
        return _borrower_instead(ctx, rest) or refusal
    view = ctx.view
    found: list[tuple[Payment, Loan]] = []
    for contract_no in _paid_contracts(view, first, last):
        loan = view.loan(contract_no)
        if loan is None or (only is not None and loan.fund_id not in only):
            continue
        found.extend((p, loan) for p in view.ds.payments.get(contract_no, ()) if first <= p.paid_date <= last)
    # Newest first; on one day the row typed last first (a sheet grows at the bottom).
    found.sort(key=lambda pl: (pl[0].paid_date, pl[0].row), reverse=True)
    where = label or view.scope.label
    title = f"รับชำระ{shown}"
    span = date_th(first) if first == last else f"{date_th(first)} ถึง {date_th(last)}"
    if not found:   # the other spans one tap away: today may be empty, the week not
        return [flex.text_message(f"{title} ({where}, {span}): ยังไม่มีรายการรับชำระ",
                                  quick=[*_paid_spans(shown, place),
                                         *views.main_quick("ครบกำหนด")][:flex.MAX_QUICK_REPLIES])]
    # The total is the ledger engine's, as ยอดรับชำระ's is; a repayment of a contract the engine cannot
    # count (its amount or due date unreadable) is listed too, and said apart.
    count, satang = view.book.engine.paid_between(first, last, only_funds(view, only))
    total = Decimal(satang).scaleb(-2)   # whole satang -> baht (ledger.engine.baht, without importing numpy here)
    top = [flex.text(f"{count:,} รายการ รวม {baht(total)}", bold=True, color=flex.GREEN),
           flex.text(span, size="xs", color=flex.GREY)]
    uncounted = [p for p, loan in found if view.book.index(loan.contract_no) is None]
    if uncounted:
        top.append(flex.text(f"และ {len(uncounted):,} รายการของสัญญาที่ต้องแก้ข้อมูล "
                             f"รวม {baht(sum((p.amount for p in uncounted), Decimal(0)))} (ไม่นับในยอด ดู ตรวจสอบ)",
                             size="xs", color=flex.RED))
    per_page = ctx.list_limit * views.PAGE_BUBBLES
    start = (page - 1) * per_page
    rows = [views.paid_row(loan, view.ds.funds.get(loan.fund_id), p) if start <= n < start + per_page else {}
            for n, (p, loan) in enumerate(found)]
    again = " ".join(x for x in ("รับชำระล่าสุด", word, place) if x)
    return list_reply(ctx, title=title, where=where, rows=rows, top=top, page=page, again=again,
                      alt=f"{title} {where}: {count:,} รายการ รวม {baht(total)}", color=flex.GREEN,
                      quick_first="ครบกำหนด", other_spans=_paid_spans(shown, place))


# The spans รับชำระล่าสุด offers as buttons (a phone's keyboard is slow): its label, the word it asks with.
_PAID_BUTTONS = (("รับชำระวันนี้", "วันนี้"), ("รับชำระเมื่อวาน", "เมื่อวาน"), ("รับชำระสัปดาห์นี้", "สัปดาห์นี้"),
                 ("รับชำระเดือนนี้", "เดือนนี้"))


def _paid_spans(shown: str, place: str) -> list[dict]:
    """Buttons for the other spans of the same place (not the one shown: `shown` is its title's words)."""
    return [flex.message_action(label, " ".join(x for x in ("รับชำระล่าสุด", word, place) if x))
            for label, word in _PAID_BUTTONS if word != shown]


def _paid_contracts(view: ScopeView, first: dt.date, last: dt.date) -> list[str]:
    """The contracts of the view with a repayment dated first..last: those of its ledger book found on the
    engine's arrays (at 80,000 loans a pass over every repayment record took 70 ms), and the ones the book
    cannot hold (an unreadable amount or due date), which are few, looked at one by one."""
    engine = view.book.engine
    booked = [engine.keys[i] for i in engine.contracts_paid_between(first, last)]
    unbooked = view.memo.get("unbooked")
    if unbooked is None:
        unbooked = view.memo["unbooked"] = [loan.contract_no for loan in view.loans
                                            if view.book.index(loan.contract_no) is None]
    return booked + unbooked


def _overdue_row(view: ScopeView, day: Balances, i: int) -> dict:
    loan = view.loan_at(i)
    return views.overdue_row(loan, view.ds.funds.get(loan.fund_id), day.state(i))
