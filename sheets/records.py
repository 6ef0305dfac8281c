"""The typed dataset: one record type per tab, the problems found reading them, and the Dataset.

The tab parsers (sheets/parse/) fill a Dataset; sheets/model.py is how the rest of the
program gets one. Records keep the sheet's row number so every answer can point at a cell.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Literal

from core.schema import (ADMIN_ROLE, DISTRICT_ROLE, DOC_BANK_BOOK, DOC_COMMITTEE_ORDER, DOC_FINANCIAL_SUMMARY,
                         SOURCE_SHEET, TABS)
from ledger import Contract, Installment as LedgerInstallment, Payment as LedgerPayment

if TYPE_CHECKING:
    import numpy as np

Level = Literal["error", "warning"]
LEVEL_TH = {"error": "ผิดพลาด", "warning": "คำเตือน"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the sheet, said so that a person can find and fix it."""

    tab: str            # Thai tab title
    row: int | None     # the sheet's row number (1 = header)
    key: str            # fund_id / contract_no / officer_id of the row, when known
    field: str          # column key ("" for a whole-row problem)
    header: str         # the column's Thai header as the person sees it
    level: Level
    message: str
    fund_id: str | None = None  # the fund this problem counts against

    def as_dict(self) -> dict[str, Any]:
        return {"tab": self.tab, "row": self.row, "key": self.key, "field": self.field,
                "header": self.header, "level": self.level, "message": self.message,
                "fund_id": self.fund_id}


@dataclass(frozen=True)
class Unreadable:
    """A row left out of computations because a value it needs could not be read."""

    tab: str
    row: int
    fund_id: str | None   # whose officer is told; None = nobody can be derived (province)
    reason: str


@dataclass
class Fund:
    row: int
    fund_id: str
    district: str               # the official district name when it matched, else as typed
    district_ok: bool
    subdistrict: str
    village_no: int | None
    village_name: str
    budget_year: int | None
    capital: Decimal | None
    bank_name: str
    bank_account_no: str
    bank_balance: Decimal | None
    bank_balance_date: dt.date | None
    cash_on_hand: Decimal | None
    committee_order_no: str
    committee_order_date: dt.date | None
    committee_order_doc: str
    bank_book_doc: str
    financial_summary_doc: str
    financial_summary_date: dt.date | None
    households_total: int | None
    households_target: int | None
    officer_id: str
    updated_at: dt.date | None
    note: str


@dataclass(frozen=True)
class DocumentRow:
    """A row of เอกสาร: a document an officer sent in LINE (chat/documents.py)."""

    row: int
    fund_id: str
    document: str
    document_date: dt.date | None
    link: str
    sent_by: str
    sent_at: dt.datetime | None
    ref: str
    bank_balance: Decimal | None
    bank_balance_date: dt.date | None


@dataclass(frozen=True)
class FundDocument:
    """One of a fund's documents as the check and the fund card see it: where it is and of when."""

    kind: str
    link: str
    date: dt.date | None
    source: str                 # the tab it came from: กองทุน (a typed link) or เอกสาร (sent in LINE)


# The kinds of document that have a link column in กองทุน, with the date column that dates them.
TYPED_DOCUMENTS = ((DOC_COMMITTEE_ORDER, "committee_order_doc", "committee_order_date"),
                   (DOC_BANK_BOOK, "bank_book_doc", "bank_balance_date"),
                   (DOC_FINANCIAL_SUMMARY, "financial_summary_doc", "financial_summary_date"))


def is_newer(day: dt.date | None, than: dt.date | None) -> bool:
    return day is not None and (than is None or day > than)


@dataclass(slots=True)
class Loan:
    row: int
    contract_no: str
    fund_id: str
    borrower_name: str
    citizen_id: str | None      # only a valid id is kept
    phone: str
    round: int | None
    occupation: str
    loan_date: dt.date | None
    amount: Decimal | None
    due_date: dt.date | None
    status_mark: str | None
    note: str

    @property
    def readable(self) -> bool:
        """Everything the ledger and alerts need could be read."""
        return self.amount is not None and self.due_date is not None


@dataclass(slots=True)
class Installment:
    row: int
    contract_no: str
    seq: int
    due_date: dt.date
    amount: Decimal


_Columns = tuple["np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray"]


class Schedules(Mapping[str, list[Installment]]):
    """Every loan's repayment schedule (งวดชำระ), kept as columns: contract number -> its installments.

    A big province's tab has 300,000 rows, which the program mostly uses as columns (the ledger
    engine's book); a record per row, sorted and summed per contract in Python, was a third of its
    parse. So the parse (sheets/parse/installments.py) keeps the rows it accepts as arrays, sorted
    by contract, due date and seq, and a contract's `Installment` records are made when it is asked
    for (a loan's own ledger, `Dataset.contract`). Read-only: each look-up makes a new list.

    Dates are ordinals (`date.toordinal`), amounts whole satang, as the engine takes them. numpy
    is imported only by what makes or reads the columns: an empty one (the default of a Dataset,
    as in a snapshot's base part of officers and funds) holds none, so that loading one leaves the
    webhook's import of numpy to the scope's book, in the background.
    """

    def __init__(self, contracts: Sequence[str], columns: _Columns | None = None) -> None:
        self.contracts = tuple(contracts)   # in the order of each one's first row in the tab
        # (start, row, seq, due, amount): contract k's rows are start[k]:start[k + 1]. None: no rows.
        self.columns = columns
        self._index: dict[str, int] | None = None

    @classmethod
    def empty(cls) -> "Schedules":
        return cls(())

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_index": None}   # the index is rebuilt on first use

    def _positions(self) -> dict[str, int]:
        if self._index is None:
            self._index = {key: k for k, key in enumerate(self.contracts)}
        return self._index

    def __getitem__(self, contract_no: str) -> list[Installment]:
        k = self._positions().get(contract_no)
        if k is None:
            raise KeyError(contract_no)
        assert self.columns is not None   # a contract is listed only with its rows
        start, row, seq, due, amount = self.columns
        part = slice(int(start[k]), int(start[k + 1]))
        return [Installment(r, contract_no, s, dt.date.fromordinal(d), Decimal(a).scaleb(-2))
                for r, s, d, a in zip(row[part].tolist(), seq[part].tolist(), due[part].tolist(),
                                      amount[part].tolist())]

    def __contains__(self, contract_no: object) -> bool:
        return isinstance(contract_no, str) and contract_no in self._positions()

    def __iter__(self) -> Iterator[str]:
        return iter(self.contracts)

    def __len__(self) -> int:
        return len(self.contracts)

    def __repr__(self) -> str:
        rows = 0 if self.columns is None else len(self.columns[1])
        return f"Schedules({len(self.contracts)} contracts, {rows} installments)"

    def rows_of(self, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The installments of these contracts, contract by contract in this order: each one's
        position in `keys`, its due date (ordinal), seq and amount (satang)."""
        import numpy as np

        if self.columns is None:
            none = np.zeros(0, dtype=np.int64)
            return none, none, none, none
        start, _, seq, due, amount = self.columns
        index = self._positions()
        at = np.fromiter((index.get(key, -1) for key in keys), dtype=np.int64, count=len(keys))
        known = at >= 0
        first = np.where(known, start[at], 0)
        lengths = np.where(known, start[at + 1] - first, 0)
        total = int(lengths.sum())
        # Row r of contract j is first[j] + (r - where j's rows begin in the result).
        begins = np.cumsum(lengths) - lengths
        picked = np.repeat(first - begins, lengths) + np.arange(total, dtype=np.int64)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        return owner, due[picked], seq[picked], amount[picked]


@dataclass(slots=True)
class Payment:
    row: int
    contract_no: str
    paid_date: dt.date
    amount: Decimal
    receipt_no: str = ""
    recorded_by: str = ""
    source: str = SOURCE_SHEET
    recorded_at: dt.datetime | None = None
    ref: str = ""
    note: str = ""


@dataclass
class CommitteeMember:
    row: int
    fund_id: str
    name: str
    position: str
    term_start: dt.date | None
    term_end: dt.date | None
    phone: str


@dataclass
class Officer:
    row: int
    officer_id: str
    name: str
    district: str
    role: str
    register_code: str
    active: bool

    @property
    def sees_all(self) -> bool:
        """Provincial staff and admins see the whole province."""
        return self.role != DISTRICT_ROLE

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN_ROLE


@dataclass
class LineLink:
    row: int
    linked_at: dt.datetime | None
    officer_id: str
    line_user_id: str
    display_name: str


@dataclass(slots=True)
class AlertLogEntry:
    row: int
    run_date: dt.date
    officer_id: str
    contract_no: str
    seq: int | None
    kind: str          # English key: before_due / due_today / overdue / monthly_summary
    days: int | None
    status: str        # English key: sent / failed / no-line-account
    retry_key: str
    sent_at: dt.datetime | None = None
    amount: Decimal | None = None
    detail: str = ""


@dataclass
class Dataset:
    """Everything one run needs, read once."""

    today: dt.date
    funds: dict[str, Fund] = field(default_factory=dict)
    loans: dict[str, Loan] = field(default_factory=dict)
    installments: Schedules = field(default_factory=Schedules.empty)
    payments: dict[str, list[Payment]] = field(default_factory=lambda: defaultdict(list))
    committee: list[CommitteeMember] = field(default_factory=list)
    officers: dict[str, Officer] = field(default_factory=dict)
    links: dict[str, LineLink] = field(default_factory=dict)   # officer_id -> latest link
    alert_log: list[AlertLogEntry] = field(default_factory=list)
    documents: dict[str, list[DocumentRow]] = field(default_factory=lambda: defaultdict(list))  # by fund id
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    tabs_missing: list[str] = field(default_factory=list)
    # A required column missing from its tab, one problem per column (row 1, its column key and the
    # header looked for): nothing that needs the column can be trusted, so a run that would act on
    # the data (the alerts) stops and says so. Not in `problems`: they are of another kind.
    blocking: list[Problem] = field(default_factory=list)
    # The cells of each tab read (its used rows × columns, the header row included), by tab title:
    # a Google spreadsheet holds 10 million cells at most, and the check says when it fills up.
    tab_cells: dict[str, int] = field(default_factory=dict)
    # Optional columns left unread because the job that read them does not use them (tab key ->
    # column keys; sheets.model.check_skip): blank in every record, no problem said about them.
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Data tabs the job did not read, as it uses nothing of them (sheets.model.load_dataset's
    # `unread`): their records are empty, and nothing is said about them, not even missing.
    unread: tuple[str, ...] = ()

    # -- questions the rest of the program asks ---------------------------
    def require_whole(self, purpose: str) -> None:
        """Refuse a dataset parsed with columns skipped (`skipped`): `purpose` needs every column."""
        if self.skipped:
            columns = ", ".join(f"{tab}.{col}" for tab, cols in self.skipped.items() for col in cols)
            raise ValueError(f"{purpose} needs every column read; this dataset skipped {columns}")

    def fund_documents(self, fund: Fund) -> dict[str, FundDocument]:
        """The fund's newest document of each kind, from either place: the link typed in กองทุน (dated by
        its date column) or a row of เอกสาร (dated by its document date); the newer wins, the typed one on a tie."""
        found: dict[str, FundDocument] = {}
        for kind, link_col, date_col in TYPED_DOCUMENTS:
            link = getattr(fund, link_col)
            if link:
                found[kind] = FundDocument(kind, link, getattr(fund, date_col), TABS["funds"].title)
        for doc in sorted(self.documents.get(fund.fund_id, ()), key=lambda d: d.row):
            have = found.get(doc.document)
            if have is None or is_newer(doc.document_date, have.date):
                found[doc.document] = FundDocument(doc.document, doc.link, doc.document_date, TABS["documents"].title)
        return found

    def bank_balance(self, fund: Fund) -> tuple[Decimal | None, dt.date | None]:
        """The fund's bank balance and its date: the newer of the typed cells and the newest bank book sent
        in LINE (the typed one on a tie). The one place the check, the report and the card take it from."""
        amount, day = fund.bank_balance, fund.bank_balance_date
        for doc in self.documents.get(fund.fund_id, ()):
            if doc.bank_balance is not None and (amount is None or is_newer(doc.bank_balance_date, day)):
                amount, day = doc.bank_balance, doc.bank_balance_date
        return amount, day

    def lacks(self, tab_key: str, col_key: str) -> bool:
        """The tab was read without this required column (one of `blocking`)."""
        title = TABS[tab_key].title
        return any(p.tab == title and p.field == col_key for p in self.blocking)

    def contract(self, loan: Loan) -> Contract:
        """The ledger's view of a readable loan."""
        assert loan.amount is not None and loan.due_date is not None
        schedule = tuple(LedgerInstallment(i.seq, i.due_date, i.amount)
                         for i in self.installments.get(loan.contract_no, ()))
        payments = tuple(LedgerPayment(p.paid_date, p.amount)
                         for p in self.payments.get(loan.contract_no, ()))
        return Contract(loan.contract_no, loan.amount, loan.due_date, schedule, payments, loan.status_mark)

    def readable_loans(self) -> Iterable[Loan]:
        return (loan for loan in self.loans.values() if loan.readable and loan.fund_id in self.funds)

    def district_of(self, fund_id: str | None) -> str | None:
        fund = self.funds.get(fund_id or "")
        return fund.district if fund else None

    def active_officers(self) -> list[Officer]:
        return [o for o in self.officers.values() if o.active]

    def officers_for_fund(self, fund_id: str) -> list[Officer]:
        """The fund's officer, or when blank (or unknown/inactive) every active officer of its district."""
        fund = self.funds.get(fund_id)
        if fund is None:
            return []
        named = self.officers.get(fund.officer_id)
        if named is not None and named.active:
            return [named]
        return [o for o in self.active_officers() if o.role == DISTRICT_ROLE and o.district == fund.district]

    def line_user(self, officer_id: str) -> str | None:
        link = self.links.get(officer_id)
        return link.line_user_id if link else None

    def officer_by_line_user(self, line_user_id: str) -> Officer | None:
        for officer_id, link in self.links.items():
            if link.line_user_id == line_user_id:
                return self.officers.get(officer_id)
        return None

