"""`import`: district workbooks of several shapes (made here with openpyxl, tests/import_files.py) into
the sheet on both stores: the column mapping and its confidence, the dry-run diff, only new rows
appended, a rerun importing nothing, a conflict listed and never written, made contract numbers,
totals checked, and the mapping-file round trip."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import cli
from core.config import Config
from sheets.importer.run import NEEDS_MAPPING, run_import
from sheets.model import read_dataset
from sheets.store import Layout, Store
from sheets.template import templates
from sheets.workbook import WorkbookStore
from tests import import_files
from tests.import_files import MALEE_ID, SOMJAI_ID

TODAY = dt.date(2026, 3, 31)  # after every date in the files
NOW = dt.datetime(2026, 3, 31, 9, 30)
TABS = ("กองทุน", "ลูกหนี้", "รับชำระ")


def seed(store: Store, layout: Layout) -> None:
    """The sheet before the import: two funds, two loans, one payment."""
    store.init_template(templates(layout))
    store.append("funds", [
        {"fund_id": "230107-05", "district": "เมืองตราด", "subdistrict": "วังกระแจะ", "village_no": 5,
         "village_name": "บ้านหนองบัว", "capital": 280000},
        {"fund_id": "230201-01", "district": "คลองใหญ่", "subdistrict": "คลองใหญ่", "village_no": 1,
         "village_name": "บ้านคลองใหญ่", "capital": 280000},
    ])
    store.append("loans", [
        {"contract_no": "230107-05/2568/01", "fund_id": "230107-05", "borrower_name": "นางสมใจ ดีงาม",
         "citizen_id": SOMJAI_ID, "loan_date": dt.date(2025, 1, 15), "amount": 15000, "due_date": dt.date(2026, 1, 15)},
        {"contract_no": "230107-05/2568/02", "fund_id": "230107-05", "borrower_name": "นายสมชาย ใจดี",
         "loan_date": dt.date(2025, 2, 1), "amount": 10000, "due_date": dt.date(2026, 2, 1)},
    ])
    store.append("payments", [{"contract_no": "230107-05/2568/01", "paid_date": dt.date(2025, 6, 15), "amount": 5000}])


@pytest.fixture
def seeded(store: Store, layout: Layout) -> Store:
    seed(store, layout)
    return store


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "district"
    folder.mkdir()
    return {name: make(folder / name) for name, make in import_files.ALL.items()}


def run(store: Store, config: Config, paths: list[Path], **options: Any) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_import(paths, store, config, TODAY, NOW, out=out, err=err, **options)
    return code, out.getvalue() + err.getvalue()


def run_json(store: Store, config: Config, paths: list[Path], **options: Any) -> tuple[int, dict[str, Any]]:
    code, text = run(store, config, paths, as_json_output=True, **options)
    return code, json.loads(text)


def snapshot(editor: Any) -> dict[str, list[list[Any]]]:
    return {title: editor.tab_rows(title) for title in TABS}


def registers(files: dict[str, Path]) -> list[Path]:
    return [files["register-nongbua.xlsx"], files["register-khlongyai.xlsx"], files["26-1-mueang.xlsx"]]


# -- the dry run ----------------------------------------------------------------------------
def test_the_dry_run_shows_the_difference_and_writes_nothing(seeded: Store, config: Config, files: dict[str, Path],
                                                             sheet_editor: Any) -> None:
    before = snapshot(sheet_editor)

    code, report = run_json(seeded, config, registers(files), dry_run=True)

    assert code == 0 and report["dry_run"] and not report["blocked"] and report["written"] is None
    assert snapshot(sheet_editor) == before  # nothing written
    loans = {row["record"]["contract_no"]: row["record"] for row in report["new_loans"]}
    # Numbers the register lacked, by the rule, after the sheet's own /01 and /02; the register's own kept.
    assert sorted(loans) == ["230107-05/2568/03", "230107-05/2568/04", "คญ.1/2568", "คญ.2/2568", "คญ.3/2568"]
    assert [m["contract_no"] for m in report["made_contract_numbers"]] == ["230107-05/2568/03", "230107-05/2568/04"]
    malee = loans["230107-05/2568/03"]
    assert malee["borrower_name"] == "นางสาวมาลี ศรีสุข" and malee["fund_id"] == "230107-05"
    assert malee["loan_date"] == "2025-03-10" and malee["due_date"] == "2026-03-10" and malee["amount"] == 8000
    assert malee["citizen_id"] != MALEE_ID and malee["citizen_id"].endswith(MALEE_ID[-1])  # masked in output
    assert loans["คญ.1/2568"]["amount"] == 20000 and loans["คญ.1/2568"]["fund_id"] == "230201-01"
    assert "citizen_id" not in loans["230107-05/2568/04"]  # its id did not read: left blank
    payments = sorted((p["record"]["contract_no"], p["record"]["paid_date"], p["record"]["amount"])
                      for p in report["new_payments"])
    assert payments == [("230107-05/2568/03", "2025-09-10", 2000), ("คญ.1/2568", "2025-09-05", 5000),
                        ("คญ.1/2568", "2026-03-05", 5000), ("คญ.2/2568", "2025-10-12", 2500)]
    assert report["in_sheet"] == {"funds": 2, "loans": 2, "payments": 1}
    assert [f["record"]["fund_id"] for f in report["new_funds"]] == ["230101-02"]
    # The sheet's 10,000 against the file's 12,000: listed with both, never changed.
    amount = next(d for d in report["differences"] if d["key"] == "230107-05/2568/02" and "จำนวนเงินยืม" in d["column"])
    assert amount["in_sheet"] == "10,000 บาท" and amount["in_file"] == "12,000 บาท" and amount["sheet_row"] == 3
    assert amount["source"] == "register-nongbua.xlsx แผ่น ลูกหนี้ ม.5 แถว 6"
    capital = next(d for d in report["differences"] if d["key"] == "230107-05" and d["column"] == "เงินทุน (บาท)")
    assert capital["in_sheet"] == "280,000 บาท" and capital["in_file"] == "285,000 บาท"
    # Rows it could not read, with their row and column.
    unreadable = {(u["file"], u["row"], u["column"]): u for u in report["issues"]}
    bad_id = unreadable[("register-nongbua.xlsx", 8, "C")]
    assert bad_id["row_kept"] and "หลักตรวจสอบไม่ตรง" in bad_id["message"] and bad_id["header"] == "เลขบัตร ปชช."
    bad_date = unreadable[("register-nongbua.xlsx", 9, "D")]
    assert not bad_date["row_kept"] and "31/02/2568" in bad_date["message"]
    assert unreadable[("register-khlongyai.xlsx", 6, "K")]["level"] == "warning"  # the balance does not add up
    skipped = [s["source"] for s in report["skipped"]]
    assert skipped == ["register-nongbua.xlsx แผ่น ลูกหนี้ ม.5 แถว 12"]  # the signature line


def test_the_column_mapping_is_reported_with_how_sure_it_is(seeded: Store, config: Config,
                                                            files: dict[str, Path]) -> None:
    code, report = run_json(seeded, config, [files["register-khlongyai.xlsx"]], dry_run=True)

    assert code == 0
    sheet = report["sheets"][0]
    assert sheet["kind"] == "register" and sheet["header_rows"] == [3, 4]  # a two-row header
    assert sheet["place"] == {"district": "คลองใหญ่", "subdistrict": "คลองใหญ่", "village_no": 1,
                              "village_name": "คลองใหญ่"}  # from the merged title rows
    columns = {c["column"]: c for c in sheet["columns"]}
    assert columns["B"]["field"] == "borrower_name" and columns["B"]["confidence"] == 1.0
    assert (columns["D"]["header"], columns["D"]["field"]) == ("การยืม ว/ด/ป", "loan_date")
    assert (columns["H"]["header"], columns["H"]["field"]) == ("การชำระคืน จำนวนเงิน", "paid_amount")
    assert columns["J"]["field"] == "paid_amount" and columns["I"]["field"] == "paid_date"
    assert all(c["state"] == "sure" for c in columns.values())
    assert 0.8 <= columns["E"]["confidence"] < 1.0


def test_totals_rows_are_skipped_and_their_sums_checked(seeded: Store, config: Config,
                                                        files: dict[str, Path]) -> None:
    code, text = run(seeded, config, registers(files), dry_run=True)
    _, report = run_json(seeded, config, registers(files), dry_run=True)

    checks = {(t["source"], t["column"]): t for t in report["totals"]}
    wrong = checks[("register-khlongyai.xlsx แผ่น บัญชีคุม แถว 8", "E")]
    assert wrong["stated"] == 46000 and wrong["counted"] == 45000 and not wrong["ok"]
    assert checks[("register-khlongyai.xlsx แผ่น บัญชีคุม แถว 8", "H")]["ok"]
    assert checks[("register-nongbua.xlsx แผ่น ลูกหนี้ ม.5 แถว 10", "E")]["stated"] == 45000
    assert all(t["ok"] for key, t in checks.items() if key != ("register-khlongyai.xlsx แผ่น บัญชีคุม แถว 8", "E"))
    assert checks[("26-1-mueang.xlsx แผ่น 26(1) แถว 6", "E")]["stated"] == 218  # households, not baht
    assert "✗ register-khlongyai.xlsx แผ่น บัญชีคุม แถว 8 คอลัมน์ E (การยืม จำนวนเงิน): ในไฟล์ 46,000 บาท " \
           "แต่รวมแถวได้ 45,000 บาท" in text
    assert "คอลัมน์ E (ครัวเรือนทั้งหมด): 218 ตรงกับผลรวม" in text
    assert not any("รวม" in row["record"]["borrower_name"] for row in report["new_loans"])


# -- the import and its rerun ------------------------------------------------------------------
def test_only_new_rows_are_appended_and_a_rerun_imports_nothing(seeded: Store, config: Config, layout: Layout,
                                                                 files: dict[str, Path], sheet_editor: Any) -> None:
    before = snapshot(sheet_editor)

    code, text = run(seeded, config, registers(files))

    assert code == 0 and "เขียนแล้ว: กองทุน 1 สัญญา 5 รับชำระ 4 แถว" in text
    after = snapshot(sheet_editor)
    for title in TABS:  # every row typed before is as it was: the new ones come after
        assert after[title][:len(before[title])] == before[title]
    assert len(after["ลูกหนี้"]) == len(before["ลูกหนี้"]) + 5 and len(after["รับชำระ"]) == len(before["รับชำระ"]) + 4
    ds = read_dataset(seeded, layout, TODAY, tabs=("funds", "loans", "payments"))
    assert ds.loans["230107-05/2568/02"].amount == Decimal("10000.00")  # the conflict was not written
    assert ds.funds["230107-05"].capital == Decimal("280000.00") and ds.funds["230107-05"].households_total is None
    malee = ds.loans["230107-05/2568/03"]
    assert (malee.citizen_id, malee.loan_date, malee.amount, malee.due_date, malee.occupation) == (
        MALEE_ID, dt.date(2025, 3, 10), Decimal("8000.00"), dt.date(2026, 3, 10), "เลี้ยงไก่")
    assert "นำเข้าจาก register-nongbua.xlsx แผ่น ลูกหนี้ ม.5 แถว 7" in malee.note
    assert ds.loans["230107-05/2568/04"].citizen_id is None
    new_fund = ds.funds["230101-02"]
    assert (new_fund.village_name, new_fund.subdistrict, new_fund.capital, new_fund.bank_balance,
            new_fund.bank_balance_date, new_fund.households_total) == (
        "บ้านบางพระ", "บางพระ", Decimal("280000.00"), Decimal("276000.00"), dt.date(2025, 9, 30), 98)
    paid = [(p.paid_date, p.amount, p.source, p.recorded_by) for p in ds.payments["คญ.1/2568"]]
    assert paid == [(dt.date(2025, 9, 5), Decimal("5000.00"), "ชีต", "import"),
                    (dt.date(2026, 3, 5), Decimal("5000.00"), "ชีต", "import")]
    assert all(p.ref.startswith("IMP-") for p in ds.payments["คญ.1/2568"])
    assert not [p for p in ds.problems if p.tab in ("ลูกหนี้", "รับชำระ") and p.level == "error"]

    again, text = run(seeded, config, registers(files))

    assert again == 0 and "ไม่มีอะไรใหม่ที่ต้องเพิ่ม" in text and "เขียนแล้ว: กองทุน 0 สัญญา 0 รับชำระ 0 แถว" in text
    assert snapshot(sheet_editor) == after
    _, report = run_json(seeded, config, registers(files), dry_run=True)
    assert report["in_sheet"] == {"funds": 3, "loans": 7, "payments": 5}
    assert report["new_loans"] == report["new_payments"] == report["new_funds"] == []


def test_a_payment_already_typed_in_the_sheet_is_not_added_again(seeded: Store, config: Config,
                                                                  files: dict[str, Path]) -> None:
    # นางสมใจ's 5,000 on 15/6/2568 is in the file and in the sheet: the same payment, once.
    _, report = run_json(seeded, config, [files["register-nongbua.xlsx"]], dry_run=True)

    assert not [p for p in report["new_payments"] if p["record"]["contract_no"] == "230107-05/2568/01"]
    assert report["in_sheet"]["payments"] == 1


def test_a_payment_whose_amount_differs_is_listed_not_added(seeded: Store, config: Config, layout: Layout,
                                                            files: dict[str, Path], sheet_editor: Any) -> None:
    seeded.append("payments", [{"contract_no": "230107-05/2568/03", "paid_date": dt.date(2025, 9, 10), "amount": 200}])
    seeded.append("loans", [{"contract_no": "230107-05/2568/03", "fund_id": "230107-05",
                             "borrower_name": "น.ส.มาลี ศรีสุข", "loan_date": dt.date(2025, 3, 10), "amount": 8000,
                             "due_date": dt.date(2026, 3, 10)}])
    before = snapshot(sheet_editor)

    code, report = run_json(seeded, config, [files["register-nongbua.xlsx"]])

    assert code == 0
    difference = next(d for d in report["differences"] if d["tab"] == "รับชำระ")
    assert difference["key"] == "230107-05/2568/03" and difference["in_sheet"] == "200 บาท"
    assert difference["in_file"] == "2,000 บาท" and "10 ก.ย. 2568" in difference["column"]
    after = snapshot(sheet_editor)
    assert after["รับชำระ"] == before["รับชำระ"]  # nothing added for that loan, the 200 untouched
    # The loan was matched by name (without its title) and date, not added a second time.
    assert "230107-05/2568/03" not in [r["record"]["contract_no"] for r in report["new_loans"]]


# -- the mapping file ----------------------------------------------------------------------------
def test_an_unsure_match_stops_and_the_mapping_file_round_trips(seeded: Store, config: Config, layout: Layout,
                                                                 files: dict[str, Path], sheet_editor: Any,
                                                                 tmp_path: Path) -> None:
    register = files["register-khaosaming.xlsx"]
    before = snapshot(sheet_editor)

    code, text = run(seeded, config, [register])

    mapping = register.with_name("register-khaosaming.mapping.yaml")
    assert code == NEEDS_MAPPING and f"เขียนไฟล์จับคู่ไว้ที่ {mapping}" in text
    assert snapshot(sheet_editor) == before  # stopped before writing anything
    written = mapping.read_text(encoding="utf-8")
    assert re.search(r'^        I: "\?" +# "วันที่" ไม่แน่ใจ', written, re.M)
    assert re.search(r'^        J: "\?" +# "ชำระแล้ว" ไม่แน่ใจ', written, re.M)
    assert re.search(r"^        G: amount +# \"จน.เงิน\(บ.\)\" \(แน่ใจ 100%\)", written, re.M)

    # A person decides the two columns, as they would in a text editor.
    edited = written.replace('I: "?"', "I: paid_date").replace('J: "?"', "J: paid_amount")
    decided = tmp_path / "decided.yaml"
    decided.write_text(edited, encoding="utf-8")
    code, report = run_json(seeded, config, [register], mapping_path=decided)

    assert code == 0 and not report["blocked"]
    assert sorted(f["record"]["fund_id"] for f in report["new_funds"]) == ["230304-02", "230305-03"]
    loans = {r["record"]["borrower_name"]: r["record"] for r in report["new_loans"]}
    assert loans["นายสมหมาย ใจงาม"]["contract_no"] == "230305-03/2568/01"  # in loan-date order
    assert loans["นางบุญมี ศรีงาม"]["contract_no"] == "230305-03/2568/02"
    assert loans["นายวิชัย คงดี"]["contract_no"] == "230304-02/2568/01"
    assert loans["นายสมหมาย ใจงาม"]["loan_date"] == "2025-01-15"  # ๑๕/๐๑/๖๘: Thai digits, a two-digit B.E. year
    assert loans["นายสมหมาย ใจงาม"]["phone"] == "0812345678"
    assert sorted((p["record"]["contract_no"], p["record"]["amount"]) for p in report["new_payments"]) == [
        ("230304-02/2568/01", 2000), ("230305-03/2568/01", 6000)]
    lost = next(u for u in report["issues"] if u["row"] == 7)
    assert "ไม่พบตำบล \"ไม่มีจริง\" ในอำเภอเขาสมิง" in lost["message"] and not lost["row_kept"]
    assert all(c["state"] == "mapped" for c in report["sheets"][0]["columns"])

    again, report = run_json(seeded, config, [register], mapping_path=decided)
    assert again == 0 and report["new_loans"] == [] and report["new_payments"] == [] and report["new_funds"] == []


def test_a_sheet_that_names_no_village_waits_for_the_place_in_the_mapping_file(seeded: Store, config: Config,
                                                                               tmp_path: Path) -> None:
    path = tmp_path / "no-title.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"])
    book.active.append(["นายเอก ใหม่", "1/6/68", 3000, "1/6/69"])
    book.save(path)

    code, text = run(seeded, config, [path])

    mapping = path.with_name("no-title.mapping.yaml")
    assert code == NEEDS_MAPPING and "รอระบุหมู่บ้าน" in text and mapping.exists()
    edited = mapping.read_text(encoding="utf-8").replace('subdistrict: ""', 'subdistrict: "วังกระแจะ"').replace(
        "village_no: null", "village_no: 5")
    mapping.write_text(edited, encoding="utf-8")
    code, report = run_json(seeded, config, [path], mapping_path=mapping)

    assert code == 0
    assert [(r["record"]["contract_no"], r["record"]["fund_id"]) for r in report["new_loans"]] == [
        ("230107-05/2568/03", "230107-05")]  # the existing fund, found by subdistrict and village number


@pytest.mark.parametrize("change, words", [
    (('I: "?"', "I: loan_day"), "ไม่รู้จัก 'loan_day'"),
    (('I: "?"', "I: households_total"), "ใช้กับ register ไม่ได้"),
    (("header_rows: [3]", "header_rows: [3, 5]"), "ต้องติดกัน"),
    (('I: "?"', "II3: paid_date"), "ไม่ใช่ชื่อคอลัมน์"),
])
def test_a_mapping_file_that_cannot_be_used_says_where(workbook_store: WorkbookStore, config: Config,
                                                       layout: Layout, files: dict[str, Path],
                                                       change: tuple[str, str], words: str) -> None:
    seed(workbook_store, layout)
    register = files["register-khaosaming.xlsx"]
    assert run(workbook_store, config, [register])[0] == NEEDS_MAPPING
    mapping = register.with_name("register-khaosaming.mapping.yaml")
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(*change), encoding="utf-8")

    code, text = run(workbook_store, config, [register], mapping_path=mapping)

    assert code == 2 and words in text and "ทะเบียนรวม" in text


def test_a_file_that_cannot_be_read_is_said_so(workbook_store: WorkbookStore, config: Config, layout: Layout,
                                               tmp_path: Path) -> None:
    seed(workbook_store, layout)
    (tmp_path / "notes.txt").write_text("x")
    missing = tmp_path / "missing.xlsx"
    assert run(workbook_store, config, [missing]) == (2, f"นำเข้าไม่ได้: ไม่พบไฟล์ {missing} (no such file)\n")
    code, text = run(workbook_store, config, [tmp_path / "notes.txt"])
    assert code == 2 and "รับเฉพาะ .xlsx" in text


# -- the command line and large files ----------------------------------------------------------------
def test_the_import_command(tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "smart-data.xlsx"
    seed(WorkbookStore(sheet, Layout()), Layout())
    args = ["import", str(files["register-nongbua.xlsx"]), "--store", str(sheet), "--date", "2026-03-31"]

    assert cli.main(args + ["--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] and len(report["new_loans"]) == 2
    assert SOMJAI_ID not in json.dumps(report, ensure_ascii=False) and MALEE_ID not in json.dumps(report)
    assert cli.main(args) == 0
    assert "เขียนแล้ว: กองทุน 0 สัญญา 2 รับชำระ 1 แถว" in capsys.readouterr().out
    assert cli.main(["import", str(files["register-khaosaming.xlsx"]), "--store", str(sheet),
                     "--mapping-out", str(tmp_path / "m.yaml")]) == NEEDS_MAPPING
    assert (tmp_path / "m.yaml").exists()


def big_register(path: Path, loans: int) -> Path:
    """A province-size register page by page: the header repeated every 40 rows, a total at the end."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนคุมลูกหนี้ บ้านหนองบัว หมู่ที่ 5 ตำบลวังกระแจะ อำเภอเมืองตราด"])
    header = ["ที่", "ชื่อ-สกุล", "วันที่ยืม", "จำนวนเงิน", "วันครบกำหนด", "วันที่ชำระ", "ยอดชำระ"]
    sheet.append(header)
    start = dt.date(2024, 10, 1)
    for n in range(loans):
        if n and n % 40 == 0:
            sheet.append(header)
        day = start + dt.timedelta(days=n % 300)
        sheet.append([n + 1, f"นายทดสอบ ที่{n}", day, 1000 + n % 7 * 500, day + dt.timedelta(days=365),
                      day + dt.timedelta(days=30), 500])
    sheet.append([None, "รวม", None, sum(1000 + n % 7 * 500 for n in range(loans)), None, None, 500 * loans])
    book.save(path)
    return path


def test_a_large_register_goes_in_by_chunks_on_google(google_store: Store, config: Config, layout: Layout,
                                                      sheets_fake: Any, tmp_path: Path) -> None:
    seed(google_store, layout)
    path = big_register(tmp_path / "big.xlsx", 1200)
    sheets_fake.reset_requests()

    code, report = run_json(google_store, config, [path])

    assert code == 0 and len(report["new_loans"]) == 1200 and len(report["new_payments"]) == 1200
    assert all(t["ok"] for t in report["totals"]) and len(report["skipped"]) == 29  # the repeated headers
    assert sheets_fake.count("values.append") == 3 + 3  # 500 rows an append: loans, then payments
    assert sheets_fake.count("values.batchGet") == 1
    code, report = run_json(google_store, config, [path])
    assert report["new_loans"] == [] and report["in_sheet"]["loans"] == 1200


def test_the_progress_bar_draws_on_a_terminal_only(seeded: Store, config: Config, tmp_path: Path) -> None:
    from sheets.importer.progress import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen, log = Terminal(), io.StringIO()
    ticks = iter(range(10_000))
    bar = ProgressBar("อ่าน", stream=screen, clock=lambda: next(ticks))
    quiet = ProgressBar("อ่าน", stream=log)
    for done in range(0, 1001, 100):
        bar(done, 1000)
        quiet(done, 1000)
    bar(5, 10)  # a small job draws nothing

    assert log.getvalue() == ""
    assert screen.getvalue().endswith("\r[" + "#" * 30 + "] 100%  1,000/1,000 อ่าน\n")
    assert "\r[" + "#" * 3 + "." * 27 + "]  10%  100/1,000 อ่าน" in screen.getvalue()

    path = big_register(tmp_path / "big.xlsx", 600)
    out, err = io.StringIO(), Terminal()
    assert run_import([path], seeded, config, TODAY, NOW, out=out, err=err) == 0
    assert "100%" in err.getvalue() and "เขียนลงชีต" in err.getvalue() and "อ่าน big.xlsx" in err.getvalue()
