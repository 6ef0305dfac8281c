"""What one command gets: the asker, their scope's view of the sheet, the date and the config."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from chat.budget import Turn
from chat.scope import Scope, ScopeView, Snapshot
from sheets.model import Officer
from core.config import Config

Messages = list[dict]


class Conversing(Protocol):
    """What a command may ask of the conversation it runs in (implemented by chat.conversation)."""

    def register(self, ctx: "Ctx", code_text: str) -> Messages: ...

    def record_feedback(self, ctx: "Ctx", text: str) -> Messages: ...


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
        assert self.officer is not None
        return self.snap.view(self.officer)

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
