"""The one list of checks ``plaincrm check`` runs. Add a check here and document its code in
docs/checks.md (and :mod:`plaincrm.checks.codes`)."""

from __future__ import annotations

from collections.abc import Callable

from plaincrm.checks.base import Collector, Context, ProfileCheck
from plaincrm.checks.dates import check_dates, check_stale, check_undated_tasks
from plaincrm.checks.duplicates import Duplicates
from plaincrm.checks.fields import check_emails, check_missing_fields, check_phones, check_status

# run on each profile as the vault streams past
PROFILE_CHECKS: tuple[ProfileCheck, ...] = (
    check_missing_fields,
    check_status,
    check_emails,
    check_phones,
    check_dates,
    check_undated_tasks,
    check_stale,
)

# see every profile once, report when the stream ends
COLLECTORS: tuple[Callable[[Context], Collector], ...] = (
    Duplicates,
)
