"""The alert log's older rows moved out (reminders/archive.py) at each size: time, memory, requests.

The log as it stands on the day a move happens in steady operation (a Monday): 28 days of rows
(the previous move, a week before, left 21), of which the oldest week moves. Rows per
day from the simulated month (docs/alerts.md): Trat ≈ 100, 11,000 loans ≈ 700, 80,000 loans
≈ 3,100 (46,437 items a month, two rows each). The Sheets fake replays its prepared answer to
the log's read (the move reads it twice: to plan, and to compare just before deleting), so its
own rendering is out of the figure; its batchUpdate and the Storage fake's upload are in it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from bench.common import SPREADSHEET_ID, loaded_sheets_fake, prime_reads, probe

MOVE_DAY = dt.date(2026, 12, 7)          # a Monday: the week of 9-15 Nov moves
ROWS_PER_DAY = (("Trat demo (1,538 loans)", 100), ("average province (11,000 loans)", 700),
                ("largest province (80,000 loans)", 3_100))


def per_day_of(label: str) -> int:
    """The log's rows a day at the scale of this benchmark label."""
    return next(n for name, n in ROWS_PER_DAY if name == label)


def log_rows(per_day: int, first: dt.date = dt.date(2026, 11, 9),
             last: dt.date = dt.date(2026, 12, 6)) -> list[list[Any]]:
    """An alert log of `per_day` rows a day: a รอส่ง row and its outcome per item, a few failed."""
    from core.schema import ALERT_KINDS, ALERT_STATUSES
    from sheets.store import Layout

    rows: list[list[Any]] = [Layout().headers("alert_log")]
    day, n = first, 0
    kinds = [ALERT_KINDS[k] for k in ("before_due", "due_today", "overdue")]
    while day <= last:
        for i in range(per_day // 2):
            n += 1
            officer, key = f"TRT-{n % 300:03d}", f"{day.isoformat()}-{n % 300}"
            item = [f"2301{n % 7:02d}-{n % 97:02d}/2568/{n % 40:02d}", 1 + n % 12, kinds[n % 3], (n % 4) * 7,
                    1000 + n % 50 * 100]
            outcome = ALERT_STATUSES["failed" if n % 97 == 0 else "sent"]
            for status in (ALERT_STATUSES["pending"], outcome):
                rows.append([day.isoformat(), f"{day.isoformat()} 07:30:00", officer, *item, key, status,
                             "ครบกำหนด 15 ม.ค. 2569 · ถึงรอบแจ้งเมื่อ 8 ม.ค. 2569"])
        day += dt.timedelta(days=1)
    return rows


def run(quick: bool = False) -> list[dict[str, Any]]:
    from tests.fakes.storage_api import DEFAULT_BUCKET, StorageFake

    results = []
    for label, per_day in ROWS_PER_DAY[:2] if quick else ROWS_PER_DAY:
        with loaded_sheets_fake({"alert_log": log_rows(per_day)}) as sheets, StorageFake() as storage:
            prime_reads(sheets, sheets.url, ("alert_log",))
            row = probe("archive", f"gsheet:{SPREADSHEET_ID}", api_url=sheets.url,
                        extra=["--storage-url", storage.url, "--bucket", DEFAULT_BUCKET, "--force",
                               "--date", MOVE_DAY.isoformat()])
            # The fake's own time answering (the span read again is not replayed: its rows depend
            # on the plan), taken out of the program's figure.
            fake = sum(r.seconds for r in sheets.requests) + sum(r.seconds for r in storage.requests)
            row.update(scale=label, sheets_requests=len(sheets.requests), sheets_kinds=sheets.kinds(),
                       fake_seconds=fake, program_seconds=row["seconds"]["total"] - fake,
                       storage_requests=len(storage.requests),
                       file_bytes=sum(len(o.data) for o in storage.buckets[DEFAULT_BUCKET].values()))
        results.append(row)
        s = row["seconds"]
        print(f"{label:<34} log {row['log_rows']:,} rows, moved {row['moved']:,}: {s['total']:.2f}s, "
              f"{row['program_seconds']:.2f}s without the fakes' {row['fake_seconds']:.2f}s "
              f"(read {s.get('read', 0):.2f} plan {s.get('plan', 0):.2f} file {s.get('file', 0):.2f} "
              f"write {s.get('write', 0):.2f}) cpu {row['cpu_seconds']:.2f}s peak {row['peak_mb']:.0f} MB "
              f"sheets {row['sheets_requests']} {row['sheets_kinds']} storage {row['storage_requests']} "
              f"file {row['file_bytes'] / 1e6:.1f} MB", flush=True)
    return results
