"""Finding the profile a user means by NAME: a file stem, an ``id`` or a ``name``."""

from __future__ import annotations

import difflib
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


def index_keys(profile: Profile) -> set[str]:
    """The keys the index keeps: :func:`lookup_keys`, and :func:`merged_keys` marked."""
    return lookup_keys(profile) | {MERGED + key for key in merged_keys(profile)}


def _wanted(name: str) -> str:
    """NAME folded; a file name may be given with its ``.md``."""
    return fold(name.strip().removesuffix(".md"))


PHONE_KEY = 9  # a phone's last digits: the same however it is written (+44 20…, 020…)


def phone_key(text: str) -> str | None:
    """What the index keeps a phone under: its last PHONE_KEY digits, whether it is written
    with its country code or not (no phone library needed); None for what is no phone."""
    if any(c.isalpha() for c in text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    return digits[-PHONE_KEY:] if len(digits) >= 5 else None


def contact_key(text: str) -> str | None:
    """``text`` as the index keeps a contact point: an email folded, a phone's key."""
    text = text.strip()
    return text.casefold() if "@" in text else phone_key(text)


def same_phone(typed: str, written: str, region: str) -> bool:
    """Whether two phones are one number: the same digits (and ``+``) as written, else the
    same E.164 form (the phone library is loaded only then)."""
    def plain(text: str) -> str:
        return "".join(c for c in text if c.isdigit() or c == "+")

    if plain(typed) == plain(written):
        return True
    from plaincrm.checks.fields import parse_phone

    e164 = parse_phone(typed, region)[0]
    return e164 is not None and e164 == parse_phone(written, region)[0]


def find_path(index: Index, name: str, region: str) -> str:
    """The path of the one profile ``name`` means, asked of the index: an exact stem, id,
    name, email or phone first, else a unique profile whose name or stem contains it. Raises
    NoSuchProfile or AmbiguousName, as :func:`find_profile` does."""
    wanted = _wanted(name)
    exact = {path: found for path, found, phone in index.lookup(wanted, contact_key(name))
             if phone is None or same_phone(name, phone, region)}
    heirs = [(path, found) for path, found, _phone in index.lookup(MERGED + wanted)]
    matches = sorted(exact.items()) or heirs or index.containing(wanted)
    if len(matches) == 1:
        return matches[0][0]
    if matches:
        profiles = [index.profile(path, full=False) for path, _name in matches]
        raise _ambiguous(name, [p for p in profiles if p is not None])
    raise _missing(name, index.names())


def _ambiguous(name: str, matches: list[Profile]) -> AmbiguousName:
    return AmbiguousName(
        f"{name!r} matches {len(matches)} profiles; name one by its file or id:",
        [f"{p.path}  {p.display_name}" + (f"  (id {p.id})" if p.id else "") for p in matches])


def _missing(name: str, names: Iterable[str]) -> NoSuchProfile:
    folded: dict[str, str] = {}
    for display in names:
        folded.setdefault(fold(display), display)
    close = difflib.get_close_matches(fold(name), list(folded), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(folded[c]) for c in close)}?" if close else ""
    return NoSuchProfile(f"no profile matches {name!r}{hint}")


def find_profile(profiles: Iterable[Profile], name: str) -> Profile:
    """The one profile ``name`` means: an exact stem, id or name first, else the profile a
    profile of that name was merged into, else a unique profile whose name or stem contains
    it. Raises NoSuchProfile or AmbiguousName."""
    wanted = _wanted(name)
    exact: list[Profile] = []
    heirs: list[Profile] = []
    partial: list[Profile] = []
    names: list[str] = []  # for suggestions; profiles stream past, only names stay
    for p in profiles:
        keys = lookup_keys(p)
        if wanted in keys:
            exact.append(p)
        elif not exact and wanted in merged_keys(p):
            heirs.append(p)
        elif not exact and not heirs and any(wanted in key for key in keys):
            partial.append(p)
        names.append(p.display_name)
    matches = exact or heirs or partial
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise _ambiguous(name, matches)
    raise _missing(name, names)
