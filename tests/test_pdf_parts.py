"""The meeting PDF's form 26(1) drawn in two processes at once (report/pdf/meeting.py,
Document.begin_part / part / join): the same pages as drawn in one, numbered as one document,
the glyphs of both in the file's fonts; a failure in the second process raised here; a part that
draws what cannot be joined refused."""
from __future__ import annotations

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
from tests.pdf_support import read_pdf
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

    codes: set[int] = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object()["/ToUnicode"].get_object().get_data().decode("latin-1")
            codes |= {int(code, 16) for code in re.findall(r"<([0-9A-F]{4})> <", cmap)}
    return codes


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


def test_a_failure_in_the_second_process_is_raised_here(report: MonthlyReport, tmp_path: Path) -> None:
    sections = _sections_26_1(report)
    broken = sections[-1][1][0]   # a fund of the last district: drawn by the second process
    saved = broken.pop("village_name")
    try:
        with pytest.raises(KeyError, match="village_name") as raised:
            meeting_pdf(report, tmp_path / "broken.pdf", province="ตราด", office="สำนักงาน", helper=True)
    finally:
        broken["village_name"] = saved
    assert "in the second process" in "".join(getattr(raised.value, "__notes__", []))
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
