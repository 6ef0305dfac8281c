"""The import's parts on their own: header variants and how sure a match is, the header on any row,
two-row headers, places in title rows, totals rows with subtotals, the mapping file's shape."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from core.config import load_config
from sheets.importer.columns import (
    FIELDS, SURE, SYNONYMS, Matcher, column_index, column_letter, find_header, squash,
)
from sheets.importer.grid import Grid, Merge
from sheets.importer.mapping import SheetDecision, read_mapping, render_mapping
from sheets.importer.plan import made_fund_id, name_key
from sheets.importer.rows import read_rows
from sheets.importer.titles import Place, as_of_in, place_in
from sheets.store import Layout


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Layout())


def test_every_variant_belongs_to_one_field() -> None:
    owners: dict[str, str] = {}
    for key, variants in SYNONYMS.items():
        assert key in FIELDS
        for variant in variants:
            assert owners.setdefault(squash(variant), key) == key, f"{variant!r}: {owners[squash(variant)]} and {key}"


@pytest.mark.parametrize("header, field", [
    ("ชื่อ - สกุล", "borrower_name"), ("ชื่อ-นามสกุล", "borrower_name"), ("ชื่อผู้ยืม", "borrower_name"),
    ("เลขบัตร", "citizen_id"), ("เลขประจำตัวประชาชน", "citizen_id"), ("เลขบัตร ปชช.", "citizen_id"),
    ("วันที่ยืม", "loan_date"), ("ว/ด/ป ที่ยืม", "loan_date"), ("วดป.ยืม", "loan_date"),
    ("วันครบกำหนด", "due_date"), ("ว.ครบ", "due_date"), ("กำหนดส่งคืน", "due_date"),
    ("จำนวนเงิน", "amount"), ("ยอดยืม", "amount"), ("จน.เงิน (บ.)", "amount"), ("จำนวนเงินยืม\n(บาท)", "amount"),
    ("วันที่ชำระ", "paid_date"), ("ยอดชำระ", "paid_amount"), ("เลขที่ใบเสร็จ", "receipt_no"),
    ("ลำดับที่", "ignore"), ("บ้านเลขที่", "ignore"), ("ชื่อผู้ค้ำประกัน", "ignore"),
    ("หมู่ที่", "village_no"), ("ม.", "village_no"), ("ต.", "subdistrict"), ("อำเภอ", "district"),
    ("ชื่อ-สกล", "borrower_name"),  # a typo: still sure, a little less
])
def test_header_variants_and_abbreviations(matcher: Matcher, header: str, field: str) -> None:
    match = matcher.match(0, header, "register")

    assert (match.field, match.state) == (field, "sure"), match
    assert match.confidence >= SURE


def test_a_header_that_could_be_two_things_is_unsure(matcher: Matcher) -> None:
    match = matcher.match(8, "วันที่", "register")

    assert match.state == "unsure" and {match.field, match.alternative} == {"loan_date", "paid_date"}
    assert "อาจเป็น" in match.why and match.letter == "I"


def test_the_templates_own_headers_and_renames_are_variants() -> None:
    renamed = Matcher(Layout(load_config(env={}, overrides={"headers": {"loans": {"amount": "เงินต้นที่ให้ยืม"}}})))

    assert renamed.match(0, "เงินต้นที่ให้ยืม", "register").field == "amount"
    assert renamed.match(0, "ชื่อ-สกุลผู้ยืม", "register").confidence == 1.0


def test_a_group_over_sub_headers_decides_what_they_are(matcher: Matcher) -> None:
    assert matcher.match(0, "จำนวนเงิน", "register", "การชำระคืน").field == "paid_amount"
    assert matcher.match(0, "จำนวนเงิน", "register", "การยืม").field == "amount"
    assert matcher.match(0, "ว/ด/ป", "register", "การยืม").field == "loan_date"
    assert matcher.match(0, "ว/ด/ป", "register", "การส่งคืน").field == "paid_date"


def test_the_header_is_found_on_any_row_below_title_rows(matcher: Matcher) -> None:
    rows: list[list[object]] = [["ทะเบียนคุมลูกหนี้"], [], ["บ้านหนองบัว หมู่ 5 ต.วังกระแจะ"], [], [], [], [], [],
                                ["หมายเหตุ: ปรับปรุงล่าสุด 1 ต.ค. 68"],
                                ["ที่", "ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"],
                                [1, "นายก", "1/1/68", 1000, "1/1/69"]]

    guess = find_header(Grid("f.xlsx", "s", rows), matcher)

    assert guess is not None and (guess.first_row, guess.last_row, guess.kind) == (9, 9, "register")
    assert [c.field for c in guess.columns] == ["ignore", "borrower_name", "loan_date", "amount", "due_date"]
    assert not guess.blocked


def test_a_sheet_without_a_table_has_no_header(matcher: Matcher) -> None:
    assert find_header(Grid("f.xlsx", "notes", [["บันทึกการประชุม"], ["วาระที่ 1"]]), matcher) is None


def test_a_merged_header_cell_counts_once(matcher: Matcher) -> None:
    rows: list[list[object]] = [["ชื่อ-สกุล", "", "วันที่ยืม", "จำนวนเงิน", "วันครบกำหนด"]]

    guess = find_header(Grid("f.xlsx", "s", rows, [Merge(0, 0, 0, 1)]), matcher)

    assert guess is not None and [c.letter for c in guess.columns] == ["A", "C", "D", "E"]


def test_a_register_without_a_due_date_column_waits_for_one(matcher: Matcher) -> None:
    rows: list[list[object]] = [["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "อาชีพ"], ["นายก", "1/1/68", 1000, "ค้าขาย"]]

    guess = find_header(Grid("f.xlsx", "s", rows), matcher)

    assert guess is not None and guess.missing == ["due_date"] and guess.blocked


def test_places_in_title_rows() -> None:
    assert place_in(["ทะเบียนคุมลูกหนี้ กข.คจ. บ้านหนองบัว หมู่ที่ 5 ตำบลวังกระแจะ อำเภอเมืองตราด จังหวัดตราด"]) == \
        Place("เมืองตราด", "วังกระแจะ", 5, "หนองบัว")
    assert place_in(["บัญชีคุมลูกหนี้", "บ้านคลองใหญ่ ม.๑ ต.คลองใหญ่ อ.คลองใหญ่"]) == Place("คลองใหญ่", "คลองใหญ่", 1,
                                                                                        "คลองใหญ่")
    # "ตำบล" run into the next word, and a district learnt from its subdistrict
    assert place_in(["หมู่บ้านท่าเส้น หมู่ 3 ตำบลแหลมกลัดอำเภอ"]) == Place("เมืองตราด", "แหลมกลัด", 3, "ท่าเส้น")
    assert place_in(["ทะเบียนลูกหนี้ ตำบลไม่มีจริง"]) == Place()
    assert as_of_in(["แบบ 26(1)", "ข้อมูล ณ วันที่ ๓๐ กันยายน ๒๕๖๘"]) == dt.date(2025, 9, 30)
    assert as_of_in(["ณ 31/12/68"]) == dt.date(2025, 12, 31) and as_of_in(["ณ วันที่ 31/02/68"]) is None


def test_fund_ids_follow_the_templates_rule() -> None:
    assert made_fund_id(Place("เมืองตราด", "วังกระแจะ", 5, "หนองบัว")) == "230107-05"
    assert made_fund_id(Place("", "สะตอ", 3)) == "230305-03"  # one subdistrict of that name in Trat
    assert made_fund_id(Place("เมืองตราด", "วังกระแจะ", None)) is None
    assert made_fund_id(Place("เมืองตราด", "สะตอ", 3)) is None  # not a subdistrict of that district


def test_names_compare_without_titles() -> None:
    assert name_key("นางสาว มาลี  ศรีสุข") == name_key("น.ส.มาลี ศรีสุข") == name_key("มาลี ศรีสุข")
    assert name_key("นายดำ ขยัน") != name_key("นายแดง ขยัน")


def test_subtotals_and_a_grand_total_are_checked(matcher: Matcher) -> None:
    rows: list[list[object]] = [
        ["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"],
        ["นายก", "1/1/68", 1000, "1/1/69"], ["นายข", "1/1/68", 2000, "1/1/69"],
        ["รวมหน้า 1", None, 3000, None],
        ["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"],  # the next page's header
        ["นายค", "1/1/68", "-", "1/1/69"], ["นายง", "1/1/68", 500, "1/1/69"],
        ["รวมหน้า 2", None, 600, None],
        ["รวมทั้งสิ้น", None, "3,500", None],
    ]
    grid = Grid("f.xlsx", "s", rows)
    guess = find_header(grid, matcher)
    assert guess is not None

    read = read_rows(grid, guess, Place("เมืองตราด", "วังกระแจะ", 5))

    assert [(t.source.row, t.stated, t.counted, t.ok) for t in read.totals] == [
        (4, Decimal(3000), Decimal(3000), True), (8, Decimal(600), Decimal(500), False),
        (9, Decimal(3500), Decimal(3500), True)]
    assert [loan.borrower_name for loan in read.loans] == ["นายก", "นายข", "นายง"]
    assert [(i.source.row, i.column, i.row_kept) for i in read.issues] == [(6, "C", False)]  # "-": no amount
    assert [(s.row, why) for s, why in read.skipped] == [(5, "หัวตารางซ้ำ (หน้าใหม่ของเอกสารพิมพ์)")]


def test_a_borrower_or_an_occupation_starting_with_ruam_is_no_totals_row(matcher: Matcher) -> None:
    rows: list[list[object]] = [["ชื่อผู้ยืม", "อาชีพ", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"],
                                ["รวมศักดิ์ มีทรัพย์", "รวมกลุ่มทำขนม", "1/1/68", 1000, "1/1/69"],
                                ["ยอดรวม", None, None, 1000, None]]
    grid = Grid("f.xlsx", "s", rows)
    guess = find_header(grid, matcher)
    assert guess is not None

    read = read_rows(grid, guess, Place("เมืองตราด", "วังกระแจะ", 5))

    assert [loan.borrower_name for loan in read.loans] == ["รวมศักดิ์ มีทรัพย์"]
    assert [(t.source.row, t.ok) for t in read.totals] == [(3, True)]


def test_a_row_without_a_name_still_counts_in_the_total(matcher: Matcher) -> None:
    rows: list[list[object]] = [["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"],
                                ["นายก", "1/1/68", 1000, "1/1/69"], [None, "1/2/68", 500, "1/2/69"],
                                ["รวม", None, 1500, None]]
    grid = Grid("f.xlsx", "s", rows)
    guess = find_header(grid, matcher)
    assert guess is not None

    read = read_rows(grid, guess, Place("เมืองตราด", "วังกระแจะ", 5))

    assert [(t.stated, t.ok) for t in read.totals] == [(Decimal(1500), True)]  # the file adds up
    assert [(i.source.row, i.column, i.message) for i in read.issues] == [(3, "A", "ไม่มีชื่อผู้ยืม")]


def test_a_row_numbering_the_columns_is_skipped(matcher: Matcher) -> None:
    rows: list[list[object]] = [["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด"], ["(1)", "(2)", "(3)", "(4)"],
                                [1, 2, 3, 4], ["นายก", "1/1/68", 1000, "1/1/69"]]
    grid = Grid("f.xlsx", "s", rows)
    guess = find_header(grid, matcher)
    assert guess is not None

    read = read_rows(grid, guess, Place("เมืองตราด", "วังกระแจะ", 5))

    assert [s.row for s, _ in read.skipped] == [2, 3] and [loan.borrower_name for loan in read.loans] == ["นายก"]
    assert read.issues == []


def test_the_mapping_file_is_yaml_that_reads_back(matcher: Matcher, tmp_path) -> None:
    rows: list[list[object]] = [["ชื่อผู้ยืม", "วันที่ยืม", "ยอดยืม", "วันครบกำหนด", "วันที่"],
                                ["นายก", "1/1/68", 1000, "1/1/69", "1/6/68"]]
    grid = Grid("ทะเบียน: ม.5 #1.xlsx", "แผ่น 'หนึ่ง'", rows)
    guess = find_header(grid, matcher)
    assert guess is not None and guess.blocked
    text = render_mapping([SheetDecision(grid.file, grid.sheet, guess, Place("เมืองตราด", "", 5, "หนองบัว"))])
    data = yaml.safe_load(text)

    entry = data["files"]["ทะเบียน: ม.5 #1.xlsx"]["แผ่น 'หนึ่ง'"]
    assert entry["columns"] == {"A": "borrower_name", "B": "loan_date", "C": "amount", "D": "due_date", "E": "?"}
    assert entry["header_rows"] == [1] and entry["place"]["village_no"] == 5
    path = tmp_path / "m.yaml"
    path.write_text(text.replace('E: "?"', "E: paid_date").replace("village_no: 5", 'village_no: "๕"'),
                    encoding="utf-8")
    mapped = read_mapping(path).get(grid.file, grid.sheet)
    assert mapped is not None and mapped.place == Place("เมืองตราด", "", 5, "หนองบัว")
    again = mapped.guess(grid)
    assert [c.field for c in again.columns] == ["borrower_name", "loan_date", "amount", "due_date", "paid_date"]
    assert all(c.state == "mapped" for c in again.columns[:4])
    # A payment date without an amount column cannot pair up: still to decide.
    assert [(c.letter, "จับคู่ไม่ได้" in c.why) for c in again.unsure] == [("E", True)] and again.blocked


def test_column_letters_round_trip() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701)] == ["A", "Z", "AA", "ZZ"]
    assert [column_index(x) for x in ("A", "z", "AA", "ZZ")] == [0, 25, 26, 701]
    with pytest.raises(ValueError):
        column_index("A1")
