"""Every way the contact formats write a birthday or an anniversary, read into the profile's
form: ``YYYY-MM-DD``, or ``--MM-DD`` when the year is not known.

- ISO ``1984-03-12`` and basic ``19840312``, with or without a time (``T00:00:00Z``);
- no year: ``--03-12`` (vCard 4.0, Google), ``--0312``, ``0000-03-12``, and Apple's
  ``1604-03-12`` with ``X-APPLE-OMIT-YEAR=1604``;
- slashed ``3/12/1984`` (Outlook writes month first; ``order`` says which), dotted
  ``12.03.1984`` (day first), and English ``12 March 1984`` / ``March 12, 1984`` / ``March 12``;
- ``0/0/00`` and ``0000-00-00`` mean no date (Outlook writes them for an empty one).

Anything else (``circa 1800``) raises :class:`NotADate` with the reason; the caller keeps the
text and warns. Dates are checked by :func:`plaincrm.fields.birthday` (real days, the years
plaincrm takes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from plaincrm import fields

YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")
ISO = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:.]*(?:Z|[+-]\d{2}:?\d{2})?)?")
SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})")
DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
EMPTY = {"0/0/00", "0/0/0000", "00/00/0000", "0000-00-00", "00000000"}
MONTHS = {name: n for n, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
     ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
     ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")], start=1) for name in names}
DAY_MONTH = re.compile(r"(\d{1,2})\.?\s+([a-z]+)\.?,?(?:\s+(\d{4}))?")
MONTH_DAY = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?")


class NotADate(ValueError):
    """The text is not a date plaincrm can use; the message says why."""


def read_date(text: str, key: str = "birthday", omit_year: str = "", order: str = "") -> str:
    """``text`` in the profile's form (see the module docstring); ``""`` for an empty date.

    ``omit_year``: the year that means "no year" (Apple's ``X-APPLE-OMIT-YEAR``). ``order``:
    ``mdy`` or ``dmy`` for slashed dates; ``""`` reads one only when it is unambiguous.
    """
    value = text.strip()
    if not value or value in EMPTY:
        return ""
    match = YEARLESS.fullmatch(value)
    if match is not None:
        return _checked(f"--{match.group(1)}-{match.group(2)}", key, text)
    match = ISO.fullmatch(value)
    if match is not None:
        year, month, day = match.groups()
        if year == "0000" or (omit_year and year == omit_year.strip()):
            return _checked(f"--{month}-{day}", key, text)
        return _checked(f"{year}-{month}-{day}", key, text)
    match = SLASHED.fullmatch(value)
    if match is not None:
        first, second, year = match.groups()
        return _slashed(first, second, year, key, text, order)
    match = DOTTED.fullmatch(value)
    if match is not None:
        day, month, year = match.groups()
        return _checked(f"{year}-{int(month):02d}-{int(day):02d}", key, text)
    return _worded(value.casefold(), key, text)


def infer_order(texts: Iterable[str]) -> str:
    """The order of the slashed dates of one file: ``dmy`` when one of them can only be read
    day first, ``mdy`` when one can only be read month first, ``""`` when none tells (or
    they disagree)."""
    orders = set()
    for text in texts:
        match = SLASHED.fullmatch(text.strip())
        if match is not None:
            a, b = int(match.group(1)), int(match.group(2))
            if a > 12 >= b:
                orders.add("dmy")
            elif b > 12 >= a:
                orders.add("mdy")
    return orders.pop() if len(orders) == 1 else ""


def _slashed(first: str, second: str, year: str, key: str, text: str, order: str) -> str:
    a, b = int(first), int(second)
    if order not in ("mdy", "dmy"):
        if a > 12 >= b:
            order = "dmy"
        elif b > 12 >= a or a == b:
            order = "mdy"
        else:
            raise NotADate(f"{key}: {text.strip()!r} could be either day or month first; "
                           "say which with --dates dmy or --dates mdy")
    month, day = (a, b) if order == "mdy" else (b, a)
    if len(year) == 2:
        raise NotADate(f"{key}: {text.strip()!r} has a two-digit year; write it in full")
    return _checked(f"{year}-{month:02d}-{day:02d}", key, text)


def _worded(value: str, key: str, text: str) -> str:
    for pattern, day_first in ((DAY_MONTH, True), (MONTH_DAY, False)):
        match = pattern.fullmatch(value)
        if match is None:
            continue
        day, name = (match.group(1), match.group(2)) if day_first else (match.group(2),
                                                                          match.group(1))
        month = MONTHS.get(name)
        if month is None:
            continue
        year = match.group(3)
        stem = f"{year}-" if year else "--"
        return _checked(f"{stem}{month:02d}-{int(day):02d}", key, text)
    raise NotADate(f"{key}: {text.strip()!r} is not a date")


def _checked(value: str, key: str, text: str) -> str:
    try:
        fields.birthday(value, key)
    except fields.FieldError as exc:
        why = (f"is out of range (plaincrm takes years {fields.FIRST_YEAR} to "
               f"{fields.LAST_YEAR})" if "out of range" in str(exc) else "is not a real date")
        raise NotADate(f"{key}: {text.strip()!r} {why}") from None
    return value
