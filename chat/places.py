"""Which funds a place name means, for every command that narrows a list (ครบกำหนด, ค้างชำระ, กองทุน,
ค้นหา, บันทึกรับชำระ): a fund code, a district (อ. / อำเภอ), a subdistrict (ต. / ตำบล), a village
number (หมู่ 3, ม.3, หมู่ที่ 3, which a place may follow: หมู่ 3 บางพระ) or part of a village name
(with or without บ้าน). The funds' own columns say where each fund is (district, subdistrict,
village_no, village_name); core.geo gives the official spellings the funds are read into.

Without a prefix a name is tried as the widest place first: a district, then a subdistrict, then a
village name, then part of a fund code (บางพระ is a ตำบล and a village in it: the ตำบล wins).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from core.geo import normalize_district, normalize_subdistrict
from core.thai import to_arabic_digits
from messaging import flex
from chat import views
from chat.context import Ctx, Messages
from chat.phrases import apart, is_qualifier, without_asking_words, without_glued_particles
from chat.registry import COMMANDS, phrasebook
from core.thai import normalize_text

_VILLAGE_NO = re.compile(r"^(?:หมู่ที่|หมู่|ม\.|ม)\s*(\d{1,2})(?:\s+(.*))?$")
# Part of a fund's code: at least the province's and the district's digits (2301); a shorter number is
# no place (หมู่ 3 says a village's number, and "3" is in every code of a province numbered 23).
_CODE = re.compile(r"^[0-9][0-9-]{3,}$")
_IN_DISTRICT = re.compile(r"^((?:ตำบล|ต\.)\s*\S+)\s+((?:อำเภอ|อ\.)\s*\S+)$")
# A village with its หมู่ after it, as the buttons name a fund (บ้านไร่ขวาง ม.13) and people write it.
_NAME_THEN_NO = re.compile(r"^(.+?)\s*(?:หมู่ที่|หมู่|ม\.)\s*(\d{1,2})$")


@dataclass(frozen=True)
class Place:
    """The funds a place name means and how to say it back."""

    funds: tuple[Any, ...]
    label: str


def _squeeze(text: str) -> str:
    return "".join(text.split()).lower()


def find_place(funds: Sequence[Any], query: str) -> Place | None:
    """The funds among `funds` that `query` names (None: it names no place among them)."""
    q = " ".join(to_arabic_digits(query).split())
    if not q:
        return None
    low = q.lower()
    exact = [f for f in funds if f.fund_id.lower() == low]
    if exact:
        return Place(tuple(exact), views.fund_label(exact[0]))
    moo = _VILLAGE_NO.match(q)
    if moo:
        number, rest = int(moo.group(1)), (moo.group(2) or "").strip()
        within = funds
        where = ""
        if rest:
            inner = find_place(funds, rest)
            if inner is None:
                return None
            within, where = inner.funds, " " + inner.label
        found = [f for f in within if _number(f.village_no) == number]
        return Place(tuple(found), f"หมู่ {number}{where}") if found else None
    named = _NAME_THEN_NO.match(q)
    if named:
        inner = find_place(funds, named.group(1))
        number = int(named.group(2))
        found = [f for f in (inner.funds if inner else ()) if _number(f.village_no) == number]
        if found:
            return Place(tuple(found), views.fund_label(found[0]) if len(found) == 1 else _several(found))
    in_district = _IN_DISTRICT.match(q)
    if in_district:   # ต.คลองใหญ่ อ.แหลมงอบ: a subdistrict's name found in two districts, told apart
        district = _district(funds, normalize_district(in_district.group(2)))
        return _subdistrict(district.funds, normalize_subdistrict(in_district.group(1))) if district else None
    if q.startswith(("อำเภอ", "อ.")):
        return _district(funds, normalize_district(q))
    if q.startswith(("ตำบล", "ต.")):
        return _subdistrict(funds, normalize_subdistrict(q))
    if q.startswith(("หมู่บ้าน", "บ้าน")):
        return _village(funds, q.removeprefix("หมู่บ้าน").removeprefix("บ้าน"))
    for attempt in (_district, _subdistrict, _village):
        place = attempt(funds, q)
        if place is not None:
            return place
    if _CODE.match(q):
        found = [f for f in funds if low in f.fund_id.lower()]
        if found:
            return Place(tuple(found), _several(found))
    # A polite particle glued to the place (ค้างคลองใหญ่ครับ): taken off only when the whole text
    # names no place, so that a village whose name ends in a particle's letters is still found.
    for shorter in list(without_glued_particles(q))[1:]:
        place = find_place(funds, shorter)
        if place is not None:
            return place
    # A linking word before the place (ใบติดตามให้บ้านไร่ขวาง, เงินฝากของ ต.บางพระ, ของกองทุนบ้านไร่ขวาง):
    # likewise taken off only when the whole text names no place.
    for word in LINKING_WORDS:
        if q.startswith(word) and len(q) > len(word):
            return find_place(funds, q[len(word):])
    return None


LINKING_WORDS = ("ของ", "ให้", "ใน", "แห่ง", "กองทุน")


def _number(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _district(funds: Sequence[Any], name: str) -> Place | None:
    found = [f for f in funds if f.district and _squeeze(f.district) == _squeeze(name)]
    if not found and _squeeze(name) == "เมือง":
        # อำเภอเมือง: what everyone calls the province's capital district (อ.เมืองตราด), when there is one.
        capital = {f.district for f in funds if f.district and _squeeze(f.district).startswith("เมือง")}
        if len(capital) == 1:
            found = [f for f in funds if f.district in capital]
    return Place(tuple(found), f"อ.{found[0].district}") if found else None


def _subdistrict(funds: Sequence[Any], name: str) -> Place | None:
    found = [f for f in funds if f.subdistrict and _squeeze(f.subdistrict) == _squeeze(name)]
    if not found:
        return None
    return Place(tuple(found), f"ต.{found[0].subdistrict} อ.{found[0].district}" if found[0].district
                 else f"ต.{found[0].subdistrict}")


def _village(funds: Sequence[Any], part: str) -> Place | None:
    bare = _squeeze(part).removeprefix("บ้าน")
    if not bare:
        return None
    found = [f for f in funds if bare in _squeeze(f.village_name or "").removeprefix("บ้าน")]
    if not found:
        return None
    return Place(tuple(found), views.fund_label(found[0]) if len(found) == 1 else _several(found))


def _several(funds: Sequence[Any]) -> str:
    return views.fund_label(funds[0]) if len(funds) == 1 else f"{len(funds)} กองทุนที่ตรงกับคำค้น"


def match_funds(view: Any, query: str) -> list[Any]:
    """The funds of the officer's view that `query` names (a code, a district, subdistrict, หมู่ or village)."""
    place = find_place(view.funds, query)
    return list(place.funds) if place else []


# What a place's name or number has at least one of: a Thai consonant, a Latin letter or a digit.
_NAMES_ANYTHING = re.compile(r"[\u0e01-\u0e2eA-Za-z0-9\u0e50-\u0e59]")


def narrow(ctx: Ctx, query: str) -> tuple[set[str] | None, str | None, Messages | None]:
    """Fund ids a list is narrowed to, with its label; or the refusal when the place is not found."""
    query = without_asking_words(query)   # สรุปเดือนนี้, ค้างชำระทั้งหมด: not a place
    if not _NAMES_ANYTHING.search(query) or (len(query.strip()) == 1 and not query.strip().isdigit()):
        # A stray vowel, mark or letter typed after the command (ค้างชำระะ, ครบกำหนดด) names no place: a
        # typo of the command, answered for the whole area.
        query = ""
    province = str(getattr(ctx.config, "province", "") or "")
    if not query.strip() or (province and query.replace(" ", "") in (province, "จังหวัด" + province)):
        return None, None, None   # the province by its name: the officer's whole area, as ทั้งจังหวัด is
    place = find_place(ctx.view.funds, query)
    if place is None:
        return None, None, not_found_fund(query)
    return {f.fund_id for f in place.funds}, place.label, None


# The commands a place can be named before (the others take no place, or more than one).
PLACE_FIRST = frozenset({"due", "overdue", "summary", "check", "fund", "ranking", "breached", "collected", "trend",
                         "collection", "notices", "funds", "subdistrict_ranking"})


def place_then_command(ctx: Ctx, readings: list[str], text: str = "") -> Messages | None:
    """A place named before what is asked of it, as Thai puts it: เกาะช้างค้างเท่าไหร่,
    บางพระครบกำหนดบ้าง, บ่อไร่สรุปหน่อย (`readings`: chat.phrases.named_alone's), or before a
    command that ends in a question word (เกาะกูดเก็บได้เท่าไหร่: `text` as typed). None when the
    text is not that."""
    for said in dict.fromkeys([readings[0] if readings else "", normalize_text(text).strip()]):
        for word, key in phrasebook().words:
            at = said.find(word)
            rest = said[at + len(word):].strip() if at > 0 else ""
            if at <= 0 or key not in PLACE_FIRST or (rest and not is_qualifier(rest)):
                continue
            place = _without_who_in(said[:at].strip())
            if find_place(ctx.view.funds, place) is not None:
                # What follows the command is its qualifier (สลักเตียนใครครบกำหนดสัปดาห์นี้), said before the
                # place; asking words alone (…มีปัญหาอะไร) are no qualifier.
                said_after = apart(rest) if without_asking_words(rest) else ""
                return COMMANDS[key].run(ctx, f"{said_after} {place}".strip())
    return None


# "Who in …" before the place (ใครในบ้านหนองแดงค้างบ้าง, ใครที่บ้านอ่าวขวางครบกำหนดสัปดาห์นี้): not part of it.
_WHO_IN: tuple[str, ...] = ("ลูกหนี้ใน", "ลูกหนี้ที่", "ใครใน", "คนใน", "ใครที่", "คนที่", "ใน")


def _without_who_in(place: str) -> str:
    for lead in _WHO_IN:
        if place.startswith(lead) and len(place) > len(lead):
            return place[len(lead):].strip()
    return place


def not_found_fund(query: str) -> Messages:
    # What the officer typed is never repeated back (it may name someone outside their area).
    return [flex.text_message("ไม่พบกองทุนที่ค้นหาในพื้นที่ของท่าน\n"
                           "พิมพ์รหัสกองทุน (เช่น 230101-01) ชื่อหมู่บ้าน ตำบล อำเภอ หรือ หมู่ 3",
                           quick=views.main_quick())]


def only_funds(view: Any, fund_ids: set[str] | None) -> list[bool] | None:
    """Per loan of the view's book: in the funds a list is narrowed to (None: every loan)."""
    return None if fund_ids is None else [loan.fund_id in fund_ids for loan in view.book.loans]
