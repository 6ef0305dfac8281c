"""The meeting PDF and .xlsx made in second processes (report/background.py) while the report job
writes the tab: the same pages and cells as made in the job's own process, a failure raised in the
job with the child's traceback, a child that dies said so, nothing printed twice."""
from __future__ import annotations

import os
import subprocess
import time
import sys
from pathlib import Path

import pytest

from report.background import Side, can_fork
from report.job import run_monthly_report
from sheets.store import Layout
from sheets.workbook import WorkbookStore
from tests.conftest import make_config
from tests.sheetdata import TODAY
from tests.test_pdf_report import _page_streams

# What needs a second process; the rest (the work made here, as on one CPU) runs everywhere.
needs_fork = pytest.mark.skipif(not can_fork(), reason="needs fork and two CPUs")


@needs_fork
def test_the_work_runs_in_another_process_and_its_times_come_back(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    side = Side(lambda: marker.write_text(str(os.getpid())))
    done = side.wait()
    assert done.in_child and int(marker.read_text()) != os.getpid()
    assert done.seconds >= 0 and done.cpu_seconds >= 0 and done.private_mb is not None and done.private_mb > 0
    assert side.wait() is done   # asked again: the same answer, no second wait


def test_in_this_process_when_asked_and_only_when_waited_for() -> None:
    pids: list[int] = []
    side = Side(lambda: pids.append(os.getpid()), in_child=False)
    assert pids == []   # not yet: the job's steps before the wait keep their order
    done = side.wait()
    assert pids == [os.getpid()] and not done.in_child and done.private_mb is None
    assert side.wait() is done and pids == [os.getpid()]   # made once

    unmade: list[int] = []
    assert Side(lambda: unmade.append(1), in_child=False).settle() is None and unmade == []  # a step failed: not made

    def fails() -> None:
        raise ValueError("ฟอนต์หาย")

    failing = Side(fails, in_child=False)
    for _ in range(2):
        with pytest.raises(ValueError, match="ฟอนต์หาย"):
            failing.wait()


@needs_fork
def test_the_child_s_exception_is_raised_here_with_its_traceback() -> None:
    def fails() -> None:
        raise ValueError("ไม่มีฟอนต์ Sarabun")

    side = Side(fails)
    with pytest.raises(ValueError, match="ไม่มีฟอนต์ Sarabun") as raised:   # the same type: callers catch it as before
        side.wait()
    assert "in fails" in "".join(raised.value.__notes__)


@needs_fork
def test_an_error_that_cannot_travel_comes_back_as_its_text() -> None:
    class Local(Exception):   # defined in a function: pickle cannot find it again
        pass

    def fails() -> None:
        raise Local("ภายใน")

    with pytest.raises(RuntimeError, match="Local: ภายใน"):
        Side(fails).wait()

    class TwoArgs(Exception):   # pickles, but cannot be made again from its args
        def __init__(self, what: str, where: str) -> None:
            super().__init__(f"{what} ที่ {where}")

    def fails_too() -> None:
        raise TwoArgs("ฟอนต์หาย", "report/pdf")

    with pytest.raises(RuntimeError, match="TwoArgs: ฟอนต์หาย ที่ report/pdf"):
        Side(fails_too).wait()


@needs_fork
def test_a_child_that_dies_without_an_answer_is_said_so() -> None:
    side = Side(lambda: os._exit(3))
    with pytest.raises(RuntimeError, match=r"without an answer \(exit code 3\)"):
        side.wait()


def test_what_was_printed_before_is_not_printed_twice() -> None:
    """The child inherits this process's unwritten output: it is written out before the fork."""
    script = ("import sys; sys.path.insert(0, '.');"
              "from report.background import Side;"
              "print('ก่อน', end='');"
              "Side(lambda: print('ลูก', end='')).wait();"
              "print('หลัง')")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    assert out.stdout == "ก่อนลูกหลัง\n"


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sheets.demo import DemoScale, build_demo

    path = tmp_path_factory.mktemp("bg") / "smart-data.xlsx"
    build_demo(path, TODAY, seed=5, scale=DemoScale(funds=12, loans=150, officers_district=4, staff_province=1,
                                                    name="ทดสอบ"))
    return path


@needs_fork
def test_the_report_s_files_made_in_second_processes_are_those_made_in_this_one(demo_book: Path,
                                                                               tmp_path: Path) -> None:
    config = make_config()
    store = WorkbookStore(demo_book, Layout(config))
    pages, sheets = {}, {}
    for in_child in (True, False):
        run = run_monthly_report(store, config, TODAY, year=2026, month=10, out=tmp_path / f"{in_child}.xlsx",
                                 pdf=tmp_path / f"{in_child}.pdf", files_in_child=in_child)
        assert run.pdf is not None and run.pdf.path == tmp_path / f"{in_child}.pdf"
        assert (run.pdf_private_mb is not None) == in_child
        assert {"pdf", "pdf_wait", "write_tab", "file", "file_wait"} <= set(run.timings)
        assert run.out_path == tmp_path / f"{in_child}.xlsx"
        pages[in_child] = _page_streams(run.pdf.path)
        sheets[in_child] = _cells(run.out_path)
    assert len(pages[True]) > 3 and pages[True] == pages[False]
    assert len(sheets[True]) >= 2 and sheets[True] == sheets[False]


def _cells(path: Path) -> dict[str, list[tuple[object, ...]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


@pytest.mark.parametrize("in_child", [pytest.param(True, marks=needs_fork), False], ids=["beside", "one CPU"])
def test_a_pdf_that_cannot_be_written_fails_the_job_after_the_tab_and_the_xlsx_are_written(
        in_child: bool, demo_book: Path, tmp_path: Path) -> None:
    import shutil

    import openpyxl

    config = make_config()
    book = shutil.copy(demo_book, tmp_path / "smart-data.xlsx")   # its own copy, with no September report

    def report_title() -> str:
        workbook = openpyxl.load_workbook(book, read_only=True)
        try:
            if "รายงานประจำเดือน" not in workbook.sheetnames:
                return ""
            return str(next(workbook["รายงานประจำเดือน"].iter_rows(max_row=1, values_only=True), [""])[0])
        finally:
            workbook.close()

    assert "กันยายน 2569" not in report_title()
    store = WorkbookStore(Path(book), Layout(config))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the PDF's folder should be")
    with pytest.raises(OSError):   # what main.monthly_report catches and answers as a 500 with its text
        run_monthly_report(store, config, TODAY, year=2026, month=9, out=tmp_path / "meeting.xlsx",
                           pdf=blocker / "meeting.pdf", files_in_child=in_child)
    assert (tmp_path / "meeting.xlsx").stat().st_size > 0   # the rest was written meanwhile
    assert "กันยายน 2569" in report_title()   # and the tab


@needs_fork
def test_an_unwaited_side_is_settled_and_its_exception_returned_once() -> None:
    def fails() -> None:
        raise ValueError("ฟอนต์หาย")

    side = Side(fails)
    error = side.settle()
    assert isinstance(error, ValueError) and str(error) == "ฟอนต์หาย"
    with pytest.raises(ValueError):   # asked again: the same exception
        side.wait()
    assert side.settle() is None      # its outcome was given already
    done = Side(lambda: None)
    assert done.settle() is None and done.wait().in_child


@needs_fork
def test_when_the_tab_cannot_be_written_the_job_fails_and_its_files_still_finish(
        google_store_factory, sheets_fake, tmp_path: Path) -> None:
    """The sheet refuses the report tab (Google's 403) while the PDF and the .xlsx are being made:
    the job raises the sheet's error, after both second processes have ended (no process left
    behind; their files whole)."""
    from sheets.store import StoreError
    from tests.test_report import seed_fake

    seed_fake(sheets_fake)
    sheets_fake.fail_always(403, kind="values.clear")
    config = make_config()
    with pytest.raises(StoreError):
        run_monthly_report(google_store_factory(), config, TODAY, year=2026, month=10,
                           out=tmp_path / "meeting.xlsx", pdf=tmp_path / "meeting.pdf", files_in_child=True)
    assert (tmp_path / "meeting.xlsx").stat().st_size > 0 and (tmp_path / "meeting.pdf").read_bytes()[-6:].strip() == b"%%EOF"
    import multiprocessing
    assert multiprocessing.active_children() == []


def test_where_there_are_fewer_cpus_than_asked_the_work_runs_here() -> None:
    pids: list[int] = []
    done = Side(lambda: pids.append(os.getpid()), cpus=10**6).wait()
    assert not can_fork(10**6) and pids == [os.getpid()] and not done.in_child


@needs_fork
def test_what_the_work_returns_comes_back_and_one_that_cannot_travel_is_an_error() -> None:
    made = Side(lambda: {"pages": [b"q Q"], "pid": os.getpid()}).wait().value
    assert made == {"pages": [b"q Q"], "pid": made["pid"]} and made["pid"] != os.getpid()   # type: ignore[index]
    assert Side(lambda: 7, in_child=False).wait().value == 7     # made here: the same
    with pytest.raises(RuntimeError, match="could not be sent back"):
        Side(lambda: (lambda: None)).wait()    # a function made in the child does not pickle


@needs_fork
def test_a_child_may_have_a_child_of_its_own() -> None:
    """The meeting PDF is made in a second process, which draws form 26(1)'s last districts in a third."""
    def outer() -> object:
        return Side(lambda: os.getppid(), in_child=True).wait().value, os.getpid()

    grandparent_of, child = Side(outer).wait().value   # type: ignore[misc]
    assert grandparent_of == child != os.getpid()


@needs_fork
def test_a_child_whose_parent_died_unread_does_not_keep_the_job_waiting() -> None:
    """The PDF's process killed (for memory, say) before it reads its copy's pages: the copy's send
    fails rather than blocking for ever, so the job hears that the PDF's process ended."""
    import threading

    def dies_before_reading() -> object:
        Side(lambda: b"x" * (4 << 20), in_child=True)   # more than a pipe holds: its send waits for a reader
        time.sleep(0.2)
        os._exit(9)

    outcome: list[BaseException] = []

    def job() -> None:
        try:
            Side(dies_before_reading).wait()
        except BaseException as error:  # noqa: BLE001 - what the job is told
            outcome.append(error)

    waiting = threading.Thread(target=job, daemon=True)
    waiting.start()
    waiting.join(timeout=30)
    assert not waiting.is_alive(), "the job was left waiting"
    assert len(outcome) == 1 and "ended without an answer (exit code 9)" in str(outcome[0])
