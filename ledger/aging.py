"""The one aging table: open contracts by how long they are overdue, defined once.

Every channel renders this object and nothing else (chat สรุป, the fund card, the
report tab, the meeting file, the LINE monthly summary, `report --json` key
`aging`), so the words and the numbers are the same everywhere.

The rows, in order, split the OPEN contracts (outstanding > 0) so that each is in
exactly one row:

- ``current``: not in arrears and not marked ผิดสัญญา;
- one row per bucket of `bucket_bounds` (1–30, 31–90, over 90 days by default):
  in arrears and not marked ผิดสัญญา, by days overdue (0 days, an installment due
  today and unpaid, is in the first bucket, as in `ledger.core`);
- ``breached``: marked ผิดสัญญา, whatever their arrears (a breached loan has its
  own line and is never inside a bucket).

Each row has the number of contracts, their arrears and their outstanding.
`total` (every row) gives the headline figures: สัญญาคงค้าง, ยอดเงินคงค้าง,
ยอดค้างชำระ. `overdue` (the buckets and ผิดสัญญา) gives สัญญาค้างชำระ and, again,
ยอดค้างชำระ (the current row owes no arrears).

The spec (ledger-and-alerts.md, "The aging table") names the buckets and the ผิดสัญญา line, whose
arrears add up to ยอดค้างชำระ: that is `buckets`, `breached` and `overdue`. The ``current`` row is
shown beside them so that the outstanding adds up to ยอดเงินคงค้าง too. The words are the spec's:
"ค้างชำระ" for arrears, "คงค้าง" for outstanding.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from ledger.core import ZERO, LedgerState, bucket_labels

CURRENT, BREACHED = "current", "breached"
LABEL_CURRENT = "ไม่ค้างชำระ"
LABEL_BREACHED = "ผิดสัญญา"
LABEL_TOTAL = "รวมสัญญาคงค้าง"
LABEL_OVERDUE = "รวมค้างชำระ (รวมผิดสัญญา)"
TITLE = "สัญญาคงค้างตามระยะเวลาค้างชำระ"


def bucket_key(label: str) -> str:
    """'1-30' -> '1_30', '90+' -> 'over_90'."""
    return "over_" + label[:-1] if label.endswith("+") else label.replace("-", "_")


def bucket_words(label: str) -> str:
    """'1-30' -> 'ค้างชำระ 1–30 วัน', '90+' -> 'ค้างชำระเกิน 90 วัน'."""
    return f"ค้างชำระเกิน {label[:-1]} วัน" if label.endswith("+") else "ค้างชำระ " + label.replace("-", "–") + " วัน"


@dataclass(frozen=True)
class AgingRow:
    key: str             # "current", a bucket key ("1_30", "over_90"), "breached", "total", "overdue"
    label: str           # the Thai words every channel shows
    contracts: int
    arrears: Decimal
    outstanding: Decimal

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "contracts": self.contracts,
                "arrears": float(self.arrears), "outstanding": float(self.outstanding)}


@dataclass(frozen=True)
class AgingTable:
    bucket_bounds: tuple[int, ...]
    rows: tuple[AgingRow, ...]       # current, the buckets in order, breached

    @property
    def buckets(self) -> tuple[AgingRow, ...]:
        return self.rows[1:-1]

    @property
    def current(self) -> AgingRow:
        return self.rows[0]

    @property
    def breached(self) -> AgingRow:
        return self.rows[-1]

    @property
    def overdue(self) -> AgingRow:
        """The buckets and ผิดสัญญา: สัญญาค้างชำระ and ยอดค้างชำระ."""
        return _sum("overdue", LABEL_OVERDUE, self.rows[1:])

    @property
    def total(self) -> AgingRow:
        """Every open contract: สัญญาคงค้าง, ยอดเงินคงค้าง, ยอดค้างชำระ."""
        return _sum("total", LABEL_TOTAL, self.rows)

    def as_json(self) -> dict[str, object]:
        return {"title": TITLE, "bucket_bounds": list(self.bucket_bounds),
                "rows": [r.as_json() for r in self.rows],
                "overdue": self.overdue.as_json(), "total": self.total.as_json()}


def _sum(key: str, label: str, rows: Sequence[AgingRow]) -> AgingRow:
    return AgingRow(key, label, sum(r.contracts for r in rows),
                    sum((r.arrears for r in rows), ZERO), sum((r.outstanding for r in rows), ZERO))


def row_keys(bucket_bounds: Sequence[int]) -> tuple[str, ...]:
    return (CURRENT, *(bucket_key(label) for label in bucket_labels(bucket_bounds)), BREACHED)


def row_labels(bucket_bounds: Sequence[int]) -> tuple[str, ...]:
    return (LABEL_CURRENT, *(bucket_words(label) for label in bucket_labels(bucket_bounds)), LABEL_BREACHED)


def make_table(bucket_bounds: Sequence[int], contracts: Sequence[int], arrears: Sequence[Decimal],
               outstanding: Sequence[Decimal]) -> AgingTable:
    """An AgingTable from per-row sums given in row order (current, buckets…, breached)."""
    keys, labels = row_keys(bucket_bounds), row_labels(bucket_bounds)
    if not len(keys) == len(contracts) == len(arrears) == len(outstanding):
        raise ValueError(f"an aging table needs {len(keys)} rows")
    return AgingTable(tuple(bucket_bounds), tuple(
        AgingRow(k, lab, int(n), Decimal(a), Decimal(o))
        for k, lab, n, a, o in zip(keys, labels, contracts, arrears, outstanding)))


def row_index(state: LedgerState, bucket_bounds: Sequence[int]) -> int | None:
    """Which row an open contract is in (None for a closed one)."""
    if state.outstanding <= 0:
        return None
    labels = bucket_labels(bucket_bounds)
    if state.status_key == "breached":
        return len(labels) + 1
    if state.arrears > 0 and state.bucket is not None:
        return 1 + labels.index(state.bucket)
    return 0


def aging_table(states: Iterable[LedgerState], bucket_bounds: Sequence[int] = (30, 90)) -> AgingTable:
    """The aging table of some contracts' ledger states (all made with the same bucket_bounds).

    The plain reading, contract by contract: the reference the vectorised engine is tested against.
    """
    size = len(bucket_labels(bucket_bounds)) + 2
    counts, arrears, outstanding = [0] * size, [ZERO] * size, [ZERO] * size
    for state in states:
        k = row_index(state, bucket_bounds)
        if k is None:
            continue
        counts[k] += 1
        arrears[k] += state.arrears
        outstanding[k] += state.outstanding
    return make_table(bucket_bounds, counts, arrears, outstanding)
