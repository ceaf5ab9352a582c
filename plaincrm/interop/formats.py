"""Which reader a file needs, and reading it: bytes in, contacts or problems out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from plaincrm.errors import PlaincrmError
from plaincrm.interop.contact import Contact
from plaincrm.interop.csvfile import header_of
from plaincrm.interop.dates import infer_order
from plaincrm.interop.generic import read_generic
from plaincrm.interop.google import is_google, read_google
from plaincrm.interop.outlook import is_outlook, read_outlook
from plaincrm.interop.vcard import read_vcards
from plaincrm.model import Location, Problem, Severity

FORMATS = ("auto", "vcard", "google", "outlook", "csv")
VCARD_SUFFIXES = (".vcf", ".vcard")


@dataclass(frozen=True, slots=True)
class ReadOptions:
    format: str = "auto"
    mapping: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # for "csv"
    date_order: str = ""  # "mdy" | "dmy" | "" (each format's own)


@dataclass(frozen=True, slots=True)
class ImportFile:
    """An import file read: the format it was read as, and its records in file order."""

    shown: str
    format: str
    records: tuple[Contact | Problem, ...]
    notes: tuple[str, ...] = ()


def read_file(path: Path, shown: str, options: ReadOptions) -> ImportFile:
    """Read every record of ``path`` (shown to the user as ``shown``). A file that cannot be
    read at all is a PlaincrmError; a record that cannot be read is a problem among the
    records."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PlaincrmError(f"cannot read {shown}: {exc.strerror or exc}") from None
    text, notes = _decode(data, shown)
    kind = options.format if options.format != "auto" else detect(path, text)
    records: Iterator[Contact | Problem]
    if kind == "vcard":
        records = read_vcards(text, shown)
    elif kind == "google":
        records = read_google(text, shown)
    elif kind == "outlook":
        records = read_outlook(text, shown)
    else:
        records = read_generic(text, shown, options.mapping)
    found = _date_order(tuple(records), options.date_order, _DEFAULT_ORDER.get(kind, ""))
    if not found and text.strip():
        found = (Problem(Location(shown, 1), "import-error", Severity.ERROR,
                         f"no contacts found (read as {kind}; say which format with "
                         "--format)"),)
    return ImportFile(shown, kind, found, notes)


_DEFAULT_ORDER = {"outlook": "mdy"}  # Outlook's own export, in its US English form


def _date_order(records: tuple[Contact | Problem, ...], given: str,
                default: str) -> tuple[Contact | Problem, ...]:
    """Every contact with the order its slashed dates are read in: the one given
    (``--dates``), else the one the file's own dates show, else the format's default."""
    texts = [t for r in records if isinstance(r, Contact) for t in (r.birthday, r.anniversary)]
    order = given or infer_order(texts) or default
    return tuple(replace(r, date_order=order) if isinstance(r, Contact) else r
                 for r in records)


def detect(path: Path, text: str) -> str:
    """``vcard``, ``google``, ``outlook`` or ``csv``, from the file's name and first line."""
    start = text.lstrip()[:200].casefold()
    if path.suffix.casefold() in VCARD_SUFFIXES or start.startswith("begin:vcard"):
        return "vcard"
    header = header_of(text)
    if is_google(header):
        return "google"
    if is_outlook(header):
        return "outlook"
    return "csv"


def _decode(data: bytes, shown: str) -> tuple[str, tuple[str, ...]]:
    """UTF-8 (a BOM is fine); else Windows-1252, which older Outlook exports use."""
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), (
            f"{shown} is not UTF-8: read as Windows-1252",)
