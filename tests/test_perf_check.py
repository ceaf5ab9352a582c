"""check reads its report once and writes --json a problem at a time: the same text as the
whole report written at once, and the same summary."""

from __future__ import annotations

import json

from plaincrm.render import dumps_json

from .conftest import Run, VaultFactory


def test_streamed_json_is_the_report_written_at_once(vault: VaultFactory, run: Run) -> None:
    root = vault({
        "ann.md": """\
            ---
            name: Ann Ash
            email: ann@example.com
            status: nonsense
            ---
            """,
        "ann-2.md": """\
            ---
            name: Ann Ash
            email: ANN@example.com
            phone: "12"
            ---
            """,
        "bob.md": "---\nname: Bob \u2028 Bell\nbirthday: 2023-02-30\n---\n",
    })
    result = run(root, "check", "--json", "--date", "2026-11-22")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert result.stdout == dumps_json(data) + "\n"
    codes = sorted(p["code"] for p in data["problems"])
    assert "duplicate" in codes and "invalid-date" in codes and "unknown-status" in codes
    errors = sum(p["severity"] == "error" for p in data["problems"])
    assert data["summary"] == {"profiles": 3, "errors": errors,
                               "warnings": len(data["problems"]) - errors}
    text = run(root, "check", "--date", "2026-11-22")
    assert len(text.stdout.splitlines()) == len(data["problems"])
    assert text.stderr.strip().splitlines()[-1] == (f"{errors} error{'s' if errors != 1 else ''}, "
                                   f"{len(data['problems']) - errors} warnings in 3 profiles")


def test_a_clean_vault_gives_an_empty_list(vault: VaultFactory, run: Run) -> None:
    root = vault({"ann.md": "---\nname: Ann Ash\nstatus: active\n---\n"},
                 config="[profiles]\nrequired = []\n[checks.severity]\nstale = \"off\"\n")
    result = run(root, "check", "--json", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.stdout == dumps_json(  # (the stream's own opening for an empty list)
        {"problems": [], "summary": {"profiles": 1, "errors": 0, "warnings": 0}}) + "\n"
