"""The เอกสาร tab: documents officers sent in LINE (chat/documents.py appends; people only read it)."""
from __future__ import annotations

from core.schema import DOCUMENT_KINDS
from sheets import readers
from sheets.parse import amounts
from sheets.parse.tab import TabReader
from sheets.records import Dataset, DocumentRow


def parse_documents(ds: Dataset, tab: TabReader) -> None:
    fund_id = tab.text("fund_id", required=True)
    tab.keys = fund_id
    document = tab.text("document", required=True)
    link = tab.text("link", required=True)
    usable = [False] * tab.n
    for i in range(tab.n):
        if not (fund_id[i] and link[i]):
            continue
        if fund_id[i] not in ds.funds and not ds.lacks("funds", "fund_id"):
            tab.problem(i, "fund_id", f"ไม่พบรหัสกองทุน {fund_id[i]} ในแท็บกองทุน", "warning")
        elif document[i] not in DOCUMENT_KINDS:
            tab.problem(i, "document", "ชนิดเอกสารต้องเป็น " + ", ".join(DOCUMENT_KINDS), "warning")
        else:
            usable[i] = True
    document_date = tab.read("document_date", readers.read_date, where=usable)
    sent_at = tab.read("sent_at", readers.read_datetime, where=usable)
    bank_balance = tab.read("bank_balance", amounts.read_amount, where=usable)
    bank_balance_date = tab.read("bank_balance_date", readers.read_date, where=usable)
    sent_by, ref = tab.text("sent_by"), tab.text("ref")
    seen: set[str] = set()
    for i in range(tab.n):
        if not usable[i] or (ref[i] and ref[i] in seen):  # a ref twice is one document
            continue
        seen.add(ref[i])
        ds.documents[fund_id[i]].append(DocumentRow(
            tab.numbers[i], fund_id[i], document[i], document_date[i], link[i], sent_by[i], sent_at[i], ref[i],
            bank_balance[i], bank_balance_date[i]))
