"""A contact as the formats hold it, between a file and a profile."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from plaincrm.model import Location

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class Typed:
    """One email, phone, address or website, with its type (``home``, ``work``, ``mobile``…;
    ``""`` when the file gives none)."""

    value: str
    type: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """One record of an import file, or one profile on its way out.

    Dates are as the file wrote them (:mod:`plaincrm.interop.dates` reads them later, so a bad
    one is a warning on this record, not a lost record). ``extra`` holds every other column or
    property as ``(key, value)``, kept as a front-matter key.
    """

    position: Location
    name: str = ""
    given: str = ""
    middle: str = ""
    family: str = ""
    emails: tuple[Typed, ...] = ()
    phones: tuple[Typed, ...] = ()
    addresses: tuple[Typed, ...] = ()
    websites: tuple[Typed, ...] = ()
    birthday: str = ""
    birthday_omit_year: str = ""  # Apple's X-APPLE-OMIT-YEAR: the year that means "none"
    anniversary: str = ""
    company: str = ""
    department: str = ""
    job_title: str = ""
    nickname: str = ""
    notes: str = ""
    tags: tuple[str, ...] = ()
    extra: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    date_order: str = ""  # "mdy" or "dmy" for slashed dates; "" when the format says nothing


def clean(text: str) -> str:
    """One line of text: NFC, control characters dropped, white space collapsed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(CONTROLS.sub(" ", text).split())


def clean_block(text: str) -> str:
    """Text that may span lines (notes): NFC, line endings ``\\n``, other controls dropped,
    trailing space and blank lines at either end trimmed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text.replace("\t", " "))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n").strip()


def full_name(given: str, family: str, middle: str = "") -> str:
    return clean(" ".join(part for part in (given, middle, family) if part))


def last_first(name: str) -> str:
    """``Roe, Jane`` → ``Jane Roe``; any other name as it is."""
    if name.count(",") != 1:
        return name
    last, first = (part.strip() for part in name.split(","))
    if not last or not first or any(c.isdigit() for c in name) or len(first.split()) > 3 \
            or len(last.split()) > 3:
        return name
    return f"{first} {last}"


KEY = re.compile(r"[^0-9a-z]+")


NESTED = re.compile(r"[a-z_][a-z0-9_-]*\.[a-z_][a-z0-9_-]*")  # as export writes a nested key


def key_for(label: str) -> str:
    """A front-matter key for a column or field label: ``Boiler Model`` → ``boiler_model``;
    ``emergency_contact.phone`` (a nested key, as ``plaincrm export`` writes it) stays."""
    if NESTED.fullmatch(label):
        return label
    folded = unicodedata.normalize("NFKD", label.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    key = KEY.sub("_", folded).strip("_")
    if not key:
        return "field"
    return key if key[0].isalpha() else f"field_{key}"
