"""Getting the records the pulse is computed from: the profiles as the index's tables hold
them (no stored profile is decoded) and the git history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plaincrm import gitrepo
from plaincrm.pulse.history import GitFacts
from plaincrm.pulse.metrics import Records, compute
from plaincrm.pulse.period import default_period
from plaincrm.pulse.settings import WEEKS, settings
from plaincrm.pulse.store import history_facts, layout_key
from plaincrm.vault import is_profile_path


def gather(vault: Any, today: dt.date) -> Records:
    """The records of an open :class:`plaincrm.loader.Vault`: every profile with what the
    figures read (:meth:`plaincrm.index.Index.lean_profiles`, read once, as the figures are
    computed) and the facts of its git history (see :func:`git_history`)."""
    return Records(vault.index.lean_profiles(), *git_history(vault))


def git_history(vault: Any) -> tuple[GitFacts | None, str | None]:
    """The facts of the vault's git history (:mod:`plaincrm.pulse.store`: only commits not
    seen before are read), or None with the reason: git is missing, the vault is not in a
    repository, git refuses it, it is a shallow clone or no profile is committed yet."""
    config = vault.config
    try:
        repo = gitrepo.open_repo(vault.root)
        key = layout_key(repo, config["vault.include"], config["vault.exclude"])
        facts = history_facts(vault.index.side_store(), repo, key,
                              lambda path: is_profile_path(path, config))
    except gitrepo.GitUnavailable as exc:
        return None, str(exc)
    if not facts.events:
        return None, "no profile is committed to git yet"
    return facts, None


def pulse_figures(vault: Any, today: dt.date, since: dt.date | None = None,
                  until: dt.date | None = None, owner: str | None = None) -> dict[str, Any]:
    """Every figure of the pulse of an open vault (see :func:`plaincrm.pulse.metrics.compute`)."""
    period = default_period(today, since, until, WEEKS)
    return compute(gather(vault, today), vault.config, settings(vault.config), today, period, owner)


def page_bytes(vault: Any, today: dt.date, owner: str | None = None) -> bytes:
    """The pulse page of an open vault for the default period, as UTF-8 bytes (what
    ``watch --pulse`` writes and ``serve`` serves)."""
    return owner_pages(vault, today, [owner])[owner]


def owner_pages(vault: Any, today: dt.date, owners: list[str | None]
                ) -> dict[str | None, bytes]:
    """The pulse page of each of ``owners`` (None: everyone's), by the owner as given: the
    git history is read once, the profiles once for each page."""
    from plaincrm.render.pulse_html import render_html

    history = git_history(vault)
    period = default_period(today, None, None, WEEKS)
    options = settings(vault.config)
    return {owner: render_html(compute(Records(vault.index.lean_profiles(), *history),
                                       vault.config, options, today, period,
                                       owner)).encode("utf-8")
            for owner in owners}


def page_output(path: Path, owner: str | None = None) -> Callable[[Any, dt.date], str | None]:
    """An output for ``plaincrm watch``: rewrites the pulse page at ``path`` (atomically) when
    its content changed; returns what it did, or None."""

    def pulse_page(vault: Any, today: dt.date) -> str | None:
        from plaincrm.files import write_if_changed

        page = page_bytes(vault, today, owner)
        return f"{path.name} rewritten" if write_if_changed(path, page) else None

    pulse_page.name = path.name  # type: ignore[attr-defined]
    return pulse_page
