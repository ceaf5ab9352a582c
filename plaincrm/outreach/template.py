"""Message templates: found in the vault (else plaincrm's defaults), rendered in a sandbox.

A template is Markdown-like text with front matter::

    ---
    subject: "Happy birthday, {{ first_name }}!"
    label: Birthday greeting
    ---
    Dear {{ first_name }}, …

``templates/messages/<occasion>.<language>.md`` is used for a profile whose ``language`` is
set, else ``<occasion>.md``, else the default shipped in ``plaincrm/data/messages``. Subject and
body are Jinja2 templates run in a :class:`~jinja2.sandbox.SandboxedEnvironment` with
:class:`~jinja2.StrictUndefined`: a field the profile lacks skips that message with a located
problem (never "Dear ,"), and a broken template is a located problem naming its file and line,
so nothing is sent for that occasion. Line numbers are the file's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

from plaincrm.errors import PlaincrmError
from plaincrm.files import read_vault_file
from plaincrm.model import Location, Problem, Profile, Severity

BUILTIN_PREFIX = "(built-in) messages/"
KEYS = ("subject", "label", "optout", "reply_to")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message's text, ready to send."""

    subject: str
    body: str
    label: str  # how the log names it: "Birthday greeting"
    reply_to: str | None
    template: str  # where it came from, for people


@dataclass(frozen=True, slots=True)
class Template:
    path: str  # vault-relative, or BUILTIN_PREFIX + name
    subject: Any  # jinja2.Template
    body: Any
    label: str
    optout: str | None  # None: the configured line
    reply_to: str | None

    def render(self, values: Mapping[str, Any], optout_line: str,
               who: str = "the profile") -> Rendered | Problem:
        """The message for ``values`` (the profile ``who``); a located problem when a field
        is missing or the template fails."""
        subject = _run(self.path, lambda: self.subject.render(values), who)
        if isinstance(subject, Problem):
            return subject
        body = _run(self.path, lambda: self.body.render(values), who)
        if isinstance(body, Problem):
            return body
        subject = " ".join("".join(c if c.isprintable() else " " for c in subject).split())
        if not subject:
            return Problem(Location(self.path, 1), "template-error", Severity.ERROR,
                           "the subject is empty")
        text = "\n".join(line.rstrip() for line in body.strip("\n").splitlines()).strip()
        foot = optout_line if self.optout is None else self.optout
        if foot.strip():
            text += "\n\n" + foot.strip()
        return Rendered(subject, text + "\n", self.label, self.reply_to, self.path)


def builtin_messages() -> dict[str, str]:
    """plaincrm's own message templates, by file name (``birthday.md`` …): the last fallback
    of :meth:`Templates.find`, and what ``plaincrm init`` writes into a new vault."""
    folder = resources.files("plaincrm.data").joinpath("messages")
    return {item.name: item.read_text(encoding="utf-8")
            for item in sorted(folder.iterdir(), key=lambda i: i.name)
            if item.name.endswith(".md") and item.is_file()}


class Templates:
    """The templates of one vault, each read and compiled once."""

    def __init__(self, root: Path, folder: str) -> None:
        from jinja2 import FunctionLoader, StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        self.root = root
        self.folder = folder.strip("/")
        self._sources: dict[str, tuple[str, str]] = {}
        self._cache: dict[str, Template | Problem | None] = {}
        self.env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
            trim_blocks=True, lstrip_blocks=True,
            loader=FunctionLoader(lambda name: (*self._sources[name], lambda: True)))
        self.env.filters["longdate"] = longdate
        self.env.filters["date"] = strftime

    def find(self, names: tuple[str, ...], language: str | None) -> Template | Problem:
        """The template for the first of ``names`` that has one (a language variant first)."""
        lang = language.strip().lower() if language and LANGUAGE.fullmatch(
            language.strip()) else None
        candidates = []
        for name in names:
            if lang:
                candidates.append(f"{self.folder}/{name}.{lang}.md")
            candidates.append(f"{self.folder}/{name}.md")
        candidates += [BUILTIN_PREFIX + f"{name}.md" for name in names]
        for rel in candidates:
            found = self._load(rel)
            if found is not None:
                return found
        return Problem(Location(f"{self.folder}/{names[0]}.md", 1), "missing-template",
                       Severity.ERROR, f"there is no template for {names[0]!r}; nothing is "
                       "sent for it")

    def _load(self, rel: str) -> Template | Problem | None:
        if rel not in self._cache:
            text = self._read(rel)
            self._cache[rel] = text if text is None or isinstance(text, Problem) \
                else self._compile(rel, text)
        return self._cache[rel]

    def _read(self, rel: str) -> str | Problem | None:
        if rel.startswith(BUILTIN_PREFIX):
            item = resources.files("plaincrm.data").joinpath(
                "messages/" + rel.removeprefix(BUILTIN_PREFIX))
            return item.read_text(encoding="utf-8") if item.is_file() else None
        try:
            data = read_vault_file(self.root, rel)
        except FileNotFoundError:
            return None
        except PlaincrmError as exc:  # outside the vault, not a regular file, unreadable
            return _problem(rel, 1, "template-error", f"{exc}; nothing is sent for this "
                            "occasion")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return _problem(rel, 1, "template-error", "is not UTF-8 text")

    def _compile(self, rel: str, text: str) -> Template | Problem:
        from jinja2 import TemplateSyntaxError

        parsed = split(rel, text)
        if isinstance(parsed, Problem):
            return parsed
        meta, lines, body_line, body = parsed
        if "subject" not in meta:
            return _problem(rel, 1, "template-error", "the front matter has no subject")
        compiled = {}
        for part, source, line in (("subject", meta["subject"], lines["subject"]),
                                   ("body", body, body_line)):
            # padded with blank lines so Jinja's line numbers are the file's
            self._sources[f"{rel}#{part}"] = ("\n" * (line - 1) + source, rel)
            try:
                compiled[part] = self.env.get_template(f"{rel}#{part}")
            except TemplateSyntaxError as exc:
                return _problem(rel, exc.lineno or line, "template-error",
                                f"{exc.message}; nothing is sent for this occasion")
        return Template(rel, compiled["subject"], compiled["body"],
                        meta.get("label") or _default_label(rel), meta.get("optout"),
                        meta.get("reply_to") or None)


def split(rel: str, text: str) -> tuple[dict[str, str], dict[str, int], int, str] | Problem:
    """(front-matter values, their lines, the body's first line, the body) of a template."""
    import yaml

    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return _problem(rel, 1, "template-error", "a template starts with front matter "
                        "('---', subject: …, '---')")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        return _problem(rel, 1, "template-error", "the front matter is not closed with '---'")
    try:
        loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
        node = yaml.compose("".join(lines[1:close]), Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return _problem(rel, (mark.line + 2) if mark else 1, "template-error",
                        f"the front matter is not valid YAML: {getattr(exc, 'problem', exc)}")
    values: dict[str, str] = {}
    where: dict[str, int] = {}
    if node is not None and not isinstance(node, yaml.MappingNode):
        return _problem(rel, 2, "template-error", "the front matter must be 'key: value' lines")
    for key_node, value_node in (node.value if node is not None else []):
        line = key_node.start_mark.line + 2
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
        if key not in KEYS:
            return _problem(rel, line, "template-error", f"unknown key {key!r}; a template "
                            f"takes {', '.join(KEYS)}")
        if not isinstance(value_node, yaml.ScalarNode):
            return _problem(rel, line, "template-error", f"{key} must be one line of text")
        if key in values:
            return _problem(rel, line, "template-error", f"{key} is given twice")
        values[key], where[key] = value_node.value, line
    return values, where, close + 2, "".join(lines[close + 1:])


def _run(path: str, render: Callable[[], str], who: str) -> str | Problem:
    """``render()``, or the located problem it raised (a missing field, a failing filter)."""
    from jinja2 import UndefinedError

    try:
        return render()
    except UndefinedError as exc:
        return _problem(path, _template_line(exc.__traceback__, path), "template-field",
                        f"{exc.message} for {who}: that message is skipped")
    except Exception as exc:  # a failing filter or a sandbox refusal: the user's template
        return _problem(path, _template_line(exc.__traceback__, path), "template-error",
                        f"{type(exc).__name__}: {exc} (for {who}): that message is skipped")


def _template_line(tb: TracebackType | None, path: str) -> int:
    """The line of the template where rendering failed (Jinja's frames carry its file name)."""
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _problem(path: str, line: int, code: str, message: str) -> Problem:
    return Problem(Location(path, line), code, Severity.ERROR, message)


def _default_label(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1].split(".", 1)[0]
    return name.replace("-", " ").replace("_", " ").capitalize() + " message"


def longdate(value: Any) -> str:
    """``20 November 2026`` (a date, or text holding YYYY-MM-DD)."""
    day = _as_date(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def strftime(value: Any, fmt: str = "%d.%m.%Y") -> str:
    """A date in the given ``strftime`` format."""
    return _as_date(value).strftime(fmt)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def first_name(profile: Profile) -> str | None:
    """How to greet the person: ``first_name`` when the profile has one, else the first word
    of the name (``Müller, Hans`` is Hans; titles such as ``Dr.`` are passed over)."""
    from plaincrm.checks.names import _TITLES, fold_word

    given = profile.raw("first_name")
    if isinstance(given, str) and given.strip():
        return given.strip()
    name = (profile.name or "").strip()
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    words = name.split()
    while len(words) > 1 and fold_word(words[0]) in _TITLES:
        words.pop(0)
    return words[0] if words and any(c.isalpha() for c in words[0]) else None


def variables(profile: Profile, occasion: Any, today: dt.date, address: str | None,
              sender_name: str) -> dict[str, Any]:
    """What a template can use (see docs/outreach.md): every front-matter field the profile
    has a value for, as written; the names and dates plaincrm works out; the occasion's own.
    A field without a value is left out, so using it skips the message."""
    from plaincrm.reminders import service_due

    values: dict[str, Any] = {}
    for f in profile.fields:
        if isinstance(f.raw, str) and f.raw.strip():
            values[f.key] = f.raw.strip()
        elif isinstance(f.raw, list | dict) and f.raw:
            values[f.key] = f.raw
    values["name"] = profile.display_name
    greeting = first_name(profile)
    if greeting:
        values["first_name"] = greeting
    else:
        values.pop("first_name", None)
    if address:
        values["email"] = address
    if profile.tags:
        values["tags"] = list(profile.tags)
    for key, day in (("customer_since", profile.customer_since),):
        if day is not None:
            values[key] = day
    due = service_due(profile)
    if due is not None:
        values["service_due"] = due[0]
    last = profile.newest_log("service")
    if last is not None:
        values["last_service"] = last.date
    values["today"] = today
    values["sender_name"] = sender_name
    values["occasion"] = occasion.name
    values["occasion_date"] = occasion.date
    values.update(occasion.values)
    return values
