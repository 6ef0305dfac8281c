"""Sending LINE messages: the real Messaging API, or an outbox file when no token is set.

- `messaging.line`: LineClient, the one client of LINE's Messaging API (webhook and jobs).
- `messaging.factory`: the one messenger for a config (LINE, else `messaging.outbox`).
- `messaging.delivery`: the one delivery path of pushes and the alert-log rows they make.
- `messaging.flex`: every Flex component and message, inside LINE's limits.
- `messaging.webhook` / `messaging.signature`: the webhook's parser, registry and signature.

Only the light pieces are imported here (none of this imports an SDK).
"""
from messaging.base import (MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES,
                            MAX_MESSAGES, MAX_TEXT, Messenger, MessengerError, PushResult,
                            flex_to_text, json_size, messages_to_text, retry_key_for, utf16_len)

__all__ = [
    "MAX_ALT_TEXT", "MAX_BUBBLE_BYTES", "MAX_BUBBLES", "MAX_CAROUSEL_BYTES", "MAX_MESSAGES",
    "MAX_TEXT", "Messenger", "MessengerError", "PushResult", "flex_to_text", "json_size",
    "messages_to_text", "retry_key_for", "utf16_len",
]
