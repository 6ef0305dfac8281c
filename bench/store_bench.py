"""Issue 2's figures: Sheets requests per load, load+parse and check time, peak memory."""
from __future__ import annotations

from typing import Any

from bench.common import SPREADSHEET_ID, cached_tables, demo_workbook, loaded_sheets_fake, prime_reads, probe, scales


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    for label, scale in scales(quick):
        tables = cached_tables(scale)
        with loaded_sheets_fake(tables) as fake:
            # the fake's answer rendered once before the measured run and replayed (its own cost out)
            prime_reads(fake, fake.url)
            result = probe("check", f"gsheet:{SPREADSHEET_ID}", api_url=fake.url)
            result["values_requests"] = fake.count("values.batchGet", "values.get")
            result["requests"] = len(fake.requests)
        rows.append({"scale": label, "backend": "Google (fake, replayed)", **result})
        with demo_workbook(scale) as path:
            result = probe("check", str(path))
        rows.append({"scale": label, "backend": "workbook (.xlsx)", **result})
        print(format_row(rows[-2]), format_row(rows[-1]), sep="\n", flush=True)
    return rows


def format_row(row: dict[str, Any]) -> str:
    s = row["seconds"]
    requests = f"{row['requests']} req ({row['values_requests']} values)" if "requests" in row else "-"
    return (f"{row['scale']:<34} {row['backend']:<27} load {s['load']:.2f}s parse {s['parse']:.2f}s "
            f"check {s['check']:.2f}s total {s['total']:.2f}s peak {row['peak_mb']:.0f} MB  {requests}")
