"""How a workbook tab looks and prints: the number formats, dropdowns and print set-up that
init-sheet lays (`sheets.workbook`) and the demo workbook is written with (`sheets.demo.write`),
defined once so that the two cannot drift apart.

Dates show the Buddhist-era year, as officers type them (15/01/2569): `[$-107041E]` is the
format's locale tag, calendar 07 (Thai Buddhist) of locale 041E (th-TH), which Excel and
LibreOffice both honour; the cell still holds the date itself, so sums, sorting and the
program's reading are unchanged. (Google Sheets has no such tag: there the spreadsheet's locale,
th_TH, does the same; see sheets/google.py.)
"""
from __future__ import annotations

from typing import Any, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

BE_DATE = "[$-107041E]dd/mm/yyyy"
BE_DATETIME = "[$-107041E]dd/mm/yyyy hh:mm"
NUMBER_FORMATS = {"date": BE_DATE, "datetime": BE_DATETIME, "amount": "#,##0.00", "int": "0", "text": "@"}
DROPDOWN_LAST_ROW = 5000   # a dropdown covers the rows people will type into


def dropdown_ref(column: int) -> str:
    """The cells a column's dropdown covers (1-based column), below the header row."""
    letter = get_column_letter(column)
    return f"{letter}2:{letter}{DROPDOWN_LAST_ROW}"


def dropdown(values: Sequence[str], column: int) -> DataValidation:
    """A warning-only list: a value outside it is allowed after a warning (people know cases we do not)."""
    # An inline list is limited to 255 characters; Thai names fit.
    rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                          errorStyle="warning", showErrorMessage=True,
                          error="ค่านี้ไม่อยู่ในรายการ", errorTitle="ตรวจสอบค่า")
    rule.add(dropdown_ref(column))
    return rule


def set_print_setup(sheet: Any) -> None:
    """A4 landscape, fit to the page's width (as many pages down as it takes), the header row
    printed on every page, grid lines on: a tab prints as a readable list, not 500 slivers."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4


def has_print_setup(sheet: Any) -> bool:
    setup = sheet.page_setup
    fit = sheet.sheet_properties.pageSetUpPr
    return (setup.orientation == "landscape" and setup.fitToWidth == 1 and setup.fitToHeight == 0
            and fit is not None and bool(fit.fitToPage) and sheet.print_title_rows == "$1:$1")


__all__ = ["BE_DATE", "BE_DATETIME", "DROPDOWN_LAST_ROW", "NUMBER_FORMATS", "dropdown", "dropdown_ref",
           "has_print_setup", "set_print_setup"]
