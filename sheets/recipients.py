"""Who is told what: the officers who get the month's summary (one push each on the 1st)."""
from __future__ import annotations

from dataclasses import dataclass

from core.geo import district_names
from core.schema import DISTRICT_ROLE, PROVINCE_ROLE, PROVINCE_TOTAL
from core.config import Config
from sheets.records import Dataset

PROVINCE = PROVINCE_TOTAL


@dataclass(frozen=True)
class MonthlyRecipient:
    officer_id: str
    name: str
    scope: str                 # a district name, or PROVINCE ("รวม") for provincial staff
    line_user: str | None


def monthly_targets(ds: Dataset) -> list[MonthlyRecipient]:
    """Every active officer who should get the month's summary, linked to LINE or not."""
    order = {name: i for i, name in enumerate(district_names())}
    out = []
    for officer in sorted(ds.active_officers(), key=lambda o: (o.role != PROVINCE_ROLE,
                                                               order.get(o.district, len(order)), o.officer_id)):
        if officer.role == PROVINCE_ROLE:
            scope = PROVINCE
        elif officer.role == DISTRICT_ROLE and officer.district:
            scope = officer.district
        else:
            continue  # administrators get the report in the sheet; a district officer without a district: nothing
        out.append(MonthlyRecipient(officer.officer_id, officer.name, scope, ds.line_user(officer.officer_id)))
    return out


def monthly_recipients(ds: Dataset, config: Config | None = None) -> list[str]:
    """Officer ids that get a monthly push (active, linked): one push each on the 1st."""
    return [r.officer_id for r in monthly_targets(ds) if r.line_user]
