"""The change from the previous month: the สรุปรายเดือน snapshots read back, and the deltas."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

CENT = Decimal("0.01")

# The main figures whose change from the previous month is shown (and kept in snapshots).
CHANGE_KEYS: tuple[str, ...] = ("loans_open", "outstanding", "arrears", "overdue_loans", "par30",
                                "collected_in_month", "indicator_9_1")
RATIO_KEYS = {"par30", "collection_rate", "indicator_9_1"}


@dataclass(frozen=True)
class Snapshot:
    """One district's (or the province's) figures for a month, as kept in สรุปรายเดือน."""

    month: str
    district: str
    made_at: dt.datetime | None
    figures: dict[str, Any]
    row: int = 0


def latest(snapshots: Iterable[Snapshot]) -> dict[tuple[str, str], Snapshot]:
    """(month, district) -> the row that wins: latest made_at, then the later row."""
    best: dict[tuple[str, str], Snapshot] = {}
    for snap in snapshots:
        key = (snap.month, snap.district)
        current = best.get(key)
        if current is None or _order(snap) >= _order(current):
            best[key] = snap
    return best


def _order(snap: Snapshot) -> tuple[dt.datetime, int]:
    return (snap.made_at or dt.datetime.min, snap.row)


def index_snapshots(snapshots: Iterable[Snapshot] | Mapping[tuple[str, str], Snapshot] | None
                    ) -> dict[tuple[str, str], Snapshot]:
    if snapshots is None:
        return {}
    if isinstance(snapshots, Mapping):
        return dict(snapshots)
    return latest(snapshots)


def changes(row: Mapping[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """Current minus previous for the main figures; None without a previous figure.

    Ratios change in percentage points (0.05 -> 5.0 points)."""
    out: dict[str, Any] = {}
    for key in CHANGE_KEYS:
        now, before = row.get(key), (previous or {}).get(key)
        if now is None or before is None:
            out[key] = None
        elif key in RATIO_KEYS:
            out[key] = round((float(now) - float(before)) * 100, 2)
        elif isinstance(now, Decimal):
            out[key] = (now - Decimal(str(before))).quantize(CENT)
        else:
            out[key] = int(now) - int(before)
    return out


__all__ = ["CHANGE_KEYS", "RATIO_KEYS", "Snapshot", "changes", "index_snapshots", "latest"]
