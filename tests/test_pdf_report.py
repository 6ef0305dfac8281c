"""Issue 11: the meeting report as a PDF. Its text holds the district names and the figures of
`report --json` (the one engine's); every font is at least 12 pt and body text at least 14 pt;
pages are A4; the office, the B.E. dates and the signatures come from config; the LINE summary
says where the file is."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.config import Config
from report.files import StoredFile
from report.job import run_monthly_report
from report.notify import summary_flex
from report.pdf.page import money
from sheets.demo import DemoScale, build_demo
from sheets.store import Layout
from sheets.workbook import WorkbookStore
from tests.conftest import make_config
from tests.pdf_support import is_a4, read_pdf
from tests.sheetdata import TODAY

SCALE = DemoScale(funds=24, loans=300, officers_district=7, staff_province=1, name="ทดสอบ")


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "smart-data.xlsx"
    build_demo(path, TODAY, seed=11, scale=SCALE)
    return path


@pytest.fixture(scope="module")
def made(demo_book: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """`report --json --pdf` on the demo: the JSON and the PDF of the same run."""
    import contextlib
    import io

    from cli import main

    out = tmp_path_factory.mktemp("out")
    pdf = out / "meeting.pdf"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["report", "--store", str(demo_book), "--date", "2026-11-26", "--month", "2026-10",
                     "--out", str(out / "meeting.xlsx"), "--pdf", str(pdf), "--json"])
    assert code == 0
    return json.loads(buffer.getvalue()), pdf


def test_the_pdf_holds_every_district_and_the_figures_of_report_json(made: tuple[dict[str, Any], Path]) -> None:
    data, path = made
    assert data["run"]["pdf"]["path"] == str(path) and path.exists()
    pdf = read_pdf(path)
    rows = data["districts"] + [data["province"]]
    needles = [d["district"] for d in data["districts"]]
    for row in rows:   # form 26(2) and the month's collection, every figure as the JSON has it
        needles += [money(row[k]) for k in ("outstanding", "bank_balance", "cash_on_hand", "total_money",
                                            "repaid_fiscal_year", "due_in_month", "paid_of_due",
                                            "collected_in_month", "arrears", "at_risk_outstanding")]
        needles += [f"{row[k]:,}" for k in ("households_total", "households_target", "borrowers", "loans_open")]
        needles.append(f"{row['par30'] * 100:.1f}%")
    for name, table in data["aging"].items():   # the aging table, row by row, for every district
        for row in table["rows"] + [table["overdue"], table["total"]]:
            needles += [row["label"], money(row["arrears"]), money(row["outstanding"])]
    for fund in data["funds"]:                   # form 26(1): every fund's id and its arrears
        needles += [fund["fund_id"], money(fund["arrears"]), money(fund["outstanding"])]
    assert pdf.holds(*needles) == []
    assert pdf.holds("แบบ 26(2)", "แบบ 26(1)", "สัญญาคงค้างตามระยะเวลาค้างชำระ", "กองทุนที่ต้องติดตาม",
                     "ยอดค้างชำระรายอำเภอ", "PAR30", "ตัวชี้วัด 9.1") == []


def test_a4_pages_fonts_at_least_12_pt_and_body_at_least_14(made: tuple[dict[str, Any], Path]) -> None:
    pdf = read_pdf(made[1])
    assert len(pdf.sizes) >= 8 and all(is_a4(size) for size in pdf.sizes)
    assert {w > h for w, h in pdf.sizes} == {True, False}        # the cover portrait, the tables landscape
    sizes = {r.size for r in pdf.runs}
    assert min(sizes) >= 12, sorted(sizes)
    # Body text (titles, the as-of line, headings, notes) is 14 pt or more.
    for body in ("ข้อมูล ณ วันที่ 31 ตุลาคม 2569", "สรุปภาพรวมจังหวัด", "หมายเหตุ", "ตัวชี้วัด 9.1 = กองทุน",
                 "รายงานผลการดำเนินงานโครงการแก้ไขปัญหาความยากจน"):
        found = pdf.sizes_of(body)
        assert found and min(found) >= 14, (body, found)
    assert pdf.sizes_of("หน้า 1/") == {12.0}                    # หน้า x/y on every page
    assert pdf.holds(*(f"หน้า {n}/{len(pdf.pages)}" for n in range(1, len(pdf.pages) + 1))) == []


def test_office_dates_in_be_and_signatures_come_from_config(demo_book: Path, tmp_path: Path) -> None:
    config = make_config({
        "report.office_name": "สำนักงานพัฒนาชุมชนจังหวัดทดสอบ",
        "report.signatures": [{"role": "ผู้รายงาน", "name": "นางสาวสมศรี ใจดี", "position": "นักวิชาการพัฒนาชุมชนชำนาญการ"},
                              {"role": "ผู้ตรวจ", "name": "", "position": "ผู้อำนวยการกลุ่มงานส่งเสริมการพัฒนาชุมชน"}]})
    store = WorkbookStore(demo_book, Layout(config))
    run = run_monthly_report(store, config, TODAY, year=2026, month=10, out=False, pdf=tmp_path)
    assert run.pdf is not None and run.pdf.path == tmp_path / "report-2026-10.pdf" and run.pdf.link is None
    pdf = read_pdf(run.pdf.path)
    assert pdf.holds("สำนักงานพัฒนาชุมชนจังหวัดทดสอบ", "ประจำเดือน ตุลาคม 2569", "31 ตุลาคม 2569",
                     "ปีงบประมาณ 2570", "(นางสาวสมศรี ใจดี)", "ตำแหน่ง นักวิชาการพัฒนาชุมชนชำนาญการ",
                     "ผู้รายงาน", "ผู้ตรวจ", "ตำแหน่ง ผู้อำนวยการกลุ่มงานส่งเสริมการพัฒนาชุมชน") == []
    assert "2026" not in pdf.pages[0]    # the cover writes B.E. only


def test_the_line_summary_says_where_the_pdf_is(made: tuple[dict[str, Any], Path], config: Config,
                                                demo_book: Path) -> None:
    from report.monthly import PROVINCE, build_report
    from sheets.model import read_dataset

    ds = read_dataset(WorkbookStore(demo_book, Layout(config)), Layout(config), TODAY)
    report = build_report(ds, config, 2026, 10)
    local = summary_flex(report, PROVINCE, pdf=StoredFile(made[1]))
    assert f"รายงาน PDF สำหรับการประชุม: {made[1]}" in json.dumps(local, ensure_ascii=False)
    linked = summary_flex(report, PROVINCE, pdf=StoredFile(made[1], "https://drive.google.com/file/d/x/view"))
    buttons = [c for c in linked["contents"]["footer"]["contents"] if c.get("type") == "button"]
    assert buttons[-1]["action"] == {"type": "uri", "label": "เปิดรายงาน PDF",
                                     "uri": "https://drive.google.com/file/d/x/view"}


def test_the_summary_riding_in_the_alert_push_says_where_the_pdf_is(demo_book: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The summary goes out with the alert run (report.notify.MonthlySummaries): when the report job
    made the month's PDF where report.files keeps it, the summary says where it is."""
    from report.notify import monthly_attachments
    from sheets.model import read_dataset

    config = make_config()
    monkeypatch.setattr("report.files.REPORTS", tmp_path)
    ds = read_dataset(WorkbookStore(demo_book, Layout(config)), Layout(config), TODAY)
    before = monthly_attachments(ds, None, config, TODAY)
    assert before and "รายงาน PDF" not in json.dumps([a.messages for a in before], ensure_ascii=False)
    run = run_monthly_report(WorkbookStore(demo_book, Layout(config)), config, TODAY, out=False, pdf=True)
    assert run.pdf is not None and run.pdf.path == tmp_path / "report-2026-10.pdf"
    after = monthly_attachments(ds, None, config, TODAY)
    assert all(f"รายงาน PDF สำหรับการประชุม: {run.pdf.where}" in json.dumps(a.messages, ensure_ascii=False)
               for a in after)


def test_with_a_drive_folder_the_file_is_uploaded_once_and_linked(tmp_path: Path, drive_fake, shared_folder) -> None:
    from report.files import store_file
    from sheets.drive import DriveClient

    pdf = tmp_path / "report-2026-11.pdf"
    pdf.write_bytes(b"%PDF-1.4 the meeting report")
    config = make_config({"report.drive_folder_id": shared_folder, "drive.api_url": drive_fake.url})
    client = DriveClient.from_config(config, lambda: "test-token")
    stored = store_file(pdf, config, drive=client)
    assert stored.link and stored.note == ""
    again = store_file(pdf, config, drive=client)          # a rerun of the same file: one file in Drive
    assert again.link == stored.link
    files = [f for f in drive_fake.files.values() if shared_folder in f.parents]
    assert [f.name for f in files] == ["report-2026-11.pdf"]
    assert store_file(pdf, make_config()).link is None     # no folder: the file stays local


def test_a_failed_upload_keeps_the_file_local_and_says_so(tmp_path: Path, drive_fake) -> None:
    from report.files import store_file
    from sheets.drive import DriveClient

    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    my_drive = drive_fake.add_folder("โฟลเดอร์ของบัญชีบริการ", None)   # not in a shared drive: 403
    config = make_config({"report.drive_folder_id": my_drive, "drive.api_url": drive_fake.url})
    stored = store_file(pdf, config, drive=DriveClient.from_config(config, lambda: "test-token"))
    assert stored.link is None and "ไม่สำเร็จ" in stored.note and str(pdf) in stored.note


@pytest.mark.parametrize("signatures, key", [
    ([{"role": "ผู้รายงาน", "name": "", "position": "", "rank": "x"}], "report.signatures[1].rank"),
    ([{"role": "", "name": "ก", "position": "ข"}], "report.signatures[1]"),
    (["ผู้รายงาน"], "report.signatures[1]'"),
])
def test_a_bad_signature_setting_is_named(signatures: list, key: str) -> None:
    from core.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        make_config({"report.signatures": signatures})
    assert f"'{key}" in str(caught.value)


def _text_positions(path: Path) -> list[tuple[float, float, bytes]]:
    """Every text run of page 1 as (x, y, the bytes shown), from the content stream."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    page = PdfReader(path).pages[0]
    runs, at = [], (0.0, 0.0)
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Td":
            at = (round(float(operands[0]), 2), round(float(operands[1]), 2))
        elif operator == b"Tj":
            runs.append((*at, bytes(operands[0].original_bytes)))
    return runs


def test_a_figure_drawn_without_cell_sits_where_cell_puts_it(tmp_path: Path) -> None:
    """report/pdf/page.py draws a text that needs no shaping through fpdf2's `text`, placed by
    hand as `cell` places it: the same glyphs at the same points, for every alignment."""
    from fpdf.enums import XPos, YPos

    from report.pdf.page import Document

    texts = [("12,345.00", "R"), ("230101-84", "L"), ("6.4%", "C"), ("0", "R"), ("บ้านคลองตาล", "L")]
    drawn = []
    for fast in (True, False):
        doc = Document("office", "title", running_head=False, page_numbers=False)
        doc.add_page()
        doc.font(12)
        for row, (text, align) in enumerate(texts):
            doc.set_xy(20, 30 + 8 * row)
            if fast:
                doc.text_cell(31.5, 6.6, text, align=align)
            else:
                doc.set_text_shaping(False)
                doc.cell(31.5, 6.6, text, align=align, new_x=XPos.RIGHT, new_y=YPos.TOP)
            assert doc.x == pytest.approx(51.5)
        path = tmp_path / f"{fast}.pdf"
        doc.output(str(path))
        drawn.append(_text_positions(path))
    assert len(drawn[0]) == len(texts)
    assert drawn[0] == drawn[1]


def _page_streams(path: Path) -> list[bytes]:
    from pypdf import PdfReader

    return [page.get_contents().get_data() for page in PdfReader(path).pages]


def test_thai_drawn_as_one_left_to_right_run_makes_the_pages_fpdf2_makes(
        made: tuple[dict[str, Any], Path], demo_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """report/pdf/page.py skips fpdf2's Unicode bidi algorithm for a text with nothing right to
    left in it: the meeting report made through fpdf2's own way has the same pages, byte for byte."""
    from fpdf import FPDF

    from report.pdf.page import Document

    monkeypatch.setattr(Document, "_preload_bidirectional_text", FPDF._preload_bidirectional_text)
    ours, theirs = _page_streams(made[1]), _report_pages_again(demo_book, tmp_path)
    assert len(ours) > 3 and ours == theirs


def _report_pages_again(demo_book: Path, tmp_path: Path) -> list[bytes]:
    """The demo's meeting report made again (as the calling test has switched the PDF's code), its pages."""
    import contextlib
    import io

    from cli import main

    pdf = tmp_path / "again.pdf"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", "--store", str(demo_book), "--date", "2026-11-26", "--month", "2026-10",
                     "--out", str(tmp_path / "meeting.xlsx"), "--pdf", str(pdf)]) == 0
    return _page_streams(pdf)


def test_a_text_shaped_once_per_size_makes_the_pages_shaping_every_time_makes(
        made: tuple[dict[str, Any], Path], demo_book: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """report/pdf/page.py remembers each text's shaping (its glyphs and its width) per face and size:
    the meeting report made with fpdf2 shaping every text each time has the same pages, byte for byte."""
    from report.pdf.page import Document

    monkeypatch.setattr(Document, "remember_shapes", False)
    ours, theirs = _page_streams(made[1]), _report_pages_again(demo_book, tmp_path)
    assert len(ours) > 3 and ours == theirs


def test_a_remembered_shape_is_asked_of_harfbuzz_once(tmp_path: Path) -> None:
    """The second time a text is measured and drawn at a size, HarfBuzz is not asked again; at
    another size it is."""
    from fpdf.fonts import TTFFont

    from report.pdf.page import Document

    doc = Document("สำนักงาน", "ทดสอบ")
    doc.add_page()
    doc.font(12)
    calls: list[str] = []
    face = doc.current_font
    assert isinstance(face, TTFFont)
    real = TTFFont.perform_harfbuzz_shaping

    def counted(self: TTFFont, text: str, *args: Any) -> Any:
        calls.append(text)
        return real(self, text, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TTFFont, "perform_harfbuzz_shaping", counted)
        for _ in range(3):
            doc.text_cell(30, 6, "ผู้ใหญ่บ้าน")
        first = len(calls)
        doc.font(14)
        doc.text_cell(30, 6, "ผู้ใหญ่บ้าน")
    assert first == 2 and calls == ["ผู้ใหญ่บ้าน"] * 4   # width and glyphs once at 12 pt, once at 14 pt


@pytest.mark.parametrize("text", ["ผู้ใหญ่บ้าน น้ำใส ปี่ ญี่ปุ่น 12,500.00", "หน้า {nb}", "กองทุน (ไม่ผ่าน) 1/2569"])
def test_a_text_with_right_to_left_letters_takes_fpdf2_s_own_way(text: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from fpdf import FPDF

    from report.pdf.page import Document

    taken: list[str] = []
    library = FPDF._preload_bidirectional_text

    def counted(self: FPDF, txt: str, markdown: bool) -> Any:
        taken.append(txt)
        return library(self, txt, markdown)

    monkeypatch.setattr(FPDF, "_preload_bidirectional_text", counted)
    doc = Document("office", "title", running_head=False, page_numbers=False)
    doc.add_page()
    doc.font(14)
    for line in (text, "שלום " + text, text + " مرحبا"):
        doc.text_cell(150, 8, line, next_line=True)
    assert taken == ["שלום " + text, text + " مرحبا"]


def _runs_and_scales(path: Path) -> list[tuple[float, bytes]]:
    """Every text run of page 1 with the horizontal scale (Tz) it is drawn at."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    page = PdfReader(path).pages[0]
    runs, scale = [], 100.0
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"Tz":
            scale = float(operands[0])
        elif operator == b"Tj":
            runs.append((scale, bytes(operands[0].original_bytes)))
    return runs


def test_a_figure_wider_than_its_column_is_drawn_narrower_never_broken(tmp_path: Path) -> None:
    """A bold total of a big province ("46,095,100.00") in a 29 mm column: one line, drawn at a
    horizontal scale of at least MIN_SQUEEZE, the font size unchanged; a figure that would need
    less still wraps, and one that fits is drawn at 100."""
    from report.pdf.page import MIN_SQUEEZE, Column, Document

    doc = Document("office", "title", running_head=False, page_numbers=False)
    doc.add_page()
    columns = (Column("อำเภอ", 24, "L"), Column("ยอด (บาท)", 29), Column("แคบ", 12))
    doc.grid(columns, [("เมืองตราด", "1,234.00", "12")], total=("รวม", "46,095,100.00", "12,345,678.00"))
    path = tmp_path / "squeeze.pdf"
    doc.output(str(path))
    from pypdf import PdfReader

    squeezed = [scale for scale, _ in _runs_and_scales(path) if scale != 100]
    assert len(squeezed) == 1 and MIN_SQUEEZE <= squeezed[0] < 100
    lines = PdfReader(path).pages[0].extract_text().splitlines()
    assert "รวม 46,095,100.00" in lines and "เมืองตราด 1,234.00 12" in lines  # each figure on one line
    assert "12,345,678.00" not in " ".join(lines)                          # too wide even squeezed: wrapped
    assert read_pdf(path).sizes_of("46,095,100.00") == {12.0}


def _shown_texts(path: Path) -> list[tuple[int, str, float, float]]:
    """Every text the pages show, in order: the page, the text, and where it starts in the page's
    space (the text matrix taken through the current transformation, as a viewer places it)."""
    from pypdf import PdfReader

    shown: list[tuple[int, str, float, float]] = []
    for number, page in enumerate(PdfReader(path).pages, start=1):
        def visit(text: str, cm: list[float], tm: list[float], *_: Any, number: int = number) -> None:
            if text.strip():
                shown.append((number, text, tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))
        page.extract_text(visitor_text=visit)
    return shown


def _same_places(ours: list[tuple[int, str, float, float]], theirs: list[tuple[int, str, float, float]]) -> None:
    assert [(page, text) for page, text, _, _ in ours] == [(page, text) for page, text, _, _ in theirs]
    for (_, text, x, y), (_, _, x2, y2) in zip(ours, theirs):
        assert (x, y) == (pytest.approx(x2, abs=0.02), pytest.approx(y2, abs=0.02)), text   # fpdf2 rounds to 0.01 pt


def test_a_repeated_shaped_text_is_drawn_where_cell_draws_it(made: tuple[dict[str, Any], Path], demo_book: Path,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """report/pdf/page.py draws a shaped text seen before in the same box and font by replaying what
    `cell` wrote for it the first time, moved into place: the meeting report made with `cell`
    every time shows the same texts, in the same order, at the same points."""
    from report.pdf.page import Document

    monkeypatch.setattr(Document, "replay_cells", False)
    again = tmp_path / "again"
    again.mkdir()
    _report_pages_again(demo_book, again)
    ours, theirs = _shown_texts(made[1]), _shown_texts(again / "again.pdf")
    assert len(ours) > 500
    _same_places(ours, theirs)
    assert b" cm q BT" in b"".join(_page_streams(made[1]))       # it did replay
    assert b" cm q BT" not in b"".join(_page_streams(again / "again.pdf"))


def test_a_shaped_text_replayed_on_a_page_of_the_other_orientation_lands_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF counts y from the page's foot: a text first drawn on a portrait page and again on a
    landscape one (and at another point of it) sits where `cell` puts it."""
    from report.pdf.page import Document

    def made(replay: bool) -> Path:
        monkeypatch.setattr(Document, "replay_cells", replay)
        doc = Document("สำนักงาน", "ทดสอบ", running_head=False, page_numbers=False)
        for orientation, (x, y) in (("P", (20, 30)), ("L", (20, 30)), ("L", (120, 150)), ("P", (50, 250))):
            doc.add_page(orientation=orientation)
            doc.font(14)
            for row, text in enumerate(["ที่นี่", "ผู้ใหญ่บ้าน", "ที่นี่"]):
                doc.set_xy(x, y + 8 * row)
                doc.text_cell(40, 7, text, align="C")
                assert doc.x == pytest.approx(x + 40)
        path = tmp_path / f"{replay}.pdf"
        doc.output(str(path))
        return path

    ours, theirs = _shown_texts(made(True)), _shown_texts(made(False))
    assert len(ours) >= 12
    _same_places(ours, theirs)


def test_a_box_is_what_rect_writes(tmp_path: Path) -> None:
    """report/pdf/page.py frames a table's cells with Document.box, not fpdf2's rect: the same content."""
    from report.pdf.page import Document

    streams = []
    for ours in (True, False):
        doc = Document("สำนักงาน", "ทดสอบ", running_head=False, page_numbers=False)
        for orientation in ("P", "L"):
            doc.add_page(orientation=orientation)
            for n, (x, y, w, h) in enumerate([(20, 30, 31.5, 6.6), (51.5, 30, 18.25, 13.2), (12.3, 250.04, 7, 0.3)]):
                fill = n % 2 == 1
                if ours:
                    doc.box(x, y, w, h, fill=fill)
                else:
                    doc.rect(x, y, w, h, style="DF" if fill else "D")
        path = tmp_path / f"{ours}.pdf"
        doc.output(str(path))
        streams.append(_page_streams(path))
    assert len(streams[0]) == 2 and streams[0] == streams[1]


def test_a_plain_text_s_width_is_get_string_width_s() -> None:
    """Document._plain_ttf_width computes an unshaped text's width without fpdf2's fragments: the
    same float as get_string_width, for figures, codes, Latin and Thai without marks, at every
    size, style and horizontal scale the report uses."""
    from report.pdf.page import Document

    doc = Document("สำนักงาน", "ทดสอบ")
    doc.add_page()
    texts = ["0", "0.00", "46,095,100.00", "-12.5%", "230101-84", "(บาท)", "PAR30", "รวม", "กองทุน ก.", "",
             "A-Z a-z 0123456789 ,.;:()/%-+", "สมชาย บุญมา", "ใช่"]
    compared = 0
    for size in (10, 12, 14, 16):
        for bold in (False, True):
            doc.font(size, bold)
            for stretching in (100, 92, 80):
                doc.set_stretching(stretching)
                for text in texts:
                    doc._shape_for(text)
                    if doc._plain_measure(text):
                        assert doc._plain_ttf_width(text) == doc.get_string_width(text), (size, bold, stretching, text)
                        compared += 1
                doc.set_stretching(100)
    assert compared == 4 * 2 * 3 * 10   # the three with marks (สมชาย บุญมา, กองทุน ก., ใช่) are shaped
    doc._shape_for("ที่นี่")
    assert not doc._plain_measure("ที่นี่")   # shaped: fpdf2's own way


def test_a_count_of_a_count_too_wide_for_its_column_breaks_after_its_slash(tmp_path: Path) -> None:
    """Seen on the 80k report's pages: the bold total "845/845" of the ผ่าน 9.1 column printed as
    845/8 over 45. It breaks after the slash; a text that fits is left whole."""
    from pypdf import PdfReader

    from report.pdf.page import TABLE, Column, Document

    doc = Document("office", "title", running_head=False, page_numbers=False)
    doc.add_page()
    doc.grid((Column("อำเภอ", 24, "L"), Column("ผ่าน 9.1", 15, "C")), [("เกาะกูด", "3/3")], total=("รวม", "845/845"))
    doc.font(TABLE, bold=True)   # as the total row is drawn (form 26(1)'s column: 15 mm, centred, so never squeezed)
    assert doc.lines_of(15, "845/845") == ["845/", "845"] and doc.lines_of(15, "3/3") == ["3/3"]
    path = tmp_path / "slash.pdf"
    doc.output(str(path))
    shown = [line.strip() for line in PdfReader(path).pages[0].extract_text().splitlines()]
    assert "845/" in " ".join(shown) and "845/8" not in " ".join(shown)
