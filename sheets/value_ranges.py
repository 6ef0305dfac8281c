"""Decoding a big values:batchGet answer one value range at a time, to hold less memory at once.

orjson, which decodes a big answer (sheets/client.py), first parses the whole document into a
tree of its own (yyjson's) and then makes the Python objects from it, so for a moment it holds
both: at 80,000 loans that tree is ≈ 75 MB on top of the ≈ 200 MB of cells, and it made the
peak of a district officer's cold start after an edit (the whole sheet is read). Decoded one
value range (one tab) at a time, the tree is only ever the biggest tab's.

No JSON library decodes an array's items one by one from bytes in C (ijson's C backend yields
events, a Python call per cell), so the answer is cut here, which its grammar makes safe:
inside a JSON string every `"` is escaped, so the bytes `{`, blanks, `"range"`, blanks, `:`
occur only where an object begins whose first key is "range", and in a batchGet answer those
are exactly its value ranges (Google writes "range" first; their values are arrays of cells,
never objects). Anything unexpected (another count of ranges than asked, another ending)
decodes the answer whole, as before: the cut is an optimisation, never a second grammar.
"""
from __future__ import annotations

import re
from typing import Any, Callable

_RANGE_START = re.compile(rb'\{\s*"range"\s*:')
_BLANKS = b" \t\r\n"
_TAIL = 4096  # the blanks between an answer's last tokens are a line break and an indent


def decode_value_ranges(data: bytes, ranges: int, decode: Callable[[Any], Any]) -> Any:
    """The batchGet answer `data` as `decode(data)` would give it, decoded a range at a time when
    it holds exactly `ranges` value ranges and ends as Google's answers end."""
    starts = [match.start() for match in _RANGE_START.finditer(data)]
    if len(starts) != ranges or not starts:
        return decode(data)
    view = memoryview(data)
    ends = [*starts[1:], len(data)]
    cuts = [_end_of_range(view, start, end, last=end == len(data)) for start, end in zip(starts, ends)]
    if None in cuts:
        return decode(data)
    # What comes before the first range ("spreadsheetId", "valueRanges": [), closed, is the rest.
    answer = decode(bytes(view[:starts[0]]) + b"]}")
    if not isinstance(answer, dict) or answer.get("valueRanges") != []:
        return decode(data)
    items = []
    for start, cut in zip(starts, cuts):
        items.append(decode(view[start:cut]))
    answer["valueRanges"] = items
    return answer


def _end_of_range(view: memoryview, start: int, end: int, last: bool) -> int | None:
    """Where the value range beginning at `start` ends: before the `,` that follows it, or, for
    the last, before the `]` and `}` that close the answer. None when it ends otherwise."""
    tail_start = max(start, end - _TAIL)
    tail = bytes(view[tail_start:end]).rstrip(_BLANKS)
    for closer in ((b"}", b"]") if last else (b",",)):
        if not tail.endswith(closer):
            return None
        tail = tail[:-1].rstrip(_BLANKS)
    if not tail.endswith(b"}"):
        return None
    return tail_start + len(tail)
