"""The บันทึกการแจ้งเตือน tab: every alert sent (or not), so that none is sent twice."""
from __future__ import annotations

from itertools import compress

from core.schema import ALERT_KINDS, ALERT_STATUSES
from sheets import readers
from sheets.parse.tab import TabReader
from sheets.records import AlertLogEntry, Dataset

# The sheet holds the Thai words; the program uses the English keys.
_KIND_KEYS = {v: k for k, v in ALERT_KINDS.items()}
_STATUS_KEYS = {v: k for k, v in ALERT_STATUSES.items()}


def parse_alert_log(ds: Dataset, tab: TabReader) -> None:
    run_date = tab.read("run_date", readers.read_date, required=True)
    officer = tab.text("officer_id", required=True)
    kind, status = _keys(tab.text("kind"), _KIND_KEYS), _keys(tab.text("status"), _STATUS_KEYS)
    contract, seq, days = tab.text("contract_no"), tab.read("seq", readers.read_int), tab.read("days", readers.read_int)
    retry_key, sent_at = tab.text("retry_key"), tab.read("sent_at", readers.read_datetime)
    amount, detail = tab.read("amount", readers.read_amount), tab.text("detail")
    # A big province keeps 80,000 rows of it: the entries are made in bulk, a row without its run date
    # or officer left out (its problem is said by the reads above).
    entries = map(AlertLogEntry, tab.numbers, run_date, officer, contract, seq, kind, days, status, retry_key,
                  sent_at, amount, detail)
    ds.alert_log.extend(compress(entries, [day is not None and bool(who) for day, who in zip(run_date, officer)]))


def _keys(words: list[str], keys: dict[str, str]) -> list[str]:
    """The English key of each Thai word (a word without one kept as typed), each distinct word looked up once."""
    key_of = {word: keys.get(word, word) for word in set(words)}
    return list(map(key_of.__getitem__, words))
