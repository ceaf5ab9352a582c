"""The checks the index keeps: those of one profile that do not depend on the day.

The index runs :func:`stored_problems` when it reads a file, so the agenda can list what
``plaincrm check`` finds (its data-quality items) with a query, no file read and no check run
of its own. Left out, because they depend on the day or on the whole vault: ``stale`` and
``invalid-date``'s future birthdays and log entries (:mod:`plaincrm.checks.dates`), and
``duplicate`` (:mod:`plaincrm.checks.duplicates`); and ``invalid-phone``, whose phone
library the index keeps off its path (a refresh never imports it; docs/checks.md says why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from plaincrm.checks.base import Context, crashed, ignored_codes
from plaincrm.checks.codes import UNREADABLE
from plaincrm.config import Config
from plaincrm.model import Problem, Profile

# codes only ``plaincrm check`` finds: never an agenda item (``agenda.check_warnings`` refuses them)
NOT_KEPT = frozenset({"stale", "duplicate", "invalid-phone"})


def stored_problems(profile: Profile, found: Iterable[Problem], config: Config
                    ) -> tuple[list[Problem], frozenset[str]]:
    """The day-independent check problems of ``profile`` (none when the loader ``found`` it
    unreadable), and the codes the profile silences with ``check_ignore``."""
    from plaincrm.checks.dates import check_undated_tasks
    from plaincrm.checks.fields import check_emails, check_missing_fields, check_status

    silenced = ignored_codes(profile)
    if any(p.code in UNREADABLE for p in found):
        return [], silenced
    ctx = Context(config=config, today=dt.date.min)  # none of these reads the day
    problems: list[Problem] = []
    for check in (check_missing_fields, check_status, check_emails, check_undated_tasks):
        try:
            problems.extend(check(profile, ctx))
        except Exception as exc:  # kept as check-crashed: check and the agenda say so
            problems.append(crashed(check, profile, exc))
    return problems, silenced
