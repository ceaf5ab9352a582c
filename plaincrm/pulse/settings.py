"""The settings of ``plaincrm pulse``: the ``[pulse]`` options of ``plaincrm.toml``.

Their defaults and help texts live in the one configuration spec (:data:`plaincrm.config.SPEC`,
generating docs/configuration.md); this module reads them from the effective
:class:`~plaincrm.config.Config` and holds the fixed shapes of the report.
"""

from __future__ import annotations

from dataclasses import dataclass

from plaincrm.config import Config

WEEKS = 12
MONTHS_AHEAD = 6
YEARS = 10  # retention years and cohorts shown


@dataclass(frozen=True, slots=True)
class Settings:
    attempt_kinds: frozenset[str]
    active_statuses: frozenset[str]
    lapse_days: int
    lead_statuses: frozenset[str]


def settings(config: Config) -> Settings:
    """The pulse settings of ``config``: ``log.attempt_kinds``, ``pulse.active_statuses``,
    ``pulse.lead_statuses`` and ``pulse.lapse_days``. Kinds and statuses are compared as the
    loader reads them, in lower case."""

    def words(name: str) -> frozenset[str]:
        return frozenset(str(item).strip().lower() for item in config[name])

    return Settings(words("log.attempt_kinds"), words("pulse.active_statuses"),
                    int(config["pulse.lapse_days"]), words("pulse.lead_statuses"))
