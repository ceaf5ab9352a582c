"""Whether a value given on the command line may be written to a front-matter key.

``plaincrm set``, ``plaincrm new`` and ``plaincrm reassign`` ask :func:`value_errors`, which
writes the one key into a scratch profile and runs the loader and the same checks ``plaincrm
check`` runs on it (status, email, phone, dates), so a value is refused here for exactly the
reasons check would report it. An ``owner`` must be somebody the vault already knows (an owner
of a profile or of a task), unless the vault names nobody yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from plaincrm.checks.base import Context
from plaincrm.checks.dates import check_dates
from plaincrm.checks.fields import check_emails, check_phones, check_status
from plaincrm.config import Config
from plaincrm.lookup import fold
from plaincrm.model import Profile, Severity
from plaincrm.parse import parse_profile
from plaincrm.templates import render_value

Value = str | list[str]
CHECKS = (check_status, check_emails, check_phones, check_dates)


def value_errors(key: str, value: Value, config: Config, today: dt.date,
                 owners: Iterable[str] = ()) -> list[str]:
    """Why ``key: value`` would be an error in ``plaincrm check`` (``[]``: it would not)."""
    text = f"---\n{render_value(key, value)}\n---\n"
    profile, problems = parse_profile("value.md", text.encode("utf-8"))
    found = [p.message for p in problems if p.severity is Severity.ERROR]
    if profile is not None and not found:
        ctx = Context(config=config, today=today)
        for check in CHECKS:
            found += [p.message for p in check(profile, ctx) if p.severity is Severity.ERROR]
        if key == "owner" and profile.owner:
            found += owner_errors(profile.owner, owners)
    return found


def owner_errors(owner: str, owners: Iterable[str]) -> list[str]:
    """``owner`` must be one of ``owners`` (the vault's staff), unless there are none yet."""
    known = sorted({o for o in owners if o}, key=fold)
    if not known or fold(owner.removeprefix("@")) in {fold(o) for o in known}:
        return []
    return [f"owner {owner!r} is not anybody in this vault (owners so far: "
            f"{', '.join(known)})"]


def known_owners(profiles: Iterable[Profile]) -> set[str]:
    """Every staff name the vault uses: each profile's ``owner`` and each task's ``@owner``."""
    found: set[str] = set()
    for p in profiles:
        if p.owner:
            found.add(p.owner)
        found.update(t.owner for t in p.tasks if t.owner)
    return found
