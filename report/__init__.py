"""The monthly meeting report: forms 26(2) and 26(1), arrears, data quality and the trend.

`report.monthly` computes (pure, pandas); `report.write` lays it into the sheet, the
สรุปรายเดือน snapshots and the meeting .xlsx; `report.notify` sends the LINE summary;
`report.job` runs the whole month's job for the CLI and the Cloud Function.
"""
from report.monthly import (MonthlyReport, build_report, default_month, fiscal_year_start,
                            month_bounds, parse_month)

__all__ = ["MonthlyReport", "build_report", "default_month", "fiscal_year_start", "month_bounds",
           "parse_month"]
