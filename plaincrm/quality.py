"""Data-quality items: what ``plaincrm check`` finds, as agenda items for the profile's owner.

With ``agenda.check_items`` on (the default), every error, and the warnings
``agenda.check_warnings`` names, that the index keeps (the loader's problems and the
day-independent checks, see :mod:`plaincrm.checks.stored`) becomes
an item due today, every day, until the file is fixed: kind ``fix`` with a short action ("add
email or phone", "fix the email"), or ``merge_conflict`` once per file left with git conflict
markers (that one always, whatever ``check_items`` says). Read from the index's rows: no
file read and no check run on the agenda path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

from plaincrm.config import CONFIG_NAME, Config
from plaincrm.model import Location, Problem, Severity
from plaincrm.reminders import Reminder

FIX = "fix"
MERGE = "merge_conflict"
KINDS = (FIX, MERGE)
MERGE_TEXT = "merge conflict: finish the merge"
ACTIONS = {
    "parse-error": "fix the file so it can be read",
    "duplicate-key": "remove the repeated key",
    "no-front-matter": "add the front matter",
    "empty-file": "fill in or remove the empty file",
    "log-heading-trap": "fix the log entry",
    "invalid-booking": "fix the booking",
    "invalid-field": "fix the field",
    "config-error": "fix plaincrm.toml",
    "invalid-date": "fix the date",
    "unknown-status": "fix the status",
    "invalid-email": "fix the email",
    "invalid-phone": "fix the phone",
    "undated-task": "date the task",
    "check-crashed": "report a plaincrm bug",
}


def action(problem: Problem) -> str:
    """What to do about ``problem``, in a few words."""
    if problem.code == "conflict-marker":
        return MERGE_TEXT
    if problem.code == "missing-field":
        return "add " + problem.message.removeprefix("missing ").split(" (")[0]
    if problem.code == "invalid-phone" and problem.severity is Severity.WARNING:
        return "write the phone in international form"
    return ACTIONS.get(problem.code, f"fix: {problem.code}")


def wanted(problem: Problem, config: Config) -> Problem | None:
    """``problem`` with the severity ``checks.severity`` gives it, when it is an agenda item
    (an error, or a warning ``agenda.check_warnings`` names); None otherwise."""
    severity = config["checks.severity"].get(problem.code)
    if severity == "off" or (problem.code != "conflict-marker"
                             and not config["agenda.check_items"]):
        return None
    if severity is not None:
        problem = Problem(problem.location, problem.code, Severity(severity), problem.message)
    if problem.severity is Severity.ERROR or problem.code in config["agenda.check_warnings"]:
        return problem
    return None


def quality_reminders(rows: Iterable[tuple[Any, ...]], config_problems: Iterable[Problem],
                      config: Config, today: dt.date) -> Iterator[Reminder]:
    """The data-quality reminders of ``today`` from :meth:`plaincrm.index.Index.kept_problems`
    rows and the config's own problems."""
    merged: set[str] = set()
    for p in config_problems:
        found = wanted(p, config)
        if found is not None:
            yield _reminder(found, None, CONFIG_NAME, None, today)
    # whether a row is an item, and at which severity, depends on its code and severity only
    verdicts: dict[tuple[str, str], Severity | None] = {}
    for path, line, code, severity, message, owner, name, pid in rows:
        if (code, severity) not in verdicts:
            found = wanted(Problem(Location(path, line), code, Severity(severity), message),
                           config)
            verdicts[code, severity] = None if found is None else found.severity
        level = verdicts[code, severity]
        if level is None or (code == "conflict-marker" and path in merged):
            continue
        if code == "conflict-marker":
            merged.add(path)
        problem = Problem(Location(path, line), code, level, message)
        yield _reminder(problem, owner, name or PurePosixPath(path).stem, pid, today)


def _reminder(problem: Problem, owner: str | None, name: str, pid: str | None,
              today: dt.date) -> Reminder:
    kind = MERGE if problem.code == "conflict-marker" else FIX
    return Reminder(problem.location, kind, today, name, action(problem), owner or None, pid,
                    actionable=True, problem=problem)
