"""Any other CSV (a spreadsheet, another CRM's export): columns recognised by their header.

Headers are compared without case, spacing or punctuation (``E-Mail``, ``email``, ``E MAIL``
are one). ``--map "COLUMN=FIELD"`` says what a column holds when its header says something
else (``--map "Handy=phone:mobile"``, ``--map "Kundennummer=customer_no"``, ``--map "X=-"``
to leave a column out). Columns nobody recognises are kept as front-matter keys named after the
header (``Boiler Model`` → ``boiler_model``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from plaincrm.errors import PlaincrmError
from plaincrm.interop.contact import Contact, key_for
from plaincrm.interop.csvfile import Builder, Row, norm, read_rows, split_multi
from plaincrm.model import Problem

SKIP = "-"
FIELDS = ("name", "given", "middle", "family", "email", "phone", "address", "street", "city",
          "region", "postcode", "country", "birthday", "anniversary", "company", "department",
          "job_title", "nickname", "notes", "tags", "website")
ALIASES = {
    "name": "name", "fullname": "name", "displayname": "name", "contact": "name",
    "contactname": "name", "customer": "name", "customername": "name", "client": "name",
    "clientname": "name",
    "firstname": "given", "givenname": "given", "forename": "given", "first": "given",
    "middlename": "middle", "additionalname": "middle", "middle": "middle",
    "lastname": "family", "familyname": "family", "surname": "family", "last": "family",
    "address": "address", "fulladdress": "address", "postaladdress": "address",
    "streetaddress": "street", "street": "street", "addressline1": "street",
    "city": "city", "town": "city", "locality": "city",
    "region": "region", "state": "region", "county": "region", "province": "region",
    "postcode": "postcode", "postalcode": "postcode", "zip": "postcode", "zipcode": "postcode",
    "country": "country",
    "birthday": "birthday", "birthdate": "birthday", "dateofbirth": "birthday", "dob": "birthday",
    "born": "birthday", "anniversary": "anniversary",
    "company": "company", "organisation": "company", "organization": "company", "org": "company",
    "business": "company", "companyname": "company", "department": "department",
    "jobtitle": "job_title", "position": "job_title", "role": "job_title",
    "nickname": "nickname",
    "notes": "notes", "note": "notes", "comments": "notes", "comment": "notes",
    "remarks": "notes",
    "tags": "tags", "tag": "tags", "categories": "tags", "category": "tags", "labels": "tags",
    "groups": "tags",
    "website": "website", "web": "website", "url": "website", "webpage": "website",
    "homepage": "website",
}
KINDS = "home|work|business|private|personal|office|other|mobile|cell"
EMAIL = re.compile(rf"({KINDS})?(?:e?mail)(?:address)?\d*")
PHONE = re.compile(rf"({KINDS})?(?:phone|telephone|tel|phonenumber|telephonenumber)\d*"
                   r"|(mobile|cell|fax)(?:phone|number)?\d*")
KIND_NAMES = {"business": "work", "office": "work", "private": "home", "personal": "home",
              "cell": "mobile"}


def parse_mapping(specs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """``--map`` options → {normalised header: (field or key, type)}; PlaincrmError when one
    is not ``COLUMN=FIELD``."""
    mapping: dict[str, tuple[str, str]] = {}
    for spec in specs:
        column, sep, target = spec.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise PlaincrmError(f"--map {spec!r}: write COLUMN=FIELD, e.g. --map "
                                "'Handy=phone:mobile' or --map 'Notes 2=-'")
        field, _, kind = target.strip().partition(":")
        field = field.strip()
        if field != SKIP and field not in FIELDS:
            field = key_for(field)
        mapping[norm(column)] = (field, kind.strip().casefold())
    return mapping


def recognise(label: str, mapping: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """What a column holds: ``(field, type)``, or None for a column kept as a key."""
    key = norm(label)
    if key in mapping:
        return mapping[key]
    if key in ALIASES:
        return ALIASES[key], ""
    match = EMAIL.fullmatch(key)
    if match is not None:
        return "email", KIND_NAMES.get(match.group(1) or "", match.group(1) or "")
    match = PHONE.fullmatch(key)
    if match is not None:
        kind = match.group(1) or match.group(2) or ""
        return "phone", KIND_NAMES.get(kind, kind)
    return None


def read_generic(text: str, shown: str,
                 mapping: Mapping[str, tuple[str, str]]) -> Iterator[Contact | Problem]:
    header, rows = read_rows(text, shown)
    plan = [recognise(label, mapping) for label in header]
    for row in rows:
        if isinstance(row, Problem):
            yield row
        else:
            yield _contact(row, header, plan)


def _contact(row: Row, header: list[str], plan: list[tuple[str, str] | None]) -> Contact:
    b = Builder(row.position)
    address: dict[str, str] = {}
    for i, label in enumerate(header):
        value = row.get(i)
        target = plan[i]
        if not value or (target is not None and target[0] == SKIP):
            continue
        if target is None:
            b.keep(key_for(label), value)
            continue
        field, kind = target
        if field in ("email", "phone", "website"):
            for item in re.split(r"\s*(?:;|:::|\n)\s*", value):
                b.add(field, item, kind)
        elif field == "address":
            b.add("address", ", ".join(x.strip() for x in value.splitlines() if x.strip()),
                  kind)
        elif field in ("street", "city", "region", "postcode", "country"):
            address[field] = value
        elif field == "notes":
            b.note(row.cells[i])
        elif field == "tags":
            for tag in re.split(r"\s*[,;]\s*", " , ".join(split_multi(value))):
                b.tag(tag)
        elif field in FIELDS:
            b.text(field, value)
        else:
            b.keep(field, value)
    if address:
        parts = ("street", "city", "region", "postcode", "country")
        b.add("address", ", ".join(address[p] for p in parts if p in address))
    return b.build()
