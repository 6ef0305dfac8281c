"""The daily digest: one LINE push per officer per run date, in Thai (pure, no I/O).

A digest is the list of items (installments) an officer is told about on one
run date, most urgent first, plus how many of the officer's sheet rows could
not be read. `digest_messages` turns it into LINE message objects (dicts as in
LINE's API) that always fit LINE's limits; `digest_text` is the same digest as
plain text (for the outbox, the console and tests).

Layout of the push: ONE flex message (a carousel) whose first bubble carries
the header (title, run date in B.E., counts by kind, "ข้อมูล N แถวต้องแก้ไข")
and whose bubbles list `items_per_bubble` items each; at most 12 bubbles and
50 KB. Items that do not fit are counted in the last bubble ("และอีก N รายการ —
พิมพ์ ค้างชำระ เพื่อดูทั้งหมด") and the message carries quick-reply buttons that
ask the bot for the full lists: a reply is free, a push is not.

Never a citizen id: an item only has the borrower's name, the village, the
contract and installment numbers, the amount and the dates.

The building blocks (`carousel_message`, `quick_reply`, `bubble`)
are public so that the monthly summary (another push) can reuse them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Sequence

from core.thai import baht, date_th, days_phrase
from messaging.base import MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES, json_size

# Display kinds, judged from the due date against the run date (not from the trigger:
# an item caught up after a missed run is shown as it stands today).
OVERDUE, DUE_TODAY, BEFORE_DUE = "overdue", "due_today", "before_due"
KIND_ORDER = (OVERDUE, DUE_TODAY, BEFORE_DUE)
KIND_WORDS = {OVERDUE: "เกินกำหนด", DUE_TODAY: "ครบกำหนดวันนี้", BEFORE_DUE: "ใกล้ครบกำหนด"}
KIND_COLORS = {OVERDUE: "#C62828", DUE_TODAY: "#E65100", BEFORE_DUE: "#1565C0"}

# What the officer types (or taps) to get the full list from the bot.
ASK_OVERDUE = "ค้างชำระ"
ASK_DUE = "ครบกำหนด"

TITLE = "แจ้งเตือนลูกหนี้ กข.คจ."
HEADER_COLOR = "#1B5E20"
# Room kept free under the carousel limit (LINE and we may count a few bytes differently).
SIZE_MARGIN = 1_000


@dataclass(frozen=True)
class DigestItem:
    """One installment in an officer's digest (what the officer needs to follow it up)."""

    contract_no: str
    seq: int
    installments: int          # how many installments the contract has (งวดที่ seq/installments)
    borrower_name: str
    village: str               # "บ้านบางพระ หมู่ 1"
    amount: Decimal            # still to pay on the installment
    due_date: dt.date

    def days_to_due(self, run_date: dt.date) -> int:
        """> 0 before the due date, 0 on it, < 0 overdue."""
        return (self.due_date - run_date).days

    def kind(self, run_date: dt.date) -> str:
        n = self.days_to_due(run_date)
        return BEFORE_DUE if n > 0 else DUE_TODAY if n == 0 else OVERDUE


@dataclass
class Digest:
    run_date: dt.date
    items: list[DigestItem] = field(default_factory=list)
    unreadable: int = 0        # the officer's rows that could not be read

    def sorted_items(self) -> list[DigestItem]:
        """Longest overdue first, then due today, then soonest due (ledger.urgency_sort's order)."""
        rank = {k: i for i, k in enumerate(KIND_ORDER)}
        return sorted(self.items, key=lambda i: (rank[i.kind(self.run_date)], i.due_date,
                                                 i.contract_no, i.seq))

    def counts(self) -> dict[str, int]:
        counts = {k: 0 for k in KIND_ORDER}
        for item in self.items:
            counts[item.kind(self.run_date)] += 1
        return counts


def village_label(village_name: str, village_no: int | None) -> str:
    """'บ้านบางพระ หมู่ 1' from what the fund row says."""
    name = " ".join((village_name or "").split())
    if name and not name.startswith("บ้าน"):
        name = "บ้าน" + name
    if village_no:
        return f"{name} หมู่ {village_no}".strip()
    return name


# ---------------------------------------------------------------- words

def counts_line(counts: dict[str, int]) -> str:
    """'เกินกำหนด 3 · ครบกำหนดวันนี้ 1 · ใกล้ครบกำหนด 5' (kinds with none are left out)."""
    return " · ".join(f"{KIND_WORDS[k]} {counts[k]:,}" for k in KIND_ORDER if counts.get(k))


def unreadable_line(count: int) -> str:
    return f"ข้อมูล {count:,} แถวต้องแก้ไข (ดูแท็บ ตรวจสอบข้อมูล)" if count else ""


def overflow_line(hidden: Sequence[DigestItem], run_date: dt.date) -> str:
    """'และอีก 14 รายการ — พิมพ์ ค้างชำระ เพื่อดูทั้งหมด'."""
    if not hidden:
        return ""
    ask = ASK_OVERDUE if any(i.kind(run_date) == OVERDUE for i in hidden) else ASK_DUE
    return f"และอีก {len(hidden):,} รายการ — พิมพ์ {ask} เพื่อดูทั้งหมด"


def item_lines(item: DigestItem, run_date: dt.date) -> tuple[str, str, str]:
    """Name; village, contract and installment; amount, due date and days."""
    where = f"{item.village} · สัญญา {item.contract_no} งวดที่ {item.seq}/{item.installments}"
    when = (f"ชำระ {baht(item.amount)} · ครบกำหนด {date_th(item.due_date)} "
            f"({days_phrase(item.days_to_due(run_date))})")
    # A flex text must not be empty: a row typed without a name still reaches the officer.
    return item.borrower_name.strip() or "(ไม่ได้กรอกชื่อผู้ยืม)", where.lstrip(" ·"), when


def alt_text(digest: Digest) -> str:
    """What LINE shows in the chat list and notification (≤ 1,500 characters)."""
    parts = [f"{TITLE} {date_th(digest.run_date)}", counts_line(digest.counts())]
    if digest.unreadable:
        parts.append(f"ข้อมูล {digest.unreadable:,} แถวต้องแก้ไข")
    text = ": ".join(parts[:2]) + ("".join(f" · {p}" for p in parts[2:]))
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "…"


# ---------------------------------------------------------------- flex building blocks

def _text(text: str, **style: Any) -> dict:
    return {"type": "text", "text": text, "wrap": True, **style}


def bubble(header_lines: Sequence[tuple[str, dict]], body: list[dict],
           footer: list[dict] | None = None) -> dict:
    """A bubble with a coloured header (lines of text with their style), a body and an optional footer."""
    out: dict[str, Any] = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "backgroundColor": HEADER_COLOR,
                   "paddingAll": "12px",
                   "contents": [_text(t, color="#FFFFFF", **s) for t, s in header_lines]},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm",
                 "contents": body or [_text("-", size="sm")]},
    }
    if footer:
        out["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": footer}
    return out


def quick_reply(words: Iterable[str]) -> dict:
    """Quick-reply buttons that send the given words as messages (the bot answers with a reply)."""
    return {"items": [{"type": "action", "action": {"type": "message", "label": w[:20], "text": w}}
                      for w in words]}


def carousel_message(bubbles: list[dict], alt: str, quick_words: Sequence[str] = ()) -> dict:
    message: dict[str, Any] = {"type": "flex", "altText": alt[:MAX_ALT_TEXT],
                               "contents": {"type": "carousel", "contents": bubbles}}
    if quick_words:
        message["quickReply"] = quick_reply(quick_words)
    return message


def _item_components(item: DigestItem, run_date: dt.date) -> list[dict]:
    name, where, when = item_lines(item, run_date)
    return [_text(name, weight="bold", size="sm", margin="lg"),
            _text(where, size="xs", color="#555555"),
            _text(when, size="xs", color=KIND_COLORS[item.kind(run_date)])]


def _header_lines(digest: Digest, counts: dict[str, int], page: int, pages: int) -> list[tuple[str, dict]]:
    lines: list[tuple[str, dict]] = [(TITLE, {"weight": "bold", "size": "md"})]
    where = f"{date_th(digest.run_date)}" + (f" · หน้า {page}/{pages}" if pages > 1 else "")
    lines.append((where, {"size": "xs"}))
    if page == 1:
        lines.append((counts_line(counts) or "-", {"size": "sm", "weight": "bold"}))
        if digest.unreadable:
            lines.append(("⚠ " + unreadable_line(digest.unreadable), {"size": "xs"}))
    return lines


def _carousel_for(digest: Digest, ordered: list[DigestItem], components: list[list[dict]], shown: int,
                  per_bubble: int, counts: dict[str, int], alt: str) -> dict:
    per_bubble = max(1, per_bubble)
    hidden = ordered[shown:]
    starts = list(range(0, shown, per_bubble)) or [0]
    bubbles = []
    for n, start in enumerate(starts, start=1):
        body = [c for item in components[start: min(shown, start + per_bubble)] for c in item]
        footer = None
        if n == len(starts) and hidden:
            footer = [_text(overflow_line(hidden, digest.run_date), size="sm", weight="bold",
                            color=KIND_COLORS[OVERDUE])]
        bubbles.append(bubble(_header_lines(digest, counts, n, len(starts)), body, footer))
    words = []
    if counts[OVERDUE]:
        words.append(ASK_OVERDUE)
    if counts[DUE_TODAY] or counts[BEFORE_DUE]:
        words.append(ASK_DUE)
    return carousel_message(bubbles, alt, words)


@dataclass
class RenderedDigest:
    messages: list[dict]          # ≤ 5 LINE message objects (here: one flex carousel)
    shown: list[DigestItem]       # in the order shown
    hidden: list[DigestItem]      # counted as "และอีก N รายการ"


def render_digest(digest: Digest, items_per_bubble: int = 8) -> RenderedDigest:
    """The push for one officer, within LINE's limits.

    At most 12 bubbles of `items_per_bubble` items; when the carousel would pass 50 KB
    (or a bubble 30 KB) fewer items are shown and the rest counted as overflow.
    """
    ordered = digest.sorted_items()
    counts, alt = digest.counts(), alt_text(digest)
    shown = min(len(ordered), MAX_BUBBLES * max(1, items_per_bubble))
    components = [_item_components(item, digest.run_date) for item in ordered[:shown]]
    limit = MAX_CAROUSEL_BYTES - SIZE_MARGIN
    first = True
    while True:
        message = _carousel_for(digest, ordered, components, shown, items_per_bubble, counts, alt)
        carousel = message["contents"]
        size = json_size(carousel)
        fits = size <= limit and all(json_size(b) <= MAX_BUBBLE_BYTES - SIZE_MARGIN
                                     for b in carousel["contents"])
        if fits or shown == 0:
            return RenderedDigest([message], ordered[:shown], ordered[shown:])
        if first:
            # Leave out the last items until their bytes (and room for the overflow line) are saved.
            first = False
            saved, need = 0, size - limit + 400
            while shown > 0 and saved < need:
                shown -= 1
                saved += json_size(components[shown])
        else:
            shown -= 1


def digest_messages(digest: Digest, items_per_bubble: int = 8) -> list[dict]:
    """The LINE message objects of one officer's push (see render_digest)."""
    return render_digest(digest, items_per_bubble).messages


# ---------------------------------------------------------------- plain text

def digest_text(digest: Digest, items_per_bubble: int = 8) -> str:
    """The same digest as plain Thai text, with the same items shown and the same overflow."""
    rendered = render_digest(digest, items_per_bubble)
    lines = [f"{TITLE} · {date_th(digest.run_date)}"]
    counts = counts_line(digest.counts())
    if counts:
        lines.append(counts)
    if digest.unreadable:
        lines.append("⚠ " + unreadable_line(digest.unreadable))
    for n, item in enumerate(rendered.shown, start=1):
        name, where, when = item_lines(item, digest.run_date)
        lines += ["", f"{n}. {name}", f"   {where}", f"   {when}"]
    if rendered.hidden:
        lines += ["", overflow_line(rendered.hidden, digest.run_date)]
    return "\n".join(lines)
