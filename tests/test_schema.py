"""The sheet schema's header matching: what people do to headers still finds the column."""
from __future__ import annotations

import pytest

from core.schema import TABS, header_key


@pytest.mark.parametrize("typed", [
    "วันครบกำหนดชำระ",
    "วันครบกำหนด\nชำระ",                 # a line break typed with Alt+Enter
    "  วันครบกำหนด   ชำระ ",
    "วันครบกำหนดชำระ (วัน/เดือน/ปี)",     # a note in brackets added
])
def test_a_due_date_header_as_people_leave_it(typed: str) -> None:
    assert header_key(typed) == header_key("วันครบกำหนดชำระ")


@pytest.mark.parametrize("typed", ["จำนวนเงินยืม", "จำนวนเงินยืม (บาท)", "จำนวนเงินยืม(บ.)", "จำนวนเงินยืม [บาท]"])
def test_a_unit_in_brackets_added_dropped_or_changed(typed: str) -> None:
    assert header_key(typed) == header_key("จำนวนเงินยืม (บาท)")


def test_thai_digits_and_sara_am_in_headers() -> None:
    assert header_key("หมู่ที่ ๓") == header_key("หมู่ที่ 3")
    assert header_key("ยอดค้างช\u0e4d\u0e32ระ") == header_key("ยอดค้างชำระ")


def test_no_two_columns_of_a_tab_share_a_key() -> None:
    # Tolerance must never make two of the template's columns one.
    for tab in TABS.values():
        keys = [header_key(c.header) for c in tab.columns]
        assert len(keys) == len(set(keys)), tab.key
