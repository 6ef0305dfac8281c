"""กข.คจ. Care chat: the LINE webhook and the conversation behind it.

The pieces, each small and importable on its own (the webhook's cold start only
pays for what the first event needs):

- `handlers.signature`: X-Line-Signature (HMAC-SHA256 of the raw body).
- `handlers.webhook`: tolerant event parsing, the event-type registry, dedupe.
- `handlers.chat`: who is asking (linking, scope) and the postbacks.
- `handlers.commands`: the one command table (Thai words first, English aliases).
- `handlers.views` / `handlers.flex`: Flex replies within LINE's limits.
- `handlers.snapshot`: the cached, scoped snapshot of the sheet.
- `handlers.line_client` / `handlers.sheets_fast`: light HTTP clients for the
  webhook path (no LINE SDK models, no gspread).
- `handlers.runtime`: builds and keeps the warm instance's objects.
- `handlers.prefetch`: the first sheet read, started while a cold instance starts.
- `handlers.terminal`: `python main.py chat` and `python main.py serve`.
"""

# The tabs the chat reads (one batch read); not the alert log or committee, which it never shows.
CHAT_TABS: tuple[str, ...] = ("funds", "loans", "installments", "payments", "officers", "line_links")
