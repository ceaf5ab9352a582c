"""Reading a CSV export: its header, then each row with the line it starts on.

Commas, semicolons (spreadsheets in many locales) and tabs are told apart by the header line;
a cell may span lines inside quotes. A row with more cells than the header has lost its
alignment (an unquoted comma, most often): it is a located problem, not a record.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from plaincrm.interop.contact import Contact, Typed, clean, clean_block, full_name, last_first
from plaincrm.model import Location, Problem, Severity

MULTI = " ::: "  # Google Contacts joins several values in one cell with this


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its first line in the file and its cells by header position."""

    position: Location
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()


def norm(label: str) -> str:
    """A header label without case, spacing or punctuation: ``E-mail 1 - Value`` →
    ``email1value``."""
    return re.sub(r"[^0-9a-z]", "", label.casefold())


def header_of(text: str) -> list[str]:
    """The header cells of a CSV text (for telling formats apart)."""
    return next(csv.reader(io.StringIO(_first_record(text)), delimiter=_delimiter(text)), [])


def read_rows(text: str, shown: str) -> tuple[list[str], Iterator[Row | Problem]]:
    """The header and the data rows of ``text``; blank rows are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], iter(())
    except csv.Error as exc:
        problem = Problem(Location(shown, 1), "import-error", Severity.ERROR,
                          f"cannot read the header: {exc}")
        return [], iter((problem,))
    return header, _rows(reader, len(header), shown)


def _rows(reader: Any, width: int, shown: str) -> Iterator[Row | Problem]:
    line = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(Location(shown, line), "import-error", Severity.ERROR,
                          f"cannot read this row: {exc}; the rest of the file was not read")
            return
        where = Location(shown, line)
        line = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            yield Problem(where, "import-error", Severity.ERROR,
                          f"this row has {len(cells)} cells but the header has {width} (an "
                          "unquoted comma?); it was not imported")
            continue
        yield Row(where, tuple(cells))


def _first_record(text: str) -> str:
    return text.split("\n", 1)[0]


def _delimiter(text: str) -> str:
    first = _first_record(text)
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_multi(cell: str) -> list[str]:
    """The values of a cell that may hold several joined by `` ::: ``."""
    return [v.strip() for v in cell.split(MULTI.strip()) if v.strip()]


def columns(header: list[str]) -> dict[str, int]:
    """Normalised header label → its first position."""
    found: dict[str, int] = {}
    for i, label in enumerate(header):
        found.setdefault(norm(label), i)
    return found


TEXT_SLOTS = ("name", "given", "middle", "family", "birthday", "anniversary", "company",
              "department", "job_title", "nickname")


@dataclass
class Builder:
    """A contact put together cell by cell by a CSV reader."""

    position: Location
    texts: dict[str, str] = field(default_factory=dict)
    typed: dict[str, list[tuple[Typed, bool]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    extra: list[tuple[str, str | tuple[str, ...]]] = field(default_factory=list)

    def text(self, slot: str, value: str) -> None:
        value = clean(value)
        if value and not self.texts.get(slot):
            self.texts[slot] = value

    def add(self, slot: str, value: str, kind: str = "", primary: bool = False) -> None:
        """An email, phone, address or website (``slot``: one of those words)."""
        value = clean(value)
        if value:
            self.typed.setdefault(slot, []).append((Typed(value, clean(kind).casefold()),
                                                    primary))

    def note(self, value: str) -> None:
        if value.strip():
            self.notes.append(clean_block(value))

    def tag(self, value: str) -> None:
        if clean(value):
            self.tags.append(clean(value))

    def keep(self, key: str, value: str) -> None:
        if value.strip():
            self.extra.append((key, clean_block(value)))

    def build(self) -> Contact:
        t = self.texts
        name = last_first(t.get("name", "")) or full_name(t.get("given", ""),
                                                            t.get("family", ""),
                                                            t.get("middle", ""))
        def typed(slot: str) -> tuple[Typed, ...]:
            found = self.typed.get(slot, [])
            return tuple([x for x, p in found if p] + [x for x, p in found if not p])

        return Contact(position=self.position, name=name, given=t.get("given", ""),
                       middle=t.get("middle", ""), family=t.get("family", ""),
                       birthday=t.get("birthday", ""), anniversary=t.get("anniversary", ""),
                       company=t.get("company", ""), department=t.get("department", ""),
                       job_title=t.get("job_title", ""), nickname=t.get("nickname", ""),
                       notes="\n\n".join(self.notes), tags=tuple(dict.fromkeys(self.tags)),
                       extra=tuple(self.extra), emails=typed("email"), phones=typed("phone"),
                       addresses=typed("address"), websites=typed("website"))
