"""Run every check over the vault in one stream of profiles and collect the report."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace

from plaincrm import gitrepo
from plaincrm.checks.base import (
    Collector,
    Context,
    ProfileCheck,
    crashed,
    ignore_items,
    problem,
)
from plaincrm.checks.codes import CODES, UNREADABLE
from plaincrm.checks.dates import check_undated_tasks, file_day
from plaincrm.checks.fields import (
    PHONES,
    check_emails,
    check_missing_fields,
    check_status,
    phone_version,
)
from plaincrm.checks.registry import COLLECTORS, PROFILE_CHECKS
from plaincrm.config import CONFIG_NAME
from plaincrm.loader import Vault
from plaincrm.model import Problem, Profile, Severity
from plaincrm.vault import scan

Note = Callable[[str], None]
# the checks of one profile that do not depend on the day: the index runs them when it reads
# a file (plaincrm/checks/stored.py) and keeps their problems, so check reads them
KEPT: frozenset[ProfileCheck] = frozenset(
    {check_missing_fields, check_status, check_emails, check_undated_tasks})


@dataclass(frozen=True, slots=True)
class Report:
    problems: list[Problem]  # sorted by path, then line
    profiles: int  # profile files checked

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.WARNING)


def run_checks(vault: Vault, today: dt.date, paths: Collection[str] | None = None,
               note: Note | None = None) -> Report:
    """Check the vault; ``paths`` (vault-relative) limits the report to those files, while
    duplicates are still sought in the whole vault. Never writes to the vault."""
    note = note or (lambda _msg: None)
    config = vault.config
    severity: dict[str, str] = config["checks.severity"]
    wanted = set(paths) if paths is not None else None

    def in_scope(path: str) -> bool:
        return wanted is None or path in wanted

    changed = {} if severity.get("stale") == "off" else file_dates(vault, today, note)
    ctx = Context(config=config, today=today, last_changed=changed)
    collectors = [make(ctx) for make in COLLECTORS]
    found = [p for p in vault.problems()
             if p.location.path == CONFIG_NAME or in_scope(p.location.path)]
    unreadable = {p.location.path for p in found if p.code in UNREADABLE}
    # what the index found when it read each file (it runs KEPT then): not worked out again
    found += [p for p in vault.index.checked_problems() if in_scope(p.location.path)]
    checks = [check for check in PROFILE_CHECKS if check not in KEPT]
    silenced: dict[str, frozenset[str]] = {}
    for profile in _with_kept_phones(vault):
        found.extend(p for collector in collectors for p in _guarded(
            collector, functools.partial(collector.add, profile), profile))
        if not in_scope(profile.path) or profile.path in unreadable:
            continue
        codes = _silenced(profile, found)
        if codes:
            silenced[profile.path] = codes
        for check in checks:
            found.extend(_guarded(check, functools.partial(check, profile, ctx), profile))
    del ctx, changed  # the files' dates (one per file without git): freed before the pairs
    found.extend(p for collector in collectors for p in _guarded(collector, collector.finish, None)
                 if in_scope(p.location.path))
    del collectors  # the duplicate rule's blocks and entries, freed before the sort's keys
    problems = list(_apply(found, severity, silenced))
    del found
    problems.sort(key=Problem.sort_key)
    count = sum(1 for path in vault.index.paths() if in_scope(path))
    return Report(problems, count)


def _with_kept_phones(vault: Vault) -> Iterator[Profile]:
    """Every profile, each with the verdicts the index keeps on its phones known to
    :data:`PHONES` while it is checked; the verdicts worked out anew are kept at the end."""
    region: str = vault.config["profiles.phone_region"]
    version = phone_version(region)
    kept = vault.index.phones(version)
    new: list[tuple[str, str, str | None, str | None]] = []
    try:
        for profile in vault.profiles(full=True):
            PHONES.use(region, kept(profile.path))
            yield profile
            new += [(profile.path, phone, *v) for phone, v in PHONES.use(None, {}).items()]
    finally:
        PHONES.use(None, {})
    if new:
        vault.index.keep_phones(version, new)


def owned_by(report: Report, owner: str, owners: dict[str, str | None]) -> Report:
    """The share of ``report`` of one owner: the problems of the profiles ``owner`` owns
    (``owners``: each profile's owner by path), counted among their profiles."""
    from plaincrm.agenda import matches_me

    theirs = {path for path, who in owners.items() if matches_me(who, owner)}
    return Report([p for p in report.problems if p.location.path in theirs], len(theirs))


def _guarded(check: ProfileCheck | Collector, call: Callable[[], Iterable[Problem] | None],
             profile: Profile | None) -> list[Problem]:
    """Run one check; a check that crashes becomes a ``check-crashed`` problem."""
    try:
        return list(call() or ())
    except Exception as exc:  # a bug in a check must not hide the others
        return [crashed(check, profile, exc)]


def _silenced(profile: Profile, found: list[Problem]) -> frozenset[str]:
    codes = set()
    for code, line in ignore_items(profile):
        if code in CODES:
            codes.add(code)
        else:
            found.append(problem(profile, line, "invalid-field",
                                 f"check_ignore: {code!r} is not a check code "
                                 f"(see docs/checks.md)"))
    return frozenset(codes)


def _apply(found: Iterable[Problem], severity: dict[str, str],
           silenced: dict[str, frozenset[str]]) -> Iterator[Problem]:
    """Drop what a profile silences or the config turns off; set configured severities."""
    for p in found:
        if p.code in silenced.get(p.location.path, ()):
            continue
        wanted = severity.get(p.code)
        if wanted == "off":
            continue
        if wanted is not None and wanted != p.severity:
            p = replace(p, severity=Severity(wanted))
        yield p


def file_dates(vault: Vault, today: dt.date, note: Note) -> dict[str, dt.date]:
    """The day each profile file last changed: its last commit, from one ``git log`` pass.

    Files not committed yet, or changed since, are absent (they count as fresh). Without git,
    outside a repository or in a shallow clone: one note, and the files' modification times.
    """
    try:
        committed = gitrepo.last_commit_dates(vault.root)
        dirty = gitrepo.uncommitted_paths(vault.root)
    except gitrepo.GitUnavailable as exc:
        note(f"{exc}; stale uses file modification times instead of git history")
        stats, _problems = scan(vault.root, vault.config)
        return {path: file_day(mtime_ns / 1e9) for path, mtime_ns, *_key in stats}
    return {path: when.astimezone().date() for path, when in committed.items()
            if path not in dirty}
