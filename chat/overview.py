"""The state of an area or a fund: สรุป, the fund card (กองทุน), the funds and districts most in arrears
(กองทุนค้างมาก, อำเภอค้างมาก), a month's collections (ยอดรับชำระ) and the data check (ตรวจสอบ)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.months import fiscal_year_be, fiscal_year_start, month_bounds, previous_month, report_as_of
from core.thai import MONTHS_ABBR, baht, date_th, month_th, to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.phrases import without_asking_words
from chat.lists import DAY_WORDS, PREVIOUS_MONTH_WORDS, THIS_MONTH_WORDS, cmd_paid
from chat.places import match_funds, narrow, not_found_fund, only_funds, place_then_command
from chat.registry import command
from chat.rankings import BY_DISTRICT, by_district, cmd_district_ranking, listed_districts
from sheets import readers


@command("fund", "กองทุน", "fund", usage="กองทุน <รหัสหรือชื่อหมู่บ้าน>",
         summary="สถานะกองทุน: เงินทุน เงินฝาก ยอดคงค้าง ค้างชำระ PAR30 ข้อมูลที่ขาด", place=True)
def cmd_fund(ctx: Ctx, args: str) -> Messages:
    view = ctx.view
    if not without_asking_words(args.strip()):   # กองทุน, ยอดเงินทุนทั้งหมด: which fund, with buttons
        return [flex.text_message("พิมพ์ กองทุน ตามด้วยรหัสกองทุนหรือชื่อหมู่บ้าน เช่น กองทุน บางพระ "
                                  "หรือกดกองทุนด้านล่าง (ที่มีลูกหนี้ค้างชำระมากก่อน)",
                                  quick=[*views.fund_buttons(view, view.funds, "กองทุน", 12), *views.quick("เมนู")])]
    funds = match_funds(view, without_asking_words(args.strip()))   # ยอดเงินฝากล่าสุด บ้าน…: "now" is no place
    if not funds:
        # กองทุนบ้านคลองมะพร้าวมีปัญหาอะไร: the fund is what is asked about, another command what is asked.
        return place_then_command(ctx, [args.strip()], args) or not_found_fund(args)
    if len(funds) > 1:
        lines = [f"{f.fund_id} {views.fund_label(f)}" for f in funds[:20]]
        more = f"\nและอีก {len(funds) - 20} กองทุน พิมพ์ชื่อให้ละเอียดขึ้น" if len(funds) > 20 else ""
        return [flex.text_message(f"พบ {len(funds)} กองทุน เลือกกองทุนที่ต้องการ:\n" + "\n".join(lines) + more,
                               quick=[*views.fund_buttons(view, funds, "กองทุน", 12), *views.quick("เมนู")])]
    fund = funds[0]
    where = only_funds(view, {fund.fund_id})
    summary, aging = view.ledger.summary(where), view.ledger.aging(where)
    loans = sum(1 for loan in view.loans if loan.fund_id == fund.fund_id)
    quality = view.quality.fund(fund.fund_id)
    bubble = views.fund_bubble(fund, summary, aging, quality, loans, ctx.today,
                               documents=view.ds.fund_documents(fund), balance=view.ds.bank_balance(fund))
    alt = (f"กองทุน {fund.village_name} ({fund.fund_id}): คงค้าง {baht(aging.total.outstanding)} "
           f"ค้างชำระ {baht(aging.overdue.arrears)} PAR{summary.par_days} {views.percent(summary.par30)}")
    return [flex.flex_message(alt, bubble, quick=views.quick(f"ค้างชำระ {fund.fund_id}", f"ครบกำหนด 30 {fund.fund_id}",
                                                      "ตรวจสอบ", "สรุป", "เมนู", fills=(views.FILL_FIND,)))]


@command("collection", "ใบติดตาม", "collection", usage="ใบติดตาม <รหัสหรือชื่อหมู่บ้าน>",
         summary="ใบติดตามการรับชำระเดือนนี้ของกองทุน: กี่ราย ต้องเก็บเท่าไร และที่พิมพ์ใบติดตาม", place=True)
def cmd_collection(ctx: Ctx, args: str) -> Messages:
    """The fund's collection list for this month, in figures, and where its printable sheet is:
    the Drive folder's link when report.drive_folder_id is set, else the command that prints it."""
    from core.thai import month_th
    from sheets.collection import collection_file_name, collection_lists, drive_folder_link

    view = ctx.view
    args = without_asking_words(args.strip())   # ใบติดตามบ้านไร่ขวางเดือนนี้: "this month" is what it is
    funds = match_funds(view, args) if args else []
    if len(funds) != 1:
        if args.strip() and not funds:
            return not_found_fund(args)
        buttons = views.fund_buttons(view, funds or view.funds, "ใบติดตาม", 12)
        return [flex.text_message("พิมพ์ ใบติดตาม ตามด้วยรหัสกองทุนหรือชื่อหมู่บ้าน (หนึ่งกองทุน) เช่น ใบติดตาม "
                                  + (buttons[0]["text"].split()[-1] if buttons else "230101-01")
                                  + " หรือกดกองทุนด้านล่าง", quick=[*buttons, *views.quick("เมนู")])]
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


@command("notices", "หนังสือแจ้งเตือน", "notices", usage="หนังสือแจ้งเตือน [สถานที่]",
         summary="หนังสือแจ้งเตือนผู้ยืมที่ค้างชำระ: ใครจะได้ และพิมพ์ที่ไหน", in_help=False, place=True)
def cmd_notices(ctx: Ctx, args: str) -> Messages:
    """Where the notice letters are made (the office's `notices` job, which numbers and logs them), and
    who is overdue long enough for one, in the area or a place of it: the list is ค้างชำระ's, a tap away."""
    view = ctx.view
    from sheets.notices import overdue_enough

    fund_ids, label, refused = narrow(ctx, args)
    if refused is not None:
        return refused
    min_days = int(ctx.config.notices.min_days)
    late = overdue_enough(view.ledger, min_days)   # the notices job's own rule
    if fund_ids is not None:
        keep = only_funds(view, fund_ids)
        late = [i for i in late if keep is not None and keep[i]]
    # The job makes a district's letters: the district is named when the place is in one.
    districts = {view.ds.funds[f].district for f in fund_ids if f in view.ds.funds} if fund_ids is not None else set()
    if len(districts) == 1 and next(iter(districts)):
        district = next(iter(districts))
    elif ctx.officer is not None and not view.scope.province_wide:
        district = ctx.officer.district
    else:
        district = "<อำเภอ>"
    gap = int(ctx.config.notices.min_gap_days)
    lines = [f"หนังสือแจ้งเตือนผู้ยืมที่ค้างชำระตั้งแต่ {min_days} วัน ({label or view.scope.label}: ตอนนี้ {len(late):,} สัญญา; "
             f"สัญญาที่ได้หนังสือไปไม่ถึง {gap} วันจะยังไม่ได้ฉบับใหม่)",
             "ออกที่สำนักงาน เป็น PDF หนึ่งฉบับต่อราย ลงเลขที่หนังสือ และบันทึกในแท็บ หนังสือแจ้งเตือน "
             "(ครั้งที่ 1 2 3 ตามที่ออกไปแล้ว) ด้วยคำสั่ง",
             f"python main.py notices --district {district} --dry-run   (ดูก่อนว่าใครจะได้)",
             f"python main.py notices --district {district}"]
    where = f" {without_asking_words(args)}" if fund_ids is not None else ""
    return [flex.text_message("\n".join(lines), quick=views.quick(f"ค้างชำระ{where}", f"ค้างชำระ เกิน 90 วัน{where}",
                                                                  "เมนู"))]


@command("report_file", "รายงานประชุม", "รายงาน pdf", "report", usage="รายงานประชุม",
         summary="รายงานประจำเดือนสำหรับการประชุม (PDF แบบ 26(1) 26(2)): อยู่ที่ไหน พิมพ์อย่างไร", in_help=False)
def cmd_report_file(ctx: Ctx, args: str) -> Messages:
    """Where the month's meeting report is: the PDF the monthly report job makes (what is printed for the
    meeting; the sheet's รายงานประจำเดือน tab is for the screen, too wide for paper), and its figures here."""
    from core.months import default_month, meeting_file_name, month_key
    from core.schema import TABS
    from sheets.collection import drive_folder_link

    year, month = default_month(ctx.today)
    said = month_th(year, month)
    name = meeting_file_name(month_key(year, month), "pdf")
    folder = ctx.config.report.drive_folder_id
    where = ("ในโฟลเดอร์รายงานบน Google Drive (ปุ่มด้านล่าง)" if folder
             else f"ที่เครื่องของสำนักงาน: data/reports/{name}")
    tab = TABS["report"].title
    lines = [f"รายงานประจำเดือน {said} สำหรับการประชุม: PDF แบบ 26(1) 26(2) ขนาด A4 พร้อมพิมพ์",
             f"ระบบทำให้ทุกต้นเดือน อยู่{where} (สรุปประจำเดือนทาง LINE บอกที่อยู่ไฟล์ด้วย)",
             f"แท็บ {tab} ในชีตมีตัวเลขชุดเดียวกันไว้ดูบนจอ (กว้างเกินกระดาษ ให้พิมพ์จาก PDF)",
             "ทำใหม่ที่สำนักงาน: python main.py report --pdf",
             "ดูตัวเลขในแชต: สรุป · ยอดรับชำระ เดือนที่แล้ว · แนวโน้ม"]
    links = [flex.uri_action("เปิดโฟลเดอร์รายงาน", drive_folder_link(folder))] if folder else []
    tab_link = ctx.conv.row_links(ctx, [(tab, 1)]).get((tab, 1))
    if tab_link:
        links.append(flex.uri_action(f"เปิดแท็บ {tab}", tab_link))
    quick = views.quick("สรุป", "ยอดรับชำระ เดือนที่แล้ว", "แนวโน้ม", "เมนู")
    if not links:
        return [flex.text_message("\n".join(lines), quick=quick)]
    bubble = flex.bubble("รายงานประจำเดือน", [flex.text(line, size="sm", wrap=True) for line in lines],
                         footer=[flex.button(link, style="link") for link in links])
    return [flex.flex_message(f"รายงานประจำเดือน {said}", bubble, quick=quick)]


@command("summary", "สรุป", "summary", usage="สรุป [สถานที่]",
         summary="ภาพรวมพื้นที่ (หรือของอำเภอ ตำบล กองทุน): กองทุน สัญญา ยอดคงค้าง ค้างชำระตามช่วง PAR30 คุณภาพข้อมูล", place=True)
def cmd_summary(ctx: Ctx, args: str) -> Messages:
    view = ctx.view
    if args.strip().replace(" ", "") in BY_DISTRICT:
        # The provincial rich menu's รายอำเภอ button: the districts, most in arrears first.
        return cmd_district_ranking(ctx, "")
    (year, month), rest = asked_month(args, ctx.today)
    if rest.split() != to_arabic_digits(args).split():   # a month was named
        if (year, month) != (ctx.today.year, ctx.today.month):
            # สรุป is as of today; a past month's figures are its collections and the trend's line.
            said = f"{MONTHS_ABBR[month - 1]} {year + 543}"
            return [flex.text_message(f"สรุปเป็นยอด ณ วันนี้ ตัวเลขของเดือน {month_th(year, month)} ดูได้ที่ "
                                      f"ยอดรับชำระ {said} (รับชำระ ครบกำหนด อัตราการเก็บ) และ แนวโน้ม "
                                      "(ค้างชำระ PAR30 คงค้าง ณ สิ้นเดือน) หรือในแท็บ รายงานประจำเดือน",
                                      quick=views.quick(f"ยอดรับชำระ {said} {rest}".strip(), f"แนวโน้ม {rest}".strip(),
                                                        f"สรุป {rest}".strip(), "เมนู"))]
        args = rest   # this month: the summary as of today
    only, label, refusal = narrow(ctx, args.strip())
    if refusal:
        return refusal
    key = "summary" if only is None else "summary " + " ".join(sorted(only))
    if key not in view.memo:  # the same for everyone in this scope until the next read
        view.memo[key] = _summary(ctx, view, only, label, args.strip())
    return view.memo[key]


def _summary(ctx: Ctx, view: Any, only: set[str] | None = None, label: str | None = None,
             asked: str = "") -> Messages:
    """The scope's summary, or a place's within it (`only`: its funds, `label`: how to say it,
    `asked`: the place as typed, which the buttons repeat)."""
    par_days = ctx.config.ledger.par_days
    day = view.ledger
    where = only_funds(view, only)
    summary, aging = day.summary(where), day.aging(where)
    quality = view.quality
    funds = [f for f in view.funds if only is None or f.fund_id in only]
    funds_total = len(funds)
    within = {f.fund_id for f in funds}
    funds_ok = sum(1 for f in quality.funds if f.ok and f.fund_id in within)
    due7 = day.due_between(ctx.today, ctx.today + dt.timedelta(days=7), where)
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
    unreadable = view.unreadable_rows(only)
    if unreadable:
        body.append(flex.field("แถวที่อ่านไม่ได้", f"{unreadable:,} แถว (พิมพ์ ตรวจสอบ)", color=flex.RED))
    listed = listed_districts(view, only)
    if listed is not None:
        body += [flex.separator(), flex.text("รายอำเภอ (คงค้าง / ค้างชำระ / PAR30)", size="xs", color=flex.GREY)]
        names, tables, parts = by_district(view, day, where, listed)
        for district in names:
            table = tables[district]
            body.append(flex.text(f"อ.{district}: {baht(table.total.outstanding, unit=False)} / "
                               f"{baht(table.overdue.arrears, unit=False)} / {views.percent(parts[district].par30)}",
                               size="xs"))
    where_label = label or view.scope.label
    bubble = flex.bubble(f"สรุป {where_label}", body, subtitle=f"ณ {date_th(ctx.today)}")
    alt = (f"สรุป {where_label}: คงค้าง {baht(aging.total.outstanding)} ค้างชำระ {baht(aging.overdue.arrears)} "
           f"PAR{par_days} {views.percent(summary.par30)}")
    if only is None:
        quick = views.main_quick("ค้างชำระ", "ครบกำหนด", "ตรวจสอบ")
    else:  # the place's own lists, and its funds to choose from: the place as it was typed
        quick = views.quick(f"ค้างชำระ {asked}", f"ครบกำหนด {asked}", f"กองทุน {asked}", "สรุป", "เมนู")
    return [flex.flex_message(alt, bubble, quick=quick)]


# สรุป รายอำเภอ (the provincial rich menu's button) and the like: the summary by district.
# "Last month", as people say it (longest first: เดือนที่แล้ว before เดือน…).


def asked_month(text: str, today: dt.date) -> tuple[tuple[int, int], str]:
    """(the month asked for, the rest of the text): เดือนนี้ (and nothing) is this month, เดือนที่แล้ว the
    one before, a Thai month's name (พฤศจิกายน, พ.ย.) the latest such month, or that of the year after it
    (2569, 69), at the start or the end of the text. The rest is a place."""
    words = to_arabic_digits(text).split()
    for at_start in (True, False):
        for size in (2, 1):   # a month's name with its year, or one word
            if len(words) < size:
                continue
            said = words[:size] if at_start else words[-size:]
            rest = words[size:] if at_start else words[:-size]
            found = _month_of(said, today)
            if found is not None:
                return found, " ".join(rest)
    return (today.year, today.month), " ".join(words)


def _month_of(words: list[str], today: dt.date) -> tuple[int, int] | None:
    """A month's words (the name, with or without its year) as the sheet's dates read them (sheets.readers)."""
    head = words[0]
    if len(words) == 1 and head in THIS_MONTH_WORDS:
        return today.year, today.month
    if len(words) == 1 and head in PREVIOUS_MONTH_WORDS:
        return previous_month(today.year, today.month)
    month = readers.read_month_name(head.removeprefix("เดือน"))
    if month is None:
        return None
    if len(words) == 2:
        try:
            return readers.read_year(words[1]), month
        except readers.CellError:
            return None
    return (today.year if month <= today.month else today.year - 1), month


@command("collected", "ยอดรับชำระ", "collected", usage="ยอดรับชำระ [เดือน] [สถานที่]",
         summary="เงินที่รับชำระในเดือน (เดือนนี้ เดือนที่แล้ว หรือชื่อเดือน) งวดที่ครบกำหนดในเดือนและที่ชำระแล้ว "
                 "รับชำระตั้งแต่ต้นปีงบประมาณ (ตัวเลขเดียวกับรายงานประจำเดือน)", place=True)
def cmd_collected(ctx: Ctx, args: str) -> Messages:
    """A month's collections in the officer's area or a place in it, as the monthly report counts them
    (the same engine, month and as-of date: the month's last day, or today while it runs)."""
    said = args.strip()   # (before the asking words go: วันนี้ is one of them)
    if any(said.startswith(w) or said.endswith(w) for w in DAY_WORDS):
        return cmd_paid(ctx, said)   # a day or a week, not a month: who paid then, and their total
    view = ctx.view
    (year, month), rest = asked_month(args, ctx.today)
    if rest.replace(" ", "") in BY_DISTRICT:
        rest = ""   # ยอดรับชำระ รายอำเภอ: the area's answer holds its districts' lines
    start, _ = month_bounds(year, month)
    if start > ctx.today:
        return [flex.text_message(f"เดือน {month_th(year, month)} ยังไม่ถึง พิมพ์ ยอดรับชำระ เดือนนี้ "
                                  "หรือ ยอดรับชำระ เดือนที่แล้ว", quick=views.main_quick("ยอดรับชำระ"))]
    only, label, refusal = narrow(ctx, rest)
    if refusal:
        return refusal
    as_of = report_as_of(year, month, ctx.today)
    fy_start = fiscal_year_start(as_of)
    day = view.ledger if as_of == ctx.today else view.book.at(as_of)
    where = only_funds(view, only)
    m = day.month(start, fy_start, where)
    # The report's words for its figures (report/columns.py, the LINE summary).
    body: list[dict] = [
        flex.field("รับชำระในเดือน", baht(m.collected_in_month), bold=True),
        flex.field("ครบกำหนดในเดือน", f"{m.due_installments:,} งวด · {baht(m.due_in_month)}"),
        flex.field("ชำระแล้วจากยอดครบกำหนด", baht(m.paid_of_due)),
        flex.field("อัตราการเก็บ", views.percent(m.paid_of_due / m.due_in_month) if m.due_in_month else "-", bold=True),
        flex.field(f"ได้รับคืนปีงบ {fiscal_year_be(as_of)}", f"{baht(m.repaid_fiscal_year)} (ตั้งแต่ {date_th(fy_start)})"),
    ]
    groups = listed_districts(view, only)
    if groups is not None:
        per = day.month_by(start, fy_start, groups, where)
        body += [flex.separator(), flex.text("รายอำเภอ (รับชำระในเดือน / ครบกำหนดในเดือน / ชำระแล้ว)", size="xs",
                                             color=flex.GREY)]
        for district in groups.names:
            d = per[district]
            body.append(flex.text(f"อ.{district}: {baht(d.collected_in_month, unit=False)} / "
                                  f"{baht(d.due_in_month, unit=False)} / {baht(d.paid_of_due, unit=False)}", size="xs"))
    where_label = label or view.scope.label
    running = as_of < month_bounds(year, month)[1]
    bubble = flex.bubble(f"ยอดรับชำระ {month_th(year, month)}", body,
                         subtitle=f"{where_label} · {'ถึง' if running else 'ทั้งเดือน ถึง'} {date_th(as_of)}")
    other = "ยอดรับชำระ เดือนก่อน" if (year, month) == (ctx.today.year, ctx.today.month) else "ยอดรับชำระ"
    alt = (f"ยอดรับชำระ {month_th(year, month)} {where_label}: รับชำระ {baht(m.collected_in_month)} "
           f"ครบกำหนด {baht(m.due_in_month)} ชำระแล้ว {baht(m.paid_of_due)}")
    return [flex.flex_message(alt, bubble, quick=views.quick(other, "สรุป", "ค้างชำระ", "เมนู"))]


TREND_MONTHS = 6   # แนวโน้ม: this month and the five before it


@command("trend", "แนวโน้ม", "trend", usage="แนวโน้ม [สถานที่]",
         summary=f"ค้างชำระ PAR30 และรับชำระ {TREND_MONTHS} เดือนล่าสุด ณ สิ้นแต่ละเดือน เทียบกับเดือนก่อน", place=True)
def cmd_trend(ctx: Ctx, args: str) -> Messages:
    """The area's (or a place's) arrears, PAR30, outstanding and collections at the end of each of the last
    months, from today's sheet through the one engine: สรุป's figures as of each month's as-of date (the
    report's: its last day, or today for this month) and ยอดรับชำระ's month."""
    view = ctx.view
    only, label, refusal = narrow(ctx, args.strip())
    if refusal:
        return refusal
    where = only_funds(view, only)
    months = [(ctx.today.year, ctx.today.month)]
    while len(months) < TREND_MONTHS:
        months.append(previous_month(*months[-1]))
    rows = []
    for year, month in reversed(months):   # the oldest first, as a trend reads
        as_of = report_as_of(year, month, ctx.today)
        day = view.ledger if as_of == ctx.today else view.book.at(as_of)
        aging = day.aging(where)
        rows.append((year, month, as_of, aging.overdue, aging.total.outstanding, day.summary(where).par30,
                     day.month(month_bounds(year, month)[0], fiscal_year_start(as_of), where).collected_in_month))
    widest = max((row[3].arrears for row in rows), default=Decimal(0))
    par_days = ctx.config.ledger.par_days
    body: list[dict] = []
    before = None
    for year, month, as_of, overdue, outstanding, par, collected in rows:
        change = ""
        if before is not None and overdue.arrears != before:
            change = f" {'▲' if overdue.arrears > before else '▼'} {baht(abs(overdue.arrears - before), unit=False)}"
        before = overdue.arrears
        share = float(overdue.arrears / widest) if widest else 0.0
        body += [
            flex.box([flex.text(f"{MONTHS_ABBR[month - 1]} {year + 543}" + ("" if as_of == month_bounds(year, month)[1]
                                                                         else f" (ถึง {as_of.day})"), bold=True, flex=5),
                      flex.text(f"ค้าง {baht(overdue.arrears, unit=False)}{change}", align="end", flex=6,
                                color=flex.RED if overdue.arrears else None)],
                     layout="horizontal", margin="md"),
            # A bar as long as the month's arrears against the largest of the months shown.
            flex.box([flex.box([], width=f"{max(share * 100, 1):.0f}%", height="6px", backgroundColor=flex.RED)],
                     height="6px", backgroundColor="#EEEEEE"),
            flex.text(f"{overdue.contracts:,} สัญญาค้าง · PAR{par_days} {views.percent(par)} · "
                      f"คงค้าง {baht(outstanding, unit=False)} · รับชำระในเดือน {baht(collected, unit=False)}",
                      size="xs", color=flex.GREY),
        ]
    body.append(flex.text("คำนวณจากข้อมูลในชีตวันนี้ ณ สิ้นแต่ละเดือน (บาท) ตัวเลขที่รายงานในที่ประชุมอยู่ในแท็บ "
                          "สรุปรายเดือน", size="xxs", color=flex.GREY, margin="lg"))
    where_label = label or view.scope.label
    first, last = rows[0], rows[-1]
    alt = (f"แนวโน้ม {where_label}: ค้างชำระ {month_th(first[0], first[1])} {baht(first[3].arrears)} → "
           f"{month_th(last[0], last[1])} {baht(last[3].arrears)}")
    bubble = flex.bubble(f"แนวโน้ม {TREND_MONTHS} เดือน", body, subtitle=where_label, color=flex.RED)
    asked = args.strip()
    return [flex.flex_message(alt, bubble, quick=views.quick(*(f"{w} {asked}".strip() for w in ("สรุป", "ยอดรับชำระ",
                                                                                                "ค้างชำระ")), "เมนู"))]


@command("check", "ตรวจสอบ", "check", usage="ตรวจสอบ [สถานที่]",
         summary="ปัญหาข้อมูลในกองทุนของท่าน (หรือของอำเภอ ตำบล กองทุน) เรียงจากมากไปน้อย", place=True)
def cmd_check(ctx: Ctx, args: str) -> Messages:
    view = ctx.view
    report = view.quality
    scope = view.scope
    only, label, refusal = narrow(ctx, args.strip())   # ตรวจสอบ บางพระ: that place's funds only
    if refusal:
        return refusal
    where = label or scope.label

    def shown(fund_id: str | None) -> bool:
        return bool(fund_id) and scope.allows_fund(fund_id) and (only is None or fund_id in only)

    funds = [f for f in report.worst_first() if shown(f.fund_id)]
    bad = [f for f in funds if not f.ok]
    problems = [p for p in report.problems if p.level == "error"
                and (shown(p.fund_id) or (not p.fund_id and scope.province_wide and only is None))]
    limit = ctx.list_limit
    ok = len(funds) - len(bad)
    first: list[dict] = [flex.text(f"ผ่านครบ {ok:,} จาก {len(funds):,} กองทุน", bold=True,
                                color=flex.GREEN if not bad else flex.RED)]
    if report.capacity_note and scope.province_wide and only is None:  # the spreadsheet filling up: say it first
        first.insert(0, flex.text(report.capacity_note, size="xs", color=flex.RED))
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
        container, _ = flex.paged_list("ตรวจสอบข้อมูล", rows[:limit], per_bubble=limit, subtitle=where,
                                    top=first)
        bubbles.append(container)
    else:
        bubbles.append(flex.bubble("ตรวจสอบข้อมูล", first + [flex.text("ทุกกองทุนข้อมูลครบถ้วน ถูกต้อง เป็นปัจจุบัน")],
                                subtitle=where))
    if len(bad) > limit:
        bubbles[0]["body"]["contents"].append(flex.text(
            f"และอีก {len(bad) - limit:,} กองทุน — พิมพ์ กองทุน <รหัส> หรือดูทั้งหมดในแท็บ ตรวจสอบข้อมูล",
            size="xs", color=flex.AMBER))
    districts = sorted({f.district for f in funds if f.district})
    if len(districts) > 1:
        # Indicator 9.1 district by district (the monthly meeting's question), as the check job's lines give it.
        lines = []
        for district in districts:
            mine = [f for f in funds if f.district == district]
            good = sum(f.ok for f in mine)
            lines.append(flex.text(f"อ.{district}  {good:,}/{len(mine):,} กองทุน ({100 * good / len(mine):.1f}%)",
                                   size="sm", color=flex.GREEN if good == len(mine) else flex.RED))
        bubbles.append(flex.bubble("ตัวชี้วัด 9.1 รายอำเภอ", lines, subtitle="ข้อมูลครบถ้วน ถูกต้อง เป็นปัจจุบัน"))
    if problems:
        # Each problem opens its row in the sheet when tapped (on Google Sheets), to be fixed there.
        links = ctx.conv.row_links(ctx, [(p.tab, p.row) for p in problems[:limit] if p.row])
        lines = []
        for p in problems[:limit]:
            line = flex.text(flex.clip(f"{p.tab} แถว {p.row} {p.header}: {p.message}" if p.row else
                                       f"{p.tab}: {p.message}", 200), size="xs")
            link = links.get((p.tab, p.row)) if p.row else None
            lines.append(flex.box([line, flex.text("แตะเพื่อเปิดแถวนี้ในชีต", size="xxs", color=flex.BLUE)],
                                  spacing="none", action=flex.uri_action("เปิดในชีต", link)) if link else line)
        if len(problems) > limit:
            lines.append(flex.text(f"และอีก {len(problems) - limit:,} รายการ — ดูทั้งหมดในแท็บ ตรวจสอบข้อมูล",
                                size="xs", color=flex.AMBER))
        bubbles.append(flex.bubble("ข้อผิดพลาดที่ต้องแก้", lines, subtitle=f"{len(problems):,} จุด", color=flex.RED))
    unreadable = view.unreadable_rows(only)
    if unreadable:
        bubbles[-1]["body"]["contents"].append(flex.text(
            f"แถวที่อ่านไม่ได้และไม่ถูกนับในยอดต่าง ๆ: {unreadable:,} แถว", size="xs", color=flex.RED))
    flat: list[dict] = []
    for b in bubbles:
        flat.extend(b["contents"] if b.get("type") == "carousel" else [b])
    container = flex.carousel(flat[:flex.MAX_BUBBLES])
    alt = f"ตรวจสอบข้อมูล {where}: ผ่าน {ok:,}/{len(funds):,} กองทุน ข้อผิดพลาด {len(problems):,} จุด"
    worst = [view.ds.funds[q.fund_id] for q in bad[:5] if q.fund_id in view.ds.funds]
    return [flex.flex_message(alt, container, quick=[*views.named_fund_buttons(worst, "กองทุน"),
                                                     *views.quick("สรุป", "เมนู")])]
