"""Finding the profile a user means by NAME: a file stem, an ``id`` or a ``name``."""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable

from plaincrm.errors import AmbiguousName, NoSuchProfile
from plaincrm.model import Profile


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Müller`` → ``muller``; spaces and dashes alike."""
    if text.isascii():  # nothing to decompose
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("-", " ").replace("_", " ").split())


def name_key(text: str) -> str:
    """``fold`` without punctuation: ``O'Brien`` and ``OBrien`` compare equal."""
    return " ".join("".join(c for c in fold(text) if c.isalnum() or c == " ").split())


def _keys(profile: Profile) -> set[str]:
    keys = {fold(profile.stem), fold(profile.path.removesuffix(".md"))}
    if profile.id:
        keys.add(fold(profile.id))
    if profile.name:
        keys.add(fold(profile.name))
    return keys


def find_profile(profiles: Iterable[Profile], name: str) -> Profile:
    """The one profile ``name`` means: an exact stem, id or name first, else a unique
    profile whose name or stem contains it. Raises NoSuchProfile or AmbiguousName."""
    wanted = fold(name)
    exact: list[Profile] = []
    partial: list[Profile] = []
    names: dict[str, str] = {}  # for suggestions; profiles stream past, only names stay
    for p in profiles:
        keys = _keys(p)
        if wanted in keys:
            exact.append(p)
        elif not exact and any(wanted in key for key in keys):
            partial.append(p)
        names.setdefault(fold(p.display_name), p.display_name)
    matches = exact or partial
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousName(
            f"{name!r} matches {len(matches)} profiles; name one by its file or id:",
            [f"{p.path}  {p.display_name}" + (f"  (id {p.id})" if p.id else "")
             for p in matches],
        )
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(names[c]) for c in close)}?" if close else ""
    raise NoSuchProfile(f"no profile matches {name!r}{hint}")
