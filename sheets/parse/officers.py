"""The เจ้าหน้าที่ tab: who may use the bot, for which district, in which role."""
from __future__ import annotations

from core.schema import DISTRICT_ROLE, ROLES
from sheets import readers
from sheets.parse.district import read_districts
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Officer


def parse_officers(ds: Dataset, tab: TabReader) -> None:
    officer_id = tab.text("officer_id", required=True)
    tab.keys = officer_id
    name = tab.text("name", required=True)
    role = [r or "" for r in tab.read("role", lambda v: readers.read_choice(v, ROLES), required=True)]
    district, _ = read_districts(tab, "district", required=False)
    if "district" not in tab.missing:  # else the tab's one problem for the column says it
        for i in range(tab.n):
            if role[i] == DISTRICT_ROLE and not district[i]:
                tab.problem(i, "district", "เจ้าหน้าที่ระดับอำเภอต้องระบุอำเภอ")
    active = tab.read("active", readers.read_yes_no)
    register_code = tab.text("register_code")
    for i, oid in enumerate(officer_id):
        if not oid:
            continue
        if oid in ds.officers:
            tab.problem(i, "officer_id", f"รหัสเจ้าหน้าที่ {oid} ซ้ำกับแถว {ds.officers[oid].row}")
            continue
        ds.officers[oid] = Officer(tab.numbers[i], oid, name[i], district[i], role[i] or DISTRICT_ROLE,
                                   register_code[i], True if active[i] is None else active[i])
