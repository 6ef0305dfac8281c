"""The meeting PDF made in a second process (report/background.py) while the report job writes the
tab and the .xlsx: the same pages as made in the job's own process, its failure raised in the job
with the child's traceback, a child that dies said so, nothing printed twice."""
from __future__ import annotations

import os
import subprocess
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

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork and two CPUs")


def test_the_work_runs_in_another_process_and_its_times_come_back(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    side = Side(lambda: marker.write_text(str(os.getpid())))
    done = side.wait()
    assert done.in_child and int(marker.read_text()) != os.getpid()
    assert done.seconds >= 0 and done.cpu_seconds >= 0 and done.private_mb is not None and done.private_mb > 0
    assert side.wait() is done   # asked again: the same answer, no second wait


def test_in_this_process_when_asked() -> None:
    pids: list[int] = []
    done = Side(lambda: pids.append(os.getpid()), in_child=False).wait()
    assert pids == [os.getpid()] and not done.in_child and done.private_mb is None


def test_the_child_s_exception_is_raised_here_with_its_traceback() -> None:
    def fails() -> None:
        raise ValueError("ไม่มีฟอนต์ Sarabun")

    side = Side(fails)
    with pytest.raises(ValueError, match="ไม่มีฟอนต์ Sarabun") as raised:   # the same type: callers catch it as before
        side.wait()
    assert "in fails" in "".join(raised.value.__notes__)


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


def test_the_report_s_pdf_made_in_a_second_process_has_the_pages_made_in_this_one(demo_book: Path,
                                                                               tmp_path: Path) -> None:
    config = make_config()
    store = WorkbookStore(demo_book, Layout(config))
    pages = {}
    for in_child in (True, False):
        run = run_monthly_report(store, config, TODAY, year=2026, month=10, out=tmp_path / f"{in_child}.xlsx",
                                 pdf=tmp_path / f"{in_child}.pdf", pdf_in_child=in_child)
        assert run.pdf is not None and run.pdf.path == tmp_path / f"{in_child}.pdf"
        assert (run.pdf_private_mb is not None) == in_child
        assert {"pdf", "pdf_wait", "write_tab", "file"} <= set(run.timings)
        pages[in_child] = _page_streams(run.pdf.path)
    assert len(pages[True]) > 3 and pages[True] == pages[False]


def test_a_pdf_that_cannot_be_written_fails_the_job_after_the_tab_and_the_xlsx(demo_book: Path,
                                                                             tmp_path: Path) -> None:
    config = make_config()
    store = WorkbookStore(demo_book, Layout(config))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the PDF's folder should be")
    with pytest.raises(OSError):   # what main.monthly_report catches and answers as a 500 with its text
        run_monthly_report(store, config, TODAY, year=2026, month=10, out=tmp_path / "meeting.xlsx",
                           pdf=blocker / "meeting.pdf", pdf_in_child=True)
    assert (tmp_path / "meeting.xlsx").stat().st_size > 0   # the rest was written meanwhile
