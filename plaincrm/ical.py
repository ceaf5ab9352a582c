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
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event, vDuration, vRecur

from plaincrm import __version__
from plaincrm.config import Config
from plaincrm.files import write_if_changed
from plaincrm.loader import Vault
from plaincrm.lookup import fold
from plaincrm.model import Birthday, Profile, add_months
from plaincrm.reminders import Reminder, contact_due, reminders

PRODID = f"-//plaincrm//plaincrm {__version__}//EN"
UID_DOMAIN = "plaincrm"
EPOCH = dt.date(1970, 1, 1)
ANCHOR_YEAR = 2000  # first occurrence of a birthday without a year (--MM-DD): a leap year
LABELS = {
    "birthday": "Birthday",
    "service": "Service due",
    "task": "Task",
    "keep_in_touch": "Get in touch",
    "anniversary": "Customer anniversary",
}


def build_feed(vault: Vault, *, owner: str | None = None, today: dt.date | None = None,
               months: int | None = None) -> bytes:
    """The feed of ``vault`` as iCalendar bytes (CRLF line endings, UTF-8)."""
    day = today if today is not None else dt.date.today()
    cal = calendar(vault.profiles(full=False), vault.config, day, owner=owner, months=months)
    return cal.to_ical()


def write_feed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically, only when it differs; returns whether it wrote."""
    return write_if_changed(path, data)


def calendar(profiles: Iterable[Profile], config: Config, today: dt.date, *,
             owner: str | None = None, months: int | None = None) -> Calendar:
    """The reminder calendar of ``profiles`` as of ``today`` (pure: no clock, no files).

    ``owner`` keeps one staff member's reminders (a task's ``@owner`` wins over the profile's
    ``owner``); ``months`` (default ``calendar.months``) limits how far ahead one-off reminders
    reach.
    """
    profiles = list(profiles)
    until = add_months(today, config["calendar.months"] if months is None else months)
    shared_ids = {i for i, n in Counter(p.id for p in profiles if p.id).items() if n > 1}
    events: list[tuple[dt.date, str, Event]] = []
    for profile in profiles:
        base = profile.id if profile.id and profile.id not in shared_ids else profile.path
        events += _profile_events(profile, config, today, until, owner, quote(base, safe="/"))
    events.sort(key=lambda e: (e[0], e[1]))

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = config["calendar.name"] + (f" ({owner})" if owner else "")
    cal.calendar_name = name  # NAME and X-WR-CALNAME
    refresh = vDuration.from_ical(config["calendar.refresh"])
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    for _start, _uid, event in events:
        cal.add_component(event)
    return cal


def _profile_events(profile: Profile, config: Config, today: dt.date, until: dt.date,
                    owner: str | None, base: str) -> list[tuple[dt.date, str, Event]]:
    stamp = _stamp(profile, today)
    details = _details(profile, config)
    seen: Counter[str] = Counter()
    out: list[tuple[dt.date, str, Event]] = []
    for rem in reminders(profile, config, today):
        if owner is not None and fold(owner.removeprefix("@")) != fold(rem.owner or ""):
            continue
        if rem.yearly_month_day is not None:
            start, summary, what = _yearly(profile, rem)
            uid = f"{base}-{rem.kind}"
        else:
            if rem.date > until:
                continue
            start, summary, what = rem.date, _one_off_summary(rem), _one_off_text(profile, rem,
                                                                                   config, today)
            uid = f"{base}-{rem.kind}"
            if rem.kind == "task":
                digest = hashlib.sha256(rem.text.encode("utf-8")).hexdigest()[:12]
                uid = f"{base}-task-{rem.date.isoformat()}-{digest}"
        seen[uid] += 1
        if seen[uid] > 1:  # the same task twice in one file
            uid = f"{uid}-{seen[uid]}"
        uid = f"{uid}@{UID_DOMAIN}"

        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(days=1))
        if rem.yearly_month_day is not None:
            event.add("rrule", _yearly_rule(*rem.yearly_month_day))
        event.add("summary", summary)
        event.add("description", "\n".join([what, *details]))
        event.add("transp", "TRANSPARENT")
        alarm = _alarm(config, rem.kind, summary)
        if alarm is not None:
            event.add_component(alarm)
        out.append((start, uid, event))
    return out


def _stamp(profile: Profile, today: dt.date) -> dt.datetime:
    """The profile's last change as the feed sees it: its newest log entry's date, else its
    ``customer_since``, else 1970-01-01; clamped to ``today``. Midnight UTC."""
    newest = profile.newest_log()
    day = newest.date if newest is not None else (profile.customer_since or EPOCH)
    day = min(day, today)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


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
    if rem.kind == "keep_in_touch" and _moves_daily(profile, config, today):
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


def _alarm(config: Config, kind: str, summary: str) -> Alarm | None:
    trigger = config["calendar.alarms"].get(kind)
    if not trigger:
        return None
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", vDuration.from_ical(trigger))
    return alarm
