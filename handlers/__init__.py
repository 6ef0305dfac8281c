"""The LINE webhook's entry: the warm runtime that wires the webhook parser
(`messaging.webhook`) to the conversation (`chat`), and its light HTTP clients.

- `handlers.runtime`: builds and keeps the warm instance's objects.
- `handlers.prefetch`: the first sheet read, started while a cold instance starts.
- `handlers.line_client` / `sheets.client` / `core.http`: light
  HTTP clients for the webhook path (no LINE SDK models, no gspread).
"""
