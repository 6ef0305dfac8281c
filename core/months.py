"""The calendar of the monthly figures: months, the month a report is of, its as-of date, the Thai fiscal
year (the report and the chat's ยอดรับชำระ count a month alike)."""
from __future__ import annotations

import datetime as dt
from calendar import monthrange

from core.thai import month_th


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month (29 Feb in a leap year)."""
    return dt.date(year, month, 1), dt.date(year, month, monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def default_month(today: dt.date) -> tuple[int, int]:
    """The month that has just ended."""
    return previous_month(today.year, today.month)


def parse_month(text: str) -> tuple[int, int]:
    """'2026-10' -> (2026, 10). A B.E. year (2569-10) is accepted too."""
    try:
        year_text, month_text = str(text).strip().split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise ValueError(f"เดือนต้องอยู่ในรูป YYYY-MM เช่น 2026-10: {text!r}") from None
    if year > 2400:
        year -= 543
    if not 1 <= month <= 12 or not 1900 < year < 2400:
        raise ValueError(f"เดือนต้องอยู่ในรูป YYYY-MM เช่น 2026-10: {text!r}")
    return year, month


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def meeting_file_name(key: str, ext: str) -> str:
    """The month's meeting file (report-2026-11.pdf, .xlsx): the report job writes it, the LINE summary
    and the chat say where it is."""
    return f"report-{key}.{ext}"


def fiscal_year_start(day: dt.date) -> dt.date:
    """1 October of the Thai fiscal year that contains `day`."""
    return dt.date(day.year if day.month >= 10 else day.year - 1, 10, 1)


def fiscal_year_be(day: dt.date) -> int:
    """The B.E. fiscal year of a day: 1 Oct 2025 – 30 Sep 2026 is 2569."""
    return fiscal_year_start(day).year + 1 + 543


def report_as_of(year: int, month: int, run_date: dt.date | None) -> dt.date:
    """The month's last day, or the run date when the month is still running."""
    first, last = month_bounds(year, month)
    if run_date is None or run_date >= last:
        return last
    if run_date < first:
        raise ValueError(f"เดือน {month_th(year, month)} ยังไม่เริ่ม ณ วันที่ {run_date.isoformat()}")
    return run_date


__all__ = ["default_month", "fiscal_year_be", "fiscal_year_start", "month_bounds", "month_key", "parse_month",
           "previous_month", "report_as_of"]
