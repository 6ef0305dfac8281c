"""The Google Sheets store: the live Smart Data sheet, for the jobs and the webhook alike.

One class for every caller: the daily jobs, the monthly report, init-sheet and the LINE
webhook all read and write through `GoogleStore` on the one client, `sheets.client.SheetsClient`
(light enough for the webhook's cold start; its docstring has the figures). They differ in
patience only: `for_webhook` caps config.yaml's sheets.* settings for LINE's 2-second window
(at most 5 s per try, 2 tries, waits of at most 0.2 s, and no append resent after a lost answer:
the repayment's claim decides then); `from_config` takes them as they are.

A load is one values:batchGet of every tab asked, by columns (numbers raw, date cells as the
text they show); a missing tab fails Google's whole batch, so then one fields-limited tab list and a
second read (`sheets.store.batch_read`). Appends write RAW, so text typed in LINE is never
read as a formula or a number, and INSERT_ROWS never writes over a cell.
"""
from __future__ import annotations

import os
import random
import time
from contextlib import nullcontext
from typing import Any, Callable, ContextManager, Mapping, Optional, Sequence

from core.config import Config
from core.schema import header_key, normalize_header
from core.schema import column_letters
from sheets.client import Backoff, SheetsClient, SheetsError, a1_range
from sheets.credentials import TokenSource, token_source_from_env
from sheets.gc_pause import collector_paused
from sheets.report_layout import ReportSheet
from sheets.store import (
    Layout, StoreError, Table, TabTemplate, batch_read, changed_rows, header_of, moved_rows_error, ordered_row,
    row_runs, to_text_cell,
)

NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "date": {"type": "DATE", "pattern": "dd/mm/yyyy"},
    "datetime": {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"},
    "amount": {"type": "NUMBER", "pattern": "#,##0.00"},
    "int": {"type": "NUMBER", "pattern": "0"},
    "text": {"type": "TEXT", "pattern": "@"},
}
NEW_SHEET_ROWS, NEW_SHEET_COLUMNS = 1000, 26  # what Google gives a new sheet
# Under the Thai locale Google Sheets shows a date's year in the Buddhist era and reads 15/01/2569
# typed into a date cell as B.E.: the dd/mm/yyyy patterns above then show what officers type.
THAI_LOCALE = "th_TH"
PROTECT_NOTE = "แท็บนี้โปรแกรมเป็นผู้เขียน แก้ด้วยมือเฉพาะเมื่อจำเป็น"
# By columns: the parse reads a tab column by column, and a column is one list in the answer where a
# row is one list per row (580,000 of them at 80,000 loans: see sheets.store.Table).
READ_OPTIONS = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING",
                "majorDimension": "COLUMNS"}
# A span of rows read to compare with an earlier read by columns: the same cell values, by rows.
SPAN_READ = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"}
# Inside LINE's 2-second window there is no time for long waits: at most this, whatever config says.
WEBHOOK_TIMEOUT_SECONDS, WEBHOOK_MAX_TRIES, WEBHOOK_BACKOFF_SECONDS = 5.0, 2, 0.2


# How long a warm instance waits before asking the tabs' ids again for a tab it did not find.
TAB_IDS_AGAIN = 600.0


class GoogleStore:
    """The Smart Data spreadsheet on Google Sheets."""

    def __init__(self, sheet_id: str, layout: Layout, client: SheetsClient, *, resend_appends: bool = True):
        self.sheet_id = sheet_id
        self.resend_appends = resend_appends  # False: an append whose answer was lost is not sent again
        self.layout = layout
        self.client = client
        self.description = f"Google Sheets {sheet_id}"
        # Header row per tab title as last read or written in this run; None = the tab is missing.
        self._headers: dict[str, Optional[list[str]]] = {}
        self._tab_ids: Optional[dict[str, int]] = None   # tab title -> sheetId, for row_link
        self._tab_ids_at = 0.0                            # when they were asked (time.monotonic)

    @classmethod
    def from_config(cls, sheet_id: str, config: Config, layout: Layout, tokens: Optional[TokenSource] = None,
                    *, sleep: Callable[[float], None] = time.sleep) -> "GoogleStore":
        """For the jobs and the command line: config.yaml's sheets.* settings; tokens from the environment."""
        settings = config.sheets
        backoff = Backoff(settings.max_tries, settings.backoff_seconds, settings.backoff_max_seconds)
        client = SheetsClient(token_source_from_env(os.environ) if tokens is None else tokens,
                              api_url=settings.api_url, timeout_seconds=settings.timeout_seconds,
                              backoff=backoff, sleep=sleep)
        return cls(sheet_id, layout, client)

    @classmethod
    def for_webhook(cls, sheet_id: str, config: Config, layout: Layout, tokens: TokenSource, *,
                    sleep: Callable[[float], None] = time.sleep) -> "GoogleStore":
        """For the LINE webhook: the same store, with no more patience than LINE's 2 seconds allow."""
        settings = config.sheets
        backoff = Backoff(min(settings.max_tries, WEBHOOK_MAX_TRIES),
                          min(settings.backoff_seconds, WEBHOOK_BACKOFF_SECONDS),
                          min(settings.backoff_max_seconds, WEBHOOK_BACKOFF_SECONDS))
        client = SheetsClient(tokens, api_url=settings.api_url,
                              timeout_seconds=min(settings.timeout_seconds, WEBHOOK_TIMEOUT_SECONDS),
                              backoff=backoff, sleep=sleep)
        # A repayment's append is never resent after a lost answer: the webhook says "not known yet" and
        # its claim decides (chat.conversation); a resend could write the row twice.
        return cls(sheet_id, layout, client, resend_appends=False)

    @property
    def requests(self) -> int:
        """Sheets requests this store has sent (each try counts)."""
        return self.client.requests

    def close(self) -> None:
        self.client.close()

    def batch(self) -> ContextManager[None]:
        """Each write is its own request already: nothing to group."""
        return nullcontext()

    # -- reading ---------------------------------------------------------
    def read(self, tab_keys: Sequence[str]) -> dict[str, Table]:
        titles = {key: self.layout.title(key) for key in tab_keys}
        with collector_paused():  # the decode: see sheets/gc_pause.py
            tables = batch_read(titles, self._batch_get, self._sheet_titles, by_columns=True)
        self._headers.update({t.title: (t.header if t.exists else None) for t in tables.values()})
        return tables

    def _batch_get(self, titles: Sequence[str]) -> dict[str, list[list[Any]]]:
        """Whole tabs in one values:batchGet, each as its columns."""
        answer = self.client.values_batch_get(self.sheet_id, [a1_range(t) for t in titles], READ_OPTIONS)
        # Google answers in the order asked.
        return {t: vr.get("values", []) for t, vr in zip(titles, answer.get("valueRanges", []))}

    def row_link(self, tab_title: str, row: int) -> Optional[str]:
        """The spreadsheet opened at this row of the tab (the Sheets app on a phone follows the link).
        The tabs' ids are asked once (one fields-limited spreadsheets.get), and again for a tab not
        among them at most every TAB_IDS_AGAIN seconds (a tab a job adds later: รายงานประจำเดือน);
        None when that fails."""
        now = time.monotonic()
        if self._tab_ids is None or (tab_title not in self._tab_ids and now - self._tab_ids_at >= TAB_IDS_AGAIN):
            try:
                self._tab_ids = {s["properties"]["title"]: s["properties"]["sheetId"]
                                 for s in self._sheets("sheets.properties(sheetId,title)")}
                self._tab_ids_at = now
            except (SheetsError, StoreError):
                return None   # asked again next time: a link is a help, never a reason to fail
        tab_id = self._tab_ids.get(tab_title)
        if tab_id is None or row < 1:
            return None
        return f"https://docs.google.com/spreadsheets/d/{self.sheet_id}/edit#gid={tab_id}&range={row}:{row}"

    def _sheets(self, fields: str) -> list[dict[str, Any]]:
        return self.client.spreadsheets_get(self.sheet_id, params={"fields": fields}).get("sheets", [])

    def _sheet_titles(self) -> set[str]:
        return {s["properties"]["title"] for s in self._sheets("sheets.properties.title")}

    def _header_row(self, title: str) -> Optional[list[str]]:
        """The tab's header row: from this run's cache, else one small read. None if the tab is missing."""
        if title in self._headers:
            return self._headers[title]
        try:
            answer = self.client.values_get(self.sheet_id, a1_range(title, "1:1"),
                                            params={"valueRenderOption": "UNFORMATTED_VALUE"})
        except SheetsError as exc:
            if not exc.bad_range:
                raise
            header = None
        else:
            header = header_of(answer.get("values", []))
        self._headers[title] = header
        return header

    # -- writing ---------------------------------------------------------
    def append(self, tab_key: str, records: Sequence[Mapping[str, Any]]) -> None:
        if not records:
            return
        title = self.layout.title(tab_key)
        wanted = self.layout.headers(tab_key)
        header = self._header_row(title)
        rows: list[list[Any]] = []
        if header is None and self._add_sheet(title, len(wanted)):
            header = [normalize_header(h) for h in wanted]
            rows.append(list(wanted))  # the header goes in with the data: row 1 of an empty tab
        else:
            if header is None:  # someone else created it just now
                self._headers.pop(title, None)
                header = self._header_row(title) or []
            present = {header_key(h) for h in header}
            missing = [h for h in wanted if header_key(h) not in present]
            if missing:
                # New columns go after the last header: nothing typed moves.
                self.client.values_update(self.sheet_id, a1_range(title, f"{column_letters(len(header) + 1)}1"),
                                          params={"valueInputOption": "RAW"}, body={"values": [missing]})
                header = header + [normalize_header(h) for h in missing]
        keys = self.layout.column_keys(tab_key, header)
        for record in records:
            rows.append([to_text_cell(v) for v in ordered_row(keys, record)])
        # RAW keeps text as typed ("0012" stays "0012", "=1+1" stays text); INSERT_ROWS never writes over a cell.
        self.client.values_append(self.sheet_id, a1_range(title),
                                  params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
                                  body={"majorDimension": "ROWS", "values": rows},
                                  resend_unanswered=self.resend_appends)
        self._headers[title] = header

    def move_out(self, tab_key: str, rows: Sequence[int], expected: Sequence[Sequence[Any]],
                 record: Mapping[str, Any]) -> None:
        """The rows read again (only the span from the first to the last of them, by rows) and
        compared, then one batchUpdate: their deleteDimension (the lowest rows first, so that no
        index moves under a later request) and the record's appendCells. Google applies a
        batchUpdate whole or not at all, and it is never resent after a lost answer (sheets.client):
        resent, it would delete the rows that had moved up into the deleted ones' places."""
        title = self.layout.title(tab_key)
        if not rows:
            return
        span = self.client.values_get(self.sheet_id, a1_range(title, f"{rows[0]}:{rows[-1]}"), params=SPAN_READ)
        changed = changed_rows(span.get("values", []), rows[0], rows, expected)
        del span
        if changed:
            raise moved_rows_error(title, changed)
        header = self._header_row(title) or []
        sheet_id = next((s["properties"]["sheetId"] for s in self._sheets("sheets.properties(sheetId,title)")
                         if s["properties"]["title"] == title), None)
        if sheet_id is None:
            raise StoreError(f"ไม่พบแท็บ {title} (tab not found)")
        keys = self.layout.column_keys(tab_key, header)
        requests: list[dict[str, Any]] = [
            {"deleteDimension": {"range": {"sheetId": sheet_id, "dimension": "ROWS",
                                           "startIndex": first - 1, "endIndex": last}}}
            for first, last in reversed(row_runs(rows))]
        requests.append({"appendCells": {"sheetId": sheet_id, "fields": "userEnteredValue", "rows": [
            {"values": [_entered(to_text_cell(v)) for v in ordered_row(keys, record)]}]}})
        self.client.batch_update(self.sheet_id, {"requests": requests})

    def _add_sheet(self, title: str, columns: int) -> bool:
        """Add a tab with a frozen header row; False if it exists already."""
        grid = {"rowCount": NEW_SHEET_ROWS, "columnCount": max(NEW_SHEET_COLUMNS, columns), "frozenRowCount": 1}
        try:
            self.client.batch_update(self.sheet_id, {"requests": [
                {"addSheet": {"properties": {"title": title, "gridProperties": grid}}}]})
        except SheetsError as exc:
            if exc.sheet_exists:
                return False
            raise
        self._headers[title] = []
        return True

    def rewrite(self, tab_key: str, rows: Sequence[Sequence[Any]]) -> None:
        title = self.layout.title(tab_key)
        width = max((len(r) for r in rows), default=0)
        if self._headers.get(title, []) is None:
            if not self._add_sheet(title, width):
                self.client.values_clear(self.sheet_id, a1_range(title))
        else:
            try:
                self.client.values_clear(self.sheet_id, a1_range(title))
            except SheetsError as exc:
                if not exc.bad_range:
                    raise
                self._add_sheet(title, width)
        if rows:
            self.client.values_update(self.sheet_id, a1_range(title, "A1"),
                                    params={"valueInputOption": "RAW"},
                                    body={"majorDimension": "ROWS",
                                          "values": [[to_text_cell(v) for v in r] for r in rows]})
        self._headers[title] = header_of(rows)

    # -- init-sheet ------------------------------------------------------
    def init_template(self, templates: Sequence[TabTemplate]) -> list[str]:
        """Two reads (the locale and tabs, their first two rows) and at most one batchUpdate."""
        answer = self.client.spreadsheets_get(self.sheet_id, params={"fields": (
            "properties(locale),sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,"
            "frozenRowCount)),protectedRanges(protectedRangeId,range,warningOnly))")})
        sheets = {s["properties"]["title"]: s for s in answer.get("sheets", [])}
        in_use = [t.title for t in templates if t.title in sheets]
        top_rows = self._top_rows(in_use) if in_use else {}
        used_ids = {s["properties"].get("sheetId", 0) for s in sheets.values()}
        requests_: list[dict[str, Any]] = []
        actions: list[str] = []
        if answer.get("properties", {}).get("locale") != THAI_LOCALE:
            requests_.append({"updateSpreadsheetProperties": {"properties": {"locale": THAI_LOCALE},
                                                              "fields": "locale"}})
            actions.append("ตั้งภาษาและภูมิภาคของสเปรดชีตเป็นไทย (th_TH): วันที่แสดงเป็นปี พ.ศ. เช่น 15/01/2569")
        for tpl in templates:
            sheet = sheets.get(tpl.title)
            if sheet is None:
                sheet_id = _new_sheet_id(used_ids)
                sheet = {"properties": {"sheetId": sheet_id, "title": tpl.title, "gridProperties": {
                    "rowCount": NEW_SHEET_ROWS, "columnCount": max(NEW_SHEET_COLUMNS, len(tpl.headers)),
                    "frozenRowCount": 1}}}
                requests_.append({"addSheet": sheet})
                actions.append(f"สร้างแท็บ {tpl.title}")
            header, second_row = top_rows.get(tpl.title, ([], []))
            new_requests, new_actions = _template_requests(tpl, sheet, header, second_row,
                                                           created=tpl.title not in sheets)
            requests_ += new_requests
            actions += new_actions
        if requests_:
            self.client.batch_update(self.sheet_id, {"requests": requests_})
        for tpl in templates:  # the header cache no longer holds for these tabs
            self._headers.pop(tpl.title, None)
        return actions

    def _top_rows(self, titles: Sequence[str]) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
        """Per tab: the header texts and the cells of row 2 (their dropdown rule and number format)."""
        answer = self.client.spreadsheets_get(self.sheet_id, params={
            "ranges": [a1_range(t, "1:2") for t in titles],
            "fields": "sheets(properties(title),data(startRow,startColumn,rowData(values("
                      "formattedValue,dataValidation,userEnteredFormat(numberFormat)))))"})
        found: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
        for sheet in answer.get("sheets", []):
            rows: list[list[dict[str, Any]]] = [[], []]
            for grid in sheet.get("data", []):
                pad: list[dict[str, Any]] = [{}] * grid.get("startColumn", 0)
                for i, row in enumerate(grid.get("rowData", []), start=grid.get("startRow", 0)):
                    if i < 2:
                        rows[i] = pad + row.get("values", [])
            header = [normalize_header(c.get("formattedValue")) for c in rows[0]]
            while header and not header[-1]:
                header.pop()
            found[sheet["properties"]["title"]] = (header, rows[1])
        return found

    # -- the monthly report (sheets.report_layout) -------------------------
    def write_report(self, tab_key: str, report: ReportSheet) -> None:
        """Values (clear + update, as rewrite), one fields-limited get, one formatting batchUpdate."""
        from sheets.report_layout import GOOGLE_META_FIELDS, google_requests, place

        placement = place(report)
        self.rewrite(tab_key, [[to_text_cell(v) for v in row] for row in placement.rows])
        title = self.layout.title(tab_key)
        sheet = next((s for s in self._sheets(GOOGLE_META_FIELDS)
                      if s.get("properties", {}).get("title") == title), None)
        if sheet is None:
            raise StoreError(f"ไม่พบแท็บ {title} หลังเขียนรายงาน (tab vanished while writing the report)")
        old_charts = [c["chartId"] for c in sheet.get("charts", []) if "chartId" in c]
        requests_ = google_requests(sheet["properties"].get("sheetId", 0), report, placement, old_charts)
        self.client.batch_update(self.sheet_id, {"requests": requests_})


def _new_sheet_id(used: set[int]) -> int:
    while True:
        candidate = random.randrange(1, 2 ** 31 - 1)
        if candidate not in used:
            used.add(candidate)
            return candidate


def _column_range(sheet_id: int, column: int) -> dict[str, int]:
    """A whole column below the header row."""
    return {"sheetId": sheet_id, "startRowIndex": 1, "startColumnIndex": column, "endColumnIndex": column + 1}


def _template_requests(tpl: TabTemplate, sheet: Mapping[str, Any], header: list[str],
                       second_row: list[dict[str, Any]], created: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """What one tab lacks of its template, as batchUpdate requests and Thai actions."""
    props = sheet["properties"]
    sheet_id = props.get("sheetId", 0)  # Google leaves out a zero id
    grid = props.get("gridProperties", {})
    requests_: list[dict[str, Any]] = []
    actions: list[str] = []
    present: dict[str, int] = {}
    for i, h in enumerate(header):
        if h:
            present.setdefault(header_key(h), i)  # the first of two alike, as the readers take it
    missing = [h for h in tpl.headers if header_key(h) not in present]
    if missing:
        first = len(header)
        shortfall = first + len(missing) - grid.get("columnCount", NEW_SHEET_COLUMNS)
        if shortfall > 0:
            requests_.append({"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": shortfall}})
        cells = [{"userEnteredValue": {"stringValue": h}, "userEnteredFormat": {"textFormat": {"bold": True}}}
                 for h in missing]
        requests_.append({"updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": first},
            "rows": [{"values": cells}], "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}})
        for offset, h in enumerate(missing):
            present[header_key(h)] = first + offset
            actions.append(f"เพิ่มคอลัมน์ '{h}' ในแท็บ {tpl.title}")
    if created:
        actions.append(f"ตรึงแถวหัวตารางแท็บ {tpl.title}")  # addSheet froze it
    elif grid.get("frozenRowCount", 0) < 1:
        requests_.append({"updateSheetProperties": {
            "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount"}})
        actions.append(f"ตรึงแถวหัวตารางแท็บ {tpl.title}")

    def cell_below(h: str) -> tuple[Optional[int], dict[str, Any]]:
        column = present.get(header_key(h))
        if column is None:
            return None, {}
        return column, (second_row[column] if column < len(second_row) else {})

    for h, values in tpl.dropdowns.items():
        column, cell = cell_below(h)
        if column is None:
            continue
        rule = cell.get("dataValidation", {})
        listed = [v.get("userEnteredValue") for v in rule.get("condition", {}).get("values", [])]
        if rule.get("condition", {}).get("type") == "ONE_OF_LIST" and listed == list(values):
            continue
        requests_.append({"setDataValidation": {"range": _column_range(sheet_id, column), "rule": {
            "condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in values]},
            "strict": False, "showCustomUi": True}}})
        actions.append(f"ใส่รายการเลือกคอลัมน์ '{h}' แท็บ {tpl.title}")
    for h, kind in tpl.formats.items():
        column, cell = cell_below(h)
        fmt = NUMBER_FORMATS.get(kind)
        if column is None or fmt is None:
            continue
        current = cell.get("userEnteredFormat", {}).get("numberFormat", {})
        if current.get("type") == fmt["type"] and (fmt["type"] == "TEXT" or current.get("pattern") == fmt["pattern"]):
            continue
        # A number format changes how a value shows, never the value a person typed.
        requests_.append({"repeatCell": {"range": _column_range(sheet_id, column),
                                         "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                                         "fields": "userEnteredFormat.numberFormat"}})
        actions.append(f"ตั้งรูปแบบคอลัมน์ '{h}' แท็บ {tpl.title}")
    if tpl.protect and not any(_whole_sheet(p.get("range", {})) for p in sheet.get("protectedRanges", [])):
        requests_.append({"addProtectedRange": {"protectedRange": {
            "range": {"sheetId": sheet_id}, "warningOnly": True, "description": PROTECT_NOTE}}})
        actions.append(f"ป้องกันแท็บ {tpl.title} (เตือนก่อนแก้)")
    return requests_, actions


def _whole_sheet(grid_range: Mapping[str, Any]) -> bool:
    return not any(k in grid_range for k in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"))


def _entered(value: Any) -> dict[str, Any]:
    """A CellData as valueInputOption RAW would enter the value: text stays text, a number a number."""
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    if value in (None, ""):
        return {}
    return {"userEnteredValue": {"stringValue": str(value)}}
