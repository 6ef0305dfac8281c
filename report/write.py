"""Where the report goes: the รายงานประจำเดือน tab, the meeting .xlsx file, readable text.

The tab and the file hold the same tables: form 26(2) by district with the province
row "รวม" (the tab's filter sits on the district rows, "รวม" stays below it), the
month's collection, data quality and the change from the previous month; the aging
table by district (`ledger.aging`: its title, its row words, each row's contracts,
arrears and outstanding, the province's table as the รวม row); then form 26(1), one
row per fund. Charts: arrears by district, and the outstanding of the overdue rows of
the aging table (the buckets and ผิดสัญญา, stacked).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from core.config import ROOT
from core.months import meeting_file_name
from core.thai import baht, date_th, month_th
from ledger.aging import TITLE, AgingRow, AgingTable
from report.columns import AGING_FIGURES, FUND_COLUMNS, Col, aging_columns
from report.monthly import PROVINCE, MonthlyReport
from sheets.report_layout import ChartSpec, ReportSheet, ReportTable


def default_out_path(report: MonthlyReport) -> Path:
    return ROOT / "data" / "reports" / meeting_file_name(report.month_key, "xlsx")


def _value(row: dict[str, Any], col: Col) -> Any:
    if col.part == "change":
        return row.get("change", {}).get(col.key[len("change_"):])
    value = row.get(col.key)
    if isinstance(value, dt.date):
        return date_th(value)
    return value


def _widths(cols: Sequence[Col]) -> tuple[int, ...]:
    return tuple(22 if c.fmt == "text" and i < 2 else (12 if c.fmt in ("int", "percent", "delta_int",
                                                                         "delta_points") else 15)
                 for i, c in enumerate(cols))


def district_table(report: MonthlyReport, caption: str = "", filter_: bool = True) -> ReportTable:
    cols = report.district_columns
    return ReportTable(
        key="districts", header=tuple(c.header for c in cols),
        rows=tuple(tuple(_value(r, c) for c in cols) for r in report.districts),
        formats=tuple(c.fmt for c in cols),
        total=tuple(_value(report.province, c) for c in cols),
        caption=caption, filter=filter_, widths=_widths(cols))


def fund_table(report: MonthlyReport, caption: str = "", filter_: bool = False) -> ReportTable:
    return ReportTable(
        key="funds", header=tuple(c.header for c in FUND_COLUMNS),
        rows=tuple(tuple(_value(r, c) for c in FUND_COLUMNS) for r in report.funds),
        formats=tuple(c.fmt for c in FUND_COLUMNS), caption=caption, filter=filter_,
        widths=tuple(12 if c.key in ("fund_id", "village_no") else w
                     for c, w in zip(FUND_COLUMNS, _widths(FUND_COLUMNS))))


def _aging_values(name: str, table: AgingTable) -> tuple[Any, ...]:
    rows: tuple[AgingRow, ...] = (*table.rows, table.overdue, table.total)
    return (name, *(getattr(row, figure) for row in rows for figure, _, _ in AGING_FIGURES))


def aging_table(report: MonthlyReport) -> ReportTable:
    """The aging table by district (ledger.aging), the province's table as the total row."""
    cols = aging_columns(report.bucket_bounds)
    return ReportTable(
        key="aging", header=tuple(c.header for c in cols),
        rows=tuple(_aging_values(d["district"], report.aging[d["district"]]) for d in report.districts),
        formats=tuple(c.fmt for c in cols), total=_aging_values(PROVINCE, report.aging[PROVINCE]),
        caption=f"{TITLE} รายอำเภอ", widths=_widths(cols))


def charts(report: MonthlyReport) -> tuple[ChartSpec, ...]:
    keys = [c.key for c in report.district_columns]
    aging = [c.key for c in aging_columns(report.bucket_bounds)]
    overdue_rows = report.aging[PROVINCE].rows[1:]     # the buckets, then ผิดสัญญา
    return (
        ChartSpec(f"ยอดค้างชำระรายอำเภอ {month_th(report.year, report.month)}", "districts", 0,
                  (keys.index("arrears"),)),
        ChartSpec("ยอดคงค้างของสัญญาค้างชำระ แยกตามระยะเวลาค้างชำระ (รวมผิดสัญญา)", "aging", 0,
                  tuple(aging.index(f"{row.key}_outstanding") for row in overdue_rows), stacked=True),
    )


def title_lines(report: MonthlyReport, province: str, what: str) -> tuple[str, ...]:
    compare = (f"เทียบกับ {month_th(*map(int, report.previous_month.split('-')))}"
               if report.has_previous else "ยังไม่มีข้อมูลเดือนก่อนให้เทียบ")
    return (
        f"รายงาน กข.คจ. จังหวัด{province} ประจำเดือน {month_th(report.year, report.month)} ({what})",
        f"ข้อมูล ณ วันที่ {date_th(report.as_of)} · ปีงบประมาณ {report.fiscal_year} "
        f"(ตั้งแต่ {date_th(report.fiscal_year_start)}) · {compare} · จัดทำ {date_th(report.run_date)}",
    )


LEGEND = (
    "PAR30 = ยอดคงค้างของสัญญาที่ค้างเกิน 30 วันหรือผิดสัญญา ÷ ยอดคงค้างทั้งหมด; "
    "สัญญาค้างชำระ = สัญญาในทุกช่วงค้างชำระรวมสัญญาผิดสัญญา (ตาราง " + TITLE + "); "
    "อัตราการเก็บ = ชำระแล้วจากยอดครบกำหนดในเดือน ÷ ยอดครบกำหนดในเดือน; "
    "แถว รวม = ผลรวมของทุกอำเภอ (อัตราคำนวณจากผลรวม); ▲▼ = เปลี่ยนจากเดือนก่อน (จากแท็บ สรุปรายเดือน)",
    "รายละเอียดวิธีคำนวณทุกคอลัมน์: docs/report.md",
)


def report_sheet(report: MonthlyReport, province: str = "ตราด") -> ReportSheet:
    """The รายงานประจำเดือน tab: 26(2) with charts, then 26(1)."""
    return ReportSheet(
        title_lines=title_lines(report, province, "แบบ 26(2) รายอำเภอ"),
        tables=(district_table(report), aging_table(report),
                fund_table(report, caption=f"แบบ 26(1) รายกองทุน ({len(report.funds)} กองทุน)")),
        charts=charts(report), notes=tuple(report.notes) + LEGEND)


def meeting_sheets(report: MonthlyReport, province: str = "ตราด") -> list[tuple[str, ReportSheet]]:
    """The meeting file's sheets: 26(2) with the charts, and 26(1) filterable by district."""
    return [
        ("แบบ 26(2) รายอำเภอ", ReportSheet(
            title_lines=title_lines(report, province, "แบบ 26(2) รายอำเภอ"),
            tables=(district_table(report), aging_table(report)), charts=charts(report),
            notes=tuple(report.notes) + LEGEND)),
        ("แบบ 26(1) รายกองทุน", ReportSheet(
            title_lines=title_lines(report, province, "แบบ 26(1) รายกองทุน"),
            tables=(fund_table(report, filter_=True),), notes=LEGEND[:1], freeze_columns=1)),
    ]


def write_meeting_file(report: MonthlyReport, path: Path | str | None = None, province: str = "ตราด") -> Path:
    """The .xlsx for the meeting (written atomically); returns its path."""
    from openpyxl import Workbook

    from sheets.workbook import render_report, save_atomically

    path = Path(path) if path else default_out_path(report)
    book = Workbook(write_only=True)  # streamed: 3,800 funds cost a second, not four
    for title, sheet_spec in meeting_sheets(report, province):
        render_report(book.create_sheet(title), sheet_spec)
    book.properties.title = f"รายงาน กข.คจ. {month_th(report.year, report.month)}"
    book.properties.creator = "กข.คจ. Care"
    save_atomically(book, path)
    return path


# -- readable Thai text (the CLI's default output) -------------------------------------
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _arrow(delta: Any, unit: str = "") -> str:
    if delta is None:
        return ""
    if isinstance(delta, Decimal):
        if delta == 0:
            return " (เท่าเดิม)"
        return f" ({'▲' if delta > 0 else '▼'}{baht(abs(delta), unit=False)})"
    if delta == 0:
        return " (เท่าเดิม)"
    number = f"{abs(delta):.1f}" if isinstance(delta, float) else f"{abs(delta):,}"
    return f" ({'▲' if delta > 0 else '▼'}{number}{unit})"


def summary_text(report: MonthlyReport, province: str = "ตราด") -> str:
    p = report.province
    ch = p["change"]
    aging = report.aging[PROVINCE]
    lines = list(title_lines(report, province, "สรุป"))
    lines += [
        "",
        f"กองทุน {p['funds']:,} กองทุน ใน {p['subdistricts']:,} ตำบล · "
        f"ครัวเรือนที่ได้รับยืม (คงค้าง) {p['borrowers']:,}",
        f"สัญญาคงค้าง {p['loans_open']:,} สัญญา{_arrow(ch['loans_open'])} "
        f"ยอดเงินคงค้าง {baht(p['outstanding'])}{_arrow(ch['outstanding'])}",
        f"เงินฝากธนาคาร {baht(p['bank_balance'])} เงินสดในมือ {baht(p['cash_on_hand'])} "
        f"รวมเงินที่มี {baht(p['total_money'])}",
        f"ได้รับคืนรอบปีงบประมาณ {report.fiscal_year}: {baht(p['repaid_fiscal_year'])}",
        f"ครบกำหนดในเดือน {p['due_installments']:,} งวด {baht(p['due_in_month'])} "
        f"ชำระแล้ว {baht(p['paid_of_due'])} (อัตราการเก็บ {_pct(p['collection_rate'])}) · "
        f"รับชำระในเดือน {baht(p['collected_in_month'])}{_arrow(ch['collected_in_month'])}",
        f"ยอดค้างชำระ {baht(p['arrears'])}{_arrow(ch['arrears'])} จาก {p['overdue_loans']:,} สัญญา"
        f"{_arrow(ch['overdue_loans'])} · PAR30 {_pct(p['par30'])}{_arrow(ch['par30'], ' จุด')}",
        f"{TITLE} (สัญญา · ค้างชำระ · คงค้าง):",
        *(f"  {row.label}: {row.contracts:,} สัญญา · ค้างชำระ {baht(row.arrears)} · คงค้าง {baht(row.outstanding)}"
          for row in (*aging.rows, aging.overdue, aging.total)),
        f"ตัวชี้วัด 9.1: {p['funds_ok']:,} จาก {p['funds']:,} กองทุน ({_pct(p['indicator_9_1'])})"
        f"{_arrow(ch['indicator_9_1'], ' จุด')}"
        + (f" · แถวที่อ่านไม่ได้ {p['unreadable_rows']:,} แถว" if p["unreadable_rows"] else ""),
        "",
        "รายอำเภอ (กองทุน · ยอดคงค้าง · ค้างชำระ · PAR30 · ตัวชี้วัด 9.1):",
    ]
    for d in report.districts:
        if not d["funds"]:
            continue
        lines.append(f"  อ.{d['district']}: {d['funds']} กองทุน · {baht(d['outstanding'])} · "
                     f"{baht(d['arrears'])} · {_pct(d['par30'])} · {_pct(d['indicator_9_1'])}")
    empty = [d["district"] for d in report.districts if not d["funds"]]
    if empty:
        lines.append("  ไม่มีกองทุนในระบบ: " + ", ".join("อ." + name for name in empty))
    lines += [f"หมายเหตุ: {note}" for note in report.notes]
    return "\n".join(lines)


__all__ = ["PROVINCE", "aging_table", "charts", "default_out_path", "district_table", "fund_table",
           "meeting_sheets", "report_sheet", "summary_text", "write_meeting_file"]
