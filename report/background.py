"""A step of the report job made in a second process while this one goes on with the rest.

    side = Side(lambda: meeting_pdf(report, where, ...))   # started here, in a forked child
    ...                                                     # the tab, the snapshots, the .xlsx
    done = side.wait()                                      # its times; its error raised here

At 80,000 loans the meeting PDF is the report's longest step and the .xlsx with the tab the next;
neither needs the other, and a report function given 2 vCPU (docs/deploy.md) makes both at once.
A forked child inherits the computed report as it is, so nothing is pickled on the way in: which is
why this is written here and not with `concurrent.futures`, whose process pool pickles each call (the
report with its tables). The child writes its file and sends back its times and what the work
returned (`Done.value`: a path, or the pages of a PDF's part, see report.pdf.meeting), or its
exception, which `wait` raises in this process (the same type, the child's traceback in a note).
A child may have a child of its own (the PDF's second part is drawn by one), so none is daemonic:
each is waited for (`wait` or `settle`), never left to be killed when its parent ends. Where fork is not
offered (not Linux) or there are fewer CPUs than the step asks for, the step runs in this process
when it is waited for, so the job's steps keep their order and a failing file stops no step
before it, as it always did.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Callable


@dataclass(frozen=True)
class Done:
    seconds: float              # the step's wall time, in whichever process made it
    cpu_seconds: float          # its CPU time
    in_child: bool
    private_mb: float | None    # memory the child held apart from this process at its end (None: made here)
    value: object = None        # what the work returned (pickled back from a child)


def can_fork(cpus: int = 2) -> bool:
    """Another process helps: fork is offered and this process may run on at least `cpus` CPUs."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return len(usable) >= cpus


class Side:
    """Runs `work` in a forked child (or here, see the module's docstring); `wait` gives its `Done`.
    `in_child` None: in a child where this process may use `cpus` CPUs (can_fork)."""

    def __init__(self, work: Callable[[], object], *, in_child: bool | None = None, cpus: int = 2) -> None:
        self._done: Done | None = None
        self._error: BaseException | None = None   # what the work raised, raised again if asked again
        self._here: Callable[[], object] | None = None   # the work, when it is made in this process
        if not (can_fork(cpus) if in_child is None else in_child):
            self._here = work
            return
        # What this process has printed but not yet written would be written twice (the child
        # inherits the buffers). multiprocessing's fork flushes them too; said here, as it matters.
        sys.stdout.flush()
        sys.stderr.flush()
        self._answer, answer = multiprocessing.get_context("fork").Pipe(duplex=False)
        self._child = multiprocessing.get_context("fork").Process(target=_child, args=(work, answer, self._answer),
                                                                  daemon=False)
        self._child.start()
        answer.close()   # the child's end: when the child dies, the parent's recv sees the end

    def settle(self) -> BaseException | None:
        """Wait for the child if nobody has (a step before failed): its exception is returned, not
        raised. None when it was waited for already (its outcome was given then), and for work to
        be made in this process, which is then not made (as when a step before it fails)."""
        if self._done is not None or self._error is not None or self._here is not None:
            return None
        try:
            self.wait()
        except BaseException as error:  # noqa: BLE001 - returned for the caller to log
            return error
        return None

    def wait(self) -> Done:
        if self._error is not None:
            raise self._error
        if self._done is not None:
            return self._done
        if self._here is not None:
            work, self._here = self._here, None
            started, cpu = time.perf_counter(), time.process_time()
            try:
                value = work()
            except BaseException as error:
                self._error = error
                raise
            self._done = Done(time.perf_counter() - started, time.process_time() - cpu, False, None, value)
            return self._done
        try:
            outcome = self._answer.recv()
        except EOFError:
            outcome = None
        finally:
            self._answer.close()
        self._child.join()
        if outcome is None:
            self._error = RuntimeError(f"the second process ended without an answer (exit code {self._child.exitcode})")
            raise self._error
        if outcome[0] == "error":
            raised = outcome[1] if isinstance(outcome[1], BaseException) else RuntimeError(outcome[1])
            raised.add_note(f"in the second process (report.background):\n{outcome[2]}")
            self._error = raised
            raise raised
        self._done = Done(outcome[1], outcome[2], True, outcome[3], outcome[4])
        return self._done


def _child(work: Callable[[], object], answer: Connection, parents_end: Connection) -> None:
    # The parent's end, inherited by the fork, closed here: with it open, a parent that died before
    # reading would leave this child blocked for ever on a send bigger than the pipe holds, and a
    # child of its own (the PDF's copy) holding this child's answer open, the job waiting for ever.
    parents_end.close()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        value = work()
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent, which raises it
        told = traceback.format_exc()
        try:   # the same exception, so callers catch what they always did, if it survives the trip
            pickle.loads(pickle.dumps(error))
            answer.send(("error", error, told))
        except Exception:  # noqa: BLE001 - one that cannot be pickled or unpickled goes back as its text
            answer.send(("error", f"{type(error).__name__}: {error}", told))
    else:
        try:   # Connection.send pickles before it writes: a value that does not pickle sends nothing
            answer.send(("done", time.perf_counter() - started, time.process_time() - cpu, _private_mb(), value))
        except Exception as error:  # noqa: BLE001 - told to the parent, which raises it
            answer.send(("error", f"{type(error).__name__}: what the second process made could not be sent back: "
                                  f"{error}", traceback.format_exc()))
    finally:
        answer.close()


def _private_mb() -> float | None:
    """The pages only this process holds (what it added to the parent's, copies on write included)."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            kb = sum(int(line.split()[1]) for line in rollup if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except OSError:
        return None
    return kb / 1024


__all__ = ["Done", "Side", "can_fork"]
