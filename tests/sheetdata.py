"""A tiny hand-built province for tests, whose every figure is known by hand.

Today is 26 Nov 2026 (26 พ.ย. 2569). Two districts, three funds, seven loans:

| contract | fund | amount | schedule | paid by today | state today |
|---|---|---|---|---|---|
| F1-001 | 230101-01 | 10,000 | one, due 3 Dec 2026 | 0 | due in 7 days |
| F1-002 | 230101-01 | 12,000 | 4,000 on 26 Sep, 26 Oct, 26 Nov 2026 | 4,000 + 2,000 | arrears 6,000, 31 days overdue, seq 3 due today |
| F2-001 | 230102-03 | 5,000 | one, due 25 Nov 2026 | 0 | 1 day overdue |
| F2-002 | 230102-03 | 8,000 | one, due 30 Jun 2026 | 8,000 | closed |
| F3-001 | 230301-02 | 20,000 | one, due 31 Mar 2026, marked ผิดสัญญา | 5,000 | breached, 240 days overdue |
| F3-002 | 230301-02 | 6,000 | due "31/02/2569" (typo) | 0 | unreadable |
| F3-003 | 230301-02 | 9,000 | one, due 26 Jan 2027 (bad citizen id) | 0 | normal |

Officers: OF-01 and OF-02 (เมืองตราด, linked), OF-03 (เขาสมิง, NOT linked),
OF-04 (เขาสมิง, inactive, linked), PV-01 (จังหวัด, linked). Fund 230101-01 names
OF-01; the others leave the officer blank (every active officer of the district).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from core.schema import TABS
from sheets.store import Layout, Table

TODAY = dt.date(2026, 11, 26)
USER_OF01 = "U" + "a" * 32
USER_OF02 = "U" + "b" * 32
USER_OF04 = "U" + "d" * 32
USER_PV01 = "U" + "c" * 32

GOOD_DOCS = {
    "bank_name": "ธ.ก.ส.", "bank_account_no": "020-1-23456-7", "bank_balance": 150000,
    "bank_balance_date": dt.date(2026, 10, 31), "cash_on_hand": 2500,
    "committee_order_no": "ตร 12/2567", "committee_order_date": dt.date(2024, 3, 1),
    "committee_order_doc": "https://drive.google.com/file/d/a/view",
    "bank_book_doc": "https://drive.google.com/file/d/b/view",
    "financial_summary_doc": "https://drive.google.com/file/d/c/view",
    "financial_summary_date": dt.date(2026, 9, 30), "households_total": 120, "households_target": 30,
    "updated_at": dt.date(2026, 11, 1), "budget_year": 2537,
}


def tiny_province() -> dict[str, list[dict[str, Any]]]:
    """Tab key -> rows as column key -> cell value (what a person would have typed)."""
    return {
        "officers": [
            {"officer_id": "OF-01", "name": "สมศรี มีสุข", "district": "เมืองตราด", "role": "อำเภอ",
             "register_code": "ABC123", "active": "ใช่"},
            {"officer_id": "OF-02", "name": "วิชัย ใจดี", "district": "อ.เมืองตราด", "role": "อำเภอ",
             "register_code": "DEF456"},
            {"officer_id": "OF-03", "name": "มานี รักดี", "district": "เขาสมิง", "role": "อำเภอ",
             "register_code": "GHI789", "active": "ใช่"},
            {"officer_id": "OF-04", "name": "ปิติ ชูใจ", "district": "เขาสมิง", "role": "อำเภอ",
             "register_code": "JKL000", "active": "ไม่"},
            {"officer_id": "PV-01", "name": "จันทร์เพ็ญ แสงดี", "district": "", "role": "จังหวัด",
             "register_code": "PRV001", "active": "ใช่"},
        ],
        "line_links": [
            {"linked_at": dt.datetime(2026, 6, 1, 9, 0), "officer_id": "OF-01", "line_user_id": USER_OF01,
             "display_name": "Somsri"},
            {"linked_at": dt.datetime(2026, 6, 1, 9, 5), "officer_id": "OF-02", "line_user_id": USER_OF02,
             "display_name": "Wichai"},
            {"linked_at": dt.datetime(2026, 6, 1, 9, 6), "officer_id": "OF-04", "line_user_id": USER_OF04,
             "display_name": "Piti"},
            {"linked_at": dt.datetime(2026, 6, 2, 9, 0), "officer_id": "PV-01", "line_user_id": USER_PV01,
             "display_name": "Chanpen"},
        ],
        "funds": [
            {"fund_id": "230101-01", "district": "เมืองตราด", "subdistrict": "บางพระ", "village_no": 1,
             "village_name": "บ้านบางพระ", "capital": 280000, "officer_id": "OF-01", **GOOD_DOCS},
            {"fund_id": "230102-03", "district": "อำเภอเมืองตราด", "subdistrict": "หนองเสม็ด", "village_no": 3,
             "village_name": "บ้านหนองเสม็ด", "capital": "280,000 บาท", **GOOD_DOCS, "bank_book_doc": ""},
            {"fund_id": "230301-02", "district": "เขาสมิง", "subdistrict": "เขาสมิง", "village_no": 2,
             "village_name": "บ้านเขาสมิง", "capital": 300000, **GOOD_DOCS,
             "bank_balance_date": "10/05/2569"},  # 200 days old: not current
        ],
        "loans": [
            {"contract_no": "F1-001", "fund_id": "230101-01", "borrower_name": "นายหนึ่ง ทดสอบ",
             "citizen_id": "1-1014-00123-45-1", "loan_date": dt.date(2026, 5, 1), "amount": 10000,
             "due_date": dt.date(2026, 12, 3)},
            {"contract_no": "F1-002", "fund_id": "230101-01", "borrower_name": "นางสอง ทดสอบ",
             "loan_date": "10/01/2569", "amount": "12,000", "due_date": "26 พ.ย. 69"},
            {"contract_no": "F2-001", "fund_id": "230102-03", "borrower_name": "นายสาม ทดสอบ",
             "loan_date": dt.date(2026, 2, 1), "amount": 5000, "due_date": dt.date(2026, 11, 25)},
            {"contract_no": "F2-002", "fund_id": "230102-03", "borrower_name": "นางสี่ ทดสอบ",
             "loan_date": dt.date(2026, 1, 1), "amount": 8000, "due_date": dt.date(2026, 6, 30)},
            {"contract_no": "F3-001", "fund_id": "230301-02", "borrower_name": "นายห้า ทดสอบ",
             "loan_date": dt.date(2025, 4, 1), "amount": 20000, "due_date": dt.date(2026, 3, 31),
             "status": "ผิดสัญญา"},
            {"contract_no": "F3-002", "fund_id": "230301-02", "borrower_name": "นางหก ทดสอบ",
             "loan_date": dt.date(2026, 1, 5), "amount": 6000, "due_date": "31/02/2569"},
            {"contract_no": "F3-003", "fund_id": "230301-02", "borrower_name": "นายเจ็ด ทดสอบ",
             "citizen_id": "1101400123452", "loan_date": dt.date(2026, 7, 26), "amount": 9000,
             "due_date": dt.date(2027, 1, 26)},
        ],
        "installments": [
            {"contract_no": "F1-002", "seq": 1, "due_date": dt.date(2026, 9, 26), "amount": 4000},
            {"contract_no": "F1-002", "seq": 2, "due_date": dt.date(2026, 10, 26), "amount": 4000},
            {"contract_no": "F1-002", "seq": 3, "due_date": dt.date(2026, 11, 26), "amount": 4000},
        ],
        "payments": [
            {"contract_no": "F1-002", "paid_date": dt.date(2026, 9, 20), "amount": 4000, "receipt_no": "R1"},
            {"contract_no": "F1-002", "paid_date": "30/10/2569", "amount": "2,000 บาท", "receipt_no": "R2"},
            {"contract_no": "F2-002", "paid_date": dt.date(2026, 6, 28), "amount": 8000, "receipt_no": "R3"},
            {"contract_no": "F3-001", "paid_date": dt.date(2026, 2, 1), "amount": 5000, "receipt_no": "R4"},
            {"contract_no": "XX-999", "paid_date": dt.date(2026, 11, 1), "amount": 700, "receipt_no": "R5"},
        ],
        "committee": [],
        "alert_log": [],
    }


def as_tables(data: dict[str, list[dict[str, Any]]], layout: Layout | None = None) -> dict[str, Table]:
    """Rows as the store would return them (header row of Thai headers, raw cells)."""
    layout = layout or Layout()
    tables = {}
    for tab_key in TABS:
        if not TABS[tab_key].columns:
            continue
        headers = layout.headers(tab_key)
        keys = [c.key for c in TABS[tab_key].columns]
        rows = [[row.get(k) for k in keys] for row in data.get(tab_key, [])]
        tables[tab_key] = Table(layout.title(tab_key), headers, rows)
    return tables


def write_workbook(path: Path, data: dict[str, list[dict[str, Any]]] | None = None,
                   layout: Layout | None = None):
    """An .xlsx store holding `data` (the tiny province by default)."""
    from sheets.workbook import WorkbookStore
    from sheets.template import templates

    layout = layout or Layout()
    store = WorkbookStore(Path(path), layout)
    store.init_template(templates(layout))
    for tab_key, rows in (data if data is not None else tiny_province()).items():
        store.append(tab_key, rows)
    return store
