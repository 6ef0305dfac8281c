"""What people do to the sheet (issue 9): Buddhist-era years in date cells, and the like.
Each figure is checked against what the sheet means, not what the cell's year says."""
from __future__ import annotations

import datetime as dt

from sheets.model import ledger_states, load_dataset
from sheets.store import Layout
from tests.conftest import make_config
from tests.sheetdata import TODAY, as_tables, tiny_province


def _be(day: dt.date) -> dt.date:
    """A date cell typed as 15/1/2569 in a sheet whose locale is not Thai: the year stays 2569."""
    return day.replace(year=day.year + 543)


def test_buddhist_era_years_in_date_cells_count_as_the_date_they_mean() -> None:
    data = tiny_province()
    loan = next(l for l in data["loans"] if l["contract_no"] == "F2-001")   # 1 day overdue today
    loan["loan_date"], loan["due_date"] = _be(loan["loan_date"]), _be(loan["due_date"])
    config = make_config()
    ds = load_dataset(as_tables(data), Layout(config), TODAY, config.rules.max_term_years)

    assert ds.loans["F2-001"].due_date == dt.date(2026, 11, 25)
    state = ledger_states(ds, TODAY, config)["F2-001"]
    assert (state.status_key, state.days_overdue, state.arrears) == ("arrears", 1, 5000)
    warnings = [p for p in ds.problems if p.key == "F2-001" and p.level == "warning"]
    assert {(p.tab, p.header) for p in warnings} == {("ลูกหนี้", "วันที่รับเงินยืม"), ("ลูกหนี้", "วันครบกำหนดชำระ")}
    assert all("2569" in p.message and "พ.ศ." in p.message for p in warnings)
    row = next(p.row for p in warnings)
    assert row == 2 + [l["contract_no"] for l in data["loans"]].index("F2-001")
