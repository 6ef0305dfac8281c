"""Issue 3's figures: Sheets and LINE requests per alert run, time and peak memory, and the
simulated month's pushes for the default policy beside a naive bot's."""
from __future__ import annotations

import datetime as dt
from typing import Any

from bench.archive_bench import log_rows, per_day_of
from bench.common import SPREADSHEET_ID, TODAY, cached_tables, loaded_sheets_fake, prime_reads, probe, scales


def run(quick: bool = False) -> list[dict[str, Any]]:
    from reminders.job import ALERT_TABS
    from report.notify import MonthlySummaries

    # The first run of a month reads the summaries' tabs too: its read is primed with them, or it
    # would not be the request the fake prepared, and the fake's rendering would be in its figure.
    with_summaries = ALERT_TABS + tuple(t for t in MonthlySummaries.tabs if t not in ALERT_TABS)
    from sheets.demo import TRAT
    from tests.fakes.line_api import DEFAULT_TOKEN, LineFake

    rows: list[dict[str, Any]] = []
    for label, scale in scales(quick):
        with loaded_sheets_fake(cached_tables(scale)) as sheets, LineFake(quota=10**6) as line:
            env = {"LINE_CHANNEL_ACCESS_TOKEN": DEFAULT_TOKEN}
            prime_reads(sheets, sheets.url, with_summaries)  # the first run's read is replayed; the second's is not (a write came)
            first = probe("remind", f"gsheet:{SPREADSHEET_ID}", api_url=sheets.url,
                          extra=["--line-url", line.url], env=env)
            first.update(sheets_requests=len(sheets.requests), sheets_kinds=sheets.kinds(),
                         line_requests=len(line.requests), deliveries=len(line.deliveries))
            sheets.reset_requests()
            before = len(line.requests)
            again = probe("remind", f"gsheet:{SPREADSHEET_ID}", api_url=sheets.url,
                          extra=["--line-url", line.url], env=env)
            again.update(sheets_requests=len(sheets.requests), sheets_kinds=sheets.kinds(),
                         line_requests=len(line.requests) - before)
        # The same first run with no monthly summary due (every day but the first of a month):
        # what the write-ahead log costs against a log written after the pushes.
        with loaded_sheets_fake(cached_tables(scale)) as sheets, LineFake(quota=10**6) as line:
            prime_reads(sheets, sheets.url, ALERT_TABS)
            plain = probe("remind", f"gsheet:{SPREADSHEET_ID}", api_url=sheets.url,
                          extra=["--line-url", line.url, "--no-summary"], env=env)
            plain.update(sheets_requests=len(sheets.requests), sheets_kinds=sheets.kinds(),
                         line_requests=len(line.requests), deliveries=len(line.deliveries))
        # The same with the log a province of this size holds in steady operation: 21-27 days of it
        # (the older weeks moved out, reminders/archive.py), here the most, 27 days.
        tables = {**cached_tables(scale), "alert_log": log_rows(per_day_of(label), TODAY - dt.timedelta(days=27),
                                                                TODAY - dt.timedelta(days=1))}
        with loaded_sheets_fake(tables) as sheets, LineFake(quota=10**6) as line:
            prime_reads(sheets, sheets.url, ALERT_TABS)
            logged = probe("remind", f"gsheet:{SPREADSHEET_ID}", api_url=sheets.url,
                           extra=["--line-url", line.url, "--no-summary"], env=env)
            logged.update(sheets_requests=len(sheets.requests), sheets_kinds=sheets.kinds(),
                          line_requests=len(line.requests), deliveries=len(line.deliveries),
                          log_rows=len(tables["alert_log"]) - 1)
        rows.append({"scale": label, "run": "first run today", **first})
        rows.append({"scale": label, "run": "second run, same day", **again})
        rows.append({"scale": label, "run": "first run, no summary due", **plain})
        rows.append({"scale": label, "run": "first run, no summary due, 27 days of log", **logged})
        for row in rows[-4:]:
            # Our own CPU per push: the send step (digest, JSON body, HTTP, log rows) over the pushes.
            row["cpu_ms_per_push"] = 1000 * row["cpu"].get("send", 0.0) / max(1, row["pushes"])
            print(f"{row['scale']:<34} {row['run']:<26} {row['seconds']['total']:.2f}s "
                  f"(cpu {row['cpu_seconds']:.2f}s, {row['cpu_ms_per_push']:.1f} ms/push) "
                  f"peak {row['peak_mb']:.0f} MB  "
                  f"sheets {row['sheets_requests']} req  line {row['line_requests']} req  "
                  f"pushes {row['pushes']} (summaries in them {row.get('summaries', 0)}) items {row['items']} "
                  f"log {row.get('log_rows', '-')} rows "
                  f"sheets kinds {row.get('sheets_kinds', '')}", flush=True)
    rows.extend(_simulation(TRAT, "Trat demo month"))
    for label, scale in scales(quick)[1:]:  # pushes per month at each size: what LINE's plan must carry
        rows.extend(_simulation(scale, label, policies=(False,)))
    return rows


def _simulation(scale: Any, label: str, policies: tuple[bool, ...] = (False, True)) -> list[dict[str, Any]]:
    """The demo province's month under the default policy (and under a naive bot: naive True)."""
    from core.config import load_config
    from reminders.simulate import simulate_month
    from sheets.model import load_dataset
    from sheets.store import Layout, Table

    config = load_config(env={})
    layout = Layout(config)
    raw = cached_tables(scale)
    results = []
    for naive in policies:
        tables = {k: Table(layout.title(k), [str(h) for h in rows[0]], [list(r) for r in rows[1:]])
                  for k, rows in raw.items()}
        ds = load_dataset(tables, layout, TODAY, config.rules.max_term_years)
        sim = simulate_month(ds, config, TODAY.year, TODAY.month, naive=naive).as_json()
        row = {"scale": label, "run": "naive bot" if naive else "default policy",
               **{k: sim[k] for k in ("pushes", "quota", "installments_due", "alerted_by_due_date",
                                      "overdue_unpaid", "alerted_after_due")}}
        print(f"simulated {TODAY:%Y-%m} {label[:20]:<20} {row['run']:<15} pushes {row['pushes']}/{row['quota']}  "
              f"alerted by due date {row['alerted_by_due_date']}/{row['installments_due']}  "
              f"after due {row['alerted_after_due']}/{row['overdue_unpaid']}", flush=True)
        results.append(row)
    return results
