"""What an import would do, record by record: new, the same person as a profile, or a problem.

"The same person" is :func:`plaincrm.create.same_person`, the rule ``plaincrm new`` refuses
by. To stay fast on large files and vaults, each profile is filed under the keys that rule
compares (folded name, email, phone digits) and only the profiles sharing a key with a record
are handed to it. A record the file already had (twice in one export) matches that earlier
record, so one import never creates the same person twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from plaincrm.create import phone_digits, same_person
from plaincrm.interop.contact import Contact
from plaincrm.interop.mapping import Mapped, Unusable, to_profile
from plaincrm.lookup import name_key
from plaincrm.model import Location, Problem, Profile, Severity


class Action(StrEnum):
    NEW = "new"
    MATCH = "matches"
    PROBLEM = "problem"


@dataclass(frozen=True, slots=True)
class Match:
    """A profile (or an earlier record of the file) a record is the same person as."""

    path: str  # vault-relative, or ``file:line`` of the earlier record
    name: str
    why: str  # "the same email"…
    in_file: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    position: Location
    action: Action
    mapped: Mapped | None = None
    matches: tuple[Match, ...] = ()
    lacks: tuple[str, ...] = ()  # keys the matched profile leaves empty and the record has
    problems: tuple[Problem, ...] = ()  # the error of a PROBLEM step; warnings otherwise


class Matcher:
    """Profiles filed by the keys the same-person rule compares."""

    def __init__(self, profiles: Iterable[Profile] = ()) -> None:
        self._by_key: dict[str, list[Profile]] = {}
        self._records: dict[int, Location] = {}  # id(profile) of a file's record -> position
        for p in profiles:
            self.add(p)

    def add(self, profile: Profile, record: Location | None = None) -> None:
        for key in _keys(profile.display_name, profile.emails, profile.phones):
            self._by_key.setdefault(key, []).append(profile)
        if record is not None:
            self._records[id(profile)] = record

    def find(self, mapped: Mapped) -> list[tuple[Profile, str, bool]]:
        """``(profile, why, whether it is a record of the file)`` for each match."""
        candidates: dict[int, Profile] = {}
        for key in _keys(mapped.name, mapped.emails, mapped.phones):
            for p in self._by_key.get(key, ()):
                candidates.setdefault(id(p), p)
        found = same_person(candidates.values(), mapped.name, mapped.emails, mapped.phones)
        return [(p, why, id(p) in self._records) for p, why in found]


def _keys(name: str, emails: Iterable[str], phones: Iterable[str]) -> Iterator[str]:
    yield "n:" + name_key(name)
    for email in emails:
        yield "e:" + email.casefold()
    for phone in phones:
        digits = phone_digits(phone)
        if digits:
            yield "p:" + digits


def plan(records: Iterable[Contact | Problem], profiles: Iterable[Profile],
         progress: Callable[[int], None] | None = None) -> list[Step]:
    """One step per record, in file order."""
    matcher = Matcher(profiles)
    steps = []
    for record in records:
        steps.append(_step(record, matcher))
        if progress is not None:
            progress(1)
    return steps


def _step(record: Contact | Problem, matcher: Matcher) -> Step:
    if isinstance(record, Problem):
        return Step(record.location, Action.PROBLEM, problems=(record,))
    where = record.position
    try:
        mapped = to_profile(record)
    except Unusable as exc:
        problem = Problem(where, "import-error", Severity.ERROR, f"{exc}; it was not imported")
        return Step(where, Action.PROBLEM, problems=(problem,))
    warnings = tuple(Problem(where, "import-warning", Severity.WARNING, text)
                     for text in mapped.warnings)
    found = matcher.find(mapped)
    if found:
        matches = tuple(Match(str(p.location) if in_file else p.path, p.display_name, why,
                              in_file) for p, why, in_file in found)
        first = found[0][0]
        lacks = () if found[0][2] else _lacks(mapped, first)
        return Step(where, Action.MATCH, mapped, matches, lacks, warnings)
    standin = Profile(location=where, stem="", name=mapped.name, emails=mapped.emails,
                      phones=mapped.phones)
    matcher.add(standin, record=where)
    return Step(where, Action.NEW, mapped, problems=warnings)


def _lacks(mapped: Mapped, profile: Profile) -> tuple[str, ...]:
    """The keys the record has and the profile leaves empty (a ``*_types`` key only with
    its values)."""
    empty = [k for k in mapped.keys() if _empty(profile.raw(k))]  # noqa: SIM118
    return tuple(k for k in empty if not k.endswith("_types") or k[:-6] in empty)


def _empty(raw: object) -> bool:
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list):
        return not any(raw)
    return raw is None
