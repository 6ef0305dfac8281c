"""Values into a tab's rows: column positions by key, and baht as a sheet cell holds them."""
from __future__ import annotations

from typing import Any, Callable

from core.schema import TABS


def column_index(tab: str) -> dict[str, int]:
    """Column key -> position in the tab's column order."""
    return {k: i for i, k in enumerate(TABS[tab].keys)}


def shaper(tab: str, keys: tuple[str, ...]) -> Callable[[tuple[Any, ...]], list[Any]]:
    """Values given in `keys` order -> a row in the tab's column order (other columns blank)."""
    columns = TABS[tab].keys
    if columns == keys:
        return list
    where = [keys.index(k) if k in keys else -1 for k in columns]
    return lambda values: [values[i] if i >= 0 else None for i in where]


def money(satang: int) -> int | float:
    """Baht as a cell: whole baht as an int, else with two decimals."""
    return satang // 100 if satang % 100 == 0 else round(satang / 100, 2)
