"""Checks of the front-matter fields: required, status, email, phone."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from plaincrm.checks.base import Context, items, problem
from plaincrm.model import Problem, Profile, Severity

if TYPE_CHECKING:
    import phonenumbers


def _present(profile: Profile, key: str) -> bool:
    raw = profile.raw(key)
    if isinstance(raw, str):
        return bool(raw.strip())
    if isinstance(raw, list):
        return any(not isinstance(i, str) or i.strip() for i in raw)
    return raw is not None


def check_missing_fields(profile: Profile, ctx: Context) -> Iterator[Problem]:
    """``profiles.required`` and ``profiles.required_by_status``; ``a|b`` means one of them."""
    status = profile.status or ""
    rules = [(spec, "") for spec in ctx.config["profiles.required"]]
    rules += [(spec, f" (required for {status} profiles)")
              for spec in ctx.config["profiles.required_by_status"].get(status, [])]
    for spec, why in rules:
        names = [n.strip() for n in spec.split("|") if n.strip()]
        if names and not any(_present(profile, n) for n in names):
            yield problem(profile, 1, "missing-field", f"missing {' or '.join(names)}{why}")


def check_status(profile: Profile, ctx: Context) -> Iterator[Problem]:
    statuses = [s.lower() for s in ctx.config["profiles.statuses"]]
    if profile.status is None or profile.status in statuses:
        return
    close = difflib.get_close_matches(profile.status, statuses, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    yield problem(profile, profile.field_line("status"), "unknown-status",
                  f"status {profile.status!r} is not one of {', '.join(statuses)}{hint}")


def check_emails(profile: Profile, ctx: Context) -> Iterator[Problem]:
    for email, line in items(profile, "email"):
        why = email_problem(email)
        if why is not None:
            yield problem(profile, line, "invalid-email", f"{email!r}: {why}")


# a local part (before the @) that email_validator accepts whatever follows it: dot-separated
# runs of letters, digits and a few marks, at most 64 characters
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*")


def email_problem(email: str) -> str | None:
    """Why email_validator refuses ``email`` (None: it is valid). An ASCII address of at
    most 254 characters whose local part is plain is valid exactly when its domain is: the
    verdict is the domain's (:data:`DOMAINS`)."""
    local, at, domain = email.partition("@")
    if at and len(email) <= 254 and len(local) <= 64 and email.isascii() \
            and _PLAIN_LOCAL.fullmatch(local):
        return DOMAINS.verdict(domain)
    return _email_problem(email)


V = TypeVar("V")


class Verdicts(Generic[V]):
    """Verdicts that cost a library call to work out and never change for the same text (an
    email domain's, a phone's), each worked out once by ``work``, or ``known`` before: the
    index keeps them and puts them in. ``new`` holds those worked out here, for it to keep."""

    def __init__(self, work: Callable[[str], V]) -> None:
        self.work = work
        self.known: dict[str, V] = {}
        self.new: dict[str, V] = {}

    def verdict(self, text: str) -> V:
        if text not in self.known:
            self.known[text] = self.new[text] = self.work(text)
        return self.known[text]

    def take_new(self) -> dict[str, V]:
        """The verdicts worked out here since the last call."""
        new, self.new = self.new, {}
        return new


# each email domain's verdict (None: valid): a vault has few, and the index keeps them all,
# so that re-reading an edited file does not load email_validator (40 ms) for a known domain
DOMAINS = Verdicts[str | None](lambda domain: _email_problem(f"a@{domain}"))


def _email_problem(email: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


@cache
def _reasons() -> tuple[Any, dict[Any, str], dict[Any, str]]:
    """phonenumbers and its reasons in words, imported on the first phone checked (the index
    checks profiles without it)."""
    import phonenumbers

    return phonenumbers, _why(phonenumbers), _parse_why(phonenumbers)


def _why(phonenumbers: Any) -> dict[Any, str]:
    return {
        phonenumbers.ValidationResult.TOO_SHORT: "it is too short",
        phonenumbers.ValidationResult.TOO_LONG: "it is too long",
        phonenumbers.ValidationResult.INVALID_LENGTH: "it has the wrong number of digits",
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "its country code does not exist",
        phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
            "it is too short for a full number (is the area code missing?)",
    }


def _parse_why(phonenumbers: Any) -> dict[Any, str]:
    return {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "its country code does not exist",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "it is not a phone number",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "it is too short",
        phonenumbers.NumberParseException.TOO_LONG: "it is too long",
    }


Verdict = tuple[str | None, str | None]  # a phone's E.164 form, else why it is not valid


def parse_phone(text: str, region: str) -> Verdict:
    """``(E.164 form, None)`` for a valid number, else ``(None, why it is not)``.

    Without a ``+country`` prefix the number is read as one of ``region`` (``""``: unknown).
    The verdict is the one :data:`PHONES` knows, when it knows one for ``region``.
    """
    if region != PHONES.region:
        return _read_phone(text, region)
    return PHONES.verdict(text)


class Phones(Verdicts[Verdict]):
    """The verdicts on the phones of the profile being checked: reading a phone with the
    phone library takes about 90 µs (a quarter of ``plaincrm check``), so check keeps each
    profile's verdicts in the index and puts them in here (:meth:`use`) before the profile's
    checks run, then takes the verdicts worked out anew, for the index to keep."""

    def __init__(self) -> None:
        super().__init__(lambda text: _read_phone(text, self.region or ""))
        self.region: str | None = None  # the region ``known`` is for; None: nothing known

    def use(self, region: str | None, known: dict[str, Verdict]) -> dict[str, Verdict]:
        """Know ``known`` (read for ``region``) from now on; returns the verdicts worked out
        since the last call."""
        self.region, self.known = region, known
        return self.take_new()


PHONES = Phones()


def phone_version(region: str) -> str:
    """What a phone's verdict depends on besides its text: the phone library's version (its
    numbering plans change) and the region."""
    return f"phonenumbers {_reasons()[0].__version__}, region {region!r}"


@lru_cache(maxsize=4096)
def _read_phone(text: str, region: str) -> Verdict:
    if not text.lstrip().startswith("+") and not region:
        return None, "no-region"
    phonenumbers, why, parse_why = _reasons()
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException as exc:
        return None, parse_why.get(exc.error_type, "it is not a phone number")
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    reason = phonenumbers.is_possible_number_with_reason(number)
    return None, why.get(reason, f"no such number exists {_where(number, text, region)}")


def _where(number: phonenumbers.PhoneNumber, text: str, region: str) -> str:
    """``in GB`` for a number read as one of the configured region or that belongs to one
    region, else ``with country code +1`` (a code shared by several regions, such as +1 and
    +7, or one of no region, such as +882)."""
    phonenumbers = _reasons()[0]
    if not text.lstrip().startswith("+"):
        return f"in {region}"
    found = phonenumbers.region_code_for_number(number)
    if found and len(found) == 2 and found.isalpha() and found != "ZZ":
        return f"in {found}"
    return f"with country code +{number.country_code}"


def check_phones(profile: Profile, ctx: Context) -> Iterator[Problem]:
    region = ctx.config["profiles.phone_region"]
    for phone, line in items(profile, "phone"):
        e164, why = parse_phone(phone, region)
        if why == "no-region":
            yield problem(profile, line, "invalid-phone",
                          f"{phone!r} cannot be checked: write it with its +country code, or "
                          "set profiles.phone_region in plaincrm.toml", Severity.WARNING)
        elif e164 is None:
            yield problem(profile, line, "invalid-phone", f"{phone!r} is not valid: {why}")
        elif "+" + "".join(c for c in phone if c.isdigit()) != e164:
            yield problem(profile, line, "invalid-phone",
                          f"{phone!r} is valid; write it in international form: {e164}",
                          Severity.WARNING)
