"""A formatted report tab, backend-neutral: tables, formats, frozen header, filter, charts.

`Store.write_report(tab_key, report)` lays a `ReportSheet` into a tab. Both backends
place everything with `place()` so the tab looks the same in the .xlsx and on
Google Sheets; `google_requests()` is the Google side's formatting batch, and
`sheets.workbook.render_report` the openpyxl side.

Layout, top to bottom: the title lines; the first table (its header row is the
last frozen row, the filter sits on its header and data rows, its total row stays
below the filter); a band of empty rows where the charts sit; the other tables,
each with a caption row; the notes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

# Column formats -> the number pattern both Excel and Google Sheets understand.
PATTERNS: dict[str, str] = {
    "int": "#,##0",
    "amount": "#,##0.00",
    "percent": "0.0%",
    "delta_int": '"▲"#,##0;"▼"#,##0;0',
    "delta_amount": '"▲"#,##0.00;"▼"#,##0.00;0.00',
    "delta_points": '"▲"0.0;"▼"0.0;0.0',
}
GOOGLE_TYPES = {"percent": "PERCENT"}  # the rest are NUMBER
HEADER_RGB = "DDE7F0"
TOTAL_RGB = "FFF2CC"
CAPTION_RGB = "F3F3F3"


@dataclass(frozen=True)
class ReportTable:
    """One table: a header row, data rows and an optional total row below them."""

    key: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    formats: tuple[str, ...]                 # per column: text / int / amount / percent / delta_*
    total: tuple[Any, ...] | None = None     # e.g. the province row "รวม"
    caption: str = ""                        # a line above the header (tables after the first)
    filter: bool = False                     # the tab's one filter goes on this table
    widths: tuple[int, ...] = ()             # column widths in characters (default 14; first 20)

    @property
    def width(self) -> int:
        return len(self.header)


@dataclass(frozen=True)
class ChartSpec:
    """A native column chart of some columns of a table's data rows (never its total row)."""

    title: str
    table: str                               # ReportTable.key
    category: int                            # column index of the categories (district names)
    series: tuple[int, ...]                  # column indexes of the series (header = series name)
    stacked: bool = False
    y_title: str = "บาท"
    x_title: str = ""


@dataclass(frozen=True)
class ReportSheet:
    title_lines: tuple[str, ...]
    tables: tuple[ReportTable, ...]
    charts: tuple[ChartSpec, ...] = ()
    notes: tuple[str, ...] = ()
    chart_rows: int = 20                      # empty rows kept for the charts below the first table
    freeze_columns: int = 1
    print_landscape: bool = True


@dataclass(frozen=True)
class TablePlace:
    """Where a table sits (0-based rows and columns)."""

    table: ReportTable
    caption_row: int | None
    header_row: int
    first_row: int                           # first data row
    last_row: int                            # last data row (== first_row - 1 when empty)
    total_row: int | None

    @property
    def end_row(self) -> int:
        """The last row used (total row included)."""
        return self.total_row if self.total_row is not None else max(self.last_row, self.header_row)


@dataclass(frozen=True)
class ChartPlace:
    chart: ChartSpec
    anchor_row: int
    anchor_column: int
    width_px: int
    height_px: int


@dataclass
class Placement:
    rows: list[list[Any]] = field(default_factory=list)   # every cell value, row by row
    tables: dict[str, TablePlace] = field(default_factory=dict)
    charts: list[ChartPlace] = field(default_factory=list)
    title_rows: list[int] = field(default_factory=list)
    note_rows: list[int] = field(default_factory=list)
    frozen_rows: int = 0
    frozen_columns: int = 0
    filter_table: str | None = None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


CHART_WIDTH_PX, CHART_HEIGHT_PX, CHART_GAP_COLUMNS = 620, 360, 6


def place(report: ReportSheet) -> Placement:
    """Every cell's position; both backends write exactly this grid."""
    out = Placement(frozen_columns=report.freeze_columns)
    rows = out.rows

    def add(row: Sequence[Any]) -> int:
        rows.append([_cell(v) for v in row])
        return len(rows) - 1

    for line in report.title_lines:
        out.title_rows.append(add([line]))
    for n, table in enumerate(report.tables):
        caption_row = add([table.caption]) if table.caption else None
        header_row = add(table.header)
        first = len(rows)
        for row in table.rows:
            add(row)
        last = len(rows) - 1
        total_row = add(table.total) if table.total is not None else None
        out.tables[table.key] = TablePlace(table, caption_row, header_row, first, last, total_row)
        if table.filter and out.filter_table is None:
            out.filter_table = table.key
        if n == 0:
            out.frozen_rows = header_row + 1
            add([])
            if report.charts:
                band = len(rows)
                for k, chart in enumerate(report.charts):
                    out.charts.append(ChartPlace(chart, band, k * CHART_GAP_COLUMNS, CHART_WIDTH_PX,
                                                 CHART_HEIGHT_PX))
                for _ in range(report.chart_rows):
                    add([])
        else:
            add([])
    for note in report.notes:
        out.note_rows.append(add([note]))
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def column_widths(table: ReportTable) -> list[int]:
    if table.widths:
        return list(table.widths)
    return [20] + [14] * (table.width - 1)


# -- Google Sheets: one batchUpdate of formatting requests -------------------------------
def _rgb(hex_rgb: str) -> dict[str, float]:
    return {"red": int(hex_rgb[0:2], 16) / 255, "green": int(hex_rgb[2:4], 16) / 255,
            "blue": int(hex_rgb[4:6], 16) / 255}


def _range(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0,
            "endColumnIndex": c1}


def google_requests(sheet_id: int, report: ReportSheet, placement: Placement,
                    old_chart_ids: Sequence[int] = ()) -> list[dict[str, Any]]:
    """The formatting batch applied after the values are written (one batchUpdate)."""
    requests: list[dict[str, Any]] = [{"deleteEmbeddedObject": {"objectId": cid}} for cid in old_chart_ids]
    # Start from plain cells: formats of the previous report must not linger.
    requests.append({"repeatCell": {"range": {"sheetId": sheet_id}, "cell": {},
                                    "fields": "userEnteredFormat"}})
    requests.append({"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": {
            "frozenRowCount": placement.frozen_rows, "frozenColumnCount": placement.frozen_columns}},
        "fields": "gridProperties.frozenRowCount,gridProperties.frozenColumnCount"}})
    width = max(placement.width, 1)
    for i, row in enumerate(placement.title_rows):
        requests.append(_repeat(_range(sheet_id, row, row + 1, 0, 1),
                                {"textFormat": {"bold": True, "fontSize": 14 if i == 0 else 11}},
                                "userEnteredFormat.textFormat"))
    for place_ in placement.tables.values():
        table = place_.table
        if place_.caption_row is not None:
            requests.append(_repeat(_range(sheet_id, place_.caption_row, place_.caption_row + 1, 0, 1),
                                    {"textFormat": {"bold": True, "fontSize": 12}}, "userEnteredFormat.textFormat"))
        requests.append(_repeat(
            _range(sheet_id, place_.header_row, place_.header_row + 1, 0, table.width),
            {"backgroundColor": _rgb(HEADER_RGB), "textFormat": {"bold": True}, "wrapStrategy": "WRAP",
             "verticalAlignment": "MIDDLE", "horizontalAlignment": "CENTER"},
            _fields("backgroundColor", "textFormat", "wrapStrategy", "verticalAlignment", "horizontalAlignment")))
        body_end = place_.end_row + 1
        for c, fmt in enumerate(table.formats):
            if fmt in PATTERNS and body_end > place_.first_row:
                requests.append(_repeat(
                    _range(sheet_id, place_.first_row, body_end, c, c + 1),
                    {"numberFormat": {"type": GOOGLE_TYPES.get(fmt, "NUMBER"), "pattern": PATTERNS[fmt]}},
                    "userEnteredFormat.numberFormat"))
        if place_.total_row is not None:
            requests.append(_repeat(
                _range(sheet_id, place_.total_row, place_.total_row + 1, 0, table.width),
                {"backgroundColor": _rgb(TOTAL_RGB), "textFormat": {"bold": True}},
                _fields("backgroundColor", "textFormat")))
    for row in placement.note_rows:
        requests.append(_repeat(_range(sheet_id, row, row + 1, 0, 1), {"textFormat": {"italic": True}},
                                "userEnteredFormat.textFormat"))
    widths = sheet_widths(report, width)
    for c, chars in enumerate(widths):
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": c, "endIndex": c + 1},
            "properties": {"pixelSize": chars * 7 + 10}, "fields": "pixelSize"}})
    if placement.filter_table is not None:
        p = placement.tables[placement.filter_table]
        requests.append({"setBasicFilter": {"filter": {
            "range": _range(sheet_id, p.header_row, p.last_row + 1, 0, p.table.width)}}})
    for chart in placement.charts:
        requests.append(_add_chart(sheet_id, chart, placement.tables[chart.chart.table]))
    return requests


def _fields(*parts: str) -> str:
    return ",".join(f"userEnteredFormat.{p}" for p in parts)


def _repeat(grid_range: dict[str, int], fmt: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"repeatCell": {"range": grid_range, "cell": {"userEnteredFormat": fmt}, "fields": fields}}


def sheet_widths(report: ReportSheet, width: int) -> list[int]:
    """Per sheet column: the widest any table asks for there."""
    widths = [0] * width
    for table in report.tables:
        for c, chars in enumerate(column_widths(table)):
            if c < width:
                widths[c] = max(widths[c], chars)
    return [w or 14 for w in widths]


def _add_chart(sheet_id: int, chart: ChartPlace, table: TablePlace) -> dict[str, Any]:
    spec = chart.chart
    rows = (table.header_row, table.last_row + 1)  # the header names the series

    def source(column: int) -> dict[str, Any]:
        return {"sourceRange": {"sources": [_range(sheet_id, rows[0], rows[1], column, column + 1)]}}

    basic: dict[str, Any] = {
        "chartType": "COLUMN",
        "legendPosition": "BOTTOM_LEGEND",
        "axis": [{"position": "BOTTOM_AXIS", "title": spec.x_title or table.table.header[spec.category]},
                 {"position": "LEFT_AXIS", "title": spec.y_title}],
        "domains": [{"domain": source(spec.category)}],
        "series": [{"series": source(c), "targetAxis": "LEFT_AXIS"} for c in spec.series],
        "headerCount": 1,
    }
    if spec.stacked:
        basic["stackedType"] = "STACKED"
    return {"addChart": {"chart": {
        "spec": {"title": spec.title, "basicChart": basic},
        "position": {"overlayPosition": {
            "anchorCell": {"sheetId": sheet_id, "rowIndex": chart.anchor_row, "columnIndex": chart.anchor_column},
            "widthPixels": chart.width_px, "heightPixels": chart.height_px}}}}}


# The fields-limited read that finds the report tab, its charts and its filter.
GOOGLE_META_FIELDS = "sheets(properties(sheetId,title),charts(chartId))"
