"""What outreach would do today: a pure function of the profiles, the settings, the templates
and the suppression list. The dry run prints it; drafts and sending act on its ``send`` items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from plaincrm.model import Location, Problem, Profile
from plaincrm.outreach import ledger
from plaincrm.outreach.consent import Suppression, address, opted_out, suppressed
from plaincrm.outreach.occasions import Occasion, occasions
from plaincrm.outreach.settings import Settings
from plaincrm.outreach.template import Rendered, Templates, variables


class Action(StrEnum):
    SEND = "send"  # goes out
    HOLD = "hold"  # over the daily cap: goes out on a later run
    SKIP = "skip"  # not sent, and why
    CHECK = "check"  # recorded as being sent, never confirmed: a person must check


@dataclass(frozen=True, slots=True)
class Item:
    """One message outreach considered, and what it does with it."""

    action: Action
    profile: Profile
    occasion: Occasion
    reason: str = ""  # SKIP, HOLD, CHECK: why
    address: str | None = None
    rendered: Rendered | None = None
    msgid: str | None = None  # CHECK: the message to look for

    @property
    def location(self) -> Location:
        return self.occasion.location

    def sort_key(self) -> tuple[int, dt.date, str, str]:
        return (list(Action).index(self.action), self.occasion.date, self.profile.path,
                self.occasion.key)


@dataclass
class Plan:
    today: dt.date
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    already_sent: int = 0  # occasions of today's window recorded as sent
    sent_today: int = 0  # what the daily cap counted before this run

    def of(self, action: Action) -> list[Item]:
        return [i for i in self.items if i.action is action]


Finder = Callable[[Profile, dt.date], list[Occasion]]


def make_plan(profiles: Iterable[Profile], settings: Settings, today: dt.date,
              templates: Templates, suppression: Suppression | None,
              suppression_problems: list[Problem], sender_name: str,
              find: Finder | None = None) -> Plan:
    """Every message due today, in the order they would go out, with what stops each one.

    ``find`` gives a profile's occasions (default: the configured ones; a campaign passes its
    own). ``suppression`` None means the list could not be read: nothing is sent.
    """
    plan = Plan(today, problems=list(suppression_problems))
    find = find or (lambda p, day: occasions(p, settings, day))
    ready: list[Item] = []
    for profile in profiles:
        recorded = ledger.records(profile)
        plan.sent_today += ledger.sent_on(profile, today)
        seen: set[str] = set()
        for record in ledger.unresolved(profile):
            seen.add(record.key)
            plan.items.append(Item(Action.CHECK, profile, _checked(profile, record),
                                   "recorded as being sent, never confirmed",
                                   msgid=record.msgid))
        for occasion in find(profile, today):
            state, _ = ledger.status(recorded, occasion.key)
            if state is ledger.Status.SENT:
                plan.already_sent += 1
                continue
            if occasion.key in seen:
                continue
            item = _consider(profile, occasion, settings, today, templates, suppression,
                             sender_name, plan.problems)
            (ready if item.action is Action.SEND else plan.items).append(item)
    ready.sort(key=Item.sort_key)
    room = max(settings.daily_cap - plan.sent_today, 0)
    for n, item in enumerate(ready):
        if n >= room:
            item = Item(Action.HOLD, item.profile, item.occasion,
                        f"over the daily cap of {settings.daily_cap}", item.address,
                        item.rendered)
        plan.items.append(item)
    plan.items.sort(key=Item.sort_key)
    return plan


def _checked(profile: Profile, record: ledger.Record) -> Occasion:
    return Occasion(record.key, record.key, record.date,
                    f"recorded on {record.date.isoformat()} as being sent", record.location)


def _consider(profile: Profile, occasion: Occasion, settings: Settings, today: dt.date,
              templates: Templates, suppression: Suppression | None, sender_name: str,
              problems: list[Problem]) -> Item:
    def skip(reason: str, to: str | None = None) -> Item:
        return Item(Action.SKIP, profile, occasion, reason, to)

    flag = opted_out(profile)
    if flag:
        return skip(f"opted out ({flag})")
    if suppression is None:
        return skip("the suppression list cannot be read")
    listed = suppressed(profile, suppression)
    if listed:
        return skip(f"{listed} is on the suppression list")
    to, problem = address(profile)
    if problem is not None:
        problems.append(problem)
        return skip("the email address is not usable")
    if to is None:
        return skip("no email address")
    template = templates.find(occasion.templates, _language(profile))
    if isinstance(template, Problem):
        _add_once(problems, template)
        return skip(f"the template is broken ({template.location})", to)
    values = variables(profile, occasion, today, to, sender_name)
    rendered = template.render(values, settings.optout_line, profile.path)
    if isinstance(rendered, Problem):
        problems.append(rendered)
        return skip(f"the template needs what the profile lacks ({rendered.location})", to)
    return Item(Action.SEND, profile, occasion, address=to, rendered=rendered)


def _language(profile: Profile) -> str | None:
    raw = profile.raw("language")
    return raw if isinstance(raw, str) and raw.strip() else None


def _add_once(problems: list[Problem], problem: Problem) -> None:
    if problem not in problems:
        problems.append(problem)
