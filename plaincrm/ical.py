"""The reminder calendar: the reminder model rendered as one RFC 5545 feed that apps subscribe to.

Data flows one way: profiles + config → :func:`plaincrm.reminders.reminders` → :func:`calendar`
(a pure function returning an :class:`icalendar.Calendar`) → :func:`build_feed` (bytes) →
:func:`write_feed` (atomic, only when changed). The serialization is icalendar's; this module
only decides what goes in. Everything in the feed is derived from the vault and the day given,
never from the clock or a random number, so an unchanged vault gives byte-identical output:

- UIDs: ``<profile id>-<kind>@plaincrm``; tasks add their date and a hash of their text
  (``-task-2026-12-01-1a2b3c4d5e6f``). A profile without an id has ``p+<digest of its path>``
  instead of the id, never the path (it holds the customer's name). Of the profiles sharing an
  id, the one with the most log entries keeps it; the others add ``+<digest of the path>``, so
  no two events ever share a UID.
- DTSTAMP and LAST-MODIFIED: the profile's revision day (its newest log entry or
  ``customer_since``, not after today; 1970-01-01 without) at a time of day that is a checksum
  of the rest of the event; SEQUENCE: days from 1000-01-01 to the revision day plus days to the
  start. Any edit changes the stamp; a later dated change or an event moved later raises both.
- Texts are cleaned of control characters (TEXT allows only TAB) and escaped, the calendar's
  name too.
- Yearly reminders (birthday, anniversary, ``yearly`` dates) are one recurring event each, from
  their first occurrence on (also when that is still ahead); a 29 February date recurs with
  ``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1`` (the last day of February: 28 February in common
  years). Their texts do not change from year to year: a birthday with a
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
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import icalendar
from icalendar import Alarm, Calendar, Event, vDuration, vRecur, vText

from plaincrm import __version__, codec
from plaincrm.agenda import matches_me
from plaincrm.config import Config
from plaincrm.eventcache import CacheRace, EventRow, FeedBuild, Stored
from plaincrm.fields import FIRST_YEAR, MAX_YEARS
from plaincrm.files import write_if_changed, write_stream_if_changed
from plaincrm.loader import Vault
from plaincrm.model import Birthday, Profile, add_months
from plaincrm.reminders import Reminder, contact_due, next_yearly, reminders

PRODID = f"-//plaincrm//plaincrm {__version__}//EN"
UID_DOMAIN = "plaincrm"
EPOCH = dt.date(1970, 1, 1)
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)  # day 0 of SEQUENCE
MAX_MONTHS = MAX_YEARS * 12  # --months and calendar.months: the longest duration plaincrm takes
FOOTER = b"END:VCALENDAR\r\n"
CACHE_FORMAT = 3  # bump when what an event or a profile entry holds, or a key, changes
# TEXT (RFC 5545 3.3.11) allows no control character but TAB; line and paragraph separators
# and the non-characters U+FFFE/U+FFFF break line-based parsers too; a lone surrogate (a file
# name that is not UTF-8) cannot be written at all
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
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
    stamp: dt.datetime  # DTSTAMP and LAST-MODIFIED (UTC)
    sequence: int  # SEQUENCE
    start: dt.date
    yearly: tuple[int, int] | None  # recurs every year on (month, day)
    summary: str
    description: str
    alarm: str | None  # the alarm's trigger, e.g. "-PT15H"

    def key(self) -> bytes:
        """A hash of the inputs and of the serializer's version: the event cache's key."""
        inputs = (CACHE_FORMAT, icalendar.__version__, self.uid, self.stamp.isoformat(),
                  self.sequence, self.start.toordinal(), self.yearly, self.summary,
                  self.description, self.alarm)
        digest = hashlib.blake2b(repr(inputs).encode("utf-8", "surrogatepass"), digest_size=16)
        # the cache stores events in key order, so a feed (in date order) finds them close
        return self.start.isoformat().encode() + digest.digest()

    def event(self) -> Event:
        event = Event()
        event.add("uid", self.uid)
        event.add("dtstamp", self.stamp)
        event.add("last-modified", self.stamp)
        event.add("sequence", self.sequence)
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
    until = _horizon(day, vault.config, months)
    header = _header(vault.config, owner).to_ical()
    assert header.endswith(FOOTER)
    vault.profiles(full=False)  # brings the index up to date
    for attempt in range(3):
        build = FeedBuild(vault.index.db, partial(_select, until.toordinal(), owner))
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

    # An id shared by several profiles stays with one of them (see _keeps_id); the others
    # add a digest of their path to it. A profile is added with the id until a later one (by
    # path) turns out to share it; when that one keeps the id, both are added again.
    first: dict[str, tuple[str, int]] = {}
    sharing: dict[str, list[tuple[str, int]]] = {}
    for number, (path, blob) in enumerate(index.summaries()):
        pid = codec.profile_id(blob)
        if pid and pid in first:
            sharing.setdefault(pid, [first[pid]]).append((path, number))
            add(blob, _uid_base(path, pid, keeps_id=False), number)
        else:
            if pid:
                first[pid] = (path, number)
            add(blob, _uid_base(path, pid), number)
    if sharing:
        members = {path: pid for pid, group in sharing.items() for path, _number in group}
        blobs = {path: blob for path, blob in index.summaries() if path in members}
        again: list[tuple[str, int, bool]] = []
        for group in sharing.values():
            keeper = _keeps_id([(codec.load_profile(blobs[path]).log_count, path)
                                for path, _number in group])
            if keeper != group[0][0]:
                again += [(*group[0], False), next((*m, True) for m in group if m[0] == keeper)]
        if again:
            build.discard([number for _path, number, _keeps in again])
            for path, number, keeps in again:
                add(blobs[path], _uid_base(path, members[path], keeps_id=keeps), number)


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
    ``owner``; names match as in the agenda, :func:`plaincrm.agenda.matches_me`); ``months``
    (default ``calendar.months``) limits how far ahead one-off reminders reach.
    """
    profiles = sorted(profiles, key=lambda p: p.path)
    until = _horizon(today, config, months)
    groups: dict[str, list[tuple[int, str]]] = {}
    for profile in profiles:
        if profile.id:
            groups.setdefault(profile.id, []).append((profile.log_count, profile.path))
    keepers = {_keeps_id(group) for group in groups.values()}
    events: list[EventSpec] = []
    for profile in profiles:
        base = _uid_base(profile.path, profile.id, keeps_id=profile.path in keepers)
        events += [listed for _all, listed, _uid, _who in
                   _profile_events(profile, config, today, until, owner, base)
                   if listed]
    events.sort(key=lambda e: (e.start, e.uid))
    cal = _header(config, owner)
    for spec in events:
        cal.add_component(spec.event())
    return cal


def _horizon(today: dt.date, config: Config, months: int | None) -> dt.date:
    """The last day one-off reminders reach: ``months`` (else ``calendar.months``) ahead, at
    most MAX_MONTHS."""
    count = config["calendar.months"] if months is None else months
    return add_months(today, max(0, min(count, MAX_MONTHS)))


def clean_text(text: str) -> str:
    """``text`` as an iCalendar TEXT value may hold it: line breaks kept (as ``\\n``), every
    other control character a space, a lone surrogate U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", text))


def _header(config: Config, owner: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # not Calendar.calendar_name, which writes the text unescaped (, ; \ split the name)
    name = vText(clean_text(config["calendar.name"] + (f" ({owner})" if owner else "")))
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    refresh = vDuration.from_ical(config["calendar.refresh"])
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    return cal


def _uid_base(path: str, pid: str | None, *, keeps_id: bool = True) -> str:
    """Where the UIDs of the profile at ``path`` start: its ``id`` (URL-encoded); without an
    id, ``p+`` and a digest of the path; when another profile keeps the same id, the id, ``+``
    and a digest of id and path. URL-encoding never writes ``+``, so none of these can be
    another's, and no UID carries a file name."""
    if pid and keeps_id:
        return quote(pid, safe="/")
    digest = hashlib.blake2b(f"{pid or ''}\0{path}".encode("utf-8", "surrogatepass"),
                             digest_size=8, person=b"plaincrm-uid").hexdigest()
    return f"{quote(pid, safe='/')}+{digest}" if pid else f"p+{digest}"


def _keeps_id(group: list[tuple[int, str]]) -> str:
    """Of the profiles sharing an id, as (log entries, path), the path of the one whose events
    keep the id's UIDs: the one with the most log entries (the profile that was there first,
    not a new file or a copy), then the first by path."""
    return min(group, key=lambda member: (-member[0], member[1]))[1]


@lru_cache(maxsize=4096)  # a vault has few owners; a feed asks for each of its events
def _mine(owner: str | None, wanted: str | None) -> bool:
    """Whether a reminder of ``owner`` is in the feed of ``wanted`` (None: everybody's)."""
    return wanted is None or matches_me(owner or None, wanted)


def _select(until: int, wanted: str | None,
            stored: list[Stored]) -> list[tuple[bytes, str, str, bool]] | None:
    """A profile's cached events (as in the full feed) as this feed has them: (key, start,
    UID, listed); None when this feed numbers a UID differently (the same task twice in a file,
    one of them left out by the owner), which only computing the events again can give."""
    out: list[tuple[bytes, str, str, bool]] = []
    seen: Counter[str] = Counter()
    for key, start, uid, stem, owner, due in stored:
        listed = _mine(owner, wanted) and (due is None or due <= until)
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
    for spec, listed, stem, who in _profile_events(profile, config, today, until, owner, base):
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
    ``wanted`` or ``until`` leaves it out), with its UID before numbering and its owner.
    The two events differ only in a UID's ``-2`` suffix when the same task appears twice in a
    file and the owner filter keeps one of them.

    A profile whose events cannot be built (a date beyond what the calendar can hold) has
    none: the rest of the feed does not depend on it."""
    try:
        return _events_of(profile, config, today, until, wanted, base)
    except (ArithmeticError, ValueError):
        return []


def _events_of(profile: Profile, config: Config, today: dt.date, until: dt.date,
               wanted: str | None, base: str
               ) -> list[tuple[EventSpec, EventSpec | None, str, str]]:
    revised = _revised(profile, today)
    details = _details(profile, config)
    alarms = config["calendar.alarms"]
    seen_all: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    out: list[tuple[EventSpec, EventSpec | None, str, str]] = []
    for rem in _reminders(profile, config, today):
        listed = _mine(rem.owner, wanted)
        revision = revised
        if rem.yearly_month_day is not None:
            start, summary, what = _yearly(profile, rem)
            uid = f"{base}-{rem.kind}"
        else:
            listed = listed and rem.date <= until
            moving = rem.kind == "keep_in_touch" and rem.date == today and _moves_daily(
                profile, config, today)  # the cheap tests first
            if moving:
                revision = today  # it moves every day: so does its revision
            start, summary, what = rem.date, _one_off_summary(rem), _one_off_text(rem, moving)
            uid = f"{base}-{rem.kind}"
            if rem.kind == "task":
                digest = hashlib.sha256(rem.text.encode("utf-8")).hexdigest()[:12]
                uid = f"{base}-task-{rem.date.isoformat()}-{digest}"
        seen_all[uid] += 1
        full = _spec(_numbered(uid, seen_all[uid]), revision, start, rem.yearly_month_day,
                     clean_text(summary), clean_text("\n".join([what, *details])),
                     alarms.get(rem.kind) or None)
        mine = None
        if listed:
            seen[uid] += 1
            mine = full if seen[uid] == seen_all[uid] else replace(
                full, uid=_numbered(uid, seen[uid]))
        out.append((full, mine, uid, rem.owner or ""))
    return out


def _reminders(profile: Profile, config: Config, today: dt.date) -> list[Reminder]:
    """The profile's reminders as of ``today``, and the yearly ones whose first occurrence is
    still ahead (a birthday with a year to come, a customer of less than a year), which the
    reminder model gives from that first day on: the feed holds them from the start."""
    found = reminders(profile, config, today)
    kinds = {rem.kind for rem in found if rem.yearly_month_day is not None}
    ahead: dict[dt.date, set[str]] = {}
    born = profile.birthday
    if born is not None and born.year is not None and "birthday" not in kinds:
        first = Birthday(born.month, born.day).in_year(born.year + 1)
        if first > today:
            ahead.setdefault(first, set()).add("birthday")
    since = profile.customer_since
    if since is not None and "anniversary" not in kinds:
        first = next_yearly(since.month, since.day, since + dt.timedelta(days=1))
        if first > today:
            ahead.setdefault(first, set()).add("anniversary")
    for day, wanted in sorted(ahead.items()):
        found += [rem for rem in reminders(profile, config, day)
                  if rem.kind in wanted and rem.yearly_month_day is not None]
    return found


def _numbered(uid: str, count: int) -> str:
    """The UID of the ``count``-th event with this UID in one file (the same task twice)."""
    return f"{uid}-{count}@{UID_DOMAIN}" if count > 1 else f"{uid}@{UID_DOMAIN}"


def _revised(profile: Profile, today: dt.date) -> dt.date:
    """The profile's last change as the vault dates it: the newer of its newest log entry and
    its ``customer_since``, leaving out dates after ``today``; else 1970-01-01."""
    newest = profile.newest_log()
    dated = [day for day in (newest.date if newest else None, profile.customer_since)
             if day is not None and day <= today]
    return max(dated, default=min(EPOCH, today))


def _spec(uid: str, revision: dt.date, start: dt.date, yearly: tuple[int, int] | None,
          summary: str, description: str, alarm: str | None) -> EventSpec:
    """The event, with its revision: DTSTAMP and LAST-MODIFIED on the ``revision`` day at a
    time of day that is a checksum of everything else in the event (so that any edit moves
    them), SEQUENCE the days from FIRST_DAY to the revision day plus the days from FIRST_DAY
    to the start (so that a newer dated change, or an event moved later, counts up)."""
    if start == dt.date.max:  # no DTEND: fail here, not while the feed is written
        raise OverflowError(f"{uid}: no day after {start}")
    content = repr((uid, start.toordinal(), yearly, summary, description, alarm))
    checksum = hashlib.blake2b(content.encode("utf-8"), digest_size=4).digest()
    stamp = dt.datetime(revision.year, revision.month, revision.day, tzinfo=dt.UTC)
    stamp += dt.timedelta(seconds=int.from_bytes(checksum) % 86400)
    sequence = (revision - FIRST_DAY).days + (start - FIRST_DAY).days
    return EventSpec(uid=uid, stamp=stamp, sequence=sequence, start=start, yearly=yearly,
                     summary=summary, description=description, alarm=alarm)


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


def _one_off_text(rem: Reminder, moving: bool) -> str:
    if moving:
        return f"{rem.text[:1].upper()}{rem.text[1:]}: due every day until a contact is logged."
    due = f"Due {rem.date.isoformat()}"
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
