"""Which column is which: the header found on any row, each column matched to a template field
with how sure the match is.

A header is matched on its key (`core.schema.header_key`, then without the dots, dashes and
slashes of Thai abbreviations: ว/ด/ป and วดป., จน.เงิน and จนเงิน are one key) against a table
of the variants registers use, the template's own headers (with config.yaml's renames)
among them. Two-row headers (a merged "การยืม" over วันที่ | จำนวนเงิน | กำหนดส่งคืน) are read
as group and sub-header. A match is *sure* from SURE up; between UNSURE_FROM and SURE, or
as good as a match to another field, it is *unsure* and the import stops and asks (the
mapping file); below, the column is not used (the report lists it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Iterable, Literal, Optional

from core.schema import column_letters, header_key
from sheets.importer.grid import Grid
from sheets.store import Layout

SURE = 0.8
UNSURE_FROM = 0.6
AMBIGUOUS_GAP = 0.05
GROUPED_CONFIDENCE = 0.95
HEADER_SEARCH_ROWS = 40
MIN_HEADER_FIELDS = 3

Kind = Literal["register", "summary"]
State = Literal["sure", "unsure", "unused", "mapped"]
IGNORE, COMPUTED = "ignore", "computed"


@dataclass(frozen=True)
class Field:
    key: str
    thai: str
    kinds: tuple[Kind, ...]
    repeats: bool = False                      # several columns (one pair per payment)
    template: Optional[tuple[str, str]] = None  # (tab key, column key): its header is a variant too


_BOTH: tuple[Kind, ...] = ("register", "summary")
_REG: tuple[Kind, ...] = ("register",)
_SUM: tuple[Kind, ...] = ("summary",)

FIELDS: dict[str, Field] = {f.key: f for f in (
    Field("fund_id", "รหัสกองทุน", _BOTH, template=("funds", "fund_id")),
    Field("district", "อำเภอ", _BOTH, template=("funds", "district")),
    Field("subdistrict", "ตำบล", _BOTH, template=("funds", "subdistrict")),
    Field("village_no", "หมู่ที่", _BOTH, template=("funds", "village_no")),
    Field("village_name", "ชื่อหมู่บ้าน", _BOTH, template=("funds", "village_name")),
    Field("contract_no", "เลขที่สัญญา", _REG, template=("loans", "contract_no")),
    Field("borrower_name", "ชื่อ-สกุลผู้ยืม", _REG, template=("loans", "borrower_name")),
    Field("citizen_id", "เลขประจำตัวประชาชน", _REG, template=("loans", "citizen_id")),
    Field("phone", "เบอร์โทรศัพท์", _REG, template=("loans", "phone")),
    Field("round", "ยืมครั้งที่", _REG, template=("loans", "round")),
    Field("occupation", "อาชีพที่ยืมไปลงทุน", _REG, template=("loans", "occupation")),
    Field("loan_date", "วันที่รับเงินยืม", _REG, template=("loans", "loan_date")),
    Field("amount", "จำนวนเงินยืม", _REG, template=("loans", "amount")),
    Field("due_date", "วันครบกำหนดชำระ", _REG, template=("loans", "due_date")),
    Field("status", "สถานะ", _REG, template=("loans", "status")),
    Field("note", "หมายเหตุ", _BOTH),
    Field("paid_date", "วันที่ชำระ", _REG, repeats=True),
    Field("paid_amount", "จำนวนเงินที่ชำระ", _REG, repeats=True),
    Field("receipt_no", "เลขที่ใบรับเงิน", _REG, repeats=True),
    Field("balance", "ยอดคงเหลือ (ตรวจเทียบเท่านั้น)", _REG),
    Field("households_total", "ครัวเรือนทั้งหมด", _SUM, template=("funds", "households_total")),
    Field("households_target", "ครัวเรือนเป้าหมาย", _SUM, template=("funds", "households_target")),
    Field("capital", "เงินทุน", _SUM, template=("funds", "capital")),
    Field("bank_name", "ธนาคาร", _SUM, template=("funds", "bank_name")),
    Field("bank_account_no", "เลขที่บัญชี", _SUM, template=("funds", "bank_account_no")),
    Field("bank_balance", "เงินฝากธนาคาร", _SUM, template=("funds", "bank_balance")),
    Field("cash_on_hand", "เงินสดในมือ", _SUM, template=("funds", "cash_on_hand")),
    Field(COMPUTED, "ตัวเลขที่โปรแกรมคำนวณเอง (ไม่นำเข้า)", _SUM, repeats=True),
    Field(IGNORE, "ไม่ใช้", _BOTH, repeats=True),
)}

# Header variants seen in district registers and 26(1) files (matched on their keys).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "fund_id": ("รหัสกองทุน", "รหัส กข.คจ.", "รหัสหมู่บ้าน"),
    "district": ("อำเภอ", "อ.", "ชื่ออำเภอ"),
    "subdistrict": ("ตำบล", "ต.", "ชื่อตำบล"),
    "village_no": ("หมู่ที่", "หมู่", "ม.", "ม.ที่", "หมู่ที่/บ้าน"),
    "village_name": ("ชื่อหมู่บ้าน", "หมู่บ้าน", "บ้าน", "ชื่อบ้าน"),
    "contract_no": ("เลขที่สัญญา", "สัญญาเลขที่", "เลขสัญญา", "ที่สัญญา", "เลขที่สัญญายืม", "สัญญายืมเลขที่",
                    "เลขที่สัญญายืมเงิน"),
    "borrower_name": ("ชื่อ-สกุลผู้ยืม", "ชื่อ-สกุล", "ชื่อ - นามสกุล", "ชื่อสกุล", "ชื่อผู้ยืม", "ผู้ยืม",
                      "ชื่อผู้ยืมเงิน", "ชื่อ-สกุลผู้ยืมเงิน", "ชื่อลูกหนี้", "ลูกหนี้", "ชื่อ",
                      "ชื่อ-สกุลลูกหนี้", "ชื่อหัวหน้าครัวเรือน", "หัวหน้าครัวเรือน", "ชื่อครัวเรือน"),
    "citizen_id": ("เลขประจำตัวประชาชน", "เลขบัตรประชาชน", "เลขบัตร", "เลขบัตร ปชช.", "เลขที่บัตรประชาชน",
                   "บัตรประชาชน", "เลขบัตรประจำตัวประชาชน", "ปชช.", "เลขประจำตัวประชาชน 13 หลัก"),
    "phone": ("เบอร์โทรศัพท์", "เบอร์โทร", "โทรศัพท์", "โทร.", "หมายเลขโทรศัพท์", "เบอร์ติดต่อ"),
    "round": ("ยืมครั้งที่", "ครั้งที่ยืม", "ครั้งที่", "รอบที่ยืม"),
    "occupation": ("อาชีพที่ยืมไปลงทุน", "อาชีพ", "อาชีพที่ยืม", "ประกอบอาชีพ", "วัตถุประสงค์", "วัตถุประสงค์การยืม",
                   "โครงการ/อาชีพ", "ยืมไปประกอบอาชีพ", "กิจกรรม"),
    "loan_date": ("วันที่รับเงินยืม", "วันที่ยืม", "วันยืม", "วดป.ที่ยืม", "วันเดือนปีที่ยืม", "วันที่ทำสัญญา",
                  "วันที่รับเงิน", "วดป.ยืม", "วันที่ยืมเงิน", "ยืมวันที่", "วันที่จ่ายเงินยืม", "ว.ยืม"),
    "amount": ("จำนวนเงินยืม", "จำนวนเงิน", "ยอดยืม", "เงินยืม", "จำนวนเงินที่ยืม", "ยอดเงินยืม", "จน.เงิน",
               "ยืมจำนวน", "วงเงินยืม", "จำนวนเงินที่ได้รับ", "จน.เงินยืม"),
    "due_date": ("วันครบกำหนดชำระ", "วันครบกำหนด", "วันที่ครบกำหนด", "ครบกำหนด", "กำหนดส่งคืน", "วันกำหนดส่งคืน",
                 "กำหนดชำระคืน", "วันที่ครบกำหนดชำระ", "ว.ครบกำหนด", "ว.ครบ", "ครบกำหนดส่งใช้", "วันครบกำหนดส่งใช้",
                 "กำหนดคืน", "วันที่ต้องชำระคืน", "กำหนดชำระ"),
    "status": ("สถานะ", "สถานะสัญญา", "สถานะลูกหนี้"),
    "note": ("หมายเหตุ",),
    "paid_date": ("วันที่ชำระ", "วันชำระ", "วันที่ชำระคืน", "วันที่ส่งคืน", "วดป.ที่ชำระ", "วันที่รับชำระ",
                  "วันที่คืนเงิน", "ส่งคืนวันที่", "ชำระวันที่"),
    "paid_amount": ("จำนวนเงินที่ชำระ", "ยอดชำระ", "เงินที่ชำระ", "ชำระคืน", "จำนวนเงินชำระคืน", "ยอดชำระคืน",
                    "ส่งคืน", "จำนวนเงินส่งคืน", "ชำระแล้ว", "รับชำระ", "จำนวนเงินที่ชำระคืน"),
    "receipt_no": ("เลขที่ใบรับเงิน", "เลขที่ใบเสร็จ", "ใบเสร็จเลขที่", "เลขที่ใบรับ", "ใบรับเงินเลขที่"),
    "balance": ("คงเหลือ", "ยอดคงเหลือ", "คงค้าง", "เงินคงเหลือ", "ค้างชำระ", "ยอดค้าง", "ยอดคงค้างชำระ",
                "ลูกหนี้คงเหลือ"),
    "households_total": ("ครัวเรือนทั้งหมด", "จำนวนครัวเรือนทั้งหมด", "จำนวนครัวเรือน", "ครัวเรือนในหมู่บ้าน"),
    "households_target": ("ครัวเรือนเป้าหมาย", "จำนวนครัวเรือนเป้าหมาย", "ครัวเรือนยากจนเป้าหมาย", "เป้าหมาย"),
    "capital": ("เงินทุน", "เงินทุนหมุนเวียน", "เงินทุนทั้งหมด", "งบประมาณที่ได้รับ", "เงินงบประมาณ", "ทุนหมุนเวียน",
                "เงินทุนที่ได้รับ"),
    "bank_name": ("ธนาคาร", "ชื่อธนาคาร"),
    "bank_account_no": ("เลขที่บัญชี", "เลขบัญชี", "เลขที่บัญชีธนาคาร"),
    "bank_balance": ("เงินฝากธนาคาร", "ยอดเงินฝาก", "เงินฝาก", "เงินในบัญชีธนาคาร", "เงินฝากในธนาคาร",
                     "ยอดเงินฝากธนาคาร"),
    "cash_on_hand": ("เงินสดในมือ", "เงินสด", "เงินสดคงเหลือ"),
    COMPUTED: ("ครัวเรือนที่ได้รับยืม", "ครัวเรือนที่ได้รับการยืม", "ครัวเรือนที่ยืม", "ยอดเงินคงค้าง", "เงินคงค้าง",
               "ยอดคงค้างทั้งหมด", "ลูกหนี้คงค้าง", "รวมเงินที่มี", "รวมเงิน", "ได้รับคืนรอบปี",
               "ได้รับคืนรอบปีงบประมาณ", "เงินที่ได้รับคืน", "จำนวนตำบล", "จำนวนหมู่บ้าน", "สัญญาคงค้าง"),
    IGNORE: ("ลำดับ", "ลำดับที่", "ที่", "บ้านเลขที่", "ที่อยู่", "เลขที่บ้าน", "ผู้ค้ำประกัน", "ชื่อผู้ค้ำประกัน",
             "ผู้ค้ำ", "ลายมือชื่อ", "ลงชื่อ", "ลายมือชื่อผู้ยืม", "อายุ", "เพศ", "จำนวนสมาชิก", "สมาชิกในครัวเรือน",
             "ระยะเวลา", "ระยะเวลายืม", "จำนวนงวด", "ลายเซ็น", "รายการ"),
}

# A two-row header: a group over generic sub-headers (การยืม | วันที่, การชำระคืน | จำนวนเงิน).
GROUP_WORDS = {
    "loan": ("การยืม", "ยืม", "เงินยืม", "รายการยืม", "การยืมเงิน", "การรับเงินยืม"),
    "payment": ("การชำระคืน", "ชำระคืน", "การชำระ", "การส่งคืน", "ส่งคืน", "รับชำระ", "การรับชำระ", "การคืนเงิน",
                "คืนเงิน", "ชำระเงินคืน", "การชำระเงินคืน"),
}
SUB_WORDS = {
    "date": ("วันที่", "ว/ด/ป", "วันเดือนปี", "ลงวันที่", "วัน", "วดป"),
    "amount": ("จำนวนเงิน", "จำนวน", "เงิน", "ยอด", "ยอดเงิน", "บาท"),
    "due": ("กำหนดส่งคืน", "ครบกำหนด", "วันครบกำหนด", "กำหนดคืน", "กำหนดชำระ", "กำหนดชำระคืน", "วันที่ครบกำหนด"),
    "receipt": ("เลขที่ใบเสร็จ", "ใบเสร็จ", "เลขที่ใบรับเงิน", "ใบรับเงิน", "เลขที่"),
}
GROUPED = {("loan", "date"): "loan_date", ("loan", "amount"): "amount", ("loan", "due"): "due_date",
           ("payment", "date"): "paid_date", ("payment", "amount"): "paid_amount",
           ("payment", "receipt"): "receipt_no"}
REQUIRED: dict[Kind, tuple[str, ...]] = {"register": ("borrower_name", "loan_date", "amount", "due_date"),
                                         "summary": ()}
SUMMARY_FIGURES = ("households_total", "households_target", "capital", "bank_balance", "cash_on_hand")

_STRIP = str.maketrans("", "", ".-/:,;'\"_*#+–—")


def squash(text: object) -> str:
    """The key a header is matched on: header_key without abbreviation dots, dashes and slashes."""
    return header_key(text).translate(_STRIP)


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA (a column's position as the importer counts it, from 0)."""
    return column_letters(index + 1)


def column_index(letters: str) -> int:
    """A -> 0, AA -> 26 (ValueError when not letters)."""
    text = letters.strip().upper()
    if not text.isascii() or not text.isalpha():
        raise ValueError(f"not a column letter: {letters!r}")
    number = 0
    for ch in text:
        number = number * 26 + ord(ch) - 64
    return number - 1


@dataclass
class ColumnMatch:
    """One column of a table: its header as read and what it was matched to."""

    column: int                 # 0-based
    header: str
    field: Optional[str]        # a FIELDS key, None when unused
    confidence: float
    state: State
    alternative: Optional[str] = None  # the next-best field, when it came close
    why: str = ""               # for an unsure match: what made it so (Thai)

    @property
    def letter(self) -> str:
        return column_letter(self.column)

    @property
    def used(self) -> bool:
        return self.field is not None and self.field not in (IGNORE, COMPUTED) and self.state in ("sure", "mapped")


@dataclass
class HeaderGuess:
    """Where a sheet's table is and what its columns are."""

    first_row: int              # 0-based: the header's top row
    last_row: int               # 0-based: the data starts below it
    kind: Kind
    columns: list[ColumnMatch]
    missing: list[str] = field(default_factory=list)  # required fields no column holds
    mapped: bool = False        # from the mapping file

    @property
    def unsure(self) -> list[ColumnMatch]:
        return [c for c in self.columns if c.state == "unsure"]

    @property
    def blocked(self) -> bool:
        return bool(self.unsure or self.missing)

    def columns_of(self, key: str) -> list[int]:
        """The columns used for a field, left to right."""
        return [c.column for c in self.columns if c.field == key and c.used]


class Matcher:
    """Header text -> fields with scores, for one layout (config.yaml's header renames included)."""

    def __init__(self, layout: Layout):
        variants: dict[str, set[str]] = {key: {squash(text) for text in texts} for key, texts in SYNONYMS.items()}
        for key, spec in FIELDS.items():
            if spec.template:
                variants.setdefault(key, set()).add(squash(layout.header(*spec.template)))
        self.variants = {key: tuple(sorted(v for v in found if v)) for key, found in variants.items()}
        self.groups = {name: {squash(w) for w in words} for name, words in GROUP_WORDS.items()}
        self.subs = {name: {squash(w) for w in words} for name, words in SUB_WORDS.items()}
        self._memo: dict[tuple[str, Optional[Kind], str, bool], list[tuple[str, float]]] = {}

    def scores(self, text: str, kind: Optional[Kind] = None, group: str = "",
               fuzzy: bool = True) -> list[tuple[str, float]]:
        """Fields this header may be, best first (only the kind's fields when given). `group` is the
        text of a merged header above it (a two-row header). Without `fuzzy`, typos are not looked
        for (a quick pass over rows that may not be headers at all)."""
        memo = (text, kind, group, fuzzy)
        if memo not in self._memo:
            self._memo[memo] = self._scores(text, kind, group, fuzzy)
        return self._memo[memo]

    def _scores(self, text: str, kind: Optional[Kind], group: str, fuzzy: bool) -> list[tuple[str, float]]:
        key = squash(text)
        found: dict[str, float] = {}
        if key:
            for name, variants in self.variants.items():
                if kind is None or kind in FIELDS[name].kinds:
                    # "ignore" words are short ("ที่"): only equal or a typo of them, never held in a header
                    found[name] = _best(key, variants, fuzzy, within=name not in (IGNORE, COMPUTED))
        if group:
            grouped = self._grouped(squash(group), key)
            if grouped and (kind is None or kind in FIELDS[grouped].kinds):
                # The group decides: "จำนวนเงิน" under "การชำระคืน" is a payment, not the loan.
                found = {name: score * 0.8 for name, score in found.items()}
                found[grouped] = max(found.get(grouped, 0.0), GROUPED_CONFIDENCE)
            else:  # not a known group: the two rows read as one header
                for name, score in self.scores(f"{group} {text}", kind, "", fuzzy):
                    found[name] = max(found.get(name, 0.0), score)
        return sorted(found.items(), key=lambda pair: (-pair[1], pair[0]))

    def _grouped(self, group: str, sub: str) -> Optional[str]:
        for group_name, words in self.groups.items():
            if group in words:
                for sub_name, subs in self.subs.items():
                    if sub in subs:
                        return GROUPED.get((group_name, sub_name))
        return None

    def match(self, column: int, text: str, kind: Optional[Kind], group: str = "", fuzzy: bool = True) -> ColumnMatch:
        shown = " ".join(f"{group} {text}".split()) if group else " ".join(str(text).split())
        ranked = [pair for pair in self.scores(text, kind, group, fuzzy) if pair[1] > 0]
        if not ranked or ranked[0][1] < UNSURE_FROM:
            return ColumnMatch(column, shown, None, ranked[0][1] if ranked else 0.0, "unused")
        best, score = ranked[0]
        runner = next(((name, s) for name, s in ranked[1:] if s >= UNSURE_FROM), None)
        if runner and runner[1] >= score - AMBIGUOUS_GAP:
            return ColumnMatch(column, shown, best, score, "unsure", runner[0],
                               f"อาจเป็น {FIELDS[best].thai} หรือ {FIELDS[runner[0]].thai}")
        if score < SURE:
            return ColumnMatch(column, shown, best, score, "unsure", runner[0] if runner else None,
                               "หัวคอลัมน์ไม่ตรงกับที่รู้จัก")
        return ColumnMatch(column, shown, best, score, "sure", runner[0] if runner else None)


def _best(key: str, variants: Iterable[str], fuzzy: bool = True, within: bool = True) -> float:
    """How well a header key matches the best of a field's variants: 1 when equal, a bit less when
    one holds the other ("วันที่ยืมเงิน" holds "วันที่ยืม"; "ครบกำหนด" is held by "วันครบกำหนด"),
    else 0.9 of their similarity (a typo). `within=False`: equal or a typo only."""
    best = 0.0
    others = []
    for variant in variants:
        if key == variant:
            return 1.0
        if within and len(variant) >= 3 and variant in key:
            best = max(best, 0.6 + 0.4 * len(variant) / len(key))
        elif within and len(key) >= 3 and key in variant:
            best = max(best, 0.5 + 0.4 * len(key) / len(variant))
        else:
            others.append(variant)
    if not fuzzy:
        return best
    matcher = SequenceMatcher(None, b="")
    matcher.set_seq2(key)  # SequenceMatcher caches what it learns of its second sequence
    for variant in others:
        matcher.set_seq1(variant)
        # quick upper bounds first: most variants are nothing like the header
        if 0.9 * matcher.real_quick_ratio() > best and 0.9 * matcher.quick_ratio() > best:
            best = max(best, 0.9 * matcher.ratio())
    return best


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def header_cells(grid: Grid, row: int, two_rows: bool) -> list[tuple[int, str, str]]:
    """(column, text, group) for every column with a header. A merged header cell counts once, in
    its first column; when the header takes two rows, a merged cell over sub-headers is their group."""
    cells = []
    for col in range(grid.width):
        merge = grid.covered(row, col)
        starts_here = merge is not None and merge.first_row == row
        if starts_here:
            assert merge is not None
            top, first = _text(grid.cell(row, merge.first_col)), merge.first_col == col
        else:
            top, first = _text(grid.cell(row, col)), True
        if two_rows:
            sub = _text(grid.cell(row + 1, col))
            if starts_here and merge is not None and merge.width > 1 and sub:
                cells.append((col, sub, top))
                continue
            if sub and not top:
                cells.append((col, sub, ""))
                continue
        if top and first:
            cells.append((col, top, ""))
    return cells


def _has_group_row(grid: Grid, row: int) -> bool:
    """A merged cell spanning columns in this row with sub-headers under it."""
    return any(m.first_row == row and m.width > 1 and
               any(_text(grid.cell(row + 1, c)) for c in range(m.first_col, m.last_col + 1))
               for m in grid.merges) and row + 1 < len(grid.rows)


def find_header(grid: Grid, matcher: Matcher) -> Optional[HeaderGuess]:
    """The most header-like row (or pair of rows) near the top, matched; None when the sheet has no table."""
    best: Optional[tuple[float, int, bool]] = None
    for row in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
        for two_rows in (False, True):
            if two_rows and not _has_group_row(grid, row):
                continue
            matches = [matcher.match(col, text, None, group, fuzzy=False)
                       for col, text, group in header_cells(grid, row, two_rows)]
            score = header_score(matches)
            # A two-row reading must find more than the row below read alone: a merged title line
            # above an ordinary header ("ข้อมูล ณ วันที่ …") is no group.
            if score >= MIN_HEADER_FIELDS and (best is None or score > best[0] or
                                               (score == best[0] and best[2] and not two_rows)):
                best = (score, row, two_rows)
    if best is None:
        return None
    _, row, two_rows = best
    cells = header_cells(grid, row, two_rows)
    first = [matcher.match(col, text, None, group) for col, text, group in cells]
    fields = {m.field for m in first if m.state != "unused"}
    kind: Kind = "register" if "borrower_name" in fields or not fields & set(SUMMARY_FIGURES) else "summary"
    columns = [matcher.match(col, text, kind, group) for col, text, group in cells]
    return settle(HeaderGuess(row, row + 1 if two_rows else row, kind, columns))


def header_score(matches: Iterable[ColumnMatch]) -> float:
    """Distinct fields matched surely (ignored columns do not count), a little more for sureness."""
    sure = {m.field: m.confidence for m in matches
            if m.state == "sure" and m.field not in (None, IGNORE, COMPUTED)}
    return len(sure) + 0.01 * sum(sure.values())


def settle(guess: HeaderGuess) -> HeaderGuess:
    """Columns that claim the same field, payment columns that do not pair up, required fields no
    column holds: each made unsure or listed as missing, for a person to decide."""
    by_field: dict[str, list[ColumnMatch]] = {}
    for match in guess.columns:
        if match.field and match.state in ("sure", "mapped"):
            by_field.setdefault(match.field, []).append(match)
    for key, matches in by_field.items():
        if FIELDS[key].repeats or len(matches) < 2:
            continue
        top = max(m.confidence for m in matches)
        for match in matches:
            if match.confidence < top or sum(m.confidence == top for m in matches) > 1:
                others = ", ".join(m.letter for m in matches if m is not match)
                match.state, match.why = "unsure", f"{FIELDS[key].thai} มีหลายคอลัมน์ ({others})"
    dates, amounts = len(guess.columns_of("paid_date")), len(guess.columns_of("paid_amount"))
    if dates != amounts:
        for match in guess.columns:
            if match.field in ("paid_date", "paid_amount") and match.used:
                match.state = "unsure"
                match.why = f"คอลัมน์วันที่ชำระ {dates} คอลัมน์ แต่จำนวนเงินที่ชำระ {amounts} คอลัมน์ (จับคู่ไม่ได้)"
    claimed = {m.field for m in guess.columns if m.field and m.state != "unused"}
    guess.missing = [key for key in REQUIRED[guess.kind] if key not in claimed]
    if guess.kind == "summary" and not claimed & {"fund_id", "village_name", "village_no"}:
        guess.missing.append("village_name")
    return guess
