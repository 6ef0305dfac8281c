"""Finding a borrower (ค้นหา): by part of a name or a contract number, within the officer's scope."""
from __future__ import annotations

from typing import Any

from core.thai import to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.lists import PAGE_BUBBLES
from chat.registry import command


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


CARDS_MAX = 3   # up to this many matches are shown as full cards


def _find_quick(loan: Any) -> list[dict]:
    # No บันทึกรับชำระ here: the card's own button starts it (one button, once).
    return views.quick(f"กองทุน {loan.fund_id}", "ค้างชำระ", "ครบกำหนด", "เมนู", fills=(views.FILL_FIND,))


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
