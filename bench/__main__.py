"""`python -m bench [--quick] [--only NAME]`: run the benchmarks, print figures, save bench/out/results.json."""
from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path

from bench.common import machine

# name -> module; each module has run(quick) -> list of result rows.
BENCHES = {
    "store": "bench.store_bench",
    "growth": "bench.growth_bench",
    "alerts": "bench.alerts_bench",
    "report": "bench.report_bench",
    "webhook": "bench.webhook_bench",
    "warm_edit": "bench.warm_edit",
    "archive": "bench.archive_bench",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 80,000-loan scale")
    parser.add_argument("--only", choices=sorted(BENCHES), action="append")
    args = parser.parse_args()
    results = {"machine": machine(), "benches": {}}
    print(f"machine: {results['machine']}")
    for name, module_name in BENCHES.items():
        if args.only and name not in args.only:
            continue
        module = importlib.import_module(module_name)
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        results["benches"][name] = module.run(args.quick)
        print(f"({time.perf_counter() - started:.0f} s)")
    out = Path(__file__).resolve().parent / "out" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"\nsaved {out}")


if __name__ == "__main__":
    main()
