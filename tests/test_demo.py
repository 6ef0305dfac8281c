"""The demo workbook (sheets/demo/): Trat-sized, realistic, deterministic, with planted problems."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from collections import Counter, defaultdict

import openpyxl
import pytest

from core.geo import districts
from sheets.demo import PROVINCE_AVG, TRAT, DemoScale, build_demo, citizen_check_digit, demo_tables
from core.schema import ADMIN_ROLE, DISTRICT_ROLE, NO, PROVINCE_ROLE, STATUS_BREACHED, TABS, YES
from sheets.store import Layout

TODAY = dt.date(2026, 1, 15)
SEED = 2569


@pytest.fixture(scope="module")
def tables():
    return demo_tables(TODAY, SEED)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "smart-data.xlsx"
    messages: list[str] = []
    summary = build_demo(path, TODAY, seed=SEED, progress=messages.append)
    return path, summary, messages


def records(tables, tab):
    """Rows as dicts by column key, found by the Thai headers of the first row."""
    layout = Layout()
    by_header = {layout.header(tab, c.key): c.key for c in TABS[tab].columns}
    keys = [by_header[h] for h in tables[tab][0]]
    return [dict(zip(keys, row)) for row in tables[tab][1:]]


def amount(value):
    """A number, or text such as '12,500 บาท'; None when unreadable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.replace(",", "").replace("บาท", "").strip()
        try:
            return float(text)
        except ValueError:
            return None
    return None


def is_date(value):
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def planted(summary_or_list, tab, column):
    return [p for p in summary_or_list if p.tab == tab and p.column == column]


@pytest.fixture(scope="module")
def summary(built):
    return built[1]


@pytest.fixture(scope="module")
def ledger(tables, summary):
    return compute_ledger(tables, summary)


def compute_ledger(tables, summary):
    """Per readable contract: amount, schedule, paid as of TODAY (computed here, not by the demo)."""
    loans = records(tables, "loans")
    schedules = defaultdict(list)
    for r in records(tables, "installments"):
        schedules[r["contract_no"]].append((r["due_date"], r["amount"]))
    paid = Counter()
    for r in records(tables, "payments"):
        if r["paid_date"] <= TODAY:
            paid[r["contract_no"]] += r["amount"]
    bad_schedule = {p.key for p in summary.planted if p.tab == "installments"}
    out = {}
    for loan in loans:
        value, due = amount(loan["amount"]), loan["due_date"]
        if value is None or not is_date(due) or loan["contract_no"] in bad_schedule:
            continue
        items = sorted(schedules.get(loan["contract_no"]) or [(due, value)])
        out[loan["contract_no"]] = {"amount": value, "items": items, "paid": paid[loan["contract_no"]],
                                    "status": loan["status"]}
    return out


# -- counts and geography ----------------------------------------------------------
def test_counts(tables):
    assert len(records(tables, "funds")) == TRAT.funds == 72
    assert len(records(tables, "loans")) == TRAT.loans == 1538
    officers = records(tables, "officers")
    district = [o for o in officers if o["role"] == DISTRICT_ROLE]
    assert len(district) == 23
    per_district = Counter(o["district"] for o in district)
    assert set(per_district) == {d.name for d in districts()}
    assert min(per_district.values()) >= 1
    assert per_district["เมืองตราด"] > per_district["เกาะกูด"]
    roles = Counter(o["role"] for o in officers)
    assert roles[PROVINCE_ROLE] >= 1 and roles[ADMIN_ROLE] == 1
    assert len(officers) == 23 + TRAT.staff_province
    assert len({o["officer_id"] for o in officers}) == len(officers)


def test_funds_are_real_places(tables):
    geo = {d.name: {s.name: s.code for s in d.subdistricts} for d in districts()}
    funds = records(tables, "funds")
    ids = [f["fund_id"] for f in funds]
    assert len(set(ids)) == len(ids)
    for f in funds:
        assert f["subdistrict"] in geo[f["district"]], f
        assert f["fund_id"] == f"{geo[f['district']][f['subdistrict']]}-{f['village_no']:02d}"
        assert 1 <= f["village_no"] <= 99
        assert f["village_name"].startswith("บ้าน")
        assert 2536 <= f["budget_year"] <= 2541
        assert 280_000 <= f["capital"] <= 400_000
        assert f["households_target"] <= f["households_total"]
        assert re.fullmatch(r"0\d{2}-\d-\d{5}-\d", f["bank_account_no"])
    per_district = Counter(f["district"] for f in funds)
    for big in ("เมืองตราด", "เขาสมิง", "บ่อไร่"):
        for island in ("เกาะกูด", "เกาะช้าง"):
            assert per_district[big] > per_district[island]
    assert sum(f["capital"] for f in funds) == pytest.approx(21_536_188.15, abs=0.01)
    officers = {o["officer_id"]: o for o in records(tables, "officers")}
    named = [f for f in funds if f["officer_id"]]
    assert 0.5 < len(named) / len(funds) < 0.85
    for f in named:
        assert officers[f["officer_id"]]["district"] == f["district"]
        assert officers[f["officer_id"]]["active"] == YES


# -- loans --------------------------------------------------------------------------
def test_loans_look_real(tables):
    loans = records(tables, "loans")
    funds = {f["fund_id"] for f in records(tables, "funds")}
    assert len({x["contract_no"] for x in loans}) == len(loans)
    for x in loans:
        assert x["fund_id"] in funds
        assert x["contract_no"].startswith(x["fund_id"] + "/")
        if isinstance(x["amount"], int):
            assert 3000 <= x["amount"] <= 30000 and x["amount"] % 100 == 0
        if is_date(x["loan_date"]):
            assert TODAY - dt.timedelta(days=560) <= x["loan_date"] <= TODAY - dt.timedelta(days=25)
            if is_date(x["due_date"]):
                assert x["due_date"] >= x["loan_date"]
        assert x["phone"] is None or re.fullmatch(r"0\d{2}-?\d{3}-?\d{4}", x["phone"])
    dated = [x for x in loans if is_date(x["loan_date"]) and is_date(x["due_date"])]
    within_year = sum((x["due_date"] - x["loan_date"]).days <= 370 for x in dated)
    assert within_year / len(dated) > 0.6  # terms of 12 months or less mostly


def test_citizen_ids_valid_except_planted(tables, summary):
    wrong = {p.row for p in planted(summary.planted, "loans", "citizen_id")}
    assert len(wrong) == 1
    seen = set()
    for row, x in enumerate(records(tables, "loans"), start=2):
        text = x["citizen_id"]
        assert re.fullmatch(r"\d{13}|\d-\d{4}-\d{5}-\d{2}-\d", text), text
        digits = text.replace("-", "")
        assert digits[0] in "13"
        valid = citizen_check_digit(digits[:12]) == int(digits[12])
        assert valid == (row not in wrong), (row, text)
        seen.add(digits)
    assert len(seen) == 1538


def test_installments_add_up_except_planted(tables, summary):
    loans = {x["contract_no"]: x for x in records(tables, "loans")}
    schedules = defaultdict(list)
    for r in records(tables, "installments"):
        schedules[r["contract_no"]].append(r)
    bad = {p.key for p in summary.planted if p.tab == "installments"}
    assert len(bad) == 1
    assert 0.35 < len(schedules) / len(loans) < 0.65  # about half repaid in installments
    for contract, rows in schedules.items():
        loan = loans[contract]
        assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
        assert 2 <= len(rows) <= 12
        dates = [r["due_date"] for r in rows]
        assert dates == sorted(dates) and dates[0] > loan["loan_date"]
        assert dates[-1] == loan["due_date"]
        total = sum(r["amount"] for r in rows)
        assert (total == amount(loan["amount"])) == (contract not in bad), contract


# -- payments and the picture as of today -------------------------------------------------
def test_payments(tables, summary):
    loans = {x["contract_no"]: x for x in records(tables, "loans")}
    ghosts = {p.key for p in planted(summary.planted, "payments", "contract_no")}
    assert len(ghosts) == 1 and not ghosts & set(loans)
    paid = Counter()
    for p in records(tables, "payments"):
        assert is_date(p["paid_date"]) and p["paid_date"] <= TODAY
        assert p["amount"] > 0
        assert p["source"] == "ชีต"
        assert p["contract_no"] in loans or p["contract_no"] in ghosts
        paid[p["contract_no"]] += p["amount"]
        loan = loans.get(p["contract_no"])
        if loan and is_date(loan["loan_date"]):
            assert p["paid_date"] >= loan["loan_date"]
    for contract, total in paid.items():
        if contract in loans and amount(loans[contract]["amount"]) is not None:
            assert total <= amount(loans[contract]["amount"])


def test_arrears_share_and_spread(ledger):
    open_, late = 0, []
    for c in ledger.values():
        if c["paid"] >= c["amount"]:
            continue
        open_ += 1
        due_so_far = sum(a for d, a in c["items"] if d <= TODAY)
        if c["paid"] < due_so_far:
            covered, oldest = 0, None
            for d, a in c["items"]:
                covered += a
                if covered > c["paid"]:
                    oldest = d
                    break
            late.append((TODAY - oldest).days)
    share = len(late) / open_
    assert 0.10 <= share <= 0.20, share
    buckets = Counter("1-30" if d <= 30 else ("31-90" if d <= 90 else "90+") for d in late if d > 0)
    assert all(buckets[b] >= 5 for b in ("1-30", "31-90", "90+")), buckets
    closed = sum(1 for c in ledger.values() if c["paid"] >= c["amount"])
    assert closed >= 100  # some contracts repaid and closed


def test_breached_and_closed_status(ledger):
    breached = [c for c in ledger.values() if c["status"] == STATUS_BREACHED]
    assert 0.01 <= len(breached) / len(ledger) <= 0.02
    for c in breached:
        assert c["paid"] < c["amount"]
        assert c["paid"] < sum(a for d, a in c["items"] if d <= TODAY)  # in arrears
    typed_closed = [c for c in ledger.values() if c["status"] == "ปิดสัญญา"]
    assert typed_closed and all(c["paid"] >= c["amount"] for c in typed_closed)
    closed = [c for c in ledger.values() if c["paid"] >= c["amount"]]
    assert len(typed_closed) < len(closed) / 2  # most closed contracts have a blank status


def test_installments_due_today_and_next_week(ledger):
    def unpaid_due(days):
        found = 0
        for c in ledger.values():
            covered = 0
            for d, a in c["items"]:
                covered += a
                if (d - TODAY).days in days and covered > c["paid"]:
                    found += 1
        return found

    assert unpaid_due({0}) >= 1
    assert unpaid_due(set(range(1, 8))) >= 10
    assert unpaid_due({7}) >= 1 and unpaid_due({1}) >= 1


# -- officers and LINE ---------------------------------------------------------------
def test_officers_and_line_links(tables, summary):
    officers = records(tables, "officers")
    links = records(tables, "line_links")
    inactive = [o for o in officers if o["active"] == NO]
    assert len(inactive) == 1 and inactive[0]["role"] == DISTRICT_ROLE
    assert all(o["active"] in (YES, NO) for o in officers)
    codes = [o["register_code"] for o in officers]
    assert len(set(codes)) == len(codes) and all(re.fullmatch(r"[A-Z0-9]{6}", c) for c in codes)
    linked = {x["officer_id"] for x in links}
    assert len(linked) == len(links)
    for x in links:
        assert re.fullmatch(r"U[0-9a-f]{32}", x["line_user_id"])
        assert isinstance(x["linked_at"], dt.datetime) and x["linked_at"].date() < TODAY
    unlinked = [o for o in officers if o["officer_id"] not in linked]
    assert 1 <= len(unlinked) <= 2
    for o in unlinked:
        assert o["role"] == DISTRICT_ROLE and o["active"] == YES
        # Its district still has an active officer who is linked.
        assert any(p["district"] == o["district"] and p["active"] == YES and p["officer_id"] in linked
                   for p in officers)
    by_id = {o.officer_id: o for o in summary.officers}
    assert {o["officer_id"] for o in unlinked} == {i for i, o in by_id.items() if not o.linked}


def test_committee(tables):
    funds = {f["fund_id"]: f for f in records(tables, "funds")}
    members = defaultdict(list)
    for m in records(tables, "committee"):
        members[m["fund_id"]].append(m)
    assert 0.3 < len(members) / len(funds) < 0.7
    for fund_id, rows in members.items():
        assert 7 <= len(rows) <= 9
        positions = Counter(m["position"] for m in rows)
        assert positions["ประธาน"] == 1 and positions["เลขานุการ"] == 1 and positions["กรรมการการเงิน"] == 1
        for m in rows:
            assert m["term_start"] == funds[fund_id]["committee_order_date"]
            assert m["term_end"] > m["term_start"]


# -- planted problems ------------------------------------------------------------------
def test_planted_problems_are_where_the_summary_says(tables, summary):
    problems = [p for p in summary.planted if p.problem]
    fine = [p for p in summary.planted if not p.problem]
    columns = Counter((p.tab, p.column) for p in problems)
    assert columns == Counter({("funds", "bank_book_doc"): 1, ("funds", "bank_balance_date"): 1,
                               ("funds", "committee_order_date"): 2, ("loans", "citizen_id"): 1,
                               ("loans", "due_date"): 1, ("loans", "amount"): 1,
                               ("installments", "amount"): 1, ("payments", "contract_no"): 1})
    assert {(p.tab, p.column) for p in fine} == {("loans", "loan_date"), ("loans", "amount")}
    for p in summary.planted:
        header = tables[p.tab][0]
        row = tables[p.tab][p.row - 1]
        assert row[header.index(Layout().header(p.tab, p.column))] == p.value, p
        key_col = "fund_id" if p.tab == "funds" else "contract_no"
        assert row[header.index(Layout().header(p.tab, key_col))] == p.key
    by_column = {(p.tab, p.column, p.problem): p for p in summary.planted}
    assert by_column[("loans", "amount", True)].value == "ห้าพัน"
    assert re.fullmatch(r"31/02/25\d\d", by_column[("loans", "due_date", True)].value)
    assert re.fullmatch(r"\d{1,3}(,\d{3})* บาท", by_column[("loans", "amount", False)].value)
    assert re.fullmatch(r"\d{1,2} \S+ \d{2}", by_column[("loans", "loan_date", False)].value)
    stale = by_column[("funds", "bank_balance_date", True)].value
    assert (TODAY - stale).days > 90
    for p in planted(summary.planted, "funds", "committee_order_date"):
        assert (TODAY - p.value).days > 4 * 365
    # Nothing else is stale or lapsed: the planted ones are what the check should find.
    flagged = {p.key for p in problems if p.tab == "funds"}
    for f in records(tables, "funds"):
        if f["fund_id"] not in flagged:
            assert (TODAY - f["bank_balance_date"]).days <= 90
            assert (TODAY - f["committee_order_date"]).days < 4 * 365
            assert (TODAY - f["financial_summary_date"]).days <= 180
            assert (TODAY - f["updated_at"]).days <= 180
            assert all(f[k] and f[k].startswith("https://drive.google.com/file/d/")
                       for k in ("committee_order_doc", "bank_book_doc", "financial_summary_doc"))


# -- determinism -----------------------------------------------------------------------
def test_same_seed_same_tables(tables):
    assert demo_tables(TODAY, SEED) == tables
    other = demo_tables(TODAY, SEED + 1)
    assert other != tables
    assert len(other["loans"]) == len(tables["loans"])


def test_other_scale_keeps_ids_unique():
    small = DemoScale(funds=150, loans=900, officers_district=9, staff_province=1)
    t = demo_tables(TODAY, 5, small)
    funds = records(t, "funds")
    assert len({f["fund_id"] for f in funds}) == 150
    assert len({x["contract_no"] for x in records(t, "loans")}) == 900
    assert sum(o["role"] == DISTRICT_ROLE for o in records(t, "officers")) == 9


# -- the workbook ------------------------------------------------------------------------
def test_workbook_has_every_tab_with_thai_headers(built, tables):
    path, summary, messages = built
    assert path.exists() and messages
    assert not [p for p in path.parent.iterdir() if p.name != path.name]  # no temp file left
    layout = Layout()
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        for key, tab in TABS.items():
            if not tab.columns:
                continue
            assert tab.title in book.sheetnames, tab.title
            header = next(book[tab.title].iter_rows(min_row=1, max_row=1))
            assert [c.value for c in header] == layout.headers(key)
            assert all(c.font.bold for c in header)
        header = layout.headers("loans")
        first = next(book["ลูกหนี้"].iter_rows(min_row=2, max_row=2, values_only=True))
        assert isinstance(first[header.index("เลขประจำตัวประชาชน")], str)
        assert isinstance(first[header.index("วันที่รับเงินยืม")], dt.datetime)
        assert isinstance(first[header.index("จำนวนเงินยืม (บาท)")], int)
        fheader = layout.headers("funds")
        fund = next(book["กองทุน"].iter_rows(min_row=2, max_row=2, values_only=True))
        account = fund[fheader.index("เลขที่บัญชี")]
        assert isinstance(account, str) and account.startswith("0")
        assert isinstance(fund[fheader.index("รหัสกองทุน")], str)
        order = [TABS[k].title for k in tables]
        assert book.sheetnames == order
    finally:
        book.close()
    # Row counts and frozen header rows, straight from the sheet XML (sheetN follows the tab order).
    with zipfile.ZipFile(path) as archive:
        for n, key in enumerate(tables, start=1):
            xml = archive.read(f"xl/worksheets/sheet{n}.xml").decode("utf-8")
            assert xml.count("<row ") - 1 == summary.counts[key] == len(tables[key]) - 1, key
            assert re.search(r'<pane [^>]*topLeftCell="A2"[^>]*state="frozen"', xml), key
    text = summary.as_text()
    assert "72" in text and "1,538" in text and "ยังไม่ผูก LINE" in text
    assert summary.counts["loans"] == 1538 and summary.counts["funds"] == 72


# -- fingerprints: the same seed gives the very same data, cell for cell -----------------------
# Golden digests taken before sheets/demo.py was split into a package: a refactoring must not
# move a single cell (benchmarks and the officers' training rely on "same seed, same data").
# Change them only in a commit that means to change the demo data, and say so there.
# (Issue 11 added the empty tab หนังสือแจ้งเตือน, headers only: without it the digests are the old ones.)
SMALL = DemoScale(funds=150, loans=900, officers_district=9, staff_province=1)
TINY = DemoScale(funds=3, loans=2, officers_district=1, staff_province=1, name="เล็กมาก")


def demo_fingerprint(today: dt.date, seed: int, scale: DemoScale) -> str:
    """A digest of every tab's rows (headers included) and of the summary's planted list, officers and facts."""
    from sheets.demo import demo_summary

    digest = hashlib.sha256()
    for key, rows in demo_tables(today, seed, scale).items():
        digest.update(f"tab {key}\n".encode())
        for row in rows:
            digest.update(repr(row).encode() + b"\n")
    summary = demo_summary(today, seed, scale)
    for part in (summary.counts, summary.planted, summary.officers, summary.facts, summary.scale):
        digest.update(repr(part).encode() + b"\n")
    return digest.hexdigest()


@pytest.mark.parametrize("today, seed, scale, expected", [
    (TODAY, SEED, TRAT,
     "fc1dcdc756e75f000d54274e00a2d4d1a9acefc00881c612d3a5c120ab8075a9"),
    (dt.date(2026, 11, 26), SEED, TRAT,
     "076d0eb177a322375a4edb8ba1217329300ad9eac92a71ba2747ffcad36bbad3"),
    (TODAY, 5, SMALL,
     "d4ed8ff96074f57ddfb85bd2d3c44aae4529aa73d23edeb3d50064a0322e9275"),
    (TODAY, 11, TINY,
     "8c267f3a2bf9a267a1a35a3fbc125729a8aa7bd7dcf612c414c2b695995eaa45"),
    (dt.date(2026, 11, 26), SEED, PROVINCE_AVG,
     "4a0e5198b9e87f2485a321b7ee41ce9fc4413a7bb71d78dacedb4802d695cc97"),
])
def test_same_seed_same_data_cell_for_cell(today, seed, scale, expected):
    assert demo_fingerprint(today, seed, scale) == expected


def test_the_written_workbook_is_the_same_file_inside(tmp_path):
    # Every worksheet's XML (values, number formats, widths, frozen panes, tab colours) and the
    # styles; docProps is left out because it carries the time of writing.
    path = tmp_path / "small.xlsx"
    build_demo(path, TODAY, seed=5, scale=SMALL)
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("docProps/"):
                continue
            digest.update(name.encode() + b"\n" + archive.read(name))
    # Issue 11 laid the demo as init-sheet does (B.E. date formats, dropdowns, print set-up) and added
    # the empty หนังสือแจ้งเตือน tab; issue 12 the empty เอกสาร tab (the fingerprints above were checked
    # to be the old ones without it); every cell value of the other tabs was checked unchanged.
    assert digest.hexdigest() == "7d229ef32014fd54c12f1944921d9332d7fe1d11a646c5e0529a9040376a5cb4"
