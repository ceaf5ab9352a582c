"""vCard 2.1, 3.0 and 4.0 in (vobject reads each card), 3.0 and 4.0 out.

The file is cut into cards by their ``BEGIN:VCARD`` / ``END:VCARD`` lines first, so each card's
position is known and a card vobject cannot read is one located problem while the others still
import. Quoted-printable soft line breaks (vCard 2.1, as Android writes it) are joined, folded
lines unfolded, base64 photos skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import vobject

from plaincrm.interop.contact import (
    Contact,
    Typed,
    clean,
    clean_block,
    key_for,
    last_first,
)
from plaincrm.model import Location, Problem, Severity

BEGIN = re.compile(r"(?i)begin\s*:\s*vcard\s*")
END = re.compile(r"(?i)end\s*:\s*vcard\s*")
LABEL = re.compile(r"_\$!<(.*)>!\$_")
NOT_TYPES = {"internet", "voice", "pref", "x400", "msg", "text", "uri", "bbs", "modem", "video"}
TYPE_NAMES = {"cell": "mobile", "iphone": "mobile", "homepage": "home"}
SKIPPED = {"VERSION", "PRODID", "UID", "REV", "PHOTO", "LOGO", "SOUND", "KEY", "X-ABUID",
           "X-ABADR", "X-ABLABEL", "X-ABSHOWAS", "X-IMAGETYPE", "X-IMAGEHASH", "CLASS", "KIND",
           "X-ABPERSON", "SOURCE", "X-SHAREDPHOTODISPLAYPREF", "LABEL", "MAILER", "TZ", "GEO",
           "X-ACCOUNT", "X-PHONETIC-FIRST-NAME", "X-PHONETIC-LAST-NAME", "SORT-STRING",
           "CLIENTPIDMAP", "PRODUCT", "X-ANDROID-CUSTOM"}
GOOGLE_GROUPS = {"mycontacts", "starred"}  # Google's own groups, not the user's tags
EXTRA = "X-PLAINCRM-FIELD"
LIST_VALUED = {"N", "ADR", "ORG", "CATEGORIES", "NICKNAME", "BEGIN", "END", "VERSION", "GEO",
               "CLIENTPIDMAP", "GENDER"}
UNESCAPED_COMMA = re.compile(r"(?<!\\),")


def read_vcards(text: str, shown: str) -> Iterator[Contact | Problem]:
    """The cards of ``text`` (a .vcf file shown as ``shown``), each a contact or a problem."""
    for start, lines, closed in _cards(text.splitlines()):
        where = Location(shown, start)
        if not closed:
            yield Problem(where, "import-error", Severity.ERROR,
                          "this card has no END:VCARD line; it was not imported")
            continue
        try:
            card = vobject.readOne("\r\n".join(_protect_commas(lines)) + "\r\n",
                                   allowQP=True)
            contact = _contact(card, where)
        except Exception as exc:  # vobject raises many kinds on bad input: all are this card's
            reason = " ".join(str(exc).split()) or type(exc).__name__
            yield Problem(where, "import-error", Severity.ERROR,
                          f"cannot read this card ({reason[:200]}); it was not imported")
            continue
        yield contact


def _cards(lines: list[str]) -> Iterator[tuple[int, list[str], bool]]:
    """``(first line, its lines, whether END:VCARD closed it)`` for each card."""
    start = 0
    card: list[str] | None = None
    for number, line in enumerate(lines, start=1):
        if BEGIN.fullmatch(line.strip()):
            if card is not None:
                yield start, card, False
            start, card = number, [line.strip()]
        elif card is not None:
            card.append(line)
            if END.fullmatch(line.strip()):
                yield start, card, True
                card = None
    if card is not None:
        yield start, card, False


def _protect_commas(lines: list[str]) -> list[str]:
    """The card's lines with every unescaped comma in a one-value property escaped.

    vobject keeps only the text before the first unescaped comma of such a value
    (``NOTE:Call first, then visit`` would read as ``Call first``), and many programs do not
    escape commas (vCard 2.1 has no such escape at all). Lists (CATEGORIES, NICKNAME) and
    structured values (N, ADR, ORG), whose commas separate items, are left alone.
    """
    out: list[str] = []
    protect = quoted_printable = False
    for line in lines:
        if line[:1] in (" ", "\t") or quoted_printable:
            if protect:
                line = UNESCAPED_COMMA.sub(r"\\,", line)
        else:
            head, value = _split_value(line)
            name = head.rstrip(":").split(";", 1)[0].rsplit(".", 1)[-1].upper()
            protect = name not in LIST_VALUED
            quoted_printable = "QUOTED-PRINTABLE" in head.upper()
            if protect:
                line = head + UNESCAPED_COMMA.sub(r"\\,", value)
        quoted_printable = quoted_printable and line.endswith("=")
        out.append(line)
    return out


def _split_value(line: str) -> tuple[str, str]:
    """``(name and parameters with the colon, value)``: the first colon outside quotes."""
    inside = False
    for i, char in enumerate(line):
        if char == '"':
            inside = not inside
        elif char == ":" and not inside:
            return line[: i + 1], line[i + 1:]
    return line, ""


def _contact(card: Any, where: Location) -> Contact:
    groups: dict[str, str] = {}  # Apple's itemN group -> its X-ABLabel
    for child in card.getChildren():
        if child.name == "X-ABLABEL" and child.group:
            groups[child.group.lower()] = _label(str(child.value))
    fields: dict[str, Any] = {"emails": [], "phones": [], "addresses": [], "websites": [],
                              "tags": [], "extra": []}
    for child in card.getChildren():
        _read_property(child, groups, fields, where)
    for key in ("emails", "phones", "addresses", "websites"):
        fields[key] = _primary_first(fields[key])
    fields["tags"] = tuple(dict.fromkeys(fields["tags"]))
    fields["extra"] = tuple(fields["extra"])
    return Contact(position=where, **fields)


def _read_property(child: Any, groups: dict[str, str], out: dict[str, Any],
                   where: Location) -> None:
    name = child.name.upper()
    value = child.value
    label = groups.get((child.group or "").lower(), "")
    if name in SKIPPED or isinstance(value, bytes):
        return
    if name == "FN":
        out["name"] = last_first(clean(str(value)))
    elif name == "N":
        out["given"] = clean(_join(value.given))
        out["family"] = clean(_join(value.family))
        out["middle"] = clean(_join(value.additional))
    elif name in ("EMAIL", "TEL", "URL"):
        text = clean(str(value))
        if name == "TEL":
            text = text.removeprefix("tel:")
        key = {"EMAIL": "emails", "TEL": "phones", "URL": "websites"}[name]
        if text:
            out[key].append((_types(child, label), text, _preferred(child)))
    elif name == "ADR":
        text = _address(value)
        if text:
            out["addresses"].append((_types(child, label), text, _preferred(child)))
    elif name == "BDAY":
        out["birthday"] = clean(str(value))
        out["birthday_omit_year"] = clean(_param(child, "X-APPLE-OMIT-YEAR"))
    elif name in ("ANNIVERSARY", "X-ANNIVERSARY") or (name == "X-ABDATE"
                                                      and label == "anniversary"):
        out["anniversary"] = clean(str(value))
    elif name == "ORG":
        parts = [clean(_join(p, ", ")) for p in (value if isinstance(value, list) else [value])]
        out["company"] = parts[0] if parts else ""
        out["department"] = ", ".join(p for p in parts[1:] if p)
    elif name in ("TITLE", "NICKNAME"):
        out["job_title" if name == "TITLE" else "nickname"] = clean(_join(value))
    elif name == "NOTE":
        out["notes"] = clean_block(str(value))
    elif name == "CATEGORIES":
        items = value if isinstance(value, list) else str(value).split(",")
        out["tags"].extend(clean(t) for t in items
                           if clean(t) and clean(t).casefold() not in GOOGLE_GROUPS)
    elif name == EXTRA:
        key = key_for(_param(child, "KEY") or "field")
        text = clean_block(str(value))
        if _param(child, "X-LIST"):
            items = [i for i, (k, v) in enumerate(out["extra"]) if k == key
                     and isinstance(v, tuple)]
            if items:  # the next item of a list already begun
                out["extra"][items[-1]] = (key, (*out["extra"][items[-1]][1], text))
            else:
                out["extra"].append((key, (text,)))
        else:
            out["extra"].append((key, text))
    else:
        text = clean_block(_join(value))
        if text:
            stem = label or name.removeprefix("X-")
            out["extra"].append((key_for(stem), text))


def _join(value: Any, sep: str = " ") -> str:
    if isinstance(value, list):
        return sep.join(str(v).strip() for v in value if v)
    return str(value or "")


def _param(child: Any, name: str) -> str:
    values = child.params.get(name.upper()) or []
    return str(values[0]) if values else ""


def _label(text: str) -> str:
    match = LABEL.fullmatch(text.strip())
    return clean(match.group(1) if match else text).casefold()


def _types(child: Any, label: str) -> str:
    if label:
        return TYPE_NAMES.get(label, label)
    raw = [*child.params.get("TYPE", []), *child.singletonparams]
    names: list[str] = []
    for item in raw:
        for part in str(item).split(","):
            word = part.strip().strip('"').casefold()
            if word and word not in NOT_TYPES:
                names.append(TYPE_NAMES.get(word, word))
    return " ".join(dict.fromkeys(names))


def _preferred(child: Any) -> bool:
    types = [str(t).casefold() for t in [*child.params.get("TYPE", []), *child.singletonparams]]
    return any("pref" in t.split(",") for t in types) or _param(child, "PREF") == "1"


def _primary_first(found: list[tuple[str, str, bool]]) -> tuple[Typed, ...]:
    ordered = [x for x in found if x[2]] + [x for x in found if not x[2]]
    return tuple(Typed(value, kind) for kind, value, _pref in ordered)


def _address(value: Any) -> str:
    parts = [value.box, value.extended, value.street, value.city, value.region, value.code,
             value.country]
    texts = [clean(_join(p, ", ").replace("\n", ", ")) for p in parts]
    return ", ".join(t for t in texts if t)


# ---------------------------------------------------------------- writing


def write_vcards(contacts: Iterable[Contact], version: str = "4.0") -> Iterator[str]:
    """The contacts as vCards (``4.0`` or ``3.0``), a card at a time, CRLF line endings,
    lines folded."""
    return (_card(c, version).serialize() for c in contacts)


def _card(c: Contact, version: str) -> Any:
    card = vobject.vCard()
    card.add("version").value = version
    card.add("fn").value = c.name
    given, family = c.given, c.family
    if not (given or family):
        words = c.name.split()
        given, family = " ".join(words[:-1]), words[-1] if words else ""
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    for kind, items in (("email", c.emails), ("tel", c.phones), ("url", c.websites)):
        for i, item in enumerate(items):
            prop = card.add(kind)
            prop.value = item.value
            _set_types(prop, item.type, kind, i == 0, version)
    for i, item in enumerate(c.addresses):
        prop = card.add("adr")
        prop.value = vobject.vcard.Address(street=item.value)
        _set_types(prop, item.type, "adr", i == 0, version)
    if c.company or c.department:
        card.add("org").value = [c.company, *([c.department] if c.department else [])]
    for name, text in (("title", c.job_title), ("nickname", c.nickname), ("note", c.notes)):
        if text:
            card.add(name).value = text
    if c.birthday:
        _date(card, "bday", c.birthday, version)
    if c.anniversary:
        _date(card, "anniversary" if version == "4.0" else "x-anniversary", c.anniversary,
              version)
    if c.tags:
        card.add("categories").value = list(c.tags)
    for key, value in c.extra:
        values = value if isinstance(value, tuple) else (value,)
        for text in values:
            prop = card.add(EXTRA.lower())
            prop.value = text
            prop.params["KEY"] = [key]
            if isinstance(value, tuple):
                prop.params["X-LIST"] = ["1"]
    return card


def _set_types(prop: Any, kind: str, tag: str, first: bool, version: str) -> None:
    names = [("cell" if w == "mobile" and tag == "tel" else w) for w in kind.split()]
    if first and version == "3.0":
        names.append("pref")
    if names:
        prop.params["TYPE"] = names
    if first and version == "4.0":
        prop.params["PREF"] = ["1"]


def _date(card: Any, name: str, value: str, version: str) -> None:
    prop = card.add(name)
    yearless = re.fullmatch(r"--(\d{2})-(\d{2})", value)
    full = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if yearless and version == "4.0":
        prop.value = f"--{yearless.group(1)}{yearless.group(2)}"
    elif yearless:
        prop.value = f"1604-{yearless.group(1)}-{yearless.group(2)}"
        prop.params["X-APPLE-OMIT-YEAR"] = ["1604"]
    elif full and version == "4.0":
        prop.value = "".join(full.groups())
    elif full:
        prop.value = value
    else:
        prop.value = value
        prop.params["VALUE"] = ["text"]
