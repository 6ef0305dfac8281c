"""The mapping file: what the import understood of each sheet, written for a person to check and
edit when a match is unsure, then passed back with `--mapping`.

It is YAML (one small hand-written shape, so that each column carries its header and how sure the
match was as a comment); strings are written JSON-quoted, which YAML reads as they are:

    version: 1
    files:
      "register.xlsx":
        "ม.5":
          kind: register            # register | summary
          header_rows: [3]          # the header's rows in the sheet (two for a two-row header)
          columns:
            A: ignore               # "ลำดับ" (แน่ใจ 100%)
            F: "?"                  # "วันที่" ไม่แน่ใจ: … ← a field key below, or ignore
          place: {district: "เมืองตราด", subdistrict: "วังกระแจะ", village_no: 5, village_name: "หนองบัว",
                  fund_id: ""}

Only the sheets it lists are read from it; the others are detected again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from sheets import readers
from sheets.importer.columns import FIELDS, ColumnMatch, HeaderGuess, Kind, column_index, column_letter, settle
from sheets.importer.grid import Grid, ImportFileError
from sheets.importer.titles import Place

UNDECIDED = "?"
VERSION = 1


class MappingError(ImportFileError):
    """The mapping file cannot be used; the message names the file, sheet and entry."""


@dataclass
class SheetMapping:
    """A person's decisions for one sheet."""

    kind: Kind
    header_rows: list[int]                   # 1-based sheet rows
    columns: dict[int, Optional[str]]        # 0-based column -> field key (None: still "?")
    place: Place = Place()
    fund_id: str = ""

    def guess(self, grid: Grid) -> HeaderGuess:
        """The header as the mapping says (confidence 1, "mapped"); "?" columns stay unsure."""
        first, last = self.header_rows[0] - 1, self.header_rows[-1] - 1
        matches = []
        for col, key in sorted(self.columns.items()):
            header = " ".join(str(grid.cell(r, col)).strip() for r in range(first, last + 1)
                              if str(grid.cell(r, col)).strip())
            if key is None:
                matches.append(ColumnMatch(col, header, None, 0.0, "unsure", why="ยังไม่ได้เลือกในไฟล์จับคู่"))
            else:
                matches.append(ColumnMatch(col, header, key, 1.0, "mapped"))
        return settle(HeaderGuess(first, last, self.kind, matches, mapped=True))


@dataclass
class Mapping:
    """Every sheet a mapping file speaks of: (file name, sheet title) -> SheetMapping."""

    sheets: dict[tuple[str, str], SheetMapping] = field(default_factory=dict)
    path: Optional[Path] = None

    def get(self, file: str, sheet: str) -> Optional[SheetMapping]:
        return self.sheets.get((file, sheet))


@dataclass(frozen=True)
class SheetDecision:
    """What to write for one sheet: where its table is, its columns, its place."""

    file: str
    sheet: str
    guess: HeaderGuess
    place: Place
    fund_id: str = ""


def read_mapping(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"ไม่พบไฟล์จับคู่ {path} (mapping file not found)") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"อ่านไฟล์จับคู่ {path} ไม่ได้: {exc} (not YAML)") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise MappingError(f"ไฟล์จับคู่ {path} ต้องมี files: (the mapping file needs a 'files' mapping)")
    mapping = Mapping(path=path)
    for file, sheets in data["files"].items():
        if not isinstance(sheets, dict):
            raise MappingError(f"ไฟล์จับคู่ {path}: '{file}' ต้องเป็นรายการแผ่นงาน (must map sheet titles)")
        for sheet, entry in sheets.items():
            mapping.sheets[(str(file), str(sheet))] = _sheet(entry, f"{path}: '{file}' / '{sheet}'")
    return mapping


def _sheet(entry: Any, where: str) -> SheetMapping:
    if not isinstance(entry, dict):
        raise MappingError(f"{where} ต้องเป็นกลุ่มค่า kind / header_rows / columns / place")
    kind = entry.get("kind", "register")
    if kind not in ("register", "summary"):
        raise MappingError(f"{where}: kind ต้องเป็น register หรือ summary (got {kind!r})")
    rows = entry.get("header_rows")
    if not isinstance(rows, list) or not 1 <= len(rows) <= 2 or \
            not all(isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in rows):
        raise MappingError(f"{where}: header_rows ต้องเป็นเลขแถว 1–2 แถว เช่น [3] หรือ [3, 4] (got {rows!r})")
    if len(rows) == 2 and rows[1] != rows[0] + 1:
        raise MappingError(f"{where}: header_rows สองแถวต้องติดกัน (two header rows must be adjacent)")
    columns: dict[int, Optional[str]] = {}
    for letter, key in (entry.get("columns") or {}).items():
        try:
            col = column_index(str(letter))
        except ValueError:
            raise MappingError(f"{where}: '{letter}' ไม่ใช่ชื่อคอลัมน์ (use column letters: A, B, … AA)") from None
        text = "" if key is None else str(key).strip()
        if text == UNDECIDED or not text:
            columns[col] = None
        elif text not in FIELDS:
            raise MappingError(f"{where}: คอลัมน์ {letter}: ไม่รู้จัก '{text}' ใช้ชื่อใดชื่อหนึ่งที่หัวไฟล์ "
                               f"(unknown field '{text}')")
        elif kind not in FIELDS[text].kinds:
            raise MappingError(f"{where}: คอลัมน์ {letter}: '{text}' ใช้กับ {kind} ไม่ได้ "
                               f"(field '{text}' is not for a {kind} sheet)")
        else:
            columns[col] = text
    place_entry = entry.get("place") or {}
    if not isinstance(place_entry, dict):
        raise MappingError(f"{where}: place ต้องเป็นกลุ่มค่า district / subdistrict / village_no / village_name")
    number: Optional[int] = None
    if place_entry.get("village_no") not in (None, ""):
        try:
            number = readers.read_int(place_entry["village_no"])
        except readers.CellError:
            raise MappingError(f"{where}: place.village_no ต้องเป็นตัวเลข "
                               f"(got {place_entry['village_no']!r})") from None
    place = Place(str(place_entry.get("district") or ""), str(place_entry.get("subdistrict") or ""),
                  number, str(place_entry.get("village_name") or ""))
    return SheetMapping(kind, rows, columns, place, str(place_entry.get("fund_id") or "").strip())


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _comment(match: ColumnMatch) -> str:
    header = _q(match.header)
    if match.state == "mapped":
        return f"{header} (จากไฟล์จับคู่)"
    if match.state == "unsure":
        return f"{header} ไม่แน่ใจ: {match.why or 'เลือกเอง'} ← แก้เป็นชื่อช่องด้านบน หรือ ignore"
    if match.state == "unused":
        return f"{header} (ไม่รู้จัก: ไม่ใช้)"
    return f"{header} (แน่ใจ {match.confidence:.0%})"


def render_mapping(decisions: list[SheetDecision]) -> str:
    """The mapping file's text for these sheets."""
    lines = [
        "# ไฟล์จับคู่คอลัมน์สำหรับ python main.py import (mapping file)",
        "# ตรวจและแก้ค่าในแต่ละแผ่นงาน: คอลัมน์ที่เป็น \"?\" ต้องเลือกชื่อช่อง หรือ ignore (ไม่ใช้)",
        "# แล้วรันอีกครั้งด้วย --mapping <ไฟล์นี้>  (edit the \"?\" columns, then run again with --mapping)",
        "# ชื่อช่อง (field keys):",
    ]
    for kind in ("register", "summary"):
        keys = [f"{key} = {spec.thai}" for key, spec in FIELDS.items() if kind in spec.kinds]
        lines.append(f"#   {kind}: " + "; ".join(keys))
    lines += [f"version: {VERSION}", "files:"]
    by_file: dict[str, list[SheetDecision]] = {}
    for decision in decisions:
        by_file.setdefault(decision.file, []).append(decision)
    for file, sheets in by_file.items():
        lines.append(f"  {_q(file)}:")
        for decision in sheets:
            guess = decision.guess
            rows = list(range(guess.first_row + 1, guess.last_row + 2))
            lines.append(f"    {_q(decision.sheet)}:")
            lines.append(f"      kind: {guess.kind}")
            lines.append(f"      header_rows: [{', '.join(map(str, rows))}]")
            for key in guess.missing:
                lines.append(f"      # ยังไม่มีคอลัมน์ของ {key} ({FIELDS[key].thai}): ระบุคอลัมน์ที่ใช่ "
                             f"(no column holds {key})")
            lines.append("      columns:")
            for match in guess.columns:
                value = _q(UNDECIDED) if match.state == "unsure" else (match.field or "ignore")
                lines.append(f"        {column_letter(match.column)}: {value:<20} # {_comment(match)}")
            place = decision.place
            lines.append("      place:                 # หมู่บ้านของทุกแถว เมื่อไม่มีคอลัมน์บอก (from the title rows)")
            lines.append(f"        district: {_q(place.district)}")
            lines.append(f"        subdistrict: {_q(place.subdistrict)}")
            lines.append(f"        village_no: {place.village_no if place.village_no is not None else 'null'}")
            lines.append(f"        village_name: {_q(place.village_name)}")
            lines.append(f"        fund_id: {_q(decision.fund_id)}")
    return "\n".join(lines) + "\n"


def write_mapping(path: Path, decisions: list[SheetDecision]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_mapping(decisions), encoding="utf-8")
    return path
