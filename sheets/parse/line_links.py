"""The บัญชี LINE tab: which LINE account speaks for which officer (the latest link wins)."""
from __future__ import annotations

import re

from sheets import readers
from sheets.parse.tab import TabReader
from sheets.records import Dataset, LineLink

_LINE_USER = re.compile(r"^U[0-9a-f]{32}$")


def parse_line_links(ds: Dataset, tab: TabReader) -> None:
    officer_id = tab.text("officer_id", required=True)
    tab.keys = officer_id
    user = tab.text("line_user_id", required=True)
    linked = [False] * tab.n  # a usable link: the rest of its row is read only then
    for i in range(tab.n):
        if user[i] and not _LINE_USER.match(user[i]):
            tab.problem(i, "line_user_id", "LINE user ID ต้องขึ้นต้นด้วย U ตามด้วยเลขฐานสิบหก 32 ตัว")
        elif officer_id[i] and officer_id[i] not in ds.officers and not ds.lacks("officers", "officer_id"):
            tab.problem(i, "officer_id", f"ไม่พบรหัสเจ้าหน้าที่ {officer_id[i]}", "warning")
        else:
            linked[i] = bool(officer_id[i] and user[i])
    linked_at = tab.read("linked_at", readers.read_datetime, where=linked)
    display_name = tab.text("display_name")
    for i in range(tab.n):
        if linked[i]:
            # The latest row per officer wins (relinking replaces the old link).
            ds.links[officer_id[i]] = LineLink(tab.numbers[i], linked_at[i], officer_id[i], user[i], display_name[i])
    # One LINE account speaks for one officer: the latest link of that account wins.
    latest_by_user: dict[str, LineLink] = {}
    for link in sorted(ds.links.values(), key=lambda link: link.row):
        latest_by_user[link.line_user_id] = link
    ds.links = {link.officer_id: link for link in latest_by_user.values()}
