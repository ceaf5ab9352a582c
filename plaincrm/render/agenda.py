"""The agenda as text: a heading per section and aligned columns, coloured on a terminal."""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Callable
from typing import Any

from plaincrm.agenda import SECTIONS, Agenda, AgendaItem, vault_agenda
from plaincrm.render import dumps_json
from plaincrm.render.table import column_widths, table

Style = Callable[..., str]
TITLES = {"overdue": "Overdue", "today": "Today", "upcoming": "Upcoming"}
CONTEXT_WIDTH = 72


def _plain(text: str, **_styles: Any) -> str:
    return text


def when(agenda: Agenda, item: AgendaItem) -> str:
    """``3 days late``, ``today``, ``tomorrow``, ``in 5 days``."""
    if item.section == "overdue":
        late = item.days_overdue or 0
        return f"{late} day{'s' if late != 1 else ''} late"
    ahead = (item.date - agenda.date).days
    return "today" if ahead == 0 else "tomorrow" if ahead == 1 else f"in {ahead} days"


def shorten(text: str, limit: int = CONTEXT_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def context(item: AgendaItem) -> str:
    entry = item.context
    if entry is None:
        return "no log yet"
    kind = f"{entry.kind}: " if entry.kind else ""
    return shorten(f"{entry.date.isoformat()} {kind}{entry.text}")


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


def render_agenda(agenda: Agenda, style: Style | None = None) -> list[str]:
    """The agenda's lines: the heading, then each non-empty section with its rows. Columns
    line up across sections: date, when, kind, name, what, owner; under each row, the
    profile's newest log entry, indented to the name, so a line fits a terminal. Without
    ``style`` the text is plain (and quicker)."""
    plain = style is None
    style = style or _plain
    if not agenda.items:
        return [empty_message(agenda)]
    rows = []
    for item in agenda.items:
        rows.append([item.date.isoformat(), when(agenda, item), item.kind.replace("_", " "),
                     item.name, item.text, f"@{item.owner}" if item.owner else "-"])

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

    lines = table(rows, style=None if plain else colour)
    indent = " " * (2 + sum(w + 2 for w in column_widths(rows)[:3]))
    out = [style(heading(agenda), bold=True)]
    start = 0
    for section in SECTIONS:
        items = agenda.section(section)
        count = len(items)
        if count:
            out += ["", style(f"{TITLES[section]} ({count})", bold=True, underline=True)]
            for item, line in zip(items, lines[start:start + count], strict=True):
                out.append("  " + line)
                out.append(style(f"{indent}last: {context(item)}", dim=True))
            start += count
    return out



def agenda_report(vault: Any, today: dt.date, days: int | None, owner: str | None,
                  kinds: tuple[str, ...], as_json: bool, style: Style | None) -> tuple[str, int]:
    """The agenda of an open vault as the text (or JSON) to print, and how many files have
    errors. Remembered in the index until the vault, the config, the day or the options
    change: asking twice costs only the refresh."""
    scan = ",".join(sorted(p.location.path for p in vault.index.scan_problems))
    key = "|".join([today.isoformat(), str(days), owner or "", ",".join(sorted(kinds)),
                    "json" if as_json else "colour" if style else "plain",
                    vault.config.fingerprint(), scan])

    def compute() -> bytes:
        result = vault_agenda(vault, today, days, owner, kinds)
        text = dumps_json(result.to_json()) if as_json else "\n".join(
            render_agenda(result, style))
        return marshal.dumps((text, result.problem_files))

    text, problem_files = marshal.loads(vault.index.memo("agenda", key, compute))
    return text, problem_files
