"""Reading our PDFs back without poppler: each page's text and the font size of every text run,
from the content stream (pypdf parses it; no PDF is rendered).

Why our own walk over the text operators rather than pypdf's extract_text: shaping Thai turns
ำ into two glyphs, and fpdf2 maps only the first back to a character (ToUnicode); extract_text
then writes the second glyph's raw code as a character ("สำ\\x03นัก", "ตำ1แหน่ง"). Mapping the codes
through each font's ToUnicode ourselves, an unmapped code is simply no character, as a PDF
reader's search treats it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream, TextStringObject

A4 = (595.28, 841.89)   # points, portrait
_SPACE = re.compile(r"\s+")
_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def squeeze(text: str) -> str:
    """Text without spaces and line breaks (a table cell and a wrapped line read as one)."""
    return _SPACE.sub("", text)


@dataclass(frozen=True)
class Run:
    page: int
    size: float      # points, as printed
    text: str


@dataclass
class Pdf:
    pages: list[str]          # each page's text, one run a line
    runs: list[Run]           # every non-blank text run
    sizes: list[tuple[float, float]]   # each page's (width, height) in points

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def holds(self, *needles: str) -> list[str]:
        """The needles NOT found (spaces ignored on both sides)."""
        flat = squeeze(self.text)
        return [n for n in needles if squeeze(n) not in flat]

    def sizes_of(self, needle: str) -> set[float]:
        """The font sizes of the runs that hold this text."""
        want = squeeze(needle)
        return {r.size for r in self.runs if want in squeeze(r.text)}


def _to_unicode(font: Any) -> tuple[int, dict[int, str]]:
    """(bytes per code, code -> text) from a font's ToUnicode CMap (fpdf2 writes bfchar entries)."""
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    space = re.search(r"begincodespacerange\s*<([0-9A-Fa-f]+)>", data)
    width = len(space.group(1)) // 2 if space else 2
    body = "".join(re.findall(r"beginbfchar(.*?)endbfchar", data, re.S))
    return width, {int(code, 16): bytes.fromhex(text).decode("utf-16-be") for code, text in _BFCHAR.findall(body)}


def _bytes(operand: Any) -> bytes:
    """A string operand's bytes as written (a TJ array's numbers are spacing: no bytes)."""
    if isinstance(operand, TextStringObject):
        return operand.get_original_bytes()
    if isinstance(operand, bytes):
        return bytes(operand)
    return b""


def _page_runs(page: Any, n: int) -> list[Run]:
    fonts = {name: _to_unicode(font.get_object()) for name, font in page["/Resources"]["/Font"].items()}
    runs: list[Run] = []
    width, mapping, size, scale = 2, {}, 0.0, 1.0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tf":
            width, mapping = fonts[operands[0]]
            size = float(operands[1])
        elif operator == b"Tm":
            scale = abs(float(operands[3]))
        elif operator == b"BT":
            scale = 1.0
        elif operator in (b"Tj", b"TJ"):
            parts = operands[0] if operator == b"TJ" else [operands[0]]
            raw = b"".join(_bytes(p) for p in parts)
            codes = (int.from_bytes(raw[i:i + width], "big") for i in range(0, len(raw), width))
            text = "".join(mapping.get(code, "") for code in codes)
            if not text.strip():
                continue
            printed = round(size * scale, 2)
            if runs and runs[-1].size == printed:
                # A shaped line is cut into several operators at each placed mark: one run again.
                runs[-1] = Run(n, printed, runs[-1].text + text)
            else:
                runs.append(Run(n, printed, text))
    return runs


def read_pdf(path: Path | str) -> Pdf:
    reader = PdfReader(str(path))
    pages, runs, sizes = [], [], []
    for n, page in enumerate(reader.pages):
        found = _page_runs(page, n)
        pages.append("\n".join(r.text for r in found))
        runs += found
        sizes.append((float(page.mediabox.width), float(page.mediabox.height)))
    return Pdf(pages, runs, sizes)


def is_a4(size: tuple[float, float]) -> bool:
    width, height = sorted(size)
    return abs(width - A4[0]) < 0.5 and abs(height - A4[1]) < 0.5
