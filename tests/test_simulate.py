"""A month of alert runs on a copy of the data (reminders.simulate) and the tuned default policy.

The tiny province in November 2026 (tests/sheetdata.py), by hand:

- installments due in the month and owed on their eve: F2-001 (25 Nov) and F1-002
  seq 3 (26 Nov): 2. Both are still owed a week later (nothing is paid): 2.
- with the default Monday + Thursday digests: F2-001's 7-days-before trigger (Wed 18)
  goes out on Thu 19, F1-002#3's (Thu 19) on Thu 19: both before their due date; after
  it, F2-001 (1 day overdue on Thu 26) on the 26th, F1-002#3 (1 day overdue on Fri 27)
  on Mon 30.
- the naive bot: OF-01 has an overdue loan every day of November (F1-002, since 27 Oct):
  30 pushes; OF-02 only from 26 Nov (F2-001): 5; OF-03 is not linked: 35 in all.
- both count the month's summary sent on the 1st (report.notify.monthly_recipients:
  PV-01, OF-01, OF-02), inside that day's push of the officer when there is one: the 1st
  is a Sunday, so with the default policy all 3 go alone (3 more pushes); the naive bot
  pushes OF-01 that day, so OF-01's summary rides in it and only 2 more are pushed.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

import cli
from reminders.simulate import simulate_month
from sheets.recipients import monthly_recipients
from sheets.model import load_dataset
from sheets.store import Layout, Table
from tests.conftest import SPREADSHEET_ID, make_config
from tests.sheetdata import as_tables, tiny_province, write_workbook
from tests.test_reminders import load_province

NOV = (2026, 11)


def dataset(data=None, today=dt.date(2026, 11, 30)):
    return load_dataset(as_tables(data if data is not None else tiny_province()), Layout(), today)


def test_tiny_province_month_with_the_default_policy():
    result = simulate_month(dataset(), make_config(), *NOV)
    out = result.as_json()
    assert out["policy"] == "default" and out["digest_weekdays"] == [1, 4]
    assert (out["installments_due"], out["alerted_by_due_date"]) == (2, 2)
    assert (out["overdue_unpaid"], out["alerted_after_due"]) == (2, 2)
    assert out["full_coverage"] and out["within_quota"] and out["quota"] == 300
    # Digests only on Mondays and Thursdays, at most one per officer per day; the month's
    # summary on Sunday the 1st to the linked active officers (PV-01, OF-01, OF-02).
    assert out["pushes"] == sum(out["per_day"].values()) == sum(out["per_officer"].values())
    assert out["monthly_summary_pushes"] == 3 and out["digest_pushes"] == 7 and out["pushes"] == 10
    digest_days = {d for d, n in out["per_day"].items() if n and d != "2026-11-01"}
    assert digest_days and all(dt.date.fromisoformat(d).isoweekday() in (1, 4) for d in digest_days)
    # Mon 2: F1-002#2 7 days overdue; Thu 12: 15 days (Tue 10); Thu 19: F2-001 (both officers)
    # and F1-002#3 due in 7 days; Thu 26: F2-001 1 day overdue (both), F1-002#3 due, F1-002#2
    # 30 days overdue (Wed 25); Mon 30: F1-002#3 1 day overdue (Fri 27).
    assert {d: n for d, n in out["per_day"].items() if n} == {
        "2026-11-01": 3, "2026-11-02": 1, "2026-11-12": 1, "2026-11-19": 2, "2026-11-26": 2, "2026-11-30": 1}
    assert out["per_officer"] == {"OF-01": 5 + 1, "OF-02": 2 + 1, "PV-01": 1}
    assert out["unreachable"] == 0
    assert "กรกฎาคม" not in result.as_text() and "พฤศจิกายน 2569" in result.as_text()


def test_tiny_province_month_with_the_naive_bot():
    out = simulate_month(dataset(), make_config(), *NOV, naive=True, monthly_summary=False).as_json()
    assert out["per_officer"] == {"OF-01": 30, "OF-02": 5} and out["pushes"] == 35
    assert out["alerted_by_due_date"] == 0            # it only ever speaks of overdue loans
    assert out["alerted_after_due"] == out["overdue_unpaid"] == 2


def test_every_day_policy_alerts_on_the_due_day_itself():
    cfg = make_config({"alerts.digest_weekdays": []})
    out = simulate_month(dataset(), cfg, *NOV).as_json()
    assert out["full_coverage"]
    assert out["per_day"]["2026-11-25"] >= 1 and out["per_day"]["2026-11-26"] == 2


def test_a_payment_dated_later_is_not_known_before_its_date():
    data = tiny_province()
    data["payments"].append({"contract_no": "F2-001", "paid_date": dt.date(2026, 11, 28), "amount": 5000})
    cfg = make_config({"alerts.digest_weekdays": []})
    out = simulate_month(dataset(data), cfg, *NOV).as_json()
    # Still alerted as overdue on the 26th and 27th (the payment is dated the 28th) ...
    assert out["per_officer"]["OF-02"] >= 1
    # ... and, paid within a week of its due date, it is not "left unpaid".
    assert out["installments_due"] == 2 and out["overdue_unpaid"] == 1 and out["alerted_after_due"] == 1


def test_unlinked_officers_installments_are_unreachable_not_missed():
    data = tiny_province()
    data["loans"].append({"contract_no": "F3-009", "fund_id": "230301-02", "borrower_name": "นายเก้า ทดสอบ",
                          "loan_date": dt.date(2026, 1, 5), "amount": 1000, "due_date": dt.date(2026, 11, 20)})
    out = simulate_month(dataset(data), make_config(), *NOV).as_json()
    assert out["unreachable"] == 1 and out["installments_due"] == 2 and out["full_coverage"]


def test_simulation_reads_once_and_writes_and_sends_nothing(sheets_fake, google_store, line_fake):
    load_province(sheets_fake)
    result = simulate_month(google_store, make_config(), *NOV)
    assert sheets_fake.kinds() == ["values.batchGet"]
    assert line_fake.requests == []
    assert sheets_fake.rows(SPREADSHEET_ID, "บันทึกการแจ้งเตือน")[1:] == []
    assert result.pushes > 0


def test_simulation_starts_from_the_real_log_before_the_month():
    data = tiny_province()
    # The October run told OF-01 about F1-002 seq 2 when it fell due.
    data["alert_log"] = [{"run_date": dt.date(2026, 10, 26), "officer_id": "OF-01", "contract_no": "F1-002",
                          "seq": 2, "kind": "ครบกำหนดวันนี้", "days": 0, "status": "ส่งแล้ว"}]
    out = simulate_month(dataset(data), make_config(), *NOV).as_json()
    assert out["start"] == "log" and out["warmup_days"] == 0
    assert out["full_coverage"]


# -- the demo province: the tuned default stays inside the free plan ------------------------------
def demo_dataset():
    from sheets.demo import demo_tables

    layout = Layout()
    raw = demo_tables(dt.date(2026, 11, 26), seed=2569)
    tables = {k: Table(layout.title(k), rows[0], rows[1:]) for k, rows in raw.items()}
    return load_dataset(tables, layout, dt.date(2026, 11, 26))


def test_demo_month_fits_the_free_quota_with_full_coverage_and_the_naive_bot_does_not():
    ds = demo_dataset()
    cfg = make_config()
    tuned = simulate_month(ds, cfg, *NOV)
    naive = simulate_month(ds, cfg, *NOV, naive=True)
    every_day = simulate_month(ds, make_config({"alerts.digest_weekdays": []}), *NOV)
    assert tuned.within_quota and tuned.full_coverage and tuned.installments_due > 100
    assert tuned.pushes <= 300 < every_day.pushes < naive.pushes
    assert every_day.full_coverage
    assert tuned.monthly_summary_pushes > 0
    # At most the month's Mondays and Thursdays, plus the monthly summary.
    assert max(tuned.per_officer.values()) <= 10 + 1
    assert tuned.max_pushes_per_officer_day == 1


def test_one_push_per_officer_per_day_over_a_month_whose_1st_is_a_digest_day():
    """February 2027 begins on a Monday (a digest day): every officer with a digest that day gets
    the month's summary inside it, so nobody gets two pushes on the 1st (the count was 43
    pushes to 21 people there before the summary rode in the digest)."""
    ds = demo_dataset()
    result = simulate_month(ds, make_config(), 2027, 2)
    out = result.as_json()
    assert dt.date(2027, 2, 1).isoweekday() == 1
    assert out["max_pushes_per_officer_day"] == 1
    assert all(n == 1 for n in result.per_officer_day.values())
    recipients = out["monthly_summaries"]
    riding = recipients - out["monthly_summary_pushes"]
    assert riding > 10                                     # summaries inside that day's digest
    on_the_1st = [officer for (day, officer) in result.per_officer_day if day == "2027-02-01"]
    assert out["per_day"]["2027-02-01"] == len(on_the_1st) == len(set(on_the_1st))
    # every recipient of the summary is pushed that day, once: with its digest or with the summary alone
    assert set(monthly_recipients(ds)) <= set(on_the_1st) and recipients == len(monthly_recipients(ds))
    assert "ไม่เกิน 1 ข้อความต่อวัน" in result.as_text()


# -- the commands -------------------------------------------------------------------------------
def test_simulate_command_json(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KKC_CONFIG", raising=False)
    write_workbook(tmp_path / "w.xlsx")
    assert cli.main(["simulate", "--month", "2026-11", "--store", str(tmp_path / "w.xlsx"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("pushes", "quota", "installments_due", "alerted_by_due_date", "overdue_unpaid",
                "alerted_after_due", "per_day", "per_officer", "within_quota"):
        assert key in out
    assert out["installments_due"] == 2 and out["month"] == "2026-11"


def test_simulate_command_text_compares_with_the_naive_bot(tmp_path, capsys):
    write_workbook(tmp_path / "w.xlsx")
    assert cli.main(["simulate", "--month", "2026-11", "--store", str(tmp_path / "w.xlsx")]) == 0
    text = capsys.readouterr().out
    assert "จากโควตา 300" in text and "เทียบกับบอตแบบง่าย" in text
    assert "37 ข้อความ" in text   # 35 + 2 summaries alone (OF-01's rides in its push of the 1st)
    assert "ไม่เกิน 1 ข้อความต่อวัน" in text


@pytest.mark.parametrize("dry_run", [True, False])
def test_remind_command(tmp_path, capsys, monkeypatch, dry_run):
    monkeypatch.setenv("KKC_OUTBOX", str(tmp_path / "outbox.jsonl"))
    monkeypatch.setenv("KKC_CLAIMS_DIR", str(tmp_path / "claims"))
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    write_workbook(tmp_path / "w.xlsx")
    argv = ["remind", "--store", str(tmp_path / "w.xlsx"), "--date", "2026-11-26", "--json"]
    assert cli.main(argv + (["--dry-run"] if dry_run else [])) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)                  # the outbox echo went to stderr
    # OF-01, OF-02: digest + October's summary in one push each; PV-01: the summary alone
    assert out["pushes"] == 3 and out["unlinked_officers"] == ["OF-03"]
    assert (tmp_path / "outbox.jsonl").exists() is not dry_run
    assert cli.main(["remind", "--store", str(tmp_path / "w.xlsx"), "--date", "2026-11-26"]) == 0
    text = capsys.readouterr().out
    assert "รอบแจ้งเตือนวันที่ 26 พ.ย. 2569" in text
    assert ("ส่งไปแล้วในรอบก่อน (ไม่ส่งซ้ำ) 4 รายการ" in text) is not dry_run
