"""One measured run in a fresh process: prints {"seconds": {...}, "peak_mb": ...} as JSON.

Run by bench/common.probe; not meant to be called by hand.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TASKS: dict[str, Callable[[argparse.Namespace, Any, Any, dt.date], dict[str, Any]]] = {}


def task(name: str):
    def register(fn):
        TASKS[name] = fn
        return fn
    return register


def open_bench_store(args: argparse.Namespace, config: Any) -> Any:
    from sheets.store import Layout
    from sheets.open import open_store

    if args.store.startswith("gsheet:"):
        from sheets.credentials import StaticToken
        from sheets.google import GoogleStore

        return GoogleStore.from_config(args.store.split(":", 1)[1], config, Layout(config), StaticToken("bench"))
    return open_store(args.store, config)


@task("check")
def run_check_task(args: argparse.Namespace, config: Any, store: Any, today: dt.date) -> dict[str, Any]:
    """Load (one batch read), parse, and run the data-quality check."""
    from sheets.check import run_check
    from sheets.model import load_dataset
    from core.schema import DATA_TABS
    from sheets.store import Layout

    t0 = time.perf_counter()
    tables = store.read(DATA_TABS)
    t1 = time.perf_counter()
    ds = load_dataset(tables, Layout(config), today, config.rules.max_term_years)
    t2 = time.perf_counter()
    report = run_check(ds, config, today)
    t3 = time.perf_counter()
    return {"seconds": {"load": t1 - t0, "parse": t2 - t1, "check": t3 - t2, "total": t3 - t0},
            "loans": len(ds.loans), "problems": len(report.problems)}


class GcWatch:
    """The cycle collector's passes and time, by generation, through gc.callbacks."""

    def __init__(self) -> None:
        self.passes = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self.collected = 0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.passes[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._started
            self.collected += info["collected"]

    def as_json(self) -> dict[str, Any]:
        return {"passes": list(self.passes), "seconds": [round(s, 4) for s in self.seconds],
                "collected": self.collected}


@task("read")
def run_read_task(args: argparse.Namespace, config: Any, store: Any, today: dt.date) -> dict[str, Any]:
    """The read path alone (one batch read, then parse), with the cycle collector's work in each."""
    import gc

    from core.schema import DATA_TABS
    from sheets.model import load_dataset
    from sheets.store import Layout

    load_gc, parse_gc = GcWatch(), GcWatch()
    gc.callbacks.append(load_gc)
    t0, c0 = time.perf_counter(), time.process_time()
    tables = store.read(DATA_TABS)
    t1, c1 = time.perf_counter(), time.process_time()
    gc.callbacks.remove(load_gc)
    gc.callbacks.append(parse_gc)
    ds = load_dataset(tables, Layout(config), today, config.rules.max_term_years)
    t2, c2 = time.perf_counter(), time.process_time()
    gc.callbacks.remove(parse_gc)
    return {"seconds": {"load": t1 - t0, "parse": t2 - t1, "total": t2 - t0},
            "cpu": {"load": c1 - c0, "parse": c2 - c1, "total": c2 - c0},
            "gc": {"load": load_gc.as_json(), "parse": parse_gc.as_json()},
            "loans": len(ds.loans), "cells": sum(t.height * len(t.header) for t in tables.values())}


@task("remind")
def run_remind_task(args: argparse.Namespace, config: Any, store: Any, today: dt.date) -> dict[str, Any]:
    """One daily alert run: the day's turn, read, plan, push through LINE (the fake), the log written ahead."""
    import tempfile

    from core.thai import now_in
    from messaging.factory import make_messenger
    from reminders.job import run_reminders
    from report.notify import MonthlySummaries
    from sheets.claims import FileClaims

    t0 = time.perf_counter()
    attachments = None if "--no-summary" in args.rest else MonthlySummaries()
    with tempfile.TemporaryDirectory() as claims_dir:  # as main.send_reminders runs it: the turn, the summaries
        summary = run_reminders(store, make_messenger(config), config, today, now_in(config.timezone),
                                claims=FileClaims(claims_dir), attachments=attachments)
    body = summary.as_json()
    return {"seconds": {"total": time.perf_counter() - t0, **body.get("timings", {})},
            "cpu": body.get("cpu_timings", {}),
            "pushes": body["pushes"], "items": body["items"],
            "summaries": sum(r["monthly_summary"] for r in body["recipients"] if r["status"] == "sent"),
            "already_sent": body["already_sent"]}


@task("archive")
def run_archive_task(args: argparse.Namespace, config: Any, store: Any, today: dt.date) -> dict[str, Any]:
    """The alert log's older rows moved out (reminders/archive.py) to the Storage fake at --storage-url."""
    from reminders.archive import move_old_rows
    from sheets.archive import BucketSink
    from sheets.cloud_storage import StorageClient

    url, bucket = args.rest[args.rest.index("--storage-url") + 1], args.rest[args.rest.index("--bucket") + 1]
    sink = BucketSink(StorageClient(lambda: "bench", api_url=url), bucket, "alert-log/")
    t0 = time.perf_counter()
    result = move_old_rows(store, sink, config, today, dt.datetime.combine(today, dt.time(7, 30)),
                           force="--force" in args.rest)
    return {"seconds": {"total": time.perf_counter() - t0, **result.seconds}, "log_rows": result.log_rows,
            "moved": result.moved, "skipped": result.skipped}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that across
    exec, so a child would report its parent's size at fork."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--store", required=True)
    parser.add_argument("--date", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--api-url")
    parser.add_argument("--line-url")
    args, rest = parser.parse_known_args()
    args.rest = rest
    from core.config import load_config

    overrides = {"sheets.api_url": args.api_url} if args.api_url else {}
    if args.line_url:
        overrides["line.api_url"] = args.line_url
    config = load_config(overrides=overrides)
    store = open_bench_store(args, config)
    result = TASKS[args.task](args, config, store, args.date)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_mb"] = peak_rss_mb()
    # CPU of this process alone: the fakes answering it run in the parent.
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    print(json.dumps(result))


if __name__ == "__main__":
    main()
