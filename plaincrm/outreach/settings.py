"""The ``[outreach]`` options of ``plaincrm.toml``, as the settings one run reads.

The options themselves (names, defaults, help, validators) are entries of the one spec,
:data:`plaincrm.config.SPEC`, under ``outreach.*``; :func:`settings` reads them from the
effective :class:`~plaincrm.config.Config`.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from plaincrm.config import MAX_DAYS, SPEC, Config, Option
from plaincrm.reminders import off_round_statuses

OPTIONS: tuple[Option, ...] = tuple(o for o in SPEC if o.section == "outreach")


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
    # agenda.no_service_statuses: customers off the service round get no service reminder
    no_service_statuses: frozenset[str]

    def replace_occasions(self, occasions: tuple[str, ...]) -> Settings:
        return replace(self, occasions=occasions)


# the Config the settings were last worked out for, and them: an index refresh asks once per
# profile, and a Config is never changed once made
_last: tuple[weakref.ref[Config], Settings] | None = None


def settings(config: Mapping[str, Any]) -> Settings:
    """The outreach settings of ``config`` (a :class:`~plaincrm.config.Config` has every
    option; a mapping without one gives its default). Worked out once per Config."""
    global _last
    if not isinstance(config, Config):
        return _settings(config)
    if _last is not None and _last[0]() is config:
        return _last[1]
    found = _settings(config)
    _last = (weakref.ref(config), found)
    return found


def _settings(config: Mapping[str, Any]) -> Settings:
    values: dict[str, Any] = {}
    for option in OPTIONS:
        value = config.get(option.name, option.default)
        values[option.key] = tuple(value) if isinstance(value, list) else value
    for key in ("catch_up_days", "service_days_before", "feedback_days", "invoice_days",
                "invoice_every"):
        values[key] = min(values[key], MAX_DAYS)
    values["invoice_every"] = max(values["invoice_every"], 1)
    values["no_service_statuses"] = off_round_statuses(config)
    return Settings(**values)
