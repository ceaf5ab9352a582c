"""The agenda as text: a heading per section and aligned columns, coloured on a terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from plaincrm.agenda import SECTIONS, Agenda, AgendaItem
from plaincrm.render.table import column_widths, line

Style = Callable[..., str]
TITLES = {"overdue": "Overdue", "today": "Today", "upcoming": "Upcoming"}
CONTEXT_WIDTH = 72


def _plain(text: str, **_styles: Any) -> str:
    return text


def when(today: dt.date, section: str, day: dt.date) -> str:
    """``3 days late``, ``today``, ``tomorrow``, ``in 5 days``."""
    if section == "overdue":
        late = (today - day).days
        return f"{late} day{'s' if late != 1 else ''} late"
    ahead = (day - today).days
    return "today" if ahead == 0 else "tomorrow" if ahead == 1 else f"in {ahead} days"


def shorten(text: str, limit: int = CONTEXT_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def context(item: AgendaItem) -> str:
    """The line under an item: ``problem:`` where a data-quality item's problem is, else
    ``remember:`` the first pinned fact, else ``last:`` the newest conversation (else the
    newest entry), else ``last: no log yet``."""
    problem = item.reminder.problem
    if problem is not None:
        return "problem: " + shorten(f"{problem.location}: {problem.code} {problem.message}")
    entry = item.context
    if entry is None:
        return "last: no log yet"
    if isinstance(entry, str):
        return f"remember: {shorten(entry)}"
    kind = f"{entry.kind}: " if entry.kind else ""
    return f"last: {shorten(f'{entry.date.isoformat()} {kind}{entry.text}')}"


def heading(agenda: Agenda) -> str:
    day = agenda.date
    horizon = f"next {agenda.days} day{'s' if agenda.days != 1 else ''}"
    filters = []
    if agenda.owner:
        filters.append(f"owner {agenda.owner}")
    if agenda.kinds:
        filters.append(", ".join(agenda.kinds))
    extra = f" · {' · '.join(filters)}" if filters else ""
    return f"Agenda for {day:%A} {day.day} {day:%B %Y} · {horizon}{extra}"


def empty_message(agenda: Agenda) -> str:
    who = f" for {agenda.owner}" if agenda.owner else ""
    what = f" ({', '.join(agenda.kinds)})" if agenda.kinds else ""
    horizon = f"in the next {agenda.days} day{'s' if agenda.days != 1 else ''}"
    return f"Nothing due{who}{what}: nothing overdue, today or {horizon} " \
           f"(as of {agenda.date.isoformat()})."


def what(item: AgendaItem) -> str:
    """What is due, and how long it has waited once that is too long (``agenda.escalate_days``):
    ``… · waiting 34 days``, ``… · escalated, waiting 34 days``."""
    if item.waiting_days is None:
        return item.text
    return f"{item.text} · {'escalated, ' if item.escalated else ''}waiting " \
           f"{item.waiting_days} days"


def cells(agenda: Agenda, item: AgendaItem) -> list[str]:
    """The cells of an item's line: date, when, kind, name, what, owner."""
    return [item.date.isoformat(), when(agenda.date, item.section, item.date),
            item.kind.replace("_", " "), item.name, what(item),
            f"@{item.owner}" if item.owner else "-"]


def _widths(agenda: Agenda, items: Sequence[AgendaItem]) -> list[int]:
    """Each column's width, measured on the distinct cells of ``items`` (few dates, kinds and
    owners)."""
    days = {(item.section, item.date) for item in items}
    columns = [{day.isoformat() for _section, day in days},
               {when(agenda.date, section, day) for section, day in days},
               {i.kind.replace("_", " ") for i in items}, {i.name for i in items},
               {what(i) for i in items}, {f"@{i.owner}" if i.owner else "-" for i in items}]
    return [max(column_widths([value] for value in column)) for column in columns]


def reach(item: AgendaItem) -> str:
    """How to reach the person: the profile's phone, else its email."""
    return item.contact or "no phone or email"


def more_line(section: str, hidden: int) -> str:
    """What a collapsed section says about the rows it leaves out."""
    return f"… and {hidden} more {TITLES[section].lower()}: plaincrm agenda --all shows them all"


def render_agenda(agenda: Agenda, style: Style | None = None) -> list[str]:
    """The agenda's lines (see :func:`agenda_lines`)."""
    return list(agenda_lines(agenda, style))


def agenda_lines(agenda: Agenda, style: Style | None = None) -> Iterator[str]:
    """The agenda's lines, one at a time: the heading, then each non-empty section with its
    rows. Columns line up across sections, as wide as the rows need: date, when, kind, name,
    what, owner; under each row, the phone or email to reach the person and what to recall
    of them (:func:`context`), indented to the name, so a line fits a terminal. A section
    whose rows the agenda left out (``Agenda.hidden``: a section limit) ends with a line
    saying how many more there are. Without ``style`` the text is plain (and quicker)."""
    plain = style is None
    style = style or _plain
    if not agenda.items:
        yield empty_message(agenda)
        return

    def colour(column: int, cell: str) -> str:
        if column == 1 and "late" in cell:
            return style(cell, fg="red", bold=True)
        if column == 1 and "today" in cell:
            return style(cell, fg="yellow", bold=True)
        if column == 3:
            return style(cell, bold=True)
        if column == 5:
            return style(cell, dim=True)
        return cell

    # the rows are measured first, then each line is made as it is printed: kept, the lines
    # of a large vault would cost more memory than everything else
    sections: dict[str, list[AgendaItem]] = {section: [] for section in SECTIONS}
    for item in agenda.items:
        sections[item.section].append(item)
    widths = _widths(agenda, agenda.items)
    indent = " " * (2 + sum(w + 2 for w in widths[:3]))
    yield style(heading(agenda), bold=True)
    for section, items in sections.items():
        if items:
            hidden = agenda.hidden.get(section, 0)
            yield ""
            yield style(f"{TITLES[section]} ({len(items) + hidden})", bold=True, underline=True)
            for item in items:
                yield line(cells(agenda, item), widths, None if plain else colour, "  ")
                yield style(f"{indent}{reach(item)} · {context(item)}", dim=True)
            if hidden:
                yield style(f"  {more_line(section, hidden)}", bold=True)
