"""What init-sheet lays into the spreadsheet: every tab, its headers, dropdowns and formats."""
from __future__ import annotations

from core.geo import district_names
from core.schema import NO, TABS, YES
from sheets.store import Layout, TabTemplate

# Dropdown lists that are not in the schema's own choices.
_FORMAT_KINDS = {"date": "date", "datetime": "datetime", "amount": "amount", "int": "int",
                 "citizen_id": "text", "text": "text"}


def templates(layout: Layout) -> list[TabTemplate]:
    """One TabTemplate per tab that has columns (generated tabs are made by their jobs)."""
    result = []
    for tab in TABS.values():
        if not tab.columns:
            continue
        dropdowns: dict[str, tuple[str, ...]] = {}
        formats: dict[str, str] = {}
        for col in tab.columns:
            header = layout.header(tab.key, col.key)
            if col.key == "district" and tab.key in ("funds", "officers"):
                dropdowns[header] = district_names()
            elif col.kind == "yesno":
                dropdowns[header] = (YES, NO)
            elif col.choices and tab.kind == "people":
                dropdowns[header] = col.choices
            # Text formats keep leading zeros in ids, phones and account numbers.
            if col.kind in _FORMAT_KINDS and (col.kind != "text" or col.key in _TEXT_KEYS):
                formats[header] = _FORMAT_KINDS[col.kind]
        result.append(TabTemplate(tab.title, tuple(layout.headers(tab.key)), dropdowns, formats,
                                  protect=tab.kind != "people"))
    return result


_TEXT_KEYS = {"fund_id", "contract_no", "citizen_id", "phone", "bank_account_no", "receipt_no",
              "register_code", "officer_id", "line_user_id"}
