"""สรุปรายเดือน: one row per district (and one "รวม" row) per month, for the trend.

The tab is program data and append-only (the program never rewrites a row). So that a
rerun of a month never duplicates that month's effect:

- reading: the LATEST row per (month, district) wins — by made_at, then by row order;
- writing: a row is appended only when its figures differ from that latest row
  (a rerun on unchanged data appends nothing; a rerun after a correction appends the
  corrected districts only, and they win from then on).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable, Mapping

from sheets import readers
from sheets.store import Layout, Table
from report.monthly import PROVINCE, MonthlyReport, Snapshot, latest, parse_month

# Snapshot column key -> how its value is compared and read back.
FIGURES: dict[str, str] = {
    "funds": "int", "loans_open": "int", "outstanding": "amount", "arrears": "amount",
    "overdue_loans": "int", "par30": "ratio", "bank_balance": "amount", "cash_on_hand": "amount",
    "collected_in_month": "amount", "indicator_9_1": "ratio", "as_of": "date",
    "due_in_month": "amount", "repaid_fiscal_year": "amount",
}
RATIO_PLACES = 6


def _normal(kind: str, value: Any) -> Any:
    """A figure as compared and stored: Decimal 2 places, int, ratio rounded to 4 places, date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "amount":
        return readers.read_amount(value) if not isinstance(value, Decimal) else value.quantize(Decimal("0.01"))
    if kind == "int":
        return readers.read_int(value)
    if kind == "date":
        return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else readers.read_date(value)
    # ratio: a number 0..1, or text such as "47.06%"
    if isinstance(value, str):
        text = readers.to_arabic_digits(value).strip().replace(",", "")
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    else:
        number = float(value)
    return round(number, RATIO_PLACES)


def parse_snapshots(table: Table | None, layout: Layout | None = None) -> list[Snapshot]:
    """Every readable row of the tab; a row that cannot be read is skipped (it is program data)."""
    if table is None or not table.exists or not table.header:
        return []
    layout = layout or Layout()
    # Matched as every tab is (core.schema.header_key); without a month or a district no row counts.
    positions: dict[str, int] = layout.match("snapshots", table.header).positions
    if "month" not in positions or "district" not in positions:
        return []

    def cell(cells: list[Any], key: str) -> Any:
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    out: list[Snapshot] = []
    for index, cells in enumerate(table.rows):
        try:
            month_value = cell(cells, "month")
            if isinstance(month_value, (dt.date, dt.datetime)):
                month = f"{month_value.year:04d}-{month_value.month:02d}"
            else:
                month = "%04d-%02d" % parse_month(str(month_value))
            district = readers.read_text(cell(cells, "district"))
            made = cell(cells, "made_at")
            made_at = None if readers.is_blank(made) else readers.read_datetime(made)
            figures = {key: _normal(kind, cell(cells, key)) for key, kind in FIGURES.items()}
        except (readers.CellError, ValueError, TypeError):
            continue
        if district:
            out.append(Snapshot(month, district, made_at, figures, table.row_number(index)))
    return out


def figures_of(row: Mapping[str, Any], as_of: dt.date) -> dict[str, Any]:
    """A report row's figures as a snapshot keeps them."""
    return {key: _normal(kind, as_of if key == "as_of" else row.get(key)) for key, kind in FIGURES.items()}


def snapshot_records(report: MonthlyReport, existing: Iterable[Snapshot] | Mapping[tuple[str, str], Snapshot],
                     made_at: dt.datetime) -> list[dict[str, Any]]:
    """The rows to append for this report: one per district and "รวม", only where changed."""
    current = existing if isinstance(existing, Mapping) else latest(existing)
    records = []
    for row in report.rows():
        figures = figures_of(row, report.as_of)
        before = current.get((report.month_key, row["district"]))
        if before is not None and before.figures == figures:
            continue
        records.append({"month": report.month_key, "made_at": made_at, "district": row["district"], **figures})
    return records


__all__ = ["FIGURES", "PROVINCE", "figures_of", "latest", "parse_snapshots", "snapshot_records"]
