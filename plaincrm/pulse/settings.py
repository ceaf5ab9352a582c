"""The settings of ``plaincrm pulse`` and their defaults.

They are read from ``[pulse]`` in ``plaincrm.toml`` when the configuration spec has them, and
default to the values here otherwise (see docs/pulse.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ATTEMPT_KINDS = ("no-answer", "voicemail", "bounced")
ACTIVE_STATUSES = ("active",)
LEAD_STATUSES = ("lead",)
LAPSE_DAYS = 365
WEEKS = 12
MONTHS_AHEAD = 6
YEARS = 10  # retention years and cohorts shown


@dataclass(frozen=True, slots=True)
class Settings:
    attempt_kinds: frozenset[str] = frozenset(ATTEMPT_KINDS)
    active_statuses: frozenset[str] = frozenset(ACTIVE_STATUSES)
    lapse_days: int = LAPSE_DAYS
    lead_statuses: frozenset[str] = frozenset(LEAD_STATUSES)


def settings(config: Mapping[str, Any]) -> Settings:
    """The pulse settings of ``config``: ``pulse.attempt_kinds``, ``pulse.active_statuses``,
    ``pulse.lead_statuses`` and ``pulse.lapse_days`` when it has them, else the defaults."""
    kinds = config.get("pulse.attempt_kinds", ATTEMPT_KINDS)
    active = config.get("pulse.active_statuses", ACTIVE_STATUSES)
    lapse = config.get("pulse.lapse_days", LAPSE_DAYS)
    leads = config.get("pulse.lead_statuses", LEAD_STATUSES)
    return Settings(frozenset(str(k).lower() for k in kinds), frozenset(map(str, active)),
                    int(lapse), frozenset(map(str, leads)))
