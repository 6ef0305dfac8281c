"""The cycle collector paused while a sheet is decoded and parsed, and what was made frozen.

Reading a national-size sheet makes millions of small acyclic objects (3.6 million decoded
cells at 80,000 loans, then rows and records). With the collector on, its full passes rescan
all of them again and again and find nothing: measured (bench/growth_bench.py), 10 full passes
and 1.4 s of a 2.1 s read at 160,000 loans, the read path's cost per 1,000 loans growing by half
from 1.5k to 160k loans. Only pausing is not enough: the first pass after re-enabling scans
every object made meanwhile (0.24 s after the parse at 160,000 loans) and later full passes do
again. So at the end they are frozen (gc.freeze: moved out of the collector's generations; they
are still freed as soon as nothing refers to them, by reference counting, which is all that
decoded JSON and parsed records need). The cost: garbage with reference cycles that exists at
that moment is never collected. Measured: 36 reads + parses of 11,000 loans in one process (as
a webhook instance refreshing its copy) left RSS flat (138 -> 144 MB, allocator noise) and,
unfrozen and collected at the end, 0 cyclic garbage.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection inside; everything made inside is frozen at the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
