"""What every check gets (the profile, a :class:`Context`) and how it makes a problem."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from plaincrm.config import Config
from plaincrm.model import Location, Problem, Profile, Severity


@dataclass(frozen=True, slots=True)
class Context:
    """The facts a check may use besides the profile itself."""

    config: Config
    today: dt.date
    # the day each file last changed (git, else file times); absent: changed just now
    last_changed: Mapping[str, dt.date] = field(default_factory=dict)


class ProfileCheck(Protocol):
    def __call__(self, profile: Profile, ctx: Context) -> Iterable[Problem]: ...


class Collector(Protocol):
    """A check that needs the whole vault: sees each profile once, reports at the end.

    It must keep only small keys per profile (the vault may hold 100,000 of them)."""

    def add(self, profile: Profile) -> None: ...

    def finish(self) -> Iterator[Problem]: ...


def problem(profile: Profile, line: int, code: str, message: str,
            severity: Severity = Severity.ERROR) -> Problem:
    return Problem(Location(profile.path, line), code, severity, message)


def crashed(check: object, profile: Profile | None, exc: Exception) -> Problem:
    """What a check that crashed on ``profile`` becomes: a ``check-crashed`` error that says
    which check and why, so a bug in one check never hides a problem or the others."""
    name = getattr(check, "__name__", type(check).__name__)
    where = Location(profile.path if profile else ".", 1)
    return Problem(where, "check-crashed", Severity.ERROR,
                   f"the {name} check failed here ({type(exc).__name__}: {exc}); "
                   "please report this as a bug in plaincrm")


def items(profile: Profile, key: str) -> list[tuple[str, int]]:
    """The non-empty text values of ``key`` with their lines (one value, or each list item)."""
    for f in profile.fields:
        if f.key != key:
            continue
        raw: Any = f.raw
        if isinstance(raw, str):
            return [(raw.strip(), f.line)] if raw.strip() else []
        if isinstance(raw, list):
            return [(item.strip(), f.item_line(i)) for i, item in enumerate(raw)
                    if isinstance(item, str) and item.strip()]
        return []
    return []


IGNORE_KEY = "check_ignore"


def ignored_codes(profile: Profile) -> frozenset[str]:
    """The codes a profile silences for itself: ``check_ignore: [duplicate, stale]``
    (a list, or one text with commas)."""
    return frozenset(code for code, _line in ignore_items(profile))


def ignore_items(profile: Profile) -> list[tuple[str, int]]:
    found = []
    for text, line in items(profile, IGNORE_KEY):
        found += [(code.strip().lower(), line) for code in text.split(",") if code.strip()]
    return found
