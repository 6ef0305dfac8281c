"""The monthly summary on LINE: one Flex bubble per recipient, once per month, riding in
that day's alert push (at most one push per officer per day, the 1st included).

Who: every active provincial officer (role จังหวัด) gets the province's summary with a
line per district; every active district officer (role อำเภอ) gets their district's.
Only officers with a linked LINE account receive (`sheets.recipients.monthly_targets`).

How: this module only builds. `MonthlySummaries` is the alert run's attachment source
(`messaging.delivery.Attachments`): given the run's one read, it returns the summary of the
month that has just ended for each recipient not yet logged ส่งแล้ว for that month, and
the alert run (reminders.job) puts it in the officer's push of the day as a second message
object beside the digest (or alone, when the officer has nothing else that day). So the
summary goes through the one delivery path: written ahead in บันทึกการแจ้งเตือน (kind
สรุปรายเดือน, contract blank, the detail starting with the month "2026-10 ..."), resolved by
its retry key when an answer is lost, sent again on the next run when it failed, never twice.

`monthly_recipients(ds, config)` is what the alert job's month simulation counts: one
summary per listed officer on the 1st, inside that day's push.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Mapping

from core.thai import baht, date_th, month_th
from ledger.aging import TITLE, AgingTable
from messaging import flex
from messaging.base import retry_key_for
from messaging.delivery import Attachment, LoggedItem
from report.files import StoredFile, pdf_path
from report.monthly import PROVINCE, MonthlyReport, build_report
from core.months import default_month, meeting_file_name, month_bounds, month_key, report_as_of
from report.snapshots import latest, parse_snapshots
from sheets.model import load_dataset
from sheets.records import Dataset
from sheets.recipients import MonthlyRecipient, monthly_recipients, monthly_targets
from sheets.store import Layout, Table

RED, GREEN, GREY, DARK = flex.RED, "#2E7D32", flex.GREY, flex.DARK


# -- the Flex message -------------------------------------------------------------------
def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _change(delta: Any, good_when_up: bool | None, unit: str = "") -> tuple[str, str]:
    """(text, color) of a change: ▲ / ▼ with red when it got worse, green when better."""
    if delta is None:
        return "–", GREY
    if delta == 0:
        return "เท่าเดิม", GREY
    up = delta > 0
    if isinstance(delta, Decimal):
        text = baht(abs(delta), unit=False)
    elif isinstance(delta, float):
        text = f"{abs(delta):.1f}{unit}"
    else:
        text = f"{abs(delta):,}"
    color = GREY if good_when_up is None else (GREEN if up == good_when_up else RED)
    return ("▲" if up else "▼") + text, color


def _line(label: str, value: str, change: tuple[str, str] | None = None) -> dict[str, Any]:
    contents = [flex.text(label, color=flex.MUTED, flex=5),
                flex.text(value, color=DARK, bold=True, align="end", flex=5)]
    if change is not None:
        contents.append(flex.text(change[0], size="xs", color=change[1], align="end", flex=3, gravity="center"))
    return flex.box(contents, layout="horizontal")


def _aging_lines(table: AgingTable) -> list[dict[str, Any]]:
    """The aging table (ledger.aging), in its own words: each row's contracts, then its arrears
    (ค้างชำระ) and outstanding (คงค้าง); the headlines above are its overdue total."""
    lines: list[dict[str, Any]] = [{"type": "text", "text": TITLE, "size": "xs", "color": GREY, "wrap": True,
                                    "margin": "md"}]
    for r in (*table.rows, table.overdue, table.total):
        lines.append(_line(r.label, f"{r.contracts:,} สัญญา"))
        lines.append({"type": "text", "text": f"ค้างชำระ {baht(r.arrears)} · คงค้าง {baht(r.outstanding)}",
                      "size": "xs", "color": GREY, "align": "end", "wrap": True})
    return lines


def _scope_words(scope: str, province: str) -> str:
    return f"จังหวัด{province} (ทุกอำเภอ)" if scope == PROVINCE else f"อำเภอ{scope}"


def summary_flex(report: MonthlyReport, scope: str, province: str = "ตราด",
                 link: str | None = None, pdf: StoredFile | None = None) -> dict[str, Any]:
    """The month's summary for one scope (a district or PROVINCE) as a LINE flex message; `pdf`:
    where the meeting report's PDF is (a button when it has a link, else its place in words)."""
    row = report.district(scope)
    if row is None:
        raise KeyError(scope)
    ch = row["change"]
    aging = report.aging[scope]
    month = month_th(report.year, report.month)
    body: list[dict[str, Any]] = [
        _line("กองทุน", f"{row['funds']:,} กองทุน"),
        _line("สัญญาคงค้าง", f"{row['loans_open']:,} สัญญา", _change(ch["loans_open"], None)),
        _line("ยอดเงินคงค้าง", baht(row["outstanding"]), _change(ch["outstanding"], None)),
        _line("ยอดค้างชำระ", baht(aging.overdue.arrears), _change(ch["arrears"], False)),
        _line("สัญญาค้างชำระ", f"{aging.overdue.contracts:,} สัญญา", _change(ch["overdue_loans"], False)),
        *_aging_lines(aging),
        _line("PAR30", _pct(row["par30"]), _change(ch["par30"], False, " จุด")),
        flex.separator(),
        _line("ครบกำหนดในเดือน", baht(row["due_in_month"])),
        _line("อัตราการเก็บ", _pct(row["collection_rate"])),
        _line("รับชำระในเดือน", baht(row["collected_in_month"]), _change(ch["collected_in_month"], True)),
        _line(f"ได้รับคืนปีงบ {report.fiscal_year}", baht(row["repaid_fiscal_year"])),
        _line("เงินฝาก + เงินสด", baht(row["total_money"])),
        flex.separator(),
        _line("ตัวชี้วัด 9.1", f"{_pct(row['indicator_9_1'])} ({row['funds_ok']}/{row['funds']})",
              _change(ch["indicator_9_1"], True, " จุด")),
    ]
    if scope == PROVINCE:
        body += [flex.separator(),
                 flex.text("รายอำเภอ: ค้างชำระ · PAR30", bold=True, margin="md")]
        for d in report.districts:
            if d["funds"]:
                body.append(_line(d["district"], baht(d["arrears"]), (_pct(d["par30"]), DARK)))
    footer = [flex.text("รายละเอียดทุกกองทุนในแท็บ รายงานประจำเดือน", size="xs", color=GREY)]
    if pdf is not None and not pdf.link:
        footer.append(flex.text(f"รายงาน PDF สำหรับการประชุม: {pdf.where}", size="xs", color=GREY, wrap=True))
    if link:
        footer.append(flex.button(flex.uri_action("เปิดรายงาน", link), style="link"))
    if pdf is not None and pdf.link:
        footer.append(flex.button(flex.uri_action("เปิดรายงาน PDF", pdf.link), style="link"))
    bubble = flex.bubble(f"สรุป กข.คจ. {month}", body, footer=footer,
                         subtitle=f"{_scope_words(scope, province)} · ข้อมูล ณ {date_th(report.as_of)}")
    alt = (f"สรุป กข.คจ. {month} {_scope_words(scope, province)}: ค้างชำระ {baht(row['arrears'])} "
           f"PAR30 {_pct(row['par30'])} ตัวชี้วัด 9.1 {_pct(row['indicator_9_1'])}")
    return flex.flex_message(alt, bubble)


# -- riding in the day's push ------------------------------------------------------------
OLD_PURPOSE = "monthly"  # the retry-key purpose of the summaries once pushed on their own


def _sent_summaries(ds: Dataset) -> tuple[set[tuple[str, str]], set[str]]:
    """(officer, month) of every ส่งแล้ว summary row, and their retry keys: one pass over the log."""
    months, keys = set(), set()
    for e in ds.alert_log:
        if e.kind == "monthly_summary" and e.status == "sent":
            months.add((e.officer_id, (e.detail or "").split(" ", 1)[0]))
            keys.add(e.retry_key)
    return months, keys


def summary_item(month_key: str, scope: str, arrears: Decimal, province: str) -> LoggedItem:
    """The summary's บันทึกการแจ้งเตือน item: its detail starts with the month (what makes it once a month)."""
    return LoggedItem("monthly_summary", amount=arrears,
                      detail=f"{month_key} สรุปรายเดือน {_scope_words(scope, province)}")


def monthly_attachments(ds: Dataset, snapshots: Table | None, config: Any, run_date: dt.date,
                        link: str | None = None, tables: Mapping[str, Table] | None = None) -> list[Attachment]:
    """The summary of the month that has just ended, for each recipient not yet sent it this month.

    The report is computed only when someone is due (most days: nobody)."""
    year, month = default_month(run_date)
    key, month_start = month_key(year, month), month_bounds(year, month)[0]
    sent_months, sent_keys = _sent_summaries(ds)
    # Sent: a ส่งแล้ว row for the month (its detail), or the key of a summary once pushed on its own.
    due = [t for t in monthly_targets(ds) if t.line_user is not None and (t.officer_id, key) not in sent_months
           and retry_key_for(month_start, t.line_user, OLD_PURPOSE) not in sent_keys]
    if not due:
        return []
    layout = Layout(config)
    if ds.skipped:
        # The alert run parses without the columns its digests do not show; the report's figures
        # (the data check's indicator 9.1 among them) need every one: the same tabs, parsed whole.
        if tables is None:
            raise ValueError("monthly_attachments: a dataset with columns skipped needs its tables")
        ds = load_dataset(dict(tables), layout, ds.today, config.rules.max_term_years)
    report = build_report(ds, config, year, month, report_as_of(year, month, run_date),
                          latest(parse_snapshots(snapshots, layout)), run_date=run_date)
    province = config.province
    pdf = meeting_pdf_of(report.month_key)
    out = []
    for target in due:
        row = report.district(target.scope)
        if row is None:
            continue  # a district the report does not know (typed wrong in เจ้าหน้าที่): nothing to send
        out.append(Attachment(target.officer_id, (summary_flex(report, target.scope, province, link, pdf),),
                              summary_item(report.month_key, target.scope, row["arrears"], province)))
    return out


def meeting_pdf_of(month: str) -> StoredFile | None:
    """The month's meeting PDF when the report job made it where report.files keeps it (so the
    summary says where it is); None when it has not been made (on this machine). Only looked up:
    report.files.store_file, which will also upload to Drive (issue 12), is called once, by the
    report job; when it uploads, the link it got is what this should find."""
    where = pdf_path(None, meeting_file_name(month, "pdf"))
    return StoredFile(where) if where is not None and where.exists() else None


class MonthlySummaries:
    """The month's summaries as the alert run's attachments (messaging.delivery.Attachments)."""

    tabs: tuple[str, ...] = ("committee", "snapshots")   # besides the alert run's own tabs

    def __init__(self, link: str | None = None) -> None:
        self.link = link  # the sheet's address, for the summary's "เปิดรายงาน" button

    def for_run(self, tables: Mapping[str, Table], ds: Dataset, run_date: dt.date,
                config: Any) -> list[Attachment]:
        return monthly_attachments(ds, tables.get("snapshots"), config, run_date, self.link, tables)


__all__ = ["MonthlyRecipient", "MonthlySummaries", "meeting_pdf_of", "monthly_attachments", "monthly_recipients",
           "monthly_targets", "summary_flex", "summary_item"]
