"""Bytes of one profile file → a :class:`Profile` and the problems found on the way.

Never raises on user data and never writes. Front matter is split by hand (so line numbers stay
absolute), composed by libyaml with every scalar kept as text (no implicit int, bool, date or
sexagesimal conversion), and the known fields are converted one by one, each with its own located
problem. The body is read with markdown-it's block parser only: tasks and the log are all
plaincrm needs from it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from plaincrm import fields as conv
from plaincrm import obsidian
from plaincrm.booking import BOOKED, visit_day
from plaincrm.model import KNOWN_KEYS as KNOWN_KEYS  # its home; kept importable from here
from plaincrm.model import Field, Location, LogEntry, Problem, Profile, Severity, Task

if TYPE_CHECKING:
    import yaml


@cache
def _yaml() -> tuple[Any, Any]:
    """PyYAML and its libyaml loader, imported on the first profile read (a warm command that
    reads profiles from the index never needs them)."""
    import yaml

    try:
        return yaml, yaml.CBaseLoader
    except AttributeError:  # PyYAML built without libyaml
        return yaml, yaml.BaseLoader


FM_OPEN = "---"
FM_CLOSE = ("---", "...")
CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)")
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")  # a cheap first look
LEADING_DATE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?:[ \t]+|$)(.*)", re.DOTALL)
CHECKBOX = re.compile(r"\[([ xX-])\](?:[ \t\u00a0]+|$)(.*)", re.DOTALL)
KIND = re.compile(r"([^\W\d][\w-]*):(?:[ \t]+|$)(.*)", re.DOTALL)
MENTION = re.compile(r"(?<![\w@.])@([\w][\w.-]*\w|\w)")



@cache
def _markdown() -> Any:
    """markdown-it, imported only for the bodies the line scanner leaves to it."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.core.ruler.disable("inline")  # only block structure is needed: items keep their raw text
    return md


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.front = _FrontLines("")

    def add(self, line: int, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        """A problem; its message is one line (a problem prints as ``path:line: code message``)
        with no control characters, whatever text from the file it quotes."""
        if not message.isprintable():
            message = _CONTROL.sub(_escape, " ".join(message.split()))
        self.problems.append(Problem(Location(self.path, line), code, severity, message))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else \
        f"\\u{ord(match.group()):04x}"


# Line breaks as editors count them: \n, \r\n, \r. str.splitlines also breaks at \x0b, \x0c,
# \x1c-\x1e, \x85, \u2028 and \u2029; libyaml at \x85, \u2028 and \u2029.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their ends, numbered as an editor numbers them."""
    if not _ODD_BREAKS.search(text):
        return text.splitlines(keepends=True)  # the same lines, faster
    return _LINE.findall(text)


class _FrontLines:
    """The file's line of a place in the front matter (which starts on line 2), from a YAML
    mark: libyaml counts \x85, \u2028 and \u2029 as line breaks, editors do not."""

    def __init__(self, source: str) -> None:
        self.odd = _YAML_ONLY_BREAKS.search(source) is not None
        self.starts = [m.end() for m in NEWLINE.finditer(source)] if self.odd else []

    def line(self, mark: Any) -> int:
        return self.at(mark.index, mark.line)

    def at(self, index: int, yaml_line: int) -> int:
        return 2 + (bisect.bisect_right(self.starts, index) if self.odd else yaml_line)


def parse_profile(path: str, data: bytes) -> tuple[Profile | None, list[Problem]]:
    """Parse one file. ``path`` is relative to the vault, with ``/`` separators."""
    out = _Collector(path)
    if not data.strip():
        out.add(1, "empty-file", "the file is empty", Severity.WARNING)
        return _empty_profile(path), out.problems
    if b"\x00" in data[:8192]:
        out.add(1, "parse-error", "binary file (it holds NUL bytes), not a Markdown profile")
        return None, out.problems
    text = _decode(data, out)
    lines = _split_lines(text)
    conflicts = _find_conflicts(lines, out) if any(
        marker in text for marker in CONFLICT_MARKERS) else []

    raw_fields, body_start = _front_matter(lines, out)
    if "::" in text:
        raw_fields = _with_body_fields(raw_fields, lines[body_start - 1:], body_start)
    body_lines = lines[body_start - 1:]
    for number in conflicts:  # a marker is no text: blank, so the lines keep their numbers
        if number >= body_start:
            body_lines[number - body_start] = "\n"
    body = "".join(body_lines)
    tasks, log, pinned = _read_body(body, body_start, out)
    if pinned and not any(f.key == REMEMBER for f in raw_fields):
        raw_fields = [*raw_fields, _pinned_field(pinned)]  # a list: no converter reads it
    # the body first, so the profile is made once, with its problems all known
    profile = _convert(path, raw_fields, out, tasks=tuple(tasks), log=tuple(log),
                       log_count=len(log))
    return profile, sorted(out.problems, key=Problem.sort_key)


REMEMBER = "remember"  # pinned facts: this front-matter key, or the items under a Remember heading


def _pinned_field(items: list[tuple[str, int]]) -> Field:
    """The items of the body's Remember section as the ``remember`` field (as a body Dataview
    field is one): what the agenda and ``show`` recall first (see :mod:`plaincrm.recall`)."""
    return Field(key=REMEMBER, raw=[text for text, _line in items], line=items[0][1],
                 item_lines=tuple(line for _text, line in items))


def _with_body_fields(raw_fields: list[Field], body: list[str], first_line: int) -> list[Field]:
    """The front matter's fields and, after them, the body's full-line Dataview fields
    (``key:: value``) whose key the front matter (or an earlier line) does not have."""
    seen = {f.key for f in raw_fields}
    extra = []
    for key, value, line in obsidian.body_fields(body, first_line):
        if key not in seen:
            seen.add(key)
            extra.append(Field(key=key, raw=value, line=line))
    return [*raw_fields, *extra] if extra else raw_fields


def _empty_profile(path: str) -> Profile:
    return Profile(location=Location(path, 1), stem=PurePosixPath(path).stem)


def _decode(data: bytes, out: _Collector) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        out.add(
            line,
            "parse-error",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8 "
            "(undecodable bytes were read as \N{REPLACEMENT CHARACTER})",
        )
        return data.decode("utf-8-sig", errors="replace")


def _find_conflicts(lines: list[str], out: _Collector) -> list[int]:
    """The lines holding a git conflict marker, each reported."""
    found = []
    for number, line in enumerate(lines, start=1):
        if CONFLICT.match(line):
            out.add(number, "conflict-marker", "git conflict marker: finish the merge in this file")
            found.append(number)
    return found


# ---------------------------------------------------------------- front matter


def _front_matter(lines: list[str], out: _Collector) -> tuple[list[Field], int]:
    """The raw fields and the 1-based line where the body starts."""
    if not lines or lines[0].rstrip() != FM_OPEN:
        out.add(
            1,
            "no-front-matter",
            "no front matter: start the file with a '---' line, key: value lines, and '---'",
            Severity.WARNING,
        )
        return [], 1
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in FM_CLOSE), None)
    if close is None:
        out.add(1, "parse-error", "front matter opened here is never closed with a '---' line")
        return [], 1
    source = "".join(lines[1:close])
    body_start = close + 2
    conflict_inside = any(
        p.code == "conflict-marker" and p.location.line <= close + 1 for p in out.problems
    )
    if conflict_inside:
        return [], body_start
    simple = _simple_fields(lines, close)
    if simple is not None:
        return simple, body_start
    yaml, loader = _yaml()
    out.front = _FrontLines(source)
    try:
        reference = _anchor_or_alias(source, out) if "&" in source or "*" in source else None
        if reference is not None:
            line, what = reference
            out.add(line, "parse-error", f"front matter uses a YAML {what}; plaincrm does not "
                    "read anchors and aliases (a few bytes of them can expand without end): "
                    "write the value out, or quote it if the & or * is part of the text")
            return [], body_start
        node = yaml.compose(source, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = out.front.line(mark) if mark is not None else 2
        reason = exc.problem or "invalid YAML"
        bad_line = source.splitlines()[mark.line] if mark and mark.line < source.count("\n") \
            else ""
        if "\t" in bad_line:
            reason += " (a tab: indent front matter with spaces only)"
        out.add(line, "parse-error", f"front matter is not valid YAML: {reason}")
        return [], body_start
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = out.front.at(exc.position, len(NEWLINE.findall(source, 0, exc.position)))
        out.add(line, "parse-error", f"front matter is not valid YAML: {exc.reason} "
                f"(U+{exc.character:04X})")
        return [], body_start
    except yaml.YAMLError as exc:
        out.add(2, "parse-error", f"front matter is not valid YAML: {exc}")
        return [], body_start
    if node is None:
        out.add(1, "no-front-matter", "the front matter is empty", Severity.WARNING)
        return [], body_start
    if not isinstance(node, yaml.MappingNode):
        found = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        out.add(
            out.front.line(node.start_mark),
            "parse-error",
            f"front matter must be 'key: value' lines, found {found}",
        )
        return [], body_start
    try:
        return _mapping_fields(node, out), body_start
    except _TooDeep as exc:
        out.add(exc.line, "parse-error", f"front matter is nested more than {MAX_DEPTH} levels "
                "deep; plaincrm reads plain keys, lists and small mappings")
        return [], body_start


# The front matter most people write: ``key: value`` lines whose values are plain words, quoted
# text without escapes, a one-line ``[a, b]`` list or ``- item`` lines. Anything else (comments,
# nesting, continuation lines, tabs, odd characters, a repeated key) is left to libyaml.
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*?))? *")
_ITEM_LINE = re.compile(r"( *)- +(.*?) *")
# (a leading - ? or : needs a character after it, which is then read as any other: ``:: a``
# ends the scalar at its second colon)
_PLAIN = re.compile(r"(?:[^-?:,\[\]{}#&*!|>'\"%@` ]|[-?:](?=[^ ]))(?:[^:#]|:(?! )|(?<! )#)*(?<!:)")
_QUOTED = re.compile(r"\"([^\"\\]*)\"|'([^']*)'")
_FLOW_ITEM = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ][^:#,\[\]{}'\"]*")


def _simple_scalar(text: str) -> str | None:
    """The value of a one-line plain or quoted scalar, as libyaml reads it; None if unsure."""
    if _PLAIN.fullmatch(text):
        return text
    quoted = _QUOTED.fullmatch(text)
    if quoted is not None:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    return None


def _simple_fields(lines: list[str], close: int) -> list[Field] | None:
    """The fields of front matter ``lines[1:close]`` without libyaml when every line is of the
    plain shape above (the same fields libyaml gives), else None."""
    fields: list[Field] = []
    seen: set[str] = set()
    items: list[str] = []  # the block list being read, for the last key
    item_lines: list[int] = []
    indent: str | None = None
    opened = False  # the last key has no value on its line: a block list may follow
    for number in range(1, close):
        line = lines[number]
        if line[-1:] != "\n" or not line[:-1].isprintable():
            return None  # \r, a tab, a control or odd break character
        line = line[:-1]
        if not line.strip(" "):
            return None
        if indent is not None or (opened and line.lstrip(" ")[:1] == "-"):
            item = _ITEM_LINE.fullmatch(line)
            if item is not None and (indent is None or item.group(1) == indent):
                value = _simple_scalar(item.group(2))
                if value is None:
                    return None
                indent = item.group(1)
                items.append(value)
                item_lines.append(number + 1)
                continue
            if indent is not None:
                last = fields[-1]
                fields[-1] = Field(last.key, items, last.line, tuple(item_lines))
                items, item_lines, indent = [], [], None
        match = _KEY_LINE.fullmatch(line)
        if match is None or match.group(1) in seen:
            return None
        key, text = match.group(1), match.group(2) or ""
        seen.add(key)
        opened = not text
        raw: Any
        found: tuple[int, ...] = ()
        if text.startswith("[") and text.endswith("]"):
            inner = text[1:-1].strip(" ")
            raw = [part.strip(" ") for part in inner.split(",")] if inner else []
            if not all(_FLOW_ITEM.fullmatch(part) for part in raw):
                return None
            found = (number + 1,) * len(raw)
        elif text:
            raw = _simple_scalar(text)
            if raw is None:
                return None
        else:
            raw = ""
        fields.append(Field(key=key, raw=raw, line=number + 1, item_lines=found))
    if indent is not None:
        last = fields[-1]
        fields[-1] = Field(last.key, items, last.line, tuple(item_lines))
    return fields or None


def _anchor_or_alias(source: str, out: _Collector) -> tuple[int, str] | None:
    """The line of the first anchor (``&name``) or alias (``*name``), and which it is.

    Read from libyaml's events, which never expand an alias: an alias that refers to itself or
    a "billion laughs" costs no more than its bytes here."""
    yaml, loader = _yaml()
    for event in yaml.parse(source, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            return out.front.line(event.start_mark), f"alias (*{event.anchor})"
        if getattr(event, "anchor", None) is not None:
            return out.front.line(event.start_mark), f"anchor (&{event.anchor})"
    return None


MAX_DEPTH = 16  # nesting of front-matter values; plaincrm's own fields are at most 2 deep


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _mapping_fields(node: yaml.MappingNode, out: _Collector) -> list[Field]:
    yaml, _ = _yaml()
    result: list[Field] = []
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = out.front.line(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            out.add(line, "parse-error", "a front-matter key must be plain text")
            continue
        key = str(key_node.value)
        if key in seen:
            out.add(
                line,
                "duplicate-key",
                f"key {key!r} appears twice (first at line {seen[key]}); this one is ignored",
            )
            continue
        seen[key] = line
        items = (tuple(out.front.line(item.start_mark) for item in value_node.value)
                 if isinstance(value_node, yaml.SequenceNode) else ())
        result.append(Field(key=key, raw=_plain(value_node, out), line=line, item_lines=items))
    return result


def _plain(node: yaml.Node, out: _Collector, depth: int = 1) -> Any:
    """The node as text, lists and dicts (no aliases reach here: the graph is a tree)."""
    yaml, _ = _yaml()
    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    if depth >= MAX_DEPTH:
        raise _TooDeep(out.front.line(node.start_mark))
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, out, depth + 1) for item in node.value]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = out.front.line(key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            out.add(line, "parse-error", "a front-matter key must be plain text")
            continue
        key = str(key_node.value)
        if key in result:
            out.add(line, "duplicate-key", f"key {key!r} appears twice")
            continue
        result[key] = _plain(value_node, out, depth + 1)
    return result


def _convert(path: str, raw_fields: list[Field], out: _Collector, **body: Any) -> Profile:
    """The profile of ``raw_fields`` and ``body`` (its tasks and log), once every problem of
    the file is in ``out``."""
    values: dict[str, Any] = {}
    dates = []
    for f in raw_fields:
        if f.raw == "" or f.raw == []:
            continue  # `key:` with no value counts as not set
        converter = _CONVERTERS.get(f.key)
        if converter is None:
            if isinstance(f.raw, str) and conv.ISO_DATE.fullmatch(f.raw.strip()):
                try:
                    dates.append((f.key, conv.date(f.raw, f.key)))
                except conv.FieldError as exc:
                    out.add(f.line, "invalid-date", str(exc))
            continue
        attr, func = converter
        try:
            value = func(f.raw, f.key)
        except conv.FieldError as exc:
            code = "invalid-date" if f.key in _DATE_KEYS else "invalid-field"
            out.add(f.line, code, str(exc))
            continue
        if value not in (None, "", ()):
            values[attr] = value
    if "status" in values:
        values["status"] = values["status"].lower()
    return Profile(
        location=Location(path, 1),
        stem=PurePosixPath(path).stem,
        dates=tuple(dates),
        fields=tuple(raw_fields),
        has_problems=any(p.severity is Severity.ERROR for p in out.problems),
        **values,
        **body,
    )


_DATE_KEYS = {"birthday", "service_due", "customer_since"}
_CONVERTERS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "name": ("name", conv.text),
    "id": ("id", conv.text),
    "email": ("emails", conv.text_list),
    "phone": ("phones", conv.text_list),
    "birthday": ("birthday", conv.birthday),
    "status": ("status", conv.text),
    "service_due": ("service_due", conv.date),
    "service_every": ("service_every", conv.duration),
    "contact_every": ("contact_every", conv.duration),
    "customer_since": ("customer_since", conv.date),
    "owner": ("owner", conv.owner),
    "tags": ("tags", lambda raw, key: conv.text_list(raw, key, split_commas=True)),
}


# ---------------------------------------------------------------- body


Pinned = list[tuple[str, int]]  # the items under a Remember heading, with their lines


def _read_body(body: str, first_line: int,
               out: _Collector) -> tuple[list[Task], list[LogEntry], Pinned]:
    tasks: list[Task] = []
    log: list[LogEntry] = []
    pinned: Pinned = []
    if "-" not in body and "*" not in body and "+" not in body and "[" not in body:
        return tasks, log, pinned  # no list item can be here: skip the parse
    events = simple_events(body)
    if events is None:
        events = _markdown_events(body)
    log_level: int | None = None  # the level of the Log heading we are under
    pin_level: int | None = None  # the level of the Remember heading we are under
    for event in events:
        line = first_line + event[1]
        if event[0] == "heading":
            _, _, level, content, markup = event
            if log_level is not None and markup in ("-", "=") and LEADING_DATE.match(content):
                out.add(
                    line,
                    "log-heading-trap",
                    "this log entry reads as a heading because of the '---' or '===' line "
                    "under it; put a blank line between them",
                    Severity.WARNING,
                )
                _log_entry(LEADING_DATE.match(content.splitlines()[0]), line, log, out)
                continue
            if log_level is not None and level <= log_level:
                log_level = None
            if pin_level is not None and level <= pin_level:
                pin_level = None
            if content.lower() == "log":
                log_level = level
            elif content.lower() == REMEMBER:
                pin_level = level
        else:
            item = event[2]
            if item[:1] == "[" and (box := CHECKBOX.match(item)) is not None:
                tasks.append(_task(box, line, out))
            elif log_level is not None and (plain := LOG_ENTRY.fullmatch(item)) is not None \
                    and (day := _log_day(plain.group(1))) is not None \
                    and (kind := plain.group(2).lower()) != BOOKED:
                # the entry most logs are made of, as _log_entry reads it, in one match
                log.append(LogEntry(Location(out.path, line), day, plain.group(3).strip(), kind))
            elif log_level is not None and (dated := LEADING_DATE.match(item)) is not None:
                _log_entry(dated, line, log, out)
            elif pin_level is not None and item:
                pinned.append((item, line))
    return tasks, log, pinned


# A body event: ("heading", line offset, level, text, markup) or ("item", line offset, text),
# the text of a list item that starts with a paragraph, its lines joined by spaces.
Event = tuple[Any, ...]


def _markdown_events(body: str) -> list[Event]:
    """The events from markdown-it's block parse: right for every body, ~0.4 ms a profile."""
    events: list[Event] = []
    tokens = _markdown().parse(body)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            offset = token.map[0] if token.map else 0
            content = tokens[i + 1].content.strip()
            events.append(("heading", offset, int(token.tag[1]), content, token.markup))
        elif token.type == "list_item_open" and token.map:
            inline = _item_inline(tokens, i)
            if inline is None:
                continue
            item = " ".join(part.strip() for part in inline.content.splitlines()).strip()
            events.append(("item", token.map[0], item))
    return events


NEWLINE = re.compile(r"\r\n?|\n")
ODD_CHARS = re.compile("[\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # NUL, odd line breaks
SIMPLE_ITEM = re.compile(r"[-*+] (\S.*)")
ATX = re.compile(r"(#{1,6})(?:[ \t](.*))?")
ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")
ORDERED = re.compile(r"\d{1,9}[.)](?:[ \t]|$)")
REFERENCE = re.compile(r"\[[^\]]*\]:")
THEMATIC = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
# first characters that may open a block the line scanner does not handle
_TRICKY_START = frozenset(" \t>=<`~_|")
_TRICKY_ITEM = frozenset("-*+>#`~<=_|")


def simple_events(body: str) -> list[Event] | None:
    """The same events as :func:`_markdown_events` from a line scan, for the bodies most
    people write (ATX headings, paragraphs, one-line ``-``/``*``/``+`` items, blank lines);
    None as soon as a line could mean something else (indentation, fences, quotes, setext
    underlines, ordered lists, HTML, continuation lines), and markdown-it decides."""
    if not body.isascii() and ODD_CHARS.search(body):
        return None
    events: list[Event] = []
    after_item = False
    for offset, line in enumerate(NEWLINE.split(body)):
        if not line.strip(" \t"):
            after_item = False
            continue
        first = line[0]
        if first in _TRICKY_START:
            return None
        if first == "#":
            heading = ATX.fullmatch(line)
            if heading is not None:
                content = ATX_CLOSE.sub("", (heading.group(2) or "").strip()).strip()
                events.append(("heading", offset, len(heading.group(1)), content,
                               heading.group(1)))
                after_item = False
                continue
        elif first in "-*+":
            item = SIMPLE_ITEM.fullmatch(line)
            if item is None or THEMATIC.fullmatch(line):
                return None
            text = item.group(1)
            if text[0] in _TRICKY_ITEM or ORDERED.match(text) or REFERENCE.match(text):
                return None
            events.append(("item", offset, text.strip()))
            after_item = True
            continue
        elif first.isdigit() and ORDERED.match(line):
            return None
        if after_item:  # a lazy continuation line of the item above
            return None
    return events


def _item_inline(tokens: list[Any], i: int) -> Any:
    """The inline token of the list item opened at ``tokens[i]``, if it starts with a paragraph."""
    if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
        return tokens[i + 2]
    return None


def _task(box: re.Match[str], line: int, out: _Collector) -> Task:
    """A task: ``[ ] DAY text`` as plaincrm writes it, or with the Tasks plugin's or
    Dataview's fields (:mod:`plaincrm.obsidian`); ``[-]`` is cancelled, closed as done is."""
    done = box.group(1) != " "
    rest = box.group(2).strip()
    location = Location(out.path, line)
    dated = LEADING_DATE.match(rest)
    if dated is None and obsidian.has_marks(rest):
        return _obsidian_task(rest, done, location, out)
    owner_match = MENTION.search(rest)
    task_owner = owner_match.group(1) if owner_match else None
    if dated is None:
        return Task(location, rest, done, None, task_owner)
    try:
        day = conv.date(dated.group(1), "task date")
    except conv.FieldError as exc:
        out.add(line, "invalid-date", str(exc))
        return Task(location, rest, done, None, task_owner)
    return Task(location, dated.group(2).strip(), done, day, task_owner)


def _obsidian_task(rest: str, done: bool, location: Location, out: _Collector) -> Task:
    found = obsidian.read(rest)
    owner_match = MENTION.search(found.text)
    task_owner = owner_match.group(1) if owner_match else None
    day = None
    for kind, value in found.dates.items():
        try:
            parsed = conv.date(value, f"task {kind} date")
        except conv.FieldError as exc:
            out.add(location.line, "invalid-date", str(exc))
            continue
        if found.day_text() == (kind, value):
            day = parsed
    return Task(location, found.text, done or found.closed, day, task_owner)


# ``- 2026-11-20 call: text``: a log item with a YYYY-MM-DD day and a kind (see _log_entry)
LOG_ENTRY = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ \t]+([^\W\d][\w-]*):[ \t]+(.*)",
                       re.DOTALL)


@lru_cache(maxsize=8192)
def _log_day(text: str) -> dt.date | None:
    """The day of a log entry's ``YYYY-MM-DD`` (logs share few days), None when it is no day
    of the years plaincrm reads (then _log_entry says why)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if conv.FIRST_YEAR <= day.year <= conv.LAST_YEAR else None


def _log_entry(dated: re.Match[str] | None, line: int, log: list[LogEntry],
               out: _Collector) -> None:
    """The log entry of a list item ``dated`` (:data:`LEADING_DATE` matched) at ``line``."""
    assert dated is not None
    try:
        day = dt.date.fromisoformat(dated.group(1))  # the usual YYYY-MM-DD, fast
        if not conv.FIRST_YEAR <= day.year <= conv.LAST_YEAR:
            raise ValueError("out of range")  # conv.date says so, with the range
    except ValueError:
        try:
            day = conv.date(dated.group(1), "log date")  # or the reason it is not one
        except conv.FieldError as exc:
            out.add(line, "invalid-date", str(exc))
            return
    rest = dated.group(2).strip()
    kind_match = KIND.match(rest)
    kind, text = (kind_match.group(1).lower(), kind_match.group(2).strip()) if kind_match else (
        None,
        rest,
    )
    if kind == BOOKED:
        try:
            visit_day(text)
        except conv.FieldError as exc:
            out.add(line, "invalid-booking", f"{exc}; this booking is ignored")
    log.append(LogEntry(Location(out.path, line), day, text, kind))
