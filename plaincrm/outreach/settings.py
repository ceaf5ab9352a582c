"""The ``[outreach]`` options of ``plaincrm.toml``: their spec entries, and the settings a run
reads from the effective :class:`~plaincrm.config.Config`.

The entries below belong in :data:`plaincrm.config.SPEC` (one declarative spec for the whole
file). Until they are there, ``Config`` has no ``outreach.*`` names and :func:`settings` falls
back to each option's default, so outreach runs with the defaults and the occasions a command
line names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plaincrm.config import Option
from plaincrm.fields import MAX_YEARS

OCCASION_NAME = re.compile(r"[a-z][a-z0-9_-]*")
BUILTIN_OCCASIONS = ("birthday", "anniversary", "service", "feedback", "invoice", "stage")


def _occasion_names(value: list[str]) -> None:
    for item in value:
        if item not in BUILTIN_OCCASIONS:
            raise ValueError(f"{item!r} is not an occasion; use {', '.join(BUILTIN_OCCASIONS)}")


def _log_kinds(value: list[str]) -> None:
    for item in value:
        if not OCCASION_NAME.fullmatch(item):
            raise ValueError(f"{item!r} is not a log entry kind (one lower-case word)")
        if item in BUILTIN_OCCASIONS:
            raise ValueError(f"{item!r} is an occasion of its own; pick another kind")


MAX_DAYS = MAX_YEARS * 366  # the one bound on durations (plaincrm.fields)


def _days(value: int) -> None:
    if value > MAX_DAYS:
        raise ValueError(f"must be at most {MAX_DAYS} days ({MAX_YEARS} years)")


def _years(value: list[int]) -> None:
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= MAX_YEARS:
            raise ValueError(f"must be a list of whole numbers of years, 1 to {MAX_YEARS}")


OPTIONS: tuple[Option, ...] = (
    Option("outreach.occasions", list, [], "The occasions on which `plaincrm outreach` writes "
           "to customers: `birthday`, `anniversary`, `service`, `feedback`, `invoice`, `stage` "
           "(the log kinds in `stages`). Empty: none, outreach is off. See docs/outreach.md.",
           _occasion_names, item_type=str),
    Option("outreach.catch_up_days", int, 3, "How many days late a message may still go out "
           "when it could not go on its day (no run that day, a failed send, the daily cap).",
           _days),
    Option("outreach.anniversary_years", list, [], "The customer anniversaries worth a "
           "message, in years, e.g. `[1, 5, 10]`. Empty: every year.", _years, item_type=int),
    Option("outreach.service_days_before", int, 14, "How many days before the service is due "
           "the service reminder goes out.", _days),
    Option("outreach.feedback_after", list, ["service", "visit"], "The log entry kinds after "
           "which a feedback request goes out.", item_type=str),
    Option("outreach.feedback_days", int, 3, "How many days after such an entry the feedback "
           "request goes out.", _days),
    Option("outreach.invoice_days", int, 14, "How many days after an `invoice` log entry with "
           "no `payment` entry on or after its day the first invoice reminder goes out.", _days),
    Option("outreach.invoice_every", int, 7, "How many days after one invoice reminder the "
           "next goes out (0 counts as 1).", _days),
    Option("outreach.invoice_limit", int, 3, "How many invoice reminders at most, per invoice."),
    Option("outreach.stages", list, [], "Log entry kinds that tell the customer their job "
           "reached a stage, e.g. `[\"parts-ordered\", \"job-done\"]`: with `stage` on, each "
           "such entry is told (template `<kind>.md`, else `stage.md`) on the entry's day.",
           _log_kinds, item_type=str),
    Option("outreach.daily_cap", int, 50, "At most this many messages a day, counted from the "
           "log of every profile (so every run and every clone shares the count)."),
    Option("outreach.optout_line", str, "If you would rather not hear from us by email, reply "
           "and say so: we will not write again.", "The line at the foot of every message; a "
           "template may set its own (`optout:` in its front matter). Empty: none."),
    Option("outreach.suppression_file", str, "suppressed.txt", "A file in the vault listing "
           "addresses (or `@domain`s) never to write to, one a line. Missing: nobody is "
           "suppressed; unreadable: nothing is sent."),
    Option("outreach.templates", str, "templates/messages", "The folder in the vault holding "
           "the message templates (`<occasion>.md`, `<occasion>.<language>.md`)."),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """What one outreach run needs from ``plaincrm.toml``."""

    occasions: tuple[str, ...]
    catch_up_days: int
    anniversary_years: tuple[int, ...]
    service_days_before: int
    feedback_after: tuple[str, ...]
    feedback_days: int
    invoice_days: int
    invoice_every: int
    invoice_limit: int
    stages: tuple[str, ...]
    daily_cap: int
    optout_line: str
    suppression_file: str
    templates: str

    def replace_occasions(self, occasions: tuple[str, ...]) -> Settings:
        from dataclasses import replace

        return replace(self, occasions=occasions)


def settings(config: Mapping[str, Any]) -> Settings:
    """The outreach settings of ``config``; an option it lacks has its default."""
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = config.get(option.name, option.default)
        values[option.key] = tuple(value) if isinstance(value, list) else value
    for key in ("catch_up_days", "service_days_before", "feedback_days", "invoice_days",
                "invoice_every"):
        values[key] = min(values[key], MAX_DAYS)
    values["invoice_every"] = max(values["invoice_every"], 1)
    return Settings(**values)
