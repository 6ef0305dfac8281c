"""A big values:batchGet answer decoded a value range at a time is the answer decoded whole, in
whatever way Google lays it out and whatever the cells hold; anything unexpected decodes whole."""
from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import given, settings, strategies as st

from sheets.value_ranges import decode_value_ranges

CELL = st.one_of(st.text(), st.sampled_from(['{"range":', '{ "range" :', '"}, {"range": "x"', "\\", "}]}", ""]),
                 st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans())
VALUE_RANGE = st.builds(lambda title, values: {"range": f"'{title}'!A1:Z9", "majorDimension": "COLUMNS",
                                               **({"values": values} if values else {})},
                        st.text(min_size=1, max_size=8), st.lists(st.lists(CELL, max_size=5), max_size=4))


class Counting:
    """orjson.loads, counting its calls (to tell a cut answer from one decoded whole)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: Any) -> Any:
        self.calls += 1
        return orjson.loads(data)


def answer(ranges: list[dict[str, Any]], indent: int | None) -> bytes:
    return json.dumps({"spreadsheetId": "sheet-1", "valueRanges": ranges}, indent=indent,
                      ensure_ascii=indent is None).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(ranges=st.lists(VALUE_RANGE, min_size=1, max_size=5), indent=st.sampled_from([None, 2]))
def test_a_cut_answer_is_the_answer_decoded_whole(ranges: list[dict[str, Any]], indent: int | None) -> None:
    data = answer(ranges, indent)
    decode = Counting()
    assert decode_value_ranges(data, len(ranges), decode) == orjson.loads(data)
    assert decode.calls == 1 + len(ranges)  # the opening, then each range on its own


def test_what_is_not_as_expected_is_decoded_whole() -> None:
    ranges = [{"range": "'a'!A1:B2", "majorDimension": "COLUMNS", "values": [["x"]]},
              {"range": "'b'!A1:B2", "majorDimension": "COLUMNS"}]
    compact = answer(ranges, None)
    other_order = json.dumps({"valueRanges": ranges, "spreadsheetId": "sheet-1"}).encode()
    range_key_later = json.dumps({"spreadsheetId": "s", "valueRanges": [
        {"majorDimension": "COLUMNS", "range": "'a'!A1"}, *ranges[1:]]}).encode()
    for data, asked in ((compact, 3), (other_order, 2), (range_key_later, 2), (b"{}", 1)):
        decode = Counting()
        assert decode_value_ranges(data, asked, decode) == orjson.loads(data)
        assert decode.calls == 1, data[:60]
