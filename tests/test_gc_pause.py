"""sheets.gc_pause: the cycle collector paused while a sheet is decoded and parsed, what was made frozen."""
from __future__ import annotations

import gc

from sheets.gc_pause import collector_paused


def test_the_collector_is_off_inside_and_back_on_after_with_what_was_made_frozen() -> None:
    assert gc.isenabled()
    before = gc.get_freeze_count()

    with collector_paused():
        inside = gc.isenabled()
        rows = [[f"F-{i}", i, None] for i in range(1000)]

    assert inside is False
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(rows)  # the rows left the collector's generations
    assert gc.get_count()[0] < len(rows)  # no young generation of rows for the next pass to scan


def test_nested_pauses_and_an_error_leave_the_collector_as_it_was() -> None:
    with collector_paused():
        with collector_paused():
            pass
        still_off = not gc.isenabled()
    try:
        with collector_paused():
            raise ValueError("a bad answer")
    except ValueError:
        pass

    assert still_off
    assert gc.isenabled()

    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_frozen_records_are_still_freed_when_nothing_refers_to_them() -> None:
    import weakref

    class Record:
        pass

    with collector_paused():
        record = Record()
    gone = weakref.ref(record)
    del record

    assert gone() is None  # reference counting frees it; freezing only hides it from the collector
