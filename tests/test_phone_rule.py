"""One rule for "the same phone" by its digits (:func:`plaincrm.lookup.phone_digits`): what
``check`` calls the same phone, ``show``, ``log`` and ``list --search`` find by it too."""

from __future__ import annotations

import json

from tests.conftest import Run, VaultFactory

A = """\
---
name: Jane Roe
phone: "0 1234 5678"
---
"""
B = """\
---
name: Jane Smith
phone: "1234 5678"
---
"""


def test_what_check_calls_one_phone_the_lookup_finds_by_either_form(
        vault: VaultFactory, run: Run) -> None:
    root = vault({"a.md": A, "b.md": B})
    data = json.loads(run(root, "check", "--json", "--date", "2026-11-20").stdout)
    same = [p["path"] for p in data["problems"] if p["code"] == "duplicate"]
    assert same == ["a.md", "b.md"], data["problems"]
    before = {p: p.read_bytes() for p in root.glob("*.md")}
    for typed in ("0 1234 5678", "1234 5678", "012345678"):
        for args in (["show", typed], ["log", typed, "Rang.", "--date", "2026-11-20"]):
            result = run(root, *args)
            assert result.exit_code == 5, (args, result.output)
            assert result.stderr.splitlines()[1:] == ["  a.md  Jane Roe  0 1234 5678",
                                                      "  b.md  Jane Smith  1234 5678"]
        found = json.loads(run(root, "list", "--search", typed, "--json").stdout)
        assert [p["path"] for p in found["profiles"]] == ["a.md", "b.md"], typed
    assert {p: p.read_bytes() for p in root.glob("*.md")} == before
