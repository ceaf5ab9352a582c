"""The reminder calendar: the reminder model rendered as one RFC 5545 feed that apps subscribe to.

Data flows one way: profiles + config → :func:`plaincrm.reminders.reminders` → :func:`calendar`
(a pure function returning an :class:`icalendar.Calendar`) → :func:`build_feed` (bytes) →
:func:`write_feed` (atomic, only when changed). The serialization is icalendar's; this module
only decides what goes in. Everything in the feed is derived from the vault and the day given,
never from the clock or a random number, so an unchanged vault gives byte-identical output:

- UIDs: ``<profile id, else its path>-<kind>@plaincrm``; tasks add their date and a hash of their
  text (``-task-2026-12-01-1a2b3c4d5e6f``). An ``id`` shared by several profiles is not used
  (their paths are), so no two events ever share a UID.
- DTSTAMP and LAST-MODIFIED: midnight UTC of the profile's newest log entry, else its
  ``customer_since``, else 1970-01-01; never later than today.
- Yearly reminders (birthday, anniversary, ``yearly`` dates) are one recurring event each; a
  29 February date recurs with ``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1`` (the last day of February:
  28 February in common years). Their texts do not change from year to year: a birthday with a
  known year says ``(born 1983)``, never an age.
- One-off reminders (service, task, keep in touch, ``once`` dates) sit on their due date, also
  when overdue, up to ``calendar.months`` months ahead.
- The keep-in-touch reminder of a profile with no log entry and no ``customer_since`` is due
  *today*, every day, until a contact is logged: the feed puts it on the day it is written (one
  event, one UID, moved by each day's feed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import icalendar
from icalendar import Alarm, Calendar, Event, vDuration, vRecur

from plaincrm import __version__, codec
from plaincrm.config import Config
from plaincrm.eventcache import CacheRace, EventRow, FeedBuild, Stored
from plaincrm.files import write_if_changed, write_stream_if_changed
from plaincrm.loader import Vault
from plaincrm.lookup import fold
from plaincrm.model import Birthday, Profile, add_months
from plaincrm.reminders import Reminder, contact_due, reminders

PRODID = f"-//plaincrm//plaincrm {__version__}//EN"
UID_DOMAIN = "plaincrm"
EPOCH = dt.date(1970, 1, 1)
FOOTER = b"END:VCALENDAR\r\n"
CACHE_FORMAT = 2  # bump when what an event or a profile entry holds, or a key, changes
ANCHOR_YEAR = 2000  # first occurrence of a birthday without a year (--MM-DD): a leap year
LABELS = {
    "birthday": "Birthday",
    "service": "Service due",
    "task": "Task",
    "keep_in_touch": "Get in touch",
    "anniversary": "Customer anniversary",
}


@dataclass(frozen=True, slots=True)
class EventSpec:
    """Everything that goes into one VEVENT: :meth:`to_ical` reads nothing else (apart from
    this module's constants, covered by ``CACHE_FORMAT``), so :meth:`key` names its bytes."""

    uid: str
    stamp: dt.date  # DTSTAMP and LAST-MODIFIED, at midnight UTC
    start: dt.date
    yearly: tuple[int, int] | None  # recurs every year on (month, day)
    summary: str
    description: str
    alarm: str | None  # the alarm's trigger, e.g. "-PT15H"

    def key(self) -> bytes:
        """A hash of the inputs and of the serializer's version: the event cache's key."""
        inputs = (CACHE_FORMAT, icalendar.__version__, self.uid, self.stamp.toordinal(),
                  self.start.toordinal(), self.yearly, self.summary, self.description,
                  self.alarm)
        digest = hashlib.blake2b(repr(inputs).encode("utf-8", "surrogatepass"), digest_size=16)
        # the cache stores events in key order, so a feed (in date order) finds them close
        return self.start.isoformat().encode() + digest.digest()

    def event(self) -> Event:
        stamp = dt.datetime(self.stamp.year, self.stamp.month, self.stamp.day, tzinfo=dt.UTC)
        event = Event()
        event.add("uid", self.uid)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", self.start)
        event.add("dtend", self.start + dt.timedelta(days=1))
        if self.yearly is not None:
            event.add("rrule", _yearly_rule(*self.yearly))
        event.add("summary", self.summary)
        event.add("description", self.description)
        event.add("transp", "TRANSPARENT")
        if self.alarm:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", self.summary)
            alarm.add("trigger", vDuration.from_ical(self.alarm))
            event.add_component(alarm)
        return event

    def to_ical(self) -> bytes:
        return self.event().to_ical()


@dataclass(frozen=True, slots=True)
class FeedStats:
    """What one build of the feed did: events written; events serialized and reused from the
    cache in the profiles whose events were computed; profiles whose events were known
    (neither decoded nor computed); cached rows pruned."""

    events: int
    serialized: int
    reused: int
    profiles_reused: int
    pruned: int


def build_feed(vault: Vault, *, owner: str | None = None, today: dt.date | None = None,
               months: int | None = None) -> bytes:
    """The feed of ``vault`` as iCalendar bytes (CRLF line endings, UTF-8)."""
    out = io.BytesIO()
    write_feed_to(out, vault, owner=owner, today=today, months=months)
    return out.getvalue()


def write_feed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically, only when it differs; returns whether it wrote."""
    return write_if_changed(path, data)


def write_feed_to(fp: BinaryIO, vault: Vault, *, owner: str | None = None,
                  today: dt.date | None = None, months: int | None = None) -> FeedStats:
    """Write the feed of ``vault`` to the binary file ``fp`` an event at a time (the bytes of
    :func:`build_feed`, without holding them all in memory)."""
    day = today if today is not None else dt.date.today()
    until = add_months(day, vault.config["calendar.months"] if months is None else months)
    header = _header(vault.config, owner).to_ical()
    assert header.endswith(FOOTER)
    vault.profiles(full=False)  # brings the index up to date
    for attempt in range(3):
        build = FeedBuild(vault.index.db, partial(_select, until.toordinal(), _wanted(owner)))
        try:
            _collect(build, vault, day, until, owner)
            events = build.sorted_ical()
            try:
                first = next(events, None)
            except CacheRace:
                if attempt == 2:
                    raise
                continue
            fp.write(header[:-len(FOOTER)])
            if first is not None:
                fp.write(first)
            for ical in events:
                fp.write(ical)
            fp.write(FOOTER)
        finally:
            build.close()
        return FeedStats(events=build.events, serialized=build.misses, reused=build.hits,
                         profiles_reused=build.profile_hits, pruned=build.pruned)
    raise AssertionError("unreachable")


def _collect(build: FeedBuild, vault: Vault, today: dt.date, until: dt.date,
             owner: str | None) -> None:
    """Add every profile's events to ``build``, from the index rows, decoding a profile only
    when its events are not cached."""
    config, index = vault.config, vault.index
    # not the owner nor the horizon: a profile's cached events serve every feed of the day
    context = hashlib.blake2b(repr((CACHE_FORMAT, __version__, icalendar.__version__,
                                    today.toordinal(), sorted(config.items()))).encode()).digest()

    def add(blob: bytes, base: str, number: int) -> None:
        # the profile's index row, where its UIDs start, and everything else its events read
        key = hashlib.blake2b(b"".join([context, base.encode("utf-8", "surrogatepass"), b"\0",
                                        blob]), digest_size=16).digest()

        def events() -> tuple[list[Stored], list[EventRow]]:
            profile = codec.load_profile(blob)
            return _event_rows(profile, config, today, until, owner, base)

        build.add_profile(key, number, events)

    # An id shared by several profiles is not used: a profile is added with its id until a
    # later one (by path) turns out to share it, then added again with its path.
    first: dict[str, tuple[str, int]] = {}
    shared: set[str] = set()
    for number, (path, blob) in enumerate(index.summaries()):
        pid = codec.profile_id(blob)
        if pid and pid in first:
            shared.add(pid)
            add(blob, path, number)
        elif pid:
            first[pid] = (path, number)
            add(blob, pid, number)
        else:
            add(blob, path, number)
    if shared:
        again = dict(first[pid] for pid in shared)
        build.discard(again.values())
        for path, blob in index.summaries():
            if path in again:
                add(blob, path, again[path])


def write_feed_remembered(fp: BinaryIO, vault: Vault, *, owner: str | None = None,
                          today: dt.date | None = None, months: int | None = None) -> int:
    """:func:`write_feed_to`, remembered beside the index while the vault, the config and
    the arguments stay the same: a rerun on an unchanged vault copies the last feed.
    Returns the number of events."""
    day = today if today is not None else dt.date.today()
    key = "|".join([day.isoformat(), owner or "", "" if months is None else str(months),
                    vault.config.fingerprint()])
    vault.profiles(full=False)  # brings the index up to date first

    def write(out: BinaryIO) -> int:
        return write_feed_to(out, vault, owner=owner, today=day, months=months).events

    return vault.index.memo_stream("calendar", key, write, fp)[1]


def save_feed(path: Path, vault: Vault, *, owner: str | None = None,
              today: dt.date | None = None, months: int | None = None) -> tuple[bool, FeedStats]:
    """Write the feed to ``path`` atomically and only when it changed, streamed (a temporary
    file beside ``path``, compared by hash); returns whether it wrote, and the build's stats."""
    return write_stream_if_changed(
        path, lambda fp: write_feed_to(fp, vault, owner=owner, today=today, months=months))


def save_feed_remembered(path: Path, vault: Vault, *, owner: str | None = None,
                         today: dt.date | None = None,
                         months: int | None = None) -> tuple[bool, int]:
    """:func:`save_feed` through :func:`write_feed_remembered`: returns whether it wrote,
    and the number of events."""
    return write_stream_if_changed(
        path, lambda fp: write_feed_remembered(fp, vault, owner=owner, today=today,
                                               months=months))


def calendar(profiles: Iterable[Profile], config: Config, today: dt.date, *,
             owner: str | None = None, months: int | None = None) -> Calendar:
    """The reminder calendar of ``profiles`` as of ``today`` (pure: no clock, no files, no
    cache; :func:`build_feed` gives the same bytes).

    ``owner`` keeps one staff member's reminders (a task's ``@owner`` wins over the profile's
    ``owner``); ``months`` (default ``calendar.months``) limits how far ahead one-off reminders
    reach.
    """
    profiles = list(profiles)
    until = add_months(today, config["calendar.months"] if months is None else months)
    shared_ids = {i for i, n in Counter(p.id for p in profiles if p.id).items() if n > 1}
    events: list[EventSpec] = []
    for profile in profiles:
        base = profile.id if profile.id and profile.id not in shared_ids else profile.path
        events += [listed for _all, listed, _uid, _who in
                   _profile_events(profile, config, today, until, _wanted(owner), base)
                   if listed]
    events.sort(key=lambda e: (e.start, e.uid))
    cal = _header(config, owner)
    for spec in events:
        cal.add_component(spec.event())
    return cal


def _header(config: Config, owner: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = config["calendar.name"] + (f" ({owner})" if owner else "")
    cal.calendar_name = name  # NAME and X-WR-CALNAME
    refresh = vDuration.from_ical(config["calendar.refresh"])
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    return cal


def _wanted(owner: str | None) -> str | None:
    return None if owner is None else fold(owner.removeprefix("@"))


def _select(until: int, wanted: str | None,
            stored: list[Stored]) -> list[tuple[bytes, str, str, bool]] | None:
    """A profile's cached events (as in the full feed) as this feed has them: (key, start,
    UID, listed); None when this feed numbers a UID differently (the same task twice in a file,
    one of them left out by the owner), which only computing the events again can give."""
    out: list[tuple[bytes, str, str, bool]] = []
    seen: Counter[str] = Counter()
    for key, start, uid, stem, owner, due in stored:
        listed = (wanted is None or wanted == owner) and (due is None or due <= until)
        if listed:
            seen[stem] += 1
            if uid != _numbered(stem, seen[stem]):
                return None
        out.append((key, start, uid, listed))
    return out


def _event_rows(profile: Profile, config: Config, today: dt.date, until: dt.date,
                owner: str | None, base: str) -> tuple[list[Stored], list[EventRow]]:
    """The events of ``profile`` as the cache keeps them (as in the full feed, with what
    filters them) and as this feed has them."""
    stored: list[Stored] = []
    rows: list[EventRow] = []
    wanted = _wanted(owner)
    for spec, listed, stem, who in _profile_events(profile, config, today, until, wanted, base):
        start = spec.start.isoformat()
        due = None if spec.yearly is not None else spec.start.toordinal()
        stored.append((spec.key(), start, spec.uid, stem, who, due))
        if listed is not None and listed is not spec:
            rows.append((spec.key(), spec.to_ical, "", spec.uid, False))
            spec = listed
        rows.append((spec.key(), spec.to_ical, start, spec.uid, listed is not None))
    return stored, rows


def _profile_events(profile: Profile, config: Config, today: dt.date, until: dt.date,
                    wanted: str | None, base: str
                    ) -> list[tuple[EventSpec, EventSpec | None, str, str]]:
    """Each reminder's event as in the full feed, and as in this feed (None when the owner
    ``wanted`` or ``until`` leaves it out), with its UID before numbering and its folded owner.
    The two events differ only in a UID's ``-2`` suffix when the same task appears twice in a
    file and the owner filter keeps one of them."""
    quoted = quote(base, safe="/")
    stamp = _stamp(profile, today)
    details = _details(profile, config)
    alarms = config["calendar.alarms"]
    seen_all: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    out: list[tuple[EventSpec, EventSpec | None, str, str]] = []
    for rem in reminders(profile, config, today):
        who = fold(rem.owner or "")
        listed = wanted is None or wanted == who
        if rem.yearly_month_day is not None:
            start, summary, what = _yearly(profile, rem)
            uid = f"{quoted}-{rem.kind}"
        else:
            listed = listed and rem.date <= until
            start, summary, what = rem.date, _one_off_summary(rem), _one_off_text(profile, rem,
                                                                                   config, today)
            uid = f"{quoted}-{rem.kind}"
            if rem.kind == "task":
                digest = hashlib.sha256(rem.text.encode("utf-8")).hexdigest()[:12]
                uid = f"{quoted}-task-{rem.date.isoformat()}-{digest}"
        seen_all[uid] += 1
        full = EventSpec(uid=_numbered(uid, seen_all[uid]), stamp=stamp, start=start,
                         yearly=rem.yearly_month_day, summary=summary,
                         description="\n".join([what, *details]),
                         alarm=alarms.get(rem.kind) or None)
        mine = None
        if listed:
            seen[uid] += 1
            mine = full if seen[uid] == seen_all[uid] else replace(
                full, uid=_numbered(uid, seen[uid]))
        out.append((full, mine, uid, who))
    return out


def _numbered(uid: str, count: int) -> str:
    """The UID of the ``count``-th event with this UID in one file (the same task twice)."""
    return f"{uid}-{count}@{UID_DOMAIN}" if count > 1 else f"{uid}@{UID_DOMAIN}"


def _stamp(profile: Profile, today: dt.date) -> dt.date:
    """The profile's last change as the feed sees it: its newest log entry's date, else its
    ``customer_since``, else 1970-01-01; clamped to ``today``. (Midnight UTC in the feed.)"""
    newest = profile.newest_log()
    day = newest.date if newest is not None else (profile.customer_since or EPOCH)
    return min(day, today)


def _details(profile: Profile, config: Config) -> list[str]:
    """The DESCRIPTION lines after "what is due", each switchable in config."""
    lines = []
    if config["calendar.include_phone"] and profile.phones:
        lines.append("Phone: " + ", ".join(profile.phones))
    if config["calendar.include_email"] and profile.emails:
        lines.append("Email: " + ", ".join(profile.emails))
    newest = profile.newest_log()
    if config["calendar.include_log"] and newest is not None:
        kind = f" {newest.kind}:" if newest.kind else ""
        lines.append(f"Last log: {newest.date.isoformat()}{kind} {newest.text}")
    lines.append(f"File: {profile.path}")
    return lines


def _label(kind: str) -> str:
    return LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _one_off_summary(rem: Reminder) -> str:
    if rem.kind == "task":
        return f"Task: {rem.name} — {rem.text}"
    return f"{_label(rem.kind)}: {rem.name}"


def _one_off_text(profile: Profile, rem: Reminder, config: Config, today: dt.date) -> str:
    due = f"Due {rem.date.isoformat()}"
    # a reminder that moves daily is due today: the cheap test first
    if rem.kind == "keep_in_touch" and rem.date == today and _moves_daily(profile, config,
                                                                              today):
        return f"{rem.text[:1].upper()}{rem.text[1:]}: due every day until a contact is logged."
    if rem.kind == "task":
        return f"{due}: {rem.text}"
    return f"{due}: {rem.text}."


def _moves_daily(profile: Profile, config: Config, today: dt.date) -> bool:
    """Whether the keep-in-touch date is "today" (no log entry, no customer_since)."""
    now = contact_due(profile, config, today)
    later = contact_due(profile, config, today + dt.timedelta(days=1))
    return now is not None and later is not None and now[0] != later[0]


def _yearly(profile: Profile, rem: Reminder) -> tuple[dt.date, str, str]:
    """First occurrence, SUMMARY and the "what" line of a yearly reminder: the same every year."""
    assert rem.yearly_month_day is not None
    month, day = rem.yearly_month_day
    label = _label(rem.kind)
    if rem.kind == "birthday":
        born = profile.birthday
        if born is None or born.year is None:
            return (Birthday(month, day).in_year(ANCHOR_YEAR), f"{label}: {rem.name}",
                    "Birthday (year not known).")
        return (Birthday(month, day).in_year(born.year + 1),
                f"{label}: {rem.name} (born {born.year})",
                f"Born {born}: the age is this year minus {born.year}.")
    origin = profile.customer_since if rem.kind == "anniversary" else dict(profile.dates)[rem.kind]
    assert rem.yearly_from is not None and origin is not None
    what = (f"A customer since {origin.isoformat()}." if rem.kind == "anniversary"
            else f"{label}: {origin.isoformat()}.")
    return rem.yearly_from, f"{label}: {rem.name} (since {origin.year})", what


def _yearly_rule(month: int, day: int) -> vRecur:
    """Every year on (month, day); 29 February as the last day of February, which RFC 5545
    parsers (recurring-ical-events, ical.js, dateutil) expand to 28 February in common years,
    where a plain ``FREQ=YEARLY`` would skip them."""
    if (month, day) == (2, 29):
        return vRecur({"FREQ": "YEARLY", "BYMONTH": 2, "BYMONTHDAY": -1})
    return vRecur({"FREQ": "YEARLY"})
