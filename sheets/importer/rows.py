"""The rows under a sheet's header, read with the sheet's own cell readers (sheets/readers.py).

A register gives loans (with their payments, one pair of columns per payment); a 26(1) summary
gives villages (a fund's figures). Blank rows are skipped; a totals row (รวม, รวมทั้งสิ้น, ยอดรวม)
is not data: its sums are checked against the rows above it (since the last totals row, or all
of them for a grand total); a repeated header (a printout's next page) is skipped; any other row
that is not data (a signature line) is listed as skipped, never dropped in silence. A cell that
cannot be read is listed with its row and column: the row is left out when the value is one it
needs (name, dates, amount), else it is imported without that value.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Literal, Optional

from core.schema import LOAN_STATUSES
from sheets import readers
from sheets.importer.columns import MIN_HEADER_FIELDS, HeaderGuess, column_letter, squash
from sheets.importer.grid import Grid
from sheets.importer.titles import Place, official_district, official_subdistrict

BLANK_MARKS = frozenset({"-", "–", "—", "--", ".", "..", "...", "0-"})
TOTAL_WORDS = ("รวม", "ยอดรวม", "total", "sum")
REGISTER_SUMS = ("amount", "paid_amount", "balance")
SUMMARY_INTS = ("households_total", "households_target")
SUMMARY_AMOUNTS = ("capital", "bank_balance", "cash_on_hand")


@dataclass(frozen=True)
class Source:
    """Where a row came from."""

    file: str
    sheet: str
    row: int  # the sheet's row number (1-based)

    def describe(self) -> str:
        return f"{self.file} แผ่น {self.sheet} แถว {self.row}"


@dataclass(frozen=True)
class CellIssue:
    """A cell that could not be read (or a row that does not add up), said so a person can find it."""

    source: Source
    column: str   # the column letter ("" for the whole row)
    header: str
    message: str
    level: Literal["unreadable", "warning"] = "unreadable"
    row_kept: bool = False  # the row is imported all the same, without this value

    def describe(self) -> str:
        where = f"คอลัมน์ {self.column} ({self.header})" if self.column else "ทั้งแถว"
        if self.level == "warning":
            kept = ""
        elif self.row_kept:
            kept = " — นำเข้าแถวนี้โดยเว้นช่องนี้ว่าง"
        else:
            kept = " — ไม่ได้นำเข้าแถวนี้"
        return f"{self.source.describe()} {where}: {self.message}{kept}"


@dataclass(frozen=True)
class PaymentIn:
    paid_date: dt.date
    amount: Decimal
    receipt_no: str
    source: Source


@dataclass
class LoanIn:
    """One loan as the register has it."""

    source: Source
    place: Place
    fund_id: str
    contract_no: str
    borrower_name: str
    citizen_id: Optional[str]
    phone: str
    round: Optional[int]
    occupation: str
    loan_date: dt.date
    amount: Decimal
    due_date: dt.date
    status: Optional[str]
    note: str
    payments: list[PaymentIn] = field(default_factory=list)


@dataclass
class VillageIn:
    """One village fund as a 26(1) summary has it: figures the กองทุน tab holds."""

    source: Source
    place: Place
    fund_id: str
    figures: dict[str, Any]  # funds column key -> value (int, Decimal or text)


@dataclass(frozen=True)
class TotalCheck:
    """A totals row's figure against the sum of the rows it totals."""

    source: Source
    column: str
    header: str
    stated: Decimal
    counted: Decimal
    money: bool = True  # baht, else a count (households)

    @property
    def ok(self) -> bool:
        return self.stated == self.counted


@dataclass
class SheetRows:
    """What one sheet gave."""

    file: str
    sheet: str
    guess: HeaderGuess
    place: Place            # from its title rows (and the mapping file)
    fund_id: str = ""       # from the mapping file
    as_of: Optional[dt.date] = None
    loans: list[LoanIn] = field(default_factory=list)
    villages: list[VillageIn] = field(default_factory=list)
    issues: list[CellIssue] = field(default_factory=list)
    totals: list[TotalCheck] = field(default_factory=list)
    skipped: list[tuple[Source, str]] = field(default_factory=list)
    data_rows: int = 0


def blank(value: Any) -> bool:
    """Empty, or the dash registers put in an empty cell."""
    return readers.is_blank(value) or (isinstance(value, str) and value.strip() in BLANK_MARKS)


class _Row:
    """One sheet row being read: cell values by column, and the issues found."""

    def __init__(self, grid: Grid, index: int, guess: HeaderGuess, out: SheetRows):
        self.cells = grid.rows[index]
        self.source = Source(grid.file, grid.sheet, index + 1)
        self.headers = {c.column: c.header for c in guess.columns}
        self.guess = guess
        self.out = out
        self.fatal = False

    def value(self, col: Optional[int]) -> Any:
        if col is None or col >= len(self.cells):
            return ""
        return self.cells[col]

    def col(self, key: str) -> Optional[int]:
        found = self.guess.columns_of(key)
        return found[0] if found else None

    def read(self, col: Optional[int], reader: Callable[[Any], Any], *, needed: bool = False) -> Any:
        """The cell read by `reader`; None when blank or unreadable (listed; `needed` leaves the row out)."""
        raw = self.value(col)
        if col is None or blank(raw):
            if needed:
                self.issue(col, "ไม่ได้กรอก (ต้องมีจึงจะนำเข้าได้)")
            return None
        try:
            return reader(raw)
        except readers.CellError as exc:
            self.issue(col, str(exc), kept=not needed)
            return None

    def issue(self, col: Optional[int], message: str, kept: bool = False, level: str = "unreadable") -> None:
        letter = column_letter(col) if col is not None else ""
        header = self.headers.get(col, "") if col is not None else ""
        self.out.issues.append(CellIssue(self.source, letter, header, message,
                                         "warning" if level == "warning" else "unreadable", kept))
        if not kept and level != "warning":
            self.fatal = True

    def text(self, key: str) -> str:
        col = self.col(key)
        raw = self.value(col)
        return "" if blank(raw) else readers.read_text(raw)

    def place(self) -> Place:
        """The row's own place columns (official names when they are Trat's)."""
        district = self.text("district")
        subdistrict = self.text("subdistrict")
        number = self.read(self.col("village_no"), readers.read_int)
        official = official_district(district) if district else ""
        return Place(official or district, official_subdistrict(subdistrict, official) or subdistrict,
                     number, self.text("village_name"))


def _is_total(row: _Row, name_col: Optional[int], identity: list[int]) -> bool:
    """A row labelled รวม… whose name cell holds nothing else and that has no date or village number
    (a borrower named รวมศักดิ์, an occupation รวมกลุ่ม… are data)."""
    if any(not blank(row.value(col)) for col in identity):
        return False
    for col, value in enumerate(row.cells):
        if isinstance(value, str) and squash(value).startswith(TOTAL_WORDS):
            name = row.value(name_col)
            return col == name_col or blank(name) or not isinstance(name, str)
    return False


def _column_numbers(cells: list[Any]) -> bool:
    """The row under a form's header that numbers its columns: 1, 2, 3 … (or (1), (2) …) and nothing else."""
    numbers = []
    for value in cells:
        if blank(value):
            continue
        text = readers.read_text(value).strip("() ")
        if not text.isdigit():
            return False
        numbers.append(int(text))
    return len(numbers) >= MIN_HEADER_FIELDS and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


class _Sums:
    """Per column: the sum of the rows since the last totals row, and since the table began."""

    def __init__(self) -> None:
        self.block: dict[int, Decimal] = {}
        self.table: dict[int, Decimal] = {}

    def add(self, row: _Row, columns: list[int]) -> None:
        """A data row's figures, as far as they read (a cell that does not is reported by the row's reading)."""
        for col in columns:
            raw = row.value(col)
            if blank(raw):
                continue
            try:
                value = readers.read_amount(raw)
            except readers.CellError:
                continue
            self.block[col] = self.block.get(col, Decimal(0)) + value
            self.table[col] = self.table.get(col, Decimal(0)) + value

    def check(self, row: _Row, columns: list[int], counts: frozenset[int] = frozenset()) -> None:
        for col in columns:
            raw = row.value(col)
            if blank(raw):
                continue
            try:
                stated = readers.read_amount(raw)
            except readers.CellError as exc:
                row.issue(col, f"แถวรวม: {exc}", kept=True, level="warning")
                continue
            block, table = self.block.get(col, Decimal(0)), self.table.get(col, Decimal(0))
            counted = block if stated == block or stated != table else table  # a grand total sums all
            row.out.totals.append(TotalCheck(row.source, column_letter(col), row.headers.get(col, ""),
                                             stated, counted, money=col not in counts))
        self.block = {}


def read_rows(grid: Grid, guess: HeaderGuess, place: Place, fund_id: str = "",
              as_of: Optional[dt.date] = None, progress: Optional[Callable[[int, int], None]] = None) -> SheetRows:
    """Every row under the header, as loans (a register) or villages (a summary)."""
    out = SheetRows(grid.file, grid.sheet, guess, place, fund_id, as_of)
    sums = _Sums()
    counts = frozenset(c for key in SUMMARY_INTS for c in guess.columns_of(key))
    if guess.kind == "register":
        summed = [c for key in REGISTER_SUMS for c in guess.columns_of(key)]
        name_col = next(iter(guess.columns_of("borrower_name")), None)
        identity = guess.columns_of("loan_date") + guess.columns_of("due_date")
    else:
        summed = [c for key in SUMMARY_INTS + SUMMARY_AMOUNTS for c in guess.columns_of(key)]
        name_col = next(iter(guess.columns_of("village_name") or guess.columns_of("fund_id")), None)
        identity = guess.columns_of("village_no")
    total_rows = len(grid.rows) - guess.last_row - 1
    # A printout repeats its header on every page: the same words in the same columns.
    header_keys = {col: squash(grid.cell(guess.last_row, col)) for col in range(grid.width)
                   if squash(grid.cell(guess.last_row, col))}
    for index in range(guess.last_row + 1, len(grid.rows)):
        if progress is not None:
            progress(index - guess.last_row, total_rows)
        row = _Row(grid, index, guess, out)
        if all(blank(v) for v in row.cells):
            continue
        if _is_total(row, name_col, identity):
            sums.check(row, summed, counts)
            continue
        if sum(1 for col, key in header_keys.items() if squash(row.value(col)) == key) >= MIN_HEADER_FIELDS:
            out.skipped.append((row.source, "หัวตารางซ้ำ (หน้าใหม่ของเอกสารพิมพ์)"))
            continue
        if _column_numbers(row.cells):
            out.skipped.append((row.source, "เลขลำดับคอลัมน์ (1) (2) (3) … ใต้หัวตาราง"))
            continue
        data = _register_row(row, name_col) if guess.kind == "register" else _summary_row(row)
        if data:
            sums.add(row, summed)
    return out


def _register_row(row: _Row, name_col: Optional[int]) -> bool:
    """Read one row of a register; False when it is no data row."""
    out = row.out
    amount_col, loan_date_col, due_col = row.col("amount"), row.col("loan_date"), row.col("due_date")
    has_name = not blank(row.value(name_col))
    has_loan = any(not blank(row.value(c)) for c in (amount_col, loan_date_col, due_col, row.col("citizen_id"))
                   if c is not None)
    if not has_loan:
        # A signature line, a note under the table: not a loan, and listed so that nothing goes unseen.
        out.skipped.append((row.source, "ไม่ใช่แถวข้อมูล (ไม่มีจำนวนเงินหรือวันที่ยืม)"))
        return False
    out.data_rows += 1
    if not has_name:
        row.issue(name_col, "ไม่มีชื่อผู้ยืม")
        return True
    name = readers.read_text(row.value(name_col))
    loan_date = row.read(loan_date_col, readers.read_date, needed=True)
    amount = row.read(amount_col, readers.read_amount, needed=True)
    if amount is not None and amount <= 0:
        row.issue(amount_col, "จำนวนเงินยืมต้องมากกว่า 0")
    due_date = row.read(due_col, readers.read_date, needed=True)
    if loan_date and due_date and due_date < loan_date:
        row.issue(due_col, "วันครบกำหนดชำระก่อนวันที่รับเงินยืม")
    citizen = row.read(row.col("citizen_id"), readers.read_citizen_id)
    round_no = row.read(row.col("round"), readers.read_int)
    status = row.read(row.col("status"), lambda v: readers.read_choice(v, LOAN_STATUSES))
    payments = _payments(row)
    balance_col = row.col("balance")
    balance = row.read(balance_col, readers.read_amount)
    if balance is not None:
        if amount is not None and balance != amount - sum((p.amount for p in payments), Decimal(0)):
            paid = sum((p.amount for p in payments), Decimal(0))
            row.issue(balance_col, f"ยอดคงเหลือในไฟล์ {balance:,.2f} ไม่เท่ากับยอดยืม {amount:,.2f} − ชำระ "
                                   f"{paid:,.2f} (ยอดคงเหลือในชีตคำนวณจากรับชำระเสมอ)", level="warning")
    if row.fatal or loan_date is None or amount is None or due_date is None or amount <= 0:
        return True
    fund_id = row.text("fund_id")
    out.loans.append(LoanIn(row.source, row.place(), fund_id, row.text("contract_no"), name, citizen,
                            row.text("phone"), round_no, row.text("occupation"), loan_date, amount, due_date,
                            status, row.text("note"), payments))
    return True


def _payments(row: _Row) -> list[PaymentIn]:
    """One payment per pair of date and amount columns (left to right); receipts by the same order."""
    dates, amounts = row.guess.columns_of("paid_date"), row.guess.columns_of("paid_amount")
    receipts = row.guess.columns_of("receipt_no")
    found = []
    for n, (date_col, amount_col) in enumerate(zip(dates, amounts)):
        if blank(row.value(date_col)) and blank(row.value(amount_col)):
            continue
        paid = row.read(amount_col, readers.read_amount)
        if paid == 0:
            continue  # a 0 in the amount column is no payment
        day = row.read(date_col, readers.read_date)
        if paid is None or day is None:
            if (paid is None) != (day is None) and blank(row.value(date_col)) != blank(row.value(amount_col)):
                missing = date_col if day is None else amount_col
                row.issue(missing, "การชำระนี้มีไม่ครบทั้งวันที่และจำนวนเงิน จึงไม่นำเข้า", kept=True)
            continue
        receipt = row.value(receipts[n]) if n < len(receipts) else ""
        found.append(PaymentIn(day, paid, "" if blank(receipt) else readers.read_text(receipt), row.source))
    return found


def _summary_row(row: _Row) -> bool:
    """Read one row of a 26(1) summary; False when it is no data row."""
    out = row.out
    place = row.place()
    fund_id = row.text("fund_id")
    figure_cols = [c for key in SUMMARY_INTS + SUMMARY_AMOUNTS for c in row.guess.columns_of(key)]
    if not (place.village_name or place.village_no is not None or fund_id) or \
            all(blank(row.value(c)) for c in figure_cols):
        out.skipped.append((row.source, "ไม่ใช่แถวข้อมูล (ไม่มีหมู่บ้านหรือตัวเลข)"))
        return False
    out.data_rows += 1
    figures: dict[str, Any] = {}
    for key in SUMMARY_INTS:
        col = row.col(key)
        value = row.read(col, readers.read_int)
        if value is not None:
            figures[key] = value
    for key in SUMMARY_AMOUNTS:
        col = row.col(key)
        value = row.read(col, readers.read_amount)
        if value is not None:
            figures[key] = value
    for key in ("bank_name", "bank_account_no"):
        if row.text(key):
            figures[key] = row.text(key)
    out.villages.append(VillageIn(row.source, place, fund_id, figures))
    return True
