"""The chat's one command table: Thai words first, English aliases, no if/elif chain.

`route(text)` reads the text as people type it (chat.phrases: particles, synonyms, one typo)
and returns the command with the rest of the text. Each command is a function
`(ctx, args) -> messages` registered with `@command(...)` in one of the command modules
(chat.start, chat.lists, chat.search, chat.payments, chat.overview, chat.talk; chat.commands
imports them all, in the order the help lists them). Commands marked `linked_only` answer
nothing but the way to link until the LINE account is linked to an active officer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from chat.context import Ctx, Messages
from chat.phrases import Phrasebook, apart, in_thai


@dataclass(frozen=True)
class Command:
    key: str
    words: tuple[str, ...]          # the first is the Thai word shown in help
    usage: str
    summary: str
    run: Callable[[Ctx, str], Messages]
    linked_only: bool = True
    in_help: bool = True
    place: bool = False             # its argument names a place: glued words set apart (chat.phrases.apart)


COMMANDS: dict[str, Command] = {}


_WORDS: list[tuple[str, Command]] = []


def command(key: str, *words: str, usage: str, summary: str, linked_only: bool = True,
            in_help: bool = True, place: bool = False) -> Callable[[Callable[[Ctx, str], Messages]], Callable[[Ctx, str], Messages]]:
    def register(run: Callable[[Ctx, str], Messages]) -> Callable[[Ctx, str], Messages]:
        cmd = Command(key, words, usage, summary, run, linked_only, in_help, place)
        COMMANDS[key] = cmd
        _WORDS.extend((w.lower(), cmd) for w in words)
        _WORDS.sort(key=lambda pair: -len(pair[0]))
        return run
    return register


_PHRASEBOOK: list[Phrasebook] = []   # built once, after every command has registered


def phrasebook() -> Phrasebook:
    if not _PHRASEBOOK:
        _PHRASEBOOK.append(Phrasebook((cmd.key, word) for cmd in COMMANDS.values() for word in cmd.words))
    return _PHRASEBOOK[0]


def route(text: str) -> tuple[Command | None, str]:
    """The command the text asks for and its argument text; (None, text) when none matches.

    Read as people type (chat.phrases): particles, synonyms, one typo, greetings and thanks."""
    understood = phrasebook().understand(text)
    if understood.key is not None and understood.key in COMMANDS:
        cmd = COMMANDS[understood.key]
        args = in_thai(understood.args) if understood.text[:1].isascii() else understood.args
        return cmd, apart(args) if cmd.place else args
    return None, understood.text
