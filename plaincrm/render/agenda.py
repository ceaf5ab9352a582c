"""The agenda as text: a heading per section and aligned columns, coloured on a terminal."""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from plaincrm import __version__
from plaincrm.agenda import (
    SECTIONS,
    Agenda,
    AgendaItem,
    build_agenda,
    problem_files,
    vault_agenda,
)
from plaincrm.render import dumps_json
from plaincrm.render.table import column_widths, line

Style = Callable[..., str]
TITLES = {"overdue": "Overdue", "today": "Today", "upcoming": "Upcoming"}
CONTEXT_WIDTH = 72


def _plain(text: str, **_styles: Any) -> str:
    return text


def when(agenda: Agenda, item: AgendaItem) -> str:
    """``3 days late``, ``today``, ``tomorrow``, ``in 5 days``."""
    return when_text(item.section, item.date.toordinal(), agenda.date.toordinal())


def when_text(section: str, date: int, today: int) -> str:
    """:func:`when` from day ordinals."""
    if section == "overdue":
        late = today - date
        return f"{late} day{'s' if late != 1 else ''} late"
    ahead = date - today
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


# One agenda line, as plain data (so it can be kept between runs): its sort key (section,
# day ordinal, folded name, path, kind, line, what), the name as written, the owner cell and
# the context line under it. The other cells are worked out from the key when printed.
Row = tuple[tuple[Any, ...], str, str, str]
ROW_FORMAT = 2  # bump when Row changes: rows kept by an older plaincrm are then not used


def item_rows(agenda: Agenda) -> list[Row]:
    """The rows of ``agenda``'s items, in its order."""
    return [(item.sort_key(), item.name,
             f"@{item.owner}" if item.owner else "-", context(item))
            for item in agenda.items]


def row_cells(row: Row, today: int) -> list[str]:
    """The cells of a row: date, when, kind, name, what, owner."""
    key, name, owner, _context = row
    return [dt.date.fromordinal(key[1]).isoformat(), when_text(SECTIONS[key[0]], key[1], today),
            key[4].replace("_", " "), name, key[6], owner]


def render_agenda(agenda: Agenda, style: Style | None = None) -> list[str]:
    """The agenda's lines: the heading, then each non-empty section with its rows. Columns
    line up across sections: date, when, kind, name, what, owner; under each row, the
    profile's newest log entry, indented to the name, so a line fits a terminal. Without
    ``style`` the text is plain (and quicker)."""
    return render_rows(agenda, item_rows(agenda), style)


def render_rows(agenda: Agenda, rows: list[Row], style: Style | None = None) -> list[str]:
    """:func:`render_agenda` from rows sorted by their key; ``agenda`` gives the heading."""
    plain = style is None
    style = style or _plain
    if not rows:
        return [empty_message(agenda)]
    today = agenda.date.toordinal()

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

    # the cells are made twice (once to measure, once to print) rather than kept: on a large
    # vault they would cost more memory than everything else
    widths = column_widths(row_cells(row, today) for row in rows)
    indent = " " * (2 + sum(w + 2 for w in widths[:3]))
    out = [style(heading(agenda), bold=True)]
    counts = {section: 0 for section in SECTIONS}
    for row in rows:
        counts[SECTIONS[row[0][0]]] += 1
    start = 0
    for section in SECTIONS:
        count = counts[section]
        if count:
            out += ["", style(f"{TITLES[section]} ({count})", bold=True, underline=True)]
            for row in rows[start:start + count]:
                out.append(line(row_cells(row, today), widths, None if plain else colour,
                                "  "))
                out.append(style(f"{indent}last: {row[3]}", dim=True))
            start += count
    return out


def agenda_report(vault: Any, today: dt.date, days: int | None, owner: str | None,
                  kinds: tuple[str, ...], as_json: bool, style: Style | None) -> tuple[str, int]:
    """The agenda of an open vault as the text (or JSON) to print, and how many files have
    errors. Remembered in the index until the vault, the config, the day or the options
    change: asking twice costs only the refresh; after an edit, the text is rebuilt from the
    last run's rows, recomputing only the files that changed."""
    horizon = vault.config["agenda.days"] if days is None else days
    scan = ",".join(sorted(p.location.path for p in vault.index.scan_problems))
    inputs = "|".join([today.isoformat(), str(horizon), owner or "", ",".join(sorted(kinds)),
                       vault.config.fingerprint()])
    key = "|".join([inputs, "json" if as_json else "colour" if style else "plain", scan])

    def compute() -> bytes:
        if as_json:
            result = vault_agenda(vault, today, horizon, owner, kinds)
            return marshal.dumps((dumps_json(result.to_json()), result.problem_files))
        head = Agenda(today, horizon, (), owner, tuple(sorted(set(kinds))))
        rows = agenda_rows(vault, inputs, today, horizon, owner, kinds)
        return marshal.dumps(("\n".join(render_rows(head, rows, style)), problem_files(vault)))

    text, count = marshal.loads(vault.index.memo("agenda", key, compute))
    return text, count


def agenda_rows(vault: Any, inputs: str, today: dt.date, days: int, owner: str | None,
                kinds: tuple[str, ...]) -> list[Row]:
    """The agenda's rows, sorted, from the last run with the same ``inputs`` and only the
    files changed since then recomputed (or all of them, the first time)."""
    index = vault.index
    db = index.db
    inputs = f"{ROW_FORMAT}|{__version__}|{inputs}"
    db.execute("CREATE TABLE IF NOT EXISTS derived_agenda_rows (inputs TEXT PRIMARY KEY, "
               "generation INTEGER, value BLOB)")
    generation = index.generation()
    last = db.execute("SELECT generation, value FROM derived_agenda_rows WHERE inputs = ?",
                      (inputs,)).fetchone()
    changed = index.changed_since(last[0]) if last is not None else None
    if last is not None and changed is not None:
        by_path: dict[str, list[Row]] = marshal.loads(last[1])
        last = None  # the stored bytes are not needed any more
        for path in changed:
            by_path.pop(path, None)
            profile = index.profile(path, full=False)
            if profile is not None:
                fresh = item_rows(build_agenda([profile], vault.config, today, days, owner, kinds))
                if fresh:
                    by_path[path] = fresh
    else:
        by_path = {}
        for row in item_rows(vault_agenda(vault, today, days, owner, kinds)):
            by_path.setdefault(row[0][3], []).append(row)
    db.execute("BEGIN IMMEDIATE")
    try:  # the newest few sets of inputs are kept
        db.execute("INSERT OR REPLACE INTO derived_agenda_rows VALUES (?, ?, ?)",
                   (inputs, generation, marshal.dumps(by_path)))
        db.execute("DELETE FROM derived_agenda_rows WHERE rowid NOT IN (SELECT rowid FROM "
                   "derived_agenda_rows ORDER BY generation DESC LIMIT 8)")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return sorted((row for rows in by_path.values() for row in rows), key=itemgetter(0))
