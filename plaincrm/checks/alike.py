"""Names that are alike, and the other evidence that two profiles are one person.

Used by the same-person rule (:mod:`plaincrm.checks.duplicates`) for pairs whose names differ by
typing errors (``Margret Whitfeld``), missing parts (``Jane Roe`` / ``Jane Mary Roe``), initials
(``J. Roe``), nicknames (``Bob``/``Robert``) or swapped order (``Roe Jane``). Names alone never
make such a pair: a birthday, a postcode or street, part of a phone or an email must agree too.

The string similarity is rapidfuzz's (a compiled, maintained Levenshtein/Indel implementation:
fast enough to score every pair a blocking key brings together in a large vault).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz

from plaincrm.checks.names import NameKey, fold_word

# nicknames and the names they stand for (folded as fold_word folds them)
_NICK_GROUPS = (
    "robert bob rob bobby robbie", "william bill will billy liam", "elizabeth liz beth betty "
    "lisa eliza libby elisabeth", "margaret maggie meg peggy marge greta", "katherine kate "
    "kathy katie catherine cathy kath kathryn", "james jim jimmy jamie", "john jack johnny jon",
    "richard rick dick richie", "michael mike mick micky", "thomas tom tommy", "edward ed ted "
    "eddie ned", "charles charlie chuck chas", "joseph joe joey", "daniel dan danny",
    "david dave davy", "anthony tony", "christopher chris kit", "matthew matt", "andrew andy drew",
    "alexander alex sandy alec", "alexandra alex sandra", "jennifer jen jenny", "susan sue susie",
    "patricia pat patty trish", "deborah debbie deb", "rebecca becky becca", "victoria vicky tori",
    "samuel sam sammy", "samantha sam sammy", "benjamin ben benny", "nicholas nick nicky",
    "stephen steve", "steven steve", "peter pete", "timothy tim", "gregory greg", "henry harry "
    "hank", "frederick fred freddie", "jonathan jon jonny", "johannes hans jo", "wolfgang wolf",
    "friedrich fritz", "francesca fran", "francis frank fran", "josephine jo josie",
    "eleanor ellie nell nora", "dorothy dot dottie", "christine chris chrissy", "anne annie ann",
    "mary molly polly mae", "helen nell", "teresa terry tess", "lawrence larry",
    "leonard len lenny", "ronald ron ronnie", "donald don donnie", "kenneth ken kenny",
    "gerald gerry", "abigail abby", "amanda mandy", "barbara barb babs", "caroline carrie",
    "jacqueline jackie", "pamela pam", "phillip phil", "philip phil", "raymond ray",
)
NICKNAMES: dict[str, frozenset[str]] = {}
for _group in _NICK_GROUPS:
    _names = frozenset(_group.split())
    for _name in _names:
        NICKNAMES[_name] = NICKNAMES.get(_name, frozenset()) | _names


@lru_cache(maxsize=16384)  # first names repeat: a block of neighbours asks the same pairs again
def first_names_agree(x: str, y: str) -> bool:
    """The same first name for a person: equal, an initial of the other, nicknames, or one
    typing error apart."""
    if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
        return True
    if y in NICKNAMES.get(x, ()):
        return True
    return len(x) > 3 and len(y) > 3 and fuzz.ratio(x, y) >= 80


def name_score(a: NameKey, b: NameKey) -> float:
    """How alike two names are, 0 to 1: the better of the names as written, the words in any
    order, and (first names agreeing as :func:`first_names_agree` says) the last names."""
    words_a = " ".join(w for w in (a.first, *a.middle, a.last) if w)
    words_b = " ".join(w for w in (b.first, *b.middle, b.last) if w)
    if not a.last or not b.last:  # one word: a missing part
        one, other = (a, b) if not a.last else (b, a)
        best = max((fuzz.ratio(one.first, w) for w in (other.first, other.last) if w), default=0)
        return round(0.9 * best / 100, 2)
    score = max(fuzz.ratio(f"{a.first} {a.last}", f"{b.first} {b.last}"),
                fuzz.token_sort_ratio(words_a, words_b))
    for (fa, la), (fb, lb) in (((a.first, a.last), (b.first, b.last)),
                               ((a.first, a.last), (b.last, b.first))):
        if first_names_agree(fa, fb):
            score = max(score, 0.97 * fuzz.ratio(la, lb))
    return round(score / 100, 2)


def first_names_clash(a: NameKey, b: NameKey) -> bool:
    """Spelled-out first names that cannot be one person's (Anna / Hans), in either order."""
    if not a.last or not b.last:
        return False
    return not (first_names_agree(a.first, b.first) or first_names_agree(a.first, b.last)
                or first_names_agree(a.last, b.first))


POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}|\d{5}(?:-\d{4})?|\d{4})\b")
STREET = re.compile(r"^\s*(\d+\s*[a-z]?)[\s,]+([a-z][a-z'.-]+(?:\s+[a-z][a-z'.-]+)?)")


def postcodes(values: Iterable[str]) -> frozenset[str]:
    """Postcodes (UK, 4 or 5 digits) in postcode or address values, spaces dropped."""
    found = set()
    for value in values:
        for match in POSTCODE.finditer(value.upper()):
            found.add(match.group(1).replace(" ", ""))
    return frozenset(found)


def streets(values: Iterable[str]) -> frozenset[str]:
    """``number street`` from the start of address values: ``14 cardigan grove``."""
    found = set()
    for value in values:
        match = STREET.match(value.lower())
        if match is not None:
            found.add(f"{match.group(1).replace(' ', '')} {fold_word(match.group(2))}")
    return frozenset(found)


def email_local(email: str) -> str:
    """The part before the @, folded, dots and +tags dropped: ``jane.roe+crm`` → ``janeroe``."""
    local = email.split("@", 1)[0].split("+", 1)[0]
    return fold_word(local)
