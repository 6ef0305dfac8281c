"""A district's workbook as grids of cell values: every sheet, with its merged cells.

Read with python-calamine (the workbook store's reader already) rather than pandas. pandas'
`read_excel(header=None)` would call the same reader (engine="calamine") and then turn blanks
into NaN, dates into Timestamps and every column into one dtype, and it drops the merged
ranges, which are how a register says "this title spans the table" or "these two columns are
การชำระคืน". The importer needs the raw cells, row by row, with their merges; the only
arithmetic (a totals row's sum) is one line. calamine also reads .xls and .ods, which
districts still keep.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sheets.store import StoreError

READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


class ImportFileError(StoreError):
    """A file to import cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Merge:
    """A merged range, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def width(self) -> int:
        return self.last_col - self.first_col + 1


@dataclass
class Grid:
    """One sheet of one file: rows[0] is the sheet's row 1; blank cells are ""."""

    file: str            # the file's name, as messages show it
    sheet: str
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def cell(self, row: int, col: int) -> Any:
        cells = self.rows[row] if 0 <= row < len(self.rows) else []
        return cells[col] if 0 <= col < len(cells) else ""

    def covered(self, row: int, col: int) -> Merge | None:
        """The merged range this cell lies in (its top-left cell included)."""
        for merge in self.merges:
            if merge.first_row <= row <= merge.last_row and merge.first_col <= col <= merge.last_col:
                return merge
        return None


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of the file, in order."""
    if not path.exists():
        raise ImportFileError(f"ไม่พบไฟล์ {path} (no such file)")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        raise ImportFileError(f"อ่านไฟล์ {path.name} ไม่ได้: รับเฉพาะ {', '.join(READABLE_SUFFIXES)} "
                              f"(only Excel and OpenDocument spreadsheets are read)")
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # a damaged or mislabelled file: calamine raises several kinds
        raise ImportFileError(f"เปิดไฟล์ {path.name} ไม่ได้: {exc} (cannot open the workbook)") from exc
    grids = []
    try:
        for title in book.sheet_names:
            sheet = book.get_sheet_by_name(title)
            rows = [list(row) for row in sheet.to_python(skip_empty_area=False)]
            merges = [Merge(top, left, bottom, right)
                      for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])]
            grids.append(Grid(path.name, title, rows, merges))
    finally:
        book.close()
    return grids
