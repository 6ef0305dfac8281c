"""Thai words, Buddhist-era dates and baht amounts as people read them."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
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


def local_naive(now: dt.datetime, timezone: str) -> dt.datetime:
    """Sheets hold local wall-clock times without a zone (Excel cannot store one), to the second."""
    if now.tzinfo is not None:
        now = now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    return now.replace(microsecond=0)


# Longest first where one begins another (นางสาว before นาง).
TITLES = ("นางสาว", "น.ส.", "นาย", "นาง", "ดร.", "ด.ช.", "ด.ญ.")


def without_title(name: str) -> str:
    """A person's name without นาย/นาง/นางสาว … before it, its spaces tidied: what it is sorted and called by."""
    text = " ".join(name.split())
    for title in TITLES:
        if text.startswith(title) and len(text) > len(title):
            return text[len(title):].strip()
    return text


def polite_name(name: str) -> str:
    """How the bot addresses someone: คุณ and the first name, without นาย/นาง/นางสาว."""
    text = without_title(name)
    first = text.split(" ")[0] if text else ""
    return f"คุณ{first}" if first else "ค่ะ"


def mask_citizen_id(citizen_id: str | None) -> str:
    """Only the last 4 digits ever leave the sheet."""
    if not citizen_id:
        return "-"
    d = citizen_id
    return f"x-xxxx-xxxx{d[9]}-{d[10:12]}-{d[12]}" if len(d) == 13 else "x" * max(0, len(d) - 4) + d[-4:]


# -- text as people type it ----------------------------------------------------------
# Characters that some keyboards and copy-paste leave in: zero-width space/joiners, BOM, word joiner.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000\t\r\n"), " ")
_NIKHAHIT, _SARA_AA, _SARA_AM = "\u0e4d", "\u0e32", "\u0e33"
_TONE_MARKS = "\u0e48\u0e49\u0e4a\u0e4b"


def normalize_text(text: str) -> str:
    """Thai as it was meant: sara am written as nikhahit + sara aa (ํ + า, also with a tone mark
    between: ้ + ํ + า) becomes ำ; a mark typed twice counts once; invisible characters go; spaces are
    single; Thai digits become Arabic. Unicode NFC first (a no-op for most Thai text)."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_SPACES)
    if _NIKHAHIT in text:
        # ํ + tone + า and tone + ํ + า both mean tone + ำ (the tone mark sits before sara am).
        for tone in _TONE_MARKS:
            text = text.replace(_NIKHAHIT + tone + _SARA_AA, tone + _SARA_AM)
        text = text.replace(_NIKHAHIT + _SARA_AA, _SARA_AM)
    out: list[str] = []
    for ch in text:
        if out and ch == out[-1] and unicodedata.combining(ch):
            continue  # "ค้้าง": the second ้ is a slip of the finger
        out.append(ch)
    return " ".join(to_arabic_digits("".join(out)).split())


_ID_RUN = re.compile(r"(?<![0-9๐-๙])(?:[0-9๐-๙][\s\-]?){12}[0-9๐-๙](?![0-9๐-๙])")


def id_run_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds a run of 13 digits that `mask_id_runs` would mask (start, end)."""
    return [m.span() for m in _ID_RUN.finditer(text)]


def mask_id_runs(text: str) -> str:
    """Any run of 13 digits (with or without the usual dashes or spaces, Thai digits too) in a text
    shown to someone is masked as a citizen id: a whole id never leaves the sheet."""
    return _ID_RUN.sub(lambda m: mask_citizen_id(to_arabic_digits(re.sub(r"[\s\-]", "", m.group(0)))), text)
