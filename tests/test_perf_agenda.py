"""The agenda costs what it shows: a collapsed section's hidden rows are not formatted, and
the contact of each row comes with the row (no second pass over the items)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, VaultFactory

LONG = "Bartholomew Ignatius Fitzwilliam-Montgomery-Smythe of Little Snoring"


def _vault(vault: VaultFactory) -> Path:
    return vault({
        "al.md": """\
            ---
            name: Al Ash
            phone: "+44 7712 772035"
            service_due: 2026-10-01
            ---
            """,
        "long.md": f"""\
            ---
            name: {LONG}
            email: long@example.com
            service_due: 2026-11-01
            ---
            """,
    }, config="[agenda]\nsection_limit = 1\n")


def test_hidden_rows_of_a_collapsed_section_do_not_widen_the_columns(
        vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    result = run(root, "agenda", "--date", "2026-11-22")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    row = next(line for line in lines if "Al Ash" in line)
    assert LONG not in result.stdout
    assert "Al Ash  service due" in row, row  # the name column is as wide as "Al Ash"
    assert "… and 1 more overdue" in result.stdout
    every = run(root, "agenda", "--date", "2026-11-22", "--all").stdout
    row = next(line for line in every.splitlines() if "Al Ash" in line)
    assert "Al Ash" + " " * (len(LONG) - len("Al Ash") + 2) + "service due" in row, row


def test_each_row_carries_its_contact_point(vault: VaultFactory, run: Run) -> None:
    root = _vault(vault)
    items = json.loads(run(root, "agenda", "--date", "2026-11-22", "--json").stdout)["items"]
    assert {i["name"]: i["contact"] for i in items} == {"Al Ash": "+44 7712 772035",
                                                         LONG: "long@example.com"}
    text = run(root, "agenda", "--date", "2026-11-22").stdout
    assert "+44 7712 772035 · last: no log yet" in text
