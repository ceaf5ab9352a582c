"""``duplicate``: two profiles that are probably one person, and the one rule for it.

:func:`same_person` is the rule, used by ``plaincrm check`` (this collector), ``plaincrm new``
and ``plaincrm import`` alike (:func:`plaincrm.create.same_person`). What counts:
- the same email, case-insensitively;
- the same phone: the same number once in E.164 when both can be read as one (see
  ``profiles.phone_region``), else the same last nine digits; unless both names are spelled
  out with different first names (a household or an office sharing a landline is not one
  person);
- the same name under the usual variants (see :mod:`plaincrm.checks.names`: titles such as
  ``Mrs`` dropped, ``Müller, Hans`` = ``Hans Mueller``).
- else names that are alike but not the same (typing errors, a missing part, an initial, a
  nickname, swapped order; see :mod:`plaincrm.checks.alike`) when other evidence agrees: the
  same full birthday, postcode or street (``number street`` of an address), the last six digits
  of a phone, the part of an email before the @. Two kinds of evidence need names 0.6 alike, one
  needs 0.8; first names that cannot be one person's (Anna / Hans) need the same birthday.
A pair where either profile lists the other's ``id`` under ``distinct_from`` is two people,
whatever matches.

The collector never compares all pairs: each profile files small keys into blocks (its emails,
its phones' digits, its folded first+last name, and for alike names each piece of evidence
joined with the initial of each word of the name) and only profiles sharing a block are
compared.
A pair is reported once on each file, naming the other. ``check_ignore: [duplicate]`` on either
file silences every pair of that file; ``distinct_from: [id]`` only that pair.
"""

from __future__ import annotations

import heapq
import itertools
import marshal
import re
from array import array
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from plaincrm.checks import alike
from plaincrm.checks.base import Context, ignored_codes, items
from plaincrm.checks.fields import parse_phone
from plaincrm.checks.names import NameKey, first_names_differ, name_key, same_name
from plaincrm.lookup import phone_digits
from plaincrm.model import Location, Problem, Profile, Severity

CODE = "duplicate"


DISTINCT_KEY = "distinct_from"


@dataclass(frozen=True, slots=True)
class Person:
    """What the same-person rule compares: folded name, emails, phones, id, distinct_from."""

    name: NameKey | None
    emails: frozenset[str] = frozenset()  # casefolded
    phones: frozenset[tuple[str, str | None]] = frozenset()  # (digits, E.164 or None)
    id: str | None = None
    distinct: frozenset[str] = frozenset()
    birthday: str | None = None  # a full YYYY-MM-DD birthday
    postcodes: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()

    def evidence_keys(self) -> set[str]:
        """The blocking keys of the evidence for alike names: each joined with each initial."""
        if self.name is None:
            return set()
        initials = {w[0] for w in (self.name.first, self.name.last) if w}
        base = [f"p:{p}" for p in self.postcodes] + [f"s:{s}" for s in self.streets]
        base += [f"t:{d[-6:]}" for d, _ in self.phones if len(d) >= 6]
        base += [f"e:{alike.email_local(e)}" for e in self.emails if len(e) > 4]
        if self.birthday:
            base.append(f"b:{self.birthday}")
        return {f"{key} {i}" for key in base for i in initials}


def phone_key(phone: str, region: str) -> tuple[str, str | None] | None:
    """``(digits, E.164 or None)`` for a phone; None when it holds no digits."""
    e164, _why = parse_phone(phone, region)
    digits = phone_digits(e164 or phone)
    return (digits, e164) if digits else None


def person(name: str | None, emails: Iterable[str], phones: Iterable[str], region: str,
           id_: str | None = None, distinct: Iterable[str] = (), birthday: str | None = None,
           places: Iterable[str] = ()) -> Person:
    """What the rule compares. ``birthday``: as written (only a full date counts);
    ``places``: postcode and address values."""
    keys = (phone_key(p, region) for p in phones)
    places = list(places)
    full = birthday if birthday and FULL_DATE.fullmatch(birthday.strip()) else None
    return Person(name_key(name) if name else None,
                  frozenset(e.strip().casefold() for e in emails if e.strip()),
                  frozenset(k for k in keys if k is not None), id_,
                  frozenset(d.strip() for d in distinct if d.strip()),
                  full.strip() if full else None, alike.postcodes(places), alike.streets(places))


FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLACE_KEYS = ("postcode", "zip", "postal_code", "address")


def places_of(profile: Profile) -> list[str]:
    """The postcode and address values of a profile."""
    return [text for key in PLACE_KEYS for text, _line in items(profile, key)]


def profile_person(profile: Profile, region: str) -> Person:
    return person(profile.name, profile.emails, profile.phones, region, profile.id,
                  distinct_ids(profile), str(profile.birthday) if profile.birthday else None,
                  places_of(profile))


def distinct_ids(profile: Profile) -> tuple[str, ...]:
    """The ids a profile says are other people: ``distinct_from: [id, ...]``."""
    found: list[str] = []
    for text, _line in items(profile, DISTINCT_KEY):
        found += [part.strip() for part in text.split(",") if part.strip()]
    return tuple(found)


def same_person(a: Person, b: Person) -> list[str]:
    """Why ``a`` and ``b`` are probably one person (``[]``: they are not)."""
    if _distinct(a.id, a.distinct, b.id, b.distinct):
        return []
    emails = sorted(a.emails & b.emails)
    phones = sorted({_shown(x, y) for x in a.phones for y in b.phones if _same_phone(x, y)})
    return _reasons(emails, phones, a.name, b.name) or alike_reasons(a, b)


def alike_reasons(a: Person, b: Person) -> list[str]:
    """``["same birthday and postcode, names 0.93 alike"]`` when names alike and other
    evidence agree (see the module docstring); ``[]`` when not."""
    if a.name is None or b.name is None:
        return []
    return _alike_said(_evidence(_clues(a), _clues(b)), _Names(a.name, b.name))


# What a profile offers as evidence for alike names: full birthday, postcodes, streets, phone
# endings (last six digits), email names (the part before the @, folded; never "")
Clues = tuple[str | None, Collection[str], Collection[str], Collection[str], Collection[str]]


def _clues(p: Person) -> Clues:
    return (p.birthday, p.postcodes, p.streets,
            frozenset(d[-6:] for d, _ in p.phones if len(d) >= 6),
            frozenset(alike.email_local(e) for e in p.emails) - {""})


def _evidence(a: Clues, b: Clues) -> list[str]:
    """The kinds of evidence two profiles share, in the order the report names them."""
    evidence = []
    if a[0] is not None and a[0] == b[0]:
        evidence.append("birthday")
    if not set(a[1]).isdisjoint(b[1]):
        evidence.append("postcode")
    elif not set(a[2]).isdisjoint(b[2]):
        evidence.append("street")
    if not set(a[3]).isdisjoint(b[3]):
        evidence.append("phone ending")
    if not set(a[4]).isdisjoint(b[4]):
        evidence.append("email name")
    return evidence


class _Names:
    """What two names say of a pair, worked out when first asked and once per pair of names
    (the pairs of a large block share a few names)."""

    __slots__ = ("_clash", "_score", "a", "b")

    def __init__(self, a: NameKey, b: NameKey) -> None:
        self.a, self.b = a, b
        self._clash: bool | None = None
        self._score: float | None = None

    def clash(self) -> bool:
        if self._clash is None:
            self._clash = alike.first_names_clash(self.a, self.b)
        return self._clash

    def score(self) -> float:
        if self._score is None:
            self._score = alike.name_score(self.a, self.b)
        return self._score


def _alike_said(evidence: list[str], names: _Names) -> list[str]:
    """The rule for alike names, given the evidence two profiles share."""
    if not evidence or ("birthday" not in evidence and names.clash()):
        return []
    score = names.score()
    if score < (0.6 if len(evidence) >= 2 else 0.8):
        return []
    said = " and ".join([", ".join(evidence[:-1]), evidence[-1]] if len(evidence) > 1
                        else evidence)
    return [f"same {said}, names {score:.2f} alike"]


def _same_phone(x: tuple[str, str | None], y: tuple[str, str | None]) -> bool:
    if x[1] is not None and y[1] is not None:
        return x[1] == y[1]
    return x[0] == y[0]


def _shown(x: tuple[str, str | None], y: tuple[str, str | None]) -> str:
    return x[1] or y[1] or x[0]


def _reasons(emails: Iterable[str], phones: Iterable[str], a: NameKey | None,
             b: NameKey | None) -> list[str]:
    """The rule itself, given the emails and phones two profiles share and their names."""
    reasons = [f"same email {e}" for e in emails]
    if not (a is not None and b is not None and first_names_differ(a, b)):
        reasons += [f"same phone {p}" for p in phones]  # else a household's landline
    if a is not None and b is not None and a.last and same_name(a, b):
        reasons.append("same name")
    return list(dict.fromkeys(reasons))


def _distinct(a_id: str | None, a_distinct: Container[str], b_id: str | None,
              b_distinct: Container[str]) -> bool:
    return bool((a_id and a_id in b_distinct) or (b_id and b_id in a_distinct))


# What an entry keeps of a profile for alike names: its :data:`Clues` as tuples, not
# frozensets (216 bytes each, empty or not); compared as they are (few pairs get that far).
Facts = tuple[str | None, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]


Words = tuple[str, tuple[str, ...], str]  # a NameKey's first, middle and last words


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    display: str
    name: NameKey | None
    name_line: int
    ignored: bool
    id: str | None = None
    distinct: tuple[str, ...] = ()
    facts: Facts | None = None  # kept only when it has evidence for alike names
    emails: tuple[tuple[str, int], ...] = ()  # (casefolded, line), as written
    phones: tuple[tuple[str, str | None, int], ...] = ()  # (digits, E.164 or None, line)
    # the 64-bit hashes of its evidence keys (:meth:`Person.evidence_keys`), worked out once
    # in add, packed: a block makes a set of them for the time it is compared
    keys: bytes = b""
    words: Words | None = None  # the name's words as kept: a quick key for a dict


# Blocks (profiles sharing an email, a phone, a name or a piece of evidence): each key's hash
# cut to HASH_BITS, packed with the profile's index into one 64-bit integer, in one of BUCKETS
# arrays by the hash's top bits. At 100,000 profiles there are about 800,000 keys: 8 bytes
# each, where dicts of them took 75 MiB. A bucket is sorted when its blocks are read, so equal
# hashes (a block) are neighbours; a block's profiles are then compared on the keys themselves,
# so two keys of one hash are never taken for one.
HASH_BITS, INDEX_BITS, BUCKET_BITS = 40, 23, 6
BUCKETS = 1 << BUCKET_BITS
DECODED = 1024  # entries kept decoded at a time (a block keeps its own while it is compared)


HASH_MASK = (1 << HASH_BITS) - 1


def _hash(key: str) -> int:
    return hash(key) & HASH_MASK


class _Blocks:
    def __init__(self) -> None:
        self.buckets = [array("q") for _ in range(BUCKETS)]

    def add(self, key: str, index: int) -> None:
        packed = _hash(key) << INDEX_BITS | index
        self.buckets[packed >> (HASH_BITS + INDEX_BITS - BUCKET_BITS)].append(packed)

    def shared(self) -> Iterator[tuple[int, list[int]]]:
        """(hash, profile indexes ascending, each once) of each block of several profiles,
        one bucket sorted at a time."""
        mask = (1 << INDEX_BITS) - 1
        for bucket in self.buckets:
            ordered = sorted(bucket)
            start = 0
            while start < len(ordered):
                key = ordered[start] >> INDEX_BITS
                end = start + 1
                while end < len(ordered) and ordered[end] >> INDEX_BITS == key:
                    end += 1
                if end - start > 1:
                    block = list(dict.fromkeys(packed & mask for packed in ordered[start:end]))
                    if len(block) > 1:
                        yield key, block
                start = end


class Duplicates:
    def __init__(self, ctx: Context) -> None:
        self.region: str = ctx.config["profiles.phone_region"]
        # each profile's entry as marshal bytes: one object of about 250 bytes where the
        # entry's strings, tuples and name key took about a kilobyte (100 MiB at 100,000
        # profiles); decoded again for the few that share a block (:meth:`entry`)
        self.entries: list[bytes] = []
        self.emails, self.phones, self.names = _Blocks(), _Blocks(), _Blocks()
        self.evidence = _Blocks()  # evidence for alike names, joined with an initial
        self._decoded: dict[int, _Entry] = {}  # the entries decoded last (see DECODED)

    def add(self, profile: Profile) -> None:
        index = len(self.entries)
        if index >= 1 << INDEX_BITS:
            raise ValueError(f"more than {1 << INDEX_BITS:,} profiles to compare")
        key = name_key(profile.name) if profile.name else None
        emails = tuple((email.casefold(), line) for email, line in items(profile, "email"))
        phones = []
        for email, _line in emails:
            self.emails.add(email, index)
        for phone, line in items(profile, "phone"):
            found = phone_key(phone, self.region)
            if found is not None:
                phones.append((*found, line))
                self.phones.add(found[0], index)
        if key is not None and key.last:
            self.names.add(key.block, index)
        distinct = tuple(dict.fromkeys(distinct_ids(profile)))
        facts: Facts | None = None
        hashes = b""
        if key is not None:
            places = places_of(profile)
            birthday = profile.birthday if profile.birthday and profile.birthday.year else None
            who = Person(key, frozenset(e for e, _ in emails),
                         frozenset((d, e) for d, e, _ in phones),
                         birthday=str(birthday) if birthday else None,
                         postcodes=alike.postcodes(places) if places else frozenset(),
                         streets=alike.streets(places) if places else frozenset())
            blocks = who.evidence_keys()  # once a profile: the pairs compare their hashes
            for block in blocks:
                self.evidence.add(block, index)
            if blocks:
                birthday_, postcodes, streets, endings, names = _clues(who)
                facts = (birthday_, tuple(postcodes), tuple(streets), tuple(endings),
                         tuple(names))
                hashes = array("q", sorted(hash(block) for block in blocks)).tobytes()
        name = None if key is None else (key.first, key.middle, key.last)
        self.entries.append(marshal.dumps((profile.path, profile.display_name, name,
                                           profile.field_line("name"),
                                           CODE in ignored_codes(profile), profile.id, distinct,
                                           facts, emails, tuple(phones), hashes)))

    def entry(self, index: int) -> _Entry:
        """The entry of the ``index``-th profile added."""
        found = self._decoded.get(index)
        if found is None:
            path, display, name, line, ignored, id_, distinct, facts, emails, phones, hashes = \
                marshal.loads(self.entries[index])
            found = _Entry(path, display, None if name is None else NameKey(*name), line,
                           ignored, id_, distinct, facts, emails, phones,
                           hashes, name)
            if len(self._decoded) >= DECODED:
                self._decoded.clear()
            self._decoded[index] = found
        return found

    def _keyed(self, blocks: _Blocks, keys: Callable[[_Entry], list[str]]
               ) -> list[tuple[str, list[int]]]:
        """(key, profile indexes) of each key several profiles share, in the order the keys
        first came (the first profile's, then its order of them): the order of the report's
        reasons and lines, as when the blocks were dicts."""
        found: dict[str, tuple[tuple[int, int], list[int]]] = {}
        for hashed, block in blocks.shared():
            for index in block:
                for position, key in enumerate(keys(self.entry(index))):
                    if _hash(key) == hashed:
                        _first, holders = found.setdefault(key, ((index, position), []))
                        if not holders or holders[-1] != index:
                            holders.append(index)
        return [(key, holders) for key, (_first, holders) in
                sorted(found.items(), key=lambda item: item[1][0]) if len(holders) > 1]

    def finish(self) -> Iterator[Problem]:
        # (i, j) with i < j -> ([shared email], [shared phone], line in i, line in j)
        pairs: dict[tuple[int, int], tuple[list[str], list[str], int, int]] = {}

        def shared(i: int, j: int, li: int, lj: int) -> tuple[list[str], list[str], int, int]:
            return pairs.setdefault((i, j), ([], [], li, lj))

        def line(entry: tuple[tuple[Any, ...], ...], key: str) -> tuple[Any, ...]:
            return next(item for item in entry if item[0] == key)  # its first line

        for email, block in self._keyed(self.emails, lambda e: [m for m, _ in e.emails]):
            for i, j in _pairs(block):
                li, lj = line(self.entry(i).emails, email)[1], line(self.entry(j).emails,
                                                                     email)[1]
                shared(i, j, li, lj)[0].append(email)
        for digits, block in self._keyed(self.phones, lambda e: [d for d, _, _ in e.phones]):
            for i, j in _pairs(block):
                (_, x, li), (_, y, lj) = line(self.entry(i).phones, digits), line(
                    self.entry(j).phones, digits)
                if _same_phone((digits, x), (digits, y)):
                    shared(i, j, li, lj)[1].append(_shown((digits, x), (digits, y)))
        partners: dict[int, set[int]] = {}  # each profile's pairs sharing an email or a phone
        for i, j in pairs:
            partners.setdefault(i, set()).add(j)
            partners.setdefault(j, set()).add(i)
        for _name, block in self._keyed(self.names, _name_block):
            yield from self._namesakes(block, partners)
        exact: set[tuple[int, int]] = set()
        for (i, j), (emails, phones, li, lj) in pairs.items():
            a, b = self.entry(i), self.entry(j)
            reasons = _reasons(emails, phones, a.name, b.name)
            if reasons:
                exact.add((i, j))
            yield from self._report(a, b, reasons, li, lj)
        yield from self._alike(exact)

    def _namesakes(self, block: list[int], partners: Mapping[int, Collection[int]]
                   ) -> Iterator[Problem]:
        """The problems of a block of namesakes (profile indexes, ascending): on each
        profile, one per other profile it is probably the same person as by name alone (pairs
        sharing an email or a phone, its ``partners``, are reported with those), or one for
        them all when they are more than :data:`NAMED`: a large vault has groups of dozens of
        people of one name, whose every pair would cost more than the rest of the report.

        The block is taken as groups of one name (a group of 50 ``John Smith`` is one), so
        the names are compared per pair of names, and the profiles a name agrees with are
        counted by their groups; only the few that say otherwise are taken one by one."""
        entries = {i: self.entry(i) for i in block}
        groups: dict[NameKey, list[int]] = {}
        for i in block:
            name = entries[i].name
            assert name is not None
            groups.setdefault(name, []).append(i)
        agree = {x: [y for y in groups if x == y or same_name(x, y)] for x in groups}
        ignored = {i for i in block if entries[i].ignored}
        by_id: dict[str, list[int]] = {}  # the profiles of the block with each id
        refused: dict[str, list[int]] = {}  # the profiles that say each id is someone else
        for i in block:
            if id_ := entries[i].id:
                by_id.setdefault(id_, []).append(i)
            for other in entries[i].distinct:
                refused.setdefault(other, []).append(i)
        for i in block:
            a = entries[i]
            if a.ignored:
                continue
            assert a.name is not None
            names = agree[a.name]
            left_out = {i} | ignored | {j for j in partners.get(i, ()) if j in entries}
            left_out.update(j for other in a.distinct for j in by_id.get(other, ()))
            left_out.update(refused.get(a.id, ()) if a.id else ())
            left_out = {j for j in left_out if entries[j].name in names}
            count = sum(len(groups[name]) for name in names) - len(left_out)
            others = (entries[j] for j in heapq.merge(*(groups[name] for name in names))
                      if j not in left_out)
            if count > NAMED:
                yield _namesake_problem(a, list(itertools.islice(others, NAMED)),
                                        count - NAMED)
            else:
                yield from (_problem(a, a.name_line, b, "same name") for b in others)

    def _alike(self, exact: set[tuple[int, int]]) -> Iterator[Problem]:
        """Pairs of alike names that share a piece of evidence (and its initial); a pair is
        taken at the least key its two profiles share, so no pair needs to be kept. Each
        pair is tried on what is cheapest first (the hashes of its keys, kept on the entries);
        the names of a block are weighed once per pair of names."""
        for key, block in self.evidence.shared():
            members = [(i, entry, frozenset(array("q", entry.keys))) for i in block
                       if (entry := self.entry(i)).facts is not None]
            names: dict[tuple[Words | None, Words | None], _Names | None] = {}  # None: same
            for x, (i, a, keys) in enumerate(members):
                for j, b, others in members[x + 1:]:
                    common = keys & others
                    if not common or key != min(h & HASH_MASK for h in common) or \
                            (i, j) in exact:
                        continue  # taken at another key they share (or only their hashes do)
                    assert a.name is not None and b.name is not None
                    assert a.facts is not None and b.facts is not None
                    both = (a.words, b.words)
                    if both in names:
                        pair = names[both]
                    else:
                        pair = names[both] = None if a.name.last and same_name(a.name, b.name) \
                            else _Names(a.name, b.name)
                    if pair is None:
                        continue  # decided by the name
                    if (a.facts[0] is None or a.facts[0] != b.facts[0]) and pair.clash():
                        continue  # first names of two people, and no birthday to say otherwise
                    evidence = _evidence(a.facts, b.facts)
                    if not evidence:
                        continue
                    yield from self._report(a, b, _alike_said(evidence, pair), a.name_line,
                                            b.name_line)

    @staticmethod
    def _report(a: _Entry, b: _Entry, reasons: list[str], line_a: int,
                line_b: int) -> Iterator[Problem]:
        if not reasons or a.ignored or b.ignored or _distinct(a.id, a.distinct, b.id,
                                                              b.distinct):
            return
        if reasons == ["same name"] or reasons[0].endswith("alike"):
            line_a, line_b = a.name_line, b.name_line
        why = ", ".join(reasons)
        yield _problem(a, line_a, b, why)
        yield _problem(b, line_b, a, why)


def _name_block(entry: _Entry) -> list[str]:
    return [entry.name.block] if entry.name is not None and entry.name.last else []


def _pairs(block: list[int]) -> Iterator[tuple[int, int]]:
    """Every pair of a block of distinct profile indexes (ascending), the lower first."""
    for x in range(len(block)):
        for y in range(x + 1, len(block)):
            yield block[x], block[y]


NAMED = 3  # namesakes named in one problem; the rest are counted


def _namesake_problem(entry: _Entry, others: list[_Entry], more: int) -> Problem:
    """One problem for more than :data:`NAMED` namesakes: three named, the ``more`` counted."""
    named = ", ".join(f"{o.path} ({o.display})" for o in others)
    return Problem(Location(entry.path, entry.name_line), CODE, Severity.WARNING,
                   f"probably the same person as {named} and {more} more of "
                   "the same name: same name")


def _problem(entry: _Entry, line: int, other: _Entry, why: str) -> Problem:
    return Problem(Location(entry.path, line), CODE, Severity.WARNING,
                   f"probably the same person as {other.path} ({other.display}): {why}")
