"""The officers: district officers shared out like the funds, provincial staff, and their LINE links."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any, Sequence

from core.geo import District
from core.schema import ADMIN_ROLE, DISTRICT_ROLE, NO, PROVINCE_ROLE, YES
from sheets.demo.people import Names
from sheets.demo.records import DemoFund
from sheets.demo.rows import shaper
from sheets.demo.scales import DemoScale
from sheets.demo.shares import apportion
from sheets.demo.summary import DemoOfficer
from sheets.demo.words import NICKNAMES

_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


@dataclass
class Staff:
    rows: list[tuple[str, str, str | None, str, str]]  # id, name, district (None: province), role, register code
    by_district: dict[str, list[str]]                 # district name -> its officers' ids
    inactive: str                                     # the one who left the job ("" when none could)


def make_staff(rng: random.Random, names: Names, scale: DemoScale, dists: Sequence[District],
               funds_per_district: Sequence[int]) -> Staff:
    per_district = apportion(scale.officers_district, funds_per_district, minimum=1)
    width = max(2, len(str(scale.officers_district)))
    rows: list[tuple[str, str, str | None, str, str]] = []
    by_district: dict[str, list[str]] = {}
    names_used: set[str] = set()
    codes_used: set[str] = set()
    n = 0
    for d, count in zip(dists, per_district):
        ids = by_district.setdefault(d.name, [])
        for _ in range(count):
            n += 1
            oid = f"TRT-{n:0{width}d}"
            ids.append(oid)
            rows.append((oid, _unique_name(names, names_used), d.name, DISTRICT_ROLE,
                         _register_code(rng, codes_used)))
    for i in range(1, scale.staff_province + 1):
        role = ADMIN_ROLE if scale.staff_province >= 2 and i == scale.staff_province else PROVINCE_ROLE
        rows.append((f"TRT-P{i}", _unique_name(names, names_used), None, role, _register_code(rng, codes_used)))
    # One district officer no longer in the job: in a district that keeps another officer.
    multi = [oid for ids in by_district.values() if len(ids) >= 2 for oid in ids[1:]]
    return Staff(rows, by_district, rng.choice(multi) if multi else "")


def _unique_name(names: Names, used: set[str]) -> str:
    for _ in range(1000):
        name, _first = names.person()
        if name not in used:
            used.add(name)
            return name
    return name  # more officers than name pairs: accept a repeat


def _register_code(rng: random.Random, used: set[str]) -> str:
    while True:
        code = "".join(rng.choice(_CODE_CHARS) for _ in range(6))
        if code not in used:
            used.add(code)
            return code


def officer_rows_and_links(rng: random.Random, today: dt.date, scale: DemoScale, staff: Staff,
                           funds: Sequence[DemoFund]) -> tuple[list[list[Any]], list[list[Any]], list[DemoOfficer]]:
    """The เจ้าหน้าที่ and บัญชี LINE rows, and who is who for the summary."""
    shape_o = shaper("officers", ("officer_id", "name", "district", "role", "register_code", "active"))
    shape_l = shaper("line_links", ("linked_at", "officer_id", "line_user_id", "display_name"))
    # One or two active district officers have not linked LINE yet, each in a district
    # that keeps another linked, active officer (so the run can report them by name).
    assigned = {f.officer_id for f in funds if f.officer_id}
    candidates = [r[0] for r in staff.rows
                  if r[3] == DISTRICT_ROLE and r[0] != staff.inactive and r[0] in assigned]
    rng.shuffle(candidates)
    wanted = 2 if scale.officers_district >= 10 else 1
    unlinked: list[str] = []
    for oid in candidates:
        if len(unlinked) == wanted:
            break
        district = next(r[2] for r in staff.rows if r[0] == oid)
        assert district is not None  # a district officer
        others = [o for o in staff.by_district[district]
                  if o != oid and o != staff.inactive and o not in unlinked]
        if others:
            unlinked.append(oid)
    officer_rows, links, people = [], [], []
    for oid, name, district, role, code in staff.rows:
        active = oid != staff.inactive
        officer_rows.append(shape_o((oid, name, district, role, code, YES if active else NO)))
        linked = oid not in unlinked
        people.append(DemoOfficer(oid, name, district or "", role, active, linked))
        if linked:
            at = dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 60)),
                                     dt.time(rng.randint(8, 16), rng.randrange(60), rng.randrange(60)))
            nick = rng.choice(NICKNAMES)
            display = rng.choice((nick, f"{nick} พช.", f"พี่{nick}", f"{nick} CDD"))
            links.append((at, oid, f"U{rng.getrandbits(128):032x}", display))
    links.sort()
    return officer_rows, [shape_l(link) for link in links], people
