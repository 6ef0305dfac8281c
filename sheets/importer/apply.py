"""Writing a plan: the new rows appended through the store, funds first, then loans, then payments
(each tab's rows refer to the tabs before). Nothing else is written: no cell anyone typed changes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from sheets.importer.plan import ImportPlan, NewRow
from sheets.store import Store

CHUNK = 500  # rows per append: one request each on Google, and a progress step


@dataclass(frozen=True)
class Written:
    funds: int
    loans: int
    payments: int


def apply_plan(store: Store, plan: ImportPlan, progress: Optional[Callable[[int, int], None]] = None) -> Written:
    """Append the plan's new rows; a blocked plan writes nothing."""
    if plan.blocked:
        raise ValueError("a blocked import plan is never written")
    total = len(plan.new_funds) + len(plan.new_loans) + len(plan.new_payments)
    if not total:
        return Written(0, 0, 0)  # a rerun: not even a workbook's load and save
    done = 0
    with store.batch():
        for rows in (plan.new_funds, plan.new_loans, plan.new_payments):
            for start in range(0, len(rows), CHUNK):
                chunk: list[NewRow] = rows[start:start + CHUNK]
                store.append(chunk[0].tab, [row.record for row in chunk])
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
    return Written(len(plan.new_funds), len(plan.new_loans), len(plan.new_payments))
