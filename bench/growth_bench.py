"""Issue 13 item 2's figure: the read path (one batch read + parse) per 1,000 loans, 1.5k to 160k.

Each scale's tables go into the Sheets fake in replay mode and are read once before the
measured runs (the fake's 40-80 MB rendering is out of the figure). Each run is a fresh
process (bench.probe read) that reports wall and CPU time of the load and the parse, and the
cycle collector's passes in each (gc.callbacks). The median of RUNS runs per scale.

    python -m bench.growth_bench [--runs 3] [--quick]
    python -m bench --only growth
"""
from __future__ import annotations

import argparse
import json
import statistics
from typing import Any

from bench.common import (SPREADSHEET_ID, cached_tables, double_max, loaded_sheets_fake, prime_reads, probe,
                          scales)

RUNS = 3


def growth_scales(quick: bool) -> list[tuple[str, Any]]:
    chosen = scales(quick)
    if not quick:
        chosen.append(("twice the largest (160,000 loans)", double_max()))
    return chosen


def run(quick: bool = False, runs: int = RUNS, only: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for label, scale in growth_scales(quick):
        if only and only not in label:
            continue
        with loaded_sheets_fake(cached_tables(scale)) as fake:
            prime_reads(fake, fake.url)
            samples = [probe("read", f"gsheet:{SPREADSHEET_ID}", api_url=fake.url) for _ in range(runs)]
            values_requests = fake.count("values.batchGet", "values.get") / runs
        row = median_row(label, samples)
        row["values_requests_per_load"] = values_requests
        rows.append(row)
        print(format_row(row), flush=True)
    base = rows[0]["cpu_ms_per_1000_loans"]["total"]
    for row in rows:
        row["cpu_per_1000_vs_smallest"] = round(row["cpu_ms_per_1000_loans"]["total"] / base, 3)
    return rows


def median_row(label: str, samples: list[dict[str, Any]]) -> dict[str, Any]:
    loans = samples[0]["loans"]

    def median(path: tuple[str, str]) -> float:
        return statistics.median(s[path[0]][path[1]] for s in samples)

    seconds = {k: median(("seconds", k)) for k in ("load", "parse", "total")}
    cpu = {k: median(("cpu", k)) for k in ("load", "parse", "total")}
    return {"scale": label, "loans": loans, "cells": samples[0]["cells"], "runs": len(samples),
            "seconds": seconds, "cpu": cpu,
            "ms_per_1000_loans": {k: round(1000 * v / (loans / 1000), 2) for k, v in seconds.items()},
            "cpu_ms_per_1000_loans": {k: round(1000 * v / (loans / 1000), 2) for k, v in cpu.items()},
            "gc": samples[len(samples) // 2]["gc"],
            "peak_mb": statistics.median(s["peak_mb"] for s in samples)}


def format_row(row: dict[str, Any]) -> str:
    s, per, cpu_per, gc_stats = row["seconds"], row["ms_per_1000_loans"], row["cpu_ms_per_1000_loans"], row["gc"]
    return (f"{row['scale']:<36} {row['loans']:>7} loans: load {s['load']:.2f}s parse {s['parse']:.2f}s "
            f"= {per['total']:.1f} ms/1000 loans (CPU {cpu_per['total']:.1f}: load {cpu_per['load']:.1f} "
            f"parse {cpu_per['parse']:.1f}) peak {row['peak_mb']:.0f} MB | gc passes by generation: "
            f"load {gc_stats['load']['passes']} ({sum(gc_stats['load']['seconds']):.2f}s) "
            f"parse {gc_stats['parse']['passes']} ({sum(gc_stats['parse']['seconds']):.2f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--quick", action="store_true", help="only 1.5k and 11k")
    parser.add_argument("--only", help="only the scales whose label contains this text, e.g. 80,000")
    args = parser.parse_args()
    rows = run(args.quick, args.runs, args.only)
    print(json.dumps([{k: r[k] for k in ("scale", "cpu_per_1000_vs_smallest")} for r in rows], ensure_ascii=False))


if __name__ == "__main__":
    main()
