"""What an import found and did, in Thai for the person running it, and as JSON (`--json`).

Citizen ids are masked in both (domain.md, PDPA): the output lands in terminals and logs.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional, Sequence

from core.thai import baht, date_th, mask_citizen_id
from sheets.importer.apply import Written
from sheets.importer.columns import FIELDS, IGNORE, SURE, ColumnMatch
from sheets.importer.plan import ImportPlan, NewRow, SheetReport
from sheets.importer.titles import Place

SHOWN = 30  # rows listed per section in the text; the JSON has them all


def _field_words(match: ColumnMatch) -> str:
    if match.state == "unused":
        return "ไม่รู้จัก: ไม่ใช้"
    words = FIELDS[match.field].thai if match.field else "?"
    if match.state == "mapped":
        return f"{words} (จากไฟล์จับคู่)"
    if match.state == "unsure":
        sureness = f" ({match.confidence:.0%})" if 0 < match.confidence < SURE or match.alternative else ""
        return f"? ไม่แน่ใจ{sureness}: {match.why}"
    return f"{words} (แน่ใจ {match.confidence:.0%})"


def _sheet_lines(report: SheetReport) -> list[str]:
    rows = report.rows
    guess = rows.guess
    kind = "ทะเบียนลูกหนี้" if guess.kind == "register" else "แบบ 26(1) รายหมู่บ้าน"
    header_rows = "–".join(str(n) for n in sorted({guess.first_row + 1, guess.last_row + 1}))
    place = rows.place.describe() if rows.place.known else "หมู่บ้านจากคอลัมน์ในแต่ละแถว"
    counted = "ยังไม่อ่านแถว (รอไฟล์จับคู่)" if guess.blocked else f"ข้อมูล {rows.data_rows} แถว"
    lines = [f"• {rows.file} แผ่น \"{rows.sheet}\": {kind} หัวตารางแถว {header_rows}, {counted} — {place}"]
    lines.append("  คอลัมน์:")
    for match in guess.columns:
        if match.field == IGNORE and match.state == "sure":
            continue
        lines.append(f"    {match.letter} \"{match.header}\" → {_field_words(match)}")
    ignored = [f"{m.letter} \"{m.header}\"" for m in guess.columns if m.field == IGNORE and m.state == "sure"]
    if ignored:
        lines.append(f"    ไม่ใช้: {', '.join(ignored)}")
    if guess.missing:
        lines.append("  ขาดคอลัมน์ที่ต้องมี: " + ", ".join(FIELDS[key].thai for key in guess.missing))
    if report.unresolved:
        lines.append(f"  รอระบุหมู่บ้าน: {report.unresolved}")
    return lines


def _row_words(row: NewRow) -> str:
    r = row.record
    if row.tab == "funds":
        place = Place(r.get("district") or "", r.get("subdistrict") or "", r.get("village_no"),
                      r.get("village_name") or "")
        return f"{r['fund_id']} {place.describe()}"
    if row.tab == "loans":
        return (f"{r['contract_no']} {r['borrower_name']} ยืม {baht(r['amount'])} "
                f"{_day(r['loan_date'])} ครบ {_day(r['due_date'])} ({row.source.describe()})")
    return f"{r['contract_no']} ชำระ {baht(r['amount'])} {_day(r['paid_date'])} ({row.source.describe()})"


def _day(value: dt.date) -> str:
    return date_th(value)


def _listed(title: str, lines: Sequence[str]) -> list[str]:
    if not lines:
        return []
    out = [f"{title} {len(lines):,} รายการ:"]
    out += [f"  • {line}" for line in lines[:SHOWN]]
    if len(lines) > SHOWN:
        out.append(f"  … และอีก {len(lines) - SHOWN:,} รายการ (ดูทั้งหมดด้วย --json)")
    return out


def as_text(plan: ImportPlan, *, store: str, dry_run: bool, written: Optional[Written],
            mapping_file: Optional[Path]) -> str:
    lines = [f"นำเข้าข้อมูลลง {store}" + (" (ทดลอง --dry-run: ไม่เขียนอะไร)" if dry_run else ""), "", "แผ่นงานที่อ่าน:"]
    for report in plan.sheets:
        lines += _sheet_lines(report)
    for file, sheet in plan.without_table:
        lines.append(f"• {file} แผ่น \"{sheet}\": ไม่พบหัวตาราง ข้ามแผ่นนี้ "
                     f"(ถ้ามีข้อมูล ให้เพิ่มแผ่นนี้ในไฟล์จับคู่เอง)")
    lines.append("")
    if plan.blocked:
        lines.append("หยุดก่อนเขียน: มีคอลัมน์ที่ไม่แน่ใจ ขาดคอลัมน์ที่ต้องมี หรือไม่รู้ว่าแถวเป็นของกองทุนใด")
        if mapping_file is not None:
            lines.append(f"เขียนไฟล์จับคู่ไว้ที่ {mapping_file}")
            lines.append(f"แก้คอลัมน์ที่เป็น \"?\" (และ place) แล้วรันใหม่ด้วย --mapping {mapping_file}")
        lines += [""] + _issue_lines(plan)
        return "\n".join(lines).rstrip() + "\n"
    lines += _listed("กองทุนใหม่", [_row_words(r) for r in plan.new_funds])
    if any(not r.record.get("capital") for r in plan.new_funds):
        lines.append("  (ทะเบียนไม่มีเงินทุนและข้อมูลบัญชีของกองทุน: กรอกในแท็บ กองทุน เอง แล้วตรวจด้วย check)")
    lines += _listed("สัญญาใหม่", [_row_words(r) for r in plan.new_loans])
    lines += _listed("เลขที่สัญญาที่สร้างให้ตามกฎของแม่แบบ (<รหัสกองทุน>/<ปี พ.ศ. ที่ยืม>/<ลำดับ>)",
                     [f"{m.contract_no} {m.borrower_name} ({m.source.describe()})" for m in plan.made_numbers])
    lines += _listed("รับชำระใหม่", [_row_words(r) for r in plan.new_payments])
    lines.append(f"มีในชีตแล้ว: กองทุน {plan.funds_in_sheet:,} สัญญา {plan.loans_in_sheet:,} "
                 f"รับชำระ {plan.payments_in_sheet:,}")
    lines += _listed("ค่าที่ไม่ตรงกับชีต (ไม่แก้ให้: โปรดตรวจและแก้ในชีตเอง)", [d.describe() for d in plan.differences])
    lines += _issue_lines(plan)
    lines.append("")
    if written is not None:
        lines.append(f"เขียนแล้ว: กองทุน {written.funds:,} สัญญา {written.loans:,} รับชำระ {written.payments:,} แถว "
                     f"(เพิ่มต่อท้ายเท่านั้น ไม่แก้แถวเดิม)")
    elif dry_run:
        lines.append(f"จะเพิ่ม: กองทุน {len(plan.new_funds):,} สัญญา {len(plan.new_loans):,} "
                     f"รับชำระ {len(plan.new_payments):,} แถว — รันอีกครั้งโดยไม่ใส่ --dry-run เพื่อเขียน")
    if plan.nothing_new:
        lines.append("ไม่มีอะไรใหม่ที่ต้องเพิ่ม (ข้อมูลในไฟล์มีในชีตครบแล้ว)")
    return "\n".join(lines).rstrip() + "\n"


def _issue_lines(plan: ImportPlan) -> list[str]:
    lines = []
    if plan.totals:
        lines.append("แถวรวมในไฟล์:")
        for check in plan.totals:
            where = f"{check.source.describe()} คอลัมน์ {check.column} ({check.header})"
            stated, counted = (baht(check.stated), baht(check.counted)) if check.money else \
                (f"{check.stated:,.0f}", f"{check.counted:,.0f}")
            if check.ok:
                lines.append(f"  ✓ {where}: {stated} ตรงกับผลรวมของแถว")
            else:
                lines.append(f"  ✗ {where}: ในไฟล์ {stated} แต่รวมแถวได้ {counted}")
    unreadable = [i.describe() for i in plan.issues if i.level == "unreadable"]
    warnings = [i.describe() for i in plan.issues if i.level == "warning"]
    lines += _listed("อ่านไม่ได้", unreadable)
    lines += _listed("ข้อสังเกต", warnings)
    lines += _listed("ข้ามแถว", [f"{source.describe()}: {why}" for source, why in plan.skipped])
    return lines


def _json_value(key: str, value: Any) -> Any:
    if key == "citizen_id" and value:
        return mask_citizen_id(str(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _json_row(row: NewRow) -> dict[str, Any]:
    return {"tab": row.tab, "source": row.source.describe(),
            "record": {k: _json_value(k, v) for k, v in row.record.items() if v not in (None, "")}}


def as_json(plan: ImportPlan, *, store: str, dry_run: bool, written: Optional[Written],
            mapping_file: Optional[Path]) -> dict[str, Any]:
    sheets = []
    for report in plan.sheets:
        guess = report.guess
        place = report.rows.place
        sheets.append({
            "file": report.rows.file, "sheet": report.rows.sheet, "kind": guess.kind,
            "header_rows": sorted({guess.first_row + 1, guess.last_row + 1}), "data_rows": report.rows.data_rows,
            "place": {"district": place.district, "subdistrict": place.subdistrict, "village_no": place.village_no,
                      "village_name": place.village_name},
            "columns": [{"column": m.letter, "header": m.header, "field": m.field, "confidence": round(m.confidence, 3),
                         "state": m.state, **({"why": m.why} if m.why else {})} for m in guess.columns],
            "missing": guess.missing, "unresolved": report.unresolved, "blocked": report.blocked,
        })
    return {
        "store": store, "dry_run": dry_run, "blocked": plan.blocked,
        "mapping_file": str(mapping_file) if mapping_file else None,
        "sheets": sheets,
        "without_table": [{"file": f, "sheet": s} for f, s in plan.without_table],
        "new_funds": [_json_row(r) for r in plan.new_funds],
        "new_loans": [_json_row(r) for r in plan.new_loans],
        "new_payments": [_json_row(r) for r in plan.new_payments],
        "made_contract_numbers": [{"contract_no": m.contract_no, "borrower_name": m.borrower_name,
                                   "source": m.source.describe()} for m in plan.made_numbers],
        "in_sheet": {"funds": plan.funds_in_sheet, "loans": plan.loans_in_sheet, "payments": plan.payments_in_sheet},
        "differences": [{"tab": d.tab, "key": d.key, "column": d.header, "in_sheet": d.in_sheet, "in_file": d.in_file,
                         "sheet_row": d.sheet_row, "source": d.source.describe()} for d in plan.differences],
        "issues": [{"source": i.source.describe(), "file": i.source.file, "sheet": i.source.sheet,
                        "row": i.source.row, "column": i.column, "header": i.header, "message": i.message,
                        "level": i.level, "row_kept": i.row_kept} for i in plan.issues],
        "totals": [{"source": t.source.describe(), "column": t.column, "header": t.header,
                    "stated": float(t.stated), "counted": float(t.counted), "ok": t.ok} for t in plan.totals],
        "skipped": [{"source": s.describe(), "reason": why} for s, why in plan.skipped],
        "written": None if written is None else {"funds": written.funds, "loans": written.loans,
                                                 "payments": written.payments},
    }
