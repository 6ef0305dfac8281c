"""config.yaml is validated at start: one clear message naming the bad key."""
import pytest

from core.config import ConfigError, load_config


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repository_config_loads_with_its_defaults():
    config = load_config(env={})
    assert config.province == "ตราด"
    assert config.alerts.before_due_days == [7, 1]
    assert config.line.monthly_quota == 300
    assert config.store == "data/smart-data.xlsx"


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    config = load_config(write(tmp_path, "province: ตราด\n"), env={})
    assert config.quality.bank_max_age_days == 90
    assert config.chat.cache_seconds == 60


@pytest.mark.parametrize("text, key", [
    ("province: ตราด\nalerts:\n  before_due: [7]\n", "alerts.before_due"),      # unknown key
    ("province: ตราด\nfoo: 1\n", "foo"),
    ("province: ตราด\nline:\n  monthly_quota: many\n", "line.monthly_quota"),   # wrong type
    ("province: ตราด\nalerts:\n  overdue_days: [1, x]\n", "alerts.overdue_days"),
    ("province: ตราด\nalerts:\n  province_daily: 1\n", "alerts.province_daily"),
    ("timezone: Asia/Bangkok\n", "province"),                                   # missing required
    ("province: ตราด\nheaders:\n  funds:\n    capitall: x\n", "headers.funds.capitall"),
    ("province: ตราด\nheaders:\n  fundz: {}\n", "headers.fundz"),
    ("province: ตราด\nalerts:\n  overdue_repeat_days: 0\n", "alerts.overdue_repeat_days"),
    ("province: ตราด\nquality: 5\n", "quality"),
])
def test_a_bad_setting_is_named(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env={})
    assert f"'{key}'" in str(err.value)


def test_environment_overrides_what_differs_per_deployment(tmp_path):
    path = write(tmp_path, "province: ตราด\n")
    config = load_config(path, env={"KKC_STORE": "gsheet:abc", "KKC_LINE_MONTHLY_QUOTA": "15000",
                                    "KKC_SHEETS_API_URL": "http://127.0.0.1:9"})
    assert config.store == "gsheet:abc"
    assert config.line.monthly_quota == 15000
    assert config.sheets.api_url == "http://127.0.0.1:9"


def test_a_bad_environment_value_names_the_variable(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "province: ตราด\n"), env={"KKC_LINE_MONTHLY_QUOTA": "lots"})
    assert "KKC_LINE_MONTHLY_QUOTA" in str(err.value) and "line.monthly_quota" in str(err.value)


def test_missing_file_and_broken_yaml_are_clear(tmp_path):
    with pytest.raises(ConfigError, match="ไม่พบไฟล์ค่าตั้ง"):
        load_config(tmp_path / "nope.yaml", env={})
    with pytest.raises(ConfigError, match="อ่านไฟล์ค่าตั้ง"):
        load_config(write(tmp_path, "province: [unclosed\n"), env={})


def test_header_renames_are_accepted(tmp_path):
    config = load_config(write(tmp_path, "province: ตราด\nheaders:\n  funds:\n    capital: เงินทุนหมุนเวียน\n"),
                         env={})
    assert config.header_overrides("funds") == {"capital": "เงินทุนหมุนเวียน"}


@pytest.mark.parametrize("zone", ["Asia/Bangkk", "Bangkok", "../etc/passwd"])
def test_an_unknown_timezone_names_the_key(tmp_path, zone) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"province: ตราด\ntimezone: {zone}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert "'timezone'" in str(caught.value) and zone in str(caught.value)
