"""Getting the records the pulse is computed from: the profiles and the git history.

One small function, so that it can become a query over the index's tables.
"""

from __future__ import annotations

import datetime as dt
import marshal
from typing import Any

from plaincrm import gitrepo
from plaincrm.agenda import profile_entry
from plaincrm.pulse.history import read_history
from plaincrm.pulse.metrics import Records, compute, default_period
from plaincrm.pulse.settings import WEEKS, settings
from plaincrm.vault import is_profile_path


def gather(vault: Any, today: dt.date) -> Records:
    """The records of an open :class:`plaincrm.loader.Vault`: every profile in full, and the
    facts of its git history from one ``git log -p`` pass (None, with the reason, when git is
    missing, the vault is not in a repository, git refuses it, it is a shallow clone or no
    profile is committed yet)."""
    profiles = list(vault.profiles(full=True))
    rows = reminder_rows(vault, today)
    try:
        changes = gitrepo.open_repo(vault.root).changes()
    except gitrepo.GitUnavailable as exc:
        return Records(profiles, None, str(exc), rows)
    facts = read_history(changes, lambda path: is_profile_path(path, vault.config))
    if not facts.events:
        return Records(profiles, None, "no profile is committed to git yet", rows)
    return Records(profiles, facts, None, rows)


def reminder_rows(vault: Any, today: dt.date) -> dict[str, list[tuple[Any, ...]]]:
    """Each profile's reminders for ``today`` as the agenda keeps them in the index (the
    same cache and key as :func:`plaincrm.agenda.vault_agenda`, so the two share it)."""
    config = vault.config

    def compute(profile: Any) -> bytes:
        return marshal.dumps(profile_entry(profile, config, today))

    key = f"{today.isoformat()}|{config.fingerprint()}"
    return {path: marshal.loads(blob)[2]
            for path, blob in vault.index.derived("agenda", key, compute)}


def pulse_figures(vault: Any, today: dt.date, since: dt.date | None = None,
                  until: dt.date | None = None, owner: str | None = None) -> dict[str, Any]:
    """Every figure of the pulse of an open vault (see :func:`plaincrm.pulse.metrics.compute`)."""
    period = default_period(today, since, until, WEEKS)
    return compute(gather(vault, today), vault.config, settings(vault.config), today, period, owner)
