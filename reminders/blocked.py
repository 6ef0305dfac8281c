"""A required column missing from a tab the alert run reads: the run stops, loudly.

Why stop: without, say, ลูกหนี้'s วันครบกำหนดชำระ no loan is ever due, so a run "succeeds"
with nothing to send and every alert is silently lost. Instead the run says which tab lacks
which header (`remind` exits non-zero with "errors" in its JSON, `send_reminders` answers
500), and the provincial administrator gets ONE LINE message a day saying the run could not
be made and why: through the one delivery path (written ahead in บันทึกการแจ้งเตือน), at most
once per administrator per day whatever the retries (a claim per administrator and day).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from core.schema import ADMIN_ROLE, PROVINCE_ROLE
from core.thai import date_th
from messaging import flex
from messaging.base import retry_key_for
from messaging.delivery import LoggedItem, Push
from sheets.claims import Claims
from sheets.records import Dataset, Officer

@dataclass(frozen=True)
class MissingColumn:
    """A required column a tab lacks: the tab, the header looked for, and the whole message."""

    tab: str
    header: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"tab": self.tab, "header": self.header, "message": self.message}


def missing_columns(ds: Dataset, tab_titles: Iterable[str]) -> list[MissingColumn]:
    """The required columns missing from these tabs (`Dataset.blocking`: one problem per column,
    naming the header looked for, after the tolerant matching of sheets.store.Layout)."""
    titles = set(tab_titles)
    return [MissingColumn(p.tab, p.header, p.message) for p in ds.blocking if p.tab in titles]


def admins(ds: Dataset) -> list[Officer]:
    """Who is told the run could not be made: active administrators with LINE, else provincial staff."""
    linked = [o for o in ds.active_officers() if ds.line_user(o.officer_id)]
    chosen = [o for o in linked if o.role == ADMIN_ROLE] or [o for o in linked if o.role == PROVINCE_ROLE]
    return sorted(chosen, key=lambda o: o.officer_id)


def blocked_text(run_date: dt.date, missing: list[MissingColumn]) -> str:
    lines = [f"⚠ กข.คจ. Care: รอบแจ้งเตือนวันที่ {date_th(run_date)} ส่งไม่ได้", ""]
    lines += [f"• แท็บ '{m.tab}' ไม่มีคอลัมน์ '{m.header}' ที่จำเป็น" for m in missing[:10]]
    if len(missing) > 10:
        lines.append(f"• และอีก {len(missing) - 10:,} คอลัมน์")
    lines += ["", "ยังไม่มีการแจ้งเตือนถึงเจ้าหน้าที่จนกว่าจะแก้หัวตารางในชีต (ดูแท็บ ตรวจสอบข้อมูล หรือพิมพ์ ตรวจสอบ) "
              "แล้วระบบจะส่งในรอบถัดไป ข้อความนี้ส่งวันละครั้ง"]
    return "\n".join(lines)


def admin_pushes(ds: Dataset, claims: Claims, run_date: dt.date, missing: list[MissingColumn],
                 now: dt.datetime) -> tuple[list[Push], list[str], list[str]]:
    """(pushes, claim keys taken, officers already told today): one alert per administrator per day."""
    text = blocked_text(run_date, missing)
    detail = f"{run_date.isoformat()} รอบแจ้งเตือนส่งไม่ได้: " + "; ".join(
        f"{m.tab} ไม่มี {m.header}" for m in missing)
    pushes, taken, already = [], [], []
    for officer in admins(ds):
        user = ds.line_user(officer.officer_id)
        assert user is not None
        key = f"remind-{run_date.isoformat()}-admin-{officer.officer_id}"
        record: dict[str, Any] = {"started": now.isoformat(timespec="seconds")}
        if not claims.claim(key, record).won:
            already.append(officer.officer_id)
            continue
        taken.append(key)
        pushes.append(Push(officer.officer_id, user, retry_key_for(run_date, user, "blocked"),
                           [flex.text_message(text)], [LoggedItem("run_blocked", detail=detail)], run_date))
    return pushes, taken, already
