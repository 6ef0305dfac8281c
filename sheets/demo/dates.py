"""Day and month arithmetic for the generator, cached: a national-size demo makes millions of dates."""
from __future__ import annotations

import datetime as dt

DAY = dt.timedelta(days=1)
_DELTAS = tuple(dt.timedelta(days=d) for d in range(-400, 1200))
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days(n: int) -> dt.timedelta:
    return _DELTAS[n + 400] if -400 <= n < 1200 else dt.timedelta(days=n)


_MONTHS_CACHE: dict[tuple[dt.date, int], dt.date] = {}


def add_months(day: dt.date, months: int) -> dt.date:
    key = (day, months)
    hit = _MONTHS_CACHE.get(key)
    if hit is not None:
        return hit
    if len(_MONTHS_CACHE) > 200_000:
        _MONTHS_CACHE.clear()
    _MONTHS_CACHE[key] = result = _add_months_raw(day, months)
    return result


_SCHEDULE_CACHE: dict[tuple[dt.date, int, int], tuple[dt.date, ...]] = {}


def schedule_dates(due: dt.date, step: int, n: int) -> tuple[dt.date, ...]:
    """n dates `step` months apart, the last on `due`."""
    key = (due, step, n)
    dates = _SCHEDULE_CACHE.get(key)
    if dates is None:
        if len(_SCHEDULE_CACHE) > 50_000:
            _SCHEDULE_CACHE.clear()
        dates = _SCHEDULE_CACHE[key] = tuple(_add_months_raw(due, -step * (n - 1 - i)) for i in range(n))
    return dates


def _add_months_raw(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = 29 if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else _MONTH_DAYS[month - 1]
    return dt.date(year, month, min(day.day, last))
