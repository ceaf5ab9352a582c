"""Profiles ⇄ compact bytes for the index. Internal: the public JSON is in ``render/``.

The rows are ``marshal`` data (plain lists, text, numbers): several times faster to read back
than JSON. marshal's format may change between Python versions, so the index's schema key
includes the Python version and a new Python rebuilds the index.
"""

from __future__ import annotations

import datetime as dt
import marshal
from typing import Any

from plaincrm.model import Birthday, Duration, Field, Location, LogEntry, Profile, Task


def _d(day: dt.date | None) -> int | None:
    return day.toordinal() if day else None


def _date(number: int | None) -> dt.date | None:
    return dt.date.fromordinal(number) if number else None


def _dur(value: Duration | None) -> list[Any] | None:
    return [value.count, value.unit] if value else None


def dump_profile(p: Profile) -> bytes:
    """Bytes for ``p``."""
    b = p.birthday
    return marshal.dumps([
        p.location.path, p.stem, p.name, p.id, list(p.emails), list(p.phones),
        [b.month, b.day, b.year] if b else None, p.status, _d(p.service_due),
        _dur(p.service_every), _dur(p.contact_every), _d(p.customer_since), p.owner,
        list(p.tags), [[k, v.toordinal()] for k, v in p.dates],
        [[f.key, f.raw, f.line, list(f.item_lines)] for f in p.fields],
        [[t.location.line, t.text, t.done, _d(t.date), t.owner] for t in p.tasks],
        [[e.location.line, e.date.toordinal(), e.text, e.kind] for e in p.log],
        p.log_count, p.has_problems,
    ])


def load_profile(blob: bytes, full: bool = True) -> Profile:
    """The profile :func:`dump_profile` made ``blob`` of; unless ``full``, its summary: only
    the newest log entry of each kind (``log_count`` still counts them all)."""
    (path, stem, name, id_, emails, phones, bday, status, service_due, service_every,
     contact_every, since, owner, tags, dates, fields, tasks, log, log_count,
     has_problems) = marshal.loads(blob)
    if not full:
        log = _newest_per_kind(log)
    return Profile(
        location=Location(path, 1),
        stem=stem,
        name=name,
        id=id_,
        emails=tuple(emails),
        phones=tuple(phones),
        birthday=Birthday(bday[0], bday[1], bday[2]) if bday else None,
        status=status,
        service_due=_date(service_due),
        service_every=Duration(*service_every) if service_every else None,
        contact_every=Duration(*contact_every) if contact_every else None,
        customer_since=_date(since),
        owner=owner,
        tags=tuple(tags),
        dates=tuple([(k, dt.date.fromordinal(v)) for k, v in dates]),
        fields=tuple([Field(k, raw, line, tuple(items)) for k, raw, line, items in fields]),
        tasks=tuple([Task(Location(path, ln), t, done, _date(d), o)
                     for ln, t, done, d, o in tasks]),
        log=tuple([LogEntry(Location(path, ln), dt.date.fromordinal(d), t, k)
                   for ln, d, t, k in log]),
        log_count=log_count,
        has_problems=has_problems,
    )


def _newest_per_kind(log: list[list[Any]]) -> list[list[Any]]:
    """The newest of the stored entries (line, day, text, kind) of each kind (no kind counts
    as one), in file order. Every reminder rule needs only these: the newest of all is among
    them."""
    best: dict[str | None, list[Any]] = {}
    for entry in log:
        old = best.get(entry[3])
        if old is None or (entry[1], entry[0]) >= (old[1], old[0]):
            best[entry[3]] = entry
    return sorted(best.values())
