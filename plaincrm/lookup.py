"""Finding the profile a user means by NAME: whatever the user has of the person.

One rule, used by every command that takes a NAME (``show``, ``log``, ``task``, ``done``,
``history``, ``merge``…) and by ``list --search``, tried in this order until one finds a profile:

1. *exactly*: a file name (with or without ``.md``), a path, an ``id`` or a name, case- and
   accent-insensitively; an email in any case; a phone in any format (``+44 113 496 0584``,
   ``01134960584``, ``0113 496 0584``, ``+44 (0)113…``, ``0044…``), the same number once both
   are read with ``profiles.phone_region`` (the index keeps phones by their last 9 digits);
2. the id, file or name of a profile merged into one (its ``merged_from``);
3. the same person's name in another form: either order, with or without a comma, accents or
   umlaut spellings (``Mueller, Hans`` = ``Hans Müller``), titles dropped, as ``plaincrm check``
   compares names (:mod:`plaincrm.checks.names`);
4. a profile whose file name, id or name contains NAME.

Several profiles at one step: :class:`AmbiguousName` lists them with phone and file (exit 5),
and nothing changes; none at all: :class:`NoSuchProfile` (exit 4).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from plaincrm.errors import AmbiguousName, NoSuchProfile
from plaincrm.model import Profile

if TYPE_CHECKING:
    from plaincrm.index import Index


_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Müller`` → ``muller``; spaces and dashes alike."""
    if text.isascii():  # nothing to decompose
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = _MARKS.sub("", decomposed)  # the usual accents, at C speed
        if not stripped.isascii():  # other scripts may have other marks
            stripped = "".join(c for c in stripped if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").replace("_", " ").split())


def name_key(text: str) -> str:
    """``fold`` without punctuation: ``O'Brien`` and ``OBrien`` compare equal."""
    return " ".join("".join(c for c in fold(text) if c.isalnum() or c == " ").split())


def lookup_keys(profile: Profile) -> set[str]:
    """What NAME may be to mean ``profile``: its stem, its path without ``.md``, its id, its
    name, each folded."""
    keys = {fold(profile.stem), fold(profile.path.removesuffix(".md"))}
    if profile.id:
        keys.add(fold(profile.id))
    if profile.name:
        keys.add(fold(profile.name))
    return keys


MERGED_FROM = "merged_from"
MERGED = "~"  # marks a merged profile's key where the index keeps keys


def merged_keys(profile: Profile) -> set[str]:
    """The ids, files and names of the profiles merged into ``profile`` (its
    ``merged_from``), folded: NAME means ``profile`` by them when nothing else has them."""
    raw = profile.raw(MERGED_FROM)
    items = raw if isinstance(raw, list) else raw.split(",") if isinstance(raw, str) else []
    return {fold(str(x).strip().removesuffix(".md")) for x in items if str(x).strip()}


PERSON = "="  # marks a name's person key where the index keeps keys


def person_key(text: str) -> str | None:
    """A name's words as ``plaincrm check`` compares names (folded, umlaut spellings alike,
    titles dropped), in sorted order so that either order is the same person; None for text
    without letters (a phone number)."""
    if not any(c.isalpha() for c in text):
        return None
    from plaincrm.checks.names import name_key as check_name_key

    key = check_name_key(text)
    if key is None:
        return None
    return PERSON + " ".join(sorted(w for w in (key.first, *key.middle, key.last) if w))


def index_keys(profile: Profile) -> set[str]:
    """The keys the index keeps: :func:`lookup_keys`, :func:`merged_keys` and
    :func:`person_key` marked."""
    keys = lookup_keys(profile) | {MERGED + key for key in merged_keys(profile)}
    person = person_key(profile.name) if profile.name else None
    return keys | {person} if person else keys


def _wanted(name: str) -> str:
    """NAME folded; a file name may be given with its ``.md``."""
    return fold(name.strip().removesuffix(".md"))


PHONE_KEY = 9  # a phone's last digits: the same however it is written (+44 20…, 020…)


def phone_digits(phone: str) -> str:
    """The one rule for a phone's digits that stay the same however it is written: its digits
    without the leading zeros of a trunk or international prefix, the last PHONE_KEY of them
    (``+44 20 7946 0958``, ``020 7946 0958``, ``0044…`` → ``079460958``); "" for no digits.
    The lookup's keys, ``check``'s duplicate rule and import's matching all use it."""
    digits = "".join(c for c in phone if c.isdigit())
    return digits.lstrip("0")[-PHONE_KEY:]


def phone_key(text: str) -> str | None:
    """What the index keeps a phone under: :func:`phone_digits`, whether it is written with
    its country code or not (no phone library needed); None for what is no phone (a letter,
    fewer than 5 digits)."""
    if any(c.isalpha() for c in text):
        return None
    key = phone_digits(text)
    return key if len(key) >= 5 else None


def contact_key(text: str) -> str | None:
    """``text`` as the index keeps a contact point: an email folded, a phone's key."""
    text = text.strip()
    return text.casefold() if "@" in text else phone_key(text)


def phone_as_dialled(text: str) -> str:
    """A phone as written, with only its digits and ``+``: ``+44 (113) 496-0584`` is
    ``+441134960584``. Two numbers alike in this form are one, whatever the region."""
    return "".join(c for c in text if c.isdigit() or c == "+")


def same_phone(typed: str, written: str, region: str) -> bool:
    """Whether two phones are one number: the same digits (and ``+``) as written, else the
    same E.164 form (the phone library is loaded only then)."""
    if phone_as_dialled(typed) == phone_as_dialled(written):
        return True
    from plaincrm.checks.fields import parse_phone

    e164 = parse_phone(typed, region)[0]
    return e164 is not None and e164 == parse_phone(written, region)[0]


def find_path(index: Index, name: str, region: str) -> str:
    """The path of the one profile ``name`` means, asked of the index (no profile file read):
    see the module's docstring. Raises NoSuchProfile or AmbiguousName."""
    matches = _index_matches(index, name, region, partial=True)
    if len(matches) == 1:
        return matches[0]
    if matches:
        profiles = [index.profile(path, full=False) for path in matches]
        raise _ambiguous(name, [p for p in profiles if p is not None])
    raise _missing(name, index.names())


def matching_paths(index: Index, text: str, region: str) -> list[str]:
    """The paths of the profiles ``text`` names by the first three steps of the rule (not by
    a part of a name): what ``list --search`` finds besides the text inside profiles."""
    return _index_matches(index, text, region, partial=False)


def _index_matches(index: Index, name: str, region: str, partial: bool) -> list[str]:
    wanted = _wanted(name)
    exact = {path for path, _found, phone in index.lookup(wanted, contact_key(name))
             if phone is None or _same_number(name, phone, region)}
    if exact:
        return sorted(exact)
    heirs = [path for path, _found, _phone in index.lookup(MERGED + wanted)]
    if heirs:
        return heirs
    person = person_key(name)
    alike = [path for path, _found, _phone in index.lookup(person)] if person else []
    if alike or not partial:
        return alike
    return [path for path, _found in index.containing(wanted)]


def _ambiguous(name: str, matches: list[Profile]) -> AmbiguousName:
    def shown(p: Profile) -> str:
        phone = f"  {p.phones[0]}" if p.phones else ""
        return f"{p.path}  {p.display_name}{phone}" + (f"  (id {p.id})" if p.id else "")

    return AmbiguousName(
        f"{name!r} matches {len(matches)} profiles; name one by its file or id:",
        [shown(p) for p in matches])


def _has_contact(p: Profile, typed: str, contact: str, region: str) -> bool:
    """Whether ``p`` has the email or phone ``typed`` (``contact`` its key)."""
    if "@" in contact:
        return any(email.strip().casefold() == contact for email in p.emails)
    return any(phone_key(phone) == contact and _same_number(typed, phone, region)
               for phone in p.phones)


def _same_number(typed: str, written: str, region: str) -> bool:
    """:func:`same_phone`; without ``profiles.phone_region``, two numbers both written with
    their country code must be the same number, else the same last digits (already compared)
    will do."""
    if region:
        return same_phone(typed, written, region)
    if not (typed.lstrip().startswith("+") and written.lstrip().startswith("+")):
        return True  # a national number cannot be read without a region (nor the library)
    if phone_as_dialled(typed) == phone_as_dialled(written):
        return True  # the same digits after the +: one number (no library needed)
    from plaincrm.checks.fields import parse_phone

    ours, theirs = parse_phone(typed, "")[0], parse_phone(written, "")[0]
    return ours == theirs if ours and theirs else True


def _missing(name: str, names: Iterable[str]) -> NoSuchProfile:
    folded: dict[str, str] = {}
    for display in names:
        folded.setdefault(fold(display), display)
    import difflib  # only when nothing matched

    close = difflib.get_close_matches(fold(name), list(folded), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(folded[c]) for c in close)}?" if close else ""
    return NoSuchProfile(f"no profile matches {name!r}{hint}")


def find_profile(profiles: Iterable[Profile], name: str, region: str = "") -> Profile:
    """The one profile ``name`` means among ``profiles``, by the rule of the module's docstring
    (:func:`find_path` asks the index the same). Without ``region`` a phone matches by its
    last 9 digits alone. Raises NoSuchProfile or AmbiguousName."""
    wanted = _wanted(name)
    contact = contact_key(name)
    person = person_key(name)
    exact: list[Profile] = []
    heirs: list[Profile] = []
    alike: list[Profile] = []
    partial: list[Profile] = []
    names: list[str] = []  # for suggestions; profiles stream past, only names stay
    for p in profiles:
        keys = lookup_keys(p)
        if wanted in keys or (contact is not None and _has_contact(p, name, contact, region)):
            exact.append(p)
        elif not exact and wanted in merged_keys(p):
            heirs.append(p)
        elif not exact and not heirs and person is not None and p.name and \
                person_key(p.name) == person:
            alike.append(p)
        elif not exact and not heirs and not alike and any(wanted in key for key in keys):
            partial.append(p)
        names.append(p.display_name)
    matches = exact or heirs or alike or partial
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise _ambiguous(name, matches)
    raise _missing(name, names)
