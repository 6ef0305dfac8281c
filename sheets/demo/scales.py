"""How big the demo province is: Trat as it is, and the benchmark's bigger provinces on Trat's map."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from core.geo import District
from sheets.demo.shares import apportion


@dataclass(frozen=True)
class DemoScale:
    """How big the demo province is."""

    funds: int
    loans: int
    officers_district: int
    staff_province: int  # provincial staff; the last one is the system administrator when there are 2+
    name: str = ""


TRAT = DemoScale(funds=72, loans=1538, officers_district=23, staff_province=2, name="ตราด")
# Benchmark scales: Trat's geography reused, realism secondary to speed.
PROVINCE_AVG = DemoScale(funds=520, loans=11000, officers_district=60, staff_province=3,
                         name="จังหวัดขนาดเฉลี่ย")
NATIONAL_MAX = DemoScale(funds=3800, loans=80000, officers_district=300, staff_province=5,
                         name="ขนาดใหญ่สุด")

# Trat's 72 funds per district (code -> funds): more on the mainland, few on the islands.
_FUNDS_PER_DISTRICT = {"2301": 18, "2302": 8, "2303": 16, "2304": 12, "2305": 10, "2306": 3, "2307": 5}
TRAT_CAPITAL_SATANG = 2_153_618_815  # 21,536,188.15 baht over 72 funds
TRAT_FUNDS = 72
BASE_CAPITAL_SATANG = 28_000_000  # 280,000 baht
MAX_GROWTH_SATANG = 12_000_000    # capital stays <= 400,000 baht


def funds_per_district(scale: DemoScale, dists: Sequence[District]) -> list[int]:
    """The scale's funds shared out over the districts in Trat's proportions."""
    return apportion(scale.funds, [_FUNDS_PER_DISTRICT.get(d.code, 5) for d in dists])
