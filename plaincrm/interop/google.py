"""Google Contacts CSV, both header generations, in and out.

- the older one names people ``Name``, ``Given Name``, ``Additional Name``, ``Family Name``,
  groups them in ``Group Membership`` and types values with ``E-mail 1 - Type``;
- the current one has ``First Name``, ``Middle Name``, ``Last Name``, ``Labels``,
  ``Organization Name`` and ``E-mail 1 - Label``.

Both number repeated things (``Phone 2 - Value``), join several values of one kind in a cell with
`` ::: `` and mark the primary one's type with ``* `` (``* Mobile``). Groups starting with
``* `` (``* myContacts``, ``* starred``) are Google's own and are not tags. ``export`` writes the
current generation.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

from plaincrm.interop.contact import Contact, Typed, key_for
from plaincrm.interop.csvfile import Builder, Row, columns, norm, read_rows, split_multi
from plaincrm.model import Problem

NUMBERED = re.compile(r"(.+?) (\d+) - (.+)")
KINDS = {"email": "email", "phone": "phone", "address": "address", "website": "website"}
NAME_COLUMNS = {"name": "name", "givenname": "given", "firstname": "given",
                "additionalname": "middle", "middlename": "middle", "familyname": "family",
                "lastname": "family", "nickname": "nickname", "birthday": "birthday",
                "organizationname": "company", "organizationtitle": "job_title",
                "organizationdepartment": "department"}
IGNORED = {"photo", "nameprefix", "namesuffix", "initials", "shortname", "yomi name",
           "givennameyomi", "additionalnameyomi", "familynameyomi", "phoneticfirstname",
           "phoneticmiddlename", "phoneticlastname", "yominame", "fileas"}
ADDRESS_PARTS = ("pobox", "extendedaddress", "street", "city", "region", "postalcode",
                 "country")


def is_google(header: list[str]) -> bool:
    labels = {norm(h) for h in header}
    return bool({"email1value", "phone1value", "groupmembership", "labels"} & labels) and bool(
        {"givenname", "firstname", "name"} & labels)


def read_google(text: str, shown: str) -> Iterator[Contact | Problem]:
    header, rows = read_rows(text, shown)
    plain = columns(header)
    numbered: dict[tuple[str, str], dict[str, int]] = {}
    for i, label in enumerate(header):
        match = NUMBERED.fullmatch(label.strip())
        if match is not None:
            kind, n, attr = match.groups()
            numbered.setdefault((norm(kind), n), {})[norm(attr)] = i
    for row in rows:
        if isinstance(row, Problem):
            yield row
            continue
        yield _contact(row, header, plain, numbered)


def _contact(row: Row, header: list[str], plain: dict[str, int],
             numbered: dict[tuple[str, str], dict[str, int]]) -> Contact:
    b = Builder(row.position)
    used: set[int] = set()
    for label, slot in NAME_COLUMNS.items():
        if label in plain:
            used.add(plain[label])
            b.text(slot, row.get(plain[label]))
    for label in ("notes",):
        if label in plain:
            used.add(plain[label])
            b.note(row.cells[plain[label]] if plain[label] < len(row.cells) else "")
    for label in ("labels", "groupmembership"):
        if label in plain:
            used.add(plain[label])
            for group in split_multi(row.get(plain[label])):
                if not group.startswith("*"):
                    b.tag(group)
    for (kind, _n), attrs in numbered.items():
        used.update(attrs.values())
        _numbered(b, row, kind, attrs)
    for i, label in enumerate(header):
        if i not in used and norm(label) not in IGNORED and not NUMBERED.fullmatch(label):
            b.keep(key_for(label), row.get(i))
    return b.build()


def _numbered(b: Builder, row: Row, kind: str, attrs: dict[str, int]) -> None:
    label = row.get(attrs.get("label", attrs.get("type")))
    primary = label.startswith("*")
    label = label.lstrip("*").strip()
    if kind in ("email", "phone", "website"):
        for k, value in enumerate(split_multi(row.get(attrs.get("value")))):
            b.add(kind, value, label, primary and k == 0)
    elif kind == "address":
        formatted = row.get(attrs.get("formatted"))
        if formatted:
            values = [", ".join(line.strip() for line in formatted.splitlines() if line.strip())]
        else:
            parts = [row.get(attrs.get(part)) for part in ADDRESS_PARTS]
            values = [", ".join(p for p in parts if p)]
        for k, value in enumerate(split_multi(values[0])):
            b.add("address", value, label, primary and k == 0)
    elif kind == "event":
        value = row.get(attrs.get("value"))
        if label.casefold() == "anniversary":
            b.text("anniversary", value)
        elif value:
            b.keep(key_for(label or "event"), value)
    elif kind == "organization":
        b.text("company", row.get(attrs.get("name")))
        b.text("job_title", row.get(attrs.get("title")))
        b.text("department", row.get(attrs.get("department")))
    else:  # custom fields, relations, IM, external ids…: label → key
        value = row.get(attrs.get("value"))
        if value:
            values = split_multi(value)
            key = key_for(label or kind)
            if len(values) > 1:
                b.extra.append((key, tuple(values)))
            else:
                b.keep(key, value)


# ---------------------------------------------------------------- writing


HEAD = ["First Name", "Middle Name", "Last Name", "Nickname", "Organization Name",
        "Organization Title", "Organization Department", "Birthday", "Notes", "Labels"]
ADDRESS_HEAD = ["Formatted", "Street", "City", "PO Box", "Region", "Postal Code", "Country",
                "Extended Address"]


def write_csv(contacts: Callable[[], Iterable[Contact]]) -> Iterator[str]:
    """The contacts as a Google Contacts CSV (the current header generation), a line at a
    time. ``contacts()`` is asked twice: the header counts the columns all of them need, then
    each is written, so none is held."""
    counts = {"E-mail": 1, "Phone": 1, "Address": 1, "Website": 0, "Event": 0,
              "Custom Field": 0}
    for c in contacts():
        for kind, values in (("E-mail", c.emails), ("Phone", c.phones),
                             ("Address", c.addresses), ("Website", c.websites),
                             ("Event", [1] if c.anniversary else []), ("Custom Field", c.extra)):
            counts[kind] = max(counts[kind], len(values))
    header = list(HEAD)
    for kind, n in counts.items():
        for i in range(1, n + 1):
            header.append(f"{kind} {i} - Label")
            attrs = ADDRESS_HEAD if kind == "Address" else ["Value"]
            header.extend(f"{kind} {i} - {a}" for a in attrs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in chain([header], ([cells.get(h, "") for h in header]
                                for cells in map(_row, contacts()))):
        writer.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _row(c: Contact) -> dict[str, str]:
    given, family = c.given, c.family
    if not (given or family):
        words = c.name.split()
        given, family = " ".join(words[:-1]), words[-1] if words else ""
    row = {"First Name": given, "Middle Name": c.middle, "Last Name": family,
           "Nickname": c.nickname, "Organization Name": c.company,
           "Organization Title": c.job_title, "Organization Department": c.department,
           "Birthday": c.birthday, "Notes": c.notes,
           "Labels": " ::: ".join(["* myContacts", *c.tags])}
    for kind, items in (("E-mail", c.emails), ("Phone", c.phones), ("Website", c.websites)):
        for i, item in enumerate(items, start=1):
            row[f"{kind} {i} - Label"] = _label(item, i == 1)
            row[f"{kind} {i} - Value"] = item.value
    for i, item in enumerate(c.addresses, start=1):
        row[f"Address {i} - Label"] = _label(item, i == 1)
        row[f"Address {i} - Formatted"] = item.value
        row[f"Address {i} - Street"] = item.value
    if c.anniversary:
        row["Event 1 - Label"] = "Anniversary"
        row["Event 1 - Value"] = c.anniversary
    for i, (key, value) in enumerate(c.extra, start=1):
        row[f"Custom Field {i} - Label"] = key
        row[f"Custom Field {i} - Value"] = (" ::: ".join(value) if isinstance(value, tuple)
                                            else value)
    return row


def _label(item: Typed, primary: bool) -> str:
    label = item.type.title()
    return f"* {label}" if primary and label else label
