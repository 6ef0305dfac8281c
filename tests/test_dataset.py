"""Parsing every tab (sheets/model.py): what a messy sheet becomes, record for record and problem for problem.

The fingerprints are golden digests taken before the two row-reading engines were merged: a
refactoring of the parsers must not change one record, one problem message (tab, row, column,
key, level, fund) or one unreadable row. Change them only in a commit that means to change
how a sheet is read, and say so there.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import pytest

from core.schema import TABS
from sheets.check import run_check
from sheets.demo import DemoScale, demo_tables
from sheets.model import Dataset, load_dataset
from sheets.store import Layout, Table
from tests.conftest import make_config
from tests.sheetdata import TODAY, as_tables, tiny_province

# What people really type where they should not: blanks, typos, words, numbers in the wrong
# column, future dates, Thai digits, other rows' values (duplicates), ids of things that do not
# exist. Booleans and whole-number floats are left out on purpose (see the tests at the end).
MESS: tuple[Any, ...] = (
    None, "", "   ", "abc", "31/02/2569", "15 มกรา 2569x", "๑๕/๐๑/๒๕๖๙", "15 ม.ค. 69", "12,500 บาท", "-500",
    "ห้าพัน", 0, -3, 7, 150, 2.5, 45000.5, dt.date(2031, 1, 1), dt.date(2019, 5, 5),
    dt.datetime(2026, 1, 2, 3, 4), "2026-11-26 08:05", "ใช่", "ไม่", "อาจจะ", "อำเภอเมืองตราด", "เกาะกูด",
    "ตำบลใหม่", "บางพระ", "U" + "0" * 32, "Uxyz", "อำเภอ", "จังหวัด", "ประธาน", "ผิดสัญญา", "ปิดสัญญา", "LINE",
    "ชีต", "ส่งแล้ว", "เกินกำหนด", "TRT-01", "TRT-99", "1-1014-00123-45-1", "1101400123452", "230101-01",
    " สมชาย   ใจดี ", 100, 99, 1,
)


def alert_log_rows(rng: random.Random, loans: list[list[Any]], officers: list[list[Any]]) -> list[list[Any]]:
    """A plausible บันทึกการแจ้งเตือน: one row per alert sent, in the tab's column order."""
    keys = TABS["alert_log"].keys
    kinds = ("ก่อนครบกำหนด", "ครบกำหนดวันนี้", "เกินกำหนด", "สรุปรายเดือน")
    statuses = ("ส่งแล้ว", "ล้มเหลว", "ไม่มีบัญชี LINE")
    rows = []
    for n in range(120):
        loan, officer = rng.choice(loans), rng.choice(officers)
        values = {"run_date": dt.date(2025, 12, 1) + dt.timedelta(days=n // 4),
                  "sent_at": dt.datetime(2025, 12, 1, 8, 0) + dt.timedelta(days=n // 4, minutes=n),
                  "officer_id": officer[0], "contract_no": loan[0], "seq": rng.choice((None, 1, 2, 3)),
                  "kind": rng.choice(kinds), "days": rng.randint(-7, 60), "amount": rng.choice((500, 1250.5, None)),
                  "retry_key": f"r{n}", "status": rng.choice(statuses), "detail": rng.choice(("", "timeout"))}
        rows.append([values[k] for k in keys])
    return rows


def messy_tables(seed: int, share: float) -> dict[str, Table]:
    """The demo province at a small scale, with `share` of its cells replaced by MESS and worse."""
    rng = random.Random(seed)
    scale = DemoScale(funds=40, loans=400, officers_district=30, staff_province=4)
    raw = demo_tables(dt.date(2026, 1, 15), seed, scale)
    raw["alert_log"] = raw["alert_log"][:1] + alert_log_rows(rng, raw["loans"][1:], raw["officers"][1:])
    tables = {}
    for key, (header, *rows) in raw.items():
        out = []
        for row in rows:
            row = list(row)
            for n in range(len(row)):
                roll = rng.random()
                if roll < share:
                    row[n] = rng.choice(MESS)
                elif roll < share * 1.5:  # another row's value in the same column
                    row[n] = rng.choice(rows)[n]
            roll = rng.random()
            if roll < 0.03:
                out.append(list(rng.choice(rows)))  # a row typed twice
            elif roll < 0.05:
                out.append([])  # a blank row between the data
            elif roll < 0.06:
                out.append([None, "  ", None])
            while row and row[-1] is None and rng.random() < 0.5:
                row.pop()  # stores drop trailing blank cells
            out.append(row)
        tables[key] = Table(Layout().title(key), list(header), out)
    return tables


def without_column(tables: dict[str, Table], tab_key: str, col_key: str) -> dict[str, Table]:
    header = Layout().header(tab_key, col_key)
    table = tables[tab_key]
    index = table.header.index(header)
    rows = [cells[:index] + cells[index + 1:] for cells in table.rows]
    return {**tables, tab_key: Table(table.title, table.header[:index] + table.header[index + 1:], rows)}


def fingerprint(ds: Dataset) -> str:
    """Every record, every unreadable row, every missing tab, and the problems in the order the
    check shows them (by tab and row; within a row, the order they were found), plus the check."""
    digest = hashlib.sha256()

    def add(label: str, items: Any) -> None:
        digest.update(f"{label}\n".encode())
        for item in items:
            digest.update(repr(item).encode() + b"\n")

    add("officers", ds.officers.items())
    add("funds", ds.funds.items())
    add("loans", ds.loans.items())
    add("installments", ds.installments.items())
    add("payments", ds.payments.items())
    add("committee", ds.committee)
    add("links", ds.links.items())
    add("alert_log", ds.alert_log)
    add("unreadable", ds.unreadable)
    add("tabs_missing", ds.tabs_missing)
    add("problems", sorted(ds.problems, key=lambda p: (p.tab, p.row or 0)))
    report = run_check(ds, make_config(), ds.today)
    add("check", [report.as_json()])
    return digest.hexdigest()


def test_the_tiny_province_reads_the_same():
    ds = load_dataset(as_tables(tiny_province()), Layout(), TODAY)
    assert fingerprint(ds) == "f7b7d191475da8ca42a74c24ec2a82e8a9098bde436afd4b916fddf8a2d53bda"


def test_the_demo_province_reads_the_same():
    tables = {key: Table(Layout().title(key), rows[0], rows[1:])
              for key, rows in demo_tables(dt.date(2026, 1, 15), 2569).items()}
    ds = load_dataset(tables, Layout(), dt.date(2026, 1, 15))
    assert fingerprint(ds) == "303b7e58051f9c83d9d8ddcf3fe12935f7f970ea138a74ca7973898a15ecc70f"


@pytest.mark.parametrize("seed, share, expected", [
    (1, 0.03, "fb49939318311e6bd1b6048ed96e036f31131e2fa655c44cba92496a036a3479"),
    (2, 0.08, "761e0ae3c7c58603ae6fd6727d92939653f8b37ad798c3fbbfcf2f25c9783755"),
    (3, 0.25, "4f9b6fcbd85c9eedc3c7ca5d5eb91597955f7253094313390b54bad1d316a568"),
])
def test_a_messy_sheet_reads_the_same(seed, share, expected):
    ds = load_dataset(messy_tables(seed, share), Layout(), dt.date(2026, 1, 15), max_term_years=2)
    assert len(ds.problems) > 50 and ds.unreadable  # the mess is really there
    assert fingerprint(ds) == expected


@pytest.mark.parametrize("tab_key, col_key, expected", [
    ("loans", "amount", "0eaa6a82848322e6fc4067065127cf23e072ae111d2fc7b0e862f419b908e3b9"),
    ("officers", "role", "8362dbde4780fcfffd3f4bee4924a4d1d9369a37c4c5727e29b6089eace42592"),
    ("funds", "capital", "0c991ed698918bdb7556d82ca26ea87a18073226fbcda60ced72698a6c060f29"),
])
def test_a_tab_without_a_required_column_reads_the_same(tab_key, col_key, expected):
    tables = without_column(messy_tables(4, 0.05), tab_key, col_key)
    ds = load_dataset(tables, Layout(), dt.date(2026, 1, 15))
    assert fingerprint(ds) == expected


def test_missing_tabs_read_the_same():
    tables = messy_tables(5, 0.05)
    del tables["committee"]
    tables["line_links"] = Table(tables["line_links"].title, [], [], exists=False)
    ds = load_dataset(tables, Layout(), dt.date(2026, 1, 15))
    assert ds.tabs_missing == ["กรรมการ", "บัญชี LINE"]
    assert fingerprint(ds) == "11e4e23675f8a844157945bb7ca233179c74bc9aaa4273b743f677886e8be9d5"


# -- what the one column-wise engine does that the fingerprints do not spell out ------------------
def tiny_with(**changes: dict[str, Any]) -> dict[str, Table]:
    """The tiny province with some cells changed: tab key -> {(row index, column key): value}."""
    data = tiny_province()
    for tab_key, cells in changes.items():
        for (index, col), value in cells.items():
            data[tab_key][index][col] = value
    return as_tables(data)


def problems_at(ds: Dataset, tab_title: str, row: int) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in ds.problems if p.tab == tab_title and p.row == row]


def test_a_rows_problems_come_in_the_order_they_were_found_rows_top_to_bottom():
    ds = load_dataset(tiny_with(funds={(1, "district"): "เมืองจันท์", (1, "village_no"): 120,
                                       (1, "updated_at"): dt.date(2027, 1, 1), (1, "village_name"): None,
                                       (0, "capital"): "ห้าพัน"}), Layout(), TODAY)
    assert problems_at(ds, "กองทุน", 3) == [
        ("district", "ไม่พบอำเภอ \"เมืองจันท์\" ในจังหวัด (ใช้ชื่ออำเภอตามทะเบียน เช่น เมืองตราด)"),
        ("village_no", "หมู่ที่ต้องอยู่ระหว่าง 1–99 (กรอกไว้ 120)"),
        ("updated_at", "วันที่อยู่ในอนาคต"),
        ("village_name", "ไม่ได้กรอก (ต้องกรอก)"),
    ]
    funds_rows = [p.row for p in ds.problems if p.tab == "กองทุน"]
    assert funds_rows == sorted(funds_rows) and funds_rows[0] == 2
    # The fund is still there, with the district as typed (so its officer can be told).
    assert ds.funds["230102-03"].district == "เมืองจันท์" and not ds.funds["230102-03"].district_ok


def test_a_refused_line_link_is_not_read_further():
    ds = load_dataset(tiny_with(line_links={(1, "line_user_id"): "Uxyz", (1, "linked_at"): "เมื่อวาน"}),
                      Layout(), TODAY)
    assert problems_at(ds, "บัญชี LINE", 3) == [
        ("line_user_id", "LINE user ID ต้องขึ้นต้นด้วย U ตามด้วยเลขฐานสิบหก 32 ตัว")]
    assert "OF-02" not in ds.links
    # A link that is taken has its time read, and a bad time is a problem of its own.
    ds = load_dataset(tiny_with(line_links={(1, "linked_at"): "เมื่อวาน"}), Layout(), TODAY)
    assert problems_at(ds, "บัญชี LINE", 3) == [("linked_at", "อ่านวันที่ไม่ได้: \"เมื่อวาน\" "
                                                              "(ใช้รูปแบบ วัน/เดือน/ปี เช่น 15/01/2569)")]
    assert ds.links["OF-02"].linked_at is None


def test_a_checkbox_reads_as_the_text_it_shows_in_every_tab():
    # Google Sheets and Excel show a boolean cell as TRUE / FALSE; a ใช้งาน checkbox is yes / no.
    ds = load_dataset(tiny_with(officers={(0, "active"): False, (2, "active"): True, (1, "register_code"): True},
                                funds={(0, "village_no"): True}, loans={(0, "amount"): False}), Layout(), TODAY)
    assert not ds.officers["OF-01"].active and ds.officers["OF-03"].active
    assert ds.officers["OF-02"].register_code == "TRUE"
    assert problems_at(ds, "กองทุน", 2) == [("village_no", "ต้องเป็นจำนวนเต็ม: \"TRUE\"")]
    assert problems_at(ds, "ลูกหนี้", 2) == [
        ("amount", "จำนวนเงินไม่ใช่ตัวเลข: \"FALSE\" (กรอกเป็นตัวเลข เช่น 12,500)")]
