"""What an import would change: the files' rows against the sheet as it is (a pure function).

Funds are found by id, else by subdistrict and village number, else by district, number and
village name, else by district and name; a fund still not found is new, its id made by the
template's rule (the subdistrict's code, "-", the village number: 230107-05). A loan is the
sheet's when its contract number is there, else when the same fund has a loan of that borrower
(name without นาย/นาง/นางสาว, or citizen id) on that date; a new loan without a number gets one by
the rule the sheet's contract numbers follow, <fund>/<B.E. year of the loan>/<running number>
(230107-05/2568/03), continuing the fund's highest of that year. A payment is the sheet's when
that contract has one of that date and amount (as many times as the file has it). What differs
from the sheet is listed for a person and never written: the program appends rows, it does not
overwrite a cell someone typed (fund rows are people's rows too: a 26(1) summary's figures go
in only with a fund that is new).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional

from core.geo import district_by_name
from core.schema import SOURCE_SHEET
from core.thai import BE_OFFSET, baht, date_th, normalize_text
from sheets.importer.columns import HeaderGuess
from sheets.importer.rows import CellIssue, LoanIn, PaymentIn, SheetRows, Source, TotalCheck, VillageIn
from sheets.importer.titles import Place, official_subdistrict, village_key, village_name
from sheets.records import Dataset, Fund, Loan
from sheets.store import Layout

IMPORTED_BY = "import"
_TITLES = ("นางสาว", "น.ส.", "นส.", "นาย", "นาง", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง")


@dataclass(frozen=True)
class NewRow:
    """A row to append: the tab, the values by column key, where it came from."""

    tab: str
    record: dict[str, Any]
    source: Source


@dataclass(frozen=True)
class Difference:
    """A value the file has that the sheet has otherwise: listed, not written."""

    tab: str          # Thai tab title
    key: str          # fund_id or contract_no
    header: str       # the column as the sheet names it
    in_sheet: str
    in_file: str
    sheet_row: Optional[int]
    source: Source

    def describe(self) -> str:
        row = f" แถว {self.sheet_row}" if self.sheet_row else ""
        return (f"{self.tab}{row} {self.key} · {self.header}: ในชีต {self.in_sheet} แต่ในไฟล์ {self.in_file} "
                f"({self.source.describe()})")


@dataclass(frozen=True)
class MadeNumber:
    """A contract number the register lacked, made by the rule."""

    contract_no: str
    borrower_name: str
    source: Source


@dataclass
class SheetReport:
    """One sheet read: its table and what happened to it."""

    rows: SheetRows
    unresolved: str = ""  # why its rows belong to no fund (the sheet then waits for the mapping file)

    @property
    def guess(self) -> HeaderGuess:
        return self.rows.guess

    @property
    def blocked(self) -> bool:
        return self.guess.blocked or bool(self.unresolved)


@dataclass
class ImportPlan:
    """Everything the import found: to append, to tell a person, and whether it must stop."""

    sheets: list[SheetReport] = field(default_factory=list)
    without_table: list[tuple[str, str]] = field(default_factory=list)  # (file, sheet) with no table found
    new_funds: list[NewRow] = field(default_factory=list)
    new_loans: list[NewRow] = field(default_factory=list)
    new_payments: list[NewRow] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    issues: list[CellIssue] = field(default_factory=list)
    totals: list[TotalCheck] = field(default_factory=list)
    made_numbers: list[MadeNumber] = field(default_factory=list)
    skipped: list[tuple[Source, str]] = field(default_factory=list)
    loans_in_sheet: int = 0      # loans of the files the sheet already has
    payments_in_sheet: int = 0
    funds_in_sheet: int = 0

    @property
    def blocked(self) -> bool:
        """Some match is unsure (or rows belong to no fund): nothing may be written until a person decides."""
        return any(s.blocked for s in self.sheets)

    @property
    def nothing_new(self) -> bool:
        return not (self.new_funds or self.new_loans or self.new_payments)


def name_key(name: str) -> str:
    """A borrower's name as compared: without title, spaces and case."""
    text = normalize_text(name)
    for title in _TITLES:
        if text.startswith(title):
            text = text[len(title):]
            break
    return "".join(text.split()).lower()


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(ว่าง)"
    if isinstance(value, dt.date):
        return date_th(value)
    if isinstance(value, Decimal):
        return baht(value)
    return str(value)


class _Funds:
    """The sheet's funds, found by what a file says of a place; new ones as they are made."""

    def __init__(self, ds: Dataset):
        self.funds: dict[str, Fund] = dict(ds.funds)
        self.new: dict[str, Place] = {}
        self.by_number: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.by_village: dict[tuple[str, int, str], list[str]] = defaultdict(list)
        self.by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        for fund in ds.funds.values():
            self._index(fund.fund_id, Place(fund.district, fund.subdistrict, fund.village_no, fund.village_name))

    def _index(self, fund_id: str, place: Place) -> None:
        if place.subdistrict and place.village_no is not None:
            self.by_number[(place.subdistrict, place.village_no)].append(fund_id)
        if place.village_no is not None and place.village_name:
            self.by_village[(place.district, place.village_no, village_key(place.village_name))].append(fund_id)
        if place.village_name:
            self.by_name[(place.district, village_key(place.village_name))].append(fund_id)

    def find(self, fund_id: str, place: Place) -> tuple[Optional[str], str]:
        """(fund id, "") when found or made; (None, why) when the place says too little."""
        if fund_id:
            if fund_id not in self.funds and fund_id not in self.new:
                self.new[fund_id] = place
            return fund_id, ""
        candidates: list[str] = []
        if place.subdistrict and place.village_no is not None:
            candidates = self.by_number.get((place.subdistrict, place.village_no), [])
            if place.district:
                candidates = [c for c in candidates if self._district(c) in ("", place.district)]
        if not candidates and place.village_no is not None and place.village_name:
            candidates = self.by_village.get((place.district, place.village_no, village_key(place.village_name)), [])
        if not candidates and place.village_name and place.district:
            candidates = self.by_name.get((place.district, village_key(place.village_name)), [])
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            return None, f"{place.describe()} ตรงกับหลายกองทุน ({', '.join(sorted(candidates))}): ระบุ fund_id"
        made = made_fund_id(place)
        if made is None:
            if place.subdistrict and not official_subdistrict(place.subdistrict, place.district):
                where = f"ในอำเภอ{place.district}" if place.district else "ในจังหวัด"
                return None, f"ไม่รู้ว่าเป็นกองทุนใด: ไม่พบตำบล \"{place.subdistrict}\" {where} ({place.describe()})"
            return None, (f"ไม่รู้ว่าเป็นกองทุนใด: {place.describe()} (ต้องมีอย่างน้อย ตำบล และ หมู่ที่ "
                          f"หรือ รหัสกองทุน)")
        if made not in self.funds and made not in self.new:
            self.new[made] = place
            self._index(made, place)
        return made, ""

    def _district(self, fund_id: str) -> str:
        fund = self.funds.get(fund_id)
        return fund.district if fund else self.new.get(fund_id, Place()).district


def made_fund_id(place: Place) -> Optional[str]:
    """The template's suggested fund id: the subdistrict's code, "-", the village number (230107-05)."""
    if not place.subdistrict or place.village_no is None or not 1 <= place.village_no <= 99:
        return None
    district = district_by_name(place.district) if place.district else None
    pool = [district] if district else []
    if not pool:
        from core.geo import districts

        pool = list(districts())
    codes = [sub.code for d in pool for sub in d.subdistricts if sub.name == place.subdistrict]
    return f"{codes[0]}-{place.village_no:02d}" if len(codes) == 1 else None


_RULE = re.compile(r"(.+)/(\d{4})/(\d+)")


class _Numbers:
    """Contract numbers: the sheet's, and the next one of a fund and year by the rule."""

    def __init__(self, taken: set[str]):
        self.taken: set[str] = set()
        self.highest: dict[tuple[str, int], int] = {}  # (fund, B.E. year) -> its highest running number
        for number in taken:
            self.add(number)

    def add(self, number: str) -> None:
        self.taken.add(number)
        found = _RULE.fullmatch(number)
        if found:
            key = (found.group(1), int(found.group(2)))
            self.highest[key] = max(self.highest.get(key, 0), int(found.group(3)))

    def next(self, fund_id: str, day: dt.date) -> str:
        year = day.year + BE_OFFSET
        number = f"{fund_id}/{year}/{self.highest.get((fund_id, year), 0) + 1:02d}"
        while number in self.taken:  # a number typed by hand out of the rule's order
            self.add(number)
            number = f"{fund_id}/{year}/{self.highest[(fund_id, year)] + 1:02d}"
        self.add(number)
        return number


def plan_import(sheets: list[SheetRows], ds: Dataset, layout: Layout, today: dt.date,
                now: dt.datetime) -> ImportPlan:
    """Compare the sheets' rows with the dataset as of `today`; nothing is written here. `now` is
    the time recorded on imported payments."""
    plan = ImportPlan()
    funds = _Funds(ds)
    loans_found: list[tuple[LoanIn, str]] = []
    villages_found: list[tuple[VillageIn, str, SheetRows]] = []
    for rows in sheets:
        report = SheetReport(rows)
        plan.sheets.append(report)
        plan.issues.extend(rows.issues)
        plan.totals.extend(rows.totals)
        plan.skipped.extend(rows.skipped)
        if rows.guess.blocked:
            continue
        items: list[LoanIn | VillageIn] = [*rows.loans, *rows.villages]
        for item in items:
            own = item.place
            item.place = own.over(rows.place)  # a column's value wins over the title's
            fund_id, why = funds.find(item.fund_id or rows.fund_id, item.place)
            if fund_id is None:
                if not own.known:  # the title says too little for every row: the sheet waits
                    report.unresolved = why
                    break
                plan.issues.append(CellIssue(item.source, "", "", why))
                continue
            if isinstance(item, LoanIn):
                loans_found.append((item, fund_id))
            else:
                villages_found.append((item, fund_id, rows))
    if plan.blocked:
        return plan
    _fund_rows(plan, ds, funds, villages_found, layout, loans_found)
    _loan_rows(plan, ds, loans_found, layout, today, now)
    return plan


def _fund_rows(plan: ImportPlan, ds: Dataset, funds: _Funds, villages: list[tuple[VillageIn, str, SheetRows]],
               layout: Layout, loans: list[tuple[LoanIn, str]]) -> None:
    """A row for each new fund (with its 26(1) figures); for a fund the sheet has, what differs."""
    title = layout.title("funds")
    summary_of: dict[str, tuple[VillageIn, SheetRows]] = {}
    for village, fund_id, rows in villages:
        summary_of.setdefault(fund_id, (village, rows))
    first: dict[str, tuple[Source, Place]] = {}  # each fund once, where the files first speak of it
    for village, fund_id, _ in villages:
        first.setdefault(fund_id, (village.source, village.place))
    for loan, fund_id in loans:
        first.setdefault(fund_id, (loan.source, loan.place))
    for fund_id, (source, place) in first.items():
        summary = summary_of.get(fund_id)
        figures = summary[0].figures if summary else {}
        new_place = funds.new.get(fund_id)
        if new_place is not None:
            record: dict[str, Any] = {
                "fund_id": fund_id, "district": new_place.district, "subdistrict": new_place.subdistrict,
                "village_no": new_place.village_no, "village_name": village_name(new_place.village_name),
                "note": f"นำเข้าจาก {source.describe()}", **figures}
            if summary and "bank_balance" in figures and summary[1].as_of:
                record["bank_balance_date"] = summary[1].as_of  # the summary's "ณ วันที่"
            plan.new_funds.append(NewRow("funds", record, source))
            continue
        plan.funds_in_sheet += 1
        fund = ds.funds[fund_id]
        said: dict[str, Any] = {"district": place.district, "subdistrict": place.subdistrict,
                                "village_no": place.village_no, "village_name": place.village_name, **figures}
        for key, value in said.items():
            if value in (None, ""):
                continue
            current = getattr(fund, key)
            same = (village_key(str(current or "")) == village_key(str(value)) if key == "village_name"
                    else current == value)
            if not same:
                plan.differences.append(Difference(title, fund_id, layout.header("funds", key), _shown(current),
                                                   _shown(value), fund.row, summary[0].source if summary else source))


def _loan_rows(plan: ImportPlan, ds: Dataset, loans: list[tuple[LoanIn, str]], layout: Layout,
               today: dt.date, now: dt.datetime) -> None:
    by_person: dict[tuple[str, dt.date, str], Loan] = {}
    for loan in ds.loans.values():
        if loan.loan_date is not None:
            by_person[(loan.fund_id, loan.loan_date, name_key(loan.borrower_name))] = loan
            if loan.citizen_id:
                by_person[(loan.fund_id, loan.loan_date, loan.citizen_id)] = loan
    numbers = _Numbers(set(ds.loans))
    seen: dict[tuple[str, dt.date, str], Source] = {}
    seen_numbers: dict[str, Source] = {}
    pending: list[tuple[LoanIn, str]] = []  # new loans still to be numbered
    for item, fund_id in loans:
        person = (fund_id, item.loan_date, name_key(item.borrower_name))
        if person in seen:
            plan.issues.append(CellIssue(item.source, "", "", f"ซ้ำกับ {seen[person].describe()} "
                                                              f"(ผู้ยืมและวันที่ยืมเดียวกัน): ไม่นำเข้าซ้ำ"))
            continue
        seen[person] = item.source
        if item.contract_no and item.contract_no in seen_numbers:
            plan.issues.append(CellIssue(item.source, "", "", f"เลขที่สัญญา {item.contract_no} ซ้ำกับ "
                                                              f"{seen_numbers[item.contract_no].describe()}"))
            continue
        if item.contract_no:
            seen_numbers[item.contract_no] = item.source
        existing = ds.loans.get(item.contract_no) if item.contract_no else None
        if existing is not None and existing.fund_id != fund_id and \
                name_key(existing.borrower_name) != name_key(item.borrower_name):
            plan.issues.append(CellIssue(item.source, "", "", f"เลขที่สัญญา {item.contract_no} มีในชีตแล้ว "
                                                              f"(แถว {existing.row}) เป็นของกองทุน {existing.fund_id} "
                                                              f"ผู้ยืมคนอื่น: ไม่นำเข้า"))
            continue
        if existing is None:
            existing = by_person.get(person) or (
                by_person.get((fund_id, item.loan_date, item.citizen_id)) if item.citizen_id else None)
        if existing is not None:
            plan.loans_in_sheet += 1
            _loan_differences(plan, existing, item, fund_id, layout)
            _payment_rows(plan, ds, existing.contract_no, item, layout, today, now)
            continue
        if item.contract_no:
            numbers.add(item.contract_no)
        pending.append((item, fund_id))
    # Numbers are made in loan-date order within a fund, as a register runs.
    for item, fund_id in sorted(pending, key=lambda pair: (not pair[0].contract_no, pair[1], pair[0].loan_date,
                                                           name_key(pair[0].borrower_name))):
        contract_no = item.contract_no
        if not contract_no:
            contract_no = numbers.next(fund_id, item.loan_date)
            plan.made_numbers.append(MadeNumber(contract_no, item.borrower_name, item.source))
        note = f"นำเข้าจาก {item.source.describe()}"
        record: dict[str, Any] = {
            "contract_no": contract_no, "fund_id": fund_id, "borrower_name": item.borrower_name,
            "citizen_id": item.citizen_id, "phone": item.phone or None, "round": item.round,
            "occupation": item.occupation or None, "loan_date": item.loan_date, "amount": item.amount,
            "due_date": item.due_date, "status": item.status, "note": f"{item.note} · {note}" if item.note else note,
        }
        plan.new_loans.append(NewRow("loans", record, item.source))
        _payment_rows(plan, ds, contract_no, item, layout, today, now)
    # Payments go in after every loan: in file order, whatever order the loans were numbered in.
    plan.new_payments.sort(key=lambda row: (row.source.file, row.source.sheet, row.source.row))


def _loan_differences(plan: ImportPlan, loan: Loan, item: LoanIn, fund_id: str, layout: Layout) -> None:
    title = layout.title("loans")
    said: list[tuple[str, Any, Any, bool]] = [
        ("contract_no", loan.contract_no, item.contract_no, loan.contract_no == item.contract_no),
        ("fund_id", loan.fund_id, fund_id, loan.fund_id == fund_id),
        ("borrower_name", loan.borrower_name, item.borrower_name,
         name_key(loan.borrower_name) == name_key(item.borrower_name)),
        ("citizen_id", loan.citizen_id, item.citizen_id, loan.citizen_id == item.citizen_id),
        ("phone", loan.phone, item.phone, _digits(loan.phone) == _digits(item.phone)),
        ("round", loan.round, item.round, loan.round == item.round),
        ("occupation", loan.occupation, item.occupation,
         "".join(normalize_text(loan.occupation).split()) == "".join(normalize_text(item.occupation).split())),
        ("loan_date", loan.loan_date, item.loan_date, loan.loan_date == item.loan_date),
        ("amount", loan.amount, item.amount, loan.amount == item.amount),
        ("due_date", loan.due_date, item.due_date, loan.due_date == item.due_date),
        ("status", loan.status_mark, item.status, loan.status_mark == item.status),
    ]
    for key, in_sheet, in_file, same in said:
        if in_file in (None, "") or same:
            continue
        shown_sheet = "x-xxxx-xxxx" + (in_sheet or "")[-4:] if key == "citizen_id" and in_sheet else _shown(in_sheet)
        shown_file = "x-xxxx-xxxx" + str(in_file)[-4:] if key == "citizen_id" else _shown(in_file)
        plan.differences.append(Difference(title, loan.contract_no, layout.header("loans", key), shown_sheet,
                                           shown_file, loan.row, item.source))


def _digits(text: str) -> str:
    return "".join(ch for ch in normalize_text(text or "") if ch.isdigit())


def _payment_rows(plan: ImportPlan, ds: Dataset, contract_no: str, item: LoanIn, layout: Layout,
                  today: dt.date, now: dt.datetime) -> None:
    """The file's payments of a contract that the sheet lacks (counted: twice in the file, twice in the sheet)."""
    in_sheet = ds.payments.get(contract_no, [])
    left = Counter((p.paid_date, p.amount) for p in in_sheet)
    unmatched: list[PaymentIn] = []
    for payment in item.payments:
        key = (payment.paid_date, payment.amount)
        if left[key] > 0:
            left[key] -= 1
            plan.payments_in_sheet += 1
        else:
            unmatched.append(payment)
    other_amounts: dict[dt.date, list[Decimal]] = defaultdict(list)
    for (day, amount), count in left.items():
        other_amounts[day].extend([amount] * count)
    occurrences: Counter[tuple[dt.date, Decimal]] = Counter()
    for payment in unmatched:
        key = (payment.paid_date, payment.amount)
        occurrences[key] += 1
        if payment.paid_date > today:
            plan.issues.append(CellIssue(payment.source, "", "", f"วันที่ชำระ {date_th(payment.paid_date)} อยู่ในอนาคต "
                                                                 f"จึงไม่นำเข้าการชำระนี้"))
            continue
        if other_amounts.get(payment.paid_date):
            sheet_amount = other_amounts[payment.paid_date].pop(0)
            row = next((p.row for p in in_sheet if p.paid_date == payment.paid_date and p.amount == sheet_amount), None)
            header = f"{layout.header('payments', 'amount')} วันที่ {date_th(payment.paid_date)}"
            plan.differences.append(Difference(layout.title("payments"), contract_no, header, baht(sheet_amount),
                                               baht(payment.amount), row, payment.source))
            continue
        # The same payment always gets the same ref, so two runs at once still count it once.
        digest = hashlib.sha1(f"{contract_no}|{payment.paid_date}|{payment.amount}|{occurrences[key]}".encode())
        plan.new_payments.append(NewRow("payments", {
            "contract_no": contract_no, "paid_date": payment.paid_date, "amount": payment.amount,
            "receipt_no": payment.receipt_no or None, "recorded_by": IMPORTED_BY, "source": SOURCE_SHEET,
            "recorded_at": now.replace(tzinfo=None), "ref": f"IMP-{digest.hexdigest()[:12]}",
            "note": f"นำเข้าจาก {payment.source.describe()}",
        }, payment.source))
