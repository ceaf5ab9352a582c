"""A contact's fields as profile keys, and a profile's keys as a contact.

The table is in docs/import.md. In short: the name; every email, phone, address and website
(the primary one first), their types in ``email_types``, ``phone_types``… (the type of the
value at the same place, ``""`` for none); ``birthday`` in the profile's form, or
``birthday_text`` and a warning; ``anniversary``, ``company``, ``department``, ``job_title``,
``nickname``, ``notes``; categories as ``tags``; any other column or property as a key named
after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from plaincrm import fields
from plaincrm.interop.contact import Contact, Typed, clean
from plaincrm.interop.dates import NotADate, read_date
from plaincrm.lookup import phone_as_dialled
from plaincrm.model import Profile

Value = str | tuple[str, ...]
V = TypeVar("V")
TYPED = (("email", "emails"), ("phone", "phones"), ("address", "addresses"),
         ("website", "websites"))
TEXTS = ("company", "department", "job_title", "nickname", "notes")
OWN_KEYS = {"id": "source_id"}  # another system's id never becomes the profile's id
MAPPED = frozenset({"name", "email", "phone", "birthday", "tags", "anniversary", *TEXTS,
                    *(key for key, _attr in TYPED), *(f"{key}_types" for key, _attr in TYPED)})


@dataclass(frozen=True, slots=True)
class Mapped:
    """What a record would write into a new profile."""

    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    birthday: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    owner: str | None = None
    customer_since: str | None = None
    extra: tuple[tuple[str, Value], ...] = ()  # every other key, in order
    warnings: tuple[str, ...] = ()

    def keys(self) -> list[str]:
        """The front-matter keys this record gives a value to."""
        return [k for k, _v in self.given()]

    def given(self) -> list[tuple[str, Value]]:
        """Every front-matter key this record gives a value to, with the value as a new
        profile has it (one email or phone as text, several as a tuple; tags a tuple)."""
        given: list[tuple[str, Value | None]] = [
            ("name", self.name), ("email", _one_or_many(self.emails)),
            ("phone", _one_or_many(self.phones)), ("birthday", self.birthday),
            ("tags", self.tags), ("status", self.status), ("owner", self.owner),
            ("customer_since", self.customer_since)]
        return [(k, v) for k, v in given if v] + list(self.extra)


class Unusable(ValueError):
    """A record that cannot become a profile; the message says why."""


def to_profile(c: Contact) -> Mapped:
    """The profile keys for contact ``c``; Unusable when it has nothing to name it by."""
    warnings: list[str] = []
    extra: dict[str, Value] = {}
    emails = _dedupe(c.emails, str.casefold)
    phones = _dedupe(c.phones, phone_as_dialled)
    name = c.name or c.company or (emails[0].value if emails else "")
    if not name:
        raise Unusable("no name, company or email to name a profile by"
                       + (f" (phone {phones[0].value})" if phones else ""))
    if not c.name:
        warnings.append(f"no name: the profile is named {name!r}")
    for key, items in (("email", emails), ("phone", phones),
                       ("address", _dedupe(c.addresses, str.casefold)),
                       ("website", _dedupe(c.websites, str.casefold))):
        if key in ("address", "website") and items:
            extra[key] = _one_or_many(tuple(i.value for i in items))
        if any(i.type for i in items):
            extra[f"{key}_types"] = tuple(i.type for i in items)
    birthday = None
    try:
        birthday = read_date(c.birthday, "birthday", c.birthday_omit_year, c.date_order) or None
    except NotADate as exc:
        warnings.append(f"{exc}; kept as birthday_text")
        extra["birthday_text"] = clean(c.birthday)
    if c.anniversary:
        try:
            extra["anniversary"] = read_date(c.anniversary, "anniversary", "", c.date_order)
        except NotADate as exc:
            warnings.append(f"{exc}; kept as written")
            extra["anniversary"] = clean(c.anniversary)
        if not extra["anniversary"]:
            del extra["anniversary"]
    for key in TEXTS:
        if getattr(c, key):
            extra[key] = getattr(c, key)
    tags = list(c.tags)
    known: dict[str, str] = {}
    for key, value in c.extra:
        if key in ("status", "owner", "customer_since") and isinstance(value, str):
            known[key] = value
        elif key == "tags":
            tags.extend(value if isinstance(value, tuple) else value.split(","))
        else:
            key = OWN_KEYS.get(key, key)
            while key in extra or key in MAPPED:
                key = f"{key}_2"
            extra[key] = value
    status, owner, since = _known(known, warnings)
    for key, value in known.items():  # a value plaincrm cannot use is kept as written
        if (key == "owner" and owner is None) or (key == "customer_since" and since is None):
            extra[key] = value
    return Mapped(name=name, emails=tuple(i.value for i in emails),
                  phones=tuple(i.value for i in phones), birthday=birthday,
                  tags=tuple(dict.fromkeys(t.strip() for t in tags if t.strip())),
                  status=status, owner=owner, customer_since=since,
                  extra=tuple(extra.items()), warnings=tuple(warnings))


def _known(known: dict[str, str], warnings: list[str]) -> tuple[str | None, ...]:
    status = clean(known.get("status", "")) or None
    owner = None
    if known.get("owner"):
        try:
            owner = fields.owner(known["owner"])
        except fields.FieldError as exc:
            warnings.append(f"{exc}; kept as written")
    since = None
    if known.get("customer_since"):
        try:
            since = fields.date(known["customer_since"], "customer_since").isoformat()
        except fields.FieldError as exc:
            warnings.append(f"{exc}; kept as written")
    return status, owner, since


def _dedupe(items: tuple[Typed, ...], key: Callable[[str], str]) -> tuple[Typed, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        k = key(item.value)
        if k and k not in seen:
            seen.add(k)
            out.append(item)
    return tuple(out)


def _one_or_many(values: tuple[str, ...]) -> Value:
    return values[0] if len(values) == 1 else values


# ---------------------------------------------------------------- profile → contact


def from_profile(p: Profile) -> tuple[Contact, tuple[str, ...]]:
    """Profile ``p`` as a contact for export, and the keys that could not go with it (nested
    mappings)."""
    raw = {f.key: f.raw for f in p.fields}
    typed: dict[str, tuple[Typed, ...]] = {}
    for key, attr in TYPED:
        values: tuple[str, ...]
        if key == "email":
            values = p.emails
        elif key == "phone":
            values = p.phones
        else:
            values = _texts(raw.get(key))
        kinds = _texts(raw.get(f"{key}_types"), keep_empty=True)
        typed[attr] = tuple(Typed(v, kinds[i] if i < len(kinds) else "")
                            for i, v in enumerate(values))
    extra: list[tuple[str, Value]] = []
    skipped: list[str] = []
    for f in p.fields:
        if f.key in MAPPED or f.key == "id" or f.raw in ("", [], None):
            continue
        value = _exported(f.raw)
        if value is not None:
            extra.append((f.key, value))
        elif isinstance(f.raw, dict) and f.raw and all(
                isinstance(k, str) and _exported(v) is not None for k, v in f.raw.items()):
            # a nested mapping goes as one field per key, ``emergency_contact.phone``
            extra.extend((f"{f.key}.{k}", _exported(v) or "") for k, v in f.raw.items())
        else:
            skipped.append(f.key)
    birthday = str(p.birthday) if p.birthday else _text(raw.get("birthday"))
    contact = Contact(position=p.location, name=p.display_name, birthday=birthday,
                      anniversary=_text(raw.get("anniversary")), tags=p.tags,
                      extra=tuple(extra), company=_text(raw.get("company")),
                      department=_text(raw.get("department")),
                      job_title=_text(raw.get("job_title")), nickname=_text(raw.get("nickname")),
                      notes=_text(raw.get("notes")), emails=typed["emails"],
                      phones=typed["phones"], addresses=typed["addresses"],
                      websites=typed["websites"])
    return contact, tuple(skipped)


def _exported(raw: object) -> Value | None:
    """A text or a list of texts as export writes it; None for anything else."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return tuple(raw)
    return None


def nest(pairs: Iterable[tuple[str, V]]) -> list[tuple[str, V | dict[str, V]]]:
    """``pairs`` with the nested keys (``emergency_contact.phone``, as export writes them)
    gathered into one mapping under their first part, where the first of them stood."""
    out: list[tuple[str, V | dict[str, V]]] = []
    groups: dict[str, dict[str, V]] = {}
    for key, value in pairs:
        parent, dot, child = key.partition(".")
        if not dot:
            out.append((key, value))
        elif parent in groups:
            groups[parent][child] = value
        else:
            groups[parent] = {child: value}
            out.append((parent, groups[parent]))
    return out


def nested_raw(p: Profile) -> Callable[[str], object]:
    """The raw value of a key of ``p``, a nested one (``emergency_contact.phone``) included."""

    def raw(key: str) -> object:
        parent, dot, child = key.partition(".")
        if not dot:
            return p.raw(key)
        found = p.raw(parent)
        return found.get(child) if isinstance(found, dict) else None

    return raw


def _text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _texts(raw: object, keep_empty: bool = False) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return ()
    items = [v.strip() if isinstance(v, str) else "" for v in raw]
    return tuple(items if keep_empty else [v for v in items if v])
