"""Pure edits of one profile: its bytes in, the new bytes out. Nothing here touches a disk.

Every byte outside the inserted or changed text stays as it was: a BOM, the line endings, the
front matter with its comments and quoting, the text after the Log section. New lines use the
file's line ending (the first one in the file; ``\\n`` for a file without one). A file without a
final newline gets the separator in front of a line added at its end, and keeps having no final
newline.

Where new text goes:

- a log entry goes after the last entry of the Log section, with the same bullet and indent as
  that entry. When the entries are in date order and the new one is older than some of them (a
  back-dated ``--date``), it goes after the last entry dated on or before it instead, so the log
  stays in date order. A Log heading without entries gets the entry at the end of its section;
  a file without a Log heading gets ``## Log`` and the entry at its end.
- a task goes after the last task-list item of the file, else before the Log heading, else at
  the end of the file.
- ticking a task turns ``[ ]`` into ``[x]`` on exactly that task's line.

After each edit the new text is parsed again and compared with the old: the front matter, every
other log entry and every other task must come out the same, and the new entry or task must be
read back as written. If not (an unclosed code fence swallowing the new line, say), the edit is
refused and the file is left alone.
"""

from __future__ import annotations

import codecs
import datetime as dt
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt

from plaincrm import obsidian
from plaincrm.errors import BadValue, WriteRefused
from plaincrm.fields import FieldError, check_day
from plaincrm.model import LogEntry, Profile, Task
from plaincrm.parse import CONFLICT, FM_CLOSE, FM_OPEN, KIND, parse_profile

BOM = codecs.BOM_UTF8
NEWLINE = re.compile(r"\r\n|\r|\n")
ITEM_PREFIX = re.compile(r"[ \t>]*(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)")
OPEN_BOX = re.compile(r"([ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]+)\[ \]")
# C0 controls but TAB, DEL, C1 controls, and the line and paragraph separators (Python's
# splitlines breaks lines at \x1c-\x1e, \x85, \u2028 and \u2029 too)
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")

_md = MarkdownIt("commonmark")
_md.core.ruler.disable("inline")


@dataclass(frozen=True, slots=True)
class _Doc:
    """A profile's text cut into lines (with their endings), and where things are in it."""

    bom: bytes
    lines: tuple[str, ...]
    newline: str
    items: dict[int, int]  # 1-based first line of a list item -> 1-based line after its text
    headings: tuple[tuple[int, int, int, str], ...]  # (first line, line after, level, text)


def append_log(data: bytes, day: dt.date, kind: str, text: str, path: str = "profile.md") -> bytes:
    """``data`` with ``- DAY kind: TEXT`` added to the Log section (see the module docstring)."""
    kind, text = _check_kind(kind), _check_text(text)
    doc = _load(data)
    old = _parse(path, data)
    entry = f"{day.isoformat()} {kind}: {text}"
    entries = old.log
    if entries:
        lines = _insert_log_entry(doc, entries, day, entry)
    else:
        lines = _insert_first_entry(doc, entry)
    new = _dump(doc, lines)
    _verify(path, old, new, logs_added=[(day, kind, text)])
    return new


def add_task(data: bytes, day: dt.date | None, text: str, owner: str | None = None,
             path: str = "profile.md", style: str = "plaincrm") -> bytes:
    """``data`` with the open task ``- [ ] DAY TEXT @owner`` added (see the module docstring);
    ``style`` ``obsidian`` writes it as Obsidian's Tasks plugin does: ``- [ ] TEXT @owner 📅
    DAY``."""
    text = task_text(text, owner)
    doc = _load(data)
    old = _parse(path, data)
    if style == "obsidian":
        item = "[ ] " + obsidian.written(text, day)
    else:
        item = f"[ ] {day.isoformat()} {text}" if day else f"[ ] {text}"
    new = _dump(doc, _task_lines(doc, old, item))
    _verify(path, old, new, tasks_added=[(text, False, day)])
    return new


def tick_task(data: bytes, line: int, path: str = "profile.md",
              next_day: dt.date | None = None, today: dt.date | None = None) -> bytes:
    """``data`` with the open task on ``line`` (1-based) marked done: ``[ ]`` becomes ``[x]``;
    a task in Obsidian's syntax also gets ``✅ TODAY`` at its end, as the Tasks plugin writes.
    ``next_day``: a repeating task's next time, added as an open task right after it."""
    doc = _load(data)
    old = _parse(path, data)
    task, match = _open_task(doc, old, line, path)
    lines = list(doc.lines)
    original = lines[line - 1]
    body = original[match.end():]
    content = body.rstrip("\r\n")
    styled = _obsidian_style(content)
    if styled:
        mark = obsidian.done_mark(content, today or dt.date.today())
        body = content.rstrip(" \t") + " " + mark + body[len(content):]
    lines[line - 1] = match.group(1) + "[x]" + body
    added: list[tuple[str, bool, dt.date | None]] = []
    if next_day is not None:
        check_given_day(next_day, "the next date")
        if styled and task.date is not None:
            item = "[ ]" + obsidian.next_line(content, task.date, next_day)
        elif styled:
            item = "[ ] " + obsidian.written(content.strip(), next_day)
        else:
            item = f"[ ] {next_day.isoformat()} {task.text}"
        end = doc.items.get(line, line + 1)
        lines = _insert(_replace(doc, lines), end - 1, [_prefix(doc, line, after=True) + item])
        added.append((task.text, False, next_day))
    new = _dump(doc, lines)
    _verify(path, old, new, tasks_added=added, ticked=task)
    return new


def _obsidian_style(content: str) -> bool:
    """Is a task's text (after its checkbox) in the Tasks plugin's or Dataview's syntax?"""
    stripped = content.strip()
    return (not re.match(r"\d{4}-\d{1,2}-\d{1,2}(?:[ \t]|$)", stripped)
            and obsidian.has_marks(stripped) and obsidian.read(stripped).dates != {})


def move_task(data: bytes, line: int, day: dt.date, path: str = "profile.md") -> bytes:
    """``data`` with the open task on ``line`` dated ``day``: its date is replaced (an undated
    task gets one after its checkbox)."""
    doc = _load(data)
    old = _parse(path, data)
    task, match = _open_task(doc, old, line, path)
    text = doc.lines[line - 1]
    rest = text[match.end():]
    if _obsidian_style(rest.rstrip("\r\n")):
        lines = list(doc.lines)
        lines[line - 1] = text[:match.end()] + obsidian.moved(rest, day)
        new = _dump(doc, lines)
        _verify(path, old, new, tasks_added=[(task.text, False, day)], removed=task)
        return new
    dated = re.match(r"([ \t]+)(\d{4}-\d{1,2}-\d{1,2})(?=[ \t]|\r|\n|$)", rest)
    if dated is not None:
        rest = dated.group(1) + day.isoformat() + rest[dated.end():]
    else:
        rest = " " + day.isoformat() + (rest if rest[:1] in (" ", "\t") else " " + rest)
    lines = list(doc.lines)
    lines[line - 1] = text[:match.end()] + rest
    new = _dump(doc, lines)
    _verify(path, old, new, tasks_added=[(task.text, False, day)], removed=task)
    return new


def reassign_task(data: bytes, line: int, old_owner: str, new_owner: str,
                  path: str = "profile.md") -> bytes:
    """``data`` with ``@old_owner`` on the open task on ``line`` turned into ``@new_owner``."""
    new_owner = task_text("x", new_owner).removeprefix("x @")
    doc = _load(data)
    old = _parse(path, data)
    task, _match = _open_task(doc, old, line, path)
    text = doc.lines[line - 1]
    mention = re.compile(r"(?<![\w@.])@" + re.escape(old_owner) + r"(?![\w])(?![.-]\w)")
    if not mention.search(text):
        raise WriteRefused(f"{path}:{line}: the task does not name @{old_owner} on its first "
                           "line; change it in your editor")
    lines = list(doc.lines)
    lines[line - 1] = mention.sub("@" + new_owner, text)
    new = _dump(doc, lines)
    new_text = mention.sub("@" + new_owner, task.text)
    _verify(path, old, new, tasks_added=[(new_text, False, task.date)], removed=task)
    return new


def add_items(data: bytes, log_items: Sequence[tuple[dt.date, str]] = (),
              tasks: Sequence[str] = (), path: str = "profile.md") -> bytes:
    """``data`` with whole log entries (``(day, 'DAY kind: text')``, each put in date order)
    and task items (``'[ ] DAY text'``) added as they were written elsewhere (a merge)."""
    old = _parse(path, data)
    for day, text in log_items:
        check_value(text, "the entry")
        doc = _load(data)
        current = _parse(path, data)
        if current.log:
            lines = _insert_log_entry(doc, current.log, day, text)
        else:
            lines = _insert_first_entry(doc, text)
        data = _dump(doc, lines)
    for item in tasks:
        check_value(item, "the task")
        doc = _load(data)
        current = _parse(path, data)
        data = _dump(doc, _task_lines(doc, current, item))
    new = _parse(path, data)
    if new.fields != old.fields or len(new.log) != len(old.log) + len(log_items) \
            or len(new.tasks) != len(old.tasks) + len(tasks):
        raise WriteRefused(f"{path}: plaincrm could not place the merged entries without "
                           "altering the rest as read; the file was left alone.")
    return data


def _open_task(doc: _Doc, old: Profile, line: int, path: str) -> tuple[Task, re.Match[str]]:
    task = next((t for t in old.tasks if t.location.line == line), None)
    if task is None or task.done:
        raise WriteRefused(f"{path}:{line}: there is no open task on this line")
    match = OPEN_BOX.match(doc.lines[line - 1])
    if match is None:
        raise WriteRefused(f"{path}:{line}: the checkbox is not on the task's first line; "
                           "change it in your editor")
    return task, match


def _replace(doc: _Doc, lines: list[str]) -> _Doc:
    return _Doc(doc.bom, tuple(lines), doc.newline, doc.items, doc.headings)


def _task_lines(doc: _Doc, old: Profile, item: str) -> list[str]:
    """The lines with the task ``item`` (``[ ] …``) put where a new task goes."""
    if old.tasks:
        last = old.tasks[-1]
        prefix = _prefix(doc, last.location.line, after=True)
        return _insert(doc, doc.items.get(last.location.line, last.location.line + 1) - 1,
                       [prefix + item])
    log_heading = next((h for h in doc.headings if h[3].lower() == "log"), None)
    if log_heading is not None:
        at = log_heading[0] - 1
        block = [*([""] if at > 0 and doc.lines[at - 1].strip() else []), "- " + item, ""]
        return _insert(doc, at, block)
    return _insert(doc, len(doc.lines), [*_gap_at_end(doc), "- " + item])


def task_text(text: str, owner: str | None = None) -> str:
    """A task's text as written and read back: ``TEXT @owner``."""
    text = _check_text(text)
    if owner:
        owner = _check_text(owner).removeprefix("@")
        if not re.fullmatch(r"\w[\w.-]*\w|\w", owner):
            raise WriteRefused(f"owner {owner!r} must be a short name such as 'sam' or 'j.doe'")
        text = f"{text} @{owner}"
    return text


# ---------------------------------------------------------------- placing a log entry


def _insert_log_entry(doc: _Doc, entries: tuple[LogEntry, ...], day: dt.date,
                      entry: str) -> list[str]:
    in_order = all(a.date <= b.date for a, b in itertools.pairwise(entries))
    earlier = [e for e in entries if e.date <= day] if in_order else list(entries)
    if not earlier:  # older than every entry of a dated log: it goes first
        first = entries[0].location.line
        return _insert(doc, first - 1, [_prefix(doc, first, after=False) + entry])
    anchor = earlier[-1].location.line
    end = doc.items.get(anchor, anchor + 1)
    return _insert(doc, end - 1, [_prefix(doc, anchor, after=True) + entry])


def _insert_first_entry(doc: _Doc, entry: str) -> list[str]:
    heading = next((h for h in doc.headings if h[3].lower() == "log"), None)
    if heading is None:
        return _insert(doc, len(doc.lines), [*_gap_at_end(doc), "## Log", "", "- " + entry])
    _, after, level, _ = heading
    # the section ends at a heading of its level or higher, or at another Log heading (which
    # the loader takes as starting the log over at its own level)
    following = next((h for h in doc.headings
                      if h[0] >= after and (h[2] <= level or h[3].lower() == "log")), None)
    end = following[0] if following else len(doc.lines) + 1  # 1-based line after the section
    at = _skip_blank_back(doc, after, end)  # 1-based line after the section's last text
    block = ["", "- " + entry]
    if at <= len(doc.lines) and doc.lines[at - 1].strip():
        block.append("")
    return _insert(doc, at - 1, block)


def _gap_at_end(doc: _Doc) -> list[str]:
    """A blank line to put before a block added at the end, unless the file ends with one."""
    if not doc.lines or (not doc.lines[-1].strip() and _ending(doc.lines[-1])):
        return []
    return [""]


def _prefix(doc: _Doc, line: int, after: bool) -> str:
    """The bullet (and indent, and ``>``) of the item on ``line``, for a sibling item."""
    match = ITEM_PREFIX.match(doc.lines[line - 1])
    if match is None:
        return "- "
    prefix = match.group(0)
    if prefix.endswith(("-", "*", "+", ".", ")")):
        prefix += " "
    if after and match.group(1) is not None:  # an ordered list: number the new item on
        prefix = prefix.replace(match.group(1), str(int(match.group(1)) + 1), 1)
    return prefix


def _skip_blank_back(doc: _Doc, start: int, end: int) -> int:
    """The 1-based line after the last non-blank line in [start, end), at least ``start``."""
    while end > start and not doc.lines[end - 2].strip():
        end -= 1
    return end


# ---------------------------------------------------------------- values given to write


def check_value(value: str, what: str) -> str:
    """``value`` if it holds no control character (TAB aside); else :class:`BadValue`.

    Every value plaincrm writes into a file (a name, an email, a log entry's text, a kind…)
    goes through here: a newline would start a new key or entry nobody asked for, an escape
    sequence would reach every terminal that shows the profile."""
    bad = CONTROL.search(value)
    if bad is not None:
        raise BadValue(f"{what} {value!r} holds the control character {bad.group()!r} "
                       f"(U+{ord(bad.group()):04X}); write it on one line without control "
                       "characters")
    return value


def check_given_day(day: dt.date, what: str) -> dt.date:
    """A day given on the command line, if it lies in plaincrm's years (see
    :func:`plaincrm.fields.check_day`); else :class:`BadValue`."""
    try:
        return check_day(day, what)
    except FieldError as exc:
        raise BadValue(str(exc)) from None


# ---------------------------------------------------------------- text and lines


def _check_text(text: str) -> str:
    text = check_value(text, "the text").strip()
    if not text:
        raise WriteRefused("the text is empty")
    return text


def _check_kind(kind: str) -> str:
    kind = check_value(kind, "the kind").strip().lower()
    match = KIND.fullmatch(f"{kind}:")
    if match is None:
        raise WriteRefused(f"kind {kind!r} must be one word, such as call, visit or service")
    return kind


def _parse(path: str, data: bytes) -> Profile:
    profile, problems = parse_profile(path, data)
    if profile is None:
        raise WriteRefused(f"{path} is not a Markdown profile; it was left alone")
    if any(p.code == "conflict-marker" for p in problems):
        raise WriteRefused(f"{path} holds git conflict markers: finish the merge first")
    return profile


def _load(data: bytes) -> _Doc:
    bom = BOM if data.startswith(BOM) else b""
    try:
        text = data[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise WriteRefused("the file is not UTF-8 text; plaincrm edits only UTF-8 files") from None
    lines = tuple(text.splitlines(keepends=True))
    if any(CONFLICT.match(line) for line in lines):
        raise WriteRefused("the file holds git conflict markers: finish the merge first")
    first_end = NEWLINE.search(text)
    newline = first_end.group(0) if first_end else "\n"
    body_start = _body_start(lines)
    tokens = _md.parse("".join(lines[body_start - 1:]))
    items: dict[int, int] = {}
    headings: list[tuple[int, int, int, str]] = []
    offset = body_start
    for i, token in enumerate(tokens):
        if not token.map:
            continue
        start, after = offset + token.map[0], min(offset + token.map[1], len(lines) + 1)
        if token.type == "list_item_open":
            while after > start + 1 and not lines[after - 2].strip():
                after -= 1
            items[start] = after
        elif token.type == "heading_open":
            headings.append((start, after, int(token.tag[1]), tokens[i + 1].content.strip()))
    return _Doc(bom, lines, newline, items, tuple(headings))


def _body_start(lines: tuple[str, ...]) -> int:
    """The 1-based line where the body starts, as the loader sees it."""
    if not lines or lines[0].rstrip() != FM_OPEN:
        return 1
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in FM_CLOSE), None)
    return 1 if close is None else close + 2


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _insert(doc: _Doc, index: int, new: list[str]) -> list[str]:
    """The lines with ``new`` (lines without endings) put before ``doc.lines[index]``."""
    lines = list(doc.lines)
    nl = doc.newline
    if index >= len(lines) and lines and not _ending(lines[-1]):
        lines[-1] += nl  # the separator; the file goes on having no final newline
        block = nl.join(new)
    else:
        block = "".join(part + nl for part in new)
    return [*lines[:index], block, *lines[index:]]


def _dump(doc: _Doc, lines: list[str]) -> bytes:
    return doc.bom + "".join(lines).encode("utf-8")


# ---------------------------------------------------------------- checking the result


def _log_key(e: LogEntry) -> tuple[dt.date, str | None, str]:
    return (e.date, e.kind, e.text)


def _task_key(t: Task) -> tuple[str, bool, dt.date | None]:
    return (t.text, t.done, t.date)


def _verify(path: str, old: Profile, data: bytes,
            logs_added: Sequence[tuple[dt.date, str, str]] = (),
            tasks_added: Sequence[tuple[str, bool, dt.date | None]] = (),
            ticked: Task | None = None, removed: Task | None = None) -> None:
    new = _parse(path, data)
    expect_tasks = Counter(_task_key(t) for t in old.tasks) + Counter(tasks_added)
    if removed is not None:
        expect_tasks -= Counter([_task_key(removed)])
    if ticked is not None:
        expect_tasks -= Counter([_task_key(ticked)])
        expect_tasks += Counter([(ticked.text, True, ticked.date)])
    same: list[tuple[str, Callable[[], bool]]] = [
        ("front matter", lambda: new.fields == old.fields),
        ("log", lambda: Counter(map(_log_key, new.log))
         == Counter(map(_log_key, old.log)) + Counter(logs_added)),
        ("tasks", lambda: Counter(map(_task_key, new.tasks)) == expect_tasks),
    ]
    for what, ok in same:
        if not ok():
            raise WriteRefused(f"{path}: plaincrm could not place the change without altering "
                               f"the {what} as read; the file was left alone. Edit it by hand.")
