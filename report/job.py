"""The month's report job, for the CLI (`python main.py report`) and the Cloud Function.

    run = run_monthly_report(store, config, run_date, now=now)

1. ONE batch read of the data tabs and สรุปรายเดือน (values.batchGet on Google), all but the alert
   log, of which no figure uses anything (in a big province it is the sheet's biggest tab: 84,000
   rows at 80,000 loans, more cells than the installments);
2. the report computed (report.monthly);
3. the รายงานประจำเดือน tab rewritten, formatted, with its charts (Store.write_report);
4. สรุปรายเดือน: the month's rows appended where the figures changed (report.snapshots);
   only once the month has ended (a report "so far" is not the month's figure);
5. the meeting .xlsx (when `out` is not False) and the meeting PDF (when `pdf` is given:
   report.pdf.meeting, kept where report.files.store_file puts it). The PDF is made in a second
   process at the same time as steps 3-5 where there are two CPUs, and the .xlsx in a third where
   there are three (report.background).

No LINE push here: the month's summary rides in each recipient's alert push of the day
(report.notify.MonthlySummaries, sent by the alert run, which says where this PDF is), so
nobody gets two pushes on the 1st.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from core.thai import date_th, local_naive, month_th
from report.background import Side
from report.monthly import MonthlyReport, build_report
from core.months import default_month, meeting_file_name, month_bounds, report_as_of
from report.files import StoredFile, pdf_path, store_file
from report.snapshots import latest, parse_snapshots, snapshot_records
from report.write import default_out_path, report_sheet, summary_text, write_meeting_file
from sheets.model import load_dataset
from core.schema import DATA_TABS
from sheets.store import Layout

log = logging.getLogger(__name__)
ProgressFn = Callable[[str], None]
UNREAD_TABS: tuple[str, ...] = ("alert_log",)   # see the module's docstring, step 1
REPORT_TABS: tuple[str, ...] = tuple(t for t in DATA_TABS if t not in UNREAD_TABS) + ("snapshots",)
LINE_NOTE = ("สรุปเดือนที่เพิ่งจบส่งทาง LINE ไปกับข้อความแจ้งเตือนประจำวัน (remind) ของผู้รับแต่ละคน "
             "วันละไม่เกินหนึ่งข้อความ (the summary rides in each recipient's alert push of the day)")


@dataclass
class MonthlyRun:
    report: MonthlyReport
    store: str
    snapshot_rows: int = 0
    snapshot_note: str = ""
    out_path: Path | None = None
    pdf: StoredFile | None = None
    pdf_private_mb: float | None = None   # what the PDF's process held apart from this one (None: made here)
    pdf_beside_mb: float | None = None    # and the one that drew form 26(1)'s last districts (None: none did)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)       # wall seconds per step
    cpu_timings: dict[str, float] = field(default_factory=dict)   # CPU seconds of this process per step

    def as_json(self) -> dict[str, Any]:
        out = self.report.as_json()
        out["run"] = {
            "store": self.store, "tab": "รายงานประจำเดือน", "snapshot_rows": self.snapshot_rows,
            "snapshot_note": self.snapshot_note, "file": str(self.out_path) if self.out_path else None,
            "pdf": self.pdf.as_json() if self.pdf else None,
            "line_note": LINE_NOTE,
            "seconds": round(self.seconds, 3), "timings": self.timings,
        }
        return out

    def as_text(self, province: str = "ตราด") -> str:
        lines = [summary_text(self.report, province), ""]
        lines.append(f"เขียนแท็บ รายงานประจำเดือน ใน {self.store} แล้ว")
        lines.append(f"แท็บ สรุปรายเดือน: เพิ่ม {self.snapshot_rows} แถว"
                     + (f" ({self.snapshot_note})" if self.snapshot_note else ""))
        if self.out_path:
            lines.append(f"ไฟล์สำหรับการประชุม: {self.out_path}")
        if self.pdf:
            lines.append(f"รายงาน PDF สำหรับการประชุม: {self.pdf.where}" + (f" ({self.pdf.note})" if self.pdf.note else ""))
        lines.append(f"LINE: {LINE_NOTE}")
        lines.append(f"ใช้เวลา {self.seconds:.1f} วินาที")
        return "\n".join(lines)


def sheet_link(store: Any) -> str | None:
    sheet_id = getattr(store, "sheet_id", None)
    return f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit" if sheet_id else None


def run_monthly_report(store: Any, config: Any, run_date: dt.date, *, year: int | None = None,
                       month: int | None = None, out: Path | str | bool | None = None,
                       now: dt.datetime | None = None, progress: ProgressFn | None = None,
                       pdf: Path | str | bool = False, files_in_child: bool | None = None) -> MonthlyRun:
    """Make and write the month's report. `out` (the .xlsx) and `pdf`: a path (a directory
    takes the default name), None or True (data/reports/), False (no file). `files_in_child`:
    make the PDF and the .xlsx in second processes (None: where that helps, report.background.can_fork)."""
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    cpu_timings: dict[str, float] = {}
    cpu = [time.process_time()]

    def lap(name: str, since: float) -> float:
        now_, cpu_now = time.perf_counter(), time.process_time()
        timings[name] = round(now_ - since, 3)
        cpu_timings[name] = round(cpu_now - cpu[0], 3)
        cpu[0] = cpu_now
        return now_

    if year is None or month is None:
        year, month = default_month(run_date)
    as_of = report_as_of(year, month, run_date)
    now = now or dt.datetime.now(ZoneInfo(config.timezone))
    stamp = local_naive(now, config.timezone)
    layout = Layout(config)
    province = config.province

    say(f"อ่านข้อมูลจาก {getattr(store, 'description', store)} ...")
    t = time.perf_counter()
    tables = store.read(REPORT_TABS)
    t = lap("read", t)
    ds = load_dataset(tables, layout, run_date, config.rules.max_term_years, unread=UNREAD_TABS)
    t = lap("parse", t)
    snapshots = latest(parse_snapshots(tables.get("snapshots"), layout))
    del tables  # the raw cells are no longer needed: lowers the peak memory at 80,000 loans
    say(f"คำนวณรายงานเดือน {month_th(year, month)} ณ {date_th(as_of)} ...")
    report = build_report(ds, config, year, month, as_of, snapshots, run_date=run_date)
    t = lap("compute", t)
    run = MonthlyRun(report, getattr(store, "description", str(store)))

    # The PDF and the .xlsx are made in second processes while this one writes the tab and the
    # snapshots: none of the three needs another. The PDF (the longest) where there are 2 CPUs, the
    # .xlsx too where there are 3 (on 2, three busy processes were no faster). On one CPU both are
    # made here when waited for, after the tab, in the order they always were.
    where = pdf_path(pdf, meeting_file_name(report.month_key, "pdf"))
    side: Side | None = None
    if where is not None:
        from report.pdf.meeting import MeetingPdf, meeting_pdf, signatures_from  # fpdf2: only when a PDF is made

        say("เขียนรายงาน PDF ...")
        signatures, pdf_at = signatures_from(config.report.signatures), where
        side = Side(lambda: meeting_pdf(report, pdf_at, province=province, office=config.report.office_name,
                                        signatures=signatures, attention=config.report.attention_funds,
                                        made=run_date), in_child=files_in_child)
        t = lap("pdf_start", t)
    meeting_at = None if out is False else Path(str(out)) if out not in (None, True) else default_out_path(report)
    meeting: Side | None = None
    if meeting_at is not None:
        say("เขียนไฟล์สำหรับการประชุม ...")
        file_at = meeting_at
        meeting = Side(lambda: write_meeting_file(report, file_at, province), in_child=files_in_child, cpus=3)
        t = lap("file_start", t)

    try:
        with store.batch():  # the tab and the snapshots: one save on a workbook
            say("เขียนแท็บ รายงานประจำเดือน ...")
            store.write_report("report", report_sheet(report, province))
            t = lap("write_tab", t)
            if as_of == month_bounds(year, month)[1]:
                records = snapshot_records(report, snapshots, stamp)
                if records:
                    store.append("snapshots", records)
                run.snapshot_rows = len(records)
                if not records:
                    run.snapshot_note = "ตัวเลขเท่าเดิม ไม่ต้องเพิ่ม"
            else:
                run.snapshot_note = "เดือนยังไม่จบ ยังไม่บันทึกสรุปรายเดือน"
            t = lap("snapshots", t)
            if meeting is not None:
                done = meeting.wait()
                t = lap("file_wait", t)
                timings["file"], cpu_timings["file"] = round(done.seconds, 3), round(done.cpu_seconds, 3)
                run.out_path = meeting_at
            if side is not None and where is not None:
                done = side.wait()
                t = lap("pdf_wait", t)
                timings["pdf"], cpu_timings["pdf"] = round(done.seconds, 3), round(done.cpu_seconds, 3)
                run.pdf_private_mb = done.private_mb
                if isinstance(done.value, MeetingPdf) and (beside := done.value.beside) is not None:
                    timings["pdf_beside"], cpu_timings["pdf_beside"] = round(beside.seconds, 3), round(beside.cpu_seconds, 3)
                    run.pdf_beside_mb = beside.private_mb
                run.pdf = store_file(where, config)
                lap("pdf_store", t)
    finally:
        # A step failed before every file was waited for: each second process is let end, and
        # what it raised too is logged (the first failure is the one raised).
        for unfinished in (meeting, side):
            if unfinished is not None and (error := unfinished.settle()) is not None:
                log.error("the monthly report's second process failed too: %s", error)
    run.seconds = time.perf_counter() - started
    run.timings = timings
    run.cpu_timings = cpu_timings
    return run


__all__ = ["MonthlyRun", "REPORT_TABS", "run_monthly_report", "sheet_link"]
