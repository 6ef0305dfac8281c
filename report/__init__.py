"""The monthly meeting report: forms 26(2) and 26(1), arrears, data quality and the trend.

`report.monthly` computes (pure: every loan figure from the ledger engine), with its calendar
in `core.months`, its columns in `report.columns` and the change from the previous month in
`report.trend`; `report.write` lays it into the sheet and the meeting .xlsx, `report.snapshots`
keeps สรุปรายเดือน; `report.notify` sends the LINE summary; `report.job` runs the whole month's
job for the CLI and the Cloud Function.
"""
from report.monthly import MonthlyReport, build_report
from core.months import default_month, fiscal_year_start, month_bounds, parse_month

__all__ = ["MonthlyReport", "build_report", "default_month", "fiscal_year_start", "month_bounds",
           "parse_month"]
