"""The page frame every PDF of the project shares: A4, the Sarabun face, the office's name at the
head of each page, หน้า x/y at its foot, and a plain table that repeats its header on every page.

Why fpdf2: pure-Python wheels with nothing a fresh machine lacks, subsetted TrueType embedding,
and text shaping through uharfbuzz, so that Thai vowels and tone marks sit where the font's own
rules put them (ปี่, ญี่ปุ่น, น้ำ). ReportLab does not shape Thai; WeasyPrint needs Pango and Cairo
from the system. Sarabun (SIL Open Font License 1.1, which allows shipping and embedding it) is
the face of Thai government documents; the `fontpkg-sarabun` wheel carries its .ttf files.

The table is our own rather than fpdf2's `table()`: fpdf2 lays every cell out as a wrapping
paragraph, which costs 13 s for a 3,800-fund form 26(1); single-line cells with shaping only
where a text has marks to place cost about a tenth of that. A text wider than its column (a
long name) still wraps, at its spaces: headers are written with spaces between their words.

Every figure drawn here is given: the callers take them from `report.monthly.MonthlyReport`
and the ledger engine. The helpers below only write them as people read them.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Hashable, Iterable, Sequence

import fontpkg_sarabun
from fpdf import FPDF
from fpdf.enums import PDFResourceType, TextDirection, XPos, YPos
from fpdf.fonts import Glyph, TTFFont
from fpdf.line_break import Fragment

from core.thai import date_th_full

FONT = "Sarabun"
FONT_FILES = Path(fontpkg_sarabun.ROOT) / "files"
# Sizes in points. Nothing anywhere is smaller than SMALL (tests/test_pdf.py measures them).
TITLE, HEADING, BODY, TABLE, SMALL = 18, 16, 15, 12, 12
MARGIN = 10.0        # mm: the sides of a report page (a letter sets its own), the top and the foot
LINE = 7.0           # mm, a body line at BODY
ROW = 6.6            # mm, a table row at TABLE
GREY, LIGHT, DARK = (90, 90, 90), (235, 235, 235), (20, 20, 20)
# Characters placed on or under another (above/below vowels, tone marks, sara am): only a text
# holding one needs shaping; digits and plain letters are drawn as they come, much faster.
_MARKS = re.compile("[\u0e31\u0e33-\u0e3a\u0e47-\u0e4e]")
# A figure wider than its column is drawn narrower (horizontal scaling, the size unchanged) down to
# this percentage rather than broken over two lines: "46,095,100.00" in a bold total row.
MIN_SQUEEZE = 80
# What can make a text right-to-left, or not one run: Hebrew, Arabic and the other RTL scripts,
# and the bidi marks, embeddings and isolates. No Thai document has them; one that does takes
# fpdf2's own Unicode bidi algorithm (see Document._preload_bidirectional_text).
# Thai and the characters of no script (ASCII digits, punctuation, the space): a text of only these
# is one fragment for fpdf2 (it starts a new one only where one script gives way to another).
_ONE_SCRIPT = re.compile("[\u0e00-\u0e7f\x20-\x40\x5b-\x60\x7b-\x7e]+")
# The codes a part's glyphs are given (Document.begin_part): a face's subset numbers the glyphs it
# meets 0, 1, 2 ... in the order met, so two processes drawing at once would give one code two
# glyphs. A part numbers the glyphs it meets first from here; the document never gets here (a
# face has under a thousand glyphs), and stays below the UTF-16 surrogates its text is written in.
PART_CODES = 0x8000
_BIDI = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
                   "\U00010800-\U00010fff\U0001e800-\U0001efff]")


# -- figures as people read them -------------------------------------------------------------
def money(value: Decimal | float | int | None) -> str:
    """12,345.00 — baht with satang, as the official forms write them; "-" for none."""
    return "-" if value is None else f"{Decimal(str(value)):,.2f}"


def count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def signed_money(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return "0.00" if value == 0 else f"{value:+,.2f}"


def signed_count(value: int | None) -> str:
    if value is None:
        return "-"
    return "0" if value == 0 else f"{value:+,}"


def signed_points(value: float | None) -> str:
    """A change of a rate, in percentage points (PAR30 10% -> 12% = +2.0 จุด)."""
    if value is None:
        return "-"
    return "0.0 จุด" if round(value, 1) == 0 else f"{value:+.1f} จุด"


# -- tables -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: str
    width: float         # mm
    align: str = "R"     # L | C | R


@dataclass(frozen=True)
class PartPage:
    orientation: str                 # P | L
    contents: bytes                  # the page's content stream, head included, no foot
    fonts: tuple[int, ...]           # the faces it uses (fpdf2's font numbers)


@dataclass(frozen=True)
class Part:
    """Pages a copy of a document drew in another process, for the document to join
    (`Document.begin_part`, `Document.part`, `Document.join`)."""
    pages: tuple[PartPage, ...]
    glyphs: tuple[tuple[str, tuple[tuple[int, tuple[int, ...], str, int, int], ...]], ...]
    # ^ per face (fpdf2's font key): each glyph it met first (id, characters, name, width) and its code
    biggest: tuple[tuple[str, float], ...]   # per face: the largest size it drew at
    x: float                                 # where the part ended on its last page
    y: float


class _JoinedGlyph(Glyph):
    """A glyph as a part numbered it: never equal to the document's own entry for the same glyph,
    so a glyph both drew keeps both codes in the face's subset (each written to the file)."""

    __slots__ = ()


@dataclass(frozen=True)
class Signature:
    role: str            # ผู้รายงาน, ผู้ตรวจ ...
    name: str            # blank: a dotted line to write on
    position: str


class Document(FPDF):
    """An A4 document: Sarabun, a running head (the office, the document) and หน้า x/y."""

    remember_shapes = True   # see _remember_shapes (a test switches it off to compare the pages)
    replay_cells = True      # see _replayed_cell (likewise)

    def __init__(self, office: str, running_title: str, *, page_numbers: bool = True,
                 running_head: bool = True, made: dt.date | None = None, left: float = MARGIN,
                 right: float = MARGIN) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.office, self.running_title = office, running_title
        self.page_numbers, self.running_head, self.made = page_numbers, running_head, made
        self.add_font(FONT, "", FONT_FILES / "Sarabun-Regular.ttf")
        self.add_font(FONT, "B", FONT_FILES / "Sarabun-Bold.ttf")
        if self.remember_shapes:
            for face in self.fonts.values():
                if isinstance(face, TTFFont):
                    _remember_shapes(face)
        self.set_text_shaping(True)
        self._shaping = True
        self._lines: dict[tuple[str, str, float, float, str], tuple[str, ...]] = {}  # see lines_of
        self._widths: dict[tuple[Hashable, ...], float] = {}  # see _width_of
        self._drawn: dict[tuple[Hashable, ...], tuple[bytes, float, float]] = {}  # see _replayed_cell
        self._part_from: int | None = None   # see begin_part
        self._joining = False                # see join
        self.set_margins(left, MARGIN + 5, right)
        self.c_margin = 0.8   # mm inside a cell: amounts of 11 million baht fit a 30 mm column
        self.set_auto_page_break(True, margin=MARGIN + 8)
        self.set_title(running_title)
        self.set_author(office)
        self.set_creator("กข.คจ. Care")
        self.set_lang("th")

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Fragment]:
        """fpdf2 runs the Unicode bidi algorithm over every shaped text, a Python loop per
        character: a quarter of a big province's report PDF (4.1 s -> 3.1 s without it). A text
        with nothing that reads right to left is one left-to-right run, which is what the
        algorithm finds for it, so that run is made directly, and when it is Thai with digits and
        punctuation only, its one fragment too; any other text goes through fpdf2's own way.
        fpdf2 is pinned (requirements.txt), and tests/test_pdf_report.py makes the meeting report
        both ways and compares every page."""
        if not self.text_shaping or self.text_shaping["direction"] or _BIDI.search(text):
            return super()._preload_bidirectional_text(text, markdown)
        self.text_shaping["paragraph_direction"] = TextDirection.LTR
        self.text_shaping["fragment_direction"] = TextDirection.LTR
        emphasis = ("B" in self.font_style, "I" in self.font_style, self.strikethrough, self.underline)
        if (markdown or not text or not _ONE_SCRIPT.fullmatch(text) or self._fallback_font_ids
                or (self.str_alias_nb_pages and self.str_alias_nb_pages in text)):
            return tuple(self._preload_font_styles(text, markdown, _initial_emphasis=emphasis))
        # Thai with digits and punctuation, nothing else: fpdf2's character-by-character parse
        # (for markdown, page-number aliases, fallback fonts and a change of script) finds one
        # fragment in the current style, which is made here directly (a sixth of the report PDF).
        state = self._get_current_graphics_state()
        state.font_style = ("B" if emphasis[0] else "") + ("I" if emphasis[1] else "")
        state.strikethrough, state.underline = emphasis[2], emphasis[3]
        self._markdown_emphasis = emphasis
        return (Fragment(list(text), state, self.k),)

    # -- the frame -----------------------------------------------------------------------------
    def header(self) -> None:
        if not self.running_head or self._joining:   # a joined page has the head its part drew
            return
        self.font(SMALL, bold=True)
        self.set_text_color(*GREY)
        width = self.w - self.l_margin - self.r_margin
        self.set_xy(self.l_margin, 7)
        self.text_cell(width / 2, 5, self.office, align="L")
        self.text_cell(width / 2, 5, self.running_title, align="R")
        self.set_draw_color(*GREY)
        self.line(self.l_margin, 13, self.w - self.r_margin, 13)
        self.set_text_color(*DARK)
        self.set_y(MARGIN + 6)

    def footer(self) -> None:
        if not self.page_numbers or self._part_from is not None:   # a part's pages: see begin_part
            return
        self.set_y(-MARGIN - 3)
        self.font(SMALL)
        self.set_text_color(*GREY)
        width = self.w - self.l_margin - self.r_margin
        made = f"จัดทำด้วย กข.คจ. Care {date_th_full(self.made)}" if self.made else ""
        self.text_cell(width / 3, 5, made, align="L")
        self.text_cell(width / 3, 5, f"หน้า {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*DARK)

    # -- text ----------------------------------------------------------------------------------
    def font(self, size: float, bold: bool = False) -> None:
        self.set_font(FONT, "B" if bold else "", size)

    def _shape_for(self, text: str) -> None:
        need = bool(_MARKS.search(text))
        if need != self._shaping:
            self.set_text_shaping(need)
            self._shaping = need

    def text_cell(self, width: float, height: float, text: str, *, align: str = "L", border: str = "",
                  fill: bool = False, next_line: bool = False) -> None:
        """One line of text in a box (the cursor moves right, or to the next line)."""
        self._shape_for(text)
        if not (border or fill or next_line) and self.y + height <= self.page_break_trigger:
            if (self.replay_cells and self.current_font_is_set_on_page
                    and not (self.str_alias_nb_pages and self.str_alias_nb_pages in text)):
                self._replayed_cell(width, height, text, align)
                return
            if not self._shaping:
                self._plain_cell(width, height, text, align)
                return
        self.cell(width, height, text, border=border, align=align, fill=fill,
                  new_x=XPos.LMARGIN if next_line else XPos.RIGHT, new_y=YPos.NEXT if next_line else YPos.TOP)

    def _plain_cell(self, width: float, height: float, text: str, align: str) -> None:
        """What `cell` draws for a text that needs no shaping (a figure, a code), placed as
        fpdf2 places it (the baseline at half the height plus 0.3 of the font size, c_margin
        inside the box), through `text`: a fifth of the cost, and a big province's form 26(1)
        is 45,000 such cells."""
        if text:
            text_width = self._width_of(text)
            if align == "R":
                dx = width - self.c_margin - text_width
            elif align == "C":
                dx = (width - text_width) / 2
            else:
                dx = self.c_margin
            self.text(self.x + dx, self.y + 0.5 * height + 0.3 * self.font_size, text)
        self.x += width

    def _replayed_cell(self, width: float, height: float, text: str, align: str) -> None:
        """A text in a box drawn by `cell` (shaped: Thai with marks to place) or `_plain_cell` the
        first time and, each later time the same text is drawn in the same box, font and colours,
        as the same content again, moved to its place by a translation (`cm`) around it. At 80,000
        loans six in ten of the report's 12,500 shaped cells repeat one drawn before (ไม่ 2,178
        times, ใช่ 1,632) and seven in ten of its 40,800 plain ones ("0.0%" 1,471 times): replaying
        them takes a fifth off the PDF's instructions (26.0 -> 21.1 billion). Every position fpdf2
        writes for a text (`Td`, `Tm`) is in user space, which the translation moves, so the glyphs
        land where they would (within the 0.01 pt fpdf2 rounds to; PDF counts y from the page's
        foot, so a portrait page's text lands right on a landscape one). Only on a page whose font is set already
        (else the first drawing writes that too, which the translation's Q would undo) and with no
        page break; the shaping settings are the document's, set once. fpdf2 is pinned
        (requirements.txt), and tests/test_pdf_report.py makes the meeting report both ways and
        compares every text's place."""
        key = (self.font_family, self.font_style, self.font_size_pt, self.font_stretching, self.char_spacing,
               self.text_color, self.fill_color, self.c_margin, width, height, align, text)
        drawn = self._drawn.get(key)
        if drawn is None:
            page, x, y = self.page, self.x, self.h - self.y   # y: from the page's foot, as PDF counts
            contents = self.pages[page].contents   # a bytearray while the page is drawn: _out extends it
            start = len(contents) if isinstance(contents, bytearray) else -1
            if self._shaping:
                self.cell(width, height, text, align=align, new_x=XPos.RIGHT, new_y=YPos.TOP)
            else:
                self._plain_cell(width, height, text, align)
            ops = bytes(contents[start:]).rstrip(b"\n") if isinstance(contents, bytearray) else b""
            if self.page == page and ops:
                self._drawn[key] = (ops, x, y)
            return
        ops, x, y = drawn
        self._out(b"q 1 0 0 1 %.2f %.2f cm %s Q" % ((self.x - x) * self.k, (self.h - self.y - y) * self.k, ops))
        self.x += width
        self._lasth = height

    def squeeze(self, width: float, text: str) -> float:
        """The horizontal scale (percent) that keeps a figure (a text without spaces) on one line in
        a column this wide at the current font: 100 when it fits, and 100 too when it would need
        less than MIN_SQUEEZE (it wraps then, as any text does)."""
        if " " in text or not text:
            return 100
        room = width - 2 * self.c_margin
        self._shape_for(text)  # measured as it will be drawn: shaped or not (kerning differs)
        need = self._width_of(text)
        if need <= room:
            return 100
        scale = math.floor(100 * room / need)
        return scale if scale >= MIN_SQUEEZE else 100

    def _width_of(self, text: str) -> float:
        """get_string_width, remembered per font and shaping (a figure is measured to squeeze it,
        to break it into lines and to place it: 75,000 times in a big province's report)."""
        key = (self.font_family, self.font_style, self.font_size_pt, self.font_stretching, self.char_spacing,
               self._shaping, text)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self._plain_ttf_width(text) if self._plain_measure(text) else \
                self.get_string_width(text)
        return found

    def _plain_measure(self, text: str) -> bool:
        """Whether `_plain_ttf_width` gives what get_string_width gives: unshaped, one TrueType
        face with no fallback, no character spacing, no page-count alias in the text."""
        face = self.current_font
        return (not self._shaping and not self.char_spacing and not self._fallback_font_ids
                and isinstance(face, TTFFont) and not face.is_symbol
                and not (self.str_alias_nb_pages and self.str_alias_nb_pages in text))

    def _plain_ttf_width(self, text: str) -> float:
        """get_string_width of an unshaped text, computed as fpdf2 computes it (the face's widths of
        its characters summed, times the size, the stretching, over the scale) without the parse
        into styled fragments it makes first: most of a big province's 60,000 measurements are
        figures, measured once each. tests/test_pdf_report.py holds the two equal."""
        face = self.current_font
        assert isinstance(face, TTFFont)
        if self.font_size_pt > face.biggest_size_pt:
            face.biggest_size_pt = self.font_size_pt
        width = sum(face.cw[ord(c)] for c in text) * self.font_size_pt * 0.001
        if self.font_stretching != 100:
            width *= self.font_stretching * 0.01
        return width / self.k

    def lines_of(self, width: float, text: str) -> list[str]:
        """How a text breaks into lines in a column this wide (at the current font)."""
        # Remembered: a table's header is laid out again on every page it runs onto (220 times in
        # a big province's report), and figures such as "0" repeat down every column.
        key = (self.font_family, self.font_style, self.font_size_pt, width, text)
        lines = self._lines.get(key)
        if lines is None:
            lines = self._lines[key] = self._break_lines(width, text)
        return list(lines)

    def _break_lines(self, width: float, text: str) -> tuple[str, ...]:
        self._shape_for(text)
        room = width - 2 * self.c_margin
        if "\n" not in text and self._width_of(text) <= room:
            return (text,)
        if " " not in text and "/" in text:
            # A count of a count ("845/845" funds passing 9.1) too wide for its column: broken
            # after the slash, where fpdf2 would break inside a number (845/8, 45).
            head, _, tail = text.rpartition("/")
            if self._width_of(head + "/") <= room and self._width_of(tail) <= room:
                return head + "/", tail
        lines = self.multi_cell(width, 1, text, dry_run=True, output="LINES")
        return tuple(lines) if isinstance(lines, list) else (text,)

    def paragraph(self, text: str, size: float = BODY, *, bold: bool = False, align: str = "J",
                  indent: float = 0.0, height: float | None = None, after: float = 1.0) -> None:
        """A paragraph across the page (Thai breaks at the spaces between phrases)."""
        self.font(size, bold)
        self._shape_for(text)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.w - self.r_margin - self.l_margin - indent, height or size * 0.47, text, align=align,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(after)

    def heading(self, text: str, size: float = HEADING, *, align: str = "L", after: float = 2.0) -> None:
        self.paragraph(text, size, bold=True, align=align, after=after)

    def box(self, x: float, y: float, width: float, height: float, *, fill: bool = False) -> None:
        """A cell's frame (filled too, with `fill`), as fpdf2's `rect(style="D" or "DF")` writes it:
        a big province's tables are 49,000 of them, and `rect` resolves its style for each (an enum
        parsed from text). tests/test_pdf_report.py compares the two content streams."""
        k = self.k
        self._out(f"{x * k:.2f} {(self.h - y) * k:.2f} {width * k:.2f} {-height * k:.2f} re {'B' if fill else 'S'}")

    def room_left(self) -> float:
        return self.page_break_trigger - self.get_y()

    def new_page_if_needed(self, height: float) -> None:
        if self.room_left() < height:
            self.add_page(orientation=self.cur_orientation.value)

    # -- tables --------------------------------------------------------------------------------
    def grid(self, columns: Sequence[Column], rows: Iterable[Sequence[str]], *,
              total: Sequence[str] | None = None, size: float = TABLE, row_height: float = ROW,
              caption: str = "", min_height: float = 0.0) -> None:
        """A bordered table: the header (wrapped, bold, grey) again at the top of every page it
        runs onto, one line per cell (more where a text is wider than its column), the total row bold."""
        def draw_header() -> None:
            self.font(size, bold=True)
            lines = [self.lines_of(c.width, c.header) for c in columns]
            line_h = size * 0.42
            height = max(len(part) for part in lines) * line_h + 2
            x, y = self.l_margin, self.get_y()
            self.set_fill_color(*LIGHT)
            for column, part in zip(columns, lines):
                self.box(x, y, column.width, height, fill=True)
                top = y + (height - len(part) * line_h) / 2
                for n, line in enumerate(part):
                    self.set_xy(x, top + n * line_h)
                    self.text_cell(column.width, line_h, line, align="C")
                x += column.width
            self.set_xy(self.l_margin, y + height)

        def draw_row(cells: Sequence[str], bold: bool) -> None:
            self.font(size, bold)
            # A figure (right-aligned) is never broken over two lines: see MIN_SQUEEZE.
            scales = [self.squeeze(c.width, text) if c.align == "R" else 100 for c, text in zip(columns, cells)]
            parts = [[text] if scale != 100 else self.lines_of(c.width, text)
                     for c, text, scale in zip(columns, cells, scales)]
            height = max(max(len(p) for p in parts) * row_height, min_height)
            if self.room_left() < height:
                self.add_page(orientation=self.cur_orientation.value)
                draw_header()
                self.font(size, bold)
            x, y = self.l_margin, self.get_y()
            if bold:
                self.set_fill_color(*LIGHT)
            for column, part, scale in zip(columns, parts, scales):
                self.box(x, y, column.width, height, fill=bold)
                top = y + (height - len(part) * row_height) / 2
                self.set_stretching(scale)
                for n, line in enumerate(part):
                    self.set_xy(x, top + n * row_height)
                    self.text_cell(column.width, row_height, line, align=column.align)
                self.set_stretching(100)
                x += column.width
            self.set_xy(self.l_margin, y + height)

        self.set_draw_color(*GREY)
        if caption:
            self.new_page_if_needed(3 * row_height + 12)
            self.heading(caption, BODY, after=1)
        else:
            self.new_page_if_needed(3 * row_height + 8)
        draw_header()
        for cells in rows:
            draw_row(cells, bold=False)
        if total is not None:
            draw_row(total, bold=True)
        self.ln(3)

    # -- signatures ----------------------------------------------------------------------------
    def signatures(self, people: Sequence[Signature], size: float = BODY) -> None:
        """Each signer's block side by side: (ลงชื่อ) ...... role / (name or a dotted line) / position."""
        if not people:
            return
        per_row = min(len(people), 2 if self.cur_orientation.value == "P" else 3)
        width = (self.w - self.l_margin - self.r_margin) / per_row
        line = size * 0.5
        for start in range(0, len(people), per_row):
            group = people[start:start + per_row]
            self.new_page_if_needed(5 * line + 8)
            self.ln(line)
            y = self.get_y()
            for n, person in enumerate(group):
                x = self.l_margin + n * width
                name = f"({person.name})" if person.name.strip() else "(" + "." * 40 + ")"
                self.font(size)
                position = f"ตำแหน่ง {person.position}" if person.position.strip() else ""
                for k, text in enumerate((f"(ลงชื่อ) {'.' * 36} {person.role}", name, position)):
                    self.set_xy(x, y + k * line)
                    self.text_cell(width, line, text, align="C")
            self.set_xy(self.l_margin, y + 3 * line + 4)

    # -- a bar chart ----------------------------------------------------------------------------
    def bar_chart(self, title: str, labels: Sequence[str], values: Sequence[Decimal], notes: Sequence[str],
                  *, label_width: float = 34.0, note_width: float = 44.0, bar_height: float = 6.5,
                  size: float = TABLE) -> None:
        """Horizontal bars, one per label, the longest bar the page's width; each bar's figure
        (and a note, e.g. PAR30) written beside it."""
        height = len(labels) * (bar_height + 2) + 14
        self.new_page_if_needed(height)
        self.heading(title, BODY, after=1)
        top = self.get_y() + 1
        room = self.w - self.l_margin - self.r_margin - label_width - note_width
        largest = max((float(v) for v in values), default=0.0) or 1.0
        self.font(size)
        for n, (label, value, note) in enumerate(zip(labels, values, notes)):
            y = top + n * (bar_height + 2)
            self.set_xy(self.l_margin, y)
            self.text_cell(label_width, bar_height, label, align="L")
            length = room * float(value) / largest
            self.set_fill_color(192, 57, 43)
            if length > 0:
                self.rect(self.l_margin + label_width, y + 0.8, max(length, 0.4), bar_height - 1.6, style="F")
            self.set_xy(self.l_margin + label_width + room, y)
            self.text_cell(note_width, bar_height, note, align="R")
        self.set_draw_color(*GREY)
        self.line(self.l_margin + label_width, top - 1, self.l_margin + label_width, top + len(labels) * (bar_height + 2))
        self.set_xy(self.l_margin, top + len(labels) * (bar_height + 2) + 3)

    # -- pages drawn in another process ------------------------------------------------------------
    def begin_part(self) -> None:
        """In a forked copy of this document: what it draws from here on becomes a `Part` (`part`)
        for the document to join, in another process at the same time. A part's pages have no foot:
        หน้า x/y is written when they are joined, where their numbers are known. The glyphs a part
        meets first are numbered from PART_CODES, which the document's own never reach; those the
        document had met before the fork keep its codes. Only what a page draws in the document's
        faces (text, lines, boxes) can be joined: `part` refuses pages with images or other resources.
        This reaches into fpdf2's page buffers, font subsets and resource catalog, which fpdf2 keeps
        for itself: fpdf2 is pinned (requirements.txt), and tests/test_pdf_parts.py makes the meeting
        report in one process and in two and holds every page's texts, places and frames the same."""
        self._part_from = self.page
        for face in self.fonts.values():
            if isinstance(face, TTFFont):
                face.subset._next = max(face.subset._next, PART_CODES)

    def part(self) -> Part:
        """What this copy drew since `begin_part`."""
        if self._part_from is None:
            raise ValueError("part() without begin_part()")
        pages = []
        for number in range(self._part_from + 1, self.page + 1):
            used = {(kind, resource) for (page, kind), resources in self._resource_catalog.resources_per_page.items()
                    if page == number for resource in resources}
            others = sorted(kind.value for kind, _ in used if kind is not PDFResourceType.FONT)
            if others:
                raise ValueError(f"a part's page {number} uses {', '.join(others)}: only text and lines can be joined")
            width, height = self.pages[number].dimensions()
            contents = self.pages[number].contents
            assert isinstance(contents, bytearray)   # not yet output: fpdf2 makes the stream objects then
            fonts = sorted(resource for _, resource in used if isinstance(resource, int))
            pages.append(PartPage("L" if width > height else "P", bytes(contents), tuple(fonts)))
        glyphs, biggest = [], []
        for key, face in self.fonts.items():
            if isinstance(face, TTFFont):
                met = tuple((g.glyph_id, tuple(g.unicode) if isinstance(g.unicode, tuple) else (g.unicode,),
                             g.glyph_name, g.glyph_width, code)
                            for g, code in face.subset.items() if g is not None and code >= PART_CODES)
                glyphs.append((key, met))
                biggest.append((key, face.biggest_size_pt))
        return Part(tuple(pages), tuple(glyphs), tuple(biggest), self.x, self.y)

    def join(self, part: Part) -> None:
        """Add a part's pages after this document's, numbered on; carry on where the part ended.
        Each page's content is put first on its page, inside q ... Q: it starts from the state a
        page starts from, as where it was drawn, and what it leaves set (a font, a colour) is
        undone before this document writes the foot, which fpdf2 draws in the state it believes."""
        self._joining = True
        try:
            for page in part.pages:
                self.add_page(orientation=page.orientation)   # the foot of the page before is written here
                contents = self.pages[self.page].contents
                assert isinstance(contents, bytearray)   # a page being drawn (fpdf2 compresses at output)
                contents[:0] = b"q\n" + page.contents + (b"" if page.contents.endswith(b"\n") else b"\n") + b"Q\n"
                for font in page.fonts:
                    self._resource_catalog.add(PDFResourceType.FONT, font, self.page)
        finally:
            self._joining = False
        for key, met in part.glyphs:
            face = self.fonts[key]
            assert isinstance(face, TTFFont)
            for glyph_id, characters, name, width, code in met:
                face.subset._char_id_per_glyph[_JoinedGlyph(glyph_id, characters, name, width)] = code
        for key, size in part.biggest:
            face = self.fonts[key]
            face.biggest_size_pt = max(face.biggest_size_pt, size)   # type: ignore[union-attr]
        if part.pages:
            self.set_xy(part.x, part.y)

    def save(self, path: Path | str) -> Path:
        """Write the file atomically: a reader never sees half a PDF."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".~{path.name}")
        self.output(str(partial))
        partial.replace(path)
        return path


_ShapeKey = tuple[Hashable, ...]


def _shape_key(text: str, size: float, params: dict[str, Any] | None) -> _ShapeKey:
    """What a shaping depends on: the text, the size, and the settings fpdf2's
    `TTFFont.perform_harfbuzz_shaping` hands HarfBuzz (features, direction, script, language)."""
    if params is None:
        return (text, size)
    features = params.get("features")
    return (text, size, tuple(features.items()) if features else None, params.get("fragment_direction"),
            params.get("script"), params.get("language"))


def _remember_shapes(face: TTFFont) -> None:
    """The face shapes each text once per size and setting: fpdf2 asks HarfBuzz for a text's width
    and again to draw it, and a big province's report draws 12,500 shaped cells of 3,800 distinct
    texts (ไม่ 2,178 times, ใช่ 1,632). Shaping is a pure function of the text, the size and the
    settings; the glyphs it uses are added to the face's subset the first time, which is what a
    second shaping would do. fpdf2 is pinned (requirements.txt), and tests/test_pdf_report.py makes
    the meeting report with and without this and compares every page."""
    shape_text, shaped_width = face.shape_text, face.shaped_text_width
    shapes: dict[_ShapeKey, Any] = {}
    widths: dict[_ShapeKey, tuple[int, float]] = {}

    def remembered_shape(text: str, font_size_pt: float, params: dict[str, Any] | None) -> Any:
        key = _shape_key(text, font_size_pt, params)
        found = shapes.get(key)
        if found is None:
            found = shapes[key] = shape_text(text, font_size_pt, params)
        return found

    def remembered_width(text: str, font_size_pt: float, params: dict[str, Any] | None) -> tuple[int, float]:
        key = _shape_key(text, font_size_pt, params)
        found = widths.get(key)
        if found is None:
            found = widths[key] = shaped_width(text, font_size_pt, params)
        return found

    # TTFFont has __slots__, so the remembering methods cannot sit on the face itself: the face
    # becomes an instance of a class of its own, made here (no slot added, so the same layout),
    # whose methods hold this face's memory. fpdf2's own classes are left as they are.
    face.__class__ = type("RememberingTTFFont", (type(face),), {
        "__slots__": (), "shape_text": lambda self, *args: remembered_shape(*args),
        "shaped_text_width": lambda self, *args: remembered_width(*args)})


def thai_date(day: dt.date) -> str:
    """15 มกราคม 2569: the full month name, as a government document writes a date."""
    return date_th_full(day)


__all__ = ["BODY", "Column", "Document", "HEADING", "PART_CODES", "Part", "PartPage", "SMALL", "Signature", "TABLE", "TITLE", "count", "money",
           "percent", "signed_count", "signed_money", "signed_points", "thai_date"]
