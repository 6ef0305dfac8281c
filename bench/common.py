"""Shared pieces of the benchmark: scales, a loaded Sheets fake, and fresh-process probes.

Time and peak memory are measured in a fresh child process (VmHWM), so a
figure is what one run of the real program costs, not the benchmark's own
bookkeeping. The fakes run in the parent and count the requests.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 26)
SEED = 2569
SPREADSHEET_ID = "bench-sheet"


def double_max() -> Any:
    """Twice the largest province: only for the growth curve (is the read path linear?)."""
    from sheets.demo import NATIONAL_MAX
    from sheets.demo.scales import DemoScale

    return DemoScale(funds=2 * NATIONAL_MAX.funds, loans=2 * NATIONAL_MAX.loans,
                     officers_district=2 * NATIONAL_MAX.officers_district,
                     staff_province=NATIONAL_MAX.staff_province, name="สองเท่าของจังหวัดใหญ่สุด")


def cached_tables(scale: Any, today: dt.date = TODAY, seed: int = SEED) -> dict[str, list[list[Any]]]:
    """The demo generator's tables at this scale, kept in bench/out/ between runs (160k takes minutes)."""
    import hashlib
    import pickle

    from sheets.demo import demo_tables

    # The generator's code and the schema it fills (a tab added to core/schema.py changes the
    # tables without touching sheets/demo/: an older copy would lack it, and every read of it
    # would take the missing-tab path, two requests more than the real sheet).
    sources = [*sorted((ROOT / "sheets" / "demo").glob("*.py")), ROOT / "core" / "schema.py"]
    source = "".join(path.read_text(encoding="utf-8") for path in sources)
    digest = hashlib.sha256(f"{scale!r}|{today}|{seed}|{source}".encode()).hexdigest()[:16]
    path = ROOT / "bench" / "out" / f"tables-{scale.loans}-{digest}.pickle"
    if path.exists():
        with path.open("rb") as cached:
            return pickle.load(cached)
    tables = demo_tables(today, seed, scale)
    path.parent.mkdir(exist_ok=True)
    with path.open("wb") as out:
        pickle.dump(tables, out, protocol=pickle.HIGHEST_PROTOCOL)
    return tables


def prime_reads(fake: Any, api_url: str, tab_keys: Any = None) -> None:
    """Replay mode on, and the data read answered once (unmeasured) so that its bytes are prepared.

    The read goes through the program's own client, so it is byte for byte the request the
    measured run makes."""
    from core.config import load_config
    from core.schema import DATA_TABS
    from sheets.credentials import StaticToken
    from sheets.google import GoogleStore
    from sheets.store import Layout

    fake.replay_reads()
    config = load_config(env={}, overrides={"sheets.api_url": api_url})
    GoogleStore.from_config(SPREADSHEET_ID, config, Layout(config), StaticToken("bench")).read(
        tab_keys or DATA_TABS)
    fake.reset_requests()


def scales(quick: bool) -> list[tuple[str, Any]]:
    from sheets.demo import NATIONAL_MAX, PROVINCE_AVG, TRAT

    chosen = [("Trat demo (1,538 loans)", TRAT), ("average province (11,000 loans)", PROVINCE_AVG)]
    if not quick:
        chosen.append(("largest province (80,000 loans)", NATIONAL_MAX))
    return chosen


@contextmanager
def loaded_sheets_fake(tables: dict[str, list[list[Any]]]) -> Iterator[Any]:
    """A Sheets v4 fake on loopback holding the demo tables."""
    sys.path.insert(0, str(ROOT))
    from sheets.store import Layout
    from tests.fakes.sheets_api import SheetsFake

    layout = Layout()
    fake = SheetsFake().start()
    try:
        fake.create_spreadsheet(SPREADSHEET_ID)
        for tab_key, rows in tables.items():
            fake.set_rows(SPREADSHEET_ID, layout.title(tab_key), rows)
        fake.reset_requests()
        yield fake
    finally:
        fake.stop()


@contextmanager
def demo_workbook(scale: Any) -> Iterator[Path]:
    from sheets.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "smart-data.xlsx"
        build_demo(path, TODAY, seed=SEED, scale=scale)
        yield path


def probe(task: str, store: str, api_url: str | None = None, extra: list[str] | None = None,
          env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `python -m bench.probe TASK` in a fresh process; it prints one JSON object."""
    cmd = [sys.executable, "-m", "bench.probe", task, "--store", store, "--date", TODAY.isoformat()]
    if api_url:
        cmd += ["--api-url", api_url]
    cmd += extra or []
    full_env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", **(env or {})}
    out = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"probe {task} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    import platform

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gb": round(mem_gb, 1), "cpu": cpu,
            "python": platform.python_version(), "date": dt.date.today().isoformat()}
