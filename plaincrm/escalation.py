"""Escalation: an actionable item left overdue too long also goes to the vault's managers.

``agenda.escalate_days`` (0: never) is how long an overdue item may wait; past it the owner's
row says how long it has been waiting, and with ``agenda.managers`` set it is *escalated*: it
shows in each manager's agenda (``--owner``, ``--mine``) and calendar feed as well. Pure
functions of a day count and the config, shared by the agenda and the calendar.
"""

from __future__ import annotations

from plaincrm.config import Config


def waiting_days(days_overdue: int | None, config: Config) -> int | None:
    """How long an overdue item has been waiting, once that is more than
    ``agenda.escalate_days`` (else None)."""
    limit = config["agenda.escalate_days"]
    if not limit or days_overdue is None or days_overdue <= limit:
        return None
    return days_overdue


def escalated(days_overdue: int | None, config: Config, owner: str | None = None) -> bool:
    """Whether an overdue item of ``owner`` goes to the managers too: waiting, and a manager
    other than its owner to go to."""
    from plaincrm.agenda import matches_me

    if waiting_days(days_overdue, config) is None:
        return False
    return any(owner is None or not (matches_me(owner, m) or matches_me(m, owner))
               for m in config["agenda.managers"])


def is_manager(name: str, config: Config) -> bool:
    """Whether ``name`` (an ``--owner`` or ``--mine`` name) is one of ``agenda.managers``,
    names matched as owners are (:func:`plaincrm.agenda.matches_me`)."""
    from plaincrm.agenda import matches_me

    return any(matches_me(manager, name) or matches_me(name, manager)
               for manager in config["agenda.managers"])


def last_quiet_day(today_ordinal: int, config: Config) -> int | None:
    """The latest due day (ordinal) of an escalated item as of ``today``; None when nothing
    escalates."""
    limit = int(config["agenda.escalate_days"])
    if not limit or not config["agenda.managers"]:
        return None
    return today_ordinal - limit - 1
