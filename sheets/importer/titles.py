"""Where a table's rows belong, from the words around it: "ทะเบียนคุมลูกหนี้ … บ้านหนองบัว หมู่ที่ 5
ตำบลวังกระแจะ อำเภอเมืองตราด", and the date a 26(1) summary is "ณ วันที่".

District and subdistrict names are taken only when they are Trat's (core.geo), so "ตำบล" run
together with the next word still reads; a village name is the words after บ้าน up to the next
place word.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Optional

from core.geo import District, district_by_name, districts, normalize_subdistrict
from core.thai import normalize_text
from sheets import readers

_PLACE_WORDS = r"(?:หมู่ที่|หมู่|ม\.|ตำบล|ต\.|อำเภอ|อ\.|จังหวัด|จ\.|ณ\s|ปี|ประจำ|$)"
_VILLAGE = re.compile(r"(?:หมู่บ้าน|บ้าน)\s*([ก-๙][ก-๙ ]*?)\s*(?=" + _PLACE_WORDS + ")")
_VILLAGE_NO = re.compile(r"(?:หมู่ที่|หมู่|ม\.)\s*(\d{1,2})(?!\d)")
_AS_OF = re.compile(r"ณ\s*(?:วันที่)?\s*(\d{1,2}\s*[/\-.]\s*\d{1,2}\s*[/\-.]\s*\d{2,4}|\d{1,2}\s*[^\d\s]+\s*\d{2,4})")


@dataclass(frozen=True)
class Place:
    """A fund's place as far as it is known: official district and subdistrict names, village no and name."""

    district: str = ""
    subdistrict: str = ""
    village_no: Optional[int] = None
    village_name: str = ""

    def over(self, fallback: "Place") -> "Place":
        """This place, its blanks filled from `fallback` (a column's value wins over the title's)."""
        return Place(self.district or fallback.district, self.subdistrict or fallback.subdistrict,
                     self.village_no if self.village_no is not None else fallback.village_no,
                     self.village_name or fallback.village_name)

    @property
    def known(self) -> bool:
        return bool(self.district or self.subdistrict or self.village_no is not None or self.village_name)

    def describe(self) -> str:
        """บ้านหนองบัว หมู่ที่ 5 ต.วังกระแจะ อ.เมืองตราด (what is known of it)."""
        parts = []
        if self.village_name:
            parts.append(village_name(self.village_name))
        if self.village_no is not None:
            parts.append(f"หมู่ที่ {self.village_no}")
        if self.subdistrict:
            parts.append(f"ต.{self.subdistrict}")
        if self.district:
            parts.append(f"อ.{self.district}")
        return " ".join(parts) or "(ไม่ทราบหมู่บ้าน)"


def village_key(name: str) -> str:
    """A village name as compared: without บ้าน / หมู่บ้าน and spaces."""
    text = "".join(normalize_text(name).split())
    for prefix in ("หมู่บ้าน", "บ้าน"):
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


def village_name(name: str) -> str:
    """A village name as the sheet writes it: บ้าน and the name (บ้านหนองบัว)."""
    key = village_key(name)
    return f"บ้าน{key}" if key else ""


def official_district(text: str) -> str:
    found = district_by_name(text)
    return found.name if found else ""


def official_subdistrict(text: str, district: str = "") -> str:
    """The subdistrict's official name when it is one of the district's (or of any district when unknown)."""
    name = normalize_subdistrict(normalize_text(text))
    for candidate in _districts(district):
        for sub in candidate.subdistricts:
            if sub.name == name:
                return sub.name
    return ""


def _districts(district: str) -> Iterable[District]:
    found = district_by_name(district) if district else None
    return (found,) if found else districts()


def place_in(texts: Iterable[str]) -> Place:
    """The place named by title lines (the first mention of each part wins)."""
    text = " ".join(normalize_text(t) for t in texts if t)
    district = ""
    for candidate in districts():
        if re.search(rf"(?:อำเภอ|อ\.)\s*{re.escape(candidate.name)}", text):
            district = candidate.name
            break
    subdistrict = ""
    for candidate in _districts(district):
        for sub in candidate.subdistricts:
            if re.search(rf"(?:ตำบล|ต\.)\s*{re.escape(sub.name)}", text):
                subdistrict = subdistrict or sub.name
                district = district or candidate.name
    number = _VILLAGE_NO.search(text)
    village = _VILLAGE.search(text)
    name = village.group(1).strip() if village else ""
    return Place(district, subdistrict, int(number.group(1)) if number else None,
                 name if len(name) >= 2 else "")


def as_of_in(texts: Iterable[str]) -> Optional[dt.date]:
    """The date after "ณ วันที่" in title lines, read as the readers read dates; None if none reads."""
    for text in texts:
        found = _AS_OF.search(normalize_text(text or ""))
        if found:
            try:
                return readers.read_date(found.group(1))
            except readers.CellError:
                continue
    return None


def title_lines(rows: list[list[Any]], before: int) -> list[str]:
    """The text of the rows above the header (merged title cells hold their text in the first cell)."""
    lines = []
    for cells in rows[:before]:
        words = [str(v).strip() for v in cells if isinstance(v, str) and v.strip()]
        if words:
            lines.append(" ".join(words))
    return lines


def with_official_names(place: Place) -> Place:
    """Typed district and subdistrict names as the geography spells them (when they are Trat's)."""
    district = official_district(place.district) if place.district else ""
    subdistrict = official_subdistrict(place.subdistrict, district) if place.subdistrict else ""
    return replace(place, district=district or place.district, subdistrict=subdistrict or place.subdistrict)
