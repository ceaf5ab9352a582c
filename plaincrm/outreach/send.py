"""Acting on a plan: drafts to a folder, or messages to the SMTP server, each sent once.

The order of steps for each message (docs/outreach.md, "Never twice"):

1. read the profile again from disk: if its log now records the occasion, skip it;
2. MAIL FROM and RCPT TO: a refused recipient is reported, nothing is written;
3. record ``being sent`` with the Message-ID in the profile's log (committed in git);
4. DATA: the message itself;
5. record ``sent`` (committed), or ``not sent`` when the server refused it.

A crash or a lost connection between 3 and 5 leaves a ``being sent`` record without an answer:
every later run (here or on a clone that pulled it) lists it as needing a check and never sends
that occasion by itself. A failure before 3 writes nothing, so the next run simply tries again.
Only one run sends from a vault at a time (a lock in the user's cache folder).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from plaincrm import change
from plaincrm.errors import GitError, MailError, PlaincrmError
from plaincrm.files import atomic_write, lock_if_free
from plaincrm.model import Profile
from plaincrm.outreach import ledger
from plaincrm.outreach.ledger import State
from plaincrm.outreach.mailconfig import MailSettings
from plaincrm.outreach.message import build, message_id, to_bytes
from plaincrm.outreach.plan import Item
from plaincrm.outreach.transport import Connection, Lost, Refused, Unknown
from plaincrm.parse import parse_profile


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one message."""

    item: Item
    result: str  # sent | refused | not-sent | check
    detail: str = ""
    msgid: str = ""
    commits: tuple[str, ...] = ()


def message_bytes(item: Item, sender: Address, now: dt.datetime) -> tuple[str, bytes]:
    """The Message-ID and the bytes of ``item``'s message."""
    assert item.rendered is not None and item.address is not None
    msgid = message_id(item.profile, item.occasion.key, sender.domain)
    msg = build(item.rendered, sender, item.profile.display_name, item.address, msgid, now)
    return msgid, to_bytes(msg)


def write_drafts(items: list[Item], folder: Path, sender: Address,
                 now: dt.datetime) -> list[Path]:
    """Each message as ``<key>-<file name>.eml`` in ``folder``; nothing in the vault changes."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in items:
        _, data = message_bytes(item, sender, now)
        path = folder / f"{item.occasion.key}-{item.profile.stem}.eml"
        atomic_write(path, data)
        written.append(path)
    return written


@contextlib.contextmanager
def sending_lock(lock_path: Path) -> Iterator[None]:
    """Hold the vault's send lock, or MailError when another run holds it."""
    with lock_if_free(lock_path) as taken:
        if not taken:
            raise MailError("another plaincrm outreach is sending from this vault; "
                            "try again when it is done")
        yield


class Sender:
    """Sends the plan's messages over one connection, recording each in the profile's log."""

    def __init__(self, root: Path, mail: MailSettings, connection: Connection, today: dt.date,
                 now: dt.datetime, commit: bool) -> None:
        self.root, self.mail, self.conn = root, mail, connection
        self.today, self.now, self.commit = today, now, commit
        self.stopped = ""  # why the run stopped early, if it did

    def send_all(self, items: list[Item],
                 progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
        out = []
        for item in items:
            outcome = Outcome(item, "not-sent", self.stopped) if self.stopped \
                else self.send(item)
            out.append(outcome)
            if progress is not None:
                progress(outcome)
        return out

    def send(self, item: Item) -> Outcome:
        assert item.address is not None and item.rendered is not None
        msgid, data = message_bytes(item, self.mail.sender, self.now)
        key, label = item.occasion.key, ledger.one_line(item.rendered.label, 80)
        # 1. the log as it is now: another run (or a pull) may have recorded it meanwhile
        current = self._current(item)
        if current is None:
            return Outcome(item, "not-sent", "the profile cannot be read now", msgid)
        state, _ = ledger.status(ledger.records(current), key)
        if state is not ledger.Status.NEW:
            return Outcome(item, "not-sent", f"already recorded as {state}", msgid)
        # 2. will the server take it?
        try:
            self.conn.offer(self.mail.sender.addr_spec, item.address)
        except Refused as exc:
            return Outcome(item, "refused", exc.reason, msgid)
        except Lost as exc:
            self.stopped = f"the connection to the mail server was lost ({exc.reason})"
            return Outcome(item, "not-sent", self.stopped, msgid)
        # 3. record it as being sent
        commits: list[str] = []
        try:
            commits += self._record(item, State.SENDING, label, msgid)
        except PlaincrmError as exc:
            self.conn.cancel()
            self._settle_after_failed_record(item, label, msgid, str(exc))
            if isinstance(exc, GitError):
                self.stopped = f"git could not commit ({exc})"
            return Outcome(item, "not-sent", f"could not record it: {exc}", msgid)
        # 4. the message itself
        try:
            self.conn.deliver(data)
        except Refused as exc:
            try:
                commits += self._record(item, State.FAILED, label, msgid, exc.reason)
            except PlaincrmError as write_error:
                return Outcome(item, "check", f"refused by the server ({exc.reason}), and "
                               f"that could not be recorded: {write_error}", msgid,
                               tuple(commits))
            return Outcome(item, "refused", exc.reason, msgid, tuple(commits))
        except Unknown as exc:
            self.stopped = f"the connection to the mail server was lost ({exc.reason})"
            return Outcome(item, "check", f"the connection broke while sending it "
                           f"({exc.reason}): it may or may not have gone out", msgid,
                           tuple(commits))
        # 5. confirm
        try:
            commits += self._record(item, State.SENT, label, msgid)
        except PlaincrmError as exc:
            return Outcome(item, "check", f"sent, but that could not be recorded: {exc}",
                           msgid, tuple(commits))
        return Outcome(item, "sent", "", msgid, tuple(commits))

    def _current(self, item: Item) -> Profile | None:
        try:
            data = (self.root / item.profile.path).read_bytes()
        except OSError:
            return None
        return parse_profile(item.profile.path, data)[0]

    def _record(self, item: Item, state: State, label: str, msgid: str,
                reason: str = "", commit: bool | None = None) -> list[str]:
        assert item.address is not None
        text = ledger.entry_text(label, state, item.address, item.occasion.key, msgid, reason)
        current = self._current(item)
        profiles = [current] if current is not None else [item.profile]
        done = change.log(self.root, profiles, item.profile.path.removesuffix(".md"), text,
                          ledger.KIND, self.today,
                          commit=self.commit if commit is None else commit)
        return [done.commit] if done.commit else []

    def _settle_after_failed_record(self, item: Item, label: str, msgid: str,
                                    reason: str) -> None:
        """The ``being sent`` record may be on disk though its commit failed: the message was
        not sent, so say so in the log (uncommitted) rather than leave it needing a check."""
        current = self._current(item)
        if current is None:
            return
        state, _ = ledger.status(ledger.records(current), item.occasion.key)
        if state is ledger.Status.CHECK:
            with contextlib.suppress(PlaincrmError):
                self._record(item, State.FAILED, label, msgid, f"not sent: {reason}",
                             commit=False)
