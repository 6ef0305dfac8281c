"""The webhook's answer time when Google Sheets is slow: every Sheets answer DELAY seconds late.

The Trat demo province in the Sheets v4 fake, replies to the LINE fake, the token from a metadata
server, all on loopback (as bench.webhook_bench). Warm: line_webhook behind a real HTTP server in
this process, asked a question (cold, fast), then a ชำระ card, then the Sheets fake is slowed and
the confirm is tapped; then a question after the cache expired. Cold: a fresh process answering
its first question with the Sheets fake slowed. Each answer's time (request sent to 200) and the
start of what LINE received.

    python -m bench.slow_sheets [--delay 5]
"""
from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.webhook_bench import (CHILD, ROOT, deferred_validation, loopback, pick_users, post, served_function,
                                 signed_body, text_event)

CACHE_SECONDS = 2  # the warm instance's cache, short so that the expired-cache question comes soon


def postback_event(user_id: str, data: str, reply_token: str) -> dict:
    event = text_event(user_id, "", reply_token)
    del event["message"]
    return {**event, "type": "postback", "postback": {"data": data}}


def confirm_data(messages: list[dict]) -> str | None:
    from chat.terminal import actions_of

    return next((a["data"] for a in actions_of(messages) if a.get("label") == "ยืนยันบันทึก"), None)


def run(delay: float) -> dict[str, Any]:
    from core.thai import today_in
    from messaging.base import messages_to_text

    results: dict[str, Any] = {"delay_s": delay}
    with tempfile.TemporaryDirectory(prefix="kkc-bench-claims-") as claims, \
            loopback(today_in("Asia/Bangkok")) as setting, deferred_validation():
        sheets, line = setting["sheets"], setting["line"]
        env = {**setting["env"], "KKC_CLAIMS_DIR": claims, "KKC_CACHE_SECONDS": str(CACHE_SECONDS)}
        tables = setting["tables"]
        officer_id, user = pick_users(tables)["district"]
        district = {row[0]: row for row in tables["officers"][1:]}[officer_id][2]
        funds = {row[0] for row in tables["funds"][1:] if row[1] == district}
        contracts = [row[0] for row in tables["loans"][1:] if row[1] in funds]

        def answer(conn: http.client.HTTPConnection, event: dict) -> tuple[float, list[dict]]:
            body, signature = signed_body([event])
            started = time.perf_counter()
            assert post(conn, body, signature) == 200
            took = time.perf_counter() - started
            return took, [m for r in list(line.replies) if r.reply_token == event["replyToken"] for m in r.messages]

        def summary(took: float, messages: list[dict]) -> dict[str, Any]:
            return {"seconds": round(took, 3), "answer": messages_to_text(messages)[:160]}

        with served_function(env) as (host, port):
            conn = http.client.HTTPConnection(host, port, timeout=60)
            answer(conn, text_event(user, "ค้างชำระ", line.new_reply_token(user)))
            data = None
            for contract in contracts:  # the first of the district's loans that still has something to pay
                data = confirm_data(answer(conn, text_event(user, f"ชำระ {contract} 1", line.new_reply_token(user)))[1])
                if data:
                    break
            assert data, "no loan with an outstanding balance"
            sheets.delay_next(delay, times=100)
            results["warm_confirm"] = summary(*answer(conn, postback_event(user, data, line.new_reply_token(user))))
            time.sleep(CACHE_SECONDS + 0.2)
            results["warm_question_cache_expired"] = summary(
                *answer(conn, text_event(user, "ครบกำหนด", line.new_reply_token(user))))
            conn.close()
        sheets.clear_faults()
        time.sleep(delay * 2 + 1)  # what was still on its way lands before the cold start
        sheets.delay_next(delay, times=100)
        event = text_event(user, "ค้างชำระ", line.new_reply_token(user))
        body, signature = signed_body([event])
        out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120,
                             env={**env, "BENCH_BODY": body.decode("utf-8"), "BENCH_SIGNATURE": signature})
        sheets.clear_faults()
        if out.returncode != 0:
            raise RuntimeError(f"cold child failed:\n{out.stderr[-2000:]}")
        child = json.loads(out.stdout.strip().splitlines()[-1])
        replied = [m for r in list(line.replies) if r.reply_token == event["replyToken"] for m in r.messages]
        results["cold_question_from_process_start"] = summary(child["seconds"], replied)
        results["loading_animations"] = len(line.loadings)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=5.0, help="seconds each Sheets answer is late (default 5)")
    print(json.dumps(run(parser.parse_args().delay), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
