"""Balances, arrears, status and alert policy as of a date: pure functions, no I/O.

`ledger.core`, `ledger.aging` and `ledger.alerts` read one contract at a time (the rules, plainly);
`ledger.engine` applies them to every contract at once with numpy and is imported on its own
(this package stays light for the webhook).
"""
from ledger.alerts import (AlertPolicy, Trigger, alert_window, due_alerts, triggers_on,
                           trigger_id, urgency_sort)
from ledger.core import (STATUS_ARREARS, STATUS_BY_KEY, STATUS_KEYS, STATUS_WATCH, Contract,
                         Installment, InstallmentState, LedgerState, MonthFigures, Payment, PortfolioSummary,
                         Totals, bucket_for, bucket_labels, effective_schedule, ledger,
                         ledger_options, month_figures, par, portfolio_summary)

__all__ = [
    "AlertPolicy", "Contract", "Installment", "InstallmentState", "LedgerState", "MonthFigures", "Payment",
    "PortfolioSummary", "STATUS_ARREARS", "STATUS_BY_KEY", "STATUS_KEYS", "STATUS_WATCH",
    "Totals", "Trigger", "alert_window", "bucket_for", "bucket_labels", "due_alerts",
    "effective_schedule", "ledger", "ledger_options", "month_figures", "par", "portfolio_summary",
    "trigger_id", "triggers_on", "urgency_sort",
]
