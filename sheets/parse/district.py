"""A district column (officers, funds): the official district name, or a problem saying it is not in the province."""
from __future__ import annotations

from core.geo import district_by_name
from sheets.parse.tab import TabReader


def read_districts(tab: TabReader, col: str, required: bool) -> tuple[list[str], list[bool]]:
    """Per row: the official name when it matched (else the text as typed, or ""), and whether it matched."""
    typed = tab.text(col, required)
    official: dict[str, str | None] = {}
    names: list[str] = []
    matched: list[bool] = []
    for i, text in enumerate(typed):
        if not text:
            names.append("")
            matched.append(False)
            continue
        if text not in official:
            district = district_by_name(text)
            official[text] = district.name if district else None
        name = official[text]
        if name is None:
            tab.problem(i, col, f"ไม่พบอำเภอ \"{text}\" ในจังหวัด (ใช้ชื่ออำเภอตามทะเบียน เช่น เมืองตราด)")
        names.append(text if name is None else name)
        matched.append(name is not None)
    return names, matched
