"""The webhook's time budget: every event is answered inside LINE's window, however slow Sheets is.

LINE waits about 2 seconds for the webhook. Each event gets `chat.budget_seconds`
(1.5 s by default); every network call it makes (the sheet read, a claim, an
append, the LINE profile) is waited for only as long as is left of it.

Why a waiting thread and not shorter client timeouts: the Sheets client sends
each request on one kept-alive connection with one timeout, and a read that
misses this event's budget is still worth finishing, because the next event can
answer from it (a cold instance's first read takes about a second on a busy
day). So the work runs in a daemon thread and the event waits for it at most
until its deadline; a late read goes on in the background and fills the cache.
On Cloud Functions the instance may be given no CPU once the answer has gone
(it is frozen until the next request), which is harmless for a read: it goes on
when the instance thaws, or times out and the next event reads again. Nothing
that writes is ever left to finish behind the officer's back unannounced: a
write the event stops waiting for is reported as "not known yet" (see
chat.conversation), and a claim won too late is given back (`within`'s
`if_late`).
"""
from __future__ import annotations

import concurrent.futures
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

T = TypeVar("T")


class Late(Exception):
    """The work did not end within the budget; it goes on in the background."""


class Deadline:
    """When an event's answer is due; `seconds=None` (or infinite): no hurry (the terminal chat)."""

    def __init__(self, seconds: float | None, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.at = None if seconds is None or math.isinf(seconds) else clock() + max(0.0, seconds)

    def remaining(self) -> float | None:
        """Seconds left (never below 0), None without a deadline."""
        return None if self.at is None else max(0.0, self.at - self.clock())

    def enough(self, seconds: float) -> bool:
        """At least `seconds` are left."""
        left = self.remaining()
        return left is None or left >= seconds


def in_background(work: Callable[[], T], name: str) -> "concurrent.futures.Future[T]":
    """Run `work` in a daemon thread of its own; its outcome in the Future."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = work()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            future.set_exception(exc)
        else:
            future.set_result(result)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


def wait(future: "concurrent.futures.Future[T]", deadline: Deadline) -> T:
    """The future's result (or its exception) if it comes before the deadline, else Late."""
    try:
        return future.result(timeout=deadline.remaining())
    except concurrent.futures.TimeoutError:
        if future.done():  # the work itself raised a TimeoutError: that is its outcome, not lateness
            return future.result()
        raise Late() from None


def within(deadline: Deadline, work: Callable[[], T], *, name: str,
           if_late: Callable[[T], None] | None = None) -> T:
    """`work()` waited for until the deadline (Late after it); inline when there is no deadline.

    `if_late(result)` runs when work the event stopped waiting for ends after all (for example: give
    back a claim won too late to be used). It runs in the worker's thread and must not raise.
    """
    if deadline.at is None:
        return work()
    future = in_background(work, name)
    try:
        return wait(future, deadline)
    except Late:
        if if_late is not None:
            def settle(done: "concurrent.futures.Future[T]") -> None:
                if done.exception() is None:
                    if_late(done.result())
            future.add_done_callback(settle)
        raise


@dataclass
class Turn:
    """One event being answered: its deadline, and the one loading animation it may show.

    `a_moment()` says the answer will take a moment: LINE's loading animation is asked for once, in
    the background (it also opens LINE's connection while Sheets is read). `finish()` waits for that
    request before the reply goes out, so that the animation never starts after the answer.
    """

    deadline: Deadline
    chat_id: str = ""
    indicate: Callable[[str], object] | None = None
    _loading: "concurrent.futures.Future[object] | None" = field(default=None, repr=False)

    def a_moment(self) -> None:
        if self._loading is None and self.indicate is not None and self.chat_id:
            indicate, chat_id = self.indicate, self.chat_id
            self._loading = in_background(lambda: indicate(chat_id), "line-loading")

    def finish(self) -> None:
        if self._loading is None:
            return
        try:
            wait(self._loading, self.deadline)
        except Exception:  # noqa: BLE001 - the animation is a nicety: a late or failed one changes nothing
            pass
