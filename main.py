"""กข.คจ. Care entry points.

Cloud Functions (wiring only: check the request, call the library, map errors
to status codes) and, run as a script, the command line (`python main.py --help`).
Heavy clients are created lazily on first use and reused by a warm instance.
"""
from __future__ import annotations

import sys


def line_webhook(request):
    """LINE webhook (HTTP, functions-framework): docs/chat.md.

    POST only (405); X-Line-Signature of the raw body checked before anything is
    read (missing or wrong: 400); malformed JSON: 400; LINE's Verify (`{"events": []}`):
    200; each event answered, a failing one logged by webhookEventId and apologised
    for, never a 500 for a valid request. No LINE_CHANNEL_SECRET: 500, nothing accepted.
    """
    import logging

    from handlers.runtime import RuntimeConfigError, get_runtime
    from handlers.signature import SIGNATURE_HEADER, InvalidSignatureError
    from handlers.webhook import InvalidPayloadError

    log = logging.getLogger("kkc.webhook")
    if request.method != "POST":
        return ("Method Not Allowed", 405, {"Allow": "POST"})
    try:
        runtime = get_runtime()
    except RuntimeConfigError as exc:
        log.error("line_webhook is not configured: %s", exc)
        return ("Server configuration error", 500)
    body = request.get_data(cache=False)
    try:
        runtime.handle(body, request.headers.get(SIGNATURE_HEADER))
    except InvalidSignatureError:
        log.warning("line_webhook: request refused: missing or wrong %s", SIGNATURE_HEADER)
        return ("Bad signature", 400)
    except InvalidPayloadError:
        log.warning("line_webhook: request refused: body is not a webhook payload")
        return ("Bad request", 400)
    return ("OK", 200)


_MONTHLY: dict = {}  # config, store and messenger of a warm instance (created on first call)


def monthly_report(request):
    """The month's report (HTTP, for Cloud Scheduler on the 1st at 07:00): docs/report.md.

    Optional query or JSON: month=YYYY-MM, date=YYYY-MM-DD (the run date), push=false.
    Writes the รายงานประจำเดือน tab and the สรุปรายเดือน rows, pushes the LINE summaries
    (once per month), answers the report as JSON. Store or config errors: 500 with a
    short JSON error; a bad parameter: 400.
    """
    import datetime as dt
    import json
    import logging

    from core.config import ConfigError, load_config
    from core.thai import today_in
    from messaging.base import MessengerError
    from report.job import run_monthly_report
    from report.monthly import parse_month
    from sheets.store import StoreError, open_store

    log = logging.getLogger("kkc.report")
    headers = {"Content-Type": "application/json; charset=utf-8"}

    def answer(body, status):
        return (json.dumps(body, ensure_ascii=False, default=str), status, headers)

    given = {**(request.args or {}), **(request.get_json(silent=True) or {})}
    try:
        month = parse_month(given["month"]) if given.get("month") else (None, None)
        run_date = dt.date.fromisoformat(given["date"]) if given.get("date") else None
    except (ValueError, TypeError) as exc:
        return answer({"error": f"พารามิเตอร์ไม่ถูกต้อง: {exc}"}, 400)
    push = str(given.get("push", "true")).lower() not in ("false", "0", "no")
    try:
        if "store" not in _MONTHLY:
            config = load_config()
            from messaging.factory import make_messenger

            _MONTHLY.update(config=config, store=open_store(None, config), messenger=make_messenger(config))
        config = _MONTHLY["config"]
        run = run_monthly_report(_MONTHLY["store"], config, run_date or today_in(config.timezone),
                                 year=month[0], month=month[1], out=False, push=push,
                                 messenger=_MONTHLY["messenger"])
    except (ConfigError, StoreError, MessengerError, OSError) as exc:
        log.error("monthly_report failed: %s", exc)
        return answer({"error": str(exc)[:500]}, 500)
    except ValueError as exc:  # a month that has not started
        return answer({"error": str(exc)}, 400)
    return answer(run.as_json(), 200)


if __name__ == "__main__":
    from cli import main as cli_main

    sys.exit(cli_main())
