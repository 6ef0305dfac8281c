"""Sending LINE messages: the real Messaging API, or an outbox file when no token is set.

Only the light pieces are imported here; `messaging.line` loads the LINE SDK on first use.
"""
from messaging.base import (MAX_ALT_TEXT, MAX_BUBBLE_BYTES, MAX_BUBBLES, MAX_CAROUSEL_BYTES,
                            MAX_MESSAGES, MAX_TEXT, Messenger, MessengerError, PushResult,
                            flex_to_text, json_size, messages_to_text, retry_key_for, utf16_len)

__all__ = [
    "MAX_ALT_TEXT", "MAX_BUBBLE_BYTES", "MAX_BUBBLES", "MAX_CAROUSEL_BYTES", "MAX_MESSAGES",
    "MAX_TEXT", "Messenger", "MessengerError", "PushResult", "flex_to_text", "json_size",
    "messages_to_text", "retry_key_for", "utf16_len",
]
