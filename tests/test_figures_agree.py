"""One aging table in every channel (issue 8): the same words and the same numbers everywhere.

For the demo province and for a random data set, on several dates, every channel is made by
the real code from the same sheet: the chat's สรุป (reply dicts from the conversation the
webhook runs), `report --json` with the รายงานประจำเดือน tab and the meeting .xlsx the same
run writes (read back: the tab from the Sheets fake or the workbook, the file with openpyxl),
and the LINE monthly summary (pushed to the outbox by the next morning's alert run, riding in
each recipient's push, when the month has just ended; else the message such a push would carry). Each must hold exactly the aging table that the
per-contract reference gives (`ledger.core.ledger` for each loan made by the date, then
`ledger.aging.aging_table`): every row's contracts, arrears and outstanding, and both totals.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import random
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import openpyxl
import pytest

from core.config import load_config
from core.geo import district_names
from core.schema import DATA_TABS
from core.thai import baht
from ledger import LedgerState, ledger, ledger_options
from ledger.aging import LABEL_OVERDUE, LABEL_TOTAL, TITLE, AgingTable, aging_table, row_labels
from report.monthly import NO_DISTRICT, PROVINCE, build_report
from report.notify import summary_flex
from sheets.model import Dataset, load_dataset
from sheets.recipients import monthly_targets
from sheets.store import Layout
from tests.chat_support import make_runtime
from tests.conftest import SPREADSHEET_ID
from tests.sheetdata import GOOD_DOCS, TODAY, as_tables, tiny_province, write_workbook

pytest_plugins = ["tests.fakes.line_fixtures"]

Row = tuple[int, Decimal, Decimal]            # contracts, arrears, outstanding
Figures = dict[str, Row]                      # a row's Thai words -> its figures
CENT = Decimal("0.01")
LABELS = (*row_labels((30, 90)), LABEL_OVERDUE, LABEL_TOTAL)


def money(value: Any) -> Decimal:
    return Decimal(str(value).replace(",", "")).quantize(CENT)


def words(table: AgingTable) -> Figures:
    rows = (*table.rows, table.overdue, table.total)
    return {r.label: (r.contracts, r.arrears.quantize(CENT), r.outstanding.quantize(CENT)) for r in rows}


# -- the reference: one contract at a time -------------------------------------------------------
def states_made_by(ds: Dataset, config: Any, as_of: dt.date) -> dict[str, LedgerState]:
    """ledger.core.ledger of every readable loan made by as_of."""
    options = ledger_options(config)
    return {loan.contract_no: ledger(ds.contract(loan), as_of, **options) for loan in ds.readable_loans()
            if loan.loan_date is None or loan.loan_date <= as_of}


def reference(ds: Dataset, states: dict[str, LedgerState], funds: set[str] | None = None) -> dict[str, Figures]:
    """The aging table of each district and of the province (PROVINCE: of `funds` when given)."""
    groups: dict[str, list[LedgerState]] = defaultdict(list)
    for no, state in states.items():
        fund_id = ds.loans[no].fund_id
        if funds is None or fund_id in funds:
            groups[ds.district_of(fund_id) or NO_DISTRICT].append(state)
            groups[PROVINCE].append(state)
    return {name: words(aging_table(groups.get(name, []))) for name in {*district_names(), *groups, PROVINCE}}


# -- reading each channel back ---------------------------------------------------------------------
def texts(component: Any) -> Iterator[str]:
    """Every text of a Flex component, in reading order."""
    if isinstance(component, dict):
        if component.get("type") == "text":
            yield str(component.get("text", ""))
        for value in component.values():
            if isinstance(value, (dict, list)):
                yield from texts(value)
    elif isinstance(component, list):
        for item in component:
            yield from texts(item)


def flex_figures(message: dict) -> Figures:
    """The aging rows of a Flex message: a row's words, then "N สัญญา", then "ค้างชำระ X · คงค้าง Y"."""
    lines = list(texts(message["contents"]))
    assert lines.count(TITLE) == 1, "the aging table has one heading"
    found: Figures = {}
    for i, line in enumerate(lines[:-2]):
        count = re.fullmatch(r"([\d,]+) สัญญา", lines[i + 1])
        sums = re.fullmatch(r"ค้างชำระ ([\d,.]+) บาท · คงค้าง ([\d,.]+) บาท", lines[i + 2])
        if line in LABELS and count and sums:
            assert line not in found, f"{line} twice"
            found[line] = (int(count[1].replace(",", "")), money(sums[1]), money(sums[2]))
    return found


def next_text(message: dict, label: str) -> str:
    lines = list(texts(message["contents"]))
    return lines[lines.index(label) + 1]


def sheet_figures(values: list[list[Any]]) -> dict[str, Figures]:
    """The aging table by district in a report sheet's cells (the tab, the meeting file's 26(2))."""
    start = next(i for i, r in enumerate(values) if r and r[0] == f"{TITLE} รายอำเภอ")
    header = values[start + 1]
    assert header[0] == "อำเภอ"
    out: dict[str, Figures] = {}
    for cells in values[start + 2:]:
        by_header = dict(zip(header, cells))
        out[cells[0]] = {label: (int(by_header[f"{label} (สัญญา)"]), money(by_header[f"{label} (ค้างชำระ บาท)"]),
                                 money(by_header[f"{label} (คงค้าง บาท)"])) for label in LABELS}
        if cells[0] == PROVINCE:   # the total row closes the table
            return out
    raise AssertionError("the aging table has no total row")


def json_figures(data: dict) -> dict[str, Figures]:
    def figures(item: dict) -> Figures:
        rows = item["rows"] + [item["overdue"], item["total"]]
        return {r["label"]: (r["contracts"], money(r["arrears"]), money(r["outstanding"])) for r in rows}

    assert all(item["title"] == TITLE for item in data["aging"].values())
    return {name: figures(item) for name, item in data["aging"].items()}


def xlsx_values(path: Any, sheet: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


# -- the data ----------------------------------------------------------------------------------
def random_province(seed: int) -> dict[str, list[dict[str, Any]]]:
    """The tiny province's funds and officers (every district officer linked, plus a fund in an
    unknown district) with random loans: schedules that do or do not add up, payments before and
    after the dates, every status mark, loans made after the dates, partly paid installments."""
    rng = random.Random(seed)
    data = tiny_province()
    data["funds"].append({"fund_id": "230799-01", "district": "อำเภอที่ไม่มี", "subdistrict": "ไม่มี",
                          "village_no": 1, "village_name": "บ้านไม่มี", "capital": 100000, **GOOD_DOCS})
    data["line_links"].append({"linked_at": dt.datetime(2026, 1, 5, 9, 0), "officer_id": "OF-03",
                               "line_user_id": "U" + "e" * 32, "display_name": "มานี"})
    funds = [f["fund_id"] for f in data["funds"]]
    loans, installments, payments = [], [], []
    start = dt.date(2025, 6, 1)
    for n in range(80):
        no = f"R-{n:03d}"
        made = start + dt.timedelta(days=rng.randint(0, 560))
        amount = rng.randint(20, 600) * 50
        parts = rng.choice([0, 1, 2, 3, 6, 12])
        step = rng.choice([14, 30, 61])
        dues = [made + dt.timedelta(days=step * (k + 1)) for k in range(max(parts, 1))]
        loans.append({"contract_no": no, "fund_id": rng.choice(funds), "borrower_name": f"ผู้ยืม สุ่ม{n}",
                      "loan_date": made, "amount": amount, "due_date": dues[-1],
                      "status": rng.choice([None, None, None, "ปกติ", "ผิดสัญญา", "ปิดสัญญา"])})
        share = amount // max(parts, 1) + rng.choice([0, 0, 0, 50, -50])   # some schedules do not add up
        for seq, due in enumerate(dues[:parts], start=1):
            installments.append({"contract_no": no, "seq": seq, "due_date": due, "amount": share})
        for _ in range(rng.choice([0, 1, 2, 3, 5])):
            payments.append({"contract_no": no, "paid_date": made + dt.timedelta(days=rng.randint(1, 500)),
                             "amount": rng.choice([share, share // 2, amount, 725.5, 1000])})
    data.update(loans=data["loans"] + loans, installments=data["installments"] + installments,
                payments=data["payments"] + payments)
    return data


@functools.lru_cache(maxsize=None)
def demo_rows() -> dict[str, list[list[Any]]]:
    from sheets.demo import TRAT, demo_tables

    return demo_tables(TODAY, 2569, TRAT)


@pytest.fixture(scope="module")
def random_workbook(tmp_path_factory) -> Path:
    """The random province as an .xlsx, built once (each test runs the report on a copy)."""
    return write_workbook(tmp_path_factory.mktemp("random") / "smart-data.xlsx", random_province(8)).path


def test_the_random_data_set_reaches_every_row():
    """The random province is worth comparing: every row of the table has contracts on some date,
    and some loans are made after the earlier dates."""
    config = load_config(env={})
    seen: set[str] = set()
    for day in (dt.date(2026, 6, 30), dt.date(2026, 9, 12), TODAY):
        ds = load_dataset(as_tables(random_province(8)), Layout(config), day)
        seen |= {label for label, (n, _, _) in reference(ds, states_made_by(ds, config, day))[PROVINCE].items() if n}
        assert any(loan.loan_date and loan.loan_date > day for loan in ds.readable_loans()) or day == TODAY
    assert seen == set(LABELS)


# The demo province through the Google backend (the Sheets fake) and the report job; the random one
# through `python main.py report --json` on a workbook. Month ends (the LINE summary is pushed the
# next morning) and days within a month (a report "so far": the message a push would carry).
CASES = [("demo", dt.date(2026, 3, 17)), ("demo", dt.date(2026, 10, 31)), ("demo", TODAY),
         ("random", dt.date(2026, 6, 30)), ("random", dt.date(2026, 9, 12)), ("random", TODAY)]


@pytest.mark.parametrize("case, day", CASES)
def test_every_channel_shows_the_same_aging_table(case, day, tmp_path, capsys, monkeypatch, sheets_fake,
                                                  google_store_factory, line_fake, random_workbook):
    from cli import main, print_json
    from messaging.outbox import OutboxMessenger
    from reminders.job import run_reminders
    from report.job import run_monthly_report
    from report.notify import MonthlySummaries
    from sheets.claims import FileClaims

    month_end = (day + dt.timedelta(days=1)).day == 1
    run_date = day + dt.timedelta(days=1) if month_end else day
    config = load_config(env={})
    layout = Layout(config)
    if case == "demo":
        for tab_key, rows in demo_rows().items():
            sheets_fake.set_rows(SPREADSHEET_ID, layout.title(tab_key), rows)
    else:
        for table in as_tables(random_province(8), layout).values():
            sheets_fake.set_rows(SPREADSHEET_ID, table.title, [table.header] + table.rows)
    store = google_store_factory()
    ds = load_dataset(store.read(DATA_TABS), layout, run_date, config.rules.max_term_years)
    states = states_made_by(ds, config, day)
    want = reference(ds, states)
    assert want[PROVINCE][LABEL_TOTAL][0] > 0 and want[PROVINCE][LABEL_OVERDUE][0] > 0

    # report --json, the tab and the meeting file it writes
    outbox, meeting = tmp_path / "outbox.jsonl", tmp_path / "meeting.xlsx"
    if case == "demo":
        run = run_monthly_report(store, config, run_date, year=day.year, month=day.month, out=meeting,
                                 now=dt.datetime(2026, 12, 1, 7))
        print_json(run.as_json())                       # what `report --json` prints
        tab = sheets_fake.rows(SPREADSHEET_ID, "รายงานประจำเดือน")
    else:
        workbook = tmp_path / "smart-data.xlsx"
        shutil.copy(random_workbook, workbook)
        monkeypatch.setenv("KKC_OUTBOX", str(outbox))
        monkeypatch.setenv("KKC_CLAIMS_DIR", str(tmp_path / "claims"))
        monkeypatch.delenv("KKC_CLAIMS_BUCKET", raising=False)
        monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
        assert main(["report", "--store", str(workbook), "--date", run_date.isoformat(),
                     "--month", f"{day.year}-{day.month:02d}", "--out", str(meeting), "--json"]) == 0
        tab = xlsx_values(workbook, "รายงานประจำเดือน")
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == day.isoformat()
    expected = {name: want[name] for name in [d["district"] for d in data["districts"]] + [PROVINCE]}
    assert json_figures(data) == expected
    for row in data["districts"] + [data["province"]]:     # the headlines are the table's totals
        figures = want[row["district"]]
        assert (row["loans_open"], money(row["arrears"]), money(row["outstanding"])) == figures[LABEL_TOTAL]
        assert (row["overdue_loans"], money(row["arrears"])) == figures[LABEL_OVERDUE][:2]
    assert sheet_figures(tab) == expected
    assert sheet_figures(xlsx_values(meeting, "แบบ 26(2) รายอำเภอ")) == expected

    # the LINE monthly summary of each recipient's scope, as the next morning's alert run pushes it
    # (riding in the day's push; the report job pushes nothing)
    assert not outbox.exists()
    targets = [t for t in monthly_targets(ds) if t.line_user]
    if month_end:
        if case == "demo":
            run_reminders(store, OutboxMessenger(outbox, echo=False), config, run_date,
                          dt.datetime.combine(run_date, dt.time(8)), claims=FileClaims(tmp_path / "claims"),
                          attachments=MonthlySummaries())
        else:
            main(["remind", "--store", str(workbook), "--date", run_date.isoformat(), "--json"])
            capsys.readouterr()
        pushes = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
        scope_of = {t.line_user: t.scope for t in targets}
        summaries = [(p["to"], m) for p in pushes for m in p["messages"] if m["altText"].startswith("สรุป กข.คจ.")]
        assert sorted(to for to, _ in summaries) == sorted(scope_of)
        messages = [(scope_of[to], message) for to, message in summaries]
    else:                                               # a month so far is never pushed
        report = build_report(ds, config, day.year, day.month, day, run_date=run_date)
        messages = [(t.scope, summary_flex(report, t.scope)) for t in targets]
    assert PROVINCE in {scope for scope, _ in messages} and len(messages) >= 3
    for scope, message in messages:
        assert flex_figures(message) == want[scope], scope
        overdue = want[scope][LABEL_OVERDUE]
        assert next_text(message, "ยอดค้างชำระ") == baht(overdue[1])
        assert next_text(message, "สัญญาค้างชำระ") == f"{overdue[0]:,} สัญญา"

    # the chat's สรุป, for every active linked officer, through the conversation the webhook runs
    runtime = make_runtime(sheets_fake, line_fake, today=day)
    asked = 0
    for officer_id, link in ds.links.items():
        officer = ds.officers[officer_id]
        if not officer.active:
            continue
        answer = runtime.conversation.on_text(link.line_user_id, "สรุป", f"01FIGURES{asked:017d}")[0]
        asked += 1
        if officer.sees_all:
            scope_want = want[PROVINCE]
        else:   # the officer's district, and any fund that names them
            district = {f.fund_id for f in ds.funds.values() if f.district == officer.district}
            named = {f.fund_id for f in ds.funds.values() if f.officer_id == officer_id}
            scope_want = reference(ds, states, district | named)[PROVINCE]
            if named <= district:
                assert scope_want == want[officer.district]
        assert flex_figures(answer) == scope_want, officer_id
        total, overdue = scope_want[LABEL_TOTAL], scope_want[LABEL_OVERDUE]
        assert next_text(answer, "ยอดคงค้าง") == baht(total[2])
        assert next_text(answer, "ค้างชำระ") == f"{baht(overdue[1])} ({overdue[0]:,} สัญญา)"
        assert next_text(answer, "สัญญาคงค้าง").startswith(f"{total[0]:,} จาก ")
    assert asked >= 3
