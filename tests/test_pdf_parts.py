"""The meeting PDF's form 26(1) drawn in two processes at once (report/pdf/meeting.py,
Document.begin_part / part / join): the same pages as drawn in one, numbered as one document,
the glyphs of both in the file's fonts; a failure in the second process raised here; a part that
draws what cannot be joined refused; a second process that dies leaves a whole PDF, drawn here."""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import pytest

from core.config import Config
from report.monthly import MonthlyReport, build_report
from report.pdf.meeting import _later_sections, _sections_26_1, meeting_pdf
from report.pdf.page import PART_CODES, Document
from sheets.demo import DemoScale, build_demo
from sheets.model import read_dataset
from sheets.store import Layout
from sheets.workbook import WorkbookStore
from tests.conftest import make_config
from tests.pdf_support import _to_unicode, read_pdf
from tests.sheetdata import TODAY
from tests.test_pdf_report import _page_streams, _shown_texts

SCALE = DemoScale(funds=40, loans=420, officers_district=7, staff_province=1, name="ทดสอบ")
# Texts are compared as tests/pdf_support.read_pdf reads them: a glyph drawn only as the second of a
# shaped pair (the ring of ำ) has no character in the file's ToUnicode, and pypdf's extract_text
# writes its raw code instead, which differs with the code's number (the second process's are others).


@pytest.fixture(scope="module")
def config() -> Config:
    return make_config()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, config: Config) -> MonthlyReport:
    """The demo province's report of October 2026 (seven districts)."""
    path = tmp_path_factory.mktemp("parts") / "smart-data.xlsx"
    build_demo(path, TODAY, seed=5, scale=SCALE)
    ds = read_dataset(WorkbookStore(path, Layout(config)), Layout(config), TODAY)
    return build_report(ds, config, 2026, 10)


@pytest.fixture(scope="module")
def both(report: MonthlyReport, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The report's PDF drawn in one process, and with the last districts in a second."""
    out = tmp_path_factory.mktemp("both")
    one = meeting_pdf(report, out / "one.pdf", province="ตราด", office="สำนักงาน", helper=False)
    two = meeting_pdf(report, out / "two.pdf", province="ตราด", office="สำนักงาน", helper=True)
    assert one.beside is None
    assert two.beside is not None and two.beside.in_child and two.beside.value is None   # the part stays here
    return one.path, two.path


def _boxes(path: Path) -> list[list[bytes]]:
    """Each page's frames and lines (re, l), in the order drawn."""
    return [re.findall(rb"[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ re [SB]|[-\d.]+ [-\d.]+ m [-\d.]+ [-\d.]+ l S", stream)
            for stream in _page_streams(path)]


def _codes(path: Path) -> set[int]:
    """Every code the file's fonts map to a character (their ToUnicode)."""
    from pypdf import PdfReader

    return {code for page in PdfReader(path).pages for font in page["/Resources"]["/Font"].values()
            for code in _to_unicode(font.get_object())[1]}


def test_the_second_process_draws_the_last_districts_the_split_that_ends_soonest() -> None:
    sections: list[tuple[Any, list[Any]]] = [({"district": n}, [{}] * size)
                                             for n, size in enumerate((950, 422, 845, 633, 528, 158, 264))]
    later = _later_sections(sections)
    assert later == sections[2:]     # 2,428 funds there; 480 + 1,372 here
    assert _later_sections(sections[:1]) == []    # one district: nothing to share
    small = [({"district": 0}, [{}] * 100), ({"district": 1}, [{}] * 100)]
    assert _later_sections(small) == []       # 100 funds are not worth a fork
    assert _later_sections(small, least=0) == small[1:]


def test_drawn_in_two_processes_the_pages_are_those_drawn_in_one(both: tuple[Path, Path], report: MonthlyReport) -> None:
    one, two = both
    assert len(_later_sections(_sections_26_1(report), least=0)) >= 2     # the second process drew districts
    pdf_one, pdf_two = read_pdf(one), read_pdf(two)
    assert len(pdf_one.pages) > 8
    assert pdf_two.pages == pdf_one.pages and pdf_two.sizes == pdf_one.sizes
    assert [(r.page, r.size) for r in pdf_two.runs] == [(r.page, r.size) for r in pdf_one.runs]
    # Every text run at the same point (the texts compared above, through the fonts' ToUnicode: see _UNMAPPED)
    ours, theirs = _shown_texts(two), _shown_texts(one)
    assert len(ours) == len(theirs) > 500
    for (page, text, x, y), (page2, _, x2, y2) in zip(ours, theirs):
        assert (page, x, y) == (page2, pytest.approx(x2, abs=0.02), pytest.approx(y2, abs=0.02)), text
    assert _boxes(two) == _boxes(one)


def test_every_page_is_numbered_as_one_document(both: tuple[Path, Path]) -> None:
    pages = read_pdf(both[1]).pages
    for number, text in enumerate(pages, start=1):
        assert f"หน้า {number}/{len(pages)}" in text


def test_the_second_process_s_glyphs_are_in_the_file_s_fonts(both: tuple[Path, Path]) -> None:
    one, two = both
    assert all(code < PART_CODES for code in _codes(one))
    joined = {code for code in _codes(two) if code >= PART_CODES}
    assert joined     # glyphs the second process met first kept its codes, each written to the font
    assert read_pdf(two).holds("อำเภอ", "กองทุน", "ผ่าน 9.1") == []


class _DiesInAChild(dict):  # type: ignore[type-arg]
    """A fund's row that kills any process but the one that made it, when its village is read: a
    second process that dies (as one killed for memory would), the data itself sound."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__(row)
        self.maker = os.getpid()

    def __getitem__(self, key: str) -> Any:
        if key == "village_name" and os.getpid() != self.maker:
            os._exit(9)
        return super().__getitem__(key)


def test_a_second_process_that_dies_leaves_a_whole_pdf_drawn_here(report: MonthlyReport, both: tuple[Path, Path],
                                                                  tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    last = _sections_26_1(report)[-1][1]
    sound = last[0]
    last[0] = _DiesInAChild(sound)
    index = report.funds.index(sound)
    report.funds[index] = last[0]
    try:
        with caplog.at_level(logging.WARNING, logger="report.pdf.meeting"):
            made = meeting_pdf(report, tmp_path / "here.pdf", province="ตราด", office="สำนักงาน", helper=True)
    finally:
        report.funds[index] = sound
    assert made.beside is None
    assert "second process failed" in caplog.text and "ended without an answer" in caplog.text
    assert read_pdf(made.path).pages == read_pdf(both[0]).pages     # every page, as drawn in one process


def test_a_fault_in_the_data_is_raised_all_the_same(report: MonthlyReport, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    sections = _sections_26_1(report)
    broken = sections[-1][1][0]   # a fund of the last district: drawn by the second process first
    saved = broken.pop("village_name")
    try:
        with caplog.at_level(logging.WARNING, logger="report.pdf.meeting"), \
                pytest.raises(KeyError, match="village_name"):
            meeting_pdf(report, tmp_path / "broken.pdf", province="ตราด", office="สำนักงาน", helper=True)
    finally:
        broken["village_name"] = saved
    assert "second process failed" in caplog.text and "village_name" in caplog.text
    assert not (tmp_path / "broken.pdf").exists()


def test_a_part_that_draws_an_image_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    picture = tmp_path / "dot.png"
    Image.new("RGB", (4, 4), "red").save(picture)
    doc = Document("สำนักงาน", "ทดสอบ")
    doc.begin_part()
    doc.add_page()
    doc.image(str(picture), 10, 30, 5, 5)
    with pytest.raises(ValueError, match="page 1 uses XObject"):
        doc.part()


def test_a_joined_part_is_drawn_after_the_document_s_pages_and_it_carries_on_below_it(tmp_path: Path) -> None:
    doc = Document("สำนักงาน", "ทดสอบ")
    doc.add_page()
    doc.font(15)
    doc.text_cell(60, 7, "หน้าแรกของเอกสาร")
    copy = Document("สำนักงาน", "ทดสอบ")      # what a fork gives: the same faces, added in the same order
    copy.begin_part()
    copy.add_page(orientation="L")
    copy.font(15)
    copy.set_xy(20, 40)
    copy.text_cell(60, 7, "ส่วนที่วาดอีกที่หนึ่ง ญี่ปุ่น")
    part = copy.part()
    assert [p.orientation for p in part.pages] == ["L"] and part.y == pytest.approx(40)
    doc.join(part)
    assert doc.page == 2 and doc.get_y() == pytest.approx(40)
    doc.text_cell(60, 7, "ต่อจากส่วนนั้น")
    path = doc.save(tmp_path / "joined.pdf")
    pdf = read_pdf(path)
    assert pdf.sizes[1][0] > pdf.sizes[1][1]      # the part's page kept its orientation
    assert "หน้าแรกของเอกสาร" in pdf.pages[0] and "หน้า 1/2" in pdf.pages[0]
    assert pdf.holds("ส่วนที่วาดอีกที่หนึ่ง ญี่ปุ่น", "ต่อจากส่วนนั้น") == []
    assert "หน้า 2/2" in pdf.pages[1] and pdf.pages[1].count("สำนักงาน") == 1   # one head: the part's
