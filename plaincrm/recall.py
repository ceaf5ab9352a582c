"""What to recall about a person before you meet or answer them: the pinned facts, the notes,
and the newest conversations apart from the paperwork.

Pure functions over a :class:`Profile` and its file's text; ``show``, ``brief`` and the agenda's
context line use them. Which log kinds are conversations is :mod:`plaincrm.logkinds`' rule.

- *Pinned facts* (``remember``): the ``remember:`` front-matter key (one text or a list), else
  the items under a ``Remember`` heading in the body (the parser files them under the same key).
- *Notes*: the body's lines outside the ``Log``, ``Tasks`` (``Task``, ``To do``) and
  ``Remember`` sections and task-list items, exactly as written and in order, without the title
  heading that only repeats the person's name and without the blank lines around them.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plaincrm.logkinds import LogClass, LogKinds
from plaincrm.model import LogEntry, Profile, raw_text

if TYPE_CHECKING:
    from plaincrm.agenda import Agenda, AgendaItem
    from plaincrm.config import Config
    from plaincrm.reminders import Reminder

REMEMBER = "remember"
# headings whose sections are not notes (a Remember section is the pinned facts)
SECTIONS = frozenset({"log", "tasks", "task", "to do", "todo", REMEMBER})
Context = LogEntry | str  # what the agenda recalls: a pinned fact, else a conversation


def pinned(profile: Profile) -> list[str]:
    """The profile's pinned facts, in the order written (empty items left out)."""
    raw = profile.raw(REMEMBER)
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [text for item in items if (text := raw_text(item).strip())]




def newest(profile: Profile, kinds: LogKinds, wanted: LogClass | None = None,
           count: int | None = None) -> list[LogEntry]:
    """The profile's log entries of class ``wanted`` (every entry when None), newest first (the
    later line first on one day), at most ``count`` of them."""
    found = [e for e in profile.log if wanted is None or kinds.classify(e.kind) == wanted]
    found.sort(key=lambda e: (e.date, e.location.line), reverse=True)
    return found if count is None else found[:count]


def context(profile: Profile, kinds: LogKinds) -> Context | None:
    """The one thing the agenda recalls about the person: the first pinned fact, else
    :func:`last_talk`."""
    facts = pinned(profile)
    return facts[0] if facts else last_talk(profile, kinds)


def last_talk(profile: Profile, kinds: LogKinds) -> LogEntry | None:
    """The newest conversation entry; with none, the newest entry of any kind (better than
    nothing); None for an empty log."""
    found = newest(profile, kinds, "conversation", 1) or newest(profile, kinds, None, 1)
    return found[0] if found else None


def context_json(found: Context | None) -> dict[str, Any] | None:
    """The agenda's ``context`` object: ``{"date", "kind", "text"}``; a pinned fact has
    ``kind`` ``"remember"`` and no date."""
    if found is None:
        return None
    if isinstance(found, str):
        return {"date": None, "kind": REMEMBER, "text": found}
    return {"date": found.date.isoformat(), "kind": found.kind, "text": found.text}


@dataclass(frozen=True, slots=True)
class Notes:
    """The free text of a profile: its note lines as written (and the file line of the first),
    and the lines of its pinned facts as ``show`` prints them."""

    lines: tuple[str, ...]
    line: int | None  # None when there are no notes
    remember: tuple[str, ...] = ()
    error: str | None = None  # why the file could not be read (then only the pinned facts)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def notes(text: str, profile: Profile) -> Notes:
    """The notes of the file ``text`` (the profile's, see the module's docstring) and its
    pinned facts: the ``remember`` values as ``- value`` lines, else the Remember section's
    lines as written. A Remember section beside a ``remember:`` key stays in the notes. Never
    fails: broken Markdown is read as markdown-it reads it; every line comes back as written."""
    from plaincrm.parse import FM_CLOSE, FM_OPEN, NEWLINE

    lines = NEWLINE.split(text.removeprefix("\ufeff"))
    if lines and lines[-1] == "":
        lines.pop()  # the file's last line ending
    start = 0
    if lines and lines[0].rstrip() == FM_OPEN:
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in FM_CLOSE), None)
        start = close + 1 if close is not None else len(lines)
    body = lines[start:]
    field_line = next((f.line for f in profile.fields if f.key == REMEMBER), None)
    skip: set[int] = set()
    remember: list[str] = []
    headings, tasks = _blocks("\n".join(body))
    for first, after in tasks:
        skip.update(range(first, after))
    for number, (first, after, level, title) in enumerate(headings):
        if title.casefold() in SECTIONS:
            end = next((h[0] for h in headings[number + 1:] if h[2] <= level), len(body))
            pinned_here = field_line is not None and start + first < field_line <= start + end
            if title.casefold() != REMEMBER or pinned_here:
                skip.update(range(first, end))
            if title.casefold() == REMEMBER and pinned_here:
                remember += _trimmed(body[after:end])
        elif number == 0 and level == 1 and _same(title, profile.display_name) and \
                not any(line.strip() for line in body[:first]):
            skip.update(range(first, after))
    if not remember:
        remember = [f"- {fact}" for fact in pinned(profile)]
    kept = [(i, line) for i, line in enumerate(body) if i not in skip]
    while kept and not kept[0][1].strip():
        kept.pop(0)
    while kept and not kept[-1][1].strip():
        kept.pop()
    first_line = start + kept[0][0] + 1 if kept else None
    return Notes(tuple(line for _i, line in kept), first_line, tuple(remember))


def read_notes(root: Path, profile: Profile) -> Notes:
    """:func:`notes` of the profile's file in the vault at ``root``, read as every vault file
    is (inside the vault, a regular file); a file that cannot be read gives no notes and says
    why in ``error``."""
    from plaincrm.errors import PlaincrmError
    from plaincrm.files import read_vault_file

    try:
        data = read_vault_file(root, profile.path)
    except (OSError, PlaincrmError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Notes((), None, tuple(f"- {fact}" for fact in pinned(profile)),
                     f"{profile.path}: notes not shown: {why}")
    return notes(data.decode("utf-8", errors="replace"), profile)


def _trimmed(lines: list[str]) -> list[str]:
    """``lines`` without the blank lines at either end."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    return lines[first:last + 1]


def _same(title: str, name: str) -> bool:
    from plaincrm.lookup import fold

    return fold(title) == fold(name)


@functools.cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.core.ruler.disable("inline")
    return md


Blocks = tuple[list[tuple[int, int, int, str]], list[tuple[int, int]]]


def _blocks(body: str) -> Blocks:
    """(first line, line after, level, text) of each heading of ``body``, and (first line,
    line after) of each task-list item (0-based lines), as markdown-it's block parse maps
    them; from the parser's line scan when it can read the body (markdown-it, a tenth of a
    ``show``, is then not loaded)."""
    from plaincrm.parse import CHECKBOX, NEWLINE, simple_events

    events = simple_events(body)
    if events is None:
        return _markdown_blocks(body)
    lines = NEWLINE.split(body)
    # markdown-it's line count: a last line of blanks only, unended, is none
    ends = len(lines) - 1 if not lines[-1].strip(" \t") else len(lines)
    # an item's map runs on over the blank lines after it, up to the next block
    after, next_block = [ends] * len(lines), ends
    for number in range(len(lines) - 1, -1, -1):
        after[number] = next_block
        if lines[number].strip(" \t"):
            next_block = number
    return ([(e[1], e[1] + 1, e[2], e[3]) for e in events if e[0] == "heading"],
            [(e[1], after[e[1]]) for e in events if e[0] == "item" and CHECKBOX.match(e[2])])


def _markdown_blocks(body: str) -> Blocks:
    """:func:`_blocks` from markdown-it's block parse: right for every body."""
    from plaincrm.parse import CHECKBOX

    tokens = _markdown().parse(body)
    headings, tasks = [], []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = tokens[i + 1].content.strip() if i + 1 < len(tokens) else ""
            headings.append((token.map[0], token.map[1], int(token.tag[1]), title))
        elif token.type == "list_item_open" and token.map and i + 2 < len(tokens) and \
                tokens[i + 1].type == "paragraph_open" and CHECKBOX.match(tokens[i + 2].content):
            tasks.append((token.map[0], token.map[1]))
    return headings, tasks


NEXT_KINDS = ("service", "birthday", "keep_in_touch")


def next_dates(profile: Profile, config: Config, today: dt.date) -> list[Reminder]:
    """The next service, birthday and keep-in-touch of ``profile``, from the reminder model."""
    from plaincrm.reminders import reminders

    return [r for r in reminders(profile, config, today) if r.kind in NEXT_KINDS]


@dataclass(frozen=True, slots=True)
class Person:
    """One person of the day's brief: the agenda items that bring them in, in agenda order."""

    path: str
    name: str
    items: tuple[AgendaItem, ...]


def todays_people(agenda: Agenda) -> list[Person]:
    """The people with something overdue or due on the agenda's day (a service, a task such
    as a booked visit, a birthday…), each once, in the order the agenda first names them."""
    found: dict[str, list[AgendaItem]] = {}
    for item in agenda.items:
        if item.section in ("overdue", "today"):
            found.setdefault(item.path, []).append(item)
    return [Person(path, items[0].name, tuple(items)) for path, items in found.items()]


def days_text(day: dt.date, today: dt.date) -> str:
    """``today``, ``in 3 days``, ``overdue by 2 days``."""
    delta = (day - today).days
    if delta < 0:
        return f"overdue by {-delta} day{'s' if delta != -1 else ''}"
    if delta == 0:
        return "today"
    return f"in {delta} day{'s' if delta != 1 else ''}"
