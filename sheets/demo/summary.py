"""What a demo holds, said for the person who made it: counts, officers, the planted problems."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.schema import TABS
from core.thai import date_th
from sheets.demo.scales import DemoScale


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
