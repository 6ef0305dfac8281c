"""The กรรมการ tab: each fund's committee members and their term."""
from __future__ import annotations

from core.schema import POSITIONS
from sheets import readers
from sheets.parse.tab import TabReader
from sheets.records import CommitteeMember, Dataset


def parse_committee(ds: Dataset, tab: TabReader) -> None:
    fund_id = tab.text("fund_id", required=True)
    tab.keys = fund_id
    tab.funds = [f if f in ds.funds else None for f in fund_id]
    known = not ds.lacks("funds", "fund_id")  # else no fund id can be known: one problem says so
    for i, f in enumerate(fund_id):
        if known and f and f not in ds.funds:
            tab.problem(i, "fund_id", f"ไม่พบรหัสกองทุน {f} ในแท็บกองทุน")
    position = [p or "" for p in tab.read("position", lambda v: readers.read_choice(v, POSITIONS))]
    start, end = tab.read("term_start", readers.read_date), tab.read("term_end", readers.read_date)
    for i in range(tab.n):
        if start[i] and end[i] and end[i] < start[i]:
            tab.problem(i, "term_end", "วันสิ้นสุดวาระก่อนวันเริ่มวาระ")
    name, phone = tab.text("name", required=True), tab.text("phone")
    for i in range(tab.n):
        ds.committee.append(CommitteeMember(tab.numbers[i], fund_id[i], name[i], position[i], start[i], end[i],
                                            phone[i]))
