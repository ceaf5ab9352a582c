"""The invalid-phone message always says where no such number exists (it used to end in
"exists in " with nothing after it for numbers whose country code no single region owns)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Run, VaultFactory

HEAD = "---\nname: Ann Archer\nstatus: lead\nemail: ann@example.com\n"


@pytest.mark.parametrize("phone, region, why", [
    ("+1 200 555 0100", "", "no such number exists with country code +1"),
    ("+1 200 555 0100", "GB", "no such number exists with country code +1"),
    ("+7 000 000 0000", "", "no such number exists with country code +7"),
    ("+882 1234 5678", "", "no such number exists with country code +882"),
    ("+49 000 0000000", "", "no such number exists in DE"),
    ("0000 000000", "GB", "no such number exists in GB"),
])
def test_invalid_phone_says_where(vault: VaultFactory, run: Run, phone: str, region: str,
                                  why: str) -> None:
    root = vault({"ann.md": HEAD + f'phone: "{phone}"\n---\n'},
                 config=f'[profiles]\nphone_region = "{region}"\n')
    result = run(root, "check", "--json", "--date", "2026-11-20")
    found = [(p["line"], p["code"], p["message"]) for p in json.loads(result.stdout)["problems"]]
    assert found == [(5, "invalid-phone", f"{phone!r} is not valid: {why}")]
