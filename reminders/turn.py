"""One sending run at a time per day: the day's turn, taken with an atomic claim (sheets.claims).

    turn = take_turn(claims, run_date, now)
    if turn.busy: ...            # another run holds the day: say so, send nothing
    try: ...                     # read the log, resolve, plan, push, append
    finally: turn.release()

Why a claim: two overlapping runs (Cloud Scheduler retrying a run that is still going, an
operator starting one by hand) both read "nothing sent yet" before either writes; only a
create-if-absent that the storage makes atomic can let exactly one of them go on. The run
claims first and reads the alert log after, so it sees every row a previous holder wrote.

The claim is the day's TURN, not a record of what was sent (the write-ahead alert log is
that): the run gives it back when it ends, whatever happened, so the scheduler's retry of a
failed run can take the next turn and resolve what the failed run left pending.

A run that dies holding the turn (the instance killed, the function's timeout) cannot give
it back. Its claim says when it started; a later run that finds a turn older than
`LEASE` takes the next one (`remind-<date>-2`, `-3`, …): the dead run's pushes are in
the log as รอส่ง and are resolved by their retry keys, so nothing is lost. `LEASE` is longer
than the function's timeout (540 s), so a live run is never overtaken.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from sheets.claims import Claims
from sheets.store import StoreError

LEASE = dt.timedelta(minutes=15)
MAX_TURNS = 24  # dead runs in one day before we give up and say so


def turn_key(run_date: dt.date, number: int) -> str:
    return f"remind-{run_date.isoformat()}" + ("" if number == 1 else f"-{number}")


@dataclass
class Turn:
    """The day's turn: ours (`key`), or held by a live run (`busy`, with its record)."""

    claims: Claims
    key: str = ""
    busy: dict[str, Any] = field(default_factory=dict)
    release_error: str = ""

    def release(self) -> None:
        """Give the turn back (a failure is only noted: the next run takes over after LEASE)."""
        if not self.key:
            return
        try:
            self.claims.release(self.key)
        except StoreError as exc:
            self.release_error = str(exc)
        self.key = ""


def take_turn(claims: Claims, run_date: dt.date, now: dt.datetime) -> Turn:
    """Claim the day's turn; a turn held for less than LEASE is a live run's (busy)."""
    record = {"started": now.isoformat(timespec="seconds"), "run": secrets.token_hex(4)}
    for number in range(1, MAX_TURNS + 1):
        key = turn_key(run_date, number)
        result = claims.claim(key, record)
        if result.won:
            return Turn(claims, key=key)
        if not _expired(result.record, now):
            return Turn(claims, busy=dict(result.record))
    raise StoreError(f"รอบแจ้งเตือนวันที่ {run_date.isoformat()} ค้างอยู่ {MAX_TURNS} รอบโดยไม่จบ "
                     f"(the day's turn was held by {MAX_TURNS} runs that never ended)")


def _expired(record: dict[str, Any], now: dt.datetime) -> bool:
    """The holder started more than LEASE ago (or its record cannot say when: not a live run's)."""
    try:
        started = dt.datetime.fromisoformat(str(record.get("started")))
    except ValueError:
        return True
    if started.tzinfo is None or now.tzinfo is None:
        started, now = started.replace(tzinfo=None), now.replace(tzinfo=None)
    return now - started >= LEASE
