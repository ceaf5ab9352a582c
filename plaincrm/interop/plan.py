"""What an import would do, record by record: new, the same person as a profile, or a problem.

"The same person" is :func:`plaincrm.create.same_person`, the one rule ``plaincrm check``
reports duplicates by and ``plaincrm new`` refuses by, alike names included: the record's name,
emails, phones, birthday and places (address, postcode) are compared. To stay fast on large files
and vaults, each profile is filed under the keys that rule compares (folded name, email, phone
digits) and the blocking keys ``check`` uses for alike names (each piece of evidence, a birthday,
postcode, street, phone ending or email name, joined with an initial of the name:
:meth:`plaincrm.checks.duplicates.Person.evidence_keys`); only the profiles sharing a key with a
record are handed to the rule. A record the file already had (twice in one export) matches that
earlier record, so one import never creates the same person twice.

Of a matched profile, a step names the keys the record would fill (:func:`changes`: keys the
profile leaves absent or empty) and, with ``update``, the keys whose value it would replace:
every key the record gives except ``name`` (never replaced) and ``tags`` (only added to); an
email equal but for case, a phone with the same digits, count as the same value.
:mod:`.apply` asks the same function again of the file as it is when it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from plaincrm import fields
from plaincrm.checks import duplicates
from plaincrm.create import same_person
from plaincrm.interop.contact import Contact
from plaincrm.interop.mapping import Mapped, Unusable, Value, to_profile
from plaincrm.lookup import name_key, phone_digits
from plaincrm.model import Field, Location, Problem, Profile, Severity, raw_empty


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
    differs: tuple[str, ...] = ()  # with update: keys whose value the record would replace
    problems: tuple[Problem, ...] = ()  # the error of a PROBLEM step; warnings otherwise


class Matcher:
    """Profiles filed by the keys the same-person rule compares."""

    def __init__(self, profiles: Iterable[Profile] = ()) -> None:
        self._by_key: dict[str, list[Profile]] = {}
        self._records: dict[int, Mapped] = {}  # id(profile) of a file's record -> the record
        for p in profiles:
            self.add(p)

    def add(self, profile: Profile, record: Mapped | None = None) -> None:
        keys = {*_keys(profile.display_name, profile.emails, profile.phones),
                *_alike_keys(duplicates.profile_person(profile, ""))}
        for key in keys:
            self._by_key.setdefault(key, []).append(profile)
        if record is not None:
            self._records[id(profile)] = record

    def record(self, profile: Profile) -> Mapped | None:
        """The file's record ``profile`` stands in for; None for a profile of the vault."""
        return self._records.get(id(profile))

    def find(self, mapped: Mapped) -> list[tuple[Profile, str, bool]]:
        """``(profile, why, whether it is a record of the file)`` for each match."""
        candidates: dict[int, Profile] = {}
        places = _places(mapped)
        who = duplicates.person(mapped.name, mapped.emails, mapped.phones, "", None, (),
                                mapped.birthday, places)
        for key in (*_keys(mapped.name, mapped.emails, mapped.phones), *_alike_keys(who)):
            for p in self._by_key.get(key, ()):
                candidates.setdefault(id(p), p)
        found = same_person(candidates.values(), mapped.name, mapped.emails, mapped.phones,
                            birthday=mapped.birthday, places=places)
        return [(p, why, id(p) in self._records) for p, why in found]


def _places(mapped: Mapped) -> list[str]:
    """The record's address and postcode values, as the rule reads them from a profile."""
    return [text for key, value in mapped.extra if key in duplicates.PLACE_KEYS
            for text in ((value,) if isinstance(value, str) else value)]


def _alike_keys(who: duplicates.Person) -> Iterator[str]:
    return ("a:" + key for key in who.evidence_keys())


def _keys(name: str, emails: Iterable[str], phones: Iterable[str]) -> Iterator[str]:
    yield "n:" + name_key(name)
    for email in emails:
        yield "e:" + email.casefold()
    for phone in phones:
        digits = phone_digits(phone)
        if digits:
            yield "p:" + digits


def plan(records: Iterable[Contact | Problem], profiles: Iterable[Profile],
         progress: Callable[[int], None] | None = None, update: bool = False) -> list[Step]:
    """One step per record, in file order."""
    matcher = Matcher(profiles)
    steps = []
    for record in records:
        steps.append(_step(record, matcher, update))
        if progress is not None:
            progress(1)
    return steps


def _step(record: Contact | Problem, matcher: Matcher, update: bool) -> Step:
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
        earlier = matcher.record(first)
        if earlier is not None:  # an earlier record of the file: what it gives
            given = dict(earlier.given())
            fill, differ = changes(mapped, lambda key: _raw(given.get(key)), update)
        else:
            fill, differ = changes(mapped, first.raw, update)
        return Step(where, Action.MATCH, mapped, matches, fill, differ, warnings)
    matcher.add(_standin(where, mapped), record=mapped)
    return Step(where, Action.NEW, mapped, problems=warnings)


def _standin(where: Location, mapped: Mapped) -> Profile:
    """The record as a profile, with what the same-person rule reads of one."""
    try:
        birthday = fields.birthday(mapped.birthday) if mapped.birthday else None
    except fields.FieldError:
        birthday = None
    places = tuple(Field(key, _raw(value), where.line) for key, value in mapped.extra
                   if key in duplicates.PLACE_KEYS)
    return Profile(location=where, stem="", name=mapped.name, emails=mapped.emails,
                   phones=mapped.phones, birthday=birthday, fields=places)


def changes(mapped: Mapped, raw: Callable[[str], object],
            update: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The keys the record would fill in a profile whose raw values ``raw`` gives (absent or
    empty there), and with ``update`` those whose value it would replace (a ``*_types`` key
    only together with its values)."""
    fill: list[str] = []
    differ: list[str] = []
    for key, value in mapped.given():
        old = raw(key)
        if raw_empty(old):
            fill.append(key)
        elif update and key != "name" and not _same(key, old, value):
            differ.append(key)
    changed = set(fill + differ)
    return tuple(k for k in fill if not k.endswith("_types") or k[:-6] in changed), \
        tuple(k for k in differ if not k.endswith("_types") or k[:-6] in changed)


def new_value(key: str, old: object, value: Value) -> str | list[str]:
    """What the record writes for ``key`` over the profile's ``old`` raw value: tags are
    added to the profile's (never taken away), anything else is the record's value."""
    if key == "tags" and not raw_empty(old):
        return list(dict.fromkeys((*_texts(old), *_texts(value))))
    return list(value) if isinstance(value, tuple) else value


def _same(key: str, old: object, value: Value) -> bool:
    if key == "tags":
        return set(_texts(value)) <= set(_texts(old))
    fold: Callable[[str], str] = str.strip
    if key == "email":
        fold = str.casefold
    elif key == "phone":
        fold = phone_digits
    return [fold(v.strip()) for v in _texts(old)] == [fold(v.strip()) for v in _texts(value)]


def _texts(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, (list, tuple)):
        return tuple(v if isinstance(v, str) else "" for v in raw)
    return ()


def _raw(value: Value | None) -> object:
    return list(value) if isinstance(value, tuple) else value

