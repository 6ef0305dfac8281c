"""Reading what people type into cells (spec: sheet-template.md, "How values are read").

Every reader takes a raw cell value (from openpyxl or from the Sheets API) and
returns a clean Python value or raises CellError with a Thai message that says
what was wrong. Readers never guess: an ambiguous value is an error.
"""
from __future__ import annotations

import datetime as dt
import math
import operator
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from core.thai import BE_OFFSET, MONTHS_ABBR, MONTHS_FULL, mask_id_runs, to_arabic_digits


class CellError(ValueError):
    """A cell's value cannot be read; the message (Thai) says why."""


# A year from this on is Buddhist era wherever it is found (C.E. 2400 is far beyond any loan).
BE_YEAR_FROM = 2400
DATE_HINT = "ใช้รูปแบบ วัน/เดือน/ปี เช่น 15/01/2569"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value: Any) -> str:
    """A typed value as a message repeats it: short, and a 13-digit run masked as a citizen id
    (an id typed into a date or amount cell must not travel whole into the chat or the logs)."""
    text = mask_id_runs(str(value))
    return text if len(text) <= 40 else text[:37] + "..."


# Month words: full names, abbreviations with or without dots, a few English ones.
_MONTH_WORDS: dict[str, int] = {}
for _i, (_full, _abbr) in enumerate(zip(MONTHS_FULL, MONTHS_ABBR), start=1):
    _MONTH_WORDS[_full] = _i
    _MONTH_WORDS[_abbr.replace(".", "")] = _i
for _i, _name in enumerate(("jan", "feb", "mar", "apr", "may", "jun",
                            "jul", "aug", "sep", "oct", "nov", "dec"), start=1):
    _MONTH_WORDS[_name] = _i

_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORD_DATE = re.compile(r"^(\d{1,2})\s*([^\d\s][^\d]*?)\s*(?:พ\.?\s*ศ\.?|ค\.?\s*ศ\.?)?\s*(\d{2}|\d{4})$")
_TIME = re.compile(r"^(.*?)[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s*น\.?)?$")


def _year(text: str, raw: Any) -> int:
    """Two digits are B.E. (69 -> 2569); above 2400 is B.E.; else C.E."""
    year = int(text)
    if len(text) == 2:
        year += 2500
    if year >= BE_YEAR_FROM:
        year -= BE_OFFSET
    if not 1900 <= year <= 2200:
        raise CellError(f"ปีไม่ถูกต้อง: \"{_show(raw)}\" ({DATE_HINT})")
    return year


def _make_date(year: int, month: int, day: int, raw: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"ไม่มีวันที่นี้ในปฏิทิน: \"{_show(raw)}\" ({DATE_HINT})") from None


def is_be_date_cell(value: Any) -> bool:
    """A real date cell holding a Buddhist-era year (a sheet whose locale is not Thai stores
    15/1/2569 typed into a date cell as the year 2569): read as year − 543, with a warning."""
    return isinstance(value, dt.date) and value.year >= BE_YEAR_FROM


def _from_be(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - BE_OFFSET)
    except ValueError:  # 29 Feb of a B.E. year that is a leap year in C.E. only as 28 Feb
        return day.replace(year=day.year - BE_OFFSET, day=28)


def read_date(value: Any) -> dt.date:
    """A date cell, or text in the forms the spec lists."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _from_be(value) if value.year >= BE_YEAR_FROM else value
    if isinstance(value, bool) or not isinstance(value, str):
        # A bare number in a date column is never guessed at (serial? year?).
        raise CellError(f"อ่านวันที่ไม่ได้: \"{_show(value)}\" ({DATE_HINT})")
    text = " ".join(to_arabic_digits(value).split())
    if not text:
        raise CellError("ไม่ได้กรอกวันที่")
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
        return _make_date(_year(year, value), int(month), int(day), value)
    match = _NUMERIC_DATE.match(text)
    if match:
        day, month, year = match.groups()
        return _make_date(_year(year, value), int(month), int(day), value)
    match = _WORD_DATE.match(text)
    if match:
        day, word, year = match.groups()
        month = _MONTH_WORDS.get(word.replace(".", "").replace(" ", "").lower())
        if month is None:
            raise CellError(f"ไม่รู้จักชื่อเดือน \"{word}\" ใน \"{_show(value)}\" ({DATE_HINT})")
        return _make_date(_year(year, value), month, int(day), value)
    raise CellError(f"อ่านวันที่ไม่ได้: \"{_show(value)}\" ({DATE_HINT})")


_DAY_MONTH = re.compile(r"^(\d{1,2})\s*(?:[/\-.]\s*(\d{1,2})|([^\d\s][^\d]*?))$")


def read_month_name(word: str) -> int | None:
    """A month's name as typed (พฤศจิกายน, พ.ย., พย, nov): 1–12, else None."""
    return _MONTH_WORDS.get(word.replace(".", "").replace(" ", "").lower())


def read_year(text: str) -> int:
    """A year typed alone, by the rule of dates: two digits and from 2400 are B.E. (69, 2569), else C.E.
    Raises CellError."""
    digits = to_arabic_digits(text).strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (2, 4):
        raise CellError(f"ปีไม่ถูกต้อง: \"{_show(text)}\" ({DATE_HINT})")
    return _year(digits, text)


def read_day_month(text: str) -> tuple[int, int] | None:
    """A day and month typed without a year (15/1, 15 ม.ค., 15 มกราคม): (day, month), else None.
    Never for a cell (a year is needed there); the chat knows which year is meant."""
    match = _DAY_MONTH.match(" ".join(to_arabic_digits(text).split()))
    if not match:
        return None
    day, number, word = match.groups()
    month = int(number) if number else read_month_name(word)
    if month is None or not 1 <= month <= 12:
        return None
    return int(day), month


def read_datetime(value: Any) -> dt.datetime:
    """A date-time cell or text: a date as above, optionally followed by HH:MM[:SS]."""
    if isinstance(value, dt.datetime):
        return dt.datetime.combine(read_date(value.date()), value.time())
    if isinstance(value, dt.date):
        return dt.datetime.combine(read_date(value), dt.time())
    if isinstance(value, str):
        text = " ".join(to_arabic_digits(value).split())
        match = _TIME.match(text)
        if match:
            day_part, hour, minute, second = match.groups()
            day = read_date(day_part)
            try:
                return dt.datetime.combine(day, dt.time(int(hour), int(minute), int(second or 0)))
            except ValueError:
                raise CellError(f"เวลาไม่ถูกต้อง: \"{_show(value)}\"") from None
    return dt.datetime.combine(read_date(value), dt.time())


_AMOUNT_TEXT = re.compile(r"^\d+(?:\.\d+)?$")


def read_amount(value: Any) -> Decimal:
    """A non-negative amount of baht: a number, or text with commas, spaces, บาท or บ., Thai digits,
    and the whole-baht endings of Thai accounts (500.-, 500/-)."""
    if isinstance(value, bool):
        raise CellError(f"จำนวนเงินไม่ใช่ตัวเลข: \"{_show(value)}\"")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"จำนวนเงินไม่ใช่ตัวเลข: \"{_show(value)}\"")
        amount = Decimal(str(value))
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        text = to_arabic_digits(value).strip()
        for noise in ("บาท", "บ.", "฿", ",", " ", "\u00a0"):
            text = text.replace(noise, "")
        # 500.- and 500/- are how Thai accounts write whole baht; a trailing dot is a slip.
        for end in (".-", "/-", ".=", "."):
            if text.endswith(end) and len(text) > len(end):
                text = text[: -len(end)]
                break
        negative = text.startswith("-")
        if negative:
            text = text[1:]
        if not _AMOUNT_TEXT.match(text):
            if not value.strip():
                raise CellError("ไม่ได้กรอกจำนวนเงิน")
            raise CellError(f"จำนวนเงินไม่ใช่ตัวเลข: \"{_show(value)}\" (กรอกเป็นตัวเลข เช่น 12,500)")
        amount = -Decimal(text) if negative else Decimal(text)
    else:
        raise CellError(f"จำนวนเงินไม่ใช่ตัวเลข: \"{_show(value)}\"")
    if amount < 0:
        raise CellError(f"จำนวนเงินติดลบ: \"{_show(value)}\"")
    try:
        return amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise CellError(f"จำนวนเงินใหญ่เกินไป: \"{_show(value)}\"") from None


def read_int(value: Any) -> int:
    """A whole number: a number cell or digits (Thai digits too)."""
    if isinstance(value, bool):
        raise CellError(f"ต้องเป็นจำนวนเต็ม: \"{_show(value)}\"")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = to_arabic_digits(value).strip().replace(",", "")
        if text.isascii() and text.isdigit():
            return int(text)
    raise CellError(f"ต้องเป็นจำนวนเต็ม: \"{_show(value)}\"")


_CID_WEIGHTS = tuple(range(13, 1, -1))


_CID_ZERO = ord("0") * sum(_CID_WEIGHTS)  # what the weighted sum of the ASCII codes adds


def citizen_id_check_digit(first12: str) -> int:
    """d13 = (11 − Σ d_i × (14 − i) mod 11) mod 10 (domain.md)."""
    if first12.isascii():  # the bytes are the digits' codes: no int() per digit (80,000 ids in a big sheet)
        total = sum(map(operator.mul, first12.encode("ascii"), _CID_WEIGHTS)) - _CID_ZERO
    else:
        total = sum(map(operator.mul, map(int, first12), _CID_WEIGHTS))
    return (11 - total % 11) % 10


def read_citizen_id(value: Any) -> str:
    """13 digits (dashes and spaces allowed) whose check digit holds."""
    if isinstance(value, bool):
        raise CellError("เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    text = value if type(value) is str and value.isascii() else to_arabic_digits(str(value))
    digits = "".join(text.split()).replace("-", "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 13:
        # Never echo a citizen id back whole, even a mistyped one.
        raise CellError(f"เลขประจำตัวประชาชนต้องเป็นตัวเลข 13 หลัก (กรอกไว้ {len(digits)} ตัวอักษร)")
    if citizen_id_check_digit(digits[:12]) != int(digits[12]):
        raise CellError("เลขประจำตัวประชาชนไม่ถูกต้อง (หลักตรวจสอบไม่ตรง) — โปรดตรวจสอบการพิมพ์")
    return digits


def citizen_ids_read_at_once(values: Iterable[Any]) -> dict[str, str]:
    """`read_citizen_id` of each value typed as text in ASCII (13 digits, dashes and spaces
    allowed, as the card prints it) whose check digit holds, all at once (numpy): a big province's
    80,000 ids one by one were a tenth of its parse. Every other value (in Thai digits, typed as a
    number, or wrong) is left out, for `read_citizen_id` to read or to refuse with its message."""
    typed: list[str] = []
    digits: list[str] = []
    for value in values:
        if type(value) is str and value.isascii():
            plain = value if len(value) == 13 else "".join(value.split()).replace("-", "")
            if len(plain) == 13 and plain.isdigit():
                typed.append(value)
                digits.append(plain)
    if not typed:
        return {}
    import numpy as np   # here, not at the top: the webhook's modules load without numpy (tests/test_webhook.py)

    codes = np.frombuffer("".join(digits).encode("ascii"), dtype=np.uint8).reshape(-1, 13).astype(np.int64) - ord("0")
    holds = (11 - (codes[:, :12] @ np.array(_CID_WEIGHTS)) % 11) % 10 == codes[:, 12]
    return {value: plain for value, plain, good in zip(typed, digits, holds.tolist()) if good}


def read_text(value: Any) -> str:
    """Text as typed; a whole number typed into a text column loses no '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return " ".join(str(value).split())


def read_choice(value: Any, choices: tuple[str, ...]) -> str:
    text = read_text(value)
    for choice in choices:
        if text == choice or text.replace(" ", "") == choice.replace(" ", ""):
            return choice
    raise CellError(f"ค่า \"{_show(text)}\" ไม่อยู่ในรายการ ({' / '.join(choices)})")


_YES = {"ใช่", "y", "yes", "true", "1", "✓", "ใช้งาน"}
_NO = {"ไม่", "ไม่ใช่", "n", "no", "false", "0", "✗", "ไม่ใช้งาน"}


def read_yes_no(value: Any, default: bool = True) -> bool:
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    text = read_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"ต้องเป็น ใช่ หรือ ไม่ (กรอกไว้ \"{_show(value)}\")")
