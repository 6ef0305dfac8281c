"""A warm webhook instance's first answer after a person types a repayment into the sheet.

    python -m bench.warm_edit [--scale 80000|11000] [--runs 3]

The instance has answered a provincial and a district officer; then a repayment row is typed
into รับชำระ (the Sheets fake's `edit_cell`, as a person would), the instance learns that the
sheet changed (as the revision moving tells it) and each officer asks again. Timed: that
question, whose answer needs the sheet read again and parsed. Two ways: the unchanged tabs taken
over from the previous read's parse (sheets.model.Parsed, as deployed), and everything parsed
again (the previous parses dropped), for comparison. In one process, against the fakes on
loopback; the Sheets fake's rendering of the new answer is made before the clock (replay mode).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SPREADSHEET_ID, TODAY, cached_tables, loaded_sheets_fake, prime_reads  # noqa: E402


def one_run(tables: dict[str, list[list[Any]]], take_over: bool) -> dict[str, float]:
    import datetime as dt

    from bench.webhook_bench import pick_users
    from chat import CHAT_TABS
    from core.config import load_config
    from handlers.runtime import create_runtime
    from messaging.line import LineClient
    from sheets.claims import FileClaims
    from sheets.credentials import StaticToken
    from sheets.google import GoogleStore
    from sheets.store import Layout
    from tests.fakes.line_api import DEFAULT_TOKEN, LineFake

    users = pick_users(tables)
    seconds: dict[str, float] = {}
    with loaded_sheets_fake(tables) as sheets, LineFake() as line, tempfile.TemporaryDirectory() as claims:
        prime_reads(sheets, sheets.url, CHAT_TABS)
        config = load_config(env={}, overrides={"sheets.api_url": sheets.url, "line.api_url": line.url,
                                                "line.api_data_url": line.data_url, "chat.budget_seconds": 600})
        layout = Layout(config)
        store = GoogleStore.for_webhook(SPREADSHEET_ID, config, layout, StaticToken("bench"))
        runtime = create_runtime(config, store, LineClient.from_config(config, DEFAULT_TOKEN, webhook=True),
                                 channel_secret="bench", today=lambda: TODAY,
                                 now=lambda: dt.datetime.combine(TODAY, dt.time(10, 30)), layout=layout,
                                 claims=FileClaims(claims), budget_seconds=600)
        conversation = runtime.conversation
        for role in ("province", "district"):
            conversation.on_text(users[role][1], "ค้างชำระ", f"COLD{role}")
        snap = conversation.snapshots.get()
        payments = snap.tables["payments"]
        where = layout.positions("payments", payments)
        row = payments.height + 2  # the first empty row under the data
        contract = payments.column(where["contract_no"])[0]
        for col, value in (("contract_no", contract), ("paid_date", "20/11/2569"), ("amount", 500)):
            sheets.edit_cell(SPREADSHEET_ID, layout.title("payments"), row, where[col] + 1, value)
        prime_reads(sheets, sheets.url, CHAT_TABS)  # the fake renders the new answer before the clock
        if not take_over:
            snap._parses.clear()
        conversation.snapshots.invalidate()  # what the revision moving does
        for role in ("province", "district"):
            started = time.perf_counter()
            conversation.on_text(users[role][1], "ค้างชำระ", f"WARM{role}")
            seconds[role] = time.perf_counter() - started
    return seconds


def measure(scale: Any, runs: int = 3) -> list[dict[str, Any]]:
    """Both ways at one scale: the median seconds per officer."""
    tables = cached_tables(scale)
    rows = []
    for take_over in (True, False):
        samples = [one_run(tables, take_over) for _ in range(runs)]
        row = {"loans": scale.loans, "taken_over": take_over, "runs": runs,
               **{role: statistics.median(s[role] for s in samples) for role in ("province", "district")}}
        rows.append(row)
        label = "unchanged tabs taken over" if take_over else "everything parsed again"
        print(f"{scale.loans} loans, {label}: first answer after the edit, median of {runs}: "
              f"province {row['province']:.2f} s, district {row['district']:.2f} s", flush=True)
    return rows


def run(quick: bool = False) -> list[dict[str, Any]]:
    """For `python -m bench`: 11,000 loans, and 80,000 unless quick."""
    from sheets.demo import NATIONAL_MAX, PROVINCE_AVG

    return [row for scale in (PROVINCE_AVG, *(() if quick else (NATIONAL_MAX,))) for row in measure(scale)]


def main() -> None:
    from sheets.demo import NATIONAL_MAX, PROVINCE_AVG

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["11000", "80000"], default="80000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    measure(NATIONAL_MAX if args.scale == "80000" else PROVINCE_AVG, args.runs)


if __name__ == "__main__":
    main()
