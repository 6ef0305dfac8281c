"""กข.คจ. Care entry points.

Cloud Functions (wiring only: check the request, call the library, map errors
to status codes) and, run as a script, the command line (`python main.py --help`).
Heavy clients are created lazily on first use and reused by a warm instance.
"""
from __future__ import annotations

import sys

if __name__ != "__main__":
    import os as _os

    if _os.environ.get("FUNCTION_TARGET") == "line_webhook":
        # A cold webhook instance starts its first sheet read now, while the rest loads.
        from handlers import prefetch as _prefetch

        _prefetch.start()


def _json_response(body, status: int):
    """A Cloud Function answer in JSON (Thai kept readable)."""
    import json

    return (json.dumps(body, ensure_ascii=False, default=str), status,
            {"Content-Type": "application/json; charset=utf-8"})


def _parameters(request) -> dict:
    """Query string and JSON body together (Cloud Scheduler may send either)."""
    return {**(request.args or {}), **(request.get_json(silent=True) or {})}


def line_webhook(request):
    """LINE webhook (HTTP, functions-framework): docs/chat.md.

    POST only (405); X-Line-Signature of the raw body checked before anything is
    read (missing or wrong: 400); malformed JSON: 400; LINE's Verify (`{"events": []}`):
    200; each event answered, a failing one logged by webhookEventId and apologised
    for, never a 500 for a valid request. No LINE_CHANNEL_SECRET: 500, nothing accepted.
    """
    import logging

    from handlers.runtime import RuntimeConfigError, get_runtime
    from messaging.signature import SIGNATURE_HEADER, InvalidSignatureError
    from messaging.webhook import InvalidPayloadError

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
    import logging

    from core.config import ConfigError, load_config
    from core.thai import today_in
    from messaging.base import MessengerError
    from report.job import run_monthly_report
    from report.monthly import parse_month
    from sheets.store import StoreError
    from sheets.open import open_store

    log = logging.getLogger("kkc.report")
    answer = _json_response
    given = _parameters(request)
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


_REMINDERS: dict = {}  # config and store of a warm instance, keyed by the settings they came from


def send_reminders(request):
    """The daily alert run (HTTP, for Cloud Scheduler at 08:00 Asia/Bangkok): docs/alerts.md.

    GET or POST; deployed without unauthenticated access (Cloud Run IAM checks the
    scheduler's OIDC token, not this code). Optional query: date=YYYY-MM-DD (the run
    date, default today in config.timezone), dry_run=1. Answers the run's JSON
    summary (200); a bad parameter: 400; store, config or LINE set-up errors: 500
    with a short JSON error. A new messenger per call: a 429 stops only its own run.
    """
    import datetime as dt
    import logging
    import os

    from core.config import ConfigError, load_config
    from core.thai import now_in, today_in
    from messaging.base import MessengerError
    from messaging.factory import make_messenger
    from reminders.job import run_reminders
    from sheets.store import StoreError
    from sheets.open import open_store

    log = logging.getLogger("kkc.reminders")
    answer = _json_response
    given = _parameters(request)
    try:
        run_date = dt.date.fromisoformat(str(given["date"])) if given.get("date") else None
    except ValueError:
        return answer({"error": "พารามิเตอร์ date ต้องอยู่ในรูป YYYY-MM-DD (date must be YYYY-MM-DD)"}, 400)
    dry_run = str(given.get("dry_run", "")).lower() in ("1", "true", "yes")
    try:
        key = (os.environ.get("KKC_CONFIG"), os.environ.get("KKC_STORE"))
        if _REMINDERS.get("key") != key:
            config = load_config()
            _REMINDERS.update(key=key, config=config, store=open_store(None, config))
        config, store = _REMINDERS["config"], _REMINDERS["store"]
        summary = run_reminders(store, make_messenger(config), config, run_date or today_in(config.timezone),
                                now_in(config.timezone), dry_run=dry_run)
    except (ConfigError, StoreError, MessengerError) as exc:
        log.error("send_reminders failed: %s", exc)
        _REMINDERS.clear()  # set up again on the next call
        return answer({"error": type(exc).__name__, "message": str(exc)[:500]}, 500)
    body = summary.as_json()
    log.info("send_reminders %s: %d pushes, %d items, failed %s", body["date"], body["pushes"], body["items"],
             body["failed_officers"])
    return answer(body, 200)


if __name__ == "__main__":
    from cli import main as cli_main

    sys.exit(cli_main())
