"""One config loader: defaults, config.yaml, environment overrides, validation."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = ROOT / "config.yaml"


class ConfigError(Exception):
    """A setting is unknown, of the wrong type or missing; the message names it."""


class _Required:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED: Any = _Required()

# The shape of config.yaml: every key with its default. The default's type is the
# key's type (a list's first element gives the element type).
DEFAULTS: dict[str, Any] = {
    "province": REQUIRED,
    "timezone": "Asia/Bangkok",
    "store": "data/smart-data.xlsx",
    "outbox": "data/outbox.jsonl",
    "headers": {},
    "quality": {
        "bank_max_age_days": 90,
        "summary_max_age_days": 180,
        "row_max_age_days": 180,
        "committee_term_years": 4,
    },
    "rules": {"max_term_years": 3},
    "ledger": {"watch_days": 15, "bucket_bounds": [30, 90], "par_days": 30},
    "alerts": {
        "before_due_days": [7, 1],
        "overdue_days": [1, 7, 15, 30],
        "overdue_repeat_days": 30,
        "catch_up_days": 14,
        "province_daily": False,
        "items_per_bubble": 8,
        "digest_weekdays": [1, 4],
    },
    "line": {
        "api_url": "https://api.line.me",
        "api_data_url": "https://api-data.line.me",
        "monthly_quota": 300,
        "timeout_seconds": 10.0,
        "max_tries": 3,
    },
    "sheets": {
        "api_url": "https://sheets.googleapis.com",
        "timeout_seconds": 30.0,
        "max_tries": 5,
        "backoff_seconds": 1.0,
        "backoff_max_seconds": 32.0,
    },
    "storage": {
        "api_url": "https://storage.googleapis.com",
        "timeout_seconds": 10.0,
        "max_tries": 4,
        "backoff_seconds": 0.5,
        "backoff_max_seconds": 8.0,
    },
    # Google Drive (sheets/drive.py): documents sent in LINE go under `folder_id`, a folder of a shared
    # drive (a service account has no Drive storage); empty = local files (the embedded default).
    "drive": {"api_url": "https://www.googleapis.com", "timeout_seconds": 30.0, "max_tries": 4, "folder_id": ""},
    # Documents sent in LINE (chat/documents.py): larger files are refused; without drive.folder_id
    # they are kept under `directory`.
    "documents": {"max_bytes": 10 * 1024 * 1024, "directory": "data/documents"},
    # Atomic "once only" claims (a repayment's ref, the day's alert run): a Cloud Storage bucket
    # shared by every instance when set, else files in `directory` (the embedded default).
    "claims": {"bucket": "", "prefix": "claims/", "directory": "data/claims"},
    # Parsed snapshots keyed by the sheet's revision (sheets/snapshot.py): kept in `bucket` (blank: the
    # claims bucket; none: files in `directory`, blank: data/snapshots beside a workbook, the temporary
    # directory for Google Sheets), and a copy in the instance's `local_directory` (blank: the system's
    # temporary directory, /tmp on Cloud Functions). `enabled: false` reads and parses every time.
    "snapshot": {"enabled": True, "bucket": "", "prefix": "snapshots/", "directory": "", "local_directory": ""},
    # The alert log's older rows moved out of the spreadsheet, a week at a time (reminders/archive.py):
    # once the log holds more than `from_rows` rows (0: never), the rows dated before the Monday on or
    # before `keep_days` ago (at least alerts.catch_up_days) go to CSV files in `bucket` (blank: the
    # claims bucket) under `prefix`, or without a bucket in `directory`.
    "archive": {"from_rows": 50_000, "keep_days": 21, "bucket": "", "prefix": "alert-log/",
                "directory": "data/alert-log-archive"},
    "chat": {"cache_seconds": 60, "list_limit": 10, "register_max_tries_per_hour": 5, "budget_seconds": 1.5},
    # The paper documents (docs/report.md): the meeting PDF, collection sheets, notice letters.
    "report": {
        "office_name": "สำนักงานพัฒนาชุมชนจังหวัดตราด",
        # Who signs the meeting report; a blank name leaves a dotted line to sign and write on.
        "signatures": [
            {"role": "ผู้รายงาน", "name": "", "position": "นักวิชาการพัฒนาชุมชน"},
            {"role": "ผู้ตรวจ", "name": "", "position": "ผู้อำนวยการกลุ่มงานส่งเสริมการพัฒนาชุมชน"},
        ],
        "drive_folder_id": "",      # a Google Drive folder for the files; blank = data/reports/ on this machine
        "attention_funds": 10,      # funds listed under "กองทุนที่ต้องติดตาม", each way
    },
    "notices": {
        "ref_prefix": "กข.คจ.",     # the letter's "ที่": ที่ <prefix> <fund id>/<running number>
        "min_days": 30,             # a borrower gets a letter once this many days overdue
        "min_gap_days": 15,         # no second letter to the same contract sooner than this
        "pay_within_days": 15,      # the date the letter asks payment by: issue date + this
        # Spaces between phrases are where a line may break (Thai runs its words together).
        "what_to_do": ("โดยนำเงินไปชำระคืน ต่อคณะกรรมการกองทุน กข.คจ. หมู่บ้าน และรับใบรับคืนเงินยืม ทุกครั้ง "
                       "หากท่านชำระแล้ว หรือมีเหตุขัดข้อง โปรดแจ้งคณะกรรมการ หรือเจ้าหน้าที่พัฒนาชุมชนอำเภอ"),
        "final_text": ("หนังสือฉบับนี้ เป็นการแจ้งเตือนครั้งที่ {n} หากพ้นกำหนดแล้ว ท่านยังไม่ชำระ "
                       "คณะกรรมการจะพิจารณา ดำเนินการตามสัญญายืมเงิน ต่อไป"),
        "final_from": 3,            # from this notice on, the letter adds final_text
    },
}

# What differs per deployment can come from the environment.
ENV_OVERRIDES: dict[str, str] = {
    "KKC_STORE": "store",
    "KKC_OUTBOX": "outbox",
    "KKC_TIMEZONE": "timezone",
    "KKC_SHEETS_API_URL": "sheets.api_url",
    "KKC_LINE_API_URL": "line.api_url",
    "KKC_LINE_API_DATA_URL": "line.api_data_url",
    "KKC_LINE_MONTHLY_QUOTA": "line.monthly_quota",
    "KKC_CACHE_SECONDS": "chat.cache_seconds",
    "KKC_STORAGE_API_URL": "storage.api_url",
    "KKC_CLAIMS_BUCKET": "claims.bucket",
    "KKC_CLAIMS_DIR": "claims.directory",
    "KKC_ARCHIVE_BUCKET": "archive.bucket",
    "KKC_ARCHIVE_DIR": "archive.directory",
    "KKC_SNAPSHOTS": "snapshot.enabled",
    "KKC_SNAPSHOT_BUCKET": "snapshot.bucket",
    "KKC_SNAPSHOT_DIR": "snapshot.directory",
    "KKC_SNAPSHOT_LOCAL_DIR": "snapshot.local_directory",
    "KKC_DRIVE_FOLDER_ID": "report.drive_folder_id",
    "KKC_DRIVE_API_URL": "drive.api_url",
}

_TYPE_NAMES = {str: "ข้อความ (text)", int: "จำนวนเต็ม (integer)", float: "ตัวเลข (number)",
               bool: "true/false", list: "รายการ (list)", dict: "กลุ่มค่า (mapping)"}


class Section:
    """Read-only attribute access to a validated mapping: cfg.alerts.before_due_days."""

    def __init__(self, values: Mapping[str, Any], path: str = ""):
        self._values = dict(values)
        self._path = path

    def __getattr__(self, name: str) -> Any:
        try:
            value = self._values[name]
        except KeyError:
            raise AttributeError(f"no setting {self._path}{name}") from None
        if isinstance(value, dict) and name != "headers":
            return Section(value, f"{self._path}{name}.")
        return value

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)


@dataclass(frozen=True)
class Config:
    """The validated settings plus where they came from."""

    values: Section
    path: Path

    def __getattr__(self, name: str) -> Any:
        return getattr(self.values, name)

    def header_overrides(self, tab_key: str) -> dict[str, str]:
        return dict(self.values.headers.get(tab_key, {}))


def _coerce(key: str, default: Any, value: Any, from_env: bool) -> Any:
    if default is REQUIRED:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"ค่าตั้ง '{key}' ต้องเป็นข้อความที่ไม่ว่าง (setting '{key}' must be non-empty text)")
        return value
    expected = type(default)
    if from_env and expected is not str:
        value = yaml.safe_load(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
    if not ok:
        raise ConfigError(
            f"ค่าตั้ง '{key}' ต้องเป็น{_TYPE_NAMES.get(expected, expected.__name__)} แต่ได้ {value!r} "
            f"(setting '{key}' must be {expected.__name__}, got {type(value).__name__})"
        )
    if expected is list and default:
        item_type = type(default[0])
        for item in value:
            if not isinstance(item, item_type) or isinstance(item, bool):
                raise ConfigError(
                    f"ค่าตั้ง '{key}' ต้องเป็นรายการของ{_TYPE_NAMES[item_type]} แต่มี {item!r} "
                    f"(setting '{key}' must be a list of {item_type.__name__})"
                )
    return value


def _merge(defaults: dict[str, Any], given: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        key = prefix + str(unknown[0])
        raise ConfigError(f"ไม่รู้จักค่าตั้ง '{key}' (unknown setting '{key}')")
    merged: dict[str, Any] = {}
    for name, default in defaults.items():
        key = prefix + name
        if isinstance(default, dict) and name != "headers":
            sub = given.get(name, {})
            if not isinstance(sub, dict):
                raise ConfigError(f"ค่าตั้ง '{key}' ต้องเป็นกลุ่มค่า (setting '{key}' must be a mapping)")
            merged[name] = _merge(default, sub, key + ".")
        elif name in given:
            merged[name] = _coerce(key, default, given[name], from_env=False)
        elif default is REQUIRED:
            raise ConfigError(f"ขาดค่าตั้ง '{key}' ที่จำเป็น (missing required setting '{key}')")
        else:
            merged[name] = default
    return merged


def _validate_headers(headers: Any) -> None:
    from core.schema import TABS  # late: schema does not depend on config

    if not isinstance(headers, dict):
        raise ConfigError("ค่าตั้ง 'headers' ต้องเป็นกลุ่มค่า (setting 'headers' must be a mapping)")
    for tab_key, renames in headers.items():
        if tab_key not in TABS:
            raise ConfigError(f"ไม่รู้จักแท็บ 'headers.{tab_key}' (unknown tab 'headers.{tab_key}')")
        if not isinstance(renames, dict):
            raise ConfigError(f"ค่าตั้ง 'headers.{tab_key}' ต้องเป็นกลุ่มค่า (must be a mapping)")
        known = {c.key for c in TABS[tab_key].columns}
        for col, header in renames.items():
            key = f"headers.{tab_key}.{col}"
            if col not in known:
                raise ConfigError(f"ไม่รู้จักคอลัมน์ '{key}' (unknown column '{key}')")
            if not isinstance(header, str) or not header.strip():
                raise ConfigError(f"ค่าตั้ง '{key}' ต้องเป็นข้อความที่ไม่ว่าง (must be non-empty text)")


def _set_path(values: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = values
    for part in parents:
        node = node[part]
    node[last] = value


def _default_at(dotted: str) -> Any:
    node: Any = DEFAULTS
    for part in dotted.split("."):
        node = node[part]
    return node


def load_config(path: str | os.PathLike[str] | None = None,
                env: Mapping[str, str] | None = None,
                overrides: Mapping[str, Any] | None = None) -> Config:
    """Load and validate settings. `overrides` (dotted keys) are for tests."""
    env = os.environ if env is None else env
    path = Path(path or env.get("KKC_CONFIG") or DEFAULT_CONFIG_PATH)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"ไม่พบไฟล์ค่าตั้ง {path} (config file not found)") from None
    try:
        given = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"อ่านไฟล์ค่าตั้ง {path} ไม่ได้: {exc}") from None
    if not isinstance(given, dict):
        raise ConfigError(f"ไฟล์ค่าตั้ง {path} ต้องเป็นกลุ่มค่า key: value")
    values = _merge(DEFAULTS, given, "")
    _validate_headers(values["headers"])
    for var, dotted in ENV_OVERRIDES.items():
        if env.get(var):
            try:
                coerced = _coerce(dotted, _default_at(dotted), env[var], from_env=True)
            except ConfigError as exc:
                raise ConfigError(f"{exc} [from environment variable {var}]") from None
            _set_path(values, dotted, coerced)
    for dotted, value in (overrides or {}).items():
        _default_at(dotted)  # KeyError for a typo in a test
        _set_path(values, dotted, value)
    _check_ranges(values)
    return Config(Section(values), path)


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"ค่าตั้ง 'timezone' ไม่รู้จักเขตเวลา {name!r} เช่น Asia/Bangkok "
                          f"(setting 'timezone': unknown time zone {name!r}, e.g. Asia/Bangkok)") from None


def _check_ranges(values: dict[str, Any]) -> None:
    def positive(dotted: str) -> None:
        node: Any = values
        for part in dotted.split("."):
            node = node[part]
        if node <= 0:
            raise ConfigError(f"ค่าตั้ง '{dotted}' ต้องมากกว่า 0 (setting '{dotted}' must be > 0)")

    for dotted in ("alerts.overdue_repeat_days", "line.max_tries", "sheets.max_tries",
                   "line.timeout_seconds", "sheets.timeout_seconds",
                   "storage.timeout_seconds", "storage.max_tries", "drive.timeout_seconds", "drive.max_tries",
                   "documents.max_bytes",
                   "alerts.items_per_bubble", "chat.list_limit", "chat.budget_seconds"):
        positive(dotted)
    for dotted in ("alerts.before_due_days", "alerts.overdue_days"):
        section, key = dotted.split(".")
        if any(d <= 0 for d in values[section][key]):
            raise ConfigError(f"ค่าตั้ง '{dotted}' ต้องเป็นจำนวนวันที่มากกว่า 0")
    _check_timezone(values["timezone"])
    _check_signatures(values["report"]["signatures"])
    for dotted in ("report.attention_funds", "notices.min_days", "notices.min_gap_days",
                   "notices.pay_within_days", "notices.final_from"):
        positive(dotted)
    if values["archive"]["from_rows"] < 0:
        raise ConfigError("ค่าตั้ง 'archive.from_rows' ต้องไม่ติดลบ (0 = ไม่ย้าย) "
                          "(setting 'archive.from_rows' must be >= 0)")
    if values["archive"]["keep_days"] < values["alerts"]["catch_up_days"]:
        raise ConfigError(f"ค่าตั้ง 'archive.keep_days' ต้องไม่น้อยกว่า alerts.catch_up_days "
                          f"({values['alerts']['catch_up_days']} วัน): รอบแจ้งเตือนย้อนดูบันทึกได้ไกลเท่านั้น "
                          f"(setting 'archive.keep_days' must be at least alerts.catch_up_days)")
    weekdays = sorted(set(values["alerts"]["digest_weekdays"]))
    if any(not 1 <= d <= 7 for d in weekdays):
        raise ConfigError("ค่าตั้ง 'alerts.digest_weekdays' ต้องเป็นวันในสัปดาห์ 1 (จันทร์) ถึง 7 (อาทิตย์) "
                          "(setting 'alerts.digest_weekdays' takes ISO weekdays 1-7)")
    if weekdays:
        gap = max((b - a) % 7 or 7 for a, b in zip(weekdays, weekdays[1:] + weekdays[:1]))
        if values["alerts"]["catch_up_days"] < gap - 1:
            raise ConfigError(f"ค่าตั้ง 'alerts.catch_up_days' ต้องไม่น้อยกว่า {gap - 1} วัน "
                              f"(ช่วงห่างที่ยาวที่สุดระหว่างวันส่งสรุป) "
                              f"(setting 'alerts.catch_up_days' must cover the longest gap between digest days)")


SIGNATURE_KEYS = ("role", "name", "position")


def _check_signatures(signatures: list[Any]) -> None:
    """report.signatures: each a mapping of role, name and position (texts; the role not blank)."""
    for n, item in enumerate(signatures, start=1):
        key = f"report.signatures[{n}]"
        if not isinstance(item, dict):
            raise ConfigError(f"ค่าตั้ง '{key}' ต้องเป็นกลุ่มค่า role, name, position (setting '{key}' must be a mapping)")
        unknown = sorted(set(item) - set(SIGNATURE_KEYS))
        if unknown:
            raise ConfigError(f"ไม่รู้จักค่าตั้ง '{key}.{unknown[0]}' ใช้ได้เฉพาะ role, name, position "
                              f"(unknown setting '{key}.{unknown[0]}')")
        if not all(isinstance(item.get(k, ""), str) for k in SIGNATURE_KEYS) or not str(item.get("role", "")).strip():
            raise ConfigError(f"ค่าตั้ง '{key}' ต้องมี role (ไม่ว่าง) และ name, position เป็นข้อความ "
                              f"(setting '{key}' needs a role, and text name and position)")
