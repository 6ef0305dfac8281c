"""The LINE webhook's entry: the warm runtime that wires the webhook parser
(`messaging.webhook`) to the conversation (`chat`), and its light HTTP clients.

- `handlers.runtime`: builds and keeps the warm instance's objects.
- `handlers.prefetch`: the first sheet read, started while a cold instance starts.
- `handlers.sheets_fast` / `core.http`: light HTTP clients for the webhook
  path (no gspread); LINE is `messaging.line`, the one client the jobs use too.
"""
