"""Thai words, Buddhist-era dates and baht amounts as people read them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

BE_OFFSET = 543

MONTHS_FULL = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
               "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_ABBR = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
               "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")

THAI_WEEKDAYS = ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันศุกร์", "วันเสาร์", "วันอาทิตย์")

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def to_arabic_digits(text: str) -> str:
    return text.translate(THAI_DIGITS)


def date_th(day: dt.date) -> str:
    """15 ม.ค. 2569"""
    return f"{day.day} {MONTHS_ABBR[day.month - 1]} {day.year + BE_OFFSET}"


def date_th_full(day: dt.date) -> str:
    """15 มกราคม 2569"""
    return f"{day.day} {MONTHS_FULL[day.month - 1]} {day.year + BE_OFFSET}"


def month_th(year: int, month: int) -> str:
    """พฤศจิกายน 2569"""
    return f"{MONTHS_FULL[month - 1]} {year + BE_OFFSET}"


def datetime_th(moment: dt.datetime) -> str:
    return f"{date_th(moment.date())} {moment:%H:%M} น."


def baht(amount: Decimal | float | int, unit: bool = True) -> str:
    """12,500 บาท; satang shown only when there are any (1,234.50 บาท)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    text = f"{value:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{text} บาท" if unit else text


def days_phrase(days: int) -> str:
    """How far a due date is from today, in words: 'อีก 7 วัน', 'วันนี้', 'เกิน 15 วัน'."""
    if days > 0:
        return f"อีก {days} วัน"
    if days == 0:
        return "ครบกำหนดวันนี้"
    return f"เกินกำหนด {-days} วัน"


def today_in(timezone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(timezone)).date()


def now_in(timezone: str) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(timezone)).replace(microsecond=0)


def mask_citizen_id(citizen_id: str | None) -> str:
    """Only the last 4 digits ever leave the sheet."""
    if not citizen_id:
        return "-"
    d = citizen_id
    return f"x-xxxx-xxxx{d[9]}-{d[10:12]}-{d[12]}" if len(d) == 13 else "x" * max(0, len(d) - 4) + d[-4:]
