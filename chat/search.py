"""Finding a borrower (ค้นหา): by part of a name or a contract number, within the officer's scope."""
from __future__ import annotations

from typing import Any

from core.thai import to_arabic_digits, without_title
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.phrases import named_alone
from chat.places import find_place
from chat.registry import command


def find_loans(view: Any, query: str) -> list[Any]:
    """The view's contracts a query finds: a contract number, part of a name, a phone number."""
    return find_loans_as(view, query)[0]


def find_loans_as(view: Any, query: str) -> tuple[list[Any], str]:
    """find_loans, with the query as it found them (without a word before the name, see ADDRESSING)."""
    q = " ".join(to_arabic_digits(query).split()).lower()
    found = _matching(view, q)
    if found:
        return found, q
    # Taken off only when the whole finds nobody, so a name that begins or ends so is still found (each
    # reading is one more pass over the area's contracts: only a text of that shape is read again):
    # a word before the name, as people say it (รับเงินจากบุญมี, ของนางสาวศิริพร, คุณสมชาย, ป้าบุญเรือน) …
    word = next((w for w in ADDRESSING if q.startswith(w) and len(q) - len(w) >= 2), "")
    bare = q.removeprefix(word).strip()
    # … and what is asked after the name or number (สัญญา … เหลือกี่งวด, ศิริพร งวดหน้าเท่าไหร่): the card says it.
    asked = next(iter(named_alone(bare)), bare)
    for reading in dict.fromkeys((bare, asked)):
        if reading != q and len(reading) >= 2:
            found = _matching(view, reading)
            if found:
                return found, reading
    return [], q


# Longest first: "ของคุณ" before "ของ".
ADDRESSING = ("ของคุณ", "จากคุณ", "ให้คุณ", "ของ", "จาก", "ให้", "คุณ", "ป้า", "ลุง", "พี่", "น้า", "ยาย")


def _matching(view: Any, q: str) -> list[Any]:
    if not q:
        return []
    exact = [loan for loan in view.loans if loan.contract_no.lower() == q]
    if exact:
        return exact
    squeezed = q.replace(" ", "")
    # A phone number, typed with or without its dashes: 6 digits or more, so that a fund code's
    # or a contract's digits are not taken for one.
    digits = squeezed.replace("-", "")
    dialled = digits if len(digits) >= 6 and digits.isdigit() else ""
    found = []
    for loan in view.loans:
        name = loan.borrower_name.lower()
        if q in loan.contract_no.lower() or q in name or squeezed in name.replace(" ", "") or \
                (dialled and dialled in "".join(c for c in loan.phone if c.isdigit())):
            found.append(loan)
    # Those whose name begins with what was typed first (after นาย/นาง/นางสาว), then the ones still owing
    # before the closed contracts (whom an officer seldom looks for), each by name without the title.
    # Closed is read off the ledger's array (a search may match thousands: no state made for each).
    is_open, index = view.ledger.open.tolist(), view.book.index

    def closed(loan: Any) -> bool:   # an unreadable contract is not in the book: not closed, it needs a look
        i = index(loan.contract_no)
        return i is not None and not is_open[i]

    found.sort(key=lambda loan: (not (name := without_title(loan.borrower_name).lower()).startswith(q)
                                 and not loan.borrower_name.lower().startswith(q),
                                 closed(loan), name, loan.contract_no))
    return found


CARDS_MAX = 3   # up to this many matches are shown as full cards


def find_in_places(view: Any, query: str) -> tuple[list[Any], str | None]:
    """Borrowers by name, by a place (ค้นหา บางพระ: everyone there) or by a name then a place
    (ค้นหา สมชาย หมู่ 3); with the place's label when one narrowed it."""
    loans = find_loans(view, query)
    if loans:
        return loans, None
    words = query.split()
    for cut in range(len(words)):   # the whole text a place first, then a name followed by a place
        place = find_place(view.funds, " ".join(words[cut:]))
        if place is None:
            continue
        ids = {f.fund_id for f in place.funds}
        name = " ".join(words[:cut])
        found = [loan for loan in (find_loans(view, name) if name else view.loans) if loan.fund_id in ids]
        if not name:
            found.sort(key=lambda loan: (loan.fund_id, loan.borrower_name, loan.contract_no))
        if found:
            return found, place.label
    return [], None


def result_buttons(loans: list[Any], most: int) -> list[dict]:
    """Quick replies that open a result's card: the borrower and a short contract number, no two alike."""
    actions, labels = [], set()
    for loan in loans[:most]:
        action = views.card_action(loan)
        if action["label"] in labels:
            action = flex.postback_action(flex.clip(loan.contract_no, flex.MAX_LABEL), action["data"],
                                          action.get("displayText"))
        if action["label"] in labels:
            continue
        labels.add(action["label"])
        actions.append(action)
    return actions


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
    loans, where = find_in_places(ctx.view, query)
    return found_reply(ctx, loans, where)


def found_reply(ctx: Ctx, loans: list[Any], where: str | None = None) -> Messages:
    """What a search found (`find_loans`' or `find_in_places`' answer): cards, a list, or nothing
    (`where`: the place that narrowed it). Callers that searched already pass what they found."""
    view = ctx.view
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
    limit = ctx.list_limit * views.PAGE_BUBBLES
    rows = [views.found_row(loan, view.ds.funds.get(loan.fund_id), view.states.get(loan.contract_no))
            for loan in loans[:limit]]

    def note(shown: int) -> str | None:
        left = len(loans) - shown
        return f"และอีก {left:,} รายการ — พิมพ์ชื่อให้ละเอียดขึ้น หรือพิมพ์เลขที่สัญญา" if left > 0 else None

    top = [flex.text(f"พบ {len(loans):,} สัญญา แตะรายชื่อเพื่อดูรายละเอียด", size="xs", color=flex.GREY)]
    container, shown = flex.paged_list("ผลค้นหาลูกหนี้", rows, per_bubble=ctx.list_limit,
                                    subtitle=where or view.scope.label, top=top, note=note, max_bubbles=views.PAGE_BUBBLES)
    # Every row shown opens its card when tapped; the quick replies repeat the first ones as buttons.
    quick = result_buttons(loans[:shown], flex.MAX_QUICK_REPLIES - 2) + views.quick("เมนู", fills=(views.FILL_FIND,))
    return [flex.flex_message(f"ผลค้นหา: {len(loans):,} สัญญา", container, quick=quick)]
