"""The command line: a thin layer over the library. `python main.py --help` lists the commands."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from core.config import ROOT, Config, ConfigError, load_config
from core.thai import BE_OFFSET, date_th, to_arabic_digits, today_in
from sheets.readers import BE_YEAR_FROM
from sheets.store import StoreError

DESCRIPTION = """กข.คจ. Care — ระบบข้อมูล กข.คจ. TRAT Smart Data และ LINE แจ้งเตือนลูกหนี้
(Trat poverty-alleviation fund data system and LINE bot)

ทุกคำสั่งรับ --store (ไฟล์ .xlsx หรือ gsheet:<รหัสสเปรดชีต>) และ --config (ไฟล์ค่าตั้ง)"""


@dataclass
class Command:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Config], int]


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a subcommand: the table the parser is built from."""
    def register(run: Callable[[argparse.Namespace, Config], int]):
        COMMANDS[name] = Command(help, add_arguments, run)
        return run
    return register


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD; a Buddhist-era year (2569-12-01) is read as B.E., with a note on stderr."""
    parts = to_arabic_digits(text.strip()).split("-")
    try:
        year, month, day_no = (int(p) for p in parts)
        buddhist = year >= BE_YEAR_FROM
        day = dt.date(year - BE_OFFSET if buddhist else year, month, day_no)
    except ValueError:
        raise argparse.ArgumentTypeError(f"วันที่ต้องอยู่ในรูป YYYY-MM-DD เช่น 2026-11-26 หรือ 2569-11-26: {text!r} "
                                         f"(a date is YYYY-MM-DD)") from None
    if buddhist:
        print(f"หมายเหตุ: อ่าน {text} เป็นปี พ.ศ. = {date_th(day)} (ค.ศ. {day.isoformat()})", file=sys.stderr)
    return day


def run_date(args: argparse.Namespace, config: Config) -> dt.date:
    return args.date or today_in(config.timezone)


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


class Progress:
    """Progress on stderr, so that --json output stays clean. Quiet by default: on a terminal one
    line that is rewritten in place (long work shows it is moving), nothing when stderr is a file or
    a pipe; every step on its own line with --verbose."""

    def __init__(self) -> None:
        self.verbose = False
        self._shown = 0

    def __call__(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr, flush=True)
        elif sys.stderr.isatty():
            line = message[:100]
            print("\r" + line.ljust(self._shown), end="", file=sys.stderr, flush=True)
            self._shown = len(line)

    def done(self) -> None:
        if self._shown:
            print("\r" + " " * self._shown + "\r", end="", file=sys.stderr, flush=True)
            self._shown = 0


progress = Progress()


# -- commands ------------------------------------------------------------------
def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=None, help="ไฟล์ .xlsx ที่จะสร้าง (ค่าเริ่มต้น: ที่เก็บข้อมูลในค่าตั้ง)")
    p.add_argument("--seed", type=int, default=2569, help="เลขสุ่มตั้งต้น: เลขเดิมได้ข้อมูลเดิม")
    p.add_argument("--if-missing", action="store_true", help="สร้างเฉพาะเมื่อยังไม่มีไฟล์ (ไม่ทับข้อมูลเดิม)")


@command("demo", "สร้างสมุดงานตัวอย่างจังหวัดตราด (72 กองทุน 1,538 สัญญา) สำหรับทดลองและฝึกอบรม", _demo_args)
def cmd_demo(args: argparse.Namespace, config: Config) -> int:
    from sheets.demo import TRAT, build_demo

    out = args.out or _local_store_path(config)
    if args.if_missing and out.exists():
        print(f"ใช้ข้อมูลเดิมใน {out} (มีอยู่แล้ว; ลบไฟล์หรือใช้ --out เพื่อสร้างใหม่)")
        return 0
    summary = build_demo(out, run_date(args, config), seed=args.seed, scale=TRAT, progress=progress)
    print(summary.as_text())
    return 0


def _local_store_path(config: Config) -> Path:
    spec = config.store
    if spec.startswith("gsheet:"):
        raise StoreError("คำสั่ง demo เขียนได้เฉพาะไฟล์ .xlsx: ใช้ --out PATH (demo writes an .xlsx file only)")
    path = Path(spec)
    return path if path.is_absolute() else ROOT / path


def _check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-write", action="store_true", help="ไม่เขียนแท็บ ตรวจสอบข้อมูล (อ่านอย่างเดียว)")


@command("check", "ตรวจสอบข้อมูล: ครบถ้วน ถูกต้อง เป็นปัจจุบัน รายกองทุน และตัวชี้วัด 9.1", _check_args)
def cmd_check(args: argparse.Namespace, config: Config) -> int:
    from sheets.check import blocking_lines, quality_tab_rows, run_check, summary_text
    from sheets.model import read_dataset
    from sheets.store import Layout
    from sheets.open import open_store

    today = run_date(args, config)
    store = open_store(args.store, config)
    ds = read_dataset(store, Layout(config), today, config.rules.max_term_years)
    report = run_check(ds, config, today)
    if not args.no_write:
        store.rewrite("quality", quality_tab_rows(report))
    if args.json:
        for line in blocking_lines(report):  # a missing column is said at the console too, always
            print(line, file=sys.stderr)
        print_json(report.as_json())
    else:
        print(summary_text(report))
        if not args.no_write:
            print(f"\nบันทึกผลในแท็บ ตรวจสอบข้อมูล ของ {store.description} แล้ว")
    return 0


@command("init-sheet", "วางแม่แบบลงในสเปรดชีตหรือสมุดงาน: ทุกแท็บ หัวตาราง รายการเลือก รูปแบบ (ไม่ลบข้อมูลเดิม)")
def cmd_init_sheet(args: argparse.Namespace, config: Config) -> int:
    from sheets.store import Layout
    from sheets.open import open_store
    from sheets.template import templates

    store = open_store(args.store, config)
    actions = store.init_template(templates(Layout(config)))
    if args.json:
        print_json({"store": store.description, "actions": actions})
        return 0
    if actions:
        print(f"วางแม่แบบใน {store.description}:")
        for action in actions:
            print(f"  • {action}")
    else:
        print(f"แม่แบบใน {store.description} ครบแล้ว ไม่มีอะไรต้องเพิ่ม")
    return 0


def _month_arg(text: str) -> tuple[int, int]:
    from report.monthly import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", type=_month_arg, default=None,
                   help="เดือนของรายงาน YYYY-MM เช่น 2026-10 (ค่าเริ่มต้น: เดือนที่เพิ่งจบ นับจาก --date)")
    p.add_argument("--out", type=Path, default=None,
                   help="ไฟล์ .xlsx สำหรับการประชุม (ค่าเริ่มต้น: data/reports/report-YYYY-MM.xlsx)")
    p.add_argument("--pdf", nargs="?", const=True, default=False, type=Path, metavar="FILE.pdf",
                   help="ทำรายงาน PDF สำหรับการประชุมด้วย (ค่าเริ่มต้น: data/reports/report-YYYY-MM.pdf)")


@command("report", "รายงานประจำเดือน (แบบ 26(2) รายอำเภอ, 26(1) รายกองทุน, ค้างชำระ, PAR30, ตัวชี้วัด 9.1): "
                   "เขียนแท็บและไฟล์ .xlsx (สรุปทาง LINE ไปกับ remind)", _report_args)
def cmd_report(args: argparse.Namespace, config: Config) -> int:
    from report.job import run_monthly_report
    from sheets.open import open_store

    today = run_date(args, config)
    year, month = args.month or (None, None)
    store = open_store(args.store, config)
    try:
        run = run_monthly_report(store, config, today, year=year, month=month, out=args.out, progress=progress,
                                 pdf=args.pdf)
    except ValueError as exc:  # a month that has not started yet
        print(f"ทำรายงานไม่ได้: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print_json(run.as_json())
    else:
        print(run.as_text(config.province))
    return 0


def _collection_args(p: argparse.ArgumentParser) -> None:
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--fund", metavar="ID", help="รหัสกองทุน เช่น 230101-01")
    which.add_argument("--district", metavar="NAME", help="ทุกกองทุนของอำเภอ เช่น เมืองตราด")
    p.add_argument("--month", type=_month_arg, default=None, help="เดือน YYYY-MM (ค่าเริ่มต้น: เดือนของ --date)")
    p.add_argument("--out", type=Path, default=None,
                   help="ไฟล์ PDF (ค่าเริ่มต้น: data/reports/collection-<กองทุนหรืออำเภอ>-YYYY-MM.pdf)")


@command("collection-sheet", "ใบติดตามการรับชำระ (PDF หนึ่งกองทุนต่อหน้า): ผู้ยืมที่ครบกำหนดและค้างชำระในเดือน "
                             "พร้อมช่องจำนวนเงินที่รับ เลขที่ใบรับเงิน และลายมือชื่อ", _collection_args)
def cmd_collection_sheet(args: argparse.Namespace, config: Config) -> int:
    from report.paper import PaperError, run_collection_sheets
    from sheets.open import open_store

    today = run_date(args, config)
    year, month = args.month or (today.year, today.month)
    try:
        run = run_collection_sheets(open_store(args.store, config), config, today, year, month,
                                    fund=args.fund, district=args.district, out=args.out)
    except PaperError as exc:
        print(f"ทำใบติดตามไม่ได้: {exc}", file=sys.stderr)
        return 2
    print_json(run.as_json()) if args.json else print(run.as_text())
    return 0


def _notices_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", required=True, metavar="NAME", help="อำเภอ เช่น เมืองตราด")
    p.add_argument("--min-days", type=int, default=None,
                   help="เกินกำหนดอย่างน้อยกี่วันจึงออกหนังสือ (ค่าเริ่มต้น: notices.min_days ในค่าตั้ง, 30)")
    p.add_argument("--dry-run", action="store_true", help="แสดงว่าใครจะได้หนังสือ ไม่ทำไฟล์และไม่บันทึก")
    p.add_argument("--out", type=Path, default=None,
                   help="ไฟล์ PDF (ค่าเริ่มต้น: data/reports/notices-<อำเภอ>-YYYY-MM-DD.pdf)")
    p.add_argument("--by", default="", metavar="OFFICER_ID", help="ผู้ออกหนังสือ (บันทึกในแท็บ หนังสือแจ้งเตือน)")


@command("notices", "หนังสือแจ้งเตือนผู้ยืมที่ค้างชำระ (PDF หนึ่งฉบับต่อราย) ครั้งที่ 1/2/3 ตามที่ออกไปแล้ว "
                    "และบันทึกในแท็บ หนังสือแจ้งเตือน", _notices_args)
def cmd_notices(args: argparse.Namespace, config: Config) -> int:
    from core.thai import now_in
    from report.paper import PaperError, run_notices
    from sheets.open import open_store

    try:
        run = run_notices(open_store(args.store, config), config, run_date(args, config), now_in(config.timezone),
                          district=args.district, min_days=args.min_days, dry_run=args.dry_run, out=args.out,
                          issued_by=args.by)
    except PaperError as exc:
        print(f"ออกหนังสือแจ้งเตือนไม่ได้: {exc}", file=sys.stderr)
        return 2
    print_json(run.as_json()) if args.json else print(run.as_text())
    return 0


def _chat_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as", dest="as_officer", required=True, metavar="OFFICER_ID",
                   help="คุยในฐานะเจ้าหน้าที่รหัสนี้ (เช่น TRT-01) เห็นข้อมูลเท่าที่เจ้าหน้าที่คนนั้นเห็น")
    p.add_argument("--say", action="append", metavar="ข้อความ",
                   help="ส่งข้อความนี้แล้วจบ (ใส่ซ้ำได้ เช่น --say 'ชำระ ... 500' --say 1 เพื่อกดปุ่มที่ 1)")


@command("chat", "คุยกับบอต กข.คจ. Care ในเทอร์มินัล (ไม่ต้องมี LINE): คำสั่งและคำตอบเดียวกับใน LINE", _chat_args)
def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from chat.terminal import run_chat
    from handlers.runtime import terminal_runtime
    from sheets.open import open_snapshots, open_store

    runtime = terminal_runtime(config, open_store(args.store, config), args.date,
                               open_snapshots(config, spec=args.store))
    try:
        return run_chat(args.as_officer, runtime.conversation, say=args.say)
    finally:
        runtime.snapshots.settle()  # the parts being published, before the process ends


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8080, help="พอร์ต (ค่าเริ่มต้น 8080)")
    p.add_argument("--host", default="127.0.0.1", help="ที่อยู่ที่รับคำขอ (ค่าเริ่มต้น 127.0.0.1; 0.0.0.0 = ทุกเครือข่าย)")


@command("serve", "รัน LINE webhook บนเครื่องนี้ผ่าน functions-framework (ต้องตั้ง LINE_CHANNEL_SECRET)", _serve_args)
def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    from chat.terminal import serve

    env = {"KKC_STORE": args.store} if args.store else {}
    if args.config:
        env["KKC_CONFIG"] = str(args.config)
    return serve(args.host, args.port, env)


def _setup_line_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true",
                   help="ไม่ส่งอะไรถึง LINE: เขียนรูปและ JSON ของริชเมนูไว้ดูใน data/richmenu/ (หรือ --out)")
    p.add_argument("--webhook-url", metavar="URL", help="ตั้ง webhook URL ของช่องทาง (line_webhook ที่ deploy แล้ว) "
                                                        "และให้ LINE ทดสอบเรียก")
    p.add_argument("--out", type=Path, default=None, help="โฟลเดอร์ของ --dry-run (ค่าเริ่มต้น data/richmenu)")


@command("setup-line", "ตั้งค่าช่องทาง LINE หลัง deploy: ริชเมนูตามบทบาท (สร้างใหม่ ลบชุดเก่า ผูกกับเจ้าหน้าที่) "
                       "webhook URL และดูโควตาข้อความ", _setup_line_args)
def cmd_setup_line(args: argparse.Namespace, config: Config) -> int:
    from chat.setup_line import run_setup_line

    return run_setup_line(config, args.store, run_date(args, config), dry_run=args.dry_run,
                          webhook_url=args.webhook_url, out=args.out or ROOT / "data" / "richmenu",
                          as_json=args.json, progress=progress)


def _remind_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true",
                   help="ทดลอง: แสดงว่าจะส่งอะไรถึงใคร โดยไม่ส่งและไม่บันทึก")
    p.add_argument("--digest", action="store_true",
                   help="ส่งสรุปวันนี้แม้ไม่ใช่วันส่งสรุป (alerts.digest_weekdays) เช่น ตอนเริ่มใช้หรือสาธิต")


@command("remind", "ส่งสรุปงวดที่ใกล้ครบกำหนดและเกินกำหนดถึงเจ้าหน้าที่ทาง LINE (คนละไม่เกินหนึ่งข้อความต่อวัน "
                   "ไม่ส่งซ้ำ) และบันทึกในแท็บ บันทึกการแจ้งเตือน", _remind_args)
def cmd_remind(args: argparse.Namespace, config: Config) -> int:
    from core.thai import now_in
    from messaging.factory import make_messenger
    from messaging.outbox import OutboxMessenger
    from reminders.job import run_reminders
    from report.job import sheet_link
    from report.notify import MonthlySummaries
    from sheets.open import open_archive, open_claims, open_store

    store = open_store(args.store, config)
    messenger = make_messenger(config, echo=args.verbose)
    if isinstance(messenger, OutboxMessenger) and args.json:
        messenger.stream = sys.stderr  # keep stdout for the JSON
    claims = open_claims(config)
    summary = run_reminders(store, messenger, config, run_date(args, config), now_in(config.timezone),
                            claims=claims, dry_run=args.dry_run, progress=progress,
                            force_digest=args.digest, attachments=MonthlySummaries(sheet_link(store)),
                            archive=open_archive(config, storage=getattr(claims, "client", None)))
    if args.json:
        print_json(summary.as_json())
    else:
        print(summary.as_text())
    return summary.exit_code  # 4 a push failed or got no answer, 5 a required column is missing, 6 busy


def _archive_log_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="ทดลอง: บอกว่าจะย้ายแถวใด โดยไม่เขียนไฟล์และไม่ลบแถว")
    p.add_argument("--all-sizes", action="store_true",
                   help="ย้ายแม้แท็บยังมีแถวไม่เกิน archive.from_rows (เช่น จังหวัดเล็กที่ต้องการย้ายปีละครั้ง)")


@command("archive-log", "ย้ายแถวเก่าของแท็บ บันทึกการแจ้งเตือน ออกไปเก็บเป็นไฟล์ CSV (รอบแจ้งเตือนทำเองสัปดาห์ละครั้ง "
                        "เมื่อแท็บมีแถวเกิน archive.from_rows) เก็บแถวที่ยังต้องใช้ไว้ในชีต", _archive_log_args)
def cmd_archive_log(args: argparse.Namespace, config: Config) -> int:
    from core.thai import local_naive, now_in
    from reminders.archive import move_old_rows
    from reminders.job import EXIT_BUSY
    from reminders.turn import take_turn
    from sheets.open import open_archive, open_claims, open_store

    store, claims = open_store(args.store, config), open_claims(config)
    today, now = run_date(args, config), now_in(config.timezone)
    sink = open_archive(config, storage=getattr(claims, "client", None))
    # The day's turn, as the alert run takes it: two moves at once could each delete the rows the
    # other's deletion moved up.
    turn = take_turn(claims, today, now) if not args.dry_run else None
    if turn is not None and turn.busy:
        print(f"วันนี้มีรอบแจ้งเตือนกำลังทำงานอยู่ (เริ่มเมื่อ {turn.busy.get('started', '')}) ลองใหม่ภายหลัง "
              f"(the day's alert run is under way)", file=sys.stderr)
        return EXIT_BUSY
    try:
        result = move_old_rows(store, sink, config, today, local_naive(now, config.timezone), force=args.all_sizes,
                               dry_run=args.dry_run)
    finally:
        if turn is not None:
            turn.release()
    if args.json:
        print_json(result.as_json())
    else:
        print(result.as_text())
    return 0


def _simulate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--month", type=_month_arg, default=None,
                   help="เดือนที่จำลอง YYYY-MM เช่น 2026-11 (ค่าเริ่มต้น: เดือนของ --date หรือเดือนนี้)")
    p.add_argument("--naive", action="store_true",
                   help="จำลองบอตแบบง่ายแทน: ส่งทุกรายที่ค้างชำระทุกวัน (ไว้เปรียบเทียบ)")


@command("simulate", "จำลองการแจ้งเตือนทั้งเดือนบนสำเนาข้อมูล (ไม่ส่งจริง ไม่บันทึก): จำนวนข้อความเทียบโควตา LINE "
                     "และความครอบคลุมของงวดที่ครบกำหนด", _simulate_args)
def cmd_simulate(args: argparse.Namespace, config: Config) -> int:
    from reminders.job import ALERT_TABS
    from reminders.simulate import simulate_month
    from sheets.model import read_dataset
    from sheets.store import Layout
    from sheets.open import open_store

    today = run_date(args, config)
    year, month = args.month or (today.year, today.month)
    store = open_store(args.store, config)
    progress(f"อ่านข้อมูลจาก {store.description} ...")
    ds = read_dataset(store, Layout(config), today, config.rules.max_term_years, tabs=ALERT_TABS)
    result = simulate_month(ds, config, year, month, naive=args.naive, progress=progress)
    if args.json:
        print_json(result.as_json())
        return 0
    print(result.as_text())
    if not args.naive:
        naive = simulate_month(ds, config, year, month, naive=True)
        print(f"เทียบกับบอตแบบง่าย (ส่งทุกรายที่ค้างทุกวัน): {naive.pushes:,} ข้อความในเดือนเดียวกัน")
    if not result.within_quota:
        print("เกินโควตาฟรีของ LINE: ลดวันส่งสรุป (alerts.digest_weekdays) หรือซื้อแพ็กเกจ "
              "(Basic 1,280 บาท/15,000 ข้อความ, Pro 1,780 บาท/35,000 ข้อความ) ดู docs/alerts.md")
    return 0


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="ไฟล์ .xlsx / .xls / .ods ของอำเภอ (หลายไฟล์ได้)")
    p.add_argument("--dry-run", action="store_true", help="ทดลอง: แสดงสิ่งที่จะเพิ่มและค่าที่ไม่ตรงกับชีต โดยไม่เขียน")
    p.add_argument("--mapping", type=Path, help="ไฟล์จับคู่คอลัมน์ (YAML) ที่แก้แล้ว จากการรันครั้งก่อน")
    p.add_argument("--mapping-out", type=Path, help="เขียนไฟล์จับคู่ที่นี่ (ค่าเริ่มต้น: ข้างไฟล์แรก <ชื่อ>.mapping.yaml)")


@command("import", "นำเข้าทะเบียนลูกหนี้และแบบ 26(1) ที่อำเภอทำไว้ (Excel รูปแบบใดก็ได้): เพิ่มเฉพาะแถวใหม่ "
                   "ไม่แก้ค่าที่มีในชีต (docs/import.md)", _import_args)
def cmd_import(args: argparse.Namespace, config: Config) -> int:
    from core.thai import now_in
    from sheets.importer.run import run_import
    from sheets.open import open_store

    return run_import(args.files, open_store(args.store, config), config, run_date(args, config),
                      now_in(config.timezone), dry_run=args.dry_run, mapping_path=args.mapping,
                      mapping_out=args.mapping_out, as_json_output=args.json)


# -- the parser ----------------------------------------------------------------
# argparse's own words in Thai with the English kept beside them. argparse looks its words up
# through gettext at run time (the module's `_`); a table here is simpler than shipping a .mo file.
ARGPARSE_WORDS: dict[str, str] = {
    "usage: ": "วิธีใช้ (usage): ",
    "positional arguments": "ค่าที่ต้องให้ (positional arguments)",
    "options": "ตัวเลือก (options)",
    "show this help message and exit": "แสดงวิธีใช้นี้แล้วจบ (show this help and exit)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ข้อผิดพลาด (error): %(message)s\n",
    "the following arguments are required: %s": "ต้องระบุ (required): %s",
    "unrecognized arguments: %s": "ไม่รู้จักตัวเลือกนี้ (unrecognized arguments): %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ไม่มีคำสั่ง %(value)r ให้เลือกจาก (invalid choice, choose from) %(choices)s",
    "expected one argument": "ต้องตามด้วยค่าหนึ่งค่า (expected one argument)",
    "expected at least one argument": "ต้องตามด้วยค่าอย่างน้อยหนึ่งค่า (expected at least one argument)",
    "expected at most one argument": "ตามด้วยค่าได้ไม่เกินหนึ่งค่า (expected at most one argument)",
    "argument %(argument_name)s: %(message)s": "ตัวเลือก %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "ค่า %(value)r ไม่ถูกต้อง (invalid %(type)s value)",
    "ambiguous option: %(option)s could match %(matches)s":
        "ตัวเลือก %(option)s กำกวม อาจหมายถึง (ambiguous option, could match) %(matches)s",
    "not allowed with argument %s": "ใช้ร่วมกับ %s ไม่ได้ (not allowed with argument %s)",
    "one of the arguments %s is required": "ต้องระบุอย่างใดอย่างหนึ่ง (one is required): %s",
}


def _thai_argparse() -> None:
    argparse._ = lambda text: ARGPARSE_WORDS.get(text, text)  # type: ignore[attr-defined]


def build_parser() -> argparse.ArgumentParser:
    _thai_argparse()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="ไฟล์ .xlsx หรือ gsheet:<รหัสสเปรดชีต> (ค่าเริ่มต้น: KKC_STORE หรือ config.yaml)")
    common.add_argument("--config", type=Path, help="ไฟล์ค่าตั้ง (ค่าเริ่มต้น: config.yaml)")
    common.add_argument("--date", type=parse_date, help="วันที่ที่ใช้คำนวณ YYYY-MM-DD (ค่าเริ่มต้น: วันนี้ เวลาไทย)")
    common.add_argument("--json", action="store_true", help="พิมพ์ผลเป็น JSON")
    common.add_argument("--verbose", "-v", action="store_true",
                        help="พิมพ์รายละเอียดทั้งหมด เช่น ข้อความที่ส่งแต่ละข้อความ (ค่าเริ่มต้น: สรุปสั้น ๆ)")
    parser = argparse.ArgumentParser(prog="python main.py", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="คำสั่ง")
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, parents=[common], help=cmd.help, description=cmd.help)
        cmd.add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    progress.verbose = bool(getattr(args, "verbose", False))
    try:
        config = load_config(args.config)
        return COMMANDS[args.command].run(args, config)
    except ConfigError as exc:
        print(f"ค่าตั้งไม่ถูกต้อง: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"ที่เก็บข้อมูลมีปัญหา: {exc}", file=sys.stderr)
        return 3
    finally:
        progress.done()
