"""A local fake of the Google Sheets v4 REST API, served over real HTTP on 127.0.0.1.

It holds spreadsheets in memory and answers the endpoints gspread and
`sheets.google` use. Every answer it gives, and every request body and query
parameter it gets, is checked against the Sheets v4 discovery document that
ships with google-api-python-client: a property the document does not declare,
a wrong type or an unknown enum value is recorded in `fake.violations` (a
response violation also turns the answer into a 500, so the test sees it).

Tests count requests (`fake.requests`, `fake.count(kind)`) and program faults
(`fail_next`, `fail_always`, `delay_next`, `lose_answer_next`: the request is carried out,
then the connection is closed without an answer). Kinds are the discovery method
names: "spreadsheets.get", "spreadsheets.batchUpdate", "values.get",
"values.batchGet", "values.append", "values.update", "values.clear",
"values.batchClear".

Answers are gzip-compressed as Google's are: only when the request accepts gzip and its
User-Agent names "gzip" (`RecordedRequest.gzipped` says which were).

What is simplified: no formulas; append finds the end of the table as the
last non-empty row of the whole sheet; inserted rows do not shift formats or
dropdown rules; formatted numbers know only the patterns the store uses.
"""
from __future__ import annotations

import copy
import datetime as dt
import functools
import gzip
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union
from urllib.parse import parse_qs, unquote, urlsplit

import googleapiclient
import orjson

from tests.fakes.loopback import Faulty, LoopbackFake, pretty_printed

DISCOVERY_PATH = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "sheets.v4.json"

STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                408: "DEADLINE_EXCEEDED", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                501: "UNIMPLEMENTED", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
FAULT_MESSAGES = {
    400: "Invalid argument (programmed fault).",
    403: "The caller does not have permission",
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
         "of service 'sheets.googleapis.com'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
NEW_ROWS, NEW_COLUMNS = 1000, 26
# zlib's default, as web servers compress: level 9 (gzip.compress's default) takes 5 s on a big
# province's answer read by columns, whose long runs of alike cells it searches hardest, for 7 % less.
GZIP_LEVEL = 6
# Reads whose answer replay mode may prepare (see SheetsFake.replay_reads).
REPLAYABLE = frozenset({"values.batchGet", "values.get", "spreadsheets.get"})
SERIAL_EPOCH = dt.datetime(1899, 12, 30)
_SKIP = object()  # an input cell that leaves the cell as it is (JSON null)

Bounds = tuple[int, Optional[int], int, Optional[int]]  # row start, row end, col start, col end (end exclusive)


class FakeAPIError(Exception):
    """An error answer in Google's shape."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": STATUS_NAMES.get(self.code, "UNKNOWN")}}


# -- the discovery document ---------------------------------------------
class Discovery:
    """The Sheets v4 discovery document: schemas and method parameters."""

    def __init__(self, document: dict[str, Any]):
        self.schemas: dict[str, Any] = document["schemas"]
        self.global_params: dict[str, Any] = document["parameters"]
        resource = document["resources"]["spreadsheets"]
        self.methods: dict[str, dict[str, Any]] = {f"spreadsheets.{n}": m for n, m in resource["methods"].items()}
        self.methods.update({f"values.{n}": m for n, m in resource["resources"]["values"]["methods"].items()})

    def check(self, value: Any, schema_name: str, request: bool = False) -> list[str]:
        """What in `value` the named schema does not allow.

        In a request, null means "not set" (proto3 JSON; gspread sends it); Google never answers null.
        """
        errors: list[str] = []
        self._walk(value, {"$ref": schema_name}, schema_name, errors, request)
        return errors

    def _walk(self, value: Any, schema: dict[str, Any], path: str, errors: list[str], request: bool) -> None:
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        kind = schema.get("type")
        if kind == "any" or (value is None and request):
            return
        if value is None:
            errors.append(f"{path}: null where the schema wants {kind}")
        elif kind == "object":
            if not isinstance(value, dict):
                errors.append(f"{path}: expected an object, got {type(value).__name__}")
                return
            props, extra = schema.get("properties", {}), schema.get("additionalProperties")
            for key, item in value.items():
                sub = props.get(key, extra)
                if sub is None:
                    errors.append(f"{path}: property '{key}' is not in the schema")
                else:
                    self._walk(item, sub, f"{path}.{key}", errors, request)
        elif kind == "array":
            if not isinstance(value, list):
                errors.append(f"{path}: expected an array, got {type(value).__name__}")
                return
            items = schema.get("items", {})
            if items.get("type") == "array" and items.get("items", {}).get("type") == "any":
                # ValueRange.values: checked row by row without a call per row (large sheets).
                if not all(type(row) is list for row in value):
                    errors.append(f"{path}: every row must be an array")
                return
            for i, item in enumerate(value):
                self._walk(item, items, f"{path}[{i}]", errors, request)
        elif kind == "string":
            if not isinstance(value, str):
                errors.append(f"{path}: expected a string, got {type(value).__name__}")
            elif "enum" in schema and value not in schema["enum"]:
                errors.append(f"{path}: '{value}' is not one of {schema['enum']}")
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append(f"{path}: expected an integer, got {type(value).__name__}")
            elif schema.get("format") == "int32" and not -2 ** 31 <= value < 2 ** 31:
                errors.append(f"{path}: {value} does not fit int32")
        elif kind == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                errors.append(f"{path}: expected a number, got {type(value).__name__}")
        elif kind == "boolean":
            if not isinstance(value, bool):
                errors.append(f"{path}: expected a boolean, got {type(value).__name__}")

    def check_params(self, kind: str, query: dict[str, list[str]]) -> list[str]:
        """Query parameters the method (or the API's global parameters) does not take."""
        method_params = self.methods[kind].get("parameters", {})
        errors = []
        for name, values in query.items():
            spec = method_params.get(name) or self.global_params.get(name)
            if spec is None or spec.get("location", "query") != "query":
                errors.append(f"{kind}: unknown query parameter '{name}'")
                continue
            if len(values) > 1 and not spec.get("repeated"):
                errors.append(f"{kind}: parameter '{name}' given {len(values)} times")
            for value in values:
                if "enum" in spec and value not in spec["enum"]:
                    errors.append(f"{kind}: {name}='{value}' is not one of {spec['enum']}")
                # Google takes any case: gspread sends Python's "False" and real calls work.
                if spec.get("type") == "boolean" and value.lower() not in ("true", "false"):
                    errors.append(f"{kind}: {name}='{value}' is not true/false")
        return errors


@functools.lru_cache(maxsize=1)
def load_discovery(path: Path = DISCOVERY_PATH) -> Discovery:
    return Discovery(json.loads(path.read_text(encoding="utf-8")))


# -- A1 notation ----------------------------------------------------------
_CELL = re.compile(r"([A-Za-z]{0,3})(\d{0,7})")


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number - 1


def parse_cells(text: str) -> Optional[Bounds]:
    """'A1', 'A1:Z', 'A:C', '1:1', 'B2:D9' as 0-based half-open bounds; None if not A1."""
    parts = text.split(":")
    if len(parts) > 2 or not all(parts):
        return None
    matches = [_CELL.fullmatch(p) for p in parts]
    if not all(m and (m.group(1) or m.group(2)) for m in matches):
        return None
    (c0, r0), (c1, r1) = [(m.group(1), m.group(2)) for m in matches] * (2 // len(matches))
    if len(parts) == 1 and not (c0 and r0):
        return None  # a lone 'A' or '1' is not a range
    if (r0 and int(r0) == 0) or (r1 and int(r1) == 0):
        return None
    return (int(r0) - 1 if r0 else 0, int(r1) if r1 else None,
            _column_index(c0) if c0 else 0, _column_index(c1) + 1 if c1 else None)


def split_range(text: str) -> tuple[Optional[str], Optional[str]]:
    """"'Sheet ''1'!A1:B2" -> ("Sheet '1", "A1:B2"); a bare word gives (word, None)."""
    if text.startswith("'"):
        title, i = [], 1
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                rest = text[i + 1:]
                if rest == "":
                    return "".join(title), None
                if rest.startswith("!"):
                    return "".join(title), rest[1:]
                break
            title.append(text[i])
            i += 1
        raise FakeAPIError(400, f"Unable to parse range: {text}")
    if "!" in text:
        title, cells = text.rsplit("!", 1)
        return title, cells
    return text, None


def quote_title(title: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_]+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


# -- the spreadsheet model ------------------------------------------------
def _rstrip(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row if end == len(row) else row[:end]


def _covers(bounds: Bounds, r: int, c: int) -> bool:
    r0, r1, c0, c1 = bounds
    return r0 <= r and (r1 is None or r < r1) and c0 <= c and (c1 is None or c < c1)


def _cut(bounds: Bounds, axis: int, start: int, end: int) -> Optional[Bounds]:
    """Bounds after the rows (axis 0) or columns (axis 2) start..end-1 were deleted; None if all went."""
    def moved(index: int) -> int:  # an edge inside the deleted span lands where it began
        return index if index <= start else start if index <= end else index - (end - start)

    low, high = moved(bounds[axis]), None if bounds[axis + 1] is None else moved(bounds[axis + 1])
    if high is not None and high <= low:
        return None
    cut = list(bounds)
    cut[axis], cut[axis + 1] = low, high
    return (cut[0], cut[1], cut[2], cut[3])


def grid_bounds(grid_range: dict[str, Any]) -> Bounds:
    return (grid_range.get("startRowIndex", 0), grid_range.get("endRowIndex"),
            grid_range.get("startColumnIndex", 0), grid_range.get("endColumnIndex"))


@dataclass
class FakeSheet:
    """One tab: its SheetProperties JSON, cell values (None = empty) and what init-sheet lays on it."""

    properties: dict[str, Any]
    rows: list[list[Any]] = field(default_factory=list)  # no trailing empty cells or rows
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    validations: list[tuple[Bounds, Optional[dict[str, Any]]]] = field(default_factory=list)  # later wins
    formats: list[tuple[Bounds, dict[str, Any]]] = field(default_factory=list)  # CellFormat patches
    has_dates: bool = False
    charts: list[dict[str, Any]] = field(default_factory=list)  # EmbeddedChart JSON (with chartId)
    basic_filter: Optional[dict[str, Any]] = None                # BasicFilter JSON
    pixel_sizes: dict[tuple[str, int], int] = field(default_factory=dict)  # (ROWS|COLUMNS, index) -> px

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def grid(self) -> dict[str, Any]:
        return self.properties["gridProperties"]

    @property
    def row_count(self) -> int:
        return self.grid["rowCount"]

    @property
    def column_count(self) -> int:
        return self.grid["columnCount"]

    @property
    def frozen_row_count(self) -> int:
        return self.grid.get("frozenRowCount", 0)

    def clone(self) -> "FakeSheet":
        return FakeSheet(copy.deepcopy(self.properties), [r[:] for r in self.rows],
                         copy.deepcopy(self.protected_ranges), list(self.validations), list(self.formats),
                         self.has_dates, copy.deepcopy(self.charts), copy.deepcopy(self.basic_filter),
                         dict(self.pixel_sizes))

    def validation_at(self, row: int, col: int) -> Optional[dict[str, Any]]:
        """The dropdown rule on a cell (0-based), if any."""
        for bounds, rule in reversed(self.validations):
            if _covers(bounds, row, col):
                return rule
        return None

    def format_at(self, row: int, col: int) -> dict[str, Any]:
        """The cell's userEnteredFormat (0-based)."""
        merged: dict[str, Any] = {}
        for bounds, patch in self.formats:
            if _covers(bounds, row, col):
                for key, value in patch.items():
                    if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "numberFormat":
                        merged[key] = {**merged[key], **value}
                    else:
                        merged[key] = value  # None resets that part
        return {k: v for k, v in merged.items() if v is not None}

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def fit(self, rows: int, columns: int) -> None:
        """Grow the grid as the values API does when writing past its edge."""
        self.grid["rowCount"] = max(self.row_count, rows)
        self.grid["columnCount"] = max(self.column_count, columns)

    def write(self, row0: int, col0: int, matrix: Sequence[Sequence[Any]]) -> None:
        """Set cells from a block of already converted values (_SKIP leaves a cell, None empties it)."""
        for i, values in enumerate(matrix):
            r = row0 + i
            while len(self.rows) <= r:
                self.rows.append([])
            row = self.rows[r]
            for j, v in enumerate(values):
                if v is _SKIP:
                    continue
                c = col0 + j
                if len(row) <= c:
                    if v is None:
                        continue
                    row.extend([None] * (c + 1 - len(row)))
                row[c] = v
                if isinstance(v, dt.date):
                    self.has_dates = True
            self.rows[r] = _rstrip(row)
        self._trim_rows()
        width = max((len(v) for v in matrix), default=0)
        self.fit(row0 + len(matrix), col0 + width)

    def clear(self, bounds: Bounds) -> None:
        r0, r1, c0, c1 = bounds
        for r in range(r0, min(len(self.rows), r1 if r1 is not None else len(self.rows))):
            row = self.rows[r]
            for c in range(c0, min(len(row), c1 if c1 is not None else len(row))):
                row[c] = None
            self.rows[r] = _rstrip(row)
        self._trim_rows()

    def _trim_rows(self) -> None:
        while self.rows and not self.rows[-1]:
            self.rows.pop()


@dataclass
class FakeSpreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[FakeSheet] = field(default_factory=list)
    next_protected_range_id: int = 1000
    # A new spreadsheet takes its locale from its creator's account: en_US here, until init-sheet sets th_TH.
    locale: str = "en_US"

    def sheet(self, title: str) -> Optional[FakeSheet]:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        return None

    def sheet_by_id(self, sheet_id: int) -> FakeSheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise FakeAPIError(400, f"No grid with id: {sheet_id}")

    def add_sheet(self, title: str, sheet_id: Optional[int] = None, index: Optional[int] = None,
                  grid: Optional[dict[str, Any]] = None) -> FakeSheet:
        if any(s.title.lower() == title.lower() for s in self.sheets):
            raise FakeAPIError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
        used = {s.sheet_id for s in self.sheets}
        if sheet_id is None:  # the first sheet is 0, later ones get random ids like Google's
            sheet_id = 0
            while sheet_id in used:
                sheet_id = random.randrange(1, 2 ** 31 - 1)
        elif sheet_id in used:
            raise FakeAPIError(400, f"Sheet with id {sheet_id} already exists.")
        grid_properties = {"rowCount": NEW_ROWS, "columnCount": NEW_COLUMNS, **(grid or {})}
        if not grid_properties.get("frozenRowCount"):
            grid_properties.pop("frozenRowCount", None)
        index = len(self.sheets) if index is None else min(index, len(self.sheets))
        sheet = FakeSheet({"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
                           "gridProperties": grid_properties})
        self.sheets.insert(index, sheet)
        self._reindex()
        return sheet

    def delete_sheet(self, sheet_id: int) -> None:
        sheet = self.sheet_by_id(sheet_id)
        if len(self.sheets) == 1:
            raise FakeAPIError(400, "You can't remove all the sheets in a document.")
        self.sheets.remove(sheet)
        self._reindex()

    def _reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.properties["index"] = i

    def clone(self) -> "FakeSpreadsheet":
        return FakeSpreadsheet(self.spreadsheet_id, self.title, [s.clone() for s in self.sheets],
                               self.next_protected_range_id, self.locale)

    def resolve(self, text: str) -> tuple[FakeSheet, Bounds]:
        """A range in A1 notation -> its sheet and bounds; 400 like Google when it names no sheet."""
        title, cells = split_range(text)
        sheet = self.sheet(title) if title is not None else None
        if sheet is None and cells is None and not text.startswith("'") and parse_cells(text) and self.sheets:
            sheet, cells = self.sheets[0], text  # 'A1:B2' alone means the first sheet
        if sheet is None:
            raise FakeAPIError(400, f"Unable to parse range: {text}")
        if cells is None:
            return sheet, (0, None, 0, None)
        bounds = parse_cells(cells)
        if bounds is None:
            raise FakeAPIError(400, f"Unable to parse range: {text}")
        return sheet, bounds


# -- rendering values -------------------------------------------------------
def _serial(value: dt.date) -> float:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    delta = moment.replace(tzinfo=None) - SERIAL_EPOCH
    return delta.days + delta.seconds / 86400


@functools.lru_cache(maxsize=65536)
def _format_date(value: dt.date, pattern: Optional[str], buddhist_era: bool = False) -> str:
    """Memoised: a sheet repeats the same dates many times and the bench reads 100,000s of them.
    Under the Thai locale (th_TH) Google shows a date's year in the Buddhist era: yyyy is year + 543."""
    pattern = pattern or ("d/m/yyyy h:mm:ss" if isinstance(value, dt.datetime) else "d/m/yyyy")
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    out = pattern.replace("yyyy", f"{moment.year + (543 if buddhist_era else 0):04d}")
    out = out.replace("hh:mm", f"{moment.hour:02d}:{moment.minute:02d}").replace("h:mm", f"{moment.hour}:{moment.minute:02d}")
    out = out.replace(":ss", f":{moment.second:02d}")
    out = out.replace("dd", f"{moment.day:02d}").replace("mm", f"{moment.month:02d}")
    return out.replace("d/", f"{moment.day}/").replace("/m/", f"/{moment.month}/")


def _format_number(value: float, pattern: Optional[str]) -> str:
    if pattern == "#,##0.00":
        return f"{value:,.2f}"
    if pattern == "0":
        return f"{value:.0f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render(value: Any, value_option: str, date_option: str, number_format: Optional[dict[str, Any]],
           buddhist_era: bool = False) -> Any:
    """A stored value as the values API gives it back."""
    if value is None:
        return ""
    pattern = (number_format or {}).get("pattern")
    if isinstance(value, dt.date):
        if value_option == "FORMATTED_VALUE" or date_option == "FORMATTED_STRING":
            return _format_date(value, pattern, buddhist_era)
        return _serial(value)
    if value_option != "FORMATTED_VALUE":
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _format_number(value, pattern)
    return value


def _input_value(value: Any, option: str) -> Any:
    """A written cell as the fake stores it: RAW keeps text as typed; USER_ENTERED reads numbers."""
    if value is None:
        return _SKIP
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if not isinstance(value, str):
        raise FakeAPIError(400, f"Invalid value of type {type(value).__name__}")
    if value == "":
        return None
    if option == "USER_ENTERED":
        if value.startswith("'"):
            return value[1:]
        if value.upper() in ("TRUE", "FALSE"):
            return value.upper() == "TRUE"
        if re.fullmatch(r"[+-]?\d+", value.strip()):
            return int(value)
        if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+)", value.strip()):
            return float(value)
    return value


def _a1(sheet: FakeSheet, bounds: Bounds) -> str:
    """The range an answer reports: the asked bounds clipped to the grid."""
    r0, r1, c0, c1 = bounds
    r1 = min(r1 if r1 is not None else sheet.row_count, sheet.row_count)
    c1 = min(c1 if c1 is not None else sheet.column_count, sheet.column_count)
    return f"{quote_title(sheet.title)}!{column_letter(c0)}{r0 + 1}:{column_letter(max(c0, c1 - 1))}{max(r0 + 1, r1)}"


def read_values(sheet: FakeSheet, bounds: Bounds, value_option: str, date_option: str,
                major: str = "ROWS", buddhist_era: bool = False) -> list[list[Any]]:
    """The values API's rows: trailing empty cells and rows left out, blanks inside as ""."""
    r0, r1, c0, c1 = bounds
    stop = min(r1 if r1 is not None else sheet.row_count, sheet.row_count, len(sheet.rows))
    plain = value_option != "FORMATTED_VALUE" and not sheet.has_dates
    out: list[list[Any]] = []
    for r in range(r0, stop):
        row = sheet.rows[r]
        if c0 or (c1 is not None and c1 < len(row)):
            row = _rstrip(row[c0:c1])
        if plain:
            out.append(["" if v is None else v for v in row] if None in row else row[:])
        elif value_option != "FORMATTED_VALUE":
            # Unformatted: only date cells depend on their format, so only they look it up.
            out.append([render(v, value_option, date_option, sheet.format_at(r, c0 + j).get("numberFormat"),
                               buddhist_era) if isinstance(v, dt.date) else ("" if v is None else v) for j, v in enumerate(row)])
        else:
            out.append([render(v, value_option, date_option,
                               sheet.format_at(r, c0 + j).get("numberFormat") if v is not None else None,
                               buddhist_era)
                        for j, v in enumerate(row)])
    while out and not out[-1]:
        out.pop()
    if major == "COLUMNS":
        width = max((len(r) for r in out), default=0)
        out = [_rstrip_text([r[j] if j < len(r) else "" for r in out]) for j in range(width)]
    return out


def _rstrip_text(values: list[Any]) -> list[Any]:
    while values and values[-1] == "":
        values.pop()
    return values


def _extended(value: Any) -> Optional[dict[str, Any]]:
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if isinstance(value, dt.date):
        return {"numberValue": _serial(value)}
    return {"stringValue": str(value)}


def _cell_data(sheet: FakeSheet, r: int, c: int) -> dict[str, Any]:
    cell: dict[str, Any] = {}
    value = sheet.value(r, c)
    fmt = sheet.format_at(r, c)
    if value is not None:
        cell["userEnteredValue"] = _extended(value)
        cell["effectiveValue"] = _extended(value)
        cell["formattedValue"] = render(value, "FORMATTED_VALUE", "FORMATTED_STRING", fmt.get("numberFormat"))
    if fmt:
        cell["userEnteredFormat"] = copy.deepcopy(fmt)
    rule = sheet.validation_at(r, c)
    if rule:
        cell["dataValidation"] = copy.deepcopy(rule)
    return cell


def grid_data(sheet: FakeSheet, bounds: Bounds) -> dict[str, Any]:
    r0, r1, c0, c1 = bounds
    r1 = min(r1 if r1 is not None else sheet.row_count, sheet.row_count)
    c1 = min(c1 if c1 is not None else sheet.column_count, sheet.column_count)
    row_data = []
    for r in range(r0, r1):
        cells = [_cell_data(sheet, r, c) for c in range(c0, c1)]
        while cells and not cells[-1]:
            cells.pop()
        row_data.append({"values": cells} if cells else {})
    while row_data and not row_data[-1]:
        row_data.pop()
    data: dict[str, Any] = {"rowData": row_data}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    return data


# -- field masks ----------------------------------------------------------
def parse_fields(text: str) -> dict[str, Any]:
    """'sheets(properties(title),data)' -> {'sheets': {'properties': {'title': None}, 'data': None}}."""
    pos = 0

    def parse_list() -> dict[str, Any]:
        nonlocal pos
        tree: dict[str, Any] = {}
        while pos < len(text) and text[pos] != ")":
            start = pos
            while pos < len(text) and text[pos] not in ",()":
                pos += 1
            path = text[start:pos].strip().split(".")
            sub: Optional[dict[str, Any]] = None  # None: the whole value
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list()
                pos += 1  # ')'
            for part in reversed(path[1:]):  # 'a.b.c' is a(b(c))
                sub = {part: sub}
            head = path[0]
            tree[head] = _merge_trees(tree[head], sub) if head in tree else sub
            if pos < len(text) and text[pos] == ",":
                pos += 1
        return tree

    return parse_list()


def _merge_trees(a: Optional[dict[str, Any]], b: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    if a is None or b is None:
        return None
    merged = dict(a)
    for key, sub in b.items():
        merged[key] = _merge_trees(merged[key], sub) if key in merged else sub
    return merged


def prune(value: Any, tree: Optional[dict[str, Any]]) -> Any:
    if tree is None or "*" in tree:
        return value
    if isinstance(value, list):
        return [prune(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: prune(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def _set_path(target: dict[str, Any], source: dict[str, Any], path: list[str]) -> None:
    """Copy one dotted field from `source` to `target` (absent in source = reset)."""
    for part in path[:-1]:
        target = target.setdefault(part, {})
        source = source.get(part, {}) if isinstance(source, dict) else {}
    if isinstance(source, dict) and path[-1] in source:
        target[path[-1]] = copy.deepcopy(source[path[-1]])
    else:
        target.pop(path[-1], None)


# -- requests and faults ----------------------------------------------------
@dataclass
class RecordedRequest:
    """One request as the fake saw it."""

    method: str
    path: str  # percent-decoded
    query: dict[str, list[str]]
    kind: Optional[str]  # discovery method name, None if no route
    status: int = 0
    seconds: float = 0.0  # time the fake spent answering (without programmed delays)
    answer_lost: bool = False  # carried out, but the connection was closed instead of answering
    bearer: str = ""  # the access token the request carried
    user_project: str = ""  # x-goog-user-project: the project billed for a user's (ADC) request
    gzipped: bool = False  # answered gzip-compressed (the request accepted gzip and said so in its User-Agent)


@dataclass
class _Fault:
    status: Optional[int]
    delay: float
    times: Optional[int]  # None = for ever
    kind: Optional[str]
    message: str
    lose_answer: bool = False


class SheetsFake(LoopbackFake, Faulty):
    """A started fake Sheets API; use `url` as the API base URL."""

    def __init__(self) -> None:
        self.discovery = load_discovery()
        self.spreadsheets: dict[str, FakeSpreadsheet] = {}
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self._faults: list[_Fault] = []
        # Replay mode (the benchmark's): read answers as prepared bytes, keyed by the request.
        self._replay: Optional[dict[str, bytes]] = None
        # Called with the spreadsheet's id after every change (a write, a person's edit): the Drive
        # fake follows it with the file's version (DriveFake.follow_sheets).
        self.on_change: list[Callable[[str], None]] = []
        self._lock = threading.RLock()

    # -- test helpers ---------------------------------------------------
    def create_spreadsheet(self, spreadsheet_id: str, title: str = "Smart Data",
                           sheet_titles: Iterable[str] = ("Sheet1",)) -> FakeSpreadsheet:
        with self._lock:
            spreadsheet = FakeSpreadsheet(spreadsheet_id, title)
            for name in sheet_titles:
                spreadsheet.add_sheet(name)
            self.spreadsheets[spreadsheet_id] = spreadsheet
            return spreadsheet

    def sheet(self, spreadsheet_id: str, title: str) -> FakeSheet:
        """A tab's state; look it up again after a batchUpdate (which swaps in a new copy)."""
        found = self.spreadsheets[spreadsheet_id].sheet(title)
        if found is None:
            raise KeyError(f"no tab {title!r}")
        return found

    def titles(self, spreadsheet_id: str) -> list[str]:
        return [s.title for s in self.spreadsheets[spreadsheet_id].sheets]

    def set_rows(self, spreadsheet_id: str, title: str, rows: Sequence[Sequence[Any]]) -> FakeSheet:
        """Replace a tab's values as a person would type them (dates as real date cells); creates the tab."""
        with self._lock:
            spreadsheet = self.spreadsheets[spreadsheet_id]
            sheet = spreadsheet.sheet(title) or spreadsheet.add_sheet(title)
            sheet.rows = [_rstrip([None if v == "" else v for v in row]) for row in rows]
            sheet._trim_rows()
            sheet.has_dates = sheet.has_dates or any(isinstance(v, dt.date) for row in sheet.rows for v in row)
            sheet.fit(len(sheet.rows), max((len(r) for r in sheet.rows), default=0))
        self._changed(spreadsheet_id)
        return sheet

    def edit_cell(self, spreadsheet_id: str, title: str, row: int, col: int, value: Any) -> None:
        """A person types `value` into one cell (row and col 1-based, as the sheet shows them)."""
        with self._lock:
            sheet = self.sheet(spreadsheet_id, title)
            sheet.write(row - 1, col - 1, [[value]])
            if self._replay is not None:
                self._replay.clear()
        self._changed(spreadsheet_id)

    def _changed(self, spreadsheet_id: str) -> None:
        for hook in list(self.on_change):
            hook(spreadsheet_id)

    def rows(self, spreadsheet_id: str, title: str) -> list[list[Any]]:
        """A tab's stored values (None = empty), trailing blanks left out."""
        with self._lock:
            return [list(r) for r in self.sheet(spreadsheet_id, title).rows]

    def fail_next(self, status: int, times: int = 1, kind: Optional[str] = None,
                  message: Optional[str] = None) -> None:
        """Answer the next `times` requests (of `kind`) with this HTTP error."""
        self._add_fault(_Fault(status, 0.0, times, kind, message or FAULT_MESSAGES.get(status, "Programmed fault.")))

    def fail_always(self, status: int, kind: Optional[str] = None, message: Optional[str] = None) -> None:
        self._add_fault(_Fault(status, 0.0, None, kind, message or FAULT_MESSAGES.get(status, "Programmed fault.")))

    def delay_next(self, seconds: float, times: int = 1, kind: Optional[str] = None) -> None:
        """Answer the next `times` requests only after `seconds` (to trip client timeouts)."""
        self._add_fault(_Fault(None, seconds, times, kind, ""))

    def lose_answer_next(self, times: int = 1, kind: Optional[str] = None) -> None:
        """Carry out the next `times` requests (of `kind`), then hang up instead of answering,
        as when a connection drops on the way back: the client cannot know the write was made."""
        self._add_fault(_Fault(None, 0.0, times, kind, "", lose_answer=True))

    def replay_reads(self, on: bool = True) -> None:
        """Answer a read that was answered before with the same bytes, without rendering it again.

        For the benchmark: a national-size batchGet costs the fake seconds to render (40 MB), which
        is the fake's time, not the program's. The answer is rendered once (the first time that
        request comes, e.g. a warm-up read before the measured run) and replayed, keyed by the
        request's method and path with its query. Any other request (a write) drops every prepared
        answer, so a replayed answer is never stale. Faults, the bearer check and the request
        record apply as always."""
        with self._lock:
            self._replay = {} if on else None

    @property
    def replayed(self) -> int:
        """How many read answers are prepared (0 when replay is off)."""
        with self._lock:
            return len(self._replay or {})

    # -- HTTP -------------------------------------------------------------
    def handle(self, request: BaseHTTPRequestHandler, method: str) -> tuple[int, Union[dict[str, Any], bytes], bool]:
        """(status, answer (bytes when replayed: gzip-compressed when `record.gzipped`), whether to
        hang up instead of answering)."""
        started = time.perf_counter()
        delayed = 0.0
        split = urlsplit(request.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(request.headers.get("Content-Length") or 0)
        raw_body = request.rfile.read(length) if length else b""
        kind, spreadsheet_id, range_text = _route(method, split.path)
        record = RecordedRequest(method, unquote(split.path), query, kind)
        record.gzipped = wants_gzip(request.headers)
        fault: Optional[_Fault] = None
        with self._lock:
            self.requests.append(record)
        try:
            auth = request.headers.get("Authorization", "")
            record.bearer = auth[7:].strip() if auth.startswith("Bearer ") else ""
            record.user_project = request.headers.get("x-goog-user-project", "")
            if not auth.startswith("Bearer ") or not auth[7:].strip():
                raise FakeAPIError(401, "Request is missing required authentication credential. Expected OAuth 2 "
                                        "access token, login cookie or other valid authentication credential.")
            fault = self._take_fault(kind)
            if fault and fault.delay:
                time.sleep(fault.delay)
                delayed = fault.delay
            if fault and fault.status:
                raise FakeAPIError(fault.status, fault.message)
            if kind is None:
                raise FakeAPIError(404, f"Method not found: {method} {split.path}")
            status, payload = 200, self._replayed_answer(method, request.path, kind, spreadsheet_id,
                                                         range_text, query, raw_body, record.gzipped)
        except FakeAPIError as exc:
            status, payload = exc.code, exc.body()
        except Exception as exc:  # a bug in the fake: make it loud
            self._violate(f"{kind}: the fake crashed: {type(exc).__name__}: {exc}")
            status, payload = 500, FakeAPIError(500, f"fake crashed: {exc}").body()
        record.status = status
        record.seconds = time.perf_counter() - started - delayed
        record.answer_lost = bool(fault and fault.lose_answer)
        return status, payload, record.answer_lost

    def _replayed_answer(self, method: str, raw_path: str, kind: str, spreadsheet_id: str,
                         range_text: Optional[str], query: dict[str, list[str]],
                         raw_body: bytes, gzipped: bool) -> Union[dict[str, Any], bytes]:
        """The answer, from the prepared bytes in replay mode (see replay_reads): compressed
        beforehand too when the request asks for gzip, so that neither cost is in a figure."""
        with self._lock:
            replay = self._replay
            if replay is not None and kind not in REPLAYABLE:
                replay.clear()  # a write: what was prepared may be stale
        if replay is None or kind not in REPLAYABLE:
            return self._answer(kind, spreadsheet_id, range_text, query, raw_body)
        key = f"{method} {raw_path} {'gzip' if gzipped else ''}"
        with self._lock:
            prepared = replay.get(key)
        if prepared is None:
            prepared = encode_answer(self._answer(kind, spreadsheet_id, range_text, query, raw_body), query)
            if gzipped:
                prepared = gzip.compress(prepared, GZIP_LEVEL)
            with self._lock:
                if self._replay is replay:
                    replay[key] = prepared
        return prepared

    def _answer(self, kind: str, spreadsheet_id: str, range_text: Optional[str],
                query: dict[str, list[str]], raw_body: bytes) -> dict[str, Any]:
        method = self.discovery.methods[kind]
        problems = self.discovery.check_params(kind, query)
        if problems:
            for problem in problems:
                self._violate(problem)
            raise FakeAPIError(400, f"Invalid JSON payload received. {problems[0]}")
        try:
            body = json.loads(raw_body) if raw_body else {}
        except ValueError:
            raise FakeAPIError(400, "Invalid JSON payload received.") from None
        if "request" in method:
            problems = self.discovery.check(body, method["request"]["$ref"], request=True)
            if problems:
                for problem in problems:
                    self._violate(f"{kind} request: {problem}")
                raise FakeAPIError(400, f"Invalid JSON payload received. {problems[0]}")
        params = {k: v[-1] for k, v in query.items()}
        with self._lock:
            spreadsheet = self.spreadsheets.get(spreadsheet_id)
            if spreadsheet is None:
                raise FakeAPIError(404, "Requested entity was not found.")
            handler: Callable[..., dict[str, Any]] = getattr(self, "_" + kind.replace(".", "_"))
            result = handler(spreadsheet, range_text, params, query, body)
        if kind not in REPLAYABLE:
            self._changed(spreadsheet_id)
        problems = self.discovery.check(result, method["response"]["$ref"])
        if problems:
            for problem in problems:
                self._violate(f"{kind} response: {problem}")
            raise FakeAPIError(500, f"fake answer violates the discovery document: {problems[0]}")
        return result

    # -- endpoints --------------------------------------------------------
    def _spreadsheets_get(self, ss: FakeSpreadsheet, _range: Any, params: dict[str, str],
                          query: dict[str, list[str]], _body: Any) -> dict[str, Any]:
        fields = params.get("fields")
        tree = parse_fields(fields) if fields else None
        if tree is None:
            wants_data = params.get("includeGridData", "").lower() == "true"
        else:  # a field mask decides, includeGridData is then ignored
            wants_data = "*" in tree or ("sheets" in tree and (tree["sheets"] is None or "data" in tree["sheets"]))
        ranges: dict[int, list[Bounds]] = {}
        for text in query.get("ranges", []):
            sheet, bounds = ss.resolve(text)
            ranges.setdefault(sheet.sheet_id, []).append(bounds)
        sheets = []
        for sheet in ss.sheets:
            if ranges and sheet.sheet_id not in ranges:
                continue  # with ranges, only the sheets they touch come back
            entry: dict[str, Any] = {"properties": copy.deepcopy(sheet.properties)}
            if sheet.protected_ranges:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
            if sheet.charts:
                entry["charts"] = copy.deepcopy(sheet.charts)
            if sheet.basic_filter is not None:
                entry["basicFilter"] = copy.deepcopy(sheet.basic_filter)
            if wants_data:
                entry["data"] = [grid_data(sheet, b) for b in ranges.get(sheet.sheet_id, [(0, None, 0, None)])]
            sheets.append(entry)
        full = {"spreadsheetId": ss.spreadsheet_id,
                "properties": {"title": ss.title, "locale": ss.locale, "autoRecalc": "ON_CHANGE",
                               "timeZone": "Asia/Bangkok"},
                "sheets": sheets,
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{ss.spreadsheet_id}/edit"}
        return prune(full, tree)

    def _value_range(self, sheet: FakeSheet, bounds: Bounds, params: dict[str, str],
                     locale: str = "en_US") -> dict[str, Any]:
        major = params.get("majorDimension", "ROWS")
        if major == "DIMENSION_UNSPECIFIED":
            major = "ROWS"
        values = read_values(sheet, bounds, params.get("valueRenderOption", "FORMATTED_VALUE"),
                             params.get("dateTimeRenderOption", "SERIAL_NUMBER"), major, locale == "th_TH")
        answer: dict[str, Any] = {"range": _a1(sheet, bounds), "majorDimension": major}
        if values:
            answer["values"] = values
        return answer

    def _values_get(self, ss: FakeSpreadsheet, range_text: str, params: dict[str, str], *_: Any) -> dict[str, Any]:
        sheet, bounds = ss.resolve(range_text)
        return self._value_range(sheet, bounds, params, ss.locale)

    def _values_batchGet(self, ss: FakeSpreadsheet, _range: Any, params: dict[str, str],
                         query: dict[str, list[str]], _body: Any) -> dict[str, Any]:
        # Every range must parse before anything is read: one bad range fails the batch.
        resolved = [ss.resolve(text) for text in query.get("ranges", [])]
        return {"spreadsheetId": ss.spreadsheet_id,
                "valueRanges": [self._value_range(sheet, bounds, params, ss.locale) for sheet, bounds in resolved]}

    @staticmethod
    def _input_rows(body: dict[str, Any], params: dict[str, str]) -> list[list[Any]]:
        option = params.get("valueInputOption")
        if option not in ("RAW", "USER_ENTERED"):
            raise FakeAPIError(400, "'valueInputOption' is required but not specified")
        values = body.get("values", [])
        if body.get("majorDimension") == "COLUMNS":
            height = max((len(c) for c in values), default=0)
            values = [[c[i] if i < len(c) else None for c in values] for i in range(height)]
        return [[_input_value(v, option) for v in row] for row in values]

    def _values_update(self, ss: FakeSpreadsheet, range_text: str, params: dict[str, str],
                       _query: Any, body: dict[str, Any]) -> dict[str, Any]:
        sheet, (r0, r1, c0, c1) = ss.resolve(range_text)
        rows = self._input_rows(body, params)
        width = max((len(r) for r in rows), default=0)
        single_cell = r1 == r0 + 1 and c1 == c0 + 1  # 'A1' means "starting at A1"
        if not single_cell and ((r1 is not None and r0 + len(rows) > r1) or (c1 is not None and c0 + width > c1)):
            raise FakeAPIError(400, f"Requested writing within range [{range_text}], but tried writing "
                                    f"{len(rows)} rows and {width} columns.")
        sheet.write(r0, c0, rows)
        written = (r0, r0 + len(rows), c0, c0 + width)
        return {"spreadsheetId": ss.spreadsheet_id, "updatedRange": _a1(sheet, written),
                "updatedRows": len(rows), "updatedColumns": width, "updatedCells": len(rows) * width}

    def _values_append(self, ss: FakeSpreadsheet, range_text: str, params: dict[str, str],
                       _query: Any, body: dict[str, Any]) -> dict[str, Any]:
        sheet, (_r0, _r1, c0, _c1) = ss.resolve(range_text)
        rows = self._input_rows(body, params)
        width = max((len(r) for r in rows), default=0)
        end = len(sheet.rows)  # the table ends at the last non-empty row
        answer: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
        if end:
            table_width = max(len(r) for r in sheet.rows)
            answer["tableRange"] = _a1(sheet, (0, end, 0, max(table_width, 1)))
        if params.get("insertDataOption", "OVERWRITE") == "INSERT_ROWS":
            sheet.grid["rowCount"] = max(sheet.row_count, end) + len(rows)
        sheet.write(end, c0, rows)
        written = (end, end + len(rows), c0, c0 + width)
        answer["updates"] = {"spreadsheetId": ss.spreadsheet_id, "updatedRange": _a1(sheet, written),
                             "updatedRows": len(rows), "updatedColumns": width, "updatedCells": len(rows) * width}
        return answer

    def _values_clear(self, ss: FakeSpreadsheet, range_text: str, *_: Any) -> dict[str, Any]:
        sheet, bounds = ss.resolve(range_text)
        sheet.clear(bounds)
        return {"spreadsheetId": ss.spreadsheet_id, "clearedRange": _a1(sheet, bounds)}

    def _values_batchClear(self, ss: FakeSpreadsheet, _range: Any, _params: Any, _query: Any,
                           body: dict[str, Any]) -> dict[str, Any]:
        resolved = [ss.resolve(text) for text in body.get("ranges", [])]
        for sheet, bounds in resolved:
            sheet.clear(bounds)
        return {"spreadsheetId": ss.spreadsheet_id, "clearedRanges": [_a1(s, b) for s, b in resolved]}

    def _spreadsheets_batchUpdate(self, ss: FakeSpreadsheet, _range: Any, _params: Any, _query: Any,
                                  body: dict[str, Any]) -> dict[str, Any]:
        work = ss.clone()  # all or nothing, like Google
        replies = []
        for i, request in enumerate(body.get("requests", [])):
            if len(request) != 1:
                raise FakeAPIError(400, f"Invalid requests[{i}]: exactly one kind of request is allowed, "
                                        f"got {sorted(request)}")
            (name, spec), = request.items()
            apply = getattr(self, f"_do_{name}", None)
            if apply is None:
                self._violate(f"batchUpdate: the fake does not implement '{name}'")
                raise FakeAPIError(400, f"Invalid requests[{i}].{name}: not implemented by the fake")
            try:
                replies.append(apply(work, spec))
            except FakeAPIError as exc:
                raise FakeAPIError(exc.code, f"Invalid requests[{i}].{name}: {exc.message}") from None
        self.spreadsheets[ss.spreadsheet_id] = work
        return {"spreadsheetId": ss.spreadsheet_id, "replies": replies}

    # -- batchUpdate request kinds ------------------------------------------
    @staticmethod
    def _check_grid(sheet: FakeSheet, bounds: Bounds) -> None:
        r0, r1, c0, c1 = bounds
        if r0 >= sheet.row_count or (r1 or 0) > sheet.row_count or c0 >= sheet.column_count \
                or (c1 or 0) > sheet.column_count:
            raise FakeAPIError(400, f"Range ({_a1(sheet, bounds)}) exceeds grid limits. "
                                    f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}")

    def _do_addSheet(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        props = spec.get("properties", {})
        title = props.get("title") or f"Sheet{len(ss.sheets) + 1}"
        sheet = ss.add_sheet(title, props.get("sheetId"), props.get("index"), props.get("gridProperties"))
        return {"addSheet": {"properties": copy.deepcopy(sheet.properties)}}

    def _do_deleteSheet(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        ss.delete_sheet(spec.get("sheetId", 0))
        return {}

    def _do_updateSheetProperties(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        props = spec.get("properties", {})
        sheet = ss.sheet_by_id(props.get("sheetId", 0))
        fields = spec.get("fields", "")
        if not fields:
            raise FakeAPIError(400, "At least one field must be updated, but none were specified.")
        paths = [p.strip().split(".") for p in fields.split(",")] if fields != "*" else [[k] for k in props]
        for path in paths:
            if path[0] == "sheetId":
                continue
            _set_path(sheet.properties, props, path)
        sheet.grid.setdefault("rowCount", NEW_ROWS)
        sheet.grid.setdefault("columnCount", NEW_COLUMNS)
        if sheet.grid.get("frozenRowCount") == 0:
            sheet.grid.pop("frozenRowCount")
        return {}

    def _do_updateSpreadsheetProperties(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        fields = [f.strip() for f in spec.get("fields", "").split(",") if f.strip()]
        if not fields:
            raise FakeAPIError(400, "At least one field must be updated, but none were specified.")
        unknown = [f for f in fields if f not in ("locale", "title")]
        if unknown:
            self._violate(f"updateSpreadsheetProperties: the fake implements fields locale and title only, got {unknown}")
            raise FakeAPIError(400, "fields not implemented by the fake")
        props = spec.get("properties", {})
        if "locale" in fields:
            ss.locale = props.get("locale") or "en_US"
        if "title" in fields:
            ss.title = props.get("title", ss.title)
        return {}

    def _do_appendDimension(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        sheet = ss.sheet_by_id(spec.get("sheetId", 0))
        length = spec.get("length", 0)
        if length <= 0:
            raise FakeAPIError(400, "length must be greater than zero")
        key = {"ROWS": "rowCount", "COLUMNS": "columnCount"}.get(spec.get("dimension", ""))
        if key is None:
            raise FakeAPIError(400, "dimension must be ROWS or COLUMNS")
        sheet.grid[key] += length
        return {}

    def _do_deleteDimension(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        """Rows (or columns) removed: those below (or right) move up (or left), the grid shrinks, and
        the formats and dropdowns laid on them move with them, as in Google Sheets."""
        dim = spec.get("range", {})
        sheet = ss.sheet_by_id(dim.get("sheetId", 0))
        kind = dim.get("dimension")
        limit = {"ROWS": sheet.row_count, "COLUMNS": sheet.column_count}.get(kind or "")
        if limit is None:
            raise FakeAPIError(400, "dimension must be ROWS or COLUMNS")
        start, end = dim.get("startIndex", 0), dim.get("endIndex", limit)
        if not 0 <= start < end <= limit:
            raise FakeAPIError(400, f"Invalid dimension range {dim} (grid {sheet.row_count}x{sheet.column_count})")
        if end - start >= limit:
            raise FakeAPIError(400, "You can't delete all the rows on the sheet." if kind == "ROWS"
                               else "You can't delete all the columns on the sheet.")
        if kind == "ROWS":
            del sheet.rows[start:end]
            sheet.grid["rowCount"] -= end - start
        else:
            sheet.rows = [_rstrip(row[:start] + row[end:]) for row in sheet.rows]
            sheet.grid["columnCount"] -= end - start
        sheet._trim_rows()
        axis = 0 if kind == "ROWS" else 2
        sheet.formats = [(b, f) for b, f in ((_cut(b, axis, start, end), f) for b, f in sheet.formats) if b]
        sheet.validations = [(b, v) for b, v in ((_cut(b, axis, start, end), v) for b, v in sheet.validations) if b]
        return {}

    def _do_appendCells(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        """Rows written after the sheet's last row with data, the grid grown to hold them."""
        sheet = ss.sheet_by_id(spec.get("sheetId", 0))
        fields = {f.strip() for f in spec.get("fields", "").split(",") if f.strip()}
        if not fields:
            raise FakeAPIError(400, "At least one field must be updated, but none were specified.")
        if fields - {"userEnteredValue"}:
            self._violate(f"appendCells: the fake implements fields 'userEnteredValue' only, got {sorted(fields)}")
            raise FakeAPIError(400, "fields not implemented by the fake")
        r0 = len(sheet.rows)
        for i, row in enumerate(spec.get("rows", [])):
            values = []
            for cell in row.get("values", []):
                entered = cell.get("userEnteredValue", {})
                values.append(next(iter(entered.values()), None) if entered else None)
            sheet.write(r0 + i, 0, [values])
        return {}

    def _do_updateCells(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        rows = spec.get("rows", [])
        if "start" in spec:
            start = spec["start"]
            sheet = ss.sheet_by_id(start.get("sheetId", 0))
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
            width = max((len(r.get("values", [])) for r in rows), default=0)
            bounds: Bounds = (r0, r0 + max(len(rows), 1), c0, c0 + max(width, 1))
        elif "range" in spec:
            sheet = ss.sheet_by_id(spec["range"].get("sheetId", 0))
            bounds = grid_bounds(spec["range"])
            r0, c0 = bounds[0], bounds[2]
        else:
            raise FakeAPIError(400, "updateCells needs start or range")
        self._check_grid(sheet, bounds)
        fields = {f.strip() for f in spec.get("fields", "").split(",") if f.strip()}
        if not fields:
            raise FakeAPIError(400, "At least one field must be updated, but none were specified.")
        every = "*" in fields
        for i, row in enumerate(rows):
            for j, cell in enumerate(row.get("values", [])):
                r, c = r0 + i, c0 + j
                if every or "userEnteredValue" in fields:
                    entered = cell.get("userEnteredValue", {})
                    value = next(iter(entered.values()), None) if entered else None
                    sheet.write(r, c, [[value]])
                if every or any(f.startswith("userEnteredFormat") for f in fields):
                    sheet.formats.append(((r, r + 1, c, c + 1), copy.deepcopy(cell.get("userEnteredFormat", {}))))
                if every or "dataValidation" in fields:
                    sheet.validations.append(((r, r + 1, c, c + 1), copy.deepcopy(cell.get("dataValidation"))))
        return {}

    def _do_repeatCell(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        grid_range = spec.get("range", {})
        sheet = ss.sheet_by_id(grid_range.get("sheetId", 0))
        bounds = grid_bounds(grid_range)
        self._check_grid(sheet, bounds)
        fields = {f.strip() for f in spec.get("fields", "").split(",") if f.strip()}
        cell = spec.get("cell", {})
        unsupported = [f for f in fields if not f.startswith(("userEnteredFormat", "dataValidation"))]
        if unsupported:
            self._violate(f"repeatCell: the fake does not implement fields {unsupported}")
            raise FakeAPIError(400, f"fields {unsupported} not implemented by the fake")
        given = cell.get("userEnteredFormat", {})
        if "userEnteredFormat" in fields:
            # The whole format is replaced: earlier patches inside the range no longer count.
            sheet.formats = [(b, f) for b, f in sheet.formats if not _inside(b, bounds)]
            sheet.formats.append((bounds, copy.deepcopy(given)))
        else:  # 'userEnteredFormat.numberFormat' sets (or, when absent, resets) only that part
            parts = {f.split(".")[1] for f in fields if f.startswith("userEnteredFormat.")}
            if parts:
                sheet.formats.append((bounds, {p: copy.deepcopy(given.get(p)) for p in parts}))
        if "dataValidation" in fields:
            sheet.validations.append((bounds, copy.deepcopy(cell.get("dataValidation"))))
        return {}

    def _do_setDataValidation(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        grid_range = spec.get("range", {})
        sheet = ss.sheet_by_id(grid_range.get("sheetId", 0))
        bounds = grid_bounds(grid_range)
        self._check_grid(sheet, bounds)
        rule = spec.get("rule")
        if rule is not None and rule.get("condition", {}).get("type") == "ONE_OF_LIST" \
                and not rule["condition"].get("values"):
            raise FakeAPIError(400, "ONE_OF_LIST needs at least one value")
        sheet.validations.append((bounds, copy.deepcopy(rule)))
        return {}

    def _do_addProtectedRange(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        protected = copy.deepcopy(spec.get("protectedRange", {}))
        sheet = ss.sheet_by_id(protected.get("range", {}).get("sheetId", 0))
        protected.setdefault("protectedRangeId", ss.next_protected_range_id)
        ss.next_protected_range_id += 1
        protected["requestingUserCanEdit"] = True
        sheet.protected_ranges.append(protected)
        return {"addProtectedRange": {"protectedRange": copy.deepcopy(protected)}}

    def _do_setBasicFilter(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        basic = copy.deepcopy(spec.get("filter", {}))
        grid_range = basic.get("range", {})
        sheet = ss.sheet_by_id(grid_range.get("sheetId", 0))
        self._check_grid(sheet, grid_bounds(grid_range))
        sheet.basic_filter = basic  # replaces the sheet's filter, if any
        return {}

    def _do_clearBasicFilter(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        ss.sheet_by_id(spec.get("sheetId", 0)).basic_filter = None
        return {}

    def _do_updateDimensionProperties(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        dim = spec.get("range", {})
        sheet = ss.sheet_by_id(dim.get("sheetId", 0))
        kind = dim.get("dimension")
        limit = {"ROWS": sheet.row_count, "COLUMNS": sheet.column_count}.get(kind or "")
        start, end = dim.get("startIndex", 0), dim.get("endIndex", limit)
        if limit is None or end is None or not 0 <= start < end <= limit:
            raise FakeAPIError(400, f"Invalid dimension range {dim} (grid {sheet.row_count}x{sheet.column_count})")
        if spec.get("fields") != "pixelSize":
            self._violate(f"updateDimensionProperties: the fake implements fields 'pixelSize' only, got {spec.get('fields')!r}")
            raise FakeAPIError(400, "fields not implemented by the fake")
        for index in range(start, end):
            sheet.pixel_sizes[(kind, index)] = spec.get("properties", {}).get("pixelSize", 100)
        return {}

    def _do_addChart(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        chart = copy.deepcopy(spec.get("chart", {}))
        used = {c["chartId"] for s in ss.sheets for c in s.charts}
        anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell")
        if anchor is None:
            raise FakeAPIError(400, "The fake places charts by overlayPosition.anchorCell only")
        sheet = ss.sheet_by_id(anchor.get("sheetId", 0))
        self._check_grid(sheet, (anchor.get("rowIndex", 0), None, anchor.get("columnIndex", 0), None))
        basic = chart.get("spec", {}).get("basicChart")
        if basic is None or not basic.get("domains") or not basic.get("series"):
            raise FakeAPIError(400, "A basic chart needs a domain and at least one series")
        for part in basic["domains"] + basic["series"]:
            data = part.get("domain") or part.get("series") or {}
            for source in data.get("sourceRange", {}).get("sources", []):
                self._check_grid(ss.sheet_by_id(source.get("sheetId", 0)), grid_bounds(source))
        chart_id = chart.get("chartId")
        if chart_id is None:
            chart_id = random.randrange(1, 2 ** 31 - 1)
            while chart_id in used:
                chart_id = random.randrange(1, 2 ** 31 - 1)
        elif chart_id in used:
            raise FakeAPIError(400, f"An object with id {chart_id} already exists")
        chart["chartId"] = chart_id
        sheet.charts.append(chart)
        return {"addChart": {"chart": copy.deepcopy(chart)}}

    def _do_deleteEmbeddedObject(self, ss: FakeSpreadsheet, spec: dict[str, Any]) -> dict[str, Any]:
        object_id = spec.get("objectId")
        for sheet in ss.sheets:
            for chart in sheet.charts:
                if chart["chartId"] == object_id:
                    sheet.charts.remove(chart)
                    return {}
        raise FakeAPIError(400, f"No object with id: {object_id}")


def _inside(inner: Bounds, outer: Bounds) -> bool:
    """Whether `inner` lies wholly within `outer` (None = open end)."""
    (a0, a1, b0, b1), (r0, r1, c0, c1) = inner, outer
    return (a0 >= r0 and b0 >= c0 and (r1 is None or (a1 is not None and a1 <= r1))
            and (c1 is None or (b1 is not None and b1 <= c1)))


def _route(method: str, raw_path: str) -> tuple[Optional[str], str, Optional[str]]:
    """(kind, spreadsheet id, range) from a still percent-encoded path."""
    prefix = "/v4/spreadsheets/"
    if not raw_path.startswith(prefix):
        return None, "", None
    rest = raw_path[len(prefix):]
    if "/" not in rest:
        if rest.endswith(":batchUpdate") and method == "POST":
            return "spreadsheets.batchUpdate", unquote(rest[:-len(":batchUpdate")]), None
        if method == "GET" and ":" not in rest:
            return "spreadsheets.get", unquote(rest), None
        return None, "", None
    spreadsheet_id, tail = rest.split("/", 1)
    spreadsheet_id = unquote(spreadsheet_id)
    batch = {("GET", "values:batchGet"): "values.batchGet", ("POST", "values:batchClear"): "values.batchClear"}
    if (method, tail) in batch:
        return batch[(method, tail)], spreadsheet_id, None
    if not tail.startswith("values/"):
        return None, "", None
    encoded = tail[len("values/"):]
    for suffix, kind in ((":append", "values.append"), (":clear", "values.clear")):
        if encoded.endswith(suffix) and method == "POST":
            return kind, spreadsheet_id, unquote(encoded[:-len(suffix)])
    if method == "GET":
        return "values.get", spreadsheet_id, unquote(encoded)
    if method == "PUT":
        return "values.update", spreadsheet_id, unquote(encoded)
    return None, "", None


def encode_answer(payload: Any, query: dict[str, list[str]]) -> bytes:
    """An answer's JSON as Google writes it: indented, unless the request says prettyPrint=false
    (a standard parameter of every Google API; its default is true, and at a big province the
    indentation is as many bytes as the cells)."""
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2) if pretty_printed(query) else orjson.dumps(payload)


def wants_gzip(headers: Any) -> bool:
    """Google compresses an answer only for a request that accepts gzip and names "gzip" in its
    User-Agent (the APIs' performance guides)."""
    accepted = [part.split(";")[0].strip().lower() for part in (headers.get("Accept-Encoding") or "").split(",")]
    return "gzip" in accepted and "gzip" in (headers.get("User-Agent") or "")


class _Handler(BaseHTTPRequestHandler):
    fake: SheetsFake
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms ACK waits

    def _serve(self, method: str) -> None:
        status, payload, hang_up = self.fake.handle(self, method)
        if hang_up:
            self.close_connection = True  # no status line: the client sees the connection drop
            return
        gzipped = wants_gzip(self.headers)
        if isinstance(payload, bytes):  # replayed: prepared as it goes out
            body = payload
        else:
            body = encode_answer(payload, parse_qs(urlsplit(self.path).query, keep_blank_values=True))
            if gzipped:
                body = gzip.compress(body, GZIP_LEVEL)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass


SheetsFake.handler = _Handler
SheetsFake.thread_name = "sheets-fake"
