"""``plaincrm.toml``: one declarative spec that validates the file, fills defaults, writes the
commented file for ``plaincrm init`` and generates ``docs/configuration.md``.

Config is data: read with :mod:`tomllib`, never executed. A bad value is a located problem and
that option keeps its default; the rest of the vault keeps working.
"""

from __future__ import annotations

import builtins
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plaincrm import fields as conv
from plaincrm.model import Duration, Location, Problem, Severity
from plaincrm.outreach.names import BUILTIN_OCCASIONS, OCCASION_NAME

CONFIG_NAME = "plaincrm.toml"


def _duration_table(value: dict[str, Any]) -> None:
    for key, item in value.items():
        if item != "":
            conv.duration(item, key)


# Horizons are bounded like durations (plaincrm.fields): today plus any of them stays a date.
MAX_DAYS = conv.MAX_YEARS * 366
MAX_MONTHS = conv.MAX_YEARS * 12


def _non_negative_ints(value: dict[str, Any]) -> None:
    for key, item in value.items():
        if not isinstance(item, int) or isinstance(item, bool) or item < 0:
            raise ValueError(f"{key} must be a whole number of days, 0 or more")
        if item > MAX_DAYS:
            raise ValueError(f"{key} must be at most {MAX_DAYS} days ({conv.MAX_YEARS} years)")


def _days(value: int) -> None:
    if value > MAX_DAYS:
        raise ValueError(f"must be at most {MAX_DAYS} days ({conv.MAX_YEARS} years)")


def _months(value: int) -> None:
    if value > MAX_MONTHS:
        raise ValueError(f"must be at most {MAX_MONTHS} months ({conv.MAX_YEARS} years)")


def _string_lists(value: dict[str, Any]) -> None:
    for key, item in value.items():
        if not isinstance(item, list) or not all(isinstance(i, str) for i in item):
            raise ValueError(f"{key} must be a list of field names")


def _words(value: list[str]) -> None:
    for item in value:
        if not item.strip() or item != item.strip():
            raise ValueError(f"must be a list of words, not {item!r}")


DATE_RULE = re.compile(r"(once|yearly|due)(?: until ([a-z][a-z0-9-]*))?")


def date_rule(value: str) -> tuple[str, str | None]:
    """An ``agenda.dates`` value as (rule, closing log kind): ``"once"``, ``"yearly"``,
    ``"due"`` (closed by any log entry dated on or after the date) or ``"due until KIND"``
    (closed by a ``KIND`` log entry). Raises ValueError naming the valid forms."""
    match = DATE_RULE.fullmatch(value) if isinstance(value, str) else None
    if match is None or (match.group(2) and match.group(1) != "due"):
        raise ValueError("must be 'once', 'yearly', 'due' or 'due until KIND' (KIND a log "
                         f"entry kind, one lower-case word), not {value!r}")
    return match.group(1), match.group(2)


def _date_rules(value: dict[str, Any]) -> None:
    for key, item in value.items():
        try:
            date_rule(item)
        except ValueError as exc:
            raise ValueError(f"{key} {exc}") from None


def _check_warnings(value: list[str]) -> None:
    from plaincrm.checks.codes import CODES, WARNING
    from plaincrm.checks.stored import NOT_KEPT

    warnings = sorted(code for code, (severity, _what) in CODES.items()
                      if severity == WARNING and code not in NOT_KEPT)
    for item in value:
        if item not in CODES:
            raise ValueError(f"{item!r} is not a check code; warnings are "
                             f"{', '.join(warnings)}")
        if item in NOT_KEPT:
            raise ValueError(f"{item!r} is found by plaincrm check only, never an agenda item "
                             f"(see docs/checks.md); warnings that can be are "
                             f"{', '.join(warnings)}")


def _severities(value: dict[str, Any]) -> None:
    from plaincrm.checks.codes import CODES

    for key, item in value.items():
        if key not in CODES:
            raise ValueError(f"{key} is not a check code (see docs/checks.md)")
        if item not in ("error", "warning", "off"):
            raise ValueError(f"{key} must be 'error', 'warning' or 'off', not {item!r}")


def _alarms(value: dict[str, Any]) -> None:
    for key, item in value.items():
        if not isinstance(item, str) or not re.fullmatch(r"-?P(\d+D)?(T(\d+H)?(\d+M)?)?", item):
            raise ValueError(f"{key} must be an ISO 8601 duration such as '-PT15H', not {item!r}")


def _region(value: str) -> None:
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError("must be a two-letter region code such as 'GB', 'DE' or 'US', or ''")


def _iso_duration(value: str) -> None:
    if not re.fullmatch(r"P(\d+D)?(T(\d+H)?(\d+M)?)?", value) or value in ("P", "PT"):
        raise ValueError("must be an ISO 8601 duration such as 'PT6H'")


def _occasion_names(value: list[str]) -> None:
    for item in value:
        if item not in BUILTIN_OCCASIONS:
            raise ValueError(f"{item!r} is not an occasion; use {', '.join(BUILTIN_OCCASIONS)}")


def _log_kinds(value: list[str]) -> None:
    for item in value:
        if not OCCASION_NAME.fullmatch(item):
            raise ValueError(f"{item!r} is not a log entry kind (one lower-case word)")
        if item in BUILTIN_OCCASIONS:
            raise ValueError(f"{item!r} is an occasion of its own; pick another kind")


def _years(value: list[int]) -> None:
    for item in value:
        if not isinstance(item, int) or isinstance(item, bool) or not 1 <= item <= conv.MAX_YEARS:
            raise ValueError(f"must be a list of whole numbers of years, 1 to {conv.MAX_YEARS}")


def _task_format(value: str) -> None:
    if value not in ("plaincrm", "obsidian"):
        raise ValueError("must be 'plaincrm' or 'obsidian'")


@dataclass(frozen=True, slots=True)
class Option:
    """One configuration option: dotted name (``section.key``), type, default, help."""

    name: str
    type: builtins.type[Any]
    default: Any
    help: str
    validate: Callable[[Any], None] | None = None
    item_type: builtins.type[Any] | None = None  # for lists

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[1]


# Options that moved: still read, with a warning that names the new place.
MOVED = {"pulse.attempt_kinds": "log.attempt_kinds"}

SPEC: tuple[Option, ...] = (
    # -- [vault]
    Option("vault.include", list, ["**/*.md"], "Glob patterns (relative to the vault) of files "
           "that are profiles. `**/` matches any number of folders. Hidden files and folders "
           "are never profiles.", item_type=str),
    Option("vault.exclude", list, ["README.md", "templates/**"], "Glob patterns of files that "
           "are not profiles even though `include` matches them.", item_type=str),
    Option("vault.me", str, "", "Deprecated in a shared vault: who `agenda --mine` means "
           "belongs in your own config file (`me = \"ben\"` in config.toml in your user config "
           "folder, see docs/team.md), which wins over this. Set here, it names everybody who "
           "uses the vault, and plaincrm warns."),
    # -- [profiles]
    Option("profiles.statuses", list, ["lead", "active", "dormant", "lost"],
           "The statuses a profile may have.", item_type=str),
    Option("profiles.required", list, ["name", "status", "email|phone"], "Fields every profile "
           "must have. `a|b` means at least one of them.", item_type=str),
    Option("profiles.required_by_status", dict, {}, "More required fields per status, e.g. "
           "`active = [\"phone\"]`.", _string_lists),
    Option("profiles.phone_region", str, "", "The region numbers without a `+country` prefix "
           "belong to (two letters, e.g. `GB`). Empty: such numbers cannot be checked.", _region),
    # -- [agenda]
    Option("agenda.days", int, 7, "How many days ahead the agenda's Upcoming section reaches: "
           "every item due within them is listed, of every kind.", _days),
    Option("agenda.contact_every", dict, {"lead": "2 weeks", "active": "18 months",
           "dormant": "1 year"}, "How often to get in touch, per status, when a profile has "
           "no `contact_every` of its own. A status left out (by default `lost`) gets no "
           "keep-in-touch reminder.", _duration_table),
    Option("agenda.no_service_statuses", list, ["dormant", "lost"], "Statuses off the service "
           "round: their profiles get no \"service due\" reminder, whatever `service_due` and "
           "`service_every` say (a visit booked with a `booked` log entry still shows). Each "
           "must be one of `profiles.statuses`. Empty: every profile with a service date.",
           _words, item_type=str),
    Option("agenda.lead_days", dict, {"birthday": 7, "service": 14, "task": 0,
           "keep_in_touch": 0, "anniversary": 7}, "How many days before its date each kind of "
           "reminder enters the agenda's Upcoming section when that is further ahead than "
           "`days` (it only widens a kind's window, never hides an item within `days`; keys: "
           "reminder kinds, including the date keys below).", _non_negative_ints),
    Option("agenda.section_limit", int, 15, "How many rows each section of the text agenda "
           "shows before it says how many more there are (`plaincrm agenda --all` shows them "
           "all; `--json` always has every item). 0: no limit."),
    Option("agenda.dates", dict, {}, "Further front-matter keys that hold a date to be "
           "reminded of: `once` (e.g. `contract_end = \"once\"`: on its day only), `yearly` "
           "(e.g. `wedding = \"yearly\"`), or `due` (e.g. `gas_cert = \"due until cp12\"` "
           "or `renewal = \"due\"`): overdue until a log entry of the named kind (dated at "
           "most the key's `lead_days` before the date, or later), or without a kind any log "
           "entry dated on or after the date, or until the date is changed. See "
           "docs/format.md.", _date_rules),
    Option("agenda.escalate_days", int, 0, "An overdue item (service, task, keep in touch, "
           "`due` date) waiting more than this many days says so on its row (`waiting 34 "
           "days`) and, with `managers` set, is escalated: it shows in their agenda and "
           "calendar feed too. 0: never.", _days),
    Option("agenda.managers", list, [], "Who escalated items go to (owner names, as in "
           "`--owner`), e.g. `[\"ben\"]`.", _words, item_type=str),
    Option("agenda.check_items", bool, True, "List what `plaincrm check` finds as agenda "
           "items for the profile's owner (`fix`: \"add email or phone\", \"fix the "
           "email\"), every error and the warnings `check_warnings` names, until fixed "
           "(`invalid-phone` is left to `plaincrm check`, see docs/checks.md). `false`: none. "
           "A file left with git conflict markers is always one `merge conflict` item.",),
    Option("agenda.check_warnings", list, [], "Warning codes of `plaincrm check` that become "
           "agenda items for the profile's owner, like every error does, e.g. "
           "`[\"undated-task\"]`. Only what the index keeps: not `stale`, `duplicate` nor "
           "`invalid-phone` (see docs/checks.md).", _check_warnings, item_type=str),
    # -- [checks]
    Option("checks.stale_days", int, 180, "An `active` profile with no log entry for longer "
           "than this is `stale`.", _days),
    Option("checks.review_days", int, 365, "A profile whose file has not changed in git for "
           "longer than this is `stale`.", _days),
    Option("checks.severity", dict, {}, "Override a check's severity, or turn it off: "
           "`duplicate = \"error\"`, `undated-task = \"off\"`. Keys are the codes in "
           "docs/checks.md, the loader's included. One profile can silence a code for itself "
           "with `check_ignore: [code]` in its front matter.", _severities),
    # -- [log]
    Option("log.attempt_kinds", list, ["no-answer", "voicemail", "bounced"], "Log entry "
           "kinds that are attempts (somebody tried, nobody was reached), not contacts: "
           "`plaincrm pulse` counts them apart, and keep-in-touch, going quiet and the lapse "
           "rule ignore them. See docs/format.md.", _words, item_type=str),
    Option("log.conversation_kinds", list, ["call", "visit", "meeting", "service", "note",
                                            "email"],
           "Log entry kinds that carry personal context: `show`, briefs and the agenda's "
           "context line recall them first. An entry without a kind, or of a kind no list "
           "names, is a conversation too.",
           _words, item_type=str),
    Option("log.admin_kinds", list, ["invoice", "payment", "chase", "quote", "outreach",
                                     "booked"],
           "Log entry kinds that are paperwork: `show` lists them apart from conversations.",
           _words, item_type=str),
    # -- [pulse]
    Option("pulse.active_statuses", list, ["active"], "Statuses in which a profile is an "
           "active customer (going quiet, retention, cohorts).", _words, item_type=str),
    Option("pulse.lead_statuses", list, ["lead"], "Statuses of profiles that have not been "
           "customers yet (the lapse rule).", _words, item_type=str),
    Option("pulse.lapse_days", int, 365, "Without a status history in git: an active "
           "customer whose newest contact is older than this lapsed this many days after it.",
           _days),
    # -- [tasks]
    Option("tasks.format", str, "plaincrm", "How `plaincrm task` writes a new task: "
           "`plaincrm` (`- [ ] 2026-12-01 Send invoice`) or `obsidian`, as Obsidian's Tasks "
           "plugin does (`- [ ] Send invoice 📅 2026-12-01`). Both are read either way.",
           _task_format),

    # -- [calendar]
    Option("calendar.name", str, "plaincrm reminders", "The calendar's name in calendar apps "
           "(X-WR-CALNAME)."),
    Option("calendar.refresh", str, "PT6H", "How often subscribers should refresh "
           "(REFRESH-INTERVAL and X-PUBLISHED-TTL), an ISO 8601 duration.", _iso_duration),
    Option("calendar.months", int, 12, "How many months ahead one-off reminders are written.",
           _months),
    Option("calendar.include_phone", bool, True, "Put the profile's phone in each event's "
           "description."),
    Option("calendar.include_email", bool, True, "Put the profile's email in each event's "
           "description."),
    Option("calendar.include_log", bool, True, "Put what to recall of the person in each "
           "event's description: the first pinned fact, else the newest conversation (it may "
           "hold personal notes: the feed can leave the machine)."),
    Option("calendar.alarms", dict, {"birthday": "-PT15H", "service": "-PT15H",
           "task": "-PT15H"}, "An alarm per reminder kind, as a trigger relative to the "
           "event's start (midnight): `-PT15H` is 09:00 the day before.", _alarms),
    # -- [outreach]
    Option("outreach.occasions", list, [], "The occasions on which `plaincrm outreach` writes "
           "to customers: `birthday`, `anniversary`, `service`, `feedback`, `invoice`, `stage` "
           "(the log kinds in `stages`). Empty: none, outreach is off. See docs/outreach.md.",
           _occasion_names, item_type=str),
    Option("outreach.catch_up_days", int, 3, "How many days late a message may still go out "
           "when it could not go on its day (no run that day, a failed send, the daily cap).",
           _days),
    Option("outreach.anniversary_years", list, [], "The customer anniversaries worth a "
           "message, in years, e.g. `[1, 5, 10]`. Empty: every year.", _years, item_type=int),
    Option("outreach.service_days_before", int, 14, "How many days before the service is due "
           "the service reminder goes out.", _days),
    Option("outreach.feedback_after", list, ["service", "visit"], "The log entry kinds after "
           "which a feedback request goes out.", item_type=str),
    Option("outreach.feedback_days", int, 3, "How many days after such an entry the feedback "
           "request goes out.", _days),
    Option("outreach.invoice_days", int, 14, "How many days after an `invoice` log entry with "
           "no `payment` entry on or after its day the first invoice reminder goes out.", _days),
    Option("outreach.invoice_every", int, 7, "How many days after one invoice reminder the "
           "next goes out (0 counts as 1).", _days),
    Option("outreach.invoice_limit", int, 3, "How many invoice reminders at most, per invoice."),
    Option("outreach.stages", list, [], "Log entry kinds that tell the customer their job "
           "reached a stage, e.g. `[\"parts-ordered\", \"job-done\"]`: with `stage` on, each "
           "such entry is told (template `<kind>.md`, else `stage.md`) on the entry's day.",
           _log_kinds, item_type=str),
    Option("outreach.daily_cap", int, 50, "At most this many messages a day, counted from the "
           "log of every profile (so every run and every clone shares the count)."),
    Option("outreach.optout_line", str, "If you would rather not hear from us by email, reply "
           "and say so: we will not write again.", "The line at the foot of every message; a "
           "template may set its own (`optout:` in its front matter). Empty: none."),
    Option("outreach.suppression_file", str, "suppressed.txt", "A file in the vault listing "
           "addresses (or `@domain`s) never to write to, one a line. Missing: nobody is "
           "suppressed; unreadable: nothing is sent."),
    Option("outreach.templates", str, "templates/messages", "The folder in the vault holding "
           "the message templates (`<occasion>.md`, `<occasion>.<language>.md`)."),
)
_BY_NAME = {option.name: option for option in SPEC}
SECTIONS = tuple(dict.fromkeys(option.section for option in SPEC))


class Config(Mapping[str, Any]):
    """The effective configuration: every option of :data:`SPEC`, by dotted name."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values = {o.name: _copy(o.default) for o in SPEC}
        if values:
            self._values.update(values)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def fingerprint(self) -> str:
        """A short digest of every value: caches of derived results key on it."""
        import hashlib
        import json

        text = json.dumps(self._values, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def contact_every(self, status: str | None) -> Duration | None:
        value = self["agenda.contact_every"].get(status or "", "")
        return conv.duration(value, "contact_every") if value else None


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


CONFIG_MAX_BYTES = 1 << 20  # a real plaincrm.toml is a few kilobytes
MAX_KEY_PARTS = 16  # tomllib takes time quadratic in a dotted key's parts; real keys have 1-3
_BARE_OR_QUOTED = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"^[ \t]*\[{{0,2}}[ \t]*{_BARE_OR_QUOTED}"
                       rf"(?:[ \t]*\.[ \t]*{_BARE_OR_QUOTED}){{{MAX_KEY_PARTS},}}", re.MULTILINE)


def load_config(vault: Path) -> tuple[Config, list[Problem]]:
    """Read ``plaincrm.toml`` at the vault root; a missing file gives the defaults.

    Read as any vault file is (:func:`plaincrm.vault.read_regular`): a FIFO, a device or a
    symlink out of the vault is a problem, never a hang or a read outside the vault.
    """
    from plaincrm.vault import Unreadable, read_regular  # (vault.py imports this module)

    try:
        data = read_regular(vault, CONFIG_NAME, limit=CONFIG_MAX_BYTES)
    except Unreadable as exc:
        if not os.path.lexists(vault / CONFIG_NAME):
            return Config(), []
        return Config(), [_problem(1, f"{exc}; every option keeps its default")]
    if len(data) > CONFIG_MAX_BYTES:
        return Config(), [_problem(1, f"larger than {CONFIG_MAX_BYTES >> 20} MiB, so not read; "
                                      "every option keeps its default")]
    return parse_config(data)


def parse_config(data: bytes) -> tuple[Config, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Config(), [_problem(1, "not UTF-8 text; every option keeps its default")]
    long_key = _LONG_KEY.search(text)
    if long_key is not None:
        line = text.count("\n", 0, long_key.start()) + 1
        return Config(), [_problem(line, f"a key of more than {MAX_KEY_PARTS} dotted parts; "
                                         "every option keeps its default")]
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        return Config(), [_problem(line, f"not valid TOML ({exc}); every option keeps its "
                                         "default")]
    except ValueError as exc:  # an integer of thousands of digits
        return Config(), [_problem(1, f"not valid TOML ({exc}); every option keeps its "
                                      "default")]
    except RecursionError:
        return Config(), [_problem(1, "not valid TOML (arrays or tables nested too deeply); "
                                      "every option keeps its default")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    lines = _Lines(text)
    for section, table in raw.items():
        if section not in SECTIONS or not isinstance(table, dict):
            problems.append(_problem(lines.section(section),
                                     f"unknown section [{section}] (the sections are "
                                     f"{', '.join(SECTIONS)})", Severity.WARNING))
            continue
        for key, value in table.items():
            name = f"{section}.{key}"
            line = lines.key(section, key)
            if name in MOVED:
                problems.append(_problem(line, f"{name} is now {MOVED[name]}; please rename "
                                         "it", Severity.WARNING))
                name = MOVED[name]
            option = _BY_NAME.get(name)
            if option is None:
                known = ", ".join(o.key for o in SPEC if o.section == section)
                problems.append(_problem(line, f"unknown option {name} ([{section}] has "
                                               f"{known})", Severity.WARNING))
                continue
            error = _check(option, value)
            if error:
                problems.append(_problem(line, f"{name} {error}; the default is used"))
                continue
            values[name] = value
            if name == "vault.me" and str(value).strip():
                problems.append(_problem(line, "vault.me in the shared plaincrm.toml makes "
                                         "everybody who uses this vault the same person; put "
                                         "me = \"...\" in your own config.toml instead (see "
                                         "docs/team.md)", Severity.WARNING))
    problems.extend(_unknown_statuses(values, lines))
    return Config(values), problems


def _unknown_statuses(values: dict[str, Any], lines: _Lines) -> Iterator[Problem]:
    """``agenda.no_service_statuses`` names that are no status in ``profiles.statuses``: a
    typo would leave those customers on the service round unseen."""
    statuses = [s.lower() for s in values.get("profiles.statuses",
                                              _BY_NAME["profiles.statuses"].default)]
    for name in values.get("agenda.no_service_statuses", []):
        if name.lower() not in statuses:
            yield _problem(lines.key("agenda", "no_service_statuses"),
                           f"agenda.no_service_statuses: {name!r} is not one of "
                           f"profiles.statuses ({', '.join(statuses)})", Severity.WARNING)


def _check(option: Option, value: Any) -> str | None:
    if option.type is int and (not isinstance(value, int) or isinstance(value, bool)):
        return "must be a whole number"
    if option.type is int and value < 0:
        return "must be 0 or more"
    if option.type is not int and not isinstance(value, option.type):
        return f"must be {_TYPE_WORDS[option.type]}"
    if option.item_type is not None and not all(isinstance(v, option.item_type) for v in value):
        return "must be a list of whole numbers" if option.item_type is int \
            else "must be a list of strings"
    if option.validate is not None:
        try:
            option.validate(value)
        except ValueError as exc:
            return str(exc)
    return None


_TYPE_WORDS = {str: "a string", bool: "true or false", list: "a list", dict: "a table"}


def _problem(line: int, message: str, severity: Severity = Severity.ERROR) -> Problem:
    return Problem(Location(CONFIG_NAME, line), "config-error", severity, message)


def _toml_error_line(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


_KEY_AT_START = re.compile(r"\s*([^\s=]+)\s*(?:=|$)")


class _Lines:
    """Best-effort lines of section headers and keys, found in one pass over the file (one
    scan per key would be quadratic in a large file)."""

    def __init__(self, text: str) -> None:
        self.headers: dict[str, int] = {}
        self.keys: dict[tuple[str | None, str], int] = {}
        header = None
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                header = stripped
                self.headers.setdefault(stripped, number)
                continue
            match = _KEY_AT_START.match(line)
            if match is not None:
                self.keys.setdefault((header, match.group(1)), number)

    def section(self, section: str) -> int:
        return self.headers.get(f"[{section}]", 1)

    def key(self, section: str, key: str) -> int:
        """The line of ``key`` inside ``[section]``."""
        return self.keys.get((f"[{section}]", key), 1)


# ---------------------------------------------------------------- generated texts


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }" \
            if value else "{}"
    return str(value)


def commented_toml() -> str:
    """The ``plaincrm.toml`` that ``plaincrm init`` writes: every option, commented out."""
    import textwrap  # only for this file's text: not on every command's start

    out = [
        "## plaincrm configuration. Every option is listed with its default, commented out:",
        "## remove the leading '# ' of an option to change it. See docs/configuration.md.",
    ]
    for section in SECTIONS:
        out.append("")
        out.append(f"[{section}]")
        for option in SPEC:
            if option.section != section:
                continue
            out.extend(textwrap.wrap(option.help, 96, initial_indent="## ",
                                     subsequent_indent="## "))
            out.append(f"# {option.key} = {_toml_value(option.default)}")
    return "\n".join(out) + "\n"


def configuration_markdown() -> str:
    """``docs/configuration.md``, generated from :data:`SPEC` (a test keeps it in step)."""
    out = [
        "# Configuration",
        "",
        "<!-- Generated from plaincrm/config.py by `python -m plaincrm.config`; do not edit. -->",
        "",
        "plaincrm reads an optional `plaincrm.toml` at the vault root (the folder that holds "
        "it is the vault). Every option is optional; a missing file means every default. "
        "The file is read as data (TOML), never executed. A value of the wrong type, or an "
        "unknown option, is reported as `plaincrm.toml:LINE: config-error …` and that option "
        "keeps its default: the rest of the vault keeps working.",
        "",
        f"Numbers of days are at most {MAX_DAYS} and of months at most {MAX_MONTHS} "
        f"({conv.MAX_YEARS} years), like every duration plaincrm reads. The file must be a plain "
        f"file inside the vault (not a FIFO, nor a symlink out of it), at most "
        f"{CONFIG_MAX_BYTES >> 20} MiB, in valid TOML with dotted keys of at most "
        f"{MAX_KEY_PARTS} parts; "
        "otherwise every option keeps its default and `plaincrm check` says why.",
        "",
        "`plaincrm init` writes the file with every option below present and commented out.",
    ]
    for section in SECTIONS:
        out += ["", f"## [{section}]", "", "| option | default | meaning |", "|---|---|---|"]
        for option in SPEC:
            if option.section == section:
                default = _toml_value(option.default).replace("|", "\\|")
                helptext = option.help.replace("|", "\\|")
                out.append(f"| `{option.key}` | `{default}` | {helptext} |")
    out += ["", "## Example", "", "```toml", EXAMPLE.strip(), "```", ""]
    return "\n".join(out)


EXAMPLE = """
[vault]
me = "ben"

[profiles]
phone_region = "GB"
required_by_status = { active = ["phone"] }

[agenda]
lead_days = { birthday = 7, service = 14, task = 0, keep_in_touch = 0, anniversary = 7 }
dates = { contract_end = "once", wedding = "yearly" }

[checks]
severity = { undated-task = "off" }

[calendar]
name = "Bright Boilers reminders"
include_log = false

[outreach]
occasions = ["birthday", "service"]
service_days_before = 21
"""


if __name__ == "__main__":  # pragma: no cover - regenerates the docs
    Path("docs/configuration.md").write_text(configuration_markdown(), encoding="utf-8")
