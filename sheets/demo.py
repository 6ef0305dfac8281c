"""A demo Smart Data workbook: a synthetic but realistic Trat province.

For trying the system and for the district officers' training meeting. Every
name, citizen id, phone number, bank account and LINE id is made up; only the
geography (districts, subdistricts and their codes) is real.

`demo_tables` is the pure part: tab key -> rows (the first row is the Thai
headers), the same for the same seed and date, so a benchmark can load the
very same data into a fake Google Sheet. `build_demo` writes them to an .xlsx.

The data tells a story as of `today`: lending rounds over the last ~18 months,
most installments paid on time, some late or partial, 10-20% of the open
contracts in arrears (1-30, 31-90 and over 90 days), a few breached, some
closed; installments due today and in the coming week so that an alert run has
something to send; and a handful of planted data problems (listed in
`DemoSummary.planted`) so that the data-quality check has something to find.
"""
from __future__ import annotations

import datetime as dt
import gc
import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from operator import mul
from pathlib import Path
from typing import Any, Callable, Sequence

from core.geo import District, Subdistrict, districts
from core.thai import BE_OFFSET, MONTHS_ABBR, date_th
from core.schema import (ADMIN_ROLE, DISTRICT_ROLE, NO, POSITIONS, PROVINCE_ROLE, SOURCE_SHEET,
                           STATUS_BREACHED, STATUS_CLOSED, STATUS_NORMAL, TABS, YES)
from sheets.store import Layout

__all__ = ["DemoScale", "TRAT", "PROVINCE_AVG", "NATIONAL_MAX", "Planted", "DemoOfficer",
           "DemoSummary", "demo_tables", "demo_summary", "build_demo", "citizen_check_digit"]


# -- scales ---------------------------------------------------------------------
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
_TRAT_CAPITAL_SATANG = 2_153_618_815  # 21,536,188.15 baht over 72 funds
_TRAT_FUNDS = 72
_BASE_CAPITAL_SATANG = 28_000_000  # 280,000 baht
_MAX_GROWTH_SATANG = 12_000_000    # capital stays <= 400,000 baht

# -- synthetic words (made up for this demo) -----------------------------------------
_MALE = ("สมชาย", "สมศักดิ์", "ประเสริฐ", "วิชัย", "สุรชัย", "บุญมี", "ชาญวิทย์", "ธนากร", "อนุชา",
         "เกรียงไกร", "ประยูร", "สมพงษ์", "วีระพงษ์", "กิตติพัฒน์", "ณรงค์", "สุเมธ", "ไพโรจน์",
         "อำนาจ", "ทองดี", "มานพ")
_FEMALE = ("สมศรี", "มาลี", "วันเพ็ญ", "สุภาพร", "กาญจนา", "ปราณี", "รัตนา", "อรุณี", "จันทร์เพ็ญ",
           "บุญเรือน", "สายสุนีย์", "นงลักษณ์", "พรทิพย์", "ศิริพร", "ละเอียด", "ทองใบ", "วิไลวรรณ",
           "อัมพร", "ดวงใจ", "ณัฐธิดา")
_SURNAMES = ("ใจดี", "ศรีสุข", "บุญมา", "แก้วประเสริฐ", "ทองคำ", "สุขเจริญ", "พรหมมา", "รักษาศรี",
             "มั่นคง", "ชื่นใจ", "เพชรรัตน์", "วงศ์ใหญ่", "สายทอง", "ศรีวิไล", "ทรัพย์มาก", "นาคสวัสดิ์",
             "จันทร์หอม", "ปานทอง", "กล้าหาญ", "บุญประเสริฐ", "เรืองศรี", "สมบูรณ์ผล", "คงทน", "มีสุข",
             "ศักดิ์ดี", "อินทร์แก้ว", "พุ่มพวง", "เกตุแก้ว", "แสงจันทร์", "ชัยมงคล", "ทองสุข", "สมหวัง",
             "ประทุมทอง", "ดีประเสริฐ", "ศรีนวล", "บัวแก้ว", "พานทอง", "ขาวสะอาด", "ทะเลงาม", "หอมจันทร์")
_NICKNAMES = ("ต้อม", "แหม่ม", "เอ๋", "นก", "ปุ้ย", "อ้อย", "แจ๊ส", "บอย", "ต่าย", "ปู", "หนิง", "ตูน",
              "เก่ง", "ฝน", "แนน", "เจี๊ยบ", "โอ๋", "ก้อย", "บี", "จ๋า")
_VILLAGE_HEADS = ("หนอง", "คลอง", "ห้วย", "บาง", "ท่า", "เนิน", "ทุ่ง", "โคก", "วัง", "ดอน", "แหลม",
                  "อ่าว", "เขา", "บ่อ", "สลัก", "ไร่")
_VILLAGE_TAILS = ("บัว", "ใหญ่", "ขวาง", "ปลาไหล", "มะม่วง", "ขนุน", "ไผ่", "ตะเคียน", "ทราย", "แดง",
                  "กระดาน", "พลู", "ยาง", "สะแก", "มะพร้าว", "กุ้ง", "จาก", "หิน", "เตียน", "ระกำ",
                  "ทองหลาง", "สำโรง", "ลำดวน", "โพธิ์", "ตาล", "เกลือ")
_OCCUPATIONS = ("เลี้ยงไก่", "ปลูกผัก", "ค้าขาย", "ทำสวนยาง", "ทำขนม", "ทำสวนผลไม้", "ทำสวนทุเรียน",
                "ทำสวนเงาะ", "เลี้ยงสุกร", "เลี้ยงปลา", "ปลูกข้าว", "ร้านขายของชำ", "ตัดเย็บเสื้อผ้า",
                "จักสาน", "ขายอาหารตามสั่ง", "เลี้ยงวัว", "ทำปุ๋ยหมัก", "ซ่อมรถจักรยานยนต์")
_SEA_OCCUPATIONS = ("ประมงพื้นบ้าน", "เลี้ยงกุ้ง", "ทำกะปิ", "ขายอาหารทะเลแห้ง")
_COASTAL = {"2302", "2305", "2306", "2307", "2301"}
_BANKS = (("ธ.ก.ส.", 0.6), ("ธนาคารออมสิน", 0.25), ("ธนาคารกรุงไทย", 0.15))
_PHONE_PREFIXES = ("081", "082", "083", "084", "085", "086", "087", "089", "061", "062", "063", "064",
                   "065", "091", "092", "093", "094", "095", "096", "097", "098", "099")
_OTHER_PROVINCES = ("10", "20", "21", "22", "24", "27", "30", "40")
_TERMS = ((12, 52), (6, 8), (10, 8), (8, 5), (18, 10), (24, 12), (36, 5))  # months, weight
_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DRIVE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

_DAY = dt.timedelta(days=1)
_DELTAS = tuple(dt.timedelta(days=d) for d in range(-400, 1200))
_ON_TIME = (0, 0, 0, 0, 1, 1, 2, 3, 5, 7)  # days before the due date a punctual payer pays
ProgressFn = Callable[[str], None]


# -- results -------------------------------------------------------------------
@dataclass(frozen=True)
class Planted:
    """A deliberate oddity in the demo data. problem=False: realistic but valid (must be read fine)."""

    tab: str          # tab key (core.schema.TABS)
    row: int          # sheet row number (row 1 holds the headers)
    key: str          # fund_id or contract_no of the row
    column: str       # column key
    value: Any        # what the cell holds
    description: str  # Thai
    problem: bool = True


@dataclass(frozen=True)
class DemoOfficer:
    officer_id: str
    name: str
    district: str      # blank for provincial staff
    role: str
    active: bool
    linked: bool       # has a row in บัญชี LINE


@dataclass
class DemoSummary:
    path: Path | None
    today: dt.date
    seed: int
    scale: DemoScale
    counts: dict[str, int]               # tab key -> data rows
    planted: list[Planted]
    officers: list[DemoOfficer]
    seconds: float = 0.0
    facts: dict[str, Any] = field(default_factory=dict)  # arrears share etc. as generated

    def as_text(self) -> str:
        lines = [f"สร้างข้อมูลตัวอย่าง{(' ' + self.scale.name) if self.scale.name else ''} "
                 f"ณ วันที่ {date_th(self.today)} (seed {self.seed})"]
        if self.path:
            lines.append(f"ไฟล์: {self.path}")
        lines.append("จำนวนแถวต่อแท็บ:")
        for key, count in self.counts.items():
            lines.append(f"  - {TABS[key].title}: {count:,} แถว")
        if self.facts:
            f = self.facts
            lines.append(f"สัญญาคงค้าง {f['open_loans']:,} สัญญา ค้างชำระ {f['arrears_loans']:,} สัญญา "
                         f"({f['arrears_share'] * 100:.1f}%) ผิดสัญญา {f['breached_loans']:,} สัญญา "
                         f"ปิดแล้ว {f['closed_loans']:,} สัญญา")
            lines.append(f"งวดครบกำหนดวันนี้ {f['due_today']:,} งวด, ภายใน 7 วันข้างหน้า {f['due_next_7']:,} งวด")
        linked = sum(o.linked for o in self.officers)
        lines.append(f"เจ้าหน้าที่ {len(self.officers)} คน ผูกบัญชี LINE แล้ว {linked} คน")
        for o in self.officers:
            if not o.linked:
                lines.append(f"  - ยังไม่ผูก LINE: {o.officer_id} {o.name} ({o.district or o.role})")
            if not o.active:
                lines.append(f"  - ไม่ใช้งาน: {o.officer_id} {o.name} ({o.district or o.role})")
        problems = [p for p in self.planted if p.problem]
        lines.append(f"ข้อมูลที่ตั้งใจให้ผิด {len(problems)} จุด (ให้การตรวจสอบข้อมูลพบ):")
        for p in problems:
            lines.append(f"  - แท็บ {TABS[p.tab].title} แถว {p.row} ({p.key}): {p.description}")
        fine = [p for p in self.planted if not p.problem]
        if fine:
            lines.append("ข้อมูลที่พิมพ์ต่างรูปแบบแต่ถูกต้อง (ต้องอ่านได้):")
            for p in fine:
                lines.append(f"  - แท็บ {TABS[p.tab].title} แถว {p.row} ({p.key}): {p.description}")
        if self.seconds:
            lines.append(f"ใช้เวลา {self.seconds:.1f} วินาที")
        return "\n".join(lines)


# -- small helpers -------------------------------------------------------------
_CHECK_WEIGHTS = tuple(range(13, 1, -1))


def citizen_check_digit(first12: str) -> int:
    """d13 = (11 - sum(d_i * (14 - i)) mod 11) mod 10."""
    total = sum(map(mul, map(int, first12), _CHECK_WEIGHTS))
    return (11 - total % 11) % 10


# Weighted digit sums for the fast path: digits 1-5 (type and registry office), 6-8 and 9-12.
_HI_SUMS = tuple(sum(int(d) * w for d, w in zip(f"{n:03d}", (8, 7, 6))) for n in range(1000))
_LO_SUMS = tuple(sum(int(d) * w for d, w in zip(f"{n:04d}", (5, 4, 3, 2))) for n in range(10000))
_HEAD_SUMS: dict[str, int] = {}


def _head_sum(head: str) -> int:
    value = _HEAD_SUMS.get(head)
    if value is None:
        value = _HEAD_SUMS[head] = sum(int(d) * w for d, w in zip(head, (13, 12, 11, 10, 9)))
    return value


def _format_citizen(digits: str) -> str:
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days(n: int) -> dt.timedelta:
    return _DELTAS[n + 400] if -400 <= n < 1200 else dt.timedelta(days=n)


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


_MONTHS_CACHE: dict[tuple[dt.date, int], dt.date] = {}


def _add_months(day: dt.date, months: int) -> dt.date:
    key = (day, months)
    hit = _MONTHS_CACHE.get(key)
    if hit is not None:
        return hit
    if len(_MONTHS_CACHE) > 200_000:
        _MONTHS_CACHE.clear()
    _MONTHS_CACHE[key] = result = _add_months_raw(day, months)
    return result


_SCHEDULE_CACHE: dict[tuple[dt.date, int, int], tuple[dt.date, ...]] = {}


def _schedule_dates(due: dt.date, step: int, n: int) -> tuple[dt.date, ...]:
    """n dates `step` months apart, the last on `due`."""
    key = (due, step, n)
    dates = _SCHEDULE_CACHE.get(key)
    if dates is None:
        if len(_SCHEDULE_CACHE) > 50_000:
            _SCHEDULE_CACHE.clear()
        dates = _SCHEDULE_CACHE[key] = tuple(_add_months_raw(due, -step * (n - 1 - i)) for i in range(n))
    return dates


def _add_months_raw(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = 29 if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else _MONTH_DAYS[month - 1]
    return dt.date(year, month, min(day.day, last))


def _apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split total into integers proportional to weights (largest remainder), each >= minimum."""
    n = len(weights)
    base = [minimum] * n
    rest = total - minimum * n
    if rest <= 0 or n == 0:
        return base
    wsum = float(sum(weights)) or 1.0
    shares = [rest * w / wsum for w in weights]
    floors = [int(s) for s in shares]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors)]


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _money(satang: int) -> int | float:
    return satang // 100 if satang % 100 == 0 else round(satang / 100, 2)


class _Names:
    """Synthetic Thai names: นาย/นาง/นางสาว + first name + surname."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> tuple[str, str]:
        """(full name with title, first name)."""
        rnd = self.rng.random
        if rnd() < 0.62:
            first = _FEMALE[int(rnd() * len(_FEMALE))]
            title = "นาง" if rnd() < 0.75 else "นางสาว"
        else:
            first = _MALE[int(rnd() * len(_MALE))]
            title = "นาย"
        return f"{title}{first} {_SURNAMES[int(rnd() * len(_SURNAMES))]}", first

    def name(self) -> str:
        return self.person()[0]

    def phone(self, blank_share: float = 0.08) -> str | None:
        rnd = self.rng.random
        if rnd() < blank_share:
            return None
        prefix = _PHONE_PREFIXES[int(rnd() * len(_PHONE_PREFIXES))]
        a, b = int(rnd() * 1000), int(rnd() * 10000)
        if rnd() < 0.1:
            return f"{prefix}{a:03d}{b:04d}"  # typed without dashes: still text
        return f"{prefix}-{a:03d}-{b:04d}"


# -- the generator ---------------------------------------------------------------
class _Loan:
    __slots__ = ("fund", "contract_no", "name", "citizen_id", "phone", "round", "occupation", "loan_date",
                 "amount", "due_date", "items", "scheduled", "payments", "status", "note", "kind", "k")

    def __init__(self) -> None:
        self.items: list[tuple[dt.date, int]] = []
        self.scheduled = False
        self.payments: list[tuple[dt.date, int]] = []
        self.status: str | None = None
        self.note: str | None = None
        self.kind = "track"
        self.k = 0


class _Fund:
    __slots__ = ("fund_id", "district", "sub", "village_no", "village_name", "capital", "officer_id",
                 "loans", "row")

    def __init__(self, fund_id: str, district: District, sub: Subdistrict, village_no: int, village_name: str):
        self.fund_id, self.district, self.sub = fund_id, district, sub
        self.village_no, self.village_name = village_no, village_name
        self.capital = _BASE_CAPITAL_SATANG
        self.officer_id: str | None = None
        self.loans: list[_Loan] = []
        self.row: list[Any] = []


@dataclass
class _Demo:
    tables: dict[str, list[list[Any]]]
    planted: list[Planted]
    officers: list[DemoOfficer]
    facts: dict[str, Any]


def _idx(tab: str) -> dict[str, int]:
    return {k: i for i, k in enumerate(TABS[tab].keys)}


def _shaper(tab: str, keys: tuple[str, ...]) -> Callable[[tuple[Any, ...]], list[Any]]:
    """Values given in `keys` order -> a row in the tab's column order (other columns blank)."""
    columns = TABS[tab].keys
    if columns == keys:
        return list
    where = [keys.index(k) if k in keys else -1 for k in columns]
    return lambda values: [values[i] if i >= 0 else None for i in where]


class _Generator:
    def __init__(self, today: dt.date, seed: int, scale: DemoScale, progress: ProgressFn | None):
        if scale.funds < 1 or scale.loans < 0 or scale.officers_district < 1:
            raise ValueError("a demo needs at least one fund and one district officer")
        if isinstance(today, dt.datetime):
            today = today.date()
        self.today, self.seed, self.scale = today, seed, scale
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.say = progress or (lambda _m: None)
        self.dists = districts()
        self.planted: list[Planted] = []
        self._used_ids: set[str] = set()
        self._used_codes: set[str] = set()

    # ---- officers --------------------------------------------------------
    def officers(self) -> None:
        rng, scale = self.rng, self.scale
        self.funds_per_district = _apportion(scale.funds, [_FUNDS_PER_DISTRICT.get(d.code, 5) for d in self.dists])
        per_district = _apportion(scale.officers_district, self.funds_per_district, minimum=1)
        width = max(2, len(str(scale.officers_district)))
        rows: list[tuple[str, str, str, str, str]] = []  # id, name, district, role, code
        self.district_officers: dict[str, list[str]] = {}
        names_used: set[str] = set()
        n = 0
        for d, count in zip(self.dists, per_district):
            ids = self.district_officers.setdefault(d.name, [])
            for _ in range(count):
                n += 1
                oid = f"TRT-{n:0{width}d}"
                ids.append(oid)
                rows.append((oid, self._unique_name(names_used), d.name, DISTRICT_ROLE, self._register_code()))
        for i in range(1, scale.staff_province + 1):
            role = ADMIN_ROLE if scale.staff_province >= 2 and i == scale.staff_province else PROVINCE_ROLE
            rows.append((f"TRT-P{i}", self._unique_name(names_used), None, role, self._register_code()))
        # One district officer no longer in the job: in a district that keeps another officer.
        multi = [oid for ids in self.district_officers.values() if len(ids) >= 2 for oid in ids[1:]]
        self.inactive = rng.choice(multi) if multi else ""
        self.officer_rows = rows

    def _unique_name(self, used: set[str]) -> str:
        for _ in range(1000):
            name, _first = self.names.person()
            if name not in used:
                used.add(name)
                return name
        return name  # more officers than name pairs: accept a repeat

    def _register_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(_CODE_CHARS) for _ in range(6))
            if code not in self._used_codes:
                self._used_codes.add(code)
                return code

    # ---- funds -----------------------------------------------------------
    def funds(self) -> None:
        rng = self.rng
        funds: list[_Fund] = []
        for d, count in zip(self.dists, self.funds_per_district):
            subs = d.subdistricts
            minimum = 1 if count >= len(subs) else 0
            per_sub = _apportion(count, [rng.uniform(0.6, 1.4) for _ in subs], minimum=minimum)
            for sub, k in zip(subs, per_sub):
                for fund_id, village_no in self._villages(sub.code, k):
                    name = "บ้าน" + rng.choice(_VILLAGE_HEADS) + rng.choice(_VILLAGE_TAILS)
                    funds.append(_Fund(fund_id, d, sub, village_no, name))
        funds.sort(key=lambda f: f.fund_id)
        # Capital: 280,000 each; about a third have grown, the total near Trat's 21.5 million.
        target = round(_TRAT_CAPITAL_SATANG * len(funds) / _TRAT_FUNDS)
        extra = max(0, target - _BASE_CAPITAL_SATANG * len(funds))
        grown_count = min(len(funds), max(1, -(-extra // 6_500_000)))
        grown = sorted(rng.sample(range(len(funds)), grown_count))
        growth = _apportion(extra, [rng.uniform(0.4, 1.6) for _ in grown])
        for i, g in zip(grown, growth):
            funds[i].capital += min(g, _MAX_GROWTH_SATANG)
        # About two thirds of the funds name their officer; the rest go to every district officer.
        # The benchmark's big scales crowd dozens of officers into Trat's 7 districts: there every
        # fund names its officer, as a real district that size would (else each item goes to 40).
        for d in self.dists:
            active = [o for o in self.district_officers[d.name] if o != self.inactive]
            mine = [f for f in funds if f.district is d]
            turn = rng.randrange(len(active))
            share = 0.67 if len(active) <= 5 else 1.0
            for f in mine:
                if rng.random() < share:
                    f.officer_id = active[turn % len(active)]
                    turn += 1
        self.fund_list = funds

    def _villages(self, code: str, k: int) -> list[tuple[str, int]]:
        out: list[tuple[str, int]] = []
        cycle = 0
        while k > 0:
            take = min(k, 99)
            numbers = sorted(self.rng.sample(range(1, max(take, 15) + 1), take)) if take < 99 else list(range(1, 100))
            suffix = "" if cycle == 0 else "-" + chr(ord("A") + cycle)
            out.extend((f"{code}-{v:02d}{suffix}", v) for v in numbers)
            k -= take
            cycle += 1
        return out

    # ---- loans -----------------------------------------------------------
    def loans(self) -> None:
        rng, today = self.rng, self.today
        rnd = rng.random
        funds = self.fund_list
        per_fund = _apportion(self.scale.loans, [rng.uniform(0.5, 1.6) for _ in funds],
                              minimum=1 if self.scale.loans >= len(funds) else 0)
        newest, oldest = today - dt.timedelta(days=30), today - dt.timedelta(days=545)
        floor = oldest - dt.timedelta(days=5)
        span = (newest - oldest).days
        shifts = [dt.timedelta(days=d) for d in range(-5, 6)]
        term_cum = _cumulative([w for _, w in _TERMS])
        terms = [t for t, _ in _TERMS]
        round_cum = _cumulative((45, 30, 20, 5))
        name, phone, citizen, schedule = self.names.name, self.names.phone, self._citizen_id, self._schedule
        all_loans: list[_Loan] = []
        for fund, n in zip(funds, per_fund):
            if n == 0:
                continue
            rounds = 1 if n < 8 else rng.choices((1, 2, 3), weights=(25, 50, 25))[0]
            seg = span / rounds
            round_dates = [oldest + dt.timedelta(days=int(seg * r + rng.uniform(5, max(6.0, seg - 5))))
                           for r in range(rounds)]
            round_of = sorted(int(rnd() * rounds) for _ in range(n))
            budget = fund.capital / 100 * rng.uniform(0.7, 1.08)
            mean = min(30000.0, max(3000.0, budget / n))
            code = fund.district.code
            occupations = _OCCUPATIONS + (_SEA_OCCUPATIONS if code in _COASTAL else ())
            if code in ("2306", "2307"):  # the islands
                occupations = occupations + _SEA_OCCUPATIONS + ("ที่พักโฮมสเตย์", "บริการนำเที่ยว")
            n_occ = len(occupations)
            loans: list[_Loan] = []
            for r in round_of:
                loan = _Loan()
                loan.fund = fund
                day = round_dates[r] + shifts[int(rnd() * 11)]
                loan.loan_date = newest if day > newest else (floor if day < floor else day)
                raw = mean * (0.5 + rnd())
                u = rnd()
                unit = 1000 if u < 0.6 else (500 if u < 0.8 else 100)
                loan.amount = int(min(30000, max(3000, round(raw / unit) * unit)))
                term = terms[bisect_right(term_cum, rnd() * term_cum[-1])]
                loan.due_date = _add_months(loan.loan_date, term)
                loan.name = name()
                loan.citizen_id = citizen(code)
                loan.phone = phone()
                loan.round = (1, 2, 3, None)[bisect_right(round_cum, rnd() * round_cum[-1])]
                loan.occupation = occupations[int(rnd() * n_occ)]
                schedule(loan, term)
                loans.append(loan)
            loans.sort(key=lambda x: (x.loan_date, x.name))
            counters: dict[int, int] = {}
            fid = fund.fund_id
            for loan in loans:
                be = loan.loan_date.year + BE_OFFSET
                counters[be] = counters.get(be, 0) + 1
                loan.contract_no = f"{fid}/{be}/{counters[be]:02d}"
            fund.loans = loans
            all_loans.extend(loans)
        self.loan_list = all_loans
        self._ensure_due_soon()

    def _citizen_id(self, district_code: str) -> str:
        """13 digits with a valid check digit, first digit 1 or 3, a Trat registry office mostly."""
        rnd = self.rng.random
        while True:
            first = "1" if rnd() < 0.45 else "3"
            if rnd() < 0.88:
                office = district_code
            else:
                office = _OTHER_PROVINCES[int(rnd() * len(_OTHER_PROVINCES))] + f"0{1 + int(rnd() * 9)}"
            head = first + office
            hi, lo = int(rnd() * 1000), int(rnd() * 10000)
            weighted = _head_sum(head) + _HI_SUMS[hi] + _LO_SUMS[lo]
            digits = f"{head}{hi:03d}{lo:04d}{(11 - weighted % 11) % 10}"
            if digits not in self._used_ids:
                self._used_ids.add(digits)
                return _format_citizen(digits) if rnd() < 0.4 else digits

    def _schedule(self, loan: _Loan, term: int) -> None:
        """About half the contracts are repaid in 2-12 installments, monthly or quarterly."""
        rnd = self.rng.random
        if rnd() < 0.5:
            step = 1 if rnd() < 0.45 else 3
            n = term // step
            if n > 12:
                step = -(-term // 12)
                n = term // step
            if n < 2 and step == 3:
                step, n = 1, term
            if n >= 2:
                part = loan.amount // n // 100 * 100
                dates = _schedule_dates(loan.due_date, step, n)
                loan.items = [(d, part) for d in dates]
                loan.items[-1] = (loan.due_date, loan.amount - part * (n - 1))
                loan.scheduled = True
                return
        loan.items = [(loan.due_date, loan.amount)]

    def _ensure_due_soon(self) -> None:
        """An alert run on `today` needs installments due today, tomorrow and in 7 days (the default triggers)."""
        today = self.today
        due_days = {(d - today).days for loan in self.loan_list for d, _ in loan.items}
        soon = today + dt.timedelta(days=7)
        singles = [x for x in self.loan_list if not x.scheduled and x.due_date > soon
                   and (today - x.loan_date).days >= 30]
        self.pinned: set[str] = set()
        for offset in (0, 1, 7):
            if offset not in due_days and singles:
                loan = singles.pop(self.rng.randrange(len(singles)))
                loan.due_date = today + dt.timedelta(days=offset)
                loan.items = [(loan.due_date, loan.amount)]
                self.pinned.add(loan.contract_no)

    # ---- repayments as of today --------------------------------------------------
    def repayments(self) -> dict[str, Any]:
        rng, today = self.rng, self.today
        rnd = rng.random
        loans = self.loan_list
        mature, midterm = [], []
        for loan in loans:
            (mature if loan.items[-1][0] < today else midterm).append(loan)
        # Breached contracts (ผิดสัญญา): long overdue, ~1.5% of all.
        long_due = [x for x in mature if (today - x.items[0][0]).days > 90]
        breached = rng.sample(long_due, min(len(long_due), max(1, round(len(loans) * 0.015)))) if long_due else []
        for loan in breached:
            loan.kind = "breached"
            loan.k = 0
            loan.status = STATUS_BREACHED
            loan.note = rng.choice(("ส่งหนังสือทวงถามแล้ว", "อยู่ระหว่างดำเนินคดี", "ติดต่อไม่ได้", None))
        # Installments due today: some already paid, most not yet (alerts "ครบกำหนดวันนี้").
        today_unpaid = 0
        due_now = [x for x in midterm if x.kind == "track" and any(d == today for d, _ in x.items)]
        for loan in due_now:
            if rnd() < 0.65 or (loan is due_now[-1] and not today_unpaid):
                loan.kind = "today"
                today_unpaid += 1
        # A few contracts repaid in full before their due date.
        for loan in midterm:
            if loan.kind == "track" and rnd() < 0.03 and loan.contract_no not in self.pinned:
                loan.kind = "early"
        # Arrears: picked until the share of open contracts in arrears reaches a target.
        open_count = sum(1 for x in midterm if x.kind != "early") + len(breached)
        in_arrears = today_unpaid + len(breached)
        target = rng.uniform(0.13, 0.165)
        # Candidates by how long their latest due installment has been waiting: 1-30, 31-90, over 90 days.
        pools: list[list[_Loan]] = [[], [], []]
        for x in loans:
            if x.kind == "track" and x.items[0][0] < today:
                waited = min((today - d).days for d, _ in x.items if d < today)
                pools[0 if waited <= 30 else (1 if waited <= 90 else 2)].append(x)
        for pool in pools:
            rng.shuffle(pool)
        bucket_w = (0.4, 0.3, 0.3)
        while open_count and in_arrears / open_count < target and any(pools):
            b = rng.choices((0, 1, 2), weights=[w if pools[i] else 0 for i, w in enumerate(bucket_w)])[0]
            loan = pools[b].pop()
            loan.kind = "arrears"
            past = sum(1 for d, _ in loan.items if d < today)
            # Mostly behind on the latest installment only; some for longer.
            loan.k = past - 1 if past == 1 or rnd() < 0.8 else int(rnd() * past)
            in_arrears += 1
            if loan.items[-1][0] < today:  # a matured contract: open again because unpaid
                open_count += 1
        for loan in loans:
            self._pay(loan)
        closed = due_today = due_next_7 = 0
        soon = today + dt.timedelta(days=7)
        for loan in loans:
            if sum(a for _, a in loan.payments) >= loan.amount:
                closed += 1
                if rnd() < 0.35:
                    loan.status = STATUS_CLOSED
            elif loan.kind == "track" and rnd() < 0.08:
                loan.status = STATUS_NORMAL
            for d, _ in loan.items:
                if d == today:
                    due_today += 1
                elif today < d <= soon:
                    due_next_7 += 1
        return {"open_loans": len(loans) - closed, "arrears_loans": in_arrears,
                "arrears_share": in_arrears / max(1, len(loans) - closed), "breached_loans": len(breached),
                "closed_loans": closed, "due_today": due_today, "due_next_7": due_next_7}

    def _pay(self, loan: _Loan) -> None:
        rng, today = self.rng, self.today
        rnd = rng.random
        pays = loan.payments
        last = loan.loan_date + _DAY
        kind = loan.kind
        items = loan.items
        if kind == "arrears" or kind == "breached":
            upto = loan.k  # items before k paid, k partly or not at all, nothing after
        else:
            upto = 0
            for d, _ in items:
                if d < today or (d == today and kind == "track"):  # today's paid at or a little before
                    upto += 1
        pay_item = self._pay_item
        for i in range(upto):
            due, amount = items[i]
            last = pay_item(pays, due, amount, last)
        if kind == "arrears" or kind == "breached":
            if rnd() < 0.3:
                due, amount = items[loan.k]
                part = int(amount * (0.2 + rnd() * 0.5)) // 100 * 100
                if part >= 100:
                    day = min(max(due + _days(int(rnd() * 14) - 3), last), today)
                    pays.append((day, part))
        elif kind == "early":
            rest = loan.amount - sum(a for _, a in pays)
            lo = max(last, loan.loan_date + _days(30))
            if rest > 0 and lo < today:
                pays.append((lo + _days(int(rnd() * ((today - lo).days + 1))), rest))
        elif kind == "track" and upto == 0 and not loan.scheduled and last < today and rnd() < 0.15:
            # Paying something towards a one-installment loan before it falls due.
            part = int(loan.amount * (0.2 + rnd() * 0.3)) // 500 * 500
            if part > 0:
                pays.append((last + _days(int(rnd() * ((today - last).days + 1))), part))

    def _pay_item(self, pays: list[tuple[dt.date, int]], due: dt.date, amount: int, last: dt.date) -> dt.date:
        rnd, today = self.rng.random, self.today
        r = rnd()
        if r < 0.04 and amount >= 400 and (today - due).days >= 5:
            # Paid in two parts: some at the due date, the rest a little later.
            part = int(amount * (0.3 + rnd() * 0.4)) // 100 * 100
            d1 = min(max(due - _days(int(rnd() * 4)), last), today)
            d2 = max(min(due + _days(3 + int(rnd() * 23)), today), d1)
            pays.append((d1, part))
            pays.append((d2, amount - part))
            return d2
        if r < 0.16:
            day = due + _days(1 + int(rnd() * 30))  # late
        else:
            day = due - _days(_ON_TIME[int(rnd() * len(_ON_TIME))])  # on time: at or a few days before
        if day < last:
            day = last
        if day > today:
            day = today
        pays.append((day, amount))
        return day

    # ---- the tables -----------------------------------------------------------
    def fund_rows(self) -> list[list[Any]]:
        rng, today = self.rng, self.today
        ix = _idx("funds")
        rows = []
        for f in self.fund_list:
            outstanding = sum(x.amount - sum(a for _, a in x.payments) for x in f.loans) * 100
            cash = 0 if rng.random() < 0.45 else rng.randrange(2, 60) * 10_000  # 200-5,900 baht, in satang
            # The bank holds what is not lent out or in the cash box, plus a little interest.
            balance = f.capital - outstanding - cash + int(f.capital * rng.uniform(0.0, 0.03))
            if balance < 0:
                balance = rng.randrange(200_000, 3_000_000)
            balance = balance // 100 * 100 + rng.randrange(100)  # with satang, like a real bank book
            order_date = today - dt.timedelta(days=rng.randint(30, 4 * 365 - 60))
            total = rng.randint(80, 450)
            row: list[Any] = [None] * len(ix)
            values = {
                "fund_id": f.fund_id,
                "district": f.district.name,
                "subdistrict": f.sub.name,
                "village_no": f.village_no,
                "village_name": f.village_name,
                "budget_year": rng.choices((2536, 2537, 2538, 2539, 2540, 2541), weights=(30, 6, 5, 4, 50, 5))[0],
                "capital": _money(f.capital),
                "bank_name": _weighted(rng, _BANKS),
                "bank_account_no": (f"0{rng.randrange(100):02d}-{rng.randrange(10)}-"
                                    f"{rng.randrange(100000):05d}-{rng.randrange(10)}"),
                "bank_balance": _money(balance),
                "bank_balance_date": today - dt.timedelta(days=rng.randint(0, 75)),
                "cash_on_hand": _money(cash),
                "committee_order_no": f"{rng.randint(1, 80)}/{order_date.year + BE_OFFSET}",
                "committee_order_date": order_date,
                "committee_order_doc": self._drive_link(),
                "bank_book_doc": self._drive_link(),
                "financial_summary_doc": self._drive_link(),
                "financial_summary_date": today - dt.timedelta(days=rng.randint(5, 150)),
                "households_total": total,
                "households_target": min(total, max(len(f.loans), int(total * rng.uniform(0.08, 0.25)))),
                "officer_id": f.officer_id,
                "updated_at": today - dt.timedelta(days=rng.randint(0, 120)),
            }
            for key, value in values.items():
                if key in ix:
                    row[ix[key]] = value
            f.row = row
            rows.append(row)
        return rows

    def _drive_link(self) -> str:
        rnd = self.rng.random
        n = len(_DRIVE_CHARS)
        return ("https://drive.google.com/file/d/1" + "".join(_DRIVE_CHARS[int(rnd() * n)] for _ in range(32))
                + "/view")

    def loan_rows(self) -> list[list[Any]]:
        shape = _shaper("loans", ("contract_no", "fund_id", "borrower_name", "citizen_id", "phone", "round",
                                  "occupation", "loan_date", "amount", "due_date", "status", "note"))
        return [shape((x.contract_no, x.fund.fund_id, x.name, x.citizen_id, x.phone, x.round, x.occupation,
                       x.loan_date, x.amount, x.due_date, x.status, x.note)) for x in self.loan_list]

    def installment_rows(self) -> list[list[Any]]:
        shape = _shaper("installments", ("contract_no", "seq", "due_date", "amount"))
        return [shape((x.contract_no, seq, due, amount))
                for x in self.loan_list if x.scheduled
                for seq, (due, amount) in enumerate(x.items, start=1)]

    def payment_rows(self) -> list[list[Any]]:
        rnd = self.rng.random
        shape = _shaper("payments", ("contract_no", "paid_date", "amount", "receipt_no", "recorded_by", "source"))
        loans = self.loan_list
        # In the order receipts were typed: by date.
        by_day: dict[dt.date, list[tuple[_Loan, int]]] = {}
        for x in loans:  # a bucket per day keeps contract order within the day
            for day, amount in x.payments:
                bucket = by_day.get(day)
                if bucket is None:
                    bucket = by_day[day] = []
                bucket.append((x, amount))
        receipts: dict[tuple[str, int], int] = {}
        first_officer = {d: ids[0] for d, ids in self.district_officers.items()}
        rows = []
        for day in sorted(by_day):
            be = day.year + BE_OFFSET
            for x, amount in by_day[day]:
                fund = x.fund
                key = (fund.fund_id, be)
                seq = receipts[key] = receipts.get(key, 0) + 1
                by = (fund.officer_id or first_officer[fund.district.name]) if rnd() < 0.25 else None
                rows.append(shape((x.contract_no, day, amount, f"{seq:03d}/{be}", by, SOURCE_SHEET)))
        return rows

    def committee_rows(self) -> list[list[Any]]:
        rng = self.rng
        shape = _shaper("committee", ("fund_id", "name", "position", "term_start", "term_end", "phone"))
        order_col = _idx("funds")["committee_order_date"]
        rows = []
        for f in self.fund_list:
            if rng.random() >= 0.5:
                continue
            start = f.row[order_col]
            end = _add_months(start, 48) - _DAY
            members = rng.randint(7, 9)
            for position in list(POSITIONS[:3]) + [POSITIONS[3]] * (members - 3):
                rows.append(shape((f.fund_id, self.names.person()[0], position, start, end,
                                   self.names.phone(blank_share=0.3))))
        return rows

    def officer_rows_and_links(self) -> tuple[list[list[Any]], list[list[Any]], list[DemoOfficer]]:
        rng, today = self.rng, self.today
        shape_o = _shaper("officers", ("officer_id", "name", "district", "role", "register_code", "active"))
        shape_l = _shaper("line_links", ("linked_at", "officer_id", "line_user_id", "display_name"))
        # One or two active district officers have not linked LINE yet, each in a district
        # that keeps another linked, active officer (so the run can report them by name).
        assigned = {f.officer_id for f in self.fund_list if f.officer_id}
        candidates = [r[0] for r in self.officer_rows
                      if r[3] == DISTRICT_ROLE and r[0] != self.inactive and r[0] in assigned]
        rng.shuffle(candidates)
        wanted = 2 if self.scale.officers_district >= 10 else 1
        unlinked: list[str] = []
        for oid in candidates:
            if len(unlinked) == wanted:
                break
            district = next(r[2] for r in self.officer_rows if r[0] == oid)
            others = [o for o in self.district_officers[district]
                      if o != oid and o != self.inactive and o not in unlinked]
            if others:
                unlinked.append(oid)
        officer_rows, links, people = [], [], []
        for oid, name, district, role, code in self.officer_rows:
            active = oid != self.inactive
            officer_rows.append(shape_o((oid, name, district, role, code, YES if active else NO)))
            linked = oid not in unlinked
            people.append(DemoOfficer(oid, name, district or "", role, active, linked))
            if linked:
                at = dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 60)),
                                         dt.time(rng.randint(8, 16), rng.randrange(60), rng.randrange(60)))
                nick = rng.choice(_NICKNAMES)
                display = rng.choice((nick, f"{nick} พช.", f"พี่{nick}", f"{nick} CDD"))
                links.append((at, oid, f"U{rng.getrandbits(128):032x}", display))
        links.sort()
        return officer_rows, [shape_l(link) for link in links], people

    # ---- planted problems ------------------------------------------------------
    def plant(self, tables: dict[str, list[list[Any]]]) -> None:
        rng, today = self.rng, self.today
        fx, lx, ix, px = _idx("funds"), _idx("loans"), _idx("installments"), _idx("payments")
        funds, loans, inst, pays = tables["funds"], tables["loans"], tables["installments"], tables["payments"]
        add = self.planted.append
        # Funds: each problem on its own fund.
        picks = rng.sample(range(len(funds)), min(len(funds), 4))
        if len(picks) >= 1:
            r = funds[picks[0]]
            r[fx["bank_book_doc"]] = None
            add(Planted("funds", picks[0] + 2, r[fx["fund_id"]], "bank_book_doc", None,
                        "ไม่มีลิงก์สำเนาสมุดบัญชี (ข้อมูลไม่ครบ)"))
        if len(picks) >= 2:
            r = funds[picks[1]]
            r[fx["bank_balance_date"]] = today - dt.timedelta(days=rng.randint(120, 400))
            add(Planted("funds", picks[1] + 2, r[fx["fund_id"]], "bank_balance_date", r[fx["bank_balance_date"]],
                        f"ยอดเงินฝากไม่เป็นปัจจุบัน (ณ {date_th(r[fx['bank_balance_date']])}, เกิน 90 วัน)"))
        for p in picks[2:4]:
            r = funds[p]
            r[fx["committee_order_date"]] = today - dt.timedelta(days=4 * 365 + rng.randint(30, 700))
            r[fx["committee_order_no"]] = f"{rng.randint(1, 80)}/{r[fx['committee_order_date']].year + BE_OFFSET}"
            start = r[fx["committee_order_date"]]
            cx = _idx("committee")
            for member in tables["committee"]:
                if member[cx["fund_id"]] == r[fx["fund_id"]]:
                    member[cx["term_start"]], member[cx["term_end"]] = start, _add_months(start, 48) - _DAY
            add(Planted("funds", p + 2, r[fx["fund_id"]], "committee_order_date", r[fx["committee_order_date"]],
                        f"คำสั่งแต่งตั้งกรรมการหมดวาระแล้ว (ลงวันที่ {date_th(r[fx['committee_order_date']])} เกิน 4 ปี)"))
        # Loans: each oddity on its own contract without installment rows.
        singles = [i for i, x in enumerate(self.loan_list) if not x.scheduled]
        rng.shuffle(singles)

        def take(pred: Callable[[int], bool] = lambda i: True) -> int | None:
            for n, i in enumerate(singles):
                if pred(i):
                    return singles.pop(n)
            return singles.pop() if singles else None

        i = take()
        if i is not None:
            r = loans[i]
            digits = "".join(ch for ch in r[lx["citizen_id"]] if ch.isdigit())
            wrong = digits[:12] + str((int(digits[12]) + rng.randint(1, 9)) % 10)
            r[lx["citizen_id"]] = _format_citizen(wrong) if "-" in r[lx["citizen_id"]] else wrong
            add(Planted("loans", i + 2, r[lx["contract_no"]], "citizen_id", r[lx["citizen_id"]],
                        "เลขประจำตัวประชาชนหลักตรวจสอบไม่ถูกต้อง"))
        i = take()
        if i is not None:
            r = loans[i]
            due = r[lx["due_date"]]
            r[lx["due_date"]] = f"31/02/{due.year + BE_OFFSET}"
            add(Planted("loans", i + 2, r[lx["contract_no"]], "due_date", r[lx["due_date"]],
                        "วันครบกำหนดชำระพิมพ์ผิด (ไม่มีวันที่ 31 กุมภาพันธ์)"))
        i = take(lambda j: self.loan_list[j].amount == 5000)
        if i is not None:
            r = loans[i]
            r[lx["amount"]] = "ห้าพัน"
            add(Planted("loans", i + 2, r[lx["contract_no"]], "amount", r[lx["amount"]],
                        "จำนวนเงินยืมพิมพ์เป็นตัวหนังสือ อ่านเป็นตัวเลขไม่ได้"))
        i = take()
        if i is not None:
            r = loans[i]
            d = r[lx["loan_date"]]
            r[lx["loan_date"]] = f"{d.day} {MONTHS_ABBR[d.month - 1]} {(d.year + BE_OFFSET) % 100:02d}"
            add(Planted("loans", i + 2, r[lx["contract_no"]], "loan_date", r[lx["loan_date"]],
                        "วันที่รับเงินยืมพิมพ์เป็นข้อความไทย (ถูกต้อง ต้องอ่านได้)", problem=False))
        i = take()
        if i is not None:
            r = loans[i]
            r[lx["amount"]] = f"{r[lx['amount']]:,} บาท"
            add(Planted("loans", i + 2, r[lx["contract_no"]], "amount", r[lx["amount"]],
                        "จำนวนเงินพิมพ์เป็นข้อความมีจุลภาคและคำว่าบาท (ถูกต้อง ต้องอ่านได้)", problem=False))
        # Installments: one schedule that does not add up (a future installment mistyped).
        later = today + dt.timedelta(days=10)
        future = [n for n, r in enumerate(inst) if r[ix["due_date"]] > later]
        if future:
            n = rng.choice(future)
            r = inst[n]
            r[ix["amount"]] = r[ix["amount"]] + 1000
            add(Planted("installments", n + 2, r[ix["contract_no"]], "amount", r[ix["amount"]],
                        f"ยอดรวมงวดชำระไม่เท่ากับจำนวนเงินยืม (งวดที่ {r[ix['seq']]} เกินไป 1,000 บาท)"))
        # Payments: a receipt typed against a contract number that does not exist.
        if pays:
            base = rng.choice(pays)
            fund_part, be, nn = base[px["contract_no"]].rsplit("/", 2)
            existing = {x.contract_no for x in self.loan_list}
            ghost = f"{fund_part}/{be}/{int(nn) + 50:02d}"
            while ghost in existing:
                ghost += "0"
            day = today - dt.timedelta(days=rng.randint(3, 40))
            row: list[Any] = [None] * len(base)
            row[px["contract_no"]] = ghost
            row[px["paid_date"]] = day
            row[px["amount"]] = rng.randint(5, 40) * 100
            row[px["receipt_no"]] = f"{rng.randint(1, 90):03d}/{day.year + BE_OFFSET}"
            row[px["source"]] = SOURCE_SHEET
            at = next((n for n, other in enumerate(pays) if other[px["paid_date"]] > day), len(pays))
            pays.insert(at, row)
            add(Planted("payments", at + 2, ghost, "contract_no", ghost,
                        "รับชำระของเลขที่สัญญาที่ไม่มีในแท็บลูกหนี้"))
        self.planted.sort(key=lambda p: (list(TABS).index(p.tab), p.row))

    # ---- everything ----------------------------------------------------------
    def run(self, layout: Layout) -> _Demo:
        s = self.scale
        self.say("สร้างเจ้าหน้าที่และกองทุน ...")
        self.officers()
        self.funds()
        self.say(f"สร้างลูกหนี้ {s.loans:,} สัญญา ...")
        self.loans()
        self.say("สร้างการรับชำระ ณ วันที่ " + date_th(self.today) + " ...")
        facts = self.repayments()
        fund_rows = self.fund_rows()
        loan_rows = self.loan_rows()
        inst_rows = self.installment_rows()
        pay_rows = self.payment_rows()
        committee = self.committee_rows()
        officers, links, people = self.officer_rows_and_links()
        data = {"funds": fund_rows, "loans": loan_rows, "installments": inst_rows, "payments": pay_rows,
                "committee": committee, "officers": officers, "line_links": links}
        self.plant(data)
        tables: dict[str, list[list[Any]]] = {}
        for key, tab in TABS.items():
            if not tab.columns:
                continue
            tables[key] = [layout.headers(key)] + data.get(key, [])
        return _Demo(tables, list(self.planted), people, facts)


# -- public API -----------------------------------------------------------------
def _generate(today: dt.date, seed: int, scale: DemoScale, layout: Layout | None,
              progress: ProgressFn | None) -> _Demo:
    # Millions of small objects and no cycles: the cyclic collector would only rescan them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Generator(today, seed, scale, progress).run(layout or Layout())
    finally:
        if was_enabled:
            gc.enable()


def demo_tables(today: dt.date, seed: int = 2569, scale: DemoScale = TRAT,
                layout: Layout | None = None) -> dict[str, list[list[Any]]]:
    """Tab key -> rows; the first row is the tab's Thai headers. Pure and deterministic."""
    return _generate(today, seed, scale, layout, None).tables


_NUMBER_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "amount": "#,##0.00"}
_WIDTHS = {"date": 14, "datetime": 18, "amount": 16, "int": 10, "link": 30, "citizen_id": 20}


def build_demo(path: Path, today: dt.date, seed: int = 2569, scale: DemoScale = TRAT,
               progress: ProgressFn | None = None, layout: Layout | None = None) -> DemoSummary:
    """Write the demo workbook to `path` (atomically) and say what is in it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from sheets.workbook import save_atomically

    started = time.perf_counter()
    path = Path(path)
    demo = _generate(today, seed, scale, layout, progress)
    say = progress or (lambda _m: None)
    say(f"เขียนไฟล์ {path} ...")
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EEEEEE")
    for key, rows in demo.tables.items():
        tab = TABS[key]
        sheet = book.create_sheet(tab.title)
        sheet.freeze_panes = "A2"
        kinds = [c.kind for c in tab.columns]
        for n, kind in enumerate(kinds, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = _WIDTHS.get(kind, 18)
        if tab.kind != "people":
            sheet.sheet_properties.tabColor = "999999"
        header = []
        for text in rows[0]:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            if tab.kind != "people":
                cell.fill = grey
            header.append(cell)
        sheet.append(header)
        formats = [_NUMBER_FORMATS.get(k) for k in kinds]
        styled = [n for n, fmt in enumerate(formats) if fmt]
        for row in rows[1:]:
            out = list(row)
            for n in styled:
                value = out[n]
                if value is not None and not isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = formats[n]
                    out[n] = cell
            sheet.append(out)
    save_atomically(book, path)
    counts = {key: len(rows) - 1 for key, rows in demo.tables.items()}
    summary = DemoSummary(path, today, seed, scale, counts, demo.planted, demo.officers,
                          time.perf_counter() - started, demo.facts)
    say("เสร็จแล้ว")
    return summary


def demo_summary(today: dt.date, seed: int = 2569, scale: DemoScale = TRAT) -> DemoSummary:
    """What build_demo would write, without writing it (path None)."""
    started = time.perf_counter()
    demo = _generate(today, seed, scale, None, None)
    counts = {key: len(rows) - 1 for key, rows in demo.tables.items()}
    return DemoSummary(None, today, seed, scale, counts, demo.planted, demo.officers,
                       time.perf_counter() - started, demo.facts)


if __name__ == "__main__":  # python -m sheets.demo OUT.xlsx [YYYY-MM-DD] [seed]
    import sys

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/smart-data.xlsx")
    day = dt.date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else dt.date.today()
    print(build_demo(out, day, int(sys.argv[3]) if len(sys.argv) > 3 else 2569,
                     progress=lambda m: print(m, file=sys.stderr)).as_text())
