"""Getting the records the pulse is computed from: the profiles and the git history.

One small function, so that it can become a query over the index's tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from plaincrm import gitrepo
from plaincrm.pulse.history import read_history
from plaincrm.pulse.metrics import Records, compute, default_period
from plaincrm.pulse.settings import WEEKS, settings
from plaincrm.vault import is_profile_path


def gather(vault: Any) -> Records:
    """The records of an open :class:`plaincrm.loader.Vault`: every profile in full, and the
    facts of its git history from one ``git log -p`` pass (None, with the reason, when git is
    missing, the vault is not in a repository, git refuses it, it is a shallow clone or no
    profile is committed yet)."""
    profiles = list(vault.profiles(full=True))
    try:
        changes = gitrepo.open_repo(vault.root).changes()
    except gitrepo.GitUnavailable as exc:
        return Records(profiles, None, str(exc))
    facts = read_history(changes, lambda path: is_profile_path(path, vault.config))
    if not facts.events:
        return Records(profiles, None, "no profile is committed to git yet")
    return Records(profiles, facts)


def pulse_figures(vault: Any, today: dt.date, since: dt.date | None = None,
                  until: dt.date | None = None, owner: str | None = None) -> dict[str, Any]:
    """Every figure of the pulse of an open vault (see :func:`plaincrm.pulse.metrics.compute`)."""
    period = default_period(today, since, until, WEEKS)
    return compute(gather(vault), vault.config, settings(vault.config), today, period, owner)
