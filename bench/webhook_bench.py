"""The LINE webhook's figures: cold start, warm latency, Sheets requests per event.

Everything runs on loopback: the Sheets v4 fake holds the Trat demo province
(72 funds, 1,538 loans), the LINE Messaging API fake receives the replies (and
checks them against messaging-api.yml), and a tiny metadata server hands out
the access token as Google Cloud's does.

- Cold start: a fresh Python process per sample builds the function with
  functions-framework (`create_app(target="line_webhook", source="main.py")`),
  then answers one correctly signed text event: imports, config, the first
  sheet read, parsing, the first reply. Timed inside the child from its first
  line to the 200 (the interpreter's own start-up, measured separately, is
  added for the wall-clock figure). Median of N processes.
- Served cold start: as Cloud Functions runs it, `functions-framework --target
  line_webhook` in a new process (gunicorn loads main.py in its master and
  forks the worker), timed from starting the process to the 200 of its first
  event; every start must answer (a worker forked from a half-done master
  answers 500 or never).
- Warm: in this process the function runs behind a real HTTP server
  (werkzeug, threaded) and gets signed requests over loopback, one per
  command; latency from sending the request to the 200 (the reply to LINE is
  made before the 200). p50/p95.

    python -m bench.webhook_bench [--cold N] [--warm N]
    python -m bench --only webhook
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "bench-channel-secret"
SPREADSHEET_ID = "bench-webhook-sheet"

WARM_TEXTS = ("เมนู", "ครบกำหนด", "ค้างชำระ", "สรุป", "ตรวจสอบ", "ค้นหา สม", "กองทุน {fund}", "ครบกำหนด 30")

CHILD = r"""
import time
t0 = time.perf_counter()
import json, os, sys
from functions_framework import create_app
app = create_app(target="line_webhook", source=os.path.join(os.environ["BENCH_ROOT"], "main.py"))
t_app = time.perf_counter()
client = app.test_client()
body = os.environ["BENCH_BODY"].encode("utf-8")
post = lambda: client.post("/", data=body, headers={"X-Line-Signature": os.environ["BENCH_SIGNATURE"],
                                                    "Content-Type": "application/json"})
if os.environ.get("BENCH_PROFILE"):  # where the first event's time goes: a pstats file (not for figures)
    import cProfile
    profile = cProfile.Profile()
    response = profile.runcall(post)
    profile.dump_stats(os.environ["BENCH_PROFILE"])
else:
    response = post()
t1 = time.perf_counter()
for extra in json.loads(os.environ.get("BENCH_MORE", "[]")):
    client.post("/", data=extra["body"].encode("utf-8"), headers={"X-Line-Signature": extra["signature"],
                                                                   "Content-Type": "application/json"})
cache = sys.modules["main"]._warm().webhook().snapshots
shelf = cache.snapshots.shelf.stats if cache.snapshots is not None else None
stats = {"reads": cache.reads, **({k: getattr(shelf, k) for k in ("hits", "misses", "damaged")} if shelf else {})}
if os.environ.get("BENCH_SETTLE"):  # an unmeasured start that publishes its snapshot for the next ones
    cache.settle()
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec (it would be the parent's size).
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"status": response.status_code, "seconds": t1 - t0, "app_seconds": t_app - t0, "snapshot": stats,
                  "cpu_seconds": usage.ru_utime + usage.ru_stime, "peak_mb": peak_kb / 1024}))
"""


# ---------------------------------------------------------------- a metadata server

class _MetadataHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/computeMetadata/v1/instance/service-accounts/default/token") and \
                self.headers.get("Metadata-Flavor") == "Google":
            body = json.dumps({"access_token": "bench-token", "expires_in": 3599, "token_type": "Bearer"}).encode()
            self.send_response(200)
        else:
            body = b"{}"
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def metadata_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MetadataHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- LINE's schema check, after the clock

@contextmanager
def deferred_validation() -> Iterator[list[dict]]:
    """The LINE fake accepts replies at once and they are checked against messaging-api.yml afterwards.

    The fake's jsonschema check takes 0.05-1 s per Flex message on this machine: the fake's own
    cost, not the function's, so it is kept out of the timed path. Every body is still checked.
    """
    from tests.fakes import line_api

    bodies: list[dict] = []
    real = line_api.validate_request

    def record(name: str, body: Any) -> list[dict]:
        bodies.append({"name": name, "body": body})
        return []

    line_api.validate_request = record
    try:
        yield bodies
    finally:
        line_api.validate_request = real


def check_later(bodies: list[dict]) -> int:
    from tests.fakes.line_api import validate_request

    return sum(1 for b in bodies if validate_request(b["name"], b["body"]))


# ---------------------------------------------------------------- events

def text_event(user_id: str, text: str, reply_token: str) -> dict:
    return {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
            "webhookEventId": uuid.uuid4().hex[:26].upper(), "deliveryContext": {"isRedelivery": False},
            "source": {"type": "user", "userId": user_id}, "replyToken": reply_token,
            "message": {"type": "text", "id": str(uuid.uuid4().int)[:18], "text": text,
                        "quoteToken": uuid.uuid4().hex}}


def signed_body(events: list[dict]) -> tuple[bytes, str]:
    from messaging.signature import sign

    body = json.dumps({"destination": "U" + "0" * 32, "events": events}, ensure_ascii=False).encode("utf-8")
    return body, sign(SECRET, body)


# ---------------------------------------------------------------- the setting

@contextmanager
def loopback(today: dt.date, scale: Any = None, replay: bool = False) -> Iterator[dict[str, Any]]:
    """The fakes holding the demo province at `scale` (Trat when None); `replay`: the Sheets fake's
    replay mode (a read answered once is answered again from its prepared bytes)."""
    from sheets.demo import demo_tables
    from sheets.store import Layout
    from tests.fakes.drive_api import DriveFake
    from tests.fakes.line_api import DEFAULT_TOKEN, LineFake
    from tests.fakes.sheets_api import SheetsFake
    from tests.fakes.storage_api import DEFAULT_BUCKET, StorageFake

    from bench.common import cached_tables

    tables = demo_tables(today) if scale is None else cached_tables(scale, today)
    layout = Layout()
    with SheetsFake() as sheets, LineFake() as line, metadata_server() as metadata, DriveFake() as drive, \
            StorageFake() as storage:
        sheets.create_spreadsheet(SPREADSHEET_ID)
        drive.add_spreadsheet(SPREADSHEET_ID)  # its version moves with every change of the Sheets fake
        drive.follow_sheets(sheets)
        for key, rows in tables.items():
            sheets.set_rows(SPREADSHEET_ID, layout.title(key), rows)
        sheets.reset_requests()
        sheets.replay_reads(replay)
        # Snapshots off unless a variant turns them on (VARIANTS); when on, shared in the Storage fake.
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "BENCH_ROOT": str(ROOT),
               "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": DEFAULT_TOKEN,
               "KKC_STORE": f"gsheet:{SPREADSHEET_ID}", "KKC_SHEETS_API_URL": sheets.url,
               "KKC_LINE_API_URL": line.url, "GCE_METADATA_HOST": metadata, "K_SERVICE": "bench",
               "FUNCTION_TARGET": "line_webhook", "KKC_DRIVE_API_URL": drive.url,
               "KKC_STORAGE_API_URL": storage.url, "KKC_SNAPSHOT_BUCKET": DEFAULT_BUCKET, "KKC_SNAPSHOTS": "false"}
        env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        yield {"tables": tables, "sheets": sheets, "line": line, "env": env, "drive": drive, "storage": storage}


def pick_users(tables: dict[str, list[list[Any]]]) -> dict[str, tuple[str, str]]:
    """A linked district officer and a linked provincial officer: role -> (officer id, LINE user id)."""
    officers = {row[0]: row for row in tables["officers"][1:]}
    links = {row[1]: row[2] for row in tables["line_links"][1:]}
    chosen: dict[str, tuple[str, str]] = {}
    for officer_id, row in officers.items():
        role, active = row[3], row[5] in (None, "", "ใช่")
        if officer_id in links and active:
            key = "district" if role == "อำเภอ" else "province"
            chosen.setdefault(key, (officer_id, links[officer_id]))
    smallest = _smallest_district(tables)
    for officer_id, row in officers.items():
        if officer_id in links and row[3] == "อำเภอ" and row[2] == smallest and row[5] in (None, "", "ใช่"):
            chosen.setdefault("small district", (officer_id, links[officer_id]))
    return chosen


def _smallest_district(tables: dict[str, list[list[Any]]]) -> str:
    """The district with the fewest loans: the demo spreads a big province over Trat's 7 districts,
    so its first district holds a quarter of the loans, where a real province of 80,000 loans
    has 25-32 districts of 2,500-3,500 loans each."""
    from collections import Counter

    funds, loans = tables["funds"], tables["loans"]
    district_col = funds[0].index("อำเภอ")
    fund_col = loans[0].index("รหัสกองทุน")
    district_of = {row[0]: row[district_col] for row in funds[1:]}
    counts = Counter(district_of.get(row[fund_col]) for row in loans[1:])
    return min((n, d) for d, n in counts.items() if d)[1]


@contextmanager
def compiled_copy() -> Iterator[Path]:
    """The project as a deployed image could hold it: a copy with every module byte-compiled.

    This machine runs Python with PYTHONDONTWRITEBYTECODE=1 and the repository keeps no
    __pycache__, so every fresh process compiles the project's own modules (~0.2 s here).
    """
    import compileall
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kkc-deploy-") as tmp:
        target = Path(tmp) / "src"
        skip = {ROOT / name for name in (".venv", ".git", "tests", "bench", "data", "docs", ".pytest_cache",
                                         ".hypothesis")}

        def ignore(folder: str, names: list[str]) -> list[str]:
            return [n for n in names if Path(folder) / n in skip or n == "__pycache__" or n.endswith(".xlsx")]

        shutil.copytree(ROOT, target, ignore=ignore)
        compileall.compile_dir(str(target), quiet=1, force=True)
        yield target


def interpreter_start(env: dict[str, str], n: int = 5) -> float:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def peak_memory(setting: dict[str, Any], user_id: str) -> float:
    """MB of RSS of one instance after it has answered every kind of question (all caches full)."""
    line, env = setting["line"], setting["env"]
    fund = setting["tables"]["funds"][1][0]
    first, *rest = [signed_body([text_event(user_id, t.format(fund=fund), line.new_reply_token(user_id))])
                    for t in ("ค้างชำระ",) + WARM_TEXTS]
    more = json.dumps([{"body": b.decode("utf-8"), "signature": sig} for b, sig in rest])
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**env, "BENCH_BODY": first[0].decode("utf-8"), "BENCH_SIGNATURE": first[1],
                              "BENCH_MORE": more})
    if out.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])["peak_mb"]


def cold_starts(setting: dict[str, Any], user_id: str, n: int, text: str = "ค้างชำระ",
                extra_env: dict[str, str] | None = None, cwd: Path = ROOT,
                before_each: Any = None) -> dict[str, Any]:
    """`before_each()`: run before every sample (unmeasured), its dict added to that child's environment."""
    sheets, line, env = setting["sheets"], setting["line"], setting["env"]
    inside, wall, requests, cpu, peaks, snapshot_stats = [], [], [], [], [], []
    for _ in range(n):
        sample_env = before_each() if before_each is not None else {}
        token = line.new_reply_token(user_id)
        body, signature = signed_body([text_event(user_id, text, token)])
        before_sheets, before_replies = sheets.count(), len(line.replies)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD], cwd=cwd, capture_output=True, text=True, timeout=120,
                             env={**env, **(extra_env or {}), **sample_env, "BENCH_BODY": body.decode("utf-8"),
                                  "BENCH_SIGNATURE": signature})
        elapsed = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(f"cold-start child failed:\n{out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if result["status"] != 200 or len(line.replies) != before_replies + 1 or \
                "ขออภัย" in json.dumps(line.replies[-1].messages, ensure_ascii=False):
            raise RuntimeError(f"cold start did not answer: {result}\n{out.stderr[-2000:]}")
        inside.append(result["seconds"])
        snapshot_stats.append(result.get("snapshot", {}))
        cpu.append(result["cpu_seconds"])
        peaks.append(result["peak_mb"])
        wall.append(elapsed)
        requests.append(sheets.count() - before_sheets)
    return {"median_s": statistics.median(inside), "min_s": min(inside), "max_s": max(inside),
            "wall_median_s": statistics.median(wall), "cpu_median_s": statistics.median(cpu),
            "sheets_requests": statistics.median(requests), "samples": len(inside),
            "peak_mb_median": statistics.median(peaks), "peak_mb_max": max(peaks),
            "snapshot_per_sample": snapshot_stats}


@contextmanager
def unbudgeted_config() -> Iterator[str]:
    """config.yaml with no time budget per event, so that a cold start is timed to its real answer
    (with the budget, a late first read is answered with a please-wait and serves the next event)."""
    import tempfile

    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert "budget_seconds: 1.5" in text, "config.yaml's chat.budget_seconds moved: update the benchmark"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as out:
        out.write(text.replace("budget_seconds: 1.5", "budget_seconds: 600"))
    try:
        yield out.name
    finally:
        os.unlink(out.name)


# Named settings of a scaled cold start: extra environment for the child, and what happens before
# each measured start. Every start is a new instance (its own empty /tmp); the shared snapshots are
# in the Storage fake. "snapshot hit": an unmeasured start published the base and the officer's
# scope; "snapshot miss": the sheet's version moved just before, so the start reads and parses the
# sheet (and publishes after its answer, not timed).
VARIANTS: dict[str, dict[str, str]] = {
    "no snapshot": {"KKC_SNAPSHOTS": "false"},
    "snapshot miss": {"KKC_SNAPSHOTS": "true"},
    "snapshot hit": {"KKC_SNAPSHOTS": "true"},
}


def _before_each(setting: dict[str, Any], variant: str, tmp: str) -> Any:
    """A fresh /tmp per start and, for a miss, a new version of the sheet (nobody changed a cell:
    the Sheets fake's replayed answer stays, only Drive's version moves)."""
    import itertools

    counter = itertools.count()

    def prepare() -> dict[str, str]:
        if variant == "snapshot miss":
            setting["drive"].bump_version(SPREADSHEET_ID)
        return {"KKC_SNAPSHOT_LOCAL_DIR": os.path.join(tmp, f"instance-{next(counter)}")}
    return prepare


def scaled_cold_starts(scale: Any, n: int = 3,
                       variants: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Issue 13's figure: the webhook's cold start at a big province, a district and a provincial
    officer, the Sheets fake replaying its prepared answer (one unmeasured start prepares it)."""
    from core.thai import today_in

    rows = []
    with loopback(today_in("Asia/Bangkok"), scale, replay=True) as setting, unbudgeted_config() as config_path, \
            compiled_copy() as deployed:
        for variant, env in (variants or VARIANTS).items():
            rows += _scaled_rows(setting, scale, n, {"KKC_CONFIG": config_path, **env}, variant, deployed)
    return rows


def _scaled_rows(setting: dict[str, Any], scale: Any, n: int, extra: dict[str, str],
                 variant: str, deployed: Path) -> list[dict[str, Any]]:
    """Each officer's cold starts from this source tree and, as deployed, from the byte-compiled copy
    `deployed`: Cloud Functions' Python buildpack byte-compiles the function's source when it builds
    the image (`python3 -m compileall -f -q .`, GoogleCloudPlatform/buildpacks
    cmd/python/functions_framework/lib/lib.go), so a deployed cold start never compiles our modules,
    and this machine (PYTHONDONTWRITEBYTECODE=1, no __pycache__ kept) compiles them in every child."""
    import tempfile

    rows = []
    with deferred_validation() as bodies, tempfile.TemporaryDirectory(prefix="kkc-bench-tmp-") as tmp:
        users = pick_users(setting["tables"])
        for role in ("district", "small district", "province"):
            if role not in users:
                continue
            officer_id, user_id = users[role]
            prepare = _before_each(setting, variant, tmp)
            # Prepares the replayed answer and, with snapshots, publishes them (waited for: BENCH_SETTLE).
            cold_starts(setting, user_id, 1, extra_env={**extra, "BENCH_SETTLE": "1"}, before_each=prepare)
            storage_before = setting["storage"].count()
            result = cold_starts(setting, user_id, n, extra_env=extra, before_each=prepare)
            result["storage_requests"] = (setting["storage"].count() - storage_before) / n
            result["bytecode"] = cold_starts(setting, user_id, n, extra_env={**extra, "BENCH_ROOT": str(deployed)},
                                             cwd=deployed, before_each=prepare)
            reply = setting["line"].replies[-1].messages
            row = {"loans": scale.loans, "officer": f"{role} ({officer_id})", "variant": variant, **result,
                   "replayed_answers": setting["sheets"].replayed,
                   "reply_bytes": len(json.dumps(reply, ensure_ascii=False).encode("utf-8"))}
            rows.append(row)
            print(f"{scale.loans:>6} loans {variant:<12} {row['officer']:<22} cold median {result['median_s']:.2f} s "
                  f"(min {result['min_s']:.2f}, max {result['max_s']:.2f}; CPU {result['cpu_median_s']:.2f} s; "
                  f"wall incl. interpreter {result['wall_median_s']:.2f} s) peak {result['peak_mb_median']:.0f} MB "
                  f"(max {result['peak_mb_max']:.0f}), {result['sheets_requests']:.0f} Sheets req; "
                  f"snapshot per start {result['snapshot_per_sample']}; as deployed (bytecode) "
                  f"{result['bytecode']['median_s']:.2f} s (min {result['bytecode']['min_s']:.2f}, "
                  f"max {result['bytecode']['max_s']:.2f}; CPU {result['bytecode']['cpu_median_s']:.2f} s) "
                  f"peak {result['bytecode']['peak_mb_median']:.0f} MB", flush=True)
    # After the with: inside it the real check is swapped for the recorder.
    violations = check_later(bodies)
    for row in rows:
        row["line_violations"] = violations
    return rows


def served_cold_starts(setting: dict[str, Any], user_id: str, n: int, cwd: Path = ROOT) -> dict[str, Any]:
    """Start functions-framework n times; seconds from the start of the process to its first event's 200."""
    import signal
    import socket

    line, env = setting["line"], setting["env"]
    command = Path(sys.executable).with_name("functions-framework")
    totals, listening = [], []
    for _ in range(n):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        body, signature = signed_body([text_event(user_id, "ค้างชำระ", line.new_reply_token(user_id))])
        before = len(line.replies)
        started = time.perf_counter()
        process = subprocess.Popen([str(command), "--target", "line_webhook", "--source", str(cwd / "main.py"),
                                    "--host", "127.0.0.1", "--port", str(port)], cwd=cwd, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    conn.connect()
                    break
                except OSError:
                    if process.poll() is not None or time.perf_counter() - started > 30:
                        raise RuntimeError("functions-framework did not start") from None
                    time.sleep(0.005)
            up = time.perf_counter()
            status = post(conn, body, signature)
            done = time.perf_counter()
            conn.close()
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        if status != 200 or len(line.replies) != before + 1:
            raise RuntimeError(f"a served cold start did not answer (HTTP {status})")
        totals.append(done - started)
        listening.append(up - started)
    return {"median_s": statistics.median(totals), "min_s": min(totals), "max_s": max(totals),
            "listening_median_s": statistics.median(listening), "samples": n}


@contextmanager
def served_function(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """line_webhook behind a real threaded HTTP server in this process."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from functions_framework import create_app

        # A new app loads main.py anew: a new instance, built from this environment on the first request.
        app = create_app(target="line_webhook", source=str(ROOT / "main.py"))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield "127.0.0.1", server.server_port
        finally:
            server.shutdown()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def post(conn: http.client.HTTPConnection, body: bytes, signature: str) -> int:
    conn.request("POST", "/", body=body, headers={"X-Line-Signature": signature, "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def warm_latency(setting: dict[str, Any], user_id: str, n: int) -> dict[str, Any]:
    sheets, line, env = setting["sheets"], setting["line"], setting["env"]
    fund = setting["tables"]["funds"][1][0]
    with served_function(env) as (host, port):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        # The first event is the instance's cold one; it is not counted.
        body, signature = signed_body([text_event(user_id, "ค้างชำระ", line.new_reply_token(user_id))])
        assert post(conn, body, signature) == 200
        import logging

        logging.getLogger("kkc").setLevel(logging.WARNING)  # the per-request log line stays out of the output
        before, drive_before = sheets.count(), setting["drive"].count("files.get")
        latencies: dict[str, list[float]] = {}
        for i in range(n):
            text = WARM_TEXTS[i % len(WARM_TEXTS)].format(fund=fund)
            body, signature = signed_body([text_event(user_id, text, line.new_reply_token(user_id))])
            started = time.perf_counter()
            status = post(conn, body, signature)
            latencies.setdefault(text, []).append(time.perf_counter() - started)
            assert status == 200
        warm_requests = sheets.count() - before
        revision_checks = setting["drive"].count("files.get") - drive_before
        conn.close()
    everything = sorted(x for xs in latencies.values() for x in xs)
    return {"p50_ms": 1000 * _pct(everything, 50), "p95_ms": 1000 * _pct(everything, 95),
            "max_ms": 1000 * everything[-1], "events": len(everything),
            "sheets_requests_per_event": warm_requests / max(1, len(everything)),
            "drive_requests_per_event": revision_checks / max(1, len(everything)),
            "by_command_p50_ms": {k: round(1000 * statistics.median(v), 1) for k, v in latencies.items()},
            "line_violations": len(line.violations)}


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def run(quick: bool = False, cold: int | None = None, warm: int | None = None,
        scaled: bool = True) -> list[dict[str, Any]]:
    from core.thai import today_in
    from sheets.demo import NATIONAL_MAX, PROVINCE_AVG

    cold = cold or (5 if quick else 9)
    warm = warm or (80 if quick else 200)
    import tempfile

    rows = []
    with loopback(today_in("Asia/Bangkok")) as setting, compiled_copy() as deployed, \
            tempfile.TemporaryDirectory(prefix="kkc-bench-tmp-") as tmp:
        # Trat as deployed by default: snapshots on (the sheet's revision asked on every event), each
        # cold start a new instance finding the snapshot its predecessor published.
        setting["env"].update({"KKC_SNAPSHOTS": "true", "KKC_SNAPSHOT_LOCAL_DIR": os.path.join(tmp, "served")})
        users = pick_users(setting["tables"])
        start = interpreter_start(setting["env"])
        print(f"python interpreter start-up: {start * 1000:.0f} ms (median)", flush=True)
        for role in ("district", "province"):
            officer_id, user_id = users[role]
            prepare = _before_each(setting, "snapshot hit", os.path.join(tmp, role))
            with deferred_validation() as bodies:
                cold_starts(setting, user_id, 1, extra_env={"BENCH_SETTLE": "1"}, before_each=prepare)
                c = cold_starts(setting, user_id, cold, before_each=prepare)
                cb = cold_starts(setting, user_id, cold, extra_env={"BENCH_ROOT": str(deployed)}, cwd=deployed,
                                 before_each=prepare)
                served = served_cold_starts(setting, user_id, cold, cwd=deployed)
                w = warm_latency(setting, user_id, warm)
            w["line_violations"] += check_later(bodies)
            w["replies_checked"] = len(bodies)
            row = {"officer": f"{role} ({officer_id})", "cold": c, "cold_bytecode": cb, "served": served, "warm": w,
                   "interpreter_s": start, "peak_mb": peak_memory(setting, user_id)}
            rows.append(row)
            print(format_row(row), flush=True)
    if scaled:
        for scale in (PROVINCE_AVG,) if quick else (PROVINCE_AVG, NATIONAL_MAX):
            rows.append({"officer": f"scaled {scale.loans}", "scaled": scaled_cold_starts(scale)})
    return rows


def format_row(row: dict[str, Any]) -> str:
    c, cb, served, w = row["cold"], row["cold_bytecode"], row["served"], row["warm"]
    return (f"{row['officer']:<22} cold median {c['median_s']:.3f} s (min {c['min_s']:.3f}, max {c['max_s']:.3f}, "
            f"wall incl. interpreter {c['wall_median_s']:.3f} s, CPU {c['cpu_median_s']:.3f} s, "
            f"{c['sheets_requests']:.0f} Sheets req); with bytecode {cb['median_s']:.3f} s (min {cb['min_s']:.3f}, "
            f"wall {cb['wall_median_s']:.3f} s, CPU {cb['cpu_median_s']:.3f} s) | served by functions-framework "
            f"(bytecode), process start to first 200: {served['median_s']:.3f} s (min {served['min_s']:.3f}, "
            f"max {served['max_s']:.3f}; listening after {served['listening_median_s']:.3f} s), "
            f"{served['samples']}/{served['samples']} answered | peak {row['peak_mb']:.0f} MB | "
            f"warm p50 {w['p50_ms']:.1f} ms p95 {w['p95_ms']:.1f} ms max {w['max_ms']:.1f} ms "
            f"({w['events']} events, {w['sheets_requests_per_event']:.2f} Sheets req/event, "
            f"{w.get('drive_requests_per_event', 0):.2f} Drive req/event (the revision), "
            f"{w.get('replies_checked', 0)} replies checked against messaging-api.yml, "
            f"{w['line_violations']} refused)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=9, help="fresh processes for the cold start (default 9)")
    parser.add_argument("--warm", type=int, default=200, help="warm events (default 200)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--scaled", choices=["11000", "80000"],
                        help="only the cold starts at this scale (no snapshot, snapshot miss, snapshot hit)")
    args = parser.parse_args()
    import os as _os

    print(f"load average before: {_os.getloadavg()[0]:.2f} (2 CPUs: above ~1 other jobs compete)", flush=True)
    if args.scaled:
        from sheets.demo import NATIONAL_MAX, PROVINCE_AVG

        scale = PROVINCE_AVG if args.scaled == "11000" else NATIONAL_MAX
        rows = [{"officer": f"scaled {scale.loans}", "scaled": scaled_cold_starts(scale, n=max(1, args.cold))}]
    else:
        rows = run(cold=args.cold, warm=args.warm)
    print(f"load average after: {_os.getloadavg()[0]:.2f}", flush=True)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            if "warm" in row:  # the scaled rows have cold starts only
                print(json.dumps(row["warm"]["by_command_p50_ms"], ensure_ascii=False))


if __name__ == "__main__":
    main()
