"""The กองทุน tab: each village fund, where it is, its capital, bank, committee order and documents."""
from __future__ import annotations

from core.geo import district_by_name, normalize_subdistrict
from sheets import readers
from sheets.parse import amounts
from sheets.parse.district import read_districts
from sheets.parse.tab import TabReader
from sheets.records import Dataset, Fund

_DATES = ("bank_balance_date", "committee_order_date", "financial_summary_date", "updated_at")


def parse_funds(ds: Dataset, tab: TabReader) -> None:
    fund_id = tab.text("fund_id", required=True)
    tab.keys = fund_id
    tab.funds = [f or None for f in fund_id]
    district, district_ok = read_districts(tab, "district", required=True)
    subdistrict = tab.text("subdistrict", required=True)
    for i in range(tab.n):
        if district_ok[i] and subdistrict[i]:
            official = district_by_name(district[i])
            names = {s.name for s in official.subdistricts} if official else set()
            if normalize_subdistrict(subdistrict[i]) not in names:
                tab.problem(i, "subdistrict", f"ตำบล \"{subdistrict[i]}\" ไม่อยู่ในอำเภอ{district[i]}")
            else:
                subdistrict[i] = normalize_subdistrict(subdistrict[i])
    village_no = tab.read("village_no", readers.read_int, required=True)
    for i, number in enumerate(village_no):
        if number is not None and not 1 <= number <= 99:
            tab.problem(i, "village_no", f"หมู่ที่ต้องอยู่ระหว่าง 1–99 (กรอกไว้ {number})")
    capital = tab.read("capital", amounts.read_amount, required=True)
    for i, amount in enumerate(capital):
        if amount is not None and amount <= 0:
            tab.problem(i, "capital", "เงินทุนต้องมากกว่า 0")
    households_total = tab.read("households_total", readers.read_int)
    households_target = tab.read("households_target", readers.read_int)
    for i, (total, target) in enumerate(zip(households_total, households_target)):
        if total is not None and target is not None and target > total:
            tab.problem(i, "households_target", "ครัวเรือนเป้าหมายมากกว่าครัวเรือนทั้งหมด")
    officer_id = tab.text("officer_id")
    known = not ds.lacks("officers", "officer_id")  # else no officer id can be known: one problem says so
    for i, oid in enumerate(officer_id):
        if known and oid and oid not in ds.officers:
            tab.problem(i, "officer_id", f"ไม่พบรหัสเจ้าหน้าที่ {oid} ในแท็บเจ้าหน้าที่ "
                                         f"(จะแจ้งเจ้าหน้าที่ทุกคนของอำเภอแทน)")
    dates = {col: tab.read(col, readers.read_date) for col in _DATES}
    for col, values in dates.items():
        for i, day in enumerate(values):
            if day is not None and day > ds.today:
                tab.problem(i, col, "วันที่อยู่ในอนาคต")
    village_name = tab.text("village_name", required=True)
    budget_year = tab.read("budget_year", readers.read_int)
    bank_name, bank_account_no = tab.text("bank_name"), tab.text("bank_account_no")
    bank_balance = tab.read("bank_balance", amounts.read_amount)
    cash_on_hand = tab.read("cash_on_hand", amounts.read_amount)
    committee_order_no, committee_order_doc = tab.text("committee_order_no"), tab.text("committee_order_doc")
    bank_book_doc, financial_summary_doc = tab.text("bank_book_doc"), tab.text("financial_summary_doc")
    note = tab.text("note")
    for i, fid in enumerate(fund_id):
        if not fid:
            continue
        if fid in ds.funds:
            tab.problem(i, "fund_id", f"รหัสกองทุน {fid} ซ้ำกับแถว {ds.funds[fid].row}")
            continue
        ds.funds[fid] = Fund(
            row=tab.numbers[i], fund_id=fid, district=district[i], district_ok=district_ok[i],
            subdistrict=subdistrict[i], village_no=village_no[i], village_name=village_name[i],
            budget_year=budget_year[i], capital=capital[i], bank_name=bank_name[i],
            bank_account_no=bank_account_no[i], bank_balance=bank_balance[i],
            bank_balance_date=dates["bank_balance_date"][i], cash_on_hand=cash_on_hand[i],
            committee_order_no=committee_order_no[i], committee_order_date=dates["committee_order_date"][i],
            committee_order_doc=committee_order_doc[i], bank_book_doc=bank_book_doc[i],
            financial_summary_doc=financial_summary_doc[i],
            financial_summary_date=dates["financial_summary_date"][i],
            households_total=households_total[i], households_target=households_target[i],
            officer_id=officer_id[i] if officer_id[i] in ds.officers else "",
            updated_at=dates["updated_at"][i], note=note[i])
