"""The alert log's older rows moved out of the spreadsheet, a week at a time.

    result = move_old_rows(store, sink, config, today, now)

The log (บันทึกการแจ้งเตือน) only grows: two rows per alerted item. A province of 80,000 loans
writes about 93,000 rows a month, a million cells, and a Google spreadsheet holds ten million:
without this its sheet is full in about six months, and every append is then refused (the log
itself, the repayments recorded in LINE). Trat writes about 3,000 a month.

WHEN: only once the log holds more than `archive.from_rows` rows (50,000 by default: Trat keeps
more than a year in its sheet). Then the rows dated before the Monday on or before `keep_days`
(21) days ago move: one file a week, and the sheet keeps 21 to 27 days of log. Why weeks and not
months: the alert run reads and parses the whole log every day, and at 80,000 loans each day of
it is 3,100 rows (measured, bench/alerts_bench.py: 62 days, 192,200 rows, added 0.9 s to the
run's read and 0.2 s to its plan; the 27 days the weekly move keeps at most, 0.3 s and 0.1 s).

WHAT MOVES (`rows_to_move`, pure): a row no alert run needs any more to know what was sent.
- Rows dated within the kept weeks stay. `keep_days` is at least `alerts.catch_up_days`: a run
  never looks further back for trigger days (reminders.plan), so an older ส่งแล้ว or ไม่มีบัญชี
  LINE row decides nothing (a sent row only counts against a trigger day on or before its date).
- The latest ล้มเหลว row of an installment still pending stays: it goes out on the next run,
  however late (its earlier ล้มเหลว rows move: an officer whose LINE is blocked fails every day).
- A รอส่ง row of a push still without an outcome stays: the run resolves it by its retry key.
- The ส่งแล้ว rows of the last digest-day run that sent anything stay, however old (after the
  system was stopped for months): the next run names that date as the last run. (Only those: a
  ล้มเหลว row kept without the ส่งแล้ว row that followed it would make its item pending again.)
- Anything that is not a row the program wrote stays: a note a person typed (another ประเภท or
  สถานะ), a row the parser could not read, and the move rows themselves.
A test runs a season of alert runs with failures and lost answers, moves rows every week, and
checks that every later run plans exactly what it plans with the whole log.

HOW (`move_old_rows`): one read of the log; the rows to move written to the sink as one CSV file
(the log's headers, each row as read, a citizen id in any cell masked, and its row number in the
sheet; UTF-8 with a BOM, which Excel needs to show Thai), created once under a name made from its
dates and content; then one write to the sheet (`Store.move_out`) that deletes those rows and appends a move row
(ประเภท ย้ายแถวเก่าออก, สถานะ ย้ายแล้ว) naming the file, whole or not at all, refused when any of
the rows changed since the read. The move row is what says the rows left the sheet: a file no
move row names is an unfinished move (the sheet's write failed or its answer was lost), whose
rows are all still in the sheet; it is reported, and the next move writes its rows again under
the next name. Nothing here deletes a file or a row a person typed.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from core.schema import ALERT_KINDS, ALERT_STATUSES, MOVED_KIND, MOVED_OFFICER, MOVED_STATUS, TABS
from core.thai import date_th, mask_id_runs
from reminders.plan import AlertLog
from sheets.archive import ArchiveSink
from sheets.model import load_dataset
from sheets.records import AlertLogEntry
from sheets.store import Layout, Store, Table

ROW_NUMBER_HEADER = "แถวในชีตเดิม"
FILE_PREFIX = f"{TABS['alert_log'].key}_"   # alert_log_<first date>_<last date>_<rows>-rows_<hash>.csv


def cutoff_of(today: dt.date, keep_days: int) -> dt.date:
    """Rows dated before this day may move: the Monday on or before the day `keep_days` ago."""
    day = today - dt.timedelta(days=keep_days)
    return day - dt.timedelta(days=day.weekday())


def rows_to_move(entries: Iterable[AlertLogEntry], cutoff: dt.date,
                 digest_weekdays: Iterable[int] = (), log: AlertLog | None = None) -> list[int]:
    """The sheet rows (ascending) of the program's own log rows dated before `cutoff` that no run
    needs any more (the rules in the module docstring). `log`: the AlertLog of these entries when
    the caller has made it already."""
    entries = sorted(entries, key=lambda e: e.row)
    if log is None:
        log = AlertLog.from_entries(entries, digest_weekdays)
    pending = log.pending()
    # A pending installment's latest ล้มเหลว row is what makes it pending (an earlier one says
    # nothing more): an officer whose LINE is blocked fails every day, and only one row stays.
    latest_failed = {(e.officer_id, e.contract_no, e.seq): e.row for e in entries if e.status == "failed"}
    last_run = log.last_run(dt.date.max)
    moving = []
    for e in entries:
        if e.run_date >= cutoff or e.kind not in ALERT_KINDS or e.status not in ALERT_STATUSES:
            continue
        if e.run_date == last_run and e.status == "sent":  # what a run after a long stop names as the last
            continue
        if e.status == "failed" and (e.officer_id, e.contract_no, e.seq) in pending \
                and latest_failed[(e.officer_id, e.contract_no, e.seq)] == e.row:
            continue
        if e.status == "pending" and log.still_open(
                e.officer_id, AlertLog.ident_of(e.kind, e.contract_no, e.seq, e.days, e.detail), e.retry_key):
            continue
        moving.append(e.row)
    return moving


@dataclass
class MoveResult:
    log_rows: int = 0                   # rows of the log when it was read
    moved: int = 0                      # rows moved out of the sheet (in a dry run: that would be)
    dry_run: bool = False
    file: str = ""                      # where they went
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    skipped: str = ""                   # why nothing moved, when nothing did
    unfinished: list[str] = field(default_factory=list)   # files no move row names
    seconds: dict[str, float] = field(default_factory=dict)  # read / plan / file / write

    def as_text(self) -> str:
        lines = []
        if self.moved:
            assert self.first_date is not None and self.last_date is not None
            verb = "จะย้าย" if self.dry_run else "ย้าย"
            lines.append(f"{verb}แถวเก่าของแท็บ{TABS['alert_log'].title} {self.moved:,} แถว "
                         f"(วันที่รอบ {date_th(self.first_date)} – {date_th(self.last_date)}) ไปที่ {self.file}")
        elif self.skipped:
            lines.append(self.skipped)
        if self.unfinished:
            lines.append(f"ไฟล์ที่ย้ายไม่สำเร็จ {len(self.unfinished)} ไฟล์ (แถวของไฟล์เหล่านี้ยังอยู่ในชีต "
                         f"ลบไฟล์ได้): " + ", ".join(self.unfinished))
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {"log_rows": self.log_rows, "moved": self.moved, "dry_run": self.dry_run, "file": self.file,
                "first_date": self.first_date.isoformat() if self.first_date else None,
                "last_date": self.last_date.isoformat() if self.last_date else None,
                "skipped": self.skipped, "unfinished": self.unfinished,
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}


def due(entries: Sequence[AlertLogEntry], log_rows: int, config: Any, today: dt.date,
        log: AlertLog | None = None) -> bool:
    """Whether a move would find anything, from a read already made (the alert run's, with its
    AlertLog: a big province's log is 190,000 rows, checked every day)."""
    if not 0 < config.archive.from_rows < log_rows:
        return False
    cutoff = cutoff_of(today, config.archive.keep_days)
    old = [e for e in entries if e.run_date < cutoff]
    return bool(old) and bool(rows_to_move(old, cutoff, config.alerts.digest_weekdays, log))


def move_old_rows(store: Store, sink: ArchiveSink, config: Any, today: dt.date, now: dt.datetime,
                  *, force: bool = False, dry_run: bool = False, table: Table | None = None) -> MoveResult:
    """Move the log's rows no run needs to `sink` (see the module docstring). `force`: whatever the
    log's size (by hand: `main.py archive-log --all-sizes`). `dry_run`: say what would move, write nothing.

    `table`: the log as the alert run read it, so that the run does not read it again. The rows the
    run appended since are newer than any that may move (their row numbers come after), and its
    outcomes can only make more old rows movable, so planning from it keeps at least what a fresh
    read would keep; the compare just before the deletion reads the rows again either way."""
    started = time.perf_counter()
    result = MoveResult(dry_run=dry_run)
    planned = _plan(store, sink, config, today, force, result, table)
    if planned is None:
        return result
    # The read, its parse and its log are gone with _plan's frame: at 80,000 loans the log is
    # 190,000 rows, and the compare below reads half of them again.
    seconds = result.seconds
    seconds["plan"] = time.perf_counter() - started - seconds["read"]
    rows, expected, first, last = planned.rows, planned.expected, planned.first, planned.last
    data = _csv(planned.header, rows, expected)
    name = f"{FILE_PREFIX}{first.isoformat()}_{last.isoformat()}_{len(rows)}-rows_" \
           f"{hashlib.sha256(data).hexdigest()[:12]}.csv"
    result.moved, result.file, result.first_date, result.last_date = len(rows), name, first, last
    if dry_run:
        return result
    result.file = sink.put(name, data)
    del data
    seconds["file"] = time.perf_counter() - started - seconds["read"] - seconds["plan"]
    store.move_out("alert_log", rows, expected, {
        "run_date": today, "sent_at": now, "officer_id": MOVED_OFFICER, "kind": MOVED_KIND,
        "status": MOVED_STATUS, "retry_key": "",
        "detail": f"ย้าย {len(rows):,} แถว (วันที่รอบ {date_th(first)} – {date_th(last)}) ไปที่ {result.file}"})
    seconds["write"] = time.perf_counter() - started - seconds["read"] - seconds["plan"] - seconds["file"]
    result.unfinished = [n for n in result.unfinished if n != name]
    return result


@dataclass
class _Planned:
    header: list[str]
    rows: list[int]                       # sheet rows, ascending
    expected: list[list[Any]]             # their cells as read
    first: dt.date
    last: dt.date


def _plan(store: Store, sink: ArchiveSink, config: Any, today: dt.date, force: bool,
          result: MoveResult, table: Table | None) -> _Planned | None:
    """The read (unless given) and what to move (None: nothing, `result.skipped` says why);
    unfinished files noted."""
    started = time.perf_counter()
    if table is None:
        table = store.read(("alert_log",))["alert_log"]
    result.log_rows = table.height
    result.seconds["read"] = time.perf_counter() - started
    entries = load_dataset({"alert_log": table}, Layout(config), today).alert_log
    named = [e.detail for e in entries if e.kind == MOVED_KIND]
    # Only files of this shape are moves (a bucket's prefix may be shared, even blank).
    result.unfinished = [name for name in sink.names() if name.startswith(FILE_PREFIX) and name.endswith(".csv")
                         and not any(name in detail for detail in named)]
    limit = config.archive.from_rows
    if not force and not 0 < limit < table.height:
        result.skipped = (f"แท็บ{table.title}มี {table.height:,} แถว ยังไม่เกิน {limit:,} แถว: ยังไม่ย้าย"
                          if limit > 0 else "ตั้งค่า archive.from_rows เป็น 0: ไม่ย้ายแถว")
        return None
    cutoff = cutoff_of(today, config.archive.keep_days)
    rows = rows_to_move(entries, cutoff, config.alerts.digest_weekdays)
    if not rows:
        result.skipped = f"ไม่มีแถวที่ย้ายได้ (แถวก่อน {date_th(cutoff)})"
        return None
    moving = set(rows)
    dates = [e.run_date for e in entries if e.row in moving]
    cells = table.rows
    return _Planned(list(table.header), rows, [cells[row - 2] for row in rows], min(dates), max(dates))


def _csv(header: Sequence[str], rows: Sequence[int], cells: Sequence[Sequence[Any]]) -> bytes:
    """The moved rows as a CSV file Excel and Google Sheets open with Thai intact (written straight
    to bytes: at 80,000 loans a week's rows are 5 MB of it)."""
    out = io.BytesIO()
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    width = max(len(header), max(map(len, cells), default=0))   # a cell typed beyond the headers too
    writer.writerow([*header, *[""] * (width - len(header)), ROW_NUMBER_HEADER])
    for row, values in zip(rows, cells):
        writer.writerow([*map(_shown, values), *[""] * (width - len(values)), row])
    text.flush()
    return out.getvalue()


def _shown(value: Any) -> Any:
    """A cell as the CSV shows it: blank for None, a whole number without ".0" (a workbook's reader
    gives numbers as floats), and a citizen id typed into any cell masked: the file leaves the sheet,
    and a whole id never does."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 10**12 <= abs(value) < 10**13:
        return mask_id_runs(str(value))   # 13 digits typed as a number
    if isinstance(value, str):
        return mask_id_runs(value)
    return value
