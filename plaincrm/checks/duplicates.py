"""``duplicate``: two profiles that are probably one person.

Never compares all pairs: each profile files small keys into blocks (its emails, its phones in
E.164, its folded first+last name) and only profiles sharing a block are compared. What counts:
- the same email, case-insensitively;
- the same phone once in E.164, unless both names are spelled out with different first names
  (a household or an office sharing a landline is not one person);
- the same name under the usual variants (see :mod:`plaincrm.checks.names`).
A pair is reported once on each file, naming the other. ``check_ignore: [duplicate]`` on either
file silences the pair on both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from plaincrm.checks.base import Context, ignored_codes, items
from plaincrm.checks.fields import parse_phone
from plaincrm.checks.names import NameKey, first_names_differ, name_key, same_name
from plaincrm.model import Location, Problem, Profile, Severity

CODE = "duplicate"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    display: str
    name: NameKey | None
    name_line: int
    ignored: bool


class Duplicates:
    def __init__(self, ctx: Context) -> None:
        self.region: str = ctx.config["profiles.phone_region"]
        self.entries: list[_Entry] = []
        # key -> (entry index, line), or a list of them once a second profile shares the key:
        # most keys are unique, and a list for each would cost a third of the memory
        self.emails: dict[str, Any] = {}
        self.phones: dict[str, Any] = {}
        self.names: dict[str, Any] = {}  # key -> entry index, or a list of them

    def add(self, profile: Profile) -> None:
        index = len(self.entries)
        key = name_key(profile.name) if profile.name else None
        self.entries.append(_Entry(profile.path, profile.display_name, key,
                                   profile.field_line("name"),
                                   CODE in ignored_codes(profile)))
        for email, line in items(profile, "email"):
            _file(self.emails, email.casefold(), (index, line))
        for phone, line in items(profile, "phone"):
            e164, _why = parse_phone(phone, self.region)
            if e164:
                _file(self.phones, e164, (index, line))
        if key is not None and key.last:
            _file(self.names, key.block, index)

    def finish(self) -> Iterator[Problem]:
        # (i, j) with i < j -> [(reason, line in i, line in j)]
        pairs: dict[tuple[int, int], list[tuple[str, int, int]]] = defaultdict(list)
        for email, hits in _shared(self.emails):
            for (i, li), (j, lj) in _pairs(hits):
                pairs[i, j].append((f"same email {email}", li, lj))
        for phone, hits in _shared(self.phones):
            for (i, li), (j, lj) in _pairs(hits):
                a, b = self.entries[i].name, self.entries[j].name
                if a is not None and b is not None and first_names_differ(a, b):
                    continue  # a household or an office sharing one number
                pairs[i, j].append((f"same phone {phone}", li, lj))
        for _name, block in _shared(self.names):
            for i, j in _pairs(block):
                a, b = self.entries[i], self.entries[j]
                if a.name is None or b.name is None or not same_name(a.name, b.name):
                    continue
                if (i, j) in pairs:
                    pairs[i, j].append(("same name", a.name_line, b.name_line))
                elif not (a.ignored or b.ignored):
                    # a pair only the name makes: reported at once, not kept (a large vault
                    # has many namesakes; keeping them all would cost more than the report)
                    yield _problem(a, a.name_line, b, "same name")
                    yield _problem(b, b.name_line, a, "same name")
        for (i, j), reasons in pairs.items():
            a, b = self.entries[i], self.entries[j]
            if a.ignored or b.ignored:
                continue
            why = ", ".join(dict.fromkeys(r for r, _li, _lj in reasons))
            yield _problem(a, reasons[0][1], b, why)
            yield _problem(b, reasons[0][2], a, why)


def _file(blocks: dict[str, Any], key: str, hit: Any) -> None:
    """Put ``hit`` in the block of ``key``: alone at first, in a list once shared."""
    old = blocks.get(key)
    if old is None:
        blocks[key] = hit
    elif type(old) is list:
        old.append(hit)
    else:
        blocks[key] = [old, hit]


def _shared(blocks: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """The blocks that more than one hit shares."""
    return ((key, hits) for key, hits in blocks.items() if type(hits) is list)


def _pairs(hits: list[T]) -> Iterator[tuple[T, T]]:
    """Every pair of distinct profiles in a block, the lower index first, each pair once."""
    seen: set[tuple[int, int]] = set()
    for x in range(len(hits)):
        for y in range(x + 1, len(hits)):
            i, j = _index(hits[x]), _index(hits[y])
            if i == j or (min(i, j), max(i, j)) in seen:
                continue
            seen.add((min(i, j), max(i, j)))
            yield (hits[x], hits[y]) if i < j else (hits[y], hits[x])


def _index(hit: object) -> int:
    return hit[0] if isinstance(hit, tuple) else hit  # type: ignore[return-value]


def _problem(entry: _Entry, line: int, other: _Entry, why: str) -> Problem:
    return Problem(Location(entry.path, line), CODE, Severity.WARNING,
                   f"probably the same person as {other.path} ({other.display}): {why}")
