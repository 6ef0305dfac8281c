"""The paper for the field: collection sheets and notice letters, for the command line.

    run = run_collection_sheets(store, config, run_date, 2026, 11, fund="230101-01")
    run = run_notices(store, config, run_date, now, district="เมืองตราด", min_days=30)

Each is one batch read of the data tabs, the figures from the ledger engine (`sheets.collection`,
`sheets.notices`), a PDF (report.pdf) kept where `report.files.store_file` puts it; the notices
then append one row per letter to หนังสือแจ้งเตือน (after the PDF is written: a letter is logged
only once it exists), so the next run numbers the next letter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.geo import district_names
from core.schema import DATA_TABS
from core.thai import date_th, month_th
from ledger import ledger_options
from report.files import StoredFile, pdf_path, store_file
from sheets.book import book_of
from sheets.collection import CollectionList, collection_as_of, collection_file_name, collection_lists
from sheets.model import Dataset, load_dataset
from sheets.notices import NoticePlan, parse_notices, plan_notices
from sheets.store import Layout


class PaperError(ValueError):
    """What was asked for does not exist (a fund id, a district): the message says so in Thai."""


def _district(name: str, ds: Dataset) -> str:
    wanted = name.strip().removeprefix("อำเภอ").removeprefix("อ.").strip()
    known = list(district_names()) + sorted({f.district for f in ds.funds.values()})
    if wanted not in known:
        raise PaperError(f"ไม่พบอำเภอ {name} (อำเภอที่มี: {', '.join(district_names())})")
    return wanted


# -- collection sheets --------------------------------------------------------------------------
@dataclass
class CollectionRun:
    month: str
    as_of: dt.date
    lists: list[CollectionList]
    file: StoredFile | None = None

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month, "as_of": self.as_of.isoformat(),
                "file": self.file.as_json() if self.file else None,
                "funds": [{"fund_id": c.fund_id, "borrowers": len(c.lines), "open_contracts": c.open_contracts,
                           "carried": float(c.carried), "in_month": float(c.in_month), "total": float(c.total),
                           "lines": [{"contract_no": line.loan.contract_no, "carried": float(line.carried),
                                      "in_month": float(line.in_month), "total": float(line.total),
                                      "outstanding": float(line.outstanding)} for line in c.lines]}
                          for c in self.lists]}

    def as_text(self) -> str:
        lines = [f"ใบติดตามการรับชำระ เดือน {month_th(*map(int, self.month.split('-')))} "
                 f"ยอด ณ {date_th(self.as_of)}: {len(self.lists)} กองทุน"]
        for c in self.lists:
            lines.append(f"  {c.fund_id}: {len(c.lines)} ราย ต้องชำระ {c.total:,.2f} บาท "
                         f"(ค้างชำระยกมา {c.carried:,.2f} · ครบกำหนดในเดือน {c.in_month:,.2f})")
        if self.file:
            lines.append(f"ไฟล์ PDF: {self.file.where}" + (f" ({self.file.note})" if self.file.note else ""))
        return "\n".join(lines)


def run_collection_sheets(store: Any, config: Any, run_date: dt.date, year: int, month: int, *,
                          fund: str | None = None, district: str | None = None,
                          out: Path | str | bool | None = None) -> CollectionRun:
    """The month's collection sheets of one fund or of every fund of a district, as a PDF."""
    if (fund is None) == (district is None):
        raise PaperError("ระบุ --fund รหัสกองทุน หรือ --district ชื่ออำเภอ อย่างใดอย่างหนึ่ง")
    layout = Layout(config)
    ds = load_dataset(store.read(DATA_TABS), layout, run_date, config.rules.max_term_years)
    if fund is not None:
        if fund not in ds.funds:
            raise PaperError(f"ไม่พบรหัสกองทุน {fund} ในแท็บ กองทุน")
        fund_ids, what = [fund], fund
    else:
        name = _district(district or "", ds)
        fund_ids = sorted(f.fund_id for f in ds.funds.values() if f.district == name)
        what = name
    as_of = collection_as_of(year, month, run_date)
    book = book_of(ds, ledger_options(config))
    lists = collection_lists(book, book.at(as_of), fund_ids, year, month)
    run = CollectionRun(f"{year:04d}-{month:02d}", as_of, [lists[f] for f in fund_ids])
    where = pdf_path(out, collection_file_name(what, year, month))
    if where is not None:
        from report.pdf.collection import collection_pdf  # fpdf2: only when a PDF is made

        collection_pdf(run.lists, ds.funds, where, office=config.report.office_name, province=config.province,
                       made=run_date)
        run.file = store_file(where, config)
    return run




# -- notice letters ------------------------------------------------------------------------------
@dataclass
class NoticeRun:
    plan: NoticePlan
    dry_run: bool
    file: StoredFile | None = None
    logged: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"district": self.plan.district, "as_of": self.plan.as_of.isoformat(), "min_days": self.plan.min_days,
                "dry_run": self.dry_run, "logged": self.logged, "file": self.file.as_json() if self.file else None,
                "notices": [{"contract_no": n.loan.contract_no, "fund_id": n.fund.fund_id, "notice_no": n.notice_no,
                             "letter_no": n.letter_no, "days_overdue": n.state.days_overdue,
                             "arrears": float(n.state.arrears), "pay_by": n.pay_by.isoformat()}
                            for n in self.plan.notices],
                "skipped": [{"contract_no": s.loan.contract_no, "reason": s.reason} for s in self.plan.skipped]}

    def as_text(self) -> str:
        plan = self.plan
        head = "จะออก" if self.dry_run else "ออก"
        lines = [f"หนังสือแจ้งเตือน อำเภอ{plan.district} ณ {date_th(plan.as_of)} (เกินกำหนดตั้งแต่ {plan.min_days} วัน): "
                 f"{head} {len(plan.notices)} ฉบับ ค้างชำระรวม {plan.arrears:,.2f} บาท"]
        for n in plan.notices:
            lines.append(f"  {n.letter_no} · {n.loan.contract_no} {n.loan.borrower_name}: ครั้งที่ {n.notice_no} "
                         f"เกินกำหนด {n.state.days_overdue} วัน ค้างชำระ {n.state.arrears:,.2f} บาท")
        for s in plan.skipped:
            lines.append(f"  ข้าม {s.loan.contract_no} {s.loan.borrower_name}: {s.reason}")
        if self.dry_run:
            lines.append("ทดลอง (--dry-run): ไม่ได้ทำไฟล์และไม่ได้บันทึกในแท็บ หนังสือแจ้งเตือน")
        else:
            if self.file:
                lines.append(f"ไฟล์ PDF: {self.file.where}" + (f" ({self.file.note})" if self.file.note else ""))
            lines.append(f"บันทึกในแท็บ หนังสือแจ้งเตือน {self.logged} แถว")
        return "\n".join(lines)


def run_notices(store: Any, config: Any, run_date: dt.date, now: dt.datetime, *, district: str,
                min_days: int | None = None, dry_run: bool = False, out: Path | str | bool | None = None,
                issued_by: str = "") -> NoticeRun:
    """The district's notice letters as of the run date: a PDF, then one log row per letter."""
    from core.thai import local_naive

    layout = Layout(config)
    tables = store.read(DATA_TABS + ("notices",))
    ds = load_dataset(tables, layout, run_date, config.rules.max_term_years)
    log = parse_notices(tables.get("notices"), layout)
    name = _district(district, ds)
    book = book_of(ds, ledger_options(config))
    settings = config.notices
    plan = plan_notices(ds, book, book.at(run_date), name, log, min_days=min_days or settings.min_days,
                        min_gap_days=settings.min_gap_days, pay_within_days=settings.pay_within_days,
                        ref_prefix=settings.ref_prefix)
    run = NoticeRun(plan, dry_run)
    if dry_run or not plan.notices:
        return run
    where = pdf_path(out, f"notices-{'-'.join(name.split())}-{run_date.isoformat()}.pdf")
    if where is not None:
        from report.pdf.notice import notice_pdf  # fpdf2: only when a PDF is made

        notice_pdf(plan.notices, where, office=config.report.office_name, province=config.province,
                   texts=settings, made=run_date)
        run.file = store_file(where, config)
    stamp = local_naive(now, config.timezone)
    store.append("notices", [n.record(issued_by or "python main.py notices", stamp) for n in plan.notices])
    run.logged = len(plan.notices)
    return run


__all__ = ["CollectionRun", "NoticeRun", "PaperError", "run_collection_sheets", "run_notices"]
