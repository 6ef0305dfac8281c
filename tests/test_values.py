"""Every example of sheet-template.md's "How values are read", and no reader ever crashes."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from sheets import readers

JAN15 = dt.date(2026, 1, 15)


@pytest.mark.parametrize("typed, expected", [
    (dt.date(2026, 1, 15), JAN15),                     # a real date cell
    (dt.datetime(2026, 1, 15, 0, 0), JAN15),           # openpyxl's date cell
    ("15/01/2569", JAN15),                             # B.E. year
    ("15/1/69", JAN15),                                # two-digit B.E. year
    ("15/01/2026", JAN15),                             # C.E. year
    ("2026-01-15", JAN15),                             # ISO
    ("15 มกราคม 2569", JAN15),                         # Thai month name in full
    ("15 ม.ค. 69", JAN15),                             # abbreviated, two-digit year
    ("15 ม.ค. 2569", JAN15),
    ("๑๕/๐๑/๒๕๖๙", JAN15),                             # Thai digits
    ("  15/01/2569 ", JAN15),
    ("15-01-2569", JAN15),
    ("15 มกราคม พ.ศ. 2569", JAN15),
    ("29/02/2567", dt.date(2024, 2, 29)),              # leap day in B.E. 2567
])
def test_read_date_accepts_every_form_the_spec_lists(typed, expected):
    assert readers.read_date(typed) == expected


@pytest.mark.parametrize("typed", [
    "31/02/2569",      # no such day
    "15/13/69",        # no such month
    "15/01/269",       # three-digit year: never guessed
    "01/15/2026",      # US order is not a date here
    "15 มกรา 2569x",
    "tomorrow",
    45000,             # a bare number (serial?) is never guessed
    True,
    "29/02/2569",      # 2026 is not a leap year
])
def test_read_date_refuses_anything_else(typed):
    with pytest.raises(readers.CellError):
        readers.read_date(typed)


def test_read_date_message_says_what_was_typed_and_the_expected_form():
    with pytest.raises(readers.CellError) as err:
        readers.read_date("31/02/2569")
    assert "31/02/2569" in str(err.value) and "วัน/เดือน/ปี" in str(err.value)


@pytest.mark.parametrize("typed, expected", [
    (12500, Decimal("12500.00")),
    (12500.5, Decimal("12500.50")),
    ("12,500", Decimal("12500.00")),
    ("12,500 บาท", Decimal("12500.00")),
    ("12500บาท", Decimal("12500.00")),
    ("๑๒,๕๐๐", Decimal("12500.00")),
    (" 1 500.25 ", Decimal("1500.25")),
    ("0", Decimal("0.00")),
    ("1,500.-", Decimal("1500.00")),     # whole baht as Thai accounts write it
    ("1,500/-", Decimal("1500.00")),
    ("500 บ.", Decimal("500.00")),
    ("500.", Decimal("500.00")),
])
def test_read_amount_accepts_numbers_and_typed_text(typed, expected):
    assert readers.read_amount(typed) == expected


@pytest.mark.parametrize("typed", ["-500", -1, "ห้าพัน", "12,5OO", "", True, float("nan"), ".-", "-500.-"])
def test_read_amount_refuses_negative_and_non_numeric(typed):
    with pytest.raises(readers.CellError):
        readers.read_amount(typed)


def test_citizen_id_check_digit_and_forms():
    assert readers.read_citizen_id("1-1014-00123-45-1") == "1101400123451"
    assert readers.read_citizen_id("1101400123451") == "1101400123451"
    assert readers.read_citizen_id(1101400123451) == "1101400123451"
    assert readers.read_citizen_id("๑๑๐๑๔๐๐๑๒๓๔๕๑") == "1101400123451"
    with pytest.raises(readers.CellError) as err:
        readers.read_citizen_id("1101400123452")            # wrong check digit
    assert "1101400123452" not in str(err.value)        # never echoed whole
    with pytest.raises(readers.CellError):
        readers.read_citizen_id("110140012345")             # 12 digits


_ID_TYPED = st.one_of(
    st.text(alphabet="0123456789", min_size=12, max_size=14),        # mostly 13 digits, some a digit short or over
    st.text(alphabet="0123456789", min_size=13, max_size=13).map(    # the check digit made to hold
        lambda d: d[:12] + str(readers.citizen_id_check_digit(d[:12]))),
    st.text(alphabet="0123456789-๐๑๒๓๔๕๖๗๘๙ \t", min_size=10, max_size=17),  # dashes, spaces, Thai digits
    st.text(alphabet="0123456789", min_size=13, max_size=13).map(    # a valid one typed as the card prints it
        lambda d: f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{readers.citizen_id_check_digit(d[:12])}"),
    st.integers(min_value=10**11, max_value=10**13), st.none(), st.just(""))


@given(st.lists(_ID_TYPED, max_size=40))
@settings(max_examples=150, deadline=None)
def test_citizen_ids_read_at_once_are_what_reading_each_gives(typed):
    """sheets/parse/tab.py reads a column of ids through citizen_ids_read_at_once, then each value it
    left out through read_citizen_id: what it reads is read_citizen_id's result, and it leaves out
    every value read_citizen_id would refuse."""
    at_once = readers.citizen_ids_read_at_once(typed)
    assert set(at_once) <= set(v for v in typed if isinstance(v, str))
    for value in typed:
        try:
            one = readers.read_citizen_id(value)
        except readers.CellError:
            assert value not in at_once
            continue
        if value in at_once:
            assert at_once[value] == one


def test_citizen_ids_read_at_once_take_those_typed_in_ascii_and_leave_the_rest():
    good = "1101400123451"
    typed = [good, "1-1014-00123-45-1", " 1 1014 00123 45 1", "1101400123452", "1-1014-00123-45-2",
             "๑๑๐๑๔๐๐๑๒๓๔๕๑", 1101400123451, None, "", "110140012345", "1-1014-00123-4"]
    assert readers.citizen_ids_read_at_once(typed) == {good: good, "1-1014-00123-45-1": good,
                                                       " 1 1014 00123 45 1": good}
    assert readers.citizen_ids_read_at_once([]) == {}


def test_check_digit_formula_matches_domain_md():
    first12 = "110140012345"
    total = sum(int(d) * (14 - i) for i, d in enumerate(first12, start=1))
    assert readers.citizen_id_check_digit(first12) == (11 - total % 11) % 10


def test_check_digit_of_thai_digits_and_of_every_last_digit():
    assert readers.citizen_id_check_digit("๑๑๐๑๔๐๐๑๒๓๔๕") == readers.citizen_id_check_digit("110140012345") == 1
    for first12 in ("000000000000", "999999999999", "310100123456", "123456789012"):
        total = sum(int(d) * (14 - i) for i, d in enumerate(first12, start=1))
        assert readers.citizen_id_check_digit(first12) == (11 - total % 11) % 10


def test_read_int_text_and_yes_no():
    assert readers.read_int("๕") == 5 and readers.read_int(5.0) == 5 and readers.read_int("12") == 12
    with pytest.raises(readers.CellError):
        readers.read_int("5.5")
    assert readers.read_yes_no("ใช่") is True and readers.read_yes_no("ไม่") is False and readers.read_yes_no(None) is True
    with pytest.raises(readers.CellError):
        readers.read_yes_no("อาจจะ")


def test_read_text_keeps_leading_zeros_and_drops_float_tails():
    assert readers.read_text("0812345678") == "0812345678"
    assert readers.read_text(12.0) == "12"
    assert readers.read_text("  สมชาย   ใจดี ") == "สมชาย ใจดี"


def test_read_datetime_forms():
    assert readers.read_datetime("2026-11-26 08:05:00") == dt.datetime(2026, 11, 26, 8, 5)
    assert readers.read_datetime("26/11/2569 8:05") == dt.datetime(2026, 11, 26, 8, 5)
    assert readers.read_datetime("2026-11-26T08:05:00") == dt.datetime(2026, 11, 26, 8, 5)
    assert readers.read_datetime(dt.date(2026, 11, 26)) == dt.datetime(2026, 11, 26)


cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.text(alphabet="0123456789๐๑๒๓๔๕๖๗๘๙/-. มกราคมพ.ศบาท,:T"),
    st.dates().map(lambda d: d), st.datetimes(), st.decimals(allow_nan=False, allow_infinity=False),
)

READERS = [readers.read_date, readers.read_datetime, readers.read_amount, readers.read_int, readers.read_citizen_id, readers.read_text,
           readers.read_yes_no, lambda v: readers.read_choice(v, ("ปกติ", "ผิดสัญญา", "ปิดสัญญา"))]


@settings(max_examples=300, deadline=None)
@given(value=cell_values, which=st.integers(min_value=0, max_value=len(READERS) - 1))
def test_no_input_makes_a_reader_raise_anything_but_its_own_error(value, which):
    try:
        READERS[which](value)
    except readers.CellError as exc:
        assert str(exc)  # a clear message, never empty


@pytest.mark.parametrize("cell, day", [
    (dt.date(2569, 1, 15), dt.date(2026, 1, 15)),                 # a date cell holding a B.E. year
    (dt.datetime(2569, 1, 15, 9, 30), dt.date(2026, 1, 15)),
    (dt.date(2400, 3, 1), dt.date(1857, 3, 1)),                   # from 2400 on, B.E.
    (dt.date(2026, 1, 15), dt.date(2026, 1, 15)),                 # C.E. as it is
    ("15/1/2569", dt.date(2026, 1, 15)),
])
def test_buddhist_era_years_in_date_cells_are_read_as_such(cell, day) -> None:
    assert readers.read_date(cell) == day
    assert readers.is_be_date_cell(cell) == (not isinstance(cell, str) and cell.year >= 2400)


def test_buddhist_era_date_time_cells_keep_their_time() -> None:
    assert readers.read_datetime(dt.datetime(2569, 11, 30, 8, 15)) == dt.datetime(2026, 11, 30, 8, 15)


@pytest.mark.parametrize("reader, typed", [(readers.read_date, "1100100000001"),
                                           (readers.read_amount, "บัตร 1100100000001"),
                                           (readers.read_int, "1-1001-00000-00-1")])
def test_a_citizen_id_typed_into_another_cell_is_never_echoed_whole(reader, typed) -> None:
    with pytest.raises(readers.CellError) as caught:
        reader(typed)
    assert "1100100000001" not in str(caught.value).replace("-", "")
    assert "x-xxxx-xxxx0-00-1" in str(caught.value)
