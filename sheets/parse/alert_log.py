"""The บันทึกการแจ้งเตือน tab: every alert sent (or not), so that none is sent twice."""
from __future__ import annotations

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
    kind = [_KIND_KEYS.get(k, k) for k in tab.text("kind")]
    status = [_STATUS_KEYS.get(k, k) for k in tab.text("status")]
    contract, seq, days = tab.text("contract_no"), tab.read("seq", readers.read_int), tab.read("days", readers.read_int)
    retry_key, sent_at = tab.text("retry_key"), tab.read("sent_at", readers.read_datetime)
    amount, detail = tab.read("amount", readers.read_amount), tab.text("detail")
    for i in range(tab.n):
        if run_date[i] is None or not officer[i]:
            continue
        ds.alert_log.append(AlertLogEntry(tab.numbers[i], run_date[i], officer[i], contract[i], seq[i], kind[i],
                                          days[i], status[i], retry_key[i], sent_at[i], amount[i], detail[i]))
