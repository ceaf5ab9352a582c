"""The email check gives email_validator's own verdict for every address, whether it is worked
out once per domain (a plain local part) or for the whole address."""

from __future__ import annotations

import json

from email_validator import EmailNotValidError, validate_email

from tests.conftest import Run, VaultFactory

# each pair shares its domain: the first one seen decides nothing for the second
ADDRESSES = [
    "ann@example.com", "bob.smith+crm@example.com",
    "ann@localhost", "bob@localhost",
    "ann@example", "bob.b@example",
    "ann@exa_mple.com", "bob@exa_mple.com",
    "ann@-example.com", "ann@example..com", "ann@", "ann@@example.com",
    "ann@b@example.com", "ann@[127.0.0.1]", "ann@123.456", "ann@xn--bcher-kva.example",
    "ann@bücher.example", "ann@BÜCHER.example", "ann@example.com.",
    ".ann@example.com", "ann.@example.com", "a..nn@example.com", '"ann smith"@example.com',
    "Ann <ann@example.com>", "ann smith@example.com", "añn@example.com",
    "a" * 64 + "@example.com", "a" * 65 + "@example.com",
    "ann@" + "a" * 63 + ".com", "ann@" + "a" * 64 + ".com",
    # a valid domain, the whole address too long: the domain's verdict is not the address's
    "ann@" + ".".join(["a" * 60] * 4) + ".com", "b" * 20 + "@" + ".".join(["a" * 60] * 4) + ".com",
    "ann@test", "ann@invalid.example", "ann@example.test", "ann@example.onion",
]


def _verdict(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"{email!r}: {exc}"
    return None


def test_every_email_verdict_is_email_validators(vault: VaultFactory, run: Run) -> None:
    files = {f"p{i:02d}.md": f"---\nname: P{i}\nemail: {json.dumps(email)}\n---\n"
             for i, email in enumerate(ADDRESSES)}
    root = vault(files)
    result = run(root, "check", "--json", "--date", "2026-11-20")
    found = {p["path"]: p["message"] for p in json.loads(result.stdout)["problems"]
             if p["code"] == "invalid-email"}
    expected = {f"p{i:02d}.md": why for i, email in enumerate(ADDRESSES)
                if (why := _verdict(email)) is not None}
    assert found == expected
    assert len(expected) > 15  # most of them are refused, each for its own reason
