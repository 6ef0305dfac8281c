"""The committee: half the funds list their 7-9 members, whose term follows the fund's committee order."""
from __future__ import annotations

import random
from typing import Any, Sequence

from core.schema import POSITIONS
from sheets.demo.dates import DAY, add_months
from sheets.demo.people import Names
from sheets.demo.records import DemoFund
from sheets.demo.rows import column_index, shaper


def committee_rows(rng: random.Random, names: Names, funds: Sequence[DemoFund]) -> list[list[Any]]:
    shape = shaper("committee", ("fund_id", "name", "position", "term_start", "term_end", "phone"))
    order_col = column_index("funds")["committee_order_date"]
    rows = []
    for f in funds:
        if rng.random() >= 0.5:
            continue
        start = f.row[order_col]
        end = add_months(start, 48) - DAY
        members = rng.randint(7, 9)
        for position in list(POSITIONS[:3]) + [POSITIONS[3]] * (members - 3):
            rows.append(shape((f.fund_id, names.person()[0], position, start, end,
                               names.phone(blank_share=0.3))))
    return rows
