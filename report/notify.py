"""The monthly summary on LINE: one Flex bubble per recipient, sent once per month.

Who: every active provincial officer (role จังหวัด) gets the province's summary with a
line per district; every active district officer (role อำเภอ) gets their district's.
Only officers with a linked LINE account receive; the others are reported by the run
(status no-line-account) so that the administrator can chase them.

Once per month, whatever the reruns:

- the push carries X-Line-Retry-Key = retry_key_for(first day of the report month,
  LINE user, "monthly"): a repeat within LINE's 24 hours is refused (409) and counts
  as already sent;
- every push is logged in บันทึกการแจ้งเตือน with kind สรุปรายเดือน, contract blank, the
  detail starting with the month ("2026-10 ..."); a recipient with a ส่งแล้ว row for
  the month (same retry key or same month in the detail) is not sent again. A failed
  push is logged ล้มเหลว and goes out on the next run.

`monthly_recipients(ds, config)` is what the alert job's month simulation counts:
one push per listed officer on the 1st of the month.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

from core.thai import baht, date_th, month_th
from ledger.aging import TITLE, AgingTable
from messaging import flex
from messaging.base import Messenger, retry_key_for
from messaging.delivery import CircuitBreaker, alert_log_row, append_alert_log, deliver
from report.files import StoredFile
from report.monthly import PROVINCE, MonthlyReport
from sheets.recipients import MonthlyRecipient, monthly_recipients, monthly_targets

PURPOSE = "monthly"
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


# -- sending -----------------------------------------------------------------------------
@dataclass
class MonthlySend:
    officer_id: str
    scope: str
    status: str               # sent / already-sent / failed / no-line-account
    detail: str = ""
    retry_key: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"officer_id": self.officer_id, "scope": self.scope, "status": self.status,
                "detail": self.detail, "retry_key": self.retry_key}


@dataclass
class MonthlyPushes:
    month: str
    sends: list[MonthlySend] = field(default_factory=list)
    log_rows: int = 0

    @property
    def pushed(self) -> int:
        return sum(s.status == "sent" for s in self.sends)

    def count(self, status: str) -> int:
        return sum(s.status == status for s in self.sends)

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month, "pushed": self.pushed, "already_sent": self.count("already-sent"),
                "failed": self.count("failed"), "no_line_account": self.count("no-line-account"),
                "log_rows": self.log_rows, "recipients": [s.as_json() for s in self.sends]}


def _already_sent(ds: Any, officer_id: str, month: str, key: str) -> bool:
    kind = "monthly_summary"
    return any(e.kind == kind and e.status == "sent" and e.officer_id == officer_id
               and (e.retry_key == key or (e.detail or "").startswith(month + " "))
               for e in ds.alert_log)


def send_monthly_summaries(ds: Any, report: MonthlyReport, messenger: Messenger, store: Any,
                           sent_at: dt.datetime, province: str = "ตราด", link: str | None = None,
                           targets: Sequence[MonthlyRecipient] | None = None,
                           pdf: StoredFile | None = None) -> MonthlyPushes:
    """Push each recipient's summary once per month and log every push (one append, even after a failure)."""
    result = MonthlyPushes(report.month_key)
    rows: list[dict[str, Any]] = []
    breaker = CircuitBreaker()
    month_start = report.month_start
    try:
        for target in (monthly_targets(ds) if targets is None else targets):
            if target.line_user is None:
                result.sends.append(MonthlySend(target.officer_id, target.scope, "no-line-account",
                                                "ยังไม่ได้ผูกบัญชี LINE"))
                continue
            key = retry_key_for(month_start, target.line_user, PURPOSE)
            if _already_sent(ds, target.officer_id, report.month_key, key):
                result.sends.append(MonthlySend(target.officer_id, target.scope, "already-sent",
                                                "ส่งสรุปเดือนนี้แล้ว", key))
                continue
            row = report.district(target.scope)
            if row is None:
                result.sends.append(MonthlySend(target.officer_id, target.scope, "failed",
                                                f"ไม่พบอำเภอ {target.scope} ในรายงาน", key))
                continue
            message = summary_flex(report, target.scope, province, link, pdf)
            delivery = deliver(messenger, target.line_user, [message], key, breaker)
            status = "sent" if delivery.delivered else "failed"
            result.sends.append(MonthlySend(target.officer_id, target.scope, status, delivery.reason, key))
            rows.append(alert_log_row(report.run_date, target.officer_id, "monthly_summary", delivery, sent_at,
                                      amount=row["arrears"],
                                      detail=f"{report.month_key} สรุปรายเดือน {_scope_words(target.scope, province)}"))
    finally:
        # Whatever stops the loop, the rows of the pushes already made are appended.
        append_alert_log(store, rows, pushed=result.pushed)
    result.log_rows = len(rows)
    return result


__all__ = ["MonthlyPushes", "MonthlyRecipient", "MonthlySend", "monthly_recipients", "monthly_targets",
           "send_monthly_summaries", "summary_flex"]
