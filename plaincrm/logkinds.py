"""What a log entry is: a *contact* (somebody was reached) or an *attempt* (nobody was), and
among contacts a *conversation* (personal context: calls, visits) or *admin* (paperwork).

One owner for the ``[log]`` options of ``plaincrm.toml``; the agenda (keep in touch), ``show``
and briefs (what to recall) and ``pulse`` (heartbeat) all ask here. An entry without a kind
(``- 2026-11-20 Talked about her holiday``) is a conversation: a person wrote it by hand.
A kind in none of the lists is a conversation too unless ``admin_kinds`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from plaincrm.config import Config

LogClass = Literal["attempt", "admin", "conversation"]


@dataclass(frozen=True, slots=True)
class LogKinds:
    attempt: frozenset[str]
    admin: frozenset[str]
    conversation: frozenset[str]

    def classify(self, kind: str | None) -> LogClass:
        if kind is None:
            return "conversation"
        kind = kind.lower()
        if kind in self.attempt:
            return "attempt"
        if kind in self.admin:
            return "admin"
        return "conversation"

    def is_attempt(self, kind: str | None) -> bool:
        return kind is not None and kind.lower() in self.attempt


def log_kinds(config: Config) -> LogKinds:
    """The ``[log]`` kinds of ``config`` (lower-cased, as the parser stores kinds)."""

    def words(name: str) -> frozenset[str]:
        return frozenset(w.lower() for w in config[name])

    return LogKinds(words("log.attempt_kinds"), words("log.admin_kinds"),
                    words("log.conversation_kinds"))
