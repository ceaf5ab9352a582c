"""Every problem code ``plaincrm check`` reports, with its default severity and meaning.

Plain data with no imports from the rest of plaincrm, so the config spec can validate
``checks.severity`` against it. docs/checks.md documents each code (a test keeps them in step).
"""

from __future__ import annotations

ERROR = "error"
WARNING = "warning"

# code -> (default severity, what it means). The loader's codes come first.
CODES: dict[str, tuple[str, str]] = {
    "parse-error": (ERROR, "the file cannot be read as a profile"),
    "duplicate-key": (ERROR, "a front-matter key appears twice"),
    "no-front-matter": (WARNING, "the file has no (or empty) front matter"),
    "empty-file": (WARNING, "the file is empty"),
    "conflict-marker": (ERROR, "a git conflict marker is left in the file"),
    "log-heading-trap": (WARNING, "a log entry reads as a heading"),
    "invalid-booking": (ERROR, "a `booked:` log entry without the visit's date"),
    "invalid-field": (ERROR, "a field's value has the wrong form"),
    "config-error": (ERROR, "plaincrm.toml has a bad value"),
    "invalid-date": (ERROR, "a date that cannot be, or cannot be right"),
    "missing-field": (ERROR, "a field the config requires is absent"),
    "unknown-status": (ERROR, "a status not in profiles.statuses"),
    "invalid-email": (ERROR, "an email address that is not well formed"),
    "invalid-phone": (ERROR, "a phone number that is not valid (warning: valid, but not "
                             "written in international form)"),
    "stale": (WARNING, "a profile that needs attention: no recent log entry, or no recent "
                       "change"),
    "duplicate": (WARNING, "two profiles that are probably one person"),
    "undated-task": (WARNING, "an open task without a date"),
    "check-crashed": (ERROR, "a check failed on this file (a bug in plaincrm: please report it)"),
}

# a file with one of these gets no further checks: it must be fixed first, and checking its
# (missing) fields would only bury the real problem under noise
UNREADABLE = frozenset({"parse-error", "conflict-marker", "no-front-matter", "empty-file"})
