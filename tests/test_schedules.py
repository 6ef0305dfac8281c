"""The schedules kept as columns (sheets.records.Schedules): what a contract's rows become, what the
ledger's book picks out of them, and the rules across a contract's rows, said where they apply."""
from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import numpy as np
import pytest

from sheets.book import book_of
from sheets.model import load_dataset
from sheets.records import Installment, Schedules
from sheets.store import Layout
from tests.sheetdata import TODAY, as_tables, tiny_province

LAYOUT = Layout()


def parsed(installments: list[dict]) -> object:
    data = tiny_province()
    data["installments"] = installments
    return load_dataset(as_tables(data), LAYOUT, TODAY)


def test_a_contracts_rows_come_back_as_records_by_due_date_then_seq() -> None:
    ds = parsed([
        {"contract_no": "F1-002", "seq": 3, "due_date": dt.date(2026, 11, 26), "amount": 4000},
        {"contract_no": "F1-001", "seq": 1, "due_date": dt.date(2026, 12, 3), "amount": "10,000"},
        {"contract_no": "F1-002", "seq": 1, "due_date": dt.date(2026, 9, 26), "amount": 4000},
        {"contract_no": "F1-002", "seq": 2, "due_date": "26/10/2569", "amount": "4,000.50"},
    ])
    assert isinstance(ds.installments, Schedules)
    assert list(ds.installments) == ["F1-002", "F1-001"]    # in the order of each one's first row
    assert ds.installments["F1-002"] == [
        Installment(4, "F1-002", 1, dt.date(2026, 9, 26), Decimal("4000.00")),
        Installment(5, "F1-002", 2, dt.date(2026, 10, 26), Decimal("4000.50")),
        Installment(2, "F1-002", 3, dt.date(2026, 11, 26), Decimal("4000.00")),
    ]
    assert ds.installments["F1-002"] is not ds.installments["F1-002"]   # a new list each time
    assert ds.installments.get("F2-001") is None and "F2-001" not in ds.installments
    # The sum (12,000.50 against 12,000) is said once, at the contract's first row in the sheet.
    sums = [p for p in ds.problems if p.tab == "งวดชำระ" and "งวดชำระรวม" in p.message]
    assert [(p.row, p.key, p.message) for p in sums] == [
        (2, "F1-002", "งวดชำระรวม 12,000.50 บาท ไม่เท่ากับเงินยืม 12,000.00 บาท")]


def test_the_book_picks_each_loans_rows_out_in_the_books_order() -> None:
    ds = parsed([
        {"contract_no": "F3-001", "seq": 2, "due_date": dt.date(2026, 3, 31), "amount": 10000},
        {"contract_no": "F1-002", "seq": 1, "due_date": dt.date(2026, 9, 26), "amount": 12000},
        {"contract_no": "F3-001", "seq": 1, "due_date": dt.date(2025, 10, 1), "amount": 10000},
    ])
    owner, due, seq, amount = ds.installments.rows_of(["F2-001", "F3-001", "NONE", "F1-002"])
    assert owner.tolist() == [1, 1, 3]
    assert due.tolist() == [dt.date(2025, 10, 1).toordinal(), dt.date(2026, 3, 31).toordinal(),
                            dt.date(2026, 9, 26).toordinal()]
    assert seq.tolist() == [1, 2, 1] and amount.tolist() == [1_000_000, 1_000_000, 1_200_000]
    assert all(len(part) == 0 for part in ds.installments.rows_of([]))
    book = book_of(ds)
    for i, no in enumerate(book.engine.keys):   # every loan's schedule in the engine is its records'
        a, b = int(book.engine.inst_start[i]), int(book.engine.inst_end[i])
        records = ds.installments.get(no)
        if records:
            assert book.engine.inst_seq[a:b].tolist() == [r.seq for r in records]
            assert book.engine.inst_amount[a:b].tolist() == [int(r.amount * 100) for r in records]


def test_a_repeated_seq_keeps_the_first_row_and_says_the_others() -> None:
    ds = parsed([
        {"contract_no": "F1-002", "seq": 1, "due_date": dt.date(2026, 9, 26), "amount": 6000},
        {"contract_no": "F1-002", "seq": 1, "due_date": dt.date(2026, 10, 26), "amount": 6000},
        {"contract_no": "F1-002", "seq": 2, "due_date": dt.date(2026, 11, 26), "amount": 6000},
    ])
    assert [(i.row, i.seq) for i in ds.installments["F1-002"]] == [(2, 1), (4, 2)]
    again = [p for p in ds.problems if p.tab == "งวดชำระ" and p.field == "seq"]
    assert [(p.row, p.message, p.fund_id) for p in again] == [(3, "งวดที่ 1 ของสัญญา F1-002 ซ้ำ", "230101-01")]


def test_a_seq_too_big_for_any_schedule_is_said_and_the_rest_read() -> None:
    ds = parsed([
        {"contract_no": "F1-002", "seq": 10**30, "due_date": dt.date(2026, 9, 26), "amount": 4000},
        {"contract_no": "F1-002", "seq": 2, "due_date": dt.date(2026, 11, 26), "amount": 8000},
    ])
    said = [p for p in ds.problems if p.tab == "งวดชำระ" and p.field == "seq"]
    assert [(p.row, p.header, p.level) for p in said] == [(2, LAYOUT.header("installments", "seq"), "error")]
    assert [u.row for u in ds.unreadable if u.tab == "งวดชำระ"] == [2]
    assert [i.seq for i in ds.installments["F1-002"]] == [2]


def test_schedules_survive_a_pickle_and_an_empty_one_has_nothing() -> None:
    ds = parsed([{"contract_no": "F1-002", "seq": 1, "due_date": dt.date(2026, 11, 26), "amount": 12000}])
    ds.installments.get("F1-002")   # the index is built
    again = pickle.loads(pickle.dumps(ds.installments))
    assert again == ds.installments and again["F1-002"] == ds.installments["F1-002"]
    empty = Schedules.empty()
    assert len(empty) == 0 and list(empty) == [] and empty.get("F1-002") is None
    assert [part.dtype for part in empty.rows_of(["F1-002"])] == [np.dtype(np.int64)] * 4
    with pytest.raises(KeyError):
        empty["F1-002"]
