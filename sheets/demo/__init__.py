"""A demo Smart Data workbook: a synthetic but realistic Trat province.

For trying the system and for the district officers' training meeting. Every
name, citizen id, phone number, bank account and LINE id is made up; only the
geography (districts, subdistricts and their codes) is real.

`demo_tables` is the pure part: tab key -> rows (the first row is the Thai
headers), the same for the same seed and date, so a benchmark can load the
very same data into a fake Google Sheet. `build_demo` writes them to an .xlsx.

The data tells a story as of `today`: lending rounds over the last ~18 months,
most installments paid on time, some late or partial, 10-20% of the open
contracts in arrears (1-30, 31-90 and over 90 days), a few breached, some
closed; installments due today and in the coming week so that an alert run has
something to send; and a handful of planted data problems (listed in
`DemoSummary.planted`) so that the data-quality check has something to find.

One file per part: scales.py (how big), words.py and people.py (made-up names and
ids), officers.py, funds.py, loans.py, repayments.py, committee.py, planted.py,
generator.py (the steps in their order) and write.py (the workbook).
"""
from __future__ import annotations

from sheets.demo.generator import demo_summary, demo_tables
from sheets.demo.people import citizen_check_digit
from sheets.demo.scales import NATIONAL_MAX, PROVINCE_AVG, TRAT, DemoScale
from sheets.demo.summary import DemoOfficer, DemoSummary, Planted
from sheets.demo.write import build_demo

__all__ = ["DemoScale", "TRAT", "PROVINCE_AVG", "NATIONAL_MAX", "Planted", "DemoOfficer",
           "DemoSummary", "demo_tables", "demo_summary", "build_demo", "citizen_check_digit"]
