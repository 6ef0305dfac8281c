"""กข.คจ. Care entry points.

Cloud Functions (wiring only: check the request, call the library, map errors
to status codes) and, run as a script, the command line (`python main.py --help`).
The three functions share one `handlers.instance.Instance` per process: settings,
the webhook runtime and the jobs' store, each made on the first request that
needs it and reused by a warm instance. Importing this module starts nothing
(functions-framework loads it in gunicorn's master, then forks the worker).
"""
from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.instance import Instance

_instance: Instance | None = None  # this process's warm state, made by its first request (_warm)
_instance_lock = threading.Lock()


def _warm() -> Instance:
    """The process's one Instance (made on first use, in the worker that serves)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                from handlers.instance import Instance

                _instance = Instance()
    return _instance


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
    from handlers.runtime import answer_webhook

    return answer_webhook(request, _warm().webhook)


def monthly_report(request):
    """The month's report (HTTP, for Cloud Scheduler on the 1st at 07:00): docs/report.md.

    Optional query or JSON: month=YYYY-MM, date=YYYY-MM-DD (the run date).
    Writes the รายงานประจำเดือน tab and the สรุปรายเดือน rows, answers the report as JSON;
    pushes nothing (the month's LINE summary rides in send_reminders' push of the day).
    Store or config errors: 500 with a short JSON error; a bad parameter: 400.
    """
    import datetime as dt
    import logging

    from core.config import ConfigError
    from core.thai import today_in
    from report.job import run_monthly_report
    from report.monthly import parse_month
    from sheets.store import StoreError

    log = logging.getLogger("kkc.report")
    answer = _json_response
    given = _parameters(request)
    try:
        month = parse_month(given["month"]) if given.get("month") else (None, None)
        run_date = dt.date.fromisoformat(given["date"]) if given.get("date") else None
    except (ValueError, TypeError) as exc:
        return answer({"error": f"พารามิเตอร์ไม่ถูกต้อง: {exc}"}, 400)
    warm = _warm()
    try:
        config, store = warm.jobs()
        # The PDF only when it has somewhere to go (a Drive folder): the function's disk is temporary.
        import tempfile

        run = run_monthly_report(store, config, run_date or today_in(config.timezone),
                                 year=month[0], month=month[1], out=False,
                                 pdf=tempfile.gettempdir() if config.report.drive_folder_id else False)
    except (ConfigError, StoreError, OSError) as exc:
        log.error("monthly_report failed: %s", exc)
        warm.forget_jobs()  # set up again on the next call
        return answer({"error": str(exc)[:500]}, 500)
    except ValueError as exc:  # a month that has not started
        return answer({"error": str(exc)}, 400)
    return answer(run.as_json(), 200)


def send_reminders(request):
    """The daily alert run (HTTP, for Cloud Scheduler at 08:00 Asia/Bangkok): docs/alerts.md.

    GET or POST; deployed without unauthenticated access (Cloud Run IAM checks the
    scheduler's OIDC token, not this code). Optional query: date=YYYY-MM-DD (the run
    date, default today in config.timezone), dry_run=1. Answers the run's JSON summary:
    200 done; 409 the day is being sent by another run (nothing done; Cloud Scheduler's
    retry comes back later); 503 a push got no answer (its rows stay รอส่ง: the scheduler's
    retry resolves it by its retry key within LINE's 24 hours); 500 with "error",
    "message" and "errors" when a required column is missing (the administrator is told on
    LINE once a day), or for store, config or LINE set-up errors; a bad parameter: 400.
    A new messenger per call: a 429 stops only its own run. The month's summary rides in
    the day's push (report.notify.MonthlySummaries).
    """
    import datetime as dt
    import logging

    from core.config import ConfigError
    from core.thai import now_in, today_in
    from messaging.base import MessengerError
    from messaging.factory import make_messenger
    from reminders.job import run_reminders
    from report.job import sheet_link
    from report.notify import MonthlySummaries
    from sheets.store import StoreError

    log = logging.getLogger("kkc.reminders")
    answer = _json_response
    given = _parameters(request)
    try:
        run_date = dt.date.fromisoformat(str(given["date"])) if given.get("date") else None
    except ValueError:
        return answer({"error": "พารามิเตอร์ date ต้องอยู่ในรูป YYYY-MM-DD (date must be YYYY-MM-DD)"}, 400)
    dry_run = str(given.get("dry_run", "")).lower() in ("1", "true", "yes")
    warm = _warm()
    try:
        config, store = warm.jobs()
        summary = run_reminders(store, make_messenger(config), config, run_date or today_in(config.timezone),
                                now_in(config.timezone), claims=warm.claims(), dry_run=dry_run,
                                attachments=MonthlySummaries(sheet_link(store)), archive=warm.archive())
    except (ConfigError, StoreError, MessengerError) as exc:
        log.error("send_reminders failed: %s", exc)
        warm.forget_jobs()  # set up again on the next call
        return answer({"error": type(exc).__name__, "message": str(exc)[:500]}, 500)
    body = summary.as_json()
    if summary.errors:
        message = "; ".join(e.message for e in summary.errors)
        log.error("send_reminders %s blocked: %s", body["date"], message)
        return answer({"error": "MissingColumn", "message": message[:500], **body}, summary.http_status)
    log.info("send_reminders %s: %d pushes, %d items, failed %s, unknown %s%s", body["date"], body["pushes"],
             body["items"], body["failed_officers"], body["unknown_officers"],
             " (another run holds the day)" if summary.busy else "")
    return answer(body, summary.http_status)


if __name__ == "__main__":
    from cli import main as cli_main

    sys.exit(cli_main())
