"""The monthly meeting report as a PDF people can read on paper and on a projector.

A4, Sarabun, body at 15 pt and tables at 12 pt; every figure is `MonthlyReport`'s (the ledger
engine's book, the aging table `ledger.aging`, the data check): this module lays them out and
computes none. Its pages, in order:

1. the cover: office, title, month, as-of date (B.E.), the province's headline figures with the
   change from the previous month and a chart of arrears (and PAR30) by district;
2. form 26(2), one row per district and the province's total (landscape), then the month's
   collection, arrears, PAR30 and indicator 9.1 per district, with the changes;
3. the aging table: the province's, then by district (contracts, then amounts);
5. the funds that need attention: worst data quality, highest arrears;
6. form 26(1), one section (from a new page) per district: its funds, its total, its aging table;
7. notes, the legend, and the signature block from config (report.signatures).

Form 26(1) is most of the work (at 80,000 loans 205 of the 211 pages and nine tenths of the time),
and each district's section starts a page of its own. So where a second CPU helps
(report.background.can_fork), the last districts' sections are drawn by a forked copy of the
document while this process draws the pages before them, and joined after them
(`Document.join`): the same pages, numbered as one document, in about two thirds of the time. A
copy that fails or dies leaves its districts to be drawn here: the PDF is whole all the same.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from core.thai import date_th, month_th
from ledger.aging import LABEL_BREACHED, LABEL_CURRENT, LABEL_OVERDUE, LABEL_TOTAL, TITLE as AGING_TITLE
from ledger.aging import AgingTable
from report.background import Done, Side, can_fork
from report.monthly import PROVINCE, MonthlyReport
from report.pdf.page import (BODY, Column, Document, Part, Signature, count, money, percent, signed_count,
                             signed_money, signed_points, thai_date)

log = logging.getLogger(__name__)

PROGRAMME = "โครงการแก้ไขปัญหาความยากจน (กข.คจ.)"
LEGEND = (
    "PAR30 = ยอดคงค้างของสัญญาที่ค้างชำระเกิน 30 วันหรือผิดสัญญา ÷ ยอดคงค้างทั้งหมด",
    "สัญญาค้างชำระ = สัญญาในทุกช่วงค้างชำระ รวมสัญญาผิดสัญญา (ตาราง " + AGING_TITLE + ")",
    "อัตราการเก็บ = ชำระแล้วจากยอดครบกำหนดในเดือน ÷ ยอดครบกำหนดในเดือน",
    "ตัวชี้วัด 9.1 = กองทุนที่ข้อมูลครบถ้วน ถูกต้อง เป็นปัจจุบัน ÷ กองทุนทั้งหมด",
    "แถว รวม = ผลรวมของทุกอำเภอ (อัตราคำนวณจากผลรวม) · เทียบเดือนก่อน = เดือนนี้ − เดือนก่อน (แท็บ สรุปรายเดือน)",
)


def signatures_from(config_signatures: Sequence[Mapping[str, str]]) -> list[Signature]:
    """report.signatures (config.yaml) as signature blocks."""
    return [Signature(s.get("role", ""), s.get("name", ""), s.get("position", "")) for s in config_signatures]


@dataclass(frozen=True)
class MeetingPdf:
    path: Path
    beside: Done | None    # the second process's times and memory (None: drawn in one)


def meeting_pdf(report: MonthlyReport, path: Path | str, *, province: str, office: str,
                signatures: Sequence[Signature] = (), attention: int = 10, made: dt.date | None = None,
                helper: bool | None = None) -> MeetingPdf:
    """Write the meeting report's PDF to `path`. `helper`: draw the last districts' form 26(1) in a
    second process (None: where a second CPU helps, can_fork)."""
    month = month_th(report.year, report.month)
    doc = Document(office, f"รายงาน กข.คจ. ประจำเดือน {month}", made=made or report.run_date)
    doc.alias_nb_pages()
    sections = _sections_26_1(report)
    if helper is None:
        later = _later_sections(sections) if can_fork() else []
    else:
        later = _later_sections(sections, least=0) if helper else []
    side = Side(lambda: _part(doc, report, later), in_child=True) if later else None
    beside: Done | None = None
    try:
        _cover(doc, report, province, office)
        _form_26_2(doc, report)
        _collection(doc, report)
        _aging(doc, report)
        _attention(doc, report, attention)
        for district, funds in sections[:len(sections) - len(later)]:
            _form_26_1(doc, report, district, funds)
        if side is not None:
            try:
                beside = side.wait()
            except Exception as error:  # noqa: BLE001 - said, and the pages drawn here instead
                # The copy died (killed for memory, say) or failed: its districts are drawn here, so
                # the PDF is whole all the same; a fault in the data fails here too, and is raised.
                log.warning("form 26(1)'s second process failed (%s): its %d districts are drawn in this one",
                            error, len(later))
                for district, funds in later:
                    _form_26_1(doc, report, district, funds)
            else:
                assert isinstance(beside.value, Part)
                doc.join(beside.value)
    finally:
        if side is not None:
            side.settle()   # this process failed first: the copy is let end (what it raised is moot)
    _closing(doc, report, signatures)
    return MeetingPdf(doc.save(path), None if beside is None else dataclasses.replace(beside, value=None))


# What this process does besides its districts, counted in funds' rows: the split weighs it in. The
# pages before form 26(1) take 0.10-0.17 s at 80,000 loans (about 200 rows), but this process also
# draws its rows more slowly than its copy; chosen by measurement, alternately on the same 80k
# report: 480 gave the PDF in 1.78-1.84 s, 200 in 1.86-2.05 s (at 11,000 loans the two are alike).
_FIXED_FUNDS = 480
# Fewer funds than this for the second process are not worth a fork (about 0.2 s of drawing at the
# benchmark's speed; Trat's whole form 26(1) is 72 funds).
_LEAST_FUNDS = 300


def _later_sections(sections: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]], least: int = _LEAST_FUNDS
                    ) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """The last districts, for the second process: the split where the longer of the two is shortest
    (by funds, a row each), if it gives the second at least `least` funds. None with one district."""
    sizes = [len(funds) for _, funds in sections]
    best, best_cost = len(sections), float(_FIXED_FUNDS + sum(sizes))
    for split in range(1, len(sections)):
        if sum(sizes[split:]) < least:
            break
        cost = max(_FIXED_FUNDS + sum(sizes[:split]), sum(sizes[split:]))
        if cost < best_cost:
            best, best_cost = split, cost
    return sections[best:]


def _part(doc: Document, report: MonthlyReport,
          sections: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]) -> Part:
    """In the forked copy: these districts' form 26(1), as a Part for the document to join."""
    doc.begin_part()
    for district, funds in sections:
        _form_26_1(doc, report, district, funds)
    return doc.part()


# -- 1. the cover --------------------------------------------------------------------------------
def _cover(doc: Document, report: MonthlyReport, province: str, office: str) -> None:
    doc.add_page(orientation="P")
    doc.heading(office, 16, align="C", after=0)
    doc.heading(f"รายงานผลการดำเนินงาน{PROGRAMME}", 18, align="C", after=0)
    doc.heading(f"จังหวัด{province} ประจำเดือน {month_th(report.year, report.month)}", 18, align="C", after=1)
    compare = (f"เทียบกับเดือน{month_th(*map(int, report.previous_month.split('-')))}" if report.has_previous
               else "ยังไม่มีข้อมูลเดือนก่อนให้เทียบ")
    doc.paragraph(f"ข้อมูล ณ วันที่ {thai_date(report.as_of)} · ปีงบประมาณ {report.fiscal_year} "
                  f"(ตั้งแต่ {thai_date(report.fiscal_year_start)}) · {compare}", BODY, align="C", after=4)

    p, ch = report.province, report.province["change"]
    lines = [
        ("กองทุน (หมู่บ้าน)", f"{count(p['funds'])} กองทุน ใน {count(p['subdistricts'])} ตำบล", ""),
        ("ครัวเรือนที่ได้รับยืม (คงค้าง)", f"{count(p['borrowers'])} ครัวเรือน", ""),
        ("สัญญาคงค้าง", f"{count(p['loans_open'])} สัญญา", signed_count(ch["loans_open"])),
        ("ยอดเงินคงค้าง", f"{money(p['outstanding'])} บาท", signed_money(ch["outstanding"])),
        ("เงินฝากธนาคาร + เงินสดในมือ", f"{money(p['total_money'])} บาท", ""),
        (f"ได้รับคืนรอบปีงบประมาณ {report.fiscal_year}", f"{money(p['repaid_fiscal_year'])} บาท", ""),
        ("ครบกำหนดในเดือน", f"{money(p['due_in_month'])} บาท ({count(p['due_installments'])} งวด)", ""),
        ("ชำระแล้วจากยอดครบกำหนด", f"{money(p['paid_of_due'])} บาท", ""),
        ("อัตราการเก็บ", percent(p["collection_rate"]), ""),
        ("รับชำระในเดือน", f"{money(p['collected_in_month'])} บาท", signed_money(ch["collected_in_month"])),
        ("ยอดค้างชำระ", f"{money(p['arrears'])} บาท", signed_money(ch["arrears"])),
        ("สัญญาค้างชำระ (รวมผิดสัญญา)", f"{count(p['overdue_loans'])} สัญญา", signed_count(ch["overdue_loans"])),
        ("PAR30", percent(p["par30"]), signed_points(_points(ch["par30"]))),
        ("ตัวชี้วัด 9.1", f"{percent(p['indicator_9_1'])} ({count(p['funds_ok'])} จาก {count(p['funds'])} กองทุน)",
         signed_points(_points(ch["indicator_9_1"]))),
    ]
    columns = (Column("รายการ (ทั้งจังหวัด)", 66, "L"), Column("เดือนนี้", 76, "R"),
               Column("เทียบเดือนก่อน", 38, "R"))
    doc.grid(columns, lines, size=14, row_height=7.2, caption="สรุปภาพรวมจังหวัด")
    shown = [d for d in report.districts if d["funds"]]
    doc.bar_chart(f"ยอดค้างชำระรายอำเภอ (บาท) และ PAR30 ณ {date_th(report.as_of)}",
                  [d["district"] for d in shown], [d["arrears"] for d in shown],
                  [f"{money(d['arrears'])} · {percent(d['par30'])}" for d in shown])


def _points(change: float | None) -> float | None:
    """A rate's change (0..1) in percentage points."""
    return None if change is None else change * 100


def _aging_table(doc: Document, table: AgingTable, caption: str) -> None:
    rows = [(r.label, count(r.contracts), money(r.arrears), money(r.outstanding)) for r in table.rows]
    rows.append((table.overdue.label, count(table.overdue.contracts), money(table.overdue.arrears),
                 money(table.overdue.outstanding)))
    total = table.total
    columns = (Column("ระยะเวลาค้างชำระ", 80, "L"), Column("สัญญา", 30), Column("ค้างชำระ (บาท)", 45),
               Column("คงค้าง (บาท)", 45))
    doc.grid(columns, rows, total=(total.label, count(total.contracts), money(total.arrears),
                                    money(total.outstanding)), size=13, row_height=7, caption=caption)


# -- 2. form 26(2) -------------------------------------------------------------------------------
_FORM_26_2: tuple[tuple[str, str, float, str], ...] = (
    # key, header, width (mm), kind
    ("district", "อำเภอ", 22, "text"),
    ("subdistricts", "จำนวน ตำบล", 15, "int"),
    ("funds", "จำนวน หมู่บ้าน (กองทุน)", 18, "int"),
    ("households_total", "ครัวเรือน ทั้งหมด", 18, "int"),
    ("households_target", "ครัวเรือน เป้าหมาย", 19, "int"),
    ("borrowers", "ครัวเรือน ที่ได้รับยืม (คงค้าง)", 20, "int"),
    ("loans_open", "สัญญา คงค้าง", 15, "int"),
    ("outstanding", "ยอดเงิน คงค้าง (บาท)", 30, "amount"),
    ("bank_balance", "เงินฝาก ธนาคาร (บาท)", 30, "amount"),
    ("cash_on_hand", "เงินสด ในมือ (บาท)", 30, "amount"),
    ("total_money", "รวมเงิน ที่มี (บาท)", 30, "amount"),
    ("repaid_fiscal_year", "ได้รับคืน รอบ ปีงบประมาณ (บาท)", 30, "amount"),
)


def _cell(row: Mapping[str, Any], key: str, kind: str) -> str:
    value = row[key]
    if kind == "amount":
        return money(value)
    if kind == "int":
        return count(value)
    if kind == "percent":
        return percent(value)
    return str(value)


def _form_26_2(doc: Document, report: MonthlyReport) -> None:
    doc.add_page(orientation="L")
    doc.heading(f"แบบ 26(2) รายงานผลการดำเนินงาน{PROGRAMME} รายอำเภอ", after=0)
    doc.paragraph(f"ประจำเดือน {month_th(report.year, report.month)} ข้อมูล ณ วันที่ {thai_date(report.as_of)}",
                  BODY, after=2)
    columns = [Column(header, width, "L" if kind == "text" else "R") for _, header, width, kind in _FORM_26_2]
    rows = [[_cell(d, key, kind) for key, _, _, kind in _FORM_26_2] for d in report.districts]
    total = [_cell(report.province, key, kind) for key, _, _, kind in _FORM_26_2]
    doc.grid(columns, rows, total=total)


# -- 3. collection, arrears and quality per district, then the change from last month ----------------
def _collection(doc: Document, report: MonthlyReport) -> None:
    doc.new_page_if_needed(70)
    doc.ln(2)
    columns: tuple[Column, ...] = (Column("อำเภอ", 24, "L"), Column("ยอด ครบกำหนด ในเดือน (บาท)", 29),
               Column("ชำระแล้ว จากยอด ครบกำหนด (บาท)", 29), Column("อัตรา การเก็บ", 18),
               Column("รับชำระ ในเดือน (บาท)", 29), Column("ยอด ค้างชำระ (บาท)", 30),
               Column("สัญญา ค้างชำระ (รวม ผิดสัญญา)", 24), Column("ยอดคงค้าง เสี่ยง PAR30 (บาท)", 29),
               Column("PAR30", 18), Column("ตัวชี้วัด 9.1 (ผ่าน/ ทั้งหมด)", 32), Column("แถวที่ อ่าน ไม่ได้", 15))

    def line(row: Mapping[str, Any]) -> list[str]:
        return [str(row["district"]), money(row["due_in_month"]), money(row["paid_of_due"]),
                percent(row["collection_rate"]), money(row["collected_in_month"]), money(row["arrears"]),
                count(row["overdue_loans"]), money(row["at_risk_outstanding"]), percent(row["par30"]),
                f"{percent(row['indicator_9_1'])} ({row['funds_ok']}/{row['funds']})", count(row["unreadable_rows"])]

    doc.grid(columns, [line(d) for d in report.districts], total=line(report.province),
              caption="การชำระคืน ค้างชำระ และคุณภาพข้อมูล รายอำเภอ")
    compare = (f"เทียบกับเดือน{month_th(*map(int, report.previous_month.split('-')))} (เดือนนี้ − เดือนก่อน)"
               if report.has_previous else "ยังไม่มีข้อมูลเดือนก่อนให้เทียบ (แท็บ สรุปรายเดือน)")
    columns = (Column("อำเภอ", 24, "L"), Column("สัญญาคงค้าง", 30), Column("ยอดเงินคงค้าง (บาท)", 36),
               Column("ยอดค้างชำระ (บาท)", 36), Column("สัญญาค้างชำระ", 30), Column("PAR30", 30),
               Column("รับชำระในเดือน (บาท)", 36), Column("ตัวชี้วัด 9.1", 30))

    def change(row: Mapping[str, Any]) -> list[str]:
        ch = row["change"]
        return [str(row["district"]), signed_count(ch["loans_open"]), signed_money(ch["outstanding"]),
                signed_money(ch["arrears"]), signed_count(ch["overdue_loans"]), signed_points(_points(ch["par30"])),
                signed_money(ch["collected_in_month"]), signed_points(_points(ch["indicator_9_1"]))]

    doc.grid(columns, [change(d) for d in report.districts], total=change(report.province),
              caption=f"การเปลี่ยนแปลงจากเดือนก่อน: {compare}")


# -- 4. the aging table by district ---------------------------------------------------------------
def _spaced(label: str) -> str:
    """A label with a space where a header may break: 'ค้างชำระ 1–30 วัน' stays, 'ค้างชำระเกิน 90 วัน'
    becomes 'ค้างชำระ เกิน 90 วัน' (Thai runs its words together; a header breaks at spaces)."""
    return label.replace("ค้างชำระเกิน", "ค้างชำระ เกิน").replace("รวมสัญญาคงค้าง", "รวมสัญญา คงค้าง")


def _aging(doc: Document, report: MonthlyReport) -> None:
    doc.add_page(orientation="L")
    doc.heading(AGING_TITLE, after=2)
    _aging_table(doc, report.aging[PROVINCE], "ทั้งจังหวัด")
    names = [d["district"] for d in report.districts]
    sample = report.aging[PROVINCE]
    bucket_words = [_spaced(r.label) for r in sample.buckets]
    first = [Column("อำเภอ", 30, "L"), Column(f"{LABEL_CURRENT} (สัญญา)", 30)]
    first += [Column(f"{words} (สัญญา)", 30) for words in bucket_words]
    first += [Column(f"{LABEL_BREACHED} (สัญญา)", 30), Column(f"{LABEL_OVERDUE} (สัญญา)", 40),
              Column(f"{_spaced(LABEL_TOTAL)} (สัญญา)", 35)]

    def counts(name: str, table: AgingTable) -> list[str]:
        return [name, *(count(r.contracts) for r in table.rows), count(table.overdue.contracts),
                count(table.total.contracts)]

    doc.grid(first, [counts(n, report.aging[n]) for n in names], total=counts(PROVINCE, sample),
              caption="รายอำเภอ: จำนวนสัญญา")
    second = [Column("อำเภอ", 30, "L")]
    second += [Column(f"{words} ค้างชำระ (บาท)", 31) for words in bucket_words]
    second += [Column(f"{LABEL_BREACHED} ค้างชำระ (บาท)", 31), Column(f"{LABEL_OVERDUE} ค้างชำระ (บาท)", 37),
               Column("คงค้างของ สัญญาค้างชำระ (บาท)", 37), Column(f"{_spaced(LABEL_TOTAL)} คงค้าง (บาท)", 37)]

    def amounts(name: str, table: AgingTable) -> list[str]:
        return [name, *(money(r.arrears) for r in (*table.buckets, table.breached)), money(table.overdue.arrears),
                money(table.overdue.outstanding), money(table.total.outstanding)]

    doc.grid(second, [amounts(n, report.aging[n]) for n in names], total=amounts(PROVINCE, sample),
              caption="รายอำเภอ: ยอดเงิน")


# -- 5. the funds that need attention ------------------------------------------------------------
def _attention(doc: Document, report: MonthlyReport, limit: int) -> None:
    doc.add_page(orientation="L")
    doc.heading("กองทุนที่ต้องติดตาม", after=1)
    villages = {f["fund_id"]: f for f in report.funds}
    quality = report.quality
    bad = [f for f in quality.worst_first() if not f.ok][:limit] if quality is not None else []
    if bad:
        columns: tuple[Column, ...] = (Column("รหัสกองทุน", 26, "L"), Column("หมู่บ้าน", 44, "L"), Column("อำเภอ", 26, "L"),
                   Column("ครบถ้วน", 18, "C"), Column("ถูกต้อง", 16, "C"), Column("เป็น ปัจจุบัน", 20, "C"),
                   Column("ข้อผิด พลาด (จุด)", 20), Column("สิ่งที่ขาดหรือไม่เป็นปัจจุบัน", 97, "L"))
        rows: list[tuple[str, ...]] = [(f.fund_id, _village(villages.get(f.fund_id), f.village), f.district, _yes(f.complete),
                 _yes(f.correct), _yes(f.current), count(f.errors), "; ".join(f.missing + f.stale) or "-")
                for f in bad]
        total_bad = sum(1 for f in quality.funds if not f.ok) if quality is not None else 0
        doc.grid(columns, rows, caption=f"ก. ข้อมูลยังไม่ผ่านตัวชี้วัด 9.1 ({count(total_bad)} กองทุน"
                                         f"{'' if total_bad <= limit else f' แสดง {limit} กองทุนแรก'})")
    else:
        doc.paragraph("ก. ข้อมูลทุกกองทุนครบถ้วน ถูกต้อง เป็นปัจจุบัน (ผ่านตัวชี้วัด 9.1)", BODY)
    owing = sorted((f for f in report.funds if f["arrears"] > 0), key=lambda f: (-f["arrears"], f["fund_id"]))
    if owing:
        columns = (Column("รหัสกองทุน", 26, "L"), Column("หมู่บ้าน", 50, "L"), Column("อำเภอ", 26, "L"),
                   Column("ยอดค้างชำระ (บาท)", 32), Column("สัญญา ค้างชำระ", 22), Column("ผิดสัญญา (สัญญา)", 22),
                   Column("ยอดเงินคงค้าง (บาท)", 32), Column("PAR30", 20), Column("ผ่าน 9.1", 17, "C"))
        rows = [(f["fund_id"], _village(f, ""), f["district"], money(f["arrears"]), count(f["overdue_loans"]),
                 count(f["breached_loans"]), money(f["outstanding"]), percent(f["par30"]), f["passes_9_1"])
                for f in owing[:limit]]
        doc.grid(columns, rows, caption=f"ข. ยอดค้างชำระสูงสุด ({count(len(owing))} กองทุนมีค้างชำระ"
                                         f"{'' if len(owing) <= limit else f' แสดง {limit} กองทุนแรก'})")
    else:
        doc.paragraph("ข. ไม่มีกองทุนที่มียอดค้างชำระ", BODY)


def _village(row: Mapping[str, Any] | None, fallback: str) -> str:
    if row is None:
        return fallback
    number = f"หมู่ {row['village_no']} " if row.get("village_no") else ""
    return f"{number}{row['village_name']}".strip() or fallback


def _yes(ok: bool) -> str:
    return "ผ่าน" if ok else "ไม่ผ่าน"


# -- 6. form 26(1), one page per district --------------------------------------------------------
_FORM_26_1: tuple[tuple[str, str, float, str], ...] = (
    ("fund_id", "รหัส กองทุน", 23, "text"),
    ("village", "หมู่บ้าน", 42, "text"),
    ("borrowers", "ครัวเรือน ที่ได้รับยืม", 20, "int"),
    ("loans_open", "สัญญา คงค้าง", 15, "int"),
    ("outstanding", "ยอดเงิน คงค้าง (บาท)", 28, "amount"),
    ("total_money", "รวมเงิน ที่มี (บาท)", 28, "amount"),
    ("repaid_fiscal_year", "ได้รับคืน รอบ ปีงบประมาณ (บาท)", 28, "amount"),
    ("collected_in_month", "รับชำระ ในเดือน (บาท)", 27, "amount"),
    ("arrears", "ยอด ค้างชำระ (บาท)", 27, "amount"),
    ("overdue_loans", "สัญญา ค้างชำระ", 18, "int"),
    ("par30", "PAR30", 15, "percent"),
    ("passes_9_1", "ผ่าน 9.1", 15, "text"),
)


def _sections_26_1(report: MonthlyReport) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """Each district with funds, and its funds, in the report's order."""
    by_district: dict[str, list[Mapping[str, Any]]] = {}
    for fund in report.funds:
        by_district.setdefault(fund["district"], []).append(fund)
    return [(d, by_district[d["district"]]) for d in report.districts if by_district.get(d["district"])]


def _form_26_1(doc: Document, report: MonthlyReport, district: Mapping[str, Any],
               funds: list[Mapping[str, Any]]) -> None:
    """One district's form 26(1), from a new page."""
    columns = [Column(header, width, "L" if kind == "text" and key != "passes_9_1" else
                      ("C" if key == "passes_9_1" else "R"))
               for key, header, width, kind in _FORM_26_1]
    subdistricts = sorted({f["subdistrict"] for f in funds if f["subdistrict"]})
    doc.add_page(orientation="L")
    doc.heading(f"แบบ 26(1) อำเภอ{district['district']} ({count(len(funds))} กองทุน)", after=0)
    doc.paragraph(f"ประจำเดือน {month_th(report.year, report.month)} ข้อมูล ณ วันที่ {thai_date(report.as_of)} · "
                  f"{count(len(subdistricts))} ตำบล: {' '.join(subdistricts)}", 14, align="L", after=2)
    rows = [[_village(f, "") if key == "village" else _cell(f, key, kind) for key, _, _, kind in _FORM_26_1]
            for f in funds]
    total = ["รวม", f"{count(len(funds))} กองทุน", *(
        _cell(district, key, kind) for key, _, _, kind in _FORM_26_1[2:-1]), f"{district['funds_ok']}/{len(funds)}"]
    doc.grid(columns, rows, total=total)
    _aging_table(doc, report.aging[district["district"]], f"{AGING_TITLE} อำเภอ{district['district']}")


# -- 7. notes and signatures ----------------------------------------------------------------------
def _closing(doc: Document, report: MonthlyReport, signatures: Sequence[Signature]) -> None:
    doc.new_page_if_needed(90)
    doc.ln(2)
    doc.heading("หมายเหตุ", BODY, after=0)
    for note in (*report.notes, *LEGEND):
        doc.paragraph(f"• {note}", 14, align="L", after=0)
    doc.ln(4)
    doc.signatures(signatures)


__all__ = ["MeetingPdf", "meeting_pdf", "signatures_from"]
