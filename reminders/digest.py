"""The daily digest: one LINE push per officer per run date, in Thai (pure, no I/O).

A digest is the list of items (installments) an officer is told about on one
run date, plus how many of the officer's sheet rows could not be read. It reads
at a glance: ONE LINE PER CONTRACT (`ContractLine`: its installments in the digest
together, their amounts summed, the oldest due date shown), the most urgent
contract first, and each line opens the borrower's card when tapped (a postback
the chat understands: `a=cmd&t=ค้นหา <เลขที่สัญญา>`, chat.conversation.on_postback).
`digest_messages` turns it into LINE message objects (dicts as in LINE's API)
that always fit LINE's limits; `digest_text` is the same digest as plain text
(for the outbox, the console and tests).

Layout of the push: ONE flex message (a carousel) whose first bubble carries
the header (title, run date in B.E., counts of contracts by kind, "ข้อมูล N แถวต้องแก้ไข")
and whose bubbles list `items_per_bubble` contracts each; at most 12 bubbles and
50 KB. Contracts that do not fit are counted in the last bubble ("และอีก N รายการ —
พิมพ์ ค้างชำระ เพื่อดูทั้งหมด") and the message carries quick-reply buttons that
ask the bot for the full lists: a reply is free, a push is not.

Never a citizen id: an item only has the borrower's name, the village, the
contract and installment numbers, the amount and the dates.

Every Flex component comes from `messaging.flex`, which also keeps the push within
LINE's limits; this module decides only what the officer reads and in which order.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from core.thai import baht, date_th, days_phrase
from messaging import flex
from messaging.base import MAX_BUBBLES, json_size

# Display kinds, judged from the due date against the run date (not from the trigger:
# an item caught up after a missed run is shown as it stands today).
OVERDUE, DUE_TODAY, BEFORE_DUE = "overdue", "due_today", "before_due"
KIND_ORDER = (OVERDUE, DUE_TODAY, BEFORE_DUE)
KIND_WORDS = {OVERDUE: "เกินกำหนด", DUE_TODAY: "ครบกำหนดวันนี้", BEFORE_DUE: "ใกล้ครบกำหนด"}
KIND_COLORS = {OVERDUE: flex.RED, DUE_TODAY: flex.AMBER, BEFORE_DUE: flex.BLUE}

# What the officer types (or taps) to get the full list, or one borrower's card, from the bot.
ASK_OVERDUE = "ค้างชำระ"
ASK_DUE = "ครบกำหนด"
ASK_CARD = "ค้นหา"
TAP_HINT = "แตะที่รายการเพื่อดูข้อมูลสัญญา"

TITLE = "แจ้งเตือนลูกหนี้ กข.คจ."
HEADER_COLOR = flex.GREEN


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


@dataclass(frozen=True)
class ContractLine:
    """One contract in a digest: its installments in the digest, oldest due date first."""

    items: tuple[DigestItem, ...]

    @property
    def first(self) -> DigestItem:
        """The oldest installment: its date and its kind stand for the line."""
        return self.items[0]

    @property
    def contract_no(self) -> str:
        return self.first.contract_no

    @property
    def amount(self) -> Decimal:
        """Still to pay on the line's installments, together."""
        return sum((i.amount for i in self.items), Decimal(0))

    @property
    def due_date(self) -> dt.date:
        return self.first.due_date

    def kind(self, run_date: dt.date) -> str:
        return self.first.kind(run_date)

    def days_to_due(self, run_date: dt.date) -> int:
        return self.first.days_to_due(run_date)


@dataclass
class Digest:
    run_date: dt.date
    items: list[DigestItem] = field(default_factory=list)
    unreadable: int = 0        # the officer's rows that could not be read

    def lines(self) -> list[ContractLine]:
        """One line per contract, the most urgent first: longest overdue, then due today, then
        soonest due (ledger.urgency_sort's order, judged by each contract's oldest installment)."""
        by_contract: dict[str, list[DigestItem]] = {}
        for item in self.items:
            by_contract.setdefault(item.contract_no, []).append(item)
        lines = [ContractLine(tuple(sorted(items, key=lambda i: (i.due_date, i.seq))))
                 for items in by_contract.values()]
        rank = {k: i for i, k in enumerate(KIND_ORDER)}
        return sorted(lines, key=lambda line: (rank[line.kind(self.run_date)], line.due_date, line.contract_no))

    def counts(self) -> dict[str, int]:
        """Contracts by the kind of their oldest installment."""
        counts = {k: 0 for k in KIND_ORDER}
        for line in self.lines():
            counts[line.kind(self.run_date)] += 1
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


def overflow_line(hidden: Sequence[ContractLine], run_date: dt.date) -> str:
    """'และอีก 14 รายการ — พิมพ์ ค้างชำระ เพื่อดูทั้งหมด'."""
    if not hidden:
        return ""
    ask = ASK_OVERDUE if any(line.kind(run_date) == OVERDUE for line in hidden) else ASK_DUE
    return f"และอีก {len(hidden):,} รายการ — พิมพ์ {ask} เพื่อดูทั้งหมด"


def seq_label(seqs: Sequence[int]) -> str:
    """'2', '1–6' or '2, 4–5': the installment numbers of a line, runs joined."""
    ordered = sorted(set(seqs))
    runs: list[list[int]] = []
    for seq in ordered:
        if runs and seq == runs[-1][-1] + 1:
            runs[-1].append(seq)
        else:
            runs.append([seq])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def line_texts(line: ContractLine, run_date: dt.date) -> tuple[str, str, str]:
    """Name; village, contract and installments; amount (summed), the oldest due date and days."""
    first = line.first
    where = f"{first.village} · สัญญา {first.contract_no} งวดที่ {seq_label([i.seq for i in line.items])}/{first.installments}"
    when = f"ครบกำหนด {date_th(line.due_date)} ({days_phrase(line.days_to_due(run_date))})"
    if len(line.items) == 1:
        money = f"ชำระ {baht(line.amount)}"
    else:
        money, when = f"ชำระรวม {baht(line.amount)} ({len(line.items)} งวด)", "งวดแรก" + when
    # A flex text must not be empty: a row typed without a name still reaches the officer.
    return first.borrower_name.strip() or "(ไม่ได้กรอกชื่อผู้ยืม)", where.lstrip(" ·"), f"{money} · {when}"


def card_postback(contract_no: str) -> str:
    """The postback data that opens the borrower's card in the chat (its `cmd` postback)."""
    return urllib.parse.urlencode({"a": "cmd", "t": f"{ASK_CARD} {contract_no}"})


def alt_text(digest: Digest) -> str:
    """What LINE shows in the chat list and notification (≤ 1,500 characters)."""
    parts = [f"{TITLE} {date_th(digest.run_date)}", counts_line(digest.counts())]
    if digest.unreadable:
        parts.append(f"ข้อมูล {digest.unreadable:,} แถวต้องแก้ไข")
    return flex.alt_text(": ".join(parts[:2]) + ("".join(f" · {p}" for p in parts[2:])))


# ---------------------------------------------------------------- the push (built with messaging.flex)

def _line_component(line: ContractLine, run_date: dt.date) -> dict:
    """The contract's three lines in one box; tapping it asks the chat for the borrower's card."""
    name, where, when = line_texts(line, run_date)
    texts = [flex.text(name, bold=True),
             flex.text(where, size="xs", color=flex.MUTED),
             flex.text(when, size="xs", color=KIND_COLORS[line.kind(run_date)])]
    data = card_postback(line.contract_no)
    if len(data) > flex.MAX_POSTBACK_DATA:
        return flex.box(texts, spacing="none", margin="lg")  # a contract number too long to carry: no tap
    action = flex.postback_action("ดูสัญญา", data, f"{ASK_CARD} {line.contract_no}")
    return flex.box(texts, spacing="none", margin="lg", action=action)


def _header_lines(digest: Digest, counts: dict[str, int], page: int) -> list[dict]:
    """The first bubble's extra header lines: counts by kind, unreadable rows, how to open a card."""
    if page != 1:
        return []
    lines = [flex.text(counts_line(counts) or "-", bold=True, color=flex.WHITE)]
    if digest.unreadable:
        lines.append(flex.text("⚠ " + unreadable_line(digest.unreadable), size="xs", color=flex.WHITE))
    lines.append(flex.text(TAP_HINT, size="xxs", color=flex.WHITE))
    return lines


@dataclass
class RenderedDigest:
    messages: list[dict]          # ≤ 5 LINE message objects (here: one flex carousel)
    shown: list[ContractLine]     # in the order shown
    hidden: list[ContractLine]    # counted as "และอีก N รายการ"


def render_digest(digest: Digest, items_per_bubble: int = 8) -> RenderedDigest:
    """The push for one officer, within LINE's limits.

    At most 12 bubbles of `items_per_bubble` contract lines; when the carousel would pass
    50 KB (or a bubble 30 KB) fewer lines are shown and the rest counted as overflow
    (`messaging.flex.fitted` decides how many fit).
    """
    ordered = digest.lines()
    counts = digest.counts()
    per_bubble = max(1, items_per_bubble)
    most = min(len(ordered), MAX_BUBBLES * per_bubble)
    components = [_line_component(line, digest.run_date) for line in ordered[:most]]
    date = date_th(digest.run_date)

    def build(shown: int) -> dict:
        hidden = ordered[shown:]
        starts = list(range(0, shown, per_bubble)) or [0]
        bubbles = []
        for page, start in enumerate(starts, start=1):
            body = components[start: min(shown, start + per_bubble)]
            footer = None
            if page == len(starts) and hidden:
                footer = [flex.text(overflow_line(hidden, digest.run_date), bold=True, color=KIND_COLORS[OVERDUE])]
            where = date + (f" · หน้า {page}/{len(starts)}" if len(starts) > 1 else "")
            bubbles.append(flex.bubble(TITLE, body or [flex.text("-")], subtitle=where,
                                       header_lines=_header_lines(digest, counts, page), footer=footer,
                                       color=HEADER_COLOR))
        # Always a carousel: the push keeps one shape whatever its length.
        return flex.carousel(bubbles, always=True)

    container, shown = flex.fitted(build, most, lambda i: json_size(components[i]))
    words = []
    if counts[OVERDUE]:
        words.append(ASK_OVERDUE)
    if counts[DUE_TODAY] or counts[BEFORE_DUE]:
        words.append(ASK_DUE)
    message = flex.flex_message(alt_text(digest), container, quick=[flex.message_action(w, w) for w in words])
    return RenderedDigest([message], ordered[:shown], ordered[shown:])


def digest_messages(digest: Digest, items_per_bubble: int = 8) -> list[dict]:
    """The LINE message objects of one officer's push (see render_digest)."""
    return render_digest(digest, items_per_bubble).messages


# ---------------------------------------------------------------- plain text

def digest_text(digest: Digest, items_per_bubble: int = 8) -> str:
    """The same digest as plain Thai text, with the same lines shown and the same overflow."""
    rendered = render_digest(digest, items_per_bubble)
    lines = [f"{TITLE} · {date_th(digest.run_date)}"]
    counts = counts_line(digest.counts())
    if counts:
        lines.append(counts)
    if digest.unreadable:
        lines.append("⚠ " + unreadable_line(digest.unreadable))
    for n, line in enumerate(rendered.shown, start=1):
        name, where, when = line_texts(line, digest.run_date)
        lines += ["", f"{n}. {name}", f"   {where}", f"   {when}"]
    if rendered.hidden:
        lines += ["", overflow_line(rendered.hidden, digest.run_date)]
    return "\n".join(lines)
