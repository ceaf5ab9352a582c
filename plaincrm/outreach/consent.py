"""Who may be written to: opt-outs, the suppression list, and a usable address.

Fail closed: a flag that is not clearly "no" counts as opting out, and a suppression list that
exists but cannot be read (or holds a line that is not an address) stops every message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plaincrm.errors import PlaincrmError
from plaincrm.files import read_vault_file
from plaincrm.model import Location, Problem, Profile, Severity

OPT_OUT_FLAGS = ("do_not_contact", "email_optout")
FALSE = frozenset({"false", "no", "off", "0", "n", ""})


@dataclass(frozen=True, slots=True)
class Suppression:
    """Addresses and ``@domains`` never written to (lower case)."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def covers(self, address: str) -> bool:
        address = address.strip().lower()
        return address in self.addresses or \
            "@" + address.rpartition("@")[2] in self.domains


def load_suppression(root: Path, rel: str) -> tuple[Suppression | None, list[Problem]]:
    """The vault's suppression list. A missing file suppresses nobody; a file that cannot be
    read, or with a line that is not an address, gives None (send nothing) and the problem. Read as
    every vault file is (:func:`plaincrm.files.read_vault_file`)."""

    def fail(message: str, line: int = 1) -> tuple[None, list[Problem]]:
        return None, [Problem(Location(rel, line), "suppression-list", Severity.ERROR,
                              f"{message}; nothing is sent until it can be read")]

    try:
        data = read_vault_file(root, rel)
    except FileNotFoundError:
        if os.path.islink(root / rel):  # a link to nowhere is a list that cannot be read
            return fail("is a link to nowhere")
        return Suppression(), []
    except PlaincrmError as exc:  # outside the vault, not a regular file, unreadable
        return fail(str(exc))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return fail("is not UTF-8 text")
    addresses: set[str] = set()
    domains: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        item = line.split("#", 1)[0].strip().lower()
        if not item:
            continue
        if item.startswith("@") and "." in item and " " not in item:
            domains.add(item)
        elif "@" in item and " " not in item:
            addresses.add(item)
        else:
            return fail(f"line {number}: {item!r} is not an address or an @domain", number)
    return Suppression(frozenset(addresses), frozenset(domains)), []


def opted_out(profile: Profile) -> str | None:
    """Why ``profile`` may not be written to (``do_not_contact``, ``email_optout``), or None.
    Any value but a clear no (false, no, off, 0) counts as yes."""
    for key in OPT_OUT_FLAGS:
        raw = profile.raw(key)
        if raw is None:
            continue
        if isinstance(raw, str) and raw.strip().lower() in FALSE:
            continue
        return key
    return None


def suppressed(profile: Profile, suppression: Suppression) -> str | None:
    """The first of the profile's addresses on the suppression list, or None."""
    return next((a for a in profile.emails if suppression.covers(a)), None)


def address(profile: Profile) -> tuple[str | None, Problem | None]:
    """The address to write to (the profile's first email), normalised; None with no email,
    and None with a located problem when it is not a usable address."""
    if not profile.emails:
        return None, None
    from email_validator import EmailNotValidError, validate_email  # only when a profile has one

    raw = profile.emails[0]
    line = _email_line(profile)
    try:
        valid = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, Problem(Location(profile.path, line), "invalid-email", Severity.ERROR,
                             f"{raw!r}: {exc}; no message is sent to it")
    if not valid.normalized.isascii():
        return None, Problem(Location(profile.path, line), "invalid-email", Severity.ERROR,
                             f"{raw!r}: plaincrm sends to plain ASCII addresses only")
    return valid.normalized, None


def _email_line(profile: Profile) -> int:
    for f in profile.fields:
        if f.key == "email":
            return f.item_line(0) if isinstance(f.raw, list) else f.line
    return profile.field_line("email")
