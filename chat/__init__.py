"""กข.คจ. Care chat: the conversation an officer has with the bot in LINE (or the terminal).

- `chat.conversation`: who is asking (linking, scope), the postbacks, recording payments.
- `chat.context`: what one command gets (the asker, their scope's view, the config).
- `chat.registry`: the one command table (Thai words first, English aliases) and `route`;
  `chat.phrases` reads Thai as people type it.
- the commands, one module per kind: `chat.start` (help, linking, greetings), `chat.lists`
  (ครบกำหนด, ค้างชำระ), `chat.places` (which funds a place name means), `chat.search` (ค้นหา),
  `chat.payments` (ชำระ), `chat.overview` (กองทุน, สรุป, ตรวจสอบ), `chat.talk` (แนะนำ, the rest);
  `chat.commands` loads them all.
- `chat.views`: Flex replies within LINE's limits (built with `messaging.flex`).
- `chat.scope`: the cached, scoped snapshot of the sheet.
- `chat.terminal`: `python main.py chat` and `python main.py serve`.

The webhook itself (signature, event parsing) is `messaging.webhook`; the warm
instance that wires them together is `handlers.runtime`.
"""

# The tabs the chat reads (one batch read); not the alert log or committee, which it never shows.
CHAT_TABS: tuple[str, ...] = ("funds", "loans", "installments", "payments", "officers", "line_links", "documents")
