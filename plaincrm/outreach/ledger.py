"""The ledger: what outreach recorded in each profile's log, read back.

Every message is written down in the customer's own profile, through the one write path
(:func:`plaincrm.change.log`), as log entries of kind ``email`` ending in a marker::

    - 2026-11-20 email: Birthday greeting being sent to jane@example.com [outreach:birthday-2026 sending <…>]
    - 2026-11-20 email: Birthday greeting sent to jane@example.com [outreach:birthday-2026 sent <…>]

The marker is what counts: the occasion key, the state (``sending`` before the message is handed
to the server, ``sent`` after the server accepted it, ``failed`` when it refused it) and the
Message-ID. The words before it are for people and may be reworded. Because the records live in
the profiles (and in git), every run, every day and every clone sees them.
"""  # noqa: E501

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from plaincrm.model import Location, Profile

KIND = "email"
MARKER = re.compile(r"\[outreach:(?P<key>[a-z0-9][a-z0-9._-]*) (?P<state>sending|sent|failed) "
                    r"(?P<msgid><[^<>\s]+>)\]\s*$")


class State(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Status(StrEnum):
    """Where one occasion of one profile stands."""

    NEW = "new"  # never recorded, or every attempt failed: it may go out
    SENT = "sent"  # the server accepted it: never again
    CHECK = "check"  # recorded as being sent, never confirmed: a person must check


@dataclass(frozen=True, slots=True)
class Record:
    """One outreach marker in a profile's log."""

    key: str
    state: State
    msgid: str  # with its angle brackets, as in the Message-ID header
    date: dt.date
    location: Location


def records(profile: Profile) -> list[Record]:
    """Every outreach record in ``profile``'s log, in file order."""
    out = []
    for entry in profile.log:
        if entry.kind != KIND:
            continue
        match = MARKER.search(entry.text)
        if match is not None:
            out.append(Record(match["key"], State(match["state"]), match["msgid"], entry.date,
                              entry.location))
    return sorted(out, key=lambda r: r.location.line)


def status(recorded: Iterable[Record], key: str) -> tuple[Status, Record | None]:
    """Where occasion ``key`` stands, and the record that says so. Sent once is sent for good;
    a ``sending`` record not matched by a later ``sent`` or ``failed`` one needs a check."""
    mine = [r for r in recorded if r.key == key]
    sent = [r for r in mine if r.state is State.SENT]
    if sent:
        return Status.SENT, sent[-1]
    sending = [r for r in mine if r.state is State.SENDING]
    settled = sum(1 for r in mine if r.state is State.FAILED)
    if len(sending) > settled:
        return Status.CHECK, sending[-1]
    return Status.NEW, None


def unresolved(profile: Profile) -> list[Record]:
    """The ``sending`` records of ``profile`` that nothing confirmed: each needs a check."""
    recorded = records(profile)
    out = []
    for key in dict.fromkeys(r.key for r in recorded):
        state, record = status(recorded, key)
        if state is Status.CHECK and record is not None:
            out.append(record)
    return out


def sent_on(profile: Profile, day: dt.date) -> int:
    """How many messages to ``profile`` were recorded as sent (or being sent) on ``day``:
    what the daily cap counts."""
    return len({r.msgid for r in records(profile)
                if r.date == day and r.state in (State.SENT, State.SENDING)})


def entry_text(label: str, state: State, address: str, key: str, msgid: str,
               reason: str = "") -> str:
    """The log entry's text (after ``email:``) for one record."""
    marker = f"[outreach:{key} {state} {msgid}]"
    if state is State.SENDING:
        return f"{label} being sent to {address} {marker}"
    if state is State.SENT:
        return f"{label} sent to {address} {marker}"
    return f"{label} not sent to {address} ({one_line(reason)}) {marker}"


def one_line(text: str, width: int = 160) -> str:
    """``text`` on one line, without control characters or brackets, at most ``width`` long."""
    cleaned = "".join(c if c.isprintable() and c not in "[]" else " " for c in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= width else cleaned[: width - 1] + "…"
