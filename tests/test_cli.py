"""The command line of issue 2 end to end, in process: demo, check, init-sheet, and clear errors."""
import json

import openpyxl
import pytest

import cli

DATE = "2026-11-26"


@pytest.fixture(scope="module")
def demo_workbook(tmp_path_factory):
    """The Trat demo province, built once for this module by `python main.py demo`."""
    path = tmp_path_factory.mktemp("demo") / "smart-data.xlsx"
    assert cli.main(["demo", "--out", str(path), "--date", DATE, "--seed", "7"]) == 0
    return path


def test_demo_then_check_finds_every_planted_problem(demo_workbook, capsys):
    from sheets.demo import TRAT, demo_summary
    import datetime as dt

    capsys.readouterr()
    assert cli.main(["check", "--store", str(demo_workbook), "--date", DATE, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["funds_total"] == 72 and 0 < report["funds_ok"] < 72
    assert report["indicator_9_1"] == pytest.approx(report["funds_ok"] / 72, abs=1e-4)
    assert set(report["districts"]) == {"เมืองตราด", "คลองใหญ่", "เขาสมิง", "บ่อไร่", "แหลมงอบ", "เกาะกูด", "เกาะช้าง"}
    found = {(p["tab"], p["row"]) for p in report["problems"]}
    # A schedule that does not add up is reported once, at the contract's first installment row.
    found |= {(p["tab"], p["key"]) for p in report["problems"]}
    planted = demo_summary(dt.date.fromisoformat(DATE), 7, TRAT).planted
    from core.schema import TABS

    for p in planted:
        title = TABS[p.tab].title if p.tab in TABS else p.tab
        if p.problem and title != "บัญชี LINE":
            assert (title, p.row) in found or (title, p.key) in found, p.description
    # The check rewrote its own tab and nothing else.
    book = openpyxl.load_workbook(demo_workbook, read_only=True)
    assert "ตรวจสอบข้อมูล" in book.sheetnames
    first = next(book["ตรวจสอบข้อมูล"].iter_rows(values_only=True))
    assert first[0] == "ตัวชี้วัด 9.1"


def test_check_prints_a_thai_summary_worst_first(demo_workbook, capsys):
    assert cli.main(["check", "--store", str(demo_workbook), "--date", DATE, "--no-write"]) == 0
    out = capsys.readouterr().out
    assert "ตัวชี้วัด 9.1" in out and "กองทุนที่ต้องแก้ไข" in out and "26 พ.ย. 2569" in out


def test_init_sheet_lays_the_template_then_adds_nothing(tmp_path, capsys):
    path = tmp_path / "new.xlsx"
    assert cli.main(["init-sheet", "--store", str(path), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert any("สร้างแท็บ ลูกหนี้" in a for a in first["actions"])
    assert cli.main(["init-sheet", "--store", str(path)]) == 0
    assert "ครบแล้ว" in capsys.readouterr().out
    book = openpyxl.load_workbook(path)
    assert book["ลูกหนี้"].freeze_panes == "A2"
    assert [c.value for c in book["ลูกหนี้"][1]][:3] == ["เลขที่สัญญา", "รหัสกองทุน", "ชื่อ-สกุลผู้ยืม"]


def test_a_missing_workbook_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["check", "--store", str(tmp_path / "nope.xlsx")]) == 3
    err = capsys.readouterr().err
    assert "ไม่พบไฟล์" in err and "python main.py demo" in err


def test_a_bad_store_spec_and_a_bad_setting_are_named(tmp_path, capsys):
    assert cli.main(["check", "--store", str(tmp_path / "data.csv")]) == 3
    assert ".xlsx" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("province: ตราด\nalerts:\n  before_due: [3]\n", encoding="utf-8")
    assert cli.main(["check", "--config", str(bad)]) == 2
    assert "'alerts.before_due'" in capsys.readouterr().err


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for name in ("demo", "check", "init-sheet", "remind", "simulate", "report", "chat", "serve"):
        assert name in out


def test_a_buddhist_era_date_is_read_as_such_with_a_note(demo_workbook, capsys):
    capsys.readouterr()
    assert cli.main(["check", "--store", str(demo_workbook), "--date", "2569-11-26", "--json", "--no-write"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["date"] == "2026-11-26"
    assert "พ.ศ." in captured.err and "2026-11-26" in captured.err


@pytest.mark.parametrize("argv, words", [
    (["check", "--bogus"], ["ข้อผิดพลาด", "error", "--bogus"]),
    (["nonsense"], ["ไม่มีคำสั่ง", "invalid choice"]),
    (["check", "--date", "2026-13-01"], ["วันที่ต้องอยู่ในรูป", "YYYY-MM-DD"]),
])
def test_argparse_speaks_thai_and_english(argv, words, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


def test_a_bad_timezone_is_one_line_naming_the_key(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text("province: ตราด\ntimezone: Asia/Bangkk\n", encoding="utf-8")
    assert cli.main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "'timezone'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
