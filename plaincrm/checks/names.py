"""Person names in a form where the usual variants of one name compare equal.

``Müller``, ``Mueller``, ``MULLER`` and ``Muller`` all become ``muller``; ``Müller, Hans`` reads
as ``Hans Müller``; titles (``Dr.``, ``Frau``) and punctuation are dropped. A name is then its
first word, its last word and the words between (middle names or initials).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

# German (and Scandinavian) umlauts are transliterated as two letters: Mueller, Schroeder, Gaebler.
# Folding the pairs to one letter on both sides makes Müller = Mueller = Muller.
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_TITLES = frozenset({"dr", "prof", "mr", "mrs", "ms", "miss", "mx", "herr", "frau", "sir",
                     "madame", "mme", "monsieur", "sr", "sra"})


@lru_cache(maxsize=2048)  # names and streets repeat: a vault has far fewer words than profiles
def fold_word(word: str) -> str:
    """One word, lower case ASCII, umlaut digraphs folded: ``Müller``/``Mueller`` → ``muller``."""
    text = re.sub(r"[^a-z0-9]", "", unidecode(word).lower())
    for pair, single in _DIGRAPHS:
        text = text.replace(pair, single)
    return text


@dataclass(frozen=True, slots=True)
class NameKey:
    first: str
    middle: tuple[str, ...]
    last: str

    @property
    def block(self) -> str:
        """Names that may match share this key: first and last word."""
        return f"{self.first} {self.last}"


def name_key(name: str) -> NameKey | None:
    """The folded parts of ``name``; None when nothing is left (an empty or symbol-only name)."""
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    words = [fold_word(w) for w in re.split(r"[\s\-_.,]+", name)]
    words = [w for w in words if w]
    while len(words) > 1 and words[0] in _TITLES:
        words.pop(0)
    if not words:
        return None
    if len(words) == 1:
        return NameKey(words[0], (), "")
    return NameKey(words[0], tuple(words[1:-1]), words[-1])


def same_name(a: NameKey, b: NameKey) -> bool:
    """The same first and last word; middle names agree where both have one (an initial
    matches any name starting with it); one may have more middle names than the other."""
    if a.block != b.block:
        return False
    for x, y in zip(a.middle, b.middle, strict=False):
        if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def first_names_differ(a: NameKey, b: NameKey) -> bool:
    """Clearly two people: both first names are spelled out and they differ (Anna vs Hans)."""
    if len(a.first) == 1 or len(b.first) == 1 or not a.last or not b.last:
        return False
    return a.first != b.first
