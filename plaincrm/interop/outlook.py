"""Outlook CSV (Outlook for Windows and Outlook.com): a fixed header of named columns.

Columns are found by name (case, spacing and punctuation aside), so both programs' variants
read. Outlook writes dates month first (``3/12/1984``) and ``0/0/00`` for none; categories are
separated by ``;``. Columns holding Outlook's defaults (``Priority: Normal``,
``Private: False``…) carry nothing and are not kept.
"""

from __future__ import annotations

from collections.abc import Iterator

from plaincrm.interop.contact import Contact, key_for
from plaincrm.interop.csvfile import Builder, Row, columns, norm, read_rows
from plaincrm.model import Problem

TEXTS = {"firstname": "given", "middlename": "middle", "lastname": "family",
         "nickname": "nickname", "company": "company", "department": "department",
         "jobtitle": "job_title", "birthday": "birthday", "anniversary": "anniversary",
         "displayname": "name", "name": "name"}
EMAILS = ("emailaddress", "email2address", "email3address")
PHONES = {"primaryphone": "main", "homephone": "home", "homephone2": "home",
          "mobilephone": "mobile", "businessphone": "work", "businessphone2": "work",
          "companymainphone": "main", "homefax": "home fax", "businessfax": "work fax",
          "otherphone": "other", "otherfax": "other fax", "pager": "pager", "carphone": "car",
          "assistantsphone": "assistant", "callback": "callback", "isdn": "isdn",
          "radiophone": "radio", "ttytddphone": "tty", "telex": "telex"}
ADDRESSES = {"home": "home", "business": "work", "other": "other"}
ADDRESS_PARTS = ("street", "street2", "street3", "addresspobox", "city", "state", "postalcode",
                 "countryregion", "country")
DEFAULTS = {"gender": "unspecified", "priority": "normal", "sensitivity": "normal",
            "private": "false"}
IGNORED = {"title", "suffix", "initials", "emailtype", "emaildisplayname", "email2type",
           "email2displayname", "email3type", "email3displayname"}


def is_outlook(header: list[str]) -> bool:
    labels = {norm(h) for h in header}
    return "emailaddress" in labels and bool({"businessphone", "homephone", "mobilephone"}
                                             & labels)


def read_outlook(text: str, shown: str) -> Iterator[Contact | Problem]:
    header, rows = read_rows(text, shown)
    cols = columns(header)
    for row in rows:
        if isinstance(row, Problem):
            yield row
        else:
            yield _contact(row, header, cols)


def _contact(row: Row, header: list[str], cols: dict[str, int]) -> Contact:
    b = Builder(row.position)
    used: set[str] = set(IGNORED)
    for label, slot in TEXTS.items():
        used.add(label)
        b.text(slot, row.get(cols.get(label)))
    for label in EMAILS:
        used.add(label)
        b.add("email", row.get(cols.get(label)))
    for label, kind in PHONES.items():
        used.add(label)
        b.add("phone", row.get(cols.get(label)), kind)
    for prefix, kind in ADDRESSES.items():
        parts = []
        for part in ADDRESS_PARTS:
            used.add(prefix + part)
            parts.append(row.get(cols.get(prefix + part)))
        used.add(prefix + "address")
        formatted = row.get(cols.get(prefix + "address"))
        text = ", ".join(line.strip() for line in formatted.splitlines() if line.strip())
        b.add("address", text or ", ".join(p for p in parts if p), kind)
    used.update(("webpage", "notes", "categories"))
    b.add("website", row.get(cols.get("webpage")))
    b.note(row.cells[cols["notes"]] if cols.get("notes", len(row.cells)) < len(row.cells)
           else "")
    for tag in row.get(cols.get("categories")).split(";"):
        b.tag(tag)
    for i, label in enumerate(header):
        key = norm(label)
        value = row.get(i)
        if key in used or DEFAULTS.get(key) == value.casefold():
            continue
        used.add(key)
        b.keep(key_for(label), value)
    return b.build()
