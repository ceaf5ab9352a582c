"""The reminder calendar: the reminder model rendered as one RFC 5545 feed that apps subscribe to.

Each reminder *rule* (:func:`plaincrm.reminders.rules`) is one event. :func:`calendar` is the
pure function (profiles + config + day → an :class:`icalendar.Calendar`); :func:`write_feed_to`
gives its bytes from the index (each event serialized once, kept beside its file's rows), the
one path of ``calendar``, ``watch --calendar`` and ``serve``, which differ only in where the
bytes go. The serialization is icalendar's; this module only decides what goes in.
Everything in the feed is derived from the vault and the day given,
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
- DESCRIPTION: what is due, the phones and emails, what to recall of the person (as the
  agenda's context line, :func:`plaincrm.recall.context`: the first pinned fact, else the
  newest conversation, else the newest entry; ``calendar.include_log``), and the file.
- Texts are cleaned of control characters (TEXT allows only TAB) and escaped, the calendar's
  name too.
- Yearly reminders (birthday, anniversary, ``yearly`` dates) are one recurring event each, from
  their first occurrence on (also when that is still ahead); a 29 February date recurs with
  ``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1`` (the last day of February: 28 February in common
  years). Their texts do not change from year to year: a birthday with a
  known year says ``(born 1983)``, never an age.
- One-off reminders (service, task, keep in touch, ``once`` and ``due`` dates) sit on their
  due date, also when overdue, up to ``calendar.months`` months ahead; a booked service sits
  on the booked day (``Service booked: …``), the same event moved.
- A manager's feed (``--owner`` one of ``agenda.managers``) also holds the escalated items of
  the day: the events of others' actionable reminders overdue more than
  ``agenda.escalate_days``.
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
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import icalendar
from icalendar import Alarm, Calendar, Event, vDuration, vRecur, vText

from plaincrm import __version__
from plaincrm.agenda import matches_me
from plaincrm.config import MAX_MONTHS, Config
from plaincrm.errors import CacheError
from plaincrm.escalation import is_manager, last_quiet_day
from plaincrm.fields import FIRST_YEAR
from plaincrm.files import write_if_changed, write_stream_if_changed
from plaincrm.index import CalendarProfile
from plaincrm.loader import Vault
from plaincrm.logkinds import log_kinds
from plaincrm.model import Birthday, Profile, add_months
from plaincrm.recall import context
from plaincrm.reminders import OUTREACH, Rule, next_yearly, rules

PRODID = f"-//plaincrm//plaincrm {__version__}//EN"
UID_DOMAIN = "plaincrm"
EPOCH = dt.date(1970, 1, 1)
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)  # day 0 of SEQUENCE
FOOTER = b"END:VCALENDAR\r\n"
CACHE_FORMAT = 5  # bump when what an event or a profile entry holds, or a key, changes
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
    this module's constants, covered by ``CACHE_FORMAT``)."""

    uid: str
    stamp: dt.datetime  # DTSTAMP and LAST-MODIFIED (UTC)
    sequence: int  # SEQUENCE
    start: dt.date
    yearly: tuple[int, int] | None  # recurs every year on (month, day)
    summary: str
    description: str
    alarm: str | None  # the alarm's trigger, e.g. "-PT15H"

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
            alarm.add("trigger", vDuration.from_ical(self.alarm))  # type: ignore[no-untyped-call]
            event.add_component(alarm)
        return event

    def to_ical(self) -> bytes:
        return bytes(self.event().to_ical())


@dataclass(frozen=True, slots=True)
class FeedStats:
    """What one build of the feed did: events written, events serialized (not kept)."""

    events: int
    serialized: int


def build_feed(vault: Vault, *, owner: str | None = None, today: dt.date | None = None,
               months: int | None = None) -> bytes:
    """The feed of ``vault`` as iCalendar bytes (CRLF line endings, UTF-8)."""
    out = io.BytesIO()
    write_feed_to(out, vault, owner=owner, today=today, months=months)
    return out.getvalue()


def write_feed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically, only when it differs; returns whether it wrote."""
    return write_if_changed(path, data)


def save_feed(path: Path, vault: Vault, *, owner: str | None = None,
              today: dt.date | None = None, months: int | None = None) -> tuple[bool, FeedStats]:
    """Write the feed to ``path`` atomically and only when it changed, streamed (a temporary
    file beside ``path``, compared by hash); returns whether it wrote, and the build's stats."""
    return write_stream_if_changed(
        path, lambda fp: write_feed_to(fp, vault, owner=owner, today=today, months=months))


def write_feed_to(fp: BinaryIO, vault: Vault, *, owner: str | None = None,
                  today: dt.date | None = None, months: int | None = None) -> FeedStats:
    """Write the feed of ``vault`` to the binary file ``fp``, a few hundred events at a time:
    the bytes :func:`calendar` gives for the vault's profiles. The one path of ``calendar``,
    ``watch --calendar`` and ``serve``.

    It is a query of the index: each rule's event, its bytes kept with its file's rows, read
    back sorted. Only the profiles whose kept events are missing or not the day's (a new
    revision, a reminder due every day) have theirs planned and serialized again (see
    :meth:`plaincrm.index.Index.event_feed`)."""
    day = today if today is not None else dt.date.today()
    config, index = vault.config, vault.index
    if vault.stats is None:
        vault.refresh()
    until = _horizon(day, config, months)
    header = _header(config, owner).to_ical()
    version = f"{CACHE_FORMAT}|{__version__}|{icalendar.__version__}|{config.fingerprint()}"
    mine = None if owner is None else partial(_mine, wanted=owner)
    boss = owner is not None and is_manager(owner, config)
    escalated = last_quiet_day(day.toordinal(), config) if boss else None
    for _attempt in range(3):
        with index.event_feed(version, day, until, mine, escalated) as feed:
            losers: set[str] | None = None
            for cp in feed.stale():  # every event of the day, made once and kept
                losers = _losers(index.shared_ids()) if losers is None else losers
                keeps = cp.path not in losers
                base = _uid_base(cp.path, cp.pid, keeps_id=keeps)
                for seq, key, spec in _profile_events(cp, config, day, dt.date.max, None, base):
                    if spec is not None:
                        feed.store(cp.path, seq, key, keeps, spec.to_ical(), cp.gen)
            if feed.write_sorted(fp.write, header[:-len(FOOTER)]):
                fp.write(FOOTER)
                return FeedStats(events=feed.events, serialized=feed.stored)
    raise CacheError("the index kept changing while the feed was written (other plaincrm "
                     "commands at work?); run the command again")


def calendar(profiles: Iterable[Profile], config: Config, today: dt.date, *,
             owner: str | None = None, months: int | None = None) -> Calendar:
    """The reminder calendar of ``profiles`` as of ``today`` (pure: no clock, no files, no
    index; :func:`build_feed` gives the same bytes).

    ``owner`` keeps one staff member's reminders (a task's ``@owner`` wins over the profile's
    ``owner``; names match as in the agenda, :func:`plaincrm.agenda.matches_me`); ``months``
    (default ``calendar.months``) limits how far ahead one-off reminders reach.
    """
    profiles = sorted(profiles, key=lambda p: p.path)
    until = _horizon(today, config, months)
    losers = _losers((p.id, p.path, p.log_count) for p in profiles if p.id)
    events: list[EventSpec] = []
    for profile in profiles:
        base = _uid_base(profile.path, profile.id, keeps_id=profile.path not in losers)
        cp = _facts(profile, config)
        events += [spec for _seq, _key, spec in
                   _profile_events(cp, config, today, until, owner, base, kept=False)
                   if spec is not None]
    events.sort(key=lambda e: (e.start, e.uid))
    cal = _header(config, owner)
    for spec in events:
        cal.add_component(spec.event())
    return cal


def _facts(profile: Profile, config: Config) -> CalendarProfile:
    """What the calendar reads of ``profile``, as the index keeps it (no events kept)."""
    try:
        found = rules(profile, config)
    except (ValueError, OverflowError):  # a date beyond the calendar: no reminder at all
        found = []
    return CalendarProfile(profile.path, profile.id, found, profile.newest_log(),
                           profile.customer_since, ", ".join(profile.phones) or None,
                           ", ".join(profile.emails) or None,
                           context(profile, log_kinds(config)))


def _losers(shared: Iterable[tuple[str, str, int]]) -> set[str]:
    """The paths of the profiles that share an id and do not keep it (see :func:`_keeps_id`)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for pid, path, log_count in shared:
        groups.setdefault(pid, []).append((log_count, path))
    return {path for group in groups.values() for _count, path in group
            if path != _keeps_id(group)}


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
    refresh = vDuration.from_ical(config["calendar.refresh"])  # type: ignore[no-untyped-call]
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
def _mine(owner: str | None, wanted: str | None = None) -> bool:
    """Whether a reminder of ``owner`` is in the feed of ``wanted`` (None: everybody's)."""
    return wanted is None or matches_me(owner or None, wanted)


def _escalated_to(rule: Rule, wanted: str | None, today: dt.date, config: Config) -> bool:
    """Whether ``rule``'s event is in the feed of ``wanted`` as an item escalated to them."""
    if wanted is None or not rule.actionable or rule.due is None or rule.month_day:
        return False
    last = last_quiet_day(today.toordinal(), config)
    return last is not None and rule.due.toordinal() <= last and is_manager(wanted, config)


Planned = tuple[int, tuple[str, int, int], "EventSpec | None"]  # seq, (UID, revision, start)


def _profile_events(cp: CalendarProfile, config: Config, today: dt.date, until: dt.date,
                    wanted: str | None, base: str, kept: bool = True) -> list[Planned]:
    """The events of one profile in this feed (the owner ``wanted``, one-off reminders up to
    ``until``): for each, its rule's number, its (UID, revision, start) and its content, None
    when the index keeps the bytes of that same event (``kept``). Yearly rules give one
    recurring event each, from their first occurrence; dated ones an event on their day (a
    daily one on ``today``, revised today). The same task twice in a file numbers its UIDs.

    A profile whose events cannot be built (a date beyond what the calendar can hold) has
    none: the rest of the feed does not depend on it."""
    try:
        revised = _revised(cp, today)
        details: list[str] | None = None
        seen: Counter[str] = Counter()
        out: list[Planned] = []
        for seq, rule in enumerate(cp.rules):
            if not _mine(rule.owner, wanted) and not _escalated_to(rule, wanted, today, config):
                continue
            revision, uid = revised, f"{base}-{rule.kind}"
            if rule.kind == OUTREACH:  # several a profile: told apart by what they say
                digest = hashlib.sha256(rule.text.encode("utf-8")).hexdigest()[:12]
                uid = f"{base}-outreach-{digest}"
            if rule.month_day is not None:
                start = _first(rule)
            else:
                start = rule.due or today
                if start > until or (rule.until is not None and rule.until < today):
                    continue
                if rule.kind == OUTREACH:
                    uid = f"{base}-outreach-{start.isoformat()}-{digest}"
                if rule.daily:
                    revision = today  # it moves every day: so does its revision
                if rule.kind == "task":
                    digest = hashlib.sha256(rule.text.encode("utf-8")).hexdigest()[:12]
                    uid = f"{base}-task-{start.isoformat()}-{digest}"
            seen[uid] += 1
            key = (_numbered(uid, seen[uid]), revision.toordinal(), start.toordinal())
            if kept and cp.kept.get(seq) == key:
                out.append((seq, key, None))
                continue
            if details is None:
                details = _details(cp, config)
            out.append((seq, key, _event(rule, key[0], revision, start, details, config)))
        return out
    except (ArithmeticError, ValueError):
        return []


def _first(rule: Rule) -> dt.date:
    """The first occurrence of a yearly rule: a birthday's first after the birth (one without
    a year: in ANCHOR_YEAR), an anniversary's first after ``customer_since``, a yearly date's
    the date itself."""
    assert rule.month_day is not None
    month, day = rule.month_day
    if rule.kind == "birthday":
        year = ANCHOR_YEAR if rule.origin is None else rule.origin.year + 1
        return Birthday(month, day).in_year(year)
    assert rule.origin is not None
    if rule.kind == "anniversary":
        return next_yearly(month, day, rule.origin + dt.timedelta(days=1))
    return rule.origin


def _event(rule: Rule, uid: str, revision: dt.date, start: dt.date, details: list[str],
           config: Config) -> EventSpec:
    label = _label(rule.kind)
    if rule.kind == OUTREACH:
        summary = f"{label}: {rule.name} — {rule.text}"
        what = f"{rule.text[:1].upper()}{rule.text[1:]}"
        if rule.month_day is not None:
            what += ", every year."
        else:
            what += f" on {start.isoformat()}" + (
                f" (or a day up to {rule.until.isoformat()})." if rule.until else ".")
    elif rule.month_day is not None:
        summary, what = _yearly(rule, label)
    else:
        summary = (f"Task: {rule.name} — {rule.text}" if rule.kind == "task"
                   else f"Service booked: {rule.name}" if rule.booked is not None
                   else f"{label}: {rule.name}")
        if rule.daily:
            what = f"{rule.text[:1].upper()}{rule.text[1:]}: due every day until a contact " \
                   "is logged."
        else:
            what = f"Due {start.isoformat()}: {rule.text}" + ("" if rule.kind == "task" else ".")
    return _spec(uid, revision, start, rule.month_day, clean_text(summary),
                 clean_text("\n".join([what, *details])),
                 config["calendar.alarms"].get(rule.kind) or None)


def _yearly(rule: Rule, label: str) -> tuple[str, str]:
    """SUMMARY and the "what" line of a yearly event: the same every year."""
    origin = rule.origin
    if rule.kind == "birthday":
        if origin is None:
            return f"{label}: {rule.name}", "Birthday (year not known)."
        return (f"{label}: {rule.name} (born {origin.year})",
                f"Born {origin.isoformat()}: the age is this year minus {origin.year}.")
    assert origin is not None
    what = (f"A customer since {origin.isoformat()}." if rule.kind == "anniversary"
            else f"{label}: {origin.isoformat()}.")
    return f"{label}: {rule.name} (since {origin.year})", what


def _numbered(uid: str, count: int) -> str:
    """The UID of the ``count``-th event with this UID in one file (the same task twice)."""
    return f"{uid}-{count}@{UID_DOMAIN}" if count > 1 else f"{uid}@{UID_DOMAIN}"


def _revised(cp: CalendarProfile, today: dt.date) -> dt.date:
    """The profile's last change as the vault dates it: the newer of its newest log entry and
    its ``customer_since``, leaving out dates after ``today``; else 1970-01-01."""
    dated = [day for day in (cp.last.date if cp.last else None, cp.since)
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


def _details(cp: CalendarProfile, config: Config) -> list[str]:
    """The DESCRIPTION lines after "what is due", each switchable in config."""
    lines = []
    if config["calendar.include_phone"] and cp.phones:
        lines.append(f"Phone: {cp.phones}")
    if config["calendar.include_email"] and cp.emails:
        lines.append(f"Email: {cp.emails}")
    recalled = cp.context if config["calendar.include_log"] else None
    if isinstance(recalled, str):  # as the agenda's context line: a pinned fact first,
        lines.append(f"Remember: {recalled}")
    elif recalled is not None:  # else the newest conversation (else the newest entry)
        kind = f" {recalled.kind}:" if recalled.kind else ""
        lines.append(f"Last log: {recalled.date.isoformat()}{kind} {recalled.text}")
    lines.append(f"File: {cp.path}")
    return lines


def _label(kind: str) -> str:
    return LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _yearly_rule(month: int, day: int) -> vRecur:
    """Every year on (month, day); 29 February as the last day of February, which RFC 5545
    parsers (recurring-ical-events, ical.js, dateutil) expand to 28 February in common years,
    where a plain ``FREQ=YEARLY`` would skip them."""
    if (month, day) == (2, 29):
        return vRecur({"FREQ": "YEARLY", "BYMONTH": 2, "BYMONTHDAY": -1})
    return vRecur({"FREQ": "YEARLY"})
