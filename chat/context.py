"""What one command gets: the asker, their scope's view of the sheet, the date and the config."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, Sequence

from chat.budget import Deadline, Turn
from chat.scope import Scope, ScopeView, SheetLoading, Snapshot
from sheets.model import Officer
from core.config import Config

Messages = list[dict]
# A scope made within this is answered without LINE's loading animation (a request of its own).
MOMENT_SECONDS = 0.3


class Conversing(Protocol):
    """What a command may ask of the conversation it runs in (implemented by chat.conversation)."""

    def register(self, ctx: "Ctx", code_text: str) -> Messages: ...

    def record_feedback(self, ctx: "Ctx", text: str) -> Messages: ...

    def row_links(self, ctx: "Ctx", rows: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]: ...


@dataclass(frozen=True)
class Step:
    """A step of the guided repayment (chat.guided) or of a document (chat.documents) waiting for typing."""

    kind: str                          # fund / amount / date / receipt; doc_fund / doc_balance / doc_balance_date
    contract_no: str = ""
    amount: Decimal | None = None
    paid_date: dt.date | None = None
    ref: str = ""                      # a document's LINE message id
    fund_id: str = ""


@dataclass
class Ctx:
    """Everything a command needs about this one question."""

    conv: "Conversing"
    snap: Snapshot
    officer: Officer | None
    status: str                 # linked / unlinked / inactive
    user_id: str
    event_id: str
    today: dt.date
    now: dt.datetime
    config: Config
    turn: Turn | None = None    # this event's deadline (None: a new one where a write needs it)
    next_step: Step | None = None   # set by a guided step that waits for typing; kept by the conversation

    @property
    def view(self) -> ScopeView:
        """The asker's scope (SheetLoading when it cannot be had within this event's time)."""
        assert self.officer is not None
        if self.turn is None:
            return self.snap.view(self.officer)
        deadline = self.turn.deadline
        left = deadline.remaining()
        if left is None or left <= MOMENT_SECONDS or self.snap.has_view(self.officer):
            return self.snap.view(self.officer, deadline)
        try:  # most scopes are made in milliseconds; one that takes longer gets LINE's loading animation
            return self.snap.view(self.officer, Deadline(MOMENT_SECONDS))
        except SheetLoading:
            self.turn.a_moment()
            return self.snap.view(self.officer, deadline)

    @property
    def scope(self) -> Scope:
        """Who sees what, without parsing anything (the label for a greeting or the menu)."""
        assert self.officer is not None
        return self.snap.scope_for(self.officer)

    @property
    def list_limit(self) -> int:
        return int(self.config.chat.list_limit)

    def payment_ref(self) -> str:
        """The idempotency key of a repayment asked for by this event."""
        return "LINE-" + (self.event_id or uuid.uuid4().hex[:26].upper())
