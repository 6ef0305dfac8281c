"""The monthly report's figures: time per step, peak memory, Sheets requests per report.

    python -m bench --only report          (or: python -m bench.report_bench [--quick])

For each scale (the Trat demo, 11,000 and 80,000 loans from sheets.demo) the demo
tables, with the 27 days of alert log such a province keeps, are loaded into the Sheets v4
fake; the whole report job (one read, parse, compute, the formatted tab, the snapshots, the meeting .xlsx; the LINE summaries ride
in the alert run's pushes, see bench/alerts_bench.py) runs in a FRESH child process, which reports its step
times and peak memory (VmHWM: the whole process, interpreter included; and
tracemalloc's peak of the compute step alone). The parent counts the requests the
fake saw. The Trat demo is also measured on the .xlsx backend (what `make demo` does).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from bench.probe import peak_rss_mb
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.archive_bench import log_rows, per_day_of  # noqa: E402
from bench.common import (ROOT, SPREADSHEET_ID, TODAY, cached_tables, demo_workbook, loaded_sheets_fake,  # noqa: E402
                          prime_reads, scales)

RUN_DATE = TODAY  # the report of the month that has just ended (October 2026)


def child(args: argparse.Namespace) -> dict[str, Any]:
    """One report run in this (fresh) process."""
    from core.config import load_config
    from report import job as job_module
    from report.job import run_monthly_report
    from sheets.store import Layout
    from sheets.open import open_store

    overrides = {"sheets.api_url": args.api_url} if args.api_url else {}
    config = load_config(env={}, overrides=overrides)
    if args.store.startswith("gsheet:"):
        from sheets.credentials import StaticToken
        from sheets.google import GoogleStore

        store = GoogleStore.from_config(args.store.split(":", 1)[1], config, Layout(config), StaticToken("bench"))
    else:
        store = open_store(args.store, config)

    # tracemalloc only around the compute step (it slows everything it watches)
    real_build = job_module.build_report
    traced: dict[str, float] = {}

    def traced_build(*a: Any, **k: Any) -> Any:
        tracemalloc.start()
        try:
            return real_build(*a, **k)
        finally:
            traced["compute_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()

    job_module.build_report = traced_build if args.trace else real_build
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), time.process_time()
        run = run_monthly_report(store, config, args.date, out=False if args.no_xlsx else Path(tmp) / "report.xlsx",
                                 pdf=Path(tmp) / "report.pdf", files_in_child=False if args.files_here else None)
        pdf_bytes = (Path(tmp) / "report.pdf").stat().st_size if (Path(tmp) / "report.pdf").exists() else 0
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": {**run.timings, "total": round(total, 3)}, "cpu_seconds": round(cpu, 3),
            "cpu_steps": run.cpu_timings,
            "peak_mb": round(peak_rss_mb(), 1),
            "pdf_private_mb": round(run.pdf_private_mb, 1) if run.pdf_private_mb is not None else None,
            "pdf_beside_mb": round(run.pdf_beside_mb, 1) if run.pdf_beside_mb is not None else None,
            **{k: round(v, 1) for k, v in traced.items()},
            "loans": int(len(run.report.loans)) if run.report.loans is not None else 0,
            "funds": len(run.report.funds), "snapshot_rows": run.snapshot_rows, "pdf_bytes": pdf_bytes}


def measure(store: str, api_url: str | None = None, trace: bool = False, files_here: bool = False,
            no_xlsx: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.report_bench", "--child", "--store", store,
           "--date", RUN_DATE.isoformat()]
    cmd += (["--api-url", api_url] if api_url else []) + (["--trace"] if trace else [])
    cmd += ["--files-here"] if files_here else []
    cmd += ["--no-xlsx"] if no_xlsx else []
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"report bench child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False, only: str | None = None, files_here: bool = False,
        no_xlsx: bool = False) -> list[dict[str, Any]]:
    from report.job import REPORT_TABS

    rows = []
    for label, scale in scales(quick):
        if only and only not in label:
            continue
        # The alert log a province of this size holds in steady operation (the most: 27 days, see
        # bench/alerts_bench.py), which the report does not read.
        tables = {**cached_tables(scale), "alert_log": log_rows(per_day_of(label), TODAY - dt.timedelta(days=27),
                                                                TODAY - dt.timedelta(days=1))}
        with loaded_sheets_fake(tables) as fake:
            prime_reads(fake, fake.url, REPORT_TABS)  # the data read replayed: the fake's rendering is out of the figure
            result = measure(f"gsheet:{SPREADSHEET_ID}", fake.url, files_here=files_here, no_xlsx=no_xlsx)
            # The fake's own time answering (above all applying the formatted tab's batchUpdate),
            # taken out of the program's figure.
            result["fake_seconds"] = round(sum(r.seconds for r in fake.requests), 3)
            result["program_seconds"] = round(result["seconds"]["total"] - result["fake_seconds"], 3)
            kinds = fake.kinds()
            result["requests"] = len(kinds)
            result["reads"] = sum(k in ("values.batchGet", "values.get", "spreadsheets.get") for k in kinds)
            result["request_kinds"] = kinds
            # a rerun: nothing new to append, nothing sent twice
            fake.reset_requests()
            rerun = measure(f"gsheet:{SPREADSHEET_ID}", fake.url, trace=True)
            result["rerun_requests"] = len(fake.kinds())
            result["compute_peak_mb"] = rerun.get("compute_peak_mb")
        rows.append({"scale": label, "backend": "Google (fake, replayed)", **result})
        print(format_row(rows[-1]), flush=True)
        if scale.name == "ตราด":
            with demo_workbook(scale) as path:
                rows.append({"scale": label, "backend": "workbook (.xlsx)", **measure(str(path))})
            print(format_row(rows[-1]), flush=True)
    return rows


def format_row(row: dict[str, Any]) -> str:
    s = row["seconds"]
    steps = " ".join(f"{k} {v:.2f}" for k, v in s.items() if k != "total")
    cpu = " ".join(f"{k} {v:.2f}" for k, v in row.get("cpu_steps", {}).items())
    requests = (f" · {row['requests']} requests ({row['reads']} reads) rerun {row['rerun_requests']}"
                if "requests" in row else "")
    compute_peak = f" (compute {row['compute_peak_mb']:.0f} MB)" if row.get("compute_peak_mb") else ""
    if row.get("pdf_private_mb") is not None:
        compute_peak += f" + the PDF's process {row['pdf_private_mb']:.0f} MB of its own"
    if row.get("pdf_beside_mb") is not None:
        compute_peak += f" + its helper's {row['pdf_beside_mb']:.0f} MB"
    apart = (f", {row['program_seconds']:.2f} s without the fake's {row['fake_seconds']:.2f} s"
             if "program_seconds" in row else "")
    if "pdf" in s and "pdf_start" in s:   # the steps before the PDF, then the PDF itself (made beside the rest)
        before = sum(v for k, v in s.items() if k in ("read", "parse", "compute", "pdf_start"))
        apart += f", {before + s['pdf']:.2f} s up to the PDF's end"
    return (f"{row['scale']:<34} {row['backend']:<27} total {s['total']:.2f} s{apart} "
            f"(cpu {row['cpu_seconds']:.2f} s) [{steps}] "
            f"peak {row['peak_mb']:.0f} MB{compute_peak}{requests} · PDF {row.get('pdf_bytes', 0) // 1024} KB\n"
            f"{'':<62} cpu by step [{cpu}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store")
    parser.add_argument("--api-url")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=RUN_DATE)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--files-here", action="store_true",
                        help="make the PDF and the .xlsx in the job's own process (as on one CPU), not beside it")
    parser.add_argument("--no-xlsx", action="store_true",
                        help="no meeting .xlsx, as the Cloud Function runs the job (the tab and the PDF)")
    parser.add_argument("--quick", action="store_true", help="skip the 80,000-loan scale")
    parser.add_argument("--only", help="only the scales whose label contains this text, e.g. 80,000")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return
    rows = run(args.quick, args.only, args.files_here, args.no_xlsx)
    out = ROOT / "bench" / "out" / "report.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
