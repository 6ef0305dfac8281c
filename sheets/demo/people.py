"""Made-up people: Thai names with their titles, phone numbers, and citizen ids whose check digit holds."""
from __future__ import annotations

import random
from operator import mul

from sheets.demo.words import FEMALE, MALE, PHONE_PREFIXES, SURNAMES

_CHECK_WEIGHTS = tuple(range(13, 1, -1))
# Registry-office codes of other provinces, for the borrowers who moved to Trat.
_OTHER_PROVINCES = ("10", "20", "21", "22", "24", "27", "30", "40")


def citizen_check_digit(first12: str) -> int:
    """d13 = (11 - sum(d_i * (14 - i)) mod 11) mod 10."""
    total = sum(map(mul, map(int, first12), _CHECK_WEIGHTS))
    return (11 - total % 11) % 10


# Weighted digit sums for the fast path: digits 1-5 (type and registry office), 6-8 and 9-12.
_HI_SUMS = tuple(sum(int(d) * w for d, w in zip(f"{n:03d}", (8, 7, 6))) for n in range(1000))
_LO_SUMS = tuple(sum(int(d) * w for d, w in zip(f"{n:04d}", (5, 4, 3, 2))) for n in range(10000))
_HEAD_SUMS: dict[str, int] = {}


def _head_sum(head: str) -> int:
    value = _HEAD_SUMS.get(head)
    if value is None:
        value = _HEAD_SUMS[head] = sum(int(d) * w for d, w in zip(head, (13, 12, 11, 10, 9)))
    return value


def format_citizen(digits: str) -> str:
    """13 digits as printed on the card: 1-2345-67890-12-3."""
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


class Names:
    """Synthetic Thai names: นาย/นาง/นางสาว + first name + surname."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> tuple[str, str]:
        """(full name with title, first name)."""
        rnd = self.rng.random
        if rnd() < 0.62:
            first = FEMALE[int(rnd() * len(FEMALE))]
            title = "นาง" if rnd() < 0.75 else "นางสาว"
        else:
            first = MALE[int(rnd() * len(MALE))]
            title = "นาย"
        return f"{title}{first} {SURNAMES[int(rnd() * len(SURNAMES))]}", first

    def name(self) -> str:
        return self.person()[0]

    def phone(self, blank_share: float = 0.08) -> str | None:
        rnd = self.rng.random
        if rnd() < blank_share:
            return None
        prefix = PHONE_PREFIXES[int(rnd() * len(PHONE_PREFIXES))]
        a, b = int(rnd() * 1000), int(rnd() * 10000)
        if rnd() < 0.1:
            return f"{prefix}{a:03d}{b:04d}"  # typed without dashes: still text
        return f"{prefix}-{a:03d}-{b:04d}"


class CitizenIds:
    """Citizen ids never given twice in one demo."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self, district_code: str) -> str:
        """13 digits with a valid check digit, first digit 1 or 3, a Trat registry office mostly."""
        rnd = self.rng.random
        while True:
            first = "1" if rnd() < 0.45 else "3"
            if rnd() < 0.88:
                office = district_code
            else:
                office = _OTHER_PROVINCES[int(rnd() * len(_OTHER_PROVINCES))] + f"0{1 + int(rnd() * 9)}"
            head = first + office
            hi, lo = int(rnd() * 1000), int(rnd() * 10000)
            weighted = _head_sum(head) + _HI_SUMS[hi] + _LO_SUMS[lo]
            digits = f"{head}{hi:03d}{lo:04d}{(11 - weighted % 11) % 10}"
            if digits not in self.used:
                self.used.add(digits)
                return format_citizen(digits) if rnd() < 0.4 else digits
